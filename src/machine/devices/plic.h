/* plic — the platform-level interrupt controller, laid out as QEMU virt's SiFive PLIC:
 * sources 1..PLIC_NSRC, two contexts per hart (2h = M mode -> MEIP, 2h+1 = S mode -> SEIP),
 * inputs pended each time their device signals (as QEMU), with claim/complete. */
#ifndef STRATA_MACHINE_DEVICES_PLIC_H
#define STRATA_MACHINE_DEVICES_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/mmio.h"

#define PLIC_NSRC	    96 /* "riscv,ndev" */
#define PLIC_PRIO_MASK	    7u /* 3 priority bits, as QEMU virt */
#define PLIC_PENDING_BASE   0x1000
#define PLIC_ENABLE_BASE    0x2000
#define PLIC_ENABLE_STRIDE  0x80
#define PLIC_CONTEXT_BASE   0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_MAX_HARTS	    8

struct plic;

struct plic_host {
	void *ctx;
	/* Drive MEIP or SEIP (cpu.h MIP_* bit) of one hart. */
	void (*set_irq)(void *ctx, unsigned hart, uint64_t mip_bit, bool level);
};

extern const struct mmio_ops plic_ops;

/* A PLIC for nharts (1..PLIC_MAX_HARTS) harts; NULL + errno on failure. host is copied. */
struct plic *plic_new(unsigned nharts, const struct plic_host *host);
void plic_free(struct plic *p);
/* The device behind source src (1..PLIC_NSRC; others are ignored) signals its line: high
 * pends the source (again, even if the line was high already), low withdraws it. */
void plic_set_irq(struct plic *p, unsigned src, bool level);

#endif
