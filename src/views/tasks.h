/* tasks — the async picture of a trace (docs/ASYNC.md): tasks with their polls, results, state
 * transitions and await trees; wake edges (task -> task, interrupt -> task); how long tasks
 * wait at each await point. Built from the async events (event.h TEV_POLL ... TEV_FUTURE);
 * `strata tasks` prints it as tables or JSON, and the Perfetto view uses it for task tracks. */
#ifndef STRATA_VIEWS_TASKS_H
#define STRATA_VIEWS_TASKS_H

#include "trace/event.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct tasks;

struct tasks *tasks_new(void); /* NULL + errno */
void tasks_free(struct tasks *t);
/* The trace's clock is nanoseconds (META clock=ns, native traces): busy times and waits are
 * labelled ns (BUSY_NS, JSON "unit": "ns") instead of instructions. */
void tasks_set_clock_ns(struct tasks *t, bool ns);
/* Feed every event of the trace in order (non-async events are ignored). 0 or -ENOMEM. */
int tasks_feed(struct tasks *t, const struct tev *ev);
/* Number of tasks and of async events seen. */
unsigned tasks_count(const struct tasks *t);
uint64_t tasks_events(const struct tasks *t);

/* The future kind keyed by pc (a TEV_FUTURE description): its name ("exec::producer::
 * {async_fn#0}"), the name of a state ("Suspend1"), the await point of a state ("exec.rs:129",
 * file name without directories) into buf. NULL if unknown. */
const char *tasks_future_name(const struct tasks *t, uint64_t key);
const char *tasks_future_type(const struct tasks *t, uint64_t key);
const char *tasks_state_name(const struct tasks *t, uint64_t key, uint64_t state);
const char *tasks_await_point(const struct tasks *t, uint64_t key, uint64_t state, char *buf,
			      size_t n);
/* The task id (0, 1, ... in order of first poll) whose waker data pointer is data, or -1. */
int tasks_by_waker(const struct tasks *t, uint64_t data);
/* The future key (poll function pc) of task id, or 0. */
uint64_t tasks_task_key(const struct tasks *t, int id);
/* The task id of a task future address (the latest task at that address), or -1. */
int tasks_by_addr(const struct tasks *t, uint64_t addr);

/* Write the tables (or JSON with json). 0 or -EIO. */
int tasks_print(const struct tasks *t, FILE *out, bool json);

#endif
