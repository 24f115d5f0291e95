/*
 * parse.h: every received frame is parsed once into a struct pkt_meta;
 * filters and forwarding read the summary, not the headers.  A field the
 * frame does not have (the ports of ICMP or of a later fragment, the
 * addresses of ARP) is 0 and its flag clear; the rule engine relies on
 * the zero.
 *
 * The parser never reads past the frame length.  A frame that is too short
 * for a header it announces, or whose headers contradict each other, is
 * marked PARSE_F_MALFORMED with a reason in err; the fields parsed before
 * the fault stay filled in, the rest are zero.  Odd but legal frames
 * (802.3 length frames, fragments, ESP, unknown protocols) are not
 * malformed: the summary just says less about them.
 */
#ifndef IXFWD_PARSE_H
#define IXFWD_PARSE_H

#include <assert.h>
#include <stdint.h>

#include "mempool.h"

/* l3 */
#define PARSE_L3_NONE		0	/* runt or malformed before L3 */
#define PARSE_L3_IPV4		1
#define PARSE_L3_IPV6		2
#define PARSE_L3_ARP		3
#define PARSE_L3_OTHER		4	/* other ethertype, or 802.3 length */

/* flags */
#define PARSE_F_MALFORMED	0x0001	/* err says why */
#define PARSE_F_L3		0x0002	/* IP header valid: addrs, l4proto */
#define PARSE_F_L4		0x0004	/* l4proto's fixed header is there */
#define PARSE_F_PORTS		0x0008	/* sport, dport: TCP, UDP, SCTP */
#define PARSE_F_FRAG		0x0010	/* an IP fragment, first or not */
#define PARSE_F_FRAG_LATER	0x0020	/* a non-first fragment: no L4 header */
#define PARSE_F_IP_OPTS		0x0040	/* IPv4 options present */
#define PARSE_F_IP6_EXT		0x0080	/* IPv6 extension headers were walked */

/* err: why a frame is malformed */
#define PARSE_ERR_NONE		0
#define PARSE_ERR_RUNT		1	/* shorter than an Ethernet header */
#define PARSE_ERR_VLAN_TRUNC	2	/* a VLAN tag cut off by the end */
#define PARSE_ERR_VLAN_DEPTH	3	/* more than PARSE_VLAN_MAX tags */
#define PARSE_ERR_ARP_TRUNC	4
#define PARSE_ERR_IP4_TRUNC	5	/* less than 20 bytes of IPv4 header */
#define PARSE_ERR_IP4_VERSION	6
#define PARSE_ERR_IP4_IHL	7	/* IHL < 5 */
#define PARSE_ERR_IP4_HDRLEN	8	/* IHL runs past the frame */
#define PARSE_ERR_IP4_TOTLEN	9	/* total length beyond frame or < IHL */
#define PARSE_ERR_IP6_TRUNC	10	/* less than 40 bytes of IPv6 header */
#define PARSE_ERR_IP6_VERSION	11
#define PARSE_ERR_IP6_PLEN	12	/* payload length beyond the frame */
#define PARSE_ERR_IP6_EXT	13	/* extension chain runs past the end */
#define PARSE_ERR_IP6_EXT_DEPTH	14	/* over PARSE_IP6_EXT_MAX headers */
#define PARSE_ERR_L4_TRUNC	15	/* TCP/UDP/SCTP/ICMP header cut short */
#define PARSE_ERR_MAX		16

#define PARSE_VLAN_MAX		2
#define PARSE_IP6_EXT_MAX	8

#define PARSE_ETH_HLEN		14

union parse_addr {
	uint8_t		a6[16];
	uint32_t	a4;		/* IPv4: network byte order */
};

/*
 * One frame, one cache line.  Multi-byte numbers are in host order except
 * the addresses, which are copied as they are on the wire.
 */
struct pkt_meta {
	union parse_addr src;		/* IPv4 or IPv6 source (PARSE_F_L3) */
	union parse_addr dst;
	uint16_t	len;		/* frame length */
	uint16_t	ethertype;	/* after the VLAN tags; 0 for a runt */
	uint16_t	vlan_tci[PARSE_VLAN_MAX];  /* outer, inner tag */
	uint16_t	vlan_tpid[PARSE_VLAN_MAX]; /* 0x8100 0x88a8 0x9100 */
	uint16_t	l3_off;		/* after the VLAN tags; 0 if none */
	uint16_t	l4_off;		/* L4 header start; 0 if not reached */
	uint16_t	sport;		/* PARSE_F_PORTS */
	uint16_t	dport;
	uint16_t	flags;		/* PARSE_F_* */
	uint8_t		nvlan;		/* VLAN tags, up to PARSE_VLAN_MAX */
	uint8_t		l3;		/* PARSE_L3_* */
	uint8_t		l4proto;	/* IP protocol after ext. headers */
	uint8_t		tcp_flags;	/* CWR ECE URG ACK PSH RST SYN FIN */
	uint8_t		icmp_type;	/* ICMP, ICMPv6 */
	uint8_t		icmp_code;
	uint8_t		err;		/* PARSE_ERR_* */
	uint8_t		pad[3];
} __attribute__((aligned(64)));
static_assert(sizeof(struct pkt_meta) == 64, "pkt_meta is one cache line");

#define PARSE_VLAN_ID(tci)	((tci) & 0x0fff)
#define PARSE_VLAN_PCP(tci)	((tci) >> 13)

#define PARSE_TCP_FIN		0x01
#define PARSE_TCP_SYN		0x02
#define PARSE_TCP_RST		0x04
#define PARSE_TCP_PSH		0x08
#define PARSE_TCP_ACK		0x10
#define PARSE_TCP_URG		0x20
#define PARSE_TCP_ECE		0x40
#define PARSE_TCP_CWR		0x80

/* parse.c */
/* Parse len bytes at p into *m; returns m->err (0: not malformed). */
int		 parse_pkt(const uint8_t *p, uint32_t len, struct pkt_meta *m);
/* n frames into out[0..n-1]. */
void		 parse_batch(struct pkt_buf *const *bufs, uint16_t n,
		    struct pkt_meta *out);
/* "ip4-ihl" etc., for counters and logs. */
const char	*parse_err_str(int err);

#endif /* IXFWD_PARSE_H */
