/*
 * test_jumbo.c: jumbo frames through the driver and the emulated 82599:
 * pools of large buffers, MAXFRS/JUMBOEN, frames over the limit dropped
 * and counted by the NIC, frames over one buffer dropped whole by the
 * driver, TX of 9000-byte frames, and the wires (queue, peer cable, pcap
 * in and out) carrying them byte for byte.  The strict model counts no
 * violation in any of it.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "bar.h"
#include "dma.h"
#include "emu82599.h"
#include "ixgbe.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "mempool.h"
#include "port.h"
#include "hugepages.h"
#include "logcapture.h"
#include "t.h"

#define WAIT_MS		2000
#define MTU		9000
#define MAX_FRAME	(MTU + 18)	/* header + CRC: 9018 */
#define JUMBO_LEN	(MTU + 14)	/* the longest untagged frame, no CRC */
#define JUMBO_BUF	9216		/* 9 KiB: holds 9018 */
#define ETHERTYPE_TEST	0x88b5

static int	hw_ok;
static int	hw_broken;
static char	hw_why[256];

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const uint8_t src_mac[6] = { 0x02, 0x00, 0x00, 0xee, 0xee, 0x02 };

/* Frame seq of len bytes to dst: header, sequence number, then bytes
 * derived from seq and position. */
static void
make_frame(uint8_t *f, uint32_t len, const uint8_t dst[6], uint32_t seq)
{
	uint32_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	for (i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i * 13 + (i >> 8));
}

/* Lengths cycle through jumbo, full-size, small and odd sizes. */
static uint32_t
frame_len(uint32_t seq)
{
	static const uint32_t lens[] = { JUMBO_LEN, 60, 1514, 4097, 8999,
	    JUMBO_LEN, 2049, 333 };

	return lens[seq % (sizeof(lens) / sizeof(lens[0]))];
}

static int
check_frame(const uint8_t *f, uint32_t len, const uint8_t dst[6],
    uint32_t seq)
{
	static uint8_t want[JUMBO_BUF];

	if (len != frame_len(seq))
		return -1;
	make_frame(want, len, dst, seq);
	return memcmp(f, want, len) == 0 ? 0 : -1;
}

/* ---- fixtures ---- */

struct nic {
	struct emu82599	*emu;
	struct bar	 bar;
	struct mempool	*rxpool;
	struct mempool	*txpool;
	struct port	*port;
	uint8_t		 mac[6];
};

#define NEED_HW() do {							\
	if (hw_broken) {						\
		t_fail(__FILE__, __LINE__, "%s", hw_why);		\
		return;							\
	}								\
	if (!hw_ok)							\
		T_SKIP("%s", hw_why);					\
} while (0)

static int
nic_create(struct nic *n, int i, const struct emu_wire_conf *wc,
    uint32_t bufsize)
{
	char name[16];

	memset(n, 0, sizeof(*n));
	n->mac[0] = 0x02;
	n->mac[1] = 0x1b;
	n->mac[2] = 0x21;
	n->mac[5] = (uint8_t)(0x30 + i);
	snprintf(name, sizeof(name), "jumbo%d", i);
	if ((n->emu = emu_create(name, n->mac, wc)) == NULL)
		return -1;
	emu_bar(n->emu, &n->bar);
	if ((n->rxpool = mempool_create_sized(256, bufsize)) == NULL ||
	    (n->txpool = mempool_create_sized(256, bufsize)) == NULL)
		return -1;
	return 0;
}

static int
nic_open(struct nic *n, uint16_t max_frame, uint32_t link_ms)
{
	struct ixgbe_conf c;

	memset(&c, 0, sizeof(c));
	c.name = "jumbo";
	c.nb_rxq = 1;
	c.nb_txq = 1;
	c.rx_ring = 128;
	c.tx_ring = 128;
	c.rx_pool[0] = n->rxpool;
	c.max_frame = max_frame;
	c.link_timeout_ms = link_ms;
	n->port = ixgbe_open(&n->bar, &c);
	return n->port != NULL ? 0 : -1;
}

static void
nic_close(struct nic *n)
{
	if (n->port != NULL)
		port_close(n->port);
	n->port = NULL;
}

static void
nic_destroy(struct nic *n)
{
	nic_close(n);
	if (n->emu != NULL) {
		if (emu_violations(n->emu) != 0)
			t_fail(__FILE__, __LINE__, "%s: %llu strict-model "
			    "violations (see the log above)", t_name,
			    (unsigned long long)emu_violations(n->emu));
		T_EQ(emu_iommu_faults(n->emu), 0);
		emu_destroy(n->emu);
	}
	mempool_destroy(n->rxpool);
	mempool_destroy(n->txpool);
	memset(n, 0, sizeof(*n));
}

static struct nic *
queue_nic(struct nic *n, int i, uint32_t bufsize)
{
	struct emu_wire_conf wc;

	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_QUEUE;
	return nic_create(n, i, &wc, bufsize) == 0 ? n : NULL;
}

static int
push_wait(struct nic *n, const uint8_t *f, uint32_t len)
{
	uint64_t deadline = now_ms() + WAIT_MS;

	do {
		if (emu_wire_push(n->emu, f, len) == 0)
			return 0;
		usleep(50);
	} while (now_ms() < deadline);
	return -1;
}

static size_t
pull_wait(struct nic *n, uint8_t *f, size_t cap)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	size_t len;

	do {
		if ((len = emu_wire_pull(n->emu, f, cap)) > 0)
			return len;
		usleep(50);
	} while (now_ms() < deadline);
	return 0;
}

static int
push_frames(struct nic *n, uint32_t first, uint32_t count)
{
	static uint8_t f[JUMBO_BUF];
	uint32_t s;

	for (s = first; s < first + count; s++) {
		make_frame(f, frame_len(s), n->mac, s);
		if (push_wait(n, f, frame_len(s)) == -1)
			return -1;
	}
	return 0;
}

/* Receive count frames of the sequence from first, each whole in one
 * buffer at PKT_HEADROOM; how many came right. */
static uint32_t
recv_frames(struct nic *n, const uint8_t dst[6], uint32_t first,
    uint32_t count)
{
	struct pkt_buf *bufs[32];
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t got = 0;
	uint16_t k, i;
	int bad = 0;

	while (got < count && !bad && now_ms() < deadline) {
		k = port_rx_batch(n->port, 0, bufs, 32);
		for (i = 0; i < k; i++) {
			if (!bad && (bufs[i]->data_off != PKT_HEADROOM ||
			    check_frame(pkt_data(bufs[i]), bufs[i]->len, dst,
			    first + got) == -1)) {
				bad = 1;
				fprintf(stderr, "frame %u: got len %u\n",
				    first + got, bufs[i]->len);
			}
			if (!bad)
				got++;
			pkt_free(bufs[i]);
		}
		if (k == 0)
			usleep(20);
	}
	return got;
}

static uint32_t
send_frames(struct nic *n, const uint8_t dst[6], uint32_t first,
    uint32_t count)
{
	struct pkt_buf *b;
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t s = first;

	while (s < first + count && now_ms() < deadline) {
		if ((b = mempool_alloc(n->txpool)) == NULL) {
			port_tx_batch(n->port, 0, &b, 0);	/* clean */
			usleep(20);
			continue;
		}
		b->len = (uint16_t)frame_len(s);
		make_frame(pkt_data(b), b->len, dst, s);
		if (port_tx_batch(n->port, 0, &b, 1) == 1)
			s++;
		else {
			pkt_free(b);
			usleep(20);
		}
	}
	return s - first;
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
	T_REQUIRE(queue_nic(&n, 0, JUMBO_BUF) != NULL);
	T_REQUIRE(nic_open(&n, MAX_FRAME, WAIT_MS) == 0);
	T_CHECK(bar_read32(&n.bar, IXGBE_HLREG0) & IXGBE_HLREG0_JUMBOEN);
	T_EQ(bar_read32(&n.bar, IXGBE_MAXFRS) >> IXGBE_MAXFRS_MFS_SHIFT,
	    MAX_FRAME);
	T_EQ(bar_read32(&n.bar, IXGBE_SRRCTL(0)) & IXGBE_SRRCTL_BSIZEPKT_MASK,
	    JUMBO_BUF / 1024);

	T_REQUIRE(push_frames(&n, 0, 64) == 0);
	T_EQ(recv_frames(&n, n.mac, 0, 64), 64);

	/* MTU + 1: 9015 bytes + CRC > MFS */
	make_frame(f, JUMBO_LEN + 1, n.mac, 1000);
	T_REQUIRE(push_wait(&n, f, JUMBO_LEN + 1) == 0);
	/* tagged: 4 bytes more are allowed (§8.2.3.22.13) */
	make_frame(f, JUMBO_LEN + 4, n.mac, 1001);
	f[12] = 0x81;
	f[13] = 0x00;
	T_REQUIRE(push_wait(&n, f, JUMBO_LEN + 4) == 0);
	deadline = now_ms() + WAIT_MS;
	while ((k = port_rx_batch(n.port, 0, &b, 1)) == 0 &&
	    now_ms() < deadline)
		usleep(20);
	T_REQUIRE(k == 1);
	T_EQ(b->len, JUMBO_LEN + 4);
	T_EQ(memcmp(pkt_data(b), f, JUMBO_LEN + 4), 0);
	pkt_free(b);
	T_REQUIRE(push_frames(&n, 64, 8) == 0);
	T_EQ(recv_frames(&n, n.mac, 64, 8), 8);

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

		T_REQUIRE(queue_nic(&n, 1, JUMBO_BUF) != NULL);
		T_REQUIRE(nic_open(&n, pass == 0 ? 0 : MAX_FRAME,
		    WAIT_MS) == 0);
		T_EQ(!!(bar_read32(&n.bar, IXGBE_HLREG0) &
		    IXGBE_HLREG0_JUMBOEN), pass);
		srrctl = bar_read32(&n.bar, IXGBE_SRRCTL(0));
		bar_write32(&n.bar, IXGBE_SRRCTL(0),
		    (srrctl & ~IXGBE_SRRCTL_BSIZEPKT_MASK) | (pass + 1));
		/* small, too long, small */
		make_frame(f, 100, n.mac, 1);
		T_REQUIRE(push_wait(&n, f, 100) == 0);
		make_frame(f, len, n.mac, 2);
		T_REQUIRE(push_wait(&n, f, len) == 0);
		make_frame(f, 200, n.mac, 3);
		T_REQUIRE(push_wait(&n, f, 200) == 0);
		got = 0;
		deadline = now_ms() + WAIT_MS;
		while (got < 2 && now_ms() < deadline) {
			k = port_rx_batch(n.port, 0, bufs, 32);
			for (i = 0; i < k; i++) {
				uint32_t want = got == 0 ? 100 : 200;

				make_frame(f, want, n.mac, got == 0 ? 1 : 3);
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
	uint32_t s;
	size_t len;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 2, 16384) != NULL);
	T_REQUIRE(nic_open(&n, MAX_FRAME, WAIT_MS) == 0);
	T_EQ(send_frames(&n, dst, 0, 40), 40);
	for (s = 0; s < 40; s++) {
		len = pull_wait(&n, f, sizeof(f));
		if (check_frame(f, (uint32_t)len, dst, s) == -1) {
			t_fail(__FILE__, __LINE__, "frame %u: len %zu", s, len);
			break;
		}
	}
	/* 9729 bytes: dropped by the driver; 9728: sent whole */
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = IXGBE_TX_MAX_LEN + 1;
	make_frame(pkt_data(b), b->len, dst, 50);
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = IXGBE_TX_MAX_LEN;
	make_frame(pkt_data(b), b->len, dst, 51);
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	len = pull_wait(&n, f, sizeof(f));
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
	uint64_t deadline;

	NEED_HW();
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_PEER;
	T_REQUIRE(nic_create(&a, 3, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(nic_create(&b, 4, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(emu_connect(a.emu, b.emu) == 0);
	T_REQUIRE(nic_open(&a, MAX_FRAME, 0) == 0);
	T_REQUIRE(nic_open(&b, MAX_FRAME, WAIT_MS) == 0);
	deadline = now_ms() + WAIT_MS;
	do
		port_link(a.port, &l);
	while (!l.up && now_ms() < deadline && usleep(1000) == 0);
	T_EQ(l.up, 1);
	T_EQ(send_frames(&a, b.mac, 0, 100), 100);
	T_EQ(recv_frames(&b, b.mac, 0, 100), 100);
	T_EQ(send_frames(&b, a.mac, 0, 100), 100);
	T_EQ(recv_frames(&a, a.mac, 0, 100), 100);
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
	char in[] = "/tmp/test_jumbo_inXXXXXX", out[] = "/tmp/test_jumbo_outXXXXXX";
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
	int fd;

	NEED_HW();
	T_REQUIRE((fd = mkstemp(in)) != -1);
	close(fd);
	T_REQUIRE((fd = mkstemp(out)) != -1);
	close(fd);
	T_REQUIRE((p = pcap_open_dead(DLT_EN10MB, 65535)) != NULL);
	T_REQUIRE((d = pcap_dump_open(p, in)) != NULL);
	memset(&h, 0, sizeof(h));
	for (s = 0; s < 16; s++) {
		h.caplen = h.len = frame_len(s);
		make_frame(f, h.caplen, (const uint8_t[6]){ 0x02, 0x1b, 0x21,
		    0, 0, 0x35 }, s);
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);

	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_PCAP;
	snprintf(wc.pcap_in, sizeof(wc.pcap_in), "%s", in);
	snprintf(wc.pcap_out, sizeof(wc.pcap_out), "%s", out);
	T_REQUIRE(nic_create(&n, 5, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(nic_open(&n, MAX_FRAME, WAIT_MS) == 0);
	deadline = now_ms() + WAIT_MS;
	while (got < 16 && now_ms() < deadline) {
		k = port_rx_batch(n.port, 0, bufs, 32);
		for (i = 0; i < k; i++) {
			if (check_frame(pkt_data(bufs[i]), bufs[i]->len, n.mac,
			    got) == -1)
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

	T_REQUIRE((p = pcap_open_offline(out, errbuf)) != NULL);
	for (s = 0; s < 16 && pcap_next_ex(p, &hp, &data) == 1; s++) {
		if (hp->caplen != hp->len || check_frame(data, hp->caplen,
		    (const uint8_t[6]){ 0x02, 0x1b, 0x21, 0, 0, 0x35 },
		    s) == -1) {
			t_fail(__FILE__, __LINE__, "output frame %u: len %u",
			    s, hp->caplen);
			break;
		}
	}
	T_EQ(s, 16);
	pcap_close(p);
	unlink(in);
	unlink(out);
}

static int
sh(const char *cmd)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s >/dev/null 2>&1", cmd);
	return system(buf);
}

/* The AF_PACKET wire on a veth pair with MTU 9000 at both ends (in a
 * network namespace of this process): a 9014-byte frame sent into the far
 * end arrives whole through the driver, and one the driver sends comes
 * out there whole. */
static void
test_iface_jumbo(void)
{
	static uint8_t f[JUMBO_BUF], got[JUMBO_BUF + 64];
	struct emu_wire_conf wc;
	struct sockaddr_ll sll;
	struct pkt_buf *b;
	uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x66 };
	uint64_t deadline;
	struct nic n;
	ssize_t k;
	int fd, found;

	NEED_HW();
	if (!t_is_root())
		T_SKIP("needs root (network namespace, veth, AF_PACKET)");
	if (unshare(CLONE_NEWNET) == -1)
		T_SKIP("cannot make a network namespace: %s", strerror(errno));
	if (sh("ip link add ixjmb0 type veth peer name ixjmb1") != 0 ||
	    sh("ip link set ixjmb0 mtu 9000 up") != 0 ||
	    sh("ip link set ixjmb1 mtu 9000 up") != 0)
		T_SKIP("cannot create a veth pair (ip link add ... veth)");
	(void)sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1");

	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_IFACE;
	snprintf(wc.iface, sizeof(wc.iface), "ixjmb1");
	T_REQUIRE(nic_create(&n, 6, &wc, JUMBO_BUF) == 0);
	T_REQUIRE(nic_open(&n, MAX_FRAME, WAIT_MS) == 0);
	T_REQUIRE((fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) != -1);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("ixjmb0");
	T_REQUIRE(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);

	/* into the NIC */
	make_frame(f, JUMBO_LEN, n.mac, 0);
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
	make_frame(pkt_data(b), JUMBO_LEN, dst, 5);
	memcpy(f, pkt_data(b), JUMBO_LEN);
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	found = 0;
	deadline = now_ms() + WAIT_MS;
	while (!found && now_ms() < deadline) {
		k = recv(fd, got, sizeof(got), MSG_DONTWAIT);
		if (k == JUMBO_LEN && memcmp(got, f, JUMBO_LEN) == 0)
			found = 1;
		else if (k < 0)
			usleep(1000);
	}
	T_CHECK(found);
	close(fd);
	nic_destroy(&n);
	(void)sh("ip link del ixjmb0");
}

static void
setup_hw(void)
{
	if (!t_hugepages(64)) {
		snprintf(hw_why, sizeof(hw_why), "no free hugepages");
		return;
	}
	log_capture_begin();
	if (dma_init(DMA_IOVA_AUTO) == -1) {
		log_capture_end();
		snprintf(hw_why, sizeof(hw_why), "DMA memory unavailable: "
		    "%.200s", log_buf);
		return;
	}
	log_capture_end();
	if (emu_engine_start(-1) == -1) {
		snprintf(hw_why, sizeof(hw_why), "the model's DMA engine did "
		    "not start");
		hw_broken = 1;
		return;
	}
	hw_ok = 1;
}

int
main(void)
{
	log_init(1, 0, "test_jumbo");
	setup_hw();
	T_RUN(test_pool_sizes);
	T_RUN(test_rx_jumbo);
	T_RUN(test_rx_over_one_buffer);
	T_RUN(test_tx_jumbo);
	T_RUN(test_peer_jumbo);
	T_RUN(test_pcap_jumbo);
	T_RUN(test_iface_jumbo);	/* last: it moves to a new namespace */
	if (hw_ok)
		emu_engine_stop();
	return t_done();
}
