/* regs.h — trap-frame macros shared by fw.S and kernel.S: x1 and x3..x31 at (n * 8)(sp) of a
 * 256-byte frame; the interrupted sp is stored at 16(sp) by the caller. */
.macro SAVE_REGS
	addi	sp, sp, -256
	.irp	r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\r, (\r * 8)(sp)
	.endr
.endm

.macro RESTORE_REGS
	.irp	r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\r, (\r * 8)(sp)
	.endr
.endm
