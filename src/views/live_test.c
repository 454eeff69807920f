/* live_test — the console's summary from hand-made events: functions per hart and level with
 * calls and self/total instructions (as strata report counts them), where each hart is, traps
 * and SBI calls by name, tasks with their state, await chain now, wakes and recent polls. */
#include "views/live.h"

#include <errno.h>
#include <string.h>

#include "machine/test_util.h"

#define KEY  0x80000100u
#define SUB  0x80000200u
#define TASK 0x80001000u

static const char desc[] = "coroutine demo::main::{async_block#0}\ntype demo::env\n"
			   "variant 0 Unresumed 0 \nvariant 1 Returned 0 \n"
			   "variant 3 Suspend0 42 /src/demo.rs\n";
static const char desc_sub[] = "coroutine demo::sub::{async_fn#0}\ntype demo::sub_env\n"
			       "variant 0 Unresumed 0 \nvariant 3 Suspend0 7 /src/demo.rs\n";

static const char *fname(void *ctx, unsigned priv, uint64_t addr)
{
	return addr == 0x1000 ? "outer" : addr == 0x2000 ? "inner" : NULL;
}

static const struct ana_names_ops names = {.func = fname};

static int feed(struct live *l, struct tev ev)
{
	return live_feed(l, &ev);
}

static struct tev ev(unsigned type, uint64_t t, uint64_t pc, uint64_t addr, uint64_t sp)
{
	return (struct tev){.type = (uint8_t)type,
			    .priv = 1,
			    .time = t,
			    .instret = t,
			    .pc = pc,
			    .addr = addr,
			    .sp = sp};
}

static int check_functions(void)
{
	struct live *l = live_new(&names, NULL);
	struct live_func f;
	struct live_hart h;
	CHECK(l, "live_new");
	/* outer calls inner twice; inner runs 10 instructions each time */
	CHECK(!feed(l, ev(TEV_CALL, 100, 0x500, 0x1000, 0x8000)) &&
		  !feed(l, ev(TEV_CALL, 105, 0x1004, 0x2000, 0x7ff0)) &&
		  !feed(l, ev(TEV_RET, 115, 0x2010, 0x1008, 0x8000)) &&
		  !feed(l, ev(TEV_CALL, 120, 0x100c, 0x2000, 0x7ff0)) &&
		  !feed(l, ev(TEV_RET, 130, 0x2010, 0x1010, 0x8000)),
	      "feeding calls");
	CHECK(!live_hart(l, 0, &h) && h.func && !strcmp(h.func, "outer") && h.pc == 0x1010 &&
		  h.priv == 1,
	      "hart 0 in %s at 0x%llx", h.func ? h.func : "(none)", (unsigned long long)h.pc);
	CHECK(live_hart(l, 1, &h) == -ENOENT, "hart 1 was never seen");
	CHECK(live_nfuncs(l) == 1 && !live_func(l, 0, &f) && !strcmp(f.name, "inner") &&
		  f.calls == 2 && f.self == 20 && f.total == 20,
	      "inner: %llu calls, self %llu", (unsigned long long)f.calls,
	      (unsigned long long)f.self);
	CHECK(!feed(l, ev(TEV_RET, 140, 0x1014, 0x504, 0x8010)), "return from outer");
	CHECK(live_nfuncs(l) == 2 && !live_func(l, 1, &f) && !strcmp(f.name, "outer") &&
		  f.calls == 1 && f.total == 40 && f.self == 20,
	      "outer: total %llu self %llu", (unsigned long long)f.total,
	      (unsigned long long)f.self);
	live_free(l);
	return 0;
}

static int check_traps(void)
{
	struct live *l = live_new(&names, NULL);
	struct live_totals t;
	struct live_count c;
	struct tev trap = ev(TEV_TRAP, 200, 0x1000, 0x3000, 0);

	CHECK(l, "live_new");
	trap.cause = (1ull << 63) | 5; /* S timer interrupt */
	trap.new_priv = 1;
	CHECK(!live_feed(l, &trap), "trap");
	trap.time = trap.instret = 300;
	trap.cause = 2; /* illegal instruction */
	CHECK(!live_feed(l, &trap), "trap");
	live_totals(l, &t);
	CHECK(t.interrupts == 1 && t.exceptions == 1 && t.events == 2 && t.time == 300 &&
		  t.harts == 1,
	      "totals");
	CHECK(live_ncounts(l) == 2 && !live_count(l, 0, &c) && !strcmp(c.kind, "interrupt") &&
		  !strcmp(c.name, "s_timer") && c.n == 1 && c.priv == 1,
	      "first count: %s %s", c.kind, c.name);
	CHECK(live_count(l, 2, &c) == -ENOENT, "two counts");
	live_free(l);
	return 0;
}

static int check_tasks(void)
{
	struct live *l = live_new(&names, NULL);
	uint8_t chain[TEV_LINK_MAX];
	struct tev_link sub = {.key = SUB,
			       .addr = TASK + 8,
			       .before = 0,
			       .after = 3,
			       .depth = 1,
			       .result = TEV_PENDING,
			       .late = true};
	size_t n = tev_link_put(chain, TASK, KEY, &sub);
	struct tasks_info i;
	struct tasks_poll p;
	int node;
	uint64_t st, key, polls;
	unsigned res;
	int parent;

	CHECK(l, "live_new");
	struct tev e[] = {
	    {.type = TEV_FUTURE, .pc = KEY, .data = (const uint8_t *)desc, .len = sizeof(desc) - 1},
	    {.type = TEV_FUTURE,
	     .pc = SUB,
	     .data = (const uint8_t *)desc_sub,
	     .len = sizeof(desc_sub) - 1},
	    {.type = TEV_POLL,
	     .priv = 1,
	     .time = 100,
	     .instret = 100,
	     .pc = KEY,
	     .addr = TASK,
	     .task = TASK,
	     .value = 0,
	     .waker = 0xd00},
	};
	for (unsigned k = 0; k < 3; k++)
		CHECK(!live_feed(l, &e[k]), "event %u", k);
	const struct tasks *t = live_tasks(l);
	CHECK(!tasks_info(t, 0, &i) && i.running_on == 0 && !i.done && i.polls == 0,
	      "task 0 running on hart 0");
	struct tev end = {.type = TEV_POLL_END,
			  .priv = 1,
			  .time = 150,
			  .instret = 150,
			  .pc = KEY,
			  .addr = TASK,
			  .task = TASK,
			  .value = 3,
			  .kind = TEV_PENDING | TEV_POLL_CHAIN,
			  .data = chain,
			  .len = (uint32_t)n};
	CHECK(!live_feed(l, &end), "poll end");
	CHECK(!tasks_info(t, 0, &i) && i.running_on == -1 && i.waiting && i.polls == 1 &&
		  i.state == 3 && i.busy_time == 50 && i.last_end == 150,
	      "task 0 idle after Pending");
	CHECK(!tasks_now_link(t, 0, 0, &node, &st, &res) && st == 3 && res == TEV_PENDING &&
		  !tasks_tree_node(t, 0, (size_t)node, &parent, &key, &polls) && key == SUB &&
		  parent == 0 && polls == 1,
	      "await chain now: sub in Suspend0");
	CHECK(tasks_now_link(t, 0, 1, &node, &st, &res) == -ENOENT, "one link");
	CHECK(!live_task_poll(l, 0, 0, &p) && p.start == 100 && p.end == 150 && p.before == 0 &&
		  p.after == 3 && p.result == TEV_PENDING,
	      "latest poll");
	CHECK(live_task_poll(l, 0, 1, &p) == -ENOENT, "one poll");
	struct tev wake = {.type = TEV_WAKE,
			   .priv = 1,
			   .time = 500,
			   .kind = TEV_WAKE_WAKE,
			   .addr = 0xd00,
			   .size = 1,
			   .cause = (1ull << 63) | 5};
	CHECK(!live_feed(l, &wake), "wake");
	const char *from;
	int to;
	uint64_t cnt;
	CHECK(!tasks_info(t, 0, &i) && i.wakes == 1 && !tasks_edge(t, 0, &from, &to, &cnt) &&
		  !strcmp(from, "irq s_timer (S)") && to == 0 && cnt == 1,
	      "woken by the timer interrupt");
	struct tasks_apoint ap;
	e[2].time = e[2].instret = 600;
	e[2].value = 3;
	CHECK(!live_feed(l, &e[2]), "second poll");
	CHECK(!tasks_apoint(t, 0, &ap) && ap.n == 1 && ap.min == 450 && ap.key == KEY &&
		  ap.state == 3 && ap.hist[8] == 1,
	      "await point wait 450");
	live_free(l);
	return 0;
}

int main(void)
{
	int failed = RUN(check_functions) + RUN(check_traps) + RUN(check_tasks);
	return failed ? 1 : 0;
}
