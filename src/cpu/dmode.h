/* dmode — a hart's Debug Mode (RISC-V External Debug Support 0.13.2, chapter 4), what the Debug
 * Module (debug/dm.h) drives: halt, resume, single step, reset, abstract register access and
 * running the program buffer.
 *
 * Nothing of it is on the interpreter's hot path: a hart in Debug Mode is skipped by hart_run(),
 * an ebreak checks dcsr only when it executes, and interrupts are held off where they are already
 * looked at. The Debug Module calls these functions only between quanta, when no hart runs. */
#ifndef STRATA_CPU_DMODE_H
#define STRATA_CPU_DMODE_H

#include <stdbool.h>
#include <stdint.h>

struct hart;

/* dcsr.cause: why the hart entered Debug Mode */
enum dm_cause {
	DM_CAUSE_EBREAK = 1,
	DM_CAUSE_TRIGGER = 2,
	DM_CAUSE_HALTREQ = 3,
	DM_CAUSE_STEP = 4,
	DM_CAUSE_RESETHALTREQ = 5,
};

/* Enter Debug Mode now (dpc = the next instruction to run); nothing if already there. */
void hart_dm_halt(struct hart *h, enum dm_cause cause);
bool hart_dm_halted(const struct hart *h);
/* Leave Debug Mode at dpc in dcsr.prv; with dcsr.step the hart runs one instruction (or enters
 * one trap) and halts again with cause STEP. */
void hart_dm_resume(struct hart *h);
/* Reset the hart to pc (hart_reset) and clear its Debug Mode state; halt at once if halt. */
void hart_dm_reset(struct hart *h, uint64_t pc, bool halt);

/* Abstract Access Register (regno as in the spec: 0x0000-0x0fff CSRs, 0x1000-0x101f GPRs,
 * 0x1020-0x103f FPRs) of a hart in Debug Mode, with Debug Mode's privileges. 0; -ENOENT for a
 * register the hart lacks or whose access raises an exception (cmderr 3); -EINVAL for a regno
 * outside those ranges (cmderr 2). */
int hart_dm_reg_read(struct hart *h, unsigned regno, uint64_t *val);
int hart_dm_reg_write(struct hart *h, unsigned regno, uint64_t val);

/* Run code at pc (the program buffer) in Debug Mode until an ebreak, at most max_insns
 * instructions. 0; -EFAULT if an instruction raised an exception (the hart stays halted, no
 * trap is taken); -ETIMEDOUT if no ebreak came. */
int hart_dm_exec(struct hart *h, uint64_t pc, uint64_t max_insns);

#endif
