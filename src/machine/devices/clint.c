#include "machine/devices/clint.h"

#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu.h"

struct clint {
	unsigned nharts;
	struct clint_host host;
	uint32_t msip[CLINT_MAX_HARTS];
	uint64_t mtimecmp[CLINT_MAX_HARTS];
	/* As QEMU: mtimecmp resets to 0 but MTIP stays low until the guest first writes it. */
	bool armed[CLINT_MAX_HARTS];
	bool mtip[CLINT_MAX_HARTS];
	char name_buf[24];
};

struct clint *clint_new(unsigned nharts, const struct clint_host *host)
{
	struct clint *c;

	if (nharts == 0 || nharts > CLINT_MAX_HARTS) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->nharts = nharts;
	c->host = *host;
	return c;
}

void clint_free(struct clint *c)
{
	free(c);
}

static void set_mtip(struct clint *c, unsigned h, bool level)
{
	if (c->mtip[h] == level)
		return;
	c->mtip[h] = level;
	c->host.set_irq(c->host.ctx, h, MIP_MTIP, level);
}

void clint_update_timers(struct clint *c, uint64_t mtime)
{
	for (unsigned h = 0; h < c->nharts; h++)
		set_mtip(c, h, c->armed[h] && mtime >= c->mtimecmp[h]);
}

uint64_t clint_next_deadline(const struct clint *c, uint64_t mtime)
{
	uint64_t next = UINT64_MAX;

	for (unsigned h = 0; h < c->nharts; h++)
		if (c->armed[h] && c->mtimecmp[h] > mtime && c->mtimecmp[h] < next)
			next = c->mtimecmp[h];
	return next;
}

uint64_t clint_mtimecmp(const struct clint *c, unsigned hart)
{
	return hart < c->nharts ? c->mtimecmp[hart] : 0;
}

/* Split a 4- or 8-byte access to a 64-bit register into (register offset, byte shift). */
static bool reg64_access(uint64_t offset, unsigned size, uint64_t *reg, unsigned *shift)
{
	if (size != 4 && size != 8)
		return false;
	if (offset & (size - 1))
		return false;
	*reg = offset & ~7ull;
	*shift = (offset & 4) * 8;
	return true;
}

static int clint_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct clint *c = opaque;
	uint64_t reg, v;
	unsigned shift;

	if (offset < CLINT_MSIP_BASE + 4 * c->nharts) {
		if (size != 4 || offset & 3)
			return -1;
		*val = c->msip[offset / 4];
		return 0;
	}
	if (!reg64_access(offset, size, &reg, &shift))
		return -1;
	if (reg >= CLINT_MTIMECMP_BASE && reg < CLINT_MTIMECMP_BASE + 8 * c->nharts)
		v = c->mtimecmp[(reg - CLINT_MTIMECMP_BASE) / 8];
	else if (reg == CLINT_MTIME)
		v = c->host.get_mtime(c->host.ctx);
	else {
		*val = 0; /* unimplemented space reads as zero, as QEMU */
		return 0;
	}
	*val = size == 8 ? v : (uint32_t)(v >> shift);
	return 0;
}

static uint64_t merge(uint64_t old, unsigned size, unsigned shift, uint64_t val)
{
	if (size == 8)
		return val;
	return (old & ~(0xffffffffull << shift)) | ((val & 0xffffffffull) << shift);
}

static int clint_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct clint *c = opaque;
	uint64_t reg, mtime;
	unsigned shift, h;

	if (offset < CLINT_MSIP_BASE + 4 * c->nharts) {
		if (size != 4 || offset & 3)
			return -1;
		h = offset / 4;
		c->msip[h] = val & 1;
		c->host.set_irq(c->host.ctx, h, MIP_MSIP, val & 1);
		return 0;
	}
	if (!reg64_access(offset, size, &reg, &shift))
		return -1;
	if (reg >= CLINT_MTIMECMP_BASE && reg < CLINT_MTIMECMP_BASE + 8 * c->nharts) {
		h = (reg - CLINT_MTIMECMP_BASE) / 8;
		c->mtimecmp[h] = merge(c->mtimecmp[h], size, shift, val);
		c->armed[h] = true;
	} else if (reg == CLINT_MTIME) {
		mtime = c->host.get_mtime(c->host.ctx);
		c->host.set_mtime(c->host.ctx, merge(mtime, size, shift, val));
	} else {
		return 0; /* ignored, as QEMU */
	}
	clint_update_timers(c, c->host.get_mtime(c->host.ctx));
	if (c->host.timer_changed)
		c->host.timer_changed(c->host.ctx);
	return 0;
}

static const char *clint_reg_name(void *opaque, uint64_t offset)
{
	struct clint *c = opaque;

	if (offset < 4 * c->nharts)
		snprintf(c->name_buf, sizeof(c->name_buf), "msip%u", (unsigned)(offset / 4));
	else if (offset >= CLINT_MTIMECMP_BASE && offset < CLINT_MTIMECMP_BASE + 8 * c->nharts)
		snprintf(c->name_buf, sizeof(c->name_buf), "mtimecmp%u%s",
			 (unsigned)((offset - CLINT_MTIMECMP_BASE) / 8), offset & 4 ? ".hi" : "");
	else if ((offset & ~7ull) == CLINT_MTIME)
		return offset & 4 ? "mtime.hi" : "mtime";
	else
		return NULL;
	return c->name_buf;
}

static void *clint_state(void *opaque, size_t *size)
{
	struct clint *c = opaque;

	*size = offsetof(struct clint, name_buf) - offsetof(struct clint, msip);
	return c->msip;
}

const struct mmio_ops clint_ops = {
    .read = clint_read,
    .write = clint_write,
    .reg_name = clint_reg_name,
    .state = clint_state,
};
