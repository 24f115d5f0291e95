/*
 * test_hugepage_need.c: what ixfwd -t says a start needs in hugepages
 * (pipe_hugepages()) is what the start maps: counted by hand for a known
 * configuration, and measured, in dma.c's table and in the process's own
 * hugetlb mappings (/proc/self/smaps), around pipe_create() of emulated
 * and null ports with jumbo MTUs, several queues and deep rings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dma.h"
#include "hugepages.h"
#include "mempool.h"
#include "pipeline.h"
#include "plan.h"
#include "t.h"

static char dir[] = "/tmp/ixfwd-test-hugepage-need.XXXXXX";

static int
load(const char *yaml, struct conf *c)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ixfwd.yaml", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(yaml, f);
	fclose(f);
	return conf_load(path, c, stdout);
}

/* Queue q of port i polled on cpu q % 2 (set here rather than in the
 * file, which may name only cpus this machine has). */
static void
two_cpus(struct conf *c, int i, unsigned int queues)
{
	c->ports[i].queues = queues;
	c->ports[i].ncpus = 2;
	c->ports[i].cpus[0] = 0;
	c->ports[i].cpus[1] = 1;
}

static size_t
need_of(const struct conf *c)
{
	struct pipe_plan *p;
	char err[256];
	size_t n = 0;

	if ((p = malloc(sizeof(*p))) == NULL)
		return 0;
	if (pipe_plan(c, p, err, sizeof(err)) == 0)
		n = pipe_hugepages(c, p);
	else
		printf("  plan: %s\n", err);
	free(p);
	return n;
}

/* kB of hugetlb memory mapped in this process, as the kernel says */
static long
smaps_hugetlb_kb(void)
{
	char line[256];
	long sum = 0, v;
	FILE *f;

	if ((f = fopen("/proc/self/smaps", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Shared_Hugetlb: %ld kB", &v) == 1 ||
		    sscanf(line, "Private_Hugetlb: %ld kB", &v) == 1)
			sum += v;
	fclose(f);
	return sum;
}

#define JUMBO_YAML							\
	"ports:\n"							\
	"  - { name: a, device: emulated, mtu: 9000, rx_ring: 1024,\n"	\
	"      tx_ring: 1024 }\n"					\
	"  - { name: b, device: emulated }\n"				\
	"forward:\n"							\
	"  - { from: a, to: b }\n"					\
	"  - { from: b, to: a }\n"

/*
 * By hand: a worker each for a and b.  a's: 1024 (batches) + 1024 (a's
 * RX ring) + 512 (its TX queue on b) = 2560 buffers of 9216 bytes
 * (MTU 9000 + 18, rounded up to 1 KiB): entries of 64 + 128 + 9216 =
 * 9408 bytes, 222 to a 2 MiB page, 12 pages.  b's: 1024 + 512 + 1024 =
 * 2560 buffers of 2048 bytes, entries of 2240, 936 to a page: 3 pages.
 * The rings of each port are one page.  17 in all.
 */
static void
test_known_figure(void)
{
	static struct conf c;

	T_REQUIRE(load(JUMBO_YAML, &c) == 0);
	T_EQ(mempool_pages(2560, 9216), 12);
	T_EQ(mempool_pages(2560, 2048), 3);
	T_EQ(need_of(&c), 17);
	/* the same at MTU 1500: 3 + 3 + 2, the jumbo pool 4 times smaller */
	c.ports[0].mtu = 1500;
	T_EQ(need_of(&c), 8);
	conf_free(&c);
}

/* pipe_create(c) maps what pipe_hugepages() says, and pipe_destroy()
 * gives it all back. */
static void
check_mapped(struct conf *c, const char *what)
{
	struct pipeline *pl;
	size_t need = need_of(c), before = dma_pages_mapped(), mapped;
	long kb_before = smaps_hugetlb_kb(), kb;

	printf("  %s: %zu hugepages needed\n", what, need);
	T_CHECK(need > 0);
	if (!t_hugepages((long)need + 8)) {
		T_SKIP("%s: %zu free 2 MiB hugepages needed", what, need + 8);
		return;
	}
	T_REQUIRE((pl = pipe_create(c)) != NULL);
	mapped = dma_pages_mapped() - before;
	kb = smaps_hugetlb_kb() - kb_before;
	pipe_destroy(pl);
	T_EQ(mapped, need);
	T_EQ(kb, (long)need * (DMA_PAGE_SIZE >> 10));
	T_EQ(dma_pages_mapped(), before);
}

static void
test_mapped_jumbo(void)
{
	static struct conf c;

	T_REQUIRE(load(JUMBO_YAML, &c) == 0);
	check_mapped(&c, "two emulated ports, one jumbo");
	conf_free(&c);
}

/* Several queues on two cpus, deep rings, jumbo and small MTUs, a null
 * port (pools, no rings) among emulated ones, a mirror and a bridge. */
static void
test_mapped_mixed(void)
{
	static struct conf c;

	T_REQUIRE(load("ports:\n"
	    "  - { name: a, device: emulated, mtu: 9000, rx_ring: 512,\n"
	    "      tx_ring: 1024 }\n"
	    "  - { name: b, device: null, mtu: 9710, rx_ring: 128 }\n"
	    "  - { name: c, device: emulated, rx_ring: 64, tx_ring: 2048 }\n"
	    "  - { name: d, device: emulated }\n"
	    "  - { name: e, device: emulated, mtu: 4000 }\n"
	    "forward:\n"
	    "  - { from: a, to: [b, c] }\n"
	    "  - { from: b, to: a }\n"
	    "  - { from: c, to: a }\n"
	    "bridge:\n"
	    "  ports: [d, e]\n", &c) == 0);
	two_cpus(&c, 0, 4);
	two_cpus(&c, 1, 2);
	two_cpus(&c, 2, 3);
	check_mapped(&c, "jumbo, queues, deep rings, null, bridge");
	conf_free(&c);
}

/* Null ports alone map no rings, but their workers' pools are
 * hugepages all the same. */
static void
test_mapped_null_only(void)
{
	static struct conf c;

	T_REQUIRE(load("ports:\n"
	    "  - { name: a, device: null, rx_ring: 4096 }\n"
	    "  - { name: b, device: null, mtu: 9000 }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n"
	    "  - { from: b, to: a }\n", &c) == 0);
	two_cpus(&c, 0, 2);
	check_mapped(&c, "null ports");
	conf_free(&c);
}

int
main(void)
{
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_known_figure);
	T_RUN(test_mapped_jumbo);
	T_RUN(test_mapped_mixed);
	T_RUN(test_mapped_null_only);
	rc = t_done();
	if (rc == 0) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", dir);
	}
	return rc;
}
