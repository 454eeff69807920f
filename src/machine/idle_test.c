/* Idle fixpoint elision (cpu/idle.c) on the real CPU: tiny raw kernels run with the detector
 * armed, and compared with the same kernels run without it. */
#include "machine/machine.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "machine/test_util.h"
#include "util/err.h"

static char path[] = "/tmp/strata_idle_testXXXXXX";

/* t0 = a data page after the code; mstatus.MIE on (a loop that writes only stops where
 * interrupts are enabled; mie is 0, so none is taken) */
#define PROLOGUE 0x00001297 /* auipc t0, 1 */, 0x30046073 /* csrsi mstatus, 8 */

/* Writes 1 and then 0 to the same word, like a lock taken and dropped: a fixpoint. */
static const uint32_t lock_loop[] = {
    PROLOGUE,	0x00100313, /* li t1, 1 */
    0x0062a023,		    /* sw t1, 0(t0) */
    0x0002a383,		    /* lw t2, 0(t0) */
    0x0002a023,		    /* sw zero, 0(t0) */
    0x000e0e13,		    /* mv t3, t3 */
    0xfedff06f,		    /* j -20 */
};
/* Reads time and throws it away: the registers repeat, but it reads a counter. */
static const uint32_t time_loop[] = {
    PROLOGUE, 0xc0102ef3, /* rdtime t4 */
    0x000efe93,		  /* andi t4, t4, 0 */
    0xff9ff06f,		  /* j -8 */
};
/* Increments a word it reads back: memory never returns. */
static const uint32_t count_loop[] = {
    PROLOGUE,	0x0002a303, /* lw t1, 0(t0) */
    0x00130313,		    /* addi t1, t1, 1 */
    0x0062a023,		    /* sw t1, 0(t0) */
    0x0002a303,		    /* lw t1, 0(t0) */
    0xfff30313,		    /* addi t1, t1, -1 */
    0x0062a223,		    /* sw t1, 4(t0) */
    0xfe9ff06f,		    /* j -24 */
};

/* The boot ROM's instructions: code outside RAM, which ends any search. */
#define BOOT_ROM_INSNS 6

/* A machine with hart 0 through the boot ROM, at the kernel's first instruction. */
static struct machine *boot(const uint32_t *w, size_t n)
{
	struct machine_config cfg = {.kernel = path};
	struct machine *m;
	FILE *f = fopen(path, "wb");

	if (!f)
		return NULL;
	fwrite(w, 4, n, f);
	fclose(f);
	m = machine_new(&cfg);
	if (m && hart_run(cpu_hart(machine_cpu(m), 0), BOOT_ROM_INSNS) != BOOT_ROM_INSNS) {
		machine_free(m);
		return NULL;
	}
	return m;
}

/* hart_dump's text (registers and the last instructions, rebuilt from the ring). */
static char *dump(struct hart *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	hart_dump(h, f);
	fclose(f);
	return buf;
}

/* The armed hart skips whole iterations, stops at an iteration's start, and is then exactly
 * where the same kernel is after as many instructions executed: registers, pc, instret and
 * the instruction ring all agree. */
static int skips_like_executing(void)
{
	struct machine *a = boot(lock_loop, sizeof(lock_loop) / 4), *b = NULL;
	struct hart *ha, *hb;
	struct hart_idle_stats st;
	char *da = NULL, *db = NULL;
	uint64_t n;
	int bad = 1;

	CHECK(a, "machine_new: %s", err_msg());
	ha = cpu_hart(machine_cpu(a), 0);
	CHECK(hart_idle_arm(ha, true) == 0, "arm");
	n = hart_run(ha, 100000);
	hart_idle_stats(ha, &st);
	CHECK(st.fixpoints == 1 && st.skips == 1 && st.skipped_insns > 80000,
	      "fixpoints %llu skips %llu skipped %llu", (unsigned long long)st.fixpoints,
	      (unsigned long long)st.skips, (unsigned long long)st.skipped_insns);
	CHECK(n <= 100000 && n > st.skipped_insns, "retired %llu", (unsigned long long)n);
	CHECK(hart_idle_state(ha) == HART_IDLE_FIXED, "state %d", hart_idle_state(ha));
	b = boot(lock_loop, sizeof(lock_loop) / 4);
	CHECK(b, "machine_new: %s", err_msg());
	hb = cpu_hart(machine_cpu(b), 0);
	CHECK(hart_run(hb, n) == n, "unarmed run");
	da = dump(ha);
	db = dump(hb);
	if (!da || !db || strcmp(da, db)) {
		printf("FAIL %s: armed and unarmed harts differ:\n%s---\n%s", __func__, da, db);
		goto out;
	}
	/* the next run checks the loop again and skips at once */
	n = hart_run(ha, 100000);
	hart_idle_stats(ha, &st);
	if (st.skips != 2 || st.fixpoints != 1 || n < 90000) {
		printf("FAIL %s: second run: skips %llu retired %llu\n", __func__,
		       (unsigned long long)st.skips, (unsigned long long)n);
		goto out;
	}
	bad = 0;
out:
	free(da);
	free(db);
	machine_free(a);
	machine_free(b);
	return bad;
}

/* Memory another hart (here: the test) changes between two runs ends the fixpoint. */
static int invalidated_by_memory(void)
{
	struct machine *m = boot(lock_loop, sizeof(lock_loop) / 4);
	struct hart *h;
	struct hart_idle_stats st;

	CHECK(m, "machine_new: %s", err_msg());
	h = cpu_hart(machine_cpu(m), 0);
	CHECK(hart_idle_arm(h, true) == 0, "arm");
	hart_run(h, 100000);
	CHECK(hart_idle_state(h) == HART_IDLE_FIXED, "no fixpoint");
	CHECK(machine_phys_write(m, VIRT_DRAM_BASE + 0x1000, 4, 7) == 0, "phys write");
	hart_run(h, 100000);
	hart_idle_stats(h, &st);
	/* the loop writes its 1 and 0 over the 7: found again, from the new memory */
	CHECK(st.invalidated == 1 && st.fixpoints == 2, "invalidated %llu fixpoints %llu",
	      (unsigned long long)st.invalidated, (unsigned long long)st.fixpoints);
	machine_free(m);
	return 0;
}

/* Loops that read a counter or change memory are executed, not skipped. */
static int never_skipped(const uint32_t *w, size_t n, const char *what)
{
	struct machine *m = boot(w, n);
	struct hart *h;
	struct hart_idle_stats st;
	uint64_t r;

	CHECK(m, "machine_new: %s", err_msg());
	h = cpu_hart(machine_cpu(m), 0);
	CHECK(hart_idle_arm(h, true) == 0, "arm");
	for (int i = 0; i < 3; i++) {
		r = hart_run(h, 50000);
		CHECK(r == 50000, "%s: retired %llu", what, (unsigned long long)r);
	}
	hart_idle_stats(h, &st);
	CHECK(st.skips == 0 && st.skipped_insns == 0, "%s: skipped %llu", what,
	      (unsigned long long)st.skipped_insns);
	CHECK(hart_get_pc(h) >= VIRT_DRAM_BASE + 8 && hart_get_pc(h) < VIRT_DRAM_BASE + 4 * n,
	      "%s: pc %llx left the loop", what, (unsigned long long)hart_get_pc(h));
	machine_free(m);
	return 0;
}

static int time_not_skipped(void)
{
	return never_skipped(time_loop, sizeof(time_loop) / 4, "rdtime loop");
}

static int counting_not_skipped(void)
{
	return never_skipped(count_loop, sizeof(count_loop) / 4, "counting loop");
}

int main(void)
{
	int fd = mkstemp(path), failed = 0;

	if (fd < 0)
		return 1;
	close(fd);
	failed += RUN(skips_like_executing);
	failed += RUN(invalidated_by_memory);
	failed += RUN(time_not_skipped);
	failed += RUN(counting_not_skipped);
	unlink(path);
	return failed ? 1 : 0;
}
