# Reverse execution (docs/REPLAY.md) on the M firmware + S kernel + U program guest
# (tests/guests/gdb: main says hello, adds 10 to counter three times, says done).
break main
continue
monitor when
# 1. reverse-continue to a breakpoint: from the second call of say back to the first;
#    reverse-finish back into main, then next and reverse-next over the call
break say
continue
continue
bt 1
reverse-continue
bt 1
reverse-finish
next
reverse-next
p/x $pc
delete
# 2. "who last wrote counter": a watchpoint, forward twice, then reverse-continue stops at
#    the store that wrote the value, showing the value before it
watch counter
continue
continue
p counter
reverse-continue
p counter
x/i $pc
reverse-continue
p counter
x/i $pc
delete
# 3. U -> S: the syscall's trap entry, then back to the ecall in U and one more step back
monitor break-on syscall
continue
info registers priv
p/x $pc
reverse-stepi
info registers priv
x/i $pc
reverse-stepi
x/i $pc
stepi
stepi
info registers priv
p/x $pc
monitor break-on off
# 4. S -> M -> S: the SBI call's entry into the firmware and back; mret forward, then back
monitor break-on sbi
continue
info registers priv
p/x $pc
reverse-stepi
info registers priv
x/i $pc
stepi
info registers priv
monitor break-on off
break fw_mret
continue
stepi
info registers priv
reverse-stepi
info registers priv
x/i $pc
delete
# 5. monitor goto: back and forward by instruction count
monitor goto 6000
maint flush register-cache
monitor when
p/x $pc
monitor goto 6200
maint flush register-cache
monitor when
p/x $pc
# 6. back to the start of history, then run to the end
reverse-continue
monitor when
continue
