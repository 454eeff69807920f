/* files — the symbol files given with --sym FILE@m|s|u, served to GDB as its executable and
 * a library list (qXfer:libraries:read) that follows the code running at each stop: files
 * whose addresses overlap no other's are always listed; of overlapping files, the one of the
 * stopped privilege level applies (a file without a level yields to one with it), and a user
 * program only while its first code bytes are what the current address space maps there (the
 * rules of strata's own stub, docs/GDB.md, here over the upstream's registers and memory). */
#include "async/picture.h"
#include "attach/att_impl.h"
#include "gdb/xml.h"
#include "symbols/symbols.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int elf_info(const char *opt, struct att_filei *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC), rc = -EINVAL;
	Elf *e = NULL;
	GElf_Ehdr eh;
	size_t n;
	bool any = false;

	if (fd < 0)
		return err_set(errno, "--sym %s: %s", opt, strerror(errno));
	elf_version(EV_CURRENT);
	if (!(e = elf_begin(fd, ELF_C_READ, NULL)) || elf_kind(e) != ELF_K_ELF ||
	    !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &n) < 0) {
		err_set(EINVAL, "--sym %s: not an ELF file", opt);
		goto out;
	}
	f->machine = eh.e_machine;
	f->lo = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		any = true;
		if (ph.p_vaddr < f->lo)
			f->lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > f->hi)
			f->hi = ph.p_vaddr + ph.p_memsz;
		if (!f->siglen && (ph.p_flags & PF_X) && ph.p_filesz) {
			size_t k = ph.p_filesz < sizeof(f->sig) ? ph.p_filesz : sizeof(f->sig);

			if (pread(fd, f->sig, k, (off_t)ph.p_offset) == (ssize_t)k) {
				f->sig_addr = ph.p_vaddr;
				f->siglen = (unsigned)k;
			}
		}
	}
	if (!any) {
		err_set(EINVAL, "--sym %s: no loadable segment", opt);
		goto out;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

static bool overlap(const struct att_filei *a, const struct att_filei *b)
{
	return a->lo < b->hi && b->lo < a->hi;
}

static bool contested(const struct att_proxy *p, unsigned i)
{
	for (unsigned j = 0; j < p->nfiles; j++)
		if (j != i && overlap(&p->files[i], &p->files[j]))
			return true;
	return false;
}

int att_files_load(struct att_proxy *p)
{
	for (unsigned i = 0; i < p->cfg->nfiles && i < ATT_MAX_FILES; i++) {
		struct att_filei *f = &p->files[i];
		char abs[PATH_MAX];
		int rc;

		f->path =
		    strdup(realpath(p->cfg->files[i].path, abs) ? abs : p->cfg->files[i].path);
		f->priv = p->cfg->files[i].priv;
		p->nfiles++;
		if (!f->path)
			return err_set(ENOMEM, "attach: out of memory");
		if ((rc = elf_info(p->cfg->files[i].path, f)) < 0)
			return rc;
	}
	for (unsigned i = 0; i < p->nfiles && p->exec < 0; i++)
		if (!contested(p, i))
			p->exec = (int)i;
	for (unsigned i = 0; i < p->nfiles; i++)
		if ((int)i != p->exec && !contested(p, i))
			p->cur |= 1u << i;
	p->reported = p->cur;
	return 0;
}

void att_files_free(struct att_proxy *p)
{
	for (unsigned i = 0; i < p->nfiles; i++)
		free(p->files[i].path);
	p->nfiles = 0;
	symset_free(p->syms);
	p->syms = NULL;
	apic_free(p->apic);
	p->apic = NULL;
}

/* How well file i fits code running at priv: 2 its level, 1 any level, 0 not at all. */
static int fit(struct att_proxy *p, unsigned i, int priv)
{
	struct att_filei *f = &p->files[i];
	uint8_t buf[sizeof(f->sig)];

	if (f->priv >= 0 && f->priv != priv)
		return 0;
	if (f->priv == 0 && f->siglen &&
	    (att_read_mem(p, f->sig_addr, buf, f->siglen) < 0 || memcmp(buf, f->sig, f->siglen)))
		return 0; /* another program's address space */
	return f->priv == priv ? 2 : 1;
}

bool att_files_update(struct att_proxy *p, int priv)
{
	int score[ATT_MAX_FILES];
	uint32_t cur = 0;

	for (unsigned i = 0; i < p->nfiles; i++)
		score[i] = contested(p, i) ? fit(p, i, priv) : 3;
	for (unsigned i = 0; i < p->nfiles; i++) {
		bool best = score[i] > 0;

		for (unsigned j = 0; j < p->nfiles && best; j++)
			if (j != i && overlap(&p->files[i], &p->files[j]) &&
			    (score[j] > score[i] || (score[j] == score[i] && j < i)))
				best = false;
		if (best && (int)i != p->exec)
			cur |= 1u << i;
	}
	p->cur = cur;
	return cur != p->reported;
}

void att_xfer_reply(struct att_proxy *p, const char *doc, size_t len, const char *offlen)
{
	char *end, *r;
	unsigned long long off = strtoull(offlen, &end, 16), n;

	if (*end != ',') {
		att_gdb_send(p, "E01", 3);
		return;
	}
	n = strtoull(end + 1, NULL, 16);
	if (off >= len) {
		att_gdb_send(p, "l", 1);
		return;
	}
	if (n > len - off)
		n = len - off;
	if (n > RSP_MAX_PACKET - 1)
		n = RSP_MAX_PACKET - 1;
	if (!(r = malloc(n + 1)))
		return;
	r[0] = off + n < len ? 'm' : 'l';
	memcpy(r + 1, doc + off, n);
	att_gdb_send(p, r, n + 1);
	free(r);
}

void att_files_xfer_libs(struct att_proxy *p, const char *offlen)
{
	struct gdb_library libs[ATT_MAX_FILES];
	unsigned n = 0;

	if (strtoull(offlen, NULL, 16) == 0 || !p->libxml) { /* a new read: the list of now */
		for (unsigned i = 0; i < p->nfiles; i++)
			if (p->cur & (1u << i))
				libs[n++] = (struct gdb_library){p->files[i].path, p->files[i].lo};
		free(p->libxml);
		p->libxml = NULL;
		if (gdb_xml_libraries(libs, n, &p->libxml, &p->libxml_len) < 0) {
			att_gdb_send(p, "E01", 3);
			return;
		}
		p->reported = p->cur;
	}
	att_xfer_reply(p, p->libxml, p->libxml_len, offlen);
}

void att_files_xfer_exec(struct att_proxy *p, const char *offlen)
{
	if (p->exec < 0) {
		att_gdb_send(p, "E01", 3);
		return;
	}
	att_xfer_reply(p, p->files[p->exec].path, strlen(p->files[p->exec].path), offlen);
}

enum att_arch att_files_arch(const struct att_proxy *p)
{
	if (!p->nfiles)
		return ARCH_UNKNOWN;
	return p->files[0].machine == EM_X86_64	 ? ARCH_X86_64
	       : p->files[0].machine == EM_RISCV ? ARCH_RISCV64
						 : ARCH_UNKNOWN;
}

static void load_syms(struct att_proxy *p)
{
	if (!p->syms) {
		if (!(p->syms = symset_new()))
			return;
		for (unsigned i = 0; i < p->nfiles; i++) {
			struct symtab *t = symtab_load(p->files[i].path, p->files[i].priv, 0);

			if (t && symset_add(p->syms, t) < 0)
				symtab_free(t);
		}
		err_clear();
	}
}

uint64_t att_files_symbol(const struct att_proxy *pc, const char *name)
{
	struct att_proxy *p = (struct att_proxy *)pc; /* the symbols are a cache */
	const struct sym *s;

	load_syms(p);
	s = p->syms ? symset_find(p->syms, name) : NULL;
	return s ? s->addr : 0;
}

void att_files_each_symbol(const struct att_proxy *pc, const char *prefix,
			   void (*fn)(void *ctx, const char *name, uint64_t addr), void *ctx)
{
	struct att_proxy *p = (struct att_proxy *)pc;
	size_t plen = strlen(prefix);

	load_syms(p);
	for (size_t t = 0; p->syms && t < symset_ntables(p->syms); t++) {
		const struct symtab *tab = symset_table(p->syms, t);

		for (size_t i = 0; i < symtab_count(tab); i++) {
			const struct sym *s = symtab_at(tab, i);

			if (!strncmp(s->name, prefix, plen))
				fn(ctx, s->name, s->addr);
		}
	}
}
