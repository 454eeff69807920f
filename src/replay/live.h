/* live — reverse execution in a live run that reads the host (console input, the --realtime
 * clock): every read is kept in memory in order, and a stretch run again after going back is
 * given what the host gave the first time; past the log's end the host is read again. The
 * log's cursors go back with the snapshots, so going back works after typed input and with
 * --realtime as it does in a replay. */
#ifndef STRATA_REPLAY_LIVE_H
#define STRATA_REPLAY_LIVE_H

#include <stddef.h>

struct machine;
struct rr_live;

/* Log m's console reads and host clock reads (after a recorder's hooks are installed: it
 * still sees each read once). NULL + err_set(). */
struct rr_live *rr_live_new(struct machine *m);
/* Unhook and free; NULL is a no-op. */
void rr_live_free(struct rr_live *l);
/* Snapshots (snapshot.h): the cursors as rr_live_state_size() bytes. */
size_t rr_live_state_size(void);
void rr_live_state_save(void *l, void *buf);
void rr_live_state_restore(void *l, const void *buf);

#endif
