/*
 * capture.c: capture definitions, their samplers and rings (the fast-path
 * side of capture.h).
 *
 * A sampler decides with a countdown: it holds the number of matching
 * packets until the next sample, so a packet that is not sampled costs a
 * decrement, and a batch without a sample in it one subtraction
 * (capture_sample_batch() in the header).  1 in N reloads the countdown
 * with N; probability p reloads it with a geometric draw (the gap between
 * two successes of a Bernoulli(p) process), which samples each packet
 * with probability p independently while touching the random generator
 * once per sample, not once per packet.
 *
 * A sample is copied into the worker's ring for that capture: one
 * producer (the worker), one consumer (the writer), free-running byte
 * indexes on separate cache lines, release on publish and acquire on
 * read.  The producer looks at the consumer's tail only when its cached
 * copy says the ring is full, and publishes its head once per batch.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "cacheline.h"
#include "capture_priv.h"
#include "log.h"

#define CAPTURE_TOKEN	1000000000ULL	/* one sample, in bucket units */

/*
 * Random numbers: xorshift64* (Vigna), seeded through splitmix64.
 */

static uint64_t
capture_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
capture_rand(struct capture_sampler *s)
{
	uint64_t x = s->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Natural logarithm of x > 0 (normal), to about 1e-12: the binary
 * exponent, and atanh's series for the mantissa brought near 1.  Here so
 * that the library needs no libm. */
static double
capture_ln(double x)
{
	uint64_t bits;
	double m, s, s2;
	int e;

	memcpy(&bits, &x, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & ((1ULL << 52) - 1)) | (1023ULL << 52);
	memcpy(&m, &bits, sizeof(m));
	if (m > 1.4142135623730951) {
		m *= 0.5;
		e++;
	}
	s = (m - 1) / (m + 1);
	s2 = s * s;
	return e * 0.69314718055994531 + 2 * s * (1 + s2 * (1.0 / 3 +
	    s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 + s2 * (1.0 / 11 +
	    s2 * (1.0 / 13 + s2 / 15)))))));
}

/* Matching packets until the next sample, this one included. */
static inline uint32_t
capture_next(struct capture_sampler *s)
{
	double u, k;

	if (s->every != 0)
		return s->every;
	/* u uniform in (0, 1]; P(k >= j) = (1 - p)^j */
	u = (double)((capture_rand(s) >> 11) + 1) * 0x1.0p-53;
	k = capture_ln(u) / s->ln_q;
	if (!(k < 4294967294.0))
		return UINT32_MAX;
	return (uint32_t)k + 1;
}

/*
 * The fast path's slow part: a batch with a sample in it, or a capture
 * with a filter or a `where'.
 */

static inline void
capture_refill(struct capture_sampler *s, uint64_t now)
{
	uint64_t dt;

	if (now <= s->last_ns) {
		/* first use, or the clock stepped back */
		s->last_ns = now;
		return;
	}
	dt = now - s->last_ns;
	s->last_ns = now;
	if (dt > CAPTURE_TOKEN)
		dt = CAPTURE_TOKEN;
	s->tokens += dt * s->rate;
	if (s->tokens > s->tokens_max)
		s->tokens = s->tokens_max;
}

void
capture_sampler_batch(struct capture_sampler *s, int dir,
    struct pkt_buf **bufs, uint16_t n, const uint8_t *verdicts,
    uint64_t *now_ns)
{
	const uint64_t ring_size = s->ring_mask + 1;
	uint64_t head = s->head;
	uint32_t seen = 0, filtered = 0, sampled = 0, limited = 0, full = 0;
	uint32_t cd = s->countdown;
	int refilled = 0;
	uint16_t k;

	for (k = 0; k < n; k++) {
		struct pkt_buf *b = bufs[k];
		struct capture_rec *r;
		uint32_t caplen, size;

		if (s->where != CAPTURE_WHERE_ALL) {
			int passed = verdicts == NULL || verdicts[k] != 0;

			if (passed != (s->where == CAPTURE_WHERE_PASSED))
				continue;
		}
		if (s->filter != NULL &&
		    !capture_filter_match(s->filter, pkt_data(b), b->len)) {
			filtered++;
			continue;
		}
		seen++;
		if (--cd != 0)
			continue;
		cd = capture_next(s);
		sampled++;

		if (*now_ns == 0)
			*now_ns = capture_clock_ns();
		if (s->rate != 0) {
			if (!refilled) {
				capture_refill(s, *now_ns);
				refilled = 1;
			}
			if (s->tokens < CAPTURE_TOKEN) {
				limited++;
				continue;
			}
			s->tokens -= CAPTURE_TOKEN;
		}

		caplen = b->len < s->snaplen ? b->len : s->snaplen;
		size = (uint32_t)CAPTURE_ALIGN8(sizeof(*r) + caplen);
		if (head + size - s->tail_cache > ring_size) {
			s->tail_cache = __atomic_load_n(&s->ring->tail,
			    __ATOMIC_ACQUIRE);
			if (head + size - s->tail_cache > ring_size) {
				full++;
				continue;
			}
		}
		/* may run past the end into the slack: never wraps */
		r = (struct capture_rec *)(s->ring_buf + (head & s->ring_mask));
		r->ts = *now_ns;
		r->size = size;
		r->len = b->len;
		r->caplen = (uint16_t)caplen;
		r->port = s->port;
		r->dir = (uint8_t)dir;
		memcpy(r + 1, pkt_data(b), caplen);
		head += size;
	}
	s->countdown = cd;
	if (head != s->head) {
		s->head = head;
		__atomic_store_n(&s->ring->head, head, __ATOMIC_RELEASE);
	}
	CAPTURE_COUNT(s->c.seen, seen);
	if (filtered)
		CAPTURE_COUNT(s->c.filtered, filtered);
	if (sampled) {
		CAPTURE_COUNT(s->c.sampled, sampled);
		if (limited)
			CAPTURE_COUNT(s->c.rate_limited, limited);
		if (full)
			CAPTURE_COUNT(s->c.ring_full, full);
	}
}

/*
 * Configuration.
 */

void
capture_conf_defaults(struct capture_conf *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->port = -1;
	cc->direction = CAPTURE_BOTH;
	cc->where = CAPTURE_WHERE_ALL;
	cc->sample = 1;
	cc->snaplen = CAPTURE_SNAPLEN_MAX;
	cc->format = CAPTURE_PCAP;
	cc->ring_size = CAPTURE_RING_DEFAULT;
	cc->file_mode = 0640;
}

static uint32_t
capture_rec_max(const struct capture_conf *cc)
{
	return (uint32_t)CAPTURE_ALIGN8(sizeof(struct capture_rec) +
	    cc->snaplen);
}

int
capture_conf_check(const struct capture_conf *cc, char *err, size_t errlen)
{
	struct capture_filter *f;
	char ferr[256];

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)
	if (memchr(cc->name, '\0', sizeof(cc->name)) == NULL ||
	    cc->name[0] == '\0')
		BAD("a capture needs a name");
	if (memchr(cc->port_name, '\0', sizeof(cc->port_name)) == NULL)
		BAD("port name too long");
	if (cc->port < 0 || cc->port >= CAPTURE_PORTS_MAX)
		BAD("port index %d out of range 0..%d", cc->port,
		    CAPTURE_PORTS_MAX - 1);
	if (cc->direction < CAPTURE_RX || cc->direction > CAPTURE_BOTH)
		BAD("direction must be rx, tx or both");
	if (cc->where != CAPTURE_WHERE_ALL &&
	    cc->where != CAPTURE_WHERE_PASSED &&
	    cc->where != CAPTURE_WHERE_DROPPED)
		BAD("where must be all, passed or dropped");
	if (cc->sample == 0 &&
	    !(cc->probability > 0 && cc->probability <= 1))
		BAD("probability must be in (0, 1]");
	if (cc->sample == 0 && cc->probability < 1e-12)
		BAD("probability too small");
	if (cc->max_rate > CAPTURE_MAX_RATE_MAX)
		BAD("max_rate must be at most %llu",
		    (unsigned long long)CAPTURE_MAX_RATE_MAX);
	if (cc->snaplen < 1 || cc->snaplen > CAPTURE_SNAPLEN_MAX)
		BAD("snaplen must be in 1..%d", CAPTURE_SNAPLEN_MAX);
	if (memchr(cc->file, '\0', sizeof(cc->file)) == NULL)
		BAD("file name too long");
	if (cc->file[0] == '\0')
		BAD("a capture needs a file");
	if (cc->format != CAPTURE_PCAP && cc->format != CAPTURE_PCAPNG)
		BAD("format must be pcap or pcapng");
	if (cc->rotate_count > CAPTURE_ROTATE_COUNT_MAX)
		BAD("rotate count must be at most %d",
		    CAPTURE_ROTATE_COUNT_MAX);
	if (cc->ring_size < CAPTURE_RING_MIN ||
	    cc->ring_size > CAPTURE_RING_MAX ||
	    (cc->ring_size & (cc->ring_size - 1)) != 0)
		BAD("ring size must be a power of two in %u..%u",
		    CAPTURE_RING_MIN, CAPTURE_RING_MAX);
	if (cc->ring_size < 4 * capture_rec_max(cc))
		BAD("ring size %u holds fewer than 4 samples of snaplen %u",
		    cc->ring_size, cc->snaplen);
	if ((uint64_t)cc->recorder * capture_rec_max(cc) >
	    CAPTURE_RECORDER_BYTES_MAX)
		BAD("recorder of %u samples of snaplen %u is too large",
		    cc->recorder, cc->snaplen);
	if (memchr(cc->filter, '\0', sizeof(cc->filter)) == NULL)
		BAD("filter too long");
	if (cc->filter[0] != '\0') {
		if ((f = capture_filter_compile(cc->filter, ferr,
		    sizeof(ferr))) == NULL)
			BAD("filter \"%s\": %s", cc->filter, ferr);
		capture_filter_free(f);
	}
#undef BAD
	return 0;
}

/* "sampled 1 in 1000, at most 500/s; rx; where passed" */
void
capture_describe(const struct capture_conf *cc, char *buf, size_t len)
{
	static const char *dirs[] = { "", "rx", "tx", "rx and tx" };
	static const char *wheres[] = { "all", "passed", "dropped" };
	char rate[64] = "";

	if (cc->max_rate != 0)
		snprintf(rate, sizeof(rate), ", at most %llu/s",
		    (unsigned long long)cc->max_rate);
	if (cc->sample != 0)
		snprintf(buf, len, "sampled 1 in %u%s; %s; where %s",
		    cc->sample, rate, dirs[cc->direction & 3],
		    wheres[cc->where]);
	else
		snprintf(buf, len, "sampled at random with probability %g%s;"
		    " %s; where %s", cc->probability, rate,
		    dirs[cc->direction & 3], wheres[cc->where]);
}

/*
 * The set.
 */

void
capture_free_one(struct capture *c)
{
	int w;

	if (c == NULL)
		return;
	if (c->samplers != NULL) {
		for (w = 0; w < c->set->nworkers; w++) {
			struct capture_sampler *s = c->samplers[w];

			if (s == NULL)
				continue;
			free(s->ring_buf);
			free(s->ring);
			free(s);
		}
	}
	free(c->samplers);
	free(c->srcs);
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->filter != NULL)
		capture_filter_free(c->filter);
	if (c->dead != NULL)
		pcap_close(c->dead);
	if (c->kept != NULL) {
		uint32_t i;

		for (i = 0; i < c->nkept; i++)
			free(c->kept[i]);
		free(c->kept);
	}
	free(c->rec_buf);
	if (c->live != NULL)
		free(c->live->buf);
	free(c->live);
	free(c);
}

static struct capture *
capture_new(struct capture_set *cs, const struct capture_conf *cc, int idx)
{
	struct capture *c;
	char err[512], ferr[256];

	if (capture_conf_check(cc, err, sizeof(err)) == -1) {
		log_warnx("capture %.*s: %s", CAPTURE_NAME_MAX, cc->name, err);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("capture %s", cc->name);
		return NULL;
	}
	c->conf = *cc;
	c->set = cs;
	c->idx = idx;
	c->dirfd = capture_dir_open(cc->file);
	c->rec_max = capture_rec_max(cc);
	c->start_ns = capture_clock_ns();
	c->samplers = calloc(cs->nworkers, sizeof(*c->samplers));
	c->srcs = calloc(cs->nworkers, sizeof(*c->srcs));
	if (c->samplers == NULL || c->srcs == NULL)
		goto nomem;
	if (cc->filter[0] != '\0' &&
	    (c->filter = capture_filter_compile(cc->filter, ferr,
	    sizeof(ferr))) == NULL) {
		log_warnx("capture %s: filter \"%s\": %s", cc->name,
		    cc->filter, ferr);
		goto fail;
	}
	if (cc->format == CAPTURE_PCAP &&
	    (c->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB,
	    (int)cc->snaplen, PCAP_TSTAMP_PRECISION_NANO)) == NULL) {
		log_warnx("capture %s: pcap_open_dead failed", cc->name);
		goto fail;
	}
	if (cc->rotate_count != 0 &&
	    (c->kept = calloc(cc->rotate_count, sizeof(*c->kept))) == NULL)
		goto nomem;
	if (cc->recorder != 0 &&
	    (c->rec_buf = calloc(cc->recorder, c->rec_max)) == NULL)
		goto nomem;
	return c;
nomem:
	log_warn("capture %s", cc->name);
fail:
	capture_free_one(c);
	return NULL;
}

static struct capture_worker *
capture_table_new(int w)
{
	struct capture_worker *t;

	if ((t = calloc_lines(1, sizeof(*t))) == NULL)
		return NULL;
	t->id = w;
	return t;
}

struct capture_set *
capture_create(const struct capture_conf *cc, int n, int nworkers)
{
	struct capture_set *cs;
	int i, j, w, errors = 0;

	if (n < 0 || n > CAPTURE_MAX) {
		log_warnx("%d captures, at most %d", n, CAPTURE_MAX);
		return NULL;
	}
	if (nworkers < 1 || nworkers > CAPTURE_WORKERS_MAX) {
		log_warnx("captures: %d workers, 1 to %d", nworkers,
		    CAPTURE_WORKERS_MAX);
		return NULL;
	}
	if ((cs = calloc(1, sizeof(*cs))) == NULL) {
		log_warn("captures");
		return NULL;
	}
	cs->nworkers = nworkers;
	pthread_mutex_init(&cs->lock, NULL);
	if ((cs->cur = calloc(nworkers, sizeof(*cs->cur))) == NULL ||
	    (cs->bound = calloc(nworkers, sizeof(*cs->bound))) == NULL ||
	    (cs->scratch = malloc(CAPTURE_SCRATCH)) == NULL)
		goto nomem;
	for (w = 0; w < nworkers; w++)
		if ((cs->cur[w] = capture_table_new(w)) == NULL)
			goto nomem;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(cc[i].name, cc[j].name) == 0) {
				log_warnx("capture %s: defined twice",
				    cc[i].name);
				errors++;
			}
		if ((cs->caps[cs->n] = capture_new(cs, &cc[i], i)) == NULL)
			errors++;
		else
			cs->n++;
	}
	if (errors) {
		capture_destroy(cs);
		return NULL;
	}
	return cs;
nomem:
	log_warn("captures");
	capture_destroy(cs);
	return NULL;
}

static struct capture_sampler *
capture_sampler_new(struct capture *c, int w)
{
	struct capture_sampler *s;
	uint64_t seed, bytes;

	if ((s = calloc_lines(1, sizeof(*s))) == NULL)
		return NULL;
	bytes = (uint64_t)c->conf.ring_size + c->rec_max;
	/* zeroed: the pages are faulted in now, not on the fast path */
	s->ring = calloc_lines(1, sizeof(*s->ring));
	s->ring_buf = calloc_lines(1, bytes);
	if (s->ring == NULL || s->ring_buf == NULL) {
		free(s->ring);
		free(s->ring_buf);
		free(s);
		return NULL;
	}
	s->ring_mask = c->conf.ring_size - 1;
	s->snaplen = (uint16_t)c->conf.snaplen;
	s->port = (uint16_t)c->conf.port;
	s->where = (uint8_t)c->conf.where;
	s->filter = c->filter;
	s->simple = c->filter == NULL && c->conf.where == CAPTURE_WHERE_ALL;
	if (c->conf.sample != 0)
		s->every = c->conf.sample;
	else if (c->conf.probability >= 1)
		s->every = 1;
	else
		s->ln_q = capture_ln(1 - c->conf.probability);
	seed = c->conf.seed != 0 ? c->conf.seed : capture_clock_ns();
	seed ^= ((uint64_t)w << 32) ^ (uint64_t)c->idx;
	do
		s->rng = capture_splitmix64(&seed);
	while (s->rng == 0);
	s->countdown = capture_next(s);
	c->srcs[w].ring = s->ring;
	c->srcs[w].buf = s->ring_buf;
	c->srcs[w].mask = s->ring_mask;
	return s;
}

/* max_rate shared evenly by the workers that sample the capture. */
static void
capture_share_rate(struct capture *c)
{
	uint64_t nb = 0, i = 0, share, depth;
	int w;

	if (c->conf.max_rate == 0)
		return;
	for (w = 0; w < c->set->nworkers; w++)
		if (c->samplers[w] != NULL)
			nb++;
	for (w = 0; w < c->set->nworkers; w++) {
		struct capture_sampler *s = c->samplers[w];

		if (s == NULL)
			continue;
		share = c->conf.max_rate / nb +
		    (i++ < c->conf.max_rate % nb ? 1 : 0);
		if (share == 0)
			share = 1;
		/* a burst of a tenth of a second's worth */
		depth = share / 10 > 1 ? share / 10 : 1;
		s->rate = share;
		s->tokens_max = depth * CAPTURE_TOKEN;
		s->tokens = s->tokens_max;
		s->last_ns = 0;
	}
}

/* c's sampler on worker w in its table t (if it watches (port, dir)). */
static void
capture_tap(struct capture_worker *t, struct capture *c, int w, int port,
    int dir)
{
	int d = dir - 1, k;

	if (c->conf.port != port || (c->conf.direction & dir) == 0 ||
	    c->samplers[w] == NULL)
		return;
	for (k = 0; k < t->ntaps[port][d]; k++)
		if (t->taps[port][d][k] == c->samplers[w])
			return;
	t->taps[port][d][t->ntaps[port][d]++] = c->samplers[w];
}

/* A sampler on every worker that sees c's port in c's direction. */
static int
capture_make_samplers(struct capture *c)
{
	struct capture_set *cs = c->set;
	int w;

	for (w = 0; w < cs->nworkers; w++) {
		if ((cs->bound[w][c->conf.port] & c->conf.direction) == 0 ||
		    c->samplers[w] != NULL)
			continue;
		if ((c->samplers[w] = capture_sampler_new(c, w)) == NULL)
			return -1;
	}
	capture_share_rate(c);
	return 0;
}

int
capture_worker_bind(struct capture_set *cs, int w, int port, int dir)
{
	int i;

	if (cs->bound_frozen) {
		log_warnx("captures: worker %d bound after start", w);
		return -1;
	}
	if (w < 0 || w >= cs->nworkers || port < 0 ||
	    port >= CAPTURE_PORTS_MAX || (dir != CAPTURE_RX &&
	    dir != CAPTURE_TX)) {
		log_warnx("captures: bad binding: worker %d port %d dir %d",
		    w, port, dir);
		return -1;
	}
	/* not published to a running worker yet: changed in place */
	cs->bound[w][port] |= (uint8_t)dir;
	for (i = 0; i < cs->n; i++) {
		struct capture *c = cs->caps[i];

		if (c->conf.port != port || (c->conf.direction & dir) == 0)
			continue;
		if (capture_make_samplers(c) == -1) {
			log_warn("capture %s: worker %d", c->conf.name, w);
			return -1;
		}
		capture_tap(cs->cur[w], c, w, port, dir);
	}
	return 0;
}

struct capture_worker *
capture_worker(struct capture_set *cs, int w)
{
	if (cs == NULL || w < 0 || w >= cs->nworkers)
		return NULL;
	return __atomic_load_n(&cs->cur[w], __ATOMIC_ACQUIRE);
}

struct capture_worker *const *
capture_worker_slot(struct capture_set *cs, int w)
{
	if (cs == NULL || w < 0 || w >= cs->nworkers)
		return NULL;
	return &cs->cur[w];
}

void
capture_set_quiesce(struct capture_set *cs, void (*fn)(void *), void *arg)
{
	cs->quiesce = fn;
	cs->quiesce_arg = arg;
}

/*
 * Run time: new tables from cs->caps, swapped in whole.
 */

/* Tables for every worker from the captures in caps (n of them); NULL
 * entries in out on failure, -1. */
static int
capture_tables_build(struct capture_set *cs, struct capture *const *caps,
    int n, struct capture_worker **out)
{
	int w, i, port, dir;

	for (w = 0; w < cs->nworkers; w++)
		out[w] = NULL;
	for (w = 0; w < cs->nworkers; w++) {
		if ((out[w] = capture_table_new(w)) == NULL)
			goto fail;
		for (port = 0; port < CAPTURE_PORTS_MAX; port++)
			for (dir = CAPTURE_RX; dir <= CAPTURE_TX; dir++) {
				if ((cs->bound[w][port] & dir) == 0)
					continue;
				for (i = 0; i < n; i++)
					capture_tap(out[w], caps[i], w, port,
					    dir);
			}
	}
	return 0;
fail:
	for (w = 0; w < cs->nworkers; w++)
		free(out[w]);
	return -1;
}

/* Publish fresh tables; once no worker can hold an old one, free them. */
static void
capture_tables_swap(struct capture_set *cs, struct capture_worker **fresh)
{
	int w;

	for (w = 0; w < cs->nworkers; w++)
		fresh[w] = __atomic_exchange_n(&cs->cur[w], fresh[w],
		    __ATOMIC_SEQ_CST);
	if (cs->quiesce != NULL)
		cs->quiesce(cs->quiesce_arg);
	for (w = 0; w < cs->nworkers; w++)
		free(fresh[w]);
}

static int capture_attach_one(struct capture_set *cs,
    const struct capture_conf *cc, struct capture_live *live, char *err,
    size_t errlen);

int
capture_attach(struct capture_set *cs, const struct capture_conf *cc,
    char *err, size_t errlen)
{
	return capture_attach_one(cs, cc, NULL, err, errlen);
}

/* The 24-byte pcap file header, nanosecond magic, Ethernet. */
static void
capture_pcap_header(uint8_t *h, uint32_t snaplen)
{
	uint32_t magic = 0xa1b23c4d, snap = snaplen, link = 1;
	uint16_t major = 2, minor = 4;

	memset(h, 0, 24);
	memcpy(h, &magic, 4);
	memcpy(h + 4, &major, 2);
	memcpy(h + 6, &minor, 2);
	memcpy(h + 16, &snap, 4);
	memcpy(h + 20, &link, 4);
}

int
capture_attach_live(struct capture_set *cs, const struct capture_conf *cc,
    uint64_t count, char *err, size_t errlen)
{
	struct capture_live *live;

	if (cc->recorder != 0) {
		snprintf(err, errlen, "a live capture has no flight recorder");
		return -1;
	}
	if ((live = calloc(1, sizeof(*live))) == NULL ||
	    (live->buf = malloc(CAPTURE_LIVE_BYTES)) == NULL) {
		free(live);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	live->size = CAPTURE_LIVE_BYTES;
	live->count = count;
	capture_pcap_header(live->buf, cc->snaplen);
	live->head = 24;
	return capture_attach_one(cs, cc, live, err, errlen);
}

ssize_t
capture_live_read(struct capture_set *cs, int i, void *buf, size_t len,
    int *done)
{
	struct capture_live *l;
	uint64_t head, n, off, first;
	int fin;

	if (i < 0 || i >= cs->n || (l = cs->caps[i]->live) == NULL)
		return -1;
	/* done before head: once done, head has every record */
	fin = __atomic_load_n(&l->done, __ATOMIC_ACQUIRE);
	head = __atomic_load_n(&l->head, __ATOMIC_ACQUIRE);
	n = head - l->tail;
	if (n > len)
		n = len;
	off = l->tail & (l->size - 1);
	first = l->size - off < n ? l->size - off : n;
	memcpy(buf, l->buf + off, first);
	memcpy((uint8_t *)buf + first, l->buf, n - first);
	__atomic_store_n(&l->tail, l->tail + n, __ATOMIC_RELEASE);
	*done = fin && l->tail == head;
	return (ssize_t)n;
}

int
capture_live_close(struct capture_set *cs, int i)
{
	struct capture_live *l;

	if (i < 0 || i >= cs->n || (l = cs->caps[i]->live) == NULL)
		return -1;
	capture_lock(cs);
	l->count = l->taken != 0 ? l->taken : 1;
	if (l->taken == 0)
		l->taken = 1;	/* nothing more, not even a first one */
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	capture_unlock(cs);
	return 0;
}

void
capture_file_now(struct capture_set *cs, int i, char *buf, size_t len)
{
	struct capture *c = cs->caps[i];

	capture_lock(cs);
	strlcpy(buf, c->f.fp != NULL ? c->f.path : "", len);
	capture_unlock(cs);
}

static int
capture_attach_one(struct capture_set *cs, const struct capture_conf *cc,
    struct capture_live *live, char *err, size_t errlen)
{
	struct capture_worker *fresh[CAPTURE_WORKERS_MAX];
	struct capture *caps[CAPTURE_MAX], *c = NULL;

	*err = '\0';
	if (cs->nworkers > CAPTURE_WORKERS_MAX)
		snprintf(err, errlen, "too many workers");
	else if (capture_find(cs, cc->name) != -1)
		snprintf(err, errlen, "capture %s exists already", cc->name);
	else if (cs->n == CAPTURE_MAX)
		snprintf(err, errlen, "%d captures already, the most there "
		    "can be", CAPTURE_MAX);
	else if (capture_conf_check(cc, err, errlen) == 0 &&
	    (c = capture_new(cs, cc, cs->n)) == NULL)
		snprintf(err, errlen, "cannot set up capture %s", cc->name);
	if (c == NULL) {
		if (live != NULL)
			free(live->buf);
		free(live);
		return -1;
	}
	c->live = live;
	memcpy(caps, cs->caps, cs->n * sizeof(*caps));
	caps[cs->n] = c;
	if (capture_make_samplers(c) == -1 ||
	    capture_tables_build(cs, caps, cs->n + 1, fresh) == -1) {
		snprintf(err, errlen, "capture %s: %s", cc->name,
		    strerror(ENOMEM));
		capture_free_one(c);
		return -1;
	}
	/* the writer drains it from the first sample on */
	capture_lock(cs);
	cs->caps[cs->n++] = c;
	capture_unlock(cs);
	capture_tables_swap(cs, fresh);
	if (cs->started && !cs->running && capture_writer_spawn(cs) == -1) {
		snprintf(err, errlen, "capture %s: no writer thread",
		    cc->name);
		capture_detach(cs, cc->name);
		return -1;
	}
	return 0;
}

int
capture_detach(struct capture_set *cs, const char *name)
{
	struct capture_worker *fresh[CAPTURE_WORKERS_MAX];
	struct capture *caps[CAPTURE_MAX], *c;
	int i, k, n = 0;

	if ((k = capture_find(cs, name)) == -1)
		return -1;
	c = cs->caps[k];
	for (i = 0; i < cs->n; i++)
		if (i != k)
			caps[n++] = cs->caps[i];
	if (capture_tables_build(cs, caps, n, fresh) == -1) {
		/* the published tables may not be changed in place: it
		 * keeps running */
		log_warnx("capture %s: cannot detach: %s", name,
		    strerror(ENOMEM));
		return -1;
	}
	capture_tables_swap(cs, fresh);
	/* no worker writes its rings any more: what they hold, to its file */
	capture_lock(cs);
	capture_flush_out(c);
	memmove(&cs->caps[k], &cs->caps[k + 1],
	    (cs->n - k - 1) * sizeof(*cs->caps));
	cs->n--;
	capture_unlock(cs);
	capture_free_one(c);
	return 0;
}

int
capture_find(const struct capture_set *cs, const char *name)
{
	int i;

	for (i = 0; cs != NULL && i < cs->n; i++)
		if (strcmp(cs->caps[i]->conf.name, name) == 0)
			return i;
	return -1;
}

const struct capture_conf *
capture_get_conf(const struct capture_set *cs, int i)
{
	return &cs->caps[i]->conf;
}

int
capture_count(const struct capture_set *cs)
{
	return cs == NULL ? 0 : cs->n;
}

const char *
capture_name(const struct capture_set *cs, int i)
{
	return cs->caps[i]->conf.name;
}

#define LOAD(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)

void
capture_sum(const struct capture *c, struct capture_stats *st)
{
	int w;

	memset(st, 0, sizeof(*st));
	for (w = 0; w < c->set->nworkers; w++) {
		struct capture_sampler *s = c->samplers[w];

		if (s == NULL)
			continue;
		st->seen += LOAD(s->c.seen);
		st->filtered += LOAD(s->c.filtered);
		st->sampled += LOAD(s->c.sampled);
		st->rate_limited += LOAD(s->c.rate_limited);
		st->ring_full += LOAD(s->c.ring_full);
	}
	st->written = LOAD(c->written);
	st->write_failed = LOAD(c->write_failed);
	st->recorded = LOAD(c->recorded);
	st->files = LOAD(c->files);
	st->bytes = LOAD(c->bytes);
	st->failing = LOAD(c->failing);
}

void
capture_stats(struct capture_set *cs, int i, struct capture_stats *st)
{
	capture_sum(cs->caps[i], st);
}

void
capture_destroy(struct capture_set *cs)
{
	int i;

	if (cs == NULL)
		return;
	capture_stop(cs);
	for (i = 0; i < cs->n; i++)
		capture_free_one(cs->caps[i]);
	pthread_mutex_destroy(&cs->lock);
	free(cs->scratch);
	for (i = 0; cs->cur != NULL && i < cs->nworkers; i++)
		free(cs->cur[i]);
	free(cs->cur);
	free(cs->bound);
	free(cs);
}
