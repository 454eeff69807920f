/* exec_zfh.h — the Zfh/Zfhmin handlers, included inside exec_run() after exec_fp.h (whose macros
 * they use). Half-precision values are NaN-boxed in the 64-bit FP registers (an improperly boxed
 * operand reads as the canonical NaN) and computed by softfloat.c: there is no exact host path. */
#define FH1    unbox16(F(e->rs1))
#define FH2    unbox16(F(e->rs2))
#define FH3    unbox16(F(e->rs3))
#define SIGN16 0x8000u
/* fcvt.d.h and fcvt.h.d are Zfhmin's but need D as well */
#define D_ON()                                                                                     \
	do {                                                                                       \
		if (unlikely(!isa_has(h->cpu->isa, ISA_D)))                                        \
			ILLEGAL();                                                                 \
	} while (0)

L_FLH : FP_ON();
LOAD(uint16_t, 2);
SET_F(box16((uint16_t)val));
L_FSH : FP_ON();
STORE(2, F(e->rs2));
NEXT();
L_FMV_X_H : FP_ON();
SET_X((uint64_t)(int64_t)(int16_t)F(e->rs1));
L_FMV_H_X : FP_ON();
SET_F(box16((uint16_t)RS1));
L_FCVT_S_H : FP_RM();
SET_F(box32(sf16_to_f32(FH1, &h->fflags)));
L_FCVT_H_S : FP_RM();
SET_F(box16(sf32_to_f16(FS1, rm, &h->fflags)));
L_FCVT_D_H : D_ON();
FP_RM();
SET_F(sf16_to_f64(FH1, &h->fflags));
L_FCVT_H_D : D_ON();
FP_RM();
SET_F(box16(sf64_to_f16(FD1, rm, &h->fflags)));

L_FMADD_H : FP_RM();
SET_F(box16(sf16_fma(FH1, FH2, FH3, rm, &h->fflags)));
L_FMSUB_H : FP_RM();
SET_F(box16(sf16_fma(FH1, FH2, FH3 ^ SIGN16, rm, &h->fflags)));
L_FNMSUB_H : FP_RM();
SET_F(box16(sf16_fma(FH1 ^ SIGN16, FH2, FH3, rm, &h->fflags)));
L_FNMADD_H : FP_RM();
SET_F(box16(sf16_fma(FH1 ^ SIGN16, FH2, FH3 ^ SIGN16, rm, &h->fflags)));
L_FADD_H : FP_RM();
SET_F(box16(sf16_add(FH1, FH2, rm, &h->fflags)));
L_FSUB_H : FP_RM();
SET_F(box16(sf16_sub(FH1, FH2, rm, &h->fflags)));
L_FMUL_H : FP_RM();
SET_F(box16(sf16_mul(FH1, FH2, rm, &h->fflags)));
L_FDIV_H : FP_RM();
SET_F(box16(sf16_div(FH1, FH2, rm, &h->fflags)));
L_FSQRT_H : FP_RM();
SET_F(box16(sf16_sqrt(FH1, rm, &h->fflags)));
L_FSGNJ_H : FP_ON();
SET_F(box16((FH1 & ~SIGN16) | (FH2 & SIGN16)));
L_FSGNJN_H : FP_ON();
SET_F(box16((FH1 & ~SIGN16) | (~FH2 & SIGN16)));
L_FSGNJX_H : FP_ON();
SET_F(box16(FH1 ^ (FH2 & SIGN16)));
L_FMIN_H : FP_ON();
SET_F(box16(sf16_min(FH1, FH2, &h->fflags)));
L_FMAX_H : FP_ON();
SET_F(box16(sf16_max(FH1, FH2, &h->fflags)));
L_FEQ_H : FP_ON();
SET_X(sf16_eq(FH1, FH2, &h->fflags));
L_FLT_H : FP_ON();
SET_X(sf16_lt(FH1, FH2, &h->fflags));
L_FLE_H : FP_ON();
SET_X(sf16_le(FH1, FH2, &h->fflags));
L_FCLASS_H : FP_ON();
SET_X(sf16_class(FH1));
L_FCVT_W_H : FP_RM();
SET_X((uint64_t)(int64_t)(int32_t)sf16_to_int(FH1, rm, true, 32, &h->fflags));
L_FCVT_WU_H : FP_RM();
SET_X((uint64_t)sext32((uint64_t)sf16_to_int(FH1, rm, false, 32, &h->fflags)));
L_FCVT_L_H : FP_RM();
SET_X((uint64_t)sf16_to_int(FH1, rm, true, 64, &h->fflags));
L_FCVT_LU_H : FP_RM();
SET_X((uint64_t)sf16_to_int(FH1, rm, false, 64, &h->fflags));
L_FCVT_H_W : FP_RM();
SET_F(box16(sf16_from_i64((int32_t)RS1, rm, &h->fflags)));
L_FCVT_H_WU : FP_RM();
SET_F(box16(sf16_from_u64((uint32_t)RS1, rm, &h->fflags)));
L_FCVT_H_L : FP_RM();
SET_F(box16(sf16_from_i64((int64_t)RS1, rm, &h->fflags)));
L_FCVT_H_LU : FP_RM();
SET_F(box16(sf16_from_u64(RS1, rm, &h->fflags)));
