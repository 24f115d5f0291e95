/*
 * cacheline.h: memory that a worker writes per packet, on cache lines of
 * its own.
 *
 * Two threads that write different variables in one 64-byte line make the
 * line bounce between their cores (false sharing): each store waits for
 * the other core to give the line up.  calloc() hands out 16-byte aligned
 * chunks packed next to each other, so the ring bookkeeping of RX queue 0
 * and that of RX queue 1, allocated one after the other and served by two
 * workers, end and begin in the same line.  An allocation from
 * calloc_lines() starts a line and fills its last one, so no other object
 * lives in any line it touches, whatever the allocator puts around it.
 */
#ifndef IXFWD_CACHELINE_H
#define IXFWD_CACHELINE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_LINE	64

/* size rounded up to whole lines; 0 on overflow. */
static inline size_t
cacheline_round(size_t size)
{
	if (size > SIZE_MAX - (CACHE_LINE - 1))
		return 0;
	return (size + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
}

/* n objects of size bytes, zeroed, on lines of their own; free() it.
 * NULL with errno set on overflow or when memory is short. */
static inline void *
calloc_lines(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	if (size > SIZE_MAX / n || (bytes = cacheline_round(n * size)) == 0) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = aligned_alloc(CACHE_LINE, bytes)) == NULL)
		return NULL;
	return memset(p, 0, bytes);
}

#endif /* IXFWD_CACHELINE_H */
