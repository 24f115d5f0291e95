/*
 * test_bridge.c: the learning bridge's MAC table.  Time is passed in
 * explicitly, so aging is tested without sleeping.  The concurrent test
 * runs workers learning and looking up while another thread advances the
 * clock and expires; t_duplicate plays, through the insert hook, the two
 * interleavings that leave a station in two slots.  To check the
 * orderings with ThreadSanitizer:
 *
 *	cc -fsanitize=thread -D_GNU_SOURCE -Idriver -Iconf -Ipipeline
 *	    -Itests/unit -O1 -g -std=gnu11 -pthread tests/unit/test_bridge.c
 *	    pipeline/bridge.c driver/log.c -o /tmp/test_bridge_tsan
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "t.h"

#define T0	1000		/* an arbitrary start time, seconds */

/* A unicast, locally administered address for station i. */
static void
mac_of(uint32_t i, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x5a;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

static uint32_t
station_of(const uint8_t mac[6])
{
	return (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 |
	    (uint32_t)mac[4] << 8 | mac[5];
}

static int
lookup_i(struct bridge *br, uint32_t i, uint16_t vlan, uint32_t now)
{
	uint8_t mac[6];

	mac_of(i, mac);
	return bridge_lookup(br, mac, vlan, now);
}

static void
learn_i(struct bridge *br, uint32_t i, uint16_t vlan, int port, uint32_t now)
{
	uint8_t mac[6];

	mac_of(i, mac);
	bridge_learn(br, mac, vlan, port, now);
}

static struct bridge_stats
stats(struct bridge *br)
{
	struct bridge_stats st;

	bridge_stats(br, &st);
	return st;
}

/* What bridge_dump() listed. */
struct dump_entry {
	uint8_t		 mac[6];
	uint16_t	 vlan;
	int		 port;
	uint32_t	 age;
	int		 is_static;
};

struct dump {
	int		 n, max;
	struct dump_entry *e;
};

static void
dump_cb(void *arg, const uint8_t mac[6], uint16_t vlan, int port,
    uint32_t age_s, int is_static)
{
	struct dump *d = arg;

	if (d->n >= d->max)
		return;
	memcpy(d->e[d->n].mac, mac, 6);
	d->e[d->n].vlan = vlan;
	d->e[d->n].port = port;
	d->e[d->n].age = age_s;
	d->e[d->n].is_static = is_static;
	d->n++;
}

/* The entry of mac in a dump, or NULL. */
static struct dump_entry *
dump_find(struct dump *d, const uint8_t mac[6], uint16_t vlan)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (memcmp(d->e[i].mac, mac, 6) == 0 && d->e[i].vlan == vlan)
			return &d->e[i];
	return NULL;
}

static void
t_create_args(void)
{
	struct bridge *br;

	T_CHECK(bridge_create(15, 300, 1) == NULL);
	T_CHECK(bridge_create(BRIDGE_ENTRIES_MAX + 1, 300, 1) == NULL);
	T_CHECK(bridge_create(16, BRIDGE_AGING_MAX + 1, 1) == NULL);
	T_REQUIRE((br = bridge_create(16, 0, 0)) != NULL);
	bridge_free(br);
	T_REQUIRE((br = bridge_create(BRIDGE_ENTRIES_MAX, BRIDGE_AGING_MAX,
	    1)) != NULL);
	learn_i(br, 1, 0, 0, T0);
	T_EQ(lookup_i(br, 1, 0, T0), 0);
	bridge_free(br);
	bridge_free(NULL);
}

static void
t_learn_lookup(void)
{
	struct bridge *br;
	struct bridge_stats st;
	uint32_t i;

	T_REQUIRE((br = bridge_create(1024, 300, 1)) != NULL);
	T_EQ(lookup_i(br, 1, 0, T0), -1);
	learn_i(br, 1, 0, 3, T0);
	T_EQ(lookup_i(br, 1, 0, T0), 3);
	T_EQ(lookup_i(br, 2, 0, T0), -1);
	learn_i(br, 1, 0, 3, T0);		/* known: no new entry */
	learn_i(br, 1, 0, 3, T0 + 1);
	st = stats(br);
	T_EQ(st.entries, 1);
	T_EQ(st.learned, 1);
	T_EQ(st.moved, 0);
	for (i = 100; i < 1100; i++)
		learn_i(br, i, 0, (int)(i % BRIDGE_PORTS_MAX), T0);
	for (i = 100; i < 1100; i++)
		T_EQ(lookup_i(br, i, 0, T0), i % BRIDGE_PORTS_MAX);
	st = stats(br);
	T_EQ(st.entries, 1001);
	T_EQ(st.learned, 1001);
	T_EQ(st.refused_full, 0);
	T_EQ(st.refused_collision, 0);
	/* ports out of range are not learned */
	learn_i(br, 5000, 0, -1, T0);
	learn_i(br, 5000, 0, BRIDGE_PORTS_MAX, T0);
	T_EQ(lookup_i(br, 5000, 0, T0), -1);
	bridge_free(br);
}

static void
t_per_vlan(void)
{
	struct bridge *br;
	struct bridge_stats st;

	/* IVL: one table per VLAN */
	T_REQUIRE((br = bridge_create(64, 300, 1)) != NULL);
	learn_i(br, 7, 10, 1, T0);
	learn_i(br, 7, 20, 2, T0);
	T_EQ(lookup_i(br, 7, 10, T0), 1);
	T_EQ(lookup_i(br, 7, 20, T0), 2);
	T_EQ(lookup_i(br, 7, 30, T0), -1);
	T_EQ(lookup_i(br, 7, 0, T0), -1);
	learn_i(br, 7, 4095, 4, T0);
	T_EQ(lookup_i(br, 7, 4095, T0), 4);
	st = stats(br);
	T_EQ(st.entries, 3);
	T_EQ(st.learned, 3);
	T_EQ(st.moved, 0);
	bridge_free(br);

	/* shared learning: the VLAN is not part of the key */
	T_REQUIRE((br = bridge_create(64, 300, 0)) != NULL);
	learn_i(br, 7, 10, 1, T0);
	T_EQ(lookup_i(br, 7, 10, T0), 1);
	T_EQ(lookup_i(br, 7, 20, T0), 1);
	T_EQ(lookup_i(br, 7, 0, T0), 1);
	learn_i(br, 7, 20, 2, T0);		/* same station, elsewhere */
	T_EQ(lookup_i(br, 7, 10, T0), 2);
	st = stats(br);
	T_EQ(st.entries, 1);
	T_EQ(st.learned, 1);
	T_EQ(st.moved, 1);
	bridge_free(br);
}

static void
t_move(void)
{
	struct bridge *br;
	struct bridge_stats st;

	T_REQUIRE((br = bridge_create(64, 300, 1)) != NULL);
	learn_i(br, 1, 0, 1, T0);
	learn_i(br, 2, 0, 1, T0);
	learn_i(br, 1, 0, 2, T0);		/* moved at once */
	T_EQ(lookup_i(br, 1, 0, T0), 2);
	T_EQ(lookup_i(br, 2, 0, T0), 1);
	learn_i(br, 1, 0, 2, T0);
	learn_i(br, 1, 0, 15, T0);
	learn_i(br, 1, 0, 0, T0);
	T_EQ(lookup_i(br, 1, 0, T0), 0);
	st = stats(br);
	T_EQ(st.entries, 2);
	T_EQ(st.learned, 2);
	T_EQ(st.moved, 3);
	bridge_free(br);
}

static void
t_aging(void)
{
	struct bridge *br;
	struct dump d;
	struct dump_entry e[8];
	uint8_t mac[6];

	T_REQUIRE((br = bridge_create(64, 10, 1)) != NULL);
	learn_i(br, 1, 0, 1, T0);
	learn_i(br, 2, 0, 2, T0);
	T_EQ(lookup_i(br, 1, 0, T0 + 10), 1);	/* 10 s old: still there */
	T_EQ(lookup_i(br, 1, 0, T0 + 11), -1);	/* invisible at once */
	learn_i(br, 2, 0, 2, T0 + 5);		/* refreshed */
	T_EQ(lookup_i(br, 2, 0, T0 + 15), 2);
	T_EQ(lookup_i(br, 2, 0, T0 + 16), -1);
	/* a lookup with an older clock than the learner's still finds it */
	T_EQ(lookup_i(br, 2, 0, T0 + 4), 2);

	/* the age is from the latest second, never moved back */
	d.n = 0, d.max = 8, d.e = e;
	learn_i(br, 2, 0, 2, T0 + 6);
	learn_i(br, 2, 0, 2, T0 + 5);	/* a worker a second behind */
	T_EQ(bridge_dump(br, dump_cb, &d, T0 + 12), 1);	/* 1 has aged */
	mac_of(2, mac);
	T_REQUIRE(dump_find(&d, mac, 0) != NULL);
	T_EQ(dump_find(&d, mac, 0)->age, 6);
	T_EQ(dump_find(&d, mac, 0)->port, 2);

	/* an aged entry not yet reclaimed comes back when heard again */
	learn_i(br, 1, 0, 1, T0 + 20);
	T_EQ(lookup_i(br, 1, 0, T0 + 20), 1);
	T_EQ(stats(br).entries, 2);
	T_EQ(stats(br).learned, 2);
	bridge_free(br);

	/* aging 0: never */
	T_REQUIRE((br = bridge_create(64, 0, 1)) != NULL);
	learn_i(br, 1, 0, 1, 0);
	T_EQ(lookup_i(br, 1, 0, 4000000000U), 1);
	T_EQ(bridge_expire(br, 4000000000U), 0);
	T_EQ(lookup_i(br, 1, 0, 4000000000U), 1);
	bridge_free(br);
}

static void
t_expire(void)
{
	struct bridge *br;
	struct bridge_stats st;
	uint32_t i;

	T_REQUIRE((br = bridge_create(16, 10, 1)) != NULL);
	for (i = 0; i < 16; i++)
		learn_i(br, i, 0, 1, T0);
	for (i = 100; i < 104; i++)
		learn_i(br, i, 0, 1, T0);
	T_EQ(stats(br).refused_full, 4);
	/* half of them are heard again */
	for (i = 0; i < 8; i++)
		learn_i(br, i, 0, 1, T0 + 8);
	T_EQ(bridge_expire(br, T0 + 10), 0);	/* none older than 10 s */
	T_EQ(bridge_expire(br, T0 + 11), 8);
	st = stats(br);
	T_EQ(st.aged, 8);
	T_EQ(st.entries, 8);
	for (i = 0; i < 16; i++)
		T_EQ(lookup_i(br, i, 0, T0 + 11), i < 8 ? 1 : -1);
	/* the freed places take new stations */
	for (i = 100; i < 108; i++)
		learn_i(br, i, 0, 2, T0 + 11);
	learn_i(br, 200, 0, 2, T0 + 11);
	st = stats(br);
	T_EQ(st.entries, 16);
	T_EQ(st.learned, 16 + 8);
	T_EQ(st.refused_full, 4 + 1);
	for (i = 100; i < 108; i++)
		T_EQ(lookup_i(br, i, 0, T0 + 11), 2);
	T_EQ(bridge_expire(br, T0 + 100), 16);
	st = stats(br);
	T_EQ(st.entries, 0);
	T_EQ(st.aged, 8 + 16);
	T_EQ(st.refused_collision, 0);
	bridge_free(br);
}

static void
t_static(void)
{
	struct bridge *br;
	struct bridge_stats st;
	struct dump d;
	struct dump_entry e[8];
	uint8_t mac[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t zero[6] = { 0 };

	T_REQUIRE((br = bridge_create(16, 10, 1)) != NULL);
	mac_of(1, mac);
	T_EQ(bridge_add_static(br, mac, 0, 5), 0);
	T_EQ(lookup_i(br, 1, 0, T0), 5);
	T_EQ(lookup_i(br, 1, 7, T0), -1);	/* another VLAN */
	learn_i(br, 1, 0, 2, T0);		/* not learned over */
	learn_i(br, 1, 0, 3, T0);
	learn_i(br, 1, 0, 5, T0);		/* its own port: fine */
	T_EQ(lookup_i(br, 1, 0, T0), 5);
	st = stats(br);
	T_EQ(st.static_conflict, 2);
	T_EQ(st.moved, 0);
	T_EQ(st.learned, 0);
	T_EQ(st.entries, 1);
	/* never ages */
	T_EQ(lookup_i(br, 1, 0, 4000000000U), 5);
	T_EQ(bridge_expire(br, 4000000000U), 0);
	T_EQ(lookup_i(br, 1, 0, 4000000000U), 5);

	/* a static entry replaces a learned one, and can be re-added */
	learn_i(br, 2, 0, 1, T0);
	mac_of(2, mac);
	T_EQ(bridge_add_static(br, mac, 0, 4), 0);
	T_EQ(lookup_i(br, 2, 0, T0 + 1000), 4);
	T_EQ(bridge_add_static(br, mac, 0, 6), 0);
	T_EQ(lookup_i(br, 2, 0, T0 + 1000), 6);
	T_EQ(stats(br).entries, 2);

	d.n = 0, d.max = 8, d.e = e;
	T_EQ(bridge_dump(br, dump_cb, &d, T0 + 1000), 2);
	T_REQUIRE(dump_find(&d, mac, 0) != NULL);
	T_EQ(dump_find(&d, mac, 0)->is_static, 1);
	T_EQ(dump_find(&d, mac, 0)->age, 0);
	T_EQ(dump_find(&d, mac, 0)->port, 6);

	/* what cannot be a static entry */
	T_EQ(bridge_add_static(br, bcast, 0, 1), -1);
	T_EQ(bridge_add_static(br, zero, 0, 1), -1);
	T_EQ(bridge_add_static(br, mac, 0, -1), -1);
	T_EQ(bridge_add_static(br, mac, 0, BRIDGE_PORTS_MAX), -1);
	T_EQ(lookup_i(br, 2, 0, T0), 6);
	bridge_free(br);
}

static void
t_static_full(void)
{
	struct bridge *br;
	uint8_t mac[6];
	uint32_t i;

	T_REQUIRE((br = bridge_create(16, 10, 1)) != NULL);
	for (i = 0; i < 16; i++) {
		mac_of(i, mac);
		T_EQ(bridge_add_static(br, mac, 0, 1), 0);
	}
	mac_of(16, mac);
	T_EQ(bridge_add_static(br, mac, 0, 1), -1);
	learn_i(br, 17, 0, 1, T0);
	T_EQ(stats(br).refused_full, 1);
	T_EQ(bridge_expire(br, T0 + 1000000), 0);
	T_EQ(stats(br).entries, 16);
	bridge_free(br);
}

/*
 * Fill a table past max_entries.  Each station has two buckets of five
 * slots and the seed is random per table, so now and then (about one run
 * in 300 at 65536 stations, measured) both buckets of a station are taken
 * before the table is full: that station is refused as a collision and a
 * later one takes its place.  The counts must account for every station.
 */
static void
t_size_limit(void)
{
	struct bridge *br;
	struct bridge_stats st;
	uint32_t i, max, total, found, known;
	uint32_t sizes[] = { 16, 100, 4096, 65536 };
	size_t s;
	int p;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		max = sizes[s];
		total = max + max / 2 + 3;
		T_REQUIRE((br = bridge_create(max, 300, 1)) != NULL);
		for (i = 0; i < total; i++)
			learn_i(br, i * 7919, (uint16_t)(i & 0xfff),
			    (int)(i & 15), T0);
		st = stats(br);
		T_EQ(st.entries, max);
		T_EQ(st.learned, max);
		T_EQ(st.learned + st.refused_full + st.refused_collision,
		    total);
		T_CHECK(st.refused_collision <= max / 1000 + 1);
		T_EQ(st.refused_full, max / 2 + 3 - st.refused_collision);
		found = 0;
		known = UINT32_MAX;
		for (i = 0; i < total; i++) {
			p = lookup_i(br, i * 7919, (uint16_t)(i & 0xfff), T0);
			if (p == -1)
				continue;
			T_EQ(p, i & 15);
			/* the stations kept are among the first ones seen */
			T_CHECK(i < max + st.refused_collision);
			if (found++ == 0)
				known = i;
		}
		T_EQ(found, max);
		/* known stations still refresh and move when full */
		T_REQUIRE(known != UINT32_MAX);
		learn_i(br, known * 7919, (uint16_t)(known & 0xfff),
		    (int)((known & 15) ^ 9), T0 + 1);
		T_EQ(lookup_i(br, known * 7919, (uint16_t)(known & 0xfff),
		    T0 + 1), (known & 15) ^ 9);
		T_EQ(stats(br).moved, 1);
		T_EQ(stats(br).refused_full, st.refused_full);
		bridge_free(br);
	}
}

static void
t_multicast(void)
{
	struct bridge *br;
	struct bridge_stats st;
	uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t mcast4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint8_t mcast6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	uint8_t stp[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
	uint8_t zero[6] = { 0 };

	T_REQUIRE((br = bridge_create(64, 300, 1)) != NULL);
	bridge_learn(br, bcast, 0, 1, T0);
	bridge_learn(br, mcast4, 0, 1, T0);
	bridge_learn(br, mcast6, 0, 1, T0);
	bridge_learn(br, stp, 0, 1, T0);
	bridge_learn(br, zero, 0, 1, T0);
	st = stats(br);
	T_EQ(st.bad_source, 5);
	T_EQ(st.entries, 0);
	T_EQ(st.learned, 0);
	T_EQ(bridge_lookup(br, bcast, 0, T0), -1);
	T_EQ(bridge_lookup(br, mcast4, 0, T0), -1);
	T_EQ(bridge_lookup(br, mcast6, 0, T0), -1);
	T_EQ(bridge_lookup(br, stp, 0, T0), -1);
	T_EQ(bridge_lookup(br, zero, 0, T0), -1);
	/* a static entry for a group address is refused, so a multicast
	 * destination always floods */
	T_EQ(bridge_add_static(br, mcast4, 0, 2), -1);
	T_EQ(bridge_lookup(br, mcast4, 0, T0), -1);
	bridge_free(br);
}

/* Ethernet headers: dst, src. */
static void
frame_of(uint8_t *f, const uint8_t dst[6], const uint8_t src[6])
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
}

static void
t_batch(void)
{
	enum { N = 200 };
	struct bridge *br;
	struct bridge_stats st;
	static uint8_t fr[N][64];
	const uint8_t *frames[N];
	uint16_t vlans[N];
	int8_t out[N];
	uint8_t dst[6], src[6];
	uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int i;

	T_REQUIRE((br = bridge_create(1024, 300, 1)) != NULL);
	/* stations 0..99 on ports 0..9 */
	for (i = 0; i < 100; i++)
		learn_i(br, (uint32_t)i, 1, i % 10, T0);
	/* frames from stations 1000 + i on port 11 to station i % 150 */
	for (i = 0; i < N; i++) {
		mac_of((uint32_t)(i % 150), dst);
		mac_of(1000 + (uint32_t)i, src);
		frame_of(fr[i], i % 17 == 0 ? bcast : dst, src);
		if (i % 23 == 0)
			fr[i][6] |= 1;			/* group source */
		frames[i] = fr[i];
		vlans[i] = 1;
	}
	memset(out, 0x55, sizeof(out));
	bridge_learn_lookup_batch(br, frames, vlans, N, 11, T0, out);
	for (i = 0; i < N; i++) {
		int want;

		if (i % 23 == 0)
			want = BRIDGE_DROP;
		else if (i % 17 == 0 || i % 150 >= 100)
			want = BRIDGE_FLOOD;
		else
			want = (i % 150) % 10;
		T_EQ(out[i], want);
		if (i % 23 != 0)
			T_EQ(lookup_i(br, 1000 + (uint32_t)i, 1, T0), 11);
		else
			T_EQ(lookup_i(br, 1000 + (uint32_t)i, 1, T0), -1);
	}
	st = stats(br);
	T_EQ(st.bad_source, (N + 22) / 23);
	T_EQ(st.learned, 100 + N - (N + 22) / 23);

	/* the other VLAN does not know them; without learning nothing is
	 * entered */
	for (i = 0; i < N; i++)
		vlans[i] = 2;
	bridge_lookup_batch(br, frames, vlans, N, T0, out);
	for (i = 0; i < N; i++)
		T_EQ(out[i], i % 23 == 0 ? BRIDGE_DROP : BRIDGE_FLOOD);
	T_EQ(stats(br).learned, st.learned);

	/* vlans NULL: untagged; a destination on the input port itself
	 * comes back as that port */
	learn_i(br, 5000, 0, 3, T0);
	mac_of(5000, dst);
	mac_of(5001, src);
	frame_of(fr[0], dst, src);
	bridge_learn_lookup_batch(br, frames, NULL, 1, 3, T0, out);
	T_EQ(out[0], 3);
	T_EQ(lookup_i(br, 5001, 0, T0), 3);
	bridge_free(br);
}

static void
t_dump(void)
{
	struct bridge *br;
	struct dump d;
	struct dump_entry e[64];
	uint8_t mac[6];
	uint32_t i;

	T_REQUIRE((br = bridge_create(64, 100, 1)) != NULL);
	for (i = 0; i < 40; i++)
		learn_i(br, i, (uint16_t)i, (int)(i % 16), T0 + i);
	d.n = 0, d.max = 64, d.e = e;
	T_EQ(bridge_dump(br, dump_cb, &d, T0 + 120), 20);  /* 0..19 aged */
	for (i = 20; i < 40; i++) {
		struct dump_entry *de;

		mac_of(i, mac);
		T_REQUIRE((de = dump_find(&d, mac, (uint16_t)i)) != NULL);
		T_EQ(de->port, i % 16);
		T_EQ(de->age, 120 - i);
		T_EQ(de->is_static, 0);
	}
	bridge_free(br);
}

/*
 * Concurrency.  Worker t owns ports t, t + 4, t + 8, t + 12 (each input
 * port has one worker).  Station s lives in port group s % 4, ports
 * 4 * (s % 4) .. 4 * (s % 4) + 3, and worker t learns it on port
 * 4 * (s % 4) + t: stations move between workers all the time.  A lookup
 * must return -1 or a port of the station's group that some worker uses.
 * The clock thread advances time by one second every millisecond and
 * expires, so entries age, are reclaimed and are learned again while the
 * workers run; the table is smaller than the stations, so it is full too.
 */
#define ST_STATIONS	6000
#define ST_MAX		4096

struct stress {
	struct bridge	*br;
	int		 nworkers;
	uint32_t	 now;		/* the simulated clock */
	int		 stop;
	int		 bad;		/* wrong entries in the dump */
	uint8_t		 seen[ST_STATIONS];	/* dumped */
};

struct stress_worker {
	struct stress	*s;
	int		 id;
	uint64_t	 rng;
	uint64_t	 lookups, hits, bad;
};

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int
stress_port_ok(const struct stress *s, uint32_t station, int port)
{
	return port >= 0 && port < BRIDGE_PORTS_MAX &&
	    port / 4 == (int)(station % 4) && port % 4 < s->nworkers;
}

/* A source for worker w in port group g: hot (a few stations that talk
 * a lot) half of the time. */
static uint32_t
stress_source(struct stress_worker *w, uint32_t g)
{
	uint64_t r = xorshift(&w->rng);
	uint32_t n = r & 1 ? 16 : ST_STATIONS / 4;

	return (uint32_t)((r >> 1) % n) * 4 + g;
}

static void
stress_check(struct stress_worker *w, uint32_t dst, int port)
{
	w->lookups++;
	if (port == -1)
		return;
	w->hits++;
	if (!stress_port_ok(w->s, dst, port))
		w->bad++;
}

/* Even workers call bridge_learn() and bridge_lookup() frame by frame,
 * odd ones the batch function on one port per batch. */
static void *
stress_worker(void *arg)
{
	struct stress_worker *w = arg;
	struct stress *s = w->s;
	uint8_t fr[32][16];
	const uint8_t *frames[32];
	uint32_t dst[32];
	uint16_t vlans[32];
	int8_t out[32];
	int i;

	for (i = 0; i < 32; i++)
		frames[i] = fr[i];
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		uint32_t now = __atomic_load_n(&s->now, __ATOMIC_RELAXED);
		uint32_t g = (uint32_t)(xorshift(&w->rng) % 4);
		int in_port = 4 * (int)g + w->id;

		for (i = 0; i < 32; i++) {
			uint32_t src;

			if (!(w->id & 1))
				g = (uint32_t)(xorshift(&w->rng) % 4);
			src = stress_source(w, g);
			dst[i] = (uint32_t)(xorshift(&w->rng) % ST_STATIONS);
			mac_of(dst[i], fr[i]);
			mac_of(src, fr[i] + 6);
			/* shared learning: the VLAN must not matter */
			vlans[i] = (uint16_t)(xorshift(&w->rng) % 4096);
			if (!(w->id & 1)) {
				bridge_learn(s->br, fr[i] + 6, vlans[i],
				    4 * (int)g + w->id, now);
				stress_check(w, dst[i], bridge_lookup(s->br,
				    fr[i], vlans[i], now));
			}
		}
		if (w->id & 1) {
			bridge_learn_lookup_batch(s->br, frames, vlans, 32,
			    in_port, now, out);
			for (i = 0; i < 32; i++)
				stress_check(w, dst[i], out[i]);
		}
	}
	return NULL;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
dump_stress_cb(void *arg, const uint8_t mac[6], uint16_t vlan, int port,
    uint32_t age_s, int is_static)
{
	struct stress *s = arg;
	uint32_t st = station_of(mac);

	(void)vlan;
	(void)age_s;
	(void)is_static;
	if (st >= ST_STATIONS || !stress_port_ok(s, st, port) ||
	    s->seen[st]++ != 0)
		s->bad++;
}

static void
t_concurrent(void)
{
	struct stress *s;
	struct stress_worker w[3];
	pthread_t th[3];
	struct bridge_stats st;
	uint64_t lookups = 0, hits = 0, bad = 0, expired = 0;
	double t_end;
	int i, n;

	T_REQUIRE((s = calloc(1, sizeof(*s))) != NULL);
	s->nworkers = 3;
	s->now = T0;
	if ((s->br = bridge_create(ST_MAX, 3, 0)) == NULL) {
		free(s);
		T_REQUIRE(0);
	}
	for (i = 0; i < s->nworkers; i++) {
		w[i].s = s;
		w[i].id = i;
		w[i].rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		w[i].lookups = w[i].hits = w[i].bad = 0;
		T_REQUIRE(pthread_create(&th[i], NULL, stress_worker,
		    &w[i]) == 0);
	}
	/* the control thread: a second per millisecond, expire each one */
	t_end = mono() + 1.5;
	while (mono() < t_end) {
		struct timespec ms = { 0, 1000000 };
		uint32_t now;

		nanosleep(&ms, NULL);
		now = __atomic_add_fetch(&s->now, 1, __ATOMIC_RELAXED);
		expired += bridge_expire(s->br, now);
		bridge_stats(s->br, &st);
		T_CHECK(st.entries <= ST_MAX);
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < s->nworkers; i++) {
		pthread_join(th[i], NULL);
		lookups += w[i].lookups;
		hits += w[i].hits;
		bad += w[i].bad;
	}
	T_EQ(bad, 0);
	T_CHECK(hits > 0 && hits < lookups);
	/* a worker late with its clock may have entered a station already
	 * aged: reclaim those, so that what is left is all visible */
	expired += bridge_expire(s->br, s->now);

	/* the final table: every station once, on a port of its group,
	 * as many as counted */
	bridge_stats(s->br, &st);
	T_CHECK(st.learned > 0 && st.moved > 0 && st.refused_full > 0);
	T_EQ(st.aged, expired);
	T_CHECK(expired > 0);
	T_EQ(st.bad_source, 0);
	n = bridge_dump(s->br, dump_stress_cb, s, s->now);
	T_EQ(s->bad, 0);
	T_EQ(n, st.entries);
	T_CHECK(st.entries <= ST_MAX);
	printf("  %llu lookups (%.0f%% hits), %llu learned, %llu moved, "
	    "%llu refused full, %llu refused collision, %llu aged, "
	    "%d entries at the end\n",
	    (unsigned long long)lookups, 100.0 * hits / lookups,
	    (unsigned long long)st.learned, (unsigned long long)st.moved,
	    (unsigned long long)st.refused_full,
	    (unsigned long long)st.refused_collision,
	    (unsigned long long)st.aged, n);
	/* everything ages out, and the count comes back to zero */
	T_EQ(bridge_expire(s->br, s->now + 100), n);
	T_EQ(stats(s->br).entries, 0);
	bridge_free(s->br);
	free(s);
}

/*
 * Several workers hear the same new station at the same moment on their
 * own ports: it must end up in one slot, not two.
 */
#define RACE_STATIONS	2000

struct race {
	struct bridge	*br;
	int		 nthreads;
	uint32_t	 arrived;
	int		 id_next;
	int		 bad;		/* wrong entries in the dump */
	uint8_t		 seen[RACE_STATIONS + 1];
};

static void *
race_thread(void *arg)
{
	struct race *r = arg;
	int id = __atomic_fetch_add(&r->id_next, 1, __ATOMIC_RELAXED);
	uint32_t k;

	for (k = 1; k <= RACE_STATIONS; k++) {
		uint8_t mac[6];

		/* barrier: everybody starts station k together */
		__atomic_add_fetch(&r->arrived, 1, __ATOMIC_ACQ_REL);
		while (__atomic_load_n(&r->arrived, __ATOMIC_ACQUIRE) <
		    k * (uint32_t)r->nthreads)
			sched_yield();
		mac_of(k, mac);
		bridge_learn(r->br, mac, 0, id, T0);
	}
	return NULL;
}

static void
dump_race_cb(void *arg, const uint8_t mac[6], uint16_t vlan, int port,
    uint32_t age_s, int is_static)
{
	struct race *r = arg;
	uint32_t st = station_of(mac);

	(void)vlan;
	(void)age_s;
	(void)is_static;
	if (st < 1 || st > RACE_STATIONS || port < 0 ||
	    port >= r->nthreads || r->seen[st]++ != 0)
		r->bad++;
}

static void
t_concurrent_same_station(void)
{
	static struct race r;
	pthread_t th[2];
	int i, n;

	memset(&r, 0, sizeof(r));
	r.nthreads = 2;
	T_REQUIRE((r.br = bridge_create(4096, 300, 1)) != NULL);
	for (i = 0; i < r.nthreads; i++)
		T_REQUIRE(pthread_create(&th[i], NULL, race_thread, &r) == 0);
	for (i = 0; i < r.nthreads; i++)
		pthread_join(th[i], NULL);
	n = bridge_dump(r.br, dump_race_cb, &r, T0);
	T_EQ(n, RACE_STATIONS);
	T_EQ(stats(r.br).entries, RACE_STATIONS);
	T_EQ(r.bad, 0);
	bridge_free(r.br);
}

/*
 * With RSS, two workers receive from the same port: both learn on it at
 * once, and the port's counters must still add up.  Each thread moves
 * its own stations between ports 0 and 1 (a move every learn, counted on
 * the port learned on), then enters new ones on port 2: every move and
 * every new station counted once, none lost.
 */
#define SAME_PORT_STATIONS	1000
#define SAME_PORT_ROUNDS	2000

struct same_port {
	struct bridge	*br;
	uint32_t	 first;		/* its stations: first .. + N - 1 */
	pthread_barrier_t *start;
};

static void *
same_port_thread(void *arg)
{
	struct same_port *sp = arg;
	uint32_t k, r;

	pthread_barrier_wait(sp->start);
	for (r = 1; r <= SAME_PORT_ROUNDS; r++)
		for (k = 0; k < SAME_PORT_STATIONS; k++)
			learn_i(sp->br, sp->first + k, 0, (int)(r & 1), T0);
	for (k = 0; k < SAME_PORT_STATIONS; k++)
		learn_i(sp->br, 100000 + sp->first + k, 0, 2, T0);
	return NULL;
}

static void
t_concurrent_same_port(void)
{
	struct same_port sp[2];
	pthread_barrier_t start;
	pthread_t th[2];
	struct bridge_stats st;
	uint32_t k;
	int i;

	T_REQUIRE(pthread_barrier_init(&start, NULL, 2) == 0);
	T_REQUIRE((sp[0].br = bridge_create(65536, 0, 1)) != NULL);
	for (i = 0; i < 2; i++) {
		sp[i].br = sp[0].br;
		sp[i].first = 1 + (uint32_t)i * SAME_PORT_STATIONS;
		sp[i].start = &start;
		for (k = 0; k < SAME_PORT_STATIONS; k++)
			learn_i(sp[0].br, sp[i].first + k, 0, 0, T0);
	}
	st = stats(sp[0].br);
	T_REQUIRE(st.learned == 2 * SAME_PORT_STATIONS);
	for (i = 0; i < 2; i++)
		T_REQUIRE(pthread_create(&th[i], NULL, same_port_thread,
		    &sp[i]) == 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	st = stats(sp[0].br);
	T_EQ(st.moved, 2 * SAME_PORT_ROUNDS * SAME_PORT_STATIONS);
	/* a collision refusal is counted instead of a learn: rare, and
	 * still counted */
	T_EQ(st.learned + st.refused_collision, 4 * SAME_PORT_STATIONS);
	T_EQ(st.entries, st.learned);
	bridge_free(sp[0].br);
	pthread_barrier_destroy(&start);
}

/*
 * The two orders in which a duplicate can be left by two workers that
 * entered the same new station at once without seeing each other's claim,
 * played through the insert hook: the copy later in probe order must go,
 * whichever worker notices.
 */
static int	hook_play;	/* 1: a later copy, 2: an earlier one,
				 * 3: both buckets full */

void
bridge_test_insert_hook(uint64_t *const slot[10], int phase, int pos,
    uint64_t word)
{
	/* the other worker's copy: same key, the port next to ours */
	uint64_t other = word ^ (UINT64_C(1) << 60);
	int q;

	if (hook_play == 3 && phase == 0) {
		for (q = 0; q < 10; q++)
			__atomic_store_n(slot[q],
			    word ^ (uint64_t)(q + 1) << 16, __ATOMIC_RELEASE);
		hook_play = 0;
		return;
	}
	if (hook_play == 2 && phase == 0) {
		/* load the first bucket so that our insert takes the
		 * second one, leaving room before it */
		for (q = 0; q < 3; q++)
			__atomic_store_n(slot[q],
			    word ^ (uint64_t)(q + 1) << 16, __ATOMIC_RELEASE);
		return;
	}
	if (phase != 1 || hook_play == 0)
		return;
	for (q = hook_play == 1 ? pos + 1 : 0; q < (hook_play == 1 ? 10 : pos);
	    q++) {
		if (__atomic_load_n(slot[q], __ATOMIC_ACQUIRE) == 0) {
			__atomic_store_n(slot[q], other, __ATOMIC_RELEASE);
			break;
		}
	}
	hook_play = 0;
}

static void
t_duplicate(void)
{
	struct bridge *br;
	struct bridge_stats st;
	struct dump d;
	struct dump_entry e[8];
	uint8_t mac[6];

	/* we claim first in probe order and see the later copy: it goes */
	T_REQUIRE((br = bridge_create(64, 0, 1)) != NULL);
	hook_play = 1;
	learn_i(br, 1, 0, 1, T0);
	T_EQ(hook_play, 0);
	T_EQ(lookup_i(br, 1, 0, T0), 1);
	d.n = 0, d.max = 8, d.e = e;
	T_EQ(bridge_dump(br, dump_cb, &d, T0), 1);
	st = stats(br);
	T_EQ(st.learned, 1);
	/* the played copy took no place in the count, its removal did */
	T_EQ(st.entries, 0);
	bridge_free(br);

	/* an earlier copy exists: ours goes, the other stays */
	T_REQUIRE((br = bridge_create(64, 0, 1)) != NULL);
	hook_play = 2;
	learn_i(br, 1, 0, 1, T0);
	T_EQ(hook_play, 0);
	T_EQ(lookup_i(br, 1, 0, T0), 0);
	d.n = 0;
	T_EQ(bridge_dump(br, dump_cb, &d, T0), 4);	/* with 3 fillers */
	mac_of(1, mac);
	T_REQUIRE(dump_find(&d, mac, 0) != NULL);
	T_EQ(dump_find(&d, mac, 0)->port, 0);
	st = stats(br);
	T_EQ(st.learned, 0);
	T_EQ(st.entries, 0);
	bridge_free(br);
}

static void
t_collision(void)
{
	struct bridge *br;
	struct bridge_stats st;
	uint8_t mac[6];

	T_REQUIRE((br = bridge_create(64, 0, 1)) != NULL);
	hook_play = 3;
	learn_i(br, 1, 0, 1, T0);
	T_EQ(lookup_i(br, 1, 0, T0), -1);
	st = stats(br);
	T_EQ(st.refused_collision, 1);
	T_EQ(st.refused_full, 0);
	T_EQ(st.learned, 0);
	T_EQ(st.entries, 0);		/* the reservation was given back */
	mac_of(1, mac);
	T_EQ(bridge_add_static(br, mac, 0, 2), -1);
	bridge_free(br);
}

/* Station s, on port from, moved k times: onto to, back onto from, ...
 * (each learn a move). */
static void
moves(struct bridge *br, uint32_t s, int from, int to, int k)
{
	int i;

	for (i = 0; i < k; i++)
		learn_i(br, s, 0, i % 2 == 0 ? to : from, T0);
}

/* Stations moving many times a second are reported, named by port, at
 * most once a minute, with the moves held back meanwhile. */
static void
t_moves_warn(void)
{
	static const char *const name[BRIDGE_PORTS_MAX] = { "a", "b", "c" };
	struct bridge_moves m;
	struct bridge *br;
	char msg[512];
	uint32_t t = 5000;

	memset(&m, 0, sizeof(m));
	T_REQUIRE((br = bridge_create(256, 0, 1)) != NULL);
	learn_i(br, 1, 0, 0, T0);
	learn_i(br, 2, 0, 0, T0);
	T_EQ(bridge_moves_check(br, &m, t, name, msg, sizeof(msg)), 0);
	/* a station that really moved: nothing to say */
	moves(br, 1, 0, 1, 1);			/* now on b */
	T_EQ(bridge_moves_check(br, &m, ++t, name, msg, sizeof(msg)), 0);
	moves(br, 1, 1, 0, 98);			/* 98 in a second: under */
	T_EQ(bridge_moves_check(br, &m, ++t, name, msg, sizeof(msg)), 0);
	/* 150 onto a, 100 onto b, 50 onto c in a second */
	moves(br, 1, 1, 0, 200);
	moves(br, 2, 0, 2, 100);
	T_EQ(bridge_moves_check(br, &m, ++t, name, msg, sizeof(msg)), 1);
	T_CHECK(strcmp(msg, "bridge: 300 station moves in 1 s, onto a (150) "
	    "b (100) c (50): stations heard on two ports at once (a loop, or "
	    "a segment reached twice?)") == 0);
	printf("  %s\n", msg);
	/* still flapping, but said a second ago: held back */
	moves(br, 1, 1, 0, 400);
	T_EQ(bridge_moves_check(br, &m, ++t, name, msg, sizeof(msg)), 0);
	t += BRIDGE_MOVES_QUIET - 2;
	T_EQ(bridge_moves_check(br, &m, t, name, msg, sizeof(msg)), 0);
	/* a minute after the warning, flapping again */
	moves(br, 2, 0, 1, 100);
	T_EQ(bridge_moves_check(br, &m, ++t, name, msg, sizeof(msg)), 1);
	T_CHECK(strstr(msg, "bridge: 100 station moves in 1 s, onto a (50) "
	    "b (50): ") == msg);
	T_CHECK(strstr(msg, "; 400 more moves since the last warning") !=
	    NULL);
	/* a slow rate over a long interval is no flapping */
	moves(br, 2, 0, 9, 200);
	t += BRIDGE_MOVES_QUIET;
	T_EQ(bridge_moves_check(br, &m, t, NULL, msg, sizeof(msg)), 0);
	/* unnamed ports by number */
	moves(br, 2, 0, 9, 200);
	T_EQ(bridge_moves_check(br, &m, ++t, NULL, msg, sizeof(msg)), 1);
	T_CHECK(strstr(msg, "onto port 0 (100) port 9 (100): ") != NULL);
	T_CHECK(strstr(msg, "; 200 more moves since the last warning") !=
	    NULL);
	bridge_free(br);
}

static void
t_now(void)
{
	uint32_t a = bridge_now(), b = bridge_now();

	T_CHECK(b - a <= 1);
}

int
main(void)
{
	T_RUN(t_create_args);
	T_RUN(t_learn_lookup);
	T_RUN(t_per_vlan);
	T_RUN(t_move);
	T_RUN(t_aging);
	T_RUN(t_expire);
	T_RUN(t_static);
	T_RUN(t_static_full);
	T_RUN(t_size_limit);
	T_RUN(t_multicast);
	T_RUN(t_batch);
	T_RUN(t_dump);
	T_RUN(t_duplicate);
	T_RUN(t_collision);
	T_RUN(t_moves_warn);
	T_RUN(t_now);
	T_RUN(t_concurrent);
	T_RUN(t_concurrent_same_station);
	T_RUN(t_concurrent_same_port);
	return t_done();
}
