/* Test data for symtab_test.c: assembly labels as firmware has them (global STT_NOTYPE, size 0),
 * a local label and a local function alias the loader must not prefer, mangled names, and a
 * global label in a data section that is not code. */
	.section .text.start, "ax"
	.globl _start
_start:
	la sp, stack_top
	call real_entry
1:	j 1b

	.globl trap_entry
trap_entry:
	nop
	.globl .Lglobal_label
.Lglobal_label:        /* an assembler-local name, even when global: never a function */
	mret

local_label:           /* local STT_NOTYPE: not a function */
	nop
	.type local_alias, @function
local_alias:           /* local alias of a global function: the global name wins */
	.globl rust_fn_start
rust_fn_start:
	.globl _ZN4core3fmt5write17h0123456789abcdefE
	.type _ZN4core3fmt5write17h0123456789abcdefE, @function
_ZN4core3fmt5write17h0123456789abcdefE:
	addi a0, a0, -1
	ret
	.size _ZN4core3fmt5write17h0123456789abcdefE, . - _ZN4core3fmt5write17h0123456789abcdefE
	.size local_alias, . - local_alias

	.globl _RNvCs1234_7mycrate3foo
	.type _RNvCs1234_7mycrate3foo, @function
_RNvCs1234_7mycrate3foo:
	ret
	.size _RNvCs1234_7mycrate3foo, . - _RNvCs1234_7mycrate3foo

	.globl _ZN3foo3barEv
	.type _ZN3foo3barEv, @function
_ZN3foo3barEv:
	ret
	.size _ZN3foo3barEv, . - _ZN3foo3barEv

	/* a gap between functions: lookups here find nothing */
	.4byte 0, 0, 0, 0

	.section .lastcode, "ax"
	.globl last_label
last_label:            /* size 0, last in .text: extends to .text's end, not into .tail */
	nop
	nop

	.section .tail, "ax"
	.globl tail_fn
tail_fn:
	nop
	ret

	.data
	.globl data_label
data_label:
	.8byte 0
	.bss
	.balign 16
	.space 256
stack_top:
