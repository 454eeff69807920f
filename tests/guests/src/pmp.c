/* pmp — physical memory protection: R/W/X denial from S and U (access faults with mtval),
 * TOR/NAPOT/NA4 matching, priority, partial matches, MPRV, and locked entries applying to M.
 * Entry 15 (set by start.S) grants S/U everything; tests use entries 0..5. */
#include "guest.h"

const char guest_name[] = "pmp";

static uint8_t page[4096] __attribute__((aligned(4096)));
static uint8_t page2[8192] __attribute__((aligned(8192)));

#define PMP_R	  0x01
#define PMP_W	  0x02
#define PMP_X	  0x04
#define PMP_TOR	  0x08
#define PMP_NA4	  0x10
#define PMP_NAPOT 0x18
#define PMP_L	  0x80

static void pmpaddr_write(int i, uint64_t v)
{
	switch (i) {
	case 0:
		csr_write(pmpaddr0, v);
		break;
	case 1:
		csr_write(pmpaddr1, v);
		break;
	case 2:
		csr_write(pmpaddr2, v);
		break;
	case 3:
		csr_write(pmpaddr3, v);
		break;
	case 4:
		csr_write(pmpaddr4, v);
		break;
	case 5:
		csr_write(pmpaddr5, v);
		break;
	}
}

static uint64_t pmpaddr_read(int i)
{
	switch (i) {
	case 0:
		return csr_read(pmpaddr0);
	case 1:
		return csr_read(pmpaddr1);
	case 2:
		return csr_read(pmpaddr2);
	case 3:
		return csr_read(pmpaddr3);
	case 4:
		return csr_read(pmpaddr4);
	case 5:
		return csr_read(pmpaddr5);
	}
	return 0;
}

static void pmpcfg_set(int i, uint64_t cfg)
{
	uint64_t v = csr_read(pmpcfg0);
	v &= ~(0xfful << (8 * i));
	v |= cfg << (8 * i);
	csr_write(pmpcfg0, v);
}

static uint64_t pmpcfg_get(int i)
{
	return (csr_read(pmpcfg0) >> (8 * i)) & 0xff;
}

static void pmp(int i, uint64_t addr, uint64_t cfg)
{
	pmpcfg_set(i, 0);
	pmpaddr_write(i, addr);
	pmpcfg_set(i, cfg);
}

static uint64_t napot(uint64_t base, uint64_t size)
{
	return (base >> 2) | ((size / 8) - 1);
}

static void pmp_clear_unlocked(void)
{
	for (int i = 0; i < 2; i++)
		pmp(i, 0, 0);
}

static uint64_t s_load(uint64_t a)
{
	return probe_ld(a);
}
static uint64_t s_lw(uint64_t a)
{
	return probe_lw(a);
}
static uint64_t s_store(uint64_t a)
{
	probe_sd(a, 0x42);
	return 0;
}
static uint64_t s_fetch(uint64_t a)
{
	probe_fetch(a);
	return 0;
}

static void expect(const char *what, int mode, uint64_t (*fn)(uint64_t), uint64_t a, uint64_t cause)
{
	trap_clear();
	enter_mode(mode, fn, a);
	if (cause == ~0ul)
		check_no_trap(what);
	else
		check_trap(what, PRV_M, cause, a);
}

int main(void)
{
	uint64_t p = (uint64_t)page, q = (uint64_t)page2;
	const uint64_t ok = ~0ul;
	*(volatile uint32_t *)p = 0x00008067; /* ret */
	*(volatile uint32_t *)(q + 0x1000) = 0x00008067;
	__asm__ volatile("fence.i");

	/* The spec makes pmpaddr bits 63:54 zero; QEMU 7.2 returns all 64 ones. Check bits 53:0. */
	check("pmpaddr15 = all ones reads back bits 53:0", csr_read(pmpaddr15) & ((1ul << 54) - 1),
	      (1ul << 54) - 1);

	/* NAPOT 4 KiB, read-only. */
	pmp(0, napot(p, 4096), PMP_NAPOT | PMP_R);
	check("NAPOT pmpaddr reads back", pmpaddr_read(0), napot(p, 4096));
	check("pmpcfg0 entry 0 reads back", pmpcfg_get(0), PMP_NAPOT | PMP_R);
	expect("NAPOT R: S load ok", PRV_S, s_load, p + 16, ok);
	expect("NAPOT R: S store: store access fault", PRV_S, s_store, p + 16, CAUSE_STORE_ACCESS);
	expect("NAPOT R: S fetch: fetch access fault", PRV_S, s_fetch, p, CAUSE_FETCH_ACCESS);
	expect("NAPOT R: U store: store access fault", PRV_U, s_store, p + 0xff8,
	       CAUSE_STORE_ACCESS);
	expect("NAPOT R: S store just past the region ok", PRV_S, s_store, p + 0x1000, ok);
	trap_clear();
	probe_sd(p + 24, 0x55);
	check_no_trap("NAPOT R, unlocked: M store ok");
	trap_clear();
	mprv_sd(p + 24, 0x66, PRV_S);
	check_trap("NAPOT R, unlocked: M store with MPRV=1 MPP=S: store access fault", PRV_M,
		   CAUSE_STORE_ACCESS, p + 24);
	pmp(0, napot(p, 4096), PMP_NAPOT | PMP_X);
	expect("NAPOT X: S fetch ok", PRV_S, s_fetch, p, ok);
	expect("NAPOT X: S load: load access fault", PRV_S, s_load, p + 8, CAUSE_LOAD_ACCESS);
	pmp_clear_unlocked();

	/* NA4: one word, no permissions. */
	pmp(0, (p + 8) >> 2, PMP_NA4);
	expect("NA4 none: S lw of the word: load access fault", PRV_S, s_lw, p + 8,
	       CAUSE_LOAD_ACCESS);
	expect("NA4 none: S lw of the next word ok", PRV_S, s_lw, p + 12, ok);
	expect("NA4 none: S lw of the previous word ok", PRV_S, s_lw, p + 4, ok);
	expect("NA4 none: S ld overlapping it (partial match): load access fault", PRV_S, s_load,
	       p + 8, CAUSE_LOAD_ACCESS);
	pmp_clear_unlocked();

	/* TOR [page2, page2 + 0x1000) X only; entry 0 gives the bottom and is off. */
	pmp(0, q >> 2, 0);
	pmp(1, (q + 0x1000) >> 2, PMP_TOR | PMP_X);
	expect("TOR X: S load inside: load access fault", PRV_S, s_load, q + 0x10,
	       CAUSE_LOAD_ACCESS);
	expect("TOR X: S load at the top (exclusive) ok", PRV_S, s_load, q + 0x1000, ok);
	expect("TOR X: S load below the bottom ok", PRV_S, s_load, q - 8, ok);
	pmp(1, (q + 0x1004) >> 2, PMP_TOR | PMP_X);
	expect("TOR X: S fetch inside ok", PRV_S, s_fetch, q + 0x1000, ok);
	expect("TOR X: S store inside: store access fault", PRV_S, s_store, q + 0xff8,
	       CAUSE_STORE_ACCESS);
	pmp_clear_unlocked();

	/* Priority: the lowest-numbered matching entry decides. */
	pmp(0, napot(q, 4096), PMP_NAPOT);
	pmp(1, napot(q, 8192), PMP_NAPOT | PMP_R | PMP_W | PMP_X);
	expect("priority: entry 0 (none) beats entry 1 (RWX)", PRV_S, s_load, q + 0x100,
	       CAUSE_LOAD_ACCESS);
	expect("priority: entry 1 applies outside entry 0", PRV_S, s_load, q + 0x1100, ok);
	pmp(0, napot(q, 4096), PMP_NAPOT | PMP_R);
	pmp(1, napot(q, 8192), PMP_NAPOT);
	expect("priority: entry 0 (R) beats entry 1 (none)", PRV_S, s_load, q + 0x100, ok);
	expect("priority: entry 1 (none) outside entry 0", PRV_S, s_load, q + 0x1100,
	       CAUSE_LOAD_ACCESS);
	pmp_clear_unlocked();

	/* Locked entries bind M too and ignore writes (until reset: these tests come last). */
	pmp(2, (p + 0x40) >> 2, PMP_NA4 | PMP_R | PMP_L);
	trap_clear();
	uint64_t v = probe_lw(p + 0x40);
	check_no_trap("locked NA4 R: M load ok");
	check("locked NA4 R: M load value", v, 0);
	trap_clear();
	probe_sw(p + 0x40, 1);
	check_trap("locked NA4 R: M store: store access fault", PRV_M, CAUSE_STORE_ACCESS,
		   p + 0x40);
	trap_clear();
	probe_sw(p + 0x44, 1);
	check_no_trap("locked NA4 R: M store to the next word ok");
	pmpcfg_set(2, 0);
	check("locked entry: pmpcfg write ignored", pmpcfg_get(2), PMP_NA4 | PMP_R | PMP_L);
	pmpaddr_write(2, 0);
	check("locked entry: pmpaddr write ignored", pmpaddr_read(2), (p + 0x40) >> 2);
	/* Locked TOR entry 5 also locks pmpaddr4 (its bottom). */
	pmp(4, (q + 0x1000) >> 2, 0);
	pmp(5, (q + 0x2000) >> 2, PMP_TOR | PMP_R | PMP_L);
	pmpaddr_write(4, 0);
	check("locked TOR entry 5: pmpaddr4 write ignored", pmpaddr_read(4), (q + 0x1000) >> 2);
	trap_clear();
	probe_sd(q + 0x1800, 3);
	check_trap("locked TOR R: M store: store access fault", PRV_M, CAUSE_STORE_ACCESS,
		   q + 0x1800);
	trap_clear();
	probe_fetch(q + 0x1000);
	check_trap("locked TOR R: M fetch: fetch access fault", PRV_M, CAUSE_FETCH_ACCESS,
		   q + 0x1000);
	return check_failures;
}
