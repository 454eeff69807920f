/* snapshot_test — snapshots of a real machine (a raw kernel counting in a0 and storing the
 * count in RAM): taken from the run loop through a debugger's poll, then restored in any order
 * (newest, oldest, middle, the same twice); the registers, the stored word and the instruction
 * count must be those of the moment each was taken, and the run goes on from there. */
#include "replay/snapshot.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

#define NSNAP 6

static char path[] = "/tmp/strata_snapshot_testXXXXXX";

struct seen {
	struct rr_snaps *s;
	unsigned polls;
	uint64_t insns[NSNAP], a0[NSNAP], word[NSNAP];
};

static uint64_t word_at(struct machine *m)
{
	uint64_t v = 0;

	machine_phys_read(m, 0x80010000, 8, &v);
	return v;
}

/* every poll (32 rounds) a snapshot and what it should hold; then end the run */
static int poll(void *ctx, struct machine *m)
{
	struct seen *w = ctx;
	unsigned i = w->polls++;

	if (i >= NSNAP)
		return MACHINE_DEBUG_KILL;
	rr_snaps_tick(w->s);
	w->insns[i] = machine_insns(m);
	w->a0[i] = hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10);
	w->word[i] = word_at(m);
	return 0;
}

static void exited(void *ctx, struct machine *m, int code)
{
}

static int restore_any_order(void)
{
	static const uint32_t prog[] = {
	    0x00010297, /* auipc t0, 0x10: t0 = 0x80010000 */
	    0x00150513, /* addi a0, a0, 1 */
	    0x00a2b023, /* sd   a0, 0(t0) */
	    0xff9ff06f, /* j    -8 */
	};
	struct machine_config cfg = {.kernel = path, .ram_size = 16u << 20};
	struct seen w = {0};
	struct machine_debugger dbg = {&w, poll, exited};
	static const unsigned order[] = {5, 0, 3, 3, 1, 4, 2};
	struct machine *m;
	uint64_t at;
	int fd = mkstemp(path), code;

	CHECK(fd >= 0 && write(fd, prog, sizeof(prog)) == sizeof(prog), "temp file");
	close(fd);
	m = machine_new(&cfg);
	unlink(path);
	CHECK(m, "machine_new: %s", err_msg());
	w.s = rr_snaps_new(m, 1);
	CHECK(w.s, "rr_snaps_new");
	machine_set_debugger(m, &dbg);
	machine_run(m, &code);
	CHECK(rr_snaps_count(w.s) == NSNAP && rr_snaps_first(w.s) == w.insns[0], "%u snapshots",
	      rr_snaps_count(w.s));
	/* the count is stored one instruction after it is made */
	CHECK(w.a0[NSNAP - 1] > w.a0[0] && w.a0[NSNAP - 1] - w.word[NSNAP - 1] <= 1,
	      "the program ran");
	for (unsigned j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
		unsigned k = order[j];

		CHECK(rr_snaps_restore(w.s, w.insns[k] + (k < NSNAP - 1 ? 1 : 0), &at) == 0 &&
			  at == w.insns[k],
		      "restore %u: at %llu", k, (unsigned long long)at);
		CHECK(machine_insns(m) == w.insns[k] &&
			  hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10) == w.a0[k] &&
			  word_at(m) == w.word[k],
		      "snapshot %u: insns %llu a0 %llu word %llu", k,
		      (unsigned long long)machine_insns(m),
		      (unsigned long long)hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10),
		      (unsigned long long)word_at(m));
	}
	CHECK(rr_snaps_restore(w.s, w.insns[0] - 1, &at) < 0 || w.insns[0] == 0,
	      "a point before the first snapshot");
	/* and it runs on from a restored point: the program keeps counting from there */
	rr_snaps_restore(w.s, w.insns[2], &at);
	w.polls = NSNAP - 1;
	machine_run(m, &code);
	CHECK(hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10) > w.a0[2] &&
		  hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10) - word_at(m) <= 1,
	      "ran on after a restore");
	rr_snaps_free(w.s);
	machine_free(m);
	return 0;
}

int main(void)
{
	return RUN(restore_any_order) != 0;
}
