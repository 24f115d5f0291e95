/*
 * ixgbe.h: ixfwd's driver for the Intel 82599 family (82599ES/X520, X540,
 * X550), polled, advanced descriptors, one buffer per descriptor.
 */
#ifndef IXFWD_IXGBE_H
#define IXFWD_IXGBE_H

#include <stdint.h>

#include "bar.h"
#include "mempool.h"
#include "port.h"

#define IXGBE_RING_MIN		64
#define IXGBE_RING_MAX		4096
#define IXGBE_QUEUES_MAX	16	/* per direction, as ixfwd uses them */
#define IXGBE_FRAME_STD		1518	/* longest frame without JUMBOEN, CRC
					 * included (§8.2.3.22.13) */
#define IXGBE_FRAME_MAX		9728	/* longest max_frame: MTU 9710 + 14-byte
					 * header + CRC */
#define IXGBE_TX_MAX_LEN	9728	/* longest frame tx_batch sends, CRC
					 * excluded: MTU 9710 with an 802.1Q
					 * tag.  TXPBTHRESH leaves 10 KB for
					 * one packet (§4.6.11.3.1); §7.2.1's
					 * 15.5 KB is never reached */

#define IXGBE_RSS_KEY_LEN	40	/* RSSRK: 10 registers */
#define IXGBE_RETA_SIZE		128	/* RETA: 32 registers */

/* What the NIC hashes with RSS (MRQC field selects, §7.1.2.8); the same
 * values as conf.h's CONF_RSS_*. */
#define IXGBE_RSS_IPV4		0x01
#define IXGBE_RSS_IPV4_TCP	0x02
#define IXGBE_RSS_IPV4_UDP	0x04
#define IXGBE_RSS_IPV6		0x08
#define IXGBE_RSS_IPV6_TCP	0x10
#define IXGBE_RSS_IPV6_UDP	0x20
#define IXGBE_RSS_ALL		0x3f

struct ixgbe_conf {
	const char	*name;			/* for messages */
	uint16_t	 nb_rxq;		/* 1..IXGBE_QUEUES_MAX */
	uint16_t	 nb_txq;		/* 1..IXGBE_QUEUES_MAX */
	uint16_t	 rx_ring;		/* descriptors, power of two */
	uint16_t	 tx_ring;
	struct mempool	*rx_pool[IXGBE_QUEUES_MAX]; /* fills RX queue i */
	/* RSS, used when nb_rxq > 1 (with one queue MRQC stays 0 and every
	 * frame goes to queue 0): the Toeplitz key, the fields hashed
	 * (IXGBE_RSS_*), and the queue of each value of hash & 127 (each
	 * below nb_rxq). */
	uint8_t		 rss_key[IXGBE_RSS_KEY_LEN];
	uint32_t	 rss_fields;
	uint8_t		 rss_reta[IXGBE_RETA_SIZE];
	int		 promisc;
	uint32_t	 link_timeout_ms;	/* wait for link at open; 0: don't */
	uint16_t	 max_frame;		/* longest untagged frame received,
						 * CRC included (MTU + 18), 64 to
						 * IXGBE_FRAME_MAX; 0: 1518.  The NIC
						 * takes 4 bytes more with an 802.1Q
						 * tag; each rx_pool's buffers must
						 * hold that much (CRC stripped).
						 * Below 1518 the NIC still takes
						 * frames up to 1518. */
};

/* The bytes of DMA memory ixgbe_open() allocates for conf's descriptor
 * rings, all in one piece (its buffers come from the rx_pools). */
size_t		 ixgbe_rings_size(const struct ixgbe_conf *conf);

/* Reset and initialise the NIC behind bar (datasheet §4.6.3), set up the
 * queues and start them.  The port owns bar from then on.  NULL with the
 * reason logged. */
struct port	*ixgbe_open(const struct bar *bar, const struct ixgbe_conf *conf);

/* Reset the NIC behind bar (§4.6.3.2) and leave it so: no queue, no
 * DMA.  Done on every NIC before any DMA memory is allocated, so that a
 * NIC a killed run left armed stops writing first.  0 or -1 (logged). */
int		 ixgbe_quiesce(const struct bar *bar, const char *name);

/* What the driver itself counted, summed over the RX queues (the NIC's
 * own counters are in port_stats). */
struct ixgbe_driver_stats {
	uint64_t	rx_nobuf;	/* rx_batch calls cut short: pool empty
					 * (the NIC then drops into rx_missed) */
	uint64_t	rx_dropped;	/* frames dropped by the driver: spanning
					 * several buffers, or marked bad */
	uint64_t	tx_padded;	/* frames under 17 bytes given to TX,
					 * padded with zeros to 17 (the shortest
					 * the NIC's DMA takes, §7.2.3.2.4) */
	uint64_t	tx_dropped;	/* frames over IXGBE_TX_MAX_LEN given
					 * to TX: freed, never sent in part */
};

/* Control thread; p must be a port from ixgbe_open(). */
void		 ixgbe_driver_stats(struct port *p, struct ixgbe_driver_stats *ds);

#endif /* IXFWD_IXGBE_H */
