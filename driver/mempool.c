/*
 * mempool.c: creating and destroying pools of packet buffers (the fast
 * path's alloc/free are static inline in mempool.h).
 */
#include <stdlib.h>

#include "log.h"
#include "mempool.h"

#define ENTRIES_PER_PAGE	(DMA_PAGE_SIZE / MEMPOOL_ENTRY_SIZE)

struct mempool *
mempool_create(uint32_t n)
{
	struct mempool *mp;
	uint32_t i, pages;

	if (n == 0) {
		log_warnx("mempool: no buffers asked for");
		return NULL;
	}
	if ((mp = calloc(1, sizeof(*mp))) == NULL ||
	    (mp->free = calloc(n, sizeof(*mp->free))) == NULL ||
	    (mp->all = calloc(n, sizeof(*mp->all))) == NULL) {
		log_warn("mempool");
		goto fail;
	}
	/* Entries never cross a hugepage, so each buffer is contiguous in
	 * IOVA space whatever the pages' physical addresses. */
	pages = (n + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE;
	if (dma_alloc(&mp->mem, (size_t)pages * DMA_PAGE_SIZE, 0) == -1)
		goto fail;
	mp->n = n;
	for (i = 0; i < n; i++) {
		uint8_t *page = (uint8_t *)mp->mem.virt +
		    (size_t)(i / ENTRIES_PER_PAGE) * DMA_PAGE_SIZE;
		struct pkt_buf *b = (struct pkt_buf *)(page +
		    (size_t)(i % ENTRIES_PER_PAGE) * MEMPOOL_ENTRY_SIZE);

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
