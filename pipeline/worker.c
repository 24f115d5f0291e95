/*
 * worker.c: the fast path.  A worker polls each of its RX queues (of one
 * port or several), receives a batch, runs it through the input's path (parse once,
 * tcpdump filter, rule list, VLAN list and tag handling, then forward or
 * bridge) and hands it to the TX queues of the destinations.  Nothing
 * here makes a syscall, takes a lock, logs or allocates other than from
 * the worker's own mempool; what a TX ring does not take is freed and
 * counted, never waited for.
 */
#include <sys/prctl.h>

#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "bridge.h"
#include "worker.h"

/* Counters have one writer: a relaxed store of the sum is a plain move,
 * and the control thread's relaxed load never sees a torn value. */
#define COUNT(field, n) \
	__atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)

static inline void
cpu_relax(void)
{
	__builtin_ia32_pause();
}

static inline uint64_t
pipe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Is b longer than max bytes (max + 4 with an 802.1Q tag)? */
static inline int
pipe_too_big(struct pkt_buf *b, uint16_t max)
{
	const uint8_t *p;

	if (b->len <= max)
		return 0;
	p = pkt_data(b);
	return b->len > max + 4 || p[12] != 0x81 || p[13] != 0x00;
}

/*
 * Keep the frames of bufs[0..n-1] that are not too big for max, in
 * order; free and count the others.  A frame is dropped whole, never sent
 * cut short.  Returns how many are kept.
 */
static inline uint16_t
pipe_fit(struct pkt_buf **bufs, uint16_t n, uint16_t max, uint64_t *counter)
{
	uint16_t i, m;

	for (i = 0, m = 0; i < n; i++) {
		if (pipe_too_big(bufs[i], max)) {
			pkt_free(bufs[i]);
			continue;
		}
		bufs[m++] = bufs[i];
	}
	if (m < n)
		COUNT(*counter, n - m);
	return m;
}


/*
 * At a batch boundary: the TX queues of this worker the control thread
 * found stuck (pipe_check_tx()) are reset by their owner, one step of
 * port_tx_reset() per queue and boundary, none waiting on the NIC; what
 * the worker would send on them meanwhile is dropped (pipe_send()).  The
 * clock is read here, once, and only while a reset is under way.  A
 * queue not back within PIPE_TX_RESET_MS is marked late for the control
 * thread to report, and asked only every PIPE_TX_RESET_RETRY_MS from
 * then on, so that a queue that never comes back costs the other queues
 * next to nothing; it is back in use as soon as its reset completes.
 */
static void
pipe_tx_resets(struct pipe_worker *w)
{
	uint64_t bits = __atomic_exchange_n(&w->tx_reset, 0, __ATOMIC_ACQUIRE);
	uint64_t now = pipe_now_ns(), busy;
	int p, r;

	for (p = 0; bits != 0; p++, bits >>= 1) {
		if (!(bits & 1) || w->txq[p] < 0 || (w->txr_busy >> p & 1))
			continue;
		w->txr_busy |= 1ull << p;
		w->txr_start_ns[p] = now;
		w->txr_next_ns[p] = now;
		__atomic_store_n(&w->txr_state[p], PIPE_TXR_BUSY,
		    __ATOMIC_RELAXED);
	}
	for (p = 0, busy = w->txr_busy; busy != 0; p++, busy >>= 1) {
		if (!(busy & 1) || now < w->txr_next_ns[p])
			continue;
		/* a device gone: nothing to reset, its frames are
		 * drop_port_failed from now on */
		r = __atomic_load_n(&w->port_failed[p], __ATOMIC_RELAXED) ? -1 :
		    port_tx_reset(w->port_of[p], (uint16_t)w->txq[p]);
		if (r != PORT_TX_RESET_BUSY) {
			w->txr_busy &= ~(1ull << p);
			__atomic_store_n(&w->txr_state[p], PIPE_TXR_IDLE,
			    __ATOMIC_RELEASE);
		} else if (now - w->txr_start_ns[p] >=
		    PIPE_TX_RESET_MS * 1000000ull) {
			__atomic_store_n(&w->txr_state[p], PIPE_TXR_LATE,
			    __ATOMIC_RELEASE);
			w->txr_next_ns[p] = now +
			    PIPE_TX_RESET_RETRY_MS * 1000000ull;
		}
	}
}

/* Can nothing be sent to port idx now?  PIPE_OUT_FAILED: its device
 * is gone; PIPE_OUT_RESET: this worker's TX queue on it is being reset;
 * 0: it takes frames. */
#define PIPE_OUT_FAILED		1
#define PIPE_OUT_RESET		2

static inline int
pipe_out_down(const struct pipe_worker *w, uint16_t idx)
{
	if (__builtin_expect(__atomic_load_n(&w->port_failed[idx],
	    __ATOMIC_RELAXED), 0))
		return PIPE_OUT_FAILED;
	if (__builtin_expect(w->txr_busy != 0, 0) && (w->txr_busy >> idx & 1))
		return PIPE_OUT_RESET;
	return 0;
}

/* Where frames for port idx that is down (why) are counted:
 * drop_port_failed (pipe_check_links()) or drop_tx_reset. */
static inline uint64_t *
pipe_down_counter(struct pipe_worker *w, uint16_t idx, int why)
{
	return why == PIPE_OUT_FAILED ? &w->counters[idx].drop_port_failed :
	    &w->counters[idx].drop_tx_reset;
}

static inline void
pipe_send(struct pipe_worker *w, const struct pipe_out *out,
    struct pkt_buf **bufs, uint16_t n, uint64_t *now)
{
	struct pipe_counters *c = &w->counters[out->idx];
	uint64_t bytes = 0;
	uint16_t i, sent;
	int down;

	if ((down = pipe_out_down(w, out->idx)) != 0) {
		for (i = 0; i < n; i++)
			pkt_free(bufs[i]);
		COUNT(*pipe_down_counter(w, out->idx, down), n);
		return;
	}
	if (out->max_len != 0 &&
	    (n = pipe_fit(bufs, n, out->max_len, &c->drop_too_big)) == 0)
		return;
	for (i = 0; i < n; i++)
		bytes += bufs[i]->len;
	sent = port_tx_batch(out->port, out->txq, bufs, n);
	if (w->capture != NULL && sent > 0)
		capture_sample_batch(w->capture, out->idx, CAPTURE_TX, bufs,
		    sent, NULL, now);
	if (sent < n) {
		for (i = sent; i < n; i++) {
			bytes -= bufs[i]->len;
			pkt_free(bufs[i]);
		}
		COUNT(c->drop_tx_full, n - sent);
	}
	COUNT(c->tx_packets, sent);
	COUNT(c->tx_bytes, bytes);
}

static inline struct pkt_buf *
pipe_copy(struct pipe_worker *w, const struct pkt_buf *b)
{
	struct pkt_buf *c;

	if ((c = mempool_alloc(w->pool)) == NULL)
		return NULL;
	memcpy(pkt_data(c), b->room + b->data_off, b->len);
	c->len = b->len;
	c->port = b->port;
	return c;
}

/* Every destination after the first gets copies (port mirroring); none
 * is made of a frame too big for it, nor for a port that takes nothing
 * now (counted as pipe_send() would). */
static inline void
pipe_mirror(struct pipe_worker *w, const struct pipe_out *out,
    struct pkt_buf **bufs, uint16_t n, uint64_t *now)
{
	struct pkt_buf *copies[PIPE_BATCH_MAX];
	uint16_t i, got = 0, big = 0;
	int down;

	if ((down = pipe_out_down(w, out->idx)) != 0) {
		COUNT(*pipe_down_counter(w, out->idx, down), n);
		return;
	}
	for (i = 0; i < n; i++)
		if (out->max_len != 0 && pipe_too_big(bufs[i], out->max_len))
			big++;
		else if ((copies[got] = pipe_copy(w, bufs[i])) != NULL)
			got++;
	if (big > 0)
		COUNT(w->counters[out->idx].drop_too_big, big);
	if (got + big < n)
		COUNT(w->counters[out->idx].drop_no_buffer, n - got - big);
	if (got > 0)
		pipe_send(w, out, copies, got, now);
}

/* The verdict of each packet: malformed headers, the tcpdump filter, the
 * rule list (counting the rule that decided), the VLAN list. */
static inline void
pipe_filter(struct pipe_worker *w, const struct pipe_path *path,
    struct pkt_buf **bufs, uint16_t n)
{
	uint8_t *v = w->verdict;
	uint16_t i;

	parse_batch(bufs, n, w->meta);
	for (i = 0; i < n; i++)
		v[i] = (w->meta[i].flags & PARSE_F_MALFORMED) ?
		    PIPE_DROP_MALFORMED : PIPE_PASS;
	if (path->bpf != NULL) {
		filter_bpf_run_batch(path->bpf, bufs, n, w->tmp);
		for (i = 0; i < n; i++)
			if (v[i] == PIPE_PASS && w->tmp[i] != FILTER_PASS)
				v[i] = PIPE_DROP_FILTER;
	}
	if (path->rules != NULL) {
		filter_rules_run(path->rules, w->meta, bufs, n, w->tmp,
		    w->rule);
		for (i = 0; i < n; i++) {
			int r;

			if (v[i] != PIPE_PASS)
				continue;
			r = w->rule[i] < 0 ? path->nrules : w->rule[i];
			COUNT(path->hits[r], 1);
			if (w->tmp[i] != FILTER_PASS)
				v[i] = PIPE_DROP_FILTER;
		}
	}
	if (path->vlan_filter)
		for (i = 0; i < n; i++) {
			const struct pkt_meta *m = &w->meta[i];
			int ok;

			if (m->nvlan == 0)
				ok = path->vlan_untagged;
			else {
				uint16_t id = PARSE_VLAN_ID(m->vlan_tci[0]);

				ok = (path->vlan_allow[id >> 6] >> (id & 63)) & 1;
			}
			if (v[i] == PIPE_PASS && !ok)
				v[i] = PIPE_DROP_FILTER;
		}
}

/* 802.1Q tag handling on a passed packet (headroom is PKT_HEADROOM).  A
 * tag pushed past the buffer's end is not pushed; one pushed past the
 * egress port's MTU is dropped there (pipe_fit). */
static inline void
pipe_vlan(const struct pipe_path *path, struct pkt_buf *b,
    const struct pkt_meta *m)
{
	uint8_t *p = pkt_data(b);
	uint16_t tci = path->vlan_tci;

	switch (path->vlan_op) {
	case CONF_VLAN_KEEP:
		break;
	case CONF_VLAN_SET:
		if (m->nvlan > 0) {
			tci = (uint16_t)((((unsigned)p[14] << 8 | p[15]) &
			    0xf000) | (tci & 0x0fff));
			p[14] = (uint8_t)(tci >> 8);
			p[15] = (uint8_t)tci;
			break;
		}
		/* an untagged frame gets the tag */
		__attribute__((fallthrough));
	case CONF_VLAN_PUSH:
		if (b->data_off < 4 || b->len + 4u > pkt_data_size(b))
			break;
		memmove(p - 4, p, 12);
		b->data_off -= 4;
		b->len += 4;
		p -= 4;
		p[12] = 0x81;
		p[13] = 0x00;
		p[14] = (uint8_t)(tci >> 8);
		p[15] = (uint8_t)tci;
		break;
	case CONF_VLAN_POP:
		if (m->nvlan == 0)
			break;
		memmove(p + 4, p, 12);
		b->data_off += 4;
		b->len -= 4;
		break;
	}
}

/* Learn the sources, look up the destinations, and send each packet to
 * its port, or to every other bridge port when the destination is a group
 * address or unknown.  The last port a flooded packet goes to gets the
 * packet itself, the others copies. */
static inline void
pipe_switch(struct pipe_worker *w, const struct pipe_in *in,
    const struct pipe_path *path, struct pkt_buf **bufs, uint16_t n,
    uint64_t *now)
{
	struct pipe_counters *c = &w->counters[in->idx];
	struct pkt_buf *list[PIPE_BATCH_MAX];
	const uint8_t *frames[PIPE_BATCH_MAX];
	uint16_t vlans[PIPE_BATCH_MAX];
	uint32_t now_s = bridge_now();
	uint16_t i, k, m, local = 0, flood = 0, bad = 0;
	int8_t *dst = w->dst;

	for (i = 0; i < n; i++) {
		const struct pkt_meta *mt = &w->meta[i];

		frames[i] = pkt_data(bufs[i]);
		vlans[i] = mt->nvlan ? PARSE_VLAN_ID(mt->vlan_tci[0]) : 0;
	}
	if (path->learning)
		bridge_learn_lookup_batch(path->bridge, frames, vlans, n,
		    in->idx, now_s, dst);
	else
		bridge_lookup_batch(path->bridge, frames, vlans, n, now_s,
		    dst);
	/* port -> slot of out[]; -1 flood, -2 local, -3 bad source */
	for (i = 0; i < n; i++) {
		int p = dst[i];

		if (p == in->idx) {
			dst[i] = -2;
			local++;
		} else if (p == BRIDGE_DROP) {
			dst[i] = -3;
			bad++;
		} else if (p < 0 || path->slot_of[p] < 0) {
			dst[i] = -1;
			flood++;
		} else
			dst[i] = path->slot_of[p];
	}
	for (k = 0; k < path->nout; k++) {
		int last = k == path->nout - 1;
		/* no copies for a port that takes nothing now */
		int down = last ? 0 : pipe_out_down(w, path->out[k].idx);
		uint16_t uncopied = 0;

		for (i = 0, m = 0; i < n; i++) {
			if (dst[i] == (int8_t)k)
				list[m++] = bufs[i];
			else if (dst[i] == -1) {
				if (last)
					list[m++] = bufs[i];
				else if (down)
					uncopied++;
				else if ((list[m] = pipe_copy(w, bufs[i])) != NULL)
					m++;
				else
					COUNT(w->counters[path->out[k].idx].
					    drop_no_buffer, 1);
			}
		}
		if (uncopied > 0)
			COUNT(*pipe_down_counter(w, path->out[k].idx, down),
			    uncopied);
		if (m > 0)
			pipe_send(w, &path->out[k], list, m, now);
	}
	if (local + bad > 0) {
		for (i = 0; i < n; i++)
			if (dst[i] <= -2)
				pkt_free(bufs[i]);
		if (local)
			COUNT(c->drop_local, local);
		if (bad)
			COUNT(c->drop_malformed, bad);
	}
	if (flood > 0)
		COUNT(c->flooded, flood);
}

static inline void
pipe_process(struct pipe_worker *w, struct pipe_in *in,
    struct pkt_buf **bufs, uint16_t n, uint64_t *now)
{
	const struct pipe_path *path = __atomic_load_n(&in->path,
	    __ATOMIC_ACQUIRE);
	struct pipe_counters *c = &w->counters[in->idx];
	uint16_t i, m, o, nfilt = 0, nbad = 0;

	/* below MTU 1500 the NIC still takes 1518-byte frames */
	if (path->in_max_len != 0 &&
	    (n = pipe_fit(bufs, n, path->in_max_len, &c->drop_too_big)) == 0)
		return;
	if (!path->parse) {
		if (w->capture != NULL)
			capture_sample_batch(w->capture, in->idx, CAPTURE_RX,
			    bufs, n, NULL, now);
		m = n;
	} else {
		/* Start every frame's first line on its way before the
		 * parser needs the first one. */
		for (i = 0; i < n; i++)
			__builtin_prefetch(pkt_data(bufs[i]));
		pipe_filter(w, path, bufs, n);
		if (w->capture != NULL) {
			for (i = 0; i < n; i++)
				w->tmp[i] = w->verdict[i] == PIPE_PASS;
			capture_sample_batch(w->capture, in->idx, CAPTURE_RX,
			    bufs, n, w->tmp, now);
		}
		/* keep what passed, in order, with its summary */
		for (i = 0, m = 0; i < n; i++) {
			if (w->verdict[i] == PIPE_PASS) {
				if (m != i) {
					bufs[m] = bufs[i];
					w->meta[m] = w->meta[i];
				}
				m++;
				continue;
			}
			if (w->verdict[i] == PIPE_DROP_FILTER)
				nfilt++;
			else
				nbad++;
			pkt_free(bufs[i]);
		}
		if (nfilt)
			COUNT(c->drop_filtered, nfilt);
		if (nbad)
			COUNT(c->drop_malformed, nbad);
		if (m == 0)
			return;
		if (path->vlan_op != CONF_VLAN_KEEP)
			for (i = 0; i < m; i++)
				pipe_vlan(path, bufs[i], &w->meta[i]);
	}

	if (path->bridge != NULL) {
		pipe_switch(w, in, path, bufs, m, now);
		return;
	}
	if (path->nout == 0) {
		for (i = 0; i < m; i++)
			pkt_free(bufs[i]);
		COUNT(c->drop_no_route, m);
		return;
	}
	for (o = 1; o < path->nout; o++)
		pipe_mirror(w, &path->out[o], bufs, m, now);
	pipe_send(w, &path->out[0], bufs, m, now);
}

/*
 * poll: adaptive.  A loop that moved nothing starts (or continues) an
 * idle run.  For the first PIPE_SPIN_NS of a run the worker keeps
 * spinning, so a burst that pauses briefly never meets a sleep; then it
 * sleeps 1 us, 2, 4, ... up to sleep_max_ns, polling its queues after
 * each sleep.  A packet ends the run: the next loop is busy polling
 * again.  The added latency is at most one sleep, sleep_max_ns plus the
 * kernel's wake-up (the timer slack is set to 1 us so that the kernel
 * does not stretch short sleeps by its default 50 us).  This is off the
 * fast path: it only runs on loops that found nothing to do.
 */
#define PIPE_SPIN_NS		50000u		/* 50 us of empty polls */
#define PIPE_SLEEP_MIN_NS	1000u

struct pipe_idle {
	uint64_t	 since;		/* start of the idle run, 0: busy */
	uint32_t	 step;		/* next sleep, ns */
};

static void
pipe_idle(struct pipe_worker *w, struct pipe_idle *id)
{
	struct timespec ts;
	uint64_t t0, t1;

	if (w->busy_poll) {
		cpu_relax();
		return;
	}
	t0 = pipe_now_ns();
	if (id->since == 0) {
		id->since = t0;
		id->step = PIPE_SLEEP_MIN_NS;
	}
	if (t0 - id->since < PIPE_SPIN_NS) {
		cpu_relax();
		return;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = id->step;
	nanosleep(&ts, NULL);
	t1 = pipe_now_ns();
	COUNT(w->wc.sleep_ns, t1 - t0);
	COUNT(w->wc.sleeps, 1);
	if (id->step < w->sleep_max_ns)
		id->step = id->step * 2 < w->sleep_max_ns ? id->step * 2 :
		    w->sleep_max_ns;
}

void *
worker_main(void *arg)
{
	struct pipe_worker *w = arg;
	struct pkt_buf *bufs[PIPE_BATCH_MAX];
	struct pipe_idle idle = { 0, 0 };
	int i;

	if (!w->busy_poll)
		(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		uint64_t t0 = __rdtsc(), now = 0;
		uint32_t moved = 0;

		/* captures attached or detached: a new table, whole */
		if (w->capture_slot != NULL)
			w->capture = __atomic_load_n(w->capture_slot,
			    __ATOMIC_ACQUIRE);
		if (__builtin_expect((__atomic_load_n(&w->tx_reset,
		    __ATOMIC_RELAXED) | w->txr_busy) != 0, 0))
			pipe_tx_resets(w);
		for (i = 0; i < w->nin; i++) {
			struct pipe_in *in = &w->in[i];
			struct pipe_counters *c = &w->counters[in->idx];
			uint64_t bytes = 0;
			uint16_t k, n;

			/* a port whose device is gone is not polled */
			if (__builtin_expect(__atomic_load_n(
			    &w->port_failed[in->idx], __ATOMIC_RELAXED), 0))
				continue;

			n = port_rx_batch(in->port, in->rxq, bufs, w->batch);
			if (n == 0)
				continue;
			for (k = 0; k < n; k++) {
				bytes += bufs[k]->len;
				bufs[k]->port = in->idx;
			}
			COUNT(c->rx_packets, n);
			COUNT(c->rx_bytes, bytes);
			COUNT(in->rx_packets, n);
			COUNT(in->rx_bytes, bytes);
			pipe_process(w, in, bufs, n, &now);
			moved += n;
		}
		/* A path loaded in this loop is no longer in use. */
		__atomic_store_n(&w->epoch, w->epoch + 1, __ATOMIC_RELEASE);
		if (moved == 0) {
			COUNT(w->wc.idle_loops, 1);
			pipe_idle(w, &idle);
			continue;
		}
		idle.since = 0;
		COUNT(w->wc.busy_cycles, __rdtsc() - t0);
		COUNT(w->wc.busy_packets, moved);
		COUNT(w->wc.busy_loops, 1);
	}
	return NULL;
}
