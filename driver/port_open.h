/*
 * port_open.h: the ports of a process, of any kind (port.h), from a
 * description of each (struct port_spec), in two phases:
 *
 *   port_set_take()  every device taken (VFIO, sysfs, or an emulated
 *                    82599 created, cabled and its DMA engine started)
 *                    and reset, before any DMA memory is allocated: a
 *                    NIC that a killed run left with armed rings stops
 *                    writing before hugepages are handed out again; then
 *                    the DMA addressing chosen for all of them
 *   port_open()      each port opened with its queues and the mempools
 *                    that fill its RX queues
 *   port_set_close() every port closed, every device released
 *
 * A kind is one case in each of port_set_take() and port_open().
 */
#ifndef IXFWD_PORT_OPEN_H
#define IXFWD_PORT_OPEN_H

#include <stdint.h>

#include "emu82599.h"
#include "mempool.h"
#include "port.h"

#define PORT_RXQ_MAX	16	/* RX queues a port_spec can fill */

struct port_spec {
	const char	*name;
	enum port_kind	 kind;
	const char	*device;	/* IXGBE: PCI address, or vfio:BDF */
	int		 force;		/* IXGBE: take it even if its
					 * interface is up */
	/* EMULATED */
	uint8_t		 mac[6];	/* the EEPROM's MAC address */
	struct emu_wire_conf wire;
	int		 peer;		/* wire PEER: the other spec's index */
	/* port_open() */
	uint16_t	 nb_rxq;	/* 1..port_queues_max(), PORT_RXQ_MAX */
	uint16_t	 nb_txq;	/* 1..port_queues_max() */
	uint16_t	 rx_ring;	/* descriptors, power of two */
	uint16_t	 tx_ring;
	struct mempool	*rx_pool[PORT_RXQ_MAX];	/* fills RX queue i */
	int		 promisc;
	/* IXGBE, EMULATED with nb_rxq > 1: RSS (ixgbe.h), the key, the
	 * fields hashed (CONF_RSS_* == IXGBE_RSS_*) and the queue of each
	 * hash & 127, each below nb_rxq; null ports ignore them */
	uint8_t		 rss_key[40];
	uint32_t	 rss_fields;
	uint8_t		 rss_reta[128];
	uint16_t	 max_frame;	/* IXGBE, EMULATED: the longest frame
					 * received, MTU + 18 (ixgbe_conf);
					 * 0: 1518.  Each rx_pool must hold
					 * it. */
};

struct port_set;

/* The most RX queues, and the most TX queues, a port of kind can have. */
unsigned int	 port_queues_max(enum port_kind kind);

/* The hugepages port_open(spec) maps for the port itself: an 82599's
 * descriptor rings (emulated too), nothing for a null port.  The RX
 * buffers are the rx_pools', mapped by their owners. */
size_t		 port_dma_pages(const struct port_spec *spec);

/* Take and reset the devices of spec[0..n-1] (name, kind, device, force,
 * mac, wire, peer); the emulated NICs' engine runs on emulator_cpu (-1:
 * anywhere).  NULL with the reason logged, nothing left taken. */
struct port_set	*port_set_take(const struct port_spec *spec, int n,
		    int emulator_cpu);
/* The NUMA node of port i's device, -1 if unknown or none. */
int		 port_set_node(const struct port_set *s, int i);
/* Open port i of s as spec (the one given to port_set_take(), its queue
 * fields filled in).  The set keeps the port; port_set_close() closes
 * it.  NULL with the reason logged. */
struct port	*port_open(struct port_set *s, int i,
		    const struct port_spec *spec);
/* Close every port, release every device, stop the emulated NICs. */
void		 port_set_close(struct port_set *s);
/* Have port_set_close() bind the devices the sysfs path took from a
 * kernel driver back to it: for a start that did not get to forward.
 * (A stop after forwarding leaves them unbound, ready for the next.) */
void		 port_set_give_back(struct port_set *s);

#endif /* IXFWD_PORT_OPEN_H */
