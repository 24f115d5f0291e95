/*
 * pipeline.c: setting up the fast path from a configuration (the plan,
 * the ports, the workers' pools and paths), starting and stopping it,
 * summing its counters, watching links, and swapping paths on a reload.
 * Control thread only.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>

#include "bridge.h"
#include "cacheline.h"
#include "conf_diff.h"
#include "dma.h"
#include "log.h"
#include "path.h"
#include "plan.h"
#include "port_open.h"
#include "worker.h"

struct pipe_port {
	const struct conf_port *conf;
	struct port	*port;
	int		 link_up;	/* as last logged */
	uint64_t	 link_changes;
	uint64_t	 tx_resets;
	uint64_t	 tx_reset_timeouts;
	uint32_t	 tx_head[PIPE_WORKERS_MAX];	/* by TX queue: TDH */
	uint8_t		 tx_still[PIPE_WORKERS_MAX];	/* checks it stayed */
	uint8_t		 tx_late[PIPE_WORKERS_MAX];	/* its reset reported
							 * late, not yet back */
};

static_assert(CONF_PORTS_MAX <= BRIDGE_PORTS_MAX, "bridge port numbers");
static_assert(CONF_QUEUES_MAX <= PORT_RXQ_MAX, "RX queues of a port");
static_assert(PIPE_WORKERS_MAX <= CAPTURE_WORKERS_MAX, "capture workers");
static_assert(CONF_RSS_KEY_LEN == sizeof(((struct port_spec *)0)->rss_key) &&
    CONF_RETA_SIZE == sizeof(((struct port_spec *)0)->rss_reta),
    "RSS tables");

struct pipeline {
	const struct conf *conf;
	struct pipe_plan *plan;
	int		 nports;
	struct pipe_port ports[CONF_PORTS_MAX];
	struct port	*port_of[CONF_PORTS_MAX];	/* ports[i].port */
	int		 port_failed[CONF_PORTS_MAX];	/* workers read it */
	int		 nworkers;
	struct pipe_worker *workers[PIPE_WORKERS_MAX];
	struct port_set	*devs;
	struct bridge	*bridge;
	struct bridge_moves moves;	/* pipe_check_moves() */
	struct capture_set *captures;
	int		 captures_running;
	int		 started;	/* pipe_start() succeeded once */
};

/* The workers of the plan, each still without a pool or paths. */
static int
pipe_workers(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	char err[256];
	int w;

	if ((pl->plan = malloc(sizeof(*pl->plan))) == NULL) {
		log_warn("plan");
		return -1;
	}
	if (pipe_plan(c, pl->plan, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	for (w = 0; w < pl->plan->nworkers; w++) {
		const struct plan_worker *pw = &pl->plan->workers[w];
		struct pipe_worker *nw;

		if ((nw = calloc_lines(1, sizeof(*nw))) == NULL) {
			log_warn("worker");
			return -1;
		}
		nw->id = w;
		nw->cpu = pw->cpu;
		nw->busy_poll = pw->busy_poll;
		nw->batch = c->batch;
		nw->sleep_max_ns = c->poll_sleep_max_us * 1000u;
		pl->workers[pl->nworkers++] = nw;
	}
	return 0;
}

/* The node of the NIC the worker receives from (the first one, when it
 * has several); -1 for none. */
static int
pipe_worker_node(struct pipeline *pl, int w)
{
	const struct plan_worker *pw = &pl->plan->workers[w];
	int k, node;

	for (k = 0; k < pw->nin; k++)
		if ((node = port_set_node(pl->devs, pw->in[k].port)) >= 0)
			return node;
	return -1;
}

/* The data size of a pool filling port cp's RX queues: the longest
 * frame its NIC takes, MTU + 18 with an 802.1Q tag and without CRC (1518
 * below MTU 1500), rounded up to the 1 KiB unit of the RX buffer size:
 * 2048 up to MTU 1500, 9216 for MTU 9000, 10240 for 9710. */
static uint32_t
pipe_pool_data_size(const struct conf_port *cp)
{
	uint32_t mtu = cp->mtu > CONF_MTU_DEFAULT ? cp->mtu : CONF_MTU_DEFAULT;
	uint32_t sz = mtu + 18;

	sz = (sz + MEMPOOL_DATA_UNIT - 1) / MEMPOOL_DATA_UNIT *
	    MEMPOOL_DATA_UNIT;
	return sz > PKT_DATA_SIZE ? sz : PKT_DATA_SIZE;
}

/* The pool of worker pw: enough buffers (*n) for every RX ring it
 * fills, every TX ring it sends on, and the batches in its hands; each
 * large enough (*size) for the longest frame of any port it receives
 * from (mirror and flood copies come from the same pool, so they fit
 * too). */
static void
pipe_pool_need(const struct conf *c, const struct plan_worker *pw,
    uint32_t *n, uint32_t *size)
{
	uint32_t sz;
	int i, k;

	*n = 4u * PIPE_BATCH_MAX;
	*size = PKT_DATA_SIZE;
	for (k = 0; k < pw->nin; k++) {
		*n += c->ports[pw->in[k].port].rx_ring;
		sz = pipe_pool_data_size(&c->ports[pw->in[k].port]);
		if (sz > *size)
			*size = sz;
	}
	for (i = 0; i < c->nports; i++)
		if (pw->txq[i] != -1)
			*n += c->ports[i].tx_ring;
}

static int
pipe_pools(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int w;

	for (w = 0; w < pl->nworkers; w++) {
		uint32_t n, size;

		pipe_pool_need(c, &pl->plan->workers[w], &n, &size);
		dma_set_node(pipe_worker_node(pl, w));
		pl->workers[w]->pool = mempool_create_sized(n, size);
		dma_set_node(-1);
		if (pl->workers[w]->pool == NULL)
			return -1;
		log_debug("worker %d: %u buffers of %u bytes", w, n, size);
	}
	return 0;
}

/* What the factory needs of port i: its device, its wire when it is
 * emulated (the configuration's terms put in the model's). */
static void
pipe_port_spec(const struct conf *c, int i, struct port_spec *ps)
{
	const struct conf_port *cp = &c->ports[i];
	const struct conf_wire *cw = &cp->wire;

	memset(ps, 0, sizeof(*ps));
	ps->name = cp->name;
	ps->kind = cp->kind;
	ps->device = cp->device;
	ps->force = cp->force;
	ps->peer = cw->peer;
	if (cp->has_mac)
		memcpy(ps->mac, cp->mac, sizeof(ps->mac));
	else {
		/* locally administered, unicast */
		ps->mac[0] = 0x02;
		ps->mac[1] = 0x1f;
		ps->mac[2] = 0xd0;
		ps->mac[5] = (uint8_t)(i + 1);
	}
	switch (cw->kind) {
	case CONF_WIRE_NONE:
		ps->wire.kind = EMU_WIRE_NONE;
		break;
	case CONF_WIRE_IFACE:
		ps->wire.kind = EMU_WIRE_IFACE;
		strlcpy(ps->wire.iface, cw->iface, sizeof(ps->wire.iface));
		break;
	case CONF_WIRE_PEER:
		ps->wire.kind = EMU_WIRE_PEER;
		break;
	case CONF_WIRE_PCAP:
		ps->wire.kind = EMU_WIRE_PCAP;
		strlcpy(ps->wire.pcap_in, cw->pcap_in,
		    sizeof(ps->wire.pcap_in));
		strlcpy(ps->wire.pcap_out, cw->pcap_out,
		    sizeof(ps->wire.pcap_out));
		break;
	case CONF_WIRE_GENERATOR:
		ps->wire.kind = EMU_WIRE_GENERATOR;
		ps->wire.gen_size = cw->gen_size;
		ps->wire.gen_count = cw->gen_count;
		ps->wire.gen_rate = cw->gen_rate;
		break;
	}
	ps->rx_ring = cp->rx_ring;
	ps->tx_ring = cp->tx_ring;
	ps->promisc = cp->promisc;
	memcpy(ps->rss_key, cp->rss.key, sizeof(ps->rss_key));
	ps->rss_fields = cp->rss.fields;
	memcpy(ps->rss_reta, cp->rss.reta, sizeof(ps->rss_reta));
	if (cp->kind == PORT_KIND_IXGBE || cp->kind == PORT_KIND_EMULATED)
		ps->max_frame = (uint16_t)(cp->mtu + 18);
}

/* Take and reset every device before any DMA memory is allocated. */
static int
pipe_take_devices(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	struct port_spec spec[CONF_PORTS_MAX];
	int i;

	for (i = 0; i < c->nports; i++)
		pipe_port_spec(c, i, &spec[i]);
	pl->devs = port_set_take(spec, c->nports, c->emulator_cpu);
	return pl->devs == NULL ? -1 : 0;
}

/* Port i as port_open() opens it: with its queues (but no pools yet). */
static void
pipe_open_spec(const struct conf *c, const struct pipe_plan *p, int i,
    struct port_spec *ps)
{
	pipe_port_spec(c, i, ps);
	ps->nb_rxq = p->ports[i].nb_rxq;
	ps->nb_txq = p->ports[i].nb_txq;
}

size_t
pipe_hugepages(const struct conf *c, const struct pipe_plan *p)
{
	struct port_spec ps;
	uint32_t n, size;
	size_t pages = 0;
	int i, w;

	for (w = 0; w < p->nworkers; w++) {
		pipe_pool_need(c, &p->workers[w], &n, &size);
		pages += mempool_pages(n, size);
	}
	for (i = 0; i < c->nports; i++) {
		pipe_open_spec(c, p, i, &ps);
		pages += port_dma_pages(&ps);
	}
	return pages;
}

/* Each RX queue filled from the pool of the worker that polls it. */
static int
pipe_open_ports(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int i;
	uint16_t q;

	for (i = 0; i < c->nports; i++) {
		const struct plan_port *pp = &pl->plan->ports[i];
		struct port_spec ps;

		pipe_open_spec(c, pl->plan, i, &ps);
		for (q = 0; q < pp->nb_rxq; q++)
			ps.rx_pool[q] = pl->workers[pp->worker[q]]->pool;
		if ((pl->ports[i].port = port_open(pl->devs, i, &ps)) == NULL)
			return -1;
		pl->port_of[i] = pl->ports[i].port;
	}
	return 0;
}

/* Every worker's inputs, each (port, RX queue) with its own path. */
static int
pipe_wire_workers(struct pipeline *pl)
{
	int w, k;

	for (w = 0; w < pl->nworkers; w++) {
		const struct plan_worker *pw = &pl->plan->workers[w];
		struct pipe_worker *wk = pl->workers[w];

		for (k = 0; k < pw->nin; k++) {
			struct pipe_in *in = &wk->in[wk->nin];

			in->port = pl->ports[pw->in[k].port].port;
			in->idx = pw->in[k].port;
			in->rxq = pw->in[k].rxq;
			if ((in->path = pipe_path_build(pl->conf, in->idx,
			    pw->txq, pl->port_of, pl->bridge)) == NULL)
				return -1;
			wk->nin++;
		}
		wk->port_of = pl->port_of;
		wk->txq = pw->txq;
		wk->port_failed = pl->port_failed;
	}
	return 0;
}

static int
pipe_create_bridge(struct pipeline *pl)
{
	if (!pl->conf->bridge.enabled)
		return 0;
	return (pl->bridge = pipe_bridge_new(&pl->conf->bridge)) == NULL ?
	    -1 : 0;
}

static void pipe_quiesce(struct pipeline *pl);

static void
pipe_quiesce_cb(void *arg)
{
	pipe_quiesce(arg);
}

/* Each worker samples what it receives on its ports and what it sends.
 * The set exists even without configured captures, so that one can be
 * attached while the workers run (a reload, ixfwdctl capture). */
static int
pipe_create_captures(struct pipeline *pl)
{
	const struct conf *c = pl->conf;
	int w, i, k;

	if ((pl->captures = capture_create(c->captures, c->ncaptures,
	    pl->nworkers)) == NULL)
		return -1;
	capture_set_quiesce(pl->captures, pipe_quiesce_cb, pl);
	for (w = 0; w < pl->nworkers; w++) {
		struct pipe_worker *wk = pl->workers[w];

		for (i = 0; i < wk->nin; i++) {
			const struct pipe_path *p = wk->in[i].path;

			if (capture_worker_bind(pl->captures, w, wk->in[i].idx,
			    CAPTURE_RX) == -1)
				return -1;
			for (k = 0; k < p->nout; k++)
				if (capture_worker_bind(pl->captures, w,
				    p->out[k].idx, CAPTURE_TX) == -1)
					return -1;
		}
		wk->capture_slot = capture_worker_slot(pl->captures, w);
		wk->capture = capture_worker(pl->captures, w);
	}
	return 0;
}

struct pipeline *
pipe_create(const struct conf *c)
{
	struct pipeline *pl;
	int i;

	if ((pl = calloc(1, sizeof(*pl))) == NULL) {
		log_warn("pipeline");
		return NULL;
	}
	pl->conf = c;
	pl->nports = c->nports;
	for (i = 0; i < c->nports; i++)
		pl->ports[i].conf = &c->ports[i];
	if (pipe_workers(pl) == -1 || pipe_take_devices(pl) == -1 ||
	    pipe_pools(pl) == -1 || pipe_open_ports(pl) == -1 ||
	    pipe_create_bridge(pl) == -1 || pipe_wire_workers(pl) == -1 ||
	    pipe_create_captures(pl) == -1) {
		pipe_destroy(pl);
		return NULL;
	}
	return pl;
}

/* The capture writer and other helper threads: on cpus no worker is
 * pinned to, so they never preempt a busy-polling worker. */
static void
pipe_spare_cpus(const struct pipeline *pl, cpu_set_t *set)
{
	int w;

	CPU_ZERO(set);
	if (sched_getaffinity(0, sizeof(*set), set) == -1)
		return;
	for (w = 0; w < pl->nworkers; w++)
		if (pl->workers[w]->cpu >= 0 && CPU_COUNT(set) > 1)
			CPU_CLR(pl->workers[w]->cpu, set);
}

/* "worker 0 on cpu 2: 2 ports", with their RX queues when a port has
 * several. */
static void
pipe_log_worker(const struct pipeline *pl, int w)
{
	const struct pipe_worker *wk = pl->workers[w];
	char where[32], queues[32] = "";
	int i, nports = 0, multi = 0;

	for (i = 0; i < pl->nports; i++) {
		const struct plan_port *pp = &pl->plan->ports[i];
		uint16_t q;

		for (q = 0; q < pp->nb_rxq; q++)
			if (pp->worker[q] == w)
				break;
		if (q == pp->nb_rxq)
			continue;
		nports++;
		multi |= pp->nb_rxq > 1;
	}
	if (wk->cpu >= 0)
		snprintf(where, sizeof(where), "on cpu %d", wk->cpu);
	else
		snprintf(where, sizeof(where), "(not pinned)");
	if (multi)
		snprintf(queues, sizeof(queues), ", %d RX queue%s", wk->nin,
		    wk->nin == 1 ? "" : "s");
	log_info("worker %d %s: %d port%s%s", w, where, nports,
	    nports == 1 ? "" : "s", queues);
}

int
pipe_start(struct pipeline *pl)
{
	int w, rc;

	if (pl->captures != NULL && !pl->captures_running) {
		cpu_set_t spare;

		pipe_spare_cpus(pl, &spare);
		if (capture_start(pl->captures, &spare) == -1)
			return -1;
		pl->captures_running = 1;
	}

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
		/* at most 15 characters reach the kernel; workers < 65536 */
		snprintf(name, sizeof(name), "ixfwd-w%hu", (unsigned short)w);
		pthread_setname_np(wk->thread, name);
		pipe_log_worker(pl, w);
	}
	pl->started = 1;
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
	if (pl->captures_running) {
		capture_stop(pl->captures);
		pl->captures_running = 0;
	}
}

static void	pipe_check_pools(struct pipeline *);

void
pipe_destroy(struct pipeline *pl)
{
	int i;

	if (pl == NULL)
		return;
	pipe_stop(pl);
	/* a start that failed or was stopped before forwarding leaves the
	 * NICs to the kernel drivers it took them from */
	if (!pl->started)
		port_set_give_back(pl->devs);
	/* the ports first: their rings hold buffers of the workers' pools */
	port_set_close(pl->devs);
	pipe_check_pools(pl);
	for (i = 0; i < pl->nworkers; i++) {
		struct pipe_worker *w = pl->workers[i];
		int k;

		for (k = 0; k < w->nin; k++)
			pipe_path_free(w->in[k].path);
		mempool_destroy(w->pool);
		free(w);
	}
	capture_destroy(pl->captures);
	bridge_free(pl->bridge);
	free(pl->plan);
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

static void	pipe_report_health(struct pipeline *, int,
		    struct pipe_port_report *);

void
pipe_report(struct pipeline *pl, int idx, struct pipe_port_report *r)
{
	struct pipe_port *pp = &pl->ports[idx];
	int w;

	memset(r, 0, sizeof(*r));
	r->name = pp->conf->name;
	r->device = pp->conf->device;
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
		SUM(drop_filtered);
		SUM(drop_malformed);
		SUM(drop_local);
		SUM(flooded);
		SUM(drop_too_big);
		SUM(drop_port_failed);
		SUM(drop_tx_reset);
#undef SUM
	}
	pipe_report_health(pl, idx, r);
}

int
pipe_port_queues(const struct pipeline *pl, int port)
{
	return pl->plan->ports[port].nb_rxq;
}

void
pipe_queue_report(struct pipeline *pl, int port, int q,
    struct pipe_queue_report *r)
{
	const struct plan_port *pp = &pl->plan->ports[port];
	const struct pipe_worker *wk;
	struct port_queue_stats qs;
	int k;

	memset(r, 0, sizeof(*r));
	r->worker = r->cpu = -1;
	if (q < 0 || q >= pp->nb_rxq)
		return;
	r->worker = pp->worker[q];
	wk = pl->workers[r->worker];
	r->cpu = wk->cpu;
	for (k = 0; k < wk->nin; k++)
		if (wk->in[k].idx == port && wk->in[k].rxq == q) {
			r->rx_packets = __atomic_load_n(&wk->in[k].rx_packets,
			    __ATOMIC_RELAXED);
			r->rx_bytes = __atomic_load_n(&wk->in[k].rx_bytes,
			    __ATOMIC_RELAXED);
		}
	port_queue_stats(pl->ports[port].port, (uint16_t)q, &qs);
	r->hw.rx_packets = qs.rx_packets;
	r->hw.rx_bytes = qs.rx_bytes;
	r->hw.rx_dropped = qs.rx_dropped;
}

int
pipe_port_tx_queues(const struct pipeline *pl, int port)
{
	return pl->plan->ports[port].nb_txq;
}

/* A worker's counters of a port are those of its one TX queue there:
 * pipe_send() is all that counts tx_packets and drop_tx_full. */
void
pipe_txq_report(struct pipeline *pl, int port, int q,
    struct pipe_txq_report *r)
{
	const struct pipe_counters *c;
	struct port_queue_stats qs;

	memset(r, 0, sizeof(*r));
	r->worker = r->cpu = -1;
	if (q < 0 || q >= pl->plan->ports[port].nb_txq)
		return;
	if ((r->worker = pipe_plan_txq_worker(pl->plan, port, q)) >= 0) {
		r->cpu = pl->workers[r->worker]->cpu;
		c = &pl->workers[r->worker]->counters[port];
		r->tx_packets = __atomic_load_n(&c->tx_packets,
		    __ATOMIC_RELAXED);
		r->tx_bytes = __atomic_load_n(&c->tx_bytes, __ATOMIC_RELAXED);
		r->tx_full = __atomic_load_n(&c->drop_tx_full,
		    __ATOMIC_RELAXED);
	}
	port_queue_stats(pl->ports[port].port, (uint16_t)q, &qs);
	r->hw_tx_packets = qs.tx_packets;
	r->hw_tx_bytes = qs.tx_bytes;
}

void
pipe_worker_report(struct pipeline *pl, int w, struct pipe_worker_counters *r)
{
	const struct pipe_worker_counters *c = &pl->workers[w]->wc;

	r->busy_cycles = __atomic_load_n(&c->busy_cycles, __ATOMIC_RELAXED);
	r->busy_packets = __atomic_load_n(&c->busy_packets, __ATOMIC_RELAXED);
	r->busy_loops = __atomic_load_n(&c->busy_loops, __ATOMIC_RELAXED);
	r->idle_loops = __atomic_load_n(&c->idle_loops, __ATOMIC_RELAXED);
	r->sleep_ns = __atomic_load_n(&c->sleep_ns, __ATOMIC_RELAXED);
	r->sleeps = __atomic_load_n(&c->sleeps, __ATOMIC_RELAXED);
}

int
pipe_worker_cpu(const struct pipeline *pl, int w)
{
	return pl->workers[w]->cpu;
}

int
pipe_worker_busy_poll(const struct pipeline *pl, int w)
{
	return pl->workers[w]->busy_poll;
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

static void	pipe_port_failed(struct pipeline *, int);

void
pipe_check_links(struct pipeline *pl)
{
	struct port_link l;
	int i;

	for (i = 0; i < pl->nports; i++) {
		if (pl->port_failed[i])
			continue;
		port_link(pl->ports[i].port, &l);
		if (l.failed) {
			pipe_port_failed(pl, i);
			continue;
		}
		if (l.up != pl->ports[i].link_up) {
			pl->ports[i].link_changes++;
			pipe_log_link(&pl->ports[i], &l);
		}
	}
}

void
pipe_wait_links(struct pipeline *pl, uint32_t timeout_ms)
{
	(void)pipe_wait_links_or(pl, timeout_ms, NULL);
}

int
pipe_wait_links_or(struct pipeline *pl, uint32_t timeout_ms,
    int (*stop)(void))
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
		/* a SIGTERM while a link is down must not wait it out */
		if (stop != NULL && stop())
			return 1;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < pl->nports; i++)
		if (!pl->ports[i].link_up)
			log_warnx("%s: no link after %u ms; forwarding starts "
			    "anyway", pl->conf->ports[i].name, timeout_ms);
	return 0;
}

/* Same ports, same paths: what pipe_update() can change without a
 * restart is filtering and VLAN handling. */
static int
pipe_same_topology(const struct conf *a, const struct conf *b)
{
	int i, j;

	if (a->nports != b->nports || a->bridge.enabled != b->bridge.enabled)
		return 0;
	for (i = 0; i < a->nports; i++) {
		const struct conf_forward *fa = conf_forward_of(a, i);
		const struct conf_forward *fb = conf_forward_of(b, i);

		if (strcmp(a->ports[i].name, b->ports[i].name) != 0 ||
		    pipe_in_bridge(a, i) != pipe_in_bridge(b, i) ||
		    (fa == NULL) != (fb == NULL))
			return 0;
		if (fa == NULL)
			continue;
		if (fa->nto != fb->nto)
			return 0;
		for (j = 0; j < fa->nto; j++)
			if (fa->to[j] != fb->to[j])
				return 0;
	}
	return 1;
}

/* Wait until no worker can still be using a path it loaded before now:
 * each worker publishes the end of every loop in its epoch, so two more
 * loops mean the one that might have read the old path is over. */
static void
pipe_quiesce(struct pipeline *pl)
{
	struct timespec ts = { 0, 100 * 1000 };
	uint64_t seen[PIPE_WORKERS_MAX];
	int w, busy;

	/* The new path's store before the epoch loads (store-load).
	 * ThreadSanitizer does not model fences (gcc refuses them under
	 * -fsanitize=thread, -Wtsan): there a seq-cst read-modify-write, a
	 * locked instruction and so a full barrier on x86, does the same. */
#ifdef __SANITIZE_THREAD__
	static int fence_word;

	(void)__atomic_fetch_add(&fence_word, 0, __ATOMIC_SEQ_CST);
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
	for (w = 0; w < pl->nworkers; w++)
		seen[w] = __atomic_load_n(&pl->workers[w]->epoch,
		    __ATOMIC_ACQUIRE);
	do {
		busy = 0;
		for (w = 0; w < pl->nworkers; w++)
			if (pl->workers[w]->running &&
			    __atomic_load_n(&pl->workers[w]->epoch,
			    __ATOMIC_ACQUIRE) < seen[w] + 2)
				busy = 1;
		if (busy)
			nanosleep(&ts, NULL);
	} while (busy);
}

/* Does b need a new MAC table to replace the one made for a? */
static int
pipe_bridge_changed(const struct conf_bridge *a, const struct conf_bridge *b)
{
	return a->aging != b->aging || a->max_entries != b->max_entries ||
	    a->vlan_learning != b->vlan_learning || !conf_statics_same(a, b);
}

struct pipe_carry {
	struct bridge	*to;
	uint32_t	 now;
	int		 n;
};

static void
pipe_carry_one(void *arg, const uint8_t mac[6], uint16_t vlan, int port,
    uint32_t age_s, int is_static)
{
	struct pipe_carry *cy = arg;

	if (is_static || age_s > cy->now)
		return;
	bridge_learn(cy->to, mac, vlan, port, cy->now - age_s);
	cy->n++;
}

int
pipe_update(struct pipeline *pl, const struct conf *c)
{
	/* every (port, RX queue) is one worker's input: PIPE_INPUTS_MAX
	 * in all */
	struct pipe_path *fresh[PIPE_INPUTS_MAX], *old[PIPE_INPUTS_MAX];
	struct pipe_in *ins[PIPE_INPUTS_MAX];
	struct bridge *br = pl->bridge, *old_br = NULL;
	int i, w, k, n = 0;

	if (!pipe_same_topology(pl->conf, c)) {
		log_warnx("the new configuration changes ports or paths; "
		    "restart ixfwd to apply it");
		return -1;
	}
	/* A new MAC table for new aging, size, learning mode or static
	 * entries, with the stations learned so far carried over at their
	 * age: nothing floods that did not before. */
	if (pl->bridge != NULL && pipe_bridge_changed(&pl->conf->bridge,
	    &c->bridge)) {
		struct pipe_carry cy;

		if ((br = pipe_bridge_new(&c->bridge)) == NULL)
			return -1;
		cy.to = br;
		cy.now = bridge_now();
		cy.n = 0;
		bridge_dump(pl->bridge, pipe_carry_one, &cy, cy.now);
		log_debug("bridge: new MAC table, %d learned entr%s carried "
		    "over", cy.n, cy.n == 1 ? "y" : "ies");
	}
	/* Compile everything first: on any error nothing changes. */
	for (w = 0; w < pl->nworkers; w++)
		for (k = 0; k < pl->workers[w]->nin; k++) {
			ins[n] = &pl->workers[w]->in[k];
			if (n == PIPE_INPUTS_MAX || (fresh[n] =
			    pipe_path_build(c, ins[n]->idx,
			    pl->plan->workers[w].txq, pl->port_of,
			    br)) == NULL) {
				while (n > 0)
					pipe_path_free(fresh[--n]);
				if (br != pl->bridge)
					bridge_free(br);
				return -1;
			}
			n++;
		}
	for (i = 0; i < n; i++)
		old[i] = __atomic_exchange_n(&ins[i]->path, fresh[i],
		    __ATOMIC_SEQ_CST);
	if (br != pl->bridge) {
		old_br = pl->bridge;
		pl->bridge = br;
		/* a new table counts from 0 */
		memset(&pl->moves, 0, sizeof(pl->moves));
	}
	pipe_quiesce(pl);
	for (i = 0; i < n; i++)
		pipe_path_free(old[i]);
	bridge_free(old_br);
	return 0;
}

void
pipe_set_conf(struct pipeline *pl, const struct conf *c)
{
	int i;

	pl->conf = c;
	for (i = 0; i < pl->nports; i++)
		pl->ports[i].conf = &c->ports[i];
}

/* Each (worker, input) path counts its own hits: a port's RX queues may
 * be served by several workers, so its hits are the sum over all. */
int
pipe_rule_hits(struct pipeline *pl, int port, uint64_t *hits, int max)
{
	int w, k, r, nrules = -1;

	for (r = 0; r < max; r++)
		hits[r] = 0;
	for (w = 0; w < pl->nworkers; w++) {
		struct pipe_worker *wk = pl->workers[w];

		for (k = 0; k < wk->nin; k++) {
			const struct pipe_path *p;

			if (wk->in[k].idx != port)
				continue;
			p = __atomic_load_n(&wk->in[k].path,
			    __ATOMIC_ACQUIRE);
			if (p == NULL || p->rules == NULL)
				continue;
			nrules = p->nrules;
			for (r = 0; r <= p->nrules && r < max; r++)
				hits[r] += __atomic_load_n(&p->hits[r],
				    __ATOMIC_RELAXED);
		}
	}
	return nrules;
}

/* Stations moving between ports many times a second: say so, now and
 * then (bridge_moves_check()). */
static void
pipe_check_moves(struct pipeline *pl, uint32_t now_s)
{
	const char *name[BRIDGE_PORTS_MAX] = { NULL };
	char msg[512];
	int i;

	for (i = 0; i < pl->nports && i < BRIDGE_PORTS_MAX; i++)
		name[i] = pl->conf->ports[i].name;
	if (bridge_moves_check(pl->bridge, &pl->moves, now_s, name, msg,
	    sizeof(msg)))
		log_warnx("%s", msg);
}

void
pipe_housekeeping(struct pipeline *pl)
{
	pipe_check_links(pl);
	pipe_check_tx(pl);
	if (pl->bridge != NULL) {
		uint32_t now_s = bridge_now();

		bridge_expire(pl->bridge, now_s);
		pipe_check_moves(pl, now_s);
	}
}

struct capture_set *
pipe_captures(struct pipeline *pl)
{
	return pl->captures;
}

struct bridge *
pipe_bridge(struct pipeline *pl)
{
	return pl->bridge;
}

/* ------------------------------------------------------------------ */
/* Faults of the devices                                              */

static void
pipe_report_health(struct pipeline *pl, int idx, struct pipe_port_report *r)
{
	r->link_changes = pl->ports[idx].link_changes;
	r->tx_queue_resets = pl->ports[idx].tx_resets;
	r->tx_queue_reset_timeouts = pl->ports[idx].tx_reset_timeouts;
	r->failed = pl->port_failed[idx];
	if (r->failed)
		r->link.up = 0;
}

/* The device of port i is gone.  Its workers stop polling its queues
 * and drop what is for it (drop_port_failed) from their next batch; the
 * other ports go on.  No recovery: the device is not there. */
static void
pipe_port_failed(struct pipeline *pl, int i)
{
	struct pipe_port *pp = &pl->ports[i];

	__atomic_store_n(&pl->port_failed[i], 1, __ATOMIC_RELEASE);
	if (pp->link_up)
		pp->link_changes++;
	pp->link_up = 0;
	log_warnx("%s: device removed (reads return all ones): port failed; "
	    "the other ports keep forwarding", pp->conf->name);
}

/*
 * A queue being reset by its worker (pipe_tx_resets()) is not watched:
 * its head stays put by design.  One the worker marked late is logged
 * and counted once, and its return logged; the worker never logs.
 */
static int
pipe_check_tx_reset(struct pipe_port *pp, const struct pipe_worker *wk,
    int i, int q)
{
	uint8_t st = __atomic_load_n(&wk->txr_state[i], __ATOMIC_ACQUIRE);

	if (st == PIPE_TXR_IDLE) {
		if (pp->tx_late[q]) {
			pp->tx_late[q] = 0;
			log_info("%s: TX queue %d back in service after its "
			    "reset", pp->conf->name, q);
		}
		return 0;
	}
	pp->tx_still[q] = 0;
	if (st == PIPE_TXR_LATE && !pp->tx_late[q]) {
		pp->tx_late[q] = 1;
		pp->tx_reset_timeouts++;
		log_warnx("%s: TX queue %d not back %d ms after its reset (the "
		    "NIC has not stopped and restarted it): out of service, "
		    "frames for it dropped (drop_tx_reset), the reset retried "
		    "every %d ms; worker %d forwards on its other queues",
		    pp->conf->name, q, PIPE_TX_RESET_MS,
		    PIPE_TX_RESET_RETRY_MS, wk->id);
	}
	return 1;
}

void
pipe_check_tx(struct pipeline *pl)
{
	uint32_t pending, head;
	int i, w, q;

	for (i = 0; i < pl->nports; i++) {
		struct pipe_port *pp = &pl->ports[i];

		if (pl->port_failed[i])
			continue;
		for (w = 0; w < pl->nworkers; w++) {
			if ((q = pl->plan->workers[w].txq[i]) < 0 ||
			    q >= PIPE_WORKERS_MAX)
				continue;
			if (pipe_check_tx_reset(pp, pl->workers[w], i, q))
				continue;
			/* With the link down a NIC may hold its TX queues
			 * (the packet buffer fills): not a hang. */
			if (!pp->link_up)
				continue;
			pending = port_tx_pending(pp->port, (uint16_t)q, &head);
			if (pending == 0 || head != pp->tx_head[q]) {
				pp->tx_head[q] = head;
				pp->tx_still[q] = 0;
				continue;
			}
			if (++pp->tx_still[q] < PIPE_TX_STUCK_S)
				continue;
			pp->tx_still[q] = 0;
			pp->tx_resets++;
			log_warnx("%s: TX queue %d stuck for %d s (%u descriptors "
			    "pending, head %u): reset", pp->conf->name, q,
			    PIPE_TX_STUCK_S, pending, head);
			__atomic_fetch_or(&pl->workers[w]->tx_reset, 1ull << i,
			    __ATOMIC_RELEASE);
		}
	}
}

/* With the ports closed every buffer is back in its worker's pool: one
 * missing is a leak (a fault's handling that lost buffers). */
static void
pipe_check_pools(struct pipeline *pl)
{
	const struct mempool *mp;
	int w;

	for (w = 0; w < pl->nworkers; w++) {
		if ((mp = pl->workers[w]->pool) == NULL)
			continue;
		if (mp->nfree == mp->n)
			log_info("worker %d: all %u buffers back in the pool", w,
			    mp->n);
		else
			log_warnx("worker %d: %u of %u buffers not back in the "
			    "pool", w, mp->n - mp->nfree, mp->n);
	}
}
