/* reverse — reverse execution for the stub on snapshots (src/replay/snapshot.h): going back
 * is restoring the newest snapshot before the point wanted and running forward to it
 * (machine_debug_goto), which is exact because the run is deterministic.
 * - reverse-stepi (bs): to one instruction before the current one.
 * - reverse-continue (bc): re-run the span from the newest snapshot before here up to here,
 *   noting every breakpoint and watchpoint hit without stopping; go to the last one (a
 *   watchpoint: to just before the instruction that accessed), or, with none, do the same for
 *   the span before, down to the first snapshot, where the stop says replaylog:begin.
 * - monitor goto N.
 * Breakpoints and watchpoints met on the way to a goto's point are passed silently. */
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "gdb/abrk.h"
#include "gdb/target.h"
#include "machine/console.h"
#include "machine/machine.h"
#include "replay/snapshot.h"
#include "trace/record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool steps(struct gdb_target *t, uint64_t now, int kind, const struct hart_stop *hs);

static int gdb_kind(enum hart_stop_kind k)
{
	switch (k) {
	case HART_STOP_SWBREAK:
		return GDB_STOP_SWBREAK;
	case HART_STOP_HWBREAK:
		return GDB_STOP_HWBREAK;
	case HART_STOP_WATCH:
		return GDB_STOP_WATCH;
	case HART_STOP_RWATCH:
		return GDB_STOP_RWATCH;
	case HART_STOP_AWATCH:
		return GDB_STOP_AWATCH;
	default:
		return -1;
	}
}

static const char *why_not(struct gdb_target *t)
{
	if (!t->cfg->snaps)
		return "no snapshots are taken in this run";
	return t->cfg->no_reverse ? t->cfg->no_reverse(t->cfg->ctx) : NULL;
}

/* Note [lo, hi) as shown (merged with its neighbours). */
static void add_shown(struct gdb_target *t, uint64_t lo, uint64_t hi)
{
	unsigned i = 0, j;

	if (hi <= lo)
		return;
	while (i < t->nshown && t->shown[i].hi < lo)
		i++;
	for (j = i; j < t->nshown && t->shown[j].lo <= hi; j++) { /* overlapping or touching */
		lo = t->shown[j].lo < lo ? t->shown[j].lo : lo;
		hi = t->shown[j].hi > hi ? t->shown[j].hi : hi;
	}
	if (i == j && t->nshown == sizeof(t->shown) / sizeof(t->shown[0]))
		return; /* full: that stretch may be shown twice */
	memmove(&t->shown[i + 1], &t->shown[j], (t->nshown - j) * sizeof(t->shown[0]));
	t->nshown = t->nshown - (j - i) + 1;
	t->shown[i] = (struct gdb_span){lo, hi};
}

static void set_muted(struct gdb_target *t, bool on)
{
	t->muted = on;
	console_set_mute(on); /* what the guest prints again was printed already */
	if (t->rec)
		rec_set_muted(t->rec, on);
}

static void at_frontier(void *ctx);

/* The run goes on from p: muted inside a stretch shown already, up to its end; else shown,
 * up to the next such stretch. */
static void enter(struct gdb_target *t, uint64_t p)
{
	uint64_t next = 0;
	unsigned i = 0;

	while (i < t->nshown && t->shown[i].hi <= p)
		i++;
	if (i < t->nshown && t->shown[i].lo <= p) {
		set_muted(t, true);
		next = t->shown[i].hi;
	} else {
		set_muted(t, false);
		t->seg_lo = p;
		next = i < t->nshown ? t->shown[i].lo : 0;
	}
	machine_set_frontier(t->m, next, next ? at_frontier : NULL, t);
}

static void at_frontier(void *ctx)
{
	struct gdb_target *t = ctx;
	uint64_t now = machine_insns(t->m);

	if (!t->muted)
		add_shown(t, t->seg_lo, now);
	enter(t, now);
}

/* Going somewhere else than forward from here: what was shown since seg_lo is noted, so the
 * trace and the console get the one run once. The place the run goes on from says what is
 * muted next (restore()). */
static void leave_frontier(struct gdb_target *t)
{
	if (!t->muted)
		add_shown(t, t->seg_lo, machine_insns(t->m));
	set_muted(t, true);
	machine_set_frontier(t->m, 0, NULL, NULL);
}

/* rr_snaps_restore, then the muting for where the run goes on from. */
static int restore(struct gdb_target *t, uint64_t insns, uint64_t *at)
{
	int r = rr_snaps_restore(t->cfg->snaps, insns, at);

	enter(t, machine_insns(t->m));
	return r;
}

/* Let every hart run on, a breakpoint at its pc passed. */
static void run_on(struct gdb_target *t)
{
	for (unsigned i = 0; i < t->nharts; i++)
		hart_debug_resume(cpu_hart(t->cpu, i), false, true);
	t->interrupted = false;
	t->run_mask = ~0ull;
	machine_debug_resume(t->m, ~0ull);
}

/* Where the run is in GOTO's terms: all harts' instructions, or one hart's. */
static uint64_t cur(const struct gdb_target *t)
{
	return t->rev.by_hart ? machine_hart_insns(t->m, t->rev.hart) : machine_insns(t->m);
}

/* With several harts, to the first moment hart t->rev.hart has run n instructions: the newest
 * snapshot where it had run fewer (or the first), then forward. Same returns as go(). */
static int go_hart(struct gdb_target *t, uint64_t n)
{
	uint64_t at, insns = machine_insns(t->m), first = rr_snaps_first(t->cfg->snaps);

	for (;;) {
		if (restore(t, insns, &at) < 0)
			return -ENOENT;
		if (cur(t) < n || (cur(t) == n && at == first))
			break;
		if (at == first)
			return -ENOENT;
		insns = at - 1;
	}
	if (cur(t) == n) {
		machine_debug_goto(t->m, 0);
		machine_debug_halt(t->m);
		return 1;
	}
	machine_debug_goto_hart(t->m, t->rev.hart, n);
	run_on(t);
	return 0;
}

/* Restore the newest snapshot at or before insns and run to insns (or stay: already there).
 * Returns 0 (running), 1 (there now, halted) or -ENOENT (before the first snapshot). */
static int go(struct gdb_target *t, uint64_t insns)
{
	uint64_t at;

	leave_frontier(t);
	if (t->rev.by_hart)
		return go_hart(t, insns);
	if (restore(t, insns, &at) < 0)
		return -ENOENT;
	if (at == insns) {
		machine_debug_goto(t->m, 0);
		machine_debug_halt(t->m);
		return 1;
	}
	machine_debug_goto(t->m, insns);
	run_on(t);
	return 0;
}

/* Go to insns and report kind there (a signal stop when kind < 0). 0 running, 1 there now. */
static int go_report(struct gdb_target *t, uint64_t insns, int kind, uint64_t addr, bool begin)
{
	int r;

	t->rev.report.kind = kind;
	t->rev.report.addr = addr;
	if (kind >= 0)
		t->last_hart = t->rev.hit_hart;
	t->rev.begin = begin;
	t->rev.have_report = true;
	t->rev.mode = REV_GOTO;
	t->rev.target = insns;
	r = go(t, insns);
	if (r == 1)
		t->rev.mode = REV_NONE; /* halted there: the stub sends the reply */
	return r;
}

/* Re-run the span of the newest snapshot before `to` up to `to`; none left: the beginning. */
static int scan(struct gdb_target *t, uint64_t to)
{
	uint64_t first = rr_snaps_first(t->cfg->snaps);

	if (to <= first)
		return go_report(t, first, -1, 0, true);
	t->rev.mode = REV_SCAN;
	t->rev.to = to;
	t->rev.hit = false;
	leave_frontier(t);
	if (restore(t, to - 1, &t->rev.from) < 0)
		return -ENOENT;
	t->rev.last_stop = t->rev.from;
	machine_debug_goto(t->m, to);
	run_on(t);
	return 0;
}

/* pc is where a trap into the hart's privilege lands (xtvec's base, or a vectored entry) */
static bool at_vector(struct hart *h)
{
	uint64_t tvec = 0, pc = hart_get_pc(h);
	unsigned csr = hart_priv(h) == 3 ? 0x305 : 0x105; /* mtvec, stvec */

	if (hart_debug_read_reg(h, GDB_REG_CSR(csr), &tvec) < 0)
		return true; /* cannot tell: take the careful way */
	tvec &= ~3ull;
	return pc - tvec < 4 * 64;
}

int gdb_reverse(void *target, unsigned hart, bool step)
{
	struct gdb_target *t = target;
	const char *no = why_not(t);
	uint64_t now = machine_insns(t->m);

	if (no) {
		fprintf(stderr, "strata: gdb: no reverse execution: %s\n", no);
		return -EOPNOTSUPP;
	}
	memset(&t->rev, 0, sizeof(t->rev));
	leave_frontier(t);
	if (step) {
		struct hart *h = cpu_hart(t->cpu, hart);
		uint64_t first = rr_snaps_first(t->cfg->snaps);
		int r;

		t->last_hart = hart;
		if (now <= first)
			return go_report(t, first, -1, 0, true) < 0 ? -ENOENT : 0;
		if (t->nharts > 1) { /* back by this hart's instructions, the others as they ran */
			t->rev.by_hart = true;
			t->rev.hart = hart;
			now = machine_hart_insns(t->m, hart);
			if (!now)
				return go_report(t, first, -1, 0, true) < 0 ? -ENOENT : 0;
		}
		/* at a trap vector, first the same count: a trap that retired nothing (ecall, a
		 * fault, an interrupt) left it as it was, and the point before is there */
		t->rev.check_same = at_vector(h);
		t->rev.from_pc = hart_get_pc(h);
		t->rev.from_priv = hart_priv(h);
		r = go_report(t, t->rev.check_same ? now : now - 1, -1, 0, false);
		if (r == 1 &&
		    t->rev.check_same) { /* a snapshot here: the point before is one back */
			t->rev.check_same = false;
			r = go_report(t, now - 1, -1, 0, false);
		}
		if (r == -ENOENT && t->rev.by_hart) { /* before the first snapshot */
			t->rev.by_hart = false;
			r = go_report(t, first, -1, 0, true);
		}
		return r < 0 ? -ENOENT : 0;
	}
	/* async conditions: their last hit comes from the events logged the first time */
	t->rev.async = now > 1 && gdb_abrk_last_before(t, now - 1, &t->rev.async_at) == 0;
	/* an event comes before its instruction retires; a forward stop is after it */
	t->rev.async_at++;
	return scan(t, now) < 0 ? -ENOENT : 0;
}

int gdb_reverse_goto(struct gdb_target *t, uint64_t insns, char *out, size_t size)
{
	const char *no = why_not(t);
	uint64_t first;

	if (insns > machine_insns(t->m)) { /* forward: run there */
		memset(&t->rev, 0, sizeof(t->rev));
		t->rev.mode = REV_GOTO;
		t->rev.target = insns;
		gdb_reverse_tick(t); /* the first snapshot, if this is the first run */
		/* from a replay's stored snapshot on the way, unless a trace is being written (it
		 * would miss the stretch jumped over) */
		if (t->cfg->snaps && !t->rec &&
		    rr_snaps_ahead(t->cfg->snaps, machine_insns(t->m), insns)) {
			leave_frontier(t);
			if (restore(t, insns, &first) == 0 && first == insns) {
				t->rev.mode = REV_NONE;
				machine_debug_goto(t->m, 0);
				machine_debug_halt(t->m);
				snprintf(out, size, "at instruction %" PRIu64 "\n", insns);
				return 1;
			}
		}
		machine_debug_goto(t->m, insns);
		run_on(t);
		return 0;
	}
	if (no) {
		snprintf(out, size, "cannot go back: %s\n", no);
		return -EOPNOTSUPP;
	}
	first = rr_snaps_first(t->cfg->snaps);
	if (insns < first) {
		snprintf(out, size,
			 "instruction %" PRIu64 " is before the first snapshot (%" PRIu64 ")\n",
			 insns, first);
		return -EINVAL;
	}
	memset(&t->rev, 0, sizeof(t->rev));
	leave_frontier(t);
	int r = go_report(t, insns, -1, 0, false);
	t->rev.have_report = false; /* the monitor command's OK is the reply */
	if (r == 1)
		snprintf(out, size, "at instruction %" PRIu64 "\n", insns);
	return r;
}

/* A watchpoint stop comes at the end of the interpreter's run, possibly some instructions
 * after the access: find the access itself by single steps from just after the stop before
 * it (at most REFINE_MAX back), and stop before the accessing instruction. */
#define REFINE_MAX 256

static bool refine(struct gdb_target *t)
{
	uint64_t lo = t->rev.hit_lo, at = t->rev.hit_at;
	int r;

	t->last_hart = t->rev.hit_hart; /* the watched address is in its address space */
	if (at - lo > REFINE_MAX)
		lo = at - REFINE_MAX;
	t->rev.mode = REV_STEPS;
	t->rev.stepping = false;
	t->rev.target = lo;
	r = go(t, lo);
	if (r < 0)
		return false;
	if (r == 1) /* already there: start stepping */
		return steps(t, lo, -1, NULL);
	return true;
}

static void step_on(struct gdb_target *t)
{
	t->rev.stepping = true;
	if (t->nharts > 1) { /* one instruction of whichever hart runs next: harts as they ran */
		machine_debug_goto(t->m, machine_insns(t->m) + 1);
		run_on(t);
		return;
	}
	for (unsigned i = 0; i < t->nharts; i++)
		hart_debug_resume(cpu_hart(t->cpu, i), i == t->last_hart, true);
	machine_debug_resume(t->m, 1ull << t->last_hart);
}

/* The watched bytes now (the first 8 at the hit's address). */
static bool watched(struct gdb_target *t, uint8_t *buf)
{
	return hart_debug_read_mem(cpu_hart(t->cpu, t->last_hart), t->rev.hit_stop.addr, buf, 8,
				   false) == 8;
}

static bool steps(struct gdb_target *t, uint64_t now, int kind, const struct hart_stop *hs)
{
	uint8_t cur[8];
	bool ok = watched(t, cur);

	/* the step that changed the bytes is the write; a write of the same value shows as the
	 * watchpoint's own stop */
	if (t->rev.stepping &&
	    ((ok && t->rev.seen_ok && memcmp(cur, t->rev.seen, 8)) || kind >= GDB_STOP_WATCH)) {
		/* now is just after the access: GDB steps back over the instruction itself, as it
		 * does after any watchpoint stop when it executes in reverse */
		if (go_report(t, now, t->rev.hit_stop.kind, t->rev.hit_stop.addr, false) < 0)
			return false;
		return t->rev.mode != REV_NONE;
	}
	memcpy(t->rev.seen, cur, 8);
	t->rev.seen_ok = ok;
	if (now > t->rev.hit_at) { /* not found by single steps: the late stop it is */
		if (go_report(t, t->rev.hit_at, t->rev.hit_stop.kind, t->rev.hit_stop.addr, false) <
		    0)
			return false;
		return t->rev.mode != REV_NONE;
	}
	step_on(t);
	return true;
}

bool gdb_reverse_halted(struct gdb_target *t)
{
	uint64_t now = machine_insns(t->m);
	struct hart_stop hs = {.kind = HART_STOP_NONE};
	bool stopped = false;

	if (t->rev.mode == REV_NONE || t->exited || t->interrupted) {
		t->rev.mode = REV_NONE;
		return false;
	}
	unsigned sh = 0;

	for (unsigned i = 0; i < t->nharts && !stopped; i++)
		if ((stopped = hart_debug_stopped(cpu_hart(t->cpu, i), &hs)))
			sh = i;
	if (t->rev.mode == REV_GOTO) {
		now = cur(t);
		if (!stopped && now == t->rev.target && t->rev.check_same) {
			struct hart *h = cpu_hart(t->cpu, t->last_hart);
			t->rev.check_same = false;
			if (hart_get_pc(h) == t->rev.from_pc && hart_priv(h) == t->rev.from_priv) {
				/* the same point: the instruction before it is one count back */
				int r = go_report(t, now - 1, -1, 0, false);
				return r == 0 && t->rev.mode != REV_NONE;
			}
		}
		if (now == t->rev.target) {
			t->rev.mode = REV_NONE;
			return false; /* arrived: the stub reports */
		}
		run_on(t); /* a breakpoint or watchpoint on the way */
		return true;
	}
	if (t->rev.mode == REV_STEPS)
		return steps(t, now, stopped ? gdb_kind(hs.kind) : -1, &hs);
	if (t->rev.mode == REV_FWD) { /* at the logged async hit, or stopped before it */
		t->rev.mode = REV_NONE;
		t->rev.have_report = !stopped && now == t->rev.target;
		t->rev.report_async = t->rev.have_report;
		t->rev.report.kind = -1;
		if (t->rev.have_report)
			t->last_hart = gdb_abrk_rev_note(t, NULL, 0) % t->nharts;
		return false;
	}
	/* REV_SCAN */
	if (stopped) {
		int k = gdb_kind(hs.kind);

		/* a breakpoint here is where we are; a watchpoint stop here had its access before
		 */
		if (k >= 0 && (now < t->rev.to || (now == t->rev.to && k >= GDB_STOP_WATCH))) {
			t->rev.hit = true;
			t->rev.hit_at = now;
			t->rev.hit_lo = t->rev.last_stop;
			t->rev.hit_stop.kind = k;
			t->rev.hit_stop.addr = hs.addr;
			t->rev.hit_hart = sh;
		}
		t->rev.last_stop = now;
		if (now < t->rev.to) {
			run_on(t);
			return true;
		}
	}
	if (now < t->rev.to) {
		run_on(t);
		return true;
	}
	if (t->rev.async && t->rev.async_at >= t->rev.from &&
	    (!t->rev.hit || t->rev.async_at > t->rev.hit_at)) {
		/* an async condition held after any breakpoint of this span: stop there */
		unsigned hart = gdb_abrk_rev_note(t, NULL, 0);
		t->rev.report_async = true;
		if (go_report(t, t->rev.async_at, -1, 0, false) < 0)
			return false;
		t->last_hart = hart < t->nharts ? hart : t->last_hart;
		return t->rev.mode != REV_NONE;
	}
	if (t->rev.hit && t->rev.hit_stop.kind >= GDB_STOP_WATCH)
		return refine(t);
	if (t->rev.hit) {
		if (go_report(t, t->rev.hit_at, t->rev.hit_stop.kind, t->rev.hit_stop.addr, false) <
		    0)
			return false;
		return t->rev.mode != REV_NONE;
	}
	/* nothing in this span: the one before */
	if (scan(t, t->rev.from) < 0)
		return false;
	return t->rev.mode != REV_NONE;
}

bool gdb_reverse_stop(struct gdb_target *t, struct gdb_stop *st)
{
	if (!t->rev.have_report || t->rev.mode != REV_NONE)
		return false;
	t->rev.have_report = false;
	st->hart = t->last_hart;
	st->signal = 5;
	st->kind =
	    t->rev.report.kind >= 0 ? (enum gdb_stop_kind)t->rev.report.kind : GDB_STOP_SIGNAL;
	st->addr = t->rev.report.addr;
	st->replay_begin = t->rev.begin;
	if (t->rev.report_async) { /* as a forward async stop says it, with the picture then */
		t->rev.report_async = false;
		st->hart = t->last_hart = gdb_abrk_rev_note(t, st->note, sizeof(st->note));
	}
	return true;
}

void gdb_reverse_resumed(struct gdb_target *t, bool step)
{
	uint64_t at;

	t->rev.report_async = false;
	/* muted: the stretch ahead ran before and makes no async events; the log has them */
	if (step || !t->muted || gdb_abrk_next_logged(t, machine_insns(t->m), &at) < 0)
		return;
	t->rev.mode = REV_FWD;
	t->rev.target = at + 1; /* where the forward stop was: after the event's instruction */
	t->rev.begin = false;
	machine_debug_goto(t->m, at + 1);
}

void gdb_reverse_tick(struct gdb_target *t)
{
	/* a GDB session's runs (the first snapshot copies all of RAM: not while GDB waits for
	 * an answer with a timeout) */
	if (t->cfg->snaps)
		rr_snaps_tick(t->cfg->snaps);
}
