/*
 * port.h: the generic port interface.  A port kind (the ixgbe driver, and
 * later others) fills in a struct port_ops; the pipeline only calls the
 * static inline wrappers below.
 *
 * Burst functions return how many packets they handled.  rx_batch hands
 * out buffers of the queue's mempool; tx_batch takes ownership of the
 * buffers it accepts (they go back to their pool once sent) and leaves
 * the rest, which the caller drops and counts: it never waits.
 */
#ifndef IXFWD_PORT_H
#define IXFWD_PORT_H

#include <stdint.h>

#include "mempool.h"

#define PORT_NAME_MAX	32

/* What is behind a port.  The configuration names it (device: PCI
 * address, emulated, null); port_open() (port_open.c) opens each kind. */
enum port_kind {
	PORT_KIND_IXGBE,	/* an 82599-family NIC: sysfs or VFIO */
	PORT_KIND_EMULATED,	/* the emulated 82599, same driver */
	PORT_KIND_NULL,		/* no device: frames out of thin air */
};

struct port_link {
	int		up;
	uint32_t	speed_mbps;	/* 0 when down */
	int		failed;		/* the device is gone (its registers
					 * read all ones): for good, the port
					 * is no longer used */
};

/* Counters since the port was opened, from the hardware. */
struct port_stats {
	uint64_t	rx_packets;	/* good packets received */
	uint64_t	rx_bytes;
	uint64_t	tx_packets;	/* good packets sent */
	uint64_t	tx_bytes;
	uint64_t	rx_missed;	/* dropped by the NIC: no free descriptor */
	uint64_t	rx_errors;	/* CRC, length, undersize, oversize */
	uint64_t	rx_broadcast;
	uint64_t	rx_multicast;
	/* rx_errors by reason, as the NIC counts them */
	uint64_t	rx_crc_errors;	/* bad FCS */
	uint64_t	rx_length_errors; /* length field does not match */
	uint64_t	rx_undersize;	/* shorter than 64 bytes (runts, fragments) */
	uint64_t	rx_oversize;	/* longer than the limit (jabber too) */
	/* what the driver itself dropped or changed, by reason */
	uint64_t	rx_nobuf;	/* receive cut short: pool empty */
	uint64_t	rx_dropped;	/* delivered by the NIC, dropped whole:
					 * error bits set, or over one buffer */
	uint64_t	tx_padded;	/* under the shortest the DMA takes */
	uint64_t	tx_dropped;	/* over the longest frame sent */
};

/* The NIC's counters of RX queue q and of TX queue q since the port was
 * opened (on the 82599 statistics set q, which both count in); 0 for a
 * queue the port does not have. */
struct port_queue_stats {
	uint64_t	rx_packets;	/* received into RX queue q */
	uint64_t	rx_bytes;
	uint64_t	rx_dropped;	/* dropped: no free descriptor */
	uint64_t	tx_packets;	/* sent from TX queue q */
	uint64_t	tx_bytes;
};

/* port_tx_reset(): a reset under way, ask again at a later batch boundary */
#define PORT_TX_RESET_BUSY	1

struct port;

struct port_ops {
	uint16_t (*rx_batch)(struct port *, uint16_t queue,
		    struct pkt_buf **bufs, uint16_t n);
	uint16_t (*tx_batch)(struct port *, uint16_t queue,
		    struct pkt_buf **bufs, uint16_t n);
	/* control thread only: */
	void	 (*link)(struct port *, struct port_link *);
	void	 (*stats)(struct port *, struct port_stats *);
	/* NULL: the kind has no per-queue counters (all read 0) */
	void	 (*queue_stats)(struct port *, uint16_t queue,
		    struct port_queue_stats *);
	void	 (*set_promisc)(struct port *, int on);
	/* TX queue q: descriptors handed to the device and not yet done by
	 * its head register (0 if unknown), the head in *head.  May be
	 * NULL. */
	uint32_t (*tx_pending)(struct port *, uint16_t q, uint32_t *head);
	/* worker owning TX queue q only, at a batch boundary: one step of
	 * restarting q empty (stop it, give the buffers it holds back to
	 * their pools, start it again).  Never waits for the device:
	 * PORT_TX_RESET_BUSY while the step asked of the device is not
	 * done yet, to be called again at a later batch boundary (q takes
	 * nothing from tx_batch until then); 0 once q runs again, empty;
	 * -1 when it cannot be done (the device is gone).  How long to
	 * keep asking is the caller's choice.  May be NULL. */
	int	 (*tx_reset)(struct port *, uint16_t q);
	/* stop the queues, free what the rings hold, release the device */
	void	 (*close)(struct port *);
};

struct port {
	const struct port_ops	*ops;
	char			 name[PORT_NAME_MAX];
	const char		*kind;		/* "ixgbe", ... */
	uint8_t			 mac[6];
	uint16_t		 nb_rxq;
	uint16_t		 nb_txq;
};

static inline uint16_t
port_rx_batch(struct port *p, uint16_t q, struct pkt_buf **bufs, uint16_t n)
{
	return p->ops->rx_batch(p, q, bufs, n);
}

static inline uint16_t
port_tx_batch(struct port *p, uint16_t q, struct pkt_buf **bufs, uint16_t n)
{
	return p->ops->tx_batch(p, q, bufs, n);
}

static inline void
port_link(struct port *p, struct port_link *l)
{
	p->ops->link(p, l);
}

static inline void
port_stats(struct port *p, struct port_stats *s)
{
	p->ops->stats(p, s);
}

/* Control thread only; queue < nb_rxq or < nb_txq. */
static inline void
port_queue_stats(struct port *p, uint16_t q, struct port_queue_stats *s)
{
	if (p->ops->queue_stats == NULL) {
		s->rx_packets = s->rx_bytes = s->rx_dropped = 0;
		s->tx_packets = s->tx_bytes = 0;
		return;
	}
	p->ops->queue_stats(p, q, s);
}

static inline uint32_t
port_tx_pending(struct port *p, uint16_t q, uint32_t *head)
{
	*head = 0;
	return p->ops->tx_pending != NULL ? p->ops->tx_pending(p, q, head) : 0;
}

/* -1 for a kind without tx_reset (nothing to reset). */
static inline int
port_tx_reset(struct port *p, uint16_t q)
{
	return p->ops->tx_reset != NULL ? p->ops->tx_reset(p, q) : -1;
}

static inline void
port_close(struct port *p)
{
	p->ops->close(p);
}

#endif /* IXFWD_PORT_H */
