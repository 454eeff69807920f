# Two user programs linked at the same address, each in its own address space: strata lists
# the one whose code the current satp maps, and tells GDB (a library stop) when satp changes.
set breakpoint pending on
info sharedlibrary
break main
break triangle
continue
bt 1
info sharedlibrary
delete 1
continue
bt
info sharedlibrary
delete
continue
