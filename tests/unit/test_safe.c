/*
 * test_safe.c: a NIC left safe.  On close the model must see the queues
 * stop, a reset and bus mastering off before any DMA memory is given
 * back; a queue that will not stop still gets the reset before memory
 * goes, and a device that cannot be stopped at all keeps its memory; a
 * process dying of a fatal signal resets its NICs from the handler; and
 * a start resets every NIC before the first DMA allocation.
 *
 * The model records what each NIC was told (emu_events_attach) into
 * shared memory, so that a crashing child's record survives it.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "pipeline.h"
#include "emu_events.h"
#include "nicrig.h"
#include "pipelinerig.h"

/* NIC name on a queue wire with a pool, its port opened through bar
 * (NULL: the NIC's own) without waiting for the link. */
static int
safe_open(struct nic *n, const char *name, const struct bar *bar)
{
	struct ixgbe_conf c;

	if (bar == NULL)
		bar = &n->bar;
	nic_conf(&c, n, name, 512, 256);
	c.link_timeout_ms = 0;
	n->port = ixgbe_open(bar, &c);
	return n->port != NULL ? 0 : -1;
}

static int
safe_nic(struct nic *n, const char *name)
{
	if (nic_create(n, name, 0x5a, NULL) == -1)
		return -1;
	return nic_pools(n, 1024, 0, 0);
}

/* In NIC name's record: a reset (open's), then another (the one asked
 * for), then bus mastering off; with gen, nothing freed before either
 * (dma_unmap_gen still gen). */
static void
reset_then_master_off(const char *name, const uint64_t *gen)
{
	int on, rst, off;

	on = ev_find(EMU_EV_RESET, name, 0);
	rst = ev_find(EMU_EV_RESET, name, on + 1);
	off = ev_find(EMU_EV_MASTER_OFF, name, rst);
	T_CHECK(on >= 0);
	T_CHECK(rst > on);
	T_CHECK(off > rst);
	if (gen != NULL && rst >= 0 && off >= 0) {
		T_EQ(ev->ev[rst].unmap_gen, *gen);
		T_EQ(ev->ev[off].unmap_gen, *gen);
	}
}

/* Close: queues off, then reset, then bus mastering off, and only then
 * is any memory freed (dma_unmap_gen moves on every dma_free()). */
static void
test_close_order(void)
{
	struct nic n;
	uint64_t gen;

	NEED_HW();
	ev_reset();
	T_REQUIRE(safe_nic(&n, "safe0") == 0);
	T_REQUIRE(safe_open(&n, "safe0", NULL) == 0);
	T_CHECK(emu_pci_command(n.emu) & EMU_PCI_COMMAND_MASTER);
	gen = __atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE);
	port_close(n.port);
	n.port = NULL;

	/* the first reset is open's, the next one close's */
	reset_then_master_off("safe0", &gen);
	T_CHECK(__atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE) > gen);
	T_CHECK(!(emu_pci_command(n.emu) & EMU_PCI_COMMAND_MASTER));
	nic_destroy(&n);
}

/* A bar in front of the model that can refuse to stop a queue, to
 * reset, and to turn bus mastering off, as a wedged device would. */
struct wedge {
	struct bar	 inner;
	int		 stuck_queue;	/* RXDCTL.ENABLE cannot be cleared */
	int		 stuck_reset;	/* CTRL.RST writes are lost */
	int		 stuck_master;	/* config writes are lost */
};

static uint32_t
wedge_read32(void *ctx, uint32_t off)
{
	struct wedge *w = ctx;
	uint32_t v = bar_read32(&w->inner, off);

	if (w->stuck_reset && off == IXGBE_CTRL)
		v |= IXGBE_CTRL_RST;		/* never completes */
	return v;
}

static void
wedge_write32(void *ctx, uint32_t off, uint32_t val)
{
	struct wedge *w = ctx;

	if (w->stuck_queue && off == IXGBE_RXDCTL(0) &&
	    !(val & IXGBE_RXDCTL_ENABLE))
		return;
	if (w->stuck_reset && off == IXGBE_CTRL && (val & IXGBE_CTRL_RST))
		return;
	bar_write32(&w->inner, off, val);
}

static const struct bar_ops wedge_ops = { wedge_read32, wedge_write32 };

static ssize_t
wedge_cfg_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	struct wedge *w = ctx;

	return w->inner.cfg.ops->pread(w->inner.cfg.ctx, fd, buf, len, off);
}

static ssize_t
wedge_cfg_pwrite(void *ctx, int fd, const void *buf, size_t len, off_t off)
{
	struct wedge *w = ctx;

	if (w->stuck_master)
		return (ssize_t)len;		/* accepted, and ignored */
	return w->inner.cfg.ops->pwrite(w->inner.cfg.ctx, fd, buf, len, off);
}

static const struct bar_cfg_ops wedge_cfg_ops = {
	wedge_cfg_pread, wedge_cfg_pwrite,
};

static void
wedge_bar(struct wedge *w, struct emu82599 *emu, struct bar *b)
{
	emu_bar(emu, &w->inner);
	memset(b, 0, sizeof(*b));
	b->len = w->inner.len;
	b->device_id = w->inner.device_id;
	b->ops = &wedge_ops;
	b->ctx = w;
	b->cfg.valid = 1;
	b->cfg.fd = -1;
	b->cfg.ops = &wedge_cfg_ops;
	b->cfg.ctx = w;
}

/* Open a NIC behind a wedge (the wedge's own emu). */
static int
wedge_open(struct nic *n, struct wedge *w, const char *name)
{
	struct bar b;

	memset(w, 0, sizeof(*w));
	if (safe_nic(n, name) == -1)
		return -1;
	wedge_bar(w, n->emu, &b);
	return safe_open(n, name, &b);
}

/* A queue that does not stop: the timeout is reported, and the device
 * is reset and loses bus mastering before its rings are freed. */
static void
test_stuck_queue_reset_anyway(void)
{
	struct wedge w;
	struct nic n;
	const char *out;
	uint64_t gen;

	NEED_HW();
	ev_reset();
	T_REQUIRE(wedge_open(&n, &w, "wedge0") == 0);
	w.stuck_queue = 1;
	gen = __atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE);
	log_capture_begin();
	port_close(n.port);
	out = log_capture_end();
	n.port = NULL;
	T_CHECK(strstr(out, "timeout waiting for RX queue 0 to stop") != NULL);
	T_CHECK(strstr(out, "a queue did not stop; resetting the device "
	    "before its memory is freed") != NULL);
	reset_then_master_off("wedge0", &gen);
	T_CHECK(__atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE) > gen);
	nic_destroy(&n);
}

/* Neither reset nor bus mastering off: the memory is kept (in a child,
 * since from then on that process frees no DMA memory at all). */
static int
unstoppable_case(void)
{
	struct wedge w;
	struct nic n;
	const char *out;
	uint64_t gen;

	if (wedge_open(&n, &w, "wedge1") == -1)
		return 10;
	w.stuck_queue = w.stuck_reset = w.stuck_master = 1;
	gen = __atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE);
	log_capture_begin();
	port_close(n.port);
	out = log_capture_end();
	if (strstr(out, "its DMA memory is kept, not freed") == NULL)
		return 11;
	if (__atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE) != gen)
		return 12;			/* rings were freed */
	mempool_destroy(n.rxpool);		/* kept too */
	if (__atomic_load_n(&dma_unmap_gen, __ATOMIC_ACQUIRE) != gen)
		return 13;
	return 0;
}

static void
test_unstoppable_memory_kept(void)
{
	int status;
	pid_t pid;

	NEED_HW();
	fflush(stdout);
	if ((pid = fork()) == 0)
		_exit(unstoppable_case());
	T_REQUIRE(pid > 0);
	T_CHECK(waitpid(pid, &status, 0) == pid);
	T_CHECK(WIFEXITED(status));
	T_EQ(WEXITSTATUS(status), 0);
}

static volatile int *volatile crash_ptr;	/* NULL */

/* A real fault, not one the sanitizers stop first: UBSan would report
 * the null store and exit, ASan would check its shadow memory. */
static void __attribute__((noinline, no_sanitize_address,
    no_sanitize_undefined))
crash_fault(void)
{
	*crash_ptr = 1;
}

/* A child opens a port and dies of sig; the record must show the NIC
 * reset and its bus mastering off after the port was armed. */
static void
crash_case(int sig)
{
	struct nic n;
	char name[16];
	int status;
	pid_t pid;

	NEED_HW();
	ev_reset();
	snprintf(name, sizeof(name), "crash%d", sig);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		if (safe_nic(&n, name) == -1 || safe_open(&n, name, NULL) == -1)
			_exit(20);
		if (sig == SIGSEGV)
			crash_fault();
		else if (sig == SIGABRT)
			abort();
		else
			raise(sig);
		_exit(21);
	}
	T_REQUIRE(pid > 0);
	T_CHECK(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status))
		t_fail(__FILE__, __LINE__, "child exited %d", WEXITSTATUS(status));
	T_CHECK(WIFSIGNALED(status));
	if (WIFSIGNALED(status))
		T_EQ(WTERMSIG(status), sig);	/* the signal took its course */
	/* open's reset, then the handler's */
	reset_then_master_off(name, NULL);
}

static void
test_crash_segv_resets(void)
{
	crash_case(SIGSEGV);
}

static void
test_crash_abort_resets(void)
{
	crash_case(SIGABRT);
}

static void
test_crash_bus_resets(void)
{
	crash_case(SIGBUS);
}

/* A start resets every NIC before the first DMA allocation. */
static void
test_start_resets_before_alloc(void)
{
	static struct conf c;
	char dir[] = "/tmp/ixfwd-test-safe.XXXXXX", path[64];
	struct pipeline *pl;
	uint64_t gen;
	int ra, rb;

	NEED_HW();
	T_REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/ixfwd.yaml", dir);
	T_REQUIRE(rig_conf_load(path,
	    "ports:\n"
	    "  - { name: sa, device: emulated, wire: { peer: sb } }\n"
	    "  - { name: sb, device: emulated, wire: { peer: sa } }\n"
	    "forward:\n"
	    "  - { from: sa, to: [sb] }\n", &c) == 0);
	unlink(path);
	rmdir(dir);
	emu_engine_stop();			/* the pipeline runs its own */
	ev_reset();
	gen = __atomic_load_n(&dma_alloc_gen, __ATOMIC_ACQUIRE);
	pl = pipe_create(&c);
	T_CHECK(pl != NULL);
	ra = ev_find(EMU_EV_RESET, "sa", 0);
	rb = ev_find(EMU_EV_RESET, "sb", 0);
	T_CHECK(ra >= 0 && rb >= 0);
	if (ra >= 0 && rb >= 0) {
		T_EQ(ev->ev[ra].alloc_gen, gen);
		T_EQ(ev->ev[rb].alloc_gen, gen);
	}
	T_CHECK(__atomic_load_n(&dma_alloc_gen, __ATOMIC_ACQUIRE) > gen);
	pipe_destroy(pl);
	if (emu_engine_start(-1) == -1)
		t_fail(__FILE__, __LINE__, "emu_engine_start");
}

int
main(void)
{
	log_init(1, 0, "test_safe");
	if (ev_attach() == -1) {
		perror("mmap");
		return 1;
	}
	nic_setup_hw(1);
	T_RUN(test_close_order);
	T_RUN(test_stuck_queue_reset_anyway);
	T_RUN(test_unstoppable_memory_kept);
	T_RUN(test_crash_segv_resets);
	T_RUN(test_crash_abort_resets);
	T_RUN(test_crash_bus_resets);
	T_RUN(test_start_resets_before_alloc);
	nic_teardown_hw();
	return t_done();
}
