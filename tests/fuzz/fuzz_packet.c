/*
 * fuzz_packet: the packet path on any frame.
 *
 * Input: bits 1:0 of byte 0 say how many rules (0..3) follow, RULE_BYTES
 * each (fuzz_rule: every field from the bytes, ranges and prefixes made
 * valid); bit 2 is the default action; the rest, cut to 9728 bytes, is
 * the frame.
 *
 * - parse_pkt/parse_batch read nothing past the frame (ASan: the frame
 *   is a heap copy of exactly its length);
 * - every expression of a fixed list, compiled by filter_bpf_compile,
 *   gives libpcap's pcap_offline_filter() verdict on the frame: the
 *   native code and the interpreter alike, one frame or a batch (the
 *   native code reads the frame just before a page without access);
 * - fixed rule lists and the rules of the input (when they compile) run
 *   without a crash, and the batch verdict agrees with the one-frame
 *   match.
 */
#include <pcap/pcap.h>

#include "fuzz.h"

#include "filter.h"
#include "parse.h"

#define FRAME_MAX	9728
#define RULE_BYTES	68

static const char *const fuzz_exprs[] = {
	"ip", "ip6", "arp", "tcp", "udp", "icmp", "icmp6", "sctp",
	"vlan", "vlan 100", "vlan and ip", "vlan and vlan 20 and udp",
	"mpls", "pppoes",
	"tcp port 80", "udp dst port 53", "portrange 1000-2000",
	"host 10.0.0.1", "net 192.168.0.0/16", "src net 10.0.0.0/8 and tcp",
	"ip6 host fe80::1", "ip6 net 2001:db8::/32 and tcp",
	"ether host 02:00:00:00:00:01", "ether broadcast", "ether multicast",
	"ether proto 0x88cc",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"ip[6:2] & 0x1fff != 0", "ip[8] < 5", "len > 1500", "less 64",
	"greater 9000", "ip proto 47", "ip6 proto 58",
	"icmp[icmptype] == icmp-echo", "udp[8:4] == 0x12345678",
	"ether[0] & 1 = 0 and ip[2:2] > 1000",
	"ip and (tcp port 22 or udp port 123) and not net 127.0.0.0/8",
	"ip multicast", "ip6 multicast",
	"tcp[13] & 7 != 0 or udp[4:2] < 8",
	"ether[12:2] = 0x0800 and ip[0] & 0xf > 5",
	"ip[0:4] * 3 - 7 > ip[4:4] / 2 % 11",
	"(ether[14] << 2) + (ether[15] >> 1) = 100",
};
#define NEXPRS	(sizeof(fuzz_exprs) / sizeof(fuzz_exprs[0]))

static struct filter_bpf *fuzz_bpf[NEXPRS];
static struct bpf_program fuzz_pcap[NEXPRS];
static struct filter_rules *fuzz_rules[3];

static void
fuzz_init(void)
{
	static const struct filter_rule r0[] = {
		{ .action = FILTER_DROP, .match = FILTER_M_PROTO |
		    FILTER_M_DST_PORT, .proto = 6, .dst_port_lo = 22,
		    .dst_port_hi = 22 },
		{ .action = FILTER_PASS, .match = FILTER_M_SRC_IP,
		    .src = { .af = 4, .plen = 8, .addr = { 10 } } },
		{ .action = FILTER_PASS, .match = FILTER_M_DST_IP,
		    .dst = { .af = 6, .plen = 32,
		    .addr = { 0x20, 0x01, 0x0d, 0xb8 } } },
		{ .action = FILTER_DROP, .match = FILTER_M_TCP_FLAGS,
		    .tcp_flags_mask = 0x12, .tcp_flags = 0x02 },
	};
	static const struct filter_rule r1[] = {
		{ .action = FILTER_PASS, .match = FILTER_M_VLAN, .vlan = 100 },
		{ .action = FILTER_DROP, .match = FILTER_M_VLAN,
		    .vlan = FILTER_VLAN_UNTAGGED },
		{ .action = FILTER_PASS, .match = FILTER_M_ETHERTYPE,
		    .ethertype = 0x86dd },
		{ .action = FILTER_PASS, .match = FILTER_M_ICMP_TYPE,
		    .icmp_type = 8 },
	};
	static const struct filter_rule r2[] = {
		{ .action = FILTER_PASS, .match = FILTER_M_SRC_MAC |
		    FILTER_M_DST_MAC, .src_mac = { 2, 0, 0, 0, 0, 1 },
		    .dst_mac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ .action = FILTER_DROP, .match = FILTER_M_SRC_PORT |
		    FILTER_M_DST_PORT, .src_port_lo = 1024,
		    .src_port_hi = 65535, .dst_port_lo = 0,
		    .dst_port_hi = 1023 },
	};
	char err[512];
	pcap_t *p;
	size_t i;

	if ((p = pcap_open_dead(DLT_EN10MB, 65535)) == NULL)
		fuzz_fail("pcap_open_dead");
	for (i = 0; i < NEXPRS; i++) {
		fuzz_bpf[i] = filter_bpf_compile(fuzz_exprs[i], DLT_EN10MB,
		    65535, err, sizeof(err));
		if (fuzz_bpf[i] == NULL)
			fuzz_fail("\"%s\": %s", fuzz_exprs[i], err);
		if (pcap_compile(p, &fuzz_pcap[i], fuzz_exprs[i], 1,
		    PCAP_NETMASK_UNKNOWN) == -1)
			fuzz_fail("\"%s\": libpcap: %s", fuzz_exprs[i],
			    pcap_geterr(p));
	}
	pcap_close(p);
	fuzz_rules[0] = filter_rules_compile(r0, 4, FILTER_PASS, err,
	    sizeof(err));
	fuzz_rules[1] = filter_rules_compile(r1, 4, FILTER_DROP, err,
	    sizeof(err));
	fuzz_rules[2] = filter_rules_compile(r2, 2, FILTER_PASS, err,
	    sizeof(err));
	for (i = 0; i < 3; i++)
		if (fuzz_rules[i] == NULL)
			fuzz_fail("rule list %zu: %s", i, err);
}

static uint16_t
fuzz_le16(const uint8_t *b)
{
	return b[0] | b[1] << 8;
}

static void
fuzz_prefix(struct filter_prefix *p, const uint8_t *b)
{
	int i, bits;

	p->af = b[0] & 1 ? 6 : 4;
	p->plen = b[1] % (p->af == 4 ? 33 : 129);
	memcpy(p->addr, b + 2, 16);
	/* no host bits: the rule compiler takes prefixes as conf makes them */
	for (i = 0; i < 16; i++) {
		bits = p->plen - i * 8;
		if (bits <= 0)
			p->addr[i] = 0;
		else if (bits < 8)
			p->addr[i] &= (uint8_t)(0xff << (8 - bits));
	}
	if (p->af == 4)
		memset(p->addr + 4, 0, 12);
}

/* A rule from RULE_BYTES bytes. */
static void
fuzz_rule(struct filter_rule *r, const uint8_t *b)
{
	uint16_t lo, hi, v;
	uint8_t d[18];

	memset(r, 0, sizeof(*r));
	r->action = b[0] & 1 ? FILTER_PASS : FILTER_DROP;
	r->match = fuzz_le16(b + 1) & FILTER_M_ALL;
	memcpy(r->src_mac, b + 3, 6);
	memcpy(r->dst_mac, b + 9, 6);
	r->ethertype = fuzz_le16(b + 15);
	v = fuzz_le16(b + 17);
	r->vlan = v & 0x8000 ? FILTER_VLAN_UNTAGGED : v & 0x0fff;
	fuzz_prefix(&r->src, b + 19);
	/* mostly the source's family, which a rule with both needs */
	memcpy(d, b + 37, sizeof(d));
	if ((b[67] & 1) == 0)
		d[0] = b[19];
	fuzz_prefix(&r->dst, d);
	r->proto = b[55];
	r->tcp_flags_mask = b[56];
	r->tcp_flags = b[57] & b[56];
	r->icmp_type = b[58];
	lo = fuzz_le16(b + 59);
	hi = fuzz_le16(b + 61);
	r->src_port_lo = lo < hi ? lo : hi;
	r->src_port_hi = lo < hi ? hi : lo;
	lo = fuzz_le16(b + 63);
	hi = fuzz_le16(b + 65);
	r->dst_port_lo = lo < hi ? lo : hi;
	r->dst_port_hi = lo < hi ? hi : lo;
}

/*
 * What filter.h says a rule matches, field by field: the reference the
 * compiled rule lists are checked against.
 */
static int
fuzz_prefix_has(const struct filter_prefix *p, const struct pkt_meta *m,
    const union parse_addr *a)
{
	int i, bits;

	if (!(m->flags & PARSE_F_L3) ||
	    m->l3 != (p->af == 4 ? PARSE_L3_IPV4 : PARSE_L3_IPV6))
		return 0;
	for (i = 0; i < (p->af == 4 ? 4 : 16); i++) {
		bits = p->plen - i * 8;
		if (bits <= 0)
			break;
		if ((a->a6[i] ^ p->addr[i]) &
		    (bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits))))
			return 0;
	}
	return 1;
}

static int
fuzz_rule_has(const struct filter_rule *r, const struct pkt_meta *m,
    const uint8_t *pkt)
{
	int eth = m->len >= PARSE_ETH_HLEN, l4 = (m->flags & PARSE_F_L4) != 0;
	uint32_t x = r->match;

	if ((x & FILTER_M_SRC_MAC) && (!eth || memcmp(pkt + 6, r->src_mac, 6)))
		return 0;
	if ((x & FILTER_M_DST_MAC) && (!eth || memcmp(pkt, r->dst_mac, 6)))
		return 0;
	if ((x & FILTER_M_ETHERTYPE) && (!eth || m->ethertype != r->ethertype))
		return 0;
	if ((x & FILTER_M_VLAN) && (!eth || (m->nvlan > 0 ?
	    PARSE_VLAN_ID(m->vlan_tci[0]) : FILTER_VLAN_UNTAGGED) != r->vlan))
		return 0;
	if ((x & FILTER_M_SRC_IP) && !fuzz_prefix_has(&r->src, m, &m->src))
		return 0;
	if ((x & FILTER_M_DST_IP) && !fuzz_prefix_has(&r->dst, m, &m->dst))
		return 0;
	if ((x & FILTER_M_PROTO) &&
	    (!(m->flags & PARSE_F_L3) || m->l4proto != r->proto))
		return 0;
	if ((x & FILTER_M_SRC_PORT) && (!(m->flags & PARSE_F_PORTS) ||
	    m->sport < r->src_port_lo || m->sport > r->src_port_hi))
		return 0;
	if ((x & FILTER_M_DST_PORT) && (!(m->flags & PARSE_F_PORTS) ||
	    m->dport < r->dst_port_lo || m->dport > r->dst_port_hi))
		return 0;
	if ((x & FILTER_M_TCP_FLAGS) && (!l4 || m->l4proto != 6 ||
	    (m->tcp_flags & r->tcp_flags_mask) != r->tcp_flags))
		return 0;
	if ((x & FILTER_M_ICMP_TYPE) && (!l4 ||
	    (m->l4proto != 1 && m->l4proto != 58) ||
	    m->icmp_type != r->icmp_type))
		return 0;
	return 1;
}

static int
fuzz_rules_ref(const struct filter_rule *r, int n, const struct pkt_meta *m,
    const uint8_t *pkt)
{
	int i;

	for (i = 0; i < n; i++)
		if (fuzz_rule_has(&r[i], m, pkt))
			return i;
	return -1;
}

static void
fuzz_run_rules(const struct filter_rules *fr, const struct pkt_meta *m,
    struct pkt_buf *b, const uint8_t *frame)
{
	struct pkt_buf *bufs[1] = { b };
	uint8_t verdict;
	int16_t rule;
	int idx;

	idx = filter_rules_match(fr, m, frame);
	if (idx < -1 || idx >= filter_rules_count(fr))
		fuzz_fail("rule index %d of %d", idx, filter_rules_count(fr));
	filter_rules_run(fr, m, bufs, 1, &verdict, &rule);
	if (rule != idx || verdict != filter_rules_action(fr, idx))
		fuzz_fail("rules: batch says rule %d verdict %u, one frame "
		    "rule %d action %d", rule, verdict, idx,
		    filter_rules_action(fr, idx));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct filter_rule in[3];
	struct filter_rules *fr = NULL;
	struct pkt_meta m, mb;
	struct pkt_buf *b, *bufs[1];
	struct pcap_pkthdr h;
	const uint8_t *g;
	uint32_t len, jit, interp, want;
	uint8_t verdict;
	size_t i, nr = 0, blen;
	int def = FILTER_DROP, idx;
	char err[512];

	if (!inited) {
		fuzz_init();
		inited = 1;
	}
	if (size > 0) {
		nr = data[0] & 3;
		def = data[0] & 4 ? FILTER_PASS : FILTER_DROP;
		data++;
		size--;
		if (size < nr * RULE_BYTES)
			nr = 0;
		for (i = 0; i < nr; i++)
			fuzz_rule(&in[i], data + i * RULE_BYTES);
		data += nr * RULE_BYTES;
		size -= nr * RULE_BYTES;
	}
	len = size > FRAME_MAX ? FRAME_MAX : size;

	/* the frame in a buffer of exactly its length (aligned_alloc's
	 * size is a multiple of the alignment: the frame ends the buffer) */
	blen = (sizeof(*b) + len + 63) & ~(size_t)63;
	if ((b = aligned_alloc(64, blen)) == NULL)
		return 0;
	memset(b, 0, sizeof(*b));
	b->len = len;
	b->data_off = blen - sizeof(*b) - len;
	if (len > 0)
		memcpy(pkt_data(b), data, len);
	bufs[0] = b;
	parse_pkt(pkt_data(b), len, &m);
	parse_batch(bufs, 1, &mb);
	if (memcmp(&m, &mb, sizeof(m)) != 0)
		fuzz_fail("parse_batch and parse_pkt differ");
	if (m.len != len || m.err >= PARSE_ERR_MAX ||
	    ((m.flags & PARSE_F_MALFORMED) != 0) != (m.err != 0) ||
	    m.l3_off > len || m.l4_off > len)
		fuzz_fail("parse: len %u err %u flags 0x%x l3 %u l4 %u",
		    m.len, m.err, m.flags, m.l3_off, m.l4_off);

	g = fuzz_guarded(data, len);
	h.caplen = h.len = len;
	h.ts.tv_sec = h.ts.tv_usec = 0;
	for (i = 0; i < NEXPRS; i++) {
		want = pcap_offline_filter(&fuzz_pcap[i], &h, data);
		jit = filter_bpf_run(fuzz_bpf[i], g, len);
		interp = filter_bpf_interp(fuzz_bpf[i], g, len);
		if (jit != want || interp != want)
			fuzz_fail("\"%s\" on %u bytes: libpcap %u, ixfwd %u "
			    "(%s), interpreter %u", fuzz_exprs[i], len, want,
			    jit, filter_bpf_jitted(fuzz_bpf[i]) ? "native" :
			    "interpreted", interp);
		filter_bpf_run_batch(fuzz_bpf[i], bufs, 1, &verdict);
		if (verdict != (want ? FILTER_PASS : FILTER_DROP))
			fuzz_fail("\"%s\" on %u bytes: batch verdict %u, "
			    "libpcap %u", fuzz_exprs[i], len, verdict, want);
	}

	for (i = 0; i < 3; i++)
		fuzz_run_rules(fuzz_rules[i], &m, b, pkt_data(b));
	if (nr > 0 && (fr = filter_rules_compile(in, nr, def, err,
	    sizeof(err))) != NULL) {
		fuzz_run_rules(fr, &m, b, pkt_data(b));
		idx = filter_rules_match(fr, &m, pkt_data(b));
		if (idx != fuzz_rules_ref(in, nr, &m, pkt_data(b)))
			fuzz_fail("%zu rules: rule %d matches, filter.h says "
			    "%d", nr, idx, fuzz_rules_ref(in, nr, &m,
			    pkt_data(b)));
		filter_rules_free(fr);
	}
	free(b);
	return 0;
}
