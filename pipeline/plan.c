/*
 * plan.c: workers, RX queues and TX queues from a configuration (plan.h).
 * Pure: no hardware, no allocation.
 */
#include <stdio.h>
#include <string.h>

#include "conf_diff.h"
#include "plan.h"
#include "port_open.h"

int
pipe_in_bridge(const struct conf *c, int port)
{
	int i;

	for (i = 0; c->bridge.enabled && i < c->bridge.nports; i++)
		if (c->bridge.ports[i] == port)
			return 1;
	return 0;
}

enum conf_poll
pipe_poll_mode(const struct conf *c, int i)
{
	return c->ports[i].poll == CONF_POLL_DEFAULT ? c->poll :
	    c->ports[i].poll;
}

/* The cpu serving RX queue q of cp, -1 for none.  `cpu: N` alone (a
 * configuration built without the parser) is cpus [N]. */
static int
plan_cpu(const struct conf_port *cp, int q)
{
	if (cp->ncpus > 0)
		return cp->cpus[q % cp->ncpus];
	return cp->cpu;
}

/* The worker pinned to cpu, or a new one; -1 when there can be no more. */
static int
plan_worker_for(struct pipe_plan *p, int cpu, char *err, size_t errlen)
{
	struct plan_worker *w;
	int i;

	if (cpu >= 0)
		for (i = 0; i < p->nworkers; i++)
			if (p->workers[i].cpu == cpu)
				return i;
	if (p->nworkers == PIPE_WORKERS_MAX) {
		snprintf(err, errlen, "more than %d workers needed (one for "
		    "each cpu, and one for each RX queue without a cpu)",
		    PIPE_WORKERS_MAX);
		return -1;
	}
	w = &p->workers[p->nworkers];
	w->cpu = cpu;
	w->busy_poll = 0;
	w->nin = 0;
	memset(w->txq, -1, sizeof(w->txq));
	return p->nworkers++;
}

/* Worker w sends to port dst: a TX queue of its own there. */
static int
plan_txq(const struct conf *c, struct pipe_plan *p, int w, int dst,
    char *err, size_t errlen)
{
	struct plan_worker *wk = &p->workers[w];
	struct plan_port *pp = &p->ports[dst];
	unsigned int max = port_queues_max(c->ports[dst].kind);

	if (wk->txq[dst] != -1)
		return 0;
	if (pp->nb_txq >= max) {
		p->err_port = dst;
		snprintf(err, errlen, "port %s: needs more than %u TX queues "
		    "(one for each worker sending to it); it has at most %u",
		    c->ports[dst].name, max, max);
		return -1;
	}
	wk->txq[dst] = (int16_t)pp->nb_txq++;
	return 0;
}

int
pipe_plan(const struct conf *c, struct pipe_plan *p, char *err,
    size_t errlen)
{
	int i, j, k, w;
	uint16_t q;

	if (errlen > 0)
		err[0] = '\0';
	p->nports = c->nports;
	p->nworkers = 0;
	p->err_port = -1;
	if (c->nports < 0 || c->nports > CONF_PORTS_MAX) {
		snprintf(err, errlen, "%d ports: at most %d", c->nports,
		    CONF_PORTS_MAX);
		return -1;
	}
	for (i = 0; i < c->nports; i++) {
		const struct conf_port *cp = &c->ports[i];
		struct plan_port *pp = &p->ports[i];
		unsigned int max = port_queues_max(cp->kind);

		p->err_port = i;
		if (cp->queues < 1 || cp->queues > CONF_QUEUES_MAX ||
		    cp->queues > max) {
			snprintf(err, errlen, "port %s: %u RX queues, it can "
			    "have 1 to %u", cp->name, cp->queues,
			    max < CONF_QUEUES_MAX ? max : CONF_QUEUES_MAX);
			return -1;
		}
		if (cp->ncpus < 0 || cp->ncpus > CONF_QUEUES_MAX) {
			snprintf(err, errlen, "port %s: %d cpus, at most %d",
			    cp->name, cp->ncpus, CONF_QUEUES_MAX);
			return -1;
		}
		pp->nb_rxq = cp->queues;
		pp->nb_txq = 0;
		memset(pp->worker, -1, sizeof(pp->worker));
		for (q = 0; q < cp->queues; q++) {
			struct plan_worker *wk;

			if ((w = plan_worker_for(p, plan_cpu(cp, q), err,
			    errlen)) == -1)
				return -1;
			wk = &p->workers[w];
			/* cannot overflow: each (port, queue) comes once */
			wk->in[wk->nin].port = (uint16_t)i;
			wk->in[wk->nin].rxq = q;
			wk->nin++;
			if (pipe_poll_mode(c, i) == CONF_POLL_BUSY)
				wk->busy_poll = 1;
			pp->worker[q] = (int16_t)w;
		}
	}
	p->err_port = -1;
	/* TX queues, in worker order on each port. */
	for (w = 0; w < p->nworkers; w++) {
		const struct plan_worker *wk = &p->workers[w];

		for (k = 0; k < wk->nin; k++) {
			int src = wk->in[k].port;
			const struct conf_forward *f = conf_forward_of(c, src);

			for (j = 0; f != NULL && j < f->nto; j++)
				if (plan_txq(c, p, w, f->to[j], err,
				    errlen) == -1)
					return -1;
			if (!pipe_in_bridge(c, src))
				continue;
			for (j = 0; j < c->bridge.nports; j++)
				if (c->bridge.ports[j] != src &&
				    plan_txq(c, p, w, c->bridge.ports[j], err,
				    errlen) == -1)
					return -1;
		}
	}
	for (i = 0; i < c->nports; i++)
		if (p->ports[i].nb_txq == 0)
			p->ports[i].nb_txq = 1;		/* the NIC wants one */
	return 0;
}

int
pipe_plan_txq_worker(const struct pipe_plan *p, int port, int txq)
{
	int w;

	if (port < 0 || port >= p->nports || txq < 0 ||
	    txq >= p->ports[port].nb_txq)
		return -1;
	for (w = 0; w < p->nworkers; w++)
		if (p->workers[w].txq[port] == txq)
			return w;
	return -1;
}
