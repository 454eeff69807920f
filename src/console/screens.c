/* screens — the console's views: tasks (like tokio-console), one task, functions per hart and
 * level (top-like), traps and calls, harts. All numbers come from views/live.h and
 * views/tasks.h under the session's lock. */
#define _GNU_SOURCE
#include "console/ui.h"
#include "views/analysis.h"

#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TOP	 3 /* first line of a view */
#define MAX_ROWS 4096

static int bottom(void)
{
	return LINES - 3; /* the last line a view may use */
}

static const char *state_word(const struct tasks_info *i)
{
	if (i->running_on >= 0)
		return "running";
	if (i->done)
		return "done";
	if (i->waiting)
		return "idle";
	return i->polls ? "?" : "new";
}

/* "Suspend0 kernel.rs:78" */
static const char *await_str(const struct tasks *t, uint64_t key, uint64_t state, char *buf,
			     size_t n)
{
	char ap[160];
	const char *s = tasks_state_name(t, key, state);
	const char *p = tasks_await_point(t, key, state, ap, sizeof(ap));

	if (state == TEV_STATE_NONE)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%s%s%s", s ? s : "?", p ? " " : "", p ? p : "");
	return buf;
}

static const char *future_name(const struct tasks *t, uint64_t key, char *buf, size_t n)
{
	const char *s = tasks_future_name(t, key);
	if (s)
		return s;
	snprintf(buf, n, "0x%" PRIx64, key);
	return buf;
}

/* ---- tasks ---- */

struct trow {
	int id;
	struct tasks_info i;
	uint64_t idle;
	const char *state;
};

static int sort_col, sort_inv;

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int by_col(const void *pa, const void *pb)
{
	const struct trow *a = pa, *b = pb;
	int c = 0;

	switch (sort_col) {
	case 1:
		c = strcmp(a->state, b->state);
		break;
	case 2:
		c = -cmp_u64(a->i.polls, b->i.polls);
		break;
	case 3:
		c = -cmp_u64(a->i.busy_time, b->i.busy_time);
		break;
	case 4:
		c = -cmp_u64(a->idle, b->idle);
		break;
	case 5:
		c = -cmp_u64(a->i.wakes, b->i.wakes);
		break;
	}
	if (!c)
		c = a->id - b->id;
	return sort_inv ? -c : c;
}

static void view_tasks(struct ui *u, struct live *l, const struct live_totals *tot)
{
	const struct tasks *t = live_tasks(l);
	unsigned n = tasks_count(t);
	struct trow *rows = calloc(n ? n : 1, sizeof(*rows));
	char b1[200], b2[64];
	unsigned nr = 0;
	static const char *const cols[] = {"ID", "STATE", "POLLS", "BUSY", "IDLE", "WAKES"};

	if (!rows)
		return;
	for (unsigned id = 0; id < n; id++) {
		struct trow *r = &rows[nr];
		if (tasks_info(t, (int)id, &r->i))
			continue;
		const char *fn = future_name(t, r->i.key, b2, sizeof(b2));
		if (u->filter[0] && !strcasestr(fn, u->filter))
			continue;
		r->id = (int)id;
		r->state = state_word(&r->i);
		uint64_t end = r->i.done ? r->i.last_end : tot->time;
		r->idle = r->i.polls && end > r->i.first + r->i.busy_time
			      ? end - r->i.first - r->i.busy_time
			      : 0;
		nr++;
	}
	sort_col = u->sort % SORT_MAX;
	sort_inv = u->invert;
	qsort(rows, nr, sizeof(*rows), by_col);
	ui_line(TOP - 1, 0, " %u tasks%s%s%s   sort: %s%s", n,
		u->filter[0] || u->filtering ? "  filter: " : "", u->filter,
		u->filtering ? "_" : "", cols[sort_col], u->invert ? " (inverted)" : "");
	/* header: the sort column stands out */
	char head[256];
	snprintf(head, sizeof(head), " %4s %-8s %7s %11s %11s %6s  %-24s %s", "ID", "STATE",
		 "POLLS", u->ns_clock ? "BUSY_NS" : "BUSY_INSNS",
		 u->ns_clock ? "IDLE_NS" : "IDLE_INSNS", "WAKES", "LAST AWAIT", "FUTURE");
	ui_line(TOP, A_UNDERLINE, "%s", head);
	static const int colx[] = {1, 6, 15, 23, 35, 47};
	static const int colw[] = {4, 8, 7, 11, 11, 6};
	attron(A_REVERSE | A_UNDERLINE);
	mvaddnstr(TOP, colx[sort_col], head + colx[sort_col], colw[sort_col]);
	attroff(A_REVERSE | A_UNDERLINE);
	if (u->sel >= (int)nr)
		u->sel = nr ? (int)nr - 1 : 0;
	int room = bottom() - TOP;
	int first = u->sel >= room ? u->sel - room + 1 : 0;
	u->sel_task = nr ? rows[u->sel].id : -1;
	for (int k = first; k < (int)nr && TOP + 1 + k - first <= bottom(); k++) {
		const struct trow *r = &rows[k];
		ui_line(TOP + 1 + k - first, k == u->sel ? A_REVERSE : 0,
			" %4d %-8s %7" PRIu64 " %11" PRIu64 " %11" PRIu64 " %6" PRIu64
			"  %-24.24s %s",
			r->id, r->state, r->i.polls, r->i.busy_time, r->idle, r->i.wakes,
			await_str(t, r->i.key, r->i.state, b1, sizeof(b1)),
			future_name(t, r->i.key, b2, sizeof(b2)));
	}
	if (!n)
		ui_line(TOP + 1, 0,
			"  no async tasks yet (record with --trace=async on a program with "
			"Rust async code and DWARF)");
	free(rows);
}

/* ---- one task ---- */

static int node_depth(const struct tasks *t, int id, int node)
{
	int d = 0, parent;
	uint64_t key, polls;

	while (node > 0 && d < 64 && !tasks_tree_node(t, id, (size_t)node, &parent, &key, &polls)) {
		node = parent;
		d++;
	}
	return d;
}

static void tree_lines(const struct tasks *t, int id, int node, int depth, int *y, int skip)
{
	int parent;
	uint64_t key, polls;
	char b[64];

	if (tasks_tree_node(t, id, (size_t)node, &parent, &key, &polls))
		return;
	if (*y - skip >= TOP && *y - skip <= bottom())
		ui_line(*y - skip, 0, "    %*s%s  %" PRIu64 " poll%s", 2 * depth, "",
			future_name(t, key, b, sizeof(b)), polls, polls == 1 ? "" : "s");
	(*y)++;
	for (size_t i = (size_t)node + 1; !tasks_tree_node(t, id, i, &parent, &key, &polls); i++)
		if (parent == node)
			tree_lines(t, id, (int)i, depth + 1, y, skip);
}

#define LINE(attr, ...)                                                                            \
	do {                                                                                       \
		if (y - skip >= TOP && y - skip <= bottom())                                       \
			ui_line(y - skip, attr, __VA_ARGS__);                                      \
		y++;                                                                               \
	} while (0)

static void view_task(struct ui *u, struct live *l, const struct live_totals *tot)
{
	const struct tasks *t = live_tasks(l);
	struct tasks_info i;
	char b1[200], b2[64], b3[64];
	int y = TOP, skip = u->scroll;
	const char *unit = u->ns_clock ? "ns" : "insns";

	if (tasks_info(t, u->task, &i)) {
		ui_line(TOP, 0, "  no task %d", u->task);
		return;
	}
	uint64_t end = i.done ? i.last_end : tot->time;
	uint64_t idle = i.polls && end > i.first + i.busy_time ? end - i.first - i.busy_time : 0;
	LINE(A_BOLD, " task %d: %s at 0x%" PRIx64, u->task, future_name(t, i.key, b2, sizeof(b2)),
	     i.addr);
	LINE(0,
	     "   state %s%s%s  polls %" PRIu64 " (pending %" PRIu64 ", ready %" PRIu64
	     ")  busy %" PRIu64 " %s  idle %" PRIu64 " %s  wakes %" PRIu64,
	     state_word(&i), i.state != TEV_STATE_NONE ? " at " : "",
	     i.state != TEV_STATE_NONE ? await_str(t, i.key, i.state, b1, sizeof(b1)) : "", i.polls,
	     i.pending, i.ready, i.busy_time, unit, idle, unit, i.wakes);
	LINE(0, "%s", "");
	LINE(A_UNDERLINE, " Await tree now (what the task waits on after its latest poll)");
	LINE(0, "    %s  %s", future_name(t, i.key, b2, sizeof(b2)),
	     await_str(t, i.key, i.state, b1, sizeof(b1)));
	int node;
	uint64_t st;
	unsigned res;
	for (unsigned k = 0; !tasks_now_link(t, u->task, k, &node, &st, &res); k++) {
		int parent;
		uint64_t key, polls;
		if (tasks_tree_node(t, u->task, (size_t)node, &parent, &key, &polls))
			continue;
		LINE(0, "    %*s%s  %s  %s", 2 * node_depth(t, u->task, node), "",
		     future_name(t, key, b2, sizeof(b2)), await_str(t, key, st, b1, sizeof(b1)),
		     res == TEV_PENDING ? "Pending"
		     : res == TEV_READY ? "Ready"
					: "?");
	}
	LINE(0, "%s", "");
	LINE(A_UNDERLINE, " Await tree (every future polled in this task, with its polls)");
	tree_lines(t, u->task, 0, 0, &y, skip);
	LINE(0, "%s", "");
	LINE(A_UNDERLINE, " Woken by");
	const char *from;
	int to;
	uint64_t cnt;
	bool any = false;
	for (size_t k = 0; !tasks_edge(t, k, &from, &to, &cnt); k++)
		if (to == u->task) {
			LINE(0, "    %-28s x%" PRIu64, from, cnt);
			any = true;
		}
	if (!any)
		LINE(0, "    -");
	LINE(0, "%s", "");
	LINE(A_UNDERLINE, " Poll history (latest first)   %12s %5s %10s  %s", "START", "HART",
	     u->ns_clock ? "NS" : "INSNS", "TRANSITION");
	struct tasks_poll p;
	for (unsigned k = 0; !live_task_poll(l, u->task, k, &p); k++) {
		const char *a = tasks_state_name(t, i.key, p.before),
			   *b = tasks_state_name(t, i.key, p.after);
		snprintf(b3, sizeof(b3), "%s", a ? a : "-");
		LINE(0,
		     "                               %12" PRIu64 " %5u %10" PRIu64 "  %s -> %s  %s",
		     p.start, p.hart, u->ns_clock ? p.end - p.start : p.insns, b3, b ? b : "-",
		     p.result == TEV_PENDING ? "Pending"
		     : p.result == TEV_READY ? "Ready"
					     : "?");
	}
	LINE(0, "%s", "");
	LINE(A_UNDERLINE, " Await points (%s from going Pending to the next poll)", unit);
	struct tasks_apoint ap;
	for (size_t k = 0; !tasks_apoint(t, k, &ap); k++) {
		if (ap.key != i.key)
			continue;
		LINE(0, "    %s: n=%" PRIu64 " min=%" PRIu64 " avg=%" PRIu64 " max=%" PRIu64,
		     await_str(t, ap.key, ap.state, b1, sizeof(b1)), ap.n, ap.min,
		     ap.n ? ap.sum / ap.n : 0, ap.max);
		uint64_t top = 1;
		for (unsigned b = 0; b < ap.nbuckets; b++)
			top = ap.hist[b] > top ? ap.hist[b] : top;
		for (unsigned b = 0; b < ap.nbuckets; b++) {
			if (!ap.hist[b])
				continue;
			char bar[41];
			unsigned w = (unsigned)(ap.hist[b] * 40 / top);
			memset(bar, '#', w ? w : 1);
			bar[w ? w : 1] = 0;
			LINE(0, "      [%10" PRIu64 ", %10" PRIu64 ") %-40s %" PRIu64,
			     b ? (uint64_t)1 << b : 0, (uint64_t)2 << b, bar, ap.hist[b]);
		}
	}
	if (u->scroll > y - TOP)
		u->scroll = y - TOP;
}

/* ---- functions ---- */

struct frow {
	struct live_func f;
};

static int by_func(const void *pa, const void *pb)
{
	const struct live_func *a = pa, *b = pb;
	int c;

	switch (sort_col % 3) {
	case 1:
		c = -cmp_u64(a->total, b->total);
		break;
	case 2:
		c = -cmp_u64(a->calls, b->calls);
		break;
	default:
		c = -cmp_u64(a->self, b->self);
		break;
	}
	if (!c)
		c = strcmp(a->name, b->name);
	return sort_inv ? -c : c;
}

static void view_funcs(struct ui *u, struct live *l)
{
	size_t n = live_nfuncs(l);
	unsigned tracks[64], nt = 0; /* hart << 3 | level, in order seen */
	struct live_func *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t nr = 0;

	if (!rows)
		return;
	for (size_t i = 0; i < n; i++) {
		struct live_func f;
		live_func(l, i, &f);
		unsigned key = f.hart << 3 | f.priv, k;
		for (k = 0; k < nt && tracks[k] != key; k++)
			;
		if (k == nt && nt < 64)
			tracks[nt++] = key;
	}
	if (!nt) {
		ui_line(TOP, 0, "  no finished function calls yet (record with --trace=ftrace)");
		free(rows);
		return;
	}
	unsigned cur = tracks[u->ftrack % nt];
	uint64_t self_sum = 0;
	for (size_t i = 0; i < n; i++) {
		struct live_func f;
		live_func(l, i, &f);
		if ((f.hart << 3 | f.priv) != cur)
			continue;
		self_sum += f.self;
		if (u->filter[0] && !strcasestr(f.name, u->filter))
			continue;
		rows[nr++] = f;
	}
	sort_col = u->sort;
	sort_inv = u->invert;
	qsort(rows, nr, sizeof(*rows), by_func);
	static const char *const cols[] = {"SELF", "TOTAL", "CALLS"};
	char trk[256] = "";
	for (unsigned k = 0; k < nt; k++) {
		char one[32];
		snprintf(one, sizeof(one), tracks[k] == cur ? "[hart%u %s] " : "hart%u %s  ",
			 tracks[k] >> 3, ana_level_name(tracks[k] & 7));
		strncat(trk, one, sizeof(trk) - strlen(trk) - 1);
	}
	ui_line(TOP - 1, 0, " %s  sort: %s%s%s%s", trk, cols[sort_col % 3],
		u->invert ? " (inverted)" : "", u->filter[0] || u->filtering ? "  filter: " : "",
		u->filter);
	ui_line(TOP, A_UNDERLINE, " %12s %6s %12s %10s  %s", "SELF", "SELF%", "TOTAL", "CALLS",
		"FUNCTION (instructions, finished calls)");
	if (u->sel >= (int)nr)
		u->sel = nr ? (int)nr - 1 : 0;
	int room = bottom() - TOP;
	int first = u->sel >= room ? u->sel - room + 1 : 0;
	for (int k = first; k < (int)nr && TOP + 1 + k - first <= bottom(); k++)
		ui_line(TOP + 1 + k - first, k == u->sel ? A_REVERSE : 0,
			" %12" PRIu64 " %5.1f%% %12" PRIu64 " %10" PRIu64 "  %s", rows[k].self,
			self_sum ? 100.0 * (double)rows[k].self / (double)self_sum : 0.0,
			rows[k].total, rows[k].calls, rows[k].name);
	free(rows);
}

/* ---- traps, interrupts, SBI calls, syscalls ---- */

static int by_count(const void *pa, const void *pb)
{
	const struct live_count *a = pa, *b = pb;
	int c = -cmp_u64(a->n, b->n);
	return c ? c : strcmp(a->name, b->name);
}

static void view_rates(struct ui *u, struct live *l, const struct live_totals *t)
{
	size_t n = live_ncounts(l), nr = 0;
	struct live_count *rows = calloc(n ? n : 1, sizeof(*rows));
	int y = TOP;

	if (!rows)
		return;
	ui_line(y++, A_UNDERLINE, " %-12s %12s %16s", "KIND", "TOTAL",
		u->ns_clock ? "PER SECOND" : "PER GUEST SECOND");
	const char *k[] = {"exceptions", "interrupts", "SBI calls", "syscalls"};
	uint64_t c[] = {t->exceptions, t->interrupts, t->sbi, t->syscalls};
	for (int i = 0; i < 4; i++)
		ui_line(y++, 0, " %-12s %12" PRIu64 " %16.1f", k[i], c[i], u->rate[i]);
	y++;
	for (size_t i = 0; i < n; i++)
		if (!live_count(l, i, &rows[nr]))
			nr++;
	qsort(rows, nr, sizeof(*rows), by_count);
	ui_line(y++, A_UNDERLINE, " %-10s %-4s %12s  %s", "KIND", "FROM", "COUNT", "NAME");
	for (size_t i = 0; i < nr && y <= bottom(); i++)
		ui_line(y++, 0, " %-10s %-4s %12" PRIu64 "  %s", rows[i].kind,
			ana_level_name(rows[i].priv), rows[i].n, rows[i].name);
	if (!nr)
		ui_line(y, 0, "  none yet (traps and calls need --trace=etrace)");
	free(rows);
}

/* ---- harts ---- */

static void view_harts(struct ui *u, struct live *l, const struct csess_state *st,
		       const struct live_totals *t)
{
	int y = TOP;
	unsigned n = st->live && st->nharts ? st->nharts : t->harts;

	ui_line(y++, A_UNDERLINE, " %4s %4s %18s %14s %9s  %s", "HART", "PRIV", "PC", "INSTRET",
		st->live ? "MIPS" : "", "SYMBOL");
	for (unsigned h = 0; h < n && y <= bottom(); h++) {
		struct live_hart lh = {0};
		bool have = l && !live_hart(l, h, &lh);
		if (st->live && h < CSESS_HARTS && st->harts[h].seen) {
			const struct csess_hart *s = &st->harts[h];
			const char *sym = l ? csess_func(u->s, s->priv, s->pc) : NULL;
			ui_line(y++, 0, " %4u %4s %18" PRIx64 " %14" PRIu64 " %9.1f  %s", h,
				ana_level_name(s->priv), s->pc, s->instret, s->mips,
				sym		  ? sym
				: have && lh.func ? lh.func
						  : "?");
		} else if (have) {
			const char *sym = csess_func(u->s, lh.priv, lh.pc);
			ui_line(y++, 0, " %4u %4s %18" PRIx64 " %14" PRIu64 " %9s  %s", h,
				ana_level_name(lh.priv), lh.pc, lh.instret, "",
				sym	  ? sym
				: lh.func ? lh.func
					  : "?");
		}
	}
	if (!n)
		ui_line(y, 0, "  no hart seen yet");
	else if (!st->live)
		ui_line(bottom(), 0,
			" (a trace replay: pc and privilege of each hart's latest event)");
}

void ui_view(struct ui *u, struct live *l, const struct csess_state *st,
	     const struct live_totals *t)
{
	if (!l) {
		view_harts(u, NULL, st, t);
		return;
	}
	switch (u->view) {
	case V_TASKS:
		view_tasks(u, l, t);
		break;
	case V_TASK:
		view_task(u, l, t);
		break;
	case V_FUNCS:
		view_funcs(u, l);
		break;
	case V_RATES:
		view_rates(u, l, t);
		break;
	default:
		view_harts(u, l, st, t);
		break;
	}
}
