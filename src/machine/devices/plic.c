#include "machine/devices/plic.h"

#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu.h"

#define PLIC_WORDS   ((PLIC_NSRC + 1 + 31) / 32)
#define PLIC_MAX_CTX (2 * PLIC_MAX_HARTS)

struct plic {
	unsigned nharts, nctx;
	struct plic_host host;
	uint32_t priority[PLIC_NSRC + 1];
	bool pending[PLIC_NSRC + 1]; /* the level the device last signalled; a claim clears it */
	bool claimed[PLIC_NSRC + 1]; /* claimed, not yet completed: not delivered again */
	uint32_t enable[PLIC_MAX_CTX][PLIC_WORDS];
	uint32_t threshold[PLIC_MAX_CTX];
	bool out[PLIC_MAX_CTX];
	char name_buf[32];
};

struct plic *plic_new(unsigned nharts, const struct plic_host *host)
{
	struct plic *p;

	if (nharts == 0 || nharts > PLIC_MAX_HARTS) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->nharts = nharts;
	p->nctx = 2 * nharts;
	p->host = *host;
	return p;
}

void plic_free(struct plic *p)
{
	free(p);
}

static bool enabled(const struct plic *p, unsigned ctx, unsigned src)
{
	return p->enable[ctx][src / 32] >> (src % 32) & 1;
}

/* Highest-priority pending source enabled for ctx above its threshold (ties: lowest id), or 0. */
static unsigned best_source(const struct plic *p, unsigned ctx)
{
	unsigned best = 0;
	uint32_t best_prio = p->threshold[ctx];

	for (unsigned src = 1; src <= PLIC_NSRC; src++)
		if (p->pending[src] && !p->claimed[src] && enabled(p, ctx, src) &&
		    p->priority[src] > best_prio) {
			best = src;
			best_prio = p->priority[src];
		}
	return best;
}

static void update(struct plic *p)
{
	for (unsigned ctx = 0; ctx < p->nctx; ctx++) {
		bool level = best_source(p, ctx) != 0;
		if (level == p->out[ctx])
			continue;
		p->out[ctx] = level;
		p->host.set_irq(p->host.ctx, ctx / 2, ctx % 2 ? MIP_SEIP : MIP_MEIP, level);
	}
}

/* As QEMU 7.2's sifive_plic: every signal from a device sets the pending bit to the level it
 * signals (high pends, low withdraws), claimed or not; a claim clears it, and nothing pends
 * the source again until the device signals again. The spec's level-sensitive gateway would
 * re-pend a line still high at completion; xv6, which never reads the UART's IIR, depends on
 * QEMU's behaviour (docs/DECISIONS.md). */
void plic_set_irq(struct plic *p, unsigned src, bool level)
{
	if (src == 0 || src > PLIC_NSRC)
		return;
	p->pending[src] = level;
	update(p);
}

static unsigned claim(struct plic *p, unsigned ctx)
{
	unsigned src = best_source(p, ctx);

	if (src) {
		p->pending[src] = false;
		p->claimed[src] = true;
		update(p);
	}
	return src;
}

static void complete(struct plic *p, unsigned ctx, uint32_t src)
{
	/* As the spec: completing an id not enabled for this context is ignored. */
	if (src == 0 || src > PLIC_NSRC || !enabled(p, ctx, src) || !p->claimed[src])
		return;
	p->claimed[src] = false;
	update(p);
}

static int plic_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct plic *p = opaque;
	unsigned ctx, w;
	uint32_t v = 0;

	if (size != 4 || offset & 3)
		return -1;
	if (offset < PLIC_PENDING_BASE) {
		if (offset / 4 <= PLIC_NSRC)
			v = p->priority[offset / 4];
	} else if (offset < PLIC_ENABLE_BASE) {
		w = (offset - PLIC_PENDING_BASE) / 4;
		for (unsigned b = 0; w < PLIC_WORDS && b < 32; b++)
			if (w * 32 + b <= PLIC_NSRC && p->pending[w * 32 + b])
				v |= 1u << b;
	} else if (offset < PLIC_CONTEXT_BASE) {
		ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
		w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
		if (ctx < p->nctx && w < PLIC_WORDS)
			v = p->enable[ctx][w];
	} else {
		ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
		if (ctx < p->nctx && offset % PLIC_CONTEXT_STRIDE == 0)
			v = p->threshold[ctx];
		else if (ctx < p->nctx && offset % PLIC_CONTEXT_STRIDE == 4)
			v = claim(p, ctx);
	}
	*val = v;
	return 0;
}

static int plic_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct plic *p = opaque;
	unsigned ctx, w;

	if (size != 4 || offset & 3)
		return -1;
	if (offset < PLIC_PENDING_BASE) {
		if (offset / 4 >= 1 && offset / 4 <= PLIC_NSRC)
			p->priority[offset / 4] = val & PLIC_PRIO_MASK;
	} else if (offset < PLIC_ENABLE_BASE) {
		return 0; /* pending bits are read-only */
	} else if (offset < PLIC_CONTEXT_BASE) {
		ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
		w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
		if (ctx < p->nctx && w < PLIC_WORDS) {
			p->enable[ctx][w] = val;
			if (w == 0)
				p->enable[ctx][0] &= ~1u; /* source 0 does not exist */
			if (w == PLIC_WORDS - 1 && (PLIC_NSRC + 1) % 32)
				p->enable[ctx][w] &= (1u << ((PLIC_NSRC + 1) % 32)) - 1;
		}
	} else {
		ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
		if (ctx >= p->nctx)
			return 0;
		if (offset % PLIC_CONTEXT_STRIDE == 0)
			p->threshold[ctx] = val & PLIC_PRIO_MASK;
		else if (offset % PLIC_CONTEXT_STRIDE == 4)
			complete(p, ctx, val);
		else
			return 0;
	}
	update(p);
	return 0;
}

static const char *plic_reg_name(void *opaque, uint64_t offset)
{
	struct plic *p = opaque;
	char *b = p->name_buf;
	size_t n = sizeof(p->name_buf);

	if (offset < PLIC_PENDING_BASE)
		snprintf(b, n, "priority%u", (unsigned)(offset / 4));
	else if (offset < PLIC_ENABLE_BASE)
		snprintf(b, n, "pending%u", (unsigned)((offset - PLIC_PENDING_BASE) / 4));
	else if (offset < PLIC_CONTEXT_BASE)
		snprintf(b, n, "enable%u.%u",
			 (unsigned)((offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE),
			 (unsigned)((offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4));
	else if (offset % PLIC_CONTEXT_STRIDE == 0)
		snprintf(b, n, "threshold%u",
			 (unsigned)((offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE));
	else if (offset % PLIC_CONTEXT_STRIDE == 4)
		snprintf(b, n, "claim%u",
			 (unsigned)((offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE));
	else
		return NULL;
	return b;
}

static void *plic_state(void *opaque, size_t *size)
{
	struct plic *p = opaque;

	*size = offsetof(struct plic, name_buf) - offsetof(struct plic, priority);
	return p->priority;
}

const struct mmio_ops plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .reg_name = plic_reg_name,
    .state = plic_state,
};
