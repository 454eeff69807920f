/* dm — the RISC-V Debug Module (External Debug Support 0.13.2, chapter 3), the part of the
 * debug spec that OpenOCD talks to through the DTM (dtm.h): run control of each hart and of hart
 * groups (hasel + hart array window), halt summaries, abstract commands (Access Register of GPRs,
 * FPRs and CSRs, with postexec and postincrement, autoexec), a program buffer that the halted hart
 * runs in Debug Mode (impebreak: an ebreak follows it), and system bus access.
 *
 * The program buffer and data registers are also a memory-mapped window (dm_mmio_ops at
 * DM_BASE), which is where the hart fetches the program buffer from. */
#ifndef STRATA_DEBUG_DM_H
#define STRATA_DEBUG_DM_H

#include "machine/mmio.h"

#include <stdint.h>

struct machine;
struct dm;

#define DM_BASE	      0x0ull /* QEMU virt's "debug" region */
#define DM_SIZE	      0x1000ull
#define DM_PROGBUF    8 /* program buffer words */
#define DM_DATACOUNT  2 /* data0, data1: one 64-bit value */
#define DM_DATA_OFF   0x80 /* where data0 is in the window (hartinfo.dataaddr) */
#define DM_EXEC_LIMIT 100000 /* instructions a program buffer may run before it fails */

/* A Debug Module for m's harts; a hart reset (ndmreset) starts at reset_pc. NULL + errno. */
struct dm *dm_new(struct machine *m, uint64_t reset_pc);
void dm_free(struct dm *d);

/* One DMI access (7-bit address). Unimplemented registers read 0 and ignore writes; nothing a
 * debugger writes can fail on the host. */
uint32_t dm_read(struct dm *d, unsigned addr);
void dm_write(struct dm *d, unsigned addr, uint32_t val);

/* The harts that may run (not halted, not held in reset), one bit per hart. */
uint64_t dm_running_mask(const struct dm *d);
/* Halt every hart now (strata run --jtag -S: halted before the first instruction). */
void dm_halt_all(struct dm *d);

extern const struct mmio_ops dm_mmio_ops;

#endif
