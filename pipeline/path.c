/*
 * path.c: what happens to the packets of one input of one worker: its
 * filters and rules compiled, its VLAN handling, its destinations with
 * the worker's own TX queue on each (path.h).  Control thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "cacheline.h"
#include "conf_diff.h"
#include "log.h"
#include "path.h"
#include "plan.h"

void
pipe_path_free(struct pipe_path *p)
{
	if (p == NULL)
		return;
	filter_bpf_free(p->bpf);
	filter_rules_free(p->rules);
	free(p->hits);
	free(p);
}

/* Filtering and VLAN handling of a forward path or of the bridge. */
static int
pipe_path_filters(struct pipe_path *p, const char *port, const char *filter,
    const struct filter_rule *rules, int nrules, int default_action,
    const struct conf_vlan *vlan)
{
	char err[512];

	if (filter[0] != '\0' && (p->bpf = filter_bpf_compile(filter,
	    DLT_EN10MB, 65535, err, sizeof(err))) == NULL) {
		log_warnx("%s: filter \"%s\": %s", port, filter, err);
		return -1;
	}
	if (nrules > 0) {
		if ((p->rules = filter_rules_compile(rules, nrules,
		    default_action, err, sizeof(err))) == NULL) {
			log_warnx("%s: rules: %s", port, err);
			return -1;
		}
		p->nrules = nrules;
		/* Written per packet by the one worker of this path; the
		 * paths of a port's other RX queues belong to other
		 * workers: lines of its own (cacheline.h). */
		if ((p->hits = calloc_lines((size_t)nrules + 1,
		    sizeof(*p->hits))) == NULL) {
			log_warn("%s: rule counters", port);
			return -1;
		}
	}
	p->vlan_filter = vlan->filter;
	p->vlan_untagged = vlan->untagged;
	memcpy(p->vlan_allow, vlan->allow, sizeof(p->vlan_allow));
	p->vlan_op = vlan->op;
	p->vlan_tci = (uint16_t)(vlan->pcp << 13 | vlan->id);
	p->parse = p->bpf != NULL || p->rules != NULL || p->vlan_filter ||
	    p->vlan_op != CONF_VLAN_KEEP;
	return 0;
}

/* The longest untagged frame, without CRC, port cp may carry: MTU + 14
 * (4 more with an 802.1Q tag). */
static uint32_t
pipe_frame_max(const struct conf_port *cp)
{
	return (uint32_t)cp->mtu + 14;
}

/*
 * One destination: the worker's TX queue on dst, which the plan gave it.
 * Frames longer than dst's MTU allows are dropped before they are sent
 * (drop_too_big); only a destination whose limit is below the longest
 * frame input i can hand it (its own limit, 4 more when the path pushes
 * a tag) checks, one compare per frame.
 */
static int
pipe_path_out(struct pipe_path *p, const struct conf *c, int i, int dst,
    const int16_t txq[CONF_PORTS_MAX], struct port *const ports[])
{
	struct pipe_out *o;
	uint32_t in_max = pipe_frame_max(&c->ports[i]);

	if (txq[dst] == -1) {
		log_warnx("%s: no TX queue on %s (topology changed; restart "
		    "ixfwd)", c->ports[i].name, c->ports[dst].name);
		return -1;
	}
	o = &p->out[p->nout++];
	o->port = ports[dst];
	o->txq = (uint16_t)txq[dst];
	o->idx = (uint16_t)dst;
	/* (below MTU 1500 the input drops what its NIC takes beyond its
	 * MTU: in_max_len) */
	if (p->vlan_op == CONF_VLAN_PUSH || p->vlan_op == CONF_VLAN_SET)
		in_max += 4;
	if (in_max > pipe_frame_max(&c->ports[dst]))
		o->max_len = (uint16_t)pipe_frame_max(&c->ports[dst]);
	return 0;
}

struct pipe_path *
pipe_path_build(const struct conf *c, int i, const int16_t txq[CONF_PORTS_MAX],
    struct port *const ports[], struct bridge *br)
{
	const struct conf_forward *f = conf_forward_of(c, i);
	const char *name = c->ports[i].name;
	struct pipe_path *p;
	int j;

	if ((p = calloc_lines(1, sizeof(*p))) == NULL) {
		log_warn("%s: path", name);
		return NULL;
	}
	memset(p->slot_of, -1, sizeof(p->slot_of));
	if (c->ports[i].mtu < CONF_MTU_DEFAULT)
		p->in_max_len = (uint16_t)pipe_frame_max(&c->ports[i]);
	if (pipe_in_bridge(c, i)) {
		const struct conf_bridge *b = &c->bridge;

		if (pipe_path_filters(p, name, b->filter, b->rules, b->nrules,
		    b->default_action, &b->vlan) == -1)
			goto fail;
		p->bridge = br;
		p->learning = b->learning;
		/* the MAC table is keyed by VLAN */
		p->parse = 1;
		for (j = 0; j < b->nports; j++) {
			int dst = b->ports[j];

			if (dst == i)
				continue;
			p->slot_of[dst] = (int8_t)p->nout;
			if (pipe_path_out(p, c, i, dst, txq, ports) == -1)
				goto fail;
		}
		return p;
	}
	if (f == NULL)
		return p;		/* nowhere to go: drop_no_route */
	if (pipe_path_filters(p, name, f->filter, f->rules, f->nrules,
	    f->default_action, &f->vlan) == -1)
		goto fail;
	for (j = 0; j < f->nto; j++)
		if (pipe_path_out(p, c, i, f->to[j], txq, ports) == -1)
			goto fail;
	return p;

fail:
	pipe_path_free(p);
	return NULL;
}

/* The MAC table of bridge b with its static entries; NULL, logged. */
struct bridge *
pipe_bridge_new(const struct conf_bridge *b)
{
	struct bridge *br;
	int i;

	if ((br = bridge_create(b->max_entries, b->aging,
	    b->vlan_learning)) == NULL)
		return NULL;
	for (i = 0; i < b->nstatic; i++)
		if (bridge_add_static(br, b->statics[i].mac,
		    b->statics[i].vlan, b->statics[i].port) == -1) {
			log_warnx("bridge: cannot add static entry %d", i + 1);
			bridge_free(br);
			return NULL;
		}
	return br;
}

