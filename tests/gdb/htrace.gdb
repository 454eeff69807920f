# Xvisor (vmm.elf, symbols @hs) and its basic guest (firmware.elf @vs): e2e/htrace.sh
# stop where the hypervisor enters the guest; the guest's file joins the library list
monitor break-on vmentry
continue
printf "entry priv %d\n", $priv
monitor break-on off
info sharedlibrary
# in the guest kernel (VS): its main, by name
break basic_main if $priv == 5
continue
printf "guest priv %d\n", $priv
bt 1
delete
# in the hypervisor (HS) handling the guest's page fault
break cpu_vcpu_page_fault
continue
printf "hypervisor priv %d\n", $priv
bt 3
delete
# at the next guest exit
monitor break-on vmexit
continue
printf "exit priv %d\n", $priv
monitor break-on off
# the guest's memory by guest physical address (through hgatp)
monitor gpa on
x/2wx 0x80000000
monitor gpa off
kill
