/*
 * null_port.h: a port with no device behind it.  RX hands out buffers
 * holding a fixed 60-byte frame (64 on the wire with its CRC) as fast as
 * asked; TX frees what it is given.  With it, a benchmark measures the
 * framework alone (worker loop, mempool, pipeline), the way DPDK's
 * net_null does for its own.
 */
#ifndef IXFWD_NULL_PORT_H
#define IXFWD_NULL_PORT_H

#include <stdint.h>

#include "mempool.h"
#include "port.h"

#define NULL_PORT_FRAME_LEN	60
#define NULL_PORT_QUEUES_MAX	64	/* per direction */

/* rx_pool[q] supplies the frames RX queue q hands out (q < nb_rxq; one
 * pool may serve several queues).  NULL with the reason logged. */
struct port	*null_port_open(const char *name, uint16_t nb_rxq,
		    uint16_t nb_txq, struct mempool *const *rx_pool);

#endif /* IXFWD_NULL_PORT_H */
