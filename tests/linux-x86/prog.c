/* The x86-64 test kernel's /init (scripts/linux-x86/build.sh): a user program that makes a
 * known system call in a loop, so that `strata attach` tests can stop in the kernel's handler
 * and in this program's code in one GDB session. Static, built with -g. */
#include <stdio.h>
#include <unistd.h>

/* One round: a getppid() system call (the tests break on __x64_sys_getppid). noinline: the
 * tests break on this function by name. */
__attribute__((noinline)) long prog_round(long i)
{
	long ppid = getppid();
	return ppid + i;
}

int main(void)
{
	long sum = 0;

	printf("prog: started\n");
	fflush(stdout);
	for (long i = 0;; i++) {
		sum += prog_round(i);
		if (i % 1000000 == 0) {
			printf("prog: round %ld sum %ld\n", i, sum);
			fflush(stdout);
		}
	}
	return 0;
}
