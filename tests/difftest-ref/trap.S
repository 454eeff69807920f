/* trap — ecall and mret in M mode, five times, for e2e/difftest_ref's CSR layout (dut --csrs).
 * The handler returns through the address the loop put in t1, not through mepc, so a DUT whose
 * mepc is wrong never shows it in a GPR: only a difftest that compares CSRs sees it. Only
 * x0-x15, so the same source runs on RV32E. Ends with ebreak, a0 = 0 when mcause was 11. */
	.section .text
	.globl _start
_start:
	la	t0, handler
	csrw	mtvec, t0
	li	s0, 0
	li	s1, 5
loop:
	la	t1, back
	ecall
back:
	csrr	a1, mstatus
	addi	s0, s0, 1
	blt	s0, s1, loop
	csrr	a0, mcause
	addi	a0, a0, -11
	ebreak
	.balign 4
handler:
	csrr	t2, mcause
	csrw	mepc, t1
	mret
