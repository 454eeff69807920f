/* analysis — the reading side shared by every view: call stacks per hart, privilege level and
 * (for U mode) address space, and for a hypervisor's guest (VS, VU) per guest (hgatp: VMID and
 * root) and guest address space, built from CALL/RET/TAIL events; trap frames; SBI calls and Linux
 * system calls matched with their returns; self/total instruction counts per function; the
 * instructions of RUN events. The outputs see one stream of struct ana_ev.
 *
 * Stacks: a trap does not end the interrupted function; it pushes a trap frame on the handler's
 * stack (the new privilege), and the matching xRET pops it and resumes the interrupted stack.
 * Instruction counts are per stack: while a hart runs elsewhere (a trap, another address space),
 * the stack's clock stands still, so a function's counts are those of its own privilege. */
#ifndef STRATA_VIEWS_ANALYSIS_H
#define STRATA_VIEWS_ANALYSIS_H

#include "trace/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ana_kind {
	ANA_ENTER = 1, /* a frame was pushed: stack[depth - 1] */
	ANA_EXIT,      /* stack[depth - 1] is about to be popped; self/total counts set */
	ANA_TRAP,      /* on the interrupted track: cause name, ev has cause/tval/epc; text =
			* "gpa=0x..." for a guest page fault, else NULL */
	ANA_SBI_BEGIN, /* on the caller's S track: name, text = formatted call */
	ANA_SBI_END,   /* text = formatted result (NULL if the trace ended first) */
	ANA_SYS_BEGIN, /* on the caller's U track */
	ANA_SYS_END,
	ANA_MMIO, /* name = device register or NULL */
	ANA_MEM,
	ANA_INSN, /* pc, raw, len (len 0: code bytes unknown) */
	ANA_MARK, /* text = the mark's text */
	ANA_ASYNC, /* ev = a POLL, POLL_END, WAKE, TASK or FUTURE event (views/tasks.h names it) */
};

enum ana_frame_kind { ANA_FRAME_FUNC = 0, ANA_FRAME_TRAP = 1 };

struct ana_frame {
	const char *name; /* interned: equal names are the same pointer */
	uint64_t addr;	  /* function entry, or trap handler */
	uint64_t sp;	  /* sp at entry (resynchronisation) */
	uint64_t call_pc; /* the call instruction (return address matching); ~0 if none */
	uint64_t start;	  /* stack clock at entry */
	uint64_t child;	  /* instructions spent in callees */
	uint8_t kind;	  /* enum ana_frame_kind */
	bool recursive;	  /* the same function is deeper on this stack */
};

struct ana_ev {
	uint8_t kind; /* enum ana_kind */
	uint8_t hart;
	uint8_t priv;	/* the track: a level, 0 U, 1 S (HS), 3 M, 4 VU, 5 VS */
	uint32_t space; /* U, VU, VS: address space number on this hart and level (0, 1, ... in
			 * order seen) */
	uint64_t satp;	/* U, VU: the address space (ASID and root PPN; VU: vsatp's) */
	uint64_t hgatp; /* VU, VS: the guest (hgatp's VMID and root PPN) */
	uint64_t time;
	unsigned depth;		       /* frames on the track's stack */
	const struct ana_frame *stack; /* stack[0] bottom .. stack[depth - 1] top */
	const char *name;	       /* see enum ana_kind */
	const char *text;
	const struct tev *ev; /* the trace event behind this one; NULL for INSN and at the end */
	uint64_t self_insns, total_insns; /* EXIT */
	bool at_end;			  /* EXIT/SBI_END/SYS_END: closed because the trace ended */
	uint64_t id, fid;		  /* SBI: eid, fid; syscall: nr */
	uint64_t args[6];		  /* SBI/syscall BEGIN: a0..a5 */
	uint64_t ret[2];		  /* SBI END: a0, a1; syscall END: a0 */
	uint64_t pc;			  /* INSN */
	uint32_t raw;
	unsigned len;
};

/* Where names come from. Any member may be NULL (hex fallbacks); tests pass fakes, the
 * commands pass the trace's symbols and the sbi.h tables. */
struct ana_names_ops {
	const char *(*func)(void *ctx, unsigned priv, uint64_t addr);
	int (*code)(void *ctx, unsigned hart, uint64_t vaddr, uint32_t *raw);
	const char *(*mmio)(void *ctx, uint64_t paddr, char *buf, size_t n);
	const char *(*sbi_ext)(uint64_t eid);
	const char *(*sbi_name)(uint64_t eid, uint64_t fid);
	int (*sbi_call)(uint64_t eid, uint64_t fid, const uint64_t a[6], char *buf, size_t n);
	int (*sbi_ret)(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, char *buf, size_t n);
	const char *(*sys_name)(uint64_t nr);
	int (*sys_call)(uint64_t nr, const uint64_t a[6], char *buf, size_t n);
	int (*sys_ret)(uint64_t nr, uint64_t a0, char *buf, size_t n);
	int (*disasm)(void *ctx, uint64_t pc, uint32_t raw, unsigned len, char *out, size_t n);
	/* "FILE:LINE" of the function at addr, or NULL; set for native traces (docs/EBPF.md). */
	const char *(*srcline)(void *ctx, unsigned priv, uint64_t addr);
};

struct ana_stats {
	uint64_t events;
	uint64_t unmatched_rets;  /* RET with nothing to return from (counted, not fatal) */
	uint64_t resyncs;	  /* RET that did not match the top: stack resynchronised */
	uint64_t unmatched_xrets; /* xRET without a trap frame on its stack */
	unsigned max_depth;
};

/* Receives every analysed event; a non-zero return stops ana_feed()/ana_finish() with it. */
typedef int (*ana_emit_fn)(void *arg, const struct ana_ev *e);

struct ana;

/* New analysis; insns: rebuild and emit the instructions of RUN events. NULL + errno. */
struct ana *ana_new(const struct ana_names_ops *names, void *ctx, bool insns, ana_emit_fn emit,
		    void *arg);
void ana_free(struct ana *a);
/* Analyse one trace event (events of one hart in order). 0, -ENOMEM, or emit's return. */
int ana_feed(struct ana *a, const struct tev *ev);
/* Close every open frame and pending call (at_end set). 0 or emit's return. */
int ana_finish(struct ana *a);
const struct ana_stats *ana_stats(const struct ana *a);
/* "ecall_s", "load_page_fault", "s_timer", "exc_24", "irq_13" (cause bit 63 = interrupt). */
const char *ana_cause_name(uint64_t cause, char *buf, size_t n);
/* Privilege letter: 'U', 'S', 'M', or '?' */
char ana_priv_char(unsigned priv);
/* Level name: "U", "S", "M", "VU", "VS", or "?" */
const char *ana_level_name(unsigned level);
/* A track's name: "hart0 S", "hart0 U satp=0x...", "hart0 VS vmid=1", "hart0 VU vmid=1
 * satp=0x..." (sep between the hart and the rest: ' ', or ';' for folded stacks). */
const char *ana_track_name(unsigned hart, unsigned level, uint32_t space, uint64_t satp,
			   uint64_t hgatp, char sep, char *buf, size_t n);
/* A trap from a guest (VS, VU) to the hypervisor or the firmware: a guest exit. */
bool ana_guest_exit(const struct tev *ev);
/* A guest page fault's guest physical address (htval << 2 | tval's low bits), else UINT64_MAX. */
uint64_t ana_guest_paddr(const struct tev *ev);

#endif
