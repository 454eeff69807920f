/* snapstore_test — stored snapshots of a real machine (a raw kernel counting in a0, storing the
 * count in RAM and writing it to a drive block): written by one machine as it runs, then read
 * by a second machine of the same configuration and restored in any order; the registers, the
 * stored word, the drive block and the instruction count must be those of the moment each was
 * taken. Damaged files are refused with one line. */
#include "replay/snapstore.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "machine/devices/virtio_blk.h"
#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

#define NSNAP 5

static char kpath[] = "/tmp/strata_snapstore_kXXXXXX";
static char dpath[] = "/tmp/strata_snapstore_dXXXXXX";
static char orig[] = "/tmp/strata_snapstore_oXXXXXX";
static char dir[] = "/tmp/strata_snapstore_XXXXXX";

struct seen {
	struct rr_storew *w;
	unsigned polls;
	uint64_t insns[NSNAP], a0[NSNAP], word[NSNAP], blk[NSNAP];
};

static uint64_t word_at(struct machine *m)
{
	uint64_t v = 0;

	machine_phys_read(m, 0x80010000, 8, &v);
	return v;
}

/* The drive's second block: the host writes a0 there at every poll (as a guest would). */
static uint64_t blk_word(struct machine *m)
{
	uint64_t v = 0;

	virtio_blk_pio(machine_blk(m, 0), &v, 8, 4096, false);
	return v;
}

static int poll(void *ctx, struct machine *m)
{
	struct seen *w = ctx;
	unsigned i = w->polls++;
	uint64_t a0 = hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10);

	if (i >= NSNAP)
		return MACHINE_DEBUG_KILL;
	if (i % 2) { /* a write, announced to the hook as the device does for the guest's */
		void *hctx;
		virtio_blk_write_hook_fn *fn = virtio_blk_write_hook(machine_blk(m, 0), &hctx);
		if (fn)
			fn(hctx, machine_blk(m, 0), 4096, 8);
		virtio_blk_pio(machine_blk(m, 0), &a0, 8, 4096, true);
	}
	if (rr_storew_take(w->w, 8 + i, i) < 0)
		return MACHINE_DEBUG_KILL;
	w->insns[i] = machine_insns(m);
	w->a0[i] = a0;
	w->word[i] = word_at(m);
	w->blk[i] = blk_word(m);
	return 0;
}

static void exited(void *ctx, struct machine *m, int code)
{
}

struct src {
	FILE *f;
};

static int src_rewind(void *ctx, unsigned slot)
{
	struct src *s = ctx;

	if (s->f)
		fclose(s->f);
	s->f = fopen(orig, "rb");
	return s->f ? 0 : -1;
}

static int src_next(void *ctx, unsigned slot, uint8_t *buf)
{
	struct src *s = ctx;
	size_t n = fread(buf, 1, 4096, s->f);

	memset(buf + n, 0, 4096 - n);
	return 0;
}

static struct machine *boot(void)
{
	struct machine_config cfg = {.kernel = kpath, .ram_size = 16u << 20, .ndrives = 1};

	cfg.drives[0].file = dpath;
	return machine_new(&cfg);
}

static int copy(const char *from, const char *to)
{
	char buf[8192];
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	size_t n;

	while (a && b && (n = fread(buf, 1, sizeof(buf), a)) > 0)
		fwrite(buf, 1, n, b);
	if (a)
		fclose(a);
	return b && fclose(b) == 0 && a ? 0 : -1;
}

static int round_trip(void)
{
	static const uint32_t prog[] = {
	    0x00010297, /* auipc t0, 0x10: t0 = 0x80010000 */
	    0x00150513, /* addi a0, a0, 1 */
	    0x00a2b023, /* sd   a0, 0(t0) */
	    0xff9ff06f, /* j    -8 */
	};
	static const unsigned order[] = {4, 0, 2, 2, 1, 3, 0};
	static uint8_t zero[16384];
	struct seen w = {0};
	struct machine_debugger dbg = {&w, poll, exited};
	struct rrf_manifest man = {0};
	struct rrf_snap list[NSNAP];
	struct src src = {0};
	struct rr_drive_src ds = {&src, src_rewind, src_next};
	struct machine *m;
	struct rr_stored *st;
	const struct rrf_snap *l;
	uint64_t off, ns;
	unsigned n;
	int fd, code;

	CHECK((fd = mkstemp(kpath)) >= 0 && write(fd, prog, sizeof(prog)) == sizeof(prog),
	      "kernel file");
	close(fd);
	CHECK((fd = mkstemp(dpath)) >= 0 && write(fd, zero, sizeof(zero)) == sizeof(zero), "drive");
	close(fd);
	CHECK((fd = mkstemp(orig)) >= 0, "orig");
	close(fd);
	CHECK(copy(dpath, orig) == 0, "copy");
	CHECK(mkdtemp(dir), "mkdtemp");
	CHECK((m = boot()), "machine_new: %s", err_msg());
	CHECK((w.w = rr_storew_new(dir, m)), "rr_storew_new: %s", err_msg());
	machine_set_debugger(m, &dbg);
	machine_run(m, &code);
	l = rr_storew_list(w.w, &n);
	CHECK(n == NSNAP, "%u snapshots", n);
	memcpy(list, l, sizeof(list));
	rr_storew_free(w.w);
	machine_free(m);
	CHECK(w.a0[NSNAP - 1] > w.a0[0] && w.blk[1] == w.a0[1] && w.blk[3] == w.a0[3] &&
		  w.blk[4] == w.a0[3],
	      "the program ran");

	/* a second machine of the same configuration, its drive back at the start */
	CHECK(copy(orig, dpath) == 0, "copy");
	CHECK((m = boot()), "machine_new: %s", err_msg());
	man.snap = list;
	man.nsnap = NSNAP;
	st = rr_stored_open(dir, &man, m, &ds);
	CHECK(st && rr_stored_count(st) == NSNAP, "rr_stored_open: %s", err_msg());
	for (unsigned j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
		unsigned k = order[j];

		CHECK(rr_stored_find(st, w.insns[k]) == (int)k, "find %u", k);
		CHECK(rr_stored_load(st, k, &off, &ns) == 0 && off == 8 + k && ns == k,
		      "load %u: %s", k, err_msg());
		CHECK(machine_insns(m) == w.insns[k] &&
			  hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10) == w.a0[k] &&
			  word_at(m) == w.word[k] && blk_word(m) == w.blk[k],
		      "snapshot %u: insns %llu a0 %llu word %llu block %llu", k,
		      (unsigned long long)machine_insns(m),
		      (unsigned long long)hart_get_xreg(cpu_hart(machine_cpu(m), 0), 10),
		      (unsigned long long)word_at(m), (unsigned long long)blk_word(m));
	}
	rr_stored_free(st);

	/* damaged files: one line naming the file */
	char path[256];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/%s", dir, list[2].file);
	CHECK(stat(path, &sb) == 0 && truncate(path, sb.st_size - 3) == 0, "truncate");
	err_clear();
	CHECK(!rr_stored_open(dir, &man, m, &ds) && err_msg() && strstr(err_msg(), list[2].file) &&
		  strstr(err_msg(), "truncated") && !strchr(err_msg(), '\n'),
	      "truncated: %s", err_msg());
	list[2].insns++;
	err_clear();
	CHECK(!rr_stored_open(dir, &man, m, &ds) && err_msg() &&
		  strstr(err_msg(), list[1].file) == NULL,
	      "wrong count: %s", err_msg());
	if (src.f)
		fclose(src.f);
	for (unsigned i = 0; i < NSNAP; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i].file);
		unlink(path);
	}
	rmdir(dir);
	machine_free(m);
	unlink(kpath);
	unlink(dpath);
	unlink(orig);
	return 0;
}

int main(void)
{
	return RUN(round_trip) != 0;
}
