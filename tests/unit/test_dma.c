/*
 * test_dma.c: hugepage DMA memory, pagemap translation, the IOVA table,
 * and the packet buffer pool.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dma.h"
#include "hugepages.h"
#include "log.h"
#include "logcapture.h"
#include "mempool.h"
#include "t.h"

static void
test_phys_mode_as_root(void)
{
	if (!t_is_root())
		T_SKIP("physical addresses need root (CAP_SYS_ADMIN)");
	T_REQUIRE(dma_init(DMA_IOVA_AUTO) == 0);
	T_EQ(dma_mode(), DMA_IOVA_PHYS);
}

static void
test_pagemap_translation(void)
{
	struct dma_mem m;
	uint64_t p0, p1, pmid;

	if (!t_is_root())
		T_SKIP("pagemap gives frame numbers to root only");
	T_REQUIRE(dma_alloc(&m, 2 * DMA_PAGE_SIZE, 0) == 0);
	p0 = dma_virt_to_phys(m.virt);
	pmid = dma_virt_to_phys((uint8_t *)m.virt + 12345);
	p1 = dma_virt_to_phys((uint8_t *)m.virt + DMA_PAGE_SIZE);
	T_CHECK(p0 != 0 && p1 != 0);
	/* a hugepage is physically contiguous and 2 MiB aligned */
	T_EQ(pmid, p0 + 12345);
	T_EQ(p0 % DMA_PAGE_SIZE, 0);
	T_EQ(p1 % DMA_PAGE_SIZE, 0);
	T_CHECK(p0 != p1);
	T_EQ(m.iova, p0);
	T_EQ(dma_virt_to_iova((uint8_t *)m.virt + DMA_PAGE_SIZE + 8), p1 + 8);
	dma_free(&m);
}

static void
test_iova_table(void)
{
	struct dma_mem m;
	uint64_t iova;
	uint8_t *v;

	T_REQUIRE(dma_alloc(&m, 4096, 1) == 0);
	T_EQ(m.size, DMA_PAGE_SIZE);
	T_CHECK(m.iova != 0);
	v = dma_iova_to_virt(m.iova + 100, 64);
	T_CHECK(v == (uint8_t *)m.virt + 100);
	/* whole page is fine, one byte past it is not */
	T_CHECK(dma_iova_to_virt(m.iova, DMA_PAGE_SIZE) == m.virt);
	T_CHECK(dma_iova_to_virt(m.iova, DMA_PAGE_SIZE + 1) == NULL);
	T_CHECK(dma_iova_to_virt(m.iova + DMA_PAGE_SIZE, 1) == NULL);
	T_CHECK(dma_iova_to_virt(0x1000, 64) == NULL);
	T_CHECK(dma_iova_to_virt(UINT64_MAX - 10, 64) == NULL);
	T_EQ(dma_virt_to_iova((uint8_t *)m.virt + 7), m.iova + 7);
	T_EQ(dma_virt_to_iova(&m), 0);
	/* memory is zeroed and writable through both views */
	T_EQ(v[0], 0);
	v[0] = 0xab;
	T_EQ(((uint8_t *)m.virt)[100], 0xab);
	iova = m.iova;
	dma_free(&m);
	T_CHECK(dma_iova_to_virt(iova + 100, 64) == NULL);
}

/* The model's IOTLB gives what the table gives, and forgets a page as
 * soon as it is freed: a stale buffer address still faults. */
static void
test_iotlb(void)
{
	struct dma_iotlb tlb;
	struct dma_mem a, b;
	uint64_t ia;

	memset(&tlb, 0, sizeof(tlb));
	T_REQUIRE(dma_alloc(&a, 4096, 1) == 0);
	T_REQUIRE(dma_alloc(&b, 4096, 1) == 0);
	T_CHECK(dma_iotlb_translate(&tlb, a.iova + 64, 64) ==
	    (uint8_t *)a.virt + 64);
	/* the second lookup is served by the entry, same answer */
	T_CHECK(dma_iotlb_translate(&tlb, a.iova + 128, 64) ==
	    (uint8_t *)a.virt + 128);
	T_CHECK(dma_iotlb_translate(&tlb, b.iova, 64) == b.virt);
	/* a range that leaves the page is refused, entry or not */
	T_CHECK(dma_iotlb_translate(&tlb, a.iova + DMA_PAGE_SIZE - 32, 64) ==
	    NULL);
	ia = a.iova;
	dma_free(&a);
	T_CHECK(dma_iotlb_translate(&tlb, ia + 64, 64) == NULL);
	T_CHECK(dma_iotlb_translate(&tlb, b.iova + 64, 64) ==
	    (uint8_t *)b.virt + 64);
	dma_free(&b);
}

static void
test_contiguous_limit(void)
{
	struct dma_mem m;

	T_CHECK(dma_alloc(&m, DMA_PAGE_SIZE + 1, 1) == -1);
	T_CHECK(m.virt == NULL);
}

static void
test_mempool(void)
{
	struct mempool *mp;
	struct pkt_buf *bufs[3000];
	uint32_t i, got;

	T_REQUIRE((mp = mempool_create(2500)) != NULL);
	T_EQ(mp->nfree, 2500);
	got = mempool_alloc_bulk(mp, bufs, 3000);
	T_EQ(got, 2500);
	T_EQ(mp->nfree, 0);
	T_CHECK(mempool_alloc(mp) == NULL);
	for (i = 0; i < got; i++) {
		struct pkt_buf *b = bufs[i];
		uintptr_t room = (uintptr_t)b->room;

		/* every buffer is reachable through the IOMMU check, whole */
		if (dma_iova_to_virt(pkt_iova(b), PKT_DATA_SIZE) !=
		    pkt_data(b)) {
			T_CHECK(!"buffer not contiguous in IOVA space");
			break;
		}
		if (room / DMA_PAGE_SIZE !=
		    (room + PKT_HEADROOM + PKT_DATA_SIZE - 1) / DMA_PAGE_SIZE) {
			T_CHECK(!"buffer crosses a hugepage");
			break;
		}
		T_EQ(b->pool, mp);
		T_EQ(b->data_off, PKT_HEADROOM);
		T_EQ((uintptr_t)b->room % 64, 0);
		memset(pkt_data(b), (int)i, PKT_DATA_SIZE);
	}
	for (i = 0; i < got; i++)
		pkt_free(bufs[i]);
	T_EQ(mp->nfree, 2500);
	mempool_destroy(mp);
}

/* The kernel page size of the mapping at p, from /proc/self/smaps; 0
 * if not found. */
static unsigned long
kernel_page_kb(const void *p)
{
	char line[256];
	unsigned long lo, hi, kb = 0;
	int in = 0;
	FILE *f;

	if ((f = fopen("/proc/self/smaps", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && sscanf(line, "KernelPageSize: %lu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* 2 MiB pages by name, on the NUMA node asked for; a node that cannot
 * be had is said, and the memory comes anyway. */
static void
test_hugepage_size_and_node(void)
{
	struct dma_mem m;
	const char *out;

	dma_set_node(0);
	T_REQUIRE(dma_alloc(&m, 4096, 1) == 0);
	T_EQ(kernel_page_kb(m.virt), 2048);
	T_EQ(dma_numa_node(m.virt), 0);
	dma_free(&m);
	dma_set_node(1023);		/* no such node here */
	log_capture_begin();
	T_CHECK(dma_alloc(&m, 4096, 1) == 0);
	out = log_capture_end();
	T_CHECK(strstr(out, "cannot prefer NUMA node 1023 for DMA memory") !=
	    NULL);
	T_EQ(kernel_page_kb(m.virt), 2048);
	dma_free(&m);
	dma_set_node(-1);
}

int
main(void)
{
	if (!t_hugepages(16)) {
		printf("SKIP: dma: no 2 MiB hugepages and not root to reserve them\n");
		return 0;
	}
	T_RUN(test_phys_mode_as_root);
	T_RUN(test_pagemap_translation);
	T_RUN(test_iova_table);
	T_RUN(test_iotlb);
	T_RUN(test_contiguous_limit);
	T_RUN(test_mempool);
	T_RUN(test_hugepage_size_and_node);
	return t_done();
}
