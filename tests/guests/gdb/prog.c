/* prog.c — the U-mode program: two writes and a counter (a watchpoint target), then exit. */
#include "user.h"

volatile int counter;

__attribute__((noinline)) long say(const char *s, long n)
{
	return syscall3(64, 1, (long)s, n);
}

int main(void)
{
	say("prog: hello\n", 12);
	for (int i = 0; i < 3; i++)
		counter = counter + 10;
	say("prog: done\n", 11);
	return counter;
}

