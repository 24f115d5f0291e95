/*
 * ixgbe_crash.c: reset every armed NIC from a fatal-signal handler.
 *
 * The handler may run at any point of any thread, with the heap or a
 * lock in any state, so it only reads a static table filled in advance
 * and touches the devices: volatile loads and stores on the mapped BAR0,
 * pread/pwrite on the config-space descriptor, clock_gettime; no malloc,
 * no locks, no stdio, no logging (signal-safety(7)).  A device model
 * (bar.ops) is called through its accessors instead; those are the
 * model's business, not a real NIC's.
 *
 * The reset is the one ixgbe_reset() does, cut to what is safe here:
 * §5.2.5.3.2 GIO master disable, a bounded wait for STATUS.GIO master
 * enable to clear, §4.6.3.2 CTRL.RST; then bus mastering off in the PCI
 * command register.  It does not wait for the reset to complete: nothing
 * touches the device after it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "bar.h"
#include "ixgbe_crash.h"
#include "ixgbe_regs.h"
#include "log.h"
#include "pci.h"

#define IXGBE_CRASH_MASTER_WAIT_NS	10000000ll	/* 10 ms */

struct ixgbe_crash_slot {
	int		 used;		/* published last (release) */
	struct bar	 bar;
};

static struct ixgbe_crash_slot ixgbe_crash_slots[IXGBE_CRASH_SLOTS];
static const int ixgbe_crash_signals[] = {
	SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGSYS, SIGQUIT,
};
#define IXGBE_CRASH_NSIG \
	(sizeof(ixgbe_crash_signals) / sizeof(ixgbe_crash_signals[0]))
static struct sigaction ixgbe_crash_old[IXGBE_CRASH_NSIG];
static int ixgbe_crash_installed;
static volatile sig_atomic_t ixgbe_crash_done;

static long long
ixgbe_crash_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void
ixgbe_crash_reset_one(const struct bar *b)
{
	long long deadline;
	uint32_t v;

	v = bar_read32(b, IXGBE_CTRL);
	if (v != 0xffffffffu) {
		bar_write32(b, IXGBE_CTRL, v | IXGBE_CTRL_PCIE_MASTER_DISABLE);
		deadline = ixgbe_crash_now_ns() + IXGBE_CRASH_MASTER_WAIT_NS;
		while ((bar_read32(b, IXGBE_STATUS) & IXGBE_STATUS_MASTER_EN) &&
		    ixgbe_crash_now_ns() < deadline)
			;
		bar_write32(b, IXGBE_CTRL, v | IXGBE_CTRL_RST);
	}
	(void)pci_set_master(b, 0);
}

void
ixgbe_crash_reset_all(void)
{
	int i;

	for (i = 0; i < IXGBE_CRASH_SLOTS; i++)
		if (__atomic_load_n(&ixgbe_crash_slots[i].used,
		    __ATOMIC_ACQUIRE))
			ixgbe_crash_reset_one(&ixgbe_crash_slots[i].bar);
}

static void
ixgbe_crash_handler(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	size_t i;

	(void)si;
	(void)uc;
	if (!ixgbe_crash_done) {
		ixgbe_crash_done = 1;
		ixgbe_crash_reset_all();
	}
	/* Then what would have happened without us: the previous action,
	 * taken when the handler returns (a fault repeats; a raised or
	 * sent signal is raised again, blocked until then). */
	for (i = 0; i < IXGBE_CRASH_NSIG; i++)
		if (ixgbe_crash_signals[i] == sig)
			(void)sigaction(sig, &ixgbe_crash_old[i], NULL);
	(void)raise(sig);
	errno = saved;
}

static int
ixgbe_crash_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ixgbe_crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < IXGBE_CRASH_NSIG; i++) {
		if (sigaction(ixgbe_crash_signals[i], &sa,
		    &ixgbe_crash_old[i]) == -1) {
			log_warn("fatal-signal handler for signal %d",
			    ixgbe_crash_signals[i]);
			while (i-- > 0)
				(void)sigaction(ixgbe_crash_signals[i],
				    &ixgbe_crash_old[i], NULL);
			return -1;
		}
	}
	return 0;
}

/* Control thread only (open and close). */
int
ixgbe_crash_arm(const struct bar *bar)
{
	int i;

	if (!ixgbe_crash_installed) {
		if (ixgbe_crash_install() == -1)
			return -1;
		ixgbe_crash_installed = 1;
	}
	for (i = 0; i < IXGBE_CRASH_SLOTS; i++) {
		struct ixgbe_crash_slot *s = &ixgbe_crash_slots[i];

		if (__atomic_load_n(&s->used, __ATOMIC_RELAXED))
			continue;
		s->bar = *bar;
		__atomic_store_n(&s->used, 1, __ATOMIC_RELEASE);
		return 0;
	}
	log_warnx("more than %d NICs: no room to reset them on a crash",
	    IXGBE_CRASH_SLOTS);
	return -1;
}

void
ixgbe_crash_disarm(const struct bar *bar)
{
	int i;

	for (i = 0; i < IXGBE_CRASH_SLOTS; i++) {
		struct ixgbe_crash_slot *s = &ixgbe_crash_slots[i];

		if (__atomic_load_n(&s->used, __ATOMIC_RELAXED) &&
		    s->bar.mmio == bar->mmio && s->bar.ops == bar->ops &&
		    s->bar.ctx == bar->ctx) {
			__atomic_store_n(&s->used, 0, __ATOMIC_RELEASE);
			return;
		}
	}
}
