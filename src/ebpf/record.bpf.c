/* record.bpf — the kernel half of `strata record`: one program for entries (uprobe) and one for
 * returns (uretprobe), each in two copies — loaded for uprobe_multi links or for single
 * uprobes, since a program's expected attach type is fixed at load. The attach cookie indexes
 * `cfg`, which says what the probed function is: a plain function, a poll function (read self,
 * __state and the Context's waker at entry; __state and the Poll result at exit), a waker
 * vtable function or a runtime's task-run function. Each hit writes a record into its thread's
 * batch, and full batches go to the ring buffer; when it is full the records are counted in
 * `drops` instead, so user space can say exactly how many events were lost. Compiled with clang -target bpf against the running kernel's BTF
 * (vmlinux.h); pt_regs, the context of a uprobe program, is read with plain loads. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ebpf/probe_event.h"

char LICENSE[] SEC("license") = "GPL";

/* 0: every process (the links already filter by pid); else only this tgid */
const volatile __u32 target_tgid = 0;
/* where a Context's waker data pointer is: *(*(cx + ctx_waker) + waker_data) (src/async) */
const volatile __s64 ctx_waker = -1;
const volatile __s64 waker_data = -1;
/* profiling only (bench/ebpf/run, STRATA_BPF_PROFILE_CUT): 0 does everything; 1 returns after
 * the pid check, 2 after finding the thread's state, 3 without the per-role work (cfg lookup,
 * reads of user memory, frames), 4 after a timestamp only (no state). A trace recorded so is not
 * complete: the figures it gives are what each step costs per probe hit. */
const volatile __u32 prof_cut = 0;
/* half the ring buffer's size in bytes (set by the loader) */
const volatile __u64 ring_half = 1 << 23;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24); /* resized by the loader (--ring-size) */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* one per probe: resized by the loader */
	__type(key, __u32);
	__type(value, struct probe_cfg);
} cfg SEC(".maps");

/* The poll functions a thread is inside: their self, return pointer and entry sp, so the exit
 * can read __state and the result (a frame whose return was never seen, e.g. unwound by a
 * panic, is dropped when a return with a higher sp comes). */
struct pframe {
	__u64 self, retp, sp;
};
/* A thread's state: its poll frames and its batch of records not yet in the ring buffer. A
 * record is written here, and a full batch goes to the ring in one bpf_ringbuf_output: one
 * reservation of the ring (a spinlock with interrupts off, on a cache line every CPU writes)
 * per PEV_BATCH hits instead of one per hit — it was two thirds of the program's time
 * (docs/PERFORMANCE.md, issue 20). A thread's records stay in order; the rest of a batch goes
 * out when the thread exits (strata_thread_exit) or when strata detaches (strata_drain). */
struct pstack {
	__u32 n, nrec;
	struct pframe f[PEV_MAX_NEST];
	struct probe_event rec[PEV_BATCH];
};
/* task-local storage: found through the current task in a few instructions, where a hash map
 * keyed by thread id costs a hash and a bucket walk per probe hit, and freed with the thread */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pstack);
} pstacks SEC(".maps");

static __always_inline struct pstack *thread_stack(bool create)
{
	return bpf_task_storage_get(&pstacks, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline __u64 read_uint(__u64 addr, __u32 size)
{
	__u64 v = 0;

	if (size > 8)
		size = 8;
	if (size && bpf_probe_read_user(&v, size & 0xf, (void *)addr))
		return PEV_STATE_NONE;
	return v;
}

static __always_inline __u64 arg(struct pt_regs *ctx, unsigned i)
{
	/* plain loads from the context (no helper call each, as the CO-RE reads were); all three
	 * are loaded so that the compiler cannot turn the choice into a computed context offset,
	 * which the verifier refuses */
	__u64 a0 = PT_REGS_PARM1(ctx), a1 = PT_REGS_PARM2(ctx), a2 = PT_REGS_PARM3(ctx);

	barrier_var(a0);
	barrier_var(a1);
	barrier_var(a2);
	return i == 0 ? a0 : i == 1 ? a1 : a2;
}

/* Remember (self, return pointer, sp) of a poll or task run on the thread's stack; deeper than
 * PEV_MAX_NEST the frame is counted, not remembered. */
static __always_inline void frame_push(struct pstack *ps, __u64 self, __u64 retp, __u64 sp)
{
	__u32 n = ps->n;
	if (n < PEV_MAX_NEST) {
		ps->f[n].self = self;
		ps->f[n].retp = retp;
		ps->f[n].sp = sp;
	}
	ps->n = n + 1;
}

/* The frame whose entry sp the return at sp_after matches, popping the frames above it (their
 * returns were missed: a longjmp-like unwind or a probe that lost its exit); false if none. */
static __always_inline bool frame_pop(struct pstack *ps, __u64 sp_after, struct pframe *f)
{
	__u64 entry_sp = sp_after - 8; /* the return popped the return address */

	for (int i = 0; i < PEV_MAX_NEST + 1 && ps->n; i++) {
		__u32 n = ps->n - 1;

		if (n >= PEV_MAX_NEST) { /* beyond what is remembered */
			ps->n = n;
			return false;
		}
		ps->n = n;
		*f = ps->f[n];
		if (f->sp >= entry_sp)
			return f->sp == entry_sp;
	}
	return false;
}

static __always_inline void poll_entry(struct pt_regs *ctx, struct probe_event *e,
				       const struct probe_cfg *c, struct pstack *ps)
{
	__u64 cx = arg(ctx, c->self_arg + 1), w = 0;

	e->fut = arg(ctx, c->self_arg);
	e->state = c->state_size ? read_uint(e->fut + c->state_off, c->state_size) : PEV_STATE_NONE;
	if (ctx_waker >= 0 && waker_data >= 0 &&
	    !bpf_probe_read_user(&w, sizeof(w), (void *)(cx + ctx_waker)) &&
	    bpf_probe_read_user(&e->waker, sizeof(e->waker), (void *)(w + waker_data)))
		e->waker = 0;
	frame_push(ps, e->fut, c->ret_ptr ? arg(ctx, 0) : 0, e->sp);
}

static __always_inline void poll_exit(struct pt_regs *ctx, struct probe_event *e,
				      const struct probe_cfg *c, struct pstack *ps)
{
	struct pframe f = {};

	e->state = PEV_STATE_NONE;
	e->result = PEV_RESULT_UNK;
	if (!frame_pop(ps, e->sp, &f))
		return;
	e->fut = f.self;
	if (c->state_size)
		e->state = read_uint(f.self + c->state_off, c->state_size);
	if (!c->discr_size)
		return;
	__u64 d;
	if (c->ret_ptr) {
		d = read_uint(f.retp + c->discr_off, c->discr_size);
	} else {
		__u64 ax = PT_REGS_RC(ctx), dx = ctx->dx;

		barrier_var(ax);
		barrier_var(dx);
		__u64 r = c->discr_off < 8 ? ax : dx;
		d = r >> (8 * (c->discr_off & 7));
	}
	if (c->discr_size < 8)
		d &= (1ull << (8 * c->discr_size)) - 1;
	e->result = d == c->pending ? PEV_RESULT_PEND : PEV_RESULT_READY;
}

/* A task run with a layout: the future's __state and the runtime's state word at entry, the
 * task remembered like a poll's self so the exit can read __state and the stage again (the
 * task pointer is gone from the registers by then). */
static __always_inline void task_entry(struct pt_regs *ctx, struct probe_event *e,
				       const struct probe_cfg *c, struct pstack *ps)
{
	e->fut = PT_REGS_PARM1(ctx);
	if (!c->state_size)
		return;
	e->state = read_uint(e->fut + c->state_off, c->state_size);
	e->waker = c->word_size ? read_uint(e->fut + c->word_off, c->word_size) : 0;
	frame_push(ps, e->fut, 0, e->sp);
}

static __always_inline void task_exit(struct probe_event *e, const struct probe_cfg *c, struct pstack *ps)
{
	struct pframe f = {};

	if (!c->state_size || !frame_pop(ps, e->sp, &f))
		return;
	e->fut = f.self;
	e->state = read_uint(f.self + c->state_off, c->state_size);
	e->waker = c->discr_size ? read_uint(f.self + c->discr_off, c->discr_size) : 0;
}

static __always_inline void count_drops(__u64 n)
{
	__u32 k = 0;
	__u64 *d = bpf_map_lookup_elem(&drops, &k);

	if (d)
		*d += n;
}

/* The first n records of the batch to the ring buffer, or counted in drops if it is full. */
static __always_inline void flush(struct pstack *ps, __u32 n)
{
	__u64 size = (__u64)n * sizeof(struct probe_event);

	if (!n || size > sizeof(ps->rec))
		return;
	/* waking the consumer costs an irq_work: it polls every 50 ms anyway, so only a ring
	 * more than half full calls for it now */
	if (bpf_ringbuf_output(&events, ps->rec, size,
			       bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > ring_half
				   ? BPF_RB_FORCE_WAKEUP
				   : BPF_RB_NO_WAKEUP))
		count_drops(n);
}

/* What is left in a thread's batch, from another context than the thread's probes (its exit,
 * strata's drain after the probes are gone): taken with an exchange, so that two of them never
 * send the same records. */
static __always_inline void flush_rest(struct pstack *ps)
{
	flush(ps, __sync_lock_test_and_set(&ps->nrec, 0));
}

static __always_inline int emit(struct pt_regs *ctx, __u8 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, probe, i;
	const struct probe_cfg *c;
	struct probe_event *e;
	struct pstack *ps;

	if (target_tgid && (__u32)(id >> 32) != target_tgid)
		return 0;
	if (prof_cut == 1)
		return 0;
	if (prof_cut == 4) {
		if (bpf_ktime_get_ns() == 1)
			id = 0; /* not optimised away */
		return (int)(id & 0);
	}
	ps = thread_stack(true);
	if (!ps) { /* no memory for the thread's state: the hit is lost, and counted */
		count_drops(1);
		return 0;
	}
	if (prof_cut == 2)
		return 0;
	i = ps->nrec;
	if (i >= PEV_BATCH) /* cannot be: a full batch is sent at once */
		i = 0;
	e = &ps->rec[i];
	probe = (__u32)bpf_get_attach_cookie(ctx);
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = tid;
	e->cpu = (__u16)bpf_get_smp_processor_id();
	e->kind = kind;
	e->probe = probe;
	e->ip = PT_REGS_IP(ctx);
	e->sp = PT_REGS_SP(ctx);
	e->ret_addr = 0;
	e->fut = 0;
	e->state = PEV_STATE_NONE;
	e->waker = 0;
	e->result = PEV_RESULT_UNK;
	c = prof_cut == 3 ? NULL : bpf_map_lookup_elem(&cfg, &probe);
	/* the return address only for a plain function's CALL: a read of user memory each */
	if (kind == PEV_ENTRY && c && (c->what & PCFG_FUNC) &&
	    bpf_probe_read_user(&e->ret_addr, sizeof(e->ret_addr), (void *)e->sp))
		e->ret_addr = 0;
	if (c && (c->what & PCFG_POLL)) {
		if (kind == PEV_ENTRY)
			poll_entry(ctx, e, c, ps);
		else
			poll_exit(ctx, e, c, ps);
	} else if (c && (c->what & PCFG_TASK)) {
		if (kind == PEV_ENTRY)
			task_entry(ctx, e, c, ps);
		else
			task_exit(e, c, ps);
	} else if (c && (c->what & PCFG_WAKE) && kind == PEV_ENTRY) {
		e->fut = PT_REGS_PARM1(ctx);
	}
	if (++i < PEV_BATCH) {
		ps->nrec = i;
		return 0;
	}
	ps->nrec = 0;
	flush(ps, PEV_BATCH);
	return 0;
}

SEC("uprobe")
int strata_entry_multi(struct pt_regs *ctx)
{
	return emit(ctx, PEV_ENTRY);
}

SEC("uretprobe")
int strata_exit_multi(struct pt_regs *ctx)
{
	return emit(ctx, PEV_EXIT);
}

SEC("uprobe")
int strata_entry(struct pt_regs *ctx)
{
	return emit(ctx, PEV_ENTRY);
}

SEC("uretprobe")
int strata_exit(struct pt_regs *ctx)
{
	return emit(ctx, PEV_EXIT);
}

/* A traced thread exits: the rest of its batch goes to the ring (other threads are left
 * alone: they have no state here). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(strata_thread_exit, struct task_struct *p)
{
	struct pstack *ps = bpf_task_storage_get(&pstacks, p, 0, 0);

	if (ps)
		flush_rest(ps);
	return 0;
}

/* Run by strata (a task iterator) once the probes are detached: the rest of every live
 * thread's batch goes to the ring. */
SEC("iter/task")
int strata_drain(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct pstack *ps;

	if (!t)
		return 0;
	ps = bpf_task_storage_get(&pstacks, t, 0, 0);
	if (ps)
		flush_rest(ps);
	return 0;
}
