/* tracer — see tracer.h. */
#define _GNU_SOURCE
#include "async/tracer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATR_HARTS     8
#define ATR_MAX_CHAIN 32
#define ATR_MAX_TRAPS 8


struct link { /* one future of a task's await chain, as read from memory */
	uint64_t addr, state;
	const struct adisc_future *f;
	uint32_t fi;
	uint8_t depth;
	int parent; /* index of the parent link in its chain (-1: the task itself) */
};

struct dent {
	struct adisc *d;
	int64_t bias;
	bool *described; /* per future: its TEV_FUTURE was emitted */
};

struct hst {
	bool in_poll;
	uint32_t di, fi; /* the task's future */
	long ti;	 /* its index in atr.tasks, or -1 */
	uint64_t task, sp, retptr, satp;
	unsigned priv, trap_at_entry;
	unsigned traps; /* trap nesting (TRAP .. xRET) */
	uint64_t cause[ATR_MAX_TRAPS];
	struct link before[ATR_MAX_CHAIN];
	unsigned nbefore;
};

struct task_seen {
	uint64_t addr, key;
	struct link *chain; /* the await chain at the end of its last poll (n links), or NULL */
	unsigned n;
};

/* Call targets that matter (poll entries, waker functions), hashed by pc: most calls miss on
 * the first probe. */
struct target {
	uint64_t pc;			/* biased; 0: empty slot */
	const struct adisc_future *f;	/* polled from here, or NULL */
	uint32_t di;			/* its discovery */
	int8_t waker;			/* waker function kind, or -1 */
	bool multi;			/* several discoveries know pc: look in each */
};

struct atr {
	struct atr_ops ops;
	void *ctx;
	struct target *targets;
	size_t ntargets, tcap;
	struct dent *dv;
	size_t nd;
	struct hst h[ATR_HARTS];
	struct task_seen *tasks;
	size_t ntasks, captasks;
	uint32_t *hash; /* open addressing over tasks by address: index + 1, 0 empty */
	size_t hcap;
	const uint8_t *ram; /* atr_set_ram: memory read without ops.read when not translated */
	uint64_t ram_base, ram_size;
};

void atr_set_ram(struct atr *a, const uint8_t *ram, uint64_t base, uint64_t size)
{
	a->ram = ram;
	a->ram_base = base;
	a->ram_size = ram ? size : 0;
}

struct atr *atr_new(const struct atr_ops *ops, void *ctx)
{
	struct atr *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ops = *ops;
	a->ctx = ctx;
	return a;
}

static size_t tslot(uint64_t pc, size_t cap)
{
	return (size_t)((pc >> 1) * 0x9e3779b97f4a7c15ull >> 32) & (cap - 1);
}

static inline const struct target *target_find(const struct atr *a, uint64_t pc)
{
	if (!a->tcap)
		return NULL;
	for (size_t k = tslot(pc, a->tcap);; k = (k + 1) & (a->tcap - 1)) {
		const struct target *t = &a->targets[k];
		if (t->pc == pc)
			return t;
		if (!t->pc)
			return NULL;
	}
}

static struct target *target_slot(struct target *tab, size_t cap, uint64_t pc)
{
	size_t k = tslot(pc, cap);

	while (tab[k].pc && tab[k].pc != pc)
		k = (k + 1) & (cap - 1);
	return &tab[k];
}

/* Note that pc (an ELF address of discovery di) is a poll entry or a waker function. */
static int target_add(struct atr *a, uint32_t di, uint64_t elf_pc)
{
	const struct dent *e = &a->dv[di];
	uint64_t pc = elf_pc + (uint64_t)e->bias;
	struct target *t;

	if (!pc)
		return 0;
	if (2 * (a->ntargets + 1) > a->tcap) { /* at most half full */
		size_t cap = a->tcap ? 2 * a->tcap : 256;
		struct target *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return -ENOMEM;
		for (size_t i = 0; i < a->tcap; i++)
			if (a->targets[i].pc)
				*target_slot(tab, cap, a->targets[i].pc) = a->targets[i];
		free(a->targets);
		a->targets = tab;
		a->tcap = cap;
	}
	t = target_slot(a->targets, a->tcap, pc);
	if (t->pc) {
		t->multi |= t->di != di;
		return 0;
	}
	*t = (struct target){.pc = pc,
			     .f = adisc_by_entry(e->d, elf_pc),
			     .di = di,
			     .waker = (int8_t)adisc_waker_fn(e->d, elf_pc)};
	a->ntargets++;
	return 0;
}

int atr_add(struct atr *a, struct adisc *d, int64_t bias)
{
	struct dent *nd = reallocarray(a->dv, a->nd + 1, sizeof(*nd));
	uint32_t di = (uint32_t)a->nd;

	if (!nd)
		return -ENOMEM;
	a->dv = nd;
	nd[di].d = d;
	nd[di].bias = bias;
	nd[di].described = calloc(adisc_nfutures(d) + 1, sizeof(bool));
	if (!nd[di].described)
		return -ENOMEM;
	a->nd++;
	for (size_t i = 0; i < adisc_nfutures(d); i++)
		if (adisc_future(d, i)->entry && target_add(a, di, adisc_future(d, i)->entry) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < adisc_nvtables(d); i++)
		for (int k = 0; k < 4; k++)
			if (adisc_vtable(d, i)->fn[k] && target_add(a, di, adisc_vtable(d, i)->fn[k]) < 0)
				return -ENOMEM;
	return 0;
}

void atr_free(struct atr *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nd; i++) {
		adisc_free(a->dv[i].d);
		free(a->dv[i].described);
	}
	free(a->dv);
	for (size_t i = 0; i < a->ntasks; i++)
		free(a->tasks[i].chain);
	free(a->tasks);
	free(a->hash);
	free(a->targets);
	free(a);
}

/* The description text of a TEV_FUTURE event for f (docs/TRACE-FORMAT.md "Futures"); malloc'd. */
static char *atr_describe(const struct adisc_future *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fprintf(m, "%s %s\ntype %s\n",
		f->kind == ADISC_COROUTINE ? "coroutine" : f->kind == ADISC_GENFUTURE ? "genfuture" : "poll",
		f->name, f->type_name);
	for (unsigned i = 0; i < f->nvariants; i++) {
		const struct adisc_variant *v = &f->variants[i];

		fprintf(m, "variant %llu %s %u %s\n", (unsigned long long)v->discr, v->name, v->line,
			v->file ? v->file : "");
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The pc that keys a future in the trace: its out-of-line entry, else its first inlined copy. */
static uint64_t fkey(const struct dent *e, const struct adisc_future *f)
{
	if (f->entry)
		return f->entry + (uint64_t)e->bias;
	if (f->ninl)
		return f->inl_entry[0] + (uint64_t)e->bias;
	return 0;
}

static void base_ev(struct tev *o, const struct tev *ev, unsigned type)
{
	memset(o, 0, sizeof(*o));
	o->type = (uint8_t)type;
	o->hart = ev->hart;
	o->priv = ev->priv;
	o->instret = ev->instret;
	o->time = ev->time;
}

/* base_ev() without the memset, for the frequent events: the caller sets every other field
 * tev_encode reads for the type. */
static inline void hot_ev(struct tev *o, const struct tev *ev, unsigned type)
{
	o->type = (uint8_t)type;
	o->hart = ev->hart;
	o->priv = ev->priv;
	o->instret = ev->instret;
	o->time = ev->time;
	o->len = 0;
	o->data = NULL;
}

static void describe_new(struct atr *a, struct dent *e, uint32_t fi, const struct tev *ev)
{
	const struct adisc_future *f = adisc_future(e->d, fi);
	struct tev o;
	char *text;

	e->described[fi] = true;
	text = atr_describe(f);
	if (!text)
		return;
	base_ev(&o, ev, TEV_FUTURE);
	o.pc = fkey(e, f);
	o.data = (const uint8_t *)text;
	o.len = (uint32_t)strlen(text);
	a->ops.emit(a->ctx, &o);
	free(text);
}

/* Emit fi's TEV_FUTURE before its first use (called for every link of every poll). */
static inline void describe(struct atr *a, struct dent *e, uint32_t fi, const struct tev *ev)
{
	if (!e->described[fi])
		describe_new(a, e, fi, ev);
}

/* Guest memory as the polling code saw it. Reads happen several times per poll: untranslated
 * RAM (M mode, or satp Bare) is read in place, the rest through ops.read. A hypervisor's guest
 * (VS, VU) is never untranslated: its physical addresses go through the G-stage. */
static inline int rd(const struct atr *a, const struct hst *h, unsigned hart, uint64_t va,
		     void *buf, size_t len)
{
	if ((h->priv == 3 || (!(h->satp >> 60) && !tev_level_virt(h->priv))) &&
	    va - a->ram_base < a->ram_size &&
	    len <= a->ram_size - (va - a->ram_base)) {
		const uint8_t *p = a->ram + (va - a->ram_base);

		switch (len) { /* fixed sizes compile to single loads */
		case 1: memcpy(buf, p, 1); break;
		case 2: memcpy(buf, p, 2); break;
		case 4: memcpy(buf, p, 4); break;
		case 8: memcpy(buf, p, 8); break;
		default: memcpy(buf, p, len); break;
		}
		return 0;
	}
	return a->ops.read(a->ctx, hart, h->satp, h->priv, va, buf, len);
}

static uint64_t read_state(struct atr *a, const struct hst *h, unsigned hart,
			   const struct adisc_future *f, uint64_t addr)
{
	uint64_t v = 0;

	if (f->state_off < 0 || !f->state_size || f->state_size > 8)
		return TEV_STATE_NONE;
	if (rd(a, h, hart, addr + (uint64_t)f->state_off, &v, f->state_size) < 0)
		return TEV_STATE_NONE;
	return v; /* little-endian guest and host */
}

/* Append the await chain below the future fi at addr (pre-order). */
static void walk(struct atr *a, const struct dent *e, const struct hst *h, unsigned hart,
		 uint32_t fi, uint64_t addr, unsigned depth, int parent, struct link *out, unsigned *n)
{
	const struct adisc_future *f = adisc_future(e->d, fi);
	int me = (int)*n;
	struct link *l;

	if (*n >= ATR_MAX_CHAIN || depth > 255 || !f)
		return;
	l = &out[(*n)++];
	l->addr = addr;
	l->f = f;
	l->fi = fi;
	l->depth = (uint8_t)depth;
	l->parent = parent;
	l->state = read_state(a, h, hart, f, addr);
	if (f->state_off >= 0) { /* a coroutine, or a GenFuture around one */
		const struct adisc_variant *v =
		    l->state == TEV_STATE_NONE ? NULL : adisc_variant(f, l->state);

		if (v && v->awaitee_future >= 0 && v->awaitee_off >= 0)
			walk(a, e, h, hart, (uint32_t)v->awaitee_future,
			     addr + (uint64_t)v->awaitee_off, depth + 1, me, out, n);
		return;
	}
	/* a hand-written future polls the futures it holds, unless they are finished */
	for (unsigned k = 0; k < f->nchildren; k++) {
		const struct adisc_child *c = &f->children[k];
		const struct adisc_future *cf = adisc_future(e->d, c->future);
		uint64_t st = read_state(a, h, hart, cf, addr + c->off);

		if (st == ADISC_ST_RETURNED || st == ADISC_ST_PANICKED)
			continue;
		walk(a, e, h, hart, (uint32_t)c->future, addr + c->off, depth + 1, me, out, n);
	}
}

static void emit_poll(struct atr *a, const struct dent *e, const struct tev *ev, unsigned type,
		      const struct link *l, uint64_t task, unsigned kind, uint64_t waker)
{
	const struct adisc_future *f = l->f;
	struct tev o;

	/* the hottest event: only the fields tev_encode reads for POLL/POLL_END */
	hot_ev(&o, ev, type);
	o.pc = fkey(e, f);
	o.addr = l->addr;
	o.task = task;
	o.value = l->state;
	o.size = l->depth;
	o.kind = (uint8_t)(kind | (f->entry ? 0 : TEV_POLL_INLINED));
	o.waker = waker;
	a->ops.emit(a->ctx, &o);
}

static size_t hslot(uint64_t addr, size_t cap)
{
	return (size_t)((addr >> 3) * 0x9e3779b97f4a7c15ull >> 32) & (cap - 1);
}

static int rehash(struct atr *a, size_t cap)
{
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < a->ntasks; i++) {
		size_t k = hslot(a->tasks[i].addr, cap);
		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = (uint32_t)i + 1;
	}
	free(a->hash);
	a->hash = h;
	a->hcap = cap;
	return 0;
}

/* The task (addr, key): its index, *created if first seen; -1 if out of memory. */
static long task_find(struct atr *a, uint64_t addr, uint64_t key, bool *created)
{
	size_t k;

	*created = false;
	if (a->hcap) {
		for (k = hslot(addr, a->hcap); a->hash[k]; k = (k + 1) & (a->hcap - 1)) {
			struct task_seen *t = &a->tasks[a->hash[k] - 1];
			if (t->addr == addr && t->key == key)
				return (long)(a->hash[k] - 1);
		}
	}
	if (a->ntasks == a->captasks) {
		size_t nc = a->captasks ? 2 * a->captasks : 16;
		struct task_seen *t = reallocarray(a->tasks, nc, sizeof(*t));
		if (!t)
			return -1;
		a->tasks = t;
		a->captasks = nc;
	}
	a->tasks[a->ntasks++] = (struct task_seen){addr, key, NULL, 0};
	if (2 * a->ntasks > a->hcap) { /* keep the table at most half full */
		if (rehash(a, a->hcap ? 2 * a->hcap : 64) < 0) {
			a->ntasks--;
			return -1;
		}
	} else {
		for (k = hslot(addr, a->hcap); a->hash[k]; k = (k + 1) & (a->hcap - 1))
			;
		a->hash[k] = (uint32_t)a->ntasks;
	}
	*created = true;
	return (long)a->ntasks - 1;
}

/* The waker data pointer of a Context: *(*(cx + ctx_waker) + waker_raw + raw_data). Returns
 * false when it cannot be read; 0 is a valid data pointer (a task index used as one). */
static bool waker_data(struct atr *a, const struct dent *e, const struct hst *h, unsigned hart,
		       uint64_t cx, uint64_t *data)
{
	const struct adisc_waker_layout *wl = adisc_waker_layout(e->d);
	unsigned ps = adisc_ptr_size(e->d);
	uint64_t w = 0;

	*data = 0;
	if (!cx || wl->ctx_waker < 0 || wl->waker_raw < 0 || wl->raw_data < 0 ||
	    rd(a, h, hart, cx + (uint64_t)wl->ctx_waker, &w, ps) < 0 ||
	    rd(a, h, hart, w + (uint64_t)wl->waker_raw + (uint64_t)wl->raw_data, data, ps) < 0) {
		*data = 0;
		return false;
	}
	return true;
}

static __attribute__((noinline)) void poll_begin(struct atr *a, struct hst *h, uint32_t di,
		       const struct adisc_future *f, const struct tev *ev)
{
	struct dent *e = &a->dv[di];
	unsigned hart = ev->hart, r0 = 10;
	uint64_t self = a->ops.reg(a->ctx, hart, r0 + f->self_arg);
	uint64_t cx = a->ops.reg(a->ctx, hart, r0 + f->self_arg + 1);
	uint32_t fi = (uint32_t)adisc_index(e->d, f);
	struct tev o;

	h->in_poll = true;
	h->di = di;
	h->fi = fi;
	h->task = self;
	h->sp = ev->sp;
	h->satp = ev->satp;
	h->priv = ev->priv;
	h->trap_at_entry = h->traps;
	h->retptr = f->poll.ret == ADISC_RET_PTR ? a->ops.reg(a->ctx, hart, r0) : 0;
	h->nbefore = 0;
	bool created;
	h->ti = task_find(a, self, fkey(e, f), &created);
	/* between two polls only the task's own poll changes its futures' states: the chain left
	 * by the last poll is the chain now, if the task's state says it is the same future */
	struct task_seen *ts = h->ti >= 0 ? &a->tasks[h->ti] : NULL;
	if (ts && ts->n && read_state(a, h, hart, f, self) == ts->chain[0].state) {
		memcpy(h->before, ts->chain, ts->n * sizeof(*ts->chain));
		h->nbefore = ts->n;
	} else {
		walk(a, e, h, hart, fi, self, 0, -1, h->before, &h->nbefore);
	}
	if (created) {
		describe(a, e, fi, ev);
		base_ev(&o, ev, TEV_TASK);
		o.pc = fkey(e, f);
		o.addr = self;
		a->ops.emit(a->ctx, &o);
	}
	for (unsigned i = 0; i < h->nbefore; i++)
		describe(a, e, h->before[i].fi, ev);
	/* the task's own poll carries its waker: the reader turns wakes into wake -> task edges;
	 * the nested futures go into the POLL_END's chain */
	uint64_t wd;
	bool known = waker_data(a, e, h, hart, cx, &wd);
	emit_poll(a, e, ev, TEV_POLL, &h->before[0], self, known ? TEV_POLL_WAKER : 0, wd);
}

static int chain_index(const struct link *c, unsigned n, const struct link *l)
{
	for (unsigned i = 0; i < n; i++)
		if (c[i].addr == l->addr && c[i].fi == l->fi)
			return (int)i;
	return -1;
}

/* One link of the POLL_END chain: futures of the chain at the start (their states before and
 * after; gone = finished, Ready) and those that appeared during the poll (late). */
static size_t put_link(const struct dent *e, uint64_t task, uint64_t tkey, const struct link *l,
		       unsigned parent, uint64_t before, uint64_t after, unsigned result, bool late,
		       uint8_t *buf)
{
	const struct adisc_future *f = l->f;
	struct tev_link k = {.key = fkey(e, f),
			     .addr = l->addr,
			     .before = before,
			     .after = after,
			     .parent = parent,
			     .depth = l->depth,
			     .result = (uint8_t)result,
			     .inlined = !f->entry,
			     .late = late};

	return tev_link_put(buf, task, tkey, &k);
}

static __attribute__((noinline)) void poll_end(struct atr *a, struct hst *h, const struct tev *ev)
{
	struct dent *e = &a->dv[h->di];
	const struct adisc_future *f = adisc_future(e->d, h->fi);
	struct link after[ATR_MAX_CHAIN];
	unsigned nafter = 0, hart = ev->hart;
	int pending = -1;
	uint8_t chain[2 * ATR_MAX_CHAIN * TEV_LINK_MAX];
	size_t len = 0;
	int out_of[ATR_MAX_CHAIN]; /* after[i] -> link number in the chain (1-based; 0 task) */
	uint64_t tkey = fkey(e, f);
	struct tev o;

	h->in_poll = false;
	walk(a, e, h, hart, h->fi, h->task, 0, -1, after, &nafter);
	if (h->ti >= 0) {
		struct task_seen *ts = &a->tasks[h->ti];
		if (!ts->chain)
			ts->chain = malloc(ATR_MAX_CHAIN * sizeof(*ts->chain));
		if (ts->chain) {
			memcpy(ts->chain, after, nafter * sizeof(*after));
			ts->n = nafter;
		}
	}
	if (f->poll.ret == ADISC_RET_REGS) {
		uint64_t regs[2] = {a->ops.reg(a->ctx, hart, 10), a->ops.reg(a->ctx, hart, 11)};
		pending = adisc_poll_pending(&f->poll, regs, NULL);
	} else if (f->poll.size <= 4096) {
		uint8_t buf[4096];
		if (rd(a, h, hart, h->retptr, buf, f->poll.size) == 0)
			pending = adisc_poll_pending(&f->poll, NULL, buf);
	}
	/* links 1..nbefore-1: the chain at the start, in its order (parents first) */
	for (unsigned i = 0; i < nafter; i++)
		out_of[i] = 0;
	for (unsigned i = 1; i < h->nbefore; i++) {
		const struct link *l = &h->before[i];
		const struct adisc_future *lf = l->f;
		int j = chain_index(after, nafter, l);
		uint64_t st = j >= 0 ? after[j].state
				     : lf->state_off >= 0 ? ADISC_ST_RETURNED : TEV_STATE_NONE;
		unsigned res = j < 0 || st == ADISC_ST_RETURNED ? TEV_READY : TEV_PENDING;

		if (j >= 0)
			out_of[j] = (int)i;
		len += put_link(e, h->task, tkey, l, l->parent <= 0 ? 0 : (unsigned)l->parent, l->state,
				st, res, false, chain + len);
	}
	/* then the futures created in this poll; their parents are earlier links */
	unsigned next = h->nbefore ? h->nbefore : 1;
	for (unsigned i = 1; i < nafter; i++) {
		const struct link *l = &after[i];
		const struct adisc_future *lf = l->f;

		if (out_of[i])
			continue;
		describe(a, e, l->fi, ev);
		out_of[i] = (int)next++;
		len += put_link(e, h->task, tkey, l,
				l->parent <= 0 ? 0 : (unsigned)out_of[l->parent], 
				lf->state_off >= 0 ? ADISC_ST_UNRESUMED : TEV_STATE_NONE, l->state,
				l->state == ADISC_ST_RETURNED ? TEV_READY : TEV_PENDING, true, chain + len);
	}
	o.type = TEV_POLL_END;
	o.hart = ev->hart;
	o.priv = ev->priv;
	o.instret = ev->instret;
	o.time = ev->time;
	o.pc = tkey;
	o.addr = h->task;
	o.task = h->task;
	o.value = after[0].state;
	o.size = 0;
	o.kind = (uint8_t)((pending < 0 ? TEV_RESULT_UNKNOWN : pending ? TEV_PENDING : TEV_READY) |
			   (f->entry ? 0 : TEV_POLL_INLINED) | (len ? TEV_POLL_CHAIN : 0));
	o.waker = 0;
	o.data = len ? chain : NULL;
	o.len = (uint32_t)len;
	a->ops.emit(a->ctx, &o);
}

static __attribute__((noinline)) void wake(struct atr *a, struct hst *h, const struct tev *ev, int kind)
{
	bool trapped = h->traps > (h->in_poll ? h->trap_at_entry : 0);
	struct tev o;

	/* frequent (executors drop a waker per poll) */
	hot_ev(&o, ev, TEV_WAKE);
	o.pc = ev->addr;
	o.kind = (uint8_t)kind;
	o.addr = a->ops.reg(a->ctx, ev->hart, 10);
	o.task = h->in_poll ? h->task : 0;
	o.size = trapped;
	o.cause = trapped ? h->cause[(h->traps - 1) % ATR_MAX_TRAPS] : 0;
	a->ops.emit(a->ctx, &o);
}

/* A call of target t: a waker function, or a poll that may start a task poll. */
static __attribute__((noinline)) void on_call(struct atr *a, struct hst *h,
					       const struct target *t, const struct tev *ev)
{
	if (!t->multi) {
		if (t->waker >= 0)
			wake(a, h, ev, t->waker);
		else if (t->f && !h->in_poll)
			poll_begin(a, h, t->di, t->f, ev);
		return;
	}
	/* several binaries know this pc: the first that makes something of it wins */
	for (size_t di = 0; di < a->nd; di++) {
		struct dent *e = &a->dv[di];
		uint64_t pc = ev->addr - (uint64_t)e->bias;
		int k = adisc_waker_fn(e->d, pc);

		if (k >= 0) {
			wake(a, h, ev, k);
			return;
		}
		if (!h->in_poll) {
			const struct adisc_future *f = adisc_by_entry(e->d, pc);

			if (f) {
				poll_begin(a, h, (uint32_t)di, f, ev);
				return;
			}
		}
	}
}

/* Called for every call and return of the run: the common case (a call that is no target, a
 * return with no task poll open) is a hash probe or one flag test. */
void atr_observe(void *ctx, const struct tev *ev)
{
	struct atr *a = ctx;
	struct hst *h;
	const struct target *t;

	if (ev->hart >= ATR_HARTS)
		return;
	h = &a->h[ev->hart];
	switch (ev->type) {
	case TEV_CALL:
	case TEV_TAIL:
		if ((t = target_find(a, ev->addr)))
			on_call(a, h, t, ev);
		break;
	case TEV_RET:
		if (h->in_poll && ev->sp >= h->sp && h->traps == h->trap_at_entry)
			poll_end(a, h, ev);
		break;
	case TEV_TRAP:
		h->cause[h->traps % ATR_MAX_TRAPS] = ev->cause;
		h->traps++;
		break;
	case TEV_XRET:
		if (h->traps)
			h->traps--;
		break;
	default:
		break;
	}
}

void *atr_ctx(const struct atr *a)
{
	return a->ctx;
}
