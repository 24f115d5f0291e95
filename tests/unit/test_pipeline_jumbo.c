/*
 * test_pipeline_jumbo.c: jumbo frames through the pipeline on emulated
 * NICs with pcap wires.  9014-byte frames pass a filter that reads their
 * far end and a rule list, are forwarded, mirrored, flooded by the bridge
 * and tagged byte for byte; a frame longer than a port's MTU allows is
 * never sent, but dropped and counted as drop_too_big on the port whose
 * MTU it exceeds.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "hugepages.h"
#include "pipeline.h"
#include "t.h"

#define FRAME_MAX	9022	/* MTU 9000, two tags */
#define NJ		600

struct frame {
	uint8_t		b[FRAME_MAX];
	uint32_t	len;
};

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static char dir[] = "/tmp/ixfwd-test-jumbo.XXXXXX";
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

static int
write_frames(const char *path, const struct frame *f, int n)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	int i;

	if (p == NULL || (d = pcap_dump_open(p, path)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.caplen = h.len = f[i].len;
		pcap_dump((u_char *)d, &h, f[i].b);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

static int
read_frames(const char *path, struct frame *out, int max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int n = 0;

	if ((p = pcap_open_offline(path, err)) == NULL)
		return -1;
	while (n < max && pcap_next_ex(p, &h, &data) == 1) {
		out[n].len = h->caplen < sizeof(out[n].b) ? h->caplen :
		    sizeof(out[n].b);
		memcpy(out[n].b, data, out[n].len);
		n++;
	}
	pcap_close(p);
	return n;
}

static struct pipeline *
start(const char *yaml, struct conf *c)
{
	char path[256];
	struct pipeline *pl;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ixfwd.yaml", dir);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(yaml, f);
	fclose(f);
	if (conf_load(path, c, stdout) != 0)
		return NULL;
	if ((pl = pipe_create(c)) == NULL)
		return NULL;
	pipe_wait_links(pl, 2000);
	if (pipe_start(pl) == -1) {
		pipe_destroy(pl);
		return NULL;
	}
	return pl;
}

/* Wait until port idx has received want frames (10 s at most). */
static void
wait_rx(struct pipeline *pl, int idx, uint64_t want)
{
	struct pipe_port_report r;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1000; i++) {
		pipe_report(pl, idx, &r);
		if (r.sw.rx_packets >= want)
			return;
		nanosleep(&ts, NULL);
	}
}

/* After pipe_stop(): wait until port idx's NIC has sent every frame the
 * pipeline handed it (10 s at most), then report it. */
static void
wait_sent(struct pipeline *pl, int idx, struct pipe_port_report *r)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1000; i++) {
		pipe_report(pl, idx, r);
		if (r->hw.tx_packets >= r->sw.tx_packets)
			return;
		nanosleep(&ts, NULL);
	}
}

/* Expected on an output: the frames of in[] for which keep() holds, byte
 * for byte and in order.  Counts the mismatches. */
static int
compare(const char *path, int (*keep)(int), int *bad)
{
	int i, n, k = 0;

	*bad = 0;
	if ((n = read_frames(path, got, NJ + 1)) < 0)
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
	static struct conf c;
	struct pipe_port_report ra, rb, rc, rd;
	struct pipeline *pl;
	char yaml[2048], pin[300], pb[300], pc[300], pd[300];
	int n, bad, npass = 0, njpass = 0, i;

	make_input(0);
	for (i = 0; i < NJ; i++) {
		npass += passes(i);
		njpass += passes(i) && is_jumbo(i);
	}
	snprintf(pin, sizeof(pin), "%s/in.pcap", dir);
	snprintf(pb, sizeof(pb), "%s/b.pcap", dir);
	snprintf(pc, sizeof(pc), "%s/c.pcap", dir);
	snprintf(pd, sizeof(pd), "%s/d.pcap", dir);
	T_REQUIRE(write_frames(pin, in, NJ) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, mtu: 9000, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, mtu: 9000, rx_ring: 64, wire: { pcap_out: %s } }\n"
	    "  - { name: c, device: emulated, mtu: 9000, rx_ring: 64, wire: { pcap_out: %s } }\n"
	    "  - { name: d, device: emulated, rx_ring: 64, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: [b, c, d],\n"
	    "      filter: \"len <= 1514 or (len > 9000 and ether[9000] == 0xab)\",\n"
	    "      rules: [ { action: drop, proto: udp, dst_port: 9 } ],\n"
	    "      default: pass }\n", pin, pb, pc, pd);
	T_REQUIRE((pl = start(yaml, &c)) != NULL);
	wait_rx(pl, 0, NJ);
	pipe_stop(pl);
	pipe_report(pl, 0, &ra);
	wait_sent(pl, 1, &rb);
	wait_sent(pl, 2, &rc);
	wait_sent(pl, 3, &rd);
	pipe_destroy(pl);

	T_EQ(ra.sw.rx_packets, NJ);
	T_EQ(ra.hw.rx_errors, 0);
	T_EQ(ra.sw.drop_filtered, NJ - npass);
	T_EQ(ra.sw.drop_too_big, 0);
	T_EQ(rb.sw.tx_packets, npass);
	T_EQ(rc.sw.tx_packets, npass);
	/* the 1500-MTU port gets the small frames; the jumbo ones are
	 * dropped whole and counted on it */
	T_EQ(rd.sw.tx_packets, npass - njpass);
	T_EQ(rd.sw.drop_too_big, njpass);
	T_EQ(rb.sw.drop_too_big + rc.sw.drop_too_big, 0);
	T_EQ(rb.sw.drop_no_buffer + rc.sw.drop_no_buffer + rd.sw.drop_no_buffer,
	    0);
	n = compare(pb, passes, &bad);
	T_EQ(n, npass);
	T_EQ(bad, 0);
	n = compare(pc, passes, &bad);
	T_EQ(n, npass);
	T_EQ(bad, 0);
	n = compare(pd, passes_small, &bad);
	T_EQ(n, npass - njpass);
	T_EQ(bad, 0);
}

static void
test_bridge_flood(void)
{
	static struct conf c;
	struct pipe_port_report ra, rb, rc;
	struct pipeline *pl;
	char yaml[2048], pin[300], pb[300], pc[300];
	int n, bad, nsmall = 0, i;

	/* broadcast: flooded to b (a copy) and c (the frame itself) */
	make_input(4);
	for (i = 0; i < NJ; i++)
		nsmall += small(i);
	snprintf(pin, sizeof(pin), "%s/bin.pcap", dir);
	snprintf(pb, sizeof(pb), "%s/bb.pcap", dir);
	snprintf(pc, sizeof(pc), "%s/bc.pcap", dir);
	T_REQUIRE(write_frames(pin, in, NJ) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, mtu: 9000, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, mtu: 9000, rx_ring: 64, wire: { pcap_out: %s } }\n"
	    "  - { name: c, device: emulated, rx_ring: 64, wire: { pcap_out: %s } }\n"
	    "bridge:\n"
	    "  ports: [a, b, c]\n"
	    "  filter: \"len <= 1518 or ether[9000] != 0\"\n", pin, pb, pc);
	T_REQUIRE((pl = start(yaml, &c)) != NULL);
	wait_rx(pl, 0, NJ);
	pipe_stop(pl);
	pipe_report(pl, 0, &ra);
	wait_sent(pl, 1, &rb);
	wait_sent(pl, 2, &rc);
	pipe_destroy(pl);

	T_EQ(ra.sw.rx_packets, NJ);
	T_EQ(ra.sw.flooded, NJ);
	T_EQ(ra.sw.drop_filtered, 0);
	T_EQ(rb.sw.tx_packets, NJ);
	T_EQ(rc.sw.tx_packets, nsmall);
	T_EQ(rc.sw.drop_too_big, NJ - nsmall);
	T_EQ(rb.sw.drop_no_buffer, 0);
	n = compare(pb, all, &bad);
	T_EQ(n, NJ);
	T_EQ(bad, 0);
	n = compare(pc, small, &bad);
	T_EQ(n, nsmall);
	T_EQ(bad, 0);
}

/* A tag pushed on a 9014-byte frame makes 9018 bytes, which a 9000-MTU
 * port carries; pushed on a tagged 9018-byte one, 9022, which it does
 * not. */
static void
test_vlan_push(void)
{
	static struct conf c;
	struct pipe_port_report ra, rb;
	struct pipeline *pl;
	char yaml[2048], pin[300], pb[300];
	int n, i, k, bad = 0, ntagged = 0;

	for (i = 0; i < NJ; i++) {
		make_udp(&in[i], i % 2 ? 9018 : 9014, bcast,
		    i % 2 ? 100 : 0, 53, i, 0xab);
		ntagged += i % 2;
	}
	snprintf(pin, sizeof(pin), "%s/vin.pcap", dir);
	snprintf(pb, sizeof(pb), "%s/vb.pcap", dir);
	T_REQUIRE(write_frames(pin, in, NJ) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, mtu: 9000, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, mtu: 9000, rx_ring: 64, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: b, vlan_push: 200 }\n", pin, pb);
	T_REQUIRE((pl = start(yaml, &c)) != NULL);
	wait_rx(pl, 0, NJ);
	pipe_stop(pl);
	pipe_report(pl, 0, &ra);
	wait_sent(pl, 1, &rb);
	pipe_destroy(pl);

	T_EQ(ra.sw.rx_packets, NJ);
	T_EQ(ra.hw.rx_errors, 0);
	T_EQ(rb.sw.tx_packets, NJ - ntagged);
	T_EQ(rb.sw.drop_too_big, ntagged);
	n = read_frames(pb, got, NJ + 1);
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
	static struct conf c;
	struct pipe_port_report ra, rb;
	struct pipeline *pl;
	char yaml[2048], pin[300], pb[300];
	int n, i, bad = 0, nfit = 0;

	for (i = 0; i < NJ; i++) {
		/* 1014 fits MTU 1000, 1018 with a tag, 1015 does not */
		static const uint32_t len[4] = { 1014, 1015, 1514, 1018 };

		make_udp(&in[i], len[i % 4], bcast, i % 4 == 3 ? 100 : 0,
		    53, i, 0);
		nfit += i % 4 == 0 || i % 4 == 3;
	}
	snprintf(pin, sizeof(pin), "%s/sin.pcap", dir);
	snprintf(pb, sizeof(pb), "%s/sb.pcap", dir);
	T_REQUIRE(write_frames(pin, in, NJ) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, mtu: 1000, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, rx_ring: 64, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n", pin, pb);
	T_REQUIRE((pl = start(yaml, &c)) != NULL);
	wait_rx(pl, 0, NJ);
	pipe_stop(pl);
	pipe_report(pl, 0, &ra);
	wait_sent(pl, 1, &rb);
	pipe_destroy(pl);

	T_EQ(ra.sw.rx_packets, NJ);
	T_EQ(ra.sw.drop_too_big, NJ - nfit);
	T_EQ(rb.sw.tx_packets, nfit);
	T_EQ(rb.sw.drop_too_big, 0);
	n = read_frames(pb, got, NJ + 1);
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
	int rc;

	if (!t_hugepages(64)) {
		printf("SKIP: pipeline_jumbo: no 2 MiB hugepages and not root "
		    "to reserve them\n");
		return 0;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_forward_filter_mirror);
	T_RUN(test_bridge_flood);
	T_RUN(test_vlan_push);
	T_RUN(test_small_mtu_input);
	rc = t_done();
	if (rc == 0) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", dir);
	}
	return rc;
}
