/* hypvm — two-stage translation (H 1.0): the G-stage (hgatp Sv39x4) under a bare and an Sv39
 * VS-stage, guest-page faults (causes 20, 21, 23) with mtval/stval the guest virtual address,
 * mtval2/htval the guest physical one >> 2 and GVA set, faults of the VS-stage's own PTE reads,
 * HLV/HLVX/HSV at hstatus.SPVP, MPRV with MPV, HFENCE.GVMA after a G-stage change, and WARL
 * hgatp values (reserved mode, misaligned root, a Bare one's VMID). */
#include "guest.h"

const char guest_name[] = "hypvm";

#define CSR_HSTATUS  0x600
#define CSR_HGATP    0x680
#define CSR_VSATP    0x280
#define HGATP_SV39X4 (8ul << 60)
#define G_RWXU	     (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)

#define H_INSN(insn) ".option push\n\t.option arch, +h\n\t" insn "\n\t.option pop"

/* the G-stage root: 16 KiB, 16 KiB-aligned */
static uint64_t groot[2048] __attribute__((aligned(16384)));
static volatile uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t page_b[512] __attribute__((aligned(4096)));
static volatile uint64_t page_x[512] __attribute__((aligned(4096)));

/* guest physical windows */
#define GPA_A	 0x100000000ul /* -> page_a (4 KiB), later page_b */
#define GPA_RO	 0x100001000ul /* -> page_a, read-only */
#define GPA_NOU	 0x100002000ul /* -> page_a, U=0 */
#define GPA_X	 0x100003000ul /* -> page_x, execute-only */
#define GPA_HOLE 0x140000000ul /* not mapped */
#define VA_A	 0x40000000ul  /* VS-stage: -> GPA_A */
#define VA_USER	 0x40001000ul  /* VS-stage: -> GPA_A with U=1 */
#define VA_X	 0x40002000ul  /* VS-stage: -> GPA_X, execute-only */
#define VA_HOLE	 0x40003000ul  /* VS-stage: not mapped */
#define VA_BADPT 0xc0000000ul  /* VS-stage: its level-1 table at GPA_HOLE */

static uint64_t v_load(uint64_t a)
{
	return probe_ld(a);
}

static uint64_t v_store(uint64_t a)
{
	probe_sd(a, 0x5a5a);
	return 0;
}

static uint64_t v_fetch(uint64_t a)
{
	probe_fetch(a);
	return 0;
}

static uint64_t v_ret(uint64_t a)
{
	return a + 1;
}

static uint64_t hlv_d(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile(H_INSN("hlv.d %0, (%1)") : "+r"(v) : "r"(a) : "memory");
	return v;
}

static uint64_t hlvx_wu(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile(H_INSN("hlvx.wu %0, (%1)") : "+r"(v) : "r"(a) : "memory");
	return v;
}

static uint64_t hlv_w(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile(H_INSN("hlv.w %0, (%1)") : "+r"(v) : "r"(a) : "memory");
	return v;
}

static void hsv_d(uint64_t a, uint64_t v)
{
	__asm__ volatile(H_INSN("hsv.d %0, (%1)")::"r"(v), "r"(a) : "memory");
}

static void hfence_gvma(void)
{
	__asm__ volatile(H_INSN("hfence.gvma"));
}

/* the M handler's view of the last guest-page fault */
static void check_gpf(const char *what, uint64_t cause, uint64_t gva, uint64_t gpa)
{
	gprintf("%s: %s:", guest_name, what);
	check(" cause and mtval", last_trap.cause == cause && last_trap.tval == gva, 1);
	check(" mtval2 = gpa >> 2", last_trap.tval2, gpa >> 2);
	check(" mstatus.GVA and MPV", last_trap.gva | (last_trap.from & 4) >> 1, 3);
}

int main(void)
{
	uint64_t *vsroot, *leaf;

	hyp_setup();
	/* G-stage: DRAM and the UART identity (1 GiB leaves), the 4 KiB windows */
	groot[0] = 0; /* GPA 0..1 GiB: devices, unused by VS code */
	groot[2] = ((0x80000000ul >> 12) << 10) | G_RWXU;
	pt_map(groot, 3, GPA_A, (uint64_t)page_a, 0, G_RWXU);
	pt_map(groot, 3, GPA_RO, (uint64_t)page_a, 0, G_RWXU & ~PTE_W & ~PTE_D);
	pt_map(groot, 3, GPA_NOU, (uint64_t)page_a, 0, G_RWXU & ~PTE_U);
	pt_map(groot, 3, GPA_X, (uint64_t)page_x, 0, PTE_V | PTE_X | PTE_U | PTE_A);
	page_a[0] = 0x1111;
	page_b[0] = 0x2222;
	page_x[0] = 0x00008067; /* ret */
	csr_write(CSR_HGATP, HGATP_SV39X4 | ((uint64_t)groot >> 12));
	check("hgatp Sv39x4 reads back", csr_read(CSR_HGATP),
	      HGATP_SV39X4 | ((uint64_t)groot >> 12));
	hfence_gvma();

	/* bare VS-stage: VA = GPA */
	check("VS runs under the G-stage", enter_v(PRV_S, v_ret, 41), 42);
	check("VS load through the G-stage window", enter_v(PRV_S, v_load, GPA_A), 0x1111);
	trap_clear();
	enter_v(PRV_S, v_load, GPA_HOLE + 8);
	check_trap_cause("load from an unmapped GPA: guest-page fault", PRV_M,
			 CAUSE_LOAD_GUEST_PAGE);
	check_gpf("load guest-page fault", CAUSE_LOAD_GUEST_PAGE, GPA_HOLE + 8, GPA_HOLE + 8);
	trap_clear();
	enter_v(PRV_S, v_store, GPA_RO + 16);
	check_trap_cause("store to a read-only G-stage page", PRV_M, CAUSE_STORE_GUEST_PAGE);
	check_gpf("store guest-page fault", CAUSE_STORE_GUEST_PAGE, GPA_RO + 16, GPA_RO + 16);
	trap_clear();
	enter_v(PRV_S, v_load, GPA_NOU);
	check_trap_cause("G-stage leaf without U: guest-page fault", PRV_M, CAUSE_LOAD_GUEST_PAGE);
	trap_clear();
	enter_v(PRV_S, v_fetch, GPA_HOLE);
	check_trap_cause("fetch from an unmapped GPA: guest-page fault", PRV_M,
			 CAUSE_FETCH_GUEST_PAGE);
	check_gpf("fetch guest-page fault", CAUSE_FETCH_GUEST_PAGE, GPA_HOLE, GPA_HOLE);
	trap_clear();
	enter_v(PRV_S, v_load, 1ul << 41);
	check_trap_cause("GPA beyond Sv39x4's 41 bits: guest-page fault", PRV_M,
			 CAUSE_LOAD_GUEST_PAGE);
	check("VS fetch from an execute-only G-stage page", enter_v(PRV_S, v_fetch, GPA_X), 0);

	/* delegated to HS: scause, stval = GVA, htval = GPA >> 2, hstatus.GVA/SPV */
	csr_write(medeleg, 1ul << CAUSE_LOAD_GUEST_PAGE);
	trap_clear();
	enter_v(PRV_S, v_load, GPA_HOLE + 0x10);
	check_trap("load guest-page fault delegated to HS: stval = GVA", PRV_S,
		   CAUSE_LOAD_GUEST_PAGE, GPA_HOLE + 0x10);
	check("htval = GPA >> 2", last_trap.tval2, (GPA_HOLE + 0x10) >> 2);
	check("hstatus.GVA and SPV", last_trap.gva | (last_trap.from & 4) >> 1, 3);
	csr_write(medeleg, 0);

	/* an Sv39 VS-stage in guest memory (its tables at identity GPAs; VU code in the U window)
	 */
	vsroot = pt_standard(3); /* S code and data, the U window, identity */
	pt_map(vsroot, 3, VA_A, GPA_A, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	pt_map(vsroot, 3, VA_USER, GPA_A, 0, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
	pt_map(vsroot, 3, VA_X, GPA_X, 0, PTE_V | PTE_X | PTE_A);
	/* VA_BADPT's level-1 table lies at an unmapped GPA */
	vsroot[(VA_BADPT >> 30) & 511] = ((GPA_HOLE >> 12) << 10) | PTE_V;
	csr_write(CSR_VSATP, SATP_SV39 | ((uint64_t)vsroot >> 12));
	check("two stages: VS load VA -> GPA -> HPA", enter_v(PRV_S, v_load, VA_A + 8), 0);
	page_a[1] = 0xabcd;
	check("two stages: the page's data", enter_v(PRV_S, v_load, VA_A + 8), 0xabcd);
	trap_clear();
	enter_v(PRV_S, v_load, VA_HOLE);
	check_trap("VS-stage miss: page fault, mtval = VA", PRV_M, CAUSE_LOAD_PAGE, VA_HOLE);
	check("VS-stage page fault: mtval2 = 0", last_trap.tval2, 0);
	check("VS-stage page fault: GVA", last_trap.gva, 1);
	trap_clear();
	enter_v(PRV_S, v_load, VA_BADPT);
	check_trap_cause("VS-stage PTE at an unmapped GPA: guest-page fault", PRV_M,
			 CAUSE_LOAD_GUEST_PAGE);
	check_gpf("implicit PTE read", CAUSE_LOAD_GUEST_PAGE, VA_BADPT,
		  GPA_HOLE + ((VA_BADPT >> 21) & 511) * 8);
	trap_clear();
	enter_v(PRV_U, (uint64_t(*)(uint64_t))uprobe_ld, VA_A);
	check_trap("VU load of a VS-stage S page: page fault", PRV_M, CAUSE_LOAD_PAGE, VA_A);

	/* HLV/HSV from M at hstatus.SPVP */
	csr_write(CSR_HSTATUS, HSTATUS_SPVP);
	check("hlv.d as VS", hlv_d(VA_A + 8), 0xabcd);
	hsv_d(VA_A + 16, 0x77);
	check("hsv.d as VS reaches the page", page_a[2], 0x77);
	trap_clear();
	check("hlv.w of an execute-only page: page fault", (hlv_w(VA_X), last_trap.cause),
	      CAUSE_LOAD_PAGE);
	check("hlvx.wu of an execute-only page", hlvx_wu(VA_X), 0x00008067);
	csr_write(CSR_HSTATUS, 0);
	trap_clear();
	hlv_d(VA_A);
	check_trap("hlv.d as VU of an S page: page fault", PRV_M, CAUSE_LOAD_PAGE, VA_A);
	check("hlv.d as VU of a U page", hlv_d(VA_USER + 8), 0xabcd);
	trap_clear();
	hlv_d(GPA_HOLE);
	check_trap_cause("hlv.d as VU of an unmapped VA: page fault", PRV_M, CAUSE_LOAD_PAGE);

	/* MPRV with MPV: M's loads translate as VS */
	csr_set(mstatus, MSTATUS_MPV);
	check("MPRV+MPV load as VS", mprv_ld(VA_A + 8, PRV_S), 0xabcd);
	csr_clear(mstatus, MSTATUS_MPV);

	/* a G-stage change is seen after hfence.gvma */
	leaf = pt_lookup(groot, 3, GPA_A, 0);
	*leaf = (((uint64_t)page_b >> 12) << 10) | G_RWXU;
	hfence_gvma();
	check("after hfence.gvma: the new G-stage page", enter_v(PRV_S, v_load, VA_A), 0x2222);
	csr_write(CSR_VSATP, 0);

	/* WARL hgatp: a reserved mode is not kept, a root's PPN[1:0] read as zero */
	csr_write(CSR_HGATP, (1ul << 60) | ((uint64_t)groot >> 12));
	check("hgatp reserved mode 1: reads as Bare", csr_read(CSR_HGATP) >> 60, 0);
	csr_write(CSR_HGATP, HGATP_SV39X4 | ((uint64_t)groot >> 12) | 3);
	check("hgatp root PPN[1:0] read as zero", csr_read(CSR_HGATP) & 3, 0);
	/* KVM and OpenSBI fence a VMID through a Bare hgatp holding it (DECISIONS.md) */
	csr_write(CSR_HGATP, 5ul << 44);
	check("hgatp Bare keeps its VMID", csr_read(CSR_HGATP), 5ul << 44);
	csr_write(CSR_HGATP, 0);
	return check_failures;
}
