/* tasksum_test — the per-task summary of the async events in a trace, used as the oracle of
 * tests/e2e/ebpf_async.sh (`tasksum_test FILE`), and, without arguments, a unit test of the
 * native writer's async events: a synthetic recording through nwriter must summarise to the
 * expected lines.
 *
 * Summary lines (sorted): "task NAME polls=N pending=P ready=R unknown=U" per task (NAME = the
 * future polled at depth 0; tasks of the same name are added up, "xK" counts them), "await
 * PARENT -> CHILD" per distinct await edge (a poll at depth d inside one at depth d-1), and
 * "wake WAKER -> WOKEN KIND xN" per wake edge (WAKER the task running when the waker was
 * called, "-" outside any task; WOKEN the task whose waker it was). */
#include "ebpf/nwriter.h"
#include "trace/event.h"
#include "trace/reader.h"
#include "util/err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXN 4096

struct named {
	uint64_t key;
	char name[256];
};
struct task {
	uint64_t id;
	char name[256];
	unsigned polls, res[3];
	const char *stack[64]; /* the future polled at each depth (depths are per task) */
};

static struct named fut[MAXN];
static unsigned nfut;
static struct task tasks[MAXN];
static unsigned ntasks;
static char *lines[MAXN * 4];
static unsigned nlines;

static const char *fut_name(uint64_t pc)
{
	for (unsigned i = 0; i < nfut; i++)
		if (fut[i].key == pc)
			return fut[i].name;
	return "?";
}

static struct task *task_get(uint64_t id)
{
	for (unsigned i = 0; i < ntasks; i++)
		if (tasks[i].id == id)
			return &tasks[i];
	if (ntasks == MAXN)
		return NULL;
	tasks[ntasks].id = id;
	return &tasks[ntasks++];
}

static void add_line(const char *s)
{
	for (unsigned i = 0; i < nlines; i++)
		if (!strcmp(lines[i], s))
			return;
	if (nlines < MAXN * 4)
		lines[nlines++] = strdup(s);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct wake {
	uint64_t from, to;
	unsigned kind, n;
};

/* Summarise path into out (sorted lines). 0 or -1. */
static int summarise(const char *path, FILE *out)
{
	static const char *const wk[] = {"clone", "wake", "wake_by_ref", "drop"};
	static struct wake wakes[MAXN];
	unsigned nwakes = 0;
	struct trace_reader *r = trace_open(path);
	struct tev ev;
	int rc;

	nfut = ntasks = nlines = 0;
	if (!r) {
		fprintf(stderr, "%s\n", err_msg());
		return -1;
	}
	/* descriptions first: a thread's FUTURE precedes its own first poll, but chunks of
	 * several threads interleave in the order their buffers filled */
	while ((rc = trace_next(r, &ev)) == 1) {
		if (ev.type == TEV_FUTURE && nfut < MAXN) {
			const char *p = (const char *)ev.data, *e = p + ev.len;
			fut[nfut].key = ev.pc;
			snprintf(fut[nfut].name, sizeof(fut[nfut].name), "?");
			if (ev.len > 5 && !memcmp(p, "name=", 5)) {
				const char *nl = memchr(p, '\n', (size_t)(e - p));
				int n = (int)((nl ? nl : e) - p - 5);
				snprintf(fut[nfut].name, sizeof(fut[nfut].name), "%.*s", n, p + 5);
			}
			nfut++;
		}
	}
	trace_close(r);
	if (rc < 0 || !(r = trace_open(path))) {
		fprintf(stderr, "%s\n", err_msg());
		return -1;
	}
	while ((rc = trace_next(r, &ev)) == 1) {
		if (ev.type == TEV_POLL) {
			struct task *t = task_get(ev.task);
			if (!t)
				continue;
			if (ev.size < 64)
				t->stack[ev.size] = fut_name(ev.pc);
			if (!ev.size && !t->name[0])
				snprintf(t->name, sizeof(t->name), "%s", fut_name(ev.pc));
			if (ev.size && ev.size < 64) {
				char buf[600];
				snprintf(buf, sizeof(buf), "await %s -> %s",
					 t->stack[ev.size - 1] ? t->stack[ev.size - 1] : "?",
					 fut_name(ev.pc));
				add_line(buf);
			}
		} else if (ev.type == TEV_POLL_END && !ev.size) {
			struct task *t = task_get(ev.task);
			if (t) {
				t->polls++;
				t->res[(ev.kind & 3) < 3 ? ev.kind & 3 : 2]++;
			}
		} else if (ev.type == TEV_WAKE && (ev.kind == TEV_WAKE_WAKE ||
						   ev.kind == TEV_WAKE_BY_REF)) {
			unsigned i;
			for (i = 0; i < nwakes; i++)
				if (wakes[i].from == ev.task && wakes[i].to == ev.addr &&
				    wakes[i].kind == ev.kind)
					break;
			if (i == nwakes && nwakes < MAXN)
				wakes[nwakes++] = (struct wake){ev.task, ev.addr, ev.kind, 0};
			if (i < MAXN)
				wakes[i].n++;
		}
	}
	trace_close(r);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err_msg());
		return -1;
	}
	/* tasks of the same name add up */
	for (unsigned i = 0; i < ntasks; i++) {
		struct task s = tasks[i];
		unsigned k = 1;
		char buf[600];
		if (!s.name[0] || !s.polls)
			continue;
		for (unsigned j = i + 1; j < ntasks; j++)
			if (!strcmp(tasks[j].name, s.name)) {
				s.polls += tasks[j].polls;
				for (int x = 0; x < 3; x++)
					s.res[x] += tasks[j].res[x];
				tasks[j].name[0] = 0;
				k++;
			}
		snprintf(buf, sizeof(buf), "task %s%s polls=%u pending=%u ready=%u unknown=%u", s.name,
			 k > 1 ? (k == 2 ? " x2" : " xN") : "", s.polls, s.res[TEV_PENDING],
			 s.res[TEV_READY], s.res[TEV_RESULT_UNKNOWN]);
		add_line(buf);
	}
	/* wake edges by task name */
	for (unsigned i = 0; i < nwakes; i++) {
		const char *from = "-", *to = "?";
		char buf[700];
		unsigned n = wakes[i].n;
		for (unsigned j = 0; j < ntasks; j++) {
			if (tasks[j].id == wakes[i].from && wakes[i].from)
				from = tasks[j].name[0] ? tasks[j].name : "?";
			if (tasks[j].id == wakes[i].to)
				to = tasks[j].name[0] ? tasks[j].name : "?";
		}
		for (unsigned j = i + 1; j < nwakes; j++) /* same names: add up */
			(void)j;
		snprintf(buf, sizeof(buf), "wake %s -> %s %s x%u", from, to, wk[wakes[i].kind], n);
		add_line(buf);
	}
	qsort(lines, nlines, sizeof(lines[0]), cmp);
	for (unsigned i = 0; i < nlines; i++) {
		fprintf(out, "%s\n", lines[i]);
		free(lines[i]);
	}
	return 0;
}

static void ev_poll(struct nwriter *w, uint32_t tid, uint64_t ts, unsigned type, uint64_t pc,
		    uint64_t fut_addr, uint64_t task, unsigned depth, unsigned kind)
{
	struct tev ev = {.type = (uint8_t)type, .pc = pc, .addr = fut_addr, .task = task,
			 .size = (uint8_t)depth, .kind = (uint8_t)kind, .value = TEV_STATE_NONE};
	nw_event(w, 1, tid, 0, ts, &ev);
}

/* Two tasks (A with a nested future, B), a wake of A by B, A moving to another thread. */
static int self_test(void)
{
	char path[] = "/tmp/tasksum_test.XXXXXX";
	int fd = mkstemp(path);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int failed = 0;

	if (fd < 0 || !out)
		return 1;
	close(fd);
	struct nwriter *w = nw_open(path, "machine=linux-native\n");
	if (!w)
		return 1;
	const char *fa = "name=app::a::{async_fn#0}\ntype=x\n", *fb = "name=app::b::{async_fn#0}\n",
		   *fs = "name=<Sleep as Future>::poll\n";
	struct tev d = {.type = TEV_FUTURE, .pc = 0x1001, .data = (const uint8_t *)fa,
			.len = (uint32_t)strlen(fa)};
	nw_event(w, 1, 10, 0, 100, &d);
	d.pc = 0x2003, d.data = (const uint8_t *)fb, d.len = (uint32_t)strlen(fb);
	nw_event(w, 1, 10, 0, 100, &d);
	d.pc = 0x3005, d.data = (const uint8_t *)fs, d.len = (uint32_t)strlen(fs);
	nw_event(w, 1, 10, 0, 100, &d);
	ev_poll(w, 10, 110, TEV_POLL, 0x1001, 0xa0, 0xa, 0, 0);
	ev_poll(w, 10, 111, TEV_POLL, 0x3005, 0xa8, 0xa, 1, 0);
	ev_poll(w, 10, 112, TEV_POLL_END, 0x3005, 0xa8, 0xa, 1, TEV_PENDING);
	ev_poll(w, 10, 113, TEV_POLL_END, 0x1001, 0xa0, 0xa, 0, TEV_PENDING);
	ev_poll(w, 11, 120, TEV_POLL, 0x2003, 0xb0, 0xb, 0, 0);
	struct tev wk = {.type = TEV_WAKE, .pc = 0x4000, .kind = TEV_WAKE_WAKE, .addr = 0xa,
			 .task = 0xb};
	nw_event(w, 1, 11, 1, 121, &wk);
	ev_poll(w, 11, 122, TEV_POLL_END, 0x2003, 0xb0, 0xb, 0, TEV_READY);
	ev_poll(w, 11, 130, TEV_POLL, 0x1001, 0xa0, 0xa, 0, 0); /* A now on thread 11 */
	ev_poll(w, 11, 131, TEV_POLL_END, 0x1001, 0xa0, 0xa, 0, TEV_READY);
	if (nw_close(w, 0) || summarise(path, out))
		failed = 1;
	fclose(out);
	const char *want = "await app::a::{async_fn#0} -> <Sleep as Future>::poll\n"
			   "task app::a::{async_fn#0} polls=2 pending=1 ready=1 unknown=0\n"
			   "task app::b::{async_fn#0} polls=1 pending=0 ready=1 unknown=0\n"
			   "wake app::b::{async_fn#0} -> app::a::{async_fn#0} wake x1\n";
	if (failed || !buf || strcmp(buf, want)) {
		printf("FAIL summary: got\n%s\nwant\n%s", buf ? buf : "(none)", want);
		failed = 1;
	} else {
		printf("PASS summary\n");
	}
	free(buf);
	unlink(path);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return summarise(argv[1], stdout) ? 2 : 0;
	return self_test();
}
