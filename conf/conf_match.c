/*
 * conf_match.c: the values of rule lists and VLAN lists, from the text
 * the file gives to the fields of a struct filter_rule.
 *
 * Each parser takes the scalar's text whether it was quoted or not (a rule
 * value is a number or a name, and `dst_port: 1000-2000' is a string to
 * YAML anyway), returns 0 or -1, and on -1 says in err what is wrong with
 * the value; the caller puts the key's name and the position in front.
 * Numbers follow the integers of the rest of the file: decimal or 0x hex,
 * no leading zero, here without a sign.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <bsd/string.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_priv.h"

#define CONF_MATCH_QUOTE	64

struct conf_match_name {
	const char	*name;
	int		 v4, v6;	/* ICMP: -1 where there is none */
};

static const struct conf_match_name conf_ethertypes[] = {
	{ "ipv4", 0x0800, 0 },
	{ "ipv6", 0x86dd, 0 },
	{ "arp", 0x0806, 0 },
	{ "rarp", 0x8035, 0 },
	{ "lldp", 0x88cc, 0 },
	{ "mpls", 0x8847, 0 },
};

static const struct conf_match_name conf_protos[] = {
	{ "tcp", 6, 0 },
	{ "udp", 17, 0 },
	{ "icmp", 1, 0 },
	{ "icmp6", 58, 0 },
	{ "sctp", 132, 0 },
	{ "gre", 47, 0 },
	{ "esp", 50, 0 },
	{ "ah", 51, 0 },
};

/* ICMP (RFC 792, 950, 1256) and ICMPv6 (RFC 4443, 4861) type names. */
static const struct conf_match_name conf_icmp_types[] = {
	{ "echo-reply",			0,	129 },
	{ "dest-unreachable",		3,	1 },
	{ "source-quench",		4,	-1 },
	{ "redirect",			5,	137 },
	{ "echo-request",		8,	128 },
	{ "router-advertisement",	9,	134 },
	{ "router-solicitation",	10,	133 },
	{ "time-exceeded",		11,	3 },
	{ "parameter-problem",		12,	4 },
	{ "timestamp-request",		13,	-1 },
	{ "timestamp-reply",		14,	-1 },
	{ "packet-too-big",		-1,	2 },
	{ "neighbor-solicitation",	-1,	135 },
	{ "neighbor-advertisement",	-1,	136 },
};

#define CONF_NNAMES(a)	((int)(sizeof(a) / sizeof((a)[0])))

static const char *const conf_tcp_flag_names[8] = {
	"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr",
};

/* The entry of names called s (any case), or NULL. */
static const struct conf_match_name *
conf_match_lookup(const struct conf_match_name *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcasecmp(names[i].name, s) == 0)
			return &names[i];
	return NULL;
}

/* "tcp, udp, ..." */
static const char *
conf_match_list(const struct conf_match_name *names, int n, char *buf,
    size_t len)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(buf, ", ", len);
		strlcat(buf, names[i].name, len);
	}
	return buf;
}

/*
 * An unsigned number of [s, end): decimal or 0x hex, no leading zero.
 * 0 with *v set; -1 not a number; -2 leading zero; -3 above max.
 */
static int
conf_match_num(const char *s, const char *end, unsigned long max,
    unsigned long *v)
{
	unsigned long d;
	int base = 10;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (end - s > 1 && s[0] == '0' &&
	    isdigit((unsigned char)s[1]))
		return -2;
	if (s == end)
		return -1;
	for (*v = 0; s < end; s++) {
		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return -1;
		*v = *v * base + d;
		if (*v > max)
			return -3;
	}
	return 0;
}

/* conf_match_num() on the whole of s. */
static int
conf_match_whole(const char *s, unsigned long max, unsigned long *v)
{
	return conf_match_num(s, s + strlen(s), max, v);
}

/* Two hex digits at s. */
static int
conf_hex2(const char *s, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 2; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
		    tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return 0;
}

int
conf_match_mac(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	char q[CONF_MATCH_QUOTE];
	unsigned int b;
	int i;

	if (strlen(s) != 17)
		goto bad;
	for (i = 0; i < 6; i++) {
		if (conf_hex2(s + 3 * i, &b) == -1 ||
		    (i < 5 && s[3 * i + 2] != ':'))
			goto bad;
		mac[i] = (uint8_t)b;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s is not a MAC address such as "
	    "02:00:00:00:00:01", conf_quote(s, q, sizeof(q)));
	return -1;
}

int
conf_match_ethertype(const char *s, uint16_t *et, char *err, size_t errlen)
{
	const struct conf_match_name *n;
	char q[CONF_MATCH_QUOTE], names[128];
	unsigned long v;
	int r;

	if ((n = conf_match_lookup(conf_ethertypes,
	    CONF_NNAMES(conf_ethertypes), s)) != NULL) {
		*et = (uint16_t)n->v4;
		return 0;
	}
	if ((r = conf_match_whole(s, 0xffffffUL, &v)) == -1 || r == -2) {
		snprintf(err, errlen, "%s is not an ethertype: 0x0600 to "
		    "0xffff, or one of %s", conf_quote(s, q, sizeof(q)),
		    conf_match_list(conf_ethertypes,
		    CONF_NNAMES(conf_ethertypes), names, sizeof(names)));
		return -1;
	}
	if (r == -3 || v < 0x0600 || v > 0xffff) {
		snprintf(err, errlen, "%s is not between 0x0600 and 0xffff "
		    "(values below 0x0600 are 802.3 lengths)",
		    conf_quote(s, q, sizeof(q)));
		return -1;
	}
	if (v == 0x8100 || v == 0x88a8 || v == 0x9100) {
		snprintf(err, errlen, "%s is the type of a VLAN tag; a rule "
		    "sees the ethertype after the tags: match the tag with "
		    "vlan", s);
		return -1;
	}
	*et = (uint16_t)v;
	return 0;
}

/*
 * A VLAN id 0..4095 or "untagged" (FILTER_VLAN_UNTAGGED); with range, also
 * "lo-hi".
 */
int
conf_match_vlan(const char *s, int range, uint16_t *lo, uint16_t *hi,
    char *err, size_t errlen)
{
	const char *dash = range ? strchr(s, '-') : NULL;
	char q[CONF_MATCH_QUOTE];
	unsigned long a, b;
	int r;

	if (strcasecmp(s, "untagged") == 0) {
		*lo = *hi = FILTER_VLAN_UNTAGGED;
		return 0;
	}
	conf_quote(s, q, sizeof(q));
	if (dash == NULL)
		dash = s + strlen(s);
	r = conf_match_num(s, dash, 4095, &a);
	if (r == 0 && *dash == '-')
		r = conf_match_whole(dash + 1, 4095, &b);
	else
		b = a;
	if (r == -1 || r == -2) {
		snprintf(err, errlen, "%s is not a VLAN id (0 to 4095)%s or "
		    "untagged", q, range ? ", a range such as 100-199" : "");
		return -1;
	}
	if (r == -3) {
		snprintf(err, errlen, "%s: a VLAN id is 0 to 4095", q);
		return -1;
	}
	if (a > b) {
		snprintf(err, errlen, "%s: the range is empty", q);
		return -1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* The prefix as it is usually written; a host without its length. */
const char *
conf_match_prefix_str(const struct filter_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int af = p->af == 4 ? AF_INET : AF_INET6;

	if (inet_ntop(af, p->addr, a, sizeof(a)) == NULL)
		strlcpy(a, "?", sizeof(a));
	if (p->plen == (p->af == 4 ? 32 : 128))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->plen);
	return buf;
}

/* An IPv4 or IPv6 address, alone (a host) or with a prefix length. */
int
conf_match_prefix(const char *s, struct filter_prefix *pfx, char *err,
    size_t errlen)
{
	struct filter_prefix net;
	char a[INET6_ADDRSTRLEN + 1], q[CONF_MATCH_QUOTE], want[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	int bits, i, r;

	memset(pfx, 0, sizeof(*pfx));
	conf_quote(s, q, sizeof(q));
	if (alen >= sizeof(a))
		goto bad;
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, pfx->addr) == 1)
		pfx->af = 4;
	else if (inet_pton(AF_INET6, a, pfx->addr) == 1)
		pfx->af = 6;
	else
		goto bad;
	bits = pfx->af == 4 ? 32 : 128;
	plen = bits;
	if (slash != NULL) {
		/* decimal only: a prefix length in hex is no one's habit */
		r = conf_match_whole(slash + 1, 255, &plen);
		if (r == -1 || r == -2 || strchr(slash, 'x') != NULL ||
		    strchr(slash, 'X') != NULL)
			goto bad;
		if (r == -3 || plen > (unsigned long)bits) {
			snprintf(err, errlen, "%s: the prefix length of an "
			    "IPv%d address is 0 to %d", q, pfx->af, bits);
			return -1;
		}
	}
	pfx->plen = (uint8_t)plen;
	net = *pfx;
	for (i = 0; i < bits / 8; i++) {
		int keep = (int)plen - 8 * i;

		if (keep <= 0)
			net.addr[i] = 0;
		else if (keep < 8)
			net.addr[i] &= (uint8_t)(0xff00 >> keep);
	}
	if (memcmp(net.addr, pfx->addr, sizeof(net.addr)) != 0) {
		snprintf(err, errlen, "%s has host bits set; did you mean %s?",
		    s, conf_match_prefix_str(&net, want, sizeof(want)));
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s is not an IPv4 or IPv6 address or prefix "
	    "such as 10.0.0.0/8 or 2001:db8::/32", q);
	return -1;
}

int
conf_match_proto(const char *s, uint8_t *proto, char *err, size_t errlen)
{
	const struct conf_match_name *n;
	char q[CONF_MATCH_QUOTE], names[128];
	unsigned long v;
	int r;

	if ((n = conf_match_lookup(conf_protos, CONF_NNAMES(conf_protos),
	    s)) != NULL) {
		*proto = (uint8_t)n->v4;
		return 0;
	}
	if ((r = conf_match_whole(s, 255, &v)) == 0) {
		*proto = (uint8_t)v;
		return 0;
	}
	conf_quote(s, q, sizeof(q));
	if (r == -3)
		snprintf(err, errlen, "%s: an IP protocol number is 0 to 255",
		    q);
	else
		snprintf(err, errlen, "%s is not a protocol: one of %s, or 0 "
		    "to 255", q, conf_match_list(conf_protos,
		    CONF_NNAMES(conf_protos), names, sizeof(names)));
	return -1;
}

/* "tcp", or the number. */
const char *
conf_match_proto_name(uint8_t proto, char *buf, size_t len)
{
	int i;

	for (i = 0; i < CONF_NNAMES(conf_protos); i++) {
		if (conf_protos[i].v4 == proto) {
			strlcpy(buf, conf_protos[i].name, len);
			return buf;
		}
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

/* A port, or a range lo-hi; both ends included. */
int
conf_match_ports(const char *s, uint16_t *lo, uint16_t *hi, char *err,
    size_t errlen)
{
	const char *dash = strchr(s, '-');
	char q[CONF_MATCH_QUOTE];
	unsigned long a, b;
	int r;

	conf_quote(s, q, sizeof(q));
	if (dash == NULL)
		dash = s + strlen(s);
	r = conf_match_num(s, dash, 65535, &a);
	if (r == 0 && *dash == '-')
		r = conf_match_whole(dash + 1, 65535, &b);
	else
		b = a;
	if (r == -1 || r == -2) {
		snprintf(err, errlen, "%s is not a port (0 to 65535) or a "
		    "range such as 1000-2000", q);
		return -1;
	}
	if (r == -3) {
		snprintf(err, errlen, "%s: a port is 0 to 65535", q);
		return -1;
	}
	if (a > b) {
		snprintf(err, errlen, "%s: the range is empty (%lu is more "
		    "than %lu)", q, a, b);
		return -1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/*
 * "syn !ack": flags separated by white space, each that must be set, or
 * with '!' in front, clear; the others are not looked at.
 */
int
conf_match_tcp_flags(const char *s, uint8_t *mask, uint8_t *value,
    char *err, size_t errlen)
{
	char tok[16], q[CONF_MATCH_QUOTE];
	size_t n;
	int i, neg;

	*mask = *value = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		for (n = 0; s[n] != '\0' && !isspace((unsigned char)s[n]); n++)
			;
		neg = *s == '!';
		if (n - neg >= sizeof(tok))
			i = 8;
		else {
			memcpy(tok, s + neg, n - neg);
			tok[n - neg] = '\0';
			for (i = 0; i < 8; i++)
				if (strcasecmp(tok, conf_tcp_flag_names[i]) ==
				    0)
					break;
		}
		if (i == 8) {
			snprintf(tok, sizeof(tok), "%.*s", (int)n, s);
			snprintf(err, errlen, "unknown flag %s (the flags are "
			    "fin, syn, rst, psh, ack, urg, ece and cwr; "
			    "!flag: the flag is clear)",
			    conf_quote(tok, q, sizeof(q)));
			return -1;
		}
		if (*mask & (1U << i)) {
			snprintf(err, errlen, "%s is given twice",
			    conf_tcp_flag_names[i]);
			return -1;
		}
		*mask |= (uint8_t)(1U << i);
		if (!neg)
			*value |= (uint8_t)(1U << i);
		s += n;
	}
	if (*mask == 0) {
		snprintf(err, errlen, "no flag given, such as \"syn !ack\"");
		return -1;
	}
	return 0;
}

/*
 * A type number, or a name; names need to know the family (4 or 6, 0
 * when the rule does not say), as ICMP and ICMPv6 number them apart.
 */
int
conf_match_icmp_type(const char *s, int family, uint8_t *type, char *err,
    size_t errlen)
{
	const struct conf_match_name *n;
	char q[CONF_MATCH_QUOTE], names[512];
	unsigned long v;
	int r;

	if ((r = conf_match_whole(s, 255, &v)) == 0) {
		*type = (uint8_t)v;
		return 0;
	}
	conf_quote(s, q, sizeof(q));
	if (r == -3) {
		snprintf(err, errlen, "%s: an ICMP type is 0 to 255", q);
		return -1;
	}
	if ((n = conf_match_lookup(conf_icmp_types,
	    CONF_NNAMES(conf_icmp_types), s)) == NULL) {
		snprintf(err, errlen, "%s is not an ICMP type: 0 to 255, or "
		    "one of %s", q, conf_match_list(conf_icmp_types,
		    CONF_NNAMES(conf_icmp_types), names, sizeof(names)));
		return -1;
	}
	if (family == 0) {
		if (n->v4 >= 0 && n->v6 >= 0)
			snprintf(err, errlen, "%s is %d in ICMP and %d in "
			    "ICMPv6: say which with proto: icmp or icmp6",
			    n->name, n->v4, n->v6);
		else
			snprintf(err, errlen, "%s is a type of ICMP%s only: "
			    "say so with proto: %s", n->name,
			    n->v4 >= 0 ? "" : "v6",
			    n->v4 >= 0 ? "icmp" : "icmp6");
		return -1;
	}
	if ((family == 4 ? n->v4 : n->v6) < 0) {
		snprintf(err, errlen, "%s is not a type of ICMP%s",
		    n->name, family == 4 ? "" : "v6");
		return -1;
	}
	*type = (uint8_t)(family == 4 ? n->v4 : n->v6);
	return 0;
}
