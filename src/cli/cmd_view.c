/* cmd_view — `strata view TRACE [-o PATH] [--fb FILE] [--open]`: write the offline HTML viewer
 * (src/viewer/, docs/UI.md). */
#include "cli/cli.h"
#include "util/err.h"
#include "viewer/viewer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Traces larger than this get a directory (tiles loaded on demand) instead of one file. */
#define ONE_FILE_MAX (64ull << 20)

static void view_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: strata view TRACE [-o PATH] [--fb FILE.ppm] [--open]\n\n"
	    "Write an offline, self-contained viewer of a trace (no network): a time line with\n"
	    "a track per hart and privilege level and one per async task (function calls,\n"
	    "instruction runs, SBI calls and syscalls, task polls as slices; traps, interrupts\n"
	    "and wakes as markers, wake arrows), a flame graph per hart and level, and the task\n"
	    "table with await trees and await-point histograms.\n\n"
	    "  -o PATH   an .html file (everything inline) or a directory (index.html and\n"
	    "            data/tile-N.js, loaded as the view zooms in). Default: TRACE.html, or\n"
	    "            the directory TRACE.view for traces over 64 MiB\n"
	    "  --fb FILE.ppm  the frame buffer to show (a -machine nemu run's --fb-out file);\n"
	    "            by default the one the traced run wrote, when it exists\n"
	    "  --open    open the page with xdg-open (or $BROWSER)\n");
}

static int open_page(const char *page)
{
	const char *b = getenv("BROWSER");
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (b && *b)
			execlp(b, b, page, (char *)NULL);
		execlp("xdg-open", "xdg-open", page, (char *)NULL);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -ENOENT;
	return 0;
}

int cmd_view(int argc, char **argv)
{
	struct vw_opts o = {0};
	struct vw_result res;
	bool open = false;
	const char *slices = NULL;
	char def[4096];
	const struct cli_opt opts[] = {{"-o", .value = &o.out},
				       {"--open", .flag = &open},
				       {"--tile-slices", .value = &slices},
				       {"--fb", .value = &o.fb},
				       {.name = NULL}};
	int r = cli_parse_opts("view", view_usage, argc, argv, opts, &o.trace);

	if (r)
		return r > 0 ? 0 : EXIT_BADINPUT;
	if (o.out && !*o.out) {
		fprintf(stderr, "strata view: -o needs a PATH (.html file or directory)\n");
		return EXIT_BADINPUT;
	}
	if (slices) {
		uint64_t n;
		if (cli_parse_count(slices, &n) || n < 16 || n > 10000000) {
			fprintf(stderr, "strata view: --tile-slices %s: not a count from 16 to 10000000\n",
				slices);
			return EXIT_BADINPUT;
		}
		o.tile_slices = (unsigned)n;
	}
	if (!o.trace) {
		fprintf(stderr, "strata view: no TRACE file (try --help)\n");
		return EXIT_BADINPUT;
	}
	if (!o.out) {
		struct stat st;
		bool big = !stat(o.trace, &st) && (uint64_t)st.st_size > ONE_FILE_MAX;
		snprintf(def, sizeof(def), "%s.%s", o.trace, big ? "view" : "html");
		o.out = def;
	}
	int rc = vw_write(&o, &res);
	if (rc) {
		fprintf(stderr, "strata view: %s\n", err_msg() ? err_msg() : strerror(-rc));
		return EXIT_BADINPUT;
	}
	printf("strata view: wrote %s (%" PRIu64 " events, %" PRIu64 " slices in %" PRIu64
	       " tiles, %" PRIu64 " markers, %" PRIu64 " tasks)\n",
	       o.out, res.events, res.slices, res.tiles, res.markers, res.tasks);
	if (res.fb[0])
		printf("strata view: the page shows the frame buffer %s\n", res.fb);
	if (res.fb_note[0])
		fprintf(stderr, "strata view: %s\n", res.fb_note);
	if (res.truncated)
		fprintf(stderr,
			"strata view: %s: the trace is truncated; the page shows what it holds\n",
			o.trace);
	if (open) {
		char page[4200];
		size_t n = strlen(o.out);
		bool html = n > 5 && (!strcasecmp(o.out + n - 5, ".html") ||
				      !strcasecmp(o.out + n - 4, ".htm"));
		snprintf(page, sizeof(page), html ? "%s" : "%s/index.html", o.out);
		if (open_page(page) < 0)
			fprintf(stderr,
				"strata view: --open: cannot start a browser (xdg-open or "
				"$BROWSER); open %s yourself\n",
				page);
	}
	if (res.error[0]) {
		fprintf(stderr, "strata view: %s (the page shows what came before)\n", res.error);
		return EXIT_BADINPUT;
	}
	return 0;
}
