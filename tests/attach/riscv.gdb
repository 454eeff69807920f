# strata attach in front of qemu-system-riscv64 (OpenSBI + the project's Linux image); GDB was
# given no file: the executable (fw_jump.elf) and the libraries (vmlinux, init) come from strata.
# tests/e2e/attach.sh checks the lines after each CHECK- marker.
echo CHECK-libs \n
info sharedlibrary
echo CHECK-reset \n
monitor priv
# the kernel's write(2), reached from the init's printf
break sys_write
continue
echo CHECK-kernel \n
monitor priv
p/d $priv
bt 2
delete
# the init's own code (U), in the same session
break report
continue
echo CHECK-user \n
monitor priv
bt 2
delete
echo CHECK-monlibs \n
monitor libs
# a page walk of the init's code address in its address space
echo CHECK-walk \n
monitor walk 0x10000
# break-on syscall: a breakpoint on stvec, filtered by scause
echo CHECK-syscall \n
monitor break-on syscall
continue
p/x $scause
monitor break-on off
# the upstream's own monitor commands still work
echo CHECK-forward \n
monitor info registers
echo CHECK-end \n
kill
