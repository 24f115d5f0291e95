/*
 * ixgbe_regs.h: 82599 register offsets and bits used by ixfwd.
 *
 * Source: Intel 82599 10 GbE Controller Datasheet, rev. 3.3, chapter 8
 * (register summary, §8.2.3) unless a line says otherwise.  The 82599 also
 * decodes 82598-compatible alias addresses for some registers (e.g. SRRCTL
 * at 0x02100); ixfwd always uses the native 82599 addresses listed here.
 */
#ifndef IXFWD_IXGBE_REGS_H
#define IXFWD_IXGBE_REGS_H

/* §8.2.3.1 General control */
#define IXGBE_CTRL		0x00000
#define  IXGBE_CTRL_PCIE_MASTER_DISABLE	(1u << 2)
#define  IXGBE_CTRL_LNK_RST		(1u << 3)
#define  IXGBE_CTRL_RST			(1u << 26)
#define  IXGBE_CTRL_RST_MASK		(IXGBE_CTRL_LNK_RST | IXGBE_CTRL_RST)
#define IXGBE_STATUS		0x00008
#define  IXGBE_STATUS_LAN_ID_SHIFT	2
#define  IXGBE_STATUS_LAN_ID_MASK	(3u << 2)
#define  IXGBE_STATUS_MASTER_EN		(1u << 19)	/* GIO master enable status */
#define IXGBE_CTRL_EXT		0x00018
#define  IXGBE_CTRL_EXT_NS_DIS		(1u << 16)	/* no-snoop disable */
#define  IXGBE_CTRL_EXT_DRV_LOAD	(1u << 28)

/* §8.2.3.2 EEPROM / flash */
#define IXGBE_EEC		0x10010
#define  IXGBE_EEC_PRES			(1u << 8)	/* EEPROM present */
#define  IXGBE_EEC_ARD			(1u << 9)	/* auto-read done */
#define IXGBE_EERD		0x10014
#define  IXGBE_EERD_START		(1u << 0)
#define  IXGBE_EERD_DONE		(1u << 1)
#define  IXGBE_EERD_ADDR_SHIFT		2
#define  IXGBE_EERD_DATA_SHIFT		16

/* §8.2.3.5 Interrupts (ixfwd polls; they stay masked) */
#define IXGBE_EICR		0x00800	/* read-clear, write-1-clear */
#define IXGBE_EICS		0x00808
#define IXGBE_EIAC		0x00810
#define IXGBE_EITR(i)		(0x00820 + 4 * (i))	/* i < 24 */
#define IXGBE_EIMS		0x00880	/* write-1-set, reads the mask */
#define IXGBE_EIMC		0x00888	/* write-1-clear of the mask */
#define IXGBE_GPIE		0x00898
#define IXGBE_IVAR(i)		(0x00900 + 4 * (i))	/* i < 64 */
#define  IXGBE_IRQ_CLEAR_MASK		0x7fffffffu

/* §8.2.3.8 Receive DMA, per queue (queues 0..63; 64..127 at 0x0D000) */
#define IXGBE_RXQ_BASE(i)	((i) < 64 ? 0x01000 + 0x40 * (i) : 0x0D000 + 0x40 * ((i) - 64))
#define IXGBE_RDBAL(i)		(IXGBE_RXQ_BASE(i) + 0x00)
#define IXGBE_RDBAH(i)		(IXGBE_RXQ_BASE(i) + 0x04)
#define IXGBE_RDLEN(i)		(IXGBE_RXQ_BASE(i) + 0x08)
#define IXGBE_DCA_RXCTRL(i)	(IXGBE_RXQ_BASE(i) + 0x0C)
#define  IXGBE_DCA_RXCTRL_DESC_RRO_EN	(1u << 9)
#define  IXGBE_DCA_RXCTRL_DATA_WRO_EN	(1u << 13)
#define  IXGBE_DCA_RXCTRL_HEAD_WRO_EN	(1u << 15)
#define  IXGBE_DCA_RXCTRL_BIT12		(1u << 12)	/* reserved, reset 1, must be 0 */
#define IXGBE_RDH(i)		(IXGBE_RXQ_BASE(i) + 0x10)
#define IXGBE_SRRCTL(i)		(IXGBE_RXQ_BASE(i) + 0x14)
#define  IXGBE_SRRCTL_BSIZEPKT_MASK	0x0000001fu	/* in 1 KiB units */
#define  IXGBE_SRRCTL_BSIZEHDR_MASK	0x00003f00u
#define  IXGBE_SRRCTL_DESCTYPE_MASK	(7u << 25)
#define  IXGBE_SRRCTL_DESCTYPE_ADV_ONEBUF (1u << 25)
#define  IXGBE_SRRCTL_DROP_EN		(1u << 28)
#define IXGBE_RDT(i)		(IXGBE_RXQ_BASE(i) + 0x18)
#define IXGBE_RXDCTL(i)		(IXGBE_RXQ_BASE(i) + 0x28)
#define  IXGBE_RXDCTL_ENABLE		(1u << 25)
#define  IXGBE_RXDCTL_VME		(1u << 30)
/* §8.2.3.23 per-queue RX statistics (clear on read) */
#define IXGBE_QPRC(i)		(0x01030 + 0x40 * (i))	/* i < 16 */
#define IXGBE_QBRC_L(i)		(0x01034 + 0x40 * (i))
#define IXGBE_QBRC_H(i)		(0x01038 + 0x40 * (i))
#define IXGBE_QPRDC(i)		(0x01430 + 0x40 * (i))	/* drops, no descriptor */
/* §8.2.3.23.71 RQSMR, §8.2.3.23.73 TQSM (i < 32): queue 4i+k's statistics
 * set in bits 3:0 of byte k (bits 7:4 reserved) */
#define IXGBE_RQSMR(i)		(0x02300 + 4 * (i))

/* §8.2.3.9 Receive DMA, global */
#define IXGBE_RDRXCTL		0x02F00
#define  IXGBE_RDRXCTL_CRCSTRIP		(1u << 1)
#define  IXGBE_RDRXCTL_DMAIDONE		(1u << 3)
#define IXGBE_RXDGPC		0x02F50	/* DMA good RX packets, clear on read */
#define IXGBE_RXCTRL		0x03000
#define  IXGBE_RXCTRL_RXEN		(1u << 0)
#define IXGBE_RXPBSIZE(i)	(0x03C00 + 4 * (i))	/* i < 8 */
#define IXGBE_RXPBSIZE_512KB		0x00080000u	/* SIZE 19:10 in KB */

/* §8.2.3.7 Receive filtering */
#define IXGBE_RXCSUM		0x05000
#define  IXGBE_RXCSUM_PCSD		(1u << 13)
#define IXGBE_FCTRL		0x05080
#define  IXGBE_FCTRL_SBP		(1u << 1)
#define  IXGBE_FCTRL_MPE		(1u << 8)	/* multicast promiscuous */
#define  IXGBE_FCTRL_UPE		(1u << 9)	/* unicast promiscuous */
#define  IXGBE_FCTRL_BAM		(1u << 10)	/* accept broadcast */
#define IXGBE_RAL(i)		(0x0A200 + 8 * (i))	/* i < 128 */
#define IXGBE_RAH(i)		(0x0A204 + 8 * (i))
#define  IXGBE_RAH_AV			(1u << 31)	/* address valid */
#define IXGBE_MRQC		0x0EC80	/* §8.2.3.7, §7.1.2.8 */
#define  IXGBE_MRQC_MRQE_RSS		0x00000001u	/* RSS only */
#define  IXGBE_MRQC_RSS_TCPIPV4		(1u << 16)	/* field selects */
#define  IXGBE_MRQC_RSS_IPV4		(1u << 17)
#define  IXGBE_MRQC_RSS_IPV6		(1u << 20)
#define  IXGBE_MRQC_RSS_TCPIPV6		(1u << 21)
#define  IXGBE_MRQC_RSS_UDPIPV4		(1u << 22)
#define  IXGBE_MRQC_RSS_UDPIPV6		(1u << 23)
#define IXGBE_RETA(i)		(0x0EB00 + 4 * (i))	/* i < 32: entries
							 * 4i..4i+3, bytes 0..3 */
#define IXGBE_RSSRK(i)		(0x0EB80 + 4 * (i))	/* i < 10: key bytes
							 * 4i..4i+3, bytes 0..3 */

/* §8.2.3.22 MAC */
#define IXGBE_HLREG0		0x04240
#define  IXGBE_HLREG0_TXCRCEN		(1u << 0)
#define  IXGBE_HLREG0_RXCRCSTRP		(1u << 1)
#define  IXGBE_HLREG0_JUMBOEN		(1u << 2)
#define  IXGBE_HLREG0_TXPADEN		(1u << 10)
#define  IXGBE_HLREG0_LPBK		(1u << 15)
#define IXGBE_MAXFRS		0x04268	/* MHADD in older documents */
#define  IXGBE_MAXFRS_MFS_SHIFT		16
#define IXGBE_AUTOC		0x042A0
#define  IXGBE_AUTOC_10G_PMA_PMD_MASK	(3u << 7)
#define  IXGBE_AUTOC_10G_XAUI		(0u << 7)
#define  IXGBE_AUTOC_AN_RESTART		(1u << 12)
#define  IXGBE_AUTOC_LMS_MASK		(7u << 13)
#define  IXGBE_AUTOC_LMS_10G_SERIAL	(3u << 13)
#define IXGBE_LINKS		0x042A4
#define  IXGBE_LINKS_UP			(1u << 30)
#define  IXGBE_LINKS_SPEED_MASK		(3u << 28)
#define  IXGBE_LINKS_SPEED_10G		(3u << 28)
#define  IXGBE_LINKS_SPEED_1G		(2u << 28)
#define  IXGBE_LINKS_SPEED_100M		(1u << 28)
#define IXGBE_AUTOC2		0x042A8	/* §8.2.3.22.21 */
#define  IXGBE_AUTOC2_10G_SERIAL_MASK	(3u << 16)	/* 10G serial PMA/PMD */
#define  IXGBE_AUTOC2_10G_SFI		(2u << 16)

/* §8.2.3.10 Transmit DMA, global */
#define IXGBE_DMATXCTL		0x04A80
#define  IXGBE_DMATXCTL_TE		(1u << 0)
#define IXGBE_RTTDCS		0x04900
#define  IXGBE_RTTDCS_ARBDIS		(1u << 6)
#define IXGBE_DTXMXSZRQ		0x08100
#define IXGBE_MTQC		0x08120
#define IXGBE_TXPBSIZE(i)	(0x0CC00 + 4 * (i))	/* i < 8 */
#define IXGBE_TXPBSIZE_160KB		0x00028000u
#define IXGBE_TXPB_KB			160	/* §4.6.11.3.1 TX buffer memory */
#define IXGBE_TXPBTHRESH(i)	(0x04950 + 4 * (i))	/* i < 8, §8.2.3.9.16 */
#define IXGBE_TXPKT_MAX_KB		10	/* §4.6.11.3.1: one packet */
#define IXGBE_TXDGPC		0x087A0	/* DMA good TX packets, clear on read */

/* §8.2.3.9 Transmit DMA, per queue (0..127) */
#define IXGBE_TDBAL(i)		(0x06000 + 0x40 * (i))
#define IXGBE_TDBAH(i)		(0x06004 + 0x40 * (i))
#define IXGBE_TDLEN(i)		(0x06008 + 0x40 * (i))
#define IXGBE_DCA_TXCTRL(i)	(0x0600C + 0x40 * (i))	/* §8.2.3.11.2 */
#define  IXGBE_DCA_TXCTRL_DESC_WRO_EN	(1u << 11)	/* relaxed write-back */
#define IXGBE_TDH(i)		(0x06010 + 0x40 * (i))
#define IXGBE_TDT(i)		(0x06018 + 0x40 * (i))
#define IXGBE_TXDCTL(i)		(0x06028 + 0x40 * (i))
#define  IXGBE_TXDCTL_PTHRESH_SHIFT	0
#define  IXGBE_TXDCTL_HTHRESH_SHIFT	8
#define  IXGBE_TXDCTL_WTHRESH_SHIFT	16
#define  IXGBE_TXDCTL_ENABLE		(1u << 25)
#define IXGBE_TDWBAL(i)		(0x06038 + 0x40 * (i))
#define IXGBE_TDWBAH(i)		(0x0603C + 0x40 * (i))
#define IXGBE_TQSM(i)		(0x08600 + 4 * (i))	/* as RQSMR */
#define IXGBE_QPTC(i)		(0x08680 + 4 * (i))	/* i < 16 */
#define IXGBE_QBTC_L(i)		(0x08700 + 8 * (i))
#define IXGBE_QBTC_H(i)		(0x08704 + 8 * (i))

/* §8.2.3.12 Security block (RX path must be idle while RXCTRL changes) */
#define IXGBE_SECRXCTRL		0x08D00
#define  IXGBE_SECRXCTRL_RX_DIS		(1u << 1)
#define IXGBE_SECRXSTAT		0x08D04
#define  IXGBE_SECRXSTAT_SECRX_RDY	(1u << 0)

/* §8.2.3.23 Statistics: all clear on read; for a low/high pair, read
 * the low half first, reading the high half clears the pair. */
#define IXGBE_CRCERRS		0x04000
#define IXGBE_ILLERRC		0x04004
#define IXGBE_ERRBC		0x04008
#define IXGBE_MLFC		0x04034
#define IXGBE_MRFC		0x04038
#define IXGBE_RLEC		0x04040
#define IXGBE_MPC(i)		(0x03FA0 + 4 * (i))	/* RXMPC, i < 8 */
#define IXGBE_GPRC		0x04074
#define IXGBE_BPRC		0x04078
#define IXGBE_MPRC		0x0407C
#define IXGBE_GPTC		0x04080
#define IXGBE_GORCL		0x04088
#define IXGBE_GORCH		0x0408C
#define IXGBE_GOTCL		0x04090
#define IXGBE_GOTCH		0x04094
#define IXGBE_RUC		0x040A4	/* undersize */
#define IXGBE_RFC		0x040A8	/* fragment */
#define IXGBE_ROC		0x040AC	/* oversize */
#define IXGBE_RJC		0x040B0	/* jabber */
#define IXGBE_TORL		0x040C0
#define IXGBE_TORH		0x040C4
#define IXGBE_TPR		0x040D0
#define IXGBE_TPT		0x040D4
#define IXGBE_MPTC		0x040F0
#define IXGBE_BPTC		0x040F4

/* §8.2.3.3 Software/firmware semaphores */
#define IXGBE_SWSM		0x10140
#define IXGBE_GSSR		0x10160

/* §8.2.3.4 PCIe */
#define IXGBE_GCR_EXT		0x11050
#define  IXGBE_GCR_EXT_BUFFERS_CLEAR	(1u << 30)	/* Buffers_Clear_Func */

#define IXGBE_BAR0_SIZE		0x20000	/* 128 KiB register space */

#endif /* IXFWD_IXGBE_REGS_H */
