/* trap — exception and interrupt entry, delegation, mret/sret. */
#include "cpu/hart.h"
#include "trace/record.h"

#include <inttypes.h>
#include <stdio.h>

#define IRQ_BIT (1ull << 63)

void hart_update_tlb_sets(struct hart *h)
{
	unsigned dpriv = h->priv, dvirt = h->virt;
	uint64_t sum = h->mstatus & MSTATUS_SUM;
	unsigned set;

	if (h->priv == PRV_M && (h->mstatus & MSTATUS_MPRV)) {
		dpriv = (h->mstatus & MSTATUS_MPP) >> 11;
		/* MPRV with MPV: VS's SUM, which sits in alt while V=0 (hyp.c) */
		dvirt = dpriv != PRV_M && (h->mstatus & MSTATUS_MPV);
		if (dvirt)
			sum = h->alt.status & MSTATUS_SUM;
	}
	if (dpriv == PRV_M)
		set = TS_M;
	else if (dpriv == PRV_S)
		set = dvirt ? h->vg_first + (sum ? TS_VSSUM : TS_VS) : sum ? TS_SSUM : TS_S;
	else
		set = dvirt ? h->vg_first + TS_VU : TS_U;
	h->ts_data = &h->tlbs[set];
	if (h->virt)
		h->ts_fetch = &h->tlbs[h->vg_first + (h->priv == PRV_S ? TS_VS : TS_VU)];
	else
		h->ts_fetch = &h->tlbs[h->priv == PRV_M ? TS_M : h->priv == PRV_S ? TS_S : TS_U];
	if (dvirt || h->virt)
		h->vtlb_used = true;
}

/* Whether a trap's tval is an address (what GVA reports as guest virtual, H). */
static bool addr_cause(unsigned code)
{
	return code <= EXC_STORE_ACCESS
		   ? code != EXC_ILLEGAL && code != EXC_BREAKPOINT
		   : code == EXC_INSN_PAGE || code == EXC_LOAD_PAGE || code == EXC_STORE_PAGE ||
			 code == EXC_INSN_GUEST_PAGE || code == EXC_LOAD_GUEST_PAGE ||
			 code == EXC_STORE_GUEST_PAGE;
}

void trap_take(struct hart *h, uint64_t cause, uint64_t tval)
{
	bool irq = cause >> 63;
	unsigned code = cause & 63;
	uint64_t deleg = irq ? h->mideleg : h->medeleg;
	uint64_t tvec, epc = h->pc;
	unsigned old_priv = hart_level(h), target = LVL_M;
	bool gva = false;
	uint64_t gpa = 0;

	if (h->dm_trig) { /* a trigger with action 1: Debug Mode at the instruction (dmode.c) */
		h->dm_trig = false;
		dmode_enter(h, h->pc, DM_CAUSE_TRIGGER);
		return;
	}
	if (h->dmode) { /* no trap in Debug Mode: the Debug Module reports it */
		h->dm_exc = true;
		return;
	}
	h->waiting = false;
	if (!irq && ((h->ring_causes >> code) & 1)) {
		fprintf(stderr,
			"strata: hart %u: exception %u, tval 0x%" PRIx64 " (--dump-ring-on)\n",
			h->hartid, code, tval);
		hart_dump(h, stderr);
	}
	if (isa_has(h->cpu->isa, ISA_H)) {
		target = hyp_trap_target(h, cause);
		gva = !irq && addr_cause(code) && (h->virt || h->exc_gva);
		if (code == EXC_INSN_GUEST_PAGE || code == EXC_LOAD_GUEST_PAGE ||
		    code == EXC_STORE_GUEST_PAGE)
			gpa = h->exc_gpa >> 2;
		if (target == LVL_VS) {
			/* VS sees its interrupts as the S ones (VSSIP 2 -> SSIP 1, ...) */
			if (irq) {
				cause -= 1;
				code -= 1;
			}
		} else if (target == LVL_S) {
			h->hstatus &= ~(HSTATUS_SPV | HSTATUS_GVA);
			if (h->virt)
				h->hstatus = (h->hstatus & ~HSTATUS_SPVP) | HSTATUS_SPV |
					     (h->priv == PRV_S ? HSTATUS_SPVP : 0);
			if (gva)
				h->hstatus |= HSTATUS_GVA;
			h->htval = gpa;
			/* 0 is always allowed; QEMU 7.2 writes no transformed instruction */
			h->htinst = 0;
			hyp_set_virt(h, 0);
		} else {
			h->mstatus &= ~(MSTATUS_MPV | MSTATUS_GVA);
			if (h->virt)
				h->mstatus |= MSTATUS_MPV;
			if (gva)
				h->mstatus |= MSTATUS_GVA;
			h->mtval2 = gpa;
			h->mtinst = 0;
			hyp_set_virt(h, 0);
		}
		h->exc_gva = false;
		deleg = target == LVL_M ? 0 : ~0ull;
	}
	if (h->priv <= PRV_S && ((deleg >> code) & 1)) {
		h->scause = cause;
		h->sepc = h->pc;
		h->stval = tval;
		h->mstatus &= ~(MSTATUS_SPIE | MSTATUS_SPP);
		if (h->mstatus & MSTATUS_SIE)
			h->mstatus |= MSTATUS_SPIE;
		if (h->priv == PRV_S)
			h->mstatus |= MSTATUS_SPP;
		h->mstatus &= ~MSTATUS_SIE;
		h->priv = PRV_S;
		tvec = h->stvec;
	} else {
		h->mcause = cause;
		h->mepc = h->pc;
		h->mtval = tval;
		h->mstatus &= ~(MSTATUS_MPIE | MSTATUS_MPP);
		if (h->mstatus & MSTATUS_MIE)
			h->mstatus |= MSTATUS_MPIE;
		h->mstatus |= (uint64_t)h->priv << 11;
		h->mstatus &= ~MSTATUS_MIE;
		h->priv = PRV_M;
		tvec = h->mtvec;
	}
	h->pc = tvec & ~3ull;
	if ((tvec & 3) == 1 && irq)
		h->pc += 4 * code;
	hart_update_tlb_sets(h);
	if (h->tmask & REC_ETRACE)
		hook_trap(h, epc, cause, tval, old_priv);
	if (h->cpu->dbg.events | h->cpu->dbg.libcheck)
		dbg_trap_event(h, cause, old_priv);
}

uint64_t trap_pending_irq(const struct hart *h)
{
	uint64_t pending = csr_mip(h) & h->mie;
	uint64_t m_en, s_en, cand;
	/* priority order from the privileged spec */
	static const unsigned order[] = {11, 3, 7, 9, 1, 5, 12, 10, 2, 6};

	if (!pending || (h->dm_active && dmode_irq_off(h)))
		return 0;
	m_en = (h->priv < PRV_M || (h->mstatus & MSTATUS_MIE)) ? ~h->mideleg : 0;
	/* HS takes what is not delegated to VS; at V=1 its interrupts are always enabled */
	s_en = (h->virt || h->priv < PRV_S || (h->priv == PRV_S && (h->mstatus & MSTATUS_SIE)))
		   ? h->mideleg & ~h->hideleg
		   : 0;
	cand = pending & m_en;
	if (!cand)
		cand = pending & s_en;
	if (!cand && h->hideleg)
		cand = hyp_pending_irq(h, pending);
	if (!cand)
		return 0;
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((cand >> order[i]) & 1)
			return IRQ_BIT | order[i];
	return 0;
}

/* xepc bit 1 reads as zero without C (IALIGN=32; QEMU 7.2 raises a misaligned fetch
 * instead: docs/DECISIONS.md) */
uint64_t epc_mask(const struct hart *h)
{
	return isa_has(h->cpu->isa, ISA_C) ? ~1ull : ~3ull;
}

int trap_mret(struct hart *h)
{
	unsigned mpp, mpv;
	uint64_t xret_pc;

	if (h->priv != PRV_M)
		return -1;
	mpp = (h->mstatus & MSTATUS_MPP) >> 11;
	mpv = mpp != PRV_M && (h->mstatus & MSTATUS_MPV);
	h->mstatus &= ~MSTATUS_MPV;
	h->mstatus &= ~MSTATUS_MIE;
	if (h->mstatus & MSTATUS_MPIE)
		h->mstatus |= MSTATUS_MIE;
	h->mstatus |= MSTATUS_MPIE;
	h->mstatus &= ~MSTATUS_MPP; /* least-privileged mode: U */
	if (mpp != PRV_M)
		h->mstatus &= ~MSTATUS_MPRV;
	h->priv = mpp;
	xret_pc = h->pc;
	h->pc = h->mepc & epc_mask(h);
	hart_update_tlb_sets(h);
	if (mpv)
		hyp_set_virt(h, 1);
	if (h->tmask & REC_ETRACE)
		hook_xret(h, xret_pc, PRV_M);
	if (h->cpu->dbg.events | h->cpu->dbg.libcheck)
		dbg_xret_event(h, PRV_M, "mret");
	return 0;
}

int trap_sret(struct hart *h)
{
	unsigned spp, old_priv, spv = 0;
	uint64_t xret_pc;

	if (h->virt && (h->priv < PRV_S || (h->hstatus & HSTATUS_VTSR)))
		return -2; /* virtual instruction */
	if (h->priv < PRV_S || (h->priv == PRV_S && !h->virt && (h->mstatus & MSTATUS_TSR)))
		return -1;
	if (!h->virt && (h->hstatus & HSTATUS_SPV)) {
		spv = 1;
		h->hstatus &= ~HSTATUS_SPV;
	}
	spp = (h->mstatus & MSTATUS_SPP) ? PRV_S : PRV_U;
	h->mstatus &= ~MSTATUS_SIE;
	if (h->mstatus & MSTATUS_SPIE)
		h->mstatus |= MSTATUS_SIE;
	h->mstatus |= MSTATUS_SPIE;
	h->mstatus &= ~MSTATUS_SPP;
	h->mstatus &= ~MSTATUS_MPRV;
	old_priv = hart_level(h);
	h->priv = spp;
	xret_pc = h->pc;
	h->pc = h->sepc & epc_mask(h);
	hart_update_tlb_sets(h);
	if (spv)
		hyp_set_virt(h, 1);
	if (h->tmask & REC_ETRACE)
		hook_xret(h, xret_pc, old_priv);
	if (h->cpu->dbg.events | h->cpu->dbg.libcheck)
		dbg_xret_event(h, old_priv, "sret");
	return 0;
}
