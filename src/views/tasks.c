/* tasks — see tasks.h. */
#define _GNU_SOURCE
#include "views/tasks.h"
#include "views/analysis.h"
#include "views/tasks_check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
#define NBUCKETS  40
#define NOW_LINKS 16

struct fvar {
	uint64_t discr;
	char *name, *file;
	unsigned line;
};

struct fdesc { /* a TEV_FUTURE description */
	uint64_t key;
	char *kind, *name, *type;
	struct fvar *v;
	unsigned nv;
};

struct trans {
	uint64_t from, to;
	uint8_t result;
};

struct node { /* await tree: node 0 is the task's own future */
	int parent;
	uint64_t key;
	uint64_t polls;
};

struct task {
	uint64_t addr, key, waker;
	bool waker_known; /* waker was read (0 is a valid data pointer) */
	uint64_t polls, pending, ready, unknown, clones, drops;
	uint64_t busy_insns, busy_time, first, last, final_state;
	struct trans *tr;
	size_t ntr, captr;
	struct node *nodes;
	size_t nn, capn;
	bool waiting;
	bool done;
	int on_hart;   /* polled now on this hart, or -1 */
	uint64_t wakes, last_end;
	struct nowlink {
		int node;
		uint64_t state;
		uint8_t result;
	} now[NOW_LINKS]; /* the chain the latest poll left */
	unsigned nnow;
	bool announced; /* created by TEV_TASK: the first poll at depth 0 gives it its future */
	uint64_t wait_state, wait_since;
};

struct hst {
	int cur; /* task being polled, or -1 */
	uint64_t start_insn, start_time, before;
	int path[MAX_DEPTH];
};

struct edge {
	char from[64];
	int to;
	uint64_t count;
};

struct apoint { /* time from a Pending poll to the task's next poll, per await point */
	uint64_t key, state, n, sum, min, max;
	uint64_t hist[NBUCKETS];
};

struct tasks {
	struct fdesc *fd;
	size_t nfd, capfd;
	struct task *t;
	size_t nt, capt;
	struct hst *h[TEV_MAX_HARTS];
	struct edge *e;
	size_t ne, cape;
	struct apoint *ap;
	size_t nap, capap;
	uint64_t events, polls, wakes;
	const struct tasks_listener *lis;
	void *lis_arg;
	bool ns; /* the trace's clock is nanoseconds (native traces): busy and wait times are ns */
	struct tchk *chk; /* lost wakes, busy polling */
};

#define GROW(arr, n, cap)                                                                          \
	((n) < (cap) ? 0                                                                           \
		     : ((cap) = (cap) ? 2 * (cap) : 16,                                            \
			(arr) = reallocarray((arr), (cap), sizeof(*(arr))), (arr) ? 0 : -ENOMEM))

struct tasks *tasks_new(void)
{
	struct tasks *t = calloc(1, sizeof(struct tasks));

	if (t && !(t->chk = tchk_new())) {
		free(t);
		return NULL;
	}
	return t;
}

void tasks_free(struct tasks *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nfd; i++) {
		for (unsigned k = 0; k < t->fd[i].nv; k++) {
			free(t->fd[i].v[k].name);
			free(t->fd[i].v[k].file);
		}
		free(t->fd[i].v);
		free(t->fd[i].kind);
		free(t->fd[i].name);
		free(t->fd[i].type);
	}
	for (size_t i = 0; i < t->nt; i++) {
		free(t->t[i].tr);
		free(t->t[i].nodes);
	}
	for (unsigned i = 0; i < TEV_MAX_HARTS; i++)
		free(t->h[i]);
	free(t->fd);
	free(t->t);
	free(t->e);
	free(t->ap);
	tchk_free(t->chk);
	free(t);
}

struct tchk *tasks_check(const struct tasks *t)
{
	return t->chk;
}

void tasks_set_clock_ns(struct tasks *t, bool ns)
{
	t->ns = ns;
}

unsigned tasks_count(const struct tasks *t)
{
	return (unsigned)t->nt;
}

uint64_t tasks_events(const struct tasks *t)
{
	return t->events;
}

static const struct fdesc *fdesc(const struct tasks *t, uint64_t key)
{
	for (size_t i = t->nfd; i-- > 0;)
		if (t->fd[i].key == key)
			return &t->fd[i];
	return NULL;
}

const char *tasks_future_name(const struct tasks *t, uint64_t key)
{
	const struct fdesc *f = fdesc(t, key);

	if (!f)
		return NULL;
	/* a coroutine is known by its body's name, a hand-written future by its type */
	return strcmp(f->kind, "poll") ? f->name : f->type;
}

const char *tasks_future_type(const struct tasks *t, uint64_t key)
{
	const struct fdesc *f = fdesc(t, key);

	return f ? f->type : NULL;
}

static const struct fvar *fvar(const struct tasks *t, uint64_t key, uint64_t state)
{
	const struct fdesc *f = fdesc(t, key);

	for (unsigned i = 0; f && i < f->nv; i++)
		if (f->v[i].discr == state)
			return &f->v[i];
	return NULL;
}

const char *tasks_state_name(const struct tasks *t, uint64_t key, uint64_t state)
{
	const struct fvar *v = state == TEV_STATE_NONE ? NULL : fvar(t, key, state);

	return v ? v->name : NULL;
}

const char *tasks_await_point(const struct tasks *t, uint64_t key, uint64_t state, char *buf,
			      size_t n)
{
	const struct fvar *v = state == TEV_STATE_NONE ? NULL : fvar(t, key, state);
	const char *base;

	if (!v || !v->line || !v->file || !*v->file)
		return NULL;
	base = strrchr(v->file, '/');
	snprintf(buf, n, "%s:%u", base ? base + 1 : v->file, v->line);
	return buf;
}

int tasks_by_waker(const struct tasks *t, uint64_t data)
{
	for (size_t i = t->nt; i-- > 0;)
		if (t->t[i].waker_known && t->t[i].waker == data)
			return (int)i;
	return -1;
}

uint64_t tasks_task_key(const struct tasks *t, int id)
{
	return id >= 0 && (size_t)id < t->nt ? t->t[id].key : 0;
}

int tasks_by_addr(const struct tasks *t, uint64_t addr)
{
	for (size_t i = t->nt; i-- > 0;)
		if (t->t[i].addr == addr)
			return (int)i;
	return -1;
}

/* One "key=value" line of a native FUTURE description into f. 0 or -ENOMEM. */
static int parse_native(struct fdesc *f, unsigned *capv, const char *key, const char *val)
{
	char **dst = !strcmp(key, "name") ? &f->name : !strcmp(key, "type") ? &f->type
		   : !strcmp(key, "kind") ? &f->kind : NULL;
	unsigned long long d;
	char name[128];
	int used = 0;

	if (dst) {
		free(*dst);
		return (*dst = strdup(val)) ? 0 : -ENOMEM;
	}
	if (strcmp(key, "state") || sscanf(val, "%llu %127s %n", &d, name, &used) < 2)
		return 0;
	if (GROW(f->v, f->nv, *capv) < 0)
		return -ENOMEM;
	struct fvar *v = &f->v[f->nv];
	const char *where = used ? val + used : "", *colon = strrchr(where, ':');
	v->discr = d;
	v->line = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
	v->name = strdup(name);
	v->file = colon ? strndup(where, (size_t)(colon - where)) : strdup("");
	f->nv++;
	return v->name && v->file ? 0 : -ENOMEM;
}

/* "coroutine NAME\ntype TYPE\nvariant DISCR NAME LINE FILE\n..." (tracer.c atr_describe) */
static int parse_future(struct tasks *t, const struct tev *ev)
{
	char *text = strndup((const char *)ev->data, ev->len), *save = NULL, *line;
	struct fdesc f = {.key = ev->pc};
	unsigned capv = 0;
	int rc = -ENOMEM;

	if (!text)
		return -ENOMEM;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' '), *eq = strchr(line, '=');

		/* native traces (src/ebpf/nasync.c): name=, type=, kind=, state=N NAME [FILE:LINE] */
		if (eq && (!sp || eq < sp)) {
			*eq++ = 0;
			if (parse_native(&f, &capv, line, eq) < 0)
				goto out;
			continue;
		}
		if (!sp)
			continue;
		*sp = 0;
		if (!f.kind) {
			f.kind = strdup(line);
			f.name = strdup(sp + 1);
		} else if (!strcmp(line, "type")) {
			free(f.type);
			f.type = strdup(sp + 1);
		} else if (!strcmp(line, "variant")) {
			unsigned long long d;
			unsigned ln;
			int used = 0;
			char name[128];

			if (sscanf(sp + 1, "%llu %127s %u %n", &d, name, &ln, &used) < 3)
				continue;
			if (GROW(f.v, f.nv, capv) < 0)
				goto out;
			f.v[f.nv].discr = d;
			f.v[f.nv].line = ln;
			f.v[f.nv].name = strdup(name);
			f.v[f.nv].file = strdup(used ? sp + 1 + used : "");
			if (!f.v[f.nv].name || !f.v[f.nv].file) {
				f.nv++;
				goto out;
			}
			f.nv++;
		}
	}
	if (!f.kind || !f.name || !f.type) {
		if (!f.kind || !f.name)
			goto out;
		f.type = strdup(f.name);
		if (!f.type)
			goto out;
	}
	if (GROW(t->fd, t->nfd, t->capfd) < 0)
		goto out;
	t->fd[t->nfd++] = f;
	free(text);
	return 0;
out:
	for (unsigned k = 0; k < f.nv; k++) {
		free(f.v[k].name);
		free(f.v[k].file);
	}
	free(f.v);
	free(f.kind);
	free(f.name);
	free(f.type);
	free(text);
	return rc;
}

static int find_task(struct tasks *t, uint64_t addr, uint64_t key, bool create)
{
	for (size_t i = t->nt; i-- > 0;)
		if (t->t[i].addr == addr && t->t[i].key == key)
			return (int)i;
	if (!create || GROW(t->t, t->nt, t->capt) < 0)
		return -1;
	struct task *k = &t->t[t->nt];
	memset(k, 0, sizeof(*k));
	k->addr = addr;
	k->key = key;
	k->final_state = TEV_STATE_NONE;
	k->on_hart = -1;
	if (GROW(k->nodes, k->nn, k->capn) < 0)
		return -1;
	k->nodes[k->nn++] = (struct node){-1, key, 0};
	return (int)t->nt++;
}

/* A task announced by TEV_TASK (the runtime's task, keyed by the task-run function) and not
 * polled yet takes the future of its first poll: one task, not two. -1 if none. */
static int adopt_announced(struct tasks *t, uint64_t addr, uint64_t key)
{
	for (size_t i = t->nt; i-- > 0;) {
		struct task *k = &t->t[i];
		if (k->addr == addr && k->announced && !k->polls && k->nodes[0].polls == 0) {
			k->key = key;
			k->nodes[0].key = key;
			k->announced = false;
			return (int)i;
		}
	}
	return -1;
}

static int child_node(struct task *k, int parent, uint64_t key)
{
	for (size_t i = 0; i < k->nn; i++)
		if (k->nodes[i].parent == parent && k->nodes[i].key == key)
			return (int)i;
	if (GROW(k->nodes, k->nn, k->capn) < 0)
		return -1;
	k->nodes[k->nn] = (struct node){parent, key, 0};
	return (int)k->nn++;
}

static unsigned bucket(uint64_t v)
{
	unsigned b = 0;

	while (v > 1 && b < NBUCKETS - 1) {
		v >>= 1;
		b++;
	}
	return b;
}

static int note_wait(struct tasks *t, struct task *k, uint64_t now)
{
	struct apoint *p = NULL;
	uint64_t d = now - k->wait_since;

	for (size_t i = 0; i < t->nap; i++)
		if (t->ap[i].key == k->key && t->ap[i].state == k->wait_state)
			p = &t->ap[i];
	if (!p) {
		if (GROW(t->ap, t->nap, t->capap) < 0)
			return -ENOMEM;
		p = &t->ap[t->nap++];
		memset(p, 0, sizeof(*p));
		p->key = k->key;
		p->state = k->wait_state;
		p->min = UINT64_MAX;
	}
	p->n++;
	p->sum += d;
	p->min = d < p->min ? d : p->min;
	p->max = d > p->max ? d : p->max;
	p->hist[bucket(d)]++;
	k->waiting = false;
	return 0;
}

static int on_poll(struct tasks *t, struct hst *h, const struct tev *ev)
{
	if (ev->size == 0) {
		int id = find_task(t, ev->task, ev->pc, false);
		struct task *k;

		if (id < 0)
			id = adopt_announced(t, ev->task, ev->pc);
		if (id < 0)
			id = find_task(t, ev->task, ev->pc, true);
		if (id < 0)
			return -ENOMEM;
		k = &t->t[id];
		h->cur = id;
		h->start_insn = ev->instret;
		h->start_time = ev->time;
		h->before = ev->value;
		h->path[0] = 0;
		k->nodes[0].polls++;
		/* traces before TEV_POLL_WAKER (and native ones) wrote 0 for unknown */
		if (ev->waker || (ev->kind & TEV_POLL_WAKER)) {
			k->waker = ev->waker;
			k->waker_known = true;
		}
		if (!k->polls)
			k->first = ev->time;
		k->last = ev->time;
		k->on_hart = ev->hart;
		if (k->waiting && note_wait(t, k, ev->time) < 0)
			return -ENOMEM;
		return 0;
	}
	if (h->cur < 0 || ev->size >= MAX_DEPTH)
		return 0;
	struct task *k = &t->t[h->cur];
	int n = child_node(k, h->path[ev->size - 1], ev->pc);
	if (n < 0)
		return -ENOMEM;
	k->nodes[n].polls++;
	h->path[ev->size] = n;
	return 0;
}

static int on_poll_end(struct tasks *t, struct hst *h, const struct tev *ev)
{
	struct task *k;
	unsigned res = ev->kind & 3; /* enum tev_poll_result */

	if (ev->size != 0 || h->cur < 0)
		return 0;
	k = &t->t[h->cur];
	int id = h->cur;
	h->cur = -1;
	k->on_hart = -1;
	k->nnow = 0;
	/* the await chain: each link is one poll of a nested future, under its parent */
	if (ev->kind & TEV_POLL_CHAIN) {
		int node_of[MAX_DEPTH * 4];
		struct tev_link l;
		size_t off = 0;
		unsigned n = 0;
		int rc;

		while ((rc = tev_link_next(ev, &off, &l)) == 1 && n < MAX_DEPTH * 4) {
			int parent = l.parent && l.parent <= n ? node_of[l.parent - 1] : 0;
			int node = child_node(k, parent, l.key);
			if (node < 0)
				return -ENOMEM;
			k->nodes[node].polls++;
			node_of[n++] = node;
			if (k->nnow < NOW_LINKS && l.result != TEV_READY)
				k->now[k->nnow++] = (struct nowlink){node, l.after, l.result};
		}
		if (rc < 0)
			return rc;
	}
	t->polls++;
	k->polls++;
	if (res == TEV_PENDING)
		k->pending++;
	else if (res == TEV_READY)
		k->ready++;
	else
		k->unknown++;
	k->busy_insns += ev->instret - h->start_insn;
	k->busy_time += ev->time - h->start_time;
	k->final_state = ev->value;
	if (GROW(k->tr, k->ntr, k->captr) < 0)
		return -ENOMEM;
	k->tr[k->ntr++] = (struct trans){h->before, ev->value, (uint8_t)res};
	if (res == TEV_PENDING) {
		k->waiting = true;
		k->wait_state = ev->value;
		k->wait_since = ev->time;
	}
	k->done = res == TEV_READY;
	k->last_end = ev->time;
	if (t->lis && t->lis->poll) {
		struct tasks_poll p = {id,	    ev->hart,	 h->start_time, ev->time,
				       ev->instret - h->start_insn, h->before, ev->value, res};
		t->lis->poll(t->lis_arg, &p);
	}
	return 0;
}

static int on_wake(struct tasks *t, const struct tev *ev)
{
	int to = tasks_by_waker(t, ev->addr);
	char from[64], cb[32];

	if (ev->kind == TEV_WAKE_CLONE || ev->kind == TEV_WAKE_DROP) {
		if (to >= 0)
			(*(ev->kind == TEV_WAKE_CLONE ? &t->t[to].clones : &t->t[to].drops))++;
		return 0;
	}
	t->wakes++;
	if (ev->size && (ev->cause >> 63))
		snprintf(from, sizeof(from), "irq %s (%s)", ana_cause_name(ev->cause, cb, sizeof(cb)),
			 ana_level_name(ev->priv));
	else if (ev->task && tasks_by_addr(t, ev->task) >= 0)
		snprintf(from, sizeof(from), "task %d", tasks_by_addr(t, ev->task));
	else if (ev->size)
		snprintf(from, sizeof(from), "trap %s (%s)", ana_cause_name(ev->cause, cb, sizeof(cb)),
			 ana_level_name(ev->priv));
	else
		snprintf(from, sizeof(from), "no task (%s)", ana_level_name(ev->priv));
	if (to >= 0)
		t->t[to].wakes++;
	if (t->lis && t->lis->wake) {
		struct tasks_wake w = {to, ev->hart, ev->priv, ev->time, from};
		t->lis->wake(t->lis_arg, &w);
	}
	for (size_t i = 0; i < t->ne; i++)
		if (t->e[i].to == to && !strcmp(t->e[i].from, from)) {
			t->e[i].count++;
			return 0;
		}
	if (GROW(t->e, t->ne, t->cape) < 0)
		return -ENOMEM;
	struct edge *e = &t->e[t->ne++];
	memset(e, 0, sizeof(*e));
	strcpy(e->from, from);
	e->to = to;
	e->count = 1;
	return 0;
}

/* ---- time order for native traces ---- */

struct sev {
	struct tev ev;
	uint64_t seq;
};

struct tasks_sorter {
	struct sev *v;
	size_t n, cap;
};

struct tasks_sorter *tasks_sorter_new(void)
{
	return calloc(1, sizeof(struct tasks_sorter));
}

void tasks_sorter_free(struct tasks_sorter *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free((void *)s->v[i].ev.data);
	free(s->v);
	free(s);
}

int tasks_sorter_add(struct tasks_sorter *s, const struct tev *ev)
{
	if (ev->type < TEV_POLL || ev->type > TEV_FUTURE || ev->type == TEV_EXT)
		return 0;
	if (GROW(s->v, s->n, s->cap) < 0)
		return -ENOMEM;
	struct sev *e = &s->v[s->n];
	e->ev = *ev;
	e->ev.data = NULL;
	if (ev->data && ev->len) { /* the decoder's buffer is reused */
		uint8_t *d = malloc(ev->len);
		if (!d)
			return -ENOMEM;
		memcpy(d, ev->data, ev->len);
		e->ev.data = d;
	}
	e->seq = s->n++;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct sev *x = a, *y = b;

	if (x->ev.time != y->ev.time)
		return x->ev.time < y->ev.time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int tasks_sorter_feed(struct tasks_sorter *s, struct tasks *t)
{
	int rc = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), by_time);
	for (size_t i = 0; i < s->n && !rc; i++)
		rc = tasks_feed(t, &s->v[i].ev);
	return rc;
}

/* ---- queries (the console and `strata view`) ---- */

void tasks_set_listener(struct tasks *t, const struct tasks_listener *l, void *arg)
{
	t->lis = l;
	t->lis_arg = arg;
}

int tasks_info(const struct tasks *t, int id, struct tasks_info *o)
{
	if (id < 0 || (size_t)id >= t->nt)
		return -ENOENT;
	const struct task *k = &t->t[id];
	*o = (struct tasks_info){
	    .addr = k->addr,
	    .key = k->key,
	    .polls = k->polls,
	    .pending = k->pending,
	    .ready = k->ready,
	    .unknown = k->unknown,
	    .clones = k->clones,
	    .drops = k->drops,
	    .wakes = k->wakes,
	    .busy_insns = k->busy_insns,
	    .busy_time = k->busy_time,
	    .first = k->first,
	    .last = k->last,
	    .last_end = k->last_end,
	    .state = k->final_state,
	    .running_on = k->on_hart,
	    .done = k->done,
	    .waiting = k->waiting,
	};
	return 0;
}

int tasks_tree_node(const struct tasks *t, int id, size_t i, int *parent, uint64_t *key,
		    uint64_t *polls)
{
	if (id < 0 || (size_t)id >= t->nt || i >= t->t[id].nn)
		return -ENOENT;
	*parent = t->t[id].nodes[i].parent;
	*key = t->t[id].nodes[i].key;
	*polls = t->t[id].nodes[i].polls;
	return 0;
}

int tasks_now_link(const struct tasks *t, int id, unsigned i, int *node, uint64_t *state,
		   unsigned *result)
{
	if (id < 0 || (size_t)id >= t->nt || i >= t->t[id].nnow)
		return -ENOENT;
	*node = t->t[id].now[i].node;
	*state = t->t[id].now[i].state;
	*result = t->t[id].now[i].result;
	return 0;
}

int tasks_edge(const struct tasks *t, size_t i, const char **from, int *to, uint64_t *count)
{
	if (i >= t->ne)
		return -ENOENT;
	*from = t->e[i].from;
	*to = t->e[i].to;
	*count = t->e[i].count;
	return 0;
}

int tasks_apoint(const struct tasks *t, size_t i, struct tasks_apoint *o)
{
	if (i >= t->nap)
		return -ENOENT;
	const struct apoint *p = &t->ap[i];
	*o = (struct tasks_apoint){p->key, p->state, p->n, p->sum, p->min, p->max, p->hist,
				   NBUCKETS};
	return 0;
}

static int feed_one(struct tasks *t, struct hst *h, const struct tev *ev)
{
	switch (ev->type) {
	case TEV_FUTURE:
		return parse_future(t, ev);
	case TEV_TASK: {
		size_t n = t->nt;
		int id = find_task(t, ev->addr, ev->pc, true);
		if (id < 0)
			return -ENOMEM;
		if (t->nt > n)
			t->t[id].announced = true;
		return 0;
	}
	case TEV_POLL:
		return on_poll(t, h, ev);
	case TEV_POLL_END:
		return on_poll_end(t, h, ev);
	case TEV_WAKE:
		return on_wake(t, ev);
	}
	return 0;
}

int tasks_feed(struct tasks *t, const struct tev *ev)
{
	struct hst *h;

	if (ev->type < TEV_POLL || ev->type > TEV_FUTURE || ev->type == TEV_EXT)
		return 0;
	t->events++;
	h = t->h[ev->hart];
	if (!h) {
		h = t->h[ev->hart] = calloc(1, sizeof(*h));
		if (!h)
			return -ENOMEM;
		h->cur = -1;
	}
	int rc = feed_one(t, h, ev);
	return rc < 0 ? rc : tchk_feed(t->chk, t, ev); /* after: it asks t for task ids */
}

/* ---- output ---- */

static const char *state_str(const struct tasks *t, uint64_t key, uint64_t s, char *buf, size_t n)
{
	const char *name = tasks_state_name(t, key, s);

	if (name)
		return name;
	if (s == TEV_STATE_NONE)
		return "-";
	snprintf(buf, n, "%" PRIu64, s);
	return buf;
}

static const char *fname(const struct tasks *t, uint64_t key, char *buf, size_t n)
{
	const char *s = tasks_future_name(t, key);

	if (s)
		return s;
	snprintf(buf, n, "0x%" PRIx64, key);
	return buf;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void print_tree_text(const struct tasks *t, const struct task *k, int node, unsigned depth,
			    FILE *f)
{
	char b[32];

	fprintf(f, "    %*s%s  %" PRIu64 " poll%s\n", 2 * depth, "",
		fname(t, k->nodes[node].key, b, sizeof(b)), k->nodes[node].polls,
		k->nodes[node].polls == 1 ? "" : "s");
	for (size_t i = 0; i < k->nn; i++)
		if (k->nodes[i].parent == node)
			print_tree_text(t, k, (int)i, depth + 1, f);
}

static void print_tree_json(const struct tasks *t, const struct task *k, int node, FILE *f)
{
	char b[32];
	bool first = true;

	fprintf(f, "{\"future\": ");
	json_str(f, fname(t, k->nodes[node].key, b, sizeof(b)));
	fprintf(f, ", \"type\": ");
	json_str(f, tasks_future_type(t, k->nodes[node].key) ? tasks_future_type(t, k->nodes[node].key)
							     : "?");
	fprintf(f, ", \"polls\": %" PRIu64 ", \"children\": [", k->nodes[node].polls);
	for (size_t i = 0; i < k->nn; i++)
		if (k->nodes[i].parent == node) {
			if (!first)
				fputs(", ", f);
			first = false;
			print_tree_json(t, k, (int)i, f);
		}
	fputs("]}", f);
}

static const char *const results[] = {"Ready", "Pending", "?"};

static void print_text(const struct tasks *t, FILE *f)
{
	char b1[32], b2[32], ap[256], cb[32];

	fprintf(f, "%zu tasks, %" PRIu64 " polls, %" PRIu64 " wakes\n\n", t->nt, t->polls, t->wakes);
	fprintf(f, "%4s %6s %7s %5s %11s %11s %11s  %-10s %s\n", "TASK", "POLLS", "PENDING",
		"READY", t->ns ? "BUSY_NS" : "BUSY_INSNS", "FIRST_POLL", "LAST_POLL", "FINAL",
		"FUTURE");
	for (size_t i = 0; i < t->nt; i++) {
		const struct task *k = &t->t[i];

		fprintf(f, "%4zu %6" PRIu64 " %7" PRIu64 " %5" PRIu64 " %11" PRIu64 " %11" PRIu64
			   " %11" PRIu64 "  %-10s %s\n",
			i, k->polls, k->pending, k->ready, k->busy_insns, k->first, k->last,
			state_str(t, k->key, k->final_state, b1, sizeof(b1)),
			fname(t, k->key, b2, sizeof(b2)));
	}
	for (size_t i = 0; i < t->nt; i++) {
		const struct task *k = &t->t[i];

		fprintf(f, "\ntask %zu: %s at 0x%" PRIx64 "\n", i, fname(t, k->key, b1, sizeof(b1)),
			k->addr);
		fprintf(f, "  polls:\n");
		for (size_t j = 0; j < k->ntr;) {
			size_t n = 1;
			while (j + n < k->ntr && k->tr[j + n].from == k->tr[j].from &&
			       k->tr[j + n].to == k->tr[j].to && k->tr[j + n].result == k->tr[j].result)
				n++;
			const char *p = tasks_await_point(t, k->key, k->tr[j].to, ap, sizeof(ap));
			fprintf(f, "    %s -> %s  %s", state_str(t, k->key, k->tr[j].from, b1, sizeof(b1)),
				state_str(t, k->key, k->tr[j].to, b2, sizeof(b2)),
				results[k->tr[j].result < 2 ? k->tr[j].result : 2]);
			if (p)
				fprintf(f, " at %s", p);
			if (n > 1)
				fprintf(f, "  x%zu", n);
			fputc('\n', f);
			j += n;
		}
		fprintf(f, "  await tree:\n");
		print_tree_text(t, k, 0, 0, f);
		fprintf(f, "  waker clones %" PRIu64 ", drops %" PRIu64 "\n", k->clones, k->drops);
	}
	fprintf(f, "\nwakes:\n");
	for (size_t i = 0; i < t->ne; i++) {
		if (t->e[i].to >= 0)
			snprintf(b1, sizeof(b1), "task %d", t->e[i].to);
		fprintf(f, "  %-24s -> %-8s  x%" PRIu64 "\n", t->e[i].from,
			t->e[i].to >= 0 ? b1 : "unknown", t->e[i].count);
	}
	fprintf(f, "\nawait points (%s from going Pending to the next poll):\n",
		t->ns ? "ns" : "instructions");
	for (size_t i = 0; i < t->nap; i++) {
		const struct apoint *p = &t->ap[i];
		const char *where = tasks_await_point(t, p->key, p->state, ap, sizeof(ap));

		fprintf(f, "  %s %s%s%s: n=%" PRIu64 " min=%" PRIu64 " avg=%" PRIu64 " max=%" PRIu64
			   "\n",
			fname(t, p->key, b1, sizeof(b1)),
			state_str(t, p->key, p->state, cb, sizeof(cb)), where ? " at " : "",
			where ? where : "", p->n, p->min, p->sum / p->n, p->max);
		for (unsigned b = 0; b < NBUCKETS; b++)
			if (p->hist[b])
				fprintf(f, "    [%" PRIu64 ", %" PRIu64 ") %" PRIu64 "\n",
					b ? (uint64_t)1 << b : 0, (uint64_t)2 << b, p->hist[b]);
	}
	tchk_print_text(t->chk, t, f);
}

static void print_json(const struct tasks *t, FILE *f, bool runs)
{
	char b1[32], ap[256];

	fprintf(f, "{\"unit\": \"%s\",\n \"tasks\": [", t->ns ? "ns" : "instructions");
	for (size_t i = 0; i < t->nt; i++) {
		const struct task *k = &t->t[i];

		fprintf(f, "%s\n  {\"id\": %zu, \"addr\": %" PRIu64 ", \"future\": ", i ? "," : "", i,
			k->addr);
		json_str(f, fname(t, k->key, b1, sizeof(b1)));
		fprintf(f, ", \"type\": ");
		json_str(f, tasks_future_type(t, k->key) ? tasks_future_type(t, k->key) : "?");
		fprintf(f,
			", \"polls\": %" PRIu64 ", \"pending\": %" PRIu64 ", \"ready\": %" PRIu64
			", \"unknown\": %" PRIu64 ", \"busy_insns\": %" PRIu64 ", \"busy_time\": %" PRIu64
			", \"first_poll\": %" PRIu64 ", \"last_poll\": %" PRIu64
			", \"waker_clones\": %" PRIu64 ", \"waker_drops\": %" PRIu64 ", \"final_state\": ",
			k->polls, k->pending, k->ready, k->unknown, k->busy_insns, k->busy_time, k->first,
			k->last, k->clones, k->drops);
		json_str(f, state_str(t, k->key, k->final_state, b1, sizeof(b1)));
		fprintf(f, ", \"transitions\": [");
		for (size_t j = 0, n = 1; j < k->ntr; j += n) {
			const char *p = tasks_await_point(t, k->key, k->tr[j].to, ap, sizeof(ap));
			n = 1;
			while (runs && j + n < k->ntr && k->tr[j + n].from == k->tr[j].from &&
			       k->tr[j + n].to == k->tr[j].to && k->tr[j + n].result == k->tr[j].result)
				n++;
			fprintf(f, "%s{\"from\": ", j ? ", " : "");
			json_str(f, state_str(t, k->key, k->tr[j].from, b1, sizeof(b1)));
			fprintf(f, ", \"to\": ");
			json_str(f, state_str(t, k->key, k->tr[j].to, b1, sizeof(b1)));
			fprintf(f, ", \"result\": \"%s\", \"at\": ",
				results[k->tr[j].result < 2 ? k->tr[j].result : 2]);
			if (p)
				json_str(f, p);
			else
				fputs("null", f);
			if (runs)
				fprintf(f, ", \"count\": %zu", n);
			fputc('}', f);
		}
		fprintf(f, "], \"tree\": ");
		print_tree_json(t, k, 0, f);
		fputc('}', f);
	}
	fprintf(f, "],\n \"wakes\": [");
	for (size_t i = 0; i < t->ne; i++) {
		fprintf(f, "%s\n  {\"from\": ", i ? "," : "");
		json_str(f, t->e[i].from);
		fprintf(f, ", \"to\": %d, \"count\": %" PRIu64 "}", t->e[i].to, t->e[i].count);
	}
	fprintf(f, "],\n \"await_points\": [");
	for (size_t i = 0; i < t->nap; i++) {
		const struct apoint *p = &t->ap[i];
		const char *where = tasks_await_point(t, p->key, p->state, ap, sizeof(ap));

		fprintf(f, "%s\n  {\"future\": ", i ? "," : "");
		json_str(f, fname(t, p->key, b1, sizeof(b1)));
		fprintf(f, ", \"state\": ");
		json_str(f, state_str(t, p->key, p->state, b1, sizeof(b1)));
		fprintf(f, ", \"at\": ");
		if (where)
			json_str(f, where);
		else
			fputs("null", f);
		fprintf(f,
			", \"n\": %" PRIu64 ", \"min\": %" PRIu64 ", \"max\": %" PRIu64
			", \"sum\": %" PRIu64 ", \"histogram\": [",
			p->n, p->min, p->max, p->sum);
		bool first = true;
		for (unsigned b = 0; b < NBUCKETS; b++)
			if (p->hist[b]) {
				fprintf(f, "%s[%" PRIu64 ", %" PRIu64 "]", first ? "" : ", ",
					b ? (uint64_t)1 << b : 0, p->hist[b]);
				first = false;
			}
		fprintf(f, "]}");
	}
	fputc(']', f);
	tchk_print_json(t->chk, t, f);
	fprintf(f, "}\n");
}

int tasks_print_json_runs(const struct tasks *t, FILE *out)
{
	print_json(t, out, true);
	return ferror(out) ? -EIO : 0;
}

int tasks_print(const struct tasks *t, FILE *out, bool json)
{
	if (json)
		print_json(t, out, false);
	else
		print_text(t, out);
	return ferror(out) ? -EIO : 0;
}
