/*
 * craft.h: build Ethernet frames header by header, for the parser and
 * filter tests and the filter benchmark.
 *
 *	struct craft c;
 *	craft_eth(&c, dst, src);
 *	craft_vlan(&c, 0x8100, 100);
 *	craft_type(&c, 0x0800);
 *	craft_ip4(&c, 6, src_ip, dst_ip, 0, 0);
 *	craft_tcp(&c, 1234, 80, PARSE_TCP_SYN);
 *	craft_done(&c);		lengths and checksum; pads to 60 bytes
 *
 * Also a small deterministic random generator, random valid frames and
 * byte-wise mutation.
 */
#ifndef IXFWD_CRAFT_H
#define IXFWD_CRAFT_H

#include <stdint.h>
#include <string.h>

#define CRAFT_MAX	2048

struct craft {
	uint8_t		 b[CRAFT_MAX];
	uint32_t	 len;
	uint32_t	 ip4;		/* offset of the IPv4 header, or 0 */
	uint32_t	 ip6;		/* offset of the IPv6 header, or 0 */
	uint32_t	 udp;		/* offset of the UDP header, or 0 */
	int		 nopad;		/* craft_done: no padding to 60 */
};

static const uint8_t craft_mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t craft_mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t craft_mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff };

static inline void
craft_put8(struct craft *c, uint8_t v)
{
	if (c->len < CRAFT_MAX)
		c->b[c->len++] = v;
}

static inline void
craft_put16(struct craft *c, uint16_t v)
{
	craft_put8(c, (uint8_t)(v >> 8));
	craft_put8(c, (uint8_t)v);
}

static inline void
craft_put32(struct craft *c, uint32_t v)
{
	craft_put16(c, (uint16_t)(v >> 16));
	craft_put16(c, (uint16_t)v);
}

static inline void
craft_set16(struct craft *c, uint32_t off, uint16_t v)
{
	c->b[off] = (uint8_t)(v >> 8);
	c->b[off + 1] = (uint8_t)v;
}

static inline void
craft_eth(struct craft *c, const uint8_t *dst, const uint8_t *src)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->b, dst, 6);
	memcpy(c->b + 6, src, 6);
	c->len = 12;
}

static inline void
craft_type(struct craft *c, uint16_t type)
{
	craft_put16(c, type);
}

/* A tag: its TPID here, its TCI; the next craft_vlan/craft_type says
 * what follows. */
static inline void
craft_vlan(struct craft *c, uint16_t tpid, uint16_t tci)
{
	craft_put16(c, tpid);
	craft_put16(c, tci);
}

/* optlen: bytes of IPv4 options (a multiple of 4, NOPs); frag: the
 * flags/fragment offset field. */
static inline void
craft_ip4(struct craft *c, uint8_t proto, uint32_t src, uint32_t dst,
    int optlen, uint16_t frag)
{
	int i;

	c->ip4 = c->len;
	craft_put8(c, (uint8_t)(0x40 | (5 + optlen / 4)));
	craft_put8(c, 0);
	craft_put16(c, 0);		/* total length: craft_done */
	craft_put16(c, 0x1234);
	craft_put16(c, frag);
	craft_put8(c, 64);
	craft_put8(c, proto);
	craft_put16(c, 0);		/* checksum: craft_done */
	craft_put32(c, src);
	craft_put32(c, dst);
	for (i = 0; i < optlen; i++)
		craft_put8(c, 1);
}

static inline void
craft_ip6(struct craft *c, uint8_t nh, const uint8_t *src, const uint8_t *dst)
{
	c->ip6 = c->len;
	craft_put32(c, 0x60000000);
	craft_put16(c, 0);		/* payload length: craft_done */
	craft_put8(c, nh);
	craft_put8(c, 64);
	memcpy(c->b + c->len, src, 16);
	memcpy(c->b + c->len + 16, dst, 16);
	c->len += 32;
}

/* Hop-by-hop (0), routing (43), destination options (60): (len8 + 1) * 8
 * bytes; AH (51): (len8 + 2) * 4 bytes. */
static inline void
craft_ext6(struct craft *c, uint8_t type, uint8_t nh, uint8_t len8)
{
	uint32_t n, i;

	n = type == 51 ? ((uint32_t)len8 + 2) * 4 : ((uint32_t)len8 + 1) * 8;
	craft_put8(c, nh);
	craft_put8(c, len8);
	for (i = 2; i < n; i++)
		craft_put8(c, type == 60 || type == 0 ? (i == 2 ? 1 : 0) : 0);
	if (type == 0 || type == 60)	/* one PadN option filling it */
		c->b[c->len - n + 3] = (uint8_t)(n - 4);
}

/* off in bytes (a multiple of 8). */
static inline void
craft_frag6(struct craft *c, uint8_t nh, uint16_t off, int more)
{
	craft_put8(c, nh);
	craft_put8(c, 0);
	craft_put16(c, (uint16_t)(off | (more ? 1 : 0)));
	craft_put32(c, 0xabcd);
}

static inline void
craft_tcp(struct craft *c, uint16_t sport, uint16_t dport, uint8_t flags)
{
	craft_put16(c, sport);
	craft_put16(c, dport);
	craft_put32(c, 1000);
	craft_put32(c, flags & 0x10 ? 2000 : 0);
	craft_put8(c, 0x50);
	craft_put8(c, flags);
	craft_put16(c, 8192);
	craft_put16(c, 0);
	craft_put16(c, 0);
}

static inline void
craft_udp(struct craft *c, uint16_t sport, uint16_t dport)
{
	c->udp = c->len;
	craft_put16(c, sport);
	craft_put16(c, dport);
	craft_put16(c, 0);		/* length: craft_done */
	craft_put16(c, 0);
}

static inline void
craft_sctp(struct craft *c, uint16_t sport, uint16_t dport)
{
	craft_put16(c, sport);
	craft_put16(c, dport);
	craft_put32(c, 0x11223344);
	craft_put32(c, 0);
}

static inline void
craft_icmp(struct craft *c, uint8_t type, uint8_t code)
{
	craft_put8(c, type);
	craft_put8(c, code);
	craft_put16(c, 0);
	craft_put32(c, 0x00010001);
}

static inline void
craft_payload(struct craft *c, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		craft_put8(c, (uint8_t)(i * 7 + 3));
}

/* Fill in lengths and the IPv4 checksum; pad to the Ethernet minimum. */
static inline void
craft_done(struct craft *c)
{
	uint32_t sum = 0, i, hl;

	if (c->ip4) {
		hl = (uint32_t)(c->b[c->ip4] & 0xf) * 4;
		craft_set16(c, c->ip4 + 2, (uint16_t)(c->len - c->ip4));
		for (i = 0; i < hl; i += 2)
			sum += (uint32_t)c->b[c->ip4 + i] << 8 |
			    c->b[c->ip4 + i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		craft_set16(c, c->ip4 + 10, (uint16_t)~sum);
	}
	if (c->ip6)
		craft_set16(c, c->ip6 + 4, (uint16_t)(c->len - c->ip6 - 40));
	if (c->udp)
		craft_set16(c, c->udp + 4, (uint16_t)(c->len - c->udp));
	while (!c->nopad && c->len < 60)
		craft_put8(c, 0);
}

/*
 * Random numbers: xorshift64*, deterministic per seed.
 */
static inline uint64_t
craft_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static inline uint32_t
craft_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)((craft_rand(s) >> 32) * n >> 32);
}

/* A few values of everything, so that filters and rules hit. */
static inline uint32_t
craft_rand_ip4(uint64_t *s)
{
	static const uint32_t pool[] = {
		0x0a000001, 0x0a000002, 0x0a010203, 0xc0a80001, 0xc0a80102,
		0xac100005, 0x08080808, 0x01020304, 0xe0000001, 0xffffffff,
	};

	if (craft_below(s, 4) == 0)
		return (uint32_t)craft_rand(s);
	return pool[craft_below(s, sizeof(pool) / sizeof(pool[0]))];
}

static inline void
craft_rand_ip6(uint64_t *s, uint8_t *a)
{
	static const uint8_t pool[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 },
		{ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0xff, 0xfe, 0, 0,
		    0x0a },
		{ 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	};
	uint32_t i;

	if (craft_below(s, 4) == 0) {
		for (i = 0; i < 16; i++)
			a[i] = (uint8_t)craft_rand(s);
		return;
	}
	memcpy(a, pool[craft_below(s, sizeof(pool) / sizeof(pool[0]))], 16);
}

static inline uint16_t
craft_rand_port(uint64_t *s)
{
	static const uint16_t pool[] = { 22, 23, 53, 80, 443, 1024, 8080,
	    65535, 0, 5000 };

	if (craft_below(s, 3) == 0)
		return (uint16_t)craft_rand(s);
	return pool[craft_below(s, sizeof(pool) / sizeof(pool[0]))];
}

/* L4 header of a random protocol, or none. */
static inline uint8_t
craft_rand_proto(uint64_t *s, int v6)
{
	static const uint8_t pool[] = { 6, 6, 6, 17, 17, 132, 1, 47, 50 };
	uint8_t p = pool[craft_below(s, sizeof(pool) / sizeof(pool[0]))];

	return v6 && p == 1 ? 58 : p;
}

static inline void
craft_rand_l4(struct craft *c, uint64_t *s, uint8_t proto)
{
	switch (proto) {
	case 6:
		craft_tcp(c, craft_rand_port(s), craft_rand_port(s),
		    (uint8_t)(craft_below(s, 2) ? 0x02u << craft_below(s, 4) :
		    (uint32_t)craft_rand(s)));
		break;
	case 17:
		craft_udp(c, craft_rand_port(s), craft_rand_port(s));
		break;
	case 132:
		craft_sctp(c, craft_rand_port(s), craft_rand_port(s));
		break;
	case 1:
	case 58:
		craft_icmp(c, (uint8_t)(craft_below(s, 2) ? 8 :
		    craft_below(s, 256)), (uint8_t)craft_below(s, 3));
		break;
	default:
		craft_payload(c, 8);
		break;
	}
	craft_payload(c, craft_below(s, 3) == 0 ? craft_below(s, 1200) :
	    craft_below(s, 40));
}

/* A valid frame of a random kind. */
static inline void
craft_random(struct craft *c, uint64_t *s)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };
	uint8_t a6[16], b6[16], proto;
	uint32_t i, nv;
	int kind;

	craft_eth(c, craft_below(s, 8) == 0 ? craft_mac_bcast :
	    craft_below(s, 2) ? craft_mac_a : craft_mac_b,
	    craft_below(s, 2) ? craft_mac_a : craft_mac_b);
	nv = craft_below(s, 4) == 0 ? 1 + craft_below(s, 2) : 0;
	for (i = 0; i < nv; i++)
		craft_vlan(c, tpids[craft_below(s, 3)],
		    (uint16_t)(craft_below(s, 3) == 0 ? craft_rand(s) :
		    100 + craft_below(s, 3)));
	kind = (int)craft_below(s, 10);
	if (kind < 5) {
		craft_type(c, 0x0800);
		proto = craft_rand_proto(s, 0);
		craft_ip4(c, proto, craft_rand_ip4(s), craft_rand_ip4(s),
		    craft_below(s, 5) == 0 ? 4 * (int)craft_below(s, 4) : 0,
		    (uint16_t)(craft_below(s, 6) == 0 ?
		    (craft_below(s, 2) ? 0x2000 : 0) | craft_below(s, 4) * 185 :
		    craft_below(s, 2) ? 0x4000 : 0));
		craft_rand_l4(c, s, proto);
	} else if (kind < 8) {
		craft_type(c, 0x86dd);
		proto = craft_rand_proto(s, 1);
		craft_rand_ip6(s, a6);
		craft_rand_ip6(s, b6);
		if (craft_below(s, 3) == 0) {
			craft_ip6(c, 0, a6, b6);
			craft_ext6(c, 0, 44, 0);
			craft_frag6(c, 60, (uint16_t)(craft_below(s, 2) * 1448),
			    (int)craft_below(s, 2));
			craft_ext6(c, 60, proto, (uint8_t)craft_below(s, 2));
		} else
			craft_ip6(c, proto, a6, b6);
		craft_rand_l4(c, s, proto);
	} else if (kind == 8) {
		craft_type(c, 0x0806);
		craft_put32(c, 0x00010800);
		craft_put32(c, 0x06040001);
		craft_payload(c, 20);
	} else {
		craft_type(c, craft_below(s, 2) ? 0x88cc : 0x0042);
		craft_payload(c, craft_below(s, 100));
	}
	craft_done(c);
}

/* Mutate a few bytes, most in the headers; maybe truncate. */
static inline void
craft_mutate(struct craft *c, uint64_t *s)
{
	uint32_t n = 1 + craft_below(s, 4), i, at;

	for (i = 0; i < n && c->len > 0; i++) {
		at = craft_below(s, 3) ? craft_below(s, c->len < 80 ?
		    c->len : 80) : craft_below(s, c->len);
		switch (craft_below(s, 4)) {
		case 0:
			c->b[at] = (uint8_t)craft_rand(s);
			break;
		case 1:
			c->b[at] ^= (uint8_t)(1 << craft_below(s, 8));
			break;
		case 2:
			c->b[at] = (uint8_t)(c->b[at] + 1);
			break;
		default:
			c->b[at] = craft_below(s, 2) ? 0 : 0xff;
			break;
		}
	}
	if (craft_below(s, 3) == 0)
		c->len = craft_below(s, c->len + 1);
}

#endif /* IXFWD_CRAFT_H */
