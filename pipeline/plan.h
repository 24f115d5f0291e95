/*
 * plan.h: which worker serves which RX queue, and which TX queue each
 * worker sends on, from a configuration alone.
 *
 * pipe_plan() touches no hardware and allocates nothing: it turns the
 * ports (their RX queues, cpus and poll modes), forward paths and bridge
 * into
 *
 *   workers x (port, RX queue) x TX queue
 *
 * Queue q of a port is served on cpus[q % ncpus]; every (port, queue)
 * on the same cpu is served by one worker, pinned there.  A (port,
 * queue) without a cpu gets an unpinned worker of its own.  Workers are
 * numbered in the order their first (port, queue) comes, ports in file
 * order, queues in order within a port.  Each worker gets one private TX
 * queue on every port it can send to (the forward destinations and the
 * other bridge ports of the ports it receives on), numbered on that port
 * in worker order; so the fast path never shares a queue and takes no
 * lock.  A port nobody sends to still gets one TX queue: the NIC wants
 * one.
 */
#ifndef IXFWD_PLAN_H
#define IXFWD_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "pipeline.h"		/* PIPE_WORKERS_MAX */

/* (port, RX queue) pairs one worker may serve: all of them */
#define PIPE_INPUTS_MAX		(CONF_PORTS_MAX * CONF_QUEUES_MAX)

/* One RX queue a worker polls. */
struct plan_input {
	uint16_t	 port;		/* index in conf.ports */
	uint16_t	 rxq;
};

struct plan_worker {
	int		 cpu;		/* -1: not pinned */
	int		 busy_poll;	/* a port it serves polls busy */
	int		 nin;
	struct plan_input in[PIPE_INPUTS_MAX];
	int16_t		 txq[CONF_PORTS_MAX]; /* its TX queue on each port,
					 * -1: it never sends there */
};

struct plan_port {
	uint16_t	 nb_rxq;
	uint16_t	 nb_txq;	/* >= 1 */
	int16_t		 worker[CONF_QUEUES_MAX]; /* serving each RX queue */
};

struct pipe_plan {
	int		 nports;
	struct plan_port ports[CONF_PORTS_MAX];
	int		 nworkers;
	struct plan_worker workers[PIPE_WORKERS_MAX];
	int		 err_port;	/* pipe_plan() refused: the port the
					 * reason is about (index in
					 * conf.ports), -1 for none */
};

/*
 * Plan c into *p.  0, or -1 with the reason in err (a limit exceeded: too
 * many workers, more RX or TX queues on a port than its kind has) and
 * the port it is about in p->err_port, so that ixfwd -t can point at the
 * port's line.
 */
int	pipe_plan(const struct conf *c, struct pipe_plan *p, char *err,
	    size_t errlen);

/* The worker sending on TX queue txq of port in p, -1 for none (the one
 * TX queue of a port nobody sends to, a queue the port does not have). */
int	pipe_plan_txq_worker(const struct pipe_plan *p, int port, int txq);

/* The poll mode port i of c runs in: its own, or the top level's. */
enum conf_poll pipe_poll_mode(const struct conf *c, int i);

/* 1 if port i of c is a port of c's bridge. */
int	pipe_in_bridge(const struct conf *c, int i);

#endif /* IXFWD_PLAN_H */
