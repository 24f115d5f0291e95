/*
 * waitreg.h: for the tests that drive the emulated 82599's registers
 * themselves: a clock (microseconds, milliseconds) and a register poll.
 */
#ifndef IXFWD_TEST_WAITREG_H
#define IXFWD_TEST_WAITREG_H

#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "bar.h"

static uint64_t __attribute__((unused))
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t __attribute__((unused))
now_ms(void)
{
	return now_us() / 1000;
}

/* Poll until (reg & mask) == want, up to ms; 0 or -1. */
static int __attribute__((unused))
wait_reg(const struct bar *b, uint32_t reg, uint32_t mask, uint32_t want,
    unsigned ms)
{
	uint64_t end = now_ms() + ms;

	do {
		if ((bar_read32(b, reg) & mask) == want)
			return 0;
		usleep(100);
	} while (now_ms() < end);
	return -1;
}

#endif
