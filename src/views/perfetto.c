/* perfetto — a Perfetto protobuf trace (proto/strata_trace.proto, the subset of Perfetto's
 * trace.proto we emit), encoded by hand and streamed one TracePacket at a time (bounded memory).
 * One track per hart x privilege level (and U address space), grouped under a process per hart;
 * functions, trap handlers, SBI calls and syscalls are slices, traps and MMIO instants. Event
 * names are interned (InternedData.event_names + name_iid) so big traces stay small. */
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

struct perfetto {
	FILE *out;
	struct pb pb;
	struct vmap *tracks; /* (hart, priv, space) and processes already described */
	struct vmap *names;  /* event name -> iid */
	uint64_t next_iid;
	bool cleared; /* the first packet of the sequence has cleared the incremental state */
};

static void *perfetto_begin(FILE *out, const struct view_opts *o)
{
	struct perfetto *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tracks = vmap_new(1);
	p->names = vmap_new(sizeof(uint64_t));
	if (!p->tracks || !p->names) {
		vmap_free(p->tracks);
		vmap_free(p->names);
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
	if (e->priv == 0 && e->space)
		snprintf(name, sizeof(name), "hart%u U satp=0x%" PRIx64, e->hart, e->satp);
	else
		snprintf(name, sizeof(name), "hart%u %c", e->hart, ana_priv_char(e->priv));
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

/* Open a TracePacket holding a TrackEvent of type on e's track; name interned (NULL: none). */
static int event_begin(struct perfetto *p, const struct ana_ev *e, unsigned type, const char *name)
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
	pb_uint(b, PKT_TIMESTAMP, e->time);
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
	pb_uint(b, TE_TRACK_UUID, track_uuid(e));
	if (name)
		pb_uint(b, TE_NAME_IID, iid);
	return 0;
}

static int event_end(struct perfetto *p)
{
	pb_end(&p->pb);
	pb_end(&p->pb);
	return flush(p);
}

static int perfetto_event(void *v, const struct ana_ev *e)
{
	struct perfetto *p = v;
	struct pb *b = &p->pb;
	const struct tev *ev = e->ev;
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
	free(p->pb.b);
	free(p);
	return rc;
}

const struct view_ops view_perfetto = {.name = "perfetto",
				       .binary = true,
				       .begin = perfetto_begin,
				       .event = perfetto_event,
				       .end = perfetto_end};
