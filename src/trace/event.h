/* event — the trace's event model and its compact binary encoding.
 *
 * Recording is cheap and dumb: the emulator appends encoded events to a per-hart buffer;
 * everything expensive (symbols, call stacks, SBI/syscall names, disassembly) happens when the
 * trace is read. An EVENTS chunk of the trace file (tfile.h) holds the events of one hart in
 * order; events carry the hart's retired-instruction count and the machine clock.
 *
 * Instruction tracing works like Intel PT: a TEV_RUN marks where straight-line execution
 * starts; the instructions of a run are the ones from its pc up to the next event's instret,
 * rebuilt from the code bytes that TEV_CODE events carry (a page's bytes are recorded when the
 * page is first executed and again whenever it changes). */
#ifndef STRATA_TRACE_EVENT_H
#define STRATA_TRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tev_type {
	TEV_RUN = 1,   /* pc: first instruction of a straight-line run */
	TEV_CALL = 2,  /* pc: the call instruction; addr: target; sp: sp after the call */
	TEV_RET = 3,   /* pc: the return instruction; addr: target; sp: sp after the return */
	TEV_TAIL = 4,  /* pc: the jump; addr: target (a function entry); sp */
	TEV_TRAP = 5,  /* cause (bit 63 = interrupt), tval, pc = epc, addr = handler,
			* priv -> new_priv; a[0..7] = a0..a7 at the trap */
	TEV_XRET = 6,  /* mret/sret: pc = the xret, addr = target, priv -> new_priv;
			* a[0], a[1] = a0, a1 (SBI/syscall return values) */
	TEV_MEM = 7,   /* mtrace: addr = vaddr, paddr, size, value, kind = TEV_MEM_* */
	TEV_MMIO = 8,  /* dtrace: paddr, size, value, kind = TEV_MEM_LOAD/STORE */
	TEV_CODE = 9,  /* code bytes: addr = vaddr of the page, paddr = its physical page,
			* data/len = the bytes (len <= 4096), satp = translation in force */
	TEV_MARK = 10, /* free text (data/len): start/stop of tracing, guest exit, notes */
	/* async tracing (--trace=async, src/async/): the future is `addr`, its task `task` (the
	 * top-level future the executor polls; task == addr for the task's own poll), `size` is
	 * the nesting depth (0 = the task), `pc` the poll function's entry (or the inlined copy's
	 * entry when kind has TEV_POLL_INLINED), which keys the TEV_FUTURE description. */
	TEV_POLL = 11,	   /* poll entry: value = __state before (TEV_STATE_NONE if none);
			    * waker = the Context's waker data pointer (task polls; else 0) */
	TEV_POLL_END = 12, /* poll exit: value = __state after; kind = enum tev_poll_result
			    * (| TEV_POLL_INLINED) */
	TEV_WAKE = 13,	   /* a waker vtable function was called: pc = its entry, kind = enum
			    * tev_wake_kind, addr = the waker's data pointer, task = the task
			    * running on this hart (0 if none); size = 1 if inside a trap
			    * handler, cause = that trap's cause */
	TEV_TASK = 14,	   /* a task seen for the first time: addr = future, pc = its poll fn */
	TEV_EXT = 15,	   /* encoding only: the real type (>= 16) follows in a byte */
	TEV_FUTURE = 16,   /* describes the future kind polled at pc: data/len = text
			    * (docs/TRACE-FORMAT.md "Futures"), written before its first poll */
	TEV_NTYPES
};

#define TEV_STATE_NONE	 UINT64_MAX /* hand-written futures have no __state */
#define TEV_POLL_INLINED 4u	    /* POLL/POLL_END kind bit: an inlined copy of the body */
#define TEV_POLL_CHAIN	 8u	    /* POLL_END kind bit (task polls): data/len hold the task's
				     * await chain (struct tev_link list) instead of nested events */
#define TEV_POLL_WAKER	 8u	    /* POLL kind bit: waker was read from the Context, even if 0
				     * (executors that use task indices as data pointers) */
enum tev_poll_result { TEV_READY = 0, TEV_PENDING = 1, TEV_RESULT_UNKNOWN = 2 };
enum tev_wake_kind { TEV_WAKE_CLONE = 0, TEV_WAKE_WAKE = 1, TEV_WAKE_BY_REF = 2, TEV_WAKE_DROP = 3 };

enum tev_mem_kind { TEV_MEM_LOAD = 0, TEV_MEM_STORE = 1, TEV_MEM_AMO = 2 };

/* Levels: a privilege with the H extension's V bit (priv | V << 2), as GDB's priv register. */
enum tev_level { TEV_U = 0, TEV_S = 1, TEV_M = 3, TEV_VU = 4, TEV_VS = 5, TEV_NLEVELS = 6 };
/* True for a level that exists (not 2). */
static inline bool tev_level_ok(unsigned l)
{
	return l < TEV_NLEVELS && l != 2;
}
/* True for VU and VS: the guest side of a hypervisor. */
static inline bool tev_level_virt(unsigned l)
{
	return l >= TEV_VU;
}

/* A trace numbers at most this many harts (tev.hart is a byte). */
#define TEV_MAX_HARTS 256

/* One decoded event. Fields not listed for a type are zero. */
struct tev {
	uint8_t type;     /* enum tev_type (never TEV_EXT) */
	uint8_t hart;     /* hart id (< TEV_MAX_HARTS) */
	uint8_t priv;     /* level at the event: 0 U, 1 S (HS), 3 M, 4 VU, 5 VS (enum tev_level) */
	uint8_t new_priv; /* TRAP/XRET: level after */
	uint8_t size;     /* MEM/MMIO: access size in bytes */
	uint8_t kind;     /* MEM/MMIO: enum tev_mem_kind */
	uint64_t instret; /* hart's retired instructions before the event's instruction */
	uint64_t time;    /* machine clock in instructions (mtime = time / 10 when deterministic);
			   * views use it as the timeline, 1 instruction = 1 ns */
	uint64_t pc;
	uint64_t addr;
	uint64_t paddr;
	uint64_t value;
	uint64_t cause, tval; /* TRAP */
	uint64_t sp;          /* CALL/RET/TAIL */
	uint64_t satp;        /* TRAP/XRET/CODE: address space (ASID and root) of the lower side:
			       * TRAP the level trapped from, XRET the level returned to, CODE the
			       * event's; vsatp at a guest level (VS, VU) */
	uint64_t hgatp;	      /* the same events at a guest level: the G-stage translation (VMID
			       * and root) of that side; 0 otherwise */
	uint64_t tval2;	      /* TRAP: htval/mtval2 (guest page faults: guest physical address >> 2) */
	uint64_t a[8];        /* TRAP: a0..a7; XRET: a0, a1 */
	uint64_t task;        /* POLL/POLL_END/WAKE: the task (top-level future) */
	uint64_t waker;       /* POLL: waker data pointer of the poll's Context (known when kind
			       * has TEV_POLL_WAKER or it is not 0) */
	const uint8_t *data;  /* CODE/MARK payload (points into the decoder's buffer) */
	uint32_t len;
};

/* Encoder state: events are delta-encoded against the previous one of the same hart. */
struct tev_enc {
	uint64_t last_instret, last_time, last_pc;
	bool byte_pc; /* code addresses are byte-granular (x86-64): pc deltas are not halved */
	uint64_t last_task;  /* async events: task addresses are deltas against the previous one */
	uint64_t last_wdata; /* WAKE: waker data pointers too */
};

/* The encoding tev_encode writes (trace file version 2); tev_decode reads versions 1 and 2. */
#define TEV_VERSION 2

/* Decoder state (one per hart stream). */
struct tev_dec {
	unsigned version; /* of the file: 1 (no guest levels, hgatp, tval2), 2; 0 means TEV_VERSION */
	uint64_t last_instret, last_time, last_pc;
	bool byte_pc; /* as in tev_enc: set from the EVENTS chunk's B flag */
	uint64_t last_task, last_wdata;
};

/* Largest encoded size of an event without payload; CODE/MARK/FUTURE add their len. */
#define TEV_MAX_ENCODED 160

/* Encode ev at buf (room for TEV_MAX_ENCODED + ev->len bytes). Returns the bytes written. */
size_t tev_encode(struct tev_enc *st, const struct tev *ev, uint8_t *buf);
/* Decode one event from [*p, end); advances *p. Returns 1, 0 at end, or -EINVAL if malformed
 * (the caller reports the offset). */
int tev_decode(struct tev_dec *st, const uint8_t **p, const uint8_t *end, struct tev *ev);
/* One future of a task poll's await chain (a TEV_POLL_CHAIN payload): polled from the task
 * poll's start (late = 0) or created and polled during it (late = 1) until its end. */
struct tev_link {
	uint64_t key;	     /* the future kind (a pc, as TEV_POLL's pc) */
	uint64_t addr;	     /* the future */
	uint64_t before;     /* __state at the start (late: Unresumed), or TEV_STATE_NONE */
	uint64_t after;	     /* __state at the end (gone: Returned), or TEV_STATE_NONE */
	unsigned parent;     /* 0: the task; else 1 + the index of the parent link */
	uint8_t depth;	     /* 1 = awaited by the task itself */
	uint8_t result;	     /* enum tev_poll_result */
	bool inlined, late;
};
/* Append link l of a chain (task: the task's future address, key: its pc) at buf, room for n
 * bytes (TEV_LINK_MAX is enough). Returns the bytes written. */
#define TEV_LINK_MAX 64
size_t tev_link_put(uint8_t *buf, uint64_t task, uint64_t key, const struct tev_link *l);
/* The next link of a POLL_END's chain at *off: 1, 0 at the end, -EINVAL if malformed. */
int tev_link_next(const struct tev *ev, size_t *off, struct tev_link *l);

/* Human name of a type ("call", "trap", ...), or "?" */
const char *tev_type_name(unsigned type);

#endif
