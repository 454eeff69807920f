/* discover — see discover.h. One pass over every DIE records named subprograms, their concrete
 * and inlined instances, qualified type names and static variables; a second pass classifies
 * the subprograms that have code (is it a poll function? a coroutine body?) and builds the
 * indexes. DIE offsets grow in walk order, so the recorded arrays come out sorted. */
#define _GNU_SOURCE
#include "async/discover.h"
#include "symbols/symbols.h"
#include "util/err.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async/discover_impl.h"

/* ---- small DWARF helpers ---- */

const char *ad_die_name(Dwarf_Die *die)
{
	return dwarf_diename(die);
}

/* The DIE an attribute refers to (integrating abstract_origin/specification). */
static bool attr_die(Dwarf_Die *die, unsigned at, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, at, &a) && dwarf_formref_die(&a, out);
}

/* Follow typedefs and qualifiers to the underlying type. */
static bool peel(Dwarf_Die *t)
{
	for (int i = 0; i < 16; i++) {
		int tag = dwarf_tag(t);

		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type)
			return true;
		if (!attr_die(t, DW_AT_type, t))
			return false;
	}
	return false;
}

bool ad_die_type(Dwarf_Die *die, Dwarf_Die *t)
{
	return attr_die(die, DW_AT_type, t) && peel(t);
}

int64_t ad_member_off(Dwarf_Die *m)
{
	Dwarf_Attribute a;
	Dwarf_Word v;

	if (!dwarf_attr(m, DW_AT_data_member_location, &a) || dwarf_formudata(&a, &v) != 0)
		return -1;
	return (int64_t)v;
}

static uint64_t die_size(Dwarf_Die *t)
{
	Dwarf_Word v;
	Dwarf_Attribute a;

	if (dwarf_attr(t, DW_AT_byte_size, &a) && dwarf_formudata(&a, &v) == 0)
		return v;
	return 0;
}

/* The child member called name, or false. */
bool ad_find_member(Dwarf_Die *st, const char *name, Dwarf_Die *out)
{
	Dwarf_Die c;

	if (dwarf_child(st, &c) != 0)
		return false;
	do {
		const char *n = ad_die_name(&c);
		if (dwarf_tag(&c) == DW_TAG_member && n && !strcmp(n, name)) {
			*out = c;
			return true;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

static bool find_child_tag(Dwarf_Die *die, int tag, Dwarf_Die *out)
{
	if (dwarf_child(die, out) != 0)
		return false;
	do {
		if (dwarf_tag(out) == tag)
			return true;
	} while (dwarf_siblingof(out, out) == 0);
	return false;
}

const char *ad_tname_of(const struct adisc *d, Dwarf_Off off)
{
	size_t i = ad_search(d->tn, d->ntn, sizeof(*d->tn), offsetof(struct tname, off), off);

	return i < d->ntn && d->tn[i].off == off ? d->tn[i].qname : NULL;
}

const char *ad_type_qname(const struct adisc *d, Dwarf_Die *t)
{
	const char *q = ad_tname_of(d, dwarf_dieoffset(t));

	return q ? q : ad_die_name(t);
}

/* ---- pass 1: the walk ---- */

struct walk {
	struct adisc *d;
	const char *path[PATH_MAX_DEPTH];
	unsigned depth;
	int err;
};

static char *qualify(const struct walk *w, const char *name)
{
	size_t len = strlen(name) + 1;
	char *s, *p;

	for (unsigned i = 0; i < w->depth; i++)
		len += strlen(w->path[i]) + 2;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (unsigned i = 0; i < w->depth; i++)
		p = stpcpy(stpcpy(p, w->path[i]), "::");
	strcpy(p, name);
	return s;
}

static int add_ranges(Dwarf_Die *die, struct inst *in)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off = 0;
	unsigned cap = 0;

	in->r = NULL;
	in->nr = 0;
	while ((off = dwarf_ranges(die, off, &base, &start, &end)) > 0) {
		if (end <= start)
			continue;
		if (GROW(in->r, in->nr, cap) < 0)
			return -ENOMEM;
		in->r[in->nr++] = (struct adisc_range){start, end};
	}
	return 0;
}

static void walk_die(struct walk *w, Dwarf_Die *parent);

static void visit(struct walk *w, Dwarf_Die *die)
{
	struct adisc *d = w->d;
	int tag = dwarf_tag(die);
	const char *name = ad_die_name(die);
	Dwarf_Attribute a;

	switch (tag) {
	case DW_TAG_namespace:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		if (tag != DW_TAG_namespace && name) {
			if (GROW(d->tn, d->ntn, d->captn) < 0)
				goto nomem;
			d->tn[d->ntn].off = dwarf_dieoffset(die);
			d->tn[d->ntn].qname = qualify(w, name);
			if (!d->tn[d->ntn++].qname)
				goto nomem;
		}
		if (name && w->depth < PATH_MAX_DEPTH) {
			w->path[w->depth++] = name;
			walk_die(w, die);
			w->depth--;
		}
		return;
	case DW_TAG_subprogram:
	case DW_TAG_inlined_subroutine: {
		Dwarf_Die origin;
		Dwarf_Addr lo;

		if (tag == DW_TAG_subprogram && name && dwarf_hasattr(die, DW_AT_name)) {
			if (GROW(d->cand, d->ncand, d->capcand) < 0)
				goto nomem;
			d->cand[d->ncand].off = dwarf_dieoffset(die);
			d->cand[d->ncand].fidx = -2;
			d->cand[d->ncand].qname = qualify(w, name);
			if (!d->cand[d->ncand++].qname)
				goto nomem;
		}
		if (dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges)) {
			struct inst *in;

			if (GROW(d->inst, d->ninst, d->capinst) < 0)
				goto nomem;
			in = &d->inst[d->ninst];
			in->inlined = tag == DW_TAG_inlined_subroutine;
			if (dwarf_attr(die, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &origin))
				in->origin = dwarf_dieoffset(&origin);
			else if (dwarf_attr(die, DW_AT_specification, &a) &&
				 dwarf_formref_die(&a, &origin))
				in->origin = dwarf_dieoffset(&origin);
			else
				in->origin = dwarf_dieoffset(die);
			if (add_ranges(die, in) < 0)
				goto nomem;
			if (in->nr) {
				in->entry = dwarf_entrypc(die, &lo) == 0 ? lo : in->r[0].lo;
				d->ninst++;
			} else {
				free(in->r);
			}
		}
		walk_die(w, die);
		return;
	}
	case DW_TAG_variable: {
		Dwarf_Op *ops;
		size_t nops;
		Dwarf_Die t;

		if (w->depth && name && dwarf_attr(die, DW_AT_location, &a) &&
		    dwarf_getlocation(&a, &ops, &nops) == 0 && nops == 1 &&
		    ops[0].atom == DW_OP_addr && attr_die(die, DW_AT_type, &t)) {
			if (GROW(d->sv, d->nsv, d->capsv) < 0)
				goto nomem;
			d->sv[d->nsv].type = dwarf_dieoffset(&t);
			d->sv[d->nsv].addr = ops[0].number;
			d->sv[d->nsv].qname = qualify(w, name);
			if (!d->sv[d->nsv++].qname)
				goto nomem;
		}
		return;
	}
	case DW_TAG_lexical_block:
		walk_die(w, die);
		return;
	default:
		return;
	}
nomem:
	w->err = -ENOMEM;
}

static void walk_die(struct walk *w, Dwarf_Die *parent)
{
	Dwarf_Die c;

	if (w->err || dwarf_child(parent, &c) != 0)
		return;
	do
		visit(w, &c);
	while (!w->err && dwarf_siblingof(&c, &c) == 0);
}

static void note_producer(struct adisc *d, Dwarf_Die *cu)
{
	Dwarf_Attribute a;
	const char *p, *v;

	if (d->have_rustc || !dwarf_attr(cu, DW_AT_producer, &a) || !(p = dwarf_formstring(&a)))
		return;
	v = strstr(p, "rustc version ");
	if (!v)
		return;
	v += strlen("rustc version ");
	size_t n = strcspn(v, " )"); /* "rustc version 1.63.0)" in old producers */
	if (n >= sizeof(d->rustc))
		n = sizeof(d->rustc) - 1;
	memcpy(d->rustc, v, n);
	d->rustc[n] = 0;
	d->have_rustc = true;
}

static int walk_all(struct adisc *d)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	struct walk w = {.d = d};

	while (dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;

		if (dwarf_offdie(d->dw, off + hsize, &cu)) {
			note_producer(d, &cu);
			w.depth = 0;
			walk_die(&w, &cu);
			if (w.err)
				return w.err;
		}
		off = next;
	}
	return 0;
}

/* ---- pass 2: classification ---- */

static struct cand *cand_at(struct adisc *d, Dwarf_Off off)
{
	size_t i = ad_search(d->cand, d->ncand, sizeof(*d->cand), offsetof(struct cand, off), off);

	return i < d->ncand && d->cand[i].off == off ? &d->cand[i] : NULL;
}

static bool starts(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

/* Poll<T>'s layout: its size and where the Pending discriminant is. */
static void poll_layout(struct adisc *d, Dwarf_Die *t, struct fut *f)
{
	struct adisc_poll *p = &f->pub.poll;
	Dwarf_Die vp, discr, dt, c;
	Dwarf_Attribute a;

	p->size = die_size(t);
	p->ret = p->size > 2 * d->ptr_size ? ADISC_RET_PTR : ADISC_RET_REGS;
	f->poll_type = strdup(ad_type_qname(d, t));
	p->type = f->poll_type;
	if (!find_child_tag(t, DW_TAG_variant_part, &vp) || !attr_die(&vp, DW_AT_discr, &discr) ||
	    ad_member_off(&discr) < 0 || !ad_die_type(&discr, &dt))
		return;
	if (dwarf_child(&vp, &c) != 0)
		return;
	do {
		Dwarf_Die m;
		Dwarf_Word v;

		if (dwarf_tag(&c) != DW_TAG_variant || !ad_find_member(&c, "Pending", &m))
			continue;
		if (!dwarf_attr(&c, DW_AT_discr_value, &a) || dwarf_formudata(&a, &v) != 0)
			return;
		p->pending = v;
		p->discr_off = (uint32_t)ad_member_off(&discr);
		p->discr_size = (uint32_t)die_size(&dt);
		if (p->discr_size > 8)
			p->discr_size = 0;
		return;
	} while (dwarf_siblingof(&c, &c) == 0);
}

/* The coroutine's state enum: __state and every variant with its await point. */
static int coroutine_layout(struct adisc *d, Dwarf_Die *self, struct fut *f)
{
	Dwarf_Die vp, discr, dt, c;
	unsigned cap = 0;

	if (!find_child_tag(self, DW_TAG_variant_part, &vp) || !attr_die(&vp, DW_AT_discr, &discr))
		return 0;
	f->pub.state_off = ad_member_off(&discr);
	if (ad_die_type(&discr, &dt))
		f->pub.state_size = (uint32_t)die_size(&dt);
	if (dwarf_child(&vp, &c) != 0)
		return 0;
	do {
		Dwarf_Die m, vt, aw, at;
		Dwarf_Attribute a;
		Dwarf_Word v;
		struct adisc_variant *var;
		int line;

		if (dwarf_tag(&c) != DW_TAG_variant || !dwarf_attr(&c, DW_AT_discr_value, &a) ||
		    dwarf_formudata(&a, &v) != 0 || !find_child_tag(&c, DW_TAG_member, &m) ||
		    !ad_die_type(&m, &vt))
			continue;
		if (GROW(f->variants, f->pub.nvariants, cap) < 0)
			return -ENOMEM;
		var = &f->variants[f->pub.nvariants++];
		memset(var, 0, sizeof(*var));
		var->name = ad_die_name(&vt) ? ad_die_name(&vt) : "?";
		var->discr = v;
		var->awaitee_off = -1;
		var->awaitee_future = -1;
		if (starts(var->name, "Suspend")) {
			var->file = dwarf_decl_file(&m);
			if (dwarf_decl_line(&m, &line) == 0)
				var->line = (unsigned)line;
		}
		if (ad_find_member(&vt, "__awaitee", &aw) && ad_die_type(&aw, &at)) {
			var->awaitee_off = ad_member_off(&aw);
			var->awaitee_size = die_size(&at);
			var->awaitee_type = ad_type_qname(d, &at);
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	f->pub.variants = f->variants;
	return 0;
}

/* The env type of a closure-like body "ns::{async_fn#0}": "ns::{async_fn_env#0}" (the same for
 * async_block, generator and closure). */
static bool env_type(const struct adisc *d, const char *qname, Dwarf_Die *out)
{
	const char *open = strrchr(qname, '{'), *hash = open ? strchr(open, '#') : NULL;
	char want[512];

	if (!hash || (size_t)snprintf(want, sizeof(want), "%.*s_env%s", (int)(hash - qname), qname,
				      hash) >= sizeof(want))
		return false;
	for (size_t i = 0; i < d->ntn; i++)
		if (!strcmp(d->tn[i].qname, want))
			return dwarf_offdie(d->dw, d->tn[i].off, out) != NULL;
	return false;
}

/* Is the subprogram at c a poll function or a coroutine body? Adds it to d->fut if so. */
static long classify(struct adisc *d, struct cand *c)
{
	Dwarf_Die die, rt, par, pin, ptr, self;
	const char *rname, *pname, *name;
	struct fut *f;

	if (c->fidx != -2)
		return c->fidx;
	c->fidx = -1;
	if (!dwarf_offdie(d->dw, c->off, &die) || !ad_die_type(&die, &rt))
		return -1;
	rname = ad_type_qname(d, &rt);
	if (!starts(rname, "core::task::poll::Poll<") &&
	    !starts(rname, "core::ops::generator::GeneratorState<") &&
	    !starts(rname, "core::ops::coroutine::CoroutineState<"))
		return -1;
	if (!find_child_tag(&die, DW_TAG_formal_parameter, &par) || !ad_die_type(&par, &pin))
		return -1;
	pname = ad_type_qname(d, &pin);
	if (!starts(pname, "core::pin::Pin<&mut ") ||
	    (!ad_find_member(&pin, "pointer", &ptr) && !ad_find_member(&pin, "__pointer", &ptr)) ||
	    !ad_die_type(&ptr, &ptr) || dwarf_tag(&ptr) != DW_TAG_pointer_type ||
	    !ad_die_type(&ptr, &self)) {
		/* rustc up to 1.66 describes a generator body's resume without its self parameter
		 * (only the ResumeTy): the state machine is the body's env type, by name */
		if (!starts(rname, "core::ops::generator::GeneratorState<") ||
		    !env_type(d, c->qname, &self))
			return -1;
	}
	name = ad_die_name(&die);
	bool coroutine = false;
	Dwarf_Die vp, discr;
	if (find_child_tag(&self, DW_TAG_variant_part, &vp) && attr_die(&vp, DW_AT_discr, &discr) &&
	    ad_die_name(&discr) && !strcmp(ad_die_name(&discr), "__state"))
		coroutine = true;
	/* generic impls are named "poll<A, B>" */
	if (!coroutine && (!name || (strcmp(name, "poll") && !starts(name, "poll<"))))
		return -1;
	if (GROW(d->fut, d->nfut, d->capfut) < 0)
		return -ENOMEM;
	f = &d->fut[d->nfut];
	memset(f, 0, sizeof(*f));
	f->pub.kind = coroutine ? ADISC_COROUTINE : ADISC_POLL_FN;
	f->pub.state_off = -1;
	f->type_name = strdup(ad_type_qname(d, &self));
	f->self_type = dwarf_dieoffset(&self);
	if (!coroutine) {
		Dwarf_Attribute a;
		const char *link = NULL;

		if (dwarf_attr_integrate(&die, DW_AT_linkage_name, &a))
			link = dwarf_formstring(&a);
		f->name = link ? sym_demangle(link) : strdup(c->qname);
		if (starts(f->type_name, "core::future::from_generator::GenFuture<"))
			f->pub.kind = ADISC_GENFUTURE;
	} else {
		f->name = strdup(c->qname);
	}
	if (!f->name || !f->type_name)
		goto nomem;
	f->pub.name = f->name;
	f->pub.type_name = f->type_name;
	f->pub.size = die_size(&self);
	poll_layout(d, &rt, f);
	if (f->pub.poll.type == NULL)
		goto nomem;
	f->pub.self_arg = f->pub.poll.ret == ADISC_RET_PTR ? 1 : 0;
	if (coroutine && coroutine_layout(d, &self, f) < 0)
		goto nomem;
	c->fidx = (long)d->nfut++;
	return c->fidx;
nomem:
	free(f->name);
	free(f->type_name);
	free(f->poll_type);
	free(f->variants);
	return -ENOMEM;
}

static int add_range(struct adisc_range **r, unsigned *n, unsigned *cap, struct adisc_range x)
{
	if (*n >= *cap) {
		unsigned nc = *cap ? 2 * *cap : 4;
		struct adisc_range *p = reallocarray(*r, nc, sizeof(*p));
		if (!p)
			return -ENOMEM;
		*r = p;
		*cap = nc;
	}
	(*r)[(*n)++] = x;
	return 0;
}

static int attach_instances(struct adisc *d)
{
	for (size_t i = 0; i < d->ninst; i++) {
		struct inst *in = &d->inst[i];
		struct cand *c = cand_at(d, in->origin);
		long fi;
		struct fut *f;

		if (!c)
			continue;
		fi = classify(d, c);
		if (fi == -ENOMEM)
			return -ENOMEM;
		if (fi < 0)
			continue;
		f = &d->fut[fi];
		if (!in->inlined) {
			if (!f->pub.entry)
				f->pub.entry = in->entry;
			for (unsigned k = 0; k < in->nr; k++)
				if (add_range(&f->ranges, &f->pub.nranges, &f->cap_r, in->r[k]) < 0)
					return -ENOMEM;
		} else {
			unsigned n0 = f->pub.ninl;
			uint64_t *e;

			for (unsigned k = 0; k < in->nr; k++) {
				if (add_range(&f->inl, &f->pub.ninl, &f->cap_i, in->r[k]) < 0)
					return -ENOMEM;
			}
			/* one entry pc per inlined range: the copy's entry for each of its ranges */
			e = reallocarray(f->inl_entry, f->cap_i ? f->cap_i : 1, sizeof(*e));
			if (!e)
				return -ENOMEM;
			f->inl_entry = e;
			for (unsigned k = n0; k < f->pub.ninl; k++)
				f->inl_entry[k] = in->entry;
		}
	}
	return 0;
}

static long fut_by_type(const struct adisc *d, const char *type)
{
	if (!type)
		return -1;
	for (size_t i = 0; i < d->nfut; i++)
		if (!strcmp(d->fut[i].type_name, type))
			return (long)i;
	return -1;
}

/* GenFuture<T> (rustc up to 1.66) is the future an executor polls and an awaiting body holds;
 * its one field is the generator T. It takes T's name, __state and variants, so the task and
 * its await chain read as with a later rustc, which polls the coroutine directly. */
static void adopt_generator(struct adisc *d, struct fut *f)
{
	const struct adisc_future *g;

	if (f->pub.kind != ADISC_GENFUTURE || f->pub.nchildren != 1)
		return;
	g = &d->fut[f->children[0].future].pub;
	if (g->kind != ADISC_COROUTINE || g->state_off < 0)
		return;
	f->pub.name = g->name;
	f->pub.state_off = (int64_t)f->children[0].off + g->state_off;
	f->pub.state_size = g->state_size;
	f->pub.variants = g->variants;
	f->pub.nvariants = g->nvariants;
	f->pub.nchildren = 0;
}

/* Awaitees and children resolved to futures; hand-written futures' future-typed fields. */
static int link_futures(struct adisc *d)
{
	for (size_t i = 0; i < d->nfut; i++) {
		struct fut *f = &d->fut[i];
		Dwarf_Die self, m;
		unsigned cap = 0;

		for (unsigned k = 0; k < f->pub.nvariants; k++)
			f->variants[k].awaitee_future = fut_by_type(d, f->variants[k].awaitee_type);
		f->pub.ranges = f->ranges;
		f->pub.inl = f->inl;
		f->pub.inl_entry = f->inl_entry;
		if (f->pub.kind == ADISC_COROUTINE || !dwarf_offdie(d->dw, f->self_type, &self) ||
		    dwarf_child(&self, &m) != 0)
			continue;
		do {
			Dwarf_Die t;
			long fi;

			if (dwarf_tag(&m) != DW_TAG_member || ad_member_off(&m) < 0 ||
			    !ad_die_type(&m, &t) || (fi = fut_by_type(d, ad_type_qname(d, &t))) < 0 ||
			    (size_t)fi == i)
				continue;
			if (GROW(f->children, f->pub.nchildren, cap) < 0)
				return -ENOMEM;
			f->children[f->pub.nchildren++] = (struct adisc_child){
			    (uint64_t)ad_member_off(&m), ad_die_name(&m) ? ad_die_name(&m) : "?", (size_t)fi};
		} while (dwarf_siblingof(&m, &m) == 0);
		f->pub.children = f->children;
		adopt_generator(d, f);
	}
	return 0;
}

static int cmp_pcent(const void *a, const void *b)
{
	const struct pcent *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* larger ranges first: the innermost of equal starts comes last */
	return x->hi > y->hi ? -1 : x->hi < y->hi;
}

static int build_index(struct adisc *d)
{
	size_t n = 0, ne = 0;

	for (size_t i = 0; i < d->nfut; i++)
		n += d->fut[i].pub.nranges + d->fut[i].pub.ninl;
	d->pcs = calloc(n ? n : 1, sizeof(*d->pcs));
	d->entries = calloc(d->nfut ? d->nfut : 1, sizeof(*d->entries));
	if (!d->pcs || !d->entries)
		return -ENOMEM;
	for (size_t i = 0; i < d->nfut; i++) {
		const struct adisc_future *f = &d->fut[i].pub;

		for (unsigned k = 0; k < f->nranges; k++)
			d->pcs[d->npcs++] = (struct pcent){f->ranges[k].lo, f->ranges[k].hi, i, false};
		for (unsigned k = 0; k < f->ninl; k++)
			d->pcs[d->npcs++] = (struct pcent){f->inl[k].lo, f->inl[k].hi, i, true};
		if (f->entry)
			d->entries[ne++] = (struct pcent){f->entry, f->entry + 1, i, false};
	}
	d->nentries = ne;
	qsort(d->pcs, d->npcs, sizeof(*d->pcs), cmp_pcent);
	qsort(d->entries, d->nentries, sizeof(*d->entries), cmp_pcent);
	return 0;
}

/* ---- public ---- */

static bool has_units(Dwarf *dw)
{
	Dwarf_Off next;
	size_t hsize;

	return dwarf_nextcu(dw, 0, &next, &hsize, NULL, NULL, NULL) == 0;
}

struct adisc *adisc_open(const char *path)
{
	struct adisc *d = calloc(1, sizeof(*d));
	GElf_Ehdr eh;
	int ret;

	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->fd = -1;
	d->dbg_fd = -1;
	d->path = strdup(path);
	if (!d->path) {
		ret = -ENOMEM;
		goto fail;
	}
	elf_version(EV_CURRENT);
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		ret = err_set(errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	d->elf = elf_begin(d->fd, ELF_C_READ_MMAP, NULL);
	if (!d->elf || elf_kind(d->elf) != ELF_K_ELF || !gelf_getehdr(d->elf, &eh)) {
		ret = err_set(EINVAL, "%s: not an ELF file", path);
		goto fail;
	}
	d->machine = eh.e_machine;
	d->ptr_size = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4;
	d->dw = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
	if (!d->dw || !has_units(d->dw)) {
		char why[PATH_MAX + 128];

		if (d->dw)
			dwarf_end(d->dw);
		d->dw = NULL;
		if ((ret = ad_open_separate(d, why, sizeof(why))) < 0)
			goto fail;
		if (!ret) {
			ret = err_set(ENODATA,
				      "%s: no DWARF debug information%s; async tracing needs a "
				      "build with -C debuginfo=1 or more",
				      path, why);
			goto fail;
		}
	}
	ret = walk_all(d);
	if (ret == 0)
		ret = attach_instances(d);
	if (ret == 0)
		ret = link_futures(d);
	if (ret == 0)
		ret = build_index(d);
	if (ret == 0)
		ret = ad_find_vtables(d);
	if (ret < 0) {
		err_set(-ret, "%s: %s", path, strerror(-ret));
		goto fail;
	}
	return d;
fail:
	adisc_free(d);
	errno = -ret;
	return NULL;
}

void adisc_free(struct adisc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ncand; i++)
		free(d->cand[i].qname);
	for (size_t i = 0; i < d->ninst; i++)
		free(d->inst[i].r);
	for (size_t i = 0; i < d->ntn; i++)
		free(d->tn[i].qname);
	for (size_t i = 0; i < d->nsv; i++)
		free(d->sv[i].qname);
	for (size_t i = 0; i < d->nfut; i++) {
		struct fut *f = &d->fut[i];
		free(f->ranges);
		free(f->inl);
		free(f->inl_entry);
		free(f->variants);
		free(f->children);
		free(f->name);
		free(f->type_name);
		free(f->poll_type);
	}
	free(d->cand);
	free(d->inst);
	free(d->tn);
	free(d->sv);
	free(d->fut);
	free(d->pcs);
	free(d->entries);
	free(d->vt);
	free(d->wfn);
	free(d->tr);
	if (d->dw)
		dwarf_end(d->dw);
	if (d->elf)
		elf_end(d->elf);
	if (d->fd >= 0)
		close(d->fd);
	if (d->dbg_elf)
		elf_end(d->dbg_elf);
	if (d->dbg_fd >= 0)
		close(d->dbg_fd);
	free(d->dbg_path);
	free(d->path);
	free(d);
}

const char *adisc_path(const struct adisc *d)
{
	return d->path;
}

unsigned adisc_machine(const struct adisc *d)
{
	return d->machine;
}

unsigned adisc_ptr_size(const struct adisc *d)
{
	return d->ptr_size;
}

const char *adisc_rustc(const struct adisc *d)
{
	return d->have_rustc ? d->rustc : NULL;
}

size_t adisc_nfutures(const struct adisc *d)
{
	return d->nfut;
}

const struct adisc_future *adisc_future(const struct adisc *d, size_t i)
{
	return i < d->nfut ? &d->fut[i].pub : NULL;
}

size_t adisc_index(const struct adisc *d, const struct adisc_future *f)
{
	/* pub is the first member of struct fut */
	return (size_t)((const struct fut *)(const void *)f - d->fut);
}

size_t ad_search(const void *base, size_t n, size_t size, size_t key_off, uint64_t key)
{
	const char *p = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t k;

		memcpy(&k, p + mid * size + key_off, sizeof(k));
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct adisc_future *adisc_by_entry(const struct adisc *d, uint64_t pc)
{
	size_t i = ad_lower_bound(d->entries, d->nentries, pc);

	return i < d->nentries && d->entries[i].lo == pc ? &d->fut[d->entries[i].fidx].pub : NULL;
}

const struct adisc_future *adisc_by_pc(const struct adisc *d, uint64_t pc, bool *inlined)
{
	const struct pcent *best = NULL;

	/* ranges nest (inlined copies inside their caller): the smallest one holding pc wins */
	for (size_t i = 0; i < d->npcs && d->pcs[i].lo <= pc; i++)
		if (pc < d->pcs[i].hi && (!best || d->pcs[i].hi - d->pcs[i].lo <= best->hi - best->lo))
			best = &d->pcs[i];
	if (!best)
		return NULL;
	if (inlined)
		*inlined = best->inlined;
	return &d->fut[best->fidx].pub;
}

const struct adisc_variant *adisc_variant(const struct adisc_future *f, uint64_t state)
{
	/* rustc numbers the variants 0, 1, 2, ... in order: try the direct hit first */
	if (state < f->nvariants && f->variants[state].discr == state)
		return &f->variants[state];
	for (unsigned i = 0; i < f->nvariants; i++)
		if (f->variants[i].discr == state)
			return &f->variants[i];
	return NULL;
}

int adisc_poll_pending(const struct adisc_poll *p, const uint64_t regs[2], const uint8_t *mem)
{
	uint8_t buf[16];
	uint64_t v = 0;

	if (!p->discr_size)
		return -1;
	if (p->ret == ADISC_RET_REGS) {
		memcpy(buf, regs, 16);
		mem = buf;
		if (p->discr_off + p->discr_size > 16)
			return -1;
	} else if (!mem || p->discr_off + p->discr_size > p->size) {
		return -1;
	}
	memcpy(&v, mem + p->discr_off, p->discr_size); /* little-endian host and targets */
	return v == p->pending;
}

static const char *kind_name(unsigned k)
{
	return k == ADISC_COROUTINE ? "coroutine" : k == ADISC_GENFUTURE ? "genfuture" : "poll";
}

void adisc_print(const struct adisc *d, FILE *f)
{
	fprintf(f, "%s: rustc %s, %zu futures, %zu waker vtables\n", d->path,
		d->have_rustc ? d->rustc : "?", d->nfut, d->nvt);
	for (size_t i = 0; i < d->nfut; i++) {
		const struct adisc_future *u = &d->fut[i].pub;

		fprintf(f, "%s %s\n  type %s size %llu", kind_name(u->kind), u->name, u->type_name,
			(unsigned long long)u->size);
		if (u->state_off >= 0)
			fprintf(f, " __state +%lld/%u", (long long)u->state_off, u->state_size);
		fprintf(f, "\n  entry 0x%llx, %u ranges, %u inlined ranges\n",
			(unsigned long long)u->entry, u->nranges, u->ninl);
		fprintf(f, "  returns %s (%llu bytes, %s)", u->poll.type ? u->poll.type : "?",
			(unsigned long long)u->poll.size,
			u->poll.ret == ADISC_RET_PTR ? "via return pointer" : "in registers");
		if (u->poll.discr_size)
			fprintf(f, ", Pending = %llu at +%u/%u", (unsigned long long)u->poll.pending,
				u->poll.discr_off, u->poll.discr_size);
		fputc('\n', f);
		for (unsigned k = 0; k < u->nvariants; k++) {
			const struct adisc_variant *v = &u->variants[k];

			fprintf(f, "  %llu %s", (unsigned long long)v->discr, v->name);
			if (v->file)
				fprintf(f, " at %s:%u", v->file, v->line);
			if (v->awaitee_off >= 0)
				fprintf(f, " awaits %s at +%lld", v->awaitee_type ? v->awaitee_type : "?",
					(long long)v->awaitee_off);
			fputc('\n', f);
		}
		for (unsigned k = 0; k < u->nchildren; k++)
			fprintf(f, "  field %s at +%llu: %s\n", u->children[k].name,
				(unsigned long long)u->children[k].off,
				d->fut[u->children[k].future].pub.type_name);
	}
	for (size_t i = 0; i < d->nvt; i++) {
		const struct adisc_vtable *v = &d->vt[i];

		fprintf(f, "vtable %s at 0x%llx:", v->name ? v->name : "?",
			(unsigned long long)v->addr);
		for (int k = 0; k < 4; k++)
			fprintf(f, " %s=0x%llx", ad_vt_fields[k], (unsigned long long)v->fn[k]);
		fputc('\n', f);
	}
}
