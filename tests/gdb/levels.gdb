# Three privilege levels, three ELF files, no symbol command: strata names fw.elf as the
# executable and kernel.elf and prog.elf as libraries (docs/GDB.md).
info sharedlibrary
# a breakpoint in the firmware's SBI handler (M), reached from the kernel's first SBI call
break sbi_console_putchar
continue
bt
info registers priv
finish
# back out of the firmware: stop when mret lowers the privilege, in the kernel's source
monitor break-on priv
continue
info registers priv
bt
finish
monitor break-on off
delete
# into the program (U): its own symbols and source
break main
continue
bt 1
info registers priv
# a watchpoint on the program's variable stops right after the writing store
watch counter
continue
x/i $pc - 4
continue
delete
# stepping across sret (kernel -> program) and mret (firmware -> kernel)
break k_sret
continue
info registers priv
p/x $sepc
stepi
info registers priv
p/x $pc
delete
break fw_mret
continue
p/x $mepc
p/x $mstatus >> 11 & 3
stepi
info registers priv
p/x $pc
info symbol $pc
delete
# CSR reads and writes
p/x $satp
set $stval = 0x1234
p/x $stval
set $stval = 0
continue
