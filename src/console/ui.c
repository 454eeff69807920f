/* ui — the console's screen (ncurses): a status line, the current view, the keys. The views
 * (tasks, one task, functions, traps and calls, harts) read the live summary under the
 * session's lock; nothing here interprets events. */
#define _GNU_SOURCE
#include "console/console.h"
#include "console/session.h"
#include "console/ui.h"
#include "util/err.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Rates between two screen refreshes, per second of the trace's clock (an emulator trace's
 * clock is the instruction clock: mtime = time / 10 at 10 MHz, so 10^8 per guest second). */
static void sample_rates(struct ui *u, const struct live_totals *t, bool ns)
{
	uint64_t c[4] = {t->exceptions, t->interrupts, t->sbi, t->syscalls};
	double per_s = ns ? 1e9 : 1e8;

	if (t->time > u->r_time && u->r_time) {
		double dt = (double)(t->time - u->r_time);
		for (int i = 0; i < 4; i++)
			u->rate[i] = (double)(c[i] - u->r_cnt[i]) / dt * per_s;
	}
	if (t->time != u->r_time) {
		u->r_time = t->time;
		memcpy(u->r_cnt, c, sizeof(c));
	}
}

void ui_line(int y, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(attr);
	mvaddnstr(y, 0, buf, COLS);
	for (int x = (int)strlen(buf); x < COLS; x++)
		addch(' ');
	attroff(attr);
}

static void status(struct ui *u, const struct csess_state *st, const struct live_totals *t)
{
	char mode[160];

	if (st->live) {
		if (st->lost)
			snprintf(mode, sizeof(mode),
				 "LINK LOST: the run closed the connection before it "
				 "ended; showing what was received");
		else if (st->ended)
			snprintf(mode, sizeof(mode), "live: the run ended (exit %d)", st->code);
		else
			snprintf(mode, sizeof(mode), "live: running%s",
				 st->no_trace ? " (no trace: harts only)" : "");
	} else {
		snprintf(mode, sizeof(mode), "replay %3.0f%%%s x%g%s", st->progress * 100,
			 st->paused ? " PAUSED" : "", st->speed,
			 !st->reading && st->progress >= 1 ? " (end)" : "");
	}
	ui_line(0, A_REVERSE, " strata console  %s  |  %s  |  %" PRIu64 " events  time %" PRIu64,
		st->source, mode, t->events, t->time);
	static const char *const names[] = {"[t]asks", "task", "[f]unctions", "[r]ates", "[h]arts"};
	char tabs[256] = "";
	for (int v = 0; v < V_COUNT; v++) {
		if (v == V_TASK && u->view != V_TASK)
			continue;
		char one[64];
		snprintf(one, sizeof(one), v == (int)u->view ? " <%s> " : "  %s  ", names[v]);
		strcat(tabs, one);
	}
	ui_line(1, A_BOLD, "%s", tabs);
	if (st->msg[0])
		ui_line(LINES - 2, A_BOLD, " ! %s", st->msg);
}

static void keys(const struct ui *u, const struct csess_state *st)
{
	char k[512];
	const char *common = st->live ? "" : "  space pause  e end  +/- speed";

	switch (u->view) {
	case V_TASKS:
		snprintf(k, sizeof(k),
			 "q quit  up/down select  Enter task  left/right sort  i invert  / "
			 "filter%s",
			 common);
		break;
	case V_TASK:
		snprintf(k, sizeof(k), "q quit  Esc/Backspace back  up/down scroll%s", common);
		break;
	case V_FUNCS:
		snprintf(k, sizeof(k), "q quit  Tab next hart/level  left/right sort  / filter%s",
			 common);
		break;
	default:
		snprintf(k, sizeof(k), "q quit  t tasks  f functions  r rates  h harts%s", common);
		break;
	}
	ui_line(LINES - 1, A_REVERSE, " %s", k);
}

static void draw(struct ui *u)
{
	struct csess_state st;
	struct live_totals t = {0};

	csess_state(u->s, &st);
	erase();
	csess_lock(u->s);
	struct live *l = csess_live(u->s);
	if (l)
		live_totals(l, &t);
	status(u, &st, &t);
	u->ns_clock = st.ns_clock;
	if (l) {
		sample_rates(u, &t, u->ns_clock);
		ui_view(u, l, &st, &t);
	} else if (u->view == V_HARTS) {
		ui_view(u, NULL, &st, &t);
	} else {
		ui_line(3, 0,
			st.live ? "  waiting for the run's trace..." : "  reading the trace...");
		if (st.live && st.no_trace)
			ui_line(
			    4, 0,
			    "  the run records no trace (start it with --trace=...): see [h]arts");
	}
	csess_unlock(u->s);
	keys(u, &st);
	refresh();
}

/* The filter line: typed after '/', Enter keeps it, Esc drops it. */
static void filter_key(struct ui *u, int ch)
{
	size_t n = strlen(u->filter);

	if (ch == 27) {
		u->filter[0] = 0;
		u->filtering = false;
	} else if (ch == '\n' || ch == KEY_ENTER) {
		u->filtering = false;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			u->filter[n - 1] = 0;
	} else if (ch >= 32 && ch < 127 && n + 1 < sizeof(u->filter)) {
		u->filter[n] = (char)ch;
		u->filter[n + 1] = 0;
	}
	u->sel = 0;
}

/* One key. false: quit. */
static bool key(struct ui *u, int ch)
{
	if (u->filtering) {
		filter_key(u, ch);
		return true;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case 't':
		u->view = V_TASKS;
		break;
	case 'f':
		u->view = V_FUNCS;
		u->sel = 0;
		break;
	case 'r':
		u->view = V_RATES;
		break;
	case 'h':
		u->view = V_HARTS;
		break;
	case ' ': {
		struct csess_state st;
		csess_state(u->s, &st);
		csess_pause(u->s, !st.paused);
		break;
	}
	case 'e':
		csess_to_end(u->s);
		break;
	case '+':
		csess_speed(u->s, 2);
		break;
	case '-':
		csess_speed(u->s, 0.5);
		break;
	case '/':
		if (u->view == V_TASKS || u->view == V_FUNCS) {
			u->filtering = true;
			u->filter[0] = 0;
		}
		break;
	case 27:
	case KEY_BACKSPACE:
	case 127:
		if (u->view == V_TASK) {
			u->view = V_TASKS;
			u->scroll = 0;
		}
		break;
	case KEY_UP:
		if (u->view == V_TASK)
			u->scroll -= u->scroll > 0;
		else
			u->sel -= u->sel > 0;
		break;
	case KEY_DOWN:
		if (u->view == V_TASK)
			u->scroll++;
		else
			u->sel++;
		break;
	case KEY_NPAGE:
		u->sel += LINES / 2;
		break;
	case KEY_PPAGE:
		u->sel = u->sel > LINES / 2 ? u->sel - LINES / 2 : 0;
		break;
	case KEY_LEFT:
	case '<':
		u->sort = (u->sort + SORT_MAX - 1) % SORT_MAX;
		break;
	case KEY_RIGHT:
	case '>':
		u->sort = (u->sort + 1) % SORT_MAX;
		break;
	case 'i':
		u->invert = !u->invert;
		break;
	case '\t':
		u->ftrack++;
		u->sel = 0;
		break;
	case '\n':
	case KEY_ENTER:
		if (u->view == V_TASKS && u->sel_task >= 0) {
			u->task = u->sel_task;
			u->view = V_TASK;
			u->scroll = 0;
		}
		break;
	default:
		break;
	}
	return true;
}

int console_main(const struct console_opts *o)
{
	struct ui u = {.view = V_TASKS, .sel_task = -1};
	unsigned refresh_ms = o->refresh_ms ? o->refresh_ms : CONSOLE_REFRESH_MS;

	signal(SIGPIPE, SIG_IGN);
	u.s = csess_open(o);
	if (!u.s)
		return -EINVAL;
	if (!initscr()) {
		csess_close(u.s);
		return err_set(ENOTTY, "cannot use the terminal (TERM=%s)",
			       getenv("TERM") ? getenv("TERM") : "");
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	timeout((int)refresh_ms);
	uint64_t next = 0;
	for (;;) {
		uint64_t now = wall_ns();
		if (now >= next) {
			draw(&u);
			next = now + refresh_ms * 1000000ull;
		}
		int ch = getch();
		if (ch == ERR)
			continue;
		if (ch == KEY_RESIZE) {
			next = 0;
			continue;
		}
		if (!key(&u, ch))
			break;
		next = 0; /* show what the key did at once */
	}
	endwin();
	csess_close(u.s);
	return 0;
}
