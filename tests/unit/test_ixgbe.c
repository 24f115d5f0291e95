/*
 * test_ixgbe.c: the ixgbe driver on the emulated 82599 (emu82599.c), and
 * on fake register files for devices that do not answer.
 *
 * Every frame is checked byte for byte: frames carry a sequence number and
 * a payload derived from it.  Every wait is bounded (WAIT_MS).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ixgbe_devices.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "nicrig.h"

static void
sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/* Frame lengths cycle through small, odd and full sizes. */
static uint32_t
frame_len(uint32_t seq)
{
	static const uint32_t lens[] = { 60, 64, 61, 128, 333, 1000, 1514, 99 };

	return lens[seq % (sizeof(lens) / sizeof(lens[0]))];
}

/* ---- fixtures ---- */

/* NIC i ("emu<i>") on a wire of kind, with its pools; the port is opened
 * by the caller. */
static int
new_nic(struct nic *n, int i, enum emu_wire_kind kind, uint32_t rxbufs,
    uint32_t txbufs)
{
	struct emu_wire_conf wc;
	char name[16];

	memset(&wc, 0, sizeof(wc));
	wc.kind = kind;
	snprintf(name, sizeof(name), "emu%d", i);
	if (nic_create(n, name, (uint8_t)(0x10 + i), &wc) == -1)
		return -1;
	return nic_pools(n, rxbufs, txbufs, 0);
}

/* nic_open(), what it logs captured in log_buf. */
static void
open_logged(struct nic *n, const char *name, uint16_t rx_ring,
    uint16_t tx_ring)
{
	log_capture_begin();
	nic_open(n, name, rx_ring, tx_ring);
	log_capture_end();
}

/* NIC 0 on a queue wire with its pools, and its port "emu0" open. */
static int
queue_nic(struct nic *n, uint32_t rxbufs, uint32_t txbufs, uint16_t rx_ring,
    uint16_t tx_ring)
{
	if (new_nic(n, 0, EMU_WIRE_QUEUE, rxbufs, txbufs) == -1)
		return -1;
	return nic_open(n, "emu0", rx_ring, tx_ring);
}

/* ---- tests without a model ---- */

static uint32_t
dead_read(void *ctx, uint32_t off)
{
	(void)ctx;
	(void)off;
	return 0xffffffffu;
}

static uint32_t
silent_read(void *ctx, uint32_t off)
{
	(void)ctx;
	(void)off;
	return 0;
}

static void
ignore_write(void *ctx, uint32_t off, uint32_t val)
{
	(void)ctx;
	(void)off;
	(void)val;
}

/* Never allocated from; its buffers are the default 2 KiB. */
static struct mempool fake_pool = { .data_size = PKT_DATA_SIZE };

static void
fake_conf(struct ixgbe_conf *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->nb_rxq = 1;
	c->nb_txq = 1;
	c->rx_ring = 512;
	c->tx_ring = 512;
	c->rx_pool[0] = &fake_pool;
}

/* ixgbe_open() on bar with c refuses, logging want. */
static void
open_refused(const struct bar *bar, const struct ixgbe_conf *c,
    const char *want)
{
	struct port *p;

	log_capture_begin();
	p = ixgbe_open(bar, c);
	log_capture_end();
	if (p != NULL)
		t_fail(__FILE__, __LINE__, "%s: opened", c->name);
	if (strstr(log_buf, want) == NULL)
		t_fail(__FILE__, __LINE__, "%s: expected \"%s\", got: %s",
		    c->name, want, log_buf);
}

static void
test_bad_conf_refused(void)
{
	static const struct bar_ops ops = { silent_read, ignore_write };
	/* what each changes in fake_conf() (0: nothing), and what it
	 * must be told */
	static const struct {
		const char	*name;
		uint16_t	 rx_ring, tx_ring, nb_rxq, nb_txq, max_frame;
		const char	*want;
	} bad[] = {
		{ "bad0", 100, 0, 0, 0, 0, "bad0: RX ring size 100: must be a "
		    "power of two from 64 to 4096" },
		{ "bad1", 0, 32, 0, 0, 0, "bad1: TX ring size 32" },
		{ "bad2", 8192, 0, 0, 0, 0, "RX ring size 8192" },
		{ "bad3", 0, 0, 0, IXGBE_QUEUES_MAX + 1, 0, "bad3: 1 RX and "
		    "17 TX queues" },
		{ "bad4", 0, 0, 2, 0, 0, "bad4: RX queue 1 has no buffer "
		    "pool" },
		/* MTU 9000: 2 KiB buffers cannot hold a frame */
		{ "bad5", 0, 0, 0, 0, 9018, "bad5: RX queue 0: buffers of "
		    "2048 bytes cannot hold a 9018-byte frame" },
		{ "bad6", 0, 0, 0, 0, IXGBE_FRAME_MAX + 1, "bad6: maximum "
		    "frame size 9729: must be 64 to 9728 bytes (MTU up to "
		    "9710)" },
	};
	struct bar bar = { .ops = &ops, .device_id = 0x10fb };
	struct ixgbe_conf c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_conf(&c, bad[i].name);
		if (bad[i].rx_ring)
			c.rx_ring = bad[i].rx_ring;
		if (bad[i].tx_ring)
			c.tx_ring = bad[i].tx_ring;
		if (bad[i].nb_rxq)
			c.nb_rxq = bad[i].nb_rxq;
		if (bad[i].nb_txq)
			c.nb_txq = bad[i].nb_txq;
		if (bad[i].max_frame)
			c.max_frame = bad[i].max_frame;
		open_refused(&bar, &c, bad[i].want);
	}
}

/* A port name on a device that answers with ops (fake_conf()): refused,
 * logging want; how long that took, in ms. */
static uint64_t
fake_refused(const struct bar_ops *ops, uint16_t device_id, const char *name,
    const char *want)
{
	struct bar bar = { .ops = ops, .device_id = device_id };
	struct ixgbe_conf c;
	uint64_t t0 = now_ms();

	fake_conf(&c, name);
	open_refused(&bar, &c, want);
	return now_ms() - t0;
}

static void
test_dead_device(void)
{
	static const struct bar_ops ops = { dead_read, ignore_write };

	T_CHECK(fake_refused(&ops, 0x10fb, "gone0", "gone0: device does not "
	    "respond") < 500);
}

/* A device whose GIO master enable never clears: the specification
 * update's flow, a flush of the transmit path and two resets. */
static uint32_t stuck_log[64][2];
static int stuck_n;

static uint32_t
stuck_read(void *ctx, uint32_t off)
{
	(void)ctx;
	switch (off) {
	case IXGBE_STATUS:
		return IXGBE_STATUS_MASTER_EN;
	case IXGBE_EEC:
		return IXGBE_EEC_PRES | IXGBE_EEC_ARD;
	case IXGBE_RDRXCTL:
		return IXGBE_RDRXCTL_DMAIDONE;
	case IXGBE_HLREG0:
		return IXGBE_HLREG0_TXCRCEN;
	default:
		return 0;
	}
}

static void
stuck_write(void *ctx, uint32_t off, uint32_t val)
{
	(void)ctx;
	if (stuck_n < 64) {
		stuck_log[stuck_n][0] = off;
		stuck_log[stuck_n][1] = val;
		stuck_n++;
	}
}

static int
stuck_find(int from, uint32_t off, uint32_t mask, uint32_t want)
{
	int i;

	for (i = from; i < stuck_n; i++)
		if (stuck_log[i][0] == off && (stuck_log[i][1] & mask) == want)
			return i;
	return -1;
}

static void
test_master_disable_stuck(void)
{
	static const struct bar_ops ops = { stuck_read, stuck_write };
	struct bar bar = { .ops = &ops, .device_id = 0x10fb };
	struct ixgbe_conf c;
	int dis, lpbk, clr, unclr, back, rst1, rst2;

	fake_conf(&c, "stuck0");
	stuck_n = 0;
	log_capture_begin();
	(void)ixgbe_open(&bar, &c);	/* fails later: no buffers */
	log_capture_end();
	T_CHECK(strstr(log_buf, "stuck0: GIO master requests still pending "
	    "10 ms after master disable: flushing and resetting twice") !=
	    NULL);
	dis = stuck_find(0, IXGBE_CTRL, IXGBE_CTRL_PCIE_MASTER_DISABLE,
	    IXGBE_CTRL_PCIE_MASTER_DISABLE);
	T_CHECK(dis >= 0);
	lpbk = stuck_find(dis + 1, IXGBE_HLREG0, IXGBE_HLREG0_LPBK,
	    IXGBE_HLREG0_LPBK);
	clr = stuck_find(lpbk + 1, IXGBE_GCR_EXT, IXGBE_GCR_EXT_BUFFERS_CLEAR,
	    IXGBE_GCR_EXT_BUFFERS_CLEAR);
	unclr = stuck_find(clr + 1, IXGBE_GCR_EXT, IXGBE_GCR_EXT_BUFFERS_CLEAR,
	    0);
	back = stuck_find(unclr + 1, IXGBE_HLREG0, ~0u, IXGBE_HLREG0_TXCRCEN);
	rst1 = stuck_find(back + 1, IXGBE_CTRL, IXGBE_CTRL_RST, IXGBE_CTRL_RST);
	rst2 = stuck_find(rst1 + 1, IXGBE_CTRL, IXGBE_CTRL_RST, IXGBE_CTRL_RST);
	T_CHECK(lpbk > dis && clr > lpbk && unclr > clr && back > unclr);
	T_CHECK(rst1 > back && rst2 == rst1 + 1);
}

static void
test_silent_device(void)
{
	static const struct bar_ops ops = { silent_read, ignore_write };

	/* Registers read 0: the reset "completes" but the EEPROM never
	 * finishes loading. */
	T_CHECK(fake_refused(&ops, 0x10fb, "mute0", "mute0: timeout waiting "
	    "for EEPROM auto-read (EEC.ARD)") < 3 * WAIT_MS);
}

/* ---- tests on the model ---- */

static void
test_init_mac_link(void)
{
	struct port_link l;
	struct nic n;

	NEED_HW();
	T_REQUIRE(new_nic(&n, 0, EMU_WIRE_QUEUE, 512, 512) == 0);
	open_logged(&n, "emu0", 512, 512);
	T_CHECK(n.port != NULL);
	if (n.port != NULL) {
		T_CHECK(strcmp(n.port->kind, "ixgbe") == 0);
		T_CHECK(memcmp(n.port->mac, n.mac, 6) == 0);
		T_EQ(n.port->nb_rxq, 1);
		T_EQ(n.port->nb_txq, 1);
		T_CHECK(strstr(log_buf, "emu0: link up at 10 Gbit/s") != NULL);
		port_link(n.port, &l);
		T_EQ(l.up, 1);
		T_EQ(l.speed_mbps, 10000);
	} else
		fprintf(stderr, "%s", log_buf);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

static void
test_tx_byte_exact(void)
{
	uint8_t f[2048];
	struct pkt_buf *b;
	struct nic n;
	uint32_t s;
	size_t len;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 512, 512, 512, 512) == 0);
	for (s = 0; s < 16; s++) {
		T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
		b->len = frame_len(s);
		nic_frame(pkt_data(b), b->len, n.mac, s);
		T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
		len = wire_pull_wait(n.emu, f, sizeof(f));
		T_EQ(len, frame_len(s));
		T_CHECK(nic_frame_check(f, len, n.mac, s) == 0);
	}
	/* a frame shorter than the minimum goes out padded (HLREG0.TXPADEN) */
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = 42;
	nic_frame(pkt_data(b), 42, n.mac, 99);
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	len = wire_pull_wait(n.emu, f, sizeof(f));
	T_EQ(len, 60);
	{
		uint8_t want[42];

		nic_frame(want, 42, n.mac, 99);
		T_CHECK(memcmp(f, want, 42) == 0);
	}
	T_EQ(emu_wire_pull(n.emu, f, sizeof(f)), 0);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* §7.2.3.2.4: a frame under 17 bytes is padded by the driver to what
 * the DMA takes (the MAC then pads to 60 on the wire) and counted. */
static void
test_tx_short_padded(void)
{
	struct ixgbe_driver_stats ds;
	uint8_t f[2048], want[60];
	struct pkt_buf *b;
	struct nic n;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 512, 512, 512, 512) == 0);
	T_REQUIRE((b = mempool_alloc(n.txpool)) != NULL);
	b->len = 10;
	memset(want, 0, sizeof(want));
	memset(want, 0xff, 6);			/* 6 bytes of address, 4 more */
	memcpy(want + 6, "\x02\x01\x02\x03", 4);
	memcpy(pkt_data(b), want, 10);
	memset(pkt_data(b) + 10, 0xee, 20);	/* stale bytes past the end */
	T_EQ(port_tx_batch(n.port, 0, &b, 1), 1);
	T_EQ(wire_pull_wait(n.emu, f, sizeof(f)), 60);
	T_CHECK(memcmp(f, want, 60) == 0);
	ixgbe_driver_stats(n.port, &ds);
	T_EQ(ds.tx_padded, 1);
	T_EQ(emu_rule_violations(n.emu, EMU_RULE_TX_LEN), 0);
	nic_destroy(&n);
}

/*
 * Every 82599-family device ID on the emulated NIC: a supported one
 * (SFI) is set up and links (the strict model checks AUTOC/AUTOC2 for
 * its media); any other is refused with what is missing, before the
 * device is touched.
 */
static void
test_device_ids(void)
{
	const struct ixgbe_devinfo *di;
	struct port_link l;
	char want[160];
	struct nic n;
	size_t i, nsup = 0, nref = 0;

	NEED_HW();
	for (i = 0; (di = ixgbe_devinfo_at(i)) != NULL; i++) {
		T_REQUIRE(new_nic(&n, 0, EMU_WIRE_QUEUE, 512, 512) == 0);
		T_REQUIRE(emu_set_device_id(n.emu, di->device) == 0);
		emu_bar(n.emu, &n.bar);
		open_logged(&n, "dev0", 512, 512);
		if (di->supported) {
			nsup++;
			if (n.port == NULL) {
				t_fail(__FILE__, __LINE__, "%04x %s refused: %s",
				    di->device, di->name, log_buf);
				nic_destroy(&n);
				continue;
			}
			port_link(n.port, &l);
			if (!l.up || l.speed_mbps != 10000)
				t_fail(__FILE__, __LINE__, "%04x %s: no 10G "
				    "link", di->device, di->name);
		} else {
			nref++;
			T_CHECK(n.port == NULL);
			snprintf(want, sizeof(want), "dev0: Intel %s (8086:%04x) "
			    "is not supported yet: ", di->name, di->device);
			if (strstr(log_buf, want) == NULL)
				t_fail(__FILE__, __LINE__, "expected \"%s\", "
				    "got: %s", want, log_buf);
			/* refused before any register was written */
			T_EQ(emu_violations(n.emu), 0);
		}
		nic_destroy(&n);
	}
	T_EQ(nsup, 8);
	T_EQ(nref, 12);
}

/* A device the family table does not know is refused too. */
static void
test_device_unknown(void)
{
	static const struct bar_ops ops = { silent_read, ignore_write };

	/* 0x10c6: an 82598 */
	(void)fake_refused(&ops, 0x10c6, "old0", "old0: PCI device ID 0x10c6 "
	    "is not an 82599-family NIC");
}

static void
test_rx_byte_exact(void)
{
	struct pkt_buf *bufs[8];
	uint8_t f[1514];
	uint64_t deadline;
	struct nic n;
	uint32_t s;
	uint16_t k;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 1024, 64, 512, 64) == 0);
	for (s = 0; s < 16; s++) {
		nic_frame(f, frame_len(s), n.mac, s);
		T_REQUIRE(wire_push_wait(n.emu, f, frame_len(s)) == 0);
		deadline = now_ms() + WAIT_MS;
		while ((k = port_rx_batch(n.port, 0, bufs, 8)) == 0 &&
		    now_ms() < deadline)
			usleep(20);
		T_EQ(k, 1);
		if (k != 1)
			break;
		T_EQ(bufs[0]->len, frame_len(s));
		T_EQ(bufs[0]->data_off, PKT_HEADROOM);
		T_CHECK(bufs[0]->pool == n.rxpool);
		T_CHECK(nic_frame_check(pkt_data(bufs[0]), bufs[0]->len, n.mac,
		    s) == 0);
		pkt_free(bufs[0]);
	}
	T_EQ(port_rx_batch(n.port, 0, bufs, 8), 0);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* 20000 frames each way through 64-descriptor rings: both rings wrap
 * hundreds of times; every frame is checked, in order. */
static void
test_ring_wrap(void)
{
	const uint32_t total = 20000;
	uint32_t s, sent, got, k;
	struct nic n;
	int bad;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 256, 64, 64) == 0);

	/* TX: 32 at a time, each batch pulled off the wire and checked */
	for (s = 0; s < total; s += sent) {
		sent = nic_send_all(&n, 0, n.mac, s, 32, 32);
		if (sent == 0) {
			t_fail(__FILE__, __LINE__, "TX stuck at frame %u", s);
			break;
		}
		if ((got = nic_pull_frames(&n, n.mac, s, sent)) != sent) {
			t_fail(__FILE__, __LINE__, "TX frame %u wrong",
			    s + got);
			goto rx;
		}
	}
	/* the pool got its buffers back as the ring was cleaned: at most a
	 * ring's worth are still in flight */
	T_CHECK(n.txpool->nfree >= n.txpool->n - 64);

rx:
	/* RX: 31 at a time.  The ring has 63 descriptors for the NIC; a
	 * NIC that has not yet seen the last RDT write still has 63 - 31,
	 * so none is dropped however the threads interleave.  31 is prime
	 * to the ring size: every batch starts at a new offset. */
	for (s = 0; s < total; s += k) {
		k = total - s < 31 ? total - s : 31;
		T_REQUIRE(nic_push_frames(&n, n.mac, s, k) == 0);
		got = nic_recv_frames(&n, n.mac, s, k, &bad);
		if (got != k || bad) {
			struct port_stats st;

			port_stats(n.port, &st);
			t_fail(__FILE__, __LINE__, "RX at frame %u: %u of %u "
			    "came intact (%s; NIC missed %llu)", s, got, k,
			    bad ? "one was wrong" : "the rest never came",
			    (unsigned long long)st.rx_missed);
			break;
		}
	}
	T_EQ(n.rxpool->nfree, n.rxpool->n - 64);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* Both directions at once through small rings: RX and TX work on the
 * same port, interleaved. */
static void
test_bidirectional(void)
{
	const uint32_t total = 4096;
	uint32_t s, got;
	struct nic n;
	int bad;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 256, 64, 64) == 0);
	for (s = 0; s < total; s += 16) {
		T_REQUIRE(nic_push_frames(&n, n.mac, s, 16) == 0);
		T_REQUIRE(nic_send_all(&n, 0, nic_src_mac, s, 16, 16) == 16);
		got = nic_recv_frames(&n, n.mac, s, 16, &bad);
		T_REQUIRE(got == 16 && !bad);
		T_REQUIRE(nic_pull_frames(&n, nic_src_mac, s, 16) == 16);
	}
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* A frame spread over several descriptors cannot happen with the
 * driver's 2 KiB buffers; to see that it is still handled, the test
 * shrinks the NIC's buffers to 1 KiB behind the driver's back.  Frames
 * longer than that are dropped whole and counted, the others keep
 * coming, in order, and no buffer is lost. */
static void
test_rx_multi_descriptor_dropped(void)
{
	struct ixgbe_driver_stats ds;
	struct pkt_buf *bufs[32];
	uint64_t deadline;
	uint32_t want = 0, got = 0, srrctl;
	struct nic n;
	uint16_t k, i;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 64, 64, 64) == 0);
	srrctl = bar_read32(&n.bar, IXGBE_SRRCTL(0));
	T_EQ(srrctl & IXGBE_SRRCTL_BSIZEPKT_MASK, 2);	/* 2 KiB written */
	bar_write32(&n.bar, IXGBE_SRRCTL(0),
	    (srrctl & ~IXGBE_SRRCTL_BSIZEPKT_MASK) | 1);

	/* frames 6 and 14 are 1514 bytes: two descriptors each */
	T_REQUIRE(nic_push_frames(&n, n.mac, 0, 16) == 0);
	deadline = now_ms() + WAIT_MS;
	while (got < 14 && now_ms() < deadline) {
		k = port_rx_batch(n.port, 0, bufs, 32);
		for (i = 0; i < k; i++) {
			if (want % 8 == 6)
				want++;
			if (nic_frame_check(pkt_data(bufs[i]), bufs[i]->len,
			    n.mac, want) == -1)
				t_fail(__FILE__, __LINE__, "expected frame %u, "
				    "got seq %u len %u", want,
				    nic_frame_seq(pkt_data(bufs[i])),
				    bufs[i]->len);
			want++;
			got++;
			pkt_free(bufs[i]);
		}
		if (k == 0)
			usleep(20);
	}
	T_EQ(got, 14);
	ixgbe_driver_stats(n.port, &ds);
	T_EQ(ds.rx_dropped, 2);
	T_EQ(n.rxpool->nfree, 256 - 64);

	/* back to 2 KiB: full-size frames come whole again */
	bar_write32(&n.bar, IXGBE_SRRCTL(0), srrctl);
	T_REQUIRE(nic_push_frames(&n, n.mac, 100, 8) == 0);
	{
		int bad;

		T_EQ(nic_recv_frames(&n, n.mac, 100, 8, &bad), 8);
		T_CHECK(!bad);
	}
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* A pool barely larger than the ring: RX hands out what the pool has and
 * stops; the NIC, out of descriptors, drops and counts; once buffers come
 * back, reception resumes where it stopped. */
static void
test_rx_buffer_exhaustion(void)
{
	struct pkt_buf *held[64], *bufs[32];
	struct ixgbe_driver_stats ds;
	struct port_stats st;
	uint32_t nheld = 0, i, got;
	uint64_t deadline;
	struct nic n;
	uint16_t k;
	int bad;

	NEED_HW();
	/* 64 buffers fill the ring, 16 are left for refills */
	T_REQUIRE(queue_nic(&n, 80, 64, 64, 64) == 0);
	T_EQ(n.rxpool->nfree, 16);

	/* 32 frames: only 16 can be handed out */
	T_REQUIRE(nic_push_frames(&n, n.mac, 0, 32) == 0);
	deadline = now_ms() + WAIT_MS;
	while (nheld < 16 && now_ms() < deadline) {
		k = port_rx_batch(n.port, 0, held + nheld, 32);
		nheld += k;
		if (k == 0)
			usleep(20);
	}
	T_EQ(nheld, 16);
	sleep_ms(50);
	T_EQ(port_rx_batch(n.port, 0, bufs, 32), 0);
	for (i = 0; i < nheld; i++)
		T_CHECK(nic_frame_check(pkt_data(held[i]), held[i]->len, n.mac,
		    i) == 0);
	ixgbe_driver_stats(n.port, &ds);
	T_CHECK(ds.rx_nobuf > 0);

	/* The NIC has 63 - 32 + 16 = 47 descriptors left: of 100 more
	 * frames, 53 are dropped and counted. */
	T_REQUIRE(nic_push_frames(&n, n.mac, 32, 100) == 0);
	STATS_UNTIL(&n, st, st.rx_missed >= 53);
	sleep_ms(50);
	port_stats(n.port, &st);
	T_EQ(st.rx_missed, 53);
	T_EQ(port_rx_batch(n.port, 0, bufs, 32), 0);

	/* Buffers back: the 79 frames the ring holds come in order. */
	for (i = 0; i < nheld; i++)
		pkt_free(held[i]);
	got = nic_recv_frames(&n, n.mac, 16, 63, &bad);
	T_EQ(got, 63);
	T_CHECK(!bad);
	/* and new traffic flows again */
	T_REQUIRE(nic_push_frames(&n, n.mac, 1000, 40) == 0);
	got = nic_recv_frames(&n, n.mac, 1000, 40, &bad);
	T_EQ(got, 40);
	T_CHECK(!bad);
	T_EQ(n.rxpool->nfree, 16);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* More frames than the ring holds: tx_batch takes what fits and returns
 * at once, whatever the NIC does. */
static void
test_tx_ring_full(void)
{
	struct pkt_buf *bufs[200];
	uint32_t accepted = 0, i, k, r;
	uint64_t t0;
	struct nic n;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 4096, 64, 64) == 0);

	T_REQUIRE(mempool_alloc_bulk(n.txpool, bufs, 200) == 200);
	for (i = 0; i < 200; i++) {
		bufs[i]->len = frame_len(i);
		nic_frame(pkt_data(bufs[i]), bufs[i]->len, n.mac, i);
	}
	t0 = now_ms();
	k = port_tx_batch(n.port, 0, bufs, 200);
	T_CHECK(k > 0 && k <= 63);
	accepted += k;
	/* keep offering the rest without pulling anything off the wire */
	for (r = 0; r < 1000 && accepted < 200; r++) {
		k = port_tx_batch(n.port, 0, bufs + accepted,
		    (uint16_t)(200 - accepted));
		T_CHECK(k <= 63);
		accepted += k;
	}
	T_CHECK(now_ms() - t0 < WAIT_MS);
	for (i = accepted; i < 200; i++)
		pkt_free(bufs[i]);
	/* what was accepted leaves in order */
	T_EQ(nic_pull_frames(&n, n.mac, 0, accepted), accepted);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* The TX ring really full: the NIC's DMA engine is stalled (the model's
 * thread stopped), so nothing leaves.  tx_batch fills the ring to one
 * short of full and then takes nothing, at once; once the NIC moves
 * again, what was taken goes out in order and the ring takes more. */
static void
test_tx_ring_full_stalled(void)
{
	uint32_t total = 0, k, r;
	uint64_t t0;
	struct nic n;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 512, 64, 64) == 0);
	emu_engine_stop();
	t0 = now_ms();
	for (r = 0; r < 100; r++) {
		k = nic_send_frames(&n, 0, n.mac, total, 32, 32);
		T_CHECK(k <= 32);
		total += k;
	}
	T_CHECK(now_ms() - t0 < WAIT_MS);
	T_EQ(total, 63);
	T_EQ(n.txpool->nfree, 512 - 63);
	if (emu_engine_start(-1) == -1) {
		hw_broken = 1;
		snprintf(hw_why, sizeof(hw_why), "the model's DMA engine did "
		    "not restart");
		t_fail(__FILE__, __LINE__, "%s", hw_why);
		return;
	}
	T_EQ(nic_pull_frames(&n, n.mac, 0, total), total);
	T_EQ(nic_send_all(&n, 0, n.mac, total, 32, 32), 32);
	T_EQ(nic_pull_frames(&n, n.mac, total, 32), 32);
	nic_destroy(&n);
}

/* With the cable pulled the MAC drops what it sends: the ring never
 * stalls on it and tx_batch never waits. */
static void
test_tx_no_link(void)
{
	uint32_t total = 0, k, r;
	struct port_link l;
	uint64_t t0;
	struct nic n;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 512, 64, 64) == 0);
	emu_set_carrier(n.emu, 0);
	nic_link_wait(&n, 0, &l);
	T_EQ(l.up, 0);

	t0 = now_ms();
	for (r = 0; r < 100; r++) {
		k = nic_send_frames(&n, 0, n.mac, total, 32, 32);
		T_CHECK(k <= 32);
		total += k;
	}
	T_CHECK(now_ms() - t0 < WAIT_MS);
	T_CHECK(total >= 63);
	emu_set_carrier(n.emu, 1);
	nic_destroy(&n);
}

static void
test_link_follows_carrier(void)
{
	struct port_link l;
	struct nic n;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 64, 64, 64) == 0);
	port_link(n.port, &l);
	T_EQ(l.up, 1);

	emu_set_carrier(n.emu, 0);
	nic_link_wait(&n, 0, &l);
	T_EQ(l.up, 0);
	T_EQ(l.speed_mbps, 0);

	emu_set_carrier(n.emu, 1);
	nic_link_wait(&n, 1, &l);
	T_EQ(l.up, 1);
	T_EQ(l.speed_mbps, 10000);
	nic_destroy(&n);
}

static void
test_link_down_at_open(void)
{
	struct port_link l;
	struct nic n;
	uint64_t t0;

	NEED_HW();
	T_REQUIRE(new_nic(&n, 0, EMU_WIRE_NONE, 256, 64) == 0);
	{
		struct ixgbe_conf c;

		nic_conf(&c, &n, "emu0", 64, 64);
		c.link_timeout_ms = 300;
		t0 = now_ms();
		log_capture_begin();
		n.port = ixgbe_open(&n.bar, &c);
		log_capture_end();
	}
	/* no link is not an error: the port opens, says so, and waited
	 * only as long as it was told to */
	T_CHECK(n.port != NULL);
	T_CHECK(strstr(log_buf, "emu0: no link after 300 ms") != NULL);
	T_CHECK(now_ms() - t0 < 300 + WAIT_MS);
	if (n.port != NULL) {
		port_link(n.port, &l);
		T_EQ(l.up, 0);
	}
	nic_destroy(&n);
}

static void
test_counters(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct port_stats st;
	uint64_t txb = 0, rxb = 0;
	struct nic n;
	uint32_t s, got;
	int bad;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 512, 512, 128, 128) == 0);

	for (s = 0; s < 100; s++)
		txb += frame_len(s);
	T_REQUIRE(nic_send_all(&n, 0, n.mac, 0, 100, 32) == 100);
	T_REQUIRE(nic_pull_frames(&n, n.mac, 0, 100) == 100);
	for (s = 0; s < 50; s++)
		rxb += frame_len(s);
	T_REQUIRE(nic_push_frames(&n, n.mac, 0, 50) == 0);
	got = nic_recv_frames(&n, n.mac, 0, 50, &bad);
	T_REQUIRE(got == 50 && !bad);
	for (s = 0; s < 5; s++)
		rxb += frame_len(50 + s);
	T_REQUIRE(nic_push_frames(&n, bcast, 50, 5) == 0);
	got = nic_recv_frames(&n, bcast, 50, 5, &bad);
	T_REQUIRE(got == 5 && !bad);

	/* totals since open, however often they are read */
	STATS_UNTIL(&n, st, st.tx_packets >= 100 && st.rx_packets >= 55);
	sleep_ms(20);
	port_stats(n.port, &st);
	T_EQ(st.tx_packets, 100);
	T_EQ(st.tx_bytes, txb);
	T_EQ(st.rx_packets, 55);
	T_EQ(st.rx_bytes, rxb);
	T_EQ(st.rx_missed, 0);
	T_EQ(st.rx_errors, 0);
	T_EQ(st.rx_broadcast, 5);
	T_EQ(st.rx_multicast, 0);
	nic_destroy(&n);
}

/* port_stats totals are since open: a second call does not lose what
 * the first read (and so cleared). */
static void
test_counters_accumulate(void)
{
	struct port_stats a, b;
	uint8_t f[2048];
	struct nic n;
	uint32_t s;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 256, 64, 64) == 0);
	T_REQUIRE(nic_send_all(&n, 0, n.mac, 0, 10, 32) == 10);
	for (s = 0; s < 10; s++)
		T_REQUIRE(wire_pull_wait(n.emu, f, sizeof(f)) > 0);
	STATS_UNTIL(&n, a, a.tx_packets >= 10);
	T_REQUIRE(nic_send_all(&n, 0, n.mac, 10, 10, 32) == 10);
	for (s = 0; s < 10; s++)
		T_REQUIRE(wire_pull_wait(n.emu, f, sizeof(f)) > 0);
	STATS_UNTIL(&n, b, b.tx_packets >= 20);
	T_EQ(a.tx_packets, 10);
	T_EQ(b.tx_packets, 20);
	nic_destroy(&n);
}

static void
test_promisc(void)
{
	static const uint8_t other[6] = { 0x02, 0x99, 0x99, 0x99, 0x99, 0x99 };
	struct pkt_buf *bufs[8];
	uint32_t got;
	struct nic n;
	int bad;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 256, 64, 64, 64) == 0);
	/* not for us: filtered by the NIC */
	T_REQUIRE(nic_push_frames(&n, other, 0, 4) == 0);
	sleep_ms(100);
	T_EQ(port_rx_batch(n.port, 0, bufs, 8), 0);
	/* promiscuous: taken */
	n.port->ops->set_promisc(n.port, 1);
	T_REQUIRE(nic_push_frames(&n, other, 4, 4) == 0);
	got = nic_recv_frames(&n, other, 4, 4, &bad);
	T_EQ(got, 4);
	T_CHECK(!bad);
	n.port->ops->set_promisc(n.port, 0);
	T_REQUIRE(nic_push_frames(&n, other, 8, 4) == 0);
	sleep_ms(100);
	T_EQ(port_rx_batch(n.port, 0, bufs, 8), 0);
	nic_destroy(&n);
}

/* Several TX queues: each sends on its own; all reach the wire. */
static void
test_multi_txq(void)
{
	struct ixgbe_conf c;
	uint8_t f[2048];
	int seen[4] = { 0, 0, 0, 0 };
	uint16_t q;
	size_t len;
	struct nic n;
	uint32_t i;

	NEED_HW();
	T_REQUIRE(new_nic(&n, 0, EMU_WIRE_QUEUE, 256, 512) == 0);
	nic_conf(&c, &n, "emu0", 64, 64);
	c.nb_txq = 4;
	T_REQUIRE((n.port = ixgbe_open(&n.bar, &c)) != NULL);
	T_EQ(n.port->nb_txq, 4);
	for (q = 0; q < 4; q++)
		T_EQ(nic_send_all(&n, q, n.mac, q * 100, 40, 32), 40);
	for (i = 0; i < 160; i++) {
		uint32_t s;

		len = wire_pull_wait(n.emu, f, sizeof(f));
		T_REQUIRE(len > 0);
		s = nic_frame_seq(f);
		T_REQUIRE(s / 100 < 4 && s % 100 < 40);
		T_CHECK(nic_frame_check(f, len, n.mac, s) == 0);
		/* in order within a queue */
		T_EQ(s % 100, (uint32_t)seen[s / 100]);
		seen[s / 100]++;
	}
	T_EQ(emu_wire_pull(n.emu, f, sizeof(f)), 0);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* close() stops the queues and returns every buffer, those filling the
 * RX ring and those still in the TX ring, to their pools. */
static void
test_close_returns_buffers(void)
{
	uint8_t f[2048];
	struct nic n;
	uint32_t s;

	NEED_HW();
	T_REQUIRE(queue_nic(&n, 300, 300, 256, 256) == 0);
	T_EQ(n.rxpool->nfree, 300 - 256);
	/* 45 frames sent: 32 cleaned at most, the rest stay in the ring */
	T_REQUIRE(nic_send_all(&n, 0, n.mac, 0, 45, 32) == 45);
	for (s = 0; s < 45; s++)
		T_REQUIRE(wire_pull_wait(n.emu, f, sizeof(f)) > 0);
	T_CHECK(n.txpool->nfree < n.txpool->n);
	/* frames received and waiting in the ring, not taken */
	T_REQUIRE(nic_push_frames(&n, n.mac, 0, 5) == 0);
	sleep_ms(50);
	port_close(n.port);
	n.port = NULL;
	T_EQ(n.rxpool->nfree, n.rxpool->n);
	T_EQ(n.txpool->nfree, n.txpool->n);
	T_EQ(emu_iommu_faults(n.emu), 0);
	nic_destroy(&n);
}

/* An RX pool too small to fill the ring is refused at open, and nothing
 * is lost from it. */
static void
test_small_pool_refused(void)
{
	struct nic n;

	NEED_HW();
	T_REQUIRE(new_nic(&n, 0, EMU_WIRE_QUEUE, 32, 64) == 0);
	open_logged(&n, "emu0", 64, 64);
	T_CHECK(n.port == NULL);
	T_CHECK(strstr(log_buf, "emu0: RX queue 0: its pool has 32 free "
	    "buffers, the ring needs 64") != NULL);
	T_EQ(n.rxpool->nfree, 32);
	nic_destroy(&n);
}

/* Reopening a port resets the NIC and starts clean. */
static void
test_reopen(void)
{
	struct nic n;
	uint32_t got;
	int bad, i;

	NEED_HW();
	T_REQUIRE(new_nic(&n, 0, EMU_WIRE_QUEUE, 256, 256) == 0);
	for (i = 0; i < 3; i++) {
		struct port_stats st;

		emu_bar(n.emu, &n.bar);
		T_REQUIRE(nic_open(&n, "emu0", 64, 64) == 0);
		port_stats(n.port, &st);
		T_EQ(st.tx_packets, 0);
		T_REQUIRE(nic_send_all(&n, 0, n.mac, 0, 40, 32) == 40);
		T_REQUIRE(nic_push_frames(&n, n.mac, 0, 40) == 0);
		got = nic_recv_frames(&n, n.mac, 0, 40, &bad);
		T_EQ(got, 40);
		T_REQUIRE(nic_pull_frames(&n, n.mac, 0, 40) == 40);
		port_close(n.port);
		n.port = NULL;
		T_EQ(n.rxpool->nfree, n.rxpool->n);
		T_EQ(n.txpool->nfree, n.txpool->n);
	}
	nic_destroy(&n);
}

/* Two NICs on one cable: what A sends, B receives, and back. */
static void
test_peer_cable(void)
{
	const uint32_t total = 3000;
	struct ixgbe_conf c;
	struct port_link l;
	struct nic a, b;
	uint32_t s, got;
	int bad;

	NEED_HW();
	T_REQUIRE(new_nic(&a, 1, EMU_WIRE_PEER, 256, 256) == 0);
	T_REQUIRE(new_nic(&b, 2, EMU_WIRE_PEER, 256, 256) == 0);
	T_REQUIRE(emu_connect(a.emu, b.emu) == 0);
	/* A's link comes up only once B's driver has brought B up: open A
	 * without waiting, B waiting, then check both */
	nic_conf(&c, &a, "emuA", 128, 128);
	c.link_timeout_ms = 0;
	T_REQUIRE((a.port = ixgbe_open(&a.bar, &c)) != NULL);
	T_REQUIRE(nic_open(&b, "emuB", 128, 128) == 0);
	nic_link_wait(&a, 1, &l);
	T_EQ(l.up, 1);
	T_EQ(l.speed_mbps, 10000);
	port_link(b.port, &l);
	T_EQ(l.up, 1);
	for (s = 0; s < total; s += 32) {
		T_REQUIRE(nic_send_all(&a, 0, b.mac, s, 32, 32) == 32);
		got = nic_recv_frames(&b, b.mac, s, 32, &bad);
		if (got != 32 || bad) {
			t_fail(__FILE__, __LINE__, "A->B at %u: %u of 32", s,
			    got);
			break;
		}
		T_REQUIRE(nic_send_all(&b, 0, a.mac, s, 32, 32) == 32);
		got = nic_recv_frames(&a, a.mac, s, 32, &bad);
		if (got != 32 || bad) {
			t_fail(__FILE__, __LINE__, "B->A at %u: %u of 32", s,
			    got);
			break;
		}
	}
	T_EQ(emu_iommu_faults(a.emu), 0);
	T_EQ(emu_iommu_faults(b.emu), 0);
	/* close both ports before the cable's ends go away */
	port_close(a.port);
	a.port = NULL;
	port_close(b.port);
	b.port = NULL;
	nic_destroy(&a);
	nic_destroy(&b);
}

int
main(void)
{
	log_init(1, 0, "test_ixgbe");
	T_RUN(test_bad_conf_refused);
	T_RUN(test_dead_device);
	T_RUN(test_silent_device);
	T_RUN(test_device_unknown);
	T_RUN(test_master_disable_stuck);

	nic_setup_hw(1);
	nic_frame_len = frame_len;
	nic_checks = NIC_RULES;
	T_RUN(test_init_mac_link);
	T_RUN(test_tx_byte_exact);
	T_RUN(test_tx_short_padded);
	T_RUN(test_device_ids);
	T_RUN(test_rx_byte_exact);
	T_RUN(test_ring_wrap);
	T_RUN(test_bidirectional);
	T_RUN(test_rx_multi_descriptor_dropped);
	T_RUN(test_rx_buffer_exhaustion);
	T_RUN(test_tx_ring_full);
	T_RUN(test_tx_ring_full_stalled);
	T_RUN(test_tx_no_link);
	T_RUN(test_link_follows_carrier);
	T_RUN(test_link_down_at_open);
	T_RUN(test_counters);
	T_RUN(test_counters_accumulate);
	T_RUN(test_promisc);
	T_RUN(test_multi_txq);
	T_RUN(test_close_returns_buffers);
	T_RUN(test_small_pool_refused);
	T_RUN(test_reopen);
	T_RUN(test_peer_cable);
	nic_teardown_hw();
	return t_done();
}
