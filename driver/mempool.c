/*
 * mempool.c: creating and destroying pools of packet buffers (the fast
 * path's alloc/free are static inline in mempool.h).
 */
#include <stdlib.h>

#include "cacheline.h"
#include "log.h"
#include "mempool.h"

struct mempool *
mempool_create(uint32_t n)
{
	return mempool_create_sized(n, PKT_DATA_SIZE);
}

size_t
mempool_pages(uint32_t n, uint32_t data_size)
{
	uint32_t per_page = DMA_PAGE_SIZE / MEMPOOL_ENTRY_SIZE_FOR(data_size);

	return ((size_t)n + per_page - 1) / per_page;
}

struct mempool *
mempool_create_sized(uint32_t n, uint32_t data_size)
{
	struct mempool *mp = NULL;
	uint32_t i, entry, per_page;

	if (n == 0) {
		log_warnx("mempool: no buffers asked for");
		return NULL;
	}
	if (data_size == 0 || data_size % MEMPOOL_DATA_UNIT != 0 ||
	    data_size > MEMPOOL_DATA_MAX) {
		log_warnx("mempool: buffers of %u bytes: must be a multiple "
		    "of %u up to %u", data_size, MEMPOOL_DATA_UNIT,
		    MEMPOOL_DATA_MAX);
		return NULL;
	}
	/* A multiple of 64 since data_size is: every pkt_buf and its
	 * room[] stay cache-line aligned. */
	entry = MEMPOOL_ENTRY_SIZE_FOR(data_size);
	per_page = DMA_PAGE_SIZE / entry;
	/* nfree and the top of free[] are written per packet by the
	 * pool's owner, next to other workers' pools: lines of their own
	 * (cacheline.h). */
	if ((mp = calloc_lines(1, sizeof(*mp))) == NULL ||
	    (mp->free = calloc_lines(n, sizeof(*mp->free))) == NULL ||
	    (mp->all = calloc(n, sizeof(*mp->all))) == NULL) {
		log_warn("mempool");
		goto fail;
	}
	/* Entries never cross a hugepage, so each buffer is contiguous in
	 * IOVA space whatever the pages' physical addresses. */
	if (dma_alloc(&mp->mem, mempool_pages(n, data_size) * DMA_PAGE_SIZE,
	    0) == -1)
		goto fail;
	mp->n = n;
	mp->data_size = data_size;
	mp->entry_size = entry;
	for (i = 0; i < n; i++) {
		uint8_t *page = (uint8_t *)mp->mem.virt +
		    (size_t)(i / per_page) * DMA_PAGE_SIZE;
		struct pkt_buf *b = (struct pkt_buf *)(page +
		    (size_t)(i % per_page) * entry);

		b->iova = dma_virt_to_iova(b->room);
		b->pool = mp;
		b->idx = i;
		b->data_off = PKT_HEADROOM;
		mp->all[i] = b;
		/* hand out low indexes first: they share pages and cache */
		mp->free[n - 1 - i] = b;
	}
	mp->nfree = n;
	return mp;

fail:
	mempool_destroy(mp);
	return NULL;
}

void
mempool_destroy(struct mempool *mp)
{
	if (mp == NULL)
		return;
	dma_free(&mp->mem);
	free(mp->free);
	free(mp->all);
	free(mp);
}
