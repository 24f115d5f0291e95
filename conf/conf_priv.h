/*
 * conf_priv.h: the inside of the configuration parser, shared by conf.c
 * (loading, walking mappings, scalar conversion, error reporting) and
 * conf_schema.c (the tables of keys and the checks that span keys).
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
};

#define CONF_K_REQUIRED	0x01
#define CONF_K_POW2	0x02	/* INT: also a power of two */
#define CONF_K_CPU	0x04	/* INT: a CPU of this machine */
#define CONF_K_NULLMAP	0x08	/* MAP: an empty value means {} */

struct conf_parse;

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	int		 flags;
	long long	 min, max;	/* INT */
	long long	 scale, bias;	/* INT: stored = value * scale + bias
					 * (scale 0 means 1) */
	const char	*def;		/* INT, BOOL: default, as YAML text */
	const char	*unit;		/* INT: said in range errors and docs */
	size_t		 off, size;	/* INT, BOOL: the field in the object */
	/* Everything but INT and BOOL: called once the value has the
	 * right shape. */
	void		(*set)(struct conf_parse *, void *obj,
			    const struct conf_key *, yaml_node_t *key,
			    yaml_node_t *val);
	const char	*desc;
};

struct conf_table {
	const char		*name;	/* "port": in docs */
	const char		*where;	/* "in port": in "unknown key" errors */
	const struct conf_key	*keys;
	int			 nkeys;
};

#define CONF_KEYS_MAX	16	/* keys in one table */

/* Which keys a mapping had: key and value node, NULL when absent. */
struct conf_seen {
	yaml_node_t	*key;
	yaml_node_t	*val;
};

/* Where the things that cross-checks talk about were written. */
enum conf_dev_kind {
	CONF_DEV_UNKNOWN,	/* missing or invalid */
	CONF_DEV_EMULATED,
	CONF_DEV_PCI,
};

struct conf_port_src {
	yaml_node_t	*node;
	yaml_node_t	*name, *device, *mac, *iface, *peer, *pcap_out;
	enum conf_dev_kind dev;
	int		 wire_ok;	/* 0: no wire, 1: one kind, -1: bad */
	int		 peer_of;	/* implicit peer: wired by this port */
};

struct conf_fwd_src {
	yaml_node_t	*node;
	yaml_node_t	*from, *to;
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
yaml_node_t	*conf_item(struct conf_parse *, yaml_node_item_t);
const char	*conf_text(const yaml_node_t *);
int		 conf_is_null(const yaml_node_t *);
const char	*conf_quote(const char *, char *, size_t);
const char	*conf_describe(const yaml_node_t *, char *, size_t);
int		 conf_line(const yaml_node_t *);
const char	*conf_type_name(enum conf_type);

/* conf_schema.c */
extern const struct conf_table conf_root_table;
void		 conf_root_begin(struct conf_parse *);
void		 conf_root_end(struct conf_parse *, struct conf_seen *);

#endif /* IXFWD_CONF_PRIV_H */
