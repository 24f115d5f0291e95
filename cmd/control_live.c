/*
 * control_live.c: live captures from the control socket.
 *
 *   capture PORT [-c count] [-s snaplen] [-d rx|tx|both] [expression]
 *
 * attaches a capture of every packet of PORT that matches expression to
 * the running set (capture_attach_live()), answers "ixfwd/1 stream" and
 * then moves its pcap stream to the client in "data LEN" frames.  It ends
 * with an "end" line (counts of what was written and what the rings could
 * not keep) when count packets were taken, and is detached at once when
 * the client goes away.  At most CONTROL_LIVE_MAX run at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "control_priv.h"
#include "daemon.h"
#include "log.h"

#define CTL_CHUNK	(64 * 1024)

int
ctl_is_live(const struct control *ctl, const char *name)
{
	int i;

	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl->conns[i].fd != -1 &&
		    strcmp(ctl->conns[i].live, name) == 0)
			return 1;
	return 0;
}

static int
ctl_number(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return *s == '\0' || *end != '\0' || errno != 0 || *v > max ||
	    s[0] == '-' ? -1 : 0;
}

void
ctl_live_start(struct control *ctl, struct ctl_conn *cn,
    const struct control_req *r)
{
	struct capture_set *cs = pipe_captures(ctl->d->pl);
	const struct conf *c = ctl->d->conf;
	struct capture_conf cc;
	char err[512], head[32];
	uint64_t count = 0, v;
	int i, port, n;

	if (r->argc < 2) {
		ctl_answerf(cn, 0, "usage: capture PORT [-c count] "
		    "[-s snaplen] [-d rx|tx|both] [expression]\n"
		    "       capture start|stop NAME\n");
		return;
	}
	if ((port = conf_port_index(c, r->argv[1])) == -1) {
		ctl_answerf(cn, 0, "unknown port %.64s\n", r->argv[1]);
		return;
	}
	if (ctl->nlive >= CONTROL_LIVE_MAX) {
		ctl_answerf(cn, 0, "%d live captures run already, the most "
		    "there can be\n", CONTROL_LIVE_MAX);
		return;
	}
	capture_conf_defaults(&cc);
	cc.port = port;
	strlcpy(cc.port_name, c->ports[port].name, sizeof(cc.port_name));
	strlcpy(cc.file, "-", sizeof(cc.file));
	for (i = 2; i < r->argc && r->argv[i][0] == '-'; i += 2) {
		const char *opt = r->argv[i], *arg = r->argv[i + 1];

		if (arg == NULL) {
			ctl_answerf(cn, 0, "capture: %s needs a value\n", opt);
			return;
		}
		if (strcmp(opt, "-c") == 0) {
			if (ctl_number(arg, UINT64_MAX, &count) == -1 ||
			    count == 0) {
				ctl_answerf(cn, 0, "capture: -c %.32s: not a "
				    "count\n", arg);
				return;
			}
		} else if (strcmp(opt, "-s") == 0) {
			if (ctl_number(arg, CAPTURE_SNAPLEN_MAX, &v) == -1 ||
			    v == 0) {
				ctl_answerf(cn, 0, "capture: -s %.32s: snaplen "
				    "must be 1..%d\n", arg, CAPTURE_SNAPLEN_MAX);
				return;
			}
			cc.snaplen = (uint32_t)v;
		} else if (strcmp(opt, "-d") == 0) {
			if (strcmp(arg, "rx") == 0)
				cc.direction = CAPTURE_RX;
			else if (strcmp(arg, "tx") == 0)
				cc.direction = CAPTURE_TX;
			else if (strcmp(arg, "both") == 0)
				cc.direction = CAPTURE_BOTH;
			else {
				ctl_answerf(cn, 0, "capture: -d %.32s: rx, tx "
				    "or both\n", arg);
				return;
			}
		} else {
			ctl_answerf(cn, 0, "capture: unknown option %.32s\n",
			    opt);
			return;
		}
	}
	for (n = 0; i < r->argc; i++) {
		if (n > 0)
			strlcat(cc.filter, " ", sizeof(cc.filter));
		if (strlcat(cc.filter, r->argv[i], sizeof(cc.filter)) >=
		    sizeof(cc.filter)) {
			ctl_answerf(cn, 0, "capture: expression too long\n");
			return;
		}
		n++;
	}
	/* a name nobody configured: live-N */
	do
		snprintf(cc.name, sizeof(cc.name), "live-%u", ++ctl->live_seq);
	while (capture_find(cs, cc.name) != -1);
	if (capture_attach_live(cs, &cc, count, err, sizeof(err)) == -1) {
		ctl_answerf(cn, 0, "capture: %s\n", err);
		return;
	}
	strlcpy(cn->live, cc.name, sizeof(cn->live));
	ctl->nlive++;
	log_info("capture %s: live on port %s%s%s", cc.name, cc.port_name,
	    cc.filter[0] != '\0' ? ", filter " : "", cc.filter);
	n = snprintf(head, sizeof(head), "ixfwd/%d stream\n",
	    CONTROL_PROTOCOL);
	ctl_queue(cn, head, (size_t)n);
}

void
ctl_live_end(struct control *ctl, struct ctl_conn *cn)
{
	struct capture_set *cs = pipe_captures(ctl->d->pl);
	struct capture_stats st;
	char line[128];
	int i, n;

	memset(&st, 0, sizeof(st));
	if ((i = capture_find(cs, cn->live)) != -1) {
		static uint8_t buf[CTL_CHUNK];
		char head[32];
		ssize_t n;
		int done, h;

		/* the stream ends with a whole record: the rest of it */
		capture_live_close(cs, i);
		while ((n = capture_live_read(cs, i, buf, sizeof(buf),
		    &done)) > 0) {
			h = snprintf(head, sizeof(head), "data %zd\n", n);
			if (ctl_queue(cn, head, (size_t)h) == -1 ||
			    ctl_queue(cn, buf, (size_t)n) == -1)
				break;
		}
		capture_stats(cs, i, &st);
	}
	capture_detach(cs, cn->live);
	log_info("capture %s: %llu written, %llu not kept (ring full)",
	    cn->live, (unsigned long long)st.written,
	    (unsigned long long)st.ring_full);
	n = snprintf(line, sizeof(line), "end written=%llu dropped=%llu\n",
	    (unsigned long long)st.written,
	    (unsigned long long)(st.ring_full + st.rate_limited));
	ctl_queue(cn, line, (size_t)n);
	cn->live[0] = '\0';
	cn->closing = 1;
	ctl->nlive--;
}

int
ctl_live_pump(struct control *ctl, struct ctl_conn *cn)
{
	struct capture_set *cs = pipe_captures(ctl->d->pl);
	static uint8_t buf[CTL_CHUNK];
	char head[32];
	ssize_t n;
	int i, done, h;

	if (cn->outlen > 0)
		return 0;	/* the client has not taken the last one */
	if ((i = capture_find(cs, cn->live)) == -1)
		return -1;
	if ((n = capture_live_read(cs, i, buf, sizeof(buf), &done)) < 0)
		return -1;
	if (n > 0) {
		h = snprintf(head, sizeof(head), "data %zd\n", n);
		if (ctl_queue(cn, head, (size_t)h) == -1 ||
		    ctl_queue(cn, buf, (size_t)n) == -1)
			return -1;
	}
	if (done)
		ctl_live_end(ctl, cn);
	return 0;
}
