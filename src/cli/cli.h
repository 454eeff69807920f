/* cli — the strata command line: one file per subcommand behind a small table. */
#ifndef STRATA_CLI_CLI_H
#define STRATA_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses shared by all subcommands. */
enum {
	EXIT_BADINPUT = 2,   /* bad option or input file: one-line message on stderr */
	EXIT_MAXINSNS = 124, /* --max-insns reached (like timeout(1)) */
	EXIT_INTERNAL = 70,  /* internal emulator error (EX_SOFTWARE), after a register dump */
	EXIT_STUCK = 65,     /* the guest makes no progress (EX_DATAERR: the guest is at fault,
			      * not strata), after a register dump */
};

struct cli_cmd {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv); /* returns the process exit status */
};

int cmd_run(int argc, char **argv);
struct rr_play;
/* `strata run` with argv, its inputs replayed from p (src/replay) when p is not NULL. */
int cmd_run_replay(int argc, char **argv, struct rr_play *p);
int cmd_replay(int argc, char **argv); /* strata replay DIR: re-run a recorded run */
int cmd_info(int argc, char **argv); /* strata info FILE: describe a trace file */
int cmd_dump(int argc, char **argv);   /* strata dump FILE: text/perfetto/chrome/folded */
int cmd_report(int argc, char **argv); /* strata report FILE: top functions, traps, calls */
int cmd_record(int argc, char **argv); /* strata record: eBPF uprobes on a native process */
int cmd_tasks(int argc, char **argv);  /* strata tasks FILE: Rust async tasks (--trace=async) */
int cmd_view(int argc, char **argv);   /* strata view TRACE: the offline HTML viewer */
int cmd_console(int argc, char **argv); /* strata console: the live terminal UI */
int cmd_attach(int argc, char **argv);  /* strata attach: GDB proxy to OpenOCD/QEMU/kgdb */

/* Parse a byte size such as "128M", "1G", "4096K" or "256" (MiB, as QEMU's -m). Returns 0 or
 * -EINVAL. */
int cli_parse_size(const char *s, uint64_t *bytes);
/* Parse an unsigned decimal/hex count with optional k/M/G multiplier. Returns 0 or -EINVAL. */
int cli_parse_count(const char *s, uint64_t *n);

/* One option of a reading subcommand (info, dump, report, tasks): a flag, or an option with a
 * value given as "NAME VALUE" or "NAME=VALUE". A table ends with {NULL}. */
struct cli_opt {
	const char *name;   /* "--top", "-o" */
	bool *flag;	    /* a flag: set to true */
	const char **value; /* an option with a value: where it goes */
};
/* Parse argv[1..] of `strata cmd` by opts, plus -h/--help and at most one FILE (into *file).
 * 0 when parsed; 1 after printing usage to stdout for --help; -EINVAL after printing
 * "strata CMD: ..." on stderr (unknown option, missing value, a second FILE). */
int cli_parse_opts(const char *cmd, void (*usage)(FILE *f), int argc, char **argv,
		   const struct cli_opt *opts, const char **file);

#endif
