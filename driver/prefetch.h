/*
 * prefetch.h: a prefetch with intent to write (PREFETCHW).  The line is
 * fetched exclusive, so the stores that follow do not wait for it, nor
 * does a read of it have to be followed by taking it again for a write.
 * Written out because GCC emits PREFETCHW only for a -march that names
 * it; processors without it execute the opcode as a no-op.
 */
#ifndef IXFWD_PREFETCH_H
#define IXFWD_PREFETCH_H

static inline void
prefetchw(const void *p)
{
	__asm__ volatile("prefetchw %0" : : "m" (*(const char *)p));
}

#endif /* IXFWD_PREFETCH_H */
