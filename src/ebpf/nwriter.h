/* nwriter — a native process's probe records written as a strata trace (docs/TRACE-FORMAT.md,
 * docs/EBPF.md): each thread becomes a "hart" of the trace (numbered in order of appearance),
 * entries become TEV_CALL and returns TEV_RET in U mode with byte-granular code addresses,
 * timestamps are nanoseconds since the recording started (nw_start). The first event of a thread is a
 * MARK "thread TID pid PID"; a MARK "cpu N" precedes the first event a thread records on
 * another CPU. Events are buffered per thread and written as EVENTS chunks (64 KiB), so
 * memory stays bounded and everything up to the last chunk survives a crash (of the traced
 * program, or of strata: util/crash.h). */
#ifndef STRATA_EBPF_NWRITER_H
#define STRATA_EBPF_NWRITER_H

#include <stdint.h>

struct nwriter;
struct symtab;
struct tev;

/* Create path, write the header and the META text (key=value lines). NULL with err_set(). */
struct nwriter *nw_open(const char *path, const char *meta);
/* Times in the trace count from ts_ns (CLOCK_MONOTONIC) rather than from the first event
 * written: threads' records do not arrive in time order (record.bpf.c batches them). */
void nw_start(struct nwriter *w, uint64_t ts_ns);
/* Write t as a SYMS chunk (t stays the caller's). 0 or -errno. */
int nw_symtab(struct nwriter *w, const struct symtab *t);
/* Record a function entry (CALL from ret_addr to func at sp) or return (RET from func to
 * ret_addr, sp after the return) of thread tid at ts_ns (CLOCK_MONOTONIC). */
void nw_call(struct nwriter *w, uint32_t pid, uint32_t tid, unsigned cpu, uint64_t ts_ns,
	     uint64_t func, uint64_t ret_addr, uint64_t sp);
void nw_ret(struct nwriter *w, uint32_t pid, uint32_t tid, unsigned cpu, uint64_t ts_ns,
	    uint64_t func, uint64_t ret_addr, uint64_t sp);
/* Any other event (POLL, POLL_END, WAKE, TASK, FUTURE) of thread tid at ts_ns: hart, instret
 * and time are filled in here. */
void nw_event(struct nwriter *w, uint32_t pid, uint32_t tid, unsigned cpu, uint64_t ts_ns,
	      struct tev *ev);
/* A MARK with free text on thread tid (or on the first thread if tid is 0). */
void nw_mark(struct nwriter *w, uint32_t tid, uint64_t ts_ns, const char *text);
uint64_t nw_events(const struct nwriter *w);
/* Write every thread's buffered events as chunks now, so that a reader of the growing file (the
 * live console, docs/UI.md) sees them. 0 or the first -errno. */
int nw_flush(struct nwriter *w);
/* Flush, write the END chunk (events, dropped = ring-buffer drops + events of threads beyond
 * the 256 the format numbers + events too large for a chunk, threads) and close. 0 or -errno
 * with err_set(). */
int nw_close(struct nwriter *w, uint64_t ring_drops);

#endif
