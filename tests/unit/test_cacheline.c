/*
 * test_cacheline.c: what a worker writes per packet lies on cache lines
 * no other object uses, so two workers never write into one line (false
 * sharing: the line would bounce between their cores on every packet).
 *
 * calloc_lines() itself, then the objects built with it: a buffer pool's
 * header and free stack (written on every alloc and free), and the rule
 * hit counters of two workers' paths of one port (written on every
 * packet a rule list decides).  An object "keeps to its lines" when it
 * starts a line and the allocation under it covers every line it
 * touches, so the allocator cannot put anything else there.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cacheline.h"
#include "conf.h"
#include "hugepages.h"
#include "mempool.h"
#include "null_port.h"
#include "path.h"
#include "t.h"

#define NEED_HUGEPAGES(n) do {						\
	if (!t_hugepages(n)) {						\
		T_SKIP("no 2 MiB hugepages and not root to reserve them"); \
	}								\
} while (0)

/* p keeps to lines of its own for size bytes. */
static int
own_lines(const void *p, size_t size)
{
	return p != NULL && ((uintptr_t)p % CACHE_LINE) == 0 &&
	    malloc_usable_size((void *)p) >= cacheline_round(size);
}

/* Do [a, a + na) and [b, b + nb) touch a common line? */
static int
share_line(const void *a, size_t na, const void *b, size_t nb)
{
	uintptr_t a0 = (uintptr_t)a / CACHE_LINE;
	uintptr_t a1 = ((uintptr_t)a + na - 1) / CACHE_LINE;
	uintptr_t b0 = (uintptr_t)b / CACHE_LINE;
	uintptr_t b1 = ((uintptr_t)b + nb - 1) / CACHE_LINE;

	return a0 <= b1 && b0 <= a1;
}

static void
test_calloc_lines(void)
{
	static const size_t sizes[] = { 1, 8, 16, 63, 64, 65, 4096, 4104 };
	unsigned char *p[8];
	size_t i, k;

	/* small objects allocated back to back, as calloc packs them */
	for (i = 0; i < 8; i++) {
		p[i] = calloc_lines(1, sizes[i]);
		T_REQUIRE(p[i] != NULL);
		T_CHECK(own_lines(p[i], sizes[i]));
		for (k = 0; k < cacheline_round(sizes[i]); k++)
			if (p[i][k] != 0)
				break;
		T_EQ(k, cacheline_round(sizes[i]));	/* zeroed, all of it */
	}
	for (i = 0; i < 8; i++)
		for (k = i + 1; k < 8; k++)
			T_CHECK(!share_line(p[i], sizes[i], p[k], sizes[k]));
	for (i = 0; i < 8; i++)
		free(p[i]);

	T_EQ(cacheline_round(0), 0);
	T_EQ(cacheline_round(1), 64);
	T_EQ(cacheline_round(64), 64);
	T_EQ(cacheline_round(65), 128);
	T_EQ(cacheline_round(SIZE_MAX), 0);
	/* n * size overflows: refused, not wrapped to a small block */
	errno = 0;
	T_CHECK(calloc_lines(SIZE_MAX / 8 + 2, 8) == NULL);
	T_EQ(errno, ENOMEM);
	errno = 0;
	T_CHECK(calloc_lines(1, SIZE_MAX - 10) == NULL);
	T_EQ(errno, ENOMEM);
	/* nothing asked: still a block free() takes */
	p[0] = calloc_lines(0, 8);
	T_CHECK(p[0] != NULL);
	free(p[0]);
}

/* Two workers' pools, created one after the other as pipe_create() does:
 * each header and free stack keeps to its lines. */
static void
test_pools(void)
{
	struct mempool *a, *b;

	NEED_HUGEPAGES(16);
	a = mempool_create(1024);
	b = mempool_create(1024);
	T_REQUIRE(a != NULL && b != NULL);
	T_CHECK(own_lines(a, sizeof(*a)));
	T_CHECK(own_lines(b, sizeof(*b)));
	T_CHECK(own_lines(a->free, a->n * sizeof(*a->free)));
	T_CHECK(own_lines(b->free, b->n * sizeof(*b->free)));
	T_CHECK(!share_line(a, sizeof(*a), b, sizeof(*b)));
	T_CHECK(!share_line(a->free, a->n * sizeof(*a->free), b->free,
	    b->n * sizeof(*b->free)));
	mempool_destroy(a);
	mempool_destroy(b);
}

/* Port a has two RX queues served by two workers, with a rule list: the
 * workers' paths of a and their hit counters keep to their lines. */
static void
test_rule_hits(void)
{
	static const char yaml[] =
	    "ports:\n"
	    "  - { name: a, device: null, queues: 2, cpus: [0, 1] }\n"
	    "  - { name: b, device: null }\n"
	    "forward:\n"
	    "  - from: a\n"
	    "    to: b\n"
	    "    rules:\n"
	    "      - { action: drop, proto: tcp, dst_port: 23 }\n"
	    "      - { action: pass, proto: udp, dst_port: 53 }\n"
	    "    default: pass\n";
	char path[] = "/tmp/ixfwd-test-cacheline.XXXXXX";
	struct pipe_path *p[2];
	struct port *ports[2] = { NULL, NULL };
	struct mempool *pool = NULL;
	struct conf c;
	int16_t txq[2][CONF_PORTS_MAX];
	size_t nh;
	FILE *f;
	int fd, w;

	NEED_HUGEPAGES(16);
	memset(&c, 0, sizeof(c));
	T_REQUIRE((fd = mkstemp(path)) != -1);
	T_REQUIRE((f = fdopen(fd, "w")) != NULL);
	fputs(yaml, f);
	fclose(f);
	T_REQUIRE(conf_load(path, &c, stderr) == 0);
	unlink(path);
	T_REQUIRE((pool = mempool_create(256)) != NULL);
	ports[0] = null_port_open("a", 2, 1, (struct mempool *[]){ pool,
	    pool });
	ports[1] = null_port_open("b", 1, 2, (struct mempool *[]){ pool });
	T_REQUIRE(ports[0] != NULL && ports[1] != NULL);
	for (w = 0; w < 2; w++) {
		memset(txq[w], 0xff, sizeof(txq[w]));
		txq[w][1] = (int16_t)w;		/* its own TX queue on b */
		p[w] = pipe_path_build(&c, 0, txq[w], ports, NULL);
		T_REQUIRE(p[w] != NULL);
	}
	nh = (size_t)(p[0]->nrules + 1) * sizeof(*p[0]->hits);
	T_EQ(p[0]->nrules, 2);
	for (w = 0; w < 2; w++) {
		T_CHECK(own_lines(p[w], sizeof(*p[w])));
		T_CHECK(own_lines(p[w]->hits, nh));
	}
	T_CHECK(!share_line(p[0]->hits, nh, p[1]->hits, nh));
	T_CHECK(!share_line(p[0]->hits, nh, p[1], sizeof(*p[1])));
	T_CHECK(!share_line(p[1]->hits, nh, p[0], sizeof(*p[0])));
	for (w = 0; w < 2; w++)
		pipe_path_free(p[w]);
	port_close(ports[0]);
	port_close(ports[1]);
	mempool_destroy(pool);
	conf_free(&c);
}

int
main(void)
{
	T_RUN(test_calloc_lines);
	T_RUN(test_pools);
	T_RUN(test_rule_hits);
	return t_done();
}
