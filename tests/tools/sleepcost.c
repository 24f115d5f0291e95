/*
 * sleepcost: what one timed sleep costs on this machine.  Sleeps
 * STEP_US microseconds at a time, with a 1 us timer slack as ixfwd's
 * workers do, for SECONDS, and prints the CPU it used in percent of a
 * core:
 *
 *	sleepcost STEP_US SECONDS  ->  "cpu_percent=12.8 wakeups=6714"
 *
 * tests/e2e/test_poll.sh bounds an idle daemon's CPU by this figure,
 * measured in the same run: a wake-up costs ~2 us of CPU on bare metal
 * and ten times that in some virtual machines, and nothing a worker
 * does can make its sleeps cheaper than the kernel makes them.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
secs(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	struct timespec step, a, b;
	struct rusage ru;
	double span, cpu;
	long n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: sleepcost STEP_US SECONDS\n");
		return 2;
	}
	step.tv_sec = 0;
	step.tv_nsec = atol(argv[1]) * 1000;
	span = atof(argv[2]);
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		nanosleep(&step, NULL);
		n++;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9 < span);
	getrusage(RUSAGE_SELF, &ru);
	cpu = secs(ru.ru_utime) + secs(ru.ru_stime);
	printf("cpu_percent=%.2f wakeups=%ld\n", 100 * cpu / span,
	    (long)(n / span));
	return 0;
}
