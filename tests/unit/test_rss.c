/*
 * test_rss.c: receive-side scaling.  The emulated 82599's Toeplitz hash
 * against the published RSS verification vectors (Microsoft's "Verifying
 * the RSS hash calculation", reproduced in the 82599 datasheet
 * §7.1.2.8.3), through the model's own function, and against an
 * independent Toeplitz written here from the datasheet's algorithm
 * (§7.1.2.8.1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu82599.h"
#include "emu82599_priv.h"
#include "log.h"
#include "t.h"

#define FLEN		128		/* every test frame */


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

int
main(void)
{
	log_init(1, 0, "test_rss");
	T_RUN(test_model_hash_vectors);
	return t_done();
}
