#include "machine/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/bus.h"
#include "util/err.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

struct placed {
	uint64_t addr, size;
	const char *opt, *path; /* owned by the caller's config */
};

struct loader {
	struct bus *bus;
	unsigned n, cap;
	struct placed *v;
	unsigned xlen; /* the ELF class the harts run: 64 unless loader_set_xlen() said 32 */
};

struct loader *loader_new(struct bus *b)
{
	struct loader *l = calloc(1, sizeof(*l));

	if (l)
		l->bus = b, l->xlen = 64;
	return l;
}

void loader_set_xlen(struct loader *l, unsigned xlen)
{
	l->xlen = xlen;
}

void loader_free(struct loader *l)
{
	if (l)
		free(l->v);
	free(l);
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* Is [addr, addr+size) usable? Checks arithmetic, devices, RAM bounds and earlier images.
 * Messages start with "opt path: " (or "opt: " when path is NULL). */
static int check_range(struct loader *l, const char *opt, const char *path, uint64_t addr,
		       uint64_t size)
{
	uint64_t ram_lo = bus_ram_base(l->bus), ram_hi = ram_lo + bus_ram_size(l->bus);
	unsigned long long a = addr, e = addr + size;
	const char *name, *sep = path ? " " : "";
	enum bus_kind k;

	if (!path)
		path = "";
	if (size == 0)
		return 0;
	if (addr + size < addr)
		return err_set(EINVAL, "%s%s%s: range at 0x%llx wraps around the address space",
			       opt, sep, path, a);
	k = bus_find(l->bus, addr, size, &name);
	if (k == BUS_MMIO || k == BUS_ROM)
		return err_set(EINVAL, "%s%s%s: [0x%llx, 0x%llx) overlaps the %s", opt, sep, path,
			       a, e, name);
	if (!bus_ram_ptr(l->bus, addr, size))
		return err_set(
		    EFBIG, "%s%s%s: [0x%llx, 0x%llx) does not fit in RAM [0x%llx, 0x%llx)", opt,
		    sep, path, a, e, (unsigned long long)ram_lo, (unsigned long long)ram_hi);
	for (unsigned i = 0; i < l->n; i++) {
		const struct placed *p = &l->v[i];
		if (overlap(addr, size, p->addr, p->size))
			return err_set(
			    EEXIST, "%s%s%s: [0x%llx, 0x%llx) overlaps %s%s%s at [0x%llx, 0x%llx)",
			    opt, sep, path, a, e, p->opt, p->path ? " " : "",
			    p->path ? p->path : "", (unsigned long long)p->addr,
			    (unsigned long long)(p->addr + p->size));
	}
	return 0;
}

static int add_placed(struct loader *l, const char *opt, const char *path, uint64_t addr,
		      uint64_t size)
{
	struct placed *v;

	if (size == 0)
		return 0;
	if (l->n == l->cap) {
		v = realloc(l->v, (l->cap * 2 + 8) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = l->cap * 2 + 8;
	}
	l->v[l->n++] = (struct placed){addr, size, opt, path};
	return 0;
}

int loader_reserve(struct loader *l, const char *what, uint64_t addr, uint64_t size)
{
	int ret = check_range(l, what, NULL, addr, size);

	if (ret < 0)
		return ret;
	return add_placed(l, what, NULL, addr, size);
}

static const char *machine_name(unsigned em)
{
	switch (em) {
	case 3:
		return "x86";
	case 40:
		return "ARM";
	case 62:
		return "x86-64";
	case 183:
		return "AArch64";
	default:
		return "another architecture";
	}
}

static void find_htif(Elf *e, struct loader_image *img)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *data;
	const char *name;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			if (!gelf_getsym(data, (int)i, &sym))
				break;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			if (!strcmp(name, "tohost")) {
				img->has_tohost = true;
				img->tohost = sym.st_value;
			} else if (!strcmp(name, "fromhost")) {
				img->fromhost = sym.st_value;
			}
		}
	}
}

static int load_elf(struct loader *l, const char *opt, const char *path, Elf *e,
		    struct loader_image *img)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t nph, fsize;
	const uint8_t *file;
	uint8_t *dst;
	int ret;

	if (!gelf_getehdr(e, &eh))
		return err_set(EINVAL, "%s %s: malformed ELF header (%s)", opt, path,
			       elf_errmsg(-1));
	if (eh.e_ident[EI_CLASS] != (l->xlen == 32 ? ELFCLASS32 : ELFCLASS64))
		return err_set(EINVAL, "%s %s: %s ELF, but the harts are RV%u (use -cpu %s)", opt,
			       path, eh.e_ident[EI_CLASS] == ELFCLASS32 ? "32-bit" : "64-bit", l->xlen,
			       l->xlen == 32 ? "rv64" : "rv32 or rv32e");
	if (eh.e_machine != EM_RISCV)
		return err_set(EINVAL, "%s %s: ELF for %s (e_machine %u), not RISC-V", opt, path,
			       machine_name(eh.e_machine), eh.e_machine);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return err_set(EINVAL, "%s %s: big-endian ELF, not RISC-V", opt, path);
	if (elf_getphdrnum(e, &nph) < 0 || !(file = (const uint8_t *)elf_rawfile(e, &fsize)))
		return err_set(EINVAL, "%s %s: malformed ELF (%s)", opt, path, elf_errmsg(-1));
	img->elf = true;
	img->entry = eh.e_entry;
	img->lo = UINT64_MAX;
	img->hi = 0;
	/* Validate everything before writing anything, so a bad image leaves RAM untouched. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nph; i++) {
			if (!gelf_getphdr(e, (int)i, &ph))
				return err_set(EINVAL, "%s %s: malformed program header %zu", opt,
					       path, i);
			if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
				continue;
			if (pass == 0) {
				if (ph.p_filesz > ph.p_memsz || ph.p_offset > fsize ||
				    ph.p_filesz > fsize - ph.p_offset)
					return err_set(EINVAL,
						       "%s %s: segment %zu lies outside the file",
						       opt, path, i);
				ret = check_range(l, opt, path, ph.p_paddr, ph.p_memsz);
				if (ret < 0)
					return ret;
				continue;
			}
			dst = bus_ram_ptr(l->bus, ph.p_paddr, ph.p_memsz);
			memcpy(dst, file + ph.p_offset, ph.p_filesz);
			memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
			if (ph.p_paddr < img->lo)
				img->lo = ph.p_paddr;
			if (ph.p_paddr + ph.p_memsz > img->hi)
				img->hi = ph.p_paddr + ph.p_memsz;
			ret = add_placed(l, opt, path, ph.p_paddr, ph.p_memsz);
			if (ret < 0)
				return ret;
		}
		/* check_range only sees earlier images; segments must not overlap each other. */
		if (pass == 0) {
			for (size_t i = 0; i < nph; i++) {
				GElf_Phdr a, b;
				if (!gelf_getphdr(e, (int)i, &a) || a.p_type != PT_LOAD)
					continue;
				for (size_t j = i + 1; j < nph; j++)
					if (gelf_getphdr(e, (int)j, &b) && b.p_type == PT_LOAD &&
					    overlap(a.p_paddr, a.p_memsz, b.p_paddr, b.p_memsz))
						return err_set(
						    EINVAL, "%s %s: segments %zu and %zu overlap",
						    opt, path, i, j);
			}
		}
	}
	if (img->hi == 0)
		return err_set(EINVAL, "%s %s: ELF has no loadable segment", opt, path);
	find_htif(e, img);
	return 0;
}

static int load_raw(struct loader *l, const char *opt, const char *path, int fd, uint64_t size,
		    uint64_t addr, struct loader_image *img)
{
	uint8_t *dst;
	uint64_t done = 0;
	ssize_t n;
	int ret;

	if (size == 0)
		return err_set(EINVAL, "%s %s: file is empty", opt, path);
	ret = check_range(l, opt, path, addr, size);
	if (ret < 0)
		return ret;
	dst = bus_ram_ptr(l->bus, addr, size);
	while (done < size) {
		n = pread(fd, dst + done, size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(n < 0 ? errno : EIO, "%s %s: %s", opt, path,
				       n < 0 ? strerror(errno) : "file shrank while reading");
		done += (uint64_t)n;
	}
	img->elf = false;
	img->entry = img->lo = addr;
	img->hi = addr + size;
	return add_placed(l, opt, path, addr, size);
}

/* True if the file starts with the ELF magic bytes. */
static bool has_elf_magic(int fd)
{
	unsigned char m[4];

	return pread(fd, m, 4, 0) == 4 && !memcmp(m, "\177ELF", 4);
}

int loader_load(struct loader *l, const char *opt, const char *path, uint64_t raw_addr,
		bool allow_elf, struct loader_image *img)
{
	struct stat st;
	Elf *e = NULL;
	int fd, ret;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return err_set(errno, "%s %s: %s", opt, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = err_set(errno, "%s %s: %s", opt, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = err_set(EINVAL, "%s %s: not a regular file", opt, path);
		goto out;
	}
	if (allow_elf) {
		elf_version(EV_CURRENT);
		e = elf_begin(fd, ELF_C_READ, NULL);
	}
	if (e && elf_kind(e) == ELF_K_ELF) {
		ret = load_elf(l, opt, path, e, img);
	} else if (allow_elf && has_elf_magic(fd)) {
		/* it says it is ELF: loading it as raw bytes would only hide the damage */
		ret = err_set(ENOEXEC, "%s %s: truncated or corrupt ELF header", opt, path);
	} else
		ret = load_raw(l, opt, path, fd, (uint64_t)st.st_size, raw_addr, img);
out:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}
