/*
 * preflight.c: the checks of ixfwd -t beyond the file (see preflight.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "conf_diff.h"
#include "dma.h"
#include "pci.h"
#include "pipeline.h"
#include "plan.h"
#include "preflight.h"

struct preflight_open {
	const char	*path;
	int		 mode;		/* R_OK or W_OK | X_OK */
};

static int
preflight_access(void *arg)
{
	const struct preflight_open *o = arg;

	return eaccess(o->path, o->mode);
}

/* The directory itself, opened by the caller (as root at start, the way
 * the capture engine opens it): only its own permissions matter. */
static int
preflight_dir_access(void *arg)
{
	const int *fd = arg;

	return faccessat(*fd, "", W_OK | X_OK, AT_EACCESS | AT_EMPTY_PATH);
}

/* A sysfs file of one hex number. */
static int
preflight_read_hex(const char *dev, const char *name, unsigned long *v)
{
	char path[PATH_MAX], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", dev, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	*v = strtoul(buf, NULL, 16);
	return 0;
}

static int
preflight_pci(const struct conf *c, const struct conf_port *p, FILE *errf)
{
	/* "vfio:0000:03:00.0" is the device 0000:03:00.0 */
	const char *dev = strncmp(p->device, "vfio:", 5) == 0 ?
	    p->device + 5 : p->device;
	unsigned long vendor, device;
	char why[160];

	if (preflight_read_hex(dev, "vendor", &vendor) == -1 ||
	    preflight_read_hex(dev, "device", &device) == -1) {
		fprintf(errf, "%s:%d:%d: port %s: no PCI device at %s on "
		    "this machine\n", c->path, p->line, p->col, p->name,
		    p->device);
		return 1;
	}
	if (pci_refusal(vendor, device, why, sizeof(why)) == -1) {
		fprintf(errf, "%s:%d:%d: port %s: %s: %s\n", c->path, p->line,
		    p->col, p->name, p->device, why);
		return 1;
	}
	return 0;
}

/* The workers and queues a start would set up (plan.h) into p, so that
 * a limit the planner enforces is reported at the port it is about. */
static int
preflight_plan(const struct conf *c, struct pipe_plan *p, FILE *errf)
{
	char err[256];

	if (pipe_plan(c, p, err, sizeof(err)) == -1) {
		if (p->err_port >= 0 && p->err_port < c->nports)
			fprintf(errf, "%s:%d:%d: %s\n", c->path,
			    c->ports[p->err_port].line,
			    c->ports[p->err_port].col, err);
		else
			fprintf(errf, "%s: %s\n", c->path, err);
		return 1;
	}
	return 0;
}

static long
preflight_meminfo(const char *key)
{
	char line[128];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	if ((f = fopen("/proc/meminfo", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/*
 * The hugepages a start of c, planned as p, maps (pipe_hugepages():
 * every worker's pool, every port's rings, whatever the port's kind),
 * against those the kernel can give now.  The sysctl is named with the
 * number to set, the pool as it is plus what is missing.
 */
static int
preflight_hugepages_enough(const struct conf *c, const struct pipe_plan *p,
    FILE *errf)
{
	size_t need = pipe_hugepages(c, p);
	long avail, total, want;

	if (dma_hugepages_avail(&avail, &total) == -1) {
		fprintf(errf, "%s: its rings and packet buffers need %zu MiB "
		    "of 2 MiB hugepages, and this kernel has none (no "
		    "/sys/kernel/mm/hugepages/hugepages-2048kB)\n", c->path,
		    need * (DMA_PAGE_SIZE >> 20));
		return 1;
	}
	if ((size_t)avail >= need)
		return 0;
	want = total + (long)need - avail;
	fprintf(errf, "%s: too few free 2 MiB hugepages: its rings and packet "
	    "buffers need %zu MiB (%zu hugepage%s), %ld %s free; ", c->path,
	    need * (DMA_PAGE_SIZE >> 20), need, need == 1 ? "" : "s", avail,
	    avail == 1 ? "is" : "are");
	if (preflight_meminfo("Hugepagesize") == DMA_PAGE_SIZE >> 10)
		fprintf(errf, "raise vm.nr_hugepages to %ld (sysctl -w "
		    "vm.nr_hugepages=%ld, or echo %ld > "
		    "/proc/sys/vm/nr_hugepages)\n", want, want, want);
	else
		fprintf(errf, "raise the 2 MiB pool to %ld (echo %ld > "
		    "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)\n",
		    want, want);
	return 1;
}

int
preflight_hugepages(const struct conf *c, size_t *need, long *avail)
{
	struct pipe_plan *p;
	char err[256];
	long total;
	int rc = -1;

	if ((p = malloc(sizeof(*p))) == NULL)
		return -1;
	if (pipe_plan(c, p, err, sizeof(err)) == 0) {
		*need = pipe_hugepages(c, p);
		if (dma_hugepages_avail(avail, &total) == -1)
			*avail = 0;
		rc = 0;
	}
	free(p);
	return rc;
}

int
preflight(const struct conf *c, const struct conf *running,
    const struct priv_user *u, FILE *errf)
{
	struct preflight_open o;
	struct pipe_plan *plan;
	char dir[PATH_MAX], *slash;
	int i, n = 0, planned;

	o.path = c->path;
	o.mode = R_OK;
	if (priv_as_user(u, preflight_access, &o) == -1) {
		fprintf(errf, "%s: user %s cannot read it (%s): reloads would "
		    "fail\n", c->path, u->name, strerror(errno));
		n++;
	}
	for (i = 0; i < c->ncaptures; i++) {
		const struct capture_conf *cc = &c->captures[i];
		const struct capture_conf *was = running != NULL ?
		    conf_capture_of(running, cc->name) : NULL;
		int fd, rc;

		/* a capture that runs on has its directory open already */
		if (was != NULL && memcmp(was, cc, sizeof(*cc)) == 0)
			continue;
		strlcpy(dir, cc->file, sizeof(dir));
		if ((slash = strrchr(dir, '/')) == NULL)
			strlcpy(dir, ".", sizeof(dir));
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if ((fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
			rc = -1;
		else {
			rc = priv_as_user(u, preflight_dir_access, &fd);
			close(fd);
		}
		if (rc == -1) {
			fprintf(errf, "%s: capture %s: user %s cannot write in "
			    "%s: %s\n", c->path, cc->name, u->name, dir,
			    strerror(errno));
			n++;
		}
	}
	if ((plan = malloc(sizeof(*plan))) == NULL) {
		fprintf(errf, "%s: %s\n", c->path, strerror(errno));
		return n + 1;
	}
	planned = preflight_plan(c, plan, errf) == 0;
	if (!planned)
		n++;
	for (i = 0; i < c->nports; i++) {
		const struct conf_port *p = &c->ports[i];

		if (p->kind == PORT_KIND_IXGBE)
			n += preflight_pci(c, p, errf);
	}
	/* A reload maps no hugepages: the running pipeline keeps its own,
	 * and a change that would need others needs a restart. */
	if (planned && running == NULL)
		n += preflight_hugepages_enough(c, plan, errf);
	free(plan);
	return n;
}
