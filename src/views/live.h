/* live — a trace summarised as it is read, for the screens that show a trace while it grows or
 * replays (`strata console`): per hart where it is, per hart and privilege level the functions
 * with their calls and self/total instructions (as `strata report` counts them), traps,
 * interrupts, SBI calls and syscalls by name, and the async tasks (tasks.h) with their recent
 * polls. It feeds the same analysis (analysis.h) and task builder the text views use. */
#ifndef STRATA_VIEWS_LIVE_H
#define STRATA_VIEWS_LIVE_H

#include "views/analysis.h"
#include "views/tasks.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct live;

/* A new summary; names may be NULL (hex names). NULL + errno. */
struct live *live_new(const struct ana_names_ops *names, void *ctx);
void live_free(struct live *l);
/* One trace event (each hart's events in order). 0 or -errno. */
int live_feed(struct live *l, const struct tev *ev);
/* The trace ended: close open frames so their functions are counted. 0 or -errno. */
int live_finish(struct live *l);
const struct tasks *live_tasks(const struct live *l);
struct tasks *live_tasks_mut(struct live *l);

struct live_totals {
	uint64_t events, time; /* events read; the latest event's time */
	uint64_t exceptions, interrupts, sbi, syscalls;
	unsigned harts; /* 1 + the highest hart id seen */
};
void live_totals(const struct live *l, struct live_totals *o);

struct live_hart {
	bool seen;
	unsigned priv;		    /* privilege of its latest event */
	uint64_t pc, instret, time; /* of its latest event with a pc */
	uint64_t events;
	const char *func; /* the function on top of its current stack, or NULL */
	uint64_t exceptions, interrupts, sbi, syscalls;
};
/* Hart id. 0, or -ENOENT if it has no events. */
int live_hart(const struct live *l, unsigned hart, struct live_hart *o);

struct live_func {
	unsigned hart, priv;
	const char *name;
	uint64_t calls, self, total; /* as in `strata report` (finished calls) */
};
size_t live_nfuncs(const struct live *l);
int live_func(const struct live *l, size_t i, struct live_func *o); /* 0 or -ENOENT */

/* Traps and calls by name: kind "exception", "interrupt", "sbi" or "syscall". */
struct live_count {
	const char *kind, *name;
	unsigned priv; /* exception/interrupt: taken from; sbi: S; syscall: U */
	uint64_t n;
};
size_t live_ncounts(const struct live *l);
int live_count(const struct live *l, size_t i, struct live_count *o); /* 0 or -ENOENT */

/* The i-th latest poll of a task (0 = the latest). 0 or -ENOENT. */
#define LIVE_POLL_HISTORY 32
int live_task_poll(const struct live *l, int task, unsigned i, struct tasks_poll *o);

#endif
