/*
 * pipelinerig.h: the rig of the tests that run the pipeline on emulated
 * NICs with pcap wires.  A scratch directory per binary (rig_begin,
 * rig_end), configurations written there and loaded (rig_load), the
 * pipeline created, its links waited for and its workers started
 * (rig_start, rig_go), waits on a port's counters, and frames written to
 * and read from the pcap files the wires read and write.
 *
 * struct frame holds FRAME_MAX bytes: 1600 unless the test defines
 * FRAME_MAX before it includes this.
 */
#ifndef IXFWD_TEST_PIPELINERIG_H
#define IXFWD_TEST_PIPELINERIG_H

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "hugepages.h"
#include "pipeline.h"
#include "t.h"

#ifndef FRAME_MAX
#define FRAME_MAX	1600
#endif

struct frame {
	uint8_t		b[FRAME_MAX];
	uint32_t	len;
};

static char	rig_dir[64];

/* dir/name in the array buf. */
#define RIG_PATH(buf, name)						\
	snprintf((buf), sizeof(buf), "%s/%s", rig_dir, (name))

/* Hugepages and the scratch directory /tmp/ixfwd-test-<name>.XXXXXX, or
 * the binary ends here: without hugepages with a SKIP line and 0, without
 * the directory with 1. */
static void __attribute__((unused))
rig_begin(const char *name)
{
	if (!t_hugepages(64)) {
		printf("SKIP: %s: no 2 MiB hugepages and not root to reserve "
		    "them\n", name);
		exit(0);
	}
	snprintf(rig_dir, sizeof(rig_dir), "/tmp/ixfwd-test-%s.XXXXXX", name);
	if (mkdtemp(rig_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

/* The binary's exit status (t_done()); the directory is removed when
 * every test passed, and kept to look into when one failed. */
static int __attribute__((unused))
rig_end(void)
{
	char cmd[128];
	int rc = t_done();

	if (rc == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", rig_dir);
		if (system(cmd) != 0)
			printf("  could not remove %s\n", rig_dir);
	}
	return rc;
}

/* Write yaml to path and load it into c; 0 or -1. */
static int __attribute__((unused))
rig_conf_load(const char *path, const char *yaml, struct conf *c)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(yaml, f);
	fclose(f);
	return conf_load(path, c, stdout);
}

/* The same in the scratch directory, as the file name. */
static int __attribute__((unused))
rig_load(const char *yaml, const char *name, struct conf *c)
{
	char path[256];

	RIG_PATH(path, name);
	return rig_conf_load(path, yaml, c);
}

/* Wait for the links (2 s at most) and start the workers; 0, or -1 with
 * the pipeline destroyed. */
static int __attribute__((unused))
rig_go(struct pipeline *pl)
{
	pipe_wait_links(pl, 2000);
	if (pipe_start(pl) == -1) {
		pipe_destroy(pl);
		return -1;
	}
	return 0;
}

/* Load yaml (as ixfwd.yaml) into c, create the pipeline and rig_go() it;
 * NULL if any of that failed. */
static __attribute__((unused)) struct pipeline *
rig_start(const char *yaml, struct conf *c)
{
	struct pipeline *pl;

	if (rig_load(yaml, "ixfwd.yaml", c) != 0)
		return NULL;
	if ((pl = pipe_create(c)) == NULL)
		return NULL;
	return rig_go(pl) == 0 ? pl : NULL;
}

/* Report port idx in r every 10 ms until cond holds, 10 s at most. */
#define RIG_REPORT_UNTIL(pl, idx, r, cond) do {				\
	struct timespec ts_ = { 0, 10 * 1000 * 1000 };			\
	int i_;								\
									\
	for (i_ = 0; i_ < 1000; i_++) {					\
		pipe_report((pl), (idx), &(r));				\
		if (cond)						\
			break;						\
		nanosleep(&ts_, NULL);					\
	}								\
} while (0)

/* Until port idx has sent want frames (its NIC's count). */
static void __attribute__((unused))
rig_wait_tx(struct pipeline *pl, int idx, uint64_t want)
{
	struct pipe_port_report r;

	RIG_REPORT_UNTIL(pl, idx, r, r.hw.tx_packets >= want);
}

/* Until port idx has received want frames (the pipeline's count). */
static void __attribute__((unused))
rig_wait_rx(struct pipeline *pl, int idx, uint64_t want)
{
	struct pipe_port_report r;

	RIG_REPORT_UNTIL(pl, idx, r, r.sw.rx_packets >= want);
}

/* After pipe_stop(): until port idx's NIC has sent every frame the
 * pipeline handed it, then its report in r. */
static void __attribute__((unused))
rig_wait_sent(struct pipeline *pl, int idx, struct pipe_port_report *r)
{
	RIG_REPORT_UNTIL(pl, idx, *r, r->hw.tx_packets >= r->sw.tx_packets);
}

/* f[0..n) into a new pcap file at path; 0 or -1. */
static int __attribute__((unused))
rig_write_frames(const char *path, const struct frame *f, int n)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	int i;

	if (p == NULL || (d = pcap_dump_open(p, path)) == NULL) {
		if (p != NULL)
			pcap_close(p);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof(h));
		h.caplen = h.len = f[i].len;
		pcap_dump((u_char *)d, &h, f[i].b);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

/* The frames of the pcap file at path into out (max at most, each cut to
 * FRAME_MAX); how many, or -1. */
static int __attribute__((unused))
rig_read_frames(const char *path, struct frame *out, int max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int n = 0;

	if ((p = pcap_open_offline(path, err)) == NULL) {
		printf("  %s\n", err);
		return -1;
	}
	while (n < max && pcap_next_ex(p, &h, &data) == 1) {
		out[n].len = h->caplen < sizeof(out[n].b) ? h->caplen :
		    sizeof(out[n].b);
		memcpy(out[n].b, data, out[n].len);
		n++;
	}
	pcap_close(p);
	return n;
}

#endif /* IXFWD_TEST_PIPELINERIG_H */
