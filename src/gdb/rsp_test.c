/* rsp_test — framing, escapes, runs, checksums, acks, the interrupt byte, oversized packets. */
#include "gdb/rsp.h"

#include <stdlib.h>
#include <string.h>

#include "machine/test_util.h"

/* What feeding a byte string produced: the last packet, counts of each event, the acks sent. */
struct result {
	int packets, errors, badsums, interrupts, acks, naks;
	char acked[64];
	size_t nacked;
	uint8_t data[RSP_MAX_PACKET + 1];
	size_t len;
};

static struct result res;

static void feed(struct rsp *p, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	struct rsp_event ev;

	memset(&res, 0, sizeof(res));
	for (size_t i = 0; i < len; i++) {
		rsp_feed(p, b[i], &ev);
		if (ev.ack && res.nacked < sizeof(res.acked) - 1)
			res.acked[res.nacked++] = ev.ack;
		switch (ev.kind) {
		case RSP_EV_PACKET:
			res.packets++;
			memcpy(res.data, ev.data, ev.len);
			res.len = ev.len;
			break;
		case RSP_EV_ERROR:
			res.errors++;
			break;
		case RSP_EV_BADSUM:
			res.badsums++;
			break;
		case RSP_EV_INTERRUPT:
			res.interrupts++;
			break;
		case RSP_EV_ACK:
			res.acks++;
			break;
		case RSP_EV_NAK:
			res.naks++;
			break;
		case RSP_EV_NONE:
			break;
		}
	}
}

static void feeds(struct rsp *p, const char *s)
{
	feed(p, s, strlen(s));
}

static int framing(void)
{
	struct rsp *p = rsp_new();

	CHECK(p, "rsp_new");
	feeds(p, "$g#67");
	CHECK(res.packets == 1 && res.len == 1 && res.data[0] == 'g', "one packet 'g'");
	CHECK(!strcmp(res.acked, "+"), "acked with '+', got '%s'", res.acked);
	feeds(p, "$#00");
	CHECK(res.packets == 1 && res.len == 0, "empty packet");
	feeds(p, "$qSupported:multiprocess+#C6");
	CHECK(res.packets == 1 && res.len == 24 &&
		  !memcmp(res.data, "qSupported:multiprocess+", 24),
	      "upper-case checksum digits accepted");
	feeds(p, "$m1000,4#8E$c#63");
	CHECK(res.packets == 2 && res.len == 1 && res.data[0] == 'c', "two packets back to back");
	CHECK(!strcmp(res.acked, "++"), "two acks");
	feeds(p, "noise\r\n$?#3f");
	CHECK(res.packets == 1 && res.data[0] == '?', "noise between packets is ignored");
	rsp_free(p);
	return 0;
}

static int checksums(void)
{
	struct rsp *p = rsp_new();

	feeds(p, "$g#68");
	CHECK(res.packets == 0 && res.badsums == 1 && !strcmp(res.acked, "-"),
	      "bad checksum: dropped and nak'd");
	feeds(p, "$g#6z");
	CHECK(res.packets == 0 && res.badsums == 1 && !strcmp(res.acked, "-"),
	      "non-hex checksum digit");
	feeds(p, "$g#6$g#67");
	CHECK(res.badsums == 1 && res.packets == 1 && !strcmp(res.acked, "-+"),
	      "'$' inside the checksum ends the bad packet and starts the next");
	rsp_free(p);
	return 0;
}

static int escapes(void)
{
	struct rsp *p = rsp_new();
	char buf[64];
	int n;

	/* X packet carrying the four special bytes, escaped: } 0x03 } 0x04 } 0x5d } 0x0a */
	n = rsp_encode("#$}*", 4, buf, sizeof(buf));
	CHECK(n == 12 && !memcmp(buf, "$}\x03}\x04}]}\x0a#", 10), "encode escapes: %.*s", n, buf);
	feed(p, buf, (size_t)n);
	CHECK(res.packets == 1 && res.len == 4 && !memcmp(res.data, "#$}*", 4),
	      "escaped bytes decode");
	/* Binary zero and 0x03 inside a packet are data, not terminators or interrupts. */
	n = rsp_encode("a\0\x03z", 4, buf, sizeof(buf));
	feed(p, buf, (size_t)n);
	CHECK(res.packets == 1 && res.len == 4 && res.interrupts == 0 &&
		  !memcmp(res.data, "a\0\x03z", 4),
	      "NUL and 0x03 inside a packet");
	feeds(p, "$}#7d");
	CHECK(res.errors == 1 && res.packets == 0 && !strcmp(res.acked, "+"),
	      "packet ending in an escape is an error (checksum was fine)");
	rsp_free(p);
	return 0;
}

static int runs(void)
{
	struct rsp *p = rsp_new();
	char buf[32];
	uint8_t sum = 0;
	const char *body = "0* 1*!";

	/* "0* " = 0 + 3 more zeros; "1*!" = 1 + 4 more ones. */
	for (const char *c = body; *c; c++)
		sum += (uint8_t)*c;
	snprintf(buf, sizeof(buf), "$%s#%02x", body, sum);
	feeds(p, buf);
	CHECK(res.packets == 1 && res.len == 9 && !memcmp(res.data, "000011111", 9),
	      "run-length decoded to '%.*s'", (int)res.len, (char *)res.data);
	feeds(p, "$*#2a");
	CHECK(res.errors == 1 && res.packets == 0, "run with nothing to repeat");
	feeds(p, "$0*\x01#5b");
	CHECK(res.errors == 1 && res.packets == 0, "run count out of range");
	rsp_free(p);
	return 0;
}

static int acks_and_interrupt(void)
{
	struct rsp *p = rsp_new();

	feeds(p, "+-+\x03");
	CHECK(res.acks == 2 && res.naks == 1 && res.interrupts == 1 && res.nacked == 0,
	      "acks, nak, interrupt outside packets");
	rsp_set_noack(p, true);
	CHECK(rsp_noack(p), "noack set");
	feeds(p, "$g#67$g#00");
	CHECK(res.packets == 1 && res.badsums == 1 && res.nacked == 0,
	      "no-ack mode: no ack bytes, bad packets still dropped");
	rsp_set_noack(p, false);
	feeds(p, "$g#67");
	CHECK(!strcmp(res.acked, "+"), "ack mode again");
	rsp_free(p);
	return 0;
}

static int oversized(void)
{
	struct rsp *p = rsp_new();
	size_t n = RSP_MAX_PACKET + 100;
	char *big = malloc(n + 8);
	uint8_t sum = 0;

	CHECK(big, "malloc");
	big[0] = '$';
	for (size_t i = 1; i <= n; i++) {
		big[i] = 'a';
		sum += 'a';
	}
	snprintf(big + n + 1, 7, "#%02x", sum);
	feed(p, big, n + 4);
	CHECK(res.errors == 1 && res.packets == 0 && !strcmp(res.acked, "+"),
	      "oversized packet: error, not stored");
	/* Exactly the limit is fine. */
	sum = 0;
	for (size_t i = 1; i <= RSP_MAX_PACKET; i++)
		sum += 'a';
	snprintf(big + RSP_MAX_PACKET + 1, 7, "#%02x", sum);
	feed(p, big, RSP_MAX_PACKET + 4);
	CHECK(res.packets == 1 && res.len == RSP_MAX_PACKET, "a packet of exactly the limit");
	/* A run that expands past the limit. */
	big[1] = 'a';
	sum = 'a';
	size_t k = 2;
	for (int i = 0; i < 200; i++) {
		big[k++] = '*';
		big[k++] = '~';
		sum += '*' + '~';
	}
	snprintf(big + k, 7, "#%02x", sum);
	feed(p, big, k + 3);
	CHECK(res.errors == 1 && res.packets == 0, "run expanding past the limit");
	feeds(p, "$g#67");
	CHECK(res.packets == 1, "the parser recovers");
	free(big);
	rsp_free(p);
	return 0;
}

static int encode(void)
{
	char buf[16];

	CHECK(rsp_encode("OK", 2, buf, sizeof(buf)) == 6 && !memcmp(buf, "$OK#9a", 6), "OK");
	CHECK(rsp_encode("", 0, buf, sizeof(buf)) == 4 && !memcmp(buf, "$#00", 4), "empty");
	CHECK(rsp_encode("OK", 2, buf, 5) < 0, "too small is -ENOSPC");
	CHECK(rsp_encode("}}}}", 4, buf, 11) < 0 && rsp_encode("}}}}", 4, buf, 12) == 12,
	      "escapes count against the size");
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(framing);
	fails += RUN(checksums);
	fails += RUN(escapes);
	fails += RUN(runs);
	fails += RUN(acks_and_interrupt);
	fails += RUN(oversized);
	fails += RUN(encode);
	return fails != 0;
}
