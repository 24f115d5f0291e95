/*
 * capture_pcapng.c: the pcapng blocks a capture writes (libpcap reads
 * pcapng but cannot write it).  draft-ietf-opsawg-pcapng, host byte order
 * (the Section Header's byte-order magic says which).
 *
 * A file is one section:
 *
 *   SHB   shb_userappl "ixfwd"
 *   IDB   DLT_EN10MB, SnapLen, if_name (the port), if_description,
 *         if_filter (the capture filter), if_tsresol 9 (ns), opt_comment
 *         with the sampling ("sampled 1 in 1000; rx; where all")
 *   EPB   one per sample, original length kept, epb_flags inbound/outbound
 *   ISB   at rotation and close: isb_ifrecv (packets on the port in the
 *         capture's direction), isb_filteraccept (matched the filter),
 *         isb_ifdrop (samples lost because the ring was full), isb_osdrop
 *         (samples lost because writing failed), isb_usrdeliv (written),
 *         isb_starttime/endtime, and every counter in an opt_comment
 */
#include <stdio.h>
#include <string.h>

#include "capture_priv.h"

#define OPT_ENDOFOPT		0
#define OPT_COMMENT		1
#define SHB_USERAPPL		4
#define IF_NAME			2
#define IF_DESCRIPTION		3
#define IF_TSRESOL		9
#define IF_FILTER		11
#define EPB_FLAGS		2
#define ISB_STARTTIME		2
#define ISB_ENDTIME		3
#define ISB_IFRECV		4
#define ISB_IFDROP		5
#define ISB_FILTERACCEPT	6
#define ISB_OSDROP		7
#define ISB_USRDELIV		8

struct pcapng_buf {
	uint8_t		*p;
	size_t		 len;
	size_t		 room;
	int		 overflow;
};

static void
put(struct pcapng_buf *b, const void *v, size_t n)
{
	if (b->overflow || n > b->room - b->len) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void
put16(struct pcapng_buf *b, uint16_t v)
{
	put(b, &v, sizeof(v));
}

static void
put32(struct pcapng_buf *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void
pad4(struct pcapng_buf *b)
{
	static const uint8_t zero[4];

	put(b, zero, (4 - (b->len & 3)) & 3);
}

static void
opt(struct pcapng_buf *b, uint16_t code, const void *v, size_t n)
{
	if (n > 0xffff) {
		b->overflow = 1;
		return;
	}
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, v, n);
	pad4(b);
}

static void
opt_str(struct pcapng_buf *b, uint16_t code, const char *s)
{
	opt(b, code, s, strlen(s));
}

static void
opt_u64(struct pcapng_buf *b, uint16_t code, uint64_t v)
{
	opt(b, code, &v, sizeof(v));
}

/* A timestamp option: high and low 32 bits, in if_tsresol units (ns). */
static void
opt_ts(struct pcapng_buf *b, uint16_t code, uint64_t ns)
{
	uint32_t ts[2] = { (uint32_t)(ns >> 32), (uint32_t)ns };

	opt(b, code, ts, sizeof(ts));
}

static void
opt_end(struct pcapng_buf *b)
{
	put16(b, OPT_ENDOFOPT);
	put16(b, 0);
}

static size_t
block_begin(struct pcapng_buf *b, uint32_t type)
{
	size_t start = b->len;

	put32(b, type);
	put32(b, 0);		/* total length, filled in by block_end */
	return start;
}

static void
block_end(struct pcapng_buf *b, size_t start)
{
	uint32_t total;

	pad4(b);
	total = (uint32_t)(b->len - start + 4);
	put32(b, total);
	if (!b->overflow)
		memcpy(b->p + start + 4, &total, sizeof(total));
}

size_t
capture_pcapng_head(const struct capture *c, uint8_t *buf, size_t room)
{
	struct pcapng_buf b = { buf, 0, room, 0 };
	char text[CAPTURE_FILTER_MAX + 256];
	uint8_t tsresol = 9;
	size_t start;

	start = block_begin(&b, PCAPNG_SHB);
	put32(&b, 0x1a2b3c4d);			/* byte-order magic */
	put16(&b, 1);				/* version 1.0 */
	put16(&b, 0);
	put32(&b, 0xffffffff);			/* section length: unknown */
	put32(&b, 0xffffffff);
	opt_str(&b, SHB_USERAPPL, "ixfwd");
	opt_end(&b);
	block_end(&b, start);

	start = block_begin(&b, PCAPNG_IDB);
	put16(&b, DLT_EN10MB);
	put16(&b, 0);
	put32(&b, c->conf.snaplen);
	if (c->conf.port_name[0] != '\0')
		opt_str(&b, IF_NAME, c->conf.port_name);
	snprintf(text, sizeof(text), "ixfwd capture %s on port %s",
	    c->conf.name, c->conf.port_name[0] != '\0' ?
	    c->conf.port_name : "?");
	opt_str(&b, IF_DESCRIPTION, text);
	if (c->conf.filter[0] != '\0') {
		/* first byte 0: a libpcap filter string */
		text[0] = 0;
		memcpy(text + 1, c->conf.filter, strlen(c->conf.filter));
		opt(&b, IF_FILTER, text, 1 + strlen(c->conf.filter));
	}
	opt(&b, IF_TSRESOL, &tsresol, 1);
	capture_describe(&c->conf, text, sizeof(text));
	opt_str(&b, OPT_COMMENT, text);
	opt_end(&b);
	block_end(&b, start);
	return b.overflow ? 0 : b.len;
}

size_t
capture_pcapng_epb(const struct capture_rec *r, uint8_t *buf, size_t room)
{
	struct pcapng_buf b = { buf, 0, room, 0 };
	uint32_t flags = r->dir == CAPTURE_RX ? 1 : 2;	/* inbound, outbound */
	size_t start;

	start = block_begin(&b, PCAPNG_EPB);
	put32(&b, 0);				/* interface 0 */
	put32(&b, (uint32_t)(r->ts >> 32));
	put32(&b, (uint32_t)r->ts);
	put32(&b, r->caplen);
	put32(&b, r->len);
	put(&b, r + 1, r->caplen);
	pad4(&b);
	opt(&b, EPB_FLAGS, &flags, sizeof(flags));
	opt_end(&b);
	block_end(&b, start);
	return b.overflow ? 0 : b.len;
}

size_t
capture_pcapng_isb(const struct capture *c, const struct capture_stats *st,
    uint64_t now_ns, uint8_t *buf, size_t room)
{
	struct pcapng_buf b = { buf, 0, room, 0 };
	char text[512];
	size_t start;

	start = block_begin(&b, PCAPNG_ISB);
	put32(&b, 0);
	put32(&b, (uint32_t)(now_ns >> 32));
	put32(&b, (uint32_t)now_ns);
	snprintf(text, sizeof(text), "ixfwd capture %s: seen %llu, filtered"
	    " %llu, sampled %llu, rate_limited %llu, ring_full %llu, written"
	    " %llu, write_failed %llu", c->conf.name,
	    (unsigned long long)st->seen, (unsigned long long)st->filtered,
	    (unsigned long long)st->sampled,
	    (unsigned long long)st->rate_limited,
	    (unsigned long long)st->ring_full,
	    (unsigned long long)st->written,
	    (unsigned long long)st->write_failed);
	opt_str(&b, OPT_COMMENT, text);
	opt_ts(&b, ISB_STARTTIME, c->start_ns);
	opt_ts(&b, ISB_ENDTIME, now_ns);
	opt_u64(&b, ISB_IFRECV, st->seen + st->filtered);
	opt_u64(&b, ISB_IFDROP, st->ring_full);
	opt_u64(&b, ISB_FILTERACCEPT, st->seen);
	opt_u64(&b, ISB_OSDROP, st->write_failed);
	opt_u64(&b, ISB_USRDELIV, st->written);
	opt_end(&b);
	block_end(&b, start);
	return b.overflow ? 0 : b.len;
}
