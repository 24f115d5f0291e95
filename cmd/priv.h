/*
 * priv.h: giving up root once the privileged setup is done.
 *
 * ixfwd must start as root: it maps the NICs' BARs, writes their PCI
 * configuration, maps and locks hugepages and opens the capture
 * directories.  Then it becomes the configured user (setgroups,
 * setresgid, setresuid), which leaves it no capability in any set, and
 * sets PR_SET_NO_NEW_PRIVS.  What it does afterwards (captures, rotation,
 * reload, the control socket) needs no privilege.
 */
#ifndef IXFWD_PRIV_H
#define IXFWD_PRIV_H

#include <sys/types.h>

#include "conf.h"

struct priv_user {
	char		 name[CONF_USER_MAX];
	char		 group[CONF_USER_MAX];
	uid_t		 uid;
	gid_t		 gid;
	int		 keep_root;	/* root, or the default user missing */
};

/* Look the configuration's user: up.  0, or -1 with the reason in err.
 * A missing default user (user: not given) is not an error: keep_root,
 * and *warning says why. */
int	priv_resolve(const struct conf *c, struct priv_user *u, char *err,
	    size_t errlen, const char **warning);
/* Run fn(arg) with u's effective ids (still root's real ids), to check
 * what u may open.  fn's result, or -1 with errno if the ids could not be
 * switched.  Single-threaded callers only. */
int	priv_as_user(const struct priv_user *u, int (*fn)(void *), void *arg);
/* Become u for good.  0, or -1 with the reason logged. */
int	priv_drop(const struct priv_user *u);
/* Capabilities left in the effective and permitted sets (0 after a
 * drop), -1 if they cannot be read. */
long long priv_caps(void);

#endif /* IXFWD_PRIV_H */
