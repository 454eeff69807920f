/* snap — a hart's architectural state as bytes, for snapshots (src/replay): everything of
 * struct hart before the tracing, debugger and TLB fields, so CSRs added to the struct are
 * included without a list to keep up to date. Restoring drops the translations the restored
 * state no longer justifies. */
#include <stddef.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/hart.h"

/* [0, SNAP_END) of struct hart: registers, CSRs, counters, reservation, WFI, trap storm,
 * the pending exception, the instruction ring and the uncached slots. */
#define SNAP_END offsetof(struct hart, rec)

size_t hart_state_size(void)
{
	return SNAP_END;
}

void hart_state_save(const struct hart *h, void *buf)
{
	memcpy(buf, h, SNAP_END);
}

void hart_state_restore(struct hart *h, const void *buf)
{
	/* the current TLB set pointers stay valid (they point into this hart's own tlbs) */
	memcpy(h, buf, SNAP_END);
	h->dbg_stop = false;
	mmu_flush(h);
	hart_update_tlb_sets(h);
	trig_changed(h); /* the restored triggers' slot marks and TLB exclusions */
}
