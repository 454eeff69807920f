/* record — writing a trace while the machine runs. The CPU and devices hand over events
 * (event.h); the recorder filters them (privilege, pc ranges, start/stop), encodes them into a
 * per-hart buffer and writes full buffers as EVENTS chunks (tfile.h), so memory stays bounded
 * and everything up to the last chunk survives a signal; a crash of strata itself writes the
 * buffers out first (util/crash.h). */
#ifndef STRATA_TRACE_RECORD_H
#define STRATA_TRACE_RECORD_H

#include "trace/event.h"

#include <stdbool.h>
#include <stdint.h>

struct symtab;
struct symset;

/* What to record (--trace=LIST). */
enum {
	REC_ITRACE = 1u << 0, /* straight-line runs + code pages: every retired instruction */
	REC_MTRACE = 1u << 1, /* loads, stores, AMOs in --mtrace ranges (all if none) */
	REC_FTRACE = 1u << 2, /* calls, returns, tail calls */
	REC_ETRACE =
	    1u << 3, /* traps, interrupts, xRET (SBI calls and syscalls are decoded later) */
	REC_DTRACE = 1u << 4, /* MMIO accesses */
	REC_ALL = 0x1f,	      /* the five above; async needs DWARF, so it is asked for by name */
	REC_ASYNC = 1u << 5,  /* polls, tasks, wakes (src/async/): an observer of the call, return
			       * and trap hooks emits them (rec_set_observer) */
};

struct rec_range {
	uint64_t lo, hi; /* [lo, hi) */
	unsigned rw;	 /* mtrace: 1 loads, 2 stores, 3 both */
};

#define REC_MAX_RANGES 16

struct rec_config {
	const char *path;   /* trace file */
	unsigned nharts;    /* harts whose events are recorded: ids 0..nharts-1 */
	unsigned what;	    /* REC_* */
	unsigned priv_mask; /* bit l set: record at level l (event.h enum tev_level: 1 << 0 U,
			    * 1 << 1 S/HS, 1 << 3 M, 1 << 4 VU, 1 << 5 VS); 0: all */
	struct rec_range pc[REC_MAX_RANGES];
	unsigned npc; /* --trace-filter: pc ranges (0 = everything) */
	struct rec_range mem[REC_MAX_RANGES];
	unsigned nmem;		    /* --mtrace ranges (0 = every access) */
	uint64_t start_insn;	    /* record from this instruction count on (0 = from the start) */
	uint64_t stop_insn;	    /* stop recording at this count (0 = never) */
	uint64_t start_pc, stop_pc; /* start/stop when execution reaches this address (0 = off) */
};

struct recorder;

/* Create the trace file and write its header. NULL with err_set(). */
struct recorder *rec_open(const struct rec_config *cfg);
/* Write a META key=value line block (machine description). 0 or -errno. */
int rec_meta(struct recorder *r, const char *text);
/* Add a symbol table: written as a SYMS chunk, used for tail-call detection; r owns t. */
int rec_add_symtab(struct recorder *r, struct symtab *t);
/* The symbols added so far (for tail-call detection by the CPU hooks). */
struct symset *rec_symbols(struct recorder *r);
/* The hooks the CPU must run (REC_*): what is being recorded (0 before the start or after the
 * stop), plus, while waiting for --trace-start, the call hooks that let the recorder see the
 * start point (their events are dropped until then), and the call and trap hooks async needs. */
unsigned rec_hooks(const struct recorder *r);
const struct rec_config *rec_config(const struct recorder *r);
/* Change what is recorded from now on (a debugger's `monitor trace`); harts see it when they
 * next enter hart_run(). */
void rec_set_what(struct recorder *r, unsigned what);
/* While muted nothing is recorded and the recorder's state stays as it is (rec_hooks() is 0):
 * reverse execution runs a traced stretch again and the trace keeps it once. */
void rec_set_muted(struct recorder *r, bool muted);
/* Re-evaluate the start condition after the caller filled in symbolic start/stop points. */
void rec_restart_window(struct recorder *r);

/* Record one event of hart ev->hart if the filters let it through. Never fails: a write error
 * is remembered, counted as dropped events and reported by rec_close(). */
void rec_event(struct recorder *r, const struct tev *ev);
/* Name an MMIO register in the trace the first time it is accessed: line is a DEVS line
 * ("0xBASE 0xSIZE NAME 0xOFF:REG"), written as its own chunk before any event that uses it. */
void rec_mmio_register(struct recorder *r, uint64_t paddr, const char *line);
bool rec_mmio_known(const struct recorder *r, uint64_t paddr);
/* True if an address is inside an --mtrace range for the access (1 load, 2 store). */
bool rec_mem_wanted(const struct recorder *r, uint64_t vaddr, unsigned size, unsigned rw);

/* An observer sees every CALL, RET, TAIL, TRAP and XRET event while async recording is on,
 * before the filters (it needs them even when ftrace/etrace are not recorded) and may add
 * events with rec_emit(). The recorder owns it: fini(ctx) runs at rec_close(). */
void rec_set_observer(struct recorder *r, void (*observe)(void *ctx, const struct tev *ev),
		      void (*fini)(void *ctx), void *ctx);
/* The observer set (NULL if none) and its ctx into *ctx. */
void (*rec_observer(const struct recorder *r, void **ctx))(void *, const struct tev *);
/* Record an event made by the observer (async events pass the start/stop window only). */
void rec_emit(struct recorder *r, const struct tev *ev);

/* Write every hart's buffered events as chunks now, so that a reader of the growing file (the
 * live console) sees them. 0 or the first -errno. */
int rec_flush(struct recorder *r);
/* Flush everything and write the END chunk with the totals; close the file. Returns 0, or
 * -errno if any write failed (the message names the file). */
int rec_close(struct recorder *r, uint64_t insns);

#endif
