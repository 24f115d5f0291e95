/*
 * priv.c: the user ixfwd runs as, and the drop to it (see priv.h).
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/capability.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "log.h"
#include "priv.h"

int
priv_resolve(const struct conf *c, struct priv_user *u, char *err,
    size_t errlen, const char **warning)
{
	struct passwd *pw;
	struct group *gr;

	memset(u, 0, sizeof(*u));
	*warning = NULL;
	strlcpy(u->name, c->user, sizeof(u->name));
	strlcpy(u->group, c->group, sizeof(u->group));
	errno = 0;
	if ((pw = getpwnam(c->user)) == NULL) {
		if (!c->user_given) {
			u->keep_root = 1;
			*warning = "the default user ixfwd does not exist: "
			    "running as root (create it, e.g. with "
			    "systemd-sysusers, or set user: in the "
			    "configuration)";
			return 0;
		}
		snprintf(err, errlen, "user: %s: %s", c->user, errno != 0 ?
		    strerror(errno) : "no such user");
		return -1;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (c->group[0] != '\0') {
		errno = 0;
		if ((gr = getgrnam(c->group)) == NULL) {
			snprintf(err, errlen, "user: group %s: %s", c->group,
			    errno != 0 ? strerror(errno) : "no such group");
			return -1;
		}
		u->gid = gr->gr_gid;
	}
	if (u->uid == 0) {
		u->keep_root = 1;
		*warning = "user: root: running as root with every "
		    "capability, for the whole life of the process";
	}
	return 0;
}

int
priv_as_user(const struct priv_user *u, int (*fn)(void *), void *arg)
{
	gid_t groups[1];
	int rc, saved;

	if (u->keep_root || geteuid() != 0)
		return fn(arg);
	groups[0] = u->gid;
	/* supplementary groups first, while still root */
	if (setgroups(1, groups) == -1 || setegid(u->gid) == -1 ||
	    seteuid(u->uid) == -1) {
		saved = errno;
		setegid(0);
		setgroups(0, NULL);
		errno = saved;
		return -1;
	}
	rc = fn(arg);
	saved = errno;
	if (seteuid(0) == -1 || setegid(0) == -1 || setgroups(0, NULL) == -1)
		fatal("back to root after checking as %s", u->name);
	errno = saved;
	return rc;
}

long long
priv_caps(void)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];

	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d) == -1)
		return -1;
	return (long long)(d[0].effective | d[1].effective | d[0].permitted |
	    d[1].permitted);
}

int
priv_drop(const struct priv_user *u)
{
	gid_t groups[1];
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (u->keep_root)
		return 0;
	groups[0] = u->gid;
	if (setgroups(1, groups) == -1) {
		log_warn("setgroups %u", (unsigned)u->gid);
		return -1;
	}
	if (setresgid(u->gid, u->gid, u->gid) == -1) {
		log_warn("setresgid %u", (unsigned)u->gid);
		return -1;
	}
	/* From uid 0 to another, the kernel clears every capability set
	 * of every thread (glibc changes the ids of all of them). */
	if (setresuid(u->uid, u->uid, u->uid) == -1) {
		log_warn("setresuid %u", (unsigned)u->uid);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	/* Make sure: nothing can be taken back. */
	if (getresuid(&r, &e, &s) == -1 || r != u->uid || e != u->uid ||
	    s != u->uid || getresgid(&rg, &eg, &sg) == -1 || rg != u->gid ||
	    eg != u->gid || sg != u->gid || setuid(0) != -1 ||
	    priv_caps() != 0) {
		log_warnx("privileges are not all gone after the drop to %s",
		    u->name);
		return -1;
	}
	log_info("running as %s (uid %u, gid %u), no capabilities", u->name,
	    (unsigned)u->uid, (unsigned)u->gid);
	return 0;
}
