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

#include <pcap/pcap.h>

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
	conf_free(&c);			/* what the last load kept */
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
	T_EQ(c.ports[0].kind, PORT_KIND_IXGBE);
	T_EQ(c.ports[0].rx_ring, 512);
	T_EQ(c.ports[0].tx_ring, 1024);
	T_EQ(c.ports[0].promisc, 1);
	T_EQ(c.ports[0].cpu, 0);
	T_EQ(c.ports[0].line, 2);
	T_EQ(c.ports[0].col, 5);
	T_STREQ(c.ports[1].name, "lan");
	T_EQ(c.ports[1].kind, PORT_KIND_EMULATED);
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
	/* queues, CPUs, MTU, RSS and polling */
	T_EQ(c.poll, CONF_POLL_ADAPTIVE);
	T_EQ(c.poll_sleep_max_us, 100);
	T_EQ(c.ports[0].queues, 1);
	T_EQ(c.ports[0].ncpus, 0);
	T_EQ(c.ports[0].mtu, 1500);
	T_EQ(c.ports[0].poll, CONF_POLL_DEFAULT);
	T_EQ(c.ports[0].rss.fields, CONF_RSS_ALL);
	T_EQ(c.ports[0].rss.key[0], 0x6d);
	T_EQ(c.ports[0].rss.key[1], 0x5a);
	T_EQ(c.ports[0].rss.key[39], 0x5a);
	T_EQ(c.ports[0].rss.reta[0], 0);
	T_EQ(c.ports[0].rss.reta[127], 0);
}

/* The key of Microsoft's RSS verification suite. */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void
test_queues(void)
{
	int i;

	if (ncpus() < 2)
		T_SKIP("uses CPUs 0 and 1; this machine has one CPU");
	T_GOOD("ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    queues: 4\n"
	    "    cpus: [1, 0]\n"
	    "    mtu: 9000\n"
	    "    poll: busy\n"
	    "    rss:\n"
	    "      key: microsoft\n"
	    "      fields: [ipv4-tcp, ipv6-udp]\n"
	    "      reta: [3, 2, 1, 0]\n"
	    "  - name: b\n"
	    "    device: emulated\n"
	    "    cpu: 1\n"
	    "    poll: adaptive\n"
	    "    rss: {}\n"
	    "  - { name: c, device: \"null\", mtu: 68, queues: 16 }\n"
	    "  - name: d\n"
	    "    device: emulated\n"
	    "    queues: 2\n"
	    "    rss:\n"
	    "      key: 6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da"
	    "38030f20c6a42b73bbeac01fa\n"
	    "      reta: [1]\n"
	    "  - name: e\n"
	    "    device: emulated\n"
	    "    mtu: 9710\n"
	    "    rss:\n"
	    "      key: \"6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:"
	    "ca:2b:cb ae 7b 30 b4 77 cb 2d a3 80 30 f2 0c 6a 42 b7 3b be ac "
	    "01 fa\"\n"
	    "poll: { mode: busy, max_sleep: 10000 }\n");
	T_EQ(c.poll, CONF_POLL_BUSY);
	T_EQ(c.poll_sleep_max_us, 10000);

	T_EQ(c.ports[0].queues, 4);
	T_EQ(c.ports[0].ncpus, 2);
	T_EQ(c.ports[0].cpus[0], 1);
	T_EQ(c.ports[0].cpus[1], 0);
	T_EQ(c.ports[0].cpu, 1);
	T_EQ(c.ports[0].mtu, 9000);
	T_EQ(c.ports[0].poll, CONF_POLL_BUSY);
	T_CHECK(memcmp(c.ports[0].rss.key, ms_key, 40) == 0);
	T_EQ(c.ports[0].rss.fields, CONF_RSS_IPV4_TCP | CONF_RSS_IPV6_UDP);
	for (i = 0; i < CONF_RETA_SIZE; i++)
		T_EQ(c.ports[0].rss.reta[i], 3 - i % 4);

	T_EQ(c.ports[1].queues, 1);
	T_EQ(c.ports[1].ncpus, 1);
	T_EQ(c.ports[1].cpus[0], 1);
	T_EQ(c.ports[1].cpu, 1);
	T_EQ(c.ports[1].poll, CONF_POLL_ADAPTIVE);
	T_EQ(c.ports[1].rss.key[0], 0x6d);
	T_EQ(c.ports[1].rss.key[1], 0x5a);
	T_EQ(c.ports[1].rss.fields, CONF_RSS_ALL);

	T_EQ(c.ports[2].queues, 16);
	T_EQ(c.ports[2].mtu, 68);
	T_EQ(c.ports[2].ncpus, 0);
	T_EQ(c.ports[2].cpu, -1);
	T_EQ(c.ports[2].rss.reta[17], 1);
	T_EQ(c.ports[2].rss.reta[127], 15);

	T_CHECK(memcmp(c.ports[3].rss.key, ms_key, 40) == 0);
	for (i = 0; i < CONF_RETA_SIZE; i++)
		T_EQ(c.ports[3].rss.reta[i], 1);
	T_CHECK(memcmp(c.ports[4].rss.key, ms_key, 40) == 0);
	T_EQ(c.ports[4].mtu, 9710);
}

static void
test_queues_errors(void)
{
	char yaml[2048], want[4096];
	long n = ncpus();

	snprintf(yaml, sizeof(yaml),
	    "ports:\n"
	    "  - name: a\n"
	    "    device: emulated\n"
	    "    queues: 2\n"
	    "    cpus: [0, 0, %ld, x]\n"
	    "    rss: { key: \"6d:5a\", fields: [ipv4, bogus, ipv4, [1]], "
	    "reta: [0, 1, 2] }\n"
	    "  - name: b\n"
	    "    device: emulated\n"
	    "    cpus: [0]\n"
	    "    cpu: 0\n"
	    "    rss: { key: zz, fields: [], reta: [0, 5, 1, 16] }\n"
	    "    mtu: 67\n"
	    "    poll: sometimes\n"
	    "  - name: c\n"
	    "    device: emulated\n"
	    "    cpus: []\n"
	    "    mtu: 9711\n"
	    "    queues: 17\n"
	    "    rss:\n"
	    "      key: 6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2"
	    "da38030f20c6a42b73bbeac01fa00\n"
	    "      reta: []\n"
	    "      hash: all\n"
	    "  - { name: d, device: emulated, queues: 2, "
	    "rss: { reta: [1, 0, 2, 1] } }\n"
	    "  - { name: e, device: emulated, rss: { key: \"6d::5a\" } }\n"
	    "poll: { mode: spin, max_sleep: 0, sleep: 1 }\n", n);
	snprintf(want, sizeof(want),
	    "5:15: cpus: CPU 0 is listed twice\n"
	    "5:18: cpus: CPU %ld does not exist on this machine (%ld CPU%s)\n"
	    "5:21: cpus: expected an integer, got \"x\"\n"
	    "6:17: key: 2 bytes; an RSS key is 40 bytes (80 hex digits)\n"
	    "6:41: fields: \"bogus\" is neither ipv4, ipv4-tcp, ipv4-udp, "
	    "ipv6, ipv6-tcp nor ipv6-udp\n"
	    "6:48: fields: ipv4 is listed twice\n"
	    "6:54: fields: expected ipv4, ipv4-tcp, ipv4-udp, ipv6, ipv6-tcp "
	    "or ipv6-udp, got a sequence\n"
	    "6:66: reta: 3 entries, which do not divide the table's 128; give "
	    "1, 2, 4, 8, 16, 32, 64 or 128\n"
	    "10:5: cpu: give cpu or cpus, not both\n"
	    "11:17: key: \"zz\" is neither symmetric, microsoft nor 40 bytes "
	    "in hex (80 hex digits, a colon or a space allowed between "
	    "bytes)\n"
	    "11:29: fields: the list is empty: every packet would go to queue "
	    "0\n"
	    "11:49: reta: 16 is not between 0 and 15\n"
	    "12:10: mtu: 67 is not between 68 and 9710 (bytes)\n"
	    "13:11: poll: \"sometimes\" is neither adaptive nor busy\n"
	    "16:11: cpus: the list is empty; leave cpus out for a thread that "
	    "is not pinned\n"
	    "17:10: mtu: 9711 is not between 68 and 9710 (bytes)\n"
	    "18:13: queues: 17 is not between 1 and 16\n"
	    "20:12: key: more than 40 bytes; an RSS key is 40 bytes (80 hex "
	    "digits)\n"
	    "21:13: reta: the list is empty; leave reta out to spread the "
	    "buckets round-robin\n"
	    "22:7: unknown key \"hash\" in rss (known keys: key, fields, "
	    "reta)\n"
	    "23:65: reta: queue 2 is not a queue of the port: it has 2 (0 to "
	    "1)\n"
	    "24:46: key: \"6d::5a\" is neither symmetric, microsoft nor 40 "
	    "bytes in hex (80 hex digits, a colon or a space allowed between "
	    "bytes)\n"
	    "25:15: mode: \"spin\" is neither adaptive nor busy\n"
	    "25:32: max_sleep: 0 is not between 1 and 10000 "
	    "(microseconds)\n"
	    "25:35: unknown key \"sleep\" in poll (known keys: mode, "
	    "max_sleep)\n",
	    n, n, n == 1 ? "" : "s");
	T_BAD(yaml, want);
}

/* More CPUs than queues: the extra ones, named, would poll nothing. */
static void
test_cpus_surplus(void)
{
	if (ncpus() < 2)
		T_SKIP("uses CPUs 0 and 1; this machine has one CPU");
	T_BAD("ports:\n"
	    "  - { name: a, device: emulated, cpus: [1, 0] }\n"
	    "  - name: b\n"
	    "    device: emulated\n"
	    "    queues: 2\n"
	    "    cpus: [0, 1]\n"
	    "  - { name: c, device: emulated, cpu: 1, queues: 2 }\n",
	    "2:44: cpus: 2 CPUs for 1 queue: CPU 0 would serve nothing\n");
	T_EQ(c.ports[1].ncpus, 2);
	T_EQ(c.ports[2].ncpus, 1);
	T_EQ(c.ports[2].cpus[0], 1);
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
	    "rx_ring, tx_ring, promisc, cpu, queues, cpus, mtu, rss, poll, "
	    "force, mac, wire)\n");
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
	    "2:24: device: \"03:00\" is not \"emulated\", \"null\", a PCI "
	    "address such as 0000:03:00.0 or vfio:0000:03:00.0\n"
	    "3:24: device: \"0000:03:20.0\" is not \"emulated\", \"null\", a PCI "
	    "address such as 0000:03:00.0 or vfio:0000:03:00.0\n"
	    "4:24: device: \"0000:03:00.8\" is not \"emulated\", \"null\", a PCI "
	    "address such as 0000:03:00.0 or vfio:0000:03:00.0\n"
	    "5:24: device: \"00000:03:00.0\" is not \"emulated\", \"null\", a PCI "
	    "address such as 0000:03:00.0 or vfio:0000:03:00.0\n"
	    "6:24: device: \"Emulated\" is not \"emulated\", \"null\", a PCI "
	    "address such as 0000:03:00.0 or vfio:0000:03:00.0\n"
	    "7:39: mac: \"02:00:00:00:00\" is not a MAC address such as "
	    "02:00:00:00:00:01\n"
	    "8:39: mac: 03:00:00:00:00:01 is a multicast address\n"
	    "9:39: mac: 00:00:00:00:00:00 is not a usable address\n"
	    "10:39: mac: \"02-00-00-00-00-01\" is not a MAC address such as "
	    "02:00:00:00:00:01\n"
	    "11:39: mac: 02:1f:d0:00:00:06 is also the address of port "
	    "\"f\"\n");
	/* through VFIO: the same device spelt twice is still one device */
	T_BAD("ports:\n"
	    "  - { name: a, device: \"vfio:03:00\" }\n"
	    "  - { name: b, device: \"vfio:0000:03:00.0\" }\n"
	    "  - { name: c, device: 03:00.0 }\n",
	    "2:24: device: \"vfio:03:00\" is not \"emulated\", \"null\", a "
	    "PCI address such as 0000:03:00.0 or vfio:0000:03:00.0\n"
	    "4:24: device: 0000:03:00.0 is already used by port \"b\" at "
	    "line 3\n");
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
	T_EQ(c.ports[1].kind, PORT_KIND_EMULATED);
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

/*
 * Only a file root or the user starting ixfwd could have written is
 * read: not a symbolic link, not writable by group or others, in
 * directories nobody else can change (sticky ones like /tmp allowed).
 */
static void
test_untrusted_file(void)
{
	static const char yaml[] = "ports:\n"
	    "  - { name: a, device: null }\n"
	    "  - { name: b, device: null }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n";
	char path[PATH_MAX], link[PATH_MAX], sub[PATH_MAX / 2], subf[PATH_MAX];
	char via[PATH_MAX / 2 + 8], viaf[PATH_MAX], want[3 * PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s", put("trusted.yaml", yaml));
	T_REQUIRE(chmod(path, 0644) == 0);
	T_EQ(load_file(path), 0);
	T_STREQ(msgs, "");
	T_REQUIRE(chmod(path, 0646) == 0);
	T_EQ(load_file(path), 1);
	snprintf(want, sizeof(want), " refused: writable by others (mode "
	    "0646); chmod go-w %s\n", path);
	T_STREQ(msgs, want);
	T_REQUIRE(chmod(path, 0664) == 0);
	T_EQ(load_file(path), 1);
	snprintf(want, sizeof(want), " refused: writable by its group (mode "
	    "0664); chmod go-w %s\n", path);
	T_STREQ(msgs, want);
	T_REQUIRE(chmod(path, 0600) == 0);
	T_EQ(load_file(path), 0);

	/* a link, even to a good file: refused, naming where it points */
	snprintf(link, sizeof(link), "%s/link.yaml", tmpdir);
	T_REQUIRE(symlink("trusted.yaml", link) == 0);
	T_EQ(load_file(link), 1);
	T_STREQ(msgs, " refused: a symbolic link (to trusted.yaml); name the "
	    "file itself\n");

	/* a directory others can write in: the file could be replaced */
	snprintf(sub, sizeof(sub), "%s/open", tmpdir);
	snprintf(subf, sizeof(subf), "%s/ixfwd.yaml", sub);
	T_REQUIRE(mkdir(sub, 0755) == 0);
	T_REQUIRE((f = fopen(subf, "w")) != NULL);
	fputs(yaml, f);
	fclose(f);
	T_REQUIRE(chmod(subf, 0644) == 0);
	T_EQ(load_file(subf), 0);
	T_REQUIRE(chmod(sub, 0777) == 0);
	T_EQ(load_file(subf), 1);
	snprintf(want, sizeof(want), " refused: directory %s is writable by "
	    "others (mode 0777); chmod go-w %s\n", sub, sub);
	T_STREQ(msgs, want);
	/* sticky, as /tmp: nobody else can rename or remove the file */
	T_REQUIRE(chmod(sub, 01777) == 0);
	T_EQ(load_file(subf), 0);
	T_STREQ(msgs, "");
	/* reached through a link in an open directory: the link could be
	 * pointed elsewhere, though the file's real directories are safe */
	T_REQUIRE(chmod(sub, 0755) == 0);
	snprintf(via, sizeof(via), "%s/lnk", sub);
	T_REQUIRE(symlink(tmpdir, via) == 0);
	snprintf(viaf, sizeof(viaf), "%s/trusted.yaml", via);
	T_REQUIRE(chmod(path, 0644) == 0);
	T_EQ(load_file(viaf), 0);
	T_STREQ(msgs, "");
	T_REQUIRE(chmod(sub, 0777) == 0);
	T_EQ(load_file(viaf), 1);
	snprintf(want, sizeof(want), " refused: directory %s is writable by "
	    "others (mode 0777); chmod go-w %s\n", sub, sub);
	T_STREQ(msgs, want);
	T_REQUIRE(chmod(sub, 0755) == 0);
	unlink(via);

	/* owned by another user: only root and that user are trusted */
	if (geteuid() == 0) {
		T_REQUIRE(chown(path, 65534, 65534) == 0);
		T_EQ(load_file(path), 1);
		T_STREQ(msgs, " refused: owned by uid 65534, not by root\n");
		T_EQ(conf_load_owned(path, &c, NULL, 65534), 0);
		conf_free(&c);
		T_EQ(conf_load_owned(path, &c, NULL, 1000), 1);
		T_REQUIRE(chown(path, 0, 0) == 0);
	}
	unlink(link);
	unlink(subf);
	rmdir(sub);
	unlink(path);
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
test_null_port(void)
{
	T_GOOD("ports:\n"
	    "  - { name: a, device: null, rx_ring: 1024, tx_ring: 64 }\n"
	    "  - { name: b, device: \"null\", cpu: 0, promisc: false }\n"
	    "forward:\n"
	    "  - { from: a, to: b }\n");
	T_EQ(c.ports[0].kind, PORT_KIND_NULL);
	T_STREQ(c.ports[0].device, "null");
	T_EQ(c.ports[0].rx_ring, 1024);
	T_EQ(c.ports[0].tx_ring, 64);
	T_EQ(c.ports[1].kind, PORT_KIND_NULL);
	T_EQ(c.ports[1].promisc, 0);
	T_BAD("ports:\n"
	    "  - { name: a, device: null, mac: 02:00:00:00:00:01 }\n"
	    "  - { name: b, device: null, wire: { interface: v0 } }\n"
	    "  - { name: c, device: null, force: false }\n"
	    "  - { name: d, device: ~ }\n"
	    "  - { name: e, device: NULL }\n"
	    "  - { name: f, device: emulated, wire: { peer: a } }\n",
	    "2:30: mac: only an emulated port can have its MAC address set\n"
	    "3:30: wire: only an emulated port has a wire\n"
	    "4:30: force: only applies to a PCI port\n"
	    "5:24: device: expected a string, got nothing\n"
	    "6:24: device: expected a string, got nothing\n"
	    "7:48: peer: port \"a\" is not emulated\n");
}

/* libpcap's own message for expr, as the configuration must quote it. */
static const char *
pcap_message(const char *expr)
{
	static char msg[PCAP_ERRBUF_SIZE];
	struct bpf_program bp;
	pcap_t *p;

	msg[0] = '\0';
	if ((p = pcap_open_dead(DLT_EN10MB, 65535)) == NULL)
		return msg;
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) == -1)
		snprintf(msg, sizeof(msg), "%s", pcap_geterr(p));
	else
		pcap_freecode(&bp);
	pcap_close(p);
	return msg;
}

static void
test_filter_expr(void)
{
	char want[512];

	T_GOOD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: emulated }\n"
	    "forward:\n"
	    "  - { from: a, to: b, filter: \"not (tcp port 23)\" }\n"
	    "  - { from: b, to: a }\n");
	T_STREQ(c.forwards[0].filter, "not (tcp port 23)");
	T_STREQ(c.forwards[1].filter, "");
	T_EQ(c.forwards[0].nrules, 0);
	T_CHECK(c.forwards[0].rules == NULL);
	T_EQ(c.forwards[0].default_action, FILTER_PASS);
	T_EQ(c.forwards[1].default_action, FILTER_PASS);

	/* libpcap's words, whatever its version says */
	T_CHECK(pcap_message("tcp port")[0] != '\0');
	snprintf(want, sizeof(want), "5:31: filter: %s\n",
	    pcap_message("tcp port"));
	T_BAD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: emulated }\n"
	    "forward:\n"
	    "  - { from: a, to: b, filter: \"tcp port\" }\n", want);
	T_BAD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: emulated }\n"
	    "forward:\n"
	    "  - { from: a, to: b, filter: \"tcp port 99999\" }\n"
	    "  - { from: b, to: a, filter: \" \" }\n",
	    "5:31: filter: illegal port number 99999 > 65535\n"
	    "6:31: filter: the expression is empty; without filter, "
	    "everything passes\n");
}

/* The rule list of forward entry 0 of yaml, which must load. */
#define RULES_HEAD							\
	"ports:\n"							\
	"  - { name: a, device: emulated }\n"				\
	"  - { name: b, device: emulated }\n"				\
	"forward:\n"							\
	"  - from: a\n"							\
	"    to: b\n"							\
	"    rules:\n"

static void
test_rule_fields(void)
{
	const struct filter_rule *r;

	T_GOOD(RULES_HEAD
	    "      - { action: drop, proto: tcp, dst_port: 23 }\n"
	    "      - { action: pass, src: 10.0.0.0/8, vlan: 100 }\n"
	    "      - { action: drop, ethertype: 0x86dd }\n"
	    "      - action: pass\n"
	    "        src_mac: 02:00:00:00:00:01\n"
	    "        dst_mac: FF:ff:ff:ff:ff:ff\n"
	    "        vlan: untagged\n"
	    "        ethertype: arp\n"
	    "      - { action: drop, proto: 132, src_port: 1000-2000,\n"
	    "          dst_port: \"0x50\" }\n"
	    "      - { action: drop, dst: \"2001:db8::/32\", proto: icmp6,\n"
	    "          icmp_type: echo-request }\n"
	    "      - { action: pass, src: 192.0.2.1, dst: 0.0.0.0/0 }\n"
	    "      - { action: pass, src: \"::1\", icmp_type: 3 }\n"
	    "      - { action: drop, tcp_flags: \"syn !ack\" }\n"
	    "      - { action: drop, proto: icmp, icmp_type: echo-reply }\n"
	    "      - { action: pass, ethertype: ipv4, icmp_type: "
	    "time-exceeded }\n"
	    "    default: drop\n");
	T_REQUIRE(c.forwards[0].nrules == 11);
	T_EQ(c.forwards[0].default_action, FILTER_DROP);
	r = c.forwards[0].rules;

	T_EQ(r[0].action, FILTER_DROP);
	T_EQ(r[0].match, FILTER_M_PROTO | FILTER_M_DST_PORT);
	T_EQ(r[0].proto, 6);
	T_EQ(r[0].dst_port_lo, 23);
	T_EQ(r[0].dst_port_hi, 23);

	T_EQ(r[1].action, FILTER_PASS);
	T_EQ(r[1].match, FILTER_M_SRC_IP | FILTER_M_VLAN);
	T_EQ(r[1].src.af, 4);
	T_EQ(r[1].src.plen, 8);
	T_EQ(r[1].src.addr[0], 10);
	T_EQ(r[1].vlan, 100);

	T_EQ(r[2].match, FILTER_M_ETHERTYPE);
	T_EQ(r[2].ethertype, 0x86dd);

	T_EQ(r[3].match, FILTER_M_SRC_MAC | FILTER_M_DST_MAC | FILTER_M_VLAN |
	    FILTER_M_ETHERTYPE);
	T_EQ(r[3].src_mac[0], 0x02);
	T_EQ(r[3].src_mac[5], 0x01);
	T_EQ(r[3].dst_mac[0], 0xff);
	T_EQ(r[3].dst_mac[5], 0xff);
	T_EQ(r[3].vlan, FILTER_VLAN_UNTAGGED);
	T_EQ(r[3].ethertype, 0x0806);

	T_EQ(r[4].match, FILTER_M_PROTO | FILTER_M_SRC_PORT |
	    FILTER_M_DST_PORT);
	T_EQ(r[4].proto, 132);
	T_EQ(r[4].src_port_lo, 1000);
	T_EQ(r[4].src_port_hi, 2000);
	T_EQ(r[4].dst_port_lo, 80);
	T_EQ(r[4].dst_port_hi, 80);

	T_EQ(r[5].match, FILTER_M_DST_IP | FILTER_M_PROTO |
	    FILTER_M_ICMP_TYPE);
	T_EQ(r[5].dst.af, 6);
	T_EQ(r[5].dst.plen, 32);
	T_EQ(r[5].dst.addr[0], 0x20);
	T_EQ(r[5].dst.addr[1], 0x01);
	T_EQ(r[5].dst.addr[2], 0x0d);
	T_EQ(r[5].dst.addr[3], 0xb8);
	T_EQ(r[5].dst.addr[4], 0);
	T_EQ(r[5].proto, 58);
	T_EQ(r[5].icmp_type, 128);

	/* a host is a full-length prefix; /0 matches every address */
	T_EQ(r[6].match, FILTER_M_SRC_IP | FILTER_M_DST_IP);
	T_EQ(r[6].src.plen, 32);
	T_EQ(r[6].src.addr[3], 1);
	T_EQ(r[6].dst.af, 4);
	T_EQ(r[6].dst.plen, 0);

	/* a number needs no family */
	T_EQ(r[7].src.af, 6);
	T_EQ(r[7].src.plen, 128);
	T_EQ(r[7].src.addr[15], 1);
	T_EQ(r[7].match, FILTER_M_SRC_IP | FILTER_M_ICMP_TYPE);
	T_EQ(r[7].icmp_type, 3);

	T_EQ(r[8].match, FILTER_M_TCP_FLAGS);
	T_EQ(r[8].tcp_flags_mask, 0x12);	/* SYN | ACK */
	T_EQ(r[8].tcp_flags, 0x02);		/* SYN */

	T_EQ(r[9].icmp_type, 0);
	T_EQ(r[9].match, FILTER_M_PROTO | FILTER_M_ICMP_TYPE);
	/* the family from the ethertype */
	T_EQ(r[10].icmp_type, 11);

	/* each rule's line, for counters and logs */
	T_EQ(c.forwards[0].rule_line[0], 8);
	T_EQ(c.forwards[0].rule_line[3], 11);
	T_EQ(c.forwards[0].rule_line[4], 16);
	T_EQ(c.forwards[0].rule_line[10], 24);
	conf_free(&c);
	T_CHECK(c.forwards[0].rules == NULL);
	T_CHECK(c.forwards[0].rule_line == NULL);
	T_EQ(c.forwards[0].nrules, 0);
	conf_free(&c);				/* twice is harmless */
}

static void
test_rule_prefixes(void)
{
	T_GOOD(RULES_HEAD
	    "      - { action: drop, src: \"2001:db8:80::/41\" }\n"
	    "      - { action: drop, dst: 172.16.0.0/12 }\n"
	    "      - { action: drop, dst: \"::/0\" }\n");
	T_EQ(c.forwards[0].rules[0].src.plen, 41);
	T_EQ(c.forwards[0].rules[0].src.addr[5], 0x80);
	T_EQ(c.forwards[0].rules[1].dst.addr[1], 16);
	T_EQ(c.forwards[0].rules[2].dst.af, 6);
	T_EQ(c.forwards[0].rules[2].dst.plen, 0);
	conf_free(&c);
	T_BAD(RULES_HEAD
	    "      - { action: drop, src: 10.0.0.1/8 }\n"
	    "      - { action: drop, dst: \"2001:db8::1/32\" }\n"
	    "      - { action: drop, src: \"2001:db8:ff::/41\" }\n"
	    "      - { action: drop, src: 10.0.0.0/33 }\n"
	    "      - { action: drop, src: 10.0.0.0/08 }\n"
	    "      - { action: drop, src: 10.0.0 }\n"
	    "      - { action: drop, dst: host.example }\n"
	    "      - { action: drop, src: 10.0.0.0/8, dst: \"::1\" }\n",
	    "8:30: src: 10.0.0.1/8 has host bits set; did you mean "
	    "10.0.0.0/8?\n"
	    "9:30: dst: 2001:db8::1/32 has host bits set; did you mean "
	    "2001:db8::/32?\n"
	    "10:30: src: 2001:db8:ff::/41 has host bits set; did you mean "
	    "2001:db8:80::/41?\n"
	    "11:30: src: \"10.0.0.0/33\": the prefix length of an IPv4 "
	    "address is 0 to 32\n"
	    "12:30: src: \"10.0.0.0/08\" is not an IPv4 or IPv6 address or "
	    "prefix such as 10.0.0.0/8 or 2001:db8::/32\n"
	    "13:30: src: \"10.0.0\" is not an IPv4 or IPv6 address or prefix "
	    "such as 10.0.0.0/8 or 2001:db8::/32\n"
	    "14:30: dst: \"host.example\" is not an IPv4 or IPv6 address or "
	    "prefix such as 10.0.0.0/8 or 2001:db8::/32\n"
	    "15:47: dst: ::1 is IPv6 but src 10.0.0.0/8 is IPv4; a rule "
	    "matches one address family\n");
	T_CHECK(c.forwards[0].rules == NULL);	/* freed with the errors */
}

static void
test_rule_ports(void)
{
	T_GOOD(RULES_HEAD
	    "      - { action: drop, proto: udp, dst_port: 0-65535 }\n"
	    "      - { action: drop, src_port: 53,\n"
	    "          dst_port: \"1024-1024\" }\n");
	T_EQ(c.forwards[0].rules[0].dst_port_lo, 0);
	T_EQ(c.forwards[0].rules[0].dst_port_hi, 65535);
	T_EQ(c.forwards[0].rules[1].match, FILTER_M_SRC_PORT |
	    FILTER_M_DST_PORT);
	T_EQ(c.forwards[0].rules[1].src_port_hi, 53);
	T_EQ(c.forwards[0].rules[1].dst_port_lo, 1024);
	conf_free(&c);
	T_BAD(RULES_HEAD
	    "      - { action: drop, dst_port: 2000-1000 }\n"
	    "      - { action: drop, dst_port: 65536 }\n"
	    "      - { action: drop, dst_port: 1000-70000 }\n"
	    "      - { action: drop, dst_port: http }\n"
	    "      - { action: drop, dst_port: 023 }\n"
	    "      - { action: drop, dst_port: 1000- }\n"
	    "      - { action: drop, proto: icmp, src_port: 7 }\n"
	    "      - { action: drop, dst_port: 7, proto: gre }\n",
	    "8:35: dst_port: \"2000-1000\": the range is empty (2000 is more "
	    "than 1000)\n"
	    "9:35: dst_port: \"65536\": a port is 0 to 65535\n"
	    "10:35: dst_port: \"1000-70000\": a port is 0 to 65535\n"
	    "11:35: dst_port: \"http\" is not a port (0 to 65535) or a range "
	    "such as 1000-2000\n"
	    "12:35: dst_port: \"023\" is not a port (0 to 65535) or a range "
	    "such as 1000-2000\n"
	    "13:35: dst_port: \"1000-\" is not a port (0 to 65535) or a range "
	    "such as 1000-2000\n"
	    "14:38: src_port: proto icmp has no ports; ports need tcp, udp "
	    "or sctp\n"
	    "15:25: dst_port: proto gre has no ports; ports need tcp, udp or "
	    "sctp\n");
}

static void
test_rule_tcp_flags(void)
{
	T_GOOD(RULES_HEAD
	    "      - { action: drop, proto: tcp,\n"
	    "          tcp_flags: \"!syn  ACK fin\" }\n"
	    "      - { action: drop, tcp_flags: rst }\n"
	    "      - { action: drop,\n"
	    "          tcp_flags: \"!fin !syn !rst !psh !ack !urg !ece "
	    "!cwr\" }\n");
	T_EQ(c.forwards[0].rules[0].tcp_flags_mask, 0x13);
	T_EQ(c.forwards[0].rules[0].tcp_flags, 0x11);
	T_EQ(c.forwards[0].rules[1].tcp_flags_mask, 0x04);
	T_EQ(c.forwards[0].rules[1].tcp_flags, 0x04);
	T_EQ(c.forwards[0].rules[2].tcp_flags_mask, 0xff);
	T_EQ(c.forwards[0].rules[2].tcp_flags, 0);
	conf_free(&c);
	T_BAD(RULES_HEAD
	    "      - { action: drop, tcp_flags: \"syn !ak\" }\n"
	    "      - { action: drop, tcp_flags: \"syn !syn\" }\n"
	    "      - { action: drop, tcp_flags: \" \" }\n"
	    "      - { action: drop, tcp_flags: !syn }\n"
	    "      - { action: drop, proto: udp, tcp_flags: syn }\n",
	    "8:36: tcp_flags: unknown flag \"!ak\" (the flags are fin, syn, "
	    "rst, psh, ack, urg, ece and cwr; !flag: the flag is clear)\n"
	    "9:36: tcp_flags: syn is given twice\n"
	    "10:36: tcp_flags: no flag given, such as \"syn !ack\"\n"
	    "11:36: tcp_flags: expected a string, got the YAML tag \"!syn\" "
	    "(quote a value that starts with '!')\n"
	    "12:37: tcp_flags: proto udp has no TCP flags\n");
}

static void
test_rule_errors(void)
{
	T_BAD(RULES_HEAD
	    "      - { proto: tcp, dst_port: 23 }\n"
	    "      - { action: allow }\n"
	    "      - { action: drop, proto: tpc }\n"
	    "      - { action: drop, proto: 256 }\n"
	    "      - { action: drop, ethertype: 0x0500 }\n"
	    "      - { action: drop, ethertype: 0x8100 }\n"
	    "      - { action: drop, ethertype: ip }\n"
	    "      - { action: drop, ethertype: arp, dst: 10.0.0.0/8 }\n"
	    "      - { action: drop, ethertype: ipv6, src: 10.0.0.0/8 }\n"
	    "      - { action: drop, vlan: 4096 }\n"
	    "      - { action: drop, vlan: tagged }\n"
	    "      - { action: drop, icmp_type: echo-request }\n"
	    "      - { action: drop, proto: icmp, icmp_type: packet-too-big }\n"
	    "      - { action: drop, proto: tcp, icmp_type: 8 }\n"
	    "      - { action: drop, icmp_type: ping }\n"
	    "      - { action: drop, src_mac: 02:00:00:00:00 }\n"
	    "      - { action: drop, prot: tcp }\n"
	    "      - [ drop ]\n"
	    "    default: reject\n",
	    "8:9: missing required key \"action\" in rule\n"
	    "9:19: action: \"allow\" is neither pass nor drop\n"
	    "10:32: proto: \"tpc\" is not a protocol: one of tcp, udp, icmp, "
	    "icmp6, sctp, gre, esp, ah, or 0 to 255\n"
	    "11:32: proto: \"256\": an IP protocol number is 0 to 255\n"
	    "12:36: ethertype: \"0x0500\" is not between 0x0600 and 0xffff "
	    "(values below 0x0600 are 802.3 lengths)\n"
	    "13:36: ethertype: 0x8100 is the type of a VLAN tag; a rule sees "
	    "the ethertype after the tags: match the tag with vlan\n"
	    "14:36: ethertype: \"ip\" is not an ethertype: 0x0600 to 0xffff, "
	    "or one of ipv4, ipv6, arp, rarp, lldp, mpls\n"
	    "15:36: ethertype: 0x0806 is not IP, but the rule matches dst: it "
	    "could never match\n"
	    "16:36: ethertype: 0x86dd is IPv6, but src is IPv4: the rule "
	    "could never match\n"
	    "17:31: vlan: \"4096\": a VLAN id is 0 to 4095\n"
	    "18:31: vlan: \"tagged\" is not a VLAN id (0 to 4095) or "
	    "untagged\n"
	    "19:36: icmp_type: echo-request is 8 in ICMP and 128 in ICMPv6: "
	    "say which with proto: icmp or icmp6\n"
	    "20:49: icmp_type: packet-too-big is not a type of ICMP\n"
	    "21:37: icmp_type: proto tcp has no ICMP type; that needs icmp or "
	    "icmp6\n"
	    "22:36: icmp_type: \"ping\" is not an ICMP type: 0 to 255, or one "
	    "of echo-reply, dest-unreachable, source-quench, redirect, "
	    "echo-request, router-advertisement, router-solicitation, "
	    "time-exceeded, parameter-problem, timestamp-request, "
	    "timestamp-reply, packet-too-big, neighbor-solicitation, "
	    "neighbor-advertisement\n"
	    "23:34: src_mac: \"02:00:00:00:00\" is not a MAC address such as "
	    "02:00:00:00:00:01\n"
	    "24:25: unknown key \"prot\" in rule; did you mean \"proto\"?\n"
	    "25:9: rules: expected a mapping such as { action: drop, proto: "
	    "tcp, dst_port: 23 }, got a sequence\n"
	    "26:14: default: \"reject\" is neither pass nor drop\n");
	T_BAD(RULES_HEAD
	    "      - { action: drop }\n"
	    "    rule: []\n",
	    "9:5: unknown key \"rule\" in forward; did you mean \"rules\"?\n");
	/* default without rules, and an empty list */
	T_GOOD(RULES_HEAD
	    "      []\n"
	    "    default: drop\n");
	T_EQ(c.forwards[0].nrules, 0);
	T_EQ(c.forwards[0].default_action, FILTER_DROP);
}

static void
test_rules_max(void)
{
	static char yaml[64 * 1024];
	size_t o;
	int i;

	o = snprintf(yaml, sizeof(yaml), RULES_HEAD);
	for (i = 0; i < CONF_RULES_MAX; i++)
		o += snprintf(yaml + o, sizeof(yaml) - o,
		    "      - { action: drop, dst_port: %d }\n", i);
	T_GOOD(yaml);
	T_EQ(c.forwards[0].nrules, CONF_RULES_MAX);
	T_EQ(c.forwards[0].rules[CONF_RULES_MAX - 1].dst_port_lo,
	    CONF_RULES_MAX - 1);
	T_EQ(c.forwards[0].rule_line[CONF_RULES_MAX - 1],
	    CONF_RULES_MAX + 7);
	conf_free(&c);
	snprintf(yaml + o, sizeof(yaml) - o, "      - { action: pass }\n");
	T_BAD(yaml, "1032:9: rules: at most 1024 rules are supported\n");
}

static int
vlan_allowed(const struct conf_vlan *v, unsigned int id)
{
	return (v->allow[id / 64] >> (id % 64)) & 1;
}

static void
test_vlans(void)
{
	const struct conf_vlan *v;

	T_GOOD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: emulated }\n"
	    "  - { name: c, device: emulated }\n"
	    "  - { name: d, device: emulated }\n"
	    "forward:\n"
	    "  - { from: a, to: b, vlans: [100, 200-202, untagged, 4095],\n"
	    "      vlan_push: 7, vlan_pcp: 5 }\n"
	    "  - { from: b, to: a, vlan_pop: true }\n"
	    "  - { from: c, to: a, vlan_set: 0, vlan_pop: false }\n"
	    "  - { from: d, to: a, vlan_pop: false }\n");
	v = &c.forwards[0].vlan;
	T_EQ(v->filter, 1);
	T_EQ(v->untagged, 1);
	T_CHECK(vlan_allowed(v, 100));
	T_CHECK(!vlan_allowed(v, 101));
	T_CHECK(!vlan_allowed(v, 199));
	T_CHECK(vlan_allowed(v, 200));
	T_CHECK(vlan_allowed(v, 201));
	T_CHECK(vlan_allowed(v, 202));
	T_CHECK(!vlan_allowed(v, 203));
	T_CHECK(vlan_allowed(v, 4095));
	T_CHECK(!vlan_allowed(v, 0));
	T_EQ(v->op, CONF_VLAN_PUSH);
	T_EQ(v->id, 7);
	T_EQ(v->pcp, 5);
	T_EQ(c.forwards[1].vlan.op, CONF_VLAN_POP);
	T_EQ(c.forwards[1].vlan.filter, 0);
	T_EQ(c.forwards[1].vlan.untagged, 0);
	T_EQ(c.forwards[2].vlan.op, CONF_VLAN_SET);
	T_EQ(c.forwards[2].vlan.id, 0);
	T_EQ(c.forwards[3].vlan.op, CONF_VLAN_KEEP);
	T_BAD("ports:\n"
	    "  - { name: a, device: emulated }\n"
	    "  - { name: b, device: emulated }\n"
	    "  - { name: c, device: emulated }\n"
	    "  - { name: d, device: emulated }\n"
	    "forward:\n"
	    "  - { from: a, to: b, vlan_push: 7, vlan_set: 8, vlan_pop: yes }\n"
	    "  - { from: b, to: a, vlan_pcp: 3, vlan_set: 4096 }\n"
	    "  - { from: c, to: a, vlans: [] }\n"
	    "  - { from: d, to: a, vlans: [1, 0-1, untagged, untagged, 9-8,\n"
	    "      x, [1]], vlan_pcp: 8 }\n",
	    "7:37: vlan_set: vlan_push is given at line 7; choose one of "
	    "vlan_push, vlan_pop and vlan_set\n"
	    "7:50: vlan_pop: vlan_push is given at line 7; choose one of "
	    "vlan_push, vlan_pop and vlan_set\n"
	    "8:23: vlan_pcp: the priority of a pushed tag; it needs "
	    "vlan_push\n"
	    "8:46: vlan_set: 4096 is not between 0 and 4095\n"
	    "9:30: vlans: the list is empty: no frame would pass\n"
	    "10:34: vlans: VLAN 1 is listed twice\n"
	    "10:49: vlans: untagged is listed twice\n"
	    "10:59: vlans: \"9-8\": the range is empty\n"
	    "11:7: vlans: \"x\" is not a VLAN id (0 to 4095), a range such as "
	    "100-199 or untagged\n"
	    "11:10: vlans: expected a VLAN id, a range or untagged, got a "
	    "sequence\n"
	    "11:16: vlan_pcp: the priority of a pushed tag; it needs "
	    "vlan_push\n"
	    "11:26: vlan_pcp: 8 is not between 0 and 7\n");
}

#define BRIDGE_PORTS							\
	"ports:\n"							\
	"  - { name: a, device: emulated }\n"				\
	"  - { name: b, device: emulated }\n"				\
	"  - { name: c, device: null }\n"				\
	"  - { name: d, device: \"0000:03:00.0\" }\n"

static void
test_bridge(void)
{
	const struct conf_bridge *b = &c.bridge;

	T_GOOD(BRIDGE_PORTS
	    "forward:\n"
	    "  - { from: d, to: [a, c] }\n"
	    "bridge:\n"
	    "  ports: [a, b, c]\n");
	T_EQ(b->enabled, 1);
	T_EQ(b->line, 8);
	T_EQ(b->nports, 3);
	T_EQ(b->ports[0], 0);
	T_EQ(b->ports[2], 2);
	T_EQ(b->learning, 1);
	T_EQ(b->aging, 300);
	T_EQ(b->max_entries, 4096);
	T_EQ(b->vlan_learning, 1);
	T_EQ(b->nstatic, 0);
	T_EQ(b->nrules, 0);
	T_EQ(b->default_action, FILTER_PASS);
	T_EQ(b->vlan.op, CONF_VLAN_KEEP);
	T_STREQ(b->filter, "");

	T_GOOD(BRIDGE_PORTS
	    "bridge:\n"
	    "  ports: [d, b]\n"
	    "  learning: false\n"
	    "  aging: 0\n"
	    "  max_entries: 16\n"
	    "  static:\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: d, vlan: 10 }\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: b }\n"
	    "    - mac: 02:aa:00:00:00:02\n"
	    "      port: b\n"
	    "      vlan: 10\n"
	    "  filter: \"not arp\"\n"
	    "  rules: [ { action: drop, proto: tcp, dst_port: 23 } ]\n"
	    "  default: drop\n"
	    "  vlans: [10]\n"
	    "  vlan_set: 20\n");
	T_EQ(b->nports, 2);
	T_EQ(b->ports[0], 3);
	T_EQ(b->ports[1], 1);
	T_EQ(b->learning, 0);
	T_EQ(b->aging, 0);
	T_EQ(b->max_entries, 16);
	T_EQ(b->nstatic, 3);
	T_EQ(b->statics[0].port, 3);
	T_EQ(b->statics[0].vlan, 10);
	T_EQ(b->statics[0].mac[5], 1);
	T_EQ(b->statics[1].port, 1);
	T_EQ(b->statics[1].vlan, 0);
	T_EQ(b->statics[2].mac[1], 0xaa);
	T_STREQ(b->filter, "not arp");
	T_EQ(b->nrules, 1);
	T_EQ(b->rules[0].dst_port_lo, 23);
	T_EQ(b->rule_line[0], 18);
	T_EQ(b->default_action, FILTER_DROP);
	T_EQ(b->vlan.filter, 1);
	T_EQ(b->vlan.op, CONF_VLAN_SET);
	T_EQ(b->vlan.id, 20);
	conf_free(&c);
	T_CHECK(b->rules == NULL);
}

static void
test_bridge_errors(void)
{
	T_BAD(BRIDGE_PORTS
	    "bridge:\n"
	    "  ports: [a]\n",
	    "7:10: ports: a bridge needs at least 2 ports\n");
	T_BAD(BRIDGE_PORTS
	    "bridge: {}\n",
	    "6:9: missing required key \"ports\" in bridge\n");
	T_BAD(BRIDGE_PORTS
	    "bridge:\n",
	    "6:8: bridge: expected a mapping, got nothing\n");
	T_BAD(BRIDGE_PORTS
	    "forward:\n"
	    "  - { from: a, to: b }\n"
	    "  - { from: d, to: b }\n"
	    "bridge:\n"
	    "  ports: [b, a, e, b, {x: 1}]\n",
	    "10:23: ports: expected a port name, got a mapping\n");
	T_BAD(BRIDGE_PORTS
	    "forward:\n"
	    "  - { from: a, to: b }\n"
	    "  - { from: d, to: b }\n"
	    "bridge:\n"
	    "  ports: [b, a, e, b]\n"
	    "  agin: 10\n"
	    "  max_entries: 8\n",
	    "7:13: port a is in the bridge (line 10); a bridge port has no "
	    "forward entry\n"
	    "10:17: unknown port \"e\" (ports are: a, b, c, d)\n"
	    "10:20: ports: port \"b\" is listed twice (first at line 10)\n"
	    "11:3: unknown key \"agin\" in bridge; did you mean \"aging\"?\n"
	    "12:16: max_entries: 8 is not between 16 and 1048576 (entries)\n");
	T_BAD(BRIDGE_PORTS
	    "bridge:\n"
	    "  ports: [a, b]\n"
	    "  vlan_learning: false\n"
	    "  static:\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: c }\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: zz }\n"
	    "    - { mac: \"01:00:5e:00:00:01\", port: a }\n"
	    "    - { mac: \"00:00:00:00:00:00\", port: a }\n"
	    "    - { mac: \"02:00:00:00:00:02\", port: a, vlan: 3 }\n"
	    "    - { port: a }\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: b }\n"
	    "    - a\n",
	    "10:41: port: \"c\" is not a port of the bridge (its ports are: "
	    "a, b)\n"
	    "11:14: mac: 02:00:00:00:00:01 already has a static entry at "
	    "line 10\n"
	    "11:41: unknown port \"zz\" (ports are: a, b, c, d)\n"
	    "12:14: mac: 01:00:5e:00:00:01 is a multicast address; a static "
	    "entry is for one station\n"
	    "13:14: mac: 00:00:00:00:00:00 is not a usable address\n"
	    "14:44: vlan: the bridge has one table for every VLAN "
	    "(vlan_learning: false)\n"
	    "15:7: missing required key \"mac\" in static entry\n"
	    "16:14: mac: 02:00:00:00:00:01 already has a static entry at "
	    "line 10\n"
	    "17:7: static: expected a mapping such as { mac: "
	    "02:00:00:00:00:01, port: a }, got \"a\"\n");
	T_BAD(BRIDGE_PORTS
	    "bridge:\n"
	    "  ports: [a, b]\n"
	    "  static:\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: a, vlan: 1 }\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: b, vlan: 2 }\n"
	    "    - { mac: \"02:00:00:00:00:01\", port: b, vlan: 1 }\n"
	    "  rules: [ { action: drop, proto: esp, src_port: 1 } ]\n"
	    "  vlan_pop: true\n"
	    "  vlan_push: 3\n",
	    "11:14: mac: 02:00:00:00:00:01 in VLAN 1 already has a static "
	    "entry at line 9\n"
	    "12:40: src_port: proto esp has no ports; ports need tcp, udp or "
	    "sctp\n"
	    "14:3: vlan_push: vlan_pop is given at line 13; choose one of "
	    "vlan_push, vlan_pop and vlan_set\n");
}

static void
test_captures(void)
{
	const struct capture_conf *cc;
	struct capture_conf def;
	char want[PATH_MAX + 64];

	capture_conf_defaults(&def);
	T_GOOD("ports:\n"
	    "  - { name: wan, device: emulated }\n"
	    "  - { name: lan, device: emulated }\n"
	    "bridge: { ports: [wan, lan] }\n"
	    "capture:\n"
	    "  - name: wan-debug\n"
	    "    port: wan\n"
	    "    direction: rx\n"
	    "    where: passed\n"
	    "    sample: 1000\n"
	    "    max_rate: 10000\n"
	    "    filter: \"icmp or tcp port 80\"\n"
	    "    snaplen: 128\n"
	    "    file: /var/tmp/wan-%Y%m%d-%H%M%S.pcap\n"
	    "    rotate: { size: 100M, seconds: 3600, count: 10 }\n"
	    "    format: pcapng\n"
	    "    ring: 64k\n"
	    "  - name: lan_1\n"
	    "    port: lan\n"
	    "    direction: both\n"
	    "    where: dropped\n"
	    "    probability: 0.001\n"
	    "    file: lan.pcap\n"
	    "    rotate: { size: 1G }\n"
	    "    recorder: 1000\n"
	    "  - { name: x, port: lan, direction: tx, file: x.pcap,\n"
	    "      rotate: { size: 4096 }, probability: 1 }\n"
	    "  - { name: y, port: wan, file: y.pcap, rotate: {},\n"
	    "      ring: 0x100000, sample: 1 }\n");
	T_REQUIRE(c.ncaptures == 4);
	cc = &c.captures[0];
	T_STREQ(cc->name, "wan-debug");
	T_EQ(cc->port, 0);
	T_STREQ(cc->port_name, "wan");
	T_EQ(cc->direction, CAPTURE_RX);
	T_EQ(cc->where, CAPTURE_WHERE_PASSED);
	T_EQ(cc->sample, 1000);
	T_EQ(cc->max_rate, 10000);
	T_STREQ(cc->filter, "icmp or tcp port 80");
	T_EQ(cc->snaplen, 128);
	T_STREQ(cc->file, "/var/tmp/wan-%Y%m%d-%H%M%S.pcap");
	T_EQ(cc->rotate_size, 100ULL << 20);
	T_EQ(cc->rotate_seconds, 3600);
	T_EQ(cc->rotate_count, 10);
	T_EQ(cc->format, CAPTURE_PCAPNG);
	T_EQ(cc->recorder, 0);
	T_EQ(cc->ring_size, 64 << 10);

	cc = &c.captures[1];
	T_EQ(cc->port, 1);
	T_EQ(cc->direction, CAPTURE_BOTH);
	T_EQ(cc->where, CAPTURE_WHERE_DROPPED);
	T_EQ(cc->sample, 0);
	T_CHECK(cc->probability > 0.000999 && cc->probability < 0.001001);
	/* relative to the configuration's directory */
	snprintf(want, sizeof(want), "%s/lan.pcap", tmpdir);
	T_STREQ(cc->file, want);
	T_EQ(cc->rotate_size, 1ULL << 30);
	T_EQ(cc->rotate_seconds, 0);
	T_EQ(cc->recorder, 1000);
	T_EQ(cc->format, CAPTURE_PCAP);

	cc = &c.captures[2];
	T_EQ(cc->direction, CAPTURE_TX);
	T_EQ(cc->sample, 0);
	T_CHECK(cc->probability == 1);
	T_EQ(cc->rotate_size, 4096);

	/* capture_conf_defaults() for every key not given */
	cc = &c.captures[3];
	T_EQ(cc->direction, def.direction);
	T_EQ(cc->where, def.where);
	T_EQ(cc->sample, 1);
	T_EQ(cc->max_rate, def.max_rate);
	T_EQ(cc->snaplen, def.snaplen);
	T_EQ(cc->snaplen, 65535);
	T_EQ(cc->format, def.format);
	T_EQ(cc->recorder, 0);
	T_EQ(cc->ring_size, def.ring_size);
	T_EQ(cc->ring_size, 1 << 20);
	T_EQ(cc->rotate_size, 0);
	T_EQ(cc->rotate_count, 0);
	T_EQ(def.direction, CAPTURE_BOTH);
	T_EQ(def.where, CAPTURE_WHERE_ALL);
	T_EQ(def.format, CAPTURE_PCAP);
}

static void
test_capture_errors(void)
{
	char want[2048], yaml[4096];
	size_t o;
	int i;

	T_BAD("ports:\n"
	    "  - { name: wan, device: emulated }\n"
	    "capture:\n"
	    "  - { name: a, port: wan, file: a.pcap, sample: 10,\n"
	    "      probability: 0.5 }\n"
	    "  - { name: b, port: lan, file: b.pcap }\n"
	    "  - { name: c, port: wan, file: /nonexistent-dir/c.pcap }\n"
	    "  - { name: d, port: wan, file: d.pcap, ring: 100X }\n"
	    "  - { name: e, port: wan, file: e.pcap, rotate: { size: 10T } }\n"
	    "  - { name: f, port: wan, file: f.pcap, ring: 3000 }\n"
	    "  - { name: g, port: wan, file: g.pcap, direction: in }\n"
	    "  - { name: i, port: wan, file: i.pcap, where: some, format: "
	    "cap }\n"
	    "  - { name: j, port: wan, file: j.pcap, probability: 0 }\n"
	    "  - { name: k, port: wan, file: k.pcap, probability: 1.5 }\n"
	    "  - { name: l, port: wan, file: l.pcap, probability: \"0.5\" }\n"
	    "  - { name: m, port: wan, file: m.pcap, probability: 0x1 }\n"
	    "  - { name: o, port: wan, file: \"/var/tmp/%Y/o.pcap\" }\n"
	    "  - { name: p, port: wan, file: /var/tmp/ }\n"
	    "  - { port: wan }\n"
	    "  - { name: s, port: wan, file: s.pcap, ring: 4K }\n",
	    "5:7: probability: give sample or probability, not both\n"
	    "6:22: unknown port \"lan\" (ports are: wan)\n"
	    "7:33: file: cannot write in /nonexistent-dir: No such file or "
	    "directory\n"
	    "8:47: ring: expected a size in bytes such as 4096, 64K or 100M, "
	    "got \"100X\"\n"
	    "9:57: size: expected a size in bytes such as 4096, 64K or 100M, "
	    "got \"10T\"\n"
	    "10:47: ring: 3000 is not a power of two between 4K and 1G "
	    "(bytes)\n"
	    "11:52: direction: \"in\" is neither rx, tx nor both\n"
	    "12:48: where: \"some\" is neither all, passed nor dropped\n"
	    "12:62: format: \"cap\" is neither pcap nor pcapng\n"
	    "13:54: probability: 0 is not more than 0 and at most 1\n"
	    "14:54: probability: 1.5 is not more than 0 and at most 1\n"
	    "15:54: probability: expected a number, got the quoted string "
	    "\"0.5\"\n"
	    "16:54: probability: expected a number, got \"0x1\"\n"
	    "17:33: file: the directory /var/tmp/%Y would change with the "
	    "time, and directories are not created; put the % conversions "
	    "in the file name\n"
	    "18:33: file: /var/tmp/ names a directory; give a file name "
	    "pattern in it\n"
	    "19:5: missing required key \"name\" in capture\n"
	    "19:5: missing required key \"file\" in capture\n"
	    "20:5: capture \"s\": ring size 4096 holds fewer than 4 samples "
	    "of snaplen 65535\n");

	/* 5 captures, then 11 more (16 in all) and one too many */
	o = snprintf(yaml, sizeof(yaml), "ports:\n"
	    "  - { name: wan, device: emulated }\n"
	    "capture:\n"
	    "  - { name: a, port: wan, file: a.pcap }\n"
	    "  - { name: a, port: wan, file: a.pcap }\n"
	    "  - { name: \"h h\", port: wan, file: h.pcap }\n"
	    "  - { name: q, port: wan, file: q.pcap, filter: \"tcp port\" }\n"
	    "  - { name: t, port: wan, file: t.pcap, snaplen: 0,\n"
	    "      rotate: { count: 100001, sizes: 1 }, sample: 0 }\n");
	for (i = 0; i < CAPTURE_MAX + 1 - 5; i++)
		o += snprintf(yaml + o, sizeof(yaml) - o,
		    "  - { name: n%d, port: wan, file: n%d.pcap }\n", i, i);
	snprintf(want, sizeof(want),
	    "5:13: duplicate capture name \"a\" (first at line 4)\n"
	    "5:33: file: %s/a.pcap is also the file of capture \"a\"\n"
	    "6:13: name: \"h h\" may contain only letters, digits, '_' and "
	    "'-'\n"
	    "7:49: filter: %s\n"
	    "8:50: snaplen: 0 is not between 1 and 65535 (bytes)\n"
	    "9:24: count: 100001 is not between 0 and 100000 (files)\n"
	    "9:32: unknown key \"sizes\" in rotate; did you mean \"size\"?\n"
	    "9:52: sample: 0 is not between 1 and 4294967295\n"
	    "21:5: capture: at most 16 captures are supported\n",
	    tmpdir, pcap_message("tcp port"));
	T_BAD(yaml, want);
	T_EQ(c.ncaptures, CAPTURE_MAX);
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

	T_EQ(load_file("conf/examples/filtering-bridge.yaml"), 0);
	T_STREQ(msgs, "");
	T_EQ(c.nforwards, 2);
	T_EQ(c.forwards[0].nrules, 2);
	T_EQ(c.forwards[0].rules[0].dst_port_lo, 23);
	T_EQ(c.forwards[0].rules[1].src_port_lo, 23);
	T_EQ(c.forwards[0].default_action, FILTER_PASS);
	T_CHECK(c.forwards[1].filter[0] != '\0');
	conf_free(&c);

	T_EQ(load_file("conf/examples/learning-bridge.yaml"), 0);
	T_STREQ(msgs, "");
	T_EQ(c.nports, 3);
	T_EQ(c.nforwards, 0);
	T_EQ(c.bridge.nports, 3);
	T_EQ(c.bridge.aging, 300);
	T_EQ(c.bridge.nstatic, 1);
	T_EQ(c.bridge.statics[0].port, 0);

	T_EQ(load_file("conf/examples/capture.yaml"), 0);
	T_STREQ(msgs, "");
	T_EQ(c.bridge.nports, 2);
	T_EQ(c.ncaptures, 1);
	T_EQ(c.captures[0].port, 0);
	T_EQ(c.captures[0].direction, CAPTURE_RX);
	T_EQ(c.captures[0].sample, 1000);
	T_EQ(c.captures[0].rotate_size, 100 << 20);
	T_EQ(c.captures[0].rotate_count, 24);
}

static void
test_example_router(void)
{
	const char *path = "conf/examples/router-4core.yaml";
	char fit[PATH_MAX], text[8192], *at;
	int i, lo = 1, hi = 2;
	size_t n;
	FILE *f;

	/* Written for four cores: on a smaller machine its CPUs 1 and 2
	 * become 0 and 1, and the rest of the file is checked as it is. */
	if (ncpus() < 3) {
		T_REQUIRE((f = fopen(path, "r")) != NULL);
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		while ((at = strstr(text, "cpus: [1, 2]")) != NULL)
			memcpy(at, "cpus: [0, 1]", 12);
		snprintf(fit, sizeof(fit), "%s/router-4core.yaml", tmpdir);
		T_REQUIRE((f = fopen(fit, "w")) != NULL);
		fputs(text, f);
		fclose(f);
		path = fit;
		lo = 0;
		hi = 1;
	}
	T_EQ(load_file(path), 0);
	T_STREQ(msgs, "");
	T_EQ(c.nports, 2);
	T_EQ(c.nforwards, 2);
	T_EQ(c.poll, CONF_POLL_ADAPTIVE);
	T_EQ(c.poll_sleep_max_us, 50);
	for (i = 0; i < 2; i++) {
		T_EQ(c.ports[i].queues, 2);
		T_EQ(c.ports[i].ncpus, 2);
		T_EQ(c.ports[i].cpus[0], lo);
		T_EQ(c.ports[i].cpus[1], hi);
		T_EQ(c.ports[i].mtu, 9000);
		T_EQ(c.ports[i].rss.fields, CONF_RSS_ALL);
		T_EQ(c.ports[i].rss.reta[1], 1);
	}
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
		"generator", "size", "count", "rate", "from", "to", "bridge",
		"capture", "filter", "rules", "default", "vlans", "vlan_push",
		"vlan_pcp", "vlan_pop", "vlan_set", "action", "src_mac",
		"dst_mac", "ethertype", "vlan", "src", "dst", "proto",
		"src_port", "dst_port", "tcp_flags", "icmp_type", "learning",
		"aging", "max_entries", "vlan_learning", "static", "port",
		"direction", "where", "sample", "probability", "max_rate",
		"snaplen", "file", "rotate", "format", "recorder", "ring",
		"seconds", "queues", "cpus", "mtu", "rss", "poll", "key",
		"fields", "reta", "mode", "max_sleep",
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
	T_CHECK(strstr(raw, "a power of two 4K..1G bytes, default 1M") !=
	    NULL);
	T_CHECK(strstr(raw, "0..4294967295 samples, default 0") != NULL);
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
	T_RUN(test_untrusted_file);
	T_RUN(test_many_errors_one_pass);
	T_RUN(test_too_many_ports);
	T_RUN(test_null_port);
	T_RUN(test_filter_expr);
	T_RUN(test_rule_fields);
	T_RUN(test_rule_prefixes);
	T_RUN(test_rule_ports);
	T_RUN(test_rule_tcp_flags);
	T_RUN(test_rule_errors);
	T_RUN(test_rules_max);
	T_RUN(test_vlans);
	T_RUN(test_bridge);
	T_RUN(test_bridge_errors);
	T_RUN(test_captures);
	T_RUN(test_capture_errors);
	T_RUN(test_queues);
	T_RUN(test_queues_errors);
	T_RUN(test_cpus_surplus);
	T_RUN(test_examples);
	T_RUN(test_example_router);
	T_RUN(test_fixtures_good);
	T_RUN(test_fixtures_bad);
	T_RUN(test_schema_print);
	conf_free(&c);
	rc = t_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", tmpdir);
	return rc;
}
