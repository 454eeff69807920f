/* fdt — the device tree handed to the guest: generated like QEMU 7.2 virt's, or read from
 * -dtb FILE; /chosen filled in afterwards; written out for --dump-dtb. Prefix fdt_virt_ keeps
 * clear of libfdt's own fdt_ names. */
#ifndef STRATA_MACHINE_FDT_H
#define STRATA_MACHINE_FDT_H

#include "cpu/isa.h"

#include <stdint.h>

#define FDT_VIRT_SIZE	    0x100000 /* totalsize in guest RAM, as QEMU's create_device_tree */
#define FDT_VIRT_MAX_VIRTIO 8

struct fdt_virt_mmio_dev {
	uint64_t base, size;
	unsigned irq; /* PLIC source */
};

struct fdt_virt_desc {
	unsigned nharts;
	isa_t isa; /* the harts' extensions: riscv,isa and friends */
	uint64_t ram_base, ram_size;
	unsigned nvirtio; /* virtio,mmio transports to describe, in virtio[] */
	struct fdt_virt_mmio_dev virtio[FDT_VIRT_MAX_VIRTIO];
};

/* Build the board's tree into a new malloc'd buffer of FDT_VIRT_SIZE bytes (its totalsize,
 * with free space left for later edits). 0 or -errno; *out set on success. */
int fdt_virt_build(const struct fdt_virt_desc *d, void **out);
/* Read and validate a -dtb file into a new malloc'd, editable buffer. 0, or -errno with
 * err_set() naming the file and the problem. */
int fdt_virt_load(const char *path, void **out);
/* Set /chosen's bootargs (if bootargs != NULL) and linux,initrd-start/end (if end > start),
 * creating /chosen if needed. 0 or -errno (err_set on failure). */
int fdt_virt_set_chosen(void *fdt, const char *bootargs, uint64_t initrd_start,
			uint64_t initrd_end);
/* Write fdt, packed, to path. 0, or -errno with err_set(). */
int fdt_virt_save(const void *fdt, const char *path);

#endif
