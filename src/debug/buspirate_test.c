/* The Bus Pirate OpenOCD-mode server: mode entry and the commands OpenOCD 0.12 sends, IDCODE
 * read through CMD_TAP_SHIFT (whole and byte by byte), bytes it does not know, and the real
 * pseudo-terminal: a client that opens it, talks, and goes away in the middle of a command; random
 * byte streams (fuzz). */
#include "debug/buspirate.h"
#include "debug/dm.h"
#include "debug/dtm.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

static const uint32_t prog[] = {0x0000006f}; /* j . */
static char path[] = "/tmp/strata_bp_testXXXXXX";
static struct machine *m;
static struct dm *d;
static struct dtm *t;
static struct bp *b;
static uint8_t out[BP_MAX_REPLY * 2];

static size_t feed(const void *buf, size_t len)
{
	return bp_feed(b, buf, len, out, sizeof(out));
}

static int enter(void)
{
	uint8_t zeros[20] = {0};
	size_t n;

	bp_restart(b);
	n = feed(zeros, sizeof(zeros));
	CHECK(n == 100 && !memcmp(out, "BBIO1", 5) && !memcmp(out + 95, "BBIO1", 5), "bbio %zu", n);
	CHECK(feed("\x06", 1) == 4 && !memcmp(out, "OCD1", 4), "ocd1");
	return 0;
}

static int commands(void)
{
	if (enter())
		return 1;
	/* port mode, features (vreg off, pullup off, TRST/SRST released), JTAG speed: no answer */
	CHECK(feed("\x01\x01"
		   "\x02\x02\x00"
		   "\x02\x10\x00"
		   "\x02\x04\x01"
		   "\x02\x08\x01"
		   "\x08\x00\x10",
		   14) == 0,
	      "silent commands");
	CHECK(feed("\x03", 1) == 10 && out[0] == 3 && out[1] == 8, "adcs");
	CHECK(feed("\x07\x01\xaa\x55", 4) == 2 && out[0] == 7 && out[1] == 1, "uart speed");
	CHECK(feed("\x07\x01\x00\x00", 4) == 2 && out[1] == 0, "uart speed without 0xaa 0x55");
	CHECK(feed("\x05\x00\x00", 3) == 3 && !memcmp(out, "\x05\x00\x00", 3), "empty shift");
	CHECK(feed("\x00", 1) == 5 && !memcmp(out, "BBIO1", 5), "back to binary mode");
	CHECK(feed("\x0f", 1) == 1 && out[0] == 1, "reset");
	return 0;
}

/* Reset, Run-Test/Idle, Shift-DR, 32 bits of IDCODE, Update-DR, Idle: 46 bits. */
static size_t idcode_shift(uint8_t *cmd)
{
	static const char tms[] = "11111"
				  "0"
				  "100"
				  "0000000000000000000000000000000"
				  "1"
				  "10";
	unsigned bits = (unsigned)strlen(tms);

	memset(cmd, 0, 3 + 2 * ((bits + 7) / 8));
	cmd[0] = 5;
	cmd[1] = (uint8_t)(bits >> 8);
	cmd[2] = (uint8_t)bits;
	for (unsigned i = 0; i < bits; i++)
		cmd[3 + 2 * (i / 8) + 1] |= (uint8_t)((tms[i] == '1') << (i % 8));
	return 3 + 2 * ((bits + 7) / 8);
}

static uint32_t idcode_of(const uint8_t *tdo)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 32; i++)
		v |= (uint32_t)((tdo[(9 + i) / 8] >> ((9 + i) % 8)) & 1) << i;
	return v;
}

static int idcode(void)
{
	uint8_t cmd[64], whole[16];
	size_t len, n = 0;

	if (enter())
		return 1;
	len = idcode_shift(cmd);
	CHECK(feed(cmd, len) == 3 + 6 && !memcmp(out, cmd, 3), "answer size");
	CHECK(idcode_of(out + 3) == DTM_IDCODE, "idcode %08x", idcode_of(out + 3));
	memcpy(whole, out, 9);
	/* the same bytes one at a time: the same answer */
	for (size_t i = 0; i < len; i++) {
		uint8_t o[8];
		size_t k = bp_feed(b, cmd + i, 1, o, sizeof(o));

		CHECK(n + k <= sizeof(out), "size");
		memcpy(out + n, o, k);
		n += k;
	}
	CHECK(n == 9 && !memcmp(out, whole, 3) && idcode_of(out + 3) == DTM_IDCODE,
	      "byte by byte: %zu bytes, idcode %08x", n, idcode_of(out + 3));
	return 0;
}

static int unknown(void)
{
	if (enter())
		return 1;
	/* 0x7f is no command: ignored (one warning), the next command still works */
	CHECK(feed("\x7f\x7f\x03", 3) == 10 && out[0] == 3, "after an unknown byte");
	bp_restart(b);
	CHECK(feed("\x55", 1) == 0, "unknown in binary mode");
	/* a shift cut short keeps waiting for its bytes; a restart forgets it */
	CHECK(feed("\x06\x05\x00\x10\x00", 5) == 7, "ocd1 and the header");
	bp_restart(b);
	CHECK(feed("\x00", 1) == 5 && !memcmp(out, "BBIO1", 5), "restarted");
	return 0;
}

/* Random byte streams, half of them shaped like commands (a command byte, then random
 * arguments and shift lengths): the answers stay within 10 bytes per byte fed and within out,
 * and a TAP_SHIFT's answer is its header and ceil(bits/8) bytes (run under ASan/UBSan). */
static int fuzz(void)
{
	static const uint8_t cmds[] = {0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x0f};
	uint8_t buf[512];
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof(buf)), n;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(rand_r(&seed) % 2 ? cmds[rand_r(&seed) % sizeof(cmds)]
							     : rand_r(&seed));
		n = bp_feed(b, buf, len, out, sizeof(out));
		CHECK(n <= 10 * len && n <= sizeof(out), "round %d: %zu bytes for %zu", round, n,
		      len);
		/* a small buffer: cut, never overrun */
		CHECK(bp_feed(b, buf, len, out, 7) <= 7, "round %d: small buffer", round);
		if (round % 2000 == 0) /* a new client: one warning each */
			bp_restart(b);
	}
	/* a whole CMD_TAP_SHIFT of random bits answers header + ceil(bits/8) */
	for (int round = 0; round < 200; round++) {
		unsigned bits = (unsigned)rand_r(&seed) % 2000;
		size_t len = 3 + 2 * ((bits + 7) / 8);
		static uint8_t cmd[3 + 2 * 256];

		if (enter())
			return 1;
		cmd[0] = 5;
		cmd[1] = (uint8_t)(bits >> 8);
		cmd[2] = (uint8_t)bits;
		for (size_t i = 3; i < len; i++)
			cmd[i] = (uint8_t)rand_r(&seed);
		CHECK(feed(cmd, len) == 3 + (bits + 7) / 8 && !memcmp(out, cmd, 3), "%u bits",
		      bits);
	}
	bp_restart(b);
	return 0;
}

static int pty(void)
{
	struct pollfd pf[WIRE_MAX_FDS];
	char ans[32];
	int fd, nf;

	bp_restart(b);
	fd = open(bp_path(b), O_RDWR | O_NOCTTY);
	CHECK(fd >= 0, "open %s", bp_path(b));
	nf = bp_wire_ops.fds(b, pf);
	CHECK(nf == 1, "a client: one fd");
	CHECK(write(fd, "\x00\x06\x03", 3) == 3, "write");
	CHECK(poll(pf, 1, 2000) == 1 && bp_wire_ops.serve(b, pf, 1), "served");
	size_t got = 0;

	while (got < 19) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		CHECK(poll(&p, 1, 2000) == 1, "answer after %zu", got);
		r = read(fd, ans + got, sizeof(ans) - got);
		CHECK(r > 0, "read");
		got += (size_t)r;
	}
	CHECK(got == 19 && !memcmp(ans, "BBIO1OCD1\x03\x08", 11), "answers");
	/* the client leaves in the middle of a shift: strata sees the hang-up, and the next client
	 * starts in binary mode */
	CHECK(write(fd, "\x05\x00\x40\x00", 4) == 4, "write");
	CHECK(poll(pf, 1, 2000) == 1 && bp_wire_ops.serve(b, pf, 1), "served");
	close(fd);
	CHECK(poll(pf, 1, 2000) == 1 && (pf[0].revents & POLLHUP), "hang-up");
	bp_wire_ops.serve(b, pf, 1);
	CHECK(bp_wire_ops.fds(b, pf) == 0, "no client: no fd");
	fd = open(bp_path(b), O_RDWR | O_NOCTTY | O_NONBLOCK);
	CHECK(fd >= 0 && bp_wire_ops.fds(b, pf) == 1, "a new client");
	/* what the last client left unread is still in the slave's queue, as on a serial line:
	 * OpenOCD reads and drops it after opening the port, so does this client */
	while (read(fd, ans, sizeof(ans)) > 0)
		;
	CHECK(write(fd, "\x00", 1) == 1 && poll(pf, 1, 2000) == 1 && bp_wire_ops.serve(b, pf, 1),
	      "served");
	{
		struct pollfd p = {.fd = fd, .events = POLLIN};

		ssize_t r = poll(&p, 1, 2000) == 1 ? read(fd, ans, sizeof(ans)) : -1;

		CHECK(r == 5 && !memcmp(ans, "BBIO1", 5), "binary mode again: %zd bytes %02x", r,
		      r > 0 ? (unsigned char)ans[0] : 0);
	}
	close(fd);
	return 0;
}

int main(void)
{
	int fails = 0;

	TEST_BOOT(m, path, prog, sizeof(prog), 1);
	d = dm_new(m, 0x1000);
	t = d ? dtm_new(d) : NULL;
	b = t ? bp_new(t) : NULL;
	CHECK(b, "bp_new: %s", err_msg());
	fails += RUN(commands);
	fails += RUN(idcode);
	fails += RUN(unknown);
	fails += RUN(fuzz);
	fails += RUN(pty);
	bp_wire_ops.free(b);
	dtm_free(t);
	dm_free(d);
	machine_free(m);
	unlink(path);
	return fails != 0;
}
