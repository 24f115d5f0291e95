/*
 * nicrig.h: the rig of the tests that run the driver on the emulated
 * 82599.  Once per binary, hugepages, DMA memory and the model's engine
 * (nic_setup_hw); a test that needs them starts with NEED_HW().  Per
 * test, an emulated NIC with its wire and packet pools (nic_create,
 * nic_pools), the port on it (nic_open), and the teardown that asserts
 * what the binary asks of every NIC (nic_destroy, nic_checks).  Frames
 * of a numbered sequence (their lengths are the binary's: nic_frame_len)
 * are pushed into the wire, received, sent and pulled off it, each
 * checked byte for byte.  A binary sets nic_checks and nic_frame_len in
 * main(), before its tests run.
 *
 * Also for the model's own tests: pushes and pulls on a queue wire that
 * wait, the two files of a pcap wire, and a veth pair in a network
 * namespace of the process for an AF_PACKET wire.  Every wait is bounded
 * by WAIT_MS.
 */
#ifndef IXFWD_TEST_NICRIG_H
#define IXFWD_TEST_NICRIG_H

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
#include <unistd.h>

#include "bar.h"
#include "dma.h"
#include "emu82599.h"
#include "ixgbe.h"
#include "mempool.h"
#include "port.h"
#include "hugepages.h"
#include "logcapture.h"
#include "t.h"
#include "waitreg.h"

#define WAIT_MS		2000

/* ---- the environment ---- */

static int	hw_ok;		/* hugepages, DMA memory and the engine */
static int	hw_broken;	/* they should be there, but failed */
static char	hw_why[256];

#define NEED_HW() do {							\
	if (hw_broken) {						\
		t_fail(__FILE__, __LINE__, "%s", hw_why);		\
		return;							\
	}								\
	if (!hw_ok)							\
		T_SKIP("%s", hw_why);					\
} while (0)

/* 64 free hugepages (reserved as root), DMA memory if dma (a test that
 * maps it through an IOMMU of its own leaves it to that), and the model's
 * DMA engine.  Missing hugepages or DMA memory make the tests skip; an
 * engine that does not start makes them fail. */
static void __attribute__((unused))
nic_setup_hw(int dma)
{
	if (!t_hugepages(64)) {
		snprintf(hw_why, sizeof(hw_why), "fewer than 64 free 2 MiB "
		    "hugepages%s", t_is_root() ? "" : " (not root: cannot "
		    "reserve them)");
		return;
	}
	log_capture_begin();
	if (dma && dma_init(DMA_IOVA_AUTO) == -1) {
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

static void __attribute__((unused))
nic_teardown_hw(void)
{
	if (hw_ok)
		emu_engine_stop();
}

/* ---- a NIC and its port ---- */

struct nic {
	struct emu82599	*emu;
	struct bar	 bar;
	struct mempool	*rxpool;
	struct mempool	*txpool;
	struct port	*port;
	uint8_t		 mac[6];
};

/* What nic_destroy() asserts of every NIC of the test. */
#define NIC_RULES	0x1	/* the driver broke no strict rule of the model */
#define NIC_IOMMU	0x2	/* the model saw no DMA outside DMA memory */
#define NIC_POOLS	0x4	/* every buffer is back in its pool */

static int	nic_checks;

/* The emulated 82599 name with MAC 02:1b:21:00:00:mac on the wire wc
 * (NULL: a queue the test pushes to and pulls from); 0 or -1. */
static int __attribute__((unused))
nic_create(struct nic *n, const char *name, uint8_t mac,
    const struct emu_wire_conf *wc)
{
	struct emu_wire_conf queue;

	memset(n, 0, sizeof(*n));
	memcpy(n->mac, "\x02\x1b\x21\x00\x00", 5);
	n->mac[5] = mac;
	if (wc == NULL) {
		memset(&queue, 0, sizeof(queue));
		queue.kind = EMU_WIRE_QUEUE;
		wc = &queue;
	}
	if ((n->emu = emu_create(name, n->mac, wc)) == NULL)
		return -1;
	emu_bar(n->emu, &n->bar);
	return 0;
}

/* Its pools: rxbufs and txbufs buffers (0: no such pool) of bufsize
 * bytes (0: the default 2 KiB); 0 or -1. */
static int __attribute__((unused))
nic_pools(struct nic *n, uint32_t rxbufs, uint32_t txbufs, uint32_t bufsize)
{
	struct mempool **mp[2] = { &n->rxpool, &n->txpool };
	uint32_t count[2] = { rxbufs, txbufs };
	int i;

	for (i = 0; i < 2; i++) {
		if (count[i] == 0)
			continue;
		*mp[i] = bufsize ? mempool_create_sized(count[i], bufsize) :
		    mempool_create(count[i]);
		if (*mp[i] == NULL)
			return -1;
	}
	return 0;
}

/* A port of one RX and one TX queue, waiting WAIT_MS for its link. */
static void __attribute__((unused))
nic_conf(struct ixgbe_conf *c, struct nic *n, const char *name,
    uint16_t rx_ring, uint16_t tx_ring)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->nb_rxq = 1;
	c->nb_txq = 1;
	c->rx_ring = rx_ring;
	c->tx_ring = tx_ring;
	c->rx_pool[0] = n->rxpool;
	c->link_timeout_ms = WAIT_MS;
}

static int __attribute__((unused))
nic_open(struct nic *n, const char *name, uint16_t rx_ring, uint16_t tx_ring)
{
	struct ixgbe_conf c;

	nic_conf(&c, n, name, rx_ring, tx_ring);
	n->port = ixgbe_open(&n->bar, &c);
	return n->port != NULL ? 0 : -1;
}

static void __attribute__((unused))
nic_close(struct nic *n)
{
	if (n->port != NULL)
		port_close(n->port);
	n->port = NULL;
}

/* Close the port, assert what nic_checks asks, free everything. */
static void __attribute__((unused))
nic_destroy(struct nic *n)
{
	nic_close(n);
	if ((nic_checks & NIC_POOLS) && n->rxpool != NULL)
		T_EQ(n->rxpool->nfree, n->rxpool->n);
	if ((nic_checks & NIC_POOLS) && n->txpool != NULL)
		T_EQ(n->txpool->nfree, n->txpool->n);
	if (n->emu != NULL) {
		if ((nic_checks & NIC_RULES) && emu_violations(n->emu) != 0)
			t_fail(__FILE__, __LINE__, "%s: %llu strict-model "
			    "violations (see the log above)", t_name,
			    (unsigned long long)emu_violations(n->emu));
		if (nic_checks & NIC_IOMMU)
			T_EQ(emu_iommu_faults(n->emu), 0);
		emu_destroy(n->emu);
	}
	mempool_destroy(n->rxpool);
	mempool_destroy(n->txpool);
	memset(n, 0, sizeof(*n));
}

/* Poll the link until it is up (or down) and has not failed; 1 if it
 * came to that within WAIT_MS.  The last state read goes in *l. */
static int __attribute__((unused))
nic_link_wait(struct nic *n, int up, struct port_link *l)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	struct port_link tmp;

	if (l == NULL)
		l = &tmp;
	do {
		port_link(n->port, l);
		if (l->up == up && !l->failed)
			return 1;
		usleep(1000);
	} while (now_ms() < deadline);
	return 0;
}

/* The port's counters (totals since open) in st, polled until cond holds
 * or WAIT_MS have passed. */
#define STATS_UNTIL(n, st, cond) do {					\
	uint64_t dl_ = now_ms() + WAIT_MS;				\
									\
	do {								\
		port_stats((n)->port, &(st));				\
		if (cond)						\
			break;						\
		usleep(1000);						\
	} while (now_ms() < dl_);					\
} while (0)

/* ---- the queue wire, waiting ---- */

/* Push a frame within WAIT_MS; 0 or -1. */
static int __attribute__((unused))
wire_push_wait(struct emu82599 *emu, const void *f, size_t len)
{
	uint64_t deadline = now_ms() + WAIT_MS;

	do {
		if (emu_wire_push(emu, f, len) == 0)
			return 0;
		usleep(50);
	} while (now_ms() < deadline);
	return -1;
}

/* Pull one frame within WAIT_MS; its length or 0. */
static size_t __attribute__((unused))
wire_pull_wait(struct emu82599 *emu, void *f, size_t cap)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	size_t len;

	do {
		if ((len = emu_wire_pull(emu, f, cap)) > 0)
			return len;
		usleep(50);
	} while (now_ms() < deadline);
	return 0;
}

/* ---- a test's numbered frames ---- */

#define NIC_ETHERTYPE	0x88b5		/* IEEE local experimental */

static const uint8_t nic_src_mac[6] = { 0x02, 0x00, 0x00, 0xee, 0xee, 0x01 };

/* The length of frame seq: the test's sequence, set before any is made. */
static uint32_t	(*nic_frame_len)(uint32_t seq);

/* Frame seq of len bytes to dst: Ethernet header, the 4-byte sequence
 * number, then bytes derived from seq and position. */
static void __attribute__((unused))
nic_frame(uint8_t *f, uint32_t len, const uint8_t dst[6], uint32_t seq)
{
	uint32_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, nic_src_mac, 6);
	f[12] = NIC_ETHERTYPE >> 8;
	f[13] = NIC_ETHERTYPE & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	for (i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i * 13 + (i >> 8));
}

static uint32_t __attribute__((unused))
nic_frame_seq(const uint8_t *f)
{
	return (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 |
	    (uint32_t)f[16] << 8 | f[17];
}

/* 0 if f[0..len) is exactly frame seq to dst, -1 if not. */
static int __attribute__((unused))
nic_frame_check(const uint8_t *f, size_t len, const uint8_t dst[6],
    uint32_t seq)
{
	static uint8_t want[EMU_WIRE_FRAME_MAX + 4];

	if (len != nic_frame_len(seq))
		return -1;
	nic_frame(want, (uint32_t)len, dst, seq);
	return memcmp(f, want, len) == 0 ? 0 : -1;
}

/* Push frames first..first+count-1 to dst into the wire; 0 or -1. */
static int __attribute__((unused))
nic_push_frames(struct nic *n, const uint8_t dst[6], uint32_t first,
    uint32_t count)
{
	static uint8_t f[EMU_WIRE_FRAME_MAX];
	uint32_t s;

	for (s = first; s < first + count; s++) {
		nic_frame(f, nic_frame_len(s), dst, s);
		if (wire_push_wait(n->emu, f, nic_frame_len(s)) == -1)
			return -1;
	}
	return 0;
}

/* Receive frames on queue 0 until count have come or WAIT_MS passed
 * without one; each must be the next of the sequence from first to dst,
 * whole at PKT_HEADROOM of its buffer.  How many came so, in order; at
 * the first that did not, *bad (if not NULL) is set and it stops. */
static uint32_t __attribute__((unused))
nic_recv_frames(struct nic *n, const uint8_t dst[6], uint32_t first,
    uint32_t count, int *bad)
{
	struct pkt_buf *bufs[32];
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t got = 0;
	uint16_t k, i;
	int wrong = 0;

	while (got < count && !wrong && now_ms() < deadline) {
		k = port_rx_batch(n->port, 0, bufs, 32);
		if (k > 0)
			deadline = now_ms() + WAIT_MS;
		for (i = 0; i < k; i++) {
			if (!wrong && (bufs[i]->data_off != PKT_HEADROOM ||
			    nic_frame_check(pkt_data(bufs[i]), bufs[i]->len,
			    dst, first + got) == -1)) {
				wrong = 1;
				fprintf(stderr, "frame %u: got seq %u len %u\n",
				    first + got,
				    nic_frame_seq(pkt_data(bufs[i])),
				    bufs[i]->len);
			}
			if (!wrong)
				got++;
			pkt_free(bufs[i]);
		}
		if (k == 0)
			usleep(20);
	}
	if (bad != NULL)
		*bad = wrong;
	return got;
}

/* Send frames first..first+count-1 to dst on queue q, as many per call
 * as batch; how many the port took before it took fewer than offered or
 * the pool ran dry (the ring cleaned then). */
static uint32_t __attribute__((unused))
nic_send_frames(struct nic *n, uint16_t q, const uint8_t dst[6],
    uint32_t first, uint32_t count, uint16_t batch)
{
	struct pkt_buf *bufs[64];
	uint32_t sent = 0, seq = first;
	uint16_t k, i, took;

	while (seq < first + count) {
		k = batch;
		if (k > first + count - seq)
			k = (uint16_t)(first + count - seq);
		k = (uint16_t)mempool_alloc_bulk(n->txpool, bufs, k);
		if (k == 0) {
			port_tx_batch(n->port, q, bufs, 0);
			break;
		}
		for (i = 0; i < k; i++) {
			bufs[i]->len = (uint16_t)nic_frame_len(seq + i);
			nic_frame(pkt_data(bufs[i]), bufs[i]->len, dst,
			    seq + i);
		}
		took = port_tx_batch(n->port, q, bufs, k);
		for (i = took; i < k; i++)
			pkt_free(bufs[i]);
		sent += took;
		seq += took;
		if (took < k)
			break;
	}
	return sent;
}

/* Send them all: a ring full of frames the NIC has sent but not yet
 * reported done takes more a moment later.  Gives up after WAIT_MS
 * without progress; how many were sent. */
static uint32_t __attribute__((unused))
nic_send_all(struct nic *n, uint16_t q, const uint8_t dst[6], uint32_t first,
    uint32_t count, uint16_t batch)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t sent = 0, k;

	while (sent < count && now_ms() < deadline) {
		k = nic_send_frames(n, q, dst, first + sent, count - sent,
		    batch);
		if (k > 0)
			deadline = now_ms() + WAIT_MS;
		else
			usleep(20);
		sent += k;
	}
	return sent;
}

/* Pull frames first..first+count-1 to dst off the wire, each within
 * WAIT_MS; how many came whole and in order (it stops at the first that
 * did not). */
static uint32_t __attribute__((unused))
nic_pull_frames(struct nic *n, const uint8_t dst[6], uint32_t first,
    uint32_t count)
{
	static uint8_t f[EMU_WIRE_FRAME_MAX + 64];
	uint32_t got;
	size_t len;

	for (got = 0; got < count; got++) {
		len = wire_pull_wait(n->emu, f, sizeof(f));
		if (nic_frame_check(f, len, dst, first + got) == -1) {
			fprintf(stderr, "frame %u off the wire: len %zu seq "
			    "%u\n", first + got, len, len ? nic_frame_seq(f) :
			    0);
			break;
		}
	}
	return got;
}

/* ---- a pcap wire ---- */

/* A pcap wire on two new files, /tmp/<prefix>_in.XXXXXX to read and
 * /tmp/<prefix>_out.XXXXXX to write: wc set up for it (the test unlinks
 * both); 0 or -1. */
static int __attribute__((unused))
wire_pcap_tmp(struct emu_wire_conf *wc, const char *prefix)
{
	int fd;

	memset(wc, 0, sizeof(*wc));
	wc->kind = EMU_WIRE_PCAP;
	snprintf(wc->pcap_in, sizeof(wc->pcap_in), "/tmp/%s_in.XXXXXX",
	    prefix);
	snprintf(wc->pcap_out, sizeof(wc->pcap_out), "/tmp/%s_out.XXXXXX",
	    prefix);
	if ((fd = mkstemp(wc->pcap_in)) == -1)
		return -1;
	close(fd);
	if ((fd = mkstemp(wc->pcap_out)) == -1) {
		unlink(wc->pcap_in);
		return -1;
	}
	close(fd);
	return 0;
}

/* ---- an AF_PACKET wire on a veth pair ---- */

static int __attribute__((unused))
wire_sh(const char *cmd)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s >/dev/null 2>&1", cmd);
	return system(buf);
}

/* Move the process to a network namespace of its own and make the veth
 * pair a-b there, both ends up, with MTU mtu (0: the default); NULL, or
 * why it could not (for T_SKIP).  Needs root. */
static __attribute__((unused)) const char *
wire_veth(const char *a, const char *b, int mtu)
{
	static char why[128];
	char cmd[3][128], m[16] = "";
	int i;

	if (!t_is_root())
		return "needs root (network namespace, veth, AF_PACKET)";
	if (unshare(CLONE_NEWNET) == -1) {
		snprintf(why, sizeof(why), "cannot make a network namespace: "
		    "%s", strerror(errno));
		return why;
	}
	if (mtu > 0)
		snprintf(m, sizeof(m), " mtu %d", mtu);
	snprintf(cmd[0], sizeof(cmd[0]), "ip link add %s type veth peer "
	    "name %s", a, b);
	snprintf(cmd[1], sizeof(cmd[1]), "ip link set %s%s up", a, m);
	snprintf(cmd[2], sizeof(cmd[2]), "ip link set %s%s up", b, m);
	for (i = 0; i < 3; i++)
		if (wire_sh(cmd[i]) != 0)
			return "cannot create a veth pair (ip link add ... "
			    "veth)";
	(void)wire_sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1");
	return NULL;
}

/* A raw socket bound to ifname (with a vnet header if vnet, so that it
 * can hand the kernel a TSO frame); -1 on error. */
static int __attribute__((unused))
wire_packet_socket(const char *ifname, int vnet)
{
	struct sockaddr_ll sll;
	int fd, one = 1;

	if ((fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))) == -1)
		return -1;
	if (vnet)
		(void)setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
		    sizeof(one));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 if the frame f of len bytes comes in on fd within WAIT_MS (others
 * are passed over), 0 if not. */
static int __attribute__((unused))
wire_packet_expect(int fd, const void *f, size_t len)
{
	static uint8_t got[EMU_WIRE_FRAME_MAX + 64];
	uint64_t deadline = now_ms() + WAIT_MS;
	ssize_t k;

	while (now_ms() < deadline) {
		k = recv(fd, got, sizeof(got), MSG_DONTWAIT);
		if (k == (ssize_t)len && memcmp(got, f, len) == 0)
			return 1;
		if (k < 0)
			usleep(1000);
	}
	return 0;
}

#endif /* IXFWD_TEST_NICRIG_H */
