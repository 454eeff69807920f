/* record — see record.h. */
#include "trace/record.h"
#include "symbols/symbols.h"
#include "trace/evbuf.h"
#include "trace/tfile.h"
#include "util/crash.h"
#include "util/err.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct recorder {
	struct rec_config cfg;
	struct tf_writer *w;
	struct symset *syms;
	struct evbuf **hart; /* cfg.nharts of them */
	unsigned what;	     /* cfg.what while recording is on, else 0 */
	bool started, stopped;
	bool muted; /* a stretch traced already runs again (reverse execution) */
	int error;		 /* first write error (-errno) */
	uint64_t mmio_seen[256]; /* registers already named in a DEVS chunk (open addressing) */
	unsigned nmmio;
	uint64_t events, dropped;
	void (*observe)(void *ctx, const struct tev *ev);
	void (*fini)(void *ctx);
	void *obs_ctx;
};

static void free_harts(struct recorder *r)
{
	for (unsigned i = 0; r->hart && i < r->cfg.nharts; i++)
		evbuf_free(r->hart[i]);
	free(r->hart);
}

/* The crash path (util/crash.h): hand the kernel every event buffered so far (rec_flush does
 * only write(2) and stores). */
static void flush_on_crash(void *ctx)
{
	rec_flush(ctx);
}

struct recorder *rec_open(const struct rec_config *cfg)
{
	struct recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cfg = *cfg;
	if (!r->cfg.priv_mask)
		r->cfg.priv_mask = 1u << TEV_U | 1u << TEV_S | 1u << TEV_M | 1u << TEV_VU | 1u << TEV_VS;
	if (!r->cfg.nharts || r->cfg.nharts > TEV_MAX_HARTS) {
		err_set(EINVAL, "--trace-out %s: %u harts (a trace holds 1 to %u)", cfg->path,
			r->cfg.nharts, TEV_MAX_HARTS);
		goto fail_quiet;
	}
	r->syms = symset_new();
	r->hart = calloc(r->cfg.nharts, sizeof(*r->hart));
	if (!r->syms || !r->hart)
		goto fail;
	for (unsigned i = 0; i < r->cfg.nharts; i++)
		if (!(r->hart[i] = evbuf_new(i)))
			goto fail;
	r->w = tf_writer_open(cfg->path);
	if (!r->w)
		goto fail_quiet;
	crash_on(flush_on_crash, r); /* -ENOSPC: the trace then ends at its last full chunk */
	r->started = !cfg->start_insn && !cfg->start_pc;
	r->what = r->started ? cfg->what : 0;
	return r;
fail:
	err_set(ENOMEM, "--trace-out %s: out of memory", cfg->path);
fail_quiet:
	free_harts(r);
	symset_free(r->syms);
	free(r);
	return NULL;
}

int rec_meta(struct recorder *r, const char *text)
{
	return tf_write_chunk(r->w, TF_META, text, strlen(text));
}

int rec_add_symtab(struct recorder *r, struct symtab *t)
{
	uint8_t *buf;
	size_t len;
	int ret = symtab_serialize(t, &buf, &len);

	if (ret < 0) {
		symtab_free(t);
		return ret;
	}
	ret = tf_write_chunk(r->w, TF_SYMS, buf, len);
	free(buf);
	if (symset_add(r->syms, t) < 0) {
		symtab_free(t);
		return -ENOMEM;
	}
	return ret;
}

struct symset *rec_symbols(struct recorder *r)
{
	return r->syms;
}

unsigned rec_hooks(const struct recorder *r)
{
	if (!r || r->muted)
		return 0;
	if (!r->started && !r->stopped)
		return REC_FTRACE;
	/* async tracing watches calls, returns and traps whether or not they are recorded */
	if (r->what & REC_ASYNC)
		return r->what | REC_FTRACE | REC_ETRACE;
	return r->what;
}

/* The tracer an event type belongs to. */
static unsigned type_tracer(unsigned type)
{
	switch (type) {
	case TEV_RUN:
	case TEV_CODE:
		return REC_ITRACE;
	case TEV_MEM:
		return REC_MTRACE;
	case TEV_CALL:
	case TEV_RET:
	case TEV_TAIL:
		return REC_FTRACE;
	case TEV_TRAP:
	case TEV_XRET:
		return REC_ETRACE;
	case TEV_MMIO:
		return REC_DTRACE;
	case TEV_POLL:
	case TEV_POLL_END:
	case TEV_WAKE:
	case TEV_TASK:
	case TEV_FUTURE:
		return REC_ASYNC;
	}
	return REC_ALL;
}

const struct rec_config *rec_config(const struct recorder *r)
{
	return &r->cfg;
}

static unsigned mmio_slot(const struct recorder *r, uint64_t paddr)
{
	unsigned i = (unsigned)((paddr >> 2) * 2654435761u) % 256;

	while (r->mmio_seen[i] && r->mmio_seen[i] != paddr + 1)
		i = (i + 1) % 256;
	return i;
}

bool rec_mmio_known(const struct recorder *r, uint64_t paddr)
{
	/* a full table names no more registers: the rest read as NAME+0xOFF */
	return r->nmmio >= 200 || r->mmio_seen[mmio_slot(r, paddr)] == paddr + 1;
}

void rec_mmio_register(struct recorder *r, uint64_t paddr, const char *line)
{
	char buf[256];
	int ret;

	if (rec_mmio_known(r, paddr))
		return;
	r->mmio_seen[mmio_slot(r, paddr)] = paddr + 1;
	r->nmmio++;
	snprintf(buf, sizeof(buf), "%s\n", line);
	ret = tf_write_chunk(r->w, TF_DEVS, buf, strlen(buf));
	if (ret < 0 && !r->error)
		r->error = ret;
}

void rec_restart_window(struct recorder *r)
{
	r->started = !r->cfg.start_insn && !r->cfg.start_pc;
	r->stopped = false;
	r->what = r->started ? r->cfg.what : 0;
}

void rec_set_what(struct recorder *r, unsigned what)
{
	r->cfg.what = what & REC_ALL;
	if (r->started && !r->stopped)
		r->what = r->cfg.what;
}

static bool in_ranges(const struct rec_range *rg, unsigned n, uint64_t a)
{
	for (unsigned i = 0; i < n; i++)
		if (a >= rg[i].lo && a < rg[i].hi)
			return true;
	return false;
}

bool rec_mem_wanted(const struct recorder *r, uint64_t vaddr, unsigned size, unsigned rw)
{
	if (!r->cfg.nmem)
		return true;
	for (unsigned i = 0; i < r->cfg.nmem; i++)
		if ((r->cfg.mem[i].rw & rw) && vaddr < r->cfg.mem[i].hi &&
		    vaddr + size > r->cfg.mem[i].lo)
			return true;
	return false;
}

/* Start/stop conditions: by instruction count, or by reaching an address. */
static void update_window(struct recorder *r, const struct tev *ev)
{
	if (!r->started) {
		if ((r->cfg.start_insn && ev->instret >= r->cfg.start_insn) ||
		    (r->cfg.start_pc && (ev->pc == r->cfg.start_pc ||
					 ((ev->type == TEV_CALL || ev->type == TEV_TAIL) &&
					  ev->addr == r->cfg.start_pc)))) {
			r->started = true;
			r->what = r->cfg.what;
		}
	}
	if (r->started && !r->stopped &&
	    ((r->cfg.stop_insn && ev->instret >= r->cfg.stop_insn) ||
	     (r->cfg.stop_pc &&
	      (ev->pc == r->cfg.stop_pc ||
	       ((ev->type == TEV_CALL || ev->type == TEV_TAIL) && ev->addr == r->cfg.stop_pc))))) {
		r->stopped = true;
		r->what = 0;
	}
}

static void append(struct recorder *r, const struct tev *ev)
{
	int ret = evbuf_put(r->hart[ev->hart], r->w, ev);

	if (ret == -EMSGSIZE) {
		r->dropped++;
		return;
	}
	if (ret < 0 && !r->error)
		r->error = ret;
	r->events++;
}

void (*rec_observer(const struct recorder *r, void **ctx))(void *, const struct tev *)
{
	*ctx = r->obs_ctx;
	return r->observe;
}

void rec_set_observer(struct recorder *r, void (*observe)(void *ctx, const struct tev *ev),
		      void (*fini)(void *ctx), void *ctx)
{
	if (r->fini)
		r->fini(r->obs_ctx);
	r->observe = observe;
	r->fini = fini;
	r->obs_ctx = ctx;
}

void rec_set_muted(struct recorder *r, bool muted)
{
	r->muted = muted;
}

void rec_emit(struct recorder *r, const struct tev *ev)
{
	if (r->muted)
		return;
	if (ev->hart < r->cfg.nharts && (r->what & REC_ASYNC))
		append(r, ev);
}

void rec_event(struct recorder *r, const struct tev *ev)
{
	if (ev->hart >= r->cfg.nharts || r->muted)
		return;
	update_window(r, ev);
	if (r->observe && (r->what & REC_ASYNC) && ev->type >= TEV_CALL && ev->type <= TEV_XRET)
		r->observe(r->obs_ctx, ev);
	if (!(r->what & type_tracer(ev->type)))
		return;
	if (ev->type != TEV_CODE && !((r->cfg.priv_mask >> ev->priv) & 1) &&
	    !(ev->type == TEV_TRAP || ev->type == TEV_XRET ? (r->cfg.priv_mask >> ev->new_priv) & 1
							   : 0))
		return;
	if (r->cfg.npc && ev->type != TEV_CODE && ev->type != TEV_TRAP && ev->type != TEV_XRET &&
	    ev->type != TEV_MMIO && !in_ranges(r->cfg.pc, r->cfg.npc, ev->pc))
		return;
	append(r, ev);
}

int rec_flush(struct recorder *r)
{
	int ret, first = 0;

	for (unsigned i = 0; i < r->cfg.nharts; i++) {
		ret = evbuf_flush(r->hart[i], r->w);
		if (ret < 0 && !first)
			first = ret;
	}
	if (first && !r->error)
		r->error = first;
	return first;
}

int rec_close(struct recorder *r, uint64_t insns)
{
	char end[256];
	int ret;

	if (!r)
		return 0;
	if (r->fini)
		r->fini(r->obs_ctx);
	r->fini = NULL;
	r->observe = NULL;
	rec_flush(r);
	snprintf(end, sizeof(end), "events=%llu\ndropped=%llu\ninsns=%llu\n",
		 (unsigned long long)r->events, (unsigned long long)r->dropped,
		 (unsigned long long)insns);
	ret = tf_write_chunk(r->w, TF_END, end, strlen(end));
	if (!r->error && ret < 0)
		r->error = ret;
	crash_off(flush_on_crash, r);
	ret = tf_writer_close(r->w);
	if (!r->error && ret < 0)
		r->error = ret;
	ret = r->error;
	if (ret < 0)
		err_set(-ret, "--trace-out %s: %s", r->cfg.path, strerror(-ret));
	free_harts(r);
	symset_free(r->syms);
	free(r);
	return ret;
}
