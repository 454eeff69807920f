/* collect — one pass over a trace for `strata view` (viewer.h): tracks, tiles of slices and
 * markers, call trees, the task table. A tile is {"s": [track, row, t0, dur, name, kind, arg]...,
 * "m": [track, t, name, kind, arg]...} flattened, with t0, t and a run's pc (its arg) stored as
 * the difference to the tile's previous one: a third smaller. Everything comes from the views'
 * analysis (ana_ev) and task builder (tasks.h); only instruction runs are taken from the raw RUN
 * events, which the analysis passes over when it does not rebuild instructions. */
#define _GNU_SOURCE
#include "viewer/viewer.h"
#include "viewer/srcline.h"
#include "trace/reader.h"
#include "util/err.h"
#include "views/analysis.h"
#include "views/tasks.h"
#include "views/view.h"
#include "views/vmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TILE_SLICES 20000
/* Slices at least this long are drawn at every zoom level: kept in the index, not in a tile. */
#define LONG_DUR (1u << 20)
#define HARTS	 256
#define MAX_SRC	 4096 /* functions whose source lines the page carries */

enum { ROW_RUN = 0, ROW_CALL = 1, ROW_FUNC = 2 };
enum { S_FUNC, S_RUN, S_SBI, S_SYS, S_POLL, S_TRAPF };
enum { M_EXC, M_IRQ, M_WAKE, M_MARK };

struct tkey {
	uint32_t space;
	uint8_t hart, priv;
	uint8_t pad[2];
};

struct track {
	int kind; /* 0 hart and level, 1 task */
	unsigned hart, priv, space;
	uint64_t satp;
	int task;
	int64_t *t_enter; /* per stack depth: when the frame was entered */
	uint32_t *node;	  /* per stack depth: its call-tree node */
	unsigned cap;
	bool call_on; /* an SBI call or syscall is open */
	int64_t call_t0;
	uint32_t call_name, call_kind;
	uint64_t slices;
	unsigned rows; /* 1 + the highest row used */
};

struct fnode {
	int32_t parent; /* -1 - track for a root */
	uint32_t name;
	uint64_t self, total, calls;
};

struct nkey {
	int32_t parent;
	uint32_t name;
};

struct run {
	bool on;
	int track;
	int64_t t0;
	uint64_t pc;
};

struct tsum {
	uint64_t n;
	int64_t t0, t1;
};

struct vw_data {
	struct vw_tiles out;
	unsigned tile_slices;
	struct ana *ana;
	struct tasks *tasks;
	struct tasks_sorter *sorter; /* native traces: async events fed in time order at the end */
	struct vmap *names; /* string -> uint32 id */
	struct vmap *tmap;  /* struct tkey -> int track */
	struct vmap *nodes; /* struct nkey -> uint32 node */
	struct vmap *faddr; /* uint32 name -> uint64 entry address (first seen): source lines */
	struct track *tr;
	size_t ntr, captr;
	int *task_track; /* task id -> track */
	size_t ntask_track;
	struct fnode *fn;
	size_t nfn, capfn;
	struct run runs[HARTS];
	int u_track[HARTS]; /* the U track a hart ran on last */
	bool origin_set;
	uint64_t origin;
	int64_t tmin, tmax;
	/* the tile being filled */
	char *tile;
	size_t tilelen;
	FILE *tf;
	char *mark;
	size_t marklen;
	FILE *mf;
	uint64_t tile_n, tile_m;
	int64_t tile_t0, tile_t1;
	int64_t prev_t0, prev_pc, prev_mt; /* tiles store these as deltas (app.js decodes) */
	struct vmap *tile_tracks;	   /* int track -> struct tsum */
	/* finished tiles' summaries, and the long slices */
	char *sums;
	size_t sumslen;
	FILE *sf;
	char *longs;
	size_t longslen;
	FILE *lf;
	uint64_t ntiles, nslices, nmarkers, events;
	int err;
};

#define GROW(arr, n, cap)                                                                          \
	((n) < (cap) ? 0                                                                           \
		     : ((cap) = (cap) ? 2 * (cap) : 16,                                            \
			(arr) = reallocarray((arr), (cap), sizeof(*(arr))), (arr) ? 0 : -ENOMEM))

void vw_json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else if (c == '<') /* never "</script>" inside an inline script */
			fputs("\\u003c", f);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static uint32_t name_id(struct vw_data *d, const char *s)
{
	bool created;

	if (!s)
		s = "?";
	uint32_t *id = vmap_get(d->names, s, strlen(s), &created);
	if (!id) {
		d->err = -ENOMEM;
		return 0;
	}
	if (created)
		*id = (uint32_t)(vmap_count(d->names) - 1);
	return *id;
}

static int64_t rel(struct vw_data *d, uint64_t t)
{
	if (!d->origin_set) {
		d->origin_set = true;
		d->origin = t;
	}
	int64_t r = (int64_t)(t - d->origin);
	if (r < d->tmin)
		d->tmin = r;
	if (r > d->tmax)
		d->tmax = r;
	return r;
}

static int new_track(struct vw_data *d, int kind, unsigned hart, unsigned priv, unsigned space,
		     uint64_t satp, int task)
{
	if (GROW(d->tr, d->ntr, d->captr) < 0) {
		d->err = -ENOMEM;
		return -1;
	}
	struct track *t = &d->tr[d->ntr];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->hart = hart;
	t->priv = priv;
	t->space = space;
	t->satp = satp;
	t->task = task;
	return (int)d->ntr++;
}

static int hart_track(struct vw_data *d, unsigned hart, unsigned priv, unsigned space,
		      uint64_t satp)
{
	struct tkey k = {space, (uint8_t)hart, (uint8_t)priv, {0, 0}};
	bool created;
	int *id = vmap_get(d->tmap, &k, sizeof(k), &created);

	if (!id) {
		d->err = -ENOMEM;
		return -1;
	}
	if (created)
		*id = new_track(d, 0, hart, priv, space, satp, -1);
	if (priv == 0 && hart < HARTS)
		d->u_track[hart] = *id;
	return *id;
}

static int task_track(struct vw_data *d, int task)
{
	if (task < 0)
		return -1;
	while ((size_t)task >= d->ntask_track) {
		size_t n = d->ntask_track ? 2 * d->ntask_track : 16;
		int *a = realloc(d->task_track, n * sizeof(*a));
		if (!a) {
			d->err = -ENOMEM;
			return -1;
		}
		for (size_t i = d->ntask_track; i < n; i++)
			a[i] = -1;
		d->task_track = a;
		d->ntask_track = n;
	}
	if (d->task_track[task] < 0)
		d->task_track[task] = new_track(d, 1, 0, 0, 0, 0, task);
	return d->task_track[task];
}

static int flush_tile(struct vw_data *d)
{
	if (!d->tile_n && !d->tile_m)
		return 0;
	fflush(d->tf);
	fflush(d->mf);
	char *json = NULL;
	size_t len = 0;
	FILE *j = open_memstream(&json, &len);
	if (!j)
		return -ENOMEM;
	fprintf(j, "{\"s\":[%.*s],\"m\":[%.*s]}", (int)d->tilelen, d->tile, (int)d->marklen,
		d->mark);
	fclose(j);
	int rc = json ? d->out.put(d->out.ctx, d->ntiles, json, len) : -ENOMEM;
	free(json);
	if (rc)
		return rc;
	fprintf(d->sf,
		"%s{\"t0\":%" PRId64 ",\"t1\":%" PRId64 ",\"n\":%" PRIu64 ",\"m\":%" PRIu64
		",\"tracks\":[",
		d->ntiles ? ",\n" : "", d->tile_t0, d->tile_t1, d->tile_n, d->tile_m);
	for (size_t i = 0; i < vmap_count(d->tile_tracks); i++) {
		const void *k;
		const struct tsum *s = vmap_at(d->tile_tracks, i, &k, NULL);
		fprintf(d->sf, "%s[%d,%" PRIu64 ",%" PRId64 ",%" PRId64 "]", i ? "," : "",
			*(const int *)k, s->n, s->t0, s->t1);
	}
	fputs("]}", d->sf);
	d->ntiles++;
	vmap_free(d->tile_tracks);
	d->tile_tracks = vmap_new(sizeof(struct tsum));
	if (!d->tile_tracks)
		return -ENOMEM;
	rewind(d->tf);
	rewind(d->mf);
	d->tilelen = d->marklen = 0;
	fflush(d->tf);
	fflush(d->mf);
	d->tile_n = d->tile_m = 0;
	d->prev_t0 = d->prev_pc = d->prev_mt = 0;
	return 0;
}

static void tile_note(struct vw_data *d, int track, int64_t t0, int64_t t1)
{
	bool created;
	struct tsum *s = vmap_get(d->tile_tracks, &track, sizeof(track), &created);

	if (!s) {
		d->err = -ENOMEM;
		return;
	}
	if (created || t0 < s->t0)
		s->t0 = t0;
	if (created || t1 > s->t1)
		s->t1 = t1;
	s->n++;
	if ((!d->tile_n && !d->tile_m) || t0 < d->tile_t0)
		d->tile_t0 = t0;
	if ((!d->tile_n && !d->tile_m) || t1 > d->tile_t1)
		d->tile_t1 = t1;
}

static void slice(struct vw_data *d, int track, unsigned row, int64_t t0, int64_t t1, uint32_t name,
		  unsigned kind, int64_t arg)
{
	if (track < 0)
		return;
	int64_t dur = t1 > t0 ? t1 - t0 : 0;
	d->nslices++;
	d->tr[track].slices++;
	if (row + 1 > d->tr[track].rows)
		d->tr[track].rows = row + 1;
	if (dur >= LONG_DUR) {
		fprintf(d->lf, "%s%d,%u,%" PRId64 ",%" PRId64 ",%u,%u,%" PRId64,
			ftell(d->lf) ? "," : "", track, row, t0, dur, name, kind, arg);
		return;
	}
	tile_note(d, track, t0, t0 + dur);
	int64_t a = kind == S_RUN ? arg - d->prev_pc : arg;
	fprintf(d->tf, "%s%d,%u,%" PRId64 ",%" PRId64 ",%u,%u,%" PRId64, d->tile_n ? "," : "",
		track, row, t0 - d->prev_t0, dur, name, kind, a);
	d->prev_t0 = t0;
	if (kind == S_RUN)
		d->prev_pc = arg;
	d->tile_n++;
	if (d->tile_n >= d->tile_slices && !d->err)
		d->err = flush_tile(d);
}

static void marker(struct vw_data *d, int track, int64_t t, uint32_t name, unsigned kind,
		   int64_t arg)
{
	if (track < 0)
		return;
	d->nmarkers++;
	tile_note(d, track, t, t);
	fprintf(d->mf, "%s%d,%" PRId64 ",%u,%u,%" PRId64, d->tile_m ? "," : "", track,
		t - d->prev_mt, name, kind, arg);
	d->prev_mt = t;
	d->tile_m++;
}

static uint32_t fnode(struct vw_data *d, int32_t parent, uint32_t name)
{
	struct nkey k = {parent, name};
	bool created;
	uint32_t *id = vmap_get(d->nodes, &k, sizeof(k), &created);

	if (!id || (created && GROW(d->fn, d->nfn, d->capfn) < 0)) {
		d->err = -ENOMEM;
		return 0;
	}
	if (created) {
		*id = (uint32_t)d->nfn;
		d->fn[d->nfn++] = (struct fnode){parent, name, 0, 0, 0};
	}
	return *id;
}

static int track_depth(struct vw_data *d, struct track *t, unsigned depth)
{
	if (depth <= t->cap)
		return 0;
	unsigned cap = depth < 64 ? 64 : 2 * depth;
	int64_t *te = realloc(t->t_enter, cap * sizeof(*te));
	if (te)
		t->t_enter = te;
	uint32_t *no = realloc(t->node, cap * sizeof(*no));
	if (no)
		t->node = no;
	if (!te || !no)
		return -ENOMEM;
	t->cap = cap;
	return 0;
}

static void on_poll(void *arg, const struct tasks_poll *p)
{
	struct vw_data *d = arg;
	char name[320], s1[48], s2[48], ap[160];
	uint64_t key = tasks_task_key(d->tasks, p->task);
	const char *a = tasks_state_name(d->tasks, key, p->before);
	const char *b = tasks_state_name(d->tasks, key, p->after);

	if (!a)
		snprintf(s1, sizeof(s1), p->before == TEV_STATE_NONE ? "poll" : "state %" PRIu64,
			 p->before);
	if (!b)
		snprintf(s2, sizeof(s2), p->after == TEV_STATE_NONE ? "poll" : "state %" PRIu64,
			 p->after);
	/* named as the Perfetto view names them: the transition and the await point reached */
	if (tasks_await_point(d->tasks, key, p->after, ap, sizeof(ap)))
		snprintf(name, sizeof(name), "%s -> %s (%s)", a ? a : s1, b ? b : s2, ap);
	else
		snprintf(name, sizeof(name), "%s -> %s", a ? a : s1, b ? b : s2);
	slice(d, task_track(d, p->task), 0, rel(d, p->start), rel(d, p->end), name_id(d, name),
	      S_POLL, (int64_t)p->result);
}

static void on_wake(void *arg, const struct tasks_wake *w)
{
	struct vw_data *d = arg;
	char name[96];

	if (w->to >= 0)
		snprintf(name, sizeof(name), "wake task %d (from %s)", w->to, w->from);
	else
		snprintf(name, sizeof(name), "wake (from %s)", w->from);
	marker(d, hart_track(d, w->hart, w->priv, 0, 0), rel(d, w->time), name_id(d, name), M_WAKE,
	       w->to);
}

static const struct tasks_listener listener = {on_poll, on_wake};

static int on_ana(void *arg, const struct ana_ev *e)
{
	struct vw_data *d = arg;
	int tr = hart_track(d, e->hart, e->priv,
			    e->priv == TEV_U || tev_level_virt(e->priv) ? e->space : 0, e->satp);

	if (tr < 0)
		return d->err;
	struct track *t = &d->tr[tr];
	switch (e->kind) {
	case ANA_ENTER: {
		if (track_depth(d, t, e->depth) < 0)
			return -ENOMEM;
		int32_t parent = e->depth > 1 ? (int32_t)t->node[e->depth - 2] : -1 - tr;
		t->t_enter[e->depth - 1] = rel(d, e->time);
		uint32_t nm = name_id(d, e->name);
		t->node[e->depth - 1] = fnode(d, parent, nm);
		if (e->stack[e->depth - 1].kind == ANA_FRAME_FUNC &&
		    vmap_count(d->faddr) < MAX_SRC) {
			bool created;
			uint64_t *a = vmap_get(d->faddr, &nm, sizeof(nm), &created);
			if (a && created)
				*a = e->stack[e->depth - 1].addr;
		}
		break;
	}
	case ANA_EXIT: {
		if (track_depth(d, t, e->depth) < 0)
			return -ENOMEM;
		const struct ana_frame *f = &e->stack[e->depth - 1];
		struct fnode *n = &d->fn[t->node[e->depth - 1]];
		n->self += e->self_insns;
		n->calls++;
		if (!f->recursive)
			n->total += e->total_insns;
		slice(d, tr, ROW_FUNC + e->depth - 1, t->t_enter[e->depth - 1], rel(d, e->time),
		      n->name, f->kind == ANA_FRAME_TRAP ? S_TRAPF : S_FUNC, 0);
		break;
	}
	case ANA_TRAP:
		marker(d, tr, rel(d, e->time), name_id(d, e->name),
		       e->ev && (e->ev->cause >> 63) ? M_IRQ : M_EXC, e->ev ? e->ev->new_priv : 0);
		break;
	case ANA_SBI_BEGIN:
	case ANA_SYS_BEGIN:
		t->call_on = true;
		t->call_t0 = rel(d, e->time);
		t->call_name = name_id(d, e->text ? e->text : e->name);
		t->call_kind = e->kind == ANA_SBI_BEGIN ? S_SBI : S_SYS;
		break;
	case ANA_SBI_END:
	case ANA_SYS_END:
		if (t->call_on)
			slice(d, tr, ROW_CALL, t->call_t0, rel(d, e->time), t->call_name,
			      t->call_kind, e->text ? (int64_t)name_id(d, e->text) : -1);
		t->call_on = false;
		break;
	case ANA_MARK:
		marker(d, tr, rel(d, e->time), name_id(d, e->text), M_MARK, 0);
		break;
	case ANA_ASYNC: {
		int rc = d->sorter ? tasks_sorter_add(d->sorter, e->ev) : tasks_feed(d->tasks, e->ev);
		if (rc)
			return rc;
		/* a track for every task, polled or not, in task order */
		for (unsigned i = 0; i < tasks_count(d->tasks); i++)
			if ((size_t)i >= d->ntask_track || d->task_track[i] < 0)
				task_track(d, (int)i);
		break;
	}
	default:
		break;
	}
	return d->err;
}

struct vw_data *vw_data_new(const struct vw_tiles *t, unsigned tile_slices)
{
	struct vw_data *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->out = *t;
	d->tile_slices = tile_slices ? tile_slices : TILE_SLICES;
	for (unsigned i = 0; i < HARTS; i++)
		d->u_track[i] = -1;
	d->tasks = tasks_new();
	d->names = vmap_new(sizeof(uint32_t));
	d->tmap = vmap_new(sizeof(int));
	d->nodes = vmap_new(sizeof(uint32_t));
	d->faddr = vmap_new(sizeof(uint64_t));
	d->tile_tracks = vmap_new(sizeof(struct tsum));
	d->tf = open_memstream(&d->tile, &d->tilelen);
	d->mf = open_memstream(&d->mark, &d->marklen);
	d->sf = open_memstream(&d->sums, &d->sumslen);
	d->lf = open_memstream(&d->longs, &d->longslen);
	if (!d->tasks || !d->names || !d->tmap || !d->nodes || !d->faddr || !d->tile_tracks ||
	    !d->tf || !d->mf || !d->sf || !d->lf) {
		vw_data_free(d);
		errno = ENOMEM;
		return NULL;
	}
	tasks_set_listener(d->tasks, &listener, d);
	return d;
}

void vw_data_free(struct vw_data *d)
{
	if (!d)
		return;
	ana_free(d->ana);
	tasks_free(d->tasks);
	tasks_sorter_free(d->sorter);
	vmap_free(d->names);
	vmap_free(d->tmap);
	vmap_free(d->nodes);
	vmap_free(d->faddr);
	vmap_free(d->tile_tracks);
	FILE *fs[] = {d->tf, d->mf, d->sf, d->lf};
	for (unsigned i = 0; i < 4; i++)
		if (fs[i])
			fclose(fs[i]);
	free(d->tile);
	free(d->mark);
	free(d->sums);
	free(d->longs);
	for (size_t i = 0; i < d->ntr; i++) {
		free(d->tr[i].t_enter);
		free(d->tr[i].node);
	}
	free(d->tr);
	free(d->task_track);
	free(d->fn);
	free(d);
}

/* A RUN lasts until the hart's next event. */
static void close_run(struct vw_data *d, unsigned hart, uint64_t time)
{
	struct run *r = &d->runs[hart];

	if (!r->on)
		return;
	r->on = false;
	int64_t t1 = rel(d, time);
	slice(d, r->track, ROW_RUN, r->t0, t1 > r->t0 ? t1 : r->t0 + 1, name_id(d, "run"), S_RUN,
	      (int64_t)r->pc);
}

int vw_data_read(struct vw_data *d, struct trace_reader *r, char *err, size_t errlen)
{
	struct view_source *src = view_source_new(r);
	struct tev ev;
	int rc = 0, got;

	if (!src)
		return -ENOMEM;
	const char *clock = trace_meta(r, "clock");
	bool ns = clock && !strcmp(clock, "ns");
	tasks_set_clock_ns(d->tasks, ns);
	if (ns && !(d->sorter = tasks_sorter_new())) {
		view_source_free(src);
		return -ENOMEM;
	}
	d->ana = ana_new(view_source_names(), src, false, on_ana, d);
	if (!d->ana) {
		view_source_free(src);
		return -ENOMEM;
	}
	while (!rc && (got = trace_next(r, &ev)) == 1) {
		d->events++;
		close_run(d, ev.hart, ev.time);
		if (ev.type == TEV_RUN) {
			struct run *run = &d->runs[ev.hart];
			int tr = ev.priv == 0 && d->u_track[ev.hart] >= 0
				     ? d->u_track[ev.hart]
				     : hart_track(d, ev.hart, ev.priv, 0, 0);
			*run = (struct run){true, tr, rel(d, ev.time), ev.pc};
		}
		rc = ana_feed(d->ana, &ev);
	}
	if (!rc && got < 0) /* corrupt from here on: keep what came before */
		snprintf(err, errlen, "%s", err_msg() ? err_msg() : "corrupt trace");
	for (unsigned h = 0; h < HARTS && !rc; h++)
		if (d->runs[h].on)
			close_run(d, h, (uint64_t)(d->tmax + 1) + d->origin);
	if (!rc)
		rc = ana_finish(d->ana);
	if (!rc && d->sorter) {
		rc = tasks_sorter_feed(d->sorter, d->tasks);
		for (unsigned i = 0; !rc && i < tasks_count(d->tasks); i++)
			task_track(d, (int)i);
	}
	if (!rc)
		rc = d->err;
	if (!rc)
		rc = flush_tile(d);
	view_source_free(src);
	return rc;
}

void vw_data_counts(const struct vw_data *d, struct vw_result *res)
{
	res->events = d->events;
	res->slices = d->nslices;
	res->markers = d->nmarkers;
	res->tiles = d->ntiles;
	res->tasks = tasks_count(d->tasks);
}

static int by_track(const void *pa, const void *pb, void *arg)
{
	const struct track *a = &((const struct track *)arg)[*(const int *)pa];
	const struct track *b = &((const struct track *)arg)[*(const int *)pb];
	static const unsigned rank[4] = {2, 1, 3, 0}; /* M, S, U */

	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->kind == 1)
		return a->task - b->task;
	if (a->hart != b->hart)
		return a->hart < b->hart ? -1 : 1;
	if (a->priv != b->priv)
		return rank[a->priv & 3] < rank[b->priv & 3] ? -1 : 1;
	return a->space < b->space ? -1 : a->space > b->space;
}

static void write_tracks(struct vw_data *d, FILE *f)
{
	int *order = malloc((d->ntr ? d->ntr : 1) * sizeof(*order));

	fputs("\"tracks\":[", f);
	if (!order) {
		d->err = -ENOMEM;
		fputs("]", f);
		return;
	}
	for (size_t i = 0; i < d->ntr; i++)
		order[i] = (int)i;
	qsort_r(order, d->ntr, sizeof(*order), by_track, d->tr);
	for (size_t i = 0; i < d->ntr; i++) {
		const struct track *t = &d->tr[order[i]];
		char name[320];
		if (t->kind == 1) {
			const char *fn =
			    tasks_future_name(d->tasks, tasks_task_key(d->tasks, t->task));
			snprintf(name, sizeof(name), "task %d: %s", t->task, fn ? fn : "?");
		} else if (t->priv == 0 && t->space) {
			snprintf(name, sizeof(name), "hart%u U satp=0x%" PRIx64, t->hart, t->satp);
		} else {
			snprintf(name, sizeof(name), "hart%u %s", t->hart, ana_level_name(t->priv));
		}
		fprintf(f,
			"%s\n{\"id\":%d,\"kind\":\"%s\",\"hart\":%u,\"priv\":\"%s\",\"task\":%d,"
			"\"slices\":%" PRIu64 ",\"rows\":%u,\"name\":",
			i ? "," : "", order[i], t->kind ? "task" : "hart", t->hart,
			ana_level_name(t->priv), t->task, t->slices, t->rows);
		vw_json_str(f, name, sizeof(name));
		fputc('}', f);
	}
	fputs("]", f);
	free(order);
}

static void write_flame(struct vw_data *d, FILE *f)
{
	fputs("\"flame\":[", f);
	for (size_t i = 0; i < d->nfn; i++) {
		const struct fnode *n = &d->fn[i];
		fprintf(f, "%s%d,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64, i ? "," : "", n->parent,
			n->name, n->self, n->total, n->calls);
	}
	fputs("]", f);
}

/* "src": {"function": {"file", "line", "text"}} for the functions the ELF's DWARF knows. */
static void write_src(struct vw_data *d, struct trace_reader *r, FILE *f)
{
	const char *elfs[] = {r ? trace_meta(r, "kernel") : NULL, r ? trace_meta(r, "bios") : NULL,
			      r ? trace_meta(r, "exe") : NULL};
	struct vw_src *s = vw_src_open(elfs, 3);
	static char text[16384];
	char file[1024];
	unsigned line;
	bool first = true;

	fputs("\"src\":{", f);
	for (size_t i = 0; s && i < vmap_count(d->faddr); i++) {
		const void *k;
		const uint64_t *addr = vmap_at(d->faddr, i, &k, NULL);
		uint32_t nm = *(const uint32_t *)k;
		if (vw_src_lookup(s, *addr, file, sizeof(file), &line) ||
		    vw_src_text(file, line, 16, text, sizeof(text)))
			continue;
		const void *name;
		size_t nlen;
		vmap_at(d->names, nm, &name, &nlen);
		fputs(first ? "\n" : ",\n", f);
		first = false;
		vw_json_str(f, name, nlen);
		fputs(":{\"file\":", f);
		vw_json_str(f, file, sizeof(file));
		fprintf(f, ",\"line\":%u,\"text\":", line);
		vw_json_str(f, text, sizeof(text));
		fputc('}', f);
	}
	fputs("}", f);
	vw_src_close(s);
}

int vw_data_index(struct vw_data *d, struct trace_reader *r, FILE *f, const struct vw_result *res)
{
	static const char *const keys[] = {"machine", "harts", "bios", "kernel",
					   "command", "clock", "isa"};

	fflush(d->sf);
	fflush(d->lf);
	fputs("{\"meta\":{", f);
	bool first = true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = r ? trace_meta(r, keys[i]) : NULL;
		if (!v)
			continue;
		fprintf(f, "%s\"%s\":", first ? "" : ",", keys[i]);
		vw_json_str(f, v, strlen(v));
		first = false;
	}
	fprintf(f,
		"},\n\"origin\":\"%" PRIu64 "\",\"tmin\":%" PRId64 ",\"tmax\":%" PRId64
		",\"events\":%" PRIu64 ",\"slices\":%" PRIu64 ",\"markers\":%" PRIu64
		",\"truncated\":%s,\"error\":",
		d->origin, d->tmin, d->tmax, d->events, d->nslices, d->nmarkers,
		res->truncated ? "true" : "false");
	vw_json_str(f, res->error, sizeof(res->error));
	fputs(",\n", f);
	write_tracks(d, f);
	fprintf(f, ",\n\"tiles\":[%.*s],\n\"long\":[%.*s],\n\"names\":[", (int)d->sumslen, d->sums,
		(int)d->longslen, d->longs);
	for (size_t i = 0; i < vmap_count(d->names); i++) {
		const void *k;
		size_t klen;
		vmap_at(d->names, i, &k, &klen);
		if (i)
			fputc(',', f);
		vw_json_str(f, k, klen);
	}
	fputs("],\n", f);
	write_src(d, r, f);
	fputs(",\n", f);
	write_flame(d, f);
	fputs(",\n\"tasks\":", f);
	if (tasks_events(d->tasks))
		tasks_print_json_runs(d->tasks, f);
	else
		fputs("null\n", f);
	fputs("}", f);
	return d->err ? d->err : ferror(f) ? -EIO : 0;
}
