/* exec_hyp.h — the H extension's instructions: HLV/HLVX/HSV (loads and stores as VS/VU at
 * hstatus.SPVP, through both translation stages) and HFENCE.VVMA/GVMA. Included by exec.c
 * inside exec_run (labels, macros and locals are its own); the rest of H is hyp.c. */

/* From V=1 a virtual instruction; from U only with hstatus.HU (spec 8.6.1). */
#define HYP_INSN_OK(u_ok)                                                                          \
	do {                                                                                       \
		if (h->virt)                                                                       \
			VIRT_INSN();                                                               \
		if (h->priv == PRV_U && !((u_ok) && (h->hstatus & HSTATUS_HU)))                    \
			ILLEGAL();                                                                 \
	} while (0)
#define HLV(ctype, size, x)                                                                        \
	do {                                                                                       \
		uint64_t v_;                                                                       \
		HYP_INSN_OK(true);                                                                 \
		h->instret = INSNS() - 1;                                                          \
		if (mmu_hyp_load(h, RS1, size, x, &v_) < 0)                                        \
			goto exc_insn;                                                             \
		RD = (uint64_t)(int64_t)(ctype)v_;                                                 \
		NEXT();                                                                            \
	} while (0)
#define HSV(size)                                                                                  \
	do {                                                                                       \
		HYP_INSN_OK(true);                                                                 \
		h->instret = INSNS() - 1;                                                          \
		if (mmu_hyp_store(h, RS1, size, RS2) < 0)                                          \
			goto exc_insn;                                                             \
		pc = PC() + e->len;                                                                \
		goto after_slow_store;                                                             \
	} while (0)

L_HLV_B:
	HLV(int8_t, 1, false);
L_HLV_BU:
	HLV(uint8_t, 1, false);
L_HLV_H:
	HLV(int16_t, 2, false);
L_HLV_HU:
	HLV(uint16_t, 2, false);
L_HLVX_HU:
	HLV(uint16_t, 2, true);
L_HLV_W:
	HLV(int32_t, 4, false);
L_HLV_WU:
	HLV(uint32_t, 4, false);
L_HLVX_WU:
	HLV(uint32_t, 4, true);
L_HLV_D:
	HLV(uint64_t, 8, false);
L_HSV_B:
	HSV(1);
L_HSV_H:
	HSV(2);
L_HSV_W:
	HSV(4);
L_HSV_D:
	HSV(8);
L_HFENCE_GVMA:
	/* mstatus.TVM traps it in HS as it traps sfence.vma */
	if (!h->virt && h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))
		ILLEGAL();
	HYP_INSN_OK(false);
	/* the TLB's V=1 groups are per VMID (hyp.c); an address (rs1) flushes the VMID's all */
	if (e->rs2)
		hyp_flush_vmid(h, RS2 & 0x3fff);
	else
		hyp_flush(h);
	pc = PC() + e->len;
	goto refetch;
L_HFENCE_VVMA:
	HYP_INSN_OK(false);
	hyp_flush_vmid(h, hyp_vmid(h)); /* the current VMID's (ASIDs are not tagged) */
	pc = PC() + e->len;
	goto refetch;

#undef HLV
#undef HSV
#undef HYP_INSN_OK
