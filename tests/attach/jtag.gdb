# strata attach in front of OpenOCD on strata's own JTAG (tests/guests/gdb: fw.elf M, kernel.elf
# S, prog.elf and prog2.elf U, both linked at 0x10000); GDB was given no file.
# tests/e2e/attach.sh checks the lines after each CHECK- marker.
echo CHECK-reset \n
monitor priv
break kmain
continue
echo CHECK-kernel \n
monitor priv
info symbol $pc
delete
# the first program's entry: strata lists prog.elf (its code is what the address space maps)
hbreak *0x10000
continue
echo CHECK-user \n
monitor priv
info symbol $pc
monitor libs
# the second program's entry, at the same address in another address space: prog2.elf now
continue
echo CHECK-user2 \n
monitor priv
info symbol $pc
monitor libs
delete
echo CHECK-end \n
monitor resume
detach
