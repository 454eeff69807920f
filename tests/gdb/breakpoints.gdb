# Software and hardware breakpoints, read and access watchpoints in a bare-metal C guest
# (recursion.elf, M mode, -bios none).
awatch fib_arg
continue
bt 1
delete
break fib if n == 3
continue
bt
info registers a0
delete
rwatch loop_count
continue
bt 1
delete
hbreak square
continue
p x
continue
p x
delete
stepi
stepi
info registers priv
continue
