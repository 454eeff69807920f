/* ad — hardware updates of the PTE A and D bits (QEMU 7.2 sets them; no fault on A=0/D=0). */
#include "guest.h"

const char guest_name[] = "ad";

static uint8_t data_page[4096] __attribute__((aligned(4096)));
static uint8_t code_page[4096] __attribute__((aligned(4096)));

static uint64_t s_load(uint64_t va)
{
	return probe_ld(va);
}

static uint64_t s_store(uint64_t va)
{
	probe_sd(va, 0x77);
	return 0;
}

static uint64_t s_fetch(uint64_t va)
{
	probe_fetch(va);
	return 0;
}

USER_TEXT static uint64_t u_load(uint64_t va)
{
	return uprobe_ld(va);
}

USER_TEXT static uint64_t u_store(uint64_t va)
{
	uprobe_sd(va, 0x88);
	return 0;
}

static uint64_t ad(const uint64_t *pte)
{
	return (*(volatile uint64_t *)pte) & (PTE_A | PTE_D);
}

int main(void)
{
	uint64_t *root = pt_standard(3);
	uint64_t dp = (uint64_t)data_page, cp = (uint64_t)code_page;
	uint64_t rwx = PTE_V | PTE_R | PTE_W | PTE_X;
	uint64_t *p0 = pt_map(root, 3, 0x40000000ul, dp, 0, rwx);
	uint64_t *p1 = pt_map(root, 3, 0x40001000ul, dp, 0, rwx);
	uint64_t *p2 = pt_map(root, 3, 0x40002000ul, cp, 0, PTE_V | PTE_X);
	uint64_t *p3 = pt_map(root, 3, 0x40003000ul, dp, 0, PTE_V | PTE_R | PTE_A);
	uint64_t *p4 = pt_map(root, 3, 0x40004000ul, dp, 0, rwx | PTE_U);
	uint64_t *p5 = pt_map(root, 3, 0x40200000ul, dp & ~0x1ffffful, 1, rwx);
	uint64_t *p6 = pt_map(root, 3, 0x40005000ul, dp, 0, PTE_V | PTE_R | PTE_A);
	*(volatile uint32_t *)cp = 0x00008067; /* ret */
	__asm__ volatile("fence.i");
	csr_write(satp, SATP_SV39 | ((uint64_t)root >> 12));
	sfence_vma();

	check("fresh PTE: A=0 D=0", ad(p0), 0);
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40000000ul);
	check_no_trap("load from A=0 page: no fault");
	check("load sets A only", ad(p0), PTE_A);
	enter_mode(PRV_S, s_store, 0x40000000ul);
	check("store then sets D", ad(p0), PTE_A | PTE_D);
	enter_mode(PRV_S, s_store, 0x40001000ul);
	check("store to A=0 D=0 page sets A and D", ad(p1), PTE_A | PTE_D);
	trap_clear();
	enter_mode(PRV_S, s_fetch, 0x40002000ul);
	check_no_trap("fetch from A=0 execute-only page: no fault");
	check("fetch sets A", ad(p2), PTE_A);
	trap_clear();
	enter_mode(PRV_S, s_store, 0x40003000ul);
	check_trap("store to read-only page: store page fault", PRV_M, CAUSE_STORE_PAGE,
		   0x40003000ul);
	check("faulting store leaves D clear", ad(p3), PTE_A);
	trap_clear();
	enter_mode(PRV_U, u_load, 0x40004000ul);
	check_no_trap("U load from U page with A=0: no fault");
	check("U load sets A", ad(p4), PTE_A);
	enter_mode(PRV_U, u_store, 0x40004000ul);
	check("U store sets D", ad(p4), PTE_A | PTE_D);
	enter_mode(PRV_S, s_store, 0x40200000ul + (dp & 0x1ffffful) + 16);
	check("store through a 2 MiB leaf sets A and D on the leaf", ad(p5), PTE_A | PTE_D);
	check("non-leaf entries keep A=0 D=0", ad(pt_lookup(root, 3, 0x40000000ul, 1)), 0);
	check("stored values reached memory",
	      *(volatile uint64_t *)dp + *(volatile uint64_t *)(dp + 16), 0x88 + 0x77);

	/* MPRV: an M-mode access translated as S updates A/D too. */
	uint64_t v = mprv_ld(0x40005000ul, PRV_S);
	check("M load with MPRV (MPP=S) reads through the page", v, 0x88);
	check("M load with MPRV: A stays set, D clear", ad(p6), PTE_A);

	csr_write(satp, 0);
	sfence_vma();
	return check_failures;
}
