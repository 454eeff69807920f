/* exec_amo.h — the A extension's handlers, included inside exec_run() (they are labels of the
 * interpreter, not functions). LR/SC follow QEMU: SC succeeds when the address matches the
 * reservation and memory still holds the value LR read; any SC ends the reservation. */

#define AMO(stype, size, expr)                                                                     \
	do {                                                                                       \
		uint8_t *p_;                                                                       \
		stype old_, src_ = (stype)RS2, new_;                                               \
		h->instret = INSNS() - 1;                                                          \
		p_ = mmu_atomic_ptr(h, RS1, size, false);                                          \
		if (!p_)                                                                           \
			goto exc_insn;                                                             \
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
		h->instret = INSNS() - 1;                                                          \
		p_ = mmu_atomic_ptr(h, RS1, size, true);                                           \
		if (!p_)                                                                           \
			goto exc_insn;                                                             \
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
		h->instret = INSNS() - 1;                                                          \
		p_ = mmu_atomic_ptr(h, RS1, size, false);                                          \
		if (!p_)                                                                           \
			goto exc_insn;                                                             \
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
