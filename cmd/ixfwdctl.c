/*
 * ixfwdctl: ask a running ixfwd over its control socket.  See
 * ixfwdctl(8); the protocol is in control.h.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <jansson.h>

#include "conf.h"
#include "control.h"

static const char *sock_path = CONF_SOCKET_DEFAULT;
static volatile sig_atomic_t interrupted;	/* SIGINT, SIGTERM, SIGALRM */
static volatile sig_atomic_t timed_out;		/* SIGALRM */
/* A live capture asked the daemon to stop: only the answer is awaited,
 * and a second SIGINT (timeout(1) signals its whole process group after
 * the child) must not cut that wait short; SIGALRM still does. */
static int stopping;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ixfwdctl [-s socket] command [argument ...]\n"
	    "       ixfwdctl [-s socket] capture port [-c count] "
	    "[-s snaplen] [-d rx | tx | both]\n"
	    "                [-w file] [expression]\n");
	exit(2);
}

static void
on_signal(int sig)
{
	if (sig == SIGALRM)
		timed_out = 1;
	interrupted = 1;
}

static int
ctl_connect(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof(sun.sun_path))
		errx(1, "%s: path too long", sock_path);
	memcpy(sun.sun_path, sock_path, strlen(sock_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	switch (errno) {
	case ENOENT:
		errx(1, "is ixfwd running? no socket at %s", sock_path);
	case ECONNREFUSED:
		errx(1, "is ixfwd running? nothing answers at %s", sock_path);
	case EACCES:
	case EPERM:
		errx(1, "%s: permission denied (root and ixfwd's group may "
		    "connect)", sock_path);
	default:
		err(1, "%s", sock_path);
	}
}

static void
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			/* ixfwd answered and closed before reading (a
			 * refusal): the answer is still there to read */
			if (errno == EPIPE || errno == ECONNRESET)
				return;
			err(1, "%s: send", sock_path);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Buffered reading of the answer. */
struct rd {
	int	 fd;
	char	 buf[65536];
	size_t	 off, len;
};

/* 1 byte or more into r, 0 at the end, -1 interrupted. */
static int
rd_fill(struct rd *r)
{
	ssize_t n;

	if (r->off < r->len)
		return 1;
	for (;;) {
		n = recv(r->fd, r->buf, sizeof(r->buf), 0);
		if (n >= 0)
			break;
		if (errno == EINTR) {
			if (timed_out || (interrupted && !stopping))
				return -1;
			continue;
		}
		err(1, "%s: recv", sock_path);
	}
	r->off = 0;
	r->len = (size_t)n;
	return n > 0;
}

/* A line without its newline; NULL at the end. */
static char *
rd_line(struct rd *r, char *line, size_t max)
{
	size_t n = 0;
	int rc;

	for (;;) {
		if ((rc = rd_fill(r)) <= 0)
			return rc < 0 || n == 0 ? NULL : (line[n] = '\0', line);
		while (r->off < r->len) {
			char ch = r->buf[r->off++];

			if (ch == '\n') {
				line[n] = '\0';
				return line;
			}
			if (n + 1 < max)
				line[n++] = ch;
		}
	}
}

/* n bytes to f (NULL: into out, at most n); 0, or -1 cut short. */
static int
rd_bytes(struct rd *r, size_t n, FILE *f, char *out)
{
	while (n > 0) {
		size_t k;

		if (rd_fill(r) <= 0)
			return -1;
		k = r->len - r->off < n ? r->len - r->off : n;
		if (f != NULL && fwrite(r->buf + r->off, 1, k, f) != k)
			return -2;
		if (out != NULL) {
			memcpy(out, r->buf + r->off, k);
			out += k;
		}
		r->off += k;
		n -= k;
	}
	return 0;
}

/* One request, its answer's body in *body (malloc'd); 1 ok, 0 error. */
static int
request(int fd, struct rd *r, const char *req, char **body)
{
	char line[256], word[16];
	size_t len;
	int ver;

	send_all(fd, req, strlen(req));
	send_all(fd, "\n", 1);
	if (rd_line(r, line, sizeof(line)) == NULL)
		errx(1, "%s: ixfwd closed the connection without an answer",
		    sock_path);
	if (sscanf(line, "ixfwd/%d %15s %zu", &ver, word, &len) != 3)
		errx(1, "%s: not an answer from ixfwd: %.80s", sock_path, line);
	if (ver != CONTROL_PROTOCOL)
		errx(1, "%s: ixfwd speaks protocol %d, this ixfwdctl %d",
		    sock_path, ver, CONTROL_PROTOCOL);
	if ((*body = malloc(len + 1)) == NULL)
		err(1, "answer of %zu bytes", len);
	if (rd_bytes(r, len, NULL, *body) != 0)
		errx(1, "%s: answer cut short", sock_path);
	(*body)[len] = '\0';
	return strcmp(word, "ok") == 0;
}

static int
simple(int argc, char **argv)
{
	char req[CONTROL_LINE_MAX], *body;
	struct rd r;
	size_t n = 0;
	int i, ok;

	for (i = 0; i < argc; i++) {
		int w = snprintf(req + n, sizeof(req) - n, "%s%s",
		    i ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(req) - n)
			errx(2, "request longer than %d bytes",
			    CONTROL_LINE_MAX - 1);
		n += (size_t)w;
	}
	memset(&r, 0, sizeof(r));
	r.fd = ctl_connect();
	ok = request(r.fd, &r, req, &body);
	fputs(body, ok ? stdout : stderr);
	free(body);
	close(r.fd);
	return ok ? 0 : 1;
}

/*
 * capture PORT [-c count] [-s snaplen] [-d dir] [-w file] [expression]
 */

static int
capture(int argc, char **argv)
{
	char req[CONTROL_LINE_MAX], line[256], *body;
	const char *file = NULL;
	unsigned long long written = 0, dropped = 0, got = 0;
	struct sigaction sa;
	struct rd r;
	FILE *out;
	size_t n;
	int i, w, ended = 0, shut = 0, created = 0;

	if (argc < 2)
		usage();
	n = (size_t)snprintf(req, sizeof(req), "capture %s", argv[1]);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0) {
			if (++i == argc)
				usage();
			file = argv[i];
			continue;
		}
		if (strchr(argv[i], '\n') != NULL)
			errx(2, "a newline in an argument");
		w = snprintf(req + n, sizeof(req) - n, " %s", argv[i]);
		if (w < 0 || (size_t)w >= sizeof(req) - n)
			errx(2, "request longer than %d bytes",
			    CONTROL_LINE_MAX - 1);
		n += (size_t)w;
	}
	if (file == NULL || strcmp(file, "-") == 0) {
		if (file == NULL && isatty(STDOUT_FILENO))
			errx(2, "pcap is not for a terminal: -w file, or "
			    "-w - | tcpdump -r -");
		out = stdout;
	} else if ((out = fopen(file, "wx")) != NULL)
		created = 1;
	else if (errno != EEXIST || (out = fopen(file, "w")) == NULL)
		err(1, "%s", file);

	memset(&r, 0, sizeof(r));
	r.fd = ctl_connect();
	send_all(r.fd, req, n);
	send_all(r.fd, "\n", 1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (rd_line(&r, line, sizeof(line)) == NULL)
		errx(1, "%s: no answer", sock_path);
	if (strncmp(line, "ixfwd/1 stream", 14) != 0) {
		size_t len;
		char word[16];

		if (sscanf(line, "ixfwd/%*d %15s %zu", word, &len) != 2 ||
		    (body = malloc(len + 1)) == NULL ||
		    rd_bytes(&r, len, NULL, body) != 0)
			errx(1, "%s: not an answer from ixfwd", sock_path);
		body[len] = '\0';
		fprintf(stderr, "ixfwdctl: %s", body);
		free(body);
		/* refused: no empty file of ours left behind */
		if (out != stdout) {
			fclose(out);
			if (created)
				unlink(file);
		}
		close(r.fd);
		return 1;
	}
	for (;;) {
		if (interrupted && !shut) {
			/* the daemon detaches the capture and says "end" */
			shutdown(r.fd, SHUT_WR);
			shut = stopping = 1;
			alarm(10);
		}
		if (rd_line(&r, line, sizeof(line)) == NULL) {
			if (interrupted && !shut)
				continue;
			break;
		}
		if (sscanf(line, "data %zu", &n) == 1) {
			if ((w = rd_bytes(&r, n, out, NULL)) == -2) {
				/* the reader went away (tcpdump -c): done */
				if (!shut)
					shutdown(r.fd, SHUT_WR);
				shut = 1;
				break;
			}
			if (w != 0)
				break;
			got += n;
			fflush(out);
			continue;
		}
		if (sscanf(line, "end written=%llu dropped=%llu", &written,
		    &dropped) == 2) {
			ended = 1;
			break;
		}
		errx(1, "%s: unexpected %.80s", sock_path, line);
	}
	if (fflush(out) == EOF && !shut)
		err(1, "%s", file != NULL ? file : "stdout");
	if (out != stdout)
		fclose(out);
	close(r.fd);
	if (ended)
		fprintf(stderr, "%llu packets captured, %llu dropped by "
		    "ixfwd\n", written, dropped);
	else if (shut && interrupted)
		fprintf(stderr, "capture stopped; ixfwd did not say how many "
		    "packets it took\n");
	else if (!shut)
		errx(1, "%s: the stream ended early (%llu bytes)", sock_path,
		    got);
	return 0;
}

/*
 * top
 */

static void
human(char *buf, size_t len, double v, const char *unit)
{
	static const char *pfx[] = { "", "k", "M", "G", "T" };
	int k = 0;

	while (v >= 1000 && k < 4) {
		v /= 1000;
		k++;
	}
	snprintf(buf, len, k == 0 ? "%.0f%s%s" : "%.1f%s%s", v, pfx[k], unit);
}

#define JI(o, k)	json_integer_value(json_object_get(o, k))

static void
top_draw(json_t *st)
{
	json_t *ports, *p, *workers, *caps;
	char a[16], b[16], c[16], d[16];
	long long up;
	size_t i;
	int row = 0;

	erase();
	up = JI(st, "uptime_s");
	mvprintw(row++, 0, "ixfwd top   %s   up %lldd %02lld:%02lld:%02lld   "
	    "q quits", sock_path, up / 86400, up / 3600 % 24, up / 60 % 60,
	    up % 60);
	row++;
	attron(A_BOLD);
	mvprintw(row++, 0, "%-10s %-4s %9s %9s %9s %9s %9s %9s", "PORT",
	    "LINK", "RX pps", "RX bit/s", "TX pps", "TX bit/s", "DROPS",
	    "HW MISS");
	attroff(A_BOLD);
	ports = json_object_get(st, "ports");
	json_array_foreach(ports, i, p) {
		json_t *dr = json_object_get(p, "drops");
		long long drops = JI(dr, "total");

		human(a, sizeof(a), (double)JI(p, "rx_pps"), "");
		human(b, sizeof(b), (double)JI(p, "rx_bps"), "");
		human(c, sizeof(c), (double)JI(p, "tx_pps"), "");
		human(d, sizeof(d), (double)JI(p, "tx_bps"), "");
		if (row >= LINES - 1)
			break;
		mvprintw(row++, 0, "%-10.10s %-4s %9s %9s %9s %9s %9lld %9lld",
		    json_string_value(json_object_get(p, "name")),
		    json_is_true(json_object_get(json_object_get(p, "link"),
		    "up")) ? "up" : "DOWN", a, b, c, d, drops,
		    (long long)JI(json_object_get(p, "hw"), "rx_missed"));
	}
	row++;
	workers = json_object_get(st, "workers");
	if (row < LINES - 1) {
		attron(A_BOLD);
		mvprintw(row++, 0, "%-10s %-4s %-8s %9s %9s", "WORKER", "CPU",
		    "POLL", "BUSY", "SLEEP");
		attroff(A_BOLD);
	}
	json_array_foreach(workers, i, p) {
		if (row >= LINES - 1)
			break;
		mvprintw(row++, 0, "%-10lld %-4lld %-8s %8.1f%% %8.1f%%",
		    (long long)JI(p, "id"), (long long)JI(p, "cpu"),
		    json_string_value(json_object_get(p, "poll")), 100 *
		    json_real_value(json_object_get(p, "busy")), 100 *
		    json_real_value(json_object_get(p, "sleep")));
	}
	caps = json_object_get(st, "captures");
	if (json_array_size(caps) > 0 && row + 2 < LINES - 1) {
		row++;
		attron(A_BOLD);
		mvprintw(row++, 0, "%-16s %-10s %10s %10s %10s %10s", "CAPTURE",
		    "PORT", "SAMPLES", "WRITTEN", "RING FULL", "DISK");
		attroff(A_BOLD);
		json_array_foreach(caps, i, p) {
			if (row >= LINES - 1)
				break;
			mvprintw(row++, 0, "%-16.16s %-10.10s %10lld %10lld "
			    "%10lld %10lld",
			    json_string_value(json_object_get(p, "name")),
			    json_string_value(json_object_get(p, "port")),
			    (long long)JI(p, "samples"),
			    (long long)JI(p, "written"),
			    (long long)JI(p, "dropped_ring"),
			    (long long)JI(p, "dropped_disk"));
		}
	}
	refresh();
}

static int
top(int argc, char **argv)
{
	struct rd r;
	char *body;
	json_error_t je;
	json_t *st;
	int ch;

	(void)argv;
	if (argc != 1)
		usage();
	memset(&r, 0, sizeof(r));
	r.fd = ctl_connect();
	if (!isatty(STDOUT_FILENO))
		errx(2, "top needs a terminal");
	initscr();
	cbreak();
	noecho();
	curs_set(0);
	timeout(1000);
	for (;;) {
		if (!request(r.fd, &r, "stats --json", &body)) {
			endwin();
			fprintf(stderr, "ixfwdctl: %s", body);
			return 1;
		}
		if ((st = json_loads(body, 0, &je)) == NULL) {
			endwin();
			errx(1, "%s: bad JSON: %s", sock_path, je.text);
		}
		free(body);
		top_draw(st);
		json_decref(st);
		ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
	}
	endwin();
	close(r.fd);
	return 0;
}

int
main(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt(argc, argv, "+s:h")) != -1) {
		switch (ch) {
		case 's':
			sock_path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "top") == 0)
		return top(argc, argv);
	if (strcmp(argv[0], "capture") == 0 && !(argc == 3 &&
	    (strcmp(argv[1], "start") == 0 || strcmp(argv[1], "stop") == 0)))
		return capture(argc, argv);
	return simple(argc, argv);
}
