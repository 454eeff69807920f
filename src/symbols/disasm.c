/* disasm — RV64GC disassembly through LLVM's C API, for trace views (never on the hot path). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include "symbols/symbols.h"
#include "util/err.h"

struct disasm {
	LLVMDisasmContextRef ctx;
};

struct disasm *disasm_new(void)
{
	return disasm_new_xlen(64);
}

struct disasm *disasm_new_xlen(unsigned xlen)
{
	static bool inited;
	if (!inited) {
		LLVMInitializeRISCVTargetInfo();
		LLVMInitializeRISCVTargetMC();
		LLVMInitializeRISCVDisassembler();
		inited = true;
	}
	struct disasm *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	/* LLVM's RISC-V printer uses ABI register names and prints compressed instructions as
	 * their 32-bit equivalents (c.addi -> addi), like objdump; immediates stay decimal. Every
	 * extension of cpu/isa.h that LLVM 14 knows (it has no Zicond: those show as <unknown>). */
	d->ctx = LLVMCreateDisasmCPUFeatures(
	    xlen == 32 ? "riscv32-unknown-elf" : "riscv64-unknown-elf",
	    xlen == 32 ? "generic-rv32" : "generic-rv64",
	    "+m,+a,+f,+d,+c,+zba,+zbb,+zbc,+zbs,+zbkb,+zbkc,+zbkx,+zfh", NULL, 0, NULL, NULL);
	if (!d->ctx) {
		free(d);
		errno = -err_set(ENOENT, "disasm: LLVM has no RISC-V target");
		return NULL;
	}
	return d;
}

void disasm_free(struct disasm *d)
{
	if (!d)
		return;
	LLVMDisasmDispose(d->ctx);
	free(d);
}

/* LLVM writes "\tmnemonic\toperands" (sometimes with a trailing tab): make it "mnemonic operands".
 */
static void tidy(const char *in, char *out, size_t n)
{
	while (*in == '\t' || *in == ' ')
		in++;
	size_t k = 0;
	for (; *in && k + 1 < n; in++)
		out[k++] = *in == '\t' ? ' ' : *in;
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = 0;
}

/* LLVM's C API prints branch and jump targets as pc-relative offsets ("j -4"); a trace reader
 * wants the address, as objdump shows it. Rewrite the last operand of those mnemonics. */
static void absolute_target(char *out, size_t n, uint64_t pc)
{
	static const char *const jumps[] = {"beq",  "bne",  "blt",  "bge",  "bltu", "bgeu",
					    "beqz", "bnez", "blez", "bgez", "bltz", "bgtz",
					    "bgt",  "ble",  "bgtu", "bleu", "j",    "jal"};
	size_t mlen = strcspn(out, " ");
	bool is_jump = false;
	for (size_t i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++)
		if (strlen(jumps[i]) == mlen && strncmp(out, jumps[i], mlen) == 0)
			is_jump = true;
	if (!is_jump || out[mlen] == 0)
		return;
	char *last = strrchr(out, ' ') + 1, *end;
	errno = 0;
	long long off = strtoll(last, &end, 10);
	if (end == last || *end != 0 || errno)
		return;
	size_t room = n - (size_t)(last - out);
	snprintf(last, room, "0x%" PRIx64, pc + (uint64_t)off);
}

int disasm_insn(struct disasm *d, uint64_t pc, uint32_t raw, unsigned len, char *out, size_t n)
{
	uint8_t bytes[4] = {(uint8_t)raw, (uint8_t)(raw >> 8), (uint8_t)(raw >> 16),
			    (uint8_t)(raw >> 24)};
	char text[128];
	/* The length must be the one the encoding declares: LLVM would otherwise decode a prefix.
	 */
	if ((len == 2 || len == 4) &&
	    LLVMDisasmInstruction(d->ctx, bytes, len, pc, text, sizeof(text)) == len) {
		char tidied[sizeof(text) + 24];
		tidy(text, tidied, sizeof(tidied));
		absolute_target(tidied, sizeof(tidied), pc);
		if (n > 0)
			snprintf(out, n, "%s", tidied);
		return 0;
	}
	if (n > 0) {
		if (len == 2)
			snprintf(out, n, ".2byte 0x%04x", raw & 0xffff);
		else
			snprintf(out, n, ".4byte 0x%08x", raw);
	}
	return -EINVAL;
}
