/* htif — the Berkeley host-target interface used by riscv-tests and many bare-metal programs:
 * two RAM words, tohost and fromhost, found by symbol in the loaded ELF. Not a bus device: the
 * machine watches the page holding tohost and calls htif_tohost_written after stores to it. */
#ifndef STRATA_MACHINE_DEVICES_HTIF_H
#define STRATA_MACHINE_DEVICES_HTIF_H

#include <stdbool.h>
#include <stdint.h>

struct htif;

struct htif_host {
	void *ctx;
	/* Guest RAM [paddr, paddr+len) as a host pointer, or NULL if not all RAM. */
	uint8_t *(*ram)(void *ctx, uint64_t paddr, uint64_t len);
	/* The host changed RAM [paddr, paddr+len) (fromhost, syscall results). */
	void (*ram_written)(void *ctx, uint64_t paddr, uint64_t len);
	void (*putc)(void *ctx, uint8_t byte);
	void (*stop)(void *ctx, int code);
};

/* HTIF with tohost/fromhost at those guest addresses (fromhost 0 = none). NULL + errno. */
struct htif *htif_new(uint64_t tohost, uint64_t fromhost, const struct htif_host *host);
void htif_free(struct htif *h);
uint64_t htif_tohost_addr(const struct htif *h);
/* The guest stored to [paddr, paddr+len); handle a command if it touched tohost. */
void htif_store(struct htif *h, uint64_t paddr, uint64_t len);

#endif
