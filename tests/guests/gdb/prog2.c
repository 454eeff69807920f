/* prog2.c — the second U-mode program, linked at the same address as prog.c and run by the
 * kernel in its own address space after prog exits. */
#include "user.h"

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

