/* cmd_info — `strata info FILE`: what a trace file holds, without interpreting the events.
 *
 * Two passes: trace_reader decodes every event (so any corruption is found and reported with
 * its offset, exit 2), then tf_reader walks the raw chunks for the chunk counts and the META and
 * DEVS text in file order. */
#include "cli/cli.h"
#include "symbols/symbols.h"
#include "trace/reader.h"
#include "trace/tfile.h"
#include "util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTYPES TEV_NTYPES /* enum tev_type values (async ones included) */

struct counts {
	uint64_t type[NTYPES];
	uint64_t hart[TEV_MAX_HARTS][NTYPES];
	uint64_t hart_total[TEV_MAX_HARTS];
	uint64_t last_instret[TEV_MAX_HARTS];
	uint64_t chunks[TF_END + 1];
	uint64_t events;
};

static void info_usage(FILE *f)
{
	fprintf(f,
		"usage: strata info FILE\n\n"
		"Describe a strata trace: format version, machine (META), harts, symbol tables,\n"
		"devices, chunk and event counts per type and per hart, instructions, dropped\n"
		"events, and where the file is cut off if it is truncated.\n");
}

static const char *priv_name(int priv)
{
	switch (priv) {
	case 0:
		return "U";
	case 1:
		return "S";
	case 3:
		return "M";
	case 4:
		return "VU";
	case 5:
		return "VS";
	default:
		return "any";
	}
}

static const char *chunk_name(uint32_t type)
{
	static const char *const names[] = {"?", "meta", "syms", "devs", "events", "end"};
	return type <= TF_END ? names[type] : "?";
}

/* "run 100, code 2)" for the nonzero entries of n[]. */
static void print_types(const uint64_t *n)
{
	const char *sep = "";

	for (unsigned t = 1; t < NTYPES; t++)
		if (n[t]) {
			printf("%s%s %" PRIu64, sep, tev_type_name(t), n[t]);
			sep = ", ";
		}
	printf("%s)\n", *sep ? "" : "none");
}

/* Print each line of a text chunk, indented (with a length cap per line: a DEVS line lists
 * registers). */
static void print_text(FILE *f, const uint8_t *d, size_t len)
{
	while (len) {
		const uint8_t *nl = memchr(d, '\n', len);
		size_t n = nl ? (size_t)(nl - d) : len;
		if (n)
			fprintf(f, "  %.*s%s\n", n > 200 ? 200 : (int)n, (const char *)d,
				n > 200 ? " ..." : "");
		d += n + (nl != NULL);
		len -= n + (nl != NULL);
	}
}

/* The header's version field (the reader has checked the header already). */
static unsigned file_version(const char *path)
{
	uint8_t h[16] = {0};
	FILE *f = fopen(path, "rb");

	if (f) {
		if (fread(h, 1, sizeof(h), f) != sizeof(h))
			memset(h, 0, sizeof(h));
		fclose(f);
	}
	return h[8] | (unsigned)h[9] << 8 | (unsigned)h[10] << 16 | (unsigned)h[11] << 24;
}

/* Pass 1: every event. 0 or a negative errno with err_set(). */
static int scan_events(struct trace_reader *r, struct counts *c)
{
	struct tev ev;
	int rc;

	while ((rc = trace_next(r, &ev)) == 1) {
		unsigned t = ev.type < NTYPES ? ev.type : 0;
		c->type[t]++;
		c->hart[ev.hart][t]++;
		c->hart_total[ev.hart]++;
		c->last_instret[ev.hart] = ev.instret;
		c->events++;
	}
	return rc;
}

/* Pass 2: the raw chunks, once: counts per type, the META and DEVS lines (written to meta and
 * devs, printed in their places) and where reading stopped. */
static int scan_chunks(const char *path, struct counts *c, FILE *meta, FILE *devs,
		       uint64_t *trunc_off)
{
	struct tf_reader *tf = tf_reader_open(path);
	const uint8_t *d;
	size_t len;
	uint32_t type;
	int rc;

	if (!tf)
		return -EINVAL;
	while ((rc = tf_reader_next(tf, &type, &d, &len)) == 1) {
		c->chunks[type <= TF_END ? type : 0]++;
		if (type == TF_META)
			print_text(meta, d, len);
		else if (type == TF_DEVS)
			print_text(devs, d, len);
	}
	/* where reading stopped: the incomplete chunk, or the end of the file */
	*trunc_off = tf_reader_offset(tf);
	tf_reader_close(tf);
	return rc;
}

static int info(const char *path)
{
	struct counts *c = calloc(1, sizeof(*c));
	struct trace_reader *r = NULL;
	char *meta = NULL, *devs = NULL;
	size_t meta_len = 0, devs_len = 0;
	FILE *meta_f = open_memstream(&meta, &meta_len), *devs_f = open_memstream(&devs, &devs_len);
	uint64_t trunc_off = 0;
	int rc = -ENOMEM;

	if (!c || !meta_f || !devs_f) {
		rc = err_set(ENOMEM, "out of memory");
		goto out;
	}
	if (!(r = trace_open(path))) {
		rc = -EINVAL;
		goto out;
	}
	if ((rc = scan_events(r, c)) < 0)
		goto out;
	if ((rc = scan_chunks(path, c, meta_f, devs_f, &trunc_off)) < 0)
		goto out;
	fflush(meta_f);
	fflush(devs_f);

	printf("file: %s\nformat: strata trace version %u\n", path, file_version(path));
	printf("meta:\n%s", meta);
	unsigned nharts = trace_nharts(r);
	printf("harts: %u\n", nharts);

	struct symset *s = trace_symbols(r);
	size_t nt = s ? symset_ntables(s) : 0;
	printf("symbol tables: %zu\n", nt);
	for (size_t i = 0; i < nt; i++) {
		struct symtab *t = symset_table(s, i);
		printf("  %s  priv %s  %zu symbols\n", symtab_path(t), priv_name(symtab_priv(t)),
		       symtab_count(t));
	}
	printf("devices:\n%s", devs);

	printf("chunks:");
	for (uint32_t t = TF_META; t <= TF_END; t++)
		printf("%s %s %" PRIu64, t == TF_META ? "" : ",", chunk_name(t), c->chunks[t]);
	printf("\nevents: %" PRIu64 " (", c->events);
	print_types(c->type);
	for (unsigned h = 0; h < TEV_MAX_HARTS; h++) {
		if (!c->hart_total[h])
			continue;
		printf("  hart %u: %" PRIu64 " events, instret %" PRIu64 " at the last (", h,
		       c->hart_total[h], c->last_instret[h]);
		print_types(c->hart[h]);
	}
	/* END totals are absent from a truncated trace */
	if (c->chunks[TF_END]) {
		printf("instructions: %" PRIu64 "\n", trace_total(r, "insns"));
		printf("events recorded: %" PRIu64 "\n", trace_total(r, "events"));
		printf("dropped events: %" PRIu64 "\n", trace_total(r, "dropped"));
	} else {
		printf("instructions: unknown (no END chunk)\n");
	}
	if (trace_truncated(r))
		printf("truncated at offset %" PRIu64 "%s\n", trunc_off,
		       c->chunks[TF_END] ? "" : " (no END chunk)");
	rc = 0;
out:
	if (meta_f)
		fclose(meta_f);
	if (devs_f)
		fclose(devs_f);
	free(meta);
	free(devs);
	trace_close(r);
	free(c);
	return rc;
}

int cmd_info(int argc, char **argv)
{
	const struct cli_opt opts[] = {{.name = NULL}};
	const char *path;
	int r = cli_parse_opts("info", info_usage, argc, argv, opts, &path);

	if (r)
		return r > 0 ? 0 : EXIT_BADINPUT;
	if (!path) {
		fprintf(stderr, "strata info: no trace FILE (try --help)\n");
		return EXIT_BADINPUT;
	}
	if (info(path) < 0) {
		fflush(stdout);
		fprintf(stderr, "strata: %s\n", err_msg() ? err_msg() : strerror(errno));
		return EXIT_BADINPUT;
	}
	return 0;
}
