/* pbmt — Svpbmt, Svnapot and Svinval under Sv39 from S mode: PBMT values with and without
 * menvcfg.PBMTE, reserved PTE bits, 64 KiB NAPOT pages (every 4 KiB page of one translates
 * through it; the TLB drops the whole range on one sinval.vma), the reserved NAPOT encodings,
 * and which modes may run sinval.vma / sfence.w.inval / sfence.inval.ir. */
#include "guest.h"

const char guest_name[] = "pbmt";

#define MENVCFG_PBMTE (1ul << 62)
#define PBMT_NC	      (1ul << 61)
#define PBMT_IO	      (2ul << 61)
#define PBMT_RSVD     (3ul << 61)
#define PTE_N	      (1ul << 63)

static uint8_t data_page[4096] __attribute__((aligned(4096)));
static uint8_t napot_a[65536] __attribute__((aligned(65536)));
static uint8_t napot_b[65536] __attribute__((aligned(65536)));

static uint64_t s_load(uint64_t va)
{
	return probe_ld(va);
}

static uint64_t s_sinval(uint64_t va)
{
	__asm__ volatile("sfence.w.inval\n sinval.vma %0, x0\n sfence.inval.ir" ::"r"(va)
			 : "memory");
	return 0;
}

static uint64_t one_sinval(uint64_t va)
{
	__asm__ volatile("sinval.vma %0, x0" ::"r"(va) : "memory");
	return 0;
}

static uint64_t one_w_inval(uint64_t va)
{
	__asm__ volatile("sfence.w.inval" ::: "memory");
	return va;
}

static uint64_t one_inval_ir(uint64_t va)
{
	__asm__ volatile("sfence.inval.ir" ::: "memory");
	return va;
}

static uint64_t *root;
static const uint64_t rw = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;

/* Map va to data_page with the extra high bits, then load through it from S mode. */
static void try_leaf(const char *what, uint64_t va, uint64_t extra, int want_fault)
{
	uint64_t *e = pt_map(root, 3, va, (uint64_t)data_page, 0, rw);

	*e |= extra;
	sfence_vma();
	trap_clear();
	uint64_t v = enter_mode(PRV_S, s_load, va + 8);
	if (want_fault)
		check_trap(what, PRV_M, CAUSE_LOAD_PAGE, va + 8);
	else
		check(what, v, 0x1234567887654321ul);
}

/* NAPOT PTEs for the 64 KiB at va (all 16 the same, as the spec asks of software). */
static void map_napot(uint64_t va, uint8_t *pa, uint64_t ppn_low)
{
	for (unsigned k = 0; k < 16; k++) {
		uint64_t *e = pt_map(root, 3, va + k * 4096ul, 0, 0, 0);
		*e = (((((uint64_t)pa >> 12) & ~0xful) | ppn_low) << 10) | rw | PTE_N;
	}
}

static void napot_fill(uint8_t *p, uint8_t tag)
{
	for (unsigned k = 0; k < 16; k++)
		*(volatile uint64_t *)(p + k * 4096 + 16) = (uint64_t)tag << 8 | k;
}

int main(void)
{
	*(volatile uint64_t *)(data_page + 8) = 0x1234567887654321ul;
	root = pt_standard(3);
	csr_write(satp, SATP_SV39 | (uint64_t)root >> 12);
	sfence_vma();

	/* Svpbmt */
	csr_write(menvcfg, 0);
	try_leaf("PBMTE=0: PBMT=NC is a page fault", 0x40000000ul, PBMT_NC, 1);
	try_leaf("PBMTE=0: PBMT=0 translates", 0x40001000ul, 0, 0);
	csr_set(menvcfg, MENVCFG_PBMTE);
	check("menvcfg.PBMTE reads back", csr_read(menvcfg) >> 62 & 1, 1);
	try_leaf("PBMTE=1: PBMT=NC translates", 0x40002000ul, PBMT_NC, 0);
	try_leaf("PBMTE=1: PBMT=IO translates", 0x40003000ul, PBMT_IO, 0);
	try_leaf("PBMTE=1: PBMT=3 (reserved) is a page fault", 0x40004000ul, PBMT_RSVD, 1);
	/* the same physical page through a PMA-default and an IO mapping sees the same bytes */
	*(volatile uint64_t *)(data_page + 8) = 0x1234567887654321ul;
	try_leaf("PBMT=IO mapping reads what memory holds", 0x40005000ul, PBMT_IO, 0);
	/* a non-leaf PTE with PBMT bits */
	pt_map(root, 3, 0x40200000ul, (uint64_t)data_page, 0, rw);
	*pt_lookup(root, 3, 0x40200000ul, 1) |= PBMT_NC;
	sfence_vma();
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40200000ul);
	check_trap("PBMT in a non-leaf PTE is a page fault", PRV_M, CAUSE_LOAD_PAGE, 0x40200000ul);
	*pt_lookup(root, 3, 0x40200000ul, 1) &= ~PBMT_NC;
	csr_clear(menvcfg, MENVCFG_PBMTE);

	/* Svnapot: 64 KiB at 0x40400000 onto napot_a */
	napot_fill(napot_a, 0xa);
	napot_fill(napot_b, 0xb);
	map_napot(0x40400000ul, napot_a, 8);
	sfence_vma();
	unsigned good = 0;
	for (unsigned k = 0; k < 16; k++)
		good += enter_mode(PRV_S, s_load, 0x40400000ul + k * 4096 + 16) == (0xa00ul | k);
	check("NAPOT: all 16 pages translate into the 64 KiB region", good, 16);
	/* remap to napot_b; one sinval.vma inside the range drops all 16 cached pages */
	map_napot(0x40400000ul, napot_b, 8);
	trap_clear();
	enter_mode(PRV_S, s_sinval, 0x40400000ul + 5 * 4096);
	check_no_trap("S: sfence.w.inval, sinval.vma, sfence.inval.ir");
	good = 0;
	for (unsigned k = 0; k < 16; k++)
		good += enter_mode(PRV_S, s_load, 0x40400000ul + k * 4096 + 16) == (0xb00ul | k);
	check("NAPOT: after sinval.vma of one page the whole range is remapped", good, 16);
	/* reserved NAPOT encodings */
	map_napot(0x40410000ul, napot_a, 4); /* PPN[3:0] = 0100: 32 KiB is reserved */
	sfence_vma();
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40410000ul);
	check_trap("NAPOT with PPN[3:0] = 0100 is a page fault", PRV_M, CAUSE_LOAD_PAGE,
		   0x40410000ul);
	uint64_t *big = pt_map(root, 3, 0x40600000ul, 0x80000000ul, 1, rw);
	*big |= PTE_N;
	sfence_vma();
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40600000ul);
	check_trap("N bit in a 2 MiB leaf is a page fault", PRV_M, CAUSE_LOAD_PAGE, 0x40600000ul);
	*big = 0;
	try_leaf("reserved PTE bit 54 is a page fault", 0x40006000ul, 1ul << 54, 1);

	csr_write(satp, 0); /* U code below runs outside the user window */
	sfence_vma();

	/* Svinval: U may run none of them; TVM traps sinval.vma in S, not the two fences */
	trap_clear();
	enter_mode(PRV_U, one_sinval, 0);
	check_trap_cause("U: sinval.vma is illegal", PRV_M, CAUSE_ILLEGAL);
	trap_clear();
	enter_mode(PRV_U, one_w_inval, 0);
	check_trap_cause("U: sfence.w.inval is illegal", PRV_M, CAUSE_ILLEGAL);
	trap_clear();
	enter_mode(PRV_U, one_inval_ir, 0);
	check_trap_cause("U: sfence.inval.ir is illegal", PRV_M, CAUSE_ILLEGAL);
	csr_set(mstatus, MSTATUS_TVM);
	trap_clear();
	enter_mode(PRV_S, one_sinval, 0);
	check_trap_cause("S with TVM: sinval.vma is illegal", PRV_M, CAUSE_ILLEGAL);
	trap_clear();
	enter_mode(PRV_S, one_w_inval, 0);
	enter_mode(PRV_S, one_inval_ir, 0);
	check_no_trap("S with TVM: sfence.w.inval and sfence.inval.ir run");
	csr_clear(mstatus, MSTATUS_TVM);
	return check_failures;
}
