/* nwriter — see nwriter.h. */
#include "ebpf/nwriter.h"
#include "symbols/symbols.h"
#include "trace/evbuf.h"
#include "trace/event.h"
#include "trace/tfile.h"
#include "util/crash.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NW_THREADS TEV_MAX_HARTS

struct thread {
	uint32_t tid;
	unsigned cpu;
	struct evbuf *buf; /* hart id | TF_EVENTS_BYTE_PC */
};

struct nwriter {
	char *path;
	struct tf_writer *w;
	struct thread th[NW_THREADS];
	unsigned nth;
	uint64_t t0; /* nw_start's time, or the ts of the first event */
	bool have_t0;
	uint64_t events, over; /* over: events of threads beyond NW_THREADS */
	uint64_t too_big;      /* events with a payload larger than a chunk */
	int error;
};

/* The crash path (util/crash.h): hand the kernel every event buffered so far. */
static void flush_on_crash(void *ctx)
{
	struct nwriter *w = ctx;

	for (unsigned i = 0; i < w->nth; i++)
		evbuf_flush(w->th[i].buf, w->w);
}

struct nwriter *nw_open(const char *path, const char *meta)
{
	struct nwriter *w = calloc(1, sizeof(*w));

	if (!w || !(w->path = strdup(path))) {
		free(w);
		err_set(ENOMEM, "-o %s: out of memory", path);
		return NULL;
	}
	w->w = tf_writer_open(path);
	if (!w->w) {
		free(w->path);
		free(w);
		return NULL;
	}
	if (tf_write_chunk(w->w, TF_META, meta, strlen(meta)) < 0) {
		err_set(errno, "-o %s: %s", path, strerror(errno));
		tf_writer_close(w->w);
		free(w->path);
		free(w);
		return NULL;
	}
	crash_on(flush_on_crash, w); /* -ENOSPC: the trace then ends at its last full chunk */
	return w;
}

int nw_symtab(struct nwriter *w, const struct symtab *t)
{
	uint8_t *buf;
	size_t len;
	int ret = symtab_serialize(t, &buf, &len);

	if (ret < 0)
		return ret;
	ret = tf_write_chunk(w->w, TF_SYMS, buf, len);
	free(buf);
	return ret;
}

static void put(struct nwriter *w, struct thread *t, const struct tev *ev)
{
	int ret = evbuf_put(t->buf, w->w, ev);

	if (ret == -EMSGSIZE) {
		w->too_big++;
		return;
	}
	if (ret < 0 && !w->error)
		w->error = ret;
	w->events++;
}

static void mark(struct nwriter *w, struct thread *t, uint64_t time, const char *text)
{
	struct tev ev = {.type = TEV_MARK, .hart = (uint8_t)(t - w->th), .instret = time,
			 .time = time, .data = (const uint8_t *)text, .len = (uint32_t)strlen(text)};

	put(w, t, &ev);
}

static uint64_t rel(struct nwriter *w, uint64_t ts)
{
	if (!w->have_t0) {
		w->t0 = ts;
		w->have_t0 = true;
	}
	return ts >= w->t0 ? ts - w->t0 : 0;
}

/* The thread's slot, created (with its MARK) on first use; NULL beyond NW_THREADS. */
static struct thread *thread(struct nwriter *w, uint32_t pid, uint32_t tid, unsigned cpu,
			     uint64_t time)
{
	char text[64];
	struct thread *t;

	for (unsigned i = 0; i < w->nth; i++)
		if (w->th[i].tid == tid) {
			t = &w->th[i];
			goto found;
		}
	if (w->nth == NW_THREADS)
		return NULL;
	t = &w->th[w->nth];
	t->buf = evbuf_new(w->nth | TF_EVENTS_BYTE_PC);
	if (!t->buf) {
		if (!w->error)
			w->error = -ENOMEM;
		return NULL;
	}
	t->tid = tid;
	t->cpu = cpu;
	w->nth++;
	snprintf(text, sizeof(text), "thread %u pid %u", tid, pid);
	mark(w, t, time, text);
	snprintf(text, sizeof(text), "cpu %u", cpu);
	mark(w, t, time, text);
	return t;
found:
	if (t->cpu != cpu) {
		t->cpu = cpu;
		snprintf(text, sizeof(text), "cpu %u", cpu);
		mark(w, t, time, text);
	}
	return t;
}

static void fn_event(struct nwriter *w, unsigned type, uint32_t pid, uint32_t tid, unsigned cpu,
		     uint64_t ts_ns, uint64_t pc, uint64_t addr, uint64_t sp)
{
	uint64_t time = rel(w, ts_ns);
	struct thread *t = thread(w, pid, tid, cpu, time);

	if (!t) {
		w->over++;
		return;
	}
	struct tev ev = {.type = (uint8_t)type, .hart = (uint8_t)(t - w->th), .priv = 0,
			 .instret = time, .time = time, .pc = pc, .addr = addr, .sp = sp};
	put(w, t, &ev);
}

void nw_call(struct nwriter *w, uint32_t pid, uint32_t tid, unsigned cpu, uint64_t ts_ns,
	     uint64_t func, uint64_t ret_addr, uint64_t sp)
{
	/* pc = where the call returns to: x86 call instructions vary in length, so the call
	 * site itself is not known without decoding; the analysis pairs returns by it */
	fn_event(w, TEV_CALL, pid, tid, cpu, ts_ns, ret_addr, func, sp);
}

void nw_ret(struct nwriter *w, uint32_t pid, uint32_t tid, unsigned cpu, uint64_t ts_ns,
	    uint64_t func, uint64_t ret_addr, uint64_t sp)
{
	fn_event(w, TEV_RET, pid, tid, cpu, ts_ns, func, ret_addr, sp);
}

void nw_event(struct nwriter *w, uint32_t pid, uint32_t tid, unsigned cpu, uint64_t ts_ns,
	      struct tev *ev)
{
	uint64_t time = rel(w, ts_ns);
	struct thread *t = thread(w, pid, tid, cpu, time);

	if (!t) {
		w->over++;
		return;
	}
	ev->hart = (uint8_t)(t - w->th);
	ev->instret = ev->time = time;
	put(w, t, ev);
}

void nw_mark(struct nwriter *w, uint32_t tid, uint64_t ts_ns, const char *text)
{
	uint64_t time = rel(w, ts_ns);
	struct thread *t = NULL;

	for (unsigned i = 0; i < w->nth && !t; i++)
		if (!tid || w->th[i].tid == tid)
			t = &w->th[i];
	if (!t)
		t = thread(w, tid, tid, 0, time);
	if (t)
		mark(w, t, time, text);
}

void nw_start(struct nwriter *w, uint64_t ts_ns)
{
	w->t0 = ts_ns;
	w->have_t0 = true;
}

uint64_t nw_events(const struct nwriter *w)
{
	return w->events;
}

int nw_flush(struct nwriter *w)
{
	int ret, first = 0;

	for (unsigned i = 0; i < w->nth; i++) {
		ret = evbuf_flush(w->th[i].buf, w->w);
		if (ret < 0 && !first)
			first = ret;
	}
	if (first && !w->error)
		w->error = first;
	return first;
}

int nw_close(struct nwriter *w, uint64_t ring_drops)
{
	char end[256];
	int ret;

	if (!w)
		return 0;
	for (unsigned i = 0; i < w->nth; i++) {
		ret = evbuf_flush(w->th[i].buf, w->w);
		if (ret < 0 && !w->error)
			w->error = ret;
	}
	snprintf(end, sizeof(end),
		 "events=%llu\ndropped=%llu\nring_dropped=%llu\nthread_dropped=%llu\n"
		 "threads=%u\ninsns=0\n",
		 (unsigned long long)w->events, (unsigned long long)(ring_drops + w->over + w->too_big),
		 (unsigned long long)ring_drops, (unsigned long long)w->over, w->nth);
	ret = tf_write_chunk(w->w, TF_END, end, strlen(end));
	if (!w->error && ret < 0)
		w->error = ret;
	crash_off(flush_on_crash, w);
	ret = tf_writer_close(w->w);
	if (!w->error && ret < 0)
		w->error = ret;
	ret = w->error;
	if (ret < 0)
		err_set(-ret, "-o %s: %s", w->path, strerror(-ret));
	for (unsigned i = 0; i < w->nth; i++)
		evbuf_free(w->th[i].buf);
	free(w->path);
	free(w);
	return ret;
}
