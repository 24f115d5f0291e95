/*
 * reload.c: reading the configuration again while forwarding (SIGHUP,
 * systemctl reload, the control socket's reload).
 *
 * The new file is loaded and checked in full, compared key by key with
 * the running one (conf_diff()), and only then applied: paths and the
 * MAC table through pipe_update(), which swaps them at a batch boundary,
 * captures one by one.  A refusal leaves everything as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "conf_diff.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "preflight.h"

/* Each line of text to the log and to report. */
static void
reload_emit(const char *text, FILE *report, int warn)
{
	const char *line, *nl;

	for (line = text; *line != '\0'; line = nl + 1) {
		int len;

		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		len = (int)(nl - line);
		if (warn)
			log_warnx("reload: %.*s", len, line);
		else
			log_info("reload: %.*s", len, line);
		if (report != NULL)
			fprintf(report, "%.*s\n", len, line);
		if (*nl == '\0')
			break;
	}
	if (report != NULL)
		fflush(report);
}

static int
reload_capture_same(const struct capture_conf *a, const struct capture_conf *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * Captures from a (running) to b: the removed and changed ones are
 * detached (their files closed complete), then the added and changed
 * ones attached (a changed one starts a new file with its new settings).
 * If an attach fails, what was done is undone, back to a.  0 or -1, with
 * the reason on m.
 */
static int
reload_captures(struct capture_set *cs, const struct conf *a,
    const struct conf *b, FILE *m)
{
	const struct capture_conf *o, *nc;
	char err[256];
	int i, k;

	for (i = 0; i < a->ncaptures; i++) {
		nc = conf_capture_of(b, a->captures[i].name);
		if (nc == NULL || !reload_capture_same(&a->captures[i], nc))
			capture_detach(cs, a->captures[i].name);
	}
	for (i = 0; i < b->ncaptures; i++) {
		o = conf_capture_of(a, b->captures[i].name);
		if (o != NULL && reload_capture_same(o, &b->captures[i]))
			continue;
		if (capture_attach(cs, &b->captures[i], err,
		    sizeof(err)) == 0)
			continue;
		fprintf(m, "capture %s: %s\n", b->captures[i].name, err);
		/* undo: b's new ones out, a's back in */
		for (k = 0; k < i; k++) {
			o = conf_capture_of(a, b->captures[k].name);
			if (o == NULL || !reload_capture_same(o,
			    &b->captures[k]))
				capture_detach(cs, b->captures[k].name);
		}
		for (k = 0; k < a->ncaptures; k++) {
			nc = conf_capture_of(b, a->captures[k].name);
			if ((nc == NULL || !reload_capture_same(&a->captures[k],
			    nc)) && capture_attach(cs, &a->captures[k], err,
			    sizeof(err)) == -1)
				fprintf(m, "capture %s: could not be restored: "
				    "%s\n", a->captures[k].name, err);
		}
		return -1;
	}
	return 0;
}

int
daemon_reload(struct daemon *d, FILE *report)
{
	struct conf_diff diff;
	struct conf *c;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int nerr, rc = -1;

	notify_reloading();
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (m = open_memstream(&text, &len)) == NULL) {
		free(c);
		log_warn("reload");
		if (report != NULL)
			fprintf(report, "not reloaded: %s\n", strerror(errno));
		notify_send("READY=1");
		return -1;
	}
	if ((nerr = conf_load_owned(d->conf_path, c, m,
	    d->conf_owner)) != 0) {
		fprintf(m, "not reloaded: %s: %d error%s, still running the "
		    "configuration loaded before\n", d->conf_path, nerr,
		    nerr == 1 ? "" : "s");
		goto out;
	}
	/* what the new file needs of this machine and of the user we are
	 * now: a capture directory it cannot write in, a file it cannot
	 * read */
	if ((nerr = preflight(c, d->conf, &d->user, m)) != 0) {
		fprintf(m, "not reloaded: %s: %d error%s, still running the "
		    "configuration loaded before\n", d->conf_path, nerr,
		    nerr == 1 ? "" : "s");
		goto out;
	}
	conf_diff(d->conf, c, &diff, m);
	if (diff.restart > 0) {
		fprintf(m, "not reloaded: %d change%s above need%s a restart "
		    "of ixfwd; nothing was changed\n", diff.restart,
		    diff.restart == 1 ? "" : "s", diff.restart == 1 ? "s" : "");
		goto out;
	}
	if (diff.changes == 0) {
		fprintf(m, "reloaded %s: no changes\n", d->conf_path);
		rc = 0;
		goto out;
	}
	if ((diff.paths > 0 || diff.bridge_table > 0) &&
	    pipe_update(d->pl, c) == -1) {
		fprintf(m, "not reloaded: the new paths could not be set up "
		    "(see the log); nothing was changed\n");
		goto out;
	}
	if (diff.captures > 0 && reload_captures(pipe_captures(d->pl),
	    d->conf, c, m) == -1) {
		if ((diff.paths > 0 || diff.bridge_table > 0) &&
		    pipe_update(d->pl, d->conf) == -1)
			fprintf(m, "the paths could not be put back: see the "
			    "log\n");
		fprintf(m, "not reloaded: the captures could not be "
		    "changed; nothing was changed\n");
		goto out;
	}
	pipe_set_conf(d->pl, c);
	conf_free(d->conf);
	free(d->conf);
	d->conf = c;
	c = NULL;
	d->reloads++;
	fprintf(m, "reloaded %s: %d change%s applied\n", d->conf_path,
	    diff.changes, diff.changes == 1 ? "" : "s");
	rc = 0;
out:
	fclose(m);
	reload_emit(text != NULL ? text : "", report, rc == -1);
	free(text);
	if (c != NULL) {
		conf_free(c);
		free(c);
	}
	notify_send("READY=1");
	return rc;
}
