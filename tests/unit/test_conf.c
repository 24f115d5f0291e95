/*
 * test_conf.c: the configuration parser and validator.  Each case writes
 * YAML to a temporary file, loads it and compares every message (with its
 * line and column) and the resulting struct conf.  Fixture files under
 * tests/conf/ add cases without code: tests/conf/good/ must load cleanly,
 * each file of tests/conf/bad/ starts with the errors it must produce:
 *
 *   # expect: 3:5: unknown key "rx_rnig" in port; did you mean "rx_ring"?
 *
 * Run from the top of the tree (tests/run.sh does).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "t.h"

static struct conf c;		/* too big for the stack */
static char	msgs[16384];	/* messages of the last load, "LINE:COL: ..." */
static char	tmpdir[] = "/tmp/test_conf.XXXXXX";

#define T_STREQ(a, b) do {						\
	const char *t_x_ = (a), *t_y_ = (b);				\
	if (strcmp(t_x_, t_y_) != 0)					\
		t_fail(__FILE__, __LINE__, "%s == %s\n"			\
		    "--- got:\n%s--- expected:\n%s---", #a, #b,		\
		    t_x_, t_y_);					\
} while (0)

/* Load path; its messages go to msgs with "path:" taken off each line. */
static int
load_file(const char *path)
{
	char *raw = NULL, *line, *next;
	size_t len = 0, plen = strlen(path), o = 0;
	FILE *m;
	int n;

	if ((m = open_memstream(&raw, &len)) == NULL)
		return -1;
	n = conf_load(path, &c, m);
	fclose(m);
	msgs[0] = '\0';
	for (line = raw; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, path, plen) == 0 && line[plen] == ':')
			line += plen + 1;
		o += snprintf(msgs + o, sizeof(msgs) - o, "%s\n", line);
		if (o >= sizeof(msgs))
			break;
	}
	free(raw);
	return n;
}

/* Write yaml to name in the temporary directory; its path. */
static const char *
put(const char *name, const char *yaml)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(yaml, f);
	fclose(f);
	return path;
}

static int
load(const char *yaml)
{
	const char *path = put("ixfwd.yaml", yaml);

	return path == NULL ? -1 : load_file(path);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* yaml must give exactly the messages expect, one error a line. */
#define T_BAD(yaml, expect) do {					\
	int t_n_ = load(yaml);						\
	T_EQ(t_n_, count_lines(expect));				\
	T_STREQ(msgs, expect);						\
} while (0)

#define T_GOOD(yaml) do {						\
	int t_n_ = load(yaml);						\
	T_STREQ(msgs, "");						\
	T_EQ(t_n_, 0);							\
} while (0)

static long
ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n < 1 ? 1 : n;
}

/* The example of the issue that introduced the configuration. */
static void
test_good_example(void)
{
	T_GOOD("ports:\n"
	    "  - name: wan\n"
	    "    device: \"0000:03:00.0\"        # PCI address\n"
	    "    rx_ring: 512\n"
	    "    tx_ring: 1024\n"
	    "    promisc: true\n"
	    "    cpu: 0\n"
	    "  - name: lan\n"
	    "    device: emulated\n"
	    "    wire: { interface: veth-lan }\n"
	    "    cpu: 0\n"
	    "forward:\n"
	    "  - { from: wan, to: lan }\n"
	    "  - { from: lan, to: wan }\n");
	T_EQ(c.nports, 2);
	T_STREQ(c.ports[0].name, "wan");
	T_STREQ(c.ports[0].device, "0000:03:00.0");
	T_EQ(c.ports[0].emulated, 0);
	T_EQ(c.ports[0].rx_ring, 512);
	T_EQ(c.ports[0].tx_ring, 1024);
	T_EQ(c.ports[0].promisc, 1);
	T_EQ(c.ports[0].cpu, 0);
	T_EQ(c.ports[0].line, 2);
	T_EQ(c.ports[0].col, 5);
	T_STREQ(c.ports[1].name, "lan");
	T_EQ(c.ports[1].emulated, 1);
	T_STREQ(c.ports[1].device, "emulated");
	T_EQ(c.ports[1].wire.kind, CONF_WIRE_IFACE);
	T_STREQ(c.ports[1].wire.iface, "veth-lan");
	T_EQ(c.nforwards, 2);
	T_EQ(c.forwards[0].from, 0);
	T_EQ(c.forwards[0].nto, 1);
	T_EQ(c.forwards[0].to[0], 1);
	T_EQ(c.forwards[0].line, 13);
	T_EQ(c.forwards[1].from, 1);
	T_EQ(c.forwards[1].to[0], 0);
	T_EQ(conf_port_index(&c, "lan"), 1);
	T_EQ(conf_port_index(&c, "nope"), -1);
	T_EQ(conf_port_index(&c, ""), -1);
}

static void
test_defaults(void)
{
	T_GOOD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: 03:00.0 }\n");
	T_EQ(c.batch, 32);
	T_EQ(c.link_timeout_ms, 10000);
	T_EQ(c.emulator_cpu, -1);
	T_EQ(c.nforwards, 0);
	T_EQ(c.ports[0].rx_ring, 512);
	T_EQ(c.ports[0].tx_ring, 512);
	T_EQ(c.ports[0].promisc, 1);
	T_EQ(c.ports[0].force, 0);
	T_EQ(c.ports[0].cpu, -1);
	T_EQ(c.ports[0].has_mac, 0);
	T_EQ(c.ports[0].wire.kind, CONF_WIRE_NONE);
	T_EQ(c.ports[0].wire.peer, -1);
	/* locally administered and distinct per port */
	T_EQ(c.ports[0].mac[0], 0x02);
	T_EQ(c.ports[0].mac[1], 0x1f);
	T_EQ(c.ports[0].mac[2], 0xd0);
	T_EQ(c.ports[0].mac[5], 1);
	T_EQ(c.ports[1].cpu, -1);
	T_EQ(c.ports[1].promisc, 1);
}

static void
test_all_keys(void)
{
	T_GOOD("batch: 0x40\n"
	    "link_timeout: 0\n"
	    "emulator: { cpu: 0 }\n"
	    "ports:\n"
	    "  - name: Port_1-x\n"
	    "    device: emulated\n"
	    "    rx_ring: 64\n"
	    "    tx_ring: 0x1000\n"
	    "    promisc: off\n"
	    "    cpu: 0\n"
	    "    mac: 02:AB:cd:00:00:09\n"
	    "  - name: p2\n"
	    "    device: 0000:0A:1f.7\n"
	    "    force: Yes\n"
	    "    promisc: FALSE\n");
	T_EQ(c.batch, 64);
	T_EQ(c.link_timeout_ms, 0);
	T_EQ(c.emulator_cpu, 0);
	T_STREQ(c.ports[0].name, "Port_1-x");
	T_EQ(c.ports[0].rx_ring, 64);
	T_EQ(c.ports[0].tx_ring, 4096);
	T_EQ(c.ports[0].promisc, 0);
	T_EQ(c.ports[0].has_mac, 1);
	T_EQ(c.ports[0].mac[1], 0xab);
	T_EQ(c.ports[0].mac[2], 0xcd);
	T_EQ(c.ports[0].mac[5], 9);
	T_STREQ(c.ports[1].device, "0000:0a:1f.7");
	T_EQ(c.ports[1].force, 1);
	T_EQ(c.ports[1].promisc, 0);
}

static void
test_pci_canonical(void)
{
	T_GOOD("ports:\n"
	    "  - { name: a, device: 03:00.0 }\n"
	    "  - { name: b, device: \"03:00.1\" }\n"
	    "  - { name: c, device: 'ABCD:EF:1F.7' }\n");
	T_STREQ(c.ports[0].device, "0000:03:00.0");
	T_STREQ(c.ports[1].device, "0000:03:00.1");
	T_STREQ(c.ports[2].device, "abcd:ef:1f.7");
	/* the same NIC however it is written */
	T_BAD("ports:\n"
	    "  - { name: a, device: 03:00.0 }\n"
	    "  - { name: b, device: 0000:03:00.0 }\n",
	    "3:24: device: 0000:03:00.0 is already used by port \"a\" at "
	    "line 2\n");
}

static void
test_generator(void)
{
	T_GOOD("ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    wire: { generator: { size: 1518, count: 1000, rate: 0x10 } }\n"
	    "  - name: b\n"
	    "    device: emulated\n"
	    "    wire: { generator: {} }\n"
	    "  - name: c\n"
	    "    device: emulated\n"
	    "    wire:\n"
	    "      generator:\n");
	T_EQ(c.ports[0].wire.kind, CONF_WIRE_GENERATOR);
	T_EQ(c.ports[0].wire.gen_size, 1514);
	T_EQ(c.ports[0].wire.gen_count, 1000);
	T_EQ(c.ports[0].wire.gen_rate, 16);
	/* size 64 on the wire is 60 bytes in the buffer, CRC excluded */
	T_EQ(c.ports[1].wire.kind, CONF_WIRE_GENERATOR);
	T_EQ(c.ports[1].wire.gen_size, 60);
	T_EQ(c.ports[1].wire.gen_count, 0);
	T_EQ(c.ports[1].wire.gen_rate, 0);
	T_EQ(c.ports[2].wire.kind, CONF_WIRE_GENERATOR);
	T_EQ(c.ports[2].wire.gen_size, 60);

	T_BAD("ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    wire: { generator: { size: 60, count: -1, rat: 5 } }\n",
	    "4:32: size: 60 is not between 64 and 1518 (bytes on the wire, "
	    "CRC included)\n"
	    "4:43: count: -1 is less than 0 (frames)\n"
	    "4:47: unknown key \"rat\" in generator; did you mean \"rate\"?\n");
}

static void
test_mirror(void)
{
	T_GOOD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: emulated }\n"
	    "  - { name: c, device: emulated }\n"
	    "forward:\n"
	    "  - { from: a, to: [b, c] }\n"
	    "  - from: b\n"
	    "    to:\n"
	    "      - a\n");
	T_EQ(c.nforwards, 2);
	T_EQ(c.forwards[0].from, 0);
	T_EQ(c.forwards[0].nto, 2);
	T_EQ(c.forwards[0].to[0], 1);
	T_EQ(c.forwards[0].to[1], 2);
	T_EQ(c.forwards[1].from, 1);
	T_EQ(c.forwards[1].nto, 1);
	T_EQ(c.forwards[1].to[0], 0);
}

static void
test_peers(void)
{
	/* mutual */
	T_GOOD("ports:\n"
	    "  - { name: a, device: emulated, wire: { peer: b } }\n"
	    "  - { name: b, device: emulated, wire: { peer: a } }\n");
	T_EQ(c.ports[0].wire.kind, CONF_WIRE_PEER);
	T_EQ(c.ports[0].wire.peer, 1);
	T_EQ(c.ports[1].wire.kind, CONF_WIRE_PEER);
	T_EQ(c.ports[1].wire.peer, 0);

	/* b has no wire: it gets the other end of a's */
	T_GOOD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: emulated, wire: { peer: a } }\n");
	T_EQ(c.ports[0].wire.kind, CONF_WIRE_PEER);
	T_EQ(c.ports[0].wire.peer, 1);
	T_EQ(c.ports[1].wire.peer, 0);

	T_BAD("ports:\n"
	    "  - { name: a, device: emulated, wire: { peer: a } }\n"
	    "  - { name: b, device: 03:00.0 }\n"
	    "  - { name: c, device: emulated, wire: { peer: b } }\n"
	    "  - { name: d, device: emulated, wire: { interface: eth9 } }\n"
	    "  - { name: e, device: emulated, wire: { peer: d } }\n"
	    "  - { name: f, device: emulated }\n"
	    "  - { name: g, device: emulated, wire: { peer: f } }\n"
	    "  - { name: h, device: emulated, wire: { peer: f } }\n"
	    "  - { name: i, device: emulated, wire: { peer: g } }\n"
	    "  - { name: j, device: emulated, wire: { peer: x } }\n",
	    "2:48: peer: a port cannot be its own peer\n"
	    "4:48: peer: port \"b\" is not emulated\n"
	    "6:48: peer: port \"d\" already has a wire (interface)\n"
	    "9:48: peer: port \"f\" is already the peer of port \"g\"\n"
	    "10:48: peer: port \"g\" is wired to port \"f\"\n"
	    "11:48: unknown port \"x\" (ports are: a, b, c, d, e, f, g, h, i, "
	    "j)\n");
}

static void
test_pcap(void)
{
	static char want[3 * PATH_MAX], real[PATH_MAX];

	T_REQUIRE(put("in.pcap", "") != NULL);
	T_REQUIRE(realpath(tmpdir, real) != NULL);
	/* relative paths start at the configuration's directory */
	T_GOOD("ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    wire: { pcap_in: in.pcap, pcap_out: out.pcap }\n"
	    "  - name: b\n"
	    "    device: emulated\n"
	    "    wire: { pcap_out: /dev/null }\n");
	T_EQ(c.ports[0].wire.kind, CONF_WIRE_PCAP);
	snprintf(want, sizeof(want), "%s/in.pcap", real);
	T_STREQ(c.ports[0].wire.pcap_in, want);
	snprintf(want, sizeof(want), "%s/out.pcap", real);
	T_STREQ(c.ports[0].wire.pcap_out, want);
	T_STREQ(c.ports[1].wire.pcap_in, "");
	T_STREQ(c.ports[1].wire.pcap_out, "/dev/null");

	snprintf(want, sizeof(want),
	    "4:22: pcap_in: cannot open %s/nope.pcap: No such file or "
	    "directory\n"
	    "4:43: pcap_out: cannot write in /nonexistent: No such file or "
	    "directory\n"
	    "7:23: pcap_out: %s/in.pcap is also read by port \"b\"\n", real,
	    real);
	T_BAD("ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    wire: { pcap_in: nope.pcap, pcap_out: /nonexistent/x.pcap }\n"
	    "  - name: b\n"
	    "    device: emulated\n"
	    "    wire: { pcap_out: in.pcap, pcap_in: in.pcap }\n",
	    want);
}

static void
test_unknown_key(void)
{
	T_BAD("ports:\n"
	    "  - name: wan\n"
	    "    device: emulated\n"
	    "    rx_rnig: 512\n",
	    "4:5: unknown key \"rx_rnig\" in port; did you mean "
	    "\"rx_ring\"?\n");
	/* a misspelt required key is not also reported missing */
	T_BAD("prots: []\n",
	    "1:1: unknown key \"prots\" at the top level; did you mean "
	    "\"ports\"?\n");
	T_BAD("batch: 1\n",
	    "1:1: missing required key \"ports\" at the top level\n");
	/* no near key: say which there are */
	T_BAD("ports:\n"
	    "  - { name: a, device: emulated, speed: 10000 }\n",
	    "2:34: unknown key \"speed\" in port (known keys: name, device, "
	    "rx_ring, tx_ring, promisc, cpu, force, mac, wire)\n");
}

static void
test_wrong_type(void)
{
	T_BAD("ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    rx_ring: big\n"
	    "    tx_ring: \"512\"\n"
	    "    promisc: maybe\n"
	    "    cpu: 1.5\n"
	    "    force: [yes]\n"
	    "    wire: veth0\n"
	    "    mac: { a: 1 }\n"
	    "batch:\n"
	    "link_timeout: 'on'\n",
	    "4:14: rx_ring: expected an integer, got \"big\"\n"
	    "5:14: tx_ring: expected an integer, got the quoted string "
	    "\"512\"\n"
	    "6:14: promisc: expected true or false, got \"maybe\"\n"
	    "7:10: cpu: expected an integer, got \"1.5\"\n"
	    "8:5: force: only applies to a PCI port\n"
	    "8:12: force: expected true or false, got a sequence\n"
	    "9:11: wire: expected a mapping, got \"veth0\"\n"
	    "10:10: mac: expected a string, got a mapping\n"
	    "11:7: batch: expected an integer, got nothing\n"
	    "12:15: link_timeout: expected an integer, got the quoted string "
	    "\"on\"\n");
	T_BAD("ports: wan\n",
	    "1:8: ports: expected a sequence, got \"wan\"\n");
	T_BAD("ports: [ wan ]\n",
	    "1:10: ports: expected a mapping for each port, got \"wan\"\n");
	T_BAD("- ports\n",
	    "1:1: expected a mapping at the top level, got a sequence\n");
}

static void
test_integers(void)
{
	T_BAD("ports:\n"
	    "  - { name: a, device: emulated, rx_ring: 100 }\n"
	    "  - { name: b, device: emulated, rx_ring: 8192 }\n"
	    "  - { name: c, device: emulated, rx_ring: 32 }\n"
	    "  - { name: d, device: emulated, rx_ring: 0777 }\n"
	    "  - { name: e, device: emulated, rx_ring: 99999999999999999999 }\n"
	    "  - { name: f, device: emulated, rx_ring: 1_024 }\n"
	    "  - { name: g, device: emulated, rx_ring: 0x }\n"
	    "batch: 257\n"
	    "link_timeout: 61\n",
	    "2:43: rx_ring: 100 is not a power of two between 64 and 4096\n"
	    "3:43: rx_ring: 8192 is not a power of two between 64 and 4096\n"
	    "4:43: rx_ring: 32 is not a power of two between 64 and 4096\n"
	    "5:43: rx_ring: 0777 has a leading zero, which YAML 1.1 reads "
	    "as octal; write it without\n"
	    "6:43: rx_ring: 99999999999999999999 is not a power of two "
	    "between 64 and 4096\n"
	    "7:43: rx_ring: expected an integer, got \"1_024\"\n"
	    "8:43: rx_ring: expected an integer, got \"0x\"\n"
	    "9:8: batch: 257 is not between 1 and 256 (packets)\n"
	    "10:15: link_timeout: 61 is not between 0 and 60 (seconds)\n");
	T_GOOD("ports:\n"
	    "  - { name: a, device: emulated, rx_ring: +0x100 }\n"
	    "link_timeout: 60\n"
	    "batch: 1\n");
	T_EQ(c.ports[0].rx_ring, 256);
	T_EQ(c.link_timeout_ms, 60000);
	T_EQ(c.batch, 1);
}

static void
test_cpu(void)
{
	char yaml[256], want[512];
	long n = ncpus();

	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - { name: a, device: emulated, cpu: %ld }\n"
	    "  - { name: b, device: emulated, cpu: 1024 }\n"
	    "  - { name: c, device: emulated, cpu: -1 }\n"
	    "emulator:\n"
	    "  cpu: %ld\n", n, n + 1);
	snprintf(want, sizeof(want),
	    "2:39: cpu %ld does not exist on this machine (%ld CPU%s)\n"
	    "3:39: cpu: 1024 is not between 0 and 1023\n"
	    "4:39: cpu: -1 is not between 0 and 1023\n"
	    "6:8: cpu %ld does not exist on this machine (%ld CPU%s)\n",
	    n, n, n == 1 ? "" : "s", n + 1, n, n == 1 ? "" : "s");
	T_BAD(yaml, want);
}

static void
test_names(void)
{
	T_BAD("ports:\n"
	    "  - { device: emulated }\n"
	    "  - { name: wan, device: emulated }\n"
	    "  - { name: wan, device: emulated }\n"
	    "  - { name: \"w n\", device: emulated }\n"
	    "  - { name: \"\", device: emulated }\n"
	    "  - { name: abcdefghijabcdefghijabcdefghij12, device: emulated }\n"
	    "  - { name: ~, device: emulated }\n"
	    "  - { name: x }\n",
	    "2:5: missing required key \"name\" in port\n"
	    "4:13: duplicate port name \"wan\" (first at line 3)\n"
	    "5:13: name: \"w n\" may contain only letters, digits, '_' and "
	    "'-'\n"
	    "6:13: name: a port name cannot be empty\n"
	    "7:13: name: \"abcdefghijabcdefghijabcdefghij12\" is longer than "
	    "31 characters\n"
	    "8:13: name: expected a string, got nothing\n"
	    "9:5: missing required key \"device\" in port\n");
	/* names are strings even when they look like numbers */
	T_GOOD("ports:\n"
	    "  - { name: 1, device: emulated }\n"
	    "  - { name: 2, device: emulated }\n"
	    "forward:\n"
	    "  - { from: 1, to: 2 }\n");
	T_EQ(c.forwards[0].from, 0);
	T_EQ(c.forwards[0].to[0], 1);
}

static void
test_duplicate_key(void)
{
	T_BAD("ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    rx_ring: 64\n"
	    "    rx_ring: 128\n"
	    "batch: 1\n"
	    "batch: 2\n",
	    "5:5: duplicate key \"rx_ring\" (first at line 4)\n"
	    "7:1: duplicate key \"batch\" (first at line 6)\n");
	T_EQ(c.ports[0].rx_ring, 64);
}

static void
test_forward_errors(void)
{
	T_BAD("ports:\n"
	    "  - { name: wan, device: emulated }\n"
	    "  - { name: lan, device: emulated }\n"
	    "forward:\n"
	    "  - { from: wan, to: lna }\n"
	    "  - { from: lan, to: lan }\n"
	    "  - { from: wan, to: lan }\n"
	    "  - { from: dmz, to: [wan, wan, lan] }\n"
	    "  - { to: wan }\n"
	    "  - { from: lan, to: [] }\n"
	    "  - { from: lan, to: [[wan]] }\n"
	    "  - wan\n",
	    "5:22: unknown port \"lna\" (ports are: wan, lan)\n"
	    "6:22: port \"lan\" cannot forward to itself\n"
	    "7:13: port wan already has a forward entry at line 5; list "
	    "several destinations in one `to:`\n"
	    "8:13: unknown port \"dmz\" (ports are: wan, lan)\n"
	    "8:28: to: port \"wan\" is listed twice\n"
	    "9:5: missing required key \"from\" in forward\n"
	    "10:13: port lan already has a forward entry at line 6; list "
	    "several destinations in one `to:`\n"
	    "10:22: to: at least one destination is required\n"
	    "11:13: port lan already has a forward entry at line 6; list "
	    "several destinations in one `to:`\n"
	    "11:23: to: expected a port name, got a sequence\n"
	    "12:5: forward: expected a mapping such as { from: a, to: b }, "
	    "got \"wan\"\n");
	/* a forward entry may come before the ports */
	T_GOOD("forward: [ { from: a, to: b } ]\n"
	    "ports: [ { name: a, device: emulated }, { name: b, "
	    "device: emulated } ]\n");
	T_EQ(c.forwards[0].from, 0);
	T_EQ(c.forwards[0].to[0], 1);
}

static void
test_wire_errors(void)
{
	T_BAD("ports:\n"
	    "  - name: wan\n"
	    "    device: 0000:03:00.0\n"
	    "    wire: { interface: eth1 }\n"
	    "    mac: 02:00:00:00:00:01\n"
	    "  - name: lan\n"
	    "    device: emulated\n"
	    "    wire: { interface: veth-lan, generator: { size: 64 } }\n"
	    "    force: true\n"
	    "  - name: x\n"
	    "    device: emulated\n"
	    "    wire: {}\n"
	    "  - name: y\n"
	    "    device: emulated\n"
	    "    wire: { interface: a-very-long-name0 }\n"
	    "  - name: z\n"
	    "    device: emulated\n"
	    "    wire: { interface: \"a/b\" }\n",
	    "4:5: wire: only an emulated port has a wire\n"
	    "5:5: mac: only an emulated port can have its MAC address set\n"
	    "8:11: wire: choose one of interface, peer, pcap_in/pcap_out, "
	    "generator\n"
	    "9:5: force: only applies to a PCI port\n"
	    "12:11: wire: choose one of interface, peer, pcap_in/pcap_out, "
	    "generator\n"
	    "15:24: interface: \"a-very-long-name0\" is not an interface name "
	    "(1 to 15 characters, no '/', ':' or spaces)\n"
	    "18:24: interface: \"a/b\" is not an interface name (1 to 15 "
	    "characters, no '/', ':' or spaces)\n");
	T_BAD("ports:\n"
	    "  - { name: a, device: emulated, wire: { interface: v0 } }\n"
	    "  - { name: b, device: emulated, wire: { interface: v0 } }\n",
	    "3:53: interface: v0 is also the wire of port \"a\"\n");
}

static void
test_device_and_mac(void)
{
	T_BAD("ports:\n"
	    "  - { name: a, device: 03:00 }\n"
	    "  - { name: b, device: 0000:03:20.0 }\n"
	    "  - { name: c, device: 0000:03:00.8 }\n"
	    "  - { name: d, device: 00000:03:00.0 }\n"
	    "  - { name: e, device: Emulated }\n"
	    "  - { name: f, device: emulated, mac: 02:00:00:00:00 }\n"
	    "  - { name: g, device: emulated, mac: 03:00:00:00:00:01 }\n"
	    "  - { name: h, device: emulated, mac: \"00:00:00:00:00:00\" }\n"
	    "  - { name: i, device: emulated, mac: 02-00-00-00-00-01 }\n"
	    "  - { name: j, device: emulated, mac: 02:1f:d0:00:00:06 }\n",
	    "2:24: device: \"03:00\" is neither \"emulated\" nor a PCI address "
	    "such as 0000:03:00.0\n"
	    "3:24: device: \"0000:03:20.0\" is neither \"emulated\" nor a PCI "
	    "address such as 0000:03:00.0\n"
	    "4:24: device: \"0000:03:00.8\" is neither \"emulated\" nor a PCI "
	    "address such as 0000:03:00.0\n"
	    "5:24: device: \"00000:03:00.0\" is neither \"emulated\" nor a "
	    "PCI address such as 0000:03:00.0\n"
	    "6:24: device: \"Emulated\" is neither \"emulated\" nor a PCI "
	    "address such as 0000:03:00.0\n"
	    "7:39: mac: \"02:00:00:00:00\" is not a MAC address such as "
	    "02:00:00:00:00:01\n"
	    "8:39: mac: 03:00:00:00:00:01 is a multicast address\n"
	    "9:39: mac: 00:00:00:00:00:00 is not a usable address\n"
	    "10:39: mac: \"02-00-00-00-00-01\" is not a MAC address such as "
	    "02:00:00:00:00:01\n"
	    "11:39: mac: 02:1f:d0:00:00:06 is also the address of port "
	    "\"f\"\n");
}

static void
test_syntax_error(void)
{
	T_BAD("ports:\n"
	    "  - name: a\n"
	    "   device: emulated\n",
	    "3:4: did not find expected '-' indicator (while parsing a block "
	    "collection at line 2, column 3)\n");
	T_BAD("ports: [ { name: a, device: emulated }\n",
	    "2:1: did not find expected ',' or ']' (while parsing a flow "
	    "sequence at line 1, column 8)\n");
	T_BAD("ports:\n"
	    "\t- name: a\n",
	    "2:1: found character that cannot start any token (while "
	    "scanning for the next token at line 2, column 1)\n");
	T_BAD("ports: *nowhere\n",
	    "1:8: found undefined alias\n");
	T_BAD("ports: []\n"
	    "---\n"
	    "ports: []\n",
	    "1:8: ports: at least one port is required\n"
	    "3:1: only one YAML document is allowed in a configuration\n");
	T_BAD("ports:\n  - name: \xff\n",
	    "2:11: invalid leading UTF-8 octet (byte 0xff)\n");
}

/* Aliases are followed; a cycle does not loop the walk. */
static void
test_anchors(void)
{
	T_GOOD("ports:\n"
	    "  - { name: a, device: &emu emulated, rx_ring: &big 1024 }\n"
	    "  - { name: b, device: *emu, rx_ring: *big }\n");
	T_EQ(c.ports[1].emulated, 1);
	T_EQ(c.ports[1].rx_ring, 1024);
	T_BAD("ports: &p [ *p ]\n",
	    "1:8: ports: expected a mapping for each port, got a sequence\n");
	T_BAD("ports: &p\n"
	    "  - { name: a, device: emulated, wire: &w { generator: *w } }\n",
	    "2:45: unknown key \"generator\" in generator (known keys: size, "
	    "count, rate)\n");
}

static void
test_empty_file(void)
{
	T_BAD("", "1:1: empty configuration; expected a mapping with "
	    "\"ports\"\n");
	T_BAD("# nothing but a comment\n\n",
	    "1:1: empty configuration; expected a mapping with \"ports\"\n");
	T_BAD("---\n",
	    "1:1: empty configuration; expected a mapping with \"ports\"\n");
	T_BAD("ports: []\n", "1:8: ports: at least one port is required\n");
}

/* Errors about the file itself have no line and column. */
static void
test_missing_file(void)
{
	char *raw = NULL, want[PATH_MAX + 64];
	size_t len = 0;
	FILE *m;

	T_REQUIRE((m = open_memstream(&raw, &len)) != NULL);
	T_EQ(conf_load("/nonexistent/ixfwd.yaml", &c, m), 1);
	T_EQ(conf_load(tmpdir, &c, m), 1);
	fclose(m);
	snprintf(want, sizeof(want),
	    "/nonexistent/ixfwd.yaml: cannot open: No such file or directory\n"
	    "%s: cannot read: Is a directory\n", tmpdir);
	T_STREQ(raw, want);
	free(raw);
	/* errf may be NULL: only the count */
	T_EQ(conf_load("/nonexistent/ixfwd.yaml", &c, NULL), 1);
}

static void
test_many_errors_one_pass(void)
{
	int n;

	n = load("ports:\n"
	    "  - name: wan\n"
	    "    device: 0000:03:00.0\n"
	    "    rx_rnig: 512\n"
	    "    tx_ring: 100\n"
	    "  - name: lan\n"
	    "    device: emulated\n"
	    "    wire: { interface: veth-lan, peer: wan }\n"
	    "forward:\n"
	    "  - { from: wan, to: lna }\n"
	    "  - { from: lan, to: lan }\n"
	    "batch: 1000\n");
	T_EQ(n, 6);
	T_STREQ(msgs,
	    "4:5: unknown key \"rx_rnig\" in port; did you mean \"rx_ring\"?\n"
	    "5:14: tx_ring: 100 is not a power of two between 64 and 4096\n"
	    "8:11: wire: choose one of interface, peer, pcap_in/pcap_out, "
	    "generator\n"
	    "10:22: unknown port \"lna\" (ports are: wan, lan)\n"
	    "11:22: port \"lan\" cannot forward to itself\n"
	    "12:8: batch: 1000 is not between 1 and 256 (packets)\n");
}

static void
test_too_many_ports(void)
{
	char yaml[4096];
	size_t o;
	int i;

	o = snprintf(yaml, sizeof(yaml), "ports:\n");
	for (i = 0; i <= CONF_PORTS_MAX; i++)
		o += snprintf(yaml + o, sizeof(yaml) - o,
		    "  - { name: p%d, device: emulated }\n", i);
	T_BAD(yaml, "18:5: ports: at most 16 ports are supported\n");
	T_EQ(c.nports, CONF_PORTS_MAX);
}

static void
test_examples(void)
{
	static const char *const files[] = {
		"conf/examples/bridge.yaml",
		"conf/examples/demo.yaml",
		"conf/examples/generator.yaml",
	};
	size_t i;

	if (ncpus() < 2)
		T_SKIP("the examples use cpu 1; this machine has one CPU");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		T_EQ(load_file(files[i]), 0);
		T_STREQ(msgs, "");
		T_EQ(c.nports, 2);
		T_EQ(c.nforwards, 2);
	}
	load_file("conf/examples/demo.yaml");
	T_STREQ(c.ports[0].wire.iface, "ixd-a1");
	T_STREQ(c.ports[1].wire.iface, "ixd-b1");
	T_EQ(c.ports[0].cpu, 0);
	T_EQ(c.ports[1].cpu, 0);
	T_EQ(c.emulator_cpu, 1);
	load_file("conf/examples/generator.yaml");
	T_EQ(c.ports[0].wire.kind, CONF_WIRE_GENERATOR);
	T_EQ(c.ports[1].wire.kind, CONF_WIRE_GENERATOR);
	T_EQ(c.ports[0].wire.gen_size, 60);
}

/* The "# expect: " lines at the top of a fixture. */
static int
fixture_expect(const char *path, char *want, size_t len)
{
	char line[1024];
	size_t o = 0;
	FILE *f;
	int n = 0;

	want[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL &&
	    strncmp(line, "# expect: ", 10) == 0) {
		o += snprintf(want + o, len - o, "%s", line + 10);
		n++;
	}
	fclose(f);
	return n;
}

static void
run_fixtures(const char *dirname, int bad)
{
	char path[PATH_MAX], want[4096];
	struct dirent *de;
	DIR *d;
	int n, files = 0, saved = t_failed_here;

	if ((d = opendir(dirname)) == NULL) {
		t_fail(__FILE__, __LINE__, "%s: %s (run from the top of the "
		    "tree)", dirname, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 6 || strcmp(de->d_name + l - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirname, de->d_name);
		n = fixture_expect(path, want, sizeof(want));
		if (bad && n <= 0) {
			t_fail(__FILE__, __LINE__, "%s: no \"# expect: \" line",
			    path);
			continue;
		}
		files++;
		saved = t_failed_here;
		T_EQ(load_file(path), bad ? n : 0);
		T_STREQ(msgs, bad ? want : "");
		if (t_failed_here != saved)
			printf("  in %s\n", path);
	}
	closedir(d);
	T_CHECK(files > 0);
}

static void
test_fixtures_good(void)
{
	run_fixtures("tests/conf/good", 0);
}

static void
test_fixtures_bad(void)
{
	run_fixtures("tests/conf/bad", 1);
}

static void
test_schema_print(void)
{
	static const char *const keys[] = {
		"ports", "forward", "batch", "link_timeout", "emulator", "name",
		"device", "rx_ring", "tx_ring", "promisc", "cpu", "force",
		"mac", "wire", "interface", "peer", "pcap_in", "pcap_out",
		"generator", "size", "count", "rate", "from", "to",
	};
	char *raw = NULL, pat[64];
	size_t len = 0, i;
	FILE *m;

	T_REQUIRE((m = open_memstream(&raw, &len)) != NULL);
	conf_schema_print(m);
	fclose(m);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(pat, sizeof(pat), "\n  %s ", keys[i]);
		if (strstr(raw, pat) == NULL)
			t_fail(__FILE__, __LINE__, "key %s not documented",
			    keys[i]);
	}
	T_CHECK(strstr(raw, "a power of two 64..4096, default 512") != NULL);
	free(raw);
}

int
main(void)
{
	int rc;
	char cmd[PATH_MAX + 16];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_good_example);
	T_RUN(test_defaults);
	T_RUN(test_all_keys);
	T_RUN(test_pci_canonical);
	T_RUN(test_generator);
	T_RUN(test_mirror);
	T_RUN(test_peers);
	T_RUN(test_pcap);
	T_RUN(test_unknown_key);
	T_RUN(test_wrong_type);
	T_RUN(test_integers);
	T_RUN(test_cpu);
	T_RUN(test_names);
	T_RUN(test_duplicate_key);
	T_RUN(test_forward_errors);
	T_RUN(test_wire_errors);
	T_RUN(test_device_and_mac);
	T_RUN(test_syntax_error);
	T_RUN(test_anchors);
	T_RUN(test_empty_file);
	T_RUN(test_missing_file);
	T_RUN(test_many_errors_one_pass);
	T_RUN(test_too_many_ports);
	T_RUN(test_examples);
	T_RUN(test_fixtures_good);
	T_RUN(test_fixtures_bad);
	T_RUN(test_schema_print);
	rc = t_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", tmpdir);
	return rc;
}
