/*
 * test_jumbo.c: jumbo frames through the driver and the emulated 82599:
 * pools of large buffers, MAXFRS/JUMBOEN, frames over the limit dropped
 * and counted by the NIC, frames over one buffer dropped whole by the
 * driver, TX of 9000-byte frames, and the wires (queue, peer cable, pcap
 * in and out) carrying them byte for byte.  The strict model counts no
 * violation in any of it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "ixgbe_regs.h"
#include "log.h"
#include "nicrig.h"

#define MTU		9000
#define MAX_FRAME	(MTU + 18)	/* header + CRC: 9018 */
#define JUMBO_LEN	(MTU + 14)	/* the longest untagged frame, no CRC */
#define JUMBO_BUF	9216		/* 9 KiB: holds 9018 */

/* Lengths cycle through jumbo, full-size, small and odd sizes. */
static uint32_t
frame_len(uint32_t seq)
{
	static const uint32_t lens[] = { JUMBO_LEN, 60, 1514, 4097, 8999,
	    JUMBO_LEN, 2049, 333 };

	return lens[seq % (sizeof(lens) / sizeof(lens[0]))];
}

/* ---- fixtures ---- */

/* NIC i on the wire wc (NULL: a queue), with pools of 256 buffers of
 * bufsize bytes. */
static int
jumbo_nic(struct nic *n, int i, const struct emu_wire_conf *wc,
    uint32_t bufsize)
{
	char name[16];

	snprintf(name, sizeof(name), "jumbo%d", i);
	if (nic_create(n, name, (uint8_t)(0x30 + i), wc) == -1)
		return -1;
	return nic_pools(n, 256, 256, bufsize);
}

static int
jumbo_open(struct nic *n, uint16_t max_frame, uint32_t link_ms)
{
	struct ixgbe_conf c;

	nic_conf(&c, n, "jumbo", 128, 128);
	c.max_frame = max_frame;
	c.link_timeout_ms = link_ms;
	n->port = ixgbe_open(&n->bar, &c);
	return n->port != NULL ? 0 : -1;
}

/* ---- tests ---- */

static void
test_pool_sizes(void)
{
	struct mempool *mp;
	uint32_t i;

	NEED_HW();
	log_capture_begin();
	mp = mempool_create_sized(16, 9000);
	log_capture_end();
	T_CHECK(mp == NULL);
	T_CHECK(strstr(log_buf, "buffers of 9000 bytes: must be a multiple "
	    "of 1024 up to 16384") != NULL);
	log_capture_begin();
	mp = mempool_create_sized(16, 17408);
	log_capture_end();
	T_CHECK(mp == NULL);

	/* 10 KiB buffers (MTU 9710): every buffer's bytes are contiguous
	 * in IOVA space, none crosses a hugepage, and they do not overlap. */
	T_REQUIRE((mp = mempool_create_sized(500, 10240)) != NULL);
	T_EQ(mp->data_size, 10240);
	for (i = 0; i < mp->n; i++) {
		struct pkt_buf *b = mp->all[i];
		uint64_t a = pkt_iova(b);

		T_EQ(pkt_data_size(b), 10240);
		if (dma_iova_to_virt(a, 10240) != pkt_data(b) ||
		    a / DMA_PAGE_SIZE != (a + 10240 - 1) / DMA_PAGE_SIZE ||
		    (i > 0 && (uint8_t *)b < mp->all[i - 1]->room +
		    PKT_HEADROOM + 10240 && (uint8_t *)b >
		    (uint8_t *)mp->all[i - 1])) {
			t_fail(__FILE__, __LINE__, "buffer %u is not one "
			    "contiguous range of its own", i);
			break;
		}
	}
	mempool_destroy(mp);
}

/* MTU 9000: the NIC is told (JUMBOEN, MAXFRS 9018, 9 KiB buffers), 9014-
 * byte frames (9018 tagged) come whole in one buffer, byte for byte, among
 * frames of every size; one byte more is dropped by the NIC and counted
 * (ROC, rx_errors), never delivered, and what follows still comes. */
static void
test_rx_jumbo(void)
{
	static uint8_t f[JUMBO_BUF + 64];
	struct ixgbe_driver_stats ds;
	struct port_stats st;
	struct pkt_buf *b;
	uint64_t deadline;
	struct nic n;
	uint16_t k;

	NEED_HW();
	T_REQUIRE(jumbo_nic(&n, 0, NULL, JUMBO_BUF) == 0);
	T_REQUIRE(jumbo_open(&n, MAX_FRAME, WAIT_MS) == 0);
	T_CHECK(bar_read32(&n.bar, IXGBE_HLREG0) & IXGBE_HLREG0_JUMBOEN);
	T_EQ(bar_read32(&n.bar, IXGBE_MAXFRS) >> IXGBE_MAXFRS_MFS_SHIFT,
	    MAX_FRAME);
	T_EQ(bar_read32(&n.bar, IXGBE_SRRCTL(0)) & IXGBE_SRRCTL_BSIZEPKT_MASK,
	    JUMBO_BUF / 1024);

	T_REQUIRE(nic_push_frames(&n, n.mac, 0, 64) == 0);
	T_EQ(nic_recv_frames(&n, n.mac, 0, 64, NULL), 64);

	/* MTU + 1: 9015 bytes + CRC > MFS */
	nic_frame(f, JUMBO_LEN + 1, n.mac, 1000);
	T_REQUIRE(wire_push_wait(n.emu, f, JUMBO_LEN + 1) == 0);
	/* tagged: 4 bytes more are allowed (§8.2.3.22.13) */
	nic_frame(f, JUMBO_LEN + 4, n.mac, 1001);
	f[12] = 0x81;
	f[13] = 0x00;
	T_REQUIRE(wire_push_wait(n.emu, f, JUMBO_LEN + 4) == 0);
	deadline = now_ms() + WAIT_MS;
	while ((k = port_rx_batch(n.port, 0, &b, 1)) == 0 &&
	    now_ms() < deadline)
		usleep(20);
	T_REQUIRE(k == 1);
	T_EQ(b->len, JUMBO_LEN + 4);
	T_EQ(memcmp(pkt_data(b), f, JUMBO_LEN + 4), 0);
	pkt_free(b);
	T_REQUIRE(nic_push_frames(&n, n.mac, 64, 8) == 0);
	T_EQ(nic_recv_frames(&n, n.mac, 64, 8, NULL), 8);

	port_stats(n.port, &st);
	T_EQ(st.rx_errors, 1);
	T_EQ(st.rx_packets, 64 + 1 + 8);
	ixgbe_driver_stats(n.port, &ds);
	T_EQ(ds.rx_dropped, 0);
	T_EQ(n.rxpool->nfree, 256 - 128);
	nic_destroy(&n);
}

/* A frame over one buffer is dropped whole by the driver and counted,
 * never delivered in part: with jumbo off (1514 bytes into 1 KiB buffers)
 * and with jumbo on (9014 bytes into 2 KiB buffers), the NIC's buffer
 * size shrunk behind the driver's back, as no valid configuration
 * allows it. */
static void
test_rx_over_one_buffer(void)
{
	static uint8_t f[JUMBO_BUF];
	struct ixgbe_driver_stats ds;
	struct pkt_buf *bufs[32];
	uint32_t srrctl, got = 0;
	uint64_t deadline;
	struct nic n;
	uint16_t k, i;
	int pass;

	NEED_HW();
	for (pass = 0; pass < 2; pass++) {
		uint32_t len = pass == 0 ? 1514 : JUMBO_LEN;

		T_REQUIRE(jumbo_nic(&n, 1, NULL, JUMBO_BUF) == 0);
		T_REQUIRE(jumbo_open(&n, pass == 0 ? 0 : MAX_FRAME,
		    WAIT_MS) == 0);
		T_EQ(!!(bar_read32(&n.bar, IXGBE_HLREG0) &
		    IXGBE_HLREG0_JUMBOEN), pass);
		srrctl = bar_read32(&n.bar, IXGBE_SRRCTL(0));
		bar_write32(&n.bar, IXGBE_SRRCTL(0),
		    (srrctl & ~IXGBE_SRRCTL_BSIZEPKT_MASK) | (pass + 1));
		/* small, too long, small */
		nic_frame(f, 100, n.mac, 1);
		T_REQUIRE(wire_push_wait(n.emu, f, 100) == 0);
		nic_frame(f, len, n.mac, 2);
		T_REQUIRE(wire_push_wait(n.emu, f, len) == 0);
		nic_frame(f, 200, n.mac, 3);
		T_REQUIRE(wire_push_wait(n.emu, f, 200) == 0);
		got = 0;
		deadline = now_ms() + WAIT_MS;
		while (got < 2 && now_ms() < deadline) {
			k = port_rx_batch(n.port, 0, bufs, 32);
			for (i = 0; i < k; i++) {
				uint32_t want = got == 0 ? 100 : 200;

				nic_frame(f, want, n.mac, got == 0 ? 1 : 3);
				if (bufs[i]->len != want ||
				    memcmp(pkt_data(bufs[i]), f, want) != 0)
					t_fail(__FILE__, __LINE__, "pass %d: "
					    "frame %u: len %u", pass, got,
					    bufs[i]->len);
				got++;
				pkt_free(bufs[i]);
			}
			if (k == 0)
				usleep(20);
		}
		T_EQ(got, 2);
		/* nothing else, ever */
		usleep(20000);
		T_EQ(port_rx_batch(n.port, 0, bufs, 32), 0);
		ixgbe_driver_stats(n.port, &ds);
		T_EQ(ds.rx_dropped, 1);
		T_EQ(n.rxpool->nfree, 256 - 128);
		nic_destroy(&n);
	}
}

/* TX of 9014-byte frames (one 9 KiB buffer, one descriptor) byte for
 * byte; a frame over 9728 bytes (MTU 9710 tagged, the TX packet buffer's
 * room for one packet) is freed and counted, never sent; 9728 bytes go
 * out whole. */
static void
test_tx_jumbo(void)
{
	static uint8_t f[EMU_WIRE_FRAME_MAX + 64];
	struct ixgbe_driver_stats ds;
	struct port_stats st;
	struct pkt_buf *b;
	uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct nic n;
	size_t len;

	NEED_HW();
	T_REQUIRE(jumbo_nic(&n, 2, NULL, 16384) == 0);
	T_REQUIRE(jumbo_open(&n, MAX_FRAME, WAIT_MS) == 0);
	T_EQ(nic_send_all(&n, 0, dst, 0, 40, 1), 40);
	T_EQ(nic_pull_frames(&n, dst, 0, 40), 40);
	/* 9729 bytes: dropped by the driver; 9728: sent whole */
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = IXGBE_TX_MAX_LEN + 1;
	nic_frame(pkt_data(b), b->len, dst, 50);
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = IXGBE_TX_MAX_LEN;
	nic_frame(pkt_data(b), b->len, dst, 51);
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	len = wire_pull_wait(n.emu, f, sizeof(f));
	T_EQ(len, IXGBE_TX_MAX_LEN);
	T_EQ(f[17], 51);
	T_EQ(emu_wire_pull(n.emu, f, sizeof(f)), 0);
	ixgbe_driver_stats(n.port, &ds);
	T_EQ(ds.tx_dropped, 1);
	port_stats(n.port, &st);
	T_EQ(st.tx_packets, 41);
	nic_destroy(&n);
}

/* Two NICs on a cable, MTU 9000 at both ends: jumbo frames both ways. */
static void
test_peer_jumbo(void)
{
	struct emu_wire_conf wc;
	struct port_link l;
	struct nic a, b;

	NEED_HW();
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_PEER;
	T_REQUIRE(jumbo_nic(&a, 3, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(jumbo_nic(&b, 4, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(emu_connect(a.emu, b.emu) == 0);
	T_REQUIRE(jumbo_open(&a, MAX_FRAME, 0) == 0);
	T_REQUIRE(jumbo_open(&b, MAX_FRAME, WAIT_MS) == 0);
	nic_link_wait(&a, 1, &l);
	T_EQ(l.up, 1);
	T_EQ(nic_send_all(&a, 0, b.mac, 0, 100, 1), 100);
	T_EQ(nic_recv_frames(&b, b.mac, 0, 100, NULL), 100);
	T_EQ(nic_send_all(&b, 0, a.mac, 0, 100, 1), 100);
	T_EQ(nic_recv_frames(&a, a.mac, 0, 100, NULL), 100);
	nic_close(&a);
	nic_close(&b);
	nic_destroy(&a);
	nic_destroy(&b);
}

/* pcap in and out: jumbo frames read from a file are received whole, sent
 * back out, and written to the output file whole. */
static void
test_pcap_jumbo(void)
{
	static uint8_t f[JUMBO_BUF];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct emu_wire_conf wc;
	struct pcap_pkthdr h, *hp;
	const u_char *data;
	struct pkt_buf *bufs[32];
	pcap_dumper_t *d;
	uint64_t deadline;
	uint32_t got = 0, s;
	pcap_t *p;
	struct nic n;
	uint16_t k, i;

	NEED_HW();
	T_REQUIRE(wire_pcap_tmp(&wc, "test_jumbo") == 0);
	T_REQUIRE((p = pcap_open_dead(DLT_EN10MB, 65535)) != NULL);
	T_REQUIRE((d = pcap_dump_open(p, wc.pcap_in)) != NULL);
	memset(&h, 0, sizeof(h));
	for (s = 0; s < 16; s++) {
		h.caplen = h.len = frame_len(s);
		nic_frame(f, h.caplen, (const uint8_t[6]){ 0x02, 0x1b, 0x21,
		    0, 0, 0x35 }, s);
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);

	T_REQUIRE(jumbo_nic(&n, 5, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(jumbo_open(&n, MAX_FRAME, WAIT_MS) == 0);
	deadline = now_ms() + WAIT_MS;
	while (got < 16 && now_ms() < deadline) {
		k = port_rx_batch(n.port, 0, bufs, 32);
		for (i = 0; i < k; i++) {
			if (nic_frame_check(pkt_data(bufs[i]), bufs[i]->len,
			    n.mac, got) == -1)
				t_fail(__FILE__, __LINE__, "frame %u: len %u",
				    got, bufs[i]->len);
			got++;
		}
		/* send them back out as they are */
		if (k > 0)
			T_EQ(port_tx_batch(n.port, 0, bufs, k), k);
		else
			usleep(20);
	}
	T_EQ(got, 16);
	usleep(50000);
	nic_destroy(&n);		/* closes the output file */

	T_REQUIRE((p = pcap_open_offline(wc.pcap_out, errbuf)) != NULL);
	for (s = 0; s < 16 && pcap_next_ex(p, &hp, &data) == 1; s++) {
		if (hp->caplen != hp->len || nic_frame_check(data, hp->caplen,
		    (const uint8_t[6]){ 0x02, 0x1b, 0x21, 0, 0, 0x35 },
		    s) == -1) {
			t_fail(__FILE__, __LINE__, "output frame %u: len %u",
			    s, hp->caplen);
			break;
		}
	}
	T_EQ(s, 16);
	pcap_close(p);
	unlink(wc.pcap_in);
	unlink(wc.pcap_out);
}

/* The AF_PACKET wire on a veth pair with MTU 9000 at both ends (in a
 * network namespace of this process): a 9014-byte frame sent into the far
 * end arrives whole through the driver, and one the driver sends comes
 * out there whole. */
static void
test_iface_jumbo(void)
{
	static uint8_t f[JUMBO_BUF];
	struct emu_wire_conf wc;
	struct pkt_buf *b;
	uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x66 };
	const char *why;
	uint64_t deadline;
	struct nic n;
	int fd;

	NEED_HW();
	if ((why = wire_veth("ixjmb0", "ixjmb1", 9000)) != NULL)
		T_SKIP("%s", why);

	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_IFACE;
	snprintf(wc.iface, sizeof(wc.iface), "ixjmb1");
	T_REQUIRE(jumbo_nic(&n, 6, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(jumbo_open(&n, MAX_FRAME, WAIT_MS) == 0);
	T_REQUIRE((fd = wire_packet_socket("ixjmb0", 0)) != -1);

	/* into the NIC */
	nic_frame(f, JUMBO_LEN, n.mac, 0);
	T_REQUIRE(send(fd, f, JUMBO_LEN, 0) == JUMBO_LEN);
	deadline = now_ms() + WAIT_MS;
	while (port_rx_batch(n.port, 0, &b, 1) == 0 && now_ms() < deadline)
		usleep(100);
	T_REQUIRE(now_ms() < deadline);
	T_EQ(b->len, JUMBO_LEN);
	T_EQ(memcmp(pkt_data(b), f, JUMBO_LEN), 0);
	pkt_free(b);

	/* out of the NIC */
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = JUMBO_LEN;
	nic_frame(pkt_data(b), JUMBO_LEN, dst, 5);
	memcpy(f, pkt_data(b), JUMBO_LEN);
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	T_CHECK(wire_packet_expect(fd, f, JUMBO_LEN));
	close(fd);
	nic_destroy(&n);
	(void)wire_sh("ip link del ixjmb0");
}

int
main(void)
{
	log_init(1, 0, "test_jumbo");
	nic_setup_hw(1);
	nic_frame_len = frame_len;
	nic_checks = NIC_RULES | NIC_IOMMU;
	T_RUN(test_pool_sizes);
	T_RUN(test_rx_jumbo);
	T_RUN(test_rx_over_one_buffer);
	T_RUN(test_tx_jumbo);
	T_RUN(test_peer_jumbo);
	T_RUN(test_pcap_jumbo);
	T_RUN(test_iface_jumbo);	/* last: it moves to a new namespace */
	nic_teardown_hw();
	return t_done();
}
