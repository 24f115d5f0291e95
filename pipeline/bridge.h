/*
 * bridge.h: the MAC table of the learning bridge, shared by every worker.
 *
 * Workers look destinations up and learn sources on the fast path, all at
 * once, without a lock: a lookup is plain loads, a learn of a known
 * station is plain loads and at most one store per second, and only a new
 * or moved station costs a compare-and-swap.  The control thread adds the
 * static entries before the workers start, reclaims aged entries with
 * bridge_expire() every second or so, and reads the counters.
 *
 * A key is (MAC, VLAN id) with per-VLAN learning (IVL), (MAC, 0) without.
 * Group addresses (I/G bit set: multicast, broadcast) are never looked up
 * (flood) and never learned as sources (counted bad_source), nor is the
 * all-zero address.  An entry older than `aging' seconds is invisible at
 * once, before bridge_expire() reclaims its slot; static entries never age
 * and learning never overrides them.
 *
 * Time is coarse seconds from bridge_now(), read once per batch and passed
 * in, so that tests can drive the clock.
 *
 * Counters: the fast path counts per input port.  A port's RX queues may
 * be served by several workers (RSS), so a counter has as many writers:
 * each count is an atomic add.  Only events count (a new station, a move,
 * a refusal, a bad source); a known station's frame writes nothing.
 */
#ifndef IXFWD_BRIDGE_H
#define IXFWD_BRIDGE_H

#include <stdint.h>

#define BRIDGE_PORTS_MAX	16	/* port indexes 0..15 */
#define BRIDGE_ENTRIES_MIN	16
#define BRIDGE_ENTRIES_MAX	1048576
#define BRIDGE_AGING_MAX	0x7fffffffU	/* seconds */

/* What the batch functions say about a frame besides a port number:
 * flood (unknown, aged or group destination), drop (group or zero
 * source, never a station). */
#define BRIDGE_FLOOD		(-1)
#define BRIDGE_DROP		(-2)

/*
 * entries		in the table now, static ones too
 * learned		new stations entered
 * moved		known stations heard on another port
 * refused_full		new stations not learned: max_entries reached
 * aged			reclaimed by bridge_expire()
 * static_conflict	a static station heard on another port
 * bad_source		group or zero source address
 * refused_collision	not learned though below max_entries: both of
 *			its buckets were full (about never)
 */
struct bridge_stats {
	uint64_t	entries;
	uint64_t	learned;
	uint64_t	moved;
	uint64_t	refused_full;
	uint64_t	aged;
	uint64_t	static_conflict;
	uint64_t	bad_source;
	uint64_t	refused_collision;
};

struct bridge;

/* Control thread. */
/* max_entries 16..1048576, aging_s 0 (never) .. BRIDGE_AGING_MAX;
 * NULL with the reason logged. */
struct bridge	*bridge_create(uint32_t max_entries, uint32_t aging_s,
		    int per_vlan);
void		 bridge_free(struct bridge *br);
/* Before the workers start (no learning may run meanwhile).  Replaces a
 * learned or static entry of the same key.  0, or -1 with the reason
 * logged (group address, bad port, table full). */
int		 bridge_add_static(struct bridge *br, const uint8_t mac[6],
		    uint16_t vlan, int port);
/* Reclaim the entries older than aging at now_s; returns how many. */
uint32_t	 bridge_expire(struct bridge *br, uint32_t now_s);
void		 bridge_stats(const struct bridge *br,
		    struct bridge_stats *st);

/*
 * Stations moving between ports many times a second mean one station
 * heard on two ports at once: a loop, or a segment the bridge reaches
 * twice.  Each move is a compare-and-swap on the station's line (from two
 * cores when two workers hear it), so it is worth telling the operator.
 * Call bridge_moves_check() once a second or so: 1 with a line in msg
 * when, since the last call, stations moved at least BRIDGE_MOVES_WARN
 * times a second, at most once per BRIDGE_MOVES_QUIET seconds (the line
 * also counts the moves since the last warning); 0 otherwise.
 * name[p] names port p (NULL: "port p").
 */
#define BRIDGE_MOVES_WARN	100	/* moves a second */
#define BRIDGE_MOVES_QUIET	60	/* seconds between two warnings */

struct bridge_moves {
	uint64_t	 last[BRIDGE_PORTS_MAX];	/* moved, at the last call */
	uint32_t	 last_s;
	uint32_t	 warned_s;
	int		 started;
	int		 warned;
	uint64_t	 held;		/* moves since, not in a warning */
};

int		 bridge_moves_check(const struct bridge *br,
		    struct bridge_moves *m, uint32_t now_s,
		    const char *const name[BRIDGE_PORTS_MAX], char *msg,
		    size_t len);
/* cb for each visible entry, in no particular order; returns how many.
 * age_s is 0 for a static entry. */
int		 bridge_dump(const struct bridge *br,
		    void (*cb)(void *arg, const uint8_t mac[6], uint16_t vlan,
		    int port, uint32_t age_s, int is_static), void *arg,
		    uint32_t now_s);

/* Fast path, any worker, concurrently. */
/* Coarse seconds of CLOCK_MONOTONIC_COARSE (vDSO, no syscall); call it
 * once per batch. */
uint32_t	 bridge_now(void);
/* The port of (mac, vlan), or -1: unknown, aged, or a group address. */
int		 bridge_lookup(const struct bridge *br, const uint8_t mac[6],
		    uint16_t vlan, uint32_t now_s);
/* mac was seen as a source on port: enter it, refresh it (at most once a
 * second) or move it. */
void		 bridge_learn(struct bridge *br, const uint8_t mac[6],
		    uint16_t vlan, int port, uint32_t now_s);
/*
 * A received batch, all from in_port: learn every source (frame + 6) and
 * look every destination (frame + 0) up.  out_port[i] is the destination
 * port, BRIDGE_FLOOD or BRIDGE_DROP.  A destination learned on in_port
 * itself comes back as in_port: the caller drops that frame, its station
 * is on the segment it came from.  vlans[i] is the frame's VLAN id (only
 * read with per-VLAN learning; NULL: all untagged).  Frames must be at
 * least 12 bytes long.  bridge_lookup_batch() is the same without
 * learning (`learning: false').
 */
void		 bridge_learn_lookup_batch(struct bridge *br,
		    const uint8_t *const *frames, const uint16_t *vlans,
		    uint16_t n, int in_port, uint32_t now_s, int8_t *out_port);
void		 bridge_lookup_batch(const struct bridge *br,
		    const uint8_t *const *frames, const uint16_t *vlans,
		    uint16_t n, uint32_t now_s, int8_t *out_port);

/*
 * Tests only (a weak symbol, NULL in the daemon): an insert calls it with
 * the key's ten slots in probe order, before looking for room (phase 0)
 * and between choosing the empty slot at position pos and claiming it
 * with word (phase 1), so that a test can play another worker's insert
 * in those windows.
 */
extern void	 bridge_test_insert_hook(uint64_t *const slot[10], int phase,
		    int pos, uint64_t word) __attribute__((weak));

#endif /* IXFWD_BRIDGE_H */
