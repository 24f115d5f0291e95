/*
 * dma.c: hugepage memory for descriptor rings and packet buffers, its
 * I/O virtual addresses, and the table that translates them back.
 *
 * Memory is anonymous MAP_SHARED|MAP_HUGETLB 2 MiB pages, populated and
 * locked: a hugepage is physically contiguous, hugetlb pages are neither
 * swapped nor (in practice) migrated once locked, and a shared mapping is
 * not copied on write after a fork, so a physical address read once from
 * /proc/self/pagemap stays true for the life of the mapping.
 *
 * Every 2 MiB page is entered twice in fixed-size open-addressing tables,
 * by IOVA page and by virtual page.  Inserts take a mutex and happen at
 * startup; lookups are lock-free (an entry's key is published last, with
 * release ordering), so a device model can check addresses from its own
 * thread while another port is being set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/mempolicy.h>
#include <linux/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dma.h"
#include "log.h"

#define DMA_PAGE_SHIFT	21
#define DMA_NODES_MAX	1024
#define DMA_TABLE_SIZE	16384		/* entries; a power of two, 32 GiB */
#define DMA_KEY_EMPTY	0
#define DMA_KEY_DEAD	UINT64_MAX

struct dma_entry {
	uint64_t	key;		/* page number + 1; 0 empty */
	uint64_t	val;		/* the other side's page base */
};

static struct dma_entry by_iova[DMA_TABLE_SIZE];
static struct dma_entry by_virt[DMA_TABLE_SIZE];
static pthread_mutex_t dma_lock = PTHREAD_MUTEX_INITIALIZER;
static enum dma_iova_mode dma_iova_mode = DMA_IOVA_AUTO;
static int dma_kept;		/* dma_keep_all() was called */
static struct dma_iommu dma_domains[DMA_IOMMU_MAX];	/* dma_lock */
static int dma_ndomains;
static uint64_t dma_next_iova = DMA_IOVA_BASE;		/* dma_lock */
static uint64_t dma_live;	/* pages in the tables (dma_lock) */
uint64_t dma_unmap_gen;		/* dma.h: moves before memory is unmapped */
uint64_t dma_alloc_gen;		/* dma.h: moves when memory is handed out */

static inline uint32_t
dma_hash(uint64_t key)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(key >> 40) & (DMA_TABLE_SIZE - 1);
}

static int
dma_table_put(struct dma_entry *t, uint64_t page, uint64_t val)
{
	uint64_t key = page + 1;
	uint32_t i, h = dma_hash(key);

	for (i = 0; i < DMA_TABLE_SIZE; i++) {
		struct dma_entry *e = &t[(h + i) & (DMA_TABLE_SIZE - 1)];
		uint64_t k = __atomic_load_n(&e->key, __ATOMIC_RELAXED);

		if (k == DMA_KEY_EMPTY || k == DMA_KEY_DEAD) {
			e->val = val;
			__atomic_store_n(&e->key, key, __ATOMIC_RELEASE);
			return 0;
		}
	}
	return -1;
}

static int
dma_table_get(const struct dma_entry *t, uint64_t page, uint64_t *val)
{
	uint64_t key = page + 1;
	uint32_t i, h = dma_hash(key);

	for (i = 0; i < DMA_TABLE_SIZE; i++) {
		const struct dma_entry *e = &t[(h + i) & (DMA_TABLE_SIZE - 1)];
		uint64_t k = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);

		if (k == key) {
			*val = e->val;
			return 0;
		}
		if (k == DMA_KEY_EMPTY)
			return -1;
	}
	return -1;
}

static void
dma_table_del(struct dma_entry *t, uint64_t page)
{
	uint64_t key = page + 1;
	uint32_t i, h = dma_hash(key);

	__atomic_fetch_add(&dma_unmap_gen, 1, __ATOMIC_ACQ_REL);
	for (i = 0; i < DMA_TABLE_SIZE; i++) {
		struct dma_entry *e = &t[(h + i) & (DMA_TABLE_SIZE - 1)];

		if (e->key == key) {
			__atomic_store_n(&e->key, DMA_KEY_DEAD, __ATOMIC_RELEASE);
			return;
		}
		if (e->key == DMA_KEY_EMPTY)
			return;
	}
}

uint64_t
dma_virt_to_phys(const void *virt)
{
	uintptr_t va = (uintptr_t)virt;
	uint64_t entry, pfn;
	int fd;

	if ((fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	/* One 8-byte entry per 4 KiB page: bit 63 present, bits 54:0 PFN
	 * (zero unless the reader has CAP_SYS_ADMIN). */
	if (pread(fd, &entry, sizeof(entry), (off_t)(va / 4096) * 8) !=
	    (ssize_t)sizeof(entry)) {
		close(fd);
		return 0;
	}
	close(fd);
	pfn = entry & ((1ull << 55) - 1);
	if (!(entry >> 63) || pfn == 0) {
		errno = EPERM;
		return 0;
	}
	return pfn * 4096 + va % 4096;
}

/*
 * Prefer the NIC's NUMA node for what follows (set_mempolicy(2)'s
 * MPOL_PREFERRED through mbind(2), by syscall: no libnuma for two
 * calls).  Preferred, not bound: a node without free hugepages falls
 * back to another rather than failing (a bound hugetlb fault would be a
 * SIGBUS), and where the memory landed is checked and said.
 */
static int dma_node = -1;

void
dma_set_node(int node)
{
	dma_node = node;
}

static void
dma_place(void *p, size_t size)
{
	unsigned long mask[DMA_NODES_MAX / (8 * sizeof(unsigned long))];
	static int warned;

	if (dma_node < 0)
		return;
	if (dma_node >= DMA_NODES_MAX) {
		errno = EINVAL;
		goto fail;
	}
	memset(mask, 0, sizeof(mask));
	mask[dma_node / (8 * sizeof(unsigned long))] |=
	    1ul << (dma_node % (8 * sizeof(unsigned long)));
	if (syscall(SYS_mbind, p, size, MPOL_PREFERRED, mask,
	    (unsigned long)DMA_NODES_MAX + 1, 0) == -1)
		goto fail;
	return;

fail:
	if (!warned++)
		log_warn("cannot prefer NUMA node %d for DMA memory "
		    "(mbind)", dma_node);
}

/* The node the first page of p is on after it was faulted in; -1. */
static int
dma_node_of(void *p)
{
	int node = -1;

	if (syscall(SYS_get_mempolicy, &node, NULL, 0UL, p,
	    (unsigned long)(MPOL_F_NODE | MPOL_F_ADDR)) == -1)
		return -1;
	return node;
}

int
dma_numa_node(const void *virt)
{
	return dma_node_of((void *)(uintptr_t)virt);
}

static void *
dma_map_hugepages(size_t size)
{
	static int warned_node;
	void *p;
	int node;

	/* 2 MiB pages by name (MAP_HUGE_2MB), not the system's default
	 * hugepage size, which may be 1 GiB: the tables and every IOVA
	 * computation here assume DMA_PAGE_SIZE.  With a node to prefer,
	 * the pages are faulted in by mlock, after mbind. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB |
	    (dma_node < 0 ? MAP_POPULATE : 0), -1, 0);
	if (p == MAP_FAILED) {
		if (errno == ENOMEM)
			log_warnx("cannot get %zu MiB of hugepage memory: too few "
			    "free 2 MiB hugepages (see HugePages_Free in "
			    "/proc/meminfo); reserve more with: "
			    "echo 512 > /proc/sys/vm/nr_hugepages", size >> 20);
		else
			log_warn("mmap of %zu MiB of hugepages", size >> 20);
		return NULL;
	}
	dma_place(p, size);
	if (mlock(p, size) == -1) {
		log_warn("mlock of DMA memory (raise RLIMIT_MEMLOCK or run as root)");
		munmap(p, size);
		return NULL;
	}
	if (dma_node >= 0 && (node = dma_node_of(p)) != dma_node &&
	    node >= 0 && !warned_node++)
		log_warnx("DMA memory is on NUMA node %d, not on the NIC's "
		    "node %d: too few free 2 MiB hugepages there (see "
		    "/sys/devices/system/node/node%d/hugepages/"
		    "hugepages-2048kB/free_hugepages)", node, dma_node,
		    dma_node);
	return p;
}

int
dma_init(enum dma_iova_mode mode)
{
	void *probe;
	uint64_t phys;

	if (dma_ndomains > 0) {
		/* an IOMMU is attached: its addresses or none */
		if (mode == DMA_IOVA_AUTO || mode == DMA_IOVA_IOMMU)
			return 0;
		log_warnx("DMA memory is mapped through an IOMMU (VFIO); "
		    "physical or virtual addresses cannot be used as well");
		return -1;
	}
	if (mode == DMA_IOVA_VIRT || mode == DMA_IOVA_IOMMU) {
		dma_iova_mode = mode;
		return 0;
	}
	if ((probe = dma_map_hugepages(DMA_PAGE_SIZE)) == NULL)
		return -1;
	phys = dma_virt_to_phys(probe);
	munmap(probe, DMA_PAGE_SIZE);
	if (phys != 0) {
		dma_iova_mode = DMA_IOVA_PHYS;
		return 0;
	}
	if (mode == DMA_IOVA_PHYS) {
		log_warnx("cannot translate addresses through /proc/self/pagemap "
		    "(physical addresses need CAP_SYS_ADMIN): run as root");
		return -1;
	}
	dma_iova_mode = DMA_IOVA_VIRT;
	return 0;
}

enum dma_iova_mode
dma_mode(void)
{
	return dma_iova_mode;
}

/* Map one page into every domain; -1 leaves none of them mapped.
 * dma_lock held. */
static int
dma_domains_map(void *virt, uint64_t iova)
{
	int i;

	for (i = 0; i < dma_ndomains; i++) {
		if (dma_domains[i].map(dma_domains[i].ctx, virt, iova,
		    DMA_PAGE_SIZE) == -1) {
			while (i-- > 0)
				(void)dma_domains[i].unmap(dma_domains[i].ctx,
				    iova, DMA_PAGE_SIZE);
			return -1;
		}
	}
	return 0;
}

static void
dma_domains_unmap(uint64_t iova)
{
	int i;

	for (i = 0; i < dma_ndomains; i++)
		(void)dma_domains[i].unmap(dma_domains[i].ctx, iova,
		    DMA_PAGE_SIZE);
}

int
dma_iommu_attach(const struct dma_iommu *d)
{
	uint32_t i;

	pthread_mutex_lock(&dma_lock);
	if (dma_iova_mode != DMA_IOVA_IOMMU && dma_live != 0) {
		pthread_mutex_unlock(&dma_lock);
		log_warnx("DMA memory was allocated before the IOMMU was set "
		    "up; it cannot be mapped at IOVAs of ixfwd's choosing");
		return -1;
	}
	if (dma_ndomains == DMA_IOMMU_MAX) {
		pthread_mutex_unlock(&dma_lock);
		log_warnx("more than %d IOMMU domains", DMA_IOMMU_MAX);
		return -1;
	}
	/* Every page already there, into the new domain. */
	for (i = 0; i < DMA_TABLE_SIZE; i++) {
		uint64_t k = by_virt[i].key;

		if (k == DMA_KEY_EMPTY || k == DMA_KEY_DEAD)
			continue;
		if (d->map(d->ctx, (void *)(uintptr_t)((k - 1) <<
		    DMA_PAGE_SHIFT), by_virt[i].val, DMA_PAGE_SIZE) == -1) {
			pthread_mutex_unlock(&dma_lock);
			return -1;
		}
	}
	dma_domains[dma_ndomains++] = *d;
	dma_iova_mode = DMA_IOVA_IOMMU;
	pthread_mutex_unlock(&dma_lock);
	return 0;
}

void
dma_iommu_detach(const struct dma_iommu *d)
{
	int i;

	pthread_mutex_lock(&dma_lock);
	for (i = 0; i < dma_ndomains; i++) {
		if (dma_domains[i].ctx == d->ctx &&
		    dma_domains[i].map == d->map) {
			dma_domains[i] = dma_domains[--dma_ndomains];
			break;
		}
	}
	pthread_mutex_unlock(&dma_lock);
}

/* Out of the IOMMU domains first, then out of the tables; dma_lock
 * held. */
static void
dma_forget_page(void *virt)
{
	uint64_t iova, vpage = (uintptr_t)virt >> DMA_PAGE_SHIFT;

	if (dma_table_get(by_virt, vpage, &iova) == -1)
		return;
	if (dma_iova_mode == DMA_IOVA_IOMMU)
		dma_domains_unmap(iova);
	dma_table_del(by_iova, iova >> DMA_PAGE_SHIFT);
	dma_table_del(by_virt, vpage);
	dma_live--;
}

int
dma_alloc(struct dma_mem *m, size_t size, int contiguous)
{
	uint64_t base;
	size_t off;
	uint8_t *p;

	memset(m, 0, sizeof(*m));
	if (dma_iova_mode == DMA_IOVA_AUTO && dma_init(DMA_IOVA_AUTO) == -1)
		return -1;
	if (size == 0 || (contiguous && size > DMA_PAGE_SIZE)) {
		log_warnx("DMA allocation of %zu bytes: %s", size,
		    size ? "a contiguous range must fit one 2 MiB hugepage" :
		    "empty");
		return -1;
	}
	size = dma_pages(size) * DMA_PAGE_SIZE;
	if ((p = dma_map_hugepages(size)) == NULL)
		return -1;

	pthread_mutex_lock(&dma_lock);
	base = dma_next_iova;
	for (off = 0; off < size; off += DMA_PAGE_SIZE) {
		uint64_t iova = (uintptr_t)(p + off);

		if (dma_iova_mode == DMA_IOVA_PHYS &&
		    (iova = dma_virt_to_phys(p + off)) == 0) {
			log_warn("physical address of DMA memory");
			goto fail;
		}
		if (dma_iova_mode == DMA_IOVA_IOMMU) {
			iova = base + off;
			if (dma_domains_map(p + off, iova) == -1)
				goto fail;
		}
		if (dma_table_put(by_iova, iova >> DMA_PAGE_SHIFT,
		    (uintptr_t)(p + off)) == -1 ||
		    dma_table_put(by_virt, (uintptr_t)(p + off) >> DMA_PAGE_SHIFT,
		    iova) == -1) {
			log_warnx("DMA translation table full");
			if (dma_iova_mode == DMA_IOVA_IOMMU)
				dma_domains_unmap(iova);
			goto fail;
		}
		dma_live++;
		if (off == 0)
			m->iova = iova;
	}
	if (dma_iova_mode == DMA_IOVA_IOMMU)
		dma_next_iova = base + size;	/* never handed out again */
	pthread_mutex_unlock(&dma_lock);
	m->virt = p;
	m->size = size;
	__atomic_fetch_add(&dma_alloc_gen, 1, __ATOMIC_ACQ_REL);
	return 0;

fail:
	while (off > 0) {
		off -= DMA_PAGE_SIZE;
		dma_forget_page(p + off);
	}
	pthread_mutex_unlock(&dma_lock);
	munmap(p, size);
	memset(m, 0, sizeof(*m));
	return -1;
}

void
dma_keep_all(void)
{
	__atomic_store_n(&dma_kept, 1, __ATOMIC_RELEASE);
}

void
dma_free(struct dma_mem *m)
{
	uint8_t *p = m->virt;
	size_t off;

	if (p == NULL)
		return;
	if (__atomic_load_n(&dma_kept, __ATOMIC_ACQUIRE)) {
		/* a device may still write it: mapped and locked until the
		 * process ends */
		memset(m, 0, sizeof(*m));
		return;
	}
	pthread_mutex_lock(&dma_lock);
	for (off = 0; off < m->size; off += DMA_PAGE_SIZE)
		dma_forget_page(p + off);
	pthread_mutex_unlock(&dma_lock);
	munmap(p, m->size);
	memset(m, 0, sizeof(*m));
}

size_t
dma_pages_mapped(void)
{
	size_t n;

	pthread_mutex_lock(&dma_lock);
	n = (size_t)dma_live;
	pthread_mutex_unlock(&dma_lock);
	return n;
}

#define DMA_SYSFS_2M	"/sys/kernel/mm/hugepages/hugepages-2048kB/"

static long
dma_sysfs_long(const char *name)
{
	char buf[32];
	long v = -1;
	FILE *f;

	if ((f = fopen(name, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

int
dma_hugepages_avail(long *avail, long *total)
{
	long nr, nfree, resv, over, surplus;

	*avail = *total = 0;
	if ((nr = dma_sysfs_long(DMA_SYSFS_2M "nr_hugepages")) < 0 ||
	    (nfree = dma_sysfs_long(DMA_SYSFS_2M "free_hugepages")) < 0)
		return -1;
	resv = dma_sysfs_long(DMA_SYSFS_2M "resv_hugepages");
	over = dma_sysfs_long(DMA_SYSFS_2M "nr_overcommit_hugepages");
	surplus = dma_sysfs_long(DMA_SYSFS_2M "surplus_hugepages");
	*total = nr;
	*avail = nfree - (resv > 0 ? resv : 0);
	if (over > 0 && over > surplus)
		*avail += over - (surplus > 0 ? surplus : 0);
	if (*avail < 0)
		*avail = 0;
	return 0;
}

uint64_t
dma_virt_to_iova(const void *virt)
{
	uintptr_t va = (uintptr_t)virt;
	uint64_t iova;

	if (dma_table_get(by_virt, va >> DMA_PAGE_SHIFT, &iova) == -1)
		return 0;
	return iova + (va & (DMA_PAGE_SIZE - 1));
}

void *
dma_iova_to_virt(uint64_t iova, size_t len)
{
	uint64_t page = iova >> DMA_PAGE_SHIFT, base, next;
	uint64_t end = iova + (len ? len : 1) - 1;

	if (end < iova || dma_table_get(by_iova, page, &base) == -1)
		return NULL;
	/* A range over several pages is good only if they follow each
	 * other in both address spaces. */
	for (next = page + 1; next <= end >> DMA_PAGE_SHIFT; next++) {
		uint64_t v;

		if (dma_table_get(by_iova, next, &v) == -1 ||
		    v != base + ((next - page) << DMA_PAGE_SHIFT))
			return NULL;
	}
	return (void *)(uintptr_t)(base + (iova & (DMA_PAGE_SIZE - 1)));
}

void *
dma_iotlb_fill(struct dma_iotlb *t, uint64_t iova, size_t len)
{
	uint64_t gen = __atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE);
	uint64_t page = iova / DMA_PAGE_SIZE, off = iova & (DMA_PAGE_SIZE - 1);
	struct dma_iotlb_entry *e = &t->e[page & (DMA_IOTLB_SIZE - 1)];
	uint8_t *v;

	if ((v = dma_iova_to_virt(iova, len)) == NULL)
		return NULL;
	if (len != 0 && len <= DMA_PAGE_SIZE - off) {
		e->page = page + 1;
		e->base = (uintptr_t)(v - off);
		e->gen = gen;
	}
	return v;
}
