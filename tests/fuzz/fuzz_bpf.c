/*
 * fuzz_bpf: any classic BPF program through filter_bpf_load, the native
 * code and the interpreter, against libpcap's bpf_filter().
 *
 * Input: byte 0 gives the number of instructions (1..64), then 8 bytes
 * per instruction (struct bpf_insn as in memory), then the frame (up to
 * 9728 bytes).  The program runs after 17 instructions that zero the
 * scratch memory, as libpcap leaves it undefined.  filter_bpf_load
 * accepts a program only if bpf_validate() does (it may refuse more:
 * bpf_validate lets opcodes through that bpf_filter() then treats as
 * "return 0", which filter_bpf_load refuses); an accepted program returns what
 * bpf_filter() returns on the frame, natively and interpreted (the
 * native code reads the frame just before a page without access).
 */
#include <pcap/pcap.h>

#include "fuzz.h"

#include "filter.h"

#define NINSNS_MAX	64
#define PROLOGUE	(BPF_MEMWORDS + 1)
#define FRAME_MAX	9728

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_insn prog[PROLOGUE + NINSNS_MAX];
	struct filter_bpf *f;
	const uint8_t *g;
	uint32_t want, got, interp, len;
	unsigned int n, i;
	char err[256];
	int valid;

	if (size < 1)
		return 0;
	n = data[0] % NINSNS_MAX + 1;
	data++;
	size--;
	if (size < n * sizeof(struct bpf_insn))
		return 0;
	prog[0] = (struct bpf_insn)BPF_STMT(BPF_LD | BPF_IMM, 0);
	for (i = 0; i < BPF_MEMWORDS; i++)
		prog[1 + i] = (struct bpf_insn)BPF_STMT(BPF_ST, i);
	memcpy(prog + PROLOGUE, data, n * sizeof(struct bpf_insn));
	data += n * sizeof(struct bpf_insn);
	size -= n * sizeof(struct bpf_insn);
	len = size > FRAME_MAX ? FRAME_MAX : size;
	n += PROLOGUE;

	valid = bpf_validate(prog, n);
	err[0] = '\0';
	f = filter_bpf_load(prog, n, err, sizeof(err));
	if (f == NULL) {
		if (err[0] == '\0')
			fuzz_fail("a program refused without a reason");
		return 0;
	}
	if (!valid)
		fuzz_fail("a program bpf_validate refuses is accepted");
	g = fuzz_guarded(data, len);
	got = filter_bpf_run(f, g, len);
	interp = filter_bpf_interp(f, g, len);
	for (i = 0; i < n; i++)
		if (prog[i].code == (BPF_JMP | BPF_JA) &&
		    (int32_t)prog[i].k < 0)
			break;
	want = i < n ? interp : bpf_filter(prog, data, len, len);
	if (got != want || interp != want)
		fuzz_fail("%u instructions on %u bytes: libpcap %u, ixfwd %u "
		    "(%s), interpreter %u", n, len, want, got,
		    filter_bpf_jitted(f) ? "native" : "interpreted", interp);
	filter_bpf_free(f);
	return 0;
}
