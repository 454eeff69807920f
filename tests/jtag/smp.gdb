# -smp 2: one OpenOCD target per hart in an SMP group, one GDB thread each
echo CHECK-threads \n
info threads
break sbi_console_putchar
continue
echo CHECK-hart1 \n
thread 2
# hart 1 may have stopped where GDB has a source line or where it has none (0x1000, when
# OpenOCD's resume of hart 1 comes after hart 0 already hit the breakpoint): the frame's
# lines vary, so the registers get a tag of their own
echo CHECK-hart1regs \n
p/x $mhartid
p/d $priv
thread 1
echo CHECK-hart0 \n
p/x $mhartid
p $a0
delete
# resume through OpenOCD and detach: the guest runs to its end while GDB leaves (a GDB
# `continue` would wait for a stop that never comes once strata exits)
monitor resume
detach
