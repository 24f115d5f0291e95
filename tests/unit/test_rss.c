/*
 * test_rss.c: receive-side scaling.  The emulated 82599's Toeplitz hash
 * against the published RSS verification vectors (Microsoft's "Verifying
 * the RSS hash calculation", reproduced in the 82599 datasheet
 * §7.1.2.8.3), through the model's own function and through frames
 * received on its queues; the 82598-compatible RSS register addresses;
 * and the driver's RSS set-up against an independent Toeplitz written
 * here from the datasheet's algorithm (§7.1.2.8.1): every frame of
 * 10,000 random flows arrives on the queue that computation predicts,
 * with that hash.  And the per-queue statistics sets of the other
 * direction: what each TX queue sent is counted in its own set (TQSM).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bar.h"
#include "dma.h"
#include "emu82599.h"
#include "emu82599_priv.h"
#include "hugepages.h"
#include "ixgbe.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "logcapture.h"
#include "mempool.h"
#include "port.h"
#include "t.h"

#define WAIT_MS		3000
#define NQ		4
#define RING		512
#define POOL		2048
#define FLEN		128		/* every test frame */

static int	hw_ok;
static char	hw_why[256];

/* The key of the verification suite. */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* The verification suite: source, destination, source port, destination
 * port; the hash of the addresses alone and of addresses and ports. */
static const struct {
	uint8_t		 src[4], dst[4];
	uint16_t	 sport, dport;
	uint32_t	 h_ip, h_tcp;
} v4[] = {
	{ { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766,
	    0x323e8fc2, 0x51ccc178 },
	{ { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739,
	    0xd718262a, 0xc626b0ea },
	{ { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024,
	    0xd2d0a5de, 0x5c2b394a },
	{ { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217,
	    0x82989176, 0xafc7327f },
	{ { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303,
	    0x5d1809c5, 0x10e828a2 },
};

static const struct {
	uint8_t		 src[16], dst[16];
	uint16_t	 sport, dport;
	uint32_t	 h_ip, h_tcp;
} v6[] = {
	/* 3ffe:2501:200:1fff::7 -> 3ffe:2501:200:3::1 */
	{ { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
	    0, 0, 0, 0, 0, 0, 0, 0x07 },
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
	    0, 0, 0, 0, 0, 0, 0, 0x01 },
	  2794, 1766, 0x2cc18cd5, 0x40207d3d },
	/* 3ffe:501:8::260:97ff:fe40:efab -> ff02::1 */
	{ { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0x00, 0x00,
	    0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab },
	  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	  14230, 4739, 0x0f0c461c, 0xdde51bbf },
	/* 3ffe:1900:4545:3:200:f8ff:fe21:67cf -> fe80::200:f8ff:fe21:67cf */
	{ { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  44251, 38024, 0x4b61e985, 0x02d1feef },
};

#define NV4	(int)(sizeof(v4) / sizeof(v4[0]))
#define NV6	(int)(sizeof(v6) / sizeof(v6[0]))

/* ---- an independent Toeplitz (§7.1.2.8.1) ---- */

/* Bit n of the key, counting from the most significant bit of byte 0. */
static uint32_t
key_bit(const uint8_t *key, uint32_t n)
{
	if (n >= 320)
		return 0;
	return (key[n / 8] >> (7 - n % 8)) & 1;
}

/* "For each bit of the input, left to right, that is 1: result ^= the
 * left-most 32 bits of K; then shift K left one bit." */
static uint32_t
ref_toeplitz(const uint8_t *key, const uint8_t *in, uint32_t len)
{
	uint32_t h = 0, j, b, w;

	for (j = 0; j < len * 8; j++) {
		if (!((in[j / 8] >> (7 - j % 8)) & 1))
			continue;
		w = 0;
		for (b = 0; b < 32; b++)
			w = w << 1 | key_bit(key, j + b);
		h ^= w;
	}
	return h;
}

/* ---- frames ---- */

enum flow_kind { F_V4TCP, F_V4UDP, F_V6TCP, F_V6UDP, F_V4OTHER, F_NONIP,
	F_NKINDS };

struct flow {
	enum flow_kind	 kind;
	uint8_t		 src[16], dst[16];
	uint16_t	 sport, dport;
};

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0xee, 0xee, 0x01 };

static uint16_t
ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A FLEN-byte frame of the flow to dst, its last 4 bytes seq. */
static void
make_frame(uint8_t *f, const uint8_t dst[6], const struct flow *fl,
    uint32_t seq)
{
	uint8_t *ip = f + 14, *l4;
	uint16_t cs;

	memset(f, 0, FLEN);
	memcpy(f, dst, 6);
	memcpy(f + 6, peer_mac, 6);
	switch (fl->kind) {
	case F_V4TCP:
	case F_V4UDP:
	case F_V4OTHER:
		f[12] = 0x08;
		f[13] = 0x00;
		ip[0] = 0x45;
		ip[2] = (FLEN - 14) >> 8;
		ip[3] = (FLEN - 14) & 0xff;
		ip[4] = (uint8_t)(seq >> 8);
		ip[5] = (uint8_t)seq;
		ip[8] = 64;
		ip[9] = fl->kind == F_V4TCP ? 6 : fl->kind == F_V4UDP ? 17 : 47;
		memcpy(ip + 12, fl->src, 4);
		memcpy(ip + 16, fl->dst, 4);
		cs = ip_csum(ip, 20);
		ip[10] = cs >> 8;
		ip[11] = cs & 0xff;
		l4 = ip + 20;
		break;
	case F_V6TCP:
	case F_V6UDP:
		f[12] = 0x86;
		f[13] = 0xdd;
		ip[0] = 0x60;
		ip[4] = (FLEN - 14 - 40) >> 8;
		ip[5] = (FLEN - 14 - 40) & 0xff;
		ip[6] = fl->kind == F_V6TCP ? 6 : 17;
		ip[7] = 64;
		memcpy(ip + 8, fl->src, 16);
		memcpy(ip + 24, fl->dst, 16);
		l4 = ip + 40;
		break;
	default:
		f[12] = 0x88;		/* IEEE local experimental */
		f[13] = 0xb5;
		l4 = NULL;
		break;
	}
	if (l4 != NULL && fl->kind != F_V4OTHER) {
		l4[0] = fl->sport >> 8;
		l4[1] = fl->sport & 0xff;
		l4[2] = fl->dport >> 8;
		l4[3] = fl->dport & 0xff;
		if (fl->kind == F_V4TCP || fl->kind == F_V6TCP)
			l4[12] = 5 << 4;	/* TCP data offset */
	}
	f[FLEN - 4] = (uint8_t)(seq >> 24);
	f[FLEN - 3] = (uint8_t)(seq >> 16);
	f[FLEN - 2] = (uint8_t)(seq >> 8);
	f[FLEN - 1] = (uint8_t)seq;
}

/* What the reference says of the flow with every field selected: RSS
 * type (PKT_RSS_*) and hash. */
static uint8_t
ref_flow(const uint8_t *key, const struct flow *fl, uint32_t *hash)
{
	uint8_t in[36];
	uint32_t al = 4;
	uint8_t type;

	switch (fl->kind) {
	case F_V4TCP:
		type = PKT_RSS_IPV4_TCP;
		break;
	case F_V4UDP:
		type = PKT_RSS_IPV4_UDP;
		break;
	case F_V4OTHER:
		type = PKT_RSS_IPV4;
		break;
	case F_V6TCP:
		type = PKT_RSS_IPV6_TCP;
		al = 16;
		break;
	case F_V6UDP:
		type = PKT_RSS_IPV6_UDP;
		al = 16;
		break;
	default:
		*hash = 0;
		return PKT_RSS_NONE;
	}
	memcpy(in, fl->src, al);
	memcpy(in + al, fl->dst, al);
	if (type == PKT_RSS_IPV4) {
		*hash = ref_toeplitz(key, in, 2 * al);
		return type;
	}
	in[2 * al] = fl->sport >> 8;
	in[2 * al + 1] = fl->sport & 0xff;
	in[2 * al + 2] = fl->dport >> 8;
	in[2 * al + 3] = fl->dport & 0xff;
	*hash = ref_toeplitz(key, in, 2 * al + 4);
	return type;
}

/* ---- the NIC ---- */

struct nic {
	struct emu82599	*emu;
	struct bar	 bar;
	struct mempool	*rxpool[NQ];
	struct mempool	*txpool;
	struct port	*port;
	uint8_t		 mac[6];
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An emulated NIC opened by the driver with nq RX queues (at most NQ),
 * this RSS, and ntxq TX queues (with a pool to send from). */
static int
nic_open_txq(struct nic *n, const uint8_t *key, const uint8_t *reta,
    uint16_t nq, uint16_t ntxq)
{
	struct emu_wire_conf wc;
	struct ixgbe_conf c;
	uint16_t q;

	memset(n, 0, sizeof(*n));
	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_QUEUE;
	memcpy(n->mac, (uint8_t[6]){ 0x02, 0x1b, 0x21, 0, 0, 0x42 }, 6);
	if ((n->emu = emu_create("rss0", n->mac, &wc)) == NULL)
		return -1;
	emu_bar(n->emu, &n->bar);
	memset(&c, 0, sizeof(c));
	c.name = "rss0";
	c.nb_rxq = nq;
	c.nb_txq = ntxq;
	c.rx_ring = RING;
	c.tx_ring = 64;
	c.link_timeout_ms = WAIT_MS;
	for (q = 0; q < nq; q++)
		if ((c.rx_pool[q] = n->rxpool[q] = mempool_create(POOL)) ==
		    NULL)
			return -1;
	memcpy(c.rss_key, key, 40);
	c.rss_fields = IXGBE_RSS_ALL;
	memcpy(c.rss_reta, reta, 128);
	if ((n->txpool = mempool_create(POOL)) == NULL)
		return -1;
	n->port = ixgbe_open(&n->bar, &c);
	return n->port != NULL ? 0 : -1;
}

static int
nic_open(struct nic *n, const uint8_t *key, const uint8_t *reta,
    uint16_t nq)
{
	return nic_open_txq(n, key, reta, nq, 1);
}

static void
nic_close(struct nic *n)
{
	int q;

	if (n->port != NULL)
		port_close(n->port);
	if (n->emu != NULL) {
		if (emu_violations(n->emu) != 0)
			t_fail(__FILE__, __LINE__, "%s: %llu strict-model "
			    "violations", t_name,
			    (unsigned long long)emu_violations(n->emu));
		emu_destroy(n->emu);
	}
	for (q = 0; q < NQ; q++)
		mempool_destroy(n->rxpool[q]);
	mempool_destroy(n->txpool);
	memset(n, 0, sizeof(*n));
}

/* What a queue delivered: seq, queue, hash, type. */
struct got {
	uint32_t	 seq;
	uint16_t	 q;
	uint8_t		 type;
	uint32_t	 hash;
};

/* Push count frames (frames[i], FLEN bytes each), then take them off
 * every queue; fills got[] and returns how many came within WAIT_MS of
 * the last one. */
static uint32_t
exchange(struct nic *n, uint8_t (*frames)[FLEN], uint32_t count,
    struct got *got)
{
	struct pkt_buf *bufs[32];
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t pushed = 0, ngot = 0;
	uint16_t q, k, i;
	const uint8_t *d;

	while (ngot < count && now_ms() < deadline) {
		while (pushed < count &&
		    emu_wire_push(n->emu, frames[pushed], FLEN) == 0)
			pushed++;
		for (q = 0; q < n->port->nb_rxq; q++) {
			k = port_rx_batch(n->port, q, bufs, 32);
			if (k > 0)
				deadline = now_ms() + WAIT_MS;
			for (i = 0; i < k; i++) {
				if (ngot < count && bufs[i]->len == FLEN) {
					d = pkt_data(bufs[i]);
					got[ngot].seq = (uint32_t)d[FLEN - 4] <<
					    24 | (uint32_t)d[FLEN - 3] << 16 |
					    (uint32_t)d[FLEN - 2] << 8 |
					    d[FLEN - 1];
					got[ngot].q = q;
					got[ngot].type = bufs[i]->rss_type;
					got[ngot].hash = bufs[i]->rss_hash;
					ngot++;
				}
				pkt_free(bufs[i]);
			}
		}
		usleep(10);
	}
	return ngot;
}

#define NEED_HW() do {							\
	if (!hw_ok)							\
		T_SKIP("%s", hw_why);					\
} while (0)

/* ---- tests ---- */

/* The model's hash function on the suite's inputs, as §7.1.2.8.1 lays
 * them out (source address, destination address, source port,
 * destination port), and emu_rss_input laying them out from frames. */
static void
test_model_hash_vectors(void)
{
	uint8_t in[36], f[FLEN], got_in[36];
	uint32_t inlen, type;
	struct flow fl;
	int i;

	for (i = 0; i < NV4; i++) {
		memcpy(in, v4[i].src, 4);
		memcpy(in + 4, v4[i].dst, 4);
		in[8] = v4[i].sport >> 8;
		in[9] = v4[i].sport & 0xff;
		in[10] = v4[i].dport >> 8;
		in[11] = v4[i].dport & 0xff;
		T_EQ(emu_rss_hash(ms_key, in, 8), v4[i].h_ip);
		T_EQ(emu_rss_hash(ms_key, in, 12), v4[i].h_tcp);
		T_EQ(ref_toeplitz(ms_key, in, 8), v4[i].h_ip);
		T_EQ(ref_toeplitz(ms_key, in, 12), v4[i].h_tcp);

		memset(&fl, 0, sizeof(fl));
		memcpy(fl.src, v4[i].src, 4);
		memcpy(fl.dst, v4[i].dst, 4);
		fl.sport = v4[i].sport;
		fl.dport = v4[i].dport;
		fl.kind = F_V4TCP;
		make_frame(f, peer_mac, &fl, 0);
		type = emu_rss_input(f, FLEN, 0xffff0000u, got_in, &inlen);
		T_EQ(type, EMU_RSSTYPE_TCPIPV4);
		T_EQ(emu_rss_hash(ms_key, got_in, inlen), v4[i].h_tcp);
		/* TCP not selected: the addresses alone */
		type = emu_rss_input(f, FLEN, EMU_MRQC_IPV4 | EMU_MRQC_UDPIPV4,
		    got_in, &inlen);
		T_EQ(type, EMU_RSSTYPE_IPV4);
		T_EQ(emu_rss_hash(ms_key, got_in, inlen), v4[i].h_ip);
		fl.kind = F_V4UDP;
		make_frame(f, peer_mac, &fl, 0);
		type = emu_rss_input(f, FLEN, 0xffff0000u, got_in, &inlen);
		T_EQ(type, EMU_RSSTYPE_UDPIPV4);
		T_EQ(emu_rss_hash(ms_key, got_in, inlen), v4[i].h_tcp);
		/* nothing selected for IPv4: no hash */
		type = emu_rss_input(f, FLEN, EMU_MRQC_IPV6, got_in, &inlen);
		T_EQ(type, EMU_RSSTYPE_NONE);
	}
	for (i = 0; i < NV6; i++) {
		memcpy(in, v6[i].src, 16);
		memcpy(in + 16, v6[i].dst, 16);
		in[32] = v6[i].sport >> 8;
		in[33] = v6[i].sport & 0xff;
		in[34] = v6[i].dport >> 8;
		in[35] = v6[i].dport & 0xff;
		T_EQ(emu_rss_hash(ms_key, in, 32), v6[i].h_ip);
		T_EQ(emu_rss_hash(ms_key, in, 36), v6[i].h_tcp);
		T_EQ(ref_toeplitz(ms_key, in, 32), v6[i].h_ip);
		T_EQ(ref_toeplitz(ms_key, in, 36), v6[i].h_tcp);

		memset(&fl, 0, sizeof(fl));
		memcpy(fl.src, v6[i].src, 16);
		memcpy(fl.dst, v6[i].dst, 16);
		fl.sport = v6[i].sport;
		fl.dport = v6[i].dport;
		fl.kind = F_V6TCP;
		make_frame(f, peer_mac, &fl, 0);
		type = emu_rss_input(f, FLEN, 0xffff0000u, got_in, &inlen);
		T_EQ(type, EMU_RSSTYPE_TCPIPV6);
		T_EQ(emu_rss_hash(ms_key, got_in, inlen), v6[i].h_tcp);
		type = emu_rss_input(f, FLEN, EMU_MRQC_IPV6, got_in, &inlen);
		T_EQ(type, EMU_RSSTYPE_IPV6);
		T_EQ(emu_rss_hash(ms_key, got_in, inlen), v6[i].h_ip);
	}
	/* not IP: no hash */
	memset(&fl, 0, sizeof(fl));
	fl.kind = F_NONIP;
	make_frame(f, peer_mac, &fl, 0);
	T_EQ(emu_rss_input(f, FLEN, 0xffff0000u, got_in, &inlen),
	    EMU_RSSTYPE_NONE);
}

/* The suite's flows as frames on a model RX queue: each arrives on the
 * queue RETA[hash & 127] names, the hash in the write-back (RXCSUM.PCSD)
 * and from there in the pkt_buf, with its RSS type. */
static void
test_vectors_on_queues(void)
{
	static uint8_t frames[2 * (NV4 + NV6) + NV4][FLEN];
	static struct got got[2 * (NV4 + NV6) + NV4];
	uint32_t want_hash[2 * (NV4 + NV6) + NV4];
	uint8_t want_type[2 * (NV4 + NV6) + NV4];
	uint8_t reta[128];
	struct flow fl;
	struct nic n;
	uint32_t count = 0, ngot, i;
	int k;

	NEED_HW();
	for (i = 0; i < 128; i++)
		reta[i] = (uint8_t)(i % NQ);
	T_REQUIRE(nic_open(&n, ms_key, reta, NQ) == 0);
	for (k = 0; k < NV4; k++) {
		memset(&fl, 0, sizeof(fl));
		memcpy(fl.src, v4[k].src, 4);
		memcpy(fl.dst, v4[k].dst, 4);
		fl.sport = v4[k].sport;
		fl.dport = v4[k].dport;
		fl.kind = F_V4TCP;
		make_frame(frames[count], n.mac, &fl, count);
		want_hash[count] = v4[k].h_tcp;
		want_type[count++] = PKT_RSS_IPV4_TCP;
		fl.kind = F_V4UDP;
		make_frame(frames[count], n.mac, &fl, count);
		want_hash[count] = v4[k].h_tcp;
		want_type[count++] = PKT_RSS_IPV4_UDP;
		fl.kind = F_V4OTHER;
		make_frame(frames[count], n.mac, &fl, count);
		want_hash[count] = v4[k].h_ip;
		want_type[count++] = PKT_RSS_IPV4;
	}
	for (k = 0; k < NV6; k++) {
		memset(&fl, 0, sizeof(fl));
		memcpy(fl.src, v6[k].src, 16);
		memcpy(fl.dst, v6[k].dst, 16);
		fl.sport = v6[k].sport;
		fl.dport = v6[k].dport;
		fl.kind = F_V6TCP;
		make_frame(frames[count], n.mac, &fl, count);
		want_hash[count] = v6[k].h_tcp;
		want_type[count++] = PKT_RSS_IPV6_TCP;
		fl.kind = F_V6UDP;
		make_frame(frames[count], n.mac, &fl, count);
		want_hash[count] = v6[k].h_tcp;
		want_type[count++] = PKT_RSS_IPV6_UDP;
	}
	ngot = exchange(&n, frames, count, got);
	T_EQ(ngot, count);
	for (i = 0; i < ngot; i++) {
		uint32_t s = got[i].seq;

		T_REQUIRE(s < count);
		T_EQ(got[i].hash, want_hash[s]);
		T_EQ(got[i].type, want_type[s]);
		T_EQ(got[i].q, reta[want_hash[s] & 127]);
	}
	nic_close(&n);
}

/* MRQC, RETA and RSSRK answer at their 82598-compatible addresses too
 * (register summary, §8.2.3): a write at one address reads back at the
 * other; and with RETA written through the aliases, frames follow it. */
static void
test_alias_registers(void)
{
	uint8_t reta[128];
	struct nic n;
	int i;

	NEED_HW();
	for (i = 0; i < 128; i++)
		reta[i] = (uint8_t)(i % NQ);
	T_REQUIRE(nic_open(&n, ms_key, reta, NQ) == 0);
	/* what the driver wrote at the native addresses, read at the
	 * aliases */
	T_EQ(bar_read32(&n.bar, 0x05818), bar_read32(&n.bar, IXGBE_MRQC));
	T_CHECK((bar_read32(&n.bar, 0x05818) & 0xf) == 1);
	for (i = 0; i < 10; i++)
		T_EQ(bar_read32(&n.bar, 0x05C80 + 4 * i),
		    (uint32_t)ms_key[4 * i] | (uint32_t)ms_key[4 * i + 1] << 8 |
		    (uint32_t)ms_key[4 * i + 2] << 16 |
		    (uint32_t)ms_key[4 * i + 3] << 24);
	for (i = 0; i < 32; i++)
		T_EQ(bar_read32(&n.bar, 0x05C00 + 4 * i), 0x03020100u);
	/* written at the aliases, read natively */
	for (i = 0; i < 32; i++)
		bar_write32(&n.bar, 0x05C00 + 4 * i, 0x02020202u);
	T_EQ(bar_read32(&n.bar, IXGBE_RETA(31)), 0x02020202u);
	bar_write32(&n.bar, 0x05C80, 0x12345678u);
	T_EQ(bar_read32(&n.bar, IXGBE_RSSRK(0)), 0x12345678u);
	bar_write32(&n.bar, IXGBE_RSSRK(0), 0xda565a6du);
	T_EQ(bar_read32(&n.bar, 0x05C80), 0xda565a6du);
	nic_close(&n);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

#define NFLOWS	10000

/* One key and RETA: NFLOWS random flows through the driver-opened NIC,
 * in batches; each frame on the predicted queue with the predicted hash
 * and type; QPRC(q) counts what queue q delivered.  With sym set, each
 * flow is sent both ways too, and both directions land together. */
static void
agreement(const uint8_t *key, const uint8_t *reta, int sym)
{
	enum { BATCH = 1024 };
	static uint8_t frames[BATCH][FLEN];
	static struct got got[BATCH];
	static struct flow flows[BATCH];
	uint32_t want_hash[BATCH], delivered[NQ], base, i, nb, ngot, s, h;
	uint8_t want_type[BATCH], want_q[BATCH];
	struct flow *fl;
	struct nic n;
	uint16_t q;
	int bad = 0;

	T_REQUIRE(nic_open(&n, key, reta, NQ) == 0);
	for (q = 0; q < NQ; q++) {
		delivered[q] = 0;
		(void)bar_read32(&n.bar, IXGBE_QPRC(q));
	}
	for (base = 0; base < NFLOWS && !bad; base += nb) {
		nb = 0;
		while (nb < BATCH && base + nb < NFLOWS) {
			fl = &flows[nb];
			memset(fl, 0, sizeof(*fl));
			fl->kind = (enum flow_kind)(rng() % F_NKINDS);
			for (i = 0; i < 16; i++) {
				fl->src[i] = (uint8_t)rng();
				fl->dst[i] = (uint8_t)rng();
			}
			fl->sport = (uint16_t)rng();
			fl->dport = (uint16_t)rng();
			make_frame(frames[nb], n.mac, fl, nb);
			want_type[nb] = ref_flow(key, fl, &want_hash[nb]);
			want_q[nb] = want_type[nb] != PKT_RSS_NONE ?
			    reta[want_hash[nb] & 127] : 0;
			nb++;
			if (sym && nb < BATCH) {
				/* the same flow the other way */
				struct flow *r = &flows[nb];

				*r = *fl;
				memcpy(r->src, fl->dst, 16);
				memcpy(r->dst, fl->src, 16);
				r->sport = fl->dport;
				r->dport = fl->sport;
				make_frame(frames[nb], n.mac, r, nb);
				want_type[nb] = ref_flow(key, r, &want_hash[nb]);
				want_q[nb] = want_type[nb] != PKT_RSS_NONE ?
				    reta[want_hash[nb] & 127] : 0;
				if (want_hash[nb] != want_hash[nb - 1]) {
					t_fail(__FILE__, __LINE__, "symmetric "
					    "key: hash 0x%08x one way, 0x%08x "
					    "the other", want_hash[nb - 1],
					    want_hash[nb]);
					bad = 1;
				}
				nb++;
			}
		}
		ngot = exchange(&n, frames, nb, got);
		if (ngot != nb) {
			t_fail(__FILE__, __LINE__, "flows %u..: %u of %u "
			    "frames came", base, ngot, nb);
			break;
		}
		for (i = 0; i < ngot && !bad; i++) {
			s = got[i].seq;
			if (s >= nb) {
				t_fail(__FILE__, __LINE__, "bad seq %u", s);
				bad = 1;
				break;
			}
			delivered[got[i].q]++;
			h = got[i].type != PKT_RSS_NONE ? got[i].hash : 0;
			if (got[i].q != want_q[s] || got[i].type !=
			    want_type[s] || h != want_hash[s]) {
				t_fail(__FILE__, __LINE__, "flow %u (kind %d): "
				    "queue %u type %u hash 0x%08x, the "
				    "reference says queue %u type %u hash "
				    "0x%08x", base + s, flows[s].kind, got[i].q,
				    got[i].type, h, want_q[s], want_type[s],
				    want_hash[s]);
				bad = 1;
			}
		}
	}
	for (q = 0; q < NQ; q++) {
		T_CHECK(delivered[q] > 0);
		T_EQ(bar_read32(&n.bar, IXGBE_QPRC(q)), delivered[q]);
	}
	nic_close(&n);
}

static void
test_agreement_symmetric_key(void)
{
	uint8_t key[40], reta[128];
	int i;

	NEED_HW();
	for (i = 0; i < 40; i += 2) {
		key[i] = 0x6d;
		key[i + 1] = 0x5a;
	}
	for (i = 0; i < 128; i++)
		reta[i] = (uint8_t)(i % NQ);
	agreement(key, reta, 1);
}

static void
test_agreement_ms_key(void)
{
	uint8_t reta[128];
	int i;

	NEED_HW();
	for (i = 0; i < 128; i++)
		reta[i] = (uint8_t)(rng() % NQ);
	agreement(ms_key, reta, 0);
}

/* One queue: MRQC stays 0, no hash (RSS type 0), everything on queue 0,
 * as before RSS. */
static void
test_one_queue_no_rss(void)
{
	static uint8_t frames[64][FLEN];
	static struct got got[64];
	uint8_t reta[128];
	struct flow fl;
	struct nic n;
	uint32_t i, ngot;

	NEED_HW();
	memset(reta, 0, sizeof(reta));
	T_REQUIRE(nic_open(&n, ms_key, reta, 1) == 0);
	T_EQ(bar_read32(&n.bar, IXGBE_MRQC), 0);
	T_EQ(bar_read32(&n.bar, IXGBE_RXCSUM) & IXGBE_RXCSUM_PCSD, 0);
	for (i = 0; i < 64; i++) {
		memset(&fl, 0, sizeof(fl));
		fl.kind = (enum flow_kind)(i % F_NKINDS);
		fl.src[0] = (uint8_t)i;
		fl.dst[3] = (uint8_t)(i * 7);
		fl.sport = (uint16_t)(i * 1000);
		make_frame(frames[i], n.mac, &fl, i);
	}
	ngot = exchange(&n, frames, 64, got);
	T_EQ(ngot, 64);
	for (i = 0; i < ngot; i++) {
		T_EQ(got[i].q, 0);
		T_EQ(got[i].type, PKT_RSS_NONE);
	}
	nic_close(&n);
}

/* A RETA entry naming a queue that is not enabled: the 82599 steers the
 * frame there all the same, and it is missed (the queue has no
 * descriptors): counted in QPRDC with SRRCTL.DROP_EN, never delivered
 * elsewhere. */
static void
test_reta_to_disabled_queue(void)
{
	static uint8_t frames[40][FLEN];
	static struct got got[40];
	uint8_t reta[128];
	struct flow fl;
	struct nic n;
	uint32_t i, ngot, want0 = 0, want3 = 0, h;
	uint64_t deadline;
	uint32_t qprdc = 0;

	NEED_HW();
	for (i = 0; i < 128; i++)
		reta[i] = (uint8_t)(i % NQ);
	T_REQUIRE(nic_open(&n, ms_key, reta, NQ) == 0);
	/* queue 3 stopped behind the driver's back; RETA still names it.
	 * (SRRCTL(3) keeps DROP_EN.) */
	bar_write32(&n.bar, IXGBE_RXDCTL(3),
	    bar_read32(&n.bar, IXGBE_RXDCTL(3)) & ~IXGBE_RXDCTL_ENABLE);
	(void)bar_read32(&n.bar, IXGBE_QPRDC(3));
	for (i = 0; i < 40; i++) {
		memset(&fl, 0, sizeof(fl));
		fl.kind = F_V4UDP;
		fl.src[0] = 10;
		fl.src[2] = (uint8_t)rng();
		fl.src[3] = (uint8_t)rng();
		fl.dst[0] = 192;
		fl.sport = (uint16_t)rng();
		fl.dport = 53;
		make_frame(frames[i], n.mac, &fl, i);
		(void)ref_flow(ms_key, &fl, &h);
		if (reta[h & 127] == 3)
			want3++;
		else
			want0++;
	}
	T_REQUIRE(want3 > 0);
	ngot = exchange(&n, frames, 40, got);
	T_EQ(ngot, want0);
	for (i = 0; i < ngot; i++)
		T_CHECK(got[i].q != 3);
	deadline = now_ms() + WAIT_MS;
	while (qprdc < want3 && now_ms() < deadline) {
		qprdc += bar_read32(&n.bar, IXGBE_QPRDC(3));
		usleep(1000);
	}
	T_EQ(qprdc, want3);
	nic_close(&n);
}

/* Refused: a RETA entry beyond the queues, unknown field bits. */
static void
test_bad_rss_conf(void)
{
	uint8_t reta[128];
	struct nic n;

	NEED_HW();
	memset(reta, 0, sizeof(reta));
	reta[77] = NQ;
	log_capture_begin();
	T_CHECK(nic_open(&n, ms_key, reta, NQ) == -1);
	log_capture_end();
	T_CHECK(strstr(log_buf, "redirection entry 77 is queue 4") != NULL);
	T_EQ(emu_violations(n.emu), 0);
	n.port = NULL;
	nic_close(&n);
}

#define NTXQ	6		/* TQSM(0) and TQSM(1) */

/* The length of frame i of TX queue q: 60 to 1514 bytes, different
 * from queue to queue. */
static uint16_t
txq_len(uint16_t q, uint32_t i)
{
	return (uint16_t)(60 + (q * 211 + i * 97) % 1455);
}

/* Send one frame of len bytes on TX queue q, tagged with q and i;
 * 0 or -1 when the queue took none within WAIT_MS. */
static int
txq_send(struct nic *n, uint16_t q, uint32_t i, uint16_t len)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	struct pkt_buf *b;
	uint8_t *d;

	if ((b = mempool_alloc(n->txpool)) == NULL)
		return -1;
	d = pkt_data(b);
	memset(d, 0, len);
	memcpy(d, peer_mac, 6);
	memcpy(d + 6, n->mac, 6);
	d[12] = 0x88;			/* IEEE local experimental */
	d[13] = 0xb5;
	d[14] = (uint8_t)q;
	d[15] = (uint8_t)i;
	b->len = len;
	while (port_tx_batch(n->port, q, &b, 1) == 0) {
		if (now_ms() >= deadline) {
			pkt_free(b);
			return -1;
		}
		usleep(10);
	}
	return 0;
}

/* Take what the wire has of the frames txq_send() sent, counting them
 * by TX queue in seen[]; how many were taken. */
static uint32_t
txq_pull(struct nic *n, uint32_t *seen)
{
	uint8_t f[2048];
	uint32_t k = 0;
	size_t len;

	while ((len = emu_wire_pull(n->emu, f, sizeof(f))) > 0) {
		if (f[14] >= NTXQ || len != txq_len(f[14], f[15])) {
			t_fail(__FILE__, __LINE__, "a frame of %zu bytes, "
			    "tagged queue %u frame %u", len, f[14], f[15]);
			continue;
		}
		seen[f[14]]++;
		k++;
	}
	return k;
}

/* Each TX queue q sends its own number of frames, of lengths of its own;
 * the wire gets them all, and the driver's per-queue counters of queue q
 * (QPTC(q), QBTC(q): the statistics set TQSM maps queue q to) hold
 * exactly what q sent: set 0 not the other queues' frames, no set
 * beyond the queues anything.  QBTC counts the bytes DMA'd, no CRC. */
static void
test_tx_queue_stats(void)
{
	struct port_queue_stats qs;
	struct port_stats ps;
	uint64_t want_bytes[NTXQ], total = 0, deadline;
	uint32_t want[NTXQ], seen[NTXQ], nseen = 0, i;
	uint8_t reta[128];
	struct nic n;
	uint16_t q;

	NEED_HW();
	memset(reta, 0, sizeof(reta));
	T_REQUIRE(nic_open_txq(&n, ms_key, reta, 1, NTXQ) == 0);
	for (q = 0; q < NTXQ; q++) {
		want[q] = 3 + 4 * q;
		want_bytes[q] = 0;
		seen[q] = 0;
		total += want[q];
	}
	/* the queues in turn, so each is busy while the others are */
	for (i = 0; i < want[NTXQ - 1]; i++)
		for (q = 0; q < NTXQ; q++) {
			if (i >= want[q])
				continue;
			T_REQUIRE(txq_send(&n, q, i, txq_len(q, i)) == 0);
			want_bytes[q] += txq_len(q, i);
			nseen += txq_pull(&n, seen);
		}
	deadline = now_ms() + WAIT_MS;
	while (nseen < total && now_ms() < deadline) {
		nseen += txq_pull(&n, seen);
		usleep(50);
	}
	T_EQ(nseen, total);
	for (q = 0; q < NTXQ; q++) {
		T_EQ(seen[q], want[q]);
		port_queue_stats(n.port, q, &qs);
		T_EQ(qs.tx_packets, want[q]);
		T_EQ(qs.tx_bytes, want_bytes[q]);
		T_EQ(qs.rx_packets, 0);
	}
	/* the port's total is the sum of the sets */
	port_stats(n.port, &ps);
	T_EQ(ps.tx_packets, total);
	/* a queue the port does not have: zeros */
	port_queue_stats(n.port, NTXQ, &qs);
	T_EQ(qs.tx_packets + qs.tx_bytes, 0);
	/* the sets beyond the queues counted nothing (read here first) */
	for (q = NTXQ; q < 16; q++) {
		T_EQ(bar_read32(&n.bar, IXGBE_QPTC(q)), 0);
		T_EQ(bar_read32(&n.bar, IXGBE_QBTC_L(q)), 0);
	}
	nic_close(&n);
}

/* §8.2.3.23.71, §8.2.3.23.73: bits 7:4 of each byte of RQSMR and TQSM
 * are reserved; the model counts a write that sets them as a strict
 * violation, and only that. */
static void
test_qsm_reserved_bits(void)
{
	struct emu_wire_conf wc;
	struct emu82599 *emu;
	struct bar bar;
	uint8_t mac[6] = { 0x02, 0x1b, 0x21, 0, 0, 0x43 };

	memset(&wc, 0, sizeof(wc));
	wc.kind = EMU_WIRE_QUEUE;
	T_REQUIRE((emu = emu_create("qsm0", mac, &wc)) != NULL);
	emu_bar(emu, &bar);
	log_capture_begin();
	/* sets 0..15 in bits 3:0: fine */
	bar_write32(&bar, IXGBE_TQSM(0), 0x0f0e0d0cu);
	bar_write32(&bar, IXGBE_RQSMR(31), 0x03020100u);
	T_EQ(emu_violations(emu), 0);
	/* set 16 for queue 5: bit 4 of byte 1 */
	bar_write32(&bar, IXGBE_TQSM(1), 0x00001000u);
	T_EQ(emu_rule_violations(emu, EMU_RULE_QSM), 1);
	bar_write32(&bar, IXGBE_RQSMR(2), 0x80000000u);
	T_EQ(emu_rule_violations(emu, EMU_RULE_QSM), 2);
	T_EQ(emu_violations(emu), 2);
	log_capture_end();
	T_CHECK(strstr(log_buf, "TQSM(1) = 0x00001000 sets reserved bits") !=
	    NULL);
	emu_destroy(emu);
}

int
main(void)
{
	log_init(1, 0, "test_rss");
	T_RUN(test_model_hash_vectors);
	T_RUN(test_qsm_reserved_bits);
	if (t_hugepages(64)) {
		log_capture_begin();
		if (dma_init(DMA_IOVA_AUTO) == -1) {
			log_capture_end();
			snprintf(hw_why, sizeof(hw_why), "DMA memory "
			    "unavailable: %.200s", log_buf);
		} else {
			log_capture_end();
			if (emu_engine_start(-1) == 0)
				hw_ok = 1;
			else
				snprintf(hw_why, sizeof(hw_why), "the model's "
				    "engine did not start");
		}
	} else
		snprintf(hw_why, sizeof(hw_why), "no hugepages");
	T_RUN(test_vectors_on_queues);
	T_RUN(test_alias_registers);
	T_RUN(test_one_queue_no_rss);
	T_RUN(test_agreement_symmetric_key);
	T_RUN(test_agreement_ms_key);
	T_RUN(test_reta_to_disabled_queue);
	T_RUN(test_bad_rss_conf);
	T_RUN(test_tx_queue_stats);
	if (hw_ok)
		emu_engine_stop();
	return t_done();
}
