/*
 * parse.c: one pass over the headers of a frame, Ethernet to L4.
 *
 * Every load is preceded by a check of the offset against the end of the
 * region it belongs to: the frame for L2, the IP datagram (its total or
 * payload length, itself checked against the frame) for what follows.
 * Offsets stay below 2^17, so the sums never wrap.
 */
#include <string.h>

#include "parse.h"

#define ETH_P_IPV4	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_QINQ1	0x9100

#define IPPROTO_HOPOPTS_	0
#define IPPROTO_ICMP_		1
#define IPPROTO_TCP_		6
#define IPPROTO_UDP_		17
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_AH_		51
#define IPPROTO_ICMPV6_		58
#define IPPROTO_DSTOPTS_	60
#define IPPROTO_SCTP_		132

static const char *const parse_errs[PARSE_ERR_MAX] = {
	[PARSE_ERR_NONE] = "none",
	[PARSE_ERR_RUNT] = "runt",
	[PARSE_ERR_VLAN_TRUNC] = "vlan-truncated",
	[PARSE_ERR_VLAN_DEPTH] = "vlan-depth",
	[PARSE_ERR_ARP_TRUNC] = "arp-truncated",
	[PARSE_ERR_IP4_TRUNC] = "ip4-truncated",
	[PARSE_ERR_IP4_VERSION] = "ip4-version",
	[PARSE_ERR_IP4_IHL] = "ip4-ihl",
	[PARSE_ERR_IP4_HDRLEN] = "ip4-header-length",
	[PARSE_ERR_IP4_TOTLEN] = "ip4-total-length",
	[PARSE_ERR_IP6_TRUNC] = "ip6-truncated",
	[PARSE_ERR_IP6_VERSION] = "ip6-version",
	[PARSE_ERR_IP6_PLEN] = "ip6-payload-length",
	[PARSE_ERR_IP6_EXT] = "ip6-ext-truncated",
	[PARSE_ERR_IP6_EXT_DEPTH] = "ip6-ext-depth",
	[PARSE_ERR_L4_TRUNC] = "l4-truncated",
};

const char *
parse_err_str(int err)
{
	if (err < 0 || err >= PARSE_ERR_MAX)
		return "unknown";
	return parse_errs[err];
}

static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap16(v);
}

static inline int
parse_fail(struct pkt_meta *m, int err)
{
	m->flags |= PARSE_F_MALFORMED;
	m->err = (uint8_t)err;
	return err;
}

/*
 * Bytes of the fixed L4 header the summary reads, by IP protocol; 0 for
 * protocols it does not look into (ESP, GRE, ...).  4 means ICMP: type and
 * code; 8 and more, ports; 20, TCP flags too.
 */
static const uint8_t parse_l4_need[256] = {
	[IPPROTO_ICMP_] = 4,
	[IPPROTO_TCP_] = 20,
	[IPPROTO_UDP_] = 8,
	[IPPROTO_ICMPV6_] = 4,
	[IPPROTO_SCTP_] = 12,
};

/*
 * The fixed part of the L4 header of l4proto, from off to end.  The table
 * replaces a branch per protocol: the first 4 bytes are read once and
 * kept as ports or as ICMP type and code, or zeroed.
 */
static inline int
parse_l4(const uint8_t *p, uint32_t off, uint32_t end, struct pkt_meta *m)
{
	const uint8_t *l4 = p + off;
	uint32_t need = parse_l4_need[m->l4proto], w, ports, tcp;

	m->l4_off = (uint16_t)off;
	if (need == 0)
		return 0;
	if (off + need > end)
		return parse_fail(m, PARSE_ERR_L4_TRUNC);
	ports = need >= 8;
	tcp = need == 20;
	memcpy(&w, l4, 4);		/* need >= 4 */
	w = __builtin_bswap32(w);
	m->sport = (uint16_t)(ports ? w >> 16 : 0);
	m->dport = (uint16_t)(ports ? w : 0);
	m->icmp_type = (uint8_t)(ports ? 0 : w >> 24);
	m->icmp_code = (uint8_t)(ports ? 0 : w >> 16);
	m->tcp_flags = tcp ? l4[tcp ? 13 : 0] : 0;
	m->flags |= (uint16_t)(PARSE_F_L4 | (ports ? PARSE_F_PORTS : 0));
	return 0;
}

static inline int
parse_ip4(const uint8_t *p, uint32_t off, uint32_t len, struct pkt_meta *m)
{
	const uint8_t *ip = p + off;
	uint32_t hl, tot, fo;

	m->l3 = PARSE_L3_IPV4;
	if (off + 20 > len)
		return parse_fail(m, PARSE_ERR_IP4_TRUNC);
	if ((ip[0] >> 4) != 4)
		return parse_fail(m, PARSE_ERR_IP4_VERSION);
	hl = (uint32_t)(ip[0] & 0x0f) << 2;
	if (hl < 20)
		return parse_fail(m, PARSE_ERR_IP4_IHL);
	if (off + hl > len)
		return parse_fail(m, PARSE_ERR_IP4_HDRLEN);
	tot = rd16(ip + 2);
	if (tot < hl || off + tot > len)
		return parse_fail(m, PARSE_ERR_IP4_TOTLEN);
	memcpy(&m->src.a4, ip + 12, 4);
	memcpy(&m->dst.a4, ip + 16, 4);
	m->l4proto = ip[9];
	m->flags |= PARSE_F_L3 | (hl > 20 ? PARSE_F_IP_OPTS : 0);
	fo = rd16(ip + 6);
	if (fo & 0x3fff) {		/* MF or an offset */
		m->flags |= PARSE_F_FRAG;
		if (fo & 0x1fff) {
			m->flags |= PARSE_F_FRAG_LATER;
			return 0;
		}
	}
	return parse_l4(p, off + hl, off + tot, m);
}

static inline int
parse_ip6(const uint8_t *p, uint32_t off, uint32_t len, struct pkt_meta *m)
{
	const uint8_t *ip = p + off;
	uint32_t end, hlen, fo, i;
	uint8_t nh;

	m->l3 = PARSE_L3_IPV6;
	if (off + 40 > len)
		return parse_fail(m, PARSE_ERR_IP6_TRUNC);
	if ((ip[0] >> 4) != 6)
		return parse_fail(m, PARSE_ERR_IP6_VERSION);
	end = off + 40 + rd16(ip + 4);
	if (end > len)
		return parse_fail(m, PARSE_ERR_IP6_PLEN);
	memcpy(m->src.a6, ip + 8, 16);
	memcpy(m->dst.a6, ip + 24, 16);
	m->flags |= PARSE_F_L3;
	nh = ip[6];
	off += 40;
	for (i = 0; ; i++) {
		m->l4proto = nh;
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_FRAGMENT_:
		case IPPROTO_AH_:
			break;
		default:
			return parse_l4(p, off, end, m);
		}
		if (i == PARSE_IP6_EXT_MAX)
			return parse_fail(m, PARSE_ERR_IP6_EXT_DEPTH);
		/* Every extension header is at least 8 bytes long. */
		if (off + 8 > end)
			return parse_fail(m, PARSE_ERR_IP6_EXT);
		m->flags |= PARSE_F_IP6_EXT;
		if (nh == IPPROTO_FRAGMENT_) {
			fo = rd16(p + off + 2);
			nh = p[off];
			off += 8;
			if (fo & 0xfff9)	/* offset or M */
				m->flags |= PARSE_F_FRAG;
			if (fo & 0xfff8) {
				m->l4proto = nh;
				m->flags |= PARSE_F_FRAG_LATER;
				return 0;
			}
			continue;
		}
		if (nh == IPPROTO_AH_)
			hlen = ((uint32_t)p[off + 1] + 2) << 2;
		else
			hlen = ((uint32_t)p[off + 1] + 1) << 3;
		if (off + hlen > end)
			return parse_fail(m, PARSE_ERR_IP6_EXT);
		nh = p[off];
		off += hlen;
	}
}

static inline int
parse_one(const uint8_t *p, uint32_t len, struct pkt_meta *m)
{
	uint32_t off, et, i;

	memset(m, 0, sizeof(*m));
	/* Offsets are 16 bits; no frame here comes close. */
	if (len > 0xffff)
		len = 0xffff;
	m->len = (uint16_t)len;
	if (len < PARSE_ETH_HLEN)
		return parse_fail(m, PARSE_ERR_RUNT);
	et = rd16(p + 12);
	off = PARSE_ETH_HLEN;
	for (i = 0; et == ETH_P_8021Q || et == ETH_P_8021AD ||
	    et == ETH_P_QINQ1; i++) {
		m->ethertype = (uint16_t)et;
		if (i == PARSE_VLAN_MAX)
			return parse_fail(m, PARSE_ERR_VLAN_DEPTH);
		if (off + 4 > len)
			return parse_fail(m, PARSE_ERR_VLAN_TRUNC);
		m->vlan_tpid[i] = (uint16_t)et;
		m->vlan_tci[i] = rd16(p + off);
		m->nvlan = (uint8_t)(i + 1);
		et = rd16(p + off + 2);
		off += 4;
	}
	m->ethertype = (uint16_t)et;
	m->l3_off = (uint16_t)off;
	switch (et) {
	case ETH_P_IPV4:
		return parse_ip4(p, off, len, m);
	case ETH_P_IPV6:
		return parse_ip6(p, off, len, m);
	case ETH_P_ARP:
		m->l3 = PARSE_L3_ARP;
		/* htype, ptype, hlen, plen, op */
		if (off + 8 > len)
			return parse_fail(m, PARSE_ERR_ARP_TRUNC);
		return 0;
	default:
		m->l3 = PARSE_L3_OTHER;
		return 0;
	}
}

int
parse_pkt(const uint8_t *p, uint32_t len, struct pkt_meta *m)
{
	return parse_one(p, len, m);
}

void
parse_batch(struct pkt_buf *const *bufs, uint16_t n, struct pkt_meta *out)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		parse_one(pkt_data(bufs[i]), bufs[i]->len, &out[i]);
}
