/* trace_opts — see trace_opts.h. */
#include "cli/trace_opts.h"
#include "async/emu.h"
#include "cli/cli.h"
#include "cpu/cpu.h"
#include "machine/machine.h"
#include "symbols/symbols.h"
#include "util/err.h"
#include "views/view.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define STRATA_VERSION "0.1.0"

void trace_opts_usage(FILE *f)
{
	fprintf(
	    f,
	    "Tracing (see docs/TRACING.md):\n"
	    "  --trace=LIST       record LIST, comma-separated: itrace (every instruction), "
	    "mtrace\n"
	    "                     (loads/stores/AMOs), ftrace (calls, returns, tail calls), "
	    "etrace\n"
	    "                     (traps, interrupts, SBI calls, syscalls), dtrace (MMIO), all,\n"
	    "                     async (Rust futures' polls and wakes, from DWARF)\n"
	    "  --trace-text[=FILE]  also write the trace as text (strata dump's) to FILE or\n"
	    "                     stderr when the run ends\n"
	    "  --trace-out FILE   trace file (default strata.trace); read it with strata dump,\n"
	    "                     strata report, strata info\n"
	    "  --trace-priv=m,hs,vs,vu,u  record only at these privilege levels (s = hs; vs, vu:\n"
	    "                     a guest of a hypervisor, H extension)\n"
	    "  --trace-filter=SYM|LO-HI  record instructions, calls and accesses only in this\n"
	    "                     function or address range (repeatable)\n"
	    "  --mtrace=LO-HI[:r|w]  mtrace only this address range, loads (r) or stores (w)\n"
	    "                     (repeatable; default every access)\n"
	    "  --trace-start=SYM|ADDR|insn:N  start recording at a function, address or count\n"
	    "  --trace-stop=SYM|ADDR|insn:N   stop recording there\n"
	    "  --sym FILE[@m|hs|s|u|vs|vu][@OFFSET]  more symbols (e.g. user programs, relocated\n"
	    "                     U-Boot, a hypervisor's guest kernel @vs: guest virtual addresses);\n"
	    "                     the -bios and -kernel ELFs are loaded automatically\n"
	    "  --dump-ring-on=CAUSE,...  print the last 16 instructions when a trap with one of\n"
	    "                     these exception causes (numbers) is taken\n");
}

/* A level name (trace/event.h enum tev_level): m, hs (s is the same level when V=0), u, and the
 * hypervisor guest's vs, vu; either case. */
static int parse_priv(const char *s, int *priv)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {{"m", TEV_M}, {"hs", TEV_S}, {"s", TEV_S}, {"u", TEV_U}, {"vs", TEV_VS},
		     {"vu", TEV_VU}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name)) {
			*priv = names[i].level;
			return 0;
		}
	return -EINVAL;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

/* "LO-HI" (inclusive-exclusive) into a range. */
static int parse_range(const char *s, struct rec_range *r)
{
	char buf[128], *dash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (!dash)
		return -EINVAL;
	*dash = 0;
	if (parse_u64(buf, &r->lo) < 0 || parse_u64(dash + 1, &r->hi) < 0 || r->hi <= r->lo)
		return -EINVAL;
	r->rw = 3;
	return 0;
}

static int parse_what(const char *list, unsigned *what)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"itrace", REC_ITRACE}, {"mtrace", REC_MTRACE}, {"ftrace", REC_FTRACE},
		     {"etrace", REC_ETRACE}, {"dtrace", REC_DTRACE}, {"all", REC_ALL},
		     {"async", REC_ASYNC}};
	char buf[256], *tok, *save;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k;

		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcmp(tok, names[k].name))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return err_set(EINVAL,
				       "--trace=%s: unknown tracer '%s' (itrace, mtrace, ftrace, "
				       "etrace, dtrace, all, async)",
				       list, tok);
		*what |= names[k].bit;
	}
	return *what ? 0 : err_set(EINVAL, "--trace=%s: no tracer named", list);
}

/* Split "--opt=value" or "--opt value". */
static const char *opt_value(const char *name, int argc, char **argv, int *i, int *matched)
{
	size_t n = strlen(name);
	const char *o = argv[*i];

	*matched = 0;
	if (strncmp(o, name, n))
		return NULL;
	if (o[n] == '=') {
		*matched = 1;
		return o + n + 1;
	}
	if (o[n])
		return NULL;
	*matched = 1;
	if (*i + 1 >= argc) {
		err_set(EINVAL, "option %s needs an argument (see 'strata run --help')", name);
		return NULL;
	}
	return argv[++*i];
}

int trace_opts_parse(struct trace_opts *t, int argc, char **argv, int *i)
{
	const char *v;
	int m;

	if ((v = opt_value("--trace", argc, argv, i, &m)) || m) {
		if (!v)
			return -EINVAL;
		t->on = true;
		return parse_what(v, &t->rc.what) < 0 ? -EINVAL : 1;
	}
	if (!strcmp(argv[*i], "--trace-text") || !strncmp(argv[*i], "--trace-text=", 13)) {
		t->text = argv[*i][12] == '=' ? argv[*i] + 13 : "-";
		if (!*t->text)
			return err_set(EINVAL, "--trace-text=: empty file name");
		return 1;
	}
	if ((v = opt_value("--trace-out", argc, argv, i, &m)) || m) {
		if (!v || !*v)
			return v ? err_set(EINVAL, "--trace-out: empty file name") : -EINVAL;
		t->rc.path = v;
		return 1;
	}
	if ((v = opt_value("--trace-priv", argc, argv, i, &m)) || m) {
		char buf[32], *tok, *save;

		if (!v)
			return -EINVAL;
		if (strlen(v) >= sizeof(buf))
			return err_set(EINVAL, "--trace-priv=%s: expected m,hs,vs,vu,u", v);
		strcpy(buf, v);
		t->rc.priv_mask = 0;
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int p;

			if (parse_priv(tok, &p) < 0)
				return err_set(EINVAL,
					       "--trace-priv=%s: '%s' is not m, hs (s), vs, vu or u",
					       v, tok);
			t->rc.priv_mask |= 1u << p;
		}
		if (!t->rc.priv_mask)
			return err_set(EINVAL, "--trace-priv=%s: expected m,hs,vs,vu,u", v);
		return 1;
	}
	if ((v = opt_value("--trace-filter", argc, argv, i, &m)) || m) {
		if (!v)
			return -EINVAL;
		if (t->nfilter == REC_MAX_RANGES)
			return err_set(EINVAL, "--trace-filter=%s: at most %d filters", v,
				       REC_MAX_RANGES);
		t->filter[t->nfilter++] = v;
		return 1;
	}
	if ((v = opt_value("--mtrace", argc, argv, i, &m)) || m) {
		char buf[128], *colon;
		struct rec_range r;

		if (!v)
			return -EINVAL;
		if (t->rc.nmem == REC_MAX_RANGES || strlen(v) >= sizeof(buf))
			return err_set(EINVAL, "--mtrace=%s: too many ranges or too long", v);
		strcpy(buf, v);
		colon = strchr(buf, ':');
		if (colon)
			*colon = 0;
		if (parse_range(buf, &r) < 0)
			return err_set(
			    EINVAL,
			    "--mtrace=%s: expected LO-HI[:r|w] (e.g. 0x80000000-0x80001000:w)", v);
		if (colon) {
			if (!strcmp(colon + 1, "r"))
				r.rw = 1;
			else if (!strcmp(colon + 1, "w"))
				r.rw = 2;
			else if (strcmp(colon + 1, "rw"))
				return err_set(EINVAL, "--mtrace=%s: access must be r, w or rw", v);
		}
		t->rc.mem[t->rc.nmem++] = r;
		return 1;
	}
	if ((v = opt_value("--trace-start", argc, argv, i, &m)) || m) {
		if (!v)
			return -EINVAL;
		t->start = v;
		return 1;
	}
	if ((v = opt_value("--trace-stop", argc, argv, i, &m)) || m) {
		if (!v)
			return -EINVAL;
		t->stop = v;
		return 1;
	}
	if ((v = opt_value("--sym", argc, argv, i, &m)) || m) {
		char *at, *copy;
		int64_t off = 0;
		int priv = SYM_PRIV_ANY;

		if (!v)
			return -EINVAL;
		if (t->nsym == TRACE_MAX_SYMS)
			return err_set(EINVAL, "--sym %s: at most %d symbol files", v,
				       TRACE_MAX_SYMS);
		copy = strdup(v); /* freed by trace_opts_free() */
		if (!copy)
			return -ENOMEM;
		while ((at = strrchr(copy, '@'))) {
			uint64_t o;

			*at = 0;
			if (parse_priv(at + 1, &priv) == 0)
				continue;
			if (parse_u64(at + 1, &o) < 0) {
				int ret = err_set(EINVAL,
						  "--sym %s: '@%s' is neither m/hs/s/u/vs/vu nor an offset",
						  v, at + 1);

				free(copy);
				return ret;
			}
			off = (int64_t)o;
		}
		t->sym[t->nsym].path = copy;
		t->sym[t->nsym].priv = priv;
		t->sym[t->nsym].offset = off;
		t->nsym++;
		return 1;
	}
	if ((v = opt_value("--dump-ring-on", argc, argv, i, &m)) || m) {
		char buf[128], *tok, *save;

		if (!v || strlen(v) >= sizeof(buf))
			return v ? err_set(EINVAL, "--dump-ring-on=%s: too long", v) : -EINVAL;
		strcpy(buf, v);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			uint64_t c;

			if (parse_u64(tok, &c) < 0 || c > 63)
				return err_set(EINVAL,
					       "--dump-ring-on=%s: '%s' is not an exception cause "
					       "number (0-63)",
					       v, tok);
			t->ring_causes |= 1ull << c;
		}
		return 1;
	}
	return 0;
}

/* Load one ELF's symbols into the recorder; auto-loaded images may be stripped (skip them). */
static int add_syms(struct trace_opts *t, const char *path, int priv, int64_t off, bool must)
{
	struct symtab *st = symtab_load(path, priv, off);

	if (!st) {
		if (must)
			return -EINVAL;
		fprintf(stderr, "strata: note: %s: %s; its frames show as addresses\n", path,
			err_msg() ? err_msg() : "no symbols");
		err_clear();
		return 0;
	}
	return rec_add_symtab(t->rec, st);
}

/* SYM, ADDR or insn:N for --trace-start/--trace-stop. */
static int resolve_point(struct trace_opts *t, const char *opt, const char *s, uint64_t *pc,
			 uint64_t *insn)
{
	const struct sym *sym;

	if (!strncmp(s, "insn:", 5))
		return parse_u64(s + 5, insn) < 0
			   ? err_set(EINVAL, "%s=%s: expected insn:COUNT", opt, s)
			   : 0;
	if (parse_u64(s, pc) == 0)
		return 0;
	sym = symset_find(rec_symbols(t->rec), s);
	if (!sym)
		return err_set(EINVAL, "%s=%s: no function of that name in the loaded symbols", opt,
			       s);
	*pc = sym->addr;
	return 0;
}

/* meta "fb": where -machine nemu's --fb-out writes its frames, absolute, so that `strata view`
 * finds it from any directory. Bytes written. */
static size_t meta_fb(char *buf, size_t size, const char *fb_out)
{
	char cwd[1024];
	int n;

	if (!fb_out || size < 2)
		return 0;
	if (fb_out[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		n = snprintf(buf, size, "fb=%s\n", fb_out);
	else
		n = snprintf(buf, size, "fb=%s/%s\n", cwd, fb_out);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = 0; /* no room: no fb line rather than half of one */
		return 0;
	}
	return (size_t)n;
}

int trace_opts_start(struct trace_opts *t, struct machine *m, const struct machine_config *cfg,
		     int argc, char **argv)
{
	char meta[2048], isa[512];
	size_t n = 0;
	int ret;

	cpu_set_ring_dump(machine_cpu(m), t->ring_causes);
	if (!t->on)
		return 0;
	if (!t->rc.path)
		t->rc.path = "strata.trace";
	t->rc.nharts = cpu_nharts(machine_cpu(m));
	t->rec = rec_open(&t->rc);
	if (!t->rec)
		return -EINVAL;
	if (isa_string(cpu_isa(machine_cpu(m)), isa, sizeof(isa)) < 0)
		snprintf(isa, sizeof(isa), "rv%u", isa_xlen(cpu_isa(machine_cpu(m))));
	n += snprintf(meta + n, sizeof(meta) - n,
		      "strata=" STRATA_VERSION "\nmachine=%s\nisa=%s\n"
		      "harts=%u\nram=%" PRIu64 "\nbios=%s\nkernel=%s\ncommand=",
		      cfg->board == MACHINE_BOARD_NEMU ? "nemu" : "virt", isa, cfg->nharts, cfg->ram_size, cfg->bios ? cfg->bios : "none",
		      cfg->kernel ? cfg->kernel : "");
	for (int i = 0; i < argc && n < sizeof(meta) - 2; i++)
		n += snprintf(meta + n, sizeof(meta) - n, "%s%s", i ? " " : "", argv[i]);
	if (n < sizeof(meta) - 2)
		n += snprintf(meta + n, sizeof(meta) - n, "\n");
	if (n < sizeof(meta))
		n += meta_fb(meta + n, sizeof(meta) - n, cfg->fb_out);
	ret = rec_meta(t->rec, meta);
	/* symbols: firmware in M; the kernel in S under a firmware */
	if (!ret && cfg->bios)
		ret = add_syms(t, cfg->bios, 3, 0, false);
	/* a bare-metal program (-bios none) runs its own code in M, S and U alike */
	if (!ret && cfg->kernel)
		ret = add_syms(t, cfg->kernel, cfg->bios ? 1 : SYM_PRIV_ANY, 0, false);
	for (unsigned i = 0; !ret && i < t->nsym; i++)
		ret = add_syms(t, t->sym[i].path, t->sym[i].priv, t->sym[i].offset, true);
	if (!ret && (t->rc.what & REC_ASYNC)) {
		const char *elfs[2 + TRACE_MAX_SYMS];
		unsigned n = 0;

		if (cfg->bios)
			elfs[n++] = cfg->bios;
		if (cfg->kernel)
			elfs[n++] = cfg->kernel;
		for (unsigned i = 0; i < t->nsym; i++)
			elfs[n++] = t->sym[i].path;
		ret = aemu_attach(t->rec, m, elfs, n);
	}
	if (ret < 0)
		return ret;
	/* symbolic filters need the symbols; the recorder copied rc, so patch its config */
	{
		struct rec_config *rc = (struct rec_config *)rec_config(t->rec);

		for (unsigned i = 0; i < t->nfilter; i++) {
			struct rec_range r;
			const struct sym *sym;

			if (parse_range(t->filter[i], &r) < 0) {
				sym = symset_find(rec_symbols(t->rec), t->filter[i]);
				if (!sym)
					return err_set(EINVAL,
						       "--trace-filter=%s: neither LO-HI nor a "
						       "function in the loaded symbols",
						       t->filter[i]);
				r.lo = sym->addr;
				r.hi = sym->addr + (sym->size ? sym->size : 1);
				r.rw = 3;
			}
			rc->pc[rc->npc++] = r;
		}
		if (t->start &&
		    resolve_point(t, "--trace-start", t->start, &rc->start_pc, &rc->start_insn) < 0)
			return -EINVAL;
		if (t->stop &&
		    resolve_point(t, "--trace-stop", t->stop, &rc->stop_pc, &rc->stop_insn) < 0)
			return -EINVAL;
		rec_restart_window(t->rec);
	}
	cpu_set_recorder(machine_cpu(m), t->rec);
	return 0;
}

/* --trace-text: the text view of the finished trace, exactly what `strata dump` prints. */
static int write_text(struct trace_opts *t)
{
	struct view_opts o = {0};
	bool truncated;
	FILE *out = stderr;
	int ret;

	if (strcmp(t->text, "-")) {
		out = fopen(t->text, "w");
		if (!out)
			return err_set(errno, "--trace-text=%s: %s", t->text, strerror(errno));
	}
	ret = view_run_file(&view_text, &o, t->rc.path, out, &truncated);
	if (out != stderr && fclose(out) != 0 && !ret)
		ret = err_set(errno, "--trace-text=%s: %s", t->text, strerror(errno));
	return ret;
}

int trace_opts_finish(struct trace_opts *t, struct machine *m)
{
	struct cpu *c;
	uint64_t insns = 0;
	int ret;

	if (!t->rec)
		return 0;
	c = machine_cpu(m);
	for (unsigned i = 0; i < cpu_nharts(c); i++)
		insns += hart_instret(cpu_hart(c, i));
	cpu_set_recorder(c, NULL);
	ret = rec_close(t->rec, insns);
	t->rec = NULL;
	if (!ret && t->text)
		ret = write_text(t);
	return ret;
}

void trace_opts_free(struct trace_opts *t)
{
	for (unsigned i = 0; i < t->nsym; i++)
		free(t->sym[i].path);
	t->nsym = 0;
}
