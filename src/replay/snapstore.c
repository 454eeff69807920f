/* snapstore — see snapstore.h. The writer keeps a shadow of RAM as it was at the newest stored
 * snapshot (like snapshot.c's) and a bit per 4 KiB block of each writable drive written since;
 * a snapshot is the pages that differ from the shadow and the written blocks, new contents. */
#define _GNU_SOURCE
#include "replay/snapstore.h"
#include "cpu/cpu.h"
#include "machine/devices/virtio_blk.h"
#include "machine/machine.h"
#include "replay/snapfile.h"
#include "replay/snapshot.h"
#include "util/err.h"
#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE	  RRS_PAGE
#define NSLOT	  8
#define ZST_LEVEL 1 /* zstd's fastest standard level: the recording's cost is the target */

static void limits(struct machine *m, struct rrs_limits *lim)
{
	uint64_t base, size;

	memset(lim, 0, sizeof(*lim));
	lim->state_size = machine_state_size(m);
	machine_ram(m, &base, &size);
	lim->ram_pages = size / PAGE;
	for (unsigned i = 0; i < NSLOT; i++) {
		struct virtio_blk *b = machine_blk(m, i);
		if (b && !virtio_blk_readonly(b))
			lim->drive_blocks[i] = (virtio_blk_size(b) + PAGE - 1) / PAGE;
	}
}

/* ---- writer ---- */

struct rr_storew {
	char *dir;
	struct machine *m;
	uint8_t *ram, *shadow;
	uint64_t ram_size;
	uint8_t *touched;
	int pagemap;
	struct rrs_limits lim;
	struct virtio_blk *blk[NSLOT];
	virtio_blk_write_hook_fn *prev[NSLOT]; /* the hook before ours (reverse execution's) */
	void *prev_ctx[NSLOT];
	uint8_t *written[NSLOT]; /* a byte per block: written since the newest snapshot */
	struct rrf_snap *list;
	unsigned n, cap;
	uint64_t file_bytes, raw_bytes;
};

static void before_write(void *ctx, struct virtio_blk *b, uint64_t pos, uint64_t len)
{
	struct rr_storew *w = ctx;
	unsigned s = 0;

	while (s < NSLOT && w->blk[s] != b)
		s++;
	if (s == NSLOT)
		return;
	for (uint64_t i = pos / PAGE; len && i <= (pos + len - 1) / PAGE; i++)
		if (i < w->lim.drive_blocks[s])
			w->written[s][i] = 1;
	if (w->prev[s])
		w->prev[s](w->prev_ctx[s], b, pos, len);
}

struct rr_storew *rr_storew_new(const char *dir, struct machine *m)
{
	struct rr_storew *w = calloc(1, sizeof(*w));
	uint64_t base;

	if (!w || !(w->dir = strdup(dir)))
		goto nomem;
	w->m = m;
	w->pagemap = -1;
	limits(m, &w->lim);
	w->ram = machine_ram(m, &base, &w->ram_size);
	w->shadow =
	    mmap(NULL, w->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->shadow == MAP_FAILED) {
		w->shadow = NULL;
		goto nomem;
	}
	if (!(w->touched = malloc(w->lim.ram_pages)))
		goto nomem;
	w->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	memset(w->touched, w->pagemap < 0, w->lim.ram_pages);
	for (unsigned s = 0; s < NSLOT; s++) {
		if (!w->lim.drive_blocks[s])
			continue;
		if (!(w->written[s] = calloc(1, w->lim.drive_blocks[s])))
			goto nomem;
		w->blk[s] = machine_blk(m, s);
		w->prev[s] = virtio_blk_write_hook(w->blk[s], &w->prev_ctx[s]);
		virtio_blk_set_write_hook(w->blk[s], before_write, w);
	}
	return w;
nomem:
	rr_storew_free(w);
	err_set(ENOMEM, "out of memory");
	return NULL;
}

void rr_storew_free(struct rr_storew *w)
{
	void *ctx;

	if (!w)
		return;
	for (unsigned s = 0; s < NSLOT; s++) {
		if (w->blk[s] && virtio_blk_write_hook(w->blk[s], &ctx) == before_write && ctx == w)
			virtio_blk_set_write_hook(w->blk[s], w->prev[s], w->prev_ctx[s]);
		free(w->written[s]);
	}
	if (w->shadow)
		munmap(w->shadow, w->ram_size);
	if (w->pagemap >= 0)
		close(w->pagemap);
	free(w->touched);
	free(w->list);
	free(w->dir);
	free(w);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

int rr_storew_take(struct rr_storew *w, uint64_t log_off, uint64_t last_ns)
{
	struct rrs_hdr h = {.insns = machine_insns(w->m),
			    .log_off = log_off,
			    .log_last_ns = last_ns,
			    .state_size = (uint32_t)w->lim.state_size};
	uint64_t np = w->lim.ram_pages, nb = 0;
	uint8_t *raw = NULL, *z = NULL, hdr[RRS_HDR_SIZE], *q;
	uint32_t *pages = NULL;
	size_t zlen, npg = 0;
	char *path = NULL;
	int fd = -1, ret;

	rr_ram_touched(w->ram, w->ram_size, w->pagemap, w->touched);
	if (!(pages = malloc(np * sizeof(*pages)))) {
		ret = err_set(ENOMEM, "out of memory");
		goto out;
	}
	for (uint64_t p = 0; p < np; p++)
		if (w->touched[p] && memcmp(w->ram + p * PAGE, w->shadow + p * PAGE, PAGE))
			pages[npg++] = (uint32_t)p;
	for (unsigned s = 0; s < NSLOT; s++)
		for (uint64_t i = 0; i < w->lim.drive_blocks[s]; i++)
			nb += w->written[s][i];
	h.npages = (uint32_t)npg;
	h.nblocks = (uint32_t)nb;
	h.raw_size = rrs_raw_size(h.state_size, npg, nb);
	if (!(raw = malloc(h.raw_size))) {
		ret = err_set(ENOMEM, "out of memory");
		goto out;
	}
	machine_state_save(w->m, raw);
	machine_state_strip(w->m, raw);
	q = raw + h.state_size;
	for (size_t i = 0; i < npg; i++, q += 4)
		put32(q, pages[i]);
	for (size_t i = 0; i < npg; i++, q += PAGE) {
		memcpy(q, w->ram + (uint64_t)pages[i] * PAGE, PAGE);
		memcpy(w->shadow + (uint64_t)pages[i] * PAGE, q, PAGE);
	}
	for (unsigned s = 0; s < NSLOT; s++)
		for (uint64_t i = 0; i < w->lim.drive_blocks[s]; i++)
			if (w->written[s][i]) {
				put64(q, (uint64_t)s << 56 | i);
				q += 8;
			}
	for (unsigned s = 0; s < NSLOT; s++)
		for (uint64_t i = 0; i < w->lim.drive_blocks[s]; i++) {
			uint64_t size = virtio_blk_size(w->blk[s]), len;
			if (!w->written[s][i])
				continue;
			w->written[s][i] = 0;
			len = size - i * PAGE < PAGE ? size - i * PAGE : PAGE;
			memset(q, 0, PAGE);
			if (virtio_blk_pio(w->blk[s], q, len, i * PAGE, false) < 0) {
				ret = err_set(EIO, "--record %s: reading drive %u: I/O error",
					      w->dir, s);
				goto out;
			}
			q += PAGE;
		}
	if (rrs_pack(raw, h.raw_size, ZST_LEVEL, &z, &zlen) < 0) {
		ret = err_set(ENOMEM, "out of memory");
		goto out;
	}
	h.zsize = zlen;
	rrs_hdr_encode(&h, hdr);
	if (w->n == w->cap) {
		unsigned nc = w->cap ? 2 * w->cap : 16;
		struct rrf_snap *l = realloc(w->list, nc * sizeof(*l));
		if (!l) {
			ret = err_set(ENOMEM, "out of memory");
			goto out;
		}
		w->list = l;
		w->cap = nc;
	}
	struct rrf_snap *e = &w->list[w->n];
	e->insns = h.insns;
	snprintf(e->file, sizeof(e->file), "snap%06u.rrs", w->n);
	if (asprintf(&path, "%s/%s", w->dir, e->file) < 0) {
		path = NULL;
		ret = err_set(ENOMEM, "out of memory");
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (ret = fd_write_all(fd, hdr, sizeof(hdr), -1)) < 0 ||
	    (ret = fd_write_all(fd, z, zlen, -1)) < 0) {
		ret = err_set(fd < 0 ? errno : -ret, "--record %s: %s: %s", w->dir, e->file,
			      strerror(fd < 0 ? errno : -ret));
		goto out;
	}
	w->n++;
	w->file_bytes += sizeof(hdr) + zlen;
	w->raw_bytes += h.raw_size;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(pages);
	free(raw);
	free(z);
	return ret;
}

const struct rrf_snap *rr_storew_list(const struct rr_storew *w, unsigned *n)
{
	*n = w->n;
	return w->list;
}

void rr_storew_bytes(const struct rr_storew *w, uint64_t *file, uint64_t *raw)
{
	*file = w->file_bytes;
	*raw = w->raw_bytes;
}

uint64_t rr_storew_touched(struct rr_storew *w)
{
	uint64_t n = 0;

	rr_ram_touched(w->ram, w->ram_size, w->pagemap, w->touched);
	for (uint64_t p = 0; p < w->lim.ram_pages; p++)
		n += w->touched[p];
	return n * PAGE;
}

/* ---- reader ---- */

struct stored {
	struct rrs_hdr h;
	uint8_t *z; /* the compressed payload */
};

struct rr_stored {
	struct machine *m;
	struct rrs_limits lim;
	struct stored *v;
	unsigned n;
	struct rr_drive_src src;
	uint8_t *set; /* restoring: a byte per RAM page, then per block, already written */
	uint8_t *touched;
	int pagemap;
};

void rr_stored_free(struct rr_stored *st)
{
	if (!st)
		return;
	for (unsigned i = 0; i < st->n; i++)
		free(st->v[i].z);
	free(st->v);
	free(st->set);
	free(st->touched);
	if (st->pagemap >= 0)
		close(st->pagemap);
	free(st);
}

/* Read dir/file whole and check it; 0 or -errno with err_set(). */
static int load_one(struct rr_stored *st, const char *dir, const char *file, uint64_t insns,
		    struct stored *out)
{
	char *path = NULL;
	uint8_t hdr[RRS_HDR_SIZE], *raw = NULL;
	struct stat sb;
	int fd = -1, ret = 0;
	ssize_t k;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return err_set(ENOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		ret = err_set(errno, "%s: %s", file, strerror(errno));
		goto out;
	}
	k = pread(fd, hdr, sizeof(hdr), 0);
	if (!S_ISREG(sb.st_mode) || k < 0) {
		ret = err_set(EINVAL, "%s: not a readable file", file);
		goto out;
	}
	if (rrs_hdr_decode(hdr, (uint64_t)sb.st_size, &st->lim, &out->h) < 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", err_msg());
		ret = err_set(EINVAL, "%s: %s", file, msg);
		goto out;
	}
	if (out->h.insns != insns) {
		ret = err_set(
		    EINVAL, "%s: a snapshot at instruction %" PRIu64 ", the manifest says %" PRIu64,
		    file, out->h.insns, insns);
		goto out;
	}
	if (!(out->z = malloc(out->h.zsize ? out->h.zsize : 1)) ||
	    !(raw = malloc(out->h.raw_size))) {
		ret = err_set(ENOMEM, "%s: out of memory", file);
		goto out;
	}
	for (uint64_t done = 0; done < out->h.zsize; done += (uint64_t)k) {
		k = pread(fd, out->z + done, out->h.zsize - done, (off_t)(RRS_HDR_SIZE + done));
		if (k <= 0) {
			ret = err_set(EIO, "%s: read error", file);
			goto out;
		}
	}
	if (rrs_unpack(&out->h, out->z, &st->lim, raw) < 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", err_msg());
		ret = err_set(EINVAL, "%s: %s", file, msg);
	}
out:
	if (fd >= 0)
		close(fd);
	free(raw);
	free(path);
	return ret;
}

struct rr_stored *rr_stored_open(const char *dir, const struct rrf_manifest *man, struct machine *m,
				 const struct rr_drive_src *src)
{
	struct rr_stored *st = calloc(1, sizeof(*st));
	uint64_t nb = 0;

	if (!st)
		goto nomem;
	st->pagemap = -1;
	st->m = m;
	st->src = *src;
	limits(m, &st->lim);
	for (unsigned s = 0; s < NSLOT; s++)
		nb += st->lim.drive_blocks[s];
	if (!(st->v = calloc(man->nsnap ? man->nsnap : 1, sizeof(*st->v))) ||
	    !(st->set = malloc(st->lim.ram_pages + nb + 1)) ||
	    !(st->touched = calloc(1, st->lim.ram_pages)))
		goto nomem;
	for (unsigned i = 0; i < man->nsnap; i++) {
		if (load_one(st, dir, man->snap[i].file, man->snap[i].insns, &st->v[i]) < 0) {
			free(st->v[i].z);
			rr_stored_free(st);
			return NULL;
		}
		st->n++;
	}
	st->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	memset(st->touched, st->pagemap < 0, st->lim.ram_pages); /* cannot tell: look at all */
	return st;
nomem:
	rr_stored_free(st);
	err_set(ENOMEM, "out of memory");
	return NULL;
}

unsigned rr_stored_count(const struct rr_stored *st)
{
	return st ? st->n : 0;
}

uint64_t rr_stored_insns(const struct rr_stored *st, unsigned k)
{
	return st->v[k].h.insns;
}

int rr_stored_find(const struct rr_stored *st, uint64_t insns)
{
	int k = -1;

	for (unsigned i = 0; st && i < st->n && st->v[i].h.insns <= insns; i++)
		k = (int)i;
	return k;
}

void rr_stored_log_pos(const struct rr_stored *st, unsigned k, uint64_t *off, uint64_t *last_ns)
{
	*off = st->v[k].h.log_off;
	*last_ns = st->v[k].h.log_last_ns;
}

/* Block i of drive s becomes data (written only if it differs). */
static int put_block(struct rr_stored *st, unsigned s, uint64_t i, const uint8_t *data)
{
	struct virtio_blk *b = machine_blk(st->m, s);
	uint64_t size = virtio_blk_size(b), len = size - i * PAGE < PAGE ? size - i * PAGE : PAGE;
	uint8_t cur[PAGE];

	if (virtio_blk_pio(b, cur, len, i * PAGE, false) < 0)
		return -EIO;
	if (!memcmp(cur, data, len))
		return 0;
	return virtio_blk_pio(b, (void *)data, len, i * PAGE, true) < 0 ? -EIO : 0;
}

int rr_stored_load(struct rr_stored *st, unsigned k, uint64_t *log_off, uint64_t *last_ns)
{
	uint64_t base, size, np = st->lim.ram_pages, boff[NSLOT], nb = 0;
	uint8_t *ram = machine_ram(st->m, &base, &size), *state = NULL;
	struct cpu *cpu = machine_cpu(st->m);
	int ret = 0;

	for (unsigned s = 0; s < NSLOT; s++) {
		boff[s] = np + nb;
		nb += st->lim.drive_blocks[s];
	}
	memset(st->set, 0, np + nb);
	/* the newest copy of each page and block, from snapshot k down */
	for (unsigned j = k + 1; j-- > 0;) {
		const struct rrs_hdr *h = &st->v[j].h;
		uint8_t *r = malloc(h->raw_size);

		if (!r || rrs_unpack(h, st->v[j].z, &st->lim, r) < 0) {
			free(r);
			ret = r ? -EINVAL : err_set(ENOMEM, "out of memory");
			goto out;
		}
		for (uint32_t i = 0; i < h->npages; i++) {
			uint32_t p = rrs_page(h, r, i);
			if (st->set[p])
				continue;
			st->set[p] = 1;
			if (memcmp(ram + (uint64_t)p * PAGE, rrs_page_data(h, r, i), PAGE)) {
				memcpy(ram + (uint64_t)p * PAGE, rrs_page_data(h, r, i), PAGE);
				cpu_invalidate_code(cpu, base + (uint64_t)p * PAGE, PAGE);
			}
		}
		for (uint32_t i = 0; i < h->nblocks && !ret; i++) {
			uint64_t key = rrs_block(h, r, i), s = key >> 56,
				 b = key & ((1ull << 56) - 1);
			if (st->set[boff[s] + b])
				continue;
			st->set[boff[s] + b] = 1;
			if (put_block(st, (unsigned)s, b, rrs_block_data(h, r, i)) < 0)
				ret = err_set(EIO, "restoring drive %u: I/O error", (unsigned)s);
		}
		if (j == k)
			state = r; /* its first state_size bytes: the machine's state */
		else
			free(r);
		if (ret)
			goto out;
	}
	/* pages no snapshot up to k has were zero then; blocks as the drive started */
	rr_ram_touched(ram, size, st->pagemap, st->touched);
	for (uint64_t p = 0; p < np; p++) {
		static const uint8_t zero[PAGE];
		if (st->set[p] || !st->touched[p] || !memcmp(ram + p * PAGE, zero, PAGE))
			continue;
		memset(ram + p * PAGE, 0, PAGE);
		cpu_invalidate_code(cpu, base + p * PAGE, PAGE);
	}
	for (unsigned s = 0; s < NSLOT; s++) {
		uint8_t buf[PAGE];
		if (!st->lim.drive_blocks[s])
			continue;
		if (st->src.rewind(st->src.ctx, s) < 0) {
			ret = err_set(EIO, "restoring drive %u: cannot read its recorded contents",
				      s);
			goto out;
		}
		for (uint64_t b = 0; b < st->lim.drive_blocks[s]; b++) {
			if (st->src.next(st->src.ctx, s, buf) < 0) {
				ret = err_set(EIO,
					      "restoring drive %u: cannot read its recorded "
					      "contents",
					      s);
				goto out;
			}
			if (!st->set[boff[s] + b] && put_block(st, s, b, buf) < 0) {
				ret = err_set(EIO, "restoring drive %u: I/O error", s);
				goto out;
			}
		}
	}
	machine_state_restore(st->m, state);
	*log_off = st->v[k].h.log_off;
	*last_ns = st->v[k].h.log_last_ns;
out:
	free(state);
	return ret;
}
