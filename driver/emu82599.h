/*
 * emu82599.h: a behavioural model of the Intel 82599, written from the
 * datasheet (rev. 3.3): its BAR0 register file with the side effects of
 * each register, and its descriptor DMA engine.  It is a port backend of
 * the product: ixgbe_open() on emu_bar() runs the same driver code as on
 * a real NIC.
 *
 * Registers are reached through struct bar (bar.h): the accessor calls
 * into the model, which applies side effects at once (clear-on-read
 * statistics, W1C/W1S interrupt registers, CTRL.RST, doorbells).  The DMA
 * engine runs concurrently in one thread for all emulated NICs, as a
 * device does: it takes frames from each NIC's wire into its RX rings and
 * sends what its TX rings hold onto the wire, writing descriptors back
 * (body first, status dword last, with release ordering).  Every address
 * a descriptor carries is checked with dma_iova_to_virt(); a stray one is
 * an IOMMU fault: counted, logged once, and the queue is stopped, never
 * memory scribbled over.
 *
 * The wire of a NIC is one of:
 *   EMU_WIRE_IFACE      a kernel network interface, via AF_PACKET
 *   EMU_WIRE_PEER       a cable to another emulated NIC (emu_connect)
 *   EMU_WIRE_PCAP       frames in from a pcap file, frames out to one
 *   EMU_WIRE_GENERATOR  a traffic generator and sink: numbered frames of
 *                       a given size, as fast as the NIC takes them; what
 *                       comes back is checked
 *   EMU_WIRE_QUEUE      for tests: frames pushed and pulled through
 *                       emu_wire_push()/emu_wire_pull()
 *   EMU_WIRE_NONE       no cable: link stays down
 */
#ifndef IXFWD_EMU82599_H
#define IXFWD_EMU82599_H

#include <net/if.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "bar.h"

enum emu_wire_kind {
	EMU_WIRE_NONE,
	EMU_WIRE_IFACE,
	EMU_WIRE_PEER,
	EMU_WIRE_PCAP,
	EMU_WIRE_GENERATOR,
	EMU_WIRE_QUEUE,
};

/* The longest frame (no CRC; 4 bytes more with an 802.1Q tag) a wire
 * carries: what an 82599 may transmit without TSO (§7.2.1, 15.5 KB).
 * Jumbo frames cross every wire; the receiving NIC's MAXFRS decides. */
#define EMU_WIRE_FRAME_MAX	15872

struct emu_wire_conf {
	enum emu_wire_kind kind;
	char		 iface[IF_NAMESIZE];	/* IFACE */
	char		 pcap_in[PATH_MAX];	/* PCAP: read, "" for none */
	char		 pcap_out[PATH_MAX];	/* PCAP: written, "" for none */
	uint16_t	 gen_size;		/* GENERATOR: frame size 60..1514, no CRC */
	uint64_t	 gen_count;		/* GENERATOR: frames to send, 0 = forever */
	uint64_t	 gen_rate;		/* GENERATOR: frames/s, 0 = as fast as taken */
};

/* What crossed the wire, as the far end of the cable sees it. */
struct emu_wire_stats {
	uint64_t	to_nic;		/* frames offered to the NIC */
	uint64_t	from_nic;	/* frames the NIC sent */
	uint64_t	oversize;	/* frames the wire could not carry (over
					 * EMU_WIRE_FRAME_MAX, 4 more tagged) */
	uint64_t	sink_bad;	/* GENERATOR: frames back that were not ours,
					 * out of order or corrupted */
	uint64_t	wire_errors;	/* failed reads/writes on the wire */
	uint64_t	sink_lost;	/* GENERATOR: frames of ours that never
					 * came back (gaps in a stream) */
};

struct emu82599;

/* A new NIC with its EEPROM MAC address and wire; NULL with the reason
 * logged (e.g. the interface does not exist).  NICs may be created before
 * or after emu_engine_start(). */
struct emu82599 *emu_create(const char *name, const uint8_t mac[6],
		    const struct emu_wire_conf *wire);
/* A cable between two NICs created with EMU_WIRE_PEER. 0 or -1. */
int		 emu_connect(struct emu82599 *a, struct emu82599 *b);
/* The NIC's BAR0 as the driver sees it. */
void		 emu_bar(struct emu82599 *nic, struct bar *bar);
void		 emu_wire_stats(struct emu82599 *nic, struct emu_wire_stats *st);
/* Number of IOMMU faults the NIC has seen (descriptor or buffer address
 * outside DMA memory). */
uint64_t	 emu_iommu_faults(struct emu82599 *nic);
/*
 * Strict mode (on from emu_create; tests never turn it off): every step
 * the silicon needs that the driver gets wrong is a violation, counted
 * here and logged (the first of each rule per NIC) with the rule and the
 * datasheet section.  A test of a working driver asserts 0.
 */
enum emu_rule {
	EMU_RULE_LINK_MODE,	/* AUTOC/AUTOC2 not valid for the media */
	EMU_RULE_MASTER_DISABLE, /* reset with GIO master requests pending */
	EMU_RULE_RESET_ACCESS,	/* registers touched during/right after reset */
	EMU_RULE_RDT_EARLY,	/* RDT moved before RXDCTL.ENABLE read back */
	EMU_RULE_TXQ_BEFORE_TE,	/* TXDCTL.ENABLE while DMATXCTL.TE is 0 */
	EMU_RULE_CRC_STRIP,	/* HLREG0.RXCRCSTRP != RDRXCTL.CRCSTRIP */
	EMU_RULE_PB_SIZE,	/* RXPBSIZE/TXPBSIZE/TXPBTHRESH inconsistent */
	EMU_RULE_DCA,		/* DCA_RXCTRL bit 12 or DCA enables set */
	EMU_RULE_NS_DIS,	/* receive enabled without CTRL_EXT.NS_DIS */
	EMU_RULE_SECRX,		/* RXEN set without the security block idle */
	EMU_RULE_DMA,		/* DMA address outside mapped memory */
	EMU_RULE_TX_LEN,	/* TX packet under 17 bytes or over 15.5 KB */
	EMU_RULE_RESERVED,	/* a reserved descriptor field set */
	EMU_RULE_RING,		/* ring base/length misaligned, queue on empty */
	EMU_RULE_QSM,		/* RQSMR/TQSM reserved bits set */
	EMU_RULE_TX_RING_LIVE,	/* TDBAL/TDBAH/TDLEN/TDH written while the
				 * TX queue is enabled */
	EMU_RULE_RX_RING_LIVE,	/* RDBAL/RDBAH/RDLEN/RDH written while the
				 * RX queue is enabled */
	EMU_RULE_COUNT
};

uint64_t	 emu_violations(struct emu82599 *nic);
uint64_t	 emu_rule_violations(struct emu82599 *nic, enum emu_rule rule);
const char	*emu_rule_name(enum emu_rule rule);
const char	*emu_rule_section(enum emu_rule rule);
/* The explicit opt-out (0): nothing is counted or logged any more.  The
 * model's behaviour (what the silicon does) stays the same either way. */
void		 emu_set_strict(struct emu82599 *nic, int on);

/*
 * The PCI device ID the model presents (before the driver opens it;
 * default 0x10FB, 82599ES SFP+).  It sets the port's media, hence which
 * AUTOC/AUTOC2 link modes bring the link up (§4.6.4) and the values the
 * EEPROM loads into them at reset.  0, or -1 for an ID the model does not
 * know.
 */
int		 emu_set_device_id(struct emu82599 *nic, uint16_t device_id);
uint16_t	 emu_device_id(struct emu82599 *nic);

/* Set the link as the far end would (cable pulled: 0; plugged: 1). */
void		 emu_set_carrier(struct emu82599 *nic, int up);

/*
 * Faults, for tests, each as the silicon shows it to a driver (applied
 * by the engine in its next pass over the NIC; each is logged):
 *   "link down", "link up"  carrier lost / back (emu_set_carrier)
 *   "runt [N]"       N frames of 40 bytes arrive: RUC, dropped
 *   "oversize [N]"   N frames 100 bytes over the size limit (MAXFRS
 *                    with JUMBOEN, else 1518): ROC, dropped
 *   "bad_crc [N]"    N frames with a bad FCS: CRCERRS; dropped by the
 *                    MAC, or with FCTRL.SBP stored with RXE set in the
 *                    write-back (§8.2.3.7.1, §7.1.6.2)
 *   "rx_burst N"     GENERATOR wire: N frames in one pass, not flow
 *                    controlled: more than the ring holds are missed
 *   "tx_hang Q"      TX queue Q stops: no descriptor fetched or written
 *                    back, TDH stays, until the queue is disabled
 *                    (TXDCTL.ENABLE cleared, and the disable done)
 *   "tx_no_disable Q [off]"  TX queue Q cannot be stopped: a cleared
 *                    TXDCTL.ENABLE never takes effect and reads 1 (with
 *                    tx_hang, a queue no reset brings back); "off": the
 *                    pending disable completes again.  A global reset
 *                    (CTRL.RST) ends both.
 *   "remove"         surprise removal: register reads return all ones,
 *                    writes are lost, no DMA; for good
 * N is 1 by default, at most 100000.  0, or -1 for a fault the model
 * does not know.  A DMA address outside mapped memory needs no fault:
 * the model reports it (emu_iommu_faults(), a strict violation).
 *
 * In a running ixfwd: with IXFWD_EMU_FAULTS=PATH the engine looks for
 * PATH every 100 ms, takes it (renamed to PATH.taken), applies each
 * line "NIC FAULT" (NIC: the port name) and removes it.  Write the
 * file elsewhere and rename it into place.
 */
int		 emu_fault(struct emu82599 *nic, const char *fault);
/* Destroy; the engine must not be using it (stop it first, or the NIC
 * must be disabled by the driver). */
void		 emu_destroy(struct emu82599 *nic);

/* EMU_WIRE_QUEUE, for tests: put a frame on the wire towards the NIC
 * (0, or -1 when the wire's queue is full), and take one the NIC sent
 * (its length, or 0 when none is waiting). */
int		 emu_wire_push(struct emu82599 *nic, const void *frame, size_t len);
/* (A frame the wire cannot carry, over EMU_WIRE_FRAME_MAX bytes or 4
 * more with an 802.1Q tag, is refused with -1 and counted in oversize; one shorter
 * than 60 bytes is padded, as the sender's MAC would.  A frame longer
 * than cap is cut to cap bytes.) */
size_t		 emu_wire_pull(struct emu82599 *nic, void *frame, size_t cap);

/*
 * The PCI side of the model (emu82599_vfio.c).  A NIC has a small type 0
 * config space; its command register gates DMA: with bus mastering off
 * the engine does nothing.  Tests can have the model record, in order,
 * what a NIC was told: resets, bus mastering on and off, and the IOMMU
 * mappings made for it through the emulated VFIO, into a record they
 * provide (shared memory survives a crashing child).
 */
#define EMU_PCI_COMMAND_MEMORY	(1u << 1)
#define EMU_PCI_COMMAND_MASTER	(1u << 2)

enum emu_event_kind {
	EMU_EV_RESET = 1,	/* CTRL.RST written */
	EMU_EV_MASTER_ON,	/* bus mastering turned on */
	EMU_EV_MASTER_OFF,	/* and off */
	EMU_EV_MAP,		/* VFIO_IOMMU_MAP_DMA */
	EMU_EV_UNMAP,		/* VFIO_IOMMU_UNMAP_DMA */
};

struct emu_event {
	uint32_t	 kind;
	char		 nic[20];		/* NIC name; "" for the container */
	uint64_t	 unmap_gen;		/* dma_unmap_gen at the time */
	uint64_t	 alloc_gen;		/* dma_alloc_gen at the time */
	uint64_t	 iova;
	uint64_t	 len;
};

struct emu_events {
	uint32_t	 n;			/* events recorded (atomic) */
	uint32_t	 cap;			/* room in ev[] */
	struct emu_event ev[];
};

/*
 * The emulated VFIO: put nic behind it as PCI device bdf in IOMMU group
 * group (0 or -1); then vfio_open(bdf, group, &emu_vfio_ops, NULL, bar)
 * takes it as it would a real NIC bound to vfio-pci, and from then on
 * the NIC reaches only what was mapped into its container.
 */
struct vfio_ops;
extern const struct vfio_ops emu_vfio_ops;
int		 emu_vfio_add(struct emu82599 *nic, const char *bdf, int group);
void		 emu_vfio_remove(struct emu82599 *nic);

/* Record into log from now on (NULL: stop recording). */
void		 emu_events_attach(struct emu_events *log);
/* The PCI command register as the NIC sees it. */
uint16_t	 emu_pci_command(struct emu82599 *nic);

/* The DMA engine thread, pinned to cpu (-1: not pinned).  0 or -1. */
int		 emu_engine_start(int cpu);
void		 emu_engine_stop(void);

#endif /* IXFWD_EMU82599_H */
