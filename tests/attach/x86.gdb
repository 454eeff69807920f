# strata attach in front of qemu-system-x86_64 (the project's x86-64 kernel, its /init
# tests/linux-x86/prog.c); GDB was given no file and no add-symbol-file: vmlinux and prog come
# from strata. tests/e2e/attach_x86.sh checks the lines after each CHECK- marker.
# the kernel's getppid(2), called by the program's prog_round() in a loop
break __x64_sys_getppid
continue
echo CHECK-kernel \n
monitor priv
bt 2
echo CHECK-user-line \n
info symbol ((struct pt_regs *)$rdi)->ip
delete
# the program's own code, in the same session
break prog_round
continue
echo CHECK-user \n
monitor priv
frame
echo CHECK-libs \n
monitor libs
# break-on priv: the next change of CPL either way, from the kernel's entry points (system
# call, IDT stubs) and its return-to-user paths
delete
echo CHECK-priv-enter \n
monitor break-on priv
continue
monitor priv
info symbol $pc
echo CHECK-priv-return \n
continue
monitor priv
p/x $cs & 3
info symbol $pc
echo CHECK-priv-enter2 \n
continue
monitor priv
monitor break-on off
echo CHECK-end \n
kill
