/* irq — CLINT machine software (MSIP) and timer (MTIP) interrupts, priority, and delegated
 * supervisor timer/software interrupts (STIP/SSIP) taken in S mode. */
#include "guest.h"

const char guest_name[] = "irq";

static volatile uint64_t seq[8];
static volatile unsigned nseq;

static void hook(unsigned handler, uint64_t cause)
{
	unsigned code = (unsigned)(cause & 63);
	if (nseq < 8)
		seq[nseq++] = (uint64_t)handler << 8 | code;
	switch (code) {
	case IRQ_M_SOFT:
		*(volatile uint32_t *)CLINT_MSIP = 0;
		break;
	case IRQ_M_TIMER:
		*(volatile uint64_t *)CLINT_MTIMECMP = ~0ul;
		break;
	case IRQ_S_SOFT:
		if (handler == PRV_M)
			csr_clear(mip, 1ul << IRQ_S_SOFT);
		else
			csr_clear(sip, 1ul << IRQ_S_SOFT);
		break;
	case IRQ_S_TIMER:
		/* S cannot clear STIP; mask it, M clears it later. */
		if (handler == PRV_M)
			csr_clear(mip, 1ul << IRQ_S_TIMER);
		else
			csr_clear(sie, 1ul << IRQ_S_TIMER);
		break;
	}
}

/* Spin until a trap arrives (or give up); returns whether one did. */
static uint64_t wait_trap(uint64_t limit)
{
	for (volatile uint64_t i = 0; i < limit && last_trap.count == 0; i++)
		;
	return last_trap.count != 0;
}

static uint64_t s_wait(uint64_t limit)
{
	csr_set(sstatus, MSTATUS_SIE);
	uint64_t r = wait_trap(limit);
	csr_clear(sstatus, MSTATUS_SIE);
	return r;
}

static uint64_t s_self_ssip(uint64_t limit)
{
	csr_set(sip, 1ul << IRQ_S_SOFT);
	return s_wait(limit);
}

static uint64_t u_wait(uint64_t limit)
{
	return wait_trap(limit);
}

static void reset_seq(void)
{
	nseq = 0;
	for (int i = 0; i < 8; i++)
		seq[i] = 0;
}

int main(void)
{
	volatile uint32_t *msip = (volatile uint32_t *)CLINT_MSIP;
	volatile uint64_t *mtimecmp = (volatile uint64_t *)CLINT_MTIMECMP;
	irq_hook = hook;
	csr_clear(mstatus, MSTATUS_MIE);
	*mtimecmp = ~0ul;
	csr_write(mie, 0);

	/* MSIP pending bit follows the CLINT register. */
	*msip = 1;
	check("CLINT msip=1: mip.MSIP set", (csr_read(mip) >> IRQ_M_SOFT) & 1, 1);
	*msip = 0;
	check("CLINT msip=0: mip.MSIP clear", (csr_read(mip) >> IRQ_M_SOFT) & 1, 0);

	/* Machine software interrupt. */
	csr_write(mie, 1ul << IRQ_M_SOFT);
	*msip = 1;
	trap_clear();
	wait_trap(1000);
	check_no_trap("MSIP pending, MIE=0: not taken");
	csr_set(mstatus, MSTATUS_MIE);
	wait_trap(100000);
	csr_clear(mstatus, MSTATUS_MIE);
	check_trap("MSIP, MIE=1: taken, mcause = 0x8000000000000003", PRV_M, CAUSE_IRQ | IRQ_M_SOFT,
		   0);
	check("MSIP cleared by handler", *msip, 0);

	/* Timer: MTIP rises when mtime >= mtimecmp and falls when mtimecmp moves ahead. */
	csr_write(mie, 1ul << IRQ_M_TIMER);
	*mtimecmp = mtime() + 1000;
	uint64_t seen = 0;
	for (uint64_t i = 0; i < 50000000 && !seen; i++)
		seen = (csr_read(mip) >> IRQ_M_TIMER) & 1;
	check("mtimecmp reached: mip.MTIP set", seen, 1);
	check("mtime >= mtimecmp when MTIP is seen", mtime() >= *mtimecmp, 1);
	*mtimecmp = ~0ul;
	check("mtimecmp = max: mip.MTIP clear", (csr_read(mip) >> IRQ_M_TIMER) & 1, 0);
	*mtimecmp = 0;
	check("mtimecmp = 0: mip.MTIP set", (csr_read(mip) >> IRQ_M_TIMER) & 1, 1);
	*mtimecmp = ~0ul;
	csr_set(mip, 1ul << IRQ_M_TIMER);
	check("mip.MTIP is read-only", (csr_read(mip) >> IRQ_M_TIMER) & 1, 0);

	trap_clear();
	*mtimecmp = mtime() + 2000;
	csr_set(mstatus, MSTATUS_MIE);
	wait_trap(50000000);
	csr_clear(mstatus, MSTATUS_MIE);
	check_trap("timer interrupt taken in M, mcause = 0x8000000000000007", PRV_M,
		   CAUSE_IRQ | IRQ_M_TIMER, 0);

	/* Priority among pending M-handled interrupts. The spec orders MEI > MSI > MTI > SEI >
	 * SSI > STI; QEMU 7.2 without AIA takes the lowest-numbered pending bit first (SSI before
	 * MSI, MSI before STI). Only pairs where both agree are checked: MSI > MTI, SSI > STI. */
	csr_write(mie, (1ul << IRQ_M_SOFT) | (1ul << IRQ_M_TIMER));
	*msip = 1;
	*mtimecmp = 0;
	reset_seq();
	trap_clear();
	csr_set(mstatus, MSTATUS_MIE);
	for (volatile int i = 0; i < 1000 && nseq < 2; i++)
		;
	csr_clear(mstatus, MSTATUS_MIE);
	check("priority MSI/MTI: 2 interrupts taken", nseq, 2);
	check("priority MSI/MTI: first MSI", seq[0], 0x303);
	check("priority MSI/MTI: then MTI", seq[1], 0x307);
	csr_write(mie, (1ul << IRQ_S_SOFT) | (1ul << IRQ_S_TIMER));
	csr_set(mip, (1ul << IRQ_S_SOFT) | (1ul << IRQ_S_TIMER));
	reset_seq();
	trap_clear();
	csr_set(mstatus, MSTATUS_MIE);
	for (volatile int i = 0; i < 1000 && nseq < 2; i++)
		;
	csr_clear(mstatus, MSTATUS_MIE);
	check("priority SSI/STI (not delegated): 2 interrupts taken", nseq, 2);
	check("priority SSI/STI: first SSI", seq[0], 0x301);
	check("priority SSI/STI: then STI", seq[1], 0x305);
	csr_write(mie, 0);

	/* M interrupts are always enabled below M: MTIP in S and U with MIE=0. */
	csr_write(mie, 1ul << IRQ_M_TIMER);
	trap_clear();
	*mtimecmp = mtime() + 1000;
	check("MTIP while in S with MIE=0: reached", enter_mode(PRV_S, s_wait, 50000000), 1);
	check_trap("MTIP while in S: taken by M", PRV_M, CAUSE_IRQ | IRQ_M_TIMER, 0);
	check("MTIP while in S: MPP = S", last_trap.from, PRV_S);
	trap_clear();
	*mtimecmp = mtime() + 1000;
	enter_mode(PRV_U, u_wait, 50000000);
	check_trap("MTIP while in U: taken by M", PRV_M, CAUSE_IRQ | IRQ_M_TIMER, 0);
	check("MTIP while in U: MPP = U", last_trap.from, PRV_U);
	csr_write(mie, 0);

	/* Delegated STIP, raised by M through mip, taken by S with SIE=1. */
	csr_write(mideleg, (1ul << IRQ_S_TIMER) | (1ul << IRQ_S_SOFT));
	csr_write(sie, 1ul << IRQ_S_TIMER);
	csr_set(mip, 1ul << IRQ_S_TIMER);
	check("STIP set by M: visible in sip", (csr_read(sip) >> IRQ_S_TIMER) & 1, 1);
	trap_clear();
	check("delegated STIP: S saw it", enter_mode(PRV_S, s_wait, 100000), 1);
	check_trap("delegated STIP: taken by S, scause = 0x8000000000000005", PRV_S,
		   CAUSE_IRQ | IRQ_S_TIMER, 0);
	check("delegated STIP: SPP = S", last_trap.from, PRV_S);
	csr_clear(mip, 1ul << IRQ_S_TIMER);
	check("STIP cleared by M", (csr_read(sip) >> IRQ_S_TIMER) & 1, 0);

	/* Delegated SSIP, raised by S itself through sip. */
	csr_write(sie, 1ul << IRQ_S_SOFT);
	trap_clear();
	check("delegated SSIP: S saw it", enter_mode(PRV_S, s_self_ssip, 100000), 1);
	check_trap("delegated SSIP: taken by S, scause = 0x8000000000000001", PRV_S,
		   CAUSE_IRQ | IRQ_S_SOFT, 0);
	check("SSIP cleared by S handler", (csr_read(mip) >> IRQ_S_SOFT) & 1, 0);

	/* Delegated interrupts are not taken in M, even with MIE=1. */
	csr_set(mip, 1ul << IRQ_S_SOFT);
	trap_clear();
	csr_set(mstatus, MSTATUS_MIE);
	wait_trap(1000);
	csr_clear(mstatus, MSTATUS_MIE);
	check_no_trap("delegated SSIP pending in M: not taken");
	csr_clear(mip, 1ul << IRQ_S_SOFT);
	csr_write(mideleg, 0);
	csr_write(sie, 0);
	return check_failures;
}
