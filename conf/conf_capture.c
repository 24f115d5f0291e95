/*
 * conf_capture.c: the capture: list and each capture's rotate: mapping.
 * conf_check_captures() resolves their ports and checks each capture as
 * capture_create() will see it.
 */
#include <sys/stat.h>

#include <bsd/string.h>
#include <limits.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

static void	conf_set_capture_name(CONF_SET_ARGS);
static void	conf_set_capture_port(CONF_SET_ARGS);
static void	conf_set_direction(CONF_SET_ARGS);
static void	conf_set_where(CONF_SET_ARGS);
static void	conf_set_format(CONF_SET_ARGS);
static void	conf_set_probability(CONF_SET_ARGS);
static void	conf_set_capture_filter(CONF_SET_ARGS);
static void	conf_set_capture_file(CONF_SET_ARGS);
static void	conf_set_file_mode(CONF_SET_ARGS);

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
	  .sub = &conf_rotate_table,
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

const struct conf_table conf_capture_table =
    CONF_TABLE("capture", "in capture", conf_capture_keys);
const struct conf_table conf_rotate_table =
    CONF_TABLE("rotate", "in rotate", conf_rotate_keys);

CONF_FITS(conf_capture_keys);

_Static_assert(CONF_PORTS_MAX <= CAPTURE_PORTS_MAX,
    "a capture may watch any port");

_Static_assert(CONF_NAME_MAX <= CAPTURE_NAME_MAX,
    "a port's name fits a capture's port_name");

/* Capture i of the configuration (obj). */
static void
conf_capture_entry(struct conf_parse *p, void *obj, int i, yaml_node_t *n)
{
	struct conf *c = obj;
	struct capture_conf *cc = &c->captures[i];
	struct conf_seen seen[CONF_KEYS_MAX], *sa, *pr, *nm;
	int j, before;

	capture_conf_defaults(cc);
	p->csrc[i].node = n;
	p->cur = i;
	before = p->nerrs + p->nomem;
	conf_walk(p, n, &conf_capture_table, cc, seen);

	sa = conf_seen_key(&conf_capture_table, seen, "sample");
	pr = conf_seen_key(&conf_capture_table, seen, "probability");
	if (sa != NULL && pr != NULL) {
		if (sa->key->start_mark.index < pr->key->start_mark.index)
			sa = pr;
		conf_err(p, sa->key, "%s: give sample or probability, not "
		    "both", conf_text(sa->key));
	} else if (pr != NULL)
		cc->sample = 0;
	nm = conf_seen_key(&conf_capture_table, seen, "name");
	for (j = 0; j < i && cc->name[0] != '\0'; j++) {
		if (strcmp(cc->name, c->captures[j].name) == 0) {
			conf_err(p, nm->val, "duplicate capture name \"%s\" "
			    "(first at line %d)", cc->name,
			    conf_line(p->csrc[j].node));
			/* names stay unique: the first one is meant */
			cc->name[0] = '\0';
		}
	}
	for (j = 0; j < i && cc->file[0] != '\0'; j++) {
		if (strcmp(cc->file, c->captures[j].file) == 0) {
			conf_err(p, p->csrc[i].file, "file: %s is also the "
			    "file of capture \"%s\"", cc->file,
			    c->captures[j].name);
			break;
		}
	}
	p->csrc[i].ok = p->nerrs + p->nomem == before;
}

/* capture: [ {capture}, ... ] */
void
conf_set_captures(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	static const struct conf_list list = {
		.max = CAPTURE_MAX, .noun = "captures",
		.example = "such as { name: a, port: wan, file: a.pcap }",
		.entry = conf_capture_entry,
	};
	struct conf *c = obj;

	(void)key;
	conf_walk_list(p, k, val, &list, &c->ncaptures, c);
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
	char path[PATH_MAX], dir[PATH_MAX];

	(void)key;
	p->csrc[p->cur].file = val;
	if (conf_file_path(p, k, val, path, sizeof(path)) == -1)
		return;
	if (path[strlen(path) - 1] == '/') {
		conf_err(p, val, "%s: %s names a directory; give a file name "
		    "pattern in it", k->name, path);
		return;
	}
	conf_file_dir(path, dir, sizeof(dir));
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
	if (conf_dir_writable(p, k, val, dir) == -1)
		return;
	strlcpy(cc->file, path, sizeof(cc->file));
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

/* The ports of captures, then each capture as capture_create() will see
 * it. */
void
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
