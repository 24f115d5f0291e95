/*
 * control.c: the control socket's server, on the main thread (control.h).
 *
 * Clients are non-blocking: a request is read into the client's line
 * buffer, answered in full into its output buffer, and written as the
 * socket takes it; while an answer is pending nothing more is read from
 * that client, so one that sends without reading only fills its own
 * socket.  A client that neither completes a request nor takes its answer
 * for CONTROL_IDLE_S is closed, as is one whose line is too long.
 *
 * A live capture (request "capture PORT ...") is a capture attached to
 * the running set with capture_attach_live(); its pcap stream is moved
 * from the capture's buffer to the client here, framed, while the client
 * keeps its socket open.  The workers never wait for it: when the client
 * is slow, the capture's rings fill and count ring_full.
 *
 * Rates are over the last second: control_tick() keeps two snapshots of
 * the counters, one a second old.
 *
 * Who may talk: the socket's mode (0660, owner ixfwd's user, group its
 * group) is the first barrier; the peer's credentials, read from the
 * kernel on accept (SO_PEERCRED, SO_PEERGROUPS), the second: root,
 * ixfwd's own user and members of its group are served, anyone else gets
 * one error line and is closed, should the socket or its directory have
 * been opened to others by mistake.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <bsd/string.h>
#include <jansson.h>

#include "bridge.h"
#include "capture.h"
#include "control.h"
#include "control_priv.h"
#include "daemon.h"
#include "log.h"
#include "pipeline.h"

#define CTL_CHUNK	(64 * 1024)	/* pcap bytes per data frame */
#define CTL_BRIDGE_MAX	100000		/* entries bridge show lists */

static uint64_t
ctl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* TSC ticks per second, for the workers' busy share. */
static double
ctl_tsc_hz(void)
{
	struct timespec a, b, d = { 0, 20 * 1000 * 1000 };
	uint64_t t0, t1;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	nanosleep(&d, NULL);
	t1 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 +
	    (double)(b.tv_nsec - a.tv_nsec);
	return ns > 0 ? (double)(t1 - t0) * 1e9 / ns : 1e9;
}

/*
 * Snapshots and rates.
 */

static void
ctl_snap(struct control *ctl, struct ctl_snap *s)
{
	struct pipeline *pl = ctl->d->pl;
	struct pipe_port_report r;
	int i;

	s->ms = ctl_mono_ms();
	for (i = 0; i < pipe_nports(pl) && i < CONF_PORTS_MAX; i++) {
		pipe_report(pl, i, &r);
		s->port[i] = r.sw;
	}
	for (i = 0; i < pipe_nworkers(pl) && i < PIPE_WORKERS_MAX; i++)
		pipe_worker_report(pl, i, &s->worker[i]);
	s->valid = 1;
}

void
control_tick(struct control *ctl)
{
	if (ctl == NULL)
		return;
	ctl->prev = ctl->cur;
	ctl_snap(ctl, &ctl->cur);
}

static double
ctl_rate(const struct control *ctl, uint64_t now, uint64_t then)
{
	double dt;

	if (!ctl->prev.valid || ctl->cur.ms <= ctl->prev.ms || now < then)
		return 0;
	dt = (double)(ctl->cur.ms - ctl->prev.ms) / 1000;
	return (double)(now - then) / dt;
}

void
ctl_port_rates(const struct control *ctl, int i, struct ctl_rates *r)
{
	const struct pipe_counters *a = &ctl->cur.port[i];
	const struct pipe_counters *b = &ctl->prev.port[i];

	r->rx_pps = ctl_rate(ctl, a->rx_packets, b->rx_packets);
	r->tx_pps = ctl_rate(ctl, a->tx_packets, b->tx_packets);
	r->rx_bps = 8 * ctl_rate(ctl, a->rx_bytes, b->rx_bytes);
	r->tx_bps = 8 * ctl_rate(ctl, a->tx_bytes, b->tx_bytes);
}

double
ctl_worker_busy(const struct control *ctl, int w)
{
	double cycles, busy;

	if (!ctl->prev.valid || ctl->cur.ms <= ctl->prev.ms)
		return 0;
	cycles = ctl->tsc_hz * (double)(ctl->cur.ms - ctl->prev.ms) / 1000;
	busy = (double)(ctl->cur.worker[w].busy_cycles -
	    ctl->prev.worker[w].busy_cycles) / cycles;
	return busy < 0 ? 0 : busy > 1 ? 1 : busy;
}

/* Share of the last second a worker slept (poll: adaptive). */
double
ctl_worker_sleep(const struct control *ctl, int w)
{
	double ns, slept;

	if (!ctl->prev.valid || ctl->cur.ms <= ctl->prev.ms)
		return 0;
	ns = 1e6 * (double)(ctl->cur.ms - ctl->prev.ms);
	slept = (double)(ctl->cur.worker[w].sleep_ns -
	    ctl->prev.worker[w].sleep_ns) / ns;
	return slept < 0 ? 0 : slept > 1 ? 1 : slept;
}

/*
 * Answers.
 */

static void
ctl_json_out(FILE *f, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL)
		fprintf(f, "%s\n", s);
	free(s);
	json_decref(o);
}

static int
ctl_has_flag(const struct control_req *r, int from, const char *flag)
{
	int i;

	for (i = from; i < r->argc; i++)
		if (strcmp(r->argv[i], flag) == 0)
			return 1;
	return 0;
}

/* Which ports a request names (all when none); -1 with the reason. */
static int
ctl_ports_wanted(struct control *ctl, const struct control_req *r, int from,
    int *want, FILE *err)
{
	const struct conf *c = ctl->d->conf;
	int i, k, any = 0;

	for (i = 0; i < c->nports; i++)
		want[i] = 0;
	for (i = from; i < r->argc; i++) {
		if (r->argv[i][0] == '-')
			continue;
		if ((k = conf_port_index(c, r->argv[i])) == -1) {
			fprintf(err, "unknown port %s (ports:", r->argv[i]);
			for (k = 0; k < c->nports; k++)
				fprintf(err, " %s", c->ports[k].name);
			fprintf(err, ")\n");
			return -1;
		}
		want[k] = 1;
		any = 1;
	}
	for (i = 0; !any && i < c->nports; i++)
		want[i] = 1;
	return 0;
}

/* Each RX queue of port: its worker, what that worker took from it,
 * what the NIC counted into it. */
static json_t *
ctl_queues(struct pipeline *pl, int port)
{
	json_t *a = json_array();
	int q;

	for (q = 0; q < pipe_port_queues(pl, port); q++) {
		struct pipe_queue_report qr;

		pipe_queue_report(pl, port, q, &qr);
		json_array_append_new(a, json_pack(
		    "{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I}",
		    "queue", q, "worker", qr.worker, "cpu", qr.cpu,
		    "rx_packets", (json_int_t)qr.rx_packets,
		    "rx_bytes", (json_int_t)qr.rx_bytes,
		    "hw_rx_packets", (json_int_t)qr.hw.rx_packets,
		    "hw_rx_bytes", (json_int_t)qr.hw.rx_bytes,
		    "hw_rx_dropped", (json_int_t)qr.hw.rx_dropped));
	}
	return a;
}

/* Each TX queue of port: the worker sending on it (-1: none), what that
 * worker sent on it and dropped for want of room in it, what the NIC
 * sent from it. */
static json_t *
ctl_tx_queues(struct pipeline *pl, int port)
{
	json_t *a = json_array();
	int q;

	for (q = 0; q < pipe_port_tx_queues(pl, port); q++) {
		struct pipe_txq_report tr;

		pipe_txq_report(pl, port, q, &tr);
		json_array_append_new(a, json_pack(
		    "{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I}",
		    "queue", q, "worker", tr.worker, "cpu", tr.cpu,
		    "tx_packets", (json_int_t)tr.tx_packets,
		    "tx_bytes", (json_int_t)tr.tx_bytes,
		    "tx_full", (json_int_t)tr.tx_full,
		    "hw_tx_packets", (json_int_t)tr.hw_tx_packets,
		    "hw_tx_bytes", (json_int_t)tr.hw_tx_bytes));
	}
	return a;
}

/* A port's errors and drops by reason, what its driver dropped, and its
 * health, into the port's object of stats --json. */
static void
ctl_port_faults(json_t *po, const struct pipe_port_report *pr)
{
	json_t *hw = json_object_get(po, "hw");
	json_t *drops = json_object_get(po, "drops");

	json_object_set_new(hw, "rx_crc_errors",
	    json_integer((json_int_t)pr->hw.rx_crc_errors));
	json_object_set_new(hw, "rx_length_errors",
	    json_integer((json_int_t)pr->hw.rx_length_errors));
	json_object_set_new(hw, "rx_undersize",
	    json_integer((json_int_t)pr->hw.rx_undersize));
	json_object_set_new(hw, "rx_oversize",
	    json_integer((json_int_t)pr->hw.rx_oversize));
	json_object_set_new(po, "driver", json_pack("{s:I, s:I, s:I, s:I}",
	    "rx_nobuf", (json_int_t)pr->hw.rx_nobuf,
	    "rx_dropped", (json_int_t)pr->hw.rx_dropped,
	    "tx_padded", (json_int_t)pr->hw.tx_padded,
	    "tx_dropped", (json_int_t)pr->hw.tx_dropped));
	json_object_set_new(drops, "port_failed",
	    json_integer((json_int_t)pr->sw.drop_port_failed));
	json_object_set_new(drops, "tx_reset",
	    json_integer((json_int_t)pr->sw.drop_tx_reset));
	json_object_set_new(drops, "total",
	    json_integer((json_int_t)pipe_drops_total(&pr->sw)));
	json_object_set_new(po, "link_changes",
	    json_integer((json_int_t)pr->link_changes));
	json_object_set_new(po, "tx_queue_resets",
	    json_integer((json_int_t)pr->tx_queue_resets));
	json_object_set_new(po, "tx_queue_reset_timeouts",
	    json_integer((json_int_t)pr->tx_queue_reset_timeouts));
	json_object_set_new(po, "state",
	    json_string(pr->failed ? "failed" : "ok"));
}

static int
ctl_stats(struct control *ctl, const struct control_req *r, FILE *out)
{
	struct pipeline *pl = ctl->d->pl;
	struct capture_set *cs = pipe_captures(pl);
	int want[CONF_PORTS_MAX], i, json = ctl_has_flag(r, 1, "--json");
	struct timespec now;
	json_t *o, *ports, *workers, *caps;

	for (i = 1; i < r->argc; i++)
		if (r->argv[i][0] == '-' && strcmp(r->argv[i], "--json") != 0) {
			fprintf(out, "stats: unknown option %s\n", r->argv[i]);
			return -1;
		}
	if (ctl_ports_wanted(ctl, r, 1, want, out) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	o = json_object();
	json_object_set_new(o, "version", json_integer(CONTROL_PROTOCOL));
	json_object_set_new(o, "uptime_s", json_integer(now.tv_sec -
	    ctl->d->started.tv_sec));
	ports = json_array();
	for (i = 0; i < pipe_nports(pl); i++) {
		struct pipe_port_report pr;
		struct ctl_rates rt;
		json_t *po;

		if (!want[i])
			continue;
		pipe_report(pl, i, &pr);
		ctl_port_rates(ctl, i, &rt);
		po = json_pack(
		    "{s:s, s:s, s:{s:b, s:I}, s:I, s:I, s:I, s:I,"
		    " s:I, s:I, s:I, s:I,"
		    " s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:I,"
		    " s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
		    "name", pr.name, "device", pr.device,
		    "link", "up", pr.link.up, "speed_mbps",
		    (json_int_t)pr.link.speed_mbps,
		    "rx_packets", (json_int_t)pr.sw.rx_packets,
		    "rx_bytes", (json_int_t)pr.sw.rx_bytes,
		    "tx_packets", (json_int_t)pr.sw.tx_packets,
		    "tx_bytes", (json_int_t)pr.sw.tx_bytes,
		    "rx_pps", (json_int_t)(rt.rx_pps + 0.5),
		    "tx_pps", (json_int_t)(rt.tx_pps + 0.5),
		    "rx_bps", (json_int_t)(rt.rx_bps + 0.5),
		    "tx_bps", (json_int_t)(rt.tx_bps + 0.5),
		    "drops",
		    "no_route", (json_int_t)pr.sw.drop_no_route,
		    "tx_full", (json_int_t)pr.sw.drop_tx_full,
		    "no_buffer", (json_int_t)pr.sw.drop_no_buffer,
		    "filtered", (json_int_t)pr.sw.drop_filtered,
		    "malformed", (json_int_t)pr.sw.drop_malformed,
		    "local", (json_int_t)pr.sw.drop_local,
		    "too_big", (json_int_t)pr.sw.drop_too_big,
		    "flooded", (json_int_t)pr.sw.flooded,
		    "hw",
		    "rx_packets", (json_int_t)pr.hw.rx_packets,
		    "rx_bytes", (json_int_t)pr.hw.rx_bytes,
		    "tx_packets", (json_int_t)pr.hw.tx_packets,
		    "tx_bytes", (json_int_t)pr.hw.tx_bytes,
		    "rx_missed", (json_int_t)pr.hw.rx_missed,
		    "rx_errors", (json_int_t)pr.hw.rx_errors);
		json_object_set_new(po, "queues", ctl_queues(pl, i));
		json_object_set_new(po, "tx_queues", ctl_tx_queues(pl, i));
		ctl_port_faults(po, &pr);
		json_array_append_new(ports, po);
	}
	json_object_set_new(o, "ports", ports);
	workers = json_array();
	for (i = 0; i < pipe_nworkers(pl); i++)
		json_array_append_new(workers, json_pack(
		    "{s:i, s:i, s:s, s:f, s:f, s:I}",
		    "id", i, "cpu", pipe_worker_cpu(pl, i),
		    "poll", pipe_worker_busy_poll(pl, i) ? "busy" : "adaptive",
		    "busy", ctl_worker_busy(ctl, i),
		    "sleep", ctl_worker_sleep(ctl, i),
		    "sleep_us", (json_int_t)(ctl->cur.worker[i].sleep_ns /
		    1000)));
	json_object_set_new(o, "workers", workers);
	caps = json_array();
	for (i = 0; i < capture_count(cs); i++) {
		const struct capture_conf *cc = capture_get_conf(cs, i);
		struct capture_stats st;
		char file[PATH_MAX];

		capture_stats(cs, i, &st);
		capture_file_now(cs, i, file, sizeof(file));
		json_array_append_new(caps, json_pack(
		    "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:b}",
		    "name", cc->name, "port", cc->port_name,
		    "seen", (json_int_t)st.seen,
		    "samples", (json_int_t)st.sampled,
		    "written", (json_int_t)st.written,
		    "dropped_ring", (json_int_t)st.ring_full,
		    "dropped_disk", (json_int_t)st.write_failed,
		    "rate_limited", (json_int_t)st.rate_limited,
		    "file", file, "live", ctl_is_live(ctl, cc->name)));
	}
	json_object_set_new(o, "captures", caps);
	if (json) {
		ctl_json_out(out, o);
		return 0;
	}
	/* text: one line per port, worker and capture */
	{
		size_t k;
		json_t *p;

		json_array_foreach(ports, k, p) {
			json_t *dr = json_object_get(p, "drops");

			fprintf(out, "port %s device %s link %s rx %lld pkts "
			    "%lld bytes %lld pps %lld bps tx %lld pkts "
			    "%lld bytes %lld pps %lld bps drops no_route %lld "
			    "tx_full %lld no_buffer %lld filtered %lld "
			    "malformed %lld local %lld too_big %lld\n",
			    json_string_value(json_object_get(p, "name")),
			    json_string_value(json_object_get(p, "device")),
			    json_is_true(json_object_get(json_object_get(p,
			    "link"), "up")) ? "up" : "down",
#define JI(o, k)	(long long)json_integer_value(json_object_get(o, k))
			    JI(p, "rx_packets"), JI(p, "rx_bytes"),
			    JI(p, "rx_pps"), JI(p, "rx_bps"),
			    JI(p, "tx_packets"), JI(p, "tx_bytes"),
			    JI(p, "tx_pps"), JI(p, "tx_bps"),
			    JI(dr, "no_route"), JI(dr, "tx_full"),
			    JI(dr, "no_buffer"), JI(dr, "filtered"),
			    JI(dr, "malformed"), JI(dr, "local"),
			    JI(dr, "too_big"));
		}
		/* RX queues, of the ports that have several (RSS) */
		json_array_foreach(ports, k, p) {
			json_t *qs = json_object_get(p, "queues"), *q;
			size_t j;

			if (json_array_size(qs) < 2)
				continue;
			json_array_foreach(qs, j, q)
				fprintf(out, "queue port %s queue %lld worker "
				    "%lld cpu %lld rx %lld pkts %lld bytes "
				    "hw_rx %lld pkts %lld bytes hw_dropped "
				    "%lld\n",
				    json_string_value(json_object_get(p,
				    "name")), JI(q, "queue"), JI(q, "worker"),
				    JI(q, "cpu"), JI(q, "rx_packets"),
				    JI(q, "rx_bytes"), JI(q, "hw_rx_packets"),
				    JI(q, "hw_rx_bytes"),
				    JI(q, "hw_rx_dropped"));
		}
		/* TX queues, of the ports several workers send to */
		json_array_foreach(ports, k, p) {
			json_t *qs = json_object_get(p, "tx_queues"), *q;
			size_t j;

			if (json_array_size(qs) < 2)
				continue;
			json_array_foreach(qs, j, q)
				fprintf(out, "tx_queue port %s queue %lld "
				    "worker %lld cpu %lld tx %lld pkts %lld "
				    "bytes tx_full %lld hw_tx %lld pkts %lld "
				    "bytes\n",
				    json_string_value(json_object_get(p,
				    "name")), JI(q, "queue"), JI(q, "worker"),
				    JI(q, "cpu"), JI(q, "tx_packets"),
				    JI(q, "tx_bytes"), JI(q, "tx_full"),
				    JI(q, "hw_tx_packets"),
				    JI(q, "hw_tx_bytes"));
		}
		json_array_foreach(workers, k, p)
			fprintf(out, "worker %lld cpu %lld poll %s busy %.1f%% "
			    "sleep %.1f%%\n", JI(p, "id"), JI(p, "cpu"),
			    json_string_value(json_object_get(p, "poll")),
			    100 * json_real_value(json_object_get(p, "busy")),
			    100 * json_real_value(json_object_get(p,
			    "sleep")));
		json_array_foreach(caps, k, p)
			fprintf(out, "capture %s port %s samples %lld written "
			    "%lld dropped_ring %lld dropped_disk %lld file %s\n",
			    json_string_value(json_object_get(p, "name")),
			    json_string_value(json_object_get(p, "port")),
			    JI(p, "samples"), JI(p, "written"),
			    JI(p, "dropped_ring"), JI(p, "dropped_disk"),
			    json_string_value(json_object_get(p, "file")));
#undef JI
	}
	json_decref(o);
	return 0;
}

struct ctl_bridge_walk {
	const struct conf *c;
	json_t		*list;
	FILE		*text;
	int		 n;
};

static void
ctl_bridge_entry(void *arg, const uint8_t mac[6], uint16_t vlan, int port,
    uint32_t age_s, int is_static)
{
	struct ctl_bridge_walk *bw = arg;
	char m[18];

	if (bw->n++ >= CTL_BRIDGE_MAX)
		return;
	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
	    mac[1], mac[2], mac[3], mac[4], mac[5]);
	json_array_append_new(bw->list, json_pack("{s:s, s:i, s:s, s:I, s:b}",
	    "mac", m, "vlan", vlan, "port", port >= 0 && port <
	    bw->c->nports ? bw->c->ports[port].name : "?",
	    "age", (json_int_t)age_s, "static", is_static));
}

static int
ctl_bridge(struct control *ctl, const struct control_req *r, FILE *out)
{
	struct bridge *br = pipe_bridge(ctl->d->pl);
	struct ctl_bridge_walk bw;
	struct bridge_stats bs;
	json_t *o, *e;
	size_t k;

	if (r->argc < 2 || strcmp(r->argv[1], "show") != 0 || (r->argc == 3 &&
	    strcmp(r->argv[2], "--json") != 0) || r->argc > 3) {
		fprintf(out, "usage: bridge show [--json]\n");
		return -1;
	}
	if (br == NULL) {
		fprintf(out, "no bridge is configured\n");
		return -1;
	}
	memset(&bw, 0, sizeof(bw));
	bw.c = ctl->d->conf;
	bw.list = json_array();
	bridge_dump(br, ctl_bridge_entry, &bw, bridge_now());
	bridge_stats(br, &bs);
	if (r->argc == 3) {
		o = json_pack("{s:i, s:I, s:I, s:I, s:I, s:o}",
		    "version", CONTROL_PROTOCOL,
		    "entries", (json_int_t)bs.entries,
		    "learned", (json_int_t)bs.learned,
		    "moved", (json_int_t)bs.moved,
		    "aged", (json_int_t)bs.aged, "table", bw.list);
		ctl_json_out(out, o);
		return 0;
	}
	fprintf(out, "%-17s %4s %-12s %6s %s\n", "MAC", "VLAN", "PORT", "AGE",
	    "STATIC");
	json_array_foreach(bw.list, k, e)
		fprintf(out, "%-17s %4lld %-12s %6lld %s\n",
		    json_string_value(json_object_get(e, "mac")),
		    (long long)json_integer_value(json_object_get(e, "vlan")),
		    json_string_value(json_object_get(e, "port")),
		    (long long)json_integer_value(json_object_get(e, "age")),
		    json_is_true(json_object_get(e, "static")) ? "yes" : "no");
	if (bw.n > CTL_BRIDGE_MAX)
		fprintf(out, "... and %d more\n", bw.n - CTL_BRIDGE_MAX);
	json_decref(bw.list);
	return 0;
}

/* The line in the file of port's rule k (0 if not known). */
static int
ctl_rule_line(const struct conf *c, int port, int k)
{
	int i;

	for (i = 0; i < c->nforwards; i++)
		if (c->forwards[i].from == port)
			return k < c->forwards[i].nrules &&
			    c->forwards[i].rule_line != NULL ?
			    c->forwards[i].rule_line[k] : 0;
	for (i = 0; c->bridge.enabled && i < c->bridge.nports; i++)
		if (c->bridge.ports[i] == port)
			return k < c->bridge.nrules &&
			    c->bridge.rule_line != NULL ?
			    c->bridge.rule_line[k] : 0;
	return 0;
}

static int
ctl_rules(struct control *ctl, const struct control_req *r, FILE *out)
{
	struct pipeline *pl = ctl->d->pl;
	const struct conf *c = ctl->d->conf;
	uint64_t hits[CONF_RULES_MAX + 1];
	json_t *list = json_array(), *o;
	int i, k, n, json = ctl_has_flag(r, 1, "--json");

	if (r->argc > 2 || (r->argc == 2 && !json)) {
		fprintf(out, "usage: rules [--json]\n");
		json_decref(list);
		return -1;
	}
	for (i = 0; i < pipe_nports(pl); i++) {
		if ((n = pipe_rule_hits(pl, i, hits, CONF_RULES_MAX + 1)) < 0)
			continue;
		for (k = 0; k <= n; k++) {
			o = json_pack("{s:s, s:i, s:i, s:I}",
			    "port", c->ports[i].name, "rule", k + 1,
			    "line", k < n ? ctl_rule_line(c, i, k) : 0,
			    "hits", (json_int_t)hits[k]);
			if (k == n)
				json_object_set_new(o, "rule",
				    json_string("default"));
			json_array_append_new(list, o);
			if (json)
				continue;
			if (k < n)
				fprintf(out, "port %s rule %d line %d hits "
				    "%llu\n", c->ports[i].name, k + 1,
				    ctl_rule_line(c, i, k),
				    (unsigned long long)hits[k]);
			else
				fprintf(out, "port %s rule default hits %llu\n",
				    c->ports[i].name,
				    (unsigned long long)hits[k]);
		}
	}
	if (json)
		ctl_json_out(out, json_pack("{s:i, s:o}", "version",
		    CONTROL_PROTOCOL, "rules", list));
	else
		json_decref(list);
	return 0;
}

static int
ctl_version(struct control *ctl, const struct control_req *r, FILE *out)
{
	(void)ctl;
	(void)r;
	fprintf(out, "ixfwd %s\nprotocol %d\n", IXFWD_VERSION,
	    CONTROL_PROTOCOL);
	return 0;
}

static int
ctl_reload(struct control *ctl, const struct control_req *r, FILE *out)
{
	(void)r;
	return daemon_reload(ctl->d, out) == 0 ? 0 : -1;
}

static int
ctl_dump(struct control *ctl, const struct control_req *r, FILE *out)
{
	struct capture_set *cs = pipe_captures(ctl->d->pl);
	int i, n;

	if (r->argc != 2) {
		fprintf(out, "usage: dump NAME\n");
		return -1;
	}
	if ((i = capture_find(cs, r->argv[1])) == -1) {
		fprintf(out, "unknown capture %s\n", r->argv[1]);
		return -1;
	}
	if (capture_get_conf(cs, i)->recorder == 0) {
		fprintf(out, "capture %s has no flight recorder\n", r->argv[1]);
		return -1;
	}
	if ((n = capture_dump_recorder(cs, r->argv[1])) < 1) {
		fprintf(out, "capture %s: the flight recorder could not be "
		    "written (see the log)\n", r->argv[1]);
		return -1;
	}
	fprintf(out, "capture %s: flight recorder written\n", r->argv[1]);
	return 0;
}

/* capture start|stop NAME: a capture of the configuration. */
static int
ctl_capture_conf(struct control *ctl, const struct control_req *r,
    FILE *out)
{
	struct capture_set *cs = pipe_captures(ctl->d->pl);
	const struct conf *c = ctl->d->conf;
	const char *name = r->argv[2];
	char err[512];
	int i;

	for (i = 0; i < c->ncaptures; i++)
		if (strcmp(c->captures[i].name, name) == 0)
			break;
	if (i == c->ncaptures) {
		fprintf(out, "unknown capture %s (not in %s)\n", name,
		    ctl->d->conf_path);
		return -1;
	}
	if (strcmp(r->argv[1], "stop") == 0) {
		if (capture_detach(cs, name) == -1) {
			fprintf(out, "capture %s is not running\n", name);
			return -1;
		}
		log_info("capture %s: stopped (control socket)", name);
		fprintf(out, "capture %s stopped\n", name);
		return 0;
	}
	if (capture_find(cs, name) != -1) {
		fprintf(out, "capture %s is running already\n", name);
		return -1;
	}
	if (capture_attach(cs, &c->captures[i], err, sizeof(err)) == -1) {
		fprintf(out, "capture %s: %s\n", name, err);
		return -1;
	}
	log_info("capture %s: started (control socket)", name);
	fprintf(out, "capture %s started\n", name);
	return 0;
}

typedef int (*ctl_handler)(struct control *, const struct control_req *,
    FILE *);

static const struct {
	const char	*name;
	ctl_handler	 fn;
} ctl_commands[] = {
	{ "stats", ctl_stats },
	{ "bridge", ctl_bridge },
	{ "rules", ctl_rules },
	{ "version", ctl_version },
	{ "reload", ctl_reload },
	{ "dump", ctl_dump },
};

/*
 * Clients.
 */

static void
ctl_conn_close(struct control *ctl, struct ctl_conn *cn)
{
	if (cn->live[0] != '\0') {
		struct capture_set *cs = pipe_captures(ctl->d->pl);
		int i = capture_find(cs, cn->live);
		struct capture_stats st;

		if (i != -1) {
			capture_stats(cs, i, &st);
			log_info("capture %s: %llu written, %llu not kept "
			    "(ring full), client gone", cn->live,
			    (unsigned long long)st.written,
			    (unsigned long long)st.ring_full);
			capture_detach(cs, cn->live);
		}
		ctl->nlive--;
	}
	close(cn->fd);
	free(cn->out);
	memset(cn, 0, sizeof(*cn));
	cn->fd = -1;
}

/* Queue n bytes for the client; -1 if it would take more memory than an
 * answer may. */
int
ctl_queue(struct ctl_conn *cn, const void *p, size_t n)
{
	size_t need = cn->outlen + n;
	char *o;

	if (need > CTL_OUT_MAX)
		return -1;
	if (need > cn->outcap) {
		size_t cap = cn->outcap ? cn->outcap : 4096;

		while (cap < need)
			cap *= 2;
		if ((o = realloc(cn->out, cap)) == NULL)
			return -1;
		cn->out = o;
		cn->outcap = cap;
	}
	memcpy(cn->out + cn->outlen, p, n);
	cn->outlen += n;
	return 0;
}

void
ctl_answer(struct ctl_conn *cn, int ok, const char *body, size_t len)
{
	char head[64];
	int n;

	n = snprintf(head, sizeof(head), "ixfwd/%d %s %zu\n",
	    CONTROL_PROTOCOL, ok ? "ok" : "error", len);
	if (ctl_queue(cn, head, (size_t)n) == -1 ||
	    ctl_queue(cn, body, len) == -1) {
		static const char big[] = "answer too large\n";

		cn->outlen = cn->outoff = 0;
		n = snprintf(head, sizeof(head), "ixfwd/%d error %zu\n",
		    CONTROL_PROTOCOL, sizeof(big) - 1);
		ctl_queue(cn, head, (size_t)n);
		ctl_queue(cn, big, sizeof(big) - 1);
	}
}

void
ctl_answerf(struct ctl_conn *cn, int ok, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	ctl_answer(cn, ok, buf, (size_t)n);
}

static void
ctl_request(struct control *ctl, struct ctl_conn *cn, const char *line,
    size_t len)
{
	struct control_req *r = &ctl->req;
	char err[256], *body = NULL;
	size_t blen = 0, i;
	FILE *f;
	int ok;

	if (control_parse(line, len, r, err, sizeof(err)) == -1) {
		ctl_answerf(cn, 0, "%s\n", err);
		return;
	}
	if (strcmp(r->argv[0], "capture") == 0 && r->argc == 3 &&
	    (strcmp(r->argv[1], "start") == 0 ||
	    strcmp(r->argv[1], "stop") == 0) &&
	    conf_port_index(ctl->d->conf, r->argv[1]) == -1) {
		if ((f = open_memstream(&body, &blen)) == NULL) {
			ctl_answerf(cn, 0, "%s\n", strerror(errno));
			return;
		}
		ok = ctl_capture_conf(ctl, r, f) == 0;
		fclose(f);
		ctl_answer(cn, ok, body, blen);
		free(body);
		return;
	}
	if (strcmp(r->argv[0], "capture") == 0) {
		ctl_live_start(ctl, cn, r);
		return;
	}
	for (i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++)
		if (strcmp(r->argv[0], ctl_commands[i].name) == 0)
			break;
	if (i == sizeof(ctl_commands) / sizeof(ctl_commands[0])) {
		ctl_answerf(cn, 0, "unknown command %.64s (commands: stats, "
		    "bridge show, rules, capture, dump, reload, version)\n",
		    r->argv[0]);
		return;
	}
	if ((f = open_memstream(&body, &blen)) == NULL) {
		ctl_answerf(cn, 0, "%s\n", strerror(errno));
		return;
	}
	ok = ctl_commands[i].fn(ctl, r, f) == 0;
	fclose(f);
	ctl_answer(cn, ok, body, blen);
	free(body);
}

/* Write what the socket takes; 0, or -1 when the client is gone. */
static int
ctl_flush(struct ctl_conn *cn)
{
	ssize_t n;

	while (cn->outoff < cn->outlen) {
		n = send(cn->fd, cn->out + cn->outoff, cn->outlen - cn->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		cn->outoff += (size_t)n;
		cn->last_ms = ctl_mono_ms();
	}
	cn->outoff = cn->outlen = 0;
	return 0;
}

/* Read and answer whole lines; -1 when the client is to be closed. */
static int
ctl_read(struct control *ctl, struct ctl_conn *cn)
{
	char *nl;
	ssize_t n;

	n = recv(cn->fd, cn->in + cn->inlen, sizeof(cn->in) - cn->inlen,
	    MSG_DONTWAIT);
	if (n == 0 && cn->live[0] != '\0') {
		/* ixfwdctl interrupted: detach, say "end", then close */
		ctl_live_end(ctl, cn);
		return 0;
	}
	if (n == 0)
		return -1;
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR ? 0 : -1;
	cn->inlen += (size_t)n;
	cn->last_ms = ctl_mono_ms();
	if (cn->live[0] != '\0') {
		/* a live capture's client has nothing more to say */
		cn->inlen = 0;
		return 0;
	}
	while (cn->outlen == 0 && cn->live[0] == '\0' &&
	    (nl = memchr(cn->in, '\n', cn->inlen)) != NULL) {
		size_t len = (size_t)(nl - cn->in) + 1;

		ctl_request(ctl, cn, cn->in, len);
		memmove(cn->in, cn->in + len, cn->inlen - len);
		cn->inlen -= len;
	}
	if (cn->inlen == sizeof(cn->in)) {
		ctl_answerf(cn, 0, "request longer than %d bytes\n",
		    CONTROL_LINE_MAX - 1);
		cn->closing = 1;
	}
	return 0;
}

/*
 * Whether the peer on fd may use the socket: uid 0, ixfwd's own uid, or
 * its group as the primary or a supplementary group.  The groups are the
 * peer's own at connect time (SO_PEERGROUPS); a kernel without it (before
 * 4.13) gets the groups of the peer's user from the group database.
 */
static int
ctl_peer_ok(const struct control *ctl, int fd, struct ucred *uc)
{
	gid_t groups[256], want = ctl->d->user.gid;
	socklen_t len = sizeof(*uc);
	struct passwd *pw;
	int i, n;

	memset(uc, 0, sizeof(*uc));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len) == -1) {
		log_warn("control socket: SO_PEERCRED");
		return 0;
	}
	if (uc->uid == 0 || uc->uid == geteuid() ||
	    uc->uid == ctl->d->user.uid || uc->gid == want)
		return 1;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		n = (int)(len / sizeof(groups[0]));
	else if (errno == ENOPROTOOPT && (pw = getpwuid(uc->uid)) != NULL) {
		n = (int)(sizeof(groups) / sizeof(groups[0]));
		if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) == -1)
			n = 0;
	} else
		n = 0;	/* too many groups to tell: not served */
	for (i = 0; i < n; i++)
		if (groups[i] == want)
			return 1;
	return 0;
}

/* One error line to a peer that is not served, and close it. */
static void
ctl_refuse(struct control *ctl, int fd, const struct ucred *uc)
{
	char msg[256], body[160], more[64] = "";
	uint64_t now = ctl_mono_ms();
	int n;

	/* at most one line a second, whoever knocks; logged before the
	 * answer, so that the line is there once the peer has its answer */
	if (ctl->refused_ms != 0 && now - ctl->refused_ms < 1000)
		ctl->refused_quiet++;
	else {
		if (ctl->refused_quiet > 0)
			snprintf(more, sizeof(more), " (and %u more since "
			    "the last line)", ctl->refused_quiet);
		log_warnx("control socket: refused pid %d uid %u gid %u: not "
		    "root, ixfwd's user or in group %u%s", (int)uc->pid,
		    (unsigned)uc->uid, (unsigned)uc->gid,
		    (unsigned)ctl->d->user.gid, more);
		ctl->refused_ms = now;
		ctl->refused_quiet = 0;
	}
	n = snprintf(body, sizeof(body), "permission denied: uid %u is not "
	    "root, ixfwd's user or in group %u\n", (unsigned)uc->uid,
	    (unsigned)ctl->d->user.gid);
	n = snprintf(msg, sizeof(msg), "ixfwd/%d error %d\n%s",
	    CONTROL_PROTOCOL, n, body);
	/* best effort: the socket is new, it has room */
	if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_debug("control socket: refused: %s", strerror(errno));
	close(fd);
}

static void
ctl_accept(struct control *ctl)
{
	struct ucred uc;
	struct ctl_conn *cn = NULL;
	int fd, i;

	for (;;) {
		if ((fd = accept4(ctl->lfd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn("control socket: accept");
			return;
		}
		if (!ctl_peer_ok(ctl, fd, &uc)) {
			ctl_refuse(ctl, fd, &uc);
			continue;
		}
		for (i = 0, cn = NULL; i < CONTROL_CLIENTS_MAX; i++)
			if (ctl->conns[i].fd == -1) {
				cn = &ctl->conns[i];
				break;
			}
		if (cn == NULL) {
			char busy[128], body[64];
			int n = snprintf(body, sizeof(body), "busy: %d "
			    "clients already\n", CONTROL_CLIENTS_MAX);

			n = snprintf(busy, sizeof(busy), "ixfwd/%d error "
			    "%d\n%s", CONTROL_PROTOCOL, n, body);

			/* best effort: the socket is new, it has room */
			if (send(fd, busy, (size_t)n, MSG_NOSIGNAL |
			    MSG_DONTWAIT) == -1)
				log_debug("control socket: busy: %s",
				    strerror(errno));
			close(fd);
			continue;
		}
		memset(cn, 0, sizeof(*cn));
		cn->fd = fd;
		cn->last_ms = ctl_mono_ms();
	}
}

int
control_pollfds(struct control *ctl, struct pollfd *fds, int max)
{
	int i, n = 0;

	if (ctl == NULL)
		return 0;
	if (n < max) {
		fds[n].fd = ctl->lfd;
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
	}
	n += ctl_metrics_pollfds(ctl, fds + n, max - n);
	for (i = 0; i < CONTROL_CLIENTS_MAX && n < max; i++) {
		struct ctl_conn *cn = &ctl->conns[i];

		if (cn->fd == -1)
			continue;
		fds[n].fd = cn->fd;
		fds[n].events = 0;
		if (cn->outlen == 0 || cn->live[0] != '\0')
			fds[n].events |= POLLIN;
		if (cn->outlen > 0)
			fds[n].events |= POLLOUT;
		fds[n++].revents = 0;
	}
	return n;
}

int
control_timeout_ms(const struct control *ctl)
{
	if (ctl == NULL)
		return 1000;
	/* a live capture's stream moves every 10 ms */
	return ctl->nlive > 0 ? 10 : 1000;
}

static struct ctl_conn *
ctl_conn_of(struct control *ctl, int fd)
{
	int i;

	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl->conns[i].fd == fd)
			return &ctl->conns[i];
	return NULL;
}

void
control_dispatch(struct control *ctl, const struct pollfd *fds, int n)
{
	uint64_t now;
	int i;

	if (ctl == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct ctl_conn *cn;

		if (fds[i].revents == 0)
			continue;
		if (fds[i].fd == ctl->lfd) {
			ctl_accept(ctl);
			continue;
		}
		if ((cn = ctl_conn_of(ctl, fds[i].fd)) == NULL)
			continue;
		if ((fds[i].revents & POLLIN) && ctl_read(ctl, cn) == -1) {
			ctl_conn_close(ctl, cn);
			continue;
		}
		if ((fds[i].revents & (POLLERR | POLLNVAL)) ||
		    ((fds[i].revents & POLLHUP) && !(fds[i].revents & POLLIN))) {
			ctl_conn_close(ctl, cn);
			continue;
		}
	}
	ctl_metrics_run(ctl);
	now = ctl_mono_ms();
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		struct ctl_conn *cn = &ctl->conns[i];

		if (cn->fd == -1)
			continue;
		if (cn->live[0] != '\0' && ctl_live_pump(ctl, cn) == -1) {
			ctl_conn_close(ctl, cn);
			continue;
		}
		if (cn->outlen > 0 && ctl_flush(cn) == -1) {
			ctl_conn_close(ctl, cn);
			continue;
		}
		if (cn->outlen == 0 && cn->closing) {
			ctl_conn_close(ctl, cn);
			continue;
		}
		/* a live capture's client may be silent; the others may
		 * not hang on to a connection doing nothing */
		/* last_ms may be later than now: it moved while flushing */
		if ((cn->live[0] == '\0' || cn->outlen > 0) &&
		    now > cn->last_ms &&
		    now - cn->last_ms > CONTROL_IDLE_S * 1000ULL) {
			log_debug("control socket: idle client closed");
			ctl_conn_close(ctl, cn);
		}
	}
}

/*
 * The socket.
 */

/* Is something answering at path? */
static int
ctl_alive(const struct sockaddr_un *sun)
{
	int fd, r;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return r;
}

static int
ctl_listen(struct control *ctl, const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	char dir[PATH_MAX], *slash;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path too long", path);
		return -1;
	}
	strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		/* /run/ixfwd: made here when nothing made it before, and
		 * given to the user ixfwd drops to, so that it can remove
		 * the socket at the end */
		if (mkdir(dir, 0755) == 0) {
			if (chown(dir, ctl->d->user.uid, ctl->d->user.gid) == -1)
				log_warn("control socket: %s", dir);
		} else if (errno != EEXIST) {
			log_warn("control socket: %s", dir);
			return -1;
		}
	}
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			log_warnx("control socket %s: exists and is not a "
			    "socket", path);
			return -1;
		}
		if (ctl_alive(&sun)) {
			log_warnx("control socket %s: another ixfwd answers "
			    "there", path);
			return -1;
		}
		unlink(path);	/* left by a daemon that died */
	}
	if ((ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("control socket");
		return -1;
	}
	old = umask(0117);
	if (bind(ctl->lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("control socket %s", path);
		goto fail;
	}
	umask(old);
	/* root and the group of the user ixfwd runs as */
	if (chmod(path, 0660) == -1 || chown(path, ctl->d->user.uid,
	    ctl->d->user.gid) == -1)
		log_warn("control socket %s: mode", path);
	if (listen(ctl->lfd, 128) == -1) {
		log_warn("control socket %s: listen", path);
		unlink(path);
		goto fail;
	}
	if (stat(path, &sb) == 0) {
		ctl->dev = sb.st_dev;
		ctl->ino = sb.st_ino;
	}
	strlcpy(ctl->path, path, sizeof(ctl->path));
	return 0;
fail:
	close(ctl->lfd);
	ctl->lfd = -1;
	return -1;
}

struct control *
control_open(struct daemon *d, const char *path, const char *listen)
{
	struct control *ctl;
	int i;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		log_warn("control socket");
		return NULL;
	}
	ctl->d = d;
	ctl->lfd = -1;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		ctl->conns[i].fd = -1;
	ctl->tsc_hz = ctl_tsc_hz();
	if (ctl_listen(ctl, path) == -1) {
		free(ctl);
		return NULL;
	}
	if (listen != NULL && listen[0] != '\0' &&
	    ctl_metrics_open(ctl, listen) == -1)
		log_warnx("metrics: not served");
	ctl_snap(ctl, &ctl->cur);
	log_info("control socket %s%s%s", ctl->path,
	    ctl->mhd != NULL ? ", metrics on http://" : "",
	    ctl->mhd != NULL ? listen : "");
	return ctl;
}

void
control_close(struct control *ctl)
{
	struct stat sb;
	int i;

	if (ctl == NULL)
		return;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl->conns[i].fd != -1) {
			struct ctl_conn *cn = &ctl->conns[i];

			if (cn->live[0] != '\0')
				ctl_live_end(ctl, cn);
			ctl_flush(cn);
			ctl_conn_close(ctl, cn);
		}
	ctl_metrics_close(ctl);
	if (ctl->lfd != -1) {
		close(ctl->lfd);
		/* only ours: another daemon may have taken the path since */
		if (stat(ctl->path, &sb) == 0 && sb.st_dev == ctl->dev &&
		    sb.st_ino == ctl->ino)
			unlink(ctl->path);
	}
	free(ctl);
}
