/* fw.c — a minimal M-mode SBI: legacy console_putchar (eid 1) and legacy shutdown (eid 8),
 * everything else SBI_ERR_NOT_SUPPORTED. */
#include <stdint.h>

#define UART0	 ((volatile uint8_t *)0x10000000)
#define FINISHER ((volatile uint32_t *)0x100000)

struct regs {
	uint64_t x[32];
};

static unsigned long ecalls; /* SBI calls served */

void fw_putchar(char c)
{
	while (!(UART0[5] & 0x20)) /* LSR.THRE */
		;
	UART0[0] = (uint8_t)c;
}

static void fw_puts(const char *s)
{
	while (*s)
		fw_putchar(*s++);
}

void fw_main(void)
{
	fw_puts("fw: starting the kernel in S mode\n");
}

static __attribute__((noinline)) long sbi_console_putchar(long c)
{
	fw_putchar((char)c);
	return 0;
}

static __attribute__((noreturn)) void sbi_shutdown(void)
{
	*FINISHER = 0x5555;
	for (;;)
		;
}

/* The SBI call in regs (a7 = eid, a0.. = arguments); the result goes to a0. */
__attribute__((noinline)) void sbi_handle(struct regs *r)
{
	ecalls++;
	switch (r->x[17]) {
	case 1:
		r->x[10] = sbi_console_putchar((long)r->x[10]);
		break;
	case 8:
		sbi_shutdown();
	default:
		r->x[10] = (uint64_t)-2;
	}
}

void fw_trap(struct regs *r)
{
	uint64_t cause, epc;

	__asm__ volatile("csrr %0, mcause" : "=r"(cause));
	__asm__ volatile("csrr %0, mepc" : "=r"(epc));
	if (cause == 9) { /* ecall from S */
		sbi_handle(r);
		__asm__ volatile("csrw mepc, %0" ::"r"(epc + 4));
		return;
	}
	fw_puts("fw: unexpected trap\n");
	*FINISHER = (1 << 16) | 0x3333;
	for (;;)
		;
}
