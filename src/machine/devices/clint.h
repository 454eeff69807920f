/* clint — the SiFive CLINT: per-hart software interrupt (msip), timer compare (mtimecmp) and
 * the shared mtime counter. Time itself belongs to the machine (it may follow retired
 * instructions or the host clock), so the CLINT asks its host for mtime. */
#ifndef STRATA_MACHINE_DEVICES_CLINT_H
#define STRATA_MACHINE_DEVICES_CLINT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/mmio.h"

#define CLINT_MSIP_BASE	    0x0
#define CLINT_MTIMECMP_BASE 0x4000
#define CLINT_MTIME	    0xbff8
#define CLINT_MAX_HARTS	    MACHINE_MAX_HARTS

struct clint;

struct clint_host {
	void *ctx;
	uint64_t (*get_mtime)(void *ctx);
	void (*set_mtime)(void *ctx, uint64_t mtime);
	/* Drive MSIP or MTIP (cpu.h MIP_* bit) of one hart. */
	void (*set_irq)(void *ctx, unsigned hart, uint64_t mip_bit, bool level);
	/* mtimecmp or mtime was written: the next deadline may have moved. May be NULL. */
	void (*timer_changed)(void *ctx);
};

extern const struct mmio_ops clint_ops;

/* A CLINT for nharts (1..CLINT_MAX_HARTS) harts; NULL + errno on failure. host is copied. */
struct clint *clint_new(unsigned nharts, const struct clint_host *host);
void clint_free(struct clint *c);
/* Raise or lower MTIP on every hart according to mtime >= mtimecmp. */
void clint_update_timers(struct clint *c, uint64_t mtime);
/* Earliest mtimecmp strictly after mtime among harts whose timer was programmed,
 * or UINT64_MAX if none. */
uint64_t clint_next_deadline(const struct clint *c, uint64_t mtime);
uint64_t clint_mtimecmp(const struct clint *c, unsigned hart);

#endif
