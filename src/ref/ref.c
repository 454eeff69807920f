/* ref — libstrata-ref.so: strata as the difftest reference of NEMU and NPC simulators, with
 * NEMU's API (nemu/src/cpu/difftest/dut.c dlopens the reference and calls these five). The
 * reference is a -machine nemu board: RAM at 0x80000000 filled by difftest_memcpy, one hart
 * driven instruction by instruction. What no reference offers: strata_ref_ring() prints the
 * reference's registers and last instructions (call it where the DUT reports a mismatch), and
 * STRATA_REF_TRACE=FILE records a strata trace of the whole reference run (docs/NEMU.md).
 *
 * The register block is NEMU's CPU_state as its difftest copies it: word_t gpr[32] (16 on
 * RV32E), then word_t pc, word_t the XLEN's width (STRATA_REF_CPU=rv32 or rv32e for riscv32).
 * A DUT that appends CSRs to its CPU_state (students add mstatus, mtvec, mepc, mcause... after
 * pc) names them, in its order, in STRATA_REF_CSRS, or asks for the documented set with
 * STRATA_REF_CSRS=all (ref_all_csrs below); each is one more word_t after pc. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/trace_opts.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "machine/console.h"
#include "machine/machine.h"
#include "util/err.h"

#define EXPORT __attribute__((visibility("default")))

enum { DIFFTEST_TO_DUT, DIFFTEST_TO_REF }; /* NEMU's difftest-def.h */

#define REG_PC	    32 /* GDB's numbering (hart_debug_*_reg): x0..x31, pc, CSRs at 65 + n */
#define REG_CSR(n)  (65 + (n))
#define REG_PRIV    4161
#define CSR_MSTATUS 0x300
#define CSR_MTVEC   0x305
#define CSR_MEPC    0x341
#define CSR_MCAUSE  0x342

#define REF_MAX_CSRS 32

/* STRATA_REF_CSRS=all: the M and S trap and translation CSRs, in this order (docs/NEMU.md) */
static const char ref_all_csrs[] = "mstatus,mtvec,mepc,mcause,mtval,mscratch,mie,mip,medeleg,"
				   "mideleg,stvec,sepc,scause,stval,sscratch,satp";

static struct {
	struct machine *m;
	struct hart *h;
	unsigned word, ngpr; /* bytes per register, registers before pc */
	unsigned ncsr, csr[REF_MAX_CSRS]; /* CSRs after pc, in the DUT's order */
	struct trace_opts topts;
	bool tracing;
} ref;

static void die(const char *what)
{
	/* the DUT calls through NEMU's API, which has no error path: say why and stop */
	fprintf(stderr, "strata-ref: %s: %s\n", what, err_msg() ? err_msg() : "failed");
	exit(2);
}

static void need_init(const char *fn)
{
	if (!ref.m) {
		fprintf(stderr, "strata-ref: %s before difftest_init\n", fn);
		exit(2);
	}
}

/* STRATA_REF_TRACE=FILE: record itrace, ftrace and etrace of the reference (STRATA_REF_SYM=ELF
 * names its functions); the trace is closed when the DUT's process exits. */
static void start_trace(const char *file, struct machine_config *cfg)
{
	const char *sym = getenv("STRATA_REF_SYM");
	char *argv[] = {"strata-ref", "--trace=itrace,ftrace,etrace", "--trace-out", (char *)file,
			"--sym", (char *)sym, NULL};
	int argc = sym && *sym ? 6 : 4;

	for (int i = 1; i < argc; i++)
		if (trace_opts_parse(&ref.topts, argc, argv, &i) <= 0)
			die("STRATA_REF_TRACE");
	if (trace_opts_start(&ref.topts, ref.m, cfg, argc, argv) < 0)
		die("STRATA_REF_TRACE");
	ref.tracing = true;
}

/* The CSR called name (or numbered 0x...) on this hart; -1 if there is none. */
static int csr_number(isa_t isa, const char *name)
{
	char buf[32], *end;
	unsigned long n = strtoul(name, &end, 0);

	if (end != name && !*end)
		return n < 4096 && !cpu_csr_name(isa, (unsigned)n, buf, sizeof(buf)) ? (int)n : -1;
	for (unsigned c = 0; c < 4096; c++)
		if (!cpu_csr_name(isa, c, buf, sizeof(buf)) && !strcmp(buf, name))
			return (int)c;
	return -1;
}

/* STRATA_REF_CSRS: a comma-separated list of CSR names or numbers, or "all". */
static void parse_csrs(const char *list, isa_t isa)
{
	char buf[512], *save = NULL;

	/* the API has no error path: a bad list is the DUT's setup error, said in one line */
	if (!strcmp(list, "all"))
		list = ref_all_csrs;
	if (strlen(list) >= sizeof(buf)) {
		fprintf(stderr, "strata-ref: STRATA_REF_CSRS: the list is too long\n");
		exit(2);
	}
	strcpy(buf, list);
	for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		int n = csr_number(isa, t);

		if (n < 0 || ref.ncsr == REF_MAX_CSRS) {
			fprintf(stderr, "strata-ref: STRATA_REF_CSRS: '%s' %s\n", t,
				n < 0 ? "is not a CSR of this hart"
				      : "is one CSR too many (32 at most)");
			exit(2);
		}
		ref.csr[ref.ncsr++] = (unsigned)n;
	}
}

__attribute__((destructor)) static void ref_fini(void)
{
	if (!ref.m)
		return;
	if (ref.tracing && trace_opts_finish(&ref.topts, ref.m) < 0)
		fprintf(stderr, "strata-ref: %s\n", err_msg());
	trace_opts_free(&ref.topts);
	machine_free(ref.m);
	ref.m = NULL;
}

EXPORT void difftest_init(int port)
{
	static struct machine_config cfg; /* the recorder keeps pointers into it */
	const char *trace = getenv("STRATA_REF_TRACE"), *csrs = getenv("STRATA_REF_CSRS");
	isa_t isa;

	if (ref.m)
		return;
	cfg = (struct machine_config){.board = MACHINE_BOARD_NEMU,
				      .ram_size = 128ull << 20,
				      .nharts = 1,
				      .cpu = getenv("STRATA_REF_CPU")};
	console_set_mute(true); /* the DUT prints the program's output, not its reference */
	ref.m = machine_new(&cfg);
	if (!ref.m)
		die("difftest_init");
	ref.h = cpu_hart(machine_cpu(ref.m), 0);
	isa = cpu_isa(machine_cpu(ref.m));
	ref.word = isa_xlen(isa) / 8; /* NEMU's word_t: uint32_t on riscv32(e), uint64_t on riscv64 */
	ref.ngpr = isa & ISA_RVE ? 16 : 32;
	if (csrs && *csrs)
		parse_csrs(csrs, isa);
	if (trace && *trace)
		start_trace(trace, &cfg);
}

/* NEMU's paddr_t is 32 bits wide unless its memory reaches past 4 GiB. */
EXPORT void difftest_memcpy(uint32_t addr, void *buf, size_t n, bool direction)
{
	uint8_t *p;

	need_init("difftest_memcpy");
	p = machine_ram_ptr(ref.m, addr, n);
	if (!p) {
		fprintf(stderr, "strata-ref: difftest_memcpy: [0x%08x, +0x%zx) is not RAM\n", addr, n);
		exit(2);
	}
	if (direction == DIFFTEST_TO_REF) {
		memcpy(p, buf, n);
		cpu_invalidate_code(machine_cpu(ref.m), addr, n);
	} else {
		memcpy(buf, p, n);
	}
}

EXPORT void difftest_regcpy(void *dut, bool direction)
{
	uint8_t *b = dut;

	need_init("difftest_regcpy");
	for (unsigned r = 0; r <= ref.ngpr + ref.ncsr; r++) {
		unsigned regno = r < ref.ngpr	 ? r
				 : r == ref.ngpr ? REG_PC
						 : REG_CSR(ref.csr[r - ref.ngpr - 1]);
		uint64_t v = 0;

		if (direction == DIFFTEST_TO_REF) {
			memcpy(&v, b + r * ref.word, ref.word);
			if (ref.word == 4 && r < ref.ngpr) /* RV32 harts keep x registers sign-extended */
				v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
			if (regno)
				hart_debug_write_reg(ref.h, regno, v);
		} else {
			hart_debug_read_reg(ref.h, regno, &v);
			memcpy(b + r * ref.word, &v, ref.word);
		}
	}
}

/* One step is one instruction or the entry into one trap, as NEMU and Spike count them: an ecall
 * (or a faulting load) is a step of its own, and the handler's first instruction the next. */
EXPORT void difftest_exec(uint64_t n)
{
	struct hart_stop st;

	need_init("difftest_exec");
	while (n--) {
		hart_debug_resume(ref.h, true, true);
		if (hart_run(ref.h, 1))
			continue;
		if (!hart_debug_stopped(ref.h, &st) || st.kind != HART_STOP_STEP)
			break; /* ended (ebreak), or waits in WFI */
	}
	hart_debug_resume(ref.h, false, true);
}

/* The DUT took trap NO (an interrupt has bit XLEN-1 set): take it the same way, in M mode, as
 * the privileged spec says (AM's programs run in M mode only). */
EXPORT void difftest_raise_intr(uint64_t no)
{
	uint64_t pc, mstatus, mtvec, target;
	bool intr = no >> (ref.word * 8 - 1);

	need_init("difftest_raise_intr");
	hart_debug_read_reg(ref.h, REG_PC, &pc);
	hart_debug_read_reg(ref.h, REG_CSR(CSR_MSTATUS), &mstatus);
	hart_debug_read_reg(ref.h, REG_CSR(CSR_MTVEC), &mtvec);
	hart_debug_write_reg(ref.h, REG_CSR(CSR_MEPC), pc);
	hart_debug_write_reg(ref.h, REG_CSR(CSR_MCAUSE), no);
	/* MPIE = MIE, MIE = 0, MPP = M */
	mstatus = (mstatus & ~(1ull << 7)) | ((mstatus >> 3 & 1) << 7);
	mstatus = (mstatus & ~(1ull << 3)) | (3ull << 11);
	hart_debug_write_reg(ref.h, REG_CSR(CSR_MSTATUS), mstatus);
	hart_debug_write_reg(ref.h, REG_PRIV, 3);
	target = mtvec & ~3ull;
	if ((mtvec & 3) == 1 && intr)
		target += 4 * (no & ~(1ull << (ref.word * 8 - 1)));
	hart_debug_write_reg(ref.h, REG_PC, target);
}

/* strata's own: the reference's registers and its last instructions, to stderr. */
EXPORT void strata_ref_ring(void)
{
	need_init("strata_ref_ring");
	fprintf(stderr, "strata-ref: the reference's state and last instructions:\n");
	hart_dump(ref.h, stderr);
}
