/* vm — Sv39 and Sv48 translation from S mode: leaves at every level, and page faults
 * raised at every level of the walk (scause/stval as seen by the M handler, mcause/mtval). */
#include "guest.h"

const char guest_name[] = "vm";

static uint8_t data_page[4096] __attribute__((aligned(4096)));
static uint8_t code_page[4096] __attribute__((aligned(4096)));
static int levels;
static char what[128];

/* "svNN: " + s + suffix, in a static buffer. */
static const char *w2(const char *s, const char *suffix)
{
	char *p = what;
	const char *pre = levels == 3 ? "sv39: " : "sv48: ";
	while (*pre)
		*p++ = *pre++;
	while (*s && p < what + sizeof what - 40)
		*p++ = *s++;
	while (*suffix)
		*p++ = *suffix++;
	*p = 0;
	return what;
}

static const char *w(const char *s)
{
	return w2(s, "");
}

static uint64_t s_load(uint64_t va)
{
	return probe_ld(va);
}

static uint64_t s_store(uint64_t va)
{
	probe_sd(va, 0x5a5a);
	return 0;
}

static uint64_t s_fetch(uint64_t va)
{
	probe_fetch(va);
	return 0;
}

static void expect_fault(const char *name, uint64_t va)
{
	trap_clear();
	enter_mode(PRV_S, s_load, va);
	check_trap(w2(name, ": load page fault"), PRV_M, CAUSE_LOAD_PAGE, va);
	trap_clear();
	enter_mode(PRV_S, s_store, va);
	check_trap(w2(name, ": store page fault"), PRV_M, CAUSE_STORE_PAGE, va);
	trap_clear();
	enter_mode(PRV_S, s_fetch, va);
	check_trap(w2(name, ": fetch page fault"), PRV_M, CAUSE_FETCH_PAGE, va);
}

static void run(int lv)
{
	levels = lv;
	uint64_t *root = pt_standard(lv);
	uint64_t rw = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
	uint64_t dp = (uint64_t)data_page;
	uint64_t top = lv == 3 ? 1ul << 38 : 1ul << 47; /* first non-canonical positive VA */

	/* Leaves at every level map data_page. */
	pt_map(root, lv, 0x40000000ul, 0, 0, 0);		 /* placeholder, replaced below */
	pt_map(root, lv, 0x40000000ul, dp, 0, rw);		 /* 4 KiB */
	pt_map(root, lv, 0x40200000ul, dp & ~0x1ffffful, 1, rw); /* 2 MiB */
	pt_map(root, lv, 0xc0000000ul, 0x80000000ul, 2, rw);	 /* 1 GiB */
	if (lv == 4)
		pt_map(root, lv, 0x8000000000ul, 0, 3, rw); /* 512 GiB */
	csr_write(satp, (lv == 3 ? SATP_SV39 : SATP_SV48) | ((uint64_t)root >> 12));
	sfence_vma();
	check(w("satp mode reads back"), csr_read(satp) >> 60, lv == 3 ? 8 : 9);

	*(volatile uint64_t *)dp = 0x1122334455667788ul;
	check(w("load via 4 KiB leaf"), enter_mode(PRV_S, s_load, 0x40000000ul),
	      0x1122334455667788ul);
	check(w("load via 2 MiB leaf"), enter_mode(PRV_S, s_load, 0x40200000ul + (dp & 0x1ffffful)),
	      0x1122334455667788ul);
	check(w("load via 1 GiB leaf"),
	      enter_mode(PRV_S, s_load, 0xc0000000ul + (dp - 0x80000000ul)), 0x1122334455667788ul);
	if (lv == 4)
		check(w("load via 512 GiB leaf"), enter_mode(PRV_S, s_load, 0x8000000000ul + dp),
		      0x1122334455667788ul);
	enter_mode(PRV_S, s_store, 0x40000000ul + 8);
	check(w("store via 4 KiB leaf lands in data_page"), *(volatile uint64_t *)(dp + 8), 0x5a5a);

	/* Faults at each level: an invalid entry where the walk reads it. */
	expect_fault("invalid root entry", (lv == 3 ? 0x700000000ul : 0x30000000000ul) + 0x124);
	uint64_t va = 0x40000000ul + 0x3000; /* root and level-1 valid, level-0 entry empty */
	expect_fault("invalid level-0 entry", va);
	pt_map(root, lv, 0x40400000ul, 0, 0, 0);
	uint64_t *l1 = pt_lookup(root, lv, 0x40400000ul, 1);
	*l1 = 0; /* level-1 entry invalid */
	expect_fault("invalid level-1 entry", 0x40400000ul + 0x10);
	if (lv == 4) {
		uint64_t *l2 = pt_lookup(root, lv, 0x40000000ul, 2);
		uint64_t saved = *l2;
		/* A different GiB, same 512 GiB: level-2 entry empty. */
		expect_fault("invalid level-2 entry", 0x1c0000000ul + 0x40);
		*l2 = saved;
	}

	/* Other reasons a walk fails. */
	expect_fault("non-canonical VA", top);
	expect_fault("non-canonical negative VA", ~0ul << (lv == 3 ? 40 : 49));
	pt_map(root, lv, 0x40600000ul, dp & ~0x1ffffful, 1, rw);
	*pt_lookup(root, lv, 0x40600000ul, 1) |= 1ul << 10; /* PPN[0] != 0 in a 2 MiB leaf */
	sfence_vma();
	expect_fault("misaligned superpage", 0x40600000ul);
	uint64_t *e = pt_map(root, lv, 0x40001000ul, dp, 0, PTE_V | PTE_W | PTE_A | PTE_D);
	sfence_vma();
	expect_fault("reserved W without R", 0x40001000ul);
	*e = (((uint64_t)pt_alloc() >> 12) << 10) | PTE_V; /* pointer at level 0 */
	sfence_vma();
	expect_fault("non-leaf PTE at level 0", 0x40001000ul);
	*e = 0;

	/* Permissions. */
	pt_map(root, lv, 0x40002000ul, dp, 0, PTE_V | PTE_R | PTE_A | PTE_D);
	pt_map(root, lv, 0x40003000ul, (uint64_t)code_page, 0, PTE_V | PTE_X | PTE_A);
	pt_map(root, lv, 0x40004000ul, (uint64_t)code_page, 0,
	       PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	*(volatile uint32_t *)code_page = 0x00008067; /* ret */
	__asm__ volatile("fence.i");
	sfence_vma();
	trap_clear();
	enter_mode(PRV_S, s_store, 0x40002000ul);
	check_trap(w("store to read-only page: store page fault"), PRV_M, CAUSE_STORE_PAGE,
		   0x40002000ul);
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40002000ul);
	check_no_trap(w("load from read-only page: ok"));
	trap_clear();
	enter_mode(PRV_S, s_fetch, 0x40003000ul);
	check_no_trap(w("fetch from execute-only page: ok"));
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40003000ul);
	check_trap(w("load from execute-only page: load page fault"), PRV_M, CAUSE_LOAD_PAGE,
		   0x40003000ul);
	trap_clear();
	enter_mode(PRV_S, s_fetch, 0x40004000ul);
	check_trap(w("fetch from non-executable page: fetch page fault"), PRV_M, CAUSE_FETCH_PAGE,
		   0x40004000ul);

	/* Delegated page faults reach S with scause/stval. */
	csr_write(medeleg,
		  (1ul << CAUSE_LOAD_PAGE) | (1ul << CAUSE_STORE_PAGE) | (1ul << CAUSE_FETCH_PAGE));
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40005008ul);
	check_trap(w("delegated load page fault: scause 13, stval = VA"), PRV_S, CAUSE_LOAD_PAGE,
		   0x40005008ul);
	trap_clear();
	enter_mode(PRV_S, s_store, 0x40002010ul);
	check_trap(w("delegated store page fault: scause 15, stval = VA"), PRV_S, CAUSE_STORE_PAGE,
		   0x40002010ul);
	trap_clear();
	enter_mode(PRV_S, s_fetch, 0x40004000ul);
	check_trap(w("delegated fetch page fault: scause 12, stval = VA"), PRV_S, CAUSE_FETCH_PAGE,
		   0x40004000ul);
	csr_write(medeleg, 0);

	/* Stale TLB entries may survive until sfence.vma; after it the new mapping is used. */
	pt_map(root, lv, 0x40000000ul, (uint64_t)code_page, 0, rw);
	sfence_vma();
	check(w("after remap + sfence.vma: new page"), enter_mode(PRV_S, s_load, 0x40000000ul),
	      0x00008067);
	csr_write(satp, 0);
	sfence_vma();
}

int main(void)
{
	run(3);
	run(4);
	/* Bare mode after clearing satp: S accesses are physical. */
	check("bare: S load physical", enter_mode(PRV_S, s_load, (uint64_t)data_page),
	      0x1122334455667788ul);
	return check_failures;
}
