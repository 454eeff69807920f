/* s_kernel — an S-mode kernel under Debian's OpenSBI 1.1: queries the SBI base extension,
 * probes extensions, prints over the legacy console (or DBCN when OpenSBI has it), takes one
 * S timer interrupt requested with TIME set_timer, and shuts down with SRST. Only values that
 * QEMU and strata share are printed. */
#include <stdint.h>

#define EXT_LEGACY_PUTCHAR  0x01
#define EXT_LEGACY_SHUTDOWN 0x08
#define EXT_BASE	    0x10
#define EXT_TIME	    0x54494D45
#define EXT_IPI		    0x735049
#define EXT_HSM		    0x48534D
#define EXT_SRST	    0x53525354
#define EXT_DBCN	    0x4442434E
#define CAUSE_S_TIMER	    ((1ul << 63) | 5)

void kmain(uint64_t hartid);
void ktrap(void);

struct sbiret {
	long error;
	long value;
};

__attribute__((noipa)) struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
					      uint64_t a2)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = eid;
	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){(long)r0, (long)r1};
}

__attribute__((noipa)) void sbi_legacy_putchar(char c)
{
	register uint64_t r0 __asm__("a0") = (uint8_t)c;
	register uint64_t r7 __asm__("a7") = EXT_LEGACY_PUTCHAR;
	__asm__ volatile("ecall" : "+r"(r0) : "r"(r7) : "memory");
}

static void kputs(const char *s)
{
	while (*s)
		sbi_legacy_putchar(*s++);
}

static void kput_num(uint64_t v, unsigned base)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		sbi_legacy_putchar(buf[--n]);
}

static volatile int timer_irqs;

void ktrap(void)
{
	uint64_t cause;
	__asm__ volatile("csrr %0, scause" : "=r"(cause));
	if (cause == CAUSE_S_TIMER) {
		timer_irqs++;
		sbi_call(EXT_TIME, 0, ~0ull, 0, 0); /* far future: clears STIP */
		return;
	}
	kputs("s_kernel: unexpected trap\n");
	sbi_call(EXT_SRST, 0, 0, 1, 0);
}

static const struct {
	const char *name;
	uint64_t eid;
} probes[] = {
    {"TIME", EXT_TIME}, {"IPI", EXT_IPI}, {"HSM", EXT_HSM}, {"SRST", EXT_SRST}, {"DBCN", EXT_DBCN},
};

/* Base functions printed as "name=value" (hex), or "name=ok" where the value is the
 * emulator's own (QEMU reports its version as marchid/mimpid, strata 0). */
static const struct {
	const char *name;
	uint64_t fid;
	int show_value;
} base_funcs[] = {
    {"spec_version", 0, 1}, {"impl_id", 1, 1}, {"impl_version", 2, 1},
    {"mvendorid", 4, 1},    {"marchid", 5, 0}, {"mimpid", 6, 0},
};

void kmain(uint64_t hartid)
{
	kputs("s_kernel: hart ");
	kput_num(hartid, 10);
	kputs(" in S mode\ns_kernel: base");
	for (unsigned i = 0; i < sizeof base_funcs / sizeof base_funcs[0]; i++) {
		struct sbiret r = sbi_call(EXT_BASE, base_funcs[i].fid, 0, 0, 0);
		kputs(" ");
		kputs(base_funcs[i].name);
		if (!base_funcs[i].show_value) {
			kputs(r.error ? "=error" : "=ok");
			continue;
		}
		kputs("=0x");
		kput_num((uint64_t)r.value, 16);
	}
	kputs("\ns_kernel: probe");
	int has_dbcn = 0;
	for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		struct sbiret r = sbi_call(EXT_BASE, 3, probes[i].eid, 0, 0);
		kputs(" ");
		kputs(probes[i].name);
		kputs("=");
		kput_num((uint64_t)r.value, 10);
		if (probes[i].eid == EXT_DBCN)
			has_dbcn = r.value != 0;
	}
	kputs("\n");
	if (has_dbcn) {
		static const char msg[] = "s_kernel: console: DBCN\n";
		sbi_call(EXT_DBCN, 0, sizeof msg - 1, (uint64_t)msg, 0);
	} else {
		kputs("s_kernel: console: legacy putchar\n");
	}

	uint64_t now;
	__asm__ volatile("rdtime %0" : "=r"(now));
	__asm__ volatile("csrs sie, %0" ::"r"(1ul << 5));
	__asm__ volatile("csrs sstatus, %0" ::"r"(1ul << 1));
	sbi_call(EXT_TIME, 0, now + 10000, 0, 0);
	while (!timer_irqs)
		__asm__ volatile("wfi");
	kputs("s_kernel: timer interrupts taken: ");
	kput_num((uint64_t)timer_irqs, 10);
	kputs("\ns_kernel: shutdown\n");
	sbi_call(EXT_SRST, 0, 0, 0, 0);
	sbi_call(EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0); /* if SRST is missing */
}
