/*
 * test_emu_strict.c: the strict emulated 82599.  Its register table is
 * its own (emu82599_regs.h, written from the datasheet apart from the
 * driver's ixgbe_regs.h); the two are compared here, so a wrong offset
 * in either shows up as a difference to check against the datasheet.
 */
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dma.h"
#include "emu82599_priv.h"
#include "hugepages.h"
#include "ixgbe_desc.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "t.h"
#include "waitreg.h"

#define WAIT_MS		2000
#define NDESC		64

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x5a, 0x01 };
static int have_dma;

/* ------------------------------------------------------------------ */
/* The two register tables                                            */

struct regpair {
	const char	*name;
	uint32_t	 driver;
	uint32_t	 model;
};

#define P(d, m)		{ #d, d, m }

static void
test_regs_agree(void)
{
	static const struct regpair regs[] = {
		P(IXGBE_CTRL, EMU_CTRL),
		P(IXGBE_CTRL_PCIE_MASTER_DISABLE, EMU_CTRL_MASTER_DIS),
		P(IXGBE_CTRL_RST_MASK, EMU_CTRL_RST_MASK),
		P(IXGBE_STATUS, EMU_STATUS),
		P(IXGBE_STATUS_MASTER_EN, EMU_STATUS_GIO_MASTER_EN),
		P(IXGBE_CTRL_EXT, EMU_CTRL_EXT),
		P(IXGBE_CTRL_EXT_NS_DIS, EMU_CTRL_EXT_NS_DIS),
		P(IXGBE_CTRL_EXT_DRV_LOAD, EMU_CTRL_EXT_DRV_LOAD),
		P(IXGBE_EEC, EMU_EEC),
		P(IXGBE_EEC_ARD, EMU_EEC_ARD),
		P(IXGBE_EERD, EMU_EERD),
		P(IXGBE_EICR, EMU_EICR),
		P(IXGBE_EIMS, EMU_EIMS),
		P(IXGBE_EIMC, EMU_EIMC),
		P(IXGBE_RDBAL(0), EMU_RDBAL(0)),
		P(IXGBE_RDBAL(63), EMU_RDBAL(63)),
		P(IXGBE_RDBAL(64), EMU_RDBAL(64)),
		P(IXGBE_RDBAL(127), EMU_RDBAL(127)),
		P(IXGBE_RDBAH(5), EMU_RDBAH(5)),
		P(IXGBE_RDLEN(5), EMU_RDLEN(5)),
		P(IXGBE_DCA_RXCTRL(5), EMU_DCA_RXCTRL(5)),
		P(IXGBE_DCA_RXCTRL_BIT12, EMU_DCA_RXCTRL_RSV12),
		P(IXGBE_RDH(5), EMU_RDH(5)),
		P(IXGBE_SRRCTL(5), EMU_SRRCTL(5)),
		P(IXGBE_RDT(5), EMU_RDT(5)),
		P(IXGBE_RXDCTL(5), EMU_RXDCTL(5)),
		P(IXGBE_RXDCTL_ENABLE, EMU_RXDCTL_ENABLE),
		P(IXGBE_QPRC(3), EMU_QPRC(3)),
		P(IXGBE_QPRDC(3), EMU_QPRDC(3)),
		P(IXGBE_RDRXCTL, EMU_RDRXCTL),
		P(IXGBE_RDRXCTL_CRCSTRIP, EMU_RDRXCTL_CRCSTRIP),
		P(IXGBE_RDRXCTL_DMAIDONE, EMU_RDRXCTL_DMAIDONE),
		P(IXGBE_RXDGPC, EMU_RXDGPC),
		P(IXGBE_RXCTRL, EMU_RXCTRL),
		P(IXGBE_RXPBSIZE(1), EMU_RXPBSIZE(1)),
		P(IXGBE_RXCSUM, EMU_RXCSUM),
		P(IXGBE_FCTRL, EMU_FCTRL),
		P(IXGBE_FCTRL_BAM, EMU_FCTRL_BAM),
		P(IXGBE_RAL(7), EMU_RAL(7)),
		P(IXGBE_RAH(7), EMU_RAH(7)),
		P(IXGBE_MRQC, EMU_MRQC),
		P(IXGBE_MRQC_MRQE_RSS, EMU_MRQE_RSS),
		P(IXGBE_MRQC_RSS_TCPIPV4, EMU_MRQC_TCPIPV4),
		P(IXGBE_MRQC_RSS_IPV4, EMU_MRQC_IPV4),
		P(IXGBE_MRQC_RSS_IPV6, EMU_MRQC_IPV6),
		P(IXGBE_MRQC_RSS_TCPIPV6, EMU_MRQC_TCPIPV6),
		P(IXGBE_MRQC_RSS_UDPIPV4, EMU_MRQC_UDPIPV4),
		P(IXGBE_MRQC_RSS_UDPIPV6, EMU_MRQC_UDPIPV6),
		P(IXGBE_RETA(0), EMU_RETA(0)),
		P(IXGBE_RETA(31), EMU_RETA(31)),
		P(IXGBE_RSSRK(0), EMU_RSSRK(0)),
		P(IXGBE_RSSRK(9), EMU_RSSRK(9)),
		P(IXGBE_RQSMR(0), EMU_RQSMR(0)),
		P(IXGBE_RQSMR(3), EMU_RQSMR(3)),
		P(IXGBE_HLREG0, EMU_HLREG0),
		P(IXGBE_HLREG0_RXCRCSTRP, EMU_HLREG0_RXCRCSTRP),
		P(IXGBE_HLREG0_TXPADEN, EMU_HLREG0_TXPADEN),
		P(IXGBE_MAXFRS, EMU_MAXFRS),
		P(IXGBE_AUTOC, EMU_AUTOC),
		P(IXGBE_AUTOC_AN_RESTART, EMU_AUTOC_RESTART_AN),
		P(IXGBE_AUTOC_LMS_MASK, EMU_AUTOC_LMS_MASK),
		P(IXGBE_LINKS, EMU_LINKS),
		P(IXGBE_LINKS_UP, EMU_LINKS_UP),
		P(IXGBE_AUTOC2, EMU_AUTOC2),
		P(IXGBE_DMATXCTL, EMU_DMATXCTL),
		P(IXGBE_RTTDCS, EMU_RTTDCS),
		P(IXGBE_DTXMXSZRQ, EMU_DTXMXSZRQ),
		P(IXGBE_MTQC, EMU_MTQC),
		P(IXGBE_TXPBSIZE(1), EMU_TXPBSIZE(1)),
		P(IXGBE_TXDGPC, EMU_TXDGPC),
		P(IXGBE_TDBAL(100), EMU_TDBAL(100)),
		P(IXGBE_TDBAH(100), EMU_TDBAH(100)),
		P(IXGBE_TDLEN(100), EMU_TDLEN(100)),
		P(IXGBE_TDH(100), EMU_TDH(100)),
		P(IXGBE_TDT(100), EMU_TDT(100)),
		P(IXGBE_TXDCTL(100), EMU_TXDCTL(100)),
		P(IXGBE_TXDCTL_ENABLE, EMU_TXDCTL_ENABLE),
		P(IXGBE_TDWBAL(9), EMU_TDWBAL(9)),
		P(IXGBE_TDWBAH(9), EMU_TDWBAH(9)),
		P(IXGBE_QPTC(9), EMU_QPTC(9)),
		P(IXGBE_QBTC_L(9), EMU_QBTC_L(9)),
		P(IXGBE_QBTC_H(9), EMU_QBTC_H(9)),
		P(IXGBE_SECRXCTRL, EMU_SECRXCTRL),
		P(IXGBE_SECRXCTRL_RX_DIS, EMU_SECRXCTRL_RX_DIS),
		P(IXGBE_SECRXSTAT, EMU_SECRXSTAT),
		P(IXGBE_CRCERRS, EMU_CRCERRS),
		P(IXGBE_MPC(7), EMU_MPC(7)),
		P(IXGBE_GPRC, EMU_GPRC),
		P(IXGBE_BPRC, EMU_BPRC),
		P(IXGBE_MPRC, EMU_MPRC),
		P(IXGBE_GPTC, EMU_GPTC),
		P(IXGBE_GORCL, EMU_GORCL),
		P(IXGBE_GORCH, EMU_GORCH),
		P(IXGBE_GOTCL, EMU_GOTCL),
		P(IXGBE_GOTCH, EMU_GOTCH),
		P(IXGBE_RUC, EMU_RUC),
		P(IXGBE_ROC, EMU_ROC),
		P(IXGBE_TORL, EMU_TORL),
		P(IXGBE_TORH, EMU_TORH),
		P(IXGBE_TPR, EMU_TPR),
		P(IXGBE_TPT, EMU_TPT),
		P(IXGBE_MPTC, EMU_MPTC),
		P(IXGBE_BPTC, EMU_BPTC),
		P(IXGBE_SWSM, EMU_SWSM),
		P(IXGBE_GSSR, EMU_GSSR),
		P(IXGBE_BAR0_SIZE, EMU_BAR0_SIZE),
		P(IXGBE_ADVTXD_DCMD_EOP, EMU_TXD_EOP),
		P(IXGBE_ADVTXD_DCMD_RS, EMU_TXD_RS),
		P(IXGBE_ADVTXD_DCMD_DEXT, EMU_TXD_DEXT),
		P(IXGBE_ADVTXD_DTYP_DATA, EMU_TXD_DTYP_DATA),
		P(IXGBE_ADVTXD_PAYLEN_SHIFT, EMU_TXD_PAYLEN_SHIFT),
		P(IXGBE_RXD_STAT_DD, EMU_RXD_DD),
		P(IXGBE_RXD_STAT_EOP, EMU_RXD_EOP),
	};
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].driver != regs[i].model)
			t_fail(__FILE__, __LINE__, "%s: driver 0x%05x, model "
			    "0x%05x", regs[i].name, regs[i].driver,
			    regs[i].model);
}

/* The descriptor layouts, written apart too, agree field by field. */
static void
test_desc_layouts_agree(void)
{
	T_EQ(sizeof(union emu_rx_desc), sizeof(union ixgbe_adv_rx_desc));
	T_EQ(offsetof(union emu_rx_desc, read.pkt_addr),
	    offsetof(union ixgbe_adv_rx_desc, read.pkt_addr));
	T_EQ(offsetof(union emu_rx_desc, read.hdr_addr),
	    offsetof(union ixgbe_adv_rx_desc, read.hdr_addr));
	/* the write-back's status dword and length, as the model writes
	 * them in the second qword */
	T_EQ(offsetof(union ixgbe_adv_rx_desc, wb.status_error), 8);
	T_EQ(offsetof(union ixgbe_adv_rx_desc, wb.length), 12);
	T_EQ(sizeof(union emu_tx_desc), sizeof(union ixgbe_adv_tx_desc));
	T_EQ(offsetof(union emu_tx_desc, read.cmd_type_len),
	    offsetof(union ixgbe_adv_tx_desc, read.cmd_type_len));
	T_EQ(offsetof(union emu_tx_desc, read.olinfo_status),
	    offsetof(union ixgbe_adv_tx_desc, read.olinfo_status));
	T_EQ(offsetof(union emu_tx_desc, wb.status),
	    offsetof(union ixgbe_adv_tx_desc, wb.status));
}

/* ------------------------------------------------------------------ */
/* A NIC brought up step by step as the datasheet says, or with one     */
/* step done wrong on purpose                                          */

enum brk {
	B_NONE,
	B_NO_MASTER_DISABLE,	/* reset without master disable */
	B_READ_IN_RESET,	/* read EEC right after CTRL.RST */
	B_LMS_KX4,		/* backplane link mode on an SFI port */
	B_AUTOC2_KR,		/* 10G serial PMA/PMD KR on an SFI port */
	B_RDT_EARLY,		/* RDT moved before ENABLE reads back */
	B_TXQ_NO_TE,		/* TXDCTL.ENABLE before DMATXCTL.TE */
	B_CRC_DMA_KEEPS,	/* RDRXCTL.CRCSTRIP left 0 */
	B_RXPB_TOO_BIG,		/* RXPBSIZE over 512 KB */
	B_RXPB_GAP,		/* RXPBSIZE(1) used, PB0 empty */
	B_TXPBTHRESH,		/* TXPBSIZE cut, TXPBTHRESH left at 150 KB */
	B_DCA_BIT12,		/* DCA_RXCTRL bit 12 left set */
	B_NO_NS_DIS,		/* CTRL_EXT.NS_DIS left clear */
	B_NO_SECRX,		/* RXEN without SECRXCTRL.RX_DIS */
	B_SECRX_NO_WAIT,	/* RXEN without waiting for SECRX_RDY */
	B_RING_ALIGN,		/* RDBAL not 128-byte aligned */
};

struct rig {
	struct emu82599	*nic;
	struct bar	 b;
	struct dma_mem	 m;
	union ixgbe_adv_rx_desc *rxd;
	union ixgbe_adv_tx_desc *txd;
	uint32_t	 txtail;
};

#define TXD_OFF		(64u << 10)
#define RXB_OFF		(128u << 10)
#define TXB_OFF		(1024u << 10)
#define BUF_SZ		2048

static uint32_t
rd(struct rig *r, uint32_t reg)
{
	return bar_read32(&r->b, reg);
}

static void
wr(struct rig *r, uint32_t reg, uint32_t v)
{
	bar_write32(&r->b, reg, v);
}

/* §5.2.5.3.2, §4.6.3.2 */
static int
do_reset(struct rig *r, enum brk k)
{
	if (k != B_NO_MASTER_DISABLE) {
		wr(r, EMU_CTRL, rd(r, EMU_CTRL) | EMU_CTRL_MASTER_DIS);
		if (wait_reg(&r->b, EMU_STATUS, EMU_STATUS_GIO_MASTER_EN, 0,
		    WAIT_MS) == -1)
			return -1;
	}
	wr(r, EMU_CTRL, rd(r, EMU_CTRL) | EMU_CTRL_RST);
	if (k == B_READ_IN_RESET)
		(void)rd(r, EMU_EEC);
	usleep(1000);
	if (wait_reg(&r->b, EMU_CTRL, EMU_CTRL_RST_MASK, 0, WAIT_MS) == -1)
		return -1;
	usleep(10000);
	return wait_reg(&r->b, EMU_EEC, EMU_EEC_ARD, EMU_EEC_ARD, WAIT_MS);
}

/* §4.6.4 for SFI */
static void
do_link(struct rig *r, enum brk k)
{
	uint32_t autoc = rd(r, EMU_AUTOC) & ~EMU_AUTOC_LMS_MASK;
	uint32_t autoc2 = rd(r, EMU_AUTOC2) & ~EMU_AUTOC2_10G_SERIAL_MASK;

	wr(r, EMU_AUTOC2, autoc2 | (k == B_AUTOC2_KR ? EMU_AUTOC2_10G_KR :
	    EMU_AUTOC2_10G_SFI));
	autoc |= (k == B_LMS_KX4 ? EMU_LMS_KX4_KX_KR : EMU_LMS_10G_SERIAL) <<
	    EMU_AUTOC_LMS_SHIFT;
	wr(r, EMU_AUTOC, autoc | EMU_AUTOC_RESTART_AN);
}

/* §4.6.7, §4.6.11.3 */
static int
do_rx(struct rig *r, enum brk k)
{
	uint64_t ring = r->m.iova;
	uint32_t i;

	if (k == B_RXPB_TOO_BIG)
		wr(r, EMU_RXPBSIZE(0), 600u << EMU_PBSIZE_SHIFT);
	if (k == B_RXPB_GAP) {
		wr(r, EMU_RXPBSIZE(0), 0);
		wr(r, EMU_RXPBSIZE(1), 512u << EMU_PBSIZE_SHIFT);
	}
	if (k != B_CRC_DMA_KEEPS)
		wr(r, EMU_RDRXCTL, rd(r, EMU_RDRXCTL) | EMU_RDRXCTL_CRCSTRIP);
	if (k != B_NO_NS_DIS)
		wr(r, EMU_CTRL_EXT, rd(r, EMU_CTRL_EXT) | EMU_CTRL_EXT_NS_DIS);
	for (i = 0; i < NDESC; i++) {
		r->rxd[i].read.pkt_addr = r->m.iova + RXB_OFF + i * BUF_SZ;
		r->rxd[i].read.hdr_addr = 0;
	}
	wr(r, EMU_SRRCTL(0), EMU_SRRCTL_DESCTYPE_ADV1 | EMU_SRRCTL_DROP_EN | 2);
	wr(r, EMU_RDBAL(0), (uint32_t)ring + (k == B_RING_ALIGN ? 0x40 : 0));
	wr(r, EMU_RDBAH(0), (uint32_t)(ring >> 32));
	wr(r, EMU_RDLEN(0), NDESC * 16);
	wr(r, EMU_RDH(0), 0);
	wr(r, EMU_RDT(0), 0);
	if (k != B_DCA_BIT12)
		wr(r, EMU_DCA_RXCTRL(0), rd(r, EMU_DCA_RXCTRL(0)) &
		    ~EMU_DCA_RXCTRL_RSV12);
	wr(r, EMU_FCTRL, EMU_FCTRL_BAM);
	wr(r, EMU_RXDCTL(0), rd(r, EMU_RXDCTL(0)) | EMU_RXDCTL_ENABLE);
	if (k == B_RDT_EARLY)
		wr(r, EMU_RDT(0), NDESC - 1);
	if (wait_reg(&r->b, EMU_RXDCTL(0), EMU_RXDCTL_ENABLE, EMU_RXDCTL_ENABLE,
	    WAIT_MS) == -1)
		return -1;
	if (k != B_NO_SECRX) {
		wr(r, EMU_SECRXCTRL, rd(r, EMU_SECRXCTRL) | EMU_SECRXCTRL_RX_DIS);
		if (k != B_SECRX_NO_WAIT && wait_reg(&r->b, EMU_SECRXSTAT,
		    EMU_SECRXSTAT_RDY, EMU_SECRXSTAT_RDY, WAIT_MS) == -1)
			return -1;
	}
	wr(r, EMU_RXCTRL, rd(r, EMU_RXCTRL) | EMU_RXCTRL_RXEN);
	wr(r, EMU_SECRXCTRL, rd(r, EMU_SECRXCTRL) & ~EMU_SECRXCTRL_RX_DIS);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(r, EMU_RDT(0), NDESC - 1);
	return 0;
}

/* §4.6.8; -1 when the queue does not start */
static int
do_tx(struct rig *r, enum brk k)
{
	uint64_t ring = r->m.iova + TXD_OFF;

	if (k == B_TXPBTHRESH)
		wr(r, EMU_TXPBSIZE(0), 40u << EMU_PBSIZE_SHIFT);
	if (k != B_TXQ_NO_TE)
		wr(r, EMU_DMATXCTL, EMU_DMATXCTL_TE);
	wr(r, EMU_TDBAL(0), (uint32_t)ring);
	wr(r, EMU_TDBAH(0), (uint32_t)(ring >> 32));
	wr(r, EMU_TDLEN(0), NDESC * 16);
	wr(r, EMU_TDH(0), 0);
	wr(r, EMU_TDT(0), 0);
	wr(r, EMU_TXDCTL(0), EMU_TXDCTL_ENABLE);
	r->txtail = 0;
	return wait_reg(&r->b, EMU_TXDCTL(0), EMU_TXDCTL_ENABLE, EMU_TXDCTL_ENABLE,
	    k == B_TXQ_NO_TE ? 50 : WAIT_MS);
}

/* A NIC on a test wire with one step done wrong (k); 0, or -1 when a
 * step the silicon refuses (link, queue) did not happen. */
static int
rig_up(struct rig *r, const char *name, enum brk k)
{
	struct emu_wire_conf wc;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_QUEUE;
	if ((r->nic = emu_create(name, mac_a, &wc)) == NULL ||
	    dma_alloc(&r->m, DMA_PAGE_SIZE, 1) == -1)
		return -2;
	emu_bar(r->nic, &r->b);
	r->rxd = r->m.virt;
	r->txd = (void *)((uint8_t *)r->m.virt + TXD_OFF);
	if (do_reset(r, k) == -1)
		return -2;
	do_link(r, k);
	if (wait_reg(&r->b, EMU_LINKS, EMU_LINKS_UP, EMU_LINKS_UP,
	    k == B_LMS_KX4 || k == B_AUTOC2_KR ? 100 : WAIT_MS) == -1)
		rc = -1;
	if (do_rx(r, k) == -1 || do_tx(r, k) == -1)
		rc = -1;
	return rc;
}

static void
rig_down(struct rig *r)
{
	if (r->nic != NULL)
		emu_destroy(r->nic);
	dma_free(&r->m);
}

/* Only rule was broken, and at least once. */
static void
only(struct rig *r, enum emu_rule rule)
{
	int i;

	if (emu_rule_violations(r->nic, rule) == 0)
		t_fail(__FILE__, __LINE__, "rule \"%s\" not caught",
		    emu_rule_name(rule));
	for (i = 0; i < EMU_RULE_COUNT; i++)
		if (i != (int)rule && emu_rule_violations(r->nic, i) != 0)
			t_fail(__FILE__, __LINE__, "rule \"%s\" also broken",
			    emu_rule_name(i));
	T_EQ(emu_violations(r->nic), emu_rule_violations(r->nic, rule));
}

/* Put one TX descriptor (EOP|RS) for a len-byte frame and ring. */
static void
tx_one(struct rig *r, uint32_t len, uint32_t extra_cmd, uint32_t extra_ol)
{
	union ixgbe_adv_tx_desc *d = &r->txd[r->txtail];
	uint8_t *buf = (uint8_t *)r->m.virt + TXB_OFF + r->txtail * BUF_SZ;

	memset(buf, 0xff, 6);
	memcpy(buf + 6, mac_a, 6);
	memset(buf + 12, 0x88, len > 12 ? len - 12 : 0);
	d->read.buffer_addr = r->m.iova + TXB_OFF + r->txtail * BUF_SZ;
	d->read.cmd_type_len = EMU_TXD_DTYP_DATA | EMU_TXD_DEXT | EMU_TXD_IFCS |
	    EMU_TXD_EOP | EMU_TXD_RS | extra_cmd | len;
	d->read.olinfo_status = len << EMU_TXD_PAYLEN_SHIFT | extra_ol;
	r->txtail = (r->txtail + 1) % NDESC;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(r, EMU_TDT(0), r->txtail);
}

static int
tx_done(struct rig *r)
{
	return wait_reg(&r->b, EMU_TDH(0), 0xffff, r->txtail, WAIT_MS);
}

static size_t
pull(struct rig *r, uint8_t *buf, size_t cap)
{
	uint64_t end = now_ms() + 200;
	size_t n;

	do {
		if ((n = emu_wire_pull(r->nic, buf, cap)) > 0)
			return n;
		usleep(100);
	} while (now_ms() < end);
	return 0;
}

#define NEED_DMA() do {							\
	if (!have_dma)							\
		T_SKIP("no DMA memory (2 MiB hugepages)");		\
} while (0)

/* A 64-byte broadcast frame onto r's wire (every test takes it). */
static int
push_broadcast(struct rig *r)
{
	uint8_t f[64];

	memset(f, 0xff, 6);
	memset(f + 6, 0x22, 58);
	return emu_wire_push(r->nic, f, 64);
}

/* Descriptor 0 written back with DD and length 64 within WAIT_MS. */
static int
rx0_received(struct rig *r)
{
	uint64_t end = now_ms() + WAIT_MS;

	while (!(__atomic_load_n(&r->rxd[0].wb.status_error, __ATOMIC_ACQUIRE) &
	    EMU_RXD_DD) && now_ms() < end)
		usleep(100);
	return (r->rxd[0].wb.status_error & EMU_RXD_DD) &&
	    r->rxd[0].wb.length == 64;
}

/* The whole sequence done right: link, a frame each way, no violation. */
static void
test_strict_clean_init(void)
{
	struct rig r;
	uint8_t f[2048];

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "clean", B_NONE) == 0);
	tx_one(&r, 60, 0, 0);
	T_EQ(tx_done(&r), 0);
	T_EQ(pull(&r, f, sizeof(f)), 60);
	T_REQUIRE(push_broadcast(&r) == 0);
	T_CHECK(rx0_received(&r));
	T_EQ(emu_violations(r.nic), 0);
	rig_down(&r);
}

/* A test per rule: the step done wrong, the rule caught, nothing else. */
#define BREAK_TEST(fn, k, rule, want_rc)				\
static void								\
fn(void)								\
{									\
	struct rig r;							\
	int rc;								\
									\
	NEED_DMA();							\
	rc = rig_up(&r, #k, k);						\
	T_REQUIRE(rc != -2);						\
	T_EQ(rc, want_rc);						\
	only(&r, rule);							\
	rig_down(&r);							\
}

BREAK_TEST(test_strict_master_disable, B_NO_MASTER_DISABLE,
    EMU_RULE_MASTER_DISABLE, 0)
BREAK_TEST(test_strict_reset_access, B_READ_IN_RESET, EMU_RULE_RESET_ACCESS, 0)
/* The silicon does not link in a mode its media does not carry. */
BREAK_TEST(test_strict_link_lms, B_LMS_KX4, EMU_RULE_LINK_MODE, -1)
BREAK_TEST(test_strict_link_autoc2, B_AUTOC2_KR, EMU_RULE_LINK_MODE, -1)
BREAK_TEST(test_strict_rdt_early, B_RDT_EARLY, EMU_RULE_RDT_EARLY, 0)
/* ... nor start a TX queue while transmit DMA is off. */
BREAK_TEST(test_strict_txq_before_te, B_TXQ_NO_TE, EMU_RULE_TXQ_BEFORE_TE, -1)
BREAK_TEST(test_strict_crc_strip, B_CRC_DMA_KEEPS, EMU_RULE_CRC_STRIP, 0)
BREAK_TEST(test_strict_rxpb_size, B_RXPB_TOO_BIG, EMU_RULE_PB_SIZE, 0)
BREAK_TEST(test_strict_rxpb_gap, B_RXPB_GAP, EMU_RULE_PB_SIZE, 0)
BREAK_TEST(test_strict_txpbthresh, B_TXPBTHRESH, EMU_RULE_PB_SIZE, 0)
BREAK_TEST(test_strict_dca_bit12, B_DCA_BIT12, EMU_RULE_DCA, 0)
BREAK_TEST(test_strict_ns_dis, B_NO_NS_DIS, EMU_RULE_NS_DIS, 0)
BREAK_TEST(test_strict_secrx_missing, B_NO_SECRX, EMU_RULE_SECRX, 0)
BREAK_TEST(test_strict_secrx_no_wait, B_SECRX_NO_WAIT, EMU_RULE_SECRX, 0)
BREAK_TEST(test_strict_ring_align, B_RING_ALIGN, EMU_RULE_RING, 0)

/* HLREG0 changed alone while receiving: MAC and DMA disagree. */
static void
test_strict_crc_strip_live(void)
{
	struct rig r;

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "crclive", B_NONE) == 0);
	wr(&r, EMU_HLREG0, rd(&r, EMU_HLREG0) & ~EMU_HLREG0_RXCRCSTRP);
	only(&r, EMU_RULE_CRC_STRIP);
	rig_down(&r);
}

/*
 * §4.6.8.1: a TX queue's ring is rewritten only once TXDCTL.ENABLE has
 * read 0.  Done so (disable, wait for 0, rewrite, enable again): no
 * violation, and the queue sends again.  TDH written right after ENABLE
 * is cleared, while the queue may still be at work on its ring, is
 * caught whether or not the queue has stopped by then: the rule is
 * judged on what the driver read.
 */
static void
test_strict_tx_ring_live(void)
{
	struct rig r;
	uint8_t f[2048];

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "txlive", B_NONE) == 0);
	wr(&r, EMU_TXDCTL(0), rd(&r, EMU_TXDCTL(0)) & ~EMU_TXDCTL_ENABLE);
	T_EQ(wait_reg(&r.b, EMU_TXDCTL(0), EMU_TXDCTL_ENABLE, 0, WAIT_MS), 0);
	wr(&r, EMU_TDBAL(0), rd(&r, EMU_TDBAL(0)));
	wr(&r, EMU_TDLEN(0), NDESC * 16);
	wr(&r, EMU_TDH(0), 0);
	wr(&r, EMU_TDT(0), 0);
	wr(&r, EMU_TXDCTL(0), rd(&r, EMU_TXDCTL(0)) | EMU_TXDCTL_ENABLE);
	T_EQ(wait_reg(&r.b, EMU_TXDCTL(0), EMU_TXDCTL_ENABLE,
	    EMU_TXDCTL_ENABLE, WAIT_MS), 0);
	T_EQ(emu_violations(r.nic), 0);
	tx_one(&r, 60, 0, 0);
	T_EQ(tx_done(&r), 0);
	T_EQ(pull(&r, f, sizeof(f)), 60);

	wr(&r, EMU_TXDCTL(0), rd(&r, EMU_TXDCTL(0)) & ~EMU_TXDCTL_ENABLE);
	wr(&r, EMU_TDH(0), 0);
	only(&r, EMU_RULE_TX_RING_LIVE);
	rig_down(&r);
}

/*
 * §4.6.7.1: an RX queue's ring is rewritten only once RXDCTL.ENABLE has
 * read 0.  Done so (disable, wait for 0, rewrite, enable, wait for 1,
 * hand the descriptors over): no violation, and the queue receives
 * again.  RDH written while the queue runs, and RDBAL and RDLEN written
 * right after ENABLE is cleared, while the queue may still be at work
 * on its ring, are each caught whether or not the queue has stopped by
 * then: the rule is judged on what the driver read.
 */
static void
test_strict_rx_ring_live(void)
{
	struct rig r;
	uint64_t ring;
	uint32_t i;

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "rxlive", B_NONE) == 0);
	ring = r.m.iova;
	wr(&r, EMU_RXDCTL(0), rd(&r, EMU_RXDCTL(0)) & ~EMU_RXDCTL_ENABLE);
	T_EQ(wait_reg(&r.b, EMU_RXDCTL(0), EMU_RXDCTL_ENABLE, 0, WAIT_MS), 0);
	wr(&r, EMU_RDBAL(0), (uint32_t)ring);
	wr(&r, EMU_RDBAH(0), (uint32_t)(ring >> 32));
	wr(&r, EMU_RDLEN(0), NDESC * 16);
	wr(&r, EMU_RDH(0), 0);
	wr(&r, EMU_RDT(0), 0);
	for (i = 0; i < NDESC; i++) {
		r.rxd[i].read.pkt_addr = r.m.iova + RXB_OFF + i * BUF_SZ;
		r.rxd[i].read.hdr_addr = 0;
	}
	wr(&r, EMU_RXDCTL(0), rd(&r, EMU_RXDCTL(0)) | EMU_RXDCTL_ENABLE);
	T_EQ(wait_reg(&r.b, EMU_RXDCTL(0), EMU_RXDCTL_ENABLE,
	    EMU_RXDCTL_ENABLE, WAIT_MS), 0);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(&r, EMU_RDT(0), NDESC - 1);
	T_EQ(emu_violations(r.nic), 0);
	T_REQUIRE(push_broadcast(&r) == 0);
	T_CHECK(rx0_received(&r));
	T_EQ(emu_violations(r.nic), 0);

	wr(&r, EMU_RDH(0), rd(&r, EMU_RDH(0)));
	T_EQ(emu_rule_violations(r.nic, EMU_RULE_RX_RING_LIVE), 1);
	wr(&r, EMU_RXDCTL(0), rd(&r, EMU_RXDCTL(0)) & ~EMU_RXDCTL_ENABLE);
	wr(&r, EMU_RDBAL(0), (uint32_t)ring);
	wr(&r, EMU_RDLEN(0), NDESC * 16);
	only(&r, EMU_RULE_RX_RING_LIVE);
	T_EQ(emu_rule_violations(r.nic, EMU_RULE_RX_RING_LIVE), 3);
	rig_down(&r);
}

/* §7.2.3.2.4: a 16-byte packet is refused, 17 bytes is taken. */
static void
test_strict_tx_short(void)
{
	struct rig r;
	uint8_t f[2048];

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "txshort", B_NONE) == 0);
	tx_one(&r, 17, 0, 0);
	T_EQ(tx_done(&r), 0);
	T_EQ(pull(&r, f, sizeof(f)), 60);	/* TXPADEN */
	T_EQ(emu_violations(r.nic), 0);
	tx_one(&r, 16, 0, 0);
	T_EQ(tx_done(&r), 0);
	T_EQ(pull(&r, f, sizeof(f)), 0);
	only(&r, EMU_RULE_TX_LEN);
	rig_down(&r);
}

/* Over 15.5 KB without TSO: refused (HLREG0.LPBK, so nothing is lost to
 * the wire's own size limit). */
static void
test_strict_tx_long(void)
{
	struct rig r;
	union ixgbe_adv_tx_desc *d;
	uint32_t i, len = EMU_TX_MAX_LEN + 1, per = 2048;

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "txlong", B_NONE) == 0);
	for (i = 0; i * per < len; i++) {
		uint32_t n = len - i * per < per ? len - i * per : per;

		d = &r.txd[r.txtail];
		d->read.buffer_addr = r.m.iova + TXB_OFF + i * BUF_SZ;
		d->read.cmd_type_len = EMU_TXD_DTYP_DATA | EMU_TXD_DEXT |
		    EMU_TXD_IFCS | n | ((i + 1) * per >= len ?
		    EMU_TXD_EOP | EMU_TXD_RS : 0);
		d->read.olinfo_status = i == 0 ? len << EMU_TXD_PAYLEN_SHIFT : 0;
		r.txtail++;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(&r, EMU_TDT(0), r.txtail);
	T_EQ(tx_done(&r), 0);
	only(&r, EMU_RULE_TX_LEN);
	rig_down(&r);
}

/* §7.2.3.2.4: reserved CMD bits, or STA written by software. */
static void
test_strict_tx_reserved(void)
{
	struct rig r;
	uint8_t f[2048];

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "txrsv", B_NONE) == 0);
	tx_one(&r, 60, 1u << 16, 0);
	T_EQ(tx_done(&r), 0);
	tx_one(&r, 60, 0, EMU_TXD_STAT_DD);
	T_EQ(tx_done(&r), 0);
	T_EQ(pull(&r, f, sizeof(f)), 0);
	only(&r, EMU_RULE_RESERVED);
	T_EQ(emu_rule_violations(r.nic, EMU_RULE_RESERVED), 2);
	rig_down(&r);
}

/* §7.1.6.1: a receive descriptor handed over with DD already set. */
static void
test_strict_rx_dd_set(void)
{
	struct rig r;

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "rxdd", B_NONE) == 0);
	r.rxd[0].read.hdr_addr = 1;
	T_REQUIRE(push_broadcast(&r) == 0);
	T_EQ(wait_reg(&r.b, EMU_RDH(0), 0xffff, 1, WAIT_MS), 0);
	only(&r, EMU_RULE_RESERVED);
	rig_down(&r);
}

/* A buffer address outside DMA memory: an IOMMU fault and a violation. */
static void
test_strict_dma_outside(void)
{
	struct rig r;

	NEED_DMA();
	T_REQUIRE(rig_up(&r, "dma", B_NONE) == 0);
	r.rxd[0].read.pkt_addr = 0x1000;
	T_REQUIRE(push_broadcast(&r) == 0);
	T_EQ(wait_reg(&r.b, EMU_RXDCTL(0), EMU_RXDCTL_ENABLE, 0, WAIT_MS), 0);
	T_EQ(emu_iommu_faults(r.nic), 1);
	only(&r, EMU_RULE_DMA);
	rig_down(&r);
}

/* Every rule has a name and a datasheet section for its log line. */
static void
test_strict_rule_names(void)
{
	int i;

	for (i = 0; i < EMU_RULE_COUNT; i++) {
		T_CHECK(strcmp(emu_rule_name(i), "?") != 0);
		T_CHECK(strchr(emu_rule_section(i), '.') != NULL);
	}
}

int
main(void)
{
	log_init(1, 0, "test_emu_strict");
	if (t_hugepages(16) && dma_init(DMA_IOVA_AUTO) == 0)
		have_dma = 1;
	T_RUN(test_regs_agree);
	T_RUN(test_desc_layouts_agree);
	T_RUN(test_strict_rule_names);
	if (emu_engine_start(-1) == -1) {
		printf("FAIL: engine: cannot start the DMA engine\n");
		return 1;
	}
	T_RUN(test_strict_clean_init);
	T_RUN(test_strict_master_disable);
	T_RUN(test_strict_reset_access);
	T_RUN(test_strict_link_lms);
	T_RUN(test_strict_link_autoc2);
	T_RUN(test_strict_rdt_early);
	T_RUN(test_strict_txq_before_te);
	T_RUN(test_strict_crc_strip);
	T_RUN(test_strict_crc_strip_live);
	T_RUN(test_strict_tx_ring_live);
	T_RUN(test_strict_rx_ring_live);
	T_RUN(test_strict_rxpb_size);
	T_RUN(test_strict_rxpb_gap);
	T_RUN(test_strict_txpbthresh);
	T_RUN(test_strict_dca_bit12);
	T_RUN(test_strict_ns_dis);
	T_RUN(test_strict_secrx_missing);
	T_RUN(test_strict_secrx_no_wait);
	T_RUN(test_strict_ring_align);
	T_RUN(test_strict_tx_short);
	T_RUN(test_strict_tx_long);
	T_RUN(test_strict_tx_reserved);
	T_RUN(test_strict_rx_dd_set);
	T_RUN(test_strict_dma_outside);
	emu_engine_stop();
	return t_done();
}
