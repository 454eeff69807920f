/* debug — what a debugger (the GDB stub) asks of the harts: breakpoints, watchpoints, single
 * steps, stops on events (privilege changes, trap causes, SBI calls, syscalls), and reading or
 * writing guest state while the machine is stopped.
 *
 * None of it costs anything while unused. Breakpoints do not patch guest memory: the decoded
 * slot at a breakpoint's offset in every physical page mapped at the breakpoint's virtual page is
 * marked (when a fetch-TLB entry for that page is filled), and a marked slot checks the virtual
 * pc before the instruction runs. Watchpoints keep their pages out of the data TLB, so only
 * accesses to those pages take the slow path, where they are compared. A hart that stops for the
 * debugger leaves hart_run() with hart_debug_stopped() true. */
#ifndef STRATA_CPU_DEBUG_H
#define STRATA_CPU_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;
struct hart;

#define CPU_MAX_BREAKPOINTS 256
#define CPU_MAX_WATCHPOINTS 16

enum cpu_bp_type { CPU_BP_SW, CPU_BP_HW };
enum cpu_wp_type { CPU_WP_READ = 1, CPU_WP_WRITE = 2, CPU_WP_ACCESS = 3 }; /* bit 0 loads, bit 1 stores */

/* 0, -EEXIST (same address and type already set: GDB re-inserts, so callers may ignore it),
 * -ENOSPC. Breakpoints apply to every hart and address space (virtual addresses). */
int cpu_bp_add(struct cpu *c, uint64_t addr, enum cpu_bp_type type);
int cpu_bp_remove(struct cpu *c, uint64_t addr, enum cpu_bp_type type); /* 0 or -ENOENT */
/* Watch [addr, addr+len) (virtual, as the accessing hart sees it); len 1..1 GiB. */
int cpu_wp_add(struct cpu *c, uint64_t addr, uint64_t len, enum cpu_wp_type type);
int cpu_wp_remove(struct cpu *c, uint64_t addr, uint64_t len, enum cpu_wp_type type);

/* Remove every breakpoint, watchpoint and event stop. */
void cpu_debug_clear(struct cpu *c);

/* Stop on events (monitor break-on): a privilege change (trap or xRET), a trap whose cause is in
 * the masks (exception codes, interrupt codes), an SBI call (ecall from S, or a hypercall: from
 * VS) or a syscall (ecall from U), a guest's exit or entry. */
enum {
	CPU_BRK_PRIV = 1u << 0,
	CPU_BRK_SBI = 1u << 1,
	CPU_BRK_SYSCALL = 1u << 2,
	CPU_BRK_TRAP = 1u << 3,
	CPU_BRK_VMEXIT = 1u << 4,  /* a trap from a guest (VS, VU) to HS or M (H extension) */
	CPU_BRK_VMENTRY = 1u << 5, /* an xRET from HS or M into a guest */
};
void cpu_break_on(struct cpu *c, unsigned events, uint64_t exc_mask, uint64_t irq_mask);

/* Library checks for the debugger's symbol-file list: stop (HART_STOP_LIBCHECK) when satp is
 * written and/or when the privilege level changes, so the debugger can see whether the set of
 * symbol files that applies has changed. Not during single steps. */
enum { CPU_LIBCHECK_PRIV = 1u << 0, CPU_LIBCHECK_SATP = 1u << 1 };
void cpu_set_libcheck(struct cpu *c, unsigned what);
/* Read guest memory through satp as user-mode code would see it (bare: physical), whatever the
 * hart's privilege. Bytes done or -EFAULT. */
long hart_debug_read_user(struct hart *h, uint64_t addr, void *buf, size_t len);
/* The same under a given satp (0: physical), e.g. one recorded earlier. */
long cpu_debug_read_satp(struct cpu *c, uint64_t satp, uint64_t va, void *buf, size_t len);
unsigned cpu_break_events(const struct cpu *c, uint64_t *exc_mask, uint64_t *irq_mask);

enum hart_stop_kind {
	HART_STOP_NONE,
	HART_STOP_STEP,	   /* a single step ended (one instruction, or entry into a trap) */
	HART_STOP_SWBREAK, /* pc is at a breakpoint; the instruction there has not run */
	HART_STOP_HWBREAK,
	HART_STOP_WATCH, /* the accessing instruction completed; addr is the data address */
	HART_STOP_RWATCH,
	HART_STOP_AWATCH,
	HART_STOP_EVENT,    /* a break-on event; why says which */
	HART_STOP_LIBCHECK, /* satp or the privilege changed (cpu_set_libcheck) */
};

struct hart_stop {
	enum hart_stop_kind kind;
	uint64_t addr;
	char why[96];
};

/* Stop the hart for the debugger after the instruction in progress, as a break-on event with
 * why (HART_STOP_EVENT), unless it is stopping already: the async breakpoints (gdb/abrk.c). */
void hart_debug_event_stop(struct hart *h, const char *why);
/* Why the hart last left hart_run() for the debugger (kind NONE if it did not). */
bool hart_debug_stopped(const struct hart *h, struct hart_stop *st);
/* Forget the stop and prepare to run on. step: the next hart_run() executes one instruction (or
 * enters one trap) and stops, taking no interrupt first (as QEMU's default single-step does).
 * past_bp: a breakpoint at the current pc does not fire before its instruction has run (the
 * debugger was told about it); otherwise a hart stopped at a breakpoint reports it again. */
void hart_debug_resume(struct hart *h, bool step, bool past_bp);

/* Register access in GDB's numbering (see gdb/stub.h): 0..31 x, 32 pc, 33..64 f, 65 + CSR
 * address, 4161 priv. 0, or -ENOENT for a register the hart lacks. */
int hart_debug_read_reg(struct hart *h, unsigned regno, uint64_t *val);
int hart_debug_write_reg(struct hart *h, unsigned regno, uint64_t val);
/* What a debugger's memory address means: as the hart's loads see it, physical (host physical
 * with a hypervisor), or guest physical (through the hart's hgatp). gdb/stub.h's gdb_mem_space. */
enum cpu_mem_space { CPU_MEM_VIRT = 0, CPU_MEM_PHYS = 1, CPU_MEM_GPA = 2 };
/* Copy guest memory through the hart's current data translation (its privilege, satp, MPRV;
 * no side effects on A/D bits or the TLB), or physical memory (space: enum cpu_mem_space). RAM
 * and ROM only (no device registers). Bytes done (short at the first unmapped page), or -EFAULT
 * if none. */
long hart_debug_read_mem(struct hart *h, uint64_t addr, void *buf, size_t len, unsigned space);
long hart_debug_write_mem(struct hart *h, uint64_t addr, const void *buf, size_t len,
			  unsigned space);
/* Translate a virtual address the way the hart's loads would (0 and *pa, or -EFAULT); walk
 * text: the page-table walk, one line per level, into buf. */
int hart_debug_translate(struct hart *h, uint64_t va, uint64_t *pa, char *walk, size_t size);

#endif
