#include "machine/bus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BUS_MAX_MMIO 32

struct mmio_region {
	uint64_t base, size;
	const char *name;
	const struct mmio_ops *ops;
	void *opaque;
};

struct bus {
	uint64_t ram_base, ram_size;
	uint8_t *ram;
	uint64_t rom_base, rom_size;
	uint8_t *rom;
	unsigned nmmio;
	struct mmio_region mmio[BUS_MAX_MMIO];
};

/* [a, a+alen) within [base, base+size), written so that no sum can overflow. */
static bool range_inside(uint64_t a, uint64_t alen, uint64_t base, uint64_t size)
{
	return a >= base && alen <= size && a - base <= size - alen;
}

static bool range_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (alen == 0 || blen == 0)
		return false;
	/* Compare inclusive ends; alen-1 cannot wrap since alen > 0. */
	uint64_t a_last = a + (alen - 1) < a ? UINT64_MAX : a + (alen - 1);
	uint64_t b_last = b + (blen - 1) < b ? UINT64_MAX : b + (blen - 1);
	return a <= b_last && b <= a_last;
}

struct bus *bus_new(uint64_t ram_base, uint64_t ram_size, uint64_t rom_base, uint64_t rom_size)
{
	struct bus *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->ram_base = ram_base;
	b->ram_size = ram_size;
	b->rom_base = rom_base;
	b->rom_size = rom_size;
	if (ram_size == 0 || ram_size > SIZE_MAX ||
	    range_overlap(ram_base, ram_size, rom_base, rom_size) ||
	    ram_base + ram_size < ram_base) {
		errno = EINVAL;
		goto fail;
	}
	/* mmap: zeroed and only committed when touched, so a large -m costs nothing up front. */
	b->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b->ram == MAP_FAILED) {
		b->ram = NULL;
		goto fail;
	}
	b->rom = calloc(1, rom_size ? rom_size : 1);
	if (!b->rom)
		goto fail;
	return b;
fail:
	bus_free(b);
	return NULL;
}

void bus_free(struct bus *b)
{
	if (!b)
		return;
	if (b->ram)
		munmap(b->ram, b->ram_size);
	free(b->rom);
	free(b);
}

int bus_add_mmio(struct bus *b, uint64_t base, uint64_t size, const char *name,
		 const struct mmio_ops *ops, void *opaque)
{
	if (size == 0 || base + size < base)
		return -EINVAL;
	if (bus_find(b, base, size, NULL) != BUS_NONE)
		return -EEXIST;
	if (b->nmmio == BUS_MAX_MMIO)
		return -ENOSPC;
	b->mmio[b->nmmio++] = (struct mmio_region){base, size, name, ops, opaque};
	return 0;
}

uint8_t *bus_ram_ptr(struct bus *b, uint64_t paddr, uint64_t len)
{
	if (!range_inside(paddr, len, b->ram_base, b->ram_size))
		return NULL;
	return b->ram + (paddr - b->ram_base);
}

uint8_t *bus_rom(struct bus *b, uint64_t *base, uint64_t *size)
{
	*base = b->rom_base;
	*size = b->rom_size;
	return b->rom;
}

uint64_t bus_ram_base(const struct bus *b)
{
	return b->ram_base;
}

uint64_t bus_ram_size(const struct bus *b)
{
	return b->ram_size;
}

static const struct mmio_region *mmio_lookup(const struct bus *b, uint64_t paddr, unsigned size)
{
	for (unsigned i = 0; i < b->nmmio; i++) {
		const struct mmio_region *r = &b->mmio[i];
		if (range_inside(paddr, size, r->base, r->size))
			return r;
	}
	return NULL;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int bus_read(struct bus *b, uint64_t paddr, unsigned size, uint64_t *val)
{
	const struct mmio_region *r;
	uint64_t v = 0;

	if (!size_ok(size))
		return -1;
	if (range_inside(paddr, size, b->ram_base, b->ram_size)) {
		memcpy(&v, b->ram + (paddr - b->ram_base), size); /* host is little-endian */
		*val = v;
		return 0;
	}
	if (range_inside(paddr, size, b->rom_base, b->rom_size)) {
		memcpy(&v, b->rom + (paddr - b->rom_base), size);
		*val = v;
		return 0;
	}
	r = mmio_lookup(b, paddr, size);
	if (!r || !r->ops->read)
		return -1;
	if (r->ops->read(r->opaque, paddr - r->base, size, &v) < 0)
		return -1;
	/* Devices must not leak bits above the access size into the register file. */
	*val = size == 8 ? v : v & ((1ull << (8 * size)) - 1);
	return 0;
}

int bus_write(struct bus *b, uint64_t paddr, unsigned size, uint64_t val)
{
	const struct mmio_region *r;

	if (!size_ok(size))
		return -1;
	if (size < 8)
		val &= (1ull << (8 * size)) - 1;
	if (range_inside(paddr, size, b->ram_base, b->ram_size)) {
		memcpy(b->ram + (paddr - b->ram_base), &val, size);
		return 0;
	}
	r = mmio_lookup(b, paddr, size);
	if (!r || !r->ops->write)
		return -1; /* includes the ROM: it is read-only */
	return r->ops->write(r->opaque, paddr - r->base, size, val) < 0 ? -1 : 0;
}

enum bus_kind bus_find(const struct bus *b, uint64_t paddr, uint64_t len, const char **name)
{
	const char *dummy;

	if (!name)
		name = &dummy;
	if (range_overlap(paddr, len, b->ram_base, b->ram_size)) {
		*name = "RAM";
		return BUS_RAM;
	}
	if (range_overlap(paddr, len, b->rom_base, b->rom_size)) {
		*name = "boot ROM";
		return BUS_ROM;
	}
	for (unsigned i = 0; i < b->nmmio; i++) {
		if (range_overlap(paddr, len, b->mmio[i].base, b->mmio[i].size)) {
			*name = b->mmio[i].name;
			return BUS_MMIO;
		}
	}
	*name = NULL;
	return BUS_NONE;
}

int bus_describe(const struct bus *b, uint64_t paddr, char *buf, size_t bufsz)
{
	const struct mmio_region *r = mmio_lookup(b, paddr, 1);
	const char *reg;

	if (!r)
		return -ENOENT;
	reg = r->ops->reg_name ? r->ops->reg_name(r->opaque, paddr - r->base) : NULL;
	snprintf(buf, bufsz, "0x%llx 0x%llx %s", (unsigned long long)r->base,
		 (unsigned long long)r->size, r->name);
	if (reg && !strpbrk(reg, " ,:"))
		snprintf(buf + strlen(buf), bufsz - strlen(buf), " 0x%llx:%s",
			 (unsigned long long)(paddr - r->base), reg);
	return 0;
}

const char *bus_reg_name(const struct bus *b, uint64_t paddr, char *buf, size_t bufsz)
{
	const struct mmio_region *r = mmio_lookup(b, paddr, 1);
	const char *reg;

	if (!r)
		return NULL;
	reg = r->ops->reg_name ? r->ops->reg_name(r->opaque, paddr - r->base) : NULL;
	if (reg)
		snprintf(buf, bufsz, "%s.%s", r->name, reg);
	else
		snprintf(buf, bufsz, "%s+0x%llx", r->name, (unsigned long long)(paddr - r->base));
	return buf;
}

void *bus_state(struct bus *b, unsigned i, size_t *size)
{
	*size = 0;
	if (i >= b->nmmio || !b->mmio[i].ops->state)
		return NULL;
	return b->mmio[i].ops->state(b->mmio[i].opaque, size);
}

unsigned bus_nmmio(const struct bus *b)
{
	return b->nmmio;
}
