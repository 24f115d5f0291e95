/*
 * control_priv.h: the control socket's state, shared by control.c (the
 * socket, the commands), control_live.c (live captures) and metrics.c
 * (GET /metrics).  Main thread only.
 */
#ifndef IXFWD_CONTROL_PRIV_H
#define IXFWD_CONTROL_PRIV_H

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>

#include "capture.h"
#include "conf.h"
#include "control.h"
#include "pipeline.h"

#define CTL_OUT_MAX	(64 << 20)	/* an answer, at most */

struct ctl_conn {
	int		 fd;		/* -1: free slot */
	char		 in[CONTROL_LINE_MAX];
	size_t		 inlen;
	char		*out;
	size_t		 outlen, outoff, outcap;
	int		 closing;	/* close once out is written */
	uint64_t	 last_ms;	/* last byte in or out */
	char		 live[CAPTURE_NAME_MAX];	/* live capture, "" none */
	int		 live_done;	/* "end" queued */
};

struct ctl_snap {
	int		 valid;
	uint64_t	 ms;
	struct pipe_counters port[CONF_PORTS_MAX];
	struct pipe_worker_counters worker[PIPE_WORKERS_MAX];
};

struct ctl_rates {
	double		 rx_pps, tx_pps, rx_bps, tx_bps;
};

struct MHD_Daemon;

struct control {
	struct daemon	*d;
	int		 lfd;
	char		 path[CONF_SOCKET_MAX];
	dev_t		 dev;		/* the socket we made, to remove */
	ino_t		 ino;
	struct ctl_conn	 conns[CONTROL_CLIENTS_MAX];
	struct control_req req;
	int		 nlive;
	unsigned int	 live_seq;
	double		 tsc_hz;
	struct ctl_snap	 cur, prev;	/* now-ish and a second before */
	struct MHD_Daemon *mhd;
	int		 mhd_fd;
	uint64_t	 refused_ms;	/* last refused peer logged */
	unsigned int	 refused_quiet;	/* refused since, not logged */
};

/* control.c */
int	ctl_queue(struct ctl_conn *cn, const void *p, size_t n);
void	ctl_answer(struct ctl_conn *cn, int ok, const char *body, size_t len);
void	ctl_answerf(struct ctl_conn *cn, int ok, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	ctl_port_rates(const struct control *ctl, int port,
	    struct ctl_rates *r);
double	ctl_worker_busy(const struct control *ctl, int worker);
double	ctl_worker_sleep(const struct control *ctl, int worker);

/* control_live.c */
int	ctl_is_live(const struct control *ctl, const char *name);
void	ctl_live_start(struct control *ctl, struct ctl_conn *cn,
	    const struct control_req *r);
/* Move stream bytes to cn's output; -1 when it is to be closed. */
int	ctl_live_pump(struct control *ctl, struct ctl_conn *cn);
void	ctl_live_end(struct control *ctl, struct ctl_conn *cn);

/* metrics.c */
int	ctl_metrics_open(struct control *ctl, const char *listen);
int	ctl_metrics_pollfds(struct control *ctl, struct pollfd *fds, int max);
void	ctl_metrics_run(struct control *ctl);
void	ctl_metrics_close(struct control *ctl);

#endif /* IXFWD_CONTROL_PRIV_H */
