/* tailcall — compiled with -O2 so gcc turns calls in return position into jumps (`j`, or `jr`
 * through a pointer): a tracer sees top jump to mid and mid jump to leaf, and leaf's `ret`
 * return straight to main. README.md lists the sites; `make -C tests/guests/trace
 * disasm-tailcall` shows them. */
#include "guest.h"

const char guest_name[] = "tailcall";
static volatile long arg = 5;

__attribute__((noipa)) long leaf(long x)
{
	return x * 3 + 1;
}

/* Tail call: j leaf. */
__attribute__((noipa)) long mid(long x)
{
	return leaf(x + 1);
}

/* Tail call: j mid. */
__attribute__((noipa)) long top(long x)
{
	return mid(x * 2);
}

/* Not a tail call: work after leaf returns. */
__attribute__((noipa)) long wrap(long x)
{
	return leaf(x) + 1;
}

/* Indirect tail call: jr to f. */
__attribute__((noipa)) long dispatch(long (*f)(long), long x)
{
	return f(x + 100);
}

int main(void)
{
	long t = top(arg);	      /* leaf(11) = 34 */
	long w = wrap(arg);	      /* leaf(5) + 1 = 17 */
	long d = dispatch(leaf, arg); /* leaf(105) = 316 */
	gprintf("tailcall: top=%d wrap=%d dispatch=%d\n", t, w, d);
	return !(t == 34 && w == 17 && d == 316);
}
