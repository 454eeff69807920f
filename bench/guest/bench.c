/* bench — CPU-bound bare-metal workload for the interpreter benchmark: integer sort, CRC32,
 * recursion (fib, ackermann), and double-precision matrix multiply. Prints one checksum per
 * kernel and exits through the finisher. Size: ROUNDS rounds of about 16 million instructions each.
 */
#include "guest.h"

const char guest_name[] = "bench";

#ifndef ROUNDS
#define ROUNDS 150
#endif

#define NSORT 20000
#define NCRC  65536
#define NMAT  48

static uint32_t sortbuf[NSORT];
static uint8_t crcbuf[NCRC];
static uint32_t crctab[256];
static double ma[NMAT][NMAT], mb[NMAT][NMAT], mc[NMAT][NMAT];

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void quicksort(uint32_t *a, long lo, long hi)
{
	while (lo < hi) {
		uint32_t p = a[(lo + hi) / 2];
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				uint32_t t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		}
		if (j - lo < hi - i) {
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
}

static uint64_t k_sort(void)
{
	for (int i = 0; i < NSORT; i++)
		sortbuf[i] = (uint32_t)next();
	quicksort(sortbuf, 0, NSORT - 1);
	uint64_t sum = 0;
	for (int i = 1; i < NSORT; i++) {
		if (sortbuf[i - 1] > sortbuf[i])
			return 0; /* not sorted: the checksum shows it */
		sum = sum * 31 + sortbuf[i];
	}
	return sum;
}

static uint64_t k_crc(void)
{
	for (int i = 0; i < NCRC; i++)
		crcbuf[i] = (uint8_t)next();
	uint32_t crc = 0xffffffffu;
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < NCRC; i++)
			crc = crctab[(crc ^ crcbuf[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

static uint64_t fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint64_t ack(uint64_t m, uint64_t n)
{
	while (m) {
		n = n ? ack(m, n - 1) : 1;
		m--;
	}
	return n + 1;
}

static uint64_t k_matmul(void)
{
	for (int i = 0; i < NMAT; i++)
		for (int j = 0; j < NMAT; j++) {
			ma[i][j] = (double)(next() % 1000) / 100.0;
			mb[i][j] = (double)(next() % 1000) / 250.0 - 1.0;
		}
	for (int i = 0; i < NMAT; i++)
		for (int j = 0; j < NMAT; j++) {
			double s = 0;
			for (int k = 0; k < NMAT; k++)
				s += ma[i][k] * mb[k][j];
			mc[i][j] = s;
		}
	double t = 0;
	for (int i = 0; i < NMAT; i++)
		t += mc[i][i] * (i + 1);
	uint64_t bits;
#if __riscv_xlen == 64
	__asm__ volatile("fmv.x.d %0, %1" : "=r"(bits) : "f"(t));
#else
	__builtin_memcpy(&bits, &t, sizeof(bits)); /* RV32 has no fmv.x.d: through memory */
#endif
	return bits;
}

int main(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crctab[i] = c;
	}
	uint64_t cs[5] = {0, 0, 0, 0, 0};
	for (int r = 0; r < ROUNDS; r++) {
		cs[0] = cs[0] * 3 + k_sort();
		cs[1] = cs[1] * 3 + k_crc();
		cs[2] = cs[2] * 3 + fib(24);
		cs[3] = cs[3] * 3 + ack(2, 200 + (r & 63));
		for (int k = 0; k < 8; k++)
			cs[4] = cs[4] * 3 + k_matmul();
	}
	gprintf("bench: rounds %u\n", (uint64_t)ROUNDS);
	gprintf("bench: sort    %x\n", cs[0]);
	gprintf("bench: crc32   %x\n", cs[1]);
	gprintf("bench: fib     %x\n", cs[2]);
	gprintf("bench: ack     %x\n", cs[3]);
	gprintf("bench: matmul  %x\n", cs[4]);
	gprintf("bench: total   %x\n", cs[0] ^ cs[1] ^ cs[2] ^ cs[3] ^ cs[4]);
	return 0;
}
