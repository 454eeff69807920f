/* recursion — fib(8) by plain recursion (67 calls), then a loop calling a leaf 10 times.
 * noipa keeps gcc from cloning, inlining or folding the calls away. */
#include "guest.h"

const char guest_name[] = "recursion";
static volatile uint64_t fib_arg = 8, loop_count = 10;

__attribute__((noipa)) uint64_t fib(uint64_t n)
{
	if (n < 2)
		return n;
	return fib(n - 1) + fib(n - 2);
}

__attribute__((noipa)) uint64_t square(uint64_t x)
{
	return x * x;
}

__attribute__((noipa)) uint64_t sum_squares(uint64_t n)
{
	uint64_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s += square(i);
	return s;
}

int main(void)
{
	uint64_t f = fib(fib_arg);
	uint64_t s = sum_squares(loop_count);
	gprintf("recursion: fib(8)=%u sum_squares(10)=%u\n", f, s);
	return !(f == 21 && s == 285);
}
