/* bitmanip_test — bitmanip.h against the bit-by-bit definitions of the Zbb/Zbc/Zbkb/Zbkx
 * specifications (written here as loops over single bits), on edge and pseudo-random values. */
#include "cpu/bitmanip.h"

#include "machine/test_util.h"

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

static uint64_t bit(uint64_t x, unsigned i)
{
	return (x >> i) & 1;
}

static const uint64_t edges[] = {0,
				 1,
				 ~0ull,
				 0x8000000000000000ull,
				 0x7fffffffffffffffull,
				 0x00000000ffffffffull,
				 0xffffffff00000000ull,
				 0x0123456789abcdefull,
				 0x00ff00ff00ff00ffull,
				 0x8000000080000000ull};
#define NEDGE (sizeof(edges) / sizeof(edges[0]))

/* operand pairs: every edge pair, then random ones */
#define FOR_PAIRS(a, b)                                                                            \
	for (uint64_t s_ = 88172645463325252ull, k_ = 0; k_ < NEDGE * NEDGE + 2000; k_++)          \
		for (uint64_t a = k_ < NEDGE * NEDGE ? edges[k_ / NEDGE] : next(&s_),              \
			      b = k_ < NEDGE * NEDGE ? edges[k_ % NEDGE] : next(&s_), once_ = 1;   \
		     once_; once_ = 0)

static int rotates(void)
{
	FOR_PAIRS(a, b)
	{
		unsigned n = b & 63, n32 = b & 31;
		uint64_t rl = 0, rr = 0, rl32 = 0;

		for (unsigned i = 0; i < 64; i++) {
			rl |= bit(a, (i - n) & 63) << i;
			rr |= bit(a, (i + n) & 63) << i;
		}
		for (unsigned i = 0; i < 32; i++)
			rl32 |= bit(a, (i - n32) & 31) << i;
		rl32 = (uint64_t)(int64_t)(int32_t)(uint32_t)rl32;
		CHECK(bm_rol64(a, (unsigned)b) == rl, "rol %llx %u", (unsigned long long)a, n);
		CHECK(bm_ror64(a, (unsigned)b) == rr, "ror %llx %u", (unsigned long long)a, n);
		CHECK(bm_rol32(a, (unsigned)b) == rl32, "rolw %llx %u", (unsigned long long)a, n32);
		CHECK(bm_ror32(bm_rol32(a, (unsigned)b), (unsigned)b) ==
			  (uint64_t)(int64_t)(int32_t)(uint32_t)a,
		      "rorw undoes rolw: %llx %u", (unsigned long long)a, n32);
	}
	return 0;
}

static int bytes(void)
{
	FOR_PAIRS(a, b)
	{
		uint64_t orc = 0, brev = 0;

		(void)b;
		for (unsigned byte = 0; byte < 8; byte++) {
			for (unsigned i = 0; i < 8; i++) {
				orc |= (uint64_t)(((a >> (8 * byte)) & 0xff) != 0)
				       << (8 * byte + i);
				brev |= bit(a, 8 * byte + 7 - i) << (8 * byte + i);
			}
		}
		CHECK(bm_orc_b(a) == orc, "orc.b %llx", (unsigned long long)a);
		CHECK(bm_brev8(a) == brev, "brev8 %llx", (unsigned long long)a);
	}
	return 0;
}

static int clmul(void)
{
	FOR_PAIRS(a, b)
	{
		uint64_t lo = 0, hi = 0, rev = 0;

		/* the specification's loops for clmul, clmulh and clmulr */
		for (unsigned i = 0; i < 64; i++)
			if (bit(b, i))
				lo ^= a << i;
		for (unsigned i = 1; i < 64; i++)
			if (bit(b, i))
				hi ^= a >> (64 - i);
		for (unsigned i = 0; i < 64; i++)
			if (bit(b, i))
				rev ^= a >> (63 - i);
		CHECK((uint64_t)bm_clmul(a, b) == lo, "clmul");
		CHECK((uint64_t)(bm_clmul(a, b) >> 64) == hi, "clmulh");
		CHECK((uint64_t)(bm_clmul(a, b) >> 63) == rev, "clmulr");
	}
	return 0;
}

static int xperm(void)
{
	/* xperm8 with indices 7..0 reverses the bytes; an index >= 8 gives a zero byte */
	CHECK(bm_xperm(0x0123456789abcdefull, 0x0001020304050607ull, 8) == 0xefcdab8967452301ull,
	      "xperm8 reverse");
	CHECK(bm_xperm(0x0123456789abcdefull, 0x0908070605040302ull, 8) == 0x00000123456789abull,
	      "xperm8 out of range");
	/* nibble i of a is 15 - i, so indexing with the same value gives nibble i = i */
	CHECK(bm_xperm(0x0123456789abcdefull, 0x0123456789abcdefull, 4) == 0xfedcba9876543210ull,
	      "xperm4");
	FOR_PAIRS(a, b)
	{
		uint64_t r4 = 0, r8 = 0;

		for (unsigned i = 0; i < 64; i += 4)
			r4 |= ((a >> (4 * ((b >> i) & 15))) & 15) << i;
		for (unsigned i = 0; i < 64; i += 8) {
			uint64_t k = (b >> i) & 0xff;

			r8 |= (k < 8 ? (a >> (8 * k)) & 0xff : 0) << i;
		}
		CHECK(bm_xperm(a, b, 4) == r4, "xperm4 %llx %llx", (unsigned long long)a,
		      (unsigned long long)b);
		CHECK(bm_xperm(a, b, 8) == r8, "xperm8 %llx %llx", (unsigned long long)a,
		      (unsigned long long)b);
	}
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(rotates);
	fails += RUN(bytes);
	fails += RUN(clmul);
	fails += RUN(xperm);
	return fails != 0;
}
