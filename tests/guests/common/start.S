/* Guest runtime: reset entry, M- and S-mode trap entries, and switching to a lower mode
 * (enter_mode) and back (back_to_m). The C side is guest.c. */
#include "guest_asm.h"

	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	t0, m_trap_entry
	csrw	mtvec, t0
	la	t0, __mtrap_stack_top
	csrw	mscratch, t0
	la	t0, s_trap_entry
	csrw	stvec, t0
	la	t0, __strap_stack_top
	csrw	sscratch, t0
	/* PMP: the last entry (15) grants S/U everything; tests use lower entries first. */
	li	t0, -1
	csrw	pmpaddr15, t0
	li	t0, (0x1f << 56)
	csrw	pmpcfg2, t0
	/* FPU on, so C code may touch FP registers. */
	li	t0, (1 << 13)
	csrs	mstatus, t0
	csrw	fcsr, zero
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	main
	call	guest_exit
3:	j	3b

/* Save x1..x31 into a frame on the trap stack (found in xSCRATCH), call handler(frame). */
.macro TRAP_ENTRY scratch, handler, ret
	.align 4
	csrrw	sp, \scratch, sp
	addi	sp, sp, -FRAME_SIZE
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\r, (\r * 8)(sp)
	.endr
	csrr	t0, \scratch
	sd	t0, (2 * 8)(sp)
	mv	a0, sp
	call	\handler
	.irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\r, (\r * 8)(sp)
	.endr
	addi	sp, sp, FRAME_SIZE
	csrrw	sp, \scratch, sp
	\ret
.endm

	.text
	.globl m_trap_entry
m_trap_entry:
	TRAP_ENTRY mscratch, m_trap, mret

	.globl s_trap_entry
s_trap_entry:
	TRAP_ENTRY sscratch, s_trap, sret

	/* H guests: VS's handler (sscratch is vsscratch at V=1) */
	.globl vs_trap_entry
vs_trap_entry:
	TRAP_ENTRY sscratch, vs_trap, sret

/* uint64_t enter_mode_sp(int mode, uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t sp):
 * run fn(arg) in mode (0 = U, 1 = S, 3 = M via mret) on stack sp; returns fn's result
 * (or whatever back_to_m is given) once the lower mode ecalls ECALL_RETURN. */
	.globl enter_mode_sp
enter_mode_sp:
	la	t0, m_ctx
	sd	ra, 0(t0)
	sd	sp, 8(t0)
	sd	s0, 16(t0)
	sd	s1, 24(t0)
	sd	s2, 32(t0)
	sd	s3, 40(t0)
	sd	s4, 48(t0)
	sd	s5, 56(t0)
	sd	s6, 64(t0)
	sd	s7, 72(t0)
	sd	s8, 80(t0)
	sd	s9, 88(t0)
	sd	s10, 96(t0)
	sd	s11, 104(t0)
	csrw	mepc, a1
	li	t0, (3 << 11)
	csrc	mstatus, t0
	slli	t1, a0, 11
	csrs	mstatus, t1
	mv	sp, a3
	la	ra, lower_return
	bnez	a0, 1f
	la	ra, ulower_return
1:	mv	a0, a2
	mret

/* void back_to_m(uint64_t val): from the M trap handler, abandon the lower mode and return
 * val from enter_mode_sp, with fresh trap stacks. */
	.globl back_to_m
back_to_m:
	la	t0, __mtrap_stack_top
	csrw	mscratch, t0
	la	t0, __strap_stack_top
	csrw	sscratch, t0
	la	t0, m_ctx
	ld	ra, 0(t0)
	ld	sp, 8(t0)
	ld	s0, 16(t0)
	ld	s1, 24(t0)
	ld	s2, 32(t0)
	ld	s3, 40(t0)
	ld	s4, 48(t0)
	ld	s5, 56(t0)
	ld	s6, 64(t0)
	ld	s7, 72(t0)
	ld	s8, 80(t0)
	ld	s9, 88(t0)
	ld	s10, 96(t0)
	ld	s11, 104(t0)
	ret

/* Probes: single 4-byte instructions whose traps the handlers skip by 4 (fetch faults
 * return to ra). Assembled twice: probe_* in .text for M/S, uprobe_* in the user window for U
 * under paging (S cannot execute U pages). */
.macro PROBES p
	.option push
	.option norvc
	.globl \p\()lower_return
\p\()lower_return:
	li	a7, ECALL_RETURN
	ecall
1:	j	1b
	.globl \p\()probe_ld
\p\()probe_ld:
	mv	t0, a0
	li	a0, 0
	ld	a0, 0(t0)
	ret
	.globl \p\()probe_lw
\p\()probe_lw:
	mv	t0, a0
	li	a0, 0
	lw	a0, 0(t0)
	ret
	.globl \p\()probe_lb
\p\()probe_lb:
	mv	t0, a0
	li	a0, 0
	lbu	a0, 0(t0)
	ret
	.globl \p\()probe_sd
\p\()probe_sd:
	sd	a1, 0(a0)
	ret
	.globl \p\()probe_sw
\p\()probe_sw:
	sw	a1, 0(a0)
	ret
	.globl \p\()probe_sb
\p\()probe_sb:
	sb	a1, 0(a0)
	ret
	.globl \p\()probe_fetch
\p\()probe_fetch:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	jalr	ra, 0(a0)
	ld	ra, 0(sp)
	addi	sp, sp, 16
	ret
	.globl \p\()probe_ecall
\p\()probe_ecall:
	li	a7, 0
	ecall
	ret
	.globl \p\()probe_amoadd_d
\p\()probe_amoadd_d:
	mv	t0, a0
	li	a0, 0
	amoadd.d a0, a1, (t0)
	ret
	.globl \p\()probe_lr_d
\p\()probe_lr_d:
	mv	t0, a0
	li	a0, 0
	lr.d	a0, (t0)
	ret
	.globl \p\()probe_sc_d
\p\()probe_sc_d:
	mv	t0, a0
	li	a0, 7
	sc.d	a0, a1, (t0)
	ret
	.globl \p\()ret_insn
\p\()ret_insn:
	ret
	.option pop
.endm

	.text
	PROBES

/* uint64_t mprv_ld(addr, mpp) / void mprv_sd(addr, val, mpp): one M-mode access with
 * MPRV=1 and MPP=mpp, touching no other memory while MPRV is set. */
	.option push
	.option norvc
	.globl mprv_ld
mprv_ld:
	li	t1, (3 << 11)
	csrc	mstatus, t1
	slli	a1, a1, 11
	csrs	mstatus, a1
	li	t1, (1 << 17)
	csrs	mstatus, t1
	mv	t0, a0
	li	a0, 0
	ld	a0, 0(t0)
	csrc	mstatus, t1
	ret
	.globl mprv_sd
mprv_sd:
	li	t1, (3 << 11)
	csrc	mstatus, t1
	slli	a2, a2, 11
	csrs	mstatus, a2
	li	t1, (1 << 17)
	csrs	mstatus, t1
	sd	a1, 0(a0)
	csrc	mstatus, t1
	ret
	.option pop
	.section .usertext, "ax"
	PROBES u

	.bss
	.align 3
	.globl m_ctx
m_ctx:	.space 14 * 8
