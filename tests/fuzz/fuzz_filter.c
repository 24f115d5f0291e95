/*
 * fuzz_filter: the filter compiler on any tcpdump expression.
 * filter_bpf_compile never crashes; if libpcap compiles the expression,
 * filter_bpf_compile compiles it too or says why, and then its program
 * (native code and interpreter) gives libpcap's verdict on a few fixed
 * frames.  If libpcap refuses it, so does filter_bpf_compile, with a
 * message.
 */
#include <pcap/pcap.h>

#include "fuzz.h"

#include "filter.h"

#define EXPR_MAX	1024	/* CONF_FILTER_MAX */

static const uint8_t f_tcp[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 192, 168, 1, 2,
	0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff,
	0, 0, 0, 0,
};
static const uint8_t f_vlan_udp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x81, 0,
	0, 100, 0x08, 0x00,
	0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x14, 0xe9, 0, 53, 0, 12, 0, 0, 0x12, 0x34, 0x56, 0x78,
};
static const uint8_t f_ip6_icmp6[] = {
	0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd,
	0x60, 0, 0, 0, 0, 8, 58, 255,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	128, 0, 0, 0, 0, 1, 0, 1,
};
static const uint8_t f_arp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06,
	0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
};
static const uint8_t f_runt[] = { 0x01, 0x02, 0x03, 0x04, 0x05 };

static const struct {
	const uint8_t	*p;
	uint32_t	 len;
} fuzz_frames[] = {
	{ f_tcp, sizeof(f_tcp) },
	{ f_vlan_udp, sizeof(f_vlan_udp) },
	{ f_ip6_icmp6, sizeof(f_ip6_icmp6) },
	{ f_arp, sizeof(f_arp) },
	{ f_runt, sizeof(f_runt) },
	{ f_runt, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char expr[EXPR_MAX], err[512];
	struct bpf_program bp;
	struct pcap_pkthdr h;
	struct filter_bpf *f;
	const uint8_t *g;
	uint32_t want, got, interp;
	size_t i;
	pcap_t *p;
	int ok;

	if (size >= sizeof(expr))
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	if (strlen(expr) != size)
		return 0;	/* a NUL inside: not an expression */

	if ((p = pcap_open_dead(DLT_EN10MB, 65535)) == NULL)
		fuzz_fail("pcap_open_dead");
	ok = pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
	pcap_close(p);
	err[0] = '\0';
	f = filter_bpf_compile(expr, DLT_EN10MB, 65535, err, sizeof(err));
	if (f == NULL) {
		if (err[0] == '\0')
			fuzz_fail("\"%s\" refused without a reason", expr);
		if (ok)
			pcap_freecode(&bp);
		return 0;
	}
	if (!ok)
		fuzz_fail("\"%s\": libpcap refuses it, ixfwd compiled it",
		    expr);
	for (i = 0; i < sizeof(fuzz_frames) / sizeof(fuzz_frames[0]); i++) {
		h.caplen = h.len = fuzz_frames[i].len;
		h.ts.tv_sec = h.ts.tv_usec = 0;
		want = pcap_offline_filter(&bp, &h, fuzz_frames[i].p);
		g = fuzz_guarded(fuzz_frames[i].p, fuzz_frames[i].len);
		got = filter_bpf_run(f, g, fuzz_frames[i].len);
		interp = filter_bpf_interp(f, g, fuzz_frames[i].len);
		if (got != want || interp != want)
			fuzz_fail("\"%s\" on frame %zu: libpcap %u, ixfwd %u "
			    "(%s), interpreter %u", expr, i, want, got,
			    filter_bpf_jitted(f) ? "native" : "interpreted",
			    interp);
	}
	filter_bpf_free(f);
	pcap_freecode(&bp);
	return 0;
}
