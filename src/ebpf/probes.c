/* probes — see probes.h. */
#include "ebpf/probes.h"
#include "async/discover.h"
#include "ebpf/funcs.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct probes {
	struct probe *p;
	size_t n, cap;
	int fd; /* the object being added, to look at first instructions */
	unsigned obj; /* its index (objs.h) */
	size_t refused;
};

/* x86 uprobes refuse an instruction with a LOCK or a segment prefix (the kernel's
 * is_prefix_bad(): ENOTSUPP), and one refused offset fails a whole uprobe_multi link. Rust's
 * Arc clones often start with `lock incq`. */
static bool probeable(int fd, uint64_t off)
{
	uint8_t b[4];

	if (fd < 0 || pread(fd, b, sizeof(b), (off_t)off) != (ssize_t)sizeof(b))
		return true; /* let the kernel decide */
	for (unsigned i = 0; i < sizeof(b); i++) {
		switch (b[i]) {
		case 0xf0: /* lock */
		case 0x26: /* es */
		case 0x2e: /* cs */
		case 0x36: /* ss */
		case 0x3e: /* ds */
			return false;
		case 0x64: /* fs, gs, operand and address size, rep: fine, keep looking */
		case 0x65:
		case 0x66:
		case 0x67:
		case 0xf2:
		case 0xf3:
			continue;
		default:
			return true;
		}
	}
	return true;
}

/* The probe at vaddr, created if new (so one address carries every role it has). */
static struct probe *at(struct probes *ps, const struct funcs *layout, uint64_t vaddr,
			const char *name)
{
	uint64_t off;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].vaddr == vaddr && ps->p[i].obj == ps->obj)
			return &ps->p[i];
	if (funcs_file_offset(layout, vaddr, &off))
		return NULL; /* not in the file's code: nothing to probe */
	if (!probeable(ps->fd, off)) {
		ps->refused++;
		return NULL;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 256;
		struct probe *t = realloc(ps->p, cap * sizeof(*t));

		if (!t)
			return NULL;
		ps->p = t;
		ps->cap = cap;
	}
	struct probe *p = &ps->p[ps->n++];
	memset(p, 0, sizeof(*p));
	p->vaddr = vaddr;
	p->foff = off;
	p->name = name;
	p->future = -1;
	p->obj = ps->obj;
	return p;
}

static void add_poll(struct probes *ps, const struct funcs *layout, const struct adisc *d,
		     size_t i)
{
	const struct adisc_future *f = adisc_future(d, i);
	struct probe *p;

	/* an inlined-only body has no entry of its own: its polls happen inside its caller */
	if (!f->entry || !(p = at(ps, layout, f->entry, f->name)))
		return;
	p->cfg.what |= PCFG_POLL;
	p->future = (long)i;
	p->cfg.self_arg = (uint8_t)(f->self_arg <= 1 ? f->self_arg : 1);
	if (f->state_off >= 0 && f->state_size >= 1 && f->state_size <= 8) {
		p->cfg.state_off = (uint32_t)f->state_off;
		p->cfg.state_size = (uint8_t)f->state_size;
	}
	p->cfg.ret_ptr = f->poll.ret == ADISC_RET_PTR;
	if (f->poll.discr_size >= 1 && f->poll.discr_size <= 8 &&
	    (f->poll.ret == ADISC_RET_PTR || f->poll.discr_off + f->poll.discr_size <= 16)) {
		p->cfg.discr_off = f->poll.discr_off;
		p->cfg.discr_size = (uint8_t)f->poll.discr_size;
		p->cfg.pending = f->poll.pending;
	}
}

/* The waker kind of a runtime function by its name's last component, or -1. */
static int wake_kind(const char *name)
{
	static const char *const last[4] = {"::clone_waker", "::wake", "::wake_by_ref",
					    "::drop_waker"};
	size_t n = strlen(name);

	for (int k = 0; k < 4; k++) {
		size_t m = strlen(last[k]);
		if (n >= m && !strcmp(name + n - m, last[k]))
			return k;
	}
	return -1;
}

/* A task-run function whose task keeps its future at a known place (discover_task.c): the
 * probe reads the future's __state, the state word and tokio's stage at entry and exit, so
 * the run is the task's poll even when the future's body is inlined into it. */
static void add_taskrun(struct probe *p, const struct adisc *d)
{
	const struct adisc_taskrun *r = d ? adisc_taskrun_at(d, p->vaddr) : NULL;

	if (r && r->future >= 0)
		p->future = r->future; /* names the task even without a layout */
	if (!r || r->future < 0 || r->state_off < 0 || r->state_off > UINT32_MAX ||
	    r->state_size < 1 || r->state_size > 8)
		return;
	p->tr = r;
	p->cfg.state_off = (uint32_t)r->state_off;
	p->cfg.state_size = (uint8_t)r->state_size;
	if (r->word_off >= 0 && r->word_off <= UINT32_MAX && r->word_size >= 1 &&
	    r->word_size <= 8) {
		p->cfg.word_off = (uint32_t)r->word_off;
		p->cfg.word_size = (uint8_t)r->word_size;
	}
	if (r->stage_off >= 0 && r->stage_off <= UINT32_MAX && r->stage_size >= 1 &&
	    r->stage_size <= 8) {
		p->cfg.discr_off = (uint32_t)r->stage_off;
		p->cfg.discr_size = (uint8_t)r->stage_size;
	}
}

/* The async probes of one object (ps->obj, ps->fd): poll functions, waker functions and
 * task runs (a probe that cannot be made is left out, as before: their roles are optional). */
static void add_async(struct probes *ps, const struct funcs *layout, const struct adisc *d,
		      const struct funcs *rt, bool tasks_only)
{
	struct probe *p;

	for (size_t i = 0; d && !tasks_only && i < adisc_nfutures(d); i++)
		add_poll(ps, layout, d, i);
	for (size_t i = 0; d && i < adisc_nvtables(d); i++) {
		const struct adisc_vtable *v = adisc_vtable(d, i);

		for (unsigned k = 0; k < 4; k++)
			if (tasks_only && k != ADISC_WAKE && k != ADISC_WAKE_BY_REF)
				continue;
			else if (v->fn[k] && (p = at(ps, layout, v->fn[k], NULL))) {
				p->cfg.what |= PCFG_WAKE;
				p->cfg.wake_kind = (uint8_t)k;
			}
	}
	for (size_t i = 0; rt && i < funcs_count(rt); i++) {
		const struct func *f = funcs_at(rt, i);
		int wk = wake_kind(f->name);

		if (tasks_only && (wk == ADISC_WAKE_CLONE || wk == ADISC_WAKE_DROP))
			continue;
		if (!(p = at(ps, layout, f->vaddr, f->name)))
			continue;
		if (wk >= 0) {
			/* async-task's waker functions: their vtable is a promoted constant without
			 * DWARF of its own, so they are found by name */
			p->cfg.what |= PCFG_WAKE;
			p->cfg.wake_kind = (uint8_t)wk;
		} else {
			p->cfg.what |= PCFG_TASK;
			add_taskrun(p, d);
		}
	}
}

/* PCFG_FUNC probes for fn, in object ps->obj. 0 or -ENOMEM. */
static int add_funcs(struct probes *ps, const struct funcs *fn, const struct funcs *layout)
{
	for (size_t i = 0; fn && i < funcs_count(fn); i++) {
		const struct func *f = funcs_at(fn, i);
		size_t refused = ps->refused;
		struct probe *p = at(ps, layout, f->vaddr, f->name);

		if (!p) {
			if (ps->refused > refused)
				continue;
			return -ENOMEM;
		}
		p->cfg.what |= PCFG_FUNC;
	}
	return 0;
}

/* Make obj at path the object probes are added to (path NULL: none). */
static void enter_object(struct probes *ps, unsigned obj, const char *path)
{
	if (ps->fd >= 0)
		close(ps->fd);
	ps->fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ps->obj = obj;
}

struct probes *probes_build(const char *exe, const struct funcs *fn, const struct adisc *d,
			    const struct funcs *rt, const struct funcs *layout, bool tasks_only)
{
	struct probes *ps = calloc(1, sizeof(*ps));

	if (!ps)
		goto nomem;
	ps->fd = -1;
	enter_object(ps, 0, exe);
	if (add_funcs(ps, fn, layout))
		goto nomem;
	add_async(ps, layout, d, rt, tasks_only);
	enter_object(ps, 0, NULL);
	return ps;
nomem:
	probes_free(ps);
	err_set(ENOMEM, "strata record: out of memory");
	return NULL;
}

int probes_add_async(struct probes *ps, unsigned obj, const char *path, const struct adisc *d,
		     const struct funcs *rt, const struct funcs *layout, bool tasks_only)
{
	enter_object(ps, obj, path);
	add_async(ps, layout, d, rt, tasks_only);
	enter_object(ps, 0, NULL);
	return 0;
}

int probes_add_object(struct probes *ps, unsigned obj, const char *path, const struct funcs *fn)
{
	int ret;

	enter_object(ps, obj, path);
	ret = add_funcs(ps, fn, fn);
	enter_object(ps, 0, NULL);
	if (ret)
		err_set(ENOMEM, "strata record: out of memory");
	return ret;
}

size_t probes_refused(const struct probes *p)
{
	return p->refused;
}

void probes_free(struct probes *p)
{
	if (p) {
		if (p->fd >= 0)
			close(p->fd);
		free(p->p);
		free(p);
	}
}

size_t probes_count(const struct probes *p)
{
	return p->n;
}

const struct probe *probes_at(const struct probes *p, size_t i)
{
	return &p->p[i];
}

size_t probes_count_what(const struct probes *p, unsigned what)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += (p->p[i].cfg.what & what) != 0;
	return n;
}
