/* Firmware entry and M trap vector. Traps come from S (the payload) or from M's own wait
 * loop; either way the frame goes on the M trap stack from mscratch. */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, fw_stack_top
	la	t0, fw_trap_vector
	csrw	mtvec, t0
	la	t0, fw_trap_stack_top
	csrw	mscratch, t0
	call	fw_main
1:	j	1b

	.text
	.align 4
	.globl fw_trap_vector
fw_trap_vector:
	csrrw	sp, mscratch, sp
	addi	sp, sp, -256
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\r, (\r * 8)(sp)
	.endr
	csrr	t0, mscratch
	sd	t0, (2 * 8)(sp)
	mv	a0, sp
	call	fw_trap
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\r, (\r * 8)(sp)
	.endr
	addi	sp, sp, 256
	csrrw	sp, mscratch, sp
	mret

/* void fw_enter_s(entry): mret into the payload in S mode with a0 = hartid 0. */
	.globl fw_enter_s
fw_enter_s:
	csrw	mepc, a0
	li	t0, (3 << 11)
	csrc	mstatus, t0
	li	t0, (1 << 11)
	csrs	mstatus, t0
	li	a0, 0
	li	a1, 0
	mret
