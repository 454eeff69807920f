/* report — `strata report`: top functions by self and total instructions per hart and privilege
 * level, traps by cause, SBI calls by extension and function, syscalls by name, timer
 * programming that needs no trap (Sstc's stimecmp writes, recorded by etrace as marks). */
#include "views/view.h"
#include "views/vmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fkey {
	unsigned hart, priv;
	const char *name; /* interned by the analysis */
};
struct fval {
	uint64_t calls, self, total;
	uint64_t addr; /* the function's entry: its source line */
};
struct tkey {
	const char *name;
	unsigned from, to;
};
struct ckey {
	const char *name;
	uint64_t id;
};

struct report {
	FILE *out;
	struct view_opts o;
	struct vmap *funcs, *traps, *sbi, *sys, *timers;
	struct vmap *hyp, *exits; /* hypercalls (SBI calls from VS); guest exits by cause */
};

static void *report_begin(FILE *out, const struct view_opts *o)
{
	struct report *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->out = out;
	r->o = *o;
	if (!r->o.top)
		r->o.top = 20;
	r->funcs = vmap_new(sizeof(struct fval));
	r->traps = vmap_new(sizeof(uint64_t));
	r->sbi = vmap_new(sizeof(uint64_t));
	r->sys = vmap_new(sizeof(uint64_t));
	r->timers = vmap_new(sizeof(uint64_t));
	r->hyp = vmap_new(sizeof(uint64_t));
	r->exits = vmap_new(sizeof(uint64_t));
	if (!r->funcs || !r->traps || !r->sbi || !r->sys || !r->timers || !r->hyp || !r->exits) {
		vmap_free(r->hyp);
		vmap_free(r->exits);
		vmap_free(r->funcs);
		vmap_free(r->traps);
		vmap_free(r->sbi);
		vmap_free(r->sys);
		vmap_free(r->timers);
		free(r);
		return NULL;
	}
	return r;
}

static int count(struct vmap *m, const void *key, size_t len)
{
	uint64_t *n = vmap_get(m, key, len, NULL);
	if (!n)
		return -ENOMEM;
	++*n;
	return 0;
}

static int report_event(void *v, const struct ana_ev *e)
{
	struct report *r = v;
	switch (e->kind) {
	case ANA_EXIT: {
		struct fkey k = {e->hart, e->priv, e->name};
		struct fval *f = vmap_get(r->funcs, &k, sizeof(k), NULL);
		if (!f)
			return -ENOMEM;
		f->calls++;
		f->addr = e->stack[e->depth - 1].addr;
		f->self += e->self_insns;
		if (!e->stack[e->depth - 1].recursive) /* the outermost activation has it all */
			f->total += e->total_insns;
		return 0;
	}
	case ANA_TRAP: {
		struct tkey k = {e->name, e->priv, e->ev->new_priv};
		if (ana_guest_exit(e->ev) && count(r->exits, &k, sizeof(k)))
			return -ENOMEM;
		return count(r->traps, &k, sizeof(k));
	}
	case ANA_SBI_BEGIN: {
		struct ckey k = {e->name, e->id};
		return count(e->priv == TEV_VS ? r->hyp : r->sbi, &k, sizeof(k));
	}
	case ANA_SYS_BEGIN: {
		struct ckey k = {e->name, e->id};
		return count(r->sys, &k, sizeof(k));
	}
	case ANA_MARK: {
		/* "timer CSR=VALUE ...", written by the CPU's etrace hook; "hvip=VALUE ..." */
		static const char *const csrs[] = {"stimecmp", "vstimecmp"};
		if (!strncmp(e->text, "hvip=", 5)) {
			struct ckey k = {"hvip (injected interrupts)", e->hart};
			return count(r->timers, &k, sizeof(k));
		}
		for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++) {
			size_t n = strlen(csrs[i]);
			if (!strncmp(e->text, "timer ", 6) && !strncmp(e->text + 6, csrs[i], n) &&
			    e->text[6 + n] == '=') {
				struct ckey k = {csrs[i], e->hart};
				return count(r->timers, &k, sizeof(k));
			}
		}
		return 0;
	}
	default:
		return 0;
	}
}

static const struct vmap *sort_map;
static int sort_by_total;

static unsigned priv_rank(unsigned priv)
{
	/* the host's levels first (M, S/HS, U), then a hypervisor's guest (VS, VU) */
	return priv == 3 ? 0 : priv == 1 ? 1 : priv == 0 ? 2 : priv == 5 ? 3 : 4;
}

static int by_func(const void *pa, const void *pb)
{
	const void *ka, *kb;
	const struct fval *a = vmap_at(sort_map, *(const size_t *)pa, &ka, NULL);
	const struct fval *b = vmap_at(sort_map, *(const size_t *)pb, &kb, NULL);
	const struct fkey *x = ka, *y = kb;
	if (x->hart != y->hart)
		return x->hart < y->hart ? -1 : 1;
	if (x->priv != y->priv)
		return priv_rank(x->priv) < priv_rank(y->priv) ? -1 : 1;
	uint64_t va = sort_by_total ? a->total : a->self, vb = sort_by_total ? b->total : b->self;
	if (va != vb)
		return va > vb ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Entries whose value is a count, most first (ties by name; the name leads every key). */
static int by_count(const void *pa, const void *pb)
{
	const void *ka, *kb;
	const uint64_t *a = vmap_at(sort_map, *(const size_t *)pa, &ka, NULL);
	const uint64_t *b = vmap_at(sort_map, *(const size_t *)pb, &kb, NULL);
	if (*a != *b)
		return *a > *b ? -1 : 1;
	return strcmp(*(const char *const *)ka, *(const char *const *)kb);
}

static size_t *sorted(const struct vmap *m, int (*cmp)(const void *, const void *))
{
	size_t n = vmap_count(m);
	size_t *ix = malloc((n ? n : 1) * sizeof(*ix));
	if (!ix)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	sort_map = m;
	qsort(ix, n, sizeof(*ix), cmp);
	return ix;
}

static int print_funcs(struct report *r, int total)
{
	sort_by_total = total;
	size_t *ix = sorted(r->funcs, by_func);
	if (!ix)
		return -ENOMEM;
	size_t n = vmap_count(r->funcs);
	const struct fkey *group = NULL;
	unsigned shown = 0;
	for (size_t i = 0; i < n; i++) {
		const void *kp;
		const struct fval *f = vmap_at(r->funcs, ix[i], &kp, NULL);
		const struct fkey *k = kp;
		if (!group || group->hart != k->hart || group->priv != k->priv) {
			group = k;
			shown = 0;
			fprintf(r->out, "\nhart %u, %s mode: functions by %s instructions\n",
				k->hart, ana_level_name(k->priv), total ? "total" : "self");
			fprintf(r->out, "%14s %14s %10s  %s\n", "self", "total", "calls",
				"function");
		}
		if (shown++ < r->o.top) {
			const char *line = view_srcline(&r->o, k->priv, f->addr);
			fprintf(r->out, "%14" PRIu64 " %14" PRIu64 " %10" PRIu64 "  %s%s%s\n", f->self,
				f->total, f->calls, k->name, line ? "  " : "", line ? line : "");
		}
	}
	free(ix);
	return 0;
}

static int print_counts(struct report *r, struct vmap *m, const char *title, int what)
{
	if (!vmap_count(m))
		return 0;
	size_t *ix = sorted(m, by_count);
	if (!ix)
		return -ENOMEM;
	fprintf(r->out, "\n%s\n", title);
	const struct ana_names_ops *nm = r->o.names;
	for (size_t i = 0; i < vmap_count(m); i++) {
		const void *kp;
		const uint64_t *c = vmap_at(m, ix[i], &kp, NULL);
		if (what == 0) {
			const struct tkey *k = kp;
			fprintf(r->out, "%14" PRIu64 "  %-20s %s -> %s\n", *c, k->name,
				ana_level_name(k->from), ana_level_name(k->to));
		} else if (what == 1) {
			const struct ckey *k = kp;
			const char *ext = nm && nm->sbi_ext ? nm->sbi_ext(k->id) : NULL;
			char eb[24];
			if (!ext) {
				snprintf(eb, sizeof(eb), "0x%" PRIx64, k->id);
				ext = eb;
			}
			fprintf(r->out, "%14" PRIu64 "  %-12s %s\n", *c, ext, k->name);
		} else if (what == 2) {
			const struct ckey *k = kp;
			fprintf(r->out, "%14" PRIu64 "  %s (%" PRIu64 ")\n", *c, k->name, k->id);
		} else {
			const struct ckey *k = kp;
			fprintf(r->out, "%14" PRIu64 "  %s writes on hart %" PRIu64 "\n", *c, k->name,
				k->id);
		}
	}
	free(ix);
	return 0;
}

static int report_end(void *v, const struct ana_stats *st)
{
	struct report *r = v;
	fprintf(r->out,
		"%" PRIu64 " events; %" PRIu64 " unmatched returns, %" PRIu64
		" stack resyncs, %" PRIu64 " xRETs without a trap, deepest stack %u\n",
		st->events, st->unmatched_rets, st->resyncs, st->unmatched_xrets, st->max_depth);
	int rc = print_funcs(r, 0);
	if (!rc)
		rc = print_funcs(r, 1);
	if (!rc)
		rc = print_counts(r, r->traps, "traps by cause", 0);
	if (!rc)
		rc = print_counts(r, r->exits, "guest exits by cause (a hypervisor's guest, VS/VU)", 0);
	if (!rc)
		rc = print_counts(r, r->sbi, "SBI calls by extension and function", 1);
	if (!rc)
		rc = print_counts(r, r->hyp,
				  "hypercalls (SBI calls from a guest's VS: to the hypervisor, or to "
				  "M) by extension and function",
				  1);
	if (!rc)
		rc = print_counts(r, r->sys, "syscalls by name (number)", 2);
	if (!rc)
		rc = print_counts(r, r->timers, "timer programming without a trap (etrace)", 3);
	if (!rc && ferror(r->out))
		rc = -EIO;
	vmap_free(r->funcs);
	vmap_free(r->traps);
	vmap_free(r->sbi);
	vmap_free(r->sys);
	vmap_free(r->timers);
	vmap_free(r->hyp);
	vmap_free(r->exits);
	free(r);
	return rc;
}

const struct view_ops view_report = {
    .name = "report", .begin = report_begin, .event = report_event, .end = report_end};
