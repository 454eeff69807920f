/* symbols — function symbols of ELF files (libelf), bound to a privilege level (with the H
 * extension: a level, VS and VU for a hypervisor's guest, whose addresses are guest virtual) and a load
 * offset, Rust (legacy and v0) and C++ names demangled with libiberty, and RISC-V disassembly
 * through LLVM's C disassembler API. */
#ifndef STRATA_SYMBOLS_SYMBOLS_H
#define STRATA_SYMBOLS_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYM_PRIV_ANY (-1)

struct sym {
	uint64_t addr; /* runtime address (ELF value + the table's offset) */
	uint64_t size; /* 0 if the ELF does not say; lookups then extend to the next symbol */
	const char *name; /* demangled */
};

struct symtab; /* the function symbols of one ELF */
struct symset; /* several tables, looked up by (privilege, address) */

/* Load the function symbols (STT_FUNC, and global STT_NOTYPE in executable sections) of an ELF.
 * priv: 0 U, 1 S (HS), 3 M, 4 VU, 5 VS or SYM_PRIV_ANY; offset is added to every address (relocated code).
 * NULL with err_set("--sym FILE: ...") for a missing file, not an ELF, no symbol table. */
struct symtab *symtab_load(const char *path, int priv, int64_t offset);
void symtab_free(struct symtab *t);
size_t symtab_count(const struct symtab *t);
/* The i-th symbol (address order, one per address), i < symtab_count(t). */
const struct sym *symtab_at(const struct symtab *t, size_t i);
const char *symtab_path(const struct symtab *t);
int symtab_priv(const struct symtab *t);
/* The function containing addr, or NULL. */
const struct sym *symtab_lookup(const struct symtab *t, uint64_t addr);
/* Serialized form for a TF_SYMS chunk (path, priv, symbols with demangled names): a malloc'd
 * buffer the caller frees. 0 or -ENOMEM. */
int symtab_serialize(const struct symtab *t, uint8_t **buf, size_t *len);
/* Rebuild from a chunk; NULL with err_set() if malformed. */
struct symtab *symtab_deserialize(const uint8_t *buf, size_t len);

struct symset *symset_new(void);
void symset_free(struct symset *s); /* frees the tables too */
/* Add t (the set owns it). 0 or -ENOMEM. */
int symset_add(struct symset *s, struct symtab *t);
size_t symset_ntables(const struct symset *s);
struct symtab *symset_table(const struct symset *s, size_t i);
/* The function containing addr in a table bound to priv (or to any privilege), or NULL. */
const struct sym *symset_lookup(const struct symset *s, int priv, uint64_t addr);
/* The function named name (demangled, or as in the ELF) in any table, or NULL (symfind.c). */
const struct sym *symset_find(const struct symset *s, const char *name);
/* True if addr is the first instruction of a function at priv (tail-call detection; fast). */
bool symset_is_entry(const struct symset *s, int priv, uint64_t addr);

/* Source lines of function entries (symsrc.c), from the DWARF of the files the tables of set
 * were loaded from (symtab_path), addresses taken back by each table's offset. */
struct symsrc;
/* Nothing is opened until the first lookup. set must outlive the result. NULL if out of memory. */
struct symsrc *symsrc_new(const struct symset *set);
void symsrc_free(struct symsrc *s);
/* "FILE:LINE" (FILE as DWARF names it) of the line-table row holding addr, in the table that has
 * a function at addr at priv; NULL if none, or the file has no DWARF. Valid until symsrc_free. */
const char *symsrc_line(struct symsrc *s, int priv, uint64_t addr);

/* Demangle a Rust (legacy or v0) or C++ name; a malloc'd copy of the input if it is not
 * mangled. NULL only if out of memory. */
char *sym_demangle(const char *name);

struct disasm;
/* An RV64GC disassembler (LLVM); NULL with err_set() if LLVM's RISC-V target is missing. */
struct disasm *disasm_new(void);
/* The same for XLEN 32 or 64 (RV32's compressed encodings differ: c.jal, c.flw, ...). */
struct disasm *disasm_new_xlen(unsigned xlen);
void disasm_free(struct disasm *d);
/* Disassemble the instruction raw (16 or 32 bits, as len says) at pc into out, e.g.
 * "addi a0, a0, -1". Returns 0, or -EINVAL (out then holds ".4byte 0x...."). */
int disasm_insn(struct disasm *d, uint64_t pc, uint32_t raw, unsigned len, char *out, size_t n);

#endif
