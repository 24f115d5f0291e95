/*
 * pci.h: taking a PCI function away from the kernel through sysfs.
 */
#ifndef IXFWD_PCI_H
#define IXFWD_PCI_H

#include <stdint.h>

#include "bar.h"

/* 1 if vendor/device is an 82599-family NIC ixfwd drives (supported in
 * ixgbe_devices.c), with its product name in *name; 0 otherwise. */
int	pci_is_supported(uint16_t vendor, uint16_t device, const char **name);

/* Check the device at bdf ("0000:03:00.0") is a supported NIC (a known
 * but unsupported one is refused with what is missing), refuse it
 * while its kernel interface is up unless force is set, unbind its kernel
 * driver, enable bus mastering and map BAR0 (resource0) into *bar.
 * 0, or -1 with a message naming the device and the fix logged. */
int	pci_open(const char *bdf, int force, struct bar *bar);
void	pci_close(struct bar *bar);

/* Where sysfs is mounted, "/sys" unless set; for tests that build a
 * fake device tree.  NULL restores "/sys". */
void	pci_set_sysfs_root(const char *root);

#endif /* IXFWD_PCI_H */
