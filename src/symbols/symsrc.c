/* symsrc — the source line of a function's entry, from the DWARF line table (libdw) of the ELF
 * whose symbol table holds the address. A table loaded at a bias (a shared object, a PIE) is
 * looked up at addr - bias, the address DWARF speaks of. Files are opened on first use, and
 * each address is looked up once: the views ask at every call. */
#define _GNU_SOURCE
#include "symbols/symbols.h"
#include "symbols/symtab_impl.h"

#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct symsrc_file {
	Dwarf *dw; /* NULL: not opened yet, or no DWARF */
	int fd;
	bool tried;
};

struct symsrc_slot {
	uint64_t addr;
	int priv;
	bool used;
	char *line; /* NULL: DWARF has no line for addr */
};

struct symsrc {
	const struct symset *set;
	struct symsrc_file *files; /* one per table of set */
	size_t nfiles;
	struct symsrc_slot *slots; /* open addressing, a power of two */
	size_t nslots, used;
};

struct symsrc *symsrc_new(const struct symset *set)
{
	struct symsrc *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->set = set;
	s->nfiles = set ? symset_ntables(set) : 0;
	s->nslots = 256;
	s->files = calloc(s->nfiles ? s->nfiles : 1, sizeof(*s->files));
	s->slots = calloc(s->nslots, sizeof(*s->slots));
	if (!s->files || !s->slots) {
		symsrc_free(s);
		return NULL;
	}
	return s;
}

void symsrc_free(struct symsrc *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->files && i < s->nfiles; i++) {
		if (s->files[i].dw) {
			dwarf_end(s->files[i].dw);
			close(s->files[i].fd);
		}
	}
	for (size_t i = 0; s->slots && i < s->nslots; i++)
		free(s->slots[i].line);
	free(s->files);
	free(s->slots);
	free(s);
}

static Dwarf *file_dwarf(struct symsrc *s, size_t i)
{
	struct symsrc_file *f = &s->files[i];

	if (f->tried)
		return f->dw;
	f->tried = true;
	f->fd = open(symtab_path(symset_table(s->set, i)), O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return NULL; /* the file is gone since the trace was written: no lines */
	if (!(f->dw = dwarf_begin(f->fd, DWARF_C_READ)))
		close(f->fd);
	return f->dw;
}

/* "FILE:LINE" of addr, or NULL (no table holds it, no DWARF, no line). malloc'd. */
static char *find_line(struct symsrc *s, int priv, uint64_t addr)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct symtab *t = symset_table(s->set, i);
		Dwarf_Die cu;
		Dwarf_Line *l;
		const char *file;
		int line;
		char *out;
		Dwarf *dw;

		if ((priv != SYM_PRIV_ANY && t->priv != SYM_PRIV_ANY && t->priv != priv) ||
		    !symtab_lookup(t, addr))
			continue;
		uint64_t at = addr - (uint64_t)t->offset;
		if (!(dw = file_dwarf(s, i)) || !dwarf_addrdie(dw, at, &cu) ||
		    !(l = dwarf_getsrc_die(&cu, at)) || !(file = dwarf_linesrc(l, NULL, NULL)) ||
		    dwarf_lineno(l, &line) || line <= 0)
			return NULL;
		if (asprintf(&out, "%s:%d", file, line) < 0)
			return NULL;
		return out;
	}
	return NULL;
}

static struct symsrc_slot *slot_of(struct symsrc_slot *slots, size_t n, int priv, uint64_t addr)
{
	size_t h = (size_t)((addr ^ (uint64_t)priv) * 0x9e3779b97f4a7c15ull >> 32) & (n - 1);

	while (slots[h].used && (slots[h].addr != addr || slots[h].priv != priv))
		h = (h + 1) & (n - 1);
	return &slots[h];
}

static int grow(struct symsrc *s)
{
	size_t n = s->nslots * 2;
	struct symsrc_slot *ns = calloc(n, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].used)
			*slot_of(ns, n, s->slots[i].priv, s->slots[i].addr) = s->slots[i];
	free(s->slots);
	s->slots = ns;
	s->nslots = n;
	return 0;
}

const char *symsrc_line(struct symsrc *s, int priv, uint64_t addr)
{
	if (!s || !s->nfiles)
		return NULL;
	if (2 * (s->used + 1) > s->nslots && grow(s))
		return NULL;
	struct symsrc_slot *sl = slot_of(s->slots, s->nslots, priv, addr);
	if (!sl->used) {
		sl->used = true;
		sl->addr = addr;
		sl->priv = priv;
		sl->line = find_line(s, priv, addr);
		s->used++;
	}
	return sl->line;
}
