/* csr — the control and status registers of a hart (privileged spec 1.12, Zicsr, Zicntr), as
 * one table of {number, name, extensions, predicate, read, write} rows like QEMU's csr_ops: H, V
 * and the S* extensions add rows, not cases. A row without read/write functions is a plain
 * 64-bit field of struct hart with a write mask. */
#include "cpu/hart.h"
#include "machine/machine.h"
#include "trace/record.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define MSTATUS_WMASK                                                                              \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |     \
	 MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |        \
	 MSTATUS_TSR)
#define SSTATUS_MASK                                                                               \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR |       \
	 MSTATUS_UXL | MSTATUS_SD)
#define MEDELEG_MASK 0xb3ffull /* all synchronous causes but ecall from M (hardwired 0) */
#define MIDELEG_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MIE_MASK     (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)
#define MIP_WMASK    (MIP_SSIP | MIP_STIP | MIP_SEIP)

enum {
	CSR_FFLAGS = 0x001,
	CSR_FRM = 0x002,
	CSR_FCSR = 0x003,
	CSR_SSTATUS = 0x100,
	CSR_SIE = 0x104,
	CSR_STVEC = 0x105,
	CSR_SCOUNTEREN = 0x106,
	CSR_SENVCFG = 0x10a,
	CSR_SSCRATCH = 0x140,
	CSR_SEPC = 0x141,
	CSR_SCAUSE = 0x142,
	CSR_STVAL = 0x143,
	CSR_SIP = 0x144,
	CSR_STIMECMP = 0x14d,
	CSR_SATP = 0x180,
	CSR_MSTATUS = 0x300,
	CSR_MISA = 0x301,
	CSR_MEDELEG = 0x302,
	CSR_MIDELEG = 0x303,
	CSR_MIE = 0x304,
	CSR_MTVEC = 0x305,
	CSR_MCOUNTEREN = 0x306,
	CSR_MENVCFG = 0x30a,
	CSR_MCOUNTINHIBIT = 0x320,
	CSR_MHPMEVENT3 = 0x323,
	CSR_MHPMEVENT31 = 0x33f,
	CSR_MSCRATCH = 0x340,
	CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342,
	CSR_MTVAL = 0x343,
	CSR_MIP = 0x344,
	CSR_PMPCFG0 = 0x3a0,
	CSR_PMPCFG3 = 0x3a3,
	CSR_PMPADDR0 = 0x3b0,
	CSR_PMPADDR15 = 0x3bf,
	CSR_MCYCLE = 0xb00,
	CSR_MINSTRET = 0xb02,
	CSR_MHPMCOUNTER3 = 0xb03,
	CSR_MHPMCOUNTER31 = 0xb1f,
	CSR_CYCLE = 0xc00,
	CSR_TIME = 0xc01,
	CSR_INSTRET = 0xc02,
	CSR_HPMCOUNTER31 = 0xc1f,
	CSR_MVENDORID = 0xf11,
	CSR_MARCHID = 0xf12,
	CSR_MIMPID = 0xf13,
	CSR_MHARTID = 0xf14,
	CSR_MCONFIGPTR = 0xf15,
};

uint64_t csr_mip(const struct hart *h)
{
	return h->mip | h->mip_hw;
}

static uint64_t mstatus_read(const struct hart *h)
{
	uint64_t s = h->mstatus | h->vs_fs | (2ull << 32) | (2ull << 34);

	if ((s & MSTATUS_FS) == MSTATUS_FS)
		s |= MSTATUS_SD;
	return s;
}

static void mstatus_write(struct hart *h, uint64_t v)
{
	uint64_t old = h->mstatus, wmask = MSTATUS_WMASK;

	if (((v & MSTATUS_MPP) >> 11) == 2) /* reserved encoding: WARL to U */
		v &= ~MSTATUS_MPP;
	/* without F, FS is read-only zero (the spec allows it; QEMU 7.2 does it) */
	if (!isa_has(h->cpu->isa, ISA_F))
		wmask &= ~MSTATUS_FS;
	if (isa_has(h->cpu->isa, ISA_H))
		wmask |= MSTATUS_MPV | MSTATUS_GVA;
	hyp_status_write(h, v, wmask);
	/* MXR changes what a cached load translation allows */
	if ((old ^ h->mstatus) & MSTATUS_MXR)
		mmu_flush(h);
	hart_update_tlb_sets(h);
}

/* PMP: writes to a locked entry (or to the address below a locked TOR entry) are ignored. */
static void pmpcfg_write(struct hart *h, unsigned reg, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned idx = (reg / 2) * 8 + i; /* reg is 0 or 2: 8 entries each on RV64 */
		uint8_t b = v >> (8 * i);

		if (h->pmpcfg[idx] & 0x80)
			continue;
		b &= 0x9f;
		h->pmpcfg[idx] = b;
	}
	h->pmp_active = false;
	for (unsigned i = 0; i < 16; i++)
		if (h->pmpcfg[i] & 0x18)
			h->pmp_active = true;
	mmu_flush(h);
}

static void pmpaddr_write(struct hart *h, unsigned idx, uint64_t v)
{
	if (h->pmpcfg[idx] & 0x80)
		return;
	if (idx < 15 && (h->pmpcfg[idx + 1] & 0x80) && ((h->pmpcfg[idx + 1] >> 3) & 3) == 1)
		return;
	h->pmpaddr[idx] = v & ((1ull << 54) - 1);
	mmu_flush(h);
}

/* Counter CSRs readable from S/U only when mcounteren (and scounteren for U) allow; at V=1
 * hcounteren too, whose refusals (and scounteren's in VU) are virtual instructions (-2). */
static int counter_allowed(const struct hart *h, unsigned csr)
{
	unsigned bit = csr & 31;

	if (h->priv == PRV_M)
		return 0;
	if (!((h->mcounteren >> bit) & 1))
		return -1;
	if (h->virt && !((h->hcounteren >> bit) & 1))
		return -2;
	if (h->priv == PRV_U && !((h->scounteren >> bit) & 1))
		return h->virt ? -2 : -1;
	return 0;
}

/* ---- predicates: 0, or -1 for an illegal instruction (privilege and read-only are checked
 * for every CSR from its number) ---- */

static int pred_fs(const struct hart *h, unsigned csr)
{
	return h->mstatus & MSTATUS_FS ? 0 : -1;
}

/* Counter CSRs readable from S/U only when mcounteren (and scounteren for U) allow. */
static int pred_counter(const struct hart *h, unsigned csr)
{
	return counter_allowed(h, csr);
}

/* satp: mstatus.TVM traps HS, hstatus.VTVM traps VS (a virtual instruction) */
static int pred_tvm(const struct hart *h, unsigned csr)
{
	if (h->virt)
		return h->priv == PRV_S && (h->hstatus & HSTATUS_VTVM) ? -2 : 0;
	return h->priv == PRV_S && (h->mstatus & MSTATUS_TVM) ? -1 : 0;
}

/* ---- read and write functions of the rows that are not plain fields ---- */

static int rd_fflags(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->fflags;
	return 0;
}
static int wr_fflags(struct hart *h, unsigned csr, uint64_t v)
{
	h->fflags = v & 0x1f;
	h->mstatus |= MSTATUS_FS;
	return 0;
}
static int rd_frm(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->frm;
	return 0;
}
static int wr_frm(struct hart *h, unsigned csr, uint64_t v)
{
	h->frm = v & 7;
	h->mstatus |= MSTATUS_FS;
	return 0;
}
static int rd_fcsr(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = (h->frm << 5) | h->fflags;
	return 0;
}
static int wr_fcsr(struct hart *h, unsigned csr, uint64_t v)
{
	h->fflags = v & 0x1f;
	h->frm = (v >> 5) & 7;
	h->mstatus |= MSTATUS_FS;
	return 0;
}

static int rd_sstatus(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = mstatus_read(h) & SSTATUS_MASK;
	return 0;
}
static int wr_sstatus(struct hart *h, unsigned csr, uint64_t v)
{
	mstatus_write(h, (h->mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK));
	return 0;
}
static int rd_mstatus(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = mstatus_read(h);
	return 0;
}
static int wr_mstatus(struct hart *h, unsigned csr, uint64_t v)
{
	mstatus_write(h, v);
	return 0;
}

/* sie/sip show the S-level interrupts delegated by mideleg (the VS ones are hie/hip's); at V=1
 * they are vsie/vsip (hyp.c) */
static int rd_sie(struct hart *h, unsigned csr, uint64_t *v)
{
	if (h->virt)
		return hyp_csr_read(h, csr + 0x100, v);
	*v = h->mie & h->mideleg & MIDELEG_MASK;
	return 0;
}
static int wr_sie(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t m = h->mideleg & MIDELEG_MASK;

	if (h->virt)
		return hyp_csr_write(h, csr + 0x100, v);
	h->mie = (h->mie & ~m) | (v & m);
	return 0;
}
static int rd_sip(struct hart *h, unsigned csr, uint64_t *v)
{
	if (h->virt)
		return hyp_csr_read(h, csr + 0x100, v);
	*v = csr_mip(h) & h->mideleg & MIDELEG_MASK;
	return 0;
}
static int wr_sip(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t m = h->mideleg & MIP_SSIP;

	if (h->virt)
		return hyp_csr_write(h, csr + 0x100, v);

	h->mip = (h->mip & ~m) | (v & m);
	return 0;
}
static int rd_mip(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = csr_mip(h);
	return 0;
}
static int wr_mip(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t wmask = MIP_WMASK;

	if (isa_has(h->cpu->isa, ISA_H))
		wmask |= MIP_VSSIP; /* an alias of hvip.VSSIP */
	if (h->menvcfg & MENVCFG_STCE)
		wmask &= ~MIP_STIP; /* Sstc: STIP is stimecmp's */
	h->mip = (h->mip & ~wmask) | (v & wmask);
	return 0;
}

/* xtvec: modes 2 and 3 are reserved; such a write is ignored */
static int wr_stvec(struct hart *h, unsigned csr, uint64_t v)
{
	if ((v & 3) < 2)
		h->stvec = v;
	return 0;
}
static int wr_mtvec(struct hart *h, unsigned csr, uint64_t v)
{
	if ((v & 3) < 2)
		h->mtvec = v;
	return 0;
}

static int rd_scounteren(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->scounteren;
	return 0;
}
static int wr_scounteren(struct hart *h, unsigned csr, uint64_t v)
{
	h->scounteren = v;
	return 0;
}
static int rd_mcounteren(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->mcounteren;
	return 0;
}
static int wr_mcounteren(struct hart *h, unsigned csr, uint64_t v)
{
	h->mcounteren = v;
	return 0;
}
static int rd_mcountinhibit(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->mcountinhibit;
	return 0;
}
static int wr_mcountinhibit(struct hart *h, unsigned csr, uint64_t v)
{
	/* TM is read-only zero (QEMU 7.2 keeps it: docs/DECISIONS.md); the bits of absent counters
	 * are WARL and kept, as QEMU keeps them */
	h->mcountinhibit = v & ~2u;
	return 0;
}

static int rd_sepc(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->sepc & epc_mask(h);
	return 0;
}
static int rd_mepc(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->mepc & epc_mask(h);
	return 0;
}
static int wr_sepc(struct hart *h, unsigned csr, uint64_t v)
{
	h->sepc = v & ~1ull;
	return 0;
}
static int wr_mepc(struct hart *h, unsigned csr, uint64_t v)
{
	h->mepc = v & ~1ull;
	return 0;
}

static int wr_satp(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t mode = v >> 60;

	if (h->cpu->isa & ISA_RV32) /* Sv32: MODE bit 31, ASID 30:22 (9 bits, as QEMU), PPN 21:0 */
		h->satp = v & 0xffffffffull;
	else if (mode != 0 && mode != 8 && mode != 9)
		return 0; /* unsupported mode: the write has no effect */
	else
		h->satp = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
	if (h->virt) /* vsatp: the guest's TLB group for it (other guests' stay) */
		hyp_tlb_select(h, false);
	else
		mmu_flush(h);
	if (h->cpu->dbg.libcheck & CPU_LIBCHECK_SATP)
		dbg_libcheck_event(h);
	return 0;
}

static int rd_misa(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = isa_misa(h->cpu->isa);
	return 0;
}

static int rd_zero(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = 0;
	return 0;
}
/* WARL registers with nothing writable: misa (extensions cannot be switched off, as in QEMU
 * 7.2), the programmable counters (no events: they stay zero) */
static int wr_ignore(struct hart *h, unsigned csr, uint64_t v)
{
	return 0;
}
static int rd_mhartid(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->hartid;
	return 0;
}

static int rd_cycle(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->instret + h->cycle_off;
	return 0;
}
static int wr_mcycle(struct hart *h, unsigned csr, uint64_t v)
{
	h->cycle_off = v - h->instret;
	return 0;
}
static int rd_instret(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->instret;
	return 0;
}
static int wr_minstret(struct hart *h, unsigned csr, uint64_t v)
{
	/* keep mcycle where it was */
	uint64_t cyc = h->instret + h->cycle_off;

	/* the CSR instruction itself retires after the write: compensate */
	h->instret = v - 1;
	h->cycle_off = cyc - h->instret;
	return 0;
}
static int rd_time(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = machine_mtime(h->m) + (h->virt ? h->htimedelta : 0);
	return 0;
}

/* medeleg/mie with H: ecall from VS, the guest-page faults and virtual instructions can be
 * delegated; the VS-level interrupts enabled */
static int wr_medeleg(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t m = MEDELEG_MASK;

	if (isa_has(h->cpu->isa, ISA_H))
		m |= (1ull << EXC_ECALL_VS) | (0xfull << EXC_INSN_GUEST_PAGE);
	h->medeleg = v & m;
	return 0;
}
static int wr_mie(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t m = MIE_MASK;

	if (isa_has(h->cpu->isa, ISA_H))
		m |= MIP_VS_MASK;
	h->mie = v & m;
	return 0;
}

static int rd_pmpcfg(struct hart *h, unsigned csr, uint64_t *v)
{
	unsigned base = (csr - CSR_PMPCFG0) / 2 * 8;

	*v = 0;
	for (unsigned i = 0; i < 8; i++)
		*v |= (uint64_t)h->pmpcfg[base + i] << (8 * i);
	return 0;
}
static int wr_pmpcfg(struct hart *h, unsigned csr, uint64_t v)
{
	pmpcfg_write(h, csr - CSR_PMPCFG0, v);
	return 0;
}
static int rd_pmpaddr(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->pmpaddr[csr - CSR_PMPADDR0];
	return 0;
}
static int wr_pmpaddr(struct hart *h, unsigned csr, uint64_t v)
{
	pmpaddr_write(h, csr - CSR_PMPADDR0, v);
	return 0;
}

/* ---- envcfg (Zicbo*, Svpbmt, Sstc) and stimecmp (Sstc) ---- */

/* The menvcfg/senvcfg bits that exist on this machine: the spec makes a field of an absent
 * extension read-only zero (QEMU 7.2 keeps them all writable: docs/DECISIONS.md). */
static uint64_t envcfg_mask(const struct hart *h, bool m)
{
	isa_t isa = h->cpu->isa;
	uint64_t mask = ENVCFG_FIOM;

	if (isa_has(isa, ISA_ZICBOM))
		mask |= ENVCFG_CBIE | ENVCFG_CBCFE;
	if (isa_has(isa, ISA_ZICBOZ))
		mask |= ENVCFG_CBZE;
	if (m && isa_has(isa, ISA_SVPBMT))
		mask |= MENVCFG_PBMTE;
	if (m && isa_has(isa, ISA_SSTC))
		mask |= MENVCFG_STCE;
	return mask;
}

static uint64_t envcfg_legal(uint64_t old, uint64_t v, uint64_t mask)
{
	/* CBIE = 2 is reserved: WARL, keep the old value */
	if ((v & ENVCFG_CBIE) == (2ull << 4))
		v = (v & ~ENVCFG_CBIE) | (old & ENVCFG_CBIE);
	return (old & ~mask) | (v & mask);
}

static int wr_menvcfg(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t old = h->menvcfg;

	h->menvcfg = envcfg_legal(old, v, envcfg_mask(h, true));
	/* PBMTE changes what a PTE's PBMT bits mean: cached translations may be wrong now */
	if ((old ^ h->menvcfg) & MENVCFG_PBMTE)
		mmu_flush(h);
	if ((old ^ h->menvcfg) & MENVCFG_STCE) {
		h->mip &= ~MIP_STIP; /* with STCE, STIP is the comparator's and read-only */
		sstc_update(h, machine_mtime(h->m));
	}
	return 0;
}
static int wr_senvcfg(struct hart *h, unsigned csr, uint64_t v)
{
	h->senvcfg = envcfg_legal(h->senvcfg, v, envcfg_mask(h, false));
	return 0;
}

/* stimecmp from S needs mcounteren.TM and menvcfg.STCE (QEMU 7.2's sstc predicate); from VS
 * also hcounteren.TM and henvcfg.STCE, or it is a virtual instruction */
static int pred_sstc(const struct hart *h, unsigned csr)
{
	if (h->priv == PRV_M)
		return 0;
	if (!((h->mcounteren & 2) && (h->menvcfg & MENVCFG_STCE)))
		return -1;
	if (h->virt && !((h->hcounteren & 2) && (h->henvcfg & MENVCFG_STCE)))
		return -2;
	return 0;
}

static int rd_stimecmp(struct hart *h, unsigned csr, uint64_t *v)
{
	if (h->virt)
		return hyp_csr_read(h, csr + 0x100, v);
	*v = h->stimecmp;
	return 0;
}

static int wr_stimecmp(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t now = machine_mtime(h->m);

	if (h->virt)
		return hyp_csr_write(h, csr + 0x100, v);

	h->stimecmp = v;
	h->stimecmp_armed = true;
	sstc_update(h, now);
	if (h->tmask & REC_ETRACE)
		hook_timer(h, "stimecmp", v, now);
	/* the run loop's next deadline moved: end the quantum there (as a CLINT write does) */
	machine_yield(h->m);
	return 0;
}

void sstc_update(struct hart *h, uint64_t mtime)
{
	if ((h->menvcfg & MENVCFG_STCE) && h->stimecmp_armed && mtime >= h->stimecmp)
		h->mip_hw |= MIP_STIP;
	else
		h->mip_hw &= ~MIP_STIP;
}

void cpu_update_timers(struct cpu *c, uint64_t mtime)
{
	for (unsigned i = 0; i < c->nharts; i++) {
		sstc_update(c->harts[i], mtime);
		if (c->harts[i]->vstimecmp_armed)
			hyp_timer_update(c->harts[i], mtime);
	}
}

uint64_t cpu_next_deadline(const struct cpu *c, uint64_t mtime)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < c->nharts; i++) {
		const struct hart *h = c->harts[i];

		if ((h->menvcfg & MENVCFG_STCE) && h->stimecmp_armed && h->stimecmp > mtime &&
		    h->stimecmp < next)
			next = h->stimecmp;
		/* vstimecmp compares with the guest's time, mtime + htimedelta */
		if ((h->menvcfg & h->henvcfg & MENVCFG_STCE) && h->vstimecmp_armed) {
			uint64_t t = h->vstimecmp - h->htimedelta;

			if (t > mtime && t < next)
				next = t;
		}
	}
	return next;
}

/* ---- Zihpm: as QEMU 7.2 (pmu-num 16), mhpmcounter3..18 hold what is written and count
 * retired instructions for event 1 (cycles: strata's cycle is instret) and 2 (instructions);
 * other events do not count. Counters 19..31 do not exist (illegal); all 29 mhpmevents keep what
 * is written.
 * ---- */

static bool hpm_counts(const struct hart *h, unsigned i)
{
	return h->hpm_event[i] == 1 || h->hpm_event[i] == 2;
}

static uint64_t hpm_value(const struct hart *h, unsigned i)
{
	return h->hpm_val[i] + (hpm_counts(h, i) ? h->instret - h->hpm_base[i] : 0);
}

static int pred_hpm(const struct hart *h, unsigned csr)
{
	if ((csr & 31) >= 3 + HPM_COUNTERS)
		return -1;
	return (csr >> 8) == 0xc ? pred_counter(h, csr) : 0;
}

static int rd_hpmcounter(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = hpm_value(h, (csr & 31) - 3);
	return 0;
}

static int wr_hpmcounter(struct hart *h, unsigned csr, uint64_t v)
{
	unsigned i = (csr & 31) - 3;

	/* the CSR instruction itself retires after the write (as minstret) */
	h->hpm_val[i] = v - (hpm_counts(h, i) ? 1 : 0);
	h->hpm_base[i] = h->instret;
	return 0;
}

static int rd_mhpmevent(struct hart *h, unsigned csr, uint64_t *v)
{
	*v = h->hpm_event[(csr & 31) - 3];
	return 0;
}

static int wr_mhpmevent(struct hart *h, unsigned csr, uint64_t v)
{
	unsigned i = (csr & 31) - 3;

	if (i < HPM_COUNTERS) {
		h->hpm_val[i] = hpm_value(h, i); /* what it counted so far stays */
		h->hpm_base[i] = h->instret;
	}
	h->hpm_event[i] = v;
	return 0;
}

/* ---- the table ---- */

struct csr_def {
	uint16_t num;
	uint8_t count;	   /* the row covers CSRs num .. num + count - 1 (0 means 1) */
	uint8_t name_base; /* with count: name is a format, "%u" replaced by name_base + index */
	const char *name;
	isa_t exts; /* the CSR exists when one of these extensions is on; 0: always */
	int (*pred)(const struct hart *h, unsigned csr);
	int (*read)(struct hart *h, unsigned csr, uint64_t *v);
	int (*write)(struct hart *h, unsigned csr, uint64_t v);
	/* without read: the value is this uint64_t field of struct hart; without write, writes
	 * change the wmask bits of it (read-only CSRs are never written: their number says so) */
	uint16_t off;
	uint64_t wmask;
};

#define B(id) ISA_BIT(id)
#define FN(n, name, x, p, r, w)                                                                    \
	{                                                                                          \
		n, 0, 0, name, x, p, r, w, 0, 0                                                    \
	}
#define FNF(n, name, x, p, f, w)                                                                   \
	{                                                                                          \
		n, 0, 0, name, x, p, NULL, w, offsetof(struct hart, f), 0                          \
	}
#define FIELD(n, name, x, f, mask)                                                                 \
	{                                                                                          \
		n, 0, 0, name, x, NULL, NULL, NULL, offsetof(struct hart, f), mask                 \
	}
#define RANGE(n, cnt, base, name, x, p, r, w)                                                      \
	{                                                                                          \
		n, cnt, base, name, x, p, r, w, 0, 0                                               \
	}

#define HYP(n, name) FN(n, name, B(H), hyp_csr_pred, hyp_csr_read, hyp_csr_write)

static const struct csr_def csrs[] = {
    /* F/D floating point */
    FN(0x001, "fflags", B(F), pred_fs, rd_fflags, wr_fflags),
    FN(0x002, "frm", B(F), pred_fs, rd_frm, wr_frm),
    FN(0x003, "fcsr", B(F), pred_fs, rd_fcsr, wr_fcsr),
    /* supervisor */
    FN(0x100, "sstatus", B(S), NULL, rd_sstatus, wr_sstatus),
    FN(0x104, "sie", B(S), NULL, rd_sie, wr_sie),
    FNF(0x105, "stvec", B(S), NULL, stvec, wr_stvec),
    FN(0x106, "scounteren", B(S), NULL, rd_scounteren, wr_scounteren),
    FNF(0x10a, "senvcfg", B(S), NULL, senvcfg, wr_senvcfg),
    FIELD(0x140, "sscratch", B(S), sscratch, ~0ull),
    FN(0x141, "sepc", B(S), NULL, rd_sepc, wr_sepc),
    FIELD(0x142, "scause", B(S), scause, ~0ull),
    FIELD(0x143, "stval", B(S), stval, ~0ull),
    FN(0x144, "sip", B(S), NULL, rd_sip, wr_sip),
    FN(0x14d, "stimecmp", B(SSTC), pred_sstc, rd_stimecmp, wr_stimecmp),
    FNF(0x180, "satp", B(S), pred_tvm, satp, wr_satp),
    /* hypervisor and virtual supervisor (hyp.c) */
    HYP(0x200, "vsstatus"),
    HYP(0x204, "vsie"),
    HYP(0x205, "vstvec"),
    HYP(0x240, "vsscratch"),
    HYP(0x241, "vsepc"),
    HYP(0x242, "vscause"),
    HYP(0x243, "vstval"),
    HYP(0x244, "vsip"),
    FN(0x24d, "vstimecmp", B(H), hyp_csr_pred, hyp_csr_read, hyp_csr_write),
    HYP(0x280, "vsatp"),
    HYP(0x600, "hstatus"),
    HYP(0x602, "hedeleg"),
    HYP(0x603, "hideleg"),
    HYP(0x604, "hie"),
    HYP(0x605, "htimedelta"),
    HYP(0x606, "hcounteren"),
    HYP(0x607, "hgeie"),
    HYP(0x60a, "henvcfg"),
    HYP(0x643, "htval"),
    HYP(0x644, "hip"),
    HYP(0x645, "hvip"),
    HYP(0x64a, "htinst"),
    HYP(0x680, "hgatp"),
    /* machine */
    FN(0x300, "mstatus", 0, NULL, rd_mstatus, wr_mstatus),
    FN(0x301, "misa", 0, NULL, rd_misa, wr_ignore),
    FNF(0x302, "medeleg", 0, NULL, medeleg, wr_medeleg),
    FIELD(0x303, "mideleg", 0, mideleg, MIDELEG_MASK),
    FNF(0x304, "mie", 0, NULL, mie, wr_mie),
    FNF(0x305, "mtvec", 0, NULL, mtvec, wr_mtvec),
    FN(0x306, "mcounteren", 0, NULL, rd_mcounteren, wr_mcounteren),
    FNF(0x30a, "menvcfg", 0, NULL, menvcfg, wr_menvcfg),
    FN(0x320, "mcountinhibit", 0, NULL, rd_mcountinhibit, wr_mcountinhibit),
    RANGE(0x323, 29, 3, "mhpmevent%u", B(ZIHPM), NULL, rd_mhpmevent, wr_mhpmevent),
    FIELD(0x340, "mscratch", 0, mscratch, ~0ull),
    FN(0x341, "mepc", 0, NULL, rd_mepc, wr_mepc),
    FIELD(0x342, "mcause", 0, mcause, ~0ull),
    FIELD(0x343, "mtval", 0, mtval, ~0ull),
    FN(0x344, "mip", 0, NULL, rd_mip, wr_mip),
    HYP(0x34a, "mtinst"),
    HYP(0x34b, "mtval2"),
    /* RV64 has only the even pmpcfg registers */
    FN(0x3a0, "pmpcfg0", 0, NULL, rd_pmpcfg, wr_pmpcfg),
    FN(0x3a2, "pmpcfg2", 0, NULL, rd_pmpcfg, wr_pmpcfg),
    RANGE(0x3b0, 16, 0, "pmpaddr%u", 0, NULL, rd_pmpaddr, wr_pmpaddr),
    /* Sdtrig (trigger.c) */
    FN(0x7a0, "tselect", B(SDTRIG), NULL, trig_csr_read, trig_csr_write),
    FN(0x7a1, "tdata1", B(SDTRIG), NULL, trig_csr_read, trig_csr_write),
    FN(0x7a2, "tdata2", B(SDTRIG), NULL, trig_csr_read, trig_csr_write),
    FN(0x7a3, "tdata3", B(SDTRIG), NULL, trig_csr_read, trig_csr_write),
    FN(0x7a4, "tinfo", B(SDTRIG), NULL, trig_csr_read, trig_csr_write),
    /* Debug Mode (dmode.c): only there */
    FN(0x7b0, "dcsr", 0, dmode_csr_pred, dmode_csr_read, dmode_csr_write),
    FN(0x7b1, "dpc", 0, dmode_csr_pred, dmode_csr_read, dmode_csr_write),
    FN(0x7b2, "dscratch0", 0, dmode_csr_pred, dmode_csr_read, dmode_csr_write),
    FN(0x7b3, "dscratch1", 0, dmode_csr_pred, dmode_csr_read, dmode_csr_write),
    FN(0xb00, "mcycle", 0, NULL, rd_cycle, wr_mcycle),
    FN(0xb02, "minstret", 0, NULL, rd_instret, wr_minstret),
    RANGE(0xb03, 29, 3, "mhpmcounter%u", B(ZIHPM), pred_hpm, rd_hpmcounter, wr_hpmcounter),
    /* unprivileged counters */
    FN(0xc00, "cycle", B(ZICNTR), pred_counter, rd_cycle, NULL),
    FN(0xc01, "time", B(ZICNTR), pred_counter, rd_time, NULL),
    FN(0xc02, "instret", B(ZICNTR), pred_counter, rd_instret, NULL),
    RANGE(0xc03, 29, 3, "hpmcounter%u", B(ZIHPM), pred_hpm, rd_hpmcounter, NULL),
    /* machine information */
    FN(0xf11, "mvendorid", 0, NULL, rd_zero, NULL),
    FN(0xf12, "marchid", 0, NULL, rd_zero, NULL),
    FN(0xf13, "mimpid", 0, NULL, rd_zero, NULL),
    FN(0xf14, "mhartid", 0, NULL, rd_mhartid, NULL),
    FN(0xf15, "mconfigptr", 0, NULL, rd_zero, NULL),
    HYP(0xe12, "hgeip"),
};
#define NCSRS (sizeof(csrs) / sizeof(csrs[0]))
_Static_assert(NCSRS < 255, "csr_row holds a row index + 1 in a byte");

/* csr_row[n]: index + 1 of CSR n's row, 0 if there is none. */
static uint8_t csr_row[4096];

__attribute__((constructor)) static void csr_init(void)
{
	for (unsigned i = 0; i < NCSRS; i++) {
		unsigned n = csrs[i].count ? csrs[i].count : 1;

		for (unsigned k = 0; k < n; k++)
			csr_row[csrs[i].num + k] = (uint8_t)(i + 1);
	}
}

/* The row of CSR csr if it exists on a machine with extensions isa, else NULL. */
static const struct csr_def *row_of(unsigned csr, isa_t isa)
{
	const struct csr_def *r;

	if (csr >= 4096 || !csr_row[csr])
		return NULL;
	r = &csrs[csr_row[csr] - 1];
	return !r->exts || (r->exts & isa) ? r : NULL;
}

static int row_read(struct hart *h, const struct csr_def *r, unsigned csr, uint64_t *v)
{
	if (r->read)
		return r->read(h, csr, v);
	*v = *(const uint64_t *)((const char *)h + r->off);
	return 0;
}

static int row_write(struct hart *h, const struct csr_def *r, unsigned csr, uint64_t v)
{
	uint64_t *f = (uint64_t *)((char *)h + r->off);

	if (r->write)
		return r->write(h, csr, v);
	*f = (*f & ~r->wmask) | (v & r->wmask);
	return 0;
}

int csr_access(struct hart *h, unsigned csr, unsigned kind, uint64_t operand, bool write,
	       uint64_t *old)
{
	if (h->cpu->isa & ISA_RV32)
		return csr_access_rv32(h, csr, kind, operand, write, old);
	return csr_access64(h, csr, kind, operand, write, old);
}

int csr_access64(struct hart *h, unsigned csr, unsigned kind, uint64_t operand, bool write,
		 uint64_t *old)
{
	const struct csr_def *r = row_of(csr, h->cpu->isa);
	unsigned need = (csr >> 8) & 3, eff = h->priv;
	uint64_t newval, rmw;
	int rc;

	/* the checks in QEMU 7.2's order (riscv_csrrw_check): all give an illegal instruction
	 * without H; with H some give a virtual instruction (-2) */
	if (!r)
		return -1;
	if (write && (csr >> 10) == 3)
		return -1; /* read-only CSR */
	if (r->pred && (rc = r->pred(h, csr)) < 0)
		return rc;
	/* HS reaches the hypervisor CSRs (privilege field 2) */
	if (h->priv == PRV_S && !h->virt && isa_has(h->cpu->isa, ISA_H))
		eff++;
	/* from VS or VU, what HS could access is a virtual instruction (spec 8.6.1; QEMU 7.2
	 * makes VU's supervisor CSR accesses illegal: docs/DECISIONS.md) */
	if (eff < need)
		return h->virt && need < PRV_M ? -2 : -1;
	if (row_read(h, r, csr, old) < 0)
		return -1;
	if (!write)
		return 0;
	rmw = *old;
	/* mip.SEIP reads as the software bit OR the PLIC's line, but CSRRS/CSRRC modify only the
	 * software bit (privileged spec 3.1.9): otherwise setting STIP would latch SEIP forever */
	if (csr == CSR_MIP)
		rmw = (rmw & ~MIP_SEIP) | (h->mip & MIP_SEIP);
	newval = kind == CSR_RW ? operand : kind == CSR_RS ? rmw | operand : rmw & ~operand;
	return row_write(h, r, csr, newval);
}

int cpu_csr_name(isa_t isa, unsigned csr, char *buf, size_t size)
{
	const struct csr_def *r = row_of(csr, isa);
	const char *n32 = isa & ISA_RV32 ? csr_name_rv32(csr) : NULL;

	if (n32) {
		snprintf(buf, size, "%s", n32);
		return 0;
	}
	if ((isa & ISA_RV32) && ((csr >= 0xb83 && csr <= 0xb9f) || (csr >= 0xc83 && csr <= 0xc9f)) &&
	    row_of(csr & ~0x80u, isa)) {
		snprintf(buf, size, "%shpmcounter%uh", csr >= 0xc00 ? "" : "m", csr & 31);
		return 0;
	}
	if (!r)
		return -1;
	if (r->count)
		snprintf(buf, size, r->name, r->name_base + (csr - r->num));
	else
		snprintf(buf, size, "%s", r->name);
	return 0;
}
