/*
 * capture_writer.c: the capture writer thread and its files.
 *
 * One thread drains every ring of every capture, merging a capture's
 * workers by timestamp, and writes pcap (libpcap, nanosecond magic) or
 * pcapng (capture_pcapng.c).  It sleeps 1 to 10 ms when there is
 * nothing to drain (capture_idle_ns), and holds set->lock while it works
 * so that the control thread can dump a flight recorder or stop it
 * between rounds.
 *
 * Files.  A file is opened when its first record arrives, named by
 * strftime(3) from the pattern at that moment; if the name exists (two
 * rotations in one second, or a file of an earlier run) a sequence number
 * goes before the extension: wan-20240101-120000.1.pcap.  Nothing is ever
 * overwritten.  A file is closed before a record would take it past
 * rotate_size, and rotate_seconds after it was opened; with rotate_count,
 * opening one removes the oldest this capture made beyond the newest
 * count.  Files are flushed at least every second, and are complete
 * (header and whole records, and for pcapng a closing statistics block)
 * at every rotation and at capture_stop().
 *
 * Errors.  A failed write (ENOSPC, EIO, ...) or open (EACCES, EROFS,
 * ENOENT, ...) stops the capture's output: logged once, the broken file
 * cut back to its last whole record and closed, and every sample that did
 * not make it into a file counted in write_failed.  A new file is tried
 * at the first sample a second or more later; the capture counts as
 * writing again (logged once) when records, not only a header, reached
 * the kernel.
 * The workers never know: their rings fill and count ring_full.
 *
 * Counting.  `written' counts records the kernel has (counted at each
 * flush, so it lags by up to a second); records lost in a failure are
 * found by walking the file from the last flushed boundary.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "capture_priv.h"
#include "log.h"

#define ADD(field, n)	CAPTURE_COUNT(field, n)
#define STORE(field, v)	__atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

#define PCAP_HDR_LEN	24	/* file header */
#define PCAP_REC_LEN	16	/* record header */
#define SEQ_MAX		1000000	/* names tried before giving up */

static uint64_t
capture_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * CAPTURE_NS + (uint64_t)ts.tv_nsec;
}

/* Bytes r takes in a file. */
static uint64_t
capture_rec_bytes(const struct capture *c, const struct capture_rec *r)
{
	if (c->conf.format == CAPTURE_PCAP)
		return PCAP_REC_LEN + r->caplen;
	/* 28 header, data to 4, epb_flags 8, end of options 4, length 4 */
	return 28 + ((r->caplen + 3ULL) & ~3ULL) + 16;
}

/* base, or base with ".seq" before the extension of its last part. */
static int
capture_seq_name(const char *base, unsigned int seq, char *out, size_t len)
{
	const char *last, *dot;
	int r;

	if (seq == 0)
		return strlcpy(out, base, len) < len ? 0 : -1;
	last = strrchr(base, '/');
	last = last != NULL ? last + 1 : base;
	dot = strrchr(last, '.');
	if (dot == NULL || dot == last)
		r = snprintf(out, len, "%s.%u", base, seq);
	else
		r = snprintf(out, len, "%.*s.%u%s", (int)(dot - base), base,
		    seq, dot);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

int
capture_dir_open(const char *file)
{
	char dir[PATH_MAX], *slash;

	if (strlcpy(dir, file, sizeof(dir)) >= sizeof(dir))
		return -1;
	if ((slash = strrchr(dir, '/')) == NULL)
		strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* path, one of c's files, relative to its directory when it is open. */
static const char *
capture_rel(const struct capture *c, const char *path)
{
	const char *slash;

	if (c->dirfd < 0 || (slash = strrchr(path, '/')) == NULL)
		return path;
	return slash + 1;
}

static int
capture_unlink(const struct capture *c, const char *path)
{
	return unlinkat(c->dirfd < 0 ? AT_FDCWD : c->dirfd,
	    capture_rel(c, path), 0);
}

/* Output stopped: say so once, try again in a while. */
static void
capture_failed(struct capture *c, const char *path, int err, uint64_t now)
{
	if (!c->failing) {
		log_warnx("capture %s: %s: %s; samples are dropped and counted"
		    " until it can write again", c->conf.name, path,
		    strerror(err));
		STORE(c->failing, 1);
	}
	c->retry_at = now + CAPTURE_RETRY_NS;
}

/* A file made: with rotate_count, forget (and remove) the oldest. */
static void
capture_keep(struct capture *c, const char *path)
{
	if (c->conf.rotate_count == 0)
		return;
	if (c->nkept == c->conf.rotate_count) {
		if (capture_unlink(c, c->kept[0]) == -1 && errno != ENOENT)
			log_warn("capture %s: removing %s", c->conf.name,
			    c->kept[0]);
		free(c->kept[0]);
		memmove(c->kept, c->kept + 1,
		    (c->nkept - 1) * sizeof(*c->kept));
		c->nkept--;
	}
	if ((c->kept[c->nkept] = strdup(path)) == NULL)
		log_warn("capture %s: %s will not be rotated away",
		    c->conf.name, path);
	else
		c->nkept++;
}

static void
capture_file_release(struct capture *c)
{
	struct capture_file *f = &c->f;

	if (f->pd != NULL)
		pcap_dump_close(f->pd);	/* closes fp */
	else if (f->fp != NULL)
		fclose(f->fp);
	f->pd = NULL;
	f->fp = NULL;
}

/*
 * After a failed write: the end of the last whole block in the file and
 * the records before it, walking on from the last flushed boundary.
 */
static void
capture_recover(const struct capture *c, int fd, uint64_t *end,
    uint64_t *nrec)
{
	const struct capture_file *f = &c->f;
	uint64_t off = f->flushed_off, n = f->flushed_nrec, size;
	struct stat sb;
	uint32_t h[4], blen;

	size = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : off;
	for (;;) {
		if (c->conf.format == CAPTURE_PCAP) {
			if (pread(fd, h, 16, (off_t)off) != 16 ||
			    h[2] > c->conf.snaplen)
				break;
			blen = PCAP_REC_LEN + h[2];
		} else {
			if (pread(fd, h, 8, (off_t)off) != 8)
				break;
			blen = h[1];
			if (blen < 12 || (blen & 3) != 0)
				break;
		}
		if (off + blen > size)
			break;
		if (c->conf.format == CAPTURE_PCAP || h[0] == PCAPNG_EPB)
			n++;
		off += blen;
	}
	*end = off;
	*nrec = n;
}

/*
 * A write failed: keep the file up to its last whole record, count the
 * rest as lost, close it and wait to try again.
 */
static void
capture_file_fail(struct capture *c, int err, uint64_t now)
{
	struct capture_file *f = &c->f;
	uint64_t end, n;
	int fd = fileno(f->fp);

	__fpurge(f->fp);	/* what stdio still holds is lost */
	capture_recover(c, fd, &end, &n);
	if (ftruncate(fd, (off_t)end) == -1)
		log_debug("capture %s: truncating %s: %s", c->conf.name,
		    f->path, strerror(errno));
	ADD(c->written, n - f->flushed_nrec);
	ADD(c->bytes, end - f->flushed_off);
	ADD(c->write_failed, f->nrec - n);
	capture_failed(c, f->path, err, now);
	capture_file_release(c);
	if (n == 0) {
		/* a header alone tells nobody anything */
		capture_unlink(c, f->path);
		if (c->nkept > 0 && strcmp(c->kept[c->nkept - 1], f->path) == 0)
			free(c->kept[--c->nkept]);
	}
}

static int
capture_file_flush(struct capture *c, uint64_t now)
{
	struct capture_file *f = &c->f;

	errno = 0;
	if (fflush(f->fp) == EOF || ferror(f->fp)) {
		capture_file_fail(c, errno != 0 ? errno : EIO, now);
		return -1;
	}
	ADD(c->written, f->nrec - f->flushed_nrec);
	ADD(c->bytes, f->off - f->flushed_off);
	if (c->failing && f->nrec > f->flushed_nrec) {
		/* records, not just a header: a disk with room for a header
		 * only does not make it flap */
		log_info("capture %s: writing again, to %s", c->conf.name,
		    f->path);
		STORE(c->failing, 0);
	}
	f->flushed_nrec = f->nrec;
	f->flushed_off = f->off;
	c->next_flush = now + CAPTURE_FLUSH_NS;
	return 0;
}

/* A new file from the pattern, its header on disk.  0, or -1 with the
 * capture failing. */
static int
capture_file_open(struct capture *c, uint64_t now)
{
	struct capture_file *f = &c->f;
	char base[PATH_MAX];
	unsigned int seq;
	struct tm tm;
	size_t hlen;
	time_t t;
	int fd = -1, err;

	t = time(NULL);
	localtime_r(&t, &tm);
	if (strftime(base, sizeof(base), c->conf.file, &tm) == 0) {
		capture_failed(c, c->conf.file, ENAMETOOLONG, now);
		return -1;
	}
	seq = strcmp(base, c->last_base) == 0 ? c->last_seq + 1 : 0;
	for (; seq < SEQ_MAX; seq++) {
		if (capture_seq_name(base, seq, f->path,
		    sizeof(f->path)) == -1) {
			capture_failed(c, base, ENAMETOOLONG, now);
			return -1;
		}
		fd = openat(c->dirfd < 0 ? AT_FDCWD : c->dirfd,
		    capture_rel(c, f->path),
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, c->conf.file_mode);
		if (fd != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1) {
		capture_failed(c, f->path, errno, now);
		return -1;
	}
	/* the mode asked for, whatever the umask */
	if (fchmod(fd, c->conf.file_mode) == -1)
		log_debug("capture %s: mode of %s: %s", c->conf.name, f->path,
		    strerror(errno));
	strlcpy(c->last_base, base, sizeof(c->last_base));
	c->last_seq = seq;

	if ((f->fp = fdopen(fd, "w+")) == NULL) {
		err = errno;
		close(fd);
		goto fail;
	}
	setvbuf(f->fp, NULL, _IOFBF, CAPTURE_STDIO_BUF);
	errno = 0;
	if (c->conf.format == CAPTURE_PCAP) {
		if ((f->pd = pcap_dump_fopen(c->dead, f->fp)) == NULL) {
			/* it closed fp */
			err = errno != 0 ? errno : EIO;
			f->fp = NULL;
			goto fail;
		}
		hlen = PCAP_HDR_LEN;
	} else {
		hlen = capture_pcapng_head(c, c->set->scratch,
		    CAPTURE_SCRATCH);
		if (hlen == 0 || fwrite(c->set->scratch, hlen, 1,
		    f->fp) != 1) {
			err = errno != 0 ? errno : EIO;
			capture_file_release(c);
			goto fail;
		}
	}
	if (fflush(f->fp) == EOF || ferror(f->fp)) {
		err = errno != 0 ? errno : EIO;
		__fpurge(f->fp);
		capture_file_release(c);
		goto fail;
	}
	f->off = f->flushed_off = hlen;
	f->nrec = f->flushed_nrec = 0;
	f->opened = now;
	c->next_flush = now + CAPTURE_FLUSH_NS;
	ADD(c->files, 1);
	ADD(c->bytes, hlen);
	capture_keep(c, f->path);
	return 0;
fail:
	/* no header, no file */
	capture_unlink(c, f->path);
	capture_failed(c, f->path, err, now);
	return -1;
}

/* Append r; 0, or -1 with the file broken (errno says why). */
static int
capture_file_put(struct capture *c, const struct capture_rec *r)
{
	struct capture_file *f = &c->f;
	size_t n;

	f->nrec++;
	errno = 0;
	if (c->conf.format == CAPTURE_PCAP) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(r->ts / CAPTURE_NS);
		h.ts.tv_usec = (suseconds_t)(r->ts % CAPTURE_NS); /* ns */
		h.caplen = r->caplen;
		h.len = r->len;
		pcap_dump((u_char *)f->pd, &h, (const u_char *)(r + 1));
		f->off += PCAP_REC_LEN + r->caplen;
	} else {
		n = capture_pcapng_epb(r, c->set->scratch, CAPTURE_SCRATCH);
		if (n == 0) {
			errno = EOVERFLOW;
			return -1;
		}
		if (fwrite(c->set->scratch, n, 1, f->fp) != 1)
			return -1;
		f->off += n;
	}
	return ferror(f->fp) ? -1 : 0;
}

/* Close the file, complete: pcapng's statistics, flushed.  On an error it
 * is cut back and the capture fails instead: -1. */
static int
capture_file_close(struct capture *c, uint64_t now)
{
	struct capture_file *f = &c->f;
	struct capture_stats st;
	size_t n;

	if (f->fp == NULL)
		return 0;
	if (c->conf.format == CAPTURE_PCAPNG) {
		capture_sum(c, &st);
		st.written += f->nrec - f->flushed_nrec;
		n = capture_pcapng_isb(c, &st, capture_clock_ns(),
		    c->set->scratch, CAPTURE_SCRATCH);
		errno = 0;
		if (n == 0 || fwrite(c->set->scratch, n, 1, f->fp) != 1 ||
		    ferror(f->fp)) {
			capture_file_fail(c, errno != 0 ? errno : EIO, now);
			return -1;
		}
		f->off += n;
	}
	if (capture_file_flush(c, now) == -1)
		return -1;
	capture_file_release(c);
	return 0;
}

static void
capture_record(struct capture *c, const struct capture_rec *r)
{
	uint8_t *slot = c->rec_buf +
	    (c->rec_n % c->conf.recorder) * (uint64_t)c->rec_max;

	memcpy(slot, r, r->size);
	c->rec_n++;
	ADD(c->recorded, 1);
}

/* Room for r in a live capture's stream?  Past its count, records are
 * taken and forgotten. */
static int
capture_live_room(const struct capture *c, const struct capture_rec *r)
{
	const struct capture_live *l = c->live;

	if (l->count != 0 && l->taken >= l->count)
		return 1;
	return l->size - (l->head - __atomic_load_n(&l->tail,
	    __ATOMIC_ACQUIRE)) >= (uint64_t)PCAP_REC_LEN + r->caplen;
}

static void
capture_live_put(struct capture_live *l, const void *p, uint64_t n)
{
	uint64_t off = l->head & (l->size - 1);
	uint64_t first = l->size - off < n ? l->size - off : n;

	memcpy(l->buf + off, p, first);
	memcpy(l->buf, (const uint8_t *)p + first, n - first);
	l->head += n;
}

static void
capture_live_write(struct capture *c, const struct capture_rec *r)
{
	struct capture_live *l = c->live;
	uint32_t h[4];

	if (l->count != 0 && l->taken >= l->count)
		return;
	h[0] = (uint32_t)(r->ts / CAPTURE_NS);
	h[1] = (uint32_t)(r->ts % CAPTURE_NS);
	h[2] = r->caplen;
	h[3] = r->len;
	capture_live_put(l, h, sizeof(h));
	capture_live_put(l, r + 1, r->caplen);
	__atomic_store_n(&l->head, l->head, __ATOMIC_RELEASE);
	l->taken++;
	ADD(c->written, 1);
	ADD(c->bytes, sizeof(h) + r->caplen);
	if (l->count != 0 && l->taken == l->count)
		__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
}

/* One sample to its file (or the recorder). */
static void
capture_write(struct capture *c, const struct capture_rec *r, uint64_t now)
{
	struct capture_file *f = &c->f;

	if (c->live != NULL) {
		capture_live_write(c, r);
		return;
	}
	if (c->conf.recorder != 0) {
		capture_record(c, r);
		return;
	}
	if (f->fp != NULL && c->conf.rotate_size != 0 && f->nrec > 0 &&
	    f->off + capture_rec_bytes(c, r) > c->conf.rotate_size)
		capture_file_close(c, now);
	if (f->fp == NULL) {
		if ((c->failing && now < c->retry_at) ||
		    capture_file_open(c, now) == -1) {
			ADD(c->write_failed, 1);
			return;
		}
	}
	if (capture_file_put(c, r) == -1)
		capture_file_fail(c, errno != 0 ? errno : EIO, now);
}

/* Every record in c's rings now, oldest first across workers. */
static uint64_t
capture_drain(struct capture *c, uint64_t now)
{
	struct capture_set *cs = c->set;
	struct capture_src *src, *best;
	const struct capture_rec *r, *br;
	uint64_t n = 0;
	int w, active = 0;

	for (w = 0; w < cs->nworkers; w++) {
		src = &c->srcs[w];
		if (src->ring == NULL)
			continue;
		src->head = __atomic_load_n(&src->ring->head,
		    __ATOMIC_ACQUIRE);
		if (src->head != src->tail)
			active++;
	}
	while (active > 0) {
		best = NULL;
		br = NULL;
		for (w = 0; w < cs->nworkers; w++) {
			src = &c->srcs[w];
			if (src->ring == NULL || src->head == src->tail)
				continue;
			r = (const struct capture_rec *)(src->buf +
			    (src->tail & src->mask));
			if (best == NULL || r->ts < br->ts) {
				best = src;
				br = r;
			}
		}
		if (c->live != NULL && !capture_live_room(c, br))
			break;	/* the reader is behind: left in the rings */
		capture_write(c, br, now);
		cs->drained += br->size;
		best->tail += br->size;
		__atomic_store_n(&best->ring->tail, best->tail,
		    __ATOMIC_RELEASE);
		if (best->tail == best->head)
			active--;
		n++;
	}
	return n;
}

/* Rotate by age, drain, flush: one pass over every capture. */
static uint64_t
capture_round(struct capture_set *cs)
{
	uint64_t now = capture_mono_ns(), n = 0;
	int i;

	for (i = 0; i < cs->n; i++) {
		struct capture *c = cs->caps[i];

		if (c->f.fp != NULL && c->conf.rotate_seconds != 0 &&
		    now - c->f.opened >=
		    (uint64_t)c->conf.rotate_seconds * CAPTURE_NS)
			capture_file_close(c, now);
		n += capture_drain(c, now);
		if (c->f.fp != NULL && now >= c->next_flush)
			capture_file_flush(c, now);
	}
	return n;
}

/*
 * How long the writer sleeps when a round found nothing.  Every wake-up
 * takes a core from whatever runs there (on a small box, a worker's NIC
 * or the emulator), so the writer sleeps as long as it can: up to
 * CAPTURE_IDLE_MAX_NS, but short enough that, at the rate samples came
 * in over the last sleep, the smallest ring is at most a quarter full
 * when it wakes; never less than CAPTURE_IDLE_MIN_NS.
 */
static uint64_t
capture_idle_ns(const struct capture_set *cs, uint64_t bytes, uint64_t slept)
{
	uint64_t ring = UINT64_MAX, ns;
	int i;

	if (bytes == 0)
		return CAPTURE_IDLE_MAX_NS;
	for (i = 0; i < cs->n; i++)
		if (cs->caps[i]->conf.ring_size < ring)
			ring = cs->caps[i]->conf.ring_size;
	ns = (uint64_t)((double)ring / 4 * (double)slept / (double)bytes);
	if (ns < CAPTURE_IDLE_MIN_NS)
		return CAPTURE_IDLE_MIN_NS;
	return ns > CAPTURE_IDLE_MAX_NS ? CAPTURE_IDLE_MAX_NS : ns;
}

/* The writer between two rounds while someone waits for the lock. */
static void
capture_step_aside(void)
{
	struct timespec ts = { 0, 20 * 1000 };

	nanosleep(&ts, NULL);
}

static void *
capture_writer_main(void *arg)
{
	struct capture_set *cs = arg;
	struct timespec idle;
	uint64_t n, bytes = 0, slept = CAPTURE_IDLE_MAX_NS, t0, t1;

	while (!__atomic_load_n(&cs->stop, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&cs->lock);
		cs->drained = 0;
		n = capture_round(cs);
		__atomic_store_n(&cs->rounds, cs->rounds + 1,
		    __ATOMIC_RELAXED);
		bytes += cs->drained;
		if (n == 0)
			slept = capture_idle_ns(cs, bytes, slept);
		pthread_mutex_unlock(&cs->lock);
		if (n > 0) {
			/* let a waiting control thread in (capture_lock) */
			while (__atomic_load_n(&cs->waiting,
			    __ATOMIC_ACQUIRE) != 0 &&
			    !__atomic_load_n(&cs->stop, __ATOMIC_ACQUIRE))
				capture_step_aside();
			continue;
		}
		idle.tv_sec = 0;
		idle.tv_nsec = (long)slept;
		t0 = capture_mono_ns();
		nanosleep(&idle, NULL);
		t1 = capture_mono_ns();
		slept = t1 > t0 ? t1 - t0 : 1;
		bytes = 0;
	}
	return NULL;
}

int
capture_writer_spawn(struct capture_set *cs)
{
	sigset_t all, old;
	int e;

	__atomic_store_n(&cs->stop, 0, __ATOMIC_RELEASE);
	/* signals are the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&cs->thread, NULL, capture_writer_main, cs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		log_warn("capture writer thread");
		return -1;
	}
	pthread_setname_np(cs->thread, "ixfwd-capture");
	if (cs->have_cpus && (e = pthread_setaffinity_np(cs->thread,
	    sizeof(cs->cpus), &cs->cpus)) != 0) {
		errno = e;
		log_warn("capture writer thread: CPU affinity");
	}
	cs->running = 1;
	return 0;
}

int
capture_start(struct capture_set *cs, const cpu_set_t *cpus)
{
	char desc[256];
	int i;

	if (cs->running)
		return 0;
	cs->bound_frozen = 1;
	cs->started = 1;
	if (cpus != NULL) {
		cs->cpus = *cpus;
		cs->have_cpus = 1;
	}
	for (i = 0; i < cs->n; i++) {
		struct capture *c = cs->caps[i];
		int w, nw = 0;

		for (w = 0; w < cs->nworkers; w++)
			if (c->samplers[w] != NULL)
				nw++;
		capture_describe(&c->conf, desc, sizeof(desc));
		log_info("capture %s: port %s, %s, %s %s%s", c->conf.name,
		    c->conf.port_name, desc, c->conf.recorder ?
		    "flight recorder, dumps to" : "to", c->conf.file,
		    nw == 0 ? " (no worker sees this port)" : "");
	}
	/* an empty set wakes nobody until a capture is attached */
	if (cs->n == 0)
		return 0;
	return capture_writer_spawn(cs);
}

void
capture_flush_out(struct capture *c)
{
	uint64_t now = capture_mono_ns();
	int pass;

	/* a few passes, in case a worker still runs */
	for (pass = 0; pass < 4; pass++)
		if (capture_drain(c, now) == 0)
			break;
	capture_file_close(c, now);
}

void
capture_stop(struct capture_set *cs)
{
	int i;

	if (cs->running) {
		__atomic_store_n(&cs->stop, 1, __ATOMIC_RELEASE);
		pthread_join(cs->thread, NULL);
		cs->running = 0;
	}
	cs->started = 0;
	capture_lock(cs);
	for (i = 0; i < cs->n; i++)
		capture_flush_out(cs->caps[i]);
	capture_unlock(cs);
}

static int
capture_dump_one(struct capture *c, uint64_t now)
{
	uint64_t i, first, written;
	uint8_t *slot;

	capture_drain(c, now);
	if (capture_file_open(c, now) == -1)
		return -1;
	first = c->rec_n > c->conf.recorder ? c->rec_n - c->conf.recorder : 0;
	for (i = first; i < c->rec_n; i++) {
		slot = c->rec_buf +
		    (i % c->conf.recorder) * (uint64_t)c->rec_max;
		if (capture_file_put(c, (const struct capture_rec *)slot) ==
		    -1) {
			capture_file_fail(c, errno != 0 ? errno : EIO, now);
			return -1;
		}
	}
	written = c->f.nrec;
	if (capture_file_close(c, now) == -1)
		return -1;
	log_info("capture %s: flight recorder: %llu samples written to %s",
	    c->conf.name, (unsigned long long)written, c->f.path);
	return 0;
}

int
capture_dump_recorder(struct capture_set *cs, const char *name)
{
	uint64_t now = capture_mono_ns();
	int i, found = 0, done = 0, failed = 0;

	capture_lock(cs);
	for (i = 0; i < cs->n; i++) {
		struct capture *c = cs->caps[i];

		if (c->conf.recorder == 0 ||
		    (name != NULL && strcmp(name, c->conf.name) != 0))
			continue;
		found++;
		if (capture_dump_one(c, now) == -1)
			failed++;
		else
			done++;
	}
	capture_unlock(cs);
	if (name != NULL && found == 0) {
		log_warnx("no flight recorder capture called %s", name);
		return -1;
	}
	return failed ? -1 : done;
}
