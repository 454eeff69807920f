/* bitmanip — the non-trivial operations of the bit-manipulation extensions (Zbb, Zbc/Zbkc, Zbkb,
 * Zbkx), as pure functions on RV64 register values; the interpreter's handlers call them and
 * bitmanip_test.c checks them against the specification's bit-by-bit definitions. */
#ifndef STRATA_CPU_BITMANIP_H
#define STRATA_CPU_BITMANIP_H

#include <stdint.h>

static inline uint64_t bm_rol64(uint64_t x, unsigned n)
{
	n &= 63;
	return n ? (x << n) | (x >> (64 - n)) : x;
}

static inline uint64_t bm_ror64(uint64_t x, unsigned n)
{
	n &= 63;
	return n ? (x >> n) | (x << (64 - n)) : x;
}

/* The 32-bit rotates of rolw/rorw/roriw, sign-extended. */
static inline uint64_t bm_rol32(uint64_t x, unsigned n)
{
	uint32_t v = (uint32_t)x;

	n &= 31;
	v = n ? (v << n) | (v >> (32 - n)) : v;
	return (uint64_t)(int64_t)(int32_t)v;
}

static inline uint64_t bm_ror32(uint64_t x, unsigned n)
{
	return bm_rol32(x, (32 - (n & 31)) & 31);
}

/* orc.b: every nonzero byte becomes 0xff. */
static inline uint64_t bm_orc_b(uint64_t x)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < 64; i += 8)
		if ((x >> i) & 0xff)
			r |= 0xffull << i;
	return r;
}

/* brev8: the bits of each byte reversed. */
static inline uint64_t bm_brev8(uint64_t x)
{
	x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
	x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
	return ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
}

/* The 128-bit carry-less product of a and b. clmul is its low half, clmulh its high half and
 * clmulr bits 126..63. */
static inline unsigned __int128 bm_clmul(uint64_t a, uint64_t b)
{
	unsigned __int128 r = 0;

	for (unsigned i = 0; i < 64; i++)
		if ((b >> i) & 1)
			r ^= (unsigned __int128)a << i;
	return r;
}

/* xperm4/xperm8: each nibble/byte of idx selects one of a's (0 when out of range). */
static inline uint64_t bm_xperm(uint64_t a, uint64_t idx, unsigned bits)
{
	uint64_t mask = (1ull << bits) - 1, r = 0;

	for (unsigned i = 0; i < 64; i += bits) {
		uint64_t k = (idx >> i) & mask;

		if (k * bits < 64)
			r |= ((a >> (k * bits)) & mask) << i;
	}
	return r;
}

#endif
