#include "machine/bootrom.h"

#include <errno.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put32w(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

int bootrom_build(uint8_t *rom, size_t rom_size, uint64_t start, uint64_t fdt_addr,
		  uint64_t next_addr, unsigned xlen)
{
	static const uint32_t code[6] = {
	    0x00000297, /* 1: auipc t0, %pcrel_hi(fw_dyn) */
	    0x02828613, /*    addi  a2, t0, %pcrel_lo(1b)   (= reset_vec + 0x28) */
	    0xf1402573, /*    csrr  a0, mhartid */
	    0x0202b583, /*    ld    a1, 32(t0)              (fdt_laddr) */
	    0x0182b283, /*    ld    t0, 24(t0)              (start) */
	    0x00028067, /*    jr    t0 */
	};
	uint8_t *info = rom + BOOTROM_INFO_OFFSET;

	if (rom_size < BOOTROM_SIZE)
		return -ENOSPC;
	/* RV32 (QEMU's riscv32 ROM): lw instead of ld, and fw_dynamic_info of 32-bit longs */
	const unsigned w = xlen == 32 ? 4 : 8;
	void (*put)(uint8_t *, uint64_t) = xlen == 32 ? put32w : put64;

	for (int i = 0; i < 6; i++)
		put32(rom + 4 * i, xlen == 32 && (i == 3 || i == 4) ? code[i] & ~0x1000u : code[i]);
	put64(rom + 24, start);
	put64(rom + 32, fdt_addr);
	/* struct fw_dynamic_info: magic, version, next_addr, next_mode, options, boot_hart. */
	put(info + 0 * w, BOOTROM_FW_DYNAMIC_MAGIC);
	put(info + 1 * w, BOOTROM_FW_DYNAMIC_VERSION);
	put(info + 2 * w, next_addr);
	put(info + 3 * w, BOOTROM_NEXT_MODE_S);
	put(info + 4 * w, 0);
	put(info + 5 * w, 0);
	memset(rom + BOOTROM_INFO_OFFSET + 6 * w, 0, rom_size - BOOTROM_INFO_OFFSET - 6 * w);
	return 0;
}
