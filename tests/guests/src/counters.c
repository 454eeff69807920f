/* counters — cycle/time/instret access: always from M, from S gated by mcounteren, from U by
 * mcounteren and scounteren. Values themselves differ between emulators and are not printed. */
#include "guest.h"

const char guest_name[] = "counters";

static uint64_t rd_all(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile("rdcycle %0" : "+r"(v));
	__asm__ volatile("rdtime %0" : "+r"(v));
	__asm__ volatile("rdinstret %0" : "+r"(v));
	return a;
}

static uint64_t rd_cycle(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile("rdcycle %0" : "+r"(v));
	return a;
}

static uint64_t rd_time(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile("rdtime %0" : "+r"(v));
	return a;
}

static uint64_t rd_instret(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile("rdinstret %0" : "+r"(v));
	return a;
}

static void traps(const char *what, int mode, uint64_t (*fn)(uint64_t), uint64_t want)
{
	trap_clear();
	enter_mode(mode, fn, 0);
	if (want && last_trap.cause != CAUSE_ILLEGAL) {
		check(what, last_trap.cause, CAUSE_ILLEGAL);
		return;
	}
	check(what, last_trap.count, want);
}

int main(void)
{
	uint64_t a, b, t;

	trap_clear();
	rd_all(0);
	check_no_trap("M reads cycle, time, instret");
	a = csr_read(minstret);
	b = csr_read(minstret);
	check("minstret increases", b > a, 1);
	a = csr_read(mcycle);
	b = csr_read(mcycle);
	check("mcycle increases", b > a, 1);
	a = mtime();
	t = csr_read(time);
	b = mtime();
	check("time CSR lies between two CLINT mtime reads", a <= t && t <= b, 1);
	csr_write(minstret, 1000000);
	a = csr_read(minstret);
	check("minstret write then read", a >= 1000000 && a < (1ul << 40), 1);

	csr_write(mcounteren, 0);
	csr_write(scounteren, 0);
	traps("S, mcounteren=0: cycle, time, instret all illegal", PRV_S, rd_all, 3);
	traps("U, mcounteren=0 scounteren=0: all illegal", PRV_U, rd_all, 3);
	csr_write(mcounteren, 7);
	traps("S, mcounteren=7: all allowed", PRV_S, rd_all, 0);
	traps("U, mcounteren=7 scounteren=0: all illegal", PRV_U, rd_all, 3);
	csr_write(scounteren, 7);
	traps("U, mcounteren=7 scounteren=7: all allowed", PRV_U, rd_all, 0);
	csr_write(mcounteren, 0);
	traps("U, mcounteren=0 scounteren=7: all illegal", PRV_U, rd_all, 3);
	traps("S, mcounteren=0 scounteren=7: all illegal", PRV_S, rd_all, 3);

	csr_write(mcounteren, 1); /* CY */
	traps("S, mcounteren=CY: cycle allowed", PRV_S, rd_cycle, 0);
	traps("S, mcounteren=CY: time illegal", PRV_S, rd_time, 1);
	traps("S, mcounteren=CY: instret illegal", PRV_S, rd_instret, 1);
	csr_write(mcounteren, 2); /* TM */
	traps("S, mcounteren=TM: cycle illegal", PRV_S, rd_cycle, 1);
	traps("S, mcounteren=TM: time allowed", PRV_S, rd_time, 0);
	csr_write(mcounteren, 4); /* IR */
	traps("S, mcounteren=IR: instret allowed", PRV_S, rd_instret, 0);
	traps("S, mcounteren=IR: time illegal", PRV_S, rd_time, 1);
	csr_write(mcounteren, 7);
	csr_write(scounteren, 2);
	traps("U, scounteren=TM: time allowed", PRV_U, rd_time, 0);
	traps("U, scounteren=TM: cycle illegal", PRV_U, rd_cycle, 1);
	trap_clear();
	enter_mode(PRV_U, rd_instret, 0);
	check_trap("U, scounteren=TM: instret illegal, mtval = encoding", PRV_M, CAUSE_ILLEGAL,
		   *(volatile uint32_t *)last_trap.epc);
	csr_write(mcounteren, 0);
	csr_write(scounteren, 0);
	return check_failures;
}
