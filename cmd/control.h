/*
 * control.h: the control socket and the metrics endpoint (cmd/).
 *
 * The daemon listens on a unix stream socket (control: { socket: },
 * ixfwd -s); ixfwdctl(8) sends one request a line and reads one answer:
 *
 *   request:  words separated by blanks, at most CONTROL_LINE_MAX bytes,
 *             printable ASCII, ended by a newline
 *   answer:   "ixfwd/1 ok LEN\n" or "ixfwd/1 error LEN\n", then LEN bytes
 *             of text (JSON where --json was asked for)
 *   capture:  "ixfwd/1 stream\n", then "data LEN\n" and LEN bytes of pcap
 *             as often as needed, then "end written=N dropped=N\n"
 *
 * Everything runs on the main thread: main() polls the fds
 * control_pollfds() fills, with control_timeout_ms(), and hands the
 * result to control_dispatch(); control_tick() once a second takes the
 * counter snapshots rates are computed from.  The workers are never
 * asked anything: a request reads the counters they publish.
 */
#ifndef IXFWD_CONTROL_H
#define IXFWD_CONTROL_H

#include <poll.h>
#include <stddef.h>

#ifndef IXFWD_VERSION
#define IXFWD_VERSION		"0.9"
#endif

#define CONTROL_PROTOCOL	1
#define CONTROL_LINE_MAX	4096	/* a request, newline included */
#define CONTROL_ARGS_MAX	64
#define CONTROL_CLIENTS_MAX	32	/* connections at once; more are
					 * answered "busy" and closed */
#define CONTROL_LIVE_MAX	4	/* live captures at once */
#define CONTROL_IDLE_S		10	/* a client that neither sends a
					 * whole request nor reads its answer
					 * for this long is closed */
#define CONTROL_POLLFDS		(CONTROL_CLIENTS_MAX + 2)

struct daemon;
struct control;

/* A request split into words.  control_parse() returns 0, or -1 with
 * the reason in err. */
struct control_req {
	int		 argc;
	char		*argv[CONTROL_ARGS_MAX + 1];
	char		 buf[CONTROL_LINE_MAX];
};

/* control_parse.c */
int		 control_parse(const char *line, size_t len,
		    struct control_req *r, char *err, size_t errlen);

/* control.c */
/* Listen on path (mode 0660, the process's group) and, if listen is not
 * empty, serve GET /metrics there.  NULL with the reason logged; the
 * daemon then runs without them. */
struct control	*control_open(struct daemon *d, const char *path,
		    const char *listen);
int		 control_pollfds(struct control *ctl, struct pollfd *fds,
		    int max);
int		 control_timeout_ms(const struct control *ctl);
void		 control_dispatch(struct control *ctl, const struct pollfd *fds,
		    int n);
void		 control_tick(struct control *ctl);
/* Detach live captures, close every client, remove the socket. */
void		 control_close(struct control *ctl);

#endif /* IXFWD_CONTROL_H */
