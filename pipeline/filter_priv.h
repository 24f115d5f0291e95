/*
 * filter_priv.h: between the filter engines (private to filter_*.c).
 */
#ifndef IXFWD_FILTER_PRIV_H
#define IXFWD_FILTER_PRIV_H

#include "filter.h"

/* filter_jit.c: classic BPF into native code; NULL (with the reason in
 * err) where there is no native code generator or it failed. */
struct filter_jit;

struct filter_jit *filter_jit_compile(const struct bpf_insn *insns,
		    unsigned int n, char *err, size_t errlen);
void		 filter_jit_free(struct filter_jit *j);
uint32_t	(*filter_jit_entry(const struct filter_jit *j))(
		    const struct filter_bpf_prog *, const uint8_t *, uint32_t);

#endif /* IXFWD_FILTER_PRIV_H */
