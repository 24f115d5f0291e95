/*
 * capture_priv.h: the control-plane side of captures, shared by
 * capture.c (set-up, sampler), capture_writer.c (writer thread, files) and
 * capture_pcapng.c (pcapng blocks).  Private to pipeline/capture*.
 */
#ifndef IXFWD_CAPTURE_PRIV_H
#define IXFWD_CAPTURE_PRIV_H

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>

#include "capture.h"

#define CAPTURE_NS		1000000000ULL
#define CAPTURE_RETRY_NS	CAPTURE_NS	/* reopen after an error */
#define CAPTURE_FLUSH_NS	CAPTURE_NS	/* flush files at least this often */
#define CAPTURE_IDLE_MIN_NS	1000000		/* writer sleep, nothing to do: */
#define CAPTURE_IDLE_MAX_NS	10000000	/* capture_idle_ns() */
#define CAPTURE_STDIO_BUF	(64 * 1024)
#define CAPTURE_SCRATCH		(128 * 1024)	/* a pcapng block fits */
#define CAPTURE_ROTATE_COUNT_MAX 100000
#define CAPTURE_RECORDER_BYTES_MAX (1ULL << 30)
#define CAPTURE_MAX_RATE_MAX	1000000000ULL

#define CAPTURE_ALIGN8(x)	(((x) + 7) & ~(uint64_t)7)

/* The file a capture is writing. */
struct capture_file {
	FILE		*fp;		/* NULL: none open */
	pcap_dumper_t	*pd;		/* pcap: libpcap writes through fp */
	char		 path[PATH_MAX];
	uint64_t	 off;		/* bytes in the file, stdio's buffer included */
	uint64_t	 nrec;		/* records, stdio's buffer included */
	uint64_t	 flushed_off;	/* a block boundary the kernel has */
	uint64_t	 flushed_nrec;
	uint64_t	 opened;	/* monotonic ns */
};

/* The writer's view of one worker's ring of a capture. */
struct capture_src {
	struct capture_ring *ring;
	uint8_t		*buf;
	uint64_t	 mask;
	uint64_t	 head;		/* as read this round */
	uint64_t	 tail;		/* the writer's copy of ring->tail */
};

/* A live capture's pcap stream: the writer produces, the control thread
 * consumes (capture_live_read()); free-running byte counts. */
struct capture_live {
	uint8_t		*buf;
	uint64_t	 size;		/* power of two */
	uint64_t	 head;		/* writer: release */
	uint64_t	 tail;		/* reader: release */
	uint64_t	 count;		/* records wanted, 0: no limit */
	uint64_t	 taken;		/* records put in (writer) */
	int		 done;		/* count reached (writer: release) */
};

struct capture {
	struct capture_conf conf;
	struct capture_live *live;	/* NULL: files */
	struct capture_set *set;
	int		 idx;
	/* The directory of conf.file, opened when the capture is made
	 * (before the daemon gives up root), so files are made and
	 * rotated away relative to it with openat/unlinkat: the path to
	 * it need not be searchable by the user the daemon becomes.  -1:
	 * it could not be opened then; paths are used. */
	int		 dirfd;
	struct capture_filter *filter;
	uint32_t	 rec_max;	/* largest record in a ring */
	struct capture_sampler **samplers;	/* by worker, NULL: unbound */
	struct capture_src *srcs;	/* by worker, ring NULL: unbound */
	uint64_t	 start_ns;	/* realtime, pcapng isb_starttime */

	/* The writer's, under set->lock. */
	pcap_t		*dead;		/* pcap: the handle files are dumped from */
	struct capture_file f;
	int		 failing;	/* output stopped by an error */
	uint64_t	 retry_at;	/* monotonic ns */
	uint64_t	 next_flush;
	char		 last_base[PATH_MAX];	/* name before the sequence suffix */
	unsigned int	 last_seq;
	char		**kept;		/* files made, oldest first (rotate count) */
	uint32_t	 nkept;
	uint8_t		*rec_buf;	/* recorder: conf.recorder slots */
	uint64_t	 rec_n;		/* records ever put in */

	/* Counters, written by the writer only (relaxed stores). */
	uint64_t	 written;
	uint64_t	 write_failed;
	uint64_t	 recorded;
	uint64_t	 files;
	uint64_t	 bytes;
};

struct capture_set {
	int		 n;		/* caps[]: changed under lock */
	struct capture	*caps[CAPTURE_MAX];
	int		 nworkers;
	/* Each worker's tap table, published whole (release) and loaded by
	 * the worker once a poll round: capture_attach()/_detach() build a
	 * new one, swap it in and free the old one after quiesce(). */
	struct capture_worker **cur;
	uint8_t		 (*bound)[CAPTURE_PORTS_MAX]; /* by worker: dir mask */
	void		 (*quiesce)(void *);
	void		*quiesce_arg;
	pthread_mutex_t	 lock;		/* the consumer side of every ring */
	int		 waiting;	/* others wanting lock (capture_lock) */
	uint64_t	 rounds;	/* the writer's, counted under lock */
	pthread_t	 thread;
	int		 running;	/* the writer thread runs */
	int		 started;	/* capture_start() called */
	cpu_set_t	 cpus;		/* the writer's, from capture_start() */
	int		 have_cpus;
	int		 stop;
	int		 bound_frozen;	/* started: no more binding */
	uint8_t		*scratch;	/* a block being built, under lock */
	uint64_t	 drained;	/* bytes of records written, under lock */
};

/*
 * cs->lock for anyone but the writer.  A busy writer (its rings never
 * empty) unlocks and locks again at once, and a mutex is not fair: the
 * control thread could wait as long as the traffic lasts.  So it says it
 * is waiting, and the writer steps aside between rounds until it has the
 * lock (capture_writer_main()).
 */
static inline void
capture_lock(struct capture_set *cs)
{
	__atomic_fetch_add(&cs->waiting, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&cs->lock);
	__atomic_fetch_sub(&cs->waiting, 1, __ATOMIC_RELEASE);
}

static inline void
capture_unlock(struct capture_set *cs)
{
	pthread_mutex_unlock(&cs->lock);
}

/* capture.c */
void	capture_free_one(struct capture *c);
/* c's counters, summed over its workers. */
void	capture_sum(const struct capture *c, struct capture_stats *st);
void	capture_describe(const struct capture_conf *cc, char *buf, size_t len);

/* capture_pcapng.c: blocks built in buf (room bytes); their length, 0 if
 * they do not fit. */
/* capture_writer.c */
/* O_PATH descriptor of the directory of file, or -1. */
int	capture_dir_open(const char *file);
int	capture_writer_spawn(struct capture_set *cs);
/* Under cs->lock: what c's rings still hold to its file, which is closed
 * complete. */
void	capture_flush_out(struct capture *c);

size_t	capture_pcapng_head(const struct capture *c, uint8_t *buf,
	    size_t room);
size_t	capture_pcapng_epb(const struct capture_rec *r, uint8_t *buf,
	    size_t room);
size_t	capture_pcapng_isb(const struct capture *c,
	    const struct capture_stats *st, uint64_t now_ns, uint8_t *buf,
	    size_t room);

#define PCAPNG_SHB		0x0a0d0d0aU
#define PCAPNG_IDB		1U
#define PCAPNG_ISB		5U
#define PCAPNG_EPB		6U

#endif /* IXFWD_CAPTURE_PRIV_H */
