/* tasks_check — see tasks_check.h. */
#define _GNU_SOURCE
#include "views/tasks_check.h"
#include "views/tasks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct tstate {
	bool armed; /* a waker event for the task since its latest poll started */
	bool open;  /* its latest poll returned Pending unarmed: a lost wake unless armed later */
	bool selfwake;		    /* it woke itself during the poll in progress */
	uint64_t time, insn, state; /* end of the open poll */
	uint64_t run, longest;	    /* self-woken Pending polls in a row */
	uint64_t hit_time, hit_insn;
	bool hit;
};

struct tchk {
	struct tstate *s;
	size_t n;
	unsigned busy;
	int cur[TEV_MAX_HARTS]; /* task polled on each hart, or -1 */
};

struct tchk *tchk_new(void)
{
	struct tchk *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->busy = TCHK_BUSY_DEFAULT;
	for (unsigned i = 0; i < TEV_MAX_HARTS; i++)
		c->cur[i] = -1;
	return c;
}

void tchk_free(struct tchk *c)
{
	if (!c)
		return;
	free(c->s);
	free(c);
}

void tchk_set_busy(struct tchk *c, unsigned n)
{
	c->busy = n ? n : 1;
}

unsigned tchk_busy_threshold(const struct tchk *c)
{
	return c->busy;
}

/* The state of task id (grown to hold it), or NULL on -ENOMEM. */
static struct tstate *st(struct tchk *c, int id)
{
	if ((size_t)id >= c->n) {
		size_t n = (size_t)id + 16;
		struct tstate *s = reallocarray(c->s, n, sizeof(*s));
		if (!s)
			return NULL;
		memset(s + c->n, 0, (n - c->n) * sizeof(*s));
		c->s = s;
		c->n = n;
	}
	return &c->s[id];
}

static int on_poll_end(struct tchk *c, struct tstate *s, const struct tev *ev)
{
	if ((ev->kind & 3) != TEV_PENDING) {
		s->run = 0;
		return 0;
	}
	if (!s->armed) {
		s->open = true;
		s->time = ev->time;
		s->insn = ev->instret;
		s->state = ev->value;
	}
	if (!s->selfwake) {
		s->run = 0;
		return 0;
	}
	s->run++;
	if (s->run > s->longest)
		s->longest = s->run;
	if (s->run >= c->busy && !s->hit) {
		s->hit = true;
		s->hit_time = ev->time;
		s->hit_insn = ev->instret;
	}
	return 0;
}

int tchk_feed(struct tchk *c, const struct tasks *t, const struct tev *ev)
{
	struct tstate *s;
	int id;

	switch (ev->type) {
	case TEV_POLL:
		if (ev->size != 0)
			return 0;
		id = c->cur[ev->hart] = tasks_by_addr(t, ev->task);
		if (id < 0)
			return 0;
		if (!(s = st(c, id)))
			return -ENOMEM;
		/* polled again: whatever the last poll left undone, the task was not lost */
		s->armed = s->open = s->selfwake = false;
		return 0;
	case TEV_POLL_END:
		if (ev->size != 0 || (id = c->cur[ev->hart]) < 0)
			return 0;
		c->cur[ev->hart] = -1;
		if (!(s = st(c, id)))
			return -ENOMEM;
		return on_poll_end(c, s, ev);
	case TEV_WAKE:
		if (ev->kind == TEV_WAKE_DROP || (id = tasks_by_waker(t, ev->addr)) < 0)
			return 0;
		if (!(s = st(c, id)))
			return -ENOMEM;
		s->armed = true;
		s->open = false;
		if (ev->kind == TEV_WAKE_CLONE)
			return 0;
		if (c->cur[ev->hart] == id)
			s->selfwake = true;
		else
			s->run = 0; /* woken by someone else: the run of self-wakes is over */
		return 0;
	}
	return 0;
}

int tchk_lost(const struct tchk *c, size_t i, struct tchk_lost *o)
{
	for (size_t id = 0; id < c->n; id++)
		if (c->s[id].open && i-- == 0) {
			*o = (struct tchk_lost){(int)id, c->s[id].time, c->s[id].insn,
						c->s[id].state};
			return 0;
		}
	return -ENOENT;
}

int tchk_busy(const struct tchk *c, size_t i, struct tchk_busy *o)
{
	for (size_t id = 0; id < c->n; id++)
		if (c->s[id].hit && i-- == 0) {
			const struct tstate *s = &c->s[id];
			*o = (struct tchk_busy){(int)id, s->longest, s->hit_time, s->hit_insn,
						s->run >= c->busy};
			return 0;
		}
	return -ENOENT;
}

static const char *name(const struct tasks *t, int id, char *buf, size_t n)
{
	uint64_t key = tasks_task_key(t, id);
	const char *s = tasks_future_name(t, key);

	if (s)
		return s;
	snprintf(buf, n, "0x%" PRIx64, key);
	return buf;
}

static const char *where(const struct tasks *t, int id, uint64_t state, char *buf, size_t n)
{
	uint64_t key = tasks_task_key(t, id);
	const char *sn = tasks_state_name(t, key, state);
	char ap[200];
	const char *p = tasks_await_point(t, key, state, ap, sizeof(ap));

	if (state == TEV_STATE_NONE)
		snprintf(buf, n, "-");
	else if (sn && p)
		snprintf(buf, n, "%s at %s", sn, p);
	else if (sn)
		snprintf(buf, n, "%s", sn);
	else
		snprintf(buf, n, "%" PRIu64, state);
	return buf;
}

void tchk_print_text(const struct tchk *c, const struct tasks *t, FILE *f)
{
	struct tchk_lost l;
	struct tchk_busy b;
	char nb[32], wb[256];
	size_t i;

	fprintf(f, "\nlost wakes (Pending, and no waker for the task cloned or woken since):\n");
	for (i = 0; tchk_lost(c, i, &l) == 0; i++)
		fprintf(f, "  task %d %s: Pending in %s, poll ended at %" PRIu64 "\n", l.task,
			name(t, l.task, nb, sizeof(nb)), where(t, l.task, l.state, wb, sizeof(wb)),
			l.time);
	if (!i)
		fprintf(f, "  none\n");
	fprintf(f, "\nbusy polling (woken by itself %u Pending polls in a row):\n", c->busy);
	for (i = 0; tchk_busy(c, i, &b) == 0; i++)
		fprintf(f, "  task %d %s: %" PRIu64 " in a row, reached %u at %" PRIu64 "%s\n",
			b.task, name(t, b.task, nb, sizeof(nb)), b.longest, c->busy, b.time,
			b.ongoing ? ", still at the end of the trace" : "");
	if (!i)
		fprintf(f, "  none\n");
}

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	}
	fputc('"', f);
}

void tchk_print_json(const struct tchk *c, const struct tasks *t, FILE *f)
{
	struct tchk_lost l;
	struct tchk_busy b;
	char wb[256];
	size_t i;

	fprintf(f, ",\n \"lost_wakes\": [");
	for (i = 0; tchk_lost(c, i, &l) == 0; i++) {
		fprintf(
		    f, "%s{\"task\": %d, \"time\": %" PRIu64 ", \"insn\": %" PRIu64 ", \"state\": ",
		    i ? ", " : "", l.task, l.time, l.insn);
		jstr(f, where(t, l.task, l.state, wb, sizeof(wb)));
		fputc('}', f);
	}
	fprintf(f, "],\n \"busy_polls\": {\"threshold\": %u, \"tasks\": [", c->busy);
	for (i = 0; tchk_busy(c, i, &b) == 0; i++)
		fprintf(f,
			"%s{\"task\": %d, \"longest\": %" PRIu64 ", \"time\": %" PRIu64
			", \"insn\": %" PRIu64 ", \"ongoing\": %s}",
			i ? ", " : "", b.task, b.longest, b.time, b.insn,
			b.ongoing ? "true" : "false");
	fprintf(f, "]}");
}
