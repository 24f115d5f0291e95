/*
 * conf.h: ixfwd's configuration, read from YAML (ixfwd.yaml(5)).
 *
 * conf_load() parses and validates the whole file and reports every error
 * it finds as "FILE:LINE:COLUMN: message", so an operator fixes them all in
 * one go.  Nothing is started from a configuration with an error.
 *
 * The keys, their types, ranges and defaults are tables in conf/: the top
 * level in conf_schema.c, each section in its own file (conf_ports.c,
 * conf_forward.c, conf_rules.c, conf_bridge.c, conf_capture.c,
 * conf_daemon.c); conf_schema_print() lists them.
 */
#ifndef IXFWD_CONF_H
#define IXFWD_CONF_H

#include <sys/types.h>		/* <pcap/bpf.h>, through filter.h */

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "filter.h"
#include "port.h"

#define CONF_NAME_MAX		32	/* port names, incl. NUL */
#define CONF_PORTS_MAX		16
#define CONF_FORWARDS_MAX	64
#define CONF_DEV_MAX		64
#define CONF_FILTER_MAX		1024	/* tcpdump expression, incl. NUL */
#define CONF_RULES_MAX		FILTER_RULES_MAX	/* per forward path */
#define CONF_STATIC_MAX		256	/* static bridge entries */
#define CONF_USER_MAX		33	/* user and group names, incl. NUL */
#define CONF_SOCKET_MAX		108	/* sockaddr_un's sun_path */
#define CONF_SOCKET_DEFAULT	"/run/ixfwd/ixfwd.sock"
#define CONF_LISTEN_MAX		64	/* "127.0.0.1:9477", "[::1]:9477" */
#define CONF_QUEUES_MAX		16	/* RX queues of a port (RSS) */
#define CONF_RSS_KEY_LEN	40	/* RSSRK: 10 registers */
#define CONF_RETA_SIZE		128	/* RETA: 32 registers of 4 entries */
#define CONF_MTU_DEFAULT	1500
#define CONF_MTU_MAX		9710

enum conf_wire_kind {
	CONF_WIRE_NONE,		/* emulated port without a cable */
	CONF_WIRE_IFACE,	/* wire: { interface: veth0 } */
	CONF_WIRE_PEER,		/* wire: { peer: otherport } */
	CONF_WIRE_PCAP,		/* wire: { pcap_in: a.pcap, pcap_out: b.pcap } */
	CONF_WIRE_GENERATOR,	/* wire: { generator: { size: 64, count: 0, rate: 0 } } */
};

struct conf_wire {
	enum conf_wire_kind kind;
	char		 iface[CONF_DEV_MAX];
	/*
	 * PEER: index in conf.ports, -1 otherwise.  Peers are always
	 * mutual: "peer: b" on a requires b to say "peer: a" or to have no
	 * wire, and then b gets kind PEER and peer = a here.
	 */
	int		 peer;
	/* PCAP: paths, "" when not given; relative paths in the file are
	 * taken from the file's directory and stored absolute. */
	char		 pcap_in[PATH_MAX];
	char		 pcap_out[PATH_MAX];
	/* GENERATOR.  In the file, size is the frame size on the wire with
	 * its 4-byte CRC, as benchmarks count it: 64..1518, default 64.
	 * gen_size is that minus 4, what the frame's buffer holds: 60..1514,
	 * default 60. */
	uint16_t	 gen_size;
	uint64_t	 gen_count;		/* 0: forever */
	uint64_t	 gen_rate;		/* frames/s, 0: as fast as taken */
};

/* rss: { fields: [...] }: what the NIC hashes (MRQC field selects). */
#define CONF_RSS_IPV4		0x01
#define CONF_RSS_IPV4_TCP	0x02
#define CONF_RSS_IPV4_UDP	0x04
#define CONF_RSS_IPV6		0x08
#define CONF_RSS_IPV6_TCP	0x10
#define CONF_RSS_IPV6_UDP	0x20
#define CONF_RSS_ALL		0x3f

/* rss: { key:, fields:, reta: } of a port with queues > 1. */
struct conf_rss {
	uint8_t		 key[CONF_RSS_KEY_LEN];	/* default: the symmetric key */
	uint32_t	 fields;		/* CONF_RSS_*, default CONF_RSS_ALL */
	uint8_t		 reta[CONF_RETA_SIZE];	/* queue of each hash & 127;
						 * default: entry i -> i % queues */
};

enum conf_poll {
	CONF_POLL_DEFAULT = -1,	/* port: as the top level says */
	CONF_POLL_ADAPTIVE = 0,	/* sleep in growing steps when idle */
	CONF_POLL_BUSY,		/* spin */
};

struct conf_port {
	char		 name[CONF_NAME_MAX];
	enum port_kind	 kind;			/* from device: */
	char		 device[CONF_DEV_MAX];	/* PCI address, canonical 0000:03:00.0;
						 * "emulated"; "null": RX hands out
						 * 64-byte frames (60 without CRC)
						 * forever, TX frees what it is given,
						 * for measuring the framework alone */
	uint16_t	 rx_ring;		/* default 512; power of two, 64..4096 */
	uint16_t	 tx_ring;		/* default 512 */
	int		 promisc;		/* default 1 */
	int		 cpu;			/* -1: not set; else cpus[0] */
	uint16_t	 queues;		/* RX queues, 1..CONF_QUEUES_MAX, default 1 */
	int		 ncpus;			/* cpus: [..] (cpu: N is cpus: [N]); 0: none */
	int		 cpus[CONF_QUEUES_MAX];	/* queue q is served on cpus[q % ncpus] */
	uint16_t	 mtu;			/* bytes of L3 packet, default 1500, up
						 * to CONF_MTU_MAX */
	struct conf_rss	 rss;
	enum conf_poll	 poll;			/* CONF_POLL_DEFAULT unless given */
	int		 force;			/* take the NIC even if its interface is up */
	int		 has_mac;		/* emulated: mac given */
	uint8_t		 mac[6];		/* emulated: the EEPROM's MAC address;
						 * default 02:1f:d0:00:00:NN, NN the
						 * port's index + 1 */
	struct conf_wire wire;			/* emulated only */
	int		 line, col;		/* where the port is defined, 1-based */
};

/* What a path does with VLAN tags (on the outer tag). */
enum conf_vlan_op {
	CONF_VLAN_KEEP,		/* default */
	CONF_VLAN_PUSH,		/* vlan_push: ID: add an 802.1Q tag */
	CONF_VLAN_POP,		/* vlan_pop: true: remove the outer tag */
	CONF_VLAN_SET,		/* vlan_set: ID: rewrite the outer tag's id;
				 * untagged frames get one pushed */
};

struct conf_vlan {
	int		 filter;		/* `vlans:` given: pass only those */
	int		 untagged;		/* `untagged` listed in vlans */
	uint64_t	 allow[4096 / 64];	/* bitmap of VLAN ids listed */
	enum conf_vlan_op op;
	uint16_t	 id;			/* PUSH, SET: 0..4095 */
	uint8_t		 pcp;			/* PUSH: vlan_pcp: 0..7, default 0 */
};

struct conf_forward {
	int		 from;			/* index in conf.ports */
	int		 nto;
	int		 to[CONF_PORTS_MAX];	/* one or more (mirroring) */
	int		 line, col;		/* 1-based */
	/* Filtering: a frame goes on only if it passes the tcpdump
	 * expression (when given) and then the rule list (when given). */
	char		 filter[CONF_FILTER_MAX];	/* "" none */
	int		 nrules;
	struct filter_rule *rules;		/* nrules, allocated; conf_free() */
	int		*rule_line;		/* each rule's line in the file */
	int		 default_action;	/* `default:`, FILTER_PASS unless given */
	struct conf_vlan vlan;			/* vlans, vlan_push/pop/set */
};

struct conf_bridge_static {
	uint8_t		 mac[6];
	uint16_t	 vlan;			/* 0 unless given */
	int		 port;			/* index in conf.ports, a bridge port */
};

/*
 * bridge: { ports: [a, b, c], learning: true, aging: 300, ... }: a learning
 * switch between its ports.  A bridge port has no forward entry of its
 * own (that is an error).
 */
struct conf_bridge {
	int		 enabled;		/* a `bridge:` section was given */
	int		 nports;
	int		 ports[CONF_PORTS_MAX];	/* indexes in conf.ports, >= 2 */
	int		 learning;		/* default 1 */
	uint32_t	 aging;			/* seconds, default 300; 0: never */
	uint32_t	 max_entries;		/* default 4096, 16..1048576 */
	int		 vlan_learning;		/* separate table per VLAN (IVL),
						 * default 1 */
	int		 nstatic;
	struct conf_bridge_static statics[CONF_STATIC_MAX];
	/* the same filtering and VLAN handling as a forward path, applied
	 * to every frame the bridge switches */
	char		 filter[CONF_FILTER_MAX];
	int		 nrules;
	struct filter_rule *rules;
	int		*rule_line;
	int		 default_action;
	struct conf_vlan vlan;
	int		 line, col;
};

struct conf {
	char		 path[PATH_MAX];
	int		 nports;
	struct conf_port ports[CONF_PORTS_MAX];
	int		 nforwards;
	struct conf_forward forwards[CONF_FORWARDS_MAX];
	uint16_t	 batch;			/* burst size, 1..256, default 32 */
	enum conf_poll	 poll;			/* poll: { mode: }, default ADAPTIVE */
	uint32_t	 poll_sleep_max_us;	/* poll: { max_sleep: }, default 100 */
	int		 emulator_cpu;		/* emulator: { cpu: N }, -1: not set */
	uint32_t	 link_timeout_ms;	/* link_timeout: seconds → ms, default 10 s */
	struct conf_bridge bridge;
	int		 ncaptures;
	struct capture_conf captures[CAPTURE_MAX];	/* capture: list */
	char		 user[CONF_USER_MAX];	/* user: default "ixfwd" */
	char		 group[CONF_USER_MAX];	/* "": the user's own */
	int		 user_given;		/* user: in the file */
	char		 control_socket[CONF_SOCKET_MAX]; /* control: { socket: },
						 * "": CONF_SOCKET_DEFAULT */
	char		 metrics_listen[CONF_LISTEN_MAX]; /* metrics: { listen: },
						 * "host:port"; "": off */
};

/* Parse and check path into *c.  Every error is printed to errf (may be
 * NULL) as "path:line:col: message", in file order; errors about the file
 * itself (cannot open, cannot read) as "path: message".  Returns the
 * number of errors (0: usable).  With errors, nothing stays allocated. */
int	conf_load(const char *path, struct conf *c, FILE *errf);

/* The same, trusting only a file owned by root or by owner (the user who
 * started ixfwd; conf_load() takes the effective uid): a file that is a
 * symbolic link, or that anyone but root and owner could have written
 * (its mode, its directory's and every directory's above it), is refused
 * as an error about the file. */
int	conf_load_owned(const char *path, struct conf *c, FILE *errf,
	    uid_t owner);

/* Free what conf_load() allocated (rule lists); c can be loaded again. */
void	conf_free(struct conf *c);

/* Index of the port called name, or -1. */
int	conf_port_index(const struct conf *c, const char *name);

/* "host:port" (host an IPv4 address or [IPv6]) into host and port;
 * 0 or -1. */
int	conf_parse_listen(const char *s, char *host, size_t hostlen,
	    int *port);

/* Every key of the file with its type, range, default and meaning. */
void	conf_schema_print(FILE *f);

#endif /* IXFWD_CONF_H */
