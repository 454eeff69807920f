/* summxr — U/S page protection: sstatus.SUM, sstatus.MXR, and mstatus.MPRV. */
#include "guest.h"

const char guest_name[] = "summxr";

static uint8_t data_page[4096] __attribute__((aligned(4096)));
static uint8_t code_page[4096] __attribute__((aligned(4096)));

static uint64_t s_load(uint64_t va)
{
	return probe_ld(va);
}

static uint64_t s_store(uint64_t va)
{
	probe_sd(va, 0x99);
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
	uprobe_sd(va, 0x99);
	return 0;
}

USER_TEXT static uint64_t u_fetch(uint64_t va)
{
	uprobe_fetch(va);
	return 0;
}

#define U_DATA	0x40000000ul /* U=1 RW */
#define U_CODE	0x40001000ul /* U=1 X */
#define S_DATA	0x40002000ul /* U=0 RW */
#define S_XONLY 0x40003000ul /* U=0 X only */
#define U_XONLY 0x40004000ul /* U=1 X only */

int main(void)
{
	uint64_t *root = pt_standard(3);
	uint64_t dp = (uint64_t)data_page, cp = (uint64_t)code_page;
	uint64_t ad = PTE_V | PTE_A | PTE_D;
	pt_map(root, 3, U_DATA, dp, 0, ad | PTE_R | PTE_W | PTE_U);
	pt_map(root, 3, U_CODE, cp, 0, ad | PTE_X | PTE_U);
	pt_map(root, 3, S_DATA, dp, 0, ad | PTE_R | PTE_W);
	pt_map(root, 3, S_XONLY, cp, 0, ad | PTE_X);
	pt_map(root, 3, U_XONLY, cp, 0, ad | PTE_X | PTE_U);
	*(volatile uint32_t *)cp = 0x00008067; /* ret */
	*(volatile uint64_t *)dp = 0xabcd;
	__asm__ volatile("fence.i");
	csr_write(satp, SATP_SV39 | ((uint64_t)root >> 12));
	sfence_vma();

	/* SUM. */
	csr_clear(sstatus, MSTATUS_SUM | MSTATUS_MXR);
	trap_clear();
	enter_mode(PRV_S, s_load, U_DATA);
	check_trap("S load from U page, SUM=0: load page fault", PRV_M, CAUSE_LOAD_PAGE, U_DATA);
	trap_clear();
	enter_mode(PRV_S, s_store, U_DATA);
	check_trap("S store to U page, SUM=0: store page fault", PRV_M, CAUSE_STORE_PAGE, U_DATA);
	csr_set(sstatus, MSTATUS_SUM);
	trap_clear();
	check("S load from U page, SUM=1: value", enter_mode(PRV_S, s_load, U_DATA), 0xabcd);
	enter_mode(PRV_S, s_store, U_DATA + 8);
	check_no_trap("S load/store U page, SUM=1: no fault");
	trap_clear();
	enter_mode(PRV_S, s_fetch, U_CODE);
	check_trap("S fetch from U page, SUM=1: fetch page fault", PRV_M, CAUSE_FETCH_PAGE, U_CODE);
	csr_clear(sstatus, MSTATUS_SUM);

	/* U against S pages. */
	trap_clear();
	enter_mode(PRV_U, u_load, S_DATA);
	check_trap("U load from S page: load page fault", PRV_M, CAUSE_LOAD_PAGE, S_DATA);
	trap_clear();
	enter_mode(PRV_U, u_store, S_DATA);
	check_trap("U store to S page: store page fault", PRV_M, CAUSE_STORE_PAGE, S_DATA);
	trap_clear();
	enter_mode(PRV_U, u_fetch, S_XONLY);
	check_trap("U fetch from S page: fetch page fault", PRV_M, CAUSE_FETCH_PAGE, S_XONLY);
	trap_clear();
	enter_mode(PRV_U, u_fetch, U_CODE);
	check_no_trap("U fetch from U page: ok");
	trap_clear();
	check("U load from U page: value", enter_mode(PRV_U, u_load, U_DATA), 0xabcd);
	check_no_trap("U load from U page: no fault");

	/* MXR. */
	trap_clear();
	enter_mode(PRV_S, s_load, S_XONLY);
	check_trap("S load from X-only page, MXR=0: load page fault", PRV_M, CAUSE_LOAD_PAGE,
		   S_XONLY);
	csr_set(sstatus, MSTATUS_MXR);
	trap_clear();
	check("S load from X-only page, MXR=1: reads the ret",
	      enter_mode(PRV_S, s_load, S_XONLY) & 0xffffffff, 0x00008067);
	check_no_trap("S load from X-only page, MXR=1: no fault");
	trap_clear();
	enter_mode(PRV_S, s_store, S_XONLY);
	check_trap("S store to X-only page, MXR=1: store page fault", PRV_M, CAUSE_STORE_PAGE,
		   S_XONLY);
	trap_clear();
	check("U load from U X-only page, MXR=1: value",
	      enter_mode(PRV_U, u_load, U_XONLY) & 0xffffffff, 0x00008067);
	check_no_trap("U load from U X-only page, MXR=1: no fault");
	trap_clear();
	enter_mode(PRV_S, s_load, U_XONLY);
	check_trap("S load from U X-only page, MXR=1 SUM=0: load page fault", PRV_M,
		   CAUSE_LOAD_PAGE, U_XONLY);
	csr_clear(sstatus, MSTATUS_MXR);
	trap_clear();
	enter_mode(PRV_U, u_load, U_XONLY);
	check_trap("U load from U X-only page, MXR=0: load page fault", PRV_M, CAUSE_LOAD_PAGE,
		   U_XONLY);

	/* MPRV: M loads/stores translated with MPP's privilege; fetches are not. */
	trap_clear();
	uint64_t v = mprv_ld(U_DATA, PRV_U);
	check("M load, MPRV=1 MPP=U, U page: value", v, 0xabcd);
	check_no_trap("M load, MPRV=1 MPP=U, U page: no fault");
	trap_clear();
	mprv_ld(S_DATA, PRV_U);
	check_trap("M load, MPRV=1 MPP=U, S page: load page fault", PRV_M, CAUSE_LOAD_PAGE, S_DATA);
	trap_clear();
	mprv_sd(U_XONLY, 1, PRV_U);
	check_trap("M store, MPRV=1 MPP=U, X-only page: store page fault", PRV_M, CAUSE_STORE_PAGE,
		   U_XONLY);
	trap_clear();
	mprv_sd(S_DATA + 16, 0x1234, PRV_S);
	check_no_trap("M store, MPRV=1 MPP=S, S page: no fault");
	check("M store, MPRV=1 MPP=S: reached the page", *(volatile uint64_t *)(dp + 16), 0x1234);
	trap_clear();
	v = mprv_ld(dp, PRV_M);
	check("M load, MPRV=1 MPP=M: physical", v, 0xabcd);
	check_no_trap("M load, MPRV=1 MPP=M: no fault");
	trap_clear();
	v = probe_ld(dp);
	check("M load with satp set, MPRV=0: physical", v, 0xabcd);

	csr_write(satp, 0);
	sfence_vma();
	return check_failures;
}
