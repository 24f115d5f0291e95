/*
 * capture.h: sampled packet capture that never stalls forwarding.
 *
 *   worker ─► capture_sample_batch() ─(copy snaplen)─► SPSC ring ─┐
 *   worker ─► capture_sample_batch() ─(copy snaplen)─► SPSC ring ─┼─► writer
 *                                                                 │   thread
 *                          pcap / pcapng files, rotated ◄─────────┘
 *
 * A capture (struct capture_conf) watches one port in one or both
 * directions and takes 1 in N of the packets that match its `where' and
 * its filter, or each with a probability, optionally at most max_rate per
 * second.  Every worker that sees the port has its own sampler and ring
 * for each capture, so the producer side takes no lock, makes no syscall,
 * allocates nothing and never waits: a full ring drops the sample and
 * counts it.  One writer thread drains every ring into the capture's
 * files, rotates them by size, age and count, and survives a full or
 * read-only disk by counting what it cannot write and trying again every
 * second.
 *
 * Life cycle, all on the control thread but capture_sample_batch():
 *
 *   capture_create(confs, n, nworkers)
 *   capture_worker_bind(set, worker, port, CAPTURE_RX or CAPTURE_TX)
 *                                   for every port a worker polls or sends to
 *   capture_start(set, cpus)        the writer thread
 *   ... workers call capture_sample_batch(capture_worker(set, w), ...) ...
 *   capture_dump_recorder(set, name)  on SIGUSR2 / a control command
 *   capture_stats(set, i, &st)
 *   capture_stop(set)               after the workers stopped: drains, closes
 *   capture_destroy(set)
 *
 * Adding and removing captures while the workers run:
 *
 *   capture_set_quiesce(set, fn, arg)  once, before the workers start: fn
 *                                   returns when every running worker has
 *                                   finished the poll round it was in
 *   capture_attach(set, &conf, err, errlen)   a new capture, sampling at
 *                                   the next poll round of each worker
 *   capture_detach(set, name)       gone after the workers' current round;
 *                                   what its rings held is written and its
 *                                   file closed, complete
 *
 * A worker's taps (struct capture_worker) are immutable once published:
 * attach and detach build new tables off the fast path, publish each with
 * one release store, wait for fn (the batch boundary, as pipe_update()
 * does for paths) and only then free what the workers may still have
 * held.  A worker loads its table once a poll round through
 * capture_worker_slot(); nothing is added per packet.  Attach or detach
 * never stops a worker, and the other captures' files are untouched.  A
 * set may start empty (no writer thread until the first capture).
 */
#ifndef IXFWD_CAPTURE_H
#define IXFWD_CAPTURE_H

#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "mempool.h"

#define CAPTURE_NAME_MAX	32	/* capture and port names, incl. NUL */
#define CAPTURE_FILTER_MAX	1024	/* filter expression, incl. NUL */
#define CAPTURE_MAX		16	/* captures in a set */
#define CAPTURE_PORTS_MAX	16	/* port indexes 0..15 (CONF_PORTS_MAX) */
#define CAPTURE_WORKERS_MAX	64	/* workers of a set (PIPE_WORKERS_MAX) */
#define CAPTURE_SNAPLEN_MAX	65535
#define CAPTURE_RING_DEFAULT	(1U << 20)	/* bytes, per worker and capture */
#define CAPTURE_RING_MIN	(1U << 12)
#define CAPTURE_RING_MAX	(1U << 30)
#define CAPTURE_LIVE_BYTES	(1U << 20)	/* a live capture's stream buffer */

/* direction: a mask in the configuration; CAPTURE_RX or CAPTURE_TX on the
 * fast path. */
#define CAPTURE_RX		1
#define CAPTURE_TX		2
#define CAPTURE_BOTH		(CAPTURE_RX | CAPTURE_TX)

enum capture_where {
	CAPTURE_WHERE_ALL,	/* every packet */
	CAPTURE_WHERE_PASSED,	/* verdict nonzero (or no verdicts given) */
	CAPTURE_WHERE_DROPPED,	/* verdict zero */
};

enum capture_format {
	CAPTURE_PCAP,		/* libpcap, nanosecond timestamps */
	CAPTURE_PCAPNG,		/* with port, filter, rate and drop counts */
};

/* One capture as configured.  capture_conf_defaults() fills a blank one;
 * capture_conf_check() says what is wrong with one. */
struct capture_conf {
	char		 name[CAPTURE_NAME_MAX];
	int		 port;			/* port index */
	char		 port_name[CAPTURE_NAME_MAX];	/* pcapng if_name */
	int		 direction;		/* CAPTURE_RX, _TX or _BOTH */
	enum capture_where where;
	uint32_t	 sample;		/* 1 in N, deterministic; 0: use probability */
	double		 probability;		/* 0 < p <= 1, when sample == 0 */
	uint64_t	 max_rate;		/* samples/s over all workers, 0: no cap */
	char		 filter[CAPTURE_FILTER_MAX];	/* tcpdump syntax, "": none */
	uint32_t	 snaplen;		/* 1..65535, default 65535 */
	char		 file[PATH_MAX];	/* strftime(3) pattern */
	uint64_t	 rotate_size;		/* bytes, 0: no size limit */
	uint32_t	 rotate_seconds;	/* 0: no age limit */
	uint32_t	 rotate_count;		/* keep the newest N files, 0: all */
	enum capture_format format;
	uint32_t	 recorder;		/* >0: keep the last N samples in
						 * memory, written on demand only */
	uint32_t	 ring_size;		/* bytes per worker, power of two,
						 * default CAPTURE_RING_DEFAULT */
	uint64_t	 seed;			/* probability sampling; 0: from the clock */
	uint32_t	 file_mode;		/* files made, default 0640 */
};

/* Counters of one capture, summed over its workers. */
struct capture_stats {
	uint64_t	seen;		/* matched port, direction, where, filter */
	uint64_t	filtered;	/* rejected by the filter */
	uint64_t	sampled;	/* picked by 1-in-N or probability */
	uint64_t	rate_limited;	/* picked, over max_rate: not copied */
	uint64_t	ring_full;	/* picked, the ring was full: not copied */
	uint64_t	written;	/* records handed to the kernel, in files */
	uint64_t	write_failed;	/* copied, but the file could not take them */
	uint64_t	recorded;	/* recorder: taken into memory */
	uint64_t	files;		/* files opened */
	uint64_t	bytes;		/* bytes written, headers included */
	int		failing;	/* output stopped by an error, retrying */
};

/*
 * What the fast path sees.  Control-plane state (files, names, the
 * writer) stays in capture_priv.h.
 */

struct capture_filter;
struct capture_set;

/* The ring's two indexes, free-running byte counts, each on its own cache
 * line: head is written by the worker only, tail by the writer only. */
struct capture_ring {
	uint64_t	 head __attribute__((aligned(64)));
	uint64_t	 tail __attribute__((aligned(64)));
	uint8_t		 pad[56];
};

/* A record in the ring: this header, then caplen bytes, rounded up to 8.
 * A record is contiguous in memory; one that would cross the end of the
 * ring spills into a slack area after it instead of wrapping. */
struct capture_rec {
	uint64_t	 ts;		/* ns since the epoch */
	uint32_t	 size;		/* whole record, multiple of 8 */
	uint32_t	 len;		/* original length */
	uint16_t	 caplen;
	uint16_t	 port;
	uint8_t		 dir;		/* CAPTURE_RX or CAPTURE_TX */
	uint8_t		 pad[3];
};

/* Counters of one sampler: one writer (its worker), relaxed stores. */
struct capture_counters {
	uint64_t	 seen;
	uint64_t	 filtered;
	uint64_t	 sampled;
	uint64_t	 rate_limited;
	uint64_t	 ring_full;
};

/* One capture on one worker.  Everything but the ring's tail and the
 * counters' readers is private to the worker. */
struct capture_sampler {
	uint32_t	 countdown;	/* matching packets until the next sample */
	uint8_t		 simple;	/* no filter, where: all */
	uint8_t		 where;
	uint16_t	 snaplen;
	uint16_t	 port;
	uint16_t	 pad0;
	uint32_t	 every;		/* 1 in N; 0: geometric (probability) */
	double		 ln_q;		/* ln(1 - p) */
	uint64_t	 rng;		/* xorshift64* state */
	uint64_t	 rate;		/* this worker's share of max_rate, 0: none */
	uint64_t	 tokens;	/* in 1/1e9 samples */
	uint64_t	 tokens_max;
	uint64_t	 last_ns;	/* last refill */
	uint64_t	 head;		/* the producer's copy of ring->head */
	uint64_t	 tail_cache;	/* ring->tail when last looked at */
	uint64_t	 ring_mask;
	uint8_t		*ring_buf;
	struct capture_ring *ring;
	const struct capture_filter *filter;
	struct capture_counters c __attribute__((aligned(64)));
} __attribute__((aligned(64)));

/* A worker's samplers, indexed by port and direction. */
struct capture_worker {
	uint8_t		 ntaps[CAPTURE_PORTS_MAX][2];
	struct capture_sampler *taps[CAPTURE_PORTS_MAX][2][CAPTURE_MAX];
	int		 id;
};

/* Counters have one writer: a relaxed store of the sum is a plain move,
 * and the control thread's relaxed load never sees a torn value. */
#define CAPTURE_COUNT(field, n) \
	__atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)

/*
 * Control thread.
 */

/* capture.c */
void		 capture_conf_defaults(struct capture_conf *cc);
/* 0, or -1 with the reason in err (the filter is compiled here too). */
int		 capture_conf_check(const struct capture_conf *cc, char *err,
		    size_t errlen);
/* n captures for nworkers workers; NULL with every reason logged.  No file
 * is opened until there is something to write. */
struct capture_set *capture_create(const struct capture_conf *cc, int n,
		    int nworkers);
/* Worker w will call capture_sample_batch() for this port and direction;
 * captures that watch it get a sampler (and ring) on that worker, and
 * max_rate is shared evenly by the workers bound to a capture.  Before
 * the workers start.  0 or -1. */
int		 capture_worker_bind(struct capture_set *cs, int w, int port,
		    int dir);
/* The fast-path handle of worker w as published now (never NULL for
 * 0 <= w < nworkers). */
struct capture_worker *capture_worker(struct capture_set *cs, int w);
/* Where worker w loads its handle from, with an acquire load, once a
 * poll round (capture_attach() and _detach() replace it). */
struct capture_worker *const *capture_worker_slot(struct capture_set *cs,
		    int w);
/* fn(arg) returns once every running worker has left the poll round it
 * was in.  Without one (tests, no workers), nothing is waited for. */
void		 capture_set_quiesce(struct capture_set *cs,
		    void (*fn)(void *), void *arg);
/* Add capture cc to a set, started or not, on the workers bound to its
 * port and direction; the writer thread is started if the set was and
 * had none.  0, or -1 with the reason in err (a bad or duplicate
 * capture, the set full, no memory) and nothing changed. */
int		 capture_attach(struct capture_set *cs,
		    const struct capture_conf *cc, char *err, size_t errlen);
/* Remove the capture called name: the workers stop sampling it, its
 * rings are drained to its file and the file closed.  0, or -1 if there
 * is no such capture. */
int		 capture_detach(struct capture_set *cs, const char *name);
/* A live capture: like capture_attach(), but its samples go, as a pcap
 * stream (nanosecond timestamps, header first), into a buffer of
 * CAPTURE_LIVE_BYTES that capture_live_read() empties; cc->file is not
 * used.  While the buffer is full the writer leaves the samples in the
 * rings, which then fill and count ring_full: a slow reader costs the
 * workers nothing.  count > 0 stops it after that many records. */
int		 capture_attach_live(struct capture_set *cs,
		    const struct capture_conf *cc, uint64_t count, char *err,
		    size_t errlen);
/* Up to len bytes of live capture i's stream; *done is set once its count
 * was reached and everything was read.  -1 if it is not a live one. */
ssize_t		 capture_live_read(struct capture_set *cs, int i, void *buf,
		    size_t len, int *done);
/* Take no more records into live capture i's stream: what it holds ends
 * with a whole record; read it, then detach.  0, or -1 if not live. */
int		 capture_live_close(struct capture_set *cs, int i);
/* The file capture i writes now ("" if none), copied under the writer's
 * lock. */
void		 capture_file_now(struct capture_set *cs, int i, char *buf,
		    size_t len);
int		 capture_count(const struct capture_set *cs);
/* Index of the capture called name, -1 if none.  Indexes change when a
 * capture is detached. */
int		 capture_find(const struct capture_set *cs, const char *name);
const char	*capture_name(const struct capture_set *cs, int i);
const struct capture_conf *capture_get_conf(const struct capture_set *cs,
		    int i);
void		 capture_stats(struct capture_set *cs, int i,
		    struct capture_stats *st);
void		 capture_destroy(struct capture_set *cs);

/* capture_writer.c */
/* Start the writer thread, on cpus (NULL: the caller's affinity; keep it
 * off the workers' cores, it would preempt a busy-polling worker); an
 * empty set starts it at its first capture_attach().  No
 * capture_worker_bind() after this.  0 or -1. */
int		 capture_start(struct capture_set *cs, const cpu_set_t *cpus);
/* Stop the writer, drain every ring, close every file with its last
 * record complete.  Call it after the workers stopped: what they sample
 * afterwards stays in the rings. */
void		 capture_stop(struct capture_set *cs);
/* Write the flight recorder of the capture called name (NULL: of every
 * recorder capture) to a new file each; the recorders keep their samples.
 * Returns the number of files written, -1 if one could not be. */
int		 capture_dump_recorder(struct capture_set *cs, const char *name);

/* capture_filter.c: the one place that evaluates a filter, so that a
 * faster engine can replace libpcap's interpreter. */
struct capture_filter *capture_filter_compile(const char *expr, char *err,
		    size_t errlen);
int		 capture_filter_match(const struct capture_filter *f,
		    const uint8_t *pkt, uint32_t len);
void		 capture_filter_free(struct capture_filter *f);

/*
 * Fast path.
 */

/* capture.c: the part of capture_sample_batch() that walks packets. */
void		 capture_sampler_batch(struct capture_sampler *s, int dir,
		    struct pkt_buf **bufs, uint16_t n, const uint8_t *verdicts,
		    uint64_t *now_ns);

/* Wall-clock ns; a vDSO call, no syscall. */
static inline uint64_t
capture_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/*
 * Offer a batch to the captures of (port, dir), dir CAPTURE_RX or
 * CAPTURE_TX.  verdicts[k] nonzero means bufs[k] passed the pipeline's
 * filter (NULL: all passed); only `where: passed/dropped' captures look
 * at it.  *now_ns is the batch's timestamp: 0 has it read from the clock
 * at the first sample and stored there, so one poll round reads the clock
 * at most once and a round without samples never does.
 *
 * When no sample falls in the batch, the cost is one subtraction per
 * capture on the port (no filter, where: all) or one step per packet.
 */
static inline void
capture_sample_batch(struct capture_worker *cw, uint16_t port, int dir,
    struct pkt_buf **bufs, uint16_t n, const uint8_t *verdicts,
    uint64_t *now_ns)
{
	struct capture_sampler *const *taps;
	unsigned int i, ntaps;

	if (cw == NULL || port >= CAPTURE_PORTS_MAX || n == 0)
		return;
	if ((ntaps = cw->ntaps[port][dir - 1]) == 0)
		return;
	taps = cw->taps[port][dir - 1];
	for (i = 0; i < ntaps; i++) {
		struct capture_sampler *s = taps[i];

		if (s->simple && n < s->countdown) {
			s->countdown -= n;
			CAPTURE_COUNT(s->c.seen, n);
		} else
			capture_sampler_batch(s, dir, bufs, n, verdicts,
			    now_ns);
	}
}

#endif /* IXFWD_CAPTURE_H */
