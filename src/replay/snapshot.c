/* snapshot — the machine's state and RAM deltas. RAM: a shadow copy holds RAM as it was at the
 * newest snapshot; taking one compares RAM with the shadow page by page and keeps, for each
 * page that changed, its contents at the previous snapshot (an undo record). Restoring
 * snapshot k puts the shadow back where RAM differs, then applies the undo records of the
 * newer snapshots from the newest down to k+1. Every restored page's decoded code is dropped. */
#include "replay/snapshot.h"
#include "replay/snapdisk.h"
#include "replay/snapstore.h"
#include "cpu/cpu.h"
#include "machine/machine.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u

struct extra {
	size_t size;
	void (*save)(void *ctx, void *buf);
	void (*restore)(void *ctx, const void *buf);
	void *ctx;
};

struct snap {
	uint64_t insns;
	uint8_t *state;	 /* machine state, then the extras */
	uint32_t *pages; /* undo: page indexes ... */
	uint8_t *old;	 /* ... and their contents at the previous snapshot */
	size_t npages;
	struct rr_dundo disk; /* the writable drives' blocks, the same way */
};

struct rr_snaps {
	struct machine *m;
	uint64_t every;
	uint8_t *ram, *shadow;
	uint64_t ram_base, ram_size;
	size_t state_size;
	struct extra extra[4];
	unsigned nextra;
	struct snap *v;
	unsigned n, cap;
	uint64_t bytes;
	bool failed;
	/* RAM pages the guest ever touched (the rest are the zero pages the RAM mapping starts
	 * with, in RAM and in the shadow alike: comparing them would only fault them in) */
	uint8_t *touched;
	int pagemap; /* /proc/self/pagemap, or -1: then every page counts as touched */
	struct rr_disk *disk; /* NULL: no writable drive */
	const struct rr_dundo **undo; /* rr_snaps_restore's list, cap entries */
	/* a replay's stored snapshots (snapstore.h): where one is nearer than any in memory,
	 * restoring starts from it, and the snapshots in memory start over there */
	struct rr_stored *stored;
	void (*seek)(void *ctx, uint64_t log_off, uint64_t last_ns);
	void *seek_ctx;
	unsigned jumps;
};

void rr_ram_touched(const uint8_t *ram, uint64_t size, int pagemap, uint8_t *touched)
{
	size_t np = size / PAGE, done = 0;
	uint64_t e[512];

	if (pagemap < 0)
		return;
	while (done < np) {
		size_t n = np - done < 512 ? np - done : 512;
		off_t off = (off_t)(((uintptr_t)ram / PAGE + done) * sizeof(uint64_t));
		ssize_t k = pread(pagemap, e, n * sizeof(uint64_t), off);

		if (k != (ssize_t)(n * sizeof(uint64_t))) { /* cannot tell: compare everything */
			memset(touched, 1, np);
			return;
		}
		for (size_t i = 0; i < n; i++)
			touched[done + i] |= (uint8_t)((e[i] >> 62) != 0);
		done += n;
	}
}

static void scan_touched(struct rr_snaps *s)
{
	rr_ram_touched(s->ram, s->ram_size, s->pagemap, s->touched);
}

struct rr_snaps *rr_snaps_new(struct machine *m, uint64_t every)
{
	struct rr_snaps *s = calloc(1, sizeof(*s));

	if (!s) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	s->m = m;
	s->every = every ? every : RR_SNAP_EVERY;
	s->ram = machine_ram(m, &s->ram_base, &s->ram_size);
	s->state_size = machine_state_size(m);
	s->touched = malloc(s->ram_size / PAGE);
	if (!s->touched) {
		free(s);
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	s->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	memset(s->touched, s->pagemap < 0, s->ram_size / PAGE);
	int err;
	s->disk = rr_disk_new(m, &err);
	if (err) {
		rr_snaps_free(s);
		return NULL;
	}
	return s;
}

/* Forget the snapshots in memory (not the shadow). */
static void drop_all(struct rr_snaps *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		free(s->v[i].state);
		free(s->v[i].pages);
		free(s->v[i].old);
		rr_dundo_free(&s->v[i].disk);
	}
	s->n = 0;
}

void rr_snaps_free(struct rr_snaps *s)
{
	if (!s)
		return;
	drop_all(s);
	free(s->v);
	free(s->undo);
	rr_disk_free(s->disk);
	if (s->shadow)
		munmap(s->shadow, s->ram_size);
	if (s->pagemap >= 0)
		close(s->pagemap);
	free(s->touched);
	free(s);
}

int rr_snaps_add_state(struct rr_snaps *s, size_t size, void (*save)(void *ctx, void *buf),
		       void (*restore)(void *ctx, const void *buf), void *ctx)
{
	if (s->nextra == sizeof(s->extra) / sizeof(s->extra[0]) || s->n)
		return -EINVAL;
	s->extra[s->nextra++] = (struct extra){size, save, restore, ctx};
	return 0;
}

static size_t full_state_size(const struct rr_snaps *s)
{
	size_t n = s->state_size;

	for (unsigned i = 0; i < s->nextra; i++)
		n += s->extra[i].size;
	return n;
}

/* The pages that differ from the shadow: their old contents into sn, the shadow updated. */
static int take_pages(struct rr_snaps *s, struct snap *sn)
{
	size_t cap = 0, np = s->ram_size / PAGE;

	for (size_t p = 0; p < np; p++) {
		uint8_t *r = s->ram + p * PAGE, *sh = s->shadow + p * PAGE;

		if (!s->touched[p] || !memcmp(r, sh, PAGE))
			continue;
		if (sn->npages == cap) {
			size_t nc = cap ? 2 * cap : 256;
			uint32_t *pg = realloc(sn->pages, nc * sizeof(*pg));
			uint8_t *old = pg ? realloc(sn->old, nc * PAGE) : NULL;

			if (pg)
				sn->pages = pg;
			if (!old)
				return -ENOMEM;
			sn->old = old;
			cap = nc;
		}
		sn->pages[sn->npages] = (uint32_t)p;
		memcpy(sn->old + sn->npages * PAGE, sh, PAGE);
		sn->npages++;
		memcpy(sh, r, PAGE);
	}
	return 0;
}

int rr_snaps_tick(struct rr_snaps *s)
{
	uint64_t now = machine_insns(s->m);
	struct snap sn = {.insns = now};
	size_t off;

	if (s->failed || (s->n && now < s->v[s->n - 1].insns + s->every))
		return 0;
	if (s->n == s->cap) {
		unsigned nc = s->cap ? 2 * s->cap : 16;
		struct snap *v = realloc(s->v, nc * sizeof(*v));
		const struct rr_dundo **u;
		if (!v)
			goto nomem;
		s->v = v;
		if (!(u = realloc(s->undo, nc * sizeof(*u))))
			goto nomem;
		s->undo = u;
		s->cap = nc;
	}
	if (!(sn.state = malloc(full_state_size(s))))
		goto nomem;
	machine_state_save(s->m, sn.state);
	off = s->state_size;
	for (unsigned i = 0; i < s->nextra; i++) {
		s->extra[i].save(s->extra[i].ctx, sn.state + off);
		off += s->extra[i].size;
	}
	scan_touched(s);
	if (!s->shadow) { /* the first: the shadow is RAM as it is, its zero pages left alone */
		void *p = mmap(NULL, s->ram_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			goto nomem;
		s->shadow = p;
		for (size_t pg = 0, np = s->ram_size / PAGE; pg < np; pg++)
			if (s->touched[pg]) {
				memcpy(s->shadow + pg * PAGE, s->ram + pg * PAGE, PAGE);
				s->bytes += PAGE;
			}
	} else if (take_pages(s, &sn) < 0) {
		goto nomem;
	}
	if (s->disk && rr_disk_take(s->disk, &sn.disk, &s->bytes) < 0)
		goto nomem;
	s->bytes += full_state_size(s) + sn.npages * (PAGE + sizeof(uint32_t));
	s->v[s->n++] = sn;
	return 0;
nomem:
	free(sn.state);
	free(sn.pages);
	free(sn.old);
	rr_dundo_free(&sn.disk);
	s->failed = true;
	return -ENOMEM;
}

static void put_page(struct rr_snaps *s, size_t p, const uint8_t *src)
{
	memcpy(s->ram + p * PAGE, src, PAGE);
	cpu_invalidate_code(machine_cpu(s->m), s->ram_base + p * PAGE, PAGE);
}

void rr_snaps_set_stored(struct rr_snaps *s, struct rr_stored *st,
			 void (*seek)(void *ctx, uint64_t log_off, uint64_t last_ns), void *ctx)
{
	s->stored = rr_stored_count(st) ? st : NULL;
	s->seek = seek;
	s->seek_ctx = ctx;
}

/* The newest snapshot in memory at or before insns, or -1. */
static int newest(const struct rr_snaps *s, uint64_t insns)
{
	int k = (int)s->n - 1;

	while (k >= 0 && s->v[k].insns > insns)
		k--;
	return k;
}

/* The stored snapshot to start from for insns, if it is nearer than any in memory: -1 none. */
static int stored_for(const struct rr_snaps *s, uint64_t insns)
{
	int k = rr_stored_find(s->stored, insns), m = newest(s, insns);

	if (k < 0 || (m >= 0 && s->v[m].insns >= rr_stored_insns(s->stored, k)))
		return -1;
	return k;
}

/* Put the machine at stored snapshot k; the snapshots in memory start over there. */
static int jump(struct rr_snaps *s, unsigned k, uint64_t *at)
{
	uint64_t off, ns;
	int err;

	if (rr_stored_load(s->stored, k, &off, &ns) < 0) {
		fprintf(stderr, "strata: %s\n", err_msg());
		return -EIO;
	}
	if (s->seek)
		s->seek(s->seek_ctx, off, ns);
	drop_all(s);
	s->failed = false;
	s->bytes = 0;
	if (s->shadow)
		munmap(s->shadow, s->ram_size);
	s->shadow = NULL;
	if (s->disk) { /* its shadows are the drives' old contents: start over too */
		rr_disk_free(s->disk);
		s->disk = rr_disk_new(s->m, &err);
		if (err)
			return -ENOMEM;
	}
	s->jumps++;
	*at = rr_stored_insns(s->stored, k);
	return rr_snaps_tick(s) < 0 ? -ENOMEM : 0;
}

bool rr_snaps_ahead(const struct rr_snaps *s, uint64_t now, uint64_t insns)
{
	int k = s->stored ? stored_for(s, insns) : -1;

	return k >= 0 && rr_stored_insns(s->stored, (unsigned)k) > now;
}

int rr_snaps_restore(struct rr_snaps *s, uint64_t insns, uint64_t *at)
{
	unsigned k;
	size_t off;

	int ks = s->stored ? stored_for(s, insns) : -1;

	if (ks >= 0)
		return jump(s, (unsigned)ks, at);
	if (!s->n || insns < s->v[0].insns)
		return -ENOENT;
	for (k = s->n - 1; s->v[k].insns > insns; k--)
		;
	scan_touched(s);
	for (size_t p = 0, np = s->ram_size / PAGE; p < np; p++)
		if (s->touched[p] && memcmp(s->ram + p * PAGE, s->shadow + p * PAGE, PAGE))
			put_page(s, p, s->shadow + p * PAGE);
	for (unsigned i = s->n - 1; i > k; i--)
		for (size_t j = 0; j < s->v[i].npages; j++)
			put_page(s, s->v[i].pages[j], s->v[i].old + j * PAGE);
	if (s->disk) {
		size_t nu = 0;

		for (unsigned i = s->n - 1; i > k; i--)
			s->undo[nu++] = &s->v[i].disk;
		if (rr_disk_restore(s->disk, s->undo, nu) < 0)
			return -EIO;
	}
	machine_state_restore(s->m, s->v[k].state);
	off = s->state_size;
	for (unsigned i = 0; i < s->nextra; i++) {
		s->extra[i].restore(s->extra[i].ctx, s->v[k].state + off);
		off += s->extra[i].size;
	}
	*at = s->v[k].insns;
	return 0;
}

uint64_t rr_snaps_first(const struct rr_snaps *s)
{
	uint64_t mem = s->n ? s->v[0].insns : UINT64_MAX;

	if (s->stored && rr_stored_insns(s->stored, 0) < mem)
		return rr_stored_insns(s->stored, 0);
	return mem;
}

unsigned rr_snaps_jumps(const struct rr_snaps *s)
{
	return s->jumps;
}

unsigned rr_snaps_count(const struct rr_snaps *s)
{
	return s->n;
}

uint64_t rr_snaps_bytes(const struct rr_snaps *s)
{
	return s->bytes;
}
