/* discover_task — the runtimes' task-run functions and, from DWARF, where the task they get as
 * argument keeps its future's __state and the runtime's state word (discover.h,
 * adisc_find_taskruns). Release builds inline task bodies into these functions, so reading the
 * future's state at their entry and exit is what gives every task exact polls there.
 *
 * tokio: `tokio::runtime::task::raw::poll<T, S>(ptr)`, one instance per future type T and
 * scheduler S (its DW_AT_name carries both). ptr is the task's Cell<T, S>: the path
 * core.stage.stage.value leads to Stage<T>, an enum whose Running variant holds T (its __0).
 * async-task: `RawTask<F, T, S>::run(ptr)` (a DW_AT_specification of the declaration that
 * carries F, T, S). ptr is the allocation: Header, then S, then union { F, T }, placed as
 * async-task's eval_task_layout() does (Layout::extend with each part's alignment). */
#include "async/discover_impl.h"

#include <dwarf.h>
#include <errno.h>
#include <string.h>

struct named_off {
	Dwarf_Off off;
	char *name;
};

struct tr_walk {
	struct adisc *d;
	struct named_off *cells; /* tokio Cell<T, S> structures */
	size_t ncells, capcells;
	Dwarf_Off at_header; /* async_task::header::Header */
	const char *ns[PATH_MAX_DEPTH];
	unsigned depth;
	bool funcs; /* second pass: functions (every type is known by then) */
	int err;
};

static uint64_t attr_u(Dwarf_Die *die, unsigned at, uint64_t dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word v;

	if (dwarf_attr_integrate(die, at, &a) && dwarf_formudata(&a, &v) == 0)
		return v;
	return dflt;
}

/* Alignment of a type: DW_AT_alignment (rustc emits it on aggregates), else its size capped at 8
 * (scalars and pointers), else 1. */
static uint64_t type_align(Dwarf_Die *t)
{
	uint64_t a = attr_u(t, DW_AT_alignment, 0), s;

	if (a)
		return a;
	s = attr_u(t, DW_AT_byte_size, 1);
	for (a = 8; a > 1 && (s % a); a /= 2)
		;
	return a;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return a ? (x + a - 1) / a * a : x;
}

/* The template type parameter called name of die, or false. */
static bool tparam(Dwarf_Die *die, const char *name, Dwarf_Die *type)
{
	Dwarf_Die c;

	if (dwarf_child(die, &c) != 0)
		return false;
	do {
		const char *n = dwarf_diename(&c);
		if (dwarf_tag(&c) == DW_TAG_template_type_parameter && n && !strcmp(n, name))
			return ad_die_type(&c, type);
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

/* The future discovered for a type (by its qualified name), preferring one with a __state. */
static long future_of(const struct adisc *d, Dwarf_Die *t)
{
	const char *q = ad_type_qname(d, t);
	long best = -1;

	for (size_t i = 0; q && i < d->nfut; i++) {
		const struct adisc_future *f = &d->fut[i].pub;
		if (f->type_name && !strcmp(f->type_name, q)) {
			if (f->state_off >= 0)
				return (long)i;
			if (best < 0)
				best = (long)i;
		}
	}
	return best;
}

static int add_run(struct adisc *d, const struct adisc_taskrun *r)
{
	if (GROW(d->tr, d->ntr, d->captr) < 0)
		return -ENOMEM;
	d->tr[d->ntr++] = *r;
	return 0;
}

/* Fill the future part of r from the future type t at offset base from the task pointer. */
static void set_future(struct adisc *d, struct adisc_taskrun *r, Dwarf_Die *t, int64_t base)
{
	r->future = future_of(d, t);
	r->future_type = r->future >= 0 ? d->fut[r->future].pub.type_name : NULL;
	if (r->future >= 0 && d->fut[r->future].pub.state_off >= 0 && base >= 0) {
		r->state_off = base + d->fut[r->future].pub.state_off;
		r->state_size = d->fut[r->future].pub.state_size;
	}
}

/* Stage<T>: the discriminant, which variant is Running and where its T is. -1 if the layout is
 * not the expected one. */
static int64_t tokio_stage(struct adisc_taskrun *r, Dwarf_Die *stage, int64_t base)
{
	Dwarf_Die vp, c, m, discr, run;
	Dwarf_Attribute a;
	int64_t t_off = -1;

	if (dwarf_child(stage, &vp) != 0)
		return -1;
	while (dwarf_tag(&vp) != DW_TAG_variant_part)
		if (dwarf_siblingof(&vp, &vp) != 0)
			return -1;
	if (!dwarf_attr(&vp, DW_AT_discr, &a) || !dwarf_formref_die(&a, &discr))
		return -1;
	r->stage_off = base + ad_member_off(&discr);
	if (ad_die_type(&discr, &c))
		r->stage_size = (uint32_t)attr_u(&c, DW_AT_byte_size, 0);
	r->stage_running_default = true;
	if (dwarf_child(&vp, &c) != 0)
		return -1;
	do {
		const char *n;
		Dwarf_Attribute dv;
		bool has = dwarf_attr(&c, DW_AT_discr_value, &dv) != NULL;
		uint64_t v = attr_u(&c, DW_AT_discr_value, 0);

		if (dwarf_tag(&c) != DW_TAG_variant || dwarf_child(&c, &m) != 0 ||
		    !(n = dwarf_diename(&m)))
			continue;
		if (!strcmp(n, "Running")) {
			Dwarf_Die inner;
			if (has) {
				r->stage_running_default = false;
				r->stage_running = v;
			}
			if (ad_die_type(&m, &run) && ad_find_member(&run, "__0", &inner))
				t_off = base + ad_member_off(&m) + ad_member_off(&inner);
		} else if (has && r->nother < 4) {
			r->stage_other[r->nother++] = v;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	if (!r->stage_size || r->stage_size > 8)
		r->stage_off = -1;
	return t_off;
}

/* Follow member names from a structure; the offset, or -1 (out: the last member's type). */
static int64_t member_path(Dwarf_Die *st, const char *const *path, unsigned n, Dwarf_Die *out)
{
	Dwarf_Die cur = *st, m;
	int64_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		int64_t o;
		if (!ad_find_member(&cur, path[i], &m) || (o = ad_member_off(&m)) < 0 ||
		    !ad_die_type(&m, &cur))
			return -1;
		off += o;
	}
	*out = cur;
	return off;
}

static void tokio_poll(struct tr_walk *w, Dwarf_Die *sp, uint64_t entry)
{
	static const char *const to_stage[] = {"core", "stage"};
	struct adisc_taskrun r = {.entry = entry, .runtime = ADISC_RT_TOKIO, .future = -1,
				  .state_off = -1, .word_off = -1, .stage_off = -1};
	const char *name = dwarf_diename(sp);
	Dwarf_Die t, cell, stage, hdr, m;
	size_t n;

	if (!name || strncmp(name, "poll<", 5) || !tparam(sp, "T", &t))
		return;
	n = strlen(name);
	for (size_t i = 0; i < w->ncells; i++) {
		const char *c = w->cells[i].name; /* "Cell<" + the same arguments */
		if (strlen(c) != n || strcmp(c + 5, name + 5) ||
		    !dwarf_offdie(w->d->dw, w->cells[i].off, &cell))
			continue;
		int64_t base = member_path(&cell, to_stage, 2, &stage);
		/* CoreStage<T> holds Stage<T> in one or two UnsafeCells (tokio's loom wrapper,
		 * then core's): single-member wrappers down to the enum */
		for (int k = 0; k < 4 && base >= 0; k++) {
			const char *sn = dwarf_diename(&stage);
			Dwarf_Die only;
			if (sn && !strncmp(sn, "Stage<", 6))
				break;
			if (dwarf_child(&stage, &only) != 0)
				base = -1;
			while (base >= 0 && dwarf_tag(&only) != DW_TAG_member)
				if (dwarf_siblingof(&only, &only) != 0)
					base = -1;
			if (base >= 0 && (ad_member_off(&only) < 0 || !ad_die_type(&only, &stage)))
				base = -1;
			else if (base >= 0)
				base += ad_member_off(&only);
		}
		int64_t t_off = base >= 0 ? tokio_stage(&r, &stage, base) : -1;
		set_future(w->d, &r, &t, t_off);
		/* the state word: Header.state (a State around an AtomicUsize) */
		if (ad_find_member(&cell, "header", &m) && ad_die_type(&m, &hdr) &&
		    ad_find_member(&hdr, "state", &m) && ad_member_off(&m) >= 0) {
			r.word_off = ad_member_off(&m);
			r.word_size = w->d->ptr_size;
		}
		break;
	}
	/* tokio 1.x (runtime/task/state.rs): RUNNING 1, COMPLETE 2, CANCELLED 32; a run that finds
	 * any of them does not poll the future (already running, done, or cancelled) */
	r.skip_bits = 0x1 | 0x2 | 0x20;
	if (add_run(w->d, &r) < 0)
		w->err = -ENOMEM;
}

static void async_task_run(struct tr_walk *w, Dwarf_Die *decl, uint64_t entry)
{
	struct adisc_taskrun r = {.entry = entry, .runtime = ADISC_RT_ASYNC_TASK, .future = -1,
				  .state_off = -1, .word_off = -1, .stage_off = -1};
	Dwarf_Die f, t, s, hdr, m;

	if (!tparam(decl, "F", &f) || !tparam(decl, "T", &t) || !tparam(decl, "S", &s))
		return;
	if (w->at_header && dwarf_offdie(w->d->dw, w->at_header, &hdr)) {
		/* eval_task_layout(): Header, then S, then union { F, T } */
		uint64_t off = attr_u(&hdr, DW_AT_byte_size, 0);
		uint64_t ua = type_align(&f) > type_align(&t) ? type_align(&f) : type_align(&t);
		off = align_up(off, type_align(&s)) + attr_u(&s, DW_AT_byte_size, 0);
		set_future(w->d, &r, &f, (int64_t)align_up(off, ua));
		if (ad_find_member(&hdr, "state", &m) && ad_member_off(&m) >= 0) {
			r.word_off = ad_member_off(&m);
			r.word_size = w->d->ptr_size;
		}
	} else {
		set_future(w->d, &r, &f, -1);
	}
	/* async-task 4.x (state.rs): RUNNING 2, COMPLETED 4, CLOSED 8: a closed task's run drops
	 * the future without polling it */
	r.skip_bits = 0x2 | 0x4 | 0x8;
	if (add_run(w->d, &r) < 0)
		w->err = -ENOMEM;
}

static const char *linkage_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	if (dwarf_attr(die, DW_AT_linkage_name, &a) || dwarf_attr(die, DW_AT_MIPS_linkage_name, &a))
		return dwarf_formstring(&a);
	return NULL;
}

static bool in_ns(const struct tr_walk *w, const char *const *ns, unsigned n)
{
	if (w->depth != n)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (!w->ns[i] || strcmp(w->ns[i], ns[i]))
			return false;
	return true;
}

static void walk(struct tr_walk *w, Dwarf_Die *parent)
{
	static const char *const tokio_raw[] = {"tokio", "runtime", "task", "raw"};
	static const char *const tokio_core[] = {"tokio", "runtime", "task", "core"};
	static const char *const at_header[] = {"async_task", "header"};
	Dwarf_Die c;

	if (dwarf_child(parent, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);
		const char *name = dwarf_diename(&c);
		Dwarf_Addr lo;

		if (tag == DW_TAG_namespace && w->depth < PATH_MAX_DEPTH) {
			w->ns[w->depth++] = name;
			walk(w, &c);
			w->depth--;
		} else if (tag == DW_TAG_structure_type && name && !w->funcs) {
			if (in_ns(w, tokio_core, 4) && !strncmp(name, "Cell<", 5)) {
				if (GROW(w->cells, w->ncells, w->capcells) < 0 ||
				    !(w->cells[w->ncells].name = strdup(name))) {
					w->err = -ENOMEM;
					return;
				}
				w->cells[w->ncells++].off = dwarf_dieoffset(&c);
			} else if (!w->at_header && in_ns(w, at_header, 2) &&
				   !strcmp(name, "Header")) {
				w->at_header = dwarf_dieoffset(&c);
			}
		} else if (tag == DW_TAG_subprogram && w->funcs && dwarf_lowpc(&c, &lo) == 0 && lo) {
			Dwarf_Attribute a;
			Dwarf_Die decl;
			const char *ln;

			if (name && in_ns(w, tokio_raw, 4)) {
				tokio_poll(w, &c, lo);
			} else if (dwarf_attr(&c, DW_AT_specification, &a) &&
				   dwarf_formref_die(&a, &decl) &&
				   (ln = linkage_name(&decl)) &&
				   strstr(ln, "10async_task3raw24RawTask$LT$F$C$T$C$S$GT$3run17h")) {
				async_task_run(w, &decl, lo);
			}
		}
	} while (!w->err && dwarf_siblingof(&c, &c) == 0);
}

int adisc_find_taskruns(struct adisc *d)
{
	struct tr_walk w = {.d = d};
	Dwarf_Off off = 0, next;
	size_t hsize;
	int pass;

	if (d->tr_done)
		return 0;
	/* two passes: Cell<T, S> and Header may come after the functions that use them */
	for (pass = 0; pass < 2 && !w.err; pass++) {
		w.funcs = pass == 1;
		off = 0;
		while (!w.err && dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
			Dwarf_Die cu;
			w.depth = 0;
			if (dwarf_offdie(d->dw, off + hsize, &cu))
				walk(&w, &cu);
			off = next;
		}
	}
	for (size_t i = 0; i < w.ncells; i++)
		free(w.cells[i].name);
	free(w.cells);
	if (w.err)
		return w.err;
	d->tr_done = true;
	return 0;
}

size_t adisc_ntaskruns(const struct adisc *d)
{
	return d->ntr;
}

const struct adisc_taskrun *adisc_taskrun(const struct adisc *d, size_t i)
{
	return &d->tr[i];
}

const struct adisc_taskrun *adisc_taskrun_at(const struct adisc *d, uint64_t entry)
{
	for (size_t i = 0; i < d->ntr; i++)
		if (d->tr[i].entry == entry)
			return &d->tr[i];
	return NULL;
}

int adisc_taskrun_result(const struct adisc *d, const struct adisc_taskrun *r, uint64_t state,
			 uint64_t stage)
{
	const struct adisc_variant *v;

	if (r->stage_off >= 0) {
		bool running = r->stage_running_default;
		for (unsigned i = 0; i < r->nother; i++)
			if (stage == r->stage_other[i])
				running = false;
		if (!r->stage_running_default)
			running = stage == r->stage_running;
		if (!running)
			return 0; /* the future was replaced by its output (or dropped) */
	}
	if (r->future < 0 || r->state_off < 0 || !(v = adisc_variant(&d->fut[r->future].pub, state)))
		return -1;
	if (!strncmp(v->name, "Suspend", 7))
		return 1;
	return !strcmp(v->name, "Returned") ? 0 : -1;
}
