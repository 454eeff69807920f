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
struct tchk;

struct tasks *tasks_new(void); /* NULL + errno */
void tasks_free(struct tasks *t);
/* The trace's clock is nanoseconds (META clock=ns, native traces): busy times and waits are
 * labelled ns (BUSY_NS, JSON "unit": "ns") instead of instructions. */
void tasks_set_clock_ns(struct tasks *t, bool ns);
/* Its lost wakes and busy-polling tasks, fed by tasks_feed (tasks_check.h: tchk_set_busy). */
struct tchk *tasks_check(const struct tasks *t);
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

/* What a task looks like now (tasks_info): the console's task rows. */
struct tasks_info {
	uint64_t addr, key;
	uint64_t polls, pending, ready, unknown, clones, drops;
	uint64_t wakes;		   /* wake / wake_by_ref calls that resolved to this task */
	uint64_t busy_insns, busy_time;
	uint64_t first, last;	   /* time of the first and of the latest poll start */
	uint64_t last_end;	   /* time the latest poll ended (0: none ended) */
	uint64_t state;		   /* __state after the latest poll (TEV_STATE_NONE: none) */
	int running_on;		   /* the hart polling it now, or -1 */
	bool done;		   /* its latest poll returned Ready */
	bool waiting;		   /* Pending: waiting for a wake since last_end */
};
/* Task id now. 0, or -ENOENT if there is no such task. */
int tasks_info(const struct tasks *t, int id, struct tasks_info *out);
/* Node i of task id's await tree (node 0: the task's own future): 0 with *parent (-1 for node
 * 0), *key and *polls; -ENOENT past the last node. Parents come before their children. */
int tasks_tree_node(const struct tasks *t, int id, size_t i, int *parent, uint64_t *key,
		    uint64_t *polls);
/* Link i of the await chain task id's latest poll left (its await tree now): 0 with the tree
 * node, the future's __state after the poll and its result; -ENOENT past the last link. */
int tasks_now_link(const struct tasks *t, int id, unsigned i, int *node, uint64_t *state,
		   unsigned *result);
/* Wake edge i ("irq s_timer (S)" or "task 1" -> task *to, -1 unknown). 0 or -ENOENT. */
int tasks_edge(const struct tasks *t, size_t i, const char **from, int *to, uint64_t *count);
/* Await point i: time from going Pending there to the next poll; hist[b] counts waits in
 * [2^b, 2^(b+1)) (b = 0: [0, 2)). 0 or -ENOENT. */
struct tasks_apoint {
	uint64_t key, state, n, sum, min, max;
	const uint64_t *hist;
	unsigned nbuckets;
};
int tasks_apoint(const struct tasks *t, size_t i, struct tasks_apoint *out);

/* Told of each task poll as it ends and of each wake (views that draw time lines: the console,
 * `strata view`); the numbers are the ones the tables count. */
struct tasks_poll {
	int task;
	unsigned hart;
	uint64_t start, end;	 /* times */
	uint64_t insns;		 /* instructions the poll took */
	uint64_t before, after;	 /* __state */
	unsigned result;	 /* enum tev_poll_result */
};
struct tasks_wake {
	int to;		  /* task woken, or -1 */
	unsigned hart, priv;
	uint64_t time;
	const char *from; /* as in the wake table: "task 1", "irq s_timer (S)", ... */
};
struct tasks_listener {
	void (*poll)(void *arg, const struct tasks_poll *p);
	void (*wake)(void *arg, const struct tasks_wake *w);
};
void tasks_set_listener(struct tasks *t, const struct tasks_listener *l, void *arg);

/* Native traces interleave their threads' events by chunk, so a wake may come after the poll
 * it caused: their async events are fed in time order (as `strata tasks` does). A sorter keeps
 * copies of the events added (non-async events are ignored) and feeds them sorted by time,
 * ties in the order added. */
struct tasks_sorter;
struct tasks_sorter *tasks_sorter_new(void); /* NULL + errno */
int tasks_sorter_add(struct tasks_sorter *s, const struct tev *ev); /* 0 or -ENOMEM */
int tasks_sorter_feed(struct tasks_sorter *s, struct tasks *t);     /* 0 or tasks_feed's error */
void tasks_sorter_free(struct tasks_sorter *s);

/* Write the tables (or JSON with json). 0 or -EIO. */
int tasks_print(const struct tasks *t, FILE *out, bool json);
/* The JSON of tasks_print, with runs of identical transitions written once with a "count"
 * (`strata view`: a task polled 10^5 times the same way is one line). 0 or -EIO. */
int tasks_print_json_runs(const struct tasks *t, FILE *out);

#endif
