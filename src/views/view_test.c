/* Golden output of every view on one synthetic trace (boot in M, an SBI call from S, a syscall
 * from U interrupted by an M timer, MMIO, memory, a mark, instructions, a second hart), with fake
 * names so the goldens depend on nothing but the views.
 *   view_test                       compare with src/views/testdata/golden.*
 *   STRATA_UPDATE_GOLDEN=1 view_test   rewrite the goldens (review the diff!)
 *   view_test --write-trace FILE    write the same events as a strata trace (tests/e2e/views.sh) */
#include "trace/event.h"
#include "trace/tfile.h"
#include "views/view.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN "src/views/testdata/golden."

/* STRATA_UPDATE_GOLDEN=1: rewrite the goldens and say so (docs/TESTING.md) */
static int update_golden(void)
{
	const char *v = getenv("STRATA_UPDATE_GOLDEN");

	return v && !strcmp(v, "1");
}
#define SATP_A ((UINT64_C(8) << 60) | (UINT64_C(3) << 44) | 0x80200)

static const struct tev evs[] = {
    {.type = TEV_MARK, .priv = 3, .data = (const uint8_t *)"start \"synthetic\"", .len = 17},
    {.type = TEV_RUN, .priv = 3, .instret = 0, .pc = 0x1000},
    {.type = TEV_CALL, .priv = 3, .instret = 2, .pc = 0x1008, .addr = 0x1100, .sp = 0x9000},
    {.type = TEV_RUN, .priv = 3, .instret = 3, .pc = 0x1100},
    {.type = TEV_MMIO,
     .priv = 3,
     .instret = 4,
     .pc = 0x1104,
     .paddr = 0x10000000,
     .size = 1,
     .value = 0x41,
     .kind = TEV_MEM_STORE},
    {.type = TEV_RET, .priv = 3, .instret = 5, .pc = 0x1108, .addr = 0x100c, .sp = 0x9000},
    {.type = TEV_XRET, .priv = 3, .new_priv = 1, .instret = 7, .pc = 0x1010, .addr = 0x2000},
    {.type = TEV_CALL, .priv = 1, .instret = 10, .pc = 0x2010, .addr = 0x2100, .sp = 0x7000},
    {.type = TEV_TRAP,
     .priv = 1,
     .new_priv = 3,
     .instret = 12,
     .pc = 0x2104,
     .addr = 0x7000,
     .cause = 9,
     .a = {0x5000, 0, 0, 0, 0, 0, 0, 0x54494d45}},
    {.type = TEV_CALL, .priv = 3, .instret = 14, .pc = 0x7010, .addr = 0x1200, .sp = 0x9000},
    {.type = TEV_RET, .priv = 3, .instret = 16, .pc = 0x1204, .addr = 0x7014, .sp = 0x9000},
    {.type = TEV_XRET, .priv = 3, .new_priv = 1, .instret = 18, .pc = 0x7020, .addr = 0x2108},
    {.type = TEV_XRET,
     .priv = 1,
     .new_priv = 0,
     .instret = 20,
     .pc = 0x2110,
     .addr = 0x3000,
     .satp = SATP_A},
    {.type = TEV_CALL, .priv = 0, .instret = 22, .pc = 0x3010, .addr = 0x3100, .sp = 0x3ff00},
    {.type = TEV_TRAP,
     .priv = 0,
     .new_priv = 1,
     .instret = 25,
     .pc = 0x3108,
     .addr = 0x2200,
     .cause = 8,
     .satp = SATP_A,
     .a = {1, 0x4000, 5, 0, 0, 0, 0, 64}},
    {.type = TEV_TRAP,
     .priv = 1,
     .new_priv = 3,
     .instret = 28,
     .pc = 0x2204,
     .addr = 0x7000,
     .cause = (UINT64_C(1) << 63) | 7,
     .satp = SATP_A},
    {.type = TEV_XRET, .priv = 3, .new_priv = 1, .instret = 30, .pc = 0x7020, .addr = 0x2204},
    {.type = TEV_XRET,
     .priv = 1,
     .new_priv = 0,
     .instret = 33,
     .pc = 0x2210,
     .addr = 0x310c,
     .satp = SATP_A,
     .a = {5}},
    {.type = TEV_MEM,
     .priv = 0,
     .instret = 35,
     .pc = 0x3110,
     .addr = 0x4000,
     .paddr = 0x80204000,
     .size = 8,
     .value = 0x1122,
     .kind = TEV_MEM_LOAD},
    {.type = TEV_RET, .priv = 0, .instret = 36, .pc = 0x3114, .addr = 0x3014, .sp = 0x3ff00},
    {.type = TEV_CALL,
     .hart = 1,
     .priv = 1,
     .instret = 3,
     .pc = 0x2010,
     .addr = 0x2100,
     .sp = 0x6000},
};
#define NEVS (sizeof(evs) / sizeof(evs[0]))

static const char *fake_func(void *ctx, unsigned priv, uint64_t addr)
{
	static const struct {
		unsigned priv;
		uint64_t addr;
		const char *name;
	} t[] = {{3, 0x1100, "m_init"}, {1, 0x2100, "kfoo"}, {0, 0x3100, "write_msg"}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].priv == priv && t[i].addr == addr)
			return t[i].name;
	return NULL;
}

static int fake_code(void *ctx, unsigned hart, uint64_t vaddr, uint32_t *raw)
{
	*raw = 0x13; /* nop */
	return vaddr < 0x2000 ? 0 : -2;
}

static const char *fake_mmio(void *ctx, uint64_t paddr, char *buf, size_t n)
{
	return paddr == 0x10000000 ? "uart0.THR" : NULL;
}

static const char *fake_sbi_ext(uint64_t eid)
{
	return eid == 0x54494d45 ? "TIME" : NULL;
}

static const char *fake_sbi_name(uint64_t eid, uint64_t fid)
{
	return eid == 0x54494d45 && fid == 0 ? "sbi_set_timer" : NULL;
}

static const char *fake_sys_name(uint64_t nr)
{
	return nr == 64 ? "write" : NULL;
}

static int fake_disasm(void *ctx, uint64_t pc, uint32_t raw, unsigned len, char *out, size_t n)
{
	return snprintf(out, n, raw == 0x13 ? "nop" : "?");
}

static const struct ana_names_ops names = {.func = fake_func,
					   .code = fake_code,
					   .mmio = fake_mmio,
					   .sbi_ext = fake_sbi_ext,
					   .sbi_name = fake_sbi_name,
					   .sys_name = fake_sys_name,
					   .disasm = fake_disasm};

static int failures;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len + 4096 > cap) {
			char *b = realloc(buf, cap = 2 * cap + 4096);
			if (!b)
				break;
			buf = b;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static void golden(const struct view_ops *ops, bool insns, const char *suffix)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct view_opts o = {.insns = insns, .names = &names};
	struct tev timed[NEVS]; /* time = instret, as in the trace --write-trace writes */
	memcpy(timed, evs, sizeof(evs));
	for (size_t i = 0; i < NEVS; i++)
		timed[i].time = timed[i].instret;
	int rc = view_run_events(ops, &o, f, timed, NEVS);
	fclose(f);
	char path[128], name[64];
	snprintf(path, sizeof(path), GOLDEN "%s", suffix);
	snprintf(name, sizeof(name), "golden_%s", suffix);
	if (rc) {
		printf("FAIL %s: view returned %d\n", name, rc);
		failures++;
	} else if (update_golden()) {
		FILE *g = fopen(path, "wb");
		if (!g || fwrite(out, 1, len, g) != len || fclose(g)) {
			printf("FAIL %s: cannot write %s\n", name, path);
			failures++;
		} else {
			printf("UPDATED %s\n", name);
		}
	} else {
		size_t glen;
		char *want = slurp(path, &glen);
		if (want && glen == len && !memcmp(want, out, len)) {
			printf("PASS %s\n", name);
		} else {
			printf("FAIL %s: differs from %s; got:\n%.*s\n", name, path,
			       ops->binary ? 0 : (int)len, out);
			failures++;
		}
		free(want);
	}
	free(out);
}

static int write_trace(const char *path)
{
	struct tf_writer *w = tf_writer_open(path);
	if (!w)
		return 1;
	const char meta[] = "harts=2\nstrata=view_test\n";
	int rc = tf_write_chunk(w, TF_META, meta, sizeof(meta) - 1);
	for (unsigned hart = 0; hart < 2 && !rc; hart++) {
		static uint8_t buf[64 * 1024];
		struct tev_enc enc = {0};
		uint32_t id = hart;
		memcpy(buf, &id, 4);
		size_t n = 4;
		for (size_t i = 0; i < NEVS; i++) {
			if (evs[i].hart != hart)
				continue;
			struct tev ev = evs[i];
			ev.time = ev.instret;
			n += tev_encode(&enc, &ev, buf + n);
		}
		rc = tf_write_chunk(w, TF_EVENTS, buf, n);
	}
	return tf_writer_close(w) || rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-trace"))
		return write_trace(argv[2]);
	golden(&view_text, false, "txt");
	golden(&view_text, true, "insns.txt");
	golden(&view_chrome, false, "json");
	golden(&view_folded, false, "folded");
	golden(&view_report, false, "report");
	golden(&view_perfetto, false, "pftrace");
	return failures != 0;
}
