/*
 * conf_forward.c: the forward entries (forward:), and the keys that
 * filter and tag what a path passes (filter, rules, default, vlans,
 * vlan_push/pop/set).  A forward entry and the bridge share those keys
 * (conf_path_keys): both are walked against their own table and that one
 * by conf_walk_path(), and conf_path_end() finishes both.  The rules
 * themselves are in conf_rules.c.
 */
#include <stdlib.h>
#include <bsd/string.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

static void	conf_set_from(CONF_SET_ARGS);
static void	conf_set_to(CONF_SET_ARGS);
static void	conf_set_path_filter(CONF_SET_ARGS);
static void	conf_set_default(CONF_SET_ARGS);
static void	conf_set_vlans(CONF_SET_ARGS);

static const struct conf_key conf_forward_keys[] = {
	{ .name = "from", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_from,
	  .desc = "The port whose received frames this entry sends; one "
	    "entry per port." },
	{ .name = "to", .type = CONF_T_NAMES, .flags = CONF_K_REQUIRED,
	  .set = conf_set_to,
	  .desc = "The port they are sent to, or a list of ports, each of "
	    "which gets a copy (mirroring)." },
};

/* A forward entry's and the bridge's: into a struct conf_path. */
static const struct conf_key conf_path_keys[] = {
	{ .name = "filter", .type = CONF_T_STRING, .set = conf_set_path_filter,
	  .desc = "A tcpdump expression: only the frames it accepts go on.  "
	    "Checked when the file is loaded." },
	{ .name = "rules", .type = CONF_T_SEQ, .set = conf_set_rules,
	  .desc = "Up to 1024 rules, each a mapping (see \"rule\"); the "
	    "first rule that matches a frame passes or drops it, and "
	    "default decides the frames no rule matches.  Applied after "
	    "filter." },
	{ .name = "default", .type = CONF_T_STRING, .def = "pass",
	  .set = conf_set_default,
	  .desc = "pass or drop: what happens to a frame no rule matches." },
	{ .name = "vlans", .type = CONF_T_SEQ, .set = conf_set_vlans,
	  .desc = "Only frames of these VLANs go on: VLAN ids 0..4095, "
	    "ranges such as 100-199, and untagged for frames without a "
	    "tag." },
	{ .name = "vlan_push", .type = CONF_T_INT, .min = 0, .max = 4095,
	  CONF_FIELD(conf_path, push),
	  .desc = "Add an 802.1Q tag with this VLAN id in front of any "
	    "other." },
	{ .name = "vlan_pcp", .type = CONF_T_INT, .min = 0, .max = 7,
	  .def = "0", CONF_FIELD(conf_path, pcp),
	  .desc = "With vlan_push: the priority of the tag pushed." },
	{ .name = "vlan_pop", .type = CONF_T_BOOL, .def = "false",
	  CONF_FIELD(conf_path, pop),
	  .desc = "Remove the outer VLAN tag, if there is one." },
	{ .name = "vlan_set", .type = CONF_T_INT, .min = 0, .max = 4095,
	  CONF_FIELD(conf_path, set),
	  .desc = "Rewrite the VLAN id of the outer tag; untagged frames get "
	    "a tag.  One of vlan_push, vlan_pop and vlan_set at most." },
};

const struct conf_table conf_forward_table =
    CONF_TABLE("forward", "in forward", conf_forward_keys);
const struct conf_table conf_path_table =
    CONF_TABLE("filtering and VLANs (forward and bridge)", "in forward",
    conf_path_keys);

CONF_FITS(conf_path_keys);

/* Forward entry i of the configuration (obj). */
static void
conf_forward_entry(struct conf_parse *p, void *obj, int i, yaml_node_t *n)
{
	struct conf_forward *f = &((struct conf *)obj)->forwards[i];
	struct conf_path path = CONF_PATH_OF(f);

	f->from = -1;
	f->line = conf_line(n);
	f->col = (int)n->start_mark.column + 1;
	p->fsrc[i].node = n;
	p->cur = i;
	conf_walk_path(p, n, &conf_forward_table, f, NULL, &path);
}

/* forward: [ { from: a, to: b }, ... ] */
void
conf_set_forward(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const struct conf_list list = {
		.max = CONF_FORWARDS_MAX, .noun = "entries",
		.example = "such as { from: a, to: b }",
		.entry = conf_forward_entry,
	};
	struct conf *c = obj;

	(void)key;
	conf_walk_list(p, k, val, &list, &c->nforwards, c);
}

static void
conf_set_from(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	(void)obj;
	(void)k;
	(void)key;
	p->fsrc[p->cur].from = val;
}

/* A name, or a non-empty sequence of names; resolved in conf_root_end. */
static void
conf_set_to(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	(void)obj;
	(void)key;
	if (val->type == YAML_SCALAR_NODE && !conf_is_null(val)) {
		p->fsrc[p->cur].to = val;
		return;
	}
	if (val->type != YAML_SEQUENCE_NODE) {
		conf_type_err(p, k, val);
		return;
	}
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "to: at least one destination is required");
		return;
	}
	if (conf_port_names(p, k, val) == 0)
		p->fsrc[p->cur].to = val;
}

/*
 * Filtering and VLANs: the keys a forward entry and the bridge share.
 */

static void
conf_path_begin(struct conf_path *path)
{
	conf_defaults(&conf_path_table, path);
	*path->default_action = FILTER_PASS;
}

static void
conf_set_path_filter(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct conf_path *path = obj;

	(void)key;
	conf_bpf(p, k, val, path->filter, CONF_FILTER_MAX);
}

static void
conf_set_default(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_path *path = obj;
	int a;

	(void)key;
	if ((a = conf_action(p, k, val)) >= 0)
		*path->default_action = a;
}

/* vlans: [100, 200-299, untagged] */
static void
conf_set_vlans(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_vlan *v = ((struct conf_path *)obj)->vlan;
	yaml_node_item_t *it;
	yaml_node_t *n;
	char err[CONF_QUOTE_MAX + 64];
	uint16_t lo, hi;
	unsigned int id;

	(void)key;
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "vlans: the list is empty: no frame would "
		    "pass");
		return;
	}
	v->filter = 1;
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (conf_scalar_item(p, k, n, "a VLAN id, a range or "
		    "untagged") == -1)
			continue;
		if (conf_match_vlan(conf_text(n), 1, &lo, &hi, err,
		    sizeof(err)) == -1) {
			conf_err(p, n, "%s: %s", k->name, err);
			continue;
		}
		if (lo == FILTER_VLAN_UNTAGGED) {
			if (v->untagged)
				conf_err(p, n, "vlans: untagged is listed "
				    "twice");
			v->untagged = 1;
			continue;
		}
		for (id = lo; id <= hi; id++) {
			if (v->allow[id / 64] & (1ULL << (id % 64))) {
				conf_err(p, n, "vlans: VLAN %u is listed "
				    "twice", id);
				break;
			}
			v->allow[id / 64] |= 1ULL << (id % 64);
		}
	}
}

/* VLAN operations, and the rule list as a whole. */
static void
conf_path_end(struct conf_parse *p, struct conf_path *path,
    struct conf_seen *seen)
{
	static const char *const ops[] = {
		"vlan_push", "vlan_pop", "vlan_set",
	};
	static const enum conf_vlan_op opv[] = {
		CONF_VLAN_PUSH, CONF_VLAN_POP, CONF_VLAN_SET,
	};
	const struct conf_table *t = &conf_path_table;
	struct conf_vlan *v = path->vlan;
	struct conf_seen *s, *first = NULL, *pcp;
	struct filter_rules *fr;
	char err[256];
	int i, fi = -1;

	for (i = 0; i < 3; i++) {
		if ((s = conf_seen_key(t, seen, ops[i])) == NULL)
			continue;
		if (opv[i] == CONF_VLAN_POP && !path->pop)
			continue;	/* vlan_pop: false does nothing */
		if (first == NULL || s->key->start_mark.index <
		    first->key->start_mark.index) {
			first = s;
			fi = i;
		}
	}
	for (i = 0; i < 3; i++) {
		if ((s = conf_seen_key(t, seen, ops[i])) == NULL ||
		    s == first || (opv[i] == CONF_VLAN_POP && !path->pop))
			continue;
		conf_err(p, s->key, "%s: %s is given at line %d; choose one "
		    "of vlan_push, vlan_pop and vlan_set", ops[i], ops[fi],
		    conf_line(first->key));
	}
	if (first != NULL) {
		v->op = opv[fi];
		v->id = v->op == CONF_VLAN_SET ? path->set : path->push;
		v->pcp = path->pcp;
	}
	if ((pcp = conf_seen_key(t, seen, "vlan_pcp")) != NULL &&
	    v->op != CONF_VLAN_PUSH)
		conf_err(p, pcp->key, "vlan_pcp: the priority of a pushed tag; "
		    "it needs vlan_push");

	if ((s = conf_seen_key(t, seen, "rules")) == NULL || !path->rules_ok ||
	    *path->nrules == 0)
		return;
	/* The rules are each fine: the whole list compiles, unless memory
	 * is short; compiling is the check that says so. */
	if ((fr = filter_rules_compile(*path->rules, *path->nrules,
	    *path->default_action, err, sizeof(err))) == NULL) {
		conf_err(p, s->key, "rules: %s", err);
		return;
	}
	filter_rules_free(fr);
}

/* Walk an entry of table t that has the keys of a path too. */
void
conf_walk_path(struct conf_parse *p, yaml_node_t *map,
    const struct conf_table *t, void *obj, struct conf_seen *seen,
    struct conf_path *path)
{
	struct conf_seen pseen[CONF_KEYS_MAX];
	struct conf_part parts[2] = {
		{ .t = t, .obj = obj, .seen = seen },
		{ .t = &conf_path_table, .obj = path, .seen = pseen },
	};

	conf_path_begin(path);
	conf_walk_parts(p, map, parts, 2);
	conf_path_end(p, path, pseen);
}

void
conf_check_forwards(struct conf_parse *p)
{
	struct conf *c = p->c;
	struct conf_forward *f;
	struct conf_fwd_src *src;
	yaml_node_t *names[CONF_PORTS_MAX + 1], *n;
	yaml_node_item_t *it;
	int i, j, nn, t, from, line;

	for (i = 0; i < c->nforwards; i++) {
		f = &c->forwards[i];
		src = &p->fsrc[i];
		from = -1;
		if (src->from != NULL &&
		    (from = conf_port_ref(p, src->from)) >= 0) {
			if ((line = conf_bridge_line(p, from)) > 0) {
				conf_err(p, src->from, "port %s is in the "
				    "bridge (line %d); a bridge port has no "
				    "forward entry", c->ports[from].name,
				    line);
				from = -2;
			}
			for (j = 0; j < i && from >= 0; j++) {
				if (c->forwards[j].from != from)
					continue;
				conf_err(p, src->from, "port %s already has a "
				    "forward entry at line %d; list several "
				    "destinations in one `to:`",
				    c->ports[from].name, c->forwards[j].line);
				from = -2;
				break;
			}
		}
		if (from >= 0)
			f->from = from;
		if (src->to == NULL)
			continue;
		nn = 0;
		if (src->to->type == YAML_SCALAR_NODE)
			names[nn++] = src->to;
		else {
			for (it = src->to->data.sequence.items.start;
			    it < src->to->data.sequence.items.top &&
			    nn < CONF_PORTS_MAX + 1; it++)
				if ((n = conf_item(p, *it)) != NULL)
					names[nn++] = n;
		}
		for (j = 0; j < nn; j++) {
			int k, dup = 0;

			if ((t = conf_port_ref(p, names[j])) < 0)
				continue;
			if (t == from) {
				conf_err(p, names[j], "port \"%s\" cannot "
				    "forward to itself", c->ports[t].name);
				continue;
			}
			for (k = 0; k < f->nto; k++)
				dup |= f->to[k] == t;
			if (dup) {
				conf_err(p, names[j], "to: port \"%s\" is "
				    "listed twice", c->ports[t].name);
				continue;
			}
			if (f->nto < CONF_PORTS_MAX)
				f->to[f->nto++] = t;
		}
	}
}
