/* rsp — GDB remote serial protocol framing (see rsp.h). */
#include "gdb/rsp.h"

#include <errno.h>
#include <stdlib.h>

enum rsp_state { ST_IDLE, ST_DATA, ST_ESC, ST_RUN, ST_CS1, ST_CS2 };

struct rsp {
	enum rsp_state st;
	bool noack;
	bool bad;      /* malformed escape or run: report RSP_EV_ERROR at the end */
	bool overflow; /* decoded data passed RSP_MAX_PACKET: report RSP_EV_ERROR at the end */
	bool have_last;
	uint8_t last; /* last decoded byte, what a run repeats */
	uint8_t sum;  /* running checksum of the raw bytes */
	uint8_t cs;   /* received checksum */
	size_t len;
	uint8_t buf[RSP_MAX_PACKET + 1];
};

struct rsp *rsp_new(void)
{
	struct rsp *p = calloc(1, sizeof(*p));

	if (!p)
		errno = ENOMEM;
	return p;
}

void rsp_free(struct rsp *p)
{
	free(p);
}

void rsp_set_noack(struct rsp *p, bool noack)
{
	p->noack = noack;
}

bool rsp_noack(const struct rsp *p)
{
	return p->noack;
}

static void start_packet(struct rsp *p)
{
	p->st = ST_DATA;
	p->bad = p->overflow = p->have_last = false;
	p->sum = 0;
	p->len = 0;
}

static void put(struct rsp *p, uint8_t b)
{
	/* Keep consuming an oversized packet to its end so the stream stays in sync. */
	if (p->len >= RSP_MAX_PACKET)
		p->overflow = true;
	else
		p->buf[p->len++] = b;
	p->last = b;
	p->have_last = true;
}

int rsp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void finish(struct rsp *p, struct rsp_event *ev, bool sum_ok)
{
	p->st = ST_IDLE;
	if (!sum_ok) {
		ev->kind = RSP_EV_BADSUM;
		ev->ack = p->noack ? 0 : '-';
		return;
	}
	ev->ack = p->noack ? 0 : '+';
	if (p->bad || p->overflow) {
		ev->kind = RSP_EV_ERROR;
		return;
	}
	p->buf[p->len] = 0;
	ev->kind = RSP_EV_PACKET;
	ev->data = p->buf;
	ev->len = p->len;
}

void rsp_feed(struct rsp *p, uint8_t b, struct rsp_event *ev)
{
	int v;

	ev->kind = RSP_EV_NONE;
	ev->data = NULL;
	ev->len = 0;
	ev->ack = 0;
	/* An unescaped '$' can only start a packet: resynchronise on it wherever we are. */
	if (b == '$' && p->st != ST_CS1 && p->st != ST_CS2) {
		start_packet(p);
		return;
	}
	switch (p->st) {
	case ST_IDLE:
		if (b == 0x03)
			ev->kind = RSP_EV_INTERRUPT;
		else if (b == '+')
			ev->kind = RSP_EV_ACK;
		else if (b == '-')
			ev->kind = RSP_EV_NAK;
		return; /* anything else between packets is line noise */
	case ST_DATA:
		if (b == '#') {
			p->st = ST_CS1;
			return;
		}
		p->sum += b;
		if (b == '}')
			p->st = ST_ESC;
		else if (b == '*')
			p->st = ST_RUN;
		else
			put(p, b);
		return;
	case ST_ESC:
	case ST_RUN:
		if (b == '#') { /* packet ended inside an escape or run */
			p->bad = true;
			p->st = ST_CS1;
			return;
		}
		p->sum += b;
		if (p->st == ST_ESC) {
			put(p, b ^ 0x20);
		} else if (!p->have_last || b < 32 || b > 126) {
			p->bad = true;
		} else {
			for (int n = b - 29; n > 0 && !p->overflow; n--)
				put(p, p->last);
		}
		p->st = ST_DATA;
		return;
	case ST_CS1:
	case ST_CS2:
		v = rsp_hexval(b);
		if (v < 0) {
			finish(p, ev, false);
			if (b == '$')
				start_packet(p);
			return;
		}
		if (p->st == ST_CS1) {
			p->cs = (uint8_t)(v << 4);
			p->st = ST_CS2;
			return;
		}
		p->cs |= (uint8_t)v;
		finish(p, ev, p->cs == p->sum);
		return;
	}
}

static bool needs_escape(uint8_t c)
{
	return c == '#' || c == '$' || c == '}' || c == '*';
}

int rsp_encode(const void *data, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *d = data;
	uint8_t sum = 0;
	size_t n = 0;

	if (size < 4)
		return -ENOSPC;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = d[i];

		if (n + (needs_escape(c) ? 2 : 1) + 3 > size)
			return -ENOSPC;
		if (needs_escape(c)) {
			out[n++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[n++] = (char)c;
		sum += c;
	}
	out[n++] = '#';
	out[n++] = hex[sum >> 4];
	out[n++] = hex[sum & 15];
	return n > (size_t)INT32_MAX ? -ENOSPC : (int)n;
}
