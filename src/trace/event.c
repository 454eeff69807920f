/* event — the compact binary encoding of struct tev (docs/TRACE-FORMAT.md, "Events").
 *
 * An event is a head byte, an optional hart byte, then LEB128 varints. The head byte packs the
 * type (bits 0-3), the privilege (bits 4-5; 2 = a guest level follows in a byte), H (bit 6: a hart byte follows; absent = hart 0) and
 * T (bit 7: a time delta follows; absent = time advanced exactly as instret did, which is the
 * rule on one hart and within a hart's quantum on several). instret, time and pc are deltas
 * against the previous event of the stream, so a TEV_RUN on hart 0 is typically 3-4 bytes. */
#include "trace/event.h"

#include <errno.h>
#include <string.h>

#define HEAD_TYPE  0x0f
#define HEAD_PRIV  0x30
#define HEAD_HART  0x40
#define HEAD_TIME  0x80
#define CODE_LIMIT 4096u
#define CHAIN_LIMIT 65536u

/* ---- encoding ---- */

static uint8_t *put_u(uint8_t *b, uint64_t v)
{
	while (v >= 0x80) {
		*b++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*b++ = (uint8_t)v;
	return b;
}

/* Zigzag: small magnitudes of either sign become small unsigned numbers. */
static uint64_t zz(uint64_t v)
{
	return (v << 1) ^ (uint64_t)((int64_t)v >> 63);
}

static uint64_t unzz(uint64_t v)
{
	return (v >> 1) ^ (uint64_t) - (int64_t)(v & 1);
}

/* Signed quantities (sign-extended kernel addresses, deltas, a-registers) go through zigzag. */
static uint8_t *put_s(uint8_t *b, uint64_t v)
{
	return put_u(b, zz(v));
}

/* Interrupt causes have bit 63 set; rotating it to bit 0 keeps every cause in one byte. */
static uint64_t rotl1(uint64_t v)
{
	return v << 1 | v >> 63;
}

static uint64_t rotr1(uint64_t v)
{
	return v >> 1 | v << 63;
}

/* Code addresses: bit 0 of a RISC-V pc (and of any jump target) is always 0, so deltas between
 * them are stored halved; a run +0x40 bytes further on then fits in one byte. x86-64 code (the
 * eBPF back-end) is byte-granular: its streams set byte_pc and store deltas whole. The macro
 * reads the stream state `st` of tev_encode/tev_decode. */
static uint8_t *put_pcd_shift(uint8_t *b, uint64_t delta, unsigned shift)
{
	return put_s(b, (uint64_t)((int64_t)delta >> shift));
}
#define put_pcd(b, delta) put_pcd_shift(b, delta, st->byte_pc ? 0 : 1)

/* What every event type is, in one place: its name, and whether it carries a pc (delta-encoded
 * against the previous event's pc of the same hart). */
static const struct {
	const char *name;
	bool has_pc;
} type_desc[TEV_NTYPES] = {
    [TEV_RUN] = {"run", true},	  [TEV_CALL] = {"call", true},	[TEV_RET] = {"ret", true},
    [TEV_TAIL] = {"tail", true},  [TEV_TRAP] = {"trap", true},	[TEV_XRET] = {"xret", true},
    [TEV_MEM] = {"mem", false},	  [TEV_MMIO] = {"mmio", false}, [TEV_CODE] = {"code", false},
    [TEV_MARK] = {"mark", false}, [TEV_POLL] = {"poll", true},	[TEV_POLL_END] = {"polled", true},
    [TEV_WAKE] = {"wake", true},  [TEV_TASK] = {"task", true},	[TEV_FUTURE] = {"future", true},
};

static bool has_pc(unsigned type)
{
	return type < TEV_NTYPES && type_desc[type].has_pc;
}

size_t tev_encode(struct tev_enc *st, const struct tev *ev, uint8_t *buf)
{
	uint8_t *b = buf;
	uint64_t d_insn = ev->instret - st->last_instret;
	uint64_t d_time = ev->time - st->last_time;
	unsigned htype = ev->type >= TEV_EXT ? TEV_EXT : ev->type;
	/* a guest level does not fit the head's two bits: their unused value 2 says it follows */
	bool lvl_byte = ev->priv > 3;
	uint8_t head = (uint8_t)((htype & HEAD_TYPE) | (lvl_byte ? 2 : ev->priv & 3) << 4);

	if (ev->hart)
		head |= HEAD_HART;
	if (d_time != d_insn)
		head |= HEAD_TIME;
	*b++ = head;
	if (ev->hart)
		*b++ = ev->hart;
	if (htype == TEV_EXT)
		*b++ = ev->type;
	if (lvl_byte)
		*b++ = ev->priv;
	b = put_u(b, d_insn);
	if (d_time != d_insn)
		b = put_u(b, d_time);
	st->last_instret = ev->instret;
	st->last_time = ev->time;

	if (has_pc(ev->type)) {
		b = put_pcd(b, ev->pc - st->last_pc);
		st->last_pc = ev->pc;
	}

	switch (ev->type) {
	case TEV_CALL:
	case TEV_RET:
	case TEV_TAIL:
		b = put_pcd(b, ev->addr - ev->pc);
		b = put_s(b, ev->sp);
		break;
	case TEV_TRAP:
		b = put_pcd(b, ev->addr - ev->pc);
		*b++ = ev->new_priv;
		b = put_u(b, rotl1(ev->cause));
		b = put_s(b, ev->tval);
		b = put_u(b, ev->satp);
		b = put_u(b, ev->hgatp);
		b = put_u(b, ev->tval2);
		for (int i = 0; i < 8; i++)
			b = put_s(b, ev->a[i]);
		break;
	case TEV_XRET:
		b = put_pcd(b, ev->addr - ev->pc);
		*b++ = ev->new_priv;
		b = put_u(b, ev->satp);
		b = put_u(b, ev->hgatp);
		b = put_s(b, ev->a[0]);
		b = put_s(b, ev->a[1]);
		break;
	case TEV_MEM:
		*b++ = (uint8_t)(ev->size | ev->kind << 4);
		b = put_s(b, ev->addr);
		b = put_s(b, ev->paddr - ev->addr); /* 0 when identity-mapped */
		b = put_u(b, ev->value);
		break;
	case TEV_MMIO:
		*b++ = (uint8_t)(ev->size | ev->kind << 4);
		b = put_u(b, ev->paddr);
		b = put_u(b, ev->value);
		break;
	case TEV_POLL:
	case TEV_POLL_END:
		*b++ = ev->kind;
		*b++ = ev->size;
		/* nested futures live inside their task: both deltas are small */
		b = put_s(b, ev->task - st->last_task);
		b = put_s(b, ev->addr - ev->task);
		st->last_task = ev->task;
		b = put_u(b, ev->value + 1); /* TEV_STATE_NONE is one byte */
		if (ev->type == TEV_POLL)
			b = put_s(b, ev->waker);
		if (ev->type == TEV_POLL_END && (ev->kind & TEV_POLL_CHAIN)) {
			b = put_u(b, ev->len);
			if (ev->len)
				memcpy(b, ev->data, ev->len);
			b += ev->len;
		}
		break;
	case TEV_WAKE:
		*b++ = (uint8_t)(ev->kind | ev->size << 4);
		b = put_s(b, ev->addr - st->last_wdata); /* a waker is used several times in a row */
		st->last_wdata = ev->addr;
		b = put_s(b, ev->task - st->last_task);
		st->last_task = ev->task;
		if (ev->size)
			b = put_u(b, rotl1(ev->cause));
		break;
	case TEV_TASK:
		b = put_s(b, ev->addr);
		break;
	case TEV_CODE:
		b = put_s(b, ev->addr);
		b = put_s(b, ev->paddr - ev->addr);
		b = put_u(b, ev->satp);
		b = put_u(b, ev->hgatp);
		/* fall through: the payload follows */
		__attribute__((fallthrough));
	case TEV_FUTURE:
	case TEV_MARK:
		b = put_u(b, ev->len);
		if (ev->len)
			memcpy(b, ev->data, ev->len);
		b += ev->len;
		break;
	default:
		break;
	}
	return (size_t)(b - buf);
}

/* ---- decoding: every read is bounded by end; anything non-canonical is rejected ---- */

struct cur {
	const uint8_t *p, *end;
	int bad;
};

static uint8_t get_byte(struct cur *c)
{
	if (c->p >= c->end) {
		c->bad = 1;
		return 0;
	}
	return *c->p++;
}

static uint64_t get_u(struct cur *c)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 10; i++) {
		if (c->p >= c->end) {
			c->bad = 1; /* truncated */
			return 0;
		}
		uint8_t x = *c->p++;
		/* the 10th byte may only carry bit 63; a final 0 byte after others is overlong */
		if ((i == 9 && x > 1) || (i > 0 && x == 0)) {
			c->bad = 1;
			return 0;
		}
		v |= (uint64_t)(x & 0x7f) << (7 * i);
		if (!(x & 0x80))
			return v;
	}
	c->bad = 1;
	return 0;
}

static uint64_t get_s(struct cur *c)
{
	return unzz(get_u(c));
}

static uint64_t get_pcd_shift(struct cur *c, unsigned shift)
{
	return get_s(c) << shift;
}
#define get_pcd(c) get_pcd_shift(c, st->byte_pc ? 0 : 1)

/* A TRAP/XRET's new level: version 1 knew privileges 0-3 only. */
static uint8_t get_priv(struct cur *c, unsigned version)
{
	uint8_t x = get_byte(c);

	if (version < 2 ? x > 3 : !tev_level_ok(x))
		c->bad = 1;
	return x;
}

static void get_size_kind(struct cur *c, struct tev *ev)
{
	uint8_t x = get_byte(c);

	ev->size = x & 0x0f;
	ev->kind = x >> 4;
	if ((ev->size != 1 && ev->size != 2 && ev->size != 4 && ev->size != 8) ||
	    ev->kind > TEV_MEM_AMO)
		c->bad = 1;
}

static void get_payload(struct cur *c, struct tev *ev, uint64_t limit)
{
	uint64_t len = get_u(c);

	if (c->bad || len > limit || len > (uint64_t)(c->end - c->p)) {
		c->bad = 1;
		return;
	}
	ev->len = (uint32_t)len;
	ev->data = len ? c->p : NULL;
	c->p += len;
}

int tev_decode(struct tev_dec *st, const uint8_t **p, const uint8_t *end, struct tev *ev)
{
	struct cur c = {*p, end, 0};
	uint64_t d_insn, d_time;
	unsigned version = st->version ? st->version : TEV_VERSION;
	bool v2 = version >= 2;
	uint8_t head;

	if (c.p >= end)
		return 0;
	memset(ev, 0, sizeof(*ev));
	head = get_byte(&c);
	ev->type = head & HEAD_TYPE;
	ev->priv = (head & HEAD_PRIV) >> 4;
	if (ev->type < TEV_RUN)
		return -EINVAL;
	if (head & HEAD_HART)
		ev->hart = get_byte(&c);
	if (ev->type == TEV_EXT) {
		ev->type = get_byte(&c);
		if (ev->type < TEV_EXT + 1 || ev->type >= TEV_NTYPES)
			return -EINVAL;
	}
	if (v2 && ev->priv == 2) {
		ev->priv = get_byte(&c);
		if (!tev_level_virt(ev->priv) || !tev_level_ok(ev->priv))
			return -EINVAL; /* canonical: levels 0-3 live in the head */
	}
	d_insn = get_u(&c);
	d_time = (head & HEAD_TIME) ? get_u(&c) : d_insn;
	if (c.bad)
		return -EINVAL;
	ev->instret = st->last_instret + d_insn;
	ev->time = st->last_time + d_time;

	uint64_t pc = st->last_pc;
	if (has_pc(ev->type)) {
		pc += get_pcd(&c);
		ev->pc = pc;
	}

	switch (ev->type) {
	case TEV_CALL:
	case TEV_RET:
	case TEV_TAIL:
		ev->addr = ev->pc + get_pcd(&c);
		ev->sp = get_s(&c);
		break;
	case TEV_TRAP:
		ev->addr = ev->pc + get_pcd(&c);
		ev->new_priv = get_priv(&c, version);
		ev->cause = rotr1(get_u(&c));
		ev->tval = get_s(&c);
		ev->satp = get_u(&c);
		if (v2) {
			ev->hgatp = get_u(&c);
			ev->tval2 = get_u(&c);
		}
		for (int i = 0; i < 8; i++)
			ev->a[i] = get_s(&c);
		break;
	case TEV_XRET:
		ev->addr = ev->pc + get_pcd(&c);
		ev->new_priv = get_priv(&c, version);
		ev->satp = get_u(&c);
		if (v2)
			ev->hgatp = get_u(&c);
		ev->a[0] = get_s(&c);
		ev->a[1] = get_s(&c);
		break;
	case TEV_MEM:
		get_size_kind(&c, ev);
		ev->addr = get_s(&c);
		ev->paddr = ev->addr + get_s(&c);
		ev->value = get_u(&c);
		break;
	case TEV_MMIO:
		get_size_kind(&c, ev);
		ev->paddr = get_u(&c);
		ev->value = get_u(&c);
		break;
	case TEV_CODE:
		ev->addr = get_s(&c);
		ev->paddr = ev->addr + get_s(&c);
		ev->satp = get_u(&c);
		if (v2)
			ev->hgatp = get_u(&c);
		get_payload(&c, ev, CODE_LIMIT);
		break;
	case TEV_MARK:
		get_payload(&c, ev, UINT32_MAX);
		break;
	case TEV_POLL:
	case TEV_POLL_END:
		ev->kind = get_byte(&c);
		ev->size = get_byte(&c);
		ev->task = st->last_task + get_s(&c);
		ev->addr = ev->task + get_s(&c);
		ev->value = get_u(&c) - 1;
		if (ev->type == TEV_POLL)
			ev->waker = get_s(&c);
		if (ev->type == TEV_POLL_END && (ev->kind & TEV_POLL_CHAIN))
			get_payload(&c, ev, CHAIN_LIMIT);
		if ((ev->kind & ~(TEV_POLL_INLINED |
				  (ev->type == TEV_POLL_END ? TEV_POLL_CHAIN : TEV_POLL_WAKER))) >
		    (ev->type == TEV_POLL ? 0 : TEV_RESULT_UNKNOWN))
			c.bad = 1;
		break;
	case TEV_WAKE: {
		uint8_t x = get_byte(&c);

		ev->kind = x & 0x0f;
		ev->size = x >> 4;
		if (ev->kind > TEV_WAKE_DROP || ev->size > 1)
			c.bad = 1;
		ev->addr = st->last_wdata + get_s(&c);
		ev->task = st->last_task + get_s(&c);
		if (ev->size)
			ev->cause = rotr1(get_u(&c));
		break;
	}
	case TEV_TASK:
		ev->addr = get_s(&c);
		break;
	case TEV_FUTURE:
		get_payload(&c, ev, 1u << 20);
		break;
	}
	if (c.bad)
		return -EINVAL;
	/* commit the stream state only for a whole, valid event */
	st->last_instret = ev->instret;
	st->last_time = ev->time;
	st->last_pc = pc;
	if (ev->type == TEV_POLL || ev->type == TEV_POLL_END || ev->type == TEV_WAKE)
		st->last_task = ev->task;
	if (ev->type == TEV_WAKE)
		st->last_wdata = ev->addr;
	*p = c.p;
	return 1;
}

size_t tev_link_put(uint8_t *buf, uint64_t task, uint64_t key, const struct tev_link *l)
{
	uint8_t *b = buf;

	/* depth in the high nibble: 15 means it follows in a byte */
	*b++ = (uint8_t)((l->result & 3) | (l->inlined ? 4 : 0) | (l->late ? 8 : 0) |
			 (l->depth < 15 ? l->depth : 15) << 4);
	if (l->depth >= 15)
		*b++ = l->depth;
	b = put_u(b, l->parent);
	b = put_pcd_shift(b, l->key - key, 1); /* links come from the RISC-V emulator only */
	b = put_s(b, l->addr - task);
	b = put_u(b, l->before + 1);
	b = put_u(b, l->after + 1);
	return (size_t)(b - buf);
}

int tev_link_next(const struct tev *ev, size_t *off, struct tev_link *l)
{
	struct cur c;
	uint8_t f;

	if (!(ev->kind & TEV_POLL_CHAIN) || *off >= ev->len)
		return 0;
	c = (struct cur){ev->data + *off, ev->data + ev->len, 0};
	f = get_byte(&c);
	l->result = f & 3;
	l->inlined = f & 4;
	l->late = f & 8;
	l->depth = f >> 4 == 15 ? get_byte(&c) : f >> 4;
	l->parent = (unsigned)get_u(&c);
	l->key = ev->pc + get_pcd_shift(&c, 1);
	l->addr = ev->addr + get_s(&c);
	l->before = get_u(&c) - 1;
	l->after = get_u(&c) - 1;
	if (c.bad || l->result > TEV_RESULT_UNKNOWN || !l->depth)
		return -EINVAL;
	*off = (size_t)(c.p - ev->data);
	return 1;
}

const char *tev_type_name(unsigned type)
{
	return type < TEV_NTYPES && type_desc[type].name ? type_desc[type].name : "?";
}
