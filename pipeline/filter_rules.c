/*
 * filter_rules.c: rule lists compiled into bit-vector classification.
 *
 * Rule r is bit r of a vector of W 64-bit words.  For every field that at
 * least one rule looks at, compilation precomputes, for every value the
 * field can take, the set of rules that value satisfies (rules that do not
 * look at the field are in every set).  Evaluating a frame is then, per
 * field in use, one lookup and an AND; the lowest bit left is the first
 * rule that matches on every field.  The cost grows with the number of
 * fields in use, hardly with the number of rules.
 *
 * The lookups:
 *  - IP protocol, TCP flags and ICMP type index a table of 257 sets;
 *  - the other fields are cut into the intervals between the rules'
 *    boundaries (a prefix is an interval, a port range too, an exact value
 *    a one-wide interval), neighbouring intervals with equal sets merged.
 *    Ports, ethertype, VLAN id and IPv4 addresses find their interval in
 *    a byte-indexed table of one to four levels (struct fr_trie), MACs and
 *    IPv6 addresses (and IPv4 lists too big for a table) by a branch-free
 *    binary search of the sorted interval starts.
 * A value the frame does not have (no ports, not IP, a runt) is a value of
 * its own that only the rules ignoring the field match.
 *
 * Frames are evaluated a field at a time over a chunk of the batch: each
 * inner loop does one kind of lookup on independent frames, which the CPU
 * overlaps; keys are chosen without branches, since they depend on the
 * traffic.  Measured with tests/bench/bench_filter: about 3 cycles per
 * field in use, 19 for the 5-rule list there (6 fields), 26 for 200 rules
 * on 3 fields.  Frame by frame with the set in a register was slower; the
 * tables took ports and ethertype from 6 cycles (binary search) to 2.5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

typedef unsigned __int128 u128;

enum {
	FR_SRC_MAC,
	FR_DST_MAC,
	FR_ETHERTYPE,
	FR_VLAN,
	FR_SRC_IP,
	FR_DST_IP,
	FR_PROTO,
	FR_SRC_PORT,
	FR_DST_PORT,
	FR_TCP_FLAGS,
	FR_ICMP_TYPE,
	FR_NFIELDS
};

/* The key of a field the frame does not have: one past its values. */
#define FR_MAC_ABSENT		(1ULL << 48)
#define FR_ETHERTYPE_ABSENT	0x10000
#define FR_PORT_ABSENT		0x10000
#define FR_VLAN_UNTAGGED	4096
#define FR_VLAN_ABSENT		4097
/* Tables of IP protocol, TCP flags, ICMP type: 256 values and absent. */
#define FR_BYTE_VALUES		257

#define FR_CHUNK		32

/* Sorted interval starts (start[0] == 0) and one set per interval. */
struct fr_search {
	uint32_t	 n;
	uint64_t	*start;
	u128		*start6;	/* IPv6 fields */
	uint64_t	*mask;		/* n * W words */
};

/*
 * The intervals of a port, an ethertype or an IPv4 address as a table
 * indexed a byte at a time, most significant first: a cell of the root
 * (indexed by key >> sh0) either is a leaf or points to a 256-cell node
 * indexed by the next byte, and so on down to the shift below which no
 * interval boundary lies (an IPv4 list of /8 prefixes needs the root
 * only).  Each cell is base << 9 | mask: the next position is base +
 * (byte & mask), and a leaf points at itself with mask 0, so a lookup is
 * the same steps for every key, without a branch.  cls gives the interval
 * of the final position.  Lists whose table would be big keep the binary
 * search instead.
 */
struct fr_trie {
	uint32_t	*cell;
	uint16_t	*cls;
	uint32_t	 ncell;
	uint8_t		 sh0;		/* shift of the root index */
	uint8_t		 shmin;		/* shift of the last level */
};

#define FR_TRIE_CELLS_MAX	(1U << 16)

struct fr_field {
	int		 id;
	struct fr_search s;		/* wide fields; IPv4 for IP fields */
	struct fr_trie	 t;		/* ports, ethertype, IPv4; or none */
	struct fr_search s6;		/* IPv6 for IP fields */
	uint64_t	*direct;	/* small fields: values * W words */
	uint64_t	*absent;	/* IP fields: not an IP frame */
	/* The value 0 takes the same set as "absent": the parser leaves a
	 * field it did not find 0, so the lookup can use it as it is. */
	int		 raw;
};

struct filter_rules {
	int		 nrules;
	uint32_t	 W;		/* words per set */
	int		 default_action;
	int		 nfields;
	int		 need_pkt;	/* a MAC field: read the frame */
	struct fr_field	 field[FR_NFIELDS];
	uint64_t	*all;		/* every rule */
	uint8_t		*action;	/* per rule */
};

/* What one rule asks of one field: everything, or [lo, hi]. */
struct fr_ival {
	int		 wild;
	u128		 lo, hi;
};

static const uint32_t fr_field_bit[FR_NFIELDS] = {
	[FR_SRC_MAC] = FILTER_M_SRC_MAC,
	[FR_DST_MAC] = FILTER_M_DST_MAC,
	[FR_ETHERTYPE] = FILTER_M_ETHERTYPE,
	[FR_VLAN] = FILTER_M_VLAN,
	[FR_SRC_IP] = FILTER_M_SRC_IP,
	[FR_DST_IP] = FILTER_M_DST_IP,
	[FR_PROTO] = FILTER_M_PROTO,
	[FR_SRC_PORT] = FILTER_M_SRC_PORT,
	[FR_DST_PORT] = FILTER_M_DST_PORT,
	[FR_TCP_FLAGS] = FILTER_M_TCP_FLAGS,
	[FR_ICMP_TYPE] = FILTER_M_ICMP_TYPE,
};

static inline void
fr_setbit(uint64_t *v, int r)
{
	v[r >> 6] |= 1ULL << (r & 63);
}

static u128
fr_addr(const uint8_t *a, int nbytes)
{
	u128 v = 0;
	int i;

	for (i = 0; i < nbytes; i++)
		v = v << 8 | a[i];
	return v;
}

/* The interval a rule asks of a field; af is 4 or 6 for IP fields. */
static struct fr_ival
fr_rule_ival(const struct filter_rule *r, int id, int af)
{
	struct fr_ival iv = { .wild = 1 };
	const struct filter_prefix *p;
	int bits;
	u128 host;

	if ((r->match & fr_field_bit[id]) == 0)
		return iv;
	iv.wild = 0;
	switch (id) {
	case FR_SRC_MAC:
		iv.lo = iv.hi = fr_addr(r->src_mac, 6);
		break;
	case FR_DST_MAC:
		iv.lo = iv.hi = fr_addr(r->dst_mac, 6);
		break;
	case FR_ETHERTYPE:
		iv.lo = iv.hi = r->ethertype;
		break;
	case FR_VLAN:
		iv.lo = iv.hi = r->vlan == FILTER_VLAN_UNTAGGED ?
		    FR_VLAN_UNTAGGED : r->vlan;
		break;
	case FR_SRC_PORT:
		iv.lo = r->src_port_lo;
		iv.hi = r->src_port_hi;
		break;
	case FR_DST_PORT:
		iv.lo = r->dst_port_lo;
		iv.hi = r->dst_port_hi;
		break;
	case FR_SRC_IP:
	case FR_DST_IP:
		p = id == FR_SRC_IP ? &r->src : &r->dst;
		if (p->af != af) {
			/* Matches nothing of this family: an empty interval
			 * is lo > hi, which no start falls in. */
			iv.lo = 1;
			iv.hi = 0;
			break;
		}
		bits = af == 4 ? 32 : 128;
		iv.lo = fr_addr(p->addr, bits / 8);
		if (p->plen == 0)
			host = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
		else
			host = (((u128)1) << (bits - p->plen)) - 1;
		iv.lo &= ~host;
		iv.hi = iv.lo | host;
		break;
	}
	return iv;
}

/* Does rule r take value v of a small field? */
static int
fr_rule_direct(const struct filter_rule *r, int id, uint32_t v)
{
	if ((r->match & fr_field_bit[id]) == 0)
		return 1;
	switch (id) {
	case FR_PROTO:
		return v == r->proto;
	case FR_TCP_FLAGS:
		return v < 256 && (v & r->tcp_flags_mask) == r->tcp_flags;
	case FR_ICMP_TYPE:
		return v == r->icmp_type;
	}
	return 0;
}

static int
fr_cmp128(const void *a, const void *b)
{
	u128 x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x < y ? -1 : x > y;
}

/*
 * Cut the domain [0, max] at every rule's boundaries, give each interval
 * its set of rules, merge neighbours with equal sets.
 */
static int
fr_build_search(const struct fr_ival *iv, int nr, uint32_t W, u128 max,
    int wide, struct fr_search *s)
{
	u128 *pts;
	uint64_t *mask;
	uint32_t np = 0, n, i, j;
	int r;

	if ((pts = calloc(2 * (size_t)nr + 1, sizeof(*pts))) == NULL)
		return -1;
	pts[np++] = 0;
	for (r = 0; r < nr; r++) {
		if (iv[r].wild || iv[r].lo > iv[r].hi)
			continue;
		pts[np++] = iv[r].lo;
		if (iv[r].hi < max)
			pts[np++] = iv[r].hi + 1;
	}
	qsort(pts, np, sizeof(*pts), fr_cmp128);
	for (i = 1, n = 1; i < np; i++)
		if (pts[i] != pts[n - 1])
			pts[n++] = pts[i];
	if ((mask = calloc((size_t)n * W, sizeof(*mask))) == NULL) {
		free(pts);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (r = 0; r < nr; r++)
			if (iv[r].wild ||
			    (iv[r].lo <= pts[i] && pts[i] <= iv[r].hi))
				fr_setbit(&mask[i * W], r);
	/* Merge: keep an interval only if its set differs from the last. */
	for (i = 1, j = 1; i < n; i++) {
		if (memcmp(&mask[i * W], &mask[(j - 1) * W],
		    W * sizeof(*mask)) == 0)
			continue;
		pts[j] = pts[i];
		memmove(&mask[j * W], &mask[i * W], W * sizeof(*mask));
		j++;
	}
	s->n = j;
	s->mask = mask;
	if (wide) {
		s->start6 = pts;
		return 0;
	}
	if ((s->start = calloc(j, sizeof(*s->start))) == NULL) {
		free(pts);
		return -1;
	}
	for (i = 0; i < j; i++)
		s->start[i] = (uint64_t)pts[i];
	free(pts);
	return 0;
}

static inline uint32_t fr_find(const uint64_t *, uint32_t, uint64_t);

static int
fr_trie_add(struct fr_trie *t, uint32_t n)
{
	uint32_t *cell;
	uint16_t *cls;

	if (t->ncell + n > FR_TRIE_CELLS_MAX)
		return -1;
	cell = reallocarray(t->cell, t->ncell + n, sizeof(*cell));
	if (cell != NULL)
		t->cell = cell;
	cls = reallocarray(t->cls, t->ncell + n, sizeof(*cls));
	if (cls != NULL)
		t->cls = cls;
	if (cell == NULL || cls == NULL)
		return -1;
	t->ncell += n;
	return 0;
}

/* Fill the n cells at pos covering keys from key0, 1 << sh keys each. */
static int
fr_trie_node(const struct fr_search *s, struct fr_trie *t, uint32_t pos,
    uint32_t n, uint64_t key0, unsigned int sh)
{
	uint64_t lo;
	uint32_t i, a, b, child;

	for (i = 0; i < n; i++) {
		lo = key0 + ((uint64_t)i << sh);
		a = fr_find(s->start, s->n, lo);
		b = fr_find(s->start, s->n, lo + ((uint64_t)1 << sh) - 1);
		if (a == b || sh == t->shmin) {
			t->cell[pos + i] = (pos + i) << 9;
			t->cls[pos + i] = (uint16_t)a;
			continue;
		}
		child = t->ncell;
		if (fr_trie_add(t, 256) == -1)
			return -1;
		t->cell[pos + i] = child << 9 | 0xff;
		if (fr_trie_node(s, t, child, 256, lo, sh - 8) == -1)
			return -1;
	}
	return 0;
}

/* A table for keys up to max (bits wide, max included); none if it
 * would be too big. */
static void
fr_build_trie(const struct fr_search *s, struct fr_trie *t, unsigned int bits,
    uint64_t max)
{
	unsigned int tz = bits, i, root;

	for (i = 1; i < s->n; i++)
		if ((unsigned int)__builtin_ctzll(s->start[i]) < tz)
			tz = (unsigned int)__builtin_ctzll(s->start[i]);
	t->sh0 = (uint8_t)(bits - 8);
	t->shmin = (uint8_t)(tz / 8 * 8 < t->sh0 ? tz / 8 * 8 : t->sh0);
	root = (uint32_t)(max >> t->sh0) + 1;
	if (fr_trie_add(t, root) == -1 ||
	    fr_trie_node(s, t, 0, root, 0, t->sh0) == -1) {
		free(t->cell);
		free(t->cls);
		memset(t, 0, sizeof(*t));
	}
}

static int
fr_build_field(struct filter_rules *fr, const struct filter_rule *rules,
    int id, struct fr_field *f)
{
	struct fr_ival *iv;
	uint32_t W = fr->W, nv, v;
	u128 max;
	int nr = fr->nrules, r, rc = -1;

	f->id = id;
	switch (id) {
	case FR_PROTO:
	case FR_TCP_FLAGS:
	case FR_ICMP_TYPE:
		nv = FR_BYTE_VALUES;
		if ((f->direct = calloc((size_t)nv * W, sizeof(uint64_t))) ==
		    NULL)
			return -1;
		for (v = 0; v < nv; v++)
			for (r = 0; r < nr; r++)
				if (fr_rule_direct(&rules[r], id, v))
					fr_setbit(&f->direct[v * W], r);
		f->raw = memcmp(&f->direct[0], &f->direct[(nv - 1) * W],
		    W * sizeof(uint64_t)) == 0;
		return 0;
	}
	if ((iv = calloc(nr, sizeof(*iv))) == NULL)
		return -1;
	switch (id) {
	case FR_SRC_MAC:
	case FR_DST_MAC:
		max = FR_MAC_ABSENT;
		break;
	case FR_ETHERTYPE:
		max = FR_ETHERTYPE_ABSENT;
		break;
	case FR_VLAN:
		max = FR_VLAN_ABSENT;
		break;
	case FR_SRC_PORT:
	case FR_DST_PORT:
		max = FR_PORT_ABSENT;
		break;
	default:
		max = 0xffffffff;
		break;
	}
	for (r = 0; r < nr; r++)
		iv[r] = fr_rule_ival(&rules[r], id, 4);
	if (fr_build_search(iv, nr, W, max, 0, &f->s) == -1)
		goto out;
	switch (id) {
	case FR_ETHERTYPE:
	case FR_SRC_PORT:
	case FR_DST_PORT:
		f->raw = memcmp(&f->s.mask[0], &f->s.mask[W *
		    fr_find(f->s.start, f->s.n, (uint64_t)max)],
		    W * sizeof(uint64_t)) == 0;
		/* FALLTHROUGH */
	case FR_VLAN:
		fr_build_trie(&f->s, &f->t, 16, (uint64_t)max);
		break;
	case FR_SRC_IP:
	case FR_DST_IP:
		fr_build_trie(&f->s, &f->t, 32, (uint64_t)max);
		break;
	}
	if (id == FR_SRC_IP || id == FR_DST_IP) {
		for (r = 0; r < nr; r++)
			iv[r] = fr_rule_ival(&rules[r], id, 6);
		if (fr_build_search(iv, nr, W, ~(u128)0, 1, &f->s6) == -1)
			goto out;
		if ((f->absent = calloc(W, sizeof(uint64_t))) == NULL)
			goto out;
		for (r = 0; r < nr; r++)
			if ((rules[r].match & fr_field_bit[id]) == 0)
				fr_setbit(f->absent, r);
	}
	rc = 0;
 out:
	free(iv);
	return rc;
}

static int
fr_check(const struct filter_rule *r, int i, char *err, size_t errlen)
{
	const struct filter_prefix *p;
	int k, port_proto, l4;

	if (r->action != FILTER_PASS && r->action != FILTER_DROP) {
		snprintf(err, errlen, "rule %d: action is neither pass nor "
		    "drop", i + 1);
		return -1;
	}
	if (r->match & ~FILTER_M_ALL) {
		snprintf(err, errlen, "rule %d: unknown match field 0x%x",
		    i + 1, r->match & ~FILTER_M_ALL);
		return -1;
	}
	if ((r->match & FILTER_M_VLAN) && r->vlan > 4095 &&
	    r->vlan != FILTER_VLAN_UNTAGGED) {
		snprintf(err, errlen, "rule %d: VLAN id %u is not 0..4095",
		    i + 1, r->vlan);
		return -1;
	}
	for (k = 0; k < 2; k++) {
		p = k == 0 ? &r->src : &r->dst;
		if ((r->match & (k == 0 ? FILTER_M_SRC_IP : FILTER_M_DST_IP))
		    == 0)
			continue;
		if ((p->af != 4 && p->af != 6) ||
		    p->plen > (p->af == 4 ? 32 : 128)) {
			snprintf(err, errlen, "rule %d: bad %s prefix "
			    "(family %u, length %u)", i + 1,
			    k == 0 ? "source" : "destination", p->af, p->plen);
			return -1;
		}
	}
	if ((r->match & FILTER_M_SRC_IP) && (r->match & FILTER_M_DST_IP) &&
	    r->src.af != r->dst.af) {
		snprintf(err, errlen, "rule %d: source and destination are "
		    "not of the same address family", i + 1);
		return -1;
	}
	if (((r->match & FILTER_M_SRC_PORT) &&
	    r->src_port_lo > r->src_port_hi) ||
	    ((r->match & FILTER_M_DST_PORT) &&
	    r->dst_port_lo > r->dst_port_hi)) {
		snprintf(err, errlen, "rule %d: port range is empty", i + 1);
		return -1;
	}
	if ((r->match & FILTER_M_TCP_FLAGS) &&
	    (r->tcp_flags & ~r->tcp_flags_mask)) {
		snprintf(err, errlen, "rule %d: TCP flags 0x%02x are not in "
		    "the mask 0x%02x", i + 1, r->tcp_flags, r->tcp_flags_mask);
		return -1;
	}
	if ((r->match & FILTER_M_PROTO) == 0)
		return 0;
	/* Fields that a given protocol can never have. */
	port_proto = r->proto == 6 || r->proto == 17 || r->proto == 132;
	l4 = 0;
	if ((r->match & (FILTER_M_SRC_PORT | FILTER_M_DST_PORT)) &&
	    !port_proto)
		l4 = 1;
	if ((r->match & FILTER_M_TCP_FLAGS) && r->proto != 6)
		l4 = 1;
	if ((r->match & FILTER_M_ICMP_TYPE) && r->proto != 1 &&
	    r->proto != 58)
		l4 = 1;
	if (l4) {
		snprintf(err, errlen, "rule %d: protocol %u has no such "
		    "field (ports need tcp, udp or sctp; flags tcp; a type "
		    "icmp)", i + 1, r->proto);
		return -1;
	}
	return 0;
}

struct filter_rules *
filter_rules_compile(const struct filter_rule *rules, int n,
    int default_action, char *err, size_t errlen)
{
	struct filter_rules *fr;
	uint32_t used = 0;
	int i, id;

	if (n < 0 || n > FILTER_RULES_MAX) {
		snprintf(err, errlen, "%d rules: at most %d", n,
		    FILTER_RULES_MAX);
		return NULL;
	}
	if (default_action != FILTER_PASS && default_action != FILTER_DROP) {
		snprintf(err, errlen, "default action is neither pass nor "
		    "drop");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (fr_check(&rules[i], i, err, errlen) == -1)
			return NULL;
		used |= rules[i].match;
	}
	if ((fr = calloc(1, sizeof(*fr))) == NULL)
		goto nomem;
	fr->need_pkt = (used & (FILTER_M_SRC_MAC | FILTER_M_DST_MAC)) != 0;
	fr->nrules = n;
	fr->W = n > 0 ? ((uint32_t)n + 63) / 64 : 1;
	fr->default_action = default_action;
	if ((fr->all = calloc(fr->W, sizeof(uint64_t))) == NULL ||
	    (fr->action = calloc(n > 0 ? n : 1, 1)) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		fr_setbit(fr->all, i);
		fr->action[i] = (uint8_t)rules[i].action;
	}
	for (id = 0; id < FR_NFIELDS; id++) {
		if ((used & fr_field_bit[id]) == 0)
			continue;
		if (fr_build_field(fr, rules, id,
		    &fr->field[fr->nfields++]) == -1)
			goto nomem;
	}
	return fr;
 nomem:
	snprintf(err, errlen, "out of memory compiling %d rules", n);
	filter_rules_free(fr);
	return NULL;
}

void
filter_rules_free(struct filter_rules *fr)
{
	struct fr_field *f;
	int i;

	if (fr == NULL)
		return;
	for (i = 0; i < fr->nfields; i++) {
		f = &fr->field[i];
		free(f->s.start);
		free(f->s.start6);
		free(f->s.mask);
		free(f->s6.start);
		free(f->s6.start6);
		free(f->s6.mask);
		free(f->direct);
		free(f->absent);
		free(f->t.cell);
		free(f->t.cls);
	}
	free(fr->all);
	free(fr->action);
	free(fr);
}

int
filter_rules_count(const struct filter_rules *fr)
{
	return fr->nrules;
}

int
filter_rules_action(const struct filter_rules *fr, int idx)
{
	if (idx < 0 || idx >= fr->nrules)
		return fr->default_action;
	return fr->action[idx];
}

/*
 * The index of the last interval starting at or below key.  Branch-free:
 * the loop count depends only on n, which is fixed per filter.
 */
static inline uint32_t
fr_find(const uint64_t *start, uint32_t n, uint64_t key)
{
	const uint64_t *b = start;
	uint32_t half;

	while (n > 1) {
		half = n >> 1;
		b = b[half] <= key ? b + half : b;
		n -= half;
	}
	return (uint32_t)(b - start);
}

static inline uint32_t
fr_find6(const u128 *start, uint32_t n, u128 key)
{
	const u128 *b = start;
	uint32_t half;

	while (n > 1) {
		half = n >> 1;
		b = b[half] <= key ? b + half : b;
		n -= half;
	}
	return (uint32_t)(b - start);
}

/*
 * The interval of key, by the table if there is one.  The walk always
 * takes every level below the root (a leaf maps to itself), so the code
 * is straight: two steps for 16-bit keys, up to four for IPv4.
 */
static inline __attribute__((always_inline)) uint32_t
fr_lookup(const struct fr_search *s, const struct fr_trie *t, uint64_t key,
    int bits)
{
	const uint32_t *cell = t->cell;
	uint32_t c, pos, k = (uint32_t)key;

	if (cell == NULL)
		return fr_find(s->start, s->n, key);
	pos = (uint32_t)(key >> (bits - 8));	/* t->sh0 */
	c = cell[pos];
	if (bits == 32) {
		switch (t->shmin) {
		case 0:
		case 8:
		case 16:
			pos = (c >> 9) + (k >> 16 & c & 0xff);
			c = cell[pos];
			if (t->shmin == 16)
				break;
			pos = (c >> 9) + (k >> 8 & c & 0xff);
			c = cell[pos];
			if (t->shmin == 8)
				break;
			pos = (c >> 9) + (k & c & 0xff);
			break;
		}
	} else
		pos = (c >> 9) + (k & c & 0xff);
	return t->cls[pos];
}

static inline uint64_t
fr_rd_mac(const uint8_t *p)
{
	uint32_t hi;
	uint16_t lo;

	memcpy(&hi, p, 4);
	memcpy(&lo, p + 4, 2);
	return (uint64_t)__builtin_bswap32(hi) << 16 | __builtin_bswap16(lo);
}

static inline u128
fr_rd_addr6(const uint8_t *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return (u128)__builtin_bswap64(hi) << 64 | __builtin_bswap64(lo);
}

static inline void
fr_and(uint64_t *acc, const uint64_t *m, uint32_t W)
{
	uint32_t w;

	for (w = 0; w < W; w++)
		acc[w] &= m[w];
}

/* c ? a : b without a branch: keys depend on the traffic mix, and a
 * mispredicted branch costs more than a whole lookup. */
static inline uint64_t
fr_sel(int c, uint64_t a, uint64_t b)
{
	uint64_t m = -(uint64_t)(c != 0);

	return (a & m) | (b & ~m);
}

static inline const uint64_t *
fr_selp(int c, const uint64_t *a, const uint64_t *b)
{
	return (const uint64_t *)fr_sel(c, (uintptr_t)a, (uintptr_t)b);
}

/* The set of an IP field: the IPv4 or the IPv6 search, or "absent".
 * Both searches run on whatever the summary holds; the IPv6 one only if
 * some rule has an IPv6 prefix for this field. */
static inline __attribute__((always_inline)) const uint64_t *
fr_ip_mask(const struct fr_field *f, const struct pkt_meta *m,
    const union parse_addr *a, uint32_t W)
{
	const uint64_t *p = f->absent;
	int l3 = (m->flags & PARSE_F_L3) ? m->l3 : 0;

	p = fr_selp(l3 == PARSE_L3_IPV4, &f->s.mask[W * fr_lookup(&f->s,
	    &f->t, __builtin_bswap32(a->a4), 32)], p);
	if (f->s6.n > 1)
		p = fr_selp(l3 == PARSE_L3_IPV6, &f->s6.mask[W *
		    fr_find6(f->s6.start6, f->s6.n, fr_rd_addr6(a->a6))], p);
	else
		p = fr_selp(l3 == PARSE_L3_IPV6, f->s6.mask, p);
	return p;
}

#define FR_TRIE(key)	(&f->s.mask[W * fr_lookup(&f->s, &f->t, (key), 16)])

/* Set-of-rules of one wide field for key. */
#define FR_SEARCH(key)	(&f->s.mask[W * fr_find(f->s.start, f->s.n, (key))])

static const uint8_t fr_zero_mac[12];

/* The set of rules field id of f gives one frame.  id is a constant
 * wherever this is inlined, so only its own case remains. */
static inline __attribute__((always_inline)) const uint64_t *
fr_set(const struct fr_field *f, int id, const struct pkt_meta *m,
    const uint8_t *pkt, uint32_t W)
{
	const uint8_t *p;
	uint64_t key = 0;
	uint32_t v = 0;
	int eth = m->len >= PARSE_ETH_HLEN;

	switch (id) {
	case FR_SRC_MAC:
	case FR_DST_MAC:
		/* A runt may not even have the MACs. */
		p = (const uint8_t *)fr_sel(eth, (uintptr_t)pkt,
		    (uintptr_t)fr_zero_mac);
		key = fr_sel(eth, fr_rd_mac(p + (id == FR_SRC_MAC ? 6 : 0)),
		    FR_MAC_ABSENT);
		return FR_SEARCH(key);
	case FR_ETHERTYPE:
		key = f->raw ? m->ethertype :
		    fr_sel(eth, m->ethertype, FR_ETHERTYPE_ABSENT);
		return FR_TRIE(key);
	case FR_SRC_PORT:
	case FR_DST_PORT:
		key = id == FR_SRC_PORT ? m->sport : m->dport;
		if (!f->raw)
			key = fr_sel(m->flags & PARSE_F_PORTS, key,
			    FR_PORT_ABSENT);
		return FR_TRIE(key);
	case FR_SRC_IP:
		return fr_ip_mask(f, m, &m->src, W);
	case FR_DST_IP:
		return fr_ip_mask(f, m, &m->dst, W);
	case FR_VLAN:
		key = fr_sel(m->nvlan, PARSE_VLAN_ID(m->vlan_tci[0]),
		    FR_VLAN_UNTAGGED);
		key = fr_sel(eth, key, FR_VLAN_ABSENT);
		return FR_TRIE(key);
	case FR_PROTO:
		v = f->raw ? m->l4proto :
		    (uint32_t)fr_sel(m->flags & PARSE_F_L3, m->l4proto, 256);
		break;
	case FR_TCP_FLAGS:
		v = f->raw ? m->tcp_flags :
		    (uint32_t)fr_sel((m->flags & PARSE_F_L4) &&
		    m->l4proto == 6, m->tcp_flags, 256);
		break;
	case FR_ICMP_TYPE:
		v = f->raw ? m->icmp_type :
		    (uint32_t)fr_sel((m->flags & PARSE_F_L4) &&
		    (m->l4proto == 1 || m->l4proto == 58), m->icmp_type, 256);
		break;
	}
	return &f->direct[v * W];
}

/*
 * Field by field over the chunk: each inner loop does one kind of lookup
 * on independent frames, which the CPU overlaps.  (Frame by frame with
 * the set in a register measured slower.)  W is a constant 1 where this
 * is inlined for lists of up to 64 rules.
 */
static inline __attribute__((always_inline)) void
fr_eval(const struct filter_rules *fr, const struct pkt_meta *meta,
    const uint8_t *const *pkt, uint32_t n, uint8_t *verdict, int16_t *rule,
    uint32_t W)
{
	uint64_t acc[FR_CHUNK * (FILTER_RULES_MAX / 64)];
	const struct fr_field *f;
	uint32_t i, w;
	int k, idx;

	/* (pkt[] is only filled in, and read, for MAC fields.) */

	for (i = 0; i < n; i++)
		for (w = 0; w < W; w++)
			acc[i * W + w] = fr->all[w];
	for (k = 0; k < fr->nfields; k++) {
		f = &fr->field[k];
		switch (f->id) {
#define FR_CASE(id)	case id:					\
			for (i = 0; i < n; i++)				\
				fr_and(&acc[i * W], fr_set(f, id,	\
				    &meta[i], pkt[i], W), W);		\
			break
		FR_CASE(FR_SRC_MAC);
		FR_CASE(FR_DST_MAC);
		FR_CASE(FR_ETHERTYPE);
		FR_CASE(FR_VLAN);
		FR_CASE(FR_SRC_IP);
		FR_CASE(FR_DST_IP);
		FR_CASE(FR_PROTO);
		FR_CASE(FR_SRC_PORT);
		FR_CASE(FR_DST_PORT);
		FR_CASE(FR_TCP_FLAGS);
		FR_CASE(FR_ICMP_TYPE);
#undef FR_CASE
		}
	}
	for (i = 0; i < n; i++) {
		idx = -1;
		for (w = 0; w < W; w++) {
			if (acc[i * W + w]) {
				idx = (int)(w * 64) +
				    __builtin_ctzll(acc[i * W + w]);
				break;
			}
		}
		rule[i] = (int16_t)idx;
		verdict[i] = idx >= 0 ? fr->action[idx] : fr->default_action;
	}
}

static void
fr_run_chunk(const struct filter_rules *fr, const struct pkt_meta *meta,
    const uint8_t *const *pkt, uint32_t n, uint8_t *verdict, int16_t *rule)
{
	if (fr->W == 1)
		fr_eval(fr, meta, pkt, n, verdict, rule, 1);
	else
		fr_eval(fr, meta, pkt, n, verdict, rule, fr->W);
}

void
filter_rules_run(const struct filter_rules *fr, const struct pkt_meta *meta,
    struct pkt_buf *const *bufs, uint16_t n, uint8_t *verdict, int16_t *rule)
{
	const uint8_t *pkt[FR_CHUNK] = { NULL };
	uint32_t i, k, c;

	for (i = 0; i < n; i += c) {
		c = n - i < FR_CHUNK ? n - i : FR_CHUNK;
		for (k = 0; k < c && fr->need_pkt; k++)
			pkt[k] = pkt_data(bufs[i + k]);
		fr_run_chunk(fr, meta + i, pkt, c, verdict + i, rule + i);
	}
}

int
filter_rules_match(const struct filter_rules *fr, const struct pkt_meta *meta,
    const uint8_t *pkt)
{
	uint8_t verdict;
	int16_t rule;

	fr_run_chunk(fr, meta, &pkt, 1, &verdict, &rule);
	return rule;
}
