/* evbuf — one hart's events on their way into a trace file: encoded (event.h) into a bounded
 * buffer that is written as one EVENTS chunk (tfile.h) when it passes EVBUF_CHUNK bytes. Each
 * chunk decodes on its own (the encoder's deltas restart after every flush), so everything up
 * to the last chunk survives a crash. The one chunk writer of both back-ends: the emulator's
 * recorder (record.c) and the eBPF writer (ebpf/nwriter.c). evbuf_put is on the tracers' hot
 * path (one call per event), so it and the struct are here to be inlined; evbuf.c has the
 * rest. */
#ifndef STRATA_TRACE_EVBUF_H
#define STRATA_TRACE_EVBUF_H

#include "trace/event.h"

#include <errno.h>
#include <stdint.h>

struct tf_writer;

#define EVBUF_CHUNK (64u * 1024) /* flush when the buffer holds this much */
/* room for a full chunk plus the largest event that may start just below EVBUF_CHUNK: a code
 * page (CODE carries up to 4 KiB) or a MARK/FUTURE payload */
#define EVBUF_BYTES (EVBUF_CHUNK + 4096 + TEV_MAX_ENCODED + 64)
#define EVBUF_ID    4 /* the chunk starts with the u32 hart id */

struct evbuf {
	uint32_t id;
	size_t len;
	struct tev_enc enc;
	uint8_t data[EVBUF_BYTES];
};

/* A buffer for the EVENTS chunks of hart id (its TF_EVENTS_BYTE_PC flag also selects
 * byte-granular pc deltas). NULL when out of memory. */
struct evbuf *evbuf_new(uint32_t id);
void evbuf_free(struct evbuf *b);
/* Write what b holds as one EVENTS chunk (nothing if it is empty). 0 or -errno. Only write(2)
 * and memory b owns: safe in the crash path (util/crash.h). */
int evbuf_flush(struct evbuf *b, struct tf_writer *w);

/* Encode ev into b, writing b to w first if ev does not fit and afterwards if the chunk is full.
 * 0; -EMSGSIZE if ev's payload is larger than a chunk (not recorded); or the -errno of a failed
 * write (ev is recorded, the chunk that failed is lost). */
static inline int evbuf_put(struct evbuf *b, struct tf_writer *w, const struct tev *ev)
{
	int ret = 0, r;

	if (ev->len > EVBUF_BYTES - EVBUF_ID - TEV_MAX_ENCODED)
		return -EMSGSIZE;
	if (b->len + TEV_MAX_ENCODED + ev->len > EVBUF_BYTES)
		ret = evbuf_flush(b, w);
	b->len += tev_encode(&b->enc, ev, b->data + b->len);
	if (b->len >= EVBUF_CHUNK && (r = evbuf_flush(b, w)) < 0 && !ret)
		ret = r;
	return ret;
}

#endif
