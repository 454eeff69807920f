/* target — strata's machine behind the stub's gdb_target_ops (target.c), and the monitor
 * commands (monitor.c). Private to src/gdb. */
#ifndef STRATA_GDB_TARGET_H
#define STRATA_GDB_TARGET_H

#include "gdb/server.h"
#include "gdb/stub.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct cpu;

struct gdb_target {
	struct machine *m;
	struct cpu *cpu;
	unsigned nharts;
	bool interrupted; /* Ctrl-C halted the machine */
	bool exited;	  /* the guest ended the run */
	int exit_code;
	unsigned last_hart; /* the hart of the last stop */

	struct gdb_library libs[GDB_SERVER_MAX_FILES];
	int64_t libs_offset[GDB_SERVER_MAX_FILES]; /* --sym @OFFSET of each */
	unsigned nlibs;
	const struct gdb_server_config *cfg;
	struct recorder *rec; /* the run's trace recorder (cfg->rec, or opened by monitor trace) */
};

extern const struct gdb_target_ops gdb_target_ops;

/* Fill t->libs from the configured symbol files. 0 or negative with err_set(). */
int gdb_target_init(struct gdb_target *t, struct machine *m, const struct gdb_server_config *cfg);
/* Forget every breakpoint, watchpoint and event stop (the debugger went away). */
void gdb_target_clear(struct gdb_target *t);
void gdb_target_fini(struct gdb_target *t);
/* `monitor CMD`: text into out; 0 or -ENOENT for an unknown command (stub.h). */
int gdb_monitor(void *target, const char *cmd, char *out, size_t size);

#endif
