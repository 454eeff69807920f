/* emu — async tracing attached to the emulator: discovery for the machine's ELFs, guest memory
 * (through the page tables in force) and registers from the machine, events into the recorder
 * (record.h's observer). */
#ifndef STRATA_ASYNC_EMU_H
#define STRATA_ASYNC_EMU_H

struct recorder;
struct machine;

/* Discover the async code of elfs[0..n) and make the recorder trace it. An ELF without DWARF
 * or without async code is reported in one line on stderr and skipped (the other tracers still
 * run). 0, or -ENOMEM. */
int aemu_attach(struct recorder *r, struct machine *m, const char *const *elfs, unsigned n);

/* Also hand every async event the recorder's async tracer makes to tap(arg, ev) (NULL: stop);
 * the GDB stub's async breakpoints. -ENOENT if r has no async tracer (no --trace=async). */
struct tev;
int aemu_set_tap(struct recorder *r, void (*tap)(void *arg, const struct tev *ev), void *arg);

#endif
