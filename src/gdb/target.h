/* target — strata's machine behind the stub's gdb_target_ops (target.c), and the monitor
 * commands (monitor.c). Private to src/gdb. */
#ifndef STRATA_GDB_TARGET_H
#define STRATA_GDB_TARGET_H

#include "gdb/server.h"
#include "gdb/stub.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct cpu;
struct hart;

struct gdb_target {
	struct machine *m;
	struct cpu *cpu;
	unsigned nharts;
	bool interrupted; /* Ctrl-C halted the machine */
	bool exited;	  /* the guest ended the run */
	int exit_code;
	unsigned last_hart; /* the hart of the last stop */

	struct gdb_library libs[GDB_SERVER_MAX_FILES];
	struct gdb_lib_info {
		int64_t offset;	 /* --sym @OFFSET */
		int priv;	 /* 3 M, 1 S (HS), 0 U, 5 VS, 4 VU, -1 any */
		uint64_t lo, hi; /* the loadable segments' span, relocated */
		uint64_t sig_addr; /* where the first bytes of its code must be for it to apply */
		uint8_t sig[64];
		unsigned siglen;
	} info[GDB_SERVER_MAX_FILES];
	unsigned nlibs;
	int exec;	      /* the library offered as GDB's executable, or -1 */
	uint32_t cur, reported; /* libraries that apply now / as GDB last read them (bit masks) */
	bool held;	      /* an event stop waits behind its library stop (t_stop_reason) */
	uint64_t run_mask;    /* harts the last resume ran */
	const struct gdb_server_config *cfg;
	struct recorder *rec; /* the run's trace recorder (cfg->rec, or opened by monitor trace) */
	struct gdb_abrk *abrk; /* async breakpoints (abrk.c), or NULL */
	struct apic *apic;     /* monitor tasks/await: the files' async discovery, or NULL */
	struct gdb_rev {      /* reverse execution in progress (reverse.c) */
		enum { REV_NONE, REV_GOTO, REV_SCAN, REV_STEPS, REV_FWD } mode;
		uint64_t target;      /* GOTO: stop at this instruction count */
		uint64_t from, to;    /* SCAN: the span being re-run, from a snapshot */
		bool hit;	      /* SCAN: a breakpoint or watchpoint hit in the span */
		uint64_t hit_at;      /* ... the last one: where to stop */
		uint64_t hit_lo;      /* ... a watchpoint's access came after this point */
		uint64_t last_stop;   /* SCAN: the previous stop in the span */
		bool stepping;	      /* STEPS: single steps toward the watchpoint's access */
		uint8_t seen[8];      /* STEPS: the watched bytes before the step */
		bool seen_ok;
		/* GOTO of a reverse-stepi: where it started (a trap that retires nothing, such
		 * as ecall, leaves the count as it was: the step back is then to the same count) */
		bool check_same;
		uint64_t from_pc;
		unsigned from_priv;
		struct hart_stop_copy {
			int kind;
			uint64_t addr;
		} hit_stop, report; /* what the stop reply says when GOTO arrives */
		bool begin;	    /* ... at the first snapshot: replaylog:begin */
		bool by_hart;	    /* GOTO's target counts hart `hart`'s instructions (-smp N) */
		unsigned hart, hit_hart;
		bool have_report;
		/* reverse-continue with async conditions (abrk.c): the last event before the
		 * start on which one holds; the stop reported is that one */
		bool async, report_async;
		uint64_t async_at;
	} rev;
	/* the stretches of the run whose console output (and trace) went out already, as
	 * [lo, hi) instruction counts: running one again is muted (reverse.c). Usually one,
	 * [0, furthest point run); a replay's jump forward to a stored snapshot leaves a gap. */
	struct gdb_span {
		uint64_t lo, hi;
	} shown[64];
	unsigned nshown;
	bool muted;
	uint64_t seg_lo; /* not muted: where the stretch being shown began */
};

extern const struct gdb_target_ops gdb_target_ops;

/* Fill t->libs from the configured symbol files. 0 or negative with err_set(). */
int gdb_target_init(struct gdb_target *t, struct machine *m, const struct gdb_server_config *cfg);
/* Forget every breakpoint, watchpoint and event stop (the debugger went away). */
void gdb_target_clear(struct gdb_target *t);
void gdb_target_fini(struct gdb_target *t);
/* A debugger connected / went away: library checks on and the list GDB reads first / off. */
void gdb_target_connected(struct gdb_target *t);
void gdb_target_disconnected(struct gdb_target *t);
/* The machine halted only for library checks and the list did not change: it was resumed as
 * it ran before, and GDB need not hear of it. */
bool gdb_target_quiet_resume(struct gdb_target *t);
/* `monitor CMD`: text into out; 0 or -ENOENT for an unknown command (stub.h). */
int gdb_monitor(void *target, const char *cmd, char *out, size_t size);

/* ---- reverse.c ---- */
/* gdb_target_ops.reverse */
int gdb_reverse(void *target, unsigned hart, bool step);
/* monitor goto N: 0 (the machine runs there; GDB_MONITOR_RESUMED) or -errno with text in out. */
int gdb_reverse_goto(struct gdb_target *t, uint64_t insns, char *out, size_t size);
/* The machine halted during a reverse execution: true if it went on by itself. */
bool gdb_reverse_halted(struct gdb_target *t);
/* The stop a finished reverse execution reports: true and st filled, or false. */
bool gdb_reverse_stop(struct gdb_target *t, struct gdb_stop *st);
/* GDB resumed the machine (continue when !step): through a stretch run before, stop at the
 * first async condition found in the event log (it makes no events there). */
void gdb_reverse_resumed(struct gdb_target *t, bool step);
/* Between rounds while the machine runs: take the periodic snapshot. */
void gdb_reverse_tick(struct gdb_target *t);

#endif
