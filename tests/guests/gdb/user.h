/* user.h — what the U-mode test programs share: the system call and the entry point (a stack at
 * the top of the program's 2 MiB, main, then exit(main's result)). */
#ifndef GDB_GUEST_USER_H
#define GDB_GUEST_USER_H

static inline long syscall3(long n, long a, long b, long c)
{
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
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

#endif
