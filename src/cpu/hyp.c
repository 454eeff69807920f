/* hyp — the H extension (privileged spec 1.12 with H 1.0): V mode, the h* and vs* CSRs, the
 * world switch of the supervisor registers, two-stage translation (VS-stage through vsatp,
 * G-stage Sv39x4/Sv48x4 through hgatp) and the routing of traps and interrupts to VS.
 *
 * Like QEMU, the supervisor CSRs of struct hart are always the current world's: entering V=1
 * swaps them with h->alt, leaving swaps them back, so every S-mode path (traps, sret, the MMU's
 * satp, the CSR rows of sstatus/stvec/...) serves VS unchanged and the interpreter's hot path
 * knows nothing of V. V=1 translations live in their own TLB sets, so that two-stage hits take
 * the same inline probe as any other, in VG_COUNT groups keyed by (hgatp, vsatp): switching
 * between guests (or a guest's address spaces) finds their translations warm, and fences flush
 * the groups of one VMID. */
#include "cpu/hart.h"
#include "machine/machine.h"
#include "trace/record.h"

#include <errno.h>
#include <string.h>

/* the mstatus bits that are sstatus's, swapped with vsstatus (UXL is fixed) */
#define SSTATUS_SWAP                                                                               \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)
#define HSTATUS_WMASK                                                                              \
	(HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTVM | HSTATUS_VTW |      \
	 HSTATUS_VTSR)
#define HSTATUS_VSXL64 (2ull << 32)
/* hedeleg: medeleg's bits but ecalls from HS/VS/M and the H causes 20-23 (read-only zero) */
#define HEDELEG_MASK 0xb1ffull
#define HGATP_PPN    ((1ull << 44) - 1)
#define HGATP_VMID   (0x3fffull << 44) /* VMIDLEN 14, the most RV64 allows */
#define SATP_LEGAL   ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1))

enum {
	CSR_VSSTATUS = 0x200,
	CSR_VSIE = 0x204,
	CSR_VSTVEC = 0x205,
	CSR_VSSCRATCH = 0x240,
	CSR_VSEPC = 0x241,
	CSR_VSCAUSE = 0x242,
	CSR_VSTVAL = 0x243,
	CSR_VSIP = 0x244,
	CSR_VSTIMECMP = 0x24d,
	CSR_VSATP = 0x280,
	CSR_MTINST = 0x34a,
	CSR_MTVAL2 = 0x34b,
	CSR_HSTATUS = 0x600,
	CSR_HEDELEG = 0x602,
	CSR_HIDELEG = 0x603,
	CSR_HIE = 0x604,
	CSR_HTIMEDELTA = 0x605,
	CSR_HCOUNTEREN = 0x606,
	CSR_HGEIE = 0x607,
	CSR_HENVCFG = 0x60a,
	CSR_HTVAL = 0x643,
	CSR_HIP = 0x644,
	CSR_HVIP = 0x645,
	CSR_HTINST = 0x64a,
	CSR_HGATP = 0x680,
	CSR_HGEIP = 0xe12,
};

static const uint64_t page_fault[3] = {EXC_LOAD_PAGE, EXC_STORE_PAGE, EXC_INSN_PAGE};
static const uint64_t guest_fault[3] = {EXC_LOAD_GUEST_PAGE, EXC_STORE_GUEST_PAGE,
					EXC_INSN_GUEST_PAGE};
static const uint64_t access_fault[3] = {EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INSN_ACCESS};

static bool has_h(const struct hart *h)
{
	return isa_has(h->cpu->isa, ISA_H);
}

void hyp_reset(struct hart *h)
{
	h->virt = 0;
	h->hstatus = h->hedeleg = h->hideleg = h->hgeie = h->htval = h->htinst = 0;
	h->hgatp = h->htimedelta = h->henvcfg = h->mtval2 = h->mtinst = 0;
	h->vstimecmp = 0;
	h->vstimecmp_armed = false;
	h->hcounteren = 0;
	h->hlvx = false;
	h->exc_gva = false;
	memset(&h->alt, 0, sizeof(h->alt));
	h->vs_fs = 0;
	h->mip_hw &= ~MIP_VSTIP;
	h->vtlb_used = true; /* hart_reset's mmu_flush empties them (a new hart's are zeros) */
	memset(h->vg_key, 0, sizeof(h->vg_key));
	h->vg_key[0].used = true; /* hgatp and vsatp are zero */
	h->vg_first = TS_FIRST_V;
	h->vg_next = 1;
	/* the VS-level interrupts are always delegated past M (read-only one in mideleg) */
	if (has_h(h))
		h->mideleg |= MIP_VS_MASK;
}

void hyp_flush(struct hart *h)
{
	if (h->vtlb_used)
		mmu_flush_sets(h, TS_FIRST_V, TS_COUNT);
}

uint64_t hyp_vmid(const struct hart *h)
{
	return (h->hgatp & HGATP_VMID) >> 44;
}

static void vg_flush(struct hart *h, unsigned g)
{
	if (h->vtlb_used)
		mmu_flush_sets(h, TS_FIRST_V + TS_PER_VG * g, TS_FIRST_V + TS_PER_VG * (g + 1));
}

void hyp_flush_vmid(struct hart *h, uint64_t vmid)
{
	for (unsigned g = 0; g < VG_COUNT; g++)
		if (h->vg_key[g].used && (h->vg_key[g].hgatp & HGATP_VMID) >> 44 == vmid)
			vg_flush(h, g);
}

/* A group is keyed by the whole hgatp and vsatp (a stricter tag than the spec's VMID and ASID:
 * a new root under the same VMID or ASID starts empty). Groups are reused round-robin; the
 * one reused is emptied. Its translations stay valid until a fence of its VMID (or a change
 * that applies to all guests: hyp_flush), as the spec allows for VMID- and ASID-tagged TLBs;
 * software that changes a guest's page tables fences (sfence.vma at V=1, HFENCE.*). */
void hyp_tlb_select(struct hart *h, bool all)
{
	uint64_t vsatp = h->virt ? h->satp : h->alt.atp;
	unsigned g;

	if (h->idle_probe)
		idle_abort(h); /* other translations: the loop could read other memory */
	if (all)
		memset(h->vg_key, 0, sizeof(h->vg_key));
	for (g = 0; g < VG_COUNT; g++)
		if (h->vg_key[g].used && h->vg_key[g].hgatp == h->hgatp &&
		    h->vg_key[g].vsatp == vsatp)
			break;
	if (g == VG_COUNT) {
		g = h->vg_next;
		h->vg_next = (g + 1) % VG_COUNT;
		vg_flush(h, g);
		h->vg_key[g] = (struct vg_key){h->hgatp, vsatp, true};
	}
	h->vg_first = TS_FIRST_V + TS_PER_VG * g;
	hart_update_tlb_sets(h);
}

/* At V=1 an FP instruction needs both vsstatus.FS and HS's mstatus.FS on, and changing the FP
 * state dirties both (spec 8.2.2, as QEMU 7.2). The interpreter checks and dirties only the live
 * mstatus.FS, so at V=1 it holds a value derived from both: Off while HS's is Off (FP traps),
 * Clean while the guest's is Dirty and HS's is not (the first FP write makes it Dirty, and that
 * is how hyp_fs_join knows HS's FS must become Dirty). vs_fs holds the guest's bits the live
 * field hides: the guest sees live | vs_fs. The non-V fast path is unchanged. */
static void hyp_fs_split(struct hart *h)
{
	uint64_t vs = h->mstatus & MSTATUS_FS, hs = h->alt.status & MSTATUS_FS;

	h->vs_fs = 0;
	if (!hs && vs) {
		h->vs_fs = vs;
		h->mstatus &= ~MSTATUS_FS;
	} else if (hs != MSTATUS_FS && vs == MSTATUS_FS) {
		h->vs_fs = MSTATUS_FS;
		h->mstatus = (h->mstatus & ~MSTATUS_FS) | MSTATUS_FS_CLEAN;
	}
}

/* Undo hyp_fs_split: the live FS becomes vsstatus.FS again, HS's is dirtied by an FP write at
 * V=1 (a Dirty live FS). */
static void hyp_fs_join(struct hart *h)
{
	if ((h->mstatus & MSTATUS_FS) == MSTATUS_FS && (h->alt.status & MSTATUS_FS))
		h->alt.status |= MSTATUS_FS;
	h->mstatus |= h->vs_fs;
	h->vs_fs = 0;
}

void hyp_status_write(struct hart *h, uint64_t v, uint64_t mask)
{
	if (h->virt)
		hyp_fs_join(h);
	h->mstatus = (h->mstatus & ~mask) | (v & mask);
	if (h->virt)
		hyp_fs_split(h);
}

void hyp_set_virt(struct hart *h, unsigned virt)
{
	struct sregs cur;

	if (h->virt == virt)
		return;
	if (h->virt)
		hyp_fs_join(h);
	cur.status = h->mstatus & SSTATUS_SWAP;
	cur.tvec = h->stvec;
	cur.scratch = h->sscratch;
	cur.epc = h->sepc;
	cur.cause = h->scause;
	cur.tval = h->stval;
	cur.atp = h->satp;
	h->mstatus = (h->mstatus & ~SSTATUS_SWAP) | (h->alt.status & SSTATUS_SWAP);
	h->stvec = h->alt.tvec;
	h->sscratch = h->alt.scratch;
	h->sepc = h->alt.epc;
	h->scause = h->alt.cause;
	h->stval = h->alt.tval;
	h->satp = h->alt.atp;
	h->alt = cur;
	h->virt = virt;
	if (virt)
		hyp_fs_split(h);
	hart_update_tlb_sets(h);
}

/* ---- two-stage translation ---- */

/* Flags of one G-stage walk: GS_NOSIDE the debugger's (no A/D update, no permission check),
 * GS_X an HLVX's final access (execute permission reads). */
enum { GS_NOSIDE = 1, GS_X = 2 };

/* G-stage: gpa -> *hpa for an access acc (ACC_*; an implicit PTE read is ACC_LOAD). 0, -EFAULT
 * (guest-page fault), -EACCES (access fault). */
static int gstage(struct hart *h, uint64_t gpa, int acc, unsigned flags, uint64_t *hpa)
{
	unsigned mode = h->hgatp >> 60, levels;
	uint64_t a = (h->hgatp & HGATP_PPN) << PG_SHIFT, pte = 0, ppn, lowmask;
	uint8_t *p = NULL;
	int i;

	if (mode == 0) {
		*hpa = gpa;
		return 0;
	}
	levels = mode == 8 ? 3 : 4;
	if (gpa >> (PG_SHIFT + 9 * levels + 2))
		return -EFAULT; /* beyond the x4 modes' 41/50-bit guest physical space */
	for (i = levels - 1;; i--) {
		/* the root table is 16 KiB: its index has two more bits */
		uint64_t idx = (gpa >> (PG_SHIFT + 9 * i)) & (i == (int)levels - 1 ? 0x7ff : 0x1ff);
		uint64_t pa = a + idx * 8;

		if (!(flags & GS_NOSIDE) && !mmu_pmp_ok(h, pa, 8, ACC_LOAD, PRV_S))
			return -EACCES;
		p = machine_ram_ptr(h->m, pa, 8);
		if (!p)
			return -EACCES;
		memcpy(&pte, p, 8);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)))
			return -EFAULT;
		if (mmu_pte_reserved(h, pte, !!(pte & (PTE_R | PTE_X)), i,
				     !!(h->menvcfg & MENVCFG_PBMTE)))
			return -EFAULT;
		if (pte & (PTE_R | PTE_X))
			break;
		if (i == 0)
			return -EFAULT;
		a = ((pte >> 10) & PPN_MASK) << PG_SHIFT;
	}
	ppn = (pte >> 10) & PPN_MASK;
	lowmask = (1ull << (9 * i)) - 1;
	if (ppn & lowmask)
		return -EFAULT;
	if (pte & PTE_N)
		ppn = (ppn & ~NAPOT64K_MASK) | ((gpa >> PG_SHIFT) & NAPOT64K_MASK);
	*hpa = ((ppn | ((gpa >> PG_SHIFT) & lowmask)) << PG_SHIFT) | (gpa & PG_MASK);
	if (flags & GS_NOSIDE)
		return 0;
	/* every G-stage access counts as U-mode (spec 8.5.1) */
	if (!(pte & PTE_U))
		return -EFAULT;
	if ((flags & GS_X)
		? !(pte & PTE_X)
		: (acc == ACC_FETCH && !(pte & PTE_X)) || (acc == ACC_STORE && !(pte & PTE_W)) ||
		      (acc == ACC_LOAD && !(pte & PTE_R) &&
		       !(((h->virt ? h->alt.status : h->mstatus) & MSTATUS_MXR) && (pte & PTE_X))))
		return -EFAULT;
	if (!(pte & PTE_A) || (acc == ACC_STORE && !(pte & PTE_D))) {
		pte |= PTE_A | (acc == ACC_STORE ? PTE_D : 0);
		memcpy(p, &pte, 8);
	}
	return 0;
}

/* Raise the fault of a failed G-stage walk (rc) of gpa for the access acc at va. */
static int gfault(struct hart *h, int rc, int acc, uint64_t va, uint64_t gpa)
{
	h->exc_cause = rc == -EACCES ? access_fault[acc] : guest_fault[acc];
	h->exc_tval = va;
	h->exc_gpa = rc == -EACCES ? 0 : gpa;
	h->exc_gva = true;
	return -1;
}

static int vfault(struct hart *h, uint64_t cause, uint64_t va)
{
	h->exc_cause = cause;
	h->exc_tval = va;
	h->exc_gpa = 0;
	h->exc_gva = true;
	return -1;
}

/* The VS-stage walk of va (vsatp, G-stage translated PTE reads) and then the G-stage, for access
 * acc at V=1 privilege priv. noside: the debugger's (no A/D updates, no permissions). */
static int two_stage(struct hart *h, uint64_t va, int acc, unsigned priv, bool noside, uint64_t *pa)
{
	uint64_t vsatp = h->virt ? h->satp : h->alt.atp;
	uint64_t vsst = h->virt ? h->mstatus : h->alt.status;
	uint64_t hsst = h->virt ? h->alt.status : h->mstatus;
	unsigned mode = vsatp >> 60, levels, gflags = noside ? GS_NOSIDE : 0;
	uint64_t a, pte = 0, pte_pa = 0, leaf_gpa = 0, ppn, lowmask, gpa;
	int i, rc;

	if (mode != 8 && mode != 9) {
		gpa = va;
		goto gstage;
	}
	levels = mode == 8 ? 3 : 4;
	if ((uint64_t)((int64_t)(va << (64 - 12 - 9 * levels)) >> (64 - 12 - 9 * levels)) != va)
		return vfault(h, page_fault[acc], va);
	a = (vsatp & PPN_MASK) << PG_SHIFT;
	for (i = levels - 1;; i--) {
		uint64_t pte_gpa = a + ((va >> (PG_SHIFT + 9 * i)) & 0x1ff) * 8;
		uint8_t *p;

		/* the PTE read is an implicit load of the G-stage: its faults are reported as
		 * guest-page faults of the original access (spec 8.5.1), htval the PTE's address */
		rc = gstage(h, pte_gpa, ACC_LOAD, gflags, &pte_pa);
		if (rc == 0 && !noside && !mmu_pmp_ok(h, pte_pa, 8, ACC_LOAD, PRV_S))
			rc = -EACCES;
		if (rc < 0)
			return gfault(h, rc, acc, va, pte_gpa);
		leaf_gpa = pte_gpa;
		p = machine_ram_ptr(h->m, pte_pa, 8);
		if (!p)
			return gfault(h, -EACCES, acc, va, 0);
		memcpy(&pte, p, 8);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
		    mmu_pte_reserved(h, pte, !!(pte & (PTE_R | PTE_X)), i,
				     !!(h->henvcfg & MENVCFG_PBMTE)))
			return vfault(h, page_fault[acc], va);
		if (pte & (PTE_R | PTE_X))
			break;
		if (i == 0)
			return vfault(h, page_fault[acc], va);
		a = ((pte >> 10) & PPN_MASK) << PG_SHIFT;
	}
	ppn = (pte >> 10) & PPN_MASK;
	lowmask = (1ull << (9 * i)) - 1;
	if (ppn & lowmask)
		return vfault(h, page_fault[acc], va);
	if (pte & PTE_N)
		ppn = (ppn & ~NAPOT64K_MASK) | ((va >> PG_SHIFT) & NAPOT64K_MASK);
	gpa = ((ppn | ((va >> PG_SHIFT) & lowmask)) << PG_SHIFT) | (va & PG_MASK);
	if (!noside) {
		bool mxr = ((vsst | hsst) & MSTATUS_MXR) != 0;

		if (priv == PRV_U && !(pte & PTE_U))
			return vfault(h, page_fault[acc], va);
		if (priv == PRV_S && (pte & PTE_U) && (acc == ACC_FETCH || !(vsst & MSTATUS_SUM)))
			return vfault(h, page_fault[acc], va);
		if (h->hlvx ? !(pte & PTE_X)
			    : (acc == ACC_FETCH && !(pte & PTE_X)) ||
				  (acc == ACC_STORE && !(pte & PTE_W)) ||
				  (acc == ACC_LOAD && !(pte & PTE_R) && !(mxr && (pte & PTE_X))))
			return vfault(h, page_fault[acc], va);
		if (!(pte & PTE_A) || (acc == ACC_STORE && !(pte & PTE_D))) {
			uint64_t wpa;
			uint8_t *w;

			/* the A/D update is an implicit store through the G-stage */
			rc = gstage(h, leaf_gpa, ACC_STORE, 0, &wpa);
			w = rc == 0 ? machine_ram_ptr(h->m, wpa, 8) : NULL;
			if (!w)
				return gfault(h, rc < 0 ? rc : -EACCES, acc, va, leaf_gpa);
			pte |= PTE_A | (acc == ACC_STORE ? PTE_D : 0);
			memcpy(w, &pte, 8);
		}
	}
gstage:
	rc = gstage(h, gpa, acc, gflags | (h->hlvx ? GS_X : 0), pa);
	if (rc < 0)
		return gfault(h, rc, acc, va, gpa);
	return 0;
}

int hyp_translate(struct hart *h, uint64_t va, int acc, unsigned priv, uint64_t *pa)
{
	return two_stage(h, va, acc, priv, false, pa);
}

static struct hart *hart_of(struct cpu *c, unsigned hart)
{
	return hart < c->nharts ? c->harts[hart] : NULL;
}

int cpu_translate_gva(struct cpu *c, unsigned hart, uint64_t gva, uint64_t *hpa)
{
	struct hart *h = hart_of(c, hart);
	uint64_t cause, tval, gpa;
	bool gva_flag;
	int rc;

	if (!h || !has_h(h))
		return -EFAULT;
	/* the walk must not leave a pending exception behind */
	cause = h->exc_cause, tval = h->exc_tval, gpa = h->exc_gpa, gva_flag = h->exc_gva;
	rc = two_stage(h, gva, ACC_LOAD, PRV_S, true, hpa);
	h->exc_cause = cause, h->exc_tval = tval, h->exc_gpa = gpa, h->exc_gva = gva_flag;
	return rc < 0 ? -EFAULT : 0;
}

int cpu_translate_gpa(struct cpu *c, unsigned hart, uint64_t gpa, uint64_t *hpa)
{
	struct hart *h = hart_of(c, hart);

	if (!h || !has_h(h))
		return -EFAULT;
	return gstage(h, gpa, ACC_LOAD, GS_NOSIDE, hpa) < 0 ? -EFAULT : 0;
}

uint64_t cpu_vmid(struct cpu *c, unsigned hart)
{
	struct hart *h = hart_of(c, hart);

	return h ? hyp_vmid(h) : 0;
}

/* ---- traps and interrupts ---- */

uint64_t hyp_pending_irq(const struct hart *h, uint64_t pending)
{
	/* VS-level interrupts delegated to VS: taken only at V=1, by VS's own SIE in VS */
	if (!h->virt || (h->priv == PRV_S && !(h->mstatus & MSTATUS_SIE)))
		return 0;
	return pending & h->mideleg & h->hideleg;
}

unsigned hyp_trap_target(const struct hart *h, uint64_t cause)
{
	bool irq = cause >> 63;
	unsigned code = cause & 63;

	if (h->priv == PRV_M || !(((irq ? h->mideleg : h->medeleg) >> code) & 1))
		return LVL_M;
	if (h->virt && (((irq ? h->hideleg : h->hedeleg) >> code) & 1))
		return LVL_VS;
	return LVL_S;
}

/* ---- Sstc's vstimecmp ---- */

void hyp_timer_update(struct hart *h, uint64_t mtime)
{
	if ((h->henvcfg & h->menvcfg & MENVCFG_STCE) && h->vstimecmp_armed &&
	    mtime + h->htimedelta >= h->vstimecmp)
		h->mip_hw |= MIP_VSTIP;
	else
		h->mip_hw &= ~MIP_VSTIP;
}

/* ---- CSRs ---- */

int hyp_csr_pred(const struct hart *h, unsigned csr)
{
	if (csr == CSR_VSTIMECMP) {
		if (!isa_has(h->cpu->isa, ISA_SSTC))
			return -1;
		if (h->priv == PRV_M)
			return 0;
		return (h->mcounteren & 2) && (h->menvcfg & MENVCFG_STCE) ? 0 : -1;
	}
	/* mstatus.TVM traps HS's hgatp accesses too */
	if (csr == CSR_HGATP && h->priv == PRV_S && !h->virt && (h->mstatus & MSTATUS_TVM))
		return -1;
	return 0;
}

static uint64_t envcfg_bits(const struct hart *h)
{
	isa_t isa = h->cpu->isa;
	uint64_t m = ENVCFG_FIOM;

	if (isa_has(isa, ISA_ZICBOM))
		m |= ENVCFG_CBIE | ENVCFG_CBCFE;
	if (isa_has(isa, ISA_ZICBOZ))
		m |= ENVCFG_CBZE;
	if (isa_has(isa, ISA_SVPBMT))
		m |= MENVCFG_PBMTE & h->menvcfg;
	if (isa_has(isa, ISA_SSTC))
		m |= MENVCFG_STCE & h->menvcfg;
	return m;
}

static uint64_t status_bits(const struct hart *h)
{
	uint64_t m = SSTATUS_SWAP;

	if (!isa_has(h->cpu->isa, ISA_F))
		m &= ~MSTATUS_FS;
	return m;
}

int hyp_csr_read(struct hart *h, unsigned csr, uint64_t *v)
{
	uint64_t x;

	switch (csr) {
	case CSR_HSTATUS:
		*v = h->hstatus | HSTATUS_VSXL64;
		return 0;
	case CSR_HEDELEG:
		*v = h->hedeleg;
		return 0;
	case CSR_HIDELEG:
		*v = h->hideleg;
		return 0;
	case CSR_HIE:
		*v = h->mie & MIP_VS_MASK;
		return 0;
	case CSR_HIP:
		*v = csr_mip(h) & MIP_VS_MASK;
		return 0;
	case CSR_HVIP:
		*v = h->mip & MIP_VS_MASK;
		return 0;
	case CSR_HTIMEDELTA:
		*v = h->htimedelta;
		return 0;
	case CSR_HCOUNTEREN:
		*v = h->hcounteren;
		return 0;
	case CSR_HGEIE:
	case CSR_HGEIP: /* GEILEN = 0: no guest external interrupt lines */
		*v = 0;
		return 0;
	case CSR_HENVCFG:
		*v = h->henvcfg & envcfg_bits(h);
		return 0;
	case CSR_HTVAL:
		*v = h->htval;
		return 0;
	case CSR_HTINST:
		*v = h->htinst;
		return 0;
	case CSR_HGATP:
		*v = h->hgatp;
		return 0;
	case CSR_MTVAL2:
		*v = h->mtval2;
		return 0;
	case CSR_MTINST:
		*v = h->mtinst;
		return 0;
	}
	/* the vs* CSRs (reached at V=0 only) and their s* aliases at V=1 */
	switch (csr) {
	case CSR_VSSTATUS:
		x = (h->virt ? h->mstatus | h->vs_fs : h->alt.status) & status_bits(h);
		x |= 2ull << 32; /* UXL = 64 */
		if ((x & MSTATUS_FS) == MSTATUS_FS)
			x |= MSTATUS_SD;
		*v = x;
		return 0;
	case CSR_VSIE:
		*v = (h->mie & h->hideleg & MIP_VS_MASK) >> 1;
		return 0;
	case CSR_VSIP:
		*v = (csr_mip(h) & h->hideleg & MIP_VS_MASK) >> 1;
		return 0;
	case CSR_VSTIMECMP:
		*v = h->vstimecmp;
		return 0;
	case CSR_VSTVEC:
		*v = h->alt.tvec;
		return 0;
	case CSR_VSSCRATCH:
		*v = h->alt.scratch;
		return 0;
	case CSR_VSEPC:
		*v = h->alt.epc & epc_mask(h);
		return 0;
	case CSR_VSCAUSE:
		*v = h->alt.cause;
		return 0;
	case CSR_VSTVAL:
		*v = h->alt.tval;
		return 0;
	case CSR_VSATP:
		*v = h->alt.atp;
		return 0;
	}
	return -1;
}

int hyp_csr_write(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t old;

	switch (csr) {
	case CSR_HSTATUS:
		h->hstatus = v & HSTATUS_WMASK;
		return 0;
	case CSR_HEDELEG:
		h->hedeleg = v & HEDELEG_MASK;
		return 0;
	case CSR_HIDELEG:
		h->hideleg = v & MIP_VS_MASK;
		return 0;
	case CSR_HIE:
		h->mie = (h->mie & ~MIP_VS_MASK) | (v & MIP_VS_MASK);
		return 0;
	case CSR_HIP: /* only VSSIP is writable here (an alias of hvip's) */
		h->mip = (h->mip & ~MIP_VSSIP) | (v & MIP_VSSIP);
		return 0;
	case CSR_HVIP:
		old = h->mip & MIP_VS_MASK;
		h->mip = (h->mip & ~MIP_VS_MASK) | (v & MIP_VS_MASK);
		if ((h->tmask & REC_ETRACE) && old != (v & MIP_VS_MASK))
			hook_hvip(h, old, v & MIP_VS_MASK);
		return 0;
	case CSR_HTIMEDELTA:
		h->htimedelta = v;
		hyp_timer_update(h, machine_mtime(h->m));
		machine_yield(h->m);
		return 0;
	case CSR_HCOUNTEREN:
		h->hcounteren = (uint32_t)v;
		return 0;
	case CSR_HGEIE:
		return 0;
	case CSR_HENVCFG:
		old = h->henvcfg;
		/* CBIE = 2 is reserved: WARL, keep the old value */
		if ((v & ENVCFG_CBIE) == (2ull << 4))
			v = (v & ~ENVCFG_CBIE) | (old & ENVCFG_CBIE);
		h->henvcfg = v & (ENVCFG_FIOM | ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE |
				  MENVCFG_PBMTE | MENVCFG_STCE);
		h->henvcfg &= envcfg_bits(h);
		if ((old ^ h->henvcfg) & MENVCFG_PBMTE)
			hyp_flush(h);
		hyp_timer_update(h, machine_mtime(h->m));
		return 0;
	case CSR_HTVAL:
		h->htval = v;
		return 0;
	case CSR_HTINST:
		h->htinst = v;
		return 0;
	case CSR_HGATP: {
		uint64_t mode = v >> 60;

		/* unsupported modes are WARL (not ignored as for satp): Bare */
		if (mode != 8 && mode != 9)
			v = 0;
		/* the 16 KiB root: PPN[1:0] read as zero */
		h->hgatp = (v & ((0xfull << 60) | HGATP_VMID | HGATP_PPN)) & ~3ull;
		hyp_tlb_select(h, false);
		return 0;
	}
	case CSR_MTVAL2:
		h->mtval2 = v;
		return 0;
	case CSR_MTINST:
		h->mtinst = v;
		return 0;
	}
	switch (csr) {
	case CSR_VSSTATUS: {
		uint64_t *st = h->virt ? &h->mstatus : &h->alt.status, m = status_bits(h);

		old = *st;
		if (h->virt)
			hyp_status_write(h, v, m);
		else
			*st = (*st & ~m) | (v & m);
		if ((old ^ *st) & MSTATUS_MXR)
			hyp_flush(h);
		hart_update_tlb_sets(h);
		return 0;
	}
	case CSR_VSIE: {
		uint64_t m = h->hideleg & MIP_VS_MASK;

		h->mie = (h->mie & ~m) | ((v << 1) & m);
		return 0;
	}
	case CSR_VSIP: {
		uint64_t m = h->hideleg & MIP_VSSIP;

		h->mip = (h->mip & ~m) | ((v << 1) & m);
		return 0;
	}
	case CSR_VSTIMECMP: {
		uint64_t now = machine_mtime(h->m);

		h->vstimecmp = v;
		h->vstimecmp_armed = true;
		hyp_timer_update(h, now);
		if (h->tmask & REC_ETRACE)
			hook_timer(h, "vstimecmp", v, now);
		machine_yield(h->m);
		return 0;
	}
	case CSR_VSTVEC:
		if ((v & 3) < 2)
			h->alt.tvec = v;
		return 0;
	case CSR_VSSCRATCH:
		h->alt.scratch = v;
		return 0;
	case CSR_VSEPC:
		h->alt.epc = v & ~1ull;
		return 0;
	case CSR_VSCAUSE:
		h->alt.cause = v;
		return 0;
	case CSR_VSTVAL:
		h->alt.tval = v;
		return 0;
	case CSR_VSATP: {
		uint64_t mode = v >> 60;

		if (mode != 0 && mode != 8 && mode != 9)
			return 0; /* as satp: a write of an unsupported mode has no effect */
		h->alt.atp = v & SATP_LEGAL;
		hyp_tlb_select(h, false);
		return 0;
	}
	}
	return -1;
}
