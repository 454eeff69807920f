/* prog2.c — the second U-mode program, linked at the same address as prog.c and run by the
 * kernel in its own address space after prog exits. */
static long syscall3(long n, long a, long b, long c)
{
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

__attribute__((noinline)) static unsigned long triangle(unsigned long n)
{
	return n ? n + triangle(n - 1) : 0;
}

int main(void)
{
	unsigned long t = triangle(4);

	syscall3(64, 1, (long)"prog2: hi\n", 10);
	return (int)t;
}

__asm__(".section .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	li sp, 0x1ff000\n"
	"	call main\n"
	"	li a7, 93\n"
	"	ecall\n"
	"1:	j 1b\n"
	".text\n");
