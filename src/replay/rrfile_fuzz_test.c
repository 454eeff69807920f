/* rrfile_fuzz_test — the recording's files round-trip, and corrupt or truncated ones are
 * refused with one message, never a crash: every prefix of a valid manifest, input log and
 * stored snapshot, then bounded random mutations (bit flips, byte changes, cuts, insertions),
 * through the parsers, through rr_play_open on a real directory and through the compressed
 * drive copy's reader (the sanitizer build checks every access). One fixed seed plus one fresh
 * seed per run (printed; RR_FUZZ_SEED=n replays it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "machine/test_util.h"
#include "replay/replay.h"
#include "replay/drivefile.h"
#include "replay/rrfile.h"
#include "replay/snapfile.h"
#include "util/err.h"

#define ROUNDS	    20000
#define PLAY_ROUNDS 300

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static char manifest[4096];
static size_t manifest_len;
static uint8_t log_buf[8192];
static size_t log_len;

static void make_files(void)
{
	static char *argv[] = {"-bios", "none", "-kernel", "k.elf", "-append", "a b%c\n", NULL};
	struct rrf_manifest m = {.argc = 6,
				 .argv = argv,
				 .cwd = "/tmp",
				 .ended = true,
				 .end_kind = RRF_END_STOPPED,
				 .end_code = 130,
				 .end_insns = 5000};
	FILE *f = fmemopen(manifest, sizeof(manifest), "w");
	uint64_t ns = 0;
	struct rrf_ev e;

	snprintf(m.img[0].opt, sizeof(m.img[0].opt), "-kernel");
	m.img[0].path = "/tmp/k.elf";
	m.img[0].size = 1234;
	m.nimg = 1;
	m.drv[0] = (struct rrf_drive){.slot = 0, .file = "drive0.img", .size = 512};
	m.ndrv = 1;
	struct rrf_snap sn[2] = {{0, "snap000000.rrs"}, {4000, "snap000001.rrs"}};
	m.snap = sn;
	m.nsnap = 2;
	rrf_manifest_write(f, &m);
	manifest_len = (size_t)ftell(f);
	fclose(f);
	memcpy(log_buf, RRF_LOG_MAGIC, 8);
	log_len = 8;
	e = (struct rrf_ev){.type = RRF_EV_NONE, .count = 300};
	log_len += rrf_ev_encode(&e, &ns, log_buf + log_len);
	e = (struct rrf_ev){.type = RRF_EV_CLOCK, .count = 1000000000123ull};
	log_len += rrf_ev_encode(&e, &ns, log_buf + log_len);
	e = (struct rrf_ev){.type = RRF_EV_READ, .insns = 100, .len = 3, .data = "ls\n"};
	log_len += rrf_ev_encode(&e, &ns, log_buf + log_len);
	e = (struct rrf_ev){.type = RRF_EV_CLOCK, .count = 1000000000100ull}; /* backwards */
	log_len += rrf_ev_encode(&e, &ns, log_buf + log_len);
	e = (struct rrf_ev){.type = RRF_EV_EOF, .insns = 4000};
	log_len += rrf_ev_encode(&e, &ns, log_buf + log_len);
	e = (struct rrf_ev){.type = RRF_EV_END, .insns = 5000};
	log_len += rrf_ev_encode(&e, &ns, log_buf + log_len);
}

static int round_trip(void)
{
	struct rrf_manifest m;
	const uint8_t *p = log_buf + 8;
	uint64_t ns = 0, end = 0;
	struct rrf_ev e;

	make_files();
	CHECK(rrf_manifest_parse(manifest, manifest_len, &m) == 0, "%s", err_msg());
	CHECK(m.argc == 6 && !strcmp(m.argv[5], "a b%c\n") && !strcmp(m.cwd, "/tmp") &&
		  m.nimg == 1 && m.img[0].size == 1234 && !strcmp(m.img[0].path, "/tmp/k.elf") &&
		  m.ndrv == 1 && !strcmp(m.drv[0].file, "drive0.img") && m.ended &&
		  m.end_kind == RRF_END_STOPPED && m.end_code == 130 && m.end_insns == 5000 &&
		  m.nsnap == 2 && m.snap[1].insns == 4000 &&
		  !strcmp(m.snap[1].file, "snap000001.rrs"),
	      "manifest fields");
	rrf_manifest_free(&m);
	CHECK(rrf_log_check(log_buf, log_len, &end) == 0 && end == 5000, "%s", err_msg());
	CHECK(rrf_ev_decode(&p, log_buf + log_len, &ns, &e) == 1 && e.type == RRF_EV_NONE &&
		  e.count == 300,
	      "NONE");
	CHECK(rrf_ev_decode(&p, log_buf + log_len, &ns, &e) == 1 && e.count == 1000000000123ull,
	      "CLOCK");
	CHECK(rrf_ev_decode(&p, log_buf + log_len, &ns, &e) == 1 && e.insns == 100 && e.len == 3 &&
		  !memcmp(e.data, "ls\n", 3),
	      "READ");
	CHECK(rrf_ev_decode(&p, log_buf + log_len, &ns, &e) == 1 && e.count == 1000000000100ull,
	      "a clock going backwards");
	return 0;
}

/* Every cut of each file is refused (the manifest's end line and the log's END come last). */
static int prefixes(void)
{
	struct rrf_manifest m;
	uint64_t end;

	for (size_t n = 0; n < log_len; n++) {
		err_clear();
		CHECK(rrf_log_check(log_buf, n, &end) == -EINVAL && err_msg() &&
			  strstr(err_msg(), n < 8 ? "magic" : "truncated"),
		      "log cut at %zu: %s", n, err_msg());
	}
	for (size_t n = 0; n < manifest_len; n++) {
		err_clear();
		int r = rrf_manifest_parse(manifest, n, &m);
		if (r == 0) {
			/* a cut at a line end parses: then it has no end line, which replay refuses
			 */
			CHECK(!m.ended, "manifest cut at %zu has an end", n);
			rrf_manifest_free(&m);
		} else {
			CHECK(r == -EINVAL && err_msg() && !strchr(err_msg(), '\n'),
			      "manifest cut at %zu", n);
		}
	}
	return 0;
}

static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
	unsigned k = 1 + below(4);

	while (k--) {
		size_t at = below((uint32_t)(len ? len : 1));
		switch (below(5)) {
		case 0:
			if (len)
				buf[at] ^= (uint8_t)(1u << below(8));
			break;
		case 1:
			if (len)
				buf[at] = (uint8_t)rnd();
			break;
		case 2:
			len = below((uint32_t)len + 1);
			break;
		case 3:
			if (len < cap) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = below(3) ? (uint8_t)rnd() : (uint8_t) "% \n0-"[below(5)];
				len++;
			}
			break;
		case 4:
			if (len > at + 1) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
			break;
		}
	}
	return len;
}

static int fuzz_parsers(void)
{
	uint8_t buf[8192 + 64];
	struct rrf_manifest m;
	uint64_t end;

	for (unsigned i = 0; i < ROUNDS; i++) {
		size_t n;
		memcpy(buf, manifest, manifest_len);
		n = mutate(buf, manifest_len, sizeof(buf));
		err_clear();
		if (rrf_manifest_parse((const char *)buf, n, &m) == 0)
			rrf_manifest_free(&m);
		else
			CHECK(err_msg() && !strchr(err_msg(), '\n'), "manifest error not one line");
		memcpy(buf, log_buf, log_len);
		n = mutate(buf, log_len, sizeof(buf));
		err_clear();
		if (rrf_log_check(buf, n, &end) < 0)
			CHECK(err_msg() && !strchr(err_msg(), '\n'), "log error not one line");
	}
	return 0;
}

static int write_file(const char *dir, const char *name, const void *buf, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	fwrite(buf, 1, n, f);
	return fclose(f);
}

/* The whole opening path on a directory: a valid recording opens, mutated ones fail cleanly. */
static int fuzz_open(void)
{
	char dir[] = "/tmp/rrfuzz-XXXXXX";
	uint8_t buf[8192 + 64];
	struct rr_play *p;

	CHECK(mkdtemp(dir), "mkdtemp");
	CHECK(!write_file(dir, "drive0.img", manifest, 0), "write");
	CHECK(!write_file(dir, RRF_MANIFEST, manifest, manifest_len) &&
		  !write_file(dir, RRF_LOG, log_buf, log_len),
	      "write");
	p = rr_play_open(dir);
	CHECK(p, "a valid recording: %s", err_msg());
	rr_play_close(p);
	for (unsigned i = 0; i < PLAY_ROUNDS; i++) {
		bool which = below(2);
		size_t n;
		memcpy(buf, which ? manifest : (const char *)log_buf,
		       which ? manifest_len : log_len);
		n = mutate(buf, which ? manifest_len : log_len, sizeof(buf));
		CHECK(!write_file(dir, which ? RRF_MANIFEST : RRF_LOG, buf, n), "write");
		err_clear();
		p = rr_play_open(dir);
		if (!p)
			CHECK(err_msg() && !strchr(err_msg(), '\n'), "error not one line");
		rr_play_close(p);
		CHECK(!write_file(dir, RRF_MANIFEST, manifest, manifest_len) &&
			  !write_file(dir, RRF_LOG, log_buf, log_len),
		      "write");
	}
	/* missing files */
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, RRF_LOG);
	unlink(path);
	err_clear();
	CHECK(!rr_play_open(dir) && err_msg() && strstr(err_msg(), RRF_LOG), "no input log: %s",
	      err_msg());
	snprintf(path, sizeof(path), "%s/%s", dir, RRF_MANIFEST);
	unlink(path);
	snprintf(path, sizeof(path), "%s/drive0.img", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* ---- stored snapshots ---- */

static const struct rrs_limits snap_lim = {
    .state_size = 100, .ram_pages = 64, .drive_blocks = {4, 0, 2}};
static uint8_t snap_file[RRS_HDR_SIZE + 4 * 4096 + 512];
static size_t snap_len;

static int make_snap(void)
{
	struct rrs_hdr h = {.insns = 4000,
			    .log_off = 12,
			    .log_last_ns = 7,
			    .state_size = 100,
			    .npages = 2,
			    .nblocks = 2};
	uint8_t *raw, *z, *q;
	size_t zlen;

	h.raw_size = rrs_raw_size(100, 2, 2);
	CHECK((raw = calloc(1, h.raw_size)), "calloc");
	for (unsigned i = 0; i < 100; i++)
		raw[i] = (uint8_t)i;
	q = raw + 100;
	q[0] = 3, q[4] = 7; /* pages 3 and 7 */
	q += 8;
	memset(q, 0xa5, 4096);
	memset(q + 4096, 0x5a, 4096);
	q += 2 * 4096;
	q[0] = 1;			   /* block 1 of slot 0 */
	q[8] = 1, q[15] = 2;		   /* block 1 of slot 2 */
	memset(q + 16, 'd', 2 * 4096 - 7); /* compressible, but not only one byte */
	CHECK(rrs_pack(raw, h.raw_size, 1, &z, &zlen) == 0 &&
		  zlen < sizeof(snap_file) - RRS_HDR_SIZE,
	      "pack");
	h.zsize = zlen;
	rrs_hdr_encode(&h, snap_file);
	memcpy(snap_file + RRS_HDR_SIZE, z, zlen);
	snap_len = RRS_HDR_SIZE + zlen;
	free(z);
	free(raw);
	return 0;
}

/* Decode and unpack buf as a snapshot file: 0 if it is one, else -EINVAL with one line. */
static int snap_parse(const uint8_t *buf, size_t n, struct rrs_hdr *h, uint8_t **raw)
{
	*raw = NULL;
	err_clear();
	if (rrs_hdr_decode(buf, n, &snap_lim, h) < 0)
		return -EINVAL;
	if (!(*raw = malloc(h->raw_size)))
		return -ENOMEM;
	if (rrs_unpack(h, buf + RRS_HDR_SIZE, &snap_lim, *raw) < 0) {
		free(*raw);
		*raw = NULL;
		return -EINVAL;
	}
	return 0;
}

static int fuzz_snapfile(void)
{
	uint8_t buf[sizeof(snap_file) + 64], *raw;
	struct rrs_hdr h;

	CHECK(snap_parse(snap_file, snap_len, &h, &raw) == 0, "a valid snapshot: %s", err_msg());
	CHECK(h.insns == 4000 && h.log_off == 12 && h.log_last_ns == 7 && h.npages == 2 &&
		  rrs_page(&h, raw, 1) == 7 && rrs_page_data(&h, raw, 1)[4095] == 0x5a &&
		  rrs_block(&h, raw, 1) == (2ull << 56 | 1) &&
		  rrs_block_data(&h, raw, 0)[0] == 'd' && raw[99] == 99,
	      "round trip");
	free(raw);
	for (size_t n = 0; n < snap_len; n++) {
		CHECK(snap_parse(snap_file, n, &h, &raw) == -EINVAL && err_msg() &&
			  !strchr(err_msg(), '\n'),
		      "snapshot cut at %zu", n);
	}
	for (unsigned i = 0; i < ROUNDS / 10; i++) {
		size_t n;
		memcpy(buf, snap_file, snap_len);
		n = mutate(buf, snap_len, sizeof(buf));
		if (snap_parse(buf, n, &h, &raw) == 0)
			free(raw); /* a change zstd's checksum cannot see (the header's log fields)
				    */
		else
			CHECK(err_msg() && !strchr(err_msg(), '\n'), "snapshot error not one line");
	}
	return 0;
}

/* The compressed drive copy: what comes out is the contents or a one-line error. */
static int fuzz_drivefile(void)
{
	char dir[] = "/tmp/rrdrive-XXXXXX", src[64], dst[64], out[64];
	static uint8_t img[64 << 10], buf[64 << 10];
	uint8_t sha[32], sha2[32];
	uint64_t size;
	FILE *f;
	size_t n, len;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(src, sizeof(src), "%s/img", dir);
	snprintf(dst, sizeof(dst), "%s/img" RRD_SUFFIX, dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = i < 4096 ? (uint8_t)rnd() : (uint8_t)(i / 512);
	CHECK(!write_file(dir, "img", img, sizeof(img)), "write");
	CHECK(rrd_store(src, dst, sha, &size) == 0 && size == sizeof(img), "store: %s", err_msg());
	CHECK(rrd_extract(dst, out, sha2, &size) == 0 && size == sizeof(img) &&
		  !memcmp(sha, sha2, 32),
	      "extract: %s", err_msg());
	CHECK((f = fopen(dst, "rb")), "open");
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK(len < sizeof(img) / 2, "compressed to %zu bytes", len);
	for (unsigned i = 0; i < 200; i++) {
		static uint8_t m[sizeof(buf) + 64];
		memcpy(m, buf, len);
		n = i < 20 ? len * i / 20 : mutate(m, len, sizeof(m)); /* cuts, then mutations */
		CHECK(!write_file(dir, "img" RRD_SUFFIX, m, n), "write");
		err_clear();
		if (rrd_extract(dst, out, sha2, &size) == 0)
			CHECK(i >= 20 && (memcmp(sha, sha2, 32) || size == sizeof(img)),
			      "cut copy read whole");
		else
			CHECK(err_msg() && !strchr(err_msg(), '\n'),
			      "drive copy error not one line");
	}
	unlink(src);
	unlink(dst);
	unlink(out);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const char *s = getenv("RR_FUZZ_SEED");
	uint64_t seeds[2] = {0x5eed5eedull, s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL)};
	int failed = 0;

	failed += RUN(round_trip);
	failed += RUN(prefixes);
	failed += RUN(make_snap);
	for (int i = 0; i < 2; i++) {
		printf("seed %llu\n", (unsigned long long)seeds[i]);
		rng = seeds[i] ? seeds[i] : 1;
		failed += RUN(fuzz_parsers);
		failed += RUN(fuzz_open);
		failed += RUN(fuzz_snapfile);
		failed += RUN(fuzz_drivefile);
	}
	return failed != 0;
}
