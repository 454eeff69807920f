# -smp 2: one OpenOCD target per hart in an SMP group, one GDB thread each
echo CHECK-threads \n
info threads
break sbi_console_putchar
continue
echo CHECK-hart1 \n
thread 2
p/x $mhartid
p/d $priv
thread 1
echo CHECK-hart0 \n
p/x $mhartid
p $a0
delete
continue
