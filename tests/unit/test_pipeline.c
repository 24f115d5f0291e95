/*
 * test_pipeline.c: the pipeline on emulated NICs with pcap wires: frames
 * read from a pcap file on one port come out byte for byte in the pcap
 * files of the ports they are forwarded to (mirroring included), and the
 * counters say what happened to each.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "craft.h"
#include "dma.h"
#include "filter.h"
#include "parse.h"
#include "pipelinerig.h"

#define NFRAMES	3000

static struct frame input[NFRAMES], output[NFRAMES + 1];

static size_t
frame_len(int i)
{
	/* sizes over the whole range an Ethernet wire carries */
	return 60 + (size_t)(i * 7919) % (1514 - 60 + 1);
}

static void
make_frame(int i, uint8_t *f, size_t len)
{
	size_t k;

	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (k = 14; k < len; k++)
		f[k] = (uint8_t)(i * 31 + k);
	memcpy(f + 14, &i, sizeof(i));
}

/* The numbered frames, into a pcap file at path; 0 or -1. */
static int
write_input(const char *path)
{
	int i;

	for (i = 0; i < NFRAMES; i++) {
		input[i].len = (uint32_t)frame_len(i);
		make_frame(i, input[i].b, input[i].len);
	}
	return rig_write_frames(path, input, NFRAMES);
}

/* Count frames in path; those that are not the input frames, in order,
 * in *bad. */
static int
check_output(const char *path, int *bad)
{
	int i, n;

	*bad = 0;
	if ((n = rig_read_frames(path, output, NFRAMES + 1)) < 0)
		return -1;
	for (i = 0; i < n && i < NFRAMES; i++)
		if (output[i].len != input[i].len ||
		    memcmp(output[i].b, input[i].b, input[i].len) != 0)
			(*bad)++;
	return n;
}

static void
test_forward_and_mirror(void)
{
	static struct conf c;
	struct pipe_port_report ra, rb, rc;
	struct pipeline *pl;
	char yaml[2048], in[300], outb[300], outc[300];
	int n, bad;

	RIG_PATH(in, "in.pcap");
	RIG_PATH(outb, "b.pcap");
	RIG_PATH(outc, "c.pcap");
	T_REQUIRE(write_input(in) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, wire: { pcap_out: %s } }\n"
	    "  - { name: c, device: emulated, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: [b, c] }\n", in, outb, outc);
	T_REQUIRE((pl = rig_start(yaml, &c)) != NULL);
	rig_wait_tx(pl, 1, NFRAMES);
	rig_wait_tx(pl, 2, NFRAMES);
	pipe_stop(pl);
	pipe_report(pl, 0, &ra);
	pipe_report(pl, 1, &rb);
	pipe_report(pl, 2, &rc);
	pipe_destroy(pl);

	T_EQ(ra.sw.rx_packets, NFRAMES);
	T_EQ(ra.hw.rx_packets, NFRAMES);
	T_EQ(rb.sw.tx_packets + rb.sw.drop_tx_full, NFRAMES);
	T_EQ(rc.sw.tx_packets + rc.sw.drop_tx_full + rc.sw.drop_no_buffer,
	    NFRAMES);
	T_EQ(rb.hw.tx_packets, rb.sw.tx_packets);
	T_EQ(rc.hw.tx_packets, rc.sw.tx_packets);
	T_EQ(ra.sw.drop_no_route, 0);
	/* a pcap wire offers frames only as fast as the NIC takes them, and
	 * a's 64 RX descriptors bound what is in flight below the 512 of
	 * each TX ring: nothing may be dropped on the way */
	T_EQ(ra.hw.rx_missed, 0);
	T_EQ(rb.sw.drop_tx_full, 0);
	T_EQ(rc.sw.drop_tx_full, 0);

	n = check_output(outb, &bad);
	T_EQ(n, NFRAMES);
	T_EQ(bad, 0);
	n = check_output(outc, &bad);
	T_EQ(n, NFRAMES);
	T_EQ(bad, 0);
}

static void
test_no_route_counted(void)
{
	static struct conf c;
	struct pipe_port_report r;
	struct pipeline *pl;
	char yaml[1024], in[300];

	RIG_PATH(in, "in.pcap");
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated }\n", in);
	T_REQUIRE((pl = rig_start(yaml, &c)) != NULL);
	RIG_REPORT_UNTIL(pl, 0, r, r.sw.drop_no_route >= NFRAMES);
	pipe_stop(pl);
	pipe_destroy(pl);
	T_EQ(r.sw.rx_packets, NFRAMES);
	T_EQ(r.sw.drop_no_route, NFRAMES);
	T_EQ(r.sw.tx_packets, 0);
}


/* ---- filters and VLAN handling on the path, checked against libpcap ---- */

#define NMIX	3000

static struct frame mix[NMIX];

/* Random valid frames, some mutated or cut short, some VLAN-tagged. */
static void
make_mix(void)
{
	uint64_t seed = 0x1f2e3d4c5b6a7988ull;
	int i;

	for (i = 0; i < NMIX; i++) {
		struct craft c;

		memset(&c, 0, sizeof(c));
		craft_random(&c, &seed);
		if (i % 7 == 3)
			craft_mutate(&c, &seed);
		/* frames go over a wire: short ones arrive padded */
		if (c.len < 60) {
			memset(c.b + c.len, 0, 60 - c.len);
			c.len = 60;
		}
		if (c.len > 1514)
			c.len = 1514;
		memcpy(mix[i].b, c.b, c.len);
		mix[i].len = c.len;
	}
}

static int
same_frame(const struct frame *a, const uint8_t *b, uint32_t len)
{
	/* a wire pads short frames to 60 bytes */
	uint32_t want = len < 60 ? 60 : len;

	return a->len == want && memcmp(a->b, b, len) == 0;
}

static struct frame got[NMIX], expect[NMIX];

static void
test_filter_and_vlan_paths(void)
{
	static struct conf c;
	struct pcap_pkthdr h;
	struct bpf_program prog;
	struct pipeline *pl;
	char yaml[4096], in[300], out1[300], out2[300], out3[300];
	pcap_t *dead;
	int i, n, ne, bad;
	uint64_t want1 = 0, want2 = 0, want3 = 0;

	make_mix();
	RIG_PATH(in, "mix.pcap");
	RIG_PATH(out1, "filtered.pcap");
	RIG_PATH(out2, "vlan100.pcap");
	RIG_PATH(out3, "pushed.pcap");
	T_REQUIRE(rig_write_frames(in, mix, NMIX) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, wire: { pcap_out: %s } }\n"
	    "  - { name: c, device: emulated, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: d, device: emulated, wire: { pcap_out: %s } }\n"
	    "  - { name: e, device: emulated, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: f, device: emulated, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: b, filter: \"tcp and not port 23 or udp[0:2] > 1000\" }\n"
	    "  - { from: c, to: d, vlans: [100, 7], vlan_pop: true }\n"
	    "  - { from: e, to: f, vlan_push: 200, vlan_pcp: 5 }\n",
	    in, out1, in, out2, in, out3);
	T_REQUIRE((pl = rig_start(yaml, &c)) != NULL);

	/* what each path must let through, worked out independently */
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	T_REQUIRE(pcap_compile(dead, &prog,
	    "tcp and not port 23 or udp[0:2] > 1000", 1,
	    PCAP_NETMASK_UNKNOWN) == 0);
	for (i = 0; i < NMIX; i++) {
		struct pkt_meta m;
		int malformed = parse_pkt(mix[i].b, mix[i].len, &m) != 0;

		memset(&h, 0, sizeof(h));
		h.caplen = h.len = mix[i].len;
		if (!malformed && pcap_offline_filter(&prog, &h, mix[i].b))
			want1++;
		if (!malformed && m.nvlan > 0 &&
		    (PARSE_VLAN_ID(m.vlan_tci[0]) == 100 ||
		    PARSE_VLAN_ID(m.vlan_tci[0]) == 7))
			want2++;
		if (!malformed)
			want3++;
	}
	rig_wait_tx(pl, 1, want1);
	rig_wait_tx(pl, 3, want2);
	rig_wait_tx(pl, 5, want3);
	pipe_stop(pl);
	pipe_destroy(pl);
	conf_free(&c);
	T_CHECK(want1 > 100 && want2 > 10 && want3 > 1000);

	/* a -> b: exactly libpcap's choice, in order */
	n = rig_read_frames(out1, got, NMIX);
	for (i = 0, ne = 0; i < NMIX; i++) {
		struct pkt_meta m;

		memset(&h, 0, sizeof(h));
		h.caplen = h.len = mix[i].len;
		if (parse_pkt(mix[i].b, mix[i].len, &m) == 0 &&
		    pcap_offline_filter(&prog, &h, mix[i].b))
			expect[ne++] = mix[i];
	}
	T_EQ(n, ne);
	for (i = 0, bad = 0; i < n && i < ne; i++)
		bad += !same_frame(&got[i], expect[i].b, expect[i].len);
	T_EQ(bad, 0);
	pcap_freecode(&prog);
	pcap_close(dead);

	/* c -> d: VLAN 100 and 7 only, outer tag removed */
	n = rig_read_frames(out2, got, NMIX);
	for (i = 0, ne = 0; i < NMIX; i++) {
		struct pkt_meta m;
		uint16_t id;

		if (parse_pkt(mix[i].b, mix[i].len, &m) != 0 || m.nvlan == 0)
			continue;
		id = PARSE_VLAN_ID(m.vlan_tci[0]);
		if (id != 100 && id != 7)
			continue;
		memcpy(expect[ne].b, mix[i].b, 12);
		memcpy(expect[ne].b + 12, mix[i].b + 16, mix[i].len - 16);
		expect[ne].len = mix[i].len - 4;
		ne++;
	}
	T_EQ(n, ne);
	for (i = 0, bad = 0; i < n && i < ne; i++)
		bad += !same_frame(&got[i], expect[i].b, expect[i].len);
	T_EQ(bad, 0);

	/* e -> f: a tag 0x8100, pcp 5, id 200 in front of whatever was there */
	n = rig_read_frames(out3, got, NMIX);
	for (i = 0, ne = 0; i < NMIX; i++) {
		struct pkt_meta m;

		if (parse_pkt(mix[i].b, mix[i].len, &m) != 0)
			continue;
		memcpy(expect[ne].b, mix[i].b, 12);
		expect[ne].b[12] = 0x81;
		expect[ne].b[13] = 0x00;
		expect[ne].b[14] = (5 << 5) | (200 >> 8);
		expect[ne].b[15] = 200 & 0xff;
		memcpy(expect[ne].b + 16, mix[i].b + 12, mix[i].len - 12);
		expect[ne].len = mix[i].len + 4;
		ne++;
	}
	T_EQ(n, ne);
	for (i = 0, bad = 0; i < n && i < ne; i++)
		bad += !same_frame(&got[i], expect[i].b, expect[i].len);
	T_EQ(bad, 0);
}

/* ---- rule changes swapped in at a batch boundary lose nothing ---- */

#define HITLESS_FRAMES	200000

static void
test_hitless_update(void)
{
	static struct conf c0, pass_all, drop_all, other;
	struct pipe_port_report ra, rb;
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	struct pipeline *pl;
	const char *fmt =
	    "ports:\n"
	    "  - { name: a, device: emulated, wire: { generator: { size: 64, "
	    "count: %d, rate: 400000 } } }\n"
	    "  - { name: b, device: emulated, wire: { generator: { size: 64, "
	    "count: 1 } } }\n"
	    "forward:\n"
	    "  - { from: a, to: b, filter: \"%s\" }\n"
	    "  - { from: b, to: %s }\n";
	char yaml[1024];
	int i, swaps = 0, refused;

	snprintf(yaml, sizeof(yaml), fmt, HITLESS_FRAMES, "greater 0", "a");
	T_REQUIRE(rig_load(yaml, "pass.yaml", &pass_all) == 0);
	snprintf(yaml, sizeof(yaml), fmt, HITLESS_FRAMES, "less 0", "a");
	T_REQUIRE(rig_load(yaml, "drop.yaml", &drop_all) == 0);
	/* a different path is not a rule change */
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, wire: { generator: { size: 64 } } }\n"
	    "  - { name: b, device: emulated, wire: { generator: { size: 64 } } }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n");
	T_REQUIRE(rig_load(yaml, "other.yaml", &other) == 0);

	snprintf(yaml, sizeof(yaml), fmt, HITLESS_FRAMES, "greater 0", "a");
	T_REQUIRE((pl = rig_start(yaml, &c0)) != NULL);
	for (i = 0; i < 200; i++) {
		pipe_report(pl, 0, &ra);
		if (ra.sw.rx_packets >= HITLESS_FRAMES)
			break;
		if (pipe_update(pl, (i & 1) ? &pass_all : &drop_all) == 0)
			swaps++;
		nanosleep(&ts, NULL);
	}
	refused = pipe_update(pl, &other);
	T_EQ(refused, -1);
	T_CHECK(pipe_update(pl, &pass_all) == 0);
	for (i = 0; i < 1000; i++) {
		pipe_report(pl, 0, &ra);
		pipe_report(pl, 1, &rb);
		if (ra.sw.rx_packets >= HITLESS_FRAMES &&
		    rb.hw.tx_packets >= rb.sw.tx_packets)
			break;
		nanosleep(&ts, NULL);
	}
	pipe_stop(pl);
	pipe_report(pl, 0, &ra);
	pipe_report(pl, 1, &rb);
	pipe_destroy(pl);

	T_CHECK(swaps >= 20);
	T_EQ(ra.sw.rx_packets, HITLESS_FRAMES);
	/* every packet either went out or was refused by a filter */
	T_EQ(ra.sw.rx_packets, rb.sw.tx_packets + rb.sw.drop_tx_full +
	    ra.sw.drop_filtered);
	T_CHECK(ra.sw.drop_filtered > 0);
	T_CHECK(rb.sw.tx_packets > 0);
	T_EQ(rb.hw.tx_packets, rb.sw.tx_packets);
	T_EQ(ra.sw.drop_malformed, 0);
	conf_free(&c0);
	conf_free(&pass_all);
	conf_free(&drop_all);
	conf_free(&other);
}

/* ---- RX queues: a port's queues on several workers ---- */

/* Start pl and let workers 0 and 1 each move 100,000 frames (10 s at
 * most); stop them and report each in *w0, *w1.  -1: pl did not start. */
static int
run_both_workers(struct pipeline *pl, struct pipe_worker_counters *w0,
    struct pipe_worker_counters *w1)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int i;

	if (pipe_start(pl) == -1)
		return -1;
	for (i = 0; i < 2000; i++) {
		pipe_worker_report(pl, 0, w0);
		pipe_worker_report(pl, 1, w1);
		if (w0->busy_packets > 100000 && w1->busy_packets > 100000)
			break;
		nanosleep(&ts, NULL);
	}
	pipe_stop(pl);
	pipe_worker_report(pl, 0, w0);
	pipe_worker_report(pl, 1, w1);
	return 0;
}

/* Two null ports, 2 RX queues each on cpus [0, 1] (the shape the
 * benchmarks run): 2 workers, each polling queue q of both ports and
 * sending on its own TX queue of each.  The port's counters and its rule
 * hits are the sums over both workers. */
static void
test_queues_null(void)
{
	static struct conf c;
	struct pipe_port_report ra, rb;
	struct pipe_worker_counters w0, w1;
	struct pipeline *pl;
	uint64_t hits[4];
	int i, n;

	T_REQUIRE(rig_load("ports:\n"
	    "  - { name: a, device: null }\n"
	    "  - { name: b, device: null }\n"
	    "forward:\n"
	    "  - { from: a, to: b, rules: [ { action: drop, proto: tcp } ],\n"
	    "      default: pass }\n"
	    "  - { from: b, to: a }\n", "queues.yaml", &c) == 0);
	for (i = 0; i < 2; i++) {
		c.ports[i].queues = 2;
		c.ports[i].ncpus = 2;
		c.ports[i].cpus[0] = 0;
		c.ports[i].cpus[1] = 1;
	}
	T_REQUIRE((pl = pipe_create(&c)) != NULL);
	T_EQ(pipe_nworkers(pl), 2);
	T_EQ(pipe_worker_cpu(pl, 0), 0);
	T_EQ(pipe_worker_cpu(pl, 1), 1);
	if (run_both_workers(pl, &w0, &w1) == -1) {
		pipe_destroy(pl);
		T_REQUIRE(0);
	}
	pipe_report(pl, 0, &ra);
	pipe_report(pl, 1, &rb);
	n = pipe_rule_hits(pl, 0, hits, 4);
	pipe_destroy(pl);
	conf_free(&c);

	T_CHECK(w0.busy_packets > 0);
	T_CHECK(w1.busy_packets > 0);
	/* what both queues handed out, counted by both workers */
	T_EQ(ra.sw.rx_packets, ra.hw.rx_packets);
	T_EQ(rb.sw.rx_packets, rb.hw.rx_packets);
	T_EQ(ra.sw.rx_packets + rb.sw.rx_packets,
	    w0.busy_packets + w1.busy_packets);
	/* what both TX queues took */
	T_EQ(ra.sw.tx_packets, ra.hw.tx_packets);
	T_EQ(rb.sw.tx_packets, rb.hw.tx_packets);
	T_EQ(rb.sw.tx_packets + rb.sw.drop_tx_full, ra.sw.rx_packets);
	T_EQ(ra.sw.tx_packets + ra.sw.drop_tx_full, rb.sw.rx_packets);
	/* the null frame is UDP: every one passes by default, on both
	 * workers' paths */
	T_EQ(n, 1);
	T_EQ(hits[0], 0);
	T_EQ(hits[1], ra.sw.rx_packets);
}

/* pipe_drops_total(): every drop reason once, and flooded (not a drop)
 * not at all: each field a distinct bit. */
static void
test_drops_total(void)
{
	struct pipe_counters c;

	memset(&c, 0, sizeof(c));
	c.rx_packets = 1u << 20;
	c.tx_packets = 1u << 21;
	c.flooded = 1u << 22;
	c.drop_no_route = 1u << 0;
	c.drop_tx_full = 1u << 1;
	c.drop_no_buffer = 1u << 2;
	c.drop_filtered = 1u << 3;
	c.drop_malformed = 1u << 4;
	c.drop_local = 1u << 5;
	c.drop_too_big = 1u << 6;
	c.drop_port_failed = 1u << 7;
	c.drop_tx_reset = 1u << 8;
	T_EQ(pipe_drops_total(&c), 0x1ff);
}

/* bridge_dump() callback: station i's port in arg's array (by the last
 * byte of the MAC, which null ports number from 0). */
static void
dump_station(void *arg, const uint8_t mac[6], uint16_t vlan, int port,
    uint32_t age_s, int is_static)
{
	int *seen = arg;

	(void)vlan;
	(void)age_s;
	(void)is_static;
	if (mac[0] == 0x02 && mac[1] == 0x6e && mac[5] < 64)
		seen[mac[5]] = port;
}

/* The two null ports a learning bridge, 2 RX queues each on 2 workers:
 * every frame of port a has a's address as its source and every frame of
 * b has b's, though one pool (a worker's) serves both ports' queues; so
 * the bridge learns one station on each port and never moves one.  (With
 * the template alone, the last port opened put its address into every
 * buffer, and the station moved between the ports on every batch.) */
static void
test_queues_null_bridge(void)
{
	static struct conf c;
	struct pipe_worker_counters w0, w1;
	struct bridge_stats st;
	struct pipeline *pl;
	int i, port_of[64], na, nb;

	T_REQUIRE(rig_load("ports:\n"
	    "  - { name: a, device: null, queues: 2, cpus: [0, 1] }\n"
	    "  - { name: b, device: null, queues: 2, cpus: [0, 1] }\n"
	    "bridge: { ports: [a, b], learning: true }\n",
	    "bridge.yaml", &c) == 0);
	T_REQUIRE((pl = pipe_create(&c)) != NULL);
	T_EQ(pipe_nworkers(pl), 2);
	if (run_both_workers(pl, &w0, &w1) == -1) {
		pipe_destroy(pl);
		T_REQUIRE(0);
	}
	bridge_stats(pipe_bridge(pl), &st);
	for (i = 0; i < 64; i++)
		port_of[i] = -1;
	T_EQ(bridge_dump(pipe_bridge(pl), dump_station, port_of,
	    bridge_now()), 2);
	pipe_destroy(pl);
	conf_free(&c);

	T_CHECK(w0.busy_packets > 100000);
	T_CHECK(w1.busy_packets > 100000);
	T_EQ(st.entries, 2);
	T_EQ(st.learned, 2);
	T_EQ(st.moved, 0);
	/* a's station on a (port 0), b's on b (port 1) */
	for (i = 0, na = nb = 0; i < 64; i++) {
		if (port_of[i] == 0)
			na++;
		else if (port_of[i] == 1)
			nb++;
	}
	T_EQ(na, 1);
	T_EQ(nb, 1);
}

/* An emulated 82599 with 2 RX queues and frames RSS cannot hash (not
 * IP): everything arrives on queue 0, so only the worker polling queue 0
 * receives, byte for byte, and the other, polling queue 1, sees
 * nothing. */
static void
test_queues_emulated(void)
{
	static struct conf c;
	struct pipe_port_report ra, rb;
	struct pipe_worker_counters w0, w1;
	struct pipeline *pl;
	char yaml[1024], in[300], out[300];
	int n, bad;

	RIG_PATH(in, "in.pcap");
	RIG_PATH(out, "q.pcap");
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n", in, out);
	T_REQUIRE(rig_load(yaml, "queues-emu.yaml", &c) == 0);
	c.ports[0].queues = 2;
	c.ports[0].ncpus = 2;
	c.ports[0].cpus[0] = 0;
	c.ports[0].cpus[1] = 1;
	c.ports[1].ncpus = 1;
	c.ports[1].cpus[0] = 1;
	c.ports[1].cpu = 1;
	T_REQUIRE((pl = pipe_create(&c)) != NULL);
	T_EQ(pipe_nworkers(pl), 2);
	T_REQUIRE(rig_go(pl) == 0);
	rig_wait_tx(pl, 1, NFRAMES);
	pipe_stop(pl);
	pipe_worker_report(pl, 0, &w0);
	pipe_worker_report(pl, 1, &w1);
	pipe_report(pl, 0, &ra);
	pipe_report(pl, 1, &rb);
	pipe_destroy(pl);
	conf_free(&c);

	T_EQ(ra.sw.rx_packets, NFRAMES);
	T_EQ(w0.busy_packets, NFRAMES);		/* (a, 0) */
	T_EQ(w1.busy_packets, 0);		/* (a, 1), (b, 0) */
	T_EQ(rb.sw.tx_packets, NFRAMES);
	T_EQ(rb.hw.tx_packets, NFRAMES);
	n = check_output(out, &bad);
	T_EQ(n, NFRAMES);
	T_EQ(bad, 0);
}

#define RSS_FLOWS	64
#define RSS_PER_FLOW	64
#define RSS_FRAMES	(RSS_FLOWS * RSS_PER_FLOW)

static struct frame rss_in[RSS_FRAMES], rss_out[RSS_FRAMES + 1];

/* UDP from 10.0.0.1 port 1000 + flow to 10.0.0.2 port 53, the flow and
 * its sequence number in the payload; flows interleaved. */
static void
make_rss_frames(void)
{
	int i;

	for (i = 0; i < RSS_FRAMES; i++) {
		uint16_t flow = (uint16_t)(i % RSS_FLOWS);
		uint16_t seq = (uint16_t)(i / RSS_FLOWS);
		struct craft c;

		memset(&c, 0, sizeof(c));
		craft_eth(&c, craft_mac_b, craft_mac_a);
		craft_type(&c, 0x0800);
		craft_ip4(&c, 17, 0x0a000001, 0x0a000002, 0, 0);
		craft_udp(&c, (uint16_t)(1000 + flow), 53);
		craft_put16(&c, flow);
		craft_put16(&c, seq);
		craft_payload(&c, (uint32_t)(i % 200));
		craft_done(&c);
		memcpy(rss_in[i].b, c.b, c.len);
		rss_in[i].len = c.len;
	}
}

/* Port a with 2 RX queues and the default RSS (the symmetric key, every
 * field, RETA round-robin): the 64 UDP flows are spread over both
 * queues, each queue's worker receives what the NIC put in it (the
 * per-queue counters, software and the NIC's, agree and add up to the
 * port's), and every frame comes out on b, each flow in order. */
static void
test_queues_rss(void)
{
	static struct conf c;
	struct pipe_queue_report q0, q1, qb;
	struct pipe_port_report ra;
	struct pipeline *pl;
	char yaml[1024], in[300], out[300];
	int i, n, bad, nq, last[RSS_FLOWS];

	make_rss_frames();
	RIG_PATH(in, "rss-in.pcap");
	RIG_PATH(out, "rss-out.pcap");
	T_REQUIRE(rig_write_frames(in, rss_in, RSS_FRAMES) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, rx_ring: 64, queues: 2,\n"
	    "      wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n", in, out);
	T_REQUIRE(rig_load(yaml, "queues-rss.yaml", &c) == 0);
	T_REQUIRE((pl = pipe_create(&c)) != NULL);
	/* (a, 0), (a, 1), (b, 0): a worker each, none pinned */
	T_EQ(pipe_nworkers(pl), 3);
	T_EQ(pipe_port_queues(pl, 0), 2);
	T_EQ(pipe_port_queues(pl, 1), 1);
	T_REQUIRE(rig_go(pl) == 0);
	rig_wait_tx(pl, 1, RSS_FRAMES);
	pipe_stop(pl);
	pipe_report(pl, 0, &ra);
	pipe_queue_report(pl, 0, 0, &q0);
	pipe_queue_report(pl, 0, 1, &q1);
	pipe_queue_report(pl, 1, 0, &qb);
	nq = pipe_port_queues(pl, 0);
	pipe_destroy(pl);
	conf_free(&c);

	T_EQ(nq, 2);
	T_EQ(q0.worker, 0);
	T_EQ(q1.worker, 1);
	T_EQ(qb.worker, 2);
	T_CHECK(q0.rx_packets > 0);
	T_CHECK(q1.rx_packets > 0);
	T_EQ(q0.rx_packets + q1.rx_packets, RSS_FRAMES);
	T_EQ(q0.rx_packets + q1.rx_packets, ra.sw.rx_packets);
	T_EQ(q0.rx_bytes + q1.rx_bytes, ra.sw.rx_bytes);
	/* the NIC's statistics sets 0 and 1 */
	T_EQ(q0.hw.rx_packets, q0.rx_packets);
	T_EQ(q1.hw.rx_packets, q1.rx_packets);
	T_EQ(q0.hw.rx_bytes, q0.rx_bytes);
	T_EQ(q1.hw.rx_bytes, q1.rx_bytes);
	T_EQ(q0.hw.rx_dropped + q1.hw.rx_dropped, 0);
	T_EQ(qb.rx_packets, 0);

	/* every frame out on b once, each flow's in order */
	n = rig_read_frames(out, rss_out, RSS_FRAMES + 1);
	T_EQ(n, RSS_FRAMES);
	for (i = 0; i < RSS_FLOWS; i++)
		last[i] = -1;
	for (i = 0, bad = 0; i < n; i++) {
		const uint8_t *p = rss_out[i].b + 42;
		int flow = p[0] << 8 | p[1], seq = p[2] << 8 | p[3];
		int k = seq * RSS_FLOWS + flow;

		if (rss_out[i].len < 46 || flow >= RSS_FLOWS ||
		    seq >= RSS_PER_FLOW || seq != last[flow] + 1 ||
		    !same_frame(&rss_out[i], rss_in[k].b, rss_in[k].len)) {
			bad++;
			continue;
		}
		last[flow] = seq;
	}
	T_EQ(bad, 0);
}

int
main(void)
{
	rig_begin("pipeline");
	T_RUN(test_forward_and_mirror);
	T_RUN(test_no_route_counted);
	T_RUN(test_filter_and_vlan_paths);
	T_RUN(test_hitless_update);
	T_RUN(test_drops_total);
	T_RUN(test_queues_null);
	T_RUN(test_queues_null_bridge);
	T_RUN(test_queues_emulated);
	T_RUN(test_queues_rss);
	return rig_end();
}
