/*
 * pci_cfg.c: the PCI configuration space of a device the driver holds,
 * through the descriptor its bar carries: the sysfs "config" file, or the
 * config region of a VFIO device (linux/vfio.h,
 * VFIO_PCI_CONFIG_REGION_INDEX), or a device model's config space.
 *
 * Nothing here allocates, locks or logs: the crash handler
 * (ixgbe_crash.c) clears bus mastering with pci_set_master().
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "bar.h"
#include "pci.h"

/* Two bytes of config space at off, read (write 0) or written. */
static int
pci_cfg_xfer16(const struct bar *bar, uint32_t off, uint8_t b[2], int write)
{
	const struct bar_cfg *c = &bar->cfg;
	off_t at = c->off + (off_t)off;
	ssize_t n;

	if (!c->valid) {
		errno = ENODEV;
		return -1;
	}
	if (c->ops != NULL)
		n = write ? c->ops->pwrite(c->ctx, c->fd, b, 2, at) :
		    c->ops->pread(c->ctx, c->fd, b, 2, at);
	else
		n = write ? pwrite(c->fd, b, 2, at) : pread(c->fd, b, 2, at);
	if (n != 2) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int
pci_cfg_read16(const struct bar *bar, uint32_t off, uint16_t *val)
{
	uint8_t b[2];

	if (pci_cfg_xfer16(bar, off, b, 0) == -1)
		return -1;
	/* config space is little endian */
	*val = (uint16_t)(b[0] | b[1] << 8);
	return 0;
}

int
pci_cfg_write16(const struct bar *bar, uint32_t off, uint16_t val)
{
	uint8_t b[2] = { (uint8_t)(val & 0xff), (uint8_t)(val >> 8) };

	return pci_cfg_xfer16(bar, off, b, 1);
}

int
pci_set_master(const struct bar *bar, int on)
{
	uint16_t cmd, want;

	if (!bar->cfg.valid)
		return 0;
	if (pci_cfg_read16(bar, PCI_COMMAND, &cmd) == -1)
		return -1;
	want = on ? (uint16_t)(cmd | PCI_COMMAND_MASTER) :
	    (uint16_t)(cmd & ~PCI_COMMAND_MASTER);
	if (want != cmd && pci_cfg_write16(bar, PCI_COMMAND, want) == -1)
		return -1;
	if (pci_cfg_read16(bar, PCI_COMMAND, &cmd) == -1)
		return -1;
	return !!(cmd & PCI_COMMAND_MASTER) == !!on ? 0 : -1;
}
