/*
 * conf_schema.c: what ixfwd.yaml may say.  One table per mapping lists
 * every key with its type, range, default and description; conf.c walks
 * the file against them and conf_schema_print() documents them.  The
 * handlers below check what a type and a range cannot (names, PCI and MAC
 * addresses, paths, filters) and conf_root_end() checks what spans keys
 * and ports (peers, forward entries, the bridge, captures, addresses used
 * twice).
 *
 * A forward entry and the bridge share the keys that filter and tag what
 * they pass (conf_path_keys): both are walked against their own table and
 * that one, and conf_path_end() finishes both.  The values of rules are
 * parsed in conf_match.c.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <bsd/string.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

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
static void	conf_walk_path(struct conf_parse *, yaml_node_t *,
		    const struct conf_table *, void *, struct conf_seen *,
		    struct conf_path *);
static void	conf_set_path_filter(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_rules(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_default(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_vlans(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_action(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_rule_mac(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_ethertype(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_rule_vlan(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_prefix(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_proto(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_ports_range(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_tcp_flags(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_bridge(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_bridge_ports(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_statics(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_static_mac(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_static_port(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_captures(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_capture_name(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_capture_port(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_direction(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_where(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_probability(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_capture_filter(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_capture_file(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_rotate(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_format(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_user(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_file_mode(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);

static void	conf_set_control(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_socket(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_metrics(struct conf_parse *, void *,
		    const struct conf_key *, yaml_node_t *, yaml_node_t *);
static void	conf_set_listen(struct conf_parse *, void *,
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
	{ .name = "bridge", .type = CONF_T_MAP, .set = conf_set_bridge,
	  .desc = "A learning switch between some of the ports (see "
	    "\"bridge\"); its ports have no forward entry." },
	{ .name = "capture", .type = CONF_T_SEQ, .set = conf_set_captures,
	  .desc = "Sampled packet captures into pcap files, up to 16; each "
	    "is a mapping (see \"capture\")." },
	{ .name = "user", .type = CONF_T_STRING, .def = "ixfwd",
	  .set = conf_set_user,
	  .desc = "The user (\"name\" or \"name:group\") ixfwd runs as once "
	    "its NICs, memory and capture directories are set up, with no "
	    "capabilities left; root keeps root.  Given, the user must "
	    "exist; the default ixfwd, when it does not, keeps root with a "
	    "warning." },
	{ .name = "control", .type = CONF_T_MAP, .set = conf_set_control,
	  .desc = "The control socket ixfwdctl(8) talks to (see "
	    "\"control\")." },
	{ .name = "metrics", .type = CONF_T_MAP, .set = conf_set_metrics,
	  .desc = "Prometheus metrics over HTTP, off unless given (see "
	    "\"metrics\")." },
};

static const struct conf_key conf_control_keys[] = {
	{ .name = "socket", .type = CONF_T_STRING, .def = CONF_SOCKET_DEFAULT,
	  .set = conf_set_socket,
	  .desc = "Path of the unix socket, mode 0660, group of the user "
	    "ixfwd runs as; ixfwd -s overrides it." },
};

static const struct conf_key conf_metrics_keys[] = {
	{ .name = "listen", .type = CONF_T_STRING,
	  .flags = CONF_K_REQUIRED, .set = conf_set_listen,
	  .desc = "Address and TCP port GET /metrics is served on: "
	    "\"127.0.0.1:9477\", \"[::1]:9477\"." },
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

/* One capture: into a struct capture_conf, whose defaults are
 * capture_conf_defaults()'s; the .def of these keys say them. */
static const struct conf_key conf_capture_keys[] = {
	{ .name = "name", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_capture_name,
	  .desc = "The capture's name: 1 to 31 letters, digits, '_' or '-'; "
	    "unique." },
	{ .name = "port", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_capture_port,
	  .desc = "The port whose packets are captured." },
	{ .name = "direction", .type = CONF_T_STRING, .def = "both",
	  .set = conf_set_direction,
	  .desc = "rx: what the port receives; tx: what it sends; both." },
	{ .name = "where", .type = CONF_T_STRING, .def = "all",
	  .set = conf_set_where,
	  .desc = "all packets, those the filters passed, or those they "
	    "dropped." },
	{ .name = "sample", .type = CONF_T_INT, .min = 1, .max = 4294967295,
	  .def = "1", CONF_FIELD(capture_conf, sample),
	  .desc = "Capture 1 packet in this many (every Nth)." },
	{ .name = "probability", .type = CONF_T_NUMBER,
	  .set = conf_set_probability, CONF_FIELD(capture_conf, probability),
	  .desc = "Instead of sample: capture each packet with this "
	    "probability, more than 0 and at most 1." },
	{ .name = "max_rate", .type = CONF_T_INT, .min = 0, .max = 1000000000,
	  .def = "0", .unit = "samples per second",
	  CONF_FIELD(capture_conf, max_rate),
	  .desc = "At most this many samples a second; 0: no limit." },
	{ .name = "filter", .type = CONF_T_STRING,
	  .set = conf_set_capture_filter,
	  .desc = "A tcpdump expression: only packets it accepts are "
	    "sampled." },
	{ .name = "snaplen", .type = CONF_T_INT, .min = 1, .max = 65535,
	  .def = "65535", .unit = "bytes", CONF_FIELD(capture_conf, snaplen),
	  .desc = "Bytes kept of each packet." },
	{ .name = "file", .type = CONF_T_STRING, .flags = CONF_K_REQUIRED,
	  .set = conf_set_capture_file,
	  .desc = "The files' names, a strftime(3) pattern; the directory "
	    "must exist." },
	{ .name = "rotate", .type = CONF_T_MAP, .flags = CONF_K_NULLMAP,
	  .set = conf_set_rotate,
	  .desc = "When to start a new file and how many to keep (see "
	    "\"rotate\"); default: one file." },
	{ .name = "format", .type = CONF_T_STRING, .def = "pcap",
	  .set = conf_set_format,
	  .desc = "pcap or pcapng (which records the port, the filter and "
	    "the sampling)." },
	{ .name = "recorder", .type = CONF_T_INT, .min = 0,
	  .max = 4294967295, .def = "0", .unit = "samples",
	  CONF_FIELD(capture_conf, recorder),
	  .desc = "Flight recorder: keep the last N samples in memory and "
	    "write them on SIGUSR2 only; 0: write every sample." },
	{ .name = "mode", .type = CONF_T_STRING, .def = "0640",
	  .set = conf_set_file_mode,
	  .desc = "The permissions of the files made, octal (packets are "
	    "private: the default lets the group read them)." },
	{ .name = "ring", .type = CONF_T_SIZE, .flags = CONF_K_POW2,
	  .min = 4096, .max = 1073741824, .def = "1M", .unit = "bytes",
	  CONF_FIELD(capture_conf, ring_size),
	  .desc = "The buffer between each worker and the writer." },
};

static const struct conf_key conf_rotate_keys[] = {
	{ .name = "size", .type = CONF_T_SIZE, .min = 0, .max = LLONG_MAX,
	  .def = "0", .unit = "bytes", CONF_FIELD(capture_conf, rotate_size),
	  .desc = "Start a new file when this one reaches this size; 0: no "
	    "limit." },
	{ .name = "seconds", .type = CONF_T_INT, .min = 0,
	  .max = 4294967295, .def = "0", .unit = "seconds",
	  CONF_FIELD(capture_conf, rotate_seconds),
	  .desc = "Start a new file when this one is this old; 0: no "
	    "limit." },
	{ .name = "count", .type = CONF_T_INT, .min = 0, .max = 100000,
	  .def = "0", .unit = "files", CONF_FIELD(capture_conf, rotate_count),
	  .desc = "Keep the newest N files, removing older ones; 0: keep "
	    "all." },
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
static const struct conf_table conf_path_table =
    CONF_TABLE("filtering and VLANs (forward and bridge)", "in forward",
    conf_path_keys);
static const struct conf_table conf_rule_table =
    CONF_TABLE("rule", "in rule", conf_rule_keys);
static const struct conf_table conf_bridge_table =
    CONF_TABLE("bridge", "in bridge", conf_bridge_keys);
static const struct conf_table conf_static_table =
    CONF_TABLE("static", "in static entry", conf_static_keys);
static const struct conf_table conf_capture_table =
    CONF_TABLE("capture", "in capture", conf_capture_keys);
static const struct conf_table conf_rotate_table =
    CONF_TABLE("rotate", "in rotate", conf_rotate_keys);
static const struct conf_table conf_control_table =
    CONF_TABLE("control", "in control", conf_control_keys);
static const struct conf_table conf_metrics_table =
    CONF_TABLE("metrics", "in metrics", conf_metrics_keys);

static const struct conf_table *const conf_tables[] = {
	&conf_root_table, &conf_emulator_table, &conf_port_table,
	&conf_wire_table, &conf_generator_table, &conf_forward_table,
	&conf_path_table, &conf_rule_table, &conf_bridge_table,
	&conf_static_table, &conf_capture_table, &conf_rotate_table,
	&conf_control_table, &conf_metrics_table,
};

#define CONF_FITS(keys)							\
	_Static_assert(sizeof(keys) / sizeof((keys)[0]) <= CONF_KEYS_MAX, \
	    "CONF_KEYS_MAX too small for " #keys)
CONF_FITS(conf_root_keys);
CONF_FITS(conf_port_keys);
CONF_FITS(conf_path_keys);
CONF_FITS(conf_rule_keys);
CONF_FITS(conf_bridge_keys);
CONF_FITS(conf_capture_keys);
_Static_assert(CONF_PORTS_MAX <= CAPTURE_PORTS_MAX,
    "a capture may watch any port");
_Static_assert(CONF_NAME_MAX <= CAPTURE_NAME_MAX,
    "a port's name fits a capture's port_name");

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

/* A PCI device string without its "vfio:". */
static const char *
conf_bdf(const char *device)
{
	return strncmp(device, "vfio:", 5) == 0 ? device + 5 : device;
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
	p->c->poll = CONF_POLL_ADAPTIVE;
	p->c->poll_sleep_max_us = 100;
	strlcpy(p->c->user, "ixfwd", sizeof(p->c->user));
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

/* A user or group name as useradd(8) takes them. */
static int
conf_account_ok(const char *s)
{
	const char *q;

	if (*s == '\0' || strlen(s) >= CONF_USER_MAX || *s == '-')
		return 0;
	for (q = s; *q != '\0'; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '_' || *q == '-' ||
		    *q == '.'))
			return 0;
	return 1;
}

/* user: name or name:group; whether they exist is checked at start. */
static void
conf_set_user(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	char buf[CONF_QUOTE_MAX], spec[2 * CONF_USER_MAX], *colon;

	(void)key;
	if (strlcpy(spec, conf_text(val), sizeof(spec)) >= sizeof(spec))
		spec[0] = '\0';
	if ((colon = strchr(spec, ':')) != NULL)
		*colon++ = '\0';
	if (!conf_account_ok(spec) || (colon != NULL &&
	    !conf_account_ok(colon))) {
		conf_err(p, val, "%s: %s is not a user name or user:group",
		    k->name, conf_quote(conf_text(val), buf, sizeof(buf)));
		return;
	}
	strlcpy(c->user, spec, sizeof(c->user));
	strlcpy(c->group, colon != NULL ? colon : "", sizeof(c->group));
	c->user_given = 1;
}

/* mode: 0640, octal, at most 0777 */
static void
conf_set_file_mode(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct capture_conf *cc = obj;
	const char *s = conf_text(val), *q;
	char buf[CONF_QUOTE_MAX];
	unsigned long m = 0;

	(void)key;
	for (q = s; *q >= '0' && *q <= '7' && m <= 0777; q++)
		m = m * 8 + (unsigned long)(*q - '0');
	if (*s == '\0' || *q != '\0' || m > 0777) {
		conf_err(p, val, "%s: %s is not an octal mode between 0 and "
		    "0777, such as 0640", k->name,
		    conf_quote(s, buf, sizeof(buf)));
		return;
	}
	cc->file_mode = (uint32_t)m;
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

static void
conf_set_control(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)k;
	(void)key;
	conf_walk(p, val, &conf_control_table, obj, NULL);
}

static void
conf_set_socket(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	char path[PATH_MAX];

	(void)k;
	(void)key;
	if (*conf_text(val) == '\0') {
		conf_err(p, val, "socket: the path is empty");
		return;
	}
	if (conf_path(p, conf_text(val), path, sizeof(path)) == -1 ||
	    strlcpy(c->control_socket, path, sizeof(c->control_socket)) >=
	    sizeof(c->control_socket))
		conf_err(p, val, "socket: the path is longer than %d bytes",
		    CONF_SOCKET_MAX - 1);
}

static void
conf_set_metrics(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)k;
	(void)key;
	conf_walk(p, val, &conf_metrics_table, obj, NULL);
}

/* "host:port", the host an IPv4 address or an IPv6 one in brackets. */
int
conf_parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon;
	char *end;
	long v;
	size_t n;

	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		n = (size_t)(colon - s - 1);
		s++;
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	errno = 0;
	v = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || v < 1 ||
	    v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static void
conf_set_listen(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	struct in6_addr a6;
	struct in_addr a4;
	char host[CONF_LISTEN_MAX];
	int port;

	(void)k;
	(void)key;
	if (conf_parse_listen(conf_text(val), host, sizeof(host),
	    &port) == -1 || (inet_pton(AF_INET, host, &a4) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1)) {
		conf_err(p, val, "listen: expected an address and a port "
		    "such as 127.0.0.1:9477 or [::1]:9477, got \"%s\"",
		    conf_text(val));
		return;
	}
	strlcpy(c->metrics_listen, conf_text(val), sizeof(c->metrics_listen));
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
	if (port->cpu >= 0) {
		port->ncpus = 1;
		port->cpus[0] = port->cpu;
	}
	for (j = 0; j < CONF_RETA_SIZE; j++)
		port->rss.reta[j] = (uint8_t)(j % port->queues);
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
}

/* The name of a what ("port", "capture"): 0, or -1 with an error. */
static int
conf_name_ok(struct conf_parse *p, yaml_node_t *val, const char *what)
{
	const char *s = conf_text(val), *q;
	char buf[CONF_QUOTE_MAX];

	conf_quote(s, buf, sizeof(buf));
	if (*s == '\0') {
		conf_err(p, val, "name: a %s name cannot be empty", what);
		return -1;
	}
	if (strlen(s) >= CONF_NAME_MAX) {
		conf_err(p, val, "name: %s is longer than %d characters", buf,
		    CONF_NAME_MAX - 1);
		return -1;
	}
	for (q = s; *q != '\0'; q++) {
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-') {
			conf_err(p, val, "name: %s may contain only letters, "
			    "digits, '_' and '-'", buf);
			return -1;
		}
	}
	return 0;
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
	struct conf_path path;
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
		path = (struct conf_path)CONF_PATH_OF(f);
		conf_walk_path(p, n, &conf_forward_table, f, NULL, &path);
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
 * Filtering and VLANs: the keys a forward entry and the bridge share.
 */

/* A tcpdump expression into out: compiled now, so that a mistake is an
 * error of the file, with libpcap's words. */
static int
conf_bpf(struct conf_parse *p, const struct conf_key *k, yaml_node_t *val,
    char *out, size_t outlen)
{
	struct filter_bpf *f;
	const char *s = conf_text(val), *q;
	char err[PCAP_ERRBUF_SIZE + 64];

	if (strlen(s) >= outlen) {
		conf_err(p, val, "%s: the expression is longer than %zu "
		    "characters", k->name, outlen - 1);
		return -1;
	}
	for (q = s; isspace((unsigned char)*q); q++)
		;
	if (*q == '\0') {
		conf_err(p, val, "%s: the expression is empty; without %s, "
		    "everything passes", k->name, k->name);
		return -1;
	}
	if ((f = filter_bpf_compile(s, DLT_EN10MB, CAPTURE_SNAPLEN_MAX, err,
	    sizeof(err))) == NULL) {
		conf_err(p, val, "%s: %s", k->name, err);
		return -1;
	}
	filter_bpf_free(f);
	strlcpy(out, s, outlen);
	return 0;
}

/* pass or drop: FILTER_PASS, FILTER_DROP, or -1 with an error. */
static int
conf_action(struct conf_parse *p, const struct conf_key *k,
    yaml_node_t *val)
{
	const char *s = conf_text(val);
	char q[CONF_QUOTE_MAX];

	if (strcmp(s, "pass") == 0)
		return FILTER_PASS;
	if (strcmp(s, "drop") == 0)
		return FILTER_DROP;
	conf_err(p, val, "%s: %s is neither pass nor drop", k->name,
	    conf_quote(s, q, sizeof(q)));
	return -1;
}

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
	char d[CONF_QUOTE_MAX + 32], err[CONF_QUOTE_MAX + 64];
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
		if (n->type != YAML_SCALAR_NODE || conf_is_null(n)) {
			conf_err(p, n, "vlans: expected a VLAN id, a range or "
			    "untagged, got %s", conf_describe(n, d, sizeof(d)));
			continue;
		}
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

/* rules: [ {rule}, ... ] */
static void
conf_set_rules(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_path *path = obj;
	struct conf_seen seen[CONF_KEYS_MAX];
	struct filter_rule *r;
	yaml_node_item_t *it;
	yaml_node_t *n;
	char d[CONF_QUOTE_MAX + 32];
	size_t nitems;
	int before = p->nerrs + p->nomem;

	(void)k;
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
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (*path->nrules == CONF_RULES_MAX) {
			conf_err(p, n, "rules: at most %d rules are supported",
			    CONF_RULES_MAX);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			conf_err(p, n, "rules: expected a mapping such as "
			    "{ action: drop, proto: tcp, dst_port: 23 }, got "
			    "%s", conf_describe(n, d, sizeof(d)));
			continue;
		}
		r = &(*path->rules)[*path->nrules];
		(*path->rule_line)[*path->nrules] = conf_line(n);
		(*path->nrules)++;
		conf_walk(p, n, &conf_rule_table, r, seen);
		conf_rule_end(p, r, seen);
	}
	path->rules_ok = p->nerrs + p->nomem == before;
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
static void
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

/*
 * The bridge.
 */

/* bridge: { ports: [...], ... } */
static void
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
	yaml_node_item_t *it;
	yaml_node_t *n;
	char d[CONF_QUOTE_MAX + 32];
	int ok = 1;

	(void)obj;
	(void)k;
	(void)key;
	if (val->data.sequence.items.top - val->data.sequence.items.start <
	    2) {
		conf_err(p, val, "ports: a bridge needs at least 2 ports");
		return;
	}
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (n->type != YAML_SCALAR_NODE || conf_is_null(n)) {
			conf_err(p, n, "ports: expected a port name, got %s",
			    conf_describe(n, d, sizeof(d)));
			ok = 0;
		}
	}
	if (ok)
		p->bsrc.ports = val;
}

/* static: [ { mac: ..., port: ..., vlan: ... }, ... ] */
static void
conf_set_statics(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf_bridge *b = obj;
	struct conf_bridge_static *st;
	struct conf_seen seen[CONF_KEYS_MAX], *s;
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
		if (b->nstatic == CONF_STATIC_MAX) {
			conf_err(p, n, "static: at most %d entries are "
			    "supported", CONF_STATIC_MAX);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			conf_err(p, n, "static: expected a mapping such as "
			    "{ mac: 02:00:00:00:00:01, port: a }, got %s",
			    conf_describe(n, d, sizeof(d)));
			continue;
		}
		i = b->nstatic++;
		st = &b->statics[i];
		conf_defaults(&conf_static_table, st);
		st->port = -1;
		p->bsrc.static_node[i] = n;
		p->cur = i;
		conf_walk(p, n, &conf_static_table, st, seen);
		if ((s = conf_seen_key(&conf_static_table, seen, "vlan")) !=
		    NULL)
			p->bsrc.static_vlan[i] = s->key;
	}
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

/*
 * Captures.
 */

/* capture: [ {capture}, ... ] */
static void
conf_set_captures(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	struct capture_conf *cc;
	struct conf_seen seen[CONF_KEYS_MAX], *sa, *pr, *nm;
	yaml_node_item_t *it;
	yaml_node_t *n;
	char d[CONF_QUOTE_MAX + 32];
	int i, j, before;

	(void)k;
	(void)key;
	for (it = val->data.sequence.items.start;
	    it < val->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (c->ncaptures == CAPTURE_MAX) {
			conf_err(p, n, "capture: at most %d captures are "
			    "supported", CAPTURE_MAX);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			conf_err(p, n, "capture: expected a mapping such as "
			    "{ name: a, port: wan, file: a.pcap }, got %s",
			    conf_describe(n, d, sizeof(d)));
			continue;
		}
		i = c->ncaptures++;
		cc = &c->captures[i];
		capture_conf_defaults(cc);
		p->csrc[i].node = n;
		p->cur = i;
		before = p->nerrs + p->nomem;
		conf_walk(p, n, &conf_capture_table, cc, seen);

		sa = conf_seen_key(&conf_capture_table, seen, "sample");
		pr = conf_seen_key(&conf_capture_table, seen, "probability");
		if (sa != NULL && pr != NULL) {
			if (sa->key->start_mark.index <
			    pr->key->start_mark.index)
				sa = pr;
			conf_err(p, sa->key, "%s: give sample or probability, "
			    "not both", conf_text(sa->key));
		} else if (pr != NULL)
			cc->sample = 0;
		nm = conf_seen_key(&conf_capture_table, seen, "name");
		for (j = 0; j < i && cc->name[0] != '\0'; j++) {
			if (strcmp(cc->name, c->captures[j].name) == 0) {
				conf_err(p, nm->val, "duplicate capture name "
				    "\"%s\" (first at line %d)", cc->name,
				    conf_line(p->csrc[j].node));
				/* names stay unique: the first one is meant */
				cc->name[0] = '\0';
			}
		}
		for (j = 0; j < i && cc->file[0] != '\0'; j++) {
			if (strcmp(cc->file, c->captures[j].file) == 0) {
				conf_err(p, p->csrc[i].file, "file: %s is also "
				    "the file of capture \"%s\"", cc->file,
				    c->captures[j].name);
				break;
			}
		}
		p->csrc[i].ok = p->nerrs + p->nomem == before;
	}
}

static void
conf_set_capture_name(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct capture_conf *cc = obj;

	(void)k;
	(void)key;
	if (conf_name_ok(p, val, "capture") == 0)
		strlcpy(cc->name, conf_text(val), sizeof(cc->name));
}

static void
conf_set_capture_port(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj;
	(void)k;
	(void)key;
	p->csrc[p->cur].port = val;
}

/* One of the words of a list: its index, or -1 with an error. */
static int
conf_word(struct conf_parse *p, const struct conf_key *k, yaml_node_t *val,
    const char *const *words, int n)
{
	const char *s = conf_text(val);
	char q[CONF_QUOTE_MAX], list[128] = "";
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(list, i == n - 1 ? " nor " : ", ",
			    sizeof(list));
		strlcat(list, words[i], sizeof(list));
	}
	conf_err(p, val, "%s: %s is neither %s", k->name,
	    conf_quote(s, q, sizeof(q)), list);
	return -1;
}

static void
conf_set_direction(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	static const char *const words[] = { "rx", "tx", "both" };
	static const int dirs[] = { CAPTURE_RX, CAPTURE_TX, CAPTURE_BOTH };
	struct capture_conf *cc = obj;
	int i;

	(void)key;
	if ((i = conf_word(p, k, val, words, 3)) >= 0)
		cc->direction = dirs[i];
}

static void
conf_set_where(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const char *const words[] = { "all", "passed", "dropped" };
	static const enum capture_where wheres[] = {
		CAPTURE_WHERE_ALL, CAPTURE_WHERE_PASSED, CAPTURE_WHERE_DROPPED,
	};
	struct capture_conf *cc = obj;
	int i;

	(void)key;
	if ((i = conf_word(p, k, val, words, 3)) >= 0)
		cc->where = wheres[i];
}

static void
conf_set_format(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const char *const words[] = { "pcap", "pcapng" };
	struct capture_conf *cc = obj;
	int i;

	(void)key;
	if ((i = conf_word(p, k, val, words, 2)) >= 0)
		cc->format = i == 0 ? CAPTURE_PCAP : CAPTURE_PCAPNG;
}

/* Stored already; the range excludes 0, which a table cannot say. */
static void
conf_set_probability(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct capture_conf *cc = obj;

	(void)key;
	if (!(cc->probability > 0 && cc->probability <= 1))
		conf_err(p, val, "%s: %.40s is not more than 0 and at most 1",
		    k->name, conf_text(val));
	else if (cc->probability < 1e-12)
		conf_err(p, val, "%s: %.40s is less than 1e-12", k->name,
		    conf_text(val));
}

static void
conf_set_capture_filter(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct capture_conf *cc = obj;

	(void)key;
	conf_bpf(p, k, val, cc->filter, sizeof(cc->filter));
}

/*
 * A strftime(3) pattern; relative to the file's directory.  The writer
 * creates files, not directories: the directory must be there and be
 * writable now, and cannot depend on the time.
 */
static void
conf_set_capture_file(struct conf_parse *p, void *obj,
    const struct conf_key *k, yaml_node_t *key, yaml_node_t *val)
{
	struct capture_conf *cc = obj;
	struct stat st;
	const char *s = conf_text(val);
	char path[PATH_MAX], dir[PATH_MAX], *slash;

	(void)key;
	p->csrc[p->cur].file = val;
	if (*s == '\0') {
		conf_err(p, val, "%s: the path is empty", k->name);
		return;
	}
	if (conf_path(p, s, path, sizeof(path)) == -1) {
		conf_err(p, val, "%s: the path is too long", k->name);
		return;
	}
	strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash != NULL && slash[1] == '\0') {
		conf_err(p, val, "%s: %s names a directory; give a file name "
		    "pattern in it", k->name, path);
		return;
	}
	if (slash == NULL)
		strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (strchr(dir, '%') != NULL) {
		conf_err(p, val, "%s: the directory %s would change with the "
		    "time, and directories are not created; put the %% "
		    "conversions in the file name", k->name, dir);
		return;
	}
	if (strchr(path, '%') == NULL && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		conf_err(p, val, "%s: %s is a directory", k->name, path);
		return;
	}
	if (access(dir, W_OK) == -1) {
		conf_err(p, val, "%s: cannot write in %s: %s", k->name, dir,
		    strerror(errno));
		return;
	}
	strlcpy(cc->file, path, sizeof(cc->file));
}

static void
conf_set_rotate(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	(void)k;
	(void)key;
	conf_walk(p, val, &conf_rotate_table, obj, NULL);
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

/* The line where port i is listed in the bridge's ports, 0 if it is not
 * a bridge port. */
static int
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
static void
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

static void
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

/* The ports of captures, then each capture as capture_create() will see
 * it. */
static void
conf_check_captures(struct conf_parse *p)
{
	struct conf *c = p->c;
	struct capture_conf *cc;
	char err[512];
	int i, t;

	for (i = 0; i < c->ncaptures; i++) {
		cc = &c->captures[i];
		if (p->csrc[i].port == NULL ||
		    (t = conf_port_ref(p, p->csrc[i].port)) < 0)
			continue;
		cc->port = t;
		strlcpy(cc->port_name, c->ports[t].name,
		    sizeof(cc->port_name));
		if (p->csrc[i].ok &&
		    capture_conf_check(cc, err, sizeof(err)) == -1)
			conf_err(p, p->csrc[i].node, "capture \"%s\": %s",
			    cc->name, err);
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
	conf_check_bridge(p);
	conf_check_forwards(p);
	conf_check_captures(p);
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
	char lo[32], hi[32];

	fprintf(f, "  %-13s %s", k->name, conf_type_name(k->type));
	if (k->type == CONF_T_SIZE) {
		conf_size_str(k->min, lo, sizeof(lo));
		conf_size_str(k->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%lld", k->min);
		snprintf(hi, sizeof(hi), "%lld", k->max);
	}
	if ((k->type == CONF_T_INT || k->type == CONF_T_SIZE) &&
	    k->max == LLONG_MAX)
		fprintf(f, ", %s or more", lo);
	else if (k->type == CONF_T_INT || k->type == CONF_T_SIZE)
		fprintf(f, ", %s%s..%s", (k->flags & CONF_K_POW2) ?
		    "a power of two " : "", lo, hi);
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
