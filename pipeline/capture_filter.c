/*
 * capture_filter.c: a capture's filter, in tcpdump syntax, compiled by
 * libpcap for Ethernet and run by libpcap's BPF interpreter.
 *
 * The compiled program is read-only once built, so every worker runs the
 * same one without locks; pcap_offline_filter() neither allocates nor
 * makes a syscall.  Everything else calls capture_filter_match() only, so
 * a faster engine can take the interpreter's place here alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <pcap/pcap.h>

#include "capture.h"

struct capture_filter {
	struct bpf_program prog;
};

struct capture_filter *
capture_filter_compile(const char *expr, char *err, size_t errlen)
{
	struct capture_filter *f;
	pcap_t *p;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((p = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN_MAX)) == NULL) {
		snprintf(err, errlen, "pcap_open_dead failed");
		free(f);
		return NULL;
	}
	if (pcap_compile(p, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		strlcpy(err, pcap_geterr(p), errlen);
		pcap_close(p);
		free(f);
		return NULL;
	}
	pcap_close(p);
	return f;
}

/* Whole packets: the filter sees len bytes whatever the snaplen. */
int
capture_filter_match(const struct capture_filter *f, const uint8_t *pkt,
    uint32_t len)
{
	struct pcap_pkthdr h = { .caplen = len, .len = len };

	return pcap_offline_filter(&f->prog, &h, pkt) != 0;
}

void
capture_filter_free(struct capture_filter *f)
{
	if (f == NULL)
		return;
	pcap_freecode(&f->prog);
	free(f);
}
