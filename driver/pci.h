/*
 * pci.h: taking a PCI function away from the kernel through sysfs.
 */
#ifndef IXFWD_PCI_H
#define IXFWD_PCI_H

#include <stdint.h>

#include "bar.h"

/* PCI local bus spec. 3.0 §6.2.2: the command register of the type 0
 * configuration header. */
#define PCI_VENDOR_ID		0x00		/* 16 bits */
#define PCI_DEVICE_ID		0x02		/* 16 bits */
#define PCI_COMMAND		0x04		/* 16 bits */
#define  PCI_COMMAND_MEMORY	(1u << 1)	/* memory space enable */
#define  PCI_COMMAND_MASTER	(1u << 2)	/* bus master enable */

/* 1 if vendor/device is an 82599-family NIC ixfwd drives (supported in
 * ixgbe_devices.c), with its product name in *name; 0 otherwise. */
int	pci_is_supported(uint16_t vendor, uint16_t device, const char **name);
/* Why ixfwd will not drive vendor:device, as one line without a newline
 * ("... is not supported yet: <what is missing>" for a known part of the
 * family, "... not an Intel 82599-family NIC" otherwise), in buf; 0 and
 * buf empty if it does.  The daemon, ixfwd -t and both take-over paths
 * (sysfs and VFIO) say the same. */
int	pci_refusal(unsigned long vendor, unsigned long device, char *buf,
	    size_t len);

/* Check the device at bdf ("0000:03:00.0") is a supported NIC (a known
 * but unsupported one is refused with what is missing), refuse it
 * while its kernel interface is up unless force is set, unbind its kernel
 * driver, turn memory decoding on and bus mastering off (the driver turns
 * it on after its reset, pci_set_master()), keep config space open and
 * map BAR0 (resource0) into *bar.
 * 0, or -1 with a message naming the device and the fix logged. */
int	pci_open(const char *bdf, int force, struct bar *bar);
void	pci_close(struct bar *bar);
/* Bind the device at bdf to kernel driver drv again (what pci_open()
 * unbound it from, bar->kdrv): a start that fails leaves the NIC to the
 * kernel as it found it.  0, or -1 with the command to do it by hand
 * logged.  Nothing to do (0) when drv is "". */
int	pci_give_back(const char *bdf, const char *drv);

/* Config space of the device behind bar (pci_cfg.c).  Only pread and
 * pwrite on a descriptor opened beforehand: async-signal-safe for a real
 * device.  0, or -1 with errno (ENODEV: bar has no config space). */
int	pci_cfg_read16(const struct bar *bar, uint32_t off, uint16_t *val);
int	pci_cfg_write16(const struct bar *bar, uint32_t off, uint16_t val);
/* Bus mastering on or off, read back: 0 when the command register now
 * says so (or bar has no config space: nothing to do), -1 otherwise.
 * Logs nothing (a crash handler calls it). */
int	pci_set_master(const struct bar *bar, int on);

/* "0000:03:00.0" or "03:00.0" into the canonical "0000:03:00.0"
 * (PCI_BDF_LEN characters); 0 or -1. */
#define PCI_BDF_LEN		12
int	pci_parse_bdf(const char *s, char canon[PCI_BDF_LEN + 1]);
const char *pci_sysfs_root(void);

/* Where sysfs is mounted, "/sys" unless set; for tests that build a
 * fake device tree.  NULL restores "/sys". */
void	pci_set_sysfs_root(const char *root);

#endif /* IXFWD_PCI_H */
