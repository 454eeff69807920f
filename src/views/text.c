/* text — uftrace-replay-like listing: one line per call and return, indented by depth, plus
 * traps, SBI calls, syscalls, MMIO/memory accesses, marks and (--insns) instructions. */
#include "views/tasks.h"
#include "views/view.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

struct text {
	FILE *out;
	struct view_opts o;
	struct tasks *tasks; /* names futures, states and tasks for async events */
};

static void *text_begin(FILE *out, const struct view_opts *o)
{
	struct text *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->out = out;
	t->o = *o;
	t->tasks = tasks_new();
	if (!t->tasks) {
		free(t);
		return NULL;
	}
	fprintf(out, "#%11s %4s %s  %s\n", "TIME", "HART", "P", "FUNCTION");
	return t;
}

static const char *const kinds[] = {"load", "store", "amo"};

static const char *const wake_kinds[] = {"clone", "wake", "wake_by_ref", "drop"};
static const char *const poll_results[] = {"Ready", "Pending", "?"};

/* The nested polls of a task poll's await chain, one line each below it. */
static void text_chain(struct text *t, const struct tev *ev)
{
	struct tev_link l;
	size_t off = 0;

	while (tev_link_next(ev, &off, &l) == 1) {
		const char *name = tasks_future_name(t->tasks, l.key);
		const char *s1 = tasks_state_name(t->tasks, l.key, l.before);
		const char *s2 = tasks_state_name(t->tasks, l.key, l.after);

		fprintf(t->out, "%*s  %*s%s at 0x%" PRIx64 "%s%s%s%s %s%s\n", 20, "", 2 * l.depth, "",
			name ? name : "?", l.addr, s1 || s2 ? " " : "", s1 ? s1 : "",
			s1 || s2 ? " -> " : "", s2 ? s2 : "",
			poll_results[l.result < 2 ? l.result : 2], l.late ? " (created in this poll)" : "");
	}
}

/* One line per async event: futures and states by name (tasks.h), tasks by number. */
static void text_async(struct text *t, const struct tev *ev)
{
	FILE *f = t->out;
	const char *name = tasks_future_name(t->tasks, ev->pc);
	const char *st = tasks_state_name(t->tasks, ev->pc, ev->value);
	char ap[160], cb[32];
	int task = tasks_by_addr(t->tasks, ev->task);

	switch (ev->type) {
	case TEV_POLL:
	case TEV_POLL_END:
		fprintf(f, "%s %s", ev->type == TEV_POLL ? "poll" : "polled", name ? name : "?");
		if (task >= 0)
			fprintf(f, " task %d", task);
		if (ev->size)
			fprintf(f, " depth %u", ev->size);
		fprintf(f, " at 0x%" PRIx64, ev->addr);
		if (st)
			fprintf(f, " %s %s", ev->type == TEV_POLL ? "from" : "->", st);
		if (ev->type == TEV_POLL_END && tasks_await_point(t->tasks, ev->pc, ev->value, ap,
								  sizeof(ap)))
			fprintf(f, " (%s)", ap);
		if (ev->type == TEV_POLL_END)
			fprintf(f, " %s", poll_results[(ev->kind & 3) < 2 ? ev->kind & 3 : 2]);
		if (ev->kind & TEV_POLL_INLINED)
			fprintf(f, " [inlined]");
		fputc('\n', f);
		text_chain(t, ev);
		break;
	case TEV_WAKE: {
		int to = tasks_by_waker(t->tasks, ev->addr);
		fprintf(f, "wake %s", wake_kinds[ev->kind & 3]);
		if (to >= 0)
			fprintf(f, " task %d", to);
		fprintf(f, " (data 0x%" PRIx64 ")", ev->addr);
		if (ev->size && (ev->cause >> 63))
			fprintf(f, " by irq %s", ana_cause_name(ev->cause, cb, sizeof(cb)));
		else if (task >= 0)
			fprintf(f, " by task %d", task);
		fputc('\n', f);
		break;
	}
	case TEV_TASK:
		fprintf(f, "task %d: %s at 0x%" PRIx64 "\n", tasks_by_addr(t->tasks, ev->addr),
			name ? name : "?", ev->addr);
		break;
	default:
		fprintf(f, "future %s\n", name ? name : "?");
		break;
	}
}

static int text_event(void *v, const struct ana_ev *e)
{
	struct text *t = v;
	FILE *f = t->out;
	const struct tev *ev = e->ev;
	/* ENTER/EXIT draw at the frame's own depth, everything else inside the top frame. */
	unsigned indent = e->depth;
	if (e->kind == ANA_ENTER || e->kind == ANA_EXIT)
		indent--;
	fprintf(f, "%12" PRIu64 " %4u %s  %*s", e->time, e->hart, ana_level_name(e->priv),
		2 * indent, "");
	const char *kind = ev && ev->kind < 3 ? kinds[ev->kind] : "?";
	char buf[160];
	const char *line;
	switch (e->kind) {
	case ANA_ENTER:
		if (e->stack[e->depth - 1].kind == ANA_FRAME_TRAP)
			fprintf(f, "%s {\n", e->name);
		else if ((line = view_srcline(&t->o, e->priv, e->stack[e->depth - 1].addr)))
			fprintf(f, "%s() { /* %s */\n", e->name, line);
		else
			fprintf(f, "%s() {\n", e->name);
		break;
	case ANA_EXIT:
		fprintf(f, "} /* %s: %" PRIu64 " self, %" PRIu64 " total%s */\n", e->name,
			e->self_insns, e->total_insns, e->at_end ? ", trace ended" : "");
		break;
	case ANA_TRAP:
		fprintf(f, "trap %s epc=0x%" PRIx64 " tval=0x%" PRIx64 "%s%s -> %s\n", e->name, ev->pc,
			ev->tval, e->text ? " " : "", e->text ? e->text : "",
			ana_level_name(ev->new_priv));
		break;
	case ANA_SBI_BEGIN:
		fprintf(f, "sbi %s\n", e->text);
		break;
	case ANA_SYS_BEGIN:
		fprintf(f, "syscall %s\n", e->text);
		break;
	case ANA_SBI_END:
	case ANA_SYS_END:
		fprintf(f, "%s %s = %s\n", e->kind == ANA_SBI_END ? "sbi" : "syscall", e->name,
			e->text ? e->text : "(trace ended)");
		break;
	case ANA_MMIO:
		fprintf(f, "mmio %s %s 0x%" PRIx64 " [%u] = 0x%" PRIx64 "\n", kind,
			e->name ? e->name : "?", ev->paddr, ev->size, ev->value);
		break;
	case ANA_MEM:
		fprintf(f, "mem %s 0x%" PRIx64 " (pa 0x%" PRIx64 ") [%u] = 0x%" PRIx64 "\n", kind,
			ev->addr, ev->paddr, ev->size, ev->value);
		break;
	case ANA_INSN:
		if (!e->len)
			snprintf(buf, sizeof(buf), "(code not in the trace)");
		else if (!t->o.names || !t->o.names->disasm ||
			 t->o.names->disasm(t->o.ctx, e->pc, e->raw, e->len, buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), ".insn 0x%0*" PRIx32, e->len * 2, e->raw);
		fprintf(f, "0x%" PRIx64 ": %s\n", e->pc, buf);
		break;
	case ANA_MARK:
		fprintf(f, "mark %s\n", e->text);
		break;
	case ANA_ASYNC:
		if (tasks_feed(t->tasks, ev) < 0)
			return -ENOMEM;
		text_async(t, ev);
		break;
	default:
		fprintf(f, "?\n");
		break;
	}
	return ferror(f) ? -EIO : 0;
}

static int text_end(void *v, const struct ana_stats *st)
{
	struct text *t = v;
	if (st->unmatched_rets || st->resyncs || st->unmatched_xrets)
		fprintf(t->out,
			"# %" PRIu64 " unmatched returns, %" PRIu64 " stack resyncs, %" PRIu64
			" xRETs without a trap\n",
			st->unmatched_rets, st->resyncs, st->unmatched_xrets);
	int rc = ferror(t->out) ? -EIO : 0;
	tasks_free(t->tasks);
	free(t);
	return rc;
}

const struct view_ops view_text = {
    .name = "text", .begin = text_begin, .event = text_event, .end = text_end};
