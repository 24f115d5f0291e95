/*
 * bench_bridge.c: what the MAC table costs per frame.
 *
 * A warm table of N stations (1k, 100k) spread over 8 ports; a round of
 * NPKT frames, each from a random known station to a random known one,
 * grouped into batches of 32 that all arrive on one port, as a worker
 * sees them.  Per frame the source is learned (a refresh: nothing to
 * write within the second) and the destination looked up, through
 *
 *	single		bridge_learn() + bridge_lookup(), frame by frame
 *	batch		bridge_learn_lookup_batch()
 *	lookup		bridge_lookup_batch(), no learning
 *
 * The table is sized for the stations (max_entries = N) and, for the
 * large set, also at the largest size (max_entries = 1048576, 32 MB),
 * where the stations are sparse.  One line per table:
 *
 *	stations=N max_entries=M cycles_single=.. cycles_batch=..
 *	    cycles_lookup_only=..
 *
 * cycles are TSC ticks per frame (constant rate, not the core clock), of
 * the fastest round in the time given: the one least disturbed by
 * whatever else the machine runs.
 *
 *	bench_bridge [seconds per measurement, default 0.2]
 *
 * Then the table shared by two workers on two cores (cpu 0 and 1), each
 * a thread running bridge_learn_lookup_batch() on its own frames, 1000
 * stations each, both at once:
 *
 *	threads=1		one thread alone (the baseline)
 *	threads=2 same		both threads hear the same stations (on the
 *				same ports): their learns refresh the same
 *				entries
 *	threads=2 different	each its own stations, in the same table
 *	threads=2 moving	the same stations, each heard by the second
 *				thread on the next port: every frame moves
 *				its source back (a station flapping between
 *				two ports of two workers, as in a loop)
 *
 * with the clock ticking once a round of NPKT frames (a refresh store per
 * station a round: more often than the once a second of real time), or
 * once a batch (every learn a store: the worst case).  One line each:
 *
 *	xcore clock=round|batch threads=1|2 stations=same|different|moving
 *	    cycles=.. ratio=..
 *
 * cycles per frame, median of the rounds of each thread, averaged over
 * the threads; ratio against one thread alone with the same clock.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bridge.h"

#define NPKT		(1 << 16)
#define BATCH		32
#define NPORTS		8

static uint8_t		 frames[NPKT][16];
static const uint8_t	*fp[NPKT];
static int		 in_port[NPKT / BATCH];
static int		 src_port[NPKT];
static double		 seconds = 0.2;
static volatile int	 sink;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void
mac_of(uint32_t i, uint8_t *mac)
{
	uint64_t x = (i + 1) * UINT64_C(0x9e3779b97f4a7c15);

	memcpy(mac, &x, 6);
	mac[0] = (mac[0] & 0xfc) | 0x02;	/* unicast, local */
}

/* Station i is on port i % NPORTS. */
static void
make_round(uint32_t nst, uint64_t seed)
{
	uint32_t b, i;

	for (b = 0; b < NPKT / BATCH; b++) {
		int port = (int)(xorshift(&seed) % NPORTS);

		in_port[b] = port;
		for (i = b * BATCH; i < (b + 1) * BATCH; i++) {
			uint32_t s = (uint32_t)(xorshift(&seed) %
			    (nst / NPORTS)) * NPORTS + (uint32_t)port;
			uint32_t d = (uint32_t)(xorshift(&seed) % nst);

			mac_of(d, frames[i]);
			mac_of(s, frames[i] + 6);
			src_port[i] = port;
			fp[i] = frames[i];
		}
	}
}

enum mode { SINGLE, BATCHED, LOOKUP };

static double
run(struct bridge *br, enum mode mode, uint32_t t)
{
	int8_t out[BATCH];
	uint64_t best = UINT64_MAX;
	double end = now() + seconds;
	int acc = 0;
	uint32_t b, i;

	while (now() < end) {
		uint64_t c0 = __rdtsc();

		switch (mode) {
		case SINGLE:
			for (i = 0; i < NPKT; i++) {
				bridge_learn(br, fp[i] + 6, 0, src_port[i], t);
				acc += bridge_lookup(br, fp[i], 0, t);
			}
			break;
		case BATCHED:
			for (b = 0; b < NPKT / BATCH; b++) {
				bridge_learn_lookup_batch(br, fp + b * BATCH,
				    NULL, BATCH, in_port[b], t, out);
				acc += out[0];
			}
			break;
		case LOOKUP:
			for (b = 0; b < NPKT / BATCH; b++) {
				bridge_lookup_batch(br, fp + b * BATCH, NULL,
				    BATCH, t, out);
				acc += out[0];
			}
			break;
		}
		if (__rdtsc() - c0 < best)
			best = __rdtsc() - c0;
	}
	sink = acc;
	return (double)best / NPKT;
}

static void
bench(uint32_t nst, uint32_t max_entries)
{
	struct bridge *br;
	struct bridge_stats st;
	uint32_t i, t = 1000;
	uint8_t mac[6];

	if ((br = bridge_create(max_entries, 300, 1)) == NULL)
		exit(1);
	for (i = 0; i < nst; i++) {
		mac_of(i, mac);
		bridge_learn(br, mac, 0, (int)(i % NPORTS), t);
	}
	bridge_stats(br, &st);
	if (st.entries != nst) {
		fprintf(stderr, "only %llu of %u stations learned\n",
		    (unsigned long long)st.entries, nst);
		exit(1);
	}
	make_round(nst, 0x2545f4914f6cdd1dULL);
	run(br, BATCHED, t);		/* warm up */
	printf("stations=%u max_entries=%u cycles_single=%.1f "
	    "cycles_batch=%.1f cycles_lookup_only=%.1f\n", nst, max_entries,
	    run(br, SINGLE, t), run(br, BATCHED, t), run(br, LOOKUP, t));
	bridge_stats(br, &st);
	if (st.learned != nst || st.moved != 0)
		fprintf(stderr, "unexpected: learned %llu moved %llu\n",
		    (unsigned long long)st.learned,
		    (unsigned long long)st.moved);
	bridge_free(br);
}

/* ---- two cores ------------------------------------------------------ */

#define XROUNDS_MAX	4096

struct xthread {
	pthread_t	 thread;
	int		 cpu;
	int		 per_batch;	/* the clock ticks every batch */
	int		 shift;		/* frames arrive on port + shift */
	uint32_t	 first;		/* its stations: first .. first + 999 */
	struct bridge	*br;
	pthread_barrier_t *start;
	uint8_t		 (*fr)[16];
	const uint8_t	**p;
	int		 port[NPKT / BATCH];
	double		 cycles;	/* per frame, median of the rounds */
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void *
xrun(void *arg)
{
	struct xthread *x = arg;
	static __thread double per[XROUNDS_MAX];
	cpu_set_t set;
	int8_t out[BATCH];
	uint32_t t = 1000, b;
	double end;
	int n = 0, acc = 0;

	CPU_ZERO(&set);
	CPU_SET(x->cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_barrier_wait(x->start);
	end = now() + seconds;
	while (now() < end && n < XROUNDS_MAX) {
		uint64_t c0 = __rdtsc();

		t++;
		for (b = 0; b < NPKT / BATCH; b++) {
			bridge_learn_lookup_batch(x->br, x->p + b * BATCH,
			    NULL, BATCH, x->port[b], x->per_batch ? t++ : t,
			    out);
			acc += out[0];
		}
		per[n++] = (double)(__rdtsc() - c0) / NPKT;
	}
	sink = acc;
	qsort(per, (size_t)n, sizeof(per[0]), cmp_double);
	x->cycles = n == 0 ? 0 : per[n / 2];
	return NULL;
}

/* Frames from stations first .. first + 999 (station i on port i % 8) to
 * random ones of the same thousand. */
static void
xframes(struct xthread *x, uint64_t seed)
{
	uint32_t b, i;

	for (b = 0; b < NPKT / BATCH; b++) {
		int port = (int)(xorshift(&seed) % NPORTS);

		x->port[b] = (port + x->shift) % NPORTS;
		for (i = b * BATCH; i < (b + 1) * BATCH; i++) {
			uint32_t s = (uint32_t)(xorshift(&seed) %
			    (1000 / NPORTS)) * NPORTS + (uint32_t)port;
			uint32_t d = (uint32_t)(xorshift(&seed) % 1000);

			mac_of(x->first + d, x->fr[i]);
			mac_of(x->first + s, x->fr[i] + 6);
			x->p[i] = x->fr[i];
		}
	}
}

enum xstations { X_DIFFERENT, X_SAME, X_MOVING };

/* nthreads 1 or 2; X_SAME: the second thread's stations are the first's;
 * X_MOVING: and it hears them on the next port. */
static double
xcore(int nthreads, enum xstations st, int per_batch)
{
	static struct xthread xt[2];
	pthread_barrier_t start;
	struct bridge *br;
	uint32_t i;
	uint8_t mac[6];
	double sum = 0;
	int k;

	if ((br = bridge_create(4096, BRIDGE_AGING_MAX, 0)) == NULL)
		exit(1);
	for (i = 0; i < 2000; i++) {
		mac_of(i, mac);
		bridge_learn(br, mac, 0, (int)(i % NPORTS), 1000);
	}
	pthread_barrier_init(&start, NULL, (unsigned)nthreads);
	for (k = 0; k < nthreads; k++) {
		struct xthread *x = &xt[k];

		if (x->fr == NULL && ((x->fr = malloc(NPKT * 16)) == NULL ||
		    (x->p = malloc(NPKT * sizeof(*x->p))) == NULL))
			exit(1);
		x->cpu = k;
		x->per_batch = per_batch;
		x->first = st != X_DIFFERENT ? 0 : 1000 * (uint32_t)k;
		x->shift = st == X_MOVING ? k : 0;
		x->br = br;
		x->start = &start;
		xframes(x, 0x2545f4914f6cdd1dULL + (uint64_t)k);
		if (pthread_create(&x->thread, NULL, xrun, x) != 0)
			exit(1);
	}
	for (k = 0; k < nthreads; k++) {
		pthread_join(xt[k].thread, NULL);
		sum += xt[k].cycles;
	}
	pthread_barrier_destroy(&start);
	bridge_free(br);
	return sum / nthreads;
}

static void
xcore_all(void)
{
	static const char *const clk[2] = { "round", "batch" };
	static const char *const name[3] = { "different", "same", "moving" };
	static const enum xstations order[3] = { X_SAME, X_DIFFERENT,
	    X_MOVING };
	double one, two;
	int pb, k;

	for (pb = 0; pb < 2; pb++) {
		one = xcore(1, X_SAME, pb);
		printf("xcore clock=%s threads=1 stations=own cycles=%.1f "
		    "ratio=1\n", clk[pb], one);
		/* a move is a store whatever the clock: once is enough */
		for (k = 0; k < (pb == 0 ? 3 : 2); k++) {
			two = xcore(2, order[k], pb);
			printf("xcore clock=%s threads=2 stations=%s cycles=%.1f "
			    "ratio=%.3f\n", clk[pb], name[order[k]], two,
			    one > 0 ? two / one : 0);
		}
		fflush(stdout);
	}
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		seconds = atof(argv[1]);
	bench(1000, 1000);
	bench(100000, 100000);
	bench(100000, 1048576);
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
		xcore_all();
	return 0;
}
