/* funcs — see funcs.h. Names come from src/symbols (one symbol per address, aliases resolved,
 * demangled); this file only adds the file offsets and the filtering. */
#include "ebpf/funcs.h"
#include "symbols/symbols.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LOADS 32

struct load {
	uint64_t vaddr, filesz, off;
};

struct funcs {
	struct symtab *syms; /* owns the names */
	struct func *f;
	size_t n;
	uint64_t base;
	int pie;
	struct load ld[MAX_LOADS];
	int nld;
};

/* PT_LOAD segments that hold code. Returns how many, or -errno with err_set(). */
static int read_loads(const char *path, struct load *ld, uint64_t *base, int *pie)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0, ret = 0;
	Elf *e = NULL;
	GElf_Ehdr eh;
	size_t nph;

	if (fd < 0)
		return err_set(errno, "%s: %s", path, strerror(errno));
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &nph)) {
		ret = err_set(EINVAL, "%s: not an ELF file", path);
		goto out;
	}
	if (eh.e_machine != EM_X86_64) {
		ret = err_set(EINVAL, "%s: not an x86-64 program (strata record traces native x86-64 "
				      "processes)", path);
		goto out;
	}
	*pie = eh.e_type == ET_DYN;
	*base = UINT64_MAX;
	for (size_t i = 0; i < nph && n < MAX_LOADS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if ((ph.p_vaddr & ~(uint64_t)0xfff) < *base)
			*base = ph.p_vaddr & ~(uint64_t)0xfff;
		if (ph.p_flags & PF_X)
			ld[n++] = (struct load){ph.p_vaddr, ph.p_filesz, ph.p_offset};
	}
	ret = n;
out:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

static int file_offset(const struct load *ld, int n, uint64_t vaddr, uint64_t *off)
{
	for (int i = 0; i < n; i++)
		if (vaddr >= ld[i].vaddr && vaddr < ld[i].vaddr + ld[i].filesz) {
			*off = vaddr - ld[i].vaddr + ld[i].off;
			return 0;
		}
	return -ENOENT;
}

struct funcs *funcs_load(const char *path, const char *const *re, unsigned nre)
{
	struct funcs *f = calloc(1, sizeof(*f));
	regex_t *rx = nre ? calloc(nre, sizeof(*rx)) : NULL;
	struct load ld[MAX_LOADS];
	unsigned ncomp = 0;
	int nld;

	if (!f || (nre && !rx)) {
		err_set(ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	for (; ncomp < nre; ncomp++) {
		int rc = regcomp(&rx[ncomp], re[ncomp], REG_EXTENDED | REG_NOSUB);

		if (rc) {
			char msg[128];

			regerror(rc, &rx[ncomp], msg, sizeof(msg));
			err_set(EINVAL, "--filter %s: %s", re[ncomp], msg);
			goto fail;
		}
	}
	nld = read_loads(path, ld, &f->base, &f->pie);
	if (nld < 0)
		goto fail;
	memcpy(f->ld, ld, sizeof(ld));
	f->nld = nld;
	f->syms = symtab_load(path, 0, 0);
	if (!f->syms) {
		err_set(EINVAL, "%s: no function symbols (stripped?)", path);
		goto fail;
	}
	f->f = calloc(symtab_count(f->syms) + 1, sizeof(*f->f));
	if (!f->f) {
		err_set(ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	for (size_t i = 0; i < symtab_count(f->syms); i++) {
		const struct sym *s = symtab_at(f->syms, i);
		struct func fn = {s->name, s->addr, s->size, 0};
		bool want = !nre;

		/* unsized symbols are labels or PLT stubs, not functions a probe should stop in */
		if (!s->size || file_offset(ld, nld, s->addr, &fn.foff))
			continue;
		for (unsigned k = 0; k < nre && !want; k++)
			want = !regexec(&rx[k], s->name, 0, NULL, 0);
		if (want)
			f->f[f->n++] = fn;
	}
	for (unsigned k = 0; k < ncomp; k++)
		regfree(&rx[k]);
	free(rx);
	return f;
fail:
	for (unsigned k = 0; k < ncomp; k++)
		regfree(&rx[k]);
	free(rx);
	funcs_free(f);
	return NULL;
}

void funcs_free(struct funcs *f)
{
	if (!f)
		return;
	symtab_free(f->syms);
	free(f->f);
	free(f);
}

size_t funcs_count(const struct funcs *f)
{
	return f->n;
}

const struct func *funcs_at(const struct funcs *f, size_t i)
{
	return &f->f[i];
}

uint64_t funcs_base(const struct funcs *f)
{
	return f->base;
}

int funcs_is_pie(const struct funcs *f)
{
	return f->pie;
}

int funcs_file_offset(const struct funcs *f, uint64_t vaddr, uint64_t *off)
{
	return file_offset(f->ld, f->nld, vaddr, off);
}
