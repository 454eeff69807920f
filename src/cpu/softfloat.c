/* softfloat — IEEE 754 binary16/binary32/binary64 in integer code with RISC-V semantics.
 *
 * One body of code serves all formats: every operation unpacks its operands into
 * (sign, exponent, 64-bit significand with the leading one at bit 63), computes an exact or
 * sticky-jammed intermediate, and hands it to one rounding routine parameterised by a format
 * descriptor. Wide intermediates (products, aligned sums) live in unsigned __int128.
 *
 * QEMU (fpu/softfloat.c with the target/riscv settings: default-NaN mode, tininess after
 * rounding) is the reference. Two choices worth knowing:
 *  - fma: inf * 0 + c raises NV even when c is a quiet NaN. QEMU's pickNaNMulAdd() for
 *    TARGET_RISCV raises invalid whenever the multiplicands are inf and zero, then returns the
 *    default NaN; we do the same.
 *  - a reserved rounding mode (5..7) is the caller's business (the instruction is illegal); if one
 *    reaches us anyway we round to nearest-even rather than invent a result. */
#include "cpu/softfloat.h"

#include <stdbool.h>
#include <stddef.h>

typedef unsigned __int128 u128;

/* Specialise every helper per format: with the descriptor a constant, the shifts and masks fold. */
#define SF_INLINE static inline __attribute__((always_inline))

/* What distinguishes binary32 from binary64 for this code. */
struct sf_fmt {
	int mbits;	    /* stored fraction bits */
	int ebits;	    /* exponent field width */
	int emax;	    /* largest unbiased exponent, also the bias */
	uint64_t canon_nan; /* RISC-V canonical NaN */
};

static const struct sf_fmt F16 = {10, 5, 15, SF16_CANON_NAN};
static const struct sf_fmt F32 = {23, 8, 127, SF32_CANON_NAN};
static const struct sf_fmt F64 = {52, 11, 1023, SF64_CANON_NAN};

enum { CL_ZERO, CL_FINITE, CL_INF, CL_QNAN, CL_SNAN };

/* A finite nonzero value is (-1)^sign * sig * 2^(exp - 63) with bit 63 of sig set. */
struct sf_unp {
	int cls;
	bool sign;
	int exp;
	uint64_t sig;
};

static inline int fmt_emin(const struct sf_fmt *f)
{
	return 1 - f->emax;
}

static inline uint64_t fmt_signbit(const struct sf_fmt *f)
{
	return 1ull << (f->mbits + f->ebits);
}

static inline uint64_t fmt_inf(const struct sf_fmt *f, bool sign)
{
	return (sign ? fmt_signbit(f) : 0) | ((uint64_t)(2 * f->emax + 1) << f->mbits);
}

static inline uint64_t fmt_zero(const struct sf_fmt *f, bool sign)
{
	return sign ? fmt_signbit(f) : 0;
}

static inline int clz128(u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64);
	return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

/* v >> n with every shifted-out one bit ORed into bit 0, so rounding still sees them. */
static inline uint64_t shr_jam64(uint64_t v, int n)
{
	if (n <= 0)
		return v;
	if (n >= 64)
		return v != 0;
	return (v >> n) | ((v << (64 - n)) != 0);
}

static inline u128 shr_jam128(u128 v, int n)
{
	if (n <= 0)
		return v;
	if (n >= 128)
		return v != 0;
	return (v >> n) | ((v << (128 - n)) != 0);
}

SF_INLINE struct sf_unp unpack(const struct sf_fmt *f, uint64_t raw)
{
	struct sf_unp u;
	uint64_t mmask = (1ull << f->mbits) - 1;
	int bexp = (int)((raw >> f->mbits) & ((1u << f->ebits) - 1));
	uint64_t frac = raw & mmask;

	u.sign = (raw >> (f->mbits + f->ebits)) & 1;
	u.exp = 0;
	u.sig = 0;
	if (bexp == (1 << f->ebits) - 1) {
		if (frac == 0)
			u.cls = CL_INF;
		else
			u.cls = (frac >> (f->mbits - 1)) & 1 ? CL_QNAN : CL_SNAN;
	} else if (bexp == 0) {
		if (frac == 0) {
			u.cls = CL_ZERO;
		} else {
			int s = __builtin_clzll(frac);
			u.cls = CL_FINITE;
			u.sig = frac << s;
			u.exp = fmt_emin(f) - f->mbits + 63 - s;
		}
	} else {
		u.cls = CL_FINITE;
		u.sig = (frac | (1ull << f->mbits)) << (63 - f->mbits);
		u.exp = bexp - f->emax;
	}
	return u;
}

static inline bool is_nan(const struct sf_unp *u)
{
	return u->cls == CL_QNAN || u->cls == CL_SNAN;
}

/* Whether to add one unit in the last kept place, given the dropped bits rem and the value
 * half of one such unit. */
static inline bool round_up(uint64_t rem, uint64_t half, bool odd, bool sign, int rm)
{
	switch (rm) {
	case SF_RTZ:
		return false;
	case SF_RDN:
		return rem != 0 && sign;
	case SF_RUP:
		return rem != 0 && !sign;
	case SF_RMM:
		return rem >= half;
	default:
		return rem > half || (rem == half && odd);
	}
}

SF_INLINE uint64_t overflow(const struct sf_fmt *f, bool sign, int rm, unsigned *fl)
{
	bool to_inf = rm == SF_RNE || rm == SF_RMM || (rm == SF_RUP && !sign) ||
		      (rm == SF_RDN && sign) || rm > SF_RMM;

	*fl |= SF_OF | SF_NX;
	if (to_inf)
		return fmt_inf(f, sign);
	/* largest finite: all-ones fraction under the largest normal exponent */
	return fmt_inf(f, sign) - 1;
}

/* Round (-1)^sign * sig * 2^(exp-63) (sig has bit 63 set, low bits sticky) into format f. */
SF_INLINE uint64_t round_pack(const struct sf_fmt *f, bool sign, int exp, uint64_t sig, int rm,
			      unsigned *fl)
{
	int drop = 63 - f->mbits;
	uint64_t half = 1ull << (drop - 1);
	uint64_t mask = (1ull << drop) - 1;
	uint64_t sbit = fmt_zero(f, sign);
	int emin = fmt_emin(f);
	uint64_t k, rem;

	if (exp < emin) {
		/* RISC-V detects tininess after rounding: only a value that would round up to
		 * 2^emin given an unbounded exponent escapes being tiny. */
		bool tiny = true;
		if (exp == emin - 1) {
			rem = sig & mask;
			k = (sig >> drop) + round_up(rem, half, (sig >> drop) & 1, sign, rm);
			if (k >> (f->mbits + 1))
				tiny = false;
		}
		sig = shr_jam64(sig, emin - exp);
		rem = sig & mask;
		k = (sig >> drop) + round_up(rem, half, (sig >> drop) & 1, sign, rm);
		if (rem) {
			*fl |= SF_NX;
			if (tiny)
				*fl |= SF_UF;
		}
		/* a carry into bit mbits lands in the exponent field as the smallest normal */
		return sbit | k;
	}
	rem = sig & mask;
	k = (sig >> drop) + round_up(rem, half, (sig >> drop) & 1, sign, rm);
	if (k >> (f->mbits + 1)) {
		k >>= 1;
		exp++;
	}
	if (exp > f->emax)
		return overflow(f, sign, rm, fl);
	if (rem)
		*fl |= SF_NX;
	return sbit + ((uint64_t)(exp + f->emax - 1) << f->mbits) + k;
}

/* Round (-1)^sign * w * 2^(ew - 125), w != 0, into format f. */
SF_INLINE uint64_t round_pack_wide(const struct sf_fmt *f, bool sign, int ew, u128 w, int rm,
				   unsigned *fl)
{
	int s = clz128(w);
	uint64_t hi, lo;

	w <<= s;
	hi = (uint64_t)(w >> 64);
	lo = (uint64_t)w;
	return round_pack(f, sign, ew + 2 - s, hi | (lo != 0), rm, fl);
}

/* Sum of two wide operands x * 2^(ex-125) and y * 2^(ey-125), each below 2^126, rounded.
 * The smaller-exponent operand is jammed into its sticky bit; with the leading ones at bit 124
 * or 125 that loses nothing the rounding could see, even under cancellation. */
SF_INLINE uint64_t add_wide(const struct sf_fmt *f, bool sx, int ex, u128 x, bool sy, int ey,
			    u128 y, int rm, unsigned *fl)
{
	u128 w;
	bool sign;

	if (ex < ey) {
		u128 t = x;
		bool ts = sx;
		int te = ex;
		x = y, sx = sy, ex = ey;
		y = t, sy = ts, ey = te;
	}
	y = shr_jam128(y, ex - ey);
	if (sx == sy) {
		w = x + y;
		sign = sx;
	} else if (x >= y) {
		w = x - y;
		sign = sx;
	} else {
		w = y - x;
		sign = sy;
	}
	if (w == 0) /* exact cancellation: +0, or -0 when rounding down */
		return fmt_zero(f, rm == SF_RDN);
	return round_pack_wide(f, sign, ex, w, rm, fl);
}

SF_INLINE uint64_t nan_result(const struct sf_fmt *f, const struct sf_unp *a,
			      const struct sf_unp *b, unsigned *fl)
{
	if (a->cls == CL_SNAN || (b && b->cls == CL_SNAN))
		*fl |= SF_NV;
	return f->canon_nan;
}

SF_INLINE uint64_t gen_add(const struct sf_fmt *f, uint64_t a, uint64_t b, int rm, unsigned *fl)
{
	struct sf_unp x = unpack(f, a), y = unpack(f, b);

	if (is_nan(&x) || is_nan(&y))
		return nan_result(f, &x, &y, fl);
	if (x.cls == CL_INF) {
		if (y.cls == CL_INF && x.sign != y.sign) {
			*fl |= SF_NV;
			return f->canon_nan;
		}
		return a;
	}
	if (y.cls == CL_INF)
		return b;
	if (x.cls == CL_ZERO && y.cls == CL_ZERO)
		return fmt_zero(f, x.sign == y.sign ? x.sign : rm == SF_RDN);
	if (x.cls == CL_ZERO)
		return b;
	if (y.cls == CL_ZERO)
		return a;
	return add_wide(f, x.sign, x.exp, (u128)x.sig << 62, y.sign, y.exp, (u128)y.sig << 62, rm,
			fl);
}

SF_INLINE uint64_t gen_mul(const struct sf_fmt *f, uint64_t a, uint64_t b, int rm, unsigned *fl)
{
	struct sf_unp x = unpack(f, a), y = unpack(f, b);
	bool sign = x.sign != y.sign;

	if (is_nan(&x) || is_nan(&y))
		return nan_result(f, &x, &y, fl);
	if (x.cls == CL_INF || y.cls == CL_INF) {
		if (x.cls == CL_ZERO || y.cls == CL_ZERO) {
			*fl |= SF_NV;
			return f->canon_nan;
		}
		return fmt_inf(f, sign);
	}
	if (x.cls == CL_ZERO || y.cls == CL_ZERO)
		return fmt_zero(f, sign);
	/* sig product is value * 2^(126 - ex - ey), i.e. ew = ex + ey - 1 */
	return round_pack_wide(f, sign, x.exp + y.exp - 1, (u128)x.sig * y.sig, rm, fl);
}

SF_INLINE uint64_t gen_div(const struct sf_fmt *f, uint64_t a, uint64_t b, int rm, unsigned *fl)
{
	struct sf_unp x = unpack(f, a), y = unpack(f, b);
	bool sign = x.sign != y.sign;

	if (is_nan(&x) || is_nan(&y))
		return nan_result(f, &x, &y, fl);
	if (x.cls == CL_INF) {
		if (y.cls == CL_INF) {
			*fl |= SF_NV;
			return f->canon_nan;
		}
		return fmt_inf(f, sign);
	}
	if (y.cls == CL_INF)
		return fmt_zero(f, sign);
	if (y.cls == CL_ZERO) {
		if (x.cls == CL_ZERO) {
			*fl |= SF_NV;
			return f->canon_nan;
		}
		*fl |= SF_DZ;
		return fmt_inf(f, sign);
	}
	if (x.cls == CL_ZERO)
		return fmt_zero(f, sign);
	if (f->mbits <= 30) {
		/* narrow significands: one 64-bit division gives 39+ quotient bits */
		uint64_t n = (x.sig >> (63 - f->mbits)) << 39, d = y.sig >> (63 - f->mbits);
		uint64_t q = n / d;
		q |= (n - q * d) != 0;
		return round_pack_wide(f, sign, x.exp - y.exp + 125 - 39, q, rm, fl);
	} else {
		u128 n = (u128)x.sig << 64;
		u128 q = n / y.sig;
		q |= (n - q * y.sig) != 0;
		return round_pack_wide(f, sign, x.exp - y.exp + 125 - 64, q, rm, fl);
	}
}

/* floor(sqrt(v)) for v < 2^64. */
static uint64_t isqrt64(uint64_t v)
{
	uint64_t r, n;

	if (v < 2)
		return v;
	/* start above the root and let Newton descend monotonically */
	r = 1ull << ((64 - __builtin_clzll(v) + 1) / 2);
	for (;;) {
		n = (r + v / r) / 2;
		if (n >= r)
			return r;
		r = n;
	}
}

/* floor(sqrt(v)) for 2^126 <= v < 2^128: a 32-bit root of the top half, then Newton in 128 bits. */
static uint64_t isqrt128(u128 v)
{
	u128 r = ((u128)isqrt64((uint64_t)(v >> 64)) + 1) << 32, n;

	if (r >> 64)
		r = ~0ull; /* floor(sqrt(v)) < 2^64 is still an upper bound */
	for (;;) {
		n = (r + v / r) / 2;
		if (n >= r)
			return (uint64_t)r;
		r = n;
	}
}

SF_INLINE uint64_t gen_sqrt(const struct sf_fmt *f, uint64_t a, int rm, unsigned *fl)
{
	struct sf_unp x = unpack(f, a);
	u128 m;
	uint64_t r;
	int k, e;

	if (is_nan(&x))
		return nan_result(f, &x, NULL, fl);
	if (x.cls == CL_ZERO)
		return a;
	if (x.sign) {
		*fl |= SF_NV;
		return f->canon_nan;
	}
	if (x.cls == CL_INF)
		return a;
	/* k makes the exponent exp-63-k even and leaves the radicand in [2^126, 2^128) */
	k = ((x.exp - 63) & 1) ? 63 : 64;
	m = (u128)x.sig << k;
	r = isqrt128(m);
	e = (x.exp - 63 - k) / 2 + 63;
	return round_pack(f, false, e, r | ((u128)r * r != m), rm, fl);
}

SF_INLINE uint64_t gen_fma(const struct sf_fmt *f, uint64_t a, uint64_t b, uint64_t c, int rm,
			   unsigned *fl)
{
	struct sf_unp x = unpack(f, a), y = unpack(f, b), z = unpack(f, c);
	bool sp = x.sign != y.sign;
	bool infzero =
	    (x.cls == CL_INF && y.cls == CL_ZERO) || (x.cls == CL_ZERO && y.cls == CL_INF);

	if (is_nan(&x) || is_nan(&y) || is_nan(&z)) {
		/* RISC-V (and QEMU): inf*0 is invalid even when c is a quiet NaN */
		if (infzero || x.cls == CL_SNAN || y.cls == CL_SNAN || z.cls == CL_SNAN)
			*fl |= SF_NV;
		return f->canon_nan;
	}
	if (infzero) {
		*fl |= SF_NV;
		return f->canon_nan;
	}
	if (x.cls == CL_INF || y.cls == CL_INF) {
		if (z.cls == CL_INF && z.sign != sp) {
			*fl |= SF_NV;
			return f->canon_nan;
		}
		return fmt_inf(f, sp);
	}
	if (z.cls == CL_INF)
		return c;
	if (x.cls == CL_ZERO || y.cls == CL_ZERO) {
		if (z.cls == CL_ZERO)
			return fmt_zero(f, sp == z.sign ? sp : rm == SF_RDN);
		return c;
	}
	if (z.cls == CL_ZERO)
		return round_pack_wide(f, sp, x.exp + y.exp - 1, (u128)x.sig * y.sig, rm, fl);
	/* the product's low 22+ bits are zero, so shifting it down 2 for headroom is exact */
	return add_wide(f, sp, x.exp + y.exp + 1, ((u128)x.sig * y.sig) >> 2, z.sign, z.exp,
			(u128)z.sig << 62, rm, fl);
}

/* Ordering of two non-NaN values, treating -0 as below +0 (what min/max need). */
SF_INLINE bool total_lt(const struct sf_fmt *f, uint64_t a, uint64_t b)
{
	bool sa = (a & fmt_signbit(f)) != 0, sb = (b & fmt_signbit(f)) != 0;

	if (sa != sb)
		return sa;
	return sa ? a > b : a < b;
}

SF_INLINE uint64_t gen_minmax(const struct sf_fmt *f, uint64_t a, uint64_t b, bool want_max,
			      unsigned *fl)
{
	struct sf_unp x = unpack(f, a), y = unpack(f, b);

	if (x.cls == CL_SNAN || y.cls == CL_SNAN)
		*fl |= SF_NV;
	if (is_nan(&x) && is_nan(&y))
		return f->canon_nan;
	if (is_nan(&x))
		return b;
	if (is_nan(&y))
		return a;
	return total_lt(f, a, b) != want_max ? a : b;
}

/* IEEE ordering of two non-NaN values: -1, 0 or 1. */
SF_INLINE int ieee_cmp(const struct sf_fmt *f, uint64_t a, uint64_t b)
{
	uint64_t mag = fmt_signbit(f) - 1;

	if ((a & mag) == 0 && (b & mag) == 0)
		return 0;
	if (a == b)
		return 0;
	return total_lt(f, a, b) ? -1 : 1;
}

/* The ordering -1/0/1, or 2 when unordered (after raising NV as the comparison kind demands). */
SF_INLINE int gen_cmp(const struct sf_fmt *f, uint64_t a, uint64_t b, bool signalling, unsigned *fl)
{
	struct sf_unp x = unpack(f, a), y = unpack(f, b);

	if (is_nan(&x) || is_nan(&y)) {
		if (signalling || x.cls == CL_SNAN || y.cls == CL_SNAN)
			*fl |= SF_NV;
		return 2;
	}
	return ieee_cmp(f, a, b);
}

SF_INLINE unsigned gen_class(const struct sf_fmt *f, uint64_t a)
{
	struct sf_unp x = unpack(f, a);
	int bexp = (int)((a >> f->mbits) & ((1u << f->ebits) - 1));

	switch (x.cls) {
	case CL_INF:
		return x.sign ? 1u << 0 : 1u << 7;
	case CL_ZERO:
		return x.sign ? 1u << 3 : 1u << 4;
	case CL_SNAN:
		return 1u << 8;
	case CL_QNAN:
		return 1u << 9;
	default:
		if (bexp == 0)
			return x.sign ? 1u << 2 : 1u << 5;
		return x.sign ? 1u << 1 : 1u << 6;
	}
}

/* Float to integer of nbits bits, signed or not, with RISC-V saturation. The result is the
 * two's-complement bit pattern; callers narrow it. */
SF_INLINE uint64_t gen_to_int(const struct sf_fmt *f, uint64_t a, int rm, bool is_signed, int nbits,
			      unsigned *fl)
{
	struct sf_unp x = unpack(f, a);
	uint64_t umax = nbits == 64 ? ~0ull : (1ull << nbits) - 1;
	uint64_t smax = umax >> 1, ip, fr;
	u128 mag;
	int sh;

	if (is_nan(&x)) {
		*fl |= SF_NV;
		return is_signed ? smax : umax;
	}
	if (x.cls == CL_ZERO)
		return 0;
	if (x.cls == CL_INF || x.exp > 63)
		goto invalid;
	sh = 63 - x.exp;
	if (sh == 0) {
		ip = x.sig;
		fr = 0;
	} else if (sh < 64) {
		ip = x.sig >> sh;
		fr = x.sig << (64 - sh);
	} else {
		ip = 0;
		fr = shr_jam64(x.sig, sh - 64);
	}
	mag = (u128)ip + round_up(fr, 1ull << 63, ip & 1, x.sign, rm);
	if (is_signed) {
		if (x.sign ? mag > (u128)smax + 1 : mag > smax)
			goto invalid;
	} else {
		if (x.sign ? mag != 0 : mag > umax)
			goto invalid;
	}
	if (fr)
		*fl |= SF_NX;
	return x.sign ? 0 - (uint64_t)mag : (uint64_t)mag;
invalid:
	*fl |= SF_NV;
	if (!x.sign)
		return is_signed ? smax : umax;
	return is_signed ? ~smax : 0;
}

SF_INLINE uint64_t gen_from_int(const struct sf_fmt *f, bool sign, uint64_t mag, int rm,
				unsigned *fl)
{
	int s;

	if (mag == 0)
		return 0;
	s = __builtin_clzll(mag);
	return round_pack(f, sign, 63 - s, mag << s, rm, fl);
}

/* Re-round a value of format from into format to (exact when widening). */
SF_INLINE uint64_t gen_convert(const struct sf_fmt *to, const struct sf_fmt *from, uint64_t a,
			       int rm, unsigned *fl)
{
	struct sf_unp x = unpack(from, a);

	switch (x.cls) {
	case CL_SNAN:
	case CL_QNAN:
		return nan_result(to, &x, NULL, fl);
	case CL_INF:
		return fmt_inf(to, x.sign);
	case CL_ZERO:
		return fmt_zero(to, x.sign);
	default:
		return round_pack(to, x.sign, x.exp, x.sig, rm, fl);
	}
}

/* ---- binary32 ---- */

uint32_t sf32_add(uint32_t a, uint32_t b, int rm, unsigned *fl)
{
	return (uint32_t)gen_add(&F32, a, b, rm, fl);
}

uint32_t sf32_sub(uint32_t a, uint32_t b, int rm, unsigned *fl)
{
	return (uint32_t)gen_add(&F32, a, b ^ 0x80000000u, rm, fl);
}

uint32_t sf32_mul(uint32_t a, uint32_t b, int rm, unsigned *fl)
{
	return (uint32_t)gen_mul(&F32, a, b, rm, fl);
}

uint32_t sf32_div(uint32_t a, uint32_t b, int rm, unsigned *fl)
{
	return (uint32_t)gen_div(&F32, a, b, rm, fl);
}

uint32_t sf32_sqrt(uint32_t a, int rm, unsigned *fl)
{
	return (uint32_t)gen_sqrt(&F32, a, rm, fl);
}

uint32_t sf32_fma(uint32_t a, uint32_t b, uint32_t c, int rm, unsigned *fl)
{
	return (uint32_t)gen_fma(&F32, a, b, c, rm, fl);
}

uint32_t sf32_min(uint32_t a, uint32_t b, unsigned *fl)
{
	return (uint32_t)gen_minmax(&F32, a, b, false, fl);
}

uint32_t sf32_max(uint32_t a, uint32_t b, unsigned *fl)
{
	return (uint32_t)gen_minmax(&F32, a, b, true, fl);
}

int sf32_eq(uint32_t a, uint32_t b, unsigned *fl)
{
	return gen_cmp(&F32, a, b, false, fl) == 0;
}

int sf32_lt(uint32_t a, uint32_t b, unsigned *fl)
{
	return gen_cmp(&F32, a, b, true, fl) == -1;
}

int sf32_le(uint32_t a, uint32_t b, unsigned *fl)
{
	int c = gen_cmp(&F32, a, b, true, fl);
	return c == -1 || c == 0;
}

unsigned sf32_class(uint32_t a)
{
	return gen_class(&F32, a);
}

int32_t sf32_to_i32(uint32_t a, int rm, unsigned *fl)
{
	return (int32_t)(uint32_t)gen_to_int(&F32, a, rm, true, 32, fl);
}

uint32_t sf32_to_u32(uint32_t a, int rm, unsigned *fl)
{
	return (uint32_t)gen_to_int(&F32, a, rm, false, 32, fl);
}

int64_t sf32_to_i64(uint32_t a, int rm, unsigned *fl)
{
	return (int64_t)gen_to_int(&F32, a, rm, true, 64, fl);
}

uint64_t sf32_to_u64(uint32_t a, int rm, unsigned *fl)
{
	return gen_to_int(&F32, a, rm, false, 64, fl);
}

uint32_t sf32_from_i32(int32_t v, int rm, unsigned *fl)
{
	return (uint32_t)gen_from_int(&F32, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, fl);
}

uint32_t sf32_from_u32(uint32_t v, int rm, unsigned *fl)
{
	return (uint32_t)gen_from_int(&F32, false, v, rm, fl);
}

uint32_t sf32_from_i64(int64_t v, int rm, unsigned *fl)
{
	return (uint32_t)gen_from_int(&F32, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, fl);
}

uint32_t sf32_from_u64(uint64_t v, int rm, unsigned *fl)
{
	return (uint32_t)gen_from_int(&F32, false, v, rm, fl);
}

/* ---- binary64 ---- */

uint64_t sf64_add(uint64_t a, uint64_t b, int rm, unsigned *fl)
{
	return gen_add(&F64, a, b, rm, fl);
}

uint64_t sf64_sub(uint64_t a, uint64_t b, int rm, unsigned *fl)
{
	return gen_add(&F64, a, b ^ (1ull << 63), rm, fl);
}

uint64_t sf64_mul(uint64_t a, uint64_t b, int rm, unsigned *fl)
{
	return gen_mul(&F64, a, b, rm, fl);
}

uint64_t sf64_div(uint64_t a, uint64_t b, int rm, unsigned *fl)
{
	return gen_div(&F64, a, b, rm, fl);
}

uint64_t sf64_sqrt(uint64_t a, int rm, unsigned *fl)
{
	return gen_sqrt(&F64, a, rm, fl);
}

uint64_t sf64_fma(uint64_t a, uint64_t b, uint64_t c, int rm, unsigned *fl)
{
	return gen_fma(&F64, a, b, c, rm, fl);
}

uint64_t sf64_min(uint64_t a, uint64_t b, unsigned *fl)
{
	return gen_minmax(&F64, a, b, false, fl);
}

uint64_t sf64_max(uint64_t a, uint64_t b, unsigned *fl)
{
	return gen_minmax(&F64, a, b, true, fl);
}

int sf64_eq(uint64_t a, uint64_t b, unsigned *fl)
{
	return gen_cmp(&F64, a, b, false, fl) == 0;
}

int sf64_lt(uint64_t a, uint64_t b, unsigned *fl)
{
	return gen_cmp(&F64, a, b, true, fl) == -1;
}

int sf64_le(uint64_t a, uint64_t b, unsigned *fl)
{
	int c = gen_cmp(&F64, a, b, true, fl);
	return c == -1 || c == 0;
}

unsigned sf64_class(uint64_t a)
{
	return gen_class(&F64, a);
}

int32_t sf64_to_i32(uint64_t a, int rm, unsigned *fl)
{
	return (int32_t)(uint32_t)gen_to_int(&F64, a, rm, true, 32, fl);
}

uint32_t sf64_to_u32(uint64_t a, int rm, unsigned *fl)
{
	return (uint32_t)gen_to_int(&F64, a, rm, false, 32, fl);
}

int64_t sf64_to_i64(uint64_t a, int rm, unsigned *fl)
{
	return (int64_t)gen_to_int(&F64, a, rm, true, 64, fl);
}

uint64_t sf64_to_u64(uint64_t a, int rm, unsigned *fl)
{
	return gen_to_int(&F64, a, rm, false, 64, fl);
}

uint64_t sf64_from_i32(int32_t v, int rm, unsigned *fl)
{
	return gen_from_int(&F64, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, fl);
}

uint64_t sf64_from_u32(uint32_t v, int rm, unsigned *fl)
{
	return gen_from_int(&F64, false, v, rm, fl);
}

uint64_t sf64_from_i64(int64_t v, int rm, unsigned *fl)
{
	return gen_from_int(&F64, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, fl);
}

uint64_t sf64_from_u64(uint64_t v, int rm, unsigned *fl)
{
	return gen_from_int(&F64, false, v, rm, fl);
}

uint64_t sf32_to_f64(uint32_t a, unsigned *fl)
{
	return gen_convert(&F64, &F32, a, SF_RNE, fl);
}

uint32_t sf64_to_f32(uint64_t a, int rm, unsigned *fl)
{
	return (uint32_t)gen_convert(&F32, &F64, a, rm, fl);
}

/* ---- binary16 (Zfh): the same generic code with F16's descriptor ---- */

uint16_t sf16_add(uint16_t a, uint16_t b, int rm, unsigned *fl)
{
	return (uint16_t)gen_add(&F16, a, b, rm, fl);
}

uint16_t sf16_sub(uint16_t a, uint16_t b, int rm, unsigned *fl)
{
	return (uint16_t)gen_add(&F16, a, b ^ 0x8000u, rm, fl);
}

uint16_t sf16_mul(uint16_t a, uint16_t b, int rm, unsigned *fl)
{
	return (uint16_t)gen_mul(&F16, a, b, rm, fl);
}

uint16_t sf16_div(uint16_t a, uint16_t b, int rm, unsigned *fl)
{
	return (uint16_t)gen_div(&F16, a, b, rm, fl);
}

uint16_t sf16_sqrt(uint16_t a, int rm, unsigned *fl)
{
	return (uint16_t)gen_sqrt(&F16, a, rm, fl);
}

uint16_t sf16_fma(uint16_t a, uint16_t b, uint16_t c, int rm, unsigned *fl)
{
	return (uint16_t)gen_fma(&F16, a, b, c, rm, fl);
}

uint16_t sf16_min(uint16_t a, uint16_t b, unsigned *fl)
{
	return (uint16_t)gen_minmax(&F16, a, b, false, fl);
}

uint16_t sf16_max(uint16_t a, uint16_t b, unsigned *fl)
{
	return (uint16_t)gen_minmax(&F16, a, b, true, fl);
}

int sf16_eq(uint16_t a, uint16_t b, unsigned *fl)
{
	return gen_cmp(&F16, a, b, false, fl) == 0;
}

int sf16_lt(uint16_t a, uint16_t b, unsigned *fl)
{
	return gen_cmp(&F16, a, b, true, fl) == -1;
}

int sf16_le(uint16_t a, uint16_t b, unsigned *fl)
{
	int c = gen_cmp(&F16, a, b, true, fl);
	return c == -1 || c == 0;
}

unsigned sf16_class(uint16_t a)
{
	return gen_class(&F16, a);
}

int64_t sf16_to_int(uint16_t a, int rm, bool is_signed, int nbits, unsigned *fl)
{
	return (int64_t)gen_to_int(&F16, a, rm, is_signed, nbits, fl);
}

uint16_t sf16_from_i64(int64_t v, int rm, unsigned *fl)
{
	return (uint16_t)gen_from_int(&F16, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, rm, fl);
}

uint16_t sf16_from_u64(uint64_t v, int rm, unsigned *fl)
{
	return (uint16_t)gen_from_int(&F16, false, v, rm, fl);
}

uint32_t sf16_to_f32(uint16_t a, unsigned *fl)
{
	return (uint32_t)gen_convert(&F32, &F16, a, SF_RNE, fl);
}

uint64_t sf16_to_f64(uint16_t a, unsigned *fl)
{
	return gen_convert(&F64, &F16, a, SF_RNE, fl);
}

uint16_t sf32_to_f16(uint32_t a, int rm, unsigned *fl)
{
	return (uint16_t)gen_convert(&F16, &F32, a, rm, fl);
}

uint16_t sf64_to_f16(uint64_t a, int rm, unsigned *fl)
{
	return (uint16_t)gen_convert(&F16, &F64, a, rm, fl);
}
