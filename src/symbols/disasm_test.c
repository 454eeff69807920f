/* disasm_test — LLVM's RV64GC disassembly as strata prints it: ABI register names, compressed
 * instructions as their full forms, absolute branch targets, invalid encodings as data. The
 * encodings come from riscv64-unknown-elf-as; the texts were checked against its objdump. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "symbols/symbols.h"
#include "util/err.h"

static int failures;

#define PC 0x80000000ull

static const struct {
	uint32_t raw;
	unsigned len;
	const char *text;
} cases[] = {
    /* compressed */
    {0x157d, 2, "addi a0, a0, -1"},
    {0x478d, 2, "li a5, 3"},
    {0x4532, 2, "lw a0, 12(sp)"},
    {0xe406, 2, "sd ra, 8(sp)"},
    {0x8082, 2, "ret"},
    {0x852e, 2, "mv a0, a1"},
    {0x9432, 2, "add s0, s0, a2"},
    {0xc501, 2, "beqz a0, 0x80000008"},
    {0xbff5, 2, "j 0x7ffffffc"},
    {0x2588, 2, "fld fa0, 8(a1)"},
    /* base integer, jumps and branches */
    {0xfff50513, 4, "addi a0, a0, -1"},
    {0x12345537, 4, "lui a0, 74565"},
    {0x00000297, 4, "auipc t0, 0"},
    {0x001000ef, 4, "jal 0x80000800"},
    {0x00008067, 4, "ret"},
    {0x00b50463, 4, "beq a0, a1, 0x80000008"},
    {0xfe7368e3, 4, "bltu t1, t2, 0x7ffffff0"},
    {0xff813483, 4, "ld s1, -8(sp)"},
    {0x00112623, 4, "sw ra, 12(sp)"},
    {0x00000013, 4, "nop"},
    /* M, A */
    {0x02b50533, 4, "mul a0, a0, a1"},
    {0x02e6d63b, 4, "divuw a2, a3, a4"},
    {0x100525af, 4, "lr.w a1, (a0)"},
    {0x1e6632af, 4, "sc.d.aqrl t0, t1, (a2)"},
    {0x04b6252f, 4, "amoadd.w.aq a0, a1, (a2)"},
    {0x0851302f, 4, "amoswap.d zero, t0, (sp)"},
    /* CSRs */
    {0x30529073, 4, "csrw mtvec, t0"},
    {0x34202573, 4, "csrr a0, mcause"},
    {0x30046573, 4, "csrrsi a0, mstatus, 8"},
    {0x1045b073, 4, "csrc sie, a1"},
    /* F, D */
    {0x01013507, 4, "fld fa0, 16(sp)"},
    {0x00052027, 4, "fsw ft0, 0(a0)"},
    {0x02c5f553, 4, "fadd.d fa0, fa1, fa2"},
    {0x18209043, 4, "fmadd.s ft0, ft1, ft2, ft3, rtz"},
    {0xc2051553, 4, "fcvt.w.d a0, fa0, rtz"},
    {0xe2050553, 4, "fmv.x.d a0, fa0"},
    {0xa0102553, 4, "feq.s a0, ft0, ft1"},
    /* system */
    {0x00000073, 4, "ecall"},
    {0x00100073, 4, "ebreak"},
    {0x30200073, 4, "mret"},
    {0x10200073, 4, "sret"},
    {0x10500073, 4, "wfi"},
    {0x12000073, 4, "sfence.vma"},
    {0x0ff0000f, 4, "fence"},
    {0x0000100f, 4, "fence.i"},
    {0x0310000f, 4, "fence rw, w"},
};

static const struct {
	uint32_t raw;
	unsigned len;
	const char *text;
} invalid[] = {
    {0xffffffff, 4, ".4byte 0xffffffff"},
    {0x0000007f, 4, ".4byte 0x0000007f"}, /* a 64-bit-long encoding's prefix */
    {0x00000000, 4, ".4byte 0x00000000"}, /* a compressed encoding given as 32 bits */
    {0x00b50463, 2, ".2byte 0x0463"},	  /* a 32-bit encoding given as 16 bits */
    {0x00b50463, 3, ".4byte 0x00b50463"}, /* not an instruction length */
};

static void test_table(struct disasm *d)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[96];
		int rc = disasm_insn(d, PC, cases[i].raw, cases[i].len, out, sizeof(out));
		if (rc != 0 || strcmp(out, cases[i].text) != 0) {
			printf("FAIL disasm_table: 0x%08x/%u: rc %d, \"%s\", want \"%s\"\n",
			       cases[i].raw, cases[i].len, rc, out, cases[i].text);
			bad++;
		}
	}
	if (bad)
		failures++;
	else
		printf("PASS disasm_table (%zu encodings)\n", sizeof(cases) / sizeof(cases[0]));
}

static void test_invalid(struct disasm *d)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		char out[96];
		int rc = disasm_insn(d, PC, invalid[i].raw, invalid[i].len, out, sizeof(out));
		if (rc != -EINVAL || strcmp(out, invalid[i].text) != 0) {
			printf(
			    "FAIL disasm_invalid: 0x%08x/%u: rc %d, \"%s\", want -EINVAL \"%s\"\n",
			    invalid[i].raw, invalid[i].len, rc, out, invalid[i].text);
			bad++;
		}
	}
	if (bad)
		failures++;
	else
		printf("PASS disasm_invalid\n");
}

/* A short buffer gets a truncated, terminated string; n = 0 writes nothing. */
static void test_small_buffer(struct disasm *d)
{
	char out[8];
	memset(out, 'X', sizeof(out));
	int rc1 = disasm_insn(d, PC, 0x02c5f553, 4, out, 6);
	bool ok1 = rc1 == 0 && strcmp(out, "fadd.") == 0 && out[6] == 'X';
	char z = 'Z';
	int rc2 = disasm_insn(d, PC, 0xffffffff, 4, &z, 0);
	if (ok1 && rc2 == -EINVAL && z == 'Z') {
		printf("PASS disasm_small_buffer\n");
	} else {
		printf("FAIL disasm_small_buffer: rc %d \"%.6s\", rc %d z %c\n", rc1, out, rc2, z);
		failures++;
	}
}

int main(void)
{
	struct disasm *d = disasm_new();
	if (!d) {
		printf("FAIL disasm_new: %s\n", err_msg() ? err_msg() : "no message");
		return 1;
	}
	test_table(d);
	test_invalid(d);
	test_small_buffer(d);
	disasm_free(d);
	/* A second disassembler after the first is gone: LLVM's targets stay registered. */
	d = disasm_new();
	char out[32];
	if (d && disasm_insn(d, PC, 0x8082, 2, out, sizeof(out)) == 0 && !strcmp(out, "ret")) {
		printf("PASS disasm_second_instance\n");
	} else {
		printf("FAIL disasm_second_instance\n");
		failures++;
	}
	disasm_free(d);
	return failures ? 1 : 0;
}
