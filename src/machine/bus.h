/* bus — the physical address map: RAM, the read-only boot ROM and MMIO windows.
 * Kept apart from machine.c so that devices, the loader and their tests need no CPU. */
#ifndef STRATA_MACHINE_BUS_H
#define STRATA_MACHINE_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/mmio.h"

struct bus;

/* What kind of thing lives at an address (see bus_find). */
enum bus_kind { BUS_NONE, BUS_RAM, BUS_ROM, BUS_MMIO };

/* A bus with ram_size bytes of zeroed RAM at ram_base and rom_size bytes of zeroed ROM at
 * rom_base. NULL + errno on failure. */
struct bus *bus_new(uint64_t ram_base, uint64_t ram_size, uint64_t rom_base, uint64_t rom_size);
void bus_free(struct bus *b);
/* Map a device window [base, base+size); -EEXIST if it overlaps RAM, ROM or another window,
 * -ENOSPC if the table is full. ops and opaque must outlive the bus. */
int bus_add_mmio(struct bus *b, uint64_t base, uint64_t size, const char *name,
		 const struct mmio_ops *ops, void *opaque);

/* Host pointer for RAM [paddr, paddr+len), or NULL unless that range is entirely RAM. */
uint8_t *bus_ram_ptr(struct bus *b, uint64_t paddr, uint64_t len);
/* Host pointer to the ROM's bytes (for building it; guests cannot write it). */
uint8_t *bus_rom(struct bus *b, uint64_t *base, uint64_t *size);
uint64_t bus_ram_base(const struct bus *b);
uint64_t bus_ram_size(const struct bus *b);

/* Read/write 1, 2, 4 or 8 bytes; 0, or -1 for an access fault (hole, ROM write, a device's
 * refusal, or an access straddling two regions). */
int bus_read(struct bus *b, uint64_t paddr, unsigned size, uint64_t *val);
int bus_write(struct bus *b, uint64_t paddr, unsigned size, uint64_t val);

/* What overlaps [paddr, paddr+len): the first region found, its name (for messages) and kind. */
enum bus_kind bus_find(const struct bus *b, uint64_t paddr, uint64_t len, const char **name);
/* Name of the register at paddr ("uart0.THR") written into buf, or NULL if not MMIO. */
/* A trace DEVS line for the device at paddr: "0xBASE 0xSIZE NAME [0xOFF:REG]" (the register
 * part when the device names it). 0, or -ENOENT if no device is there. */
/* Snapshots: the state block of the i-th MMIO device (mmio_ops.state) and its size, or NULL
 * (stateless, or i past the last device). */
void *bus_state(struct bus *b, unsigned i, size_t *size);
unsigned bus_nmmio(const struct bus *b);
int bus_describe(const struct bus *b, uint64_t paddr, char *buf, size_t bufsz);
const char *bus_reg_name(const struct bus *b, uint64_t paddr, char *buf, size_t bufsz);

#endif
