/* sv32 — the page walk of an RV32 hart (privileged spec 12.3): two levels of 4-byte PTEs with
 * 10-bit VPNs, 22-bit PPNs (34-bit physical addresses) and 4 MiB megapages. mmu.c does the rest
 * (leaf permissions, A/D updates, TLB) as for Sv39/Sv48; Sv32 PTEs have no reserved bits. */
#include "cpu/hart.h"
#include "machine/machine.h"

#include <errno.h>
#include <string.h>

#define SV32_PPN_MASK ((1ull << 22) - 1)

int mmu_walk_sv32(const struct hart *h, uint64_t satp, uint64_t va, bool pmp, struct mmu_walk *w)
{
	uint64_t a = (satp & SV32_PPN_MASK) << PG_SHIFT, ppn;
	uint32_t pte = 0;
	uint8_t *p;
	int i;

	w->nsteps = 0;
	w->why = NULL;
	va = (uint32_t)va;
	if (!((satp >> 31) & 1)) {
		w->levels = 0;
		w->pa = va;
		return 0;
	}
	w->levels = 2;
	for (i = 1;; i--) {
		uint64_t pa = a + ((va >> (PG_SHIFT + 10 * i)) & 0x3ff) * 4;

		w->step[w->nsteps].addr = pa;
		if (pmp && !mmu_pmp_ok(h, pa, 4, ACC_LOAD, PRV_S)) {
			w->why = "PMP denies reading the PTE";
			return -EACCES;
		}
		p = machine_ram_ptr(h->m, pa, 4);
		if (!p) {
			w->why = "the PTE is not in RAM";
			return -EACCES;
		}
		memcpy(&pte, p, 4);
		w->step[w->nsteps++].pte = pte;
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W))) {
			w->why = "invalid PTE";
			return -EFAULT;
		}
		if (pte & (PTE_R | PTE_X))
			break;
		if (i == 0) {
			w->why = "no leaf PTE";
			return -EFAULT;
		}
		a = (uint64_t)(pte >> 10) << PG_SHIFT;
	}
	ppn = pte >> 10;
	if (i == 1 && (ppn & 0x3ff)) {
		w->why = "misaligned superpage";
		return -EFAULT;
	}
	w->pte = pte;
	w->pte_host = p;
	w->level = i;
	if (i == 1)
		ppn |= (va >> PG_SHIFT) & 0x3ff;
	w->pa = (ppn << PG_SHIFT) | (va & PG_MASK);
	return 0;
}
