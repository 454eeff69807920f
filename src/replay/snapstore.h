/* snapstore — snapshots stored in the recording directory (docs/REPLAY.md "Stored
 * snapshots"). While recording, every `--snapshot-every` instructions the writer stores the
 * machine's state and, of RAM and the writable drives, what changed since the snapshot before
 * (new contents, zstd-compressed, snapfile.h). A replay loads them (all checked when the replay
 * starts) and can put the machine at any of them without running the instructions before:
 * RAM and drives are rebuilt from the newest copy of each page and block at or before it. */
#ifndef STRATA_REPLAY_SNAPSTORE_H
#define STRATA_REPLAY_SNAPSTORE_H

#include "replay/rrfile.h"

#include <stddef.h>
#include <stdint.h>

struct machine;

/* ---- writing (strata run --record) ---- */
struct rr_storew;

/* Store snapshots of m into dir; NULL + err_set(). */
struct rr_storew *rr_storew_new(const char *dir, struct machine *m);
/* Store one now (between two rounds); log_off/last_ns: where the input log is (snapfile.h).
 * 0 or -errno with err_set(). */
int rr_storew_take(struct rr_storew *w, uint64_t log_off, uint64_t last_ns);
/* The snapshots stored so far (for the manifest); their bytes in files and uncompressed. */
const struct rrf_snap *rr_storew_list(const struct rr_storew *w, unsigned *n);
void rr_storew_bytes(const struct rr_storew *w, uint64_t *file, uint64_t *raw);
/* Bytes of RAM the process has touched so far (/proc/self/pagemap: pages read or written by
 * the guest or the loader; all of RAM if that cannot be told). */
uint64_t rr_storew_touched(struct rr_storew *w);
/* Unhook and free; NULL is a no-op. */
void rr_storew_free(struct rr_storew *w);

/* ---- reading (strata replay) ---- */
struct rr_stored;

/* A drive's contents at the start of the recording, read in order, 4 KiB at a time (the last
 * block may be short, the rest of buf is zero). 0 or -errno. */
struct rr_drive_src {
	void *ctx;
	int (*rewind)(void *ctx, unsigned slot);
	int (*next)(void *ctx, unsigned slot, uint8_t *buf);
};

/* Read and check the manifest's snapshots for machine m (every file whole: header, checksum,
 * page and block numbers). NULL + err_set() naming the file and what is wrong. */
struct rr_stored *rr_stored_open(const char *dir, const struct rrf_manifest *man, struct machine *m,
				 const struct rr_drive_src *src);
void rr_stored_free(struct rr_stored *st);
unsigned rr_stored_count(const struct rr_stored *st);
uint64_t rr_stored_insns(const struct rr_stored *st, unsigned k);
/* The newest snapshot at or before insns, or -1. */
int rr_stored_find(const struct rr_stored *st, uint64_t insns);
/* Put m at snapshot k: RAM, drives, state; log_off and last_ns: where the input log was
 * then. 0 or -errno with err_set(). */
int rr_stored_load(struct rr_stored *st, unsigned k, uint64_t *log_off, uint64_t *last_ns);
/* Snapshot k's input log position (snapfile.h). */
void rr_stored_log_pos(const struct rr_stored *st, unsigned k, uint64_t *off, uint64_t *last_ns);

#endif
