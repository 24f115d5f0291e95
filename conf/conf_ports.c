/*
 * conf_ports.c: the ports (ports:), what each is (device:), the cable of
 * an emulated one (wire:, generator:), and the emulator: section.  The
 * handlers check what a type and a range cannot (names, PCI and MAC
 * addresses, interfaces, pcap files); conf_check_peers() and
 * conf_check_shared() check what spans ports once all are read.
 */
#include <sys/stat.h>

#include <bsd/string.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"

static void	conf_set_name(CONF_SET_ARGS);
static void	conf_set_device(CONF_SET_ARGS);
static void	conf_set_mac(CONF_SET_ARGS);
static void	conf_set_wire(CONF_SET_ARGS);
static void	conf_set_iface(CONF_SET_ARGS);
static void	conf_set_peer(CONF_SET_ARGS);
static void	conf_set_pcap(CONF_SET_ARGS);
static void	conf_set_generator(CONF_SET_ARGS);
static void	conf_set_cpus(CONF_SET_ARGS);
static void	conf_set_rss_key(CONF_SET_ARGS);
static void	conf_set_rss_fields(CONF_SET_ARGS);
static void	conf_set_reta(CONF_SET_ARGS);
static void	conf_set_port_poll(CONF_SET_ARGS);
static void	conf_set_poll_mode(CONF_SET_ARGS);

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
	{ .name = "device", .type = CONF_T_STRING,
	  .flags = CONF_K_REQUIRED | CONF_K_NULLWORD, .set = conf_set_device,
	  .desc = "The PCI address of an 82599-family port, 0000:03:00.0 "
	    "(03:00.0 means domain 0000; vfio:0000:03:00.0 takes it "
	    "through VFIO only), \"emulated\" for the built-in "
	    "emulated 82599, or null for a port without a device: it "
	    "receives 64-byte frames as fast as they are taken and frees "
	    "what it is given to send.  A PCI address may be used by one "
	    "port only." },
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
	    "pinned).  The same as cpus: [N]." },
	{ .name = "queues", .type = CONF_T_INT, .min = 1, .max = 16,
	  .def = "1", CONF_FIELD(conf_port, queues),
	  .desc = "RX queues; the NIC spreads the flows it receives over "
	    "them by RSS (see \"rss\")." },
	{ .name = "cpus", .type = CONF_T_SEQ, .set = conf_set_cpus,
	  .desc = "CPUs of the threads that poll the queues, queue q on the "
	    "CPU at position q % n of the list.  Each a CPU of this machine, "
	    "listed once, no more CPUs than queues; not with cpu.  Threads "
	    "are per CPU: ports sharing a CPU share its thread." },
	{ .name = "mtu", .type = CONF_T_INT, .min = 68, .max = 9710,
	  .def = "1500", .unit = "bytes", CONF_FIELD(conf_port, mtu),
	  .desc = "The largest L3 packet received and sent.  The 82599 "
	    "takes frames up to 15.5 KB (MAXFRS.MFS); 9710 is the cap so "
	    "that a frame with two VLAN tags and its CRC fits a 10 KB "
	    "buffer.  Meaningless for a null port." },
	{ .name = "rss", .type = CONF_T_MAP, .flags = CONF_K_NULLMAP,
	  .sub = &conf_rss_table, CONF_FIELD(conf_port, rss),
	  .desc = "How received packets are spread over the queues (see "
	    "\"rss\"); matters with queues above 1." },
	{ .name = "poll", .type = CONF_T_STRING, .set = conf_set_port_poll,
	  .desc = "busy or adaptive: the top level's poll mode for this "
	    "port only.  A thread serving several ports busy-polls if any "
	    "of them says busy (default: the top level's mode)." },
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

/* rss: { key:, fields:, reta: }: into a struct conf_rss. */
static const struct conf_key conf_rss_keys[] = {
	{ .name = "key", .type = CONF_T_STRING, .def = "symmetric",
	  .set = conf_set_rss_key,
	  .desc = "The 40-byte Toeplitz key: 80 hex digits, a colon or a "
	    "space allowed between bytes; symmetric (0x6d5a repeated: both "
	    "directions of a flow hash alike, so one thread sees both); or "
	    "microsoft, the key of Microsoft's RSS verification suite." },
	{ .name = "fields", .type = CONF_T_SEQ,
	  .def = "all",
	  .set = conf_set_rss_fields,
	  .desc = "What is hashed, a list of ipv4, ipv4-tcp, ipv4-udp, ipv6, "
	    "ipv6-tcp, ipv6-udp (the -tcp and -udp ones add the ports); "
	    "other packets go to queue 0." },
	{ .name = "reta", .type = CONF_T_SEQ, .set = conf_set_reta,
	  .desc = "The redirection table: the queue of each of the 128 hash "
	    "buckets, as a list repeated to fill them, so its length "
	    "divides 128 (1, 2, 4, ... 128); each entry a queue of the "
	    "port, from 0.  Default: bucket i to queue i % queues." },
};

/* poll: { mode:, max_sleep: } at the top level: into a struct conf. */
static const struct conf_key conf_poll_keys[] = {
	{ .name = "mode", .type = CONF_T_STRING, .def = "adaptive",
	  .set = conf_set_poll_mode,
	  .desc = "adaptive: an idle thread sleeps, in steps that grow up to "
	    "max_sleep, and spins again as soon as a packet comes; busy: "
	    "the threads spin, one CPU each at 100%.  A port's poll: "
	    "overrides it." },
	{ .name = "max_sleep", .type = CONF_T_INT, .min = 1, .max = 10000,
	  .def = "100", .unit = "microseconds",
	  CONF_FIELD(conf, poll_sleep_max_us),
	  .desc = "adaptive: the longest sleep of an idle thread, which is "
	    "the most a packet arriving at an idle port waits." },
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

const struct conf_table conf_emulator_table =
    CONF_TABLE("emulator", "in emulator", conf_emulator_keys);
const struct conf_table conf_port_table =
    CONF_TABLE("port", "in port", conf_port_keys);
const struct conf_table conf_wire_table =
    CONF_TABLE("wire", "in wire", conf_wire_keys);
const struct conf_table conf_generator_table =
    CONF_TABLE("generator", "in generator", conf_generator_keys);
const struct conf_table conf_rss_table =
    CONF_TABLE("rss", "in rss", conf_rss_keys);
const struct conf_table conf_poll_table =
    CONF_TABLE("poll", "in poll", conf_poll_keys);

CONF_FITS(conf_port_keys);

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

/* A PCI device string without its "vfio:". */
static const char *
conf_bdf(const char *device)
{
	return strncmp(device, "vfio:", 5) == 0 ? device + 5 : device;
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

/*
 * The default RSS key is symmetric: 0x6d5a repeated.  With it the
 * Toeplitz hash of (src, dst) equals that of (dst, src) for addresses and
 * ports alike, so both directions of a flow land on the same queue index
 * of each port and one worker sees the whole conversation (Woo and Park,
 * "Scalable TCP Session Monitoring with Symmetric Receive-side Scaling",
 * 2012).  The RETA spreads the queues round-robin.
 */
void
conf_rss_defaults(struct conf_rss *r)
{
	int i;

	for (i = 0; i < CONF_RSS_KEY_LEN; i++)
		r->key[i] = i % 2 == 0 ? 0x6d : 0x5a;
	r->fields = CONF_RSS_ALL;
	memset(r->reta, 0, sizeof(r->reta));
}

/* cpu or cpus against queues; cpu becomes cpus[0]. */
static void
conf_port_cpus(struct conf_parse *p, int i, struct conf_seen *seen)
{
	struct conf_port *port = &p->c->ports[i];
	struct conf_port_src *src = &p->psrc[i];
	struct conf_seen *one, *list;
	int j;

	one = conf_seen_key(&conf_port_table, seen, "cpu");
	list = conf_seen_key(&conf_port_table, seen, "cpus");
	if (one != NULL && list != NULL) {
		if (one->key->start_mark.index > list->key->start_mark.index)
			list = one;
		conf_err(p, list->key, "%s: give cpu or cpus, not both",
		    conf_text(list->key));
		port->ncpus = 0;
	} else if (one != NULL && port->cpu >= 0) {
		port->ncpus = 1;
		port->cpus[0] = port->cpu;
	}
	for (j = port->queues; j < port->ncpus; j++)
		conf_err(p, src->cpu_node[j], "cpus: %d CPUs for %d queue%s: "
		    "CPU %d would serve nothing", port->ncpus, port->queues,
		    port->queues == 1 ? "" : "s", port->cpus[j]);
	port->cpu = port->ncpus > 0 ? port->cpus[0] : -1;
}

/* The redirection table: the list given, repeated, or round-robin. */
static void
conf_port_reta(struct conf_parse *p, int i)
{
	struct conf_port *port = &p->c->ports[i];
	struct conf_port_src *src = &p->psrc[i];
	int j, n = src->nreta;

	for (j = 0; j < n; j++)
		if (port->rss.reta[j] >= port->queues)
			conf_err(p, src->reta_node[j], "reta: queue %d is not a "
			    "queue of the port: it has %d (0 to %d)",
			    port->rss.reta[j], port->queues,
			    port->queues - 1);
	for (j = 0; j < CONF_RETA_SIZE; j++)
		port->rss.reta[j] = n > 0 ? port->rss.reta[j % n] :
		    (uint8_t)(j % port->queues);
}

/* Checks of one port that need all its keys. */
static void
conf_port_end(struct conf_parse *p, int i, struct conf_seen *seen)
{
	struct conf_port *port = &p->c->ports[i], *o;
	struct conf_port_src *src = &p->psrc[i];
	struct conf_seen *s;
	int j;

	if (src->dev == CONF_DEV_NULL &&
	    (s = conf_seen_key(&conf_port_table, seen, "force")) != NULL)
		conf_err(p, s->key, "force: only applies to a PCI port");
	if (src->dev == CONF_DEV_PCI || src->dev == CONF_DEV_NULL) {
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
	conf_port_cpus(p, i, seen);
	conf_port_reta(p, i);
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
		    strcmp(conf_bdf(port->device), conf_bdf(o->device)) == 0)
			conf_err(p, src->device, "device: %s is already used "
			    "by port \"%s\" at line %d", port->device,
			    o->name, o->line);
	}
}

/* Port i of the configuration (obj). */
static void
conf_port_entry(struct conf_parse *p, void *obj, int i, yaml_node_t *n)
{
	struct conf_port *port = &((struct conf *)obj)->ports[i];
	struct conf_seen seen[CONF_KEYS_MAX];

	conf_defaults(&conf_port_table, port);
	port->cpu = -1;
	port->queues = 1;
	port->mtu = CONF_MTU_DEFAULT;
	port->poll = CONF_POLL_DEFAULT;
	conf_rss_defaults(&port->rss);
	port->wire.peer = -1;
	port->line = conf_line(n);
	port->col = (int)n->start_mark.column + 1;
	p->psrc[i].node = n;
	p->psrc[i].peer_of = -1;
	p->cur = i;
	conf_walk(p, n, &conf_port_table, port, seen);
	conf_port_end(p, i, seen);
}

/* ports: [ {port}, ... ] */
void
conf_set_ports(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const struct conf_list list = {
		.max = CONF_PORTS_MAX, .noun = "ports",
		.example = "for each port",
		.entry = conf_port_entry,
	};
	struct conf *c = obj;

	(void)key;
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "ports: at least one port is required");
		return;
	}
	conf_walk_list(p, k, val, &list, &c->nports, c);
}

static void
conf_set_name(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_port *port = obj;

	(void)k;
	(void)key;
	p->psrc[p->cur].name = val;
	if (conf_name_ok(p, val, "port") == 0)
		strlcpy(port->name, conf_text(val), sizeof(port->name));
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
		port->kind = PORT_KIND_EMULATED;
		strlcpy(port->device, s, sizeof(port->device));
		src->dev = CONF_DEV_EMULATED;
	} else if (strcmp(s, "null") == 0) {
		port->kind = PORT_KIND_NULL;
		strlcpy(port->device, s, sizeof(port->device));
		src->dev = CONF_DEV_NULL;
	} else if (conf_pci_addr(s, port->device, sizeof(port->device)) == 0)
		src->dev = CONF_DEV_PCI;
	else if (strncmp(s, "vfio:", 5) == 0 && conf_pci_addr(s + 5,
	    port->device + 5, sizeof(port->device) - 5) == 0) {
		memcpy(port->device, "vfio:", 5);	/* through VFIO only */
		src->dev = CONF_DEV_PCI;
	} else
		conf_err(p, val, "device: %s is not \"emulated\", \"null\", "
		    "a PCI address such as 0000:03:00.0 or vfio:0000:03:00.0",
		    conf_quote(s, buf, sizeof(buf)));
}

static void
conf_set_mac(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_port *port = obj;
	const char *s = conf_text(val);
	char err[CONF_QUOTE_MAX + 64];
	uint8_t mac[6];
	static const uint8_t zero[6];

	(void)k;
	(void)key;
	if (conf_match_mac(s, mac, err, sizeof(err)) == -1) {
		conf_err(p, val, "mac: %s", err);
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
	char path[PATH_MAX], dir[PATH_MAX];
	int in = strcmp(k->name, "pcap_in") == 0, fd;

	(void)key;
	if (!in)
		src->pcap_out = val;
	if (conf_file_path(p, k, val, path, sizeof(path)) == -1)
		return;
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
	conf_file_dir(path, dir, sizeof(dir));
	if (conf_dir_writable(p, k, val, dir) == -1)
		return;
	strlcpy(w->pcap_out, path, sizeof(w->pcap_out));
}

/* generator: { size:, count:, rate: }; its defaults are set only on a wire
 * that has one, so it is walked here rather than through .sub. */
static void
conf_set_generator(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)k;
	(void)key;
	conf_defaults(&conf_generator_table, obj);
	conf_walk(p, val, &conf_generator_table, obj, NULL);
}

/* cpus: [2, 3]: each a CPU of this machine, once; against queues in
 * conf_port_cpus(). */
static void
conf_set_cpus(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const struct conf_key item = {
		.name = "cpus", .type = CONF_T_INT, .min = 0, .max = 1023,
	};
	struct conf_port *port = obj;
	struct conf_port_src *src = &p->psrc[p->cur];
	yaml_node_item_t *it;
	yaml_node_t *n;
	long long v;
	int j, bad = 0;

	(void)k;
	(void)key;
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "cpus: the list is empty; leave cpus out for "
		    "a thread that is not pinned");
		return;
	}
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL) {
			bad = 1;
			continue;
		}
		if (port->ncpus == CONF_QUEUES_MAX) {
			conf_err(p, n, "cpus: at most %d CPUs, one per queue",
			    CONF_QUEUES_MAX);
			bad = 1;
			break;
		}
		if (conf_int(p, &item, n, &v) == -1) {
			bad = 1;
			continue;
		}
		if (v >= p->ncpus) {
			conf_err(p, n, "cpus: CPU %lld does not exist on this "
			    "machine (%ld CPU%s)", v, p->ncpus,
			    p->ncpus == 1 ? "" : "s");
			bad = 1;
			continue;
		}
		for (j = 0; j < port->ncpus && port->cpus[j] != v; j++)
			;
		if (j < port->ncpus) {
			conf_err(p, n, "cpus: CPU %lld is listed twice", v);
			bad = 1;
			continue;
		}
		src->cpu_node[port->ncpus] = n;
		port->cpus[port->ncpus++] = (int)v;
	}
	if (bad)
		port->ncpus = 0;	/* said; no more errors about it */
}

/* 40 bytes in hex, a ':' or ' ' allowed between bytes: the number of
 * bytes (up to len + 1), or -1 if s is not hex bytes. */
static int
conf_hex_bytes(const char *s, uint8_t *out, int len)
{
	unsigned int v;
	int n = 0;

	while (*s != '\0') {
		if (n > 0 && (*s == ':' || *s == ' '))
			s++;
		if (conf_hex(s, 2, &v) == -1)
			return -1;
		if (n < len)
			out[n] = (uint8_t)v;
		if (++n > len)
			return n;
		s += 2;
	}
	return n;
}

static void
conf_set_rss_key(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	/* The key of Microsoft's RSS verification suite, the one its
	 * test vectors are computed with. */
	static const char microsoft[] =
	    "6d5a56da255b0ec24167253d43a38fb0d0ca2bcb"
	    "ae7b30b477cb2da38030f20c6a42b73bbeac01fa";
	struct conf_rss *r = obj;
	const char *s = conf_text(val);
	uint8_t b[CONF_RSS_KEY_LEN];
	char q[CONF_QUOTE_MAX];
	int n;

	(void)key;
	if (strcmp(s, "symmetric") == 0) {
		for (n = 0; n < CONF_RSS_KEY_LEN; n++)
			r->key[n] = n % 2 == 0 ? 0x6d : 0x5a;
		return;
	}
	if (strcmp(s, "microsoft") == 0)
		s = microsoft;
	if ((n = conf_hex_bytes(s, b, CONF_RSS_KEY_LEN)) == -1) {
		conf_err(p, val, "%s: %s is neither symmetric, microsoft nor "
		    "40 bytes in hex (80 hex digits, a colon or a space "
		    "allowed between bytes)", k->name,
		    conf_quote(s, q, sizeof(q)));
		return;
	}
	if (n != CONF_RSS_KEY_LEN) {
		conf_err(p, val, "%s: %s%d bytes; an RSS key is 40 bytes (80 "
		    "hex digits)", k->name, n > CONF_RSS_KEY_LEN ?
		    "more than " : "", n > CONF_RSS_KEY_LEN ? CONF_RSS_KEY_LEN :
		    n);
		return;
	}
	memcpy(r->key, b, sizeof(b));
}

/* fields: [ipv4, ipv4-tcp, ...] */
static void
conf_set_rss_fields(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	static const char *const words[] = {
		"ipv4", "ipv4-tcp", "ipv4-udp", "ipv6", "ipv6-tcp", "ipv6-udp",
	};
	static const uint32_t bits[] = {
		CONF_RSS_IPV4, CONF_RSS_IPV4_TCP, CONF_RSS_IPV4_UDP,
		CONF_RSS_IPV6, CONF_RSS_IPV6_TCP, CONF_RSS_IPV6_UDP,
	};
	struct conf_rss *r = obj;
	yaml_node_item_t *it;
	yaml_node_t *n;
	int w;

	(void)key;
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "fields: the list is empty: every packet "
		    "would go to queue 0");
		return;
	}
	r->fields = 0;
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (conf_scalar_item(p, k, n, "ipv4, ipv4-tcp, ipv4-udp, "
		    "ipv6, ipv6-tcp or ipv6-udp") == -1 ||
		    (w = conf_word(p, k, n, words, 6)) < 0)
			continue;
		if (r->fields & bits[w])
			conf_err(p, n, "fields: %s is listed twice", words[w]);
		r->fields |= bits[w];
	}
}

/* reta: [0, 1, ...]: checked against queues in conf_port_reta(). */
static void
conf_set_reta(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const struct conf_key item = {
		.name = "reta", .type = CONF_T_INT, .min = 0,
		.max = CONF_QUEUES_MAX - 1,
	};
	struct conf_rss *r = obj;
	struct conf_port_src *src = &p->psrc[p->cur];
	yaml_node_item_t *it;
	yaml_node_t *n;
	long long v;
	int i = 0, bad = 0;

	(void)k;
	(void)key;
	if (val->data.sequence.items.start == val->data.sequence.items.top) {
		conf_err(p, val, "reta: the list is empty; leave reta out to "
		    "spread the buckets round-robin");
		return;
	}
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++, i++) {
		if ((n = conf_item(p, *it)) == NULL) {
			bad = 1;
			continue;
		}
		if (i == CONF_RETA_SIZE) {
			conf_err(p, n, "reta: at most %d entries, one per hash "
			    "bucket", CONF_RETA_SIZE);
			return;
		}
		if (conf_int(p, &item, n, &v) == -1) {
			bad = 1;
			continue;
		}
		src->reta_node[i] = n;
		r->reta[i] = (uint8_t)v;
	}
	if (CONF_RETA_SIZE % i != 0) {
		conf_err(p, val, "reta: %d entries, which do not divide the "
		    "table's 128; give 1, 2, 4, 8, 16, 32, 64 or 128", i);
		return;
	}
	if (!bad)
		src->nreta = i;
}

/* busy or adaptive: the mode, or -1 with an error. */
static int
conf_poll_mode(struct conf_parse *p, const struct conf_key *k,
    yaml_node_t *val)
{
	static const char *const words[] = { "adaptive", "busy" };
	static const enum conf_poll modes[] = {
		CONF_POLL_ADAPTIVE, CONF_POLL_BUSY,
	};
	int i;

	if ((i = conf_word(p, k, val, words, 2)) < 0)
		return -1;
	return modes[i];
}

/* poll: busy or adaptive, for one port */
static void
conf_set_port_poll(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_port *port = obj;
	int m;

	(void)key;
	if ((m = conf_poll_mode(p, k, val)) >= 0)
		port->poll = m;
}

/* poll: { mode: busy or adaptive } at the top level */
static void
conf_set_poll_mode(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	int m;

	(void)key;
	if ((m = conf_poll_mode(p, k, val)) >= 0)
		c->poll = m;
}

/*
 * Peers: A's wire says peer: B.  B must be another emulated port whose
 * wire says peer: A, or which has no wire at all; then B is given the
 * other end of A's cable.  B may be the implicit peer of one port only.
 */
void
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
		if (b->dev == CONF_DEV_PCI || b->dev == CONF_DEV_NULL) {
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
void
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
