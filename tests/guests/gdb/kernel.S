/* kernel.S — the S-mode kernel's entry, trap vector and the user program's image. */
#include "regs.h"

	.section .text.entry
	.globl _start
_start:
	la	sp, k_stack_top
	la	t0, k_trap_vector
	csrw	stvec, t0
	call	kmain		/* builds the page table, returns the satp value */
	csrw	satp, a0
	sfence.vma
	la	t0, k_stack_top
	csrw	sscratch, t0
	li	t0, 0x10000	/* the program's entry (prog.ld) */
	csrw	sepc, t0
	li	t0, 1 << 8	/* SPP = U */
	csrc	sstatus, t0
	li	t0, 1 << 18	/* SUM: the kernel reads the program's buffers */
	csrs	sstatus, t0
	.globl k_sret_to_user
k_sret_to_user:
	sret

	.text
	.align	2
	.globl k_trap_vector
k_trap_vector:
	csrrw	sp, sscratch, sp
	SAVE_REGS
	csrr	t0, sscratch
	sd	t0, 16(sp)
	addi	t0, sp, 256
	csrw	sscratch, t0
	mv	a0, sp
	call	ktrap
	RESTORE_REGS
	ld	sp, 16(sp)
	.globl k_sret
k_sret:
	sret

	/* the user programs (prog.elf and prog2.elf as flat images), each at virtual 0x10000 of
	 * its own address space */
	.section .user, "a"
	.incbin	"build/prog.bin"
	.section .user2, "a"
	.incbin	"build/prog2.bin"
