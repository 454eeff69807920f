/* Breakpoints, steps, watchpoints and debugger register/memory access on a real hart running a
 * tiny raw program (booted through the boot ROM with -bios none). */
#include "cpu/debug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

#define BASE 0x80000000u

/* The boot ROM runs 6 instructions, then this loop: */
static const uint32_t prog[] = {
    0x00001297, /* 0x00 auipc t0, 1          t0 = 0x80001000 */
    0x00500313, /* 0x04 li   t1, 5 */
    0x0062a023, /* 0x08 sw   t1, 0(t0)       <- loop */
    0x0002a383, /* 0x0c lw   t2, 0(t0) */
    0x00130313, /* 0x10 addi t1, t1, 1 */
    0xff5ff06f, /* 0x14 j    0x08 */
};

static char path[] = "/tmp/strata_debug_testXXXXXX";
static struct machine *m;
static struct cpu *c;
static struct hart *h;

static int boot(void)
{
	TEST_BOOT(m, path, prog, sizeof(prog), 1);
	c = machine_cpu(m);
	h = cpu_hart(c, 0);
	return 0;
}

static int stop_is(enum hart_stop_kind kind, uint64_t pc)
{
	struct hart_stop st;

	return hart_debug_stopped(h, &st) && st.kind == kind && hart_get_pc(h) == pc;
}

static int breakpoints(void)
{
	uint64_t n;

	CHECK(cpu_bp_add(c, BASE + 0x0c, CPU_BP_SW) == 0, "add");
	CHECK(cpu_bp_add(c, BASE + 0x0c, CPU_BP_SW) == -EEXIST, "twice");
	n = hart_run(h, 1000);
	/* 6 ROM instructions, lui, li, sw: the lw at the breakpoint has not run */
	CHECK(n == 9 && stop_is(HART_STOP_SWBREAK, BASE + 0x0c), "first hit: %llu insns, pc %llx",
	      (unsigned long long)n, (unsigned long long)hart_get_pc(h));
	hart_debug_resume(h, false, true);
	n = hart_run(h, 1000);
	CHECK(n == 4 && stop_is(HART_STOP_SWBREAK, BASE + 0x0c), "next round: %llu",
	      (unsigned long long)n);
	/* without past_bp the same breakpoint reports again at once */
	hart_debug_resume(h, false, false);
	CHECK(hart_run(h, 1000) == 0 && stop_is(HART_STOP_SWBREAK, BASE + 0x0c), "not past");
	/* a step runs the instruction under the breakpoint */
	hart_debug_resume(h, true, true);
	CHECK(hart_run(h, 1000) == 1 && stop_is(HART_STOP_STEP, BASE + 0x10), "step");
	/* rewriting the code page keeps the breakpoint */
	CHECK(hart_debug_write_mem(h, BASE + 0x0c, &prog[3], 4, false) == 4, "write code");
	hart_debug_resume(h, false, false);
	CHECK(hart_run(h, 1000) == 3 && stop_is(HART_STOP_SWBREAK, BASE + 0x0c), "after rewrite");
	CHECK(cpu_bp_remove(c, BASE + 0x0c, CPU_BP_SW) == 0, "remove");
	CHECK(cpu_bp_remove(c, BASE + 0x0c, CPU_BP_SW) == -ENOENT, "remove twice");
	hart_debug_resume(h, false, true);
	CHECK(hart_run(h, 1000) == 1000 && !hart_debug_stopped(h, NULL), "no breakpoint left");
	/* a hardware breakpoint on the jump */
	CHECK(cpu_bp_add(c, BASE + 0x14, CPU_BP_HW) == 0, "hw add");
	hart_run(h, 1000);
	CHECK(stop_is(HART_STOP_HWBREAK, BASE + 0x14), "hw hit");
	cpu_debug_clear(c);
	hart_debug_resume(h, false, true);
	return 0;
}

static int watchpoints(void)
{
	struct hart_stop st;

	while (hart_get_pc(h) != BASE + 0x08) /* to the store */
		hart_run(h, 1);
	CHECK(cpu_wp_add(c, BASE + 0x1000, 4, CPU_WP_WRITE) == 0, "add write");
	hart_run(h, 1000);
	/* stops after the store, with the data address */
	CHECK(hart_debug_stopped(h, &st) && st.kind == HART_STOP_WATCH &&
		  st.addr == BASE + 0x1000 && hart_get_pc(h) == BASE + 0x0c,
	      "write: kind %d addr %llx pc %llx", st.kind, (unsigned long long)st.addr,
	      (unsigned long long)hart_get_pc(h));
	CHECK(cpu_wp_remove(c, BASE + 0x1000, 4, CPU_WP_WRITE) == 0, "remove write");
	CHECK(cpu_wp_add(c, BASE + 0x1002, 1, CPU_WP_READ) == 0, "add read");
	hart_debug_resume(h, false, true);
	hart_run(h, 1000);
	CHECK(hart_debug_stopped(h, &st) && st.kind == HART_STOP_RWATCH &&
		  st.addr == BASE + 0x1002 && hart_get_pc(h) == BASE + 0x10,
	      "read: kind %d addr %llx", st.kind, (unsigned long long)st.addr);
	CHECK(cpu_wp_add(c, 0, 0, CPU_WP_READ) == -EINVAL, "empty range");
	cpu_debug_clear(c);
	hart_debug_resume(h, false, true);
	CHECK(hart_run(h, 1000) == 1000, "no watchpoint left");
	return 0;
}

static int registers_and_memory(void)
{
	uint64_t v;
	uint32_t w = 0;
	uint8_t b[8];

	CHECK(hart_debug_read_reg(h, 32, &v) == 0 && v == hart_get_pc(h), "pc");
	CHECK(hart_debug_read_reg(h, 5, &v) == 0 && v == BASE + 0x1000, "t0 = %llx",
	      (unsigned long long)v);
	CHECK(hart_debug_write_reg(h, 7, 42) == 0 && hart_get_xreg(h, 7) == 42, "write t2");
	CHECK(hart_debug_write_reg(h, 0, 42) == 0 && hart_get_xreg(h, 0) == 0, "x0 stays 0");
	CHECK(hart_debug_read_reg(h, 4161, &v) == 0 && v == 3, "priv M");
	CHECK(hart_debug_write_reg(h, 4161, 2) == -EINVAL, "priv 2 is not a level");
	CHECK(hart_debug_write_reg(h, 4161, 1) == 0 && hart_priv(h) == 1, "priv S");
	/* CSRs read as M would, whatever the hart's level */
	CHECK(hart_debug_read_reg(h, 65 + 0x300, &v) == 0, "mstatus from S");
	CHECK(hart_debug_write_reg(h, 65 + 0x340, 0x1234) == 0 &&
		  hart_debug_read_reg(h, 65 + 0x340, &v) == 0 && v == 0x1234,
	      "mscratch");
	CHECK(hart_debug_read_reg(h, 65 + 0x7ff, &v) == -ENOENT, "no such CSR");
	CHECK(hart_debug_read_reg(h, 5000, &v) == -ENOENT, "no such register");
	CHECK(hart_debug_write_reg(h, 4161, 3) == 0, "back to M");
	CHECK(hart_debug_read_mem(h, BASE, &w, 4, false) == 4 && w == prog[0], "read code");
	CHECK(hart_debug_read_mem(h, 0x1000, b, 8, true) == 8, "boot ROM (physical)");
	CHECK(hart_debug_read_mem(h, 0x10000000, b, 1, false) == -EFAULT, "no device reads");
	CHECK(hart_debug_read_mem(h, BASE + (16 << 20) - 4, b, 8, false) == 4,
	      "short at RAM's end");
	CHECK(hart_debug_write_mem(h, 0x1000, b, 4, true) == -EFAULT, "ROM is read-only");
	return 0;
}

static int put_pte(uint64_t table, unsigned idx, uint64_t pte)
{
	return hart_debug_write_mem(h, table + 8 * idx, &pte, 8, true) == 8 ? 0 : -1;
}

static int translate(void)
{
	/* Sv39: root at +64 KiB, L1 at +68 KiB, L0 at +72 KiB; the program's page is at BASE */
	const uint64_t root = BASE + 0x10000, l1 = BASE + 0x11000, l0 = BASE + 0x12000;
	const uint64_t satp = 8ull << 60 | root >> 12, leaf = 0xcb; /* V R X A D */
	char text[512];
	uint64_t pa = 0;
	uint32_t w = 0;

	CHECK(hart_debug_translate(h, BASE + 4, &pa, text, sizeof(text)) == 0 && pa == BASE + 4 &&
		  strstr(text, "bare"),
	      "bare: %s", text);
	CHECK(put_pte(root, 0, (l1 >> 12) << 10 | 1) == 0 &&
		  put_pte(l1, 0, (l0 >> 12) << 10 | 1) == 0 &&
		  put_pte(l0, 0, (uint64_t)BASE >> 12 << 10 | leaf) == 0 &&
		  put_pte(l0, 1, 1ull << 54 | (uint64_t)BASE >> 12 << 10 | leaf) == 0 &&
		  put_pte(l1, 1, (uint64_t)(BASE + 0x1000) >> 12 << 10 | leaf) == 0,
	      "page tables");
	CHECK(cpu_debug_read_satp(c, satp, 0x4, &w, 4) == 4 && w == prog[1], "4 KiB page: %x", w);
	/* what the hart's own walk faults on, the debugger must not translate either */
	CHECK(cpu_debug_read_satp(c, satp, 0x1000, &w, 4) == -EFAULT, "reserved PTE bits");
	CHECK(cpu_debug_read_satp(c, satp, 0x200000, &w, 4) == -EFAULT, "misaligned superpage");
	CHECK(hart_debug_write_reg(h, 65 + 0x180, satp) == 0, "satp");
	CHECK(hart_debug_translate(h, 0x1000, &pa, text, sizeof(text)) == -EFAULT &&
		  strstr(text, "page fault: reserved PTE bits set"),
	      "walk text: %s", text);
	CHECK(hart_debug_translate(h, 0x200000, &pa, text, sizeof(text)) == -EFAULT &&
		  strstr(text, "page fault: misaligned superpage"),
	      "walk text: %s", text);
	CHECK(hart_debug_translate(h, 0x8, &pa, text, sizeof(text)) == 0 && pa == BASE + 8 &&
		  strstr(text, "(4 KiB page)"),
	      "walk text: %s", text);
	CHECK(hart_debug_write_reg(h, 65 + 0x180, 0) == 0, "satp back to bare");
	return 0;
}

int main(void)
{
	int fail = boot();

	if (!fail) {
		fail |= RUN(breakpoints);
		fail |= RUN(watchpoints);
		fail |= RUN(registers_and_memory);
		fail |= RUN(translate);
		machine_free(m);
	}
	unlink(path);
	return fail;
}
