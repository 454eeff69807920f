/* abrk — see abrk.h. */
#define _GNU_SOURCE
#include "gdb/abrk.h"
#include "async/emu.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "gdb/target.h"
#include "machine/machine.h"
#include "views/tasks.h"
#include "views/tasks_check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONDS 16

enum cond_kind { C_POLL, C_PENDING, C_READY, C_WAKE, C_LOST, C_POLLS };

static const char *const kind_names[] = {"poll", "pending", "ready", "wake", "lost-wake", "polls"};

struct cond {
	enum cond_kind kind;
	int task;      /* poll/wake: a task id, or -1 */
	char name[96]; /* poll/pending/ready: part of a future's name, or "" */
	uint64_t n;    /* polls */
};

/* An async event as the run made it, at instruction count insns (all harts). */
struct logged {
	uint64_t insns;
	struct tev ev; /* ev.data: a copy */
};

struct gdb_abrk {
	struct tasks *tasks; /* the picture so far, from every async event since attaching */
	struct cond c[MAX_CONDS];
	unsigned nc;
	bool hit; /* a stop was asked for and its note not taken yet */
	char note[480];
	/* every event since attaching, once (a stretch run again after going back is muted and
	 * makes none): reverse-continue looks for the last hit in it */
	struct logged *log;
	size_t nlog, caplog;
	bool scanning; /* going through the log: a hit is noted, nothing stops */
	struct abrk_hit {
		bool have;
		uint64_t insns;
		unsigned hart;
		char why[96];
		char note[480];
	} last, rev; /* scanning: the latest hit; the one a reverse stop reports */
	uint64_t scan_insns, log_bytes;
};

static struct gdb_abrk *abrk_of(const struct gdb_target *t)
{
	return t->abrk;
}

void gdb_abrk_free(struct gdb_abrk *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nlog; i++)
		free((void *)a->log[i].ev.data);
	free(a->log);
	tasks_free(a->tasks);
	free(a);
}

static const char *fname(const struct tasks *ts, uint64_t key, char *buf, size_t n)
{
	const char *s = tasks_future_name(ts, key);

	if (s)
		return s;
	snprintf(buf, n, "0x%" PRIx64, key);
	return buf;
}

static bool name_match(const struct tasks *ts, uint64_t key, const char *want)
{
	const char *s = tasks_future_name(ts, key), *ty = tasks_future_type(ts, key);

	return (s && strstr(s, want)) || (ty && strstr(ty, want));
}

/* The note: what hit, then task id's await tree with each future's polls. */
static void hit(struct gdb_target *t, unsigned hart, int id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void hit(struct gdb_target *t, unsigned hart, int id, const char *fmt, ...)
{
	struct gdb_abrk *a = abrk_of(t);
	char why[96], b[32];
	int depth[64], parent;
	uint64_t key, polls;
	size_t len = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	a->note[0] = 0;
	if (id >= 0)
		len = (size_t)snprintf(a->note, sizeof(a->note), "await tree of task %d:\n", id);
	for (size_t i = 0; id >= 0 && i < 64 && len < sizeof(a->note) &&
			   tasks_tree_node(a->tasks, id, i, &parent, &key, &polls) == 0;
	     i++) {
		depth[i] = parent >= 0 && parent < (int)i ? depth[parent] + 1 : 0;
		len += (size_t)snprintf(a->note + len, sizeof(a->note) - len,
					"  %*s%s  %" PRIu64 " poll%s\n", 2 * depth[i], "",
					fname(a->tasks, key, b, sizeof(b)), polls,
					polls == 1 ? "" : "s");
	}
	a->hit = true;
	if (a->scanning) { /* a reverse-continue's look back: note it */
		a->last.have = true;
		a->last.insns = a->scan_insns;
		a->last.hart = hart;
		snprintf(a->last.why, sizeof(a->last.why), "%s", why);
		snprintf(a->last.note, sizeof(a->last.note), "%s", a->note);
		return;
	}
	if (hart < t->nharts)
		hart_debug_event_stop(cpu_hart(t->cpu, hart), why);
}

static void on_poll(struct gdb_target *t, struct gdb_abrk *a, const struct tev *ev)
{
	int id = tasks_by_addr(a->tasks, ev->task);
	bool top = ev->size == 0; /* the task's own poll, not a nested future's */
	struct tasks_info in = {0};
	char b[32];

	if (id >= 0)
		tasks_info(a->tasks, id, &in);
	for (unsigned i = 0; i < a->nc && !a->hit; i++) {
		const struct cond *c = &a->c[i];
		if (c->kind == C_POLL && top && c->task >= 0 && c->task == id)
			hit(t, ev->hart, id, "async: poll %" PRIu64 " of task %d, %s", in.polls + 1,
			    id, fname(a->tasks, ev->pc, b, sizeof(b)));
		else if (c->kind == C_POLL && c->name[0] && name_match(a->tasks, ev->pc, c->name))
			hit(t, ev->hart, id, "async: poll of %s in task %d",
			    fname(a->tasks, ev->pc, b, sizeof(b)), id);
		else if (c->kind == C_POLLS && top && id >= 0 && in.polls + 1 == c->n)
			hit(t, ev->hart, id, "async: poll %" PRIu64 " of task %d, %s", c->n, id,
			    fname(a->tasks, ev->pc, b, sizeof(b)));
	}
}

static bool is_lost(const struct tasks *ts, int id)
{
	struct tchk_lost l;

	for (size_t i = 0; tchk_lost(tasks_check(ts), i, &l) == 0; i++)
		if (l.task == id)
			return true;
	return false;
}

static void on_poll_end(struct gdb_target *t, struct gdb_abrk *a, const struct tev *ev)
{
	int id = tasks_by_addr(a->tasks, ev->task);
	unsigned res = ev->kind & 3;
	char b[32];

	if (ev->size != 0 || id < 0)
		return;
	for (unsigned i = 0; i < a->nc && !a->hit; i++) {
		const struct cond *c = &a->c[i];
		if (c->kind == C_LOST && res == TEV_PENDING && is_lost(a->tasks, id)) {
			hit(t, ev->hart, id, "async: task %d Pending, no waker cloned or woken",
			    id);
			continue;
		}
		if (c->kind != C_PENDING && c->kind != C_READY)
			continue;
		unsigned want = c->kind == C_PENDING ? TEV_PENDING : TEV_READY;
		uint64_t key = 0;
		if (res == want && name_match(a->tasks, ev->pc, c->name))
			key = ev->pc;
		if (!key && (ev->kind & TEV_POLL_CHAIN)) {
			struct tev_link l;
			size_t off = 0;
			while (tev_link_next(ev, &off, &l) == 1)
				if (l.result == want && name_match(a->tasks, l.key, c->name)) {
					key = l.key;
					break;
				}
		}
		if (key)
			hit(t, ev->hart, id, "async: %s %s in task %d",
			    fname(a->tasks, key, b, sizeof(b)), kind_names[c->kind], id);
	}
}

/* Keep ev in the log (the picture at any earlier point is rebuilt from it). */
static void log_event(struct gdb_target *t, struct gdb_abrk *a, const struct tev *ev)
{
	struct logged *l;

	if (a->nlog == a->caplog) {
		size_t nc = a->caplog ? 2 * a->caplog : 1024;
		if (!(l = realloc(a->log, nc * sizeof(*l))))
			return;
		a->log = l;
		a->caplog = nc;
	}
	l = &a->log[a->nlog];
	l->insns = machine_insns_now(t->m);
	l->ev = *ev;
	if (ev->len && ev->data) {
		uint8_t *d = malloc(ev->len);
		if (!d)
			return;
		memcpy(d, ev->data, ev->len);
		l->ev.data = d;
	} else {
		l->ev.data = NULL;
		l->ev.len = 0;
	}
	a->log_bytes += sizeof(*l) + l->ev.len;
	a->nlog++;
}

/* The conditions on one event, with a->tasks the picture before it. */
static void judge(struct gdb_target *t, struct gdb_abrk *a, const struct tev *ev)
{
	if (tasks_feed(a->tasks, ev) < 0 || !a->nc || a->hit)
		return;
	if (ev->type == TEV_POLL)
		on_poll(t, a, ev);
	else if (ev->type == TEV_POLL_END)
		on_poll_end(t, a, ev);
	else if (ev->type == TEV_WAKE && ev->kind != TEV_WAKE_CLONE && ev->kind != TEV_WAKE_DROP) {
		int to = tasks_by_waker(a->tasks, ev->addr);
		for (unsigned i = 0; i < a->nc && !a->hit; i++)
			if (a->c[i].kind == C_WAKE && a->c[i].task == to && to >= 0)
				hit(t, ev->hart, to, "async: wake of task %d (%s)", to,
				    ev->task && tasks_by_addr(a->tasks, ev->task) >= 0 ? "by a task"
				    : ev->size ? "by a trap handler"
					       : "outside any task");
	}
}

static void tap(void *arg, const struct tev *ev)
{
	struct gdb_target *t = arg;
	struct gdb_abrk *a = abrk_of(t);

	log_event(t, a, ev);
	judge(t, a, ev);
}

/* The conditions again on the logged events, on a picture rebuilt from the start, as they were
 * when the run made them: the last hit before `before`, or (first) the first at or after `from`
 * and before `before`. 0 and *insns (the event's count), or -ENOENT / -ENOMEM. */
static int scan_log(struct gdb_target *t, uint64_t from, uint64_t before, bool first,
		    uint64_t *insns)
{
	struct gdb_abrk *a = abrk_of(t);
	struct tasks *live;
	bool was_hit;

	if (!a || !a->nc)
		return -ENOENT;
	live = a->tasks;
	if (!(a->tasks = tasks_new())) {
		a->tasks = live;
		return -ENOMEM;
	}
	was_hit = a->hit;
	a->hit = false;
	a->scanning = true;
	a->last.have = false;
	for (size_t i = 0; i < a->nlog && a->log[i].insns < before; i++) {
		bool had = a->last.have;
		uint64_t at = a->last.insns;

		a->scan_insns = a->log[i].insns;
		judge(t, a, &a->log[i].ev);
		a->hit = false;
		if (a->last.have && a->last.insns < from) /* before the window: not a hit */
			a->last.have = had, a->last.insns = at;
		if (first && a->last.have)
			break;
	}
	a->scanning = false;
	a->hit = was_hit;
	tasks_free(a->tasks);
	a->tasks = live;
	if (!a->last.have)
		return -ENOENT;
	a->rev = a->last;
	*insns = a->last.insns;
	return 0;
}

int gdb_abrk_last_before(struct gdb_target *t, uint64_t before, uint64_t *insns)
{
	return scan_log(t, 0, before, false, insns);
}

int gdb_abrk_next_logged(struct gdb_target *t, uint64_t from, uint64_t *insns)
{
	return scan_log(t, from, UINT64_MAX, true, insns);
}

unsigned gdb_abrk_rev_note(struct gdb_target *t, char *buf, size_t n)
{
	struct gdb_abrk *a = abrk_of(t);

	if (buf && n)
		snprintf(buf, n, "strata: hart %u stopped: %s\n%s", a->rev.hart, a->rev.why,
			 a->rev.note);
	return a->rev.hart;
}

int gdb_abrk_attach(struct gdb_target *t)
{
	if (t->abrk)
		return 0;
	struct gdb_abrk *a = calloc(1, sizeof(*a));
	if (!a || !(a->tasks = tasks_new())) {
		free(a);
		return -ENOMEM;
	}
	t->abrk = a;
	int rc = aemu_set_tap(t->rec, tap, t);
	if (rc < 0) {
		t->abrk = NULL;
		gdb_abrk_free(a);
	}
	return rc;
}

int gdb_abrk_add(struct gdb_target *t, const char *what, const char *arg, char *msg, size_t n)
{
	struct cond c = {.task = -1};
	unsigned k;
	char *end;

	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (!strcmp(what, kind_names[k]))
			break;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return -ENOENT;
	c.kind = (enum cond_kind)k;
	if ((c.kind == C_LOST) != !arg || (arg && strlen(arg) >= sizeof(c.name))) {
		snprintf(msg, n, "usage: monitor break-on %s%s\n", what,
			 c.kind == C_LOST    ? ""
			 : c.kind == C_POLL  ? " TASK|FUTURE"
			 : c.kind == C_WAKE  ? " TASK"
			 : c.kind == C_POLLS ? " N"
					     : " FUTURE");
		return -EINVAL;
	}
	if (arg) {
		unsigned long long v = strtoull(arg, &end, 0);
		bool num = *arg >= '0' && *arg <= '9' && !*end;
		if ((c.kind == C_WAKE || c.kind == C_POLLS) &&
		    (!num || v > INT32_MAX || (c.kind == C_POLLS && !v))) {
			snprintf(msg, n, "monitor break-on %s: '%s' is not a %s\n", what, arg,
				 c.kind == C_WAKE ? "task number" : "count from 1");
			return -EINVAL;
		}
		if (num && (c.kind == C_POLL || c.kind == C_WAKE))
			c.task = (int)v;
		else if (c.kind == C_POLLS)
			c.n = v;
		else
			strcpy(c.name, arg);
	}
	if (gdb_abrk_attach(t) < 0) {
		snprintf(msg, n,
			 "monitor break-on %s: no async tracer (run with --trace=async and "
			 "--sym or -kernel ELFs that have Rust async code)\n",
			 what);
		return -ENOENT;
	}
	struct gdb_abrk *a = abrk_of(t);
	if (a->nc == MAX_CONDS) {
		snprintf(msg, n, "monitor break-on %s: at most %d async conditions\n", what,
			 MAX_CONDS);
		return -EINVAL;
	}
	a->c[a->nc++] = c;
	return 0;
}

void gdb_abrk_clear(struct gdb_target *t)
{
	if (t->abrk) {
		t->abrk->nc = 0;
		t->abrk->hit = false;
	}
}

void gdb_abrk_describe(const struct gdb_target *t, char *buf, size_t n)
{
	const struct gdb_abrk *a = abrk_of(t);
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 0; a && i < a->nc && len < n; i++) {
		const struct cond *c = &a->c[i];
		len += (size_t)snprintf(buf + len, n - len, " %s", kind_names[c->kind]);
		if (len >= n)
			break;
		if (c->kind == C_POLLS)
			len += (size_t)snprintf(buf + len, n - len, " %" PRIu64, c->n);
		else if (c->task >= 0)
			len += (size_t)snprintf(buf + len, n - len, " %d", c->task);
		else if (c->name[0])
			len += (size_t)snprintf(buf + len, n - len, " %s", c->name);
	}
}

bool gdb_abrk_note(struct gdb_target *t, char *buf, size_t n)
{
	struct gdb_abrk *a = abrk_of(t);

	if (!a || !a->hit)
		return false;
	a->hit = false;
	snprintf(buf, n, "%s", a->note);
	return true;
}
