/* softfloat16_test — binary16 (Zfh) against binary32 arithmetic. A half operand widens to
 * binary32 exactly; for + - * / sqrt the binary32 result rounded once more to binary16 is the
 * correctly rounded binary16 result in every rounding mode (24 >= 2*11+2 bits, so double rounding
 * is innocuous for RNE/RMM, and directed modes compose), with the same flags. Unary operations run
 * over all 65536 encodings, binary ones over every pair of edge values plus random pairs.
 * Usage: softfloat16_test [ITERATIONS] */
#include "cpu/softfloat.h"

#include <stdio.h>
#include <stdlib.h>

static int failed;
static unsigned long checks;

static void check(int ok, const char *what, uint16_t a, uint16_t b, int rm, uint64_t got,
		  unsigned gf, uint64_t want, unsigned wf)
{
	checks++;
	if (ok)
		return;
	if (failed++ < 10)
		printf(
		    "FAIL softfloat16: %s(%04x, %04x) rm %d = %llx flags %x, want %llx flags %x\n",
		    what, a, b, rm, (unsigned long long)got, gf, (unsigned long long)want, wf);
}

/* The reference: widen, compute in binary32, narrow in the same rounding mode. */
static uint16_t ref2(char op, uint16_t a, uint16_t b, int rm, unsigned *fl)
{
	uint32_t x = sf16_to_f32(a, fl), y = sf16_to_f32(b, fl), r = 0;

	switch (op) {
	case '+':
		r = sf32_add(x, y, rm, fl);
		break;
	case '-':
		r = sf32_sub(x, y, rm, fl);
		break;
	case '*':
		r = sf32_mul(x, y, rm, fl);
		break;
	case '/':
		r = sf32_div(x, y, rm, fl);
		break;
	case 'q':
		r = sf32_sqrt(x, rm, fl);
		break;
	}
	return sf32_to_f16(r, rm, fl);
}

static uint16_t op2(char op, uint16_t a, uint16_t b, int rm, unsigned *fl)
{
	switch (op) {
	case '+':
		return sf16_add(a, b, rm, fl);
	case '-':
		return sf16_sub(a, b, rm, fl);
	case '*':
		return sf16_mul(a, b, rm, fl);
	case '/':
		return sf16_div(a, b, rm, fl);
	}
	return sf16_sqrt(a, rm, fl);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint16_t rnd16(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint16_t)rng;
}

static const uint16_t edges[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x0401, 0x3c00,
				 0xbc00, 0x3c01, 0x3bff, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00,
				 0x7c01, 0xfe01, 0x3800, 0x4000, 0x5bff, 0x1400, 0x0200};
#define NEDGE (sizeof(edges) / sizeof(edges[0]))

static void binary(long iters)
{
	static const char ops[] = "+-*/";

	for (long k = 0; k < (long)(NEDGE * NEDGE) + iters; k++) {
		uint16_t a = k < (long)(NEDGE * NEDGE) ? edges[k / NEDGE] : rnd16();
		uint16_t b = k < (long)(NEDGE * NEDGE) ? edges[k % NEDGE] : rnd16();

		if (k >= (long)(NEDGE * NEDGE) && (k & 3) == 0) /* nearby exponents cancel more */
			b = (uint16_t)((b & 0x83ff) | (a & 0x7c00));
		for (const char *o = ops; *o; o++) {
			for (int rm = 0; rm <= 4; rm++) {
				unsigned gf = 0, wf = 0;
				uint16_t got = op2(*o, a, b, rm, &gf),
					 want = ref2(*o, a, b, rm, &wf);
				char name[2] = {*o, 0};

				check(got == want && gf == wf, name, a, b, rm, got, gf, want, wf);
			}
		}
	}
}

static void unary(void)
{
	for (uint32_t v = 0; v < 0x10000; v++) {
		uint16_t a = (uint16_t)v;

		for (int rm = 0; rm <= 4; rm++) {
			unsigned gf = 0, wf = 0;
			uint16_t got = sf16_sqrt(a, rm, &gf), want = ref2('q', a, 0, rm, &wf);

			check(got == want && gf == wf, "sqrt", a, 0, rm, got, gf, want, wf);
			/* to integers: the widened value converts identically */
			for (int n = 0; n < 4; n++) {
				bool sgn = n & 1;
				int bits = n & 2 ? 64 : 32;
				uint64_t w, g;

				gf = wf = 0;
				g = (uint64_t)sf16_to_int(a, rm, sgn, bits, &gf);
				w = bits == 64
					? (sgn ? (uint64_t)sf32_to_i64(sf16_to_f32(a, &wf), rm, &wf)
					       : sf32_to_u64(sf16_to_f32(a, &wf), rm, &wf))
					: (sgn ? (uint64_t)(int64_t)sf32_to_i32(sf16_to_f32(a, &wf),
										rm, &wf)
					       : (uint64_t)(int64_t)(int32_t)sf32_to_u32(
						     sf16_to_f32(a, &wf), rm, &wf));
				if (bits == 32)
					g = (uint64_t)(int64_t)(int32_t)g;
				check(g == w && gf == wf, "to_int", a, (uint16_t)n, rm, g, gf, w,
				      wf);
			}
		}
		/* widening is exact: back to binary16 gives the value again (NaNs canonical) */
		unsigned fl = 0;
		uint32_t s = sf16_to_f32(a, &fl);
		uint64_t d = sf16_to_f64(a, &fl);
		bool nan = (a & 0x7c00) == 0x7c00 && (a & 0x3ff);
		uint16_t back = sf32_to_f16(s, 0, &fl), back64 = sf64_to_f16(d, 0, &fl);

		check(back == (nan ? SF16_CANON_NAN : a) && back64 == back, "widen", a, 0, 0, back,
		      fl, a, 0);
		/* binary16 subnormals widen to binary32 normals and signalling NaNs to quiet ones:
		 * their class is the half's */
		unsigned want_cls = nan				       ? (a & 0x200 ? 0x200 : 0x100)
				    : (a & 0x7c00) == 0 && (a & 0x3ff) ? (a & 0x8000 ? 0x04 : 0x20)
								       : sf32_class(s);
		check(sf16_class(a) == want_cls, "class", a, 0, 0, sf16_class(a), 0, want_cls, 0);
	}
}

static void from_int(void)
{
	for (int64_t v = -70000; v <= 70000; v += 7) {
		for (int rm = 0; rm <= 4; rm++) {
			unsigned gf = 0, wf = 0;
			uint16_t got = sf16_from_i64(v, rm, &gf);
			uint16_t want = sf32_to_f16(sf32_from_i64(v, rm, &wf), rm, &wf);

			check(got == want && gf == wf, "from_i64", (uint16_t)v, 0, rm, got, gf,
			      want, wf);
		}
	}
	/* far beyond the range: overflow to infinity or the largest finite, by mode */
	unsigned fl = 0;
	check(sf16_from_u64(~0ull, SF_RNE, &fl) == 0x7c00 && fl == (SF_OF | SF_NX), "from_u64 max",
	      0, 0, 0, sf16_from_u64(~0ull, SF_RNE, &fl), fl, 0x7c00, SF_OF | SF_NX);
	fl = 0;
	check(sf16_from_i64(INT64_MIN, SF_RTZ, &fl) == 0xfbff && fl == (SF_OF | SF_NX),
	      "from_i64 min rtz", 0, 0, 1, 0, fl, 0xfbff, SF_OF | SF_NX);
}

static void fma_cases(void)
{
	unsigned fl = 0;

	/* 1 * 1 + (-1) = +0 in RNE, -0 in RDN; inf * 0 + qNaN raises NV (as QEMU) */
	check(sf16_fma(0x3c00, 0x3c00, 0xbc00, SF_RNE, &fl) == 0x0000 && !fl, "fma", 0, 0, 0, 0, fl,
	      0, 0);
	check(sf16_fma(0x3c00, 0x3c00, 0xbc00, SF_RDN, &fl) == 0x8000 && !fl, "fma rdn", 0, 0, 2, 0,
	      fl, 0x8000, 0);
	check(sf16_fma(0x7c00, 0x0000, 0x7e00, SF_RNE, &fl) == SF16_CANON_NAN && fl == SF_NV,
	      "fma inf*0", 0, 0, 0, 0, fl, SF16_CANON_NAN, SF_NV);
	/* a single rounding: (1 + 2^-10) * (1 + 2^-10) - 1 = 2^-9 + 2^-20 needs the exact product
	 */
	fl = 0;
	check(sf16_fma(0x3c01, 0x3c01, 0xbc00, SF_RUP, &fl) == 0x1801 && fl == SF_NX, "fma single",
	      0x3c01, 0x3c01, 3, sf16_fma(0x3c01, 0x3c01, 0xbc00, SF_RUP, &(unsigned){0}), fl,
	      0x1801, SF_NX);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? strtol(argv[1], NULL, 0) : 200000;

	binary(iters);
	unary();
	from_int();
	fma_cases();
	if (!failed)
		printf("PASS softfloat16: %lu checks (binary16 = binary32 rounded again)\n",
		       checks);
	return failed != 0;
}
