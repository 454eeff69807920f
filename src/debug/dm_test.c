/* The Debug Module and the JTAG DTM on a real hart running a tiny raw program: run control,
 * Debug Mode entry causes, abstract commands and their errors, the program buffer, system bus
 * access, and DMI scans bit-banged through the TAP. */
#include "debug/dm.h"
#include "debug/dtm.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "cpu/dmode.h"
#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

#define BASE 0x80000000u

static const uint32_t prog[] = {
    0x00001297, /* 0x00 auipc t0, 1          t0 = 0x80001000 */
    0x00500313, /* 0x04 li   t1, 5 */
    0x0062a023, /* 0x08 sw   t1, 0(t0)       <- loop */
    0x0002a383, /* 0x0c lw   t2, 0(t0) */
    0x00130313, /* 0x10 addi t1, t1, 1 */
    0xff5ff06f, /* 0x14 j    0x08 */
};

enum {
	DATA0 = 0x04,
	DATA1 = 0x05,
	DMCONTROL = 0x10,
	DMSTATUS = 0x11,
	HARTINFO = 0x12,
	ABSTRACTCS = 0x16,
	COMMAND = 0x17,
	PROGBUF0 = 0x20,
	SBCS = 0x38,
	SBADDRESS0 = 0x39,
	SBDATA0 = 0x3c,
	SBDATA1 = 0x3d,
	HALTSUM0 = 0x40,
};
#define ACTIVE	   1u
#define HALTREQ	   (1u << 31)
#define RESUMEREQ  (1u << 30)
#define ALLHALTED  (1u << 9)
#define ALLRUNNING (1u << 11)
#define AR(size, write, postexec, regno)                                                           \
	((uint32_t)(size) << 20 | (postexec) << 18 | 1u << 17 | (write) << 16 | (regno))
#define REG_T1	 0x1006
#define REG_DCSR 0x7b0
#define REG_DPC	 0x7b1

static char path[] = "/tmp/strata_dm_testXXXXXX";
static struct machine *m;
static struct hart *h;
static struct dm *d;

static int boot(void)
{
	TEST_BOOT(m, path, prog, sizeof(prog), 2);
	h = cpu_hart(machine_cpu(m), 0);
	d = dm_new(m, 0x1000);
	CHECK(d, "dm_new");
	CHECK(machine_add_device(m, DM_BASE, DM_SIZE, "debug", &dm_mmio_ops, d) == 0, "map");
	return 0;
}

static uint32_t cmderr(void)
{
	return (dm_read(d, ABSTRACTCS) >> 8) & 7;
}

static int reg_read(unsigned regno, uint64_t *v)
{
	dm_write(d, COMMAND, AR(3, 0, 0, regno));
	*v = dm_read(d, DATA0) | (uint64_t)dm_read(d, DATA1) << 32;
	return (int)cmderr();
}

static int reg_write(unsigned regno, uint64_t v)
{
	dm_write(d, DATA0, (uint32_t)v);
	dm_write(d, DATA1, (uint32_t)(v >> 32));
	dm_write(d, COMMAND, AR(3, 1, 0, regno));
	return (int)cmderr();
}

static int run_control(void)
{
	uint64_t v;

	dm_write(d, DMCONTROL, ACTIVE);
	CHECK(dm_read(d, DMSTATUS) & ALLRUNNING, "running at first");
	CHECK(dm_running_mask(d) == 3, "mask %llx", (unsigned long long)dm_running_mask(d));
	hart_run(h, 1000);
	dm_write(d, DMCONTROL, ACTIVE | HALTREQ);
	CHECK(dm_read(d, DMSTATUS) & ALLHALTED, "halted");
	CHECK((dm_read(d, DMSTATUS) & 0xf) == 2, "version 0.13");
	CHECK(dm_read(d, HALTSUM0) == 1, "haltsum0 %x", dm_read(d, HALTSUM0));
	CHECK(dm_running_mask(d) == 2, "hart 1 still runs");
	CHECK(hart_run(h, 100) == 0, "a halted hart does not run");
	dm_write(d, DMCONTROL, ACTIVE);
	CHECK(reg_read(REG_DCSR, &v) == 0, "dcsr");
	CHECK((v >> 28) == 4 && ((v >> 6) & 7) == DM_CAUSE_HALTREQ && (v & 3) == 3,
	      "dcsr %llx", (unsigned long long)v);
	CHECK(reg_read(REG_DPC, &v) == 0 && v >= BASE + 8 && v <= BASE + 0x14, "dpc");
	/* a resumed hart runs again and acknowledges */
	dm_write(d, DMCONTROL, ACTIVE | RESUMEREQ);
	CHECK(dm_read(d, DMSTATUS) & (1u << 17), "allresumeack");
	CHECK(!hart_dm_halted(h) && hart_run(h, 100) == 100, "runs");
	/* dcsr.step: one instruction, then halted with cause step */
	dm_write(d, DMCONTROL, ACTIVE | HALTREQ);
	dm_write(d, DMCONTROL, ACTIVE);
	CHECK(reg_read(REG_DPC, &v) == 0, "dpc");
	{
		uint64_t pc = v, dcsr;

		CHECK(reg_read(REG_DCSR, &dcsr) == 0 && reg_write(REG_DCSR, dcsr | 4) == 0, "step");
		dm_write(d, DMCONTROL, ACTIVE | RESUMEREQ);
		CHECK(hart_run(h, 100) == 1, "one instruction");
		CHECK(hart_dm_halted(h), "halted after the step");
		CHECK(reg_read(REG_DCSR, &dcsr) == 0 && ((dcsr >> 6) & 7) == DM_CAUSE_STEP, "cause");
		CHECK(reg_read(REG_DPC, &v) == 0 && v != pc, "moved");
		CHECK(reg_write(REG_DCSR, dcsr & ~4ull) == 0, "step off");
	}
	/* the hart array mask (hasel) selects hart 1 with hart 0: not all halted now */
	dm_write(d, 0x14, 0);
	dm_write(d, 0x15, 3);
	dm_write(d, DMCONTROL, ACTIVE | 1u << 26);
	CHECK((dm_read(d, DMSTATUS) & (3u << 8)) == 1u << 8, "anyhalted, not allhalted");
	dm_write(d, DMCONTROL, ACTIVE);
	return 0;
}

static int abstract(void)
{
	uint64_t v;

	CHECK(reg_write(REG_T1, 0x123456789abcdefull) == 0, "write t1");
	CHECK(hart_get_xreg(h, 6) == 0x123456789abcdefull, "t1 written");
	CHECK(reg_read(REG_T1, &v) == 0 && v == 0x123456789abcdefull, "read t1");
	/* 32-bit reads give the low half */
	dm_write(d, COMMAND, AR(2, 0, 0, REG_T1));
	CHECK(cmderr() == 0 && dm_read(d, DATA0) == 0x89abcdef, "aarsize 2");
	/* 128 bits: not supported (2); cmderr sticks and blocks commands until cleared */
	dm_write(d, COMMAND, AR(4, 0, 0, REG_T1));
	CHECK(cmderr() == 2, "aarsize 4: cmderr %u", cmderr());
	dm_write(d, COMMAND, AR(3, 0, 0, REG_T1));
	CHECK(cmderr() == 2, "sticky");
	dm_write(d, ABSTRACTCS, 7u << 8);
	CHECK(cmderr() == 0, "cleared");
	/* a CSR that does not exist: exception (3); a regno outside the ranges: 2 */
	CHECK(reg_read(0x7ff, &v) == 3, "no CSR 0x7ff");
	dm_write(d, ABSTRACTCS, 7u << 8);
	CHECK(reg_read(0xc000, &v) == 2, "regno 0xc000");
	dm_write(d, ABSTRACTCS, 7u << 8);
	/* Quick Access and Access Memory are not supported */
	dm_write(d, COMMAND, 1u << 24);
	CHECK(cmderr() == 2, "quick access");
	dm_write(d, ABSTRACTCS, 7u << 8);
	/* hart 1 runs: halt/resume error (4) */
	dm_write(d, DMCONTROL, ACTIVE | 1u << 16);
	CHECK(reg_read(REG_T1, &v) == 4, "running hart");
	dm_write(d, ABSTRACTCS, 7u << 8);
	/* hart 9 does not exist */
	dm_write(d, DMCONTROL, ACTIVE | 9u << 16);
	CHECK(dm_read(d, DMSTATUS) & (1u << 15), "allnonexistent");
	dm_write(d, DMCONTROL, ACTIVE);
	/* unimplemented registers read 0 */
	CHECK(dm_read(d, 0x7f) == 0 && dm_read(d, 0x30) == 0, "unimplemented");
	CHECK((dm_read(d, HARTINFO) & 0xfff) == DM_DATA_OFF, "dataaddr");
	return 0;
}

static int progbuf(void)
{
	uint64_t v;

	/* addi t1, t1, 1 then the implicit ebreak */
	CHECK(reg_write(REG_T1, 41) == 0, "t1");
	dm_write(d, PROGBUF0, 0x00130313);
	dm_write(d, PROGBUF0 + 1, 0x00100073); /* ebreak */
	for (unsigned i = 2; i < DM_PROGBUF; i++)
		dm_write(d, PROGBUF0 + i, 0x00000013); /* nop, then the implicit ebreak */
	dm_write(d, COMMAND, 1u << 18); /* postexec only */
	CHECK(cmderr() == 0, "postexec: cmderr %u", cmderr());
	CHECK(reg_read(REG_T1, &v) == 0 && v == 42, "t1 %llu", (unsigned long long)v);
	/* a load from nowhere: exception (3), no trap taken, still halted */
	dm_write(d, PROGBUF0, 0x08003383); /* ld t2, 0x80(zero): data0/1 in the window */
	dm_write(d, PROGBUF0 + 1, 0x00000013);
	dm_write(d, DATA0, 0x12345678);
	dm_write(d, DATA1, 0x9abcdef0);
	dm_write(d, COMMAND, 1u << 18);
	CHECK(cmderr() == 0, "load from the window");
	CHECK(reg_read(0x1007, &v) == 0 && v == 0x9abcdef012345678ull, "t2 = data0/1");
	CHECK(reg_write(0x1005, 0x40000000) == 0, "t0"); /* nothing there */
	dm_write(d, PROGBUF0, 0x0002b383); /* ld t2, 0(t0) */
	dm_write(d, COMMAND, 1u << 18);
	CHECK(cmderr() == 3, "access fault: cmderr %u", cmderr());
	CHECK(hart_dm_halted(h), "still halted");
	dm_write(d, ABSTRACTCS, 7u << 8);
	CHECK(reg_read(0x342, &v) == 0 && v == 0, "no trap (mcause %llu)", (unsigned long long)v);
	/* ebreak with dcsr.ebreakm: the hart halts with cause ebreak */
	{
		uint64_t dcsr;

		CHECK(reg_read(REG_DCSR, &dcsr) == 0 && reg_write(REG_DCSR, dcsr | 1u << 15) == 0,
		      "ebreakm");
		CHECK(reg_write(REG_DPC, BASE + 0x100) == 0, "dpc");
		machine_phys_write(m, BASE + 0x100, 4, 0x00100073);
		dm_write(d, DMCONTROL, ACTIVE | RESUMEREQ);
		hart_run(h, 10);
		CHECK(hart_dm_halted(h), "halted at the ebreak");
		CHECK(reg_read(REG_DCSR, &dcsr) == 0 && ((dcsr >> 6) & 7) == DM_CAUSE_EBREAK,
		      "cause ebreak");
		CHECK(reg_read(REG_DPC, &v) == 0 && v == BASE + 0x100, "dpc at the ebreak");
		CHECK(reg_read(0x7b0, &v) == 0, "dcsr");
	}
	/* dret in the program buffer resumes the hart at dpc (t0: the loop's RAM word again) */
	CHECK(reg_write(REG_DPC, BASE + 0x08) == 0 && reg_write(0x1005, BASE + 0x1000) == 0, "dpc");
	dm_write(d, PROGBUF0, 0x7b200073); /* dret */
	dm_write(d, COMMAND, 1u << 18);
	CHECK(cmderr() == 0, "dret: cmderr %u", cmderr());
	CHECK(!hart_dm_halted(h) && hart_get_pc(h) == BASE + 0x08, "resumed at dpc");
	{
		uint64_t n = hart_run(h, 4);

		CHECK(n == 4, "runs: %llu, pc %llx, halted %d", (unsigned long long)n,
		      (unsigned long long)hart_get_pc(h), hart_dm_halted(h));
	}
	/* outside Debug Mode dret is an illegal instruction */
	machine_phys_write(m, BASE + 0x100, 4, 0x7b200073);
	dm_write(d, DMCONTROL, ACTIVE | HALTREQ);
	dm_write(d, DMCONTROL, ACTIVE);
	CHECK(reg_write(REG_DPC, BASE + 0x100) == 0 && reg_write(0x305, BASE + 0x200) == 0, "mtvec");
	{
		uint64_t dcsr;

		CHECK(reg_read(REG_DCSR, &dcsr) == 0 && reg_write(REG_DCSR, dcsr & ~(1ull << 15)) == 0,
		      "ebreakm off");
	}
	dm_write(d, DMCONTROL, ACTIVE | RESUMEREQ);
	hart_run(h, 1);
	CHECK(hart_get_pc(h) == BASE + 0x200, "trapped: pc %llx", (unsigned long long)hart_get_pc(h));
	dm_write(d, DMCONTROL, ACTIVE | HALTREQ);
	dm_write(d, DMCONTROL, ACTIVE);
	CHECK(reg_read(0x342, &v) == 0 && v == 2, "mcause %llu", (unsigned long long)v);
	return 0;
}

static int sysbus(void)
{
	dm_write(d, SBCS, 3u << 17 | 1u << 16 | 1u << 15); /* 64-bit, autoincrement, readondata */
	dm_write(d, SBADDRESS0 + 1, 0);
	dm_write(d, SBADDRESS0, BASE + 0x200);
	dm_write(d, SBDATA1, 0x11223344);
	dm_write(d, SBDATA0, 0x55667788);
	CHECK(((dm_read(d, SBCS) >> 12) & 7) == 0, "write ok");
	{
		uint64_t v;

		machine_phys_read(m, BASE + 0x200, 8, &v);
		CHECK(v == 0x1122334455667788ull, "written %llx", (unsigned long long)v);
	}
	dm_write(d, SBCS, 3u << 17 | 1u << 20); /* readonaddr */
	dm_write(d, SBADDRESS0, BASE + 0x200);
	CHECK(dm_read(d, SBDATA0) == 0x55667788 && dm_read(d, SBDATA1) == 0x11223344, "read");
	dm_write(d, SBADDRESS0, BASE + 0x201);
	CHECK(((dm_read(d, SBCS) >> 12) & 7) == 3, "misaligned");
	dm_write(d, SBCS, 7u << 12 | 3u << 17 | 1u << 20);
	dm_write(d, SBADDRESS0, 0x40000000);
	CHECK(((dm_read(d, SBCS) >> 12) & 7) == 2, "bad address");
	dm_write(d, SBCS, 7u << 12 | 5u << 17);
	dm_write(d, SBDATA0, 0);
	CHECK(((dm_read(d, SBCS) >> 12) & 7) == 4, "128-bit access");
	return 0;
}

/* ---- the DTM, pin by pin as OpenOCD drives it ---- */
static struct dtm *t;

static void clock(bool tms, bool tdi)
{
	dtm_set_pins(t, false, tms, tdi);
	dtm_set_pins(t, true, tms, tdi);
}

/* From Run-Test/Idle: shift n bits of out through the IR (ir) or a DR; return what came out. */
static uint64_t scan(bool ir, uint64_t out, unsigned n)
{
	uint64_t in = 0;

	clock(1, 0); /* Select-DR */
	if (ir)
		clock(1, 0); /* Select-IR */
	clock(0, 0); /* Capture */
	clock(0, 0); /* Shift */
	for (unsigned i = 0; i < n; i++) {
		dtm_set_pins(t, false, i == n - 1, (out >> i) & 1);
		in |= (uint64_t)dtm_tdo(t) << i;
		dtm_set_pins(t, true, i == n - 1, (out >> i) & 1);
	}
	clock(1, 0); /* Update */
	clock(0, 0); /* Run-Test/Idle */
	return in;
}

static int jtag(void)
{
	uint64_t r;

	t = dtm_new(d);
	CHECK(t, "dtm_new");
	for (int i = 0; i < 5; i++)
		clock(1, 0); /* Test-Logic-Reset */
	clock(0, 0);
	CHECK(scan(false, 0, 32) == DTM_IDCODE, "IDCODE after reset");
	CHECK(scan(true, 0x10, 5) == 1, "IR capture 0b00001");
	r = scan(false, 0, 32);
	CHECK((r & 0xf) == 1 && ((r >> 4) & 0x3f) == DTM_ABITS, "dtmcs %llx",
	      (unsigned long long)r);
	scan(true, 0x11, 5);
	scan(false, (uint64_t)DMSTATUS << 34 | 1, DTM_ABITS + 34); /* read dmstatus */
	r = scan(false, 0, DTM_ABITS + 34);			   /* nop: the result */
	CHECK((r & 3) == 0 && ((r >> 2) & 0xf) == 2, "dmstatus over DMI: %llx",
	      (unsigned long long)r);
	scan(true, 0x1f, 5);
	CHECK(scan(false, 0xa, 4) == 0x4, "BYPASS is one bit"); /* 0, then 0b010 shifted */
	dtm_free(t);
	return 0;
}

/* Random DMI accesses and random pins on the TAP, with the harts running in between: nothing a
 * debugger sends may crash strata or touch host memory out of bounds (ASan in `make SANITIZE=1
 * check`); dmstatus stays well-formed. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int fuzz(void)
{
	t = dtm_new(d);
	CHECK(t, "dtm_new");
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t r = next_rand();
		unsigned addr = (r >> 8) & 0x7f;
		uint32_t v = (uint32_t)(r >> 32);

		switch (r & 7) {
		case 0:
		case 1:
			if (addr == SBADDRESS0 || addr == SBADDRESS0 + 1)
				v |= 0x80000000u; /* RAM, not the UART: keep the test's output clean */
			if (addr == DMCONTROL)
				v |= ACTIVE;
			dm_write(d, addr, v);
			break;
		case 2:
		case 3:
			dm_read(d, addr);
			break;
		case 4:
			hart_run(cpu_hart(machine_cpu(m), (r >> 16) & 1), (r >> 20) & 63);
			break;
		default:
			dtm_set_pins(t, (r >> 3) & 1, (r >> 4) & 1, (r >> 5) & 1);
			dtm_tdo(t);
			break;
		}
		CHECK((dm_read(d, DMSTATUS) & 0xf) == 2, "dmstatus after %u steps", i);
	}
	dtm_free(t);
	return 0;
}

int main(void)
{
	int fails = 0;

	if (boot())
		return 1;
	fails += RUN(run_control);
	fails += RUN(abstract);
	fails += RUN(progbuf);
	fails += RUN(sysbus);
	fails += RUN(jtag);
	fails += RUN(fuzz);
	dm_free(d);
	machine_free(m);
	unlink(path);
	return fails != 0;
}
