/* bootrom — QEMU 7.2's RV64 reset vector and fw_dynamic_info (hw/riscv/boot.c), so firmware
 * built for `qemu-system-riscv64 -M virt` (OpenSBI fw_dynamic, U-Boot SPL) boots unchanged. */
#ifndef STRATA_MACHINE_BOOTROM_H
#define STRATA_MACHINE_BOOTROM_H

#include <stddef.h>
#include <stdint.h>

#define BOOTROM_FW_DYNAMIC_MAGIC   0x4942534full /* "OSBI" */
#define BOOTROM_FW_DYNAMIC_VERSION 2
#define BOOTROM_NEXT_MODE_S	   1
#define BOOTROM_INFO_OFFSET	   0x28 /* fw_dynamic_info follows the 10-word reset vector */
#define BOOTROM_SIZE		   (BOOTROM_INFO_OFFSET + 6 * 8)

/* Write the reset vector into rom (rom_size bytes, at the reset address): it jumps to start
 * with a0 = mhartid, a1 = fdt_addr, a2 = &fw_dynamic_info{next_addr, S mode}.
 * xlen 32 gives QEMU's RV32 ROM (lw, 32-bit fw_dynamic_info fields).
 * 0, or -ENOSPC if rom_size < BOOTROM_SIZE. */
int bootrom_build(uint8_t *rom, size_t rom_size, uint64_t start, uint64_t fdt_addr,
		  uint64_t next_addr, unsigned xlen);

#endif
