#include "trace/tfile.h"

#include "util/err.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/test_util.h"

static char dir[] = "/tmp/tfile_test.XXXXXX";
static char path[256], path2[256];

static const char *payloads[] = {"harts=1\nram=134217728\n", "", "\x01\x02\x03\x04 events",
				 "events=3\n"};
static const uint32_t types[] = {TF_META, TF_SYMS, TF_EVENTS, TF_END};
#define NCHUNKS 4

static int write_sample(const char *p)
{
	struct tf_writer *w = tf_writer_open(p);

	if (!w)
		return -1;
	for (int i = 0; i < NCHUNKS; i++)
		if (tf_write_chunk(w, types[i], payloads[i], strlen(payloads[i])) < 0)
			return -1;
	return tf_writer_close(w);
}

static long file_bytes(const char *p, uint8_t **out)
{
	FILE *f = fopen(p, "rb");
	static uint8_t buf[1 << 16];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

	if (f)
		fclose(f);
	*out = buf;
	return f ? (long)n : -1;
}

static void put_file(const char *p, const uint8_t *b, size_t n)
{
	unlink(p); /* rewriting in place makes ext4 flush on close (auto_da_alloc): slow */
	FILE *f = fopen(p, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
}

/* Read every chunk: returns the count, or the negative error. */
static int read_all(const char *p, bool *truncated, uint64_t *stop)
{
	struct tf_reader *r = tf_reader_open(p);
	uint32_t t;
	const uint8_t *d;
	size_t n;
	int rc, count = 0;

	if (!r)
		return -1000;
	while ((rc = tf_reader_next(r, &t, &d, &n)) == 1)
		count++;
	*truncated = tf_reader_truncated(r);
	*stop = tf_reader_offset(r);
	tf_reader_close(r);
	return rc < 0 ? rc : count;
}

static int roundtrip(void)
{
	CHECK(write_sample(path) == 0, "write: %s", err_msg());
	struct tf_reader *r = tf_reader_open(path);
	CHECK(r, "open: %s", err_msg());
	uint64_t off = 16;
	for (int i = 0; i < NCHUNKS; i++) {
		uint32_t t;
		const uint8_t *d;
		size_t n;
		CHECK(tf_reader_next(r, &t, &d, &n) == 1, "chunk %d: %s", i, err_msg());
		CHECK(t == types[i] && n == strlen(payloads[i]) && !memcmp(d, payloads[i], n),
		      "chunk %d contents", i);
		CHECK(tf_reader_offset(r) == off, "chunk %d at %llu, want %llu", i,
		      (unsigned long long)tf_reader_offset(r), (unsigned long long)off);
		off += 12 + n;
	}
	uint32_t t;
	const uint8_t *d;
	size_t n;
	CHECK(tf_reader_next(r, &t, &d, &n) == 0 && !tf_reader_truncated(r), "clean end");
	CHECK(tf_reader_next(r, &t, &d, &n) == 0, "end stays the end");
	tf_reader_close(r);
	tf_reader_close(NULL);
	CHECK(tf_writer_close(NULL) == 0, "close NULL");
	return 0;
}

/* Every prefix of the file: the complete chunks, then "truncated" at the cut chunk's offset. */
static int truncation(void)
{
	uint8_t *b, copy[4096];
	long size = file_bytes(path, &b);
	uint64_t starts[NCHUNKS + 1] = {16};

	CHECK(size > 16, "sample file");
	memcpy(copy, b, (size_t)size);
	for (int i = 0; i < NCHUNKS; i++)
		starts[i + 1] = starts[i] + 12 + strlen(payloads[i]);
	CHECK(starts[NCHUNKS] == (uint64_t)size, "size %ld", size);
	for (long cut = 16; cut <= size; cut++) {
		bool tr;
		uint64_t stop;
		int whole = 0;
		while (whole < NCHUNKS && starts[whole + 1] <= (uint64_t)cut)
			whole++;
		put_file(path2, copy, (size_t)cut);
		int rc = read_all(path2, &tr, &stop);
		bool at_boundary = starts[whole] == (uint64_t)cut;
		CHECK(rc == whole, "cut at %ld: %d chunks, want %d", cut, rc, whole);
		CHECK(tr == !at_boundary, "cut at %ld: truncated %d", cut, tr);
		CHECK(stop == starts[whole], "cut at %ld: stopped at %llu", cut,
		      (unsigned long long)stop);
	}
	return 0;
}

/* Flip each byte after the header: the reader reports an error naming the chunk's offset, or
 * (a byte of a length field) sees a chunk cut off by the end of the file. Never success. */
static int corruption(void)
{
	uint8_t *b, copy[4096];
	long size = file_bytes(path, &b);

	memcpy(copy, b, (size_t)size);
	for (long i = 16; i < size; i++) {
		bool tr;
		uint64_t stop;
		copy[i] ^= 0x20;
		put_file(path2, copy, (size_t)size);
		copy[i] ^= 0x20;
		err_clear();
		int rc = read_all(path2, &tr, &stop);
		if (rc == -EINVAL) {
			char want[64];
			snprintf(want, sizeof(want), ": offset %llu: ", (unsigned long long)stop);
			CHECK(err_msg() && strstr(err_msg(), path2) && strstr(err_msg(), want),
			      "byte %ld: message '%s', want offset %llu", i, err_msg(),
			      (unsigned long long)stop);
		} else {
			CHECK(rc >= 0 && tr, "byte %ld: rc %d truncated %d", i, rc, tr);
		}
		CHECK(rc < NCHUNKS, "byte %ld: corruption not noticed", i);
	}
	/* a payload byte: exactly the checksum message */
	copy[16 + 8 + 2] ^= 1;
	put_file(path2, copy, (size_t)size);
	bool tr;
	uint64_t stop;
	CHECK(read_all(path2, &tr, &stop) == -EINVAL && strstr(err_msg(), "offset 16: chunk "
									  "checksum mismatch"),
	      "payload byte: %s", err_msg());
	return 0;
}

static int bad_files(void)
{
	uint8_t b[64] = "STRATATR\x01\0\0\0\0\0\0\0";
	bool tr;
	uint64_t stop;

	put_file(path2, (const uint8_t *)"hello, world, this is text\n", 27);
	CHECK(!tf_reader_open(path2) && strstr(err_msg(), "not a strata trace"), "text file: %s",
	      err_msg());
	put_file(path2, b, 0);
	CHECK(!tf_reader_open(path2) && strstr(err_msg(), "not a strata trace"), "empty file");
	put_file(path2, b, 12);
	CHECK(!tf_reader_open(path2) && strstr(err_msg(), "truncated header"), "short header");
	CHECK(!tf_reader_open("/nonexistent/x.trace") && strstr(err_msg(), "/nonexistent/x.trace"),
	      "missing file");
	b[8] = TF_VERSION + 1;
	put_file(path2, b, 16);
	CHECK(!tf_reader_open(path2) && strstr(err_msg(), "version 3 is newer"), "version: %s",
	      err_msg());
	b[8] = 1;
	put_file(path2, b, 16);
	CHECK(read_all(path2, &tr, &stop) == 0 && !tr, "header only: no chunks");

	/* an absurd length is corruption, not a truncation, and nothing is allocated for it */
	memcpy(b + 16, "\x01\0\0\0\xff\xff\xff\x7f", 8);
	put_file(path2, b, 40);
	CHECK(read_all(path2, &tr, &stop) == -EINVAL &&
		  strstr(err_msg(), "offset 16: chunk length"),
	      "huge length: %s", err_msg());

	/* a well-formed chunk of an unknown type */
	struct tf_writer *w = tf_writer_open(path2);
	CHECK(w && tf_write_chunk(w, TF_META, "a=b\n", 4) == 0 &&
		  tf_write_chunk(w, 77, "x", 1) == 0,
	      "write");
	CHECK(tf_write_chunk(w, TF_EVENTS, b, (64u << 20) + 1) == -EINVAL, "oversized chunk");
	tf_writer_close(w);
	CHECK(read_all(path2, &tr, &stop) == -EINVAL && strstr(err_msg(), "offset 32: unknown "
									  "chunk type 77"),
	      "unknown type: %s", err_msg());
	CHECK(!tf_writer_open("/nonexistent/dir/x") && strstr(err_msg(), "/nonexistent/dir/x"),
	      "writer open error");
	return 0;
}

static struct tf_writer *sig_writer;
static volatile int sig_rc = 1;

static void on_signal(int sig)
{
	sig_rc = tf_write_chunk(sig_writer, TF_END, "events=0\n", 9);
}

/* The last chunk written from a signal handler (as strata does on SIGINT/SIGTERM) is complete. */
static int from_signal(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct sigaction old;
	bool tr;
	uint64_t stop;

	sig_writer = tf_writer_open(path2);
	CHECK(sig_writer && tf_write_chunk(sig_writer, TF_META, "a=1\n", 4) == 0, "write");
	CHECK(sigaction(SIGUSR1, &sa, &old) == 0 && raise(SIGUSR1) == 0, "raise");
	sigaction(SIGUSR1, &old, NULL);
	CHECK(sig_rc == 0, "tf_write_chunk in the handler: %d", sig_rc);
	/* the chunk is in the kernel before close: a second reader sees it now */
	CHECK(read_all(path2, &tr, &stop) == 2 && !tr, "both chunks readable before close");
	CHECK(tf_writer_close(sig_writer) == 0, "close");
	return 0;
}

int main(void)
{
	int failed = 0;

	if (!mkdtemp(dir)) {
		printf("FAIL tfile: mkdtemp\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/a.trace", dir);
	snprintf(path2, sizeof(path2), "%s/b.trace", dir);
	failed += RUN(roundtrip);
	failed += RUN(truncation);
	failed += RUN(corruption);
	failed += RUN(bad_files);
	failed += RUN(from_signal);
	unlink(path);
	unlink(path2);
	rmdir(dir);
	return failed != 0;
}
