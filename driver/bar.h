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
 *
 * A bar also carries the way to the function's PCI configuration space
 * (struct bar_cfg), for the one thing the driver does there: turning bus
 * mastering on after it has reset the device and off before it gives the
 * DMA memory back.  On a real NIC it is a file descriptor (sysfs
 * "config", or the config region of a VFIO device fd) used with
 * pread/pwrite, which are async-signal-safe, so a crash handler can use
 * it too; a model fills in cfg.ops.
 */
#ifndef IXFWD_BAR_H
#define IXFWD_BAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bar_ops {
	uint32_t	(*read32)(void *ctx, uint32_t off);
	void		(*write32)(void *ctx, uint32_t off, uint32_t val);
};

struct bar_cfg_ops {
	ssize_t		(*pread)(void *ctx, int fd, void *buf, size_t len,
			    off_t off);
	ssize_t		(*pwrite)(void *ctx, int fd, const void *buf,
			    size_t len, off_t off);
};

struct bar_cfg {
	int			 valid;	/* 0: no config space reachable */
	int			 fd;	/* sysfs config file or VFIO device */
	off_t			 off;	/* where config space starts in fd */
	int			 own_fd; /* close fd with the bar */
	const struct bar_cfg_ops *ops;	/* non-NULL: served by a model */
	void			*ctx;
};

struct bar {
	volatile uint8_t	*mmio;	/* mapped BAR0 of a real device */
	size_t			 len;	/* its length in bytes */
	const struct bar_ops	*ops;	/* non-NULL: a device model */
	void			*ctx;	/* the model's state */
	uint16_t		 device_id; /* PCI device ID (vendor Intel) of
					 * what answers: ixgbe_open() sets up
					 * only supported ones */
	struct bar_cfg		 cfg;	/* its PCI configuration space */
	char			 kdrv[32]; /* the kernel driver pci_open()
					 * unbound, "" if none */
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
