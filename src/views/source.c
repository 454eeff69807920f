/* source — a trace file as the views' input: the reader's events, and names from the trace's
 * symbols, device table and code pages and from the SBI/syscall tables. */
#include "views/view.h"
#include "symbols/symbols.h"
#include "trace/reader.h"
#include "trace/sbi.h"
#include "util/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct src {
	struct trace_reader *r;
	struct symset *syms;
	struct disasm *dis; /* NULL: instructions shown as hex */
	struct symsrc *lines; /* native traces: source lines of function entries */
};

static const char *src_func(void *ctx, unsigned priv, uint64_t addr)
{
	struct src *s = ctx;
	const struct sym *sym = s->syms ? symset_lookup(s->syms, priv, addr) : NULL;
	return sym ? sym->name : NULL;
}

static int src_code(void *ctx, unsigned hart, uint64_t vaddr, uint32_t *raw)
{
	struct src *s = ctx;
	return trace_code_fetch(s->r, hart, vaddr, raw);
}

static const char *src_mmio(void *ctx, uint64_t paddr, char *buf, size_t n)
{
	struct src *s = ctx;
	return trace_mmio_name(s->r, paddr, buf, n);
}

static int src_disasm(void *ctx, uint64_t pc, uint32_t raw, unsigned len, char *out, size_t n)
{
	struct src *s = ctx;
	return s->dis ? disasm_insn(s->dis, pc, raw, len, out, n) : -ENOENT;
}

static const char *src_line(void *ctx, unsigned priv, uint64_t addr)
{
	struct src *s = ctx;
	return symsrc_line(s->lines, (int)priv, addr);
}

static const struct ana_names_ops src_names = {
    .func = src_func,
    .code = src_code,
    .mmio = src_mmio,
    .sbi_ext = sbi_ext_name,
    .sbi_name = sbi_func_name,
    .sbi_call = sbi_format_call,
    .sbi_ret = sbi_format_ret,
    .sys_name = syscall_name,
    .sys_call = syscall_format_call,
    .sys_ret = syscall_format_ret,
    .disasm = src_disasm,
};

/* xv6-riscv's kernel: its system calls are xv6's, not Linux's. */
static const struct ana_names_ops src_names_xv6 = {
    .func = src_func,
    .code = src_code,
    .mmio = src_mmio,
    .sbi_ext = sbi_ext_name,
    .sbi_name = sbi_func_name,
    .sbi_call = sbi_format_call,
    .sbi_ret = sbi_format_ret,
    .sys_name = xv6_syscall_name,
    .sys_call = xv6_syscall_format_call,
    .sys_ret = xv6_syscall_format_ret,
    .disasm = src_disasm,
};

/* A native trace (strata record) names the ELF files of the traced process, which are on this
 * machine, usually still as they were: their DWARF gives the functions' source lines.
 * Emulator traces keep their output as it was (their views show none). */
static const struct ana_names_ops src_names_native = {
    .func = src_func,
    .code = src_code,
    .mmio = src_mmio,
    .sbi_ext = sbi_ext_name,
    .sbi_name = sbi_func_name,
    .sbi_call = sbi_format_call,
    .sbi_ret = sbi_format_ret,
    .sys_name = syscall_name,
    .sys_call = syscall_format_call,
    .sys_ret = syscall_format_ret,
    .disasm = src_disasm,
    .srcline = src_line,
};

/* Which system call table applies: xv6's when the trace's symbols are an xv6 kernel's
 * (sys_uptime and sys_sbrk exist only there), Linux's otherwise. */
static const struct ana_names_ops *names_for(const struct symset *syms)
{
	if (syms && symset_find(syms, "sys_uptime") && symset_find(syms, "sys_sbrk"))
		return &src_names_xv6;
	return &src_names;
}

struct sink {
	const struct view_ops *ops;
	void *v;
};

static int to_view(void *arg, const struct ana_ev *e)
{
	struct sink *k = arg;
	return k->ops->event(k->v, e);
}

int view_run_file(const struct view_ops *ops, const struct view_opts *opts, const char *path,
		  FILE *out, bool *truncated)
{
	struct src s = {0};
	*truncated = false;
	if (!(s.r = trace_open(path)))
		return -EINVAL;
	s.syms = trace_symbols(s.r);
	const char *isa = trace_meta(s.r, "isa");
	if (opts->insns && !(s.dis = disasm_new_xlen(isa && !strncmp(isa, "rv32", 4) ? 32 : 64)))
		err_clear(); /* hex instead of mnemonics */
	struct view_opts o = *opts;
	o.names = names_for(s.syms);
	const char *backend = trace_meta(s.r, "backend");
	if (backend && !strcmp(backend, "ebpf")) {
		if (!(s.lines = symsrc_new(s.syms))) {
			trace_close(s.r);
			return err_set(ENOMEM, "%s: out of memory", path);
		}
		o.names = &src_names_native;
	}
	o.ctx = &s;
	struct sink k = {ops, NULL};
	struct ana *a = NULL;
	int rc = 0;
	if (!(k.v = ops->begin(out, &o)) || !(a = ana_new(o.names, &s, o.insns, to_view, &k)))
		rc = err_set(ENOMEM, "%s: out of memory", path);
	struct tev ev;
	int got = 0;
	while (!rc && (got = trace_next(s.r, &ev)) == 1)
		rc = ana_feed(a, &ev);
	if (!rc && got < 0)
		rc = got; /* the reader said where the file is corrupt */
	/* A corrupt or truncated file still shows what came before. */
	int rc2 = a ? ana_finish(a) : 0;
	if (k.v) {
		static const struct ana_stats none;
		int rc3 = ops->end(k.v, a ? ana_stats(a) : &none);
		rc2 = rc2 ? rc2 : rc3;
	}
	if (!rc && rc2)
		rc = err_set(-rc2, "%s: cannot write the output", path);
	*truncated = trace_truncated(s.r);
	ana_free(a);
	disasm_free(s.dis);
	symsrc_free(s.lines);
	trace_close(s.r);
	return rc;
}

struct view_source *view_source_new(struct trace_reader *r)
{
	struct src *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->r = r;
	s->syms = trace_symbols(r);
	return (struct view_source *)s;
}

void view_source_free(struct view_source *s)
{
	free(s);
}

const struct ana_names_ops *view_source_names(void)
{
	return &src_names;
}
