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

#include "conf_diff.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"

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
	if ((nerr = conf_load(d->conf_path, c, m)) != 0) {
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
	if (diff.captures > 0) {
		fprintf(m, "not reloaded: changes to captures need a restart "
		    "of ixfwd in this version; nothing was changed\n");
		goto out;
	}
	if ((diff.paths > 0 || diff.bridge_table > 0) &&
	    pipe_update(d->pl, c) == -1) {
		fprintf(m, "not reloaded: the new paths could not be set up "
		    "(see the log); nothing was changed\n");
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
