# A guest that waits for an interrupt that can never come: no timer armed, interrupts off,
# no console input. strata must end the run as a guest that makes no progress (exit 65) with
# the register dump and the last 16 instructions.
	.globl _start
_start:
	li	a0, 20
1:	addi	a0, a0, -1
	bnez	a0, 1b
	li	a1, 0x1234
	wfi
	j	_start
