/* hooks — the CPU's side of tracing: turn what the interpreter and the MMU see into
 * events (trace/event.h) for the recorder. Called only when h->tmask enables the tracer, so the
 * untraced path pays nothing beyond a test at control transfers. */
#include "cpu/hart.h"
#include "machine/machine.h"
#include "symbols/symbols.h"
#include "trace/record.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The address space (satp, vsatp at a guest level) of level lvl while h runs where it is now:
 * the live satp is the current world's, the other world's is in alt (hyp.c). */
static uint64_t level_satp(const struct hart *h, unsigned lvl)
{
	return (lvl >= LVL_VU) == (h->virt != 0) ? h->satp : h->alt.atp;
}

/* The G-stage translation (hgatp) behind level lvl: none (0) for the host's levels. */
static uint64_t level_hgatp(const struct hart *h, unsigned lvl)
{
	return lvl >= LVL_VU ? h->hgatp : 0;
}

/* htval (a trap into HS) or mtval2 (into M): a guest page fault's guest physical address >> 2. */
static uint64_t level_tval2(const struct hart *h, unsigned lvl)
{
	return lvl == LVL_S ? h->htval : lvl == LVL_M ? h->mtval2 : 0;
}

static void ev_init(struct hart *h, struct tev *ev, unsigned type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->hart = h->hartid;
	ev->priv = (uint8_t)hart_level(h);
	ev->instret = h->instret;
	ev->time = h->time0 + (h->instret - h->instret0);
}

void cpu_set_recorder(struct cpu *c, struct recorder *r)
{
	for (unsigned i = 0; i < c->nharts; i++) {
		struct hart *h = c->harts[i];

		h->rec = r;
		h->tmask = 0;
		memset(h->code_seen, 0xff, sizeof(h->code_seen));
		mmu_flush(h);
	}
}

void hook_run(struct hart *h, uint64_t pc, const struct dpage *dp, uint32_t raw, unsigned len)
{
	struct tev ev;

	if (dp) {
		/* the reader rebuilds instructions from page bytes: record a page when this
		 * virtual page first runs, maps elsewhere, or its code changed */
		struct code_seen *cs = &h->code_seen[(pc >> PG_SHIFT) % 512];
		uint64_t vpage = pc & ~PG_MASK;

		unsigned lvl = hart_level(h);
		uint64_t hgatp = level_hgatp(h, lvl);

		/* a guest's page may hold other bytes at the same virtual address: the key has hgatp */
		if (cs->vpage != vpage || cs->ppage != dp->paddr || cs->gen != dp->gen ||
		    cs->satp != h->satp || cs->hgatp != hgatp) {
			ev_init(h, &ev, TEV_CODE);
			ev.addr = vpage;
			ev.paddr = dp->paddr;
			ev.satp = h->satp;
			ev.hgatp = hgatp;
			ev.data = dp->host;
			ev.len = PG_SIZE;
			rec_event(h->rec, &ev);
			cs->vpage = vpage;
			cs->ppage = dp->paddr;
			cs->gen = dp->gen;
			cs->satp = h->satp;
			cs->hgatp = hgatp;
		}
	}
	ev_init(h, &ev, TEV_RUN);
	ev.pc = pc;
	if (!dp) { /* uncached code (ROM, page-crossing): the run carries its one instruction */
		ev.value = raw;
		ev.size = len;
	}
	rec_event(h->rec, &ev);
}

void hook_jump(struct hart *h, uint64_t pc, uint64_t target, unsigned rd, unsigned rs1)
{
	struct tev ev;
	unsigned type;
	bool link = rd == 1 || rd == 5;

	/* the calling convention's hints (RISC-V unprivileged spec, table for JAL/JALR) */
	if (link)
		type = TEV_CALL;
	else if (rd == 32 && (rs1 == 1 || rs1 == 5))
		type = TEV_RET;
	else if (rd == 32 && symset_is_entry(rec_symbols(h->rec), (int)hart_level(h), target))
		type = TEV_TAIL;
	else
		return;
	ev_init(h, &ev, type);
	ev.pc = pc;
	ev.addr = target;
	ev.sp = h->x[2];
	ev.satp = h->satp;
	rec_event(h->rec, &ev);
}

/* old_priv is a level (enum level): a trap from VS/VU to HS is a guest exit. The event carries the
 * address space of the side trapped from, and htval/mtval2 (a guest page fault's address). */
void hook_trap(struct hart *h, uint64_t epc, uint64_t cause, uint64_t tval, unsigned old_priv)
{
	struct tev ev;
	unsigned lvl = hart_level(h);

	ev_init(h, &ev, TEV_TRAP);
	ev.priv = (uint8_t)old_priv;
	ev.new_priv = (uint8_t)lvl;
	ev.pc = epc;
	ev.addr = h->pc;
	ev.cause = cause;
	ev.tval = tval;
	ev.satp = level_satp(h, old_priv);
	ev.hgatp = level_hgatp(h, old_priv);
	ev.tval2 = level_tval2(h, lvl);
	memcpy(ev.a, &h->x[10], sizeof(ev.a));
	rec_event(h->rec, &ev);
}

/* old_priv is a level: an sret from HS to VS/VU enters a guest; the event carries the address
 * space returned to. */
void hook_xret(struct hart *h, uint64_t pc, unsigned old_priv)
{
	struct tev ev;
	unsigned lvl = hart_level(h);

	ev_init(h, &ev, TEV_XRET);
	ev.priv = (uint8_t)old_priv;
	ev.new_priv = (uint8_t)lvl;
	ev.pc = pc;
	ev.addr = h->pc;
	ev.satp = level_satp(h, lvl);
	ev.hgatp = level_hgatp(h, lvl);
	ev.a[0] = h->x[10];
	ev.a[1] = h->x[11];
	rec_event(h->rec, &ev);
}

void hook_mem(struct hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, uint64_t val,
	      unsigned kind)
{
	struct tev ev;

	if (!rec_mem_wanted(h->rec, vaddr, size, kind == TEV_MEM_LOAD ? 1 : 2))
		return;
	ev_init(h, &ev, TEV_MEM);
	ev.addr = vaddr;
	ev.paddr = paddr;
	ev.size = size;
	ev.value = val;
	ev.kind = kind;
	rec_event(h->rec, &ev);
}

void hook_mmio(struct hart *h, uint64_t paddr, unsigned size, uint64_t val, unsigned kind)
{
	struct tev ev;

	if (!rec_mmio_known(h->rec, paddr)) {
		char line[200];

		/* the boot ROM is not a device: its reads are not dtrace's business */
		if (machine_mmio_describe(h->m, paddr, line, sizeof(line)) < 0)
			return;
		rec_mmio_register(h->rec, paddr, line);
	}
	ev_init(h, &ev, TEV_MMIO);
	ev.paddr = paddr;
	ev.addr = paddr;
	ev.size = size;
	ev.value = val;
	ev.kind = kind;
	rec_event(h->rec, &ev);
}

bool hook_mem_page(const struct hart *h, uint64_t vpage, int acc)
{
	return (h->tmask & REC_MTRACE) &&
	       rec_mem_wanted(h->rec, vpage, PG_SIZE, acc == ACC_STORE ? 2 : 1);
}

void hook_hvip(struct hart *h, uint64_t old, uint64_t val)
{
	static const char *const bits[] = {"", "", "vs_soft", "", "", "", "vs_timer", "",
					   "", "", "vs_ext"};
	struct tev ev;
	char text[96];
	int n = snprintf(text, sizeof(text), "hvip=0x%" PRIx64, val);

	/* a note like the timer's: which virtual interrupts the hypervisor injects or withdraws */
	for (unsigned b = 2; b <= 10; b += 4) {
		if (!(((old ^ val) >> b) & 1))
			continue;
		n += snprintf(text + n, sizeof(text) - (size_t)n, " %s%s", (val >> b) & 1 ? "+" : "-",
			      bits[b]);
	}
	ev_init(h, &ev, TEV_MARK);
	ev.data = (const uint8_t *)text;
	ev.len = (uint32_t)n;
	rec_event(h->rec, &ev);
}

void hook_timer(struct hart *h, const char *csr, uint64_t cmp, uint64_t now)
{
	struct tev ev;
	char text[96];
	int n;

	/* a note, not a new event type: every view already shows marks on the hart's track */
	if (cmp > now)
		n = snprintf(text, sizeof(text), "timer %s=0x%" PRIx64 " (in %" PRIu64 " ticks)",
			     csr, cmp, cmp - now);
	else
		n = snprintf(text, sizeof(text), "timer %s=0x%" PRIx64 " (due)", csr, cmp);
	ev_init(h, &ev, TEV_MARK);
	ev.data = (const uint8_t *)text;
	ev.len = (uint32_t)n;
	rec_event(h->rec, &ev);
}
