/* target — strata's harts and memory as the stub's gdb_target_ops. */
#include "gdb/target.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "machine/machine.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static long t_read_mem(void *tp, unsigned hart, uint64_t addr, void *buf, size_t len, bool phys)
{
	struct hart *h = hart_of(tp, hart);

	return h ? hart_debug_read_mem(h, addr, buf, len, phys) : -EFAULT;
}

static long t_write_mem(void *tp, unsigned hart, uint64_t addr, const void *buf, size_t len,
			bool phys)
{
	struct hart *h = hart_of(tp, hart);

	return h ? hart_debug_write_mem(h, addr, buf, len, phys) : -EFAULT;
}

static int t_resume(void *tp, const enum gdb_resume *how)
{
	struct gdb_target *t = tp;
	uint64_t run = 0, step = 0;

	for (unsigned i = 0; i < t->nharts; i++) {
		if (how[i] == GDB_RESUME_STEP)
			step |= 1ull << i;
		else if (how[i] == GDB_RESUME_CONT)
			run |= 1ull << i;
	}
	/* A step is over after one instruction: harts told to continue meanwhile would run no
	 * further than that, so only the stepping harts run (all-stop mode). */
	if (step)
		run = step;
	for (unsigned i = 0; i < t->nharts; i++)
		hart_debug_resume(cpu_hart(t->cpu, i), (step >> i) & 1, i == t->last_hart);
	t->interrupted = false;
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
		if (hs.kind == HART_STOP_EVENT)
			snprintf(st->note, sizeof(st->note), "strata: hart %u stopped: %s\n", i,
				 hs.why);
		return 0;
	}
	st->kind = GDB_STOP_SIGNAL;
	st->hart = t->last_hart;
	if (t->interrupted)
		st->signal = 2; /* SIGINT */
	return 0;
}

/* The first symbol file that needs no relocation is GDB's executable; the others are its
 * libraries (the same file in both would give every breakpoint two locations). */
static int exec_index(const struct gdb_target *t)
{
	for (unsigned i = 0; i < t->nlibs; i++)
		if (t->libs_offset[i] == 0)
			return (int)i;
	return -1;
}

static const char *t_exec_file(void *tp)
{
	struct gdb_target *t = tp;
	int x = exec_index(t);

	return x < 0 ? NULL : t->libs[x].path;
}

static int t_libraries(void *tp, struct gdb_library *libs, unsigned max)
{
	struct gdb_target *t = tp;
	int x = exec_index(t);
	unsigned n = 0;

	for (unsigned i = 0; i < t->nlibs && n < max; i++)
		if ((int)i != x)
			libs[n++] = t->libs[i];
	return (int)n;
}

const struct gdb_target_ops gdb_target_ops = {
    .nthreads = t_nthreads,
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
};

/* The lowest address an ELF's loadable segments occupy (GDB relocates a library so that its
 * first segment lands at the address the list gives). */
static int elf_base(const char *path, uint64_t *base)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -ENOEXEC;
	Elf *e = NULL;
	size_t n;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &n) < 0)
		goto out;
	*base = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_memsz &&
		    ph.p_vaddr < *base)
			*base = ph.p_vaddr;
	}
	if (*base != UINT64_MAX)
		ret = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

int gdb_target_init(struct gdb_target *t, struct machine *m, const struct gdb_server_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->m = m;
	t->cpu = machine_cpu(m);
	t->nharts = cpu_nharts(t->cpu);
	t->cfg = cfg;
	t->rec = cfg->rec;
	for (unsigned i = 0; i < cfg->nfiles && t->nlibs < GDB_SERVER_MAX_FILES; i++) {
		uint64_t base = 0;
		char *abs;

		/* raw binaries have no symbols to offer: only ELF files go on the list */
		if (elf_base(cfg->files[i].path, &base) < 0)
			continue;
		abs = realpath(cfg->files[i].path, NULL);
		t->libs[t->nlibs].path = abs ? abs : strdup(cfg->files[i].path);
		if (!t->libs[t->nlibs].path)
			return err_set(ENOMEM, "--gdb: out of memory");
		t->libs[t->nlibs].addr = base + (uint64_t)cfg->files[i].offset;
		t->libs_offset[t->nlibs] = cfg->files[i].offset;
		t->nlibs++;
	}
	return 0;
}

void gdb_target_clear(struct gdb_target *t)
{
	cpu_debug_clear(t->cpu);
}

void gdb_target_fini(struct gdb_target *t)
{
	for (unsigned i = 0; i < t->nlibs; i++)
		free((char *)t->libs[i].path);
	t->nlibs = 0;
}
