/* snapshot — periodic in-memory snapshots of a machine for reverse execution (docs/REPLAY.md):
 * the state but RAM (machine_state_save) of each, and of RAM only the pages that changed since
 * the previous one. Restoring goes back to any snapshot; re-running forward from it is
 * deterministic, so later snapshots stay valid. */
#ifndef STRATA_REPLAY_SNAPSHOT_H
#define STRATA_REPLAY_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct rr_snaps;
struct rr_stored;

/* Default distance between two snapshots, in instructions (--snapshot-every). */
#define RR_SNAP_EVERY 100000000ull

/* Snapshots of m every `every` instructions; NULL + err_set(). */
struct rr_snaps *rr_snaps_new(struct machine *m, uint64_t every);
void rr_snaps_free(struct rr_snaps *s);
/* More state to keep with each snapshot (a replay's input cursors): size bytes. */
int rr_snaps_add_state(struct rr_snaps *s, size_t size, void (*save)(void *ctx, void *buf),
		       void (*restore)(void *ctx, const void *buf), void *ctx);
/* A replay's stored snapshots (snapstore.h; NULL or none: only those in memory): restoring
 * to a point starts from the newest of either kind, and from a stored one the snapshots in
 * memory start over; seek(ctx, ...) puts the replay's input there. */
void rr_snaps_set_stored(struct rr_snaps *s, struct rr_stored *st,
			 void (*seek)(void *ctx, uint64_t log_off, uint64_t last_ns), void *ctx);
/* Going forward from now to insns is shorter from a stored snapshot after now. */
bool rr_snaps_ahead(const struct rr_snaps *s, uint64_t now, uint64_t insns);
/* Between two rounds: take a snapshot if none was taken yet or `every` instructions passed
 * since the newest. 0 or -ENOMEM (then snapshots stop, reverse execution reaches less far). */
int rr_snaps_tick(struct rr_snaps *s);
/* Restore the newest snapshot at or before insns (in memory or stored): 0 and *at = its
 * instruction count, -ENOENT if insns is before the first snapshot, -EIO/-ENOMEM when a stored
 * one cannot be put in place. */
int rr_snaps_restore(struct rr_snaps *s, uint64_t insns, uint64_t *at);
/* The first snapshot's instruction count (UINT64_MAX: none yet; a stored one counts); how
 * many are in memory; their bytes; how often a stored one was restored. */
uint64_t rr_snaps_first(const struct rr_snaps *s);
unsigned rr_snaps_count(const struct rr_snaps *s);
uint64_t rr_snaps_bytes(const struct rr_snaps *s);
unsigned rr_snaps_jumps(const struct rr_snaps *s);

/* Mark in touched[] (a byte per 4 KiB page of ram[0..size)) the pages the process ever
 * touched (present or swapped in /proc/self/pagemap, open as pagemap; -1: leave touched as it
 * is, the caller set every byte). Untouched pages are still the mapping's zero pages. */
void rr_ram_touched(const uint8_t *ram, uint64_t size, int pagemap, uint8_t *touched);

#endif
