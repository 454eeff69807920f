/* tfile — the strata trace file: a versioned header followed by self-describing chunks.
 * See docs/TRACE-FORMAT.md. Written streaming with bounded memory (each chunk is written as soon
 * as it is complete); a file cut short reads up to its last complete chunk; corruption is
 * reported with its byte offset. */
#ifndef STRATA_TRACE_TFILE_H
#define STRATA_TRACE_TFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_MAGIC   "STRATATR"
#define TF_VERSION 2 /* 2: guest levels VS/VU, hgatp and tval2 in events (event.h) */

enum tf_chunk_type {
	TF_META = 1,   /* machine description: key=value text lines (harts, ram, isa, command) */
	TF_SYMS = 2,   /* one ELF's symbols: see symbols.h symtab_serialize() */
	TF_DEVS = 3,   /* MMIO devices: "base size name reg_off:reg_name,..." text lines */
	TF_EVENTS = 4, /* u32 hart id (| TF_EVENTS_BYTE_PC), then encoded events of that hart */
	TF_END = 5,    /* totals: "key=value" text lines (events, dropped, instructions) */
};

/* EVENTS chunk flag next to the hart id: code addresses are byte-granular (x86-64 traces of
 * the eBPF back-end), so pc deltas are stored whole (event.h tev_enc.byte_pc). */
#define TF_EVENTS_BYTE_PC 0x80000000u

struct tf_writer;
struct tf_reader;

/* Create path and write the header. NULL with err_set() on failure. */
struct tf_writer *tf_writer_open(const char *path);
/* Append one chunk and hand it to the kernel (survives a crash of strata after this returns).
 * Returns 0 or -errno. Async-signal-safe given a valid writer (write(2) only). */
int tf_write_chunk(struct tf_writer *w, uint32_t type, const void *data, size_t len);
/* Flush and close; NULL is ignored. Returns 0 or -errno. */
int tf_writer_close(struct tf_writer *w);

/* Open and check the header. NULL with err_set() ("FILE: not a strata trace", "FILE: version
 * N is newer than this strata understands", ...). */
struct tf_reader *tf_reader_open(const char *path);
/* Next chunk: 1 with *type, *data, *len (valid until the next call), 0 at the end of the file,
 * -EINVAL with err_set("FILE: offset N: ...") for corruption. A chunk cut off by the end of the
 * file ends the iteration with 0 and makes tf_reader_truncated() true. */
int tf_reader_next(struct tf_reader *r, uint32_t *type, const uint8_t **data, size_t *len);
bool tf_reader_truncated(const struct tf_reader *r);
/* Byte offset of the chunk last returned (for messages). */
uint64_t tf_reader_offset(const struct tf_reader *r);
void tf_reader_close(struct tf_reader *r);
/* The file's format version (1 .. TF_VERSION): event.h's tev_dec.version. */
unsigned tf_reader_version(const struct tf_reader *r);

#endif
