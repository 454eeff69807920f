/* tracer_test — the async tracer on the real discovery of exec-O0.elf (tests/guests/rust) with a
 * fake guest: a consumer task future in memory, suspended at its recv, polled by a call and
 * left by a return; a wake from a trap handler; calls that are not polls. */
#include "async/tracer.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#include "machine/test_util.h"

#define MEM_BASE 0x90000000ull
#define TASK	 (MEM_BASE + 0x100)
#define CX	 (MEM_BASE + 0x400)
#define WAKER	 (MEM_BASE + 0x500)
#define DATA	 0x80002468ull

static uint8_t mem[0x1000];
static uint64_t regs[32];
static struct tev out[64];
static uint8_t payload[64][4096];
static unsigned nout;

static int fake_read(void *ctx, unsigned hart, uint64_t satp, unsigned priv, uint64_t va,
		     void *buf, size_t len)
{
	if (va < MEM_BASE || va + len > MEM_BASE + sizeof(mem))
		return -14;
	memcpy(buf, mem + (va - MEM_BASE), len);
	return 0;
}

static uint64_t fake_reg(void *ctx, unsigned hart, unsigned r)
{
	return regs[r];
}

static void fake_emit(void *ctx, const struct tev *ev)
{
	if (nout >= 64)
		return;
	out[nout] = *ev;
	if (ev->len && ev->len <= sizeof(payload[0])) {
		memcpy(payload[nout], ev->data, ev->len);
		out[nout].data = payload[nout];
	}
	nout++;
}

static void put64(uint64_t va, uint64_t v)
{
	memcpy(mem + (va - MEM_BASE), &v, 8);
}

static const struct tev *find(unsigned type, unsigned nth)
{
	for (unsigned i = 0; i < nout; i++)
		if (out[i].type == type && !nth--)
			return &out[i];
	return NULL;
}

static int consumer_poll(void)
{
	const char *root = getenv("STRATA_ROOT");
	char path[512];
	struct adisc *d;
	struct atr *a;
	static const struct atr_ops ops = {fake_read, fake_reg, fake_emit};
	const struct adisc_future *f = NULL, *recv = NULL;

	snprintf(path, sizeof(path), "%s/tests/guests/rust/build/exec-O0.elf", root ? root : ".");
	d = adisc_open(path);
	CHECK(d, "%s", err_msg());
	for (size_t i = 0; i < adisc_nfutures(d); i++) {
		if (!strcmp(adisc_future(d, i)->name, "exec::consumer::{async_fn#0}"))
			f = adisc_future(d, i);
		if (!strcmp(adisc_future(d, i)->type_name, "exec::Recv"))
			recv = adisc_future(d, i);
	}
	CHECK(f && recv && f->nvariants >= 4 && adisc_nvtables(d) == 1, "exec-O0.elf's futures");
	const struct adisc_variant *s0 = adisc_variant(f, 3);
	const struct adisc_waker_layout *wl = adisc_waker_layout(d);
	CHECK(s0 && s0->awaitee_off >= 0, "Suspend0 awaits");
	/* the task: suspended at its recv; the Context's waker points at DATA */
	mem[TASK - MEM_BASE + (uint64_t)f->state_off] = 3;
	put64(CX + (uint64_t)wl->ctx_waker, WAKER);
	put64(WAKER + (uint64_t)wl->waker_raw + (uint64_t)wl->raw_data, DATA);

	a = atr_new(&ops, NULL);
	CHECK(a && atr_add(a, d, 0) == 0, "atr_new");
	/* an unrelated call, then the executor's call of the task's poll function */
	atr_observe(a, &(struct tev){.type = TEV_CALL, .priv = 1, .pc = 0x1000, .addr = 0x2000,
				     .sp = 0x8000, .instret = 5});
	CHECK(nout == 0, "%u events for an unrelated call", nout);
	regs[10] = TASK;
	regs[11] = CX;
	atr_observe(a, &(struct tev){.type = TEV_CALL, .priv = 1, .pc = 0x1000, .addr = f->entry,
				     .sp = 0x7f00, .instret = 10, .time = 10});
	/* inside: the recv registered the waker and the timer interrupt's handler wakes it */
	atr_observe(a, &(struct tev){.type = TEV_TRAP, .priv = 1, .new_priv = 1,
				     .cause = (1ull << 63) | 5, .instret = 20});
	regs[10] = DATA;
	atr_observe(a, &(struct tev){.type = TEV_CALL, .priv = 1, .addr = adisc_vtable(d, 0)->fn[1],
				     .sp = 0x7000, .instret = 21});
	/* a return inside the handler is not the poll's end */
	atr_observe(a, &(struct tev){.type = TEV_RET, .priv = 1, .sp = 0x7f00, .instret = 22});
	atr_observe(a, &(struct tev){.type = TEV_XRET, .priv = 1, .new_priv = 1, .instret = 23});
	regs[10] = 1; /* Poll::Pending */
	atr_observe(a, &(struct tev){.type = TEV_RET, .priv = 1, .sp = 0x7f00, .instret = 30,
				     .time = 30});

	const struct tev *task = find(TEV_TASK, 0), *p = find(TEV_POLL, 0);
	const struct tev *w = find(TEV_WAKE, 0), *e = find(TEV_POLL_END, 0);
	CHECK(task && task->addr == TASK && task->pc == f->entry, "TASK");
	CHECK(p && p->addr == TASK && p->task == TASK && p->value == 3 && p->waker == DATA &&
		  (p->kind & TEV_POLL_WAKER) && p->size == 0 && p->instret == 10,
	      "POLL: addr 0x%llx state %llu waker 0x%llx", p ? (unsigned long long)p->addr : 0,
	      p ? (unsigned long long)p->value : 0, p ? (unsigned long long)p->waker : 0);
	CHECK(w && w->kind == TEV_WAKE_WAKE && w->addr == DATA && w->size == 1 &&
		  w->cause == ((1ull << 63) | 5),
	      "WAKE from the interrupt handler");
	CHECK(e && e->instret == 30 && (e->kind & 3) == TEV_PENDING && e->value == 3 &&
		  (e->kind & TEV_POLL_CHAIN),
	      "POLL_END: kind %u", e ? e->kind : 0);
	struct tev_link l;
	size_t off = 0;
	CHECK(tev_link_next(e, &off, &l) == 1 && l.addr == TASK + (uint64_t)s0->awaitee_off &&
		  l.key == recv->entry && l.depth == 1 && l.parent == 0 && !l.late &&
		  l.result == TEV_PENDING && l.before == TEV_STATE_NONE,
	      "the recv link");
	CHECK(tev_link_next(e, &off, &l) == 0, "one link");
	CHECK(find(TEV_FUTURE, 0) && find(TEV_FUTURE, 1), "the two futures described");
	atr_free(a);
	return 0;
}

/* Many binaries (the call-target hash grows past its first size) and two at the same address
 * (a pc several of them know): each poll is found, keyed by its biased entry. */
static int many_binaries(void)
{
	const char *root = getenv("STRATA_ROOT");
	static const struct atr_ops ops = {fake_read, fake_reg, fake_emit};
	const uint64_t step = 0x1000000;
	char path[512];
	struct atr *a = atr_new(&ops, NULL);
	uint64_t entry = 0;
	unsigned n;

	snprintf(path, sizeof(path), "%s/tests/guests/rust/build/exec-O0.elf", root ? root : ".");
	CHECK(a, "atr_new");
	for (n = 0; n < 21; n++) { /* the last one again at bias 0 */
		struct adisc *d = adisc_open(path);

		CHECK(d, "%s", err_msg());
		for (size_t i = 0; i < adisc_nfutures(d); i++)
			if (!strcmp(adisc_future(d, i)->name, "exec::consumer::{async_fn#0}"))
				entry = adisc_future(d, i)->entry;
		CHECK(atr_add(a, d, n < 20 ? (int64_t)(n * step) : 0) == 0, "atr_add %u", n);
	}
	CHECK(entry, "consumer's entry");
	nout = 0;
	memset(mem, 0, sizeof(mem));
	regs[10] = TASK;
	regs[11] = 0;
	for (n = 0; n < 20; n += 19) {
		uint64_t pc = entry + n * step;

		unsigned before = nout;

		atr_observe(a, &(struct tev){.type = TEV_CALL, .priv = 1, .addr = pc + 2, .sp = 0x7f00});
		CHECK(nout == before, "a call next to an entry made %u events", nout - before);
		atr_observe(a, &(struct tev){.type = TEV_CALL, .priv = 1, .addr = pc, .sp = 0x7f00,
					     .instret = 10 + n});
		const struct tev *p = find(TEV_POLL, n ? 1 : 0);
		CHECK(p && p->pc == pc && p->addr == TASK, "poll at bias %u: %s", n,
		      p ? "wrong key" : "none");
		atr_observe(a, &(struct tev){.type = TEV_RET, .priv = 1, .sp = 0x7f00,
					     .instret = 20 + n});
		CHECK(find(TEV_POLL_END, n ? 1 : 0), "poll end at bias %u", n);
	}
	atr_free(a);
	return 0;
}

int main(void)
{
	int failed = 0;

	failed += RUN(consumer_poll);
	failed += RUN(many_binaries);
	return failed != 0;
}
