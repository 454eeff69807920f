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
};

struct nasync {
	struct nwriter *w;
	const struct probes *p;
	const struct adisc *d;
	uint64_t bias;
	struct nthread *th;
	unsigned nth;
	uint8_t *described; /* per probe: TEV_FUTURE written */
	uint64_t seen[NAS_SEEN];
	unsigned nseen;
};

struct nasync *nas_new(struct nwriter *w, const struct probes *p, const struct adisc *d,
		       uint64_t bias)
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

	if (a->described[e->probe] || !a->d || p->future < 0)
		return;
	a->described[e->probe] = 1;
	f = adisc_future(a->d, (size_t)p->future);
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

void nas_event(struct nasync *a, const struct probe_event *e)
{
	const struct probe *p = probes_at(a->p, e->probe);
	struct nthread *t = thread(a, e->tid);
	uint64_t pc = p->vaddr + a->bias;

	if (!t)
		return;
	if (p->cfg.what & PCFG_TASK) {
		if (e->kind == PEV_ENTRY) {
			if (t->ntask < NAS_DEPTH) {
				t->base[t->ntask] = t->npoll;
				t->task[t->ntask] = e->fut;
			}
			t->ntask++;
			announce_task(a, e, e->fut, pc);
		} else if (t->ntask) {
			t->ntask--;
		}
	}
	if (p->cfg.what & PCFG_POLL) {
		unsigned base = t->ntask && t->ntask <= NAS_DEPTH ? t->base[t->ntask - 1] : 0;
		struct tev ev = {.pc = pc, .addr = e->fut};

		if (e->kind == PEV_ENTRY) {
			uint64_t task = t->ntask ? current_task(t) : t->npoll ? t->poll_task[0] : e->fut;

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
			if (t->npoll)
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
