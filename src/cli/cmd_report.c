/* cmd_report — `strata report FILE`: where the instructions went (src/views/report.c). */
#include "cli/cli.h"
#include "util/err.h"
#include "views/view.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: strata report FILE [--top N]\n\n"
		"Summarise a strata trace: per hart and privilege level the functions with the\n"
		"most self and total instructions (top N, default 20), traps by cause, SBI calls\n"
		"by extension and function, Linux syscalls by name.\n");
}

int cmd_report(int argc, char **argv)
{
	const char *path, *top = NULL;
	struct view_opts o = {0};
	const struct cli_opt opts[] = {{"--top", .value = &top}, {.name = NULL}};
	int r = cli_parse_opts("report", report_usage, argc, argv, opts, &path);
	uint64_t n;

	if (r)
		return r > 0 ? 0 : EXIT_BADINPUT;
	if (top) {
		if (cli_parse_count(top, &n) || !n || n > 1000000) {
			fprintf(stderr, "strata report: --top %s: not a count from 1 to 1000000\n",
				top);
			return EXIT_BADINPUT;
		}
		o.top = n;
	}
	if (!path) {
		fprintf(stderr, "strata report: no trace FILE (try --help)\n");
		return EXIT_BADINPUT;
	}
	bool truncated;
	int rc = view_run_file(&view_report, &o, path, stdout, &truncated);
	if (truncated)
		fprintf(stderr,
			"strata report: %s: the trace is truncated; reported what it holds\n",
			path);
	if (rc) {
		fprintf(stderr, "strata report: %s\n", err_msg() ? err_msg() : strerror(-rc));
		return EXIT_BADINPUT;
	}
	return 0;
}
