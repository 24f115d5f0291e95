/*
 * preflight.h: what a start needs that can be known before it (ixfwd -t
 * and every start): the user can read the configuration and write in
 * every capture directory, the workers and queues can be planned (no
 * more workers, no more queues on a port than there can be), each PCI
 * device exists and is an 82599-family port, and as many 2 MiB
 * hugepages are free as the start will map (pipe_hugepages()).  So a
 * configuration that passes -t does not fail on these at start (the
 * restart loop of a service).
 */
#ifndef IXFWD_PREFLIGHT_H
#define IXFWD_PREFLIGHT_H

#include <stddef.h>
#include <stdio.h>

#include "conf.h"
#include "priv.h"

/* Each problem a line on errf, "FILE[:LINE:COL]: message"; their number.
 * Captures the same as in running (a reload; NULL at start) are not
 * checked again: their directories are open. */
int	preflight(const struct conf *c, const struct conf *running,
	    const struct priv_user *u, FILE *errf);

/* The hugepages a start of c maps (*need) and those free now (*avail):
 * for ixfwd -t -v.  -1 if c cannot be planned. */
int	preflight_hugepages(const struct conf *c, size_t *need, long *avail);

#endif /* IXFWD_PREFLIGHT_H */
