/* cmd_replay — `strata replay DIR [options]`: the recorded `strata run` command line plus the
 * options given here (tracing, the GDB stub, --stats, an earlier --max-insns), with the inputs
 * replayed from DIR (src/replay, docs/REPLAY.md). */
#include "cli/cli.h"
#include "replay/replay.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void replay_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: strata replay DIR [options]\n"
	    "Re-run a run recorded with `strata run --record DIR ...`: the same machine, images\n"
	    "(checked by hash), drive contents (DIR's copies) and host inputs (console input,\n"
	    "--realtime clock), so the same instructions retire, the same trace is written and\n"
	    "the same output printed. The exit status is the recorded run's; 2 if DIR is not a\n"
	    "complete recording, an image changed, or the replay diverged.\n\n"
	    "Options are those of `strata run` that observe the run: --trace..., --trace-out,\n"
	    "--sym, --gdb, -s, -S, --snapshot-every, --stats, --console, and --max-insns N (stop\n"
	    "earlier). Options that change the machine (-bios, -kernel, -m, -smp, -drive,\n"
	    "--realtime, ...) are refused.\n");
}

/* Options that define the machine: the recording fixed them. */
static const char *const fixed[] = {
    "-bios",  "-kernel", "-initrd", "-append",	"-m",	      "-smp",	  "-cpu",	"-dtb",
    "-drive", "-device", "-global", "-machine", "--realtime", "--record", "--dump-dtb", NULL};

int cmd_replay(int argc, char **argv)
{
	struct rr_play *p = NULL;
	char **av = NULL;
	char *const *rec;
	int n = 0, ret = EXIT_BADINPUT;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		replay_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BADINPUT : 0;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr,
			"strata replay: the first argument is the recording directory, not "
			"'%s' (see 'strata replay --help')\n",
			argv[1]);
		return EXIT_BADINPUT;
	}
	for (int i = 2; i < argc; i++)
		for (const char *const *f = fixed; *f; f++)
			if (!strcmp(argv[i], *f) ||
			    (!strncmp(argv[i], *f, strlen(*f)) && argv[i][strlen(*f)] == '=')) {
				fprintf(stderr,
					"strata replay: %s: the recording fixed the machine; "
					"only options that observe the run are allowed\n",
					argv[i]);
				return EXIT_BADINPUT;
			}
	if (!(p = rr_play_open(argv[1]))) {
		fprintf(stderr, "strata: %s\n", err_msg());
		return EXIT_BADINPUT;
	}
	rec = rr_play_argv(p, &n);
	/* "run", the recorded options, then this command's: the later option wins */
	if (!(av = calloc((size_t)(n + argc), sizeof(*av)))) {
		fprintf(stderr, "strata: out of memory\n");
		goto out;
	}
	av[0] = (char *)"run";
	for (int i = 0; i < n; i++)
		av[1 + i] = rec[i];
	for (int i = 2; i < argc; i++)
		av[n + i - 1] = argv[i];
	ret = cmd_run_replay(n + argc - 1, av, p);
out:
	free(av);
	rr_play_close(p);
	return ret;
}
