#include "machine/devices/clint.h"

#include "cpu/cpu.h"
#include "machine/test_util.h"

static uint64_t mip[CLINT_MAX_HARTS];
static uint64_t now;
static int changed;

static void set_irq(void *ctx, unsigned hart, uint64_t bit, bool level)
{
	if (level)
		mip[hart] |= bit;
	else
		mip[hart] &= ~bit;
}
static uint64_t get_mtime(void *ctx)
{
	return now;
}
static void set_mtime(void *ctx, uint64_t v)
{
	now = v;
}
static void timer_changed(void *ctx)
{
	changed++;
}

static const struct clint_host host = {NULL, get_mtime, set_mtime, set_irq, timer_changed};

static struct clint *fresh(unsigned n)
{
	for (unsigned i = 0; i < CLINT_MAX_HARTS; i++)
		mip[i] = 0;
	now = 0;
	changed = 0;
	return clint_new(n, &host);
}

static int msip(void)
{
	struct clint *c = fresh(2);
	uint64_t v;

	CHECK(clint_ops.write(c, 4, 4, 0xffffffff) == 0, "write msip1");
	CHECK(mip[1] == MIP_MSIP && mip[0] == 0, "msip1 raises hart 1 only");
	CHECK(clint_ops.read(c, 4, 4, &v) == 0 && v == 1, "only bit 0 is kept, got %#llx",
	      (unsigned long long)v);
	clint_ops.write(c, 4, 4, 0);
	CHECK(mip[1] == 0, "msip1 cleared");
	CHECK(clint_ops.write(c, 0, 8, 1) < 0, "msip takes 4-byte accesses only");
	clint_free(c);
	return 0;
}

static int mtimecmp_mtip(void)
{
	struct clint *c = fresh(2);
	uint64_t v;

	now = 100;
	clint_update_timers(c, now);
	CHECK(mip[0] == 0, "mtimecmp 0 is not armed until written (as QEMU)");
	CHECK(clint_next_deadline(c, now) == UINT64_MAX, "no deadline yet");
	clint_ops.write(c, CLINT_MTIMECMP_BASE + 8, 8, 150);
	CHECK(changed == 1, "timer_changed called");
	CHECK(mip[1] == 0, "deadline in the future");
	CHECK(clint_next_deadline(c, now) == 150, "next deadline 150");
	now = 150;
	clint_update_timers(c, now);
	CHECK(mip[1] == MIP_MTIP, "MTIP at mtime == mtimecmp");
	CHECK(clint_next_deadline(c, now) == UINT64_MAX, "deadline passed");
	/* Writing mtimecmp in the past raises at once, in the future clears at once. */
	clint_ops.write(c, CLINT_MTIMECMP_BASE, 8, 10);
	CHECK(mip[0] == MIP_MTIP, "past mtimecmp raises immediately");
	clint_ops.write(c, CLINT_MTIMECMP_BASE + 4, 4, 1); /* high word: far future */
	CHECK(mip[0] == 0, "high-word write moves it to the future");
	CHECK(clint_ops.read(c, CLINT_MTIMECMP_BASE, 8, &v) == 0 && v == 0x10000000aull,
	      "mtimecmp0 = %#llx", (unsigned long long)v);
	CHECK(clint_ops.read(c, CLINT_MTIMECMP_BASE + 4, 4, &v) == 0 && v == 1, "high half");
	CHECK(clint_mtimecmp(c, 0) == 0x10000000aull, "clint_mtimecmp");
	clint_free(c);
	return 0;
}

static int mtime_rw(void)
{
	struct clint *c = fresh(1);
	uint64_t v;

	now = 0x123456789ull;
	CHECK(clint_ops.read(c, CLINT_MTIME, 8, &v) == 0 && v == now, "mtime 8-byte read");
	CHECK(clint_ops.read(c, CLINT_MTIME + 4, 4, &v) == 0 && v == 1, "mtime high word");
	CHECK(clint_ops.read(c, CLINT_MTIME, 4, &v) == 0 && v == 0x23456789, "mtime low word");
	clint_ops.write(c, CLINT_MTIME, 4, 0);
	CHECK(now == 0x100000000ull, "low-word write keeps the high word: %#llx",
	      (unsigned long long)now);
	clint_ops.write(c, CLINT_MTIME, 8, 5);
	CHECK(now == 5, "8-byte write");
	CHECK(clint_ops.read(c, CLINT_MTIME + 2, 4, &v) < 0, "misaligned access faults");
	CHECK(clint_ops.read(c, CLINT_MTIME, 2, &v) < 0, "2-byte access faults");
	CHECK(clint_ops.read(c, 0x8000, 4, &v) == 0 && v == 0, "hole reads 0");
	clint_free(c);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(msip);
	fails += RUN(mtimecmp_mtip);
	fails += RUN(mtime_rw);
	return fails != 0;
}
