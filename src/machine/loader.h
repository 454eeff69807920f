/* loader — puts -bios, -kernel, -initrd and the device tree into guest RAM: RISC-V ELF64 (ELF32
 * for RV32 harts) by physical address, anything else as a raw image at the address the caller picks. Every
 * placement must lie inside RAM and overlap nothing placed before; violations are one-line
 * err_set() messages naming the option and file. */
#ifndef STRATA_MACHINE_LOADER_H
#define STRATA_MACHINE_LOADER_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct loader;

struct loader_image {
	bool elf;
	uint64_t entry;		   /* ELF e_entry, or the raw load address */
	uint64_t lo, hi;	   /* lowest and one-past-highest byte placed */
	bool has_tohost;	   /* ELF symbol table defines tohost (HTIF) */
	uint64_t tohost, fromhost; /* fromhost 0 if not defined */
};

/* A loader writing into b's RAM. NULL + errno on failure. */
struct loader *loader_new(struct bus *b);
void loader_free(struct loader *l);
/* ELF images must be of the harts' class: ELF32 for xlen 32, ELF64 (the default) for 64. */
void loader_set_xlen(struct loader *l, unsigned xlen);
/* Load path for option opt ("-kernel"): an ELF at its own addresses if allow_elf and it is one,
 * otherwise the raw bytes at raw_addr. 0, or -errno with err_set(). */
int loader_load(struct loader *l, const char *opt, const char *path, uint64_t raw_addr,
		bool allow_elf, struct loader_image *img);
/* Claim [addr, addr+size) for what ("device tree"): must be RAM and not yet claimed.
 * 0, or -errno with err_set(). */
int loader_reserve(struct loader *l, const char *what, uint64_t addr, uint64_t size);

#endif
