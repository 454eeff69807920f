/* tracer — async tracing on top of call/return/trap events: turns calls of discovered poll
 * functions into task polls, walks each task's await chain in guest memory at the poll's entry
 * and exit, and turns calls of waker vtable functions into wakes (event.h TEV_POLL ... TEV_WAKE).
 *
 * A task is a future polled out of line while no other poll runs on the hart (an executor polls
 * its tasks through `dyn Future`, so that call exists at every opt-level). Nested futures are
 * read from memory: a coroutine in SuspendN is polling its __awaitee, a hand-written future
 * such as a join its future-typed fields. Walking the chain at the task poll's entry and exit
 * gives the same await tree whether the nested bodies were inlined (release builds) or not; a
 * nested future created and finished within one task poll leaves no trace in memory and is
 * not reported (docs/ASYNC.md). Independent of the emulator: the guest is reached through ops. */
#ifndef STRATA_ASYNC_TRACER_H
#define STRATA_ASYNC_TRACER_H

#include "async/discover.h"
#include "trace/event.h"

#include <stddef.h>
#include <stdint.h>

struct atr_ops {
	/* Read len bytes of guest virtual memory as hart sees it (satp, priv of the event).
	 * 0 or negative errno. */
	int (*read)(void *ctx, unsigned hart, uint64_t satp, unsigned priv, uint64_t va,
		    void *buf, size_t len);
	/* Integer register r (10 = a0) of the hart, as it is at the event being observed. */
	uint64_t (*reg)(void *ctx, unsigned hart, unsigned r);
	/* Hand over an async event (the recorder encodes it). */
	void (*emit)(void *ctx, const struct tev *ev);
};

struct atr;

/* NULL + errno. */
struct atr *atr_new(const struct atr_ops *ops, void *ctx);
/* Trace the futures of d, loaded at bias (runtime address = ELF address + bias); a owns d. */
int atr_add(struct atr *a, struct adisc *d, int64_t bias);
void atr_free(struct atr *a);
/* Guest RAM at guest-physical base, read in place (no ops.read call) by polls running untranslated
 * (M mode or satp Bare); ram must stay valid while a lives. */
void atr_set_ram(struct atr *a, const uint8_t *ram, uint64_t base, uint64_t size);

/* Observe a CALL, TAIL, RET, TRAP or XRET event (others are ignored), before the hart goes on.
 * Emits TASK/FUTURE/POLL/POLL_END/WAKE events through ops->emit. ctx is the struct atr: the
 * function is the recorder's observer callback itself (trace/record.h), one call per event. */
void atr_observe(void *ctx, const struct tev *ev);
/* The ctx given to atr_new. */
void *atr_ctx(const struct atr *a);


#endif
