/* evbuf — one hart's events on their way into a trace file: encoded (event.h) into a bounded
 * buffer that is written as one EVENTS chunk (tfile.h) when it passes EVBUF_CHUNK bytes. Each
 * chunk decodes on its own (the encoder's deltas restart after every flush), so everything up
 * to the last chunk survives a crash. The one chunk writer of both back-ends: the emulator's
 * recorder (record.c) and the eBPF writer (ebpf/nwriter.c). */
#ifndef STRATA_TRACE_EVBUF_H
#define STRATA_TRACE_EVBUF_H

#include <stdint.h>

struct evbuf;
struct tev;
struct tf_writer;

#define EVBUF_CHUNK (64u * 1024) /* flush when the buffer holds this much */

/* A buffer for the EVENTS chunks of hart id (its TF_EVENTS_BYTE_PC flag also selects
 * byte-granular pc deltas). NULL when out of memory. */
struct evbuf *evbuf_new(uint32_t id);
void evbuf_free(struct evbuf *b);
/* Encode ev into b, writing b to w first if ev does not fit and afterwards if the chunk is full.
 * 0; -EMSGSIZE if ev's payload is larger than a chunk (not recorded); or the -errno of a failed
 * write (ev is recorded, the chunk that failed is lost). */
int evbuf_put(struct evbuf *b, struct tf_writer *w, const struct tev *ev);
/* Write what b holds as one EVENTS chunk (nothing if it is empty). 0 or -errno. Only write(2)
 * and memory b owns: safe in the crash path (util/crash.h). */
int evbuf_flush(struct evbuf *b, struct tf_writer *w);

#endif
