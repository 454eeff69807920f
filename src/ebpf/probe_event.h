/* probe_event — the record a uprobe or uretprobe program puts into the ring buffer; shared by
 * the BPF side (record.bpf.c) and the loader (session.c), so only fixed-width types. Recording
 * is cheap and dumb: names, depths and thread numbering are worked out in user space. */
#ifndef STRATA_EBPF_PROBE_EVENT_H
#define STRATA_EBPF_PROBE_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum { PEV_ENTRY = 1, PEV_EXIT = 2 };

struct probe_event {
	__u64 ts_ns;	  /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 ip;	  /* entry: the probed address; exit: where the function returns to */
	__u64 sp;	  /* stack pointer at the probe */
	__u64 ret_addr;	  /* entry: the return address (*sp) */
	__u64 arg[2];	  /* entry: the first two arguments (rdi, rsi) */
	__u64 rv[2];	  /* exit: the return registers (rax, rdx) */
	__u32 pid, tid;	  /* tgid and thread id */
	__u32 probe;	  /* the attach cookie: index of the probed function */
	__u16 cpu;
	__u16 kind;	  /* PEV_ENTRY / PEV_EXIT */
};

#endif
