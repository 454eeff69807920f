/* run — the machine's run loop: harts in round-robin quanta, virtual or host time, timer
 * interrupts, console input, and the end of the run. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "cpu/dmode.h"
#include "machine/console.h"
#include "machine/machine_impl.h"
#include "util/sigstop.h"

/* A 100 MIPS virtual CPU at the 10 MHz timebase: one mtime tick per 10 retired instructions. */
#define MACHINE_INSNS_PER_TICK 10
/* Instructions a hart runs before the others get a turn and devices are polled. */
#define MACHINE_QUANTUM 10000
/* A hart that looks idle (note_idle) runs 1/IDLE_SHARE of a quantum while another hart does
 * not look so. */
#ifndef IDLE_SHARE
#define IDLE_SHARE 8 /* -DIDLE_SHARE=1 turns it off, to measure it */
#endif
/* Idle fixpoint elision (cpu/idle.c) for harts that look idle: -DIDLE_ELISION=0 turns it
 * off, to measure it. A search that finds nothing, or a loop another hart disturbed, is
 * retried after 2^fails rounds, at most IDLE_RETRY_MAX; a skip resets fails. */
#ifndef IDLE_ELISION
#define IDLE_ELISION 1
#endif
#define IDLE_RETRY_MAX 256
/* Host nanoseconds per mtime tick in --realtime mode. */
#define NS_PER_TICK (1000000000ull / VIRT_TIMEBASE_FREQ)
/* Longest sleep while every hart waits, so Ctrl-A x and input stay responsive. */
#define MAX_SLEEP_MS 10
/* How often to look for input when only input could wake the guest. */
#define IDLE_POLL_MS 50
/* Rounds between two looks at the debugger's connection while the guest runs (Ctrl-C comes
 * within about a millisecond; a poll(2) per round would cost several percent). */
#define DEBUG_POLL_ROUNDS 32

static uint64_t host_ns(struct machine *m)
{
	struct timespec ts;

	if (m->host_now_ns) { /* record/replay (src/replay) logs or replays the reads */
		/* a debugger looking at a halted machine (GDB reads the time CSR at each stop) is
		 * not an input of the run: the replay, without it, must not see those reads */
		if (m->dbg && m->dbg_halted && m->host_read)
			return m->host_last_ns;
		m->host_read = true;
		return m->host_last_ns = m->host_now_ns(m->host_ctx);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Hart 0's instruction clock, including what the running hart retired so far. */
static uint64_t live_vclock(const struct machine *m)
{
	if (!m->running)
		return m->vclock;
	return m->vclock + (hart_instret(m->running) - m->running_instret0);
}

uint64_t machine_clock(const struct machine *m)
{
	return live_vclock(m);
}

uint64_t machine_mtime(struct machine *m)
{
	if (m->cfg.realtime)
		return (host_ns(m) - m->rt_start_ns) / NS_PER_TICK + m->mtime_off;
	return live_vclock(m) / MACHINE_INSNS_PER_TICK + m->mtime_off;
}

/* The earliest timer deadline after now: the CLINT's mtimecmp or a hart's stimecmp (Sstc). */
static uint64_t next_deadline(struct machine *m, uint64_t now)
{
	uint64_t c = m->clint ? clint_next_deadline(m->clint, now) : UINT64_MAX;
	uint64_t s = cpu_next_deadline(m->cpu, now);

	return c < s ? c : s;
}

/* Instructions until mtime reaches the earliest programmed deadline (at least 1), or
 * UINT64_MAX if none is pending. */
static uint64_t insns_to_deadline(struct machine *m)
{
	uint64_t now = machine_mtime(m), next = next_deadline(m, now);
	uint64_t ticks = next - now;

	if (next == UINT64_MAX || ticks > UINT64_MAX / MACHINE_INSNS_PER_TICK / 2)
		return UINT64_MAX;
	/* mtime ticks when vclock crosses a multiple of the ratio. */
	return ticks * MACHINE_INSNS_PER_TICK - m->vclock % MACHINE_INSNS_PER_TICK;
}

/* Every hart sleeps: jump virtual time to the next deadline. False if there is none. */
static bool skip_to_deadline(struct machine *m)
{
	uint64_t d = insns_to_deadline(m);

	if (d == UINT64_MAX)
		return false;
	m->vclock += d;
	return true;
}

static void poll_input(struct machine *m)
{
	uint8_t buf[UART_FIFO_SIZE];
	unsigned room = m->uart ? uart_rx_room(m->uart) : sizeof(buf), took;
	int n;

	if (!room || !console_input_open())
		return;
	n = console_read(buf, room);
	if (m->nemu && n > 0) { /* NEMU's keyboard; what it cannot take yet is read again */
		took = nemu_kbd_feed(m->nemu, buf, (unsigned)n);
		if (took < (unsigned)n)
			console_unread(buf + took, (unsigned)n - took);
		return;
	}
	for (int i = 0; i < n; i++)
		uart_rx_push(m->uart, buf[i]);
}

static void dump_harts(struct machine *m)
{
	for (unsigned h = 0; h < m->nharts; h++)
		hart_dump(cpu_hart(m->cpu, h), stderr);
}

/* Kernels whose idle harts spin instead of sleeping in WFI (xv6's scheduler() scans the
 * process table forever) would get a full share of strata's one host thread for nothing. A
 * hart that ends a quantum outside U mode on the stack page it first ran S-mode code on is
 * taken for such a loop: kernels run their per-hart idle/scheduler loop on the stack the hart
 * booted with and everything else (system calls, kernel threads) on other stacks. Such a hart
 * gets a smaller share while some other hart does not look idle. That only changes how fast
 * harts run relative to each other, which no correct guest depends on, and depends only on
 * guest state, so runs stay deterministic. */
static void note_idle(struct machine *m, unsigned i, struct hart *h)
{
	uint64_t sp_page = hart_get_xreg(h, 2) >> 12;
	unsigned priv = hart_priv(h);

	if (!m->idle[i].boot_seen && priv == 1) {
		m->idle[i].boot_seen = true;
		m->idle[i].boot_sp_page = sp_page;
	}
	m->idle[i].looks = m->idle[i].boot_seen && priv != 0 && sp_page == m->idle[i].boot_sp_page;
}

/* Whether hart i searches for an idle fixpoint in its coming run: it looks idle, no debugger
 * is attached (tracers are refused by the CPU), the run is not --realtime (each round reads the
 * host clock: how many rounds there are must not depend on a debugger, or a run recorded under
 * GDB would not replay without it), and it is not backing off. */
static bool idle_elide(struct machine *m, unsigned i, struct hart *h)
{
	struct machine_idle *d = &m->idle[i];

	d->elide = IDLE_ELISION && !m->dbg && !m->cfg.realtime && d->looks &&
		   m->rounds >= d->retry_round;
	if (hart_idle_arm(h, d->elide) < 0)
		d->elide = false;
	return d->elide;
}

/* After an armed run that retired n of budget: a hart that stopped at a repeating iteration
 * stays armed and keeps what it left of its budget for its next run (it stops when the rest of
 * its budget holds no whole iteration); one that found nothing backs off. */
static void idle_after(struct machine *m, unsigned i, struct hart *h, uint64_t budget, uint64_t n)
{
	struct machine_idle *d = &m->idle[i];
	enum hart_idle st = hart_idle_state(h);

	struct hart_idle_stats now;
	uint64_t wait;

	d->credit = 0;
	if (!d->elide)
		return;
	hart_idle_stats(h, &now);
	if (st == HART_IDLE_FIXED && budget > n)
		d->credit = budget - n;
	if (now.skips != d->last.skips)
		d->fails = 0; /* it paid off */
	if (st != HART_IDLE_NONE && now.invalidated == d->last.invalidated) {
		d->last = now;
		return;
	}
	/* Found nothing, or another hart changed what the loop reads (xv6's wakeup() takes
	 * every process lock): searching costs more than running with the idle share, so wait
	 * before the next search, longer each time it does not pay off. */
	d->last = now;
	d->fails++;
	wait = 1ull << (d->fails < 10 ? d->fails : 10);
	d->retry_round = m->rounds + (wait < IDLE_RETRY_MAX ? wait : IDLE_RETRY_MAX);
}

/* What hart i may run of budget before --max-insns ends the run. */
static uint64_t max_cap(const struct machine *m, uint64_t budget)
{
	uint64_t t = m->total_insns;

	if (m->cfg.max_insns && m->cfg.max_insns - t < budget)
		budget = m->cfg.max_insns - t;
	return budget;
}

/* What hart i may run of budget before a debugger's point: machine_debug_goto's (or
 * machine_debug_goto_hart's), the frontier of a stretch run again. */
static uint64_t dbg_cap(const struct machine *m, unsigned i, uint64_t budget)
{
	uint64_t t = m->total_insns, r = m->idle[i].retired;

	if (m->goto_insns > t && m->goto_insns - t < budget)
		budget = m->goto_insns - t; /* reverse execution (src/replay) */
	if (m->frontier > t && m->frontier - t < budget)
		budget = m->frontier - t;
	if (m->goto_hart == i + 1 && m->goto_hart_insns - r < budget)
		budget = m->goto_hart_insns > r ? m->goto_hart_insns - r : 0;
	return budget;
}

/* Whether a debugger's point (not --max-insns, which ends the run the same way with or without
 * a debugger) cuts hart i's turn at budget. */
static bool dbg_cut(const struct machine *m, unsigned i, uint64_t full, uint64_t budget)
{
	return m->dbg && budget < full && dbg_cap(m, i, full) == budget && max_cap(m, full) > budget;
}

static uint64_t round_cap(const struct machine *m, unsigned i, uint64_t budget)
{
	uint64_t a = max_cap(m, budget), b = dbg_cap(m, i, budget);

	return a < b ? a : b;
}

/* The budget of hart i in a round of quantum q. */
static uint64_t slice_budget(struct machine *m, unsigned i, struct hart *h, uint64_t q,
			     bool some_busy)
{
	uint64_t budget = q;
	/* a hart that looks idle gets a small share unless its loop is being checked */
	bool elide = idle_elide(m, i, h);

	if (some_busy && m->idle[i].looks && (!elide || hart_idle_state(h) == HART_IDLE_NONE))
		budget = q / IDLE_SHARE ? q / IDLE_SHARE : 1;
	/* Credit from earlier rounds is spent before this round's end, the next timer
	 * deadline: the skipped iterations all happen before an interrupt can come (one
	 * that comes ends the hart's loop, and its credit, at the next run's start). */
	if (m->idle[i].elide && hart_idle_state(h) == HART_IDLE_FIXED)
		budget += m->idle[i].credit;
	/* a loop's iteration may not fit in what is left before --max-insns: run it plainly
	 * (armed, the hart would stop at the loop's start again and again) */
	if (m->idle[i].elide && round_cap(m, i, budget) < budget) {
		hart_idle_arm(h, false);
		m->idle[i].elide = false;
	}
	return budget;
}

/* One round: every hart runs up to q instructions (harts that look idle fewer, see
 * note_idle, unless they search for an idle fixpoint). Returns the largest count retired.
 * A round the debugger cuts short (a hart stops, a cap is reached) stays open: the next call
 * finishes it, q ignored, and returns false in *done until then. */
static uint64_t run_round(struct machine *m, uint64_t q, bool *all_waiting, bool *done)
{
	struct machine_round *rd = &m->round;
	uint64_t n, budget, full;
	unsigned i = 0;
	bool capped;

	if (rd->open) {
		i = rd->next;
	} else {
		*rd = (struct machine_round){.q = q, .all_waiting = true};
		for (unsigned k = 0; k < m->nharts; k++)
			if (!m->idle[k].looks && !hart_waiting(cpu_hart(m->cpu, k)))
				rd->some_busy = true;
	}
	*done = false;
	/* A hart halting for the debugger does not end the round: the others run their quantum,
	 * the same stretch of virtual time, so runs with and without a debugger agree. */
	for (; i < m->nharts && !m->stop; i++) {
		struct hart *h = cpu_hart(m->cpu, i);
		bool resumed = rd->open && i == rd->next;

		if (m->dbg && !((m->dbg_mask >> i) & 1)) {
			rd->open = rd->open && !resumed; /* held by the debugger: the slice is lost */
			continue;
		}
		full = resumed ? rd->left : slice_budget(m, i, h, rd->q, rd->some_busy);
		if (!resumed)
			rd->done = 0;
		rd->open = false;
		budget = round_cap(m, i, full);
		if (budget == 0) {
			if (dbg_cut(m, i, full, 0)) { /* cut before this slice: finish it later */
				rd->open = true;
				rd->next = i;
				rd->left = full;
			}
			break;
		}
		capped = dbg_cut(m, i, full, budget);
		m->yield = false;
		m->running = h;
		/* the slice's clock counts from the round's start, pieces before a cut included */
		m->running_instret0 = hart_instret(h) - rd->done;
		n = hart_run(h, budget);
		/* Fold this hart's progress into the clock only through elapsed below. */
		m->running = NULL;
		m->total_insns += n;
		m->idle[i].retired += n;
		if (m->idle[i].looks)
			m->idle[i].insns_looking_idle += n;
		if (m->dbg && n < full &&
		    ((n == budget && capped) || hart_debug_stopped(h, NULL) ||
		     hart_dm_halted(h))) {
			/* cut by the debugger: the slice goes on from here next time */
			rd->open = true;
			rd->next = i;
			rd->left = full - n;
			rd->done += n;
			if (hart_debug_stopped(h, NULL) || hart_dm_halted(h))
				m->dbg_halted = true;
			break;
		}
		n += rd->done;
		idle_after(m, i, h, budget + rd->done, n);
		if (m->idle[i].credit)
			rd->parked = true; /* stopped at its loop's start: the next run skips */
		note_idle(m, i, h);
		/* virtual time moves by the round's budget at most, whatever credit was spent */
		if ((n < rd->q ? n : rd->q) > rd->elapsed)
			rd->elapsed = n < rd->q ? n : rd->q;
		if (!hart_waiting(h))
			rd->all_waiting = false;
		if (m->dbg && (hart_debug_stopped(h, NULL) || hart_dm_halted(h)))
			m->dbg_halted = true; /* all-stop: nothing runs after this round */
	}
	m->yield = false;
	if (rd->open)
		return 0;
	*done = true;
	*all_waiting = rd->all_waiting;
	m->rounds++;
	m->parked = rd->parked;
	return rd->elapsed;
}

void machine_print_idle_stats(struct machine *m, FILE *f)
{
	for (unsigned i = 0; i < m->nharts; i++) {
		struct hart *h = cpu_hart(m->cpu, i);
		struct hart_idle_stats st;

		hart_idle_stats(h, &st);
		fprintf(f,
			"strata: hart %u: %" PRIu64 " instructions, %" PRIu64
			" in runs that looked idle, %" PRIu64 " of them skipped (idle elision: %" PRIu64
			" runs, %" PRIu64 " fixpoints, %" PRIu64 " skips, %" PRIu64
			" invalidated, %" PRIu64 " aborted, %" PRIu64 " found nothing)\n",
			i, hart_instret(h), m->idle[i].insns_looking_idle, st.skipped_insns, st.runs,
			st.fixpoints, st.skips, st.invalidated, st.aborts, st.misses);
	}
}

enum machine_exit machine_run(struct machine *m, int *code)
{
	enum machine_exit ret;
	bool all_waiting, progress, done;
	uint64_t q, elapsed, before, wait_ticks;
	int ms;

	*code = 0;
	console_open();
	m->rt_start_ns = host_ns(m);
	for (;;) {
		if (m->stop) {
			*code = m->exit_code;
			ret = MACHINE_EXIT_GUEST;
			break;
		}
		if (sigstop_pending()) {
			*code = sigstop_pending();
			ret = MACHINE_EXIT_SIGNAL;
			break;
		}
		if (console_quit_requested()) {
			fprintf(stderr, "strata: terminated by Ctrl-A x\n");
			ret = MACHINE_EXIT_GUEST;
			break;
		}
		if (m->cfg.max_insns && m->total_insns >= m->cfg.max_insns) {
			ret = MACHINE_EXIT_MAX_INSNS;
			break;
		}
		if (m->dbg && m->goto_insns && m->total_insns >= m->goto_insns) {
			m->goto_insns = 0; /* machine_debug_goto's point: the debugger takes over */
			m->dbg_halted = true;
		}
		if (m->dbg && m->goto_hart &&
		    m->idle[m->goto_hart - 1].retired >= m->goto_hart_insns) {
			m->goto_hart = 0; /* machine_debug_goto_hart's point */
			m->dbg_halted = true;
		}
		if (m->frontier && m->total_insns >= m->frontier) {
			m->frontier = 0; /* past what ran before: new ground */
			if (m->at_frontier)
				m->at_frontier(m->frontier_ctx);
		}
		if (m->periodic && m->total_insns >= m->periodic_at && !m->round.open &&
		    !m->frontier)
			m->periodic_at = m->periodic(m->periodic_ctx, m->total_insns);
		if (m->dbg && (m->dbg_halted || ++m->dbg_rounds >= DEBUG_POLL_ROUNDS)) {
			m->dbg_rounds = 0;
			if (m->dbg->poll(m->dbg->ctx, m) == MACHINE_DEBUG_KILL) {
				fprintf(stderr, "strata: killed by the debugger\n");
				ret = MACHINE_EXIT_GUEST;
				break;
			}
			if (m->dbg_halted)
				continue; /* still halted: look at signals, then ask again */
		}
		q = MACHINE_QUANTUM;
		if (!m->cfg.realtime) {
			/* Stop exactly where MTIP rises, so timer interrupts land
			 * deterministically. */
			uint64_t d = insns_to_deadline(m);
			if (d < q)
				q = d;
		}
		before = m->total_insns;
		elapsed = run_round(m, q, &all_waiting, &done);
		m->executed += m->total_insns - before;
		if (!done)
			continue; /* cut short: no timers or input until the round is over */
		progress = m->total_insns != before || m->parked;
		if (!m->cfg.realtime)
			m->vclock += elapsed;
		if (all_waiting && !m->stop) {
			if (!m->cfg.realtime) {
				if (!skip_to_deadline(m))
					goto idle;
			} else {
				wait_ticks = next_deadline(m, machine_mtime(m));
				if (wait_ticks == UINT64_MAX && !console_input_open())
					goto idle;
				console_flush();
				ms = MAX_SLEEP_MS;
				if (wait_ticks != UINT64_MAX &&
				    (wait_ticks - machine_mtime(m)) / (VIRT_TIMEBASE_FREQ / 1000) <
					(uint64_t)ms)
					ms = (int)((wait_ticks - machine_mtime(m)) /
						   (VIRT_TIMEBASE_FREQ / 1000));
				console_wait(ms);
			}
		} else if (!progress && !m->stop && !m->dbg_halted) {
			struct hart *h = NULL;

			for (unsigned i = 0; i < m->nharts && !h; i++)
				if (hart_trap_storm(cpu_hart(m->cpu, i)))
					h = cpu_hart(m->cpu, i);
			if (h)
				fprintf(stderr,
					"strata: the guest makes no progress: every hart traps without "
					"retiring an instruction (a trap vector that faults?)\n");
			else
				fprintf(stderr, "strata: internal error: harts make no progress\n");
			dump_harts(m);
			ret = h ? MACHINE_EXIT_STUCK : MACHINE_EXIT_ERROR;
			break;
		}
		goto tick;
	idle:
		/* Every hart waits and no timer is due: only console input can wake the guest, or a
		 * debugger that holds some harts (JTAG: halted in Debug Mode) and may resume them. */
		if (m->dbg && m->dbg_mask != ~0ull) {
			m->dbg_rounds = DEBUG_POLL_ROUNDS; /* ask it at once */
			console_flush();
			console_wait(1);
			goto tick;
		}
		if (!console_input_open()) {
			fprintf(stderr,
				"strata: the guest makes no progress: every hart waits for an "
				"interrupt that cannot come (no timer armed, no more input)\n");
			dump_harts(m);
			ret = MACHINE_EXIT_STUCK;
			break;
		}
		console_flush();
		console_wait(IDLE_POLL_MS);
	tick:
		if (m->clint)
			clint_update_timers(m->clint, machine_mtime(m));
		cpu_update_timers(m->cpu, machine_mtime(m));
		poll_input(m);
		console_flush();
	}
	console_flush();
	if (m->nemu)
		machine_nemu_end(m);
	if (m->dbg && ret == MACHINE_EXIT_GUEST && m->stop)
		m->dbg->exited(m->dbg->ctx, m, *code);
	return ret;
}

void machine_set_debugger(struct machine *m, const struct machine_debugger *d)
{
	m->dbg = d;
	m->dbg_mask = ~0ull;
	m->dbg_halted = false;
}

void machine_set_periodic(struct machine *m, uint64_t first,
			  uint64_t (*at)(void *ctx, uint64_t insns), void *ctx)
{
	m->periodic = at;
	m->periodic_ctx = ctx;
	m->periodic_at = first;
}

uint64_t machine_insns_now(const struct machine *m)
{
	/* running_instret0 counts from the round's first piece of this slice (rd->done) */
	if (!m->running)
		return m->total_insns;
	return m->total_insns + (hart_instret(m->running) - m->running_instret0) - m->round.done;
}

uint64_t machine_executed_insns(const struct machine *m)
{
	return m->executed;
}

void machine_set_frontier(struct machine *m, uint64_t insns, void (*at)(void *ctx), void *ctx)
{
	m->frontier = insns;
	m->at_frontier = at;
	m->frontier_ctx = ctx;
}

void machine_debug_halt(struct machine *m)
{
	m->dbg_halted = true;
}

bool machine_debug_halted(const struct machine *m)
{
	return m->dbg_halted;
}

void machine_debug_resume(struct machine *m, uint64_t mask)
{
	m->dbg_mask = mask;
	m->dbg_halted = false;
}
