/* probe_event — what the loader tells each probe (struct probe_cfg, indexed by the attach
 * cookie) and the record a probe puts into the ring buffer (struct probe_event); shared by the
 * BPF side (record.bpf.c) and the loader (session.c), so only fixed-width types. Recording is
 * cheap and dumb: names, depths, tasks and thread numbering are worked out in user space. */
#ifndef STRATA_EBPF_PROBE_EVENT_H
#define STRATA_EBPF_PROBE_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum { PEV_ENTRY = 1, PEV_EXIT = 2 };

/* What a probe is (flags of probe_cfg.what). */
enum {
	PCFG_FUNC = 1, /* --filter: a plain function (CALL/RET) */
	PCFG_POLL = 2, /* a discovered poll function: self, __state, Context waker, Poll result */
	PCFG_WAKE = 4, /* a waker vtable function: its data pointer (entry only) */
	PCFG_TASK = 8, /* a runtime's task-run function: arg0 is the task (tokio, async-task); with
			* a layout (state_size), its future's __state at entry and exit */
};

#define PEV_STATE_NONE	 0xffffffffffffffffull
#define PEV_RESULT_READY 0
#define PEV_RESULT_PEND	 1
#define PEV_RESULT_UNK	 2
#define PEV_MAX_NEST	 16 /* poll frames remembered per thread for the exit */
#define PEV_BATCH	 16 /* records a thread collects before they go to the ring buffer */

struct probe_cfg {
	__u8 what;	  /* PCFG_* */
	__u8 self_arg;	  /* POLL: argument index of self (1 when Poll<T> goes by pointer) */
	__u8 state_size;  /* POLL: bytes of __state (0: hand-written future, none); TASK: of the
			   * task's future's __state (0: no layout, the run is only a task mark) */
	__u8 ret_ptr;	  /* POLL: Poll<T> is written through the pointer in argument 0 */
	__u8 discr_size;  /* POLL: bytes of the Poll discriminant (0: layout unknown); TASK: of
			   * tokio's Stage<T> discriminant (0: none) */
	__u8 wake_kind;	  /* WAKE: clone, wake, wake_by_ref, drop */
	__u8 word_size;	  /* TASK: bytes of the runtime's state word (0: unknown) */
	__u8 pad;
	__u32 state_off;  /* POLL: offset of __state in the future; TASK: from the task pointer */
	__u32 discr_off;  /* POLL: offset of the discriminant in Poll<T>; TASK: of the stage's */
	__u64 pending;	  /* POLL: discriminant value meaning Pending */
	__u32 word_off;	  /* TASK: offset of the state word from the task pointer */
	__u32 pad2;
};

struct probe_event {
	__u64 ts_ns;	/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 ip;	/* entry: the probed address; exit: where the function returns to */
	__u64 sp;	/* stack pointer at the probe */
	__u64 ret_addr; /* entry: the return address (*sp) */
	__u64 fut;	/* POLL: self (the future); WAKE: the waker's data; TASK: argument 0 (at
			 * the exit too, when the run has a layout) */
	__u64 state;	/* POLL, TASK: __state at entry / at exit (PEV_STATE_NONE if none) */
	__u64 waker;	/* POLL entry: the data pointer of the Context's waker (0 unknown);
			 * TASK entry: the runtime's state word; TASK exit: the stage discriminant */
	__u32 pid, tid; /* tgid and thread id */
	__u32 probe;	/* the attach cookie: index of the probe */
	__u16 cpu;
	__u8 kind;	/* PEV_ENTRY / PEV_EXIT */
	__u8 result;	/* POLL exit: PEV_RESULT_* */
};

#endif
