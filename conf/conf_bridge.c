/*
 * conf_bridge.c: the bridge: section and its static entries.  Its
 * filtering and VLAN keys are a path's (conf_forward.c); its ports are
 * resolved in conf_check_bridge() once all ports are read.
 */
#include <bsd/string.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

static void	conf_set_bridge_ports(CONF_SET_ARGS);
static void	conf_set_statics(CONF_SET_ARGS);
static void	conf_set_static_mac(CONF_SET_ARGS);
static void	conf_set_static_port(CONF_SET_ARGS);

static const struct conf_key conf_bridge_keys[] = {
	{ .name = "ports", .type = CONF_T_SEQ, .flags = CONF_K_REQUIRED,
	  .set = conf_set_bridge_ports,
	  .desc = "The ports of the bridge, at least 2." },
	{ .name = "learning", .type = CONF_T_BOOL, .def = "true",
	  CONF_FIELD(conf_bridge, learning),
	  .desc = "Learn where stations are from the source addresses; "
	    "false: every frame goes to all the other ports, but those to "
	    "a static entry." },
	{ .name = "aging", .type = CONF_T_INT, .min = 0, .max = 1000000,
	  .def = "300", .unit = "seconds", CONF_FIELD(conf_bridge, aging),
	  .desc = "A learnt station not heard from for this long is "
	    "forgotten; 0: never." },
	{ .name = "max_entries", .type = CONF_T_INT, .min = 16,
	  .max = 1048576, .def = "4096", .unit = "entries",
	  CONF_FIELD(conf_bridge, max_entries),
	  .desc = "The size of the address table; when it is full, new "
	    "stations are not learnt (and counted)." },
	{ .name = "vlan_learning", .type = CONF_T_BOOL, .def = "true",
	  CONF_FIELD(conf_bridge, vlan_learning),
	  .desc = "A table per VLAN: the same address may be on different "
	    "ports in different VLANs." },
	{ .name = "static", .type = CONF_T_SEQ, .set = conf_set_statics,
	  .desc = "Stations whose port is fixed, up to 256; each is a "
	    "mapping (see \"static\")." },
};

static const struct conf_key conf_static_keys[] = {
	{ .name = "mac", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_static_mac,
	  .desc = "The station's unicast MAC address." },
	{ .name = "port", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_static_port,
	  .desc = "The bridge port the station is behind." },
	{ .name = "vlan", .type = CONF_T_INT, .min = 0, .max = 4095,
	  .def = "0", CONF_FIELD(conf_bridge_static, vlan),
	  .desc = "The VLAN it is in, with vlan_learning only." },
};

const struct conf_table conf_bridge_table =
    CONF_TABLE("bridge", "in bridge", conf_bridge_keys);
const struct conf_table conf_static_table =
    CONF_TABLE("static", "in static entry", conf_static_keys);

CONF_FITS(conf_bridge_keys);

/* bridge: { ports: [...], ... } */
void
conf_set_bridge(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_bridge *b = &((struct conf *)obj)->bridge;
	struct conf_path path = CONF_PATH_OF(b);
	struct conf_bridge_src *src = &p->bsrc;
	struct conf_bridge_static *st, *o;
	struct conf_seen seen[CONF_KEYS_MAX];
	char m[32];
	int i, j;

	(void)k;
	b->enabled = 1;
	b->line = conf_line(key);
	b->col = (int)key->start_mark.column + 1;
	src->node = val;
	conf_defaults(&conf_bridge_table, b);
	conf_walk_path(p, val, &conf_bridge_table, b, seen, &path);

	for (i = 0; i < b->nstatic; i++) {
		st = &b->statics[i];
		if (!b->vlan_learning && src->static_vlan[i] != NULL)
			conf_err(p, src->static_vlan[i], "vlan: the bridge "
			    "has one table for every VLAN (vlan_learning: "
			    "false)");
		if (src->static_mac[i] == NULL)
			continue;
		for (j = 0; j < i; j++) {
			o = &b->statics[j];
			if (src->static_mac[j] == NULL ||
			    memcmp(st->mac, o->mac, 6) != 0 ||
			    (b->vlan_learning && st->vlan != o->vlan))
				continue;
			if (b->vlan_learning)
				conf_err(p, src->static_mac[i], "mac: %s in "
				    "VLAN %u already has a static entry at "
				    "line %d", conf_mac_str(st->mac, m,
				    sizeof(m)), st->vlan,
				    conf_line(src->static_node[j]));
			else
				conf_err(p, src->static_mac[i], "mac: %s "
				    "already has a static entry at line %d",
				    conf_mac_str(st->mac, m, sizeof(m)),
				    conf_line(src->static_node[j]));
			break;
		}
	}
}

/* A sequence of names, resolved in conf_check_bridge(). */
static void
conf_set_bridge_ports(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj;
	(void)key;
	if (val->data.sequence.items.top - val->data.sequence.items.start <
	    2) {
		conf_err(p, val, "ports: a bridge needs at least 2 ports");
		return;
	}
	if (conf_port_names(p, k, val) == 0)
		p->bsrc.ports = val;
}

/* Static entry i of the bridge (obj). */
static void
conf_static_entry(struct conf_parse *p, void *obj, int i, yaml_node_t *n)
{
	struct conf_bridge *b = obj;
	struct conf_bridge_static *st = &b->statics[i];
	struct conf_seen seen[CONF_KEYS_MAX], *s;

	conf_defaults(&conf_static_table, st);
	st->port = -1;
	p->bsrc.static_node[i] = n;
	p->cur = i;
	conf_walk(p, n, &conf_static_table, st, seen);
	if ((s = conf_seen_key(&conf_static_table, seen, "vlan")) != NULL)
		p->bsrc.static_vlan[i] = s->key;
}

/* static: [ { mac: ..., port: ..., vlan: ... }, ... ] */
static void
conf_set_statics(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const struct conf_list list = {
		.max = CONF_STATIC_MAX, .noun = "entries",
		.example = "such as { mac: 02:00:00:00:00:01, port: a }",
		.entry = conf_static_entry,
	};
	struct conf_bridge *b = obj;

	(void)key;
	conf_walk_list(p, k, val, &list, &b->nstatic, b);
}

static void
conf_set_static_mac(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct conf_bridge_static *st = obj;
	char err[CONF_QUOTE_MAX + 64], m[32];
	uint8_t mac[6];
	static const uint8_t zero[6];

	(void)key;
	if (conf_match_mac(conf_text(val), mac, err, sizeof(err)) == -1) {
		conf_err(p, val, "%s: %s", k->name, err);
		return;
	}
	if (mac[0] & 1) {
		conf_err(p, val, "mac: %s is a multicast address; a static "
		    "entry is for one station", conf_mac_str(mac, m,
		    sizeof(m)));
		return;
	}
	if (memcmp(mac, zero, sizeof(zero)) == 0) {
		conf_err(p, val, "mac: %s is not a usable address",
		    conf_mac_str(mac, m, sizeof(m)));
		return;
	}
	memcpy(st->mac, mac, sizeof(mac));
	p->bsrc.static_mac[p->cur] = val;
}

static void
conf_set_static_port(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj;
	(void)k;
	(void)key;
	p->bsrc.static_port[p->cur] = val;
}

/* The line where port i is listed in the bridge's ports, 0 if it is not
 * a bridge port. */
int
conf_bridge_line(struct conf_parse *p, int i)
{
	struct conf_bridge *b = &p->c->bridge;
	int j;

	for (j = 0; j < b->nports; j++)
		if (b->ports[j] == i)
			return p->bsrc.port_line[j];
	return 0;
}

/* The bridge's ports and the ports of its static entries. */
void
conf_check_bridge(struct conf_parse *p)
{
	struct conf *c = p->c;
	struct conf_bridge *b = &c->bridge;
	struct conf_bridge_src *src = &p->bsrc;
	yaml_node_item_t *it;
	yaml_node_t *n;
	char names[CONF_PORTS_MAX * (CONF_NAME_MAX + 2)];
	int i, t, line;

	if (!b->enabled || src->ports == NULL)
		return;
	for (it = src->ports->data.sequence.items.start;
	    it < src->ports->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL ||
		    (t = conf_port_ref(p, n)) < 0)
			continue;
		if ((line = conf_bridge_line(p, t)) > 0) {
			conf_err(p, n, "ports: port \"%s\" is listed twice "
			    "(first at line %d)", c->ports[t].name, line);
			continue;
		}
		src->port_line[b->nports] = conf_line(n);
		b->ports[b->nports++] = t;
	}
	names[0] = '\0';
	for (i = 0; i < b->nports; i++) {
		if (i > 0)
			strlcat(names, ", ", sizeof(names));
		strlcat(names, c->ports[b->ports[i]].name, sizeof(names));
	}
	for (i = 0; i < b->nstatic; i++) {
		if ((n = src->static_port[i]) == NULL ||
		    (t = conf_port_ref(p, n)) < 0)
			continue;
		if (conf_bridge_line(p, t) == 0) {
			conf_err(p, n, "port: \"%s\" is not a port of the "
			    "bridge (its ports are: %s)", c->ports[t].name,
			    names);
			continue;
		}
		b->statics[i].port = t;
	}
}
