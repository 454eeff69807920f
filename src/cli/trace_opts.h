/* trace_opts — `strata run`'s tracing options: parsing, and starting/finishing the recorder. */
#ifndef STRATA_CLI_TRACE_OPTS_H
#define STRATA_CLI_TRACE_OPTS_H

#include "trace/record.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct machine;
struct machine_config;

#define TRACE_MAX_SYMS 16

struct trace_opts {
	struct rec_config rc;
	bool on;		  /* some --trace given */
	const char *text;	  /* --trace-text destination ("-" = stderr), or NULL */
	const char *start, *stop; /* unresolved --trace-start/--trace-stop (SYM, ADDR, insn:N) */
	const char *filter[REC_MAX_RANGES];
	unsigned nfilter;
	struct {
		char *path; /* malloc'd: the @priv/@offset suffixes are cut off */
		int priv;
		int64_t offset;
	} sym[TRACE_MAX_SYMS];
	unsigned nsym;
	uint64_t ring_causes; /* --dump-ring-on: bit per exception cause */
	struct recorder *rec;
};

/* Print the tracing options' help. */
void trace_opts_usage(FILE *f);
/* If opt is a tracing option, consume it (and *i past its argument): 1; not one: 0; bad value:
 * negative with err_set(). */
int trace_opts_parse(struct trace_opts *t, int argc, char **argv, int *i);
/* Open the trace file, embed the machine description and symbols, resolve symbolic
 * filters, and attach the recorder to the machine's harts. 0 or negative with err_set(). */
int trace_opts_start(struct trace_opts *t, struct machine *m, const struct machine_config *cfg,
		     int argc, char **argv);
/* Detach, write the totals and close the trace; then --trace-text. 0 or negative (err_set). */
int trace_opts_finish(struct trace_opts *t, struct machine *m);

/* Free what parsing allocated (safe after trace_opts_finish, or without any start). */
void trace_opts_free(struct trace_opts *t);

#endif
