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
	const char *path = NULL;
	struct view_opts o = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			report_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--top") && i + 1 < argc) {
			uint64_t n;
			if (cli_parse_count(argv[++i], &n) || !n || n > 1000000) {
				fprintf(stderr,
					"strata report: --top %s: not a count from 1 to 1000000\n",
					argv[i]);
				return EXIT_BADINPUT;
			}
			o.top = n;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "strata report: unknown option '%s' (try --help)\n", a);
			return EXIT_BADINPUT;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "strata report: more than one FILE ('%s')\n", a);
			return EXIT_BADINPUT;
		}
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
