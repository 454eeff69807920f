/* cbo — Zicbom/Zicboz (CMO spec 1.0): cbo.zero clears the whole 64-byte block holding rs1;
 * menvcfg gates S and U, senvcfg gates U (CBZE, CBCFE, CBIE 00/01/11), an illegal instruction
 * otherwise; under paging cbo.zero faults as a store, cbo.clean/flush/inval need load or store
 * permission and fault as stores, with tval = the block's address. Debian's QEMU 7.2 has no
 * Zicbo*: tests/guests/src/cbo.cpu switches them on for strata, and the golden is checked here
 * against the specification's values (tests/guests/README: strata-only guests). */
#include "guest.h"

const char guest_name[] = "cbo";

#define ENVCFG_CBIE_FLUSH (1ul << 4)
#define ENVCFG_CBIE_INVAL (3ul << 4)
#define ENVCFG_CBCFE	  (1ul << 6)
#define ENVCFG_CBZE	  (1ul << 7)

static uint8_t buf[4096] __attribute__((aligned(4096)));
static uint8_t ro_page[4096] __attribute__((aligned(4096)));
static uint8_t none_page[4096] __attribute__((aligned(4096)));

/* One instruction each (the trap handlers skip 4 bytes). */
static uint64_t do_zero(uint64_t a)
{
	__asm__ volatile("cbo.zero (%0)" ::"r"(a) : "memory");
	return 0;
}
static uint64_t do_clean(uint64_t a)
{
	__asm__ volatile("cbo.clean (%0)" ::"r"(a) : "memory");
	return 0;
}
static uint64_t do_flush(uint64_t a)
{
	__asm__ volatile("cbo.flush (%0)" ::"r"(a) : "memory");
	return 0;
}
static uint64_t do_inval(uint64_t a)
{
	__asm__ volatile("cbo.inval (%0)" ::"r"(a) : "memory");
	return 0;
}
static uint64_t do_prefetch(uint64_t a)
{
	/* Zicbop: ORI HINTs that never trap, whatever the address */
	__asm__ volatile("prefetch.i 0(%0)\n prefetch.r 64(%0)\n prefetch.w -64(%0)" ::"r"(a)
			 : "memory");
	return 0;
}

static void fill(uint8_t v)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = v;
}

/* Bytes of buf that are zero in [lo, hi). */
static uint64_t zeros(unsigned lo, unsigned hi)
{
	uint64_t n = 0;
	for (unsigned i = lo; i < hi; i++)
		n += buf[i] == 0;
	return n;
}

static void gate(const char *what, int mode, uint64_t (*fn)(uint64_t), uint64_t menv,
		 uint64_t senv, int want_illegal)
{
	csr_write(menvcfg, menv);
	csr_write(senvcfg, senv);
	trap_clear();
	enter_mode(mode, fn, (uint64_t)buf + 128);
	if (want_illegal)
		check_trap_cause(what, PRV_M, CAUSE_ILLEGAL);
	else
		check_no_trap(what);
}

static uint64_t all_ops(uint64_t a)
{
	do_zero(a);
	do_clean(a);
	do_flush(a);
	do_inval(a);
	return 0;
}

int main(void)
{
	uint64_t b = (uint64_t)buf;

	/* M mode: always allowed; the block holding rs1, not rs1 onwards */
	fill(0xa5);
	trap_clear();
	do_zero(b + 64 + 13);
	check_no_trap("M: cbo.zero does not trap with menvcfg = 0");
	check("M: cbo.zero clears the 64 bytes of its block", zeros(64, 128), 64);
	check("M: bytes before the block untouched", zeros(0, 64), 0);
	check("M: bytes after the block untouched", zeros(128, 256), 0);
	trap_clear();
	do_clean(b);
	do_flush(b);
	do_inval(b);
	do_prefetch(b);
	check_no_trap("M: cbo.clean/flush/inval and prefetches do not trap");
	check("M: management operations leave memory alone", zeros(0, 64), 0);

	/* S mode: menvcfg */
	gate("S: cbo.zero, menvcfg.CBZE=0: illegal", PRV_S, do_zero, 0, ~0ul, 1);
	fill(0xa5);
	gate("S: cbo.zero, menvcfg.CBZE=1: allowed", PRV_S, do_zero, ENVCFG_CBZE, 0, 0);
	check("S: cbo.zero cleared its block", zeros(128, 192), 64);
	gate("S: cbo.clean, CBCFE=0: illegal", PRV_S, do_clean, ENVCFG_CBZE, ~0ul, 1);
	gate("S: cbo.flush, CBCFE=0: illegal", PRV_S, do_flush, 0, ~0ul, 1);
	gate("S: cbo.clean, CBCFE=1: allowed", PRV_S, do_clean, ENVCFG_CBCFE, 0, 0);
	gate("S: cbo.flush, CBCFE=1: allowed", PRV_S, do_flush, ENVCFG_CBCFE, 0, 0);
	gate("S: cbo.inval, CBIE=00: illegal", PRV_S, do_inval, ENVCFG_CBCFE, ~0ul, 1);
	gate("S: cbo.inval, CBIE=01 (flush): allowed", PRV_S, do_inval, ENVCFG_CBIE_FLUSH, 0, 0);
	gate("S: cbo.inval, CBIE=11: allowed", PRV_S, do_inval, ENVCFG_CBIE_INVAL, 0, 0);
	gate("S: prefetches never trap", PRV_S, do_prefetch, 0, 0, 0);

	/* U mode: menvcfg and senvcfg */
	uint64_t all = ENVCFG_CBZE | ENVCFG_CBCFE | ENVCFG_CBIE_INVAL;
	gate("U: cbo.zero, menvcfg on, senvcfg off: illegal", PRV_U, do_zero, all, 0, 1);
	gate("U: cbo.zero, menvcfg off, senvcfg on: illegal", PRV_U, do_zero, 0, all, 1);
	gate("U: cbo.clean, senvcfg.CBCFE=0: illegal", PRV_U, do_clean, all, ENVCFG_CBZE, 1);
	gate("U: cbo.inval, senvcfg.CBIE=00: illegal", PRV_U, do_inval, all, ENVCFG_CBCFE, 1);
	gate("U: all four, both enabled: allowed", PRV_U, all_ops, all, all, 0);

	/* envcfg fields read back as written; CBIE=10 is reserved (WARL: the write is dropped) */
	csr_write(menvcfg, ENVCFG_CBIE_FLUSH);
	csr_write(menvcfg, 2ul << 4);
	check("menvcfg.CBIE=10 keeps the old value", csr_read(menvcfg) & (3ul << 4), 1ul << 4);
	csr_write(senvcfg, all);
	check("senvcfg CBZE/CBCFE/CBIE read back", csr_read(senvcfg) & 0xf0, all);

	/* under paging: cbo.zero is a store, the others need R or W, faults are store faults */
	uint64_t *root = pt_standard(3);
	uint64_t rw = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	pt_map(root, 3, 0x40000000ul, b, 0, rw);
	pt_map(root, 3, 0x40001000ul, (uint64_t)ro_page, 0, PTE_V | PTE_R | PTE_A);
	pt_map(root, 3, 0x40002000ul, (uint64_t)none_page, 0, PTE_V | PTE_X | PTE_A);
	csr_write(satp, SATP_SV39 | (uint64_t)root >> 12);
	sfence_vma();
	csr_write(menvcfg, all);
	fill(0x5a);
	trap_clear();
	enter_mode(PRV_S, do_zero, 0x40000000ul + 0x1c7);
	check_no_trap("paged: cbo.zero through a RW page");
	check("paged: cbo.zero cleared the block at 0x1c0", zeros(0x1c0, 0x200), 64);
	check("paged: nothing else cleared", zeros(0, 0x1c0) + zeros(0x200, 0x1000), 0);
	trap_clear();
	enter_mode(PRV_S, do_zero, 0x40001000ul + 0x45);
	check_trap("paged: cbo.zero on a read-only page: store page fault at the block", PRV_M,
		   CAUSE_STORE_PAGE, 0x40001040ul);
	trap_clear();
	enter_mode(PRV_S, do_clean, 0x40001000ul + 0x45);
	check_no_trap("paged: cbo.clean on a read-only page is allowed");
	trap_clear();
	enter_mode(PRV_S, do_flush, 0x40002000ul + 0x81);
	check_trap("paged: cbo.flush without R or W: store page fault at the block", PRV_M,
		   CAUSE_STORE_PAGE, 0x40002080ul);
	trap_clear();
	enter_mode(PRV_S, do_inval, 0x40003000ul);
	check_trap("paged: cbo.inval on an unmapped page: store page fault", PRV_M,
		   CAUSE_STORE_PAGE, 0x40003000ul);
	csr_write(satp, 0);
	sfence_vma();

	return check_failures;
}
