/*
 * logcapture.h: what the library logs (log.c writes to stderr), captured
 * around a call so a test can check the message an operator would read.
 */
#ifndef IXFWD_TEST_LOGCAPTURE_H
#define IXFWD_TEST_LOGCAPTURE_H

#include <stdio.h>
#include <unistd.h>

static char	log_buf[8192];
static int	log_saved_fd = -1;
static FILE	*log_tmp;

static void __attribute__((unused))
log_capture_begin(void)
{
	fflush(stderr);
	log_tmp = tmpfile();
	log_saved_fd = dup(STDERR_FILENO);
	dup2(fileno(log_tmp), STDERR_FILENO);
}

static const char * __attribute__((unused))
log_capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(log_saved_fd, STDERR_FILENO);
	close(log_saved_fd);
	rewind(log_tmp);
	n = fread(log_buf, 1, sizeof(log_buf) - 1, log_tmp);
	log_buf[n] = '\0';
	fclose(log_tmp);
	return log_buf;
}

#endif
