/* Entry of the S-mode Rust kernel from OpenSBI (a0 = hartid, a1 = device tree) and its trap
 * vector: save the caller-saved registers, call ktrap (Rust), restore, sret. */
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
2:	la	t0, trap_vector
	csrw	stvec, t0
	call	rust_main
3:	j	3b

	.text
	.align 4
	.globl trap_vector
trap_vector:
	addi	sp, sp, -256
	.irp r, 1,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
	sd	x\r, (\r * 8)(sp)
	.endr
	call	ktrap
	.irp r, 1,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
	ld	x\r, (\r * 8)(sp)
	.endr
	addi	sp, sp, 256
	sret
