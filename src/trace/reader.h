/* reader — a trace file opened for the views: metadata, symbols, device names, and the events
 * of every hart in file order (each hart's events are in order; use tev.time to interleave). */
#ifndef STRATA_TRACE_READER_H
#define STRATA_TRACE_READER_H

#include "trace/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trace_reader;
struct symset;

/* Open a trace; reads the header and the leading META/SYMS/DEVS chunks. NULL with err_set(). */
struct trace_reader *trace_open(const char *path);
void trace_close(struct trace_reader *r);
/* A META value ("harts", "ram", "command", "strata", ...) or NULL. */
const char *trace_meta(const struct trace_reader *r, const char *key);
unsigned trace_nharts(const struct trace_reader *r);
/* Every symbol table the trace carries (the views look names up by privilege and address). */
struct symset *trace_symbols(struct trace_reader *r);
/* "uart0.THR" for an MMIO physical address, or NULL if no device covers it. */
const char *trace_mmio_name(const struct trace_reader *r, uint64_t paddr, char *buf, size_t n);
/* Next event: 1 with *ev filled, 0 at the end (or at a truncation: trace_truncated() then
 * says so), -EINVAL with err_set() naming the file and offset of the corruption. */
int trace_next(struct trace_reader *r, struct tev *ev);
bool trace_truncated(const struct trace_reader *r);
/* Rebuild code: the instruction at vaddr as hart `hart` saw it (from TEV_CODE events read so
 * far). 0 with *raw (16 or 32 bits), or -ENOENT. */
int trace_code_fetch(const struct trace_reader *r, unsigned hart, uint64_t vaddr, uint32_t *raw);
/* Totals from the END chunk ("events", "dropped", "insns"), or 0 if absent (truncated). */
uint64_t trace_total(const struct trace_reader *r, const char *key);

#endif
