/*
 * vfio.c: NICs behind an IOMMU through VFIO, and the choice between VFIO
 * and the sysfs path for a configured device.
 *
 * The kernel interface is linux/vfio.h (type 1 IOMMU, v2 when offered):
 *   container  open /dev/vfio/vfio; VFIO_GET_API_VERSION must be
 *              VFIO_API_VERSION; VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU)
 *   group      open /dev/vfio/N; VFIO_GROUP_GET_STATUS must say
 *              VFIO_GROUP_FLAGS_VIABLE; VFIO_GROUP_SET_CONTAINER; with the
 *              first group, VFIO_SET_IOMMU on the container
 *   device     VFIO_GROUP_GET_DEVICE_FD(bdf); VFIO_DEVICE_GET_INFO (a
 *              PCI device, VFIO_DEVICE_FLAGS_PCI); VFIO_DEVICE_GET_REGION_INFO
 *              for VFIO_PCI_BAR0_REGION_INDEX (mmap'ed) and
 *              VFIO_PCI_CONFIG_REGION_INDEX (pread/pwrite at its offset)
 *   memory     VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA on the container,
 *              one 2 MiB page at a time, at IOVAs dma.c chooses
 * Everything goes through struct vfio_ops (vfio.h), so that the tests run
 * this code against the emulated VFIO of emu82599_vfio.c.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/vfio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bar.h"
#include "dma.h"
#include "ixgbe_devices.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "pci.h"
#include "vfio.h"

#define VFIO_CONTAINERS_MAX	2	/* one per seam: the kernel, a model */
#define VFIO_GROUPS_MAX		32
#define VFIO_DEVICES_MAX	64

struct vfio_container {
	const struct vfio_ops	*ops;
	void			*ctx;
	int			 fd;
	int			 ndev;		/* 0: slot free */
	int			 attached;	/* its dma_iommu is in dma.c */
	struct dma_iommu	 dom;
};

struct vfio_group {
	struct vfio_container	*c;
	int			 no;
	int			 fd;
	int			 ndev;		/* 0: slot free */
};

struct vfio_device {
	struct vfio_group	*g;		/* NULL: slot free */
	int			 fd;
	char			 bdf[PCI_BDF_LEN + 1];
};

static struct vfio_container vfio_containers[VFIO_CONTAINERS_MAX];
static struct vfio_group vfio_groups[VFIO_GROUPS_MAX];
static struct vfio_device vfio_devices[VFIO_DEVICES_MAX];

/* ------------------------------------------------------------------ */
/* The kernel side of the seam                                         */

static int
vfio_k_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	return open(path, flags | O_CLOEXEC);
}

static int
vfio_k_close(void *ctx, int fd)
{
	(void)ctx;
	return close(fd);
}

static int
vfio_k_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	(void)ctx;
	return ioctl(fd, req, arg);
}

static ssize_t
vfio_k_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	(void)ctx;
	return pread(fd, buf, len, off);
}

static ssize_t
vfio_k_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
	(void)ctx;
	return pwrite(fd, buf, len, off);
}

static int
vfio_k_map_bar(void *ctx, int fd, off_t off, size_t len, struct bar *bar)
{
	void *p;

	(void)ctx;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		return -1;
	bar->mmio = p;
	bar->len = len;
	bar->ops = NULL;
	bar->ctx = NULL;
	return 0;
}

static void
vfio_k_unmap_bar(void *ctx, struct bar *bar)
{
	(void)ctx;
	if (bar->mmio != NULL)
		munmap((void *)(uintptr_t)bar->mmio, bar->len);
}

const struct vfio_ops vfio_kernel_ops = {
	.open = vfio_k_open,
	.close = vfio_k_close,
	.ioctl = vfio_k_ioctl,
	.io = { vfio_k_pread, vfio_k_pwrite },
	.map_bar = vfio_k_map_bar,
	.unmap_bar = vfio_k_unmap_bar,
};

/* ------------------------------------------------------------------ */
/* DMA mapping: dma.c calls these for every page                       */

static int
vfio_dma_map(void *ctx, void *vaddr, uint64_t iova, size_t len)
{
	struct vfio_container *c = ctx;
	struct vfio_iommu_type1_dma_map m;

	memset(&m, 0, sizeof(m));
	m.argsz = sizeof(m);
	m.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	m.vaddr = (uintptr_t)vaddr;
	m.iova = iova;
	m.size = len;
	if (c->ops->ioctl(c->ctx, c->fd, VFIO_IOMMU_MAP_DMA, &m) == -1) {
		log_warn("VFIO: cannot map %zu KiB of DMA memory at IOVA "
		    "0x%llx (VFIO_IOMMU_MAP_DMA)%s", len >> 10,
		    (unsigned long long)iova, errno == ENOMEM ?
		    "; pinned memory counts against RLIMIT_MEMLOCK: raise it "
		    "(LimitMEMLOCK=infinity in the unit)" : "");
		return -1;
	}
	return 0;
}

static int
vfio_dma_unmap(void *ctx, uint64_t iova, size_t len)
{
	struct vfio_container *c = ctx;
	struct vfio_iommu_type1_dma_unmap u;

	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.iova = iova;
	u.size = len;
	if (c->ops->ioctl(c->ctx, c->fd, VFIO_IOMMU_UNMAP_DMA, &u) == -1 ||
	    u.size != len) {
		log_warn("VFIO: cannot unmap IOVA 0x%llx (VFIO_IOMMU_UNMAP_DMA)",
		    (unsigned long long)iova);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Container, group, device                                            */

static void
vfio_bind_hint(const char *bdf, int group)
{
	log_warnx("%s: to give it to VFIO (as root):", bdf);
	log_warnx("    modprobe vfio-pci");
	log_warnx("    echo vfio-pci > /sys/bus/pci/devices/%s/driver_override",
	    bdf);
	log_warnx("    echo %s > /sys/bus/pci/devices/%s/driver/unbind", bdf,
	    bdf);
	log_warnx("    echo %s > /sys/bus/pci/drivers_probe", bdf);
	if (group >= 0)
		log_warnx("  and the same for every other device of IOMMU "
		    "group %d (ls /sys/kernel/iommu_groups/%d/devices)", group,
		    group);
}

static struct vfio_container *
vfio_container_get(const struct vfio_ops *ops, void *ctx)
{
	struct vfio_container *c = NULL;
	int i, api;

	for (i = 0; i < VFIO_CONTAINERS_MAX; i++)
		if (vfio_containers[i].ndev > 0 &&
		    vfio_containers[i].ops == ops &&
		    vfio_containers[i].ctx == ctx)
			return &vfio_containers[i];
	for (i = 0; i < VFIO_CONTAINERS_MAX && c == NULL; i++)
		if (vfio_containers[i].ndev == 0)
			c = &vfio_containers[i];
	if (c == NULL) {
		log_warnx("VFIO: too many containers");
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->ctx = ctx;
	if ((c->fd = ops->open(ctx, "/dev/vfio/vfio", O_RDWR)) == -1) {
		log_warn("VFIO: cannot open /dev/vfio/vfio%s",
		    errno == ENOENT ? " (load the module: modprobe vfio-pci)" :
		    errno == EACCES ? " (give the ixfwd user access to it, or "
		    "run as root)" : "");
		return NULL;
	}
	if ((api = ops->ioctl(ctx, c->fd, VFIO_GET_API_VERSION, NULL)) !=
	    VFIO_API_VERSION) {
		log_warnx("VFIO: API version %d, ixfwd speaks %d", api,
		    VFIO_API_VERSION);
		goto fail;
	}
	if (ops->ioctl(ctx, c->fd, VFIO_CHECK_EXTENSION,
	    (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) != 1 &&
	    ops->ioctl(ctx, c->fd, VFIO_CHECK_EXTENSION,
	    (void *)(uintptr_t)VFIO_TYPE1_IOMMU) != 1) {
		log_warnx("VFIO: the kernel offers no type 1 IOMMU");
		goto fail;
	}
	c->dom.map = vfio_dma_map;
	c->dom.unmap = vfio_dma_unmap;
	c->dom.ctx = c;
	return c;

fail:
	ops->close(ctx, c->fd);
	return NULL;
}

static void
vfio_container_put(struct vfio_container *c)
{
	if (c->ndev > 0)
		return;
	if (c->attached)
		dma_iommu_detach(&c->dom);
	c->attached = 0;
	c->ops->close(c->ctx, c->fd);
}

static struct vfio_group *
vfio_group_get(struct vfio_container *c, const char *bdf, int no)
{
	const struct vfio_ops *ops = c->ops;
	struct vfio_group_status st;
	struct vfio_group *g = NULL;
	char path[64];
	int i;

	for (i = 0; i < VFIO_GROUPS_MAX; i++)
		if (vfio_groups[i].ndev > 0 && vfio_groups[i].c == c &&
		    vfio_groups[i].no == no)
			return &vfio_groups[i];
	for (i = 0; i < VFIO_GROUPS_MAX && g == NULL; i++)
		if (vfio_groups[i].ndev == 0)
			g = &vfio_groups[i];
	if (g == NULL) {
		log_warnx("%s: VFIO: too many IOMMU groups", bdf);
		return NULL;
	}
	memset(g, 0, sizeof(*g));
	g->c = c;
	g->no = no;
	snprintf(path, sizeof(path), "/dev/vfio/%d", no);
	if ((g->fd = ops->open(c->ctx, path, O_RDWR)) == -1) {
		int e = errno;

		log_warn("%s: cannot open %s (IOMMU group %d)", bdf, path, no);
		if (e == ENOENT)
			vfio_bind_hint(bdf, no);
		else if (e == EACCES || e == EPERM)
			log_warnx("%s: give the ixfwd user %s (a udev rule: "
			    "see systemd/70-ixfwd-vfio.rules), or run as root",
			    bdf, path);
		else if (e == EBUSY)
			log_warnx("%s: IOMMU group %d is held by another "
			    "process", bdf, no);
		return NULL;
	}
	memset(&st, 0, sizeof(st));
	st.argsz = sizeof(st);
	if (ops->ioctl(c->ctx, g->fd, VFIO_GROUP_GET_STATUS, &st) == -1) {
		log_warn("%s: VFIO_GROUP_GET_STATUS", bdf);
		goto fail;
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		log_warnx("%s: IOMMU group %d is not viable: every device in "
		    "it must be bound to vfio-pci (or to no driver)", bdf, no);
		vfio_bind_hint(bdf, no);
		goto fail;
	}
	if (ops->ioctl(c->ctx, g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd) ==
	    -1) {
		log_warn("%s: VFIO_GROUP_SET_CONTAINER", bdf);
		goto fail;
	}
	/* The IOMMU model is set once, with the first group. */
	if (c->ndev == 0 && ops->ioctl(c->ctx, c->fd, VFIO_SET_IOMMU,
	    (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) == -1 &&
	    ops->ioctl(c->ctx, c->fd, VFIO_SET_IOMMU,
	    (void *)(uintptr_t)VFIO_TYPE1_IOMMU) == -1) {
		log_warn("%s: VFIO_SET_IOMMU", bdf);
		goto fail;
	}
	return g;

fail:
	ops->close(c->ctx, g->fd);
	return NULL;
}

static void
vfio_group_put(struct vfio_group *g)
{
	if (g->ndev > 0)
		return;
	g->c->ops->close(g->c->ctx, g->fd);
}

static int
vfio_region(const struct vfio_ops *ops, void *ctx, int fd, uint32_t index,
    struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	return ops->ioctl(ctx, fd, VFIO_DEVICE_GET_REGION_INFO, ri);
}

/* Identify the device through its config region, memory decoding on,
 * bus mastering off, and map BAR0. */
static int
vfio_setup_device(const char *bdf, const struct vfio_ops *ops, void *ctx,
    int fd, struct bar *bar)
{
	struct vfio_device_info di;
	struct vfio_region_info bar0, cfg;
	uint16_t vendor, device, cmd;
	struct bar_cfg saved;
	char why[160];

	memset(&di, 0, sizeof(di));
	di.argsz = sizeof(di);
	if (ops->ioctl(ctx, fd, VFIO_DEVICE_GET_INFO, &di) == -1) {
		log_warn("%s: VFIO_DEVICE_GET_INFO", bdf);
		return -1;
	}
	if (!(di.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    di.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		log_warnx("%s: VFIO says it is not a PCI device", bdf);
		return -1;
	}
	if (vfio_region(ops, ctx, fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg) ==
	    -1 || vfio_region(ops, ctx, fd, VFIO_PCI_BAR0_REGION_INDEX,
	    &bar0) == -1) {
		log_warn("%s: VFIO_DEVICE_GET_REGION_INFO", bdf);
		return -1;
	}

	/* Config space first: what it is, before anything is written. */
	bar->cfg.valid = 1;
	bar->cfg.fd = fd;
	bar->cfg.off = (off_t)cfg.offset;
	bar->cfg.own_fd = 0;
	bar->cfg.ops = ops == &vfio_kernel_ops ? NULL : &ops->io;
	bar->cfg.ctx = ctx;
	if (pci_cfg_read16(bar, PCI_VENDOR_ID, &vendor) == -1 ||
	    pci_cfg_read16(bar, PCI_DEVICE_ID, &device) == -1 ||
	    pci_cfg_read16(bar, PCI_COMMAND, &cmd) == -1) {
		log_warn("%s: cannot read its config space through VFIO", bdf);
		return -1;
	}
	if (pci_refusal(vendor, device, why, sizeof(why)) == -1) {
		log_warnx("%s: %s; the device is left to vfio-pci", bdf, why);
		return -1;
	}
	if (pci_cfg_write16(bar, PCI_COMMAND, (uint16_t)((cmd |
	    PCI_COMMAND_MEMORY) & ~PCI_COMMAND_MASTER)) == -1) {
		log_warn("%s: cannot write its PCI command register", bdf);
		return -1;
	}

	if (!(bar0.flags & VFIO_REGION_INFO_FLAG_MMAP) ||
	    bar0.size < IXGBE_BAR0_SIZE) {
		log_warnx("%s: BAR0 is %llu bytes%s, an 82599 has %u", bdf,
		    (unsigned long long)bar0.size,
		    bar0.flags & VFIO_REGION_INFO_FLAG_MMAP ? "" :
		    " and cannot be mapped", IXGBE_BAR0_SIZE);
		return -1;
	}
	saved = bar->cfg;
	if (ops->map_bar(ctx, fd, (off_t)bar0.offset, (size_t)bar0.size,
	    bar) == -1) {
		log_warn("%s: cannot map BAR0 through VFIO", bdf);
		return -1;
	}
	bar->cfg = saved;		/* config space: the device fd's region */
	bar->device_id = device;
	log_info("%s: Intel %s, BAR0 %llu KiB, through VFIO", bdf,
	    ixgbe_devinfo(device)->name,
	    (unsigned long long)bar0.size >> 10);
	return 0;
}

int
vfio_open(const char *bdf, int group, const struct vfio_ops *ops, void *ctx,
    struct bar *bar)
{
	struct vfio_container *c;
	struct vfio_group *g;
	struct vfio_device *d = NULL;
	struct bar b;
	int i, fd;

	memset(bar, 0, sizeof(*bar));
	for (i = 0; i < VFIO_DEVICES_MAX && d == NULL; i++)
		if (vfio_devices[i].g == NULL)
			d = &vfio_devices[i];
	if (d == NULL) {
		log_warnx("%s: VFIO: too many devices", bdf);
		return -1;
	}
	if ((c = vfio_container_get(ops, ctx)) == NULL)
		return -1;
	if ((g = vfio_group_get(c, bdf, group)) == NULL) {
		vfio_container_put(c);
		return -1;
	}
	if ((fd = ops->ioctl(ctx, g->fd, VFIO_GROUP_GET_DEVICE_FD,
	    (void *)(uintptr_t)bdf)) < 0) {
		log_warn("%s: VFIO_GROUP_GET_DEVICE_FD (is it in IOMMU group "
		    "%d?)", bdf, group);
		goto fail;
	}
	memset(&b, 0, sizeof(b));
	if (vfio_setup_device(bdf, ops, ctx, fd, &b) == -1) {
		ops->close(ctx, fd);
		goto fail;
	}
	/* From the first device on, every DMA page goes into the
	 * container (those allocated before too). */
	if (!c->attached) {
		if (dma_iommu_attach(&c->dom) == -1) {
			ops->unmap_bar(ctx, &b);
			ops->close(ctx, fd);
			goto fail;
		}
		c->attached = 1;
	}
	d->g = g;
	d->fd = fd;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	g->ndev++;
	c->ndev++;
	*bar = b;
	return 0;

fail:
	vfio_group_put(g);
	vfio_container_put(c);
	return -1;
}

int
vfio_release(struct bar *bar)
{
	struct vfio_device *d = NULL;
	struct vfio_group *g;
	struct vfio_container *c;
	int i;

	if (!bar->cfg.valid || bar->cfg.own_fd)
		return 0;
	for (i = 0; i < VFIO_DEVICES_MAX && d == NULL; i++)
		if (vfio_devices[i].g != NULL && vfio_devices[i].fd ==
		    bar->cfg.fd && vfio_devices[i].g->c->ctx == bar->cfg.ctx)
			d = &vfio_devices[i];
	if (d == NULL)
		return 0;
	g = d->g;
	c = g->c;
	c->ops->unmap_bar(c->ctx, bar);
	c->ops->close(c->ctx, d->fd);
	memset(d, 0, sizeof(*d));
	g->ndev--;
	c->ndev--;
	vfio_group_put(g);
	vfio_container_put(c);
	memset(bar, 0, sizeof(*bar));
	return 1;
}

/* ------------------------------------------------------------------ */
/* VFIO or sysfs                                                       */

/* The IOMMU group of bdf from its iommu_group link; -1 if none. */
static int
vfio_group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX], *base, *end;
	ssize_t n;
	long no;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group",
	    pci_sysfs_root(), bdf);
	if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/') != NULL ? strrchr(link, '/') + 1 : link;
	no = strtol(base, &end, 10);
	if (end == base || *end != '\0' || no < 0 || no > INT_MAX)
		return -1;
	return (int)no;
}

/* The first word of a small sysfs file into buf; 0 or -1. */
static int
vfio_read_word(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, " \t\n")] = '\0';
	return 0;
}

static int
vfio_bound_to_vfio_pci(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver",
	    pci_sysfs_root(), bdf);
	if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
		return 0;
	link[n] = '\0';
	base = strrchr(link, '/') != NULL ? strrchr(link, '/') + 1 : link;
	return strcmp(base, "vfio-pci") == 0;
}

int
pci_take(const char *device, int force, struct bar *bar, int *is_vfio)
{
	char bdf[PCI_BDF_LEN + 1], path[PATH_MAX], type[32];
	const char *in = device;
	int want_vfio = 0, group;

	*is_vfio = 0;
	memset(bar, 0, sizeof(*bar));
	if (device != NULL && strncmp(device, "vfio:", 5) == 0) {
		want_vfio = 1;
		in = device + 5;
	}
	if (in == NULL || pci_parse_bdf(in, bdf) == -1)
		return pci_open(in, force, bar);	/* it says what is wrong */
	group = vfio_group_of(bdf);

	if (want_vfio || (group >= 0 && vfio_bound_to_vfio_pci(bdf))) {
		if (group < 0) {
			log_warnx("%s: no IOMMU group (%s/bus/pci/devices/%s/"
			    "iommu_group): the IOMMU is off, so VFIO cannot be "
			    "used; turn it on (intel_iommu=on or amd_iommu=on on "
			    "the kernel command line), or write device: \"%s\" "
			    "to use it through sysfs", bdf, pci_sysfs_root(),
			    bdf, bdf);
			return -1;
		}
		log_info("%s: %s (IOMMU group %d): using VFIO, DMA through "
		    "IOVAs mapped in the IOMMU", bdf, want_vfio ?
		    "configured as vfio:" : "bound to vfio-pci", group);
		if (vfio_open(bdf, group, &vfio_kernel_ops, NULL, bar) == -1)
			return -1;
		*is_vfio = 1;
		return 0;
	}
	if (group < 0) {
		log_info("%s: no IOMMU group (no IOMMU, or it is off): using "
		    "sysfs and physical addresses", bdf);
		return pci_open(bdf, force, bar);
	}
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/type",
	    pci_sysfs_root(), group);
	if (vfio_read_word(path, type, sizeof(type)) == -1) {
		log_warnx("%s: cannot tell whether the IOMMU translates its "
		    "DMA (no %s: a kernel before 5.11?); using sysfs and "
		    "physical addresses: if nothing is received, bind it to "
		    "vfio-pci", bdf, path);
		return pci_open(bdf, force, bar);
	}
	if (strcmp(type, "identity") == 0) {
		log_info("%s: IOMMU group %d is identity-mapped (iommu=pt): "
		    "using sysfs and physical addresses", bdf, group);
		return pci_open(bdf, force, bar);
	}
	log_warnx("%s: the IOMMU translates its DMA (IOMMU group %d, type "
	    "%s) and it is not bound to vfio-pci: with physical addresses "
	    "every DMA would fault; refusing it", bdf, group, type);
	vfio_bind_hint(bdf, group);
	log_warnx("%s: or boot with iommu=pt (identity mapping for devices "
	    "the kernel does not isolate), or turn the IOMMU off", bdf);
	return -1;
}

int
pci_numa_node(const char *device)
{
	char bdf[PCI_BDF_LEN + 1], path[PATH_MAX], word[32], *end;
	long node;

	if (device != NULL && strncmp(device, "vfio:", 5) == 0)
		device += 5;
	if (device == NULL || pci_parse_bdf(device, bdf) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/numa_node",
	    pci_sysfs_root(), bdf);
	if (vfio_read_word(path, word, sizeof(word)) == -1)
		return -1;
	node = strtol(word, &end, 10);
	if (end == word || *end != '\0' || node < 0 || node > 1023)
		return -1;
	return (int)node;
}
