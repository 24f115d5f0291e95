/*
 * filter.h: the two filter engines a forward path can use.
 *
 * Rule lists (filter_rules.c): first match wins, else a default action.
 * They are compiled into one lookup per field in use, each giving the set
 * of rules that field value satisfies as a bit vector; the first bit of the
 * AND of those sets is the matching rule.
 *
 * tcpdump expressions (filter_bpf.c): compiled by libpcap into classic BPF,
 * then into x86-64 code (filter_jit.c), or on other machines run by a
 * pre-decoded threaded interpreter.  The verdict is libpcap's, bit for bit.
 *
 * Compiling allocates and may make system calls; it runs on the control
 * thread.  A compiled filter is immutable and self-contained, so workers
 * can keep running an old one while a new one is being built.  Running a
 * filter never allocates, locks, logs or makes a system call.
 */
#ifndef IXFWD_FILTER_H
#define IXFWD_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/bpf.h>

#include "mempool.h"
#include "parse.h"

#define FILTER_DROP		0
#define FILTER_PASS		1

/*
 * Rule lists.
 */
#define FILTER_RULES_MAX	1024

/* filter_rule.match: the fields a rule looks at; the others match all. */
#define FILTER_M_SRC_MAC	0x0001
#define FILTER_M_DST_MAC	0x0002
#define FILTER_M_ETHERTYPE	0x0004	/* after VLAN tags */
#define FILTER_M_VLAN		0x0008	/* outer VLAN id, or untagged */
#define FILTER_M_SRC_IP		0x0010	/* IPv4 or IPv6 prefix */
#define FILTER_M_DST_IP		0x0020
#define FILTER_M_PROTO		0x0040	/* IP protocol after IPv6 ext headers */
#define FILTER_M_SRC_PORT	0x0080	/* TCP, UDP, SCTP port range */
#define FILTER_M_DST_PORT	0x0100
#define FILTER_M_TCP_FLAGS	0x0200	/* (flags & mask) == value */
#define FILTER_M_ICMP_TYPE	0x0400	/* ICMP or ICMPv6 type */
#define FILTER_M_ALL		0x07ff

#define FILTER_VLAN_UNTAGGED	0xffff

struct filter_prefix {
	uint8_t		af;		/* 4 or 6 */
	uint8_t		plen;		/* 0..32 or 0..128 */
	uint8_t		addr[16];	/* network order; IPv4 in addr[0..3] */
};

/*
 * One rule.  A field the packet does not have never matches a rule that
 * looks at it: a port range needs a TCP, UDP or SCTP header with ports
 * (not a non-first fragment), an IP prefix an IP packet of its family,
 * TCP flags a TCP header, an ICMP type an ICMP or ICMPv6 header, MACs and
 * the ethertype a full Ethernet header.
 */
struct filter_rule {
	int		 action;	/* FILTER_PASS or FILTER_DROP */
	uint32_t	 match;		/* FILTER_M_* */
	uint8_t		 src_mac[6];
	uint8_t		 dst_mac[6];
	uint16_t	 ethertype;
	uint16_t	 vlan;		/* 0..4095 or FILTER_VLAN_UNTAGGED */
	struct filter_prefix src;
	struct filter_prefix dst;
	uint8_t		 proto;
	uint8_t		 tcp_flags_mask;
	uint8_t		 tcp_flags;
	uint8_t		 icmp_type;
	uint16_t	 src_port_lo, src_port_hi;	/* inclusive */
	uint16_t	 dst_port_lo, dst_port_hi;
};

struct filter_rules;

/* NULL with the reason in err (which names the rule) on error. */
struct filter_rules *filter_rules_compile(const struct filter_rule *rules,
		    int n, int default_action, char *err, size_t errlen);
void		 filter_rules_free(struct filter_rules *fr);
int		 filter_rules_count(const struct filter_rules *fr);
/*
 * n parsed frames: verdict[i] is FILTER_PASS or FILTER_DROP, rule[i] the
 * index of the rule that decided, -1 for the default action.  bufs give
 * the frames for the MAC fields.
 */
void		 filter_rules_run(const struct filter_rules *fr,
		    const struct pkt_meta *meta, struct pkt_buf *const *bufs,
		    uint16_t n, uint8_t *verdict, int16_t *rule);
/* One frame: the index of the matching rule, or -1. */
int		 filter_rules_match(const struct filter_rules *fr,
		    const struct pkt_meta *meta, const uint8_t *pkt);
/* The action of rule idx, or the default action for -1. */
int		 filter_rules_action(const struct filter_rules *fr, int idx);

/*
 * tcpdump expressions.
 */
struct filter_bpf_prog;

struct filter_bpf {
	/* Native code, or the interpreter. */
	uint32_t	(*run)(const struct filter_bpf_prog *,
			    const uint8_t *, uint32_t);
	const struct filter_bpf_prog *prog;
};

/*
 * expr for a link type (DLT_EN10MB) and snapshot length; NULL with
 * libpcap's message in err for an invalid expression.
 */
struct filter_bpf *filter_bpf_compile(const char *expr, int linktype,
		    int snaplen, char *err, size_t errlen);
/* A classic BPF program as it is; NULL if it is not valid. */
struct filter_bpf *filter_bpf_load(const struct bpf_insn *insns,
		    unsigned int n, char *err, size_t errlen);
void		 filter_bpf_free(struct filter_bpf *f);
/* 1 if native code runs the program, 0 if the interpreter does. */
int		 filter_bpf_jitted(const struct filter_bpf *f);
/* The program, as libpcap compiled it. */
const struct bpf_insn *filter_bpf_insns(const struct filter_bpf *f,
		    unsigned int *n);
/* The interpreter, whatever run is: for cross-checks and benchmarks. */
uint32_t	 filter_bpf_interp(const struct filter_bpf *f,
		    const uint8_t *pkt, uint32_t len);
/*
 * The program's return value for a frame of len bytes (the wire length
 * too): non-zero accepts, 0 rejects, exactly as pcap_offline_filter().
 */
static inline uint32_t
filter_bpf_run(const struct filter_bpf *f, const uint8_t *pkt, uint32_t len)
{
	return f->run(f->prog, pkt, len);
}

/* n frames: verdict[i] is FILTER_PASS or FILTER_DROP. */
void		 filter_bpf_run_batch(const struct filter_bpf *f,
		    struct pkt_buf *const *bufs, uint16_t n, uint8_t *verdict);

#endif /* IXFWD_FILTER_H */
