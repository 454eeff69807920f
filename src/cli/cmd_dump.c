/* cmd_dump — `strata dump FILE`: a trace as text, Perfetto protobuf, Chrome JSON, folded or NEMU's ftrace
 * stacks (src/views). */
#include "cli/cli.h"
#include "util/err.h"
#include "views/view.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void dump_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: strata dump FILE [--format=text|perfetto|chrome|folded|nemu] [-o OUT] [--insns]\n\n"
	    "Interpret a strata trace: call stacks per hart, privilege level and address space,\n"
	    "traps, SBI calls, syscalls, MMIO.\n\n"
	    "  --format=text      one line per call/return, indented by depth (default)\n"
	    "  --format=perfetto  Perfetto protobuf trace for ui.perfetto.dev (needs -o or a "
	    "pipe)\n"
	    "  --format=chrome    Chrome JSON trace events (small traces)\n"
	    "  --format=folded    \"hart0;S;a;b;c count\" lines for flame graphs / speedscope\n"
	    "  --format=nemu      ftrace as NEMU users print it: \"PC: call [f@0x...]\" and\n"
	    "                     \"PC: ret  [f]\", indented by depth (docs/NEMU.md)\n"
	    "  -o OUT             write to OUT instead of standard output\n"
	    "  --insns            text: also each instruction of the recorded runs, "
	    "disassembled\n");
}

int cmd_dump(int argc, char **argv)
{
	const char *path, *outpath = NULL, *format = "text";
	struct view_opts o = {0};
	const struct cli_opt opts[] = {{"--format", .value = &format},
				       {"-o", .value = &outpath},
				       {"--insns", .flag = &o.insns},
				       {.name = NULL}};
	int r = cli_parse_opts("dump", dump_usage, argc, argv, opts, &path);

	if (r)
		return r > 0 ? 0 : EXIT_BADINPUT;
	if (!path) {
		fprintf(stderr, "strata dump: no trace FILE (try --help)\n");
		return EXIT_BADINPUT;
	}
	const struct view_ops *ops = view_find(format);
	if (!ops) {
		fprintf(stderr, "strata dump: --format=%s: not text, perfetto, chrome, folded or nemu\n",
			format);
		return EXIT_BADINPUT;
	}
	if (ops->binary && !outpath && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "strata dump: --format=%s is binary: use -o FILE or a pipe\n",
			format);
		return EXIT_BADINPUT;
	}
	FILE *out = stdout;
	if (outpath && !(out = fopen(outpath, ops->binary ? "wb" : "w"))) {
		fprintf(stderr, "strata dump: -o %s: %s\n", outpath, strerror(errno));
		return EXIT_BADINPUT;
	}
	bool truncated;
	int rc = view_run_file(ops, &o, path, out, &truncated);
	if (out != stdout && fclose(out) && !rc)
		rc = err_set(EIO, "-o %s: %s", outpath, strerror(errno));
	if (truncated)
		fprintf(stderr, "strata dump: %s: the trace is truncated; dumped what it holds\n",
			path);
	if (rc) {
		fprintf(stderr, "strata dump: %s\n", err_msg() ? err_msg() : strerror(-rc));
		return EXIT_BADINPUT;
	}
	return 0;
}
