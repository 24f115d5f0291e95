/*
 * filter_jit.c: classic BPF into x86-64 machine code.
 *
 * The generated function has the interpreter's signature,
 * uint32_t f(const struct filter_bpf_prog *, const uint8_t *pkt,
 * uint32_t len), and the semantics of libpcap's bpf_filter() described in
 * filter_bpf.c.  Register use (System V ABI, a leaf function, so only
 * caller-saved registers and the red zone):
 *
 *	eax	A, and the return value
 *	ecx	X (cl for variable shifts)
 *	rsi	the frame
 *	r8	its length, zero-extended
 *	edx	scratch: division, indexed load offsets
 *	r9	scratch: end of an indexed load, divisor
 *	r10d	backward jumps left
 *	[rsp-64, rsp)	M[0..15], in the red zone
 *
 * Every packet load compares its end with the length first and jumps to
 * a shared "return 0" at the end of the code.  Offsets are computed in 64
 * bits, so X + k never wraps.
 *
 * Code size is found by iterating: each pass emits with the instruction
 * addresses of the previous one, choosing short jumps where they reach,
 * until the addresses stop changing.  The buffer is then copied to an
 * anonymous mapping made read-only and executable: it is never writable
 * and executable at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "filter_priv.h"

struct filter_jit {
	void		*code;
	size_t		 size;
};

#if defined(__x86_64__)

#define JIT_INSN_MAX	64	/* bytes any one instruction can take */
#define JIT_PROLOGUE_MAX (16 + 8 * BPF_MEMWORDS)
#define JIT_PASSES	32
#define JIT_BACKWARD_MAX 64

/* Condition codes (the low nibble of Jcc). */
#define CC_B		0x2
#define CC_AE		0x3
#define CC_E		0x4
#define CC_NE		0x5
#define CC_BE		0x6
#define CC_A		0x7

struct jit {
	uint8_t		*buf;
	uint32_t	 len;
	uint32_t	*addr;		/* previous pass; addr[n]: return 0 */
	uint32_t	*naddr;		/* this pass */
	unsigned int	 cur;		/* instruction being emitted */
};

static inline void
emit1(struct jit *j, uint8_t b)
{
	j->buf[j->len++] = b;
}

static inline void
emit2(struct jit *j, uint8_t a, uint8_t b)
{
	emit1(j, a);
	emit1(j, b);
}

static inline void
emit3(struct jit *j, uint8_t a, uint8_t b, uint8_t c)
{
	emit1(j, a);
	emit1(j, b);
	emit1(j, c);
}

static inline void
emit4(struct jit *j, uint32_t v)
{
	memcpy(j->buf + j->len, &v, 4);
	j->len += 4;
}

static inline int
fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

/* Where instruction t starts: this pass's address if already emitted. */
static inline int64_t
jit_target(const struct jit *j, unsigned int t)
{
	return t <= j->cur ? j->naddr[t] : j->addr[t];
}

static void
emit_jmp_to(struct jit *j, int64_t to)
{
	int64_t rel = to - (j->len + 2);

	if (fits8(rel)) {
		emit2(j, 0xeb, (uint8_t)rel);
		return;
	}
	emit1(j, 0xe9);
	emit4(j, (uint32_t)(to - (j->len + 4)));
}

static void
emit_jcc_to(struct jit *j, int cc, int64_t to)
{
	int64_t rel = to - (j->len + 2);

	if (fits8(rel)) {
		emit2(j, 0x70 | cc, (uint8_t)rel);
		return;
	}
	emit2(j, 0x0f, 0x80 | cc);
	emit4(j, (uint32_t)(to - (j->len + 4)));
}

/* The shared "return 0" sits after the last instruction. */
static int64_t
jit_ret0(const struct jit *j, unsigned int n)
{
	return j->addr[n];
}

/* op eax, imm: the imm8 form where the constant sign-extends to itself. */
static void
emit_alu_imm(struct jit *j, uint8_t ext, uint8_t eax_op, uint32_t k)
{
	if (fits8((int32_t)k)) {
		emit3(j, 0x83, 0xc0 | ext << 3, (uint8_t)k);
		return;
	}
	emit1(j, eax_op);
	emit4(j, k);
}

/* ModRM + displacement for [rsi + k], k < 2^31; reg is the ModRM reg. */
static void
emit_rsi_disp(struct jit *j, uint8_t reg, uint32_t k)
{
	if (k <= 127) {
		emit2(j, 0x40 | reg << 3 | 6, (uint8_t)k);
		return;
	}
	emit1(j, 0x80 | reg << 3 | 6);
	emit4(j, k);
}

/*
 * A load of size bytes at rdx (64-bit offset) into eax, or into ecx as
 * the MSH form.  Rejects the frame if rdx + size > len.
 */
static void
emit_load_rdx(struct jit *j, unsigned int n, int size, int msh)
{
	emit2(j, 0x4c, 0x8d);		/* lea r9, [rdx + size] */
	emit2(j, 0x4a, (uint8_t)size);
	emit3(j, 0x4d, 0x39, 0xc1);	/* cmp r9, r8 */
	emit_jcc_to(j, CC_A, jit_ret0(j, n));
	if (msh) {
		emit2(j, 0x0f, 0xb6);	/* movzx ecx, byte [rsi + rdx] */
		emit2(j, 0x0c, 0x16);
		emit3(j, 0x83, 0xe1, 0x0f);	/* and ecx, 0xf */
		emit3(j, 0xc1, 0xe1, 0x02);	/* shl ecx, 2 */
		return;
	}
	switch (size) {
	case 4:
		emit3(j, 0x8b, 0x04, 0x16);	/* mov eax, [rsi + rdx] */
		emit2(j, 0x0f, 0xc8);		/* bswap eax */
		break;
	case 2:
		emit2(j, 0x0f, 0xb7);		/* movzx eax, word [...] */
		emit2(j, 0x04, 0x16);
		emit2(j, 0x66, 0xc1);		/* rol ax, 8 */
		emit2(j, 0xc0, 0x08);
		break;
	default:
		emit2(j, 0x0f, 0xb6);		/* movzx eax, byte [...] */
		emit2(j, 0x04, 0x16);
		break;
	}
}

/* A load at the constant offset k. */
static void
emit_load_abs(struct jit *j, unsigned int n, uint32_t k, int size, int msh)
{
	uint64_t end = (uint64_t)k + size;

	if (end > 0x7fffffff) {
		/* Beyond a disp32; beyond any frame if past 2^32 - 1. */
		if (end > UINT32_MAX) {
			emit_jmp_to(j, jit_ret0(j, n));
			return;
		}
		emit1(j, 0xba);			/* mov edx, k */
		emit4(j, k);
		emit_load_rdx(j, n, size, msh);
		return;
	}
	if (end <= 127) {			/* cmp r8, end */
		emit3(j, 0x49, 0x83, 0xf8);
		emit1(j, (uint8_t)end);
	} else {
		emit3(j, 0x49, 0x81, 0xf8);
		emit4(j, (uint32_t)end);
	}
	emit_jcc_to(j, CC_B, jit_ret0(j, n));
	if (msh) {
		emit2(j, 0x0f, 0xb6);		/* movzx ecx, byte [rsi + k] */
		emit_rsi_disp(j, 1, k);
		emit3(j, 0x83, 0xe1, 0x0f);
		emit3(j, 0xc1, 0xe1, 0x02);
		return;
	}
	switch (size) {
	case 4:
		emit1(j, 0x8b);			/* mov eax, [rsi + k] */
		emit_rsi_disp(j, 0, k);
		emit2(j, 0x0f, 0xc8);
		break;
	case 2:
		emit2(j, 0x0f, 0xb7);
		emit_rsi_disp(j, 0, k);
		emit2(j, 0x66, 0xc1);
		emit2(j, 0xc0, 0x08);
		break;
	default:
		emit2(j, 0x0f, 0xb6);
		emit_rsi_disp(j, 0, k);
		break;
	}
}

/* A load at X + k. */
static void
emit_load_ind(struct jit *j, unsigned int n, uint32_t k, int size)
{
	if (k <= 127) {				/* lea rdx, [rcx + k] */
		emit3(j, 0x48, 0x8d, 0x51);
		emit1(j, (uint8_t)k);
	} else if (k <= 0x7fffffff) {
		emit3(j, 0x48, 0x8d, 0x91);
		emit4(j, k);
	} else {
		emit1(j, 0xba);			/* mov edx, k */
		emit4(j, k);
		emit3(j, 0x48, 0x01, 0xca);	/* add rdx, rcx */
	}
	emit_load_rdx(j, n, size, 0);
}

/* A conditional jump: compare (already emitted), then to jt or jf. */
static void
emit_branch(struct jit *j, int cc, unsigned int t, unsigned int f)
{
	unsigned int next = j->cur + 1;

	if (t == f) {
		if (t != next)
			emit_jmp_to(j, jit_target(j, t));
		return;
	}
	if (t == next) {
		emit_jcc_to(j, cc ^ 1, jit_target(j, f));
		return;
	}
	emit_jcc_to(j, cc, jit_target(j, t));
	if (f != next)
		emit_jmp_to(j, jit_target(j, f));
}

static int
ilog2(uint32_t k)
{
	return k & (k - 1) ? -1 : __builtin_ctz(k);
}

static void
emit_insn(struct jit *j, const struct bpf_insn *p, unsigned int n)
{
	unsigned int i = j->cur;
	uint32_t k = p->k;
	int cc, sh;

	switch (p->code) {
	case BPF_RET|BPF_K:
		if (k == 0)
			emit2(j, 0x31, 0xc0);	/* xor eax, eax */
		else {
			emit1(j, 0xb8);		/* mov eax, k */
			emit4(j, k);
		}
		emit1(j, 0xc3);
		break;
	case BPF_RET|BPF_A:
		emit1(j, 0xc3);
		break;
	case BPF_LD|BPF_W|BPF_ABS:
		emit_load_abs(j, n, k, 4, 0);
		break;
	case BPF_LD|BPF_H|BPF_ABS:
		emit_load_abs(j, n, k, 2, 0);
		break;
	case BPF_LD|BPF_B|BPF_ABS:
		emit_load_abs(j, n, k, 1, 0);
		break;
	case BPF_LDX|BPF_MSH|BPF_B:
		emit_load_abs(j, n, k, 1, 1);
		break;
	case BPF_LD|BPF_W|BPF_IND:
		emit_load_ind(j, n, k, 4);
		break;
	case BPF_LD|BPF_H|BPF_IND:
		emit_load_ind(j, n, k, 2);
		break;
	case BPF_LD|BPF_B|BPF_IND:
		emit_load_ind(j, n, k, 1);
		break;
	case BPF_LD|BPF_W|BPF_LEN:
		emit3(j, 0x44, 0x89, 0xc0);	/* mov eax, r8d */
		break;
	case BPF_LDX|BPF_W|BPF_LEN:
		emit3(j, 0x44, 0x89, 0xc1);	/* mov ecx, r8d */
		break;
	case BPF_LD|BPF_IMM:
		emit1(j, 0xb8);
		emit4(j, k);
		break;
	case BPF_LDX|BPF_IMM:
		emit1(j, 0xb9);
		emit4(j, k);
		break;
	case BPF_LD|BPF_MEM:			/* mov eax, [rsp - 64 + 4k] */
		emit3(j, 0x8b, 0x44, 0x24);
		emit1(j, (uint8_t)(-64 + 4 * (int)k));
		break;
	case BPF_LDX|BPF_MEM:
		emit3(j, 0x8b, 0x4c, 0x24);
		emit1(j, (uint8_t)(-64 + 4 * (int)k));
		break;
	case BPF_ST:
		emit3(j, 0x89, 0x44, 0x24);
		emit1(j, (uint8_t)(-64 + 4 * (int)k));
		break;
	case BPF_STX:
		emit3(j, 0x89, 0x4c, 0x24);
		emit1(j, (uint8_t)(-64 + 4 * (int)k));
		break;
	case BPF_MISC|BPF_TAX:
		emit2(j, 0x89, 0xc1);		/* mov ecx, eax */
		break;
	case BPF_MISC|BPF_TXA:
		emit2(j, 0x89, 0xc8);		/* mov eax, ecx */
		break;

	case BPF_ALU|BPF_ADD|BPF_K:
		emit_alu_imm(j, 0, 0x05, k);
		break;
	case BPF_ALU|BPF_SUB|BPF_K:
		emit_alu_imm(j, 5, 0x2d, k);
		break;
	case BPF_ALU|BPF_AND|BPF_K:
		emit_alu_imm(j, 4, 0x25, k);
		break;
	case BPF_ALU|BPF_OR|BPF_K:
		emit_alu_imm(j, 1, 0x0d, k);
		break;
	case BPF_ALU|BPF_XOR|BPF_K:
		emit_alu_imm(j, 6, 0x35, k);
		break;
	case BPF_ALU|BPF_MUL|BPF_K:		/* imul eax, eax, k */
		if (fits8((int32_t)k))
			emit3(j, 0x6b, 0xc0, (uint8_t)k);
		else {
			emit2(j, 0x69, 0xc0);
			emit4(j, k);
		}
		break;
	case BPF_ALU|BPF_DIV|BPF_K:
	case BPF_ALU|BPF_MOD|BPF_K:
		sh = ilog2(k);		/* k != 0: the checker saw to it */
		if (sh >= 0 && BPF_OP(p->code) == BPF_DIV) {
			if (sh > 0)	/* shr eax, sh */
				emit3(j, 0xc1, 0xe8, (uint8_t)sh);
			break;
		}
		if (sh >= 0) {
			emit_alu_imm(j, 4, 0x25, k - 1);
			break;
		}
		emit2(j, 0x41, 0xb9);		/* mov r9d, k */
		emit4(j, k);
		emit2(j, 0x31, 0xd2);		/* xor edx, edx */
		emit3(j, 0x41, 0xf7, 0xf1);	/* div r9d */
		if (BPF_OP(p->code) == BPF_MOD)
			emit2(j, 0x89, 0xd0);	/* mov eax, edx */
		break;
	case BPF_ALU|BPF_LSH|BPF_K:
		if (k & 31)
			emit3(j, 0xc1, 0xe0, (uint8_t)(k & 31));
		break;
	case BPF_ALU|BPF_RSH|BPF_K:
		if (k & 31)
			emit3(j, 0xc1, 0xe8, (uint8_t)(k & 31));
		break;
	case BPF_ALU|BPF_NEG:
		emit2(j, 0xf7, 0xd8);
		break;

	case BPF_ALU|BPF_ADD|BPF_X:
		emit2(j, 0x01, 0xc8);
		break;
	case BPF_ALU|BPF_SUB|BPF_X:
		emit2(j, 0x29, 0xc8);
		break;
	case BPF_ALU|BPF_AND|BPF_X:
		emit2(j, 0x21, 0xc8);
		break;
	case BPF_ALU|BPF_OR|BPF_X:
		emit2(j, 0x09, 0xc8);
		break;
	case BPF_ALU|BPF_XOR|BPF_X:
		emit2(j, 0x31, 0xc8);
		break;
	case BPF_ALU|BPF_MUL|BPF_X:
		emit3(j, 0x0f, 0xaf, 0xc1);	/* imul eax, ecx */
		break;
	case BPF_ALU|BPF_DIV|BPF_X:
	case BPF_ALU|BPF_MOD|BPF_X:
		emit2(j, 0x85, 0xc9);		/* test ecx, ecx */
		emit_jcc_to(j, CC_E, jit_ret0(j, n));
		emit2(j, 0x31, 0xd2);		/* xor edx, edx */
		emit2(j, 0xf7, 0xf1);		/* div ecx */
		if (BPF_OP(p->code) == BPF_MOD)
			emit2(j, 0x89, 0xd0);
		break;
	case BPF_ALU|BPF_LSH|BPF_X:
	case BPF_ALU|BPF_RSH|BPF_X:
		/* x86 takes the count modulo 32; BPF wants 0 past 31. */
		emit2(j, 0x31, 0xd2);		/* xor edx, edx */
		emit2(j, 0xd3, BPF_OP(p->code) == BPF_LSH ? 0xe0 : 0xe8);
		emit3(j, 0x83, 0xf9, 0x20);	/* cmp ecx, 32 */
		emit3(j, 0x0f, 0x43, 0xc2);	/* cmovae eax, edx */
		break;

	case BPF_JMP|BPF_JA:
		if ((int32_t)k < 0) {
			emit3(j, 0x41, 0x83, 0xea);	/* sub r10d, 1 */
			emit1(j, 0x01);
			emit_jcc_to(j, CC_B, jit_ret0(j, n));
		}
		emit_branch(j, 0, i + 1 + (int32_t)k, i + 1 + (int32_t)k);
		break;
	default:
		/* Conditional jumps; the checker let nothing else through. */
		if (BPF_SRC(p->code) == BPF_X) {
			if (BPF_OP(p->code) == BPF_JSET)
				emit2(j, 0x85, 0xc8);	/* test eax, ecx */
			else
				emit2(j, 0x39, 0xc8);	/* cmp eax, ecx */
		} else if (BPF_OP(p->code) == BPF_JSET) {
			if (k <= 0xff)
				emit2(j, 0xa8, (uint8_t)k); /* test al, k */
			else {
				emit1(j, 0xa9);		/* test eax, k */
				emit4(j, k);
			}
		} else
			emit_alu_imm(j, 7, 0x3d, k);	/* cmp eax, k */
		switch (BPF_OP(p->code)) {
		case BPF_JGT:
			cc = CC_A;
			break;
		case BPF_JGE:
			cc = CC_AE;
			break;
		case BPF_JEQ:
			cc = CC_E;
			break;
		default:
			cc = CC_NE;
			break;
		}
		emit_branch(j, cc, i + 1 + p->jt, i + 1 + p->jf);
		break;
	}
}

static void
emit_prologue(struct jit *j, const struct bpf_insn *in, unsigned int n)
{
	uint32_t loaded = 0;
	unsigned int i;
	int back = 0;

	for (i = 0; i < n; i++) {
		if (in[i].code == (BPF_LD|BPF_MEM) ||
		    in[i].code == (BPF_LDX|BPF_MEM))
			loaded |= 1U << in[i].k;
		if (in[i].code == (BPF_JMP|BPF_JA) && (int32_t)in[i].k < 0)
			back = 1;
	}
	emit3(j, 0x41, 0x89, 0xd0);		/* mov r8d, edx */
	emit2(j, 0x31, 0xc0);			/* xor eax, eax */
	emit2(j, 0x31, 0xc9);			/* xor ecx, ecx */
	if (back) {
		emit2(j, 0x41, 0xba);		/* mov r10d, 64 */
		emit4(j, JIT_BACKWARD_MAX);
	}
	/* Scratch words read anywhere start at 0, as in libpcap. */
	for (i = 0; i < BPF_MEMWORDS; i++) {
		if ((loaded & (1U << i)) == 0)
			continue;
		emit3(j, 0xc7, 0x44, 0x24);	/* mov dword [rsp + d], 0 */
		emit1(j, (uint8_t)(-64 + 4 * (int)i));
		emit4(j, 0);
	}
}

struct filter_jit *
filter_jit_compile(const struct bpf_insn *in, unsigned int n, char *err,
    size_t errlen)
{
	struct filter_jit *fj = NULL;
	struct jit j = { 0 };
	uint32_t *tmp;
	unsigned int i, pass;
	void *mem;

	j.buf = malloc(JIT_PROLOGUE_MAX + (size_t)n * JIT_INSN_MAX + 16);
	j.addr = calloc(n + 1, sizeof(*j.addr));
	j.naddr = calloc(n + 1, sizeof(*j.naddr));
	if (j.buf == NULL || j.addr == NULL || j.naddr == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Start from addresses no smaller than the real ones: the first
	 * pass takes long jumps, later ones shorten them. */
	for (i = 0; i <= n; i++)
		j.addr[i] = JIT_PROLOGUE_MAX + i * JIT_INSN_MAX;
	for (pass = 0; pass < JIT_PASSES; pass++) {
		j.len = 0;
		emit_prologue(&j, in, n);
		for (i = 0; i < n; i++) {
			j.cur = i;
			j.naddr[i] = j.len;
			emit_insn(&j, &in[i], n);
		}
		j.cur = n;
		j.naddr[n] = j.len;
		emit2(&j, 0x31, 0xc0);		/* return 0 */
		emit1(&j, 0xc3);
		if (memcmp(j.addr, j.naddr, (n + 1) * sizeof(*j.addr)) == 0)
			break;
		tmp = j.addr;
		j.addr = j.naddr;
		j.naddr = tmp;
	}
	if (pass == JIT_PASSES) {
		snprintf(err, errlen, "code size did not settle");
		goto out;
	}
	if ((fj = calloc(1, sizeof(*fj))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fj->size = j.len;
	mem = mmap(NULL, fj->size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(err, errlen, "mmap: %m");
		free(fj);
		fj = NULL;
		goto out;
	}
	memcpy(mem, j.buf, j.len);
	if (mprotect(mem, fj->size, PROT_READ | PROT_EXEC) == -1) {
		snprintf(err, errlen, "mprotect: %m");
		munmap(mem, fj->size);
		free(fj);
		fj = NULL;
		goto out;
	}
	fj->code = mem;
 out:
	free(j.buf);
	free(j.addr);
	free(j.naddr);
	return fj;
}

void
filter_jit_free(struct filter_jit *fj)
{
	if (fj == NULL)
		return;
	munmap(fj->code, fj->size);
	free(fj);
}

uint32_t
(*filter_jit_entry(const struct filter_jit *fj))(const struct filter_bpf_prog *,
    const uint8_t *, uint32_t)
{
	uint32_t (*fn)(const struct filter_bpf_prog *, const uint8_t *,
	    uint32_t);

	/* Object to function pointer: what dlsym() also relies on. */
	memcpy(&fn, &fj->code, sizeof(fn));
	return fn;
}

#else /* !__x86_64__ */

struct filter_jit *
filter_jit_compile(const struct bpf_insn *in, unsigned int n, char *err,
    size_t errlen)
{
	(void)in;
	(void)n;
	snprintf(err, errlen, "no native code for this machine");
	return NULL;
}

void
filter_jit_free(struct filter_jit *fj)
{
	(void)fj;
}

uint32_t
(*filter_jit_entry(const struct filter_jit *fj))(const struct filter_bpf_prog *,
    const uint8_t *, uint32_t)
{
	(void)fj;
	return NULL;
}

#endif /* __x86_64__ */
