/* exec_amo.h — the A extension's handlers, included inside exec_run() (they are labels of the
 * interpreter, not functions). LR/SC follow QEMU: SC succeeds when the address matches the
 * reservation and memory still holds the value LR read; any SC ends the reservation.
 * An aligned atomic on a page the soft TLB holds for stores (LR: for loads) takes the host
 * pointer from it: such a page is RAM, readable and writable, holds no code and is watched by
 * no tracer or debugger, which is all mmu_atomic_ptr() checks. Spinlocks (xv6's scheduler
 * takes and drops 64 of them per pass) then cost no page walk. */

/* p = host pointer for an atomic access of size bytes at RS1 through tlb, or the slow path. */
#define ATOMIC_PTR(p, tlb, size, is_lr)                                                            \
	do {                                                                                       \
		addr = RS1;                                                                        \
		if (likely(TLB_HIT(tlb, addr, size))) {                                            \
			(p) = TLB_HOST(tlb, addr);                                                 \
		} else {                                                                           \
			h->instret = INSNS() - 1;                                                  \
			(p) = mmu_atomic_ptr(h, addr, size, is_lr);                                \
			if (!(p))                                                                  \
				goto exc_insn;                                                     \
		}                                                                                  \
	} while (0)

#define AMO(stype, size, expr)                                                                     \
	do {                                                                                       \
		uint8_t *p_;                                                                       \
		stype old_, src_ = (stype)RS2, new_;                                               \
		ATOMIC_PTR(p_, tst, size, false);                                                  \
		memcpy(&old_, p_, size);                                                           \
		new_ = (expr);                                                                     \
		memcpy(p_, &new_, size);                                                           \
		RD = (uint64_t)(int64_t)old_;                                                      \
		END_IF_DEBUG_STOP();                                                               \
		NEXT();                                                                            \
	} while (0)

#define LR(stype, size)                                                                            \
	do {                                                                                       \
		uint8_t *p_;                                                                       \
		stype v_;                                                                          \
		ATOMIC_PTR(p_, tld, size, true);                                                   \
		memcpy(&v_, p_, size);                                                             \
		h->resv_addr = RS1;                                                                \
		h->resv_val = (uint64_t)(int64_t)v_;                                               \
		h->resv_valid = true;                                                              \
		RD = (uint64_t)(int64_t)v_;                                                        \
		END_IF_DEBUG_STOP();                                                               \
		NEXT();                                                                            \
	} while (0)

#define SC(stype, size)                                                                            \
	do {                                                                                       \
		uint8_t *p_;                                                                       \
		stype cur_, new_ = (stype)RS2;                                                     \
		if (!h->resv_valid || h->resv_addr != RS1) {                                       \
			h->resv_valid = false;                                                     \
			RD = 1;                                                                    \
			NEXT();                                                                    \
		}                                                                                  \
		ATOMIC_PTR(p_, tst, size, false);                                                  \
		h->resv_valid = false;                                                             \
		memcpy(&cur_, p_, size);                                                           \
		if ((uint64_t)(int64_t)cur_ == h->resv_val) {                                      \
			memcpy(p_, &new_, size);                                                   \
			RD = 0;                                                                    \
		} else {                                                                           \
			RD = 1;                                                                    \
		}                                                                                  \
		END_IF_DEBUG_STOP();                                                               \
		NEXT();                                                                            \
	} while (0)

L_LR_W : LR(int32_t, 4);
L_SC_W : SC(int32_t, 4);
L_AMOSWAP_W : AMO(int32_t, 4, src_);
L_AMOADD_W : AMO(int32_t, 4, (int32_t)((uint32_t)old_ + (uint32_t)src_));
L_AMOXOR_W : AMO(int32_t, 4, old_ ^ src_);
L_AMOAND_W : AMO(int32_t, 4, old_ &src_);
L_AMOOR_W : AMO(int32_t, 4, old_ | src_);
L_AMOMIN_W : AMO(int32_t, 4, old_ < src_ ? old_ : src_);
L_AMOMAX_W : AMO(int32_t, 4, old_ > src_ ? old_ : src_);
L_AMOMINU_W : AMO(int32_t, 4, (uint32_t)old_ < (uint32_t)src_ ? old_ : src_);
L_AMOMAXU_W : AMO(int32_t, 4, (uint32_t)old_ > (uint32_t)src_ ? old_ : src_);
L_LR_D : LR(int64_t, 8);
L_SC_D : SC(int64_t, 8);
L_AMOSWAP_D : AMO(int64_t, 8, src_);
L_AMOADD_D : AMO(int64_t, 8, (int64_t)((uint64_t)old_ + (uint64_t)src_));
L_AMOXOR_D : AMO(int64_t, 8, old_ ^ src_);
L_AMOAND_D : AMO(int64_t, 8, old_ &src_);
L_AMOOR_D : AMO(int64_t, 8, old_ | src_);
L_AMOMIN_D : AMO(int64_t, 8, old_ < src_ ? old_ : src_);
L_AMOMAX_D : AMO(int64_t, 8, old_ > src_ ? old_ : src_);
L_AMOMINU_D : AMO(int64_t, 8, (uint64_t)old_ < (uint64_t)src_ ? old_ : src_);
L_AMOMAXU_D : AMO(int64_t, 8, (uint64_t)old_ > (uint64_t)src_ ? old_ : src_);
