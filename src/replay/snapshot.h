/* snapshot — periodic in-memory snapshots of a machine for reverse execution (docs/REPLAY.md):
 * the state but RAM (machine_state_save) of each, and of RAM only the pages that changed since
 * the previous one. Restoring goes back to any snapshot; re-running forward from it is
 * deterministic, so later snapshots stay valid. */
#ifndef STRATA_REPLAY_SNAPSHOT_H
#define STRATA_REPLAY_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct machine;
struct rr_snaps;

/* Default distance between two snapshots, in instructions (--snapshot-every). */
#define RR_SNAP_EVERY 100000000ull

/* Snapshots of m every `every` instructions; NULL + err_set(). */
struct rr_snaps *rr_snaps_new(struct machine *m, uint64_t every);
void rr_snaps_free(struct rr_snaps *s);
/* More state to keep with each snapshot (a replay's input cursors): size bytes. */
int rr_snaps_add_state(struct rr_snaps *s, size_t size, void (*save)(void *ctx, void *buf),
		       void (*restore)(void *ctx, const void *buf), void *ctx);
/* Between two rounds: take a snapshot if none was taken yet or `every` instructions passed
 * since the newest. 0 or -ENOMEM (then snapshots stop, reverse execution reaches less far). */
int rr_snaps_tick(struct rr_snaps *s);
/* Restore the newest snapshot at or before insns: 0 and *at = its instruction count, or
 * -ENOENT if insns is before the first snapshot. */
int rr_snaps_restore(struct rr_snaps *s, uint64_t insns, uint64_t *at);
/* The first snapshot's instruction count (UINT64_MAX: none yet); how many; their bytes. */
uint64_t rr_snaps_first(const struct rr_snaps *s);
unsigned rr_snaps_count(const struct rr_snaps *s);
uint64_t rr_snaps_bytes(const struct rr_snaps *s);

#endif
