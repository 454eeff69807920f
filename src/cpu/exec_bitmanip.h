/* exec_bitmanip.h — handlers of Zba, Zbb, Zbc, Zbs, Zbkb, Zbkc, Zbkx and Zicond, included inside
 * exec_run(). Which extension makes an op exist is decode.c's business; here is what it does. */

/* Zba */
L_SH1ADD : RD = (RS1 << 1) + RS2;
NEXT();
L_SH2ADD : RD = (RS1 << 2) + RS2;
NEXT();
L_SH3ADD : RD = (RS1 << 3) + RS2;
NEXT();
L_ADD_UW : RD = (uint64_t)(uint32_t)RS1 + RS2;
NEXT();
L_SH1ADD_UW : RD = ((uint64_t)(uint32_t)RS1 << 1) + RS2;
NEXT();
L_SH2ADD_UW : RD = ((uint64_t)(uint32_t)RS1 << 2) + RS2;
NEXT();
L_SH3ADD_UW : RD = ((uint64_t)(uint32_t)RS1 << 3) + RS2;
NEXT();
L_SLLI_UW : RD = (uint64_t)(uint32_t)RS1 << (e->imm & 63);
NEXT();

/* Zbb */
L_ANDN : RD = RS1 & ~RS2;
NEXT();
L_ORN : RD = RS1 | ~RS2;
NEXT();
L_XNOR : RD = ~(RS1 ^ RS2);
NEXT();
L_CLZ : RD = RS1 ? (uint64_t)__builtin_clzll(RS1) : 64;
NEXT();
L_CTZ : RD = RS1 ? (uint64_t)__builtin_ctzll(RS1) : 64;
NEXT();
L_CPOP : RD = (uint64_t)__builtin_popcountll(RS1);
NEXT();
L_CLZW : RD = (uint32_t)RS1 ? (uint64_t)__builtin_clz((uint32_t)RS1) : 32;
NEXT();
L_CTZW : RD = (uint32_t)RS1 ? (uint64_t)__builtin_ctz((uint32_t)RS1) : 32;
NEXT();
L_CPOPW : RD = (uint64_t)__builtin_popcount((uint32_t)RS1);
NEXT();
L_MAX : RD = (int64_t)RS1 > (int64_t)RS2 ? RS1 : RS2;
NEXT();
L_MAXU : RD = RS1 > RS2 ? RS1 : RS2;
NEXT();
L_MIN : RD = (int64_t)RS1 < (int64_t)RS2 ? RS1 : RS2;
NEXT();
L_MINU : RD = RS1 < RS2 ? RS1 : RS2;
NEXT();
L_SEXT_B : RD = (uint64_t)(int64_t)(int8_t)RS1;
NEXT();
L_SEXT_H : RD = (uint64_t)(int64_t)(int16_t)RS1;
NEXT();
L_ZEXT_H : RD = (uint16_t)RS1;
NEXT();
L_ROL : RD = bm_rol64(RS1, (unsigned)RS2);
NEXT();
L_ROR : RD = bm_ror64(RS1, (unsigned)RS2);
NEXT();
L_RORI : RD = bm_ror64(RS1, (unsigned)e->imm);
NEXT();
L_ROLW : RD = bm_rol32(RS1, (unsigned)RS2);
NEXT();
L_RORW : RD = bm_ror32(RS1, (unsigned)RS2);
NEXT();
L_RORIW : RD = bm_ror32(RS1, (unsigned)e->imm);
NEXT();
L_ORC_B : RD = bm_orc_b(RS1);
NEXT();
L_REV8 : RD = __builtin_bswap64(RS1);
NEXT();

/* Zbc */
L_CLMUL : RD = (uint64_t)bm_clmul(RS1, RS2);
NEXT();
L_CLMULH : RD = (uint64_t)(bm_clmul(RS1, RS2) >> 64);
NEXT();
L_CLMULR : RD = (uint64_t)(bm_clmul(RS1, RS2) >> 63);
NEXT();

/* Zbs */
L_BCLR : RD = RS1 & ~(1ull << (RS2 & 63));
NEXT();
L_BCLRI : RD = RS1 & ~(1ull << (e->imm & 63));
NEXT();
L_BEXT : RD = (RS1 >> (RS2 & 63)) & 1;
NEXT();
L_BEXTI : RD = (RS1 >> (e->imm & 63)) & 1;
NEXT();
L_BINV : RD = RS1 ^ (1ull << (RS2 & 63));
NEXT();
L_BINVI : RD = RS1 ^ (1ull << (e->imm & 63));
NEXT();
L_BSET : RD = RS1 | (1ull << (RS2 & 63));
NEXT();
L_BSETI : RD = RS1 | (1ull << (e->imm & 63));
NEXT();

/* Zbkb, Zbkx */
L_PACK : RD = (uint32_t)RS1 | (RS2 << 32);
NEXT();
L_PACKH : RD = (RS1 & 0xff) | ((RS2 & 0xff) << 8);
NEXT();
L_PACKW : RD =
	      (uint64_t)(int64_t)(int32_t)((uint32_t)(uint16_t)RS1 | (uint32_t)(uint16_t)RS2 << 16);
NEXT();
L_BREV8 : RD = bm_brev8(RS1);
NEXT();
L_XPERM4 : RD = bm_xperm(RS1, RS2, 4);
NEXT();
L_XPERM8 : RD = bm_xperm(RS1, RS2, 8);
NEXT();

/* Zicond */
L_CZERO_EQZ : RD = RS2 ? RS1 : 0;
NEXT();
L_CZERO_NEZ : RD = RS2 ? 0 : RS1;
NEXT();
