/*
 * bench_membw.c: memory bandwidth from one core and from two at once,
 * the ceiling of forwarding that touches memory per packet (a NIC's DMA
 * and the worker's reads and writes of buffers and descriptors).
 *
 *	bench_membw [MiB per thread, default 64]
 *
 * Each thread reads its own buffer (a sum of 64-bit words) and then
 * writes it (memset), larger than any cache, several passes; the figure
 * is the fastest pass, in GB/s, of one thread on cpu 0 alone and of two
 * threads on cpu 0 and cpu 1 together (their sum).  One line:
 *
 *	bench: membw read_1=.. read_2=.. write_1=.. write_2=.. (GB/s)
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASSES	4

struct mthread {
	pthread_t	 thread;
	int		 cpu;
	size_t		 len;
	uint64_t	*buf;
	pthread_barrier_t *bar;
	double		 rd, wr;	/* GB/s, the fastest pass */
};

static volatile uint64_t sink;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *
mrun(void *arg)
{
	struct mthread *m = arg;
	cpu_set_t set;
	uint64_t s = 0;
	size_t i, n = m->len / 8;
	double t;
	int p;

	CPU_ZERO(&set);
	CPU_SET(m->cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	memset(m->buf, 1, m->len);
	m->rd = m->wr = 0;
	for (p = 0; p < PASSES; p++) {
		pthread_barrier_wait(m->bar);
		t = now();
		for (i = 0; i < n; i += 4)
			s += m->buf[i] + m->buf[i + 1] + m->buf[i + 2] +
			    m->buf[i + 3];
		t = now() - t;
		if ((double)m->len / t / 1e9 > m->rd)
			m->rd = (double)m->len / t / 1e9;
		pthread_barrier_wait(m->bar);
		t = now();
		memset(m->buf, p, m->len);
		t = now() - t;
		if ((double)m->len / t / 1e9 > m->wr)
			m->wr = (double)m->len / t / 1e9;
	}
	sink = s;
	return NULL;
}

static void
measure(int nthreads, size_t len, double *rd, double *wr)
{
	static struct mthread mt[2];
	pthread_barrier_t bar;
	int k;

	pthread_barrier_init(&bar, NULL, (unsigned)nthreads);
	for (k = 0; k < nthreads; k++) {
		mt[k].cpu = k;
		mt[k].len = len;
		mt[k].bar = &bar;
		if (mt[k].buf == NULL && (mt[k].buf = aligned_alloc(4096,
		    len)) == NULL) {
			printf("bench: membw failed (no memory)\n");
			exit(1);
		}
		if (pthread_create(&mt[k].thread, NULL, mrun, &mt[k]) != 0)
			exit(1);
	}
	*rd = *wr = 0;
	for (k = 0; k < nthreads; k++) {
		pthread_join(mt[k].thread, NULL);
		*rd += mt[k].rd;
		*wr += mt[k].wr;
	}
	pthread_barrier_destroy(&bar);
}

int
main(int argc, char **argv)
{
	size_t len = (size_t)(argc > 1 ? atoi(argv[1]) : 64) << 20;
	double r1, w1, r2, w2;

	measure(1, len, &r1, &w1);
	measure(2, len, &r2, &w2);
	printf("bench: membw read_1=%.2f read_2=%.2f write_1=%.2f "
	    "write_2=%.2f\n", r1, r2, w1, w2);
	return 0;
}
