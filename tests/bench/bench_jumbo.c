/*
 * bench_jumbo.c: what receiving a jumbo frame costs the worker under the
 * two schemes an 82599 allows, in TSC cycles per frame:
 *
 *   onebuf   the queue's buffers hold a whole frame (SRRCTL.BSIZEPKT from
 *            a pool of 9 KiB buffers): one descriptor per frame, the
 *            pipeline sees contiguous bytes.  This is what the driver
 *            does (ixgbe.c).
 *   scatter  2 KiB buffers, a 9014-byte frame over 5 descriptors chained
 *            up to EOP, then copied into one 9 KiB buffer, since the
 *            filters (libpcap BPF), the parser and the bridge need
 *            contiguous bytes (DPDK's scattered RX plus a linearisation).
 *
 * Both run the driver's RX loop on a ring in DMA memory (descriptor
 * read, DD/EOP/length, buffer swapped for a fresh one from the pool,
 * descriptor re-armed), then touch the frame's first line as the parser
 * would and free it.  The NIC's part (writing frames and descriptors) is
 * done between timed batches, by this thread; with data=cold every line
 * it wrote is flushed to memory first, as after a DMA write that did not
 * go to the cache, with data=warm it is left in this core's cache (a
 * lower bound for the copy).  The baseline is 64-byte frames (one
 * descriptor, the same code in both schemes).  Configurations alternate
 * round by round; each figure is the median over every timed batch of
 * every round (a batch another thread interrupted is an outlier).
 *
 *	bench_jumbo [-r rounds]
 *
 * prints "bench: jumbo scheme=S frame=N data=D cycles=C ratio=R" (R:
 * against 64-byte frames with the same data state) and a decision line
 * with the ratio of scatter to onebuf at 9014 bytes (sink: a figure the
 * compiler cannot drop, meaningless).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x86intrin.h>

#include "dma.h"
#include "ixgbe_desc.h"
#include "log.h"
#include "mempool.h"

#define RING		512
#define BURST		32
#define FRAMES_ROUND	8192		/* frames per configuration per round */
#define BIG_DATA	9216		/* 9 KiB: MTU 9000, VLAN tag included */
#define JUMBO		9014

struct sim {
	union ixgbe_adv_rx_desc	*ring;
	struct pkt_buf		*bufs[RING];
	struct mempool		*pool;		/* the queue's buffers */
	struct mempool		*big;		/* scatter: linearised frames */
	uint32_t		 bsize;		/* bytes per descriptor */
	uint16_t		 next;		/* driver: next descriptor */
	uint16_t		 head;		/* NIC: next descriptor */
	struct pkt_buf		*chain[16];	/* scatter: frame so far */
	uint32_t		 nchain;
	uint64_t		 sink;
};

static struct dma_mem ringmem;

static void
flush(const void *p, size_t len)
{
	const uint8_t *c = (const uint8_t *)((uintptr_t)p & ~(uintptr_t)63);
	const uint8_t *end = (const uint8_t *)p + len;

	for (; c < end; c += 64)
		_mm_clflush(c);
}

/* The NIC: n frames of len bytes, BSIZEPKT bytes per descriptor. */
static void
nic_write(struct sim *s, uint32_t n, uint32_t len, int cold)
{
	static uint8_t frame[BIG_DATA];
	uint32_t i, off, chunk;

	for (i = 0; i < len; i++)
		frame[i] = (uint8_t)(i * 13);
	for (i = 0; i < n; i++) {
		for (off = 0; off < len; off += chunk) {
			union ixgbe_adv_rx_desc *d = &s->ring[s->head];
			uint8_t *dst = pkt_data(s->bufs[s->head]);

			chunk = len - off < s->bsize ? len - off : s->bsize;
			frame[17] = (uint8_t)i;
			memcpy(dst, frame + off, chunk);
			d->wb.lo_dword = 0;
			d->wb.hi_dword = 0;
			d->wb.length = (uint16_t)chunk;
			d->wb.vlan = 0;
			d->wb.status_error = IXGBE_RXD_STAT_DD |
			    (off + chunk == len ? IXGBE_RXD_STAT_EOP : 0);
			if (cold) {
				flush(dst, chunk);
				flush(d, sizeof(*d));
			}
			s->head = (s->head + 1) & (RING - 1);
		}
	}
	_mm_mfence();
}

/* The pipeline's first look at a frame: its header line. */
static inline void
consume(struct sim *s, struct pkt_buf *b)
{
	const uint8_t *p = pkt_data(b);

	s->sink += p[12] + p[17] + b->len;
	pkt_free(b);
}

/* The driver's RX loop (ixgbe_rx_batch), delivering each frame to
 * consume(); scatter chains descriptors to EOP and copies. */
static uint32_t
rx(struct sim *s, int scatter)
{
	struct pkt_buf *fresh[BURST];
	uint32_t nd, na, i, got = 0;
	uint16_t idx = s->next;

	for (;;) {
		for (nd = 0; nd < BURST; nd++)
			if (!(__atomic_load_n(&s->ring[(idx + nd) &
			    (RING - 1)].wb.status_error, __ATOMIC_RELAXED) &
			    IXGBE_RXD_STAT_DD))
				break;
		if (nd == 0)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		na = mempool_alloc_bulk(s->pool, fresh, nd);
		if (na < nd)
			abort();
		for (i = 0; i < nd; i++) {
			union ixgbe_adv_rx_desc *d = &s->ring[idx];
			uint32_t status = d->wb.status_error;
			uint16_t len = d->wb.length;
			struct pkt_buf *b = s->bufs[idx];

			s->bufs[idx] = fresh[i];
			d->read.pkt_addr = pkt_iova(fresh[i]);
			d->read.hdr_addr = 0;
			idx = (idx + 1) & (RING - 1);
			b->len = len;
			b->data_off = PKT_HEADROOM;
			if (!scatter) {
				consume(s, b);
				got++;
				continue;
			}
			s->chain[s->nchain++] = b;
			if (!(status & IXGBE_RXD_STAT_EOP))
				continue;
			if (s->nchain == 1)
				consume(s, b);
			else {
				struct pkt_buf *lb = mempool_alloc(s->big);
				uint32_t k, off = 0;

				for (k = 0; k < s->nchain; k++) {
					memcpy(pkt_data(lb) + off,
					    pkt_data(s->chain[k]),
					    s->chain[k]->len);
					off += s->chain[k]->len;
					pkt_free(s->chain[k]);
				}
				lb->len = (uint16_t)off;
				consume(s, lb);
			}
			s->nchain = 0;
			got++;
		}
	}
	s->next = idx;
	return got;
}

static int
sim_init(struct sim *s, uint32_t data_size, int scatter)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->ring = (union ixgbe_adv_rx_desc *)ringmem.virt +
	    (scatter ? RING : 0);
	s->bsize = data_size;
	if ((s->pool = mempool_create_sized(4096, data_size)) == NULL)
		return -1;
	if (scatter && (s->big = mempool_create_sized(64, BIG_DATA)) == NULL)
		return -1;
	for (i = 0; i < RING; i++) {
		s->bufs[i] = mempool_alloc(s->pool);
		s->ring[i].read.pkt_addr = pkt_iova(s->bufs[i]);
		s->ring[i].read.hdr_addr = 0;
	}
	return 0;
}

#define SAMPLES_MAX	65536

struct samples {
	double		 v[SAMPLES_MAX];
	uint32_t	 n;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(struct samples *sm)
{
	if (sm->n == 0)
		return 0;
	qsort(sm->v, sm->n, sizeof(sm->v[0]), cmp_double);
	return sm->v[sm->n / 2];
}

/* FRAMES_ROUND frames of len bytes; each timed batch's cycles per frame
 * go to sm (if not NULL). */
static void
measure(struct sim *s, int scatter, uint32_t len, int cold,
    struct samples *sm)
{
	uint32_t per = (len + s->bsize - 1) / s->bsize;
	uint32_t batch = (RING - 32) / per, done = 0, n, got;
	uint64_t cycles, t0;

	if (batch > 256)
		batch = 256;
	while (done < FRAMES_ROUND) {
		n = FRAMES_ROUND - done < batch ? FRAMES_ROUND - done : batch;
		nic_write(s, n, len, cold);
		t0 = __rdtsc();
		got = rx(s, scatter);
		cycles = __rdtsc() - t0;
		if (got != n)
			abort();
		if (sm != NULL && sm->n < SAMPLES_MAX)
			sm->v[sm->n++] = (double)cycles / n;
		done += n;
	}
}

int
main(int argc, char **argv)
{
	static struct samples sm[2][3];
	struct sim one, sc;
	double best[2][3];
	int rounds = 15, r, c, k, ch;
	static const char *names[3] = { "64", "onebuf", "scatter" };

	while ((ch = getopt(argc, argv, "r:")) != -1)
		if (ch == 'r')
			rounds = atoi(optarg);
	log_init(1, 0, "bench_jumbo");
	if (dma_init(DMA_IOVA_VIRT) == -1 ||
	    dma_alloc(&ringmem, 2 * RING * sizeof(union ixgbe_adv_rx_desc),
	    0) == -1) {
		printf("bench: jumbo failed (no DMA memory: hugepages?)\n");
		return 0;
	}
	if (sim_init(&one, BIG_DATA, 0) == -1 ||
	    sim_init(&sc, 2048, 1) == -1) {
		printf("bench: jumbo failed (no DMA memory for the pools)\n");
		return 0;
	}
	/* warm-up round, not counted */
	measure(&one, 0, 64, 0, NULL);
	measure(&sc, 1, JUMBO, 0, NULL);
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < 2; c++) {
			measure(&one, 0, 64, c, &sm[c][0]);
			measure(&one, 0, JUMBO, c, &sm[c][1]);
			measure(&sc, 1, JUMBO, c, &sm[c][2]);
		}
	}
	for (c = 0; c < 2; c++)
		for (k = 0; k < 3; k++)
			best[c][k] = median(&sm[c][k]);
	for (c = 0; c < 2; c++) {
		const char *data = c ? "cold" : "warm";

		printf("bench: jumbo scheme=onebuf frame=64 data=%s "
		    "cycles=%.1f ratio=1\n", data, best[c][0]);
		for (k = 1; k < 3; k++)
			printf("bench: jumbo scheme=%s frame=%d data=%s "
			    "cycles=%.1f ratio=%.2f\n", names[k], JUMBO, data,
			    best[c][k], best[c][k] / best[c][0]);
	}
	printf("bench: jumbo decision scheme=onebuf scatter_over_onebuf_cold=%.1f "
	    "scatter_over_onebuf_warm=%.1f sink=%llu\n", best[1][2] / best[1][1],
	    best[0][2] / best[0][1],
	    (unsigned long long)(one.sink + sc.sink) % 10);
	return 0;
}
