/*
 * bridge.c: the MAC table of the learning bridge.
 *
 * Layout.  A power-of-two array of 64-byte buckets, each one cache line
 * holding five entries: five 64-bit key words and their five last-seen
 * times.  A key hashes to two buckets and lives in one of them (see
 * bridge_insert() for which).  The table has at least twice as many slots
 * as max_entries, and at least 64 buckets, so that below the limit a
 * station is about never refused for want of room in its two buckets
 * (counted refused_collision).  A lookup reads one line, 10% of the
 * time two; a miss reads two, never more.
 *
 * Chosen by measurement against linear probing over a window of 16 slots
 * with separate key and time arrays (bench_bridge, batches of 32, cycles
 * per frame for a learn and a lookup): equal with 1k stations (31 vs 31),
 * a little slower with 100k (33 vs 28: linear probing rides the
 * adjacent-line prefetcher), but linear probing refuses stations below
 * the limit: 3 in 10^4 at max_entries in simulation, and one of the 100k
 * stations of the benchmark.  A refused station is flooded to for as long
 * as it stays refused; a few cycles are the better price.
 *
 * An entry is one 64-bit word, so that a reader can never pair a key with
 * another key's port:
 *
 *	bits  0..47	the MAC, mac[0] in the low byte, its I/G bit set
 *	bits 48..59	the VLAN id (0 without per-VLAN learning)
 *	bits 60..63	the port
 *
 * A learned address is unicast, so its I/G bit (bit 0) carries nothing;
 * we set it to mark the slot used, and 0 is the empty slot.  Beside the
 * word, seen[] holds the time the station was last heard of, in seconds,
 * or BRIDGE_STATIC.
 *
 * Memory ordering (all fast-path accesses are plain loads and stores on
 * x86-64; acquire and release cost nothing there but compiler ordering):
 *
 *  - Insert: a worker writes seen (release), then claims an empty slot
 *    with a compare-and-swap 0 -> word.  A reader that loads the word
 *    with acquire therefore sees that time or a later one, never the time
 *    of the slot's previous tenant.
 *  - Lookup: load the word (acquire).  The port is in the same word as
 *    the key, so it is never another key's.  With aging, load seen
 *    (acquire), then the word again: if it is unchanged, seen is this
 *    tenure's.  (A later tenant stores its seen with release after the
 *    slot was emptied; an acquire load that reads that seen makes the
 *    emptying visible to our second load of the word.)
 *  - Refresh: a plain store of seen when the second changed, so a busy
 *    station costs every worker at most one write per second.
 *  - Move: store seen, then compare-and-swap the word from the old port
 *    to the new.  A failed swap (a concurrent move or reclaim) retries.
 *  - Duplicates: two workers may enter the same new station at the same
 *    time in two different slots.  After a successful claim the winner
 *    scans the key's ten slots again (seq_cst loads after its seq_cst
 *    swap).  Of any two claims, at least one sees the other (Dekker: the
 *    total order of seq_cst operations), and whoever sees a copy removes
 *    the one later in probe order; the earliest copy stays.
 *  - Reclaim (control thread): load the word, load seen, and swap the
 *    word to 0 only if unchanged.  A station that refreshes its time
 *    between our load of seen and the swap loses its entry; that needs a
 *    station silent for exactly `aging' seconds, and it is re-learned by
 *    its next frame (flooding meanwhile), as if it had spoken a moment
 *    later.
 *
 * The entry count is one atomic word, reserved before a slot is claimed,
 * so max_entries holds exactly even under concurrent learning; only a new
 * station (or a refusal at the limit, a plain load) touches it.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#include "bridge.h"
#include "cacheline.h"
#include "log.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bridge.c builds MAC words for a little-endian CPU"
#endif

#define BRIDGE_WAYS		5
#define BRIDGE_STATIC		0xffffffffU	/* seen[]: static */
#define BRIDGE_BUCKETS_MIN	64
#define BRIDGE_FIRST_FILL	3	/* see bridge_insert() */
#define BRIDGE_CHUNK		64	/* batch frames hashed ahead */

#define KEY_USED		UINT64_C(1)	/* the I/G bit */
#define KEY_VLAN_SHIFT		48
#define KEY_PORT_SHIFT		60
#define KEY_MASK		((UINT64_C(1) << KEY_PORT_SHIFT) - 1)
#define KEY_MAC_MASK		((UINT64_C(1) << 48) - 1)

struct bridge_bucket {
	uint64_t	 key[BRIDGE_WAYS];	/* 0: empty */
	uint32_t	 seen[BRIDGE_WAYS];	/* s, or BRIDGE_STATIC */
	uint32_t	 spare;
} __attribute__((aligned(64)));
static_assert(sizeof(struct bridge_bucket) == 64, "a bucket is a cache line");

/* Written by the workers that receive the port (atomic adds). */
struct bridge_port_counters {
	uint64_t	 learned;
	uint64_t	 moved;
	uint64_t	 refused_full;
	uint64_t	 refused_collision;
	uint64_t	 static_conflict;
	uint64_t	 bad_source;
} __attribute__((aligned(64)));

struct bridge {
	/* Read-only once created: the line every lookup reads. */
	struct bridge_bucket *bucket;
	uint64_t	 seed;			/* random per table */
	uint32_t	 mask;			/* buckets - 1 */
	uint32_t	 aging;			/* seconds, 0: never */
	uint32_t	 max_entries;
	uint32_t	 vlan_mask;		/* 0xfff with IVL, else 0 */
	size_t		 map_len;		/* bytes mapped at map */
	void		*map;

	/* New stations and the control thread write these. */
	uint32_t	 entries __attribute__((aligned(64)));
	uint64_t	 aged;

	struct bridge_port_counters ctr[BRIDGE_PORTS_MAX];
};

enum bridge_ins {
	BRIDGE_INS_DONE,
	BRIDGE_INS_EXISTS,	/* another thread entered it meanwhile */
	BRIDGE_INS_FULL,
	BRIDGE_INS_COLLISION,
};

/* A port's RX queues may be served by several workers (RSS), which then
 * learn on the same port at once: an atomic add, or counts get lost
 * (measured: 1.2% of 4 million moves with a load and a store).  Only new
 * stations, moves, refusals and bad sources count, never a known one. */
#define COUNT(field) __atomic_fetch_add(&(field), 1, __ATOMIC_RELAXED)

static inline uint64_t
bridge_mac(const uint8_t *mac)
{
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, mac, sizeof(lo));
	memcpy(&hi, mac + 4, sizeof(hi));
	return lo | (uint64_t)hi << 32;
}

/* The key word of a unicast mac, without the port. */
static inline uint64_t
bridge_key(const struct bridge *br, uint64_t mac, uint16_t vlan)
{
	return mac | KEY_USED | (uint64_t)(vlan & br->vlan_mask) <<
	    KEY_VLAN_SHIFT;
}

static inline int
bridge_match(uint64_t word, uint64_t key)
{
	return ((word ^ key) & KEY_MASK) == 0;
}

static inline uint64_t
bridge_hash(const struct bridge *br, uint64_t key)
{
	uint64_t h;

	h = (key ^ br->seed) * UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 32;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	return h ^ (h >> 29);
}

/* The key's two buckets; never the same one. */
static inline void
bridge_buckets(const struct bridge *br, uint64_t h,
    struct bridge_bucket **bk)
{
	uint32_t b1 = (uint32_t)h & br->mask;
	uint32_t b2 = (uint32_t)(h >> 32) & br->mask;

	if (b2 == b1)
		b2 ^= 1;
	bk[0] = &br->bucket[b1];
	bk[1] = &br->bucket[b2];
}

/*
 * Compare the key with the five words of a bucket without a branch per
 * slot: where a station sits in its bucket is random, and a branch per
 * slot would be mispredicted about once per lookup (measured: 38 instead
 * of 60 cycles per frame, learn and lookup, 1k stations).  The word is
 * loaded again once found; if it changed in between, we looked a moment
 * later.
 */
static inline int
bridge_find1(const struct bridge_bucket *b, uint64_t key, uint64_t *word)
{
	uint32_t m = 0;
	int i;

#pragma GCC unroll 8
	for (i = 0; i < BRIDGE_WAYS; i++)
		m |= (uint32_t)bridge_match(__atomic_load_n(&b->key[i],
		    __ATOMIC_ACQUIRE), key) << i;
	if (m == 0)
		return -1;
	i = __builtin_ctz(m);
	*word = __atomic_load_n(&b->key[i], __ATOMIC_ACQUIRE);
	return bridge_match(*word, key) ? i : -1;
}

/* The slot of key in its buckets: *bp, the index, and its word; or -1. */
static inline int
bridge_find(struct bridge_bucket *const *bk, uint64_t key,
    struct bridge_bucket **bp, uint64_t *word)
{
	int i;

	if ((i = bridge_find1(bk[0], key, word)) >= 0) {
		*bp = bk[0];
		return i;
	}
	if ((i = bridge_find1(bk[1], key, word)) >= 0) {
		*bp = bk[1];
		return i;
	}
	return -1;
}

static inline int
bridge_aged(const struct bridge *br, uint32_t seen, uint32_t now)
{
	return seen != BRIDGE_STATIC &&
	    (int32_t)(now - seen) > (int32_t)br->aging;
}

static inline int
bridge_lookup_key(const struct bridge *br, uint64_t key, uint64_t h,
    uint32_t now)
{
	struct bridge_bucket *bk[2], *b;
	uint64_t w;
	int i;

	bridge_buckets(br, h, bk);
	if ((i = bridge_find(bk, key, &b, &w)) < 0)
		return -1;
	if (br->aging != 0) {
		uint32_t seen = __atomic_load_n(&b->seen[i], __ATOMIC_ACQUIRE);

		if (bridge_aged(br, seen, now) ||
		    __atomic_load_n(&b->key[i], __ATOMIC_RELAXED) != w)
			return -1;
	}
	return (int)(w >> KEY_PORT_SHIFT);
}

/* Take the slot of word away if it still holds key; 1 if we did. */
static int
bridge_remove(struct bridge *br, uint64_t *slot, uint64_t key)
{
	uint64_t w = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	while (bridge_match(w, key)) {
		if (__atomic_compare_exchange_n(slot, &w, 0, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_fetch_sub(&br->entries, 1, __ATOMIC_RELAXED);
			return 1;
		}
	}
	return 0;
}

/*
 * We just entered key at position pos of its ten slots (bucket * WAYS +
 * index).  Remove any copy another thread entered at the same time,
 * keeping the earliest in that order.  1 if ours was the one removed.
 */
static int
bridge_dedup(struct bridge *br, struct bridge_bucket *const *bk, int pos,
    uint64_t key)
{
	int q;

	for (q = 0; q < 2 * BRIDGE_WAYS; q++) {
		uint64_t *slot = &bk[q / BRIDGE_WAYS]->key[q % BRIDGE_WAYS];

		if (q == pos ||
		    !bridge_match(__atomic_load_n(slot, __ATOMIC_SEQ_CST), key))
			continue;
		if (q < pos) {
			bridge_remove(br, &bk[pos / BRIDGE_WAYS]->
			    key[pos % BRIDGE_WAYS], key);
			return 1;
		}
		bridge_remove(br, slot, key);
	}
	return 0;
}

/* Gives a test the key's slots in probe order at the two moments of an
 * insert where another worker's insert can interleave. */
static void __attribute__((noinline))
bridge_hook(struct bridge_bucket *const *bk, int phase, int pos,
    uint64_t word)
{
	uint64_t *slot[2 * BRIDGE_WAYS];
	int q;

	for (q = 0; q < 2 * BRIDGE_WAYS; q++)
		slot[q] = &bk[q / BRIDGE_WAYS]->key[q % BRIDGE_WAYS];
	bridge_test_insert_hook(slot, phase, pos, word);
}

/*
 * Enter key on port with time seen: in its first bucket while that holds
 * fewer than BRIDGE_FIRST_FILL entries, else in the less loaded one.
 * Pure "less loaded" puts 27% of the stations in their second bucket,
 * whose lookups then read two lines and mispredict; "first bucket until
 * full" puts 1% there but refuses 4 in 10^4 stations below the limit.
 * With 3, 10% go second, and a simulation at the limit refused one
 * station in 2 * 10^7.
 */
static enum bridge_ins __attribute__((noinline))
bridge_insert(struct bridge *br, struct bridge_bucket *const *bk,
    uint64_t key, int port, uint32_t seen)
{
	uint64_t word = key | (uint64_t)port << KEY_PORT_SHIFT;
	uint32_t n;
	int tries;

	n = __atomic_load_n(&br->entries, __ATOMIC_RELAXED);
	do {
		if (n >= br->max_entries)
			return BRIDGE_INS_FULL;
	} while (!__atomic_compare_exchange_n(&br->entries, &n, n + 1, 1,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	if (bridge_test_insert_hook != NULL)
		bridge_hook(bk, 0, -1, word);

	for (tries = 0; tries < 8; tries++) {
		int empty[2] = { -1, -1 }, used[2] = { 0, 0 };
		uint64_t expect = 0;
		int i, j;

		for (j = 0; j < 2; j++) {
			for (i = 0; i < BRIDGE_WAYS; i++) {
				uint64_t w = __atomic_load_n(&bk[j]->key[i],
				    __ATOMIC_ACQUIRE);

				if (w == 0) {
					if (empty[j] < 0)
						empty[j] = i;
				} else if (bridge_match(w, key)) {
					__atomic_fetch_sub(&br->entries, 1,
					    __ATOMIC_RELAXED);
					return BRIDGE_INS_EXISTS;
				} else
					used[j]++;
			}
		}
		j = empty[0] >= 0 && (used[0] < BRIDGE_FIRST_FILL ||
		    empty[1] < 0 || used[0] <= used[1]) ? 0 : 1;
		if ((i = empty[j]) < 0)
			break;
		__atomic_store_n(&bk[j]->seen[i], seen, __ATOMIC_RELEASE);
		if (bridge_test_insert_hook != NULL)
			bridge_hook(bk, 1, j * BRIDGE_WAYS + i, word);
		if (__atomic_compare_exchange_n(&bk[j]->key[i], &expect, word,
		    0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			if (bridge_dedup(br, bk, j * BRIDGE_WAYS + i, key))
				return BRIDGE_INS_EXISTS;
			return BRIDGE_INS_DONE;
		}
	}
	__atomic_fetch_sub(&br->entries, 1, __ATOMIC_RELAXED);
	return BRIDGE_INS_COLLISION;
}

static inline void
bridge_learn_key(struct bridge *br, uint64_t key, uint64_t h, int port,
    uint32_t now)
{
	struct bridge_port_counters *c = &br->ctr[port];
	struct bridge_bucket *bk[2], *b;
	uint64_t w;
	int i, tries;

	bridge_buckets(br, h, bk);
	for (tries = 0; tries < 4; tries++) {
		uint32_t seen;

		if ((i = bridge_find(bk, key, &b, &w)) < 0) {
			switch (bridge_insert(br, bk, key, port, now)) {
			case BRIDGE_INS_DONE:
				COUNT(c->learned);
				break;
			case BRIDGE_INS_FULL:
				COUNT(c->refused_full);
				break;
			case BRIDGE_INS_COLLISION:
				COUNT(c->refused_collision);
				break;
			case BRIDGE_INS_EXISTS:
				break;
			}
			return;
		}
		seen = __atomic_load_n(&b->seen[i], __ATOMIC_ACQUIRE);
		if (seen == BRIDGE_STATIC) {
			if ((int)(w >> KEY_PORT_SHIFT) != port)
				COUNT(c->static_conflict);
			return;
		}
		if ((int)(w >> KEY_PORT_SHIFT) == port) {
			/* signed: another worker's clock may be a second
			 * ahead of ours; never move the time back */
			if ((int32_t)(now - seen) > 0)
				__atomic_store_n(&b->seen[i], now,
				    __ATOMIC_RELEASE);
			return;
		}
		__atomic_store_n(&b->seen[i], now, __ATOMIC_RELEASE);
		if (__atomic_compare_exchange_n(&b->key[i], &w,
		    (w & KEY_MASK) | (uint64_t)port << KEY_PORT_SHIFT, 0,
		    __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
			COUNT(c->moved);
			return;
		}
	}
}

/* A source we learn: unicast and not zero. */
static inline int
bridge_source_ok(uint64_t mac)
{
	return (mac & 1) == 0 && mac != 0;
}

uint32_t
bridge_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

int
bridge_lookup(const struct bridge *br, const uint8_t mac[6], uint16_t vlan,
    uint32_t now_s)
{
	uint64_t m = bridge_mac(mac), key;

	if (m & 1)
		return -1;
	key = bridge_key(br, m, vlan);
	return bridge_lookup_key(br, key, bridge_hash(br, key), now_s);
}

void
bridge_learn(struct bridge *br, const uint8_t mac[6], uint16_t vlan,
    int port, uint32_t now_s)
{
	uint64_t m = bridge_mac(mac), key;

	if (port < 0 || port >= BRIDGE_PORTS_MAX)
		return;
	if (!bridge_source_ok(m)) {
		COUNT(br->ctr[port].bad_source);
		return;
	}
	key = bridge_key(br, m, vlan);
	bridge_learn_key(br, key, bridge_hash(br, key), port, now_s);
}

static inline void
bridge_prefetch(const struct bridge *br, uint64_t h)
{
	__builtin_prefetch(&br->bucket[(uint32_t)h & br->mask]);
}

/*
 * Hash a chunk of frames first and prefetch their first buckets, so that
 * the cache misses of a large table overlap; then learn and look up.
 */
static inline void
bridge_batch(struct bridge *br, const uint8_t *const *frames,
    const uint16_t *vlans, uint16_t n, int in_port, uint32_t now,
    int8_t *out, int learn)
{
	uint64_t dkey[BRIDGE_CHUNK], dh[BRIDGE_CHUNK];
	uint64_t skey[BRIDGE_CHUNK], sh[BRIDGE_CHUNK];
	uint16_t base, i, m;

	if (in_port < 0 || in_port >= BRIDGE_PORTS_MAX)
		learn = 0;
	for (base = 0; base < n; base += m) {
		m = n - base < BRIDGE_CHUNK ? n - base : BRIDGE_CHUNK;
		for (i = 0; i < m; i++) {
			const uint8_t *f = frames[base + i];
			uint16_t vlan = vlans != NULL ? vlans[base + i] : 0;
			uint64_t d = bridge_mac(f), s = bridge_mac(f + 6);

			/* group destination: key 0 is never stored */
			dkey[i] = d & 1 ? 0 : bridge_key(br, d, vlan);
			dh[i] = bridge_hash(br, dkey[i]);
			bridge_prefetch(br, dh[i]);
			if (!bridge_source_ok(s)) {
				skey[i] = 0;
				continue;
			}
			skey[i] = bridge_key(br, s, vlan);
			if (learn) {
				sh[i] = bridge_hash(br, skey[i]);
				bridge_prefetch(br, sh[i]);
			}
		}
		for (i = 0; i < m; i++) {
			if (skey[i] == 0) {
				if (learn)
					COUNT(br->ctr[in_port].bad_source);
				out[base + i] = BRIDGE_DROP;
				continue;
			}
			if (learn)
				bridge_learn_key(br, skey[i], sh[i], in_port,
				    now);
			out[base + i] = dkey[i] == 0 ? BRIDGE_FLOOD :
			    (int8_t)bridge_lookup_key(br, dkey[i], dh[i], now);
		}
	}
}

void
bridge_learn_lookup_batch(struct bridge *br, const uint8_t *const *frames,
    const uint16_t *vlans, uint16_t n, int in_port, uint32_t now_s,
    int8_t *out_port)
{
	bridge_batch(br, frames, vlans, n, in_port, now_s, out_port, 1);
}

void
bridge_lookup_batch(const struct bridge *br, const uint8_t *const *frames,
    const uint16_t *vlans, uint16_t n, uint32_t now_s, int8_t *out_port)
{
	/* without learning bridge_batch() writes nothing to br */
	bridge_batch((struct bridge *)br, frames, vlans, n, -1, now_s,
	    out_port, 0);
}

static void
bridge_mac_str(const uint8_t *mac, char *s, size_t len)
{
	snprintf(s, len, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Buckets in anonymous memory; transparent huge pages when it is large,
 * since lookups in a big table otherwise miss the TLB as often as the
 * cache. */
static int
bridge_map(struct bridge *br, size_t len)
{
	const size_t huge = 2 << 20;
	uint8_t *p, *a;
	size_t map_len = len;

	if (len >= huge)
		map_len = len + huge;
	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	a = p;
	if (len >= huge) {
		a = (uint8_t *)(((uintptr_t)p + huge - 1) & ~(huge - 1));
		if (a > p)
			munmap(p, a - p);
		if (p + map_len > a + len)
			munmap(a + len, p + map_len - (a + len));
		map_len = len;
		(void)madvise(a, len, MADV_HUGEPAGE);
	}
	br->map = a;
	br->map_len = map_len;
	br->bucket = (struct bridge_bucket *)a;
	return 0;
}

struct bridge *
bridge_create(uint32_t max_entries, uint32_t aging_s, int per_vlan)
{
	struct bridge *br;
	uint64_t slots = 2 * (uint64_t)max_entries;
	uint32_t nb = BRIDGE_BUCKETS_MIN;

	if (max_entries < BRIDGE_ENTRIES_MIN ||
	    max_entries > BRIDGE_ENTRIES_MAX) {
		log_warnx("bridge: max_entries %u not in %u..%u", max_entries,
		    BRIDGE_ENTRIES_MIN, BRIDGE_ENTRIES_MAX);
		return NULL;
	}
	if (aging_s > BRIDGE_AGING_MAX) {
		log_warnx("bridge: aging %u s over %u", aging_s,
		    BRIDGE_AGING_MAX);
		return NULL;
	}
	if ((br = calloc_lines(1, sizeof(*br))) == NULL) {
		log_warn("bridge: table");
		return NULL;
	}
	while ((uint64_t)nb * BRIDGE_WAYS < slots)
		nb <<= 1;
	if (bridge_map(br, (size_t)nb * sizeof(struct bridge_bucket)) == -1) {
		log_warn("bridge: %u buckets", nb);
		free(br);
		return NULL;
	}
	br->mask = nb - 1;
	br->aging = aging_s;
	br->max_entries = max_entries;
	br->vlan_mask = per_vlan ? 0xfff : 0;
	if (getrandom(&br->seed, sizeof(br->seed), GRND_NONBLOCK) !=
	    sizeof(br->seed))
		br->seed = (uintptr_t)br ^ ((uint64_t)bridge_now() << 32);
	return br;
}

void
bridge_free(struct bridge *br)
{
	if (br == NULL)
		return;
	munmap(br->map, br->map_len);
	free(br);
}

int
bridge_add_static(struct bridge *br, const uint8_t mac[6], uint16_t vlan,
    int port)
{
	struct bridge_bucket *bk[2], *b;
	uint64_t m = bridge_mac(mac), key, w;
	char s[18];
	int i;

	bridge_mac_str(mac, s, sizeof(s));
	if (!bridge_source_ok(m)) {
		log_warnx("bridge: static entry %s is not a station address",
		    s);
		return -1;
	}
	if (port < 0 || port >= BRIDGE_PORTS_MAX) {
		log_warnx("bridge: static entry %s: port %d not in 0..%d", s,
		    port, BRIDGE_PORTS_MAX - 1);
		return -1;
	}
	key = bridge_key(br, m, vlan);
	bridge_buckets(br, bridge_hash(br, key), bk);
	if ((i = bridge_find(bk, key, &b, &w)) >= 0) {
		__atomic_store_n(&b->seen[i], BRIDGE_STATIC, __ATOMIC_RELEASE);
		__atomic_store_n(&b->key[i], key |
		    (uint64_t)port << KEY_PORT_SHIFT, __ATOMIC_RELEASE);
		return 0;
	}
	switch (bridge_insert(br, bk, key, port, BRIDGE_STATIC)) {
	case BRIDGE_INS_DONE:
		return 0;
	case BRIDGE_INS_FULL:
		log_warnx("bridge: static entry %s: table full (%u entries)",
		    s, br->max_entries);
		return -1;
	default:
		log_warnx("bridge: static entry %s: no room in its buckets", s);
		return -1;
	}
}

int
bridge_moves_check(const struct bridge *br, struct bridge_moves *m,
    uint32_t now_s, const char *const name[BRIDGE_PORTS_MAX], char *msg,
    size_t len)
{
	uint64_t d[BRIDGE_PORTS_MAX], total = 0, v;
	uint32_t secs;
	size_t off;
	int p, n;

	for (p = 0; p < BRIDGE_PORTS_MAX; p++) {
		v = __atomic_load_n(&br->ctr[p].moved, __ATOMIC_RELAXED);
		d[p] = v - m->last[p];
		m->last[p] = v;
		total += d[p];
	}
	secs = now_s - m->last_s;
	m->last_s = now_s;
	if (!m->started) {
		m->started = 1;
		return 0;
	}
	if (secs == 0)
		secs = 1;
	if (total < (uint64_t)BRIDGE_MOVES_WARN * secs ||
	    (m->warned && now_s - m->warned_s < BRIDGE_MOVES_QUIET)) {
		m->held += total;	/* told with the next warning */
		return 0;
	}
	off = 0;
	n = snprintf(msg, len, "bridge: %llu station moves in %u s, onto",
	    (unsigned long long)total, secs);
	if (n > 0)
		off = (size_t)n;
	for (p = 0; p < BRIDGE_PORTS_MAX && off < len; p++) {
		if (d[p] == 0)
			continue;
		if (name != NULL && name[p] != NULL)
			n = snprintf(msg + off, len - off, " %s (%llu)",
			    name[p], (unsigned long long)d[p]);
		else
			n = snprintf(msg + off, len - off, " port %d (%llu)",
			    p, (unsigned long long)d[p]);
		if (n > 0)
			off += (size_t)n;
	}
	if (off < len)
		n = snprintf(msg + off, len - off, ": stations heard on two "
		    "ports at once (a loop, or a segment reached twice?)");
	if (m->warned && m->held > 0 && off < len) {
		off = strlen(msg);
		snprintf(msg + off, len - off, "; %llu more moves since the "
		    "last warning", (unsigned long long)m->held);
	}
	m->held = 0;
	m->warned = 1;
	m->warned_s = now_s;
	return 1;
}

uint32_t
bridge_expire(struct bridge *br, uint32_t now_s)
{
	uint32_t b, n = 0;
	int i;

	if (br->aging == 0)
		return 0;
	for (b = 0; b <= br->mask; b++) {
		struct bridge_bucket *bk = &br->bucket[b];

		for (i = 0; i < BRIDGE_WAYS; i++) {
			uint64_t w = __atomic_load_n(&bk->key[i],
			    __ATOMIC_ACQUIRE);
			uint32_t seen;

			if (w == 0)
				continue;
			seen = __atomic_load_n(&bk->seen[i], __ATOMIC_ACQUIRE);
			if (!bridge_aged(br, seen, now_s))
				continue;
			if (__atomic_compare_exchange_n(&bk->key[i], &w, 0, 0,
			    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
				__atomic_fetch_sub(&br->entries, 1,
				    __ATOMIC_RELAXED);
				n++;
			}
		}
	}
	__atomic_store_n(&br->aged, br->aged + n, __ATOMIC_RELAXED);
	return n;
}

void
bridge_stats(const struct bridge *br, struct bridge_stats *st)
{
	int p;

	memset(st, 0, sizeof(*st));
	st->entries = __atomic_load_n(&br->entries, __ATOMIC_RELAXED);
	st->aged = __atomic_load_n(&br->aged, __ATOMIC_RELAXED);
	for (p = 0; p < BRIDGE_PORTS_MAX; p++) {
		const struct bridge_port_counters *c = &br->ctr[p];

		st->learned += __atomic_load_n(&c->learned, __ATOMIC_RELAXED);
		st->moved += __atomic_load_n(&c->moved, __ATOMIC_RELAXED);
		st->refused_full += __atomic_load_n(&c->refused_full,
		    __ATOMIC_RELAXED);
		st->refused_collision += __atomic_load_n(&c->refused_collision,
		    __ATOMIC_RELAXED);
		st->static_conflict += __atomic_load_n(&c->static_conflict,
		    __ATOMIC_RELAXED);
		st->bad_source += __atomic_load_n(&c->bad_source,
		    __ATOMIC_RELAXED);
	}
}

int
bridge_dump(const struct bridge *br, void (*cb)(void *, const uint8_t *,
    uint16_t, int, uint32_t, int), void *arg, uint32_t now_s)
{
	uint32_t b;
	int i, n = 0;

	for (b = 0; b <= br->mask; b++) {
		const struct bridge_bucket *bk = &br->bucket[b];

		for (i = 0; i < BRIDGE_WAYS; i++) {
			uint64_t w = __atomic_load_n(&bk->key[i],
			    __ATOMIC_ACQUIRE), m;
			uint32_t seen;
			uint8_t mac[6];
			int j, is_static;

			if (w == 0)
				continue;
			seen = __atomic_load_n(&bk->seen[i], __ATOMIC_ACQUIRE);
			is_static = seen == BRIDGE_STATIC;
			if (br->aging != 0 && bridge_aged(br, seen, now_s))
				continue;
			m = w & KEY_MAC_MASK & ~KEY_USED;
			for (j = 0; j < 6; j++)
				mac[j] = (uint8_t)(m >> (8 * j));
			cb(arg, mac, (uint16_t)((w >> KEY_VLAN_SHIFT) & 0xfff),
			    (int)(w >> KEY_PORT_SHIFT), is_static ? 0 :
			    (int32_t)(now_s - seen) > 0 ? now_s - seen : 0,
			    is_static);
			n++;
		}
	}
	return n;
}
