/*
 * emu82599_wire.c: what is at the other end of an emulated 82599's
 * cable.  A wire carries what a 10GBASE cable carries: Ethernet frames of
 * 60 to EMU_WIRE_FRAME_MAX bytes (jumbo frames included: the receiving
 * NIC's MAXFRS decides; 4 more with an 802.1Q tag), CRC not shown, complete
 * checksums, no segmentation offload.  Each wire kind turns its source
 * into such frames:
 *
 *   IFACE      AF_PACKET on a kernel interface.  The kernel may hand over
 *              TSO/GSO super-frames and frames whose checksum is left to
 *              hardware; with PACKET_VNET_HDR both are recognised, the
 *              checksums completed and TCP (and UDP GSO) frames cut into
 *              segments, as the sending NIC would have done.
 *   PEER       a cable to another emulated NIC: an SPSC ring each way.
 *   PCAP       frames from a file (as fast as the NIC takes them), frames
 *              to a file.
 *   GENERATOR  numbered frames as fast as the NIC takes them (or at a
 *              rate); what the NIC sends is checked.
 *   QUEUE      for tests, emu_wire_push()/emu_wire_pull().
 *
 * Everything here runs on the engine thread under the NIC's lock, except
 * emu_wire_push/pull (the far end of the QUEUE rings) and open/close.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <bsd/string.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu82599.h"
#include "emu82599_priv.h"
#include "log.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

#define EMU_GEN_ETHERTYPE	0x88b5		/* IEEE local experimental */
#define EMU_GEN_MAGIC		0x4958474eu	/* "IXGN" */
#define EMU_GEN_HDR		32		/* bytes before the pattern */

struct emu_cable {
	struct emu_ring	*ab;
	struct emu_ring	*ba;
};

struct emu_iface {
	int		 fd;
	int		 ifindex;
	char		 ifname[IF_NAMESIZE];
	/* offloads turned off at open, turned back on at close */
	uint32_t	 undo_cmd[8];
	uint32_t	 undo_val[8];
	int		 nundo;
	/* a batch read with recvmmsg, and where its processing stands */
	struct mmsghdr	 msg[EMU_IFACE_BATCH];
	struct iovec	 iov[EMU_IFACE_BATCH][2];
	struct virtio_net_hdr vh[EMU_IFACE_BATCH];
	struct sockaddr_ll sll[EMU_IFACE_BATCH];
	union {
		char		 buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct cmsghdr	 align;
	}		 cmsg[EMU_IFACE_BATCH];
	uint8_t		*buf;		/* EMU_IFACE_BATCH * EMU_GSO_BUF */
	int		 n;		/* frames in the batch */
	int		 i;		/* next frame */
	int		 prepped;	/* frame i looked at */
	uint8_t		*cur;		/* frame i, after its 4 bytes headroom */
	uint32_t	 curlen;
	uint32_t	 vlan;		/* tag to put back: tpid << 16 | tci, 0 none */
	int		 gso;
	struct emu_gso	 g;
	uint32_t	 seg;		/* next segment of a GSO frame */
	uint8_t		 segbuf[EMU_VLAN_LEN + EMU_GSO_BUF] __attribute__((aligned(64)));
	/* frames to send at the end of the queue's pass */
	struct mmsghdr	 tmsg[EMU_TX_BATCH];
	struct iovec	 tiov[EMU_TX_BATCH][2];
	int		 nt;
};

struct emu_pcap {
	pcap_t		*in;
	pcap_t		*dead;
	pcap_dumper_t	*out;
	const uint8_t	*pend;		/* frame read, not yet taken */
	uint32_t	 pendlen;
	unsigned	 ticks;
	uint8_t		 pad[EMU_FRAME_MIN];
};

#define EMU_GEN_SLOT	128	/* frames up to this size are stamped a pass ahead */

struct emu_gen {
	uint8_t		 frame[EMU_GEN_MAX] __attribute__((aligned(64)));
	uint8_t		 slot[EMU_BATCH][EMU_GEN_SLOT] __attribute__((aligned(64)));
	uint16_t	 size;
	uint32_t	 stream;
	uint64_t	 seq;		/* the next one to send */
	uint64_t	 count;		/* 0: forever */
	uint64_t	 rate;		/* frames/s, 0: as fast as taken */
	double		 next_ns;
	double		 interval_ns;
	uint64_t	 expect[EMU_MAX_STREAMS];	/* sink: next seq per stream */
};

static uint64_t emu_streams;		/* generator stream ids in use */
static uint8_t emu_pattern[EMU_GEN_MAX];
static pthread_once_t emu_pattern_once = PTHREAD_ONCE_INIT;
static const struct virtio_net_hdr emu_vh_zero;

/* ------------------------------------------------------------------ */
/* Byte helpers                                                       */

static inline uint16_t
emu_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
emu_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
emu_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
emu_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
emu_wire_count(struct emu82599 *nic, uint64_t *field, uint64_t v)
{
	(void)nic;
	__atomic_fetch_add(field, v, __ATOMIC_RELAXED);
}

/* A frame a cable can carry: at most EMU_WIRE_MAX bytes, 4 more with a
 * VLAN tag. */
static inline int
emu_wire_fits(const uint8_t *f, uint32_t len)
{
	if (len <= EMU_WIRE_MAX)
		return 1;
	return len <= EMU_WIRE_MAX + EMU_VLAN_LEN && f[12] == 0x81 &&
	    f[13] == 0x00;
}

static void
emu_oversize(struct emu82599 *nic, uint32_t len, const char *hint)
{
	emu_wire_count(nic, &nic->wst.oversize, 1);
	if (emu_warn_once(nic, EMU_W_OVERSIZE))
		log_warnx("emu82599 %s: a %u-byte frame is longer than the "
		    "wire carries (%u bytes without CRC): dropped and "
		    "counted as oversize (logged once)%s", nic->name, len,
		    EMU_WIRE_MAX, hint);
}

/* ------------------------------------------------------------------ */
/* Internet checksums (RFC 1071) and segmentation                     */

/* Add the 16-bit big-endian words of buf to sum (only the last piece of
 * a checksummed range may have an odd length). */
uint32_t
emu_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t acc = 0;
	uint32_t w;
	uint16_t h;

	while (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len)
		acc += *p;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	/* A sum of little-endian words is the byte-swapped sum of the
	 * big-endian ones. */
	acc = (uint16_t)(acc << 8 | acc >> 8);
#else
	if (len)
		acc += (uint32_t)*p << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
#endif
	sum += (uint32_t)acc;
	if (sum < acc)
		sum++;
	return sum;
}

/* The checksum field's value for a sum: folded, complemented. */
uint16_t
emu_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Complete a checksum the sender left to hardware (virtio NEEDS_CSUM,
 * the kernel's CHECKSUM_PARTIAL): the field at csum_start + csum_offset
 * holds the pseudo-header sum; the checksum covers csum_start to the
 * end.  0, or -1 if the offsets are outside the frame. */
int
emu_csum_complete(uint8_t *frame, size_t len, uint16_t csum_start,
    uint16_t csum_offset)
{
	uint16_t c;

	if ((size_t)csum_start + csum_offset + 2 > len)
		return -1;
	c = emu_csum_fold(emu_csum_add(0, frame + csum_start,
	    len - csum_start));
	if (c == 0 && csum_offset == 6)
		c = 0xffff;		/* UDP: 0 means "no checksum" */
	emu_put16(frame + csum_start + csum_offset, c);
	return 0;
}

/* Parse a GSO frame (virtio gso_type/gso_size): TCP over IPv4 or IPv6,
 * or UDP (GSO_UDP_L4), Ethernet with at most one VLAN tag, no IPv6
 * extension headers.  0, or -1 if it is not one the model can cut. */
int
emu_gso_parse(const uint8_t *f, size_t len, unsigned gso_type,
    unsigned gso_size, struct emu_gso *g)
{
	unsigned type = gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t l3 = 14, proto, ihl;
	uint16_t et;

	memset(g, 0, sizeof(*g));
	if (len < 14 || gso_size == 0)
		return -1;
	et = emu_be16(f + 12);
	if (et == 0x8100 && len >= 18) {
		l3 = 18;
		et = emu_be16(f + 16);
	}
	if (et == 0x0800) {
		if (len < l3 + 20 || (f[l3] >> 4) != 4)
			return -1;
		ihl = (f[l3] & 0xfu) * 4;
		if (ihl < 20 || len < l3 + ihl)
			return -1;
		proto = f[l3 + 9];
		g->l4 = l3 + ihl;
	} else if (et == 0x86dd) {
		if (len < l3 + 40 || (f[l3] >> 4) != 6)
			return -1;
		proto = f[l3 + 6];
		g->l4 = l3 + 40;
		g->v6 = 1;
	} else
		return -1;
	g->l3 = l3;
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (proto != 6 || g->v6 != (type == VIRTIO_NET_HDR_GSO_TCPV6) ||
		    len < g->l4 + 20)
			return -1;
		g->hdrlen = g->l4 + (f[g->l4 + 12] >> 4) * 4u;
		if (g->hdrlen < g->l4 + 20)
			return -1;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (proto != 17)
			return -1;
		g->udp = 1;
		g->hdrlen = g->l4 + 8;
		break;
	default:
		return -1;	/* UFO (IP fragmentation) and others */
	}
	if (len < g->hdrlen)
		return -1;
	g->paylen = (uint32_t)len - g->hdrlen;
	g->mss = gso_size;
	g->nsegs = g->paylen ? (g->paylen + g->mss - 1) / g->mss : 1;
	return 0;
}

/*
 * Segment i of a parsed GSO frame into out (hdrlen + mss bytes of room),
 * as a TSO engine builds it (§7.2.4 describes the 82599's own): headers
 * copied; IPv4 total length, identification (+i) and header checksum,
 * or IPv6 payload length; TCP sequence number (+ i * mss), FIN and PSH
 * only on the last segment, CWR only on the first; UDP length; and the
 * L4 checksum computed over the pseudo-header.  Returns the length.
 */
size_t
emu_gso_segment(const uint8_t *f, const struct emu_gso *g, uint32_t i,
    uint8_t *out)
{
	uint8_t ph[40];
	uint8_t *ip = out + g->l3, *th = out + g->l4;
	uint32_t off = i * g->mss;
	uint32_t n = g->paylen - off < g->mss ? g->paylen - off : g->mss;
	uint32_t l4len = g->hdrlen - g->l4 + n, sum;
	uint16_t c;
	size_t phlen;

	memcpy(out, f, g->hdrlen);
	memcpy(out + g->hdrlen, f + g->hdrlen + off, n);
	if (!g->v6) {
		uint32_t ihl = g->l4 - g->l3;

		emu_put16(ip + 2, (uint16_t)(ihl + l4len));
		emu_put16(ip + 4, (uint16_t)(emu_be16(f + g->l3 + 4) + i));
		ip[10] = ip[11] = 0;
		emu_put16(ip + 10, emu_csum_fold(emu_csum_add(0, ip, ihl)));
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = ip[9];
		emu_put16(ph + 10, (uint16_t)l4len);
		phlen = 12;
	} else {
		emu_put16(ip + 4, (uint16_t)l4len);
		memcpy(ph, ip + 8, 32);
		emu_put32(ph + 32, l4len);
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = ip[6];
		phlen = 40;
	}
	if (!g->udp) {
		uint8_t fl = th[13];

		emu_put32(th + 4, emu_be32(f + g->l4 + 4) + off);
		if (i + 1 < g->nsegs)
			fl &= (uint8_t)~0x09;		/* FIN, PSH */
		if (i > 0)
			fl &= (uint8_t)~0x80;		/* CWR */
		th[13] = fl;
		th[16] = th[17] = 0;
	} else {
		emu_put16(th + 4, (uint16_t)l4len);
		th[6] = th[7] = 0;
	}
	sum = emu_csum_add(0, ph, phlen);
	sum = emu_csum_add(sum, th, l4len);
	c = emu_csum_fold(sum);
	if (g->udp && c == 0)
		c = 0xffff;
	emu_put16(th + (g->udp ? 6 : 16), c);
	return g->hdrlen + n;
}

/* ------------------------------------------------------------------ */
/* SPSC frame rings                                                   */

struct emu_ring *
emu_ring_new(uint32_t slots)
{
	struct emu_ring *r;

	if ((r = emu_zalloc(sizeof(*r))) == NULL)
		return NULL;
	r->mask = slots - 1;
	if ((r->slots = malloc((size_t)slots * EMU_SLOT_SIZE)) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
emu_ring_free(struct emu_ring *r)
{
	if (r == NULL)
		return;
	free(r->slots);
	free(r);
}

int
emu_ring_put(struct emu_ring *r, const void *p, uint32_t len)
{
	uint32_t t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint8_t *s;

	if (t - h > r->mask || len > EMU_SLOT_SIZE - 4)
		return -1;
	s = r->slots + (size_t)(t & r->mask) * EMU_SLOT_SIZE;
	memcpy(s, &len, 4);
	memcpy(s + 4, p, len);
	__atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
	return 0;
}

const uint8_t *
emu_ring_peek(struct emu_ring *r, uint32_t *len)
{
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint32_t t = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	const uint8_t *s;

	if (h == t)
		return NULL;
	s = r->slots + (size_t)(h & r->mask) * EMU_SLOT_SIZE;
	memcpy(len, s, 4);
	return s + 4;
}

void
emu_ring_drop(struct emu_ring *r)
{
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
}

uint32_t
emu_ring_get(struct emu_ring *r, void *buf, uint32_t cap)
{
	const uint8_t *p;
	uint32_t len;

	if ((p = emu_ring_peek(r, &len)) == NULL)
		return 0;
	if (len > cap)
		len = cap;
	memcpy(buf, p, len);
	emu_ring_drop(r);
	return len;
}

/* ------------------------------------------------------------------ */
/* Frames from outside: padded as the sender's MAC pads                */

/* Offer a frame from a wire whose sender pads short frames. */
static int
emu_offer(struct emu82599 *nic, const uint8_t *f, uint32_t len, int fc,
    uint8_t *padbuf)
{
	int r;

	if (len < EMU_FRAME_MIN) {
		if (len == 0)
			return EMU_RX_DROPPED;
		memcpy(padbuf, f, len);
		memset(padbuf + len, 0, EMU_FRAME_MIN - len);
		f = padbuf;
		len = EMU_FRAME_MIN;
	}
	r = emu_rx_frame(nic, f, len, fc);
	if (r != EMU_RX_NOROOM)
		nic->wacc_to++;
	return r;
}

/* ------------------------------------------------------------------ */
/* IFACE                                                              */

/*
 * The kernel interface carries only what a cable carries: turn off the
 * offloads that make the kernel build or expect super-frames and partial
 * checksums on it.  Frames from the far end of a veth may still arrive
 * that way (its own TSO); those are completed and segmented on receipt.
 */
static void
emu_iface_offloads(struct emu82599 *nic, struct emu_iface *ic)
{
	const char *ifname = ic->ifname;
	int fd = ic->fd;
	static const struct {
		uint32_t	 get, set;
		const char	*name;
	} feat[] = {
		{ ETHTOOL_GGRO, ETHTOOL_SGRO, "gro" },
		{ ETHTOOL_GTSO, ETHTOOL_STSO, "tso" },
		{ ETHTOOL_GGSO, ETHTOOL_SGSO, "gso" },
		{ ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM, "tx-checksumming" },
		{ ETHTOOL_GRXCSUM, ETHTOOL_SRXCSUM, "rx-checksumming" },
	};
	struct ethtool_value ev;
	struct ifreq ifr;
	char done[128] = "", failed[128] = "";
	size_t i;

	for (i = 0; i < sizeof(feat) / sizeof(feat[0]) + 1; i++) {
		const char *name = i < sizeof(feat) / sizeof(feat[0]) ?
		    feat[i].name : "lro";
		uint32_t was;

		memset(&ifr, 0, sizeof(ifr));
		strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
		ifr.ifr_data = (void *)&ev;
		ev.cmd = i < sizeof(feat) / sizeof(feat[0]) ? feat[i].get :
		    ETHTOOL_GFLAGS;
		ev.data = 0;
		if (ioctl(fd, SIOCETHTOOL, &ifr) == -1)
			continue;
		was = ev.data;
		if (i < sizeof(feat) / sizeof(feat[0])) {
			if (ev.data == 0)
				continue;
			ev.cmd = feat[i].set;
			ev.data = 0;
		} else {
			if (!(ev.data & ETH_FLAG_LRO))
				continue;
			ev.cmd = ETHTOOL_SFLAGS;
			ev.data &= ~(uint32_t)ETH_FLAG_LRO;
		}
		if (ioctl(fd, SIOCETHTOOL, &ifr) == -1) {
			strlcat(failed, " ", sizeof(failed));
			strlcat(failed, name, sizeof(failed));
		} else {
			strlcat(done, " ", sizeof(done));
			strlcat(done, name, sizeof(done));
			if (ic->nundo < (int)(sizeof(ic->undo_cmd) /
			    sizeof(ic->undo_cmd[0]))) {
				ic->undo_cmd[ic->nundo] = ev.cmd;
				ic->undo_val[ic->nundo++] = was;
			}
		}
	}
	if (done[0] != '\0')
		log_info("emu82599 %s: turned off on %s, a cable carries no "
		    "offloads:%s", nic->name, ifname, done);
	if (failed[0] != '\0')
		log_info("emu82599 %s: could not turn off on %s:%s (frames "
		    "are segmented and checksummed in software instead)",
		    nic->name, ifname, failed);
}

static int
emu_iface_running(int fd, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		return 0;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) ==
	    (IFF_UP | IFF_RUNNING);
}

static int
emu_iface_open(struct emu82599 *nic, const char *ifname)
{
	struct emu_iface *ic;
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	int one = 1, sz = 4 << 20, i;

	if ((ic = emu_zalloc(sizeof(*ic))) == NULL) {
		log_warn("emu82599 %s", nic->name);
		return -1;
	}
	ic->fd = -1;
	strlcpy(ic->ifname, ifname, sizeof(ic->ifname));
	if ((ic->ifindex = (int)if_nametoindex(ifname)) == 0) {
		log_warnx("emu82599 %s: no network interface \"%s\" for the "
		    "wire", nic->name, ifname);
		goto fail;
	}
	if ((ic->buf = malloc((size_t)EMU_IFACE_BATCH * EMU_GSO_BUF)) == NULL) {
		log_warn("emu82599 %s", nic->name);
		goto fail;
	}
	/* Protocol 0 until bound: nothing queues from other interfaces. */
	if ((ic->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("emu82599 %s: AF_PACKET socket for %s (needs "
		    "CAP_NET_RAW)", nic->name, ifname);
		goto fail;
	}
	if (setsockopt(ic->fd, SOL_PACKET, PACKET_VNET_HDR, &one,
	    sizeof(one)) == -1 ||
	    setsockopt(ic->fd, SOL_PACKET, PACKET_AUXDATA, &one,
	    sizeof(one)) == -1) {
		log_warn("emu82599 %s: PACKET_VNET_HDR/PACKET_AUXDATA on %s",
		    nic->name, ifname);
		goto fail;
	}
	/* Our own transmissions are not for us (also filtered by
	 * sll_pkttype, for kernels without this option). */
	(void)setsockopt(ic->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one));
	/* The receive buffer holds what the NIC's packet buffer and the
	 * far end's queue would; a GSO super-frame takes a lot of it. */
	if (setsockopt(ic->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
	    sizeof(sz)) == -1)
		(void)setsockopt(ic->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(ic->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz,
	    sizeof(sz)) == -1)
		(void)setsockopt(ic->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ic->ifindex;
	if (bind(ic->fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		log_warn("emu82599 %s: bind to %s", nic->name, ifname);
		goto fail;
	}
	/* A NIC under a driver in promiscuous mode must see every frame
	 * on its cable: so must the socket. */
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ic->ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(ic->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1) {
		log_warn("emu82599 %s: promiscuous mode on %s", nic->name,
		    ifname);
		goto fail;
	}
	emu_iface_offloads(nic, ic);

	for (i = 0; i < EMU_IFACE_BATCH; i++) {
		ic->iov[i][0].iov_base = &ic->vh[i];
		ic->iov[i][0].iov_len = sizeof(ic->vh[i]);
		/* 4 bytes of headroom to put a VLAN tag back */
		ic->iov[i][1].iov_base = ic->buf + (size_t)i * EMU_GSO_BUF +
		    EMU_VLAN_LEN;
		ic->iov[i][1].iov_len = EMU_GSO_BUF - EMU_VLAN_LEN -
		    EMU_FRAME_MIN;
		ic->msg[i].msg_hdr.msg_iov = ic->iov[i];
		ic->msg[i].msg_hdr.msg_iovlen = 2;
		ic->msg[i].msg_hdr.msg_name = &ic->sll[i];
		ic->msg[i].msg_hdr.msg_control = ic->cmsg[i].buf;
	}
	for (i = 0; i < EMU_TX_BATCH; i++) {
		ic->tiov[i][0].iov_base = (void *)&emu_vh_zero;
		ic->tiov[i][0].iov_len = sizeof(emu_vh_zero);
		ic->tmsg[i].msg_hdr.msg_iov = ic->tiov[i];
		ic->tmsg[i].msg_hdr.msg_iovlen = 2;
	}
	nic->ifc = ic;
	nic->iface_running = emu_iface_running(ic->fd, ifname);
	return 0;

fail:
	if (ic->fd != -1)
		close(ic->fd);
	free(ic->buf);
	free(ic);
	return -1;
}

static void
emu_iface_close(struct emu_iface *ic)
{
	struct ethtool_value ev;
	struct ifreq ifr;
	int i;

	if (ic == NULL)
		return;
	/* Give the interface its offloads back, last turned off first
	 * (tx-checksumming before tso, which depends on it). */
	for (i = ic->nundo - 1; i >= 0; i--) {
		memset(&ifr, 0, sizeof(ifr));
		strlcpy(ifr.ifr_name, ic->ifname, sizeof(ifr.ifr_name));
		ifr.ifr_data = (void *)&ev;
		ev.cmd = ic->undo_cmd[i];
		ev.data = ic->undo_val[i];
		(void)ioctl(ic->fd, SIOCETHTOOL, &ifr);
	}
	close(ic->fd);
	free(ic->buf);
	free(ic);
}

static int
emu_iface_recv(struct emu82599 *nic, int want)
{
	struct emu_iface *ic = nic->ifc;
	int i, n;

	for (i = 0; i < want; i++) {
		ic->msg[i].msg_hdr.msg_namelen = sizeof(ic->sll[i]);
		ic->msg[i].msg_hdr.msg_controllen = sizeof(ic->cmsg[i].buf);
		ic->msg[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(ic->fd, ic->msg, (unsigned)want, MSG_DONTWAIT, NULL);
	if (n == -1) {
		/* No frame, or no interface any more (the carrier poll
		 * takes the link down): not a wire error. */
		if (errno != EAGAIN && errno != EINTR && errno != ENETDOWN &&
		    errno != ENODEV && errno != ENXIO) {
			emu_wire_count(nic, &nic->wst.wire_errors, 1);
			if (emu_warn_once(nic, EMU_W_WIRE))
				log_warn("emu82599 %s: receiving from %s",
				    nic->name, ic->ifname);
		}
		n = 0;
	}
	ic->n = n;
	ic->i = 0;
	ic->prepped = 0;
	return n;
}

/* Look at frame ic->i: drop what a cable would not carry, complete a
 * partial checksum, parse a GSO frame.  0, or -1 to skip the frame. */
static int
emu_iface_prep(struct emu82599 *nic)
{
	struct emu_iface *ic = nic->ifc;
	struct mmsghdr *m = &ic->msg[ic->i];
	struct virtio_net_hdr *vh = &ic->vh[ic->i];
	struct cmsghdr *c;
	uint32_t len;

	ic->cur = ic->iov[ic->i][1].iov_base;
	ic->vlan = 0;
	ic->gso = 0;
	ic->seg = 0;
	if (ic->sll[ic->i].sll_pkttype == PACKET_OUTGOING)
		return -1;
	if (m->msg_len < sizeof(*vh))
		return -1;
	len = m->msg_len - (uint32_t)sizeof(*vh);
	if (m->msg_hdr.msg_flags & MSG_TRUNC) {
		emu_oversize(nic, len, "");
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&m->msg_hdr); c != NULL;
	    c = CMSG_NXTHDR(&m->msg_hdr, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET ||
		    c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(aux)))
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		/* The kernel took the 802.1Q tag out of the frame; on the
		 * cable it is inline. */
		if (aux.tp_status & TP_STATUS_VLAN_VALID)
			ic->vlan = (uint32_t)((aux.tp_status &
			    TP_STATUS_VLAN_TPID_VALID) && aux.tp_vlan_tpid ?
			    aux.tp_vlan_tpid : 0x8100) << 16 | aux.tp_vlan_tci;
	}
	ic->curlen = len;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		if (emu_gso_parse(ic->cur, len, vh->gso_type, vh->gso_size,
		    &ic->g) == -1) {
			if (emu_warn_once(nic, EMU_W_GSO))
				log_warnx("emu82599 %s: a %u-byte GSO frame "
				    "(type %u) from %s that the model cannot "
				    "segment: dropped; try: ethtool -K <the "
				    "far end of %s> tso off gso off",
				    nic->name, len, vh->gso_type, ic->ifname,
				    ic->ifname);
			emu_wire_count(nic, &nic->wst.oversize, 1);
			return -1;
		}
		ic->gso = 1;
		return 0;
	}
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    emu_csum_complete(ic->cur, len, vh->csum_start,
	    vh->csum_offset) == -1)
		return -1;
	return 0;
}

/* Offer f (with EMU_VLAN_LEN bytes of headroom before it and
 * EMU_FRAME_MIN bytes of tailroom after it) to the NIC. */
static void
emu_iface_deliver(struct emu82599 *nic, uint8_t *f, uint32_t len,
    uint32_t vlan)
{
	if (vlan != 0 && len >= 12) {
		memmove(f - EMU_VLAN_LEN, f, 12);
		f -= EMU_VLAN_LEN;
		emu_put16(f + 12, (uint16_t)(vlan >> 16));
		emu_put16(f + 14, (uint16_t)vlan);
		len += EMU_VLAN_LEN;
	}
	if (len >= 14 && !emu_wire_fits(f, len)) {
		char hint[96];

		snprintf(hint, sizeof(hint), "; try: ethtool -K <the far end "
		    "of %s> tso off gso off", nic->ifc->ifname);
		emu_oversize(nic, len, hint);
		return;
	}
	if (len == 0)
		return;
	if (len < EMU_FRAME_MIN) {
		/* The sending MAC pads; there is tailroom for it. */
		memset(f + len, 0, EMU_FRAME_MIN - len);
		len = EMU_FRAME_MIN;
	}
	(void)emu_rx_frame(nic, f, len, 0);
	nic->wacc_to++;
}

static void
emu_iface_drain(struct emu82599 *nic)
{
	struct emu_iface *ic = nic->ifc;

	ic->i = ic->n;
	(void)emu_iface_recv(nic, EMU_IFACE_BATCH);
	ic->i = ic->n;
}

/*
 * Frames from the interface.  The socket's receive buffer plays the
 * NIC's packet buffer: while the RX ring has no free descriptor nothing
 * is read, and what the kernel then drops is counted as missed (RXMPC)
 * from PACKET_STATISTICS.  With the link down the cable is dead: what
 * arrives is thrown away.
 */
static int
emu_iface_rx(struct emu82599 *nic)
{
	struct emu_iface *ic = nic->ifc;
	int work = 0, want;

	if (!nic->link_up) {
		emu_iface_drain(nic);
		return 0;
	}
	while (work < EMU_BATCH) {
		if (ic->i >= ic->n) {
			want = EMU_IFACE_BATCH;
			if (nic->rx.on && emu_rx_room(nic) < (uint32_t)want)
				want = (int)emu_rx_room(nic);
			if (want == 0 || emu_iface_recv(nic, want) == 0)
				break;
		}
		if (nic->rx.on && emu_rx_room(nic) == 0)
			break;
		if (!ic->prepped) {
			ic->prepped = 1;
			if (emu_iface_prep(nic) == -1) {
				ic->i++;
				ic->prepped = 0;
				continue;
			}
		}
		if (ic->gso) {
			uint8_t *seg = ic->segbuf + EMU_VLAN_LEN;
			size_t n;

			n = emu_gso_segment(ic->cur, &ic->g, ic->seg, seg);
			emu_iface_deliver(nic, seg, (uint32_t)n, ic->vlan);
			if (++ic->seg < ic->g.nsegs) {
				work++;
				continue;
			}
		} else
			emu_iface_deliver(nic, ic->cur, ic->curlen, ic->vlan);
		ic->i++;
		ic->prepped = 0;
		work++;
	}
	return work;
}

static void
emu_iface_tx(struct emu82599 *nic, const uint8_t *f, uint32_t len)
{
	struct emu_iface *ic = nic->ifc;

	if (ic->nt == EMU_TX_BATCH)
		emu_wire_tx_flush(nic);
	ic->tiov[ic->nt][1].iov_base = (void *)(uintptr_t)f;
	ic->tiov[ic->nt][1].iov_len = len;
	ic->nt++;
}

/* Send the batch.  A cable never pushes back: what the kernel refuses
 * now (EAGAIN, ENOBUFS) is dropped and counted in wire_errors. */
static void
emu_iface_flush(struct emu82599 *nic)
{
	struct emu_iface *ic = nic->ifc;
	int off = 0, r;

	while (off < ic->nt) {
		r = sendmmsg(ic->fd, ic->tmsg + off, (unsigned)(ic->nt - off),
		    MSG_DONTWAIT);
		if (r > 0) {
			off += r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno != EAGAIN && errno != ENOBUFS &&
		    errno != ENETDOWN && emu_warn_once(nic, EMU_W_WIRE))
			log_warn("emu82599 %s: sending on %s", nic->name,
			    ic->ifname);
		/* This frame is lost; the others get their chance. */
		emu_wire_count(nic, &nic->wst.wire_errors, 1);
		off++;
	}
	ic->nt = 0;
}

static void
emu_iface_slow(struct emu82599 *nic)
{
	struct emu_iface *ic = nic->ifc;
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);

	__atomic_store_n(&nic->iface_running,
	    emu_iface_running(ic->fd, ic->ifname), __ATOMIC_RELAXED);
	if (getsockopt(ic->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0 &&
	    st.tp_drops > 0)
		emu_stat_add_atomic(nic, EMU_S_MPC, st.tp_drops);
}

/* ------------------------------------------------------------------ */
/* PCAP                                                               */

static int
emu_pcap_open(struct emu82599 *nic, const struct emu_wire_conf *c)
{
	struct emu_pcap *pc;
	char err[PCAP_ERRBUF_SIZE];

	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		log_warn("emu82599 %s", nic->name);
		return -1;
	}
	if (c->pcap_in[0] != '\0') {
		if ((pc->in = pcap_open_offline(c->pcap_in, err)) == NULL) {
			log_warnx("emu82599 %s: %s", nic->name, err);
			goto fail;
		}
		if (pcap_datalink(pc->in) != DLT_EN10MB) {
			log_warnx("emu82599 %s: %s is not an Ethernet capture "
			    "(link type %s)", nic->name, c->pcap_in,
			    pcap_datalink_val_to_name(pcap_datalink(pc->in)));
			goto fail;
		}
	}
	if (c->pcap_out[0] != '\0') {
		if ((pc->dead = pcap_open_dead(DLT_EN10MB, 65535)) == NULL ||
		    (pc->out = pcap_dump_open(pc->dead, c->pcap_out)) == NULL) {
			log_warnx("emu82599 %s: cannot write %s: %s", nic->name,
			    c->pcap_out, pc->dead != NULL ?
			    pcap_geterr(pc->dead) : "pcap_open_dead failed");
			goto fail;
		}
	}
	nic->pc = pc;
	return 0;

fail:
	if (pc->in != NULL)
		pcap_close(pc->in);
	if (pc->dead != NULL)
		pcap_close(pc->dead);
	free(pc);
	return -1;
}

static void
emu_pcap_close(struct emu_pcap *pc)
{
	if (pc == NULL)
		return;
	if (pc->in != NULL)
		pcap_close(pc->in);
	if (pc->out != NULL)
		pcap_dump_close(pc->out);
	if (pc->dead != NULL)
		pcap_close(pc->dead);
	free(pc);
}

/* The file's frames, once, as fast as the NIC takes them. */
static int
emu_pcap_rx(struct emu82599 *nic)
{
	struct emu_pcap *pc = nic->pc;
	struct pcap_pkthdr *h;
	const u_char *data;
	int work = 0, r;

	if (pc->in == NULL || !nic->link_up)
		return 0;
	while (work < EMU_BATCH) {
		if (pc->pend == NULL) {
			r = pcap_next_ex(pc->in, &h, &data);
			if (r != 1) {
				if (r == PCAP_ERROR)
					log_warnx("emu82599 %s: reading the "
					    "capture: %s", nic->name,
					    pcap_geterr(pc->in));
				pcap_close(pc->in);
				pc->in = NULL;
				break;
			}
			if (!emu_wire_fits(data, h->caplen)) {
				emu_oversize(nic, h->caplen, "");
				continue;
			}
			pc->pend = data;
			pc->pendlen = h->caplen;
		}
		if (emu_offer(nic, pc->pend, pc->pendlen, 1, pc->pad) ==
		    EMU_RX_NOROOM)
			break;
		pc->pend = NULL;
		work++;
	}
	return work;
}

static void
emu_pcap_tx(struct emu82599 *nic, const uint8_t *f, uint32_t len)
{
	struct emu_pcap *pc = nic->pc;
	struct pcap_pkthdr h;

	if (pc->out == NULL)
		return;
	gettimeofday(&h.ts, NULL);
	h.caplen = h.len = len;
	pcap_dump((u_char *)pc->out, &h, f);
}

/* ------------------------------------------------------------------ */
/* GENERATOR and sink                                                 */

static void
emu_pattern_init(void)
{
	uint32_t i;

	for (i = 0; i < EMU_GEN_MAX; i++)
		emu_pattern[i] = (uint8_t)(i * 167u ^ (i >> 7) ^ 0x5a);
}

/*
 * A generator frame:
 *   0  destination MAC (the generating NIC's), 6 source 02:49:58:47:00:<stream>,
 *   12 ethertype 0x88b5, 14 magic "IXGN", 18 stream (be32), 22 size (be16),
 *   24 sequence number (be64), 32.. a fixed pattern (position-dependent).
 */
void
emu_gen_build(uint8_t *f, uint16_t size, const uint8_t dst[6], uint32_t stream)
{
	pthread_once(&emu_pattern_once, emu_pattern_init);
	memcpy(f, emu_pattern, size);
	memcpy(f, dst, 6);
	f[6] = 0x02;
	f[7] = 0x49;
	f[8] = 0x58;
	f[9] = 0x47;
	f[10] = 0x00;
	f[11] = (uint8_t)stream;
	emu_put16(f + 12, EMU_GEN_ETHERTYPE);
	emu_put32(f + 14, EMU_GEN_MAGIC);
	emu_put32(f + 18, stream);
	emu_put16(f + 22, size);
	emu_gen_stamp(f, 0);
}

void
emu_gen_stamp(uint8_t *f, uint64_t seq)
{
	emu_put32(f + 24, (uint32_t)(seq >> 32));
	emu_put32(f + 28, (uint32_t)seq);
}

/* 0 and the frame's stream and sequence number if it is an intact
 * generator frame, -1 if not. */
int
emu_sink_check(const uint8_t *f, uint32_t len, uint32_t *stream,
    uint64_t *seq)
{
	pthread_once(&emu_pattern_once, emu_pattern_init);
	if (len < EMU_GEN_HDR || len > EMU_GEN_MAX ||
	    emu_be16(f + 12) != EMU_GEN_ETHERTYPE ||
	    emu_be32(f + 14) != EMU_GEN_MAGIC ||
	    emu_be16(f + 22) != len ||
	    (*stream = emu_be32(f + 18)) >= EMU_MAX_STREAMS ||
	    memcmp(f + EMU_GEN_HDR, emu_pattern + EMU_GEN_HDR,
	    len - EMU_GEN_HDR) != 0)
		return -1;
	*seq = (uint64_t)emu_be32(f + 24) << 32 | emu_be32(f + 28);
	return 0;
}

static int
emu_gen_open(struct emu82599 *nic, const struct emu_wire_conf *c)
{
	struct emu_gen *g;
	uint64_t used, bit;
	uint32_t s;

	if (c->gen_size < EMU_FRAME_MIN || c->gen_size > EMU_GEN_MAX) {
		log_warnx("emu82599 %s: generator frame size %u is not "
		    "between %u and %u bytes", nic->name, c->gen_size,
		    EMU_FRAME_MIN, EMU_GEN_MAX);
		return -1;
	}
	used = __atomic_load_n(&emu_streams, __ATOMIC_RELAXED);
	do {
		if (~used == 0) {
			log_warnx("emu82599 %s: more than %d traffic "
			    "generators", nic->name, EMU_MAX_STREAMS);
			return -1;
		}
		s = (uint32_t)__builtin_ctzll(~used);
		bit = 1ull << s;
	} while (!__atomic_compare_exchange_n(&emu_streams, &used, used | bit,
	    0, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	if ((g = emu_zalloc(sizeof(*g))) == NULL) {
		__atomic_fetch_and(&emu_streams, ~bit, __ATOMIC_RELAXED);
		log_warn("emu82599 %s", nic->name);
		return -1;
	}
	g->size = c->gen_size;
	g->stream = s;
	g->count = c->gen_count;
	g->rate = c->gen_rate;
	if (g->rate > 0)
		g->interval_ns = 1e9 / (double)g->rate;
	emu_gen_build(g->frame, g->size, nic->mac, s);
	nic->gen = g;
	return 0;
}

static void
emu_gen_close(struct emu_gen *g)
{
	if (g == NULL)
		return;
	__atomic_fetch_and(&emu_streams, ~(1ull << g->stream),
	    __ATOMIC_RELAXED);
	free(g);
}

/* Numbered frames, as fast as the NIC takes them (or gen_rate per
 * second, with bursts of at most EMU_BATCH), until gen_count.  Only the
 * sequence number is written per frame. */
static int
emu_gen_rx(struct emu82599 *nic, uint64_t now)
{
	struct emu_gen *g = nic->gen;
	uint32_t k, nslot = 0;
	int work = 0;

	if (!nic->link_up)
		return 0;
	/* A burst (a fault): frames back to back, more than the RX ring
	 * may hold, not flow controlled: what finds no descriptor is
	 * missed, and the sink sees the gap. */
	if (__builtin_expect(__atomic_load_n(&nic->fault_burst,
	    __ATOMIC_RELAXED) != 0, 0)) {
		uint32_t nb = __atomic_exchange_n(&nic->fault_burst, 0,
		    __ATOMIC_RELAXED);

		nic->rx.burst = 1;
		for (; nb > 0; nb--, work++) {
			emu_gen_stamp(g->frame, g->seq++);
			(void)emu_rx_frame(nic, g->frame, g->size, 0);
			nic->wacc_to++;
		}
		nic->rx.burst = 0;
		return work;
	}
	if (g->rate > 0 && g->next_ns < (double)now - EMU_BATCH * g->interval_ns)
		g->next_ns = (double)now - EMU_BATCH * g->interval_ns;
	/* A generator sending as fast as the NIC takes stamps the pass's
	 * frames first rather than each just before the NIC reads it: a
	 * read of bytes stored a moment earlier waits until those stores
	 * retire, behind every store of the frame before. */
	if (g->size <= EMU_GEN_SLOT && g->rate == 0) {
		nslot = emu_rx_room(nic);
		if (nslot > EMU_BATCH)
			nslot = EMU_BATCH;
		if (g->count != 0 && g->count - g->seq < nslot)
			nslot = (uint32_t)(g->count - g->seq);
		for (k = 0; k < nslot; k++) {
			memcpy(g->slot[k], g->frame, g->size);
			emu_gen_stamp(g->slot[k], g->seq + k);
		}
	}
	while (work < EMU_BATCH) {
		const uint8_t *f;

		if (g->count != 0 && g->seq >= g->count)
			break;
		if (g->rate > 0 && g->next_ns > (double)now)
			break;
		if ((uint32_t)work < nslot)
			f = g->slot[work];
		else {
			emu_gen_stamp(g->frame, g->seq);
			f = g->frame;
		}
		if (emu_rx_frame(nic, f, g->size, 1) == EMU_RX_NOROOM)
			break;
		nic->wacc_to++;
		g->seq++;
		g->next_ns += g->interval_ns;
		work++;
	}
	return work;
}

/* The sink: every frame the NIC sends is checked.  Frames of a stream
 * must come back in order; a gap counts as lost, a step back, a foreign
 * or a damaged frame as bad. */
static void
emu_gen_tx(struct emu82599 *nic, const uint8_t *f, uint32_t len)
{
	struct emu_gen *g = nic->gen;
	uint32_t s;
	uint64_t seq;

	if (emu_sink_check(f, len, &s, &seq) == -1 || seq < g->expect[s]) {
		emu_wire_count(nic, &nic->wst.sink_bad, 1);
		if (emu_warn_once(nic, EMU_W_SINKBAD))
			log_warnx("emu82599 %s: sink: a %u-byte frame back that "
			    "is not the generator's, out of order or corrupted "
			    "(logged once)", nic->name, len);
		return;
	}
	if (seq > g->expect[s])
		emu_wire_count(nic, &nic->wst.sink_lost, seq - g->expect[s]);
	g->expect[s] = seq + 1;
}

/* ------------------------------------------------------------------ */
/* QUEUE and PEER                                                     */

int
emu_wire_push(struct emu82599 *nic, const void *frame, size_t len)
{
	if (nic->kind != EMU_WIRE_QUEUE || len == 0)
		return -1;
	if (len > EMU_WIRE_MAX + EMU_VLAN_LEN ||
	    !emu_wire_fits(frame, (uint32_t)len)) {
		emu_wire_count(nic, &nic->wst.oversize, 1);
		return -1;
	}
	if (emu_ring_put(nic->q_in, frame, (uint32_t)len) == -1)
		return -1;
	/* Wake a sleeping engine now rather than at its next timeout (at
	 * most 10 ms; a kick lost to the race with its going to sleep only
	 * costs that). */
	emu_engine_kick();
	return 0;
}

size_t
emu_wire_pull(struct emu82599 *nic, void *frame, size_t cap)
{
	if (nic->kind != EMU_WIRE_QUEUE)
		return 0;
	return emu_ring_get(nic->q_out, frame,
	    cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap);
}

/* Frames from a ring: QUEUE frames wait while the link is down (the test
 * pushed them for when it is up); on a dead PEER cable they are lost. */
static int
emu_ring_rx(struct emu82599 *nic, struct emu_ring *r, int pad)
{
	uint8_t padbuf[EMU_FRAME_MIN];
	const uint8_t *f;
	uint32_t len;
	int work = 0;

	if (r == NULL)
		return 0;
	if (!nic->link_up) {
		if (!pad)
			while (emu_ring_peek(r, &len) != NULL)
				emu_ring_drop(r);
		return 0;
	}
	while (work < EMU_BATCH && (f = emu_ring_peek(r, &len)) != NULL) {
		if (pad)
			(void)emu_offer(nic, f, len, 0, padbuf);
		else {
			(void)emu_rx_frame(nic, f, len, 0);
			nic->wacc_to++;
		}
		emu_ring_drop(r);
		work++;
	}
	return work;
}

int
emu_connect(struct emu82599 *a, struct emu82599 *b)
{
	struct emu_cable *c;
	struct emu82599 *first, *second;

	if (a == NULL || b == NULL || a == b || a->kind != EMU_WIRE_PEER ||
	    b->kind != EMU_WIRE_PEER) {
		log_warnx("emu82599: a cable joins two different NICs whose "
		    "wire is \"peer\"");
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ab = emu_ring_new(EMU_CABLE_SLOTS)) == NULL ||
	    (c->ba = emu_ring_new(EMU_CABLE_SLOTS)) == NULL) {
		log_warn("emu82599 %s", a->name);
		if (c != NULL) {
			emu_ring_free(c->ab);
			free(c);
		}
		return -1;
	}
	first = a < b ? a : b;
	second = a < b ? b : a;
	pthread_mutex_lock(&first->lock);
	pthread_mutex_lock(&second->lock);
	if (a->peer != NULL || b->peer != NULL) {
		pthread_mutex_unlock(&second->lock);
		pthread_mutex_unlock(&first->lock);
		log_warnx("emu82599: %s or %s is already connected", a->name,
		    b->name);
		emu_ring_free(c->ab);
		emu_ring_free(c->ba);
		free(c);
		return -1;
	}
	a->peer = b;
	b->peer = a;
	a->cable = b->cable = c;
	a->c_out = b->c_in = c->ab;
	b->c_out = a->c_in = c->ba;
	pthread_mutex_unlock(&second->lock);
	pthread_mutex_unlock(&first->lock);
	return 0;
}

void
emu_wire_disconnect(struct emu82599 *nic)
{
	struct emu82599 *p, *first, *second;
	struct emu_cable *c;

	pthread_mutex_lock(&nic->lock);
	p = nic->peer;
	pthread_mutex_unlock(&nic->lock);
	if (p == NULL)
		return;
	first = nic < p ? nic : p;
	second = nic < p ? p : nic;
	pthread_mutex_lock(&first->lock);
	pthread_mutex_lock(&second->lock);
	c = nic->cable;
	nic->peer = p->peer = NULL;
	nic->cable = p->cable = NULL;
	nic->c_in = nic->c_out = p->c_in = p->c_out = NULL;
	pthread_mutex_unlock(&second->lock);
	pthread_mutex_unlock(&first->lock);
	if (c != NULL) {
		emu_ring_free(c->ab);
		emu_ring_free(c->ba);
		free(c);
	}
}

static void
emu_peer_tx(struct emu82599 *nic, const uint8_t *f, uint32_t len)
{
	if (nic->c_out == NULL)
		return;
	/* A full cable: the receiver could not keep up and missed it. */
	if (emu_ring_put(nic->c_out, f, len) == -1)
		emu_stat_add_atomic(nic->peer, EMU_S_MPC, 1);
}

/* ------------------------------------------------------------------ */
/* The wire interface of the NIC                                      */

int
emu_wire_open(struct emu82599 *nic, const struct emu_wire_conf *c)
{
	nic->kind = c->kind;
	switch (c->kind) {
	case EMU_WIRE_NONE:
	case EMU_WIRE_PEER:
		return 0;
	case EMU_WIRE_IFACE:
		return emu_iface_open(nic, c->iface);
	case EMU_WIRE_PCAP:
		return emu_pcap_open(nic, c);
	case EMU_WIRE_GENERATOR:
		return emu_gen_open(nic, c);
	case EMU_WIRE_QUEUE:
		if ((nic->q_in = emu_ring_new(EMU_QUEUE_SLOTS)) == NULL ||
		    (nic->q_out = emu_ring_new(EMU_QUEUE_SLOTS)) == NULL) {
			log_warn("emu82599 %s", nic->name);
			emu_ring_free(nic->q_in);
			nic->q_in = NULL;
			return -1;
		}
		return 0;
	}
	log_warnx("emu82599 %s: unknown wire kind %d", nic->name, c->kind);
	return -1;
}

void
emu_wire_close(struct emu82599 *nic)
{
	emu_iface_close(nic->ifc);
	nic->ifc = NULL;
	emu_pcap_close(nic->pc);
	nic->pc = NULL;
	emu_gen_close(nic->gen);
	nic->gen = NULL;
	emu_ring_free(nic->q_in);
	emu_ring_free(nic->q_out);
	nic->q_in = nic->q_out = NULL;
}

/* Is there a signal on the cable? */
int
emu_wire_pollfd(struct emu82599 *nic)
{
	return nic->kind == EMU_WIRE_IFACE && nic->ifc != NULL ?
	    nic->ifc->fd : -1;
}

int
emu_wire_carrier(struct emu82599 *nic)
{
	struct emu82599 *p;

	switch (nic->kind) {
	case EMU_WIRE_NONE:
		return 0;
	case EMU_WIRE_IFACE:
		return __atomic_load_n(&nic->iface_running, __ATOMIC_RELAXED);
	case EMU_WIRE_PEER:
		/* Both ends reset by a driver, neither cable end pulled. */
		p = nic->peer;
		return p != NULL &&
		    __atomic_load_n(&p->carrier_force, __ATOMIC_RELAXED) != 0 &&
		    __atomic_load_n(&p->initialised, __ATOMIC_RELAXED) &&
		    __atomic_load_n(&nic->initialised, __ATOMIC_RELAXED);
	default:
		return 1;
	}
}

int
emu_wire_rx(struct emu82599 *nic, uint64_t now)
{
	switch (nic->kind) {
	case EMU_WIRE_IFACE:
		return emu_iface_rx(nic);
	case EMU_WIRE_PEER:
		return emu_ring_rx(nic, nic->c_in, 0);
	case EMU_WIRE_PCAP:
		return emu_pcap_rx(nic);
	case EMU_WIRE_GENERATOR:
		return emu_gen_rx(nic, now);
	case EMU_WIRE_QUEUE:
		return emu_ring_rx(nic, nic->q_in, 1);
	default:
		return 0;
	}
}

/* A frame the NIC sent, link up.  It goes on the cable if the cable can
 * carry it. */
void
emu_wire_tx(struct emu82599 *nic, const uint8_t *f, uint32_t len)
{
	nic->wacc_from++;
	if (len >= 14 && !emu_wire_fits(f, len)) {
		emu_oversize(nic, len, "");
		return;
	}
	switch (nic->kind) {
	case EMU_WIRE_IFACE:
		emu_iface_tx(nic, f, len);
		break;
	case EMU_WIRE_PEER:
		emu_peer_tx(nic, f, len);
		break;
	case EMU_WIRE_PCAP:
		emu_pcap_tx(nic, f, len);
		break;
	case EMU_WIRE_GENERATOR:
		emu_gen_tx(nic, f, len);
		break;
	case EMU_WIRE_QUEUE:
		if (emu_ring_put(nic->q_out, f, len) == -1) {
			emu_wire_count(nic, &nic->wst.wire_errors, 1);
			if (emu_warn_once(nic, EMU_W_WIREFULL))
				log_warnx("emu82599 %s: the test wire's queue "
				    "is full (%d frames): frames are dropped",
				    nic->name, EMU_QUEUE_SLOTS);
		}
		break;
	default:
		break;
	}
}

void
emu_wire_tx_flush(struct emu82599 *nic)
{
	if (nic->ifc != NULL && nic->ifc->nt > 0)
		emu_iface_flush(nic);
}

/* Every EMU_SLOW_NS: the interface's carrier and the kernel's drops;
 * the pcap output reaches the file at least once a second. */
void
emu_wire_slow(struct emu82599 *nic, uint64_t now)
{
	(void)now;
	if (nic->ifc != NULL)
		emu_iface_slow(nic);
	if (nic->pc != NULL && nic->pc->out != NULL &&
	    ++nic->pc->ticks % 100 == 0)
		pcap_dump_flush(nic->pc->out);
}
