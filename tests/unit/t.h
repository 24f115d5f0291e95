/*
 * t.h: the unit-test harness.  Each test binary runs its tests with
 * t_run() and prints one line per test, which tests/run.sh counts:
 *
 *   PASS: name
 *   FAIL: name: file:line: what failed
 *   SKIP: name: why it could not run
 *
 * T_CHECK records a failure and goes on; T_REQUIRE returns from the test.
 * A binary exits 1 if any of its tests failed.
 */
#ifndef IXFWD_T_H
#define IXFWD_T_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	t_failed_here;		/* in the running test */
static int	t_skipped_here;
static int	t_failures;		/* in this binary */
static const char *t_name;

static void __attribute__((unused, format(printf, 3, 4)))
t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (t_failed_here++ == 0)
		printf("FAIL: %s: ", t_name);
	else
		printf("  also: ");
	printf("%s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define T_CHECK(cond) do {						\
	if (!(cond))							\
		t_fail(__FILE__, __LINE__, "%s", #cond);		\
} while (0)

#define T_REQUIRE(cond) do {						\
	if (!(cond)) {							\
		t_fail(__FILE__, __LINE__, "%s", #cond);		\
		return;							\
	}								\
} while (0)

/* Compare integers and say both values when they differ. */
#define T_EQ(a, b) do {							\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);		\
	if (t_a_ != t_b_)						\
		t_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)",	\
		    #a, #b, t_a_, t_b_);				\
} while (0)

#define T_SKIP(...) do {						\
	printf("SKIP: %s: ", t_name);					\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	t_skipped_here = 1;						\
	return;								\
} while (0)

static void __attribute__((unused))
t_run(const char *name, void (*fn)(void))
{
	t_name = name;
	t_failed_here = 0;
	t_skipped_here = 0;
	fn();
	if (t_failed_here)
		t_failures++;
	else if (!t_skipped_here)
		printf("PASS: %s\n", name);
	fflush(stdout);
}

#define T_RUN(fn)	t_run(#fn, fn)

static int __attribute__((unused))
t_done(void)
{
	return t_failures ? 1 : 0;
}

static int __attribute__((unused))
t_is_root(void)
{
	return geteuid() == 0;
}

#endif /* IXFWD_T_H */
