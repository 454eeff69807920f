/* longjmp — setjmp in run(), longjmp from three frames further down (level1 -> level2 ->
 * level3), so a tracer must pop those frames by stack pointer rather than by matching returns.
 * Own minimal setjmp (ra, sp, s0-s11; no FP registers: nothing here keeps FP values live). */
#include "guest.h"

const char guest_name[] = "longjmp";
typedef uint64_t jmpbuf[14];

int g_setjmp(jmpbuf b) __attribute__((returns_twice));
void g_longjmp(jmpbuf b, int v) __attribute__((noreturn));
__asm__(".text\n"
	".globl g_setjmp\n"
	"g_setjmp:\n"
	"	sd ra, 0(a0)\n	sd sp, 8(a0)\n	sd s0, 16(a0)\n	sd s1, 24(a0)\n"
	"	sd s2, 32(a0)\n	sd s3, 40(a0)\n	sd s4, 48(a0)\n	sd s5, 56(a0)\n"
	"	sd s6, 64(a0)\n	sd s7, 72(a0)\n	sd s8, 80(a0)\n	sd s9, 88(a0)\n"
	"	sd s10, 96(a0)\n	sd s11, 104(a0)\n"
	"	li a0, 0\n	ret\n"
	".globl g_longjmp\n"
	"g_longjmp:\n"
	"	ld ra, 0(a0)\n	ld sp, 8(a0)\n	ld s0, 16(a0)\n	ld s1, 24(a0)\n"
	"	ld s2, 32(a0)\n	ld s3, 40(a0)\n	ld s4, 48(a0)\n	ld s5, 56(a0)\n"
	"	ld s6, 64(a0)\n	ld s7, 72(a0)\n	ld s8, 80(a0)\n	ld s9, 88(a0)\n"
	"	ld s10, 96(a0)\n	ld s11, 104(a0)\n"
	"	seqz a0, a1\n	add a0, a0, a1\n	ret\n");

static jmpbuf env;
static volatile int reached;

__attribute__((noipa)) void level3(int v)
{
	reached = 3;
	g_longjmp(env, v);
}

__attribute__((noipa)) void level2(int v)
{
	reached = 2;
	level3(v + 1);
	reached = -1; /* not reached */
}

__attribute__((noipa)) void level1(int v)
{
	reached = 1;
	level2(v + 1);
	reached = -1;
}

__attribute__((noipa)) int after(int v)
{
	return v * 2;
}

__attribute__((noipa)) int run(void)
{
	int v = g_setjmp(env);
	if (v == 0)
		level1(40); /* longjmps back with 42 */
	return after(v);
}

int main(void)
{
	int r = run();
	gprintf("longjmp: reached level%d, run()=%d\n", (int64_t)reached, (int64_t)r);
	return !(reached == 3 && r == 84);
}
