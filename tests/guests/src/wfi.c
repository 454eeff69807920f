/* wfi — WFI wakes on a pending enabled interrupt (even with MIE=0), and with MIE=1 the trap
 * is taken with mepc pointing after the WFI. */
#include "guest.h"

const char guest_name[] = "wfi";

extern char after_wfi_m[], after_wfi_s[];

__attribute__((noinline)) static void wfi_m(void)
{
	__asm__ volatile("wfi\n.globl after_wfi_m\nafter_wfi_m:" ::: "memory");
}

__attribute__((noinline)) static uint64_t s_wfi(uint64_t a)
{
	__asm__ volatile("wfi\n.globl after_wfi_s\nafter_wfi_s:" ::: "memory");
	return a;
}

static void timer_hook(unsigned handler, uint64_t cause)
{
	(void)handler;
	if ((cause & 63) == IRQ_M_TIMER)
		*(volatile uint64_t *)CLINT_MTIMECMP = ~0ul;
	if ((cause & 63) == IRQ_M_SOFT)
		*(volatile uint32_t *)CLINT_MSIP = 0;
}

int main(void)
{
	volatile uint64_t *mtimecmp = (volatile uint64_t *)CLINT_MTIMECMP;
	irq_hook = timer_hook;
	csr_clear(mstatus, MSTATUS_MIE);

	/* MIE=0, MTIE=1: WFI returns once the timer fires; no trap. */
	csr_write(mie, 1ul << IRQ_M_TIMER);
	uint64_t cmp = mtime() + 10000; /* 1 ms */
	*mtimecmp = cmp;
	trap_clear();
	wfi_m();
	check("WFI with MIE=0 woke with MTIP pending", (csr_read(mip) >> IRQ_M_TIMER) & 1, 1);
	check("WFI woke no earlier than mtimecmp", mtime() >= cmp, 1);
	check_no_trap("WFI with MIE=0: no trap");
	*mtimecmp = ~0ul;

	/* MIE=1: the interrupt is taken, mepc = the instruction after WFI. */
	*mtimecmp = mtime() + 10000;
	trap_clear();
	csr_set(mstatus, MSTATUS_MIE);
	wfi_m();
	csr_clear(mstatus, MSTATUS_MIE);
	check_trap("WFI with MIE=1: timer interrupt taken", PRV_M, CAUSE_IRQ | IRQ_M_TIMER, 0);
	check("WFI with MIE=1: mepc = after the WFI", last_trap.epc, (uint64_t)after_wfi_m);

	/* Already-pending software interrupt: WFI does not sleep. */
	csr_write(mie, 1ul << IRQ_M_SOFT);
	*(volatile uint32_t *)CLINT_MSIP = 1;
	trap_clear();
	wfi_m();
	check("WFI with MSIP already pending returns", (csr_read(mip) >> IRQ_M_SOFT) & 1, 1);
	*(volatile uint32_t *)CLINT_MSIP = 0;

	/* WFI in S (TW=0) woken by the M timer, which traps to M right after the WFI. */
	csr_write(mie, 1ul << IRQ_M_TIMER);
	*mtimecmp = mtime() + 10000;
	trap_clear();
	enter_mode(PRV_S, s_wfi, 0);
	check_trap("WFI in S: woken by MTIP, taken by M", PRV_M, CAUSE_IRQ | IRQ_M_TIMER, 0);
	check("WFI in S: mepc = after the WFI", last_trap.epc, (uint64_t)after_wfi_s);
	check("WFI in S: MPP = S", last_trap.from, PRV_S);
	csr_write(mie, 0);
	return check_failures;
}
