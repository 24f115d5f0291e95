/*
 * bench_capture.c: how many samples per second the capture writer puts
 * into files, the capture engine (capture.h) driven directly.
 *
 *	bench_capture [-t seconds] [-s snaplen] [-D dir]
 *
 * One capture of everything (sample: 1) at snaplen 128 on port 0, RX.  A
 * producer thread on cpu 0 offers batches of 32 64-byte frames with
 * capture_sample_batch() as fast as it can for -t seconds, the writer
 * thread runs on cpu 1 and writes pcap files into dir (a tmpfs, default
 * /dev/shm), rotated at 64 MiB, two kept.  The rate is what the files
 * got (records the kernel took, counted once capture_stop() has drained
 * the rings and flushed), over the time from the first sample to the end
 * of capture_stop(); what the rings could not take is counted, not
 * waited for, as on the fast path.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "capture.h"
#include "log.h"
#include "mempool.h"

#define BATCH		32
#define FRAME_LEN	60

static double	seconds = 2.0;
static int	stop;
static uint64_t	offered;
static uint64_t	producer_cycles;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *
producer(void *arg)
{
	struct capture_worker *cw = arg;
	struct pkt_buf *bufs[BATCH];
	uint64_t n = 0, t0;
	int i;

	pin(0);
	for (i = 0; i < BATCH; i++) {
		uint8_t *f;

		bufs[i] = aligned_alloc(64, MEMPOOL_ENTRY_SIZE);
		if (bufs[i] == NULL)
			abort();
		memset(bufs[i], 0, MEMPOOL_ENTRY_SIZE);
		bufs[i]->data_off = PKT_HEADROOM;
		bufs[i]->len = FRAME_LEN;
		f = pkt_data(bufs[i]);
		memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"
		    "\x08\x00\x45\x00\x00\x2e", 18);
		f[23] = 17;		/* UDP */
		f[59] = (uint8_t)i;
	}
	t0 = __rdtsc();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		uint64_t ts = 0;

		capture_sample_batch(cw, 0, CAPTURE_RX, bufs, BATCH, NULL,
		    &ts);
		n += BATCH;
	}
	producer_cycles = __rdtsc() - t0;
	offered = n;
	for (i = 0; i < BATCH; i++)
		free(bufs[i]);
	return NULL;
}

int
main(int argc, char **argv)
{
	char dir[512] = "", err[256], cmd[600];
	struct capture_conf cc;
	struct capture_stats st;
	struct capture_set *cs;
	struct timespec ts;
	pthread_t thr;
	cpu_set_t wcpu;
	uint32_t snaplen = 128;
	double t0, t1, t2;
	int ch, rc;

	while ((ch = getopt(argc, argv, "D:s:t:")) != -1) {
		switch (ch) {
		case 'D':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		case 's':
			snaplen = (uint32_t)atoi(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_capture [-t seconds] "
			    "[-s snaplen] [-D dir]\n");
			return 2;
		}
	}
	log_init(1, 0, "bench_capture");
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/dev/shm/ixfwd-bench-capture.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			printf("bench: capture skipped (mkdtemp %s: %s)\n", dir,
			    strerror(errno));
			return 0;
		}
	}

	capture_conf_defaults(&cc);
	snprintf(cc.name, sizeof(cc.name), "bench");
	snprintf(cc.port_name, sizeof(cc.port_name), "p0");
	cc.port = 0;
	cc.direction = CAPTURE_RX;
	cc.sample = 1;
	cc.snaplen = snaplen;
	snprintf(cc.file, sizeof(cc.file), "%.400s/bench-%%H%%M%%S.pcap", dir);
	cc.rotate_size = 64u << 20;
	cc.rotate_count = 2;
	if (capture_conf_check(&cc, err, sizeof(err)) == -1) {
		printf("bench: capture failed (%s)\n", err);
		return 1;
	}
	if ((cs = capture_create(&cc, 1, 1)) == NULL ||
	    capture_worker_bind(cs, 0, 0, CAPTURE_RX) == -1) {
		printf("bench: capture failed (capture_create; see the log)\n");
		return 1;
	}
	CPU_ZERO(&wcpu);
	CPU_SET(1, &wcpu);
	if (capture_start(cs, &wcpu) == -1) {
		printf("bench: capture failed (capture_start; see the log)\n");
		capture_destroy(cs);
		return 1;
	}
	t0 = now();
	if ((rc = pthread_create(&thr, NULL, producer,
	    capture_worker(cs, 0))) != 0) {
		printf("bench: capture failed (pthread_create: %s)\n",
		    strerror(rc));
		return 1;
	}
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(thr, NULL);
	t1 = now();
	capture_stop(cs);
	t2 = now();
	capture_stats(cs, 0, &st);
	capture_destroy(cs);

	printf("bench: capture snaplen=%u samples_per_s=%.0f mbytes_per_s=%.1f "
	    "offered_per_s=%.0f sampled=%llu written=%llu ring_full=%llu "
	    "write_failed=%llu files=%llu producer_cycles_per_pkt=%.1f "
	    "drain_s=%.3f\n", snaplen, (double)st.written / (t2 - t0),
	    (double)st.bytes / (t2 - t0) / 1e6, (double)offered / (t1 - t0),
	    (unsigned long long)st.sampled, (unsigned long long)st.written,
	    (unsigned long long)st.ring_full,
	    (unsigned long long)st.write_failed,
	    (unsigned long long)st.files,
	    offered ? (double)producer_cycles / (double)offered : 0,
	    t2 - t1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (strncmp(dir, "/dev/shm/ixfwd-bench-capture.", 29) == 0 &&
	    system(cmd) != 0)
		fprintf(stderr, "bench_capture: could not remove %s\n", dir);
	return st.write_failed > 0;
}
