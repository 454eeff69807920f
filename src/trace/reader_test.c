#include "trace/reader.h"

#include "symbols/symbols.h"
#include "trace/tfile.h"
#include "util/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "machine/test_util.h"

static char dir[] = "/tmp/strata_reader_test.XXXXXX"; /* /tmp itself: no parent to exist */
static char path[256], path2[256];

/* An EVENTS chunk being built for one hart. */
struct chunk {
	uint8_t buf[1 << 16];
	size_t len;
	struct tev_enc *enc;
};

static void chunk_begin(struct chunk *c, struct tev_enc *enc, uint32_t hart)
{
	c->buf[0] = (uint8_t)hart;
	c->buf[1] = c->buf[2] = c->buf[3] = 0;
	c->len = 4;
	c->enc = enc;
	memset(enc, 0, sizeof(*enc)); /* every chunk starts from zero */
}

static void chunk_add(struct chunk *c, const struct tev *ev)
{
	c->len += tev_encode(c->enc, ev, c->buf + c->len);
}

static const char devs[] = "0x10000000 0x100 uart0 0x0:THR,0x5:LSR\n"
			   "0x2000000 0x10000 clint 0x4000:mtimecmp,0xbff8:mtime\n"
			   "0x100000 0x1000 test\n";

/* Code: two pages at 0x80000000; the 32-bit instruction at 0x80000ffe crosses into the second. */
static uint8_t page0[4096], page1[4096];

/* A trace with META, SYMS (of this test binary), DEVS, events of harts 0 and 1, and END.
 * Returns the offset of the second EVENTS chunk of hart 0 (for corruption tests). */
static long write_trace(const char *p, bool with_syms)
{
	struct tf_writer *w = tf_writer_open(p);
	struct tev_enc e0 = {0}, e1 = {0};
	struct chunk *c = malloc(sizeof(*c));
	long second = 0;

	if (!w || !c)
		return -1;
	const char *meta = "harts=2\nram=134217728\ncommand=strata run -kernel x.elf\n";
	tf_write_chunk(w, TF_META, meta, strlen(meta));
	if (with_syms) {
		struct symtab *t = symtab_load("/proc/self/exe", 1, 0);
		uint8_t *b;
		size_t n;
		if (!t || symtab_serialize(t, &b, &n) < 0)
			return -1;
		tf_write_chunk(w, TF_SYMS, b, n);
		free(b);
		symtab_free(t);
	}
	tf_write_chunk(w, TF_DEVS, devs, strlen(devs));

	memset(page0, 0x13, sizeof(page0));
	memset(page1, 0x01, sizeof(page1));
	page0[0] = 0x97;			/* auipc: a 32-bit instruction at the page start */
	page0[4] = 0x05, page0[5] = 0x45;	/* c.li a0, 1 */
	page0[4094] = 0x93, page0[4095] = 0x05; /* addi ... continues on page1 */
	page1[0] = 0x10, page1[1] = 0x00;

	chunk_begin(c, &e0, 0);
	struct tev code = {.type = TEV_CODE,
			   .priv = 3,
			   .addr = 0x80000000,
			   .paddr = 0x80000000,
			   .data = page0,
			   .len = 4096};
	chunk_add(c, &code);
	for (int i = 0; i < 100; i++) {
		struct tev ev = {.type = TEV_RUN,
				 .priv = 3,
				 .instret = 10 * i,
				 .time = 10 * i,
				 .pc = 0x80000000 + 8 * (i % 7)};
		chunk_add(c, &ev);
	}
	tf_write_chunk(w, TF_EVENTS, c->buf, c->len);

	chunk_begin(c, &e1, 1);
	struct tev ev1 = {.type = TEV_MMIO,
			  .hart = 1,
			  .priv = 1,
			  .instret = 5,
			  .time = 1000,
			  .paddr = 0x10000000,
			  .size = 1,
			  .kind = TEV_MEM_STORE,
			  .value = 'A'};
	chunk_add(c, &ev1);
	tf_write_chunk(w, TF_EVENTS, c->buf, c->len);

	chunk_begin(c, &e0, 0);
	code.addr = code.paddr = 0x80001000;
	code.data = page1;
	chunk_add(c, &code);
	struct tev mark = {.type = TEV_MARK,
			   .priv = 3,
			   .instret = 2000,
			   .time = 2000,
			   .data = (const uint8_t *)"stop",
			   .len = 4};
	chunk_add(c, &mark);
	FILE *f = fopen(p, "rb");
	fseek(f, 0, SEEK_END);
	second = ftell(f);
	fclose(f);
	tf_write_chunk(w, TF_EVENTS, c->buf, c->len);

	const char *end = "events=104\ndropped=7\ninsns=2000\n";
	tf_write_chunk(w, TF_END, end, strlen(end));
	tf_writer_close(w);
	free(c);
	return second;
}

static int full(void)
{
	CHECK(write_trace(path, true) > 0, "write: %s", err_msg());
	struct trace_reader *r = trace_open(path);
	CHECK(r, "open: %s", err_msg());
	CHECK(trace_meta(r, "ram") && !strcmp(trace_meta(r, "ram"), "134217728"), "meta ram");
	CHECK(trace_meta(r, "command") && !strcmp(trace_meta(r, "command"), "strata run -kernel "
									    "x.elf"),
	      "meta command");
	CHECK(!trace_meta(r, "nope"), "absent meta key");
	CHECK(trace_nharts(r) == 2, "nharts %u", trace_nharts(r));

	struct symset *s = trace_symbols(r);
	CHECK(s && symset_ntables(s) == 1, "one symbol table");
	CHECK(symtab_count(symset_table(s, 0)) > 10, "symbols deserialized");

	char buf[64];
	CHECK(trace_mmio_name(r, 0x10000005, buf, sizeof(buf)) && !strcmp(buf, "uart0.LSR"),
	      "uart0.LSR: %s", buf);
	CHECK(trace_mmio_name(r, 0x200bff8, buf, sizeof(buf)) && !strcmp(buf, "clint.mtime"),
	      "clint.mtime");
	CHECK(trace_mmio_name(r, 0x10000003, buf, sizeof(buf)) && !strcmp(buf, "uart0+0x3"),
	      "unnamed register: %s", buf);
	CHECK(!trace_mmio_name(r, 0x10000100, buf, sizeof(buf)), "past the device");
	CHECK(trace_mmio_name(r, 0x100000, buf, sizeof(buf)) && !strcmp(buf, "test+0"),
	      "device without registers: %s", buf);

	uint32_t raw;
	CHECK(trace_code_fetch(r, 0, 0x80000000, &raw) == -ENOENT, "no code before its event");
	struct tev ev;
	int n[11] = {0}, harts[2] = {0}, rc;
	while ((rc = trace_next(r, &ev)) == 1) {
		n[ev.type]++;
		harts[ev.hart]++;
		if (ev.type == TEV_RUN && n[TEV_RUN] == 3)
			CHECK(ev.pc == 0x80000010 && ev.instret == 20, "third run");
		if (ev.type == TEV_MMIO)
			CHECK(ev.paddr == 0x10000000 && ev.value == 'A' && ev.time == 1000, "mmio");
		if (ev.type == TEV_MARK)
			CHECK(ev.len == 4 && !memcmp(ev.data, "stop", 4) && ev.instret == 2000,
			      "mark");
		if (ev.type == TEV_CODE && ev.addr == 0x80000000) {
			CHECK(trace_code_fetch(r, 0, 0x80000000, &raw) == 0 && raw == 0x13131397,
			      "32-bit fetch %#x", raw);
			CHECK(trace_code_fetch(r, 0, 0x80000004, &raw) == 0 && raw == 0x4505,
			      "16-bit fetch %#x", raw);
			CHECK(trace_code_fetch(r, 0, 0x80000ffe, &raw) == -ENOENT,
			      "crossing into an unknown page");
			CHECK(trace_code_fetch(r, 1, 0x80000000, &raw) == -ENOENT, "other hart");
		}
	}
	CHECK(rc == 0 && !trace_truncated(r), "clean end: rc %d %s", rc, err_msg());
	CHECK(n[TEV_RUN] == 100 && n[TEV_CODE] == 2 && n[TEV_MMIO] == 1 && n[TEV_MARK] == 1,
	      "event counts");
	CHECK(harts[0] == 103 && harts[1] == 1, "per hart");
	CHECK(trace_code_fetch(r, 0, 0x80000ffe, &raw) == 0 && raw == 0x00100593,
	      "crossing fetch %#x", raw);
	CHECK(trace_code_fetch(r, 0, 0x80002000, &raw) == -ENOENT, "unknown page");
	CHECK(trace_code_fetch(r, 300, 0x80000000, &raw) == -ENOENT, "hart out of range");
	CHECK(trace_total(r, "events") == 104 && trace_total(r, "dropped") == 7 &&
		  trace_total(r, "insns") == 2000 && trace_total(r, "nope") == 0,
	      "totals");
	CHECK(trace_next(r, &ev) == 0, "end stays the end");
	trace_close(r);
	trace_close(NULL);
	return 0;
}

static uint8_t file[1 << 17];

static size_t slurp(const char *p)
{
	FILE *f = fopen(p, "rb");
	size_t n = fread(file, 1, sizeof(file), f);
	fclose(f);
	return n;
}

static void spill(const char *p, size_t n)
{
	unlink(p); /* rewriting in place makes ext4 flush on close (auto_da_alloc): slow */
	FILE *f = fopen(p, "wb");
	fwrite(file, 1, n, f);
	fclose(f);
}

/* Count events; rc of the last trace_next in *rc. NULL trace: -1. */
static int count(const char *p, int *rc, bool *truncated)
{
	struct trace_reader *r = trace_open(p);
	struct tev ev;
	int n = 0;

	if (!r)
		return -1;
	while ((*rc = trace_next(r, &ev)) == 1)
		n++;
	*truncated = trace_truncated(r);
	if (*rc == 0 && !*truncated && trace_total(r, "events") != (uint64_t)n)
		n = -2;
	trace_close(r);
	return n;
}

/* Every prefix: the events of the complete chunks, never an error. */
static int truncation(void)
{
	long second = write_trace(path, false);
	size_t size = slurp(path);
	int rc;
	bool tr;

	CHECK(second > 0 && count(path, &rc, &tr) == 104 && rc == 0 && !tr, "whole file");
	/* cut exactly before END: every event, but the run did not finish */
	spill(path2, size - 12 - strlen("events=104\ndropped=7\ninsns=2000\n"));
	CHECK(count(path2, &rc, &tr) == 104 && rc == 0 && tr, "cut before END: truncated");
	for (size_t cut = 16; cut < size; cut += 1 + cut % 13) {
		spill(path2, cut);
		int n = count(path2, &rc, &tr);
		CHECK(n >= 0 && rc == 0, "cut at %zu: %d events, rc %d (%s)", cut, n, rc,
		      err_msg());
		if (cut > (size_t)second &&
		    cut < size - 12 - strlen("events=104\ndropped=7\ninsns=2000\n"))
			CHECK(n == 102 && tr, "cut at %zu in the last EVENTS chunk: %d events", cut,
			      n);
	}
	return 0;
}

/* Patch a byte and fix the chunk's CRC, so the reader's own checks must find the problem. */
static void patch(size_t chunk_off, size_t at, uint8_t v, size_t size)
{
	uint32_t len = file[chunk_off + 4] | (uint32_t)file[chunk_off + 5] << 8 |
		       (uint32_t)file[chunk_off + 6] << 16 | (uint32_t)file[chunk_off + 7] << 24;
	file[at] = v;
	uint32_t crc = (uint32_t)crc32(0, file + chunk_off, 8 + len);
	for (int i = 0; i < 4; i++)
		file[chunk_off + 8 + len + i] = (uint8_t)(crc >> (8 * i));
	spill(path2, size);
}

static int corrupt_events(void)
{
	long second = write_trace(path, false);
	size_t size = slurp(path);
	int rc;
	bool tr;
	char want[80];

	/* the second hart-0 chunk: hart id at +8, then the CODE event's head byte at +12 */
	patch((size_t)second, (size_t)second + 12, 0x00, size); /* type 0: never valid */
	snprintf(want, sizeof(want), "offset %ld: malformed event", second + 12);
	CHECK(count(path2, &rc, &tr) == 102 && rc == -EINVAL && strstr(err_msg(), want) &&
		  strstr(err_msg(), path2),
	      "bad type: %s", err_msg());

	slurp(path);
	patch((size_t)second, (size_t)second + 8, 0x01, size);
	CHECK(count(path2, &rc, &tr) == 102 && rc == -EINVAL &&
		  strstr(err_msg(), "event of another hart"),
	      "hart mismatch: %s", err_msg());

	slurp(path);
	patch((size_t)second, (size_t)second + 9, 0x01, size);
	CHECK(count(path2, &rc, &tr) == 102 && rc == -EINVAL && strstr(err_msg(), "hart id"),
	      "hart id 256: %s", err_msg());

	slurp(path);
	file[second + 20] ^= 0xff; /* no CRC fix: the chunk check reports it */
	spill(path2, size);
	snprintf(want, sizeof(want), "offset %ld: chunk checksum mismatch", second);
	CHECK(count(path2, &rc, &tr) == 102 && rc == -EINVAL && strstr(err_msg(), want),
	      "checksum: %s", err_msg());
	return 0;
}

/* Random bytes of random chunks changed and their CRCs fixed: the reader must stop with an
 * error or read on, never crash or read out of bounds (run under ASan). */
static int fuzz(void)
{
	static uint8_t orig[sizeof(file)];
	size_t size, offs[64], n = 0;
	uint64_t seed = 0x2545f4914f6cdd1dull;

	write_trace(path, true);
	size = slurp(path);
	memcpy(orig, file, size);
	for (size_t off = 16; off + 12 <= size && n < 64;) {
		offs[n++] = off;
		off +=
		    12 + (file[off + 4] | (size_t)file[off + 5] << 8 | (size_t)file[off + 6] << 16);
	}
	CHECK(n >= 6, "%zu chunks", n);
	for (int iter = 0; iter < 1000; iter++) {
		memcpy(file, orig, size);
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		size_t c = offs[seed % n];
		uint32_t len =
		    file[c + 4] | (uint32_t)file[c + 5] << 8 | (uint32_t)file[c + 6] << 16;
		if (!len)
			continue;
		for (int k = 0; k <= (int)(seed >> 60) % 4; k++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			file[c + 8 + seed % len] ^= (uint8_t)(seed >> 32 | 1);
		}
		patch(c, c + 8, file[c + 8], size);
		struct trace_reader *r = trace_open(path2);
		struct tev ev;
		uint32_t raw;
		char buf[64];
		if (!r) {
			CHECK(err_msg() && strstr(err_msg(), "offset"),
			      "open error without offset");
			continue;
		}
		while (trace_next(r, &ev) == 1)
			(void)trace_code_fetch(r, ev.hart, ev.pc, &raw);
		(void)trace_mmio_name(r, 0x10000005, buf, sizeof(buf));
		trace_close(r);
	}
	return 0;
}

static int write_one(const char *p, uint32_t type, const char *text, size_t len)
{
	unlink(p);
	struct tf_writer *w = tf_writer_open(p);

	if (!w)
		return -1;
	tf_write_chunk(w, type, text, len);
	return tf_writer_close(w);
}

static int bad_text(void)
{
	static const struct {
		uint32_t type;
		const char *text;
		const char *want;
	} cases[] = {
	    {TF_META, "harts=1\nno equals sign\n", "offset 16: text line without key=value"},
	    {TF_META, "=value\n", "without key=value"},
	    {TF_END, "events=12x\n", "not a number"},
	    {TF_END, "events=-1\n", "not a number"},
	    {TF_DEVS, "0x1000 0x100\n", "malformed device line"},
	    {TF_DEVS, "0x1000 0 dev\n", "malformed device line"},
	    {TF_DEVS, "0xffffffffffffff00 0x200 dev\n", "malformed device line"},
	    {TF_DEVS, "0x1000 0x100 dev 0x200:BEYOND\n", "malformed device line"},
	    {TF_DEVS, "0x1000 0x100 dev 0x0\n", "malformed device line"},
	    {TF_DEVS, "0x1000 0x100 dev 0x0:A extra\n", "malformed device line"},
	    {TF_DEVS, "0x1000 zz dev\n", "malformed device line"},
	    {TF_SYMS, "\x01\x02", "symbol"},
	    {TF_EVENTS, "\x01", "EVENTS chunk without a hart id"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(write_one(path2, cases[i].type, cases[i].text, strlen(cases[i].text)) == 0,
		      "write");
		int rc = 0;
		bool tr;
		int n = count(path2, &rc, &tr);
		CHECK((n == -1 || rc == -EINVAL) && err_msg() && strstr(err_msg(), cases[i].want) &&
			  strstr(err_msg(), path2),
		      "case %zu: n %d rc %d: %s", i, n, rc, err_msg());
	}
	CHECK(write_one(path2, TF_META, "a=b\0c=d\n", 8) == 0 &&
		  count(path2, &(int){0}, &(bool){0}) == -1 && strstr(err_msg(), "NUL byte"),
	      "NUL in META: %s", err_msg());
	CHECK(write_one(path2, TF_META, "harts=4\n\nx=1=2\n", 15) == 0, "write");
	struct trace_reader *r = trace_open(path2);
	CHECK(r && trace_nharts(r) == 4 && !strcmp(trace_meta(r, "x"), "1=2"), "meta with '='");
	trace_close(r);
	CHECK(!trace_open("/nonexistent.trace") && strstr(err_msg(), "/nonexistent.trace"),
	      "missing file");
	return 0;
}

int main(void)
{
	int failed = 0;

	if (!mkdtemp(dir)) {
		printf("FAIL reader: mkdtemp\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/a.trace", dir);
	snprintf(path2, sizeof(path2), "%s/b.trace", dir);
	failed += RUN(full);
	failed += RUN(truncation);
	failed += RUN(corrupt_events);
	failed += RUN(fuzz);
	failed += RUN(bad_text);
	if (!getenv("KEEP")) {
		unlink(path);
		unlink(path2);
		rmdir(dir);
	}
	return failed != 0;
}
