/* reader — a trace file for the views (docs/TRACE-FORMAT.md): META/SYMS/DEVS/END chunks are
 * parsed into tables, EVENTS chunks are decoded one event at a time with one tev_dec per hart,
 * and TEV_CODE events are kept as per-hart pages so runs can be rebuilt instruction by
 * instruction. Memory: one chunk, the tables, and the code pages seen. */
#include "trace/reader.h"

#include "symbols/symbols.h"
#include "trace/tfile.h"
#include "util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE	  4096u

struct kv {
	char *key, *val;
};

struct kvlist {
	struct kv *v;
	size_t n;
};

struct reg {
	uint64_t off;
	char *name;
};

struct dev {
	uint64_t base, size;
	char *name;
	struct reg *regs;
	size_t nregs;
};

struct codepage {
	uint64_t page; /* vaddr of the page */
	uint8_t bytes[PAGE];
	uint8_t valid[PAGE / 8]; /* bit per byte: recorded by a TEV_CODE */
};

/* Per-hart state: the decoder and an open-addressing table of code pages. */
struct rd_hart {
	struct tev_dec dec;
	struct codepage **tab;
	size_t cap, n;
};

struct trace_reader {
	char *path;
	struct tf_reader *tf;
	struct kvlist meta, totals;
	struct symset *syms;
	struct dev *devs;
	size_t ndevs;
	struct rd_hart *harts[TEV_MAX_HARTS];
	unsigned nharts_seen;
	/* the EVENTS chunk being walked */
	const uint8_t *data, *p, *end;
	uint64_t chunk_off;
	unsigned hart;
	/* the first non-leading chunk, read by trace_open and handled by the first trace_next */
	bool pending;
	uint32_t pend_type;
	size_t pend_len;
	bool at_end, saw_end; /* iteration finished; an END chunk was read */
};

/* ---- text chunks ---- */

static int bad(struct trace_reader *r, uint64_t off, const char *what)
{
	return err_set(EINVAL, "%s: offset %" PRIu64 ": %s", r->path, off, what);
}

/* A NUL-terminated copy of a text chunk; NULL (with err_set) if it holds a NUL byte. */
static char *text_copy(struct trace_reader *r, uint64_t off, const uint8_t *d, size_t len)
{
	char *s;

	if (memchr(d, 0, len)) {
		bad(r, off, "NUL byte in a text chunk");
		return NULL;
	}
	if (!(s = malloc(len + 1))) {
		err_set(ENOMEM, "%s: out of memory", r->path);
		return NULL;
	}
	memcpy(s, d, len);
	s[len] = 0;
	return s;
}

static int kv_set(struct kvlist *l, const char *key, const char *val)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key)) {
			char *v = strdup(val);
			if (!v)
				return -ENOMEM;
			free(l->v[i].val);
			l->v[i].val = v; /* a later chunk overrides */
			return 0;
		}
	struct kv *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	l->v = nv;
	nv[l->n].key = strdup(key);
	nv[l->n].val = strdup(val);
	if (!nv[l->n].key || !nv[l->n].val) {
		free(nv[l->n].key);
		free(nv[l->n].val);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static void kv_free(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *e;

	int base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10; /* never octal */

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*v = strtoull(s, &e, base);
	return !*e && errno == 0;
}

/* "key=value" lines (META, END); END values must be numbers. */
static int parse_kv(struct trace_reader *r, uint64_t off, const uint8_t *d, size_t len,
		    struct kvlist *l, bool numeric)
{
	char *s = text_copy(r, off, d, len), *save = NULL, *line;
	int rc = 0;

	if (!s)
		return -EINVAL;
	for (line = strtok_r(s, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		uint64_t v;
		if (!eq || eq == line) {
			rc = bad(r, off, "text line without key=value");
			break;
		}
		*eq = 0;
		if (numeric && !parse_u64(eq + 1, &v))
			rc = bad(r, off, "END value is not a number");
		else if (kv_set(l, line, eq + 1) < 0)
			rc = err_set(ENOMEM, "%s: out of memory", r->path);
	}
	free(s);
	return rc;
}

static void dev_free(struct dev *d)
{
	for (size_t i = 0; i < d->nregs; i++)
		free(d->regs[i].name);
	free(d->regs);
	free(d->name);
}

/* One DEVS line: "BASE SIZE NAME [OFF:REG,OFF:REG...]". */
static int parse_dev(char *line, struct dev *d)
{
	char *save = NULL, *base = strtok_r(line, " ", &save), *size = strtok_r(NULL, " ", &save);
	char *name = strtok_r(NULL, " ", &save), *regs = strtok_r(NULL, " ", &save);

	memset(d, 0, sizeof(*d));
	if (!name || strtok_r(NULL, " ", &save) || !parse_u64(base, &d->base) ||
	    !parse_u64(size, &d->size) || d->size == 0 || d->base + d->size - 1 < d->base)
		return -EINVAL;
	if (!(d->name = strdup(name)))
		return -ENOMEM;
	for (char *rs = NULL, *reg = regs ? strtok_r(regs, ",", &rs) : NULL; reg;
	     reg = strtok_r(NULL, ",", &rs)) {
		char *colon = strchr(reg, ':');
		struct reg *nr;
		if (!colon || colon[1] == 0)
			return -EINVAL;
		*colon = 0;
		if (!(nr = realloc(d->regs, (d->nregs + 1) * sizeof(*nr))))
			return -ENOMEM;
		d->regs = nr;
		if (!parse_u64(reg, &nr[d->nregs].off) || nr[d->nregs].off >= d->size)
			return -EINVAL;
		if (!(nr[d->nregs].name = strdup(colon + 1)))
			return -ENOMEM;
		d->nregs++;
	}
	return 0;
}

/* The device already described with the same base, size and name, or NULL. */
static struct dev *dev_same(struct trace_reader *r, const struct dev *d)
{
	for (size_t i = 0; i < r->ndevs; i++)
		if (r->devs[i].base == d->base && r->devs[i].size == d->size &&
		    !strcmp(r->devs[i].name, d->name))
			return &r->devs[i];
	return NULL;
}

/* Add src's registers to dst (moving their names). 0 or -ENOMEM. */
static int dev_merge(struct dev *dst, struct dev *src)
{
	struct reg *nr;

	if (!src->nregs)
		return 0;
	nr = realloc(dst->regs, (dst->nregs + src->nregs) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	dst->regs = nr;
	for (size_t i = 0; i < src->nregs; i++) {
		nr[dst->nregs++] = src->regs[i];
		src->regs[i].name = NULL;
	}
	return 0;
}

static int parse_devs(struct trace_reader *r, uint64_t off, const uint8_t *data, size_t len)
{
	char *s = text_copy(r, off, data, len), *save = NULL, *line;
	int rc = 0;

	if (!s)
		return -EINVAL;
	for (line = strtok_r(s, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		struct dev d, *nd;
		if ((rc = parse_dev(line, &d)) < 0) {
			dev_free(&d);
			rc = rc == -ENOMEM ? err_set(ENOMEM, "%s: out of memory", r->path)
					   : bad(r, off, "malformed device line");
		} else if ((nd = dev_same(r, &d))) {
			/* the recorder names registers as they are first touched: one line each */
			rc = dev_merge(nd, &d);
			dev_free(&d);
			if (rc < 0)
				rc = err_set(ENOMEM, "%s: out of memory", r->path);
		} else if (!(nd = realloc(r->devs, (r->ndevs + 1) * sizeof(*nd)))) {
			dev_free(&d);
			rc = err_set(ENOMEM, "%s: out of memory", r->path);
		} else {
			r->devs = nd;
			nd[r->ndevs++] = d;
		}
	}
	free(s);
	return rc;
}

static int add_syms(struct trace_reader *r, uint64_t off, const uint8_t *data, size_t len)
{
	struct symtab *t = symtab_deserialize(data, len);

	if (!t) {
		char why[512];
		const char *m = err_msg() ? err_msg() : "bad symbol table";
		if (!strncmp(m, "trace: ", 7))
			m += 7; /* the symbols module's prefix; we name the file instead */
		snprintf(why, sizeof(why), "%s", m);
		return bad(r, off, why);
	}
	if (symset_add(r->syms, t) < 0) {
		symtab_free(t);
		return err_set(ENOMEM, "%s: out of memory", r->path);
	}
	return 0;
}

/* ---- chunks ---- */

static struct rd_hart *hart_get(struct trace_reader *r, unsigned id)
{
	if (!r->harts[id]) {
		r->harts[id] = calloc(1, sizeof(struct rd_hart));
		if (id + 1 > r->nharts_seen)
			r->nharts_seen = id + 1;
	}
	return r->harts[id];
}

static int handle_chunk(struct trace_reader *r, uint32_t type, const uint8_t *d, size_t len)
{
	uint64_t off = tf_reader_offset(r->tf);

	switch (type) {
	case TF_META:
		return parse_kv(r, off, d, len, &r->meta, false);
	case TF_END:
		r->saw_end = true;
		return parse_kv(r, off, d, len, &r->totals, true);
	case TF_DEVS:
		return parse_devs(r, off, d, len);
	case TF_SYMS:
		return add_syms(r, off, d, len);
	case TF_EVENTS: {
		if (len < 4)
			return bad(r, off, "EVENTS chunk without a hart id");
		uint32_t id =
		    d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
		/* bits 0-7 the hart, bit 31 byte-granular code addresses (x86-64, eBPF back-end) */
		bool byte_pc = id & TF_EVENTS_BYTE_PC;
		id &= ~(uint32_t)TF_EVENTS_BYTE_PC;
		if (id >= TEV_MAX_HARTS)
			return bad(r, off, "hart id out of range");
		if (!hart_get(r, id))
			return err_set(ENOMEM, "%s: out of memory", r->path);
		/* deltas restart in every chunk, so each chunk decodes on its own */
		memset(&r->harts[id]->dec, 0, sizeof(r->harts[id]->dec));
		r->harts[id]->dec.byte_pc = byte_pc;
		r->harts[id]->dec.version = tf_reader_version(r->tf);
		r->hart = id;
		r->data = d;
		r->p = d + 4;
		r->end = d + len;
		r->chunk_off = off;
		return 0;
	}
	}
	return bad(r, off, "unknown chunk type");
}

struct trace_reader *trace_open(const char *path)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	const uint8_t *d;
	size_t len;
	uint32_t type;
	int rc;

	if (!r || !(r->path = strdup(path)) || !(r->syms = symset_new())) {
		trace_close(r);
		errno = ENOMEM;
		return NULL;
	}
	if (!(r->tf = tf_reader_open(path)))
		goto fail;
	while ((rc = tf_reader_next(r->tf, &type, &d, &len)) == 1) {
		if (type == TF_EVENTS || type == TF_END) {
			r->pending = true; /* d stays valid until the next tf_reader_next */
			r->pend_type = type;
			r->data = d;
			r->pend_len = len;
			break;
		}
		if (handle_chunk(r, type, d, len) < 0)
			goto fail;
	}
	if (rc < 0)
		goto fail;
	return r;
fail:
	trace_close(r);
	errno = EINVAL;
	return NULL;
}

void trace_close(struct trace_reader *r)
{
	if (!r)
		return;
	tf_reader_close(r->tf);
	kv_free(&r->meta);
	kv_free(&r->totals);
	if (r->syms)
		symset_free(r->syms);
	for (size_t i = 0; i < r->ndevs; i++)
		dev_free(&r->devs[i]);
	free(r->devs);
	for (unsigned h = 0; h < TEV_MAX_HARTS; h++) {
		if (!r->harts[h])
			continue;
		for (size_t i = 0; i < r->harts[h]->cap; i++)
			free(r->harts[h]->tab[i]);
		free(r->harts[h]->tab);
		free(r->harts[h]);
	}
	free(r->path);
	free(r);
}

const char *trace_meta(const struct trace_reader *r, const char *key)
{
	for (size_t i = 0; i < r->meta.n; i++)
		if (!strcmp(r->meta.v[i].key, key))
			return r->meta.v[i].val;
	return NULL;
}

unsigned trace_nharts(const struct trace_reader *r)
{
	const char *s = trace_meta(r, "harts");
	uint64_t n = 0;

	if (!s || !parse_u64(s, &n) || n > TEV_MAX_HARTS)
		n = 0;
	return n > r->nharts_seen ? (unsigned)n : r->nharts_seen;
}

struct symset *trace_symbols(struct trace_reader *r)
{
	return r->syms;
}

const char *trace_mmio_name(const struct trace_reader *r, uint64_t paddr, char *buf, size_t n)
{
	for (size_t i = 0; i < r->ndevs; i++) {
		const struct dev *d = &r->devs[i];
		if (paddr < d->base || paddr - d->base >= d->size)
			continue;
		uint64_t off = paddr - d->base;
		for (size_t k = 0; k < d->nregs; k++)
			if (d->regs[k].off == off) {
				snprintf(buf, n, "%s.%s", d->name, d->regs[k].name);
				return buf;
			}
		snprintf(buf, n, "%s+%#" PRIx64, d->name, off);
		return buf;
	}
	return NULL;
}

uint64_t trace_total(const struct trace_reader *r, const char *key)
{
	uint64_t v;

	for (size_t i = 0; i < r->totals.n; i++)
		if (!strcmp(r->totals.v[i].key, key) && parse_u64(r->totals.v[i].val, &v))
			return v;
	return 0;
}

/* A file that ends cleanly between chunks but without END was cut short too (the recorder did
 * not finish), so that counts as truncated once the iteration is over. */
bool trace_truncated(const struct trace_reader *r)
{
	return tf_reader_truncated(r->tf) || (r->at_end && !r->saw_end);
}

/* ---- code pages ---- */

static size_t page_slot(const struct rd_hart *h, uint64_t page)
{
	size_t i = (size_t)((page >> 12) * 0x9e3779b97f4a7c15ull) & (h->cap - 1);

	while (h->tab[i] && h->tab[i]->page != page)
		i = (i + 1) & (h->cap - 1);
	return i;
}

static struct codepage *page_find(const struct rd_hart *h, uint64_t page)
{
	return h->cap ? h->tab[page_slot(h, page)] : NULL;
}

static struct codepage *page_get(struct rd_hart *h, uint64_t page)
{
	struct codepage *cp = page_find(h, page);

	if (cp)
		return cp;
	if ((h->n + 1) * 2 > h->cap) { /* keep the table at most half full */
		size_t ocap = h->cap;
		struct codepage **old = h->tab;
		h->cap = ocap ? ocap * 2 : 64;
		if (!(h->tab = calloc(h->cap, sizeof(*h->tab)))) {
			h->tab = old;
			h->cap = ocap;
			return NULL;
		}
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				h->tab[page_slot(h, old[i]->page)] = old[i];
		free(old);
	}
	if (!(cp = calloc(1, sizeof(*cp))))
		return NULL;
	cp->page = page;
	h->tab[page_slot(h, page)] = cp;
	h->n++;
	return cp;
}

/* Remember code bytes at vaddr (possibly spanning pages); later bytes replace earlier ones. */
static int code_store(struct rd_hart *h, uint64_t vaddr, const uint8_t *data, uint32_t len)
{
	while (len) {
		uint64_t page = vaddr & ~(uint64_t)(PAGE - 1);
		uint32_t off = (uint32_t)(vaddr - page), n = PAGE - off < len ? PAGE - off : len;
		struct codepage *cp = page_get(h, page);
		if (!cp)
			return -ENOMEM;
		memcpy(cp->bytes + off, data, n);
		for (uint32_t i = off; i < off + n; i++)
			cp->valid[i / 8] |= (uint8_t)(1u << (i % 8));
		vaddr += n;
		data += n;
		len -= n;
	}
	return 0;
}

static bool code_byte(const struct rd_hart *h, uint64_t vaddr, uint8_t *b)
{
	const struct codepage *cp = page_find(h, vaddr & ~(uint64_t)(PAGE - 1));
	unsigned off = (unsigned)(vaddr & (PAGE - 1));

	if (!cp || !(cp->valid[off / 8] & (1u << (off % 8))))
		return false;
	*b = cp->bytes[off];
	return true;
}

int trace_code_fetch(const struct trace_reader *r, unsigned hart, uint64_t vaddr, uint32_t *raw)
{
	const struct rd_hart *h = hart < TEV_MAX_HARTS ? r->harts[hart] : NULL;
	uint8_t b[4];

	if (!h)
		return -ENOENT;
	/* byte by byte, so a 32-bit instruction may continue on the next page */
	if (!code_byte(h, vaddr, &b[0]) || !code_byte(h, vaddr + 1, &b[1]))
		return -ENOENT;
	if ((b[0] & 3) != 3) {
		*raw = b[0] | (uint32_t)b[1] << 8;
		return 0;
	}
	if (!code_byte(h, vaddr + 2, &b[2]) || !code_byte(h, vaddr + 3, &b[3]))
		return -ENOENT;
	*raw = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

/* ---- events ---- */

int trace_next(struct trace_reader *r, struct tev *ev)
{
	for (;;) {
		if (r->p && r->p < r->end) {
			struct rd_hart *h = r->harts[r->hart];
			const uint8_t *at = r->p;
			uint64_t off = r->chunk_off + 8 + (uint64_t)(at - r->data);
			int rc = tev_decode(&h->dec, &r->p, r->end, ev);
			if (rc < 0)
				return bad(r, off, "malformed event");
			if (ev->hart != r->hart)
				return bad(r, off, "event of another hart in an EVENTS chunk");
			if (ev->type == TEV_CODE && ev->len &&
			    code_store(h, ev->addr, ev->data, ev->len))
				return err_set(ENOMEM, "%s: out of memory", r->path);
			return 1;
		}
		r->p = r->end = NULL;

		uint32_t type;
		const uint8_t *d;
		size_t len;
		int rc;
		if (r->pending) {
			r->pending = false;
			type = r->pend_type;
			d = r->data;
			len = r->pend_len;
		} else if ((rc = tf_reader_next(r->tf, &type, &d, &len)) <= 0) {
			r->at_end = rc == 0;
			return rc;
		}
		if ((rc = handle_chunk(r, type, d, len)) < 0)
			return rc;
	}
}
