# -smp 2: one GDB thread per hart; hart 1 parks in the firmware's wfi loop.
info threads
break sbi_console_putchar
continue
info threads
thread 2
info registers priv
x/i $pc
thread 1
delete
monitor info
continue
