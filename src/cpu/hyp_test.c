/* hyp_test — the H extension's state under random input, as a hypervisor that writes nonsense
 * would give it: every h* and vs* CSR (and mstatus/medeleg/mideleg) written with edge and random
 * values at random levels, two-stage walks over RAM full of random PTEs from hgatp/vsatp roots
 * anywhere (in RAM, misaligned, outside it), HLV/HSV and trap entry from every level. Checks the
 * WARL invariants after each write and that a translation either succeeds inside RAM or raises
 * one of the exceptions it may raise — under ASan/UBSan (make SANITIZE=1) also that no guest
 * value makes strata touch host memory out of bounds. Plus the fixed cases of bad input. */
#include "cpu/cpu.h"
#include "cpu/hart.h"
#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE	 0x80000000ull
#define RAM_SIZE (16ull << 20)

static const uint32_t prog[] = {0x0000006f}; /* j . */
static char path[] = "/tmp/strata_hyp_testXXXXXX";
static struct machine *m;
static struct hart *h;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* An edge value, a RAM address or page number, or random bits. */
static uint64_t value(void)
{
	static const uint64_t edge[] = {0,
					~0ull,
					1,
					2,
					3,
					0x444,
					0xb1ff,
					8ull << 60,
					9ull << 60,
					1ull << 60,
					15ull << 60,
					1ull << 63,
					0x7fffffffffffffffull};
	switch (rnd() % 5) {
	case 0:
		return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
	case 1: /* a root in RAM (maybe misaligned) with a mode */
		return (rnd() % 16) << 60 | (rnd() & (0x3fffull << 44)) |
		       ((BASE + rnd() % RAM_SIZE) >> 12);
	case 2:
		return BASE + rnd() % (RAM_SIZE + 0x10000);
	default:
		return rnd();
	}
}

static const unsigned h_csrs[] = {0x600, 0x602, 0x603, 0x604, 0x605, 0x606, 0x607, 0x60a,
				  0x643, 0x644, 0x645, 0x64a, 0x680, 0xe12, 0x200, 0x204,
				  0x205, 0x240, 0x241, 0x242, 0x243, 0x244, 0x24d, 0x280,
				  0x34a, 0x34b, 0x300, 0x302, 0x303, 0x30a, 0x100, 0x180};
#define NCSRS (sizeof(h_csrs) / sizeof(h_csrs[0]))

static uint64_t rd(unsigned csr)
{
	unsigned priv = h->priv, virt = h->virt;
	uint64_t v = ~0ull;

	/* read as M at V=0: the only level that reaches them all */
	hyp_set_virt(h, 0);
	h->priv = PRV_M;
	csr_access(h, csr, CSR_RS, 0, false, &v);
	h->priv = priv;
	hyp_set_virt(h, virt);
	return v;
}

/* The WARL invariants of the H state. */
static int invariants(void)
{
	uint64_t hgatp = rd(0x680), vsatp = rd(0x280), mode = hgatp >> 60;

	CHECK(mode == 0 || mode == 8 || mode == 9, "hgatp mode %llu", (unsigned long long)mode);
	CHECK(!(hgatp & 3), "hgatp PPN[1:0] %llx", (unsigned long long)hgatp);
	CHECK(!((hgatp >> 58) & 3), "hgatp bits 59:58 (VMIDLEN 14) %llx",
	      (unsigned long long)hgatp);
	mode = vsatp >> 60;
	CHECK(mode == 0 || mode == 8 || mode == 9, "vsatp mode %llu", (unsigned long long)mode);
	CHECK(((rd(0x600) >> 32) & 3) == 2, "hstatus.VSXL");
	CHECK(!(rd(0x600) & ~(0x7003c0ull | 2ull << 32)), "hstatus %llx",
	      (unsigned long long)rd(0x600));
	CHECK(!(rd(0x602) & ~0xb1ffull), "hedeleg %llx", (unsigned long long)rd(0x602));
	CHECK(!(rd(0x603) & ~0x444ull), "hideleg %llx", (unsigned long long)rd(0x603));
	CHECK((rd(0x303) & 0x444) == 0x444, "mideleg VS bits %llx", (unsigned long long)rd(0x303));
	CHECK(!(rd(0x302) & ~0xf0b7ffull), "medeleg %llx", (unsigned long long)rd(0x302));
	CHECK(rd(0xe12) == 0 && rd(0x607) == 0, "GEILEN 0: hgeip/hgeie zero");
	CHECK((rd(0x205) & 3) < 2, "vstvec mode");
	CHECK(!(rd(0x241) & 1), "vsepc bit 0");
	return 0;
}

static int exc_ok(uint64_t cause)
{
	return cause == EXC_LOAD_PAGE || cause == EXC_STORE_PAGE || cause == EXC_INSN_PAGE ||
	       cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS || cause == EXC_INSN_ACCESS ||
	       cause == EXC_LOAD_GUEST_PAGE || cause == EXC_STORE_GUEST_PAGE ||
	       cause == EXC_INSN_GUEST_PAGE || cause == EXC_LOAD_MISALIGNED ||
	       cause == EXC_STORE_MISALIGNED;
}

static int random_state(void)
{
	uint8_t *ram = machine_ram_ptr(m, BASE, RAM_SIZE);
	int fails = 0;

	CHECK(ram, "RAM");
	/* page tables everywhere: random words, many of them valid PTEs pointing into RAM */
	for (uint64_t i = 0; i < RAM_SIZE / 8; i++) {
		uint64_t pte = rnd();

		if (rnd() % 2)
			pte = ((BASE + rnd() % RAM_SIZE) >> 12) << 10 | (rnd() & 0xff) | 1;
		memcpy(ram + i * 8, &pte, 8);
	}
	for (unsigned it = 0; it < 20000 && !fails; it++) {
		unsigned csr = h_csrs[rnd() % NCSRS], lvl = (unsigned[]){0, 1, 3, 4, 5}[rnd() % 5];
		uint64_t old, pa, va = rnd() % 3 ? BASE + rnd() % (RAM_SIZE * 2) : value();

		/* a write from a random level: legal or not, it must leave legal state */
		hyp_set_virt(h, lvl >> 2);
		h->priv = lvl & 3;
		csr_access(h, csr, (unsigned)(rnd() % 3), value(), true, &old);
		/* no M at V=1 (what the write path may not produce either) */
		if (h->virt && h->priv == PRV_M)
			h->priv = PRV_S;
		hart_update_tlb_sets(h);
		if (invariants()) {
			fails++;
			break;
		}
		/* a translation at a V=1 level; the debugger's; HLV/HSV */
		h->exc_cause = ~0ull;
		if (mmu_translate(h, va, (int)(rnd() % 3), 4 | (unsigned)(rnd() % 2), &pa) < 0 &&
		    !exc_ok(h->exc_cause)) {
			printf("FAIL random_state: translate %llx: cause %llu\n",
			       (unsigned long long)va, (unsigned long long)h->exc_cause);
			fails++;
		}
		cpu_translate_gva(machine_cpu(m), 0, va, &pa);
		cpu_translate_gpa(machine_cpu(m), 0, va, &pa);
		if (!h->virt) {
			uint64_t v = 0;

			h->exc_cause = ~0ull;
			if (mmu_hyp_load(h, va, 1u << (rnd() % 4), rnd() % 2, &v) < 0 &&
			    !exc_ok(h->exc_cause)) {
				printf("FAIL random_state: hlv %llx: cause %llu\n",
				       (unsigned long long)va, (unsigned long long)h->exc_cause);
				fails++;
			}
			if (rnd() % 4 == 0)
				mmu_hyp_store(h, va, 1u << (rnd() % 4), rnd());
		}
		/* a trap from here: where it lands is a legal level */
		if (rnd() % 8 == 0) {
			uint64_t cause = rnd() % 2 ? rnd() % 24 : (1ull << 63) | (rnd() % 13);

			h->exc_gva = rnd() % 2;
			h->exc_gpa = rnd();
			trap_take(h, cause, rnd());
			if ((h->virt && h->priv == PRV_M) || h->priv == 2) {
				printf("FAIL random_state: trap %llx to priv %u V %u\n",
				       (unsigned long long)cause, h->priv, h->virt);
				fails++;
			}
		}
	}
	hyp_set_virt(h, 0);
	h->priv = PRV_M;
	return fails;
}

/* What the issue names: reserved hgatp modes, misaligned roots, nonsense h* writes. */
static int bad_input(void)
{
	uint64_t old, pa;

	hyp_set_virt(h, 0);
	h->priv = PRV_M;
	csr_access(h, 0x680, CSR_RW, 0, true, &old);
	csr_access(h, 0x680, CSR_RW, 5ull << 60 | 0x80123, true, &old);
	CHECK(rd(0x680) == 0, "hgatp reserved mode 5 -> Bare: %llx", (unsigned long long)rd(0x680));
	csr_access(h, 0x680, CSR_RW, 8ull << 60 | (BASE >> 12) | 1, true, &old);
	CHECK(rd(0x680) == (8ull << 60 | (BASE >> 12)), "misaligned root: PPN[1:0] cleared");
	csr_access(h, 0x280, CSR_RW, 8ull << 60, true, &old);
	csr_access(h, 0x280, CSR_RW, 3ull << 60 | 5, true, &old);
	CHECK(rd(0x280) == 8ull << 60, "vsatp reserved mode: write ignored");
	csr_access(h, 0x600, CSR_RW, ~0ull, true, &old);
	CHECK(rd(0x600) == (0x7003c0ull | 2ull << 32), "hstatus all-ones: %llx",
	      (unsigned long long)rd(0x600));
	/* a root outside RAM: the walk's first PTE read is an access fault, not a host access */
	csr_access(h, 0x680, CSR_RW, 8ull << 60 | (0x1000000000ull >> 12), true, &old);
	csr_access(h, 0x280, CSR_RW, 0, true, &old);
	CHECK(mmu_translate(h, BASE, ACC_LOAD, LVL_VS, &pa) < 0 && h->exc_cause == EXC_LOAD_ACCESS,
	      "G-stage root outside RAM: access fault (cause %llu)",
	      (unsigned long long)h->exc_cause);
	CHECK(cpu_translate_gpa(machine_cpu(m), 0, BASE, &pa) == -EFAULT, "debugger: -EFAULT");
	CHECK(cpu_translate_gpa(machine_cpu(m), 7, BASE, &pa) == -EFAULT, "no such hart");
	csr_access(h, 0x680, CSR_RW, 0, true, &old);
	CHECK(cpu_translate_gva(machine_cpu(m), 0, BASE + 8, &pa) == 0 && pa == BASE + 8,
	      "Bare stages: identity");
	return 0;
}

static int boot_machine(void)
{
	TEST_BOOT(m, path, prog, sizeof(prog), 1);
	h = cpu_hart(machine_cpu(m), 0);
	return 0;
}

int main(void)
{
	int fails = 0;

	if (boot_machine())
		return 1;
	fails += RUN(bad_input);
	fails += RUN(random_state);
	machine_free(m);
	unlink(path);
	return fails ? 1 : 0;
}
