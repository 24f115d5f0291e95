/*
 * emu82599_priv.h: the inside of the emulated 82599, shared by the
 * register/DMA half (emu82599.c), the wire half (emu82599_wire.c) and the
 * model's own tests.  Nothing outside the model includes it.
 *
 * Locking.  Each NIC has one mutex.  The engine thread holds it for the
 * whole of a pass over that NIC (taken with trylock, so a control thread
 * in the middle of a register sequence only delays that NIC's pass), and
 * every register access with a side effect beyond a plain load or store
 * takes it too.  The exceptions, which never block:
 *   - the RDT/TDT doorbells: a store with release ordering into regs[],
 *     loaded by the engine with acquire ordering;
 *   - clear-on-read statistics: 64-bit atomics, added to by the engine
 *     once per pass and exchanged with 0 by the reader;
 *   - plain register reads (relaxed loads of regs[]).
 * So engine-side state (rings, heads, wire buffers) is only ever touched
 * under the NIC's mutex, and needs no atomics of its own.
 */
#ifndef IXFWD_EMU82599_PRIV_H
#define IXFWD_EMU82599_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "dma.h"
#include "emu82599.h"
#include "emu82599_regs.h"

#define EMU_NREGS		(EMU_BAR0_SIZE / 4)
#define EMU_NQ			128		/* RX and TX queues */
#define EMU_NSTATQ		16		/* per-queue statistics sets */
#define EMU_NRAR		128		/* RAL/RAH pairs */
#define EMU_FRAME_MIN		60		/* shortest frame on a wire, no CRC */
#define EMU_WIRE_MAX		EMU_WIRE_FRAME_MAX /* longest untagged frame a
						 * wire carries, no CRC */
#define EMU_GEN_MAX		1514		/* longest generator frame */
#define EMU_VLAN_LEN		4
#define EMU_CRC_LEN		4
#define EMU_BATCH		64		/* frames/descriptors per ring per pass */
#define EMU_TX_BATCH		128		/* TX descriptors per queue per pass:
						 * draining outpaces filling, so a
						 * forwarder's TX ring does not fill
						 * because the engine fed its RX */
#define EMU_RX_WB_MAX		128		/* RX write-backs held back in a pass */
#define EMU_TX_FRAME_MAX	16384		/* longest frame a TX ring may gather */
#define EMU_STAGE_SIZE		1536		/* a gathered frame bound for the wire */
#define EMU_SLOT_SIZE		16384		/* one frame in an SPSC ring:
						 * length word and up to
						 * EMU_WIRE_MAX + EMU_VLAN_LEN */
#define EMU_QUEUE_SLOTS		4096		/* EMU_WIRE_QUEUE, each way */
#define EMU_CABLE_SLOTS		1024		/* EMU_WIRE_PEER, each way */
#define EMU_MAX_NICS		64
#define EMU_MAX_STREAMS		64		/* generator streams */
#define EMU_GSO_BUF		(65536 + 256)	/* one frame read from a kernel interface */
#define EMU_IFACE_BATCH		32

#define EMU_RESET_NS		1000000ull	/* CTRL.RST reads back set for 1 ms */
#define EMU_AN_NS		10000000ull	/* link up 10 ms after AN starts */
#define EMU_SLOW_NS		10000000ull	/* wire housekeeping period */
#define EMU_SETTLE_NS		10000000ull	/* §4.6.3.2: no access for 10 ms
						 * after CTRL.RST is set (but
						 * polling CTRL) */
#define EMU_MASTER_NS		50000ull	/* GIO master requests drain */
#define EMU_QEN_NS		20000ull	/* queue enable reads back */
#define EMU_QDIS_NS		20000ull	/* a queue disable takes effect
						 * (ENABLE reads 0) */
#define EMU_SECRX_NS		20000ull	/* security block drains */
#define EMU_TXPKT_MAX_KB	10		/* §4.6.11.3.1: room TXPBTHRESH
						 * leaves for one packet */

/* Port media, from the PCI device ID (§4.6.4, §3.7). */
enum emu_media {
	EMU_MEDIA_SFI,		/* SFP+: 10G serial, SFI */
	EMU_MEDIA_KX4,		/* backplane KX4 (parallel) */
	EMU_MEDIA_BACKPLANE,	/* KX/KX4/KR with clause 73 AN */
	EMU_MEDIA_KR,		/* backplane KR (serial) */
	EMU_MEDIA_CX4,
	EMU_MEDIA_XAUI,
	EMU_MEDIA_BASET,	/* 10GBASE-T through an external PHY/firmware */
};

/* Statistics registers, §8.2.3.23: one 64-bit accumulator each. */
enum emu_stat {
	EMU_S_CRCERRS,
	EMU_S_GPRC,
	EMU_S_BPRC,
	EMU_S_MPRC,
	EMU_S_GPTC,
	EMU_S_GORC,		/* 36-bit pair GORCL/GORCH */
	EMU_S_GOTC,		/* 36-bit pair */
	EMU_S_RUC,
	EMU_S_ROC,
	EMU_S_TOR,		/* 36-bit pair */
	EMU_S_TPR,
	EMU_S_TPT,
	EMU_S_MPTC,
	EMU_S_BPTC,
	EMU_S_RXDGPC,
	EMU_S_TXDGPC,
	EMU_S_MPC,		/* 8: per packet buffer */
	EMU_S_QPRC = EMU_S_MPC + 8,
	EMU_S_QBRC = EMU_S_QPRC + EMU_NSTATQ,	/* 36-bit pairs */
	EMU_S_QPRDC = EMU_S_QBRC + EMU_NSTATQ,
	EMU_S_QPTC = EMU_S_QPRDC + EMU_NSTATQ,
	EMU_S_QBTC = EMU_S_QPTC + EMU_NSTATQ,	/* 36-bit pairs */
	EMU_S_COUNT = EMU_S_QBTC + EMU_NSTATQ
};

#define EMU_STAT32_MAX		0xffffffffull
#define EMU_STAT36_MAX		0xfffffffffull

/* A single-producer single-consumer ring of frames. */
struct emu_ring {
	uint32_t	 head __attribute__((aligned(64)));	/* consumer */
	uint32_t	 tail __attribute__((aligned(64)));	/* producer */
	uint32_t	 mask __attribute__((aligned(64)));
	uint8_t		*slots;		/* (mask + 1) * EMU_SLOT_SIZE */
};

struct emu_rxq {
	union emu_rx_desc	*ring;	/* latched at RXDCTL.ENABLE */
	uint32_t		 n;	/* descriptors */
	uint32_t		 head;	/* RDH as the engine keeps it */
	int			 running;
	/* this pass (emu_rx_begin): what the queue looks like now */
	int			 on;	/* running and RDT sane */
	uint32_t		 avail;	/* descriptors hardware owns */
	uint32_t		 bsize;	/* bytes per buffer */
	uint32_t		 srrctl;
	/* write-backs not yet stored in the ring: qword 0 and 1 of each */
	uint32_t		 nwb;
	uint32_t		 wb_idx[EMU_RX_WB_MAX];
	uint64_t		 wb[EMU_RX_WB_MAX][2];
};

struct emu_txq {
	union emu_tx_desc	*ring;
	uint32_t		 n;
	uint32_t		 head;
	int			 running;
};

/* What one engine pass knows about the RX side of a NIC (the queues'
 * own state is in struct emu_rxq). */
struct emu_rxpass {
	int		 on;		/* RXEN, and a queue frames can go to */
	int		 rss;		/* MRQC.MRQE = RSS (§7.1.2.8) */
	uint32_t	 maxlen;	/* longest frame without CRC */
	uint32_t	 fctrl;
	uint32_t	 hlreg0;
	uint32_t	 rxcsum;
	uint32_t	 mrqc;
	uint32_t	 err;		/* faults: error bits of the next frame */
	int		 burst;		/* faults: a burst arriving at once, in
					 * the descriptors the pass began with
					 * (no RDT read again) */
	uint8_t		 key[EMU_RSS_KEY_LEN];	/* RSSRK */
	uint8_t		 reta[EMU_RETA_SIZE];	/* RETA */
};

/* A frame the TX side hands to the wire: in DMA memory or in a staging
 * buffer, valid until the end of the queue's pass. */
struct emu_txframe {
	const uint8_t	*data;
	uint32_t	 len;
};

/* Parsed TCP or UDP segmentation offload frame. */
struct emu_gso {
	uint32_t	 l3;		/* IP header offset */
	uint32_t	 l4;		/* TCP/UDP header offset */
	uint32_t	 hdrlen;	/* headers, copied into each segment */
	uint32_t	 paylen;	/* payload after the headers */
	uint32_t	 mss;
	uint32_t	 nsegs;
	int		 v6;
	int		 udp;
};

/* Bad frames a fault makes arrive (emu_fault()). */
enum {
	EMU_FAULT_RUNT,		/* 40 bytes: RUC */
	EMU_FAULT_OVERSIZE,	/* over the frame size limit: ROC */
	EMU_FAULT_BAD_CRC,	/* bad FCS: CRCERRS */
	EMU_FAULT_NBAD
};

struct emu_iface;
struct emu_pcap;
struct emu_gen;
struct emu_cable;

struct emu82599 {
	uint32_t	 regs[EMU_NREGS];	/* BAR0, __atomic access */
	pthread_mutex_t	 lock;
	char		 name[32];
	uint8_t		 mac[6];
	uint16_t	 eeprom[64];
	int		 slot;			/* in the engine's list */

	/* clear-on-read statistics (atomic) and the L/H latches (lock) */
	uint64_t	 stat[EMU_S_COUNT];
	uint64_t	 latch[EMU_S_COUNT];
	uint8_t		 latched[EMU_S_COUNT];
	/* engine: what this pass counted, added at its end */
	uint64_t	 acc[EMU_S_COUNT];
	uint8_t		 acc_dirty[(EMU_S_COUNT + 7) & ~7];
	struct dma_iotlb iotlb;			/* engine's translations */

	/* reset and link (lock) */
	int		 in_reset;
	uint64_t	 reset_done_ns;
	int		 link_up;
	uint64_t	 an_start_ns;		/* 0: not negotiating */
	int		 carrier_force;		/* -1 wire decides, 0, 1 (atomic) */
	int		 initialised;		/* a driver reset it (atomic) */

	/* L2 filter: valid RAL/RAH addresses as 48-bit integers (lock) */
	uint64_t	 rar[EMU_NRAR];
	int		 nrar;

	struct emu_rxq	 rxq[EMU_NQ];
	struct emu_txq	 txq[EMU_NQ];
	uint8_t		 txact[EMU_NQ];		/* running TX queues, a list */
	int		 ntxact;
	uint8_t		 rxact[EMU_NQ];		/* running RX queues, a list */
	int		 nrxact;
	struct emu_rxpass rx;

	/* the PCI side (emu82599_vfio.c) */
	uint16_t	 pci_cmd;		/* command register (atomic) */
	struct emu_iommu *iommu;		/* behind the emulated VFIO:
						 * its IOMMU (atomic); NULL:
						 * dma.c's tables */

	/* test faults (emu_fault(); atomic) */
	int		 removed;		/* surprise removal */
	uint32_t	 fault_bad[EMU_FAULT_NBAD];	/* bad frames to receive */
	uint32_t	 fault_burst;		/* GENERATOR: frames in one go */
	uint8_t		 tx_hung[EMU_NQ];	/* TX queue stopped completing */
	uint8_t		 tx_no_disable[EMU_NQ];	/* TX queue never stops:
						 * TXDCTL.ENABLE stays 1 */

	uint32_t	 warned;		/* log-once bits (atomic) */
	uint64_t	 iommu_faults;		/* atomic */

	/* strict mode (atomic) */
	int		 strict;
	uint64_t	 violations;
	uint64_t	 rule_hits[EMU_RULE_COUNT];
	uint16_t	 device_id;
	enum emu_media	 media;
	/* timing the silicon imposes (lock, settle_ns atomic) */
	uint64_t	 settle_ns;		/* reset written: access after this */
	uint64_t	 master_dis_ns;		/* CTRL.PCIE_MASTER_DISABLE set at */
	uint64_t	 secrx_dis_ns;		/* SECRXCTRL.RX_DIS set at */
	int		 an_failed;		/* this AN attempt: bad link mode */
	int		 nqen;			/* queue enables and
						 * disables pending */
	uint64_t	 rxq_en_ns[EMU_NQ];	/* RXDCTL.ENABLE reads back at */
	uint64_t	 rxq_dis_ns[EMU_NQ];	/* RXDCTL.ENABLE reads 0 at */
	uint64_t	 txq_en_ns[EMU_NQ];
	uint64_t	 txq_dis_ns[EMU_NQ];	/* TXDCTL.ENABLE reads 0 at */
	/* what the driver has seen by reading the register (lock; so a
	 * rule "wait for X" does not depend on thread timing) */
	uint8_t		 rxq_en_seen[EMU_NQ];	/* RXDCTL.ENABLE read as 1 */
	uint8_t		 rxq_live[EMU_NQ];	/* RXDCTL.ENABLE set and not
						 * read as 0 since (atomic) */
	uint8_t		 txq_live[EMU_NQ];	/* TXDCTL.ENABLE set and not
						 * read as 0 since (atomic) */
	int		 master_seen;		/* GIO_MASTER_EN read as 0 */
	int		 secrx_seen;		/* SECRX_RDY read as 1 */

	/* the wire */
	enum emu_wire_kind kind;
	struct emu_wire_stats wst;		/* atomic adds */
	uint64_t	 wacc_to;		/* this pass: to_nic, from_nic */
	uint64_t	 wacc_from;
	uint64_t	 slow_next_ns;
	struct emu_ring	*q_in;			/* QUEUE: towards the NIC */
	struct emu_ring	*q_out;			/* QUEUE: from the NIC */
	struct emu82599	*peer;			/* PEER (lock of both) */
	struct emu_cable *cable;
	struct emu_ring	*c_in;			/* PEER: cable towards me */
	struct emu_ring	*c_out;			/* PEER: cable towards peer */
	struct emu_iface *ifc;
	struct emu_pcap	*pc;
	struct emu_gen	*gen;
	int		 iface_running;		/* atomic */

	/* TX staging: frames gathered from several descriptors or padded */
	uint8_t		 stage[EMU_TX_BATCH][EMU_STAGE_SIZE];
	uint32_t	 nstage;
};

/* emu82599_vfio.c: config space and the event record. */
extern const struct bar_cfg_ops emu_cfg_ops;
void	emu_event(struct emu82599 *nic, enum emu_event_kind kind,
	    uint64_t iova, uint64_t len);

struct emu_iommu;
void	*emu_iommu_translate(struct emu_iommu *d, uint64_t iova, size_t len);

/*
 * Every address the NIC is given goes through here: behind the emulated
 * VFIO only what VFIO_IOMMU_MAP_DMA mapped is reachable; otherwise DMA
 * memory as dma.c knows it (the IOTLB in front of its tables).  NULL is
 * an IOMMU fault.
 */
static inline void *
emu_dma(struct emu82599 *nic, uint64_t iova, size_t len)
{
	struct emu_iommu *d = __atomic_load_n(&nic->iommu, __ATOMIC_ACQUIRE);

	if (d != NULL)
		return emu_iommu_translate(d, iova, len);
	return dma_iotlb_translate(&nic->iotlb, iova, len);
}

static inline int
emu_bus_master(struct emu82599 *nic)
{
	return (__atomic_load_n(&nic->pci_cmd, __ATOMIC_ACQUIRE) &
	    EMU_PCI_COMMAND_MASTER) != 0;
}

/* Log-once bits. */
enum {
	EMU_W_ACCESS = 1u << 0,
	EMU_W_IOMMU = 1u << 1,
	EMU_W_DESCTYPE = 1u << 2,
	EMU_W_BSIZE = 1u << 3,
	EMU_W_RDT = 1u << 4,
	EMU_W_TDT = 1u << 5,
	EMU_W_ALIGN = 1u << 6,
	EMU_W_RINGLEN = 1u << 7,
	EMU_W_PAYLEN = 1u << 8,
	EMU_W_TXDESC = 1u << 9,
	EMU_W_TSO = 1u << 10,
	EMU_W_HEADWR = 1u << 11,
	EMU_W_OVERSIZE = 1u << 12,
	EMU_W_WIRE = 1u << 13,
	EMU_W_TXLONG = 1u << 14,
	EMU_W_QUEUE = 1u << 15,
	EMU_W_GSO = 1u << 16,
	EMU_W_WIREFULL = 1u << 17,
	EMU_W_MRQE = 1u << 18,
	EMU_W_SINKBAD = 1u << 19,
};

/* Results of offering a frame to the NIC's receive side. */
enum {
	EMU_RX_TAKEN,		/* written to host memory */
	EMU_RX_DROPPED,		/* gone: filtered, too long, or missed */
	EMU_RX_NOROOM,		/* flow-controlled wire: not now, offer again */
};

/* emu82599.c */
void		*emu_zalloc(size_t);
int		 emu_warn_once(struct emu82599 *, uint32_t bit);
void		 emu_violation(struct emu82599 *, enum emu_rule,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int		 emu_rx_frame(struct emu82599 *, const uint8_t *, uint32_t, int fc);
uint32_t	 emu_rx_room(struct emu82599 *);
void		 emu_stat_add_atomic(struct emu82599 *, int stat, uint64_t v);
uint64_t	 emu_now_ns(void);
void		 emu_engine_kick(void);

/* emu82599_fault.c: the engine's part of the faults. */
int		 emu_fault_rx(struct emu82599 *);
void		 emu_fault_poll(uint64_t now);
struct emu82599	*emu_find_locked(const char *name);
void		 emu_list_lock_take(int take);

/* emu82599_wire.c */
int		 emu_wire_open(struct emu82599 *, const struct emu_wire_conf *);
void		 emu_wire_close(struct emu82599 *);
int		 emu_wire_carrier(struct emu82599 *);
/* The fd that turns readable when the wire has a frame for the NIC, or
 * -1 (the engine sleeps in ppoll() on these). */
int		 emu_wire_pollfd(struct emu82599 *);
/* Wake the engine if it sleeps (emu82599.c). */
void		 emu_engine_kick(void);
int		 emu_wire_rx(struct emu82599 *, uint64_t now);
void		 emu_wire_tx(struct emu82599 *, const uint8_t *, uint32_t);
void		 emu_wire_tx_flush(struct emu82599 *);
void		 emu_wire_slow(struct emu82599 *, uint64_t now);
void		 emu_wire_disconnect(struct emu82599 *);
void		 emu_wire_count(struct emu82599 *, uint64_t *field, uint64_t v);

struct emu_ring	*emu_ring_new(uint32_t slots);
void		 emu_ring_free(struct emu_ring *);
int		 emu_ring_put(struct emu_ring *, const void *, uint32_t);
uint32_t	 emu_ring_get(struct emu_ring *, void *, uint32_t cap);
const uint8_t	*emu_ring_peek(struct emu_ring *, uint32_t *len);
void		 emu_ring_drop(struct emu_ring *);

/*
 * RSS (§7.1.2.8, tested on their own): the Toeplitz hash of in[0..len)
 * under a 40-byte key; and for a frame (no CRC), what MRQC's field
 * selects hash: the hash input (at most 36 bytes) in *in, its length in
 * *inlen, and the RSS type (EMU_RSSTYPE_*, NONE: no hash).
 */
uint32_t	 emu_rss_hash(const uint8_t key[EMU_RSS_KEY_LEN],
		    const uint8_t *in, uint32_t len);
uint32_t	 emu_rss_input(const uint8_t *f, uint32_t len, uint32_t mrqc,
		    uint8_t in[36], uint32_t *inlen);

/* Checksums and segmentation (tested on their own). */
uint32_t	 emu_csum_add(uint32_t sum, const void *, size_t);
uint16_t	 emu_csum_fold(uint32_t sum);
int		 emu_csum_complete(uint8_t *frame, size_t len,
		    uint16_t csum_start, uint16_t csum_offset);
int		 emu_gso_parse(const uint8_t *frame, size_t len,
		    unsigned gso_type, unsigned gso_size, struct emu_gso *);
size_t		 emu_gso_segment(const uint8_t *frame, const struct emu_gso *,
		    uint32_t i, uint8_t *out);

/* Generator frames (tested on their own). */
void		 emu_gen_build(uint8_t *frame, uint16_t size,
		    const uint8_t dst[6], uint32_t stream);
void		 emu_gen_stamp(uint8_t *frame, uint64_t seq);
/* 0: ours and in order; 1: ours, seq ahead by *gap; -1: bad. */
int		 emu_sink_check(const uint8_t *frame, uint32_t len,
		    uint32_t *stream, uint64_t *seq);

#endif /* IXFWD_EMU82599_PRIV_H */
