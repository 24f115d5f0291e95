/*
 * ixfwd: forward packets between Intel 82599-family ports driven from
 * user space.  See ixfwd(8) and ixfwd.yaml(5).
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/libutil.h>
#include <bsd/string.h>
#include <bsd/unistd.h>

#include "bridge.h"
#include "capture.h"
#include "conf.h"
#include "control.h"
#include "daemon.h"
#include "dma.h"
#include "log.h"
#include "notify.h"
#include "pipeline.h"
#include "preflight.h"
#include "priv.h"

#ifndef IXFWD_CONF_PATH
#define IXFWD_CONF_PATH	"/etc/ixfwd/ixfwd.yaml"
#endif
#ifndef IXFWD_VERSION
#define IXFWD_VERSION	"unknown"
#endif

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t report_requested;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t dump_requested;

/* The pidfile this process wrote, removed at any exit (a start that
 * fails with fatal() too: no pidfile is left naming a dead process). */
static struct pidfh *pidfh;
static pid_t pidfh_owner;

static void
pidfile_cleanup(void)
{
	if (pidfh != NULL && getpid() == pidfh_owner &&
	    pidfile_remove(pidfh) == -1)
		log_warn("pidfile not removed");
	pidfh = NULL;
}

static void
usage_print(FILE *f)
{
	fprintf(f, "usage: ixfwd [-dhtVv] [-c file] [-p pidfile] [-s socket]\n");
}

static void __attribute__((noreturn))
usage(void)
{
	usage_print(stderr);
	exit(1);
}

static void __attribute__((noreturn))
help(void)
{
	usage_print(stdout);
	printf("  -c file     configuration (default %s)\n"
	    "  -d          run in the background, log to syslog\n"
	    "  -h          this help\n"
	    "  -p pidfile  write the process id there, locked\n"
	    "  -s socket   the control socket (default %s)\n"
	    "  -t          check the configuration and this machine, "
	    "then exit\n"
	    "  -V          print the version\n"
	    "  -v          also log debug messages\n"
	    "See ixfwd(8) and ixfwd.yaml(5).\n", IXFWD_CONF_PATH,
	    CONF_SOCKET_DEFAULT);
	exit(0);
}

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGINT:
	case SIGTERM:
		quit_signal = sig;
		break;
	case SIGUSR1:
		report_requested = 1;
		break;
	case SIGUSR2:
		dump_requested = 1;
		break;
	case SIGHUP:
		reload_requested = 1;
		break;
	}
}

/*
 * Before the main loop the signals are blocked (the threads started from
 * here inherit the mask): a SIGINT or SIGTERM waits pending.  Take it,
 * as the handler would have, if there is one.
 */
static int
quit_pending(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t quit;
	int sig;

	sigemptyset(&quit);
	sigaddset(&quit, SIGINT);
	sigaddset(&quit, SIGTERM);
	if ((sig = sigtimedwait(&quit, NULL, &zero)) == -1)
		return 0;
	quit_signal = sig;
	return 1;
}

#define U(x)	((unsigned long long)(x))

/* The end of a port's counter line: errors and drops by reason, what
 * the driver dropped, and the port's health. */
static void
print_port_faults(FILE *f, const struct pipe_port_report *r)
{
	fprintf(f, " hw_rx_crc_errors=%llu hw_rx_length_errors=%llu "
	    "hw_rx_undersize=%llu hw_rx_oversize=%llu drv_rx_nobuf=%llu "
	    "drv_rx_dropped=%llu drv_tx_padded=%llu drv_tx_dropped=%llu "
	    "drop_port_failed=%llu drop_tx_reset=%llu link_changes=%llu "
	    "tx_queue_resets=%llu tx_queue_reset_timeouts=%llu state=%s\n",
	    U(r->hw.rx_crc_errors), U(r->hw.rx_length_errors),
	    U(r->hw.rx_undersize), U(r->hw.rx_oversize), U(r->hw.rx_nobuf),
	    U(r->hw.rx_dropped), U(r->hw.tx_padded), U(r->hw.tx_dropped),
	    U(r->sw.drop_port_failed), U(r->sw.drop_tx_reset),
	    U(r->link_changes), U(r->tx_queue_resets),
	    U(r->tx_queue_reset_timeouts), r->failed ? "failed" : "ok");
}

static void
print_counters(struct pipeline *pl, FILE *f)
{
	struct pipe_port_report r;
	struct pipe_queue_report qr;
	struct pipe_txq_report tr;
	uint64_t hits[CONF_RULES_MAX + 1];
	int i, k, n, q;

	for (i = 0; i < pipe_nports(pl); i++) {
		pipe_report(pl, i, &r);
		fprintf(f, "port=%s device=%s link=%s rx_packets=%llu "
		    "rx_bytes=%llu tx_packets=%llu tx_bytes=%llu "
		    "drop_no_route=%llu drop_tx_full=%llu drop_no_buffer=%llu "
		    "drop_filtered=%llu drop_malformed=%llu drop_local=%llu "
		    "flooded=%llu "
		    "hw_rx_packets=%llu hw_rx_bytes=%llu hw_tx_packets=%llu "
		    "hw_tx_bytes=%llu hw_rx_missed=%llu hw_rx_errors=%llu "
		    "drop_too_big=%llu",
		    r.name, r.device, r.link.up ? "up" : "down",
		    U(r.sw.rx_packets), U(r.sw.rx_bytes), U(r.sw.tx_packets),
		    U(r.sw.tx_bytes), U(r.sw.drop_no_route),
		    U(r.sw.drop_tx_full), U(r.sw.drop_no_buffer),
		    U(r.sw.drop_filtered), U(r.sw.drop_malformed),
		    U(r.sw.drop_local), U(r.sw.flooded),
		    U(r.hw.rx_packets), U(r.hw.rx_bytes), U(r.hw.tx_packets),
		    U(r.hw.tx_bytes), U(r.hw.rx_missed), U(r.hw.rx_errors),
		    U(r.sw.drop_too_big));
		print_port_faults(f, &r);
		for (q = 0; pipe_port_queues(pl, i) > 1 &&
		    q < pipe_port_queues(pl, i); q++) {
			pipe_queue_report(pl, i, q, &qr);
			fprintf(f, "queue port=%s queue=%d worker=%d cpu=%d "
			    "rx_packets=%llu rx_bytes=%llu hw_rx_packets=%llu "
			    "hw_rx_bytes=%llu hw_rx_dropped=%llu\n", r.name, q,
			    qr.worker, qr.cpu, U(qr.rx_packets),
			    U(qr.rx_bytes), U(qr.hw.rx_packets),
			    U(qr.hw.rx_bytes), U(qr.hw.rx_dropped));
		}
		for (q = 0; pipe_port_tx_queues(pl, i) > 1 &&
		    q < pipe_port_tx_queues(pl, i); q++) {
			pipe_txq_report(pl, i, q, &tr);
			fprintf(f, "tx_queue port=%s queue=%d worker=%d cpu=%d "
			    "tx_packets=%llu tx_bytes=%llu drop_tx_full=%llu "
			    "hw_tx_packets=%llu hw_tx_bytes=%llu\n", r.name,
			    q, tr.worker, tr.cpu, U(tr.tx_packets),
			    U(tr.tx_bytes), U(tr.tx_full),
			    U(tr.hw_tx_packets), U(tr.hw_tx_bytes));
		}
		if ((n = pipe_rule_hits(pl, i, hits, CONF_RULES_MAX + 1)) < 0)
			continue;
		for (k = 0; k < n; k++)
			fprintf(f, "rule port=%s rule=%d hits=%llu\n", r.name,
			    k + 1, U(hits[k]));
		fprintf(f, "rule port=%s rule=default hits=%llu\n", r.name,
		    U(hits[n]));
	}
	if (pipe_bridge(pl) != NULL) {
		struct bridge_stats bs;

		bridge_stats(pipe_bridge(pl), &bs);
		fprintf(f, "bridge entries=%llu learned=%llu moved=%llu "
		    "refused_full=%llu aged=%llu\n", U(bs.entries),
		    U(bs.learned), U(bs.moved), U(bs.refused_full), U(bs.aged));
	}
	for (i = 0; pipe_captures(pl) != NULL &&
	    i < capture_count(pipe_captures(pl)); i++) {
		struct capture_stats cs;

		capture_stats(pipe_captures(pl), i, &cs);
		fprintf(f, "capture=%s seen=%llu sampled=%llu written=%llu "
		    "ring_full=%llu write_failed=%llu rate_limited=%llu "
		    "files=%llu\n", capture_name(pipe_captures(pl), i),
		    U(cs.seen), U(cs.sampled), U(cs.written), U(cs.ring_full),
		    U(cs.write_failed), U(cs.rate_limited), U(cs.files));
	}
	fflush(f);
}

/*
 * -d: the parent waits until the child is forwarding (a byte on the
 * pipe) or has failed (EOF), and exits 0 or 1 accordingly, so that an
 * init script sees a failed start.  Before any thread exists.
 */
static int
daemonize(void)
{
	int fds[2], fd;
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid > 0) {
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
	}
	close(fds[0]);
	if (setsid() == -1)
		err(1, "setsid");
	if (chdir("/") == -1)
		err(1, "chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return fds[1];
}

/* A configuration that will not run, freed on the way out of main. */
static void
conf_drop(struct conf *c)
{
	conf_free(c);
	free(c);
}

int
main(int argc, char *argv[], char *envp[])
{
	const char *path = IXFWD_CONF_PATH, *pidpath = NULL, *warning;
	const char *sock = NULL;
	struct control *ctl;
	struct timespec next_tick;
	char abspath[PATH_MAX], status[256], errbuf[512];
	struct daemon daemon, *d = &daemon;
	struct pidfh *pfh = NULL;
	struct priv_user user;
	struct sigaction sa;
	struct pipeline *pl;
	struct conf *conf;
	sigset_t block, waitmask;
	int ch, tflag = 0, verbose = 0, dflag = 0, nerr, ready_fd = -1;
	pid_t otherpid;
	uid_t owner;

	setproctitle_init(argc, argv, envp);
	while ((ch = getopt(argc, argv, "c:dhp:s:tVv")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			dflag = 1;
			break;
		case 'h':
			help();
		case 'p':
			pidpath = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			tflag = 1;
			break;
		case 'V':
			printf("ixfwd %s\n", IXFWD_VERSION);
			return 0;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(1, verbose, "ixfwd");
	/* reloads read it again after -d's chdir / */
	if (dflag && realpath(path, abspath) != NULL)
		path = abspath;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		fatal("calloc");
	/* trusted from root or from whoever starts ixfwd, also at every
	 * reload, after the drop to another user */
	owner = geteuid();
	if ((nerr = conf_load_owned(path, conf, stderr, owner)) != 0) {
		fprintf(stderr, "%s: %d error%s, nothing started\n", path, nerr,
		    nerr == 1 ? "" : "s");
		conf_drop(conf);
		return 1;
	}
	/* What a start needs and can be known now: the user, what it may
	 * read and write, the NICs, hugepages. */
	if (priv_resolve(conf, &user, errbuf, sizeof(errbuf), &warning) == -1) {
		fprintf(stderr, "%s: %s, nothing started\n", path, errbuf);
		conf_drop(conf);
		return 1;
	}
	if ((nerr = preflight(conf, NULL, &user, stderr)) != 0) {
		fprintf(stderr, "%s: %d error%s, nothing started\n", path, nerr,
		    nerr == 1 ? "" : "s");
		conf_drop(conf);
		return 1;
	}
	if (tflag) {
		size_t need;
		long avail;

		/* the start logs it; -t says it when asked */
		if (warning != NULL && verbose)
			fprintf(stderr, "%s: warning: %s\n", path, warning);
		if (verbose && preflight_hugepages(conf, &need, &avail) == 0)
			printf("hugepages: %zu MiB (%zu of 2 MiB) for rings "
			    "and packet buffers, %ld free\n",
			    need * (DMA_PAGE_SIZE >> 20), need, avail);
		printf("configuration OK\n");
		conf_drop(conf);
		return 0;
	}
	if (pidpath != NULL && (pfh = pidfile_open(pidpath, 0644,
	    &otherpid)) == NULL) {
		if (errno == EEXIST)
			errx(1, "%s: already running, pid %ld", pidpath,
			    (long)otherpid);
		err(1, "%s", pidpath);
	}
	if (dflag) {
		ready_fd = daemonize();
		log_init(0, verbose, "ixfwd");
	}
	if (pfh != NULL && pidfile_write(pfh) == -1)
		fatal("%s", pidpath);
	if (pfh != NULL) {
		pidfh = pfh;
		pidfh_owner = getpid();
		atexit(pidfile_cleanup);
	}
	setproctitle("starting");
	notify_init();
	if (warning != NULL)
		log_warnx("%s", warning);

	/* Workers and the emulator inherit a mask that blocks the signals
	 * the main thread waits for. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &waitmask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	/* DMA addresses (physical, or IOVAs through VFIO) are chosen by
	 * pipe_create() once it knows how each NIC is reached. */
	if ((pl = pipe_create(conf)) == NULL)
		fatalx("%s: cannot set up the ports, nothing started", path);
	memset(d, 0, sizeof(*d));
	d->conf_path = path;
	d->conf_owner = owner;
	d->conf = conf;
	d->pl = pl;
	d->user = user;
	/* before the drop: /run/ixfwd is root's */
	if (sock == NULL)
		sock = conf->control_socket[0] != '\0' ? conf->control_socket :
		    CONF_SOCKET_DEFAULT;
	if ((ctl = control_open(d, sock, conf->metrics_listen)) == NULL)
		log_warnx("running without a control socket");
	/* BARs mapped, PCI configuration written, hugepages mapped and
	 * locked: root is not needed any more. */
	if (priv_drop(&user) == -1) {
		control_close(ctl);
		pipe_destroy(pl);
		fatalx("cannot drop privileges to %s, nothing started",
		    user.name);
	}
	setproctitle("waiting for links");
	if (pipe_wait_links_or(pl, conf->link_timeout_ms, quit_pending))
		goto stop;	/* nothing forwarded yet: nothing to wait for */
	if (pipe_start(pl) == -1) {
		control_close(ctl);
		pipe_destroy(pl);
		fatalx("cannot start the workers");
	}
	log_info("forwarding: %d port%s, %d worker%s", pipe_nports(pl),
	    pipe_nports(pl) == 1 ? "" : "s", pipe_nworkers(pl),
	    pipe_nworkers(pl) == 1 ? "" : "s");
	clock_gettime(CLOCK_MONOTONIC, &d->started);
	snprintf(status, sizeof(status), "forwarding: %d port%s",
	    pipe_nports(pl), pipe_nports(pl) == 1 ? "" : "s");
	setproctitle("%s", status);
	{
		char msg[300];

		snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
		notify_send(msg);
	}
	if (ready_fd != -1) {
		(void)write(ready_fd, "", 1);
		close(ready_fd);
	}

	next_tick = d->started;
	while (!quit_signal) {
		int ms = notify_interval_ms(), nfds;
		struct pollfd fds[CONTROL_POLLFDS];
		struct timespec ts, now;

		nfds = control_pollfds(ctl, fds, CONTROL_POLLFDS);
		if (control_timeout_ms(ctl) < ms)
			ms = control_timeout_ms(ctl);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		/* sleep with the signals unblocked; they interrupt it */
		if (ppoll(fds, (nfds_t)nfds, &ts, &waitmask) == -1)
			nfds = 0;
		if (quit_signal)
			break;
		control_dispatch(ctl, fds, nfds);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next_tick.tv_sec ||
		    (now.tv_sec == next_tick.tv_sec &&
		    now.tv_nsec >= next_tick.tv_nsec)) {
			/* once a second, whatever woke the loop */
			next_tick = now;
			next_tick.tv_sec++;
			pipe_housekeeping(pl);
			control_tick(ctl);
		}
		if (notify_tick(pl, status, sizeof(status)))
			setproctitle("%s", status);
		if (report_requested) {
			report_requested = 0;
			print_counters(pl, stdout);
		}
		if (dump_requested) {
			dump_requested = 0;
			if (pipe_captures(pl) != NULL &&
			    capture_dump_recorder(pipe_captures(pl), NULL) == -1)
				log_warnx("flight recorder: not every dump "
				    "could be written");
		}
		if (reload_requested) {
			reload_requested = 0;
			daemon_reload(d, NULL);
		}
	}

stop:
	log_info("%s: stopping", strsignal(quit_signal));
	notify_send("STOPPING=1");
	setproctitle("stopping");
	control_close(ctl);
	pipe_stop(pl);
	{
		/* let the NICs send what the TX rings still hold */
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	print_counters(pl, stdout);
	pipe_destroy(pl);
	conf_free(d->conf);
	free(d->conf);
	if (pfh != NULL && pidfile_remove(pfh) == -1)
		log_warn("%s: not removed", pidpath);
	pidfh = NULL;
	return 0;
}
