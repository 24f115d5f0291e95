/*
 * ixgbe_desc.h: advanced RX and TX descriptors of the 82599.
 * Datasheet rev. 3.3, §7.1.6 (receive descriptors) and §7.2.3.2
 * (transmit descriptors).  Little-endian, 16 bytes each.
 */
#ifndef IXFWD_IXGBE_DESC_H
#define IXFWD_IXGBE_DESC_H

#include <assert.h>
#include <stdint.h>

/* §7.1.6.1 advanced receive descriptor, read (driver -> NIC) and
 * §7.1.6.2 write-back (NIC -> driver) formats. */
union ixgbe_adv_rx_desc {
	struct {
		uint64_t	pkt_addr;	/* packet buffer address */
		uint64_t	hdr_addr;	/* header buffer; bit 0 overlays DD */
	} read;
	struct {
		uint32_t	lo_dword;	/* RSS type 3:0, packet type 16:4 */
		uint32_t	hi_dword;	/* RSS hash, or IP id 15:0 / csum 31:16 */
		uint32_t	status_error;	/* status 19:0, errors 31:20 */
		uint16_t	length;		/* bytes written to this buffer */
		uint16_t	vlan;
	} wb;
};
static_assert(sizeof(union ixgbe_adv_rx_desc) == 16, "RX descriptor is 16 bytes");

#define IXGBE_RXD_STAT_DD	(1u << 0)	/* descriptor done */
#define IXGBE_RXD_STAT_EOP	(1u << 1)	/* end of packet */
#define IXGBE_RXD_STAT_VP	(1u << 3)	/* 802.1Q tag stripped */
#define IXGBE_RXD_STAT_UDPCS	(1u << 4)
#define IXGBE_RXD_STAT_L4CS	(1u << 5)
#define IXGBE_RXD_STAT_IPCS	(1u << 6)
#define IXGBE_RXDADV_ERR_RXE	(1u << 29)	/* MAC error (CRC, length...) */
#define IXGBE_RXDADV_ERR_TCPE	(1u << 30)
#define IXGBE_RXDADV_ERR_IPE	(1u << 31)

#define IXGBE_RXDADV_PKTTYPE_IPV4	0x00000010u	/* in lo_dword, 16:4 */
#define IXGBE_RXDADV_PKTTYPE_IPV6	0x00000040u
#define IXGBE_RXDADV_PKTTYPE_TCP	0x00000100u
#define IXGBE_RXDADV_PKTTYPE_UDP	0x00000200u

/* §7.2.3.2.4 advanced transmit data descriptor, read and write-back */
union ixgbe_adv_tx_desc {
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
static_assert(sizeof(union ixgbe_adv_tx_desc) == 16, "TX descriptor is 16 bytes");

#define IXGBE_ADVTXD_DTALEN_MASK	0x0000ffffu
#define IXGBE_ADVTXD_DTYP_MASK		0x00f00000u
#define IXGBE_ADVTXD_DTYP_CTXT		0x00200000u
#define IXGBE_ADVTXD_DTYP_DATA		0x00300000u
#define IXGBE_ADVTXD_DCMD_EOP		(1u << 24)
#define IXGBE_ADVTXD_DCMD_IFCS		(1u << 25)	/* insert FCS */
#define IXGBE_ADVTXD_DCMD_RS		(1u << 27)	/* report status */
#define IXGBE_ADVTXD_DCMD_DEXT		(1u << 29)	/* advanced format */
#define IXGBE_ADVTXD_DCMD_VLE		(1u << 30)
#define IXGBE_ADVTXD_DCMD_TSE		(1u << 31)
#define IXGBE_ADVTXD_PAYLEN_SHIFT	14
#define IXGBE_ADVTXD_STAT_DD		(1u << 0)

#endif /* IXFWD_IXGBE_DESC_H */
