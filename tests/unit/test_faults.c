/*
 * test_faults.c: faults of the emulated 82599 (emu_fault()) against the
 * driver: a link that goes down and up, bad frames (runts, oversize, bad
 * CRC, and with FCTRL.SBP a bad frame delivered with RXE), a burst larger
 * than the RX ring, a TX queue that stops completing, and a device that
 * disappears from the bus.  Each is counted by reason where the NIC or
 * the driver counts it, nothing is delivered in part or corrupted after,
 * and no buffer is lost: every pool is whole again once the port is
 * closed.  No test makes the model see a DMA address outside DMA memory
 * or breaks a strict rule (nic_destroy()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
#include "waitreg.h"

#define WAIT_MS		2000
#define NBUF		512
#define RING		128
#define ETHERTYPE_TEST	0x88b5

static int	hw_ok;
static int	hw_broken;
static char	hw_why[256];

static const uint8_t src_mac[6] = { 0x02, 0x00, 0x00, 0xee, 0xee, 0x03 };

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
		f[i] = (uint8_t)(seq * 7 + i * 13);
}

static uint32_t
frame_len(uint32_t seq)
{
	return 60 + (seq * 37) % 1455;
}

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
nic_create(struct nic *n, int i, const struct emu_wire_conf *wc)
{
	char name[16];

	memset(n, 0, sizeof(*n));
	n->mac[0] = 0x02;
	n->mac[1] = 0x1b;
	n->mac[2] = 0x21;
	n->mac[5] = (uint8_t)(0x50 + i);
	snprintf(name, sizeof(name), "fault%d", i);
	if ((n->emu = emu_create(name, n->mac, wc)) == NULL)
		return -1;
	emu_bar(n->emu, &n->bar);
	if ((n->rxpool = mempool_create(NBUF)) == NULL ||
	    (n->txpool = mempool_create(NBUF)) == NULL)
		return -1;
	return 0;
}

static int
nic_open(struct nic *n)
{
	struct ixgbe_conf c;

	memset(&c, 0, sizeof(c));
	c.name = "fault";
	c.nb_rxq = 1;
	c.nb_txq = 1;
	c.rx_ring = RING;
	c.tx_ring = RING;
	c.rx_pool[0] = n->rxpool;
	c.link_timeout_ms = WAIT_MS;
	n->port = ixgbe_open(&n->bar, &c);
	return n->port != NULL ? 0 : -1;
}

/* Close the port, then every buffer must be back in its pool, and the
 * model saw no stray DMA address and no broken rule. */
static void
nic_destroy(struct nic *n)
{
	if (n->port != NULL)
		port_close(n->port);
	n->port = NULL;
	if (n->rxpool != NULL)
		T_EQ(n->rxpool->nfree, NBUF);
	if (n->txpool != NULL)
		T_EQ(n->txpool->nfree, NBUF);
	if (n->emu != NULL) {
		T_EQ(emu_violations(n->emu), 0);
		T_EQ(emu_iommu_faults(n->emu), 0);
		emu_destroy(n->emu);
	}
	mempool_destroy(n->rxpool);
	mempool_destroy(n->txpool);
	memset(n, 0, sizeof(*n));
}

static int
queue_nic(struct nic *n, int i)
{
	struct emu_wire_conf wc;

	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_QUEUE;
	if (nic_create(n, i, &wc) == -1 || nic_open(n) == -1)
		return -1;
	return 0;
}

static int
push_frames(struct nic *n, uint32_t first, uint32_t count)
{
	static uint8_t f[2048];
	uint32_t s;

	for (s = first; s < first + count; s++) {
		make_frame(f, frame_len(s), n->mac, s);
		if (emu_wire_push(n->emu, f, frame_len(s)) == -1)
			return -1;
	}
	return 0;
}

/* Receive count frames of the sequence from first, byte for byte; how
 * many came right (stops at the first wrong one). */
static uint32_t
recv_frames(struct nic *n, uint32_t first, uint32_t count)
{
	static uint8_t want[2048];
	struct pkt_buf *bufs[32];
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t got = 0;
	uint16_t k, i;
	int bad = 0;

	while (got < count && !bad && now_ms() < deadline) {
		k = port_rx_batch(n->port, 0, bufs, 32);
		for (i = 0; i < k; i++) {
			uint32_t s = first + got;

			make_frame(want, frame_len(s), n->mac, s);
			if (!bad && (bufs[i]->len != frame_len(s) ||
			    memcmp(pkt_data(bufs[i]), want, frame_len(s)) != 0))
				bad = 1;
			if (!bad)
				got++;
			pkt_free(bufs[i]);
		}
		if (k == 0)
			usleep(50);
	}
	return got;
}

/* Send count frames of the sequence (to dst); how many the ring took. */
static uint32_t
send_frames(struct nic *n, const uint8_t dst[6], uint32_t first,
    uint32_t count)
{
	struct pkt_buf *b;
	uint32_t s;

	for (s = first; s < first + count; s++) {
		if ((b = mempool_alloc(n->txpool)) == NULL)
			break;
		b->len = (uint16_t)frame_len(s);
		make_frame(pkt_data(b), b->len, dst, s);
		if (port_tx_batch(n->port, 0, &b, 1) != 1) {
			pkt_free(b);
			break;
		}
	}
	return s - first;
}

/* Pull count frames of the sequence off the wire, byte for byte. */
static uint32_t
pull_frames(struct nic *n, const uint8_t dst[6], uint32_t first,
    uint32_t count)
{
	static uint8_t f[2048], want[2048];
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t got = 0;
	size_t len;

	while (got < count && now_ms() < deadline) {
		if ((len = emu_wire_pull(n->emu, f, sizeof(f))) == 0) {
			usleep(50);
			continue;
		}
		make_frame(want, frame_len(first + got), dst, first + got);
		if (len != frame_len(first + got) ||
		    memcmp(f, want, len) != 0)
			break;
		got++;
	}
	return got;
}

static int
link_is(struct nic *n, int up)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	struct port_link l;

	do {
		port_link(n->port, &l);
		if (l.up == up && !l.failed)
			return 1;
		usleep(1000);
	} while (now_ms() < deadline);
	return 0;
}

/* The port's counters (totals since open), polled until cond holds or
 * 2 s have passed. */
#define STATS_UNTIL(n, st, cond) do {					\
	uint64_t dl_ = now_ms() + WAIT_MS;				\
									\
	do {								\
		port_stats((n)->port, &(st));				\
		if (cond)						\
			break;						\
		usleep(2000);						\
	} while (now_ms() < dl_);					\
} while (0)

/* ---- tests ---- */

static void
test_link_flap(void)
{
	struct nic n;
	uint32_t s = 0, round;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 0) == 0);
	T_CHECK(link_is(&n, 1));
	for (round = 0; round < 3; round++) {
		T_EQ(emu_fault(n.emu, "link down"), 0);
		T_CHECK(link_is(&n, 0));
		T_EQ(emu_fault(n.emu, "link up"), 0);
		T_CHECK(link_is(&n, 1));
		/* forwarding resumes by itself: frames in, byte for byte */
		T_REQUIRE(push_frames(&n, s, 100) == 0);
		T_EQ(recv_frames(&n, s, 100), 100);
		s += 100;
	}
	nic_destroy(&n);
}

static void
test_bad_frames(void)
{
	struct nic n;
	struct port_stats st;
	struct pkt_buf *bufs[32];

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 1) == 0);
	T_CHECK(link_is(&n, 1));
	log_capture_begin();
	T_EQ(emu_fault(n.emu, "runt 3"), 0);
	T_EQ(emu_fault(n.emu, "oversize 4"), 0);
	T_EQ(emu_fault(n.emu, "bad_crc 5"), 0);
	T_EQ(emu_fault(n.emu, "no_such_fault"), -1);
	log_capture_end();
	T_CHECK(strstr(log_buf, "fault \"no_such_fault\": not one the model "
	    "knows") != NULL);
	STATS_UNTIL(&n, st, st.rx_undersize == 3 && st.rx_oversize == 4 &&
	    st.rx_crc_errors == 5);
	T_EQ(st.rx_undersize, 3);
	T_EQ(st.rx_oversize, 4);
	T_EQ(st.rx_crc_errors, 5);
	T_EQ(st.rx_errors, 12);
	T_EQ(st.rx_packets, 0);
	/* none delivered, not even in part */
	T_EQ(port_rx_batch(n.port, 0, bufs, 32), 0);
	T_REQUIRE(push_frames(&n, 0, 50) == 0);
	T_EQ(recv_frames(&n, 0, 50), 50);

	/* §8.2.3.7.1 FCTRL.SBP: the NIC stores bad frames, with RXE in
	 * the write-back; the driver drops them whole and counts them. */
	bar_write32(&n.bar, IXGBE_FCTRL, bar_read32(&n.bar, IXGBE_FCTRL) |
	    IXGBE_FCTRL_SBP);
	T_EQ(emu_fault(n.emu, "bad_crc 2"), 0);
	T_REQUIRE(push_frames(&n, 50, 10) == 0);
	/* the bad frames came first: the good ones after them, exact */
	T_EQ(recv_frames(&n, 50, 10), 10);
	STATS_UNTIL(&n, st, st.rx_crc_errors == 7 && st.rx_dropped == 2);
	T_EQ(st.rx_crc_errors, 7);
	T_EQ(st.rx_dropped, 2);
	nic_destroy(&n);
}

static void
test_rx_burst(void)
{
	struct emu_wire_conf wc;
	struct emu_wire_stats ws;
	struct port_stats st;
	struct pkt_buf *bufs[64];
	struct nic n;
	uint64_t deadline, moved = 0;
	uint16_t k, sent;

	NEED_HW();
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_GENERATOR;
	wc.gen_size = 128;
	wc.gen_rate = 2000;
	T_REQUIRE(nic_create(&n, 2, &wc) == 0);
	T_REQUIRE(nic_open(&n) == 0);
	T_CHECK(link_is(&n, 1));
	/* the worker is away: the ring fills (flow controlled), then a
	 * burst of 5000 frames, far more than its 128 descriptors */
	usleep(200000);
	T_EQ(emu_fault(n.emu, "rx_burst 5000"), 0);
	usleep(100000);
	/* then loop everything back: the generator's sink checks each
	 * frame (in order, intact) */
	deadline = now_ms() + 1000;
	while (now_ms() < deadline) {
		k = port_rx_batch(n.port, 0, bufs, 64);
		sent = port_tx_batch(n.port, 0, bufs, k);
		while (sent < k)
			pkt_free(bufs[sent++]);
		moved += k;
		if (k == 0)
			usleep(100);
	}
	STATS_UNTIL(&n, st, st.rx_missed >= 4000);
	T_CHECK(st.rx_missed >= 5000 - RING);
	T_CHECK(moved > 500);
	usleep(100000);
	emu_wire_stats(n.emu, &ws);
	T_EQ(ws.sink_bad, 0);
	T_CHECK(ws.from_nic > 500);
	T_CHECK(ws.sink_lost >= st.rx_missed);
	nic_destroy(&n);
}

static void
test_tx_hang(void)
{
	struct nic n;
	uint32_t pending, head, head2, k, sent;
	uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 3) == 0);
	T_CHECK(link_is(&n, 1));
	T_EQ(send_frames(&n, dst, 0, 64), 64);
	T_EQ(pull_frames(&n, dst, 0, 64), 64);
	T_EQ(emu_fault(n.emu, "tx_hang 0"), 0);
	usleep(20000);
	T_EQ(send_frames(&n, dst, 64, 40), 40);
	usleep(100000);
	pending = port_tx_pending(n.port, 0, &head);
	T_EQ(pending, 40);
	usleep(100000);
	T_EQ(port_tx_pending(n.port, 0, &head2), 40);
	T_EQ(head2, head);
	T_EQ(emu_wire_pull(n.emu, (uint8_t[2048]){ 0 }, 2048), 0);
	/* the reset gives the 40 buffers back and the queue works again */
	T_EQ(port_tx_reset(n.port, 0), 0);
	T_EQ(port_tx_pending(n.port, 0, &head), 0);
	T_EQ(head, 0);
	for (k = 0, sent = 0; k < 10; k++) {
		sent += send_frames(&n, dst, 200 + k * 50, 50);
		T_EQ(pull_frames(&n, dst, 200 + k * 50, 50), 50);
	}
	T_EQ(sent, 500);
	nic_destroy(&n);
}

static void
test_remove(void)
{
	struct nic n;
	struct port_link l;
	struct port_stats before, after;
	struct pkt_buf *bufs[32];

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 4) == 0);
	T_CHECK(link_is(&n, 1));
	T_REQUIRE(push_frames(&n, 0, 20) == 0);
	T_EQ(recv_frames(&n, 0, 20), 20);
	port_stats(n.port, &before);
	T_EQ(emu_fault(n.emu, "remove"), 0);
	T_EQ(bar_read32(&n.bar, IXGBE_STATUS), 0xffffffffu);
	port_link(n.port, &l);
	T_EQ(l.failed, 1);
	T_EQ(l.up, 0);
	/* the counters keep their totals: all-ones reads are not counts */
	port_stats(n.port, &after);
	T_EQ(after.rx_packets, before.rx_packets);
	T_EQ(after.rx_errors, before.rx_errors);
	T_EQ(after.rx_missed, before.rx_missed);
	T_EQ(port_rx_batch(n.port, 0, bufs, 32), 0);
	T_EQ(port_tx_reset(n.port, 0), -1);
	log_capture_begin();
	port_close(n.port);
	log_capture_end();
	n.port = NULL;
	nic_destroy(&n);
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
	log_init(1, 0, "test_faults");
	setup_hw();
	T_RUN(test_link_flap);
	T_RUN(test_bad_frames);
	T_RUN(test_rx_burst);
	T_RUN(test_tx_hang);
	T_RUN(test_remove);
	if (hw_ok)
		emu_engine_stop();
	return t_done();
}
