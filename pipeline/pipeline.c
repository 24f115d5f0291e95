/*
 * pipeline.c: planning workers, opening ports, starting and stopping the
 * fast path, and summing its counters.  Control thread only.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>

#include "emu82599.h"
#include "ixgbe.h"
#include "log.h"
#include "pci.h"
#include "worker.h"

struct pipe_port {
	const struct conf_port *conf;
	struct port	*port;
	struct emu82599	*emu;		/* emulated ports */
	struct bar	 bar;
	int		 pci_open;
	int		 worker;	/* owner of the RX queue */
	uint16_t	 nb_txq;	/* one per worker sending to it */
	int		 txq_of[CONF_PORTS_MAX]; /* by worker; -1 none */
	int		 link_up;	/* as last logged */
};

struct pipeline {
	const struct conf *conf;
	int		 nports;
	struct pipe_port ports[CONF_PORTS_MAX];
	int		 nworkers;
	struct pipe_worker *workers[CONF_PORTS_MAX];
	int		 emu_running;
};

static const struct conf_forward *
pipe_forward_of(const struct conf *c, int port)
{
	int i;

	for (i = 0; i < c->nforwards; i++)
		if (c->forwards[i].from == port)
			return &c->forwards[i];
	return NULL;
}

/* Ports on the same cpu share a worker; a port without a cpu gets its
 * own, unpinned. */
static int
pipe_plan(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int i, j, w;

	for (i = 0; i < c->nports; i++) {
		struct pipe_port *pp = &pl->ports[i];

		pp->conf = &c->ports[i];
		pp->worker = -1;
		for (j = 0; j < CONF_PORTS_MAX; j++)
			pp->txq_of[j] = -1;
		if (pp->conf->cpu >= 0)
			for (j = 0; j < i; j++)
				if (c->ports[j].cpu == pp->conf->cpu)
					pp->worker = pl->ports[j].worker;
		if (pp->worker == -1) {
			struct pipe_worker *nw;

			if ((nw = aligned_alloc(64, sizeof(*nw))) == NULL) {
				log_warn("worker");
				return -1;
			}
			memset(nw, 0, sizeof(*nw));
			nw->id = pl->nworkers;
			nw->cpu = pp->conf->cpu;
			nw->batch = c->batch;
			pp->worker = pl->nworkers;
			pl->workers[pl->nworkers++] = nw;
		}
	}
	/* A private TX queue on each destination, per sending worker. */
	for (i = 0; i < c->nports; i++) {
		const struct conf_forward *f = pipe_forward_of(c, i);

		w = pl->ports[i].worker;
		for (j = 0; f != NULL && j < f->nto; j++) {
			struct pipe_port *dst = &pl->ports[f->to[j]];

			if (dst->txq_of[w] == -1)
				dst->txq_of[w] = dst->nb_txq++;
		}
	}
	for (i = 0; i < c->nports; i++)
		if (pl->ports[i].nb_txq == 0)
			pl->ports[i].nb_txq = 1;	/* the NIC wants one */
	return 0;
}

/* Enough buffers for every RX ring the worker fills, every TX ring it
 * sends on, and the batches in its hands. */
static int
pipe_pools(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int i, w;

	for (w = 0; w < pl->nworkers; w++) {
		uint32_t n = 4u * PIPE_BATCH_MAX;

		for (i = 0; i < c->nports; i++) {
			if (pl->ports[i].worker == w)
				n += c->ports[i].rx_ring;
			if (pl->ports[i].txq_of[w] != -1)
				n += c->ports[i].tx_ring;
		}
		if ((pl->workers[w]->pool = mempool_create(n)) == NULL)
			return -1;
		log_debug("worker %d: %u buffers", w, n);
	}
	return 0;
}

static void
pipe_default_mac(int idx, uint8_t mac[6])
{
	/* locally administered, unicast */
	mac[0] = 0x02;
	mac[1] = 0x1f;
	mac[2] = 0xd0;
	mac[3] = 0x00;
	mac[4] = 0x00;
	mac[5] = (uint8_t)(idx + 1);
}

static int
pipe_create_emulated(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int i, any = 0;

	for (i = 0; i < c->nports; i++) {
		const struct conf_port *cp = &c->ports[i];
		const struct conf_wire *cw = &cp->wire;
		struct emu_wire_conf wc;
		uint8_t mac[6];

		if (!cp->emulated)
			continue;
		any = 1;
		memset(&wc, 0, sizeof(wc));
		switch (cw->kind) {
		case CONF_WIRE_NONE:
			wc.kind = EMU_WIRE_NONE;
			break;
		case CONF_WIRE_IFACE:
			wc.kind = EMU_WIRE_IFACE;
			strlcpy(wc.iface, cw->iface, sizeof(wc.iface));
			break;
		case CONF_WIRE_PEER:
			wc.kind = EMU_WIRE_PEER;
			break;
		case CONF_WIRE_PCAP:
			wc.kind = EMU_WIRE_PCAP;
			strlcpy(wc.pcap_in, cw->pcap_in, sizeof(wc.pcap_in));
			strlcpy(wc.pcap_out, cw->pcap_out, sizeof(wc.pcap_out));
			break;
		case CONF_WIRE_GENERATOR:
			wc.kind = EMU_WIRE_GENERATOR;
			wc.gen_size = cw->gen_size;
			wc.gen_count = cw->gen_count;
			wc.gen_rate = cw->gen_rate;
			break;
		}
		if (cp->has_mac)
			memcpy(mac, cp->mac, sizeof(mac));
		else
			pipe_default_mac(i, mac);
		if ((pl->ports[i].emu = emu_create(cp->name, mac, &wc)) == NULL)
			return -1;
	}
	for (i = 0; i < c->nports; i++) {
		int peer = c->ports[i].wire.peer;

		if (c->ports[i].emulated &&
		    c->ports[i].wire.kind == CONF_WIRE_PEER && peer > i &&
		    emu_connect(pl->ports[i].emu, pl->ports[peer].emu) == -1)
			return -1;
	}
	if (any) {
		if (emu_engine_start(c->emulator_cpu) == -1)
			return -1;
		pl->emu_running = 1;
	}
	return 0;
}

static int
pipe_open_ports(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int i;

	for (i = 0; i < c->nports; i++) {
		struct pipe_port *pp = &pl->ports[i];
		const struct conf_port *cp = pp->conf;
		struct ixgbe_conf ic;

		if (cp->emulated)
			emu_bar(pp->emu, &pp->bar);
		else if (pci_open(cp->device, cp->force, &pp->bar) == -1)
			return -1;
		else
			pp->pci_open = 1;
		memset(&ic, 0, sizeof(ic));
		ic.name = cp->name;
		ic.nb_rxq = 1;
		ic.nb_txq = pp->nb_txq;
		ic.rx_ring = cp->rx_ring;
		ic.tx_ring = cp->tx_ring;
		ic.rx_pool[0] = pl->workers[pp->worker]->pool;
		ic.promisc = cp->promisc;
		ic.link_timeout_ms = 0;		/* pipe_wait_links() waits for all */
		if ((pp->port = ixgbe_open(&pp->bar, &ic)) == NULL) {
			log_warnx("%s: cannot initialise %s", cp->name,
			    cp->emulated ? "the emulated 82599" : cp->device);
			return -1;
		}
		strlcpy(pp->port->name, cp->name, sizeof(pp->port->name));
		log_info("%s: %s %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, "
		    "%u RX / %u TX descriptors, %u TX queue%s", cp->name,
		    pp->port->kind, cp->emulated ? "emulated" : cp->device,
		    pp->port->mac[0], pp->port->mac[1], pp->port->mac[2],
		    pp->port->mac[3], pp->port->mac[4], pp->port->mac[5],
		    cp->rx_ring, cp->tx_ring, pp->nb_txq,
		    pp->nb_txq == 1 ? "" : "s");
	}
	return 0;
}

static void
pipe_wire_workers(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int i, j;

	for (i = 0; i < c->nports; i++) {
		struct pipe_worker *w = pl->workers[pl->ports[i].worker];
		const struct conf_forward *f = pipe_forward_of(c, i);
		struct pipe_in *in = &w->in[w->nin++];

		in->port = pl->ports[i].port;
		in->idx = (uint16_t)i;
		for (j = 0; f != NULL && j < f->nto; j++) {
			struct pipe_out *o = &in->out[in->nout++];
			struct pipe_port *dst = &pl->ports[f->to[j]];

			o->port = dst->port;
			o->txq = (uint16_t)dst->txq_of[w->id];
			o->idx = (uint16_t)f->to[j];
		}
	}
}

struct pipeline *
pipe_create(const struct conf *c)
{
	struct pipeline *pl;

	if ((pl = calloc(1, sizeof(*pl))) == NULL) {
		log_warn("pipeline");
		return NULL;
	}
	pl->conf = c;
	pl->nports = c->nports;
	if (pipe_plan(pl) == -1 || pipe_pools(pl) == -1 ||
	    pipe_create_emulated(pl) == -1 || pipe_open_ports(pl) == -1) {
		pipe_destroy(pl);
		return NULL;
	}
	pipe_wire_workers(pl);
	return pl;
}

int
pipe_start(struct pipeline *pl)
{
	int w, rc;

	for (w = 0; w < pl->nworkers; w++) {
		struct pipe_worker *wk = pl->workers[w];
		pthread_attr_t attr;
		char name[16];

		pthread_attr_init(&attr);
		if (wk->cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(wk->cpu, &set);
			pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		}
		wk->stop = 0;
		rc = pthread_create(&wk->thread, &attr, worker_main, wk);
		pthread_attr_destroy(&attr);
		if (rc != 0) {
			errno = rc;
			log_warn("worker %d on cpu %d", w, wk->cpu);
			pipe_stop(pl);
			return -1;
		}
		wk->running = 1;
		snprintf(name, sizeof(name), "ixfwd-w%d", w);
		pthread_setname_np(wk->thread, name);
		if (wk->cpu >= 0)
			log_info("worker %d on cpu %d: %d port%s", w, wk->cpu,
			    wk->nin, wk->nin == 1 ? "" : "s");
		else
			log_info("worker %d (not pinned): %d port%s", w,
			    wk->nin, wk->nin == 1 ? "" : "s");
	}
	return 0;
}

void
pipe_stop(struct pipeline *pl)
{
	int w;

	for (w = 0; w < pl->nworkers; w++)
		if (pl->workers[w]->running)
			__atomic_store_n(&pl->workers[w]->stop, 1,
			    __ATOMIC_RELAXED);
	for (w = 0; w < pl->nworkers; w++)
		if (pl->workers[w]->running) {
			pthread_join(pl->workers[w]->thread, NULL);
			pl->workers[w]->running = 0;
		}
}

void
pipe_destroy(struct pipeline *pl)
{
	int i;

	if (pl == NULL)
		return;
	pipe_stop(pl);
	for (i = 0; i < pl->nports; i++) {
		struct pipe_port *pp = &pl->ports[i];

		if (pp->port != NULL)
			port_close(pp->port);
		else if (pp->pci_open)
			pci_close(&pp->bar);
		pp->port = NULL;
	}
	if (pl->emu_running)
		emu_engine_stop();
	for (i = 0; i < pl->nports; i++)
		if (pl->ports[i].emu != NULL)
			emu_destroy(pl->ports[i].emu);
	for (i = 0; i < pl->nworkers; i++) {
		mempool_destroy(pl->workers[i]->pool);
		free(pl->workers[i]);
	}
	free(pl);
}

int
pipe_nports(const struct pipeline *pl)
{
	return pl->nports;
}

int
pipe_nworkers(const struct pipeline *pl)
{
	return pl->nworkers;
}

void
pipe_report(struct pipeline *pl, int idx, struct pipe_port_report *r)
{
	struct pipe_port *pp = &pl->ports[idx];
	int w;

	memset(r, 0, sizeof(*r));
	r->name = pp->conf->name;
	r->device = pp->conf->emulated ? "emulated" : pp->conf->device;
	port_link(pp->port, &r->link);
	port_stats(pp->port, &r->hw);
	for (w = 0; w < pl->nworkers; w++) {
		const struct pipe_counters *c = &pl->workers[w]->counters[idx];

#define SUM(f) r->sw.f += __atomic_load_n(&c->f, __ATOMIC_RELAXED)
		SUM(rx_packets);
		SUM(rx_bytes);
		SUM(tx_packets);
		SUM(tx_bytes);
		SUM(drop_no_route);
		SUM(drop_tx_full);
		SUM(drop_no_buffer);
#undef SUM
	}
}

void
pipe_worker_report(struct pipeline *pl, int w, struct pipe_worker_counters *r)
{
	const struct pipe_worker_counters *c = &pl->workers[w]->wc;

	r->busy_cycles = __atomic_load_n(&c->busy_cycles, __ATOMIC_RELAXED);
	r->busy_packets = __atomic_load_n(&c->busy_packets, __ATOMIC_RELAXED);
	r->busy_loops = __atomic_load_n(&c->busy_loops, __ATOMIC_RELAXED);
	r->idle_loops = __atomic_load_n(&c->idle_loops, __ATOMIC_RELAXED);
}

static void
pipe_log_link(struct pipe_port *pp, const struct port_link *l)
{
	if (l->up)
		log_info("%s: link up, %u Mbit/s", pp->conf->name, l->speed_mbps);
	else
		log_warnx("%s: link down", pp->conf->name);
	pp->link_up = l->up;
}

void
pipe_check_links(struct pipeline *pl)
{
	struct port_link l;
	int i;

	for (i = 0; i < pl->nports; i++) {
		port_link(pl->ports[i].port, &l);
		if (l.up != pl->ports[i].link_up)
			pipe_log_link(&pl->ports[i], &l);
	}
}

void
pipe_wait_links(struct pipeline *pl, uint32_t timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct port_link l;
	uint32_t waited;
	int i, down;

	for (waited = 0;; waited += 10) {
		down = 0;
		for (i = 0; i < pl->nports; i++) {
			port_link(pl->ports[i].port, &l);
			if (l.up && !pl->ports[i].link_up)
				pipe_log_link(&pl->ports[i], &l);
			down += !l.up;
		}
		if (down == 0 || waited >= timeout_ms)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < pl->nports; i++)
		if (!pl->ports[i].link_up)
			log_warnx("%s: no link after %u ms; forwarding starts "
			    "anyway", pl->conf->ports[i].name, timeout_ms);
}
