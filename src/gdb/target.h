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
struct hart;

struct gdb_target {
	struct machine *m;
	struct cpu *cpu;
	unsigned nharts;
	bool interrupted; /* Ctrl-C halted the machine */
	bool exited;	  /* the guest ended the run */
	int exit_code;
	unsigned last_hart; /* the hart of the last stop */

	struct gdb_library libs[GDB_SERVER_MAX_FILES];
	struct gdb_lib_info {
		int64_t offset;	 /* --sym @OFFSET */
		int priv;	 /* 3 M, 1 S, 0 U, -1 any */
		uint64_t lo, hi; /* the loadable segments' span, relocated */
		uint64_t sig_addr; /* where the first bytes of its code must be for it to apply */
		uint8_t sig[64];
		unsigned siglen;
	} info[GDB_SERVER_MAX_FILES];
	unsigned nlibs;
	int exec;	      /* the library offered as GDB's executable, or -1 */
	uint32_t cur, reported; /* libraries that apply now / as GDB last read them (bit masks) */
	uint64_t run_mask;    /* harts the last resume ran */
	const struct gdb_server_config *cfg;
	struct recorder *rec; /* the run's trace recorder (cfg->rec, or opened by monitor trace) */
};

extern const struct gdb_target_ops gdb_target_ops;

/* Fill t->libs from the configured symbol files. 0 or negative with err_set(). */
int gdb_target_init(struct gdb_target *t, struct machine *m, const struct gdb_server_config *cfg);
/* Forget every breakpoint, watchpoint and event stop (the debugger went away). */
void gdb_target_clear(struct gdb_target *t);
void gdb_target_fini(struct gdb_target *t);
/* A debugger connected / went away: library checks on and the list GDB reads first / off. */
void gdb_target_connected(struct gdb_target *t);
void gdb_target_disconnected(struct gdb_target *t);
/* The machine halted only for library checks and the list did not change: it was resumed as
 * it ran before, and GDB need not hear of it. */
bool gdb_target_quiet_resume(struct gdb_target *t);
/* `monitor CMD`: text into out; 0 or -ENOENT for an unknown command (stub.h). */
int gdb_monitor(void *target, const char *cmd, char *out, size_t size);

#endif
