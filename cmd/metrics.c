/*
 * metrics.c: GET /metrics in Prometheus' text exposition format (0.0.4).
 *
 * HTTP is libmicrohttpd's, driven from the main thread: the daemon runs
 * in its external mode with epoll, main() polls the one epoll fd with the
 * control socket's and MHD_run() answers, so the counters are read on
 * the same thread as every other control request (the NIC's
 * clear-on-read statistics must not be read from two threads) and a
 * scrape never touches a worker.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "bridge.h"
#include "control_priv.h"
#include "daemon.h"
#include "log.h"

#define U(x)	((unsigned long long)(x))

static void
mx_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, quote and newline escaped. */
static void
mx_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

/* Each RX queue of each port: what its worker took from it and what the
 * NIC counted into it, labelled with the port and the queue. */
static void
mx_queues(FILE *f, struct pipeline *pl, const struct pipe_port_report *r)
{
	static const struct {
		const char	*name;
		const char	*help;
		size_t		 off;
	} m[] = {
#define Q(n, field, h) { n, h, offsetof(struct pipe_queue_report, field) }
		Q("ixfwd_port_queue_rx_packets_total", rx_packets,
		    "Packets a worker received from the RX queue."),
		Q("ixfwd_port_queue_rx_bytes_total", rx_bytes,
		    "Bytes a worker received from the RX queue."),
		Q("ixfwd_port_queue_hw_rx_packets_total", hw.rx_packets,
		    "Packets the NIC counted into the RX queue."),
		Q("ixfwd_port_queue_hw_rx_dropped_total", hw.rx_dropped,
		    "Packets the NIC dropped: the RX queue had no descriptor."),
#undef Q
	};
	static struct pipe_queue_report qr[CONF_PORTS_MAX][CONF_QUEUES_MAX];
	size_t k;
	int i, q;

	for (i = 0; i < pipe_nports(pl); i++)
		for (q = 0; q < pipe_port_queues(pl, i); q++)
			pipe_queue_report(pl, i, q, &qr[i][q]);
	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		mx_head(f, m[k].name, "counter", m[k].help);
		for (i = 0; i < pipe_nports(pl); i++)
			for (q = 0; q < pipe_port_queues(pl, i); q++) {
				fprintf(f, "%s{port=\"", m[k].name);
				mx_label(f, r[i].name);
				fprintf(f, "\",queue=\"%d\"} %llu\n", q,
				    U(*(const uint64_t *)((const char *)
				    &qr[i][q] + m[k].off)));
			}
	}
}

/* Each TX queue of each port: what the worker sending on it put in it
 * and lost to a full ring, and what the NIC sent from it, labelled with
 * the port, the queue and that worker (-1: none sends on it). */
static void
mx_tx_queues(FILE *f, struct pipeline *pl,
    const struct pipe_port_report *r)
{
	static const struct {
		const char	*name;
		const char	*help;
		size_t		 off;
	} m[] = {
#define Q(n, field, h) { n, h, offsetof(struct pipe_txq_report, field) }
		Q("ixfwd_port_txq_tx_packets_total", tx_packets,
		    "Packets the worker sending on the TX queue put in it."),
		Q("ixfwd_port_txq_tx_bytes_total", tx_bytes,
		    "Bytes the worker sending on the TX queue put in it."),
		Q("ixfwd_port_txq_tx_full_total", tx_full,
		    "Packets dropped: the TX queue was full."),
		Q("ixfwd_port_txq_hw_tx_packets_total", hw_tx_packets,
		    "Packets the NIC counted sent from the TX queue."),
		Q("ixfwd_port_txq_hw_tx_bytes_total", hw_tx_bytes,
		    "Bytes the NIC counted sent from the TX queue."),
#undef Q
	};
	static struct pipe_txq_report tr[CONF_PORTS_MAX][PIPE_WORKERS_MAX];
	size_t k;
	int i, q;

	for (i = 0; i < pipe_nports(pl); i++)
		for (q = 0; q < pipe_port_tx_queues(pl, i) &&
		    q < PIPE_WORKERS_MAX; q++)
			pipe_txq_report(pl, i, q, &tr[i][q]);
	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		mx_head(f, m[k].name, "counter", m[k].help);
		for (i = 0; i < pipe_nports(pl); i++)
			for (q = 0; q < pipe_port_tx_queues(pl, i) &&
			    q < PIPE_WORKERS_MAX; q++) {
				fprintf(f, "%s{port=\"", m[k].name);
				mx_label(f, r[i].name);
				fprintf(f, "\",queue=\"%d\",worker=\"%d\"} "
				    "%llu\n", q, tr[i][q].worker,
				    U(*(const uint64_t *)((const char *)
				    &tr[i][q] + m[k].off)));
			}
	}
}

static void
mx_port_counter(FILE *f, struct pipeline *pl,
    const struct pipe_port_report *r, const char *name, const char *help,
    size_t off)
{
	int i;

	mx_head(f, name, "counter", help);
	for (i = 0; i < pipe_nports(pl); i++) {
		fprintf(f, "%s{port=\"", name);
		mx_label(f, r[i].name);
		fprintf(f, "\"} %llu\n",
		    U(*(const uint64_t *)((const char *)&r[i] + off)));
	}
}

/* One family of capture counters: what 0 samples, 1 written, 2 the
 * drops by reason. */
static void
mx_capture(FILE *f, struct capture_set *cs, const char *name,
    const char *help, int what)
{
	static const char *why[] = { "ring_full", "disk", "rate_limited" };
	struct capture_stats st;
	uint64_t v[3];
	int i, j;

	mx_head(f, name, "counter", help);
	for (i = 0; i < capture_count(cs); i++) {
		capture_stats(cs, i, &st);
		v[0] = what == 0 ? st.sampled : what == 1 ? st.written :
		    st.ring_full;
		v[1] = st.write_failed;
		v[2] = st.rate_limited;
		for (j = 0; j < (what == 2 ? 3 : 1); j++) {
			fprintf(f, "%s{capture=\"", name);
			mx_label(f, capture_name(cs, i));
			if (what == 2)
				fprintf(f, "\",reason=\"%s", why[j]);
			fprintf(f, "\"} %llu\n", U(v[j]));
		}
	}
}

static void
mx_write(struct control *ctl, FILE *f)
{
	static const struct {
		const char	*reason;
		size_t		 off;
	} drops[] = {
#define D(r, field) { r, offsetof(struct pipe_port_report, sw.field) }
		D("no_route", drop_no_route),
		D("tx_full", drop_tx_full),
		D("no_buffer", drop_no_buffer),
		D("filtered", drop_filtered),
		D("malformed", drop_malformed),
		D("local", drop_local),
		D("too_big", drop_too_big),
#undef D
		{ "hw_missed", offsetof(struct pipe_port_report, hw.rx_missed) },
		{ "hw_errors", offsetof(struct pipe_port_report, hw.rx_errors) },
		{ "port_failed", offsetof(struct pipe_port_report,
		    sw.drop_port_failed) },
		{ "tx_reset", offsetof(struct pipe_port_report,
		    sw.drop_tx_reset) },
		{ "hw_crc", offsetof(struct pipe_port_report, hw.rx_crc_errors) },
		{ "hw_length", offsetof(struct pipe_port_report,
		    hw.rx_length_errors) },
		{ "hw_undersize", offsetof(struct pipe_port_report,
		    hw.rx_undersize) },
		{ "hw_oversize", offsetof(struct pipe_port_report,
		    hw.rx_oversize) },
		{ "driver_nobuf", offsetof(struct pipe_port_report,
		    hw.rx_nobuf) },
		{ "driver_bad", offsetof(struct pipe_port_report,
		    hw.rx_dropped) },
		{ "driver_too_long", offsetof(struct pipe_port_report,
		    hw.tx_dropped) },
	};
	struct pipeline *pl = ctl->d->pl;
	struct capture_set *cs = pipe_captures(pl);
	struct pipe_port_report r[CONF_PORTS_MAX];
	uint64_t hits[CONF_RULES_MAX + 1];
	struct timespec now;
	size_t k;
	int i, j, n;

	for (i = 0; i < pipe_nports(pl); i++)
		pipe_report(pl, i, &r[i]);
	mx_head(f, "ixfwd_build_info", "gauge",
	    "Version of the running ixfwd; always 1.");
	fprintf(f, "ixfwd_build_info{version=\"%s\"} 1\n", IXFWD_VERSION);
	clock_gettime(CLOCK_MONOTONIC, &now);
	mx_head(f, "ixfwd_uptime_seconds", "gauge",
	    "Seconds since ixfwd started forwarding.");
	fprintf(f, "ixfwd_uptime_seconds %lld\n",
	    (long long)(now.tv_sec - ctl->d->started.tv_sec));

#define PC(name, field, help) mx_port_counter(f, pl, r, name, help, \
	offsetof(struct pipe_port_report, field))
	PC("ixfwd_port_rx_packets_total", sw.rx_packets,
	    "Packets received on the port.");
	PC("ixfwd_port_rx_bytes_total", sw.rx_bytes,
	    "Bytes received on the port.");
	PC("ixfwd_port_tx_packets_total", sw.tx_packets,
	    "Packets the port's TX rings took.");
	PC("ixfwd_port_tx_bytes_total", sw.tx_bytes,
	    "Bytes the port's TX rings took.");
	PC("ixfwd_port_flooded_total", sw.flooded,
	    "Bridge: packets received here and sent to every other port.");
	PC("ixfwd_port_hw_rx_packets_total", hw.rx_packets,
	    "Good packets the NIC counted received.");
	PC("ixfwd_port_hw_tx_packets_total", hw.tx_packets,
	    "Good packets the NIC counted sent.");
	PC("ixfwd_port_link_changes_total", link_changes,
	    "Times the port's link went up or down since start.");
	PC("ixfwd_port_tx_queue_resets_total", tx_queue_resets,
	    "TX queues of the port found stuck and reset.");
	PC("ixfwd_port_tx_queue_reset_timeouts_total", tx_queue_reset_timeouts,
	    "TX queue resets of the port not done within 1 s (logged).");
#undef PC
	mx_head(f, "ixfwd_port_drops_total", "counter",
	    "Packets dropped, by reason.");
	for (i = 0; i < pipe_nports(pl); i++)
		for (k = 0; k < sizeof(drops) / sizeof(drops[0]); k++) {
			fprintf(f, "ixfwd_port_drops_total{port=\"");
			mx_label(f, r[i].name);
			fprintf(f, "\",reason=\"%s\"} %llu\n", drops[k].reason,
			    U(*(const uint64_t *)((const char *)&r[i] +
			    drops[k].off)));
		}
	mx_head(f, "ixfwd_port_link_up", "gauge",
	    "1 when the port's link is up.");
	for (i = 0; i < pipe_nports(pl); i++) {
		fprintf(f, "ixfwd_port_link_up{port=\"");
		mx_label(f, r[i].name);
		fprintf(f, "\"} %d\n", r[i].link.up ? 1 : 0);
	}
	mx_head(f, "ixfwd_port_link_speed_mbps", "gauge",
	    "The link's speed, 0 when down.");
	for (i = 0; i < pipe_nports(pl); i++) {
		fprintf(f, "ixfwd_port_link_speed_mbps{port=\"");
		mx_label(f, r[i].name);
		fprintf(f, "\"} %u\n", r[i].link.up ? r[i].link.speed_mbps : 0);
	}

	mx_queues(f, pl, r);
	mx_tx_queues(f, pl, r);

	mx_head(f, "ixfwd_worker_busy_ratio", "gauge",
	    "Share of the last second a worker spent moving packets.");
	for (i = 0; i < pipe_nworkers(pl); i++)
		fprintf(f, "ixfwd_worker_busy_ratio{worker=\"%d\",cpu=\"%d\"} "
		    "%.4f\n", i, pipe_worker_cpu(pl, i),
		    ctl_worker_busy(ctl, i));

	mx_head(f, "ixfwd_worker_sleep_seconds_total", "counter",
	    "Time a worker slept for want of packets (poll: adaptive).");
	for (i = 0; i < pipe_nworkers(pl); i++) {
		struct pipe_worker_counters wc;

		pipe_worker_report(pl, i, &wc);
		fprintf(f, "ixfwd_worker_sleep_seconds_total{worker=\"%d\","
		    "cpu=\"%d\"} %.6f\n", i, pipe_worker_cpu(pl, i),
		    (double)wc.sleep_ns / 1e9);
	}

	mx_capture(f, cs, "ixfwd_capture_samples_total",
	    "Packets a capture picked.", 0);
	mx_capture(f, cs, "ixfwd_capture_written_total",
	    "Samples a capture wrote out.", 1);
	mx_capture(f, cs, "ixfwd_capture_dropped_total",
	    "Samples a capture could not keep, by reason.", 2);

	mx_head(f, "ixfwd_rule_hits_total", "counter",
	    "Packets a rule of a port's rule list decided.");
	for (i = 0; i < pipe_nports(pl); i++) {
		if ((n = pipe_rule_hits(pl, i, hits, CONF_RULES_MAX + 1)) < 0)
			continue;
		for (j = 0; j <= n; j++) {
			fprintf(f, "ixfwd_rule_hits_total{port=\"");
			mx_label(f, r[i].name);
			if (j < n)
				fprintf(f, "\",rule=\"%d\"} %llu\n", j + 1,
				    U(hits[j]));
			else
				fprintf(f, "\",rule=\"default\"} %llu\n",
				    U(hits[j]));
		}
	}

	if (pipe_bridge(pl) != NULL) {
		struct bridge_stats bs;

		bridge_stats(pipe_bridge(pl), &bs);
		mx_head(f, "ixfwd_bridge_entries", "gauge",
		    "Stations in the bridge's MAC table.");
		fprintf(f, "ixfwd_bridge_entries %llu\n", U(bs.entries));
		mx_head(f, "ixfwd_bridge_learned_total", "counter",
		    "New stations the bridge learned.");
		fprintf(f, "ixfwd_bridge_learned_total %llu\n", U(bs.learned));
		mx_head(f, "ixfwd_bridge_moved_total", "counter",
		    "Known stations heard on another port.");
		fprintf(f, "ixfwd_bridge_moved_total %llu\n", U(bs.moved));
		mx_head(f, "ixfwd_bridge_aged_total", "counter",
		    "Stations aged out of the table.");
		fprintf(f, "ixfwd_bridge_aged_total %llu\n", U(bs.aged));
		mx_head(f, "ixfwd_bridge_refused_full_total", "counter",
		    "New stations not learned: the table was full.");
		fprintf(f, "ixfwd_bridge_refused_full_total %llu\n",
		    U(bs.refused_full));
	}
}

static enum MHD_Result
mx_answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
	struct control *ctl = cls;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	unsigned int status = MHD_HTTP_OK;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if ((f = open_memstream(&body, &len)) == NULL)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		fprintf(f, "only GET\n");
	} else if (strcmp(url, "/metrics") != 0) {
		status = MHD_HTTP_NOT_FOUND;
		fprintf(f, "not found: try /metrics\n");
	} else
		mx_write(ctl, f);
	fclose(f);
	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", status == MHD_HTTP_OK ?
	    "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

int
ctl_metrics_open(struct control *ctl, const char *listen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *info;
	char host[CONF_LISTEN_MAX];
	unsigned int flags = MHD_USE_EPOLL;
	int port;

	memset(&ss, 0, sizeof(ss));
	if (conf_parse_listen(listen, host, sizeof(host), &port) == -1) {
		log_warnx("metrics: bad listen address %s", listen);
		return -1;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		log_warnx("metrics: bad listen address %s", listen);
		return -1;
	}
	ctl->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
	    mx_answer, ctl, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
	    MHD_OPTION_END);
	if (ctl->mhd == NULL) {
		log_warnx("metrics: cannot listen on %s", listen);
		return -1;
	}
	if ((info = MHD_get_daemon_info(ctl->mhd,
	    MHD_DAEMON_INFO_EPOLL_FD)) == NULL) {
		log_warnx("metrics: no epoll descriptor");
		MHD_stop_daemon(ctl->mhd);
		ctl->mhd = NULL;
		return -1;
	}
	ctl->mhd_fd = info->epoll_fd;
	return 0;
}

int
ctl_metrics_pollfds(struct control *ctl, struct pollfd *fds, int max)
{
	if (ctl->mhd == NULL || max < 1)
		return 0;
	fds[0].fd = ctl->mhd_fd;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	return 1;
}

void
ctl_metrics_run(struct control *ctl)
{
	if (ctl->mhd != NULL)
		MHD_run(ctl->mhd);
}

void
ctl_metrics_close(struct control *ctl)
{
	if (ctl->mhd != NULL)
		MHD_stop_daemon(ctl->mhd);
	ctl->mhd = NULL;
}
