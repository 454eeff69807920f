/* decode — RISC-V instruction decoding into a compact, cached form.
 * Every instruction, 16- or 32-bit, decodes once into a struct dinsn; the interpreter then
 * dispatches on dinsn.handler (a label address set by the interpreter from dinsn.op).
 * Compressed instructions decode to the operation of their 32-bit expansion (len = 2). */
#ifndef STRATA_CPU_DECODE_H
#define STRATA_CPU_DECODE_H

#include "cpu/isa.h"

#include <stdbool.h>
#include <stdint.h>

/* X-macro list of every operation. Order is free; names are the mnemonics with '.' -> '_'. */
#define RV_OPS(X)                                                                                  \
	X(ILLEGAL)                                                                                 \
	/* RV64I */                                                                                \
	X(LUI)                                                                                     \
	X(AUIPC)                                                                                   \
	X(JAL)                                                                                     \
	X(JALR)                                                                                    \
	X(BEQ)                                                                                     \
	X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU) X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) X(SB)    \
	    X(SH) X(SW) X(SD) X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI)      \
		X(SRAI) X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)      \
		    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)    \
			X(FENCE) X(FENCE_I) X(ECALL) X(EBREAK)	     /* Zicsr */                   \
	    X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI) /* privileged */              \
	    X(MRET) X(SRET) X(WFI) X(SFENCE_VMA) X(DRET)	     /* M */                       \
	    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU) X(MULW) X(DIVW)        \
		X(DIVUW) X(REMW) X(REMUW) /* A */                                                  \
	    X(LR_W) X(SC_W) X(AMOSWAP_W) X(AMOADD_W) X(AMOXOR_W) X(AMOAND_W) X(AMOOR_W)            \
		X(AMOMIN_W) X(AMOMAX_W) X(AMOMINU_W) X(AMOMAXU_W) X(LR_D) X(SC_D) X(AMOSWAP_D)     \
		    X(AMOADD_D) X(AMOXOR_D) X(AMOAND_D) X(AMOOR_D) X(AMOMIN_D) X(AMOMAX_D)         \
			X(AMOMINU_D) X(AMOMAXU_D) /* F */                                          \
	    X(FLW) X(FSW) X(FMADD_S) X(FMSUB_S) X(FNMSUB_S) X(FNMADD_S) X(FADD_S) X(FSUB_S)        \
		X(FMUL_S) X(FDIV_S) X(FSQRT_S) X(FSGNJ_S) X(FSGNJN_S) X(FSGNJX_S) X(FMIN_S)        \
		    X(FMAX_S) X(FCVT_W_S) X(FCVT_WU_S) X(FMV_X_W) X(FEQ_S) X(FLT_S) X(FLE_S)       \
			X(FCLASS_S) X(FCVT_S_W) X(FCVT_S_WU) X(FMV_W_X) X(FCVT_L_S) X(FCVT_LU_S)   \
			    X(FCVT_S_L) X(FCVT_S_LU) /* D */                                       \
	    X(FLD) X(FSD) X(FMADD_D) X(FMSUB_D) X(FNMSUB_D) X(FNMADD_D) X(FADD_D) X(FSUB_D)        \
		X(FMUL_D) X(FDIV_D) X(FSQRT_D) X(FSGNJ_D) X(FSGNJN_D) X(FSGNJX_D) X(FMIN_D)        \
		    X(FMAX_D) X(FCVT_S_D) X(FCVT_D_S) X(FEQ_D) X(FLT_D) X(FLE_D) X(FCLASS_D)       \
			X(FCVT_W_D) X(FCVT_WU_D) X(FCVT_D_W) X(FCVT_D_WU) X(FCVT_L_D) X(FCVT_LU_D) \
			    X(FMV_X_D) X(FCVT_D_L) X(FCVT_D_LU) X(FMV_D_X) RV_OPS_EXT(X)           \
				RV_OPS_PRIV(X)

/* Beyond RV64GC: bit manipulation (Zba Zbb Zbc Zbs Zbkb Zbkc Zbkx), Zicond, Zfh/Zfhmin. */
#define RV_OPS_EXT(X)                                                                              \
	X(SH1ADD)                                                                                  \
	X(SH2ADD)                                                                                  \
	X(SH3ADD) X(ADD_UW) X(SH1ADD_UW) X(SH2ADD_UW) X(SH3ADD_UW) X(SLLI_UW) X(ANDN) X(ORN)       \
	    X(XNOR) X(CLZ) X(CTZ) X(CPOP) X(CLZW) X(CTZW) X(CPOPW) X(MAX) X(MAXU) X(MIN) X(MINU)   \
		X(SEXT_B) X(SEXT_H) X(ZEXT_H) X(ROL) X(ROR) X(RORI) X(ROLW) X(RORW) X(RORIW)       \
		    X(ORC_B) X(REV8) X(CLMUL) X(CLMULH) X(CLMULR) X(BCLR) X(BCLRI) X(BEXT)         \
			X(BEXTI) X(BINV) X(BINVI) X(BSET) X(BSETI) X(PACK) X(PACKH) X(PACKW)       \
			    X(BREV8) X(ZIP) X(UNZIP) X(XPERM4) X(XPERM8) X(CZERO_EQZ) X(CZERO_NEZ) X(FLH) X(FSH)   \
				X(FMADD_H) X(FMSUB_H) X(FNMSUB_H) X(FNMADD_H) X(FADD_H) X(FSUB_H)  \
				    X(FMUL_H) X(FDIV_H) X(FSQRT_H) X(FSGNJ_H) X(FSGNJN_H)          \
					X(FSGNJX_H) X(FMIN_H) X(FMAX_H) X(FCVT_S_H) X(FCVT_H_S)    \
					    X(FCVT_D_H) X(FCVT_H_D) X(FEQ_H) X(FLT_H) X(FLE_H)     \
						X(FCLASS_H) X(FCVT_W_H) X(FCVT_WU_H) X(FCVT_L_H)   \
						    X(FCVT_LU_H) X(FCVT_H_W) X(FCVT_H_WU)          \
							X(FCVT_H_L) X(FCVT_H_LU) X(FMV_X_H)        \
							    X(FMV_H_X)

/* Privileged and system extensions: Zicbom, Zicboz (cache-block operations), Svinval, H. */
#define RV_OPS_PRIV(X)                                                                             \
	X(CBO_CLEAN)                                                                               \
	X(CBO_FLUSH)                                                                               \
	X(CBO_INVAL)                                                                               \
	X(CBO_ZERO)                                                                                \
	X(SINVAL_VMA)                                                                              \
	X(SFENCE_W_INVAL)                                                                          \
	X(SFENCE_INVAL_IR)                                                                         \
	RV_OPS_H(X)

/* The hypervisor extension: loads/stores as V=1, fences of the V=1 translations. */
#define RV_OPS_H(X)                                                                                \
	X(HLV_B)                                                                                   \
	X(HLV_BU)                                                                                  \
	X(HLV_H)                                                                                   \
	X(HLV_HU)                                                                                  \
	X(HLVX_HU)                                                                                 \
	X(HLV_W)                                                                                   \
	X(HLV_WU)                                                                                  \
	X(HLVX_WU)                                                                                 \
	X(HLV_D)                                                                                   \
	X(HSV_B)                                                                                   \
	X(HSV_H)                                                                                   \
	X(HSV_W)                                                                                   \
	X(HSV_D)                                                                                   \
	X(HFENCE_VVMA)                                                                             \
	X(HFENCE_GVMA)

enum rv_op {
#define RV_OP_ENUM(name) OP_##name,
	RV_OPS(RV_OP_ENUM)
#undef RV_OP_ENUM
	    OP_COUNT
};

/* One decoded instruction. Field meaning by format:
 *  rd, rs1, rs2, rs3: register numbers (integer or FP as the op implies);
 *  imm: sign-extended immediate (I/S/B/U/J), shift amount for shifts, CSR number for CSR ops
 *       (with the 5-bit zimm in rs1 for the *I forms);
 *  rm: FP rounding-mode field (0..7) for ops that have one; aq/rl bits (aq = 2, rl = 1) for A ops;
 *  len: 2 for compressed, 4 otherwise;
 *  raw: the encoding (low 16 bits only for compressed) — mtval of an illegal-instruction trap. */
struct dinsn {
	const void *handler; /* owned by the interpreter; decode() sets it to NULL */
	uint16_t op;	     /* enum rv_op */
	uint8_t rd, rs1, rs2, rs3;
	uint8_t rm;
	uint8_t len;
	int32_t imm;
	uint32_t raw;
	/* owned by the interpreter: bytes from this slot to the next instruction's slot */
	uint8_t step;
	uint8_t reserved[7];
};
/* 32 bytes, so that the interpreter turns a slot pointer into a pc with one shift */
_Static_assert(sizeof(struct dinsn) == 32, "struct dinsn must stay 32 bytes");

/* Decode one instruction for a machine with extensions isa. If (insn & 3) != 3 only the low 16
 * bits are used (compressed). Reserved and illegal encodings, and encodings of extensions not in
 * isa, give op = OP_ILLEGAL (raw still set). Never fails otherwise. */
void decode(uint32_t insn, isa_t isa, struct dinsn *d);

/* Whether op's rd is an FP register (every other op's rd is an integer register). */
bool decode_op_fp_rd(unsigned op);
/* The extensions whose patterns give op (any one of them makes it exist). */
isa_t decode_op_exts(unsigned op);

/* The mnemonic of an op ("add", "fcvt.s.d", ...), for messages and tests. */
const char *decode_op_name(unsigned op);

#endif
