# the same -march as riscv32-nemu, so both builds run the same code
include $(AM_HOME)/scripts/isa/riscv.mk
include $(AM_HOME)/scripts/platform/virt.mk
COMMON_CFLAGS += -march=rv32im_zicsr -mabi=ilp32   # overwrite
LDFLAGS       += -melf32lriscv                     # overwrite
