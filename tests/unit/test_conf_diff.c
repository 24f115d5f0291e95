/*
 * test_conf_diff.c: what a reload reports and which changes it refuses.
 * Each case loads a base configuration and a changed one and compares
 * conf_diff()'s lines and counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "conf_diff.h"
#include "t.h"

static struct conf a, b;	/* too big for the stack */
static char	tmpdir[] = "/tmp/test_conf_diff.XXXXXX";
static char	out[8192];
static struct conf_diff d;

#define BASE \
	"ports:\n" \
	"  - { name: wan, device: emulated, rx_ring: 512 }\n" \
	"  - { name: lan, device: emulated }\n" \
	"  - { name: s1, device: emulated }\n" \
	"  - { name: s2, device: emulated }\n" \
	"forward:\n" \
	"  - { from: wan, to: lan, filter: \"tcp\" }\n" \
	"  - { from: lan, to: wan }\n" \
	"bridge:\n" \
	"  ports: [s1, s2]\n" \
	"  aging: 300\n" \
	"capture:\n" \
	"  - { name: web, port: wan, sample: 100, file: /tmp/web.pcap }\n"

static int
load(struct conf *c, const char *yaml)
{
	char path[256];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/c.yaml", tmpdir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(yaml, f);
	fclose(f);
	conf_free(c);
	memset(c, 0, sizeof(*c));
	n = conf_load(path, c, stdout);
	return n;
}

/* Diff BASE against yaml into out and d. */
static int diff_two(const char *, const char *);

static int
diff_base(const char *yaml)
{
	return diff_two(BASE, yaml);
}

/* BASE with the first `from' replaced by `to'. */
static const char *
variant(const char *from, const char *to)
{
	static char y[4096];
	const char *at = strstr(BASE, from);

	if (at == NULL)
		return BASE;
	snprintf(y, sizeof(y), "%.*s%s%s", (int)(at - BASE), BASE, to,
	    at + strlen(from));
	return y;
}

/* Diff a against b (both YAML) into out and d. */
static int
diff_two(const char *ya, const char *yb)
{
	FILE *m;

	out[0] = '\0';		/* fmemopen() leaves it when nothing is said */
	if (load(&a, ya) != 0 || load(&b, yb) != 0 ||
	    (m = fmemopen(out, sizeof(out), "w")) == NULL)
		return -1;
	conf_diff(&a, &b, &d, m);
	fclose(m);
	return 0;
}

#define T_STREQ(x, y) do {						\
	if (strcmp((x), (y)) != 0)					\
		t_fail(__FILE__, __LINE__, "got:\n%s--- expected:\n%s",	\
		    (x), (y));						\
} while (0)

static void
test_same(void)
{
	T_REQUIRE(diff_base(BASE) == 0);
	T_STREQ(out, "");
	T_EQ(d.changes, 0);
	T_EQ(d.restart, 0);
}

static void
test_filter_change(void)
{
	T_REQUIRE(diff_base(variant("\"tcp\"", "\"udp\"")) == 0);
	T_STREQ(out, "forward wan: filter: \"tcp\" -> \"udp\"\n");
	T_EQ(d.changes, 1);
	T_EQ(d.paths, 1);
	T_EQ(d.restart, 0);
	T_EQ(d.bridge_table, 0);
	T_EQ(d.captures, 0);
}

static void
test_rules_and_vlans(void)
{
	const char *y = variant("  - { from: lan, to: wan }\n",
	    "  - from: lan\n"
	    "    to: wan\n"
	    "    rules: [ { action: drop, proto: udp } ]\n"
	    "    vlans: [10]\n");

	T_REQUIRE(diff_base(y) == 0);
	T_STREQ(out, "forward lan: rules: 0 rules -> 1 rule\n"
	    "forward lan: vlans changed\n");
	T_EQ(d.paths, 2);
	T_EQ(d.restart, 0);
}

static void
test_bridge_settings(void)
{
	T_REQUIRE(diff_base(variant("aging: 300", "aging: 60")) == 0);
	T_STREQ(out, "bridge: aging: 300 -> 60\n");
	T_EQ(d.bridge_table, 1);
	T_EQ(d.paths, 0);
	T_EQ(d.restart, 0);
}

static void
test_capture_changes(void)
{
	char y[4096];

	snprintf(y, sizeof(y), "%s", variant("sample: 100", "sample: 10"));
	strlcat(y, "  - { name: dns, port: lan, file: /tmp/dns.pcap }\n",
	    sizeof(y));
	T_REQUIRE(diff_base(y) == 0);
	T_STREQ(out, "capture web: sample: 100 -> 10\n"
	    "capture dns: added\n");
	T_EQ(d.captures, 2);
	T_EQ(d.restart, 0);

	T_REQUIRE(diff_two(y, BASE) == 0);
	T_STREQ(out, "capture web: sample: 10 -> 100\n"
	    "capture dns: removed\n");
}

static void
test_restart_keys(void)
{
	char y[4096];

	snprintf(y, sizeof(y), "batch: 64\n%s", BASE);
	memcpy(strstr(y, "rx_ring: 512"), "rx_ring: 256", 12);
	memcpy(strstr(y, "\"tcp\""), "\"udp\"", 5);
	T_REQUIRE(diff_base(y) == 0);
	T_STREQ(out, "port wan: rx_ring: 512 -> 256 (needs a restart)\n"
	    "top level: batch: 32 -> 64 (needs a restart)\n"
	    "forward wan: filter: \"tcp\" -> \"udp\"\n");
	T_EQ(d.restart, 2);
	T_EQ(d.changes, 1);
}

/* Queues, CPUs, MTU, RSS and polling shape the ports and the workers:
 * each is named, and the reload refused. */
static void
test_queue_keys(void)
{
	char y[4096];

	snprintf(y, sizeof(y), "poll: { mode: busy, max_sleep: 50 }\n%s",
	    variant("rx_ring: 512 }", "rx_ring: 512, queues: 2, cpus: [0], "
	    "mtu: 9000, poll: busy,\n"
	    "      rss: { key: microsoft, fields: [ipv4] } }"));
	T_REQUIRE(diff_base(y) == 0);
	T_STREQ(out, "port wan: cpu: -1 -> 0 (needs a restart)\n"
	    "port wan: queues: 1 -> 2 (needs a restart)\n"
	    "port wan: mtu: 1500 -> 9000 (needs a restart)\n"
	    "port wan: rss: key changed (needs a restart)\n"
	    "port wan: rss: fields changed (needs a restart)\n"
	    "port wan: poll: (the top level's) -> busy (needs a restart)\n"
	    "poll: mode: adaptive -> busy (needs a restart)\n"
	    "poll: max_sleep: 100 -> 50 (needs a restart)\n");
	T_EQ(d.restart, 8);
	T_EQ(d.changes, 0);
}

/* The same queues, another spread or other CPUs. */
static void
test_reta_and_cpus(void)
{
	char ya[4096], yb[4096];

	if (sysconf(_SC_NPROCESSORS_CONF) < 2)
		T_SKIP("uses CPUs 0 and 1; this machine has one CPU");
	strlcpy(ya, variant("rx_ring: 512 }",
	    "rx_ring: 512, queues: 2, cpus: [0, 1] }"), sizeof(ya));
	strlcpy(yb, variant("rx_ring: 512 }",
	    "rx_ring: 512, queues: 2, cpus: [1, 0], rss: { reta: [1, 0] } }"),
	    sizeof(yb));
	T_REQUIRE(diff_two(ya, yb) == 0);
	T_STREQ(out, "port wan: cpus: [0, 1] -> [1, 0] (needs a restart)\n"
	    "port wan: rss: reta changed (needs a restart)\n");
	T_EQ(d.restart, 2);
	/* the table written as its default is no change */
	strlcpy(yb, variant("rx_ring: 512 }",
	    "rx_ring: 512, queues: 2, cpus: [0, 1], rss: { reta: [0, 1] } }"),
	    sizeof(yb));
	T_REQUIRE(diff_two(ya, yb) == 0);
	T_STREQ(out, "");
	T_EQ(d.restart, 0);
}

static void
test_user_and_mode(void)
{
	char y[4096];

	snprintf(y, sizeof(y), "user: nobody:nogroup\n%s",
	    variant("sample: 100,", "sample: 100, mode: 0600,"));
	T_REQUIRE(diff_base(y) == 0);
	T_STREQ(out, "top level: user: \"ixfwd\" -> \"nobody:nogroup\" "
	    "(needs a restart)\n"
	    "capture web: mode: 0640 -> 0600\n");
	T_EQ(d.restart, 1);
	T_EQ(d.captures, 1);
}

/* The control socket and the metrics listener are bound before the
 * privilege drop: a reload that moves them is refused, not ignored. */
static void
test_control_and_metrics(void)
{
	char y[4096];

	snprintf(y, sizeof(y), "control: { socket: /tmp/x.sock }\n"
	    "metrics: { listen: \"127.0.0.1:9100\" }\n%s",
	    variant("sample: 100,", "sample: 100,"));
	T_REQUIRE(diff_base(y) == 0);
	T_CHECK(strstr(out, "control: socket: \"") != NULL);
	T_CHECK(strstr(out, "\" -> \"/tmp/x.sock\" (needs a restart)\n") !=
	    NULL);
	T_CHECK(strstr(out, "metrics: listen: \"\" -> \"127.0.0.1:9100\" "
	    "(needs a restart)\n") != NULL);
	T_EQ(d.restart, 2);
}

static void
test_port_list(void)
{
	const char *y =
	    "ports:\n"
	    "  - { name: wan, device: emulated }\n"
	    "  - { name: lan, device: emulated }\n"
	    "forward:\n"
	    "  - { from: wan, to: lan }\n";

	T_REQUIRE(diff_base(y) == 0);
	T_STREQ(out, "ports: [wan, lan, s1, s2] -> [wan, lan] "
	    "(needs a restart)\n");
	T_EQ(d.restart, 1);
}

static void
test_forward_destinations(void)
{
	T_REQUIRE(diff_base(variant("from: lan, to: wan", "from: lan, to: s1")) ==
	    0);
	T_STREQ(out, "forward lan: to: [wan] -> [s1] (needs a restart)\n");
	T_EQ(d.restart, 1);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_same);
	T_RUN(test_filter_change);
	T_RUN(test_rules_and_vlans);
	T_RUN(test_bridge_settings);
	T_RUN(test_capture_changes);
	T_RUN(test_restart_keys);
	T_RUN(test_queue_keys);
	T_RUN(test_reta_and_cpus);
	T_RUN(test_user_and_mode);
	T_RUN(test_control_and_metrics);
	T_RUN(test_port_list);
	T_RUN(test_forward_destinations);
	conf_free(&a);
	conf_free(&b);
	{
		char path[300];

		snprintf(path, sizeof(path), "%s/c.yaml", tmpdir);
		unlink(path);
		rmdir(tmpdir);
	}
	return t_done();
}
