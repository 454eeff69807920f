/* rsp_fuzz_test — bounded random and mutation fuzzing of the packet parser and of the stub with
 * the fake target: nothing may crash (the sanitizer build checks every access), and everything
 * the stub sends must be acks or well-formed packets with correct checksums. One fixed seed for
 * reproducibility, plus one fresh seed per run (printed, so a failure can be replayed with
 * RSP_FUZZ_SEED=n). */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "gdb/rsp.h"
#include "gdb/stub.h"
#include "gdb/test_target.h"
#include "machine/test_util.h"

#define STUB_ROUNDS 100000 /* per seed: 200k exchanges in all */
#define RSP_ROUNDS  50000

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

/* ---- an independent checker of the stub's output stream ---- */

enum { V_IDLE, V_DATA, V_ESC, V_CS1, V_CS2 };

static struct {
	int st;
	uint8_t sum, cs;
	size_t len;
	char bad[128]; /* first problem seen */
	unsigned long packets;
} v;

static int hexdigit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void flag(const char *what, uint8_t c)
{
	if (!v.bad[0])
		snprintf(v.bad, sizeof(v.bad), "%s (byte %#x)", what, c);
}

static void check_byte(uint8_t c)
{
	switch (v.st) {
	case V_IDLE:
		if (c == '$') {
			v.st = V_DATA;
			v.sum = 0;
			v.len = 0;
		} else if (c != '+' && c != '-') {
			flag("stray byte between packets", c);
		}
		return;
	case V_DATA:
		if (c == '#') {
			v.st = V_CS1;
			return;
		}
		if (c == '$' || c == '*')
			flag("unescaped $ or * in a packet", c);
		v.sum += c;
		if (c == '}') {
			v.st = V_ESC;
			return;
		}
		if (++v.len > RSP_MAX_PACKET)
			flag("packet longer than RSP_MAX_PACKET", c);
		return;
	case V_ESC:
		v.sum += c;
		if (++v.len > RSP_MAX_PACKET)
			flag("packet longer than RSP_MAX_PACKET", c);
		v.st = V_DATA;
		return;
	case V_CS1:
	case V_CS2:
		if (hexdigit(c) < 0) {
			flag("checksum digit", c);
			v.st = V_IDLE;
			return;
		}
		if (v.st == V_CS1) {
			v.cs = (uint8_t)(hexdigit(c) << 4);
			v.st = V_CS2;
			return;
		}
		if ((uint8_t)(v.cs | hexdigit(c)) != v.sum)
			flag("wrong checksum", c);
		v.packets++;
		v.st = V_IDLE;
		return;
	}
}

static int io_write(void *ctx, const void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		check_byte(((const uint8_t *)buf)[i]);
	return 0;
}

static const struct gdb_io io = {NULL, io_write};

/* ---- inputs ---- */

static const char *const cmds[] = {
    "g",
    "G",
    "p",
    "P",
    "m",
    "M",
    "X",
    "c",
    "s",
    "C",
    "S",
    "vCont;",
    "vCont?",
    "vCont;c",
    "vCont;s:",
    "Hg",
    "Hc",
    "T",
    "Z",
    "z",
    "Z0,",
    "Z2,",
    "qSupported:",
    "qXfer:features:read:target.xml:",
    "qXfer:libraries:read::",
    "qXfer:",
    "qRcmd,",
    "qRcmd,70687973206f6e",
    "qC",
    "qfThreadInfo",
    "qsThreadInfo",
    "qAttached",
    "?",
    "D",
    "k",
    "vKill;1",
    "qThreadExtraInfo,",
    "QStartNoAckMode",
    "q",
    "v",
    "",
};

static const char *const tokens[] = {
    ",",
    ":",
    ";",
    "=",
    "-1",
    "0",
    "1",
    "2",
    "3",
    "ffffffffffffffff",
    "10000000000000000",
    "1000",
    "80001000",
    "10fe",
    "4161",
    "1041",
    "42",
    "20",
    "ffff",
    "4000",
    "#",
    "$",
    "}",
    "*",
    "c",
    "s",
    "t",
    "C05",
    "S02",
    "\x03",
    "\0",
    "xx",
    "686172747300",
};

/* A command-like packet body into buf; returns its length. */
static size_t gen_body(uint8_t *buf, size_t size)
{
	const char *c = cmds[below(sizeof(cmds) / sizeof(cmds[0]))];
	size_t n = strlen(c);
	unsigned ntok = below(8);

	memcpy(buf, c, n);
	for (unsigned i = 0; i < ntok && n < size - 20; i++) {
		if (below(4) == 0) { /* a run of random hex digits or random bytes */
			unsigned k = below(20);

			for (unsigned j = 0; j < k; j++)
				buf[n++] =
				    below(2) ? "0123456789abcdef"[below(16)] : (uint8_t)rnd();
			continue;
		}
		const char *t = tokens[below(sizeof(tokens) / sizeof(tokens[0]))];
		size_t tl = *t ? strlen(t) : 1; /* "\0" is one NUL byte */

		memcpy(buf + n, t, tl);
		n += tl;
	}
	return n;
}

/* One chunk of input for the stub: a framed command, a mutated one, or random bytes. */
static size_t gen_input(uint8_t *buf, size_t size)
{
	static uint8_t body[4096];
	size_t n, bl;
	int e;

	switch (below(10)) {
	case 0: /* random bytes, sometimes a flood longer than a packet may be */
		n = below(10) == 0 ? below((uint32_t)size) : below(64);
		for (size_t i = 0; i < n; i++)
			buf[i] = below(4) == 0 ? (uint8_t) "$#}*+-\x03"[below(7)] : (uint8_t)rnd();
		return n;
	case 1:
	case 2: /* a framed command, then mutated */
		bl = gen_body(body, sizeof(body));
		e = rsp_encode(body, bl, (char *)buf, size);
		n = e < 0 ? 0 : (size_t)e;
		for (unsigned k = below(4) + 1; k && n; k--) {
			size_t at = below((uint32_t)n);

			switch (below(4)) {
			case 0:
				buf[at] ^= (uint8_t)(1u << below(8));
				break;
			case 1:
				buf[at] = (uint8_t) "$#}*\x03"[below(5)];
				break;
			case 2:
				n = at; /* truncate */
				break;
			default:
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = (uint8_t)rnd();
				n++;
				break;
			}
		}
		return n;
	default: /* a well-framed command with arbitrary arguments */
		bl = gen_body(body, sizeof(body));
		e = rsp_encode(body, bl, (char *)buf, size);
		return e < 0 ? 0 : (size_t)e;
	}
}

static int fuzz_stub(uint64_t seed)
{
	static uint8_t in[RSP_MAX_PACKET + 4096];
	struct fake_target *ft = calloc(1, sizeof(*ft));
	struct gdb_stub *s;

	CHECK(ft, "calloc");
	rng = seed;
	memset(&v, 0, sizeof(v));
	s = gdb_stub_new(&ft_ops, ft, &io);
	CHECK(s, "gdb_stub_new");
	for (unsigned i = 0; i < STUB_ROUNDS; i++) {
		size_t n = gen_input(in, below(50) ? 8192 : sizeof(in));
		size_t off = 0;

		while (off < n) { /* in random pieces, as a non-blocking socket would */
			size_t k = 1 + below((uint32_t)(n - off));
			int r = gdb_stub_input(s, in + off, k);

			CHECK(r >= 0 && r <= GDB_STUB_KILLED, "round %u: input returned %d", i, r);
			off += k;
		}
		if (gdb_stub_running(s)) {
			ft->stop = (struct gdb_stop){.kind = (enum gdb_stop_kind)below(7),
						     .hart = below(4),
						     .signal = (int)below(300) - 20,
						     .addr = (uint64_t)rnd() << 32 | rnd(),
						     .exit_code = (int)rnd(),
						     .library_changed = below(2)};
			CHECK(gdb_stub_stopped(s) == 0, "round %u: stopped", i);
		}
		ft->nlibs = (int)below(4);
		CHECK(!v.bad[0], "seed %llu round %u: %s", (unsigned long long)seed, i, v.bad);
		if (below(5000) == 0) { /* a new session: ack mode again, fresh parser */
			gdb_stub_free(s);
			s = gdb_stub_new(&ft_ops, ft, &io);
			CHECK(s, "gdb_stub_new");
			v.st = V_IDLE;
		}
	}
	CHECK(v.packets > STUB_ROUNDS / 2, "only %lu replies: the generator is too weak",
	      v.packets);
	gdb_stub_free(s);
	free(ft);
	return 0;
}

static int fuzz_rsp(uint64_t seed)
{
	static uint8_t data[RSP_MAX_PACKET], enc[RSP_ENCODED_MAX(RSP_MAX_PACKET)];
	struct rsp *p = rsp_new();
	struct rsp_event ev;

	CHECK(p, "rsp_new");
	rng = seed;
	for (unsigned i = 0; i < RSP_ROUNDS; i++) {
		/* Round trip: any data, encoded, decodes to itself. */
		size_t n = below(8) ? below(64) : below(RSP_MAX_PACKET + 1);
		int e, got = 0;

		for (size_t j = 0; j < n; j++)
			data[j] = below(3) ? (uint8_t) "$#}*\x03+-"[below(7)] : (uint8_t)rnd();
		e = rsp_encode(data, n, (char *)enc, sizeof(enc));
		CHECK(e > 0, "encode %zu bytes", n);
		for (int j = 0; j < e; j++) {
			rsp_feed(p, enc[j], &ev);
			if (ev.kind == RSP_EV_PACKET) {
				CHECK(j == e - 1 && ev.len == n && !memcmp(ev.data, data, n) &&
					  ev.data[n] == 0 && ev.ack == '+',
				      "round %u: round trip of %zu bytes", i, n);
				got = 1;
			} else {
				CHECK(ev.kind == RSP_EV_NONE, "round %u: event %d inside a packet",
				      i, ev.kind);
			}
		}
		CHECK(got, "round %u: no packet", i);
		/* Garbage: any event is fine as long as it is consistent. */
		n = below(200);
		for (size_t j = 0; j < n; j++) {
			rsp_feed(p, below(3) ? (uint8_t) "$#}*\x03+-0a"[below(9)] : (uint8_t)rnd(),
				 &ev);
			CHECK(ev.kind <= RSP_EV_NAK, "event kind");
			CHECK(ev.kind != RSP_EV_PACKET ||
				  (ev.len <= RSP_MAX_PACKET && ev.data && ev.data[ev.len] == 0),
			      "packet bounds");
			CHECK(!ev.ack || ev.ack == '+' || ev.ack == '-', "ack byte");
		}
		rsp_feed(p, '$', &ev); /* resynchronise for the next round trip */
		rsp_feed(p, '#', &ev);
		rsp_feed(p, '0', &ev);
		rsp_feed(p, '0', &ev);
		CHECK(ev.kind == RSP_EV_PACKET && ev.len == 0, "resync");
	}
	rsp_free(p);
	return 0;
}

static uint64_t random_seed;

static int fixed_seed(void)
{
	return fuzz_rsp(0x5eed) || fuzz_stub(0x5eed);
}

static int random_seed_run(void)
{
	return fuzz_rsp(random_seed) || fuzz_stub(random_seed);
}

int main(void)
{
	const char *env = getenv("RSP_FUZZ_SEED");
	int fails = 0;

	random_seed =
	    env ? strtoull(env, NULL, 0) : ((uint64_t)time(NULL) << 20 ^ (uint64_t)getpid());
	if (!random_seed)
		random_seed = 1; /* xorshift needs a non-zero state */
	printf("random seed %llu (RSP_FUZZ_SEED=%llu replays it)\n",
	       (unsigned long long)random_seed, (unsigned long long)random_seed);
	fails += RUN(fixed_seed);
	fails += RUN(random_seed_run);
	return fails != 0;
}
