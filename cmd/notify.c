/*
 * notify.c: sd_notify without libsystemd, the watchdog and the status
 * line (see notify.h).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static struct sockaddr_un notify_sun;
static socklen_t notify_len;		/* 0: not under systemd */
static uint64_t	notify_wd_usec;		/* 0: no watchdog */
static uint64_t	notify_last_ping;	/* monotonic µs */
static uint64_t	notify_last_status;
static uint64_t	notify_loops[PIPE_WORKERS_MAX];	/* at the last ping */
static int	notify_stalled = -1;	/* worker logged as stalled */

/* Rates: the counters at the last status line. */
static uint64_t	notify_rx, notify_tx, notify_drops;

static uint64_t
notify_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *wd = getenv("WATCHDOG_USEC");
	const char *wpid = getenv("WATCHDOG_PID");

	if (path != NULL && (path[0] == '/' || path[0] == '@') &&
	    strlen(path) < sizeof(notify_sun.sun_path)) {
		memset(&notify_sun, 0, sizeof(notify_sun));
		notify_sun.sun_family = AF_UNIX;
		memcpy(notify_sun.sun_path, path, strlen(path));
		if (path[0] == '@')
			notify_sun.sun_path[0] = '\0';	/* abstract */
		notify_len = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + strlen(path));
	}
	if (wd != NULL && (wpid == NULL || strtol(wpid, NULL, 10) ==
	    (long)getpid()))
		notify_wd_usec = strtoull(wd, NULL, 10);
	if (notify_wd_usec > 0)
		log_info("systemd watchdog: every worker must make progress "
		    "within %" PRIu64 " ms", notify_wd_usec / 1000);
	notify_last_ping = notify_last_status = notify_now_usec();
}

int
notify_send(const char *state)
{
	int fd;

	if (notify_len == 0)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("sd_notify: socket");
		return -1;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_sun, notify_len) == -1) {
		log_warn("sd_notify %.*s", (int)strcspn(state, "\n"), state);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void
notify_reloading(void)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
	    notify_now_usec());
	notify_send(msg);
}

int
notify_interval_ms(void)
{
	int ms = 1000;

	if (notify_wd_usec > 0 && notify_wd_usec / 2000 < (uint64_t)ms)
		ms = (int)(notify_wd_usec / 2000);
	return ms > 0 ? ms : 1;
}

/* Every worker's loop counter moved since the last ping?  -1 if so,
 * else the first one that did not. */
static int
notify_stalled_worker(struct pipeline *pl, int update)
{
	struct pipe_worker_counters wc;
	uint64_t loops[PIPE_WORKERS_MAX];
	int w, stalled = -1;

	for (w = 0; w < pipe_nworkers(pl) && w < PIPE_WORKERS_MAX; w++) {
		pipe_worker_report(pl, w, &wc);
		loops[w] = wc.busy_loops + wc.idle_loops;
		if (loops[w] == notify_loops[w] && stalled == -1)
			stalled = w;
	}
	if (update)
		memcpy(notify_loops, loops, sizeof(loops));
	return stalled;
}

static void
notify_rate(char *buf, size_t len, double v, const char *unit)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2f G%s", v / 1e9, unit);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2f M%s", v / 1e6, unit);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k%s", v / 1e3, unit);
	else
		snprintf(buf, len, "%.0f %s", v, unit);
}

static void
notify_status(struct pipeline *pl, uint64_t now, char *status, size_t len)
{
	struct pipe_port_report r;
	uint64_t rx = 0, tx = 0, drops = 0;
	double secs = (double)(now - notify_last_status) / 1e6;
	char a[32], b[32], c[32];
	int i, up = 0;

	for (i = 0; i < pipe_nports(pl); i++) {
		pipe_report(pl, i, &r);
		rx += r.sw.rx_packets;
		tx += r.sw.tx_packets;
		drops += pipe_drops_total(&r.sw) + r.hw.rx_missed;
		up += r.link.up;
	}
	if (secs <= 0)
		secs = 1;
	notify_rate(a, sizeof(a), (double)(rx - notify_rx) / secs, "pps");
	notify_rate(b, sizeof(b), (double)(tx - notify_tx) / secs, "pps");
	notify_rate(c, sizeof(c), (double)(drops - notify_drops) / secs,
	    "pps");
	snprintf(status, len, "forwarding: %d/%d links up, rx %s, tx %s, "
	    "drops %s", up, pipe_nports(pl), a, b, c);
	notify_rx = rx;
	notify_tx = tx;
	notify_drops = drops;
}

int
notify_tick(struct pipeline *pl, char *status, size_t len)
{
	uint64_t now = notify_now_usec();
	int w, made = 0;

	if (notify_wd_usec > 0 &&
	    now - notify_last_ping >= notify_wd_usec / 2) {
		if ((w = notify_stalled_worker(pl, 1)) == -1) {
			notify_send("WATCHDOG=1");
			if (notify_stalled != -1)
				log_info("worker %d is moving again; watchdog "
				    "pings resume", notify_stalled);
			notify_stalled = -1;
		} else if (notify_stalled == -1) {
			log_warnx("worker %d has not finished a poll round in "
			    "%" PRIu64 " ms: no watchdog ping", w,
			    (now - notify_last_ping) / 1000);
			notify_stalled = w;
		}
		notify_last_ping = now;
	}
	if (now - notify_last_status >= NOTIFY_STATUS_MS * 1000ULL) {
		char msg[300];

		notify_status(pl, now, status, len);
		notify_last_status = now;
		snprintf(msg, sizeof(msg), "STATUS=%s", status);
		notify_send(msg);
		made = 1;
	}
	return made;
}
