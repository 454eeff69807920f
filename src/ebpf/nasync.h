/* nasync — probe records of poll, waker and task-run functions turned into the async trace
 * events of event.h (TEV_TASK, TEV_FUTURE, TEV_POLL, TEV_POLL_END, TEV_WAKE), per thread:
 * the task is the one a runtime's task-run function is running on the thread (its argument,
 * tokio's task header / async-task's raw task, which is also the data pointer of the task's
 * wakers, so wakes name the task they wake), or, outside any task run (a block_on future), the
 * outermost future being polled. The nesting depth of polls inside the task is `size`. A task
 * run whose task layout is known (src/async/discover_task.c) is itself the task's poll at
 * depth 0 — the only poll seen when the future's body is inlined into the run function. */
#ifndef STRATA_EBPF_NASYNC_H
#define STRATA_EBPF_NASYNC_H

#include "ebpf/probe_event.h"

#include <stddef.h>
#include <stdint.h>

struct nasync;
struct nwriter;
struct probes;
struct adisc;

/* NULL if out of memory. d[k] and bias[k] are object k's discovery (NULL: no async code, no
 * descriptions) and load bias (objs.h: 0 is the executable), k < nobj; a probe's obj picks them. */
struct nasync *nas_new(struct nwriter *w, const struct probes *p, const struct adisc *const *d,
		       const uint64_t *bias, size_t nobj);
void nas_free(struct nasync *a);
/* Handle one record of a POLL, WAKE or TASK probe. */
void nas_event(struct nasync *a, const struct probe_event *e);

#endif
