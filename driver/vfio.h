/*
 * vfio.h: a NIC behind an IOMMU, through the kernel's VFIO interface
 * (linux/vfio.h; Documentation/driver-api/vfio.rst): one container for
 * the process, a group per IOMMU group, a device fd per NIC; BAR0 and
 * config space through the device's regions; every DMA page mapped into
 * the container at an IOVA ixfwd chooses (dma.h, DMA_IOVA_IOMMU).
 *
 * Every call reaches the kernel through struct vfio_ops, the seam the
 * tests serve from the emulated 82599 (emu82599_vfio.c), as struct bar
 * is for registers: vfio_kernel_ops are the real open/ioctl/pread/
 * pwrite/mmap, and the code above the seam is the same either way.
 */
#ifndef IXFWD_VFIO_H
#define IXFWD_VFIO_H

#include <stdint.h>
#include <sys/types.h>

#include "bar.h"

struct vfio_ops {
	int	(*open)(void *ctx, const char *path, int flags);
	int	(*close)(void *ctx, int fd);
	int	(*ioctl)(void *ctx, int fd, unsigned long req, void *arg);
	/* pread/pwrite on a device fd (its regions) */
	struct bar_cfg_ops io;
	/* BAR0: the region at off of device fd, len bytes, into *bar (a
	 * mapping; or a model's accessors); 0 or -1 (errno) */
	int	(*map_bar)(void *ctx, int fd, off_t off, size_t len,
		    struct bar *bar);
	void	(*unmap_bar)(void *ctx, struct bar *bar);
};

extern const struct vfio_ops vfio_kernel_ops;

/*
 * Take the device bdf of IOMMU group group through ops: container, group
 * (viable: every device in it bound to vfio-pci), device fd; check it is
 * a supported NIC (config space IDs); memory decoding on, bus mastering
 * off until the driver's reset (pci_set_master() then goes through the
 * config region); BAR0 into *bar.  The container is set up with the
 * first device and from then on all DMA memory is mapped into it.
 * 0, or -1 with a message naming the device and the fix logged.
 */
int	vfio_open(const char *bdf, int group, const struct vfio_ops *ops,
	    void *ctx, struct bar *bar);
/* 1 if bar is a VFIO device (then released: device fd closed, and its
 * group and the container with their last device), else 0. */
int	vfio_release(struct bar *bar);

/*
 * The front door for a configured device string: "vfio:BDF" takes it
 * through VFIO; a plain BDF through VFIO when it is bound to vfio-pci,
 * through sysfs (pci_open) when it has no IOMMU group or an identity
 * (passthrough) one, and is refused, with the commands that fix it, when
 * an IOMMU translates its DMA and it is not bound to vfio-pci.  Which
 * way and why is logged.  *is_vfio tells the caller.  0 or -1.
 */
int	pci_take(const char *device, int force, struct bar *bar,
	    int *is_vfio);

/* The NUMA node of the device (sysfs numa_node), -1 if unknown. */
int	pci_numa_node(const char *device);

#endif /* IXFWD_VFIO_H */
