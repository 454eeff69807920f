/* modes — M/S/U switching with mret/sret, ecall causes, privileged-instruction checks. */
#include "guest.h"

const char guest_name[] = "modes";

static uint64_t insn_at(uint64_t pc)
{
	return *(volatile uint32_t *)pc;
}

static uint64_t ret_arg_plus_one(uint64_t a)
{
	return a + 1;
}

static uint64_t do_ecall(uint64_t a)
{
	probe_ecall();
	return a;
}

static uint64_t read_mstatus(uint64_t a)
{
	(void)a;
	uint64_t v = 0;
	__asm__ volatile("csrr %0, mstatus" : "+r"(v));
	return v;
}

static uint64_t read_sstatus(uint64_t a)
{
	(void)a;
	uint64_t v = 0;
	__asm__ volatile("csrr %0, sstatus" : "+r"(v));
	return 1;
}

static uint64_t do_sret(uint64_t a)
{
	__asm__ volatile("sret");
	return a;
}

static uint64_t do_mret(uint64_t a)
{
	__asm__ volatile("mret");
	return a;
}

static uint64_t do_wfi(uint64_t a)
{
	__asm__ volatile("wfi");
	return a;
}

static uint64_t do_satp(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile("csrr %0, satp" : "+r"(v));
	__asm__ volatile("sfence.vma");
	return a;
}

static uint64_t u_after_sret(uint64_t a)
{
	/* Proves we are in U: sstatus is S-only. */
	read_sstatus(0);
	return a + 100;
}

/* In S: drop to U with sret; the U function's ECALL_RETURN comes back to M. */
static uint64_t s_then_sret_to_u(uint64_t a)
{
	csr_write(sepc, (uint64_t)u_after_sret);
	csr_clear(sstatus, MSTATUS_SPP);
	register uint64_t a0 __asm__("a0") = a;
	register uint64_t ra __asm__("ra") = (uint64_t)lower_return;
	__asm__ volatile("sret" ::"r"(a0), "r"(ra));
	return 0;
}

static uint64_t mode_of_mstatus_after_mret(uint64_t a)
{
	(void)a;
	return csr_read(mstatus);
}

int main(void)
{
	uint64_t r, v;
	const char *names[] = {"U", "S", "", "M"};
	int modes[] = {PRV_U, PRV_S, PRV_M};

	for (int i = 0; i < 3; i++) {
		int m = modes[i];
		r = enter_mode(m, ret_arg_plus_one, 41);
		gprintf("%s: mret to %s and ecall back: ", guest_name, names[m]);
		gprintf(r == 42 ? "ok\n" : "FAIL\n");
		check_failures += r != 42;

		trap_clear();
		enter_mode(m, do_ecall, 0);
		uint64_t want = m == PRV_U   ? CAUSE_ECALL_U
				: m == PRV_S ? CAUSE_ECALL_S
					     : CAUSE_ECALL_M;
		check_trap(m == PRV_U	? "ecall from U: cause 8, tval 0"
			   : m == PRV_S ? "ecall from S: cause 9, tval 0"
					: "ecall from M: cause 11, tval 0",
			   PRV_M, want, 0);
		check(m == PRV_U   ? "ecall from U: MPP recorded U"
		      : m == PRV_S ? "ecall from S: MPP recorded S"
				   : "ecall from M: MPP recorded M",
		      last_trap.from, (uint64_t)m);
	}

	/* CSR privilege: mstatus from U and S is illegal with mtval = the encoding. */
	trap_clear();
	enter_mode(PRV_U, read_mstatus, 0);
	check_trap("csrr mstatus from U: illegal, mtval = encoding", PRV_M, CAUSE_ILLEGAL,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_mode(PRV_S, read_mstatus, 0);
	check_trap("csrr mstatus from S: illegal, mtval = encoding", PRV_M, CAUSE_ILLEGAL,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_mode(PRV_U, read_sstatus, 0);
	check_trap("csrr sstatus from U: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	trap_clear();
	r = enter_mode(PRV_S, read_sstatus, 0);
	check_no_trap("csrr sstatus from S: allowed");

	/* xRET from too-low modes. */
	trap_clear();
	enter_mode(PRV_U, do_sret, 0);
	check_trap("sret from U: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	trap_clear();
	enter_mode(PRV_U, do_mret, 0);
	check_trap("mret from U: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	trap_clear();
	enter_mode(PRV_S, do_mret, 0);
	check_trap("mret from S: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	csr_set(mstatus, MSTATUS_TSR);
	trap_clear();
	enter_mode(PRV_S, do_sret, 0);
	check_trap("sret from S with TSR=1: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	csr_clear(mstatus, MSTATUS_TSR);

	/* WFI: illegal in U; in S with TW=1 illegal. */
	trap_clear();
	enter_mode(PRV_U, do_wfi, 0);
	check_trap("wfi from U: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	csr_set(mstatus, MSTATUS_TW);
	trap_clear();
	enter_mode(PRV_S, do_wfi, 0);
	check_trap("wfi from S with TW=1: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	csr_clear(mstatus, MSTATUS_TW);

	/* TVM traps satp and sfence.vma in S. */
	trap_clear();
	enter_mode(PRV_S, do_satp, 0);
	check_no_trap("satp read and sfence.vma from S with TVM=0: allowed");
	csr_set(mstatus, MSTATUS_TVM);
	trap_clear();
	enter_mode(PRV_S, do_satp, 0);
	check("satp read and sfence.vma from S with TVM=1: two illegal traps", last_trap.count, 2);
	check("TVM: last trap is illegal instruction", last_trap.cause, CAUSE_ILLEGAL);
	csr_clear(mstatus, MSTATUS_TVM);

	/* sret from S to U: the U function cannot read sstatus, then returns. */
	trap_clear();
	r = enter_mode(PRV_S, s_then_sret_to_u, 5);
	check("sret S->U then U ecalls back: result", r, 105);
	check_trap("sret S->U: U code traps on sstatus", PRV_M, CAUSE_ILLEGAL,
		   insn_at(last_trap.epc));
	check("sret S->U: trap came from U", last_trap.from, PRV_U);

	/* mret to M: MPP becomes U (least privileged), MPIE becomes 1, MIE takes MPIE (0). */
	csr_clear(mstatus, MSTATUS_MIE | MSTATUS_MPIE);
	v = enter_mode(PRV_M, mode_of_mstatus_after_mret, 0);
	check("after mret: MPP = U", (v >> 11) & 3, 0);
	check("after mret: MPIE = 1", (v >> 7) & 1, 1);
	check("after mret: MIE = old MPIE (0)", (v >> 3) & 1, 0);

	/* misa: RV64 with I M A F D C S U. */
	uint64_t misa = csr_read(misa);
	check("misa MXL = 2 (RV64)", misa >> 62, 2);
	uint64_t want_ext = 0;
	const char *ext = "IMAFDCSU";
	for (const char *p = ext; *p; p++)
		want_ext |= 1ul << (*p - 'A');
	check("misa has IMAFDCSU", misa & want_ext, want_ext);
	return check_failures;
}
