/*
 * conf_priv.h: the inside of the configuration parser, shared by conf.c
 * (loading, walking mappings, scalar conversion, error reporting, helpers
 * of the sections) and the tables of keys with their handlers and the
 * checks that span keys: conf_schema.c (the top level, the list of
 * tables, conf_schema_print()) and one file per part of the file,
 * conf_ports.c, conf_forward.c, conf_rules.c, conf_bridge.c,
 * conf_capture.c and conf_daemon.c.
 *
 * Every mapping of the YAML file has a table: each key with its type,
 * range, default and description.  The walker, the defaults, the error
 * messages and conf_schema_print() all come from these tables, so a new
 * key is one line in a table plus, when plain types do not suffice, a
 * handler.
 */
#ifndef IXFWD_CONF_PRIV_H
#define IXFWD_CONF_PRIV_H

#include <stddef.h>
#include <yaml.h>

#include "conf.h"

enum conf_type {
	CONF_T_INT,		/* plain scalar, decimal or 0x hex */
	CONF_T_BOOL,		/* plain true/false/yes/no/on/off */
	CONF_T_STRING,		/* any non-null scalar, quoted or not */
	CONF_T_MAP,		/* a mapping */
	CONF_T_SEQ,		/* a sequence */
	CONF_T_NAMES,		/* a port name or a sequence of them */
	CONF_T_SIZE,		/* INT with an optional K, M or G (1024-based) */
	CONF_T_NUMBER,		/* plain decimal scalar, fraction allowed: a
				 * double */
};

#define CONF_K_REQUIRED	0x01
#define CONF_K_POW2	0x02	/* INT: also a power of two */
#define CONF_K_CPU	0x04	/* INT: a CPU of this machine */
#define CONF_K_NULLMAP	0x08	/* MAP: an empty value means {} */
#define CONF_K_NULLWORD	0x10	/* STRING: a plain `null' is the word, not
				 * YAML's null */

struct conf_parse;
struct conf_table;

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	int		 flags;
	long long	 min, max;	/* INT, SIZE */
	long long	 scale, bias;	/* INT, SIZE: stored = value * scale +
					 * bias (scale 0 means 1) */
	const char	*def;		/* INT, SIZE, BOOL: default, as YAML
					 * text; other types: for the docs */
	const char	*unit;		/* INT, SIZE: said in range errors and
					 * docs */
	size_t		 off, size;	/* INT, SIZE, BOOL, NUMBER: the field in
					 * the object */
	/* MAP: the table it is walked against, into the object's field at
	 * off (CONF_FIELD), or into the object itself; before set. */
	const struct conf_table *sub;
	/* Called once the value has the right shape; for INT, SIZE, BOOL
	 * and NUMBER after it was stored. */
	void		(*set)(struct conf_parse *, void *obj,
			    const struct conf_key *, yaml_node_t *key,
			    yaml_node_t *val);
	const char	*desc;
};

/* The parameters of a key's handler, for declaring one:
 * static void conf_set_x(CONF_SET_ARGS); */
#define CONF_SET_ARGS							\
	struct conf_parse *, void *, const struct conf_key *,		\
	yaml_node_t *, yaml_node_t *

struct conf_table {
	const char		*name;	/* "port": in docs */
	const char		*where;	/* "in port": in "unknown key" errors */
	const struct conf_key	*keys;
	int			 nkeys;
};

/* In a key: the field of struct type it is stored in. */
#define CONF_FIELD(type, field)						\
	.off = offsetof(struct type, field),				\
	.size = sizeof(((struct type *)0)->field)

/* A table of the array of keys k. */
#define CONF_TABLE(n, w, k)						\
	{ .name = (n), .where = (w), .keys = (k),			\
	  .nkeys = sizeof(k) / sizeof((k)[0]) }

#define CONF_KEYS_MAX	16	/* keys in one table */

/* Where a table is defined: it has no more keys than a walk can see. */
#define CONF_FITS(keys)							\
	_Static_assert(sizeof(keys) / sizeof((keys)[0]) <= CONF_KEYS_MAX, \
	    "CONF_KEYS_MAX too small for " #keys)
#define CONF_PARTS_MAX	2	/* tables one mapping is walked against */

/*
 * A list of mappings (ports:, forward:, rules:, ...) for conf_walk_list():
 * how its errors count the entries, and what is done with each.
 */
struct conf_list {
	int		 max;		/* entries at most */
	const char	*noun;		/* "at most <max> <noun> are supported" */
	const char	*example;	/* "expected a mapping <example>" */
	/* Entry i (from 0) of the list, a mapping; obj: conf_walk_list()'s */
	void		(*entry)(struct conf_parse *, void *obj, int i,
			    yaml_node_t *map);
};

/* Which keys a mapping had: key and value node, NULL when absent. */
struct conf_seen {
	yaml_node_t	*key;
	yaml_node_t	*val;
};

/* A mapping whose keys come from several tables (a forward entry: its
 * own keys and those of every path), each with its object. */
struct conf_part {
	const struct conf_table	*t;
	void			*obj;
	struct conf_seen	*seen;	/* t->nkeys entries, may be NULL */
};

/*
 * The filtering and VLAN keys that a forward entry and the bridge share,
 * while they are read: where the entry keeps them, and the values that
 * conf_path_end() turns into its struct conf_vlan.
 */
struct conf_path {
	char		 *filter;	/* CONF_FILTER_MAX bytes */
	int		 *nrules;
	struct filter_rule **rules;
	int		**rule_line;
	int		 *default_action;
	struct conf_vlan *vlan;
	uint16_t	  push, set;	/* vlan_push, vlan_set */
	uint8_t		  pcp;		/* vlan_pcp */
	int		  pop;		/* vlan_pop */
	int		  rules_ok;	/* rules: no error in any rule */
};

/* The fields of a path in a struct conf_forward or conf_bridge. */
#define CONF_PATH_OF(x) {						\
	.filter = (x)->filter, .nrules = &(x)->nrules,			\
	.rules = &(x)->rules, .rule_line = &(x)->rule_line,		\
	.default_action = &(x)->default_action, .vlan = &(x)->vlan }

/* Where the things that cross-checks talk about were written. */
enum conf_dev_kind {
	CONF_DEV_UNKNOWN,	/* missing or invalid */
	CONF_DEV_EMULATED,
	CONF_DEV_PCI,
	CONF_DEV_NULL,
};

struct conf_port_src {
	yaml_node_t	*node;
	yaml_node_t	*name, *device, *mac, *iface, *peer, *pcap_out;
	enum conf_dev_kind dev;
	int		 wire_ok;	/* 0: no wire, 1: one kind, -1: bad */
	int		 peer_of;	/* implicit peer: wired by this port */
	/* cpus: and rss: { reta: }, checked against queues at the port's
	 * end: each entry's node */
	yaml_node_t	*cpu_node[CONF_QUEUES_MAX];
	int		 nreta;		/* reta entries given, 0: none or bad */
	yaml_node_t	*reta_node[CONF_RETA_SIZE];
};

struct conf_fwd_src {
	yaml_node_t	*node;
	yaml_node_t	*from, *to;
};

struct conf_bridge_src {
	yaml_node_t	*node;		/* the bridge's mapping */
	yaml_node_t	*ports;		/* ports: a sequence of scalars */
	/* each static entry: its mapping, and its keys' nodes (value of
	 * mac and port, key of vlan), NULL when absent or wrong */
	yaml_node_t	*static_node[CONF_STATIC_MAX];
	yaml_node_t	*static_mac[CONF_STATIC_MAX];
	yaml_node_t	*static_port[CONF_STATIC_MAX];
	yaml_node_t	*static_vlan[CONF_STATIC_MAX];
	int		 port_line[CONF_PORTS_MAX];	/* of each bridge port */
};

struct conf_cap_src {
	yaml_node_t	*node;
	yaml_node_t	*port, *file;
	int		 ok;		/* no error in it: worth checking whole */
};

struct conf_err {
	int		 line, col;	/* 0-based; line -1: no position */
	int		 seq;
	char		*msg;
};

struct conf_parse {
	const char	*path;
	char		 dir[PATH_MAX];	/* the file's directory, "" for cwd */
	yaml_document_t	*doc;
	struct conf	*c;
	long		 ncpus;
	int		 cur;		/* port or forward being walked */
	int		 nfwd_items;	/* forward items, also beyond the max */
	struct conf_port_src psrc[CONF_PORTS_MAX];
	struct conf_fwd_src fsrc[CONF_FORWARDS_MAX];
	struct conf_bridge_src bsrc;
	struct conf_cap_src csrc[CAPTURE_MAX];
	struct conf_err	*errs;
	int		 nerrs, errcap;
	int		 nomem;		/* errors lost for lack of memory */
};

#define CONF_QUOTE_MAX	80	/* a quoted excerpt of the user's text */

/* conf.c */
void		 conf_err(struct conf_parse *, const yaml_node_t *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
void		 conf_defaults(const struct conf_table *, void *);
void		 conf_walk(struct conf_parse *, yaml_node_t *,
		    const struct conf_table *, void *, struct conf_seen *);
void		 conf_walk_parts(struct conf_parse *, yaml_node_t *,
		    struct conf_part *, int);
void		 conf_walk_list(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *, const struct conf_list *, int *, void *);
void		 conf_type_err(struct conf_parse *, const struct conf_key *,
		    const yaml_node_t *);
int		 conf_int(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *, long long *);
int		 conf_parse_int(const char *, long long *);
const char	*conf_size_str(unsigned long long, char *, size_t);
yaml_node_t	*conf_item(struct conf_parse *, yaml_node_item_t);
const char	*conf_text(const yaml_node_t *);
int		 conf_is_null(const yaml_node_t *);
const char	*conf_quote(const char *, char *, size_t);
const char	*conf_describe(const yaml_node_t *, char *, size_t);
int		 conf_line(const yaml_node_t *);
const char	*conf_type_name(enum conf_type);

/* conf.c: helpers of the section files */
struct conf_seen *conf_seen_key(const struct conf_table *, struct conf_seen *,
		    const char *);
int		 conf_port_ref(struct conf_parse *, yaml_node_t *);
int		 conf_scalar_item(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *, const char *);
int		 conf_port_names(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *);
const char	*conf_mac_str(const uint8_t[6], char *, size_t);
int		 conf_path(struct conf_parse *, const char *, char *, size_t);
int		 conf_file_path(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *, char *, size_t);
void		 conf_file_dir(const char *, char *, size_t);
int		 conf_dir_writable(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *, const char *);
int		 conf_name_ok(struct conf_parse *, yaml_node_t *, const char *);
int		 conf_bpf(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *, char *, size_t);
int		 conf_action(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *);
int		 conf_word(struct conf_parse *, const struct conf_key *,
		    yaml_node_t *, const char *const *, int);

/* conf_schema.c: the top level */
extern const struct conf_table conf_root_table;
void		 conf_root_begin(struct conf_parse *);
void		 conf_root_end(struct conf_parse *, struct conf_seen *);

/* conf_ports.c: ports, wire, generator, emulator, RSS, polling */
extern const struct conf_table conf_port_table, conf_wire_table,
		    conf_generator_table, conf_emulator_table, conf_rss_table,
		    conf_poll_table;
void		 conf_set_ports(CONF_SET_ARGS);
void		 conf_check_peers(struct conf_parse *);
void		 conf_check_shared(struct conf_parse *);
void		 conf_rss_defaults(struct conf_rss *);

/* conf_forward.c: forward entries, and the keys of a path */
extern const struct conf_table conf_forward_table, conf_path_table;
void		 conf_set_forward(CONF_SET_ARGS);
void		 conf_walk_path(struct conf_parse *, yaml_node_t *,
		    const struct conf_table *, void *, struct conf_seen *,
		    struct conf_path *);
void		 conf_check_forwards(struct conf_parse *);

/* conf_rules.c: a path's rules */
extern const struct conf_table conf_rule_table;
void		 conf_set_rules(CONF_SET_ARGS);

/* conf_bridge.c */
extern const struct conf_table conf_bridge_table, conf_static_table;
void		 conf_set_bridge(CONF_SET_ARGS);
int		 conf_bridge_line(struct conf_parse *, int);
void		 conf_check_bridge(struct conf_parse *);

/* conf_capture.c */
extern const struct conf_table conf_capture_table, conf_rotate_table;
void		 conf_set_captures(CONF_SET_ARGS);
void		 conf_check_captures(struct conf_parse *);

/* conf_daemon.c: user, control, metrics */
extern const struct conf_table conf_control_table, conf_metrics_table;
void		 conf_set_user(CONF_SET_ARGS);

/* conf_match.c: the values of rules and VLAN lists.  Each returns 0, or
 * -1 with what is wrong with s in err (without the key's name). */
int		 conf_match_mac(const char *, uint8_t[6], char *, size_t);
int		 conf_match_ethertype(const char *, uint16_t *, char *, size_t);
int		 conf_match_vlan(const char *, int, uint16_t *, uint16_t *,
		    char *, size_t);
int		 conf_match_prefix(const char *, struct filter_prefix *, char *,
		    size_t);
const char	*conf_match_prefix_str(const struct filter_prefix *, char *,
		    size_t);
int		 conf_match_proto(const char *, uint8_t *, char *, size_t);
const char	*conf_match_proto_name(uint8_t, char *, size_t);
int		 conf_match_ports(const char *, uint16_t *, uint16_t *, char *,
		    size_t);
int		 conf_match_tcp_flags(const char *, uint8_t *, uint8_t *,
		    char *, size_t);
int		 conf_match_icmp_type(const char *, int, uint8_t *, char *,
		    size_t);

#endif /* IXFWD_CONF_PRIV_H */
