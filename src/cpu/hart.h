/* hart.h — the private state of a hart, shared by the cpu/ files only.
 * Everything the interpreter touches per instruction (x, f, TLBs) sits at the front. */
#ifndef STRATA_CPU_HART_H
#define STRATA_CPU_HART_H

#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "cpu/dmode.h"
#include "cpu/decode.h"

#include <stdbool.h>
#include <stdint.h>

#define PG_SHIFT 12
#define PG_SIZE	 4096ull
#define PG_MASK	 (PG_SIZE - 1)

/* page-table entries (Sv39/Sv48) */
#define PTE_V	 (1u << 0)
#define PTE_R	 (1u << 1)
#define PTE_W	 (1u << 2)
#define PTE_X	 (1u << 3)
#define PTE_U	 (1u << 4)
#define PTE_A	 (1u << 6)
#define PTE_D	 (1u << 7)
#define PTE_N	 (1ull << 63) /* Svnapot */
#define PPN_MASK ((1ull << 44) - 1)
#define NAPOT64K_MASK 0xfull /* the PPN bits a 64 KiB NAPOT PTE takes from the VA */

enum priv { PRV_U = 0, PRV_S = 1, PRV_M = 3 };
/* A level as traces, filters and GDB's priv register see it: priv | V << 2 (U=0, S/HS=1, M=3, VU=4, VS=5). */
enum level { LVL_U = 0, LVL_S = 1, LVL_M = 3, LVL_VU = 4, LVL_VS = 5 };

/* exception causes */
enum {
	EXC_INSN_MISALIGNED = 0,
	EXC_INSN_ACCESS = 1,
	EXC_ILLEGAL = 2,
	EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7,
	EXC_ECALL_U = 8,
	EXC_ECALL_S = 9,
	EXC_ECALL_M = 11,
	EXC_INSN_PAGE = 12,
	EXC_LOAD_PAGE = 13,
	EXC_STORE_PAGE = 15,
	EXC_ECALL_VS = 10,	   /* H: ecall from VS */
	EXC_INSN_GUEST_PAGE = 20,  /* H: G-stage faults */
	EXC_LOAD_GUEST_PAGE = 21,
	EXC_VIRT_INSN = 22,	   /* H: virtual instruction */
	EXC_STORE_GUEST_PAGE = 23,
};

enum access { ACC_LOAD = 0, ACC_STORE = 1, ACC_FETCH = 2 };

/* mstatus bits */
#define MSTATUS_SIE  (1ull << 1)
#define MSTATUS_MIE  (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP  (1ull << 8)
#define MSTATUS_MPP  (3ull << 11)
#define MSTATUS_FS   (3ull << 13)
#define MSTATUS_FS_CLEAN (2ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM  (1ull << 18)
#define MSTATUS_MXR  (1ull << 19)
#define MSTATUS_TVM  (1ull << 20)
#define MSTATUS_TW   (1ull << 21)
#define MSTATUS_TSR  (1ull << 22)
#define MSTATUS_UXL  (3ull << 32)
#define MSTATUS_SXL  (3ull << 34)
#define MSTATUS_GVA  (1ull << 38) /* H */
#define MSTATUS_MPV  (1ull << 39) /* H */
#define MSTATUS_SD   (1ull << 63)

/* A soft-TLB entry: a guest virtual page that maps to host memory. vtag is the page address
 * (low 12 bits zero) or TLB_INVALID; host address = vaddr + addend. */
struct tlb_entry {
	uint64_t vtag;
	uintptr_t addend;
};
#define TLB_BITS    8
#define TLB_SIZE    (1u << TLB_BITS)
#define TLB_INVALID (~0ull)

/* Fetch-TLB entries also point at the decoded page (and its guest-physical address). */
struct dpage;
struct itlb_entry {
	uint64_t vtag;
	struct dpage *dp;
};

/* TLB sets: one per effective privilege for data (S with and without SUM differ), so that
 * privilege changes and SUM toggles need no flush. V=1 translations (vsatp + hgatp) have
 * TS_PER_VG sets per group, VG_COUNT groups, each holding one (hgatp, vsatp)'s translations
 * (hyp.c), so a hypervisor switching between guests finds each one's translations warm;
 * TS_VU, TS_VS, TS_VSSUM are their offsets from a group's first set. */
#define VG_COUNT 4
enum {
	TS_U = 0,
	TS_S = 1,
	TS_SSUM = 2,
	TS_M = 3,
	TS_FIRST_V = 4,
	TS_VU = 0,
	TS_VS = 1,
	TS_VSSUM = 2,
	TS_PER_VG = 3,
	TS_COUNT = TS_FIRST_V + TS_PER_VG * VG_COUNT
};
struct tlb_set {
	struct tlb_entry ld[TLB_SIZE];
	struct tlb_entry st[TLB_SIZE];
	struct itlb_entry x[TLB_SIZE];
};

/* A guest-physical RAM page's decoded instructions, one slot per halfword, plus two sentinel
 * slots that send execution that runs off the end of the page back to the fetch path. */
#define DPAGE_SLOTS (PG_SIZE / 2)
struct dpage {
	struct dinsn d[DPAGE_SLOTS + 2];
	uint8_t *host; /* the page's bytes */
	uint64_t paddr;
	uint32_t gen; /* bumped whenever code in the page is overwritten (traces re-record it) */
};

/* The always-on ring records where execution entered straight-line code (like Intel PT's
 * taken-branch packets): the pc, the retired count at that moment, and the decoded slot. The last
 * instructions are rebuilt from it when printed, so the hot path writes nothing per instruction. */
#define RING_SIZE 32
struct ring_ent {
	uint64_t pc;
	uint64_t instret;      /* retired instructions before the first one of this run */
	const struct dinsn *e; /* decoded slot of pc (RAM code), or NULL */
	uint32_t raw;	       /* the encoding, for uncached code (e == NULL) */
};

#define TRIG_COUNT   2	/* triggers per hart, as QEMU 7.2 */
#define HPM_COUNTERS 16 /* mhpmcounter3..18, as QEMU 7.2's default pmu-num */

struct hart {
	uint64_t x[33]; /* x[32] is a sink for writes to x0 */
	uint64_t f[32];
	uint64_t pc;
	unsigned priv;
	unsigned virt; /* V (H extension): 1 while in VS or VU mode */
	unsigned hartid;
	struct tlb_set *ts_fetch, *ts_data; /* current sets */

	/* CSRs */
	uint64_t mstatus, medeleg, mideleg, mie, mip, mip_hw, mtvec, mscratch, mepc, mcause, mtval;
	uint64_t stvec, sscratch, sepc, scause, stval, satp;
	uint64_t menvcfg, senvcfg;
	uint64_t stimecmp;   /* Sstc */
	bool stimecmp_armed; /* as QEMU: the comparator drives STIP once stimecmp was written */
	/* H extension (hyp.c). alt holds the other world's supervisor registers: VS's while V=0,
	 * HS's while V=1 (the live s* fields and mstatus's sstatus bits are always the current
	 * world's, so S-mode code paths serve VS unchanged, as QEMU swaps them). */
	uint64_t hstatus, hedeleg, hideleg, hgeie, htval, htinst, hgatp, htimedelta, henvcfg;
	uint64_t mtval2, mtinst, vstimecmp;
	uint32_t hcounteren;
	bool vstimecmp_armed;
	bool vtlb_used; /* a V=1 TLB set holds entries */
	bool hlvx;	/* the access being translated is an HLVX (execute permission reads) */
	struct sregs {
		uint64_t status, tvec, scratch, epc, cause, tval, atp;
	} alt;
	uint64_t vs_fs; /* at V=1: vsstatus.FS bits the live mstatus.FS hides (hyp_fs_split) */
	uint32_t mcounteren, scounteren, mcountinhibit;
	uint32_t fflags, frm;
	uint8_t pmpcfg[16];
	uint64_t pmpaddr[16];
	bool pmp_active; /* some PMP entry is not OFF */
	/* the non-empty PMP entries as ranges, in priority order: mmu.c recomputes them in
	 * mmu_flush(), which every PMP write must call anyway */
	unsigned pmp_n;
	uint8_t pmp_idx[16];
	uint64_t pmp_lo[16], pmp_hi[16];

	/* Zihpm (csr.c): mhpmcounter3.. = hpm_val + what counted since hpm_base (an instret) */
	uint64_t hpm_val[HPM_COUNTERS], hpm_base[HPM_COUNTERS], hpm_event[29];

	/* Sdtrig trigger module (trigger.c) */
	struct trig {
		uint64_t tdata1, tdata2, tdata3;
	} trig[TRIG_COUNT];
	unsigned tselect;
	bool trig_data;	  /* a load/store trigger is armed: its pages stay out of the TLB */
	bool trig_icount; /* an icount trigger is armed: hart_run steps */

	/* counters: instret = instret_base + retired in the current hart_run call */
	uint64_t instret;
	uint64_t cycle_off; /* mcycle = instret + cycle_off */

	/* LR/SC: like QEMU, SC succeeds if the reservation address matches and memory still holds
	 * the value LR read. */
	uint64_t resv_addr, resv_val;
	bool resv_valid;

	bool waiting; /* in WFI */

	/* traps taken with no instruction retired in between (a trap vector that faults): past
	 * TRAP_STORM of them hart_run returns, so a broken guest cannot hang the host */
	uint64_t trap_insns;
	unsigned trap_repeats;

	/* exception being raised from a slow path; exc_gpa: a guest-page fault's guest physical
	 * address (htval/mtval2 << 2), exc_gva: tval is a guest virtual address (H) */
	uint64_t exc_cause, exc_tval, exc_gpa;
	bool exc_gva;

	/* always-on ring of straight-line runs, see struct ring_ent */
	struct ring_ent ring[RING_SIZE];
	unsigned ring_pos;

	struct dinsn tmp[3]; /* for instructions that cannot be cached (ROM, MMIO, page-crossing) */

	/* tracing (hooks.c): what is recorded during this run, and the clocks at its start */
	struct recorder *rec;
	unsigned tmask;
	uint64_t ring_causes; /* --dump-ring-on: print the ring when these exceptions are taken */
	uint64_t time0, instret0;
	struct code_seen {
		uint64_t vpage, ppage, satp, hgatp;
		uint32_t gen;
	} code_seen[512]; /* code pages already in the trace, direct-mapped by virtual page */

	/* debugger (debug.c): dbg_stop means the hart left hart_run for the debugger */
	bool dbg_stop, dbg_step;
	bool dbg_skip; /* the breakpoint at dbg_skip_pc does not fire at instret dbg_skip_at */
	uint64_t dbg_skip_pc, dbg_skip_at;
	struct hart_stop dbg_reason;

	/* Debug Mode (dmode.c): dm_active = in Debug Mode or stepping for the Debug Module, looked
	 * at only where traps, interrupts and the end of a run are */
	bool dm_active, dmode, dm_step;
	bool dm_done, dm_exc; /* the program buffer reached its ebreak / raised an exception */
	bool dm_trig;	      /* the trap being raised is a trigger that enters Debug Mode */
	uint64_t dcsr, dpc, dscratch[2];


	struct cpu *cpu;
	struct machine *m;
	/* idle fixpoint elision (idle.c): armed by the machine; probe while this run looks. Not
	 * architectural state: after struct cpu, outside what snap.c saves */
	bool idle_armed, idle_probe;
	struct idle *idle;
	/* the V=1 TLB groups (hyp.c): the current one's first set, what each holds (keys are
	 * hgatp and vsatp; used false: nothing yet), the next to reuse. Not architectural either:
	 * a restore or reset empties them all */
	unsigned vg_first;
	struct vg_key {
		uint64_t hgatp, vsatp;
		bool used;
	} vg_key[VG_COUNT];
	unsigned vg_next;
	struct tlb_set tlbs[TS_COUNT];
};

/* enum level of h (needs struct hart complete, hence not next to the enum) */
static inline unsigned hart_level(const struct hart *h) { return h->priv | h->virt << 2; }

/* What the debugger set (debug.c). marks: decoded slots whose handler is exec_label_bkpt. */
struct dbg_bp {
	uint64_t addr;
	unsigned type;
};
struct dbg_wp {
	uint64_t lo, hi;
	unsigned type;
};
struct dbg_mark {
	struct dpage *dp;
	unsigned idx;
};
struct dbg_state {
	unsigned nbp, nwp;
	struct dbg_bp bp[CPU_MAX_BREAKPOINTS];
	struct dbg_wp wp[CPU_MAX_WATCHPOINTS];
	struct dbg_mark *marks;
	unsigned nmarks, cap;
	unsigned events;   /* CPU_BRK_* */
	unsigned libcheck; /* CPU_LIBCHECK_* */
	uint64_t exc_mask, irq_mask;
	/* execute-trigger addresses of every hart (trigger.c): marked like breakpoints */
	uint64_t *trig_x; /* room for nharts * TRIG_COUNT */
	unsigned ntrig_x;
};

struct cpu {
	struct machine *m;
	isa_t isa; /* machine-wide: decoded pages are shared by all harts */
	unsigned nharts;
	struct hart **harts;
	/* decoded pages of RAM, indexed by (paddr - ram_base) >> 12 */
	struct dpage **dpages;
	uint64_t ram_base, ram_pages;
	uint8_t *ram_host;
	struct dbg_state dbg;
	bool ebreak_halts; /* NEMU's "trap": ebreak ends the run (cpu_set_ebreak_halts) */
};

/* menvcfg/senvcfg fields */
#define ENVCFG_FIOM    (1ull << 0)
#define ENVCFG_CBIE    (3ull << 4)
#define ENVCFG_CBCFE   (1ull << 6)
#define ENVCFG_CBZE    (1ull << 7)
#define MENVCFG_PBMTE  (1ull << 62)
#define MENVCFG_STCE   (1ull << 63)

/* ---- csr.c ---- */
enum { CSR_RW, CSR_RS, CSR_RC };
/* Execute a CSR instruction's access (kind: CSR_RW/RS/RC with operand); returns 0 or -1
 * (illegal instruction). *old receives the old value. write = false for CSRRS/CSRRC with
 * x0/zimm 0, which must not have write side effects. */
int csr_access(struct hart *h, unsigned csr, unsigned kind, uint64_t operand, bool write,
	       uint64_t *old);
/* csr_access at XLEN 64 (the rows), and as an RV32 hart sees the CSRs (csr32.c); csr_access
 * picks one by the hart's XLEN. */
int csr_access64(struct hart *h, unsigned csr, unsigned kind, uint64_t operand, bool write,
		 uint64_t *old);
int csr_access_rv32(struct hart *h, unsigned csr, unsigned kind, uint64_t operand, bool write,
		    uint64_t *old);
/* The name of an RV32-only CSR (mstatush, cycleh, ...), or NULL. */
const char *csr_name_rv32(unsigned csr);
uint64_t csr_mip(const struct hart *h);
/* Sstc: drive STIP from stimecmp at mtime (with menvcfg.STCE). */
void sstc_update(struct hart *h, uint64_t mtime);

/* ---- trap.c ---- */
/* Enter the trap handler for cause (interrupt if bit 63 set) with tval; h->pc is the epc. */
void trap_take(struct hart *h, uint64_t cause, uint64_t tval);
/* The highest-priority interrupt that should be taken now, or 0. Returns cause | 1<<63. */
uint64_t trap_pending_irq(const struct hart *h);
/* mret/sret: return 0, or -1 if illegal here. */
int trap_mret(struct hart *h);
/* What of mepc/sepc is an address: ~1, or ~3 without C. */
uint64_t epc_mask(const struct hart *h);
int trap_sret(struct hart *h);
/* Recompute the current TLB sets after a change of priv or mstatus. */
void hart_update_tlb_sets(struct hart *h);

/* ---- mmu.c ---- */
/* Translate and check a data access; fill the TLB when the page is uniform. On a fault
 * returns -1 with h->exc_cause/exc_tval set. */
int mmu_load(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *val);
int mmu_store(struct hart *h, uint64_t vaddr, unsigned size, uint64_t val);
/* Host pointer for an aligned atomic access (LR/SC/AMO), or NULL with the exception set. */
uint8_t *mmu_atomic_ptr(struct hart *h, uint64_t vaddr, unsigned size, bool is_lr);
/* Cache-block operations (64-byte blocks) at the block holding vaddr: zero it (cbo.zero, a
 * store), or check that a load or a store may access it (cbo.clean/flush/inval, which fault as
 * stores). 0, or -1 with the exception set (tval = the block's address). */
#define CBO_BLOCK 64
int mmu_cbo_zero(struct hart *h, uint64_t vaddr);
int mmu_cbo_check(struct hart *h, uint64_t vaddr);
/* Fetch translation for pc: returns the decoded page (TLB filled), or NULL with
 * *raw_ok = 1 and the raw instruction in *raw for uncacheable code, or NULL with an exception
 * set (*raw_ok = 0). */
struct dpage *mmu_fetch(struct hart *h, uint64_t pc, uint32_t *raw, int *raw_ok);
/* Read a (possibly page-crossing) instruction at pc through the MMU, caching nothing. */
int mmu_fetch_raw(struct hart *h, uint64_t pc, uint32_t *raw);
/* Forget all translations of this hart (satp write, SFENCE.VMA, PMP change). */
void mmu_flush(struct hart *h);
/* Forget the translations of one virtual page (SFENCE.VMA with an address). */
void mmu_flush_page(struct hart *h, uint64_t vaddr);
/* Drop cached store translations in all harts (a RAM page just became code). */
void mmu_flush_stores_all(struct cpu *c);
/* Walk the page table(s) for vaddr at level lvl (enum level: V=1 levels translate in two
 * stages); 0 and *paddr, or -1 with the exception set. */
int mmu_translate(struct hart *h, uint64_t vaddr, int acc, unsigned lvl, uint64_t *paddr);
/* One page walk as the hardware does it, without side effects (no A/D update, no exception, no
 * permission check of the leaf): mmu_translate's walk, and the debugger's. */
struct mmu_walk {
	unsigned levels; /* 3 (Sv39), 4 (Sv48), or 0: satp is Bare and pa = va */
	unsigned nsteps; /* PTEs read, root first */
	struct {
		uint64_t addr, pte;
	} step[4];	   /* step[nsteps].addr: the PTE that could not be read (-EACCES) */
	uint64_t pte;	   /* the leaf */
	uint8_t *pte_host; /* where the leaf lives in host memory (for A/D updates) */
	int level;	   /* the leaf's level: 0 a 4 KiB page, 1 2 MiB, 2 1 GiB, 3 512 GiB */
	uint64_t pa;	   /* the translation */
	const char *why;   /* what failed, for the debugger */
};
/* Walk satp's page table for va; PTE reads are PMP-checked (as S mode) if pmp. 0; -EFAULT for a
 * page fault (not canonical, invalid or reserved PTE bits, no leaf, misaligned superpage);
 * -EACCES for an access fault (a PTE not in RAM or denied by PMP). */
int mmu_walk(const struct hart *h, uint64_t satp, uint64_t va, bool pmp, struct mmu_walk *w);

/* ---- hyp.c: the H extension ---- */
#define MIP_VSSIP (1ull << 2)
#define MIP_VSTIP (1ull << 6)
#define MIP_VSEIP (1ull << 10)
#define MIP_SGEIP (1ull << 12)
#define MIP_VS_MASK (MIP_VSSIP | MIP_VSTIP | MIP_VSEIP)
#define HSTATUS_GVA  (1ull << 6)
#define HSTATUS_SPV  (1ull << 7)
#define HSTATUS_SPVP (1ull << 8)
#define HSTATUS_HU   (1ull << 9)
#define HSTATUS_VTVM (1ull << 20)
#define HSTATUS_VTW  (1ull << 21)
#define HSTATUS_VTSR (1ull << 22)
/* Reset the H state (mideleg's read-only VS bits with H on). */
void hyp_reset(struct hart *h);
/* Switch V, swapping the supervisor registers with alt (see struct hart). */
void hyp_set_virt(struct hart *h, unsigned virt);
/* mstatus = (mstatus & ~mask) | (v & mask), v's FS being what the current world sees (at V=1
 * the guest's vsstatus.FS, combined with HS's as hyp.c's FP gate needs). */
void hyp_status_write(struct hart *h, uint64_t v, uint64_t mask);
/* Two-stage translation of va at V=1 privilege priv (vsatp + hgatp, as the hart has them). 0 and
 * *pa, or -1 with the exception set (page fault or guest-page fault with htval/htinst noted). */
int hyp_translate(struct hart *h, uint64_t va, int acc, unsigned priv, uint64_t *pa);
/* A load (x: HLVX) or store of size bytes at va as V=1 at hstatus.SPVP (HLV/HSV): 0, or -1 with
 * the exception set. No TLB fill. */
int mmu_hyp_load(struct hart *h, uint64_t va, unsigned size, bool x, uint64_t *val);
int mmu_hyp_store(struct hart *h, uint64_t va, unsigned size, uint64_t val);
/* Whether a PTE's bits 63:54 make it a page fault (pbmte: the envcfg that enables Svpbmt). */
bool mmu_pte_reserved(const struct hart *h, uint64_t pte, bool leaf, int level, bool pbmte);
/* Whether PMP lets priv access [pa, pa+size) (acc: ACC_*). */
bool mmu_pmp_ok(const struct hart *h, uint64_t pa, unsigned size, int acc, unsigned priv);
/* The CSR rows of the H extension (csr.c's table keeps only these calls): a CSR access from a
 * V=1 level that must raise a virtual-instruction exception returns -2. */
int hyp_csr_read(struct hart *h, unsigned csr, uint64_t *v);
int hyp_csr_write(struct hart *h, unsigned csr, uint64_t v);
int hyp_csr_pred(const struct hart *h, unsigned csr);
/* Interrupts: pending VS-level bits that V=1 takes, and the cause VS sees for them. */
uint64_t hyp_pending_irq(const struct hart *h, uint64_t pending);
/* Trap routing with H: the target for cause from the current level (LVL_M, LVL_S or LVL_VS),
 * entered by trap_take. */
unsigned hyp_trap_target(const struct hart *h, uint64_t cause);
/* Sstc vstimecmp at mtime (with henvcfg.STCE): drive VSTIP. */
void hyp_timer_update(struct hart *h, uint64_t mtime);
/* Flush every V=1 TLB set (changes that apply to all guests' translations). */
void hyp_flush(struct hart *h);
/* Flush the V=1 TLB groups of one VMID (HFENCE.GVMA with rs2, HFENCE.VVMA, sfence.vma at V=1). */
void hyp_flush_vmid(struct hart *h, uint64_t vmid);
/* The VMID of the hart's hgatp. */
uint64_t hyp_vmid(const struct hart *h);
/* hgatp or vsatp changed (or everything, after a restore: all true): take the V=1 TLB group
 * that holds the new pair's translations, or empty one for it. */
void hyp_tlb_select(struct hart *h, bool all);
/* Empty TLB sets [first, end), then reselect the current ones (mmu.c; the V=1 sets count as
 * unused afterwards if the range covers them all). */
void mmu_flush_sets(struct hart *h, unsigned first, unsigned end);
/* mmu_walk for an RV32 hart: Sv32 (sv32.c), levels 2, level 1 a 4 MiB page. */
int mmu_walk_sv32(const struct hart *h, uint64_t satp, uint64_t va, bool pmp, struct mmu_walk *w);

/* ---- cpu.c ---- */
/* The decoded page for RAM page holding pa (created empty on first use), or NULL if not RAM. */
struct dpage *cpu_dpage(struct cpu *c, uint64_t pa);

/* ---- hooks.c: hand events to the recorder; h->instret holds the instructions retired
 * before the event's instruction ---- */
void hook_run(struct hart *h, uint64_t pc, const struct dpage *dp, uint32_t raw, unsigned len);
void hook_jump(struct hart *h, uint64_t pc, uint64_t target, unsigned rd, unsigned rs1);
void hook_trap(struct hart *h, uint64_t epc, uint64_t cause, uint64_t tval, unsigned old_priv);
void hook_xret(struct hart *h, uint64_t pc, unsigned old_priv);
void hook_mem(struct hart *h, uint64_t vaddr, uint64_t paddr, unsigned size, uint64_t val,
	      unsigned kind);
void hook_mmio(struct hart *h, uint64_t paddr, unsigned size, uint64_t val, unsigned kind);
/* The hypervisor wrote hvip: the VS interrupts it injects changed from old to val (etrace). */
void hook_hvip(struct hart *h, uint64_t old, uint64_t val);
/* A timer compare register (csr: its name) was programmed to cmp at mtime now (etrace). */
void hook_timer(struct hart *h, const char *csr, uint64_t cmp, uint64_t now);
/* Whether a data page must stay out of the TLB because mtrace watches it. */
bool hook_mem_page(const struct hart *h, uint64_t vpage, int acc);

/* ---- debug.c (the rest is in debug.h) ---- */
/* Mark the slots of breakpoints in vpage in dp (a fetch translation vpage -> dp was filled). */
void dbg_mark_page(struct cpu *c, struct dpage *dp, uint64_t vpage);
/* dp's slots were reset to exec_label_decode: mark again those that were marked. */
void dbg_remark(struct cpu *c, struct dpage *dp);
/* A marked slot or uncached code at pc is about to run (retired: instructions before it):
 * true if a breakpoint stops the hart there (dbg_stop set). */
bool dbg_break(struct hart *h, uint64_t pc, uint64_t retired);
/* Watchpoints: whether vpage holds one; check one completed access (rw: 1 read, 2 write). */
bool dbg_watch_page(const struct cpu *c, uint64_t vpage);
void dbg_watch_access(struct hart *h, uint64_t vaddr, unsigned size, unsigned rw);
/* Event stops after a trap was taken / an xRET ran. */
void dbg_trap_event(struct hart *h, uint64_t cause, unsigned old_priv);
void dbg_xret_event(struct hart *h, unsigned old_priv, const char *insn);
/* satp was written (cpu_set_libcheck). */
void dbg_libcheck_event(struct hart *h);
/* A single step ended (one instruction retired or a trap entered). */
void dbg_step_done(struct hart *h);

/* Execute triggers changed on some hart: re-mark slots for the union of all harts'. */
void dbg_triggers_changed(struct cpu *c);

/* ---- trigger.c: Sdtrig ---- */
void trig_reset(struct hart *h);
int trig_csr_read(struct hart *h, unsigned csr, uint64_t *v);
int trig_csr_write(struct hart *h, unsigned csr, uint64_t v);
/* tdata1/tdata2 of some trigger changed: update the TLB, the marks and the flags. */
void trig_changed(struct hart *h);
/* A trigger of this hart fires before the instruction at pc runs / before an access: true,
 * with the trap (h->exc_cause/exc_tval) to take. */
bool trig_exec(struct hart *h, uint64_t pc);
bool trig_mem(struct hart *h, uint64_t vaddr, unsigned size, int acc);
/* Whether a load/store trigger watches vpage (keep it out of the data TLB). */
bool trig_data_page(const struct hart *h, uint64_t vpage);
/* The execute-trigger addresses of h into out (room for TRIG_COUNT); how many. */
unsigned trig_exec_addrs(const struct hart *h, uint64_t *out);
/* hart_run with an icount trigger armed: instructions one at a time. */
uint64_t trig_icount_run(struct hart *h, uint64_t max_insns);
/* ---- dmode.c (the rest is in dmode.h) ---- */
/* Whether an ebreak here enters Debug Mode (dcsr.ebreakm/s/u, or the hart is in it). */
bool dmode_ebreak_bit(const struct hart *h);
/* Enter Debug Mode with dpc = pc; in Debug Mode, note that the program buffer ended. */
void dmode_enter(struct hart *h, uint64_t pc, unsigned cause);
/* A step for the Debug Module ended: halt with cause step unless the hart already halted. */
void dmode_step_done(struct hart *h);
/* Interrupts are held off (in Debug Mode, or stepping without dcsr.stepie). */
bool dmode_irq_off(const struct hart *h);
/* The rows of dcsr, dpc, dscratch0/1 in the CSR table. */
int dmode_csr_pred(const struct hart *h, unsigned csr);
int dmode_csr_read(struct hart *h, unsigned csr, uint64_t *v);
int dmode_csr_write(struct hart *h, unsigned csr, uint64_t v);

/* ---- idle.c: idle fixpoint elision, called only while h->idle_probe ---- */
/* A store TLB set with no entries: loads and stores take the slow path while the hart probes. */
extern struct tlb_entry idle_no_tlb[TLB_SIZE];
/* Refetch reached pc in dp with insns retired and budget left, ring position *rp: n >= 0 to
 * count n more instructions retired and end the run at pc (*rp updated); -1 to go on with
 * every access on the slow path (it logs them); -2 to go on, only jumps through refetch. */
int64_t idle_visit(struct hart *h, uint64_t pc, const struct dpage *dp, uint64_t insns,
		   int64_t budget, unsigned *rp);
/* The hart is about to access size bytes of RAM at host: a load (store NULL), a store of the
 * bytes at store, or an atomic read-modify-write (IDLE_TOUCH_RMW). */
#define IDLE_TOUCH_RMW ((const void *)1)
void idle_touch(struct hart *h, const uint8_t *host, unsigned size, const void *store);
/* Something a loop iteration must not do happened (device access, TLB flush, ...). */
void idle_abort(struct hart *h);
/* Whether a CSR access keeps the search going (no counters, no time, no side effects). */
bool idle_csr_ok(unsigned csr, bool write);
/* Around exec_run in hart_run; and the hart's end. */
void idle_begin(struct hart *h);
void idle_end(struct hart *h);
void idle_free(struct hart *h);

/* ---- exec.c ---- */
/* Run the interpreter; exec_run(NULL, 0) only initialises the label table. */
uint64_t exec_run(struct hart *h, uint64_t max_insns);
/* Label that decodes the slot it is reached from (the initial handler of every slot). */
extern const void *exec_label_decode;
/* Label of the two sentinel slots past the end of a decoded page. */
extern const void *exec_label_page_end;
/* Label of a slot marked for a breakpoint (debug.c). */
extern const void *exec_label_bkpt;

#endif
