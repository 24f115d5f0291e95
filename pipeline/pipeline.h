/*
 * pipeline.h: from a configuration to running workers.
 *
 * pipe_create() plans the workers (plan.h: every (port, RX queue) on a
 * cpu is served by that cpu's worker, an unpinned one by a worker of its
 * own), takes and resets every device and opens the ports (port_open.h),
 * gives each worker its own mempool, which fills the RX queues it polls,
 * and builds each worker's path for each of its inputs (path.h).  Each
 * worker owns its RX queues and one private TX queue on every port it
 * sends to, so the fast path takes no lock.  Counters are kept per
 * worker and summed over all workers here.  Everything but the worker
 * loop runs on the control thread.
 */
#ifndef IXFWD_PIPELINE_H
#define IXFWD_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "port.h"

#define PIPE_BATCH_MAX	256
#define PIPE_WORKERS_MAX	64	/* pipe_nworkers() is at most this */

/* Counters of one port as one worker sees it.  Only that worker writes
 * them (relaxed stores, no atomics); the control thread sums them. */
struct pipe_counters {
	uint64_t	rx_packets;	/* received on this port */
	uint64_t	rx_bytes;
	uint64_t	tx_packets;	/* accepted by this port's TX ring */
	uint64_t	tx_bytes;
	uint64_t	drop_no_route;	/* received here, no path out */
	uint64_t	drop_tx_full;	/* for this port, its TX ring was full */
	uint64_t	drop_no_buffer;	/* a mirror or flood copy found the pool empty */
	uint64_t	drop_filtered;	/* received here, refused by the path's
				 * filter, rules or VLAN list */
	uint64_t	drop_malformed;	/* received here, headers that do not
				 * parse, on a path that filters */
	uint64_t	drop_local;	/* bridge: destination on this port's own
				 * segment */
	uint64_t	flooded;	/* bridge: received here, sent to every
				 * other port (unknown or group address) */
	uint64_t	drop_too_big;	/* longer than this port's MTU allows
				 * (MTU + 14, + 4 with an 802.1Q tag): to
				 * be sent here, or received here when
				 * the MTU is below 1500 */
	uint64_t	drop_port_failed; /* for this port, whose device is gone */
	uint64_t	drop_tx_reset;	/* for this port, while the worker's TX
				 * queue on it was being reset */
} __attribute__((aligned(64)));

/* Every frame of c dropped, whatever the reason (flooded is not a drop):
 * the one sum the status line, `ixfwdctl top' and the JSON's
 * drops.total show. */
static inline uint64_t
pipe_drops_total(const struct pipe_counters *c)
{
	return c->drop_no_route + c->drop_tx_full + c->drop_no_buffer +
	    c->drop_filtered + c->drop_malformed + c->drop_local +
	    c->drop_too_big + c->drop_port_failed + c->drop_tx_reset;
}

/* Where a worker's time goes, for cycles per packet: TSC cycles spent in
 * loop iterations that moved packets, and the packets they moved. */
struct pipe_worker_counters {
	uint64_t	busy_cycles;
	uint64_t	busy_packets;	/* received, in busy iterations */
	uint64_t	busy_loops;
	uint64_t	idle_loops;
	uint64_t	sleep_ns;	/* poll: adaptive: time asleep */
	uint64_t	sleeps;
} __attribute__((aligned(64)));

struct pipe_port_report {
	const char	*name;
	const char	*device;	/* PCI address or "emulated" */
	struct port_link link;
	struct port_stats hw;		/* the NIC's own counters */
	struct pipe_counters sw;	/* the pipeline's, summed over workers */
	/* the control thread's watch over the port */
	uint64_t	link_changes;	/* link went up or down, since start */
	uint64_t	tx_queue_resets; /* TX queues found stuck and reset */
	uint64_t	tx_queue_reset_timeouts; /* of those, not back within
					 * PIPE_TX_RESET_MS */
	int		failed;		/* the device is gone: port not used */
};

/* One RX queue of a port: who polls it, what that worker received from
 * it, and what the NIC counted into it.  Only the receive side: what
 * the NIC's statistics set q counts sent is TX queue q's, which may
 * belong to another worker (pipe_txq_report()). */
struct pipe_queue_report {
	int		 worker;
	int		 cpu;		/* the worker's, -1 if not pinned */
	uint64_t	 rx_packets;	/* the worker's, from this queue */
	uint64_t	 rx_bytes;
	struct {
		uint64_t rx_packets;	/* received into the queue */
		uint64_t rx_bytes;
		uint64_t rx_dropped;	/* dropped: no free descriptor */
	}		 hw;		/* the NIC's own (zeros: none) */
};

/* One TX queue of a port: the worker that sends on it (the plan gives
 * each worker a TX queue of its own on every port it sends to), what
 * that worker put in it, and what the NIC sent from it. */
struct pipe_txq_report {
	int		 worker;	/* -1: no worker sends on it */
	int		 cpu;		/* the worker's, -1 if not pinned */
	uint64_t	 tx_packets;	/* the worker's: the queue took them */
	uint64_t	 tx_bytes;
	uint64_t	 tx_full;	/* the worker's: dropped, queue full */
	uint64_t	 hw_tx_packets;	/* the NIC's: sent from the queue */
	uint64_t	 hw_tx_bytes;	/* (without CRC) */
};

struct pipeline;
struct pipe_plan;

/* NULL with every reason logged; nothing is left running. */
struct pipeline	*pipe_create(const struct conf *c);
/*
 * The 2 MiB hugepages pipe_create(c) maps, p being c's plan (plan.h):
 * each worker's pool and each port's descriptor rings, counted by the
 * functions that size them when they are allocated (mempool_pages(),
 * port_dma_pages()), so ixfwd -t can tell before a start whether they
 * are free.
 */
size_t		 pipe_hugepages(const struct conf *c,
		    const struct pipe_plan *p);
/* Start the worker threads.  0 or -1. */
int		 pipe_start(struct pipeline *pl);
/* Stop and join the workers (the ports stay open). */
void		 pipe_stop(struct pipeline *pl);
/* Close the ports, stop the emulator, free everything. */
void		 pipe_destroy(struct pipeline *pl);

int		 pipe_nports(const struct pipeline *pl);
int		 pipe_nworkers(const struct pipeline *pl);
/* Control thread only: reads the NIC's clear-on-read counters. */
void		 pipe_report(struct pipeline *pl, int port,
		    struct pipe_port_report *r);
/* The RX queues of port (RSS spreads its flows over them when more
 * than one). */
int		 pipe_port_queues(const struct pipeline *pl, int port);
/* Control thread only: reads the NIC's clear-on-read counters. */
void		 pipe_queue_report(struct pipeline *pl, int port, int queue,
		    struct pipe_queue_report *r);
/* The TX queues of port: one for each worker sending to it, at least
 * one. */
int		 pipe_port_tx_queues(const struct pipeline *pl, int port);
/* Control thread only: reads the NIC's clear-on-read counters. */
void		 pipe_txq_report(struct pipeline *pl, int port, int txq,
		    struct pipe_txq_report *r);
void		 pipe_worker_report(struct pipeline *pl, int worker,
		    struct pipe_worker_counters *wc);
/* The cpu worker is pinned to, -1 if none. */
int		 pipe_worker_cpu(const struct pipeline *pl, int worker);
/* 1: the worker spins (poll: busy); 0: it sleeps when idle (adaptive). */
int		 pipe_worker_busy_poll(const struct pipeline *pl, int worker);
/*
 * Replace the filters, rule lists and VLAN handling of every path with
 * those of c, which must have the same ports, forward paths and bridge.
 * Everything is compiled first, off the fast path; each worker then takes
 * its new paths at a batch boundary, so no packet is lost or sees a mix.
 * Rule hit counters start again from zero.  A bridge whose aging, size,
 * VLAN learning or static entries differ gets a new MAC table, swapped in
 * with the paths, the learned stations carried over at their age (its
 * counters start again from zero).  0, or -1 with the reason logged and
 * nothing changed.  pl keeps using its configuration until
 * pipe_set_conf().
 */
int		 pipe_update(struct pipeline *pl, const struct conf *c);
/* After a reload: c (same ports as the running one, kept alive by the
 * caller) is the configuration pl reports and compares against. */
void		 pipe_set_conf(struct pipeline *pl, const struct conf *c);
/* The hit counters of port's rule list: hits[0..nrules-1], then the
 * default action's, summed over every worker polling one of the port's
 * RX queues.  Returns nrules, or -1 if the path has no rules. */
int		 pipe_rule_hits(struct pipeline *pl, int port, uint64_t *hits,
		    int max);
/* Once a second from the control thread: links, MAC table aging. */
void		 pipe_housekeeping(struct pipeline *pl);
struct capture_set *pipe_captures(struct pipeline *pl);
struct bridge	*pipe_bridge(struct pipeline *pl);
/* Log ports whose link went up or down since the last call (counted),
 * and ports whose device is gone (marked failed: no longer polled, what
 * is for them dropped and counted). */
void		 pipe_check_links(struct pipeline *pl);
/* TX queues with descriptors pending and a head that has not moved for
 * PIPE_TX_STUCK_S checks (one a second): logged, counted, and their
 * worker resets them, a step at each batch boundary, never waiting on
 * the NIC (port_tx_reset()), dropping what it would send on them
 * meanwhile (drop_tx_reset).  A queue not back within PIPE_TX_RESET_MS
 * is logged and counted (tx_queue_reset_timeouts) here, and logged again
 * when it comes back; the worker's other queues go on throughout. */
#define PIPE_TX_STUCK_S	2
#define PIPE_TX_RESET_MS	1000
void		 pipe_check_tx(struct pipeline *pl);
/* Wait up to timeout_ms for every link to come up; logs each. */
void		 pipe_wait_links(struct pipeline *pl, uint32_t timeout_ms);
/* The same, giving up early when stop() (if not NULL, asked every 10 ms)
 * says so: 1 then, 0 otherwise. */
int		 pipe_wait_links_or(struct pipeline *pl, uint32_t timeout_ms,
		    int (*stop)(void));

#endif /* IXFWD_PIPELINE_H */
