/*
 * test_vfio.c: driver/vfio.c against the emulated VFIO of the model
 * (emu82599_vfio.c), and the choice between VFIO and sysfs on fake sysfs
 * trees.  The emulated VFIO is the IOMMU here: a NIC behind it reaches
 * only what VFIO_IOMMU_MAP_DMA mapped, whatever else the process owns.
 *
 * Once a container is attached, every DMA allocation of this process is
 * mapped through it (DMA_IOVA_IOMMU), so every test here runs that way.
 */
#include <sys/stat.h>

#include <linux/vfio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "pci.h"
#include "pipeline.h"
#include "vfio.h"
#include "emu_events.h"
#include "nicrig.h"
#include "pipelinerig.h"

/* An emulated NIC behind the emulated VFIO at bdf, group; taken (its bar
 * is the one VFIO gives). */
static int
vnic_take(struct nic *v, const char *name, const char *bdf, int group)
{
	int rc;

	if (nic_create(v, name, 0x0f, NULL) == -1)
		return -1;
	if (emu_vfio_add(v->emu, bdf, group) == -1)
		return -1;
	log_capture_begin();
	rc = vfio_open(bdf, group, &emu_vfio_ops, NULL, &v->bar);
	log_capture_end();
	return rc;
}

static int
vnic_open_port(struct nic *v, const char *name)
{
	if (nic_pools(v, 1024, 0, 0) == -1)
		return -1;
	return nic_open(v, name, 512, 256);
}

static void
vnic_free(struct nic *v)
{
	if (v->port == NULL && v->bar.cfg.valid)
		pci_close(&v->bar);
	nic_destroy(v);			/* the port releases the bar */
}

/* Device fd, BAR0 through its region, config space through the config
 * region; bus mastering off until asked for. */
static void
test_open_regions_and_config(void)
{
	struct nic v;
	uint16_t vendor = 0, device = 0;
	int on;

	NEED_HW();
	ev_reset();
	T_REQUIRE(vnic_take(&v, "vf0", "0000:a0:00.0", 7) == 0);
	T_CHECK(v.bar.ops != NULL);
	T_CHECK(v.bar.len >= 128 * 1024);
	T_CHECK(v.bar.cfg.valid);
	/* vfio-pci's config region is region 7, at 7 << 40 */
	T_EQ(v.bar.cfg.off, 7ll << 40);
	T_EQ(pci_cfg_read16(&v.bar, PCI_VENDOR_ID, &vendor), 0);
	T_EQ(pci_cfg_read16(&v.bar, PCI_DEVICE_ID, &device), 0);
	T_EQ(vendor, 0x8086);
	T_EQ(device, 0x10fb);
	T_EQ(v.bar.device_id, 0x10fb);
	/* registers answer through the mapped BAR0 */
	T_CHECK(bar_read32(&v.bar, 0x00008) != 0xffffffffu);	/* STATUS */
	T_CHECK(emu_pci_command(v.emu) & EMU_PCI_COMMAND_MEMORY);
	T_CHECK(!(emu_pci_command(v.emu) & EMU_PCI_COMMAND_MASTER));
	/* bus mastering through the config region */
	T_EQ(pci_set_master(&v.bar, 1), 0);
	T_CHECK(emu_pci_command(v.emu) & EMU_PCI_COMMAND_MASTER);
	on = ev_find(EMU_EV_MASTER_ON, "vf0", 0);
	T_CHECK(on >= 0);
	T_EQ(pci_set_master(&v.bar, 0), 0);
	T_CHECK(ev_find(EMU_EV_MASTER_OFF, "vf0", on) > on);
	/* released: the device fd is closed, the NIC left unmastered */
	T_EQ(pci_set_master(&v.bar, 1), 0);
	pci_close(&v.bar);
	T_CHECK(!(emu_pci_command(v.emu) & EMU_PCI_COMMAND_MASTER));
	vnic_free(&v);
}

/* Every page of an allocation is mapped at an IOVA of ixfwd's choosing
 * and unmapped when it is freed; IOVAs are not handed out again. */
static void
test_map_unmap(void)
{
	struct nic v;
	struct dma_mem m1, m2;
	uint64_t first;
	int i;

	NEED_HW();
	T_REQUIRE(vnic_take(&v, "vf1", "0000:a1:00.0", 8) == 0);
	T_EQ(dma_mode(), DMA_IOVA_IOMMU);
	ev_reset();
	T_REQUIRE(dma_alloc(&m1, 3u << 20, 0) == 0);	/* two pages */
	T_EQ(ev_count(EMU_EV_MAP), 2);
	i = ev_find(EMU_EV_MAP, NULL, 0);
	T_REQUIRE(i >= 0);
	T_EQ(ev->ev[i].iova, m1.iova);
	T_EQ(ev->ev[i].len, DMA_PAGE_SIZE);
	T_CHECK(m1.iova >= DMA_IOVA_BASE);
	T_CHECK(m1.iova != (uintptr_t)m1.virt);		/* not the vaddr */
	T_EQ(dma_virt_to_iova((uint8_t *)m1.virt + 100), m1.iova + 100);
	first = m1.iova;
	dma_free(&m1);
	T_EQ(ev_count(EMU_EV_UNMAP), 2);
	i = ev_find(EMU_EV_UNMAP, NULL, 0);
	T_REQUIRE(i >= 0);
	T_EQ(ev->ev[i].iova, first);
	T_REQUIRE(dma_alloc(&m2, 4096, 1) == 0);
	T_CHECK(m2.iova >= first + (2u << 21));		/* not reused */
	dma_free(&m2);
	pci_close(&v.bar);
	vnic_free(&v);
}

/* Frames both ways through a port behind the emulated VFIO. */
static void
test_traffic_over_vfio(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[128], out[2048];
	struct pkt_buf *bufs[8];
	struct port_link l;
	struct nic v;
	uint64_t deadline;
	size_t n;
	uint16_t got = 0, i;

	NEED_HW();
	T_REQUIRE(vnic_take(&v, "vf2", "0000:a2:00.0", 9) == 0);
	T_REQUIRE(vnic_open_port(&v, "vf2") == 0);
	port_link(v.port, &l);
	T_CHECK(l.up);
	memset(f, 0, sizeof(f));
	memcpy(f, bcast, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x09", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (i = 14; i < sizeof(f); i++)
		f[i] = (uint8_t)(i * 3);
	T_REQUIRE(emu_wire_push(v.emu, f, sizeof(f)) == 0);
	for (deadline = now_ms() + WAIT_MS; got == 0 && now_ms() < deadline;)
		got = port_rx_batch(v.port, 0, bufs, 8);
	T_EQ(got, 1);
	if (got == 1) {
		T_EQ(bufs[0]->len, sizeof(f));
		T_CHECK(memcmp(pkt_data(bufs[0]), f, sizeof(f)) == 0);
		/* and back out */
		T_EQ(port_tx_batch(v.port, 0, bufs, 1), 1);
		n = wire_pull_wait(v.emu, out, sizeof(out));
		T_EQ(n, sizeof(f));
		T_CHECK(memcmp(out, f, sizeof(f)) == 0);
	}
	T_EQ(emu_iommu_faults(v.emu), 0);
	vnic_free(&v);
}

/*
 * DMA memory of the process that is not mapped into the container
 * faults: the IOMMU is the container's table, not dma.c's.  A pool's
 * page is unmapped behind dma.c's back, through the seam, as a bug that
 * skipped the mapping would leave it; a frame from it is sent: a fault,
 * nothing on the wire.  dma.c's own tables would have accepted it.
 */
#define EMU_VFIO_FD_CONTAINER	0x40000000	/* emu82599_vfio.c */

static void
test_unmapped_dma_faults(void)
{
	struct vfio_iommu_type1_dma_unmap u;
	struct vfio_iommu_type1_dma_map m;
	struct nic v;
	struct mempool *stray;
	struct pkt_buf *b;
	uint8_t out[2048];
	uint64_t deadline, page;
	int cfd;

	NEED_HW();
	T_REQUIRE(vnic_take(&v, "vf3", "0000:a3:00.0", 10) == 0);
	T_REQUIRE(vnic_open_port(&v, "vf3") == 0);
	T_REQUIRE((stray = mempool_create(64)) != NULL);
	page = stray->mem.iova;
	T_CHECK(dma_iova_to_virt(page, 64) == stray->mem.virt);
	/* the only open container of the emulated VFIO */
	cfd = EMU_VFIO_FD_CONTAINER;
	T_REQUIRE(emu_vfio_ops.ioctl(NULL, cfd, VFIO_GET_API_VERSION, NULL) ==
	    VFIO_API_VERSION);
	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.iova = page;
	u.size = DMA_PAGE_SIZE;
	T_REQUIRE(emu_vfio_ops.ioctl(NULL, cfd, VFIO_IOMMU_UNMAP_DMA, &u) == 0);
	T_EQ(u.size, DMA_PAGE_SIZE);

	T_REQUIRE((b = mempool_alloc(stray)) != NULL);
	b->len = 60;
	memset(pkt_data(b), 0xff, 60);
	T_EQ(port_tx_batch(v.port, 0, &b, 1), 1);
	for (deadline = now_ms() + 1000; emu_iommu_faults(v.emu) == 0 &&
	    now_ms() < deadline;)
		usleep(100);
	T_CHECK(emu_iommu_faults(v.emu) > 0);
	T_EQ(emu_wire_pull(v.emu, out, sizeof(out)), 0);

	/* mapped again, so that freeing it unmaps what is there */
	memset(&m, 0, sizeof(m));
	m.argsz = sizeof(m);
	m.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	m.vaddr = (uintptr_t)stray->mem.virt;
	m.iova = page;
	m.size = DMA_PAGE_SIZE;
	T_EQ(emu_vfio_ops.ioctl(NULL, cfd, VFIO_IOMMU_MAP_DMA, &m), 0);
	log_capture_begin();
	vnic_free(&v);
	log_capture_end();
	mempool_destroy(stray);
}

/* Close behind VFIO: reset, bus mastering off, then the rings unmapped. */
static void
test_close_order_vfio(void)
{
	struct nic v;
	int rst0, rst, off, unmap;

	NEED_HW();
	T_REQUIRE(vnic_take(&v, "vf4", "0000:a4:00.0", 11) == 0);
	ev_reset();
	T_REQUIRE(vnic_open_port(&v, "vf4") == 0);
	/* at open: reset first, then bus mastering on */
	rst0 = ev_find(EMU_EV_RESET, "vf4", 0);
	T_CHECK(rst0 >= 0);
	T_CHECK(ev_find(EMU_EV_MASTER_ON, "vf4", rst0) > rst0);
	port_close(v.port);
	v.port = NULL;
	rst = ev_find(EMU_EV_RESET, "vf4", rst0 + 1);
	off = ev_find(EMU_EV_MASTER_OFF, "vf4", rst);
	unmap = ev_find(EMU_EV_UNMAP, NULL, 0);
	T_CHECK(rst > rst0);
	T_CHECK(off > rst);
	T_CHECK(unmap > off);
	vnic_free(&v);
}

/* A group that is not there: the commands that bind the device. */
static void
test_missing_group_hint(void)
{
	struct bar bar;
	const char *out;
	int rc;

	NEED_HW();
	log_capture_begin();
	rc = vfio_open("0000:a9:00.0", 55, &emu_vfio_ops, NULL, &bar);
	out = log_capture_end();
	T_EQ(rc, -1);
	T_CHECK(strstr(out, "cannot open /dev/vfio/55") != NULL);
	T_CHECK(strstr(out, "modprobe vfio-pci") != NULL);
	T_CHECK(strstr(out, "echo vfio-pci > /sys/bus/pci/devices/"
	    "0000:a9:00.0/driver_override") != NULL);
}

/* ---- VFIO or sysfs, on fake sysfs trees ---- */

static char fake_root[64];

static int
put(const char *rel, const char *content)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(content, f);
	fclose(f);
	return 0;
}

static int
put_zeros(const char *rel, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	rc = ftruncate(fileno(f), (off_t)len);
	fclose(f);
	return rc;
}

static int
mk(const char *rel)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", fake_root, rel);
	return system(cmd) == 0 ? 0 : -1;
}

static int
ln(const char *target, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	return symlink(target, path);
}

#define DEV	"bus/pci/devices/0000:03:00.0"

/* A device with an IOMMU group of type type ("" none; NULL no type
 * file), bound to driver. */
static int
fake(const char *device_id, int group, const char *type, const char *driver)
{
	char rel[128], target[128];
	int rc = 0;

	snprintf(fake_root, sizeof(fake_root), "/tmp/ixfwd-sysfs.XXXXXX");
	if (mkdtemp(fake_root) == NULL)
		return -1;
	rc |= mk(DEV);
	rc |= mk("bus/pci/drivers/ixgbe");
	rc |= mk("bus/pci/drivers/vfio-pci");
	rc |= put(DEV "/vendor", "0x8086\n");
	rc |= put(DEV "/device", device_id);
	rc |= put(DEV "/numa_node", "1\n");
	rc |= put_zeros(DEV "/config", 256);
	rc |= put_zeros(DEV "/resource0", 512 * 1024);
	rc |= put("bus/pci/drivers/ixgbe/unbind", "");
	snprintf(target, sizeof(target), "../../drivers/%s", driver);
	rc |= ln(target, DEV "/driver");
	if (group >= 0) {
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d", group);
		rc |= mk(rel);
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d",
		    group);
		rc |= ln(target, DEV "/iommu_group");
		if (type != NULL) {
			snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/type",
			    group);
			rc |= put(rel, type);
		}
	}
	pci_set_sysfs_root(fake_root);
	return rc ? -1 : 0;
}

static void
fake_cleanup(void)
{
	char cmd[128];

	pci_set_sysfs_root(NULL);
	if (strncmp(fake_root, "/tmp/ixfwd-sysfs.", 17) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_root);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", fake_root);
	}
	fake_root[0] = '\0';
}

static const char *
take_logged(const char *device, int *rc, int *is_vfio)
{
	struct bar bar;

	log_capture_begin();
	*rc = pci_take(device, 0, &bar, is_vfio);
	return log_capture_end();
}

static int
unbind_written(void)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/ixgbe/unbind",
	    fake_root);
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* An IOMMU translating, no VFIO: refused with the commands, untouched. */
static void
test_translating_iommu_refused(void)
{
	const char *out;
	int rc, is_vfio;

	T_REQUIRE(fake("0x10fb\n", 12, "DMA-FQ\n", "ixgbe") == 0);
	out = take_logged("0000:03:00.0", &rc, &is_vfio);
	T_EQ(rc, -1);
	T_EQ(is_vfio, 0);
	T_CHECK(strstr(out, "0000:03:00.0: the IOMMU translates its DMA "
	    "(IOMMU group 12, type DMA-FQ) and it is not bound to vfio-pci")
	    != NULL);
	T_CHECK(strstr(out, "modprobe vfio-pci") != NULL);
	T_CHECK(strstr(out, "echo vfio-pci > /sys/bus/pci/devices/"
	    "0000:03:00.0/driver_override") != NULL);
	T_CHECK(strstr(out, "echo 0000:03:00.0 > /sys/bus/pci/devices/"
	    "0000:03:00.0/driver/unbind") != NULL);
	T_CHECK(strstr(out, "echo 0000:03:00.0 > /sys/bus/pci/drivers_probe")
	    != NULL);
	T_CHECK(strstr(out, "ls /sys/kernel/iommu_groups/12/devices") != NULL);
	T_CHECK(strstr(out, "or boot with iommu=pt") != NULL);
	T_CHECK(!unbind_written());
	fake_cleanup();
}

/* iommu=pt (identity), or no IOMMU: the sysfs path, and it says so. */
static void
test_identity_and_no_iommu_use_sysfs(void)
{
	const char *out;
	int rc, is_vfio;

	/* an e1000: pci_open refuses it, so nothing is taken */
	T_REQUIRE(fake("0x100e\n", 4, "identity\n", "ixgbe") == 0);
	out = take_logged("03:00.0", &rc, &is_vfio);
	T_EQ(rc, -1);
	T_CHECK(strstr(out, "IOMMU group 4 is identity-mapped (iommu=pt): "
	    "using sysfs and physical addresses") != NULL);
	T_CHECK(strstr(out, "not an Intel 82599-family NIC") != NULL);
	fake_cleanup();

	T_REQUIRE(fake("0x100e\n", -1, NULL, "ixgbe") == 0);
	out = take_logged("0000:03:00.0", &rc, &is_vfio);
	T_CHECK(strstr(out, "no IOMMU group (no IOMMU, or it is off): using "
	    "sysfs and physical addresses") != NULL);
	fake_cleanup();

	/* a kernel that does not say the group's type */
	T_REQUIRE(fake("0x100e\n", 5, NULL, "ixgbe") == 0);
	out = take_logged("0000:03:00.0", &rc, &is_vfio);
	T_CHECK(strstr(out, "cannot tell whether the IOMMU translates") !=
	    NULL);
	fake_cleanup();
}

/* vfio: asked for, or bound to vfio-pci: VFIO, and why. */
static void
test_vfio_chosen(void)
{
	const char *out;
	int rc, is_vfio;

	T_REQUIRE(fake("0x10fb\n", 12, "DMA\n", "vfio-pci") == 0);
	out = take_logged("0000:03:00.0", &rc, &is_vfio);
	T_CHECK(strstr(out, "0000:03:00.0: bound to vfio-pci (IOMMU group "
	    "12): using VFIO") != NULL);
	/* this machine's /dev/vfio has no group 12 of ours */
	T_EQ(rc, -1);
	fake_cleanup();

	T_REQUIRE(fake("0x10fb\n", -1, NULL, "ixgbe") == 0);
	out = take_logged("vfio:0000:03:00.0", &rc, &is_vfio);
	T_EQ(rc, -1);
	T_CHECK(strstr(out, "0000:03:00.0: no IOMMU group") != NULL);
	T_CHECK(strstr(out, "the IOMMU is off, so VFIO cannot be used") !=
	    NULL);
	T_CHECK(!unbind_written());
	T_EQ(pci_numa_node("vfio:0000:03:00.0"), 1);
	fake_cleanup();
}

/* A port behind (the emulated) VFIO and one through sysfs cannot share
 * a process: refused, naming both, before either is reset. */
static void
test_vfio_and_sysfs_not_mixed(void)
{
	static struct conf c;
	char path[PATH_MAX];
	struct pipeline *pl;
	const char *out;

	NEED_HW();
	T_REQUIRE(fake("0x10fb\n", -1, NULL, "ixgbe") == 0);
	snprintf(path, sizeof(path), "%s/ixfwd.yaml", fake_root);
	T_REQUIRE(rig_conf_load(path,
	    "ports:\n"
	    "  - { name: inside, device: emulated }\n"
	    "  - { name: outside, device: 0000:03:00.0 }\n"
	    "forward:\n"
	    "  - { from: inside, to: [outside] }\n", &c) == 0);
	emu_engine_stop();			/* the pipeline runs its own */
	setenv("IXFWD_EMU_VFIO", "1", 1);
	log_capture_begin();
	pl = pipe_create(&c);
	out = log_capture_end();
	unsetenv("IXFWD_EMU_VFIO");
	T_CHECK(pl == NULL);
	T_CHECK(strstr(out, "port inside is reached through VFIO (DMA "
	    "addresses mapped in the IOMMU) and port outside through sysfs "
	    "(physical addresses): one process cannot serve both") != NULL);
	if (pl != NULL)
		pipe_destroy(pl);
	fake_cleanup();
	if (emu_engine_start(-1) == -1)
		t_fail(__FILE__, __LINE__, "emu_engine_start");
}

int
main(void)
{
	log_init(1, 0, "test_vfio");
	if (ev_attach() == -1)
		return 1;
	nic_setup_hw(0);		/* DMA memory: mapped through VFIO */
	T_RUN(test_open_regions_and_config);
	T_RUN(test_map_unmap);
	T_RUN(test_traffic_over_vfio);
	T_RUN(test_unmapped_dma_faults);
	T_RUN(test_close_order_vfio);
	T_RUN(test_missing_group_hint);
	T_RUN(test_translating_iommu_refused);
	T_RUN(test_identity_and_no_iommu_use_sysfs);
	T_RUN(test_vfio_chosen);
	T_RUN(test_vfio_and_sysfs_not_mixed);
	nic_teardown_hw();
	return t_done();
}
