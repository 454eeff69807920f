/* sstc — the Sstc supervisor timer: who may access stimecmp (M always; S with mcounteren.TM
 * and menvcfg.STCE; U never), STIP following stimecmp >= time while STCE is set (and read-only
 * in mip then), writable again by M once STCE is clear, and the delegated timer interrupt
 * taken by S with the handler re-arming stimecmp itself. Times are never printed. */
#include "guest.h"

const char guest_name[] = "sstc";

#define MENVCFG_STCE (1ul << 63)
#define STIP	     (1ul << IRQ_S_TIMER)

static uint64_t rd_stimecmp(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile("csrr %0, stimecmp" : "+r"(v));
	return a;
}

static uint64_t wr_stimecmp(uint64_t a)
{
	__asm__ volatile("csrw stimecmp, %0" ::"r"(a));
	return 0;
}

static void access(const char *what, int mode, uint64_t (*fn)(uint64_t), int want_illegal)
{
	trap_clear();
	enter_mode(mode, fn, ~0ul);
	if (want_illegal)
		check_trap_cause(what, PRV_M, CAUSE_ILLEGAL);
	else
		check_no_trap(what);
}

/* Spin until mip.STIP is `level` (or give up); returns whether it got there. */
static int wait_stip(uint64_t level, uint64_t limit)
{
	for (uint64_t i = 0; i < limit; i++)
		if (!!(csr_read(mip) & STIP) == level)
			return 1;
	return 0;
}

static void hook(unsigned handler, uint64_t cause)
{
	/* S re-arms the timer itself: the point of Sstc (no SBI call) */
	if (handler == PRV_S && (cause & 63) == IRQ_S_TIMER)
		__asm__ volatile("csrw stimecmp, %0" ::"r"(~0ul));
}

static uint64_t s_wait(uint64_t limit)
{
	__asm__ volatile("csrw stimecmp, %0" ::"r"(csr_read(time) + 100));
	csr_set(sstatus, MSTATUS_SIE);
	for (volatile uint64_t i = 0; i < limit && last_trap.count == 0; i++)
		;
	csr_clear(sstatus, MSTATUS_SIE);
	return last_trap.count != 0;
}

int main(void)
{
	/* access rules */
	csr_write(menvcfg, 0);
	csr_write(mcounteren, 0);
	trap_clear();
	csr_write(stimecmp, 12345);
	check("M: stimecmp reads back", csr_read(stimecmp), 12345);
	check_no_trap("M: stimecmp needs neither TM nor STCE");
	access("S, TM=0 STCE=0: stimecmp illegal", PRV_S, rd_stimecmp, 1);
	csr_write(mcounteren, 2);
	access("S, TM=1 STCE=0: stimecmp illegal", PRV_S, rd_stimecmp, 1);
	csr_write(mcounteren, 0);
	csr_write(menvcfg, MENVCFG_STCE);
	check("menvcfg.STCE reads back", csr_read(menvcfg) >> 63, 1);
	access("S, TM=0 STCE=1: stimecmp illegal", PRV_S, wr_stimecmp, 1);
	csr_write(mcounteren, 2);
	access("S, TM=1 STCE=1: stimecmp read allowed", PRV_S, rd_stimecmp, 0);
	access("S, TM=1 STCE=1: stimecmp write allowed", PRV_S, wr_stimecmp, 0);
	check("S's write landed", csr_read(stimecmp), ~0ul);
	csr_write(scounteren, 2);
	access("U, TM=1 everywhere: stimecmp still illegal", PRV_U, rd_stimecmp, 1);

	/* STIP follows the comparator while STCE = 1 */
	csr_write(stimecmp, ~0ul);
	check("stimecmp = max: STIP clear", csr_read(mip) & STIP, 0);
	csr_write(stimecmp, 0);
	check("stimecmp in the past: STIP at once", csr_read(mip) & STIP, STIP);
	csr_clear(mip, STIP);
	check("STCE=1: M cannot clear STIP through mip", csr_read(mip) & STIP, STIP);
	csr_write(stimecmp, ~0ul);
	check("stimecmp = max again: STIP clear at once", csr_read(mip) & STIP, 0);
	csr_set(mip, STIP);
	check("STCE=1: M cannot set STIP through mip", csr_read(mip) & STIP, 0);
	csr_write(stimecmp, csr_read(time) + 100000); /* 10 ms */
	check("stimecmp a little ahead: STIP not yet", csr_read(mip) & STIP, 0);
	check("STIP rises once time reaches stimecmp", wait_stip(1, 20000000), 1);

	/* STCE = 0: STIP is M's to write again */
	csr_write(stimecmp, ~0ul);
	csr_write(menvcfg, 0);
	csr_set(mip, STIP);
	check("STCE=0: M sets STIP", csr_read(mip) & STIP, STIP);
	csr_clear(mip, STIP);
	check("STCE=0: M clears STIP", csr_read(mip) & STIP, 0);
	csr_write(stimecmp, 0);
	check("STCE=0: a past stimecmp does not raise STIP", csr_read(mip) & STIP, 0);

	/* the delegated interrupt, programmed and re-armed by S alone */
	csr_write(stimecmp, ~0ul);
	csr_write(menvcfg, MENVCFG_STCE);
	irq_hook = hook;
	csr_write(mideleg, STIP);
	csr_write(mie, STIP);
	trap_clear();
	check("S: the timer interrupt came", enter_mode(PRV_S, s_wait, 10000000), 1);
	check_trap("S: taken by S, scause = 0x8000000000000005", PRV_S, CAUSE_IRQ | IRQ_S_TIMER,
		   0);
	check("S: re-armed by S, STIP clear", csr_read(mip) & STIP, 0);
	csr_write(mie, 0);
	csr_write(mideleg, 0);
	irq_hook = 0;
	return check_failures;
}
