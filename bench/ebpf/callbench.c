/* callbench N — calls leaf() N times (bench/ebpf/run: overhead per traced call). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noipa)) unsigned long leaf(unsigned long x)
{
	return x * 2654435761u + 1;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000, s = 0;

	for (unsigned long i = 0; i < n; i++)
		s += leaf(i);
	printf("%lu\n", s);
	return 0;
}
