/*
 * emu82599.c: the emulated 82599's register file and DMA engine, written
 * from the Intel 82599 10 GbE Controller Datasheet, rev. 3.3.
 *
 * Registers (chapter 8) live in a 128 KiB array.  A static table says
 * which offsets have side effects (clear-on-read statistics, W1C/W1S
 * interrupt registers, the self-clearing reset, doorbells, queue enables,
 * 82598-compatible aliases); everything else stores what is written and
 * reads it back.  Timed behaviour (reset completion, auto-negotiation) is
 * advanced by the engine and, lazily, by any read of the registers that
 * show it, so a driver polling them sees the same thing with or without
 * the engine thread.
 *
 * The DMA engine (§7.1 receive, §7.2 transmit) is one thread for every
 * emulated NIC.  Each pass over a NIC takes that NIC's lock (see
 * emu82599_priv.h), loads RDT/TDT once with acquire ordering, moves up to
 * EMU_BATCH frames each way, writes descriptors back (the dword holding
 * DD last, with release ordering), adds what it counted to the
 * statistics registers, then stores RDH/TDH (release).  The wires are in
 * emu82599_wire.c.
 *
 * Choices where the datasheet leaves room or the model simplifies:
 *   - CTRL.RST and CTRL.LNK_RST both do the global reset; the bits read
 *     back set for 1 ms.  Auto-negotiation completes 10 ms after it
 *     starts (after reset, AN_RESTART, or carrier returning).
 *   - Wires pad frames shorter than 60 bytes, as the sending MAC would;
 *     RUC counts only runts from another model (TXPADEN off) or loopback.
 *     ROC counts frames over MAXFRS.MFS (JUMBOEN) or 1518 bytes.
 *   - Octet counters (GORC, GOTC, TOR) include the 4-byte CRC; the
 *     per-queue byte counters (QBRC, QBTC) count what was DMA'd.  L/H
 *     pairs hold 36 bits, the others 32; all saturate.
 *   - Receive goes to queue 0 (MRQC.MRQE 0) or by RSS (MRQE 0001b,
 *     §7.1.2.8); other MRQE values (DCB, VMDq) are not modelled and
 *     receive on queue 0.  The RSS hash does not parse IPv6 extension
 *     headers: such a packet hashes its addresses alone.  A frame RSS
 *     sends to a queue that is not enabled is missed like one for a
 *     queue without descriptors.  Per-queue statistics follow
 *     RQSMR/TQSM, whose reset value maps every queue to set 0.
 *   - With the link down, transmitted frames are fetched, written back
 *     and lost (TXDGPC counts them, GPTC does not).
 *   - Master disable completes (STATUS.GIO_MASTER_ENABLE clears)
 *     EMU_MASTER_NS after CTRL.PCIE_MASTER_DISABLE, and no DMA happens
 *     while it is set; a queue enable reads back EMU_QEN_NS after it is
 *     written; SECRXSTAT.SECRX_RDY is set EMU_SECRX_NS after
 *     SECRXCTRL.RX_DIS, and only while it is set.
 *   - A running TX queue whose TXDCTL.ENABLE is cleared goes on with
 *     what it has in flight (it still fetches and sends, and a hung one
 *     stays hung) and stops EMU_QDIS_NS later, between two engine
 *     passes; only then does ENABLE read 0 (§4.6.8.1: software waits for
 *     that before it touches the ring).  A fault can keep it from ever
 *     stopping.
 *   - A running RX queue whose RXDCTL.ENABLE is cleared takes no frame
 *     from then on (frames RSS sends it are missed), as §4.6.7.1 says;
 *     the model has no write in flight between passes, but ENABLE
 *     reads 0 only EMU_QDIS_NS later, as the silicon's does once its
 *     pending accesses to the ring are done (software waits for that
 *     before it touches the ring or frees its buffers).  Enabled again
 *     before then, it goes on with the ring it had.
 *
 * Strict mode (emu_violation(), the rules in emu_rules[]): every step
 * the silicon depends on that the driver gets wrong is counted and its
 * first break per rule logged with the datasheet section.  A rule of
 * the form "wait for X before Y" is judged on whether the driver read X,
 * never on how fast its thread ran, so the tests that count breaks are
 * deterministic.
 */
#include <sys/eventfd.h>
#include <sys/prctl.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dma.h"
#include "emu82599.h"
#include "emu82599_priv.h"
#include "log.h"
#include "prefetch.h"

/* What a register offset does, from emu_regmap[]. */
enum emu_rkind {
	R_PLAIN,	/* stores, reads back */
	R_ZERO,		/* a statistic the model never counts: reads 0 */
	R_ALIAS,	/* 82598-compatible address of idx (a word index) */
	R_CTRL,
	R_STATUS,
	R_EEC,
	R_EERD,
	R_EICR,
	R_EICS,
	R_EIMS,
	R_EIMC,
	R_AUTOC,
	R_LINKS,
	R_RDRXCTL,
	R_SECRXSTAT,
	R_SECRXCTRL,
	R_HLREG0,
	R_RXCTRL,
	R_DMATXCTL,
	R_SWSM,
	R_RAR,		/* RAL/RAH, idx = entry */
	R_RDBAL,	/* idx = queue from here on */
	R_RDBAH,
	R_RDLEN,
	R_RDH,
	R_RDT,
	R_RXDCTL,
	R_TDBAL,
	R_TDBAH,
	R_TDLEN,
	R_TDH,
	R_TDT,
	R_TXDCTL,
	R_STAT,		/* idx = enum emu_stat */
	R_STATL,
	R_STATH,
	R_QSM,		/* RQSMR/TQSM */
};

struct emu_reginfo {
	uint8_t		 kind;
	uint16_t	 idx;
};

static struct emu_reginfo emu_regmap[EMU_NREGS];
static pthread_once_t emu_regmap_once = PTHREAD_ONCE_INIT;

static pthread_mutex_t emu_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu82599 *emu_nics[EMU_MAX_NICS];
static int emu_nnics;
static pthread_t emu_engine_thread;
static int emu_engine_running;
static int emu_engine_quit;
/* The engine sleeps in ppoll() on the wires and this eventfd once idle;
 * a doorbell written meanwhile wakes it (emu_engine_kick). */
static int emu_engine_asleep;
static int emu_wake_fd = -1;

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

/* Something for the engine to do: wake it if it sleeps.  Callers made
 * their store visible first with a sequentially consistent store, so
 * either the engine's last pass before sleeping saw it, or this load
 * sees the engine asleep. */
void
emu_engine_kick(void)
{
	uint64_t one = 1;

	if (__atomic_load_n(&emu_engine_asleep, __ATOMIC_SEQ_CST) &&
	    emu_wake_fd != -1)
		(void)!write(emu_wake_fd, &one, sizeof(one));
}

uint64_t
emu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Acquire: a driver that sees RDH/TDH move sees the statistics and the
 * descriptors of what moved (a plain load on x86). */
static inline uint32_t
emu_rd(struct emu82599 *nic, uint32_t off)
{
	return __atomic_load_n(&nic->regs[off >> 2], __ATOMIC_ACQUIRE);
}

static inline void
emu_wr(struct emu82599 *nic, uint32_t off, uint32_t v)
{
	__atomic_store_n(&nic->regs[off >> 2], v, __ATOMIC_RELAXED);
}

/* Zeroed memory on a cache line boundary; NULL with errno set. */
void *
emu_zalloc(size_t size)
{
	void *p;
	int error;

	if ((error = posix_memalign(&p, 64, size)) != 0) {
		errno = error;
		return NULL;
	}
	memset(p, 0, size);
	return p;
}

/* 1 the first time bit is raised on this NIC: the caller logs. */
int
emu_warn_once(struct emu82599 *nic, uint32_t bit)
{
	return !(__atomic_fetch_or(&nic->warned, bit, __ATOMIC_RELAXED) & bit);
}

/* Count v in statistic s for this pass; added to the register at the end
 * of the pass, one atomic per statistic that changed.  The dirty mark is
 * a byte store, not a read-modify-write of a bit word: per frame, a load
 * of a word several stores were just made to waits for them to retire. */
static inline void
emu_acc(struct emu82599 *nic, int s, uint64_t v)
{
	nic->acc[s] += v;
	nic->acc_dirty[s] = 1;
}

static void
emu_acc_flush(struct emu82599 *nic)
{
	size_t w;

	for (w = 0; w < EMU_S_COUNT; w += 8) {
		uint64_t bits;
		int s;

		memcpy(&bits, &nic->acc_dirty[w], sizeof(bits));
		if (bits == 0)
			continue;
		for (s = (int)w; s < (int)w + 8; s++) {
			if (!nic->acc_dirty[s])
				continue;
			__atomic_fetch_add(&nic->stat[s], nic->acc[s],
			    __ATOMIC_RELAXED);
			nic->acc[s] = 0;
			nic->acc_dirty[s] = 0;
		}
	}
	/* After the statistics, with release: whoever sees the wire
	 * counters move sees the NIC's counters of the same frames. */
	if (nic->wacc_to != 0) {
		__atomic_fetch_add(&nic->wst.to_nic, nic->wacc_to,
		    __ATOMIC_RELEASE);
		nic->wacc_to = 0;
	}
	if (nic->wacc_from != 0) {
		__atomic_fetch_add(&nic->wst.from_nic, nic->wacc_from,
		    __ATOMIC_RELEASE);
		nic->wacc_from = 0;
	}
}

struct emu82599 *
emu_find_locked(const char *name)
{
	int i;

	for (i = 0; i < emu_nnics; i++)
		if (strcmp(emu_nics[i]->name, name) == 0)
			return emu_nics[i];
	return NULL;
}

void
emu_list_lock_take(int take)
{
	if (take)
		pthread_mutex_lock(&emu_list_lock);
	else
		pthread_mutex_unlock(&emu_list_lock);
}

void
emu_stat_add_atomic(struct emu82599 *nic, int s, uint64_t v)
{
	__atomic_fetch_add(&nic->stat[s], v, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* Strict mode: the rules, each with the datasheet section it is from  */

static const struct {
	const char	*name;
	const char	*section;
} emu_rules[EMU_RULE_COUNT] = {
	[EMU_RULE_LINK_MODE] = { "link mode valid for the media",
	    "4.6.4, 8.2.3.22.19, 8.2.3.22.21" },
	[EMU_RULE_MASTER_DISABLE] = { "master disable before reset",
	    "5.2.5.3.2, 8.2.3.1.2" },
	[EMU_RULE_RESET_ACCESS] = { "no register access during reset",
	    "4.6.3.2" },
	[EMU_RULE_RDT_EARLY] = { "RDT after RXDCTL.ENABLE reads back",
	    "4.6.7, 8.2.3.8.6" },
	[EMU_RULE_TXQ_BEFORE_TE] = { "DMATXCTL.TE before TXDCTL.ENABLE",
	    "4.6.8, 8.2.3.9.2" },
	[EMU_RULE_CRC_STRIP] = { "HLREG0.RXCRCSTRP equals RDRXCTL.CRCSTRIP",
	    "8.2.3.8.8, 8.2.3.22.8" },
	[EMU_RULE_PB_SIZE] = { "packet buffer sizes and TXPBTHRESH",
	    "4.6.11.3" },
	[EMU_RULE_DCA] = { "DCA_RXCTRL bit 12 cleared", "4.6.7, 8.2.3.11.1" },
	[EMU_RULE_NS_DIS] = { "CTRL_EXT.NS_DIS set before receive",
	    "4.6.7, 8.2.3.1.3" },
	[EMU_RULE_SECRX] = { "RX security block idle while RXEN is set",
	    "4.6.7, 8.2.3.12.1-2" },
	[EMU_RULE_DMA] = { "DMA only to mapped memory (IOMMU)",
	    "7.1.6, 7.2.3.2" },
	[EMU_RULE_TX_LEN] = { "TX packet length 17 bytes to 15.5 KB",
	    "7.2.1, 7.2.3.2.4" },
	[EMU_RULE_RESERVED] = { "reserved descriptor fields zero",
	    "7.1.6.1, 7.2.3.2.4" },
	[EMU_RULE_RING] = { "ring base, length and pointers",
	    "7.1.9, 8.2.3.8.1-3, 8.2.3.9.5-7" },
	[EMU_RULE_QSM] = { "RQSMR/TQSM reserved bits zero",
	    "4.6.5, 8.2.3.23.71, 8.2.3.23.73" },
	[EMU_RULE_TX_RING_LIVE] = { "TX ring registers written only while "
	    "the queue is disabled (TXDCTL.ENABLE read as 0)",
	    "4.6.8, 4.6.8.1, 8.2.3.9.5-8, 8.2.3.9.10" },
	[EMU_RULE_RX_RING_LIVE] = { "RX ring registers written only while "
	    "the queue is disabled (RXDCTL.ENABLE read as 0)",
	    "4.6.7, 4.6.7.1, 8.2.3.8.1-4, 8.2.3.8.6" },
};

const char *
emu_rule_name(enum emu_rule rule)
{
	return (unsigned)rule < EMU_RULE_COUNT ? emu_rules[rule].name : "?";
}

const char *
emu_rule_section(enum emu_rule rule)
{
	return (unsigned)rule < EMU_RULE_COUNT ? emu_rules[rule].section : "?";
}

/*
 * The driver broke a rule the silicon depends on: count it, and log the
 * first break of each rule on this NIC with what exactly happened.  Safe
 * from any thread, lock held or not.
 */
void
emu_violation(struct emu82599 *nic, enum emu_rule rule, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (!__atomic_load_n(&nic->strict, __ATOMIC_RELAXED))
		return;
	__atomic_fetch_add(&nic->violations, 1, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(&nic->rule_hits[rule], 1, __ATOMIC_RELAXED) != 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_warnx("emu82599 %s: strict: rule \"%s\" (datasheet §%s) "
	    "broken: %s (further breaks of this rule are counted, not "
	    "logged)", nic->name, emu_rules[rule].name,
	    emu_rules[rule].section, what);
}

uint64_t
emu_violations(struct emu82599 *nic)
{
	return __atomic_load_n(&nic->violations, __ATOMIC_RELAXED);
}

uint64_t
emu_rule_violations(struct emu82599 *nic, enum emu_rule rule)
{
	if ((unsigned)rule >= EMU_RULE_COUNT)
		return 0;
	return __atomic_load_n(&nic->rule_hits[rule], __ATOMIC_RELAXED);
}

void
emu_set_strict(struct emu82599 *nic, int on)
{
	__atomic_store_n(&nic->strict, on != 0, __ATOMIC_RELAXED);
}

/* The silicon's media by PCI device ID (82599 datasheet §1.2 and the
 * product briefs; X540/X550 are other chips, whose link is run by an
 * integrated PHY and firmware). */
static const struct {
	uint16_t	 id;
	enum emu_media	 media;
} emu_devices[] = {
	{ 0x10f7, EMU_MEDIA_KX4 },		/* 82599 KX4 */
	{ 0x1514, EMU_MEDIA_KX4 },		/* KX4 mezzanine */
	{ 0x10f8, EMU_MEDIA_BACKPLANE },	/* combined backplane */
	{ 0x152a, EMU_MEDIA_BACKPLANE },	/* backplane FCoE */
	{ 0x1517, EMU_MEDIA_KR },
	{ 0x10f9, EMU_MEDIA_CX4 },
	{ 0x10fc, EMU_MEDIA_XAUI },		/* XAUI/BX4 LOM */
	{ 0x151c, EMU_MEDIA_BASET },		/* 10GBASE-T3 LOM */
	{ 0x10fb, EMU_MEDIA_SFI },		/* 82599ES SFP+ */
	{ 0x1507, EMU_MEDIA_SFI },		/* SFP+ EM */
	{ 0x1529, EMU_MEDIA_SFI },		/* SFP+ FCoE */
	{ 0x154a, EMU_MEDIA_SFI },		/* SFP+ quad port */
	{ 0x154d, EMU_MEDIA_SFI },		/* SFP+ SF2 */
	{ 0x154f, EMU_MEDIA_SFI },		/* SFP+ LS */
	{ 0x1557, EMU_MEDIA_SFI },		/* 82599EN SFP+ */
	{ 0x1558, EMU_MEDIA_SFI },		/* QSFP+ quad port */
	{ 0x1528, EMU_MEDIA_BASET },		/* X540-AT2 */
	{ 0x1560, EMU_MEDIA_BASET },		/* X540-AT1 */
	{ 0x1563, EMU_MEDIA_BASET },		/* X550-T2 */
	{ 0x15d1, EMU_MEDIA_BASET },		/* X550-T1 */
};

#define EMU_DEVICE_DEFAULT	0x10fb

static const char *
emu_media_name(enum emu_media m)
{
	static const char *names[] = { "SFI (SFP+)", "KX4 backplane",
	    "KX/KX4/KR backplane", "KR backplane", "CX4", "XAUI",
	    "10GBASE-T" };

	return names[m];
}

static void
emu_iommu_fault(struct emu82599 *nic, const char *what, int q, uint64_t iova,
    size_t len)
{
	emu_violation(nic, EMU_RULE_DMA, "%s of queue %d at IOVA 0x%llx "
	    "(%zu bytes) is not mapped DMA memory", what, q,
	    (unsigned long long)iova, len);
	__atomic_fetch_add(&nic->iommu_faults, 1, __ATOMIC_RELAXED);
	if (emu_warn_once(nic, EMU_W_IOMMU))
		log_warnx("emu82599 %s: IOMMU fault: %s of queue %d at IOVA "
		    "0x%llx (%zu bytes) is not DMA memory; the queue is "
		    "stopped (further faults are counted, not logged)",
		    nic->name, what, q, (unsigned long long)iova, len);
}

/* RQSMR (§8.2.3.23.71) / TQSM (§8.2.3.23.73): which of the 16 per-queue
 * statistics sets queue q counts in, Q_MAP in bits 3:0 of byte q % 4
 * (reset: all queues in set 0). */
static inline int
emu_statmap(struct emu82599 *nic, uint32_t reg0, int q)
{
	return (emu_rd(nic, reg0 + 4 * (q / 4)) >> (8 * (q % 4))) & 0xf;
}

static inline uint64_t
emu_mac48(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40;
}

/* ------------------------------------------------------------------ */
/* The register map                                                   */

static void
emu_map(uint32_t off, enum emu_rkind kind, unsigned idx)
{
	emu_regmap[off >> 2].kind = (uint8_t)kind;
	emu_regmap[off >> 2].idx = (uint16_t)idx;
}

static void
emu_regmap_init(void)
{
	uint32_t off;
	int i;

	/* §8.2.3.23: the statistics block; counters the model never
	 * increments read as 0 and stay 0. */
	for (off = EMU_STATS_BASE; off < EMU_STATS_END; off += 4)
		emu_map(off, R_ZERO, 0);
	for (off = EMU_FC_STATS_BASE; off < EMU_STATS_BASE; off += 4)
		emu_map(off, R_ZERO, 0);

	emu_map(EMU_CTRL, R_CTRL, 0);
	emu_map(EMU_CTRL_ALIAS, R_ALIAS, EMU_CTRL >> 2);
	emu_map(EMU_STATUS, R_STATUS, 0);
	emu_map(EMU_EEC, R_EEC, 0);
	emu_map(EMU_EERD, R_EERD, 0);
	emu_map(EMU_EICR, R_EICR, 0);
	emu_map(EMU_EICS, R_EICS, 0);
	emu_map(EMU_EIMS, R_EIMS, 0);
	emu_map(EMU_EIMC, R_EIMC, 0);
	emu_map(EMU_AUTOC, R_AUTOC, 0);
	emu_map(EMU_LINKS, R_LINKS, 0);
	emu_map(EMU_RDRXCTL, R_RDRXCTL, 0);
	emu_map(EMU_SECRXSTAT, R_SECRXSTAT, 0);
	emu_map(EMU_SECRXCTRL, R_SECRXCTRL, 0);
	emu_map(EMU_HLREG0, R_HLREG0, 0);
	emu_map(EMU_RXCTRL, R_RXCTRL, 0);
	emu_map(EMU_DMATXCTL, R_DMATXCTL, 0);
	emu_map(EMU_SWSM, R_SWSM, 0);

	for (i = 0; i < EMU_NRAR; i++) {
		emu_map(EMU_RAL(i), R_RAR, i);
		emu_map(EMU_RAH(i), R_RAR, i);
	}
	for (i = 0; i < EMU_NQ; i++) {
		emu_map(EMU_RDBAL(i), R_RDBAL, i);
		emu_map(EMU_RDBAH(i), R_RDBAH, i);
		emu_map(EMU_RDLEN(i), R_RDLEN, i);
		emu_map(EMU_RDH(i), R_RDH, i);
		emu_map(EMU_RDT(i), R_RDT, i);
		emu_map(EMU_RXDCTL(i), R_RXDCTL, i);
		emu_map(EMU_TDBAL(i), R_TDBAL, i);
		emu_map(EMU_TDBAH(i), R_TDBAH, i);
		emu_map(EMU_TDLEN(i), R_TDLEN, i);
		emu_map(EMU_TDH(i), R_TDH, i);
		emu_map(EMU_TDT(i), R_TDT, i);
		emu_map(EMU_TXDCTL(i), R_TXDCTL, i);
	}

	emu_map(EMU_CRCERRS, R_STAT, EMU_S_CRCERRS);
	emu_map(EMU_GPRC, R_STAT, EMU_S_GPRC);
	emu_map(EMU_BPRC, R_STAT, EMU_S_BPRC);
	emu_map(EMU_MPRC, R_STAT, EMU_S_MPRC);
	emu_map(EMU_GPTC, R_STAT, EMU_S_GPTC);
	emu_map(EMU_GORCL, R_STATL, EMU_S_GORC);
	emu_map(EMU_GORCH, R_STATH, EMU_S_GORC);
	emu_map(EMU_GOTCL, R_STATL, EMU_S_GOTC);
	emu_map(EMU_GOTCH, R_STATH, EMU_S_GOTC);
	emu_map(EMU_RUC, R_STAT, EMU_S_RUC);
	emu_map(EMU_ROC, R_STAT, EMU_S_ROC);
	emu_map(EMU_TORL, R_STATL, EMU_S_TOR);
	emu_map(EMU_TORH, R_STATH, EMU_S_TOR);
	emu_map(EMU_TPR, R_STAT, EMU_S_TPR);
	emu_map(EMU_TPT, R_STAT, EMU_S_TPT);
	emu_map(EMU_MPTC, R_STAT, EMU_S_MPTC);
	emu_map(EMU_BPTC, R_STAT, EMU_S_BPTC);
	emu_map(EMU_RXDGPC, R_STAT, EMU_S_RXDGPC);
	emu_map(EMU_TXDGPC, R_STAT, EMU_S_TXDGPC);
	for (i = 0; i < 8; i++)
		emu_map(EMU_MPC(i), R_STAT, EMU_S_MPC + i);
	for (i = 0; i < EMU_NQ / 4; i++) {
		emu_map(EMU_RQSMR(i), R_QSM, i);
		emu_map(EMU_TQSM(i), R_QSM, i);
	}
	for (i = 0; i < EMU_NSTATQ; i++) {
		emu_map(EMU_QPRC(i), R_STAT, EMU_S_QPRC + i);
		emu_map(EMU_QBRC_L(i), R_STATL, EMU_S_QBRC + i);
		emu_map(EMU_QBRC_H(i), R_STATH, EMU_S_QBRC + i);
		emu_map(EMU_QPRDC(i), R_STAT, EMU_S_QPRDC + i);
		emu_map(EMU_QPTC(i), R_STAT, EMU_S_QPTC + i);
		emu_map(EMU_QBTC_L(i), R_STATL, EMU_S_QBTC + i);
		emu_map(EMU_QBTC_H(i), R_STATH, EMU_S_QBTC + i);
	}

	/* 82598-compatible aliases the 82599 still decodes (register
	 * summary, §8.2.3): the driver uses the native addresses, but a
	 * write to an alias must land in the same register. */
	for (i = 0; i < 16; i++) {
		emu_map(EMU_ALIAS_SRRCTL(i), R_ALIAS, EMU_SRRCTL(i) >> 2);
		emu_map(EMU_ALIAS_DCA_RXCTRL(i), R_ALIAS,
		    EMU_DCA_RXCTRL(i) >> 2);
		emu_map(EMU_ALIAS_RAL(i), R_ALIAS, EMU_RAL(i) >> 2);
		emu_map(EMU_ALIAS_RAH(i), R_ALIAS, EMU_RAH(i) >> 2);
		emu_map(EMU_ALIAS_QPTC(i), R_ALIAS, EMU_QPTC(i) >> 2);
	}
	emu_map(EMU_ALIAS_MRQC, R_ALIAS, EMU_MRQC >> 2);
	for (i = 0; i < 32; i++)
		emu_map(EMU_ALIAS_RETA(i), R_ALIAS, EMU_RETA(i) >> 2);
	for (i = 0; i < 10; i++)
		emu_map(EMU_ALIAS_RSSRK(i), R_ALIAS, EMU_RSSRK(i) >> 2);
}

/* ------------------------------------------------------------------ */
/* Reset, link, filters                                               */

static void
emu_rar_update(struct emu82599 *nic)
{
	int i;

	nic->nrar = 0;
	for (i = 0; i < EMU_NRAR; i++) {
		uint32_t lo = emu_rd(nic, EMU_RAL(i));
		uint32_t hi = emu_rd(nic, EMU_RAH(i));

		if (hi & EMU_RAH_AV)
			nic->rar[nic->nrar++] = lo | (uint64_t)(hi & 0xffff) << 32;
	}
}

static void
emu_set_link(struct emu82599 *nic, int up)
{
	uint32_t st = emu_rd(nic, EMU_STATUS) & ~EMU_STATUS_LINKUP;

	nic->link_up = up;
	/* §8.2.3.22.20 LINKS: LINK_UP and LINK_SPEED (10 Gb/s). */
	emu_wr(nic, EMU_LINKS, up ? EMU_LINKS_UP | EMU_LINKS_SPEED_10G : 0);
	emu_wr(nic, EMU_STATUS, st | (up ? EMU_STATUS_LINKUP : 0));
}

/* RX queue q takes no more frames: off the engine's list.  Lock held. */
static void
emu_rxq_halt(struct emu82599 *nic, int q)
{
	int i;

	if (nic->rxq[q].running) {
		for (i = 0; i < nic->nrxact; i++)
			if (nic->rxact[i] == q) {
				nic->rxact[i] = nic->rxact[--nic->nrxact];
				break;
			}
	}
	nic->rxq[q].running = 0;
	nic->rxq[q].on = 0;
}

/* RX queue q stopped, nothing pending, and ENABLE reads 0.  Lock held. */
static void
emu_rxq_stop(struct emu82599 *nic, int q)
{
	if (nic->rxq_en_ns[q] != 0) {
		nic->rxq_en_ns[q] = 0;
		nic->nqen--;
	}
	if (nic->rxq_dis_ns[q] != 0) {
		nic->rxq_dis_ns[q] = 0;
		nic->nqen--;
	}
	emu_rxq_halt(nic, q);
	emu_wr(nic, EMU_RXDCTL(q),
	    emu_rd(nic, EMU_RXDCTL(q)) & ~EMU_RXDCTL_ENABLE);
}

static void
emu_txq_stop(struct emu82599 *nic, int q)
{
	int i;

	if (nic->txq_en_ns[q] != 0) {
		nic->txq_en_ns[q] = 0;
		nic->nqen--;
	}
	if (nic->txq_dis_ns[q] != 0) {
		nic->txq_dis_ns[q] = 0;
		nic->nqen--;
	}
	if (nic->txq[q].running) {
		for (i = 0; i < nic->ntxact; i++)
			if (nic->txact[i] == q) {
				nic->txact[i] = nic->txact[--nic->ntxact];
				break;
			}
	}
	nic->txq[q].running = 0;
	__atomic_store_n(&nic->tx_hung[q], 0, __ATOMIC_RELAXED);
	emu_wr(nic, EMU_TXDCTL(q),
	    emu_rd(nic, EMU_TXDCTL(q)) & ~EMU_TXDCTL_ENABLE);
}

/*
 * AUTOC and AUTOC2 as the EEPROM loads them for the port's media
 * (§4.6.4, §8.2.3.22.19, §8.2.3.22.21).
 */
static void
emu_reset_link_regs(struct emu82599 *nic)
{
	uint32_t autoc = 0, autoc2 = 0;

	switch (nic->media) {
	case EMU_MEDIA_SFI:
		autoc = EMU_LMS_10G_SERIAL << EMU_AUTOC_LMS_SHIFT;
		autoc2 = EMU_AUTOC2_10G_SFI;
		break;
	case EMU_MEDIA_KX4:
		autoc = EMU_LMS_KX4_KX_KR << EMU_AUTOC_LMS_SHIFT |
		    EMU_AUTOC_10G_KX4 | EMU_AUTOC_1G_PMA_KX |
		    EMU_AUTOC_KX4_SUPP | EMU_AUTOC_KX_SUPP;
		break;
	case EMU_MEDIA_BACKPLANE:
		autoc = EMU_LMS_KX4_KX_KR << EMU_AUTOC_LMS_SHIFT |
		    EMU_AUTOC_10G_KX4 | EMU_AUTOC_1G_PMA_KX |
		    EMU_AUTOC_KX4_SUPP | EMU_AUTOC_KX_SUPP | EMU_AUTOC_KR_SUPP;
		autoc2 = EMU_AUTOC2_10G_KR;
		break;
	case EMU_MEDIA_KR:
		autoc = EMU_LMS_KX4_KX_KR << EMU_AUTOC_LMS_SHIFT |
		    EMU_AUTOC_1G_PMA_KX | EMU_AUTOC_KX_SUPP | EMU_AUTOC_KR_SUPP;
		autoc2 = EMU_AUTOC2_10G_KR;
		break;
	case EMU_MEDIA_CX4:
		autoc = EMU_LMS_10G_PARALLEL << EMU_AUTOC_LMS_SHIFT |
		    EMU_AUTOC_10G_CX4;
		break;
	case EMU_MEDIA_XAUI:
	case EMU_MEDIA_BASET:
		autoc = EMU_LMS_10G_PARALLEL << EMU_AUTOC_LMS_SHIFT |
		    EMU_AUTOC_10G_XAUI;
		break;
	}
	emu_wr(nic, EMU_AUTOC, autoc);
	emu_wr(nic, EMU_AUTOC2, autoc2);
}

/*
 * §4.6.4: does AUTOC/AUTOC2 select a 10 Gb/s link mode the port's media
 * carries?  NULL if so, else what is wrong.  10GBASE-T ports get their
 * link from an external or integrated PHY run by firmware, which the
 * model does not have: never.
 */
static const char *
emu_link_mode_bad(struct emu82599 *nic)
{
	uint32_t autoc = emu_rd(nic, EMU_AUTOC);
	uint32_t lms = (autoc & EMU_AUTOC_LMS_MASK) >> EMU_AUTOC_LMS_SHIFT;
	uint32_t pma = autoc & EMU_AUTOC_10G_PMA_MASK;
	uint32_t serial = emu_rd(nic, EMU_AUTOC2) & EMU_AUTOC2_10G_SERIAL_MASK;
	int an = lms == EMU_LMS_KX4_KX_KR || lms == EMU_LMS_KX4_KX_KR_1G_AN ||
	    lms == EMU_LMS_KX4_KX_KR_SGMII;

	switch (nic->media) {
	case EMU_MEDIA_SFI:
		if (lms != EMU_LMS_10G_SERIAL)
			return "an SFI port needs AUTOC.LMS = 011b (10 Gb/s "
			    "serial, no backplane AN)";
		if (serial != EMU_AUTOC2_10G_SFI)
			return "an SFI port needs AUTOC2.10G_PMA_PMD_SERIAL = "
			    "10b (SFI)";
		return NULL;
	case EMU_MEDIA_KX4:
		if ((lms == EMU_LMS_10G_PARALLEL && pma == EMU_AUTOC_10G_KX4) ||
		    (an && (autoc & EMU_AUTOC_KX4_SUPP)))
			return NULL;
		return "a KX4 port needs AUTOC.LMS 001b with 10G_PMA_PMD KX4, "
		    "or backplane AN with KX4_SUPP";
	case EMU_MEDIA_BACKPLANE:
		if (an && (((autoc & EMU_AUTOC_KR_SUPP) &&
		    serial == EMU_AUTOC2_10G_KR) ||
		    (autoc & EMU_AUTOC_KX4_SUPP)))
			return NULL;
		return "a backplane port needs AUTOC.LMS backplane AN with "
		    "KX4_SUPP, or KR_SUPP and AUTOC2 KR";
	case EMU_MEDIA_KR:
		if (an && (autoc & EMU_AUTOC_KR_SUPP) &&
		    serial == EMU_AUTOC2_10G_KR)
			return NULL;
		return "a KR port needs AUTOC.LMS backplane AN with KR_SUPP "
		    "and AUTOC2.10G_PMA_PMD_SERIAL KR";
	case EMU_MEDIA_CX4:
		if (lms == EMU_LMS_10G_PARALLEL && pma == EMU_AUTOC_10G_CX4)
			return NULL;
		return "a CX4 port needs AUTOC.LMS 001b with 10G_PMA_PMD CX4";
	case EMU_MEDIA_XAUI:
		if (lms == EMU_LMS_10G_PARALLEL && pma == EMU_AUTOC_10G_XAUI)
			return NULL;
		return "a XAUI port needs AUTOC.LMS 001b with 10G_PMA_PMD XAUI";
	case EMU_MEDIA_BASET:
		break;
	}
	return "the link of a 10GBASE-T port is set up through its PHY "
	    "and firmware, which the model does not emulate";
}

/*
 * §4.6.3.2 global reset (CTRL.RST; CTRL.LNK_RST is treated the same):
 * every register to its default, the queues stopped, the statistics
 * cleared, RAL(0)/RAH(0) loaded from the EEPROM's MAC address.  The reset
 * bits read back set for EMU_RESET_NS; EEC.ARD (§8.2.3.2.1) and
 * RDRXCTL.DMAIDONE (§8.2.3.8.8) are set when it completes.  Lock held.
 */
static void
emu_reset(struct emu82599 *nic, uint32_t rstbits, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < EMU_NQ; i++) {
		nic->rxq[i].running = 0;
		nic->rxq[i].on = 0;
		nic->txq[i].running = 0;
	}
	nic->ntxact = 0;
	nic->nrxact = 0;
	nic->nqen = 0;
	memset(nic->rxq_en_ns, 0, sizeof(nic->rxq_en_ns));
	memset(nic->rxq_dis_ns, 0, sizeof(nic->rxq_dis_ns));
	memset(nic->txq_en_ns, 0, sizeof(nic->txq_en_ns));
	memset(nic->txq_dis_ns, 0, sizeof(nic->txq_dis_ns));
	/* The global reset stops every queue, a wedged one too. */
	for (i = 0; i < EMU_NQ; i++) {
		__atomic_store_n(&nic->rxq_live[i], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&nic->txq_live[i], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&nic->tx_hung[i], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&nic->tx_no_disable[i], 0, __ATOMIC_RELAXED);
	}
	nic->master_dis_ns = 0;
	nic->secrx_dis_ns = 0;
	nic->an_failed = 0;
	memset(nic->rxq_en_seen, 0, sizeof(nic->rxq_en_seen));
	nic->master_seen = 0;
	nic->secrx_seen = 0;
	for (i = 0; i < EMU_NREGS; i++)
		__atomic_store_n(&nic->regs[i], 0, __ATOMIC_RELAXED);
	for (i = 0; i < EMU_S_COUNT; i++) {
		__atomic_store_n(&nic->stat[i], 0, __ATOMIC_RELAXED);
		nic->latch[i] = 0;
		nic->latched[i] = 0;
	}

	/* Reset values, chapter 8 register descriptions. */
	emu_wr(nic, EMU_CTRL, rstbits);
	emu_wr(nic, EMU_STATUS, EMU_STATUS_GIO_MASTER_EN);	/* LAN_ID 0 */
	emu_wr(nic, EMU_EEC, EMU_EEC_PRES);
	/* §8.2.3.12.2: SECRX_RDY says the RX security block is drained; it
	 * is only set while SECRXCTRL.RX_DIS holds it off. */
	emu_wr(nic, EMU_HLREG0, EMU_HLREG0_TXCRCEN |
	    EMU_HLREG0_RXCRCSTRP | EMU_HLREG0_TXPADEN);
	emu_wr(nic, EMU_MAXFRS, 1518u << EMU_MAXFRS_MFS_SHIFT);
	emu_reset_link_regs(nic);
	/* §4.6.11.3.1: without DCB one RX and one TX packet buffer take
	 * all the memory; TXPBTHRESH(0) leaves room for one packet. */
	emu_wr(nic, EMU_RXPBSIZE(0), EMU_RXPB_TOTAL_KB << EMU_PBSIZE_SHIFT);
	emu_wr(nic, EMU_TXPBSIZE(0), EMU_TXPB_TOTAL_KB << EMU_PBSIZE_SHIFT);
	emu_wr(nic, EMU_TXPBTHRESH(0), EMU_TXPB_TOTAL_KB - EMU_TXPKT_MAX_KB);
	for (i = 0; i < EMU_NQ; i++) {
		/* §8.2.3.8.7 SRRCTL: BSIZEPACKET 2 KiB, BSIZEHEADER 256 B,
		 * DESCTYPE legacy. */
		emu_wr(nic, EMU_SRRCTL(i), 0x00000402);
		emu_wr(nic, EMU_DCA_RXCTRL(i), EMU_DCA_RXCTRL_RSV12);
	}
	emu_wr(nic, EMU_RAL(0), (uint32_t)emu_mac48(nic->mac));
	emu_wr(nic, EMU_RAH(0),
	    (uint32_t)(emu_mac48(nic->mac) >> 32) | EMU_RAH_AV);
	emu_rar_update(nic);

	nic->in_reset = 1;
	nic->reset_done_ns = now + EMU_RESET_NS;
	if (now != 0)
		__atomic_store_n(&nic->settle_ns, now + EMU_SETTLE_NS,
		    __ATOMIC_RELAXED);
	nic->an_start_ns = 0;
	emu_set_link(nic, 0);
}

static void
emu_reset_complete(struct emu82599 *nic)
{
	nic->in_reset = 0;
	emu_wr(nic, EMU_CTRL, emu_rd(nic, EMU_CTRL) & ~EMU_CTRL_RST_MASK);
	emu_wr(nic, EMU_EEC, emu_rd(nic, EMU_EEC) | EMU_EEC_ARD);
	emu_wr(nic, EMU_RDRXCTL,
	    emu_rd(nic, EMU_RDRXCTL) | EMU_RDRXCTL_DMAIDONE);
}

static int
emu_carrier(struct emu82599 *nic)
{
	int force = __atomic_load_n(&nic->carrier_force, __ATOMIC_RELAXED);

	if (force >= 0)
		return force;
	return emu_wire_carrier(nic);
}

static void	emu_queue_enables(struct emu82599 *, uint64_t);

/*
 * Advance time: finish a reset whose time is up, and run the link state
 * machine (§4.6.4): without carrier the link is down; with it,
 * auto-negotiation completes EMU_AN_NS after it started (at power-on, at
 * the end of a reset, at AUTOC.AN_RESTART, or when carrier returns).
 * Lock held.
 */
static void
emu_tick(struct emu82599 *nic, uint64_t now)
{
	const char *bad;

	if (nic->in_reset) {
		if (now < nic->reset_done_ns)
			return;
		emu_reset_complete(nic);
	}
	/* §5.2.5.3.2: GIO master enable clears once the requests in
	 * flight are done after CTRL.PCIE_MASTER_DISABLE. */
	if (nic->master_dis_ns != 0 && now >= nic->master_dis_ns +
	    EMU_MASTER_NS && (emu_rd(nic, EMU_STATUS) &
	    EMU_STATUS_GIO_MASTER_EN))
		emu_wr(nic, EMU_STATUS, emu_rd(nic, EMU_STATUS) &
		    ~EMU_STATUS_GIO_MASTER_EN);
	/* §8.2.3.12.2: the RX security block drains after RX_DIS. */
	if (nic->secrx_dis_ns != 0 && now >= nic->secrx_dis_ns + EMU_SECRX_NS)
		emu_wr(nic, EMU_SECRXSTAT, EMU_SECRXSTAT_RDY);
	if (nic->nqen > 0)
		emu_queue_enables(nic, now);
	if (!emu_carrier(nic)) {
		nic->an_start_ns = 0;
		if (nic->link_up)
			emu_set_link(nic, 0);
		return;
	}
	if (nic->link_up)
		return;
	if (nic->an_failed)
		return;
	if (nic->an_start_ns == 0)
		nic->an_start_ns = now;
	else if (now - nic->an_start_ns >= EMU_AN_NS) {
		if ((bad = emu_link_mode_bad(nic)) == NULL) {
			emu_set_link(nic, 1);
			return;
		}
		/* The link stays down until AUTOC is written again. */
		nic->an_failed = 1;
		emu_violation(nic, EMU_RULE_LINK_MODE, "%s device 0x%04x: "
		    "AUTOC = 0x%08x, AUTOC2 = 0x%08x: %s; no link",
		    emu_media_name(nic->media), nic->device_id,
		    emu_rd(nic, EMU_AUTOC), emu_rd(nic, EMU_AUTOC2), bad);
	}
}

/* ------------------------------------------------------------------ */
/* Queue enable and disable                                           */

/* §7.1.9, §4.6.7: RXDCTL.ENABLE latches the ring; the ring must be DMA
 * memory.  0, or -1 and the queue stays disabled.  The queue runs, and
 * ENABLE reads back 1, EMU_QEN_NS later (emu_queue_enables). */
static int
emu_rxq_start(struct emu82599 *nic, int q)
{
	struct emu_rxq *r = &nic->rxq[q];
	uint64_t base = (uint64_t)emu_rd(nic, EMU_RDBAH(q)) << 32 |
	    emu_rd(nic, EMU_RDBAL(q));
	uint32_t len = emu_rd(nic, EMU_RDLEN(q));
	void *ring;

	if (len == 0) {
		emu_violation(nic, EMU_RULE_RING, "RX queue %d enabled with "
		    "RDLEN 0", q);
		if (emu_warn_once(nic, EMU_W_RINGLEN))
			log_warnx("emu82599 %s: RX queue %d enabled with RDLEN "
			    "0: it stays disabled", nic->name, q);
		return -1;
	}
	/* §4.6.7, last step: DCA_RXCTRL bit 12 resets to 1 and must be
	 * cleared before the queue is used. */
	if (emu_rd(nic, EMU_DCA_RXCTRL(q)) & EMU_DCA_RXCTRL_RSV12)
		emu_violation(nic, EMU_RULE_DCA, "RX queue %d enabled with "
		    "DCA_RXCTRL = 0x%08x (bit 12 set)", q,
		    emu_rd(nic, EMU_DCA_RXCTRL(q)));
	if ((ring = emu_dma(nic, base, len)) == NULL) {
		emu_iommu_fault(nic, "RX descriptor ring", q, base, len);
		return -1;
	}
	r->ring = ring;
	r->n = len / sizeof(union emu_rx_desc);
	r->head = emu_rd(nic, EMU_RDH(q));
	if (r->head >= r->n) {
		emu_violation(nic, EMU_RULE_RING, "RX queue %d: RDH %u beyond "
		    "the ring", q, r->head);
		if (emu_warn_once(nic, EMU_W_RDT))
			log_warnx("emu82599 %s: RX queue %d: RDH %u beyond the "
			    "ring (%u descriptors)", nic->name, q, r->head, r->n);
		r->head = 0;
		emu_wr(nic, EMU_RDH(q), 0);
	}
	nic->rxq_en_ns[q] = emu_now_ns() + EMU_QEN_NS;
	nic->nqen++;
	return 0;
}

static int
emu_txq_start(struct emu82599 *nic, int q)
{
	struct emu_txq *t = &nic->txq[q];
	uint64_t base = (uint64_t)emu_rd(nic, EMU_TDBAH(q)) << 32 |
	    emu_rd(nic, EMU_TDBAL(q));
	uint32_t len = emu_rd(nic, EMU_TDLEN(q));
	void *ring;

	if (len == 0) {
		emu_violation(nic, EMU_RULE_RING, "TX queue %d enabled with "
		    "TDLEN 0", q);
		if (emu_warn_once(nic, EMU_W_RINGLEN))
			log_warnx("emu82599 %s: TX queue %d enabled with TDLEN "
			    "0: it stays disabled", nic->name, q);
		return -1;
	}
	if ((ring = emu_dma(nic, base, len)) == NULL) {
		emu_iommu_fault(nic, "TX descriptor ring", q, base, len);
		return -1;
	}
	t->ring = ring;
	t->n = len / sizeof(union emu_tx_desc);
	t->head = emu_rd(nic, EMU_TDH(q));
	if (t->head >= t->n) {
		emu_violation(nic, EMU_RULE_RING, "TX queue %d: TDH %u beyond "
		    "the ring", q, t->head);
		if (emu_warn_once(nic, EMU_W_TDT))
			log_warnx("emu82599 %s: TX queue %d: TDH %u beyond the "
			    "ring (%u descriptors)", nic->name, q, t->head, t->n);
		t->head = 0;
		emu_wr(nic, EMU_TDH(q), 0);
	}
	nic->txq_en_ns[q] = emu_now_ns() + EMU_QEN_NS;
	nic->nqen++;
	return 0;
}

/* Queue enables whose time has come: the queue runs and its ENABLE bit
 * reads back 1 (§8.2.3.8.6, §8.2.3.9.10); TX queue disables whose time
 * has come: the queue stops and ENABLE reads 0 (§4.6.8.1), unless a
 * fault keeps it running; RX queue disables whose time has come: the
 * queue's memory accesses are done and ENABLE reads 0 (§4.6.7.1).
 * Lock held, so no pass of the engine is half way through the queue. */
static void
emu_queue_enables(struct emu82599 *nic, uint64_t now)
{
	int q;

	for (q = 0; q < EMU_NQ && nic->nqen > 0; q++) {
		if (nic->txq_dis_ns[q] != 0 && now >= nic->txq_dis_ns[q] &&
		    !__atomic_load_n(&nic->tx_no_disable[q], __ATOMIC_RELAXED))
			emu_txq_stop(nic, q);
		if (nic->rxq_dis_ns[q] != 0 && now >= nic->rxq_dis_ns[q])
			emu_rxq_stop(nic, q);
		if (nic->rxq_en_ns[q] != 0 && now >= nic->rxq_en_ns[q]) {
			nic->rxq_en_ns[q] = 0;
			nic->nqen--;
			nic->rxq[q].running = 1;
			nic->rxact[nic->nrxact++] = (uint8_t)q;
			emu_wr(nic, EMU_RXDCTL(q), emu_rd(nic, EMU_RXDCTL(q)) |
			    EMU_RXDCTL_ENABLE);
		}
		if (nic->txq_en_ns[q] != 0 && now >= nic->txq_en_ns[q]) {
			nic->txq_en_ns[q] = 0;
			nic->nqen--;
			nic->txq[q].running = 1;
			nic->txact[nic->ntxact++] = (uint8_t)q;
			emu_wr(nic, EMU_TXDCTL(q), emu_rd(nic, EMU_TXDCTL(q)) |
			    EMU_TXDCTL_ENABLE);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Register access: the bar ops                                       */

static void
emu_bad_access(struct emu82599 *nic, const char *op, uint32_t off)
{
	if (emu_warn_once(nic, EMU_W_ACCESS))
		log_warnx("emu82599 %s: %s at offset 0x%x: %s (logged once)",
		    nic->name, op, off, off >= EMU_BAR0_SIZE ?
		    "beyond the 128 KiB register space" :
		    "not 32-bit aligned");
}

/* §8.2.3.23: a statistic read clears it; counters saturate rather than
 * wrap, so the value is capped at what the register can hold. */
static uint32_t
emu_stat_read(struct emu82599 *nic, int s)
{
	uint64_t v = __atomic_exchange_n(&nic->stat[s], 0, __ATOMIC_RELAXED);

	return v > EMU_STAT32_MAX ? (uint32_t)EMU_STAT32_MAX : (uint32_t)v;
}

/*
 * 36-bit counters split in low/high registers (GORC, GOTC, TOR, QBRC,
 * QBTC).  Reading the low half takes the count into a latch and returns
 * its low 32 bits; reading the high half returns the latch's upper bits
 * and clears the pair (without a low read first, it takes and clears the
 * count itself).  What arrives between the two reads stays for the next
 * pair, so nothing is lost and the two halves always belong together.
 */
static uint32_t
emu_stat_read_pair(struct emu82599 *nic, int s, int high)
{
	uint64_t v;

	pthread_mutex_lock(&nic->lock);
	if (!high) {
		nic->latch[s] += __atomic_exchange_n(&nic->stat[s], 0,
		    __ATOMIC_RELAXED);
		nic->latched[s] = 1;
		v = nic->latch[s];
		if (v > EMU_STAT36_MAX)
			v = EMU_STAT36_MAX;
		v &= 0xffffffffu;
	} else {
		if (nic->latched[s])
			v = nic->latch[s];
		else
			v = __atomic_exchange_n(&nic->stat[s], 0,
			    __ATOMIC_RELAXED);
		nic->latch[s] = 0;
		nic->latched[s] = 0;
		if (v > EMU_STAT36_MAX)
			v = EMU_STAT36_MAX;
		v >>= 32;
	}
	pthread_mutex_unlock(&nic->lock);
	return (uint32_t)v;
}

/*
 * §4.6.3.2: after CTRL.RST the driver leaves the device alone for 10 ms
 * but for polling CTRL until the reset bits clear.  settle_ns is the end
 * of that time (0 outside it), so the common path is one load.
 */
static void
emu_settle_slow(struct emu82599 *nic, uint32_t off, int write, uint64_t until)
{
	uint64_t now = emu_now_ns();

	if (now >= until) {
		(void)__atomic_compare_exchange_n(&nic->settle_ns, &until, 0,
		    0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		return;
	}
	if (!write && (off == EMU_CTRL || off == EMU_CTRL_ALIAS))
		return;
	emu_violation(nic, EMU_RULE_RESET_ACCESS, "%s of register 0x%05x "
	    "%llu us before the 10 ms after CTRL.RST are over", write ?
	    "write" : "read", off, (unsigned long long)(until - now) / 1000);
}

static inline void
emu_settle_check(struct emu82599 *nic, uint32_t off, int write)
{
	uint64_t until = __atomic_load_n(&nic->settle_ns, __ATOMIC_RELAXED);

	if (__builtin_expect(until != 0, 0))
		emu_settle_slow(nic, off, write, until);
}

/*
 * Packet buffers (§4.6.11.3): sizes in KiB in bits 19:10, the other bits
 * reserved; the buffers in use are PB0 and up, none after an empty one;
 * together at most the memory there is.  For TX, TXPBTHRESH of a buffer
 * in use leaves room for one packet of EMU_TXPKT_MAX_KB, and is 0 for
 * an unused one.  NULL, or what is wrong in why.
 */
static const char *
emu_pb_check(struct emu82599 *nic, int tx, char *why, size_t len)
{
	uint32_t total = 0, kb, v, thr;
	int i, gap = -1;

	for (i = 0; i < 8; i++) {
		v = emu_rd(nic, tx ? EMU_TXPBSIZE(i) : EMU_RXPBSIZE(i));
		kb = (v & EMU_PBSIZE_MASK) >> EMU_PBSIZE_SHIFT;
		if (v & ~EMU_PBSIZE_MASK) {
			snprintf(why, len, "%s(%d) = 0x%08x sets reserved "
			    "bits", tx ? "TXPBSIZE" : "RXPBSIZE", i, v);
			return why;
		}
		if (kb == 0 && gap < 0)
			gap = i;
		if (kb != 0 && gap >= 0) {
			snprintf(why, len, "%s(%d) is %u KB after the empty "
			    "buffer %d: buffers are allocated from PB0 up",
			    tx ? "TXPBSIZE" : "RXPBSIZE", i, kb, gap);
			return why;
		}
		total += kb;
		if (!tx)
			continue;
		thr = emu_rd(nic, EMU_TXPBTHRESH(i)) & EMU_TXPBTHRESH_MASK;
		if ((kb == 0 && thr != 0) ||
		    (kb != 0 && thr + EMU_TXPKT_MAX_KB > kb)) {
			snprintf(why, len, "TXPBTHRESH(%d) = %u KB does not fit "
			    "TXPBSIZE(%d) = %u KB (at most the size less %u KB "
			    "for one packet, 0 for an unused buffer)", i, thr,
			    i, kb, EMU_TXPKT_MAX_KB);
			return why;
		}
	}
	if (total == 0 || total > (tx ? EMU_TXPB_TOTAL_KB : EMU_RXPB_TOTAL_KB)) {
		snprintf(why, len, "%s buffers total %u KB (1 to %u KB)",
		    tx ? "TX" : "RX", total, tx ? EMU_TXPB_TOTAL_KB :
		    EMU_RXPB_TOTAL_KB);
		return why;
	}
	return NULL;
}

/* §8.2.3.8.8: while receive is on, the MAC (HLREG0) and the DMA
 * (RDRXCTL) strip the CRC or keep it together.  Lock held. */
static void
emu_crc_check(struct emu82599 *nic, const char *when)
{
	uint32_t hl = emu_rd(nic, EMU_HLREG0), rd = emu_rd(nic, EMU_RDRXCTL);

	if ((emu_rd(nic, EMU_RXCTRL) & EMU_RXCTRL_RXEN) &&
	    !(hl & EMU_HLREG0_RXCRCSTRP) != !(rd & EMU_RDRXCTL_CRCSTRIP))
		emu_violation(nic, EMU_RULE_CRC_STRIP, "%s while receiving: "
		    "HLREG0.RXCRCSTRP %d, RDRXCTL.CRCSTRIP %d", when,
		    !!(hl & EMU_HLREG0_RXCRCSTRP), !!(rd & EMU_RDRXCTL_CRCSTRIP));
}

/* RXCTRL.RXEN going to 1: what §4.6.7 asks to be in place.  Lock held. */
static void
emu_rx_enable_checks(struct emu82599 *nic)
{
	uint32_t hl = emu_rd(nic, EMU_HLREG0), rd = emu_rd(nic, EMU_RDRXCTL);
	char why[160];

	emu_tick(nic, emu_now_ns());
	if (!(hl & EMU_HLREG0_RXCRCSTRP) != !(rd & EMU_RDRXCTL_CRCSTRIP))
		emu_violation(nic, EMU_RULE_CRC_STRIP, "receive enabled with "
		    "HLREG0.RXCRCSTRP %d and RDRXCTL.CRCSTRIP %d",
		    !!(hl & EMU_HLREG0_RXCRCSTRP), !!(rd & EMU_RDRXCTL_CRCSTRIP));
	if (emu_pb_check(nic, 0, why, sizeof(why)) != NULL)
		emu_violation(nic, EMU_RULE_PB_SIZE, "receive enabled: %s", why);
	if (!(emu_rd(nic, EMU_CTRL_EXT) & EMU_CTRL_EXT_NS_DIS))
		emu_violation(nic, EMU_RULE_NS_DIS, "receive enabled with "
		    "CTRL_EXT.NS_DIS clear");
	if (!(emu_rd(nic, EMU_SECRXCTRL) & EMU_SECRXCTRL_RX_DIS) ||
	    !nic->secrx_seen)
		emu_violation(nic, EMU_RULE_SECRX, "RXCTRL.RXEN set with "
		    "SECRXCTRL.RX_DIS %d, SECRXSTAT.SECRX_RDY %s (set "
		    "RX_DIS, wait for SECRX_RDY, then RXEN)",
		    !!(emu_rd(nic, EMU_SECRXCTRL) & EMU_SECRXCTRL_RX_DIS),
		    nic->secrx_seen ? "read as 1" : "not read as 1");
}

/* DMATXCTL.TE going to 1 (§4.6.8, §4.6.11.3).  Lock held. */
static void
emu_tx_enable_checks(struct emu82599 *nic)
{
	char why[160];

	if (emu_pb_check(nic, 1, why, sizeof(why)) != NULL)
		emu_violation(nic, EMU_RULE_PB_SIZE, "transmit enabled: %s",
		    why);
}

/* The driver read v from a register it waits on: note what it saw.
 * Lock held. */
static void
emu_seen(struct emu82599 *nic, struct emu_reginfo ri, uint32_t v)
{
	switch (ri.kind) {
	case R_STATUS:
		if (nic->master_dis_ns != 0 && !(v & EMU_STATUS_GIO_MASTER_EN))
			nic->master_seen = 1;
		break;
	case R_RXDCTL:
		/* 1 from a queue that is stopping is not a started one;
		 * 0 while an enable is pending is not a stopped one */
		if ((v & EMU_RXDCTL_ENABLE) && nic->rxq_dis_ns[ri.idx] == 0)
			__atomic_store_n(&nic->rxq_en_seen[ri.idx], 1,
			    __ATOMIC_RELAXED);
		if (!(v & EMU_RXDCTL_ENABLE) && !nic->rxq[ri.idx].running &&
		    nic->rxq_en_ns[ri.idx] == 0 && nic->rxq_dis_ns[ri.idx] == 0)
			__atomic_store_n(&nic->rxq_live[ri.idx], 0,
			    __ATOMIC_RELAXED);
		break;
	case R_TXDCTL:
		/* 0 while an enable is pending is not a stopped queue */
		if (!(v & EMU_TXDCTL_ENABLE) && !nic->txq[ri.idx].running &&
		    nic->txq_en_ns[ri.idx] == 0)
			__atomic_store_n(&nic->txq_live[ri.idx], 0,
			    __ATOMIC_RELAXED);
		break;
	case R_SECRXSTAT:
		if (nic->secrx_dis_ns != 0 && (v & EMU_SECRXSTAT_RDY))
			nic->secrx_seen = 1;
		break;
	default:
		break;
	}
}

/*
 * A queue's ring (base, length) and its head are set while the queue is
 * disabled: before its ENABLE bit is set, or after it was cleared and
 * read back as 0.  Until then the queue may still fetch from the old
 * ring or write back into it.  TX: §4.6.8, §4.6.8.1 (TDBAL, TDBAH,
 * TDLEN, TDH); RX: §4.6.7, §4.6.7.1, §8.2.3.8.4 (RDBAL, RDBAH, RDLEN,
 * RDH).  Judged on what the driver read, not on how fast it ran.  Lock
 * held.
 */
static void
emu_ring_check(struct emu82599 *nic, int tx, const char *reg, int q,
    uint32_t val)
{
	const uint8_t *live = tx ? nic->txq_live : nic->rxq_live;

	if (__atomic_load_n(&live[q], __ATOMIC_RELAXED))
		emu_violation(nic, tx ? EMU_RULE_TX_RING_LIVE :
		    EMU_RULE_RX_RING_LIVE, "%s(%d) = 0x%08x written while %s "
		    "queue %d is enabled (%s.ENABLE not read as 0 since it was "
		    "set)", reg, q, val, tx ? "TX" : "RX", q,
		    tx ? "TXDCTL" : "RXDCTL");
}

static uint32_t
emu_read32(void *ctx, uint32_t off)
{
	struct emu82599 *nic = ctx;
	struct emu_reginfo ri;
	uint32_t v;

	if (off >= EMU_BAR0_SIZE || (off & 3) != 0) {
		emu_bad_access(nic, "read", off);
		return 0;
	}
	/* A device gone from the bus: the root port completes every read
	 * with all ones (a fault, emu_fault()). */
	if (__builtin_expect(__atomic_load_n(&nic->removed, __ATOMIC_RELAXED),
	    0))
		return 0xffffffffu;
	emu_settle_check(nic, off, 0);
	ri = emu_regmap[off >> 2];
	if (ri.kind == R_ALIAS) {
		off = (uint32_t)ri.idx << 2;
		ri = emu_regmap[ri.idx];
	}
	switch (ri.kind) {
	case R_STAT:
		return emu_stat_read(nic, ri.idx);
	case R_STATL:
	case R_STATH:
		return emu_stat_read_pair(nic, ri.idx, ri.kind == R_STATH);
	case R_ZERO:
	case R_EIMC:		/* write-only */
		return 0;
	case R_EICR:
		/* §8.2.3.5.1: EICR is cleared by a read. */
		return __atomic_exchange_n(&nic->regs[off >> 2], 0,
		    __ATOMIC_RELAXED);
	case R_SWSM:
		/* §8.2.3.3: reading SWSM sets SMBI (the semaphore). */
		return __atomic_fetch_or(&nic->regs[off >> 2], EMU_SWSM_SMBI,
		    __ATOMIC_RELAXED);
	case R_CTRL:
	case R_STATUS:
	case R_EEC:
	case R_LINKS:
	case R_RDRXCTL:
	case R_RXDCTL:
	case R_TXDCTL:
	case R_SECRXSTAT:
		/* Registers that show time passing: reset completion, the
		 * link, master disable, queue enables, the security
		 * block. */
		pthread_mutex_lock(&nic->lock);
		emu_tick(nic, emu_now_ns());
		v = emu_rd(nic, off);
		emu_seen(nic, ri, v);
		pthread_mutex_unlock(&nic->lock);
		return v;
	default:
		return emu_rd(nic, off);
	}
}

static void
emu_write_locked(struct emu82599 *nic, struct emu_reginfo ri, uint32_t off,
    uint32_t val)
{
	uint32_t cur = emu_rd(nic, off);
	int q = ri.idx;

	switch (ri.kind) {
	case R_CTRL:
		if (val & EMU_CTRL_RST_MASK) {
			uint64_t now = emu_now_ns();

			emu_event(nic, EMU_EV_RESET, 0, 0);
			/* §5.2.5.3.2: a reset with master requests still
			 * pending can corrupt them; the driver sets
			 * PCIE_MASTER_DISABLE and waits for GIO master
			 * enable to clear first. */
			if (!nic->master_seen)
				emu_violation(nic, EMU_RULE_MASTER_DISABLE,
				    "CTRL.RST written before STATUS.GIO_MASTER_"
				    "ENABLE was read as 0 (%s)", (cur &
				    EMU_CTRL_MASTER_DIS) ? "master disable not "
				    "waited for" : "no master disable");
			emu_reset(nic, val & EMU_CTRL_RST_MASK, now);
			__atomic_store_n(&nic->initialised, 1, __ATOMIC_RELAXED);
			return;
		}
		emu_wr(nic, off, val);
		/* §8.2.3.1.2: GIO master enable clears EMU_MASTER_NS after
		 * CTRL.PCIE_MASTER_DISABLE (emu_tick), and the DMA engine
		 * stops; it is set again at once when the bit is cleared. */
		if (!(val & EMU_CTRL_MASTER_DIS)) {
			nic->master_dis_ns = 0;
			nic->master_seen = 0;
			emu_wr(nic, EMU_STATUS, emu_rd(nic, EMU_STATUS) |
			    EMU_STATUS_GIO_MASTER_EN);
		} else if (nic->master_dis_ns == 0)
			nic->master_dis_ns = emu_now_ns();
		return;
	case R_EEC:
		/* PRES and ARD are read-only. */
		emu_wr(nic, off, (val & ~(EMU_EEC_PRES | EMU_EEC_ARD)) |
		    (cur & (EMU_EEC_PRES | EMU_EEC_ARD)));
		return;
	case R_EERD:
		/* §8.2.3.2.2: START reads a word; DONE with the data. */
		if (val & EMU_EERD_START) {
			uint32_t a = (val >> EMU_EERD_ADDR_SHIFT) & 0x3fff;
			uint32_t d = a < 64 ? nic->eeprom[a] : 0xffff;

			emu_wr(nic, off, d << EMU_EERD_DATA_SHIFT |
			    a << EMU_EERD_ADDR_SHIFT | EMU_EERD_DONE);
		} else
			emu_wr(nic, off, val);
		return;
	case R_AUTOC:
		/* §8.2.3.22.19: AN_RESTART self-clears; negotiation starts
		 * over and the link is down until it completes. */
		emu_wr(nic, off, val & ~EMU_AUTOC_RESTART_AN);
		nic->an_failed = 0;
		if (val & EMU_AUTOC_RESTART_AN) {
			emu_set_link(nic, 0);
			nic->an_start_ns = nic->in_reset ? 0 : emu_now_ns();
		}
		return;
	case R_RDRXCTL:
		emu_wr(nic, off, (val & ~EMU_RDRXCTL_DMAIDONE) |
		    (cur & EMU_RDRXCTL_DMAIDONE));
		emu_crc_check(nic, "RDRXCTL written");
		return;
	case R_HLREG0:
		emu_wr(nic, off, val);
		emu_crc_check(nic, "HLREG0 written");
		return;
	case R_RAR:
		emu_wr(nic, off, val);
		emu_rar_update(nic);
		return;
	case R_QSM:
		/* §8.2.3.23.71, §8.2.3.23.73: each byte maps one queue,
		 * Q_MAP in bits 3:0 (16 sets), bits 7:4 reserved. */
		if (val & EMU_QSM_RESERVED)
			emu_violation(nic, EMU_RULE_QSM, "%s(%d) = 0x%08x sets "
			    "reserved bits 0x%08x", off >= EMU_TQSM(0) ?
			    "TQSM" : "RQSMR", q, val, val & EMU_QSM_RESERVED);
		emu_wr(nic, off, val);
		return;
	case R_RDBAH:
		emu_ring_check(nic, 0, "RDBAH", q, val);
		emu_wr(nic, off, val);
		return;
	case R_TDBAH:
		emu_ring_check(nic, 1, "TDBAH", q, val);
		emu_wr(nic, off, val);
		return;
	case R_RDBAL:
	case R_TDBAL:
		if (ri.kind == R_TDBAL)
			emu_ring_check(nic, 1, "TDBAL", q, val);
		else
			emu_ring_check(nic, 0, "RDBAL", q, val);
		/* §8.2.3.8.1, §8.2.3.9.5: bits 6:0 are zero, rings are
		 * 128-byte aligned. */
		if (val & 0x7f)
			emu_violation(nic, EMU_RULE_RING, "%s(%d) = 0x%08x is "
			    "not 128-byte aligned", ri.kind == R_RDBAL ?
			    "RDBAL" : "TDBAL", q, val);
		if ((val & 0x7f) && emu_warn_once(nic, EMU_W_ALIGN))
			log_warnx("emu82599 %s: %s(%d) = 0x%08x is not 128-byte "
			    "aligned: the low 7 bits are ignored", nic->name,
			    ri.kind == R_RDBAL ? "RDBAL" : "TDBAL", q, val);
		emu_wr(nic, off, val & ~0x7fu);
		return;
	case R_RDLEN:
	case R_TDLEN:
		if (ri.kind == R_TDLEN)
			emu_ring_check(nic, 1, "TDLEN", q, val);
		else
			emu_ring_check(nic, 0, "RDLEN", q, val);
		/* §8.2.3.8.3, §8.2.3.9.7: a multiple of 128 bytes, bits
		 * 19:7. */
		if (val & ~0xfff80u)
			emu_violation(nic, EMU_RULE_RING, "%s(%d) = %u is not "
			    "a multiple of 128 bytes", ri.kind == R_RDLEN ?
			    "RDLEN" : "TDLEN", q, val);
		if ((val & ~0xfff80u) && emu_warn_once(nic, EMU_W_ALIGN))
			log_warnx("emu82599 %s: %s(%d) = %u is not a multiple "
			    "of 128 bytes (below 1 MiB): bits ignored", nic->name,
			    ri.kind == R_RDLEN ? "RDLEN" : "TDLEN", q, val);
		emu_wr(nic, off, val & 0xfff80u);
		return;
	case R_RDH:
		val &= 0xffff;
		emu_ring_check(nic, 0, "RDH", q, val);
		if (nic->rxq[q].running) {
			/* Only meaningful while the queue is disabled; a
			 * running queue takes it (it is usually 0 = the
			 * head already), with a warning otherwise. */
			if (val != nic->rxq[q].head && emu_warn_once(nic,
			    EMU_W_HEADWR))
				log_warnx("emu82599 %s: RDH(%d) written while "
				    "the queue runs (%u -> %u)", nic->name, q,
				    nic->rxq[q].head, val);
			nic->rxq[q].head = val < nic->rxq[q].n ? val : 0;
			val = nic->rxq[q].head;
		}
		emu_wr(nic, off, val);
		return;
	case R_TDH:
		val &= 0xffff;
		emu_ring_check(nic, 1, "TDH", q, val);
		if (nic->txq[q].running) {
			if (val != nic->txq[q].head && emu_warn_once(nic,
			    EMU_W_HEADWR))
				log_warnx("emu82599 %s: TDH(%d) written while "
				    "the queue runs (%u -> %u)", nic->name, q,
				    nic->txq[q].head, val);
			nic->txq[q].head = val < nic->txq[q].n ? val : 0;
			val = nic->txq[q].head;
		}
		emu_wr(nic, off, val);
		return;
	case R_RXDCTL:
		/* §8.2.3.8.6: ENABLE reads back 1 once the queue runs, a
		 * little after it is written.  §4.6.7.1: a running queue
		 * asked to stop takes no more frames and fetches and writes
		 * back no more descriptors, but ENABLE reads 0 only once
		 * its memory accesses are done (emu_queue_enables). */
		if (!(val & EMU_RXDCTL_ENABLE)) {
			__atomic_store_n(&nic->rxq_en_seen[q], 0, __ATOMIC_RELAXED);
			if (nic->rxq[q].running || nic->rxq_dis_ns[q] != 0) {
				emu_rxq_halt(nic, q);
				if (nic->rxq_dis_ns[q] == 0) {
					nic->rxq_dis_ns[q] = emu_now_ns() +
					    EMU_QDIS_NS;
					nic->nqen++;
				}
				emu_wr(nic, off, val | EMU_RXDCTL_ENABLE);
			} else {
				emu_rxq_stop(nic, q);
				emu_wr(nic, off, val);
			}
		} else if (nic->rxq[q].running)
			emu_wr(nic, off, val);
		else if (nic->rxq_dis_ns[q] != 0) {
			/* enabled again before it stopped: it goes on with
			 * the ring it has */
			nic->rxq_dis_ns[q] = 0;
			nic->nqen--;
			nic->rxq[q].running = 1;
			nic->rxact[nic->nrxact++] = (uint8_t)q;
			emu_wr(nic, off, val);
		} else {
			emu_wr(nic, off, val & ~EMU_RXDCTL_ENABLE);
			if (nic->rxq_en_ns[q] == 0 &&
			    emu_rxq_start(nic, q) == 0)
				__atomic_store_n(&nic->rxq_live[q], 1,
				    __ATOMIC_RELAXED);
		}
		return;
	case R_TXDCTL:
		/* §8.2.3.9.10; §4.6.8: a queue starts only with the
		 * transmit DMA already enabled (DMATXCTL.TE).  §4.6.8.1:
		 * a running queue asked to stop finishes what it has in
		 * flight first; ENABLE reads 1 until it has stopped
		 * (emu_queue_enables). */
		if (!(val & EMU_TXDCTL_ENABLE)) {
			if (nic->txq[q].running) {
				if (nic->txq_dis_ns[q] == 0) {
					nic->txq_dis_ns[q] = emu_now_ns() +
					    EMU_QDIS_NS;
					nic->nqen++;
				}
				emu_wr(nic, off, val | EMU_TXDCTL_ENABLE);
			} else {
				emu_txq_stop(nic, q);
				emu_wr(nic, off, val);
			}
		} else if (nic->txq[q].running) {
			/* enabled again before it stopped: it goes on */
			if (nic->txq_dis_ns[q] != 0) {
				nic->txq_dis_ns[q] = 0;
				nic->nqen--;
			}
			emu_wr(nic, off, val);
		} else {
			emu_wr(nic, off, val & ~EMU_TXDCTL_ENABLE);
			if (!(emu_rd(nic, EMU_DMATXCTL) & EMU_DMATXCTL_TE))
				emu_violation(nic, EMU_RULE_TXQ_BEFORE_TE,
				    "TXDCTL(%d).ENABLE set while DMATXCTL.TE is "
				    "0: the queue does not start", q);
			else if (nic->txq_en_ns[q] == 0 &&
			    emu_txq_start(nic, q) == 0)
				__atomic_store_n(&nic->txq_live[q], 1,
				    __ATOMIC_RELAXED);
		}
		return;
	case R_RXCTRL:
		if ((val & EMU_RXCTRL_RXEN) && !(cur & EMU_RXCTRL_RXEN))
			emu_rx_enable_checks(nic);
		emu_wr(nic, off, val);
		return;
	case R_DMATXCTL:
		if ((val & EMU_DMATXCTL_TE) && !(cur & EMU_DMATXCTL_TE))
			emu_tx_enable_checks(nic);
		emu_wr(nic, off, val);
		return;
	case R_SECRXCTRL:
		/* §8.2.3.12.1-2: with RX_DIS the block drains, then says
		 * SECRX_RDY; without it, it is not held ready. */
		if ((val & EMU_SECRXCTRL_RX_DIS) && nic->secrx_dis_ns == 0)
			nic->secrx_dis_ns = emu_now_ns();
		else if (!(val & EMU_SECRXCTRL_RX_DIS)) {
			nic->secrx_dis_ns = 0;
			nic->secrx_seen = 0;
			emu_wr(nic, EMU_SECRXSTAT, 0);
		}
		emu_wr(nic, off, val);
		return;
	default:
		emu_wr(nic, off, val);
		return;
	}
}

/*
 * Tests only (tests/e2e/test_watchdog.sh): while the file named by
 * $IXFWD_EMU_STALL exists, a TX tail write waits, as a wedged NIC holds a
 * worker; only workers write tails.  Unset, it costs one branch.
 */
static const char *emu_stall_path;
static pthread_once_t emu_stall_once = PTHREAD_ONCE_INIT;

static void
emu_stall_init(void)
{
	emu_stall_path = getenv("IXFWD_EMU_STALL");
}

static void
emu_test_stall(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	pthread_once(&emu_stall_once, emu_stall_init);
	if (emu_stall_path == NULL)
		return;
	while (access(emu_stall_path, F_OK) == 0)
		nanosleep(&ts, NULL);
}

static void
emu_write32(void *ctx, uint32_t off, uint32_t val)
{
	struct emu82599 *nic = ctx;
	struct emu_reginfo ri;

	if (off >= EMU_BAR0_SIZE || (off & 3) != 0) {
		emu_bad_access(nic, "write", off);
		return;
	}
	if (__builtin_expect(__atomic_load_n(&nic->removed, __ATOMIC_RELAXED),
	    0))
		return;		/* removed: the write goes nowhere */
	emu_settle_check(nic, off, 1);
	ri = emu_regmap[off >> 2];
	if (ri.kind == R_ALIAS) {
		off = (uint32_t)ri.idx << 2;
		ri = emu_regmap[ri.idx];
	}
	switch (ri.kind) {
	case R_RDT:
		/* §4.6.7: descriptors are handed over (RDT moved) only
		 * once RXDCTL.ENABLE reads back 1. */
		if ((val & 0xffff) != 0 && !__atomic_load_n(
		    &nic->rxq_en_seen[ri.idx], __ATOMIC_RELAXED))
			emu_violation(nic, EMU_RULE_RDT_EARLY, "RDT(%d) = %u "
			    "written before RXDCTL(%d).ENABLE reads back 1",
			    ri.idx, val & 0xffff, ri.idx);
		__atomic_store_n(&nic->regs[off >> 2], val & 0xffff,
		    __ATOMIC_SEQ_CST);
		emu_engine_kick();
		return;
	case R_TDT:
		/* The doorbells: the driver made its descriptor writes
		 * visible before this store (release), the engine loads
		 * the tail with acquire.  Never blocks (but in a test). */
		emu_test_stall();
		__atomic_store_n(&nic->regs[off >> 2], val & 0xffff,
		    __ATOMIC_SEQ_CST);
		emu_engine_kick();
		return;
	case R_STAT:
	case R_STATL:
	case R_STATH:
	case R_ZERO:
	case R_STATUS:
	case R_LINKS:
	case R_SECRXSTAT:
		return;		/* read-only */
	case R_EICR:
		/* §8.2.3.5.1: write 1 to clear. */
		__atomic_fetch_and(&nic->regs[off >> 2], ~val, __ATOMIC_RELAXED);
		return;
	case R_EICS:
		/* §8.2.3.5.3: sets causes; polled mode raises nothing. */
		__atomic_fetch_or(&nic->regs[EMU_EICR >> 2],
		    val & EMU_IRQ_MASK, __ATOMIC_RELAXED);
		return;
	case R_EIMS:
		/* §8.2.3.5.4: write 1 to set a mask bit; reads the mask. */
		__atomic_fetch_or(&nic->regs[off >> 2],
		    val & EMU_IRQ_MASK, __ATOMIC_RELAXED);
		return;
	case R_EIMC:
		/* §8.2.3.5.5: write 1 to clear a mask bit. */
		__atomic_fetch_and(&nic->regs[EMU_EIMS >> 2], ~val,
		    __ATOMIC_RELAXED);
		return;
	default:
		break;
	}
	pthread_mutex_lock(&nic->lock);
	emu_write_locked(nic, ri, off, val);
	pthread_mutex_unlock(&nic->lock);
}

static const struct bar_ops emu_bar_ops = {
	.read32 = emu_read32,
	.write32 = emu_write32,
};

/* ------------------------------------------------------------------ */
/* Receive (§7.1)                                                     */

/*
 * Descriptor fetch: a NIC reads the descriptors it owns in bursts, ahead
 * of the frames that need them (§7.1.7 and §7.2.3.4, RXDCTL/TXDCTL
 * PTHRESH/HTHRESH), so their reads overlap rather than wait one after
 * another.  The model does the same with prefetches of n descriptors
 * from idx on, a cache line at a time; with write set, for descriptors
 * it will write back.
 */
static void
emu_desc_fetch(const void *ring, size_t dsize, uint32_t idx, uint32_t size,
    uint32_t n, int write)
{
	const uint8_t *base = ring;
	uint32_t step = 64 / (uint32_t)dsize, k;

	for (k = 0; k < n; k += step) {
		if (write)
			prefetchw(base + (size_t)idx * dsize);
		else
			__builtin_prefetch(base + (size_t)idx * dsize);
		idx += step;
		if (idx >= size)
			idx -= size;
	}
}

/* Start of a pass, one queue: what it looks like now.  Lock held. */
static void
emu_rxq_begin(struct emu82599 *nic, int q)
{
	struct emu_rxq *r = &nic->rxq[q];
	uint32_t tail;

	r->on = 0;
	r->nwb = 0;
	r->avail = 0;
	if (!r->running)
		return;
	r->srrctl = emu_rd(nic, EMU_SRRCTL(q));
	r->bsize = (r->srrctl & EMU_SRRCTL_BSIZEPKT_MASK) * 1024;
	tail = __atomic_load_n(&nic->regs[EMU_RDT(q) >> 2], __ATOMIC_ACQUIRE);
	if (tail >= r->n) {
		if (emu_warn_once(nic, EMU_W_RDT))
			log_warnx("emu82599 %s: RDT(%d) = %u is beyond the "
			    "ring (%u descriptors): no descriptors taken",
			    nic->name, q, tail, r->n);
		r->on = 1;	/* a queue without descriptors */
		return;
	}
	r->on = 1;
	r->avail = (tail + r->n - r->head) % r->n;
	emu_desc_fetch(r->ring, sizeof(r->ring[0]), r->head, r->n,
	    r->avail < EMU_BATCH ? r->avail : EMU_BATCH, 1);
}

/*
 * Start of a pass: what the receive side looks like now.  §7.1.2: with
 * MRQC.MRQE = 0 every frame goes to queue 0; with MRQE = RSS (0001b)
 * the queue comes from the hash (emu_rx_queue).  Other MRQE values
 * (DCB, virtualisation) are not modelled: frames go to queue 0.
 */
static void
emu_rx_begin(struct emu82599 *nic)
{
	struct emu_rxpass *p = &nic->rx;
	uint32_t mfs, v;
	int i, k;

	p->on = (emu_rd(nic, EMU_RXCTRL) & EMU_RXCTRL_RXEN) != 0;
	if (!p->on)
		return;
	p->fctrl = emu_rd(nic, EMU_FCTRL);
	p->hlreg0 = emu_rd(nic, EMU_HLREG0);
	p->rxcsum = emu_rd(nic, EMU_RXCSUM);
	p->mrqc = emu_rd(nic, EMU_MRQC);
	p->rss = (p->mrqc & EMU_MRQC_MRQE_MASK) == EMU_MRQE_RSS;
	if (!p->rss && (p->mrqc & EMU_MRQC_MRQE_MASK) != 0 &&
	    emu_warn_once(nic, EMU_W_MRQE))
		log_warnx("emu82599 %s: MRQC = 0x%08x: only MRQE 0 (one "
		    "queue) and 1 (RSS) are modelled; frames go to queue 0",
		    nic->name, p->mrqc);
	if (p->rss) {
		for (i = 0; i < EMU_RSS_KEY_LEN / 4; i++) {
			v = emu_rd(nic, EMU_RSSRK(i));
			for (k = 0; k < 4; k++)
				p->key[4 * i + k] = (uint8_t)(v >> (8 * k));
		}
		for (i = 0; i < EMU_RETA_SIZE / 4; i++) {
			v = emu_rd(nic, EMU_RETA(i));
			for (k = 0; k < 4; k++)
				p->reta[4 * i + k] = (uint8_t)(v >> (8 * k));
		}
	}
	/* §8.2.3.22.13 MAXFRS.MFS counts the CRC and applies with
	 * HLREG0.JUMBOEN; without it the limit is 1518. */
	mfs = emu_rd(nic, EMU_MAXFRS) >> EMU_MAXFRS_MFS_SHIFT;
	if (!(p->hlreg0 & EMU_HLREG0_JUMBOEN))
		mfs = 1518;
	p->maxlen = mfs > EMU_CRC_LEN ? mfs - EMU_CRC_LEN : 0;
	for (i = 0; i < nic->nrxact; i++)
		emu_rxq_begin(nic, nic->rxact[i]);
	/* One queue: as before RSS, nothing is received (nor counted)
	 * until queue 0 runs.  With RSS a frame for a queue that does not
	 * run is missed (emu_rx_frame). */
	if (!p->rss && !nic->rxq[0].on)
		p->on = 0;
	else if (p->rss && nic->nrxact == 0)
		p->on = 0;
}

#define EMU_RX_AHEAD	8	/* buffer writes posted this far ahead */

/*
 * Receive write-back (§7.1.8): the 82599 gathers completed descriptors
 * on chip and writes them back in bursts (RXDCTL.WTHRESH), not one by
 * one.  The model holds a pass's write-backs and stores them here, at
 * the end of the pass (or when EMU_RX_WB_MAX are held), in ring order,
 * each descriptor's status qword last with release ordering.  Written
 * one at a time, each would pull the line back from a driver polling
 * it, up to four times per line.
 */
static void
emu_rx_writeback(struct emu_rxq *r)
{
	union emu_rx_desc *ring = r->ring;
	uint32_t i;

	for (i = 0; i < r->nwb; i++) {
		union emu_rx_desc *d = &ring[r->wb_idx[i]];

		d->read.pkt_addr = r->wb[i][0];
		__atomic_store_n(&d->read.hdr_addr, r->wb[i][1],
		    __ATOMIC_RELEASE);
	}
	r->nwb = 0;
}

static void
emu_rx_flush(struct emu82599 *nic)
{
	int i, q;

	for (i = 0; i < nic->nrxact; i++) {
		q = nic->rxact[i];
		emu_rx_writeback(&nic->rxq[q]);
		__atomic_store_n(&nic->regs[EMU_RDH(q) >> 2], nic->rxq[q].head,
		    __ATOMIC_RELEASE);
	}
}

/* Descriptors the receive side can fill now: queue 0's alone, or with
 * RSS the most any queue has (a frame for a queue with none is missed,
 * as on the silicon). */
uint32_t
emu_rx_room(struct emu82599 *nic)
{
	uint32_t room = 0;
	int i;

	if (!nic->rx.on)
		return 0;
	if (!nic->rx.rss)
		return nic->rxq[0].avail;
	for (i = 0; i < nic->nrxact; i++)
		if (nic->rxq[nic->rxact[i]].avail > room)
			room = nic->rxq[nic->rxact[i]].avail;
	return room;
}

/* §7.1.1 L2 filtering: exact unicast (RAL/RAH), multicast table, and the
 * promiscuous bits of FCTRL (§8.2.3.7.1). */
static int
emu_l2_accept(struct emu82599 *nic, const uint8_t *f, uint32_t fctrl)
{
	uint64_t dst;
	uint32_t mc, h;
	int i;

	if (f[0] & 1) {
		if ((f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xff)
			return (fctrl & EMU_FCTRL_BAM) != 0;
		if (fctrl & EMU_FCTRL_MPE)
			return 1;
		/* §7.1.1.2: 12 bits of the address, as MCSTCTRL.MO
		 * says, index the 4096-bit MTA. */
		mc = emu_rd(nic, EMU_MCSTCTRL);
		if (!(mc & EMU_MCSTCTRL_MFE))
			return 0;
		switch (mc & EMU_MCSTCTRL_MO_MASK) {
		case 0:
			h = (f[4] >> 4) | ((uint32_t)f[5] << 4);
			break;
		case 1:
			h = (f[4] >> 3) | ((uint32_t)f[5] << 5);
			break;
		case 2:
			h = (f[4] >> 2) | ((uint32_t)f[5] << 6);
			break;
		default:
			h = f[4] | ((uint32_t)f[5] << 8);
			break;
		}
		h &= 0xfff;
		return (emu_rd(nic, EMU_MTA(h >> 5)) >> (h & 31)) & 1;
	}
	if (fctrl & EMU_FCTRL_UPE)
		return 1;
	dst = emu_mac48(f);
	for (i = 0; i < nic->nrar; i++)
		if (nic->rar[i] == dst)
			return 1;
	return 0;
}

/* §7.1.5 / §7.1.6.2: packet type and IPv4 header checksum for the
 * write-back.  L4 checksums are not verified (L4CS stays 0). */
static void
emu_rx_meta(const uint8_t *f, uint32_t len, uint32_t rxcsum, uint32_t *lo,
    uint32_t *hi, uint32_t *st)
{
	uint32_t l3 = 14, type, ihl;
	uint16_t et = (uint16_t)(f[12] << 8 | f[13]);
	uint8_t proto = 0;

	*lo = 0;
	*hi = 0;
	*st = 0;
	if (et == 0x8100 && len >= 18) {
		et = (uint16_t)(f[16] << 8 | f[17]);
		l3 = 18;
	}
	if (et == 0x0800 && len >= l3 + 20 && (f[l3] >> 4) == 4) {
		type = EMU_RXD_PKT_IPV4;
		ihl = (f[l3] & 0xf) * 4u;
		proto = f[l3 + 9];
		if (ihl >= 20 && len >= l3 + ihl) {
			*st |= EMU_RXD_IPCS;
			if (emu_csum_fold(emu_csum_add(0, f + l3, ihl)) != 0)
				*st |= EMU_RXD_ERR_IPE;
		}
		if (!(rxcsum & EMU_RXCSUM_PCSD))
			*hi = (uint32_t)f[l3 + 4] << 8 | f[l3 + 5];
	} else if (et == 0x86dd && len >= l3 + 40) {
		type = EMU_RXD_PKT_IPV6;
		proto = f[l3 + 6];
	} else
		return;
	if (proto == 6)
		type |= EMU_RXD_PKT_TCP;
	else if (proto == 17)
		type |= EMU_RXD_PKT_UDP;
	*lo = type;
}

/*
 * §7.1.2.8.1 the Toeplitz hash: for each bit of the input, most
 * significant first, that is set, XOR in the 32 key bits starting at
 * that bit's position (the key's first byte is RSSRK(0) bits 7:0).
 */
uint32_t
emu_rss_hash(const uint8_t key[EMU_RSS_KEY_LEN], const uint8_t *in,
    uint32_t len)
{
	uint32_t h = 0, win, i, next;
	int b;

	win = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 |
	    (uint32_t)key[2] << 8 | key[3];
	for (i = 0; i < len; i++) {
		next = i + 4 < EMU_RSS_KEY_LEN ? key[i + 4] : 0;
		for (b = 7; b >= 0; b--) {
			if ((in[i] >> b) & 1)
				h ^= win;
			win = win << 1 | ((next >> b) & 1);
		}
	}
	return h;
}

/*
 * §7.1.2.8: which of the hash functions MRQC enables applies to a frame,
 * and its input: source address, destination address, then (TCP/UDP)
 * source port and destination port, as they are in the packet.  IPv4:
 * TCP first, then UDP, then the addresses alone; a fragment (MF set or
 * a fragment offset) is not TCP or UDP.  IPv6 the same; a next header
 * other than TCP or UDP (extension headers are not parsed by the model)
 * hashes the addresses alone.  Anything else: no hash.
 */
uint32_t
emu_rss_input(const uint8_t *f, uint32_t len, uint32_t mrqc, uint8_t in[36],
    uint32_t *inlen)
{
	uint32_t l3 = 14, ihl, l4, alen;
	uint16_t et;
	uint8_t proto;
	int v6, ports, frag = 0;

	*inlen = 0;
	if (len < 14)
		return EMU_RSSTYPE_NONE;
	et = (uint16_t)(f[12] << 8 | f[13]);
	if (et == 0x8100 && len >= 18) {
		et = (uint16_t)(f[16] << 8 | f[17]);
		l3 = 18;
	}
	if (et == 0x0800 && len >= l3 + 20 && (f[l3] >> 4) == 4) {
		ihl = (f[l3] & 0xf) * 4u;
		if (ihl < 20 || len < l3 + ihl)
			return EMU_RSSTYPE_NONE;
		v6 = 0;
		proto = f[l3 + 9];
		frag = ((f[l3 + 6] & 0x3f) | f[l3 + 7]) != 0;
		alen = 4;
		memcpy(in, f + l3 + 12, 8);
		l4 = l3 + ihl;
	} else if (et == 0x86dd && len >= l3 + 40 && (f[l3] >> 4) == 6) {
		v6 = 1;
		proto = f[l3 + 6];
		alen = 16;
		memcpy(in, f + l3 + 8, 32);
		l4 = l3 + 40;
	} else
		return EMU_RSSTYPE_NONE;
	ports = !frag && len >= l4 + 4;
	if (ports && proto == 6 &&
	    (mrqc & (v6 ? EMU_MRQC_TCPIPV6 : EMU_MRQC_TCPIPV4))) {
		memcpy(in + 2 * alen, f + l4, 4);
		*inlen = 2 * alen + 4;
		return v6 ? EMU_RSSTYPE_TCPIPV6 : EMU_RSSTYPE_TCPIPV4;
	}
	if (ports && proto == 17 &&
	    (mrqc & (v6 ? EMU_MRQC_UDPIPV6 : EMU_MRQC_UDPIPV4))) {
		memcpy(in + 2 * alen, f + l4, 4);
		*inlen = 2 * alen + 4;
		return v6 ? EMU_RSSTYPE_UDPIPV6 : EMU_RSSTYPE_UDPIPV4;
	}
	if (mrqc & (v6 ? EMU_MRQC_IPV6 : EMU_MRQC_IPV4)) {
		*inlen = 2 * alen;
		return v6 ? EMU_RSSTYPE_IPV6 : EMU_RSSTYPE_IPV4;
	}
	return EMU_RSSTYPE_NONE;
}

/* §7.1.4 CRC-32 of the frame, for a driver that does not strip it. */
static uint32_t
emu_crc32(const uint8_t *p, uint32_t len)
{
	static uint32_t table[256];
	static int ready;
	uint32_t c, i, k;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	c = 0xffffffffu;
	for (i = 0; i < len; i++)
		c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return ~c;
}

/*
 * Offer one frame (no CRC) to the receive side; fc is set for wires that
 * wait for the NIC (generator, pcap) rather than drop like a cable.
 * §7.1: size checks, L2 filter, then the queue (§7.1.2: queue 0, or with
 * RSS the RETA entry the hash selects, queue 0 for a frame without a
 * hash); the frame goes there if that queue has enough descriptors,
 * else it is missed: QPRDC with SRRCTL.DROP_EN, RXMPC(0) without.  A
 * queue that is not enabled has no descriptors.  The frame is written
 * BSIZEPKT bytes per descriptor, EOP on the last; the descriptors'
 * write-backs are held until the end of the pass (emu_rx_writeback),
 * each written whole, the qword holding status/length last with release
 * ordering, so a driver that sees DD (acquire) sees the data and the
 * length too.
 */
int
emu_rx_frame(struct emu82599 *nic, const uint8_t *f, uint32_t len, int fc)
{
	struct emu_rxpass *p = &nic->rx;
	struct emu_rxq *r;
	uint8_t *buf[32];
	uint8_t crc[EMU_CRC_LEN];
	uint8_t in[36];
	uint32_t dlen, need, i, off, chunk, maxlen, lo, hi, st, head, type;
	uint32_t inlen, hash;
	int m, strip, q = 0;

	if (!p->on)
		return fc ? EMU_RX_NOROOM : EMU_RX_DROPPED;
	maxlen = p->maxlen;
	if (len >= 14 && f[12] == 0x81 && f[13] == 0x00)
		maxlen += EMU_VLAN_LEN;		/* §8.2.3.22.13 */
	if (len < EMU_FRAME_MIN || len > maxlen) {
		emu_acc(nic, EMU_S_TPR, 1);
		emu_acc(nic, EMU_S_TOR, len + EMU_CRC_LEN);
		emu_acc(nic, len < EMU_FRAME_MIN ? EMU_S_RUC : EMU_S_ROC, 1);
		return EMU_RX_DROPPED;
	}
	if (!emu_l2_accept(nic, f, p->fctrl)) {
		emu_acc(nic, EMU_S_TPR, 1);
		emu_acc(nic, EMU_S_TOR, len + EMU_CRC_LEN);
		return EMU_RX_DROPPED;
	}
	emu_rx_meta(f, len, p->rxcsum, &lo, &hi, &st);
	if (p->rss) {
		/* §7.1.2.8: RETA[hash 6:0], bits 3:0 of the entry; no
		 * hash: RSS output index 0.  §7.1.6.2: the RSS type in
		 * lo_dword 3:0, the hash in hi_dword with RXCSUM.PCSD. */
		type = emu_rss_input(f, len, p->mrqc, in, &inlen);
		hash = 0;
		if (type != EMU_RSSTYPE_NONE) {
			hash = emu_rss_hash(p->key, in, inlen);
			q = p->reta[hash & (EMU_RETA_SIZE - 1)] &
			    EMU_RETA_QUEUE_MASK;
		}
		lo |= type;
		if (p->rxcsum & EMU_RXCSUM_PCSD)
			hi = hash;
	}
	r = &nic->rxq[q];
	if (!r->on) {
		/* RSS to a queue that is not enabled: missed. */
		emu_acc(nic, EMU_S_TPR, 1);
		emu_acc(nic, EMU_S_TOR, len + EMU_CRC_LEN);
		if (emu_rd(nic, EMU_SRRCTL(q)) & EMU_SRRCTL_DROP_EN)
			emu_acc(nic, EMU_S_QPRDC + emu_statmap(nic, EMU_RQSMR(0),
			    q), 1);
		else
			emu_acc(nic, EMU_S_MPC, 1);
		return EMU_RX_DROPPED;
	}
	strip = (p->hlreg0 & EMU_HLREG0_RXCRCSTRP) != 0;
	dlen = len + (strip ? 0 : EMU_CRC_LEN);
	/* Descriptors the frame takes; most frames fit one buffer, and a
	 * division costs more than the rest of this check. */
	need = 0;
	if (r->bsize != 0)
		need = dlen <= r->bsize ? 1 : (dlen + r->bsize - 1) / r->bsize;
	/* §8.2.3.8.7: BSIZEPACKET is 1 to 16 KiB. */
	if ((r->srrctl & EMU_SRRCTL_DESCTYPE_MASK) !=
	    EMU_SRRCTL_DESCTYPE_ADV1 || need == 0 || need > 32 ||
	    r->bsize > EMU_BSIZEPKT_MAX) {
		if (emu_warn_once(nic, EMU_W_DESCTYPE))
			log_warnx("emu82599 %s: SRRCTL(%d) = 0x%08x: the model "
			    "receives only into advanced one-buffer descriptors "
			    "(DESCTYPE 001) with BSIZEPKT 1..16 KiB; frames are "
			    "dropped", nic->name, q, r->srrctl);
		emu_acc(nic, EMU_S_TPR, 1);
		emu_acc(nic, EMU_S_TOR, len + EMU_CRC_LEN);
		return EMU_RX_DROPPED;
	}
	if (need > r->avail && !p->burst) {
		/* The tail may have moved since the pass began: a frame
		 * that comes after the driver gave descriptors back must
		 * find them (the silicon fetches them while the frame waits
		 * in its packet buffer).  Not in a burst fault, whose
		 * frames all arrive at once. */
		uint32_t tail = __atomic_load_n(&nic->regs[EMU_RDT(q) >> 2],
		    __ATOMIC_ACQUIRE);

		if (tail < r->n)
			r->avail = (tail + r->n - r->head) % r->n;
	}
	if (need > r->avail) {
		if (fc)
			return EMU_RX_NOROOM;
		emu_acc(nic, EMU_S_TPR, 1);
		emu_acc(nic, EMU_S_TOR, len + EMU_CRC_LEN);
		if (r->srrctl & EMU_SRRCTL_DROP_EN)
			emu_acc(nic, EMU_S_QPRDC + emu_statmap(nic, EMU_RQSMR(0),
			    q), 1);
		else
			emu_acc(nic, EMU_S_MPC, 1);
		return EMU_RX_DROPPED;
	}
	emu_acc(nic, EMU_S_TPR, 1);
	emu_acc(nic, EMU_S_TOR, len + EMU_CRC_LEN);
	if (r->nwb + need > EMU_RX_WB_MAX)
		emu_rx_writeback(r);
	/* Post the writes of a frame a few descriptors ahead: the buffer
	 * lines are on their way by the time that frame comes. */
	if (r->avail > need + EMU_RX_AHEAD) {
		uint32_t ah = r->head + need + EMU_RX_AHEAD;
		void *v;

		if (ah >= r->n)
			ah -= r->n;
		v = emu_dma(nic, r->ring[ah].read.pkt_addr,
		    64);
		if (v != NULL)
			prefetchw(v);
	}

	/* The IOMMU: every buffer before any byte is written. */
	head = r->head;
	for (i = 0, off = 0; i < need; i++, off += r->bsize) {
		uint64_t a = r->ring[head].read.pkt_addr;

		/* §7.1.6.1: bit 0 of the header address overlays DD and
		 * is 0 in a descriptor given to the NIC. */
		if (__builtin_expect(r->ring[head].read.hdr_addr & 1, 0))
			emu_violation(nic, EMU_RULE_RESERVED, "RX queue %d "
			    "descriptor %u handed over with DD (header address "
			    "bit 0) set", q, head);

		chunk = dlen - off < r->bsize ? dlen - off : r->bsize;
		if ((buf[i] = emu_dma(nic, a, chunk)) == NULL) {
			emu_rx_writeback(r);
			emu_iommu_fault(nic, "RX buffer", q, a, chunk);
			emu_rxq_stop(nic, q);
			if (!p->rss)
				p->on = 0;
			return EMU_RX_DROPPED;
		}
		head = head + 1 == r->n ? 0 : head + 1;
	}
	if (!strip) {
		uint32_t c = emu_crc32(f, len);

		crc[0] = (uint8_t)c;
		crc[1] = (uint8_t)(c >> 8);
		crc[2] = (uint8_t)(c >> 16);
		crc[3] = (uint8_t)(c >> 24);
	}

	head = r->head;
	for (i = 0, off = 0; i < need; i++, off += r->bsize) {
		uint64_t q1;
		uint32_t status = EMU_RXD_DD;

		chunk = dlen - off < r->bsize ? dlen - off : r->bsize;
		if (off + chunk <= len)
			memcpy(buf[i], f + off, chunk);
		else {
			uint32_t n = off < len ? len - off : 0;

			memcpy(buf[i], f + off, n);
			memcpy(buf[i] + n, crc + (off + n - len), chunk - n);
		}
		if (i == need - 1)
			status |= EMU_RXD_EOP | st | p->err;
		/* The write-back overwrites pkt_addr (lo/hi dwords): a
		 * driver must not read its buffer address back. */
		q1 = status | (uint64_t)chunk << 32;	/* vlan 0 */
		r->wb_idx[r->nwb] = head;
		r->wb[r->nwb][0] = lo | (uint64_t)hi << 32;
		r->wb[r->nwb][1] = q1;
		r->nwb++;
		head = head + 1 == r->n ? 0 : head + 1;
	}
	r->head = head;
	r->avail -= need;

	/* §8.2.3.23: octet counters include the CRC; the queue's
	 * counters are those of its RQSMR statistics set. */
	m = emu_statmap(nic, EMU_RQSMR(0), q);
	emu_acc(nic, EMU_S_GPRC, 1);
	emu_acc(nic, EMU_S_GORC, len + EMU_CRC_LEN);
	emu_acc(nic, EMU_S_RXDGPC, 1);
	emu_acc(nic, EMU_S_QPRC + m, 1);
	emu_acc(nic, EMU_S_QBRC + m, dlen);
	if (f[0] & 1)
		emu_acc(nic, (f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xff ?
		    EMU_S_BPRC : EMU_S_MPRC, 1);
	return EMU_RX_TAKEN;
}

/* ------------------------------------------------------------------ */
/* Transmit (§7.2)                                                    */

#define EMU_TX_MAXFRAGS	40	/* §7.2.3.3: buffers per packet */

struct emu_frag {
	uint64_t	 addr;
	uint32_t	 len;
};

/* One packet's fragments are in DMA memory: gather, pad, count, and put
 * it on the wire (or back into RX with HLREG0.LPBK).  -1 on an IOMMU
 * fault (the queue is stopped), else 0. */
static int
emu_tx_packet(struct emu82599 *nic, int q, const struct emu_frag *fr,
    int nfrag, uint32_t total, uint32_t hlreg0)
{
	static uint8_t big[EMU_TX_FRAME_MAX] __attribute__((aligned(64)));
	const uint8_t *src[EMU_TX_MAXFRAGS];
	const uint8_t *data;
	uint8_t *dst;
	uint32_t len, off;
	int i, m;

	for (i = 0; i < nfrag; i++)
		if ((src[i] = emu_dma(nic, fr[i].addr,
		    fr[i].len)) == NULL) {
			emu_iommu_fault(nic, "TX buffer", q, fr[i].addr,
			    fr[i].len);
			emu_txq_stop(nic, q);
			return -1;
		}

	len = total;
	if (len < EMU_FRAME_MIN && (hlreg0 & EMU_HLREG0_TXPADEN))
		len = EMU_FRAME_MIN;		/* §8.2.3.22.8 TXPADEN */
	if (nfrag == 1 && len == total)
		data = src[0];
	else {
		/* The big buffer is for a gathered frame longer than a
		 * stage: loopback takes it at once, and the wire is
		 * flushed after it (below) before it is used again. */
		if (len <= EMU_STAGE_SIZE && nic->nstage < EMU_TX_BATCH)
			dst = nic->stage[nic->nstage++];
		else
			dst = big;
		for (i = 0, off = 0; i < nfrag; i++) {
			memcpy(dst + off, src[i], fr[i].len);
			off += fr[i].len;
		}
		memset(dst + off, 0, len - off);
		data = dst;
	}

	emu_acc(nic, EMU_S_TXDGPC, 1);
	if (!(hlreg0 & EMU_HLREG0_LPBK) && !nic->link_up)
		return 0;	/* no link: the MAC has nowhere to send it */
	m = emu_statmap(nic, EMU_TQSM(0), q);
	emu_acc(nic, EMU_S_GPTC, 1);
	emu_acc(nic, EMU_S_TPT, 1);
	emu_acc(nic, EMU_S_GOTC, len + EMU_CRC_LEN);
	emu_acc(nic, EMU_S_QPTC + m, 1);
	emu_acc(nic, EMU_S_QBTC + m, len);
	if (len >= 6 && (data[0] & 1))
		emu_acc(nic, (data[0] & data[1] & data[2] & data[3] & data[4] &
		    data[5]) == 0xff ? EMU_S_BPTC : EMU_S_MPTC, 1);
	if (hlreg0 & EMU_HLREG0_LPBK)
		(void)emu_rx_frame(nic, data, len, 0);	/* MAC loopback */
	else {
		emu_wire_tx(nic, data, len);
		/* A wire that batches (IFACE) holds the pointer. */
		if (data == big)
			emu_wire_tx_flush(nic);
	}
	return 0;
}

static void
emu_tx_bad(struct emu82599 *nic, int q, uint32_t idx, const char *why)
{
	if (emu_warn_once(nic, EMU_W_TXDESC))
		log_warnx("emu82599 %s: TX queue %d descriptor %u: %s; the "
		    "packet is dropped (logged once)", nic->name, q, idx, why);
}

/*
 * §7.2.3: process the descriptors the driver handed over, [TDH, TDT), a
 * whole packet (up to EOP) at a time, at most about EMU_TX_BATCH per
 * pass.
 * The packets are put on the wire, then the RS descriptors are written
 * back (DD, §7.2.3.5.1) or the head is written to TDWBAL/H (§7.2.3.5.2),
 * then TDH moves.
 */
static int
emu_tx_queue(struct emu82599 *nic, int q, uint32_t hlreg0)
{
	struct emu_txq *t = &nic->txq[q];
	struct emu_frag fr[EMU_TX_MAXFRAGS];
	uint32_t rs[EMU_TX_BATCH + EMU_TX_MAXFRAGS];
	uint32_t tail, head, idx, ndesc = 0, nrs = 0, total, paylen, i, nd;
	int nfrag, eop, bad, fault = 0;

	/* A hung queue (a fault): nothing fetched, nothing written back,
	 * TDH stays, until the queue is disabled (emu_txq_stop). */
	if (__builtin_expect(__atomic_load_n(&nic->tx_hung[q],
	    __ATOMIC_RELAXED), 0))
		return 0;
	tail = __atomic_load_n(&nic->regs[EMU_TDT(q) >> 2], __ATOMIC_ACQUIRE);
	head = t->head;
	if (tail >= t->n) {
		if (emu_warn_once(nic, EMU_W_TDT))
			log_warnx("emu82599 %s: TDT(%d) = %u is beyond the ring "
			    "(%u descriptors)", nic->name, q, tail, t->n);
		return 0;
	}
	/* A NIC keeps many reads in flight: fetch this pass's descriptors,
	 * then start the reads of their data, before the first frame is
	 * needed, rather than one miss after another. */
	nd = (tail + t->n - head) % t->n;
	emu_desc_fetch(t->ring, sizeof(t->ring[0]), head, t->n,
	    nd < EMU_TX_BATCH ? nd : EMU_TX_BATCH, 0);
	for (i = 0, idx = head; idx != tail && i < EMU_TX_BATCH; i++) {
		const void *v = emu_dma(nic,
		    t->ring[idx].read.buffer_addr, 1);

		if (v != NULL)
			__builtin_prefetch(v);
		idx = idx + 1 == t->n ? 0 : idx + 1;
	}
	while (head != tail && ndesc < EMU_TX_BATCH) {
		const char *why = NULL;
		uint32_t nrs0 = nrs;

		nfrag = 0;
		total = 0;
		paylen = 0;
		eop = 0;
		bad = 0;
		idx = head;
		nd = 0;
		while (idx != tail) {
			union emu_tx_desc *d = &t->ring[idx];
			uint64_t addr = d->read.buffer_addr;
			uint32_t cmd = d->read.cmd_type_len;
			uint32_t ol = d->read.olinfo_status;
			uint32_t dlen = cmd & EMU_TXD_DTALEN_MASK;

			if (cmd & EMU_TXD_RS)
				rs[nrs++] = idx;
			idx = idx + 1 == t->n ? 0 : idx + 1;
			if (++nd == EMU_TX_MAXFRAGS &&
			    !(cmd & EMU_TXD_EOP)) {
				/* No EOP within 40 descriptors: end the
				 * packet here, as a bad one. */
				bad = 1;
				why = "no EOP within 40 descriptors";
				eop = 1;
				break;
			}
			if (!(cmd & EMU_TXD_DEXT)) {
				/* §7.2.3.2.2 legacy descriptor: length
				 * 15:0, CMD.EOP bit 24; no PAYLEN. */
				paylen = total + dlen;
			} else if ((cmd & EMU_TXD_DTYP_MASK) ==
			    EMU_TXD_DTYP_CTXT) {
				/* §7.2.3.2.3 context descriptor: offload
				 * parameters, no data. */
				if (nfrag == 0) {
					eop = 2;
					break;
				}
				bad = 1;
				why = "context descriptor inside a packet";
				continue;
			} else if ((cmd & EMU_TXD_DTYP_MASK) !=
			    EMU_TXD_DTYP_DATA) {
				bad = 1;
				why = "unknown descriptor type (DTYP)";
			} else {
				if (nfrag == 0)
					paylen = ol >> EMU_TXD_PAYLEN_SHIFT;
				/* §7.2.3.2.4: CMD bits 17:16 are reserved,
				 * STA (olinfo 3:0) is the NIC's to write. */
				if ((cmd & EMU_TXD_RSV_CMD) ||
				    (ol & EMU_TXD_STA_MASK)) {
					bad = 1;
					why = "reserved field set";
					emu_violation(nic, EMU_RULE_RESERVED,
					    "TX queue %d descriptor %u: "
					    "cmd_type_len 0x%08x, olinfo_status "
					    "0x%08x", q, (idx + t->n - 1) % t->n,
					    cmd, ol);
				}
				if (cmd & EMU_TXD_TSE) {
					bad = 1;
					why = "TCP segmentation (TSE) is not "
					    "modelled";
				}
			}
			fr[nfrag].addr = addr;
			fr[nfrag].len = dlen;
			nfrag++;
			total += dlen;
			if (cmd & EMU_TXD_EOP) {
				eop = 1;
				break;
			}
		}
		if (!eop) {
			/* The rest of the packet is not there yet. */
			nrs = nrs0;
			break;
		}
		if (eop == 1 && !bad) {
			if (paylen != total) {
				bad = 1;
				why = "PAYLEN differs from the sum of the "
				    "buffer lengths";
			} else if (total < EMU_TX_MIN_LEN ||
			    total > EMU_TX_MAX_LEN) {
				/* §7.2.3.2.4, §7.2.1: the DMA takes
				 * packets of 17 bytes to 15.5 KB. */
				bad = 1;
				why = total < EMU_TX_MIN_LEN ? "packet shorter "
				    "than 17 bytes" : "packet longer than "
				    "15.5 KB";
				emu_violation(nic, EMU_RULE_TX_LEN, "TX queue "
				    "%d descriptor %u: a %u-byte packet", q,
				    head, total);
			}
		}
		if (bad)
			emu_tx_bad(nic, q, head, why);
		else if (eop == 1 && emu_tx_packet(nic, q, fr, nfrag, total,
		    hlreg0) == -1) {
			nrs = nrs0;
			fault = 1;
			break;
		}
		ndesc += idx >= head ? idx - head : idx + t->n - head;
		head = idx;
	}
	if (head == t->head && !fault)
		return 0;

	emu_wire_tx_flush(nic);
	nic->nstage = 0;

	if (nrs > 0) {
		uint32_t wbl = emu_rd(nic, EMU_TDWBAL(q));

		if (wbl & EMU_TDWBAL_HEAD_WB_EN) {
			uint64_t a = (uint64_t)emu_rd(nic, EMU_TDWBAH(q)) << 32 |
			    (wbl & ~3u);
			uint32_t *hp = emu_dma(nic, a, 4);

			if (hp == NULL) {
				emu_iommu_fault(nic, "TX head write-back", q, a,
				    4);
				emu_txq_stop(nic, q);
			} else
				__atomic_store_n(hp, head, __ATOMIC_RELEASE);
		} else {
			for (i = 0; i < nrs; i++) {
				union emu_tx_desc *d = &t->ring[rs[i]];

				/* The write-back leaves the first qword
				 * undefined: poison it. */
				d->wb.rsvd = 0xdeadbeefdeadbeefull;
				d->wb.nxtseq_seed = 0;
				__atomic_store_n(&d->wb.status,
				    EMU_TXD_STAT_DD, __ATOMIC_RELEASE);
			}
		}
	}
	/* The statistics first: once TDH shows a frame gone, its counts
	 * are in the registers. */
	emu_acc_flush(nic);
	t->head = head;
	__atomic_store_n(&nic->regs[EMU_TDH(q) >> 2], head, __ATOMIC_RELEASE);
	return (int)ndesc + fault;
}

static int
emu_tx_pass(struct emu82599 *nic)
{
	uint32_t hlreg0;
	int i, work = 0;

	if (nic->ntxact == 0 ||
	    !(emu_rd(nic, EMU_DMATXCTL) & EMU_DMATXCTL_TE))
		return 0;
	hlreg0 = emu_rd(nic, EMU_HLREG0);
	for (i = 0; i < nic->ntxact; i++)
		work += emu_tx_queue(nic, nic->txact[i], hlreg0);
	return work;
}

/* ------------------------------------------------------------------ */
/* The engine                                                         */

static int
emu_nic_pass(struct emu82599 *nic, uint64_t now)
{
	int work;

	emu_tick(nic, now);
	if (now >= nic->slow_next_ns) {
		emu_wire_slow(nic, now);
		nic->slow_next_ns = now + EMU_SLOW_NS;
	}
	/* In reset, bus mastering stopped (§5.2.5.3.2), or not allowed
	 * to master the bus (PCI command register): no DMA. */
	if (nic->in_reset || (emu_rd(nic, EMU_CTRL) & EMU_CTRL_MASTER_DIS) ||
	    !emu_bus_master(nic) ||
	    __atomic_load_n(&nic->removed, __ATOMIC_RELAXED))
		return 0;
	emu_rx_begin(nic);
	work = emu_fault_rx(nic);
	work += emu_wire_rx(nic, now);
	work += emu_tx_pass(nic);
	emu_acc_flush(nic);		/* before RDH moves */
	emu_rx_flush(nic);
	return work;
}

/*
 * Nothing moved in a round.  A NIC never sleeps, but an idle emulator
 * should not hold a core: spin for EMU_SPIN_NS (a busy driver comes back
 * well within that), then yield for a while, then sleep in ppoll() on
 * the interface wires and the wake-up eventfd.  A frame arriving on a
 * wire or a doorbell (RDT, TDT) ends the sleep at once; the timeout,
 * a tenth of the time idle so far and at most EMU_SLEEP_MAX_NS, only
 * paces what nothing announces (a slow generator, carrier polls).
 */
#define EMU_SPIN_NS		100000ull	/* 100 us */
#define EMU_YIELD_NS		2000000ull	/* 2 ms */
#define EMU_SLEEP_MAX_NS	10000000ull	/* 10 ms */

static int
emu_engine_round(uint64_t now)
{
	int i, work = 0;

	pthread_mutex_lock(&emu_list_lock);
	for (i = 0; i < emu_nnics; i++) {
		struct emu82599 *nic = emu_nics[i];

		if (pthread_mutex_trylock(&nic->lock) != 0) {
			work++;		/* come back soon */
			continue;
		}
		work += emu_nic_pass(nic, now);
		pthread_mutex_unlock(&nic->lock);
	}
	pthread_mutex_unlock(&emu_list_lock);
	return work;
}

static void
emu_engine_sleep(uint64_t idle_ns)
{
	struct pollfd pfd[EMU_MAX_NICS + 1];
	struct timespec ts;
	uint64_t ns, drain;
	int i, n = 0;

	pfd[n].fd = emu_wake_fd;
	pfd[n++].events = POLLIN;
	pthread_mutex_lock(&emu_list_lock);
	for (i = 0; i < emu_nnics; i++)
		if ((pfd[n].fd = emu_wire_pollfd(emu_nics[i])) != -1)
			pfd[n++].events = POLLIN;
	pthread_mutex_unlock(&emu_list_lock);
	/* Asleep from here: a doorbell after this store kicks; one rung
	 * before it is found by the round below. */
	__atomic_store_n(&emu_engine_asleep, 1, __ATOMIC_SEQ_CST);
	if (emu_engine_round(emu_now_ns()) == 0 &&
	    !__atomic_load_n(&emu_engine_quit, __ATOMIC_ACQUIRE)) {
		ns = idle_ns / 10;
		if (ns > EMU_SLEEP_MAX_NS)
			ns = EMU_SLEEP_MAX_NS;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)ns;
		(void)ppoll(pfd, (nfds_t)n, &ts, NULL);
	}
	__atomic_store_n(&emu_engine_asleep, 0, __ATOMIC_RELAXED);
	if (pfd[0].fd != -1)
		(void)!read(emu_wake_fd, &drain, sizeof(drain));
}

static void
emu_backoff(uint64_t idle_ns)
{
	if (idle_ns < EMU_SPIN_NS) {
		__builtin_ia32_pause();
		return;
	}
	if (idle_ns < EMU_YIELD_NS || emu_wake_fd == -1) {
		sched_yield();
		return;
	}
	emu_engine_sleep(idle_ns);
}

static void *
emu_engine_main(void *arg)
{
	uint64_t idle_since = 0;

	(void)arg;
	/* Sleeps are short: without this the default 50 us timer slack
	 * would stretch each of them. */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	while (!__atomic_load_n(&emu_engine_quit, __ATOMIC_ACQUIRE)) {
		uint64_t now = emu_now_ns();

		emu_fault_poll(now);
		if (emu_engine_round(now) > 0)
			idle_since = 0;
		else if (idle_since == 0)
			idle_since = now;
		else
			emu_backoff(now - idle_since);
	}
	return NULL;
}

int
emu_engine_start(int cpu)
{
	int error;

	if (emu_engine_running) {
		log_warnx("emu82599: the DMA engine is already running");
		return -1;
	}
	pthread_once(&emu_regmap_once, emu_regmap_init);
	__atomic_store_n(&emu_engine_quit, 0, __ATOMIC_RELEASE);
	if (emu_wake_fd == -1 &&
	    (emu_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		log_warn("emu82599: eventfd (the engine will not sleep)");
	if ((error = pthread_create(&emu_engine_thread, NULL, emu_engine_main,
	    NULL)) != 0) {
		errno = error;
		log_warn("emu82599: cannot start the DMA engine thread");
		return -1;
	}
	pthread_setname_np(emu_engine_thread, "emu82599");
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if ((error = pthread_setaffinity_np(emu_engine_thread,
		    sizeof(set), &set)) != 0) {
			errno = error;
			log_warn("emu82599: cannot pin the DMA engine to CPU "
			    "%d", cpu);
		}
	}
	emu_engine_running = 1;
	return 0;
}

void
emu_engine_stop(void)
{
	if (!emu_engine_running)
		return;
	__atomic_store_n(&emu_engine_quit, 1, __ATOMIC_SEQ_CST);
	emu_engine_kick();
	pthread_join(emu_engine_thread, NULL);
	emu_engine_running = 0;
}

/* ------------------------------------------------------------------ */
/* NICs                                                               */

struct emu82599 *
emu_create(const char *name, const uint8_t mac[6],
    const struct emu_wire_conf *wire)
{
	struct emu82599 *nic;
	uint32_t sum = 0;
	int i;

	pthread_once(&emu_regmap_once, emu_regmap_init);
	if (name == NULL)
		name = "emu";
	if (mac == NULL || wire == NULL) {
		log_warnx("emu82599 %s: no MAC address or wire", name);
		return NULL;
	}
	if ((nic = emu_zalloc(sizeof(*nic))) == NULL) {
		log_warn("emu82599 %s", name);
		return NULL;
	}
	pthread_mutex_init(&nic->lock, NULL);
	snprintf(nic->name, sizeof(nic->name), "%s", name);
	memcpy(nic->mac, mac, sizeof(nic->mac));
	nic->carrier_force = -1;
	nic->slot = -1;
	nic->strict = 1;
	nic->device_id = EMU_DEVICE_DEFAULT;
	nic->media = EMU_MEDIA_SFI;
	/* as the firmware and a kernel driver left it: memory decoding
	 * and bus mastering on (vfio-pci turns mastering off: emu_vfio) */
	nic->pci_cmd = EMU_PCI_COMMAND_MEMORY | EMU_PCI_COMMAND_MASTER;
	/* A small EEPROM image (§6): words read 0xffff, word 0x3f makes
	 * the words 0x00-0x3f sum to 0xbaba, the EEPROM checksum rule. */
	for (i = 0; i < 63; i++) {
		nic->eeprom[i] = 0xffff;
		sum += 0xffff;
	}
	nic->eeprom[63] = (uint16_t)(0xbaba - sum);

	if (emu_wire_open(nic, wire) == -1) {
		pthread_mutex_destroy(&nic->lock);
		free(nic);
		return NULL;
	}

	/* Power-on: as after a reset that has completed. */
	pthread_mutex_lock(&nic->lock);
	emu_reset(nic, 0, 0);
	emu_reset_complete(nic);
	pthread_mutex_unlock(&nic->lock);

	pthread_mutex_lock(&emu_list_lock);
	if (emu_nnics == EMU_MAX_NICS) {
		pthread_mutex_unlock(&emu_list_lock);
		log_warnx("emu82599 %s: more than %d emulated NICs", name,
		    EMU_MAX_NICS);
		emu_wire_close(nic);
		pthread_mutex_destroy(&nic->lock);
		free(nic);
		return NULL;
	}
	nic->slot = emu_nnics;
	emu_nics[emu_nnics++] = nic;
	pthread_mutex_unlock(&emu_list_lock);
	return nic;
}

void
emu_destroy(struct emu82599 *nic)
{
	if (nic == NULL)
		return;
	/* Out of the engine's list first: the engine holds the list lock
	 * for a whole round, so once this returns it will not touch nic. */
	pthread_mutex_lock(&emu_list_lock);
	if (nic->slot >= 0) {
		emu_nics[nic->slot] = emu_nics[--emu_nnics];
		emu_nics[nic->slot]->slot = nic->slot;
		emu_nics[emu_nnics] = NULL;
		nic->slot = -1;
	}
	pthread_mutex_unlock(&emu_list_lock);
	emu_vfio_remove(nic);
	emu_wire_disconnect(nic);
	emu_wire_close(nic);
	pthread_mutex_destroy(&nic->lock);
	free(nic);
}

void
emu_bar(struct emu82599 *nic, struct bar *bar)
{
	memset(bar, 0, sizeof(*bar));
	bar->mmio = NULL;
	bar->len = EMU_BAR0_SIZE;
	bar->ops = &emu_bar_ops;
	bar->ctx = nic;
	bar->device_id = nic->device_id;	/* its PCI config space */
	bar->cfg.valid = 1;
	bar->cfg.fd = -1;
	bar->cfg.ops = &emu_cfg_ops;
	bar->cfg.ctx = nic;
}

int
emu_set_device_id(struct emu82599 *nic, uint16_t device_id)
{
	size_t i;

	for (i = 0; i < sizeof(emu_devices) / sizeof(emu_devices[0]); i++) {
		if (emu_devices[i].id != device_id)
			continue;
		pthread_mutex_lock(&nic->lock);
		nic->device_id = device_id;
		nic->media = emu_devices[i].media;
		/* The EEPROM of that part: its link registers, and the
		 * link negotiates again. */
		emu_reset_link_regs(nic);
		nic->an_failed = 0;
		nic->an_start_ns = 0;
		emu_set_link(nic, 0);
		pthread_mutex_unlock(&nic->lock);
		return 0;
	}
	log_warnx("emu82599 %s: device ID 0x%04x is not an 82599-family "
	    "part the model knows", nic->name, device_id);
	return -1;
}

uint16_t
emu_device_id(struct emu82599 *nic)
{
	return nic->device_id;
}

uint64_t
emu_iommu_faults(struct emu82599 *nic)
{
	return __atomic_load_n(&nic->iommu_faults, __ATOMIC_RELAXED);
}

void
emu_set_carrier(struct emu82599 *nic, int up)
{
	__atomic_store_n(&nic->carrier_force, up ? 1 : 0, __ATOMIC_SEQ_CST);
	emu_engine_kick();
}

void
emu_wire_stats(struct emu82599 *nic, struct emu_wire_stats *st)
{
	st->to_nic = __atomic_load_n(&nic->wst.to_nic, __ATOMIC_ACQUIRE);
	st->from_nic = __atomic_load_n(&nic->wst.from_nic, __ATOMIC_ACQUIRE);
	st->oversize = __atomic_load_n(&nic->wst.oversize, __ATOMIC_ACQUIRE);
	st->sink_bad = __atomic_load_n(&nic->wst.sink_bad, __ATOMIC_ACQUIRE);
	st->wire_errors = __atomic_load_n(&nic->wst.wire_errors,
	    __ATOMIC_ACQUIRE);
	st->sink_lost = __atomic_load_n(&nic->wst.sink_lost, __ATOMIC_ACQUIRE);
}
