/* rv32_fib — a call tree of known shape for tests/e2e/rv32.sh: fib(5) makes 15 calls of fib
 * (built -march=rv32imac, so the calls are c.jal, RV32-only). Exit through the finisher. */
__asm__(".section .text.start,\"ax\"\n.globl _start\n_start: li sp, 0x80100000\n j main\n.text");
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
volatile int out;
int main(void) {
	out = fib(5);
	*(volatile unsigned *)0x100000 = out == 5 ? 0x5555 : 0x3333;
	for (;;) ;
}
