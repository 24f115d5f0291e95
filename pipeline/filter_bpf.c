/*
 * filter_bpf.c: tcpdump expressions.
 *
 * libpcap compiles the expression into classic BPF (pcap_compile on a
 * pcap_open_dead handle: no capture device is involved).  The program is
 * checked, then either translated into native code (filter_jit.c) or
 * pre-decoded for a threaded interpreter: every instruction becomes the
 * address of its handler, its constant and its absolute jump targets, with
 * bounds precomputed, so running it is one indirect jump per instruction
 * and no decoding.  The interpreter is also the reference the JIT is
 * tested against, and libpcap's bpf_filter() the reference of both.
 *
 * Semantics are those of libpcap's bpf_filter(): A, X and the scratch
 * memory start at 0 (libpcap 1.10 leaves the scratch memory as the stack
 * had it; its compiler never reads a word it did not write, so no
 * expression can tell); a load outside the frame, or a division or modulo
 * by X == 0, ends the program with 0; a shift by X >= 32 gives 0; a
 * constant shift uses the count modulo 32 (what libpcap 1.10 does on x86;
 * its compiler never emits one); backward jumps, which "protochain" uses,
 * are allowed, and after 64 of them the program returns 0, as libpcap's
 * current interpreter does, so no program can loop forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "filter_priv.h"

#define BPF_INSNS_MAX		(1U << 20)
#define BPF_BACKWARD_MAX	64

enum {
	BOP_RET_K, BOP_RET_A,
	BOP_LD_W_ABS, BOP_LD_H_ABS, BOP_LD_B_ABS,
	BOP_LD_W_IND, BOP_LD_H_IND, BOP_LD_B_IND,
	BOP_LDX_MSH, BOP_LD_LEN, BOP_LDX_LEN, BOP_LD_IMM, BOP_LDX_IMM,
	BOP_LD_MEM, BOP_LDX_MEM, BOP_ST, BOP_STX,
	BOP_JA, BOP_JA_BACK,
	BOP_JGT_K, BOP_JGE_K, BOP_JEQ_K, BOP_JSET_K,
	BOP_JGT_X, BOP_JGE_X, BOP_JEQ_X, BOP_JSET_X,
	BOP_ADD_K, BOP_SUB_K, BOP_MUL_K, BOP_DIV_K, BOP_MOD_K,
	BOP_AND_K, BOP_OR_K, BOP_XOR_K, BOP_LSH_K, BOP_RSH_K,
	BOP_ADD_X, BOP_SUB_X, BOP_MUL_X, BOP_DIV_X, BOP_MOD_X,
	BOP_AND_X, BOP_OR_X, BOP_XOR_X, BOP_LSH_X, BOP_RSH_X,
	BOP_NEG, BOP_TAX, BOP_TXA,
	/* Fused "ldh/ldb [k]; jeq #k2": the commonest pair by far. */
	BOP_LDH_JEQ, BOP_LDB_JEQ,
	BOP_MAX
};

/* A pre-decoded instruction. */
struct bpf_op {
	const void	*h;		/* handler */
	uint32_t	 k;
	uint32_t	 k2;		/* load limit k + size; jeq constant */
	uint32_t	 jt, jf;	/* absolute targets */
};

struct filter_bpf_prog {
	unsigned int	 n;
	struct bpf_insn	*insns;		/* as given */
	struct bpf_op	*ops;
	struct filter_jit *jit;
};

struct filter_bpf_all {
	struct filter_bpf	 f;
	struct filter_bpf_prog	 prog;
};

static inline uint32_t
bpf_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static inline uint32_t
bpf_rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return __builtin_bswap16(v);
}

/*
 * The interpreter.  Called with tab != NULL it only hands out its handler
 * addresses, for the decoder.
 */
static uint32_t
bpf_exec(const struct filter_bpf_prog *prog, const uint8_t *pkt, uint32_t len,
    const void *const **tab)
{
	static const void *const labels[BOP_MAX] = {
		[BOP_RET_K] = &&l_ret_k, [BOP_RET_A] = &&l_ret_a,
		[BOP_LD_W_ABS] = &&l_ld_w_abs, [BOP_LD_H_ABS] = &&l_ld_h_abs,
		[BOP_LD_B_ABS] = &&l_ld_b_abs, [BOP_LD_W_IND] = &&l_ld_w_ind,
		[BOP_LD_H_IND] = &&l_ld_h_ind, [BOP_LD_B_IND] = &&l_ld_b_ind,
		[BOP_LDX_MSH] = &&l_ldx_msh, [BOP_LD_LEN] = &&l_ld_len,
		[BOP_LDX_LEN] = &&l_ldx_len, [BOP_LD_IMM] = &&l_ld_imm,
		[BOP_LDX_IMM] = &&l_ldx_imm, [BOP_LD_MEM] = &&l_ld_mem,
		[BOP_LDX_MEM] = &&l_ldx_mem, [BOP_ST] = &&l_st,
		[BOP_STX] = &&l_stx, [BOP_JA] = &&l_ja,
		[BOP_JA_BACK] = &&l_ja_back, [BOP_JGT_K] = &&l_jgt_k,
		[BOP_JGE_K] = &&l_jge_k, [BOP_JEQ_K] = &&l_jeq_k,
		[BOP_JSET_K] = &&l_jset_k, [BOP_JGT_X] = &&l_jgt_x,
		[BOP_JGE_X] = &&l_jge_x, [BOP_JEQ_X] = &&l_jeq_x,
		[BOP_JSET_X] = &&l_jset_x, [BOP_ADD_K] = &&l_add_k,
		[BOP_SUB_K] = &&l_sub_k, [BOP_MUL_K] = &&l_mul_k,
		[BOP_DIV_K] = &&l_div_k, [BOP_MOD_K] = &&l_mod_k,
		[BOP_AND_K] = &&l_and_k, [BOP_OR_K] = &&l_or_k,
		[BOP_XOR_K] = &&l_xor_k, [BOP_LSH_K] = &&l_lsh_k,
		[BOP_RSH_K] = &&l_rsh_k, [BOP_ADD_X] = &&l_add_x,
		[BOP_SUB_X] = &&l_sub_x, [BOP_MUL_X] = &&l_mul_x,
		[BOP_DIV_X] = &&l_div_x, [BOP_MOD_X] = &&l_mod_x,
		[BOP_AND_X] = &&l_and_x, [BOP_OR_X] = &&l_or_x,
		[BOP_XOR_X] = &&l_xor_x, [BOP_LSH_X] = &&l_lsh_x,
		[BOP_RSH_X] = &&l_rsh_x, [BOP_NEG] = &&l_neg,
		[BOP_TAX] = &&l_tax, [BOP_TXA] = &&l_txa,
		[BOP_LDH_JEQ] = &&l_ldh_jeq, [BOP_LDB_JEQ] = &&l_ldb_jeq,
	};
	const struct bpf_op *ops, *pc;
	uint32_t A = 0, X = 0, mem[BPF_MEMWORDS] = { 0 };
	uint64_t off;
	unsigned int back = 0;

	if (tab != NULL) {
		*tab = labels;
		return 0;
	}
	ops = prog->ops;
	pc = ops;

#define NEXT		do { pc++; goto *pc->h; } while (0)
#define JUMP(c)		do {						\
	pc = ops + ((c) ? pc->jt : pc->jf);				\
	goto *pc->h;							\
} while (0)

	goto *pc->h;

 l_ret_k:	return pc->k;
 l_ret_a:	return A;
 l_ld_w_abs:
	if (pc->k2 > len)
		return 0;
	A = bpf_rd32(pkt + pc->k);
	NEXT;
 l_ld_h_abs:
	if (pc->k2 > len)
		return 0;
	A = bpf_rd16(pkt + pc->k);
	NEXT;
 l_ld_b_abs:
	if (pc->k2 > len)
		return 0;
	A = pkt[pc->k];
	NEXT;
 l_ld_w_ind:
	off = (uint64_t)X + pc->k;
	if (off + 4 > len)
		return 0;
	A = bpf_rd32(pkt + off);
	NEXT;
 l_ld_h_ind:
	off = (uint64_t)X + pc->k;
	if (off + 2 > len)
		return 0;
	A = bpf_rd16(pkt + off);
	NEXT;
 l_ld_b_ind:
	off = (uint64_t)X + pc->k;
	if (off + 1 > len)
		return 0;
	A = pkt[off];
	NEXT;
 l_ldx_msh:
	if (pc->k2 > len)
		return 0;
	X = (uint32_t)(pkt[pc->k] & 0xf) << 2;
	NEXT;
 l_ld_len:	A = len; NEXT;
 l_ldx_len:	X = len; NEXT;
 l_ld_imm:	A = pc->k; NEXT;
 l_ldx_imm:	X = pc->k; NEXT;
 l_ld_mem:	A = mem[pc->k]; NEXT;
 l_ldx_mem:	X = mem[pc->k]; NEXT;
 l_st:		mem[pc->k] = A; NEXT;
 l_stx:		mem[pc->k] = X; NEXT;
 l_ja:		pc = ops + pc->jt; goto *pc->h;
 l_ja_back:
	if (back++ >= BPF_BACKWARD_MAX)
		return 0;
	pc = ops + pc->jt;
	goto *pc->h;
 l_jgt_k:	JUMP(A > pc->k);
 l_jge_k:	JUMP(A >= pc->k);
 l_jeq_k:	JUMP(A == pc->k);
 l_jset_k:	JUMP(A & pc->k);
 l_jgt_x:	JUMP(A > X);
 l_jge_x:	JUMP(A >= X);
 l_jeq_x:	JUMP(A == X);
 l_jset_x:	JUMP(A & X);
 l_add_k:	A += pc->k; NEXT;
 l_sub_k:	A -= pc->k; NEXT;
 l_mul_k:	A *= pc->k; NEXT;
 l_div_k:	A /= pc->k; NEXT;
 l_mod_k:	A %= pc->k; NEXT;
 l_and_k:	A &= pc->k; NEXT;
 l_or_k:	A |= pc->k; NEXT;
 l_xor_k:	A ^= pc->k; NEXT;
 l_lsh_k:	A <<= pc->k; NEXT;
 l_rsh_k:	A >>= pc->k; NEXT;
 l_add_x:	A += X; NEXT;
 l_sub_x:	A -= X; NEXT;
 l_mul_x:	A *= X; NEXT;
 l_div_x:
	if (X == 0)
		return 0;
	A /= X;
	NEXT;
 l_mod_x:
	if (X == 0)
		return 0;
	A %= X;
	NEXT;
 l_and_x:	A &= X; NEXT;
 l_or_x:	A |= X; NEXT;
 l_xor_x:	A ^= X; NEXT;
 l_lsh_x:	A = X < 32 ? A << X : 0; NEXT;
 l_rsh_x:	A = X < 32 ? A >> X : 0; NEXT;
 l_neg:		A = 0U - A; NEXT;
 l_tax:		X = A; NEXT;
 l_txa:		A = X; NEXT;
 l_ldh_jeq:
	if ((uint64_t)pc->k + 2 > len)
		return 0;
	A = bpf_rd16(pkt + pc->k);
	JUMP(A == pc->k2);
 l_ldb_jeq:
	if ((uint64_t)pc->k + 1 > len)
		return 0;
	A = pkt[pc->k];
	JUMP(A == pc->k2);
#undef NEXT
#undef JUMP
}

static uint32_t
bpf_interp_run(const struct filter_bpf_prog *prog, const uint8_t *pkt,
    uint32_t len)
{
	return bpf_exec(prog, pkt, len, NULL);
}

/*
 * Instructions libpcap's interpreter knows, with the constants that would
 * crash it or index outside the scratch memory refused; every jump inside
 * the program; the last instruction a return, so none runs off the end.
 */
static int
bpf_check(const struct bpf_insn *in, unsigned int n, char *err,
    size_t errlen)
{
	const struct bpf_insn *p;
	unsigned int i;
	int64_t to;

	if (n == 0 || n > BPF_INSNS_MAX) {
		snprintf(err, errlen, "BPF program of %u instructions", n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		p = &in[i];
		switch (p->code) {
		case BPF_RET|BPF_K:
		case BPF_RET|BPF_A:
		case BPF_LD|BPF_W|BPF_ABS:
		case BPF_LD|BPF_H|BPF_ABS:
		case BPF_LD|BPF_B|BPF_ABS:
		case BPF_LD|BPF_W|BPF_LEN:
		case BPF_LDX|BPF_W|BPF_LEN:
		case BPF_LD|BPF_W|BPF_IND:
		case BPF_LD|BPF_H|BPF_IND:
		case BPF_LD|BPF_B|BPF_IND:
		case BPF_LDX|BPF_MSH|BPF_B:
		case BPF_LD|BPF_IMM:
		case BPF_LDX|BPF_IMM:
		case BPF_ALU|BPF_ADD|BPF_X:
		case BPF_ALU|BPF_SUB|BPF_X:
		case BPF_ALU|BPF_MUL|BPF_X:
		case BPF_ALU|BPF_DIV|BPF_X:
		case BPF_ALU|BPF_MOD|BPF_X:
		case BPF_ALU|BPF_AND|BPF_X:
		case BPF_ALU|BPF_OR|BPF_X:
		case BPF_ALU|BPF_XOR|BPF_X:
		case BPF_ALU|BPF_LSH|BPF_X:
		case BPF_ALU|BPF_RSH|BPF_X:
		case BPF_ALU|BPF_ADD|BPF_K:
		case BPF_ALU|BPF_SUB|BPF_K:
		case BPF_ALU|BPF_MUL|BPF_K:
		case BPF_ALU|BPF_AND|BPF_K:
		case BPF_ALU|BPF_OR|BPF_K:
		case BPF_ALU|BPF_XOR|BPF_K:
		case BPF_ALU|BPF_LSH|BPF_K:
		case BPF_ALU|BPF_RSH|BPF_K:
		case BPF_ALU|BPF_NEG:
		case BPF_MISC|BPF_TAX:
		case BPF_MISC|BPF_TXA:
			break;
		case BPF_LD|BPF_MEM:
		case BPF_LDX|BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (p->k >= BPF_MEMWORDS) {
				snprintf(err, errlen, "BPF instruction %u: "
				    "scratch memory %u out of range", i, p->k);
				return -1;
			}
			break;
		case BPF_ALU|BPF_DIV|BPF_K:
		case BPF_ALU|BPF_MOD|BPF_K:
			if (p->k == 0) {
				snprintf(err, errlen, "BPF instruction %u: "
				    "division by zero", i);
				return -1;
			}
			break;
		case BPF_JMP|BPF_JA:
			to = (int64_t)i + 1 + (int32_t)p->k;
			if (to < 0 || to >= n || to == i) {
				snprintf(err, errlen, "BPF instruction %u: "
				    "jump out of the program or to itself", i);
				return -1;
			}
			break;
		case BPF_JMP|BPF_JGT|BPF_K:
		case BPF_JMP|BPF_JGE|BPF_K:
		case BPF_JMP|BPF_JEQ|BPF_K:
		case BPF_JMP|BPF_JSET|BPF_K:
		case BPF_JMP|BPF_JGT|BPF_X:
		case BPF_JMP|BPF_JGE|BPF_X:
		case BPF_JMP|BPF_JEQ|BPF_X:
		case BPF_JMP|BPF_JSET|BPF_X:
			if ((uint64_t)i + 1 + p->jt >= n ||
			    (uint64_t)i + 1 + p->jf >= n) {
				snprintf(err, errlen, "BPF instruction %u: "
				    "jump out of the program", i);
				return -1;
			}
			break;
		default:
			snprintf(err, errlen, "BPF instruction %u: unknown "
			    "opcode 0x%04x", i, p->code);
			return -1;
		}
	}
	if (BPF_CLASS(in[n - 1].code) != BPF_RET) {
		snprintf(err, errlen, "BPF program does not end with a return");
		return -1;
	}
	return 0;
}

static int
bpf_alu_op(uint16_t code)
{
	static const int k_ops[16] = {
		[BPF_ADD >> 4] = BOP_ADD_K, [BPF_SUB >> 4] = BOP_SUB_K,
		[BPF_MUL >> 4] = BOP_MUL_K, [BPF_DIV >> 4] = BOP_DIV_K,
		[BPF_OR >> 4] = BOP_OR_K, [BPF_AND >> 4] = BOP_AND_K,
		[BPF_LSH >> 4] = BOP_LSH_K, [BPF_RSH >> 4] = BOP_RSH_K,
		[BPF_NEG >> 4] = BOP_NEG, [BPF_MOD >> 4] = BOP_MOD_K,
		[BPF_XOR >> 4] = BOP_XOR_K,
	};
	static const int x_ops[16] = {
		[BPF_ADD >> 4] = BOP_ADD_X, [BPF_SUB >> 4] = BOP_SUB_X,
		[BPF_MUL >> 4] = BOP_MUL_X, [BPF_DIV >> 4] = BOP_DIV_X,
		[BPF_OR >> 4] = BOP_OR_X, [BPF_AND >> 4] = BOP_AND_X,
		[BPF_LSH >> 4] = BOP_LSH_X, [BPF_RSH >> 4] = BOP_RSH_X,
		[BPF_NEG >> 4] = BOP_NEG, [BPF_MOD >> 4] = BOP_MOD_X,
		[BPF_XOR >> 4] = BOP_XOR_X,
	};

	if (BPF_SRC(code) == BPF_X)
		return x_ops[BPF_OP(code) >> 4];
	return k_ops[BPF_OP(code) >> 4];
}

static int
bpf_jmp_op(uint16_t code)
{
	int x = BPF_SRC(code) == BPF_X;

	switch (BPF_OP(code)) {
	case BPF_JGT:
		return x ? BOP_JGT_X : BOP_JGT_K;
	case BPF_JGE:
		return x ? BOP_JGE_X : BOP_JGE_K;
	case BPF_JEQ:
		return x ? BOP_JEQ_X : BOP_JEQ_K;
	default:
		return x ? BOP_JSET_X : BOP_JSET_K;
	}
}

/* An absolute load of size bytes: its limit, or a plain reject when the
 * limit is beyond any frame. */
static int
bpf_decode_abs(struct bpf_op *op, int bop, uint32_t size)
{
	if ((uint64_t)op->k + size > UINT32_MAX) {
		op->k = 0;
		return BOP_RET_K;
	}
	op->k2 = op->k + size;
	return bop;
}

/* A checked program into threaded code. */
static int
bpf_decode(struct filter_bpf_prog *prog)
{
	const struct bpf_insn *in = prog->insns, *p;
	const void *const *lab;
	struct bpf_op *op;
	uint8_t *target;
	unsigned int i, n = prog->n;
	int bop;

	if ((target = calloc(n, 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		p = &in[i];
		if (p->code == (BPF_JMP|BPF_JA))
			target[i + 1 + (int32_t)p->k] = 1;
		else if (BPF_CLASS(p->code) == BPF_JMP) {
			target[i + 1 + p->jt] = 1;
			target[i + 1 + p->jf] = 1;
		}
	}
	bpf_exec(NULL, NULL, 0, &lab);
	for (i = 0; i < n; i++) {
		p = &in[i];
		op = &prog->ops[i];
		op->k = p->k;
		switch (p->code) {
		case BPF_RET|BPF_K:
			bop = BOP_RET_K;
			break;
		case BPF_RET|BPF_A:
			bop = BOP_RET_A;
			break;
		case BPF_LD|BPF_W|BPF_ABS:
			bop = bpf_decode_abs(op, BOP_LD_W_ABS, 4);
			break;
		case BPF_LD|BPF_H|BPF_ABS:
		case BPF_LD|BPF_B|BPF_ABS:
			if (i + 1 < n && !target[i + 1] &&
			    in[i + 1].code == (BPF_JMP|BPF_JEQ|BPF_K)) {
				bop = BPF_SIZE(p->code) == BPF_H ?
				    BOP_LDH_JEQ : BOP_LDB_JEQ;
				op->k2 = in[i + 1].k;
				op->jt = i + 2 + in[i + 1].jt;
				op->jf = i + 2 + in[i + 1].jf;
			} else if (BPF_SIZE(p->code) == BPF_H)
				bop = bpf_decode_abs(op, BOP_LD_H_ABS, 2);
			else
				bop = bpf_decode_abs(op, BOP_LD_B_ABS, 1);
			break;
		case BPF_LD|BPF_W|BPF_LEN:
			bop = BOP_LD_LEN;
			break;
		case BPF_LDX|BPF_W|BPF_LEN:
			bop = BOP_LDX_LEN;
			break;
		case BPF_LD|BPF_W|BPF_IND:
			bop = BOP_LD_W_IND;
			break;
		case BPF_LD|BPF_H|BPF_IND:
			bop = BOP_LD_H_IND;
			break;
		case BPF_LD|BPF_B|BPF_IND:
			bop = BOP_LD_B_IND;
			break;
		case BPF_LDX|BPF_MSH|BPF_B:
			bop = bpf_decode_abs(op, BOP_LDX_MSH, 1);
			break;
		case BPF_LD|BPF_IMM:
			bop = BOP_LD_IMM;
			break;
		case BPF_LDX|BPF_IMM:
			bop = BOP_LDX_IMM;
			break;
		case BPF_LD|BPF_MEM:
			bop = BOP_LD_MEM;
			break;
		case BPF_LDX|BPF_MEM:
			bop = BOP_LDX_MEM;
			break;
		case BPF_ST:
			bop = BOP_ST;
			break;
		case BPF_STX:
			bop = BOP_STX;
			break;
		case BPF_MISC|BPF_TAX:
			bop = BOP_TAX;
			break;
		case BPF_MISC|BPF_TXA:
			bop = BOP_TXA;
			break;
		case BPF_JMP|BPF_JA:
			op->jt = i + 1 + (int32_t)p->k;
			bop = op->jt < i ? BOP_JA_BACK : BOP_JA;
			break;
		default:
			if (BPF_CLASS(p->code) == BPF_JMP) {
				bop = bpf_jmp_op(p->code);
				op->jt = i + 1 + p->jt;
				op->jf = i + 1 + p->jf;
			} else {
				bop = bpf_alu_op(p->code);
				/* x86 semantics of libpcap 1.10's C shift */
				if (bop == BOP_LSH_K || bop == BOP_RSH_K)
					op->k &= 31;
			}
			break;
		}
		op->h = lab[bop];
	}
	free(target);
	return 0;
}

struct filter_bpf *
filter_bpf_load(const struct bpf_insn *insns, unsigned int n, char *err,
    size_t errlen)
{
	struct filter_bpf_all *all;
	struct filter_bpf_prog *prog;
	char jerr[128];

	if (bpf_check(insns, n, err, errlen) == -1)
		return NULL;
	if ((all = calloc(1, sizeof(*all))) == NULL)
		goto nomem;
	prog = &all->prog;
	all->f.prog = prog;
	all->f.run = bpf_interp_run;
	prog->n = n;
	if ((prog->insns = calloc(n, sizeof(*insns))) == NULL ||
	    (prog->ops = calloc(n, sizeof(*prog->ops))) == NULL)
		goto nomem;
	memcpy(prog->insns, insns, n * sizeof(*insns));
	if (bpf_decode(prog) == -1)
		goto nomem;
	/* Without native code the interpreter runs: slower, same verdicts. */
	prog->jit = filter_jit_compile(insns, n, jerr, sizeof(jerr));
	if (prog->jit != NULL)
		all->f.run = filter_jit_entry(prog->jit);
	return &all->f;
 nomem:
	snprintf(err, errlen, "out of memory loading a BPF program");
	filter_bpf_free(all != NULL ? &all->f : NULL);
	return NULL;
}

struct filter_bpf *
filter_bpf_compile(const char *expr, int linktype, int snaplen, char *err,
    size_t errlen)
{
	struct bpf_program bp;
	struct filter_bpf *f;
	pcap_t *p;

	if ((p = pcap_open_dead(linktype, snaplen)) == NULL) {
		snprintf(err, errlen, "cannot compile for link type %d",
		    linktype);
		return NULL;
	}
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	f = filter_bpf_load(bp.bf_insns, bp.bf_len, err, errlen);
	pcap_freecode(&bp);
	pcap_close(p);
	return f;
}

void
filter_bpf_free(struct filter_bpf *f)
{
	struct filter_bpf_all *all;

	if (f == NULL)
		return;
	all = (struct filter_bpf_all *)f;
	filter_jit_free(all->prog.jit);
	free(all->prog.insns);
	free(all->prog.ops);
	free(all);
}

int
filter_bpf_jitted(const struct filter_bpf *f)
{
	return f->prog->jit != NULL;
}

const struct bpf_insn *
filter_bpf_insns(const struct filter_bpf *f, unsigned int *n)
{
	*n = f->prog->n;
	return f->prog->insns;
}

uint32_t
filter_bpf_interp(const struct filter_bpf *f, const uint8_t *pkt,
    uint32_t len)
{
	return bpf_exec(f->prog, pkt, len, NULL);
}

void
filter_bpf_run_batch(const struct filter_bpf *f, struct pkt_buf *const *bufs,
    uint16_t n, uint8_t *verdict)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		verdict[i] = f->run(f->prog, pkt_data(bufs[i]),
		    bufs[i]->len) != 0 ? FILTER_PASS : FILTER_DROP;
}
