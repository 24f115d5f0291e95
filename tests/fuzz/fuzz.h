/*
 * fuzz.h: helpers shared by the fuzz targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput.  make fuzz links it with
 * libFuzzer under clang's sanitizers; the regression test
 * (tests/unit/test_fuzz_regress.c) compiles it with gcc, the function
 * renamed fuzz_one_NAME, and feeds it the corpus and regression inputs.
 * A wrong answer (a differential mismatch, an error in the wrong form)
 * is an abort() with the reason on stderr, which both count as a failure.
 */
#ifndef IXFWD_FUZZ_H
#define IXFWD_FUZZ_H

#include <sys/mman.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void __attribute__((unused, noreturn, format(printf, 1, 2)))
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static char	fuzz_path[128];

static void
fuzz_file_remove(void)
{
	unlink(fuzz_path);
}

/*
 * A file in /dev/shm holding data (the code under test takes a path):
 * one name per process and target, rewritten for every input, removed
 * at exit.
 */
static __attribute__((unused)) const char *
fuzz_file(const char *tag, const char *ext, const uint8_t *data, size_t size)
{
	char *path = fuzz_path;
	size_t off = 0;
	ssize_t n;
	int fd;

	if (path[0] == '\0')
		atexit(fuzz_file_remove);
	snprintf(path, sizeof(fuzz_path), "/dev/shm/ixfwd-fuzz-%s-%d%s", tag,
	    (int)getpid(), ext);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		fuzz_fail("%s: cannot create", path);
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) <= 0)
			fuzz_fail("%s: cannot write", path);
		off += n;
	}
	close(fd);
	return path;
}

/*
 * Native code reads frames without ASan's checks: put the frame at the
 * end of readable memory, a page without access right after it, so a
 * read past its end faults.  Frames up to FUZZ_FRAME_ROOM bytes.
 */
#define FUZZ_FRAME_ROOM	(3 * 4096)

static __attribute__((unused)) uint8_t *
fuzz_guarded(const uint8_t *frame, size_t len)
{
	static uint8_t *area;
	long pg = sysconf(_SC_PAGESIZE);

	if (area == NULL) {
		area = mmap(NULL, FUZZ_FRAME_ROOM + pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (area == MAP_FAILED ||
		    mprotect(area + FUZZ_FRAME_ROOM, pg, PROT_NONE) == -1)
			fuzz_fail("cannot map the frame area");
	}
	if (len > FUZZ_FRAME_ROOM)
		len = FUZZ_FRAME_ROOM;
	if (len > 0)
		memcpy(area + FUZZ_FRAME_ROOM - len, frame, len);
	return area + FUZZ_FRAME_ROOM - len;
}

#endif /* IXFWD_FUZZ_H */
