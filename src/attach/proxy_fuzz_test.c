/* proxy_fuzz_test — bounded random fuzzing of `strata attach`'s proxy (proxy.c, tdesc.c,
 * files.c, monitor.c) through a scripted io: GDB's side gets a stream of real and mutated
 * packets (connection, registers, memory, the documents strata serves, its monitor commands,
 * resumes, Ctrl-C, garbage), the upstream's side a stream of replies of every shape (stop
 * replies, console output, descriptions, errors, oversized and cut-off packets, bad
 * checksums, garbage), both in random chunks. Nothing may crash (the sanitizer build checks
 * every access), every session must end, and every byte strata sends either way must be an
 * ack, a Ctrl-C (upstream only) or a well-formed packet. One fixed seed, plus one fresh seed
 * per run (printed; ATT_FUZZ_SEED=n replays it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach.h"
#include "gdb/rsp.h"
#include "machine/test_util.h"

#define SESSIONS   3000
#define STREAM_MAX 65536

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

struct stream {
	uint8_t *b;
	size_t len, pos;
};

/* a checker of what strata sends one side */
struct checker {
	int st;
	uint8_t sum, cs;
	size_t len;
	char bad[160];
	unsigned long packets;
	bool up; /* the upstream side: 0x03 allowed between packets */
};

struct fake {
	struct stream in[2]; /* [0] from GDB, [1] from the upstream */
	struct checker out[2];
};

static int hexd(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void flag(struct checker *c, const char *what, uint8_t b)
{
	if (!c->bad[0])
		snprintf(c->bad, sizeof(c->bad), "%s: %s (byte %#x)", c->up ? "upstream" : "gdb",
			 what, b);
}

static void check_byte(struct checker *c, uint8_t b)
{
	switch (c->st) {
	case 0:
		if (b == '$') {
			c->st = 1;
			c->sum = 0;
			c->len = 0;
		} else if (b != '+' && b != '-' && !(c->up && b == 3)) {
			flag(c, "stray byte between packets", b);
		}
		return;
	case 1:
	case 2:
		if (c->st == 1 && b == '#') {
			c->st = 3;
			return;
		}
		if (c->st == 1 && (b == '$' || b == '*'))
			flag(c, "unescaped $ or *", b);
		c->sum += b;
		if (++c->len > 2 * RSP_MAX_PACKET + 8)
			flag(c, "packet too long", b);
		c->st = c->st == 1 && b == '}' ? 2 : 1;
		return;
	default:
		if (hexd(b) < 0) {
			flag(c, "checksum digit", b);
			c->st = 0;
			return;
		}
		if (c->st == 3) {
			c->cs = (uint8_t)(hexd(b) << 4);
			c->st = 4;
			return;
		}
		if ((uint8_t)(c->cs | hexd(b)) != c->sum)
			flag(c, "wrong checksum", b);
		c->packets++;
		c->st = 0;
	}
}

static int f_wait(void *ctx, int mask, int timeout_ms)
{
	struct fake *f = ctx;

	if ((mask & ATT_UP) && f->in[1].pos < f->in[1].len)
		return ATT_UP;
	if ((mask & ATT_GDB) && f->in[0].pos < f->in[0].len)
		return ATT_GDB;
	return mask & ATT_UP ? ATT_UP : ATT_GDB; /* both ends close when their script ends */
}

static long f_read(void *ctx, enum att_side side, void *buf, size_t len)
{
	struct stream *s = &((struct fake *)ctx)->in[side == ATT_GDB ? 0 : 1];
	size_t n = 1 + below(96);

	if (n > len)
		n = len;
	if (n > s->len - s->pos)
		n = s->len - s->pos;
	memcpy(buf, s->b + s->pos, n);
	s->pos += n;
	return (long)n;
}

static int f_write(void *ctx, enum att_side side, const void *buf, size_t len)
{
	struct fake *f = ctx;
	const uint8_t *b = buf;

	for (size_t i = 0; i < len; i++)
		check_byte(&f->out[side == ATT_GDB ? 0 : 1], b[i]);
	return 0;
}

static const struct att_io_ops fake_ops = {.wait = f_wait, .read = f_read, .write = f_write};

static void put(struct stream *s, const void *d, size_t n)
{
	if (s->len + n <= STREAM_MAX) {
		memcpy(s->b + s->len, d, n);
		s->len += n;
	}
}

/* A packet, usually framed right, sometimes mutated. */
static void packet(struct stream *s, const char *data, size_t n)
{
	char *out = malloc(RSP_ENCODED_MAX(n));
	int k = out ? rsp_encode(data, n, out, RSP_ENCODED_MAX(n)) : -1;

	if (k > 0) {
		unsigned m = below(16);

		if (m == 0)
			out[k - 1] ^= 1; /* bad checksum */
		else if (m == 1)
			k = 1 + (int)below((uint32_t)k); /* cut off */
		else if (m == 2)
			out[below((uint32_t)k)] = (char)below(256);
		put(s, out, (size_t)k);
		if (below(4) == 0)
			put(s, "+", 1);
	}
	free(out);
}

static void hexstr(char *out, const char *s)
{
	static const char hx[] = "0123456789abcdef";

	for (; *s; s++) {
		*out++ = hx[(uint8_t)*s >> 4];
		*out++ = hx[*s & 15];
	}
	*out = 0;
}

static void gdb_script(struct stream *s)
{
	static const char *const fixed[] = {
	    "qSupported:multiprocess+;swbreak+;xmlRegisters=riscv",
	    "QStartNoAckMode",
	    "?",
	    "g",
	    "p20",
	    "m10000,40",
	    "M10000,4:00000000",
	    "qXfer:features:read:target.xml:0,ffb",
	    "qXfer:features:read:target.xml:ff0,ffb",
	    "qXfer:features:read:other.xml:0,ffb",
	    "qXfer:libraries:read::0,ffb",
	    "qXfer:libraries:read::10,8",
	    "qXfer:exec-file:read:1:0,ffb",
	    "qXfer:exec-file:read::zz",
	    "Z0,10000,4",
	    "Z1,10000,4",
	    "z0,10000,4",
	    "c",
	    "s",
	    "vCont;c",
	    "vCont;s:1",
	    "vCont?",
	    "bc",
	    "D",
	    "qRcmd,",
	    "qRcmd,zz",
	};
	static const char *const mon[] = {"help",	   "priv",	"libs",
					  "walk 0x10000",  "walk",	"break-on syscall",
					  "break-on priv", "break-on",	"break-on off",
					  "break-on x",	   "reset halt"};
	char buf[512];
	unsigned n = 4 + below(40);

	for (unsigned i = 0; i < n; i++) {
		unsigned k = below(sizeof(fixed) / sizeof(fixed[0]) + 4);

		if (k < sizeof(fixed) / sizeof(fixed[0])) {
			packet(s, fixed[k], strlen(fixed[k]));
		} else if (k == sizeof(fixed) / sizeof(fixed[0])) {
			strcpy(buf, "qRcmd,");
			hexstr(buf + 6, mon[below(sizeof(mon) / sizeof(mon[0]))]);
			packet(s, buf, strlen(buf));
		} else if (k == sizeof(fixed) / sizeof(fixed[0]) + 1) {
			put(s, "\x03", 1);
		} else {
			unsigned len = below(sizeof(buf));

			for (unsigned j = 0; j < len; j++)
				buf[j] = (char)(below(3) ? 32 + below(95) : below(256));
			if (below(2))
				packet(s, buf, len);
			else
				put(s, buf, len);
		}
	}
}

static void up_script(struct stream *s)
{
	static const char *const fixed[] = {
	    "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;vContSupported+",
	    "PacketSize=ffffff;qXfer:libraries:read+",
	    "OK",
	    "",
	    "E01",
	    "E.text",
	    "S05",
	    "T05thread:01;",
	    "T0520:0000010000000000;thread:1;",
	    "W00",
	    "X09",
	    "O68656c6c6f0a",
	    "Ozz",
	    "0300000000000000",
	    "0000010000000000",
	    "0800000000000000",
	    "l<?xml version=\"1.0\"?><target><architecture>riscv:rv64</architecture>"
	    "<xi:include href=\"cpu.xml\"/><reg name=\"priv\" bitsize=\"64\" regnum=\"65\"/>"
	    "<reg name=\"satp\" bitsize=\"64\"/><reg name=\"stvec\" bitsize=\"64\"/></target>",
	    "m<target><architecture>i386:x86-64</architecture><reg name=\"cs\" bitsize=\"32\"/>",
	    "l<feature><reg name=\"pc\" bitsize=\"64\"/><reg name='rip' regnum='99999999999'/>"
	    "<reg name=\"a7\" regnum=\"-5\"/><xi:include href=\"cpu.xml\"/></feature>",
	    "l",
	    "m",
	};
	char buf[1024];
	unsigned n = 4 + below(80);

	for (unsigned i = 0; i < n; i++) {
		unsigned k = below(sizeof(fixed) / sizeof(fixed[0]) + 3);

		if (k < sizeof(fixed) / sizeof(fixed[0])) {
			packet(s, fixed[k], strlen(fixed[k]));
		} else if (k == sizeof(fixed) / sizeof(fixed[0])) { /* memory: 0x40 bytes */
			for (unsigned j = 0; j < 128; j++)
				buf[j] = "0123456789abcdef"[below(16)];
			packet(s, buf, 128);
		} else if (k == sizeof(fixed) / sizeof(fixed[0]) + 1 && below(8) == 0) {
			static char big[RSP_MAX_PACKET + 100];

			memset(big, '0', sizeof(big));
			packet(s, big, sizeof(big)); /* oversized */
		} else {
			unsigned len = below(sizeof(buf));

			for (unsigned j = 0; j < len; j++)
				buf[j] = (char)below(256);
			put(s, buf, len);
		}
	}
}

static int fuzz(uint64_t seed)
{
	struct att_config cfg = {
	    .upstream = "fuzz:1", .listen = "1234", .timeout_ms = 10, .quiet = true};
	struct fake *f = calloc(1, sizeof(*f));

	CHECK(f, "calloc");
	rng = seed;
	/* this test's own ELF, once for S and once for U: overlapping files make strata compare
	 * code bytes through the upstream's memory replies */
	cfg.files[0] = (struct att_file){"/proc/self/exe", 1};
	cfg.files[1] = (struct att_file){"/proc/self/exe", 0};
	f->in[0].b = malloc(STREAM_MAX);
	f->in[1].b = malloc(STREAM_MAX);
	CHECK(f->in[0].b && f->in[1].b, "malloc");
	for (unsigned i = 0; i < SESSIONS; i++) {
		struct att_proxy *p;
		int rc;

		cfg.nfiles = below(3);
		f->in[0].len = f->in[0].pos = f->in[1].len = f->in[1].pos = 0;
		memset(f->out, 0, sizeof(f->out));
		f->out[1].up = true;
		gdb_script(&f->in[0]);
		up_script(&f->in[1]);
		p = att_proxy_new(&cfg, &fake_ops, f);
		CHECK(p, "att_proxy_new");
		rc = att_proxy_run(p);
		att_proxy_free(p);
		CHECK(rc == 0 || rc == -EPIPE, "seed %llu session %u: att_proxy_run %d",
		      (unsigned long long)seed, i, rc);
		CHECK(!f->out[0].bad[0] && !f->out[1].bad[0], "seed %llu session %u: %s",
		      (unsigned long long)seed, i,
		      f->out[0].bad[0] ? f->out[0].bad : f->out[1].bad);
	}
	free(f->in[0].b);
	free(f->in[1].b);
	free(f);
	return 0;
}

static uint64_t random_seed;

static int fixed_seed(void)
{
	return fuzz(0x16a77ac4);
}

static int random_seed_run(void)
{
	return fuzz(random_seed);
}

int main(void)
{
	const char *env = getenv("ATT_FUZZ_SEED");
	int fails = 0;

	random_seed =
	    env ? strtoull(env, NULL, 0) : ((uint64_t)time(NULL) << 20 ^ (uint64_t)getpid());
	if (!random_seed)
		random_seed = 1;
	printf("random seed %llu (ATT_FUZZ_SEED=%llu replays it)\n",
	       (unsigned long long)random_seed, (unsigned long long)random_seed);
	fails += RUN(fixed_seed);
	fails += RUN(random_seed_run);
	return fails != 0;
}
