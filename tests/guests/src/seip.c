/* seip — mip.SEIP is the OR of a software bit and the PLIC's S-mode line. Reads see both, but
 * CSRRS/CSRRC on mip modify only the software bit: a read-modify-write while the line is high
 * must not latch it (privileged spec 3.1.9). The line comes from the UART's THR-empty interrupt
 * (PLIC source 10) enabled for hart 0's S context. */
#include "guest.h"

const char guest_name[] = "seip";

#define PLIC_BASE	0x0c000000ul
#define PLIC_PRIORITY(s) (PLIC_BASE + 4 * (s))
#define PLIC_ENABLE_S0	(PLIC_BASE + 0x2000 + 0x80 * 1) /* context 1 = hart 0, S mode */
#define PLIC_THRESH_S0	(PLIC_BASE + 0x200000 + 0x1000 * 1)
#define UART_IER	(UART_BASE + 1)
#define UART_IRQ	10
#define MIP_SEIP	(1ul << 9)
#define MIP_STIP	(1ul << 5)

static void uart_thre_irq(int on)
{
	*(volatile uint8_t *)UART_IER = on ? 0x02 : 0x00;
}

int main(void)
{
	*(volatile uint32_t *)PLIC_PRIORITY(UART_IRQ) = 1;
	*(volatile uint32_t *)PLIC_THRESH_S0 = 0;
	*(volatile uint32_t *)PLIC_ENABLE_S0 = 1u << UART_IRQ;
	check("line low: SEIP clear", csr_read(mip) & MIP_SEIP, 0);
	uart_thre_irq(1);
	check("UART THRE interrupt enabled: SEIP reads 1", (csr_read(mip) & MIP_SEIP) != 0, 1);
	csr_set(mip, MIP_STIP); /* read-modify-write while the line is high */
	check("csrs mip, STIP: STIP set", (csr_read(mip) & MIP_STIP) != 0, 1);
	uart_thre_irq(0);
	check("line low again: SEIP clear (not latched by csrs)", csr_read(mip) & MIP_SEIP, 0);
	csr_clear(mip, MIP_STIP);
	csr_set(mip, MIP_SEIP);
	check("software SEIP: reads 1", (csr_read(mip) & MIP_SEIP) != 0, 1);
	uart_thre_irq(1);
	uart_thre_irq(0);
	check("software SEIP survives the line going up and down", (csr_read(mip) & MIP_SEIP) != 0, 1);
	csr_clear(mip, MIP_SEIP);
	check("csrc mip, SEIP: clear", csr_read(mip) & MIP_SEIP, 0);
	*(volatile uint32_t *)PLIC_ENABLE_S0 = 0;
	return check_failures;
}
