/* snap — a hart's architectural state as bytes, for snapshots (src/replay): the fields of
 * struct hart before the tracing fields (registers, CSRs, counters, reservation, WFI, the ring)
 * and those between the debugger's and the host pointers (Sdtrig triggers, Debug Mode), so CSRs
 * added inside those blocks are included without a list to keep up to date. Restoring drops the
 * translations the restored state no longer justifies. */
#include <stddef.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/hart.h"

#define A_END	offsetof(struct hart, rec)
#define B_START offsetof(struct hart, trig)
#define B_END	offsetof(struct hart, cpu)

size_t hart_state_size(void)
{
	return A_END + (B_END - B_START);
}

void hart_state_save(const struct hart *h, void *buf)
{
	memcpy(buf, h, A_END);
	memcpy((char *)buf + A_END, (const char *)h + B_START, B_END - B_START);
}

void hart_state_restore(struct hart *h, const void *buf)
{
	/* the current TLB set pointers stay valid (they point into this hart's own tlbs) */
	memcpy(h, buf, A_END);
	memcpy((char *)h + B_START, (const char *)buf + A_END, B_END - B_START);
	h->dbg_stop = false;
	h->vtlb_used = true; /* the V=1 sets may hold what the state before the restore filled */
	mmu_flush(h);
	hyp_tlb_select(h, true); /* the groups' keys are not saved: all start empty */
	trig_changed(h); /* the restored triggers' slot marks and TLB exclusions */
}

void hart_state_strip(void *buf)
{
	struct hart *h = buf; /* the first part of the bytes is laid out as struct hart */

	/* host addresses: the ring's decoded slots, the scratch slots, the current TLB sets
	 * (restoring recomputes those) */
	memset((char *)buf + offsetof(struct hart, ring), 0, sizeof(h->ring));
	memset((char *)buf + offsetof(struct hart, ring_pos), 0, sizeof(h->ring_pos));
	memset((char *)buf + offsetof(struct hart, tmp), 0, sizeof(h->tmp));
	memset((char *)buf + offsetof(struct hart, ts_fetch), 0, sizeof(h->ts_fetch));
	memset((char *)buf + offsetof(struct hart, ts_data), 0, sizeof(h->ts_data));
}
