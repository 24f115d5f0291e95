/*
 * test_faults.c: faults of the emulated 82599 (emu_fault()) against the
 * driver: a link that goes down and up, bad frames (runts, oversize, bad
 * CRC, and with FCTRL.SBP a bad frame delivered with RXE), a burst larger
 * than the RX ring, a TX queue that stops completing (its reset never
 * waits on the NIC, the other TX queue works throughout), one that cannot
 * even be stopped, and a device that disappears from the bus.  Each is
 * counted by reason where the NIC or the driver counts it, nothing is
 * delivered in part or corrupted after, and no buffer is lost: every
 * pool is whole again once the port is closed.  No test makes the model see a DMA address outside DMA memory
 * or breaks a strict rule (nic_destroy()).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ixgbe_regs.h"
#include "log.h"
#include "nicrig.h"

#define NBUF		512
#define RING		128

static uint32_t
frame_len(uint32_t seq)
{
	return 60 + (seq * 37) % 1455;
}

/* NIC i on the wire wc (NULL: a queue), with its pools. */
static int
fault_nic(struct nic *n, int i, const struct emu_wire_conf *wc)
{
	char name[16];

	snprintf(name, sizeof(name), "fault%d", i);
	if (nic_create(n, name, (uint8_t)(0x50 + i), wc) == -1)
		return -1;
	return nic_pools(n, NBUF, NBUF, 0);
}

/* NIC i on a queue wire, its port open. */
static int
queue_nic(struct nic *n, int i)
{
	if (fault_nic(n, i, NULL) == -1)
		return -1;
	return nic_open(n, "fault", RING, RING);
}

/* ---- tests ---- */

static void
test_link_flap(void)
{
	struct nic n;
	uint32_t s = 0, round;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 0) == 0);
	T_CHECK(nic_link_wait(&n, 1, NULL));
	for (round = 0; round < 3; round++) {
		T_EQ(emu_fault(n.emu, "link down"), 0);
		T_CHECK(nic_link_wait(&n, 0, NULL));
		T_EQ(emu_fault(n.emu, "link up"), 0);
		T_CHECK(nic_link_wait(&n, 1, NULL));
		/* forwarding resumes by itself: frames in, byte for byte */
		T_REQUIRE(nic_push_frames(&n, n.mac, s, 100) == 0);
		T_EQ(nic_recv_frames(&n, n.mac, s, 100, NULL), 100);
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
	T_CHECK(nic_link_wait(&n, 1, NULL));
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
	T_REQUIRE(nic_push_frames(&n, n.mac, 0, 50) == 0);
	T_EQ(nic_recv_frames(&n, n.mac, 0, 50, NULL), 50);

	/* §8.2.3.7.1 FCTRL.SBP: the NIC stores bad frames, with RXE in
	 * the write-back; the driver drops them whole and counts them. */
	bar_write32(&n.bar, IXGBE_FCTRL, bar_read32(&n.bar, IXGBE_FCTRL) |
	    IXGBE_FCTRL_SBP);
	T_EQ(emu_fault(n.emu, "bad_crc 2"), 0);
	T_REQUIRE(nic_push_frames(&n, n.mac, 50, 10) == 0);
	/* the bad frames came first: the good ones after them, exact */
	T_EQ(nic_recv_frames(&n, n.mac, 50, 10, NULL), 10);
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
	T_REQUIRE(fault_nic(&n, 2, &wc) == 0);
	T_REQUIRE(nic_open(&n, "fault", RING, RING) == 0);
	T_CHECK(nic_link_wait(&n, 1, NULL));
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

/* NIC i on a queue wire, its port open with two TX queues: one to hang,
 * one that must go on carrying traffic meanwhile. */
static int
two_txq_nic(struct nic *n, int i)
{
	struct ixgbe_conf c;

	if (fault_nic(n, i, NULL) == -1)
		return -1;
	nic_conf(&c, n, "fault", RING, RING);
	c.nb_txq = 2;
	n->port = ixgbe_open(&n->bar, &c);
	return n->port != NULL ? 0 : -1;
}

/* One step of the reset of TX queue q, timed: *us is the longest any
 * step took so far. */
static int
reset_step(struct nic *n, uint16_t q, uint64_t *us)
{
	uint64_t t0 = now_us(), dt;
	int r = port_tx_reset(n->port, q);

	dt = now_us() - t0;
	if (dt > *us)
		*us = dt;
	return r;
}

/* Step the reset of q until it is done (0) or fails (-1), as a worker
 * does at its batch boundaries; BUSY if still not done after WAIT_MS.
 * The steps it took in *steps. */
static int
reset_finish(struct nic *n, uint16_t q, uint64_t *us, int *steps)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	int r;

	do {
		(*steps)++;
		if ((r = reset_step(n, q, us)) != PORT_TX_RESET_BUSY)
			return r;
		usleep(5);
	} while (now_ms() < deadline);
	return r;
}

/* The longest a reset step may take: a register read or two and, once,
 * the ring freed; far from the 1 s a wait on the NIC would take. */
#define STEP_MAX_US	50000

static const uint8_t hang_dst[6] = { 0x02, 0, 0, 0, 0, 0x99 };

/*
 * TX queue 0 stops completing (40 frames stuck on it).  Its reset never
 * waits on the NIC: each step returns at once, the first one busy (the
 * queue is only asked to stop); between steps queue 1 sends frames that
 * arrive byte for byte, and queue 0 takes nothing.  Once the reset is
 * done the 40 buffers are back in the pool, the queue is empty and it
 * carries traffic again, byte for byte.  No strict rule broken on the way
 * (the ring is rewritten only after ENABLE read 0).
 */
static void
test_tx_hang(void)
{
	struct nic n;
	struct pkt_buf *b;
	uint32_t pending, head, head2, k, sent, nfree;
	uint64_t us = 0;
	int steps = 0;

	NEED_HW();
	T_REQUIRE(two_txq_nic(&n, 3) == 0);
	T_CHECK(nic_link_wait(&n, 1, NULL));
	T_EQ(nic_send_frames(&n, 0, hang_dst, 0, 64, 1), 64);
	T_EQ(nic_pull_frames(&n, hang_dst, 0, 64), 64);
	T_EQ(emu_fault(n.emu, "tx_hang 0"), 0);
	usleep(20000);
	T_EQ(nic_send_frames(&n, 0, hang_dst, 64, 40, 1), 40);
	usleep(100000);
	pending = port_tx_pending(n.port, 0, &head);
	T_EQ(pending, 40);
	usleep(100000);
	T_EQ(port_tx_pending(n.port, 0, &head2), 40);
	T_EQ(head2, head);
	T_EQ(emu_wire_pull(n.emu, (uint8_t[2048]){ 0 }, 2048), 0);

	/* step 1 only asks the queue to stop */
	T_EQ(reset_step(&n, 0, &us), PORT_TX_RESET_BUSY);
	/* the reset under way: queue 0 takes nothing, queue 1 works */
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = 60;
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 0);
	pkt_free(b);
	for (k = 0, sent = 0; k < 4; k++) {
		sent += nic_send_frames(&n, 1, hang_dst, 1000 + k * 50, 50, 8);
		T_EQ(nic_pull_frames(&n, hang_dst, 1000 + k * 50, 50), 50);
	}
	T_EQ(sent, 200);

	nfree = n.txpool->nfree;
	T_EQ(reset_finish(&n, 0, &us, &steps), 0);
	/* stopped (freed, restarted), then found started: 2 steps more */
	T_CHECK(steps >= 2);
	/* the 40 stuck buffers are back, the queue is empty */
	T_EQ(n.txpool->nfree, nfree + 40);
	T_EQ(port_tx_pending(n.port, 0, &head), 0);
	T_EQ(head, 0);
	T_CHECK(us < STEP_MAX_US);
	for (k = 0, sent = 0; k < 10; k++) {
		sent += nic_send_frames(&n, 0, hang_dst, 200 + k * 50, 50, 1);
		T_EQ(nic_pull_frames(&n, hang_dst, 200 + k * 50, 50), 50);
	}
	T_EQ(sent, 500);
	T_EQ(emu_wire_pull(n.emu, (uint8_t[2048]){ 0 }, 2048), 0);
	nic_destroy(&n);
}

/*
 * TX queue 0 hangs and cannot be stopped (TXDCTL.ENABLE never reads 0):
 * for 300 ms every step of its reset comes back at once, busy, while
 * queue 1 sends byte for byte; ENABLE still reads 1 and the ring has not
 * been touched (no strict rule broken).  Once the queue can stop again,
 * the reset completes by itself and the queue carries traffic.
 */
static void
test_tx_no_disable(void)
{
	struct nic n;
	uint32_t k, sent, seq = 5000, nfree;
	uint64_t us = 0, end;
	int steps = 0, busy = 1;

	NEED_HW();
	T_REQUIRE(two_txq_nic(&n, 5) == 0);
	T_CHECK(nic_link_wait(&n, 1, NULL));
	T_EQ(emu_fault(n.emu, "tx_hang 0"), 0);
	T_EQ(emu_fault(n.emu, "tx_no_disable 0"), 0);
	T_EQ(emu_fault(n.emu, "tx_no_disable 0 sideways"), -1);
	usleep(20000);
	T_EQ(nic_send_frames(&n, 0, hang_dst, 0, 40, 1), 40);
	T_EQ(reset_step(&n, 0, &us), PORT_TX_RESET_BUSY);
	end = now_ms() + 300;
	for (sent = 0; now_ms() < end; seq += 20) {
		k = nic_send_frames(&n, 1, hang_dst, seq, 20, 4);
		T_EQ(k, 20);
		T_EQ(nic_pull_frames(&n, hang_dst, seq, 20), 20);
		sent += k;
		if (reset_step(&n, 0, &us) != PORT_TX_RESET_BUSY)
			busy = 0;
	}
	T_CHECK(busy);
	T_CHECK(sent >= 100);
	T_CHECK(us < STEP_MAX_US);
	T_EQ(bar_read32(&n.bar, IXGBE_TXDCTL(0)) & IXGBE_TXDCTL_ENABLE,
	    IXGBE_TXDCTL_ENABLE);
	T_EQ(port_tx_pending(n.port, 0, &k), 40);

	nfree = n.txpool->nfree;
	T_EQ(emu_fault(n.emu, "tx_no_disable 0 off"), 0);
	T_EQ(reset_finish(&n, 0, &us, &steps), 0);
	T_EQ(n.txpool->nfree, nfree + 40);
	T_EQ(nic_send_frames(&n, 0, hang_dst, 100, 50, 1), 50);
	T_EQ(nic_pull_frames(&n, hang_dst, 100, 50), 50);
	nic_destroy(&n);
}

/* A queue that never stops, still wedged when the port is closed: the
 * close does not free its buffers under a queue that may still run
 * (the global reset stops it first), then every buffer is back. */
static void
test_tx_no_disable_close(void)
{
	struct nic n;
	uint64_t us = 0;
	int i;

	NEED_HW();
	T_REQUIRE(two_txq_nic(&n, 6) == 0);
	T_CHECK(nic_link_wait(&n, 1, NULL));
	T_EQ(emu_fault(n.emu, "tx_hang 0"), 0);
	T_EQ(emu_fault(n.emu, "tx_no_disable 0"), 0);
	usleep(20000);
	T_EQ(nic_send_frames(&n, 0, hang_dst, 0, 40, 1), 40);
	for (i = 0; i < 100; i++) {
		T_EQ(reset_step(&n, 0, &us), PORT_TX_RESET_BUSY);
		usleep(100);
	}
	T_CHECK(n.txpool->nfree < n.txpool->n);
	log_capture_begin();
	nic_close(&n);
	log_capture_end();
	T_CHECK(strstr(log_buf, "timeout waiting for TX queue 0 to stop") !=
	    NULL);
	T_CHECK(strstr(log_buf, "a queue did not stop; resetting the device "
	    "before its memory is freed") != NULL);
	nic_destroy(&n);	/* every buffer back in its pool */
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
	T_CHECK(nic_link_wait(&n, 1, NULL));
	T_REQUIRE(nic_push_frames(&n, n.mac, 0, 20) == 0);
	T_EQ(nic_recv_frames(&n, n.mac, 0, 20, NULL), 20);
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

int
main(void)
{
	log_init(1, 0, "test_faults");
	nic_setup_hw(1);
	nic_frame_len = frame_len;
	nic_checks = NIC_RULES | NIC_IOMMU | NIC_POOLS;
	T_RUN(test_link_flap);
	T_RUN(test_bad_frames);
	T_RUN(test_rx_burst);
	T_RUN(test_tx_hang);
	T_RUN(test_tx_no_disable);
	T_RUN(test_tx_no_disable_close);
	T_RUN(test_remove);
	nic_teardown_hw();
	return t_done();
}
