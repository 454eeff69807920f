/* cpu — hart creation, the shared decoded-code cache, and the hart API used by the machine. */
#include "cpu/hart.h"
#include "machine/machine.h"
#include "symbols/symbols.h"
#include "trace/record.h"
#include "util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define unlikely(x) __builtin_expect(!!(x), 0)

struct cpu *cpu_new(struct machine *m, unsigned nharts, isa_t isa)
{
	struct cpu *c = calloc(1, sizeof(*c));
	uint64_t lo = VIRT_DRAM_BASE, n = 0;

	if (!c)
		return NULL;
	exec_run(NULL, 0);
	c->m = m;
	c->nharts = nharts;
	c->isa = isa;
	/* find the extent of RAM from the machine */
	while (machine_ram_ptr(m, lo + (n << PG_SHIFT), PG_SIZE))
		n++;
	c->ram_base = lo;
	c->ram_pages = n;
	c->ram_host = n ? machine_ram_ptr(m, lo, PG_SIZE) : NULL;
	c->dpages = calloc(n ? n : 1, sizeof(*c->dpages));
	c->harts = calloc(nharts, sizeof(*c->harts));
	if (!c->dpages || !c->harts)
		goto fail;
	for (unsigned i = 0; i < nharts; i++) {
		struct hart *h = aligned_alloc(64, (sizeof(struct hart) + 63) & ~63ul);

		if (!h)
			goto fail;
		memset(h, 0, sizeof(*h));
		h->hartid = i;
		h->cpu = c;
		h->m = m;
		c->harts[i] = h;
		hart_reset(h, VIRT_MROM_BASE);
	}
	return c;
fail:
	cpu_free(c);
	errno = ENOMEM;
	return NULL;
}

void cpu_free(struct cpu *c)
{
	if (!c)
		return;
	for (unsigned i = 0; c->harts && i < c->nharts; i++) {
		if (c->harts[i])
			idle_free(c->harts[i]);
		free(c->harts[i]);
	}
	for (uint64_t i = 0; c->dpages && i < c->ram_pages; i++)
		free(c->dpages[i]);
	free(c->harts);
	free(c->dpages);
	free(c->dbg.marks);
	free(c->dbg.trig_x);
	free(c);
}

void cpu_set_ring_dump(struct cpu *c, uint64_t causes)
{
	for (unsigned i = 0; i < c->nharts; i++)
		c->harts[i]->ring_causes = causes;
}

isa_t cpu_isa(const struct cpu *c)
{
	return c->isa;
}

unsigned cpu_nharts(const struct cpu *c)
{
	return c->nharts;
}

struct hart *cpu_hart(struct cpu *c, unsigned hartid)
{
	return hartid < c->nharts ? c->harts[hartid] : NULL;
}

static void dpage_clear(struct dpage *dp, unsigned from, unsigned to)
{
	for (unsigned i = from; i <= to; i++)
		dp->d[i].handler = exec_label_decode;
}

struct dpage *cpu_dpage(struct cpu *c, uint64_t pa)
{
	uint64_t idx = (pa - c->ram_base) >> PG_SHIFT;
	struct dpage *dp;

	if (pa < c->ram_base || idx >= c->ram_pages)
		return NULL;
	dp = c->dpages[idx];
	if (dp)
		return dp;
	dp = malloc(sizeof(*dp));
	if (!dp)
		return NULL;
	dp->paddr = pa & ~PG_MASK;
	dp->gen = 0;
	dp->host = c->ram_host + (idx << PG_SHIFT);
	dpage_clear(dp, 0, DPAGE_SLOTS - 1);
	dp->d[DPAGE_SLOTS].handler = exec_label_page_end;
	dp->d[DPAGE_SLOTS + 1].handler = exec_label_page_end;
	c->dpages[idx] = dp;
	/* stores to this page must now come through the slow path, which invalidates code */
	mmu_flush_stores_all(c);
	return dp;
}

void cpu_set_ebreak_halts(struct cpu *c, bool on)
{
	c->ebreak_halts = on;
}

void cpu_invalidate_code(struct cpu *c, uint64_t paddr, uint64_t len)
{
	uint64_t end = paddr + len;

	if (!len || paddr >= c->ram_base + (c->ram_pages << PG_SHIFT) || end <= c->ram_base)
		return;
	if (paddr < c->ram_base)
		paddr = c->ram_base;
	while (paddr < end) {
		uint64_t idx = (paddr - c->ram_base) >> PG_SHIFT;
		uint64_t pend = (paddr | PG_MASK) + 1;
		uint64_t stop = end < pend ? end : pend;
		unsigned first, last;

		if (idx >= c->ram_pages)
			break;
		if (c->dpages[idx]) {
			/* an instruction starting one halfword earlier may cover the first byte */
			first = (paddr & PG_MASK) >> 1;
			first = first ? first - 1 : 0;
			last = ((stop - 1) & PG_MASK) >> 1;
			dpage_clear(c->dpages[idx], first, last);
			c->dpages[idx]->gen++;
			if (c->dbg.nmarks)
				dbg_remark(c, c->dpages[idx]);
		}
		paddr = stop;
	}
}

void hart_reset(struct hart *h, uint64_t pc)
{
	memset(h->x, 0, sizeof(h->x));
	memset(h->f, 0, sizeof(h->f));
	h->pc = pc;
	h->priv = PRV_M;
	h->mstatus = 0;
	h->medeleg = h->mideleg = h->mie = h->mip = 0;
	h->mtvec = h->stvec = h->satp = 0;
	hyp_reset(h);
	h->mcounteren = h->scounteren = 0;
	h->menvcfg = h->senvcfg = 0;
	memset(h->hpm_val, 0, sizeof(h->hpm_val));
	memset(h->hpm_event, 0, sizeof(h->hpm_event));
	h->mcountinhibit = 0;
	h->stimecmp = 0;
	h->stimecmp_armed = false;
	h->mip_hw &= ~MIP_STIP;
	h->fflags = h->frm = 0;
	memset(h->pmpcfg, 0, sizeof(h->pmpcfg));
	memset(h->pmpaddr, 0, sizeof(h->pmpaddr));
	h->pmp_active = false;
	h->resv_valid = false;
	h->waiting = false;
	trig_reset(h);
	mmu_flush(h);
	hart_update_tlb_sets(h);
}

uint64_t hart_get_pc(const struct hart *h)
{
	return h->pc;
}

uint64_t hart_get_xreg(const struct hart *h, unsigned r)
{
	return r && r < 32 ? h->x[r] : 0;
}

unsigned hart_priv(const struct hart *h)
{
	return h->priv;
}

uint64_t hart_instret(const struct hart *h)
{
	return h->instret;
}

bool hart_waiting(const struct hart *h)
{
	return h->waiting;
}

bool hart_trap_storm(const struct hart *h)
{
	return h->trap_repeats >= TRAP_STORM && h->instret == h->trap_insns;
}

void hart_set_irq(struct hart *h, uint64_t mip_bit, bool level)
{
	if (level)
		h->mip_hw |= mip_bit;
	else
		h->mip_hw &= ~mip_bit;
}

uint64_t hart_run(struct hart *h, uint64_t max_insns)
{
	uint64_t n;

	if (unlikely(h->dm_active)) {
		if (h->dmode)
			return 0; /* halted in Debug Mode: the Debug Module resumes it */
		max_insns = 1;
	}
	if (h->waiting) {
		/* WFI resumes on any locally enabled pending interrupt, even if globally off */
		if (!(csr_mip(h) & h->mie))
			return 0;
		h->waiting = false;
	}
	if (h->rec) {
		unsigned what = rec_hooks(h->rec);

		/* pages watched by mtrace must not stay in the TLB from an untraced run */
		if (what != h->tmask)
			mmu_flush(h);
		h->tmask = what;
		h->time0 = machine_clock(h->m);
		h->instret0 = h->instret;
	}
	if (unlikely(h->dbg_step))
		max_insns = 1;
	idle_begin(h);
	n = unlikely(h->trig_icount) ? trig_icount_run(h, max_insns) : exec_run(h, max_insns);
	idle_end(h);
	if (unlikely(h->dbg_step))
		dbg_step_done(h);
	if (unlikely(h->dm_step))
		dmode_step_done(h);
	/* Other harts run next and may store to the reserved address; dropping the reservation
	 * at the end of the quantum makes any SC after that fail, as the spec requires, without
	 * a check on every store. Spurious failures are allowed, and a constrained LR/SC loop
	 * succeeds on its retry within one quantum. */
	if (h->cpu->nharts > 1)
		h->resv_valid = false;
	return n;
}

static const char *const abi[32] = {"zero", "ra", "sp",	 "gp",	"tp", "t0", "t1", "t2",
				    "s0",   "s1", "a0",	 "a1",	"a2", "a3", "a4", "a5",
				    "a6",   "a7", "s2",	 "s3",	"s4", "s5", "s6", "s7",
				    "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

/* Rebuild the last n retired instructions from the ring of straight-line runs: each run
 * covers the instructions from its mark up to the next mark's retired count. */
static unsigned ring_rebuild(const struct hart *h, uint64_t *pcs, uint32_t *raws, unsigned n)
{
	unsigned got = 0, marks = h->ring_pos < RING_SIZE ? h->ring_pos : RING_SIZE;
	uint64_t end = h->instret;

	/* newest run first; fill the output from its end */
	for (unsigned m = 0; m < marks && got < n; m++) {
		const struct ring_ent *r = &h->ring[(h->ring_pos - 1 - m) % RING_SIZE];
		uint64_t cnt = end - r->instret, pc = r->pc;
		const struct dinsn *e = r->e;
		uint64_t tpc[RING_SIZE];
		uint32_t traw[RING_SIZE];
		unsigned k = 0;

		if (end < r->instret)
			break;
		end = r->instret;
		if (cnt > RING_SIZE) { /* only the tail of a long run matters */
			uint64_t skip = cnt - RING_SIZE;

			for (; e && skip; skip--) {
				pc += e->len;
				e += e->len >> 1;
			}
			cnt = RING_SIZE;
		}
		for (; k < cnt; k++) {
			tpc[k] = pc;
			traw[k] = e ? e->raw : r->raw;
			if (!e)
				break;
			pc += e->len;
			e += e->len >> 1;
		}
		if (!e && cnt)
			k = 1;
		while (k-- && got < n) {
			pcs[n - 1 - got] = tpc[k];
			raws[n - 1 - got] = traw[k];
			got++;
		}
	}
	/* move to the front */
	for (unsigned i = 0; i < got; i++) {
		pcs[i] = pcs[n - got + i];
		raws[i] = raws[n - got + i];
	}
	return got;
}

void hart_dump(const struct hart *h, FILE *f)
{
	static struct disasm *dis32, *dis64; /* LLVM's, created on first use and kept */
	struct disasm **pdis = h->cpu->isa & ISA_RV32 ? &dis32 : &dis64, *dis;
	static const char pn[4] = {'U', 'S', '?', 'M'};
	uint64_t pcs[16];
	uint32_t raws[16];
	unsigned n = ring_rebuild(h, pcs, raws, 16);

	/* an RV32 hart's registers as 32-bit values (they are kept sign-extended) */
	const int w = h->cpu->isa & ISA_RV32 ? 8 : 16;
	const uint64_t m = h->cpu->isa & ISA_RV32 ? 0xffffffffull : ~0ull;

	fprintf(f, "hart %u: pc %0*" PRIx64 " priv %c instret %" PRIu64 "\n", h->hartid, w, h->pc,
		pn[h->priv & 3], h->instret);
	for (unsigned i = 0; i < 32; i++)
		fprintf(f, "  %-4s %0*" PRIx64 "%s", abi[i], w, h->x[i] & m, i % 4 == 3 ? "\n" : "");
	fprintf(f,
		"  mstatus %016" PRIx64 " mcause %016" PRIx64 " mepc %016" PRIx64
		" mtval %016" PRIx64 "\n",
		h->mstatus, h->mcause, h->mepc, h->mtval);
	fprintf(f,
		"  scause %016" PRIx64 " sepc %016" PRIx64 " stval %016" PRIx64 " satp %016" PRIx64
		"\n",
		h->scause, h->sepc, h->stval, h->satp);
	fprintf(f, "last %u instructions (oldest first):\n", n);
	for (unsigned i = 0; i < n; i++) {
		struct dinsn d;
		char text[96], where[128] = "";
		const struct sym *sym = NULL;

		decode(raws[i], h->cpu->isa, &d);
		if (!*pdis)
			*pdis = disasm_new_xlen(isa_xlen(h->cpu->isa));
		dis = *pdis;
		if (!dis || disasm_insn(dis, pcs[i], raws[i], d.len, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "%s", decode_op_name(d.op));
		if (h->rec)
			sym = symset_lookup(rec_symbols(h->rec), h->priv, pcs[i]);
		if (sym)
			snprintf(where, sizeof(where), "  <%s+0x%" PRIx64 ">", sym->name,
				 pcs[i] - sym->addr);
		fprintf(f, "  %016" PRIx64 ":  %0*x  %-*s%s\n", pcs[i], d.len == 2 ? 4 : 8, raws[i],
			*where ? 32 : 0, text, where);
	}
	err_clear(); /* a missing disassembler is not the user's error */
}
