#include "machine/devices/uart.h"

#include <string.h>

#include "machine/test_util.h"

static char out[64];
static unsigned nout;
static bool irq;
static unsigned signals, raises; /* set_irq calls, and those with the line high */
static uint8_t requeued[UART_FIFO_SIZE];
static unsigned nrequeued;

static void tx(void *ctx, uint8_t b)
{
	if (nout < sizeof(out))
		out[nout++] = (char)b;
}
static void set_irq(void *ctx, bool level)
{
	irq = level;
	signals++;
	raises += level;
}
static void requeue(void *ctx, const uint8_t *b, unsigned n)
{
	memcpy(requeued, b, n);
	nrequeued = n;
}

static const struct uart_host host = {NULL, tx, set_irq, requeue};

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };

static uint8_t rd(struct uart *u, unsigned reg)
{
	uint64_t v = 0xdead;

	uart_ops.read(u, reg, 1, &v);
	return (uint8_t)v;
}
static void wr(struct uart *u, unsigned reg, uint8_t v)
{
	uart_ops.write(u, reg, 1, v);
}

static struct uart *fresh(void)
{
	nout = 0;
	irq = false;
	nrequeued = 0;
	return uart_new(&host);
}

static int thr_lsr(void)
{
	struct uart *u = fresh();
	uint64_t v;

	CHECK((rd(u, LSR) & 0x61) == 0x60, "idle LSR: THRE|TEMT, no DR: %#x", rd(u, LSR));
	wr(u, RBR, 'h');
	wr(u, RBR, 'i');
	CHECK(nout == 2 && !memcmp(out, "hi", 2), "THR writes reach the host");
	CHECK(rd(u, IIR) == 0x01, "no interrupt pending without IER");
	CHECK(!irq, "irq low");
	CHECK(uart_ops.read(u, LSR, 4, &v) < 0, "4-byte access faults");
	CHECK(rd(u, MSR) == 0xb0, "MSR: DCD|DSR|CTS");
	wr(u, SCR, 0x5a);
	CHECK(rd(u, SCR) == 0x5a, "scratch register");
	uart_free(u);
	return 0;
}

static int dlab(void)
{
	struct uart *u = fresh();

	wr(u, LCR, 0x83);
	wr(u, RBR, 0x01);
	wr(u, IER, 0x02);
	CHECK(nout == 0, "DLL write is not transmitted");
	CHECK(rd(u, RBR) == 0x01 && rd(u, IER) == 0x02, "DLL/DLM readback");
	CHECK(!strcmp(uart_ops.reg_name(u, 0), "DLL"), "reg name under DLAB");
	wr(u, LCR, 0x03);
	CHECK(rd(u, IER) == 0, "IER unaffected by DLM write");
	CHECK(rd(u, LCR) == 0x03, "LCR readback");
	CHECK(!strcmp(uart_ops.reg_name(u, 0), "RBR/THR"), "reg name without DLAB");
	uart_free(u);
	return 0;
}

static int rx_fifo(void)
{
	struct uart *u = fresh();

	wr(u, IIR, 0x01); /* FIFO on */
	wr(u, IER, 0x01); /* RDA interrupt */
	CHECK(!irq, "nothing received yet");
	CHECK(uart_rx_push(u, 'a') == 0 && uart_rx_push(u, 'b') == 0, "push");
	CHECK(irq, "RDA raises the line");
	CHECK(rd(u, IIR) == 0xc4, "IIR = FIFO|RDA, got %#x", rd(u, IIR));
	CHECK(rd(u, LSR) & 0x01, "DR set");
	CHECK(rd(u, RBR) == 'a' && rd(u, RBR) == 'b', "FIFO order");
	CHECK(!irq && !(rd(u, LSR) & 1), "drained: irq low, DR clear");
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++)
		uart_rx_push(u, (uint8_t)i);
	CHECK(uart_rx_room(u) == 0, "full");
	CHECK(uart_rx_push(u, 0xff) < 0, "overrun reported");
	CHECK(rd(u, LSR) & 0x02, "OE set");
	CHECK(!(rd(u, LSR) & 0x02), "OE clears on read");
	wr(u, IIR, 0x03); /* clear RX FIFO */
	CHECK(uart_rx_room(u) == UART_FIFO_SIZE && nrequeued == UART_FIFO_SIZE &&
		  requeued[0] == 0 && requeued[15] == 15,
	      "FIFO clear hands %u unread bytes back in order", nrequeued);
	uart_free(u);
	return 0;
}

static int thre_irq(void)
{
	struct uart *u = fresh();

	wr(u, IER, 0x02);
	CHECK(irq, "enabling THRI with THR empty raises THRE at once");
	CHECK((rd(u, IIR) & 0x0f) == 0x02, "IIR reports THRE");
	CHECK(!irq && rd(u, IIR) == 0x01, "reading IIR acknowledges THRE");
	wr(u, RBR, 'x');
	CHECK(irq, "THR empty again after the (instant) transmission");
	wr(u, IER, 0x00);
	CHECK(!irq, "disabling THRI lowers the line");
	uart_free(u);
	return 0;
}

/* The line is signalled where QEMU 7.2's serial.c signals it, and nowhere else: a PLIC that
 * pends on each signal then sees one request per byte sent, however long THRE stays set. */
static int signal_points(void)
{
	struct uart *u = fresh();
	unsigned s0, r0;

	wr(u, IIR, 0x07); /* xv6's uartinit: FIFO on, both cleared */
	wr(u, IER, 0x03); /* RX and TX interrupts */
	CHECK(irq, "THRI enabled with THR empty");
	s0 = signals;
	r0 = raises;
	rd(u, LSR);
	rd(u, LSR);
	rd(u, IER);
	wr(u, LCR, 0x03);
	wr(u, IER, 0x03); /* unchanged */
	CHECK(signals == s0, "LSR/IER reads, LCR and unchanged IER writes do not signal (%u)",
	      signals - s0);
	wr(u, RBR, 'a');
	CHECK(irq && raises == r0 + 1, "a byte sent pends one request (%u)", raises - r0);
	r0 = raises;
	CHECK(uart_rx_push(u, 'x') == 0 && raises == r0 + 1, "a byte received signals");
	CHECK(rd(u, RBR) == 'x' && irq && raises == r0 + 2,
	      "reading RBR signals (still THRE) like QEMU");
	CHECK((rd(u, IIR) & 0x0f) == 0x02 && !irq, "IIR read acknowledges THRE and lowers");
	uart_free(u);
	return 0;
}

static int loopback(void)
{
	struct uart *u = fresh();

	wr(u, MCR, 0x10 | 0x0f);
	CHECK((rd(u, MSR) & 0xf0) == 0xf0, "loopback MSR mirrors MCR: %#x", rd(u, MSR));
	wr(u, RBR, 'z');
	CHECK(nout == 0, "loopback does not transmit");
	CHECK(rd(u, RBR) == 'z', "loopback receives its own byte");
	uart_free(u);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(thr_lsr);
	fails += RUN(dlab);
	fails += RUN(rx_fifo);
	fails += RUN(thre_irq);
	fails += RUN(signal_points);
	fails += RUN(loopback);
	return fails != 0;
}
