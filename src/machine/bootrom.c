#include "machine/bootrom.h"

#include <errno.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

int bootrom_build(uint8_t *rom, size_t rom_size, uint64_t start, uint64_t fdt_addr,
		  uint64_t next_addr)
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
	for (int i = 0; i < 6; i++)
		put32(rom + 4 * i, code[i]);
	put64(rom + 24, start);
	put64(rom + 32, fdt_addr);
	/* struct fw_dynamic_info: magic, version, next_addr, next_mode, options, boot_hart. */
	put64(info + 0, BOOTROM_FW_DYNAMIC_MAGIC);
	put64(info + 8, BOOTROM_FW_DYNAMIC_VERSION);
	put64(info + 16, next_addr);
	put64(info + 24, BOOTROM_NEXT_MODE_S);
	put64(info + 32, 0);
	put64(info + 40, 0);
	memset(rom + BOOTROM_SIZE, 0, rom_size - BOOTROM_SIZE);
	return 0;
}
