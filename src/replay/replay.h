/* replay — record a run's host inputs into a directory and replay them (docs/REPLAY.md).
 * A run is determined by its command line, its images and what it reads from the host while it
 * runs: console input (and when it ended), --realtime clock reads, the drives' contents at the
 * start. Recording writes those; replaying feeds them back in the same order, so the replay
 * retires the same instructions, writes the same trace and prints the same output. */
#ifndef STRATA_REPLAY_REPLAY_H
#define STRATA_REPLAY_REPLAY_H

#include "machine/machine.h"

#include <stdio.h>

/* ---- recording (`strata run --record DIR`) ---- */
struct rr_rec;

/* Create DIR (or reuse it), hash the images of cfg, copy its drives' starting contents, and
 * write the manifest with argv (the machine's options, absolute paths). Call after
 * machine_new (the options are valid) and before machine_run. NULL + err_set() on failure. */
struct rr_rec *rr_rec_open(const char *dir, int argc, char *const *argv,
			   const struct machine_config *cfg);
/* Start logging m's console input and clock reads. */
void rr_rec_attach(struct rr_rec *r, struct machine *m);
/* Store a snapshot in DIR every `every` instructions from the start (after rr_rec_attach).
 * 0 or -ENOMEM with err_set(). */
int rr_rec_snapshots(struct rr_rec *r, uint64_t every);
/* One line on f: the recording's size by part, and the RAM the guest touched (--stats). */
void rr_rec_stats(struct rr_rec *r, FILE *f);
/* Write how the run ended (why, and status: the exit status strata run returns) and close.
 * 0 or -errno with err_set(). Frees r; NULL is a no-op. */
int rr_rec_close(struct rr_rec *r, struct machine *m, enum machine_exit why, int status);

/* ---- replaying (`strata replay DIR`) ---- */
struct rr_play;

/* Open and check DIR: manifest, input log, drive copies present. NULL + err_set(). */
struct rr_play *rr_play_open(const char *dir);
/* The recorded `strata run` options (argv[0..argc), NULL-terminated). */
char *const *rr_play_argv(const struct rr_play *p, int *argc);
/* Check cfg (parsed from those options) against the recording: the images' hashes; point the
 * drives at private copies of the recorded contents; a run the recording stopped early stops
 * at the same instruction. 0 or -EINVAL with err_set() naming what differs. */
int rr_play_config(struct rr_play *p, struct machine_config *cfg);
/* Feed the recorded inputs to m. */
void rr_play_attach(struct rr_play *p, struct machine *m);
/* After the run (*status: the exit status strata run would return): 0 if it ended as
 * recorded (a run the recording stopped early: *status becomes the recorded one), else
 * -EINVAL with err_set() saying where it diverged. */
int rr_play_finish(struct rr_play *p, struct machine *m, enum machine_exit why, int *status);
/* Snapshots (snapshot.h): the input cursors as rr_play_state_size() bytes. */
size_t rr_play_state_size(void);
void rr_play_state_save(void *p, void *buf);
void rr_play_state_restore(void *p, const void *buf);
/* Read and check the recording's stored snapshots for m (after machine_new; a recording
 * without any: nothing). 0 or -EINVAL with err_set() naming the file and the fault. */
int rr_play_load_snaps(struct rr_play *p, struct machine *m);
/* Those snapshots (NULL: none). */
struct rr_stored *rr_play_stored(const struct rr_play *p);
/* Put the input cursors at a stored snapshot's log position (snapstore.h). */
void rr_play_seek(void *p, uint64_t log_off, uint64_t last_ns);
/* Remove the private drive copies, free. */
void rr_play_close(struct rr_play *p);

#endif
