# Linux 6.1 under Debian's OpenSBI: vmlinux (S) and the init program (U) as symbol files.
break do_execveat_common
continue
info registers priv
bt 1
delete
break main
continue
info registers priv
bt 1
monitor break-on syscall
continue
info registers priv
p $a7
monitor break-on off
delete
kill
