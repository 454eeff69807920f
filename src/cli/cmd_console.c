/* cmd_console — `strata console [TRACE | --attach PATH]`: the live terminal UI (src/console/,
 * docs/UI.md). */
#include "cli/cli.h"
#include "console/console.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void console_usage(FILE *f)
{
	fprintf(f,
		"usage: strata console TRACE [--replay SECONDS]\n"
		"       strata console --attach SOCKET [--wait SECONDS]\n\n"
		"A live terminal UI: tasks (state, polls, busy/idle time, wakes, last await\n"
		"point; Enter: one task's await tree, poll history, await-point histograms, who\n"
		"woke it), functions per hart and privilege level, traps/interrupts/SBI\n"
		"calls/syscalls per second, harts (pc, symbol, privilege level, MIPS).\n\n"
		"  TRACE              replay a trace file's time line (space pauses, e jumps to\n"
		"                     the end, +/- change the speed)\n"
		"  --replay SECONDS   how long the whole replay takes (default 5; 0: at once)\n"
		"  --attach SOCKET    attach to `strata run --console=SOCKET` (or strata record\n"
		"                     --console=SOCKET) while it runs\n"
		"  --wait SECONDS     wait up to this long for the socket to appear (default 0)\n"
		"  --refresh MS       screen refresh (default %d ms)\n"
		"Keys are shown on the screen; q quits.\n",
		CONSOLE_REFRESH_MS);
}

static int seconds_ms(const char *opt, const char *a, unsigned *ms)
{
	char *end;
	double v = a ? strtod(a, &end) : -1;

	if (!a || end == a || *end || v < 0 || v > 86400)
		return err_set(EINVAL, "%s %s: not a number of seconds from 0 to 86400", opt,
			       a ? a : "(missing)");
	*ms = (unsigned)(v * 1000);
	return 0;
}

int cmd_console(int argc, char **argv)
{
	struct console_opts o = {.replay_ms = 5000};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			console_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--attach")) {
			if (!v || !*v) {
				fprintf(stderr, "strata console: --attach needs a SOCKET path\n");
				return EXIT_BADINPUT;
			}
			o.attach = argv[++i];
		} else if (!strcmp(a, "--refresh")) {
			uint64_t ms;
			if (!v || cli_parse_count(v, &ms) || ms < 10 || ms > 10000) {
				fprintf(stderr,
					"strata console: --refresh %s: not a number of milliseconds "
					"from 10 to 10000\n",
					v ? v : "(missing)");
				return EXIT_BADINPUT;
			}
			o.refresh_ms = (unsigned)ms;
			i++;
		} else if (!strcmp(a, "--replay") || !strcmp(a, "--wait")) {
			unsigned ms = 0;
			if (seconds_ms(a, v, &ms)) {
				fprintf(stderr, "strata console: %s\n", err_msg());
				return EXIT_BADINPUT;
			}
			*(!strcmp(a, "--replay") ? &o.replay_ms : &o.wait_ms) = ms;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "strata console: unknown option '%s' (try --help)\n", a);
			return EXIT_BADINPUT;
		} else if (!o.trace) {
			o.trace = a;
		} else {
			fprintf(stderr, "strata console: more than one TRACE ('%s')\n", a);
			return EXIT_BADINPUT;
		}
	}
	if (!o.trace == !o.attach) {
		fprintf(stderr,
			"strata console: give a TRACE file or --attach SOCKET (try --help)\n");
		return EXIT_BADINPUT;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "strata console: needs a terminal (stdin and stdout)\n");
		return EXIT_BADINPUT;
	}
	if (console_main(&o) < 0) {
		fprintf(stderr, "strata console: %s\n", err_msg() ? err_msg() : strerror(errno));
		return EXIT_BADINPUT;
	}
	return 0;
}
