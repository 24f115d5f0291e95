/*
 * conf_schema.c: what ixfwd.yaml may say, from the top.  The top-level
 * keys are here, with the list of every table conf_schema_print()
 * documents, conf_root_begin() (the defaults that are not in a table) and
 * conf_root_end(), which runs the checks that span keys and ports once
 * the whole file is read.
 *
 * Each part of the file has its own source, with its tables, handlers
 * and checks:
 *
 *   conf_ports.c    ports: device, wire, generator; emulator
 *   conf_forward.c  forward entries, and the keys that filter and tag
 *                   what they pass (shared with the bridge: the path)
 *   conf_rules.c    rules: lists of a path
 *   conf_bridge.c   bridge, its static entries
 *   conf_capture.c  capture, rotate
 *   conf_daemon.c   user, control, metrics
 *
 * One table per mapping lists every key with its type, range, default
 * and description; conf.c walks the file against them.  The values of
 * rules are parsed in conf_match.c.
 */
#include <bsd/string.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

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
	{ .name = "poll", .type = CONF_T_MAP, .flags = CONF_K_NULLMAP,
	  .sub = &conf_poll_table,
	  .desc = "How the threads poll their ports (see \"poll\"); a port's "
	    "poll: overrides the mode for that port." },
	{ .name = "emulator", .type = CONF_T_MAP, .flags = CONF_K_NULLMAP,
	  .sub = &conf_emulator_table,
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
	{ .name = "control", .type = CONF_T_MAP, .sub = &conf_control_table,
	  .desc = "The control socket ixfwdctl(8) talks to (see "
	    "\"control\")." },
	{ .name = "metrics", .type = CONF_T_MAP, .sub = &conf_metrics_table,
	  .desc = "Prometheus metrics over HTTP, off unless given (see "
	    "\"metrics\")." },
};

const struct conf_table conf_root_table =
    CONF_TABLE("top level", "at the top level", conf_root_keys);

CONF_FITS(conf_root_keys);

static const struct conf_table *const conf_tables[] = {
	&conf_root_table, &conf_poll_table, &conf_emulator_table,
	&conf_port_table, &conf_rss_table, &conf_wire_table,
	&conf_generator_table, &conf_forward_table,
	&conf_path_table, &conf_rule_table, &conf_bridge_table,
	&conf_static_table, &conf_capture_table, &conf_rotate_table,
	&conf_control_table, &conf_metrics_table,
};

void
conf_root_begin(struct conf_parse *p)
{
	conf_defaults(&conf_root_table, p->c);
	p->c->emulator_cpu = -1;
	p->c->poll = CONF_POLL_ADAPTIVE;
	p->c->poll_sleep_max_us = 100;
	strlcpy(p->c->user, "ixfwd", sizeof(p->c->user));
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
