/* picture — async task pictures from memory at a stop (picture.h). Reads only through the
 * caller's memory callback, so a guest value can at worst make a read fail. */
#include "async/picture.h"
#include "async/discover_impl.h"
#include "util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TASKS   64
#define MAX_NODES   64 /* per await tree */
#define MAX_DEPTH   32
#define MAX_VTCACHE 64
#define CHUNK	    1024 /* stack bytes per read: attach's m packets take up to 1024 */

struct span { /* a symbol file's data section: where a dyn Future vtable may be */
	uint64_t lo, hi;
	struct adisc *d;
};

struct apic {
	char **paths;
	unsigned npaths;
	bool opened;
	struct adisc **d;
	unsigned nd;
	struct span *spans;
	size_t nspans;
	char why[400]; /* why no file has async code */
};

struct out {
	char *buf;
	size_t size, used;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->size < 8 || o->used >= o->size - 5)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->size - 5 - o->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= o->size - 5 - o->used) { /* full: say so rather than cut a line */
		o->used = o->size - 5;
		memcpy(o->buf + o->used, "...\n", 5);
		o->used = o->size;
		return;
	}
	o->used += (size_t)n;
}

struct apic *apic_new(void)
{
	return calloc(1, sizeof(struct apic));
}

void apic_free(struct apic *pc)
{
	if (!pc)
		return;
	for (unsigned i = 0; i < pc->npaths; i++)
		free(pc->paths[i]);
	for (unsigned i = 0; i < pc->nd; i++)
		adisc_free(pc->d[i]);
	free(pc->paths);
	free(pc->d);
	free(pc->spans);
	free(pc);
}

int apic_add(struct apic *pc, const char *path)
{
	char **p = reallocarray(pc->paths, pc->npaths + 1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pc->paths = p;
	if (!(p[pc->npaths] = strdup(path)))
		return -ENOMEM;
	pc->npaths++;
	return 0;
}

static int add_spans(struct apic *pc, struct adisc *d)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(d->elf, scn))) {
		GElf_Shdr sh;
		struct span *s;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC) || (sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size)
			continue;
		s = reallocarray(pc->spans, pc->nspans + 1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		pc->spans = s;
		s[pc->nspans++] = (struct span){sh.sh_addr, sh.sh_addr + sh.sh_size, d};
	}
	return 0;
}

/* Discover every file once; those without async code are left out (why says which). */
static int open_all(struct apic *pc)
{
	size_t wl = 0;

	if (pc->opened)
		return 0;
	pc->opened = true;
	if (!(pc->d = calloc(pc->npaths + 1, sizeof(*pc->d))))
		return -ENOMEM;
	for (unsigned i = 0; i < pc->npaths; i++) {
		struct adisc *d = adisc_open(pc->paths[i]);
		const char *why = NULL;
		char buf[300];

		if (!d && errno == ENOMEM)
			return -ENOMEM;
		if (!d) {
			why = err_msg() ? err_msg() : pc->paths[i];
		} else if (!adisc_nfutures(d)) {
			snprintf(buf, sizeof(buf), "%s: no Rust async code in its DWARF",
				 pc->paths[i]);
			why = buf;
			adisc_free(d);
			d = NULL;
		}
		if (why) {
			if (wl < sizeof(pc->why))
				wl += (size_t)snprintf(pc->why + wl, sizeof(pc->why) - wl, "%s%s",
						       wl ? "; " : "", why);
			continue;
		}
		pc->d[pc->nd++] = d;
		if (add_spans(pc, d) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Say why there is no picture at all, or return false. */
static bool no_async(struct apic *pc, struct out *o, const char *cmd)
{
	if (pc->nd)
		return false;
	if (!pc->npaths)
		say(o, "monitor %s: no symbol files (give the program's ELF with --sym)\n", cmd);
	else
		say(o, "monitor %s: no Rust async code in the symbol files (%s)\n", cmd, pc->why);
	return true;
}

static uint64_t word(const uint8_t *p, unsigned ps)
{
	uint64_t v = 0;

	memcpy(&v, p, ps); /* little-endian target and host */
	return v;
}

static const char *fname(const struct adisc_future *f)
{
	/* as strata tasks names them: a coroutine by its body, a hand-written future by its type */
	return f->kind == ADISC_POLL_FN ? f->type_name : f->name;
}

/* The __state of the coroutine f at addr: 0 and *st, or -EFAULT (unreadable) / -EINVAL (f
 * has no __state). */
static int read_state(const struct apic_mem *m, const struct adisc_future *f, uint64_t addr,
		      uint64_t *st)
{
	*st = 0;
	if (f->state_off < 0 || !f->state_size || f->state_size > 8)
		return -EINVAL;
	if (m->read(m->ctx, addr + (uint64_t)f->state_off, st, f->state_size) < 0)
		return -EFAULT;
	return 0;
}

/* Whether addr may hold a future of kind f: its state is one of f's (coroutines) or, for a
 * hand-written future, its first byte is readable. */
static bool plausible(const struct apic_mem *m, const struct adisc_future *f, uint64_t addr)
{
	uint64_t st;
	uint8_t b;

	if (f->state_off < 0)
		return m->read(m->ctx, addr, &b, 1) == 0;
	return read_state(m, f, addr, &st) == 0 && adisc_variant(f, st);
}

struct task {
	uint64_t slot; /* where the fat pointer is */
	uint64_t addr; /* the future */
	struct adisc *d;
	const struct adisc_future *f;
};

struct vtc { /* a vtable looked at: its future kind, or f NULL when it is none */
	uint64_t vt;
	struct adisc *d;
	const struct adisc_future *f;
	uint64_t align;
};

static const struct vtc *vtable(struct apic *pc, const struct apic_mem *m, uint64_t vt, unsigned ps,
				struct vtc *cache, unsigned *nc)
{
	struct adisc *d = NULL;
	uint8_t w[32];
	struct vtc *c;

	for (unsigned i = 0; i < *nc; i++)
		if (cache[i].vt == vt)
			return &cache[i];
	for (size_t i = 0; i < pc->nspans && !d; i++)
		if (vt >= pc->spans[i].lo && vt < pc->spans[i].hi && !(vt % ps))
			d = pc->spans[i].d;
	if (!d)
		return NULL;
	if (*nc == MAX_VTCACHE)
		*nc = 0; /* more vtables than a stack holds tasks: start over */
	c = &cache[(*nc)++];
	*c = (struct vtc){.vt = vt};
	/* a dyn Trait vtable: drop_in_place, size, align, then the methods (Future::poll) */
	if (m->read(m->ctx, vt, w, 4 * ps) < 0)
		return c;
	uint64_t size = word(w + ps, ps), align = word(w + 2 * ps, ps), poll = word(w + 3 * ps, ps);
	const struct adisc_future *f = adisc_by_entry(d, poll);

	if (!f || !align || (align & (align - 1)) || align > 4096 || (f->size && f->size != size))
		return c;
	c->d = d;
	c->f = f;
	c->align = align;
	return c;
}

/* The tasks: dyn Future fat pointers on the stack above sp, the longest run of them first. */
static int find_tasks(struct apic *pc, const struct apic_mem *m, uint64_t sp, struct task *t,
		      unsigned *nt)
{
	unsigned ps = adisc_ptr_size(pc->d[0]) == 4 ? 4 : 8;
	struct vtc cache[MAX_VTCACHE];
	struct task cand[MAX_TASKS];
	unsigned nc = 0, ncand = 0, best = 0, best_len = 0;
	size_t len = 0;
	uint8_t *stk = malloc(APIC_STACK_SCAN);

	if (!stk)
		return -ENOMEM;
	sp &= ~(uint64_t)(ps - 1);
	while (len < APIC_STACK_SCAN && m->read(m->ctx, sp + len, stk + len, CHUNK) == 0)
		len += CHUNK;
	for (size_t i = 0; i + 2 * ps <= len && ncand < MAX_TASKS; i += ps) {
		uint64_t data = word(stk + i, ps);
		const struct vtc *v = vtable(pc, m, word(stk + i + ps, ps), ps, cache, &nc);

		if (!v || !v->f || !data || data % v->align || !plausible(m, v->f, data))
			continue;
		cand[ncand++] = (struct task){sp + i, data, v->d, v->f};
	}
	free(stk);
	/* the longest run of adjacent pointers is the executor's array (the later one on a tie:
	 * the outer frame, where it was built) */
	for (unsigned i = 0, run = 1; i < ncand; i++, run++) {
		if (i && cand[i].slot != cand[i - 1].slot + 2 * ps)
			run = 1;
		if (run >= best_len) {
			best_len = run;
			best = i + 1 - run;
		}
	}
	*nt = 0;
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < ncand; i++) {
			bool in_run = i >= best && i < best + best_len, dup = false;

			if (in_run != (pass == 0))
				continue;
			for (unsigned k = 0; k < *nt; k++)
				dup |= t[k].addr == cand[i].addr && t[k].f == cand[i].f;
			if (!dup)
				t[(*nt)++] = cand[i];
		}
	return 0;
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/* One node and, below it, what it awaits: a coroutine in SuspendN its __awaitee, a
 * hand-written future its unfinished future-typed fields (as the tracer walks them). */
static void tree(struct out *o, const struct apic_mem *m, const struct adisc *d,
		 const struct adisc_future *f, uint64_t addr, unsigned depth, unsigned *nodes)
{
	const struct adisc_variant *v = NULL;
	uint64_t st;
	int rc;

	if (*nodes >= MAX_NODES || depth > MAX_DEPTH) {
		if (*nodes == MAX_NODES)
			say(o, "%*s(deeper futures not shown)\n", 2 * (depth + 1), "");
		(*nodes)++;
		return;
	}
	(*nodes)++;
	say(o, "%*s%s  ? polls", 2 * (depth + 1), "", fname(f));
	if (f->state_off >= 0) {
		rc = read_state(m, f, addr, &st);
		v = rc == 0 ? adisc_variant(f, st) : NULL;
		if (rc < 0)
			say(o, "  state unreadable");
		else if (!v)
			say(o, "  state %" PRIu64 " (none of its states)", st);
		else if (v->file)
			say(o, "  %s %s:%u", v->name, base(v->file), v->line);
		else
			say(o, "  %s", v->name);
	}
	say(o, "  0x%" PRIx64 "\n", addr);
	if (f->state_off >= 0) {
		if (v && v->awaitee_future >= 0 && v->awaitee_off >= 0)
			tree(o, m, d, adisc_future(d, (size_t)v->awaitee_future),
			     addr + (uint64_t)v->awaitee_off, depth + 1, nodes);
		return;
	}
	for (unsigned k = 0; k < f->nchildren; k++) {
		const struct adisc_child *c = &f->children[k];
		const struct adisc_future *cf = adisc_future(d, c->future);

		if (!cf || (read_state(m, cf, addr + c->off, &st) == 0 &&
			    (st == ADISC_ST_RETURNED || st == ADISC_ST_PANICKED)))
			continue;
		tree(o, m, d, cf, addr + c->off, depth + 1, nodes);
	}
}

int apic_tasks(struct apic *pc, const struct apic_mem *m, uint64_t sp, char *out, size_t size)
{
	struct out o = {out, size, 0};
	struct task t[MAX_TASKS];
	unsigned nt = 0;
	int rc;

	if (size)
		out[0] = 0;
	if ((rc = open_all(pc)) < 0)
		return rc;
	if (no_async(pc, &o, "tasks"))
		return 0;
	if ((rc = find_tasks(pc, m, sp, t, &nt)) < 0)
		return rc;
	if (!nt) {
		say(&o,
		    "monitor tasks: no dyn Future pointers on the stack above sp 0x%" PRIx64
		    " (an executor that keeps its tasks elsewhere: monitor await ADDR NAME)\n",
		    sp);
		return 0;
	}
	say(&o,
	    "%u task%s (dyn Future pointers on the stack above sp 0x%" PRIx64
	    "), read from memory: poll counts need --trace=async\n",
	    nt, nt == 1 ? "" : "s", sp);
	for (unsigned i = 0; i < nt; i++) {
		unsigned nodes = 0;

		say(&o, "await tree of task %u:\n", i);
		tree(&o, m, t[i].d, t[i].f, t[i].addr, 0, &nodes);
	}
	return 0;
}

/* The kind of the future at addr as a task or an awaited future found from sp (the outermost
 * where futures share an address), or NULL. */
static const struct adisc_future *kind_at(struct apic *pc, const struct apic_mem *m, uint64_t sp,
					  uint64_t addr, struct adisc **dp)
{
	struct task t[MAX_TASKS];
	unsigned nt = 0;

	if (find_tasks(pc, m, sp, t, &nt) < 0)
		return NULL;
	/* tasks first: a zero-sized future at the end of one task has the next task's address */
	for (unsigned i = 0; i < nt; i++)
		if (t[i].addr == addr) {
			*dp = t[i].d;
			return t[i].f;
		}
	for (unsigned i = 0; i < nt; i++) {
		const struct adisc_future *f = t[i].f;
		uint64_t a = t[i].addr, st;

		/* the task, then down its await chain (the first child of each node) */
		for (unsigned depth = 0; f && depth <= MAX_DEPTH; depth++) {
			const struct adisc_variant *v;

			if (a == addr) {
				*dp = t[i].d;
				return f;
			}
			if (f->state_off < 0) {
				for (unsigned k = 0; k < f->nchildren; k++)
					if (a + f->children[k].off == addr) {
						*dp = t[i].d;
						return adisc_future(t[i].d, f->children[k].future);
					}
				break;
			}
			if (read_state(m, f, a, &st) < 0 || !(v = adisc_variant(f, st)) ||
			    v->awaitee_future < 0 || v->awaitee_off < 0)
				break;
			a += (uint64_t)v->awaitee_off;
			f = adisc_future(t[i].d, (size_t)v->awaitee_future);
		}
	}
	return NULL;
}

static const struct adisc_future *kind_named(struct apic *pc, const char *name, struct adisc **dp)
{
	for (unsigned i = 0; i < pc->nd; i++)
		for (size_t k = 0; k < adisc_nfutures(pc->d[i]); k++) {
			const struct adisc_future *f = adisc_future(pc->d[i], k);

			if (!strcmp(f->name, name) ||
			    (f->type_name && !strcmp(f->type_name, name))) {
				*dp = pc->d[i];
				return f;
			}
		}
	return NULL;
}

int apic_await(struct apic *pc, const struct apic_mem *m, uint64_t sp, const char *args, char *out,
	       size_t size)
{
	struct out o = {out, size, 0};
	char a[64] = "", name[256] = "", extra[2] = "", *end;
	const struct adisc_future *f;
	struct adisc *d = NULL;
	unsigned nodes = 0;
	uint64_t addr;
	int rc;

	if (size)
		out[0] = 0;
	if (sscanf(args ? args : "", "%63s %255s %1s", a, name, extra) < 1 || extra[0]) {
		say(&o, "usage: monitor await ADDR [NAME] (NAME: a future's function or type, "
			"as monitor tasks prints it)\n");
		return 0;
	}
	errno = 0;
	addr = strtoull(a, &end, 0);
	if (errno || *end || a[0] == '-') {
		say(&o, "monitor await: '%s' is not an address\n", a);
		return 0;
	}
	if ((rc = open_all(pc)) < 0)
		return rc;
	if (no_async(pc, &o, "await"))
		return 0;
	if (name[0]) {
		if (!(f = kind_named(pc, name, &d))) {
			say(&o, "monitor await: no future named '%s' in the symbol files\n", name);
			return 0;
		}
	} else if (!(f = kind_at(pc, m, sp, addr, &d))) {
		say(&o,
		    "monitor await: 0x%" PRIx64 " is no task or awaited future found from the "
		    "stack (monitor tasks lists them; or name its kind: monitor await ADDR NAME)\n",
		    addr);
		return 0;
	}
	if (!plausible(m, f, addr)) {
		uint64_t st;

		if (f->state_off < 0 || read_state(m, f, addr, &st) < 0)
			say(&o, "monitor await: memory at 0x%" PRIx64 " is unreadable\n", addr);
		else
			say(&o,
			    "monitor await: 0x%" PRIx64 " holds no %s (__state %" PRIu64
			    " is none of its states)\n",
			    addr, fname(f), st);
		return 0;
	}
	say(&o,
	    "await tree of future 0x%" PRIx64 ", read from memory: poll counts need "
	    "--trace=async\n",
	    addr);
	tree(&o, m, d, f, addr, 0, &nodes);
	return 0;
}
