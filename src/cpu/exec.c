/* exec — the interpreter: threaded dispatch (computed goto) over decoded RAM pages.
 *
 * Every instruction passes through DISPATCH(), the single point where retirement is counted;
 * it only counts and jumps. The always-on ring of recent instructions is written only where
 * straight-line execution starts (RING_MARK), and rebuilt from the decoded slots when printed.
 * Tracers hook there too, never per instruction: itrace at RING_MARK_TRACED, ftrace at
 * TRACE_JUMP, etrace in trap.c, mtrace/dtrace in mmu.c's slow paths.
 * Sequential flow walks the decoded page slot by slot; a jump inside the page is a pointer
 * computation; everything else (page crossing, traps, CSR writes, xRET) goes back through
 * `refetch`, which also takes pending interrupts. Loads and stores probe the soft TLB inline and
 * fall back to mmu.c. Guest values only ever index host memory through TLB entries that mmu.c
 * filled from bounds-checked machine_ram_ptr() results. */
#include "cpu/hart.h"
#include "cpu/bitmanip.h"
#include "cpu/exec_rv32.h"
#include "cpu/fpu_host.h"
#include "cpu/softfloat.h"
#include "machine/machine.h"
#include "trace/record.h"

#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the soft TLB copies guest memory directly: little-endian hosts only"
#endif

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

const void *exec_label_decode;
const void *exec_label_page_end;
const void *exec_label_bkpt;

static inline bool is_jump(unsigned op)
{
	return op == OP_JAL || op == OP_JALR || op == OP_BEQ || op == OP_BNE || op == OP_BLT ||
	       op == OP_BGE || op == OP_BLTU || op == OP_BGEU;
}

static inline uint16_t unbox16(uint64_t f)
{
	return (f >> 16) == 0xffffffffffffull ? (uint16_t)f : SF16_CANON_NAN;
}

static inline uint64_t box16(uint16_t v)
{
	return 0xffffffffffff0000ull | v;
}

static inline uint32_t unbox32(uint64_t f)
{
	return (f >> 32) == 0xffffffffu ? (uint32_t)f : SF32_CANON_NAN;
}

static inline uint64_t box32(uint32_t v)
{
	return 0xffffffff00000000ull | v;
}

static inline int64_t sext32(uint64_t v)
{
	return (int64_t)(int32_t)(uint32_t)v;
}

static inline uint64_t mulhu64(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t mulh64(int64_t a, int64_t b)
{
	return (uint64_t)(((__int128)a * b) >> 64);
}

static inline uint64_t mulhsu64(int64_t a, uint64_t b)
{
	return (uint64_t)(((__int128)a * (unsigned __int128)b) >> 64);
}

uint64_t exec_run(struct hart *h, uint64_t max)
{
	static const void *const labels[OP_COUNT] = {
#define RV_OP_LABEL(name) [OP_##name] = &&L_##name,
	    RV_OPS(RV_OP_LABEL)
#undef RV_OP_LABEL
	};
	/* an RV32 hart's handlers: labels with the overrides of exec_rv32.h */
	static const void *labels32[OP_COUNT];
	if (!h) {
		memcpy(labels32, labels, sizeof(labels));
#define RV32_W_LABEL(op, w) labels32[OP_##op] = &&L_##w;
#define RV32_OWN_LABEL(op)  labels32[OP_##op] = &&L32_##op;
		RV32_AS_W(RV32_W_LABEL)
		RV32_OWN(RV32_OWN_LABEL)
#undef RV32_W_LABEL
#undef RV32_OWN_LABEL
		/* label addresses are constants valid for the program's life; gcc 12 mistakes them
		 * for addresses of locals */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
		exec_label_decode = &&L_DECODE;
		exec_label_page_end = &&L_PAGE_END;
		exec_label_bkpt = &&L_BKPT;
#pragma GCC diagnostic pop
		return 0;
	}

	uint64_t *const x = h->x;
	const bool rv32 = h->cpu->isa & ISA_RV32;
	/* handlers are picked when a slot is decoded: XLEN costs nothing per instruction */
	const void *const *const ltab = rv32 ? labels32 : labels;
	int64_t start = max > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)max;
	int64_t budget = start;
	uint64_t instret_base = h->instret;
	/* pc is only live on the way to refetch; elsewhere PC() derives it from the slot */
	uint64_t pc = h->pc, pc_page = 0;
	struct dinsn *e = NULL, *base = NULL;
	struct dpage *dp = NULL;
	struct tlb_entry *tld = NULL, *tst = NULL;
	unsigned rp = h->ring_pos;
	const unsigned tmask = h->tmask; /* what is being traced: fixed for this run */
	/* a jump to t stays in the decoded page if t - pc_page < jump_limit (PG_SIZE, or 0 to send
	 * every jump through refetch: uncached code, or itrace recording each run) */
	uint64_t jump_limit = 0;
	uint64_t addr, val;
	unsigned rm;

	fpu_host_take_flags(); /* whatever the host left there is not this hart's */

/* The single point every instruction passes: count and dispatch. */
#define DISPATCH()                                                                                 \
	do {                                                                                       \
		if (unlikely(budget <= 0))                                                         \
			goto out;                                                                  \
		budget--;                                                                          \
		goto * e->handler;                                                                 \
	} while (0)
/* The debugger stopped the hart inside the current instruction (a watchpoint): end the run
 * after it, keeping INSNS() as it is. */
#define END_IF_DEBUG_STOP()                                                                        \
	do {                                                                                       \
		if (unlikely(h->dbg_stop)) {                                                       \
			start -= budget;                                                           \
			budget = 0;                                                                \
		}                                                                                  \
	} while (0)
/* Instructions retired so far in this hart's life (before the one being dispatched). */
#define INSNS() (instret_base + (start - budget))
/* The guest pc of the current slot: slots are 32 bytes per 2 bytes of code. */
#define PC() (pc_page + (((uintptr_t)e - (uintptr_t)base) >> 4))
/* Execution starts a straight-line run at pcv/slot: remember it in the ring. */
#define RING_MARK(pcv, slot, rawv)                                                                 \
	do {                                                                                       \
		struct ring_ent *r_ = &h->ring[rp++ % RING_SIZE];                                  \
		r_->pc = (pcv);                                                                    \
		r_->instret = instret_base + (start - budget);                                     \
		r_->e = (slot);                                                                    \
		r_->raw = (rawv);                                                                  \
	} while (0)
/* The same where a run may start while itrace records (refetch, uncached code): in-page jumps
 * never get here with itrace on, because jump_limit sends them through refetch. */
#define RING_MARK_TRACED(pcv, slot, rawv)                                                          \
	do {                                                                                       \
		RING_MARK(pcv, slot, rawv);                                                        \
		if (unlikely(tmask & REC_ITRACE)) {                                                \
			h->instret = INSNS();                                                      \
			hook_run(h, (pcv), (slot) ? dp : NULL, (rawv), (slot) ? 0 : e->len);       \
		}                                                                                  \
	} while (0)
#define NEXT()                                                                                     \
	do {                                                                                       \
		e = (struct dinsn *)((char *)e + e->step);                                         \
		DISPATCH();                                                                        \
	} while (0)
#define JUMP(target)                                                                               \
	do {                                                                                       \
		uint64_t t_ = (target);                                                            \
		if (likely(t_ - pc_page < jump_limit)) {                                           \
			e = base + ((t_ - pc_page) >> 1);                                          \
			RING_MARK(t_, e, 0);                                                       \
			DISPATCH();                                                                \
		}                                                                                  \
		pc = t_;                                                                           \
		goto refetch;                                                                      \
	} while (0)
#define RD  x[e->rd]
#define RS1 x[e->rs1]
#define RS2 x[e->rs2]
#define IMM ((int64_t)e->imm)
#define ILLEGAL()                                                                                  \
	do {                                                                                       \
		h->exc_cause = EXC_ILLEGAL;                                                        \
		h->exc_tval = e->raw;                                                              \
		goto exc_insn;                                                                     \
	} while (0)
/* H: an instruction VS/VU may not run but HS could (the hypervisor emulates it) */
#define VIRT_INSN()                                                                                \
	do {                                                                                       \
		h->exc_cause = EXC_VIRT_INSN;                                                      \
		h->exc_tval = e->raw;                                                              \
		goto exc_insn;                                                                     \
	} while (0)
/* Inline TLB probe: the tag compare also fails for a misaligned address, sending it slow. */
#define TLB_HIT(tlb, a, size)                                                                      \
	((tlb)[((a) >> PG_SHIFT) & (TLB_SIZE - 1)].vtag ==                                         \
	 ((a) & ~(PG_MASK & ~(uint64_t)((size)-1))))
#define TLB_HOST(tlb, a) ((void *)((tlb)[((a) >> PG_SHIFT) & (TLB_SIZE - 1)].addend + (a)))
#define LOAD(ctype, size)                                                                          \
	do {                                                                                       \
		addr = RS1 + IMM;                                                                  \
		if (likely(TLB_HIT(tld, addr, size))) {                                            \
			ctype v_;                                                                  \
			memcpy(&v_, TLB_HOST(tld, addr), size);                                    \
			val = (uint64_t)(int64_t)v_;                                               \
		} else {                                                                           \
			uint64_t s_; /* its address escapes: keep it out of the hot locals */      \
			h->instret = INSNS() - 1;                                                  \
			if (mmu_load(h, addr, size, &s_) < 0)                                      \
				goto exc_insn;                                                     \
			val = (uint64_t)(int64_t)(ctype)s_;                                        \
			END_IF_DEBUG_STOP();                                                       \
		}                                                                                  \
	} while (0)
#define STORE(size, value)                                                                         \
	do {                                                                                       \
		addr = RS1 + IMM;                                                                  \
		val = (value);                                                                     \
		if (likely(TLB_HIT(tst, addr, size))) {                                            \
			memcpy(TLB_HOST(tst, addr), &val, size);                                   \
		} else {                                                                           \
			h->instret = INSNS() - 1;                                                  \
			if (mmu_store(h, addr, size, val) < 0)                                     \
				goto exc_insn;                                                     \
			pc = PC() + e->len;                                                        \
			goto after_slow_store;                                                     \
		}                                                                                  \
	} while (0)

/* Without C every control transfer must land on a 4-byte boundary: jumps and branches go
 * through L_JUMP_NOC first, which raises the misaligned-target exception or runs the real
 * handler. (With C off every pc is 4-aligned, so only the target needs checking.) */
#define SET_HANDLER(s)                                                                             \
	do {                                                                                       \
		(s)->handler = ltab[(s)->op];                                                      \
		if (unlikely(!isa_has(h->cpu->isa, ISA_C)) && is_jump((s)->op))                    \
			(s)->handler = &&L_JUMP_NOC;                                               \
	} while (0)

	goto refetch;

	/* ---------------- fetch ---------------- */
refetch:
	if (unlikely(csr_mip(h) & h->mie)) {
		uint64_t irq = trap_pending_irq(h);

		if (irq && !h->dbg_step) {
			h->pc = pc;
			h->instret = INSNS();
			trap_take(h, irq, 0);
			pc = h->pc;
		}
	}
	tld = h->ts_data->ld;
	tst = h->ts_data->st;
	{
		struct itlb_entry *ie = &h->ts_fetch->x[(pc >> PG_SHIFT) & (TLB_SIZE - 1)];

		if (likely(ie->vtag == (pc & ~PG_MASK))) {
			dp = ie->dp;
		} else {
			uint32_t raw = 0;
			int raw_ok;

			if (rv32) /* a jump past either end of the 32-bit space wraps */
				pc = (uint32_t)pc;
			h->pc = pc;
			dp = mmu_fetch(h, pc, &raw, &raw_ok);
			if (!dp) {
				if (!raw_ok)
					goto exc_take;
				e = &h->tmp[0];
				decode(raw, h->cpu->isa, e);
				goto uncached;
			}
		}
	}
	pc_page = pc & ~PG_MASK;
	base = dp->d;
	jump_limit = (tmask & REC_ITRACE) ? 0 : PG_SIZE;
	if (unlikely(h->idle_probe)) {
		/* idle fixpoint elision (idle.c): every run of straight-line code starts here and
		 * every access takes the slow path while it looks */
		int64_t n = idle_visit(h, pc, dp, INSNS(), budget, &rp);

		if (n >= 0) {
			budget -= n; /* retired without being executed */
			start -= budget;
			budget = 0;
			goto out_pc;
		}
		if (h->idle_probe) {
			jump_limit = 0;
			if (n == -1)
				tld = tst = idle_no_tlb;
		}
	}
	e = base + ((pc & PG_MASK) >> 1);
	RING_MARK_TRACED(pc, e, 0);
	DISPATCH();

L_DECODE : {
	unsigned idx = e - dp->d;
	const uint8_t *p = dp->host + 2 * idx;
	uint32_t raw = p[0] | (uint32_t)p[1] << 8;

	if ((raw & 3) == 3) {
		if (idx == DPAGE_SLOTS - 1) {
			/* a 32-bit instruction crossing into the next page: never cached */
			pc = PC();
			h->pc = pc;
			if (mmu_fetch_raw(h, pc, &raw) < 0) {
				budget++;
				goto exc_take;
			}
			budget++; /* counted again on the uncached path */
			e = &h->tmp[0];
			decode(raw, h->cpu->isa, e);
			goto uncached;
		}
		raw |= (uint32_t)(p[2] | (uint32_t)p[3] << 8) << 16;
	}
	decode(raw, h->cpu->isa, e);
	SET_HANDLER(e);
	e->step = e->len * (sizeof(struct dinsn) / 2);
	if (e->rd == 0 && !decode_op_fp_rd(e->op))
		e->rd = 32;
	goto * e->handler;
}

uncached: /* e = h->tmp[0] holds the instruction at pc; tmp[1..2] lead back to refetch */
	if (unlikely(h->idle_probe))
		idle_abort(h);
	if (unlikely(h->cpu->dbg.nbp | h->cpu->dbg.ntrig_x)) {
		if (dbg_break(h, pc, INSNS()))
			goto out_pc;
		if (h->cpu->dbg.ntrig_x && trig_exec(h, pc))
			goto exc_take;
	}
uncached_nobreak:
	SET_HANDLER(e);
	e->step = e->len * (sizeof(struct dinsn) / 2);
	if (e->rd == 0 && !decode_op_fp_rd(e->op))
		e->rd = 32;
	h->tmp[1].handler = h->tmp[2].handler = &&L_PAGE_END;
	h->tmp[1].raw = h->tmp[2].raw = 0;
	dp = NULL;
	base = e;
	pc_page = pc;
	jump_limit = 0; /* no page to jump within */
	RING_MARK_TRACED(pc, NULL, e->raw);
	DISPATCH();

L_PAGE_END:
	/* a sentinel, not an instruction: undo DISPATCH()'s count */
	budget++;
	pc = PC();
	goto refetch;

L_BKPT : { /* a slot marked for a breakpoint (debug.c): stop, or run its instruction uncached */
	uint32_t raw;

	budget++; /* not retired here: counted again when it runs */
	pc = PC();
	if (dbg_break(h, pc, INSNS()))
		goto out_pc;
	if (h->cpu->dbg.ntrig_x && trig_exec(h, pc)) /* an execute trigger of this hart */
		goto exc_take;
	h->pc = pc;
	if (mmu_fetch_raw(h, pc, &raw) < 0)
		goto exc_take;
	e = &h->tmp[0];
	decode(raw, h->cpu->isa, e);
	goto uncached_nobreak;
}

after_slow_store:
	/* an MMIO store may have raised an interrupt or asked the machine to stop */
	if (unlikely(machine_stop_requested(h->m) || h->dbg_stop))
		goto out_pc;
	goto refetch;

	/* ---------------- traps ---------------- */
exc_insn: /* the instruction in slot e raised h->exc_cause and did not retire */
	budget++;
	pc = PC();
exc_take:
	h->pc = pc;
	h->instret = INSNS();
	h->ring_pos = rp; /* --dump-ring-on prints it from trap_take */
	trap_take(h, h->exc_cause, h->exc_tval);
	pc = h->pc;
	if (unlikely(h->dbg_step || h->dbg_stop || h->dm_active))
		goto out_pc; /* a step ends on entering a trap; an event stop on taking one */
	if (unlikely(h->instret == h->trap_insns)) {
		if (++h->trap_repeats >= TRAP_STORM)
			goto out_pc;
	} else {
		h->trap_insns = h->instret;
		h->trap_repeats = 0;
	}
	goto refetch;

L_JUMP_NOC : {
	uint64_t t = e->op == OP_JALR ? (RS1 + IMM) & ~1ull : PC() + IMM;
	bool taken = true;

	switch (e->op) {
	case OP_BEQ:
		taken = RS1 == RS2;
		break;
	case OP_BNE:
		taken = RS1 != RS2;
		break;
	case OP_BLT:
		taken = (int64_t)RS1 < (int64_t)RS2;
		break;
	case OP_BGE:
		taken = (int64_t)RS1 >= (int64_t)RS2;
		break;
	case OP_BLTU:
		taken = RS1 < RS2;
		break;
	case OP_BGEU:
		taken = RS1 >= RS2;
		break;
	}
	if (taken && (t & 3)) {
		/* the spec's mtval, the target (QEMU 7.2 writes a stale pc: docs/DECISIONS.md) */
		h->exc_cause = EXC_INSN_MISALIGNED;
		h->exc_tval = rv32 ? (uint32_t)t : t;
		goto exc_insn;
	}
	goto *ltab[e->op];
}

	/* ---------------- RV64I ---------------- */
L_ILLEGAL:
	ILLEGAL();
L_LUI:
	RD = IMM;
	NEXT();
L_AUIPC:
	RD = PC() + IMM;
	NEXT();
#define TRACE_JUMP(target)                                                                         \
	do {                                                                                       \
		if (unlikely(tmask & REC_FTRACE)) {                                                \
			h->instret = INSNS() - 1;                                                  \
			hook_jump(h, PC(), (target), e->rd, e->op == OP_JALR ? e->rs1 : 0);        \
			/* an async breakpoint (gdb/abrk.c) stops right after the call or return */ \
			END_IF_DEBUG_STOP();                                                       \
		}                                                                                  \
	} while (0)
L_JAL : {
	uint64_t t = PC() + IMM;
	RD = PC() + e->len;
	TRACE_JUMP(t);
	JUMP(t);
}
L_JALR : {
	uint64_t t = (RS1 + IMM) & ~1ull;
	/* the hook reads the link register's old value through rs1: trace before writing rd */
	TRACE_JUMP(t);
	RD = PC() + e->len;
	JUMP(t);
}
#define BRANCH(cond)                                                                               \
	do {                                                                                       \
		if (cond)                                                                          \
			JUMP(PC() + IMM);                                                          \
		NEXT();                                                                            \
	} while (0)
L_BEQ:
	BRANCH(RS1 == RS2);
L_BNE:
	BRANCH(RS1 != RS2);
L_BLT:
	BRANCH((int64_t)RS1 < (int64_t)RS2);
L_BGE:
	BRANCH((int64_t)RS1 >= (int64_t)RS2);
L_BLTU:
	BRANCH(RS1 < RS2);
L_BGEU:
	BRANCH(RS1 >= RS2);
L_LB:
	LOAD(int8_t, 1);
	RD = val;
	NEXT();
L_LH:
	LOAD(int16_t, 2);
	RD = val;
	NEXT();
L_LW:
	LOAD(int32_t, 4);
	RD = val;
	NEXT();
L_LD:
	LOAD(int64_t, 8);
	RD = val;
	NEXT();
L_LBU:
	LOAD(uint8_t, 1);
	RD = val;
	NEXT();
L_LHU:
	LOAD(uint16_t, 2);
	RD = val;
	NEXT();
L_LWU:
	LOAD(uint32_t, 4);
	RD = val;
	NEXT();
L_SB:
	STORE(1, RS2);
	NEXT();
L_SH:
	STORE(2, RS2);
	NEXT();
L_SW:
	STORE(4, RS2);
	NEXT();
L_SD:
	STORE(8, RS2);
	NEXT();
L_ADDI:
	RD = RS1 + IMM;
	NEXT();
L_SLTI:
	RD = (int64_t)RS1 < IMM;
	NEXT();
L_SLTIU:
	RD = RS1 < (uint64_t)IMM;
	NEXT();
L_XORI:
	RD = RS1 ^ IMM;
	NEXT();
L_ORI:
	RD = RS1 | IMM;
	NEXT();
L_ANDI:
	RD = RS1 & IMM;
	NEXT();
L_SLLI:
	RD = RS1 << (e->imm & 63);
	NEXT();
L_SRLI:
	RD = RS1 >> (e->imm & 63);
	NEXT();
L_SRAI:
	RD = (uint64_t)((int64_t)RS1 >> (e->imm & 63));
	NEXT();
L_ADD:
	RD = RS1 + RS2;
	NEXT();
L_SUB:
	RD = RS1 - RS2;
	NEXT();
L_SLL:
	RD = RS1 << (RS2 & 63);
	NEXT();
L_SLT:
	RD = (int64_t)RS1 < (int64_t)RS2;
	NEXT();
L_SLTU:
	RD = RS1 < RS2;
	NEXT();
L_XOR:
	RD = RS1 ^ RS2;
	NEXT();
L_SRL:
	RD = RS1 >> (RS2 & 63);
	NEXT();
L_SRA:
	RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63));
	NEXT();
L_OR:
	RD = RS1 | RS2;
	NEXT();
L_AND:
	RD = RS1 & RS2;
	NEXT();
L_ADDIW:
	RD = sext32(RS1 + IMM);
	NEXT();
L_SLLIW:
	RD = sext32((uint32_t)RS1 << (e->imm & 31));
	NEXT();
L_SRLIW:
	RD = sext32((uint32_t)RS1 >> (e->imm & 31));
	NEXT();
L_SRAIW:
	RD = (uint64_t)(int64_t)((int32_t)RS1 >> (e->imm & 31));
	NEXT();
L_ADDW:
	RD = sext32(RS1 + RS2);
	NEXT();
L_SUBW:
	RD = sext32(RS1 - RS2);
	NEXT();
L_SLLW:
	RD = sext32((uint32_t)RS1 << (RS2 & 31));
	NEXT();
L_SRLW:
	RD = sext32((uint32_t)RS1 >> (RS2 & 31));
	NEXT();
L_SRAW:
	RD = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31));
	NEXT();
L_FENCE:
	NEXT();
L_FENCE_I:
	NEXT(); /* stores invalidate decoded code as they happen */
L_ECALL:
	h->exc_cause = h->virt && h->priv == PRV_S ? EXC_ECALL_VS : EXC_ECALL_U + h->priv;
	h->exc_tval = 0;
	goto exc_insn;
L_EBREAK:
	if (unlikely(dmode_ebreak_bit(h))) { /* Debug Mode: the hart halts at the ebreak */
		budget++;
		pc = PC();
		dmode_enter(h, pc, DM_CAUSE_EBREAK);
		goto out_pc;
	}
	if (unlikely(h->cpu->ebreak_halts)) { /* NEMU's good/bad trap: it retires, the run ends */
		pc = PC();
		machine_guest_halt(h->m, pc, x[10]);
		pc += e->len;
		goto out_pc;
	}
	h->exc_cause = EXC_BREAKPOINT;
	h->exc_tval = 0; /* the spec allows 0 or the pc; QEMU, our reference, writes 0 */
	goto exc_insn;

	/* ---------------- Zicsr ---------------- */
#define CSR_OP(kind, operand, write)                                                               \
	do {                                                                                       \
		uint64_t old_, opnd_ = (operand);                                                  \
		bool w_ = (write);                                                                 \
		if (unlikely(h->idle_probe) && !idle_csr_ok((unsigned)e->imm & 0xfff, w_))        \
			idle_abort(h);                                                             \
		h->instret = instret_base + (start - budget) - 1;                                  \
		h->pc = PC();                                                                      \
		h->fflags |= fpu_host_take_flags();                                                \
		int rc_ = csr_access(h, (unsigned)e->imm & 0xfff, kind, opnd_, w_, &old_);         \
		if (rc_ < 0) {                                                                     \
			instret_base = h->instret + 1 - (start - budget);                          \
			if (rc_ == -2)                                                             \
				VIRT_INSN();                                                       \
			ILLEGAL();                                                                 \
		}                                                                                  \
		instret_base = h->instret + 1 - (start - budget);                                  \
		RD = old_;                                                                         \
		if (!w_)                                                                           \
			NEXT();                                                                    \
		pc = PC() + e->len;                                                                \
		/* a satp write for the debugger's library check; a timer CSR write */             \
		if (unlikely(h->dbg_stop || machine_stop_requested(h->m)))                         \
			goto out_pc;                                                               \
		goto refetch;                                                                      \
	} while (0)
L_CSRRW:
	CSR_OP(CSR_RW, RS1, true);
L_CSRRS:
	CSR_OP(CSR_RS, RS1, e->rs1 != 0);
L_CSRRC:
	CSR_OP(CSR_RC, RS1, e->rs1 != 0);
L_CSRRWI:
	CSR_OP(CSR_RW, e->rs1, true);
L_CSRRSI:
	CSR_OP(CSR_RS, e->rs1, e->rs1 != 0);
L_CSRRCI:
	CSR_OP(CSR_RC, e->rs1, e->rs1 != 0);

	/* ---------------- privileged ---------------- */
L_MRET:
	h->pc = PC(); /* for the xRET trace event */
	h->instret = INSNS() - 1;
	if (trap_mret(h) < 0)
		ILLEGAL();
	pc = h->pc;
	if (unlikely(h->dbg_stop))
		goto out_pc;
	goto refetch;
L_SRET : {
	int rc;

	h->pc = PC();
	h->instret = INSNS() - 1;
	rc = trap_sret(h);
	if (rc == -2)
		VIRT_INSN();
	if (rc < 0)
		ILLEGAL();
}
	pc = h->pc;
	if (unlikely(h->dbg_stop))
		goto out_pc;
	goto refetch;
L_DRET: /* leave Debug Mode at dpc (dmode.c); illegal anywhere else */
	if (!h->dmode)
		ILLEGAL();
	h->instret = INSNS();
	hart_dm_resume(h);
	h->dm_done = true; /* ends the program buffer's run: the hart now runs on its own */
	pc = h->pc;
	goto out_pc;
L_WFI:
	if ((h->priv == PRV_U && !h->virt) || (h->priv != PRV_M && (h->mstatus & MSTATUS_TW)))
		ILLEGAL();
	if (h->virt && (h->priv == PRV_U || (h->hstatus & HSTATUS_VTW)))
		VIRT_INSN();
	pc = PC() + e->len;
	if (!(csr_mip(h) & h->mie)) {
		h->waiting = true;
		goto out_pc;
	}
	goto refetch;
L_SFENCE_VMA:
	if (h->virt && (h->priv == PRV_U || (h->hstatus & HSTATUS_VTVM)))
		VIRT_INSN();
	if (h->priv == PRV_U || (h->priv == PRV_S && !h->virt && (h->mstatus & MSTATUS_TVM)))
		ILLEGAL();
	if (e->rs1)
		mmu_flush_page(h, RS1);
	else if (h->virt) /* VS's own translations only: its VMID's */
		hyp_flush_vmid(h, hyp_vmid(h));
	else
		mmu_flush(h);
	pc = PC() + e->len;
	goto refetch;

	/* ---------------- M ---------------- */
L_MUL:
	RD = RS1 * RS2;
	NEXT();
L_MULH:
	RD = mulh64((int64_t)RS1, (int64_t)RS2);
	NEXT();
L_MULHSU:
	RD = mulhsu64((int64_t)RS1, RS2);
	NEXT();
L_MULHU:
	RD = mulhu64(RS1, RS2);
	NEXT();
L_DIV : {
	int64_t a = (int64_t)RS1, b = (int64_t)RS2;
	RD = b == 0 ? ~0ull : (a == INT64_MIN && b == -1) ? (uint64_t)a : (uint64_t)(a / b);
	NEXT();
}
L_DIVU:
	RD = RS2 == 0 ? ~0ull : RS1 / RS2;
	NEXT();
L_REM : {
	int64_t a = (int64_t)RS1, b = (int64_t)RS2;
	RD = b == 0 ? (uint64_t)a : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
	NEXT();
}
L_REMU:
	RD = RS2 == 0 ? RS1 : RS1 % RS2;
	NEXT();
L_MULW:
	RD = sext32((uint64_t)((int32_t)RS1 * (int64_t)(int32_t)RS2));
	NEXT();
L_DIVW : {
	int32_t a = (int32_t)RS1, b = (int32_t)RS2;
	RD = b == 0 ? ~0ull : (uint64_t)((a == INT32_MIN && b == -1) ? sext32(a) : sext32(a / b));
	NEXT();
}
L_DIVUW : {
	uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
	RD = b == 0 ? ~0ull : (uint64_t)sext32(a / b);
	NEXT();
}
L_REMW : {
	int32_t a = (int32_t)RS1, b = (int32_t)RS2;
	RD = b == 0 ? sext32(a) : (a == INT32_MIN && b == -1) ? 0 : sext32(a % b);
	NEXT();
}
L_REMUW : {
	uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
	RD = b == 0 ? sext32(a) : sext32(a % b);
	NEXT();
}

#include "cpu/exec_amo.h"
#include "cpu/exec_bitmanip.h"
#include "cpu/exec_fp.h"
#include "cpu/exec_hyp.h"
#include "cpu/exec_priv.h"
#include "cpu/exec_zfh.h"
#define EXEC_RV32_HANDLERS
#include "cpu/exec_rv32.h"
#undef EXEC_RV32_HANDLERS

out: /* e is the next instruction to run */
	pc = PC();
out_pc: /* pc is the next instruction to run */
	h->fflags |= fpu_host_take_flags();
	h->pc = pc;
	h->ring_pos = rp;
	h->instret = instret_base + (start - budget);
	return start - budget;
}
