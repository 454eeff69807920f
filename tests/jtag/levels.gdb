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
# hardware breakpoints (Sdtrig triggers with action "enter Debug Mode") in S, M and U code
hbreak *ktrap
continue
echo CHECK-hw-s \n
p/x $pc == ktrap
p/d $priv
delete
hbreak *sbi_console_putchar
continue
echo CHECK-hw-m \n
p/x $pc == sbi_console_putchar
p/d $priv
delete
# prog2's entry, in its own address space
hbreak *0x10000
continue
echo CHECK-hw-u \n
p/x $pc
p/d $priv
delete
# resume through OpenOCD and detach: the guest runs to its end while GDB leaves (a GDB
# `continue` would wait for a stop that never comes once strata exits)
monitor resume
detach
