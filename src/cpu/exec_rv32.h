/* exec_rv32.h — what RV32 runs differently, included inside exec_run().
 *
 * An RV32 hart keeps its registers sign-extended in the 64-bit x[] (as RV64's W operations leave
 * them), and its pc zero-extended. Then compares, branches, logic, loads and stores are RV64's
 * handlers unchanged, the arithmetic is the W operations' (RV32_AS_W below, chosen when a slot is
 * decoded, so nothing is tested per instruction), and only the few operations whose result
 * depends on bits above 31 have handlers here. Effective addresses need nothing: the data TLB
 * holds an RV32 hart's pages under their sign-extended address (mmu.c), and any other form of
 * the same address misses and is truncated to 32 bits by the slow path. */

/* RV32 op -> the RV64 handler that computes it on sign-extended registers */
#define RV32_AS_W(X)                                                                               \
	X(ADDI, ADDIW)                                                                             \
	X(SLLI, SLLIW)                                                                             \
	X(SRLI, SRLIW)                                                                             \
	X(SRAI, SRAIW)                                                                             \
	X(ADD, ADDW)                                                                               \
	X(SUB, SUBW)                                                                               \
	X(SLL, SLLW)                                                                               \
	X(SRL, SRLW)                                                                               \
	X(SRA, SRAW)                                                                               \
	X(MUL, MULW)                                                                               \
	X(DIV, DIVW)                                                                               \
	X(DIVU, DIVUW)                                                                             \
	X(REM, REMW)                                                                               \
	X(REMU, REMUW)                                                                             \
	X(CLZ, CLZW)                                                                               \
	X(CTZ, CTZW)                                                                               \
	X(CPOP, CPOPW)                                                                             \
	X(ROL, ROLW)                                                                               \
	X(ROR, RORW)                                                                               \
	X(RORI, RORIW)                                                                             \
	X(PACK, PACKW)

/* RV32 ops with a handler of their own below (label L32_<op>) */
#define RV32_OWN(X)                                                                                \
	X(AUIPC)                                                                                   \
	X(JAL)                                                                                     \
	X(JALR)                                                                                    \
	X(MULH)                                                                                    \
	X(MULHSU)                                                                                  \
	X(MULHU)                                                                                   \
	X(SH1ADD)                                                                                  \
	X(SH2ADD)                                                                                  \
	X(SH3ADD)                                                                                  \
	X(REV8)                                                                                    \
	X(ORC_B)                                                                                   \
	X(BREV8)                                                                                   \
	X(CLMUL)                                                                                   \
	X(CLMULH)                                                                                  \
	X(CLMULR)                                                                                  \
	X(BCLR)                                                                                    \
	X(BCLRI)                                                                                   \
	X(BEXT)                                                                                    \
	X(BINV)                                                                                    \
	X(BINVI)                                                                                   \
	X(BSET)                                                                                    \
	X(BSETI)                                                                                   \
	X(XPERM4)                                                                                  \
	X(XPERM8)

#ifdef EXEC_RV32_HANDLERS
L32_AUIPC:
	RD = sext32(PC() + IMM);
	NEXT();
L32_JAL : {
	uint64_t t = (uint32_t)(PC() + IMM);
	RD = sext32(PC() + e->len);
	TRACE_JUMP(t);
	JUMP(t);
}
L32_JALR : {
	uint64_t t = (uint32_t)(RS1 + IMM) & ~1u;
	TRACE_JUMP(t);
	RD = sext32(PC() + e->len);
	JUMP(t);
}
L32_MULH:
	RD = sext32((uint64_t)((int64_t)(int32_t)RS1 * (int32_t)RS2) >> 32);
	NEXT();
L32_MULHSU:
	RD = sext32((uint64_t)((int64_t)(int32_t)RS1 * (int64_t)(uint32_t)RS2) >> 32);
	NEXT();
L32_MULHU:
	RD = sext32(((uint64_t)(uint32_t)RS1 * (uint32_t)RS2) >> 32);
	NEXT();
L32_SH1ADD:
	RD = sext32((RS1 << 1) + RS2);
	NEXT();
L32_SH2ADD:
	RD = sext32((RS1 << 2) + RS2);
	NEXT();
L32_SH3ADD:
	RD = sext32((RS1 << 3) + RS2);
	NEXT();
L32_REV8:
	RD = sext32(__builtin_bswap32((uint32_t)RS1));
	NEXT();
L32_ORC_B:
	RD = sext32(bm_orc_b((uint32_t)RS1));
	NEXT();
L32_BREV8:
	RD = sext32(bm_brev8(RS1));
	NEXT();
/* Zbkb's RV32-only zip/unzip: the halves' bits interleaved, and back */
L_ZIP : {
	uint32_t v = (uint32_t)RS1, r = 0;
	for (unsigned i = 0; i < 16; i++)
		r |= ((v >> i) & 1) << (2 * i) | ((v >> (i + 16)) & 1) << (2 * i + 1);
	RD = sext32(r);
	NEXT();
}
L_UNZIP : {
	uint32_t v = (uint32_t)RS1, r = 0;
	for (unsigned i = 0; i < 16; i++)
		r |= ((v >> (2 * i)) & 1) << i | ((v >> (2 * i + 1)) & 1) << (i + 16);
	RD = sext32(r);
	NEXT();
}
L32_CLMUL:
	RD = sext32((uint64_t)bm_clmul((uint32_t)RS1, (uint32_t)RS2));
	NEXT();
L32_CLMULH:
	RD = sext32((uint64_t)bm_clmul((uint32_t)RS1, (uint32_t)RS2) >> 32);
	NEXT();
L32_CLMULR:
	RD = sext32((uint64_t)bm_clmul((uint32_t)RS1, (uint32_t)RS2) >> 31);
	NEXT();
L32_BCLR:
	RD = sext32(RS1 & ~(1ull << (RS2 & 31)));
	NEXT();
L32_BCLRI:
	RD = sext32(RS1 & ~(1ull << (e->imm & 31)));
	NEXT();
L32_BEXT:
	RD = (RS1 >> (RS2 & 31)) & 1;
	NEXT();
L32_BINV:
	RD = sext32(RS1 ^ (1ull << (RS2 & 31)));
	NEXT();
L32_BINVI:
	RD = sext32(RS1 ^ (1ull << (e->imm & 31)));
	NEXT();
L32_BSET:
	RD = sext32(RS1 | (1ull << (RS2 & 31)));
	NEXT();
L32_BSETI:
	RD = sext32(RS1 | (1ull << (e->imm & 31)));
	NEXT();
L32_XPERM4:
	RD = sext32(bm_xperm((uint32_t)RS1, (uint32_t)RS2, 4));
	NEXT();
L32_XPERM8:
	RD = sext32(bm_xperm((uint32_t)RS1, (uint32_t)RS2, 8));
	NEXT();
#endif
