#include "machine/bootrom.h"

#include <errno.h>
#include <string.h>

#include "machine/test_util.h"

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int layout(void)
{
	/* Words of QEMU 7.2's riscv_setup_rom_reset_vec for RV64. */
	static const uint32_t want[6] = {0x00000297, 0x02828613, 0xf1402573,
					 0x0202b583, 0x0182b283, 0x00028067};
	uint8_t rom[0x100];

	memset(rom, 0xee, sizeof(rom));
	CHECK(bootrom_build(rom, sizeof(rom), 0x80000000, 0x87e00000, 0x80200000, 64) == 0, "build");
	for (int i = 0; i < 6; i++) {
		uint32_t w = rom[4 * i] | rom[4 * i + 1] << 8 | rom[4 * i + 2] << 16 |
			     (uint32_t)rom[4 * i + 3] << 24;
		CHECK(w == want[i], "word %d = %#x, want %#x", i, w, want[i]);
	}
	CHECK(get64(rom + 24) == 0x80000000, "start dword");
	CHECK(get64(rom + 32) == 0x87e00000, "fdt dword");
	/* addi a2, t0, 40: fw_dynamic_info right after the 10 words. */
	CHECK(BOOTROM_INFO_OFFSET == 40, "info offset");
	CHECK(get64(rom + 40) == 0x4942534f, "magic");
	CHECK(get64(rom + 48) == 2, "version");
	CHECK(get64(rom + 56) == 0x80200000, "next_addr");
	CHECK(get64(rom + 64) == 1, "next_mode S");
	CHECK(get64(rom + 72) == 0 && get64(rom + 80) == 0, "options, boot_hart");
	CHECK(rom[BOOTROM_SIZE] == 0 && rom[sizeof(rom) - 1] == 0, "rest zeroed");
	CHECK(bootrom_build(rom, BOOTROM_SIZE - 1, 0, 0, 0, 64) == -ENOSPC, "too small a ROM");
	return 0;
}

/* QEMU 7.2's RV32 reset vector: lw instead of ld, fw_dynamic_info of 32-bit longs. */
static int layout_rv32(void)
{
	static const uint32_t want[6] = {0x00000297, 0x02828613, 0xf1402573,
					 0x0202a583, 0x0182a283, 0x00028067};
	uint8_t rom[0x100];

	memset(rom, 0xee, sizeof(rom));
	CHECK(bootrom_build(rom, sizeof(rom), 0x80000000, 0x87e00000, 0x80400000, 32) == 0, "build");
	for (int i = 0; i < 6; i++) {
		uint32_t w = rom[4 * i] | rom[4 * i + 1] << 8 | rom[4 * i + 2] << 16 |
			     (uint32_t)rom[4 * i + 3] << 24;
		CHECK(w == want[i], "word %d = %#x, want %#x", i, w, want[i]);
	}
	CHECK(get64(rom + 24) == 0x80000000 && get64(rom + 32) == 0x87e00000, "start, fdt");
	CHECK(get64(rom + 40) == (2ull << 32 | 0x4942534f), "magic, version");
	CHECK(get64(rom + 48) == (1ull << 32 | 0x80400000), "next_addr, next_mode S");
	CHECK(get64(rom + 56) == 0 && rom[sizeof(rom) - 1] == 0, "options, boot_hart, rest zeroed");
	return 0;
}

int main(void)
{
	int fails = RUN(layout);

	fails += RUN(layout_rv32);
	return fails != 0;
}
