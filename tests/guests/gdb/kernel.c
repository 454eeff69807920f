/* kernel.c — a minimal S-mode kernel: one Sv39 address space, write and exit syscalls that
 * reach the firmware through SBI. */
#include <stdint.h>

struct regs {
	uint64_t x[32];
};

#define PTE_V 0x1
#define PTE_R 0x2
#define PTE_W 0x4
#define PTE_X 0x8
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80

/* two address spaces: prog (0x10000 -> 0x80410000) and prog2 (0x10000 -> 0x80610000) */
static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1_user[512] __attribute__((aligned(4096)));
static uint64_t root2[512] __attribute__((aligned(4096)));
static uint64_t l1_user2[512] __attribute__((aligned(4096)));
static uint64_t satp2;

static unsigned long syscalls;
static int prog2_started;

__attribute__((noinline)) long sbi_call(long eid, long arg0)
{
	register long a0 __asm__("a0") = arg0;
	register long a7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

static void kputs(const char *s)
{
	while (*s)
		sbi_call(1, *s++);
}

uint64_t kmain(void)
{
	kputs("kernel: running the user program\n");
	/* 0x80000000.. (1 GiB, kernel only) and 0x0..0x1fffff -> 0x80400000 (2 MiB, user) */
	root[2] = (0x80000000ull >> 12 << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
	root[0] = ((uint64_t)(uintptr_t)l1_user >> 12 << 10) | PTE_V;
	l1_user[0] =
	    (0x80400000ull >> 12 << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
	root2[2] = root[2];
	root2[0] = ((uint64_t)(uintptr_t)l1_user2 >> 12 << 10) | PTE_V;
	l1_user2[0] =
	    (0x80600000ull >> 12 << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
	satp2 = (8ull << 60) | ((uint64_t)(uintptr_t)root2 >> 12);
	return (8ull << 60) | ((uint64_t)(uintptr_t)root >> 12);
}

__attribute__((noinline)) long sys_write(const char *buf, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		sbi_call(1, buf[i]);
	return (long)len;
}

void ktrap(struct regs *r)
{
	uint64_t cause, epc;

	__asm__ volatile("csrr %0, scause" : "=r"(cause));
	__asm__ volatile("csrr %0, sepc" : "=r"(epc));
	if (cause != 8) {
		kputs("kernel: unexpected trap\n");
		sbi_call(8, 0);
	}
	syscalls++;
	switch (r->x[17]) {
	case 64: /* write(fd, buf, len) */
		r->x[10] = (uint64_t)sys_write((const char *)r->x[11], r->x[12]);
		break;
	case 93: /* exit(code): the first program's exit starts the second one */
		if (!prog2_started) {
			prog2_started = 1;
			kputs("kernel: the program exited; starting prog2\n");
			__asm__ volatile("csrw satp, %0; sfence.vma" ::"r"(satp2) : "memory");
			epc = 0x10000 - 4;
			break;
		}
		kputs("kernel: prog2 exited\n");
		sbi_call(8, 0);
		break;
	default:
		r->x[10] = (uint64_t)-38; /* ENOSYS */
	}
	__asm__ volatile("csrw sepc, %0" ::"r"(epc + 4));
}
