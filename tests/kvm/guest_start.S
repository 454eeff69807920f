/* Entry and trap vector of the KVM test guest (tests/kvm/guest.c). a0 = hart id and a1 = the
 * argument the loader passes (the VMM: RAM size; OpenSBI: the DTB) go on to guest_main. The
 * first hart zeroes .bss; the second comes in later through guest_secondary_entry. */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, stack_top
	la	t0, bss_start	/* OpenSBI's payload RAM need not be zero, the VMM's is */
	la	t1, bss_end
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:
	la	t0, guest_trap_entry
	csrw	stvec, t0
	call	guest_main
1:	wfi
	j	1b

/* The second hart (SBI HSM hart_start): a1 = its stack top. */
	.globl guest_secondary_entry
guest_secondary_entry:
	mv	sp, a1
	la	t0, guest_trap_entry
	csrw	stvec, t0
	call	guest_secondary
1:	wfi
	j	1b

/* Saves the caller-saved registers, lets guest_trap(cause, epc, tval) pick the return pc. */
	.text
	.balign 4
	.globl guest_trap_entry
guest_trap_entry:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	a0, 32(sp)
	sd	a1, 40(sp)
	sd	a2, 48(sp)
	sd	a3, 56(sp)
	sd	a4, 64(sp)
	sd	a5, 72(sp)
	sd	a6, 80(sp)
	sd	a7, 88(sp)
	sd	t3, 96(sp)
	sd	t4, 104(sp)
	sd	t5, 112(sp)
	sd	t6, 120(sp)
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	guest_trap
	csrw	sepc, a0
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	a0, 32(sp)
	ld	a1, 40(sp)
	ld	a2, 48(sp)
	ld	a3, 56(sp)
	ld	a4, 64(sp)
	ld	a5, 72(sp)
	ld	a6, 80(sp)
	ld	a7, 88(sp)
	ld	t3, 96(sp)
	ld	t4, 104(sp)
	ld	t5, 112(sp)
	ld	t6, 120(sp)
	addi	sp, sp, 128
	sret
