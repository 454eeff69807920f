/* softfloat — IEEE 754 binary16/binary32/binary64 arithmetic in integer code, with RISC-V
 * semantics. Bit-exact and host-independent: every rounding mode (including RMM, which x86 lacks),
 * exception flags in the fflags layout, tininess detected after rounding, and RISC-V's canonical
 * NaN as the result of every operation that produces a NaN. Values travel as raw bit patterns. Each
 * function ORs the exceptions it raises into *fl. */
#ifndef STRATA_CPU_SOFTFLOAT_H
#define STRATA_CPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* fflags bits */
#define SF_NX 0x01u /* inexact */
#define SF_UF 0x02u /* underflow */
#define SF_OF 0x04u /* overflow */
#define SF_DZ 0x08u /* divide by zero */
#define SF_NV 0x10u /* invalid */

/* rounding modes, encoded as in the frm CSR / instruction rm field */
enum sf_rm { SF_RNE = 0, SF_RTZ = 1, SF_RDN = 2, SF_RUP = 3, SF_RMM = 4 };

#define SF16_CANON_NAN 0x7e00u
#define SF32_CANON_NAN 0x7fc00000u
#define SF64_CANON_NAN 0x7ff8000000000000ull

/* a + b, a - b, a * b, a / b, sqrt(a): correctly rounded in mode rm. */
uint32_t sf32_add(uint32_t a, uint32_t b, int rm, unsigned *fl);
uint32_t sf32_sub(uint32_t a, uint32_t b, int rm, unsigned *fl);
uint32_t sf32_mul(uint32_t a, uint32_t b, int rm, unsigned *fl);
uint32_t sf32_div(uint32_t a, uint32_t b, int rm, unsigned *fl);
uint32_t sf32_sqrt(uint32_t a, int rm, unsigned *fl);
/* a * b + c with a single rounding (callers negate operands for fmsub/fnmadd/fnmsub). */
uint32_t sf32_fma(uint32_t a, uint32_t b, uint32_t c, int rm, unsigned *fl);
/* fmin/fmax per RISC-V F 2.2: -0 < +0; one NaN operand -> the other; both NaN -> canonical NaN;
 * a signalling NaN operand raises NV. */
uint32_t sf32_min(uint32_t a, uint32_t b, unsigned *fl);
uint32_t sf32_max(uint32_t a, uint32_t b, unsigned *fl);
/* feq is quiet (NV only for sNaN); flt/fle signal NV for any NaN. Return 0 or 1. */
int sf32_eq(uint32_t a, uint32_t b, unsigned *fl);
int sf32_lt(uint32_t a, uint32_t b, unsigned *fl);
int sf32_le(uint32_t a, uint32_t b, unsigned *fl);
/* fclass: the 10-bit one-hot mask of the RISC-V spec. */
unsigned sf32_class(uint32_t a);
/* Float -> integer with RISC-V saturation: NaN and +overflow -> max, -overflow -> min; NV on
 * invalid, NX when inexact. */
int32_t sf32_to_i32(uint32_t a, int rm, unsigned *fl);
uint32_t sf32_to_u32(uint32_t a, int rm, unsigned *fl);
int64_t sf32_to_i64(uint32_t a, int rm, unsigned *fl);
uint64_t sf32_to_u64(uint32_t a, int rm, unsigned *fl);
uint32_t sf32_from_i32(int32_t v, int rm, unsigned *fl);
uint32_t sf32_from_u32(uint32_t v, int rm, unsigned *fl);
uint32_t sf32_from_i64(int64_t v, int rm, unsigned *fl);
uint32_t sf32_from_u64(uint64_t v, int rm, unsigned *fl);

uint64_t sf64_add(uint64_t a, uint64_t b, int rm, unsigned *fl);
uint64_t sf64_sub(uint64_t a, uint64_t b, int rm, unsigned *fl);
uint64_t sf64_mul(uint64_t a, uint64_t b, int rm, unsigned *fl);
uint64_t sf64_div(uint64_t a, uint64_t b, int rm, unsigned *fl);
uint64_t sf64_sqrt(uint64_t a, int rm, unsigned *fl);
uint64_t sf64_fma(uint64_t a, uint64_t b, uint64_t c, int rm, unsigned *fl);
uint64_t sf64_min(uint64_t a, uint64_t b, unsigned *fl);
uint64_t sf64_max(uint64_t a, uint64_t b, unsigned *fl);
int sf64_eq(uint64_t a, uint64_t b, unsigned *fl);
int sf64_lt(uint64_t a, uint64_t b, unsigned *fl);
int sf64_le(uint64_t a, uint64_t b, unsigned *fl);
unsigned sf64_class(uint64_t a);
int32_t sf64_to_i32(uint64_t a, int rm, unsigned *fl);
uint32_t sf64_to_u32(uint64_t a, int rm, unsigned *fl);
int64_t sf64_to_i64(uint64_t a, int rm, unsigned *fl);
uint64_t sf64_to_u64(uint64_t a, int rm, unsigned *fl);
uint64_t sf64_from_i32(int32_t v, int rm, unsigned *fl);
uint64_t sf64_from_u32(uint32_t v, int rm, unsigned *fl);
uint64_t sf64_from_i64(int64_t v, int rm, unsigned *fl);
uint64_t sf64_from_u64(uint64_t v, int rm, unsigned *fl);

/* Conversions between formats (fcvt.d.s is exact apart from NaNs and sNaN's NV). */
uint64_t sf32_to_f64(uint32_t a, unsigned *fl);
uint32_t sf64_to_f32(uint64_t a, int rm, unsigned *fl);

/* binary16 (Zfh), with the same contracts as the binary32 functions above. */
uint16_t sf16_add(uint16_t a, uint16_t b, int rm, unsigned *fl);
uint16_t sf16_sub(uint16_t a, uint16_t b, int rm, unsigned *fl);
uint16_t sf16_mul(uint16_t a, uint16_t b, int rm, unsigned *fl);
uint16_t sf16_div(uint16_t a, uint16_t b, int rm, unsigned *fl);
uint16_t sf16_sqrt(uint16_t a, int rm, unsigned *fl);
uint16_t sf16_fma(uint16_t a, uint16_t b, uint16_t c, int rm, unsigned *fl);
uint16_t sf16_min(uint16_t a, uint16_t b, unsigned *fl);
uint16_t sf16_max(uint16_t a, uint16_t b, unsigned *fl);
int sf16_eq(uint16_t a, uint16_t b, unsigned *fl);
int sf16_lt(uint16_t a, uint16_t b, unsigned *fl);
int sf16_le(uint16_t a, uint16_t b, unsigned *fl);
unsigned sf16_class(uint16_t a);
/* To a signed or unsigned integer of nbits (32 or 64), saturating; the result sign-extended. */
int64_t sf16_to_int(uint16_t a, int rm, bool is_signed, int nbits, unsigned *fl);
uint16_t sf16_from_i64(int64_t v, int rm, unsigned *fl);
uint16_t sf16_from_u64(uint64_t v, int rm, unsigned *fl);
/* Widening conversions are exact apart from NaNs; narrowing ones round in rm. */
uint32_t sf16_to_f32(uint16_t a, unsigned *fl);
uint64_t sf16_to_f64(uint16_t a, unsigned *fl);
uint16_t sf32_to_f16(uint32_t a, int rm, unsigned *fl);
uint16_t sf64_to_f16(uint64_t a, int rm, unsigned *fl);

#endif
