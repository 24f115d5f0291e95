/*
 * conf_schema.c: what ixfwd.yaml may say.  One table per mapping lists
 * every key with its type, range, default and description; conf.c walks
 * the file against them and conf_schema_print() documents them.  The
 * handlers below check what a type and a range cannot (names, PCI and MAC
 * addresses, paths) and conf_root_end() checks what spans keys and ports
 * (peers, forward entries, addresses used twice).
 */
#include <sys/stat.h>

#include <bsd/string.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"

#define CONF_FIELD(type, field)						\
	.off = offsetof(struct type, field),				\
	.size = sizeof(((struct type *)0)->field)

#define CONF_TABLE(n, w, k)						\
	{ .name = (n), .where = (w), .keys = (k),			\
	  .nkeys = sizeof(k) / sizeof((k)[0]) }

static void	conf_set_ports(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_forward(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_emulator(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_name(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_device(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_mac(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_wire(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_iface(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_peer(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_pcap(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_generator(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_from(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_to(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);

static const struct conf_key conf_root_keys[] = {
	{ .name = "ports", .type = CONF_T_SEQ, .flags = CONF_K_REQUIRED,
	  .set = conf_set_ports,
	  .desc = "The ports, 1 to 16 of them; each is a mapping (see "
	    "\"port\")." },
	{ .name = "forward", .type = CONF_T_SEQ, .set = conf_set_forward,
	  .desc = "Where what each port receives is sent; each entry is a "
	    "mapping (see \"forward\").  A port without an entry drops what "
	    "it receives." },
	{ .name = "batch", .type = CONF_T_INT, .min = 1, .max = 256,
	  .def = "32", .unit = "packets", CONF_FIELD(conf, batch),
	  .desc = "Packets taken from a ring at a time." },
	{ .name = "link_timeout", .type = CONF_T_INT, .min = 0, .max = 60,
	  .scale = 1000, .def = "10", .unit = "seconds",
	  CONF_FIELD(conf, link_timeout_ms),
	  .desc = "How long to wait at start for the links to come up." },
	{ .name = "emulator", .type = CONF_T_MAP, .flags = CONF_K_NULLMAP,
	  .set = conf_set_emulator,
	  .desc = "Settings of the emulated 82599s' DMA engine (see "
	    "\"emulator\")." },
};

static const struct conf_key conf_emulator_keys[] = {
	{ .name = "cpu", .type = CONF_T_INT, .flags = CONF_K_CPU, .min = 0,
	  .max = 1023, CONF_FIELD(conf, emulator_cpu),
	  .desc = "CPU the engine thread is pinned to (default: not "
	    "pinned)." },
};

static const struct conf_key conf_port_keys[] = {
	{ .name = "name", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_name,
	  .desc = "The port's name: 1 to 31 letters, digits, '_' or '-'; "
	    "unique." },
	{ .name = "device", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_device,
	  .desc = "The PCI address of an 82599-family port, 0000:03:00.0 "
	    "(03:00.0 means domain 0000), or \"emulated\" for the built-in "
	    "emulated 82599.  A PCI address may be used by one port only." },
	{ .name = "rx_ring", .type = CONF_T_INT, .flags = CONF_K_POW2,
	  .min = 64, .max = 4096, .def = "512",
	  CONF_FIELD(conf_port, rx_ring),
	  .desc = "RX descriptors." },
	{ .name = "tx_ring", .type = CONF_T_INT, .flags = CONF_K_POW2,
	  .min = 64, .max = 4096, .def = "512",
	  CONF_FIELD(conf_port, tx_ring),
	  .desc = "TX descriptors." },
	{ .name = "promisc", .type = CONF_T_BOOL, .def = "true",
	  CONF_FIELD(conf_port, promisc),
	  .desc = "Receive frames for every destination address." },
	{ .name = "cpu", .type = CONF_T_INT, .flags = CONF_K_CPU, .min = 0,
	  .max = 1023, CONF_FIELD(conf_port, cpu),
	  .desc = "CPU of the thread that polls the port; ports on the same "
	    "cpu share one thread (default: a thread of its own, not "
	    "pinned)." },
	{ .name = "force", .type = CONF_T_BOOL, .def = "false",
	  CONF_FIELD(conf_port, force),
	  .desc = "PCI only: take the NIC even if its kernel interface is "
	    "up." },
	{ .name = "mac", .type = CONF_T_STRING, .set = conf_set_mac,
	  .desc = "Emulated only: the MAC address in the NIC's EEPROM, "
	    "02:00:00:00:00:01 (default: 02:1f:d0:00:00:NN, NN the port's "
	    "position in ports, from 01)." },
	{ .name = "wire", .type = CONF_T_MAP, .set = conf_set_wire,
	  .desc = "Emulated only: what the NIC's cable is plugged into (see "
	    "\"wire\"; default: nothing, the link stays down)." },
};

static const struct conf_key conf_wire_keys[] = {
	{ .name = "interface", .type = CONF_T_STRING, .set = conf_set_iface,
	  .desc = "A kernel network interface (a veth or tap), used through "
	    "AF_PACKET.  It need not exist until the port is started." },
	{ .name = "peer", .type = CONF_T_STRING, .set = conf_set_peer,
	  .desc = "Another emulated port, at the other end of the cable.  "
	    "That port says peer: back, or has no wire (it gets this one)." },
	{ .name = "pcap_in", .type = CONF_T_STRING, .set = conf_set_pcap,
	  .desc = "Frames to receive, from a pcap file that must be "
	    "readable.  Relative paths start at the configuration's "
	    "directory." },
	{ .name = "pcap_out", .type = CONF_T_STRING, .set = conf_set_pcap,
	  .desc = "Where the frames the port sends are written, as pcap.  "
	    "Either of pcap_in and pcap_out may be given alone." },
	{ .name = "generator", .type = CONF_T_MAP, .flags = CONF_K_NULLMAP,
	  .set = conf_set_generator,
	  .desc = "A traffic generator and sink (see \"generator\")." },
};

static const struct conf_key conf_generator_keys[] = {
	{ .name = "size", .type = CONF_T_INT, .min = 64, .max = 1518,
	  .bias = -4, .def = "64", .unit = "bytes on the wire, CRC included",
	  CONF_FIELD(conf_wire, gen_size),
	  .desc = "Frame size as benchmarks count it, 4-byte CRC included: "
	    "64 is the smallest Ethernet frame." },
	{ .name = "count", .type = CONF_T_INT, .min = 0, .max = LLONG_MAX,
	  .def = "0", .unit = "frames", CONF_FIELD(conf_wire, gen_count),
	  .desc = "Frames to send; 0: forever." },
	{ .name = "rate", .type = CONF_T_INT, .min = 0, .max = LLONG_MAX,
	  .def = "0", .unit = "frames per second",
	  CONF_FIELD(conf_wire, gen_rate),
	  .desc = "Frames per second; 0: as fast as the NIC takes them." },
};

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

const struct conf_table conf_root_table =
    CONF_TABLE("top level", "at the top level", conf_root_keys);
static const struct conf_table conf_emulator_table =
    CONF_TABLE("emulator", "in emulator", conf_emulator_keys);
static const struct conf_table conf_port_table =
    CONF_TABLE("port", "in port", conf_port_keys);
static const struct conf_table conf_wire_table =
    CONF_TABLE("wire", "in wire", conf_wire_keys);
static const struct conf_table conf_generator_table =
    CONF_TABLE("generator", "in generator", conf_generator_keys);
static const struct conf_table conf_forward_table =
    CONF_TABLE("forward", "in forward", conf_forward_keys);

static const struct conf_table *const conf_tables[] = {
	&conf_root_table, &conf_emulator_table, &conf_port_table,
	&conf_wire_table, &conf_generator_table, &conf_forward_table,
};

_Static_assert(sizeof(conf_port_keys) / sizeof(conf_port_keys[0]) <=
    CONF_KEYS_MAX, "CONF_KEYS_MAX too small");

/* Index of the key called name in t. */
static int
conf_key_index(const struct conf_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->nkeys; i++)
		if (strcmp(t->keys[i].name, name) == 0)
			return i;
	return -1;
}

static struct conf_seen *
conf_seen_key(const struct conf_table *t, struct conf_seen *seen,
    const char *name)
{
	int i = conf_key_index(t, name);

	return i < 0 || seen[i].key == NULL ? NULL : &seen[i];
}

int
conf_port_index(const struct conf *c, const char *name)
{
	int i;

	if (name == NULL || *name == '\0')
		return -1;
	for (i = 0; i < c->nports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return i;
	return -1;
}

/* The port a name node refers to; -1 with an error if none. */
static int
conf_port_ref(struct conf_parse *p, yaml_node_t *n)
{
	char q[CONF_QUOTE_MAX], names[CONF_PORTS_MAX * (CONF_NAME_MAX + 2)];
	int i;

	if ((i = conf_port_index(p->c, conf_text(n))) >= 0)
		return i;
	names[0] = '\0';
	for (i = 0; i < p->c->nports; i++) {
		if (p->c->ports[i].name[0] == '\0')
			continue;
		if (names[0] != '\0')
			strlcat(names, ", ", sizeof(names));
		strlcat(names, p->c->ports[i].name, sizeof(names));
	}
	conf_err(p, n, "unknown port %s (ports are: %s)",
	    conf_quote(conf_text(n), q, sizeof(q)), names);
	return -1;
}

/* Exactly n hex digits at s. */
static int
conf_hex(const char *s, int n, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
		    tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return 0;
}

/* DDDD:BB:DD.F or BB:DD.F into the canonical, lower-case long form. */
static int
conf_pci_addr(const char *s, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;

	if (strlen(s) == 12) {
		if (conf_hex(s, 4, &dom) == -1 || s[4] != ':')
			return -1;
		s += 5;
	} else if (strlen(s) != 7)
		return -1;
	if (conf_hex(s, 2, &bus) == -1 || s[2] != ':' ||
	    conf_hex(s + 3, 2, &dev) == -1 || s[5] != '.' ||
	    conf_hex(s + 6, 1, &fn) == -1)
		return -1;
	if (dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static int
conf_mac_addr(const char *s, uint8_t mac[6])
{
	unsigned int b;
	int i;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		if (conf_hex(s + 3 * i, 2, &b) == -1 ||
		    (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = b;
	}
	return 0;
}

static const char *
conf_mac_str(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
	return buf;
}

/* A path of the file, relative ones from the file's directory. */
static int
conf_path(struct conf_parse *p, const char *s, char *out, size_t len)
{
	int n;

	if (s[0] == '/' || p->dir[0] == '\0')
		return strlcpy(out, s, len) < len ? 0 : -1;
	n = snprintf(out, len, "%s/%s", strcmp(p->dir, "/") == 0 ? "" :
	    p->dir, s);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

static const char *
conf_wire_name(enum conf_wire_kind k)
{
	switch (k) {
	case CONF_WIRE_NONE:
		return "none";
	case CONF_WIRE_IFACE:
		return "interface";
	case CONF_WIRE_PEER:
		return "peer";
	case CONF_WIRE_PCAP:
		return "pcap";
	case CONF_WIRE_GENERATOR:
		return "generator";
	}
	return "?";
}

void
conf_root_begin(struct conf_parse *p)
{
	conf_defaults(&conf_root_table, p->c);
	p->c->emulator_cpu = -1;
}

/* emulator: { cpu: N } */
static void
conf_set_emulator(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)k;
	(void)key;
	conf_walk(p, val, &conf_emulator_table, obj, NULL);
}

/* Checks of one port that need all its keys. */
static void
conf_port_end(struct conf_parse *p, int i, struct conf_seen *seen)
{
	struct conf_port *port = &p->c->ports[i], *o;
	struct conf_port_src *src = &p->psrc[i];
	struct conf_seen *s;
	int j;

	if (src->dev == CONF_DEV_PCI) {
		if ((s = conf_seen_key(&conf_port_table, seen, "mac")) != NULL)
			conf_err(p, s->key, "mac: only an emulated port can "
			    "have its MAC address set");
		if ((s = conf_seen_key(&conf_port_table, seen, "wire")) !=
		    NULL)
			conf_err(p, s->key, "wire: only an emulated port has "
			    "a wire");
	}
	if (src->dev == CONF_DEV_EMULATED) {
		if ((s = conf_seen_key(&conf_port_table, seen, "force")) !=
		    NULL)
			conf_err(p, s->key, "force: only applies to a PCI "
			    "port");
		if (!port->has_mac) {
			/* locally administered, unicast */
			static const uint8_t base[6] = {
				0x02, 0x1f, 0xd0, 0x00, 0x00, 0x00
			};

			memcpy(port->mac, base, sizeof(base));
			port->mac[5] = i + 1;
		}
	}
	for (j = 0; j < i; j++) {
		o = &p->c->ports[j];
		if (port->name[0] != '\0' && strcmp(port->name, o->name) == 0) {
			conf_err(p, src->name, "duplicate port name \"%s\" "
			    "(first at line %d)", port->name, o->line);
			/* names stay unique: the first one is meant */
			port->name[0] = '\0';
		}
		if (src->dev == CONF_DEV_PCI &&
		    p->psrc[j].dev == CONF_DEV_PCI &&
		    strcmp(port->device, o->device) == 0)
			conf_err(p, src->device, "device: %s is already used "
			    "by port \"%s\" at line %d", port->device,
			    o->name, o->line);
	}
}

/* ports: [ {port}, ... ] */
static void
conf_set_ports(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	struct conf_seen seen[CONF_KEYS_MAX];
	struct conf_port *port;
	yaml_node_item_t *it;
	yaml_node_t *n;
	char d[CONF_QUOTE_MAX + 32];
	int i;

	(void)k;
	(void)key;
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "ports: at least one port is required");
		return;
	}
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (c->nports == CONF_PORTS_MAX) {
			conf_err(p, n, "ports: at most %d ports are supported",
			    CONF_PORTS_MAX);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			conf_err(p, n, "ports: expected a mapping for each "
			    "port, got %s", conf_describe(n, d, sizeof(d)));
			continue;
		}
		i = c->nports++;
		port = &c->ports[i];
		conf_defaults(&conf_port_table, port);
		port->cpu = -1;
		port->wire.peer = -1;
		port->line = conf_line(n);
		port->col = (int)n->start_mark.column + 1;
		p->psrc[i].node = n;
		p->psrc[i].peer_of = -1;
		p->cur = i;
		conf_walk(p, n, &conf_port_table, port, seen);
		conf_port_end(p, i, seen);
	}
}

static void
conf_set_name(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_port *port = obj;
	const char *s = conf_text(val), *q;
	char buf[CONF_QUOTE_MAX];

	(void)k;
	(void)key;
	p->psrc[p->cur].name = val;
	conf_quote(s, buf, sizeof(buf));
	if (*s == '\0') {
		conf_err(p, val, "name: a port name cannot be empty");
		return;
	}
	if (strlen(s) >= CONF_NAME_MAX) {
		conf_err(p, val, "name: %s is longer than %d characters", buf,
		    CONF_NAME_MAX - 1);
		return;
	}
	for (q = s; *q != '\0'; q++) {
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-') {
			conf_err(p, val, "name: %s may contain only letters, "
			    "digits, '_' and '-'", buf);
			return;
		}
	}
	strlcpy(port->name, s, sizeof(port->name));
}

static void
conf_set_device(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_port *port = obj;
	struct conf_port_src *src = &p->psrc[p->cur];
	const char *s = conf_text(val);
	char buf[CONF_QUOTE_MAX];

	(void)k;
	(void)key;
	src->device = val;
	if (strcmp(s, "emulated") == 0) {
		port->emulated = 1;
		strlcpy(port->device, s, sizeof(port->device));
		src->dev = CONF_DEV_EMULATED;
	} else if (conf_pci_addr(s, port->device, sizeof(port->device)) == 0)
		src->dev = CONF_DEV_PCI;
	else
		conf_err(p, val, "device: %s is neither \"emulated\" nor a PCI "
		    "address such as 0000:03:00.0",
		    conf_quote(s, buf, sizeof(buf)));
}

static void
conf_set_mac(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_port *port = obj;
	const char *s = conf_text(val);
	char buf[CONF_QUOTE_MAX];
	uint8_t mac[6];
	static const uint8_t zero[6];

	(void)k;
	(void)key;
	if (conf_mac_addr(s, mac) == -1) {
		conf_err(p, val, "mac: %s is not a MAC address such as "
		    "02:00:00:00:00:01", conf_quote(s, buf, sizeof(buf)));
		return;
	}
	if (mac[0] & 1) {
		conf_err(p, val, "mac: %s is a multicast address", s);
		return;
	}
	if (memcmp(mac, zero, sizeof(zero)) == 0) {
		conf_err(p, val, "mac: %s is not a usable address", s);
		return;
	}
	memcpy(port->mac, mac, sizeof(mac));
	port->has_mac = 1;
	p->psrc[p->cur].mac = val;
}

/* wire: { exactly one kind } */
static void
conf_set_wire(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_port *port = obj;
	struct conf_seen seen[CONF_KEYS_MAX];
	const struct conf_table *t = &conf_wire_table;
	enum conf_wire_kind kind = CONF_WIRE_NONE;
	int n = 0;

	(void)k;
	(void)key;
	conf_walk(p, val, t, &port->wire, seen);
	if (conf_seen_key(t, seen, "interface") != NULL) {
		kind = CONF_WIRE_IFACE;
		n++;
	}
	if (conf_seen_key(t, seen, "peer") != NULL) {
		kind = CONF_WIRE_PEER;
		n++;
	}
	if (conf_seen_key(t, seen, "pcap_in") != NULL ||
	    conf_seen_key(t, seen, "pcap_out") != NULL) {
		kind = CONF_WIRE_PCAP;
		n++;
	}
	if (conf_seen_key(t, seen, "generator") != NULL) {
		kind = CONF_WIRE_GENERATOR;
		n++;
	}
	if (n != 1) {
		conf_err(p, val, "wire: choose one of interface, peer, "
		    "pcap_in/pcap_out, generator");
		p->psrc[p->cur].wire_ok = -1;
		return;
	}
	port->wire.kind = kind;
	p->psrc[p->cur].wire_ok = 1;
}

/* Linux's dev_valid_name(). */
static void
conf_set_iface(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_wire *w = obj;
	const char *s = conf_text(val), *q;
	char buf[CONF_QUOTE_MAX];
	int bad = 0;

	(void)k;
	(void)key;
	p->psrc[p->cur].iface = val;
	if (*s == '\0' || strlen(s) > 15 || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		bad = 1;
	for (q = s; *q != '\0'; q++)
		if (*q == '/' || *q == ':' || isspace((unsigned char)*q))
			bad = 1;
	if (bad) {
		conf_err(p, val, "interface: %s is not an interface name (1 to "
		    "15 characters, no '/', ':' or spaces)",
		    conf_quote(s, buf, sizeof(buf)));
		return;
	}
	strlcpy(w->iface, s, sizeof(w->iface));
}

static void
conf_set_peer(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	(void)obj;
	(void)k;
	(void)key;
	p->psrc[p->cur].peer = val;
}

static void
conf_set_pcap(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_wire *w = obj;
	struct conf_port_src *src = &p->psrc[p->cur];
	struct stat st;
	const char *s = conf_text(val);
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	int in = strcmp(k->name, "pcap_in") == 0, fd;

	(void)key;
	if (!in)
		src->pcap_out = val;
	if (*s == '\0') {
		conf_err(p, val, "%s: the path is empty", k->name);
		return;
	}
	if (conf_path(p, s, path, sizeof(path)) == -1) {
		conf_err(p, val, "%s: the path is too long", k->name);
		return;
	}
	if (in) {
		/* O_NONBLOCK: a FIFO must not hang the check */
		if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
			conf_err(p, val, "pcap_in: cannot open %s: %s", path,
			    strerror(errno));
			return;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			conf_err(p, val, "pcap_in: cannot read %s: %s", path,
			    strerror(EISDIR));
			close(fd);
			return;
		}
		close(fd);
		strlcpy(w->pcap_in, path, sizeof(w->pcap_in));
		return;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		conf_err(p, val, "pcap_out: cannot write %s: %s", path,
		    strerror(EISDIR));
		return;
	}
	strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK) == -1) {
		conf_err(p, val, "pcap_out: cannot write in %s: %s", dir,
		    strerror(errno));
		return;
	}
	strlcpy(w->pcap_out, path, sizeof(w->pcap_out));
}

static void
conf_set_generator(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)k;
	(void)key;
	conf_defaults(&conf_generator_table, obj);
	conf_walk(p, val, &conf_generator_table, obj, NULL);
}

/* forward: [ { from: a, to: b }, ... ] */
static void
conf_set_forward(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	struct conf_forward *f;
	yaml_node_item_t *it;
	yaml_node_t *n;
	char d[CONF_QUOTE_MAX + 32];
	int i;

	(void)k;
	(void)key;
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (c->nforwards == CONF_FORWARDS_MAX) {
			conf_err(p, n, "forward: at most %d entries are "
			    "supported", CONF_FORWARDS_MAX);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			conf_err(p, n, "forward: expected a mapping such as "
			    "{ from: a, to: b }, got %s",
			    conf_describe(n, d, sizeof(d)));
			continue;
		}
		i = c->nforwards++;
		f = &c->forwards[i];
		f->from = -1;
		f->line = conf_line(n);
		f->col = (int)n->start_mark.column + 1;
		p->fsrc[i].node = n;
		p->cur = i;
		conf_walk(p, n, &conf_forward_table, f, NULL);
	}
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
	yaml_node_item_t *it;
	yaml_node_t *n;
	char d[CONF_QUOTE_MAX + 32];
	int ok = 1;

	(void)obj;
	(void)key;
	if (val->type == YAML_SCALAR_NODE && !conf_is_null(val)) {
		p->fsrc[p->cur].to = val;
		return;
	}
	if (val->type != YAML_SEQUENCE_NODE) {
		conf_err(p, val, "to: expected %s, got %s",
		    conf_type_name(k->type), conf_describe(val, d, sizeof(d)));
		return;
	}
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "to: at least one destination is required");
		return;
	}
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (n->type != YAML_SCALAR_NODE || conf_is_null(n)) {
			conf_err(p, n, "to: expected a port name, got %s",
			    conf_describe(n, d, sizeof(d)));
			ok = 0;
		}
	}
	if (ok)
		p->fsrc[p->cur].to = val;
}

/*
 * Peers: A's wire says peer: B.  B must be another emulated port whose
 * wire says peer: A, or which has no wire at all; then B is given the
 * other end of A's cable.  B may be the implicit peer of one port only.
 */
static void
conf_check_peers(struct conf_parse *p)
{
	struct conf *c = p->c;
	struct conf_port_src *a, *b;
	int i, t, back;

	for (i = 0; i < c->nports; i++) {
		a = &p->psrc[i];
		if (a->dev != CONF_DEV_EMULATED || a->wire_ok != 1 ||
		    c->ports[i].wire.kind != CONF_WIRE_PEER ||
		    a->peer == NULL)
			continue;
		if ((t = conf_port_ref(p, a->peer)) < 0)
			continue;
		b = &p->psrc[t];
		if (t == i) {
			conf_err(p, a->peer, "peer: a port cannot be its own "
			    "peer");
			continue;
		}
		if (b->dev == CONF_DEV_PCI) {
			conf_err(p, a->peer, "peer: port \"%s\" is not "
			    "emulated", c->ports[t].name);
			continue;
		}
		if (b->dev != CONF_DEV_EMULATED || b->wire_ok == -1)
			continue;	/* its own error says why */
		if (b->wire_ok == 0) {
			if (b->peer_of >= 0) {
				conf_err(p, a->peer, "peer: port \"%s\" is "
				    "already the peer of port \"%s\"",
				    c->ports[t].name,
				    c->ports[b->peer_of].name);
				continue;
			}
			b->peer_of = i;
		} else if (c->ports[t].wire.kind != CONF_WIRE_PEER) {
			conf_err(p, a->peer, "peer: port \"%s\" already has a "
			    "wire (%s)", c->ports[t].name,
			    conf_wire_name(c->ports[t].wire.kind));
			continue;
		} else if (b->peer != NULL &&
		    (back = conf_port_index(c, conf_text(b->peer))) != i) {
			if (back >= 0)
				conf_err(p, a->peer, "peer: port \"%s\" is "
				    "wired to port \"%s\"", c->ports[t].name,
				    c->ports[back].name);
			continue;
		}
		c->ports[i].wire.peer = t;
	}
	for (t = 0; t < c->nports; t++) {
		if (p->psrc[t].peer_of >= 0) {
			c->ports[t].wire.kind = CONF_WIRE_PEER;
			c->ports[t].wire.peer = p->psrc[t].peer_of;
		}
	}
}

/* Things two ports must not share: MAC, interface, pcap output. */
static void
conf_check_shared(struct conf_parse *p)
{
	struct conf *c = p->c;
	struct conf_port *x, *y;
	struct conf_port_src *xs, *ys;
	char m[32];
	int i, j;

	for (j = 0; j < c->nports; j++) {
		y = &c->ports[j];
		ys = &p->psrc[j];
		if (ys->dev != CONF_DEV_EMULATED)
			continue;
		for (i = 0; i < c->nports; i++) {
			x = &c->ports[i];
			xs = &p->psrc[i];
			if (i == j || xs->dev != CONF_DEV_EMULATED)
				continue;
			/* each pair once, at the explicit one, later first */
			if (memcmp(x->mac, y->mac, 6) == 0 && ys->mac != NULL &&
			    (i < j || xs->mac == NULL))
				conf_err(p, ys->mac, "mac: %s is also the "
				    "address of port \"%s\"",
				    conf_mac_str(y->mac, m, sizeof(m)),
				    x->name);
			if (i < j && y->wire.kind == CONF_WIRE_IFACE &&
			    x->wire.kind == CONF_WIRE_IFACE &&
			    y->wire.iface[0] != '\0' &&
			    strcmp(x->wire.iface, y->wire.iface) == 0)
				conf_err(p, ys->iface, "interface: %s is also "
				    "the wire of port \"%s\"", y->wire.iface,
				    x->name);
			if (i < j && y->wire.pcap_out[0] != '\0' &&
			    strcmp(x->wire.pcap_out, y->wire.pcap_out) == 0)
				conf_err(p, ys->pcap_out, "pcap_out: %s is "
				    "also written by port \"%s\"",
				    y->wire.pcap_out, x->name);
		}
		for (i = 0; i < c->nports; i++) {
			if (y->wire.pcap_out[0] != '\0' &&
			    strcmp(c->ports[i].wire.pcap_in,
			    y->wire.pcap_out) == 0)
				conf_err(p, ys->pcap_out, "pcap_out: %s is "
				    "also read by port \"%s\"",
				    y->wire.pcap_out, c->ports[i].name);
		}
	}
}

static void
conf_check_forwards(struct conf_parse *p)
{
	struct conf *c = p->c;
	struct conf_forward *f;
	struct conf_fwd_src *src;
	yaml_node_t *names[CONF_PORTS_MAX + 1], *n;
	yaml_node_item_t *it;
	int i, j, nn, t, from;

	for (i = 0; i < c->nforwards; i++) {
		f = &c->forwards[i];
		src = &p->fsrc[i];
		from = -1;
		if (src->from != NULL &&
		    (from = conf_port_ref(p, src->from)) >= 0) {
			for (j = 0; j < i; j++) {
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

void
conf_root_end(struct conf_parse *p, struct conf_seen *seen)
{
	(void)seen;
	/* Without ports every name would be unknown: say it once. */
	if (p->c->nports == 0)
		return;
	conf_check_peers(p);
	conf_check_shared(p);
	conf_check_forwards(p);
}

/* text indented by indent, its lines cut at spaces before width. */
static void
conf_print_wrapped(FILE *f, const char *text, int indent, int width)
{
	const char *s = text, *end, *cut;

	while (*s != '\0') {
		end = s + strlen(s);
		cut = end;
		if (end - s > width - indent) {
			for (cut = s + (width - indent); cut > s && *cut != ' ';
			    cut--)
				;
			if (cut == s)
				cut = strchr(s + (width - indent), ' ');
			if (cut == NULL)
				cut = end;
		}
		fprintf(f, "%*s%.*s\n", indent, "", (int)(cut - s), s);
		s = cut;
		while (*s == ' ')
			s++;
	}
}

static void
conf_print_key(FILE *f, const struct conf_key *k)
{
	fprintf(f, "  %-13s %s", k->name, conf_type_name(k->type));
	if (k->type == CONF_T_INT && k->max == LLONG_MAX)
		fprintf(f, ", %lld or more", k->min);
	else if (k->type == CONF_T_INT)
		fprintf(f, ", %s%lld..%lld", (k->flags & CONF_K_POW2) ?
		    "a power of two " : "", k->min, k->max);
	if (k->unit != NULL)
		fprintf(f, " %s", k->unit);
	if (k->flags & CONF_K_REQUIRED)
		fprintf(f, ", required");
	if (k->def != NULL)
		fprintf(f, ", default %s", k->def);
	fputc('\n', f);
	conf_print_wrapped(f, k->desc, 16, 76);
}

void
conf_schema_print(FILE *f)
{
	const struct conf_table *t;
	size_t i;
	int j;

	for (i = 0; i < sizeof(conf_tables) / sizeof(conf_tables[0]); i++) {
		t = conf_tables[i];
		fprintf(f, "%s%s:\n", i ? "\n" : "", t->name);
		for (j = 0; j < t->nkeys; j++)
			conf_print_key(f, &t->keys[j]);
	}
}
