/* symtab — the function symbols of one ELF file, sorted by address, for lookups by pc.
 *
 * Serialized form (TF_SYMS chunk), all integers little-endian, strings without NUL:
 *   u32 path_len, path bytes, i32 priv, i64 offset, u32 count,
 *   count x { u64 addr, u64 size, u32 name_len, name bytes }   (addr ascending, names demangled)
 */
#include "symbols/symtab_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

/* A candidate while loading: the ELF facts needed to pick among aliases and to size labels. */
struct cand {
	uint64_t addr;
	uint64_t size;
	uint64_t sec_end; /* end of the symbol's section (runtime address) */
	size_t shndx;
	int rank_bind;	 /* 0 global, 1 weak, 2 local: lower wins */
	int rank_type;	 /* 0 FUNC, 1 NOTYPE */
	const char *raw; /* in libelf's string table, valid until elf_end */
};

static bool priv_valid(int priv)
{
	/* levels: 0 U, 1 S (HS), 3 M, and a hypervisor's guest's 4 VU, 5 VS */
	return priv == SYM_PRIV_ANY || (priv >= 0 && priv <= 5 && priv != 2);
}

static size_t leading_underscores(const char *s)
{
	size_t n = 0;
	while (s[n] == '_')
		n++;
	return n;
}

/* Among aliases, the deterministic favourite: global before weak before local, a function before
 * a label, a known size before none, fewer leading underscores (memcpy over __memcpy), then name.
 */
static int cand_better(const struct cand *a, const struct cand *b)
{
	if (a->rank_bind != b->rank_bind)
		return a->rank_bind < b->rank_bind ? -1 : 1;
	if (a->rank_type != b->rank_type)
		return a->rank_type < b->rank_type ? -1 : 1;
	if ((a->size != 0) != (b->size != 0))
		return a->size != 0 ? -1 : 1;
	size_t ua = leading_underscores(a->raw), ub = leading_underscores(b->raw);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	return strcmp(a->raw, b->raw);
}

static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return cand_better(a, b);
}

/* Keep function symbols and global labels in code; drop assembler temporaries and mapping
 * symbols ($x, $d) whatever their binding. */
static bool keep_sym(Elf *elf, const GElf_Sym *s, const char *name, uint64_t *sec_addr,
		     uint64_t *sec_size)
{
	int type = GELF_ST_TYPE(s->st_info), bind = GELF_ST_BIND(s->st_info);
	if (!name || !name[0] || name[0] == '$' || strncmp(name, ".L", 2) == 0)
		return false;
	if (type == STT_FUNC) {
		if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_LOCAL)
			return false;
	} else if (type == STT_NOTYPE) {
		if (bind != STB_GLOBAL && bind != STB_WEAK)
			return false;
	} else {
		return false;
	}
	if (s->st_shndx == SHN_UNDEF || s->st_shndx >= SHN_LORESERVE)
		return false;
	Elf_Scn *scn = elf_getscn(elf, s->st_shndx);
	GElf_Shdr sh;
	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR))
		return false;
	*sec_addr = sh.sh_addr;
	*sec_size = sh.sh_size;
	return true;
}

/* The symbol table section: .symtab, else .dynsym (stripped firmware such as Debian's OpenSBI
 * keeps only the dynamic one), else NULL. */
static Elf_Scn *find_symtab(Elf *elf, GElf_Shdr *out)
{
	Elf_Scn *dyn = NULL, *scn = NULL;
	GElf_Shdr dsh;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			*out = sh;
			return scn;
		}
		if (sh.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dsh = sh;
		}
	}
	if (dyn)
		*out = dsh;
	return dyn;
}

static struct symtab *symtab_alloc(const char *path, int priv, int64_t offset)
{
	struct symtab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->path = strdup(path);
	if (!t->path) {
		free(t);
		return NULL;
	}
	t->priv = priv;
	t->offset = offset;
	return t;
}

/* Collect candidates, sort, dedupe aliases, size labels, demangle into t. */
static int build_from_elf(struct symtab *t, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh->sh_entsize == 0)
		return err_set(EINVAL, "--sym %s: unreadable symbol table", t->path);
	/* Trust what libelf read, not the header's claim. */
	size_t nsyms = data->d_size / sh->sh_entsize;
	struct cand *c = nsyms ? calloc(nsyms, sizeof(*c)) : NULL;
	if (nsyms && !c)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym s;
		if (!gelf_getsym(data, (int)i, &s))
			break; /* the section's data is shorter than its header claims */
		const char *name = elf_strptr(elf, sh->sh_link, s.st_name);
		uint64_t sec_addr, sec_size;
		if (!keep_sym(elf, &s, name, &sec_addr, &sec_size))
			continue;
		/* A stripped ELF's .dynsym names a few exported functions among unnamed code:
		 * a size-less label there would swallow everything up to the section's end, so
		 * only sized symbols count (the rest shows as addresses, as it should). */
		if (sh->sh_type == SHT_DYNSYM && s.st_size == 0)
			continue;
		int bind = GELF_ST_BIND(s.st_info);
		c[n] = (struct cand){
		    .addr = s.st_value + (uint64_t)t->offset,
		    .size = s.st_size,
		    .sec_end = sec_addr + sec_size + (uint64_t)t->offset,
		    .shndx = s.st_shndx,
		    .rank_bind = bind == STB_GLOBAL ? 0
				 : bind == STB_WEAK ? 1
						    : 2,
		    .rank_type = GELF_ST_TYPE(s.st_info) == STT_FUNC ? 0 : 1,
		    .raw = name,
		};
		n++;
	}
	if (n > 1)
		qsort(c, n, sizeof(*c), cand_cmp);

	t->syms = n ? calloc(n, sizeof(*t->syms)) : NULL;
	if (n && !t->syms) {
		free(c);
		return -ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && c[i].addr == c[i - 1].addr)
			continue; /* an alias; the best name sorted first */
		uint64_t size = c[i].size;
		for (size_t j = i + 1; size == 0 && j < n && c[j].addr == c[i].addr; j++)
			size = c[j].size; /* a label aliasing a sized function takes its size */
		if (size == 0) {
			/* A label runs to the next symbol of its section, or the section's end. */
			uint64_t end = c[i].sec_end;
			/* Symbols past the section's end cannot be in it: stop there. */
			for (size_t j = i + 1; j < n && c[j].addr < end; j++) {
				if (c[j].shndx == c[i].shndx && c[j].addr > c[i].addr) {
					end = c[j].addr;
					break;
				}
			}
			size = end > c[i].addr ? end - c[i].addr : 0;
		}
		char *dn = sym_demangle(c[i].raw);
		if (!dn) {
			free(c);
			return -ENOMEM;
		}
		t->syms[k++] = (struct sym){.addr = c[i].addr, .size = size, .name = dn};
		t->count = k;
	}
	free(c);
	return 0;
}

struct symtab *symtab_load(const char *path, int priv, int64_t offset)
{
	if (!priv_valid(priv)) {
		errno = -err_set(EINVAL, "--sym %s: bad privilege %d (0 U, 1 S, 3 M, 4 VU, 5 VS)", path, priv);
		return NULL;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = -err_set(ENOSYS, "--sym %s: libelf: %s", path, elf_errmsg(-1));
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = -err_set(errno, "--sym %s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct symtab *t = NULL;
	int rc;
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		rc = err_set(ENOEXEC, "--sym %s: not an ELF file", path);
		goto out;
	}
	GElf_Shdr sh;
	Elf_Scn *scn = find_symtab(elf, &sh);
	if (!scn) {
		rc = err_set(ENOENT, "--sym %s: no symbol table (stripped?)", path);
		goto out;
	}
	t = symtab_alloc(path, priv, offset);
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	rc = build_from_elf(t, elf, scn, &sh);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	if (rc < 0) {
		symtab_free(t);
		errno = -rc;
		return NULL;
	}
	return t;
}

void symtab_free(struct symtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++)
		free((char *)t->syms[i].name);
	free(t->syms);
	free(t->path);
	free(t);
}

size_t symtab_count(const struct symtab *t)
{
	return t->count;
}

const struct sym *symtab_at(const struct symtab *t, size_t i)
{
	return &t->syms[i];
}

const char *symtab_path(const struct symtab *t)
{
	return t->path;
}

int symtab_priv(const struct symtab *t)
{
	return t->priv;
}

const struct sym *symtab_lookup(const struct symtab *t, uint64_t addr)
{
	/* The last symbol starting at or below addr. */
	size_t lo = 0, hi = t->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct sym *s = &t->syms[lo - 1];
	if (s->size != 0)
		return addr - s->addr < s->size ? s : NULL;
	/* A size the ELF did not give (and the section did not bound): up to the next symbol. */
	return lo < t->count || addr == s->addr ? s : NULL;
}

/* ---- serialized form ---- */

static void put_u32(uint8_t **p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t **p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

static void put_bytes(uint8_t **p, const char *s, size_t n)
{
	memcpy(*p, s, n);
	*p += n;
}

int symtab_serialize(const struct symtab *t, uint8_t **buf, size_t *len)
{
	size_t plen = strlen(t->path);
	size_t total = 4 + plen + 4 + 8 + 4;
	for (size_t i = 0; i < t->count; i++)
		total += 8 + 8 + 4 + strlen(t->syms[i].name);
	if (plen > UINT32_MAX || t->count > UINT32_MAX)
		return -EOVERFLOW;
	uint8_t *b = malloc(total ? total : 1), *p = b;
	if (!b)
		return -ENOMEM;
	put_u32(&p, (uint32_t)plen);
	put_bytes(&p, t->path, plen);
	put_u32(&p, (uint32_t)t->priv);
	put_u64(&p, (uint64_t)t->offset);
	put_u32(&p, (uint32_t)t->count);
	for (size_t i = 0; i < t->count; i++) {
		size_t nlen = strlen(t->syms[i].name);
		put_u64(&p, t->syms[i].addr);
		put_u64(&p, t->syms[i].size);
		put_u32(&p, (uint32_t)nlen);
		put_bytes(&p, t->syms[i].name, nlen);
	}
	*buf = b;
	*len = total;
	return 0;
}

/* A bounds-checked reader: every get fails once the buffer would be overrun. */
struct rd {
	const uint8_t *p;
	size_t left;
};

static bool get_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return false;
	*v = 0;
	for (int i = 0; i < 4; i++)
		*v |= (uint32_t)r->p[i] << (8 * i);
	r->p += 4;
	r->left -= 4;
	return true;
}

static bool get_u64(struct rd *r, uint64_t *v)
{
	if (r->left < 8)
		return false;
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	r->left -= 8;
	return true;
}

/* A malloc'd NUL-terminated copy of the next n bytes, or NULL (too short, embedded NUL, ENOMEM). */
static char *get_str(struct rd *r, uint32_t n)
{
	if (r->left < n || memchr(r->p, 0, n))
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	memcpy(s, r->p, n);
	s[n] = 0;
	r->p += n;
	r->left -= n;
	return s;
}

static struct symtab *bad_chunk(struct symtab *t, const char *why)
{
	symtab_free(t);
	errno = -err_set(EINVAL, "trace: symbol chunk: %s", why);
	return NULL;
}

struct symtab *symtab_deserialize(const uint8_t *buf, size_t len)
{
	struct rd r = {buf, len};
	uint32_t plen, priv, count;
	uint64_t offset;
	if (!get_u32(&r, &plen) || plen > r.left)
		return bad_chunk(NULL, "truncated path");
	struct symtab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->path = get_str(&r, plen);
	if (!t->path)
		return bad_chunk(t, "bad path");
	if (!get_u32(&r, &priv) || !get_u64(&r, &offset) || !get_u32(&r, &count))
		return bad_chunk(t, "truncated header");
	t->priv = (int32_t)priv;
	t->offset = (int64_t)offset;
	if (!priv_valid(t->priv))
		return bad_chunk(t, "bad privilege");
	/* Each symbol takes at least 20 bytes: refuse counts the buffer cannot hold before
	 * allocating for them. */
	if (count > r.left / 20)
		return bad_chunk(t, "symbol count exceeds the chunk");
	t->syms = count ? calloc(count, sizeof(*t->syms)) : NULL;
	if (count && !t->syms) {
		symtab_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct sym s;
		uint32_t nlen;
		if (!get_u64(&r, &s.addr) || !get_u64(&r, &s.size) || !get_u32(&r, &nlen))
			return bad_chunk(t, "truncated symbol");
		if (i > 0 && s.addr < t->syms[i - 1].addr)
			return bad_chunk(t, "symbols not sorted by address");
		s.name = get_str(&r, nlen);
		if (!s.name)
			return bad_chunk(t, "bad symbol name");
		t->syms[i] = s;
		t->count = i + 1;
	}
	if (r.left != 0)
		return bad_chunk(t, "trailing bytes");
	return t;
}
