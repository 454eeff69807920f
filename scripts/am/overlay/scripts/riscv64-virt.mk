include $(AM_HOME)/scripts/isa/riscv.mk
include $(AM_HOME)/scripts/platform/virt.mk
