/* misaligned — QEMU 7.2 performs misaligned loads and stores (integer and FP) without trapping;
 * strata follows it. A misaligned access crossing into an unmapped page faults. */
#include "guest.h"

const char guest_name[] = "misaligned";

static uint8_t buf[64] __attribute__((aligned(64)));
static uint8_t pages[8192] __attribute__((aligned(4096)));

static uint64_t s_load(uint64_t va)
{
	return probe_ld(va);
}

static uint64_t s_store(uint64_t va)
{
	probe_sd(va, 0x0102030405060708ul);
	return 0;
}

int main(void)
{
	char what[64];
	for (int i = 0; i < 64; i++)
		buf[i] = (uint8_t)(i * 17 + 1);

	for (int off = 1; off < 8; off++) {
		uint64_t a = (uint64_t)buf + 8 + off, v, want = 0;
		for (int i = 7; i >= 0; i--)
			want = want << 8 | buf[8 + off + i];
		trap_clear();
		__asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a));
		const char *w = "ld at +1";
		for (int i = 0; (what[i] = w[i]); i++)
			;
		what[7] = (char)('0' + off);
		check(what, v, want);
		__asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a));
		what[0] = 'l', what[1] = 'w';
		check(what, v, (uint64_t)(int64_t)(int32_t)want);
		__asm__ volatile("lhu %0, 0(%1)" : "=r"(v) : "r"(a));
		what[0] = 'h', what[1] = 'u';
		check(what, v, want & 0xffff);
	}
	check_no_trap("misaligned integer loads: no trap");

	trap_clear();
	uint64_t a = (uint64_t)buf + 33;
	__asm__ volatile("sd %0, 0(%1)" ::"r"(0x1122334455667788ul), "r"(a) : "memory");
	check("sd at +1: bytes", buf[33] | (uint64_t)buf[40] << 56, 0x11000000000000 << 8 | 0x88);
	__asm__ volatile("sw %0, 0(%1)" ::"r"(0xaabbccddul), "r"(a + 10) : "memory");
	check("sw at +3: bytes", buf[43] | (uint64_t)buf[46] << 8, 0xaadd);
	__asm__ volatile("sh %0, 0(%1)" ::"r"(0xeeffu), "r"(a + 20) : "memory");
	check("sh at +1: bytes", buf[53] | (uint64_t)buf[54] << 8, 0xeeff);
	check_no_trap("misaligned integer stores: no trap");

	/* FP loads/stores. */
	trap_clear();
	double d = 1.5, e = 0;
	__asm__ volatile("fsd %0, 0(%1)" ::"f"(d), "r"((uint64_t)buf + 3) : "memory");
	__asm__ volatile("fld %0, 0(%1)" : "=f"(e) : "r"((uint64_t)buf + 3) : "memory");
	check("fsd/fld at +3 round-trip", e == 1.5, 1);
	float f = 2.25f, g = 0;
	__asm__ volatile("fsw %0, 0(%1)" ::"f"(f), "r"((uint64_t)buf + 13) : "memory");
	__asm__ volatile("flw %0, 0(%1)" : "=f"(g) : "r"((uint64_t)buf + 13) : "memory");
	check("fsw/flw at +1 round-trip", g == 2.25f, 1);
	check_no_trap("misaligned FP accesses: no trap");

	/* Under Sv39 from S: within a page works; crossing into an unmapped page faults. */
	uint64_t *root = pt_standard(3);
	uint64_t rw = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	pt_map(root, 3, 0x40000000ul, (uint64_t)pages, 0, rw);
	pt_map(root, 3, 0x40001000ul, (uint64_t)pages + 0x1000, 0, rw);
	*(volatile uint64_t *)(pages + 0xffc) = 0x4444444433333333ul;
	*(volatile uint64_t *)(pages + 0x1000) = 0x6666666655555555ul;
	csr_write(satp, SATP_SV39 | ((uint64_t)root >> 12));
	sfence_vma();
	trap_clear();
	check("S ld crossing two mapped pages", enter_mode(PRV_S, s_load, 0x40000ffcul),
	      0x5555555533333333ul);
	check_no_trap("S ld crossing two mapped pages: no trap");
	trap_clear();
	enter_mode(PRV_S, s_load, 0x40001ffcul);
	check_trap_cause("S ld crossing into an unmapped page: load page fault", PRV_M,
			 CAUSE_LOAD_PAGE);
	trap_clear();
	enter_mode(PRV_S, s_store, 0x40001ffcul);
	check_trap_cause("S sd crossing into an unmapped page: store page fault", PRV_M,
			 CAUSE_STORE_PAGE);
	/* Which address lands in mtval is implementation-defined (the access's or the page's);
	 * it must be within the access. */
	check("  ...mtval within the access",
	      last_trap.tval >= 0x40001ffcul && last_trap.tval < 0x40002004ul, 1);
	csr_write(satp, 0);
	sfence_vma();
	return check_failures;
}
