/* discover_waker — the waker side of discovery: RawWakerVTable statics (named, or promoted
 * constants found by their shape), the functions they point to, and the Context/Waker/RawWaker
 * field offsets. */
#define _GNU_SOURCE
#include "async/discover_impl.h"
#include "util/err.h"

#include <dwarf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

/* ---- waker vtables ---- */

const char *const ad_vt_fields[4] = {"clone", "wake", "wake_by_ref", "drop"};

static int64_t off_in(struct adisc *d, const char *type, const char *member)
{
	for (size_t i = 0; i < d->ntn; i++) {
		Dwarf_Die t, m;

		if (strcmp(d->tn[i].qname, type) || !dwarf_offdie(d->dw, d->tn[i].off, &t) ||
		    !ad_find_member(&t, member, &m))
			continue;
		return ad_member_off(&m);
	}
	return -1;
}

/* A pointer-sized word of the file's loaded image at addr; a RELATIVE relocation there (PIE)
 * gives its value. */
static int read_word(struct adisc *d, uint64_t addr, uint64_t *out)
{
	Elf_Scn *scn = NULL;
	unsigned rel_type = d->machine == EM_X86_64 ? 8 : d->machine == EM_RISCV ? 3 : 1027;

	*out = 0;
	while ((scn = elf_nextscn(d->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_RELA) {
			data = elf_getdata(scn, NULL);
			for (size_t k = 0; data && k < sh.sh_size / (sh.sh_entsize ? sh.sh_entsize : 24);
			     k++) {
				GElf_Rela r;
				if (gelf_getrela(data, (int)k, &r) && r.r_offset == addr &&
				    GELF_R_TYPE(r.r_info) == rel_type) {
					*out = (uint64_t)r.r_addend;
					return 0;
				}
			}
			continue;
		}
		if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_type == SHT_NOBITS || addr < sh.sh_addr ||
		    addr + d->ptr_size > sh.sh_addr + sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || addr - sh.sh_addr + d->ptr_size > data->d_size)
			continue;
		memcpy(out, (char *)data->d_buf + (addr - sh.sh_addr), d->ptr_size);
		if (*out)
			return 0;
	}
	return *out ? 0 : -ENOENT;
}

/* By entry, then kind: when identical-code folding merged wake and wake_by_ref (rustc -O),
 * the one function is reported as wake. */
static int cmp_wfn(const void *a, const void *b)
{
	const struct pcent *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->fidx < y->fidx ? -1 : x->fidx > y->fidx;
}

/* Is the subprogram at off shaped like a waker function: one `*const ()` argument, returning
 * nothing (wake, wake_by_ref, drop: 0) or a RawWaker (clone: 1)? -1 if not. */
static int waker_shape(struct adisc *d, Dwarf_Off off)
{
	Dwarf_Die die, c, t, rt;
	int params = 0, shape = -1;

	if (!dwarf_offdie(d->dw, off, &die) || dwarf_child(&die, &c) != 0)
		return -1;
	do {
		if (dwarf_tag(&c) != DW_TAG_formal_parameter)
			continue;
		if (params++ || !ad_die_type(&c, &t) || dwarf_tag(&t) != DW_TAG_pointer_type ||
		    !ad_die_type(&t, &t) || !ad_die_name(&t) || strcmp(ad_die_name(&t), "()"))
			return -1;
	} while (dwarf_siblingof(&c, &c) == 0);
	if (params != 1)
		return -1;
	if (!dwarf_hasattr_integrate(&die, DW_AT_type))
		shape = 0;
	else if (ad_die_type(&die, &rt) && !strcmp(ad_type_qname(d, &rt), "core::task::wake::RawWaker"))
		shape = 1;
	return shape;
}

static int cmp_addr(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static bool in_set(const uint64_t *set, size_t n, uint64_t v)
{
	return v && bsearch(&v, set, n, sizeof(*set), cmp_addr);
}

struct rel {
	uint64_t off, val;
};

static int cmp_rel(const void *a, const void *b)
{
	const struct rel *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* The pointer-sized word at addr of section data (buf at base), or its RELATIVE relocation. */
static uint64_t word_at(const struct adisc *d, const uint8_t *buf, uint64_t base, size_t size,
			const struct rel *rels, size_t nrels, uint64_t addr)
{
	uint64_t v = 0;
	struct rel key = {addr, 0}, *r;

	if (nrels && (r = bsearch(&key, rels, nrels, sizeof(*rels), cmp_rel)))
		return r->val;
	if (addr < base || addr - base + d->ptr_size > size)
		return 0;
	memcpy(&v, buf + (addr - base), d->ptr_size);
	return v;
}

/* Vtables without a DWARF variable (`&RawWakerVTable::new(..)` promoted to an anonymous
 * constant): four words in read-only data that point at waker-shaped functions, clone first. */
static int find_anonymous_vtables(struct adisc *d)
{
	const struct adisc_waker_layout *wl = &d->wl;
	uint64_t *clones = NULL, *others = NULL;
	size_t nc = 0, no = 0;
	struct rel *rels = NULL;
	size_t nrels = 0, caprels = 0;
	unsigned rel_type = d->machine == EM_X86_64 ? 8 : d->machine == EM_RISCV ? 3 : 1027;
	Elf_Scn *scn = NULL;
	int ret = -ENOMEM;

	for (int k = 0; k < 4; k++)
		if (wl->vt[k] < 0)
			return 0;
	clones = calloc(d->ninst + 1, sizeof(*clones));
	others = calloc(d->ninst + 1, sizeof(*others));
	if (!clones || !others)
		goto out;
	for (size_t i = 0; i < d->ninst; i++) {
		int shape;
		if (d->inst[i].inlined || (shape = waker_shape(d, d->inst[i].origin)) < 0)
			continue;
		if (shape)
			clones[nc++] = d->inst[i].entry;
		else
			others[no++] = d->inst[i].entry;
	}
	ret = 0;
	if (!nc || !no)
		goto out;
	qsort(clones, nc, sizeof(*clones), cmp_addr);
	qsort(others, no, sizeof(*others), cmp_addr);
	while ((scn = elf_nextscn(d->elf, scn))) { /* RELATIVE relocations (PIE) */
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t k = 0; k < sh.sh_size / (sh.sh_entsize ? sh.sh_entsize : 24); k++) {
			GElf_Rela r;
			if (!gelf_getrela(data, (int)k, &r) || GELF_R_TYPE(r.r_info) != rel_type)
				continue;
			if (nrels == caprels) {
				caprels = caprels ? 2 * caprels : 1024;
				struct rel *nr = reallocarray(rels, caprels, sizeof(*nr));
				if (!nr) {
					ret = -ENOMEM;
					goto out;
				}
				rels = nr;
			}
			rels[nrels++] = (struct rel){r.r_offset, (uint64_t)r.r_addend};
		}
	}
	if (nrels)
		qsort(rels, nrels, sizeof(*rels), cmp_rel);
	scn = NULL;
	while ((scn = elf_nextscn(d->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    (sh.sh_flags & SHF_EXECINSTR) || !(data = elf_getdata(scn, NULL)) || !data->d_buf)
			continue;
		for (uint64_t a = sh.sh_addr; a + 4 * d->ptr_size <= sh.sh_addr + data->d_size;
		     a += d->ptr_size) {
			uint64_t fn[4];
			bool known = false;

			for (int k = 0; k < 4; k++)
				fn[k] = word_at(d, data->d_buf, sh.sh_addr, data->d_size, rels, nrels,
						a + (uint64_t)wl->vt[k]);
			if (!in_set(clones, nc, fn[0]) || !in_set(others, no, fn[1]) ||
			    !in_set(others, no, fn[2]) || !in_set(others, no, fn[3]))
				continue;
			for (size_t i = 0; i < d->nvt; i++)
				known |= d->vt[i].addr == a;
			if (known)
				continue;
			struct adisc_vtable *nv = reallocarray(d->vt, d->nvt + 1, sizeof(*nv));
			if (!nv) {
				ret = -ENOMEM;
				goto out;
			}
			d->vt = nv;
			d->vt[d->nvt].addr = a;
			d->vt[d->nvt].name = NULL;
			memcpy(d->vt[d->nvt].fn, fn, sizeof(fn));
			d->nvt++;
		}
	}
out:
	free(clones);
	free(others);
	free(rels);
	return ret;
}

int ad_find_vtables(struct adisc *d)
{
	struct adisc_waker_layout *wl = &d->wl;

	wl->ctx_waker = off_in(d, "core::task::wake::Context", "waker");
	wl->waker_raw = off_in(d, "core::task::wake::Waker", "waker");
	wl->raw_data = off_in(d, "core::task::wake::RawWaker", "data");
	wl->raw_vtable = off_in(d, "core::task::wake::RawWaker", "vtable");
	for (int k = 0; k < 4; k++)
		wl->vt[k] = off_in(d, "core::task::wake::RawWakerVTable", ad_vt_fields[k]);
	for (size_t i = 0; i < d->nsv; i++) {
		const char *t = ad_tname_of(d, d->sv[i].type);
		struct adisc_vtable *v;

		/* address 0: a static of a library's debug info that the linker dropped */
		if (!t || strcmp(t, "core::task::wake::RawWakerVTable") || !d->sv[i].addr)
			continue;
		struct adisc_vtable *nv = reallocarray(d->vt, d->nvt + 1, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		d->vt = nv;
		v = &d->vt[d->nvt++];
		v->addr = d->sv[i].addr;
		v->name = d->sv[i].qname;
		unsigned found = 0;
		for (int k = 0; k < 4; k++) {
			if (wl->vt[k] < 0 || read_word(d, v->addr + (uint64_t)wl->vt[k], &v->fn[k]) < 0)
				v->fn[k] = 0;
			found += v->fn[k] != 0;
		}
		if (!found)
			d->nvt--;
	}
	if (find_anonymous_vtables(d) < 0)
		return -ENOMEM;
	d->wfn = calloc(4 * d->nvt + 1, sizeof(*d->wfn));
	if (!d->wfn)
		return -ENOMEM;
	for (size_t i = 0; i < d->nvt; i++)
		for (int k = 0; k < 4; k++)
			if (d->vt[i].fn[k])
				d->wfn[d->nwfn++] = (struct pcent){d->vt[i].fn[k], 0, (size_t)k, false};
	qsort(d->wfn, d->nwfn, sizeof(*d->wfn), cmp_wfn);
	return 0;
}

size_t adisc_nvtables(const struct adisc *d)
{
	return d->nvt;
}

const struct adisc_vtable *adisc_vtable(const struct adisc *d, size_t i)
{
	return i < d->nvt ? &d->vt[i] : NULL;
}

int adisc_waker_fn(const struct adisc *d, uint64_t pc)
{
	size_t i = ad_lower_bound(d->wfn, d->nwfn, pc);

	if (i >= d->nwfn || d->wfn[i].lo != pc)
		return -1;
	/* clone and drop never share code with a wake: the first of equal entries is the kind */
	return (int)d->wfn[i].fidx;
}

const struct adisc_waker_layout *adisc_waker_layout(const struct adisc *d)
{
	return &d->wl;
}
