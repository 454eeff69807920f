/* fw.S — the M-mode firmware's entry and trap vector (see README.md). */
#include "regs.h"

	.section .text.start
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	la	sp, fw_stack_top
	la	t0, fw_trap_vector
	csrw	mtvec, t0
	/* PMP: everything accessible from S and U (one NAPOT entry over the address space) */
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f
	csrw	pmpcfg0, t0
	/* U ecalls and page faults go to the kernel */
	li	t0, (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
	csrw	medeleg, t0
	la	t0, fw_trap_stack_top
	csrw	mscratch, t0
	call	fw_main
	/* enter the kernel in S mode: mepc = 0x80200000, MPP = S, a0 = hartid */
	li	t0, 0x80200000
	csrw	mepc, t0
	li	t0, 3 << 11
	csrc	mstatus, t0
	li	t0, 1 << 11
	csrs	mstatus, t0
	li	a0, 0
	li	a1, 0
	.globl fw_mret_to_kernel
fw_mret_to_kernel:
	mret

park:	/* other harts wait forever */
	wfi
	j	park

	.text
	.align	2
	.globl fw_trap_vector
fw_trap_vector:
	csrrw	sp, mscratch, sp
	SAVE_REGS
	csrr	t0, mscratch
	sd	t0, 16(sp)		/* the interrupted sp */
	mv	a0, sp
	call	fw_trap
	RESTORE_REGS
	addi	sp, sp, 256
	csrrw	sp, mscratch, sp
	.globl fw_mret
fw_mret:
	mret
