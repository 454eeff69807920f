/* record.bpf — the kernel half of `strata record`: one program for function entries (uprobe)
 * and one for returns (uretprobe), each in two copies — loaded for uprobe_multi links or for
 * single uprobes, since a program's expected attach type is fixed at load. Each hit reserves a
 * record in the ring buffer; when the buffer is full the hit is counted in `drops` instead, so
 * user space can say exactly how many events were lost. Compiled with clang -target bpf against
 * the running kernel's BTF (vmlinux.h), so pt_regs is read with CO-RE relocations. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ebpf/probe_event.h"

char LICENSE[] SEC("license") = "GPL";

/* 0: every process (the links already filter by pid); else only this tgid */
const volatile __u32 target_tgid = 0;

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

static __always_inline int emit(struct pt_regs *ctx, __u16 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct probe_event *e;

	if (target_tgid && (__u32)(id >> 32) != target_tgid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__u32 k = 0;
		__u64 *d = bpf_map_lookup_elem(&drops, &k);

		if (d)
			*d += 1;
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->cpu = (__u16)bpf_get_smp_processor_id();
	e->kind = kind;
	e->probe = (__u32)bpf_get_attach_cookie(ctx);
	e->ip = PT_REGS_IP_CORE(ctx);
	e->sp = PT_REGS_SP_CORE(ctx);
	if (kind == PEV_ENTRY) {
		if (bpf_probe_read_user(&e->ret_addr, sizeof(e->ret_addr), (void *)e->sp))
			e->ret_addr = 0;
		e->arg[0] = PT_REGS_PARM1_CORE(ctx);
		e->arg[1] = PT_REGS_PARM2_CORE(ctx);
		e->rv[0] = e->rv[1] = 0;
	} else {
		e->ret_addr = 0;
		e->arg[0] = e->arg[1] = 0;
		e->rv[0] = PT_REGS_RC_CORE(ctx);
		e->rv[1] = BPF_CORE_READ(ctx, dx);
	}
	bpf_ringbuf_submit(e, 0);
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
