/*
 * worker.h: a polling thread and the ports it serves (private to
 * pipeline/).
 */
#ifndef IXFWD_WORKER_H
#define IXFWD_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "conf.h"
#include "mempool.h"
#include "pipeline.h"
#include "port.h"

/* One destination of an input port, resolved for one worker. */
struct pipe_out {
	struct port	*port;
	uint16_t	 txq;		/* the worker's private TX queue on it */
	uint16_t	 idx;		/* port index, for counters */
};

/* An input port a worker polls, and where its packets go. */
struct pipe_in {
	struct port	*port;
	uint16_t	 idx;
	uint16_t	 nout;
	struct pipe_out	 out[CONF_PORTS_MAX];
};

struct pipe_worker {
	int		 id;
	int		 cpu;		/* -1: not pinned */
	uint16_t	 batch;
	int		 nin;
	struct pipe_in	 in[CONF_PORTS_MAX];
	struct mempool	*pool;		/* RX buffers of this worker's ports */
	pthread_t	 thread;
	int		 running;
	int		 stop;		/* set by the control thread */
	struct pipe_counters counters[CONF_PORTS_MAX];
	struct pipe_worker_counters wc;
};

void	*worker_main(void *arg);

#endif /* IXFWD_WORKER_H */
