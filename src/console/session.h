/* session — where the console's data comes from (inside src/console). A feeder thread copies
 * the trace file into a pipe — paced for a replay, following the file as it grows for a live
 * run — and a reader thread reads the pipe with the trace reader and feeds the views' live
 * summary (views/live.h). The screen takes the lock to look at the summary. */
#ifndef STRATA_CONSOLE_SESSION_H
#define STRATA_CONSOLE_SESSION_H

#include "console/console.h"
#include "views/live.h"

#include <stdbool.h>
#include <stdint.h>

#define CSESS_HARTS 64

struct csess_hart {
	bool seen;
	uint64_t pc, instret;
	unsigned priv;
	double mips; /* over the last refresh (wall clock) */
};

struct csess_state {
	bool live;    /* attached to a run */
	bool paused;  /* replay paused */
	bool reading; /* the reader still has data to come */
	bool ended;   /* live: the run said it ended (code) */
	int code;
	bool lost;	  /* live: the link closed before the run said it ended */
	bool no_trace;	  /* live: the run records no trace (harts only) */
	double progress;  /* replay: share of the file fed so far */
	double speed;	  /* replay: speed factor */
	char msg[512];	  /* what went wrong (corrupt trace, ...), or "" */
	char source[512]; /* the file or socket */
	bool ns_clock;	  /* the trace clock is ns (native traces), else instructions */
	unsigned nharts;  /* live: harts the run reported */
	struct csess_hart harts[CSESS_HARTS];
};

struct csess;

/* Open the source (checks the trace file or connects to the socket) and start the threads.
 * NULL + errno with err_set(). */
struct csess *csess_open(const struct console_opts *o);
/* Stop the threads and free everything. */
void csess_close(struct csess *s);
/* The summary (NULL until the trace's header is read); only between lock and unlock. */
void csess_lock(struct csess *s);
void csess_unlock(struct csess *s);
struct live *csess_live(struct csess *s);
/* The name of the function at pc (symbols of the trace), or NULL; under the lock. */
const char *csess_func(struct csess *s, unsigned priv, uint64_t pc);
void csess_state(struct csess *s, struct csess_state *o); /* takes the lock itself */
/* Replay controls. */
void csess_pause(struct csess *s, bool pause);
void csess_to_end(struct csess *s);
void csess_speed(struct csess *s, double factor);

#endif
