/*
 * test_pipeline_jumbo.c: jumbo frames through the pipeline on emulated
 * NICs with pcap wires.  9014-byte frames pass a filter that reads their
 * far end and a rule list, are forwarded, mirrored, flooded by the bridge
 * and tagged byte for byte; a frame longer than a port's MTU allows is
 * never sent, but dropped and counted as drop_too_big on the port whose
 * MTU it exceeds.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define FRAME_MAX	9022	/* MTU 9000, two tags */
#include "pipelinerig.h"

#define NJ		600

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static struct frame in[NJ], got[NJ + 1];

static uint16_t
ip_sum(const uint8_t *h, int len)
{
	uint32_t s = 0;
	int i;

	for (i = 0; i < len; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4/UDP frame of len bytes (with a tag if vlan != 0) to dst, UDP
 * destination port dport, payload bytes from seed, and mark at byte 9000
 * when it is that long. */
static void
make_udp(struct frame *f, uint32_t len, const uint8_t dst[6], uint16_t vlan,
    uint16_t dport, int seed, uint8_t mark)
{
	uint8_t *p = f->b;
	uint32_t k, l2 = vlan ? 18 : 14;
	uint16_t v;

	memcpy(p, dst, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x0a", 6);
	if (vlan) {
		p[12] = 0x81;
		p[13] = 0x00;
		p[14] = (uint8_t)(vlan >> 8);
		p[15] = (uint8_t)vlan;
	}
	p[l2 - 2] = 0x08;
	p[l2 - 1] = 0x00;
	p += l2;
	memset(p, 0, 28);
	p[0] = 0x45;
	v = htons((uint16_t)(len - l2));
	memcpy(p + 2, &v, 2);
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	v = htons(ip_sum(p, 20));
	memcpy(p + 10, &v, 2);
	v = htons(4000);
	memcpy(p + 20, &v, 2);
	v = htons(dport);
	memcpy(p + 22, &v, 2);
	v = htons((uint16_t)(len - l2 - 20));
	memcpy(p + 24, &v, 2);
	for (k = l2 + 28; k < len; k++)
		f->b[k] = (uint8_t)(seed * 7 + k);
	memcpy(f->b + l2 + 28, &seed, sizeof(seed));
	if (len > 9000)
		f->b[9000] = mark;
	f->len = len;
}

enum { A, B, C, D };		/* the ports of a run, a first */

/* The pcap file of port p ('a', 'b'...) in run tag: what a reads, what
 * the others write. */
static const char *
pcap_of(const char *tag, int p)
{
	static char path[2][300];
	static int k;
	char name[64];

	k = !k;
	if (p == 'a')
		snprintf(name, sizeof(name), "%sin.pcap", tag);
	else
		snprintf(name, sizeof(name), "%s%c.pcap", tag, p);
	RIG_PATH(path[k], name);
	return path[k];
}

/* Run in[] through ports a, b... (nports of them; port i with MTU
 * mtu[i], 0: the default, and 64 RX descriptors), rest being the yaml
 * after the ports: a reads in[] from its pcap file, the others write
 * theirs.  Once a has received every frame, the pipeline stops; the
 * reports of a and, once their NICs have sent all they were given, of
 * the others in r[A], r[B]...; 0 or -1. */
static int
run(const char *tag, int nports, const int *mtu, const char *rest,
    struct pipe_port_report *r)
{
	static struct conf c;
	struct pipeline *pl;
	char yaml[2048], m[16] = "";
	size_t len;
	int i;

	if (rig_write_frames(pcap_of(tag, 'a'), in, NJ) == -1)
		return -1;
	len = (size_t)snprintf(yaml, sizeof(yaml), "ports:\n");
	for (i = 0; i < nports; i++) {
		if (mtu[i] != 0)
			snprintf(m, sizeof(m), " mtu: %d,", mtu[i]);
		else
			m[0] = '\0';
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len,
		    "  - { name: %c, device: emulated,%s rx_ring: 64, wire: "
		    "{ %s: %s } }\n", 'a' + i, m, i ? "pcap_out" : "pcap_in",
		    pcap_of(tag, 'a' + i));
	}
	snprintf(yaml + len, sizeof(yaml) - len, "%s", rest);
	if ((pl = rig_start(yaml, &c)) == NULL)
		return -1;
	rig_wait_rx(pl, 0, NJ);
	pipe_stop(pl);
	pipe_report(pl, 0, &r[A]);
	for (i = 1; i < nports; i++)
		rig_wait_sent(pl, i, &r[i]);
	pipe_destroy(pl);
	conf_free(&c);
	return 0;
}

/* Expected on an output: the frames of in[] for which keep() holds, byte
 * for byte and in order.  Counts the mismatches. */
static int
compare(const char *path, int (*keep)(int), int *bad)
{
	int i, n, k = 0;

	*bad = 0;
	if ((n = rig_read_frames(path, got, NJ + 1)) < 0)
		return -1;
	for (i = 0; i < NJ; i++) {
		if (!keep(i))
			continue;
		if (k >= n || got[k].len != in[i].len ||
		    memcmp(got[k].b, in[i].b, in[i].len) != 0)
			(*bad)++;
		k++;
	}
	if (k != n)
		(*bad)++;
	return n;
}

/* Port p's pcap file in run tag holds want frames, exactly those of in[]
 * for which keep() holds, in order. */
static void
check_out(const char *tag, int p, int (*keep)(int), int want)
{
	int n, bad;

	n = compare(pcap_of(tag, p), keep, &bad);
	if (n != want || bad != 0)
		t_fail(__FILE__, __LINE__, "port %c: %d frames (%d wanted), %d "
		    "wrong", p, n, want, bad);
}

/* in[i]: a third 9014-byte frames marked 0xab at byte 9000 (pass the
 * filter), a third 9014-byte frames marked 0xcd (refused by it), a third
 * 1514-byte frames; every fifth to UDP port 9 (dropped by the rules). */
static int
is_jumbo(int i)
{
	return i % 3 != 2;
}

static int
passes(int i)
{
	return i % 3 != 1 && i % 5 != 0;
}

static int
passes_small(int i)
{
	return passes(i) && !is_jumbo(i);
}

static int
all(int i)
{
	(void)i;
	return 1;
}

static int
small(int i)
{
	return !is_jumbo(i);
}

static void
make_input(uint16_t vlan_every)
{
	int i;

	for (i = 0; i < NJ; i++)
		make_udp(&in[i], is_jumbo(i) ? 9014 : 1514, bcast,
		    vlan_every && i % vlan_every == 0 ? 100 : 0,
		    i % 5 == 0 ? 9 : 53, i, i % 3 == 0 ? 0xab : 0xcd);
}

static void
test_forward_filter_mirror(void)
{
	static const int mtu[] = { 9000, 9000, 9000, 0 };
	struct pipe_port_report r[4];
	int npass = 0, njpass = 0, i;

	make_input(0);
	for (i = 0; i < NJ; i++) {
		npass += passes(i);
		njpass += passes(i) && is_jumbo(i);
	}
	T_REQUIRE(run("", 4, mtu,
	    "forward:\n"
	    "  - { from: a, to: [b, c, d],\n"
	    "      filter: \"len <= 1514 or (len > 9000 and ether[9000] == 0xab)\",\n"
	    "      rules: [ { action: drop, proto: udp, dst_port: 9 } ],\n"
	    "      default: pass }\n", r) == 0);

	T_EQ(r[A].sw.rx_packets, NJ);
	T_EQ(r[A].hw.rx_errors, 0);
	T_EQ(r[A].sw.drop_filtered, NJ - npass);
	T_EQ(r[A].sw.drop_too_big, 0);
	T_EQ(r[B].sw.tx_packets, npass);
	T_EQ(r[C].sw.tx_packets, npass);
	/* the 1500-MTU port gets the small frames; the jumbo ones are
	 * dropped whole and counted on it */
	T_EQ(r[D].sw.tx_packets, npass - njpass);
	T_EQ(r[D].sw.drop_too_big, njpass);
	T_EQ(r[B].sw.drop_too_big + r[C].sw.drop_too_big, 0);
	T_EQ(r[B].sw.drop_no_buffer + r[C].sw.drop_no_buffer +
	    r[D].sw.drop_no_buffer, 0);
	check_out("", 'b', passes, npass);
	check_out("", 'c', passes, npass);
	check_out("", 'd', passes_small, npass - njpass);
}

static void
test_bridge_flood(void)
{
	static const int mtu[] = { 9000, 9000, 0 };
	struct pipe_port_report r[3];
	int nsmall = 0, i;

	/* broadcast: flooded to b (a copy) and c (the frame itself) */
	make_input(4);
	for (i = 0; i < NJ; i++)
		nsmall += small(i);
	T_REQUIRE(run("b", 3, mtu,
	    "bridge:\n"
	    "  ports: [a, b, c]\n"
	    "  filter: \"len <= 1518 or ether[9000] != 0\"\n", r) == 0);

	T_EQ(r[A].sw.rx_packets, NJ);
	T_EQ(r[A].sw.flooded, NJ);
	T_EQ(r[A].sw.drop_filtered, 0);
	T_EQ(r[B].sw.tx_packets, NJ);
	T_EQ(r[C].sw.tx_packets, nsmall);
	T_EQ(r[C].sw.drop_too_big, NJ - nsmall);
	T_EQ(r[B].sw.drop_no_buffer, 0);
	check_out("b", 'b', all, NJ);
	check_out("b", 'c', small, nsmall);
}

/* A tag pushed on a 9014-byte frame makes 9018 bytes, which a 9000-MTU
 * port carries; pushed on a tagged 9018-byte one, 9022, which it does
 * not. */
static void
test_vlan_push(void)
{
	static const int mtu[] = { 9000, 9000 };
	struct pipe_port_report r[2];
	int n, i, k, bad = 0, ntagged = 0;

	for (i = 0; i < NJ; i++) {
		make_udp(&in[i], i % 2 ? 9018 : 9014, bcast,
		    i % 2 ? 100 : 0, 53, i, 0xab);
		ntagged += i % 2;
	}
	T_REQUIRE(run("v", 2, mtu,
	    "forward:\n"
	    "  - { from: a, to: b, vlan_push: 200 }\n", r) == 0);

	T_EQ(r[A].sw.rx_packets, NJ);
	T_EQ(r[A].hw.rx_errors, 0);
	T_EQ(r[B].sw.tx_packets, NJ - ntagged);
	T_EQ(r[B].sw.drop_too_big, ntagged);
	n = rig_read_frames(pcap_of("v", 'b'), got, NJ + 1);
	T_EQ(n, NJ - ntagged);
	for (i = 0, k = 0; i < NJ && k < n; i += 2, k++)
		if (got[k].len != 9018 || got[k].b[12] != 0x81 ||
		    got[k].b[14] != 0x00 || got[k].b[15] != 200 ||
		    memcmp(got[k].b, in[i].b, 12) != 0 ||
		    memcmp(got[k].b + 16, in[i].b + 12, 9014 - 12) != 0)
			bad++;
	T_EQ(bad, 0);
}

/* Below MTU 1500 the NIC still takes 1518-byte frames: the input drops
 * what its MTU does not allow and counts it on itself. */
static void
test_small_mtu_input(void)
{
	static const int mtu[] = { 1000, 0 };
	struct pipe_port_report r[2];
	int n, i, bad = 0, nfit = 0;

	for (i = 0; i < NJ; i++) {
		/* 1014 fits MTU 1000, 1018 with a tag, 1015 does not */
		static const uint32_t len[4] = { 1014, 1015, 1514, 1018 };

		make_udp(&in[i], len[i % 4], bcast, i % 4 == 3 ? 100 : 0,
		    53, i, 0);
		nfit += i % 4 == 0 || i % 4 == 3;
	}
	T_REQUIRE(run("s", 2, mtu,
	    "forward:\n"
	    "  - { from: a, to: b }\n", r) == 0);

	T_EQ(r[A].sw.rx_packets, NJ);
	T_EQ(r[A].sw.drop_too_big, NJ - nfit);
	T_EQ(r[B].sw.tx_packets, nfit);
	T_EQ(r[B].sw.drop_too_big, 0);
	n = rig_read_frames(pcap_of("s", 'b'), got, NJ + 1);
	T_EQ(n, nfit);
	for (i = 0; i < n; i++)
		if (got[i].len != in[(i / 2) * 4 + (i % 2 ? 3 : 0)].len ||
		    memcmp(got[i].b, in[(i / 2) * 4 + (i % 2 ? 3 : 0)].b,
		    got[i].len) != 0)
			bad++;
	T_EQ(bad, 0);
}

int
main(void)
{
	rig_begin("pipeline_jumbo");
	T_RUN(test_forward_filter_mirror);
	T_RUN(test_bridge_flood);
	T_RUN(test_vlan_push);
	T_RUN(test_small_mtu_input);
	return rig_end();
}
