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
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

int
main(int argc, char **argv)
{
	if (argc > 1)
		seconds = atof(argv[1]);
	bench(1000, 1000);
	bench(100000, 100000);
	bench(100000, 1048576);
	return 0;
}
