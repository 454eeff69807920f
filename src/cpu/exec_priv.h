/* exec_priv.h — handlers of the privileged/system extensions: Zicbom/Zicboz cache-block
 * operations and Svinval. Included by exec.c inside exec_run (labels, macros and locals are
 * its own). */

/* A cache-block operation below M needs its menvcfg field, and in U its senvcfg field too
 * (CMO spec 1.0, 2.5: an illegal instruction without H). */
#define CBO_ENABLED(field)                                                                         \
	(h->priv == PRV_M ||                                                                       \
	 ((h->menvcfg & (field)) && (h->priv == PRV_S || (h->senvcfg & (field)))))

L_CBO_CLEAN:
L_CBO_FLUSH:
	if (!CBO_ENABLED(ENVCFG_CBCFE))
		ILLEGAL();
	goto cbo_manage;
L_CBO_INVAL:
	/* CBIE = 01 makes it a flush, 11 an invalidate: both only check access here, as strata
	 * has no caches to write back or drop */
	if (!CBO_ENABLED(ENVCFG_CBIE))
		ILLEGAL();
cbo_manage:
	h->instret = INSNS() - 1;
	if (mmu_cbo_check(h, RS1) < 0)
		goto exc_insn;
	NEXT();
L_CBO_ZERO:
	if (!CBO_ENABLED(ENVCFG_CBZE))
		ILLEGAL();
	h->instret = INSNS() - 1;
	if (mmu_cbo_zero(h, RS1) < 0)
		goto exc_insn;
	pc = PC() + e->len;
	goto after_slow_store; /* the block may hold code, or a device may have been written */
#undef CBO_ENABLED

L_SINVAL_VMA: /* sfence.vma's rules and effect: strata's TLB has no ordering to split up */
	goto L_SFENCE_VMA;
L_SFENCE_W_INVAL:
L_SFENCE_INVAL_IR:
	if (h->priv == PRV_U)
		ILLEGAL();
	NEXT();
