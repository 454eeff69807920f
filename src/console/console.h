/* console — `strata console`: a live terminal UI (ncurses) for the tasks and the machine, on a
 * trace file (replayed) or attached to a running `strata run --console` / `strata record
 * --console`. docs/UI.md.
 *
 * The live link is a Unix socket the run listens on. The run tells a console that connects
 * where its trace file is and, at every refresh, writes the recorder's buffered events to that
 * file and sends each hart's pc, privilege level and instruction count; at the end it sends
 * the exit status. The console reads the trace file as it grows, through the same reader and
 * analysis as every other view, so nothing is interpreted twice and nothing recorded is missed
 * by attaching late. */
#ifndef STRATA_CONSOLE_CONSOLE_H
#define STRATA_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

/* ---- the console (cmd_console.c) ---- */

struct console_opts {
	const char *trace;   /* replay this trace file, or */
	const char *attach;  /* attach to the socket of a running strata run/record */
	unsigned replay_ms;  /* replay the whole file in this many ms (0: at once) */
	unsigned refresh_ms; /* screen refresh (0: the default) */
	unsigned wait_ms;    /* --attach: wait this long for the socket to appear */
};

/* Run the UI until the user quits. 0; -errno with err_set() if the trace or the socket cannot
 * be opened (before the screen is taken). */
int console_main(const struct console_opts *o);

/* ---- the run's side of the live link (cmd_run.c, cmd_record.c) ---- */

struct console_server;
struct machine;
struct recorder;

/* The default socket path for this process: $XDG_RUNTIME_DIR or /tmp, strata-<pid>.console. */
void console_default_path(char *buf, unsigned n);
/* Listen on path (an existing socket file there is replaced). trace: the trace file the run
 * writes, or NULL. wait: block until a console connects (a signal ends the wait). NULL + errno
 * with err_set(). */
struct console_server *console_server_new(const char *path, const char *trace, bool wait);
/* Hook into the machine's run loop (as its debugger: every few rounds; cheap unless a refresh
 * is due). rec: the recorder whose buffers a refresh flushes, or NULL. */
void console_server_attach(struct console_server *s, struct machine *m, struct recorder *rec);
/* A refresh from a run loop of another kind (strata record): harts are threads there, so only
 * the recorder's flush callback and the link. Calls flush(ctx) when a console is connected. */
void console_server_tick(struct console_server *s, void (*flush)(void *ctx), void *ctx);
/* The run ended with status code: tell the consoles, close the socket and remove it. */
void console_server_end(struct console_server *s, int code);

#define CONSOLE_REFRESH_MS 200

#endif
