/* payload — the S-mode side of firmware.elf: asks the firmware's SBI for its version and
 * extensions, prints through the legacy console_putchar call (one ecall per character), waits
 * for an S timer interrupt requested with TIME set_timer, and shuts down with SRST. Built with
 * its sections renamed .payload.* so the linker places it at 0x80200000. */
#include <stdint.h>

#include "sbi.h"

#define SIE_STIE      (1ul << 5)
#define SSTATUS_SIE   (1ul << 1)
#define CAUSE_S_TIMER ((1ul << 63) | 5)

void payload_main(void);
void payload_trap(void);
extern char payload_bss_start[], payload_bss_end[];

/* Entry at 0x80200000: own stack, clear bss, trap vector. */
__asm__(".section .text.entry, \"ax\"\n"
	".globl payload_entry\n"
	"payload_entry:\n"
	"	la sp, payload_stack_top\n"
	"	la t0, payload_bss_start\n"
	"	la t1, payload_bss_end\n"
	"1:	bgeu t0, t1, 2f\n"
	"	sd zero, 0(t0)\n"
	"	addi t0, t0, 8\n"
	"	j 1b\n"
	"2:	la t0, payload_trap_vector\n"
	"	csrw stvec, t0\n"
	"	call payload_main\n"
	"3:	j 3b\n"
	".text\n"
	".align 4\n"
	"payload_trap_vector:\n"
	"	addi sp, sp, -256\n"
	"	.irp r,1,5,6,7,8,9,10,11,12,13,14,15,16,17,28,29,30,31\n"
	"	sd x\\r, (\\r * 8)(sp)\n"
	"	.endr\n"
	"	call payload_trap\n"
	"	.irp r,1,5,6,7,8,9,10,11,12,13,14,15,16,17,28,29,30,31\n"
	"	ld x\\r, (\\r * 8)(sp)\n"
	"	.endr\n"
	"	addi sp, sp, 256\n"
	"	sret\n");

struct sbiret {
	long error;
	long value;
};

__attribute__((noipa)) struct sbiret sbi_ecall(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = eid;
	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){(long)r0, (long)r1};
}

__attribute__((noipa)) void sbi_console_putchar(char c)
{
	register uint64_t r0 __asm__("a0") = (uint8_t)c;
	register uint64_t r7 __asm__("a7") = SBI_EXT_LEGACY_PUTCHAR;
	__asm__ volatile("ecall" : "+r"(r0) : "r"(r7) : "memory");
}

static void puts_sbi(const char *s)
{
	while (*s)
		sbi_console_putchar(*s++);
}

static void put_num(uint64_t v, unsigned base)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		sbi_console_putchar(buf[--n]);
}

static void put_signed(long v)
{
	if (v < 0) {
		sbi_console_putchar('-');
		v = -v;
	}
	put_num((uint64_t)v, 10);
}

static volatile int timer_irqs;

void payload_trap(void)
{
	uint64_t cause;
	__asm__ volatile("csrr %0, scause" : "=r"(cause));
	if (cause == CAUSE_S_TIMER) {
		timer_irqs++;
		sbi_ecall(SBI_EXT_TIME, 0, ~0ull, 0); /* clears the pending STIP */
		return;
	}
	puts_sbi("payload: unexpected trap\n");
	sbi_ecall(SBI_EXT_SRST, 0, 0, 1);
}

static const struct {
	const char *name;
	uint64_t eid;
} probes[] = {
    {"base", SBI_EXT_BASE},
    {"TIME", SBI_EXT_TIME},
    {"SRST", SBI_EXT_SRST},
    {"DBCN", SBI_EXT_DBCN},
};

void payload_main(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0);
	puts_sbi("payload: spec version 0x");
	put_num((uint64_t)r.value, 16);
	puts_sbi("\npayload: probe");
	for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, probes[i].eid, 0);
		sbi_console_putchar(' ');
		puts_sbi(probes[i].name);
		sbi_console_putchar('=');
		put_num((uint64_t)r.value, 10);
	}
	r = sbi_ecall(0x12345, 0, 0, 0);
	puts_sbi("\npayload: unknown extension 0x12345: error ");
	put_signed(r.error);
	sbi_console_putchar('\n');

	__asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE));
	__asm__ volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
	sbi_ecall(SBI_EXT_TIME, 0, 0, 0); /* mtime >= 0: fires at once */
	while (!timer_irqs)
		__asm__ volatile("wfi");
	puts_sbi("payload: timer interrupts taken: ");
	put_num((uint64_t)timer_irqs, 10);
	sbi_console_putchar('\n');
	sbi_ecall(SBI_EXT_SRST, 0, 0, 0); /* shutdown, no reason: exit 0 */
}
