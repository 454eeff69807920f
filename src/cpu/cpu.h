/* cpu — the RISC-V harts of one machine (RV64 with the extensions of isa.h, M/S/U, Sv39/Sv48,
 * PMP).
 * struct cpu owns all harts plus what they share (the decoded-code cache); the machine drives
 * them through this interface and they reach memory and devices through machine.h. */
#ifndef STRATA_CPU_CPU_H
#define STRATA_CPU_CPU_H

#include "cpu/isa.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct machine;
struct cpu;
struct hart;

/* Interrupt-pending bits (mip/mie layout). */
#define MIP_SSIP (1ull << 1)
#define MIP_MSIP (1ull << 3)
#define MIP_STIP (1ull << 5)
#define MIP_MTIP (1ull << 7)
#define MIP_SEIP (1ull << 9)
#define MIP_MEIP (1ull << 11)

/* Create nharts harts with extensions isa (isa.h), wired to machine m; NULL + errno on failure. */
struct cpu *cpu_new(struct machine *m, unsigned nharts, isa_t isa);
/* The extensions of every hart (fixed for the machine's life). */
isa_t cpu_isa(const struct cpu *c);
/* The name of CSR csr ("mstatus") in buf if it exists with extensions isa: 0, else -1. */
int cpu_csr_name(isa_t isa, unsigned csr, char *buf, size_t size);
void cpu_free(struct cpu *c);
/* H extension (hyp.c), for the tracers and GDB: translate a guest virtual address as hart's V=1
 * does (vsatp, then hgatp: two stages), or a guest physical one (hgatp only), without side
 * effects; 0 and *hpa, or -EFAULT. cpu_vmid: the VMID in the hart's hgatp. */
int cpu_translate_gva(struct cpu *c, unsigned hart, uint64_t gva, uint64_t *hpa);
int cpu_translate_gpa(struct cpu *c, unsigned hart, uint64_t gpa, uint64_t *hpa);
uint64_t cpu_vmid(struct cpu *c, unsigned hart);
unsigned cpu_nharts(const struct cpu *c);
struct hart *cpu_hart(struct cpu *c, unsigned hartid);

/* Reset a hart to M mode at pc with all registers zero (a0..a2 are set by the boot ROM). */
void hart_reset(struct hart *h, uint64_t pc);
uint64_t hart_get_pc(const struct hart *h);
uint64_t hart_get_xreg(const struct hart *h, unsigned r);
unsigned hart_priv(const struct hart *h); /* 0 = U, 1 = S, 3 = M */
uint64_t hart_instret(const struct hart *h);

/* Run up to max_insns instructions. Returns how many retired. Returns early when the hart
 * sleeps in WFI with no enabled interrupt pending (hart_waiting() is then true), or when
 * the machine asked to stop (machine_stop_requested()). */
uint64_t hart_run(struct hart *h, uint64_t max_insns);
bool hart_waiting(const struct hart *h);
/* Traps without progress: the hart took TRAP_STORM traps in a row without retiring anything
 * (its trap vector faults). hart_run() then returns at once; the machine should give up. */
#define TRAP_STORM 10000
bool hart_trap_storm(const struct hart *h);

/* Drive an interrupt line from a device (CLINT: MSIP/MTIP, PLIC: MEIP/SEIP). */
void hart_set_irq(struct hart *h, uint64_t mip_bit, bool level);

/* Timers the harts own (Sstc's stimecmp): update their interrupt lines at mtime, and the
 * earliest compare value after mtime (UINT64_MAX if none), for the run loop's deadlines. */
void cpu_update_timers(struct cpu *c, uint64_t mtime);
uint64_t cpu_next_deadline(const struct cpu *c, uint64_t mtime);

/* Print the registers and the last 16 retired instructions (always-on ring) to f. */
void hart_dump(const struct hart *h, FILE *f);

/* Idle fixpoint elision (idle.c): while armed, a run of the hart looks for a loop iteration
 * that ends in the state it began in with every memory word it touched back at its old value;
 * such an iteration repeats exactly until another hart, a device or an interrupt line changes
 * something, so the run counts as many whole iterations as its budget holds as retired without
 * executing them, and returns at the iteration's start. Never while the hart is traced or a
 * debugger has breakpoints, watchpoints or steps. hart_idle_arm: 0 or -ENOMEM. */
int hart_idle_arm(struct hart *h, bool on);
/* After a run: FIXED, it ended at the start of such an iteration (the next run re-checks and
 * skips); LOOKING, the search goes on in the next run; NONE, it found nothing. */
enum hart_idle { HART_IDLE_NONE, HART_IDLE_LOOKING, HART_IDLE_FIXED };
enum hart_idle hart_idle_state(const struct hart *h);
struct hart_idle_stats {
	uint64_t runs;		/* armed runs */
	uint64_t fixpoints;	/* iterations found */
	uint64_t skips;		/* runs that skipped */
	uint64_t skipped_insns; /* instructions counted retired without executing them */
	uint64_t invalidated;	/* runs where memory, registers or lines had changed */
	uint64_t aborts;	/* searches ended by a device access, a CSR, a TLB flush, ... */
	uint64_t misses;	/* runs that found nothing */
};
void hart_idle_stats(const struct hart *h, struct hart_idle_stats *st);

struct recorder;
/* Record this machine's harts into r (NULL stops recording); see trace/record.h. */
void cpu_set_recorder(struct cpu *c, struct recorder *r);

/* Print registers and the instruction ring to stderr whenever a hart takes an exception whose
 * cause bit is set in causes (--dump-ring-on). */
void cpu_set_ring_dump(struct cpu *c, uint64_t causes);

/* NEMU's convention (-machine nemu): ebreak retires and ends the run with a0 as the exit
 * code (machine_guest_halt) instead of raising a breakpoint exception. */
void cpu_set_ebreak_halts(struct cpu *c, bool on);

/* A store by a device (or the loader) to RAM at [paddr, paddr+len): drop decoded code there. */
void cpu_invalidate_code(struct cpu *c, uint64_t paddr, uint64_t len);

/* Snapshots (snap.c, src/replay): a hart's architectural state as hart_state_size() bytes;
 * restoring it flushes the hart's translations and clears a pending debugger stop. */
size_t hart_state_size(void);
void hart_state_save(const struct hart *h, void *buf);
/* Clear the host addresses in saved bytes (the always-on ring is emptied), so they can be
 * stored in a file and restored by another process. */
void hart_state_strip(void *buf);
void hart_state_restore(struct hart *h, const void *buf);

#endif
