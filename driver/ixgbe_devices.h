/*
 * ixgbe_devices.h: the PCI device IDs of the 82599 family, and which of
 * them ixfwd drives.  One table for the PCI layer (which refuses a NIC
 * before taking it from the kernel) and the driver (which refuses to set
 * up a port it cannot set up).
 */
#ifndef IXFWD_IXGBE_DEVICES_H
#define IXFWD_IXGBE_DEVICES_H

#include <stddef.h>
#include <stdint.h>

struct ixgbe_devinfo {
	uint16_t	 device;	/* PCI device ID, vendor 0x8086 */
	const char	*name;
	const char	*media;		/* "SFI (SFP+)", "KX4 backplane", ... */
	int		 supported;	/* link set up per the datasheet, tested
					 * on the emulated 82599 */
	const char	*why;		/* if not: what is missing */
};

/* The entry for device, or NULL for an ID not of the family. */
const struct ixgbe_devinfo *ixgbe_devinfo(uint16_t device);
/* Every entry, for documentation and tests: the i-th, NULL past the end. */
const struct ixgbe_devinfo *ixgbe_devinfo_at(size_t i);

#endif /* IXFWD_IXGBE_DEVICES_H */
