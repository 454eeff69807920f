/* hpm — Zihpm as QEMU 7.2 exposes it: for each of counters 3..31, what mhpmcounterN and
 * mhpmeventN hold after a write (counters without an event do not count), whether hpmcounterN
 * reads in M, in S (mcounteren) and in U (scounteren), and what mcountinhibit keeps. */
#include "guest.h"

const char guest_name[] = "hpm";

/* One stub per CSR: "csrr a0, N; ret" / "csrw N, a0; ret", 8 bytes each (the trap handlers
 * skip the 4-byte CSR instruction, so a trapping read returns its argument). */
#define STUBS(name, op, base)                                                                      \
	__asm__(".pushsection .text\n.option push\n.option norvc\n.align 3\n.globl " #name "\n" #name \
		":\n.set n, " #base "\n.rept 29\n" op "\nret\n.set n, n + 1\n.endr\n"              \
		".option pop\n.popsection\n")
STUBS(rd_mhpmcounter, "csrr a0, n", 0xb03);
STUBS(wr_mhpmcounter, "csrw n, a0", 0xb03);
STUBS(rd_mhpmevent, "csrr a0, n", 0x323);
STUBS(wr_mhpmevent, "csrw n, a0", 0x323);
STUBS(rd_hpmcounter, "csrr a0, n", 0xc03);
extern char rd_mhpmcounter[], wr_mhpmcounter[], rd_mhpmevent[], wr_mhpmevent[], rd_hpmcounter[];

typedef uint64_t (*stub_fn)(uint64_t);
static stub_fn stub(char *tab, unsigned n)
{
	return (stub_fn)(uintptr_t)(tab + 8 * (n - 3));
}

static unsigned cur;
static uint64_t rd_hpm(uint64_t a)
{
	return stub(rd_hpmcounter, cur)(a);
}

/* "ok" if fn ran without a trap in mode, "illegal" if it trapped so, else the cause. */
static const char *runs(int mode)
{
	trap_clear();
	enter_mode(mode, rd_hpm, 0);
	if (!last_trap.count)
		return "ok";
	return last_trap.cause == CAUSE_ILLEGAL ? "illegal" : "other";
}

static const char *what(uint64_t got, uint64_t wrote)
{
	return got == wrote ? "kept" : got == 0 ? "zero" : "other";
}

int main(void)
{
	for (unsigned n = 3; n <= 31; n++) {
		uint64_t v = 0x1000 + n, got_c, got_e;
		unsigned traps_m;

		cur = n;
		trap_clear();
		stub(wr_mhpmcounter, n)(v);
		got_c = stub(rd_mhpmcounter, n)(0);
		stub(wr_mhpmevent, n)(5); /* no event QEMU counts */
		got_e = stub(rd_mhpmevent, n)(0xdead);
		stub(wr_mhpmevent, n)(0);
		traps_m = (unsigned)last_trap.count;
		csr_write(mcounteren, 0);
		csr_write(scounteren, 0);
		const char *s0 = runs(PRV_S);
		csr_write(mcounteren, ~0u);
		const char *s1 = runs(PRV_S), *u0 = runs(PRV_U);
		csr_write(scounteren, ~0u);
		const char *u1 = runs(PRV_U), *m = runs(PRV_M);
		gprintf("hpm: %d: M traps %d, mhpmcounter %s, mhpmevent=5 %s; hpmcounter M %s, S %s/%s, "
			"U %s/%s\n",
			n, traps_m, what(got_c, v), what(got_e, 5), m, s0, s1, u0, u1);
	}
	csr_write(mcountinhibit, ~0u);
	gprintf("hpm: mcountinhibit keeps 0x%x\n", csr_read(mcountinhibit));
	csr_write(mcountinhibit, 0);
	return 0;
}
