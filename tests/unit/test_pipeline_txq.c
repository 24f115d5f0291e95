/*
 * test_pipeline_txq.c: the TX queues of a port as the pipeline reports
 * them.  Port b is sent to by three workers, so it has three TX queues,
 * one each: the plan names each queue's worker, a queue nobody sends on
 * has none; each TX queue's counters (the worker's, and the NIC's
 * statistics set of the queue) hold what that worker sent, they agree,
 * and they add up to the port's.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "craft.h"
#include "hugepages.h"
#include "pipeline.h"
#include "plan.h"
#include "t.h"

#define FLOWS		64
#define PER_FLOW	32
#define NA		(FLOWS * PER_FLOW)	/* frames into a */
#define NC		700			/* frames the generator of c
						 * sends */

static char dir[] = "/tmp/ixfwd-test-pipeline-txq.XXXXXX";

/*
 * a (2 RX queues, no cpus: a worker each; short rings, so that the file
 * comes in no faster than b's NIC sends) and c forward to b:
 *
 *   worker 0: (a, 0)    TX queue 0 of b
 *   worker 1: (a, 1)    TX queue 1 of b
 *   worker 2: (b, 0)    sends nowhere
 *   worker 3: (c, 0)    TX queue 2 of b
 *
 * Nobody sends to a or c: one TX queue each, without a worker.
 */
static const char *topology =
    "ports:\n"
    "  - { name: a, device: emulated, queues: 2, rx_ring: 64,\n"
    "      wire: { pcap_in: %s } }\n"
    "  - { name: b, device: emulated, wire: { pcap_out: %s } }\n"
    "  - { name: c, device: emulated, wire: { generator: { size: 128, "
    "count: %d, rate: 20000 } } }\n"
    "forward:\n"
    "  - { from: a, to: b }\n"
    "  - { from: c, to: b }\n";

static int
load(struct conf *c, const char *in, const char *out)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/txq.yaml", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, topology, in, out, NC);
	fclose(f);
	return conf_load(path, c, stdout);
}

/* Pure: the owner of each TX queue from the plan alone. */
static void
test_plan_txq_worker(void)
{
	static struct conf c;
	static struct pipe_plan p;
	char err[256], out[300];

	snprintf(out, sizeof(out), "%s/plan.pcap", dir);
	T_REQUIRE(load(&c, "/dev/null", out) == 0);
	T_REQUIRE(pipe_plan(&c, &p, err, sizeof(err)) == 0);
	T_EQ(p.nworkers, 4);
	T_EQ(p.ports[1].nb_txq, 3);
	T_EQ(pipe_plan_txq_worker(&p, 1, 0), 0);
	T_EQ(pipe_plan_txq_worker(&p, 1, 1), 1);
	T_EQ(pipe_plan_txq_worker(&p, 1, 2), 3);
	/* the TX queue of a port nobody sends to */
	T_EQ(p.ports[0].nb_txq, 1);
	T_EQ(pipe_plan_txq_worker(&p, 0, 0), -1);
	T_EQ(pipe_plan_txq_worker(&p, 2, 0), -1);
	/* queues and ports there are not */
	T_EQ(pipe_plan_txq_worker(&p, 1, 3), -1);
	T_EQ(pipe_plan_txq_worker(&p, 1, -1), -1);
	T_EQ(pipe_plan_txq_worker(&p, 3, 0), -1);
	T_EQ(pipe_plan_txq_worker(&p, -1, 0), -1);
	conf_free(&c);
}

/* UDP from 10.0.0.1 port 1000 + flow to 10.0.0.2 port 53 (RSS spreads
 * the flows over a's two queues), flows interleaved, 60 to 859 bytes. */
static int
write_input(const char *path)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	int i;

	if (p == NULL || (d = pcap_dump_open(p, path)) == NULL)
		return -1;
	for (i = 0; i < NA; i++) {
		struct pcap_pkthdr h;
		struct craft c;

		memset(&c, 0, sizeof(c));
		craft_eth(&c, craft_mac_b, craft_mac_a);
		craft_type(&c, 0x0800);
		craft_ip4(&c, 17, 0x0a000001, 0x0a000002, 0, 0);
		craft_udp(&c, (uint16_t)(1000 + i % FLOWS), 53);
		craft_put32(&c, (uint32_t)i);
		craft_payload(&c, (uint32_t)(i * 37 % 800));
		craft_done(&c);
		memset(&h, 0, sizeof(h));
		h.caplen = h.len = c.len;
		pcap_dump((u_char *)d, &h, c.b);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

/* Wait (10 s at most) until want frames were sent on b or dropped for
 * it with its TX ring full, and its NIC has sent what was. */
static void
wait_tx(struct pipeline *pl, uint64_t want)
{
	struct pipe_port_report r;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1000; i++) {
		pipe_report(pl, 1, &r);
		if (r.sw.tx_packets + r.sw.drop_tx_full >= want &&
		    r.hw.tx_packets >= r.sw.tx_packets)
			return;
		nanosleep(&ts, NULL);
	}
}

static void
test_txq_report(void)
{
	static struct conf c;
	struct pipe_txq_report t[3], ta, tc, none;
	struct pipe_port_report rb;
	struct pipeline *pl;
	char in[300], out[300];
	uint64_t pk = 0, by = 0, full = 0, hpk = 0, hby = 0;
	int q, nb, na;

	snprintf(in, sizeof(in), "%s/a.pcap", dir);
	snprintf(out, sizeof(out), "%s/b.pcap", dir);
	T_REQUIRE(write_input(in) == 0);
	T_REQUIRE(load(&c, in, out) == 0);
	T_REQUIRE((pl = pipe_create(&c)) != NULL);
	pipe_wait_links(pl, 2000);
	if (pipe_start(pl) == -1) {
		pipe_destroy(pl);
		T_REQUIRE(0);
	}
	wait_tx(pl, NA + NC);
	pipe_stop(pl);
	nb = pipe_port_tx_queues(pl, 1);
	na = pipe_port_tx_queues(pl, 0);
	pipe_report(pl, 1, &rb);
	for (q = 0; q < 3; q++)
		pipe_txq_report(pl, 1, q, &t[q]);
	pipe_txq_report(pl, 0, 0, &ta);
	pipe_txq_report(pl, 2, 0, &tc);
	pipe_txq_report(pl, 1, 3, &none);
	pipe_destroy(pl);
	conf_free(&c);

	T_EQ(nb, 3);
	T_EQ(na, 1);
	T_EQ(t[0].worker, 0);
	T_EQ(t[1].worker, 1);
	T_EQ(t[2].worker, 3);
	/* Every frame sent on its worker's queue, or dropped there for want
	 * of room (on a loaded machine the emulated NIC may fall behind).
	 * RSS put flows in both queues of a: both its workers sent. */
	T_CHECK(t[0].tx_packets > 0);
	T_CHECK(t[1].tx_packets > 0);
	T_EQ(t[0].tx_packets + t[0].tx_full + t[1].tx_packets + t[1].tx_full,
	    NA);
	T_CHECK(t[2].tx_packets > 0);
	T_EQ(t[2].tx_packets + t[2].tx_full, NC);
	/* the generator's size counts the CRC */
	T_EQ(t[2].tx_bytes, t[2].tx_packets * (128 - 4));
	for (q = 0; q < 3; q++) {
		T_EQ(t[q].cpu, -1);
		/* the NIC's statistics set q: what queue q sent, no more */
		T_EQ(t[q].hw_tx_packets, t[q].tx_packets);
		T_EQ(t[q].hw_tx_bytes, t[q].tx_bytes);
		pk += t[q].tx_packets;
		by += t[q].tx_bytes;
		full += t[q].tx_full;
		hpk += t[q].hw_tx_packets;
		hby += t[q].hw_tx_bytes;
	}
	/* and the queues add up to the port */
	T_EQ(pk, rb.sw.tx_packets);
	T_EQ(by, rb.sw.tx_bytes);
	T_EQ(full, rb.sw.drop_tx_full);
	T_EQ(hpk, rb.hw.tx_packets);
	T_EQ(hby, rb.hw.tx_bytes);
	/* a and c: one TX queue nobody sends on */
	T_EQ(ta.worker, -1);
	T_EQ(ta.tx_packets + ta.hw_tx_packets + ta.hw_tx_bytes, 0);
	T_EQ(tc.worker, -1);
	T_EQ(tc.tx_packets + tc.hw_tx_packets + tc.hw_tx_bytes, 0);
	/* a queue b does not have */
	T_EQ(none.worker, -1);
	T_EQ(none.hw_tx_packets, 0);
}

int
main(void)
{
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_plan_txq_worker);
	if (t_hugepages(64))
		T_RUN(test_txq_report);
	else
		printf("SKIP: pipeline_txq: no 2 MiB hugepages and not root "
		    "to reserve them\n");
	rc = t_done();
	if (rc == 0) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", dir);
	}
	return rc;
}
