/* funcs — the functions of an executable that `strata record` can probe: every sized function
 * symbol (names demangled, src/symbols), with the file offset a uprobe needs (through the ELF's
 * PT_LOAD segments), optionally narrowed by --filter regular expressions. */
#ifndef STRATA_EBPF_FUNCS_H
#define STRATA_EBPF_FUNCS_H

#include <stddef.h>
#include <stdint.h>

struct funcs;

struct func {
	const char *name; /* demangled */
	uint64_t vaddr;	  /* link-time address */
	uint64_t size;
	uint64_t foff;	  /* file offset of the first instruction */
};

/* The functions of the x86-64 ELF at path whose names match one of the nre POSIX extended
 * regular expressions re[] (all functions if nre is 0). NULL with err_set() ("FILE: not an
 * ELF", "--filter RE: ...") for bad input. */
struct funcs *funcs_load(const char *path, const char *const *re, unsigned nre);
void funcs_free(struct funcs *f);
size_t funcs_count(const struct funcs *f);
const struct func *funcs_at(const struct funcs *f, size_t i);
/* The lowest PT_LOAD address, page-aligned: the load bias is where that page is mapped minus it. */
uint64_t funcs_base(const struct funcs *f);
/* The file offset of the code at link-time address vaddr: 0, or -ENOENT outside the code. */
int funcs_file_offset(const struct funcs *f, uint64_t vaddr, uint64_t *off);
/* True for a position-independent executable or shared object (ET_DYN). */
int funcs_is_pie(const struct funcs *f);

#endif
