/*
 * test_pipeline.c: the pipeline on emulated NICs with pcap wires: frames
 * read from a pcap file on one port come out byte for byte in the pcap
 * files of the ports they are forwarded to (mirroring included), and the
 * counters say what happened to each.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "dma.h"
#include "hugepages.h"
#include "pipeline.h"
#include "t.h"

#define NFRAMES	3000

static char dir[] = "/tmp/ixfwd-test-pipeline.XXXXXX";

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

static int
write_input(const char *path)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	uint8_t f[1514];
	int i;

	if (p == NULL || (d = pcap_dump_open(p, path)) == NULL)
		return -1;
	for (i = 0; i < NFRAMES; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.caplen = h.len = (bpf_u_int32)frame_len(i);
		h.ts.tv_usec = i;
		make_frame(i, f, h.len);
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

/* Count frames in path that are exactly the input frames, in order. */
static int
check_output(const char *path, int *bad)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t f[1514];
	pcap_t *p;
	int n = 0;

	*bad = 0;
	if ((p = pcap_open_offline(path, err)) == NULL) {
		printf("  %s\n", err);
		return -1;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		size_t len = frame_len(n);

		make_frame(n, f, len);
		if (h->caplen != len || memcmp(data, f, len) != 0)
			(*bad)++;
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

/* Wait until port idx has sent want frames (or 10 s passed). */
static void
wait_tx(struct pipeline *pl, int idx, uint64_t want)
{
	struct pipe_port_report r;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1000; i++) {
		pipe_report(pl, idx, &r);
		if (r.hw.tx_packets >= want)
			return;
		nanosleep(&ts, NULL);
	}
}

static void
test_forward_and_mirror(void)
{
	static struct conf c;
	struct pipe_port_report ra, rb, rc;
	struct pipeline *pl;
	char yaml[2048], in[300], outb[300], outc[300];
	int n, bad;

	snprintf(in, sizeof(in), "%s/in.pcap", dir);
	snprintf(outb, sizeof(outb), "%s/b.pcap", dir);
	snprintf(outc, sizeof(outc), "%s/c.pcap", dir);
	T_REQUIRE(write_input(in) == 0);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, rx_ring: 64, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated, wire: { pcap_out: %s } }\n"
	    "  - { name: c, device: emulated, wire: { pcap_out: %s } }\n"
	    "forward:\n"
	    "  - { from: a, to: [b, c] }\n", in, outb, outc);
	T_REQUIRE((pl = start(yaml, &c)) != NULL);
	wait_tx(pl, 1, NFRAMES);
	wait_tx(pl, 2, NFRAMES);
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
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	snprintf(in, sizeof(in), "%s/in.pcap", dir);
	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, wire: { pcap_in: %s } }\n"
	    "  - { name: b, device: emulated }\n", in);
	T_REQUIRE((pl = start(yaml, &c)) != NULL);
	for (i = 0; i < 1000; i++) {
		pipe_report(pl, 0, &r);
		if (r.sw.drop_no_route >= NFRAMES)
			break;
		nanosleep(&ts, NULL);
	}
	pipe_stop(pl);
	pipe_destroy(pl);
	T_EQ(r.sw.rx_packets, NFRAMES);
	T_EQ(r.sw.drop_no_route, NFRAMES);
	T_EQ(r.sw.tx_packets, 0);
}

int
main(void)
{
	int rc;

	if (!t_hugepages(64)) {
		printf("SKIP: pipeline: no 2 MiB hugepages and not root to reserve them\n");
		return 0;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_forward_and_mirror);
	T_RUN(test_no_route_counted);
	rc = t_done();
	if (rc == 0) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", dir);
	}
	return rc;
}
