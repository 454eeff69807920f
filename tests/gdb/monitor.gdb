# Monitor commands: tracers switched at run time, page-table walks, machine state, the ring,
# event stops.
monitor help
monitor trace
monitor trace ftrace,etrace on
monitor trace
break main
continue
monitor trace ftrace,etrace off
monitor trace
monitor walk 0x10000
monitor walk 0x80200000
monitor walk 0x40000000
# the program's first words through satp, then the same physical bytes
x/2wx 0x10000
monitor phys on
x/2wx 0x80410000
monitor phys off
monitor info
monitor ring
monitor break-on trap 2
monitor break-on syscall
monitor break-on
continue
p $a7
monitor break-on off
delete
continue
