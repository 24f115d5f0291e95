/*
 * dma.h: memory a NIC can DMA to and from.
 *
 * All DMA memory is 2 MiB hugepages, locked.  Each allocation gets an I/O
 * virtual address (IOVA), the address a descriptor carries:
 *
 *   DMA_IOVA_PHYS  the physical address, from /proc/self/pagemap.  What a
 *                  real 82599 needs without an IOMMU.  Needs CAP_SYS_ADMIN.
 *   DMA_IOVA_VIRT  the process virtual address (iova = vaddr), for
 *                  device models only.
 *   DMA_IOVA_IOMMU addresses ixfwd chooses (from DMA_IOVA_BASE up, never
 *                  reused, so a stale descriptor faults rather than
 *                  reaching new memory), each 2 MiB page mapped into every
 *                  attached IOMMU domain (VFIO containers, vfio.c) before
 *                  dma_alloc() returns and unmapped before dma_free()
 *                  lets go of it.  No pagemap, no privilege.
 *
 * Every hugepage handed out is entered in a translation table, the
 * process's "IOMMU": dma_iova_to_virt() resolves an IOVA range back to
 * memory, or refuses it.  A device model uses it to check every address a
 * driver gives it; the driver itself only ever uses dma_alloc() and the
 * iova it returns.
 */
#ifndef IXFWD_DMA_H
#define IXFWD_DMA_H

#include <stddef.h>
#include <stdint.h>

#define DMA_PAGE_SIZE	(2u << 20)	/* 2 MiB hugepage */

enum dma_iova_mode {
	DMA_IOVA_AUTO,	/* PHYS when pagemap works, else VIRT */
	DMA_IOVA_PHYS,
	DMA_IOVA_VIRT,
	DMA_IOVA_IOMMU,
};

#define DMA_IOVA_BASE	(1ull << 32)	/* above the 32-bit MSI window */

/* An IOMMU domain memory is mapped into: map/unmap one range, 0 or -1
 * (logged by the domain). */
struct dma_iommu {
	int	(*map)(void *ctx, void *vaddr, uint64_t iova, size_t len);
	int	(*unmap)(void *ctx, uint64_t iova, size_t len);
	void	*ctx;
};

#define DMA_IOMMU_MAX	4

/* Map all DMA memory, now (every page already allocated) and from now
 * on, into d, and switch to DMA_IOVA_IOMMU; refused (-1, logged) if
 * memory was already allocated in another mode.  Detach before the
 * domain goes away; detaching unmaps nothing (closing a VFIO container
 * drops its mappings). */
int		 dma_iommu_attach(const struct dma_iommu *d);
void		 dma_iommu_detach(const struct dma_iommu *d);

struct dma_mem {
	void		*virt;
	uint64_t	 iova;	/* IOVA of virt[0]; contiguous over the whole
				 * allocation only if size <= DMA_PAGE_SIZE */
	size_t		 size;	/* rounded up to DMA_PAGE_SIZE */
};

/* Choose the IOVA mode once, before the first allocation; 0 or -1 with a
 * message naming the fix (hugepages, privilege) logged. */
int		 dma_init(enum dma_iova_mode mode);
enum dma_iova_mode dma_mode(void);

/* The hugepages dma_alloc() maps for size bytes: size rounded up to
 * DMA_PAGE_SIZE.  What ixfwd -t counts a start's memory with. */
static inline size_t
dma_pages(size_t size)
{
	return (size + DMA_PAGE_SIZE - 1) / DMA_PAGE_SIZE;
}

/* Allocate size bytes of zeroed, locked hugepage memory.  With
 * contiguous set, the range must fit one hugepage (size <= 2 MiB) so its
 * IOVAs are contiguous too.  0, or -1 with the reason logged. */
int		 dma_alloc(struct dma_mem *m, size_t size, int contiguous);
void		 dma_free(struct dma_mem *m);
/* A device could not be stopped: from now on dma_free() forgets memory
 * instead of unmapping it, so that nothing the device may still write is
 * handed back to the kernel while the process lives. */
void		 dma_keep_all(void);

/* The hugepages dma_alloc() has mapped and dma_free() not yet let go. */
size_t		 dma_pages_mapped(void);

/*
 * The 2 MiB hugepages a new mapping can get now, from
 * /sys/kernel/mm/hugepages/hugepages-2048kB: the free ones not already
 * promised to a mapping (free_hugepages - resv_hugepages), and those
 * nr_overcommit_hugepages still allows beyond the pool; the pool's size
 * (nr_hugepages) in *total.  -1 if the kernel has no 2 MiB hugepages.
 */
int		 dma_hugepages_avail(long *avail, long *total);

/* Allocations from now on prefer NUMA node node (the NIC's, from
 * sysfs numa_node); -1: the kernel's choice.  Control thread. */
void		 dma_set_node(int node);
/* The NUMA node memory at virt is on, -1 if unknown. */
int		 dma_numa_node(const void *virt);

/* IOVA of any address inside memory from dma_alloc(); 0 if it is not. */
uint64_t	 dma_virt_to_iova(const void *virt);

/* The IOMMU check: the memory behind [iova, iova + len), or NULL if any
 * byte of it is not DMA memory (or spans two hugepages that are not
 * contiguous in both spaces).  Safe to call from any thread while others
 * allocate. */
void		*dma_iova_to_virt(uint64_t iova, size_t len);

/*
 * An IOTLB: the hugepages a device model translated last, direct-mapped
 * by page number, so that most of its per-frame checks are a compare
 * rather than a table probe.  An entry is good while dma_unmap_gen has
 * not moved (every dma_free() moves it before the memory goes), so a
 * freed buffer still faults.  One per thread of a model; zeroed is empty.
 */
#define DMA_IOTLB_SIZE	16		/* entries, a power of two */

struct dma_iotlb_entry {
	uint64_t	 page;		/* IOVA page number + 1; 0: empty */
	uintptr_t	 base;		/* its memory */
	uint64_t	 gen;		/* dma_unmap_gen when filled */
};

struct dma_iotlb {
	struct dma_iotlb_entry e[DMA_IOTLB_SIZE];
};

extern uint64_t	 dma_unmap_gen;
extern uint64_t	 dma_alloc_gen;	/* moves on every dma_alloc() */

void		*dma_iotlb_fill(struct dma_iotlb *t, uint64_t iova, size_t len);

static inline void *
dma_iotlb_translate(struct dma_iotlb *t, uint64_t iova, size_t len)
{
	uint64_t page = iova / DMA_PAGE_SIZE, off = iova & (DMA_PAGE_SIZE - 1);
	const struct dma_iotlb_entry *e = &t->e[page & (DMA_IOTLB_SIZE - 1)];

	if (page + 1 == e->page && len != 0 && len <= DMA_PAGE_SIZE - off &&
	    e->gen == __atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE))
		return (void *)(e->base + off);
	return dma_iotlb_fill(t, iova, len);
}

/* Translate with /proc/self/pagemap: physical address, or 0 (and errno)
 * when it cannot be read or the process lacks CAP_SYS_ADMIN. */
uint64_t	 dma_virt_to_phys(const void *virt);

#endif /* IXFWD_DMA_H */
