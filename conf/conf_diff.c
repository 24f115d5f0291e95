/*
 * conf_diff.c: the differences between two configurations, as a reload
 * reports them (see conf_diff.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf_diff.h"

struct diff {
	struct conf_diff *d;
	FILE		*out;
};

#define RESTART	1
#define APPLY	0

static void __attribute__((format(printf, 3, 4)))
diff_say(struct diff *df, int restart, const char *fmt, ...)
{
	va_list ap;

	if (restart)
		df->d->restart++;
	else
		df->d->changes++;
	if (df->out == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(df->out, fmt, ap);
	va_end(ap);
	fprintf(df->out, "%s\n", restart ? " (needs a restart)" : "");
}

#define DIFF_NUM(df, r, what, key, a, b) do {				\
	if ((a) != (b))							\
		diff_say(df, r, "%s: %s: %lld -> %lld", what, key,	\
		    (long long)(a), (long long)(b));			\
} while (0)

#define DIFF_STR(df, r, what, key, a, b) do {				\
	if (strcmp(a, b) != 0)						\
		diff_say(df, r, "%s: %s: \"%s\" -> \"%s\"", what, key,	\
		    a, b);						\
} while (0)

static const char *
diff_bool(int v)
{
	return v ? "true" : "false";
}

#define DIFF_BOOL(df, r, what, key, a, b) do {				\
	if (!(a) != !(b))						\
		diff_say(df, r, "%s: %s: %s -> %s", what, key,		\
		    diff_bool(a), diff_bool(b));			\
} while (0)

static const char *
diff_poll(enum conf_poll m)
{
	switch (m) {
	case CONF_POLL_DEFAULT:
		return "(the top level's)";
	case CONF_POLL_ADAPTIVE:
		return "adaptive";
	case CONF_POLL_BUSY:
		return "busy";
	}
	return "?";
}

static const char *
diff_cpu_list(const struct conf_port *p, char *buf, size_t len)
{
	size_t o;
	int i;

	if (p->ncpus == 0)
		return "none";
	o = snprintf(buf, len, "[");
	for (i = 0; i < p->ncpus && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%d", i ? ", " : "",
		    p->cpus[i]);
	if (o < len)
		snprintf(buf + o, len - o, "]");
	return buf;
}

/* The threads a port's queues are polled on: a restart moves them. */
static void
diff_cpus(struct diff *df, const char *what, const struct conf_port *pa,
    const struct conf_port *pb)
{
	char a[CONF_QUEUES_MAX * 6 + 8], b[sizeof(a)];

	if (pa->ncpus == pb->ncpus && memcmp(pa->cpus, pb->cpus,
	    pa->ncpus * sizeof(pa->cpus[0])) == 0)
		return;
	if (pa->ncpus <= 1 && pb->ncpus <= 1)	/* as cpu: was written */
		DIFF_NUM(df, RESTART, what, "cpu", pa->cpu, pb->cpu);
	else
		diff_say(df, RESTART, "%s: cpus: %s -> %s", what,
		    diff_cpu_list(pa, a, sizeof(a)),
		    diff_cpu_list(pb, b, sizeof(b)));
}

/* The NIC's RSS registers are written when the port starts. */
static void
diff_rss(struct diff *df, const char *what, const struct conf_port *pa,
    const struct conf_port *pb)
{
	if (memcmp(pa->rss.key, pb->rss.key, sizeof(pa->rss.key)) != 0)
		diff_say(df, RESTART, "%s: rss: key changed", what);
	if (pa->rss.fields != pb->rss.fields)
		diff_say(df, RESTART, "%s: rss: fields changed", what);
	/* the default table follows queues, said above */
	if (pa->queues == pb->queues && memcmp(pa->rss.reta, pb->rss.reta,
	    sizeof(pa->rss.reta)) != 0)
		diff_say(df, RESTART, "%s: rss: reta changed", what);
}

static int
diff_port_set(const struct conf *a, const struct conf *b)
{
	int i;

	if (a->nports != b->nports)
		return 0;
	for (i = 0; i < a->nports; i++)
		if (strcmp(a->ports[i].name, b->ports[i].name) != 0)
			return 0;
	return 1;
}

static void
diff_names(const struct conf *c, const int *idx, int n, char *buf,
    size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
		    c->ports[idx[i]].name);
}

/* 0 if the port lists differ: then nothing else lines up. */
static int
diff_ports(struct diff *df, const struct conf *a, const struct conf *b)
{
	char what[64];
	int i;

	if (!diff_port_set(a, b)) {
		char na[CONF_PORTS_MAX * CONF_NAME_MAX + 64];
		char nb[sizeof(na)];
		int ia[CONF_PORTS_MAX], ib[CONF_PORTS_MAX];

		for (i = 0; i < CONF_PORTS_MAX; i++)
			ia[i] = ib[i] = i;
		diff_names(a, ia, a->nports, na, sizeof(na));
		diff_names(b, ib, b->nports, nb, sizeof(nb));
		diff_say(df, RESTART, "ports: [%s] -> [%s]", na, nb);
		return 0;
	}
	for (i = 0; i < a->nports; i++) {
		const struct conf_port *pa = &a->ports[i], *pb = &b->ports[i];
		const struct conf_wire *wa = &pa->wire, *wb = &pb->wire;

		snprintf(what, sizeof(what), "port %s", pa->name);
		DIFF_STR(df, RESTART, what, "device", pa->device, pb->device);
		DIFF_NUM(df, RESTART, what, "rx_ring", pa->rx_ring,
		    pb->rx_ring);
		DIFF_NUM(df, RESTART, what, "tx_ring", pa->tx_ring,
		    pb->tx_ring);
		DIFF_BOOL(df, RESTART, what, "promisc", pa->promisc,
		    pb->promisc);
		diff_cpus(df, what, pa, pb);
		DIFF_NUM(df, RESTART, what, "queues", pa->queues, pb->queues);
		DIFF_NUM(df, RESTART, what, "mtu", pa->mtu, pb->mtu);
		diff_rss(df, what, pa, pb);
		if (pa->poll != pb->poll)
			diff_say(df, RESTART, "%s: poll: %s -> %s", what,
			    diff_poll(pa->poll), diff_poll(pb->poll));
		DIFF_BOOL(df, RESTART, what, "force", pa->force, pb->force);
		if (pa->has_mac != pb->has_mac ||
		    memcmp(pa->mac, pb->mac, sizeof(pa->mac)) != 0)
			diff_say(df, RESTART, "%s: mac changed", what);
		if (wa->kind != wb->kind || wa->peer != wb->peer ||
		    strcmp(wa->iface, wb->iface) != 0 ||
		    strcmp(wa->pcap_in, wb->pcap_in) != 0 ||
		    strcmp(wa->pcap_out, wb->pcap_out) != 0 ||
		    wa->gen_size != wb->gen_size ||
		    wa->gen_count != wb->gen_count ||
		    wa->gen_rate != wb->gen_rate)
			diff_say(df, RESTART, "%s: wire changed", what);
	}
	return 1;
}

const struct conf_forward *
conf_forward_of(const struct conf *c, int port)
{
	int i;

	for (i = 0; i < c->nforwards; i++)
		if (c->forwards[i].from == port)
			return &c->forwards[i];
	return NULL;
}

static int
diff_rules_same(const struct filter_rule *ra, int na,
    const struct filter_rule *rb, int nb)
{
	int i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (memcmp(&ra[i], &rb[i], sizeof(ra[i])) != 0)
			return 0;
	return 1;
}

static const char *
diff_action(int action)
{
	return action == FILTER_DROP ? "drop" : "pass";
}

static void
diff_vlan(struct diff *df, const char *what, const struct conf_vlan *a,
    const struct conf_vlan *b)
{
	if (a->filter != b->filter || a->untagged != b->untagged ||
	    memcmp(a->allow, b->allow, sizeof(a->allow)) != 0)
		diff_say(df, APPLY, "%s: vlans changed", what);
	if (a->op != b->op || a->id != b->id || a->pcp != b->pcp)
		diff_say(df, APPLY, "%s: vlan_push/vlan_pop/vlan_set changed",
		    what);
}

/* The filtering of a path: filter, rules, default, VLANs. */
static int
diff_filtering(struct diff *df, const char *what, const char *fa,
    const char *fb, const struct filter_rule *ra, int na,
    const struct filter_rule *rb, int nb, int da, int db,
    const struct conf_vlan *va, const struct conf_vlan *vb)
{
	int before = df->d->changes;

	DIFF_STR(df, APPLY, what, "filter", fa, fb);
	if (!diff_rules_same(ra, na, rb, nb))
		diff_say(df, APPLY, "%s: rules: %d rule%s -> %d rule%s%s",
		    what, na, na == 1 ? "" : "s", nb, nb == 1 ? "" : "s",
		    na == nb ? ", changed" : "");
	if (da != db && (na > 0 || nb > 0))
		diff_say(df, APPLY, "%s: default: %s -> %s", what,
		    diff_action(da), diff_action(db));
	diff_vlan(df, what, va, vb);
	return df->d->changes - before;
}

static void
diff_forwards(struct diff *df, const struct conf *a, const struct conf *b)
{
	char what[64], ta[CONF_PORTS_MAX * CONF_NAME_MAX + 64], tb[sizeof(ta)];
	int i;

	for (i = 0; i < a->nports; i++) {
		const struct conf_forward *fa = conf_forward_of(a, i);
		const struct conf_forward *fb = conf_forward_of(b, i);

		snprintf(what, sizeof(what), "forward %s", a->ports[i].name);
		if (fa == NULL && fb == NULL)
			continue;
		if (fa == NULL || fb == NULL || fa->nto != fb->nto ||
		    memcmp(fa->to, fb->to, sizeof(fa->to[0]) *
		    (size_t)fa->nto) != 0) {
			if (fa != NULL)
				diff_names(a, fa->to, fa->nto, ta, sizeof(ta));
			if (fb != NULL)
				diff_names(b, fb->to, fb->nto, tb, sizeof(tb));
			diff_say(df, RESTART, "%s: to: %s%s%s -> %s%s%s", what,
			    fa ? "[" : "", fa ? ta : "none", fa ? "]" : "",
			    fb ? "[" : "", fb ? tb : "none", fb ? "]" : "");
			continue;
		}
		df->d->paths += diff_filtering(df, what, fa->filter,
		    fb->filter, fa->rules, fa->nrules, fb->rules, fb->nrules,
		    fa->default_action, fb->default_action, &fa->vlan,
		    &fb->vlan);
	}
}

int
conf_statics_same(const struct conf_bridge *a, const struct conf_bridge *b)
{
	int i;

	if (a->nstatic != b->nstatic)
		return 0;
	for (i = 0; i < a->nstatic; i++)
		if (memcmp(a->statics[i].mac, b->statics[i].mac, 6) != 0 ||
		    a->statics[i].vlan != b->statics[i].vlan ||
		    a->statics[i].port != b->statics[i].port)
			return 0;
	return 1;
}

static void
diff_bridge(struct diff *df, const struct conf *a, const struct conf *b)
{
	const struct conf_bridge *ba = &a->bridge, *bb = &b->bridge;
	char na[CONF_PORTS_MAX * CONF_NAME_MAX + 64], nb[sizeof(na)];
	int before;

	if (!ba->enabled && !bb->enabled)
		return;
	if (ba->enabled != bb->enabled) {
		diff_say(df, RESTART, "bridge: %s", ba->enabled ? "removed" :
		    "added");
		return;
	}
	if (ba->nports != bb->nports || memcmp(ba->ports, bb->ports,
	    sizeof(ba->ports[0]) * (size_t)ba->nports) != 0) {
		diff_names(a, ba->ports, ba->nports, na, sizeof(na));
		diff_names(b, bb->ports, bb->nports, nb, sizeof(nb));
		diff_say(df, RESTART, "bridge: ports: [%s] -> [%s]", na, nb);
		return;
	}
	before = df->d->changes;
	DIFF_BOOL(df, APPLY, "bridge", "learning", ba->learning, bb->learning);
	df->d->paths += df->d->changes - before;
	before = df->d->changes;
	DIFF_NUM(df, APPLY, "bridge", "aging", ba->aging, bb->aging);
	DIFF_NUM(df, APPLY, "bridge", "max_entries", ba->max_entries,
	    bb->max_entries);
	DIFF_BOOL(df, APPLY, "bridge", "vlan_learning", ba->vlan_learning,
	    bb->vlan_learning);
	if (!conf_statics_same(ba, bb))
		diff_say(df, APPLY, "bridge: static: %d entr%s -> %d entr%s%s",
		    ba->nstatic, ba->nstatic == 1 ? "y" : "ies", bb->nstatic,
		    bb->nstatic == 1 ? "y" : "ies",
		    ba->nstatic == bb->nstatic ? ", changed" : "");
	df->d->bridge_table += df->d->changes - before;
	df->d->paths += diff_filtering(df, "bridge", ba->filter, bb->filter,
	    ba->rules, ba->nrules, bb->rules, bb->nrules, ba->default_action,
	    bb->default_action, &ba->vlan, &bb->vlan);
}

const struct capture_conf *
conf_capture_of(const struct conf *c, const char *name)
{
	int i;

	for (i = 0; i < c->ncaptures; i++)
		if (strcmp(c->captures[i].name, name) == 0)
			return &c->captures[i];
	return NULL;
}

static const char *const diff_dirs[] = { "?", "rx", "tx", "both" };
static const char *const diff_wheres[] = { "all", "passed", "dropped" };
static const char *const diff_formats[] = { "pcap", "pcapng" };

#define DIFF_WORD(df, what, key, words, a, b) do {			\
	if ((a) != (b))							\
		diff_say(df, APPLY, "%s: %s: %s -> %s", what, key,	\
		    words[a], words[b]);				\
} while (0)

static void
diff_one_capture(struct diff *df, const struct capture_conf *a,
    const struct capture_conf *b)
{
	char what[64];

	snprintf(what, sizeof(what), "capture %s", a->name);
	DIFF_STR(df, APPLY, what, "port", a->port_name, b->port_name);
	DIFF_WORD(df, what, "direction", diff_dirs, a->direction,
	    b->direction);
	DIFF_WORD(df, what, "where", diff_wheres, a->where, b->where);
	DIFF_NUM(df, APPLY, what, "sample", a->sample, b->sample);
	if (a->probability != b->probability)
		diff_say(df, APPLY, "%s: probability: %g -> %g", what,
		    a->probability, b->probability);
	DIFF_NUM(df, APPLY, what, "max_rate", a->max_rate, b->max_rate);
	DIFF_STR(df, APPLY, what, "filter", a->filter, b->filter);
	DIFF_NUM(df, APPLY, what, "snaplen", a->snaplen, b->snaplen);
	DIFF_STR(df, APPLY, what, "file", a->file, b->file);
	DIFF_NUM(df, APPLY, what, "rotate size", a->rotate_size,
	    b->rotate_size);
	DIFF_NUM(df, APPLY, what, "rotate seconds", a->rotate_seconds,
	    b->rotate_seconds);
	DIFF_NUM(df, APPLY, what, "rotate count", a->rotate_count,
	    b->rotate_count);
	DIFF_WORD(df, what, "format", diff_formats, a->format, b->format);
	DIFF_NUM(df, APPLY, what, "recorder", a->recorder, b->recorder);
	DIFF_NUM(df, APPLY, what, "ring_size", a->ring_size, b->ring_size);
	DIFF_NUM(df, APPLY, what, "seed", a->seed, b->seed);
	if (a->file_mode != b->file_mode)
		diff_say(df, APPLY, "%s: mode: %04o -> %04o", what,
		    a->file_mode, b->file_mode);
}

static void
diff_captures(struct diff *df, const struct conf *a, const struct conf *b)
{
	int i, before = df->d->changes;

	for (i = 0; i < a->ncaptures; i++) {
		const struct capture_conf *cb = conf_capture_of(b,
		    a->captures[i].name);

		if (cb == NULL)
			diff_say(df, APPLY, "capture %s: removed",
			    a->captures[i].name);
		else
			diff_one_capture(df, &a->captures[i], cb);
	}
	for (i = 0; i < b->ncaptures; i++)
		if (conf_capture_of(a, b->captures[i].name) == NULL)
			diff_say(df, APPLY, "capture %s: added",
			    b->captures[i].name);
	df->d->captures += df->d->changes - before;
}

void
conf_diff(const struct conf *a, const struct conf *b, struct conf_diff *d,
    FILE *out)
{
	struct diff df = { d, out };

	memset(d, 0, sizeof(*d));
	if (!diff_ports(&df, a, b))
		return;
	DIFF_NUM(&df, RESTART, "top level", "batch", a->batch, b->batch);
	DIFF_NUM(&df, RESTART, "top level", "link_timeout",
	    a->link_timeout_ms / 1000, b->link_timeout_ms / 1000);
	/* The workers are made for their poll mode at start. */
	if (a->poll != b->poll)
		diff_say(&df, RESTART, "poll: mode: %s -> %s",
		    diff_poll(a->poll), diff_poll(b->poll));
	DIFF_NUM(&df, RESTART, "poll", "max_sleep", a->poll_sleep_max_us,
	    b->poll_sleep_max_us);
	DIFF_NUM(&df, RESTART, "emulator", "cpu", a->emulator_cpu,
	    b->emulator_cpu);
	if (strcmp(a->user, b->user) != 0 || strcmp(a->group, b->group) != 0)
		diff_say(&df, RESTART, "top level: user: \"%s%s%s\" -> "
		    "\"%s%s%s\"", a->user, a->group[0] ? ":" : "", a->group,
		    b->user, b->group[0] ? ":" : "", b->group);
	/* The socket and the listener are bound before the privilege drop:
	 * only a start can move them. */
	DIFF_STR(&df, RESTART, "control", "socket", a->control_socket,
	    b->control_socket);
	DIFF_STR(&df, RESTART, "metrics", "listen", a->metrics_listen,
	    b->metrics_listen);
	diff_forwards(&df, a, b);
	diff_bridge(&df, a, b);
	diff_captures(&df, a, b);
}
