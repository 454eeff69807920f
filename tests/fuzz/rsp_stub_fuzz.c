/* rsp_stub_fuzz — libFuzzer target for the GDB stub's packet path: the input bytes (first byte:
 * how to cut them, as a non-blocking socket would) go through the framing layer (rsp.c) into the
 * command layer (stub.c) over the fake target of the unit tests. Built with clang's
 * -fsanitize=fuzzer,address,undefined (Makefile: $(BUILD)/fuzz/rsp_stub_fuzz); tests/e2e/fuzz.sh
 * runs it for a bounded time in `make test`. Everything the stub writes must be acks or
 * well-formed packets. */
#include <stdlib.h>

#include "gdb/rsp.h"
#include "gdb/stub.h"
#include "gdb/test_target.h"

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Check one write: "+", "-", or "$...#xx" (one or more packets) with correct checksums. */
static int io_write(void *ctx, const void *buf, size_t len)
{
	const uint8_t *p = buf, *end = p + len;

	while (p < end) {
		unsigned sum = 0;

		if (*p == '+' || *p == '-') {
			p++;
			continue;
		}
		if (*p++ != '$')
			abort();
		while (p < end && *p != '#')
			sum += *p++;
		if (end - p < 3 || hexval(p[1]) < 0 || hexval(p[2]) < 0 ||
		    (unsigned)(hexval(p[1]) << 4 | hexval(p[2])) != (sum & 0xff))
			abort();
		p += 3;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_target ft;
	const struct gdb_io io = {NULL, io_write};
	struct gdb_stub *s;
	size_t off = 1, step;

	if (size < 1)
		return 0;
	memset(&ft, 0, sizeof(ft));
	ft.nlibs = data[0] & 3;
	step = 1 + (data[0] >> 2); /* 1..64 bytes per read */
	s = gdb_stub_new(&ft_ops, &ft, &io);
	if (!s)
		abort();
	while (off < size) {
		size_t k = size - off < step ? size - off : step;
		int r = gdb_stub_input(s, data + off, k);

		if (r < 0 || r > GDB_STUB_KILLED)
			abort();
		if (r)
			break; /* detached or killed: the session is over */
		off += k;
		if (gdb_stub_running(s)) {
			/* the target stops with a reason drawn from the input */
			uint8_t b = data[off - 1];

			ft.stop = (struct gdb_stop){.kind = (enum gdb_stop_kind)(b % 7),
						    .hart = b >> 6,
						    .signal = b,
						    .addr = (uint64_t)b << 40 | off,
						    .exit_code = b,
						    .library_changed = b & 1};
			if (b & 2)
				snprintf(ft.stop.note, sizeof(ft.stop.note), "note %u\n", b);
			if (gdb_stub_stopped(s) != 0)
				abort();
		}
	}
	gdb_stub_free(s);
	return 0;
}
