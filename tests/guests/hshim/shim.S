/* hshim's entry from OpenSBI in HS mode (a0 = hartid, a1 = device tree) and its trap vector.
 * A trap comes from the guest (VS): sscratch holds the shim's stack while the guest runs, so the
 * vector swaps it with the guest's sp, saves the guest's registers in a frame (x1-x31 at
 * 8 * n), calls hshim_trap(frame), restores them and srets back into the guest (SPV = 1). */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, hshim_vector
	csrw	stvec, t0
	call	hshim_main
3:	j	3b

/* hshim_enter(a0, a1): sret into the guest (sepc, hstatus, hgatp set up by the caller) with
 * a0, a1 and every other register as given; the shim's stack goes to sscratch. */
	.globl hshim_enter
hshim_enter:
	csrw	sscratch, sp
	.irp r, 1,2,3,4,5,6,7,8,9,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	li	x\r, 0
	.endr
	sret

	.align 4
	.globl hshim_vector
hshim_vector:
	csrrw	sp, sscratch, sp
	addi	sp, sp, -256
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\r, (\r * 8)(sp)
	.endr
	csrr	t0, sscratch		/* the guest's sp */
	sd	t0, 16(sp)
	mv	a0, sp
	call	hshim_trap
	ld	t0, 16(sp)
	csrw	sscratch, t0
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\r, (\r * 8)(sp)
	.endr
	addi	sp, sp, 256
	csrrw	sp, sscratch, sp
	sret
