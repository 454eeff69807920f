/* cli — the strata command line: one file per subcommand behind a small table. */
#ifndef STRATA_CLI_CLI_H
#define STRATA_CLI_CLI_H

#include <stdint.h>

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
int cmd_info(int argc, char **argv); /* strata info FILE: describe a trace file */
int cmd_dump(int argc, char **argv);   /* strata dump FILE: text/perfetto/chrome/folded */
int cmd_report(int argc, char **argv); /* strata report FILE: top functions, traps, calls */
int cmd_record(int argc, char **argv); /* strata record: eBPF uprobes on a native process */
int cmd_tasks(int argc, char **argv);  /* strata tasks FILE: Rust async tasks (--trace=async) */
int cmd_view(int argc, char **argv);   /* strata view TRACE: the offline HTML viewer */
int cmd_console(int argc, char **argv); /* strata console: the live terminal UI */

/* Parse a byte size such as "128M", "1G", "4096K" or "256" (MiB, as QEMU's -m). Returns 0 or
 * -EINVAL. */
int cli_parse_size(const char *s, uint64_t *bytes);
/* Parse an unsigned decimal/hex count with optional k/M/G multiplier. Returns 0 or -EINVAL. */
int cli_parse_count(const char *s, uint64_t *n);

#endif
