/* target — strata's harts and memory as the stub's gdb_target_ops. */
#include "gdb/target.h"
#include "gdb/abrk.h"
#include "async/emu.h"
#include "async/picture.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "machine/console.h"
#include "machine/machine.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The libraries that apply to code running on h now (bit i: libs[i]). */
static uint32_t gdb_target_applicable(struct gdb_target *t, struct hart *h);

static unsigned t_nthreads(void *tp)
{
	return ((struct gdb_target *)tp)->nharts;
}

static struct hart *hart_of(struct gdb_target *t, unsigned hart)
{
	return hart < t->nharts ? cpu_hart(t->cpu, hart) : NULL;
}

static int t_read_reg(void *tp, unsigned hart, unsigned regno, uint64_t *val)
{
	struct hart *h = hart_of(tp, hart);

	return h ? hart_debug_read_reg(h, regno, val) : -ENOENT;
}

static int t_write_reg(void *tp, unsigned hart, unsigned regno, uint64_t val)
{
	struct hart *h = hart_of(tp, hart);

	return h ? hart_debug_write_reg(h, regno, val) : -ENOENT;
}

/* space: enum gdb_mem_space, which is cpu/debug.h's enum cpu_mem_space */
static long t_read_mem(void *tp, unsigned hart, uint64_t addr, void *buf, size_t len,
		       unsigned space)
{
	struct hart *h = hart_of(tp, hart);

	return h ? hart_debug_read_mem(h, addr, buf, len, space) : -EFAULT;
}

static long t_write_mem(void *tp, unsigned hart, uint64_t addr, const void *buf, size_t len,
			unsigned space)
{
	struct hart *h = hart_of(tp, hart);

	return h ? hart_debug_write_mem(h, addr, buf, len, space) : -EFAULT;
}

static int t_resume(void *tp, const enum gdb_resume *how)
{
	struct gdb_target *t = tp;
	uint64_t run = 0, step = 0;

	if (t->held) { /* GDB read the library list: now the stop it was told of first */
		t->held = false;
		return 0;
	}
	for (unsigned i = 0; i < t->nharts; i++) {
		if (how[i] == GDB_RESUME_STEP)
			step |= 1ull << i;
		else if (how[i] == GDB_RESUME_CONT)
			run |= 1ull << i;
	}
	/* A step is over after one instruction: harts told to continue meanwhile would run no
	 * further than that, so only the stepping harts run (all-stop mode). */
	/* (with snapshots, all run: a step then keeps the harts' interleaving as it is without
	 * the debugger, which going back relies on) */
	if (step)
		run = t->cfg->snaps && t->nharts > 1 ? ~0ull : step;
	for (unsigned i = 0; i < t->nharts; i++)
		hart_debug_resume(cpu_hart(t->cpu, i), (step >> i) & 1, i == t->last_hart);
	t->interrupted = false;
	t->run_mask = run;
	t->rev.mode = REV_NONE; /* forward again: no reverse execution's stop is pending */
	t->rev.have_report = false;
	machine_debug_goto(t->m, 0);
	gdb_reverse_tick(t); /* the first snapshot: where GDB first lets the machine run */
	gdb_reverse_resumed(t, step != 0);
	machine_debug_resume(t->m, run);
	return 0;
}

static void t_interrupt(void *tp)
{
	struct gdb_target *t = tp;

	t->interrupted = true;
	machine_debug_halt(t->m);
}

static int bp_op(void *tp, enum gdb_bp_type type, uint64_t addr, uint64_t kind, bool set)
{
	struct gdb_target *t = tp;
	int e;

	switch (type) {
	case GDB_BP_SW:
	case GDB_BP_HW:
		if (kind != 2 && kind != 4)
			return -EINVAL; /* RISC-V breakpoint kinds: the instruction's length */
		if (set) {
			e = cpu_bp_add(t->cpu, addr, type == GDB_BP_HW ? CPU_BP_HW : CPU_BP_SW);
			return e == -EEXIST ? 0 : e;
		}
		return cpu_bp_remove(t->cpu, addr, type == GDB_BP_HW ? CPU_BP_HW : CPU_BP_SW);
	case GDB_WP_WRITE:
	case GDB_WP_READ:
	case GDB_WP_ACCESS: {
		enum cpu_wp_type w = type == GDB_WP_WRITE  ? CPU_WP_WRITE
				     : type == GDB_WP_READ ? CPU_WP_READ
							   : CPU_WP_ACCESS;
		if (set) {
			e = cpu_wp_add(t->cpu, addr, kind, w);
			return e == -EEXIST ? 0 : e;
		}
		return cpu_wp_remove(t->cpu, addr, kind, w);
	}
	}
	return -EOPNOTSUPP;
}

static int t_set_bp(void *tp, enum gdb_bp_type type, uint64_t addr, uint64_t kind)
{
	return bp_op(tp, type, addr, kind, true);
}

static int t_clear_bp(void *tp, enum gdb_bp_type type, uint64_t addr, uint64_t kind)
{
	return bp_op(tp, type, addr, kind, false);
}

static int t_stop_reason(void *tp, struct gdb_stop *st)
{
	static const enum gdb_stop_kind kinds[] = {
	    [HART_STOP_SWBREAK] = GDB_STOP_SWBREAK, [HART_STOP_HWBREAK] = GDB_STOP_HWBREAK,
	    [HART_STOP_WATCH] = GDB_STOP_WATCH,	    [HART_STOP_RWATCH] = GDB_STOP_RWATCH,
	    [HART_STOP_AWATCH] = GDB_STOP_AWATCH,
	};
	struct gdb_target *t = tp;
	struct hart_stop hs;

	memset(st, 0, sizeof(*st));
	st->signal = 5; /* SIGTRAP */
	if (gdb_reverse_stop(t, st))
		return 0;

	if (t->exited) {
		st->kind = GDB_STOP_EXITED;
		st->exit_code = t->exit_code;
		return 0;
	}
	for (unsigned i = 0; i < t->nharts; i++) {
		if (!hart_debug_stopped(cpu_hart(t->cpu, i), &hs))
			continue;
		st->hart = t->last_hart = i;
		st->kind = hs.kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[hs.kind]
			       ? kinds[hs.kind]
			       : GDB_STOP_SIGNAL;
		st->addr = hs.addr;
		if (hs.kind == HART_STOP_LIBCHECK) {
			/* GDB re-reads the list and resumes by itself (stub.h) */
			t->reported = t->cur = gdb_target_applicable(t, cpu_hart(t->cpu, i));
			st->library_changed = true;
		}
		/* An event (break-on vmentry, ...) preempts the library check of the same level
		 * change. GDB treats a stop with `library:` as a library event and resumes, so when
		 * the list changed this stop is a library stop first, and the next resume reports
		 * the event without running (the machine stays halted). */
		if (hs.kind == HART_STOP_EVENT && !t->held) {
			uint32_t now = gdb_target_applicable(t, cpu_hart(t->cpu, i));

			if (now != t->reported) {
				t->reported = t->cur = now;
				st->kind = GDB_STOP_SIGNAL;
				st->library_changed = true;
				t->held = true;
				return 0;
			}
		}
		if (hs.kind == HART_STOP_EVENT) {
			char tree[480] = "";
			gdb_abrk_note(t, tree, sizeof(tree));
			snprintf(st->note, sizeof(st->note), "strata: hart %u stopped: %s\n%s", i,
				 hs.why, tree);
		}
		return 0;
	}
	st->kind = GDB_STOP_SIGNAL;
	st->hart = t->last_hart;
	if (t->interrupted)
		st->signal = 2; /* SIGINT */
	return 0;
}

static const char *t_exec_file(void *tp)
{
	struct gdb_target *t = tp;

	return t->exec < 0 ? NULL : t->libs[t->exec].path;
}

/* The libraries that apply where the last stopped hart is (the executable is not one of them):
 * GDB reads them at a library stop, and whenever it asks (`sharedlibrary` after an event stop,
 * e.g. break-on vmentry into a guest whose kernel shares the firmware's addresses). */
static int t_libraries(void *tp, struct gdb_library *libs, unsigned max)
{
	struct gdb_target *t = tp;
	unsigned n = 0;
	struct hart *h = cpu_hart(t->cpu, t->last_hart);

	if (h && hart_debug_stopped(h, NULL))
		t->reported = t->cur = gdb_target_applicable(t, h);

	for (unsigned i = 0; i < t->nlibs && n < max; i++)
		if ((int)i != t->exec && ((t->reported >> i) & 1))
			libs[n++] = t->libs[i];
	return (int)n;
}

/* The registers of the machine's ISA: the FPU if F is on, every CSR of the CPU's CSR table that
 * exists with its extensions. */
static int t_registers(void *tp, struct gdb_regs_desc *d)
{
	struct gdb_target *t = tp;
	isa_t isa = cpu_isa(t->cpu);

	d->xlen = isa_xlen(isa);
	d->fpu = isa_has(isa, ISA_F);
	for (unsigned csr = 0; csr < 4096 && d->ncsrs < GDB_MAX_CSRS; csr++)
		if (cpu_csr_name(isa, csr, d->csrs[d->ncsrs].name, sizeof(d->csrs[0].name)) == 0)
			d->csrs[d->ncsrs++].num = (uint16_t)csr;
	return 0;
}

const struct gdb_target_ops gdb_target_ops = {
    .nthreads = t_nthreads,
    .registers = t_registers,
    .read_reg = t_read_reg,
    .write_reg = t_write_reg,
    .read_mem = t_read_mem,
    .write_mem = t_write_mem,
    .resume = t_resume,
    .interrupt = t_interrupt,
    .set_bp = t_set_bp,
    .clear_bp = t_clear_bp,
    .stop_reason = t_stop_reason,
    .libraries = t_libraries,
    .exec_file = t_exec_file,
    .monitor = gdb_monitor,
    .reverse = gdb_reverse,
};

/* An ELF's loadable span (GDB relocates a library so that its first segment lands at the
 * address the list gives) and the first bytes of its first executable segment. */
static int elf_info(const char *path, struct gdb_lib_info *li)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -ENOEXEC;
	bool have_sig = false;
	Elf *e = NULL;
	size_t n;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &n) < 0)
		goto out;
	li->lo = UINT64_MAX;
	li->hi = 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_vaddr < li->lo)
			li->lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > li->hi)
			li->hi = ph.p_vaddr + ph.p_memsz;
		if (!have_sig && (ph.p_flags & PF_X) && ph.p_filesz) {
			size_t k = ph.p_filesz < sizeof(li->sig) ? ph.p_filesz : sizeof(li->sig);

			if (pread(fd, li->sig, k, (off_t)ph.p_offset) == (ssize_t)k) {
				li->sig_addr = ph.p_vaddr;
				li->siglen = (unsigned)k;
				have_sig = true;
			}
		}
	}
	if (li->lo != UINT64_MAX)
		ret = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

static bool overlap(const struct gdb_lib_info *a, const struct gdb_lib_info *b)
{
	return a->lo < b->hi && b->lo < a->hi;
}

/* Programs: files of a user level (U, or a guest's VU), whose address spaces overlap. */
static bool user_level(int priv)
{
	return priv == 0 || priv == 4;
}

/* How well a file meant for privilege fp fits code running at priv (levels: a hypervisor's
 * guest kernel, VS, and the hypervisor, S, may share addresses). */
static int fit(int fp, unsigned priv)
{
	return fp == (int)priv ? 2 : fp < 0 ? 1 : 0;
}

static uint32_t gdb_target_applicable(struct gdb_target *t, struct hart *h)
{
	uint32_t m = 0;
	uint64_t lvl = hart_priv(h);
	unsigned priv;

	hart_debug_read_reg(h, 4161, &lvl); /* the level: V in bit 2 */
	priv = (unsigned)lvl;

	/* user programs sharing addresses: the one whose code is in the current address space */
	for (unsigned i = 0; i < t->nlibs; i++) {
		const struct gdb_lib_info *a = &t->info[i];
		bool shared = false;

		for (unsigned j = 0; j < t->nlibs && user_level(a->priv); j++)
			shared |= j != i && t->info[j].priv == a->priv && overlap(a, &t->info[j]);
		if (shared) {
			uint8_t buf[sizeof(a->sig)];

			if (!a->siglen ||
			    hart_debug_read_user(h, a->sig_addr, buf, a->siglen) !=
				(long)a->siglen ||
			    memcmp(buf, a->sig, a->siglen))
				continue;
		}
		m |= 1u << i;
	}
	/* files of different privilege levels sharing addresses: the one of the current level */
	for (unsigned i = 0; i < t->nlibs; i++) {
		for (unsigned j = 0; j < t->nlibs; j++) {
			if (i == j || (int)i == t->exec || !((m >> i) & 1) || !((m >> j) & 1) ||
			    !overlap(&t->info[i], &t->info[j]) ||
			    t->info[i].priv == t->info[j].priv)
				continue;
			/* GDB's executable stays, except over a file of the hart's own guest level:
			 * a guest's kernel may sit at the firmware's addresses (guest virtual) */
			bool guest_own = priv >= 4 && fit(t->info[i].priv, priv) == 2 &&
					 fit(t->info[j].priv, priv) < 2;
			if (fit(t->info[j].priv, priv) > fit(t->info[i].priv, priv) ||
			    (fit(t->info[j].priv, priv) == fit(t->info[i].priv, priv) && j < i) ||
			    ((int)j == t->exec && !guest_own))
				m &= ~(1u << i);
		}
	}
	if (t->exec >= 0)
		m |= 1u << t->exec;
	return m;
}

void gdb_target_connected(struct gdb_target *t)
{
	unsigned what = 0;

	for (unsigned i = 0; i < t->nlibs; i++) {
		for (unsigned j = i + 1; j < t->nlibs; j++) {
			if (!overlap(&t->info[i], &t->info[j]))
				continue;
			if (user_level(t->info[i].priv) && t->info[i].priv == t->info[j].priv)
				what |= CPU_LIBCHECK_SATP;
			else if (t->info[i].priv != t->info[j].priv)
				what |= CPU_LIBCHECK_PRIV;
		}
	}
	cpu_set_libcheck(t->cpu, what);
	t->reported = t->cur = gdb_target_applicable(t, cpu_hart(t->cpu, 0));
}

void gdb_target_disconnected(struct gdb_target *t)
{
	t->held = false;
	cpu_set_libcheck(t->cpu, 0);
}

bool gdb_target_quiet_resume(struct gdb_target *t)
{
	struct hart_stop hs;
	bool any = false;

	if (t->rev.mode != REV_NONE)
		return gdb_reverse_halted(t);
	if (t->interrupted || t->exited)
		return false;
	for (unsigned i = 0; i < t->nharts; i++) {
		struct hart *h = cpu_hart(t->cpu, i);

		if (!hart_debug_stopped(h, &hs))
			continue;
		if (hs.kind != HART_STOP_LIBCHECK || gdb_target_applicable(t, h) != t->reported)
			return false;
		any = true;
	}
	if (!any)
		return false;
	for (unsigned i = 0; i < t->nharts; i++) {
		struct hart *h = cpu_hart(t->cpu, i);

		if (hart_debug_stopped(h, NULL))
			hart_debug_resume(h, false, false);
	}
	machine_debug_resume(t->m, t->run_mask);
	return true;
}

int gdb_target_init(struct gdb_target *t, struct machine *m, const struct gdb_server_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->m = m;
	t->cpu = machine_cpu(m);
	t->nharts = cpu_nharts(t->cpu);
	t->cfg = cfg;
	t->rec = cfg->rec;
	gdb_abrk_attach(t); /* from the start if tracing async: names of every future */
	t->exec = -1;
	t->run_mask = ~0ull;
	for (unsigned i = 0; i < cfg->nfiles && t->nlibs < GDB_SERVER_MAX_FILES; i++) {
		struct gdb_lib_info *li = &t->info[t->nlibs];
		int64_t off = cfg->files[i].offset;
		char *abs;

		/* raw binaries have no symbols to offer: only ELF files go on the list */
		memset(li, 0, sizeof(*li));
		if (elf_info(cfg->files[i].path, li) < 0)
			continue;
		li->offset = off;
		li->priv = cfg->files[i].priv;
		li->lo += (uint64_t)off;
		li->hi += (uint64_t)off;
		li->sig_addr += (uint64_t)off;
		/* the first file needing no relocation is GDB's executable; the others are its
		 * libraries (one file in both would give every breakpoint two locations) */
		if (t->exec < 0 && off == 0)
			t->exec = (int)t->nlibs;
		abs = realpath(cfg->files[i].path, NULL);
		t->libs[t->nlibs].path = abs ? abs : strdup(cfg->files[i].path);
		if (!t->libs[t->nlibs].path)
			return err_set(ENOMEM, "--gdb: out of memory");
		t->libs[t->nlibs].addr = li->lo;
		t->nlibs++;
	}
	return 0;
}

void gdb_target_clear(struct gdb_target *t)
{
	cpu_debug_clear(t->cpu);
	gdb_abrk_clear(t);
}

void gdb_target_fini(struct gdb_target *t)
{
	if (t->abrk) /* the tracer outlives the stub (the recorder closes later) */
		aemu_set_tap(t->rec, NULL, NULL);
	gdb_abrk_free(t->abrk);
	t->abrk = NULL;
	apic_free(t->apic);
	t->apic = NULL;
	for (unsigned i = 0; i < t->nlibs; i++)
		free((char *)t->libs[i].path);
	t->nlibs = 0;
}
