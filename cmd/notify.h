/*
 * notify.h: telling systemd how the daemon is (the sd_notify(3) protocol,
 * one datagram to $NOTIFY_SOCKET; nothing happens outside systemd).
 *
 *   READY=1        once every link is up or link_timeout expired
 *   STATUS=...     a one-line rate summary, every few seconds
 *   RELOADING=1    with MONOTONIC_USEC, then READY=1, around a reload
 *   STOPPING=1     on SIGTERM
 *   WATCHDOG=1     every WATCHDOG_USEC / 2, only while every worker's
 *                  loop counter advances: a wedged worker stops the pings
 *                  and systemd restarts the service
 */
#ifndef IXFWD_NOTIFY_H
#define IXFWD_NOTIFY_H

#include <stdint.h>

#include "pipeline.h"

#define NOTIFY_STATUS_MS	5000	/* STATUS= this often */

/* Read $NOTIFY_SOCKET and $WATCHDOG_USEC (for this pid only). */
void	notify_init(void);
/* One message, "KEY=value\n..."; 0, or -1 (logged) if it was not sent. */
int	notify_send(const char *state);
/* RELOADING=1 with MONOTONIC_USEC=now. */
void	notify_reloading(void);
/* How long the main loop may sleep before notify_tick() is due, ms. */
int	notify_interval_ms(void);
/* From the main loop, at least every notify_interval_ms(): the watchdog
 * ping when every worker has made progress since the last one, STATUS=
 * every NOTIFY_STATUS_MS.  Writes the status line to status (len bytes)
 * when it made a new one; returns 1 then, 0 otherwise. */
int	notify_tick(struct pipeline *pl, char *status, size_t len);

#endif /* IXFWD_NOTIFY_H */
