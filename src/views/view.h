/* view — the outputs of `strata dump` and `strata report`, each behind a const ops table and fed
 * the analysed event stream (analysis.h). */
#ifndef STRATA_VIEWS_VIEW_H
#define STRATA_VIEWS_VIEW_H

#include "views/analysis.h"

#include <stdbool.h>
#include <stdio.h>

struct view_opts {
	bool insns;			   /* text: disassemble RUN instructions */
	unsigned top;			   /* report: rows per table (0: 20) */
	const struct ana_names_ops *names; /* disassembly and names (may be NULL) */
	void *ctx;
};

struct view_ops {
	const char *name;
	bool binary; /* refuses to write to a terminal */
	/* Start writing to out. The view state, or NULL + errno. */
	void *(*begin)(FILE *out, const struct view_opts *o);
	/* One analysed event. 0 or -errno. */
	int (*event)(void *v, const struct ana_ev *e);
	/* Write what remains (totals, closing brackets) and free v. 0 or -errno. */
	int (*end)(void *v, const struct ana_stats *st);
};

/* "FILE:LINE" of the function entered at addr (native traces), or NULL. */
const char *view_srcline(const struct view_opts *o, unsigned priv, uint64_t addr);

extern const struct view_ops view_text, view_perfetto, view_chrome, view_folded, view_report,
    view_nemu;

/* The dump format called name ("text", "perfetto", "chrome", "folded", "nemu"), or NULL. */
const struct view_ops *view_find(const char *name);
/* Analyse evs[0..n) into ops writing to out (tests and tools without a trace file). 0 or -errno. */
int view_run_events(const struct view_ops *ops, const struct view_opts *o, FILE *out,
		    const struct tev *evs, size_t n);
/* Analyse the trace at path into ops. 0, -errno with err_set() for a bad file; *truncated says
 * whether the file ended early (what it had is written). */
int view_run_file(const struct view_ops *ops, const struct view_opts *o, const char *path,
		  FILE *out, bool *truncated);

/* Names for the events of an open trace (its symbols, devices and code pages; the SBI and
 * syscall tables): what view_run_file uses, for views that drive the reader themselves (the
 * console, `strata view`). NULL + errno. */
struct trace_reader;
struct view_source;
struct view_source *view_source_new(struct trace_reader *r);
void view_source_free(struct view_source *s);
const struct ana_names_ops *view_source_names(void);

#endif
