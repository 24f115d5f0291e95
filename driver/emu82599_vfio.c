/*
 * emu82599_vfio.c: the PCI side of the emulated 82599: its configuration
 * space, the record of what a NIC was told (for tests), and the emulated
 * VFIO (below) that serves driver/vfio.c's seam.
 *
 * Config space is the type 0 header of PCI local bus spec. 3.0 §6.1 with
 * the identity of an 82599ES SFP+ (8086:10fb, class 02 00 00); only the
 * command register is writable, and of it only memory space enable and
 * bus master enable mean anything here.  The DMA engine does nothing for
 * a NIC whose bus mastering is off (emu_nic_pass()).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bar.h"
#include "dma.h"
#include "emu82599.h"
#include "emu82599_priv.h"

#define EMU_CFG_SIZE		256
#define EMU_CFG_COMMAND		0x04

static struct emu_events *emu_events_log;

void
emu_events_attach(struct emu_events *log)
{
	__atomic_store_n(&emu_events_log, log, __ATOMIC_RELEASE);
}

/* Async-signal-safe: one atomic slot claim, plain stores. */
void
emu_event(struct emu82599 *nic, enum emu_event_kind kind, uint64_t iova,
    uint64_t len)
{
	struct emu_events *log = __atomic_load_n(&emu_events_log,
	    __ATOMIC_ACQUIRE);
	struct emu_event *e;
	uint32_t i;

	if (log == NULL)
		return;
	i = __atomic_fetch_add(&log->n, 1, __ATOMIC_ACQ_REL);
	if (i >= log->cap)
		return;
	e = &log->ev[i];
	e->kind = kind;
	memset(e->nic, 0, sizeof(e->nic));
	if (nic != NULL)
		memcpy(e->nic, nic->name, strnlen(nic->name,
		    sizeof(e->nic) - 1));
	e->unmap_gen = __atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE);
	e->alloc_gen = __atomic_load_n(&dma_alloc_gen, __ATOMIC_ACQUIRE);
	e->iova = iova;
	e->len = len;
}

uint16_t
emu_pci_command(struct emu82599 *nic)
{
	return __atomic_load_n(&nic->pci_cmd, __ATOMIC_ACQUIRE);
}

static uint8_t
emu_cfg_byte(struct emu82599 *nic, uint32_t off)
{
	uint16_t cmd = emu_pci_command(nic);

	switch (off) {
	case 0x00: return 0x86;		/* vendor 8086 */
	case 0x01: return 0x80;
	case 0x02: return (uint8_t)nic->device_id;
	case 0x03: return (uint8_t)(nic->device_id >> 8);
	case 0x04: return (uint8_t)cmd;
	case 0x05: return (uint8_t)(cmd >> 8);
	case 0x06: return 0x10;		/* status: capabilities list */
	case 0x08: return 0x01;		/* revision */
	case 0x0b: return 0x02;		/* class: network, Ethernet */
	case 0x10: return 0x0c;		/* BAR0: 64-bit prefetchable memory */
	default: return 0;
	}
}

static ssize_t
emu_cfg_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	struct emu82599 *nic = ctx;
	uint8_t *b = buf;
	size_t i;

	(void)fd;
	if (off < 0 || (size_t)off >= EMU_CFG_SIZE)
		return 0;
	if (len > EMU_CFG_SIZE - (size_t)off)
		len = EMU_CFG_SIZE - (size_t)off;
	for (i = 0; i < len; i++)
		b[i] = emu_cfg_byte(nic, (uint32_t)off + (uint32_t)i);
	return (ssize_t)len;
}

static ssize_t
emu_cfg_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
	struct emu82599 *nic = ctx;
	const uint8_t *b = buf;
	uint16_t cmd, old;
	size_t i;

	(void)fd;
	if (off < 0 || (size_t)off >= EMU_CFG_SIZE)
		return 0;
	if (len > EMU_CFG_SIZE - (size_t)off)
		len = EMU_CFG_SIZE - (size_t)off;
	old = cmd = emu_pci_command(nic);
	for (i = 0; i < len; i++) {
		uint32_t o = (uint32_t)off + (uint32_t)i;

		if (o == EMU_CFG_COMMAND)
			cmd = (uint16_t)((cmd & 0xff00) | b[i]);
		else if (o == EMU_CFG_COMMAND + 1)
			cmd = (uint16_t)((cmd & 0x00ff) | b[i] << 8);
		/* everything else is read-only here */
	}
	if (cmd == old)
		return (ssize_t)len;
	__atomic_store_n(&nic->pci_cmd, cmd, __ATOMIC_RELEASE);
	if ((cmd ^ old) & EMU_PCI_COMMAND_MASTER)
		emu_event(nic, cmd & EMU_PCI_COMMAND_MASTER ?
		    EMU_EV_MASTER_ON : EMU_EV_MASTER_OFF, 0, 0);
	return (ssize_t)len;
}

const struct bar_cfg_ops emu_cfg_ops = {
	.pread = emu_cfg_pread,
	.pwrite = emu_cfg_pwrite,
};

/* ------------------------------------------------------------------ */
/* The emulated VFIO                                                  */
/*
 * The kernel's side of driver/vfio.c's seam (struct vfio_ops), for
 * emulated NICs put behind it with emu_vfio_add(): a container with a
 * type 1 IOMMU, groups, device fds with a BAR0 and a config region, and
 * the IOMMU itself: the table VFIO_IOMMU_MAP_DMA fills.  A NIC behind it
 * translates every descriptor and buffer address through that table and
 * nothing else (emu_dma()): an IOVA outside every mapping is a fault,
 * exactly as the IOMMU would raise it, whether or not the address is DMA
 * memory of the process.  The checks follow what the kernel's
 * vfio_iommu_type1 enforces: page-aligned, non-overlapping mappings,
 * unmapping only whole mappings, the IOMMU set only once a group is in
 * the container, a device fd only from a group in a container.
 *
 * Descriptors are fake numbers (EMU_VFIO_FD_*) that never reach the
 * kernel.
 */

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include "log.h"
#include "vfio.h"

#define EMU_VFIO_FD_CONTAINER	0x40000000
#define EMU_VFIO_FD_GROUP	0x41000000
#define EMU_VFIO_FD_DEVICE	0x42000000
#define EMU_VFIO_FD_MASK	0xff000000
#define EMU_VFIO_GROUPS		32
#define EMU_VFIO_CONTAINERS	4
#define EMU_VFIO_MAPS		4096
#define EMU_VFIO_PAGE		4096ull
/* the offsets vfio-pci gives regions: index << 40 */
#define EMU_VFIO_REGION_OFF(i)	((uint64_t)(i) << 40)

struct emu_iommu_map {
	uint64_t	 iova;
	uint64_t	 size;
	uintptr_t	 vaddr;
};

struct emu_iommu {
	pthread_rwlock_t lock;
	int		 n;
	struct emu_iommu_map m[EMU_VFIO_MAPS];	/* sorted by iova */
};

struct emu_vfio_container {
	int		 open;
	int		 iommu_set;
	int		 ngroups;
	struct emu_iommu *dom;
};

struct emu_vfio_group {
	int		 no;			/* 0: slot free */
	char		 bdf[16];
	struct emu82599	*nic;
	int		 open;
	int		 container;		/* index, or -1 */
	int		 dev_open;
};

static pthread_mutex_t emu_vfio_lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu_vfio_container emu_vfio_containers[EMU_VFIO_CONTAINERS];
static struct emu_vfio_group emu_vfio_groups[EMU_VFIO_GROUPS];
/* a NIC whose device fd was closed: nothing is mapped for it */
static struct emu_iommu emu_iommu_blocked = {
	.lock = PTHREAD_RWLOCK_INITIALIZER,
};

void *
emu_iommu_translate(struct emu_iommu *d, uint64_t iova, size_t len)
{
	uint64_t end = iova + (len ? len : 1);
	uintptr_t base = 0;
	int lo, hi, i;

	if (end < iova)
		return NULL;
	pthread_rwlock_rdlock(&d->lock);
	/* the last mapping starting at or below iova */
	lo = 0;
	hi = d->n - 1;
	i = -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (d->m[mid].iova <= iova) {
			i = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	if (i >= 0 && iova < d->m[i].iova + d->m[i].size) {
		base = d->m[i].vaddr + (uintptr_t)(iova - d->m[i].iova);
		/* a range over several mappings: contiguous in both */
		while (end > d->m[i].iova + d->m[i].size) {
			if (i + 1 >= d->n ||
			    d->m[i + 1].iova != d->m[i].iova + d->m[i].size ||
			    d->m[i + 1].vaddr != d->m[i].vaddr + d->m[i].size) {
				base = 0;
				break;
			}
			i++;
		}
	}
	pthread_rwlock_unlock(&d->lock);
	return (void *)base;
}

static int
emu_iommu_map(struct emu_iommu *d, const struct vfio_iommu_type1_dma_map *m)
{
	int i, j;

	if (m->argsz < sizeof(*m) || m->size == 0 ||
	    !(m->flags & (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) ||
	    (m->iova | m->size | m->vaddr) & (EMU_VFIO_PAGE - 1) ||
	    m->iova + m->size < m->iova) {
		errno = EINVAL;
		return -1;
	}
	pthread_rwlock_wrlock(&d->lock);
	for (i = 0; i < d->n && d->m[i].iova < m->iova; i++)
		;
	if ((i > 0 && d->m[i - 1].iova + d->m[i - 1].size > m->iova) ||
	    (i < d->n && m->iova + m->size > d->m[i].iova)) {
		pthread_rwlock_unlock(&d->lock);
		errno = EEXIST;
		return -1;
	}
	if (d->n == EMU_VFIO_MAPS) {
		pthread_rwlock_unlock(&d->lock);
		errno = ENOSPC;
		return -1;
	}
	for (j = d->n; j > i; j--)
		d->m[j] = d->m[j - 1];
	d->m[i].iova = m->iova;
	d->m[i].size = m->size;
	d->m[i].vaddr = (uintptr_t)m->vaddr;
	d->n++;
	pthread_rwlock_unlock(&d->lock);
	emu_event(NULL, EMU_EV_MAP, m->iova, m->size);
	return 0;
}

static int
emu_iommu_unmap(struct emu_iommu *d, struct vfio_iommu_type1_dma_unmap *u)
{
	uint64_t end = u->iova + u->size, done = 0;
	int i, k;

	if (u->argsz < sizeof(*u) || u->flags != 0 || u->size == 0 ||
	    end < u->iova) {
		errno = EINVAL;
		return -1;
	}
	pthread_rwlock_wrlock(&d->lock);
	/* type 1 v2: a mapping only partly inside the range is an error */
	for (i = 0; i < d->n; i++) {
		uint64_t s = d->m[i].iova, e = s + d->m[i].size;

		if (e > u->iova && s < end && (s < u->iova || e > end)) {
			pthread_rwlock_unlock(&d->lock);
			errno = EINVAL;
			return -1;
		}
	}
	for (i = 0, k = 0; i < d->n; i++) {
		if (d->m[i].iova >= u->iova && d->m[i].iova < end)
			done += d->m[i].size;
		else
			d->m[k++] = d->m[i];
	}
	d->n = k;
	pthread_rwlock_unlock(&d->lock);
	u->size = done;
	if (done > 0)
		emu_event(NULL, EMU_EV_UNMAP, u->iova, done);
	return 0;
}

/* Lock held for the lookups below. */
static struct emu_vfio_container *
emu_vfio_container_of(int fd)
{
	int i = fd - EMU_VFIO_FD_CONTAINER;

	if (((unsigned int)fd & EMU_VFIO_FD_MASK) != EMU_VFIO_FD_CONTAINER || i < 0 ||
	    i >= EMU_VFIO_CONTAINERS || !emu_vfio_containers[i].open)
		return NULL;
	return &emu_vfio_containers[i];
}

static struct emu_vfio_group *
emu_vfio_group_of(int fd, int base)
{
	int i = fd - base;

	if (((unsigned int)fd & EMU_VFIO_FD_MASK) != (unsigned int)base || i < 0 || i >= EMU_VFIO_GROUPS ||
	    emu_vfio_groups[i].no == 0)
		return NULL;
	if (base == EMU_VFIO_FD_GROUP && !emu_vfio_groups[i].open)
		return NULL;
	if (base == EMU_VFIO_FD_DEVICE && !emu_vfio_groups[i].dev_open)
		return NULL;
	return &emu_vfio_groups[i];
}

int
emu_vfio_add(struct emu82599 *nic, const char *bdf, int group)
{
	int i, free_slot = -1;

	if (group <= 0) {
		log_warnx("emu82599 %s: IOMMU group %d", nic->name, group);
		return -1;
	}
	pthread_mutex_lock(&emu_vfio_lock);
	for (i = 0; i < EMU_VFIO_GROUPS; i++) {
		if (emu_vfio_groups[i].no == group) {
			pthread_mutex_unlock(&emu_vfio_lock);
			log_warnx("emu82599 %s: IOMMU group %d is taken",
			    nic->name, group);
			return -1;
		}
		if (emu_vfio_groups[i].no == 0 && free_slot == -1)
			free_slot = i;
	}
	if (free_slot == -1) {
		pthread_mutex_unlock(&emu_vfio_lock);
		log_warnx("emu82599 %s: too many emulated VFIO groups",
		    nic->name);
		return -1;
	}
	memset(&emu_vfio_groups[free_slot], 0, sizeof(emu_vfio_groups[0]));
	emu_vfio_groups[free_slot].no = group;
	emu_vfio_groups[free_slot].nic = nic;
	emu_vfio_groups[free_slot].container = -1;
	snprintf(emu_vfio_groups[free_slot].bdf,
	    sizeof(emu_vfio_groups[0].bdf), "%s", bdf);
	pthread_mutex_unlock(&emu_vfio_lock);
	return 0;
}

void
emu_vfio_remove(struct emu82599 *nic)
{
	int i;

	pthread_mutex_lock(&emu_vfio_lock);
	for (i = 0; i < EMU_VFIO_GROUPS; i++)
		if (emu_vfio_groups[i].no != 0 && emu_vfio_groups[i].nic == nic)
			memset(&emu_vfio_groups[i], 0,
			    sizeof(emu_vfio_groups[0]));
	pthread_mutex_unlock(&emu_vfio_lock);
	__atomic_store_n(&nic->iommu, NULL, __ATOMIC_RELEASE);
}

static int
emu_vfio_open(void *ctx, const char *path, int flags)
{
	int i, no, fd = -1;
	char *end;

	(void)ctx;
	if ((flags & O_ACCMODE) != O_RDWR) {
		errno = EACCES;
		return -1;
	}
	pthread_mutex_lock(&emu_vfio_lock);
	if (strcmp(path, "/dev/vfio/vfio") == 0) {
		for (i = 0; i < EMU_VFIO_CONTAINERS; i++) {
			struct emu_vfio_container *c = &emu_vfio_containers[i];

			if (c->open)
				continue;
			if ((c->dom = calloc(1, sizeof(*c->dom))) == NULL)
				break;
			pthread_rwlock_init(&c->dom->lock, NULL);
			c->open = 1;
			c->iommu_set = 0;
			c->ngroups = 0;
			fd = EMU_VFIO_FD_CONTAINER + i;
			break;
		}
		if (fd == -1)
			errno = EMFILE;
	} else if (strncmp(path, "/dev/vfio/", 10) == 0) {
		no = (int)strtol(path + 10, &end, 10);
		errno = ENOENT;
		for (i = 0; *end == '\0' && no > 0 && i < EMU_VFIO_GROUPS; i++) {
			if (emu_vfio_groups[i].no != no)
				continue;
			if (emu_vfio_groups[i].open) {
				errno = EBUSY;	/* one opener, as the kernel */
				break;
			}
			emu_vfio_groups[i].open = 1;
			emu_vfio_groups[i].container = -1;
			fd = EMU_VFIO_FD_GROUP + i;
			break;
		}
	} else
		errno = ENOENT;
	pthread_mutex_unlock(&emu_vfio_lock);
	return fd;
}

/* Lock held: a group leaves its container. */
static void
emu_vfio_unset_container(struct emu_vfio_group *g)
{
	if (g->container >= 0) {
		struct emu_vfio_container *c =
		    &emu_vfio_containers[g->container];

		if (--c->ngroups == 0)
			c->iommu_set = 0;
		g->container = -1;
	}
}

/* Lock held: a NIC whose device fd closes is left, as vfio-pci leaves
 * it, with bus mastering off and nothing mapped. */
static void
emu_vfio_device_release(struct emu_vfio_group *g)
{
	uint16_t cmd = emu_pci_command(g->nic);

	g->dev_open = 0;
	if (cmd & EMU_PCI_COMMAND_MASTER) {
		__atomic_store_n(&g->nic->pci_cmd,
		    (uint16_t)(cmd & ~EMU_PCI_COMMAND_MASTER), __ATOMIC_RELEASE);
		emu_event(g->nic, EMU_EV_MASTER_OFF, 0, 0);
	}
	__atomic_store_n(&g->nic->iommu, &emu_iommu_blocked, __ATOMIC_RELEASE);
}

static int
emu_vfio_close(void *ctx, int fd)
{
	struct emu_vfio_container *c;
	struct emu_vfio_group *g;
	int i, rc = 0;

	(void)ctx;
	pthread_mutex_lock(&emu_vfio_lock);
	if ((c = emu_vfio_container_of(fd)) != NULL) {
		/* groups still in it leave it; its mappings go */
		for (i = 0; i < EMU_VFIO_GROUPS; i++)
			if (emu_vfio_groups[i].no != 0 &&
			    emu_vfio_groups[i].container ==
			    fd - EMU_VFIO_FD_CONTAINER) {
				if (emu_vfio_groups[i].dev_open)
					emu_vfio_device_release(
					    &emu_vfio_groups[i]);
				emu_vfio_unset_container(&emu_vfio_groups[i]);
			}
		pthread_rwlock_destroy(&c->dom->lock);
		free(c->dom);
		c->dom = NULL;
		c->open = 0;
	} else if ((g = emu_vfio_group_of(fd, EMU_VFIO_FD_GROUP)) != NULL) {
		emu_vfio_unset_container(g);
		g->open = 0;
	} else if ((g = emu_vfio_group_of(fd, EMU_VFIO_FD_DEVICE)) != NULL) {
		emu_vfio_device_release(g);
	} else {
		errno = EBADF;
		rc = -1;
	}
	pthread_mutex_unlock(&emu_vfio_lock);
	return rc;
}

static int
emu_vfio_ioctl_container(struct emu_vfio_container *c, unsigned long req,
    void *arg)
{
	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return (uintptr_t)arg == VFIO_TYPE1_IOMMU ||
		    (uintptr_t)arg == VFIO_TYPE1v2_IOMMU;
	case VFIO_SET_IOMMU:
		if (c->ngroups == 0 || c->iommu_set ||
		    ((uintptr_t)arg != VFIO_TYPE1_IOMMU &&
		    (uintptr_t)arg != VFIO_TYPE1v2_IOMMU)) {
			errno = EINVAL;
			return -1;
		}
		c->iommu_set = 1;
		return 0;
	case VFIO_IOMMU_MAP_DMA:
		if (!c->iommu_set) {
			errno = EINVAL;
			return -1;
		}
		return emu_iommu_map(c->dom, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		if (!c->iommu_set) {
			errno = EINVAL;
			return -1;
		}
		return emu_iommu_unmap(c->dom, arg);
	}
	errno = ENOTTY;
	return -1;
}

static int
emu_vfio_ioctl_group(struct emu_vfio_group *g, unsigned long req, void *arg)
{
	struct vfio_group_status *st = arg;
	struct emu_vfio_container *c;

	switch (req) {
	case VFIO_GROUP_GET_STATUS:
		if (st->argsz < sizeof(*st)) {
			errno = EINVAL;
			return -1;
		}
		st->flags = VFIO_GROUP_FLAGS_VIABLE |
		    (g->container >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		if (g->container >= 0 ||
		    (c = emu_vfio_container_of(*(int *)arg)) == NULL) {
			errno = g->container >= 0 ? EBUSY : EBADF;
			return -1;
		}
		g->container = *(int *)arg - EMU_VFIO_FD_CONTAINER;
		c->ngroups++;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		if (g->container < 0 ||
		    !emu_vfio_containers[g->container].iommu_set) {
			errno = EINVAL;
			return -1;
		}
		if (strcmp(arg, g->bdf) != 0) {
			errno = ENODEV;
			return -1;
		}
		if (g->dev_open) {
			errno = EBUSY;
			return -1;
		}
		g->dev_open = 1;
		/* vfio-pci hands the device over with bus mastering off;
		 * from now on the NIC reaches memory through this IOMMU */
		__atomic_store_n(&g->nic->pci_cmd, (uint16_t)(emu_pci_command(
		    g->nic) & ~EMU_PCI_COMMAND_MASTER), __ATOMIC_RELEASE);
		__atomic_store_n(&g->nic->iommu,
		    emu_vfio_containers[g->container].dom, __ATOMIC_RELEASE);
		return EMU_VFIO_FD_DEVICE + (int)(g - emu_vfio_groups);
	}
	errno = ENOTTY;
	return -1;
}

static int
emu_vfio_ioctl_device(struct emu_vfio_group *g, unsigned long req, void *arg)
{
	struct vfio_device_info *di = arg;
	struct vfio_region_info *ri = arg;

	(void)g;
	switch (req) {
	case VFIO_DEVICE_GET_INFO:
		if (di->argsz < sizeof(*di)) {
			errno = EINVAL;
			return -1;
		}
		di->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		di->num_regions = VFIO_PCI_NUM_REGIONS;
		di->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	case VFIO_DEVICE_GET_REGION_INFO:
		if (ri->argsz < sizeof(*ri) ||
		    ri->index >= VFIO_PCI_NUM_REGIONS) {
			errno = EINVAL;
			return -1;
		}
		ri->offset = EMU_VFIO_REGION_OFF(ri->index);
		ri->cap_offset = 0;
		switch (ri->index) {
		case VFIO_PCI_BAR0_REGION_INDEX:
			ri->size = EMU_BAR0_SIZE;
			ri->flags = VFIO_REGION_INFO_FLAG_READ |
			    VFIO_REGION_INFO_FLAG_WRITE |
			    VFIO_REGION_INFO_FLAG_MMAP;
			break;
		case VFIO_PCI_CONFIG_REGION_INDEX:
			ri->size = EMU_CFG_SIZE;
			ri->flags = VFIO_REGION_INFO_FLAG_READ |
			    VFIO_REGION_INFO_FLAG_WRITE;
			break;
		default:
			ri->size = 0;
			ri->flags = 0;
		}
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static int
emu_vfio_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct emu_vfio_container *c;
	struct emu_vfio_group *g;
	int rc;

	(void)ctx;
	pthread_mutex_lock(&emu_vfio_lock);
	if ((c = emu_vfio_container_of(fd)) != NULL)
		rc = emu_vfio_ioctl_container(c, req, arg);
	else if ((g = emu_vfio_group_of(fd, EMU_VFIO_FD_GROUP)) != NULL)
		rc = emu_vfio_ioctl_group(g, req, arg);
	else if ((g = emu_vfio_group_of(fd, EMU_VFIO_FD_DEVICE)) != NULL)
		rc = emu_vfio_ioctl_device(g, req, arg);
	else {
		errno = EBADF;
		rc = -1;
	}
	pthread_mutex_unlock(&emu_vfio_lock);
	return rc;
}

/* The device fd's regions: only config space is read and written this
 * way (BAR0 is mapped). */
static struct emu82599 *
emu_vfio_cfg_target(int fd, off_t *off)
{
	struct emu_vfio_group *g;
	struct emu82599 *nic = NULL;
	uint64_t base = EMU_VFIO_REGION_OFF(VFIO_PCI_CONFIG_REGION_INDEX);

	pthread_mutex_lock(&emu_vfio_lock);
	if ((g = emu_vfio_group_of(fd, EMU_VFIO_FD_DEVICE)) != NULL &&
	    (uint64_t)*off >= base && (uint64_t)*off < base + EMU_CFG_SIZE) {
		nic = g->nic;
		*off -= (off_t)base;
	}
	pthread_mutex_unlock(&emu_vfio_lock);
	if (nic == NULL)
		errno = g == NULL ? EBADF : EINVAL;
	return nic;
}

static ssize_t
emu_vfio_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	struct emu82599 *nic;

	(void)ctx;
	if ((nic = emu_vfio_cfg_target(fd, &off)) == NULL)
		return -1;
	return emu_cfg_pread(nic, -1, buf, len, off);
}

static ssize_t
emu_vfio_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
	struct emu82599 *nic;

	(void)ctx;
	if ((nic = emu_vfio_cfg_target(fd, &off)) == NULL)
		return -1;
	return emu_cfg_pwrite(nic, -1, buf, len, off);
}

static int
emu_vfio_map_bar(void *ctx, int fd, off_t off, size_t len, struct bar *bar)
{
	struct emu_vfio_group *g;
	struct emu82599 *nic = NULL;

	(void)ctx;
	pthread_mutex_lock(&emu_vfio_lock);
	if ((g = emu_vfio_group_of(fd, EMU_VFIO_FD_DEVICE)) != NULL &&
	    (uint64_t)off == EMU_VFIO_REGION_OFF(VFIO_PCI_BAR0_REGION_INDEX) &&
	    len <= EMU_BAR0_SIZE)
		nic = g->nic;
	pthread_mutex_unlock(&emu_vfio_lock);
	if (nic == NULL) {
		errno = EINVAL;
		return -1;
	}
	/* the model's registers; config space stays with vfio.c, which
	 * reaches it through the device fd */
	emu_bar(nic, bar);
	memset(&bar->cfg, 0, sizeof(bar->cfg));
	return 0;
}

static void
emu_vfio_unmap_bar(void *ctx, struct bar *bar)
{
	(void)ctx;
	(void)bar;
}

const struct vfio_ops emu_vfio_ops = {
	.open = emu_vfio_open,
	.close = emu_vfio_close,
	.ioctl = emu_vfio_ioctl,
	.io = { emu_vfio_pread, emu_vfio_pwrite },
	.map_bar = emu_vfio_map_bar,
	.unmap_bar = emu_vfio_unmap_bar,
};
