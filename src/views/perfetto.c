/* perfetto — a Perfetto protobuf trace (proto/strata_trace.proto, the subset of Perfetto's
 * trace.proto we emit), encoded by hand and streamed one TracePacket at a time (bounded memory).
 * One track per hart x privilege level (and U address space), grouped under a process per hart;
 * functions, trap handlers, SBI calls and syscalls are slices, traps and MMIO instants. Event
 * names are interned (InternedData.event_names + name_iid) so big traces stay small.
 * Async tasks (--trace=async) get a track each under an "async tasks" process: a slice per poll
 * named by its state transition ("Suspend0 -> Suspend1") with the nested polls inside it, and
 * a flow arrow from every wake (an instant on the waker's hart track) to the woken task's next
 * poll. */
#include "views/tasks.h"
#include "views/view.h"
#include "views/vmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Field numbers, as in Perfetto's protos. */
enum {
	TRACE_PACKET = 1,
	PKT_TIMESTAMP = 8,
	PKT_SEQ_ID = 10,
	PKT_TRACK_EVENT = 11,
	PKT_INTERNED_DATA = 12,
	PKT_SEQ_FLAGS = 13,
	PKT_TRACK_DESCRIPTOR = 60,
	TE_DEBUG_ANNOTATIONS = 4,
	TE_TYPE = 9,
	TE_NAME_IID = 10,
	TE_TRACK_UUID = 11,
	TE_FLOW_IDS = 47,	     /* repeated fixed64 */
	TE_TERMINATING_FLOW_IDS = 48, /* repeated fixed64 */
	TD_UUID = 1,
	TD_NAME = 2,
	TD_PROCESS = 3,
	TD_PARENT_UUID = 5,
	PD_PID = 1,
	PD_PROCESS_NAME = 6,
	DA_UINT_VALUE = 3,
	DA_STRING_VALUE = 6,
	DA_NAME = 10,
	ID_EVENT_NAMES = 2,
	EN_IID = 1,
	EN_NAME = 2,
};
enum { TYPE_SLICE_BEGIN = 1, TYPE_SLICE_END = 2, TYPE_INSTANT = 3 };
enum { SEQ_INCREMENTAL_STATE_CLEARED = 1, SEQ_NEEDS_INCREMENTAL_STATE = 2 };
#define SEQ_ID 1

/* A protobuf message being built; nested messages are length-prefixed when they end. */
struct pb {
	uint8_t *b;
	size_t n, cap;
	size_t open[8];
	unsigned depth;
	bool oom;
};

static void pb_room(struct pb *p, size_t more)
{
	if (p->n + more <= p->cap)
		return;
	size_t cap = 2 * (p->n + more) + 256;
	uint8_t *b = realloc(p->b, cap);
	if (!b) {
		p->oom = true;
		return;
	}
	p->b = b;
	p->cap = cap;
}

static size_t varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	do {
		out[n++] = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v);
	return n;
}

static void pb_varint(struct pb *p, uint64_t v)
{
	pb_room(p, 10);
	if (!p->oom)
		p->n += varint(p->b + p->n, v);
}

static void pb_uint(struct pb *p, unsigned field, uint64_t v)
{
	pb_varint(p, (uint64_t)field << 3);
	pb_varint(p, v);
}

static void pb_bytes(struct pb *p, unsigned field, const void *s, size_t len)
{
	pb_varint(p, (uint64_t)field << 3 | 2);
	pb_varint(p, len);
	pb_room(p, len);
	if (!p->oom) {
		memcpy(p->b + p->n, s, len);
		p->n += len;
	}
}

static void pb_fixed64(struct pb *p, unsigned field, uint64_t v)
{
	pb_varint(p, (uint64_t)field << 3 | 1);
	pb_room(p, 8);
	if (!p->oom) {
		memcpy(p->b + p->n, &v, 8); /* little-endian host, as protobuf's fixed64 */
		p->n += 8;
	}
}

static void pb_str(struct pb *p, unsigned field, const char *s)
{
	pb_bytes(p, field, s, strlen(s));
}

static void pb_begin(struct pb *p, unsigned field)
{
	pb_varint(p, (uint64_t)field << 3 | 2);
	p->open[p->depth++] = p->n;
}

static void pb_end(struct pb *p)
{
	size_t start = p->open[--p->depth];
	uint8_t len[10];
	size_t k = varint(len, p->n - start);
	pb_room(p, k);
	if (p->oom)
		return;
	memmove(p->b + start + k, p->b + start, p->n - start);
	memcpy(p->b + start, len, k);
	p->n += k;
}

#define ASYNC_FLOWS 8	  /* wakes remembered per task until its next poll */
#define ASYNC_NESTED 64 /* nested polls kept for one task poll */

struct nested { /* a nested POLL or POLL_END, written inside its task's poll slice */
	uint64_t time, key, state;
	uint8_t type, depth, result;
};

struct apoll { /* the task poll running on a hart */
	bool on;
	int task;
	uint64_t start, before, key;
	struct nested n[ASYNC_NESTED];
	unsigned nn;
};

struct aflows {
	uint64_t id[ASYNC_FLOWS];
	unsigned n;
};

struct perfetto {
	FILE *out;
	struct pb pb;
	struct tasks *tasks;
	struct apoll ap[256];
	struct aflows *flows; /* per task id */
	unsigned nflows;
	uint64_t next_flow;
	bool async_process;
	struct vmap *tracks; /* (hart, priv, space) and processes already described */
	struct vmap *names;  /* event name -> iid */
	struct view_opts o;
	uint64_t next_iid;
	bool cleared; /* the first packet of the sequence has cleared the incremental state */
};

static void *perfetto_begin(FILE *out, const struct view_opts *o)
{
	struct perfetto *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->o = *o;
	p->tracks = vmap_new(1);
	p->names = vmap_new(sizeof(uint64_t));
	p->tasks = tasks_new();
	if (!p->tracks || !p->names || !p->tasks) {
		vmap_free(p->tracks);
		vmap_free(p->names);
		tasks_free(p->tasks);
		free(p);
		return NULL;
	}
	p->out = out;
	p->next_iid = 1;
	return p;
}

static int flush(struct perfetto *p)
{
	if (p->pb.oom)
		return -ENOMEM;
	if (fwrite(p->pb.b, 1, p->pb.n, p->out) != p->pb.n)
		return -EIO;
	p->pb.n = 0;
	return 0;
}

static uint64_t process_uuid(unsigned hart)
{
	return 0x1000 + hart;
}

static uint64_t track_uuid(const struct ana_ev *e)
{
	return ((uint64_t)(e->hart + 1) << 40) | ((uint64_t)e->priv << 32) | e->space;
}

/* Describe the event's track (and its hart's process) before its first event. */
static int describe(struct perfetto *p, const struct ana_ev *e)
{
	unsigned key[3] = {e->hart, e->priv, e->space};
	bool created;
	if (!vmap_get(p->tracks, key, sizeof(key), &created))
		return -ENOMEM;
	if (!created)
		return 0;
	unsigned pkey = e->hart;
	if (!vmap_get(p->tracks, &pkey, sizeof(pkey), &created))
		return -ENOMEM;
	char name[64];
	struct pb *b = &p->pb;
	if (created) {
		snprintf(name, sizeof(name), "hart%u", e->hart);
		pb_begin(b, TRACE_PACKET);
		pb_uint(b, PKT_SEQ_ID, SEQ_ID);
		pb_begin(b, PKT_TRACK_DESCRIPTOR);
		pb_uint(b, TD_UUID, process_uuid(e->hart));
		pb_str(b, TD_NAME, name);
		pb_begin(b, TD_PROCESS);
		pb_uint(b, PD_PID, e->hart + 1); /* pid 0 is the idle task in Perfetto */
		pb_str(b, PD_PROCESS_NAME, name);
		pb_end(b);
		pb_end(b);
		pb_end(b);
	}
	ana_track_name(e->hart, e->priv, e->space, e->satp, e->hgatp, ' ', name, sizeof(name));
	pb_begin(b, TRACE_PACKET);
	pb_uint(b, PKT_SEQ_ID, SEQ_ID);
	pb_begin(b, PKT_TRACK_DESCRIPTOR);
	pb_uint(b, TD_UUID, track_uuid(e));
	pb_uint(b, TD_PARENT_UUID, process_uuid(e->hart));
	pb_str(b, TD_NAME, name);
	pb_end(b);
	pb_end(b);
	return flush(p);
}

static void ann_str(struct pb *b, const char *name, const char *v)
{
	pb_begin(b, TE_DEBUG_ANNOTATIONS);
	pb_str(b, DA_NAME, name);
	pb_str(b, DA_STRING_VALUE, v);
	pb_end(b);
}

static void ann_uint(struct pb *b, const char *name, uint64_t v)
{
	pb_begin(b, TE_DEBUG_ANNOTATIONS);
	pb_str(b, DA_NAME, name);
	pb_uint(b, DA_UINT_VALUE, v);
	pb_end(b);
}

static void ann_hex(struct pb *b, const char *name, uint64_t v)
{
	char s[24];
	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	ann_str(b, name, s);
}

/* Open a TracePacket holding a TrackEvent of type on a track at time; name interned. */
static int event_begin_on(struct perfetto *p, uint64_t time, uint64_t track, unsigned type,
			  const char *name)
{
	struct pb *b = &p->pb;
	uint64_t iid = 0;
	bool created = false;
	if (name) {
		uint64_t *slot = vmap_get(p->names, name, strlen(name), &created);
		if (!slot)
			return -ENOMEM;
		if (created)
			*slot = p->next_iid++;
		iid = *slot;
	}
	pb_begin(b, TRACE_PACKET);
	pb_uint(b, PKT_TIMESTAMP, time);
	pb_uint(b, PKT_SEQ_ID, SEQ_ID);
	pb_uint(b, PKT_SEQ_FLAGS,
		p->cleared ? SEQ_NEEDS_INCREMENTAL_STATE
			   : SEQ_INCREMENTAL_STATE_CLEARED | SEQ_NEEDS_INCREMENTAL_STATE);
	p->cleared = true;
	if (created) {
		pb_begin(b, PKT_INTERNED_DATA);
		pb_begin(b, ID_EVENT_NAMES);
		pb_uint(b, EN_IID, iid);
		pb_str(b, EN_NAME, name);
		pb_end(b);
		pb_end(b);
	}
	pb_begin(b, PKT_TRACK_EVENT);
	pb_uint(b, TE_TYPE, type);
	pb_uint(b, TE_TRACK_UUID, track);
	if (name)
		pb_uint(b, TE_NAME_IID, iid);
	return 0;
}

/* Open a TracePacket holding a TrackEvent of type on e's track; name interned (NULL: none). */
static int event_begin(struct perfetto *p, const struct ana_ev *e, unsigned type, const char *name)
{
	return event_begin_on(p, e->time, track_uuid(e), type, name);
}

static int event_end(struct perfetto *p)
{
	pb_end(&p->pb);
	pb_end(&p->pb);
	return flush(p);
}

/* ---- async tasks ---- */

#define ASYNC_PROCESS_UUID 0x2000
#define ASYNC_PID	   0x7ffe

static uint64_t task_track(int task)
{
	return 0x3000000000000000ull | (uint64_t)task;
}

static int describe_task(struct perfetto *p, int task)
{
	struct pb *b = &p->pb;
	char name[256];
	const char *fn;

	if (!p->async_process) {
		p->async_process = true;
		pb_begin(b, TRACE_PACKET);
		pb_uint(b, PKT_SEQ_ID, SEQ_ID);
		pb_begin(b, PKT_TRACK_DESCRIPTOR);
		pb_uint(b, TD_UUID, ASYNC_PROCESS_UUID);
		pb_str(b, TD_NAME, "async tasks");
		pb_begin(b, TD_PROCESS);
		pb_uint(b, PD_PID, ASYNC_PID);
		pb_str(b, PD_PROCESS_NAME, "async tasks");
		pb_end(b);
		pb_end(b);
		pb_end(b);
	}
	/* TASK follows its future's description: the track is named after it */
	fn = tasks_future_name(p->tasks, tasks_task_key(p->tasks, task));
	snprintf(name, sizeof(name), "task %d: %s", task, fn ? fn : "?");
	pb_begin(b, TRACE_PACKET);
	pb_uint(b, PKT_SEQ_ID, SEQ_ID);
	pb_begin(b, PKT_TRACK_DESCRIPTOR);
	pb_uint(b, TD_UUID, task_track(task));
	pb_uint(b, TD_PARENT_UUID, ASYNC_PROCESS_UUID);
	pb_str(b, TD_NAME, name);
	pb_end(b);
	pb_end(b);
	return flush(p);
}

static const char *state_or(const struct perfetto *p, uint64_t key, uint64_t st, char *buf,
			    size_t n)
{
	const char *s = tasks_state_name(p->tasks, key, st);

	if (s)
		return s;
	snprintf(buf, n, st == TEV_STATE_NONE ? "poll" : "state %" PRIu64, st);
	return buf;
}

static const char *const results[] = {"Ready", "Pending", "?"};

static int nested_slice(struct perfetto *p, uint64_t time, uint64_t track, unsigned type,
			const struct tev_link *l)
{
	char s1[32];
	int rc;

	if (type == TYPE_SLICE_BEGIN) {
		const char *nf = tasks_future_name(p->tasks, l->key);
		if ((rc = event_begin_on(p, time, track, type, nf ? nf : "?")))
			return rc;
		ann_str(&p->pb, "from", state_or(p, l->key, l->before, s1, sizeof(s1)));
		ann_hex(&p->pb, "future_addr", l->addr);
	} else {
		if ((rc = event_begin_on(p, time, track, type, NULL)))
			return rc;
		ann_str(&p->pb, "to", state_or(p, l->key, l->after, s1, sizeof(s1)));
		ann_str(&p->pb, "result", results[l->result < 2 ? l->result : 2]);
	}
	return event_end(p);
}

/* A task poll's await chain (TEV_POLL_CHAIN) as slices inside the poll's: the futures polled
 * from its start span it, those created during it are instants at its end. */
static int write_chain(struct perfetto *p, const struct apoll *a, const struct tev *ev,
		       uint64_t track)
{
	struct tev_link l, early[ASYNC_NESTED];
	unsigned ne = 0;
	size_t off = 0;
	int rc;

	while ((rc = tev_link_next(ev, &off, &l)) == 1) {
		if (!l.late && ne < ASYNC_NESTED) {
			early[ne++] = l;
			if ((rc = nested_slice(p, a->start, track, TYPE_SLICE_BEGIN, &l)))
				return rc;
		}
	}
	if (rc < 0)
		return rc;
	off = 0;
	while (tev_link_next(ev, &off, &l) == 1)
		if (l.late && ((rc = nested_slice(p, ev->time, track, TYPE_SLICE_BEGIN, &l)) ||
			       (rc = nested_slice(p, ev->time, track, TYPE_SLICE_END, &l))))
			return rc;
	while (ne)
		if ((rc = nested_slice(p, ev->time, track, TYPE_SLICE_END, &early[--ne])))
			return rc;
	return 0;
}

/* The whole task poll, written when it ends: its slice, the nested polls inside, the flows. */
static int write_task_poll(struct perfetto *p, struct apoll *a, const struct tev *ev)
{
	struct pb *b = &p->pb;
	char name[320], s1[32], s2[32], ap[160];
	const char *fn = tasks_future_name(p->tasks, a->key);
	uint64_t track = task_track(a->task);
	int rc;

	/* "Suspend0 -> Suspend1 (demo.rs:42)": the transition and the await point reached */
	if (tasks_await_point(p->tasks, a->key, ev->value, ap, sizeof(ap)))
		snprintf(name, sizeof(name), "%s -> %s (%s)",
			 state_or(p, a->key, a->before, s1, sizeof(s1)),
			 state_or(p, a->key, ev->value, s2, sizeof(s2)), ap);
	else
		snprintf(name, sizeof(name), "%s -> %s", state_or(p, a->key, a->before, s1, sizeof(s1)),
			 state_or(p, a->key, ev->value, s2, sizeof(s2)));
	if ((rc = event_begin_on(p, a->start, track, TYPE_SLICE_BEGIN, name)))
		return rc;
	if ((unsigned)a->task < p->nflows) {
		struct aflows *f = &p->flows[a->task];
		for (unsigned i = 0; i < f->n; i++)
			pb_fixed64(b, TE_TERMINATING_FLOW_IDS, f->id[i]);
		f->n = 0;
	}
	ann_str(b, "future", fn ? fn : "?");
	ann_str(b, "result", results[(ev->kind & 3) < 2 ? ev->kind & 3 : 2]);
	if (tasks_await_point(p->tasks, a->key, ev->value, ap, sizeof(ap)))
		ann_str(b, "await_point", ap);
	ann_hex(b, "future_addr", ev->addr);
	if ((rc = event_end(p)))
		return rc;
	for (unsigned i = 0; i < a->nn; i++) {
		const struct nested *n = &a->n[i];
		const char *nf = tasks_future_name(p->tasks, n->key);

		if (n->type == TEV_POLL) {
			if ((rc = event_begin_on(p, n->time, track, TYPE_SLICE_BEGIN, nf ? nf : "?")))
				return rc;
			ann_str(b, "from", state_or(p, n->key, n->state, s1, sizeof(s1)));
		} else {
			if ((rc = event_begin_on(p, n->time, track, TYPE_SLICE_END, NULL)))
				return rc;
			ann_str(b, "to", state_or(p, n->key, n->state, s1, sizeof(s1)));
			ann_str(b, "result", results[n->result < 2 ? n->result : 2]);
		}
		if ((rc = event_end(p)))
			return rc;
	}
	if ((rc = write_chain(p, a, ev, track)))
		return rc;
	if ((rc = event_begin_on(p, ev->time, track, TYPE_SLICE_END, NULL)))
		return rc;
	return event_end(p);
}

static int async_event(struct perfetto *p, const struct ana_ev *e)
{
	const struct tev *ev = e->ev;
	struct apoll *a = &p->ap[ev->hart];
	unsigned before = tasks_count(p->tasks);
	int rc = tasks_feed(p->tasks, ev);

	if (rc)
		return rc;
	for (unsigned t = before; t < tasks_count(p->tasks); t++)
		if ((rc = describe_task(p, (int)t)))
			return rc;
	switch (ev->type) {
	case TEV_POLL:
		if (ev->size == 0) {
			a->on = true;
			a->task = tasks_by_addr(p->tasks, ev->addr);
			a->start = ev->time;
			a->before = ev->value;
			a->key = ev->pc;
			a->nn = 0;
			return 0;
		}
		__attribute__((fallthrough));
	case TEV_POLL_END:
		if (!a->on)
			return 0;
		if (ev->size) {
			if (a->nn < ASYNC_NESTED)
				a->n[a->nn++] = (struct nested){ev->time, ev->pc, ev->value, ev->type,
								ev->size, (uint8_t)(ev->kind & 3)};
			return 0;
		}
		a->on = false;
		return a->task >= 0 ? write_task_poll(p, a, ev) : 0;
	case TEV_WAKE: {
		int to = tasks_by_waker(p->tasks, ev->addr);
		char name[48];

		if (ev->kind != TEV_WAKE_WAKE && ev->kind != TEV_WAKE_BY_REF)
			return 0;
		if (to >= 0 && (unsigned)to >= p->nflows) {
			struct aflows *f = realloc(p->flows, (size_t)(to + 16) * sizeof(*f));
			if (!f)
				return -ENOMEM;
			memset(f + p->nflows, 0, (to + 16 - p->nflows) * sizeof(*f));
			p->flows = f;
			p->nflows = (unsigned)to + 16;
		}
		snprintf(name, sizeof(name), to >= 0 ? "wake task %d" : "wake", to);
		if ((rc = event_begin(p, e, TYPE_INSTANT, name)))
			return rc;
		if (to >= 0 && p->flows[to].n < ASYNC_FLOWS) {
			uint64_t id = ++p->next_flow;
			pb_fixed64(&p->pb, TE_FLOW_IDS, id);
			p->flows[to].id[p->flows[to].n++] = id;
		}
		ann_hex(&p->pb, "waker_data", ev->addr);
		return event_end(p);
	}
	default:
		return 0;
	}
}

static int perfetto_event(void *v, const struct ana_ev *e)
{
	struct perfetto *p = v;
	struct pb *b = &p->pb;
	const struct tev *ev = e->ev;
	const char *line;
	if (e->kind == ANA_INSN || e->kind == ANA_MEM)
		return 0;
	int rc = describe(p, e);
	if (rc)
		return rc;
	switch (e->kind) {
	case ANA_ENTER:
		if ((rc = event_begin(p, e, TYPE_SLICE_BEGIN, e->name)))
			return rc;
		ann_hex(b, "addr", e->stack[e->depth - 1].addr);
		if ((line = view_srcline(&p->o, e->priv, e->stack[e->depth - 1].addr)))
			ann_str(b, "source", line);
		break;
	case ANA_EXIT:
		if ((rc = event_begin(p, e, TYPE_SLICE_END, NULL)))
			return rc;
		ann_uint(b, "self_insns", e->self_insns);
		ann_uint(b, "total_insns", e->total_insns);
		break;
	case ANA_TRAP:
		if ((rc = event_begin(p, e, TYPE_INSTANT, e->name)))
			return rc;
		ann_hex(b, "epc", ev->pc);
		ann_hex(b, "tval", ev->tval);
		ann_hex(b, "cause", ev->cause);
		break;
	case ANA_SBI_BEGIN:
	case ANA_SYS_BEGIN:
		if ((rc = event_begin(p, e, TYPE_SLICE_BEGIN, e->name)))
			return rc;
		ann_str(b, "call", e->text);
		ann_hex(b, e->kind == ANA_SBI_BEGIN ? "eid" : "nr", e->id);
		if (e->kind == ANA_SBI_BEGIN)
			ann_uint(b, "fid", e->fid);
		break;
	case ANA_SBI_END:
	case ANA_SYS_END:
		if ((rc = event_begin(p, e, TYPE_SLICE_END, NULL)))
			return rc;
		ann_str(b, "ret", e->text ? e->text : "(trace ended)");
		break;
	case ANA_MMIO:
		if ((rc = event_begin(p, e, TYPE_INSTANT, e->name ? e->name : "mmio")))
			return rc;
		ann_hex(b, "paddr", ev->paddr);
		ann_hex(b, "value", ev->value);
		ann_uint(b, "size", ev->size);
		ann_str(b, "kind", ev->kind == TEV_MEM_STORE ? "store" : "load");
		break;
	case ANA_MARK:
		if ((rc = event_begin(p, e, TYPE_INSTANT, "mark")))
			return rc;
		ann_str(b, "text", e->text);
		break;
	case ANA_ASYNC:
		return async_event(p, e);
	default:
		return 0;
	}
	return event_end(p);
}

static int perfetto_end(void *v, const struct ana_stats *st)
{
	struct perfetto *p = v;
	int rc = fflush(p->out) ? -EIO : 0;
	vmap_free(p->tracks);
	vmap_free(p->names);
	tasks_free(p->tasks);
	free(p->flows);
	free(p->pb.b);
	free(p);
	return rc;
}

const struct view_ops view_perfetto = {.name = "perfetto",
				       .binary = true,
				       .begin = perfetto_begin,
				       .event = perfetto_event,
				       .end = perfetto_end};
