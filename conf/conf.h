/*
 * conf.h: ixfwd's configuration, read from YAML (ixfwd.yaml(5)).
 *
 * conf_load() parses and validates the whole file and reports every error
 * it finds as "FILE:LINE:COLUMN: message", so an operator fixes them all in
 * one go.  Nothing is started from a configuration with an error.
 *
 * The keys, their types, ranges and defaults are tables in
 * conf/conf_schema.c; conf_schema_print() lists them.
 */
#ifndef IXFWD_CONF_H
#define IXFWD_CONF_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_NAME_MAX		32	/* port names, incl. NUL */
#define CONF_PORTS_MAX		16
#define CONF_FORWARDS_MAX	64
#define CONF_DEV_MAX		64

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

struct conf_port {
	char		 name[CONF_NAME_MAX];
	int		 emulated;		/* device: emulated */
	char		 device[CONF_DEV_MAX];	/* PCI address, canonical 0000:03:00.0 */
	uint16_t	 rx_ring;		/* default 512; power of two, 64..4096 */
	uint16_t	 tx_ring;		/* default 512 */
	int		 promisc;		/* default 1 */
	int		 cpu;			/* -1: not set */
	int		 force;			/* take the NIC even if its interface is up */
	int		 has_mac;		/* emulated: mac given */
	uint8_t		 mac[6];		/* emulated: the EEPROM's MAC address;
						 * default 02:1f:d0:00:00:NN, NN the
						 * port's index + 1 */
	struct conf_wire wire;			/* emulated only */
	int		 line, col;		/* where the port is defined, 1-based */
};

struct conf_forward {
	int		 from;			/* index in conf.ports */
	int		 nto;
	int		 to[CONF_PORTS_MAX];	/* one or more (mirroring) */
	int		 line, col;		/* 1-based */
};

struct conf {
	char		 path[PATH_MAX];
	int		 nports;
	struct conf_port ports[CONF_PORTS_MAX];
	int		 nforwards;
	struct conf_forward forwards[CONF_FORWARDS_MAX];
	uint16_t	 batch;			/* burst size, 1..256, default 32 */
	int		 emulator_cpu;		/* emulator: { cpu: N }, -1: not set */
	uint32_t	 link_timeout_ms;	/* link_timeout: seconds → ms, default 10 s */
};

/* Parse and check path into *c.  Every error is printed to errf (may be
 * NULL) as "path:line:col: message", in file order; errors about the file
 * itself (cannot open, cannot read) as "path: message".  Returns the
 * number of errors (0: usable). */
int	conf_load(const char *path, struct conf *c, FILE *errf);

/* Index of the port called name, or -1. */
int	conf_port_index(const struct conf *c, const char *name);

/* Every key of the file with its type, range, default and meaning. */
void	conf_schema_print(FILE *f);

#endif /* IXFWD_CONF_H */
