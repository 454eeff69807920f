/* symset — the symbol tables of a run (firmware, kernel, programs), each bound to a privilege.
 * symset_is_entry runs on every rd=x0 jump while ftrace records, so entry addresses are kept in
 * one open-addressing hash set per queried privilege, rebuilt when a table is added. */
#include <errno.h>
#include <stdlib.h>

#include "symbols/symtab_impl.h"

/* Hash sets for levels 0..5 (U, S, -, M, VU, VS), and [NPRIV_SETS - 1] for a query with
 * SYM_PRIV_ANY. */
#define NPRIV_SETS 7

struct entryset {
	uint64_t *slots; /* 0 = empty; address 0 itself is has_zero */
	size_t mask;
	bool has_zero;
};

struct symset {
	struct symtab **tabs;
	size_t n, cap;
	struct entryset entries[NPRIV_SETS];
};

static inline size_t hash_addr(uint64_t a, size_t mask)
{
	return (size_t)((a * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static void entryset_insert(struct entryset *e, uint64_t a)
{
	if (a == 0) {
		e->has_zero = true;
		return;
	}
	size_t i = hash_addr(a, e->mask);
	while (e->slots[i] != 0 && e->slots[i] != a)
		i = (i + 1) & e->mask;
	e->slots[i] = a;
}

static inline bool entryset_has(const struct entryset *e, uint64_t a)
{
	if (a == 0)
		return e->has_zero;
	if (!e->slots)
		return false;
	for (size_t i = hash_addr(a, e->mask);; i = (i + 1) & e->mask) {
		if (e->slots[i] == a)
			return true;
		if (e->slots[i] == 0)
			return false;
	}
}

/* Does a table bound to tpriv serve a query for qpriv? */
static bool serves(int tpriv, int qpriv)
{
	return qpriv == SYM_PRIV_ANY || tpriv == SYM_PRIV_ANY || tpriv == qpriv;
}

static int entryset_build(struct entryset *e, const struct symset *s, int qpriv)
{
	size_t total = 0;
	for (size_t i = 0; i < s->n; i++)
		if (serves(s->tabs[i]->priv, qpriv))
			total += s->tabs[i]->count;
	size_t cap = 16;
	while (cap < 2 * total) /* load factor at most 1/2 keeps probes short */
		cap *= 2;
	uint64_t *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(e->slots);
	*e = (struct entryset){.slots = slots, .mask = cap - 1};
	for (size_t i = 0; i < s->n; i++) {
		const struct symtab *t = s->tabs[i];
		if (!serves(t->priv, qpriv))
			continue;
		for (size_t j = 0; j < t->count; j++)
			entryset_insert(e, t->syms[j].addr);
	}
	return 0;
}

struct symset *symset_new(void)
{
	return calloc(1, sizeof(struct symset));
}

void symset_free(struct symset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		symtab_free(s->tabs[i]);
	for (int i = 0; i < NPRIV_SETS; i++)
		free(s->entries[i].slots);
	free(s->tabs);
	free(s);
}

int symset_add(struct symset *s, struct symtab *t)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		struct symtab **tabs = realloc(s->tabs, cap * sizeof(*tabs));
		if (!tabs)
			return -ENOMEM;
		s->tabs = tabs;
		s->cap = cap;
	}
	s->tabs[s->n++] = t;
	for (int p = 0; p < NPRIV_SETS; p++) {
		int rc = entryset_build(&s->entries[p], s, p == NPRIV_SETS - 1 ? SYM_PRIV_ANY : p);
		if (rc < 0) {
			s->n--;			    /* not added: the caller keeps t */
			for (int q = 0; q < p; q++) /* back to sets without t */
				if (entryset_build(&s->entries[q], s,
						   q == NPRIV_SETS - 1 ? SYM_PRIV_ANY : q) < 0)
					break;
			return rc;
		}
	}
	return 0;
}

size_t symset_ntables(const struct symset *s)
{
	return s->n;
}

struct symtab *symset_table(const struct symset *s, size_t i)
{
	return i < s->n ? s->tabs[i] : NULL;
}

const struct sym *symset_lookup(const struct symset *s, int priv, uint64_t addr)
{
	/* Tables bound to exactly priv first (a kernel's symbols over a firmware's that claims the
	 * same addresses for any mode), then those bound to any privilege; in order of adding. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->n; i++) {
			int tp = s->tabs[i]->priv;
			bool match = pass == 0 ? tp == priv || priv == SYM_PRIV_ANY
					       : tp == SYM_PRIV_ANY && priv != SYM_PRIV_ANY;
			if (!match)
				continue;
			const struct sym *r = symtab_lookup(s->tabs[i], addr);
			if (r)
				return r;
		}
	}
	return NULL;
}

bool symset_is_entry(const struct symset *s, int priv, uint64_t addr)
{
	if (priv == SYM_PRIV_ANY)
		return entryset_has(&s->entries[NPRIV_SETS - 1], addr);
	if (priv < 0 || priv > NPRIV_SETS - 2)
		return false;
	return entryset_has(&s->entries[priv], addr);
}
