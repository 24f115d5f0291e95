/*
 * ixgbe_crash.h: a NIC left safe when ixfwd dies of a fatal signal.
 *
 * Every NIC the driver has reset and lets master the bus is in a static
 * table.  On SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGSYS or SIGQUIT
 * a handler that only touches registers resets each of them and turns
 * its bus mastering off, so that the armed RX rings stop writing into
 * hugepages the kernel is about to give to another process; then the
 * signal takes its course (the previous action, a core dump by default).
 */
#ifndef IXFWD_IXGBE_CRASH_H
#define IXFWD_IXGBE_CRASH_H

#include "bar.h"

#define IXGBE_CRASH_SLOTS	64

/* Enter bar (copied) in the table, installing the handlers the first
 * time.  0, or -1 with the reason logged (table full). */
int	ixgbe_crash_arm(const struct bar *bar);
/* Take it out again (the device is stopped). */
void	ixgbe_crash_disarm(const struct bar *bar);
/* What the handler does, for every NIC in the table; async-signal-safe
 * for real devices (volatile stores, pread/pwrite). */
void	ixgbe_crash_reset_all(void);

#endif /* IXFWD_IXGBE_CRASH_H */
