/* emu — see emu.h. */
#include "async/emu.h"
#include "async/tracer.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "machine/machine.h"
#include "trace/record.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct aemu {
	struct machine *m;
	struct recorder *r;
	struct atr *a;
	struct hart *harts[8]; /* for register reads at every poll and wake */
	unsigned nharts;
	void (*tap)(void *arg, const struct tev *ev);
	void *tap_arg;
};

/* Guest memory as the polling code saw it: through the satp recorded at the poll (M mode
 * sees physical memory). A hypervisor's guest (VS, VU: the poll's level, where the hart still
 * is) reads through the hart's two stages, vsatp and hgatp. No side effects on the guest
 * (cpu/debug.h). */
static int read_mem(void *ctx, unsigned hart, uint64_t satp, unsigned priv, uint64_t va,
		    void *buf, size_t len)
{
	struct aemu *e = ctx;
	struct cpu *c = machine_cpu(e->m);
	long n = tev_level_virt(priv) && hart < cpu_nharts(c)
		     ? hart_debug_read_mem(cpu_hart(c, hart), va, buf, len, CPU_MEM_VIRT)
		     : cpu_debug_read_satp(c, priv == 3 ? 0 : satp, va, buf, len);

	return n == (long)len ? 0 : -EFAULT;
}

static uint64_t read_reg(void *ctx, unsigned hart, unsigned r)
{
	struct aemu *e = ctx;

	return hart < e->nharts ? hart_get_xreg(e->harts[hart], r) : 0;
}

static void emit(void *ctx, const struct tev *ev)
{
	struct aemu *e = ctx;

	rec_emit(e->r, ev);
	if (e->tap)
		e->tap(e->tap_arg, ev);
}

int aemu_set_tap(struct recorder *r, void (*tap)(void *arg, const struct tev *ev), void *arg)
{
	void *ctx;

	if (!r || rec_observer(r, &ctx) != atr_observe)
		return -ENOENT;
	struct aemu *e = atr_ctx(ctx);
	e->tap = tap;
	e->tap_arg = arg;
	return 0;
}

static void aemu_free(struct aemu *e)
{
	atr_free(e->a);
	free(e);
}

/* The recorder's observer context is the tracer itself (no call in between). */
static void fini(void *ctx)
{
	aemu_free(atr_ctx(ctx));
}

int aemu_attach(struct recorder *r, struct machine *m, const char *const *elfs, unsigned n)
{
	static const struct atr_ops ops = {.read = read_mem, .reg = read_reg, .emit = emit};
	struct aemu *e = calloc(1, sizeof(*e));
	unsigned added = 0;

	if (!e)
		return -ENOMEM;
	e->m = m;
	e->r = r;
	e->nharts = cpu_nharts(machine_cpu(m));
	if (e->nharts > sizeof(e->harts) / sizeof(e->harts[0]))
		e->nharts = sizeof(e->harts) / sizeof(e->harts[0]);
	for (unsigned i = 0; i < e->nharts; i++)
		e->harts[i] = cpu_hart(machine_cpu(m), i);
	e->a = atr_new(&ops, e);
	if (!e->a) {
		free(e);
		return -ENOMEM;
	}
	uint64_t ram_base, ram_size;
	uint8_t *ram = machine_ram(m, &ram_base, &ram_size);

	atr_set_ram(e->a, ram, ram_base, ram_size);
	for (unsigned i = 0; i < n; i++) {
		struct adisc *d = adisc_open(elfs[i]);

		if (!d) {
			if (errno == ENOMEM)
				goto nomem;
			fprintf(stderr, "strata: --trace=async: %s; not traced\n", err_msg());
			err_clear();
			continue;
		}
		if (!adisc_nfutures(d)) {
			fprintf(stderr,
				"strata: --trace=async: %s: no async code (no coroutine bodies or "
				"Future::poll functions in its DWARF); not traced\n",
				elfs[i]);
			adisc_free(d);
			continue;
		}
		if (atr_add(e->a, d, 0) < 0) {
			adisc_free(d);
			goto nomem;
		}
		added++;
	}
	if (!added) {
		aemu_free(e);
		return 0;
	}
	rec_set_observer(r, atr_observe, fini, e->a);
	return 0;
nomem:
	aemu_free(e);
	return err_set(ENOMEM, "--trace=async: out of memory");
}
