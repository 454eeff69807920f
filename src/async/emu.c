/* emu — see emu.h. */
#include "async/emu.h"
#include "async/tracer.h"
#include "cpu/cpu.h"
#include "machine/machine.h"
#include "trace/record.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_BITS 12
#define PPN_MASK ((1ull << 44) - 1)

struct aemu {
	struct machine *m;
	struct recorder *r;
	struct atr *a;
};

/* Guest virtual -> physical as the hart sees it (Sv39/48/57; M mode and Bare are identity). */
static int va2pa(struct machine *m, uint64_t satp, unsigned priv, uint64_t va, uint64_t *pa)
{
	unsigned mode = (unsigned)(satp >> 60), levels;
	uint64_t a = (satp & PPN_MASK) << PG_BITS;

	if (priv == 3 || mode == 0) {
		*pa = va;
		return 0;
	}
	levels = mode == 8 ? 3 : mode == 9 ? 4 : mode == 10 ? 5 : 0;
	if (!levels)
		return -EINVAL;
	for (int i = (int)levels - 1; i >= 0; i--) {
		uint64_t idx = (va >> (PG_BITS + 9 * i)) & 0x1ff, pte;
		const uint8_t *p = machine_ram_ptr(m, a + idx * 8, 8);

		if (!p)
			return -EFAULT;
		memcpy(&pte, p, 8);
		if (!(pte & 1))
			return -EFAULT;
		if (pte & 0xa) { /* R or X: a leaf, maybe a superpage */
			uint64_t mask = (1ull << (PG_BITS + 9 * i)) - 1;
			*pa = ((((pte >> 10) & PPN_MASK) << PG_BITS) & ~mask) | (va & mask);
			return 0;
		}
		a = ((pte >> 10) & PPN_MASK) << PG_BITS;
	}
	return -EFAULT;
}

static int read_mem(void *ctx, unsigned hart, uint64_t satp, unsigned priv, uint64_t va,
		    void *buf, size_t len)
{
	struct aemu *e = ctx;
	uint8_t *out = buf;

	while (len) {
		size_t chunk = ((1u << PG_BITS) - (va & ((1u << PG_BITS) - 1)));
		uint64_t pa;
		const uint8_t *p;

		if (chunk > len)
			chunk = len;
		if (va2pa(e->m, satp, priv, va, &pa) < 0 || !(p = machine_ram_ptr(e->m, pa, chunk)))
			return -EFAULT;
		memcpy(out, p, chunk);
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}

static uint64_t read_reg(void *ctx, unsigned hart, unsigned r)
{
	struct aemu *e = ctx;
	struct cpu *c = machine_cpu(e->m);

	return hart < cpu_nharts(c) ? hart_get_xreg(cpu_hart(c, hart), r) : 0;
}

static void emit(void *ctx, const struct tev *ev)
{
	struct aemu *e = ctx;

	rec_emit(e->r, ev);
}

static void observe(void *ctx, const struct tev *ev)
{
	struct aemu *e = ctx;

	atr_observe(e->a, ev);
}

static void fini(void *ctx)
{
	struct aemu *e = ctx;

	atr_free(e->a);
	free(e);
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
	e->a = atr_new(&ops, e);
	if (!e->a) {
		free(e);
		return -ENOMEM;
	}
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
		fini(e);
		return 0;
	}
	rec_set_observer(r, observe, fini, e);
	return 0;
nomem:
	fini(e);
	return err_set(ENOMEM, "--trace=async: out of memory");
}
