/* dut — a small design-under-test for libstrata-ref.so, written the way NEMU's difftest drives a
 * reference (nemu/src/cpu/difftest/dut.c): dlopen the .so, difftest_init, copy the image and
 * the registers over, then after every instruction difftest_exec(1) and compare the
 * reference's registers (difftest_regcpy to the DUT) with our own; an MMIO access is not
 * compared but copied to the reference (NEMU's difftest_skip_ref).
 *
 * The DUT is its own RV64IM / RV32IM / RV32EM interpreter (enough for AM's cpu-tests, which
 * use no other instructions) with NEMU's serial port. --inject N:REG flips bit 0 of register REG
 * after N instructions, a bug on purpose: the harness must report that register at the next
 * comparison, and ask the reference for its last instructions (strata_ref_ring). --isa rv32 or
 * rv32e: NEMU's riscv32(e) CPU_state (4-byte word_t, 16 registers on RV32E); the reference must
 * be told too (STRATA_REF_CPU).
 *
 * The DUT knows Zicsr on mstatus, mtvec, mepc and mcause, ecall and mret (M mode). --csrs: the
 * CPU_state students grow in PA3, those four appended after pc and compared (the reference is
 * told with STRATA_REF_CSRS=mstatus,mtvec,mepc,mcause). --bug mepc: its ecall saves pc + 4 in
 * mepc, the classic mistake, which a handler that returns through its own address never shows
 * in a GPR.
 *
 *   dut [--isa rv64|rv32|rv32e] [--csrs] [--bug mepc] [--inject N:REG] LIBSTRATA-REF.SO
 *       IMAGE.bin
 * Exit status: the program's (a0 at ebreak), 1 after a mismatch, 2 for bad usage. */
#include <dlfcn.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MBASE 0x80000000u
#define MSIZE (128u << 20)
#define MMIO  0xa0000000u
#define SERIAL 0xa00003f8u

enum { DIFFTEST_TO_DUT, DIFFTEST_TO_REF };

enum { MSTATUS, MTVEC, MEPC, MCAUSE, NCSR };
static const unsigned csr_num[NCSR] = {0x300, 0x305, 0x341, 0x342};
static const char *csr_names[NCSR] = {"mstatus", "mtvec", "mepc", "mcause"};

typedef struct {
	uint64_t gpr[32]; /* RV32: sign-extended */
	uint64_t pc;
	uint64_t csr[NCSR]; /* with --csrs: after pc, in this order */
} CPU_state; /* NEMU's CPU_state, widened; pack()/unpack() give its riscv32/64 layout */

static CPU_state cpu;
static unsigned xlen = 64, ngpr = 32, ncsr;
static bool bug_mepc;

static uint64_t *slot(CPU_state *s, unsigned r)
{
	return r < ngpr ? &s->gpr[r] : r == ngpr ? &s->pc : &s->csr[r - ngpr - 1];
}

/* NEMU's layout: word_t gpr[ngpr]; word_t pc; word_t csr[ncsr]; */
static void pack(CPU_state *s, uint8_t *b)
{
	for (unsigned r = 0; r <= ngpr + ncsr; r++)
		memcpy(b + r * (xlen / 8), slot(s, r), xlen / 8);
}

static void unpack(const uint8_t *b, CPU_state *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned r = 0; r <= ngpr + ncsr; r++) {
		uint64_t v = 0;

		memcpy(&v, b + r * (xlen / 8), xlen / 8);
		if (xlen == 32 && r < ngpr)
			v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
		*slot(s, r) = v;
	}
}
static uint8_t *pmem;
static bool mmio_touched, halted;
static int halt_code;

static const char *regs[] = {"$0", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
			     "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
			     "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

static void (*ref_difftest_memcpy)(uint32_t addr, void *buf, size_t n, bool direction);
static void (*ref_difftest_regcpy)(void *dut, bool direction);
static void (*ref_difftest_exec)(uint64_t n);
static void (*ref_difftest_raise_intr)(uint64_t NO);

static uint64_t mem_read(uint64_t a, int len)
{
	uint64_t v = 0;

	if (xlen == 32)
		a = (uint32_t)a;
	if (a >= MBASE && a + len <= (uint64_t)MBASE + MSIZE) {
		memcpy(&v, pmem + (a - MBASE), len);
		return v;
	}
	mmio_touched = true;
	return 0; /* the cpu-tests read no device */
}

static void mem_write(uint64_t a, int len, uint64_t v)
{
	if (xlen == 32)
		a = (uint32_t)a;
	if (a >= MBASE && a + len <= (uint64_t)MBASE + MSIZE) {
		memcpy(pmem + (a - MBASE), &v, len);
		return;
	}
	mmio_touched = true;
	if (a == SERIAL)
		putchar((int)(v & 0xff));
}

static int64_t sext(uint64_t v, int bits)
{
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* Zicsr (funct3 1-3, 5-7) on the four CSRs, M mode only; false for any other CSR. */
static bool exec_csr(uint32_t i, uint64_t rs1, uint64_t *r)
{
	unsigned f3 = (i >> 12) & 7, num = i >> 20, c;
	uint64_t src = f3 >= 5 ? (i >> 15) & 31 : rs1, v, mask = xlen == 32 ? 0xffffffffull : ~0ull;

	for (c = 0; c < NCSR && csr_num[c] != num; c++)
		;
	if (c == NCSR || f3 == 0 || f3 == 4)
		return false;
	*r = cpu.csr[c];
	switch (f3 & 3) {
	case 1: v = src; break;
	case 2: v = *r | src; break;
	default: v = *r & ~src; break;
	}
	if ((f3 & 3) == 1 || ((i >> 15) & 31)) { /* csrrs/c with rs1 = x0 do not write */
		if (c == MEPC)
			v &= ~3ull; /* IALIGN = 32: mepc[1:0] read 0 */
		else if (c == MSTATUS) /* MIE, MPIE, MPP; SXL/UXL stay what they are */
			v = (cpu.csr[c] & ~0x1888ull) | (v & 0x1888);
		cpu.csr[c] = v & mask;
	}
	return true;
}

/* ecall from M mode (a trap as the privileged spec says, mtvec direct), or mret. */
static void exec_trap(bool mret, uint64_t *npc)
{
	uint64_t *ms = &cpu.csr[MSTATUS];
	uint64_t mie = *ms >> 3 & 1, mpie = *ms >> 7 & 1;

	if (mret) { /* MIE = MPIE, MPIE = 1, MPP = U (the least privileged mode) */
		*ms = (*ms & ~0x1888ull) | mpie << 3 | 1ull << 7;
		*npc = cpu.csr[MEPC];
		return;
	}
	cpu.csr[MEPC] = bug_mepc ? cpu.pc + 4 : cpu.pc;
	cpu.csr[MCAUSE] = 11;
	*ms = (*ms & ~0x1888ull) | mie << 7 | 3ull << 11; /* MPIE = MIE, MIE = 0, MPP = M */
	*npc = cpu.csr[MTVEC] & ~3ull;
}

/* One instruction; false for one this DUT does not know. */
static bool exec_once(void)
{
	uint32_t i = (uint32_t)mem_read(cpu.pc, 4);
	uint64_t *x = cpu.gpr, npc = cpu.pc + 4, rs1 = x[(i >> 15) & 31], rs2 = x[(i >> 20) & 31];
	unsigned rd = (i >> 7) & 31, f3 = (i >> 12) & 7, f7 = i >> 25;
	int64_t immi = sext(i >> 20, 12), imms = sext(((i >> 25) << 5) | ((i >> 7) & 31), 12);
	int64_t immb = sext(((i >> 31) << 12) | (((i >> 7) & 1) << 11) | (((i >> 25) & 63) << 5) |
				(((i >> 8) & 15) << 1), 13);
	int64_t immj = sext(((i >> 31) << 20) | (((i >> 12) & 255) << 12) |
				(((i >> 20) & 1) << 11) | (((i >> 21) & 1023) << 1), 21);
	uint64_t r = 0;
	bool w = true, rv32 = xlen == 32;

	if (ngpr < 32) { /* RV32E: x16..x31 do not exist; check the fields each format uses */
		unsigned op = i & 0x7f;
		bool has_rd = op != 0x63 && op != 0x23 && op != 0x0f && op != 0x73;
		bool has_rs1 = op != 0x37 && op != 0x17 && op != 0x6f && op != 0x0f && op != 0x73;
		bool has_rs2 = op == 0x63 || op == 0x23 || op == 0x33 || op == 0x3b;
		if ((has_rd && rd >= ngpr) || (has_rs1 && ((i >> 15) & 31) >= ngpr) ||
		    (has_rs2 && ((i >> 20) & 31) >= ngpr))
			return false;
	}
	switch (i & 0x7f) {
	case 0x37: r = sext(i & 0xfffff000u, 32); break;
	case 0x17: r = cpu.pc + sext(i & 0xfffff000u, 32); break;
	case 0x6f: r = cpu.pc + 4; npc = cpu.pc + immj; break;
	case 0x67: r = cpu.pc + 4; npc = (rs1 + immi) & ~1ull; break;
	case 0x63: {
		bool t;
		switch (f3) {
		case 0: t = rs1 == rs2; break;
		case 1: t = rs1 != rs2; break;
		case 4: t = (int64_t)rs1 < (int64_t)rs2; break;
		case 5: t = (int64_t)rs1 >= (int64_t)rs2; break;
		case 6: t = rs1 < rs2; break;
		case 7: t = rs1 >= rs2; break;
		default: return false;
		}
		if (t)
			npc = cpu.pc + immb;
		w = false;
		break;
	}
	case 0x03: {
		static const int len[] = {1, 2, 4, 8, 1, 2, 4};
		if (f3 == 7 || (rv32 && (f3 == 3 || f3 == 6)))
			return false;
		r = mem_read(rs1 + immi, len[f3]);
		if (f3 < 4)
			r = sext(r, len[f3] * 8);
		break;
	}
	case 0x23:
		if (f3 > 3 || (rv32 && f3 == 3))
			return false;
		mem_write(rs1 + imms, 1 << f3, rs2);
		w = false;
		break;
	case 0x13: case 0x1b: case 0x33: case 0x3b: {
		/* RV32's operations are RV64's W forms (32-bit, sign-extended) */
		bool imm = !(i & 0x20), word = (i & 0x8) || rv32;
		if (rv32 && (i & 0x8))
			return false;
		uint64_t b = imm ? (uint64_t)immi : rs2;
		unsigned sh = word ? (b & 31) : (b & 63);
		if (!imm && f7 == 1) { /* M */
			int64_t s1 = word ? (int32_t)rs1 : (int64_t)rs1, s2 = word ? (int32_t)rs2 : (int64_t)rs2;
			uint64_t u1 = word ? (uint32_t)rs1 : rs1, u2 = word ? (uint32_t)rs2 : rs2;
			switch (f3) {
			case 0: r = rs1 * rs2; break;
			case 1: r = rv32 ? (uint64_t)((s1 * s2) >> 32) : (uint64_t)(((__int128)s1 * s2) >> 64); break;
			case 2: r = rv32 ? (uint64_t)((s1 * (int64_t)u2) >> 32) : (uint64_t)(((__int128)s1 * (unsigned __int128)u2) >> 64); break;
			case 3: r = rv32 ? (u1 * u2) >> 32 : (uint64_t)(((unsigned __int128)u1 * u2) >> 64); break;
			case 4: r = !s2 ? ~0ull : (s2 == -1 && s1 == (word ? INT32_MIN : INT64_MIN)) ? (uint64_t)s1 : (uint64_t)(s1 / s2); break;
			case 5: r = !u2 ? ~0ull : u1 / u2; break;
			case 6: r = !s2 ? (uint64_t)s1 : s2 == -1 ? 0 : (uint64_t)(s1 % s2); break;
			case 7: r = !u2 ? u1 : u1 % u2; break;
			}
		} else {
			switch (f3) {
			case 0: r = (!imm && (f7 & 0x20)) ? rs1 - b : rs1 + b; break;
			case 1: r = rs1 << sh; break;
			case 2: r = (int64_t)rs1 < (int64_t)b; break;
			case 3: r = rs1 < b; break;
			case 4: r = rs1 ^ b; break;
			case 5:
				if ((i >> 30) & 1)
					r = word ? (uint64_t)((int32_t)rs1 >> sh) : (uint64_t)((int64_t)rs1 >> sh);
				else
					r = word ? (uint32_t)rs1 >> sh : rs1 >> sh;
				break;
			case 6: r = rs1 | b; break;
			case 7: r = rs1 & b; break;
			}
		}
		if (word)
			r = sext(r, 32);
		break;
	}
	case 0x0f: w = false; break; /* fence */
	case 0x73:
		if (i == 0x00100073) { /* ebreak: NEMU's trap */
			halted = true;
			halt_code = (int)x[10];
			w = false;
			break;
		}
		if (i == 0x00000073 || i == 0x30200073) { /* ecall, mret */
			exec_trap(i != 0x00000073, &npc);
			w = false;
			break;
		}
		if (!exec_csr(i, rs1, &r))
			return false;
		break;
	default:
		return false;
	}
	if (rv32) {
		r = sext(r, 32);
		npc = (uint32_t)npc;
	}
	if (w && rd)
		x[rd] = r;
	cpu.pc = npc;
	return true;
}

static bool checkregs(const CPU_state *ref, uint64_t pc)
{
	bool ok = ref->pc == cpu.pc;

	for (unsigned r = 0; r < ngpr; r++)
		if (ref->gpr[r] != cpu.gpr[r]) {
			printf("difftest: %s is 0x%016" PRIx64 " on the DUT, 0x%016" PRIx64
			       " on the reference, after the instruction at pc = 0x%016" PRIx64 "\n",
			       regs[r], cpu.gpr[r], ref->gpr[r], pc);
			ok = false;
		}
	if (ref->pc != cpu.pc)
		printf("difftest: pc is 0x%016" PRIx64 " on the DUT, 0x%016" PRIx64 " on the reference\n",
		       cpu.pc, ref->pc);
	for (unsigned c = 0; c < ncsr; c++)
		if (ref->csr[c] != cpu.csr[c]) {
			printf("difftest: %s is 0x%016" PRIx64 " on the DUT, 0x%016" PRIx64
			       " on the reference, after the instruction at pc = 0x%016" PRIx64 "\n",
			       csr_names[c], cpu.csr[c], ref->csr[c], pc);
			ok = false;
		}
	return ok;
}

int main(int argc, char **argv)
{
	long inject_at = -1;
	int inject_reg = 0;
	FILE *f;
	long size;
	void *handle;
	void (*ref_difftest_init)(int);
	void (*ref_ring)(void);
	uint8_t buf[(33 + NCSR) * 8];

	while (argc > 3 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--csrs")) {
			ncsr = NCSR;
			argv++;
			argc--;
			continue;
		}
		if (!strcmp(argv[1], "--bug") && !strcmp(argv[2], "mepc")) {
			bug_mepc = true;
		} else if (!strcmp(argv[1], "--inject") &&
		    sscanf(argv[2], "%ld:%d", &inject_at, &inject_reg) == 2 && inject_reg > 0 &&
		    inject_reg < 32) {
		} else if (!strcmp(argv[1], "--isa") && !strcmp(argv[2], "rv64")) {
		} else if (!strcmp(argv[1], "--isa") && !strcmp(argv[2], "rv32")) {
			xlen = 32;
		} else if (!strcmp(argv[1], "--isa") && !strcmp(argv[2], "rv32e")) {
			xlen = 32;
			ngpr = 16;
		} else {
			break;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 || inject_reg >= (int)ngpr) {
		fprintf(stderr, "usage: dut [--isa rv64|rv32|rv32e] [--csrs] [--bug mepc] "
				"[--inject N:REG] LIBSTRATA-REF.SO IMAGE.bin\n");
		return 2;
	}
	pmem = calloc(1, MSIZE);
	f = fopen(argv[2], "rb");
	if (!pmem || !f) {
		fprintf(stderr, "dut: %s: cannot read\n", argv[2]);
		return 2;
	}
	size = (long)fread(pmem, 1, MSIZE, f);
	fclose(f);

	/* init_difftest() of NEMU's dut.c */
	handle = dlopen(argv[1], RTLD_LAZY);
	if (!handle) {
		fprintf(stderr, "dut: %s\n", dlerror());
		return 2;
	}
	ref_difftest_memcpy = dlsym(handle, "difftest_memcpy");
	ref_difftest_regcpy = dlsym(handle, "difftest_regcpy");
	ref_difftest_exec = dlsym(handle, "difftest_exec");
	ref_difftest_raise_intr = dlsym(handle, "difftest_raise_intr");
	ref_difftest_init = dlsym(handle, "difftest_init");
	ref_ring = dlsym(handle, "strata_ref_ring"); /* strata's own, optional */
	if (!ref_difftest_memcpy || !ref_difftest_regcpy || !ref_difftest_exec ||
	    !ref_difftest_raise_intr || !ref_difftest_init) {
		fprintf(stderr, "dut: %s lacks NEMU's difftest API\n", argv[1]);
		return 2;
	}
	cpu.pc = MBASE;
	/* MPP = M, as NEMU sets it for difftest; on RV64 SXL = UXL = 2 (read-only on the reference) */
	cpu.csr[MSTATUS] = xlen == 64 ? 0xa00001800ull : 0x1800;
	ref_difftest_init(1234);
	ref_difftest_memcpy(MBASE, pmem, size, DIFFTEST_TO_REF);
	pack(&cpu, buf);
	ref_difftest_regcpy(buf, DIFFTEST_TO_REF);

	for (long n = 1; !halted; n++) {
		uint64_t pc = cpu.pc;
		CPU_state ref_r;

		mmio_touched = false;
		if (!exec_once()) {
			fprintf(stderr, "dut: unknown instruction at pc = 0x%016" PRIx64 "\n", pc);
			return 2;
		}
		if (n == inject_at)
			cpu.gpr[inject_reg] ^= 1; /* the bug on purpose */
		if (mmio_touched) { /* difftest_skip_ref: the reference takes the DUT's state */
			pack(&cpu, buf);
			ref_difftest_regcpy(buf, DIFFTEST_TO_REF);
			continue;
		}
		ref_difftest_exec(1);
		ref_difftest_regcpy(buf, DIFFTEST_TO_DUT);
		unpack(buf, &ref_r);
		if (!checkregs(&ref_r, pc)) {
			printf("difftest: mismatch after %ld instructions\n", n);
			fflush(stdout);
			if (ref_ring)
				ref_ring();
			return 1;
		}
	}
	fflush(stdout);
	printf("dut: HIT %s TRAP, %s\n", halt_code ? "BAD" : "GOOD", "every instruction matched");
	return halt_code;
}
