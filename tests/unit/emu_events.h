/*
 * emu_events.h: for the tests that read what the emulated 82599 was told
 * (emu_events_attach): a record in shared memory, so that a crashing
 * child's record survives it, and lookups in it.
 */
#ifndef IXFWD_TEST_EMU_EVENTS_H
#define IXFWD_TEST_EMU_EVENTS_H

#include <sys/mman.h>

#include <stdint.h>
#include <string.h>

#include "emu82599.h"

#define EV_CAP		1024

static struct emu_events *ev;

/* Make the record and have the model write into it; 0 or -1. */
static int __attribute__((unused))
ev_attach(void)
{
	size_t sz = sizeof(struct emu_events) +
	    EV_CAP * sizeof(struct emu_event);

	ev = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (ev == MAP_FAILED)
		return -1;
	ev->cap = EV_CAP;
	emu_events_attach(ev);
	return 0;
}

static void __attribute__((unused))
ev_reset(void)
{
	ev->n = 0;
	memset(ev->ev, 0, EV_CAP * sizeof(struct emu_event));
}

/* Index of the first event of kind for nic (NULL: any) at or after
 * from; -1. */
static int __attribute__((unused))
ev_find(uint32_t kind, const char *nic, int from)
{
	uint32_t i, n = ev->n < ev->cap ? ev->n : ev->cap;

	for (i = from < 0 ? 0 : (uint32_t)from; i < n; i++)
		if (ev->ev[i].kind == kind &&
		    (nic == NULL || strcmp(ev->ev[i].nic, nic) == 0))
			return (int)i;
	return -1;
}

static int __attribute__((unused))
ev_count(uint32_t kind)
{
	uint32_t i, n = ev->n < ev->cap ? ev->n : ev->cap;
	int c = 0;

	for (i = 0; i < n; i++)
		c += ev->ev[i].kind == kind;
	return c;
}

#endif
