/*
 * test_emu.c: the emulated 82599 on its own, driven through its BAR the
 * way a driver would, with descriptors built by hand in DMA memory (the
 * driver itself is not used).  Plus the wire's checksum completion and
 * segmentation, and its generator frames, through the private header.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "dma.h"
#include "emu82599.h"
#include "emu82599_priv.h"
#include "ixgbe_desc.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "nicrig.h"

/* Descriptors, then the tail.  Under ThreadSanitizer, which does not model
 * fences (gcc refuses them, -Wtsan), the tail write itself, a seq-cst
 * store in the model, gives the order. */
#ifdef __SANITIZE_THREAD__
#define desc_wmb()	do { } while (0)
#else
#define desc_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x0b, 0x02 };
static int have_dma;
static const char *no_dma = "no DMA memory (2 MiB hugepages)";

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

static int
wait_u32(volatile uint32_t *p, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	do {
		if ((__atomic_load_n(p, __ATOMIC_ACQUIRE) & mask) == want)
			return 0;
		usleep(50);
	} while (now_ms() < end);
	return -1;
}

static int
wait_wire(struct emu82599 *nic, int to_nic, uint64_t n)
{
	struct emu_wire_stats st;
	uint64_t end = now_ms() + WAIT_MS;

	do {
		emu_wire_stats(nic, &st);
		if ((to_nic ? st.to_nic : st.from_nic) >= n)
			return 0;
		usleep(100);
	} while (now_ms() < end);
	return -1;
}

static struct emu82599 *
mk(const char *name, enum emu_wire_kind kind, const uint8_t *mac)
{
	struct emu_wire_conf wc;

	memset(&wc, 0, sizeof(wc));
	wc.kind = kind;
	return emu_create(name, mac, &wc);
}

/*
 * The strict model: no rule broken but those in allow (bits of enum
 * emu_rule) that the test breaks on purpose.
 */
static void
strict_clean(struct emu82599 *nic, uint32_t allow)
{
	int rule;

	for (rule = 0; rule < EMU_RULE_COUNT; rule++)
		if (!(allow & (1u << rule)) &&
		    emu_rule_violations(nic, rule) != 0)
			t_fail(__FILE__, __LINE__, "strict rule \"%s\" (§%s) "
			    "broken %llu times", emu_rule_name(rule),
			    emu_rule_section(rule), (unsigned long long)
			    emu_rule_violations(nic, rule));
}

#define ALLOW(rule)	(1u << (rule))

/* §5.2.5.3.2 master disable, §4.6.3.2 reset and the 10 ms after it
 * (polling only CTRL); 0 or -1. */
static int
nic_reset(const struct bar *b)
{
	bar_set32(b, IXGBE_CTRL, IXGBE_CTRL_PCIE_MASTER_DISABLE);
	if (wait_reg(b, IXGBE_STATUS, IXGBE_STATUS_MASTER_EN, 0, WAIT_MS) == -1)
		return -1;
	bar_set32(b, IXGBE_CTRL, IXGBE_CTRL_RST_MASK);
	usleep(1000);
	if (wait_reg(b, IXGBE_CTRL, IXGBE_CTRL_RST_MASK, 0, WAIT_MS) == -1)
		return -1;
	usleep(10000);
	return 0;
}

/* §4.6.7: what the receive side needs before RXEN: CRC stripping the
 * same in MAC and DMA, no-snoop disabled. */
static void
rx_prep(const struct bar *b)
{
	if (bar_read32(b, IXGBE_HLREG0) & IXGBE_HLREG0_RXCRCSTRP)
		bar_set32(b, IXGBE_RDRXCTL, IXGBE_RDRXCTL_CRCSTRIP);
	else
		bar_clear32(b, IXGBE_RDRXCTL, IXGBE_RDRXCTL_CRCSTRIP);
	bar_set32(b, IXGBE_CTRL_EXT, IXGBE_CTRL_EXT_NS_DIS);
}

/* §4.6.7, §8.2.3.12: RXEN only with the security block held idle. */
static int
rx_enable(const struct bar *b)
{
	rx_prep(b);
	bar_set32(b, IXGBE_SECRXCTRL, IXGBE_SECRXCTRL_RX_DIS);
	if (wait_reg(b, IXGBE_SECRXSTAT, IXGBE_SECRXSTAT_SECRX_RDY,
	    IXGBE_SECRXSTAT_SECRX_RDY, WAIT_MS) == -1)
		return -1;
	bar_set32(b, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);
	bar_clear32(b, IXGBE_SECRXCTRL, IXGBE_SECRXCTRL_RX_DIS);
	return 0;
}

/* §4.6.3.2 reset, then §4.6.4 link; 0 when the link is up. */
static int
nic_up(const struct bar *b)
{
	if (nic_reset(b) == -1 ||
	    wait_reg(b, IXGBE_EEC, IXGBE_EEC_ARD, IXGBE_EEC_ARD, WAIT_MS) == -1)
		return -1;
	bar_set32(b, IXGBE_AUTOC, IXGBE_AUTOC_AN_RESTART);
	return wait_reg(b, IXGBE_LINKS, IXGBE_LINKS_UP, IXGBE_LINKS_UP,
	    WAIT_MS);
}

/*
 * One 2 MiB page per NIC under test: RX descriptors at 0, TX descriptors
 * at 64 KiB, RX buffers from 128 KiB, TX buffers from 1 MiB, 2 KiB each.
 */
#define RXD_OFF		0
#define TXD_OFF		(64u << 10)
#define RXB_OFF		(128u << 10)
#define TXB_OFF		(1024u << 10)
#define BUF_SZ		2048

struct mem {
	struct dma_mem	 m;
	union ixgbe_adv_rx_desc *rxd;
	union ixgbe_adv_tx_desc *txd;
	uint32_t	 nrx, ntx;
	uint32_t	 txtail;
};

static int
mem_get(struct mem *mm)
{
	memset(mm, 0, sizeof(*mm));
	if (dma_alloc(&mm->m, DMA_PAGE_SIZE, 1) == -1)
		return -1;
	mm->rxd = (void *)((uint8_t *)mm->m.virt + RXD_OFF);
	mm->txd = (void *)((uint8_t *)mm->m.virt + TXD_OFF);
	return 0;
}

static uint8_t *
rxbuf(struct mem *mm, uint32_t i)
{
	return (uint8_t *)mm->m.virt + RXB_OFF + i * BUF_SZ;
}

static uint64_t
rxbuf_iova(struct mem *mm, uint32_t i)
{
	return mm->m.iova + RXB_OFF + i * BUF_SZ;
}

static uint8_t *
txbuf(struct mem *mm, uint32_t i)
{
	return (uint8_t *)mm->m.virt + TXB_OFF + i * BUF_SZ;
}

static uint64_t
txbuf_iova(struct mem *mm, uint32_t i)
{
	return mm->m.iova + TXB_OFF + i * BUF_SZ;
}

static void
rx_arm(struct mem *mm, uint32_t i)
{
	mm->rxd[i].read.pkt_addr = rxbuf_iova(mm, i);
	mm->rxd[i].read.hdr_addr = 0;
}

/* §4.6.7: queue 0 with n descriptors, all but one handed over. */
static int
rx_setup(const struct bar *b, struct mem *mm, uint32_t n, uint32_t srrctl,
    uint32_t fctrl)
{
	uint32_t i;

	mm->nrx = n;
	for (i = 0; i < n; i++)
		rx_arm(mm, i);
	bar_write32(b, IXGBE_SRRCTL(0), srrctl);
	bar_write32(b, IXGBE_RDBAL(0), (uint32_t)(mm->m.iova + RXD_OFF));
	bar_write32(b, IXGBE_RDBAH(0), (uint32_t)((mm->m.iova + RXD_OFF) >> 32));
	bar_write32(b, IXGBE_RDLEN(0), n * 16);
	bar_write32(b, IXGBE_RDH(0), 0);
	bar_write32(b, IXGBE_RDT(0), 0);
	bar_clear32(b, IXGBE_DCA_RXCTRL(0), IXGBE_DCA_RXCTRL_BIT12);
	bar_set32(b, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE);
	if (wait_reg(b, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE,
	    IXGBE_RXDCTL_ENABLE, WAIT_MS) == -1)
		return -1;
	bar_write32(b, IXGBE_FCTRL, fctrl);
	if (!(bar_read32(b, IXGBE_RXCTRL) & IXGBE_RXCTRL_RXEN) &&
	    rx_enable(b) == -1)
		return -1;
	desc_wmb();
	bar_write32(b, IXGBE_RDT(0), n - 1);
	return 0;
}

#define SRRCTL_STD	(IXGBE_SRRCTL_DESCTYPE_ADV_ONEBUF | 2)

/* §4.6.8 */
static int
tx_setup(const struct bar *b, struct mem *mm, uint32_t n)
{
	mm->ntx = n;
	mm->txtail = 0;
	bar_write32(b, IXGBE_DMATXCTL, IXGBE_DMATXCTL_TE);
	bar_write32(b, IXGBE_TDBAL(0), (uint32_t)(mm->m.iova + TXD_OFF));
	bar_write32(b, IXGBE_TDBAH(0), (uint32_t)((mm->m.iova + TXD_OFF) >> 32));
	bar_write32(b, IXGBE_TDLEN(0), n * 16);
	bar_write32(b, IXGBE_TDH(0), 0);
	bar_write32(b, IXGBE_TDT(0), 0);
	bar_set32(b, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE);
	return wait_reg(b, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE,
	    IXGBE_TXDCTL_ENABLE, WAIT_MS);
}

#define TXCMD	(IXGBE_ADVTXD_DTYP_DATA | IXGBE_ADVTXD_DCMD_DEXT | \
		 IXGBE_ADVTXD_DCMD_IFCS)

/* Fill descriptor mm->txtail, don't ring the doorbell. */
static uint32_t
tx_desc(struct mem *mm, uint64_t addr, uint32_t len, uint32_t cmd,
    uint32_t paylen)
{
	uint32_t i = mm->txtail;
	union ixgbe_adv_tx_desc *d = &mm->txd[i];

	d->read.buffer_addr = addr;
	d->read.cmd_type_len = TXCMD | cmd | len;
	d->read.olinfo_status = paylen << IXGBE_ADVTXD_PAYLEN_SHIFT;
	mm->txtail = (i + 1) % mm->ntx;
	return i;
}

static void
tx_ring(const struct bar *b, struct mem *mm)
{
	desc_wmb();
	bar_write32(b, IXGBE_TDT(0), mm->txtail);
}

/* Send one frame from TX buffer i, RS|EOP; the descriptor's index. */
static uint32_t
tx_send(const struct bar *b, struct mem *mm, const void *f, uint32_t len)
{
	uint32_t i = mm->txtail;

	memcpy(txbuf(mm, i), f, len);
	tx_desc(mm, txbuf_iova(mm, i), len, IXGBE_ADVTXD_DCMD_EOP |
	    IXGBE_ADVTXD_DCMD_RS, len);
	tx_ring(b, mm);
	return i;
}

static uint32_t
rx_status(struct mem *mm, uint32_t i)
{
	return __atomic_load_n(&mm->rxd[i].wb.status_error, __ATOMIC_ACQUIRE);
}

static int
rx_wait(struct mem *mm, uint32_t i)
{
	return wait_u32(&mm->rxd[i].wb.status_error, IXGBE_RXD_STAT_DD,
	    IXGBE_RXD_STAT_DD, WAIT_MS);
}

static size_t
mkframe(uint8_t *f, const uint8_t *dst, size_t len, uint8_t seed)
{
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, mac_b, 6);
	f[12] = 0x88;
	f[13] = 0xb6;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seed);
	return len;
}

static uint64_t
rd64(const struct bar *b, uint32_t lo, uint32_t hi)
{
	uint64_t l = bar_read32(b, lo);

	return l | (uint64_t)bar_read32(b, hi) << 32;
}

/* Everything a test NIC needs, set up; the test frees it with done(). */
struct rig {
	struct emu82599	*nic;
	struct bar	 bar;
	struct mem	 mm;
	uint32_t	 allow;		/* strict rules broken on purpose */
};

static int
rig_up(struct rig *r, const char *name, enum emu_wire_kind kind,
    const uint8_t *mac, uint32_t nrx, uint32_t ntx)
{
	memset(r, 0, sizeof(*r));
	if ((r->nic = mk(name, kind, mac)) == NULL)
		return -1;
	emu_bar(r->nic, &r->bar);
	if (mem_get(&r->mm) == -1)
		return -1;
	if (nic_up(&r->bar) == -1)
		return -1;
	if (nrx && rx_setup(&r->bar, &r->mm, nrx, SRRCTL_STD,
	    IXGBE_FCTRL_BAM) == -1)
		return -1;
	if (ntx && tx_setup(&r->bar, &r->mm, ntx) == -1)
		return -1;
	return 0;
}

static void
rig_down(struct rig *r)
{
	strict_clean(r->nic, r->allow);
	emu_destroy(r->nic);
	dma_free(&r->mm.m);
}

/* ------------------------------------------------------------------ */
/* Registers (no engine running: timed effects are lazy on reads)     */

static void
test_reset_defaults(void)
{
	struct emu82599 *nic;
	struct bar b;
	uint64_t t0, t1;
	uint32_t ctrl, eec, rdrx;

	T_REQUIRE((nic = mk("reset", EMU_WIRE_QUEUE, mac_a)) != NULL);
	emu_bar(nic, &b);
	T_EQ(b.ops != NULL, 1);
	/* Power-on state: reset done, MAC loaded. */
	T_EQ(bar_read32(&b, IXGBE_EEC) & (IXGBE_EEC_PRES | IXGBE_EEC_ARD),
	    IXGBE_EEC_PRES | IXGBE_EEC_ARD);
	bar_write32(&b, IXGBE_FCTRL, 0x700);
	bar_write32(&b, IXGBE_SRRCTL(3), 0x12345678);
	bar_write32(&b, IXGBE_RAL(0), 0x11111111);
	bar_write32(&b, IXGBE_RAH(0), 0);
	bar_write32(&b, IXGBE_HLREG0, 0);
	bar_write32(&b, 0x0a000, 0xcafe);		/* unknown offset */
	T_EQ(bar_read32(&b, 0x0a000), 0xcafe);

	t0 = now_ms();
	bar_write32(&b, IXGBE_CTRL, IXGBE_CTRL_RST_MASK);
	/* The bits read back set for about a millisecond, ARD and
	 * DMAIDONE clear meanwhile (unless this thread was held up that
	 * long between the write and the reads). */
	ctrl = bar_read32(&b, IXGBE_CTRL);
	eec = bar_read32(&b, IXGBE_EEC);
	rdrx = bar_read32(&b, IXGBE_RDRXCTL);
	t1 = now_ms();
	if (t1 - t0 < 1) {
		T_EQ(ctrl & IXGBE_CTRL_RST_MASK, IXGBE_CTRL_RST_MASK);
		T_EQ(eec & IXGBE_EEC_ARD, 0);
		T_EQ(rdrx & IXGBE_RDRXCTL_DMAIDONE, 0);
	}
	T_REQUIRE(wait_reg(&b, IXGBE_CTRL, IXGBE_CTRL_RST_MASK, 0,
	    WAIT_MS) == 0);
	T_CHECK(now_ms() - t0 >= 1);
	T_EQ(bar_read32(&b, IXGBE_EEC) & (IXGBE_EEC_PRES | IXGBE_EEC_ARD),
	    IXGBE_EEC_PRES | IXGBE_EEC_ARD);
	T_EQ(bar_read32(&b, IXGBE_RDRXCTL) & IXGBE_RDRXCTL_DMAIDONE,
	    IXGBE_RDRXCTL_DMAIDONE);
	/* SECRX_RDY is only shown while RX_DIS holds the block off. */
	T_EQ(bar_read32(&b, IXGBE_SECRXSTAT) & IXGBE_SECRXSTAT_SECRX_RDY, 0);
	T_EQ(bar_read32(&b, IXGBE_STATUS) & IXGBE_STATUS_LAN_ID_MASK, 0);
	T_EQ(bar_read32(&b, IXGBE_STATUS) & IXGBE_STATUS_MASTER_EN,
	    IXGBE_STATUS_MASTER_EN);
	/* Defaults back, the MAC from the EEPROM with AV. */
	T_EQ(bar_read32(&b, IXGBE_FCTRL), 0);
	T_EQ(bar_read32(&b, IXGBE_SRRCTL(3)), 0x402);
	T_EQ(bar_read32(&b, IXGBE_SRRCTL(0)) & IXGBE_SRRCTL_BSIZEPKT_MASK, 2);
	T_EQ(bar_read32(&b, 0x0a000), 0);
	T_EQ(bar_read32(&b, IXGBE_RAL(0)), 0x00000002);
	T_EQ(bar_read32(&b, IXGBE_RAH(0)), IXGBE_RAH_AV | 0x010a);
	T_EQ(bar_read32(&b, IXGBE_MAXFRS) >> IXGBE_MAXFRS_MFS_SHIFT, 1518);
	T_EQ(bar_read32(&b, IXGBE_HLREG0) & (IXGBE_HLREG0_RXCRCSTRP |
	    IXGBE_HLREG0_TXPADEN), IXGBE_HLREG0_RXCRCSTRP |
	    IXGBE_HLREG0_TXPADEN);
	T_EQ(bar_read32(&b, IXGBE_RXDCTL(0)) & IXGBE_RXDCTL_ENABLE, 0);
	T_EQ(bar_read32(&b, IXGBE_LINKS) & IXGBE_LINKS_UP, 0);
	/* Master disable is seen in STATUS once requests have drained,
	 * and undone at once. */
	bar_set32(&b, IXGBE_CTRL, IXGBE_CTRL_PCIE_MASTER_DISABLE);
	T_EQ(wait_reg(&b, IXGBE_STATUS, IXGBE_STATUS_MASTER_EN, 0, WAIT_MS), 0);
	bar_clear32(&b, IXGBE_CTRL, IXGBE_CTRL_PCIE_MASTER_DISABLE);
	T_EQ(bar_read32(&b, IXGBE_STATUS) & IXGBE_STATUS_MASTER_EN,
	    IXGBE_STATUS_MASTER_EN);
	bar_set32(&b, IXGBE_SECRXCTRL, IXGBE_SECRXCTRL_RX_DIS);
	T_EQ(wait_reg(&b, IXGBE_SECRXSTAT, IXGBE_SECRXSTAT_SECRX_RDY,
	    IXGBE_SECRXSTAT_SECRX_RDY, WAIT_MS), 0);
	/* This test resets without master disable and reads registers
	 * during the reset, on purpose: the strict model saw both. */
	T_EQ(emu_rule_violations(nic, EMU_RULE_MASTER_DISABLE), 1);
	/* (unless this thread was held up past the 10 ms of the reset
	 * before those reads, as on a loaded machine or under TSan) */
	if (t1 - t0 < 10)
		T_CHECK(emu_rule_violations(nic, EMU_RULE_RESET_ACCESS) >= 1);
	strict_clean(nic, ALLOW(EMU_RULE_MASTER_DISABLE) |
	    ALLOW(EMU_RULE_RESET_ACCESS));
	emu_destroy(nic);
}

static void
test_eeprom_read(void)
{
	struct emu82599 *nic;
	struct bar b;
	uint32_t v, sum = 0, a;

	T_REQUIRE((nic = mk("eerd", EMU_WIRE_NONE, mac_a)) != NULL);
	emu_bar(nic, &b);
	for (a = 0; a < 64; a++) {
		bar_write32(&b, IXGBE_EERD, a << IXGBE_EERD_ADDR_SHIFT |
		    IXGBE_EERD_START);
		T_REQUIRE(wait_reg(&b, IXGBE_EERD, IXGBE_EERD_DONE,
		    IXGBE_EERD_DONE, WAIT_MS) == 0);
		v = bar_read32(&b, IXGBE_EERD);
		sum += v >> IXGBE_EERD_DATA_SHIFT;
		if (a == 5)
			T_EQ(v >> IXGBE_EERD_DATA_SHIFT, 0xffff);
	}
	T_EQ(sum & 0xffff, 0xbaba);
	strict_clean(nic, 0);
	emu_destroy(nic);
}

static void
test_irq_regs(void)
{
	struct emu82599 *nic;
	struct bar b;

	T_REQUIRE((nic = mk("irq", EMU_WIRE_NONE, mac_a)) != NULL);
	emu_bar(nic, &b);
	bar_write32(&b, IXGBE_EIMS, 0x5);
	T_EQ(bar_read32(&b, IXGBE_EIMS), 0x5);
	bar_write32(&b, IXGBE_EIMS, 0x2);		/* W1S */
	T_EQ(bar_read32(&b, IXGBE_EIMS), 0x7);
	bar_write32(&b, IXGBE_EIMC, 0x1);		/* W1C on the mask */
	T_EQ(bar_read32(&b, IXGBE_EIMS), 0x6);
	bar_write32(&b, IXGBE_EIMC, IXGBE_IRQ_CLEAR_MASK);
	T_EQ(bar_read32(&b, IXGBE_EIMS), 0);
	bar_write32(&b, IXGBE_EICS, 0x30);		/* sets causes */
	T_EQ(bar_read32(&b, IXGBE_EICR), 0x30);		/* read clears */
	T_EQ(bar_read32(&b, IXGBE_EICR), 0);
	bar_write32(&b, IXGBE_EICS, 0x3);
	bar_write32(&b, IXGBE_EICR, 0x1);		/* W1C */
	T_EQ(bar_read32(&b, IXGBE_EICR), 0x2);
	bar_write32(&b, IXGBE_EIAC, 0xabc);
	bar_write32(&b, IXGBE_EITR(3), 0x123);
	bar_write32(&b, IXGBE_IVAR(7), 0x8181);
	bar_write32(&b, IXGBE_GPIE, 0x40);
	T_EQ(bar_read32(&b, IXGBE_EIAC), 0xabc);
	T_EQ(bar_read32(&b, IXGBE_EITR(3)), 0x123);
	T_EQ(bar_read32(&b, IXGBE_IVAR(7)), 0x8181);
	T_EQ(bar_read32(&b, IXGBE_GPIE), 0x40);
	strict_clean(nic, 0);
	emu_destroy(nic);
}

static void
test_bad_access_and_aliases(void)
{
	struct emu82599 *nic;
	struct bar b;

	T_REQUIRE((nic = mk("alias", EMU_WIRE_NONE, mac_a)) != NULL);
	emu_bar(nic, &b);
	T_EQ(bar_read32(&b, IXGBE_BAR0_SIZE), 0);
	T_EQ(bar_read32(&b, 0x00002), 0);
	bar_write32(&b, IXGBE_BAR0_SIZE + 0x100, 1);
	bar_write32(&b, 0x00801, 1);
	/* 82598-compatible addresses reach the same registers. */
	bar_write32(&b, 0x02100 + 4 * 3, 0x02000004);
	T_EQ(bar_read32(&b, IXGBE_SRRCTL(3)), 0x02000004);
	bar_write32(&b, IXGBE_RAL(2), 0xa1b2c3d4);
	T_EQ(bar_read32(&b, 0x05400 + 8 * 2), 0xa1b2c3d4);
	/* RAL/RAH 128-byte alignment of a ring base, RDLEN masking. */
	bar_write32(&b, IXGBE_RDBAL(1), 0x1040);
	T_EQ(bar_read32(&b, IXGBE_RDBAL(1)), 0x1000);
	bar_write32(&b, IXGBE_TDLEN(5), 1000);
	T_EQ(bar_read32(&b, IXGBE_TDLEN(5)), 896);
	/* Statistics are read-only. */
	bar_write32(&b, IXGBE_GPRC, 5);
	T_EQ(bar_read32(&b, IXGBE_GPRC), 0);
	T_EQ(emu_rule_violations(nic, EMU_RULE_RING), 2);
	strict_clean(nic, ALLOW(EMU_RULE_RING));
	emu_destroy(nic);
}

static void
test_link_timing(void)
{
	struct emu82599 *nic, *none;
	struct bar b, bn;
	uint64_t t0;

	T_REQUIRE((nic = mk("link", EMU_WIRE_QUEUE, mac_a)) != NULL);
	T_REQUIRE((none = mk("nolink", EMU_WIRE_NONE, mac_b)) != NULL);
	emu_bar(nic, &b);
	emu_bar(none, &bn);
	T_REQUIRE(nic_reset(&b) == 0);
	T_REQUIRE(nic_reset(&bn) == 0);

	t0 = now_ms();
	bar_write32(&b, IXGBE_AUTOC, (bar_read32(&b, IXGBE_AUTOC) &
	    ~IXGBE_AUTOC_LMS_MASK) | IXGBE_AUTOC_LMS_10G_SERIAL |
	    IXGBE_AUTOC_AN_RESTART);
	bar_set32(&bn, IXGBE_AUTOC, IXGBE_AUTOC_AN_RESTART);
	T_EQ(bar_read32(&b, IXGBE_AUTOC) & IXGBE_AUTOC_AN_RESTART, 0);
	T_EQ(bar_read32(&b, IXGBE_AUTOC) & IXGBE_AUTOC_LMS_MASK,
	    IXGBE_AUTOC_LMS_10G_SERIAL);
	T_EQ(bar_read32(&b, IXGBE_LINKS) & IXGBE_LINKS_UP, 0);
	T_REQUIRE(wait_reg(&b, IXGBE_LINKS, IXGBE_LINKS_UP, IXGBE_LINKS_UP,
	    WAIT_MS) == 0);
	T_CHECK(now_ms() - t0 >= 5);
	T_EQ(bar_read32(&b, IXGBE_LINKS) & IXGBE_LINKS_SPEED_MASK,
	    IXGBE_LINKS_SPEED_10G);
	/* No cable: it never comes up. */
	T_EQ(wait_reg(&bn, IXGBE_LINKS, IXGBE_LINKS_UP, IXGBE_LINKS_UP, 50),
	    -1);

	/* Cable pulled, plugged back. */
	emu_set_carrier(nic, 0);
	T_EQ(wait_reg(&b, IXGBE_LINKS, IXGBE_LINKS_UP, 0, WAIT_MS), 0);
	emu_set_carrier(nic, 1);
	T_EQ(wait_reg(&b, IXGBE_LINKS, IXGBE_LINKS_UP, IXGBE_LINKS_UP,
	    WAIT_MS), 0);
	emu_set_carrier(none, 1);
	T_EQ(wait_reg(&bn, IXGBE_LINKS, IXGBE_LINKS_UP, IXGBE_LINKS_UP,
	    WAIT_MS), 0);
	strict_clean(nic, 0);
	strict_clean(none, 0);
	emu_destroy(nic);
	emu_destroy(none);
}

static void
test_queue_enable(void)
{
	struct rig r;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "qen", EMU_WIRE_QUEUE, mac_a, 0, 0) == 0);
	/* RDLEN 0: the queue does not start. */
	bar_write32(&r.bar, IXGBE_RXDCTL(1), IXGBE_RXDCTL_ENABLE);
	T_EQ(bar_read32(&r.bar, IXGBE_RXDCTL(1)) & IXGBE_RXDCTL_ENABLE, 0);
	T_EQ(emu_rule_violations(r.nic, EMU_RULE_RING), 1);
	/* A ring outside DMA memory: an IOMMU fault, not started. */
	bar_write32(&r.bar, IXGBE_DMATXCTL, IXGBE_DMATXCTL_TE);
	bar_write32(&r.bar, IXGBE_TDBAL(2), 0x1000);
	bar_write32(&r.bar, IXGBE_TDBAH(2), 0);
	bar_write32(&r.bar, IXGBE_TDLEN(2), 1024);
	bar_write32(&r.bar, IXGBE_TXDCTL(2), IXGBE_TXDCTL_ENABLE);
	T_EQ(bar_read32(&r.bar, IXGBE_TXDCTL(2)) & IXGBE_TXDCTL_ENABLE, 0);
	T_EQ(emu_iommu_faults(r.nic), 1);
	T_EQ(emu_rule_violations(r.nic, EMU_RULE_DMA), 1);
	r.allow = ALLOW(EMU_RULE_RING) | ALLOW(EMU_RULE_DMA);
	/* Good rings start, and stop. */
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 64, SRRCTL_STD, 0) == 0);
	T_REQUIRE(tx_setup(&r.bar, &r.mm, 64) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_RXDCTL(0)) & IXGBE_RXDCTL_ENABLE,
	    IXGBE_RXDCTL_ENABLE);
	bar_clear32(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE);
	bar_clear32(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE);
	T_EQ(wait_reg(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE, 0,
	    WAIT_MS), 0);
	T_EQ(wait_reg(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE, 0,
	    WAIT_MS), 0);
	rig_down(&r);
}

/* ------------------------------------------------------------------ */
/* Receive                                                            */

static void
test_rx_frame(void)
{
	struct rig r;
	uint8_t f[200];
	uint32_t st;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "rx", EMU_WIRE_QUEUE, mac_a, 64, 0) == 0);
	(void)bar_read32(&r.bar, IXGBE_GPRC);
	mkframe(f, mac_a, 200, 1);
	T_REQUIRE(emu_wire_push(r.nic, f, 200) == 0);
	T_REQUIRE(rx_wait(&r.mm, 0) == 0);
	st = rx_status(&r.mm, 0);
	T_EQ(st & (IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP),
	    IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP);
	T_EQ(r.mm.rxd[0].wb.length, 200);
	T_EQ(memcmp(rxbuf(&r.mm, 0), f, 200), 0);
	/* The write-back replaced the buffer address. */
	T_CHECK(r.mm.rxd[0].read.pkt_addr != rxbuf_iova(&r.mm, 0));
	T_EQ(rx_status(&r.mm, 1), 0);
	T_EQ(wait_reg(&r.bar, IXGBE_RDH(0), 0xffff, 1, WAIT_MS), 0);

	T_EQ(bar_read32(&r.bar, IXGBE_GPRC), 1);
	T_EQ(bar_read32(&r.bar, IXGBE_GPRC), 0);
	T_EQ(rd64(&r.bar, IXGBE_GORCL, IXGBE_GORCH), 204);
	T_EQ(rd64(&r.bar, IXGBE_GORCL, IXGBE_GORCH), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_QPRC(0)), 1);
	T_EQ(rd64(&r.bar, IXGBE_QBRC_L(0), IXGBE_QBRC_H(0)), 200);
	T_EQ(bar_read32(&r.bar, IXGBE_TPR), 1);
	T_EQ(rd64(&r.bar, IXGBE_TORL, IXGBE_TORH), 204);
	T_EQ(bar_read32(&r.bar, IXGBE_RXDGPC), 1);
	T_EQ(bar_read32(&r.bar, IXGBE_RXDGPC), 0);

	/* A second frame, the next descriptor. */
	mkframe(f, mac_a, 61, 2);
	T_REQUIRE(emu_wire_push(r.nic, f, 61) == 0);
	T_REQUIRE(rx_wait(&r.mm, 1) == 0);
	T_EQ(r.mm.rxd[1].wb.length, 61);
	T_EQ(memcmp(rxbuf(&r.mm, 1), f, 61), 0);
	rig_down(&r);
}

static void
test_rx_spans_descriptors(void)
{
	struct rig r;
	uint8_t f[1514];

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "rxspan", EMU_WIRE_QUEUE, mac_a, 0, 0) == 0);
	/* 1 KiB buffers: a 1514-byte frame takes two descriptors. */
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 64,
	    IXGBE_SRRCTL_DESCTYPE_ADV_ONEBUF | 1, 0) == 0);
	mkframe(f, mac_a, sizeof(f), 3);
	T_REQUIRE(emu_wire_push(r.nic, f, sizeof(f)) == 0);
	T_REQUIRE(rx_wait(&r.mm, 1) == 0);
	T_EQ(rx_status(&r.mm, 0) & (IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP),
	    IXGBE_RXD_STAT_DD);
	T_EQ(rx_status(&r.mm, 1) & (IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP),
	    IXGBE_RXD_STAT_DD | IXGBE_RXD_STAT_EOP);
	T_EQ(r.mm.rxd[0].wb.length, 1024);
	T_EQ(r.mm.rxd[1].wb.length, 1514 - 1024);
	T_EQ(memcmp(rxbuf(&r.mm, 0), f, 1024), 0);
	T_EQ(memcmp(rxbuf(&r.mm, 1), f + 1024, 1514 - 1024), 0);
	T_EQ(wait_reg(&r.bar, IXGBE_RDH(0), 0xffff, 2, WAIT_MS), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GPRC), 1);
	rig_down(&r);
}

static void
test_rx_filter(void)
{
	static const uint8_t other[6] = { 0x02, 0x99, 0, 0, 0, 1 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	struct rig r;
	uint8_t f[64];

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "filter", EMU_WIRE_QUEUE, mac_a, 0, 0) == 0);
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 64, SRRCTL_STD, 0) == 0);
	/* Not ours, broadcast without BAM, multicast without MPE: all
	 * seen by the MAC (TPR), none delivered. */
	mkframe(f, other, 64, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 64) == 0);
	mkframe(f, bcast, 64, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 64) == 0);
	mkframe(f, mcast, 64, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 64) == 0);
	T_REQUIRE(wait_wire(r.nic, 1, 3) == 0);
	T_EQ(rx_status(&r.mm, 0), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_TPR), 3);
	T_EQ(bar_read32(&r.bar, IXGBE_GPRC), 0);

	bar_write32(&r.bar, IXGBE_FCTRL, IXGBE_FCTRL_BAM | IXGBE_FCTRL_MPE);
	mkframe(f, bcast, 64, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 64) == 0);
	mkframe(f, mcast, 64, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 64) == 0);
	T_REQUIRE(rx_wait(&r.mm, 1) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_BPRC), 1);
	T_EQ(bar_read32(&r.bar, IXGBE_MPRC), 1);

	/* A second exact address; then unicast promiscuous. */
	bar_write32(&r.bar, IXGBE_RAL(5), 0x00009902);
	bar_write32(&r.bar, IXGBE_RAH(5), IXGBE_RAH_AV | 0x0100);
	mkframe(f, other, 64, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 64) == 0);
	T_REQUIRE(rx_wait(&r.mm, 2) == 0);
	bar_write32(&r.bar, IXGBE_RAH(5), 0);
	bar_write32(&r.bar, IXGBE_FCTRL, IXGBE_FCTRL_UPE);
	T_REQUIRE(emu_wire_push(r.nic, f, 64) == 0);
	T_REQUIRE(rx_wait(&r.mm, 3) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GPRC), 4);
	rig_down(&r);
}

static void
test_rx_no_descriptors(void)
{
	struct rig r;
	uint8_t f[100];

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "nodesc", EMU_WIRE_QUEUE, mac_a, 0, 0) == 0);
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 64,
	    SRRCTL_STD | IXGBE_SRRCTL_DROP_EN, 0) == 0);
	/* Hand back nothing: RDT == RDH. */
	bar_write32(&r.bar, IXGBE_RDT(0), 0);
	mkframe(f, mac_a, 100, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_REQUIRE(wait_wire(r.nic, 1, 1) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_QPRDC(0)), 1);
	T_EQ(bar_read32(&r.bar, IXGBE_MPC(0)), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GPRC), 0);
	/* Without DROP_EN it is a missed packet. */
	bar_write32(&r.bar, IXGBE_SRRCTL(0), SRRCTL_STD);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_REQUIRE(wait_wire(r.nic, 1, 2) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_MPC(0)), 1);
	T_EQ(bar_read32(&r.bar, IXGBE_QPRDC(0)), 0);
	T_EQ(rx_status(&r.mm, 0), 0);
	/* Descriptors back: frames flow again. */
	bar_write32(&r.bar, IXGBE_RDT(0), 10);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_REQUIRE(rx_wait(&r.mm, 0) == 0);
	rig_down(&r);
}

static void
test_rx_sizes(void)
{
	static uint8_t f[EMU_WIRE_FRAME_MAX + 8];
	struct rig r;
	struct emu_wire_stats st;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "sizes", EMU_WIRE_QUEUE, mac_a, 64, 0) == 0);
	/* A 42-byte ARP-sized frame arrives padded to 60. */
	mkframe(f, mac_a, 42, 9);
	memset(f + 42, 0xee, 30);
	T_REQUIRE(emu_wire_push(r.nic, f, 42) == 0);
	T_REQUIRE(rx_wait(&r.mm, 0) == 0);
	T_EQ(r.mm.rxd[0].wb.length, 60);
	T_EQ(memcmp(rxbuf(&r.mm, 0), f, 42), 0);
	T_EQ(rxbuf(&r.mm, 0)[59], 0);
	/* The wire carries jumbo frames, up to 15.5 KB, and no more. */
	mkframe(f, mac_a, EMU_WIRE_FRAME_MAX + 1, 0);
	T_EQ(emu_wire_push(r.nic, f, EMU_WIRE_FRAME_MAX + 1), -1);
	emu_wire_stats(r.nic, &st);
	T_EQ(st.oversize, 1);
	/* Without JUMBOEN the NIC takes 1514 bytes (+ CRC), whatever MAXFRS
	 * says: ROC. */
	bar_write32(&r.bar, IXGBE_MAXFRS, 9018u << IXGBE_MAXFRS_MFS_SHIFT);
	mkframe(f, mac_a, 1515, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 1515) == 0);
	T_REQUIRE(wait_wire(r.nic, 1, 2) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_ROC), 1);
	/* ... 4 more with an 802.1Q tag (§8.2.3.22.13). */
	mkframe(f, mac_a, 1518, 0);
	f[12] = 0x81;
	f[13] = 0x00;
	T_REQUIRE(emu_wire_push(r.nic, f, 1518) == 0);
	T_REQUIRE(rx_wait(&r.mm, 1) == 0);
	T_EQ(r.mm.rxd[1].wb.length, 1518);
	/* MAXFRS (with JUMBOEN) smaller than the frame: ROC. */
	bar_set32(&r.bar, IXGBE_HLREG0, IXGBE_HLREG0_JUMBOEN);
	bar_write32(&r.bar, IXGBE_MAXFRS, 1000u << IXGBE_MAXFRS_MFS_SHIFT);
	mkframe(f, mac_a, 1200, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 1200) == 0);
	T_REQUIRE(wait_wire(r.nic, 1, 4) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_ROC), 1);
	T_EQ(rx_status(&r.mm, 2), 0);
	mkframe(f, mac_a, 996, 0);		/* 996 + CRC = MFS: fits */
	T_REQUIRE(emu_wire_push(r.nic, f, 996) == 0);
	T_REQUIRE(rx_wait(&r.mm, 2) == 0);
	T_EQ(r.mm.rxd[2].wb.length, 996);
	rig_down(&r);
}

static uint32_t
crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static void
test_rx_keep_crc(void)
{
	struct rig r;
	uint8_t f[100];
	uint32_t crc;
	uint8_t *p;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "crc", EMU_WIRE_QUEUE, mac_a, 64, 0) == 0);
	/* §8.2.3.8.8: MAC and DMA keep the CRC together, changed while
	 * receive is off. */
	bar_clear32(&r.bar, IXGBE_RXCTRL, IXGBE_RXCTRL_RXEN);
	bar_clear32(&r.bar, IXGBE_HLREG0, IXGBE_HLREG0_RXCRCSTRP);
	T_REQUIRE(rx_enable(&r.bar) == 0);
	mkframe(f, mac_a, 100, 4);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_REQUIRE(rx_wait(&r.mm, 0) == 0);
	T_EQ(r.mm.rxd[0].wb.length, 104);
	p = rxbuf(&r.mm, 0);
	crc = crc32_ref(f, 100);
	T_EQ(memcmp(p, f, 100), 0);
	T_EQ(p[100] | p[101] << 8 | p[102] << 16 | (uint32_t)p[103] << 24, crc);
	rig_down(&r);
}

static void
test_rx_iommu_fault(void)
{
	struct rig r;
	uint8_t f[100];

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "rxfault", EMU_WIRE_QUEUE, mac_a, 64, 0) == 0);
	r.allow = ALLOW(EMU_RULE_DMA);
	r.mm.rxd[0].read.pkt_addr = 0x1000;	/* not DMA memory */
	mkframe(f, mac_a, 100, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_EQ(wait_reg(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE, 0,
	    WAIT_MS), 0);
	T_EQ(emu_iommu_faults(r.nic), 1);
	T_EQ(rx_status(&r.mm, 0), 0);
	rig_down(&r);
}

/* Statistics read and cleared by one thread while the engine counts:
 * the sum of what was read is what happened. */
static void
test_stats_concurrent(void)
{
	struct rig r;
	uint8_t f[64];
	uint64_t pushed = 0, seen = 0, gprc = 0, gorc = 0, drops = 0;
	uint64_t end, total = 20000;
	uint32_t next = 0, n = 256;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "stats", EMU_WIRE_QUEUE, mac_a, 0, 0) == 0);
	T_REQUIRE(rx_setup(&r.bar, &r.mm, n,
	    SRRCTL_STD | IXGBE_SRRCTL_DROP_EN, 0) == 0);
	mkframe(f, mac_a, 64, 0);
	end = now_ms() + 20000;
	while ((seen + drops < total || pushed < total) && now_ms() < end) {
		uint32_t k;

		for (k = 0; k < 64 && pushed < total; k++) {
			if (emu_wire_push(r.nic, f, 64) == -1)
				break;
			pushed++;
		}
		for (k = 0; k < 64; k++) {
			if (!(rx_status(&r.mm, next) & IXGBE_RXD_STAT_DD))
				break;
			seen++;
			rx_arm(&r.mm, next);
			desc_wmb();
			bar_write32(&r.bar, IXGBE_RDT(0), next);
			next = (next + 1) % n;
		}
		gprc += bar_read32(&r.bar, IXGBE_GPRC);
		gorc += rd64(&r.bar, IXGBE_GORCL, IXGBE_GORCH);
		drops += bar_read32(&r.bar, IXGBE_QPRDC(0));
	}
	/* Every frame offered is counted once its pass has flushed. */
	T_EQ(wait_wire(r.nic, 1, total), 0);
	gprc += bar_read32(&r.bar, IXGBE_GPRC);
	gorc += rd64(&r.bar, IXGBE_GORCL, IXGBE_GORCH);
	drops += bar_read32(&r.bar, IXGBE_QPRDC(0));
	T_EQ(pushed, total);
	T_EQ(gprc + drops, total);
	T_EQ(gprc, seen);
	T_EQ(gorc, gprc * 68);
	rig_down(&r);
}

/* L then H: the pair is one snapshot; counts after the L read wait for
 * the next pair. */
static void
test_stats_pair_latch(void)
{
	struct rig r;
	uint8_t f[100];
	uint32_t lo, hi;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "latch", EMU_WIRE_QUEUE, mac_a, 64, 0) == 0);
	mkframe(f, mac_a, 100, 0);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_REQUIRE(rx_wait(&r.mm, 0) == 0);
	/* RDH moves after the pass's counts are in the registers. */
	T_EQ(wait_reg(&r.bar, IXGBE_RDH(0), 0xffff, 1, WAIT_MS), 0);
	lo = bar_read32(&r.bar, IXGBE_GORCL);
	T_EQ(lo, 104);
	T_EQ(bar_read32(&r.bar, IXGBE_GORCL), 104);	/* L does not clear */
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_REQUIRE(rx_wait(&r.mm, 1) == 0);
	T_EQ(wait_reg(&r.bar, IXGBE_RDH(0), 0xffff, 2, WAIT_MS), 0);
	hi = bar_read32(&r.bar, IXGBE_GORCH);
	T_EQ(hi, 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GORCL), 104);	/* the second frame */
	T_EQ(bar_read32(&r.bar, IXGBE_GORCH), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GORCL), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GORCH), 0);
	/* H alone clears the pair. */
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_REQUIRE(rx_wait(&r.mm, 2) == 0);
	T_EQ(wait_wire(r.nic, 1, 3), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GORCH), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GORCL), 0);
	rig_down(&r);
}

/* ------------------------------------------------------------------ */
/* Transmit                                                           */

static void
test_tx_frame(void)
{
	struct rig r;
	uint8_t f[100], got[2048];
	uint32_t i;
	size_t n;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "tx", EMU_WIRE_QUEUE, mac_a, 0, 64) == 0);
	(void)bar_read32(&r.bar, IXGBE_GPTC);
	mkframe(f, mac_b, 42, 5);
	i = tx_send(&r.bar, &r.mm, f, 42);
	T_REQUIRE((n = wire_pull_wait(r.nic, got, sizeof(got))) > 0);
	T_EQ(n, 60);				/* TXPADEN */
	T_EQ(memcmp(got, f, 42), 0);
	for (i = 42; i < 60; i++)
		if (got[i] != 0)
			break;
	T_EQ(i, 60);
	T_EQ(wait_u32(&r.mm.txd[0].wb.status, IXGBE_ADVTXD_STAT_DD,
	    IXGBE_ADVTXD_STAT_DD, WAIT_MS), 0);
	T_EQ(wait_reg(&r.bar, IXGBE_TDH(0), 0xffff, 1, WAIT_MS), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_GPTC), 1);
	T_EQ(bar_read32(&r.bar, IXGBE_GPTC), 0);
	T_EQ(rd64(&r.bar, IXGBE_GOTCL, IXGBE_GOTCH), 64);
	T_EQ(bar_read32(&r.bar, IXGBE_QPTC(0)), 1);
	T_EQ(rd64(&r.bar, IXGBE_QBTC_L(0), IXGBE_QBTC_H(0)), 60);
	T_EQ(bar_read32(&r.bar, IXGBE_TPT), 1);
	T_EQ(bar_read32(&r.bar, IXGBE_TXDGPC), 1);

	/* Without RS no write-back; two buffers make one frame. */
	mkframe(f, mac_b, 100, 6);
	memcpy(txbuf(&r.mm, 1), f, 30);
	memcpy(txbuf(&r.mm, 2), f + 30, 70);
	tx_desc(&r.mm, txbuf_iova(&r.mm, 1), 30, 0, 100);
	tx_desc(&r.mm, txbuf_iova(&r.mm, 2), 70, IXGBE_ADVTXD_DCMD_EOP, 100);
	tx_ring(&r.bar, &r.mm);
	T_REQUIRE((n = wire_pull_wait(r.nic, got, sizeof(got))) == 100);
	T_EQ(memcmp(got, f, 100), 0);
	T_EQ(wait_reg(&r.bar, IXGBE_TDH(0), 0xffff, 3, WAIT_MS), 0);
	T_EQ(r.mm.txd[2].wb.status & IXGBE_ADVTXD_STAT_DD, 0);

	/* Without TXPADEN a short frame goes out short. */
	bar_clear32(&r.bar, IXGBE_HLREG0, IXGBE_HLREG0_TXPADEN);
	mkframe(f, mac_b, 42, 7);
	(void)tx_send(&r.bar, &r.mm, f, 42);
	T_EQ(wire_pull_wait(r.nic, got, sizeof(got)), 42);

	/* PAYLEN that does not add up: dropped, but the ring moves on. */
	memcpy(txbuf(&r.mm, 4), f, 42);
	tx_desc(&r.mm, txbuf_iova(&r.mm, 4), 42, IXGBE_ADVTXD_DCMD_EOP |
	    IXGBE_ADVTXD_DCMD_RS, 43);
	tx_ring(&r.bar, &r.mm);
	T_EQ(wait_u32(&r.mm.txd[4].wb.status, IXGBE_ADVTXD_STAT_DD,
	    IXGBE_ADVTXD_STAT_DD, WAIT_MS), 0);
	T_EQ(emu_wire_pull(r.nic, got, sizeof(got)), 0);
	rig_down(&r);
}

/* Descriptors without EOP: after 40 the packet is cut off as bad, the
 * ring moves on; fewer than 40 wait for the rest of their packet. */
static void
test_tx_runaway_packet(void)
{
	struct rig r;
	uint8_t got[2048];
	uint32_t i;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "runaway", EMU_WIRE_QUEUE, mac_a, 0, 128) == 0);
	for (i = 0; i < 100; i++)
		tx_desc(&r.mm, txbuf_iova(&r.mm, i), 64, IXGBE_ADVTXD_DCMD_RS,
		    i < 80 ? 64 * 100 : 64 * 21);
	tx_ring(&r.bar, &r.mm);
	T_EQ(wait_reg(&r.bar, IXGBE_TDH(0), 0xffff, 80, WAIT_MS), 0);
	T_EQ(wait_u32(&r.mm.txd[79].wb.status, IXGBE_ADVTXD_STAT_DD,
	    IXGBE_ADVTXD_STAT_DD, WAIT_MS), 0);
	T_EQ(wait_reg(&r.bar, IXGBE_TDH(0), 0xffff, 81, 20), -1);
	T_EQ(emu_wire_pull(r.nic, got, sizeof(got)), 0);
	/* The end of the last packet follows: 21 buffers, one frame. */
	tx_desc(&r.mm, txbuf_iova(&r.mm, 100), 64, IXGBE_ADVTXD_DCMD_EOP |
	    IXGBE_ADVTXD_DCMD_RS, 64 * 21);
	tx_ring(&r.bar, &r.mm);
	T_EQ(wire_pull_wait(r.nic, got, sizeof(got)), 64 * 21);
	T_EQ(wait_reg(&r.bar, IXGBE_TDH(0), 0xffff, 101, WAIT_MS), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_TXDCTL(0)) & IXGBE_TXDCTL_ENABLE,
	    IXGBE_TXDCTL_ENABLE);
	rig_down(&r);
}

static void
test_tx_head_writeback(void)
{
	struct rig r;
	uint8_t f[64], got[2048];
	uint32_t *hw;
	uint64_t hw_iova;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "headwb", EMU_WIRE_QUEUE, mac_a, 0, 64) == 0);
	hw = (uint32_t *)((uint8_t *)r.mm.m.virt + TXD_OFF + 32768);
	hw_iova = r.mm.m.iova + TXD_OFF + 32768;
	*hw = 0xffff;
	bar_write32(&r.bar, IXGBE_TDWBAL(0), (uint32_t)hw_iova | 1);
	bar_write32(&r.bar, IXGBE_TDWBAH(0), (uint32_t)(hw_iova >> 32));
	mkframe(f, mac_b, 64, 0);
	(void)tx_send(&r.bar, &r.mm, f, 64);
	(void)tx_send(&r.bar, &r.mm, f, 64);
	T_EQ(wait_u32(hw, 0xffffffff, 2, WAIT_MS), 0);
	T_EQ(r.mm.txd[1].wb.status & IXGBE_ADVTXD_STAT_DD, 0);
	T_EQ(wire_pull_wait(r.nic, got, sizeof(got)), 64);
	T_EQ(wire_pull_wait(r.nic, got, sizeof(got)), 64);
	rig_down(&r);
}

/*
 * §4.6.8.1: a TX queue asked to stop (TXDCTL.ENABLE cleared) finishes
 * what it has in flight and only then reads 0; a driver cannot count on
 * that being at once.  Of 20 disables read back at once, some still see
 * 1, and each reads 0 soon after.  With the fault "tx_no_disable" the
 * queue never stops: ENABLE stays 1, and it still sends what it is
 * given; once the fault is lifted the pending disable takes effect.
 */
static void
test_tx_disable(void)
{
	struct rig r;
	uint8_t f[64], got[2048];
	int i, late = 0;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "txdis", EMU_WIRE_QUEUE, mac_a, 0, 64) == 0);
	for (i = 0; i < 20; i++) {
		bar_clear32(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE);
		if (bar_read32(&r.bar, IXGBE_TXDCTL(0)) & IXGBE_TXDCTL_ENABLE)
			late++;
		T_EQ(wait_reg(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE, 0,
		    WAIT_MS), 0);
		bar_set32(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE);
		T_EQ(wait_reg(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE,
		    IXGBE_TXDCTL_ENABLE, WAIT_MS), 0);
	}
	T_CHECK(late > 0);

	T_EQ(emu_fault(r.nic, "tx_no_disable 0"), 0);
	bar_clear32(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE);
	T_EQ(wait_reg(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE, 0, 50), -1);
	mkframe(f, mac_b, 64, 7);
	(void)tx_send(&r.bar, &r.mm, f, 64);
	T_EQ(wire_pull_wait(r.nic, got, sizeof(got)), 64);
	T_EQ(memcmp(got, f, 64), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_TXDCTL(0)) & IXGBE_TXDCTL_ENABLE,
	    IXGBE_TXDCTL_ENABLE);
	T_EQ(emu_fault(r.nic, "tx_no_disable 0 off"), 0);
	T_EQ(wait_reg(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE, 0,
	    WAIT_MS), 0);
	rig_down(&r);
}

/*
 * §4.6.7.1: an RX queue asked to stop (RXDCTL.ENABLE cleared) takes no
 * more frames at once, but ENABLE reads 0 only once its accesses to the
 * ring are done; a driver cannot count on that being at once.  Of 20
 * disables read back at once, some still see 1, and each reads 0 soon
 * after.  A frame that arrives once the queue is told to stop is not
 * written to the ring; enabled again, the queue receives again, from
 * the descriptor it was at.
 */
static void
test_rx_disable(void)
{
	struct rig r;
	uint8_t f[100];
	int i, late = 0;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "rxdis", EMU_WIRE_QUEUE, mac_a, 64, 0) == 0);
	for (i = 0; i < 20; i++) {
		bar_clear32(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE);
		if (bar_read32(&r.bar, IXGBE_RXDCTL(0)) & IXGBE_RXDCTL_ENABLE)
			late++;
		T_EQ(wait_reg(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE, 0,
		    WAIT_MS), 0);
		bar_set32(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE);
		T_EQ(wait_reg(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE,
		    IXGBE_RXDCTL_ENABLE, WAIT_MS), 0);
	}
	T_CHECK(late > 0);

	bar_clear32(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE);
	mkframe(f, mac_a, 100, 1);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_EQ(wait_reg(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE, 0,
	    WAIT_MS), 0);
	usleep(20000);
	T_EQ(rx_status(&r.mm, 0), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_RDH(0)), 0);
	bar_set32(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE);
	T_EQ(wait_reg(&r.bar, IXGBE_RXDCTL(0), IXGBE_RXDCTL_ENABLE,
	    IXGBE_RXDCTL_ENABLE, WAIT_MS), 0);
	mkframe(f, mac_a, 100, 2);
	T_REQUIRE(emu_wire_push(r.nic, f, 100) == 0);
	T_EQ(rx_wait(&r.mm, 0), 0);
	T_EQ(r.mm.rxd[0].wb.length, 100);
	rig_down(&r);
}

static void
test_tx_iommu_fault(void)
{
	struct rig r;
	uint8_t got[2048];

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "txfault", EMU_WIRE_QUEUE, mac_a, 0, 64) == 0);
	r.allow = ALLOW(EMU_RULE_DMA);
	tx_desc(&r.mm, 0x7f0000001000ull, 64, IXGBE_ADVTXD_DCMD_EOP |
	    IXGBE_ADVTXD_DCMD_RS, 64);
	tx_ring(&r.bar, &r.mm);
	T_EQ(wait_reg(&r.bar, IXGBE_TXDCTL(0), IXGBE_TXDCTL_ENABLE, 0,
	    WAIT_MS), 0);
	T_EQ(emu_iommu_faults(r.nic), 1);
	T_EQ(r.mm.txd[0].wb.status & IXGBE_ADVTXD_STAT_DD, 0);
	T_EQ(bar_read32(&r.bar, IXGBE_TDH(0)), 0);
	T_EQ(emu_wire_pull(r.nic, got, sizeof(got)), 0);
	rig_down(&r);
}

/* HLREG0.LPBK: what the NIC sends comes back to its own RX; a runt sent
 * without padding is counted as undersize. */
static void
test_loopback(void)
{
	struct rig r;
	uint8_t f[300], got[2048];

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(rig_up(&r, "lpbk", EMU_WIRE_QUEUE, mac_a, 64, 64) == 0);
	bar_set32(&r.bar, IXGBE_HLREG0, IXGBE_HLREG0_LPBK);
	mkframe(f, mac_a, 300, 8);
	(void)tx_send(&r.bar, &r.mm, f, 300);
	T_REQUIRE(rx_wait(&r.mm, 0) == 0);
	T_EQ(r.mm.rxd[0].wb.length, 300);
	T_EQ(memcmp(rxbuf(&r.mm, 0), f, 300), 0);
	T_EQ(emu_wire_pull(r.nic, got, sizeof(got)), 0);
	bar_clear32(&r.bar, IXGBE_HLREG0, IXGBE_HLREG0_TXPADEN);
	(void)bar_read32(&r.bar, IXGBE_RUC);
	(void)tx_send(&r.bar, &r.mm, f, 50);
	T_EQ(wait_reg(&r.bar, IXGBE_TDH(0), 0xffff, 2, WAIT_MS), 0);
	T_EQ(bar_read32(&r.bar, IXGBE_RUC), 1);
	T_EQ(rx_status(&r.mm, 1), 0);
	rig_down(&r);
}

/* A cable between two NICs: A's frames arrive at B and back. */
static void
test_peer_cable(void)
{
	struct rig a, b;
	uint8_t f[500];

	if (!have_dma)
		T_SKIP("%s", no_dma);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	T_REQUIRE((a.nic = mk("peerA", EMU_WIRE_PEER, mac_a)) != NULL);
	T_REQUIRE((b.nic = mk("peerB", EMU_WIRE_PEER, mac_b)) != NULL);
	T_REQUIRE(emu_connect(a.nic, b.nic) == 0);
	T_EQ(emu_connect(a.nic, b.nic), -1);
	emu_bar(a.nic, &a.bar);
	emu_bar(b.nic, &b.bar);
	T_REQUIRE(mem_get(&a.mm) == 0 && mem_get(&b.mm) == 0);
	/* A alone has no link: the far end is not initialised. */
	T_REQUIRE(nic_reset(&a.bar) == 0);
	T_EQ(wait_reg(&a.bar, IXGBE_LINKS, IXGBE_LINKS_UP, IXGBE_LINKS_UP,
	    50), -1);
	T_REQUIRE(nic_up(&b.bar) == 0);
	T_REQUIRE(wait_reg(&a.bar, IXGBE_LINKS, IXGBE_LINKS_UP,
	    IXGBE_LINKS_UP, WAIT_MS) == 0);
	T_REQUIRE(rx_setup(&a.bar, &a.mm, 64, SRRCTL_STD, 0) == 0);
	T_REQUIRE(tx_setup(&a.bar, &a.mm, 64) == 0);
	T_REQUIRE(rx_setup(&b.bar, &b.mm, 64, SRRCTL_STD, 0) == 0);
	T_REQUIRE(tx_setup(&b.bar, &b.mm, 64) == 0);

	mkframe(f, mac_b, 500, 1);
	(void)tx_send(&a.bar, &a.mm, f, 500);
	T_REQUIRE(rx_wait(&b.mm, 0) == 0);
	T_EQ(b.mm.rxd[0].wb.length, 500);
	T_EQ(memcmp(rxbuf(&b.mm, 0), f, 500), 0);
	mkframe(f, mac_a, 70, 2);
	(void)tx_send(&b.bar, &b.mm, f, 70);
	T_REQUIRE(rx_wait(&a.mm, 0) == 0);
	T_EQ(memcmp(rxbuf(&a.mm, 0), f, 70), 0);
	/* Frames to someone else's MAC are filtered at B. */
	mkframe(f, mac_a, 70, 3);
	(void)tx_send(&a.bar, &a.mm, f, 70);
	T_REQUIRE(wait_wire(b.nic, 1, 2) == 0);
	T_EQ(rx_status(&b.mm, 1), 0);
	/* Pulling the cable at one end takes both links down. */
	emu_set_carrier(a.nic, 0);
	T_EQ(wait_reg(&b.bar, IXGBE_LINKS, IXGBE_LINKS_UP, 0, WAIT_MS), 0);
	T_EQ(wait_reg(&a.bar, IXGBE_LINKS, IXGBE_LINKS_UP, 0, WAIT_MS), 0);
	strict_clean(a.nic, 0);
	strict_clean(b.nic, 0);
	emu_destroy(a.nic);		/* B keeps working without its peer */
	T_EQ(wait_reg(&b.bar, IXGBE_LINKS, IXGBE_LINKS_UP, 0, WAIT_MS), 0);
	emu_destroy(b.nic);
	dma_free(&a.mm.m);
	dma_free(&b.mm.m);
}

/* ------------------------------------------------------------------ */
/* Generator and sink                                                 */

static void
test_generator_sink(void)
{
	struct emu_wire_conf wc;
	struct emu_wire_stats st;
	struct rig r;
	uint32_t i, stream = 0, s;
	uint64_t seq;
	uint8_t *p;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	memset(&r, 0, sizeof(r));
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_GENERATOR;
	wc.gen_size = 128;
	wc.gen_count = 100;
	T_REQUIRE((r.nic = emu_create("gen", mac_a, &wc)) != NULL);
	emu_bar(r.nic, &r.bar);
	T_REQUIRE(mem_get(&r.mm) == 0);
	T_REQUIRE(nic_up(&r.bar) == 0);
	/* 64 descriptors, 63 handed over: the generator waits for room
	 * rather than lose frames. */
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 64, SRRCTL_STD, 0) == 0);
	T_REQUIRE(tx_setup(&r.bar, &r.mm, 256) == 0);
	T_REQUIRE(rx_wait(&r.mm, 62) == 0);
	T_EQ(bar_read32(&r.bar, IXGBE_MPC(0)), 0);
	for (i = 0; i < 63; i++) {
		T_REQUIRE(emu_sink_check(rxbuf(&r.mm, i), 128, &s, &seq) == 0);
		if (i == 0)
			stream = s;
		T_EQ(s, stream);
		T_EQ(seq, i);
		T_EQ(r.mm.rxd[i].wb.length, 128);
	}
	/* Give the frames back to the NIC's TX: the sink checks them. */
	for (i = 0; i < 63; i++)
		tx_desc(&r.mm, rxbuf_iova(&r.mm, i), 128, IXGBE_ADVTXD_DCMD_EOP,
		    128);
	tx_ring(&r.bar, &r.mm);
	T_REQUIRE(wait_wire(r.nic, 0, 63) == 0);
	emu_wire_stats(r.nic, &st);
	T_EQ(st.sink_bad, 0);
	T_EQ(st.sink_lost, 0);
	T_EQ(st.to_nic, 63);
	/* A damaged frame, then one that skips ahead. */
	p = txbuf(&r.mm, 0);
	memcpy(p, rxbuf(&r.mm, 5), 128);
	emu_gen_stamp(p, 63);
	p[100] ^= 1;
	tx_desc(&r.mm, txbuf_iova(&r.mm, 0), 128, IXGBE_ADVTXD_DCMD_EOP, 128);
	p = txbuf(&r.mm, 1);
	memcpy(p, rxbuf(&r.mm, 5), 128);
	emu_gen_stamp(p, 70);
	tx_desc(&r.mm, txbuf_iova(&r.mm, 1), 128, IXGBE_ADVTXD_DCMD_EOP, 128);
	p = txbuf(&r.mm, 2);
	memcpy(p, rxbuf(&r.mm, 5), 128);		/* seq 5 again */
	tx_desc(&r.mm, txbuf_iova(&r.mm, 2), 128, IXGBE_ADVTXD_DCMD_EOP, 128);
	tx_ring(&r.bar, &r.mm);
	T_REQUIRE(wait_wire(r.nic, 0, 66) == 0);
	emu_wire_stats(r.nic, &st);
	T_EQ(st.sink_bad, 2);
	T_EQ(st.sink_lost, 7);

	/* Hand descriptors back: the remaining 37 frames come, then the
	 * generator stops at gen_count. */
	for (i = 0; i < 64; i++)
		rx_arm(&r.mm, i);
	desc_wmb();
	bar_write32(&r.bar, IXGBE_RDT(0), 62 + 40 - 64);
	T_REQUIRE(wait_wire(r.nic, 1, 100) == 0);
	T_REQUIRE(rx_wait(&r.mm, 99 - 64) == 0);
	T_REQUIRE(emu_sink_check(rxbuf(&r.mm, 99 - 64), 128, &s, &seq) == 0);
	T_EQ(seq, 99);
	usleep(5000);
	emu_wire_stats(r.nic, &st);
	T_EQ(st.to_nic, 100);
	T_EQ(rx_status(&r.mm, 100 - 64), 0);
	rig_down(&r);
}

static void
test_generator_rate(void)
{
	struct emu_wire_conf wc;
	struct emu_wire_stats st;
	struct rig r;
	uint32_t i, next = 0;
	uint64_t t0, t;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	memset(&r, 0, sizeof(r));
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_GENERATOR;
	wc.gen_size = 60;
	wc.gen_rate = 2000;
	T_REQUIRE((r.nic = emu_create("genrate", mac_a, &wc)) != NULL);
	emu_bar(r.nic, &r.bar);
	T_REQUIRE(mem_get(&r.mm) == 0);
	T_REQUIRE(nic_up(&r.bar) == 0);
	t0 = now_ms();
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 512, SRRCTL_STD, 0) == 0);
	/* Keep the ring replenished for 300 ms: about 600 frames, never
	 * more than the rate allows plus one burst. */
	while ((t = now_ms()) < t0 + 300) {
		for (i = 0; i < 64; i++) {
			if (!(rx_status(&r.mm, next) & IXGBE_RXD_STAT_DD))
				break;
			rx_arm(&r.mm, next);
			desc_wmb();
			bar_write32(&r.bar, IXGBE_RDT(0), next);
			next = (next + 1) % 512;
		}
		usleep(1000);
	}
	emu_wire_stats(r.nic, &st);
	t = now_ms();
	T_CHECK(st.to_nic >= 150);
	T_CHECK(st.to_nic <= 2000 * (t - t0) / 1000 + EMU_BATCH + 2);
	rig_down(&r);
}

/* ------------------------------------------------------------------ */
/* Checksums and segmentation                                         */

static int
csum_ok_l4(const uint8_t *f, size_t len, const struct emu_gso *g)
{
	uint8_t ph[40];
	uint32_t sum, l4len = (uint32_t)len - g->l4;

	if (!g->v6) {
		memcpy(ph, f + g->l3 + 12, 8);
		ph[8] = 0;
		ph[9] = f[g->l3 + 9];
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		sum = emu_csum_add(0, ph, 12);
	} else {
		memcpy(ph, f + g->l3 + 8, 32);
		ph[32] = ph[33] = 0;
		ph[34] = (uint8_t)(l4len >> 8);
		ph[35] = (uint8_t)l4len;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = f[g->l3 + 6];
		sum = emu_csum_add(0, ph, 40);
	}
	sum = emu_csum_add(sum, f + g->l4, l4len);
	return emu_csum_fold(sum) == 0;
}

/* A TCP frame as a kernel with TSO hands it over: total length of the
 * whole, PSH|FIN|CWR set, checksum field holding junk. */
static size_t
mk_tcp(uint8_t *f, int v6, size_t paylen, int udp)
{
	size_t l3 = 14, l4, i;

	memcpy(f, mac_a, 6);
	memcpy(f + 6, mac_b, 6);
	if (!v6) {
		f[12] = 0x08;
		f[13] = 0x00;
		memset(f + l3, 0, 20);
		f[l3] = 0x45;
		f[l3 + 4] = 0x12;
		f[l3 + 5] = 0x34;
		f[l3 + 6] = 0x40;		/* DF */
		f[l3 + 8] = 64;
		f[l3 + 9] = udp ? 17 : 6;
		memcpy(f + l3 + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
		l4 = l3 + 20;
	} else {
		f[12] = 0x86;
		f[13] = 0xdd;
		memset(f + l3, 0, 40);
		f[l3] = 0x60;
		f[l3 + 6] = udp ? 17 : 6;
		f[l3 + 7] = 64;
		f[l3 + 8] = 0x20;
		f[l3 + 9] = 0x01;
		f[l3 + 23] = 1;
		f[l3 + 24] = 0x20;
		f[l3 + 25] = 0x01;
		f[l3 + 39] = 2;
		l4 = l3 + 40;
	}
	if (!udp) {
		memset(f + l4, 0, 32);
		f[l4] = 0x30;
		f[l4 + 1] = 0x39;
		f[l4 + 2] = 0x13;
		f[l4 + 3] = 0x89;
		memcpy(f + l4 + 4, "\xff\xff\xf0\x00", 4);	/* wraps */
		f[l4 + 12] = 0x80;		/* 32-byte header (options) */
		f[l4 + 13] = 0x80 | 0x08 | 0x10 | 0x01; /* CWR PSH ACK FIN */
		f[l4 + 16] = 0xaa;
		f[l4 + 20] = 1;			/* NOP NOP timestamp-ish */
		f[l4 + 21] = 1;
		l4 += 32;
	} else {
		memset(f + l4, 0, 8);
		f[l4] = 0x30;
		f[l4 + 2] = 0x13;
		l4 += 8;
	}
	for (i = 0; i < paylen; i++)
		f[l4 + i] = (uint8_t)(i * 13 + 1);
	return l4 + paylen;
}

static void
check_segments(int v6, int udp)
{
	static uint8_t f[70000], seg[70000], cat[70000];
	struct emu_gso g;
	size_t len, n, catlen = 0, paylen = 4000, mss = 1448;
	uint32_t i, seq0 = 0xfffff000u;

	len = mk_tcp(f, v6, paylen, udp);
	T_REQUIRE(emu_gso_parse(f, len, udp ? 5 : v6 ?
	    VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
	    (unsigned)mss, &g) == 0);
	T_EQ(g.nsegs, 3);
	T_EQ(g.hdrlen, (v6 ? 54u : 34u) + (udp ? 8u : 32u));
	for (i = 0; i < g.nsegs; i++) {
		size_t want = i < 2 ? mss : paylen - 2 * mss;
		uint8_t *th = seg + g.l4;

		n = emu_gso_segment(f, &g, i, seg);
		T_EQ(n, g.hdrlen + want);
		memcpy(cat + catlen, seg + g.hdrlen, n - g.hdrlen);
		catlen += n - g.hdrlen;
		T_CHECK(csum_ok_l4(seg, n, &g));
		if (!v6) {
			T_EQ(seg[14 + 2] << 8 | seg[14 + 3], n - 14);
			T_EQ(seg[14 + 4] << 8 | seg[14 + 5], 0x1234 + i);
			T_EQ(emu_csum_fold(emu_csum_add(0, seg + 14, 20)), 0);
		} else
			T_EQ(seg[14 + 4] << 8 | seg[14 + 5], n - 54);
		if (!udp) {
			uint32_t sq = (uint32_t)th[4] << 24 | th[5] << 16 |
			    th[6] << 8 | th[7];

			T_EQ(sq, (uint32_t)(seq0 + i * mss));
			T_EQ((th[13] & 0x09) != 0, i == 2);	/* FIN PSH */
			T_EQ((th[13] & 0x80) != 0, i == 0);	/* CWR */
			T_EQ(th[13] & 0x10, 0x10);
		} else
			T_EQ(th[4] << 8 | th[5], n - g.l4);
	}
	T_EQ(catlen, paylen);
	T_EQ(memcmp(cat, f + g.hdrlen, paylen), 0);
}

static void
test_gso_tcp4(void)
{
	check_segments(0, 0);
}

static void
test_gso_tcp6(void)
{
	check_segments(1, 0);
}

static void
test_gso_udp(void)
{
	check_segments(0, 1);
	check_segments(1, 1);
}

static void
test_gso_rejects(void)
{
	uint8_t f[2000];
	struct emu_gso g;
	size_t len = mk_tcp(f, 0, 1000, 1);

	/* UDP frame announced as TCP, UFO, no gso_size, ARP. */
	T_EQ(emu_gso_parse(f, len, VIRTIO_NET_HDR_GSO_TCPV4, 500, &g), -1);
	T_EQ(emu_gso_parse(f, len, VIRTIO_NET_HDR_GSO_UDP, 500, &g), -1);
	len = mk_tcp(f, 0, 1000, 0);
	T_EQ(emu_gso_parse(f, len, VIRTIO_NET_HDR_GSO_TCPV4, 0, &g), -1);
	T_EQ(emu_gso_parse(f, len, VIRTIO_NET_HDR_GSO_TCPV6, 500, &g), -1);
	f[12] = 0x08;
	f[13] = 0x06;
	T_EQ(emu_gso_parse(f, len, VIRTIO_NET_HDR_GSO_TCPV4, 500, &g), -1);
	T_EQ(emu_gso_parse(f, 20, VIRTIO_NET_HDR_GSO_TCPV4, 500, &g), -1);
}

/* A frame whose L4 checksum was left to hardware: the field holds the
 * pseudo-header sum, as the kernel leaves it (CHECKSUM_PARTIAL). */
static void
test_csum_complete(void)
{
	uint8_t f[600];
	struct emu_gso g;
	size_t len;
	uint8_t ph[12];
	uint16_t seed;
	int udp;

	for (udp = 0; udp < 2; udp++) {
		size_t l4 = 34, off = udp ? 6 : 16;
		uint32_t l4len;

		len = mk_tcp(f, 0, 501, udp);
		l4len = (uint32_t)(len - l4);
		f[16] = (uint8_t)((len - 14) >> 8);
		f[17] = (uint8_t)(len - 14);
		if (udp) {
			f[l4 + 4] = (uint8_t)(l4len >> 8);
			f[l4 + 5] = (uint8_t)l4len;
		}
		memcpy(ph, f + 26, 8);
		ph[8] = 0;
		ph[9] = f[23];
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		seed = (uint16_t)~emu_csum_fold(emu_csum_add(0, ph, 12));
		f[l4 + off] = (uint8_t)(seed >> 8);
		f[l4 + off + 1] = (uint8_t)seed;
		T_EQ(emu_csum_complete(f, len, (uint16_t)l4, (uint16_t)off), 0);
		memset(&g, 0, sizeof(g));
		g.l3 = 14;
		g.l4 = (uint32_t)l4;
		T_CHECK(csum_ok_l4(f, len, &g));
	}
	T_EQ(emu_csum_complete(f, 40, 34, 16), -1);
	/* RFC 1071 example: 0001 f203 f4f5 f6f7 sums to ddf2. */
	T_EQ(emu_csum_fold(emu_csum_add(0,
	    "\x00\x01\xf2\x03\xf4\xf5\xf6\xf7", 8)), (uint16_t)~0xddf2);
	/* Odd length: the last byte is the high half of a word. */
	T_EQ(emu_csum_fold(emu_csum_add(0, "\x01\x02\x03", 3)),
	    (uint16_t)~0x0402);
}

/* ------------------------------------------------------------------ */
/* Wires to the outside: pcap, kernel interfaces                      */

static void
test_pcap_wire(void)
{
	struct emu_wire_conf wc;
	struct pcap_pkthdr h, *hp;
	const u_char *data;
	pcap_t *p;
	pcap_dumper_t *d;
	struct rig r;
	uint8_t f[3][300];
	int i, n;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	T_REQUIRE(wire_pcap_tmp(&wc, "test_emu") == 0);
	T_REQUIRE((p = pcap_open_dead(DLT_EN10MB, 65535)) != NULL);
	T_REQUIRE((d = pcap_dump_open(p, wc.pcap_in)) != NULL);
	for (i = 0; i < 3; i++) {
		mkframe(f[i], mac_a, 100 + 100 * (size_t)i, (uint8_t)i);
		memset(&h, 0, sizeof(h));
		h.caplen = h.len = 100 + 100 * (uint32_t)i;
		pcap_dump((u_char *)d, &h, f[i]);
	}
	pcap_dump_close(d);
	pcap_close(p);

	memset(&r, 0, sizeof(r));
	T_REQUIRE((r.nic = emu_create("pcap", mac_a, &wc)) != NULL);
	emu_bar(r.nic, &r.bar);
	T_REQUIRE(mem_get(&r.mm) == 0);
	T_REQUIRE(nic_up(&r.bar) == 0);
	/* Two descriptors at first: the file waits for the third. */
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 64, SRRCTL_STD, 0) == 0);
	bar_write32(&r.bar, IXGBE_RDT(0), 2);
	T_REQUIRE(tx_setup(&r.bar, &r.mm, 64) == 0);
	T_REQUIRE(rx_wait(&r.mm, 1) == 0);
	bar_write32(&r.bar, IXGBE_RDT(0), 10);
	T_REQUIRE(rx_wait(&r.mm, 2) == 0);
	for (i = 0; i < 3; i++) {
		T_EQ(r.mm.rxd[i].wb.length, 100 + 100 * i);
		T_EQ(memcmp(rxbuf(&r.mm, (uint32_t)i), f[i],
		    100 + 100 * (size_t)i), 0);
	}
	T_EQ(bar_read32(&r.bar, IXGBE_MPC(0)), 0);
	(void)tx_send(&r.bar, &r.mm, f[1], 200);
	(void)tx_send(&r.bar, &r.mm, f[0], 100);
	T_REQUIRE(wait_wire(r.nic, 0, 2) == 0);
	rig_down(&r);

	T_REQUIRE((p = pcap_open_offline(wc.pcap_out,
	    (char[PCAP_ERRBUF_SIZE]){ 0 })) != NULL);
	for (n = 0; pcap_next_ex(p, &hp, &data) == 1; n++) {
		T_EQ(hp->caplen, n == 0 ? 200 : 100);
		T_EQ(memcmp(data, f[n == 0 ? 1 : 0], hp->caplen), 0);
	}
	T_EQ(n, 2);
	pcap_close(p);
	unlink(wc.pcap_in);
	unlink(wc.pcap_out);
}

static int
tso_on(void)
{
	struct ethtool_value ev = { ETHTOOL_GTSO, 0 };
	struct ifreq ifr;
	int fd, r;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "ixemu1");
	ifr.ifr_data = (void *)&ev;
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	r = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return r == -1 ? -1 : ev.data != 0;
}

/* The NIC's wire is one end of a veth pair (in a network namespace of
 * this process); frames go through the kernel both ways, and a TSO frame
 * sent into the other end arrives as checksummed segments. */
static void
test_iface_wire(void)
{
	struct emu_wire_conf wc;
	struct rig r;
	uint8_t f[1514], tso[8000];
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	struct emu_gso g;
	const char *why;
	uint32_t i;
	int fd, vfd;
	size_t len;

	if (!have_dma)
		T_SKIP("%s", no_dma);
	if ((why = wire_veth("ixemu0", "ixemu1", 0)) != NULL)
		T_SKIP("%s", why);

	memset(&r, 0, sizeof(r));
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_IFACE;
	strcpy(wc.iface, "ixemu1");
	T_REQUIRE((r.nic = emu_create("iface", mac_a, &wc)) != NULL);
	emu_bar(r.nic, &r.bar);
	T_REQUIRE(mem_get(&r.mm) == 0);
	T_REQUIRE(nic_up(&r.bar) == 0);
	T_REQUIRE(rx_setup(&r.bar, &r.mm, 64, SRRCTL_STD, IXGBE_FCTRL_BAM) ==
	    0);
	T_REQUIRE(tx_setup(&r.bar, &r.mm, 64) == 0);
	T_REQUIRE((fd = wire_packet_socket("ixemu0", 0)) != -1);

	/* Into the NIC. */
	mkframe(f, mac_a, 1514, 3);
	T_REQUIRE(send(fd, f, 1514, 0) == 1514);
	T_REQUIRE(rx_wait(&r.mm, 0) == 0);
	T_EQ(r.mm.rxd[0].wb.length, 1514);
	T_EQ(memcmp(rxbuf(&r.mm, 0), f, 1514), 0);
	/* A short frame arrives padded, as a real sender pads. */
	mkframe(f, mac_a, 42, 4);
	T_REQUIRE(send(fd, f, 42, 0) == 42);
	T_REQUIRE(rx_wait(&r.mm, 1) == 0);
	T_EQ(r.mm.rxd[1].wb.length, 60);

	/* Out of the NIC. */
	mkframe(f, mac_b, 333, 5);
	(void)tx_send(&r.bar, &r.mm, f, 333);
	T_CHECK(wire_packet_expect(fd, f, 333));

	/* A TSO frame with a partial checksum from the far end. */
	if ((vfd = wire_packet_socket("ixemu0", 1)) == -1)
		T_SKIP("no PACKET_VNET_HDR socket for the TSO part");
	len = mk_tcp(tso, 0, 4000, 0);
	memcpy(tso, mac_a, 6);
	tso[16] = (uint8_t)((len - 14) >> 8);
	tso[17] = (uint8_t)(len - 14);
	tso[14 + 10] = tso[14 + 11] = 0;
	{
		uint16_t c = emu_csum_fold(emu_csum_add(0, tso + 14, 20));

		tso[14 + 10] = (uint8_t)(c >> 8);
		tso[14 + 11] = (uint8_t)c;
	}
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	vh.hdr_len = 66;
	vh.csum_start = 34;
	vh.csum_offset = 16;
	{
		/* the pseudo-header sum of the whole, as TSO wants it */
		uint8_t ph[12];
		uint16_t s;

		memcpy(ph, tso + 26, 8);
		ph[8] = 0;
		ph[9] = 6;
		ph[10] = ph[11] = 0;
		s = (uint16_t)~emu_csum_fold(emu_csum_add(0, ph, 12));
		tso[34 + 16] = (uint8_t)(s >> 8);
		tso[34 + 17] = (uint8_t)s;
	}
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = tso;
	iov[1].iov_len = len;
	if (writev(vfd, iov, 2) != (ssize_t)(sizeof(vh) + len)) {
		close(vfd);
		close(fd);
		rig_down(&r);
		T_SKIP("the kernel refused a TSO frame: %s", strerror(errno));
	}
	T_REQUIRE(rx_wait(&r.mm, 4) == 0);
	T_REQUIRE(emu_gso_parse(tso, len, VIRTIO_NET_HDR_GSO_TCPV4, 1448,
	    &g) == 0);
	for (i = 0; i < 3; i++) {
		uint8_t *p = rxbuf(&r.mm, 2 + i);
		uint32_t l = r.mm.rxd[2 + i].wb.length;

		T_EQ(l, i < 2 ? 66 + 1448 : 66 + 4000 - 2 * 1448);
		T_CHECK(csum_ok_l4(p, l, &g));
		T_EQ(emu_csum_fold(emu_csum_add(0, p + 14, 20)), 0);
		T_EQ(memcmp(p + 66, tso + 66 + i * 1448, l - 66), 0);
	}
	close(vfd);
	close(fd);
	T_EQ(tso_on(), 0);
	rig_down(&r);
	/* The interface gets its offloads back. */
	T_EQ(tso_on(), 1);
	(void)wire_sh("ip link del ixemu0");
}

int
main(void)
{
	log_init(1, 0, "test_emu");
	if (t_hugepages(16) && dma_init(DMA_IOVA_AUTO) == 0)
		have_dma = 1;

	/* The register file alone: timed effects happen on reads. */
	T_RUN(test_reset_defaults);
	T_RUN(test_eeprom_read);
	T_RUN(test_irq_regs);
	T_RUN(test_bad_access_and_aliases);
	T_RUN(test_link_timing);
	T_RUN(test_csum_complete);
	T_RUN(test_gso_tcp4);
	T_RUN(test_gso_tcp6);
	T_RUN(test_gso_udp);
	T_RUN(test_gso_rejects);

	if (emu_engine_start(-1) == -1) {
		printf("FAIL: engine: cannot start the DMA engine\n");
		return 1;
	}
	T_RUN(test_queue_enable);
	T_RUN(test_rx_frame);
	T_RUN(test_rx_spans_descriptors);
	T_RUN(test_rx_filter);
	T_RUN(test_rx_no_descriptors);
	T_RUN(test_rx_sizes);
	T_RUN(test_rx_keep_crc);
	T_RUN(test_rx_iommu_fault);
	T_RUN(test_stats_pair_latch);
	T_RUN(test_stats_concurrent);
	T_RUN(test_tx_frame);
	T_RUN(test_tx_runaway_packet);
	T_RUN(test_tx_head_writeback);
	T_RUN(test_tx_iommu_fault);
	T_RUN(test_tx_disable);
	T_RUN(test_rx_disable);
	T_RUN(test_loopback);
	T_RUN(test_peer_cable);
	T_RUN(test_generator_sink);
	T_RUN(test_generator_rate);
	T_RUN(test_pcap_wire);
	T_RUN(test_iface_wire);		/* last: it moves to a namespace */
	emu_engine_stop();
	return t_done();
}
