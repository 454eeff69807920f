# Reverse commands across privilege levels (docs/REPLAY.md) on tests/guests/gdb: next over say()
# (a U->S syscall whose kernel makes S->M->S SBI calls), then reverse-step back into say and
# back over the syscall's return into the kernel, reverse-finish there, reverse-continue from U
# to a breakpoint in S (ktrap) and on to one in M (the SBI handler), reverse-finish in M.
break main
continue
next
next
info line *$pc
reverse-step
bt 1
reverse-step
bt 1
reverse-finish
info line *$pc
next
break ktrap
reverse-continue
info registers priv
bt 1
delete
break sbi_console_putchar
reverse-continue
info registers priv
bt 1
reverse-finish
info registers priv
delete
monitor when
continue
