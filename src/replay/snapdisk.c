/* snapdisk — the drives' blocks for snapshots. The guest's writes go to the image file as
 * always; the hook sees each before it happens: a block written for the first time gets a
 * shadow copy of its contents (as at every snapshot so far: nothing wrote it), and every
 * written block joins the set of blocks that may differ from their shadow. A snapshot or a
 * restore looks at that set only. */
#include "replay/snapdisk.h"
#include "machine/devices/virtio_blk.h"
#include "machine/machine.h"
#include "util/err.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096u

struct block {
	uint64_t key;	 /* slot << 56 | block index */
	uint8_t *shadow; /* contents at the newest snapshot (or the image's, before the first) */
	bool dirty;	 /* in the dirty list */
};

struct rr_disk {
	struct virtio_blk *blk[VIRT_VIRTIO_COUNT];
	struct block *v; /* every block ever written */
	size_t n, cap;
	uint32_t *hash; /* open addressing over v: index + 1, 0 empty */
	size_t hcap;
	uint32_t *dirty; /* blocks that may differ from their shadow */
	size_t ndirty, dcap;
	bool taken; /* a snapshot exists */
	int err;    /* a failure in the write hook: snapshots stop */
};

static size_t slot_of(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20);
}

static uint32_t *find(struct rr_disk *d, uint64_t key)
{
	for (size_t i = slot_of(key) & (d->hcap - 1);; i = (i + 1) & (d->hcap - 1))
		if (!d->hash[i] || d->v[d->hash[i] - 1].key == key)
			return &d->hash[i];
}

static int grow_hash(struct rr_disk *d)
{
	size_t nc = d->hcap ? 2 * d->hcap : 1024;
	uint32_t *h = calloc(nc, sizeof(*h));

	if (!h)
		return -ENOMEM;
	free(d->hash);
	d->hash = h;
	d->hcap = nc;
	for (size_t i = 0; i < d->n; i++)
		*find(d, d->v[i].key) = (uint32_t)(i + 1);
	return 0;
}

/* Bytes of block key (the last block of an image may be short). */
static uint64_t block_len(const struct rr_disk *d, uint64_t key)
{
	uint64_t size = virtio_blk_size(d->blk[key >> 56]), pos = (key & ((1ull << 56) - 1)) * BLOCK;

	return size - pos < BLOCK ? size - pos : BLOCK;
}

static int block_io(struct rr_disk *d, uint64_t key, void *buf, bool write)
{
	return virtio_blk_pio(d->blk[key >> 56], buf, block_len(d, key),
			      (key & ((1ull << 56) - 1)) * BLOCK, write);
}

static int mark_dirty(struct rr_disk *d, uint32_t i)
{
	if (d->v[i].dirty)
		return 0;
	if (d->ndirty == d->dcap) {
		size_t nc = d->dcap ? 2 * d->dcap : 256;
		uint32_t *p = realloc(d->dirty, nc * sizeof(*p));

		if (!p)
			return -ENOMEM;
		d->dirty = p;
		d->dcap = nc;
	}
	d->dirty[d->ndirty++] = i;
	d->v[i].dirty = true;
	return 0;
}

static int note_block(struct rr_disk *d, uint64_t key)
{
	uint32_t *h;

	if (2 * (d->n + 1) > d->hcap && grow_hash(d) < 0)
		return -ENOMEM;
	h = find(d, key);
	if (!*h) {
		struct block b = {.key = key, .shadow = calloc(1, BLOCK)};

		if (!b.shadow)
			return -ENOMEM;
		if (block_io(d, key, b.shadow, false) < 0) {
			free(b.shadow);
			return -EIO;
		}
		if (d->n == d->cap) {
			size_t nc = d->cap ? 2 * d->cap : 256;
			struct block *v = realloc(d->v, nc * sizeof(*v));

			if (!v) {
				free(b.shadow);
				return -ENOMEM;
			}
			d->v = v;
			d->cap = nc;
		}
		d->v[d->n++] = b;
		*h = (uint32_t)d->n;
	}
	return mark_dirty(d, *h - 1);
}

static void before_write(void *ctx, struct virtio_blk *b, uint64_t pos, uint64_t len)
{
	struct rr_disk *d = ctx;
	uint64_t slot = 0;

	while (d->blk[slot] != b)
		slot++;
	for (uint64_t i = pos / BLOCK; len && i <= (pos + len - 1) / BLOCK && !d->err; i++)
		d->err = note_block(d, slot << 56 | i);
}

struct rr_disk *rr_disk_new(struct machine *m, int *err)
{
	struct rr_disk *d = calloc(1, sizeof(*d));
	bool any = false;

	*err = 0;
	if (!d) {
		*err = err_set(ENOMEM, "out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		struct virtio_blk *b = machine_blk(m, i);

		if (b && !virtio_blk_readonly(b)) {
			d->blk[i] = b;
			virtio_blk_set_write_hook(b, before_write, d);
			any = true;
		}
	}
	if (!any) {
		free(d);
		return NULL;
	}
	return d;
}

void rr_disk_free(struct rr_disk *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < VIRT_VIRTIO_COUNT; i++)
		if (d->blk[i])
			virtio_blk_set_write_hook(d->blk[i], NULL, NULL);
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].shadow);
	free(d->v);
	free(d->hash);
	free(d->dirty);
	free(d);
}

void rr_dundo_free(struct rr_dundo *u)
{
	free(u->blocks);
	free(u->old);
	*u = (struct rr_dundo){0};
}

int rr_disk_take(struct rr_disk *d, struct rr_dundo *u, uint64_t *bytes)
{
	uint8_t cur[BLOCK];
	size_t cap = 0;

	if (d->err)
		return d->err;
	for (size_t k = 0; k < d->ndirty; k++) {
		struct block *b = &d->v[d->dirty[k]];

		b->dirty = false;
		memset(cur, 0, BLOCK);
		if (block_io(d, b->key, cur, false) < 0)
			return -EIO;
		if (!memcmp(cur, b->shadow, BLOCK))
			continue;
		if (d->taken) {
			if (u->n == cap) {
				size_t nc = cap ? 2 * cap : 64;
				uint32_t *bl = realloc(u->blocks, nc * sizeof(*bl));
				uint8_t *old = bl ? realloc(u->old, nc * BLOCK) : NULL;

				if (bl)
					u->blocks = bl;
				if (!old)
					return -ENOMEM;
				u->old = old;
				cap = nc;
			}
			u->blocks[u->n] = d->dirty[k];
			memcpy(u->old + u->n * BLOCK, b->shadow, BLOCK);
			u->n++;
			*bytes += BLOCK + sizeof(uint32_t);
		}
		memcpy(b->shadow, cur, BLOCK);
	}
	if (!d->taken)
		*bytes += d->n * BLOCK;
	d->ndirty = 0;
	d->taken = true;
	return 0;
}

int rr_disk_restore(struct rr_disk *d, const struct rr_dundo *const *u, size_t n)
{
	size_t nd = d->ndirty;

	/* back to the newest snapshot's contents, then through the undo records */
	d->ndirty = 0;
	for (size_t k = 0; k < nd; k++) {
		struct block *b = &d->v[d->dirty[k]];

		b->dirty = false;
		if (block_io(d, b->key, b->shadow, true) < 0)
			return -EIO;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < u[i]->n; j++) {
			if (block_io(d, d->v[u[i]->blocks[j]].key, u[i]->old + j * BLOCK, true) < 0)
				return -EIO;
			if (mark_dirty(d, u[i]->blocks[j]) < 0)
				return -ENOMEM;
		}
	return 0;
}
