# Debian's OpenSBI (stripped: no symbols) under the s_kernel guest: stop on SBI calls in M
# mode, then breakpoints by address in the firmware and by symbol in the kernel.
monitor break-on sbi
continue
info registers priv
p/x $mcause
p/x $a7
bt 1
monitor break-on off
break *$mtvec
continue
info registers priv
p/x $mcause
delete
break sbi_call
continue
info registers priv
bt 1
delete
monitor ring
continue
