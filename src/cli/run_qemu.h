/* run_qemu — QEMU options `strata run` accepts so that a qemu-system-riscv64 command line
 * (xv6's, for one) runs unchanged: -machine/-M virt (or nemu: docs/NEMU.md), -nographic,
 * -global virtio-mmio.force-legacy=false and -device virtio-blk-device,drive=ID[,bus=...]. */
#ifndef STRATA_CLI_RUN_QEMU_H
#define STRATA_CLI_RUN_QEMU_H

#include "machine/machine.h"

struct run_qemu {
	const char *drive_id[VIRT_VIRTIO_COUNT]; /* id= of the n-th -drive, or NULL */
	char *device[VIRT_VIRTIO_COUNT];	 /* the -device arguments, parsed in place */
	unsigned ndevices;
	enum machine_board board; /* -machine virt (default) or nemu */
};

/* If argv[*i] is one of these options, take it (and its argument: *i moves on) and return 1;
 * 0 if it is not; -EINVAL with err_set for a value strata does not emulate. */
int run_qemu_parse(struct run_qemu *q, int argc, char **argv, int *i);
/* Put each -drive a -device names on the virtio-mmio slot of its bus= (virtio-mmio-bus.N is
 * slot N, 0x10001000 + N*0x1000, as on QEMU virt); the other drives fill the lowest free
 * slots in order. 0, or -EINVAL with err_set. */
int run_qemu_bind(struct run_qemu *q, struct machine_config *cfg);

#endif
