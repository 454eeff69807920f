/* snapdisk — the writable drives' contents in reverse execution's snapshots (snapshot.h).
 * Like RAM: a shadow holds, for every block the guest ever wrote, its contents at the newest
 * snapshot; a snapshot keeps the previous contents of the blocks that changed since the one
 * before it (an undo record). Blocks the guest never wrote are as the image was and need
 * nothing. */
#ifndef STRATA_REPLAY_SNAPDISK_H
#define STRATA_REPLAY_SNAPDISK_H

#include <stddef.h>
#include <stdint.h>

struct machine;
struct rr_disk;

/* One snapshot's undo record: blocks (indexes into the disk's block table) and their
 * contents at the snapshot before. */
struct rr_dundo {
	uint32_t *blocks;
	uint8_t *old;
	size_t n;
};

/* Watch m's writable drives (hooks their writes); NULL if it has none, or + err_set(). */
struct rr_disk *rr_disk_new(struct machine *m, int *err);
void rr_disk_free(struct rr_disk *d);
void rr_dundo_free(struct rr_dundo *u);
/* Taking a snapshot: the blocks changed since the last one into u (nothing into u for the
 * first). 0 or -ENOMEM/-EIO; *bytes grows by what was kept. */
int rr_disk_take(struct rr_disk *d, struct rr_dundo *u, uint64_t *bytes);
/* Put the drives back as they were at the snapshot whose newer snapshots' undo records are
 * u[0..n) (the newest first). 0 or -EIO. */
int rr_disk_restore(struct rr_disk *d, const struct rr_dundo *const *u, size_t n);

#endif
