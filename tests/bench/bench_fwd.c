/*
 * bench_fwd.c: forwarding rate and the worker's cycles per packet, the
 * real pipeline (pipe_create ... pipe_stop) in this process.
 *
 *	bench_fwd [-t seconds] [-w seconds] [-b batches] [-r rings]
 *	    [-V variants] [-D dir] emu | null
 *
 * emu: two emulated 82599s whose wires are traffic generators and sinks
 * (64-byte frames, as fast as the NICs take them), the emulator's engine
 * on cpu 1, one worker on cpu 0 forwarding both ways.  Every batch size
 * of -b is run with every ring size of -r (RX and TX rings alike).  With
 * -V, the variants listed instead, at the first batch and ring size:
 * bare, filter (a tcpdump expression on each path), rules (5 rules on
 * each path), bridge (a learning bridge of the two ports), sample1000 and
 * sampleall (a capture of each port's RX into files, 1 in 1000 or every
 * frame), rules+sample1000.  Each is a configuration file; a feature
 * whose keys the parser does not know yet is reported as skipped, not as
 * a failure.  The first and the last bare run are the baseline the
 * others are given as ratios of.
 *
 * null: two null ports (device: null) forwarding both ways, one worker on
 * cpu 1, the first batch and ring size; the framework alone.  With -V,
 * the variants on null ports: what each feature costs the worker per
 * packet with no NIC and no cache line coming from another core.
 *
 * Each point runs -w seconds to warm up, then -t seconds split in
 * SLICES slices; mpps and cycles_per_pkt are the medians of the slices,
 * the machine being shared and noisy.  mpps counts frames sent, both
 * directions together; cycles_per_pkt is TSC cycles the worker spent in
 * loop iterations that moved packets over the packets they moved; busy is
 * the share of the worker's time spent in such iterations, fill how full
 * its batches came back.  The worker is the bottleneck when it was busy
 * nearly all the time (busy >= BUSY_WORKER), the emulated NIC otherwise.
 * worker_cpu and engine_cpu are the shares of the interval the worker and
 * the emulator's engine were on a cpu, _wait the shares they were ready
 * but waiting for one (schedstat): below 0.9, something else ran on
 * their core and the point says cpu_contended=yes.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "conf.h"
#include "dma.h"
#include "log.h"
#include "pipeline.h"

#define SLICES		10
#define CLEAN_CPU	0.9	/* a thread on its cpu this share of a slice */
#define CLEAN_MIN	3	/* clean slices enough to go by */
#define BUSY_WORKER	0.90
#define MAXLIST		16
#define YAML_MAX	8192

static double	seconds = 1.0;
static double	warmup = 0.3;
static char	dir[512];

struct snap {
	double		 t;
	uint64_t	 tsc;
	uint64_t	 rx;		/* frames received, every port */
	uint64_t	 tx;		/* frames sent, every port */
	uint64_t	 missed;	/* the NICs' rx_missed */
	uint64_t	 drops;		/* the pipeline's drops, every reason */
	struct pipe_worker_counters wc;	/* summed over workers */
	uint64_t	 run_ns[2];	/* on a cpu: worker, engine */
	uint64_t	 wait_ns[2];	/* runnable, waiting for one */
};

/* The threads watched: the worker and the emulator's engine, by name;
 * on null ports the second worker, when there is one. */
static const char *thread_names[2] = { "ixfwd-w0", "emu82599" };
static long	threads[2];

static void	usage(void);

struct result {
	double		 mpps;
	double		 cpp;		/* cycles per packet */
	double		 busy;		/* busy share of the worker's time */
	double		 fill;		/* packets per busy loop / batch * ports */
	double		 idle_loops;	/* idle share of the loop iterations */
	uint64_t	 missed;
	uint64_t	 drops;
	double		 tsc_ghz;
	double		 cpu[2];	/* share of the time each thread ran */
	double		 wait[2];	/* ... and waited for a cpu */
	int		 slices;	/* measured */
	int		 clean;		/* of which clean */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Find the threads of this process called thread_names[]; -1 if not. */
static void
find_threads(void)
{
	char path[300], comm[64];
	struct dirent *de;
	DIR *d;
	FILE *f;
	int i;

	threads[0] = threads[1] = -1;
	if ((d = opendir("/proc/self/task")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			for (i = 0; i < 2; i++)
				if (strcmp(comm, thread_names[i]) == 0)
					threads[i] = atol(de->d_name);
		}
		fclose(f);
	}
	closedir(d);
}

/* schedstat(5): time on a cpu and time waiting for one, in ns. */
static void
thread_times(long tid, uint64_t *run, uint64_t *wait)
{
	char path[64];
	unsigned long long r = 0, w = 0;
	FILE *f;

	*run = *wait = 0;
	if (tid < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/schedstat", tid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fscanf(f, "%llu %llu", &r, &w) == 2) {
		*run = r;
		*wait = w;
	}
	fclose(f);
}

static void
take(struct pipeline *pl, struct snap *s)
{
	struct pipe_port_report r;
	struct pipe_worker_counters wc;
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < pipe_nports(pl); i++) {
		pipe_report(pl, i, &r);
		s->rx += r.sw.rx_packets;
		s->tx += r.sw.tx_packets;
		s->missed += r.hw.rx_missed;
		s->drops += r.sw.drop_no_route + r.sw.drop_tx_full +
		    r.sw.drop_no_buffer;
	}
	for (i = 0; i < pipe_nworkers(pl); i++) {
		pipe_worker_report(pl, i, &wc);
		s->wc.busy_cycles += wc.busy_cycles;
		s->wc.busy_packets += wc.busy_packets;
		s->wc.busy_loops += wc.busy_loops;
		s->wc.idle_loops += wc.idle_loops;
	}
	for (i = 0; i < 2; i++)
		thread_times(threads[i], &s->run_ns[i], &s->wait_ns[i]);
	s->t = now();
	s->tsc = __rdtsc();
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A slice is clean when every watched thread was on a cpu for at least
 * CLEAN_CPU of it. */
static int
slice_clean(const struct snap *a, const struct snap *b)
{
	double dt = (b->t - a->t) * 1e9;
	int i;

	for (i = 0; i < 2; i++)
		if (threads[i] >= 0 &&
		    (double)(b->run_ns[i] - a->run_ns[i]) < CLEAN_CPU * dt)
			return 0;
	return 1;
}

/*
 * Warm up, then measure SLICES slices of seconds / SLICES; while fewer
 * than half of them are clean, up to SLICES more.  The figures are the
 * medians over the clean slices, or over all when fewer than
 * CLEAN_MIN are clean (the point is then marked contended).
 */
static void
measure(struct pipeline *pl, int batch, int nports, struct result *res)
{
	struct snap s[2 * SLICES + 1];
	double mpps[2 * SLICES], cpp[2 * SLICES], busy[2 * SLICES];
	double fill[2 * SLICES], dt, hz;
	int clean[2 * SLICES], k, n, nclean = 0, m;
	uint64_t busy_loops, loops, db;

	sleep_s(warmup);
	find_threads();
	take(pl, &s[0]);
	for (k = 1; k <= 2 * SLICES; k++) {
		if (k > SLICES && nclean >= SLICES / 2)
			break;
		sleep_s(seconds / SLICES);
		take(pl, &s[k]);
		dt = s[k].t - s[k - 1].t;
		hz = (double)(s[k].tsc - s[k - 1].tsc) / dt;
		db = s[k].wc.busy_packets - s[k - 1].wc.busy_packets;
		busy_loops = s[k].wc.busy_loops - s[k - 1].wc.busy_loops;
		mpps[k - 1] = (double)(s[k].tx - s[k - 1].tx) / dt / 1e6;
		cpp[k - 1] = db == 0 ? 0 :
		    (double)(s[k].wc.busy_cycles - s[k - 1].wc.busy_cycles) /
		    (double)db;
		/* one worker: its busy cycles over the cycles of the slice */
		busy[k - 1] = (double)(s[k].wc.busy_cycles -
		    s[k - 1].wc.busy_cycles) / (hz * dt);
		fill[k - 1] = busy_loops == 0 ? 0 : (double)db /
		    (double)busy_loops / ((double)batch * nports);
		clean[k - 1] = slice_clean(&s[k - 1], &s[k]);
		nclean += clean[k - 1];
	}
	n = k - 1;
	res->slices = n;
	res->clean = nclean;
	/* keep the clean slices, if there are enough of them */
	m = 0;
	if (nclean >= CLEAN_MIN) {
		for (k = 0; k < n; k++)
			if (clean[k]) {
				mpps[m] = mpps[k];
				cpp[m] = cpp[k];
				busy[m] = busy[k];
				fill[m] = fill[k];
				m++;
			}
	} else
		m = n;
	res->mpps = median(mpps, m);
	res->cpp = median(cpp, m);
	res->busy = median(busy, m);
	res->fill = median(fill, m);

	dt = s[n].t - s[0].t;
	hz = (double)(s[n].tsc - s[0].tsc) / dt;
	res->tsc_ghz = hz / 1e9;
	busy_loops = s[n].wc.busy_loops - s[0].wc.busy_loops;
	loops = busy_loops + s[n].wc.idle_loops - s[0].wc.idle_loops;
	res->idle_loops = loops == 0 ? 0 :
	    1.0 - (double)busy_loops / (double)loops;
	res->missed = s[n].missed - s[0].missed;
	res->drops = s[n].drops - s[0].drops;
	for (k = 0; k < 2; k++) {
		res->cpu[k] = threads[k] < 0 ? -1 :
		    (double)(s[n].run_ns[k] - s[0].run_ns[k]) / (dt * 1e9);
		res->wait[k] = threads[k] < 0 ? -1 :
		    (double)(s[n].wait_ns[k] - s[0].wait_ns[k]) / (dt * 1e9);
	}
}

/* ------------------------------------------------------------------ */
/* Configurations                                                     */

/* Append to a configuration being built; the overflow flag sticks. */
struct ybuf {
	char		*y;
	size_t		 len;
	size_t		 off;
	int		 overflow;
};

static void __attribute__((format(printf, 2, 3)))
yadd(struct ybuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->y + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->off)
		b->overflow = 1;
	else
		b->off += (size_t)n;
}

/* The keys as ixfwd.yaml(5) and the filter and capture issues give
 * them; a parser without them rejects the file, and the variant is
 * skipped. */
#define RULES5 \
	"    rules:\n" \
	"      - { action: drop, proto: tcp, dst_port: 23 }\n" \
	"      - { action: pass, src: 10.0.0.0/8, vlan: 100 }\n" \
	"      - { action: drop, ethertype: 0x86dd }\n" \
	"      - { action: drop, proto: tcp, dst_port: 3389 }\n" \
	"      - { action: pass, proto: udp, dst_port: 53 }\n" \
	"    default: pass\n"
#define FILTER1 \
	"    filter: \"not (tcp port 23)\"\n"
/* The probes: forms that drop every generator frame (ethertype 0x88b5),
 * to tell whether the pipeline applies the keys it was given. */
#define FILTER_DROPALL \
	"    filter: \"not ether proto 0x88b5\"\n"
#define RULES_DROPALL \
	"    rules:\n" \
	"      - { action: drop, ethertype: 0x88b5 }\n" \
	"    default: pass\n"

static int
yaml_emu(char *y, size_t len, const char *variant, int batch, int ring)
{
	struct ybuf b = { y, len, 0, 0 };
	const char *extra = "", *poll = "";
	uint32_t every = 0;
	int bridge = 0, i;

	if (strcmp(variant, "bare") == 0)
		;
	else if (strcmp(variant, "filter") == 0)
		extra = FILTER1;
	else if (strcmp(variant, "rules") == 0)
		extra = RULES5;
	else if (strcmp(variant, "probe-filter") == 0)
		extra = FILTER_DROPALL;
	else if (strcmp(variant, "probe-rules") == 0)
		extra = RULES_DROPALL;
	else if (strcmp(variant, "rules+sample1000") == 0) {
		/* the target: 90% of bare with both */
		extra = RULES5;
		every = 1000;
	} else if (strcmp(variant, "bridge") == 0)
		bridge = 1;
	else if (strcmp(variant, "sample1000") == 0)
		every = 1000;
	else if (strcmp(variant, "sampleall") == 0)
		every = 1;
	else if (strcmp(variant, "busy") == 0)
		poll = "poll: { mode: busy }\n";
	else if (strcmp(variant, "adaptive") == 0)
		poll = "poll: { mode: adaptive }\n";
	else
		return -1;

	yadd(&b, "# bench_fwd: variant %s\nports:\n", variant);
	for (i = 0; i < 2; i++)
		yadd(&b, "  - { name: g%d, device: emulated, rx_ring: %d, "
		    "tx_ring: %d, cpu: 0,\n"
		    "      wire: { generator: { size: 64 } } }\n", i, ring, ring);
	if (bridge)
		yadd(&b, "bridge: { ports: [g0, g1], learning: true }\n");
	else
		yadd(&b, "forward:\n"
		    "  - from: g0\n    to: g1\n%s"
		    "  - from: g1\n    to: g0\n%s", extra, extra);
	yadd(&b, "batch: %d\nemulator: { cpu: 1 }\n%s", batch, poll);
	if (every > 0) {
		yadd(&b, "capture:\n");
		for (i = 0; i < 2; i++)
			yadd(&b, "  - { name: s%d, port: g%d, direction: rx, "
			    "sample: %u, snaplen: 128,\n"
			    "      file: \"%s/%s-g%d-%%H%%M%%S.pcap\",\n"
			    "      rotate: { size: 64M, count: 2 } }\n",
			    i, i, every, dir, variant, i);
	}
	return b.overflow ? -1 : 0;
}

/*
 * Two null ports forwarding both ways.  variant NULL or "bare": one
 * queue each, one worker on cpu 1.  "mq1": two RX queues each, both on
 * cpu 1 (one worker serving four queues); "mq2": two RX queues each on
 * cpus [0, 1] (two workers, each serving queue q of both ports and
 * sending on its own TX queues).  "mq1-rules", "mq2-rules": the same
 * with the five rules on each path (every frame parsed and its rule's
 * hit counter written, per worker); "mq1-bridge", "mq2-bridge": the two
 * ports a learning bridge (every frame learns its source into the one
 * MAC table the workers share, and floods: the frames' destination is
 * never learned).  "busy", "adaptive": bare with that poll mode.
 */
static int
yaml_null(char *y, size_t len, const char *variant, int batch, int ring)
{
	const char *q = "cpu: 1", *poll = "", *extra = "";
	struct ybuf b = { y, len, 0, 0 };
	int bridge = 0;

	if (variant == NULL)
		variant = "bare";
	if (strcmp(variant, "bare") == 0)
		;
	else if (strncmp(variant, "mq1", 3) == 0)
		q = "queues: 2, cpus: [1]";
	else if (strncmp(variant, "mq2", 3) == 0)
		q = "queues: 2, cpus: [0, 1]";
	else if (strcmp(variant, "busy") == 0)
		poll = "poll: { mode: busy }\n";
	else if (strcmp(variant, "adaptive") == 0)
		poll = "poll: { mode: adaptive }\n";
	else
		return -1;
	if (strncmp(variant, "mq", 2) == 0) {
		if (strcmp(variant + 3, "-rules") == 0)
			extra = RULES5;
		else if (strcmp(variant + 3, "-bridge") == 0)
			bridge = 1;
		else if (strcmp(variant + 3, "-lookup") == 0)
			bridge = 2;
		else if (variant[3] != '\0')
			return -1;
	}
	yadd(&b, "# bench_fwd: two null ports (%s)\nports:\n", variant);
	yadd(&b, "  - { name: n0, device: null, rx_ring: %d, tx_ring: %d, "
	    "%s }\n", ring, ring, q);
	yadd(&b, "  - { name: n1, device: null, rx_ring: %d, tx_ring: %d, "
	    "%s }\n", ring, ring, q);
	if (bridge)
		yadd(&b, "bridge: { ports: [n0, n1], learning: %s }\n",
		    bridge == 1 ? "true" : "false");
	else
		yadd(&b, "forward:\n"
		    "  - from: n0\n    to: n1\n%s"
		    "  - from: n1\n    to: n0\n%s", extra, extra);
	yadd(&b, "batch: %d\n%s", batch, poll);
	return b.overflow ? -1 : 0;
}

/*
 * Load y into *c.  0; or -1 with the parser's first message in why.
 */
static int
load(const char *name, const char *y, struct conf *c, char *why, size_t wlen)
{
	char path[600], *msg = NULL, *nl;
	size_t msglen = 0;
	FILE *f, *errf;
	int nerr;

	snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		snprintf(why, wlen, "%.400s: %s", path, strerror(errno));
		return -1;
	}
	fputs(y, f);
	fclose(f);
	if ((errf = open_memstream(&msg, &msglen)) == NULL) {
		snprintf(why, wlen, "open_memstream: %s", strerror(errno));
		return -1;
	}
	memset(c, 0, sizeof(*c));
	nerr = conf_load(path, c, errf);
	fclose(errf);
	if (nerr != 0) {
		if ((nl = strchr(msg, '\n')) != NULL)
			*nl = '\0';
		snprintf(why, wlen, "%s", msg);
		conf_free(c);
	}
	free(msg);
	return nerr == 0 ? 0 : -1;
}

/* The emulated ports of a loaded configuration become null ports, the
 * worker on cpu 1; paths, bridge and captures stay as they are. */
static void
to_null(struct conf *c)
{
	int i;

	c->emulator_cpu = -1;
	for (i = 0; i < c->nports; i++) {
		struct conf_port *p = &c->ports[i];

		p->kind = PORT_KIND_NULL;
		p->cpu = 1;
		strcpy(p->device, "null");
		memset(&p->wire, 0, sizeof(p->wire));
		p->wire.kind = CONF_WIRE_NONE;
		p->wire.peer = -1;
	}
}

/* ------------------------------------------------------------------ */

static struct pipeline *
start(const struct conf *c)
{
	struct pipeline *pl;

	if ((pl = pipe_create(c)) == NULL)
		return NULL;
	pipe_wait_links(pl, 2000);
	if (pipe_start(pl) == -1) {
		pipe_destroy(pl);
		return NULL;
	}
	return pl;
}

static void
print_result(const char *what, const struct result *r)
{
	printf("%s mpps=%.3f cycles_per_pkt=%.1f busy=%.3f fill=%.3f "
	    "idle_loops=%.3f rx_missed=%llu drops=%llu worker_cpu=%.2f "
	    "worker_wait=%.2f engine_cpu=%.2f engine_wait=%.2f "
	    "clean_slices=%d/%d tsc_ghz=%.3f cpu_contended=%s "
	    "bottleneck=%s\n", what, r->mpps, r->cpp, r->busy, r->fill,
	    r->idle_loops, (unsigned long long)r->missed,
	    (unsigned long long)r->drops, r->cpu[0], r->wait[0], r->cpu[1],
	    r->wait[1], r->clean, r->slices, r->tsc_ghz,
	    r->clean < CLEAN_MIN ? "yes" : "no",
	    r->busy >= BUSY_WORKER ? "worker" : "nic");
	fflush(stdout);
}

/*
 * A configuration key the parser knows is not yet one the pipeline
 * applies: a short run with a filter or rule list that drops every frame
 * tells.  NULL when the variant's features are applied (or need no
 * probe), else why not.
 */
static const char *
unsupported(const char *variant, int batch, int ring)
{
	static struct conf c;
	static const char *const probes[] = { "probe-filter", "probe-rules" };
	static const char *const what[] = { "filter expression", "rule list" };
	static char why[600];
	char y[YAML_MAX], err[512];
	struct pipeline *pl;
	struct snap s;
	uint64_t rx;
	size_t i;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (strstr(variant, probes[i] + 6) == NULL)
			continue;
		if (yaml_emu(y, sizeof(y), probes[i], batch, ring) == -1 ||
		    load(probes[i], y, &c, err, sizeof(err)) == -1) {
			snprintf(why, sizeof(why), "%s", err);
			return why;
		}
		if ((pl = start(&c)) == NULL) {
			conf_free(&c);
			return "the probe did not start";
		}
		sleep_s(0.2);
		take(pl, &s);
		rx = s.rx;
		pipe_stop(pl);
		pipe_destroy(pl);
		conf_free(&c);
		if (rx == 0)
			return "nothing received in the probe";
		if (s.tx > 0) {
			snprintf(why, sizeof(why), "the configuration loads, "
			    "but the pipeline forwards what a %s that drops "
			    "everything should drop", what[i]);
			return why;
		}
	}
	return NULL;
}

/* Did the variant's captures write a file into dir? */
static int
captured(const char *variant)
{
	size_t len = strlen(variant);
	struct dirent *de;
	DIR *d;
	int found = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, variant, len) == 0 &&
		    de->d_name[len] == '-' && strstr(de->d_name, ".pcap"))
			found = 1;
	closedir(d);
	return found;
}

/* One point; 0 measured, 1 skipped (printed), -1 failed (printed). */
static int
run_emu(const char *variant, int batch, int ring, int grid, struct result *r)
{
	static struct conf c;
	char y[YAML_MAX], why[512], what[128];
	const char *why_not;
	struct pipeline *pl;

	if (yaml_emu(y, sizeof(y), variant, batch, ring) == -1) {
		printf("bench: fwd variant=%s failed (unknown variant)\n",
		    variant);
		return -1;
	}
	if (load(variant, y, &c, why, sizeof(why)) == -1) {
		if (strcmp(variant, "bare") != 0) {
			printf("bench: fwd variant=%s skipped (not supported "
			    "yet: %s)\n", variant, why);
			return 1;
		}
		printf("bench: fwd variant=%s failed (%s)\n", variant, why);
		return -1;
	}
	if ((why_not = unsupported(variant, batch, ring)) != NULL) {
		printf("bench: fwd variant=%s skipped (not supported yet: %s)\n",
		    variant, why_not);
		conf_free(&c);
		return 1;
	}
	if ((pl = start(&c)) == NULL) {
		printf("bench: fwd variant=%s batch=%d ring=%d failed (the "
		    "pipeline did not start; see the log)\n", variant, batch,
		    ring);
		conf_free(&c);
		return -1;
	}
	measure(pl, batch, 2, r);
	pipe_stop(pl);
	pipe_destroy(pl);
	conf_free(&c);
	if (strstr(variant, "sample") != NULL && !captured(variant)) {
		printf("bench: fwd variant=%s skipped (not supported yet: the "
		    "configuration loads, but the pipeline wrote no capture "
		    "file)\n", variant);
		return 1;
	}
	if (strcmp(variant, "bridge") == 0 && r->mpps == 0) {
		printf("bench: fwd variant=%s skipped (not supported yet: the "
		    "configuration loads, but nothing was forwarded)\n",
		    variant);
		return 1;
	}
	if (grid)
		snprintf(what, sizeof(what), "bench: fwd batch=%d ring=%d",
		    batch, ring);
	else
		snprintf(what, sizeof(what), "bench: fwd variant=%s batch=%d "
		    "ring=%d", variant, batch, ring);
	print_result(what, r);
	return 0;
}

/*
 * Null ports.  With variant NULL, the framework alone (`device: null`,
 * the DPDK comparison); else that variant of the emulated setup with its
 * ports turned into null ports: no NIC, no second core, every frame in
 * the worker's cache, so what it costs over bare is the pipeline's own
 * work per packet.  0 measured, -1 failed (printed).
 */
static int
run_null(const char *variant, int batch, int ring, struct result *r)
{
	static struct conf c;
	char y[YAML_MAX], why[512], what[640];
	struct pipeline *pl;
	int ok;

	snprintf(why, sizeof(why), "unknown variant or too long");
	if (variant == NULL)
		snprintf(what, sizeof(what), "bench: null ixfwd");
	else
		snprintf(what, sizeof(what), "bench: null variant=%s", variant);
	ok = variant == NULL ?
	    yaml_null(y, sizeof(y), NULL, batch, ring) == 0 &&
	    load("null", y, &c, why, sizeof(why)) == 0 :
	    yaml_emu(y, sizeof(y), variant, batch, ring) == 0 &&
	    load(variant, y, &c, why, sizeof(why)) == 0;
	if (!ok) {
		printf("%s failed (configuration: %s)\n", what, why);
		return -1;
	}
	if (variant != NULL)
		to_null(&c);
	if ((pl = start(&c)) == NULL) {
		printf("%s failed (the pipeline did not start; see the log)\n",
		    what);
		conf_free(&c);
		return -1;
	}
	measure(pl, batch, 2, r);
	pipe_stop(pl);
	pipe_destroy(pl);
	conf_free(&c);
	snprintf(what + strlen(what), sizeof(what) - strlen(what),
	    " batch=%d ring=%d", batch, ring);
	print_result(what, r);
	return 0;
}

/* One run of a pair: variant on null ports or emulated ones, measured;
 * 0, or -1 with the reason printed. */
static int
run_one(const char *mode, const char *variant, int batch, int ring,
    struct result *r)
{
	static struct conf c;
	char y[YAML_MAX], why[512];
	struct pipeline *pl;
	int ok;

	snprintf(why, sizeof(why), "unknown variant or too long");
	ok = strcmp(mode, "null") == 0 ?
	    yaml_null(y, sizeof(y), variant, batch, ring) == 0 :
	    yaml_emu(y, sizeof(y), variant, batch, ring) == 0;
	if (!ok || load(variant, y, &c, why, sizeof(why)) == -1) {
		printf("bench: pair mode=%s variant=%s failed (configuration: "
		    "%s)\n", mode, variant, why);
		return -1;
	}
	if ((pl = start(&c)) == NULL) {
		printf("bench: pair mode=%s variant=%s failed (the pipeline "
		    "did not start; see the log)\n", mode, variant);
		conf_free(&c);
		return -1;
	}
	measure(pl, batch, 2, r);
	pipe_stop(pl);
	pipe_destroy(pl);
	conf_free(&c);
	return 0;
}

/* The cpus the watched threads had, in cores (schedstat): the workers
 * on null ports, the worker and the emulator's engine on emulated ones. */
static double
wcpu(const struct result *r)
{
	double c = 0;
	int k;

	for (k = 0; k < 2; k++)
		if (r->cpu[k] > 0)
			c += r->cpu[k];
	return c;
}

/*
 * -P a/b: a and b alternately, rounds times (a b, b a, a b, ...: a drift
 * of the machine's state weighs on both alike); per round the ratio of b
 * to a, then the median, smallest and largest ratios.
 */
static int
run_pairs(const char *mode, const char *pair, int rounds, int batch,
    int ring)
{
	char a[32], b[32];
	const char *slash;
	double mr[MAXLIST], cr[MAXLIST], am[MAXLIST], bm[MAXLIST];
	double ac[MAXLIST], bc[MAXLIST], er[MAXLIST], ca, cb;
	struct result ra, rb;
	int i, n = 0;

	if ((slash = strchr(pair, '/')) == NULL)
		usage();
	snprintf(a, sizeof(a), "%.*s", (int)(slash - pair), pair);
	snprintf(b, sizeof(b), "%s", slash + 1);
	if (rounds > MAXLIST)
		rounds = MAXLIST;
	for (i = 0; i < rounds; i++) {
		if (i % 2 == 0 ? run_one(mode, a, batch, ring, &ra) == -1 ||
		    run_one(mode, b, batch, ring, &rb) == -1 :
		    run_one(mode, b, batch, ring, &rb) == -1 ||
		    run_one(mode, a, batch, ring, &ra) == -1)
			return -1;
		am[n] = ra.mpps;
		bm[n] = rb.mpps;
		ac[n] = ra.cpp;
		bc[n] = rb.cpp;
		/* Mpps per cpu the workers were given (schedstat): on a
		 * shared machine the scheduler decides how many cores the
		 * pair had; per core granted, the sharing shows alone. */
		ca = wcpu(&ra);
		cb = wcpu(&rb);
		er[n] = ca > 0 && cb > 0 && ra.mpps > 0 ?
		    (rb.mpps / cb) / (ra.mpps / ca) : 0;
		mr[n] = ra.mpps > 0 ? rb.mpps / ra.mpps : 0;
		cr[n] = ra.cpp > 0 ? rb.cpp / ra.cpp : 0;
		printf("bench: pair mode=%s a=%s b=%s round=%d a_mpps=%.3f "
		    "b_mpps=%.3f mpps_ratio=%.3f a_cycles_per_pkt=%.1f "
		    "b_cycles_per_pkt=%.1f cycles_ratio=%.3f a_busy=%.2f "
		    "b_busy=%.2f a_cpu=%.2f b_cpu=%.2f "
		    "mpps_per_cpu_ratio=%.3f a_contended=%s b_contended=%s\n",
		    mode, a, b, i + 1, ra.mpps, rb.mpps, mr[n], ra.cpp, rb.cpp,
		    cr[n], ra.busy, rb.busy, ca, cb, er[n],
		    ra.clean < CLEAN_MIN ? "yes" : "no",
		    rb.clean < CLEAN_MIN ? "yes" : "no");
		fflush(stdout);
		n++;
	}
	printf("bench: pair mode=%s a=%s b=%s rounds=%d a_mpps=%.3f "
	    "b_mpps=%.3f a_cycles_per_pkt=%.1f b_cycles_per_pkt=%.1f "
	    "median_cycles_ratio=%.3f ", mode, a, b, n, median(am, n),
	    median(bm, n), median(ac, n), median(bc, n), median(cr, n));
	printf("median_mpps_per_cpu_ratio=%.3f ", median(er, n));
	printf("median_mpps_ratio=%.3f ", median(mr, n));
	/* median() sorted mr */
	printf("min_mpps_ratio=%.3f max_mpps_ratio=%.3f\n", mr[0], mr[n - 1]);
	return 0;
}

/*
 * The ratios of each variant to bare: against the mean of the nearest
 * bare runs before and after it in the list (either alone at an end), so
 * that a list alternating bare and variants compares each with what the
 * machine did just then.
 */
static void
print_ratios(const char *mode, char variants[][32], const int *vok,
    const struct result *vr, int nv)
{
	int i, j, a, b;
	double m, c;

	for (i = 0; i < nv; i++) {
		if (vok[i] != 0 || strcmp(variants[i], "bare") == 0)
			continue;
		a = b = -1;
		for (j = i - 1; j >= 0 && a < 0; j--)
			if (vok[j] == 0 && strcmp(variants[j], "bare") == 0)
				a = j;
		for (j = i + 1; j < nv && b < 0; j++)
			if (vok[j] == 0 && strcmp(variants[j], "bare") == 0)
				b = j;
		if (a < 0 && b < 0)
			continue;
		if (a < 0)
			a = b;
		if (b < 0)
			b = a;
		m = (vr[a].mpps + vr[b].mpps) / 2;
		c = (vr[a].cpp + vr[b].cpp) / 2;
		printf("bench: %s ratio variant=%s vs=bare mpps_ratio=%.3f "
		    "cycles_ratio=%.3f extra_cycles=%.1f\n", mode, variants[i],
		    m > 0 ? vr[i].mpps / m : 0, c > 0 ? vr[i].cpp / c : 0,
		    vr[i].cpp - c);
	}
}

static int
parse_list(const char *s, int *v, int max)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(copy, ", ", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, ", ", &save))
		v[n++] = atoi(tok);
	free(copy);
	return n;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_fwd [-t seconds] [-w seconds] "
	    "[-b batches] [-r rings] [-V variants | -P a/b [-n rounds]] "
	    "[-D dir] emu | null\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int batches[MAXLIST] = { 32 }, rings[MAXLIST] = { 512 };
	int nb = 1, nr = 1, nv = 0, fails = 0, i, j, ch;
	int vok[MAXLIST];
	char variants[MAXLIST][32];
	const char *vlist = NULL, *pair = NULL, *mode;
	int rounds = 5;
	struct result r, vr[MAXLIST];
	cpu_set_t set;

	while ((ch = getopt(argc, argv, "b:D:n:P:r:t:V:w:")) != -1) {
		switch (ch) {
		case 'b':
			nb = parse_list(optarg, batches, MAXLIST);
			break;
		case 'D':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'P':
			pair = optarg;
			break;
		case 'r':
			nr = parse_list(optarg, rings, MAXLIST);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'V':
			vlist = optarg;
			break;
		case 'w':
			warmup = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || nb < 1 || nr < 1 || seconds <= 0)
		usage();
	mode = argv[optind];
	if (vlist != NULL) {
		char *copy = strdup(vlist), *tok, *save = NULL;

		for (tok = strtok_r(copy, ", ", &save); tok != NULL &&
		    nv < MAXLIST; tok = strtok_r(NULL, ", ", &save))
			snprintf(variants[nv++], sizeof(variants[0]), "%s", tok);
		free(copy);
	}

	log_init(1, 0, "bench_fwd");
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/ixfwd-bench.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			return 1;
		}
	}
	if (dma_init(DMA_IOVA_VIRT) == -1) {
		printf("bench: fwd failed (no DMA memory: hugepages?)\n");
		return 1;
	}
	/* The control thread samples on the emulator's core, away from
	 * the worker (cpu 0) in emu mode; in null mode the worker is on
	 * cpu 1 and this thread sleeps on cpu 0. */
	CPU_ZERO(&set);
	CPU_SET(strcmp(mode, "null") == 0 ? 0 : 1, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);

	if (strcmp(mode, "null") == 0)
		thread_names[1] = "ixfwd-w1";
	if (pair != NULL)
		return run_pairs(mode, pair, rounds < 1 ? 1 : rounds,
		    batches[0], rings[0]) == -1;
	if (strcmp(mode, "null") == 0 && vlist == NULL)
		return run_null(NULL, batches[0], rings[0], &r) == -1;
	if (strcmp(mode, "null") == 0) {
		for (i = 0; i < nv; i++)
			if ((vok[i] = run_null(variants[i], batches[0],
			    rings[0], &vr[i])) == -1)
				fails++;
		print_ratios("null", variants, vok, vr, nv);
		return fails > 0;
	}
	if (strcmp(mode, "emu") != 0)
		usage();
	if (vlist == NULL) {
		for (j = 0; j < nr; j++)
			for (i = 0; i < nb; i++)
				if (run_emu("bare", batches[i], rings[j], 1,
				    &r) == -1)
					fails++;
		return fails > 0;
	}
	/* Variants: each against the bare runs around it. */
	for (i = 0; i < nv; i++)
		if ((vok[i] = run_emu(variants[i], batches[0], rings[0], 0,
		    &vr[i])) == -1)
			fails++;
	print_ratios("fwd", variants, vok, vr, nv);
	return fails > 0;
}
