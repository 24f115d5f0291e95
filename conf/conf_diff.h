/*
 * conf_diff.h: what a reload would change.
 *
 * conf_diff() compares the running configuration with a new one, key by
 * key, and writes one line per difference, named as in the file:
 *
 *   forward wan: filter: "tcp" -> "not tcp"
 *   bridge: aging: 300 -> 60
 *   capture web: sample: 100 -> 10
 *   port wan: rx_ring: 512 -> 1024 (needs a restart)
 *
 * Filters, rule lists, VLAN handling, the bridge's learning, aging, size
 * and static entries, and captures can change while ixfwd runs; anything
 * that shapes the ports, their queues, threads or memory needs a restart.
 */
#ifndef IXFWD_CONF_DIFF_H
#define IXFWD_CONF_DIFF_H

#include <stdio.h>

#include "conf.h"

struct conf_diff {
	int	restart;	/* differences that need a restart */
	int	changes;	/* differences a reload applies */
	int	paths;		/* filtering or VLAN handling of a path, or the
				 * bridge's learning */
	int	bridge_table;	/* aging, max_entries, vlan_learning, static */
	int	captures;	/* captures added, removed or changed */
};

/* The forward entry of port (an index), or NULL. */
const struct conf_forward *conf_forward_of(const struct conf *c, int port);
/* The capture called name, or NULL. */
const struct capture_conf *conf_capture_of(const struct conf *c,
	    const char *name);
/* Do a and b have the same static entries, in the same order? */
int	conf_statics_same(const struct conf_bridge *a,
	    const struct conf_bridge *b);

/* Compare the running configuration a with b; every difference is a line
 * on out (may be NULL), in file order, and counted in *d. */
void	conf_diff(const struct conf *a, const struct conf *b,
	    struct conf_diff *d, FILE *out);

#endif /* IXFWD_CONF_DIFF_H */
