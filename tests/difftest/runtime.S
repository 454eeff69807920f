/* difftest runtime: start-up, the per-block state dump and the M-mode trap handler.
 *
 * The generated program (gen.py) provides:
 *   dt_init   64 dwords: initial x0..x31 then f0..f31 (x slots of s0/s1/sp/tp hold the bases
 *             and the address of dt_main), then one dword: initial fcsr
 *   dt_main   the random blocks; each ends with `jal tp, dt_dump`; the last jumps to dt_exit
 *   dt_data   the data area the random loads/stores/AMOs touch (DT_DATA_SIZE bytes)
 *
 * Reserved registers (random code never writes them): gp = dt_scratch (dump and trap handler
 * state), tp = link register of dt_dump. s0, s1, sp are data-area bases (see gen.py).
 *
 * A dump prints one line on the UART:
 *   @ site x1..x31 f0..f31 fcsr mstatus memhash ntraps {mcause mtval mepc}*min(ntraps,MAXTRAPS)
 * every field 16 hex digits; site is the return address of the `jal tp, dt_dump`.
 * The dump saves and restores every register and mstatus, so the random state flows on unchanged.
 *
 * Built for RV32 too (run --xlen 32): every slot stays 8 bytes, an XLEN value in its low word
 * (the high word stays 0, dt_init's too), so the line format is the same; memhash is then the
 * 32-bit FNV-1a.
 */
#define UART_THR      0x10000000
#define FINISHER      0x100000
#define DT_DATA_SIZE  4096

#define SAVE_X        0
#define SAVE_F        256
#define SAVE_FCSR     512
#define SAVE_MSTATUS  520
#define TRAP_N        528
#define HT0           536
#define HT1           544
#define TRAP_LOG      576
#define MAXTRAPS      64
#define SCRATCH_SIZE  (TRAP_LOG + 24 * MAXTRAPS)

	.option norvc
	.option norelax

#if __riscv_xlen == 32
#define LX lw
#define SX sw
#else
#define LX ld
#define SX sd
#endif

	.section .text.init, "ax"
	.globl _start
_start:
	lla	t0, dt_trap
	csrw	mtvec, t0
	/* PMP entry 0 grants S/U (and so VS/VU: HLV/HSV) all memory; M is not bound by it */
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f
	csrw	pmpcfg0, t0
	li	t0, 0x6000		/* mstatus.FS = Dirty */
	csrs	mstatus, t0
	lla	gp, dt_scratch
	lla	t0, dt_init
	mv	t1, gp
	li	t2, 64*8/4
1:	lw	t3, 0(t0)
	sw	t3, 0(t1)
	addi	t0, t0, 4
	addi	t1, t1, 4
	addi	t2, t2, -1
	bnez	t2, 1b
	LX	t0, 0(t0)		/* dt_init[64]: fcsr */
	csrw	fcsr, t0
	csrr	t0, mstatus
	SX	t0, SAVE_MSTATUS(gp)
	j	dt_restore

	.text
	.globl dt_dump
	.align 2
dt_dump:
	.irp r, 1,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	SX	x\r, SAVE_X+8*\r(gp)
	.endr
	SX	gp, SAVE_X+8*3(gp)
	csrr	t0, mstatus
	SX	t0, SAVE_MSTATUS(gp)
	li	t1, 0x6000		/* random code may have switched the FPU off */
	csrs	mstatus, t1
	frcsr	t0
	SX	t0, SAVE_FCSR(gp)
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\r, SAVE_F+8*\r(gp)
	.endr

	li	s2, UART_THR
	li	t0, '@'
	sb	t0, 0(s2)
	addi	s3, gp, SAVE_X+8*4	/* site */
	jal	ra, putslot
	addi	s3, gp, SAVE_X+8	/* x1..x31, f0..f31, fcsr, mstatus: consecutive slots */
	li	s4, 31+32+2
2:	jal	ra, putslot
	addi	s3, s3, 8
	addi	s4, s4, -1
	bnez	s4, 2b
#if __riscv_xlen == 32
	lla	s3, dt_data		/* memory hash (32-bit FNV-1a over words) */
	li	s4, DT_DATA_SIZE/4
	li	a0, 0x811c9dc5
	li	s5, 0x01000193
3:	lw	t0, 0(s3)
	xor	a0, a0, t0
	mul	a0, a0, s5
	addi	s3, s3, 4
	addi	s4, s4, -1
	bnez	s4, 3b
	sw	a0, HT0(gp)
	addi	s3, gp, HT0
	jal	ra, putslot
#else
	lla	s3, dt_data		/* memory hash (FNV-1a over dwords) */
	li	s4, DT_DATA_SIZE/8
	li	a0, 0xcbf29ce484222325
	li	s5, 0x100000001b3
3:	ld	t0, 0(s3)
	xor	a0, a0, t0
	mul	a0, a0, s5
	addi	s3, s3, 8
	addi	s4, s4, -1
	bnez	s4, 3b
	jal	ra, puthex
#endif
	addi	s3, gp, TRAP_N
	jal	ra, putslot
	LX	s4, TRAP_N(gp)
	li	t0, MAXTRAPS
	bleu	s4, t0, 4f
	mv	s4, t0
4:	li	t0, 3
	mul	s4, s4, t0
	addi	s3, gp, TRAP_LOG
	beqz	s4, 6f
5:	jal	ra, putslot
	addi	s3, s3, 8
	addi	s4, s4, -1
	bnez	s4, 5b
6:	SX	zero, TRAP_N(gp)
	li	t0, '\n'
	sb	t0, 0(s2)

	.globl dt_restore
dt_restore:
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\r, SAVE_F+8*\r(gp)
	.endr
	LX	t0, SAVE_MSTATUS(gp)
	csrw	mstatus, t0
	.irp r, 1,2,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	LX	x\r, SAVE_X+8*\r(gp)
	.endr
	jr	tp

/* ' ' then the 8-byte slot at s3 as 16 hex digits. Clobbers a0..a4. */
putslot:
	mv	a4, ra
#if __riscv_xlen == 32
	lw	a0, 4(s3)
	jal	ra, puthex
	lw	a0, 0(s3)
	jal	ra, puthex_nosp
#else
	ld	a0, 0(s3)
	jal	ra, puthex
#endif
	jr	a4

/* ' ' then a0 as XLEN/4 hex digits to the UART at s2 (puthex_nosp: without the space). Clobbers
 * a0..a3. */
puthex:
	li	a1, ' '
	sb	a1, 0(s2)
puthex_nosp:
	li	a2, __riscv_xlen - 4
1:	srl	a1, a0, a2
	andi	a1, a1, 15
	addi	a3, a1, -10
	addi	a1, a1, '0'
	bltz	a3, 2f
	addi	a1, a1, 'a'-'0'-10
2:	sb	a1, 0(s2)
	addi	a2, a2, -4
	bgez	a2, 1b
	ret

	.globl dt_exit
dt_exit:
	li	t0, UART_THR
	li	t1, '@'
	sb	t1, 0(t0)
	li	t1, 'E'
	sb	t1, 0(t0)
	li	t1, '\n'
	sb	t1, 0(t0)
	li	t0, FINISHER
	li	t1, 0x5555
	sw	t1, 0(t0)
1:	j	1b

/* Record mcause, mtval, mepc (after the fix-up below); step over the trapping instruction (2 or 4 bytes); return. */
	.align 2
dt_trap:
	SX	t0, HT0(gp)
	SX	t1, HT1(gp)
	/* QEMU 7.2 reports a misaligned AMO as load-address-misaligned (4); the spec says
	 * store/AMO-address-misaligned (6). Accept both: rewrite 4 -> 6 for AMOs (not LR). */
	csrr	t0, mcause
	li	t1, 4
	bne	t0, t1, 0f
	csrr	t0, mepc
	lhu	t1, 0(t0)
	andi	t1, t1, 0x7f
	addi	t1, t1, -0x2f
	bnez	t1, 0f
	lhu	t1, 2(t0)
	srli	t1, t1, 11		/* funct5 */
	addi	t1, t1, -2		/* LR */
	beqz	t1, 0f
	li	t0, 6
	csrw	mcause, t0
0:
	LX	t0, TRAP_N(gp)
	addi	t1, t0, 1
	SX	t1, TRAP_N(gp)
	li	t1, MAXTRAPS
	bgeu	t0, t1, 1f
	slli	t1, t0, 1
	add	t0, t0, t1		/* n * 3 */
	slli	t0, t0, 3
	add	t0, t0, gp
	csrr	t1, mcause
	SX	t1, TRAP_LOG(t0)
	csrr	t1, mtval
	SX	t1, TRAP_LOG+8(t0)
	csrr	t1, mepc
	SX	t1, TRAP_LOG+16(t0)
1:	csrr	t0, mcause
	bltz	t0, 3f			/* interrupt: nothing to skip */
	csrr	t0, mepc
	lhu	t1, 0(t0)
	andi	t1, t1, 3
	addi	t0, t0, 2
	addi	t1, t1, -3
	bnez	t1, 2f
	addi	t0, t0, 2
2:	csrw	mepc, t0
3:	LX	t0, HT0(gp)
	LX	t1, HT1(gp)
	mret

	.data
	.align 4
dt_scratch:
	.fill SCRATCH_SIZE, 1, 0
