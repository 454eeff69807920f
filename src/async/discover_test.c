/* discover_test — discovery on real rustc 1.96 and 1.63 output: the guests of tests/guests/rust (built
 * by `make guests` with rust/build.sh) at opt-level 0-3 for riscv64, and the same executor
 * built for x86-64 Linux. Expected structure comes from the sources: await points are the lines
 * marked "// await: ..." in the .rs files. */
#include "async/discover.h"
#include "symbols/symbols.h"
#include "util/err.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "machine/test_util.h"

static const char *root(void)
{
	const char *r = getenv("STRATA_ROOT");
	return r ? r : ".";
}

static char *path(const char *rel)
{
	static char buf[8][512];
	static int n;
	char *b = buf[n++ % 8];

	snprintf(b, sizeof(buf[0]), "%s/%s", root(), rel);
	return b;
}

/* The line of file holding "// await: tag" (1-based), or 0. */
static unsigned await_line(const char *file, const char *tag)
{
	char line[512], want[128];
	unsigned n = 0;
	FILE *f = fopen(path(file), "r");

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "// await: %s", tag);
	while (fgets(line, sizeof(line), f)) {
		n++;
		char *p = strstr(line, want);
		if (p && (p[strlen(want)] == '\n' || p[strlen(want)] == 0)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	return 0;
}

static const struct adisc_future *by_name(const struct adisc *d, const char *name)
{
	for (size_t i = 0; i < adisc_nfutures(d); i++)
		if (!strcmp(adisc_future(d, i)->name, name))
			return adisc_future(d, i);
	return NULL;
}

static const struct adisc_future *by_type(const struct adisc *d, const char *type)
{
	for (size_t i = 0; i < adisc_nfutures(d); i++)
		if (!strcmp(adisc_future(d, i)->type_name, type))
			return adisc_future(d, i);
	return NULL;
}

static const struct adisc_variant *variant_named(const struct adisc_future *f, const char *n)
{
	for (unsigned i = 0; i < f->nvariants; i++)
		if (!strcmp(f->variants[i].name, n))
			return &f->variants[i];
	return NULL;
}

/* The future's one await point: SuspendN at file:line awaiting a future of type awaitee. */
static int check_await(const struct adisc *d, const char *fn, const char *var, const char *file,
		       const char *tag, const char *awaitee)
{
	const struct adisc_future *f = by_name(d, fn);
	const struct adisc_variant *v;
	unsigned line = await_line(file, tag);

	CHECK(line, "no '// await: %s' in %s", tag, file);
	CHECK(f, "%s: %s not found", adisc_path(d), fn);
	CHECK(f->kind == ADISC_COROUTINE, "%s: kind %u", fn, f->kind);
	CHECK(f->state_off >= 0 && f->state_off < (int64_t)f->size && f->state_size == 1,
	      "%s: __state at %lld/%u", fn, (long long)f->state_off, f->state_size);
	CHECK(variant_named(f, "Unresumed") && variant_named(f, "Unresumed")->discr == 0 &&
		  variant_named(f, "Returned") && variant_named(f, "Returned")->discr == 1 &&
		  variant_named(f, "Panicked") && variant_named(f, "Panicked")->discr == 2,
	      "%s: Unresumed/Returned/Panicked not 0/1/2", fn);
	v = variant_named(f, var);
	CHECK(v, "%s: no variant %s", fn, var);
	CHECK(v->file && strstr(v->file, file + strlen("tests/guests/rust/")) && v->line == line,
	      "%s %s: await point %s:%u, want %s:%u", fn, var, v->file ? v->file : "?", v->line,
	      file, line);
	CHECK(v->awaitee_off >= 0 && v->awaitee_type && !strcmp(v->awaitee_type, awaitee),
	      "%s %s: awaitee %s", fn, var, v->awaitee_type ? v->awaitee_type : "none");
	CHECK(v->awaitee_future >= 0 &&
		  !strcmp(adisc_future(d, (size_t)v->awaitee_future)->type_name, awaitee),
	      "%s %s: awaitee not linked to its poll function", fn, var);
	CHECK(f->nranges + f->ninl > 0, "%s: no code", fn);
	CHECK(!f->entry || adisc_by_entry(d, f->entry) == f, "%s: by_entry", fn);
	if (f->ninl) {
		bool inl = false;
		CHECK(adisc_by_pc(d, f->inl[0].lo, &inl) == f && inl, "%s: by_pc on inlined copy",
		      fn);
	}
	return 0;
}

#define EXEC "tests/guests/rust/exec.rs"
#define HOST "tests/guests/rust/host.rs"
#define EXECUTOR "tests/guests/rust/executor.rs"

static int exec_guest(const char *elf, int opt)
{
	struct adisc *d = adisc_open(path(elf));
	const struct adisc_future *f;
	int failed = 1;

	CHECK(d, "%s", err_msg());
	if (adisc_machine(d) != EM_RISCV || adisc_ptr_size(d) != 8 || !adisc_rustc(d) ||
	    strncmp(adisc_rustc(d), "1.", 2)) {
		printf("FAIL exec_guest: %s: machine %u, rustc %s\n", elf, adisc_machine(d),
		       adisc_rustc(d) ? adisc_rustc(d) : "?");
		goto out;
	}
	if (check_await(d, "exec::consumer::{async_fn#0}", "Suspend0", EXEC, "consumer recv",
			"exec::Recv") ||
	    check_await(d, "exec::producer::{async_fn#0}", "Suspend0", EXEC, "producer send",
			"exec::Send") ||
	    check_await(d, "exec::producer::{async_fn#0}", "Suspend1", EXEC, "producer yield",
			"exec::executor::YieldNow") ||
	    check_await(d, "exec::level1::{async_fn#0}", "Suspend0", EXEC, "level1 level2",
			"exec::level2::{async_fn_env#0}") ||
	    check_await(d, "exec::level2::{async_fn#0}", "Suspend0", EXEC, "level2 level3",
			"exec::level3::{async_fn_env#0}") ||
	    check_await(d, "exec::level3::{async_fn#0}", "Suspend0", EXEC, "level3 yield",
			"exec::executor::YieldNow") ||
	    check_await(d, "exec::count::{async_fn#0}", "Suspend0", EXEC, "count yield",
			"exec::executor::YieldNow") ||
	    check_await(d, "exec::rust_main::{async_block#1}", "Suspend0", EXEC, "nested level1",
			"exec::level1::{async_fn_env#0}"))
		goto out;
	/* the tasks are polled through dyn Future: never inlined */
	for (size_t i = 0; i < adisc_nfutures(d); i++) {
		f = adisc_future(d, i);
		if (strstr(f->name, "rust_main::{async_block") || strstr(f->name, "consumer::") ||
		    strstr(f->name, "producer::"))
			if (!f->entry) {
				printf("FAIL exec_guest: %s: task %s has no out-of-line body\n", elf,
				       f->name);
				goto out;
			}
	}
	/* hand-written futures: Poll<u32> in a register, Pending = discriminant 1 */
	f = by_type(d, "exec::Recv");
	if (!f || f->kind != ADISC_POLL_FN || f->state_off != -1 || f->poll.ret != ADISC_RET_REGS ||
	    f->poll.size != 8 || f->poll.discr_size != 4 || f->poll.pending != 1 ||
	    strcmp(f->poll.type, "core::task::poll::Poll<u32>")) {
		printf("FAIL exec_guest: %s: Recv's poll function or Poll<u32> layout\n", elf);
		goto out;
	}
	uint64_t pending[2] = {1, 0}, ready[2] = {0, 6};
	if (adisc_poll_pending(&f->poll, pending, NULL) != 1 ||
	    adisc_poll_pending(&f->poll, ready, NULL) != 0) {
		printf("FAIL exec_guest: %s: Poll<u32> decoding\n", elf);
		goto out;
	}
	f = by_type(d, "exec::Join<exec::count::{async_fn_env#0}, exec::count::{async_fn_env#0}>");
	if (!f || f->nchildren != 2 || strcmp(f->children[0].name, "a") ||
	    strcmp(f->children[1].name, "b") ||
	    strcmp(adisc_future(d, f->children[0].future)->type_name,
		   "exec::count::{async_fn_env#0}")) {
		printf("FAIL exec_guest: %s: Join and its two count futures\n", elf);
		goto out;
	}
	/* inlining: at opt-level 0 every body is out of line; from 1 on the nested ones are
	 * inlined into their callers */
	f = by_name(d, "exec::level3::{async_fn#0}");
	if (opt == 0 ? (!f->entry || f->ninl) : !f->ninl) {
		printf("FAIL exec_guest: %s: level3 entry 0x%llx, %u inlined ranges\n", elf,
		       (unsigned long long)f->entry, f->ninl);
		goto out;
	}
	/* the waker vtable: its four functions are the executor's */
	struct symtab *t = symtab_load(path(elf), 3, 0);
	if (!t) {
		printf("FAIL exec_guest: %s\n", err_msg());
		goto out;
	}
	static const char *const fns[4] = {"exec::executor::waker_clone", "exec::executor::waker_wake",
					   "exec::executor::waker_wake_by_ref",
					   "exec::executor::waker_drop"};
	const struct adisc_vtable *vt = adisc_nvtables(d) == 1 ? adisc_vtable(d, 0) : NULL;
	int bad = !vt || !vt->name || strcmp(vt->name, "exec::executor::VTABLE");
	for (int k = 0; !bad && k < 4; k++) {
		const struct sym *s = symtab_lookup(t, vt->fn[k]);
		int kind = adisc_waker_fn(d, vt->fn[k]);
		/* identical-code folding may merge wake and wake_by_ref (then reported as wake) */
		bad = !s || s->addr != vt->fn[k] ||
		      (strcmp(s->name, fns[k]) && !(k >= 1 && k <= 2 && strstr(s->name, "waker_wake"))) ||
		      !(kind == k || (k == 2 && kind == 1 && vt->fn[1] == vt->fn[2]));
		if (bad)
			printf("FAIL exec_guest: %s: vtable slot %d = 0x%llx (%s), kind %d\n", elf, k,
			       (unsigned long long)vt->fn[k], s ? s->name : "?", kind);
	}
	symtab_free(t);
	if (bad) {
		if (!vt)
			printf("FAIL exec_guest: %s: %zu vtables\n", elf, adisc_nvtables(d));
		goto out;
	}
	const struct adisc_waker_layout *wl = adisc_waker_layout(d);
	if (wl->ctx_waker < 0 || wl->waker_raw < 0 || wl->raw_data < 0 || wl->raw_vtable < 0 ||
	    wl->raw_data == wl->raw_vtable || wl->vt[0] < 0 || wl->vt[3] < 0) {
		printf("FAIL exec_guest: %s: waker layout\n", elf);
		goto out;
	}
	failed = 0;
out:
	adisc_free(d);
	return failed;
}

static int exec_O0(void)
{
	return exec_guest("tests/guests/rust/build/exec-O0.elf", 0);
}
static int exec_O1(void)
{
	return exec_guest("tests/guests/rust/build/exec-O1.elf", 1);
}
static int exec_O2(void)
{
	return exec_guest("tests/guests/rust/build/exec-O2.elf", 2);
}
static int exec_O3(void)
{
	return exec_guest("tests/guests/rust/build/exec-O3.elf", 3);
}

/* The S-mode kernel: a hand-written Sleep future awaited by a task. */
static int kernel_guest(void)
{
	for (int o = 0; o < 4; o++) {
		char elf[64];
		snprintf(elf, sizeof(elf), "tests/guests/rust/build/kernel-O%d.elf", o);
		struct adisc *d = adisc_open(path(elf));
		CHECK(d, "%s", err_msg());
		int r = check_await(d, "kernel::rust_main::{async_block#0}", "Suspend0",
				    "tests/guests/rust/kernel.rs", "sleeper sleep", "kernel::Sleep");
		r = r || check_await(d, "kernel::rust_main::{async_block#1}", "Suspend0",
				     "tests/guests/rust/kernel.rs", "worker yield",
				     "kernel::executor::YieldNow");
		adisc_free(d);
		if (r)
			return 1;
	}
	return 0;
}

/* x86-64 (the eBPF back-end's architecture): same structure; a 40-byte Poll<[u64; 4]> comes
 * back through the return pointer, so self is the second argument. */
static int host_x86_64(void)
{
	for (int o = 0; o <= 3; o += 3) {
		char elf[64];
		snprintf(elf, sizeof(elf), "tests/guests/rust/build/host-O%d", o);
		struct adisc *d = adisc_open(path(elf));
		CHECK(d, "%s", err_msg());
		int r = adisc_machine(d) != EM_X86_64;
		r = r || check_await(d, "host::outer::{async_fn#0}", "Suspend0", HOST, "host outer inner",
				     "host::inner::{async_fn_env#0}");
		r = r || check_await(d, "host::inner::{async_fn#0}", "Suspend0", HOST, "host inner yield",
				     "host::executor::YieldNow");
		r = r || check_await(d, "host::wide::{async_fn#0}", "Suspend0", HOST, "host wide yield",
				     "host::executor::YieldNow");
		const struct adisc_future *w = by_name(d, "host::wide::{async_fn#0}");
		r = r || !w || w->poll.ret != ADISC_RET_PTR || w->poll.size != 40 || w->self_arg != 1;
		/* the executor's static VTABLE; at opt-level 0 also the anonymous NOOP (promoted
		 * constant, found by its shape; opt-level 3 folds its one use away) */
		const struct adisc_vtable *named = NULL, *anon = NULL;
		for (size_t i = 0; i < adisc_nvtables(d); i++) {
			const struct adisc_vtable *v = adisc_vtable(d, i);
			if (v->name && !strcmp(v->name, "host::executor::VTABLE"))
				named = v;
			else if (!v->name)
				anon = v;
		}
		r = r || !named || adisc_nvtables(d) != (o == 0 ? 2u : 1u) || (o == 0 && !anon);
		/* the PIE's vtables hold RELATIVE relocations: their slots are these functions */
		struct symtab *st = r ? NULL : symtab_load(path(elf), SYM_PRIV_ANY, 0);
		static const char *const fns[4] = {"waker_clone", "waker_wake", "waker_wake_by_ref",
						   "waker_drop"};
		static const char *const noop[4] = {"host::noop_clone", "host::noop", "host::noop",
						    "host::noop"};
		r = r || !st;
		for (int k = 0; !r && k < 4; k++) {
			const struct sym *sy = symtab_lookup(st, named->fn[k]);
			char want[64];
			snprintf(want, sizeof(want), "host::executor::%s", fns[k]);
			r = !sy || sy->addr != named->fn[k] ||
			    (strcmp(sy->name, want) && !(k >= 1 && k <= 2 && strstr(sy->name, "waker_wake")));
			if (!r && anon) {
				sy = symtab_lookup(st, anon->fn[k]);
				r = !sy || sy->addr != anon->fn[k] || strcmp(sy->name, noop[k]);
			}
		}
		symtab_free(st);
		adisc_free(d);
		CHECK(!r, "%s: x86-64 discovery", elf);
	}
	return 0;
}

/* Bad inputs: one clear message each; an ELF with DWARF but no async code is not an error. */
/* rustc 1.63 (exec163-O*): an executor polls GenFuture<T>::poll, and a generator body's resume
 * has no self parameter in DWARF. The GenFuture takes its generator's name and states, so the
 * await chain reads as with 1.96: consumer --Suspend0--> Recv, level1 --> GenFuture<level2>. */
static int genfuture_guest(const char *elf)
{
	static const char gen[] = "core::future::from_generator::GenFuture<";
	struct adisc *d = adisc_open(path(elf));
	const struct adisc_future *g, *body;
	const struct adisc_variant *v;
	int failed = 1;

	CHECK(d, "%s", err_msg());
	if (!adisc_rustc(d) || strcmp(adisc_rustc(d), "1.63.0")) {
		printf("FAIL genfuture_guest: %s: rustc %s\n", elf,
		       adisc_rustc(d) ? adisc_rustc(d) : "?");
		goto out;
	}
	body = by_type(d, "exec::consumer::{async_fn_env#0}");
	g = by_type(d, "core::future::from_generator::GenFuture<exec::consumer::{async_fn_env#0}>");
	if (!body || body->kind != ADISC_COROUTINE || !g || g->kind != ADISC_GENFUTURE ||
	    strcmp(g->name, "exec::consumer::{async_fn#0}") || !g->entry || g->state_off < 0 ||
	    g->variants != body->variants || g->nvariants != body->nvariants || g->nchildren) {
		printf("FAIL genfuture_guest: %s: consumer's GenFuture not linked to its body\n", elf);
		goto out;
	}
	v = variant_named(g, "Suspend0");
	if (!v || v->line != await_line(EXEC, "consumer recv") || !v->awaitee_type ||
	    strcmp(v->awaitee_type, "exec::Recv") || v->awaitee_future < 0) {
		printf("FAIL genfuture_guest: %s: consumer's Suspend0 does not await Recv at its line\n",
		       elf);
		goto out;
	}
	body = by_name(d, "exec::level1::{async_fn#0}");
	v = body ? variant_named(body, "Suspend0") : NULL;
	if (!v || !v->awaitee_type || strncmp(v->awaitee_type, gen, strlen(gen)) ||
	    v->awaitee_future < 0 ||
	    adisc_future(d, (size_t)v->awaitee_future)->kind != ADISC_GENFUTURE ||
	    strcmp(adisc_future(d, (size_t)v->awaitee_future)->name, "exec::level2::{async_fn#0}")) {
		printf("FAIL genfuture_guest: %s: level1 does not await level2's GenFuture\n", elf);
		goto out;
	}
	failed = 0;
out:
	adisc_free(d);
	return failed;
}

static int genfuture_O0(void)
{
	return genfuture_guest("tests/guests/rust/build/exec163-O0.elf");
}

static int genfuture_O2(void)
{
	return genfuture_guest("tests/guests/rust/build/exec163-O2.elf");
}

static int bad_inputs(void)
{
	struct adisc *d;

	d = adisc_open(path("tests/guests/rust/build/exec-stripped.elf"));
	CHECK(!d && err_msg() && strstr(err_msg(), "no DWARF"), "stripped: %s",
	      d ? "opened" : err_msg());
	d = adisc_open(path(EXECUTOR));
	CHECK(!d && err_msg() && strstr(err_msg(), "not an ELF"), "source file: %s",
	      d ? "opened" : err_msg());
	d = adisc_open(path("no/such/file"));
	CHECK(!d && err_msg() && strstr(err_msg(), "no/such/file"), "missing: %s",
	      d ? "opened" : err_msg());
	return 0;
}

int main(void)
{
	int failed = 0;

	failed += RUN(exec_O0);
	failed += RUN(exec_O1);
	failed += RUN(exec_O2);
	failed += RUN(exec_O3);
	failed += RUN(kernel_guest);
	failed += RUN(host_x86_64);
	failed += RUN(genfuture_O0);
	failed += RUN(genfuture_O2);
	failed += RUN(bad_inputs);
	return failed != 0;
}
