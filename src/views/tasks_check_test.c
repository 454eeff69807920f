/* tasks_check_test — lost wakes and busy polling from hand-made event streams: a task that
 * goes Pending with no waker event (lost), one that clones its waker (not lost), one woken
 * later by an interrupt (not lost), one polled again anyway (not lost); a task waking itself
 * in every poll (busy), runs broken by a wake from elsewhere, the threshold, text and JSON. */
#include "views/tasks.h"
#include "views/tasks_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/test_util.h"

#define KEY 0x80000100u

static const char desc[] = "coroutine demo::main::{async_block#0}\n"
			   "type demo::main::{async_block_env#0}\n"
			   "variant 0 Unresumed 0 \nvariant 1 Returned 0 \n"
			   "variant 3 Suspend0 42 /src/demo.rs\n";

static uint64_t now;

static int feed(struct tasks *t, struct tev ev)
{
	ev.time = ev.instret = ++now;
	return tasks_feed(t, &ev);
}

/* Task at addr (waker data pointer waker) polled from state `from`. */
static int poll(struct tasks *t, uint64_t addr, uint64_t waker, uint64_t from)
{
	return feed(t, (struct tev){.type = TEV_POLL,
				    .priv = 1,
				    .pc = KEY,
				    .addr = addr,
				    .task = addr,
				    .value = from,
				    .waker = waker,
				    .kind = TEV_POLL_WAKER});
}

static int polled(struct tasks *t, uint64_t addr, uint64_t to, unsigned result)
{
	return feed(t, (struct tev){.type = TEV_POLL_END,
				    .priv = 1,
				    .pc = KEY,
				    .addr = addr,
				    .task = addr,
				    .value = to,
				    .kind = (uint8_t)result});
}

/* A waker call on waker data pointer `waker`, from the task at `by` (0: none, an irq). */
static int wake(struct tasks *t, uint64_t waker, unsigned kind, uint64_t by)
{
	return feed(t, (struct tev){.type = TEV_WAKE,
				    .priv = 1,
				    .kind = (uint8_t)kind,
				    .addr = waker,
				    .task = by,
				    .size = by ? 0 : 1,
				    .cause = by ? 0 : (1ull << 63) | 5});
}

static int print(struct tasks *t, bool json, char *buf, size_t n)
{
	FILE *f = fmemopen(buf, n, "w");

	if (!f)
		return -1;
	int rc = tasks_print(t, f, json);
	fclose(f);
	return rc;
}

static int lost_wake(void)
{
	static char buf[65536];
	struct tasks *t = tasks_new();
	struct tchk_lost l;

	CHECK(t, "out of memory");
	now = 0;
	CHECK(!feed(t, (struct tev){.type = TEV_FUTURE,
				    .pc = KEY,
				    .data = (const uint8_t *)desc,
				    .len = sizeof(desc) - 1}),
	      "future");
	/* task 0: Pending, nobody cloned, stored or woke its waker: lost */
	CHECK(!poll(t, 0x1000, 0xa00, 0) && !polled(t, 0x1000, 3, TEV_PENDING), "task 0");
	/* task 1: clones its waker while polled (stores it for later) */
	CHECK(!poll(t, 0x2000, 0xb00, 0) && !wake(t, 0xb00, TEV_WAKE_CLONE, 0x2000) &&
		  !polled(t, 0x2000, 3, TEV_PENDING),
	      "task 1");
	/* task 2: Pending without a clone, but an interrupt handler wakes it afterwards */
	CHECK(!poll(t, 0x3000, 0xc00, 0) && !polled(t, 0x3000, 3, TEV_PENDING) &&
		  !wake(t, 0xc00, TEV_WAKE_WAKE, 0),
	      "task 2");
	/* task 3: Pending unarmed, polled again all the same (a polling executor), then Ready */
	CHECK(!poll(t, 0x4000, 0xd00, 0) && !polled(t, 0x4000, 3, TEV_PENDING) &&
		  !poll(t, 0x4000, 0xd00, 3) && !polled(t, 0x4000, 1, TEV_READY),
	      "task 3");
	/* task 4: an executor using indices as data pointers: waker 0, woken by ref while polled */
	CHECK(!poll(t, 0x5000, 0, 0) && !wake(t, 0, TEV_WAKE_BY_REF, 0x5000) &&
		  !polled(t, 0x5000, 3, TEV_PENDING),
	      "task 4");
	/* task 5: Pending with an armed waker earlier, then polled again and lost that time:
	 * a waker event from an earlier poll does not count */
	CHECK(!poll(t, 0x6000, 0xe00, 0) && !wake(t, 0xe00, TEV_WAKE_CLONE, 0x6000) &&
		  !polled(t, 0x6000, 3, TEV_PENDING) && !wake(t, 0xe00, TEV_WAKE_WAKE, 0) &&
		  !poll(t, 0x6000, 0xe00, 3) && !polled(t, 0x6000, 3, TEV_PENDING),
	      "task 5");
	/* task 6: a waker dropped is no waker kept: lost */
	CHECK(!poll(t, 0x7000, 0xf00, 0) && !wake(t, 0xf00, TEV_WAKE_DROP, 0x7000) &&
		  !polled(t, 0x7000, 3, TEV_PENDING),
	      "task 6");
	CHECK(tasks_count(t) == 7, "%u tasks", tasks_count(t));
	int ids[8], n = 0;
	while (n < 8 && tchk_lost(tasks_check(t), (size_t)n, &l) == 0)
		ids[n++] = l.task;
	CHECK(n == 3 && ids[0] == 0 && ids[1] == 5 && ids[2] == 6, "lost: %d tasks (%d %d %d)", n,
	      n > 0 ? ids[0] : -1, n > 1 ? ids[1] : -1, n > 2 ? ids[2] : -1);
	CHECK(tchk_lost(tasks_check(t), 0, &l) == 0 && l.state == 3 && l.time == 3,
	      "task 0 at %llu", (unsigned long long)l.time);
	CHECK(!print(t, false, buf, sizeof(buf)), "print");
	CHECK(strstr(buf,
		     "lost wakes (Pending, and no waker for the task cloned or woken since):\n"
		     "  task 0 demo::main::{async_block#0}: Pending in Suspend0 at demo.rs:42, "
		     "poll ended at 3\n"),
	      "text: %s", buf);
	CHECK(strstr(buf, "busy polling (woken by itself 100 Pending polls in a row):\n  none\n"),
	      "text: %s", buf);
	CHECK(!print(t, true, buf, sizeof(buf)), "json");
	CHECK(strstr(buf, "\"lost_wakes\": [{\"task\": 0, \"time\": 3, \"insn\": 3, \"state\": "
			  "\"Suspend0 at demo.rs:42\"}, {\"task\": 5,"),
	      "json: %s", buf);
	CHECK(strstr(buf, "\"busy_polls\": {\"threshold\": 100, \"tasks\": []}}\n"), "json: %s",
	      buf);
	tasks_free(t);
	return 0;
}

static int busy_poll(void)
{
	static char buf[65536];
	struct tasks *t = tasks_new();
	struct tchk_busy b;

	CHECK(t, "out of memory");
	now = 0;
	tchk_set_busy(tasks_check(t), 3);
	/* task 0 wakes itself in 5 polls in a row (a yield loop) and is still at it at the end */
	for (int i = 0; i < 5; i++)
		CHECK(!poll(t, 0x1000, 0xa00, 3) && !wake(t, 0xa00, TEV_WAKE_BY_REF, 0x1000) &&
			  !polled(t, 0x1000, 3, TEV_PENDING),
		      "task 0 poll %d", i);
	/* task 1: two self-wakes, an interrupt's wake, two more: never 3 in a row */
	for (int i = 0; i < 4; i++) {
		if (i == 2)
			CHECK(!wake(t, 0xb00, TEV_WAKE_WAKE, 0), "irq wake");
		CHECK(!poll(t, 0x2000, 0xb00, 3) && !wake(t, 0xb00, TEV_WAKE_WAKE, 0x2000) &&
			  !polled(t, 0x2000, 3, TEV_PENDING),
		      "task 1 poll %d", i);
	}
	/* task 2: 3 self-wakes (busy), then woken by task 1 and Ready: the run is over */
	for (int i = 0; i < 3; i++)
		CHECK(!poll(t, 0x3000, 0xc00, 3) && !wake(t, 0xc00, TEV_WAKE_BY_REF, 0x3000) &&
			  !polled(t, 0x3000, 3, TEV_PENDING),
		      "task 2 poll %d", i);
	CHECK(!poll(t, 0x2000, 0xb00, 3) && !wake(t, 0xc00, TEV_WAKE_WAKE, 0x2000) &&
		  !polled(t, 0x2000, 1, TEV_READY) && !poll(t, 0x3000, 0xc00, 3) &&
		  !polled(t, 0x3000, 1, TEV_READY),
	      "task 2 end");
	/* a self-wake in a poll that returns Ready is no busy poll: task 3 */
	CHECK(!poll(t, 0x4000, 0xd00, 0) && !wake(t, 0xd00, TEV_WAKE_BY_REF, 0x4000) &&
		  !polled(t, 0x4000, 1, TEV_READY),
	      "task 3");
	CHECK(tchk_busy(tasks_check(t), 0, &b) == 0 && b.task == 0 && b.longest == 5 && b.ongoing,
	      "task 0: %d longest %llu ongoing %d", b.task, (unsigned long long)b.longest,
	      b.ongoing);
	CHECK(tchk_busy(tasks_check(t), 1, &b) == 0 && b.task == 2 && b.longest == 3 && !b.ongoing,
	      "task 2: %d longest %llu ongoing %d", b.task, (unsigned long long)b.longest,
	      b.ongoing);
	CHECK(tchk_busy(tasks_check(t), 2, &b) != 0, "a third busy task %d", b.task);
	/* none of them lost a wake: each woke itself or was woken */
	struct tchk_lost l;
	CHECK(tchk_lost(tasks_check(t), 0, &l) != 0, "lost wake in task %d", l.task);
	CHECK(!print(t, false, buf, sizeof(buf)), "print");
	CHECK(strstr(buf,
		     "busy polling (woken by itself 3 Pending polls in a row):\n"
		     "  task 0 0x80000100: 5 in a row, reached 3 at 9, still at the end of the "
		     "trace\n  task 2 0x80000100: 3 in a row, reached 3 at"),
	      "text: %s", buf);
	CHECK(strstr(buf, "lost wakes (Pending, and no waker for the task cloned or woken "
			  "since):\n  none\n"),
	      "text: %s", buf);
	CHECK(!print(t, true, buf, sizeof(buf)), "json");
	CHECK(strstr(buf,
		     "\"busy_polls\": {\"threshold\": 3, \"tasks\": [{\"task\": 0, "
		     "\"longest\": 5, \"time\": 9, \"insn\": 9, \"ongoing\": true}, {\"task\": 2,"),
	      "json: %s", buf);
	tasks_free(t);
	return 0;
}

int main(void)
{
	int failed = 0;

	failed += RUN(lost_wake);
	failed += RUN(busy_poll);
	return failed != 0;
}
