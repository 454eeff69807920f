/* fw — a tiny M-mode SBI firmware: base (spec version, probe), legacy console_putchar, TIME
 * set_timer and SRST system_reset, dispatched from a table; everything else is
 * SBI_ERR_NOT_SUPPORTED. It starts the payload in S mode at 0x80200000. */
#include <stdint.h>

#include "sbi.h"

#define UART_BASE      0x10000000ul
#define FINISHER_BASE  0x100000ul
#define CLINT_MTIMECMP 0x2004000ul
#define MIP_STIP       (1ul << 5)
#define MIP_MTIP       (1ul << 7)
#define CAUSE_ECALL_S  9
#define CAUSE_M_TIMER  ((1ul << 63) | 7)

#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_)::"memory");                           \
		v_;                                                                                \
	})
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_set(csr, v)	  __asm__ volatile("csrs " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")

void fw_main(void);
void fw_trap(uint64_t *regs);
void fw_enter_s(void (*entry)(void)) __attribute__((noreturn));
void payload_entry(void);

struct sbiret {
	long error;
	long value;
};

__attribute__((noipa)) void fw_putchar(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[5] & 0x20))
		;
	uart[0] = (uint8_t)c;
}

static void fw_puts(const char *s)
{
	while (*s)
		fw_putchar(*s++);
}

__attribute__((noipa, noreturn)) void fw_shutdown(uint32_t code)
{
	volatile uint32_t *fin = (volatile uint32_t *)FINISHER_BASE;
	*fin = code ? (0x3333u | (code << 16)) : 0x5555u;
	for (;;)
		;
}

static int fw_has_ext(uint64_t eid);

__attribute__((noipa)) struct sbiret sbi_base(uint64_t fid, const uint64_t *a)
{
	if (fid == SBI_BASE_GET_SPEC_VERSION)
		return (struct sbiret){SBI_SUCCESS, FW_SPEC_VERSION};
	if (fid == SBI_BASE_PROBE_EXTENSION)
		return (struct sbiret){SBI_SUCCESS, fw_has_ext(a[0])};
	return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
}

__attribute__((noipa)) struct sbiret sbi_legacy_putchar(uint64_t fid, const uint64_t *a)
{
	(void)fid;
	fw_putchar((char)a[0]);
	return (struct sbiret){0, 0};
}

/* The S timer is virtual: arm the M timer, and raise STIP when it fires. */
__attribute__((noipa)) struct sbiret sbi_time(uint64_t fid, const uint64_t *a)
{
	if (fid != 0)
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	*(volatile uint64_t *)CLINT_MTIMECMP = a[0];
	csr_clear(mip, MIP_STIP);
	csr_set(mie, MIP_MTIP);
	return (struct sbiret){SBI_SUCCESS, 0};
}

__attribute__((noipa)) struct sbiret sbi_srst(uint64_t fid, const uint64_t *a)
{
	if (fid != 0 || a[0] > 2)
		return (struct sbiret){fid ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM, 0};
	fw_shutdown(a[0] == 0 ? (uint32_t)a[1] : 0); /* shutdown, or reset: end the run too */
}

static const struct {
	uint64_t eid;
	struct sbiret (*fn)(uint64_t fid, const uint64_t *a);
	int legacy; /* result in a0 only */
} fw_exts[] = {
    {SBI_EXT_LEGACY_PUTCHAR, sbi_legacy_putchar, 1},
    {SBI_EXT_BASE, sbi_base, 0},
    {SBI_EXT_TIME, sbi_time, 0},
    {SBI_EXT_SRST, sbi_srst, 0},
};
#define N_EXTS (sizeof(fw_exts) / sizeof(fw_exts[0]))

static int fw_has_ext(uint64_t eid)
{
	for (unsigned i = 0; i < N_EXTS; i++)
		if (fw_exts[i].eid == eid)
			return 1;
	return 0;
}

/* a7 = eid, a6 = fid, a0..a5 = arguments; the result goes back in a0 (and a1). */
__attribute__((noipa)) void sbi_dispatch(uint64_t *regs)
{
	for (unsigned i = 0; i < N_EXTS; i++) {
		if (fw_exts[i].eid != regs[17])
			continue;
		struct sbiret r = fw_exts[i].fn(regs[16], &regs[10]);
		regs[10] = (uint64_t)r.error;
		if (!fw_exts[i].legacy)
			regs[11] = (uint64_t)r.value;
		return;
	}
	regs[10] = (uint64_t)SBI_ERR_NOT_SUPPORTED;
	regs[11] = 0;
}

void fw_trap(uint64_t *regs)
{
	uint64_t cause = csr_read(mcause);
	if (cause == CAUSE_ECALL_S) {
		csr_write(mepc, csr_read(mepc) + 4);
		sbi_dispatch(regs);
		return;
	}
	if (cause == CAUSE_M_TIMER) {
		csr_clear(mie, MIP_MTIP);
		csr_set(mip, MIP_STIP);
		return;
	}
	fw_puts("firmware: unexpected trap\n");
	fw_shutdown(1);
}

void fw_main(void)
{
	/* PMP: S may access everything. */
	csr_write(pmpaddr0, ~0ul);
	csr_write(pmpcfg0, 0x1f);
	csr_write(mideleg, MIP_STIP);
	csr_write(medeleg, 0);
	fw_puts("firmware: starting the S-mode payload\n");
	fw_enter_s(payload_entry);
}
