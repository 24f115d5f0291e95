/*
 * test_parse.c: the packet parser on crafted frames, well-formed and not,
 * and on 100000 random and mutated frames held in buffers of exactly
 * their length, so that a sanitizer or valgrind sees any over-read.
 */
#include <stdlib.h>

#include "t.h"
#include "craft.h"
#include "parse.h"

static const uint8_t ip6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 2 };

/* Parse from a heap copy of exactly len bytes. */
static int
parse_exact(const uint8_t *p, uint32_t len, struct pkt_meta *m)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	int rc;

	memcpy(copy, p, len);
	rc = parse_pkt(copy, len, m);
	free(copy);
	return rc;
}

static int
parse_craft(const struct craft *c, struct pkt_meta *m)
{
	return parse_exact(c->b, c->len, m);
}

static void
ipv4_tcp(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 6, 0x0a000001, 0xc0a80102, 0, 0x4000);
	craft_tcp(&c, 40000, 80, PARSE_TCP_SYN | PARSE_TCP_ECE);
	craft_payload(&c, 100);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.len, c.len);
	T_EQ(m.err, PARSE_ERR_NONE);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_L4 | PARSE_F_PORTS);
	T_EQ(m.ethertype, 0x0800);
	T_EQ(m.nvlan, 0);
	T_EQ(m.l3, PARSE_L3_IPV4);
	T_EQ(m.l3_off, 14);
	T_EQ(m.l4_off, 34);
	T_EQ(m.l4proto, 6);
	T_EQ(m.sport, 40000);
	T_EQ(m.dport, 80);
	T_EQ(m.tcp_flags, PARSE_TCP_SYN | PARSE_TCP_ECE);
	T_EQ(__builtin_bswap32(m.src.a4), 0x0a000001);
	T_EQ(__builtin_bswap32(m.dst.a4), 0xc0a80102);
}

static void
ipv4_udp_options(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 17, 0x01020304, 0x05060708, 8, 0);
	craft_udp(&c, 53, 5353);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_L4 | PARSE_F_PORTS |
	    PARSE_F_IP_OPTS);
	T_EQ(m.l4_off, 14 + 28);
	T_EQ(m.l4proto, 17);
	T_EQ(m.sport, 53);
	T_EQ(m.dport, 5353);
	T_EQ(m.tcp_flags, 0);
	/* The frame is padded to 60 bytes; the datagram is shorter. */
	T_EQ(m.len, 60);
}

static void
ipv4_icmp(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 1, 0x0a000001, 0x0a000002, 0, 0);
	craft_icmp(&c, 3, 4);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_L4);
	T_EQ(m.l4proto, 1);
	T_EQ(m.icmp_type, 3);
	T_EQ(m.icmp_code, 4);
	T_EQ(m.sport, 0);
}

static void
ipv4_fragments(void)
{
	struct craft c;
	struct pkt_meta m;

	/* First fragment: MF, offset 0; the TCP header is there. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 6, 0x0a000001, 0x0a000002, 0, 0x2000);
	craft_tcp(&c, 1000, 23, PARSE_TCP_ACK);
	craft_payload(&c, 64);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_L4 | PARSE_F_PORTS |
	    PARSE_F_FRAG);
	T_EQ(m.dport, 23);

	/* A later fragment: no ports, whatever its payload looks like. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 6, 0x0a000001, 0x0a000002, 0, 185);
	craft_tcp(&c, 1000, 23, PARSE_TCP_ACK);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_FRAG | PARSE_F_FRAG_LATER);
	T_EQ(m.l4proto, 6);
	T_EQ(m.l4_off, 0);
	T_EQ(m.sport, 0);
	T_EQ(m.dport, 0);
	T_EQ(m.tcp_flags, 0);

	/* The last fragment: offset, no MF. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 17, 0x0a000001, 0x0a000002, 0, 0x0010);
	craft_payload(&c, 30);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_FRAG | PARSE_F_FRAG_LATER);
}

static void
ipv6_ext_chain(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 0, ip6_a, ip6_b);
	craft_ext6(&c, 0, 43, 0);		/* hop-by-hop, 8 bytes */
	craft_ext6(&c, 43, 44, 2);		/* routing, 24 bytes */
	craft_frag6(&c, 60, 0, 1);		/* first fragment */
	craft_ext6(&c, 60, 6, 1);		/* destination options, 16 */
	craft_tcp(&c, 443, 51000, PARSE_TCP_SYN | PARSE_TCP_ACK);
	craft_payload(&c, 20);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.l3, PARSE_L3_IPV6);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_L4 | PARSE_F_PORTS |
	    PARSE_F_FRAG | PARSE_F_IP6_EXT);
	T_EQ(m.l4proto, 6);
	T_EQ(m.l4_off, 14 + 40 + 8 + 24 + 8 + 16);
	T_EQ(m.sport, 443);
	T_EQ(m.dport, 51000);
	T_EQ(m.tcp_flags, PARSE_TCP_SYN | PARSE_TCP_ACK);
	T_CHECK(memcmp(m.src.a6, ip6_a, 16) == 0);
	T_CHECK(memcmp(m.dst.a6, ip6_b, 16) == 0);

	/* AH, then UDP. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 51, ip6_a, ip6_b);
	craft_ext6(&c, 51, 17, 4);		/* (4 + 2) * 4 = 24 bytes */
	craft_udp(&c, 500, 4500);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.l4proto, 17);
	T_EQ(m.l4_off, 14 + 40 + 24);
	T_EQ(m.dport, 4500);
}

static void
ipv6_later_fragment(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 44, ip6_a, ip6_b);
	craft_frag6(&c, 17, 1448, 0);
	craft_udp(&c, 53, 53);			/* looks like UDP; is not */
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_FRAG | PARSE_F_FRAG_LATER |
	    PARSE_F_IP6_EXT);
	T_EQ(m.l4proto, 17);
	T_EQ(m.l4_off, 0);
	T_EQ(m.sport, 0);
	T_EQ(m.dport, 0);

	/* An atomic fragment (offset 0, no M) is a whole datagram. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 44, ip6_a, ip6_b);
	craft_frag6(&c, 17, 0, 0);
	craft_udp(&c, 53, 54);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_L4 | PARSE_F_PORTS |
	    PARSE_F_IP6_EXT);
	T_EQ(m.dport, 54);
}

static void
ipv6_esp_and_none(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 60, ip6_a, ip6_b);
	craft_ext6(&c, 60, 50, 0);
	craft_payload(&c, 40);			/* ESP: opaque */
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.flags, PARSE_F_L3 | PARSE_F_IP6_EXT);
	T_EQ(m.l4proto, 50);
	T_EQ(m.l4_off, 14 + 40 + 8);

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 59, ip6_a, ip6_b);	/* no next header */
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.l4proto, 59);
	T_EQ(m.flags, PARSE_F_L3);
}

static void
vlan_single_double(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_vlan(&c, 0x8100, 5 << 13 | 100);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 17, 0x0a000001, 0x0a000002, 0, 0);
	craft_udp(&c, 1, 2);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.nvlan, 1);
	T_EQ(m.vlan_tpid[0], 0x8100);
	T_EQ(PARSE_VLAN_ID(m.vlan_tci[0]), 100);
	T_EQ(PARSE_VLAN_PCP(m.vlan_tci[0]), 5);
	T_EQ(m.ethertype, 0x0800);
	T_EQ(m.l3_off, 18);
	T_EQ(m.l4_off, 38);
	T_EQ(m.dport, 2);

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_vlan(&c, 0x88a8, 300);
	craft_vlan(&c, 0x8100, 3 << 13 | 42);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 58, ip6_a, ip6_b);
	craft_icmp(&c, 128, 0);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.nvlan, 2);
	T_EQ(m.vlan_tpid[0], 0x88a8);
	T_EQ(m.vlan_tpid[1], 0x8100);
	T_EQ(PARSE_VLAN_ID(m.vlan_tci[0]), 300);
	T_EQ(PARSE_VLAN_ID(m.vlan_tci[1]), 42);
	T_EQ(PARSE_VLAN_PCP(m.vlan_tci[1]), 3);
	T_EQ(m.ethertype, 0x86dd);
	T_EQ(m.l3_off, 22);
	T_EQ(m.l4proto, 58);
	T_EQ(m.icmp_type, 128);
}

static void
vlan_too_many(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_vlan(&c, 0x88a8, 1);
	craft_vlan(&c, 0x8100, 2);
	craft_vlan(&c, 0x8100, 3);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 17, 0x0a000001, 0x0a000002, 0, 0);
	craft_udp(&c, 1, 2);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), PARSE_ERR_VLAN_DEPTH);
	T_CHECK(m.flags & PARSE_F_MALFORMED);
	T_EQ(m.nvlan, 2);
	T_EQ(m.l3, PARSE_L3_NONE);

	/* A tag cut off by the end of the frame. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_vlan(&c, 0x8100, 2);
	c.len = 16;
	T_EQ(parse_craft(&c, &m), PARSE_ERR_VLAN_TRUNC);
}

static void
arp_and_other(void)
{
	struct craft c;
	struct pkt_meta m;

	craft_eth(&c, craft_mac_bcast, craft_mac_b);
	craft_type(&c, 0x0806);
	craft_put32(&c, 0x00010800);
	craft_put32(&c, 0x06040001);
	craft_payload(&c, 20);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.l3, PARSE_L3_ARP);
	T_EQ(m.ethertype, 0x0806);
	T_EQ(m.flags, 0);

	c.len = 14 + 6;
	T_EQ(parse_craft(&c, &m), PARSE_ERR_ARP_TRUNC);

	/* 802.3 length field, LLDP: not malformed, just not IP. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 46);
	craft_payload(&c, 46);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), 0);
	T_EQ(m.l3, PARSE_L3_OTHER);
	T_EQ(m.ethertype, 46);
}

static void
runts(void)
{
	struct craft c;
	struct pkt_meta m;
	uint32_t len;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	for (len = 0; len < 14; len++) {
		T_EQ(parse_exact(c.b, len, &m), PARSE_ERR_RUNT);
		T_EQ(m.flags, PARSE_F_MALFORMED);
		T_EQ(m.len, len);
		T_EQ(m.l3, PARSE_L3_NONE);
	}
	T_CHECK(strcmp(parse_err_str(PARSE_ERR_RUNT), "runt") == 0);
	T_CHECK(strcmp(parse_err_str(99), "unknown") == 0);
}

static void
ipv4_malformed(void)
{
	struct craft c;
	struct pkt_meta m;
	uint32_t len;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x0800);
	craft_ip4(&c, 6, 0x0a000001, 0x0a000002, 0, 0);
	craft_tcp(&c, 1, 2, 0);
	c.nopad = 1;
	craft_done(&c);

	/* Truncated inside the IPv4 header. */
	for (len = 14; len < 34; len++)
		T_EQ(parse_exact(c.b, len, &m), PARSE_ERR_IP4_TRUNC);

	/* IHL < 5. */
	c.b[14] = 0x44;
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP4_IHL);
	T_CHECK((m.flags & PARSE_F_L3) == 0);

	/* IHL beyond the frame: 60 bytes of header, 40 in the frame. */
	c.b[14] = 0x4f;
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP4_HDRLEN);

	/* Version 6 in an IPv4 ethertype. */
	c.b[14] = 0x65;
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP4_VERSION);

	/* Total length beyond the frame, and below the header length. */
	c.b[14] = 0x45;
	craft_set16(&c, 16, (uint16_t)(c.len - 14 + 1));
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP4_TOTLEN);
	craft_set16(&c, 16, 19);
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP4_TOTLEN);

	/* Total length leaves 10 bytes of a TCP header. */
	craft_set16(&c, 16, 30);
	T_EQ(parse_craft(&c, &m), PARSE_ERR_L4_TRUNC);
	T_CHECK(m.flags & PARSE_F_L3);
	T_CHECK((m.flags & PARSE_F_PORTS) == 0);

	/* And the intact frame parses. */
	craft_set16(&c, 16, (uint16_t)(c.len - 14));
	T_EQ(parse_craft(&c, &m), 0);
}

static void
ipv6_malformed(void)
{
	struct craft c;
	struct pkt_meta m;
	int i;

	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 6, ip6_a, ip6_b);
	craft_tcp(&c, 1, 2, 0);
	craft_done(&c);
	T_EQ(parse_exact(c.b, 14 + 39, &m), PARSE_ERR_IP6_TRUNC);
	craft_set16(&c, 18, (uint16_t)(c.len - 54 + 1));
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP6_PLEN);
	c.b[14] = 0x40;
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP6_VERSION);

	/* A hop-by-hop header claiming 88 bytes in a 30-byte payload. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 0, ip6_a, ip6_b);
	craft_ext6(&c, 0, 6, 0);
	craft_payload(&c, 22);
	craft_done(&c);
	c.b[54 + 1] = 10;
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP6_EXT);

	/* A chain ending in a header cut in half. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 60, ip6_a, ip6_b);
	craft_ext6(&c, 60, 43, 0);
	craft_put32(&c, 0x06000000);		/* 4 of a routing header */
	c.nopad = 1;
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP6_EXT);

	/* More extension headers than the parser follows. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 60, ip6_a, ip6_b);
	for (i = 0; i < PARSE_IP6_EXT_MAX + 1; i++)
		craft_ext6(&c, 60, i < PARSE_IP6_EXT_MAX ? 60 : 6, 0);
	craft_tcp(&c, 1, 2, 0);
	craft_done(&c);
	T_EQ(parse_craft(&c, &m), PARSE_ERR_IP6_EXT_DEPTH);

	/* UDP header cut short by the payload length. */
	craft_eth(&c, craft_mac_a, craft_mac_b);
	craft_type(&c, 0x86dd);
	craft_ip6(&c, 17, ip6_a, ip6_b);
	craft_udp(&c, 1, 2);
	craft_done(&c);
	craft_set16(&c, 18, 6);
	T_EQ(parse_craft(&c, &m), PARSE_ERR_L4_TRUNC);
}

static void
batch_matches_single(void)
{
	struct pkt_meta one, many[16];
	struct pkt_buf *bufs[16];
	struct craft c;
	uint64_t seed = 7;
	int i;

	for (i = 0; i < 16; i++) {
		craft_random(&c, &seed);
		bufs[i] = aligned_alloc(64, sizeof(struct pkt_buf) + CRAFT_MAX);
		T_REQUIRE(bufs[i] != NULL);
		bufs[i]->data_off = 32;
		bufs[i]->len = (uint16_t)c.len;
		memcpy(pkt_data(bufs[i]), c.b, c.len);
	}
	parse_batch(bufs, 16, many);
	for (i = 0; i < 16; i++) {
		parse_pkt(pkt_data(bufs[i]), bufs[i]->len, &one);
		T_CHECK(memcmp(&one, &many[i], sizeof(one)) == 0);
		free(bufs[i]);
	}
}

/* What must hold of any summary, whatever the frame. */
static int
meta_sane(const struct pkt_meta *m, uint32_t len)
{
	if (m->len != len)
		return 0;
	if (!!(m->flags & PARSE_F_MALFORMED) != (m->err != 0))
		return 0;
	if (m->nvlan > PARSE_VLAN_MAX || m->l3_off > len || m->l4_off > len)
		return 0;
	if ((m->flags & PARSE_F_L3) && m->l3_off + (m->l3 ==
	    PARSE_L3_IPV4 ? 20u : 40u) > len)
		return 0;
	if ((m->flags & PARSE_F_L4) && (m->l4_off <= m->l3_off ||
	    m->l4_off + 4u > len))
		return 0;
	if ((m->flags & PARSE_F_PORTS) && !(m->flags & PARSE_F_L4))
		return 0;
	if ((m->flags & PARSE_F_FRAG_LATER) && (m->flags & PARSE_F_L4))
		return 0;
	if (m->err == PARSE_ERR_NONE && m->l3 == PARSE_L3_NONE)
		return 0;
	return 1;
}

static void
random_robustness(void)
{
	struct pkt_meta m;
	struct craft c;
	uint64_t seed = 0x1dfa5eedULL;
	uint8_t *copy;
	int i, bad = 0, malformed = 0, frag = 0, ports = 0, kinds[5] = { 0 };

	for (i = 0; i < 100000; i++) {
		craft_random(&c, &seed);
		if (i % 4 != 0)
			craft_mutate(&c, &seed);
		/* Exactly len bytes: an over-read is a heap overflow. */
		copy = malloc(c.len > 0 ? c.len : 1);
		T_REQUIRE(copy != NULL);
		memcpy(copy, c.b, c.len);
		parse_pkt(copy, c.len, &m);
		free(copy);
		if (!meta_sane(&m, c.len) && bad++ < 5)
			t_fail(__FILE__, __LINE__, "frame %d: insane summary "
			    "(len %u flags 0x%x err %u)", i, c.len, m.flags,
			    m.err);
		malformed += (m.flags & PARSE_F_MALFORMED) != 0;
		frag += (m.flags & PARSE_F_FRAG) != 0;
		ports += (m.flags & PARSE_F_PORTS) != 0;
		kinds[m.l3]++;
	}
	/* The mix exercised every path. */
	T_CHECK(malformed > 1000 && malformed < 90000);
	T_CHECK(frag > 1000);
	T_CHECK(ports > 10000);
	for (i = 0; i < 5; i++)
		T_CHECK(kinds[i] > 100);
}

int
main(void)
{
	T_RUN(ipv4_tcp);
	T_RUN(ipv4_udp_options);
	T_RUN(ipv4_icmp);
	T_RUN(ipv4_fragments);
	T_RUN(ipv6_ext_chain);
	T_RUN(ipv6_later_fragment);
	T_RUN(ipv6_esp_and_none);
	T_RUN(vlan_single_double);
	T_RUN(vlan_too_many);
	T_RUN(arp_and_other);
	T_RUN(runts);
	T_RUN(ipv4_malformed);
	T_RUN(ipv6_malformed);
	T_RUN(batch_matches_single);
	T_RUN(random_robustness);
	return t_done();
}
