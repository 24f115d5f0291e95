/*
 * test_fuzz_regress: every fuzz target (tests/fuzz/fuzz_*.c, built here
 * by gcc without libFuzzer) on every input of its seed corpus
 * (tests/fuzz/corpus/NAME) and of its regressions (tests/fuzz/regress/
 * NAME: inputs that once crashed, leaked or gave a wrong verdict).  Each
 * input runs in a child process: an abort (a target's check failed) or
 * a crash fails the target's test and names the input.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>

#include "t.h"

int	fuzz_one_bpf(const uint8_t *, size_t);
int	fuzz_one_conf(const uint8_t *, size_t);
int	fuzz_one_control(const uint8_t *, size_t);
int	fuzz_one_filter(const uint8_t *, size_t);
int	fuzz_one_packet(const uint8_t *, size_t);
int	fuzz_one_pcap_wire(const uint8_t *, size_t);

static const struct {
	const char	*name;
	int		(*one)(const uint8_t *, size_t);
	int		 min;	/* inputs in the tree, at least */
} targets[] = {
	{ "bpf", fuzz_one_bpf, 1 },
	{ "conf", fuzz_one_conf, 10 },
	{ "control", fuzz_one_control, 5 },
	{ "filter", fuzz_one_filter, 5 },
	{ "packet", fuzz_one_packet, 5 },
	{ "pcap_wire", fuzz_one_pcap_wire, 2 },
};

static uint8_t *
read_all(const char *path, size_t *len)
{
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Run one input in a child: 0 if it passed, else the status. */
static int
run_input(int (*one)(const uint8_t *, size_t), const char *path)
{
	uint8_t *buf;
	size_t len;
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((buf = read_all(path, &len)) == NULL)
			_exit(2);
		one(buf, len);
		free(buf);
		exit(0);	/* (atexit: the targets remove their files) */
	}
	if (waitpid(pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : (st ? st : -1);
}

static int	cur;		/* the target under test */

#define INPUTS_MAX	1024

static void
test_target(void)
{
	static const char *const dirs[] = { "corpus", "regress" };
	static char paths[INPUTS_MAX][512];
	char dir[256];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int i, n = 0, st;

	/* Every name first, the directory closed before the first fork: a
	 * child that exits with the parent's DIR open would leak it (and
	 * LeakSanitizer says so). */
	for (i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "tests/fuzz/%s/%s", dirs[i],
		    targets[cur].name);
		if ((d = opendir(dir)) == NULL) {
			T_CHECK(i == 1 && errno == ENOENT);
			continue;
		}
		while ((de = readdir(d)) != NULL && n < INPUTS_MAX) {
			snprintf(paths[n], sizeof(paths[n]), "%s/%s", dir,
			    de->d_name);
			if (stat(paths[n], &sb) == -1 || !S_ISREG(sb.st_mode))
				continue;
			n++;
		}
		closedir(d);
	}
	for (i = 0; i < n; i++)
		if ((st = run_input(targets[cur].one, paths[i])) != 0)
			t_fail(__FILE__, __LINE__, "%s: status 0x%x "
			    "(the child's stderr says why)", paths[i], st);
	printf("  %s: %d inputs\n", targets[cur].name, n);
	T_CHECK(n >= targets[cur].min);
}

int
main(void)
{
	char name[64];

	for (cur = 0; cur < (int)(sizeof(targets) / sizeof(targets[0]));
	    cur++) {
		snprintf(name, sizeof(name), "fuzz_%s", targets[cur].name);
		t_run(name, test_target);
	}
	return t_failures ? 1 : 0;
}
