/* mmio — the interface every memory-mapped device implements.
 * Offsets are relative to the device's base; the bus has already checked that
 * [offset, offset+size) lies inside the device's window, so a device only has to check
 * which register it is and whether it accepts that access size. */
#ifndef STRATA_MACHINE_MMIO_H
#define STRATA_MACHINE_MMIO_H

#include <stddef.h>
#include <stdint.h>

/* The most harts a board has; the interrupt controllers size their per-hart state by it. */
#define MACHINE_MAX_HARTS 8

struct mmio_ops {
	/* Read size (1, 2, 4, 8) bytes at offset into *val; 0, or -1 for an access fault. */
	int (*read)(void *opaque, uint64_t offset, unsigned size, uint64_t *val);
	/* Write size bytes of val at offset; 0, or -1 for an access fault. */
	int (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t val);
	/* Register name at offset for device traces ("THR", "mtimecmp1"), or NULL if unknown. */
	const char *(*reg_name)(void *opaque, uint64_t offset);
	/* Snapshots (src/replay): the device's state as one block of bytes, restored by copying
	 * it back together with the harts' (interrupt lines included); NULL: no state. */
	void *(*state)(void *opaque, size_t *size);
};

#endif
