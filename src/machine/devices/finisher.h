/* finisher — QEMU's sifive_test device at 0x100000: the guest writes 0x5555 (pass),
 * 0x3333 | code << 16 (fail with code) or 0x7777 (reset) to offset 0. */
#ifndef STRATA_MACHINE_DEVICES_FINISHER_H
#define STRATA_MACHINE_DEVICES_FINISHER_H

#include <stdint.h>

#include "machine/mmio.h"

#define FINISHER_FAIL  0x3333
#define FINISHER_PASS  0x5555
#define FINISHER_RESET 0x7777

struct finisher;

struct finisher_host {
	void *ctx;
	/* The guest asked to power off with this exit code. */
	void (*stop)(void *ctx, int code);
	/* The guest asked for a reset. */
	void (*reset)(void *ctx);
};

extern const struct mmio_ops finisher_ops;

/* NULL + errno on failure. host is copied. */
struct finisher *finisher_new(const struct finisher_host *host);
void finisher_free(struct finisher *f);

#endif
