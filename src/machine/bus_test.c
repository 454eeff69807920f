#include "machine/bus.h"

#include <errno.h>
#include <string.h>

#include "machine/test_util.h"

static uint64_t last_off, last_val;
static unsigned last_size;

static int dev_read(void *o, uint64_t off, unsigned size, uint64_t *v)
{
	last_off = off;
	last_size = size;
	*v = 0xffffffffffffffffull; /* bus must mask to the access size */
	return off == 0x10 ? -1 : 0;
}
static int dev_write(void *o, uint64_t off, unsigned size, uint64_t v)
{
	last_off = off;
	last_size = size;
	last_val = v;
	return 0;
}
static const char *dev_name(void *o, uint64_t off)
{
	return off == 4 ? "REG4" : NULL;
}
static const struct mmio_ops ops = {dev_read, dev_write, dev_name, NULL};

static int ram_rom(void)
{
	struct bus *b = bus_new(0x80000000, 1 << 20, 0x1000, 0xf000);
	uint64_t base, size, v;
	uint8_t *rom = bus_rom(b, &base, &size);

	CHECK(b && rom && base == 0x1000 && size == 0xf000, "bus_new");
	rom[0] = 0x13;
	CHECK(bus_read(b, 0x1000, 4, &v) == 0 && v == 0x13, "ROM read");
	CHECK(bus_write(b, 0x1000, 4, 0) < 0, "ROM write faults");
	CHECK(bus_write(b, 0x80000008, 8, 0x1122334455667788ull) == 0, "RAM write");
	CHECK(bus_read(b, 0x8000000c, 2, &v) == 0 && v == 0x3344, "RAM read %#llx",
	      (unsigned long long)v);
	CHECK(bus_write(b, 0x80000000, 2, 0xabcdef) == 0 && *bus_ram_ptr(b, 0x80000002, 1) == 0 &&
		  *bus_ram_ptr(b, 0x80000000, 1) == 0xef,
	      "2-byte write stores 2 bytes");
	CHECK(bus_ram_ptr(b, 0x80000000 + (1 << 20) - 8, 8) != NULL, "last dword");
	CHECK(bus_ram_ptr(b, 0x80000000 + (1 << 20) - 4, 8) == NULL, "straddles RAM end");
	CHECK(bus_ram_ptr(b, 0x7ffffffc, 8) == NULL, "straddles RAM start");
	CHECK(bus_ram_ptr(b, 0x80000010, UINT64_MAX) == NULL, "huge length");
	CHECK(bus_read(b, 0x80000000 + (1 << 20) - 4, 8, &v) < 0, "straddling read faults");
	CHECK(bus_read(b, 0x80000000, 3, &v) < 0, "size 3 faults");
	CHECK(bus_read(b, 0x0, 4, &v) < 0, "hole faults");
	CHECK(bus_read(b, UINT64_MAX - 1, 4, &v) < 0, "top of address space faults");
	bus_free(b);
	return 0;
}

static int mmio(void)
{
	struct bus *b = bus_new(0x80000000, 1 << 20, 0x1000, 0xf000);
	char name[64];
	const char *n;
	uint64_t v;

	CHECK(bus_add_mmio(b, 0x10000000, 0x100, "dev", &ops, NULL) == 0, "add");
	CHECK(bus_add_mmio(b, 0x100000ff, 0x10, "x", &ops, NULL) == -EEXIST, "overlap rejected");
	CHECK(bus_add_mmio(b, 0x80000000 - 8, 0x10, "x", &ops, NULL) == -EEXIST, "RAM overlap");
	CHECK(bus_read(b, 0x10000004, 1, &v) == 0 && v == 0xff && last_off == 4 && last_size == 1,
	      "byte read masked to 0xff: %#llx", (unsigned long long)v);
	CHECK(bus_write(b, 0x10000008, 4, 0x1234567890ull) == 0 && last_val == 0x34567890,
	      "write masked to the size");
	CHECK(bus_read(b, 0x10000010, 4, &v) < 0, "device refusal faults");
	CHECK(bus_read(b, 0x100000fc, 8, &v) < 0, "straddling the window end faults");
	CHECK(bus_find(b, 0x100000f0, 0x100, &n) == BUS_MMIO && !strcmp(n, "dev"), "find");
	CHECK(bus_find(b, 0x20000000, 0x10, &n) == BUS_NONE, "find hole");
	CHECK(bus_reg_name(b, 0x10000004, name, sizeof(name)) && !strcmp(name, "dev.REG4"),
	      "reg name %s", name);
	CHECK(bus_reg_name(b, 0x10000008, name, sizeof(name)) && !strcmp(name, "dev+0x8"),
	      "unnamed reg %s", name);
	CHECK(bus_reg_name(b, 0x20000000, name, sizeof(name)) == NULL, "no device");
	bus_free(b);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(ram_rom);
	fails += RUN(mmio);
	return fails != 0;
}
