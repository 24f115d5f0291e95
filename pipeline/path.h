/*
 * path.h: building and freeing the paths workers follow (worker.h),
 * and the bridge's MAC table with its static entries (private to
 * pipeline/).  Control thread only.
 */
#ifndef IXFWD_PATH_H
#define IXFWD_PATH_H

#include <stdint.h>

#include "conf.h"
#include "worker.h"

struct bridge;

/*
 * The path of input port i on one worker, from configuration c (the one
 * running, or a new one for pipe_update()): txq[dst] is that worker's TX
 * queue on port dst (-1: none, from the plan), ports[dst] the open port.
 * br is the bridge's MAC table, if i is a bridge port.  NULL, logged.
 */
struct pipe_path *pipe_path_build(const struct conf *c, int i,
		    const int16_t txq[CONF_PORTS_MAX],
		    struct port *const ports[], struct bridge *br);
void		 pipe_path_free(struct pipe_path *p);

/* The MAC table of bridge b with its static entries; NULL, logged. */
struct bridge	*pipe_bridge_new(const struct conf_bridge *b);

#endif /* IXFWD_PATH_H */
