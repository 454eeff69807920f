/* dmode — Debug Mode of a hart (External Debug Support 0.13.2, chapter 4): dcsr, dpc,
 * dscratch0/1, entry (haltreq, ebreak with dcsr.ebreakm/s/u, step, resethaltreq), exit, and what
 * the Debug Module asks of a halted hart. See dmode.h. */
#include "cpu/dmode.h"
#include "cpu/hart.h"

#include <errno.h>

#define DCSR_XDEBUGVER (4ull << 28) /* external debug as the spec describes it */
#define DCSR_EBREAKM   (1ull << 15)
#define DCSR_EBREAKS   (1ull << 13)
#define DCSR_EBREAKU   (1ull << 12)
#define DCSR_STEPIE    (1ull << 11)
#define DCSR_CAUSE     (7ull << 6)
#define DCSR_MPRVEN    (1ull << 4)
#define DCSR_STEP      (1ull << 2)
#define DCSR_PRV       3ull
#define DCSR_V	       (1ull << 5) /* H: the hart was at V=1 */
/* stopcount and stoptime are 0 (counters and timers go on in Debug Mode); nmip is never set;
 * mprven is tied to 1 (the spec allows either): mstatus.MPRV applies in Debug Mode as in M mode,
 * which OpenOCD's virtual memory accesses through the program buffer rely on */
#define DCSR_WMASK (DCSR_EBREAKM | DCSR_EBREAKS | DCSR_EBREAKU | DCSR_STEPIE | DCSR_STEP)

enum { CSR_DCSR = 0x7b0, CSR_DPC = 0x7b1, CSR_DSCRATCH0 = 0x7b2, CSR_DSCRATCH1 = 0x7b3 };

bool dmode_ebreak_bit(const struct hart *h)
{
	static const uint64_t bit[4] = {DCSR_EBREAKU, DCSR_EBREAKS, 0, DCSR_EBREAKM};

	return h->dmode || (h->dcsr & bit[h->priv & 3]);
}

void dmode_enter(struct hart *h, uint64_t pc, unsigned cause)
{
	if (h->dmode) {
		h->dm_done = true; /* the ebreak that ends the program buffer */
		return;
	}
	h->dpc = pc;
	h->dcsr = (h->dcsr & ~(DCSR_CAUSE | DCSR_PRV | DCSR_V)) | (uint64_t)cause << 6 | h->priv |
		  (h->virt ? DCSR_V : 0);
	hyp_set_virt(h, 0); /* Debug Mode runs as M: HS's registers in place */
	h->priv = PRV_M;
	h->dmode = h->dm_active = true;
	h->dm_step = false;
	h->waiting = false; /* a haltreq wakes a hart in WFI; dpc is the instruction after it */
	h->resv_valid = false;
	h->pc = pc;
	hart_update_tlb_sets(h);
}

void dmode_step_done(struct hart *h)
{
	h->dm_step = false;
	h->dm_active = h->dmode;
	if (!h->dmode)
		dmode_enter(h, h->pc, DM_CAUSE_STEP);
}

bool dmode_irq_off(const struct hart *h)
{
	return h->dmode || !(h->dcsr & DCSR_STEPIE);
}

/* ---- the CSR rows (csr.c): they exist only in Debug Mode ---- */

int dmode_csr_pred(const struct hart *h, unsigned csr)
{
	return h->dmode ? 0 : -1;
}

int dmode_csr_read(struct hart *h, unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_DCSR:
		*v = DCSR_XDEBUGVER | DCSR_MPRVEN |
		     (h->dcsr & (DCSR_WMASK | DCSR_CAUSE | DCSR_PRV | DCSR_V));
		return 0;
	case CSR_DPC:
		*v = h->dpc & epc_mask(h);
		return 0;
	case CSR_DSCRATCH0:
		*v = h->dscratch[0];
		return 0;
	case CSR_DSCRATCH1:
		*v = h->dscratch[1];
		return 0;
	}
	return -1;
}

int dmode_csr_write(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t prv = v & DCSR_PRV;

	switch (csr) {
	case CSR_DCSR:
		/* prv is WARL: the reserved encoding and S without S mode keep the old value */
		if (prv == 2 || (prv == PRV_S && !isa_has(h->cpu->isa, ISA_S)))
			prv = h->dcsr & DCSR_PRV;
		h->dcsr = (h->dcsr & (DCSR_CAUSE | DCSR_V)) | (v & DCSR_WMASK) | prv;
		return 0;
	case CSR_DPC:
		h->dpc = v & ~1ull;
		return 0;
	case CSR_DSCRATCH0:
		h->dscratch[0] = v;
		return 0;
	case CSR_DSCRATCH1:
		h->dscratch[1] = v;
		return 0;
	}
	return -1;
}

/* ---- what the Debug Module asks (dmode.h) ---- */

void hart_dm_halt(struct hart *h, enum dm_cause cause)
{
	dmode_enter(h, h->pc, cause);
}

bool hart_dm_halted(const struct hart *h)
{
	return h->dmode;
}

void hart_dm_resume(struct hart *h)
{
	if (!h->dmode)
		return;
	h->dmode = false;
	h->priv = h->dcsr & DCSR_PRV;
	h->pc = h->dpc & epc_mask(h);
	h->dm_step = (h->dcsr & DCSR_STEP) != 0;
	h->dm_active = h->dm_step;
	hart_update_tlb_sets(h);
	if ((h->dcsr & DCSR_V) && h->priv != PRV_M)
		hyp_set_virt(h, 1);
}

void hart_dm_reset(struct hart *h, uint64_t pc, bool halt)
{
	hart_reset(h, pc);
	h->dmode = h->dm_active = h->dm_step = h->dm_exc = h->dm_done = false;
	h->dcsr = PRV_M;
	h->dpc = h->dscratch[0] = h->dscratch[1] = 0;
	if (halt)
		dmode_enter(h, pc, DM_CAUSE_RESETHALTREQ);
}

int hart_dm_reg_read(struct hart *h, unsigned regno, uint64_t *val)
{
	uint64_t old;

	if (!h->dmode)
		return -EBUSY;
	if (regno >= 0x1000 && regno < 0x1020) {
		*val = regno == 0x1000 ? 0 : h->x[regno - 0x1000];
		return 0;
	}
	if (regno >= 0x1020 && regno < 0x1040) {
		if (!isa_has(h->cpu->isa, ISA_F) || !(h->mstatus & MSTATUS_FS))
			return -ENOENT; /* as the fsd a program buffer would run */
		*val = h->f[regno - 0x1020];
		return 0;
	}
	if (regno < 0x1000) {
		if (csr_access(h, regno, CSR_RS, 0, false, &old) < 0)
			return -ENOENT;
		*val = old;
		return 0;
	}
	return -EINVAL;
}

int hart_dm_reg_write(struct hart *h, unsigned regno, uint64_t val)
{
	uint64_t old;

	if (!h->dmode)
		return -EBUSY;
	if (regno >= 0x1000 && regno < 0x1020) {
		if (regno != 0x1000)
			h->x[regno - 0x1000] = val;
		return 0;
	}
	if (regno >= 0x1020 && regno < 0x1040) {
		if (!isa_has(h->cpu->isa, ISA_F) || !(h->mstatus & MSTATUS_FS))
			return -ENOENT;
		h->f[regno - 0x1020] = val;
		h->mstatus |= MSTATUS_FS;
		return 0;
	}
	if (regno < 0x1000)
		return csr_access(h, regno, CSR_RW, val, true, &old) < 0 ? -ENOENT : 0;
	return -EINVAL;
}

int hart_dm_exec(struct hart *h, uint64_t pc, uint64_t max_insns)
{
	uint64_t done = 0;

	if (!h->dmode)
		return -EBUSY;
	h->pc = pc;
	h->dm_done = h->dm_exc = false;
	while (!h->dm_done && !h->dm_exc && done < max_insns) {
		uint64_t n = exec_run(h, max_insns - done);

		h->waiting = false; /* wfi is a nop in Debug Mode */
		if (!n && !h->dm_done && !h->dm_exc)
			break; /* the machine was asked to stop */
		done += n;
	}
	if (h->dm_exc)
		return -EFAULT;
	return h->dm_done ? 0 : -ETIMEDOUT;
}
