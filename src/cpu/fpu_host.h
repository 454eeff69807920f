/* fpu_host.h — host-FPU fast path for the common FP case, round-to-nearest-even.
 *
 * For non-NaN results the host's SSE/FMA arithmetic is IEEE 754 with the same tininess rule as
 * RISC-V (after rounding), so results and exception flags are bit-identical to softfloat's. The
 * host accrues those flags sticky in MXCSR just as RISC-V accrues fflags, so they are folded into
 * the hart's fflags only when someone looks: before any CSR access and when exec_run returns
 * (fpu_host_collect). A NaN result takes the softfloat path, which owns RISC-V's NaN rules
 * (canonical NaN, fma's inf*0+qNaN invalid); the flags the host also raised for it are ones
 * softfloat raises too. Other rounding modes go to softfloat directly. */
#ifndef STRATA_CPU_FPU_HOST_H
#define STRATA_CPU_FPU_HOST_H

#include "cpu/softfloat.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#define FPU_HOST 1

/* MXCSR exception flags in RISC-V fflags order */
static inline unsigned fpu_host_take_flags(void)
{
	uint32_t csr;
	unsigned fl = 0;

	__asm__ volatile("stmxcsr %0" : "=m"(csr) : : "memory");
	if (!(csr & 0x3d))
		return 0;
	fl |= (csr & 0x20) ? SF_NX : 0; /* PE */
	fl |= (csr & 0x10) ? SF_UF : 0; /* UE */
	fl |= (csr & 0x08) ? SF_OF : 0; /* OE */
	fl |= (csr & 0x04) ? SF_DZ : 0; /* ZE */
	fl |= (csr & 0x01) ? SF_NV : 0; /* IE */
	csr &= ~0x3fu;
	__asm__ volatile("ldmxcsr %0" : : "m"(csr) : "memory");
	return fl;
}
#else
#define FPU_HOST 0
static inline unsigned fpu_host_take_flags(void)
{
	return 0;
}
#endif

static inline double fh_d(uint64_t v)
{
	double d;
	memcpy(&d, &v, 8);
	return d;
}
static inline uint64_t fh_u64(double d)
{
	uint64_t v;
	memcpy(&v, &d, 8);
	return v;
}
static inline float fh_f(uint32_t v)
{
	float f;
	memcpy(&f, &v, 4);
	return f;
}
static inline uint32_t fh_u32(float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	return v;
}

/* Binary op: host result when rm is RNE and the result is not a NaN, else softfloat. */
#define FH_BINOP(name, bits, ctype, conv, back, op)                                                \
	static inline uint##bits##_t fh_##name##bits(uint##bits##_t a, uint##bits##_t b,           \
						     unsigned rm, unsigned *fl)                    \
	{                                                                                          \
		if (FPU_HOST && rm == SF_RNE) {                                                    \
			ctype r = conv(a) op conv(b);                                              \
			if (r == r)                                                                \
				return back(r);                                                    \
		}                                                                                  \
		return sf##bits##_##name(a, b, rm, fl);                                            \
	}
FH_BINOP(add, 32, float, fh_f, fh_u32, +)
FH_BINOP(sub, 32, float, fh_f, fh_u32, -)
FH_BINOP(mul, 32, float, fh_f, fh_u32, *)
FH_BINOP(div, 32, float, fh_f, fh_u32, /)
FH_BINOP(add, 64, double, fh_d, fh_u64, +)
FH_BINOP(sub, 64, double, fh_d, fh_u64, -)
FH_BINOP(mul, 64, double, fh_d, fh_u64, *)
FH_BINOP(div, 64, double, fh_d, fh_u64, /)

static inline uint32_t fh_fma32(uint32_t a, uint32_t b, uint32_t c, unsigned rm, unsigned *fl)
{
	if (FPU_HOST && rm == SF_RNE) {
		float r = fmaf(fh_f(a), fh_f(b), fh_f(c));
		if (r == r)
			return fh_u32(r);
	}
	return sf32_fma(a, b, c, rm, fl);
}

static inline uint64_t fh_fma64(uint64_t a, uint64_t b, uint64_t c, unsigned rm, unsigned *fl)
{
	if (FPU_HOST && rm == SF_RNE) {
		double r = fma(fh_d(a), fh_d(b), fh_d(c));
		if (r == r)
			return fh_u64(r);
	}
	return sf64_fma(a, b, c, rm, fl);
}

static inline uint32_t fh_sqrt32(uint32_t a, unsigned rm, unsigned *fl)
{
	if (FPU_HOST && rm == SF_RNE) {
		float r = sqrtf(fh_f(a));
		if (r == r)
			return fh_u32(r);
	}
	return sf32_sqrt(a, rm, fl);
}

static inline uint64_t fh_sqrt64(uint64_t a, unsigned rm, unsigned *fl)
{
	if (FPU_HOST && rm == SF_RNE) {
		double r = sqrt(fh_d(a));
		if (r == r)
			return fh_u64(r);
	}
	return sf64_sqrt(a, rm, fl);
}

#endif
