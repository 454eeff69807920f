/* The RV32 benchmark's start (tests/guests/common/start.S is RV64's, with trap frames and mode
 * switches the benchmark does not use): stack, FPU, bss, main, then exit through the finisher. */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	li	t0, (1 << 13)
	csrs	mstatus, t0
	csrw	fcsr, zero
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sw	zero, 0(t0)
	addi	t0, t0, 4
	j	1b
2:	call	main
	call	guest_exit
3:	j	3b
