#include "machine/devices/uart.h"

#include <stddef.h>
#include <errno.h>
#include <stdlib.h>

/* Register offsets (reg-shift 0) and bits, named as Linux's serial_reg.h. */
enum { REG_RBR_THR_DLL, REG_IER_DLM, REG_IIR_FCR, REG_LCR, REG_MCR, REG_LSR, REG_MSR, REG_SCR };

#define IER_RDI	       0x01
#define IER_THRI       0x02
#define IER_RLSI       0x04
#define IER_MSI	       0x08
#define IIR_NO_INT     0x01
#define IIR_MSI	       0x00
#define IIR_THRI       0x02
#define IIR_RDI	       0x04
#define IIR_RLSI       0x06
#define IIR_FIFO       0xc0
#define FCR_ENABLE     0x01
#define FCR_CLEAR_RCVR 0x02
#define FCR_CLEAR_XMIT 0x04
#define LCR_DLAB       0x80
#define MCR_LOOP       0x10
#define LSR_DR	       0x01
#define LSR_OE	       0x02
#define LSR_THRE       0x20
#define LSR_TEMT       0x40
#define MSR_DEFAULT    0xb0 /* DCD | DSR | CTS: a cable with a ready terminal, as QEMU */

struct uart {
	struct uart_host host;
	uint8_t ier, lcr, mcr, lsr_err, scr, dll, dlm, fcr;
	bool thr_ipending; /* THR-empty interrupt armed until IIR read or THR write */
	uint8_t fifo[UART_FIFO_SIZE];
	unsigned head, count;
};

struct uart *uart_new(const struct uart_host *host)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->host = *host;
	u->dll = 12; /* 9600 baud at 1.8432 MHz, a common reset value */
	return u;
}

void uart_free(struct uart *u)
{
	free(u);
}

static uint8_t lsr(const struct uart *u)
{
	/* Transmission is instant, so THR and the shift register are always empty. */
	return (u->count ? LSR_DR : 0) | u->lsr_err | LSR_THRE | LSR_TEMT;
}

static uint8_t iir_id(const struct uart *u)
{
	if ((u->ier & IER_RLSI) && u->lsr_err)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* Signal the line at exactly the points QEMU 7.2's serial.c calls serial_update_irq, and
 * only there: its PLIC pends the source on each signal and a claim consumes it, so a guest
 * that never reads IIR (xv6) gets one interrupt per event, not a storm. */
static void update_irq(struct uart *u)
{
	u->host.set_irq(u->host.ctx, iir_id(u) != IIR_NO_INT);
}

unsigned uart_rx_room(const struct uart *u)
{
	return UART_FIFO_SIZE - u->count;
}

int uart_rx_push(struct uart *u, uint8_t byte)
{
	if (u->count == UART_FIFO_SIZE) {
		u->lsr_err |= LSR_OE;
		update_irq(u);
		return -1;
	}
	u->fifo[(u->head + u->count) % UART_FIFO_SIZE] = byte;
	u->count++;
	update_irq(u);
	return 0;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t b;

	if (!u->count)
		return 0;
	b = u->fifo[u->head];
	u->head = (u->head + 1) % UART_FIFO_SIZE;
	u->count--;
	return b;
}

static uint8_t msr(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(u->mcr & MCR_LOOP))
		return MSR_DEFAULT;
	/* Loopback wires OUT2->DCD, OUT1->RI, RTS->CTS, DTR->DSR (Linux's autoconfig checks it). */
	return (uint8_t)((m & 0x0c) << 4 | (m & 0x02) << 3 | (m & 0x01) << 5);
}

static int uart_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct uart *u = opaque;
	uint8_t v = 0;

	if (size != 1)
		return -1;
	switch (offset) {
	case REG_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			v = u->dll;
		} else {
			v = rx_pop(u);
			update_irq(u);
		}
		break;
	case REG_IER_DLM:
		v = u->lcr & LCR_DLAB ? u->dlm : u->ier;
		break;
	case REG_IIR_FCR:
		v = iir_id(u);
		if (v == IIR_THRI) {
			u->thr_ipending = false; /* reading IIR acknowledges THRE */
			update_irq(u);
		}
		if (u->fcr & FCR_ENABLE)
			v |= IIR_FIFO;
		break;
	case REG_LCR:
		v = u->lcr;
		break;
	case REG_MCR:
		v = u->mcr;
		break;
	case REG_LSR:
		v = lsr(u);
		if (u->lsr_err) {
			u->lsr_err = 0; /* error bits clear on read */
			update_irq(u);
		}
		break;
	case REG_MSR:
		v = msr(u);
		break;
	case REG_SCR:
		v = u->scr;
		break;
	default:
		break; /* rest of the 0x100 window reads as zero */
	}
	*val = v;
	return 0;
}

/* A THR write: THR fills (the THRE condition goes), then the byte leaves at once and THR is
 * empty again, itself an interrupt condition: two signals, as QEMU's THR write and
 * serial_xmit give, so each byte sent pends one interrupt. */
static void transmit(struct uart *u, uint8_t byte)
{
	u->thr_ipending = false;
	update_irq(u);
	u->thr_ipending = true;
	update_irq(u);
	if (u->mcr & MCR_LOOP)
		uart_rx_push(u, byte);
	else
		u->host.tx(u->host.ctx, byte);
}

static void clear_rx(struct uart *u)
{
	uint8_t unread[UART_FIFO_SIZE];
	unsigned n = 0;

	while (u->count)
		unread[n++] = rx_pop(u);
	u->head = 0;
	if (n && u->host.rx_requeue)
		u->host.rx_requeue(u->host.ctx, unread, n);
}

static int uart_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct uart *u = opaque;
	uint8_t v = (uint8_t)val, changed;

	if (size != 1)
		return -1;
	switch (offset) {
	case REG_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			transmit(u, v);
		break;
	case REG_IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		changed = (u->ier ^ v) & 0x0f;
		u->ier = v & 0x0f;
		/* Turning THRI on with THR empty raises THRE at once (8250 drivers rely on it);
		 * turning it off forgets it, as QEMU. */
		if (changed & IER_THRI)
			u->thr_ipending = u->ier & IER_THRI;
		if (changed)
			update_irq(u);
		break;
	case REG_IIR_FCR:
		/* Toggling the enable bit clears both FIFOs, as QEMU. */
		if ((v ^ u->fcr) & FCR_ENABLE)
			v |= FCR_CLEAR_RCVR | FCR_CLEAR_XMIT;
		if (v & FCR_CLEAR_RCVR)
			clear_rx(u);
		if (v & FCR_CLEAR_XMIT)
			u->thr_ipending = true; /* the (always empty) transmit FIFO is reset */
		u->fcr = v & 0xc9; /* enable, DMA mode, trigger level; clear bits self-clear */
		update_irq(u);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & 0x1f;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default:
		break; /* LSR, MSR and the rest are read-only */
	}
	return 0;
}

static const char *uart_reg_name(void *opaque, uint64_t offset)
{
	static const char *const names[] = {"RBR/THR", "IER", "IIR/FCR", "LCR",
					    "MCR",     "LSR", "MSR",	 "SCR"};
	struct uart *u = opaque;

	if (offset >= 8)
		return NULL;
	if (u->lcr & LCR_DLAB && offset < 2)
		return offset ? "DLM" : "DLL";
	return names[offset];
}

static void *uart_state(void *opaque, size_t *size)
{
	struct uart *u = opaque;

	*size = sizeof(*u) - offsetof(struct uart, ier);
	return &u->ier;
}

const struct mmio_ops uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .reg_name = uart_reg_name,
    .state = uart_state,
};
