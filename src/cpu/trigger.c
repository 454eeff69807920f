/* trigger — the Sdtrig trigger module (debug spec 1.0): tselect, tdata1/2/3 and tinfo, with
 * address/data match triggers of type 2 (mcontrol, as QEMU 7.2 exposes it) and type 6
 * (mcontrol6) and instruction-count triggers of type 3 (icount).
 *
 * Nothing here costs anything while no trigger is armed. Execute triggers mark the decoded
 * slot at their address the way the debugger's breakpoints do (debug.c), so only that slot
 * checks; load/store triggers keep their pages out of the hart's data TLB, so only accesses to
 * those pages reach trig_mem() on the slow path; an icount trigger makes hart_run() step one
 * instruction at a time. A trigger's action is a field: 0 raises a breakpoint exception
 * (cause 3, tval = the matched address); the Debug Module will add 1 (enter Debug Mode). */
#include "cpu/hart.h"
#include "machine/machine.h"

#define TDATA1_TYPE(v)	((unsigned)((v) >> 60))
#define TDATA1_DMODE	(1ull << 59)
#define TYPE_NONE	0
#define TYPE_MCONTROL	2
#define TYPE_ICOUNT	3
#define TYPE_MCONTROL6	6
#define TYPE_DISABLED	15
/* the match fields shared by mcontrol and mcontrol6 */
#define MC_LOAD		(1ull << 0)
#define MC_STORE	(1ull << 1)
#define MC_EXECUTE	(1ull << 2)
#define MC_U		(1ull << 3)
#define MC_S		(1ull << 4)
#define MC_M		(1ull << 6)
#define MC_ACTION_SHIFT 12
#define MC_ACTION	(0xfull << MC_ACTION_SHIFT)
/* mcontrol: sizelo 17:16, sizehi 22:21; mcontrol6: size 18:16 */
#define MC2_SIZE  ((3ull << 16) | (3ull << 21))
#define MC6_SIZE  (7ull << 16)
#define MC6_VU_VS ((1ull << 23) | (1ull << 24))
/* icount */
#define IC_ACTION    0x3full
#define IC_U	     (1ull << 6)
#define IC_S	     (1ull << 7)
#define IC_PENDING   (1ull << 8)
#define IC_M	     (1ull << 9)
#define IC_COUNT_SHL 10
#define IC_COUNT     (0x3fffull << IC_COUNT_SHL)

/* What a trigger does when it fires (tdata1's action field). */
enum trig_action { TRIG_ACT_BREAKPOINT = 0, TRIG_ACT_DEBUG = 1 };
/* tdata1.dmode: only Debug Mode may write the trigger; it may then enter Debug Mode (action 1) */
#define TDATA1_DMODE (1ull << 59)

enum { CSR_TSELECT = 0x7a0, CSR_TDATA1, CSR_TDATA2, CSR_TDATA3, CSR_TINFO };

/* tinfo: the types every trigger supports, version 0 (Sdtrig 1.0 leaves it as QEMU reads) */
#define TINFO ((1u << TYPE_MCONTROL) | (1u << TYPE_ICOUNT) | (1u << TYPE_MCONTROL6))

void trig_reset(struct hart *h)
{
	/* as QEMU: every trigger starts as an mcontrol that matches nothing */
	for (unsigned i = 0; i < TRIG_COUNT; i++)
		h->trig[i] = (struct trig){(uint64_t)TYPE_MCONTROL << 60, 0, 0};
	h->tselect = 0;
	h->trig_data = h->trig_icount = false;
}

/* Whether an mcontrol/mcontrol6 value applies in privilege priv. */
static bool mc_priv(uint64_t t1, unsigned priv)
{
	static const uint64_t bit[4] = {MC_U, MC_S, 0, MC_M};

	return (t1 & bit[priv & 3]) != 0;
}

static bool is_match(uint64_t t1)
{
	return TDATA1_TYPE(t1) == TYPE_MCONTROL || TDATA1_TYPE(t1) == TYPE_MCONTROL6;
}

/* Sdtrig 1.0, 5.4: breakpoint-action triggers do not fire in M mode while MIE is clear (the
 * trap handler would trigger again); QEMU 7.2 lacks the rule (docs/DECISIONS.md). Nothing fires
 * in Debug Mode; a trigger that enters Debug Mode fires anywhere else. */
static bool may_fire(const struct hart *h, unsigned action)
{
	if (h->dmode)
		return false;
	return action == TRIG_ACT_DEBUG || h->priv != PRV_M || (h->mstatus & MSTATUS_MIE);
}

static unsigned mc_action(uint64_t t1)
{
	return (t1 & MC_ACTION) >> MC_ACTION_SHIFT;
}

static bool fire(struct hart *h, uint64_t t1, uint64_t tval)
{
	switch ((enum trig_action)((t1 & MC_ACTION) >> MC_ACTION_SHIFT)) {
	case TRIG_ACT_BREAKPOINT:
		h->exc_cause = EXC_BREAKPOINT;
		h->exc_tval = tval;
		return true;
	case TRIG_ACT_DEBUG: /* taken as a trap: trap_take() enters Debug Mode instead (dmode.c) */
		h->dm_trig = true;
		h->exc_cause = EXC_BREAKPOINT;
		h->exc_tval = tval;
		return true;
	}
	return false;
}

bool trig_exec(struct hart *h, uint64_t pc)
{
	for (unsigned i = 0; i < TRIG_COUNT; i++) {
		uint64_t t1 = h->trig[i].tdata1;

		if (is_match(t1) && (t1 & MC_EXECUTE) && mc_priv(t1, h->priv) &&
		    h->trig[i].tdata2 == pc && may_fire(h, mc_action(t1)))
			return fire(h, t1, pc);
	}
	return false;
}

bool trig_mem(struct hart *h, uint64_t vaddr, unsigned size, int acc)
{
	uint64_t want = acc == ACC_STORE ? MC_STORE : MC_LOAD;

	for (unsigned i = 0; i < TRIG_COUNT; i++) {
		uint64_t t1 = h->trig[i].tdata1, a = h->trig[i].tdata2;

		/* match = 0 (equal): any byte of the access at tdata2 */
		if (is_match(t1) && (t1 & want) && mc_priv(t1, h->priv) && a - vaddr < size &&
		    may_fire(h, mc_action(t1)))
			return fire(h, t1, a);
	}
	return false;
}

bool trig_data_page(const struct hart *h, uint64_t vpage)
{
	for (unsigned i = 0; i < TRIG_COUNT; i++) {
		uint64_t t1 = h->trig[i].tdata1;

		if (is_match(t1) && (t1 & (MC_LOAD | MC_STORE)) &&
		    (h->trig[i].tdata2 & ~PG_MASK) == vpage)
			return true;
	}
	return false;
}

unsigned trig_exec_addrs(const struct hart *h, uint64_t *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TRIG_COUNT; i++)
		if (is_match(h->trig[i].tdata1) && (h->trig[i].tdata1 & MC_EXECUTE))
			out[n++] = h->trig[i].tdata2 & ~1ull;
	return n;
}

/* ---- icount ---- */

static bool icount_armed(uint64_t t1)
{
	return TDATA1_TYPE(t1) == TYPE_ICOUNT && (t1 & IC_COUNT) && (t1 & (IC_U | IC_S | IC_M));
}

static bool ic_priv(uint64_t t1, unsigned priv)
{
	static const uint64_t bit[4] = {IC_U, IC_S, 0, IC_M};

	return (t1 & bit[priv & 3]) != 0;
}

uint64_t trig_icount_run(struct hart *h, uint64_t max_insns)
{
	uint64_t done = 0;

	/* one instruction at a time: each one that retires in a counted mode counts down, and
	 * the trigger fires (before the next instruction) when the count reaches zero */
	while (done < max_insns && !h->waiting && !h->dbg_stop && !h->dmode &&
	       !machine_stop_requested(h->m)) {
		unsigned priv = h->priv;
		uint64_t n = exec_run(h, 1);

		done += n;
		if (!n)
			break;
		for (unsigned i = 0; i < TRIG_COUNT; i++) {
			uint64_t *t1 = &h->trig[i].tdata1, c;

			if (!icount_armed(*t1) || !ic_priv(*t1, priv))
				continue;
			c = ((*t1 & IC_COUNT) >> IC_COUNT_SHL) - 1;
			*t1 = (*t1 & ~IC_COUNT) | (c << IC_COUNT_SHL);
			if (c == 0 && may_fire(h, *t1 & IC_ACTION) &&
			    fire(h, (*t1 & IC_ACTION) << MC_ACTION_SHIFT, 0))
				trap_take(h, h->exc_cause, h->exc_tval);
		}
		h->trig_icount = false;
		for (unsigned i = 0; i < TRIG_COUNT; i++)
			h->trig_icount |= icount_armed(h->trig[i].tdata1);
		if (!h->trig_icount)
			break;
	}
	return done;
}

/* ---- the CSRs ---- */

/* The value a write of v to tdata1 of a trigger leaves there (WARL). */
static uint64_t tdata1_legal(uint64_t old, uint64_t v, bool dm)
{
	uint64_t keep, r;

	if ((old & TDATA1_DMODE) && !dm)
		return old; /* the debugger's trigger */

	switch (TDATA1_TYPE(v)) {
	case TYPE_MCONTROL:
		/* as QEMU 7.2: match, chain, timing, select, hit read as zero; action 0 only */
		keep = MC2_SIZE | MC_M | MC_S | MC_U | MC_EXECUTE | MC_STORE | MC_LOAD;
		break;
	case TYPE_MCONTROL6:
		/* no H: vs/vu are zero; the same fields as mcontrol otherwise */
		keep = MC6_SIZE | MC_M | MC_S | MC_U | MC_EXECUTE | MC_STORE | MC_LOAD;
		break;
	case TYPE_ICOUNT:
		keep = IC_COUNT | IC_M | IC_S | IC_U | (IC_ACTION & TRIG_ACT_BREAKPOINT);
		break;
	case TYPE_NONE:
	case TYPE_DISABLED:
		/* Sdtrig 1.0: writing 0 must leave the trigger disabled, never "no trigger here"
		 * (type 0): it stays a match trigger with nothing enabled, which is what OpenOCD
		 * 0.12 looks for when it counts and reuses triggers (guests clear them this way) */
		if (is_match(old))
			return old & (0xfull << 60);
		return (uint64_t)TDATA1_TYPE(v) << 60;
	default:
		return old; /* an unsupported type: the write is ignored, as QEMU 7.2 does */
	}
	/* dmode is writable only from Debug Mode; action 1 (enter Debug Mode) needs dmode */
	r = (v & (0xfull << 60)) | (v & keep) | (dm ? v & TDATA1_DMODE : 0);
	if ((r & TDATA1_DMODE) && TDATA1_TYPE(v) == TYPE_ICOUNT && (v & IC_ACTION) == TRIG_ACT_DEBUG)
		r |= TRIG_ACT_DEBUG;
	else if ((r & TDATA1_DMODE) && is_match(v) && mc_action(v) == TRIG_ACT_DEBUG)
		r |= (uint64_t)TRIG_ACT_DEBUG << MC_ACTION_SHIFT;
	return r;
}

int trig_csr_read(struct hart *h, unsigned csr, uint64_t *v)
{
	const struct trig *t = &h->trig[h->tselect];

	switch (csr) {
	case CSR_TSELECT:
		*v = h->tselect;
		return 0;
	case CSR_TDATA1:
		*v = t->tdata1;
		return 0;
	case CSR_TDATA2:
		*v = t->tdata2;
		return 0;
	case CSR_TDATA3:
		*v = t->tdata3;
		return 0;
	case CSR_TINFO:
		*v = TINFO;
		return 0;
	}
	return -1;
}

int trig_csr_write(struct hart *h, unsigned csr, uint64_t v)
{
	struct trig *t = &h->trig[h->tselect];

	switch (csr) {
	case CSR_TSELECT:
		if (v < TRIG_COUNT) /* WARL: out-of-range selects are ignored, as QEMU 7.2 */
			h->tselect = (unsigned)v;
		return 0;
	case CSR_TDATA1:
		t->tdata1 = tdata1_legal(t->tdata1, v, h->dmode);
		break;
	case CSR_TDATA2:
		if (!(t->tdata1 & TDATA1_DMODE) || h->dmode)
			t->tdata2 = v;
		break;
	case CSR_TDATA3:
		t->tdata3 = 0; /* no textra fields: mhvalue/svalue selection is not implemented */
		return 0;
	case CSR_TINFO:
		return 0;
	default:
		return -1;
	}
	trig_changed(h);
	return 0;
}

void trig_changed(struct hart *h)
{
	bool data = false, icount = false;

	for (unsigned i = 0; i < TRIG_COUNT; i++) {
		uint64_t t1 = h->trig[i].tdata1;

		data |= is_match(t1) && (t1 & (MC_LOAD | MC_STORE));
		icount |= icount_armed(t1);
	}
	/* only a change of what is armed needs the TLB and the marks redone */
	if (data || h->trig_data)
		mmu_flush(h);
	h->trig_data = data;
	/* hart_run counts instructions one by one from the next one on: a guest's CSR write ends
	 * the run it is in; a debugger's write (the hart halted in Debug Mode) needs no yield */
	if (icount && !h->trig_icount && !h->dmode)
		machine_yield(h->m);
	h->trig_icount = icount;
	dbg_triggers_changed(h->cpu);
}
