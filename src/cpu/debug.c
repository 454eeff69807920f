/* debug — breakpoints, watchpoints, steps and event stops for the debugger; see debug.h. */
#include "cpu/debug.h"
#include "cpu/hart.h"
#include "machine/machine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- breakpoints: marked decoded slots ---- */

static void mark_slot(struct cpu *c, struct dpage *dp, unsigned idx)
{
	struct dbg_state *d = &c->dbg;

	if (dp->d[idx].handler == exec_label_bkpt)
		return;
	if (d->nmarks == d->cap) {
		unsigned cap = d->cap ? 2 * d->cap : 64;
		struct dbg_mark *m = realloc(d->marks, cap * sizeof(*m));

		if (!m)
			return; /* the breakpoint is missed on this page; nothing else breaks */
		d->marks = m;
		d->cap = cap;
	}
	d->marks[d->nmarks++] = (struct dbg_mark){dp, idx};
	dp->d[idx].handler = exec_label_bkpt;
}

void dbg_mark_page(struct cpu *c, struct dpage *dp, uint64_t vpage)
{
	for (unsigned i = 0; i < c->dbg.nbp; i++)
		if ((c->dbg.bp[i].addr & ~PG_MASK) == vpage)
			mark_slot(c, dp, (c->dbg.bp[i].addr & PG_MASK) >> 1);
	for (unsigned i = 0; i < c->dbg.ntrig_x; i++)
		if ((c->dbg.trig_x[i] & ~PG_MASK) == vpage)
			mark_slot(c, dp, (c->dbg.trig_x[i] & PG_MASK) >> 1);
}

void dbg_remark(struct cpu *c, struct dpage *dp)
{
	for (unsigned i = 0; i < c->dbg.nmarks; i++)
		if (c->dbg.marks[i].dp == dp)
			dp->d[c->dbg.marks[i].idx].handler = exec_label_bkpt;
}

/* Unmark every slot and drop every fetch translation: fetches mark pages again for the
 * breakpoints that remain. */
static void unmark_all(struct cpu *c)
{
	for (unsigned i = 0; i < c->dbg.nmarks; i++)
		c->dbg.marks[i].dp->d[c->dbg.marks[i].idx].handler = exec_label_decode;
	c->dbg.nmarks = 0;
	for (unsigned k = 0; k < c->nharts; k++)
		mmu_flush(c->harts[k]);
}

void dbg_triggers_changed(struct cpu *c)
{
	struct dbg_state *d = &c->dbg;
	uint64_t *x = d->trig_x;
	unsigned n = 0;

	if (!x) {
		x = calloc((size_t)c->nharts * TRIG_COUNT, sizeof(*x));
		if (!x)
			return; /* execute triggers stay unmarked; nothing else breaks */
		d->trig_x = x;
	}
	uint64_t nx[(size_t)c->nharts * TRIG_COUNT];
	for (unsigned k = 0; k < c->nharts; k++)
		n += trig_exec_addrs(c->harts[k], nx + n);
	if (n == d->ntrig_x && !memcmp(nx, x, n * sizeof(*x)))
		return;
	memcpy(x, nx, n * sizeof(*x));
	d->ntrig_x = n;
	unmark_all(c);
}

int cpu_bp_add(struct cpu *c, uint64_t addr, enum cpu_bp_type type)
{
	struct dbg_state *d = &c->dbg;

	for (unsigned i = 0; i < d->nbp; i++)
		if (d->bp[i].addr == addr && d->bp[i].type == type)
			return -EEXIST;
	if (d->nbp == CPU_MAX_BREAKPOINTS)
		return -ENOSPC;
	d->bp[d->nbp].addr = addr & ~1ull;
	d->bp[d->nbp].type = type;
	d->nbp++;
	unmark_all(c);
	return 0;
}

int cpu_bp_remove(struct cpu *c, uint64_t addr, enum cpu_bp_type type)
{
	struct dbg_state *d = &c->dbg;

	for (unsigned i = 0; i < d->nbp; i++) {
		if (d->bp[i].addr == (addr & ~1ull) && d->bp[i].type == type) {
			d->bp[i] = d->bp[--d->nbp];
			unmark_all(c);
			return 0;
		}
	}
	return -ENOENT;
}

/* The breakpoint at pc that stops this hart now, or NULL. */
static const struct dbg_bp *bp_at(struct hart *h, uint64_t pc, uint64_t retired)
{
	const struct dbg_state *d = &h->cpu->dbg;

	if (h->dbg_skip && pc == h->dbg_skip_pc && retired == h->dbg_skip_at)
		return NULL;
	for (unsigned i = 0; i < d->nbp; i++)
		if (d->bp[i].addr == pc)
			return &d->bp[i];
	return NULL;
}

bool dbg_break(struct hart *h, uint64_t pc, uint64_t retired)
{
	const struct dbg_bp *bp = bp_at(h, pc, retired);

	if (!bp)
		return false;
	h->dbg_stop = true;
	h->dbg_reason.kind = bp->type == CPU_BP_HW ? HART_STOP_HWBREAK : HART_STOP_SWBREAK;
	h->dbg_reason.addr = pc;
	h->dbg_reason.why[0] = 0;
	return true;
}

/* ---- watchpoints ---- */

int cpu_wp_add(struct cpu *c, uint64_t addr, uint64_t len, enum cpu_wp_type type)
{
	struct dbg_state *d = &c->dbg;

	if (!len || len > (1ull << 30) || addr + len < addr)
		return -EINVAL;
	for (unsigned i = 0; i < d->nwp; i++)
		if (d->wp[i].lo == addr && d->wp[i].hi == addr + len && d->wp[i].type == type)
			return -EEXIST;
	if (d->nwp == CPU_MAX_WATCHPOINTS)
		return -ENOSPC;
	d->wp[d->nwp++] = (struct dbg_wp){addr, addr + len, type};
	for (unsigned k = 0; k < c->nharts; k++)
		mmu_flush(c->harts[k]); /* the watched pages must leave the data TLBs */
	return 0;
}

int cpu_wp_remove(struct cpu *c, uint64_t addr, uint64_t len, enum cpu_wp_type type)
{
	struct dbg_state *d = &c->dbg;

	for (unsigned i = 0; i < d->nwp; i++) {
		if (d->wp[i].lo == addr && d->wp[i].hi == addr + len && d->wp[i].type == type) {
			d->wp[i] = d->wp[--d->nwp];
			return 0;
		}
	}
	return -ENOENT;
}

bool dbg_watch_page(const struct cpu *c, uint64_t vpage)
{
	for (unsigned i = 0; i < c->dbg.nwp; i++)
		if (c->dbg.wp[i].lo < vpage + PG_SIZE && c->dbg.wp[i].hi > vpage)
			return true;
	return false;
}

void dbg_watch_access(struct hart *h, uint64_t vaddr, unsigned size, unsigned rw)
{
	const struct dbg_state *d = &h->cpu->dbg;

	if (h->dbg_stop)
		return; /* the first hit of an instruction is the one reported */
	for (unsigned i = 0; i < d->nwp; i++) {
		const struct dbg_wp *w = &d->wp[i];

		if (!(w->type & rw) || vaddr >= w->hi || vaddr + size <= w->lo)
			continue;
		h->dbg_stop = true;
		h->dbg_reason.kind = w->type == CPU_WP_WRITE  ? HART_STOP_WATCH
				     : w->type == CPU_WP_READ ? HART_STOP_RWATCH
							      : HART_STOP_AWATCH;
		h->dbg_reason.addr = vaddr > w->lo ? vaddr : w->lo;
		h->dbg_reason.why[0] = 0;
		return;
	}
}

void cpu_debug_clear(struct cpu *c)
{
	c->dbg.nbp = 0;
	c->dbg.nwp = 0;
	c->dbg.events = 0;
	unmark_all(c);
}

/* ---- event stops ---- */

void cpu_break_on(struct cpu *c, unsigned events, uint64_t exc_mask, uint64_t irq_mask)
{
	c->dbg.events = events;
	c->dbg.exc_mask = exc_mask;
	c->dbg.irq_mask = irq_mask;
}

unsigned cpu_break_events(const struct cpu *c, uint64_t *exc_mask, uint64_t *irq_mask)
{
	if (exc_mask)
		*exc_mask = c->dbg.exc_mask;
	if (irq_mask)
		*irq_mask = c->dbg.irq_mask;
	return c->dbg.events;
}

/* levels (enum level): a hypervisor's guest runs at VS and VU */
static const char *const lvl_name[8] = {"U", "S", "?", "M", "VU", "VS", "?", "?"};

static void event_stop(struct hart *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void event_stop(struct hart *h, const char *fmt, ...)
{
	va_list ap;

	if (h->dbg_stop)
		return;
	h->dbg_stop = true;
	h->dbg_reason.kind = HART_STOP_EVENT;
	h->dbg_reason.addr = 0;
	va_start(ap, fmt);
	vsnprintf(h->dbg_reason.why, sizeof(h->dbg_reason.why), fmt, ap);
	va_end(ap);
}

void hart_debug_event_stop(struct hart *h, const char *why)
{
	event_stop(h, "%s", why);
}

void cpu_set_libcheck(struct cpu *c, unsigned what)
{
	c->dbg.libcheck = what;
}

static void libcheck_stop(struct hart *h)
{
	if (h->dbg_stop || h->dbg_step)
		return;
	h->dbg_stop = true;
	h->dbg_reason.kind = HART_STOP_LIBCHECK;
	h->dbg_reason.addr = 0;
	h->dbg_reason.why[0] = 0;
}

void dbg_libcheck_event(struct hart *h)
{
	libcheck_stop(h);
}

/* old_lvl: the level (enum level) the trap came from; a trap from VS/VU to HS or M leaves the
 * guest (a VM exit). */
void dbg_trap_event(struct hart *h, uint64_t cause, unsigned old_lvl)
{
	const struct dbg_state *d = &h->cpu->dbg;
	bool irq = cause >> 63;
	unsigned code = cause & 63, lvl = hart_level(h);
	const char *what = irq ? "interrupt" : "exception";
	const char *from = lvl_name[old_lvl & 7], *to = lvl_name[lvl & 7];

	if (!irq && (code == EXC_ECALL_S || code == 10) && (d->events & CPU_BRK_SBI))
		event_stop(h, "%s: eid 0x%" PRIx64 " fid 0x%" PRIx64 " (%s -> %s)",
			   code == 10 ? "hypercall (SBI call from VS)" : "SBI call", h->x[17],
			   h->x[16], from, to);
	else if (!irq && code == EXC_ECALL_U && (d->events & CPU_BRK_SYSCALL))
		event_stop(h, "syscall %" PRIu64 " (%s -> %s)", h->x[17], from, to);
	else if ((d->events & CPU_BRK_TRAP) && (((irq ? d->irq_mask : d->exc_mask) >> code) & 1))
		event_stop(h, "%s %u (%s -> %s)", what, code, from, to);
	else if ((d->events & CPU_BRK_VMEXIT) && old_lvl >= LVL_VU && lvl < LVL_VU)
		event_stop(h, "vmexit by %s %u: %s -> %s", what, code, from, to);
	else if ((d->events & CPU_BRK_PRIV) && old_lvl != lvl)
		event_stop(h, "privilege change by %s %u: %s -> %s", what, code, from, to);
	if ((d->libcheck & CPU_LIBCHECK_PRIV) && old_lvl != lvl)
		libcheck_stop(h);
}

/* old_lvl: the level of the xRET; an sret (or mret) from HS/M into VS/VU enters a guest. */
void dbg_xret_event(struct hart *h, unsigned old_lvl, const char *insn)
{
	unsigned events = h->cpu->dbg.events, lvl = hart_level(h);

	if ((events & CPU_BRK_VMENTRY) && old_lvl < LVL_VU && lvl >= LVL_VU)
		event_stop(h, "vmentry by %s: %s -> %s", insn, lvl_name[old_lvl & 7],
			   lvl_name[lvl & 7]);
	else if ((events & CPU_BRK_PRIV) && old_lvl != lvl)
		event_stop(h, "privilege change by %s: %s -> %s", insn, lvl_name[old_lvl & 7],
			   lvl_name[lvl & 7]);
	if ((h->cpu->dbg.libcheck & CPU_LIBCHECK_PRIV) && old_lvl != lvl)
		libcheck_stop(h);
}

/* ---- stopping and resuming ---- */

bool hart_debug_stopped(const struct hart *h, struct hart_stop *st)
{
	if (st)
		*st = h->dbg_stop ? h->dbg_reason : (struct hart_stop){.kind = HART_STOP_NONE};
	return h->dbg_stop;
}

void hart_debug_resume(struct hart *h, bool step, bool past_bp)
{
	h->dbg_stop = false;
	h->dbg_reason.kind = HART_STOP_NONE;
	h->dbg_step = step;
	h->dbg_skip = past_bp;
	h->dbg_skip_pc = h->pc;
	h->dbg_skip_at = h->instret;
}

void dbg_step_done(struct hart *h)
{
	h->dbg_step = false;
	if (h->dbg_stop)
		return; /* a breakpoint or watchpoint during the step says more */
	h->dbg_stop = true;
	h->dbg_reason.kind = HART_STOP_STEP;
	h->dbg_reason.addr = 0;
	h->dbg_reason.why[0] = 0;
}

/* ---- registers ---- */

/* CSR access as M mode would do it, whatever the hart's privilege. */
static int csr_as_m(struct hart *h, unsigned csr, bool write, uint64_t v, uint64_t *old)
{
	unsigned priv = h->priv;
	int e;

	h->priv = PRV_M;
	e = csr_access(h, csr, write ? CSR_RW : CSR_RS, write ? v : 0, write, old);
	h->priv = priv;
	if (write)
		hart_update_tlb_sets(h);
	return e < 0 ? -ENOENT : 0;
}

int hart_debug_read_reg(struct hart *h, unsigned regno, uint64_t *val)
{
	uint64_t old;

	if (regno < 32) {
		*val = regno ? h->x[regno] : 0;
	} else if (regno == 32) {
		*val = h->pc;
	} else if (regno < 65) {
		*val = h->f[regno - 33];
	} else if (regno == 4161) {
		*val = hart_level(h); /* V in bit 2, as QEMU's priv register */
	} else if (regno >= 65 && regno < 65 + 4096) {
		if (csr_as_m(h, regno - 65, false, 0, &old) < 0)
			return -ENOENT;
		*val = old;
	} else {
		return -ENOENT;
	}
	return 0;
}

int hart_debug_write_reg(struct hart *h, unsigned regno, uint64_t val)
{
	uint64_t old;

	bool rv32 = h->cpu->isa & ISA_RV32;

	if (regno < 32) { /* an RV32 hart's registers are kept sign-extended (exec_rv32.h) */
		if (regno)
			h->x[regno] = rv32 ? (uint64_t)(int64_t)(int32_t)val : val;
	} else if (regno == 32) {
		h->pc = (rv32 ? (uint32_t)val : val) & ~1ull;
	} else if (regno < 65) {
		h->f[regno - 33] = val;
	} else if (regno == 4161) {
		/* a level: V in bit 2 (VS, VU) only with the H extension; M has no V=1 */
		if (val > LVL_VS || val == 2 || val == 6 ||
		    (val >= LVL_VU && !isa_has(h->cpu->isa, ISA_H)))
			return -EINVAL;
		hyp_set_virt(h, (unsigned)(val >> 2));
		h->priv = (unsigned)val & 3;
		hart_update_tlb_sets(h);
	} else if (regno >= 65 && regno < 65 + 4096) {
		return csr_as_m(h, regno - 65, true, val, &old);
	} else {
		return -ENOENT;
	}
	return 0;
}

/* ---- memory ---- */

/* Translate va through satp as the hart's page walk does (mmu_walk: the same faults), without
 * side effects and without the leaf's permission checks (a debugger reads what the guest may
 * not). 0 and *pa, or -EFAULT. text: the walk, one line per level. */
static int walk(struct hart *h, uint64_t satp, uint64_t va, uint64_t *pa, char *text, size_t size)
{
	static const char *const page[] = {"4 KiB", "2 MiB", "1 GiB", "512 GiB"};
	struct mmu_walk w;
	int rc = mmu_walk(h, satp, va, false, &w);
	size_t used = 0;

#define W(...)                                                                                     \
	do {                                                                                       \
		if (text && used < size)                                                           \
			used += (size_t)snprintf(text + used, size - used, __VA_ARGS__);           \
	} while (0)
	if (text && size)
		text[0] = 0;
	if (!w.levels) {
		W("satp 0x%016" PRIx64 ": no paging (bare)\n", satp);
		*pa = va;
		return 0;
	}
	W("satp 0x%016" PRIx64 " Sv%u, root 0x%" PRIx64 "\n", satp,
	  (h->cpu->isa & ISA_RV32) ? 32 : 12 + 9 * w.levels,
	  (uint64_t)((satp & PPN_MASK) << PG_SHIFT));
	for (unsigned s = 0; s <= w.nsteps && s < w.levels; s++) {
		int lv = (int)(w.levels - 1 - s);
		uint64_t idx = (va >> (PG_SHIFT + 9 * lv)) & 0x1ff, pte = w.step[s].pte;

		if (s == w.nsteps) { /* the PTE that could not be read */
			if (rc == -EACCES)
				W("L%d[%3" PRIu64 "] at 0x%" PRIx64 ": not readable\n", lv, idx,
				  w.step[s].addr);
			break;
		}
		W("L%d[%3" PRIu64 "] at 0x%" PRIx64 ": pte 0x%016" PRIx64 " %c%c%c%c%c%c%c\n", lv,
		  idx, w.step[s].addr, pte, pte & PTE_V ? 'V' : '-', pte & PTE_R ? 'R' : '-',
		  pte & PTE_W ? 'W' : '-', pte & PTE_X ? 'X' : '-', pte & PTE_U ? 'U' : '-',
		  pte & PTE_A ? 'A' : '-', pte & PTE_D ? 'D' : '-');
	}
	if (rc < 0) {
		W("page fault: %s\n", w.why);
		return -EFAULT;
	}
	*pa = w.pa;
	W("0x%" PRIx64 " -> 0x%" PRIx64 " (%s page)\n", va, *pa, page[w.level]);
	return 0;
#undef W
}

int hart_debug_translate(struct hart *h, uint64_t va, uint64_t *pa, char *text, size_t size)
{
	return walk(h, h->satp, va, pa, text, size);
}

static bool backed(struct hart *h, uint64_t pa)
{
	uint64_t v;

	return machine_ram_ptr(h->m, pa, 1) || machine_debug_read(h->m, pa, 1, &v) == 0;
}

/* How a debugger address becomes physical. */
enum view { VIEW_HART, VIEW_PHYS, VIEW_SATP, VIEW_GPA };

/* The physical address the debugger means by addr. VIEW_HART: as the hart's loads would see
 * it, except that M mode (without MPRV) reads an address that is not backed physically but
 * translates through satp (a kernel's virtual address while stopped in the firmware) through
 * satp, so backtraces cross privilege levels. VIEW_SATP: always through satp. */
static int debug_pa(struct hart *h, uint64_t satp, uint64_t addr, enum view view, uint64_t *pa)
{
	unsigned priv;

	if (view == VIEW_PHYS) {
		*pa = addr;
		return 0;
	}
	if (view == VIEW_SATP)
		return walk(h, satp, addr, pa, NULL, 0);
	if (view == VIEW_GPA) /* the H extension's G-stage translation (hyp.c) */
		return cpu_translate_gpa(h->cpu, h->hartid, addr, pa);
	priv = h->priv;
	if (priv == PRV_M && (h->mstatus & MSTATUS_MPRV))
		priv = (h->mstatus & MSTATUS_MPP) >> 11;
	if (priv == PRV_M && backed(h, addr)) {
		*pa = addr;
		return 0;
	}
	if (h->virt) /* a guest's virtual address: vsatp, then hgatp */
		return cpu_translate_gva(h->cpu, h->hartid, addr, pa);
	return walk(h, h->satp, addr, pa, NULL, 0);
}

static long debug_copy(struct hart *h, uint64_t satp, uint64_t addr, void *buf, size_t len,
		       enum view view, bool write)
{
	size_t done = 0;

	while (done < len) {
		uint64_t va = addr + done, pa;
		size_t n = PG_SIZE - (va & PG_MASK);
		uint8_t *host;

		if (n > len - done)
			n = len - done;
		if (debug_pa(h, satp, va, view, &pa) < 0)
			break;
		host = machine_ram_ptr(h->m, pa, n);
		if (host) {
			if (write) {
				memcpy(host, (const uint8_t *)buf + done, n);
				cpu_invalidate_code(h->cpu, pa, n);
			} else {
				memcpy((uint8_t *)buf + done, host, n);
			}
		} else if (!write) { /* ROM (the boot ROM) byte by byte */
			size_t k;

			for (k = 0; k < n; k++) {
				uint64_t v;

				if (machine_debug_read(h->m, pa + k, 1, &v) < 0)
					break;
				((uint8_t *)buf)[done + k] = (uint8_t)v;
			}
			done += k;
			if (k < n)
				break;
			continue;
		} else {
			break;
		}
		done += n;
	}
	return done ? (long)done : -EFAULT;
}

long hart_debug_read_user(struct hart *h, uint64_t addr, void *buf, size_t len)
{
	/* in a guest (V=1) its user programs' addresses take both stages, as the hart's own */
	return debug_copy(h, h->satp, addr, buf, len, h->virt ? VIEW_HART : VIEW_SATP, false);
}

static enum view view_of(unsigned space)
{
	return space == CPU_MEM_PHYS ? VIEW_PHYS : space == CPU_MEM_GPA ? VIEW_GPA : VIEW_HART;
}

long hart_debug_read_mem(struct hart *h, uint64_t addr, void *buf, size_t len, unsigned space)
{
	return debug_copy(h, 0, addr, buf, len, view_of(space), false);
}

long hart_debug_write_mem(struct hart *h, uint64_t addr, const void *buf, size_t len,
			  unsigned space)
{
	return debug_copy(h, 0, addr, (void *)buf, len, view_of(space), true);
}

long cpu_debug_read_satp(struct cpu *c, uint64_t satp, uint64_t va, void *buf, size_t len)
{
	return debug_copy(c->harts[0], satp, va, buf, len, VIEW_SATP, false);
}
