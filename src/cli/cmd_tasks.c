/* cmd_tasks — `strata tasks FILE`: the Rust async tasks of a trace recorded with --trace=async
 * (src/views/tasks.c); `strata tasks --discover ELF`: what the DWARF says (src/async/). */
#include "async/discover.h"
#include "cli/cli.h"
#include "trace/reader.h"
#include "util/err.h"
#include "views/tasks.h"
#include "views/tasks_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tasks_usage(FILE *f)
{
	fprintf(f,
		"usage: strata tasks FILE [--json] [--busy-polls N]\n"
		"       strata tasks --discover ELF\n\n"
		"Show the Rust async tasks of a trace recorded with --trace=async: per task its\n"
		"future, polls (Pending/Ready), busy instructions, first and last poll, final state,\n"
		"state transitions with await points and await tree; who woke whom (tasks,\n"
		"interrupt handlers); how long tasks waited at each await point (histogram).\n"
		"Then the lost wakes (a task went Pending and no waker for it was cloned or\n"
		"woken until the end of the trace) and the busy-polling tasks (woken by\n"
		"themselves in N Pending polls in a row; --busy-polls N, default 100).\n"
		"--json prints the same as JSON. --discover lists the coroutines, poll functions,\n"
		"state layouts, await points, waker vtables and task-run functions found in an\n"
		"ELF's DWARF.\n");
}

static int discover(const char *elf)
{
	struct adisc *d = adisc_open(elf);

	if (!d) {
		fprintf(stderr, "strata tasks: %s\n", err_msg() ? err_msg() : strerror(errno));
		return EXIT_BADINPUT;
	}
	adisc_print(d, stdout);
	if (adisc_find_taskruns(d) == 0)
		for (size_t i = 0; i < adisc_ntaskruns(d); i++) {
			const struct adisc_taskrun *r = adisc_taskrun(d, i);
			printf("task-run 0x%llx %s %s: __state +%lld/%u, state word +%lld, stage +%lld/%u\n",
			       (unsigned long long)r->entry,
			       r->runtime == ADISC_RT_TOKIO ? "tokio" : "async-task",
			       r->future_type ? r->future_type : "?", (long long)r->state_off,
			       r->state_size, (long long)r->word_off, (long long)r->stage_off,
			       r->stage_size);
		}
	adisc_free(d);
	return 0;
}

struct sev {
	struct tev ev;
	uint64_t seq;
};

static int by_time(const void *a, const void *b)
{
	const struct sev *x = a, *y = b;

	if (x->ev.time != y->ev.time)
		return x->ev.time < y->ev.time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Native traces: every thread's events are in its own chunks, written as each thread's buffer
 * filled, so events of different threads come out of order; a wake must come before the poll it
 * causes. Their async events are fed in timestamp order (a thread's own stay in order: same
 * clock, ties keep the file order). 1 done, <0 error. */
static int feed_sorted(struct trace_reader *r, struct tasks *t)
{
	struct sev *v = NULL;
	size_t n = 0, cap = 0;
	struct tev ev;
	int rc;

	while ((rc = trace_next(r, &ev)) == 1) {
		if (ev.type < TEV_POLL || ev.type > TEV_FUTURE || ev.type == TEV_EXT)
			continue;
		if (n == cap) {
			struct sev *nv = reallocarray(v, cap = cap ? 2 * cap : 1024, sizeof(*v));
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		if (ev.data && ev.len) { /* the decoder's buffer is reused */
			uint8_t *d = malloc(ev.len);
			if (!d) {
				rc = -ENOMEM;
				break;
			}
			memcpy(d, ev.data, ev.len);
			ev.data = d;
		} else {
			ev.data = NULL;
		}
		v[n].ev = ev;
		v[n].seq = n;
		n++;
	}
	if (rc == 0) {
		if (n) /* qsort's base must not be NULL, even for no element */
			qsort(v, n, sizeof(*v), by_time);
		for (size_t i = 0; i < n && rc >= 0; i++)
			rc = tasks_feed(t, &v[i].ev);
		if (rc >= 0)
			rc = 1;
	}
	for (size_t i = 0; i < n; i++)
		free((void *)v[i].ev.data);
	free(v);
	return rc;
}

int cmd_tasks(int argc, char **argv)
{
	const char *path, *elf = NULL, *busy = NULL;
	uint64_t busy_n = TCHK_BUSY_DEFAULT;
	bool json = false;
	const struct cli_opt opts[] = {
	    {"--json", .flag = &json}, {"--discover", .value = &elf},
	    {"--busy-polls", .value = &busy}, {.name = NULL}};
	struct trace_reader *r;
	struct tasks *t;
	struct tev ev;
	int rc = cli_parse_opts("tasks", tasks_usage, argc, argv, opts, &path);

	if (rc)
		return rc > 0 ? 0 : EXIT_BADINPUT;
	if (elf) {
		if (path) {
			fprintf(stderr, "strata tasks: --discover %s takes no trace FILE ('%s')\n",
				elf, path);
			return EXIT_BADINPUT;
		}
		return discover(elf);
	}
	if (!path) {
		fprintf(stderr, "strata tasks: no trace FILE (try --help)\n");
		return EXIT_BADINPUT;
	}
	if (busy && (cli_parse_count(busy, &busy_n) < 0 || busy_n == 0 || busy_n > UINT32_MAX)) {
		fprintf(stderr, "strata tasks: --busy-polls %s: not a count from 1 to %u\n", busy,
			UINT32_MAX);
		return EXIT_BADINPUT;
	}
	r = trace_open(path);
	if (!r) {
		fprintf(stderr, "strata tasks: %s\n", err_msg());
		return EXIT_BADINPUT;
	}
	t = tasks_new();
	if (!t) {
		trace_close(r);
		fprintf(stderr, "strata tasks: out of memory\n");
		return EXIT_BADINPUT;
	}
	const char *clock = trace_meta(r, "clock");
	bool ns = clock && !strcmp(clock, "ns");
	tasks_set_clock_ns(t, ns);
	tchk_set_busy(tasks_check(t), (unsigned)busy_n);
	if (ns) {
		rc = feed_sorted(r, t);
	} else {
		while ((rc = trace_next(r, &ev)) == 1)
			if ((rc = tasks_feed(t, &ev)) < 0)
				break;
	}
	if (rc < 0) {
		fprintf(stderr, "strata tasks: %s\n",
			rc == -ENOMEM ? "out of memory" : err_msg() ? err_msg() : strerror(-rc));
		rc = EXIT_BADINPUT;
	} else if (!tasks_events(t)) {
		fprintf(stderr,
			"strata tasks: %s: no async events (record with --trace=async on a program "
			"with Rust async code and DWARF)\n",
			path);
		rc = EXIT_BADINPUT;
	} else {
		if (trace_truncated(r))
			fprintf(stderr, "strata tasks: %s: the trace is truncated; showing what it holds\n",
				path);
		rc = tasks_print(t, stdout, json) < 0 ? EXIT_BADINPUT : 0;
	}
	tasks_free(t);
	trace_close(r);
	return rc;
}
