/*
 * conf.c: loading the YAML file and walking it against the schema tables
 * (conf_schema.c for the top level, conf_ports.c, conf_forward.c,
 * conf_rules.c, conf_bridge.c, conf_capture.c and conf_daemon.c for the
 * sections), and the helpers those files share.  Scalars are converted
 * here, so every integer and boolean of the configuration follows the
 * same rules:
 *
 *   integers   plain scalars, decimal or 0x hex, optional sign; no floats,
 *              no underscores, no leading zeros (YAML 1.1 reads 010 as
 *              octal, YAML 1.2 as ten: neither guess is safe)
 *   sizes      integers without a sign, optionally followed by K, M or G
 *              (KiB, MiB, GiB): 64K, 100M
 *   numbers    plain decimal scalars with an optional fraction and
 *              exponent: 0.001, 1e-3; no hex, inf or nan
 *   booleans   plain true/false, yes/no, on/off, in any case
 *   strings    any scalar, quoted or not
 *
 * A quoted "512" is a string, not an integer, and is refused where an
 * integer is expected; a string key takes quoted and plain values alike.
 *
 * Errors are collected, sorted by position and printed at the end as
 * "FILE:LINE:COLUMN: message" (1-based), so that the report reads top to
 * bottom whichever pass found each error.  Errors about the file itself
 * (cannot open, too large) have no position: "FILE: message".
 */
#include <sys/stat.h>

#include <bsd/string.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include <pcap/pcap.h>

#include "conf.h"
#include "conf_priv.h"

#define CONF_FILE_MAX	(1024 * 1024)	/* no configuration is this big */

static void
conf_verr(struct conf_parse *p, int line, int col, const char *fmt,
    va_list ap)
{
	struct conf_err *e;
	char *msg;

	if (p->nerrs == p->errcap) {
		int cap = p->errcap ? p->errcap * 2 : 16;

		e = reallocarray(p->errs, cap, sizeof(*e));
		if (e == NULL) {
			p->nomem++;
			return;
		}
		p->errs = e;
		p->errcap = cap;
	}
	if (vasprintf(&msg, fmt, ap) == -1) {
		p->nomem++;
		return;
	}
	e = &p->errs[p->nerrs];
	e->line = line;
	e->col = col;
	e->seq = p->nerrs++;
	e->msg = msg;
}

static void __attribute__((format(printf, 4, 5)))
conf_errat(struct conf_parse *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(p, line, col, fmt, ap);
	va_end(ap);
}

/* An error at node (NULL: about the whole file, no position). */
void
conf_err(struct conf_parse *p, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	int line = -1, col = -1;

	if (node != NULL) {
		line = node->start_mark.line;
		col = node->start_mark.column;
	}
	va_start(ap, fmt);
	conf_verr(p, line, col, fmt, ap);
	va_end(ap);
}

static int
conf_err_cmp(const void *a, const void *b)
{
	const struct conf_err *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Print the errors in file order and free them; the number of errors. */
static int
conf_flush(struct conf_parse *p, FILE *errf)
{
	int i, n;

	/* (qsort's array must not be NULL, even for no element) */
	if (p->nerrs > 1)
		qsort(p->errs, p->nerrs, sizeof(*p->errs), conf_err_cmp);
	for (i = 0; i < p->nerrs; i++) {
		struct conf_err *e = &p->errs[i];

		if (errf != NULL && e->line < 0)
			fprintf(errf, "%s: %s\n", p->path, e->msg);
		else if (errf != NULL)
			fprintf(errf, "%s:%d:%d: %s\n", p->path, e->line + 1,
			    e->col + 1, e->msg);
		free(e->msg);
	}
	if (p->nomem && errf != NULL)
		fprintf(errf, "%s: out of memory; %d more errors not shown\n",
		    p->path, p->nomem);
	n = p->nerrs + p->nomem;
	free(p->errs);
	p->errs = NULL;
	p->nerrs = p->errcap = p->nomem = 0;
	return n;
}

yaml_node_t *
conf_item(struct conf_parse *p, yaml_node_item_t i)
{
	return yaml_document_get_node(p->doc, i);
}

/* The text of a scalar node ("" for any other node). */
const char *
conf_text(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return "";
	return (const char *)n->data.scalar.value;
}

/* A plain empty, ~ or null scalar: YAML's null. */
int
conf_is_null(const yaml_node_t *n)
{
	const char *s;

	if (n == NULL || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = conf_text(n);
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static int
conf_is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int
conf_line(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

/*
 * s in double quotes for a message: quotes, backslashes and control
 * characters escaped, cut with "..." when long.  buf has at least
 * CONF_QUOTE_MAX bytes.
 */
const char *
conf_quote(const char *s, char *buf, size_t len)
{
	size_t o = 0, room = len - 6;	/* '"', "...", '"', NUL */

	buf[o++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char ch = *s;
		char esc[8];
		size_t n;

		if (ch == '"' || ch == '\\')
			n = snprintf(esc, sizeof(esc), "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			n = snprintf(esc, sizeof(esc), "\\x%02x", ch);
		else {
			esc[0] = ch;
			esc[1] = '\0';
			n = 1;
		}
		if (o + n > room) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* What a node is, for "expected X, got Y". */
const char *
conf_describe(const yaml_node_t *n, char *buf, size_t len)
{
	char q[CONF_QUOTE_MAX];

	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_SCALAR_NODE:
		/* `tcp_flags: !syn' is the tag !syn on an empty value */
		if (conf_is_null(n) && n->tag != NULL && n->tag[0] == '!') {
			snprintf(buf, len, "the YAML tag %s (quote a value "
			    "that starts with '!')", conf_quote((const char *)
			    n->tag, q, sizeof(q)));
			return buf;
		}
		if (conf_is_null(n))
			return "nothing";
		conf_quote(conf_text(n), q, sizeof(q));
		if (conf_is_plain(n))
			snprintf(buf, len, "%s", q);
		else
			snprintf(buf, len, "the quoted string %s", q);
		return buf;
	default:
		return "nothing";
	}
}

const char *
conf_type_name(enum conf_type t)
{
	switch (t) {
	case CONF_T_INT:
		return "an integer";
	case CONF_T_BOOL:
		return "true or false";
	case CONF_T_STRING:
		return "a string";
	case CONF_T_MAP:
		return "a mapping";
	case CONF_T_SEQ:
		return "a sequence";
	case CONF_T_NAMES:
		return "a port name or a list of port names";
	case CONF_T_SIZE:
		return "a size in bytes such as 4096, 64K or 100M";
	case CONF_T_NUMBER:
		return "a number";
	}
	return "?";
}

void
conf_type_err(struct conf_parse *p, const struct conf_key *k,
    const yaml_node_t *val)
{
	char buf[CONF_QUOTE_MAX + 32];

	conf_err(p, val, "%s: expected %s, got %s", k->name,
	    conf_type_name(k->type), conf_describe(val, buf, sizeof(buf)));
}

/*
 * Integer syntax: [+-] then 0x and hex digits, or decimal digits without
 * a leading zero.  0: *v set; 1: too large (*v is LLONG_MAX or
 * LLONG_MIN); -1: not an integer; -2: leading zero.
 */
int
conf_parse_int(const char *s, long long *v)
{
	unsigned long long u = 0, d;
	int neg = 0, base = 10, over = 0, lead0 = 0;
	const char *q;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0')
		lead0 = 1;
	if (*s == '\0')
		return -1;
	for (q = s; *q != '\0'; q++) {
		if (isdigit((unsigned char)*q))
			d = *q - '0';
		else if (base == 16 && isxdigit((unsigned char)*q))
			d = tolower((unsigned char)*q) - 'a' + 10;
		else
			return -1;
		if (u > (ULLONG_MAX - d) / base)
			over = 1;
		else
			u = u * base + d;
	}
	if (lead0)
		return -2;
	if (over || u > (unsigned long long)LLONG_MAX) {
		*v = neg ? LLONG_MIN : LLONG_MAX;
		return 1;
	}
	*v = neg ? -(long long)u : (long long)u;
	return 0;
}

/*
 * A size: an integer without a sign, optionally followed by K, M or G
 * (1024-based, either case).  The results of conf_parse_int().
 */
static int
conf_parse_size(const char *s, long long *v)
{
	char num[32];
	size_t len = strlen(s);
	long long mul = 1;
	int r;

	if (len == 0 || len >= sizeof(num) || *s == '-' || *s == '+')
		return -1;
	switch (s[len - 1]) {
	case 'k':
	case 'K':
		mul = 1LL << 10;
		break;
	case 'm':
	case 'M':
		mul = 1LL << 20;
		break;
	case 'g':
	case 'G':
		mul = 1LL << 30;
		break;
	}
	memcpy(num, s, len + 1);
	if (mul != 1) {
		num[len - 1] = '\0';
		/* 0x10K would read as hex 0x10 K: a suffix takes decimal */
		if (strchr(num, 'x') != NULL || strchr(num, 'X') != NULL)
			return -1;
	}
	if ((r = conf_parse_int(num, v)) != 0)
		return r;
	if (*v > LLONG_MAX / mul) {
		*v = LLONG_MAX;
		return 1;
	}
	*v *= mul;
	return 0;
}

/* v with the largest suffix that divides it: 4096 is "4K". */
const char *
conf_size_str(unsigned long long v, char *buf, size_t len)
{
	static const char suffix[] = "KMG";
	int i = -1;

	while (i < 2 && v != 0 && v % 1024 == 0) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", v);
	else
		snprintf(buf, len, "%llu%c", v, suffix[i]);
	return buf;
}

/* A plain decimal number, fraction and exponent allowed. */
static int
conf_parse_number(const char *s, double *v)
{
	const char *q;
	char *end;

	if (!isdigit((unsigned char)*s) && !(*s == '.' &&
	    isdigit((unsigned char)s[1])))
		return -1;
	for (q = s; *q != '\0'; q++)
		if (!isdigit((unsigned char)*q) && strchr(".eE+-", *q) == NULL)
			return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	return 0;
}

static int
conf_parse_bool(const char *s, int *v)
{
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcasecmp(s, "on") == 0)
		*v = 1;
	else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
	    strcasecmp(s, "off") == 0)
		*v = 0;
	else
		return -1;
	return 0;
}

static void
conf_store(void *obj, const struct conf_key *k, long long v)
{
	char *f = (char *)obj + k->off;

	switch (k->size) {
	case 1: {
		uint8_t x = v;
		memcpy(f, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = v;
		memcpy(f, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = v;
		memcpy(f, &x, 4);
		break;
	}
	case 8: {
		uint64_t x = v;
		memcpy(f, &x, 8);
		break;
	}
	}
}

static long long
conf_scaled(const struct conf_key *k, long long v)
{
	return v * (k->scale ? k->scale : 1) + k->bias;
}

/* A key's bound as it is written: sizes with their suffix. */
static const char *
conf_bound(const struct conf_key *k, long long v, char *buf, size_t len)
{
	if (k->type == CONF_T_SIZE && v >= 0)
		return conf_size_str(v, buf, len);
	snprintf(buf, len, "%lld", v);
	return buf;
}

int
conf_int(struct conf_parse *p, const struct conf_key *k, yaml_node_t *val,
    long long *v)
{
	const char *s = conf_text(val), *unit = "";
	char u[80] = "", lo[32], hi[32];
	int r, bad;

	if (!conf_is_plain(val) || conf_is_null(val) ||
	    (r = k->type == CONF_T_SIZE ? conf_parse_size(s, v) :
	    conf_parse_int(s, v)) == -1) {
		conf_type_err(p, k, val);
		return -1;
	}
	if (r == -2) {
		conf_err(p, val, "%s: %.40s has a leading zero, which YAML 1.1 "
		    "reads as octal; write it without", k->name, s);
		return -1;
	}
	if (k->unit != NULL) {
		snprintf(u, sizeof(u), " (%s)", k->unit);
		unit = u;
	}
	bad = r == 1 || *v < k->min || *v > k->max;
	if ((k->flags & CONF_K_POW2) && !bad && (*v & (*v - 1)) != 0)
		bad = 1;
	conf_bound(k, k->min, lo, sizeof(lo));
	conf_bound(k, k->max, hi, sizeof(hi));
	if (bad) {
		if (k->flags & CONF_K_POW2)
			conf_err(p, val, "%s: %.40s is not a power of two "
			    "between %s and %s%s", k->name, s, lo, hi, unit);
		else if (k->max == LLONG_MAX && *v < k->min)
			conf_err(p, val, "%s: %.40s is less than %s%s",
			    k->name, s, lo, unit);
		else if (k->max == LLONG_MAX)
			conf_err(p, val, "%s: %.40s is too large%s",
			    k->name, s, unit);
		else
			conf_err(p, val, "%s: %.40s is not between %s and "
			    "%s%s", k->name, s, lo, hi, unit);
		return -1;
	}
	if ((k->flags & CONF_K_CPU) && *v >= p->ncpus) {
		conf_err(p, val, "%s %lld does not exist on this machine "
		    "(%ld CPU%s)", k->name, *v, p->ncpus,
		    p->ncpus == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

static int
conf_bool(struct conf_parse *p, const struct conf_key *k, yaml_node_t *val,
    int *v)
{
	if (!conf_is_plain(val) || conf_parse_bool(conf_text(val), v) == -1) {
		conf_type_err(p, k, val);
		return -1;
	}
	return 0;
}

/* Set the INT, SIZE and BOOL fields of obj that have a default. */
void
conf_defaults(const struct conf_table *t, void *obj)
{
	const struct conf_key *k;
	long long v;
	int b;

	for (k = t->keys; k < t->keys + t->nkeys; k++) {
		if (k->def == NULL || k->size == 0)
			continue;
		if (k->type == CONF_T_INT && conf_parse_int(k->def, &v) == 0)
			conf_store(obj, k, conf_scaled(k, v));
		else if (k->type == CONF_T_SIZE &&
		    conf_parse_size(k->def, &v) == 0)
			conf_store(obj, k, conf_scaled(k, v));
		else if (k->type == CONF_T_BOOL &&
		    conf_parse_bool(k->def, &b) == 0)
			conf_store(obj, k, b);
	}
}

/* Optimal string alignment distance, ignoring case; short strings only. */
static int
conf_distance(const char *a, const char *b)
{
	int d[33][33], i, j, la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return INT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			int m = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < m)
				m = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	}
	return d[la][lb];
}

/* The key of the parts that name is most likely a typo of: its part in
 * *pi, NULL if none. */
static const struct conf_key *
conf_suggest(const struct conf_part *parts, int nparts, const char *name,
    int *pi)
{
	const struct conf_key *k, *best = NULL;
	const struct conf_table *t;
	int bestd = INT_MAX, dist, i;

	for (i = 0; i < nparts; i++) {
		t = parts[i].t;
		for (k = t->keys; k < t->keys + t->nkeys; k++) {
			dist = conf_distance(name, k->name);
			if (dist <= 2 && dist <= (int)strlen(k->name) / 2 &&
			    dist < bestd) {
				best = k;
				bestd = dist;
				*pi = i;
			}
		}
	}
	return best;
}

/* Returns the index of the key suggested instead in its part, whose
 * index goes to *pi; or -1. */
static int
conf_unknown_key(struct conf_parse *p, const struct conf_part *parts,
    int nparts, yaml_node_t *key, int *pi)
{
	const struct conf_table *t;
	const struct conf_key *k;
	const char *name = conf_text(key), *where = parts[0].t->where;
	char q[CONF_QUOTE_MAX], known[512] = "";
	int i;

	conf_quote(name, q, sizeof(q));
	if ((k = conf_suggest(parts, nparts, name, pi)) != NULL) {
		conf_err(p, key, "unknown key %s %s; did you mean \"%s\"?", q,
		    where, k->name);
		return (int)(k - parts[*pi].t->keys);
	}
	for (i = 0; i < nparts; i++) {
		t = parts[i].t;
		for (k = t->keys; k < t->keys + t->nkeys; k++) {
			if (known[0] != '\0')
				strlcat(known, ", ", sizeof(known));
			strlcat(known, k->name, sizeof(known));
		}
	}
	conf_err(p, key, "unknown key %s %s (known keys: %s)", q, where,
	    known);
	return -1;
}

static void
conf_value(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	long long v;
	double d;
	int b;

	switch (k->type) {
	case CONF_T_INT:
	case CONF_T_SIZE:
		if (conf_int(p, k, val, &v) == -1)
			return;
		if (k->size != 0)
			conf_store(obj, k, conf_scaled(k, v));
		break;
	case CONF_T_BOOL:
		if (conf_bool(p, k, val, &b) == -1)
			return;
		if (k->size != 0)
			conf_store(obj, k, b);
		break;
	case CONF_T_NUMBER:
		if (!conf_is_plain(val) ||
		    conf_parse_number(conf_text(val), &d) == -1) {
			conf_type_err(p, k, val);
			return;
		}
		if (k->size == sizeof(d))
			memcpy((char *)obj + k->off, &d, sizeof(d));
		break;
	case CONF_T_STRING:
		if (val->type != YAML_SCALAR_NODE || (conf_is_null(val) &&
		    !((k->flags & CONF_K_NULLWORD) &&
		    strcmp(conf_text(val), "null") == 0))) {
			conf_type_err(p, k, val);
			return;
		}
		if (strlen(conf_text(val)) != val->data.scalar.length) {
			conf_err(p, val, "%s: contains a NUL character",
			    k->name);
			return;
		}
		break;
	case CONF_T_MAP:
		if (val->type != YAML_MAPPING_NODE &&
		    !((k->flags & CONF_K_NULLMAP) && conf_is_null(val))) {
			conf_type_err(p, k, val);
			return;
		}
		break;
	case CONF_T_SEQ:
		if (val->type != YAML_SEQUENCE_NODE) {
			conf_type_err(p, k, val);
			return;
		}
		break;
	case CONF_T_NAMES:
		break;
	}
	if (k->sub != NULL)
		conf_walk(p, val, k->sub, (char *)obj + k->off, NULL);
	if (k->set != NULL)
		k->set(p, obj, k, key, val);
}

/* The index of the key called name in its part, whose index goes to *pi;
 * -1 if no part has it. */
static int
conf_find_key(const struct conf_part *parts, int nparts, const char *name,
    int *pi)
{
	const struct conf_table *t;
	int i, j;

	for (j = 0; j < nparts; j++) {
		t = parts[j].t;
		for (i = 0; i < t->nkeys; i++) {
			if (strcmp(name, t->keys[i].name) == 0) {
				*pi = j;
				return i;
			}
		}
	}
	return -1;
}

/*
 * Walk the mapping map with table t into obj: unknown, duplicate and
 * missing keys are errors; each value is converted or handed to its key's
 * handler.  seen (t->nkeys entries, may be NULL) tells the caller which
 * keys were there.
 */
void
conf_walk(struct conf_parse *p, yaml_node_t *map, const struct conf_table *t,
    void *obj, struct conf_seen *seen)
{
	struct conf_part part = { .t = t, .obj = obj, .seen = seen };

	conf_walk_parts(p, map, &part, 1);
}

/*
 * The same with the keys of several tables, each into its own object;
 * messages say where the mapping is as the first table does.
 */
void
conf_walk_parts(struct conf_parse *p, yaml_node_t *map,
    struct conf_part *parts, int nparts)
{
	struct conf_seen local[CONF_PARTS_MAX][CONF_KEYS_MAX], *seen;
	const struct conf_table *t;
	yaml_node_pair_t *pair;
	yaml_node_t *key, *val;
	char buf[CONF_QUOTE_MAX + 32];
	int i, j, pi, typo[CONF_PARTS_MAX][CONF_KEYS_MAX];

	memset(typo, 0, sizeof(typo));
	for (j = 0; j < nparts; j++) {
		if (parts[j].seen == NULL)
			parts[j].seen = local[j];
		memset(parts[j].seen, 0, sizeof(*parts[j].seen) *
		    parts[j].t->nkeys);
	}
	if (map->type != YAML_MAPPING_NODE)
		return;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		key = conf_item(p, pair->key);
		val = conf_item(p, pair->value);
		if (key == NULL || val == NULL)
			continue;
		if (key->type != YAML_SCALAR_NODE) {
			conf_err(p, key, "expected a key %s, got %s",
			    parts[0].t->where,
			    conf_describe(key, buf, sizeof(buf)));
			continue;
		}
		if ((i = conf_find_key(parts, nparts, conf_text(key), &j)) <
		    0) {
			if ((i = conf_unknown_key(p, parts, nparts, key,
			    &pi)) >= 0)
				typo[pi][i] = 1;
			continue;
		}
		t = parts[j].t;
		seen = parts[j].seen;
		if (seen[i].key != NULL) {
			conf_err(p, key, "duplicate key \"%s\" (first at line "
			    "%d)", t->keys[i].name, conf_line(seen[i].key));
			continue;
		}
		seen[i].key = key;
		seen[i].val = val;
		conf_value(p, parts[j].obj, &t->keys[i], key, val);
	}
	/* a misspelt required key is one error, not two */
	for (j = 0; j < nparts; j++) {
		t = parts[j].t;
		for (i = 0; i < t->nkeys; i++)
			if ((t->keys[i].flags & CONF_K_REQUIRED) &&
			    parts[j].seen[i].key == NULL && !typo[j][i])
				conf_err(p, map, "missing required key \"%s\" "
				    "%s", t->keys[i].name, parts[0].t->where);
	}
	/* the caller's pointers stay its own */
	for (j = 0; j < nparts; j++)
		if (parts[j].seen == local[j])
			parts[j].seen = NULL;
}

/*
 * Walk the sequence seq, the value of key k, whose items are mappings:
 * each goes to l->entry with obj and its index, *count counting them.  An
 * item that is not a mapping is an error, and so is one beyond l->max,
 * which ends the walk.
 */
void
conf_walk_list(struct conf_parse *p, const struct conf_key *k,
    yaml_node_t *seq, const struct conf_list *l, int *count, void *obj)
{
	yaml_node_item_t *it;
	yaml_node_t *n;
	char d[CONF_QUOTE_MAX + 32];

	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		if ((n = conf_item(p, *it)) == NULL)
			continue;
		if (*count == l->max) {
			conf_err(p, n, "%s: at most %d %s are supported",
			    k->name, l->max, l->noun);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			conf_err(p, n, "%s: expected a mapping %s, got %s",
			    k->name, l->example,
			    conf_describe(n, d, sizeof(d)));
			continue;
		}
		l->entry(p, obj, (*count)++, n);
	}
}

/*
 * Whether a file or directory may decide what ixfwd does: owned by root
 * or by owner (the user who started ixfwd), and writable by nobody else.
 * A directory writable by others is accepted only with the sticky bit
 * (/tmp): there nobody but its owner can rename or remove a file.  0, or
 * -1 with the reason recorded.
 */
static int
conf_trusted(struct conf_parse *p, const char *dir, const struct stat *st,
    uid_t owner)
{
	char what[PATH_MAX + 16] = "";

	if (dir != NULL)
		snprintf(what, sizeof(what), "directory %s is ", dir);
	if (st->st_uid != 0 && st->st_uid != owner) {
		conf_err(p, NULL, "refused: %sowned by uid %u, not by root%s",
		    what, (unsigned)st->st_uid, owner != 0 ?
		    " or the user starting ixfwd" : "");
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (dir == NULL || (st->st_mode & S_ISVTX) == 0)) {
		conf_err(p, NULL, "refused: %swritable by %s (mode %04o); "
		    "chmod go-w %s", what, (st->st_mode & S_IWOTH) != 0 ?
		    "others" : "its group", (unsigned)(st->st_mode & 07777),
		    dir != NULL ? dir : p->path);
		return -1;
	}
	return 0;
}

/* Directory d and every one above it, up to /, each as stat() finds
 * it (through a symbolic link: the directory it leads to). */
static int
conf_trusted_up(struct conf_parse *p, const char *dir, uid_t owner)
{
	char d[PATH_MAX], *slash;
	struct stat st;

	if (strlcpy(d, dir, sizeof(d)) >= sizeof(d)) {
		conf_err(p, NULL, "cannot check directory %s: %s", dir,
		    strerror(ENAMETOOLONG));
		return -1;
	}
	for (;;) {
		if (stat(d, &st) == -1) {
			conf_err(p, NULL, "cannot check directory %s: %s", d,
			    strerror(errno));
			return -1;
		}
		if (conf_trusted(p, d, &st, owner) == -1)
			return -1;
		if ((slash = strrchr(d, '/')) == NULL || strcmp(d, "/") == 0)
			return 0;
		if (slash == d)
			d[1] = '\0';
		else
			*slash = '\0';
	}
}

/*
 * The directories that decide what the file's name leads to: those the
 * name goes through as written (where a symbolic link to a directory
 * could be changed), and the real ones above the file.
 */
static int
conf_trusted_dirs(struct conf_parse *p, uid_t owner)
{
	char d[PATH_MAX], cwd[PATH_MAX], *slash;

	errno = 0;
	if (p->path[0] == '/')
		strlcpy(d, p->path, sizeof(d));
	else if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    (size_t)snprintf(d, sizeof(d), "%s/%s", strcmp(cwd, "/") == 0 ?
	    "" : cwd, p->path) >= sizeof(d)) {
		conf_err(p, NULL, "cannot check its directory: %s",
		    strerror(errno != 0 ? errno : ENAMETOOLONG));
		return -1;
	}
	if ((slash = strrchr(d, '/')) == d)
		d[1] = '\0';
	else
		*slash = '\0';
	if (conf_trusted_up(p, d, owner) == -1)
		return -1;
	if (p->dir[0] != '/' || strcmp(p->dir, d) == 0)
		return 0;	/* not resolved (the open said why), or done */
	return conf_trusted_up(p, p->dir, owner);
}

/*
 * Read the whole file; -1 with the reason recorded.  The file is opened
 * once, without following a symbolic link, and what was opened is what
 * is checked and read: replacing the file between the check and the read
 * changes nothing.
 */
static int
conf_read(struct conf_parse *p, char **bufp, size_t *lenp, uid_t owner)
{
	struct stat st;
	char *buf = NULL, target[PATH_MAX];
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(p->path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ELOOP && lstat(p->path, &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			if ((n = readlink(p->path, target,
			    sizeof(target) - 1)) < 0)
				n = 0;
			target[n] = '\0';
			conf_err(p, NULL, "refused: a symbolic link (to %s); "
			    "name the file itself", target);
		}
		else
			conf_err(p, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		conf_err(p, NULL, "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		conf_err(p, NULL, "cannot read: %s", strerror(EISDIR));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_err(p, NULL, "refused: not a regular file");
		goto fail;
	}
	if (conf_trusted(p, NULL, &st, owner) == -1 ||
	    conf_trusted_dirs(p, owner) == -1)
		goto fail;
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL) {
		conf_err(p, NULL, "cannot read: %s", strerror(errno));
		goto fail;
	}
	while (len <= CONF_FILE_MAX) {
		n = read(fd, buf + len, CONF_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			conf_err(p, NULL, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len > CONF_FILE_MAX) {
		conf_err(p, NULL, "larger than %d bytes: not a configuration",
		    CONF_FILE_MAX);
		goto fail;
	}
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

/* libyaml could not parse the file: say where and why. */
static void
conf_syntax_err(struct conf_parse *p, yaml_parser_t *yp, const char *buf,
    size_t len)
{
	const char *problem = yp->problem ? yp->problem : "cannot parse";
	int line = yp->problem_mark.line, col = yp->problem_mark.column;
	size_t i;

	if (yp->error == YAML_MEMORY_ERROR) {
		conf_err(p, NULL, "out of memory");
		return;
	}
	if (yp->error == YAML_READER_ERROR) {
		/* the reader knows only the byte offset */
		line = col = 0;
		for (i = 0; i < yp->problem_offset && i < len; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 0;
			} else
				col++;
		}
		if (yp->problem_value != -1)
			conf_errat(p, line, col, "%s (byte 0x%02x)", problem,
			    yp->problem_value & 0xff);
		else
			conf_errat(p, line, col, "%s", problem);
		return;
	}
	if (yp->context != NULL)
		conf_errat(p, line, col, "%s (%s at line %d, column %d)",
		    problem, yp->context, (int)yp->context_mark.line + 1,
		    (int)yp->context_mark.column + 1);
	else
		conf_errat(p, line, col, "%s", problem);
}

/* The directory relative paths in the file are taken from. */
static void
conf_set_dir(struct conf_parse *p)
{
	char d[PATH_MAX], *slash;

	if (strlcpy(d, p->path, sizeof(d)) >= sizeof(d))
		return;
	if ((slash = strrchr(d, '/')) == NULL)
		strlcpy(d, ".", sizeof(d));
	else if (slash == d)
		d[1] = '\0';
	else
		*slash = '\0';
	if (realpath(d, p->dir) == NULL)
		strlcpy(p->dir, d, sizeof(p->dir));
}

static void
conf_document(struct conf_parse *p, yaml_parser_t *yp, const char *buf,
    size_t len)
{
	yaml_document_t doc, more;
	yaml_node_t *root, *extra;
	struct conf_seen seen[CONF_KEYS_MAX];
	char d[CONF_QUOTE_MAX + 32];

	if (!yaml_parser_load(yp, &doc)) {
		conf_syntax_err(p, yp, buf, len);
		return;
	}
	p->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || conf_is_null(root))
		conf_errat(p, 0, 0, "empty configuration; expected a mapping "
		    "with \"ports\"");
	else if (root->type != YAML_MAPPING_NODE)
		conf_err(p, root, "expected a mapping at the top level, got %s",
		    conf_describe(root, d, sizeof(d)));
	else {
		conf_walk(p, root, &conf_root_table, p->c, seen);
		conf_root_end(p, seen);
	}

	if (!yaml_parser_load(yp, &more))
		conf_syntax_err(p, yp, buf, len);
	else {
		if ((extra = yaml_document_get_root_node(&more)) != NULL)
			conf_err(p, extra, "only one YAML document is allowed "
			    "in a configuration");
		yaml_document_delete(&more);
	}
	yaml_document_delete(&doc);
	p->doc = NULL;
}

int
conf_load(const char *path, struct conf *c, FILE *errf)
{
	return conf_load_owned(path, c, errf, geteuid());
}

int
conf_load_owned(const char *path, struct conf *c, FILE *errf, uid_t owner)
{
	struct conf_parse p;
	yaml_parser_t yp;
	char *buf;
	size_t len;
	int n;

	memset(c, 0, sizeof(*c));
	strlcpy(c->path, path, sizeof(c->path));
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.c = c;
	if ((p.ncpus = sysconf(_SC_NPROCESSORS_CONF)) < 1)
		p.ncpus = 1;
	conf_root_begin(&p);
	conf_set_dir(&p);

	if (conf_read(&p, &buf, &len, owner) == 0) {
		if (!yaml_parser_initialize(&yp))
			conf_err(&p, NULL, "out of memory");
		else {
			yaml_parser_set_input_string(&yp,
			    (const unsigned char *)buf, len);
			conf_document(&p, &yp, buf, len);
			yaml_parser_delete(&yp);
		}
		free(buf);
	}
	/* nothing runs from a configuration with errors: keep none of it
	 * allocated */
	if ((n = conf_flush(&p, errf)) != 0)
		conf_free(c);
	return n;
}

void
conf_free(struct conf *c)
{
	int i;

	for (i = 0; i < c->nforwards; i++) {
		free(c->forwards[i].rules);
		free(c->forwards[i].rule_line);
		c->forwards[i].rules = NULL;
		c->forwards[i].rule_line = NULL;
		c->forwards[i].nrules = 0;
	}
	free(c->bridge.rules);
	free(c->bridge.rule_line);
	c->bridge.rules = NULL;
	c->bridge.rule_line = NULL;
	c->bridge.nrules = 0;
}

/*
 * Helpers of the section files (conf_ports.c, conf_forward.c, ...): what
 * more than one of them needs.
 */

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

struct conf_seen *
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
int
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

/* Item n of the list that is the value of key k: 0 if it is a scalar
 * other than null, else -1 with "k: expected <what>, got ...". */
int
conf_scalar_item(struct conf_parse *p, const struct conf_key *k,
    yaml_node_t *n, const char *what)
{
	char d[CONF_QUOTE_MAX + 32];

	if (n->type == YAML_SCALAR_NODE && !conf_is_null(n))
		return 0;
	conf_err(p, n, "%s: expected %s, got %s", k->name, what,
	    conf_describe(n, d, sizeof(d)));
	return -1;
}

/* The value of k, a list of port names (to:, a bridge's ports:) resolved
 * once every port is read: 0, or -1 with an error for each item that is
 * not a name. */
int
conf_port_names(struct conf_parse *p, const struct conf_key *k,
    yaml_node_t *seq)
{
	yaml_node_item_t *it;
	yaml_node_t *n;
	int rc = 0;

	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++)
		if ((n = conf_item(p, *it)) != NULL &&
		    conf_scalar_item(p, k, n, "a port name") == -1)
			rc = -1;
	return rc;
}

const char *
conf_mac_str(const uint8_t m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
	return buf;
}

/* A path of the file, relative ones from the file's directory. */
int
conf_path(struct conf_parse *p, const char *s, char *out, size_t len)
{
	int n;

	if (s[0] == '/' || p->dir[0] == '\0')
		return strlcpy(out, s, len) < len ? 0 : -1;
	n = snprintf(out, len, "%s/%s", strcmp(p->dir, "/") == 0 ? "" :
	    p->dir, s);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* The path k gives (val) into out, as conf_path() makes it: 0, or -1 with
 * an error if it is empty or too long. */
int
conf_file_path(struct conf_parse *p, const struct conf_key *k,
    yaml_node_t *val, char *out, size_t len)
{
	const char *s = conf_text(val);

	if (*s == '\0') {
		conf_err(p, val, "%s: the path is empty", k->name);
		return -1;
	}
	if (conf_path(p, s, out, len) == -1) {
		conf_err(p, val, "%s: the path is too long", k->name);
		return -1;
	}
	return 0;
}

/* The directory a file called path is made in: "." when path has no
 * '/'. */
void
conf_file_dir(const char *path, char *dir, size_t len)
{
	char *slash;

	strlcpy(dir, path, len);
	if ((slash = strrchr(dir, '/')) == NULL)
		strlcpy(dir, ".", len);
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
}

/* Whether ixfwd can make files in dir, for the file k gives (val): 0, or
 * -1 with an error. */
int
conf_dir_writable(struct conf_parse *p, const struct conf_key *k,
    yaml_node_t *val, const char *dir)
{
	if (access(dir, W_OK) == 0)
		return 0;
	conf_err(p, val, "%s: cannot write in %s: %s", k->name, dir,
	    strerror(errno));
	return -1;
}

/* The name of a what ("port", "capture"): 0, or -1 with an error. */
int
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

/* A tcpdump expression into out: compiled now, so that a mistake is an
 * error of the file, with libpcap's words. */
int
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
int
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

/* One of the words of a list: its index, or -1 with an error. */
int
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
