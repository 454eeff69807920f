/* rsp — GDB remote serial protocol framing: a byte-at-a-time receiver (so a non-blocking socket
 * can hand over whatever it read) and the packet encoder. It knows nothing of commands; src/gdb
 * stub.c gives packets their meaning.
 *
 * Received packets are `$data#cs`: the checksum (two hex digits) is the sum of the raw bytes
 * between '$' and '#'; `}` escapes the next byte (xor 0x20) and `*` repeats the previous byte
 * (count char - 29 more times). Outside packets, '+'/'-' are acks/naks of what we sent and 0x03
 * is an interrupt request. Decoded data never exceeds RSP_MAX_PACKET bytes: longer packets are
 * consumed to their end and reported as an error, never stored. */
#ifndef STRATA_GDB_RSP_H
#define STRATA_GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest decoded packet accepted, and advertised to GDB as PacketSize. */
#define RSP_MAX_PACKET 16384
/* Bytes rsp_encode() needs at most for n bytes of data: every byte escaped, '$', '#', 2 digits. */
#define RSP_ENCODED_MAX(n) (2 * (size_t)(n) + 4)

enum rsp_event_kind {
	RSP_EV_NONE,   /* byte consumed, nothing complete yet */
	RSP_EV_PACKET, /* a packet with a good checksum: data/len */
	RSP_EV_ERROR,  /* good checksum but oversized or malformed (bad escape/run): reply error */
	RSP_EV_BADSUM, /* bad checksum: dropped (the ack byte is a nak in ack mode) */
	RSP_EV_INTERRUPT, /* 0x03 outside a packet */
	RSP_EV_ACK,	  /* '+' outside a packet */
	RSP_EV_NAK,	  /* '-' outside a packet: resend the last packet */
};

struct rsp_event {
	enum rsp_event_kind kind;
	/* RSP_EV_PACKET: decoded data, NUL-terminated after len; valid until the next rsp_feed().
	 */
	const uint8_t *data;
	size_t len;
	/* Byte to send back now ('+' or '-'), or 0 (no-ack mode, or nothing to acknowledge). */
	char ack;
};

struct rsp;

/* A receiver in ack mode, waiting for a packet; NULL + errno on failure. */
struct rsp *rsp_new(void);
void rsp_free(struct rsp *p);
/* Switch ack mode off (QStartNoAckMode) or back on. */
void rsp_set_noack(struct rsp *p, bool noack);
/* True when acks are off. */
bool rsp_noack(const struct rsp *p);
/* Consume one received byte; fills *ev (kind RSP_EV_NONE while a packet is incomplete). */
void rsp_feed(struct rsp *p, uint8_t byte, struct rsp_event *ev);
/* Frame len bytes of data as `$...#cs` into out (escaping # $ } *); returns the framed length,
 * or -ENOSPC if out (size bytes) is too small. */
int rsp_encode(const void *data, size_t len, char *out, size_t size);
/* The value of a hex digit (the protocol's checksums, numbers and memory), or -1. */
int rsp_hexval(int c);

#endif
