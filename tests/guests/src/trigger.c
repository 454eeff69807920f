/* trigger — the Sdtrig trigger module: tselect/tinfo/tdata1 WARL behaviour, mcontrol (type 2)
 * execute, load and store address triggers in M and S (breakpoint exception, cause 3, taken
 * before the instruction: a triggered store does not happen), mode bits, the M-mode MIE rule,
 * mcontrol6 (type 6) and icount (type 3). */
#include "guest.h"

const char guest_name[] = "trigger";

#define TYPE(t)	    ((uint64_t)(t) << 60)
#define MC_LOAD	    (1ul << 0)
#define MC_STORE    (1ul << 1)
#define MC_EXECUTE  (1ul << 2)
#define MC_U	    (1ul << 3)
#define MC_S	    (1ul << 4)
#define MC_M	    (1ul << 6)
#define IC_M	    (1ul << 9)
#define IC_COUNT(n) ((uint64_t)(n) << 10)

static volatile uint64_t word = 0x55;
extern char ic_start[], ic_fourth[];

static void arm(unsigned idx, uint64_t tdata1, uint64_t tdata2)
{
	csr_write(tselect, idx);
	csr_write(tdata1, 0);
	csr_write(tdata2, tdata2);
	csr_write(tdata1, tdata1);
}

static void disarm(void)
{
	for (unsigned i = 0; i < 2; i++)
		arm(i, TYPE(2), 0);
}

static uint64_t s_load(uint64_t a)
{
	return probe_ld(a);
}

static uint64_t s_store(uint64_t a)
{
	probe_sd(a, 0x77);
	return 0;
}

int main(void)
{
	uint64_t v;

	/* the registers */
	csr_write(tselect, 1);
	check("tselect 1 reads back", csr_read(tselect), 1);
	csr_write(tselect, 2);
	check("tselect 2 is out of range: ignored", csr_read(tselect), 1);
	csr_write(tselect, 0);
	check("tdata1 resets to an mcontrol (type 2)", csr_read(tdata1) >> 60, 2);
	check("tinfo: types 2, 3 and 6", csr_read(tinfo), (1 << 2) | (1 << 3) | (1 << 6));
	arm(0, TYPE(2) | MC_M | MC_EXECUTE, 0x1000);
	check("mcontrol M|execute reads back", csr_read(tdata1), TYPE(2) | MC_M | MC_EXECUTE);
	check("tdata2 reads back", csr_read(tdata2), 0x1000);
	csr_write(tdata1, TYPE(2) | (1ul << 59) | MC_M | MC_LOAD);
	check("dmode is read-only zero outside Debug Mode", csr_read(tdata1) >> 59 & 1, 0);
	csr_write(tdata1, TYPE(4) | MC_M);
	check("an unsupported type (4) leaves tdata1 alone", csr_read(tdata1) >> 60, 2);
	disarm();

	/* M mode, MIE=1 */
	csr_set(mstatus, MSTATUS_MIE);
	arm(0, TYPE(2) | MC_M | MC_EXECUTE, (uint64_t)probe_ld);
	trap_clear();
	v = probe_ld((uint64_t)&word);
	check_trap("M execute trigger: breakpoint before the instruction", PRV_M, CAUSE_BREAKPOINT,
		   (uint64_t)probe_ld);
	check("M execute trigger: mepc = the instruction", last_trap.epc, (uint64_t)probe_ld);
	check("M execute trigger: the load did not run", v == 0x55, 0);
	arm(0, TYPE(2) | MC_M | MC_LOAD, (uint64_t)&word);
	trap_clear();
	probe_ld((uint64_t)&word);
	check_trap("M load trigger", PRV_M, CAUSE_BREAKPOINT, (uint64_t)&word);
	trap_clear();
	probe_sd((uint64_t)&word, 0x66);
	check_no_trap("M load trigger: a store does not fire it");
	arm(0, TYPE(2), 0); /* (reading word below would fire it) */
	check("the store went through", word, 0x66);
	arm(1, TYPE(2) | MC_M | MC_STORE, (uint64_t)&word + 4);
	trap_clear();
	probe_sd((uint64_t)&word, 0x77);
	check_trap("M store trigger on byte 4 of an 8-byte store (second trigger)", PRV_M,
		   CAUSE_BREAKPOINT, (uint64_t)&word + 4);
	check("a triggered store does not happen", word, 0x66);
	trap_clear();
	probe_sw((uint64_t)&word, 0x88);
	check_no_trap("a 4-byte store below the watched byte does not fire");
	disarm();
	arm(0, TYPE(2) | MC_M | MC_LOAD, (uint64_t)&word);
	csr_clear(mstatus, MSTATUS_MIE);
	trap_clear();
	probe_ld((uint64_t)&word);
	check_no_trap("M with MIE=0: breakpoint triggers do not fire");
	disarm();

	/* S mode */
	arm(0, TYPE(2) | MC_S | MC_LOAD, (uint64_t)&word);
	trap_clear();
	enter_mode(PRV_S, s_load, (uint64_t)&word);
	check_trap("S load trigger (S bit), taken by M", PRV_M, CAUSE_BREAKPOINT, (uint64_t)&word);
	check("from S", last_trap.from, PRV_S);
	arm(0, TYPE(2) | MC_U | MC_M | MC_LOAD, (uint64_t)&word);
	trap_clear();
	enter_mode(PRV_S, s_load, (uint64_t)&word);
	check_no_trap("U|M load trigger does not fire in S");
	arm(0, TYPE(2) | MC_S | MC_EXECUTE, (uint64_t)probe_sd);
	trap_clear();
	enter_mode(PRV_S, s_store, (uint64_t)&word);
	check_trap("S execute trigger", PRV_M, CAUSE_BREAKPOINT, (uint64_t)probe_sd);
	disarm();

	/* mcontrol6 */
	arm(1, TYPE(6) | MC_S | MC_STORE, (uint64_t)&word);
	check("mcontrol6 S|store reads back", csr_read(tdata1), TYPE(6) | MC_S | MC_STORE);
	word = 1;
	trap_clear();
	enter_mode(PRV_S, s_store, (uint64_t)&word);
	check_trap("mcontrol6 store trigger in S", PRV_M, CAUSE_BREAKPOINT, (uint64_t)&word);
	check("mcontrol6: the store did not happen", word, 1);
	disarm();

	/* icount: fires after 3 M-mode instructions, before the fourth */
	csr_set(mstatus, MSTATUS_MIE);
	csr_write(tselect, 0);
	trap_clear();
	__asm__ volatile("csrw tdata1, %0\n"
			 "ic_start: addi x0, x0, 1\n"
			 "addi x0, x0, 2\n"
			 "addi x0, x0, 3\n"
			 ".globl ic_fourth\n"
			 "ic_fourth: addi x0, x0, 4\n"
			 "addi x0, x0, 5\n" ::"r"(TYPE(3) | IC_M | IC_COUNT(3))
			 : "memory");
	csr_clear(mstatus, MSTATUS_MIE);
	check("icount: one breakpoint", last_trap.count, 1);
	check("icount: cause 3", last_trap.cause, CAUSE_BREAKPOINT);
	check("icount: mepc = the fourth instruction", last_trap.epc, (uint64_t)ic_fourth);
	check("icount: count is 0 after firing", csr_read(tdata1) >> 10 & 0x3fff, 0);
	disarm();
	return check_failures;
}
