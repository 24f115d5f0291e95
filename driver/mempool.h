/*
 * mempool.h: fixed-size packet buffers in DMA memory.
 *
 * A pool has one owner, the worker thread that allocates from it; it takes
 * no locks and no atomics.  A buffer may travel (received on one port, sent
 * on another) but always comes back to its pool on the owner's thread,
 * when that worker cleans the TX queue it sent the buffer on.
 *
 * Buffer layout (an entry of mp->entry_size bytes, never crossing a
 * hugepage so its IOVA range is contiguous):
 *
 *   struct pkt_buf (64 B) | headroom (PKT_HEADROOM) | data (mp->data_size)
 *
 * The data size is the pool's: PKT_DATA_SIZE (2 KiB) from
 * mempool_create(), up to MEMPOOL_DATA_MAX (16 KiB) from
 * mempool_create_sized(), always a multiple of 1 KiB (the unit of the
 * 82599's RX buffer size).  A NIC receives into room[PKT_HEADROOM...]: up
 * to data_size bytes, the RX buffer size the driver programs from the
 * pool, so a frame is always one contiguous buffer.
 */
#ifndef IXFWD_MEMPOOL_H
#define IXFWD_MEMPOOL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "dma.h"

#define PKT_HEADROOM		128
#define PKT_DATA_SIZE		2048	/* mempool_create()'s data size */
#define MEMPOOL_DATA_UNIT	1024	/* data sizes are multiples of it */
#define MEMPOOL_DATA_MAX	16384	/* SRRCTL.BSIZEPKT's largest (§8.2.3.8.7) */
/* Entry size of a pool of data_size bytes: header, headroom, data. */
#define MEMPOOL_ENTRY_SIZE_FOR(data_size) (64 + PKT_HEADROOM + (data_size))
#define MEMPOOL_ENTRY_SIZE	MEMPOOL_ENTRY_SIZE_FOR(PKT_DATA_SIZE)

struct mempool;

struct pkt_buf {
	uint64_t	 iova;		/* IOVA of room[0] */
	struct mempool	*pool;
	uint32_t	 idx;		/* index in the pool */
	uint16_t	 len;		/* frame length */
	uint16_t	 data_off;	/* frame start in room[] */
	uint16_t	 port;		/* input port (pipeline's index) */
	uint16_t	 flags;
	uint32_t	 user;		/* free for the pipeline */
	/* From the NIC's receive write-back (§7.1.6.2), set by rx_batch:
	 * rss_type is the RSS type (PKT_RSS_*; 0: no hash) and rss_hash
	 * the Toeplitz hash the NIC chose the queue with, valid only when
	 * rss_type != 0, so nothing needs to hash the frame again; ptype
	 * is the packet type (PKT_PTYPE_* bits), 0 when the NIC does not
	 * know the frame. */
	uint32_t	 rss_hash;
	uint16_t	 ptype;
	uint8_t		 rss_type;
	uint8_t		 pad[25];
	uint8_t		 room[] __attribute__((aligned(64)));
};
static_assert(sizeof(struct pkt_buf) == 64, "pkt_buf header is one cache line");

/* pkt_buf.rss_type: what the hash covers */
#define PKT_RSS_NONE		0x0
#define PKT_RSS_IPV4_TCP	0x1
#define PKT_RSS_IPV4		0x2
#define PKT_RSS_IPV6_TCP	0x3
#define PKT_RSS_IPV6		0x5
#define PKT_RSS_IPV4_UDP	0x7
#define PKT_RSS_IPV6_UDP	0x8

/* pkt_buf.ptype bits (the write-back's packet type, bits 16:4) */
#define PKT_PTYPE_IPV4		0x001
#define PKT_PTYPE_IPV4E		0x002	/* IPv4 with options */
#define PKT_PTYPE_IPV6		0x004
#define PKT_PTYPE_IPV6E		0x008	/* IPv6 with extension headers */
#define PKT_PTYPE_TCP		0x010
#define PKT_PTYPE_UDP		0x020
#define PKT_PTYPE_SCTP		0x040

struct mempool {
	struct dma_mem	 mem;
	uint32_t	 n;		/* buffers in the pool */
	uint32_t	 nfree;		/* top of free[] */
	struct pkt_buf	**free;		/* stack of free buffers */
	struct pkt_buf	**all;		/* every buffer, by idx */
	uint32_t	 data_size;	/* bytes of data room per buffer */
	uint32_t	 entry_size;	/* MEMPOOL_ENTRY_SIZE_FOR(data_size) */
};

/* n buffers of PKT_DATA_SIZE bytes; NULL with the reason logged. */
struct mempool	*mempool_create(uint32_t n);
/* n buffers of data_size bytes (a multiple of MEMPOOL_DATA_UNIT, up to
 * MEMPOOL_DATA_MAX); NULL with the reason logged. */
struct mempool	*mempool_create_sized(uint32_t n, uint32_t data_size);
void		 mempool_destroy(struct mempool *mp);
/* The hugepages mempool_create_sized(n, data_size) maps: whole entries
 * to a page, never one across two. */
size_t		 mempool_pages(uint32_t n, uint32_t data_size);

static inline uint8_t *
pkt_data(struct pkt_buf *b)
{
	return b->room + b->data_off;
}

/* Bytes of data room a buffer has from PKT_HEADROOM on (its pool's). */
static inline uint32_t
pkt_data_size(const struct pkt_buf *b)
{
	return b->pool->data_size;
}

static inline uint64_t
pkt_iova(const struct pkt_buf *b)
{
	return b->iova + b->data_off;
}

/* Up to n buffers, reset to an empty frame at PKT_HEADROOM; returns how
 * many it gave. */
static inline uint32_t
mempool_alloc_bulk(struct mempool *mp, struct pkt_buf **bufs, uint32_t n)
{
	uint32_t i;

	if (n > mp->nfree)
		n = mp->nfree;
	for (i = 0; i < n; i++) {
		struct pkt_buf *b = mp->free[--mp->nfree];

		b->data_off = PKT_HEADROOM;
		b->len = 0;
		b->flags = 0;
		b->rss_type = 0;
		b->ptype = 0;
		bufs[i] = b;
	}
	return n;
}

static inline struct pkt_buf *
mempool_alloc(struct mempool *mp)
{
	struct pkt_buf *b;

	return mempool_alloc_bulk(mp, &b, 1) == 1 ? b : NULL;
}

/* Back to its own pool; only on the pool owner's thread. */
static inline void
pkt_free(struct pkt_buf *b)
{
	struct mempool *mp = b->pool;

	mp->free[mp->nfree++] = b;
}

#endif /* IXFWD_MEMPOOL_H */
