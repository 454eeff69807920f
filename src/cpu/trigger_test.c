/* trigger_test — Sdtrig triggers whose action is "enter Debug Mode" (what the Debug Module and
 * OpenOCD use), on a real hart running a tiny raw program: only Debug Mode may set dmode and
 * action 1; such a trigger halts the hart with dcsr.cause = 2 before the instruction (execute)
 * or the access (store); M mode cannot rewrite it; icount with action 1 halts after N. */
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "cpu/dmode.h"
#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define TYPE2	   (2ull << 60)
#define TYPE3	   (3ull << 60)
#define DMODE	   (1ull << 59)
#define ACT_DEBUG  (1ull << 12)
#define MC_M	   (1ull << 6)
#define MC_EXECUTE (1ull << 2)
#define MC_STORE   (1ull << 1)
enum { TSELECT = 0x7a0, TDATA1, TDATA2, DCSR = 0x7b0, DPC };

static char path[] = "/tmp/strata_trigger_testXXXXXX";
static struct machine *m;
static struct hart *h;

static int boot(void)
{
	TEST_BOOT(m, path, prog, sizeof(prog), 1);
	h = cpu_hart(machine_cpu(m), 0);
	return 0;
}

static uint64_t reg(unsigned regno)
{
	uint64_t v = ~0ull;

	hart_dm_reg_read(h, regno, &v);
	return v;
}

/* Halted by a trigger at pc (dcsr.cause 2, dpc = pc). */
static int halted_by_trigger(uint64_t pc)
{
	return hart_dm_halted(h) && ((reg(DCSR) >> 6) & 7) == DM_CAUSE_TRIGGER && reg(DPC) == pc;
}

static int debug_action(void)
{
	/* outside Debug Mode, dmode and action 1 do not stick (hart_debug_write_reg acts as M) */
	CHECK(hart_debug_write_reg(h, 65 + TDATA1, TYPE2 | DMODE | ACT_DEBUG | MC_M | MC_EXECUTE) ==
		  0,
	      "write tdata1 as M");
	uint64_t v = 0;
	hart_debug_read_reg(h, 65 + TDATA1, &v);
	CHECK(v == (TYPE2 | MC_M | MC_EXECUTE), "M: dmode/action dropped, got %llx",
	      (unsigned long long)v);
	hart_debug_write_reg(h, 65 + TDATA1, TYPE2);

	/* in Debug Mode: an execute trigger with action 1 at the lw */
	hart_dm_halt(h, DM_CAUSE_HALTREQ);
	CHECK(hart_dm_halted(h), "halted");
	CHECK(hart_dm_reg_write(h, TSELECT, 0) == 0 && hart_dm_reg_write(h, TDATA2, BASE + 0x0c) == 0 &&
		  hart_dm_reg_write(h, TDATA1, TYPE2 | DMODE | ACT_DEBUG | MC_M | MC_EXECUTE) == 0,
	      "arm execute trigger");
	CHECK(reg(TDATA1) == (TYPE2 | DMODE | ACT_DEBUG | MC_M | MC_EXECUTE), "tdata1 %llx",
	      (unsigned long long)reg(TDATA1));
	hart_dm_resume(h);
	hart_run(h, 1000);
	CHECK(halted_by_trigger(BASE + 0x0c), "execute trigger halts before the lw: dpc %llx",
	      (unsigned long long)reg(DPC));

	/* a store trigger with action 1 on the second trigger; the first one off */
	hart_dm_reg_write(h, TDATA1, TYPE2);
	hart_dm_reg_write(h, TSELECT, 1);
	hart_dm_reg_write(h, TDATA2, BASE + 0x1000);
	hart_dm_reg_write(h, TDATA1, TYPE2 | DMODE | ACT_DEBUG | MC_M | MC_STORE);
	hart_dm_resume(h);
	hart_run(h, 1000);
	CHECK(halted_by_trigger(BASE + 0x08), "store trigger halts before the sw: dpc %llx",
	      (unsigned long long)reg(DPC));

	/* M mode cannot rewrite a dmode trigger */
	hart_dm_reg_write(h, DPC, BASE + 0x10);
	hart_dm_resume(h);
	CHECK(hart_debug_write_reg(h, 65 + TDATA1, TYPE2) == 0, "write as M");
	hart_debug_read_reg(h, 65 + TDATA1, &v);
	CHECK(v == (TYPE2 | DMODE | ACT_DEBUG | MC_M | MC_STORE), "M's write ignored: %llx",
	      (unsigned long long)v);

	/* icount 2 with action 1: halts after two instructions (addi, j) at the sw */
	hart_dm_halt(h, DM_CAUSE_HALTREQ);
	hart_dm_reg_write(h, TDATA1, TYPE2); /* in Debug Mode: allowed */
	hart_dm_reg_write(h, TSELECT, 0);
	hart_dm_reg_write(h, DPC, BASE + 0x10);
	hart_dm_reg_write(h, TDATA1, TYPE3 | DMODE | (2ull << 10) | (1ull << 9) | 1);
	hart_dm_resume(h);
	hart_run(h, 1000);
	CHECK(halted_by_trigger(BASE + 0x08), "icount 2 halts after addi, j: dpc %llx",
	      (unsigned long long)reg(DPC));
	return 0;
}

int main(void)
{
	int fail = boot();

	if (!fail) {
		fail |= RUN(debug_action);
		machine_free(m);
	}
	unlink(path);
	return fail;
}
