/*
 * ixgbe.c: ixfwd's polled driver for the Intel 82599 family.
 *
 * Written from the Intel 82599 10 GbE Controller Datasheet, rev. 3.3;
 * each register sequence names the section it follows.  Every register
 * access goes through bar_read32()/bar_write32(): the driver does not know
 * whether a real NIC or the model (emu82599.c) answers.
 *
 * Queues: advanced descriptors, one buffer per descriptor, no header
 * split, no RSC.  Each RX queue's buffer size (SRRCTL.BSIZEPKT) is its
 * pool's data size, which must hold the longest frame the NIC accepts
 * (MAXFRS, HLREG0.JUMBOEN): a frame is always one contiguous buffer.
 *
 * RX: hardware owns [RDH, RDT).  Every descriptor of the ring always
 * holds a buffer; RDT is the last descriptor the driver re-armed, so the
 * ring keeps one armed descriptor back, as §7.1.9 requires (RDH == RDT
 * means the ring is empty for hardware).  rx_batch stops at the first
 * descriptor without DD, swaps each received buffer for a fresh one
 * taken in bulk from the queue's pool, and writes RDT once per batch.
 * When the pool runs dry, the batch stops there: the unprocessed
 * descriptors stay with the driver, the NIC runs out of descriptors and
 * drops into QPRDC (SRRCTL.DROP_EN), and reception resumes by itself once
 * buffers come back to the pool.
 *
 * TX: one data descriptor per frame.  WTHRESH is 0 and RS is set only on
 * the last descriptor of each aligned group of IXGBE_TX_CLEAN_BATCH (32)
 * descriptors, so the NIC writes back one descriptor in 32, at once
 * (§7.2.3.5.1: with WTHRESH 0 write-back happens as soon as an RS
 * descriptor is processed).  tx_batch frees a group's buffers when that
 * group's last descriptor shows DD.  A partly filled group keeps its
 * buffers until more frames follow it, or until close().
 *
 * A TX queue found stuck is restarted by the worker that owns it, one
 * step per call of tx_reset at its batch boundaries, never waiting on
 * the NIC (ixgbe_tx_reset()): disable, then once ENABLE reads 0 free
 * and re-initialise the ring and enable, then once ENABLE reads 1 use
 * it again.  Meanwhile tx_batch takes nothing on that queue.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bar.h"
#include "cacheline.h"
#include "dma.h"
#include "ixgbe.h"
#include "ixgbe_crash.h"
#include "ixgbe_desc.h"
#include "ixgbe_devices.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "mempool.h"
#include "pci.h"
#include "prefetch.h"
#include "port.h"

/* §8.2.3.8.8 RDRXCTL fields the 82599 wants written by software; not
 * used anywhere else, so they live here rather than in ixgbe_regs.h. */
#define IXGBE_RDRXCTL_RSCFRSTSIZE	(0x1fu << 17)	/* write as 0 */
#define IXGBE_RDRXCTL_RSCACKC		(1u << 25)	/* write as 1 */
#define IXGBE_RDRXCTL_FCOE_WRFIX	(1u << 26)	/* write as 1 */

#define IXGBE_TX_CLEAN_BATCH	32	/* RS / DD granularity, power of two */
#define IXGBE_RX_BURST		64	/* descriptors looked at per round */
#define IXGBE_TX_PREFETCH	32	/* TX descriptors fetched ahead */
#define IXGBE_TX_MIN_LEN	17	/* §7.2.3.2.4: shortest packet the
					 * transmit DMA takes */

#define IXGBE_TXD_CMD		(IXGBE_ADVTXD_DTYP_DATA | IXGBE_ADVTXD_DCMD_DEXT | \
				 IXGBE_ADVTXD_DCMD_IFCS | IXGBE_ADVTXD_DCMD_EOP)

/* Timeouts of the register waits, in milliseconds. */
#define IXGBE_RESET_TIMEOUT	1000
#define IXGBE_EEPROM_TIMEOUT	1000
#define IXGBE_DMAINIT_TIMEOUT	1000
#define IXGBE_QUEUE_TIMEOUT	1000
#define IXGBE_MASTER_TIMEOUT	10
#define IXGBE_SECRX_TIMEOUT	10
#define IXGBE_DRAIN_TIMEOUT	100

#define IXGBE_ALL_ONES		0xffffffffu

#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/*
 * Per-queue state: what the fast path touches is in the first cache line;
 * each queue is owned by one worker thread, so queues are cache-line
 * aligned to keep workers from sharing lines.
 */
struct ixgbe_rxq {
	union ixgbe_adv_rx_desc	*ring;
	struct pkt_buf		**bufs;		/* buffer of each descriptor */
	struct mempool		*pool;
	const struct bar	*bar;
	uint32_t		 rdt;		/* RDT register offset */
	uint16_t		 next;		/* next descriptor to look at */
	uint16_t		 mask;		/* ring size - 1 */
	uint8_t			 discard;	/* inside a frame being dropped */
	/* counters, written by the owner only */
	uint64_t		 nobuf;		/* batches cut short: pool empty */
	uint64_t		 dropped;	/* frames dropped: multi-buffer, RXE */
} __attribute__((aligned(64)));

struct ixgbe_txq {
	union ixgbe_adv_tx_desc	*ring;
	struct pkt_buf		**bufs;
	const struct bar	*bar;
	uint32_t		 tdt;		/* TDT register offset */
	uint16_t		 tail;		/* next descriptor to fill */
	uint16_t		 clean;		/* oldest descriptor not yet freed */
	uint16_t		 mask;
	uint8_t			 reset;		/* IXGBE_TXQ_*: reset step */
	uint64_t		 padded;	/* frames padded to IXGBE_TX_MIN_LEN */
	uint64_t		 dropped;	/* frames over IXGBE_TX_MAX_LEN */
} __attribute__((aligned(64)));

/* Where a TX queue is in a reset (ixgbe_tx_reset()). */
#define IXGBE_TXQ_RUN		0	/* in use */
#define IXGBE_TXQ_STOPPING	1	/* ENABLE cleared, not yet read 0 */
#define IXGBE_TXQ_STARTING	2	/* ring empty again, ENABLE set, not
					 * yet read 1 */

static_assert(sizeof(struct ixgbe_rxq) == 64, "RX queue state is one line");
static_assert(sizeof(struct ixgbe_txq) == 64, "TX queue state is one line");

/* Totals of the clear-on-read statistics registers. */
struct ixgbe_hwstats {
	uint64_t	gprc, gptc, gorc, gotc;
	uint64_t	mpc, qprdc;
	uint64_t	crcerrs, rlec, ruc, rfc, roc, rjc;
	uint64_t	bprc, mprc;
	/* statistics set q, which RX queue q and TX queue q count in
	 * (RQSMR, TQSM: ixgbe_map_qstats()) */
	uint64_t	q_prc[IXGBE_QUEUES_MAX];
	uint64_t	q_brc[IXGBE_QUEUES_MAX];
	uint64_t	q_prdc[IXGBE_QUEUES_MAX];
	uint64_t	q_ptc[IXGBE_QUEUES_MAX];
	uint64_t	q_btc[IXGBE_QUEUES_MAX];
};

struct ixgbe_dev {
	struct port		 port;
	struct bar		 bar;		/* read-only after open */
	struct dma_mem		 rings;		/* every descriptor ring */
	uint16_t		 rx_ring;
	uint16_t		 tx_ring;
	int			 running;
	int			 armed;		/* reset, bus master on, in the
						 * crash table */
	int			 removed;	/* registers read all ones */
	/* control thread only, away from what the workers read */
	struct ixgbe_hwstats	 hw __attribute__((aligned(64)));
	struct ixgbe_rxq	 rxq[IXGBE_QUEUES_MAX];
	struct ixgbe_txq	 txq[IXGBE_QUEUES_MAX];
};

static uint16_t	ixgbe_rx_batch(struct port *, uint16_t, struct pkt_buf **,
		    uint16_t);
static uint16_t	ixgbe_tx_batch(struct port *, uint16_t, struct pkt_buf **,
		    uint16_t);
static void	ixgbe_link(struct port *, struct port_link *);
static void	ixgbe_stats(struct port *, struct port_stats *);
static void	ixgbe_queue_stats(struct port *, uint16_t,
		    struct port_queue_stats *);
static void	ixgbe_set_promisc(struct port *, int);
static void	ixgbe_close(struct port *);
static uint32_t	ixgbe_tx_pending(struct port *, uint16_t, uint32_t *);
static int	ixgbe_tx_reset(struct port *, uint16_t);

static const struct port_ops ixgbe_ops = {
	.rx_batch = ixgbe_rx_batch,
	.tx_batch = ixgbe_tx_batch,
	.link = ixgbe_link,
	.stats = ixgbe_stats,
	.queue_stats = ixgbe_queue_stats,
	.set_promisc = ixgbe_set_promisc,
	.close = ixgbe_close,
	.tx_pending = ixgbe_tx_pending,
	.tx_reset = ixgbe_tx_reset,
};

static inline struct ixgbe_dev *
ixgbe_dev(struct port *p)
{
	return container_of(p, struct ixgbe_dev, port);
}

static inline uint32_t
ixgbe_rd(const struct ixgbe_dev *dev, uint32_t reg)
{
	return bar_read32(&dev->bar, reg);
}

static inline void
ixgbe_wr(const struct ixgbe_dev *dev, uint32_t reg, uint32_t val)
{
	bar_write32(&dev->bar, reg, val);
}

/*
 * A status dword the NIC writes by DMA: read it from memory every time,
 * with acquire ordering (a plain load on x86), so that what the NIC wrote
 * before setting DD is what the fields read after it.
 */
static inline uint32_t
ixgbe_dma_read32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * Descriptor memory and the NIC: the driver's descriptor stores, then a
 * release fence, then the tail write hands them over; a DD read, then an
 * acquire fence, then the write-back fields.  ThreadSanitizer does not
 * model fences (gcc refuses them under -fsanitize=thread, -Wtsan).  Its
 * build runs against the emulated 82599 only, whose tail registers are
 * seq-cst stores the engine loads with acquire (emu82599.c, the
 * doorbells) and whose DD write-back is a release store; with the DD
 * loads above being acquire loads, TSan sees the same order without the
 * fences, so they are left out there and only there.
 */
#ifdef __SANITIZE_THREAD__
#define ixgbe_dma_wmb()	do { } while (0)
#define ixgbe_dma_rmb()	do { } while (0)
#else
#define ixgbe_dma_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define ixgbe_dma_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif

/* ------------------------------------------------------------------ */
/* Control path helpers                                                */

static uint64_t
ixgbe_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
ixgbe_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Poll reg until (reg & mask) == want.  0 when it does; -1 after
 * timeout_ms, or at once when the register reads all ones (the device is
 * gone from the bus), with a message naming the port and what it waited
 * for; quiet callers pass what == NULL and report themselves.
 */
static int
ixgbe_wait_reg(struct ixgbe_dev *dev, uint32_t reg, uint32_t mask,
    uint32_t want, unsigned int timeout_ms, const char *what)
{
	uint64_t deadline = ixgbe_now_us() + (uint64_t)timeout_ms * 1000;
	uint32_t v;

	for (;;) {
		v = ixgbe_rd(dev, reg);
		if (v == IXGBE_ALL_ONES) {
			if (what != NULL)
				log_warnx("%s: device does not respond "
				    "(register 0x%05x reads 0xffffffff) while "
				    "waiting for %s", dev->port.name, reg, what);
			return -1;
		}
		if ((v & mask) == want)
			return 0;
		if (ixgbe_now_us() > deadline)
			break;
		usleep(100);
	}
	if (what != NULL)
		log_warnx("%s: timeout waiting for %s (register 0x%05x = "
		    "0x%08x after %u ms)", dev->port.name, what, reg, v,
		    timeout_ms);
	return -1;
}

static int
ixgbe_is_pow2(uint32_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* The longest untagged frame the NIC will accept, CRC included: without
 * HLREG0.JUMBOEN it takes up to 1518 bytes whatever MAXFRS says
 * (§8.2.3.22.8, §8.2.3.22.13), so a smaller max_frame does not shrink
 * that. */
static uint32_t
ixgbe_max_frame(const struct ixgbe_conf *conf)
{
	return conf->max_frame > IXGBE_FRAME_STD ? conf->max_frame :
	    IXGBE_FRAME_STD;
}

/* Bytes of the longest frame in host memory: §8.2.3.22.13 lets a frame
 * with an 802.1Q tag be 4 bytes longer, and the 4-byte CRC is stripped
 * (HLREG0.RXCRCSTRP): the same as the max frame. */
static uint32_t
ixgbe_rx_need(const struct ixgbe_conf *conf)
{
	return ixgbe_max_frame(conf);
}

/* The RX buffer size programmed for a pool, §8.2.3.8.7: BSIZEPKT in
 * 1 KiB units, 1 to 16 KiB. */
static uint32_t
ixgbe_rx_bsize(const struct mempool *mp)
{
	uint32_t kb = mp->data_size / 1024;

	return (kb > 16 ? 16 : kb) * 1024;
}

static int
ixgbe_check_conf(const struct ixgbe_conf *conf, const char *name)
{
	uint16_t q;

	if (conf->nb_rxq < 1 || conf->nb_rxq > IXGBE_QUEUES_MAX ||
	    conf->nb_txq < 1 || conf->nb_txq > IXGBE_QUEUES_MAX) {
		log_warnx("%s: %u RX and %u TX queues: each must be 1..%u",
		    name, conf->nb_rxq, conf->nb_txq, IXGBE_QUEUES_MAX);
		return -1;
	}
	if (!ixgbe_is_pow2(conf->rx_ring) || conf->rx_ring < IXGBE_RING_MIN ||
	    conf->rx_ring > IXGBE_RING_MAX) {
		log_warnx("%s: RX ring size %u: must be a power of two "
		    "from %u to %u", name, conf->rx_ring, IXGBE_RING_MIN,
		    IXGBE_RING_MAX);
		return -1;
	}
	if (!ixgbe_is_pow2(conf->tx_ring) || conf->tx_ring < IXGBE_RING_MIN ||
	    conf->tx_ring > IXGBE_RING_MAX) {
		log_warnx("%s: TX ring size %u: must be a power of two "
		    "from %u to %u", name, conf->tx_ring, IXGBE_RING_MIN,
		    IXGBE_RING_MAX);
		return -1;
	}
	if (conf->max_frame != 0 && (conf->max_frame < 64 ||
	    conf->max_frame > IXGBE_FRAME_MAX)) {
		log_warnx("%s: maximum frame size %u: must be 64 to %u bytes "
		    "(MTU up to %u)", name, conf->max_frame, IXGBE_FRAME_MAX,
		    IXGBE_FRAME_MAX - 18);
		return -1;
	}
	for (q = 0; q < conf->nb_rxq; q++) {
		if (conf->rx_pool[q] == NULL) {
			log_warnx("%s: RX queue %u has no buffer pool",
			    name, q);
			return -1;
		}
		/* A frame the NIC accepts must fit one buffer. */
		if (ixgbe_rx_bsize(conf->rx_pool[q]) < ixgbe_rx_need(conf)) {
			log_warnx("%s: RX queue %u: buffers of %u bytes "
			    "cannot hold a %u-byte frame (the maximum frame, "
			    "with a VLAN tag, CRC stripped)", name, q,
			    conf->rx_pool[q]->data_size, ixgbe_rx_need(conf));
			return -1;
		}
	}
	if (conf->nb_rxq > 1) {
		if (conf->rss_fields & ~IXGBE_RSS_ALL) {
			log_warnx("%s: RSS fields 0x%x: unknown bits", name,
			    conf->rss_fields);
			return -1;
		}
		for (q = 0; q < IXGBE_RETA_SIZE; q++)
			if (conf->rss_reta[q] >= conf->nb_rxq) {
				log_warnx("%s: RSS redirection entry %u is "
				    "queue %u, the port has %u RX queues", name,
				    q, conf->rss_reta[q], conf->nb_rxq);
				return -1;
			}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Initialisation, §4.6.3                                              */

static void
ixgbe_mask_irqs(struct ixgbe_dev *dev)
{
	/* §4.6.3.1: mask all interrupts, then clear pending causes
	 * (EICR is clear-on-read). */
	ixgbe_wr(dev, IXGBE_EIMC, IXGBE_IRQ_CLEAR_MASK);
	(void)ixgbe_rd(dev, IXGBE_EICR);
}

static int
ixgbe_reset(struct ixgbe_dev *dev)
{
	const char *name = dev->port.name;
	uint32_t ctrl;

	/* §5.2.5.3.2: before a global reset, stop new master requests and
	 * wait until the pending ones have completed (STATUS.GIO master
	 * enable clears). */
	ctrl = ixgbe_rd(dev, IXGBE_CTRL);
	if (ctrl == IXGBE_ALL_ONES) {
		log_warnx("%s: device does not respond (CTRL reads "
		    "0xffffffff)", name);
		return -1;
	}
	ctrl |= IXGBE_CTRL_PCIE_MASTER_DISABLE;
	ixgbe_wr(dev, IXGBE_CTRL, ctrl);
	if (ixgbe_wait_reg(dev, IXGBE_STATUS, IXGBE_STATUS_MASTER_EN, 0,
	    IXGBE_MASTER_TIMEOUT, NULL) == -1) {
		/* 82599 specification update, "Master Disable Flow": the
		 * bit may stay set (flow control, link down).  Then flush
		 * the transmit data path (loopback so nothing leaves,
		 * receive off, GCR_EXT.Buffers_Clear_Func for 20 us) and
		 * reset twice, more than 1 us apart. */
		uint32_t hl = ixgbe_rd(dev, IXGBE_HLREG0);

		log_warnx("%s: GIO master requests still pending %u ms after "
		    "master disable: flushing and resetting twice", name,
		    IXGBE_MASTER_TIMEOUT);
		ixgbe_wr(dev, IXGBE_HLREG0, hl | IXGBE_HLREG0_LPBK);
		ixgbe_wr(dev, IXGBE_RXCTRL,
		    ixgbe_rd(dev, IXGBE_RXCTRL) & ~IXGBE_RXCTRL_RXEN);
		ixgbe_wr(dev, IXGBE_GCR_EXT, ixgbe_rd(dev, IXGBE_GCR_EXT) |
		    IXGBE_GCR_EXT_BUFFERS_CLEAR);
		usleep(20);
		ixgbe_wr(dev, IXGBE_GCR_EXT, ixgbe_rd(dev, IXGBE_GCR_EXT) &
		    ~IXGBE_GCR_EXT_BUFFERS_CLEAR);
		ixgbe_wr(dev, IXGBE_HLREG0, hl);
		ixgbe_wr(dev, IXGBE_CTRL, ctrl | IXGBE_CTRL_RST_MASK);
		usleep(10);
	}

	/* §4.6.3.2: global reset (device and link), then wait for it to
	 * complete and 10 ms more before touching the device; only CTRL
	 * is read meanwhile. */
	ixgbe_wr(dev, IXGBE_CTRL, ctrl | IXGBE_CTRL_RST_MASK);
	ixgbe_sleep_ms(1);
	if (ixgbe_wait_reg(dev, IXGBE_CTRL, IXGBE_CTRL_RST_MASK, 0,
	    IXGBE_RESET_TIMEOUT, "the end of the global reset (CTRL.RST)") == -1)
		return -1;
	ixgbe_sleep_ms(10);

	/* §4.6.3.1 again: the reset left interrupts in their defaults. */
	ixgbe_mask_irqs(dev);

	/* §4.6.3: wait for the EEPROM auto-read (EEC.ARD) and for the DMA
	 * initialisation (RDRXCTL.DMAIDONE) that follow a reset. */
	if (ixgbe_wait_reg(dev, IXGBE_EEC, IXGBE_EEC_ARD, IXGBE_EEC_ARD,
	    IXGBE_EEPROM_TIMEOUT, "EEPROM auto-read (EEC.ARD)") == -1)
		return -1;
	if (ixgbe_wait_reg(dev, IXGBE_RDRXCTL, IXGBE_RDRXCTL_DMAIDONE,
	    IXGBE_RDRXCTL_DMAIDONE, IXGBE_DMAINIT_TIMEOUT,
	    "DMA initialisation (RDRXCTL.DMAIDONE)") == -1)
		return -1;
	return 0;
}

static void
ixgbe_read_mac(struct ixgbe_dev *dev)
{
	uint32_t ral, rah;

	/* §8.2.3.7.9: receive address 0 is loaded from the EEPROM at
	 * reset; it is the port's own MAC address. */
	ral = ixgbe_rd(dev, IXGBE_RAL(0));
	rah = ixgbe_rd(dev, IXGBE_RAH(0));
	dev->port.mac[0] = ral;
	dev->port.mac[1] = ral >> 8;
	dev->port.mac[2] = ral >> 16;
	dev->port.mac[3] = ral >> 24;
	dev->port.mac[4] = rah;
	dev->port.mac[5] = rah >> 8;
	if (!(rah & IXGBE_RAH_AV))
		log_warnx("%s: the EEPROM gave no valid MAC address "
		    "(RAH(0).AV clear)", dev->port.name);
}

static void
ixgbe_setup_link(struct ixgbe_dev *dev)
{
	uint32_t autoc;

	/* §4.6.4, §8.2.3.22.21: an SFI port (the only media ixfwd sets
	 * up, ixgbe_devinfo()): the 10 Gb/s serial PMA/PMD is SFI ... */
	ixgbe_wr(dev, IXGBE_AUTOC2, (ixgbe_rd(dev, IXGBE_AUTOC2) &
	    ~IXGBE_AUTOC2_10G_SERIAL_MASK) | IXGBE_AUTOC2_10G_SFI);
	/* ... §8.2.3.22.19: link mode 10 Gb/s serial without backplane
	 * auto-negotiation, then restart the link so the mode takes
	 * effect. */
	autoc = ixgbe_rd(dev, IXGBE_AUTOC);
	autoc &= ~IXGBE_AUTOC_LMS_MASK;
	autoc |= IXGBE_AUTOC_LMS_10G_SERIAL;
	ixgbe_wr(dev, IXGBE_AUTOC, autoc);
	ixgbe_wr(dev, IXGBE_AUTOC, autoc | IXGBE_AUTOC_AN_RESTART);
}

/* Read (and so clear) every statistics register ixfwd uses, adding them
 * to the totals.  §8.2.3.23: all are clear-on-read; a 36-bit octet
 * counter is read low half first, the high read clears the pair. */
static void
ixgbe_read_hwstats(struct ixgbe_dev *dev, struct ixgbe_hwstats *s)
{
	uint32_t lo, hi;
	uint16_t i;

	s->gprc += ixgbe_rd(dev, IXGBE_GPRC);
	s->gptc += ixgbe_rd(dev, IXGBE_GPTC);
	lo = ixgbe_rd(dev, IXGBE_GORCL);
	hi = ixgbe_rd(dev, IXGBE_GORCH);
	s->gorc += ((uint64_t)(hi & 0xf) << 32) | lo;
	lo = ixgbe_rd(dev, IXGBE_GOTCL);
	hi = ixgbe_rd(dev, IXGBE_GOTCH);
	s->gotc += ((uint64_t)(hi & 0xf) << 32) | lo;
	for (i = 0; i < 8; i++)
		s->mpc += ixgbe_rd(dev, IXGBE_MPC(i));
	/* All 16 queue drop counters, not only the used queues: the
	 * others stay 0, and reading them keeps the first read after open
	 * complete. */
	for (i = 0; i < IXGBE_QUEUES_MAX; i++) {
		uint32_t d = ixgbe_rd(dev, IXGBE_QPRDC(i));

		s->qprdc += d;
		s->q_prdc[i] += d;
	}
	/* QPRC/QBRC and QPTC/QBTC of the sets the queues count in (queue
	 * q in set q, ixgbe_map_qstats()) */
	for (i = 0; i < dev->port.nb_rxq; i++) {
		s->q_prc[i] += ixgbe_rd(dev, IXGBE_QPRC(i));
		lo = ixgbe_rd(dev, IXGBE_QBRC_L(i));
		hi = ixgbe_rd(dev, IXGBE_QBRC_H(i));
		s->q_brc[i] += ((uint64_t)(hi & 0xf) << 32) | lo;
	}
	for (i = 0; i < dev->port.nb_txq; i++) {
		s->q_ptc[i] += ixgbe_rd(dev, IXGBE_QPTC(i));
		lo = ixgbe_rd(dev, IXGBE_QBTC_L(i));
		hi = ixgbe_rd(dev, IXGBE_QBTC_H(i));
		s->q_btc[i] += ((uint64_t)(hi & 0xf) << 32) | lo;
	}
	s->crcerrs += ixgbe_rd(dev, IXGBE_CRCERRS);
	s->rlec += ixgbe_rd(dev, IXGBE_RLEC);
	s->ruc += ixgbe_rd(dev, IXGBE_RUC);
	s->rfc += ixgbe_rd(dev, IXGBE_RFC);
	s->roc += ixgbe_rd(dev, IXGBE_ROC);
	s->rjc += ixgbe_rd(dev, IXGBE_RJC);
	s->bprc += ixgbe_rd(dev, IXGBE_BPRC);
	s->mprc += ixgbe_rd(dev, IXGBE_MPRC);
}

static void
ixgbe_clear_stats(struct ixgbe_dev *dev)
{
	struct ixgbe_hwstats junk;
	uint16_t i;

	/* §4.6.5: statistics registers are cleared by reading them once. */
	memset(&junk, 0, sizeof(junk));
	ixgbe_read_hwstats(dev, &junk);
	for (i = 0; i < IXGBE_QUEUES_MAX; i++) {
		(void)ixgbe_rd(dev, IXGBE_QPRC(i));
		(void)ixgbe_rd(dev, IXGBE_QBRC_L(i));
		(void)ixgbe_rd(dev, IXGBE_QBRC_H(i));
		(void)ixgbe_rd(dev, IXGBE_QPTC(i));
		(void)ixgbe_rd(dev, IXGBE_QBTC_L(i));
		(void)ixgbe_rd(dev, IXGBE_QBTC_H(i));
	}
	(void)ixgbe_rd(dev, IXGBE_ILLERRC);
	(void)ixgbe_rd(dev, IXGBE_ERRBC);
	(void)ixgbe_rd(dev, IXGBE_MLFC);
	(void)ixgbe_rd(dev, IXGBE_MRFC);
	(void)ixgbe_rd(dev, IXGBE_TORL);
	(void)ixgbe_rd(dev, IXGBE_TORH);
	(void)ixgbe_rd(dev, IXGBE_TPR);
	(void)ixgbe_rd(dev, IXGBE_TPT);
	(void)ixgbe_rd(dev, IXGBE_MPTC);
	(void)ixgbe_rd(dev, IXGBE_BPTC);
	(void)ixgbe_rd(dev, IXGBE_RXDGPC);
	(void)ixgbe_rd(dev, IXGBE_TXDGPC);
}

/* RQSMR(i)/TQSM(i) with queue q in set q for the first nq queues. */
static uint32_t
ixgbe_qsm(uint16_t i, uint16_t nq)
{
	uint32_t v = 0;
	uint16_t q;

	for (q = 4 * i; q < 4 * i + 4 && q < nq; q++)
		v |= (uint32_t)q << (8 * (q % 4));
	return v;
}

/*
 * §4.6.5: the per-queue counters count per statistics set, and at reset
 * every queue maps to set 0; RQSMR (§8.2.3.23.71) and TQSM
 * (§8.2.3.23.73) map RX queue q and TX queue q to set q, one byte per
 * queue, the set in bits 3:0.  Written before any queue is enabled, and
 * after every reset (the mapping does not survive one).
 */
static void
ixgbe_map_qstats(struct ixgbe_dev *dev)
{
	uint16_t i;

	for (i = 0; i < IXGBE_QUEUES_MAX / 4; i++) {
		ixgbe_wr(dev, IXGBE_RQSMR(i), ixgbe_qsm(i, dev->port.nb_rxq));
		ixgbe_wr(dev, IXGBE_TQSM(i), ixgbe_qsm(i, dev->port.nb_txq));
	}
}

static uint32_t
ixgbe_fctrl_filters(uint32_t fctrl, int promisc)
{
	/* §8.2.3.7.1: accept broadcast; unicast and multicast promiscuous
	 * on request. */
	fctrl |= IXGBE_FCTRL_BAM;
	if (promisc)
		fctrl |= IXGBE_FCTRL_UPE | IXGBE_FCTRL_MPE;
	else
		fctrl &= ~(IXGBE_FCTRL_UPE | IXGBE_FCTRL_MPE);
	return fctrl;
}

/* The descriptor rings share one DMA allocation: every ring of a port
 * together is at most 2 x 16 x 64 KiB = 2 MiB, one hugepage. */
size_t
ixgbe_rings_size(const struct ixgbe_conf *conf)
{
	return (size_t)conf->rx_ring * sizeof(union ixgbe_adv_rx_desc) *
	    conf->nb_rxq +
	    (size_t)conf->tx_ring * sizeof(union ixgbe_adv_tx_desc) *
	    conf->nb_txq;
}

static int
ixgbe_alloc_rings(struct ixgbe_dev *dev, const struct ixgbe_conf *conf)
{
	size_t rxb = (size_t)dev->rx_ring * sizeof(union ixgbe_adv_rx_desc);
	size_t txb = (size_t)dev->tx_ring * sizeof(union ixgbe_adv_tx_desc);
	size_t off = 0;
	uint16_t q;

	if (dma_alloc(&dev->rings, ixgbe_rings_size(conf), 1) == -1) {
		log_warnx("%s: cannot allocate descriptor rings", dev->port.name);
		return -1;
	}
	/* Ring sizes are multiples of 1 KiB, so every ring is 128-byte
	 * aligned as RDBAL/TDBAL require (§8.2.3.8.1, §8.2.3.9.5). */
	for (q = 0; q < dev->port.nb_rxq; q++, off += rxb) {
		struct ixgbe_rxq *r = &dev->rxq[q];

		r->ring = (void *)((uint8_t *)dev->rings.virt + off);
		/* bufs[] of one queue is written per packet by its worker,
		 * the next queue's by another: lines of their own. */
		r->bufs = calloc_lines(dev->rx_ring, sizeof(*r->bufs));
		if (r->bufs == NULL) {
			log_warn("%s: RX queue %u", dev->port.name, q);
			return -1;
		}
	}
	for (q = 0; q < dev->port.nb_txq; q++, off += txb) {
		struct ixgbe_txq *t = &dev->txq[q];

		t->ring = (void *)((uint8_t *)dev->rings.virt + off);
		t->bufs = calloc_lines(dev->tx_ring, sizeof(*t->bufs));
		if (t->bufs == NULL) {
			log_warn("%s: TX queue %u", dev->port.name, q);
			return -1;
		}
	}
	return 0;
}

static uint64_t
ixgbe_ring_iova(const struct ixgbe_dev *dev, const void *ring)
{
	return dev->rings.iova +
	    (uint64_t)((const uint8_t *)ring - (const uint8_t *)dev->rings.virt);
}

static void	ixgbe_init_rss(struct ixgbe_dev *, const struct ixgbe_conf *);

static void
ixgbe_init_rx(struct ixgbe_dev *dev, const struct ixgbe_conf *conf)
{
	uint32_t v;
	uint16_t q, i;

	/* §4.6.7: keep the receiver off while it is being configured. */
	ixgbe_wr(dev, IXGBE_RXCTRL,
	    ixgbe_rd(dev, IXGBE_RXCTRL) & ~IXGBE_RXCTRL_RXEN);

	/* §4.6.11.3.1 (no DCB, one traffic class): packet buffer 0 takes
	 * all 512 KB of receive buffer memory, the others none. */
	ixgbe_wr(dev, IXGBE_RXPBSIZE(0), IXGBE_RXPBSIZE_512KB);
	for (i = 1; i < 8; i++)
		ixgbe_wr(dev, IXGBE_RXPBSIZE(i), 0);

	/* §4.6.7, §8.2.3.22.8, §8.2.3.8.8: strip the CRC in the MAC and in
	 * the DMA unit (both must agree); RDRXCTL fields software must set. */
	ixgbe_wr(dev, IXGBE_HLREG0,
	    ixgbe_rd(dev, IXGBE_HLREG0) | IXGBE_HLREG0_RXCRCSTRP);
	v = ixgbe_rd(dev, IXGBE_RDRXCTL);
	v &= ~IXGBE_RDRXCTL_RSCFRSTSIZE;
	v |= IXGBE_RDRXCTL_CRCSTRIP | IXGBE_RDRXCTL_RSCACKC |
	    IXGBE_RDRXCTL_FCOE_WRFIX;
	ixgbe_wr(dev, IXGBE_RDRXCTL, v);

	/* §8.2.3.22.8, §8.2.3.22.13: frames over 1518 bytes (1522 with a
	 * VLAN tag) only with JUMBOEN, up to MAXFRS.MFS, which counts the
	 * header and the CRC and to which the NIC adds 4 bytes for a VLAN
	 * tag.  Longer frames are dropped by the MAC and counted in ROC. */
	v = ixgbe_rd(dev, IXGBE_MAXFRS);
	v &= (1u << IXGBE_MAXFRS_MFS_SHIFT) - 1;
	ixgbe_wr(dev, IXGBE_MAXFRS,
	    v | ixgbe_max_frame(conf) << IXGBE_MAXFRS_MFS_SHIFT);
	v = ixgbe_rd(dev, IXGBE_HLREG0);
	if (ixgbe_max_frame(conf) > IXGBE_FRAME_STD)
		v |= IXGBE_HLREG0_JUMBOEN;
	else
		v &= ~IXGBE_HLREG0_JUMBOEN;
	ixgbe_wr(dev, IXGBE_HLREG0, v);

	/* §8.2.3.7.1: receive filters. */
	ixgbe_wr(dev, IXGBE_FCTRL,
	    ixgbe_fctrl_filters(ixgbe_rd(dev, IXGBE_FCTRL), conf->promisc));

	for (q = 0; q < dev->port.nb_rxq; q++) {
		struct ixgbe_rxq *r = &dev->rxq[q];
		uint64_t iova = ixgbe_ring_iova(dev, r->ring);

		/* §4.6.7, §8.2.3.8.7: advanced one-buffer descriptors,
		 * drop when the queue has no descriptor rather than stall
		 * the packet buffer; buffer size in 1 KiB units, the
		 * pool's (ixgbe_check_conf saw it hold a whole frame). */
		v = ixgbe_rd(dev, IXGBE_SRRCTL(q));
		v &= ~(IXGBE_SRRCTL_DESCTYPE_MASK | IXGBE_SRRCTL_BSIZEPKT_MASK);
		v |= IXGBE_SRRCTL_DESCTYPE_ADV_ONEBUF | IXGBE_SRRCTL_DROP_EN |
		    ixgbe_rx_bsize(conf->rx_pool[q]) / 1024;
		ixgbe_wr(dev, IXGBE_SRRCTL(q), v);

		/* §4.6.7, §8.2.3.8.1-3: ring base and length; the ring is
		 * empty for hardware until RDT moves. */
		ixgbe_wr(dev, IXGBE_RDBAL(q), (uint32_t)iova);
		ixgbe_wr(dev, IXGBE_RDBAH(q), (uint32_t)(iova >> 32));
		ixgbe_wr(dev, IXGBE_RDLEN(q),
		    dev->rx_ring * sizeof(union ixgbe_adv_rx_desc));
		ixgbe_wr(dev, IXGBE_RDH(q), 0);
		ixgbe_wr(dev, IXGBE_RDT(q), 0);

		r->pool = conf->rx_pool[q];
		r->bar = &dev->bar;
		r->rdt = IXGBE_RDT(q);
		r->mask = dev->rx_ring - 1;
		r->next = 0;
	}
	if (dev->port.nb_rxq > 1)
		ixgbe_init_rss(dev, conf);

	/* §4.6.7: no-snoop disable: descriptors and buffers are ordinary
	 * cache-coherent memory. */
	ixgbe_wr(dev, IXGBE_CTRL_EXT,
	    ixgbe_rd(dev, IXGBE_CTRL_EXT) | IXGBE_CTRL_EXT_NS_DIS);

	/* §4.6.7 (last step): DCA_RXCTRL bit 12 resets to 1 and must be
	 * cleared.  §8.2.3.11.1: no relaxed ordering for the writes the
	 * driver polls or reads after them (the write-back, with DD, must
	 * not pass the packet data); relaxed descriptor reads stay. */
	for (q = 0; q < dev->port.nb_rxq; q++)
		ixgbe_wr(dev, IXGBE_DCA_RXCTRL(q),
		    ixgbe_rd(dev, IXGBE_DCA_RXCTRL(q)) &
		    ~(IXGBE_DCA_RXCTRL_BIT12 | IXGBE_DCA_RXCTRL_DATA_WRO_EN |
		    IXGBE_DCA_RXCTRL_HEAD_WRO_EN));
}

/*
 * RSS (§4.6.7 "receive initialization": the multiple receive queues are
 * set up with the receiver off, before any queue is enabled; §7.1.2.8):
 * the Toeplitz key (RSSRK, key byte 4i+k in byte k of RSSRK(i)), the
 * redirection table (RETA, entry 4i+k in byte k of RETA(i), the queue in
 * bits 3:0), then MRQC: RSS only (MRQE 0001b) with the hashed fields.
 * RXCSUM.PCSD puts the hash in the write-back instead of the IP id and
 * checksum (§7.1.6.2, RXCSUM in §8.2.3.7).  Only with nb_rxq > 1: with
 * one queue MRQC keeps its reset value 0.  (Queue q counts in statistics
 * set q: ixgbe_map_qstats().)
 */
static void
ixgbe_init_rss(struct ixgbe_dev *dev, const struct ixgbe_conf *conf)
{
	const uint8_t *k = conf->rss_key, *t = conf->rss_reta;
	uint32_t mrqc = IXGBE_MRQC_MRQE_RSS, f = conf->rss_fields;
	uint16_t i;

	for (i = 0; i < IXGBE_RSS_KEY_LEN / 4; i++)
		ixgbe_wr(dev, IXGBE_RSSRK(i), (uint32_t)k[4 * i] |
		    (uint32_t)k[4 * i + 1] << 8 | (uint32_t)k[4 * i + 2] << 16 |
		    (uint32_t)k[4 * i + 3] << 24);
	for (i = 0; i < IXGBE_RETA_SIZE / 4; i++)
		ixgbe_wr(dev, IXGBE_RETA(i), (uint32_t)(t[4 * i] & 0xf) |
		    (uint32_t)(t[4 * i + 1] & 0xf) << 8 |
		    (uint32_t)(t[4 * i + 2] & 0xf) << 16 |
		    (uint32_t)(t[4 * i + 3] & 0xf) << 24);
	if (f & IXGBE_RSS_IPV4)
		mrqc |= IXGBE_MRQC_RSS_IPV4;
	if (f & IXGBE_RSS_IPV4_TCP)
		mrqc |= IXGBE_MRQC_RSS_TCPIPV4;
	if (f & IXGBE_RSS_IPV4_UDP)
		mrqc |= IXGBE_MRQC_RSS_UDPIPV4;
	if (f & IXGBE_RSS_IPV6)
		mrqc |= IXGBE_MRQC_RSS_IPV6;
	if (f & IXGBE_RSS_IPV6_TCP)
		mrqc |= IXGBE_MRQC_RSS_TCPIPV6;
	if (f & IXGBE_RSS_IPV6_UDP)
		mrqc |= IXGBE_MRQC_RSS_UDPIPV6;
	ixgbe_wr(dev, IXGBE_MRQC, mrqc);
	ixgbe_wr(dev, IXGBE_RXCSUM,
	    ixgbe_rd(dev, IXGBE_RXCSUM) | IXGBE_RXCSUM_PCSD);
}


/* §4.6.8, §8.2.3.9.5-9: TX queue q's ring base, length, and an empty
 * ring (head = tail = 0); at bring-up and when a stuck queue is reset. */
static void
ixgbe_tx_ring_base(struct ixgbe_dev *dev, uint16_t q, uint64_t iova)
{
	ixgbe_wr(dev, IXGBE_TDBAL(q), (uint32_t)iova);
	ixgbe_wr(dev, IXGBE_TDBAH(q), (uint32_t)(iova >> 32));
	ixgbe_wr(dev, IXGBE_TDLEN(q),
	    dev->tx_ring * sizeof(union ixgbe_adv_tx_desc));
	ixgbe_wr(dev, IXGBE_TDH(q), 0);
	ixgbe_wr(dev, IXGBE_TDT(q), 0);
}
static void
ixgbe_init_tx(struct ixgbe_dev *dev)
{
	uint16_t q, i;

	/* §4.6.8: CRC insertion and padding of short frames in the MAC. */
	ixgbe_wr(dev, IXGBE_HLREG0, ixgbe_rd(dev, IXGBE_HLREG0) |
	    IXGBE_HLREG0_TXCRCEN | IXGBE_HLREG0_TXPADEN);

	/* §4.6.11.3.1 (no DCB): TX packet buffer 0 takes all 160 KB, and
	 * its threshold (TXPBTHRESH, in KB) leaves room for one packet of
	 * the largest size; unused buffers have size and threshold 0. */
	ixgbe_wr(dev, IXGBE_TXPBSIZE(0), IXGBE_TXPBSIZE_160KB);
	ixgbe_wr(dev, IXGBE_TXPBTHRESH(0),
	    IXGBE_TXPB_KB - IXGBE_TXPKT_MAX_KB);
	for (i = 1; i < 8; i++) {
		ixgbe_wr(dev, IXGBE_TXPBSIZE(i), 0);
		ixgbe_wr(dev, IXGBE_TXPBTHRESH(i), 0);
	}

	/* §4.6.8, §8.2.3.9.1: no limit on the outstanding bytes of
	 * descriptor and data requests. */
	ixgbe_wr(dev, IXGBE_DTXMXSZRQ, 0xffff);

	/* §4.6.11.1.1, §8.2.3.9.15: MTQC may change only while the
	 * descriptor arbiter is off: 64 queues, no DCB, no VT; then turn the
	 * arbiter back on. */
	ixgbe_wr(dev, IXGBE_RTTDCS,
	    ixgbe_rd(dev, IXGBE_RTTDCS) | IXGBE_RTTDCS_ARBDIS);
	ixgbe_wr(dev, IXGBE_MTQC, 0);
	ixgbe_wr(dev, IXGBE_RTTDCS,
	    ixgbe_rd(dev, IXGBE_RTTDCS) & ~IXGBE_RTTDCS_ARBDIS);

	for (q = 0; q < dev->port.nb_txq; q++) {
		struct ixgbe_txq *t = &dev->txq[q];
		uint64_t iova = ixgbe_ring_iova(dev, t->ring);

		ixgbe_tx_ring_base(dev, q, iova);
		/* §8.2.3.11.2: the descriptor write-back (DD) is not
		 * relaxed-ordered, as for RX in ixgbe_init_rx(). */
		ixgbe_wr(dev, IXGBE_DCA_TXCTRL(q), ixgbe_rd(dev,
		    IXGBE_DCA_TXCTRL(q)) & ~IXGBE_DCA_TXCTRL_DESC_WRO_EN);

		/* §7.2.3.4.1, §8.2.3.9.10: prefetch when 36 descriptors are
		 * free in the on-chip cache and at least 8 are ready;
		 * WTHRESH 0: write back each RS descriptor at once (RS is
		 * on one descriptor in IXGBE_TX_CLEAN_BATCH). */
		ixgbe_wr(dev, IXGBE_TXDCTL(q),
		    (36u << IXGBE_TXDCTL_PTHRESH_SHIFT) |
		    (8u << IXGBE_TXDCTL_HTHRESH_SHIFT) |
		    (0u << IXGBE_TXDCTL_WTHRESH_SHIFT));

		t->bar = &dev->bar;
		t->tdt = IXGBE_TDT(q);
		t->mask = dev->tx_ring - 1;
		t->tail = 0;
		t->clean = 0;
		t->reset = IXGBE_TXQ_RUN;
	}
}

static int
ixgbe_start_rx(struct ixgbe_dev *dev)
{
	const char *name = dev->port.name;
	char what[64];
	uint16_t q, i;

	for (q = 0; q < dev->port.nb_rxq; q++) {
		struct ixgbe_rxq *r = &dev->rxq[q];

		/* Every descriptor holds a buffer, one bulk allocation. */
		if (r->pool->nfree < dev->rx_ring) {
			log_warnx("%s: RX queue %u: its pool has %u free "
			    "buffers, the ring needs %u (and more to refill "
			    "it)", name, q, r->pool->nfree, dev->rx_ring);
			return -1;
		}
		(void)mempool_alloc_bulk(r->pool, r->bufs, dev->rx_ring);
		for (i = 0; i < dev->rx_ring; i++) {
			r->ring[i].read.pkt_addr = pkt_iova(r->bufs[i]);
			r->ring[i].read.hdr_addr = 0;
		}
		ixgbe_dma_wmb();

		/* §4.6.7: enable the queue, wait until the NIC says it is
		 * enabled, then hand it the descriptors: all but one. */
		ixgbe_wr(dev, IXGBE_RXDCTL(q),
		    ixgbe_rd(dev, IXGBE_RXDCTL(q)) | IXGBE_RXDCTL_ENABLE);
		snprintf(what, sizeof(what), "RX queue %u to start "
		    "(RXDCTL.ENABLE)", q);
		if (ixgbe_wait_reg(dev, IXGBE_RXDCTL(q), IXGBE_RXDCTL_ENABLE,
		    IXGBE_RXDCTL_ENABLE, IXGBE_QUEUE_TIMEOUT, what) == -1)
			return -1;
		ixgbe_wr(dev, IXGBE_RDT(q), r->mask);
	}

	/* §4.6.7, §8.2.3.12.1: the security block must be idle while RXEN
	 * changes: stop it, wait until it is ready, enable, release. */
	ixgbe_wr(dev, IXGBE_SECRXCTRL,
	    ixgbe_rd(dev, IXGBE_SECRXCTRL) | IXGBE_SECRXCTRL_RX_DIS);
	if (ixgbe_wait_reg(dev, IXGBE_SECRXSTAT, IXGBE_SECRXSTAT_SECRX_RDY,
	    IXGBE_SECRXSTAT_SECRX_RDY, IXGBE_SECRX_TIMEOUT, NULL) == -1)
		log_debug("%s: RX security block not idle (SECRXSTAT."
		    "SECRX_RDY) before enabling receive", name);
	ixgbe_wr(dev, IXGBE_RXCTRL,
	    ixgbe_rd(dev, IXGBE_RXCTRL) | IXGBE_RXCTRL_RXEN);
	ixgbe_wr(dev, IXGBE_SECRXCTRL,
	    ixgbe_rd(dev, IXGBE_SECRXCTRL) & ~IXGBE_SECRXCTRL_RX_DIS);
	return 0;
}

static int
ixgbe_start_tx(struct ixgbe_dev *dev)
{
	char what[64];
	uint16_t q;

	/* §4.6.8: the transmit DMA is enabled before any queue. */
	ixgbe_wr(dev, IXGBE_DMATXCTL,
	    ixgbe_rd(dev, IXGBE_DMATXCTL) | IXGBE_DMATXCTL_TE);
	for (q = 0; q < dev->port.nb_txq; q++) {
		/* §4.6.8: enable the queue and poll until it reads back. */
		ixgbe_wr(dev, IXGBE_TXDCTL(q),
		    ixgbe_rd(dev, IXGBE_TXDCTL(q)) | IXGBE_TXDCTL_ENABLE);
		snprintf(what, sizeof(what), "TX queue %u to start "
		    "(TXDCTL.ENABLE)", q);
		if (ixgbe_wait_reg(dev, IXGBE_TXDCTL(q), IXGBE_TXDCTL_ENABLE,
		    IXGBE_TXDCTL_ENABLE, IXGBE_QUEUE_TIMEOUT, what) == -1)
			return -1;
	}
	return 0;
}

/*
 * A register that reads all ones is a device no longer on the bus
 * (surprise removal, a dead link to it): the root port completes the
 * read that way.  STATUS never reads all ones on a working 82599
 * (§8.2.3.1.2: reserved bits read 0), so it confirms.  Once gone, the
 * device stays gone for this port.
 */
static int
ixgbe_gone(struct ixgbe_dev *dev, uint32_t v)
{
	if (__atomic_load_n(&dev->removed, __ATOMIC_RELAXED))
		return 1;
	if (v != IXGBE_ALL_ONES || ixgbe_rd(dev, IXGBE_STATUS) != IXGBE_ALL_ONES)
		return 0;
	__atomic_store_n(&dev->removed, 1, __ATOMIC_RELAXED);
	return 1;
}

static void
ixgbe_link_status(struct ixgbe_dev *dev, struct port_link *l)
{
	uint32_t links = ixgbe_rd(dev, IXGBE_LINKS);

	/* §8.2.3.22.20 LINKS: link up and its speed. */
	l->failed = ixgbe_gone(dev, links);
	l->up = !l->failed && (links & IXGBE_LINKS_UP) != 0;
	l->speed_mbps = 0;
	if (!l->up)
		return;
	switch (links & IXGBE_LINKS_SPEED_MASK) {
	case IXGBE_LINKS_SPEED_10G:
		l->speed_mbps = 10000;
		break;
	case IXGBE_LINKS_SPEED_1G:
		l->speed_mbps = 1000;
		break;
	case IXGBE_LINKS_SPEED_100M:
		l->speed_mbps = 100;
		break;
	}
}

static void
ixgbe_wait_link(struct ixgbe_dev *dev, uint32_t timeout_ms)
{
	uint64_t deadline = ixgbe_now_us() + (uint64_t)timeout_ms * 1000;
	struct port_link l;

	for (;;) {
		ixgbe_link_status(dev, &l);
		if (l.up) {
			log_info("%s: link up at %s", dev->port.name,
			    l.speed_mbps == 10000 ? "10 Gbit/s" :
			    l.speed_mbps == 1000 ? "1 Gbit/s" :
			    l.speed_mbps == 100 ? "100 Mbit/s" :
			    "an unknown speed");
			return;
		}
		if (ixgbe_now_us() > deadline)
			break;
		usleep(1000);
	}
	log_warnx("%s: no link after %u ms; the port is up and will "
	    "forward once the link comes up", dev->port.name, timeout_ms);
}

/*
 * Stop the queues and the DMA engines, then reset the device and turn bus
 * mastering off, and only then give back every buffer the rings hold and
 * free what open allocated.  Safe on a partly opened device.
 *
 * A queue that does not stop in time is not a reason to free memory the
 * NIC may still write: the global reset (§4.6.3.2) stops every queue and
 * DMA engine whatever they were doing, and with bus mastering off (PCI
 * command register) the device cannot reach memory at all.  Only when
 * neither can be confirmed (the reset does not complete and the command
 * register does not read back) is the memory kept, never freed, for the
 * rest of the process (dma_keep_all()).
 */
static void
ixgbe_teardown(struct ixgbe_dev *dev)
{
	char what[64];
	uint16_t q, i;
	int stopped = 1;

	if (dev->running && __atomic_load_n(&dev->removed, __ATOMIC_RELAXED)) {
		/* Nothing to stop on a device that is gone; the reset
		 * below fails, and bus mastering off decides. */
		dev->running = 0;
		stopped = 0;
	}
	if (dev->running) {
		/* §4.6.7.1: disable each RX queue and wait until the NIC
		 * has stopped using its ring. */
		for (q = 0; q < dev->port.nb_rxq; q++) {
			ixgbe_wr(dev, IXGBE_RXDCTL(q),
			    ixgbe_rd(dev, IXGBE_RXDCTL(q)) &
			    ~IXGBE_RXDCTL_ENABLE);
			snprintf(what, sizeof(what), "RX queue %u to stop "
			    "(RXDCTL.ENABLE)", q);
			if (ixgbe_wait_reg(dev, IXGBE_RXDCTL(q),
			    IXGBE_RXDCTL_ENABLE, 0, IXGBE_QUEUE_TIMEOUT,
			    what) == -1)
				stopped = 0;
		}
		ixgbe_wr(dev, IXGBE_RXCTRL,
		    ixgbe_rd(dev, IXGBE_RXCTRL) & ~IXGBE_RXCTRL_RXEN);

		/* §4.6.8.1: let each TX queue drain (TDH reaches TDT),
		 * then disable it and wait for the readback. */
		for (q = 0; q < dev->port.nb_txq; q++) {
			uint64_t deadline = ixgbe_now_us() +
			    IXGBE_DRAIN_TIMEOUT * 1000;
			uint32_t tdh;

			while ((tdh = ixgbe_rd(dev, IXGBE_TDH(q))) !=
			    ixgbe_rd(dev, IXGBE_TDT(q)) &&
			    tdh != IXGBE_ALL_ONES &&
			    ixgbe_now_us() < deadline)
				usleep(100);
			ixgbe_wr(dev, IXGBE_TXDCTL(q),
			    ixgbe_rd(dev, IXGBE_TXDCTL(q)) &
			    ~IXGBE_TXDCTL_ENABLE);
			snprintf(what, sizeof(what), "TX queue %u to stop "
			    "(TXDCTL.ENABLE)", q);
			if (ixgbe_wait_reg(dev, IXGBE_TXDCTL(q),
			    IXGBE_TXDCTL_ENABLE, 0, IXGBE_QUEUE_TIMEOUT,
			    what) == -1)
				stopped = 0;
		}
		ixgbe_wr(dev, IXGBE_DMATXCTL,
		    ixgbe_rd(dev, IXGBE_DMATXCTL) & ~IXGBE_DMATXCTL_TE);

		/* §8.2.3.1.3: tell firmware the driver is gone. */
		ixgbe_wr(dev, IXGBE_CTRL_EXT,
		    ixgbe_rd(dev, IXGBE_CTRL_EXT) & ~IXGBE_CTRL_EXT_DRV_LOAD);
		dev->running = 0;
		if (!stopped)
			log_warnx("%s: a queue did not stop; resetting the "
			    "device before its memory is freed", dev->port.name);
	}

	if (dev->armed) {
		int reset_ok, master_off;

		/* §4.6.3.2: the global reset ends whatever DMA is left;
		 * then no bus mastering until the next open. */
		reset_ok = ixgbe_reset(dev) == 0;
		master_off = pci_set_master(&dev->bar, 0) == 0 &&
		    dev->bar.cfg.valid;
		ixgbe_crash_disarm(&dev->bar);
		dev->armed = 0;
		if (!master_off && dev->bar.cfg.valid)
			log_warnx("%s: cannot turn bus mastering off",
			    dev->port.name);
		if (!reset_ok && !master_off) {
			log_warnx("%s: the device could not be stopped (no "
			    "completed reset, bus mastering not off): its DMA "
			    "memory is kept, not freed; reset the device "
			    "(or reboot) before this memory is reused",
			    dev->port.name);
			dma_keep_all();
			return;
		}
	}

	for (q = 0; q < IXGBE_QUEUES_MAX; q++) {
		struct ixgbe_rxq *r = &dev->rxq[q];
		struct ixgbe_txq *t = &dev->txq[q];

		if (r->bufs != NULL) {
			for (i = 0; i < dev->rx_ring; i++)
				if (r->bufs[i] != NULL)
					pkt_free(r->bufs[i]);
			free(r->bufs);
			r->bufs = NULL;
		}
		if (t->bufs != NULL) {
			for (i = t->clean; i != t->tail; i = (i + 1) & t->mask)
				pkt_free(t->bufs[i]);
			free(t->bufs);
			t->bufs = NULL;
		}
	}
	dma_free(&dev->rings);
}

/* A device struct around bar for a reset outside open: only the register
 * window and a name. */
int
ixgbe_quiesce(const struct bar *bar, const char *name)
{
	struct ixgbe_dev *dev;
	int rc;

	if ((dev = calloc_lines(1, sizeof(*dev))) == NULL) {
		log_warn("%s", name);
		return -1;
	}
	dev->bar = *bar;
	strncpy(dev->port.name, name, sizeof(dev->port.name) - 1);
	if (ixgbe_rd(dev, IXGBE_STATUS) == IXGBE_ALL_ONES) {
		log_warnx("%s: device does not respond (STATUS reads "
		    "0xffffffff): is it still on the bus?", name);
		free(dev);
		return -1;
	}
	/* §4.6.3.1, §4.6.3.2 */
	ixgbe_mask_irqs(dev);
	rc = ixgbe_reset(dev);
	free(dev);
	return rc;
}

struct port *
ixgbe_open(const struct bar *bar, const struct ixgbe_conf *conf)
{
	const char *name = conf->name != NULL ? conf->name : "ixgbe";
	const struct ixgbe_devinfo *di;
	struct ixgbe_dev *dev;

	if (ixgbe_check_conf(conf, name) == -1)
		return NULL;
	if (bar->ops == NULL && bar->mmio == NULL) {
		log_warnx("%s: no register window (BAR0 not mapped)", name);
		return NULL;
	}
	if ((di = ixgbe_devinfo(bar->device_id)) == NULL) {
		log_warnx("%s: PCI device ID 0x%04x is not an 82599-family NIC",
		    name, bar->device_id);
		return NULL;
	}
	if (!di->supported) {
		log_warnx("%s: Intel %s (8086:%04x) is not supported yet: %s",
		    name, di->name, di->device, di->why);
		return NULL;
	}

	if ((dev = calloc_lines(1, sizeof(*dev))) == NULL) {
		log_warn("%s", name);
		return NULL;
	}
	dev->bar = *bar;
	dev->port.ops = &ixgbe_ops;
	dev->port.kind = "ixgbe";
	strncpy(dev->port.name, name, sizeof(dev->port.name) - 1);
	dev->port.nb_rxq = conf->nb_rxq;
	dev->port.nb_txq = conf->nb_txq;
	dev->rx_ring = conf->rx_ring;
	dev->tx_ring = conf->tx_ring;

	if (ixgbe_rd(dev, IXGBE_STATUS) == IXGBE_ALL_ONES) {
		log_warnx("%s: device does not respond (STATUS reads "
		    "0xffffffff): is it still on the bus?", name);
		goto fail;
	}

	/* §4.6.3.1, §4.6.3.2: reset before any memory of this port is
	 * handed to the NIC; a crash from here on resets it again
	 * (ixgbe_crash.c), and only then may it master the bus. */
	ixgbe_mask_irqs(dev);
	if (ixgbe_reset(dev) == -1)
		goto fail;
	if (ixgbe_crash_arm(&dev->bar) == -1)
		goto fail;
	dev->armed = 1;
	if (pci_set_master(&dev->bar, 1) == -1) {
		log_warn("%s: cannot turn bus mastering on", name);
		goto fail;
	}

	ixgbe_read_mac(dev);
	/* §8.2.3.1.3: tell firmware a driver now runs the port. */
	ixgbe_wr(dev, IXGBE_CTRL_EXT,
	    ixgbe_rd(dev, IXGBE_CTRL_EXT) | IXGBE_CTRL_EXT_DRV_LOAD);
	ixgbe_setup_link(dev);		/* §4.6.4 */
	ixgbe_clear_stats(dev);		/* §4.6.5 */
	ixgbe_map_qstats(dev);

	if (ixgbe_alloc_rings(dev, conf) == -1)
		goto fail;
	ixgbe_init_rx(dev, conf);	/* §4.6.7 */
	ixgbe_init_tx(dev);		/* §4.6.8 */
	dev->running = 1;
	if (ixgbe_start_rx(dev) == -1 || ixgbe_start_tx(dev) == -1)
		goto fail;

	if (conf->link_timeout_ms > 0)
		ixgbe_wait_link(dev, conf->link_timeout_ms);
	log_debug("%s: %u RX queue(s) of %u, %u TX queue(s) of %u, MAC "
	    "%02x:%02x:%02x:%02x:%02x:%02x", name, conf->nb_rxq, conf->rx_ring,
	    conf->nb_txq, conf->tx_ring, dev->port.mac[0], dev->port.mac[1],
	    dev->port.mac[2], dev->port.mac[3], dev->port.mac[4],
	    dev->port.mac[5]);
	return &dev->port;

fail:
	ixgbe_teardown(dev);
	free(dev);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Fast path: no logging, no locks, no syscalls, no allocation beyond   */
/* the mempool.                                                        */

/* The slow branch of RX: a frame spanning descriptors (cannot happen with
 * buffers that hold the largest frame MAXFRS lets in, but must not hurt:
 * never delivered in part), or one with a MAC
 * error (only stored when FCTRL.SBP is set).  Every descriptor of such a
 * frame is dropped, and the frame counted once, at its EOP.  Returns the
 * new discard state. */
static inline uint8_t
ixgbe_rx_drop(struct ixgbe_rxq *r, uint32_t status)
{
	if (!(status & IXGBE_RXD_STAT_EOP))
		return 1;
	__atomic_store_n(&r->dropped, r->dropped + 1, __ATOMIC_RELAXED);
	return 0;
}

static uint16_t
ixgbe_rx_batch(struct port *p, uint16_t qi, struct pkt_buf **out, uint16_t n)
{
	struct ixgbe_rxq *r = &ixgbe_dev(p)->rxq[qi];
	union ixgbe_adv_rx_desc *ring = r->ring;
	struct pkt_buf *fresh[IXGBE_RX_BURST];
	uint16_t mask = r->mask, idx = r->next, got = 0;
	uint8_t discard = r->discard;
	uint32_t want, nd, na, i;

	while (got < n) {
		want = n - got;
		if (want > IXGBE_RX_BURST)
			want = IXGBE_RX_BURST;
		/* How many descriptors are done: stop at the first without
		 * DD (§7.1.9); fields are read only after the fence. */
		for (nd = 0; nd < want; nd++)
			if (!(ixgbe_dma_read32(&ring[(idx + nd) & mask].wb.
			    status_error) & IXGBE_RXD_STAT_DD))
				break;
		if (nd == 0)
			break;
		ixgbe_dma_rmb();

		/* A fresh buffer for each descriptor, in one go.  Short of
		 * buffers, stop where they run out: the NIC then drops into
		 * QPRDC until buffers come back. */
		na = mempool_alloc_bulk(r->pool, fresh, nd);
		if (__builtin_expect(na < nd, 0)) {
			__atomic_store_n(&r->nobuf, r->nobuf + 1,
			    __ATOMIC_RELAXED);
			nd = na;
		}
		for (i = 0; i < nd; i++) {
			union ixgbe_adv_rx_desc *d = &ring[idx];
			uint32_t status = d->wb.status_error;
			uint32_t lo = d->wb.lo_dword, hi = d->wb.hi_dword;
			uint16_t len = d->wb.length;
			struct pkt_buf *b = r->bufs[idx];
			struct pkt_buf *nb = fresh[i];

			r->bufs[idx] = nb;
			d->read.pkt_addr = pkt_iova(nb);
			d->read.hdr_addr = 0;		/* clears DD */
			idx = (idx + 1) & mask;
			if (__builtin_expect((status & (IXGBE_RXD_STAT_EOP |
			    IXGBE_RXDADV_ERR_RXE)) == IXGBE_RXD_STAT_EOP &&
			    !discard, 1)) {
				b->len = len;
				b->data_off = PKT_HEADROOM;
				/* §7.1.6.2: RSS type 3:0, packet type 16:4;
				 * the hash (with RXCSUM.PCSD) in hi_dword. */
				b->rss_hash = hi;
				b->rss_type = (uint8_t)(lo & 0xf);
				b->ptype = (uint16_t)((lo >> 4) & 0x1fff);
				out[got++] = b;
			} else {
				discard = ixgbe_rx_drop(r, status);
				pkt_free(b);
			}
		}
		if (nd < want)
			break;
	}
	if (idx != r->next) {
		r->next = idx;
		r->discard = discard;
		/* Descriptors first, then the tail that hands them over. */
		ixgbe_dma_wmb();
		bar_write32(r->bar, r->rdt, (uint32_t)((idx - 1) & mask));
	}
	return got;
}

static uint16_t
ixgbe_tx_batch(struct port *p, uint16_t qi, struct pkt_buf **bufs, uint16_t n)
{
	struct ixgbe_txq *t = &ixgbe_dev(p)->txq[qi];
	union ixgbe_adv_tx_desc *ring = t->ring;
	uint16_t mask = t->mask, tail = t->tail, clean = t->clean;
	uint16_t room, i, j;

	/* A queue being reset takes nothing until it runs again. */
	if (__builtin_expect(t->reset != IXGBE_TXQ_RUN, 0))
		return 0;

	/* Clean: a group of IXGBE_TX_CLEAN_BATCH descriptors is done when
	 * its last one (the only one with RS) has DD. */
	while (((tail - clean) & mask) >= IXGBE_TX_CLEAN_BATCH) {
		uint16_t last = (clean + IXGBE_TX_CLEAN_BATCH - 1) & mask;

		if (!(ixgbe_dma_read32(&ring[last].wb.status) &
		    IXGBE_ADVTXD_STAT_DD))
			break;
		ixgbe_dma_rmb();
		for (j = 0; j < IXGBE_TX_CLEAN_BATCH; j++)
			pkt_free(t->bufs[(clean + j) & mask]);
		clean = (clean + IXGBE_TX_CLEAN_BATCH) & mask;
	}
	t->clean = clean;

	/* One descriptor stays empty: TDH == TDT means an empty ring. */
	room = mask - ((tail - clean) & mask);
	if (n > room)
		n = room;
	for (i = 0, j = 0; i < n; i++) {
		struct pkt_buf *b = bufs[i];
		union ixgbe_adv_tx_desc *d = &ring[tail];
		uint32_t cmd;

		/* No frame longer than the largest jumbo frame: the TX
		 * packet buffer keeps room for one of 10 KB (TXPBTHRESH,
		 * §4.6.11.3.1).  Only a buffer over 9.5 KiB could hold
		 * one.  Taken and freed, never sent. */
		if (__builtin_expect(b->len > IXGBE_TX_MAX_LEN, 0)) {
			pkt_free(b);
			__atomic_store_n(&t->dropped, t->dropped + 1,
			    __ATOMIC_RELAXED);
			continue;
		}
		j++;

		/* §7.2.3.2.4: the DMA takes packets of 17 bytes or more
		 * (the MAC pads to 64 on the wire, TXPADEN); a shorter one,
		 * never a valid frame anyway, is padded with zeros. */
		if (__builtin_expect(b->len < IXGBE_TX_MIN_LEN, 0)) {
			memset(pkt_data(b) + b->len, 0,
			    IXGBE_TX_MIN_LEN - b->len);
			b->len = IXGBE_TX_MIN_LEN;
			__atomic_store_n(&t->padded, t->padded + 1,
			    __ATOMIC_RELAXED);
		}
		cmd = IXGBE_TXD_CMD | b->len;

		/* RS on the last descriptor of each aligned group. */
		if ((tail & (IXGBE_TX_CLEAN_BATCH - 1)) ==
		    IXGBE_TX_CLEAN_BATCH - 1)
			cmd |= IXGBE_ADVTXD_DCMD_RS;
		t->bufs[tail] = b;
		d->read.buffer_addr = pkt_iova(b);
		d->read.cmd_type_len = cmd;
		d->read.olinfo_status =
		    (uint32_t)b->len << IXGBE_ADVTXD_PAYLEN_SHIFT;
		tail = (tail + 1) & mask;
	}
	if (j > 0) {
		/* read by ixgbe_tx_pending() on the control thread */
		__atomic_store_n(&t->tail, tail, __ATOMIC_RELAXED);
		ixgbe_dma_wmb();
		bar_write32(t->bar, t->tdt, tail);
	}
	/* The lines the next batch will write were last read by the NIC:
	 * start taking them back now, for writing, rather than when the
	 * stores reach them. */
	room -= j;
	for (i = 0; i < IXGBE_TX_PREFETCH && i < room; i += 4)
		prefetchw(&ring[(tail + i) & mask]);
	return n;
}

/* ------------------------------------------------------------------ */
/* Control path                                                        */

static void
ixgbe_link(struct port *p, struct port_link *l)
{
	ixgbe_link_status(ixgbe_dev(p), l);
}

static void
ixgbe_stats(struct port *p, struct port_stats *st)
{
	struct ixgbe_dev *dev = ixgbe_dev(p);
	struct ixgbe_hwstats *s = &dev->hw;
	struct ixgbe_driver_stats ds;

	/* A device gone from the bus reads all ones: its counters keep
	 * their last totals. */
	if (!ixgbe_gone(dev, ixgbe_rd(dev, IXGBE_STATUS)))
		ixgbe_read_hwstats(dev, s);
	memset(st, 0, sizeof(*st));
	st->rx_packets = s->gprc;
	st->tx_packets = s->gptc;
	/* §8.2.3.23: the octet counters include the CRC; ixfwd counts
	 * frames without it, as the pipeline sees them. */
	st->rx_bytes = s->gorc - 4 * s->gprc;
	st->tx_bytes = s->gotc - 4 * s->gptc;
	st->rx_missed = s->mpc + s->qprdc;
	st->rx_errors = s->crcerrs + s->rlec + s->ruc + s->rfc + s->roc +
	    s->rjc;
	st->rx_broadcast = s->bprc;
	st->rx_multicast = s->mprc;
	/* §8.2.3.23: CRCERRS, RLEC; RUC and RFC (runts, fragments); ROC
	 * and RJC (oversize, jabber). */
	st->rx_crc_errors = s->crcerrs;
	st->rx_length_errors = s->rlec;
	st->rx_undersize = s->ruc + s->rfc;
	st->rx_oversize = s->roc + s->rjc;
	ixgbe_driver_stats(p, &ds);
	st->rx_nobuf = ds.rx_nobuf;
	st->rx_dropped = ds.rx_dropped;
	st->tx_padded = ds.tx_padded;
	st->tx_dropped = ds.tx_dropped;
}

/* §8.2.3.23: QPRC, QBRC and QPRDC of set q (RX queue q), QPTC and QBTC
 * of set q (TX queue q); the byte counters are 36 bits, low half first,
 * the bytes DMA'd without CRC.  Clear-on-read, added to the totals since
 * open. */
static void
ixgbe_queue_stats(struct port *p, uint16_t q, struct port_queue_stats *st)
{
	struct ixgbe_dev *dev = ixgbe_dev(p);
	struct ixgbe_hwstats *s = &dev->hw;

	memset(st, 0, sizeof(*st));
	if (q >= p->nb_rxq && q >= p->nb_txq)
		return;
	/* As ixgbe_stats(): a device gone keeps its last totals. */
	if (!ixgbe_gone(dev, ixgbe_rd(dev, IXGBE_STATUS)))
		ixgbe_read_hwstats(dev, s);
	if (q < p->nb_rxq) {
		st->rx_packets = s->q_prc[q];
		st->rx_bytes = s->q_brc[q];
		st->rx_dropped = s->q_prdc[q];
	}
	if (q < p->nb_txq) {
		st->tx_packets = s->q_ptc[q];
		st->tx_bytes = s->q_btc[q];
	}
}

static void
ixgbe_set_promisc(struct port *p, int on)
{
	struct ixgbe_dev *dev = ixgbe_dev(p);

	/* §8.2.3.7.1 */
	ixgbe_wr(dev, IXGBE_FCTRL,
	    ixgbe_fctrl_filters(ixgbe_rd(dev, IXGBE_FCTRL), on));
}

/* After the workers have stopped: the buffers the rings hold go back to
 * their pools (on this thread), and the port releases the register
 * window it was given (ixgbe.h: the port owns bar); p is gone. */
static void
ixgbe_close(struct port *p)
{
	struct ixgbe_dev *dev = ixgbe_dev(p);

	ixgbe_teardown(dev);
	pci_close(&dev->bar);
	free(dev);
}

void
ixgbe_driver_stats(struct port *p, struct ixgbe_driver_stats *ds)
{
	struct ixgbe_dev *dev = ixgbe_dev(p);
	uint16_t q;

	memset(ds, 0, sizeof(*ds));
	for (q = 0; q < p->nb_txq; q++) {
		ds->tx_padded += __atomic_load_n(&dev->txq[q].padded,
		    __ATOMIC_RELAXED);
		ds->tx_dropped += __atomic_load_n(&dev->txq[q].dropped,
		    __ATOMIC_RELAXED);
	}
	for (q = 0; q < p->nb_rxq; q++) {
		ds->rx_nobuf += __atomic_load_n(&dev->rxq[q].nobuf,
		    __ATOMIC_RELAXED);
		ds->rx_dropped += __atomic_load_n(&dev->rxq[q].dropped,
		    __ATOMIC_RELAXED);
	}
}

/*
 * Control thread: how far TX queue qi's head (TDH, §8.2.3.9.8) is behind
 * the tail the worker last gave it.  A head that stays put with
 * descriptors pending is a queue that stopped (the pipeline's watchdog).
 */
static uint32_t
ixgbe_tx_pending(struct port *p, uint16_t qi, uint32_t *head)
{
	struct ixgbe_dev *dev = ixgbe_dev(p);
	struct ixgbe_txq *t = &dev->txq[qi];
	uint16_t tail = __atomic_load_n(&t->tail, __ATOMIC_RELAXED);
	uint32_t tdh = ixgbe_rd(dev, IXGBE_TDH(qi));

	*head = tdh;
	if (tdh == IXGBE_ALL_ONES || tdh > t->mask)
		return 0;
	return (uint32_t)((tail - tdh) & t->mask);
}

/*
 * The worker owning TX queue qi, at a batch boundary: one step of
 * restarting a queue whose head stopped moving.  Each step reads TXDCTL
 * once, writes what it has to and returns; none waits for the NIC, so
 * the worker goes on serving its other queues between steps (the caller
 * bounds how long it keeps asking).
 *
 *   RUN: §4.6.8.1: clear TXDCTL.ENABLE.  The queue may still be
 *	finishing what it had in flight: its ring and buffers are still
 *	the NIC's.
 *   STOPPING: until ENABLE reads 0 (§4.6.8.1, §8.2.3.9.10).  Then the
 *	queue no longer fetches or writes back: its descriptors are the
 *	driver's again and the buffers still on them go back to their
 *	pools, never sent.  §4.6.8: the queue is initialised as at start
 *	(TDBAL/TDBAH/TDLEN, TDH = TDT = 0, §8.2.3.9.5-9; TDH is written
 *	only while the queue is disabled) and ENABLE set.
 *   STARTING: until ENABLE reads 1 (§4.6.8); then the queue is used
 *	again, empty.
 *
 * PORT_TX_RESET_BUSY while a step waits on the NIC, 0 once the queue
 * runs again, -1 when the device is gone.
 */
static int
ixgbe_tx_reset(struct port *p, uint16_t qi)
{
	struct ixgbe_dev *dev = ixgbe_dev(p);
	struct ixgbe_txq *t = &dev->txq[qi];
	uint32_t txdctl;
	uint16_t i;

	if (__atomic_load_n(&dev->removed, __ATOMIC_RELAXED))
		return -1;
	txdctl = ixgbe_rd(dev, IXGBE_TXDCTL(qi));
	if (txdctl == IXGBE_ALL_ONES && ixgbe_gone(dev, txdctl))
		return -1;
	switch (t->reset) {
	case IXGBE_TXQ_RUN:
		ixgbe_wr(dev, IXGBE_TXDCTL(qi), txdctl & ~IXGBE_TXDCTL_ENABLE);
		t->reset = IXGBE_TXQ_STOPPING;
		return PORT_TX_RESET_BUSY;
	case IXGBE_TXQ_STOPPING:
		if (txdctl & IXGBE_TXDCTL_ENABLE)
			return PORT_TX_RESET_BUSY;
		for (i = t->clean; i != t->tail; i = (i + 1) & t->mask)
			pkt_free(t->bufs[i]);
		memset(t->ring, 0, (size_t)dev->tx_ring * sizeof(t->ring[0]));
		t->clean = 0;
		/* read by ixgbe_tx_pending() on the control thread */
		__atomic_store_n(&t->tail, 0, __ATOMIC_RELAXED);
		ixgbe_tx_ring_base(dev, qi, ixgbe_ring_iova(dev, t->ring));
		ixgbe_dma_wmb();
		ixgbe_wr(dev, IXGBE_TXDCTL(qi), txdctl | IXGBE_TXDCTL_ENABLE);
		t->reset = IXGBE_TXQ_STARTING;
		return PORT_TX_RESET_BUSY;
	default:
		if (!(txdctl & IXGBE_TXDCTL_ENABLE))
			return PORT_TX_RESET_BUSY;
		t->reset = IXGBE_TXQ_RUN;
		return 0;
	}
}
