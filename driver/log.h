/*
 * log.h: messages of the daemon and its libraries.  To stderr in the
 * foreground, to syslog(3) as a daemon.  Never on the fast path.
 */
#ifndef IXFWD_LOG_H
#define IXFWD_LOG_H

#include <stdarg.h>

/* foreground: stderr; else syslog.  verbose: also log_debug. */
void	log_init(int foreground, int verbose, const char *ident);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* + strerror(errno) */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* IXFWD_LOG_H */
