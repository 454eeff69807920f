/* discover — Rust async state machines, hand-written futures and waker vtables found in an ELF's
 * DWARF (libdw), for any architecture rustc emits DWARF for (riscv64 guests, x86-64 tokio
 * binaries for the eBPF back-end). Nothing here reads a running program: the result is a static
 * description that a tracer (emulator hooks, uprobes) uses to turn calls and returns into polls.
 *
 * What rustc emits (1.67+; checked on 1.96): an `async fn foo` or `async {}` is a coroutine whose
 * body is the function `foo::{async_fn#0}` / `...::{async_block#0}` taking
 * (self: Pin<&mut {async_fn_env#0}>, cx: &mut Context) and returning Poll<T>; the env type is a
 * DW_TAG_structure_type holding a DW_TAG_variant_part whose discriminant member is `__state`
 * and whose variants are Unresumed (0), Returned (1), Panicked (2), Suspend0 (3), ... Each
 * SuspendN variant has DW_AT_decl_file/line = its await point and an `__awaitee` member (the
 * future being awaited). Up to 1.66 the body was a `{generator#0}` closure wrapped by
 * core::future::from_generator::GenFuture<T>::poll; both forms are recognised. Optimised builds
 * inline bodies: their DW_TAG_inlined_subroutine ranges are listed with the body.
 *
 * Addresses are link-time addresses of the ELF (add the load bias for PIE executables). */
#ifndef STRATA_ASYNC_DISCOVER_H
#define STRATA_ASYNC_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct adisc; /* everything found in one ELF (opaque) */

enum adisc_fkind {
	ADISC_COROUTINE = 1, /* async fn / async block body ({async_fn#0}, {generator#0}, ...) */
	ADISC_POLL_FN = 2,   /* hand-written <T as core::future::future::Future>::poll */
	ADISC_GENFUTURE = 3, /* pre-1.67 GenFuture<T>::poll wrapper around a generator body */
};

struct adisc_range {
	uint64_t lo, hi; /* [lo, hi) */
};

/* __state values rustc gives every coroutine (the SuspendN follow from 3); the tracers rely on
 * them where the future's variants are not at hand (a child's finished state, a task's end). */
enum { ADISC_ST_UNRESUMED = 0, ADISC_ST_RETURNED = 1, ADISC_ST_PANICKED = 2 };

/* One variant of a coroutine's state enum. */
struct adisc_variant {
	const char *name;	   /* "Unresumed", "Returned", "Panicked", "Suspend0", ... */
	uint64_t discr;		   /* value of __state in this variant */
	const char *file;	   /* SuspendN: await point (DW_AT_decl_file), else NULL */
	unsigned line;		   /* SuspendN: await point line, else 0 */
	int64_t awaitee_off;	   /* SuspendN: offset of __awaitee in the future, else -1 */
	uint64_t awaitee_size;	   /* its byte size */
	const char *awaitee_type;  /* its type name (the future being awaited), or NULL */
	long awaitee_future;	   /* adisc_future() index of the awaitee's type, or -1 */
};

/* Where a poll function leaves its Poll<T> and how to tell Pending from Ready. */
enum adisc_ret { ADISC_RET_REGS = 1, ADISC_RET_PTR = 2 };
struct adisc_poll {
	unsigned ret;	      /* REGS: the value's bytes are a0,a1 (rax,rdx) little-endian;
			       * PTR: written through the hidden return pointer (first argument) */
	uint64_t size;	      /* sizeof(Poll<T>) */
	uint32_t discr_off;   /* where the discriminant (or niche) lives in the value */
	uint32_t discr_size;  /* its size in bytes (1..8); 0 = unknown layout (result not read) */
	uint64_t pending;     /* discriminant value that means Pending */
	const char *type;     /* "core::task::poll::Poll<u32>" */
};

/* One future kind: a coroutine body or a hand-written poll function. */
struct adisc_future {
	unsigned kind;		   /* enum adisc_fkind */
	const char *name;	   /* the function, demangled: "demo::producer::{async_fn#0}" */
	const char *type_name;	   /* the future's type: "demo::producer::{async_fn_env#0}" */
	uint64_t entry;		   /* out-of-line entry pc (DW_AT_low_pc), 0 if only inlined */
	const struct adisc_range *ranges; /* its out-of-line code (DW_AT_ranges or low/high) */
	unsigned nranges;
	const struct adisc_range *inl; /* inlined copies' code ranges (DW_TAG_inlined_subroutine) */
	const uint64_t *inl_entry;     /* entry pc of each inlined copy (DW_AT_entry_pc or lo) */
	unsigned ninl;
	unsigned self_arg;  /* argument register index of self (1 when the result goes by PTR) */
	uint64_t size;	    /* sizeof the future, 0 if unknown */
	int64_t state_off;  /* offset of __state, -1 for hand-written futures */
	uint32_t state_size; /* size of __state in bytes */
	const struct adisc_variant *variants; /* coroutines: the state enum's variants */
	unsigned nvariants;
	struct adisc_poll poll;
	const struct adisc_child *children; /* hand-written: fields that are futures */
	unsigned nchildren;
};

enum adisc_wkind { ADISC_WAKE_CLONE = 0, ADISC_WAKE = 1, ADISC_WAKE_BY_REF = 2, ADISC_WAKE_DROP = 3 };

/* A RawWakerVTable instance and its functions: a static with a DWARF variable, or an anonymous
 * (promoted) constant found by its shape in read-only data (name NULL). */
struct adisc_vtable {
	uint64_t addr;	  /* where the vtable lives */
	const char *name; /* the variable's name, or NULL */
	uint64_t fn[4];	  /* clone, wake, wake_by_ref, drop (enum adisc_wkind); 0 if unknown */
};

/* Open an ELF and discover its async code. Fails (NULL, errno set, err_set() message
 * "FILE: ...") if the file is unreadable, not an ELF, or has no DWARF. An ELF with DWARF but
 * no async code succeeds with adisc_nfutures() == 0 (the caller decides how to report it). */
struct adisc *adisc_open(const char *path);
void adisc_free(struct adisc *d);

const char *adisc_path(const struct adisc *d);
/* ELF e_machine (EM_RISCV, EM_X86_64, ...) and pointer size in bytes. */
unsigned adisc_machine(const struct adisc *d);
unsigned adisc_ptr_size(const struct adisc *d);
/* The rustc version from DW_AT_producer ("1.96.0"), or NULL if no Rust unit. */
const char *adisc_rustc(const struct adisc *d);

size_t adisc_nfutures(const struct adisc *d);
const struct adisc_future *adisc_future(const struct adisc *d, size_t i);
/* The index of f (from adisc_future/by_entry/by_pc) for adisc_future(). */
size_t adisc_index(const struct adisc *d, const struct adisc_future *f);
/* The future whose out-of-line entry is pc, or NULL (fast: binary search). */
const struct adisc_future *adisc_by_entry(const struct adisc *d, uint64_t pc);
/* The future whose code (out-of-line or an inlined copy) contains pc; the innermost inlined
 * copy wins. *inlined tells which (may be NULL). NULL if none. */
const struct adisc_future *adisc_by_pc(const struct adisc *d, uint64_t pc, bool *inlined);
/* Variant of f for a __state value, or NULL. */
const struct adisc_variant *adisc_variant(const struct adisc_future *f, uint64_t state);

size_t adisc_nvtables(const struct adisc *d);
const struct adisc_vtable *adisc_vtable(const struct adisc *d, size_t i);
/* If pc is the entry of a waker vtable function, its kind (enum adisc_wkind), else -1. */
int adisc_waker_fn(const struct adisc *d, uint64_t pc);

/* Where the waker sits, from DWARF (rustc reorders fields: RawWaker is {vtable, data} on 1.96):
 * the waker data pointer of a poll is *(*(cx + ctx_waker) + waker_raw + raw_data). -1 when a
 * type was not found. vt[] are the offsets of clone, wake, wake_by_ref, drop in the vtable. */
struct adisc_waker_layout {
	int64_t ctx_waker;  /* Context.waker (a &Waker) */
	int64_t waker_raw;  /* Waker.waker (the RawWaker) */
	int64_t raw_data;   /* RawWaker.data */
	int64_t raw_vtable; /* RawWaker.vtable */
	int64_t vt[4];	    /* RawWakerVTable.{clone, wake, wake_by_ref, drop} */
};
const struct adisc_waker_layout *adisc_waker_layout(const struct adisc *d);

/* Hand-written futures: fields whose type is itself a known future (Join's halves), so a
 * tracer can walk the await tree below them. */
struct adisc_child {
	uint64_t off;
	const char *name;
	size_t future; /* index for adisc_future() */
};
/* The future polled by a SuspendN variant's __awaitee, as an adisc_future() index, or -1. */

/* Decode a poll result: regs are the return registers (a0, a1 / rax, rdx) for RET_REGS; for
 * RET_PTR mem is the value's bytes (p->size of them) read through the return pointer.
 * Returns 1 Pending, 0 Ready, -1 unknown layout. */
int adisc_poll_pending(const struct adisc_poll *p, const uint64_t regs[2], const uint8_t *mem);

/* A runtime's task-run function (discover_task.c): its argument is the task, and these are
 * where the task keeps its future's __state and the runtime's state word, so a tracer can read
 * the state before and after the run even when the future's body is inlined into it. */
enum adisc_runtime { ADISC_RT_TOKIO = 1, ADISC_RT_ASYNC_TASK = 2 };
struct adisc_taskrun {
	uint64_t entry;		 /* the instance's entry pc */
	unsigned runtime;	 /* enum adisc_runtime */
	long future;		 /* adisc_future() index of the task's future type, or -1 */
	const char *future_type; /* its type name, or NULL */
	int64_t state_off;	 /* the future's __state from the task pointer, -1 unknown */
	uint32_t state_size;
	int64_t word_off;	 /* the runtime's state word from the task pointer, -1 unknown */
	uint32_t word_size;
	uint64_t skip_bits;	 /* state word bits that, at entry, mean the run will not poll */
	int64_t stage_off;	 /* tokio: Stage<T>'s discriminant from the task pointer, or -1 */
	uint32_t stage_size;
	bool stage_running_default; /* Running has no discriminant value of its own (niche) */
	uint64_t stage_running;	 /* else its value */
	uint64_t stage_other[4]; /* the other variants' values */
	unsigned nother;
};
/* Find tokio's raw::poll<T, S> and async-task's RawTask<F, T, S>::run instances (once; a second
 * DWARF walk, so only callers that need them pay for it). 0 or -ENOMEM. */
int adisc_find_taskruns(struct adisc *d);
size_t adisc_ntaskruns(const struct adisc *d);
const struct adisc_taskrun *adisc_taskrun(const struct adisc *d, size_t i);
/* The task-run function entered at entry, or NULL. */
const struct adisc_taskrun *adisc_taskrun_at(const struct adisc *d, uint64_t entry);
/* Whether a __state value after a run of r means Pending (1), Ready (0) or unknown (-1), given
 * the stage discriminant (tokio; ignored without one). */
int adisc_taskrun_result(const struct adisc *d, const struct adisc_taskrun *r, uint64_t state,
			 uint64_t stage);

/* Print what was found, one line per future/variant/vtable (strata tasks --discover). */
void adisc_print(const struct adisc *d, FILE *f);

#endif
