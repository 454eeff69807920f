/* illegal — illegal-instruction exceptions with mtval = the encoding (16 or 32 bits), plus
 * ebreak/ecall causes and tvals. */
#include "guest.h"

const char guest_name[] = "illegal";

#define INSN(name, text)                                                                           \
	__attribute__((noinline)) static void name(void)                                           \
	{                                                                                          \
		__asm__ volatile(".option push\n.option norvc\n" text "\n.option pop" ::           \
				     : "memory", "a0");                                            \
	}

INSN(i_zero16, ".2byte 0x0000\n.2byte 0x0001") /* c.unimp, then c.nop */
INSN(i_ones32, ".4byte 0xffffffff")
INSN(i_custom0, ".4byte 0x0000000b")
INSN(i_unknown_csr, ".4byte 0x0ff02573")	    /* csrr a0, 0x0ff */
INSN(i_hstatus, ".4byte 0x60002573")		    /* csrr a0, hstatus (no H extension) */
INSN(i_write_mvendorid, ".4byte 0xf1151073")	    /* csrw mvendorid, a0 */
INSN(i_read_mvendorid, ".4byte 0xf1102573")	    /* csrr a0, mvendorid */
INSN(i_write_cycle, ".4byte 0xc0051073")	    /* csrw cycle, a0 */
INSN(i_set_cycle_x0, ".4byte 0xc0002573")	    /* csrrs a0, cycle, x0: a read */
INSN(i_c_lwsp_x0, ".2byte 0x4002\n.2byte 0x0001")   /* c.lwsp x0: reserved */
INSN(i_c_addi4spn0, ".2byte 0x0004\n.2byte 0x0001") /* c.addi4spn imm=0: reserved */
INSN(i_c_ldsp_x0, ".2byte 0x6002\n.2byte 0x0001")   /* c.ldsp x0: reserved */
INSN(i_slli_bad, ".4byte 0x04051513")		    /* slli a0,a0 with imm[11:6]=1 (shamt 64+) */
INSN(i_slliw_bad, ".4byte 0x0205151b")		    /* slliw a0,a0,32: shamt[5]=1 reserved */
INSN(i_ebreak, "ebreak")
INSN(i_c_ebreak, ".2byte 0x9002\n.2byte 0x0001")
INSN(i_ecall, "li a7, 0\necall")
INSN(i_mret_fine, "nop")

static uint64_t sfence_u(uint64_t a)
{
	__asm__ volatile("sfence.vma");
	return a;
}

static void expect_illegal(const char *what, void (*fn)(void), uint64_t encoding)
{
	trap_clear();
	fn();
	check_trap(what, PRV_M, CAUSE_ILLEGAL, encoding);
}

static void expect_ok(const char *what, void (*fn)(void))
{
	trap_clear();
	fn();
	check_no_trap(what);
}

int main(void)
{
	expect_illegal("c.unimp (0x0000): mtval = 0", i_zero16, 0);
	expect_illegal("0xffffffff: mtval = 0xffffffff", i_ones32, 0xffffffff);
	expect_illegal("custom-0 opcode", i_custom0, 0x0000000b);
	expect_illegal("csrr of an unimplemented CSR", i_unknown_csr, 0x0ff02573);
	expect_illegal("csrr hstatus without H", i_hstatus, 0x60002573);
	expect_illegal("csrw to read-only mvendorid", i_write_mvendorid, 0xf1151073);
	expect_ok("csrr mvendorid", i_read_mvendorid);
	expect_illegal("csrw to read-only cycle", i_write_cycle, 0xc0051073);
	expect_ok("csrrs cycle with rs1=x0 is a read", i_set_cycle_x0);
	expect_illegal("c.lwsp x0: mtval = 16-bit encoding", i_c_lwsp_x0, 0x4002);
	expect_illegal("c.addi4spn with imm 0", i_c_addi4spn0, 0x0004);
	expect_illegal("c.ldsp x0", i_c_ldsp_x0, 0x6002);
	expect_illegal("slli with shamt >= 64", i_slli_bad, 0x04051513);
	expect_illegal("slliw with shamt[5] set", i_slliw_bad, 0x0205151b);

	trap_clear();
	i_ebreak();
	/* mtval for ebreak: the spec allows 0 or the pc; QEMU 7.2 writes 0. */
	check_trap("ebreak: cause 3, mtval = 0 (QEMU)", PRV_M, CAUSE_BREAKPOINT, 0);
	check("ebreak: mepc inside i_ebreak", last_trap.epc - (uint64_t)i_ebreak < 16, 1);
	trap_clear();
	i_c_ebreak();
	check_trap("c.ebreak: cause 3, mtval = 0 (QEMU)", PRV_M, CAUSE_BREAKPOINT, 0);
	check("c.ebreak: mepc is the c.ebreak", *(volatile uint16_t *)last_trap.epc, 0x9002);
	trap_clear();
	i_ecall();
	check_trap("ecall from M: cause 11, mtval = 0", PRV_M, CAUSE_ECALL_M, 0);
	expect_ok("nop", i_mret_fine);

	trap_clear();
	enter_mode(PRV_U, sfence_u, 0);
	check_trap("sfence.vma from U", PRV_M, CAUSE_ILLEGAL, *(volatile uint32_t *)last_trap.epc);
	return check_failures;
}
