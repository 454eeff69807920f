# One hart, fw.elf (M) + kernel.elf (S) + prog.elf (U) through OpenOCD; tests/e2e/jtag.sh
# checks the lines tagged CHECK-...
echo CHECK-reset-pc \n
p/x $pc
echo CHECK-reset-priv \n
p/d $priv
# OpenOCD's reset halt: ndmreset with haltreq, back at the reset vector (GDB's cache is stale)
monitor reset halt
flushregs
echo CHECK-reset-halt \n
p/x $pc
# S code: a software breakpoint in the kernel before it turns on paging
break kmain
continue
echo CHECK-s-break \n
p/x $pc == kmain
p/d $priv
delete
# M code: the firmware's SBI handler, reached by the kernel's ecall
break sbi_console_putchar
continue
echo CHECK-m-break \n
p $a0
p/d $priv
echo CHECK-csr \n
p/x $mcause
set $old = $mscratch
set $mscratch = 0x1234abcd
p/x $mscratch
set $mscratch = $old
echo CHECK-regs \n
p/x $sp != 0
set $t6 = 0x5a5a5a5a
p/x $t6
delete
# memory: the firmware's code is what fw.elf says; a store reads back
echo CHECK-memory \n
compare-sections .text
set *(unsigned int *)0x80100000 = 0xfeedc0de
x/wx 0x80100000
# stepping across sret: the kernel drops to U mode
break k_sret
continue
echo CHECK-sret \n
p/d $priv
stepi
p/d $priv
p/x $pc == $sepc
delete
# U code: a software breakpoint in the program (its second call of say), now that its address
# space is current
break *say
continue
echo CHECK-u-break \n
p/x $pc == say
p/d $priv
delete
# stepping across mret: the firmware returns to the kernel
break fw_mret
continue
echo CHECK-mret \n
p/d $priv
stepi
p/d $priv
p/x $pc == $mepc
delete
continue
