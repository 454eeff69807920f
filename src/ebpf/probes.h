/* probes — the list of uprobes `strata record` attaches, one per code address: functions
 * chosen by --filter (ftrace), and for --trace=async the poll functions and waker vtable
 * functions found by the shared DWARF discovery (src/async/discover.h) plus the runtimes' own
 * task-run functions (tokio's raw::poll, async-task's RawTask::run), which name the task being
 * run. The index of a probe is its attach cookie and its entry in the BPF `cfg` map. */
#ifndef STRATA_EBPF_PROBES_H
#define STRATA_EBPF_PROBES_H

#include "ebpf/probe_event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct funcs;
struct adisc;
struct adisc_taskrun;

struct probe {
	uint64_t vaddr;	 /* link-time address */
	uint64_t foff;	 /* file offset (where the uprobe goes) */
	const char *name;
	struct probe_cfg cfg;
	long future;	 /* POLL: adisc_future() index; TASK with a layout: the task's future's */
	const struct adisc_taskrun *tr; /* TASK: the run's layout (discover_task.c), or NULL */
	unsigned obj;	 /* the object the probe is in (objs.h: 0 is the executable) */
};

struct probes;

/* Probes for the functions of fn (may be NULL) and, if d is not NULL, for d's async code and
 * the task-run functions among rt (may be NULL), in the executable exe; functions whose first
 * instruction x86 uprobes cannot take are left out (probes_refused). tasks_only (--trace=tasks):
 * no poll functions and of the waker functions only wake and wake_by_ref. NULL with err_set()
 * when out of memory. */
struct probes *probes_build(const char *exe, const struct funcs *fn, const struct adisc *d,
			    const struct funcs *rt, const struct funcs *layout, bool tasks_only);
/* Add PCFG_FUNC probes for the functions fn of another object (a shared object, obj > 0) at
 * path; an address that already has a probe of that object gets the role added. 0, or -ENOMEM
 * with err_set(). */
int probes_add_object(struct probes *p, unsigned obj, const char *path, const struct funcs *fn);
/* Add the async probes of a shared object (obj > 0) at path, as probes_build does for the
 * executable: d's poll and waker functions, rt's task runs; layout gives the file offsets (any
 * funcs of that file). 0. */
int probes_add_async(struct probes *p, unsigned obj, const char *path, const struct adisc *d,
		     const struct funcs *rt, const struct funcs *layout, bool tasks_only);
/* How many functions were left out because their first instruction cannot be probed. */
size_t probes_refused(const struct probes *p);
void probes_free(struct probes *p);
size_t probes_count(const struct probes *p);
const struct probe *probes_at(const struct probes *p, size_t i);
/* How many probes have any of the PCFG_* bits in what. */
size_t probes_count_what(const struct probes *p, unsigned what);

#endif
