/* isa — which RISC-V extensions a machine's harts implement, as one table.
 * A row says what an extension is: its -cpu property name (QEMU's), its misa letter, whether it
 * is on by default (QEMU 7.2's default CPU), whether strata implements it, what it needs. Decode
 * (patterns carry their extension), misa, the device tree, the GDB target description and
 * difftest all read this table; adding an extension adds a row here, its patterns in decode.c,
 * its handlers and CSR rows — nothing else. The set is machine-wide and fixed when the machine is
 * built (decoded code is cached per physical page and shared by all harts), so a struct isa is
 * just a bit mask. See docs/ISA.md. */
#ifndef STRATA_CPU_ISA_H
#define STRATA_CPU_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Rows in riscv,isa order: single letters in canonical order, then multi-letter names grouped
 * by their first letter after 'z' (zi*, zf*, zb*) and then the s* ones, as QEMU prints them. */
#define ISA_EXTS(X)                                                                                \
	X(I)                                                                                       \
	X(M)                                                                                       \
	X(A)                                                                                       \
	X(F)                                                                                       \
	X(D)                                                                                       \
	X(C)                                                                                       \
	X(H)                                                                                       \
	X(S)                                                                                       \
	X(U)                                                                                       \
	X(ZICBOM)                                                                                  \
	X(ZICBOP)                                                                                  \
	X(ZICBOZ)                                                                                  \
	X(ZICNTR)                                                                                  \
	X(ZICOND)                                                                                  \
	X(ZICSR)                                                                                   \
	X(ZIFENCEI)                                                                                \
	X(ZIHINTNTL)                                                                               \
	X(ZIHINTPAUSE)                                                                             \
	X(ZIHPM)                                                                                   \
	X(ZFH)                                                                                     \
	X(ZFHMIN)                                                                                  \
	X(ZBA)                                                                                     \
	X(ZBB)                                                                                     \
	X(ZBC)                                                                                     \
	X(ZBKB)                                                                                    \
	X(ZBKC)                                                                                    \
	X(ZBKX)                                                                                    \
	X(ZBS)                                                                                     \
	X(SDTRIG)                                                                                  \
	X(SSTC)                                                                                    \
	X(SVINVAL)                                                                                 \
	X(SVNAPOT)                                                                                 \
	X(SVPBMT)

enum isa_ext {
#define ISA_EXT_ENUM(id) ISA_##id,
	ISA_EXTS(ISA_EXT_ENUM)
#undef ISA_EXT_ENUM
	    ISA_COUNT
};
_Static_assert(ISA_COUNT <= 62, "an ISA is a 64-bit mask, its two top bits the base");

/* The mask bit of one extension. */
#define ISA_BIT(id) (1ull << ISA_##id)

/* Extensions as a mask of ISA_BIT()s. 0 never names a real machine (I is always on). */
typedef uint64_t isa_t;

/* The base ISA rides in the two top bits, outside the extension rows: XLEN 32 (RV32) and, with
 * it, RV32E (16 integer registers; ISA_I stays set, as the patterns of the base are I's). Like
 * the extensions, XLEN is fixed per machine (decoded pages are shared by all harts). */
#define ISA_RV32 (1ull << 63)
#define ISA_RVE	 (1ull << 62)
static inline unsigned isa_xlen(isa_t isa)
{
	return isa & ISA_RV32 ? 32 : 64;
}

/* One row of the table. */
struct isa_ext_info {
	const char *name; /* riscv,isa / riscv,isa-extensions spelling, lower case */
	const char
	    *qemu; /* QEMU 7.2's -cpu property ("Zfh", "zba"), or NULL if QEMU 7.2 has none */
	const char *alias; /* another accepted property name ("debug" for sdtrig), or NULL */
	char misa;	   /* misa letter, or 0 */
	bool on;	   /* on by default (QEMU 7.2's default CPU, where implemented) */
	bool impl;	   /* strata implements it; an unimplemented row cannot be switched on */
	bool in_isa_str;   /* listed in riscv,isa (QEMU 7.2 leaves out zicntr, zihpm, sdtrig) */
	isa_t requires;	   /* every one of these must be on too */
	isa_t implies;	   /* switched on with it (zfh -> zfhmin), unless explicitly off */
	const char *what;  /* for -cpu help */
};

/* The row of ext (ext < ISA_COUNT). */
const struct isa_ext_info *isa_ext(enum isa_ext ext);
/* The default ISA: QEMU 7.2's default CPU, minus what strata does not implement yet. */
isa_t isa_default(void);
/* Every extension strata implements (for tests). */
isa_t isa_all(void);
/* Parse a -cpu argument: "rv64", "rv32" or "rv32e", then ",PROP=VAL,...", VAL on|off|true|false|yes|no, PROP a
 * row's name, QEMU property or alias (case-insensitive). 0 and *out, or -EINVAL with err_set()
 * naming the bad part and the accepted names. */
int isa_parse(const char *spec, isa_t *out);
/* Print the table for `-cpu help` (one line per extension, machine-readable columns). */
void isa_print_help(FILE *f);
/* The riscv,isa string ("rv64imafdc_zicsr_...", "rv32emac_..."); 0, or -ENOSPC if size is too small. */
int isa_string(isa_t isa, char *buf, size_t size);
/* misa: MXL (2: 64-bit, at bit 62; 1: 32-bit, at bit 30) and one bit per single-letter
 * extension (E instead of I on RV32E). */
uint64_t isa_misa(isa_t isa);
static inline bool isa_has(isa_t isa, enum isa_ext ext)
{
	return (isa >> ext) & 1;
}

#endif
