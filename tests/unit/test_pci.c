/*
 * test_pci.c: the PCI/sysfs layer.  The ID table; refusing bad, missing
 * and foreign devices on this machine's real sysfs without touching them;
 * and the whole take-over (refuse while up, unbind, bus master, BAR0 map)
 * on a fake sysfs tree of ordinary files.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bar.h"
#include "log.h"
#include "ixgbe_devices.h"
#include "pci.h"
#include "logcapture.h"
#include "t.h"

/* pci_open with its log captured into log_buf. */
static int
open_logged(const char *bdf, int force, struct bar *bar)
{
	int rc;

	log_capture_begin();
	rc = pci_open(bdf, force, bar);
	log_capture_end();
	return rc;
}

/* ---- small file helpers ---- */

static int
write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int
write_str(const char *path, const char *s)
{
	return write_file(path, s, strlen(s));
}

static ssize_t
read_file(const char *path, void *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = read(fd, buf, cap);
	close(fd);
	return n;
}

static void
path_of(char out[PATH_MAX], const char *a, const char *b)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", a, b) >= PATH_MAX)
		out[0] = '\0';
}

/* ---- tests ---- */

static void
test_id_table(void)
{
	const char *name = NULL;

	T_CHECK(pci_is_supported(0x8086, 0x10fb, &name));
	T_CHECK(name != NULL && strstr(name, "82599") != NULL);
	T_CHECK(pci_is_supported(0x8086, 0x1558, NULL));
	/* Known, but not set up yet (ixgbe_devices.c): refused. */
	T_CHECK(!pci_is_supported(0x8086, 0x1528, NULL));	/* X540 */
	T_CHECK(!pci_is_supported(0x8086, 0x1563, NULL));	/* X550 */
	T_CHECK(!pci_is_supported(0x8086, 0x10f7, NULL));	/* KX4 */

	T_CHECK(!pci_is_supported(0x8086, 0x100e, NULL));	/* e1000 */
	T_CHECK(!pci_is_supported(0x8086, 0x10c6, NULL));	/* 82598 */
	T_CHECK(!pci_is_supported(0x8086, 0x1572, NULL));	/* X710 */
	T_CHECK(!pci_is_supported(0x1af4, 0x1000, NULL));	/* virtio */
	T_CHECK(!pci_is_supported(0x1af4, 0x10fb, NULL));	/* ID, not Intel */
}

/* What the daemon, ixfwd -t, sysfs and VFIO take-over say of a refused
 * device: the known parts say what is missing. */
static void
test_refusal_text(void)
{
	char why[160];

	T_CHECK(pci_refusal(0x8086, 0x10fb, why, sizeof(why)) == 0);
	T_CHECK(why[0] == '\0');
	T_CHECK(pci_refusal(0x8086, 0x1528, why, sizeof(why)) == -1);
	T_CHECK(strstr(why, "X540") != NULL);
	T_CHECK(strstr(why, "(8086:1528) is not supported yet: ") != NULL);
	T_CHECK(pci_refusal(0x8086, 0x10f7, why, sizeof(why)) == -1);
	T_CHECK(strstr(why, "not supported yet: ") != NULL);
	T_CHECK(pci_refusal(0x1af4, 0x1000, why, sizeof(why)) == -1);
	T_CHECK(strcmp(why, "1af4:1000 is not an Intel 82599-family NIC") ==
	    0);
	T_CHECK(pci_refusal(0x8086, 0x10000, why, sizeof(why)) == -1);
	T_CHECK(strstr(why, "not an Intel 82599-family NIC") != NULL);
}

static void
test_malformed_address(void)
{
	static const char *bad[] = {
		"", "03:00", "3:00.0", "0000:03:00.8", "0000:03:20.0",
		"zz:00.0", "0000:03:00.0x", "0000-03:00.0", "00000:03:00.0",
		"0000:03:00:0", "eth0",
	};
	struct bar bar;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_CHECK(open_logged(bad[i], 0, &bar) == -1);
		if (strstr(log_buf, "is not a PCI address") == NULL)
			t_fail(__FILE__, __LINE__, "\"%s\": message was: %s",
			    bad[i], log_buf);
		T_CHECK(bar.mmio == NULL);
	}
}

static void
test_nonexistent_device(void)
{
	struct stat st;
	struct bar bar;

	if (stat("/sys/bus/pci/devices/0000:ff:1f.7", &st) == 0)
		T_SKIP("0000:ff:1f.7 exists on this machine");
	T_CHECK(open_logged("0000:ff:1f.7", 0, &bar) == -1);
	T_CHECK(strstr(log_buf, "0000:ff:1f.7") != NULL);
	T_CHECK(strstr(log_buf, "no such PCI device") != NULL);
	/* the short form is the same device, in domain 0 */
	T_CHECK(open_logged("FF:1F.7", 0, &bar) == -1);
	T_CHECK(strstr(log_buf, "0000:ff:1f.7: no such PCI device") != NULL);
}

static int
read_cmd(const char *dev, uint16_t *cmd)
{
	char path[PATH_MAX];
	uint8_t b[2];
	int fd;

	path_of(path, dev, "config");
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	if (pread(fd, b, 2, 4) != 2) {
		close(fd);
		return -1;
	}
	close(fd);
	*cmd = (uint16_t)(b[0] | b[1] << 8);
	return 0;
}

/* A device of this machine that is not an 82599: pci_open refuses it,
 * names its IDs, and leaves its driver binding and command register as
 * they were. */
static void
test_foreign_device_untouched(void)
{
	const char *root = "/sys/bus/pci/devices";
	char dev[PATH_MAX], path[PATH_MAX], want[NAME_MAX + 64];
	char drv_before[PATH_MAX] = "", drv_after[PATH_MAX] = "";
	unsigned int vendor = 0, device = 0;
	uint16_t cmd_before = 0, cmd_after = 0;
	int have_cmd;
	struct dirent *de;
	struct bar bar;
	char found[NAME_MAX + 1] = "";
	DIR *d;

	if ((d = opendir(root)) == NULL)
		T_SKIP("no %s", root);
	while ((de = readdir(d)) != NULL && found[0] == '\0') {
		char buf[32];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		path_of(dev, root, de->d_name);
		path_of(path, dev, "vendor");
		if ((n = read_file(path, buf, sizeof(buf) - 1)) <= 0)
			continue;
		buf[n] = '\0';
		vendor = (unsigned int)strtoul(buf, NULL, 16);
		path_of(path, dev, "device");
		if ((n = read_file(path, buf, sizeof(buf) - 1)) <= 0)
			continue;
		buf[n] = '\0';
		device = (unsigned int)strtoul(buf, NULL, 16);
		if (vendor != 0x8086 || ixgbe_devinfo(device) == NULL)
			snprintf(found, sizeof(found), "%s", de->d_name);
	}
	closedir(d);
	if (found[0] == '\0')
		T_SKIP("no PCI device other than 82599-family NICs here");

	path_of(dev, root, found);
	path_of(path, dev, "driver");
	if (readlink(path, drv_before, sizeof(drv_before) - 1) == -1)
		drv_before[0] = '\0';
	have_cmd = read_cmd(dev, &cmd_before) == 0;

	T_CHECK(open_logged(found, 0, &bar) == -1);
	snprintf(want, sizeof(want), "%s: %04x:%04x is not an Intel "
	    "82599-family NIC; the device is left to the kernel", found,
	    vendor, device);
	if (strstr(log_buf, want) == NULL)
		t_fail(__FILE__, __LINE__, "expected \"%s\", got: %s", want,
		    log_buf);
	/* forcing changes nothing about what the device is */
	T_CHECK(open_logged(found, 1, &bar) == -1);
	T_CHECK(strstr(log_buf, want) != NULL);
	/* nor does the short form of the address */
	if (strncmp(found, "0000:", 5) == 0) {
		T_CHECK(open_logged(found + 5, 0, &bar) == -1);
		T_CHECK(strstr(log_buf, want) != NULL);
	}
	T_CHECK(bar.mmio == NULL);

	if (readlink(path, drv_after, sizeof(drv_after) - 1) == -1)
		drv_after[0] = '\0';
	if (strcmp(drv_before, drv_after) != 0)
		t_fail(__FILE__, __LINE__, "%s: driver was \"%s\", is \"%s\"",
		    found, drv_before, drv_after);
	if (have_cmd) {
		T_CHECK(read_cmd(dev, &cmd_after) == 0);
		T_EQ(cmd_after, cmd_before);
	}
}

/* ---- a fake sysfs tree ---- */

#define FAKE_BDF	"0000:03:00.0"
#define FAKE_BAR_SIZE	0x20000

static char fake_root[64];
static char fake_dev[PATH_MAX];
static char fake_unbind[PATH_MAX];

static int
fake_mkdirs(const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	for (p = path + strlen(fake_root) + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) == -1 && errno != EEXIST ? -1 : 0;
}

/* A fake 82599 at FAKE_BDF, bound to "ixgbe", with interface eth9 whose
 * flags are iff_flags. */
static int
fake_tree(const char *vendor, const char *device, const char *iff_flags)
{
	char path[PATH_MAX + 64];
	uint8_t config[256];
	uint32_t *regs;
	int fd, rc = 0;

	snprintf(fake_root, sizeof(fake_root), "/tmp/ixfwd-sysfs.XXXXXX");
	if (mkdtemp(fake_root) == NULL)
		return -1;
	snprintf(fake_dev, sizeof(fake_dev), "%s/bus/pci/devices/" FAKE_BDF,
	    fake_root);
	rc |= fake_mkdirs("bus/pci/devices/" FAKE_BDF "/net/eth9");
	rc |= fake_mkdirs("bus/pci/drivers/ixgbe");
	snprintf(path, sizeof(path), "%s/vendor", fake_dev);
	rc |= write_str(path, vendor);
	snprintf(path, sizeof(path), "%s/device", fake_dev);
	rc |= write_str(path, device);
	snprintf(path, sizeof(path), "%s/net/eth9/flags", fake_dev);
	rc |= write_str(path, iff_flags);
	memset(config, 0, sizeof(config));
	config[4] = 0x00;	/* command: memory and master off */
	config[5] = 0x04;	/* an unrelated bit (INTx disable) */
	snprintf(path, sizeof(path), "%s/config", fake_dev);
	rc |= write_file(path, config, sizeof(config));

	/* BAR0: a register file with STATUS (0x8) set to a marker */
	if ((regs = calloc(1, FAKE_BAR_SIZE)) == NULL)
		return -1;
	regs[0x8 / 4] = 0x00080000;
	snprintf(path, sizeof(path), "%s/resource0", fake_dev);
	rc |= write_file(path, regs, FAKE_BAR_SIZE);
	free(regs);

	snprintf(fake_unbind, sizeof(fake_unbind),
	    "%s/bus/pci/drivers/ixgbe/unbind", fake_root);
	if ((fd = open(fake_unbind, O_WRONLY | O_CREAT, 0600)) == -1)
		return -1;
	close(fd);
	snprintf(path, sizeof(path), "%s/driver", fake_dev);
	rc |= symlink("../../drivers/ixgbe", path);
	pci_set_sysfs_root(fake_root);
	return rc ? -1 : 0;
}

static void
fake_cleanup(void)
{
	char cmd[PATH_MAX + 16];

	pci_set_sysfs_root(NULL);
	if (fake_root[0] != '\0' && strncmp(fake_root, "/tmp/ixfwd-sysfs.",
	    17) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_root);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", fake_root);
	}
	fake_root[0] = '\0';
}

static ssize_t
fake_unbind_content(char *buf, size_t cap)
{
	ssize_t n = read_file(fake_unbind, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void
test_fake_refuse_when_up(void)
{
	char buf[64];
	struct bar bar;

	T_REQUIRE(fake_tree("0x8086\n", "0x10fb\n", "0x1003\n") == 0);
	T_CHECK(open_logged(FAKE_BDF, 0, &bar) == -1);
	T_CHECK(strstr(log_buf, "eth9 is up; bring it down") != NULL);
	T_CHECK(strstr(log_buf, "force: true") != NULL);
	T_EQ(fake_unbind_content(buf, sizeof(buf)), 0);	/* not unbound */
	T_CHECK(bar.mmio == NULL);
	fake_cleanup();
}

static void
test_fake_refuse_foreign_ids(void)
{
	char buf[64];
	struct bar bar;

	/* an e1000 that is down: still not ours, not even with force */
	T_REQUIRE(fake_tree("0x8086\n", "0x100e\n", "0x1002\n") == 0);
	T_CHECK(open_logged("03:00.0", 1, &bar) == -1);
	T_CHECK(strstr(log_buf, FAKE_BDF ": 8086:100e is not an Intel "
	    "82599-family NIC") != NULL);
	T_EQ(fake_unbind_content(buf, sizeof(buf)), 0);
	fake_cleanup();
}

/* An 82599-family part ixfwd does not set up (ixgbe_devices.c) is left
 * to the kernel, with what is missing, even with force. */
static void
test_fake_refuse_unsupported(void)
{
	static const uint16_t ids[] = { 0x1528, 0x1563, 0x10f7, 0x1517,
	    0x10f9, 0x151c };
	char buf[64], dev[16];
	struct bar bar;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(dev, sizeof(dev), "0x%04x\n", ids[i]);
		T_REQUIRE(fake_tree("0x8086\n", dev, "0x1002\n") == 0);
		T_CHECK(open_logged("03:00.0", 1, &bar) == -1);
		T_CHECK(strstr(log_buf, "is not supported yet: ") != NULL);
		T_CHECK(strstr(log_buf, ixgbe_devinfo(ids[i])->name) != NULL);
		T_CHECK(strstr(log_buf, "left to the kernel") != NULL);
		T_EQ(fake_unbind_content(buf, sizeof(buf)), 0);
		fake_cleanup();
	}
}

/* pci_open tells the driver what the device is. */
static void
test_fake_device_id(void)
{
	struct bar bar;

	T_REQUIRE(fake_tree("0x8086\n", "0x1557\n", "0x1002\n") == 0);
	T_REQUIRE(open_logged("03:00.0", 0, &bar) == 0);
	T_EQ(bar.device_id, 0x1557);
	pci_close(&bar);
	fake_cleanup();
}

static void
check_taken(int force, const char *flags)
{
	char buf[64], path[PATH_MAX + 16];
	uint8_t config[8];
	struct bar bar;

	T_REQUIRE(fake_tree("0x8086\n", "0x10fb\n", flags) == 0);
	if (open_logged("03:00.0", force, &bar) != 0)
		t_fail(__FILE__, __LINE__, "pci_open: %s", log_buf);
	if (force)
		T_CHECK(strstr(log_buf, "taking it anyway") != NULL);
	/* the kernel driver was told to let go of exactly this device */
	T_CHECK(fake_unbind_content(buf, sizeof(buf)) > 0);
	T_CHECK(strcmp(buf, FAKE_BDF) == 0);
	/* memory decoding on, bus mastering still off (the driver turns
	 * it on after its reset), other bits kept */
	snprintf(path, sizeof(path), "%s/config", fake_dev);
	T_CHECK(read_file(path, config, sizeof(config)) == sizeof(config));
	T_EQ(config[4], 0x02);
	T_EQ(config[5], 0x04);
	/* bus mastering through the config space the bar keeps open */
	T_EQ(pci_set_master(&bar, 1), 0);
	T_CHECK(read_file(path, config, sizeof(config)) == sizeof(config));
	T_EQ(config[4], 0x06);
	T_EQ(config[5], 0x04);
	T_EQ(pci_set_master(&bar, 0), 0);
	T_CHECK(read_file(path, config, sizeof(config)) == sizeof(config));
	T_EQ(config[4], 0x02);
	/* BAR0 mapped: reads and writes reach the file */
	T_CHECK(bar.mmio != NULL);
	if (bar.mmio != NULL) {
		T_EQ(bar.len, FAKE_BAR_SIZE);
		T_CHECK(bar.ops == NULL);
		T_EQ(bar_read32(&bar, 0x8), 0x00080000);
		bar_write32(&bar, 0x10, 0xdeadbeef);
		T_EQ(bar_read32(&bar, 0x10), 0xdeadbeef);
		pci_close(&bar);
		T_CHECK(bar.mmio == NULL);
	}
	fake_cleanup();
}

static void
test_fake_take_down_iface(void)
{
	check_taken(0, "0x1002\n");
}

static void
test_fake_take_forced(void)
{
	check_taken(1, "0x1003\n");
}

/* A BAR0 too small for an 82599 is refused after the unbind, and the
 * message says how to give the device back to the kernel. */
static void
test_fake_small_bar(void)
{
	char path[PATH_MAX + 16];
	struct bar bar;

	T_REQUIRE(fake_tree("0x8086\n", "0x10fb\n", "0x1002\n") == 0);
	snprintf(path, sizeof(path), "%s/resource0", fake_dev);
	T_CHECK(truncate(path, 4096) == 0);
	T_CHECK(open_logged(FAKE_BDF, 0, &bar) == -1);
	T_CHECK(strstr(log_buf, "BAR0 is 4096 bytes") != NULL);
	T_CHECK(strstr(log_buf, "echo " FAKE_BDF " > /sys/bus/pci/drivers/"
	    "ixgbe/bind") != NULL);
	T_CHECK(bar.mmio == NULL);
	fake_cleanup();
}

/* The kernel driver's bind file in the fake tree, and what was written
 * to it ("" if nothing). */
static int
fake_bind_file(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/bus/pci/drivers/ixgbe/bind", fake_root);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) == -1)
		return -1;
	close(fd);
	return 0;
}

static const char *
fake_bind_content(const char *path, char *buf, size_t cap)
{
	ssize_t n = read_file(path, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* A take that fails after the unbind binds the device back to the
 * kernel driver it was taken from: nothing is left half-taken. */
static void
test_fake_failed_take_given_back(void)
{
	char path[PATH_MAX + 16], bind[PATH_MAX], buf[64];
	struct bar bar;

	T_REQUIRE(fake_tree("0x8086\n", "0x10fb\n", "0x1002\n") == 0);
	T_REQUIRE(fake_bind_file(bind, sizeof(bind)) == 0);
	snprintf(path, sizeof(path), "%s/resource0", fake_dev);
	T_CHECK(truncate(path, 4096) == 0);
	T_CHECK(open_logged(FAKE_BDF, 0, &bar) == -1);
	T_CHECK(fake_unbind_content(buf, sizeof(buf)) > 0);	/* unbound */
	T_CHECK(strcmp(fake_bind_content(bind, buf, sizeof(buf)),
	    FAKE_BDF) == 0);					/* and back */
	T_CHECK(strstr(log_buf, FAKE_BDF ": given back to kernel driver "
	    "ixgbe") != NULL);
	T_CHECK(strstr(log_buf, "left unbound") == NULL);
	fake_cleanup();
}

/* A take that succeeded says which driver it took the device from;
 * pci_give_back() (a start that fails later: DMA memory, workers) binds
 * it back, and does nothing for a device that had no driver. */
static void
test_fake_give_back(void)
{
	char bind[PATH_MAX], buf[64], drv[sizeof(((struct bar *)0)->kdrv)];
	struct bar bar;

	T_REQUIRE(fake_tree("0x8086\n", "0x10fb\n", "0x1002\n") == 0);
	T_REQUIRE(fake_bind_file(bind, sizeof(bind)) == 0);
	T_REQUIRE(open_logged(FAKE_BDF, 0, &bar) == 0);
	T_CHECK(strcmp(bar.kdrv, "ixgbe") == 0);
	memcpy(drv, bar.kdrv, sizeof(drv));
	pci_close(&bar);
	T_CHECK(strcmp(fake_bind_content(bind, buf, sizeof(buf)), "") == 0);
	T_EQ(pci_give_back(FAKE_BDF, ""), 0);
	T_CHECK(strcmp(fake_bind_content(bind, buf, sizeof(buf)), "") == 0);
	log_capture_begin();
	T_EQ(pci_give_back(FAKE_BDF, drv), 0);
	log_capture_end();
	T_CHECK(strcmp(fake_bind_content(bind, buf, sizeof(buf)),
	    FAKE_BDF) == 0);
	T_CHECK(strstr(log_buf, "given back to kernel driver ixgbe") != NULL);
	/* a driver that is not there: the command to do it by hand */
	log_capture_begin();
	T_EQ(pci_give_back(FAKE_BDF, "nosuchdrv"), -1);
	log_capture_end();
	T_CHECK(strstr(log_buf, "left unbound; to give it back to the "
	    "kernel: echo " FAKE_BDF " > /sys/bus/pci/drivers/nosuchdrv/"
	    "bind") != NULL);
	fake_cleanup();
}

/* Without privilege, the message says what to do about it.  As root, the
 * check runs in a child that has given up root. */
static int
permission_case(void)
{
	struct bar bar;

	if (open_logged(FAKE_BDF, 0, &bar) != -1)
		return 1;
	return strstr(log_buf, "(run ixfwd as root)") != NULL ? 0 : 2;
}

static void
test_fake_permission_hint(void)
{
	char path[PATH_MAX + 16];
	int status;
	pid_t pid;

	T_REQUIRE(fake_tree("0x8086\n", "0x10fb\n", "0x1002\n") == 0);
	snprintf(path, sizeof(path), "%s/resource0", fake_dev);
	T_CHECK(chmod(path, 0400) == 0);
	if (!t_is_root()) {
		T_EQ(permission_case(), 0);
		fake_cleanup();
		return;
	}
	/* let the unprivileged child see the tree, not write to it */
	T_CHECK(chmod(fake_root, 0755) == 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(3);
		_exit(permission_case());
	}
	T_REQUIRE(pid > 0);
	T_CHECK(waitpid(pid, &status, 0) == pid);
	T_CHECK(WIFEXITED(status));
	T_EQ(WEXITSTATUS(status), 0);
	fake_cleanup();
}

int
main(void)
{
	log_init(1, 0, "test_pci");
	T_RUN(test_id_table);
	T_RUN(test_refusal_text);
	T_RUN(test_malformed_address);
	T_RUN(test_nonexistent_device);
	T_RUN(test_foreign_device_untouched);
	T_RUN(test_fake_refuse_when_up);
	T_RUN(test_fake_refuse_foreign_ids);
	T_RUN(test_fake_refuse_unsupported);
	T_RUN(test_fake_device_id);
	T_RUN(test_fake_take_down_iface);
	T_RUN(test_fake_take_forced);
	T_RUN(test_fake_small_bar);
	T_RUN(test_fake_failed_take_given_back);
	T_RUN(test_fake_give_back);
	T_RUN(test_fake_permission_hint);
	return t_done();
}
