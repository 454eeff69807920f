/* mutual — is_even/is_odd calling each other: is_even(10) is 11 nested calls. */
#include "guest.h"

const char guest_name[] = "mutual";
static volatile uint64_t arg = 10;

__attribute__((noipa)) int is_odd(uint64_t n);

__attribute__((noipa)) int is_even(uint64_t n)
{
	if (n == 0)
		return 1;
	return is_odd(n - 1) ? 1 : 0; /* the "? :" keeps it a real call, not a sibling call */
}

__attribute__((noipa)) int is_odd(uint64_t n)
{
	if (n == 0)
		return 0;
	return is_even(n - 1) ? 1 : 0;
}

int main(void)
{
	int e = is_even(arg);
	gprintf("mutual: is_even(10)=%d\n", (int64_t)e);
	return e != 1;
}
