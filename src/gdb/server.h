/* server — `strata run --gdb`: a TCP listener, one GDB connection at a time, the stub
 * (stub.h) over strata's machine (target.h), hooked into the machine's run loop. */
#ifndef STRATA_GDB_SERVER_H
#define STRATA_GDB_SERVER_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct recorder;

#define GDB_SERVER_MAX_FILES 20

struct gdb_server_config {
	const char *listen; /* "[HOST:]PORT"; HOST defaults to 127.0.0.1 */
	bool wait;	    /* -S: halt before the first instruction until GDB resumes */
	/* Symbol files for the library list: the -bios and -kernel ELFs and --sym files. */
	struct gdb_server_file {
		const char *path;
		int priv;	/* 3 M, 1 S, 0 U, -1 any */
		int64_t offset; /* added to the file's link addresses */
	} files[GDB_SERVER_MAX_FILES];
	unsigned nfiles;
	/* The run's trace recorder, or NULL; open_trace creates one on the first
	 * `monitor trace ... on` (NULL + err_set() if it cannot). */
	struct recorder *rec;
	struct recorder *(*open_trace)(void *ctx);
	void *ctx;
	/* Reverse execution (bs, bc, monitor goto; docs/REPLAY.md): snapshots the server takes
	 * while the machine runs, or NULL (not offered); no_reverse(ctx) says why going back is
	 * not possible now, or NULL when it is. */
	struct rr_snaps *snaps;
	const char *(*no_reverse)(void *ctx);
};

struct gdb_server;

/* Listen and attach to m's run loop (halted first if cfg->wait). cfg must outlive the server.
 * NULL with err_set() (bad address, port in use...). */
struct gdb_server *gdb_server_new(const struct gdb_server_config *cfg, struct machine *m);
void gdb_server_free(struct gdb_server *s);

#endif
