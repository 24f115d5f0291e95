/*
 * pci.c: taking an 82599-family PCI function away from the kernel through
 * sysfs: check what it is, refuse it while the kernel uses it, unbind the
 * kernel driver, enable bus mastering and map BAR0.
 *
 * Nothing is written to sysfs before the device has been identified as a
 * supported NIC and found free to take: a wrong address in a config file
 * must never unbind someone's disk controller.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "bar.h"
#include "ixgbe_devices.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "pci.h"
#include "vfio.h"

#define PCI_VENDOR_INTEL	0x8086

static char pci_sysfs[PATH_MAX] = "/sys";

int
pci_is_supported(uint16_t vendor, uint16_t device, const char **name)
{
	const struct ixgbe_devinfo *di;

	if (vendor != PCI_VENDOR_INTEL || (di = ixgbe_devinfo(device)) == NULL ||
	    !di->supported)
		return 0;
	if (name != NULL)
		*name = di->name;
	return 1;
}

int
pci_refusal(unsigned long vendor, unsigned long device, char *buf, size_t len)
{
	const struct ixgbe_devinfo *di = NULL;

	if (vendor == PCI_VENDOR_INTEL && device <= 0xffff)
		di = ixgbe_devinfo((uint16_t)device);
	if (di != NULL && di->supported) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	if (di != NULL)
		snprintf(buf, len, "Intel %s (%04lx:%04lx) is not supported "
		    "yet: %s", di->name, vendor, device, di->why);
	else
		snprintf(buf, len, "%04lx:%04lx is not an Intel 82599-family "
		    "NIC", vendor, device);
	return -1;
}

void
pci_set_sysfs_root(const char *root)
{
	snprintf(pci_sysfs, sizeof(pci_sysfs), "%s",
	    root != NULL ? root : "/sys");
}

/* A path under sysfs; sysfs paths are short, a longer one is cut (and
 * then simply not found). */
static void __attribute__((format(printf, 2, 3)))
pci_path(char path[PATH_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(path, PATH_MAX, fmt, ap);
	va_end(ap);
}

static int
pci_hex(const char *s, size_t n, unsigned int *val)
{
	size_t i;

	*val = 0;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		*val = *val * 16 + (isdigit((unsigned char)s[i]) ?
		    (unsigned int)(s[i] - '0') :
		    (unsigned int)(tolower((unsigned char)s[i]) - 'a' + 10));
	}
	return 0;
}

const char *
pci_sysfs_root(void)
{
	return pci_sysfs;
}

/* "0000:03:00.0" or "03:00.0" (domain 0) into the canonical form sysfs
 * uses, lower case with the domain.  0 or -1. */
int
pci_parse_bdf(const char *s, char canon[PCI_BDF_LEN + 1])
{
	unsigned int dom = 0, bus, dev, fn;
	size_t len = strlen(s);

	if (len == PCI_BDF_LEN) {
		if (pci_hex(s, 4, &dom) == -1 || s[4] != ':')
			return -1;
		s += 5;
	} else if (len != PCI_BDF_LEN - 5)
		return -1;
	if (pci_hex(s, 2, &bus) == -1 || s[2] != ':' ||
	    pci_hex(s + 3, 2, &dev) == -1 || s[5] != '.' ||
	    pci_hex(s + 6, 1, &fn) == -1)
		return -1;
	if (dev > 0x1f || fn > 7)
		return -1;
	snprintf(canon, PCI_BDF_LEN + 1, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* The first line of a small sysfs file, as a number.  0 or -1 (errno). */
static int
pci_read_num(const char *path, unsigned long *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		if (n == 0)
			errno = EINVAL;
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	*val = strtoul(buf, &end, 16);
	if (end == buf || errno != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static const char *
pci_hint(int err)
{
	return err == EACCES || err == EPERM ? " (run ixfwd as root)" : "";
}

/*
 * Refuse the device while one of its kernel interfaces is up (unless
 * forced).  0 when free to take, -1 with the reason logged.
 */
static int
pci_check_ifaces(const char *bdf, const char *dir, int force)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned long flags;
	DIR *d;
	int busy = 0;

	pci_path(path, "%s/net", dir);
	if ((d = opendir(path)) == NULL)
		return 0;	/* no network interface: nothing to disturb */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		pci_path(path, "%s/net/%s/flags", dir, de->d_name);
		if (pci_read_num(path, &flags) == -1) {
			log_warn("%s: cannot read %s", bdf, path);
			busy = 1;
			break;
		}
		if (!(flags & IFF_UP))
			continue;
		if (force) {
			log_warnx("%s: %s is up; taking it anyway (force)",
			    bdf, de->d_name);
			continue;
		}
		log_warnx("%s: %s is up; bring it down (ip link set dev %s "
		    "down) or set force: true", bdf, de->d_name, de->d_name);
		busy = 1;
		break;
	}
	closedir(d);
	return busy ? -1 : 0;
}

/* Unbind the kernel driver, if any; its name in drv ("" if none). */
static int
pci_unbind(const char *bdf, const char *dir, char *drv, size_t drvlen)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;
	int fd;

	drv[0] = '\0';
	pci_path(path, "%s/driver", dir);
	if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
		return 0;	/* no driver bound */
	link[n] = '\0';
	base = strrchr(link, '/') != NULL ? strrchr(link, '/') + 1 : link;
	if (strlen(base) < drvlen)
		memcpy(drv, base, strlen(base) + 1);

	pci_path(path, "%s/driver/unbind", dir);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		log_warn("%s: cannot unbind it from %s: open %s%s", bdf, drv,
		    path, pci_hint(errno));
		return -1;
	}
	if (write(fd, bdf, strlen(bdf)) != (ssize_t)strlen(bdf)) {
		log_warn("%s: cannot unbind it from %s%s", bdf, drv,
		    pci_hint(errno));
		close(fd);
		return -1;
	}
	close(fd);
	log_info("%s: unbound from kernel driver %s", bdf, drv);
	return 0;
}

/*
 * Open config space for the life of the bar (pci_set_master() and the
 * crash handler use it) and turn memory space decoding on, so that BAR0
 * answers.  Bus mastering is turned OFF here: a NIC a previous run left
 * armed (killed with SIGKILL, say) must not resume DMA into memory that
 * is no longer its own before the driver has reset it; ixgbe_open()
 * turns it on after the reset.
 */
static int
pci_open_config(const char *bdf, const char *dir, struct bar *bar)
{
	char path[PATH_MAX];
	uint16_t cmd, want;
	int fd;

	pci_path(path, "%s/config", dir);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		log_warn("%s: cannot open %s%s", bdf, path, pci_hint(errno));
		return -1;
	}
	bar->cfg.valid = 1;
	bar->cfg.fd = fd;
	bar->cfg.off = 0;
	bar->cfg.own_fd = 1;
	if (pci_cfg_read16(bar, PCI_COMMAND, &cmd) == -1) {
		log_warn("%s: cannot read the PCI command register", bdf);
		goto fail;
	}
	want = (cmd | PCI_COMMAND_MEMORY) & ~PCI_COMMAND_MASTER;
	if (want != cmd && pci_cfg_write16(bar, PCI_COMMAND, want) == -1) {
		log_warn("%s: cannot write the PCI command register%s", bdf,
		    pci_hint(errno));
		goto fail;
	}
	return 0;

fail:
	close(fd);
	memset(&bar->cfg, 0, sizeof(bar->cfg));
	return -1;
}

static int
pci_map_bar0(const char *bdf, const char *dir, struct bar *bar)
{
	char path[PATH_MAX];
	struct stat st;
	void *p;
	int fd;

	pci_path(path, "%s/resource0", dir);
	if ((fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC)) == -1) {
		log_warn("%s: cannot open %s%s", bdf, path, pci_hint(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("%s: %s", bdf, path);
		close(fd);
		return -1;
	}
	if (st.st_size <= 0) {
		log_warnx("%s: BAR0 (%s) has no size", bdf, path);
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		log_warn("%s: cannot map BAR0 (%s)%s", bdf, path,
		    pci_hint(errno));
		return -1;
	}
	bar->mmio = p;
	bar->len = (size_t)st.st_size;
	bar->ops = NULL;
	bar->ctx = NULL;
	return 0;
}

int
pci_open(const char *bdf_in, int force, struct bar *bar)
{
	char bdf[PCI_BDF_LEN + 1], dir[PATH_MAX], path[PATH_MAX];
	char drv[NAME_MAX + 1], why[160];
	unsigned long vendor, device;
	const char *name;
	struct stat st;

	memset(bar, 0, sizeof(*bar));
	if (bdf_in == NULL || pci_parse_bdf(bdf_in, bdf) == -1) {
		log_warnx("\"%s\" is not a PCI address (expected the form "
		    "0000:03:00.0, or 03:00.0 in domain 0)",
		    bdf_in != NULL ? bdf_in : "");
		return -1;
	}
	pci_path(dir, "%s/bus/pci/devices/%s", pci_sysfs, bdf);
	if (stat(dir, &st) == -1) {
		if (errno == ENOENT)
			log_warnx("%s: no such PCI device (nothing at %s; "
			    "lspci -D lists the devices)", bdf, dir);
		else
			log_warn("%s: %s", bdf, dir);
		return -1;
	}

	/* Identify it before anything is written anywhere. */
	pci_path(path, "%s/vendor", dir);
	if (pci_read_num(path, &vendor) == -1) {
		log_warn("%s: cannot read %s%s", bdf, path, pci_hint(errno));
		return -1;
	}
	pci_path(path, "%s/device", dir);
	if (pci_read_num(path, &device) == -1) {
		log_warn("%s: cannot read %s%s", bdf, path, pci_hint(errno));
		return -1;
	}
	if (pci_refusal(vendor, device, why, sizeof(why)) == -1) {
		log_warnx("%s: %s; the device is left to the kernel", bdf, why);
		return -1;
	}
	if (pci_check_ifaces(bdf, dir, force) == -1)
		return -1;

	/* Take it. */
	if (pci_unbind(bdf, dir, drv, sizeof(drv)) == -1)
		return -1;
	if (pci_open_config(bdf, dir, bar) == -1)
		goto unbound;
	if (pci_map_bar0(bdf, dir, bar) == -1) {
		pci_close(bar);
		goto unbound;
	}
	if (bar->len < IXGBE_BAR0_SIZE) {
		log_warnx("%s: BAR0 is %zu bytes, an 82599 has %u", bdf,
		    bar->len, IXGBE_BAR0_SIZE);
		pci_close(bar);
		goto unbound;
	}
	bar->device_id = (uint16_t)device;
	strlcpy(bar->kdrv, drv, sizeof(bar->kdrv));
	name = ixgbe_devinfo((uint16_t)device)->name;
	log_info("%s: Intel %s, BAR0 %zu KiB", bdf, name, bar->len >> 10);
	return 0;

unbound:
	(void)pci_give_back(bdf, drv);
	return -1;
}

int
pci_give_back(const char *bdf, const char *drv)
{
	char path[PATH_MAX];
	int fd, rc = -1;

	if (drv == NULL || drv[0] == '\0')
		return 0;
	pci_path(path, "%s/bus/pci/drivers/%s/bind", pci_sysfs, drv);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) != -1) {
		if (write(fd, bdf, strlen(bdf)) == (ssize_t)strlen(bdf))
			rc = 0;
		close(fd);
	}
	if (rc == 0)
		log_info("%s: given back to kernel driver %s", bdf, drv);
	else
		log_warn("%s: left unbound; to give it back to the kernel: "
		    "echo %s > /sys/bus/pci/drivers/%s/bind", bdf, bdf, drv);
	return rc;
}

/* Unmap what pci_open (or vfio_open) mapped and close its config space
 * (or its VFIO device); a window
 * served by a device model (ops set) was never mapped here and is only
 * forgotten. */
void
pci_close(struct bar *bar)
{
	if (vfio_release(bar))
		return;
	if (bar->ops == NULL && bar->mmio != NULL)
		munmap((void *)(uintptr_t)bar->mmio, bar->len);
	if (bar->cfg.valid && bar->cfg.own_fd)
		close(bar->cfg.fd);
	memset(bar, 0, sizeof(*bar));
}
