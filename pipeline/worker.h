/*
 * worker.h: a polling thread, the ports it serves and the paths their
 * packets take (private to pipeline/).
 */
#ifndef IXFWD_WORKER_H
#define IXFWD_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "capture.h"
#include "conf.h"
#include "filter.h"
#include "mempool.h"
#include "parse.h"
#include "pipeline.h"
#include "plan.h"
#include "port.h"

struct bridge;

/* A worker's TX queue on a port, as its reset goes (txr_state). */
#define PIPE_TXR_IDLE	0	/* in use */
#define PIPE_TXR_BUSY	1	/* being reset: its frames are dropped */
#define PIPE_TXR_LATE	2	/* not back PIPE_TX_RESET_MS after the
				 * reset began: still dropped, the reset
				 * asked again every PIPE_TX_RESET_RETRY_MS */
#define PIPE_TX_RESET_RETRY_MS	100

/* One destination, resolved for one worker. */
struct pipe_out {
	struct port	*port;
	uint16_t	 txq;		/* the worker's private TX queue on it */
	uint16_t	 idx;		/* port index, for counters */
	uint16_t	 max_len;	/* longest untagged frame the port may
					 * send (its MTU + 14), when a frame
					 * from this path can be longer; 0:
					 * none can, nothing to check */
};

/* Verdicts of a batch. */
#define PIPE_PASS		0
#define PIPE_DROP_FILTER	1
#define PIPE_DROP_MALFORMED	2

/*
 * What happens to the packets of one input port: filters, VLAN handling,
 * and where they go.  Immutable once a worker can see it, except the rule
 * hit counters, which only the worker polling that input writes.  The
 * control thread replaces a path as a whole (pipe_update()); the worker
 * picks the new one up at its next batch.
 */
struct pipe_path {
	struct filter_bpf *bpf;		/* tcpdump expression, or NULL */
	struct filter_rules *rules;	/* rule list, or NULL */
	int		 nrules;
	uint64_t	*hits;		/* per rule, then the default action */
	int		 parse;		/* anything above or below needs pkt_meta */
	uint16_t	 in_max_len;	/* longest untagged frame the input port
					 * takes (MTU + 14) when its NIC takes
					 * longer ones (MTU below 1500); 0: all
					 * it receives fit */
	int		 vlan_filter;
	int		 vlan_untagged;
	uint64_t	 vlan_allow[4096 / 64];
	enum conf_vlan_op vlan_op;
	uint16_t	 vlan_tci;	/* PUSH, SET: pcp << 13 | id */
	struct bridge	*bridge;	/* destinations from the MAC table */
	int		 learning;
	uint16_t	 nout;
	struct pipe_out	 out[CONF_PORTS_MAX]; /* forward: the destinations;
					 * bridge: the other bridge ports */
	int8_t		 slot_of[CONF_PORTS_MAX]; /* bridge: port -> out[] slot */
};

/* An RX queue of a port, as the worker polling it sees it. */
struct pipe_in {
	struct port	*port;
	uint16_t	 idx;		/* port index, for counters */
	uint16_t	 rxq;
	struct pipe_path *path;		/* atomic: swapped by pipe_update() */
	uint64_t	 rx_packets;	/* received from this queue; only the */
	uint64_t	 rx_bytes;	/* worker writes them */
};

struct pipe_worker {
	int		 id;
	int		 cpu;		/* -1: not pinned */
	int		 busy_poll;	/* poll: busy, else adaptive (plan) */
	uint16_t	 batch;
	uint32_t	 sleep_max_ns;	/* adaptive: the longest sleep */
	int		 nin;
	struct pipe_in	 in[PIPE_INPUTS_MAX];
	struct mempool	*pool;		/* RX buffers of this worker's queues */
	struct capture_worker *capture;	/* NULL: no capture; loaded from
					 * capture_slot each poll round */
	struct capture_worker *const *capture_slot;
	pthread_t	 thread;
	int		 running;
	int		 stop;		/* set by the control thread */
	uint64_t	 epoch;		/* loops done; pipe_update() waits on it */
	struct pipe_counters counters[CONF_PORTS_MAX]; /* by port: the ports
					 * it receives on and sends to */
	struct pipe_worker_counters wc;
	/* faults: set up by the pipeline, read at batch boundaries */
	struct port *const *port_of;	/* by port index */
	const int16_t	*txq;		/* its TX queue on each port, -1 none */
	const int	*port_failed;	/* by port index (atomic) */
	uint64_t	 tx_reset;	/* ports whose TX queue of this worker
					 * to reset (bits; atomic) */
	/* resets under way (pipe_tx_resets()), by port index */
	uint64_t	 txr_busy;	/* bits; the worker's own */
	uint64_t	 txr_start_ns[CONF_PORTS_MAX];
	uint64_t	 txr_next_ns[CONF_PORTS_MAX];	/* next step due */
	uint8_t		 txr_state[CONF_PORTS_MAX];	/* PIPE_TXR_* (atomic:
					 * the control thread reads it) */
	/* per-batch scratch */
	struct pkt_meta	 meta[PIPE_BATCH_MAX];
	uint8_t		 verdict[PIPE_BATCH_MAX];
	uint8_t		 tmp[PIPE_BATCH_MAX];
	int16_t		 rule[PIPE_BATCH_MAX];
	int8_t		 dst[PIPE_BATCH_MAX];
};

void	*worker_main(void *arg);

#endif /* IXFWD_WORKER_H */
