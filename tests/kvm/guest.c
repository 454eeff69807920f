/* The KVM test guest: a bare-metal supervisor program of the project's own. Under the project's
 * VMM (tests/kvm/vmm.c) it runs in VS mode with KVM as its SBI; bare on strata or QEMU it runs in
 * S mode under OpenSBI. It does the same in both places, so its output compares one-to-one:
 *   SBI base calls, an Sv39 page table of its own (under KVM: two-stage translation), page
 *   faults it handles itself, CPU-bound work (a sieve) timed with rdtime, timer interrupts
 *   through SBI TIME, a second hart started through SBI HSM that takes an SBI IPI and sees the
 *   first hart's page-table change after an SBI remote sfence.vma (under KVM: a second vCPU,
 *   VS software interrupts through hvip, remote HFENCE.VVMA) and stops, output through a 16550
 *   UART at 0x10000000 (under KVM: MMIO exits to the VMM), then SBI SRST shutdown.
 * Every check prints "guest: ok NAME" or "guest: FAIL NAME: ..."; the last line counts them. */
#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR	0x01
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE		0x10
#define SBI_EXT_TIME		0x54494d45
#define SBI_EXT_SRST		0x53525354
#define SBI_EXT_IPI		0x735049
#define SBI_EXT_RFENCE		0x52464e43
#define SBI_EXT_HSM		0x48534d
#define SBI_HSM_STOPPED		1

#define SCAUSE_IRQ	     (1ul << 63)
#define IRQ_S_SOFT	     1
#define IRQ_S_TIMER	     5
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15
#define SIE_SSIE	     (1ul << 1)
#define SIE_STIE	     (1ul << 5)
#define SSTATUS_SIE	     (1ul << 1)

#define PTE_V	  0x1ul
#define PTE_R	  0x2ul
#define PTE_W	  0x4ul
#define PTE_X	  0x8ul
#define PTE_A	  0x40ul
#define PTE_D	  0x80ul
#define SATP_SV39 (8ul << 60)

/* The alias window: VA 0x40000000 maps one data page read-write, 0x40001000 the same page
 * read-only; 0x40200000 is not mapped. */
#define ALIAS_VA    0x40000000ul
#define ALIAS_RO_VA 0x40001000ul
#define UNMAPPED_VA 0x40200000ul

#define UART_BASE     0x10000000ul
#define UART_THR      0
#define UART_LSR      5
#define UART_LSR_THRE 0x20

#define SIEVE_N (1u << 20)
#ifndef SIEVE_REPEAT
#define SIEVE_REPEAT 1 /* bench/kvm/run builds the guest with more */
#endif
_Static_assert(SIEVE_REPEAT >= 1 && SIEVE_REPEAT < 256, "rounds mark composites with a byte");
#define SIEVE_PRIMES 82025 /* pi(2^20) */
#define TIMER_IRQS   3
#define TIMER_DELTA  5000	/* ticks of the 10 MHz timebase: 0.5 ms */
#define WAIT_TICKS   50000000ul /* 5 s: how long one hart waits for the other */

struct sbiret {
	long error;
	long value;
};

static struct sbiret sbi_call4(unsigned long ext, unsigned long fid, unsigned long arg0,
			       unsigned long arg1, unsigned long arg2, unsigned long arg3)
{
	register unsigned long a0 asm("a0") = arg0;
	register unsigned long a1 asm("a1") = arg1;
	register unsigned long a2 asm("a2") = arg2;
	register unsigned long a3 asm("a3") = arg3;
	register unsigned long a6 asm("a6") = fid;
	register unsigned long a7 asm("a7") = ext;
	asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){(long)a0, (long)a1};
}

static struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long arg0,
			      unsigned long arg1)
{
	return sbi_call4(ext, fid, arg0, arg1, 0, 0);
}

static void sbi_putchar(char c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0);
}

static void puts_sbi(const char *s)
{
	while (*s)
		sbi_putchar(*s++);
}

static void put_hex(unsigned long v)
{
	char buf[19];
	int i = 18;
	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	puts_sbi(buf + i);
}

static void put_dec(unsigned long v)
{
	char buf[21];
	int i = 20;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_sbi(buf + i);
}

static unsigned passed, failed;

static void check(int ok, const char *name)
{
	puts_sbi(ok ? "guest: ok " : "guest: FAIL ");
	puts_sbi(name);
	puts_sbi("\n");
	if (ok)
		passed++;
	else
		failed++;
}

static inline unsigned long rdtime(void)
{
	unsigned long t;
	asm volatile("csrr %0, time" : "=r"(t));
	return t;
}

/* What the trap handler saw last; the checks compare it with what they provoked. Only the
 * first hart provokes exceptions; the second hart only takes software interrupts. */
static volatile unsigned long trap_cause, trap_tval, timer_irqs, soft_irqs;

/* Returns the pc to resume at: past the faulting instruction for the page faults the checks
 * provoke, the same pc for interrupts. */
unsigned long guest_trap(unsigned long cause, unsigned long epc, unsigned long tval)
{
	if (cause == (SCAUSE_IRQ | IRQ_S_TIMER)) {
		timer_irqs++;
		sbi_call(SBI_EXT_TIME, 0, ~0ul, 0); /* far future: clears the pending bit */
		return epc;
	}
	if (cause == (SCAUSE_IRQ | IRQ_S_SOFT)) {
		soft_irqs++;
		asm volatile("csrc sip, %0" ::"r"(SIE_SSIE)); /* under KVM: clears hvip.VSSIP */
		return epc;
	}
	trap_cause = cause;
	trap_tval = tval;
	if (cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT) {
		uint16_t insn = *(volatile uint16_t *)epc;
		return epc + ((insn & 3) == 3 ? 4 : 2);
	}
	puts_sbi("guest: FAIL unexpected trap: scause ");
	put_hex(cause);
	puts_sbi(" sepc ");
	put_hex(epc);
	puts_sbi(" stval ");
	put_hex(tval);
	puts_sbi("\n");
	sbi_call(SBI_EXT_SRST, 0, 0, 1); /* shutdown, reason "system failure" */
	for (;;)
		asm volatile("wfi");
}

static uint64_t root_pt[512] __attribute__((aligned(4096)));
static uint64_t l1_pt[512] __attribute__((aligned(4096)));
static uint64_t l0_pt[512] __attribute__((aligned(4096)));
static volatile uint64_t alias_page[512] __attribute__((aligned(4096)));
static volatile uint64_t alias_page2[512] __attribute__((aligned(4096)));

static uint64_t pte(unsigned long pa, unsigned long flags)
{
	return (pa >> 12) << 10 | flags;
}

/* Sv39: RAM (0x80000000) and the devices (0x0) as identity gigapages, the alias window through
 * two more levels, so the walk is a full three-level one. */
static void satp_on(void)
{
	asm volatile("sfence.vma" ::: "memory");
	asm volatile("csrw satp, %0" ::"r"(SATP_SV39 | (unsigned long)root_pt >> 12) : "memory");
	asm volatile("sfence.vma" ::: "memory");
}

static void vm_on(void)
{
	root_pt[0] = pte(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	root_pt[1] = pte((unsigned long)l1_pt, PTE_V);
	root_pt[2] = pte(0x80000000ul, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	l1_pt[0] = pte((unsigned long)l0_pt, PTE_V);
	l0_pt[0] = pte((unsigned long)alias_page, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	l0_pt[1] = pte((unsigned long)alias_page, PTE_V | PTE_R | PTE_A);
	satp_on();
}

static unsigned long load_at(unsigned long va)
{
	unsigned long v = 0;
	asm volatile("ld %0, 0(%1)" : "+r"(v) : "r"(va) : "memory");
	return v;
}

static void store_at(unsigned long va, unsigned long v)
{
	asm volatile("sd %0, 0(%1)" ::"r"(v), "r"(va) : "memory");
}

static void test_paging(void)
{
	unsigned long satp;
	vm_on();
	asm volatile("csrr %0, satp" : "=r"(satp));
	check(satp >> 60 == 8, "sv39 enabled");
	alias_page[7] = 0x5354524154410001ul;
	check(load_at(ALIAS_VA + 7 * 8) == 0x5354524154410001ul, "alias read");
	store_at(ALIAS_VA + 9 * 8, 0x4b564d0000000002ul);
	check(alias_page[9] == 0x4b564d0000000002ul, "alias write");
	trap_cause = 0;
	load_at(UNMAPPED_VA + 0x10);
	check(trap_cause == EXC_LOAD_PAGE_FAULT && trap_tval == UNMAPPED_VA + 0x10,
	      "load page fault");
	trap_cause = 0;
	store_at(ALIAS_RO_VA + 8, 1);
	check(trap_cause == EXC_STORE_PAGE_FAULT && trap_tval == ALIAS_RO_VA + 8 &&
		  alias_page[1] == 0,
	      "store page fault");
}

static uint8_t composite[SIEVE_N];

/* CPU-bound work over 1 MiB (256 pages): the figure docs/PERFORMANCE.md compares. Round r marks
 * composites with r, so no round needs the array cleared. */
static void test_sieve(void)
{
	unsigned long t0 = rdtime(), count = 0;
	for (unsigned round = 1; round <= SIEVE_REPEAT; round++) {
		count = 0;
		for (unsigned long i = 2; i < SIEVE_N; i++) {
			if (composite[i] == round)
				continue;
			count++;
			for (unsigned long j = i * i; j < SIEVE_N; j += i)
				composite[j] = (uint8_t)round;
		}
		if (count != SIEVE_PRIMES)
			break;
	}
	unsigned long t1 = rdtime();
	puts_sbi("guest: sieve: ");
	put_dec(count);
	puts_sbi(" primes below 2^20 in ");
	put_dec(t1 - t0);
	puts_sbi(" ticks\n");
	check(count == SIEVE_PRIMES, "sieve");
}

static void test_timer(void)
{
	unsigned long t0 = rdtime();
	asm volatile("csrs sie, %0" ::"r"(SIE_STIE));
	asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
	for (unsigned long n = 0; n < TIMER_IRQS; n++) {
		unsigned long want = n + 1;
		sbi_call(SBI_EXT_TIME, 0, rdtime() + TIMER_DELTA, 0);
		while (timer_irqs < want)
			asm volatile("wfi");
	}
	asm volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
	asm volatile("csrc sie, %0" ::"r"(SIE_STIE));
	check(timer_irqs == TIMER_IRQS && rdtime() - t0 >= TIMER_IRQS * TIMER_DELTA,
	      "timer interrupts");
}

/* The second hart's side of test_smp; sec_state says how far it got. */
static volatile unsigned long sec_state, sec_go, sec_seen_before, sec_seen_after;
static uint8_t sec_stack[8192] __attribute__((aligned(16)));

static int wait_for(volatile unsigned long *v, unsigned long want)
{
	unsigned long t0 = rdtime();
	while (*v < want)
		if (rdtime() - t0 > WAIT_TICKS)
			return 0;
	return 1;
}

void guest_secondary(void)
{
	satp_on();
	asm volatile("csrs sie, %0" ::"r"(SIE_SSIE));
	asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
	__atomic_store_n(&sec_state, 1, __ATOMIC_SEQ_CST);
	while (!soft_irqs)
		asm volatile("wfi");
	sec_seen_before = load_at(ALIAS_VA + 3 * 8); /* now cached in this hart's TLB */
	__atomic_store_n(&sec_state, 2, __ATOMIC_SEQ_CST);
	wait_for(&sec_go, 1);
	sec_seen_after = load_at(ALIAS_VA + 3 * 8);
	asm volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
	__atomic_store_n(&sec_state, 3, __ATOMIC_SEQ_CST);
	sbi_call(SBI_EXT_HSM, 1, 0, 0); /* hart_stop: does not return */
	for (;;)
		asm volatile("wfi");
}

extern char guest_secondary_entry[];

static void test_smp(unsigned long hartid)
{
	unsigned long other = hartid ^ 1;
	alias_page[3] = 0x1111;
	alias_page2[3] = 0x2222;
	struct sbiret r = sbi_call4(SBI_EXT_HSM, 0, other, (unsigned long)guest_secondary_entry,
				    (unsigned long)(sec_stack + sizeof(sec_stack)), 0);
	check(r.error == 0 && wait_for(&sec_state, 1), "second hart started");
	if (r.error)
		return; /* one hart only (bench/kvm/run's bare runs): nothing else to check */
	r = sbi_call(SBI_EXT_IPI, 0, 1, other);
	check(r.error == 0 && wait_for(&sec_state, 2) && soft_irqs == 1, "ipi");
	check(sec_seen_before == 0x1111, "second hart reads the alias");
	l0_pt[0] = pte((unsigned long)alias_page2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	asm volatile("sfence.vma" ::: "memory");
	r = sbi_call4(SBI_EXT_RFENCE, 1, 1, other, ALIAS_VA, 4096); /* remote_sfence_vma */
	__atomic_store_n(&sec_go, 1, __ATOMIC_SEQ_CST);
	check(r.error == 0 && wait_for(&sec_state, 3) && sec_seen_after == 0x2222,
	      "remote sfence.vma");
	unsigned long t0 = rdtime();
	while (sbi_call(SBI_EXT_HSM, 2, other, 0).value != SBI_HSM_STOPPED &&
	       rdtime() - t0 < WAIT_TICKS)
		;
	check(sbi_call(SBI_EXT_HSM, 2, other, 0).value == SBI_HSM_STOPPED, "second hart stopped");
}

static void uart_puts(const char *s)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	for (; *s; s++) {
		while (!(uart[UART_LSR] & UART_LSR_THRE))
			;
		uart[UART_THR] = (uint8_t)*s;
	}
}

void guest_main(unsigned long hartid, unsigned long arg)
{
	puts_sbi("guest: hello, boot argument ");
	put_hex(arg);
	puts_sbi("\n");
	struct sbiret ver = sbi_call(SBI_EXT_BASE, 0, 0, 0);
	struct sbiret impl = sbi_call(SBI_EXT_BASE, 1, 0, 0);
	puts_sbi("guest: SBI ");
	put_dec((unsigned long)ver.value >> 24 & 0x7f);
	puts_sbi(".");
	put_dec((unsigned long)ver.value & 0xffffff);
	puts_sbi(", implementation ");
	put_dec((unsigned long)impl.value);
	puts_sbi(impl.value == 3 ? " (KVM)\n" : impl.value == 1 ? " (OpenSBI)\n" : "\n");
	check(ver.error == 0 && sbi_call(SBI_EXT_BASE, 3, SBI_EXT_SRST, 0).value == 1, "sbi base");
	test_paging();
	test_sieve();
	test_timer();
	test_smp(hartid);
	uart_puts("guest: hello through the UART\n");
	puts_sbi("guest: ");
	put_dec(passed);
	puts_sbi(" checks passed, ");
	put_dec(failed);
	puts_sbi(" failed\n");
	sbi_call(SBI_EXT_SRST, 0, 0, failed ? 1 : 0);
	sbi_call(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0);
}
