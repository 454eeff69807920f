/* exec_fp.h — the F and D extensions' handlers, included inside exec_run(). Arithmetic is
 * softfloat.c's (bit-exact, host-independent); single values are NaN-boxed in the 64-bit
 * registers, and an improperly boxed operand reads as the canonical NaN. */

#define FP_ON()                                                                                    \
	do {                                                                                       \
		if (unlikely(!(h->mstatus & MSTATUS_FS)))                                          \
			ILLEGAL();                                                                 \
	} while (0)
#define FP_RM()                                                                                    \
	do {                                                                                       \
		FP_ON();                                                                           \
		rm = e->rm == 7 ? h->frm : e->rm;                                                  \
		if (unlikely(rm > 4))                                                              \
			ILLEGAL();                                                                 \
	} while (0)
#define F(r)   h->f[r]
#define FS1    unbox32(F(e->rs1))
#define FS2    unbox32(F(e->rs2))
#define FS3    unbox32(F(e->rs3))
#define FD1    F(e->rs1)
#define FD2    F(e->rs2)
#define FD3    F(e->rs3)
#define SIGN32 0x80000000u
#define SIGN64 0x8000000000000000ull
/* Write an FP result and mark mstatus.FS dirty. Exception flags go straight into h->fflags
 * (softfloat ORs into it) or accrue in the host's MXCSR (fpu_host.h). */
#define SET_F(v)                                                                                   \
	do {                                                                                       \
		F(e->rd) = (v);                                                                    \
		h->mstatus |= MSTATUS_FS;                                                          \
		NEXT();                                                                            \
	} while (0)
#define SET_X(v)                                                                                   \
	do {                                                                                       \
		RD = (v);                                                                          \
		NEXT();                                                                            \
	} while (0)

L_FLW : FP_ON();
LOAD(uint32_t, 4);
SET_F(box32((uint32_t)val));
L_FLD : FP_ON();
LOAD(uint64_t, 8);
SET_F(val);
L_FSW : FP_ON();
STORE(4, F(e->rs2));
NEXT();
L_FSD : FP_ON();
STORE(8, F(e->rs2));
NEXT();

L_FMADD_S : FP_RM();
SET_F(box32(fh_fma32(FS1, FS2, FS3, rm, &h->fflags)));
L_FMSUB_S : FP_RM();
SET_F(box32(fh_fma32(FS1, FS2, FS3 ^ SIGN32, rm, &h->fflags)));
L_FNMSUB_S : FP_RM();
SET_F(box32(fh_fma32(FS1 ^ SIGN32, FS2, FS3, rm, &h->fflags)));
L_FNMADD_S : FP_RM();
SET_F(box32(fh_fma32(FS1 ^ SIGN32, FS2, FS3 ^ SIGN32, rm, &h->fflags)));
L_FADD_S : FP_RM();
SET_F(box32(fh_add32(FS1, FS2, rm, &h->fflags)));
L_FSUB_S : FP_RM();
SET_F(box32(fh_sub32(FS1, FS2, rm, &h->fflags)));
L_FMUL_S : FP_RM();
SET_F(box32(fh_mul32(FS1, FS2, rm, &h->fflags)));
L_FDIV_S : FP_RM();
SET_F(box32(fh_div32(FS1, FS2, rm, &h->fflags)));
L_FSQRT_S : FP_RM();
SET_F(box32(fh_sqrt32(FS1, rm, &h->fflags)));
L_FSGNJ_S : FP_ON();
SET_F(box32((FS1 & ~SIGN32) | (FS2 & SIGN32)));
L_FSGNJN_S : FP_ON();
SET_F(box32((FS1 & ~SIGN32) | (~FS2 & SIGN32)));
L_FSGNJX_S : FP_ON();
SET_F(box32(FS1 ^ (FS2 & SIGN32)));
L_FMIN_S : FP_ON();
SET_F(box32(sf32_min(FS1, FS2, &h->fflags)));
L_FMAX_S : FP_ON();
SET_F(box32(sf32_max(FS1, FS2, &h->fflags)));
L_FCVT_W_S : FP_RM();
SET_X((uint64_t)(int64_t)sf32_to_i32(FS1, rm, &h->fflags));
L_FCVT_WU_S : FP_RM();
SET_X((uint64_t)sext32(sf32_to_u32(FS1, rm, &h->fflags)));
L_FCVT_L_S : FP_RM();
SET_X((uint64_t)sf32_to_i64(FS1, rm, &h->fflags));
L_FCVT_LU_S : FP_RM();
SET_X(sf32_to_u64(FS1, rm, &h->fflags));
L_FMV_X_W : FP_ON();
SET_X((uint64_t)sext32(F(e->rs1)));
L_FEQ_S : FP_ON();
SET_X(sf32_eq(FS1, FS2, &h->fflags));
L_FLT_S : FP_ON();
SET_X(sf32_lt(FS1, FS2, &h->fflags));
L_FLE_S : FP_ON();
SET_X(sf32_le(FS1, FS2, &h->fflags));
L_FCLASS_S : FP_ON();
SET_X(sf32_class(FS1));
L_FCVT_S_W : FP_RM();
SET_F(box32(sf32_from_i32((int32_t)RS1, rm, &h->fflags)));
L_FCVT_S_WU : FP_RM();
SET_F(box32(sf32_from_u32((uint32_t)RS1, rm, &h->fflags)));
L_FCVT_S_L : FP_RM();
SET_F(box32(sf32_from_i64((int64_t)RS1, rm, &h->fflags)));
L_FCVT_S_LU : FP_RM();
SET_F(box32(sf32_from_u64(RS1, rm, &h->fflags)));
L_FMV_W_X : FP_ON();
SET_F(box32((uint32_t)RS1));

L_FMADD_D : FP_RM();
SET_F(fh_fma64(FD1, FD2, FD3, rm, &h->fflags));
L_FMSUB_D : FP_RM();
SET_F(fh_fma64(FD1, FD2, FD3 ^ SIGN64, rm, &h->fflags));
L_FNMSUB_D : FP_RM();
SET_F(fh_fma64(FD1 ^ SIGN64, FD2, FD3, rm, &h->fflags));
L_FNMADD_D : FP_RM();
SET_F(fh_fma64(FD1 ^ SIGN64, FD2, FD3 ^ SIGN64, rm, &h->fflags));
L_FADD_D : FP_RM();
SET_F(fh_add64(FD1, FD2, rm, &h->fflags));
L_FSUB_D : FP_RM();
SET_F(fh_sub64(FD1, FD2, rm, &h->fflags));
L_FMUL_D : FP_RM();
SET_F(fh_mul64(FD1, FD2, rm, &h->fflags));
L_FDIV_D : FP_RM();
SET_F(fh_div64(FD1, FD2, rm, &h->fflags));
L_FSQRT_D : FP_RM();
SET_F(fh_sqrt64(FD1, rm, &h->fflags));
L_FSGNJ_D : FP_ON();
SET_F((FD1 & ~SIGN64) | (FD2 & SIGN64));
L_FSGNJN_D : FP_ON();
SET_F((FD1 & ~SIGN64) | (~FD2 & SIGN64));
L_FSGNJX_D : FP_ON();
SET_F(FD1 ^ (FD2 & SIGN64));
L_FMIN_D : FP_ON();
SET_F(sf64_min(FD1, FD2, &h->fflags));
L_FMAX_D : FP_ON();
SET_F(sf64_max(FD1, FD2, &h->fflags));
L_FCVT_S_D : FP_RM();
SET_F(box32(sf64_to_f32(FD1, rm, &h->fflags)));
L_FCVT_D_S : FP_RM();
SET_F(sf32_to_f64(FS1, &h->fflags));
L_FEQ_D : FP_ON();
SET_X(sf64_eq(FD1, FD2, &h->fflags));
L_FLT_D : FP_ON();
SET_X(sf64_lt(FD1, FD2, &h->fflags));
L_FLE_D : FP_ON();
SET_X(sf64_le(FD1, FD2, &h->fflags));
L_FCLASS_D : FP_ON();
SET_X(sf64_class(FD1));
L_FCVT_W_D : FP_RM();
SET_X((uint64_t)(int64_t)sf64_to_i32(FD1, rm, &h->fflags));
L_FCVT_WU_D : FP_RM();
SET_X((uint64_t)sext32(sf64_to_u32(FD1, rm, &h->fflags)));
L_FCVT_D_W : FP_RM();
SET_F(sf64_from_i32((int32_t)RS1, rm, &h->fflags));
L_FCVT_D_WU : FP_RM();
SET_F(sf64_from_u32((uint32_t)RS1, rm, &h->fflags));
L_FCVT_L_D : FP_RM();
SET_X((uint64_t)sf64_to_i64(FD1, rm, &h->fflags));
L_FCVT_LU_D : FP_RM();
SET_X(sf64_to_u64(FD1, rm, &h->fflags));
L_FMV_X_D : FP_ON();
SET_X(FD1);
L_FCVT_D_L : FP_RM();
SET_F(sf64_from_i64((int64_t)RS1, rm, &h->fflags));
L_FCVT_D_LU : FP_RM();
SET_F(sf64_from_u64(RS1, rm, &h->fflags));
L_FMV_D_X : FP_ON();
SET_F(RS1);
