/* tasks_test — the async picture from hand-made event streams: futures described, a task
 * polled twice (Pending then Ready) with its await chain in the POLL_END payload and in the
 * older form of nested POLL/POLL_END events, wakes by a task and by an interrupt handler,
 * clones and drops, await-point waits, JSON, malformed chains. */
#include "views/tasks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/test_util.h"

#define TASK 0x80001000u
#define KEY  0x80000100u /* the task's poll function */
#define SUB  0x80000200u /* a nested coroutine */
#define LEAF 0x80000300u /* a hand-written future */

static const char desc_task[] = "coroutine demo::main::{async_block#0}\n"
				"type demo::main::{async_block_env#0}\n"
				"variant 0 Unresumed 0 \nvariant 1 Returned 0 \n"
				"variant 2 Panicked 0 \nvariant 3 Suspend0 42 /src/demo.rs\n";
static const char desc_sub[] = "coroutine demo::sub::{async_fn#0}\ntype demo::sub::{async_fn_env#0}\n"
			       "variant 0 Unresumed 0 \nvariant 1 Returned 0 \n"
			       "variant 3 Suspend0 7 /src/demo.rs\n";
static const char desc_leaf[] = "poll <demo::Leaf as core::future::future::Future>::poll\n"
				"type demo::Leaf\n";

static struct tev future(uint64_t key, const char *d)
{
	return (struct tev){.type = TEV_FUTURE, .pc = key, .data = (const uint8_t *)d,
			    .len = (uint32_t)strlen(d)};
}

static struct tev poll(uint64_t t, uint64_t state, uint64_t waker)
{
	return (struct tev){.type = TEV_POLL, .priv = 1, .time = t, .instret = t, .pc = KEY,
			    .addr = TASK, .task = TASK, .value = state, .waker = waker};
}

static struct tev polled(uint64_t t, uint64_t state, unsigned result, const uint8_t *chain,
			 size_t len)
{
	return (struct tev){.type = TEV_POLL_END, .priv = 1, .time = t, .instret = t, .pc = KEY,
			    .addr = TASK, .task = TASK, .value = state,
			    .kind = (uint8_t)(result | (len ? TEV_POLL_CHAIN : 0)), .data = chain,
			    .len = (uint32_t)len};
}

static int feed(struct tasks *t, struct tev ev)
{
	return tasks_feed(t, &ev);
}

/* task → sub → leaf, as a POLL_END chain: poll 1 creates sub and leaf, poll 2 finishes them */
static size_t chain(uint8_t *buf, bool second)
{
	struct tev_link sub = {.key = SUB, .addr = TASK + 8, .before = 0, .after = 3,
			       .parent = 0, .depth = 1, .result = TEV_PENDING, .late = true};
	struct tev_link leaf = {.key = LEAF, .addr = TASK + 16, .before = TEV_STATE_NONE,
				.after = TEV_STATE_NONE, .parent = 1, .depth = 2,
				.result = TEV_PENDING, .inlined = true, .late = true};
	size_t n = 0;

	if (second) {
		sub = (struct tev_link){.key = SUB, .addr = TASK + 8, .before = 3, .after = 1,
					.depth = 1, .result = TEV_READY};
		leaf.late = false;
		leaf.result = TEV_READY;
	}
	n += tev_link_put(buf + n, TASK, KEY, &sub);
	n += tev_link_put(buf + n, TASK, KEY, &leaf);
	return n;
}

static int stream(struct tasks *t, bool with_chain)
{
	uint8_t c1[2 * TEV_LINK_MAX], c2[2 * TEV_LINK_MAX];
	size_t n1 = chain(c1, false), n2 = chain(c2, true);

	if (feed(t, future(KEY, desc_task)) || feed(t, future(SUB, desc_sub)) ||
	    feed(t, future(LEAF, desc_leaf)) ||
	    feed(t, (struct tev){.type = TEV_TASK, .pc = KEY, .addr = TASK}) ||
	    feed(t, poll(100, 0, 0xd00)))
		return 1;
	/* the task clones its waker (a leaf registers it), wakes itself once */
	if (feed(t, (struct tev){.type = TEV_WAKE, .time = 150, .kind = TEV_WAKE_CLONE,
				 .addr = 0xd00, .task = TASK}))
		return 1;
	if (with_chain) {
		if (feed(t, polled(200, 3, TEV_PENDING, c1, n1)))
			return 1;
	} else {
		struct tev e = {.type = TEV_POLL, .time = 200, .pc = SUB, .addr = TASK + 8,
				.task = TASK, .size = 1, .value = 0};
		if (feed(t, e))
			return 1;
		e.pc = LEAF;
		e.addr = TASK + 16;
		e.size = 2;
		e.value = TEV_STATE_NONE;
		if (feed(t, e) || feed(t, polled(200, 3, TEV_PENDING, NULL, 0)))
			return 1;
	}
	/* an S timer interrupt handler wakes it */
	if (feed(t, (struct tev){.type = TEV_WAKE, .priv = 1, .time = 1000, .kind = TEV_WAKE_WAKE,
				 .addr = 0xd00, .size = 1, .cause = (1ull << 63) | 5}))
		return 1;
	if (feed(t, poll(1300, 3, 0xd00)))
		return 1;
	if (with_chain)
		return feed(t, polled(1400, 1, TEV_READY, c2, n2)) != 0;
	struct tev e = {.type = TEV_POLL, .time = 1300, .pc = SUB, .addr = TASK + 8, .task = TASK,
			.size = 1, .value = 3};
	if (feed(t, e))
		return 1;
	e.pc = LEAF;
	e.addr = TASK + 16;
	e.size = 2;
	e.value = TEV_STATE_NONE;
	return feed(t, e) || feed(t, polled(1400, 1, TEV_READY, NULL, 0));
}

static int check_picture(bool with_chain)
{
	struct tasks *t = tasks_new();
	char buf[16384], ap[64];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	CHECK(t && f, "out of memory");
	CHECK(!stream(t, with_chain), "feeding failed");
	CHECK(tasks_count(t) == 1 && tasks_events(t) == (with_chain ? 10 : 14), "%u tasks, %llu events",
	      tasks_count(t), (unsigned long long)tasks_events(t));
	CHECK(!strcmp(tasks_future_name(t, KEY), "demo::main::{async_block#0}") &&
		  !strcmp(tasks_future_name(t, LEAF), "demo::Leaf"),
	      "future names");
	CHECK(!strcmp(tasks_state_name(t, KEY, 3), "Suspend0") &&
		  !strcmp(tasks_await_point(t, KEY, 3, ap, sizeof(ap)), "demo.rs:42"),
	      "state names");
	CHECK(tasks_by_waker(t, 0xd00) == 0 && tasks_by_addr(t, TASK) == 0, "lookups");
	CHECK(tasks_print(t, f, true) == 0, "print");
	fclose(f);
	/* polls, results, states, the tree, the wake edges, the wait at the await point */
	CHECK(strstr(buf, "\"polls\": 2, \"pending\": 1, \"ready\": 1"), "counts: %s", buf);
	CHECK(strstr(buf, "{\"from\": \"Unresumed\", \"to\": \"Suspend0\", \"result\": \"Pending\", "
			  "\"at\": \"demo.rs:42\"}, {\"from\": \"Suspend0\", \"to\": \"Returned\", "
			  "\"result\": \"Ready\", \"at\": null}"),
	      "transitions: %s", buf);
	CHECK(strstr(buf, "\"children\": [{\"future\": \"demo::sub::{async_fn#0}\", \"type\": "
			  "\"demo::sub::{async_fn_env#0}\", \"polls\": 2, \"children\": [{\"future\": "
			  "\"demo::Leaf\", \"type\": \"demo::Leaf\", \"polls\": 2"),
	      "tree: %s", buf);
	CHECK(strstr(buf, "{\"from\": \"irq s_timer (S)\", \"to\": 0, \"count\": 1}"), "wake: %s",
	      buf);
	CHECK(strstr(buf, "\"waker_clones\": 1, \"waker_drops\": 0"), "clones: %s", buf);
	CHECK(strstr(buf, "\"at\": \"demo.rs:42\", \"n\": 1, \"min\": 1100, \"max\": 1100"),
	      "await point wait: %s", buf);
	tasks_free(t);
	return 0;
}

static int chain_events(void)
{
	return check_picture(true);
}

static int nested_events(void)
{
	return check_picture(false);
}

/* A chain cut short or with a zero depth is an error, not a crash. */
static int bad_chain(void)
{
	uint8_t c[2 * TEV_LINK_MAX];
	size_t n = chain(c, false);
	struct tasks *t = tasks_new();

	CHECK(t, "out of memory");
	CHECK(!feed(t, future(KEY, desc_task)) && !feed(t, poll(1, 0, 1)), "setup");
	CHECK(feed(t, polled(2, 3, TEV_PENDING, c, n - 1)) == -EINVAL, "truncated chain accepted");
	c[0] &= 0x0f; /* depth 0 (the high nibble) */
	CHECK(!feed(t, poll(3, 3, 1)), "poll");
	CHECK(feed(t, polled(4, 3, TEV_PENDING, c, n)) == -EINVAL, "depth 0 accepted");
	tasks_free(t);
	return 0;
}

/* An executor that uses task indices as waker data pointers: task 0's waker is 0, a valid
 * waker; its wakes go to task 0, not "unknown". A POLL without TEV_POLL_WAKER and waker 0
 * (not read) still matches nothing. */
static int waker_zero(void)
{
	char buf[8192];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct tasks *t = tasks_new();
	struct tev p = poll(10, 0, 0);

	CHECK(t && f, "out of memory");
	CHECK(!feed(t, future(KEY, desc_task)) && !feed(t, p), "unknown waker");
	CHECK(tasks_by_waker(t, 0) == -1, "an unread waker matched data 0");
	p.kind = TEV_POLL_WAKER;
	p.time = p.instret = 30;
	CHECK(!feed(t, polled(20, 3, TEV_PENDING, NULL, 0)) && !feed(t, p), "known waker 0");
	CHECK(tasks_by_waker(t, 0) == 0, "waker 0 is task %d", tasks_by_waker(t, 0));
	CHECK(!feed(t, polled(40, 3, TEV_PENDING, NULL, 0)) &&
		      !feed(t, (struct tev){.type = TEV_WAKE, .priv = 1, .time = 50,
					    .kind = TEV_WAKE_WAKE, .addr = 0, .size = 1,
					    .cause = (1ull << 63) | 5}),
	      "wake");
	CHECK(tasks_print(t, f, true) == 0, "print");
	fclose(f);
	CHECK(strstr(buf, "{\"from\": \"irq s_timer (S)\", \"to\": 0, \"count\": 1}"), "wake: %s",
	      buf);
	tasks_free(t);
	return 0;
}

/* A native trace (src/ebpf/nasync.c): key=value descriptions, a task announced by its
 * task-run function (another key) that its first poll adopts, ns labels. */
static int native(void)
{
	static const char d[] = "name=demo::run::{async_fn#0}\ntype=demo::run::{async_fn_env#0}\n"
				"kind=coroutine\nstate=0 Unresumed\nstate=1 Returned\n"
				"state=3 Suspend0 /src/demo.rs:42\n";
	struct tev task = {.type = TEV_TASK, .addr = TASK, .pc = 0x1000};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct tasks *t = tasks_new();

	CHECK(t && f, "out of memory");
	tasks_set_clock_ns(t, true);
	CHECK(!feed(t, task) && !feed(t, future(KEY, d)) && !feed(t, poll(10, 0, TASK)) &&
		      !feed(t, polled(20, 3, TEV_PENDING, NULL, 0)),
	      "feeding failed");
	CHECK(tasks_count(t) == 1, "%u tasks (the announcement was not merged)", tasks_count(t));
	CHECK(!strcmp(tasks_future_name(t, KEY), "demo::run::{async_fn#0}") &&
		      !strcmp(tasks_state_name(t, KEY, 3), "Suspend0"),
	      "native description not parsed");
	CHECK(tasks_print(t, f, false) == 0 && !fflush(f), "print");
	CHECK(strstr(buf, "BUSY_NS") && strstr(buf, "Unresumed -> Suspend0  Pending at demo.rs:42") &&
		      strstr(buf, "await points (ns from"),
	      "text: %s", buf);
	rewind(f);
	CHECK(tasks_print(t, f, true) == 0 && !fflush(f), "json");
	CHECK(!strncmp(buf, "{\"unit\": \"ns\",", 14), "json: %s", buf);
	fclose(f);
	free(buf);
	tasks_free(t);
	return 0;
}

int main(void)
{
	int failed = 0;

	failed += RUN(native);
	failed += RUN(chain_events);
	failed += RUN(nested_events);
	failed += RUN(bad_chain);
	failed += RUN(waker_zero);
	return failed != 0;
}
