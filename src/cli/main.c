/* strata — entry point: dispatch to a subcommand. Only main() exits. */
#include "cli/cli.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

#define STRATA_VERSION "0.1.0"

#if STRATA_EBPF
#define CMD_RECORD cmd_record
#else
/* `make EBPF=0` leaves out the eBPF back-end (Makefile): say so instead of "unknown command" */
static int cmd_record_unavailable(int argc, char **argv)
{
	fprintf(stderr, "strata: record: this strata was built without the eBPF back-end (make "
			"EBPF=0); it needs bpftool, clang and /sys/kernel/btf/vmlinux to build\n");
	return EXIT_BADINPUT;
}
#define CMD_RECORD cmd_record_unavailable
#endif

static const struct cli_cmd cmds[] = {
    {"run", "run a QEMU-virt-compatible RISC-V machine (firmware, kernel, bare metal)", cmd_run},
    {"replay", "re-run a run recorded with `strata run --record DIR`, identically", cmd_replay},
    {"info", "describe a trace file: machine, symbols, devices, chunk and event counts", cmd_info},
    {"dump", "show a trace: text, Perfetto, Chrome JSON or folded stacks", cmd_dump},
    {"report", "summarise a trace: top functions, traps, SBI calls, syscalls", cmd_report},
    {"record", "trace a native Linux process with eBPF uprobes (functions)", CMD_RECORD},
    {"tasks", "Rust async tasks of a trace: polls, states, await trees, wakes", cmd_tasks},
    {"view", "write an offline HTML viewer of a trace: time line, flame graphs, tasks", cmd_view},
    {"console", "live terminal UI: tasks, functions, traps, harts of a run or a trace", cmd_console},
    {"attach", "GDB proxy adding privilege levels and symbol files to OpenOCD, QEMU, kgdb", cmd_attach},
};

static void usage(FILE *f)
{
	fprintf(f, "strata " STRATA_VERSION " — a tracing debugger for every layer of a RISC-V "
		   "machine\n\n"
		   "usage: strata <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'strata <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BADINPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("strata " STRATA_VERSION "\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].main(argc - 1, argv + 1);
	fprintf(stderr, "strata: unknown command '%s' (try 'strata --help')\n", argv[1]);
	return EXIT_BADINPUT;
}
