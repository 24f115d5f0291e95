/*
 * bar.h: the one seam between the driver and a device: 32-bit accesses to
 * the memory-mapped register file (BAR0).
 *
 * On a real NIC, bar.mmio points at resource0 mapped through sysfs and an
 * access is a volatile load or store.  A device model (driver/emu82599.c)
 * fills in bar.ops instead, so that reads and writes reach it as calls and
 * it can give them their side effects (clear-on-read counters, write-1-to-
 * clear causes, self-clearing reset, doorbells).  The driver is the same
 * code either way and cannot tell the difference.
 */
#ifndef IXFWD_BAR_H
#define IXFWD_BAR_H

#include <stddef.h>
#include <stdint.h>

struct bar_ops {
	uint32_t	(*read32)(void *ctx, uint32_t off);
	void		(*write32)(void *ctx, uint32_t off, uint32_t val);
};

struct bar {
	volatile uint8_t	*mmio;	/* mapped BAR0 of a real device */
	size_t			 len;	/* its length in bytes */
	const struct bar_ops	*ops;	/* non-NULL: a device model */
	void			*ctx;	/* the model's state */
	uint16_t		 device_id; /* PCI device ID (vendor Intel) of
					 * what answers: ixgbe_open() sets up
					 * only supported ones */
};

static inline uint32_t
bar_read32(const struct bar *b, uint32_t off)
{
	if (__builtin_expect(b->ops != NULL, 0))
		return b->ops->read32(b->ctx, off);
	return *(volatile uint32_t *)(b->mmio + off);
}

static inline void
bar_write32(const struct bar *b, uint32_t off, uint32_t val)
{
	if (__builtin_expect(b->ops != NULL, 0)) {
		b->ops->write32(b->ctx, off, val);
		return;
	}
	*(volatile uint32_t *)(b->mmio + off) = val;
}

static inline void
bar_set32(const struct bar *b, uint32_t off, uint32_t bits)
{
	bar_write32(b, off, bar_read32(b, off) | bits);
}

static inline void
bar_clear32(const struct bar *b, uint32_t off, uint32_t bits)
{
	bar_write32(b, off, bar_read32(b, off) & ~bits);
}

#endif /* IXFWD_BAR_H */
