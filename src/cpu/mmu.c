/* mmu — address translation (Sv39/Sv48 with hardware A/D updates), PMP, and the slow paths of
 * the soft TLB: every access the interpreter's inline TLB probe cannot serve comes here. */
#include "cpu/hart.h"
#include "machine/machine.h"
#include "trace/event.h"
#include "trace/record.h"

#include <errno.h>
#include <string.h>

#define unlikely(x) __builtin_expect(!!(x), 0)

static const uint64_t page_fault[3] = {EXC_LOAD_PAGE, EXC_STORE_PAGE, EXC_INSN_PAGE};
static const uint64_t access_fault[3] = {EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INSN_ACCESS};

static int raise(struct hart *h, uint64_t cause, uint64_t tval)
{
	h->exc_cause = cause;
	h->exc_tval = tval;
	return -1;
}

/* The level (enum level) data accesses are checked with: MPRV makes M-mode loads/stores act as
 * MPP, and with H as MPV too. */
static unsigned data_level(const struct hart *h)
{
	if (h->priv == PRV_M && (h->mstatus & MSTATUS_MPRV)) {
		unsigned mpp = (h->mstatus & MSTATUS_MPP) >> 11;

		return mpp | (mpp != PRV_M && (h->mstatus & MSTATUS_MPV) ? 4 : 0);
	}
	return hart_level(h);
}

/* [lo, hi) covered by PMP entry i; false if the entry is off or empty. */
static bool pmp_range(const struct hart *h, unsigned i, uint64_t *lo, uint64_t *hi)
{
	uint64_t a = h->pmpaddr[i];

	switch ((h->pmpcfg[i] >> 3) & 3) {
	case 1: /* TOR */
		*lo = i ? h->pmpaddr[i - 1] << 2 : 0;
		*hi = a << 2;
		return *lo < *hi;
	case 2: /* NA4 */
		*lo = a << 2;
		*hi = *lo + 4;
		return true;
	case 3: { /* NAPOT */
		unsigned n = __builtin_ctzll(~a);
		*lo = (a & ~((1ull << n) - 1)) << 2;
		*hi = *lo + (1ull << (n + 3));
		return true;
	}
	}
	return false;
}

/* PMP check of [pa, pa+size) for access acc at priv. *uniform is set false when a PMP region
 * boundary falls inside the page, so that the page must not be cached in the TLB. */
static bool pmp_ok(const struct hart *h, uint64_t pa, unsigned size, int acc, unsigned priv,
		   bool *uniform)
{
	static const uint8_t need[3] = {1, 2, 4}; /* R, W, X */
	uint64_t page = pa & ~PG_MASK;
	int match = -1;

	if (!h->pmp_active)
		return priv == PRV_M;
	for (unsigned k = 0; k < h->pmp_n; k++) {
		uint64_t lo = h->pmp_lo[k], hi = h->pmp_hi[k];

		if (uniform && lo < page + PG_SIZE && hi > page &&
		    !(lo <= page && hi >= page + PG_SIZE))
			*uniform = false;
		if (match < 0 && pa + size > lo && pa < hi) {
			if (pa < lo || pa + size > hi)
				return false; /* partial match fails */
			match = h->pmp_idx[k];
		}
	}
	if (match < 0)
		return priv == PRV_M;
	if (priv == PRV_M && !(h->pmpcfg[match] & 0x80))
		return true;
	return (h->pmpcfg[match] & need[acc]) != 0;
}

/* Whether a PTE's bits 63:54 make it a page fault (priv spec 12.4-12.6): bits 60:54 are
 * reserved; PBMT (62:61) needs Svpbmt with menvcfg.PBMTE, a leaf, and not the reserved value 3;
 * N (63) needs Svnapot, a 4 KiB leaf, and PPN[3:0] = 1000 (64 KiB, the only size defined). */
bool mmu_pte_reserved(const struct hart *h, uint64_t pte, bool leaf, int level, bool pbmte)
{
	isa_t isa = h->cpu->isa;
	unsigned pbmt = (pte >> 61) & 3;

	if ((pte >> 54) & 0x7f)
		return true;
	if (pbmt && (!leaf || pbmt == 3 || !isa_has(isa, ISA_SVPBMT) || !pbmte))
		return true;
	if ((pte & PTE_N) &&
	    (!leaf || level != 0 || !isa_has(isa, ISA_SVNAPOT) || ((pte >> 10) & 0xf) != 8))
		return true;
	return false;
}

int mmu_walk(const struct hart *h, uint64_t satp, uint64_t va, bool pmp, struct mmu_walk *w)
{
	unsigned mode = satp >> 60, va_bits;
	uint64_t a = (satp & PPN_MASK) << PG_SHIFT, pte = 0, ppn, lowmask;
	uint8_t *p;
	int i;

	if (h->cpu->isa & ISA_RV32)
		return mmu_walk_sv32(h, satp, va, pmp, w);
	w->nsteps = 0;
	w->why = NULL;
	if (mode != 8 && mode != 9) {
		w->levels = 0;
		w->pa = va;
		return 0;
	}
	w->levels = mode == 8 ? 3 : 4;
	va_bits = 12 + 9 * w->levels;
	if ((uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va) {
		w->why = "the address is not canonical";
		return -EFAULT;
	}
	for (i = w->levels - 1;; i--) {
		w->step[w->nsteps].addr = a + ((va >> (PG_SHIFT + 9 * i)) & 0x1ff) * 8;
		if (pmp && !pmp_ok(h, w->step[w->nsteps].addr, 8, ACC_LOAD, PRV_S, NULL)) {
			w->why = "PMP denies reading the PTE";
			return -EACCES;
		}
		p = machine_ram_ptr(h->m, w->step[w->nsteps].addr, 8);
		if (!p) {
			w->why = "the PTE is not in RAM";
			return -EACCES;
		}
		memcpy(&pte, p, 8);
		w->step[w->nsteps++].pte = pte;
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W))) {
			w->why = "invalid PTE";
			return -EFAULT;
		}
		if (mmu_pte_reserved(h, pte, !!(pte & (PTE_R | PTE_X)), i,
				     !!(h->menvcfg & MENVCFG_PBMTE))) {
			w->why = "reserved PTE bits set";
			return -EFAULT;
		}
		if (pte & (PTE_R | PTE_X))
			break;
		if (i == 0) {
			w->why = "no leaf PTE";
			return -EFAULT;
		}
		a = ((pte >> 10) & PPN_MASK) << PG_SHIFT;
	}
	ppn = (pte >> 10) & PPN_MASK;
	lowmask = (1ull << (9 * i)) - 1;
	if (ppn & lowmask) {
		w->why = "misaligned superpage";
		return -EFAULT;
	}
	if (pte & PTE_N) /* Svnapot: a 64 KiB page, the low 4 bits of the PPN from the VA */
		ppn = (ppn & ~NAPOT64K_MASK) | ((va >> PG_SHIFT) & NAPOT64K_MASK);
	w->pte = pte;
	w->pte_host = p;
	w->level = i;
	w->pa = ((ppn | ((va >> PG_SHIFT) & lowmask)) << PG_SHIFT) | (va & PG_MASK);
	return 0;
}

bool mmu_pmp_ok(const struct hart *h, uint64_t pa, unsigned size, int acc, unsigned priv)
{
	return pmp_ok(h, pa, size, acc, priv, NULL);
}

int mmu_translate(struct hart *h, uint64_t vaddr, int acc, unsigned lvl, uint64_t *paddr)
{
	unsigned priv = lvl & 3;
	struct mmu_walk w;
	uint64_t pte;
	int rc;

	if (lvl & 4) /* V=1: two-stage (hyp.c) */
		return hyp_translate(h, vaddr, acc, priv, paddr);
	if (priv == PRV_M || (h->satp >> ((h->cpu->isa & ISA_RV32) ? 31 : 60)) == 0) {
		*paddr = vaddr;
		return 0;
	}
	rc = mmu_walk(h, h->satp, vaddr, true, &w);
	if (rc < 0)
		return raise(h, rc == -EACCES ? access_fault[acc] : page_fault[acc], vaddr);
	/* the leaf's permissions */
	pte = w.pte;
	if (priv == PRV_U && !(pte & PTE_U))
		return raise(h, page_fault[acc], vaddr);
	if (priv == PRV_S && (pte & PTE_U) && (acc == ACC_FETCH || !(h->mstatus & MSTATUS_SUM)))
		return raise(h, page_fault[acc], vaddr);
	if ((acc == ACC_FETCH && !(pte & PTE_X)) || (acc == ACC_STORE && !(pte & PTE_W)) ||
	    (acc == ACC_LOAD && !(pte & PTE_R) && !((h->mstatus & MSTATUS_MXR) && (pte & PTE_X))))
		return raise(h, page_fault[acc], vaddr);
	if (!(pte & PTE_A) || (acc == ACC_STORE && !(pte & PTE_D))) {
		pte |= PTE_A | (acc == ACC_STORE ? PTE_D : 0);
		memcpy(w.pte_host, &pte, (h->cpu->isa & ISA_RV32) ? 4 : 8); /* Sv32: 4-byte PTEs */
	}
	*paddr = w.pa;
	return 0;
}

/* Translate + PMP-check one access that stays within a page, at level lvl (enum level). */
static int translate_check(struct hart *h, uint64_t vaddr, unsigned size, int acc, unsigned lvl,
			   uint64_t *pa, bool *uniform)
{
	if (mmu_translate(h, vaddr, acc, lvl, pa) < 0)
		return -1;
	if (!pmp_ok(h, *pa, size, acc, lvl & 3, uniform)) {
		h->exc_gva = lvl >> 2;
		return raise(h, access_fault[acc], vaddr);
	}
	return 0;
}

static bool page_has_code(const struct cpu *c, uint64_t pa)
{
	uint64_t idx = (pa - c->ram_base) >> PG_SHIFT;

	return pa >= c->ram_base && idx < c->ram_pages && c->dpages[idx];
}

static void tlb_fill(struct hart *h, int acc, uint64_t vaddr, uint64_t pa)
{
	uint8_t *host = machine_ram_ptr(h->m, pa & ~PG_MASK, PG_SIZE);
	struct tlb_entry *e;

	if (!host || hook_mem_page(h, vaddr & ~PG_MASK, acc))
		return;
	if (unlikely(h->cpu->dbg.nwp) && dbg_watch_page(h->cpu, vaddr & ~PG_MASK))
		return;
	if (unlikely(h->trig_data) && trig_data_page(h, vaddr & ~PG_MASK))
		return;
	if (acc == ACC_STORE) {
		if (page_has_code(h->cpu, pa) || machine_page_watched(h->m, pa))
			return;
		e = &h->ts_data->st[(vaddr >> PG_SHIFT) & (TLB_SIZE - 1)];
	} else {
		e = &h->ts_data->ld[(vaddr >> PG_SHIFT) & (TLB_SIZE - 1)];
	}
	/* RV32: the address as the interpreter computes it from sign-extended registers (see
	 * mmu_va) */
	if (h->cpu->isa & ISA_RV32)
		vaddr = (uint64_t)(int64_t)(int32_t)(uint32_t)vaddr;
	e->vtag = vaddr & ~PG_MASK;
	e->addend = (uintptr_t)host - (vaddr & ~PG_MASK);
}

/* Copy between guest bytes at pa and a little-endian value; RAM or MMIO. */
static int phys_access(struct hart *h, uint64_t pa, unsigned size, int acc, uint64_t *val,
		       uint64_t vaddr)
{
	uint8_t *host = machine_ram_ptr(h->m, pa, size);

	if (unlikely(h->idle_probe)) {
		if (host && (acc == ACC_LOAD || !machine_page_watched(h->m, pa)))
			idle_touch(h, host, size, acc == ACC_LOAD ? NULL : (const void *)val);
		else
			idle_abort(h); /* a device is no memory a loop may read twice */
	}
	if (host) {
		if (acc == ACC_LOAD) {
			*val = 0;
			memcpy(val, host, size);
		} else if (machine_page_watched(h->m, pa) && !(pa & (size - 1))) {
			if (machine_phys_write(h->m, pa, size, *val) < 0)
				return raise(h, access_fault[acc], vaddr);
		} else {
			memcpy(host, val, size);
			if (page_has_code(h->cpu, pa))
				cpu_invalidate_code(h->cpu, pa, size);
		}
		return 0;
	}
	if (pa & (size - 1))
		return raise(h, access_fault[acc], vaddr);
	if (acc == ACC_LOAD ? machine_phys_read(h->m, pa, size, val) < 0
			    : machine_phys_write(h->m, pa, size, *val) < 0)
		return raise(h, access_fault[acc], vaddr);
	if (h->tmask & REC_DTRACE)
		hook_mmio(h, pa, size, *val, acc == ACC_LOAD ? TEV_MEM_LOAD : TEV_MEM_STORE);
	return 0;
}

/* An access at level priv (enum level); fill: the page may enter the current data TLB set. */
static int access_lvl(struct hart *h, uint64_t vaddr, unsigned size, int acc, unsigned priv,
		      bool fill, uint64_t *val)
{
	unsigned off = vaddr & PG_MASK;
	bool uniform = true;
	uint64_t pa;

	/* a load/store trigger fires before the access (timing = before, as QEMU) */
	if (unlikely(h->trig_data) && trig_mem(h, vaddr, size, acc))
		return -1;

	if (off + size > PG_SIZE) {
		/* crosses a page: translate both halves first, so a fault leaves memory untouched
		 */
		unsigned n1 = PG_SIZE - off;
		uint64_t pa2, lo = 0, hi = 0;

		if (translate_check(h, vaddr, n1, acc, priv, &pa, NULL) < 0 ||
		    translate_check(h, vaddr + n1, size - n1, acc, priv, &pa2, NULL) < 0)
			return -1;
		if (!machine_ram_ptr(h->m, pa, n1) || !machine_ram_ptr(h->m, pa2, size - n1))
			return raise(h, access_fault[acc], vaddr);
		if (acc == ACC_LOAD) {
			if (phys_access(h, pa, n1, acc, &lo, vaddr) < 0 ||
			    phys_access(h, pa2, size - n1, acc, &hi, vaddr) < 0)
				return -1;
			*val = lo | (hi << (8 * n1));
			return 0;
		}
		lo = *val;
		hi = *val >> (8 * n1);
		if (phys_access(h, pa, n1, acc, &lo, vaddr) < 0)
			return -1;
		return phys_access(h, pa2, size - n1, acc, &hi, vaddr);
	}
	if (translate_check(h, vaddr, size, acc, priv, &pa, &uniform) < 0)
		return -1;
	if (phys_access(h, pa, size, acc, val, vaddr) < 0)
		return -1;
	if ((h->tmask & REC_MTRACE) && machine_ram_ptr(h->m, pa, size))
		hook_mem(h, vaddr, pa, size, *val, acc == ACC_LOAD ? TEV_MEM_LOAD : TEV_MEM_STORE);
	if (uniform && fill)
		tlb_fill(h, acc, vaddr, pa);
	return 0;
}

static int access_slow(struct hart *h, uint64_t vaddr, unsigned size, int acc, uint64_t *val)
{
	return access_lvl(h, vaddr, size, acc, data_level(h), true, val);
}

int mmu_hyp_load(struct hart *h, uint64_t va, unsigned size, bool x, uint64_t *val)
{
	unsigned lvl = 4 | (h->hstatus & HSTATUS_SPVP ? PRV_S : PRV_U);
	int r;

	h->hlvx = x;
	r = access_lvl(h, va, size, ACC_LOAD, lvl, false, val);
	h->hlvx = false;
	if (r < 0)
		h->exc_gva = true;
	return r;
}

int mmu_hyp_store(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
	unsigned lvl = 4 | (h->hstatus & HSTATUS_SPVP ? PRV_S : PRV_U);
	int r = access_lvl(h, va, size, ACC_STORE, lvl, false, &val);

	if (r < 0)
		h->exc_gva = true;
	return r;
}

/* An RV32 hart's effective address is the low 32 bits of what the interpreter computed; the
 * fast path's TLB hits only the sign-extended form, the one its registers give (tlb_fill). */
static inline uint64_t mmu_va(const struct hart *h, uint64_t vaddr)
{
	return (h->cpu->isa & ISA_RV32) ? (uint32_t)vaddr : vaddr;
}

int mmu_load(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *val)
{
	vaddr = mmu_va(h, vaddr);
	int r = access_slow(h, vaddr, size, ACC_LOAD, val);

	if (unlikely(h->cpu->dbg.nwp) && r == 0)
		dbg_watch_access(h, vaddr, size, 1);
	return r;
}

int mmu_store(struct hart *h, uint64_t vaddr, unsigned size, uint64_t val)
{
	vaddr = mmu_va(h, vaddr);
	int r = access_slow(h, vaddr, size, ACC_STORE, &val);

	if (unlikely(h->cpu->dbg.nwp) && r == 0)
		dbg_watch_access(h, vaddr, size, 2);
	return r;
}

uint8_t *mmu_atomic_ptr(struct hart *h, uint64_t vaddr, unsigned size, bool is_lr)
{
	int acc = is_lr ? ACC_LOAD : ACC_STORE;
	unsigned priv = data_level(h);
	uint64_t pa;
	uint8_t *host;

	vaddr = mmu_va(h, vaddr);
	if (vaddr & (size - 1)) {
		raise(h, is_lr ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, vaddr);
		return NULL;
	}
	if (unlikely(h->trig_data) && trig_mem(h, vaddr, size, acc))
		return NULL;
	if (translate_check(h, vaddr, size, acc, priv, &pa, NULL) < 0)
		return NULL;
	if (!is_lr && !pmp_ok(h, pa, size, ACC_LOAD, priv & 3, NULL)) {
		raise(h, EXC_STORE_ACCESS, vaddr);
		return NULL;
	}
	host = machine_ram_ptr(h->m, pa, size);
	if (!host) {
		raise(h, access_fault[acc], vaddr);
		return NULL;
	}
	if (unlikely(h->idle_probe))
		idle_touch(h, host, size, is_lr ? NULL : IDLE_TOUCH_RMW);
	if (!is_lr && page_has_code(h->cpu, pa))
		cpu_invalidate_code(h->cpu, pa, size);
	if (h->tmask & REC_MTRACE)
		hook_mem(h, vaddr, pa, size, 0, is_lr ? TEV_MEM_LOAD : TEV_MEM_AMO);
	if (unlikely(h->cpu->dbg.nwp))
		dbg_watch_access(h, vaddr, size, is_lr ? 1 : 3); /* an AMO reads and writes */
	return host;
}

int mmu_cbo_zero(struct hart *h, uint64_t vaddr)
{
	uint64_t base = mmu_va(h, vaddr) & ~(uint64_t)(CBO_BLOCK - 1);

	/* a block never crosses a page: once the first store passes translation and PMP, the
	 * rest of the block does too (PMP grains are at least 4 bytes; a region boundary inside
	 * a block would need a finer PMP than anything real) */
	for (unsigned off = 0; off < CBO_BLOCK; off += 8)
		if (mmu_store(h, base + off, 8, 0) < 0)
			return -1;
	return 0;
}

int mmu_cbo_check(struct hart *h, uint64_t vaddr)
{
	uint64_t base = mmu_va(h, vaddr) & ~(uint64_t)(CBO_BLOCK - 1), pa;
	unsigned priv = data_level(h);

	if (translate_check(h, base, CBO_BLOCK, ACC_LOAD, priv, &pa, NULL) == 0)
		return 0;
	h->exc_gva = false; /* the load's fault is not the one reported */
	/* no load permission: a store's will do, and its fault is the one reported */
	return translate_check(h, base, CBO_BLOCK, ACC_STORE, priv, &pa, NULL);
}

/* Read 16 instruction bits at vaddr without caching anything. */
static int fetch16(struct hart *h, uint64_t vaddr, uint32_t *half)
{
	uint64_t pa, v;

	if (translate_check(h, vaddr, 2, ACC_FETCH, hart_level(h), &pa, NULL) < 0)
		return -1;
	if (machine_phys_read(h->m, pa, 2, &v) < 0)
		return raise(h, EXC_INSN_ACCESS, vaddr);
	*half = v & 0xffff;
	return 0;
}

/* A 32-bit instruction at pc that may cross a page, read through the MMU. */
int mmu_fetch_raw(struct hart *h, uint64_t pc, uint32_t *raw)
{
	uint32_t lo, hi;

	if (fetch16(h, pc, &lo) < 0)
		return -1;
	if ((lo & 3) == 3) {
		if (fetch16(h, pc + 2, &hi) < 0)
			return -1;
		lo |= hi << 16;
	}
	*raw = lo;
	return 0;
}

struct dpage *mmu_fetch(struct hart *h, uint64_t pc, uint32_t *raw, int *raw_ok)
{
	bool uniform = true;
	uint64_t pa;
	struct dpage *dp;
	struct itlb_entry *e;

	*raw_ok = 0;
	if (translate_check(h, pc, 2, ACC_FETCH, hart_level(h), &pa, &uniform) < 0)
		return NULL;
	if (!uniform || !machine_ram_ptr(h->m, pa & ~PG_MASK, PG_SIZE)) {
		if (mmu_fetch_raw(h, pc, raw) < 0)
			return NULL;
		*raw_ok = 1;
		return NULL;
	}
	dp = cpu_dpage(h->cpu, pa);
	if (!dp) {
		raise(h, EXC_INSN_ACCESS, pc);
		return NULL;
	}
	e = &h->ts_fetch->x[(pc >> PG_SHIFT) & (TLB_SIZE - 1)];
	e->vtag = pc & ~PG_MASK;
	e->dp = dp;
	if (unlikely(h->cpu->dbg.nbp | h->cpu->dbg.ntrig_x))
		dbg_mark_page(h->cpu, dp, pc & ~PG_MASK);
	return dp;
}

/* Decode the PMP entries once per change instead of on every check (a page walk checks each
 * PTE read). */
static void pmp_recompute(struct hart *h)
{
	h->pmp_n = 0;
	for (unsigned i = 0; i < 16; i++) {
		uint64_t lo, hi;

		if (!pmp_range(h, i, &lo, &hi))
			continue;
		h->pmp_idx[h->pmp_n] = i;
		h->pmp_lo[h->pmp_n] = lo;
		h->pmp_hi[h->pmp_n++] = hi;
	}
}

void mmu_flush(struct hart *h)
{
	if (unlikely(h->idle_probe))
		idle_abort(h); /* fresh translations: the loop could read other memory */
	pmp_recompute(h);
	/* the V=1 sets only if they were used since their last flush (hyp.c) */
	mmu_flush_sets(h, 0, h->vtlb_used ? TS_COUNT : TS_FIRST_V);
}

void mmu_flush_sets(struct hart *h, unsigned first, unsigned end)
{
	for (unsigned s = first; s < end; s++) {
		for (unsigned i = 0; i < TLB_SIZE; i++) {
			h->tlbs[s].ld[i].vtag = TLB_INVALID;
			h->tlbs[s].st[i].vtag = TLB_INVALID;
			h->tlbs[s].x[i].vtag = TLB_INVALID;
		}
	}
	if (first <= TS_FIRST_V && end >= TS_COUNT)
		h->vtlb_used = false;
	hart_update_tlb_sets(h); /* marks them used again if current */
}

void mmu_flush_page(struct hart *h, uint64_t vaddr)
{
	/* with Svnapot the leaf of vaddr may map the whole 64 KiB around it: its 16 pages go */
	unsigned n = isa_has(h->cpu->isa, ISA_SVNAPOT) ? NAPOT64K_MASK + 1 : 1;
	uint64_t first = isa_has(h->cpu->isa, ISA_SVNAPOT) ? vaddr >> PG_SHIFT & ~NAPOT64K_MASK
							    : vaddr >> PG_SHIFT;

	if (unlikely(h->idle_probe))
		idle_abort(h);
	for (unsigned k = 0; k < n; k++) {
		unsigned i = (first + k) & (TLB_SIZE - 1);

		for (unsigned s = 0, end = h->vtlb_used ? TS_COUNT : TS_FIRST_V; s < end; s++) {
			h->tlbs[s].ld[i].vtag = TLB_INVALID;
			h->tlbs[s].st[i].vtag = TLB_INVALID;
			h->tlbs[s].x[i].vtag = TLB_INVALID;
		}
	}
}

void mmu_flush_stores_all(struct cpu *c)
{
	for (unsigned k = 0; k < c->nharts; k++)
		for (unsigned s = 0, end = c->harts[k]->vtlb_used ? TS_COUNT : TS_FIRST_V; s < end;
		     s++)
			for (unsigned i = 0; i < TLB_SIZE; i++)
				c->harts[k]->tlbs[s].st[i].vtag = TLB_INVALID;
}
