/* nasync — see nasync.h. */
#include "ebpf/nasync.h"
#include "async/discover.h"
#include "ebpf/nwriter.h"
#include "ebpf/probes.h"
#include "trace/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAS_THREADS 256
#define NAS_DEPTH   64
#define NAS_SEEN    4096 /* tasks announced with TEV_TASK (open addressing) */

struct nthread {
	uint32_t tid;
	uint64_t task[NAS_DEPTH]; /* task-run functions active on the thread */
	unsigned ntask;
	uint64_t poll_task[NAS_DEPTH]; /* the task of each active poll */
	unsigned npoll, base[NAS_DEPTH]; /* base: npoll when each task run began */
	uint8_t run_polls[NAS_DEPTH];	 /* the task run is written as the task's poll */
	const struct adisc_future *run_future[NAS_DEPTH]; /* its future, or NULL */
	uint8_t hidden[NAS_DEPTH];	 /* per active poll probe: merged into the run's poll */
	unsigned nprobe;
};

struct nasync {
	struct nwriter *w;
	const struct probes *p;
	const struct adisc *const *d; /* per object (probe->obj), NULL if it has no async code */
	const uint64_t *bias;	       /* per object */
	size_t nobj;
	struct nthread *th;
	unsigned nth;
	uint8_t *described; /* per probe: TEV_FUTURE written */
	uint64_t seen[NAS_SEEN];
	unsigned nseen;
};

struct nasync *nas_new(struct nwriter *w, const struct probes *p, const struct adisc *const *d,
		       const uint64_t *bias, size_t nobj)
{
	struct nasync *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->th = calloc(NAS_THREADS, sizeof(*a->th));
	a->described = calloc(probes_count(p) + 1, 1);
	if (!a->th || !a->described) {
		nas_free(a);
		return NULL;
	}
	a->w = w;
	a->p = p;
	a->d = d;
	a->bias = bias;
	a->nobj = nobj;
	return a;
}

void nas_free(struct nasync *a)
{
	if (a) {
		free(a->th);
		free(a->described);
		free(a);
	}
}

/* The discovery of p's object, or NULL. */
static const struct adisc *disc(const struct nasync *a, const struct probe *p)
{
	return p->obj < a->nobj ? a->d[p->obj] : NULL;
}

/* p's future (POLL, or TASK with a layout), or NULL. */
static const struct adisc_future *future(const struct nasync *a, const struct probe *p)
{
	const struct adisc *d = disc(a, p);
	return d && p->future >= 0 ? adisc_future(d, (size_t)p->future) : NULL;
}

static struct nthread *thread(struct nasync *a, uint32_t tid)
{
	for (unsigned i = 0; i < a->nth; i++)
		if (a->th[i].tid == tid)
			return &a->th[i];
	if (a->nth == NAS_THREADS)
		return NULL;
	a->th[a->nth].tid = tid;
	return &a->th[a->nth++];
}

/* True the first time task is seen (so its TEV_TASK is written once). */
static int first_sight(struct nasync *a, uint64_t task)
{
	unsigned i = (unsigned)((task >> 4) * 2654435761u) % NAS_SEEN;

	if (a->nseen >= NAS_SEEN - 1)
		return 0; /* table full: no more TASK announcements, polls still name tasks */
	while (a->seen[i] && a->seen[i] != task)
		i = (i + 1) % NAS_SEEN;
	if (a->seen[i])
		return 0;
	a->seen[i] = task;
	a->nseen++;
	return 1;
}

static void announce_task(struct nasync *a, const struct probe_event *e, uint64_t task,
			  uint64_t pc)
{
	if (!task || !first_sight(a, task))
		return;
	struct tev ev = {.type = TEV_TASK, .addr = task, .pc = pc};
	nw_event(a->w, e->pid, e->tid, e->cpu, e->ts_ns, &ev);
}

/* TEV_FUTURE text: the future kind's name, type and state enum (docs/EBPF.md). */
static void describe(struct nasync *a, const struct probe_event *e, const struct probe *p,
		     uint64_t pc)
{
	const struct adisc_future *f;
	char buf[4096];
	size_t n = 0;

	if (a->described[e->probe] || !(f = future(a, p)))
		return;
	a->described[e->probe] = 1;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "name=%s\ntype=%s\nkind=%s\n",
			      f->name ? f->name : "?", f->type_name ? f->type_name : "?",
			      f->kind == ADISC_COROUTINE ? "coroutine" : "poll");
	for (unsigned i = 0; i < f->nvariants && n + 256 < sizeof(buf); i++) {
		const struct adisc_variant *v = &f->variants[i];
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "state=%llu %s",
				      (unsigned long long)v->discr, v->name ? v->name : "?");
		if (v->file)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %s:%u", v->file, v->line);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\n");
	}
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	struct tev ev = {.type = TEV_FUTURE, .pc = pc, .data = (const uint8_t *)buf,
			 .len = (uint32_t)n};
	nw_event(a->w, e->pid, e->tid, e->cpu, e->ts_ns, &ev);
}

static uint64_t current_task(const struct nthread *t)
{
	if (t->ntask)
		return t->task[t->ntask - 1];
	return t->npoll ? t->poll_task[0] : 0;
}

/* The variant name of a __state value of p's future, or "". */
static const char *variant_name(const struct nasync *a, const struct probe *p, uint64_t state)
{
	const struct adisc_future *f = future(a, p);
	const struct adisc_variant *v;

	if (!f || state == PEV_STATE_NONE || !(v = adisc_variant(f, state)) || !v->name)
		return "";
	return v->name;
}

/* Entry of a task-run function. With a layout (p->tr) a run that polls the future is written
 * as the task's poll at depth 0: the future's body is often inlined into the run function. */
static void task_enter(struct nasync *a, struct nthread *t, const struct probe_event *e,
		       const struct probe *p, uint64_t pc)
{
	unsigned i = t->ntask;
	bool polls = false;

	if (i < NAS_DEPTH) {
		t->base[i] = t->npoll;
		t->task[i] = e->fut;
		t->run_polls[i] = 0;
	}
	t->ntask++;
	describe(a, e, p, pc); /* the runtime's task type names the task until it is polled */
	announce_task(a, e, e->fut, pc);
	if (p->tr) {
		const char *v = variant_name(a, p, e->state);
		/* a run that finds the task running, complete or cancelled/closed does not poll;
		 * nor does one whose future is no longer there (any state but these) */
		polls = !(p->cfg.word_size && (e->waker & p->tr->skip_bits)) &&
			(!strcmp(v, "Unresumed") || !strncmp(v, "Suspend", 7));
	}
	if (!polls || i >= NAS_DEPTH)
		return;
	t->run_polls[i] = 1;
	const struct adisc_future *f = future(a, p);
	struct tev ev = {.type = TEV_POLL, .pc = pc, .task = e->fut, .size = 0,
			 .addr = e->fut + (uint64_t)p->tr->state_off - (uint64_t)f->state_off,
			 .value = e->state, .waker = e->fut};
	if (t->npoll < NAS_DEPTH)
		t->poll_task[t->npoll] = e->fut;
	t->npoll++;
	nw_event(a->w, e->pid, e->tid, e->cpu, e->ts_ns, &ev);
}

static void task_leave(struct nasync *a, struct nthread *t, const struct probe_event *e,
		       const struct probe *p, uint64_t pc)
{
	unsigned i;

	if (!t->ntask)
		return;
	i = --t->ntask;
	if (i >= NAS_DEPTH || !t->run_polls[i])
		return;
	t->npoll = t->base[i]; /* polls whose exits were missed end with the run */
	int r = e->state == PEV_STATE_NONE
			? -1
			: adisc_taskrun_result(disc(a, p), p->tr, e->state, e->waker);
	const struct adisc_future *f = future(a, p);
	struct tev ev = {.type = TEV_POLL_END, .pc = pc, .task = t->task[i], .size = 0,
			 .addr = t->task[i] + (uint64_t)p->tr->state_off - (uint64_t)f->state_off,
			 .value = e->state,
			 .kind = r == 1 ? TEV_PENDING : r == 0 ? TEV_READY : TEV_RESULT_UNKNOWN};
	/* Ready: the future was replaced by its output, the byte read is no longer a __state */
	if (r == 0 && strcmp(variant_name(a, p, e->state), "Returned"))
		ev.value = ADISC_ST_RETURNED;
	nw_event(a->w, e->pid, e->tid, e->cpu, e->ts_ns, &ev);
}

/* A poll probe inside a run written as a poll, at depth 1, of the run's own future: the same
 * poll seen twice (the body kept out of line), so it is left out. */
static bool merged_poll(const struct nasync *a, const struct nthread *t, const struct probe *p)
{
	unsigned i = t->ntask - 1;
	const struct adisc_future *f, *g;

	if (!t->ntask || i >= NAS_DEPTH || !t->run_polls[i] || t->npoll - t->base[i] != 1 ||
	    !(f = future(a, p)))
		return false;
	g = t->run_future[i];
	return g && f->type_name && g->type_name && !strcmp(f->type_name, g->type_name);
}

void nas_event(struct nasync *a, const struct probe_event *e)
{
	const struct probe *p = probes_at(a->p, e->probe);
	struct nthread *t = thread(a, e->tid);
	uint64_t pc = p->vaddr + (p->obj < a->nobj ? a->bias[p->obj] : 0);

	if (!t)
		return;
	if (p->cfg.what & PCFG_TASK) {
		if (e->kind == PEV_ENTRY) {
			task_enter(a, t, e, p, pc);
			if (t->ntask <= NAS_DEPTH)
				t->run_future[t->ntask - 1] = p->tr ? future(a, p) : NULL;
		} else {
			task_leave(a, t, e, p, pc);
		}
	}
	if (p->cfg.what & PCFG_POLL) {
		unsigned base = t->ntask && t->ntask <= NAS_DEPTH ? t->base[t->ntask - 1] : 0;
		struct tev ev = {.pc = pc, .addr = e->fut};

		if (e->kind == PEV_ENTRY) {
			uint64_t task = t->ntask ? current_task(t) : t->npoll ? t->poll_task[0] : e->fut;
			bool hide = merged_poll(a, t, p);

			if (t->nprobe < NAS_DEPTH)
				t->hidden[t->nprobe] = hide;
			t->nprobe++;
			if (hide)
				return;
			describe(a, e, p, pc);
			if (!t->ntask && !t->npoll)
				announce_task(a, e, task, pc);
			ev.type = TEV_POLL;
			ev.task = task;
			ev.size = (uint8_t)(t->npoll - base > 255 ? 255 : t->npoll - base);
			ev.value = e->state;
			ev.waker = e->waker;
			if (t->npoll < NAS_DEPTH)
				t->poll_task[t->npoll] = task;
			t->npoll++;
		} else {
			if (t->nprobe && --t->nprobe < NAS_DEPTH && t->hidden[t->nprobe])
				return;
			if (t->npoll > base || (!t->ntask && t->npoll))
				t->npoll--;
			ev.type = TEV_POLL_END;
			ev.task = t->npoll < NAS_DEPTH ? t->poll_task[t->npoll] : current_task(t);
			ev.size = (uint8_t)(t->npoll - base > 255 ? 255 : t->npoll - base);
			ev.value = e->state;
			ev.kind = e->result == PEV_RESULT_READY	  ? TEV_READY
				  : e->result == PEV_RESULT_PEND ? TEV_PENDING
								  : TEV_RESULT_UNKNOWN;
		}
		nw_event(a->w, e->pid, e->tid, e->cpu, e->ts_ns, &ev);
	}
	if ((p->cfg.what & PCFG_WAKE) && e->kind == PEV_ENTRY) {
		struct tev ev = {.type = TEV_WAKE, .pc = pc, .kind = p->cfg.wake_kind,
				 .addr = e->fut, .task = current_task(t)};
		nw_event(a->w, e->pid, e->tid, e->cpu, e->ts_ns, &ev);
	}
}
