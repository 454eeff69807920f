/* deleg — medeleg/mideleg: which traps reach the S handler, and what S sees. */
#include "guest.h"

const char guest_name[] = "deleg";

static uint64_t insn_at(uint64_t pc)
{
	return *(volatile uint32_t *)pc;
}

static uint64_t do_ecall(uint64_t a)
{
	probe_ecall();
	return a;
}

static uint64_t do_illegal(uint64_t a)
{
	__asm__ volatile(".4byte 0xffffffff");
	return a;
}

static uint64_t spin(uint64_t n)
{
	for (volatile uint64_t i = 0; i < n; i++)
		;
	return 0;
}

static uint64_t s_status_after(uint64_t a)
{
	(void)a;
	csr_set(sstatus, MSTATUS_SIE);
	probe_ecall(); /* from S: not delegated (bit 9 clear), M takes it */
	return csr_read(sstatus);
}

int main(void)
{
	/* Which bits are delegable. */
	csr_write(mideleg, ~0ul);
	check("mideleg: SSIP/STIP/SEIP writable, M bits read-only zero", csr_read(mideleg) & 0xaaa,
	      0x222);
	csr_write(mideleg, 0);
	csr_write(medeleg, ~0ul);
	uint64_t md = csr_read(medeleg);
	check("medeleg: ecall-from-U, illegal, page faults delegable", md & 0xb104, 0xb104);
	csr_write(medeleg, 0);
	check("medeleg: cleared", csr_read(medeleg), 0);

	/* ecall from U: M without delegation, S with medeleg[8]. */
	trap_clear();
	enter_mode(PRV_U, do_ecall, 0);
	check_trap("ecall from U, medeleg=0: taken by M", PRV_M, CAUSE_ECALL_U, 0);
	csr_write(medeleg, 1ul << CAUSE_ECALL_U);
	trap_clear();
	enter_mode(PRV_U, do_ecall, 0);
	check_trap("ecall from U delegated to S", PRV_S, CAUSE_ECALL_U, 0);
	check("ecall from U delegated to S: SPP = U", last_trap.from, PRV_U);
	trap_clear();
	enter_mode(PRV_S, do_ecall, 0);
	check_trap("ecall from S with only medeleg[8]: taken by M", PRV_M, CAUSE_ECALL_S, 0);

	/* Illegal instruction: delegated from S and U, never from M. */
	csr_write(medeleg, 1ul << CAUSE_ILLEGAL);
	trap_clear();
	enter_mode(PRV_U, do_illegal, 0);
	check_trap("illegal from U delegated to S, stval = encoding", PRV_S, CAUSE_ILLEGAL,
		   0xffffffff);
	trap_clear();
	enter_mode(PRV_S, do_illegal, 0);
	check_trap("illegal from S delegated to S, stval = encoding", PRV_S, CAUSE_ILLEGAL,
		   0xffffffff);
	check("illegal from S delegated to S: SPP = S", last_trap.from, PRV_S);
	trap_clear();
	do_illegal(0);
	check_trap("illegal from M with medeleg[2]: stays in M", PRV_M, CAUSE_ILLEGAL, 0xffffffff);
	trap_clear();
	enter_mode(PRV_M, do_illegal, 0);
	check_trap("illegal from M via mret: stays in M", PRV_M, CAUSE_ILLEGAL,
		   insn_at(last_trap.epc));
	csr_write(medeleg, 0);

	/* A delegated trap sets SPIE = old SIE and clears SIE; the S handler's sret restores SIE.
	 */
	csr_write(medeleg, 0);
	trap_clear();
	uint64_t st = enter_mode(PRV_S, s_status_after, 0);
	check("S: SIE survives an M-handled ecall", (st >> 1) & 1, 1);

	/* Interrupts: delegated SSIP taken by S from U even with SIE = 0, not in M. */
	csr_write(mie, 0);
	csr_write(mideleg, 1ul << IRQ_S_SOFT);
	csr_write(sie, 1ul << IRQ_S_SOFT);
	csr_clear(sstatus, MSTATUS_SIE);
	csr_set(mstatus, MSTATUS_MIE);
	trap_clear();
	csr_set(mip, 1ul << IRQ_S_SOFT);
	spin(100);
	check_no_trap("delegated SSIP pending in M with MIE=1: not taken");
	check("delegated SSIP: visible in sip", (csr_read(sip) >> IRQ_S_SOFT) & 1, 1);
	trap_clear();
	enter_mode(PRV_S, spin, 100);
	check_no_trap("delegated SSIP in S with SIE=0: not taken");
	trap_clear();
	enter_mode(PRV_U, spin, 100);
	check_trap("delegated SSIP in U with SIE=0: taken by S", PRV_S, CAUSE_IRQ | IRQ_S_SOFT, 0);
	check("delegated SSIP in U: SPP = U", last_trap.from, PRV_U);
	check("S handler masked it in sie", csr_read(sie), 0);
	csr_clear(mip, 1ul << IRQ_S_SOFT);

	/* Not delegated: SSIP enabled in mie goes to M from S. */
	csr_write(mideleg, 0);
	csr_write(mie, 1ul << IRQ_S_SOFT);
	csr_clear(mstatus, MSTATUS_MIE);
	trap_clear();
	csr_set(mip, 1ul << IRQ_S_SOFT);
	enter_mode(PRV_S, spin, 100);
	check_trap("SSIP not delegated, in S with MIE=0: taken by M", PRV_M, CAUSE_IRQ | IRQ_S_SOFT,
		   0);
	check("SSIP not delegated: MPP = S", last_trap.from, PRV_S);
	csr_clear(mip, 1ul << IRQ_S_SOFT);
	csr_write(mie, 0);
	return check_failures;
}
