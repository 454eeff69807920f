/* ui — the console's screen state and views (inside src/console). */
#ifndef STRATA_CONSOLE_UI_H
#define STRATA_CONSOLE_UI_H

#include "console/session.h"
#include "views/live.h"

#include <stdbool.h>
#include <stdint.h>

enum ui_view { V_TASKS, V_TASK, V_FUNCS, V_RATES, V_HARTS, V_COUNT };
#define SORT_MAX 6

struct ui {
	struct csess *s;
	enum ui_view view;
	int sel, scroll;
	int sort; /* column: tasks 0 id, 1 state, 2 polls, 3 busy, 4 idle, 5 wakes;
		   * functions: 0/3 self, 1/4 total, 2/5 calls */
	bool invert;
	char filter[64];
	bool filtering;
	int task;     /* V_TASK: the task shown */
	int sel_task; /* V_TASKS: the task under the cursor, or -1 */
	unsigned ftrack;
	bool ns_clock;
	uint64_t r_time, r_cnt[4];
	double rate[4];
};

/* Draw the current view between the status lines (l may be NULL: harts only). */
void ui_view(struct ui *u, struct live *l, const struct csess_state *st,
	     const struct live_totals *t);
/* One screen line y, padded to the width, in attr. */
void ui_line(int y, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
