/* rv32e — run with -cpu rv32e by tests/e2e/rv32.sh: misa says RV32E (MXL 1, E, no I), and an
 * instruction naming x16 raises an illegal-instruction exception with the encoding in mtval.
 * Exit through the sifive_test finisher: 0x5555 passes, 0x3333 | n << 16 fails check n. */
	.section .text.start, "ax"
	.globl _start
_start:
	la	t0, trap
	csrw	mtvec, t0
	csrr	a0, misa
	li	a1, (1 << 4)		/* E */
	and	a2, a0, a1
	li	a5, 2
	beqz	a2, fail
	li	a1, (1 << 8)		/* no I */
	and	a2, a0, a1
	li	a5, 3
	bnez	a2, fail
	li	a1, 0x40000000		/* MXL = 1 */
	srli	a2, a0, 30
	li	a5, 4
	li	a3, 1
	bne	a2, a3, fail
	li	a5, 5
	li	s1, 0
bad:	.word	0x00c58833		/* add x16, a1, a2: illegal on RV32E */
	li	a5, 6
	j	fail
trap:
	csrr	a0, mcause
	li	a5, 7
	li	a1, 2
	bne	a0, a1, fail
	csrr	a0, mtval
	li	a1, 0x00c58833
	li	a5, 8
	bne	a0, a1, fail
	csrr	a0, mepc
	la	a1, bad
	li	a5, 9
	bne	a0, a1, fail
	li	t0, 0x100000
	li	t1, 0x5555
	sw	t1, 0(t0)
1:	j	1b
fail:
	li	t0, 0x100000
	slli	a5, a5, 16
	li	t1, 0x3333
	or	t1, t1, a5
	sw	t1, 0(t0)
2:	j	2b
