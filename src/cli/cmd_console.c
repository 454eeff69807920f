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
	const char *replay = NULL, *wait = NULL, *refresh = NULL;
	const struct cli_opt opts[] = {{"--attach", .value = &o.attach},
				       {"--replay", .value = &replay},
				       {"--wait", .value = &wait},
				       {"--refresh", .value = &refresh},
				       {.name = NULL}};
	int r = cli_parse_opts("console", console_usage, argc, argv, opts, &o.trace);

	if (r)
		return r > 0 ? 0 : EXIT_BADINPUT;
	if (o.attach && !*o.attach) {
		fprintf(stderr, "strata console: --attach needs a SOCKET path\n");
		return EXIT_BADINPUT;
	}
	if (refresh) {
		uint64_t ms;

		if (cli_parse_count(refresh, &ms) || ms < 10 || ms > 10000) {
			fprintf(stderr,
				"strata console: --refresh %s: not a number of milliseconds "
				"from 10 to 10000\n",
				refresh);
			return EXIT_BADINPUT;
		}
		o.refresh_ms = (unsigned)ms;
	}
	if ((replay && seconds_ms("--replay", replay, &o.replay_ms)) ||
	    (wait && seconds_ms("--wait", wait, &o.wait_ms))) {
		fprintf(stderr, "strata console: %s\n", err_msg());
		return EXIT_BADINPUT;
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
