/*
 * worker.c: the fast path.  A worker polls the RX queue of each of its
 * ports, receives a batch, and hands it to the TX queue of each
 * destination.  Nothing here makes a syscall, takes a lock, logs or
 * allocates other than from the worker's own mempool; what a TX ring does
 * not take is freed and counted, never waited for.
 */
#include <string.h>
#include <x86intrin.h>

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

static inline void
pipe_send(struct pipe_worker *w, const struct pipe_out *out,
    struct pkt_buf **bufs, uint16_t n)
{
	struct pipe_counters *c = &w->counters[out->idx];
	uint64_t bytes = 0;
	uint16_t i, sent;

	sent = port_tx_batch(out->port, out->txq, bufs, n);
	for (i = 0; i < sent; i++)
		bytes += bufs[i]->len;
	for (i = sent; i < n; i++)
		pkt_free(bufs[i]);
	COUNT(c->tx_packets, sent);
	COUNT(c->tx_bytes, bytes);
	if (sent < n)
		COUNT(c->drop_tx_full, n - sent);
}

/* Every destination after the first gets copies (port mirroring). */
static inline void
pipe_mirror(struct pipe_worker *w, const struct pipe_out *out,
    struct pkt_buf **bufs, uint16_t n, struct pkt_buf **copies)
{
	uint16_t i, got;

	got = (uint16_t)mempool_alloc_bulk(w->pool, copies, n);
	for (i = 0; i < got; i++) {
		memcpy(pkt_data(copies[i]), pkt_data(bufs[i]), bufs[i]->len);
		copies[i]->len = bufs[i]->len;
		copies[i]->port = bufs[i]->port;
	}
	if (got < n)
		COUNT(w->counters[out->idx].drop_no_buffer, n - got);
	if (got > 0)
		pipe_send(w, out, copies, got);
}

static inline void
pipe_forward(struct pipe_worker *w, const struct pipe_in *in,
    struct pkt_buf **bufs, uint16_t n, struct pkt_buf **copies)
{
	uint16_t i, o;

	if (in->nout == 0) {
		for (i = 0; i < n; i++)
			pkt_free(bufs[i]);
		COUNT(w->counters[in->idx].drop_no_route, n);
		return;
	}
	for (o = 1; o < in->nout; o++)
		pipe_mirror(w, &in->out[o], bufs, n, copies);
	pipe_send(w, &in->out[0], bufs, n);
}

void *
worker_main(void *arg)
{
	struct pipe_worker *w = arg;
	struct pkt_buf *bufs[PIPE_BATCH_MAX], *copies[PIPE_BATCH_MAX];
	int i;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		uint64_t t0 = __rdtsc();
		uint32_t moved = 0;

		for (i = 0; i < w->nin; i++) {
			struct pipe_in *in = &w->in[i];
			struct pipe_counters *c = &w->counters[in->idx];
			uint64_t bytes = 0;
			uint16_t k, n;

			n = port_rx_batch(in->port, 0, bufs, w->batch);
			if (n == 0)
				continue;
			for (k = 0; k < n; k++) {
				bytes += bufs[k]->len;
				bufs[k]->port = in->idx;
			}
			COUNT(c->rx_packets, n);
			COUNT(c->rx_bytes, bytes);
			pipe_forward(w, in, bufs, n, copies);
			moved += n;
		}
		if (moved == 0) {
			COUNT(w->wc.idle_loops, 1);
			cpu_relax();
			continue;
		}
		COUNT(w->wc.busy_cycles, __rdtsc() - t0);
		COUNT(w->wc.busy_packets, moved);
		COUNT(w->wc.busy_loops, 1);
	}
	return NULL;
}
