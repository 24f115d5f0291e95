/*
 * emu82599_regs.h: the emulated 82599's own register table.
 *
 * Written from the Intel 82599 10 GbE Controller Datasheet, rev. 3.3,
 * chapter 8 (register summary, Table 8-2 / §8.2.3), and from chapter 7 for
 * the descriptor fields.  The model never includes the driver's
 * ixgbe_regs.h: two tables written apart catch a wrong offset in either
 * one, since the driver then talks to a register the model does not
 * decode there (tests/unit/test_emu_strict.c also compares the two).
 *
 * Names follow the datasheet's; every section number is rev. 3.3's.
 */
#ifndef IXFWD_EMU82599_REGS_H
#define IXFWD_EMU82599_REGS_H

#define EMU_BAR0_SIZE		0x20000	/* 128 KiB of registers (§9.3.6.1 BAR0) */

/* §8.2.3.1 General control */
#define EMU_CTRL		0x00000
#define EMU_CTRL_ALIAS		0x00004	/* §8.2.3.1.1: CTRL is also decoded here */
#define  EMU_CTRL_MASTER_DIS		(1u << 2)	/* PCIe master disable */
#define  EMU_CTRL_LRST			(1u << 3)	/* link reset */
#define  EMU_CTRL_RST			(1u << 26)	/* device reset */
#define  EMU_CTRL_RST_MASK		(EMU_CTRL_LRST | EMU_CTRL_RST)
#define EMU_STATUS		0x00008	/* §8.2.3.1.2 */
#define  EMU_STATUS_LINKUP		(1u << 7)
#define  EMU_STATUS_GIO_MASTER_EN	(1u << 19)
#define EMU_CTRL_EXT		0x00018	/* §8.2.3.1.3 */
#define  EMU_CTRL_EXT_NS_DIS		(1u << 16)	/* no-snoop disable */
#define  EMU_CTRL_EXT_DRV_LOAD		(1u << 28)

/* §8.2.3.2 EEPROM / flash */
#define EMU_EEC			0x10010
#define  EMU_EEC_PRES			(1u << 8)
#define  EMU_EEC_ARD			(1u << 9)	/* auto-read done */
#define EMU_EERD		0x10014
#define  EMU_EERD_START			(1u << 0)
#define  EMU_EERD_DONE			(1u << 1)
#define  EMU_EERD_ADDR_SHIFT		2
#define  EMU_EERD_DATA_SHIFT		16

/* §8.2.3.3 Software/firmware semaphores */
#define EMU_SWSM		0x10140
#define  EMU_SWSM_SMBI			(1u << 0)	/* set by a read */
#define EMU_GSSR		0x10160

/* §8.2.3.5 Interrupts */
#define EMU_EICR		0x00800
#define EMU_EICS		0x00808
#define EMU_EIMS		0x00880
#define EMU_EIMC		0x00888
#define EMU_IRQ_MASK		0x7fffffffu	/* the cause bits of EICR */

/* §8.2.3.7 Receive filters */
#define EMU_RXCSUM		0x05000
#define  EMU_RXCSUM_PCSD		(1u << 13)
#define EMU_FCTRL		0x05080
#define  EMU_FCTRL_SBP			(1u << 1)	/* store bad packets */
#define  EMU_FCTRL_MPE			(1u << 8)
#define  EMU_FCTRL_UPE			(1u << 9)
#define  EMU_FCTRL_BAM			(1u << 10)
#define EMU_MCSTCTRL		0x05090
#define  EMU_MCSTCTRL_MO_MASK		3u
#define  EMU_MCSTCTRL_MFE		(1u << 2)
#define EMU_MTA(i)		(0x05200 + 4 * (i))	/* i < 128 */
#define EMU_RAL(i)		(0x0A200 + 8 * (i))	/* i < 128 */
#define EMU_RAH(i)		(0x0A204 + 8 * (i))
#define  EMU_RAH_AV			(1u << 31)
#define EMU_MRQC		0x0EC80	/* §8.2.3.7, §7.1.2.8 */
#define  EMU_MRQC_MRQE_MASK		0xfu
#define  EMU_MRQE_RSS			0x1u		/* RSS only */
#define  EMU_MRQC_TCPIPV4		(1u << 16)	/* field selects */
#define  EMU_MRQC_IPV4			(1u << 17)
#define  EMU_MRQC_IPV6			(1u << 20)
#define  EMU_MRQC_TCPIPV6		(1u << 21)
#define  EMU_MRQC_UDPIPV4		(1u << 22)
#define  EMU_MRQC_UDPIPV6		(1u << 23)
#define EMU_RETA(i)		(0x0EB00 + 4 * (i))	/* i < 32, §7.1.2.8.2:
							 * entry 4i+k in byte k */
#define  EMU_RETA_QUEUE_MASK		0xfu		/* RSS output index */
#define EMU_RSSRK(i)		(0x0EB80 + 4 * (i))	/* i < 10, §8.2.3.7:
							 * key byte 4i+k in byte k */
#define EMU_RSS_KEY_LEN		40
#define EMU_RETA_SIZE		128

/* §8.2.3.8 Receive DMA, per queue: 0..63 at 0x01000, 64..127 at 0x0D000 */
#define EMU_RXQ(i)		((i) < 64 ? 0x01000 + 0x40 * (i) : \
				 0x0D000 + 0x40 * ((i) - 64))
#define EMU_RDBAL(i)		(EMU_RXQ(i) + 0x00)
#define EMU_RDBAH(i)		(EMU_RXQ(i) + 0x04)
#define EMU_RDLEN(i)		(EMU_RXQ(i) + 0x08)
#define EMU_DCA_RXCTRL(i)	(EMU_RXQ(i) + 0x0C)	/* §8.2.3.11.1 */
#define  EMU_DCA_RXCTRL_DCA_EN		(7u << 5)	/* DESC/HEAD/DATA DCA_EN */
#define  EMU_DCA_RXCTRL_RSV12		(1u << 12)	/* reset 1, write 0 */
#define EMU_RDH(i)		(EMU_RXQ(i) + 0x10)
#define EMU_SRRCTL(i)		(EMU_RXQ(i) + 0x14)	/* §8.2.3.8.7 */
#define  EMU_SRRCTL_BSIZEPKT_MASK	0x1fu		/* 1 KiB units */
#define  EMU_BSIZEPKT_MAX		16384		/* largest value allowed */
#define  EMU_SRRCTL_DESCTYPE_MASK	(7u << 25)
#define  EMU_SRRCTL_DESCTYPE_ADV1	(1u << 25)	/* advanced, one buffer */
#define  EMU_SRRCTL_DROP_EN		(1u << 28)
#define EMU_RDT(i)		(EMU_RXQ(i) + 0x18)
#define EMU_RXDCTL(i)		(EMU_RXQ(i) + 0x28)	/* §8.2.3.8.6 */
#define  EMU_RXDCTL_ENABLE		(1u << 25)
#define EMU_QPRC(i)		(0x01030 + 0x40 * (i))	/* i < 16, §8.2.3.23 */
#define EMU_QBRC_L(i)		(0x01034 + 0x40 * (i))
#define EMU_QBRC_H(i)		(0x01038 + 0x40 * (i))
#define EMU_QPRDC(i)		(0x01430 + 0x40 * (i))
/* §8.2.3.23.71 RQSMR, §8.2.3.23.73 TQSM: queue 4i+k's statistics set in
 * bits 3:0 of byte k; bits 7:4 of each byte reserved */
#define EMU_RQSMR(i)		(0x02300 + 4 * (i))	/* i < 32 */
#define  EMU_QSM_RESERVED		0xf0f0f0f0u

/* §8.2.3.8.8-9 Receive DMA, global */
#define EMU_RDRXCTL		0x02F00
#define  EMU_RDRXCTL_CRCSTRIP		(1u << 1)
#define  EMU_RDRXCTL_DMAIDONE		(1u << 3)
#define EMU_RXCTRL		0x03000	/* §8.2.3.8.10 */
#define  EMU_RXCTRL_RXEN		(1u << 0)
#define EMU_RXPBSIZE(i)		(0x03C00 + 4 * (i))	/* i < 8, §8.2.3.8.9 */
#define  EMU_PBSIZE_SHIFT		10		/* SIZE 19:10 in KiB */
#define  EMU_PBSIZE_MASK		(0x3ffu << 10)
#define EMU_RXPB_TOTAL_KB	512	/* §4.6.11.3.1: RX packet buffer memory */
#define EMU_TXPB_TOTAL_KB	160	/* TX packet buffer memory */

/* §8.2.3.9 Transmit DMA, global */
#define EMU_DMATXCTL		0x04A80
#define  EMU_DMATXCTL_TE		(1u << 0)
#define EMU_RTTDCS		0x04900
#define EMU_TXPBTHRESH(i)	(0x04950 + 4 * (i))	/* i < 8, §8.2.3.9.16 */
#define  EMU_TXPBTHRESH_MASK		0x3ffu		/* THRESH 9:0 in KiB */
#define EMU_DTXMXSZRQ		0x08100
#define EMU_MTQC		0x08120
#define EMU_TXPBSIZE(i)		(0x0CC00 + 4 * (i))	/* i < 8, §8.2.3.9.13 */
#define EMU_TQSM(i)		(0x08600 + 4 * (i))	/* i < 32, as RQSMR */

/* §8.2.3.9 Transmit DMA, per queue (0..127) */
#define EMU_TDBAL(i)		(0x06000 + 0x40 * (i))
#define EMU_TDBAH(i)		(0x06004 + 0x40 * (i))
#define EMU_TDLEN(i)		(0x06008 + 0x40 * (i))
#define EMU_DCA_TXCTRL(i)	(0x0600C + 0x40 * (i))	/* §8.2.3.11.2 */
#define  EMU_DCA_TXCTRL_DCA_EN		(1u << 5)	/* TX_DESC_DCA_EN */
#define EMU_TDH(i)		(0x06010 + 0x40 * (i))
#define EMU_TDT(i)		(0x06018 + 0x40 * (i))
#define EMU_TXDCTL(i)		(0x06028 + 0x40 * (i))	/* §8.2.3.9.10 */
#define  EMU_TXDCTL_ENABLE		(1u << 25)
#define EMU_TDWBAL(i)		(0x06038 + 0x40 * (i))
#define  EMU_TDWBAL_HEAD_WB_EN		(1u << 0)
#define EMU_TDWBAH(i)		(0x0603C + 0x40 * (i))
#define EMU_QPTC(i)		(0x08680 + 4 * (i))	/* i < 16 */
#define EMU_QBTC_L(i)		(0x08700 + 8 * (i))
#define EMU_QBTC_H(i)		(0x08704 + 8 * (i))

/* §8.2.3.11 DCA, global */
#define EMU_DCA_CTRL		0x11074
#define  EMU_DCA_CTRL_DIS		(1u << 0)	/* reset 1: DCA off */

/* §8.2.3.12 Security block */
#define EMU_SECRXCTRL		0x08D00
#define  EMU_SECRXCTRL_RX_DIS		(1u << 1)
#define EMU_SECRXSTAT		0x08D04
#define  EMU_SECRXSTAT_RDY		(1u << 0)

/* §8.2.3.22 MAC */
#define EMU_HLREG0		0x04240
#define  EMU_HLREG0_TXCRCEN		(1u << 0)
#define  EMU_HLREG0_RXCRCSTRP		(1u << 1)
#define  EMU_HLREG0_JUMBOEN		(1u << 2)
#define  EMU_HLREG0_TXPADEN		(1u << 10)
#define  EMU_HLREG0_LPBK		(1u << 15)
#define EMU_MAXFRS		0x04268
#define  EMU_MAXFRS_MFS_SHIFT		16
#define EMU_AUTOC		0x042A0	/* §8.2.3.22.19 */
#define  EMU_AUTOC_10G_PMA_MASK		(3u << 7)	/* 10G parallel PMA/PMD */
#define  EMU_AUTOC_10G_XAUI		(0u << 7)
#define  EMU_AUTOC_10G_KX4		(1u << 7)
#define  EMU_AUTOC_10G_CX4		(2u << 7)
#define  EMU_AUTOC_1G_PMA_KX		(1u << 9)	/* 0: 1G SFI/BX */
#define  EMU_AUTOC_RESTART_AN		(1u << 12)
#define  EMU_AUTOC_LMS_SHIFT		13
#define  EMU_AUTOC_LMS_MASK		(7u << 13)
#define  EMU_LMS_1G_NO_AN		0u	/* LMS values */
#define  EMU_LMS_10G_PARALLEL		1u	/* KX4/XAUI/CX4, no AN */
#define  EMU_LMS_1G_AN			2u	/* clause 37 */
#define  EMU_LMS_10G_SERIAL		3u	/* SFI, no backplane AN */
#define  EMU_LMS_KX4_KX_KR		4u	/* backplane AN (clause 73) */
#define  EMU_LMS_KX4_KX_KR_1G_AN	6u
#define  EMU_LMS_KX4_KX_KR_SGMII	7u
#define  EMU_AUTOC_KR_SUPP		(1u << 16)
#define  EMU_AUTOC_KX_SUPP		(1u << 30)
#define  EMU_AUTOC_KX4_SUPP		(1u << 31)
#define EMU_LINKS		0x042A4	/* §8.2.3.22.20 */
#define  EMU_LINKS_UP			(1u << 30)
#define  EMU_LINKS_SPEED_10G		(3u << 28)
#define EMU_AUTOC2		0x042A8	/* §8.2.3.22.21 */
#define  EMU_AUTOC2_10G_SERIAL_MASK	(3u << 16)	/* 10G serial PMA/PMD */
#define  EMU_AUTOC2_10G_KR		(0u << 16)
#define  EMU_AUTOC2_10G_SFI		(2u << 16)

/* §8.2.3.23 Statistics (clear on read) */
#define EMU_STATS_BASE		0x04000	/* 0x04000-0x040FF */
#define EMU_STATS_END		0x04100
#define EMU_FC_STATS_BASE	0x03F60	/* XON/XOFF counters and RXMPC */
#define EMU_CRCERRS		0x04000
#define EMU_MPC(i)		(0x03FA0 + 4 * (i))	/* RXMPC, i < 8 */
#define EMU_GPRC		0x04074
#define EMU_BPRC		0x04078
#define EMU_MPRC		0x0407C
#define EMU_GPTC		0x04080
#define EMU_GORCL		0x04088
#define EMU_GORCH		0x0408C
#define EMU_GOTCL		0x04090
#define EMU_GOTCH		0x04094
#define EMU_RUC			0x040A4
#define EMU_ROC			0x040AC
#define EMU_TORL		0x040C0
#define EMU_TORH		0x040C4
#define EMU_TPR			0x040D0
#define EMU_TPT			0x040D4
#define EMU_MPTC		0x040F0
#define EMU_BPTC		0x040F4
#define EMU_RXDGPC		0x02F50
#define EMU_TXDGPC		0x087A0

/* 82598-compatible addresses the 82599 still decodes (register summary,
 * Table 8-2, "alias" entries; /work/shared notes §3). */
#define EMU_ALIAS_SRRCTL(i)	(0x02100 + 4 * (i))	/* i < 16 */
#define EMU_ALIAS_DCA_RXCTRL(i)	(0x02200 + 4 * (i))
#define EMU_ALIAS_RAL(i)	(0x05400 + 8 * (i))
#define EMU_ALIAS_RAH(i)	(0x05404 + 8 * (i))
#define EMU_ALIAS_QPTC(i)	(0x06030 + 0x40 * (i))
#define EMU_ALIAS_MRQC		0x05818
#define EMU_ALIAS_RETA(i)	(0x05C00 + 4 * (i))	/* i < 32 */
#define EMU_ALIAS_RSSRK(i)	(0x05C80 + 4 * (i))	/* i < 10 */

#include <assert.h>
#include <stdint.h>

/* §7.1.6.1 advanced receive descriptor as the driver hands it over; the
 * §7.1.6.2 write-back the model builds as two qwords (emu_rx_frame). */
union emu_rx_desc {
	struct {
		uint64_t	pkt_addr;	/* packet buffer */
		uint64_t	hdr_addr;	/* header buffer; bit 0 is DD */
	} read;
};
static_assert(sizeof(union emu_rx_desc) == 16, "RX descriptor is 16 bytes");

/* §7.2.3.2.4 advanced transmit data descriptor, and its write-back. */
union emu_tx_desc {
	struct {
		uint64_t	buffer_addr;
		uint32_t	cmd_type_len;
		uint32_t	olinfo_status;
	} read;
	struct {
		uint64_t	rsvd;
		uint32_t	nxtseq_seed;
		uint32_t	status;		/* DD in bit 0 */
	} wb;
};
static_assert(sizeof(union emu_tx_desc) == 16, "TX descriptor is 16 bytes");

/* §7.1.6 advanced receive descriptor fields */
#define EMU_RXD_DD		(1u << 0)	/* status: descriptor done */
#define EMU_RXD_EOP		(1u << 1)
#define EMU_RXD_IPCS		(1u << 6)
#define EMU_RXD_ERR_RXE		(1u << 29)	/* MAC error (CRC, length...) */
#define EMU_RXD_ERR_IPE		(1u << 31)
#define EMU_RXD_RSSTYPE_MASK	0xfu		/* lo_dword 3:0, §7.1.6.2 */
#define EMU_RSSTYPE_NONE	0x0u		/* no hash computed */
#define EMU_RSSTYPE_TCPIPV4	0x1u
#define EMU_RSSTYPE_IPV4	0x2u
#define EMU_RSSTYPE_TCPIPV6	0x3u
#define EMU_RSSTYPE_IPV6	0x5u
#define EMU_RSSTYPE_UDPIPV4	0x7u
#define EMU_RSSTYPE_UDPIPV6	0x8u
#define EMU_RXD_PKT_IPV4	0x010u		/* lo_dword packet type */
#define EMU_RXD_PKT_IPV6	0x040u
#define EMU_RXD_PKT_TCP		0x100u
#define EMU_RXD_PKT_UDP		0x200u

/* §7.2.3.2 transmit descriptor fields (cmd_type_len, olinfo_status) */
#define EMU_TXD_DTALEN_MASK	0x0000ffffu
#define EMU_TXD_RSV_CMD		(3u << 16)	/* §7.2.3.2.4: reserved, 0 */
#define EMU_TXD_DTYP_MASK	(0xfu << 20)
#define EMU_TXD_DTYP_CTXT	(0x2u << 20)
#define EMU_TXD_DTYP_DATA	(0x3u << 20)
#define EMU_TXD_EOP		(1u << 24)
#define EMU_TXD_IFCS		(1u << 25)
#define EMU_TXD_RS		(1u << 27)
#define EMU_TXD_DEXT		(1u << 29)
#define EMU_TXD_VLE		(1u << 30)
#define EMU_TXD_TSE		(1u << 31)
#define EMU_TXD_STA_MASK	0xfu		/* olinfo 3:0: written by HW */
#define EMU_TXD_PAYLEN_SHIFT	14
#define EMU_TXD_STAT_DD		(1u << 0)	/* write-back status */
#define EMU_TXD_LEGACY_DD	(1u << 0)	/* legacy STA.DD, byte 12 */
#define EMU_TX_MIN_LEN		17	/* §7.2.3.2.4: shortest packet DMA'd */
#define EMU_TX_MAX_LEN		15872	/* §7.2.1: 15.5 KB without TSO */

#endif /* IXFWD_EMU82599_REGS_H */
