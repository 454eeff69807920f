/* uart — an NS16550A UART (as QEMU virt's serial@10000000): byte-wide registers, 16-byte
 * RX FIFO, instant transmission. The host side (terminal, files) is behind uart_host so the
 * device can be tested without a terminal. */
#ifndef STRATA_MACHINE_DEVICES_UART_H
#define STRATA_MACHINE_DEVICES_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/mmio.h"

#define UART_FIFO_SIZE 16

struct uart;

struct uart_host {
	void *ctx;
	/* A byte the guest transmitted. */
	void (*tx)(void *ctx, uint8_t byte);
	/* The interrupt line to the PLIC (level). */
	void (*set_irq)(void *ctx, bool level);
	/* The guest cleared the RX FIFO while these host bytes were unread: give them back so
	 * input typed (or piped) ahead of the guest's UART setup is not lost. May be NULL. */
	void (*rx_requeue)(void *ctx, const uint8_t *bytes, unsigned n);
};

extern const struct mmio_ops uart_ops;

/* A UART in its reset state; NULL + errno on failure. host is copied. */
struct uart *uart_new(const struct uart_host *host);
void uart_free(struct uart *u);
/* Free space in the RX FIFO, in bytes. */
unsigned uart_rx_room(const struct uart *u);
/* Receive byte from the host side; -1 if the FIFO is full (the byte is dropped, overrun). */
int uart_rx_push(struct uart *u, uint8_t byte);

#endif
