/* tasks_check — two async bugs found in a trace's async events (docs/ASYNC.md "Lost wakes and
 * busy polling"), for `strata tasks` and the views built on struct tasks:
 *  - a lost wake: a task's poll returned Pending and no waker event for that task (a clone, a
 *    wake or a wake_by_ref of a waker whose data pointer is the task's) came from the start of
 *    that poll until the end of the trace, and the task was not polled again: nothing can wake it;
 *  - busy polling: a task whose polls return Pending after it woke itself (a wake or wake_by_ref
 *    of its own waker during its own poll), N polls in a row (tchk_set_busy, default 100).
 * Fed with the same events as struct tasks, after it (ids are struct tasks' task ids). */
#ifndef STRATA_VIEWS_TASKS_CHECK_H
#define STRATA_VIEWS_TASKS_CHECK_H

#include "trace/event.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct tasks;
struct tchk;

#define TCHK_BUSY_DEFAULT 100

struct tchk *tchk_new(void); /* NULL + errno */
void tchk_free(struct tchk *c);
/* Self-wakes in a row that make a task busy-polling (n >= 1). */
void tchk_set_busy(struct tchk *c, unsigned n);
unsigned tchk_busy_threshold(const struct tchk *c);
/* Event ev, after tasks_feed(t, ev) took it. 0 or -ENOMEM. */
int tchk_feed(struct tchk *c, const struct tasks *t, const struct tev *ev);

/* Lost wake i (in task order): the task, and the end of its Pending poll (time, instruction
 * count, __state after it). 0 or -ENOENT past the last. */
struct tchk_lost {
	int task;
	uint64_t time, insn, state;
};
int tchk_lost(const struct tchk *c, size_t i, struct tchk_lost *out);
/* Busy-polling task i: its longest run of self-woken Pending polls, the end of the poll that
 * made the run reach the threshold (time, instruction count) and whether the run lasts to the
 * end of the trace. 0 or -ENOENT past the last. */
struct tchk_busy {
	int task;
	uint64_t longest, time, insn;
	bool ongoing;
};
int tchk_busy(const struct tchk *c, size_t i, struct tchk_busy *out);

/* The text section and the JSON members ("lost_wakes": [...], "busy_polls": {...}) of
 * tasks_print; names come from t. */
void tchk_print_text(const struct tchk *c, const struct tasks *t, FILE *f);
void tchk_print_json(const struct tchk *c, const struct tasks *t, FILE *f);

#endif
