# strata's own AM platform (not upstream): QEMU's `virt` board booted with `-bios none`, so one
# program runs unchanged on qemu-system-riscv32/64 -M virt and on strata's virt board: ns16550
# UART at 0x10000000, CLINT mtime (10 MHz) for the timer, sifive_test at 0x100000 to end.
AM_SRCS := riscv/virt/start.S \
           riscv/virt/trm.c \
           riscv/virt/ioe.c \
           platform/dummy/cte.c \
           platform/dummy/vme.c \
           platform/dummy/mpe.c

CFLAGS    += -fdata-sections -ffunction-sections
LDSCRIPTS += $(AM_HOME)/am/src/riscv/virt/linker.ld
LDFLAGS   += --gc-sections -e _start

# like spike, mainargs are compiled in: there is no loader to pass them
CFLAGS += -DMAINARGS=\"$(mainargs)\"
.PHONY: $(AM_HOME)/am/src/riscv/virt/trm.c

image: image-dep
