#include "trace/event.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine/test_util.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random value that is often small, often a sign-extended address, sometimes anything. */
static uint64_t rval(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd() % 100;
	case 1:
		return 0xffffffc000000000ull | (rnd() & 0xfffffffff);
	case 2:
		return 0x80000000ull + (rnd() & 0xffffff);
	default:
		return rnd();
	}
}

static uint8_t payload[5000];

/* A level that exists: U, S (HS), M, VU, VS */
static uint8_t rlevel(void)
{
	static const uint8_t lv[] = {0, 1, 3, 4, 5};

	return lv[rnd() % 5];
}

/* A random event of type t with only the fields event.h lists for t. */
static void random_event(unsigned t, struct tev *ev, uint64_t *instret, uint64_t *time)
{
	static const uint8_t sizes[] = {1, 2, 4, 8};

	memset(ev, 0, sizeof(*ev));
	ev->type = (uint8_t)t;
	ev->hart = rnd() % 3 ? 0 : (uint8_t)rnd();
	ev->priv = rlevel();
	*instret += rnd() % 8 ? rnd() % 300 : rnd();
	*time += rnd() % 2 ? 0 : rnd() % 1000;
	ev->instret = *instret;
	ev->time = (*time += ev->instret & 0xff);
	/* pc and jump targets are even (bit 0 of a RISC-V pc is always 0) */
	switch (t) {
	case TEV_RUN:
		ev->pc = rval();
		break;
	case TEV_CALL:
	case TEV_RET:
	case TEV_TAIL:
		ev->pc = rval();
		ev->addr = rval();
		ev->sp = rval();
		break;
	case TEV_TRAP:
		ev->pc = rval();
		ev->addr = rval();
		ev->new_priv = rlevel();
		ev->cause = rnd() % 2 ? (1ull << 63) | (rnd() % 16) : rnd() % 24;
		ev->tval = rval();
		ev->satp = rval();
		ev->hgatp = rnd() % 2 ? 0 : rval();
		ev->tval2 = rnd() % 2 ? 0 : rval() >> 2;
		for (int i = 0; i < 8; i++)
			ev->a[i] = rval();
		break;
	case TEV_XRET:
		ev->pc = rval();
		ev->addr = rval();
		ev->new_priv = rlevel();
		ev->satp = rval();
		ev->hgatp = rnd() % 2 ? 0 : rval();
		ev->a[0] = rval();
		ev->a[1] = rval();
		break;
	}
	ev->pc &= ~1ull;
	if (t <= TEV_XRET)
		ev->addr &= ~1ull;
	switch (t) {
	case TEV_MEM:
	case TEV_MMIO:
		if (t == TEV_MEM)
			ev->addr = rval();
		ev->paddr = rval();
		ev->size = sizes[rnd() % 4];
		ev->kind = (uint8_t)(rnd() % (t == TEV_MEM ? 3 : 2));
		ev->value = rval();
		break;
	case TEV_POLL:
	case TEV_POLL_END:
		ev->pc = rval() & ~1ull;
		ev->addr = rval();
		ev->task = rnd() % 2 ? ev->addr : rval();
		ev->value = rnd() % 4 ? rnd() % 8 : TEV_STATE_NONE;
		ev->waker = t == TEV_POLL && rnd() % 2 ? rval() : 0;
		ev->size = (uint8_t)(rnd() % 5);
		ev->kind = (uint8_t)((t == TEV_POLL_END ? rnd() % 3 : 0) |
				     (rnd() % 2 ? TEV_POLL_INLINED : 0));
		break;
	case TEV_WAKE:
		ev->pc = rval() & ~1ull;
		ev->addr = rval();
		ev->task = rnd() % 2 ? 0 : rval();
		ev->kind = (uint8_t)(rnd() % 4);
		ev->size = (uint8_t)(rnd() % 2);
		ev->cause = ev->size ? (1ull << 63) | (rnd() % 16) : 0;
		break;
	case TEV_TASK:
		ev->pc = rval() & ~1ull;
		ev->addr = rval();
		break;
	case TEV_CODE:
		ev->addr = rval() & ~0xfffull;
		ev->paddr = rval() & ~0xfffull;
		ev->satp = rval();
		ev->hgatp = rnd() % 2 ? 0 : rval();
		__attribute__((fallthrough));
	case TEV_FUTURE:
	case TEV_MARK:
		if (t == TEV_FUTURE)
			ev->pc = rval() & ~1ull;
		ev->len = (uint32_t)(rnd() % (t == TEV_CODE ? 4097 : 300));
		for (uint32_t i = 0; i < ev->len; i++)
			payload[i] = (uint8_t)rnd();
		ev->data = ev->len ? payload : NULL;
		break;
	}
}

static unsigned random_type(void)
{
	unsigned t = TEV_RUN + rnd() % (TEV_NTYPES - 1);

	return t == TEV_EXT ? TEV_RUN : t;
}

static int same(const struct tev *a, const struct tev *b)
{
	if (a->type != b->type || a->hart != b->hart || a->priv != b->priv ||
	    a->new_priv != b->new_priv || a->size != b->size || a->kind != b->kind ||
	    a->instret != b->instret || a->time != b->time || a->pc != b->pc ||
	    a->addr != b->addr || a->paddr != b->paddr || a->value != b->value ||
	    a->cause != b->cause || a->tval != b->tval || a->sp != b->sp || a->satp != b->satp ||
	    memcmp(a->a, b->a, sizeof(a->a)) || a->len != b->len || a->task != b->task ||
	    a->waker != b->waker || a->hgatp != b->hgatp || a->tval2 != b->tval2)
		return 0;
	return a->len == 0 || !memcmp(a->data, b->data, a->len);
}

/* Each type, many random events in one stream, decoded back field by field. */
static int roundtrip(void)
{
	static uint8_t buf[TEV_MAX_ENCODED + 5000];

	for (unsigned t = TEV_RUN; t < TEV_NTYPES; t++) {
		if (t == TEV_EXT)
			continue;
		struct tev_enc enc = {0};
		struct tev_dec dec = {0};
		uint64_t instret = 0, time = 0;

		for (int i = 0; i < 2000; i++) {
			struct tev ev, out;
			random_event(i % 3 ? t : random_type(), &ev, &instret, &time);
			size_t n = tev_encode(&enc, &ev, buf);
			CHECK(n <= TEV_MAX_ENCODED + ev.len, "%s: %zu bytes", tev_type_name(t), n);
			const uint8_t *p = buf;
			int rc = tev_decode(&dec, &p, buf + n, &out);
			CHECK(rc == 1 && p == buf + n, "%s #%d: rc %d, used %td of %zu",
			      tev_type_name(ev.type), i, rc, p - buf, n);
			CHECK(same(&ev, &out), "%s #%d: fields differ", tev_type_name(ev.type), i);
			CHECK(tev_decode(&dec, &p, buf + n, &out) == 0, "end of buffer gives 0");
		}
	}
	return 0;
}

/* The most frequent event must stay small: hart 0, a short run, a nearby branch target. */
static int run_size(void)
{
	uint8_t buf[TEV_MAX_ENCODED];
	struct tev_enc enc = {.last_instret = 0x1000, .last_time = 0x1000, .last_pc = 0x80001000};
	struct tev ev = {
	    .type = TEV_RUN, .priv = 1, .instret = 0x1005, .time = 0x1005, .pc = 0x80001040};

	size_t n = tev_encode(&enc, &ev, buf);
	CHECK(n == 3, "run 5 insns +0x40: %zu bytes, want 3", n);
	ev.instret += 40, ev.time += 40, ev.pc -= 0x800;
	n = tev_encode(&enc, &ev, buf);
	CHECK(n == 4, "run 40 insns -0x800: %zu bytes, want 4", n);
	CHECK(!strcmp(tev_type_name(TEV_CALL), "call") && !strcmp(tev_type_name(0), "?") &&
		  !strcmp(tev_type_name(99), "?"),
	      "tev_type_name");
	return 0;
}

static int expect_bad(const uint8_t *b, size_t n)
{
	struct tev_dec dec = {0};
	struct tev ev;
	const uint8_t *p = b;
	int rc = tev_decode(&dec, &p, b + n, &ev);

	return rc == -EINVAL && p == b && dec.last_instret == 0 && dec.last_pc == 0;
}

/* Each kind of malformed input, hand-written. */
static int malformed(void)
{
	static const uint8_t unknown0[] = {0x00, 0x01, 0x00};
	static const uint8_t ext5[] = {0x0f, 0x05, 0x01, 0x00};
	static const uint8_t ext_unknown[] = {0x0f, TEV_NTYPES, 0x01, 0x00};
	static const uint8_t poll_kind[] = {0x0b, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x00};
	static const uint8_t wake_kind[] = {0x0d, 0x01, 0x00, 0x05, 0x02, 0x00};
	static const uint8_t trunc_varint[] = {0x01, 0x81};
	static const uint8_t no_pc[] = {0x01, 0x05};
	static const uint8_t overlong[] = {0x01, 0x85, 0x00, 0x02};
	static const uint8_t too_big[] = {0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0x02, 0x00};
	static const uint8_t eleven[] = {0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
					 0x80, 0x80, 0x80, 0x80, 0x01, 0x00};
	static const uint8_t no_hart[] = {0x41};
	static const uint8_t size3[] = {0x08, 0x01, 0x03, 0x10, 0x00};
	static const uint8_t kind3[] = {0x08, 0x01, 0x34, 0x10, 0x00};
	static const uint8_t mark_len[] = {0x0a, 0x01, 0x05, 'a', 'b'};
	static const uint8_t code_len[] = {0x09, 0x01, 0x00, 0x00, 0x00, 0x81, 0x20};
	static const uint8_t trap_priv[] = {0x05, 0x01, 0x00, 0x00, 0x07};
	/* version 2: head privilege 2 = a level byte follows, which must be a guest level */
	static const uint8_t lvl_low[] = {0x21, 0x03, 0x01, 0x00};
	static const uint8_t lvl_six[] = {0x21, 0x06, 0x01, 0x00};
	static const uint8_t trap_priv2[] = {0x05, 0x01, 0x00, 0x00, 0x02};
	static const uint8_t max_ok[] = {0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0xff, 0xff, 0xff, 0xff, 0x01, 0x00};
	struct {
		const char *name;
		const uint8_t *b;
		size_t n;
	} bad[] = {
	    {"type 0", unknown0, sizeof(unknown0)},
	    {"extended type 5", ext5, sizeof(ext5)},
	    {"unknown extended type", ext_unknown, sizeof(ext_unknown)},
	    {"poll kind 1", poll_kind, sizeof(poll_kind)},
	    {"wake kind 5", wake_kind, sizeof(wake_kind)},
	    {"truncated varint", trunc_varint, sizeof(trunc_varint)},
	    {"missing pc", no_pc, sizeof(no_pc)},
	    {"overlong varint", overlong, sizeof(overlong)},
	    {"varint beyond 64 bits", too_big, sizeof(too_big)},
	    {"11-byte varint", eleven, sizeof(eleven)},
	    {"missing hart byte", no_hart, sizeof(no_hart)},
	    {"size 3", size3, sizeof(size3)},
	    {"kind 3", kind3, sizeof(kind3)},
	    {"len beyond end", mark_len, sizeof(mark_len)},
	    {"code longer than a page", code_len, sizeof(code_len)},
	    {"new_priv 7", trap_priv, sizeof(trap_priv)},
	    {"level byte 3 (belongs in the head)", lvl_low, sizeof(lvl_low)},
	    {"level 6", lvl_six, sizeof(lvl_six)},
	    {"new level 2", trap_priv2, sizeof(trap_priv2)},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(expect_bad(bad[i].b, bad[i].n), "%s accepted", bad[i].name);

	struct tev_dec dec = {0};
	struct tev ev;
	const uint8_t *p = max_ok;
	CHECK(tev_decode(&dec, &p, max_ok + sizeof(max_ok), &ev) == 1 && ev.instret == UINT64_MAX,
	      "10-byte varint for 2^64-1");
	return 0;
}

/* Random and mutated bytes: decoding must stop with 1/0/-EINVAL inside the buffer (ASan checks
 * the reads: each buffer is malloc'd to its exact length). */
static int fuzz(void)
{
	uint8_t good[4096];
	size_t ngood = 0;
	struct tev_enc enc = {0};
	uint64_t instret = 0, time = 0;

	while (ngood < sizeof(good) - TEV_MAX_ENCODED - 400) {
		struct tev ev;
		random_event(random_type(), &ev, &instret, &time);
		if (ev.len > 300)
			continue;
		ngood += tev_encode(&enc, &ev, good + ngood);
	}
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rnd() % 64;
		uint8_t *b;
		if (iter % 2) {
			n = 1 + rnd() % ngood;
			b = malloc(n);
			memcpy(b, good, n);
			for (int k = rnd() % 4; k >= 0; k--)
				b[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
		} else {
			b = malloc(n ? n : 1);
			for (size_t i = 0; i < n; i++)
				b[i] = (uint8_t)(rnd() % 3 ? rnd() : (rnd() % 11) | (rnd() & 0xc0));
		}
		struct tev_dec dec = {0};
		const uint8_t *p = b;
		struct tev ev;
		int rc, events = 0;
		while ((rc = tev_decode(&dec, &p, b + n, &ev)) == 1) {
			CHECK(p <= b + n && ev.len <= n, "decoder ran past the end");
			CHECK(ev.type >= TEV_RUN && ev.type < TEV_NTYPES && ev.type != TEV_EXT,
			      "type %u", ev.type);
			events++;
		}
		CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
		CHECK(p <= b + n, "position past the end");
		free(b);
	}
	return 0;
}

/* x86-64 streams (eBPF back-end): odd code addresses survive when byte_pc is set on both ends,
 * and a stream without it keeps RISC-V's halved deltas (bit 0 lost, one byte shorter). */
static int byte_pc(void)
{
	uint8_t buf[4 * TEV_MAX_ENCODED];
	struct tev_enc enc = {.byte_pc = true};
	struct tev_dec dec = {.byte_pc = true};
	struct tev in[3] = {
	    {.type = TEV_CALL, .hart = 3, .instret = 10, .time = 10, .pc = 0x55555555a1c3,
	     .addr = 0x555555555131, .sp = 0x7ffd1234567},
	    {.type = TEV_RET, .hart = 3, .instret = 25, .time = 25, .pc = 0x555555555131,
	     .addr = 0x55555555a1c3, .sp = 0x7ffd123456f},
	    {.type = TEV_CALL, .hart = 3, .instret = 26, .time = 26, .pc = 0x55555555a1c8,
	     .addr = 0x555555555007, .sp = 0x7ffd1234567},
	};
	size_t n = 0;
	for (int i = 0; i < 3; i++)
		n += tev_encode(&enc, &in[i], buf + n);
	const uint8_t *p = buf;
	for (int i = 0; i < 3; i++) {
		struct tev out;
		CHECK(tev_decode(&dec, &p, buf + n, &out) == 1, "event %d decodes", i);
		CHECK(out.pc == in[i].pc && out.addr == in[i].addr && out.sp == in[i].sp &&
			  out.time == in[i].time,
		      "event %d: pc %#llx addr %#llx, want %#llx %#llx", i,
		      (unsigned long long)out.pc, (unsigned long long)out.addr,
		      (unsigned long long)in[i].pc, (unsigned long long)in[i].addr);
	}
	struct tev_enc rv = {0};
	struct tev_dec rvd = {0};
	n = tev_encode(&rv, &in[0], buf);
	p = buf;
	struct tev out;
	CHECK(tev_decode(&rvd, &p, buf + n, &out) == 1 && out.pc == (in[0].pc & ~1ull) &&
		  out.addr == (in[0].addr & ~1ull),
	      "without byte_pc bit 0 is dropped: pc %#llx", (unsigned long long)out.pc);
	return 0;
}

/* Version 1 streams (the worked examples of docs/TRACE-FORMAT.md, as strata 1 wrote them) still
 * decode: no level byte, no hgatp or tval2 in TRAP/XRET/CODE, and head privilege 2 is just 2. */
static int version1(void)
{
	static const uint8_t v1[] = {
	    0x31, 0x05, 0x40,					  /* RUN, M, +5, pc +0x40 */
	    0xd2, 0x01, 0x0c, 0xf4, 0x07, 0x10, 0xf0, 0x1f, 0x80, 0xfc, 0xff, 0x8f, 0x10, /* CALL */
	    0x05, 0x01, 0x00, 0x00, 0x03, 0x12, 0x04, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, /* TRAP */
	    0x06, 0x01, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00,		  /* XRET */
	    0x21, 0x01, 0x00,					  /* RUN, priv 2 */
	};
	struct tev_dec dec = {.version = 1, .last_instret = 100, .last_time = 100,
			      .last_pc = 0x80000100};
	const uint8_t *p = v1, *end = v1 + sizeof(v1);
	struct tev ev;

	CHECK(tev_decode(&dec, &p, end, &ev) == 1 && ev.type == TEV_RUN && ev.priv == 3 &&
		  ev.pc == 0x80000140 && ev.instret == 105,
	      "v1 run");
	dec.last_instret = 1000, dec.last_time = 5000, dec.last_pc = 0x80200000;
	CHECK(tev_decode(&dec, &p, end, &ev) == 1 && ev.type == TEV_CALL && ev.hart == 1 &&
		  ev.priv == 1 && ev.addr == 0x80201000 && ev.sp == 0x80ffff00 && ev.time == 6012,
	      "v1 call");
	CHECK(tev_decode(&dec, &p, end, &ev) == 1 && ev.type == TEV_TRAP && ev.new_priv == 3 &&
		  ev.cause == 9 && ev.tval == 2 && ev.satp == 6 && !ev.hgatp,
	      "v1 trap: new_priv %u cause %llu", ev.new_priv, (unsigned long long)ev.cause);
	CHECK(tev_decode(&dec, &p, end, &ev) == 1 && ev.type == TEV_XRET && ev.new_priv == 1 &&
		  ev.satp == 8,
	      "v1 xret");
	CHECK(tev_decode(&dec, &p, end, &ev) == 1 && ev.priv == 2 && p == end, "v1 priv 2");

	/* the same TRAP bytes are not a version 2 event: hgatp and tval2 are missing */
	struct tev_dec d2 = {.version = 2};
	p = v1 + 16;
	CHECK(tev_decode(&d2, &p, v1 + 32, &ev) == -EINVAL, "v1 trap read as v2");
	return 0;
}

/* A guest level costs one byte, and only on events at a guest level. */
static int levels(void)
{
	uint8_t buf[TEV_MAX_ENCODED];
	struct tev_enc enc = {0};
	struct tev_dec dec = {0};
	struct tev ev = {.type = TEV_RUN, .priv = TEV_VS, .instret = 5, .time = 5, .pc = 0x40}, out;

	size_t n = tev_encode(&enc, &ev, buf);
	CHECK(n == 4 && buf[0] == 0x21 && buf[1] == TEV_VS, "VS run: %zu bytes", n);
	const uint8_t *p = buf;
	CHECK(tev_decode(&dec, &p, buf + n, &out) == 1 && out.priv == TEV_VS, "VS run decodes");
	struct tev trap = {.type = TEV_TRAP, .priv = TEV_VS, .new_priv = TEV_S, .cause = 21,
			   .instret = 9, .time = 9, .pc = 0x80, .addr = 0x100, .tval = 0x1000,
			   .tval2 = 0x80002000 >> 2, .hgatp = 8ull << 60 | 1ull << 44 | 0x80400};
	n = tev_encode(&enc, &trap, buf);
	p = buf;
	CHECK(tev_decode(&dec, &p, buf + n, &out) == 1 && out.priv == TEV_VS &&
		  out.new_priv == TEV_S && out.tval2 << 2 == 0x80002000 && out.hgatp == trap.hgatp,
	      "guest page fault VS -> HS");
	CHECK(tev_level_ok(4) && tev_level_ok(5) && !tev_level_ok(2) && !tev_level_ok(6) &&
		  tev_level_virt(TEV_VU) && !tev_level_virt(TEV_M),
	      "level predicates");
	return 0;
}

int main(void)
{
	int failed = 0;

	failed += RUN(roundtrip);
	failed += RUN(run_size);
	failed += RUN(malformed);
	failed += RUN(fuzz);
	failed += RUN(byte_pc);
	failed += RUN(version1);
	failed += RUN(levels);
	return failed != 0;
}
