# strata attach serial:PTY in front of Linux's kgdb (kgdboc on QEMU's second serial port,
# kgdbwait): the same kernel and program as x86.gdb. tests/e2e/attach_x86.sh checks the lines
# after each CHECK- marker.
echo CHECK-wait \n
monitor priv
bt 1
break __x64_sys_getppid
continue
echo CHECK-kernel \n
monitor priv
bt 2
echo CHECK-user-line \n
info symbol ((struct pt_regs *)$rdi)->ip
delete
echo CHECK-end \n
detach
