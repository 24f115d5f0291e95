/*
 * conf_rules.c: the rules: list of a path (a forward entry or the
 * bridge), each rule a mapping into a struct filter_rule.  The values are
 * parsed in conf_match.c; conf_rule_end() checks the keys of one rule
 * against each other, conf_path_end() (conf_forward.c) compiles the list.
 */
#include <stdlib.h>
#include <bsd/string.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

static void	conf_set_action(CONF_SET_ARGS);
static void	conf_set_rule_mac(CONF_SET_ARGS);
static void	conf_set_ethertype(CONF_SET_ARGS);
static void	conf_set_rule_vlan(CONF_SET_ARGS);
static void	conf_set_prefix(CONF_SET_ARGS);
static void	conf_set_proto(CONF_SET_ARGS);
static void	conf_set_ports_range(CONF_SET_ARGS);
static void	conf_set_tcp_flags(CONF_SET_ARGS);

/* One rule of a rules list: into a struct filter_rule. */
static const struct conf_key conf_rule_keys[] = {
	{ .name = "action", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_action,
	  .desc = "pass or drop: what happens to a frame the rule matches." },
	{ .name = "src_mac", .type = CONF_T_STRING, .set = conf_set_rule_mac,
	  .desc = "The source MAC address, 02:00:00:00:00:01." },
	{ .name = "dst_mac", .type = CONF_T_STRING, .set = conf_set_rule_mac,
	  .desc = "The destination MAC address." },
	{ .name = "ethertype", .type = CONF_T_STRING,
	  .set = conf_set_ethertype,
	  .desc = "The ethertype after any VLAN tags, 0x0600..0xffff, or "
	    "ipv4, ipv6, arp, rarp, lldp, mpls." },
	{ .name = "vlan", .type = CONF_T_STRING, .set = conf_set_rule_vlan,
	  .desc = "The VLAN id of the outer tag, 0..4095, or untagged." },
	{ .name = "src", .type = CONF_T_STRING, .set = conf_set_prefix,
	  .desc = "The source address: an IPv4 or IPv6 prefix such as "
	    "10.0.0.0/8 or 2001:db8::/32, or one address." },
	{ .name = "dst", .type = CONF_T_STRING, .set = conf_set_prefix,
	  .desc = "The destination address, likewise." },
	{ .name = "proto", .type = CONF_T_STRING, .set = conf_set_proto,
	  .desc = "The IP protocol: tcp, udp, icmp, icmp6, sctp, gre, esp, "
	    "ah, or 0..255." },
	{ .name = "src_port", .type = CONF_T_STRING,
	  .set = conf_set_ports_range,
	  .desc = "The TCP, UDP or SCTP source port, 0..65535, or a range "
	    "such as 1000-2000." },
	{ .name = "dst_port", .type = CONF_T_STRING,
	  .set = conf_set_ports_range,
	  .desc = "The destination port or range, likewise." },
	{ .name = "tcp_flags", .type = CONF_T_STRING,
	  .set = conf_set_tcp_flags,
	  .desc = "TCP flags that must be set, and with ! in front clear: "
	    "\"syn !ack\"; fin syn rst psh ack urg ece cwr." },
	{ .name = "icmp_type", .type = CONF_T_STRING,
	  .desc = "The ICMP or ICMPv6 type, 0..255, or a name such as "
	    "echo-request." },
};

const struct conf_table conf_rule_table =
    CONF_TABLE("rule", "in rule", conf_rule_keys);

CONF_FITS(conf_rule_keys);

/* What the rule's other keys imply about the address family: 4, 6, 0
 * (nothing), -1 (not IP: another ethertype). */
static int
conf_rule_family(const struct filter_rule *r)
{
	if (r->match & FILTER_M_SRC_IP)
		return r->src.af;
	if (r->match & FILTER_M_DST_IP)
		return r->dst.af;
	if (r->match & FILTER_M_ETHERTYPE)
		return r->ethertype == 0x0800 ? 4 :
		    r->ethertype == 0x86dd ? 6 : -1;
	return 0;
}

/* Checks of one rule that need all its keys. */
static void
conf_rule_end(struct conf_parse *p, struct filter_rule *r,
    struct conf_seen *seen)
{
	static const char *const ipkeys[] = {
		"src", "dst", "proto", "src_port", "dst_port", "tcp_flags",
		"icmp_type",
	};
	const struct conf_table *t = &conf_rule_table;
	struct conf_seen *s, *et;
	char a[64], b[64], pn[16], err[CONF_QUOTE_MAX + 256];
	size_t i;
	int fam;

	if ((r->match & FILTER_M_SRC_IP) && (r->match & FILTER_M_DST_IP) &&
	    r->src.af != r->dst.af) {
		s = conf_seen_key(t, seen, "dst");
		conf_err(p, s->val, "dst: %s is IPv%d but src %s is IPv%d; a "
		    "rule matches one address family",
		    conf_match_prefix_str(&r->dst, a, sizeof(a)), r->dst.af,
		    conf_match_prefix_str(&r->src, b, sizeof(b)), r->src.af);
		r->match &= ~FILTER_M_DST_IP;
	}
	if ((et = conf_seen_key(t, seen, "ethertype")) != NULL &&
	    (r->match & FILTER_M_ETHERTYPE)) {
		fam = r->ethertype == 0x0800 ? 4 :
		    r->ethertype == 0x86dd ? 6 : -1;
		for (i = 0; i < sizeof(ipkeys) / sizeof(ipkeys[0]); i++) {
			if ((s = conf_seen_key(t, seen, ipkeys[i])) == NULL)
				continue;
			if (fam == -1) {
				conf_err(p, et->val, "ethertype: 0x%04x is "
				    "not IP, but the rule matches %s: it "
				    "could never match", r->ethertype,
				    ipkeys[i]);
				break;
			}
			if (i < 2 && (r->match & (i == 0 ? FILTER_M_SRC_IP :
			    FILTER_M_DST_IP)) && (i == 0 ? r->src.af :
			    r->dst.af) != fam) {
				conf_err(p, et->val, "ethertype: 0x%04x is "
				    "IPv%d, but %s is IPv%d: the rule could "
				    "never match", r->ethertype, fam,
				    ipkeys[i], fam == 4 ? 6 : 4);
				break;
			}
		}
	}
	if (r->match & FILTER_M_PROTO) {
		conf_match_proto_name(r->proto, pn, sizeof(pn));
		if (r->proto != 6 && r->proto != 17 && r->proto != 132) {
			if ((s = conf_seen_key(t, seen, "src_port")) != NULL)
				conf_err(p, s->key, "src_port: proto %s has "
				    "no ports; ports need tcp, udp or sctp",
				    pn);
			if ((s = conf_seen_key(t, seen, "dst_port")) != NULL)
				conf_err(p, s->key, "dst_port: proto %s has "
				    "no ports; ports need tcp, udp or sctp",
				    pn);
			r->match &= ~(FILTER_M_SRC_PORT | FILTER_M_DST_PORT);
		}
		if (r->proto != 6 &&
		    (s = conf_seen_key(t, seen, "tcp_flags")) != NULL) {
			conf_err(p, s->key, "tcp_flags: proto %s has no TCP "
			    "flags", pn);
			r->match &= ~FILTER_M_TCP_FLAGS;
		}
		if (r->proto != 1 && r->proto != 58 &&
		    (s = conf_seen_key(t, seen, "icmp_type")) != NULL) {
			conf_err(p, s->key, "icmp_type: proto %s has no ICMP "
			    "type; that needs icmp or icmp6", pn);
			return;
		}
	}
	if ((s = conf_seen_key(t, seen, "icmp_type")) != NULL) {
		if (r->match & FILTER_M_PROTO)
			fam = r->proto == 1 ? 4 : 6;
		else if ((fam = conf_rule_family(r)) < 0)
			return;		/* said above */
		if (conf_match_icmp_type(conf_text(s->val), fam,
		    &r->icmp_type, err, sizeof(err)) == -1) {
			conf_err(p, s->val, "icmp_type: %s", err);
			return;
		}
		r->match |= FILTER_M_ICMP_TYPE;
	}
}

/* Rule i of a path (obj). */
static void
conf_rule_entry(struct conf_parse *p, void *obj, int i, yaml_node_t *n)
{
	struct conf_path *path = obj;
	struct conf_seen seen[CONF_KEYS_MAX];
	struct filter_rule *r = &(*path->rules)[i];

	(*path->rule_line)[i] = conf_line(n);
	conf_walk(p, n, &conf_rule_table, r, seen);
	conf_rule_end(p, r, seen);
}

/* rules: [ {rule}, ... ] */
void
conf_set_rules(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const struct conf_list list = {
		.max = CONF_RULES_MAX, .noun = "rules",
		.example = "such as { action: drop, proto: tcp, dst_port: 23 }",
		.entry = conf_rule_entry,
	};
	struct conf_path *path = obj;
	size_t nitems;
	int before = p->nerrs + p->nomem;

	(void)key;
	nitems = val->data.sequence.items.top - val->data.sequence.items.start;
	if (nitems == 0) {
		path->rules_ok = 1;
		return;
	}
	if (nitems > CONF_RULES_MAX)
		nitems = CONF_RULES_MAX;
	*path->rules = calloc(nitems, sizeof(**path->rules));
	*path->rule_line = calloc(nitems, sizeof(**path->rule_line));
	if (*path->rules == NULL || *path->rule_line == NULL) {
		conf_err(p, val, "rules: out of memory");
		return;
	}
	conf_walk_list(p, k, val, &list, path->nrules, path);
	path->rules_ok = p->nerrs + p->nomem == before;
}

/*
 * The keys of one rule, into its struct filter_rule.
 */

static void
conf_set_action(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	int a;

	(void)key;
	if ((a = conf_action(p, k, val)) >= 0)
		r->action = a;
}

static void
conf_set_rule_mac(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	char err[CONF_QUOTE_MAX + 64];
	int src = strcmp(k->name, "src_mac") == 0;

	(void)key;
	if (conf_match_mac(conf_text(val), src ? r->src_mac : r->dst_mac, err,
	    sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	r->match |= src ? FILTER_M_SRC_MAC : FILTER_M_DST_MAC;
}

static void
conf_set_ethertype(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	char err[CONF_QUOTE_MAX + 128];

	(void)key;
	if (conf_match_ethertype(conf_text(val), &r->ethertype, err,
	    sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	r->match |= FILTER_M_ETHERTYPE;
}

static void
conf_set_rule_vlan(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	char err[CONF_QUOTE_MAX + 64];
	uint16_t hi;

	(void)key;
	if (conf_match_vlan(conf_text(val), 0, &r->vlan, &hi, err,
	    sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	r->match |= FILTER_M_VLAN;
}

static void
conf_set_prefix(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	char err[CONF_QUOTE_MAX + 128];
	int src = strcmp(k->name, "src") == 0;

	(void)key;
	if (conf_match_prefix(conf_text(val), src ? &r->src : &r->dst, err,
	    sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	r->match |= src ? FILTER_M_SRC_IP : FILTER_M_DST_IP;
}

static void
conf_set_proto(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	char err[CONF_QUOTE_MAX + 128];

	(void)key;
	if (conf_match_proto(conf_text(val), &r->proto, err,
	    sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	r->match |= FILTER_M_PROTO;
}

static void
conf_set_ports_range(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	char err[CONF_QUOTE_MAX + 64];
	int src = strcmp(k->name, "src_port") == 0;

	(void)key;
	if (conf_match_ports(conf_text(val), src ? &r->src_port_lo :
	    &r->dst_port_lo, src ? &r->src_port_hi : &r->dst_port_hi, err,
	    sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	r->match |= src ? FILTER_M_SRC_PORT : FILTER_M_DST_PORT;
}

static void
conf_set_tcp_flags(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct filter_rule *r = obj;
	char err[CONF_QUOTE_MAX + 128];

	(void)key;
	if (conf_match_tcp_flags(conf_text(val), &r->tcp_flags_mask,
	    &r->tcp_flags, err, sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	r->match |= FILTER_M_TCP_FLAGS;
}
