/* live — see live.h. */
#include "views/live.h"
#include "views/vmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


struct fkey {
	unsigned hart, priv;
	const char *name; /* interned by the analysis */
};
struct fval {
	uint64_t calls, self, total;
};

enum { K_EXC, K_IRQ, K_SBI, K_SYS };
static const char *const kinds[] = {"exception", "interrupt", "sbi", "syscall"};

struct ckey {
	uint8_t kind, priv;
	char name[62]; /* zero-padded: the key is the whole struct */
};

struct lhart {
	struct live_hart h;
	const char *top[TEV_NLEVELS]; /* per level: the function on top of its stack */
};

struct pring {
	struct tasks_poll p[LIVE_POLL_HISTORY];
	unsigned n, next;
};

struct live {
	struct ana *ana;
	struct tasks *tasks;
	const struct ana_names_ops *names;
	void *ctx;
	struct lhart *harts[TEV_MAX_HARTS];
	struct live_totals tot;
	struct vmap *funcs, *counts;
	struct pring *rings;
	size_t nrings;
	int err; /* out of memory inside a listener */
};

static int count(struct live *l, unsigned kind, unsigned priv, const char *name)
{
	struct ckey k;
	memset(&k, 0, sizeof(k));
	k.kind = (uint8_t)kind;
	k.priv = (uint8_t)priv;
	strncpy(k.name, name ? name : "?", sizeof(k.name) - 1);
	uint64_t *n = vmap_get(l->counts, &k, sizeof(k), NULL);
	if (!n)
		return -ENOMEM;
	++*n;
	return 0;
}

static struct lhart *lhart(struct live *l, unsigned id)
{
	if (!l->harts[id]) {
		l->harts[id] = calloc(1, sizeof(struct lhart));
		if (l->harts[id]) {
			l->harts[id]->h.seen = true;
			if (id + 1 > l->tot.harts)
				l->tot.harts = id + 1;
		}
	}
	return l->harts[id];
}

static int on_ana(void *arg, const struct ana_ev *e)
{
	struct live *l = arg;
	struct lhart *h = lhart(l, e->hart);

	if (!h)
		return -ENOMEM;
	switch (e->kind) {
	case ANA_ENTER:
		if (e->priv < TEV_NLEVELS)
			h->top[e->priv] = e->name;
		return 0;
	case ANA_EXIT: {
		if (e->priv < TEV_NLEVELS)
			h->top[e->priv] = e->depth > 1 ? e->stack[e->depth - 2].name : NULL;
		if (e->stack[e->depth - 1].kind != ANA_FRAME_FUNC)
			return 0;
		struct fkey k = {e->hart, e->priv, e->name};
		struct fval *f = vmap_get(l->funcs, &k, sizeof(k), NULL);
		if (!f)
			return -ENOMEM;
		f->calls++;
		f->self += e->self_insns;
		if (!e->stack[e->depth - 1].recursive)
			f->total += e->total_insns;
		return 0;
	}
	case ANA_TRAP: {
		bool irq = e->ev && (e->ev->cause >> 63);
		if (irq) {
			l->tot.interrupts++;
			h->h.interrupts++;
		} else {
			l->tot.exceptions++;
			h->h.exceptions++;
		}
		return count(l, irq ? K_IRQ : K_EXC, e->priv, e->name);
	}
	case ANA_SBI_BEGIN:
		l->tot.sbi++;
		h->h.sbi++;
		return count(l, K_SBI, e->priv, e->name);
	case ANA_SYS_BEGIN:
		l->tot.syscalls++;
		h->h.syscalls++;
		return count(l, K_SYS, e->priv, e->name);
	case ANA_ASYNC:
		return tasks_feed(l->tasks, e->ev);
	default:
		return 0;
	}
}

static void on_poll(void *arg, const struct tasks_poll *p)
{
	struct live *l = arg;

	if (p->task < 0)
		return;
	if ((size_t)p->task >= l->nrings) {
		size_t n = (size_t)p->task + 16;
		struct pring *r = realloc(l->rings, n * sizeof(*r));
		if (!r) {
			l->err = -ENOMEM;
			return;
		}
		memset(r + l->nrings, 0, (n - l->nrings) * sizeof(*r));
		l->rings = r;
		l->nrings = n;
	}
	struct pring *r = &l->rings[p->task];
	r->p[r->next] = *p;
	r->next = (r->next + 1) % LIVE_POLL_HISTORY;
	if (r->n < LIVE_POLL_HISTORY)
		r->n++;
}

static const struct tasks_listener listener = {.poll = on_poll};

struct live *live_new(const struct ana_names_ops *names, void *ctx)
{
	struct live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->names = names;
	l->ctx = ctx;
	l->ana = ana_new(names, ctx, false, on_ana, l);
	l->tasks = tasks_new();
	l->funcs = vmap_new(sizeof(struct fval));
	l->counts = vmap_new(sizeof(uint64_t));
	if (!l->ana || !l->tasks || !l->funcs || !l->counts) {
		live_free(l);
		errno = ENOMEM;
		return NULL;
	}
	tasks_set_listener(l->tasks, &listener, l);
	return l;
}

void live_free(struct live *l)
{
	if (!l)
		return;
	ana_free(l->ana);
	tasks_free(l->tasks);
	vmap_free(l->funcs);
	vmap_free(l->counts);
	for (unsigned i = 0; i < TEV_MAX_HARTS; i++)
		free(l->harts[i]);
	free(l->rings);
	free(l);
}

int live_feed(struct live *l, const struct tev *ev)
{
	struct lhart *h = lhart(l, ev->hart);

	if (!h)
		return -ENOMEM;
	l->tot.events++;
	if (ev->time > l->tot.time)
		l->tot.time = ev->time;
	h->h.events++;
	h->h.priv = ev->type == TEV_TRAP || ev->type == TEV_XRET ? ev->new_priv : ev->priv;
	h->h.instret = ev->instret;
	h->h.time = ev->time;
	switch (ev->type) {
	case TEV_RUN:
	case TEV_CALL:
	case TEV_RET:
	case TEV_TAIL:
	case TEV_TRAP:
	case TEV_XRET:
		/* where the hart goes next: the target of a jump, the handler of a trap */
		h->h.pc = ev->type == TEV_RUN ? ev->pc : ev->addr;
		break;
	default:
		break;
	}
	int rc = ana_feed(l->ana, ev);
	if (!rc && l->err)
		rc = l->err;
	return rc;
}

int live_finish(struct live *l)
{
	int rc = ana_finish(l->ana);
	return rc ? rc : l->err;
}

const struct tasks *live_tasks(const struct live *l)
{
	return l->tasks;
}

struct tasks *live_tasks_mut(struct live *l)
{
	return l->tasks;
}

void live_totals(const struct live *l, struct live_totals *o)
{
	*o = l->tot;
}

int live_hart(const struct live *l, unsigned hart, struct live_hart *o)
{
	const struct lhart *h = hart < TEV_MAX_HARTS ? l->harts[hart] : NULL;

	if (!h)
		return -ENOENT;
	*o = h->h;
	o->func = h->h.priv < TEV_NLEVELS ? h->top[h->h.priv] : NULL;
	return 0;
}

size_t live_nfuncs(const struct live *l)
{
	return vmap_count(l->funcs);
}

int live_func(const struct live *l, size_t i, struct live_func *o)
{
	const void *key;

	if (i >= vmap_count(l->funcs))
		return -ENOENT;
	const struct fval *v = vmap_at(l->funcs, i, &key, NULL);
	const struct fkey *k = key;
	*o = (struct live_func){k->hart, k->priv, k->name, v->calls, v->self, v->total};
	return 0;
}

size_t live_ncounts(const struct live *l)
{
	return vmap_count(l->counts);
}

int live_count(const struct live *l, size_t i, struct live_count *o)
{
	const void *key;

	if (i >= vmap_count(l->counts))
		return -ENOENT;
	const uint64_t *n = vmap_at(l->counts, i, &key, NULL);
	const struct ckey *k = key;
	*o = (struct live_count){kinds[k->kind], k->name, k->priv, *n};
	return 0;
}

int live_task_poll(const struct live *l, int task, unsigned i, struct tasks_poll *o)
{
	if (task < 0 || (size_t)task >= l->nrings || i >= l->rings[task].n)
		return -ENOENT;
	const struct pring *r = &l->rings[task];
	*o = r->p[(r->next + LIVE_POLL_HISTORY - 1 - i) % LIVE_POLL_HISTORY];
	return 0;
}
