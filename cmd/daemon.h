/*
 * daemon.h: the running daemon as the control plane sees it (cmd/).
 *
 * The main thread owns a struct daemon: the configuration that runs, the
 * pipeline built from it and how the process was started.  The control
 * socket, the signal handlers and systemd's ExecReload all reload through
 * daemon_reload().
 */
#ifndef IXFWD_DAEMON_H
#define IXFWD_DAEMON_H

#include <sys/types.h>

#include <stdio.h>
#include <time.h>

#include "conf.h"
#include "pipeline.h"
#include "priv.h"

struct daemon {
	const char	*conf_path;	/* -c */
	uid_t		 conf_owner;	/* who started ixfwd: the file is
					 * trusted from root or this user */
	struct conf	*conf;		/* the configuration running */
	struct pipeline	*pl;
	struct priv_user user;		/* what it runs as */
	struct timespec	 started;	/* CLOCK_MONOTONIC */
	unsigned int	 reloads;	/* applied since start */
};

/*
 * Read and check the whole configuration file again and apply what
 * changed: filters, rule lists, VLAN handling, the bridge's settings and
 * static entries, captures.  Every error of the file, every change (one
 * line each, see conf_diff.h) and the outcome are logged and written to
 * report (may be NULL); the last line starts "reloaded" or "not
 * reloaded".  A file with an error, or with a change that needs a
 * restart, changes nothing.  Main thread only.  0 applied (or nothing to
 * change), -1 refused.
 */
int	daemon_reload(struct daemon *d, FILE *report);

#endif /* IXFWD_DAEMON_H */
