/*
 * null_port.c: a port with no device behind it (null_port.h).
 *
 * Each RX queue hands out buffers of its own pool, each already holding
 * the frame: the template is written into the pools' buffers once, at
 * open, and a received buffer gets its length and offset set and the
 * port's own source address (6 bytes), as DPDK's net_null does without
 * its copy option.  The source is written per frame because a pool is a
 * worker's, shared by every port the worker receives from: the template
 * the last port opened wrote would otherwise come out of all of them,
 * and a learning bridge would see one station on every port, moving it
 * on every batch (measured: 14 to 40 more cycles a frame with two
 * workers, a compare-and-swap on one line from both cores).  The store
 * costs bare forwarding 1.5 cycles a frame (13.9 against 15.4, runs
 * alternated), the price of frames a bridge or a MAC rule can read
 * correctly; writing only when the source differs costs more (the
 * frames of a worker's ports alternate in its pool).  TX frees
 * what it is given.  The statistics are what the port handed out and
 * took, per queue, each queue written by its one owner and summed by
 * the control thread.
 *
 * Past the source address, a buffer's content is the template as long as
 * nothing else wrote into it: an emulated port sharing the pool (it
 * receives into it), or a path that rewrites frames.  RX does not restore
 * it, on purpose: the port is for measuring the framework, not for
 * carrying traffic.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "cacheline.h"
#include "log.h"
#include "mempool.h"
#include "null_port.h"
#include "port.h"

#define NULL_LINK_MBPS		10000

#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/* Counters of one queue: one writer (relaxed stores), one line each. */
struct null_queue {
	uint64_t	 packets;
	uint64_t	 bytes;
} __attribute__((aligned(64)));

struct null_rxq {
	struct null_queue c;
	struct mempool	*pool;
} __attribute__((aligned(64)));

struct null_dev {
	struct port	 port;
	struct null_rxq	 rxq[NULL_PORT_QUEUES_MAX];	/* nb_rxq used */
	struct null_queue txq[];	/* nb_txq */
};

#define NULL_COUNT(field, n) \
	__atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)

static uint16_t	null_rx_batch(struct port *, uint16_t, struct pkt_buf **,
		    uint16_t);
static uint16_t	null_tx_batch(struct port *, uint16_t, struct pkt_buf **,
		    uint16_t);
static void	null_link(struct port *, struct port_link *);
static void	null_stats(struct port *, struct port_stats *);
static void	null_set_promisc(struct port *, int);
static void	null_close(struct port *);

static const struct port_ops null_ops = {
	.rx_batch = null_rx_batch,
	.tx_batch = null_tx_batch,
	.link = null_link,
	.stats = null_stats,
	.set_promisc = null_set_promisc,
	.close = null_close,
};

static unsigned int null_nopened;	/* for distinct MAC addresses */

static inline struct null_dev *
null_dev(struct port *p)
{
	return container_of(p, struct null_dev, port);
}

/*
 * The frame: Ethernet II from the port's MAC to a locally administered
 * one, IPv4 (RFC 2544 benchmark addresses 198.18.0.1 -> 198.19.0.1), UDP
 * 9 -> 9 (discard), payload zero; 60 bytes, the header checksum valid.
 */
static void
null_template(uint8_t f[NULL_PORT_FRAME_LEN], const uint8_t mac[6])
{
	static const uint8_t ip[20] = {
		0x45, 0x00, 0x00, 46,		/* 60 - 14 */
		0x00, 0x00, 0x00, 0x00,
		0x40, 0x11, 0x00, 0x00,		/* TTL 64, UDP, checksum */
		198, 18, 0, 1,
		198, 19, 0, 1,
	};
	uint32_t sum = 0;
	int i;

	memset(f, 0, NULL_PORT_FRAME_LEN);
	f[0] = 0x02;				/* destination */
	f[5] = 0x01;
	memcpy(f + 6, mac, 6);			/* source */
	f[12] = 0x08;
	f[13] = 0x00;
	memcpy(f + 14, ip, sizeof(ip));
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)f[14 + i] << 8 | f[14 + i + 1];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	f[24] = (uint8_t)(sum >> 8);
	f[25] = (uint8_t)sum;
	f[34] = 0x00;				/* UDP 9 -> 9, length 26 */
	f[35] = 0x09;
	f[36] = 0x00;
	f[37] = 0x09;
	f[38] = 0x00;
	f[39] = 26;
}

struct port *
null_port_open(const char *name, uint16_t nb_rxq, uint16_t nb_txq,
    struct mempool *const *rx_pool)
{
	uint8_t frame[NULL_PORT_FRAME_LEN];
	struct null_dev *dev;
	struct mempool *pool;
	size_t size;
	uint32_t i, k, q, r;

	if (nb_rxq == 0 || nb_rxq > NULL_PORT_QUEUES_MAX ||
	    nb_txq == 0 || nb_txq > NULL_PORT_QUEUES_MAX) {
		log_warnx("%s: null port with %u RX and %u TX queues (1 to "
		    "%d each)", name, nb_rxq, nb_txq, NULL_PORT_QUEUES_MAX);
		return NULL;
	}
	for (q = 0; q < nb_rxq; q++)
		if (rx_pool[q] == NULL) {
			log_warnx("%s: null port without a buffer pool for RX "
			    "queue %u", name, q);
			return NULL;
		}
	size = sizeof(*dev) + (size_t)nb_txq * sizeof(dev->txq[0]);
	if ((dev = calloc_lines(1, size)) == NULL) {
		log_warn("%s", name);
		return NULL;
	}
	dev->port.ops = &null_ops;
	dev->port.kind = "null";
	strlcpy(dev->port.name, name, sizeof(dev->port.name));
	dev->port.nb_rxq = nb_rxq;
	dev->port.nb_txq = nb_txq;
	for (q = 0; q < nb_rxq; q++)
		dev->rxq[q].pool = rx_pool[q];
	/* locally administered, unicast: 02:6e:75:6c:6c:NN ("null") */
	k = __atomic_fetch_add(&null_nopened, 1, __ATOMIC_RELAXED);
	dev->port.mac[0] = 0x02;
	dev->port.mac[1] = 0x6e;
	dev->port.mac[2] = 0x75;
	dev->port.mac[3] = 0x6c;
	dev->port.mac[4] = 0x6c;
	dev->port.mac[5] = (uint8_t)k;

	/* The frame goes into every buffer each pool holds now (once a
	 * pool).  Those on another port's rings are that device's to
	 * write: a NIC may be receiving into them at this very moment. */
	null_template(frame, dev->port.mac);
	for (q = 0; q < nb_rxq; q++) {
		pool = rx_pool[q];
		for (r = 0; r < q && rx_pool[r] != pool; r++)
			;
		if (r < q)
			continue;
		for (i = 0; i < pool->nfree; i++)
			memcpy(pool->free[i]->room + PKT_HEADROOM, frame,
			    sizeof(frame));
		log_debug("%s: null port, RX queue %u: frame written into %u "
		    "of %u buffers", name, q, pool->nfree, pool->n);
	}
	log_debug("%s: null port, %u RX queue%s, %u TX queue%s", name,
	    nb_rxq, nb_rxq == 1 ? "" : "s", nb_txq, nb_txq == 1 ? "" : "s");
	return &dev->port;
}

/* ------------------------------------------------------------------ */
/* Fast path                                                          */

static uint16_t
null_rx_batch(struct port *p, uint16_t qi, struct pkt_buf **bufs, uint16_t n)
{
	struct null_rxq *q = &null_dev(p)->rxq[qi];
	uint16_t i;

	/* mempool_alloc_bulk() puts data_off at PKT_HEADROOM, where the
	 * frame is. */
	n = (uint16_t)mempool_alloc_bulk(q->pool, bufs, n);
	for (i = 0; i < n; i++) {
		bufs[i]->len = NULL_PORT_FRAME_LEN;
		memcpy(pkt_data(bufs[i]) + 6, p->mac, 6);
	}
	NULL_COUNT(q->c.packets, n);
	NULL_COUNT(q->c.bytes, (uint64_t)n * NULL_PORT_FRAME_LEN);
	return n;
}

static uint16_t
null_tx_batch(struct port *p, uint16_t qi, struct pkt_buf **bufs, uint16_t n)
{
	struct null_queue *q = &null_dev(p)->txq[qi];
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		bytes += bufs[i]->len;
		pkt_free(bufs[i]);
	}
	NULL_COUNT(q->packets, n);
	NULL_COUNT(q->bytes, bytes);
	return n;
}

/* ------------------------------------------------------------------ */
/* Control path                                                       */

static void
null_link(struct port *p, struct port_link *l)
{
	(void)p;
	l->up = 1;
	l->failed = 0;
	l->speed_mbps = NULL_LINK_MBPS;
}

static void
null_stats(struct port *p, struct port_stats *st)
{
	struct null_dev *dev = null_dev(p);
	uint16_t q;

	memset(st, 0, sizeof(*st));
	for (q = 0; q < p->nb_rxq; q++) {
		st->rx_packets += __atomic_load_n(&dev->rxq[q].c.packets,
		    __ATOMIC_RELAXED);
		st->rx_bytes += __atomic_load_n(&dev->rxq[q].c.bytes,
		    __ATOMIC_RELAXED);
	}
	for (q = 0; q < p->nb_txq; q++) {
		st->tx_packets += __atomic_load_n(&dev->txq[q].packets,
		    __ATOMIC_RELAXED);
		st->tx_bytes += __atomic_load_n(&dev->txq[q].bytes,
		    __ATOMIC_RELAXED);
	}
}

static void
null_set_promisc(struct port *p, int on)
{
	(void)p;
	(void)on;
}

static void
null_close(struct port *p)
{
	free(null_dev(p));
}
