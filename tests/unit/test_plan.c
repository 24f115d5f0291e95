/*
 * test_plan.c: the planner (pipeline/plan.h) on configurations built in
 * C: which worker serves which (port, RX queue), on which cpu, and which
 * TX queue each worker sends on; today's shapes (one RX queue a port),
 * several RX queues spread over cpus, and the limits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "plan.h"
#include "t.h"

static struct conf c;
static struct pipe_plan p;
static char err[256];

/* n ports "a", "b", ... of kind, one RX queue, no cpu, nothing else. */
static void
conf_ports(int n, enum port_kind kind)
{
	int i;

	conf_free(&c);
	memset(&c, 0, sizeof(c));
	c.nports = n;
	c.batch = 32;
	c.poll = CONF_POLL_ADAPTIVE;
	c.emulator_cpu = -1;
	for (i = 0; i < n; i++) {
		struct conf_port *cp = &c.ports[i];

		snprintf(cp->name, sizeof(cp->name), "%c", 'a' + i);
		cp->kind = kind;
		strcpy(cp->device, kind == PORT_KIND_NULL ? "null" : "emulated");
		cp->rx_ring = cp->tx_ring = 512;
		cp->cpu = -1;
		cp->queues = 1;
		cp->poll = CONF_POLL_DEFAULT;
	}
}

static void
conf_cpus(int port, int n, ...)
{
	struct conf_port *cp = &c.ports[port];
	va_list ap;
	int i;

	va_start(ap, n);
	cp->ncpus = n;
	for (i = 0; i < n; i++)
		cp->cpus[i] = va_arg(ap, int);
	va_end(ap);
	cp->cpu = n > 0 ? cp->cpus[0] : -1;
}

static void
conf_fwd(int from, int nto, ...)
{
	struct conf_forward *f = &c.forwards[c.nforwards++];
	va_list ap;
	int i;

	memset(f, 0, sizeof(*f));
	f->from = from;
	f->nto = nto;
	va_start(ap, nto);
	for (i = 0; i < nto; i++)
		f->to[i] = va_arg(ap, int);
	va_end(ap);
}

static void
conf_bridge(int n, ...)
{
	va_list ap;
	int i;

	c.bridge.enabled = 1;
	c.bridge.nports = n;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		c.bridge.ports[i] = va_arg(ap, int);
	va_end(ap);
}

static int
plan(void)
{
	memset(&p, 0x5a, sizeof(p));	/* nothing left from before counts */
	return pipe_plan(&c, &p, err, sizeof(err));
}

/* Worker w serves exactly the (port, queue) pairs given, in order. */
static int
serves(int w, int n, ...)
{
	const struct plan_worker *wk = &p.workers[w];
	va_list ap;
	int i, ok = wk->nin == n;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int port = va_arg(ap, int), q = va_arg(ap, int);

		if (ok && (wk->in[i].port != port || wk->in[i].rxq != q))
			ok = 0;
	}
	va_end(ap);
	if (!ok) {
		printf("  worker %d serves", w);
		for (i = 0; i < wk->nin; i++)
			printf(" (%d,%d)", wk->in[i].port, wk->in[i].rxq);
		printf("\n");
	}
	return ok;
}

/* Two ports on one cpu: one worker pinned there, one TX queue on each. */
static void
test_two_ports_one_cpu(void)
{
	conf_ports(2, PORT_KIND_EMULATED);
	conf_cpus(0, 1, 1);
	conf_cpus(1, 1, 1);
	conf_fwd(0, 1, 1);
	conf_fwd(1, 1, 0);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nports, 2);
	T_EQ(p.nworkers, 1);
	T_EQ(p.workers[0].cpu, 1);
	T_CHECK(serves(0, 2, 0, 0, 1, 0));
	T_EQ(p.workers[0].txq[0], 0);
	T_EQ(p.workers[0].txq[1], 0);
	T_EQ(p.ports[0].nb_rxq, 1);
	T_EQ(p.ports[0].nb_txq, 1);
	T_EQ(p.ports[1].nb_txq, 1);
	T_EQ(p.ports[0].worker[0], 0);
	T_EQ(p.ports[1].worker[0], 0);
	T_EQ(p.workers[0].busy_poll, 0);
}

/* `cpu: N` without cpus (ncpus 0) is cpus [N]. */
static void
test_cpu_alone(void)
{
	conf_ports(2, PORT_KIND_EMULATED);
	c.ports[0].cpu = 1;
	c.ports[1].cpu = 1;
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 1);
	T_EQ(p.workers[0].cpu, 1);
	T_CHECK(serves(0, 2, 0, 0, 1, 0));
}

/* Two ports without a cpu: a worker each, not pinned. */
static void
test_two_ports_no_cpu(void)
{
	conf_ports(2, PORT_KIND_EMULATED);
	conf_fwd(0, 1, 1);
	conf_fwd(1, 1, 0);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 2);
	T_EQ(p.workers[0].cpu, -1);
	T_EQ(p.workers[1].cpu, -1);
	T_CHECK(serves(0, 1, 0, 0));
	T_CHECK(serves(1, 1, 1, 0));
	/* each sends to the other port only */
	T_EQ(p.workers[0].txq[0], -1);
	T_EQ(p.workers[0].txq[1], 0);
	T_EQ(p.workers[1].txq[0], 0);
	T_EQ(p.workers[1].txq[1], -1);
	T_EQ(p.ports[0].nb_txq, 1);
	T_EQ(p.ports[1].nb_txq, 1);
}

/* A TX queue per sending worker on each port, numbered in worker order;
 * a port nobody sends to keeps the one the NIC wants. */
static void
test_txq_assignment(void)
{
	conf_ports(4, PORT_KIND_EMULATED);
	conf_fwd(0, 2, 1, 2);		/* a -> b, c (mirror) */
	conf_fwd(1, 1, 2);		/* b -> c */
	conf_fwd(2, 1, 0);		/* c -> a */
	/* d: nowhere */
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 4);
	T_EQ(p.workers[0].txq[1], 0);
	T_EQ(p.workers[0].txq[2], 0);
	T_EQ(p.workers[1].txq[2], 1);
	T_EQ(p.workers[2].txq[0], 0);
	T_EQ(p.workers[0].txq[0], -1);
	T_EQ(p.workers[1].txq[0], -1);
	T_EQ(p.workers[3].txq[0], -1);
	T_EQ(p.workers[3].txq[1], -1);
	T_EQ(p.workers[3].txq[2], -1);
	T_EQ(p.workers[3].txq[3], -1);
	T_EQ(p.ports[0].nb_txq, 1);
	T_EQ(p.ports[1].nb_txq, 1);
	T_EQ(p.ports[2].nb_txq, 2);
	T_EQ(p.ports[3].nb_txq, 1);

	/* two ports sharing a worker and a destination: one queue there */
	conf_ports(3, PORT_KIND_EMULATED);
	conf_cpus(0, 1, 1);
	conf_cpus(1, 1, 1);
	conf_fwd(0, 1, 2);
	conf_fwd(1, 1, 2);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 2);
	T_EQ(p.workers[0].txq[2], 0);
	T_EQ(p.ports[2].nb_txq, 1);
}

/* A bridge: each worker has a queue on every other bridge port of the
 * ports it serves; a port outside the bridge gets none. */
static void
test_bridge(void)
{
	conf_ports(4, PORT_KIND_EMULATED);
	conf_cpus(0, 1, 1);
	conf_cpus(1, 1, 1);
	conf_bridge(3, 0, 1, 2);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 3);
	T_CHECK(serves(0, 2, 0, 0, 1, 0));
	T_CHECK(serves(1, 1, 2, 0));
	T_CHECK(serves(2, 1, 3, 0));
	/* worker 0 serves a and b: it sends to a (from b), b and c */
	T_EQ(p.workers[0].txq[0], 0);
	T_EQ(p.workers[0].txq[1], 0);
	T_EQ(p.workers[0].txq[2], 0);
	T_EQ(p.workers[0].txq[3], -1);
	T_EQ(p.workers[1].txq[0], 1);
	T_EQ(p.workers[1].txq[1], 1);
	T_EQ(p.workers[1].txq[2], -1);
	T_EQ(p.workers[2].txq[0], -1);
	T_EQ(p.ports[0].nb_txq, 2);
	T_EQ(p.ports[1].nb_txq, 2);
	T_EQ(p.ports[2].nb_txq, 1);
	T_EQ(p.ports[3].nb_txq, 1);
}

/* 2 ports x 2 queues on cpus [2, 3]: queue q of both on cpus[q]. */
static void
test_two_queues_two_cpus(void)
{
	conf_ports(2, PORT_KIND_NULL);
	c.ports[0].queues = c.ports[1].queues = 2;
	conf_cpus(0, 2, 2, 3);
	conf_cpus(1, 2, 2, 3);
	conf_fwd(0, 1, 1);
	conf_fwd(1, 1, 0);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 2);
	T_EQ(p.workers[0].cpu, 2);
	T_EQ(p.workers[1].cpu, 3);
	T_CHECK(serves(0, 2, 0, 0, 1, 0));
	T_CHECK(serves(1, 2, 0, 1, 1, 1));
	T_EQ(p.ports[0].nb_rxq, 2);
	T_EQ(p.ports[0].worker[0], 0);
	T_EQ(p.ports[0].worker[1], 1);
	T_EQ(p.ports[1].worker[0], 0);
	T_EQ(p.ports[1].worker[1], 1);
	/* one TX queue per worker, not per (port, queue) */
	T_EQ(p.workers[0].txq[0], 0);
	T_EQ(p.workers[0].txq[1], 0);
	T_EQ(p.workers[1].txq[0], 1);
	T_EQ(p.workers[1].txq[1], 1);
	T_EQ(p.ports[0].nb_txq, 2);
	T_EQ(p.ports[1].nb_txq, 2);
}

/* 4 queues on cpus [2, 3]: queue q on cpus[q % 2]. */
static void
test_four_queues_two_cpus(void)
{
	conf_ports(2, PORT_KIND_EMULATED);
	c.ports[0].queues = 4;
	conf_cpus(0, 2, 2, 3);
	conf_fwd(0, 1, 1);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 3);
	T_EQ(p.workers[0].cpu, 2);
	T_EQ(p.workers[1].cpu, 3);
	T_EQ(p.workers[2].cpu, -1);
	T_CHECK(serves(0, 2, 0, 0, 0, 2));
	T_CHECK(serves(1, 2, 0, 1, 0, 3));
	T_CHECK(serves(2, 1, 1, 0));
	T_EQ(p.ports[0].worker[0], 0);
	T_EQ(p.ports[0].worker[1], 1);
	T_EQ(p.ports[0].worker[2], 0);
	T_EQ(p.ports[0].worker[3], 1);
	T_EQ(p.ports[0].nb_rxq, 4);
	T_EQ(p.ports[1].nb_txq, 2);
	T_EQ(p.ports[0].nb_txq, 1);
	T_EQ(p.workers[2].txq[0], -1);
}

/* Pinned and unpinned queues together; busy polling follows the ports. */
static void
test_mixed_pinned(void)
{
	conf_ports(3, PORT_KIND_NULL);
	c.ports[0].queues = 2;
	conf_cpus(0, 1, 1);		/* a: both queues on cpu 1 */
	c.ports[1].queues = 2;		/* b: not pinned */
	conf_cpus(2, 1, 1);		/* c: cpu 1 */
	c.ports[1].poll = CONF_POLL_BUSY;
	conf_bridge(3, 0, 1, 2);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 3);
	T_EQ(p.workers[0].cpu, 1);
	T_EQ(p.workers[1].cpu, -1);
	T_EQ(p.workers[2].cpu, -1);
	T_CHECK(serves(0, 3, 0, 0, 0, 1, 2, 0));
	T_CHECK(serves(1, 1, 1, 0));
	T_CHECK(serves(2, 1, 1, 1));
	T_EQ(p.workers[0].busy_poll, 0);
	T_EQ(p.workers[1].busy_poll, 1);
	T_EQ(p.workers[2].busy_poll, 1);
	T_EQ(p.ports[0].nb_txq, 3);
	T_EQ(p.ports[1].nb_txq, 1);
	T_EQ(p.ports[2].nb_txq, 3);
	T_EQ(p.workers[0].txq[1], 0);
	T_EQ(p.workers[2].txq[2], 2);

	/* busy at the top level; a port saying adaptive keeps its worker
	 * adaptive, one saying nothing follows the top level */
	c.poll = CONF_POLL_BUSY;
	c.ports[0].poll = CONF_POLL_ADAPTIVE;
	c.ports[1].poll = CONF_POLL_ADAPTIVE;
	c.ports[2].poll = CONF_POLL_DEFAULT;
	T_REQUIRE(plan() == 0);
	T_EQ(p.workers[0].busy_poll, 1);	/* c is on it */
	T_EQ(p.workers[1].busy_poll, 0);
	T_EQ(pipe_poll_mode(&c, 0), CONF_POLL_ADAPTIVE);
	T_EQ(pipe_poll_mode(&c, 2), CONF_POLL_BUSY);
}

/* Limits: each refused with a message that says which, and the port it
 * is about (for ixfwd -t's FILE:LINE:COLUMN). */
static void
test_limits(void)
{
	int i;

	/* 5 ports x 16 unpinned queues: 80 workers */
	conf_ports(5, PORT_KIND_NULL);
	for (i = 0; i < 5; i++)
		c.ports[i].queues = 16;
	T_EQ(plan(), -1);
	T_CHECK(strstr(err, "more than 64 workers") != NULL);
	T_EQ(p.err_port, 4);		/* e's first queue needed the 65th */
	/* 4 x 16 is exactly 64 */
	c.nports = 4;
	T_EQ(plan(), 0);
	T_EQ(p.nworkers, PIPE_WORKERS_MAX);
	T_EQ(err[0], '\0');
	T_EQ(p.err_port, -1);

	/* 17 workers sending to an emulated 82599, which has 16 TX queues */
	conf_ports(3, PORT_KIND_NULL);
	c.ports[1].kind = PORT_KIND_EMULATED;
	c.ports[0].queues = 16;
	conf_fwd(0, 1, 1);
	conf_fwd(2, 1, 1);
	T_EQ(plan(), -1);
	T_CHECK(strstr(err, "port b: needs more than 16 TX queues (one for "
	    "each worker sending to it); it has at most 16") != NULL);
	T_EQ(p.err_port, 1);
	/* 16 are fine; to a null port, 17 too */
	c.nforwards = 1;
	T_EQ(plan(), 0);
	T_EQ(p.ports[1].nb_txq, 16);
	conf_fwd(2, 1, 1);
	c.ports[1].kind = PORT_KIND_NULL;
	T_EQ(plan(), 0);
	T_EQ(p.ports[1].nb_txq, 17);

	/* RX queues: 1..16 */
	conf_ports(1, PORT_KIND_EMULATED);
	c.ports[0].queues = 17;
	T_EQ(plan(), -1);
	T_CHECK(strstr(err, "port a: 17 RX queues, it can have 1 to 16") !=
	    NULL);
	T_EQ(p.err_port, 0);
	c.ports[0].queues = 0;
	T_EQ(plan(), -1);
	T_CHECK(strstr(err, "port a: 0 RX queues") != NULL);
}

/* Today's keys from YAML, then the queue fields set on top. */
static void
test_from_yaml(void)
{
	char path[] = "/tmp/ixfwd-test-plan.XXXXXX";
	int fd;
	FILE *f;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		T_SKIP("cannot write a temporary file");
	fputs("ports:\n"
	    "  - { name: a, device: null, cpu: 0 }\n"
	    "  - { name: b, device: null, cpu: 0 }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n"
	    "  - { from: b, to: a }\n", f);
	fclose(f);
	conf_free(&c);
	memset(&c, 0, sizeof(c));
	T_EQ(conf_load(path, &c, stdout), 0);
	unlink(path);
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 1);
	T_EQ(p.workers[0].cpu, 0);
	T_CHECK(serves(0, 2, 0, 0, 1, 0));

	/* 2 queues on 2 workers, not pinned */
	c.ports[0].queues = c.ports[1].queues = 2;
	c.ports[0].ncpus = c.ports[1].ncpus = 0;
	c.ports[0].cpu = c.ports[1].cpu = -1;
	T_REQUIRE(plan() == 0);
	T_EQ(p.nworkers, 4);
	T_EQ(p.ports[0].nb_txq, 2);
	T_EQ(p.ports[1].nb_txq, 2);
}

int
main(void)
{
	T_RUN(test_two_ports_one_cpu);
	T_RUN(test_cpu_alone);
	T_RUN(test_two_ports_no_cpu);
	T_RUN(test_txq_assignment);
	T_RUN(test_bridge);
	T_RUN(test_two_queues_two_cpus);
	T_RUN(test_four_queues_two_cpus);
	T_RUN(test_mixed_pinned);
	T_RUN(test_limits);
	T_RUN(test_from_yaml);
	conf_free(&c);
	return t_done();
}
