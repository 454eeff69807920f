/* test_target — the fake target of the stub tests: 2 harts, 256 bytes of memory seen at virtual
 * 0x1000 and physical 0x80001000, a few CSRs, breakpoints recorded in a small table, and a stop
 * reason the test scripts. Included by stub_test.c and rsp_fuzz_test.c only. */
#ifndef STRATA_GDB_TEST_TARGET_H
#define STRATA_GDB_TEST_TARGET_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdb/stub.h"

#define FT_HARTS     2
#define FT_MEM_VA    0x1000u
#define FT_MEM_PA    0x80001000u
#define FT_MEM_GPA   0x40001000u /* the same bytes as the guest physical address */
#define FT_MEM_BYTES 256u
#define FT_MAX_BP    8

struct ft_bp {
	enum gdb_bp_type type;
	uint64_t addr, kind;
};

struct fake_target {
	uint64_t x[FT_HARTS][33]; /* x0..x31, pc */
	uint64_t f[FT_HARTS][32];
	uint64_t fcsr[FT_HARTS];
	uint64_t mstatus[FT_HARTS], satp[FT_HARTS];
	uint64_t priv[FT_HARTS];
	uint8_t mem[FT_MEM_BYTES];
	enum gdb_resume how[FT_HARTS];
	int resumes, interrupts;
	struct ft_bp bp[FT_MAX_BP];
	int nbp;
	struct gdb_stop stop;
	int nlibs;
	char last_monitor[64];
};

static unsigned ft_nthreads(void *t)
{
	return FT_HARTS;
}

/* The register's storage, or NULL if this hart does not have it. */
static uint64_t *ft_reg(struct fake_target *ft, unsigned h, unsigned r)
{
	if (h >= FT_HARTS)
		return NULL;
	if (r <= GDB_REG_PC)
		return &ft->x[h][r];
	if (r >= GDB_REG_F0 && r < GDB_REG_F0 + 32)
		return &ft->f[h][r - GDB_REG_F0];
	if (r == GDB_REG_CSR(3))
		return &ft->fcsr[h];
	if (r == GDB_REG_CSR(0x300))
		return &ft->mstatus[h];
	if (r == GDB_REG_CSR(0x180))
		return &ft->satp[h];
	if (r == GDB_REG_PRIV)
		return &ft->priv[h];
	return NULL;
}

static int ft_read_reg(void *t, unsigned h, unsigned r, uint64_t *v)
{
	struct fake_target *ft = t;
	uint64_t *p = ft_reg(ft, h, r);

	if (r == GDB_REG_CSR(1) || r == GDB_REG_CSR(2)) { /* fflags, frm: views of fcsr */
		*v = r == GDB_REG_CSR(1) ? ft->fcsr[h % FT_HARTS] & 0x1f
					 : ft->fcsr[h % FT_HARTS] >> 5 & 7;
		return 0;
	}
	if (r == GDB_REG_CSR(0xf14)) {
		*v = h;
		return 0;
	}
	if (!p)
		return -ENOENT;
	*v = *p;
	return 0;
}

static int ft_write_reg(void *t, unsigned h, unsigned r, uint64_t v)
{
	struct fake_target *ft = t;
	uint64_t *p = ft_reg(ft, h, r);

	if (!p)
		return -ENOENT;
	if (r == GDB_REG_PRIV && (v > 5 || v == 2))
		return -EINVAL;
	if (r != 0)
		*p = v;
	return 0;
}

static long ft_span(uint64_t addr, size_t len, unsigned space, size_t *off)
{
	/* guest physical: the fake guest's memory sits at FT_MEM_GPA */
	uint64_t base = space == GDB_MEM_PHYS ? FT_MEM_PA : space == GDB_MEM_GPA ? FT_MEM_GPA : FT_MEM_VA;

	if (addr < base || addr >= base + FT_MEM_BYTES)
		return -EFAULT;
	*off = (size_t)(addr - base);
	return (long)(len < FT_MEM_BYTES - *off ? len : FT_MEM_BYTES - *off);
}

static long ft_read_mem(void *t, unsigned h, uint64_t addr, void *buf, size_t len, unsigned space)
{
	struct fake_target *ft = t;
	size_t off;
	long n = ft_span(addr, len, space, &off);

	if (n > 0)
		memcpy(buf, ft->mem + off, (size_t)n);
	return n;
}

static long ft_write_mem(void *t, unsigned h, uint64_t addr, const void *buf, size_t len,
			 unsigned space)
{
	struct fake_target *ft = t;
	size_t off;
	long n = ft_span(addr, len, space, &off);

	if (n > 0)
		memcpy(ft->mem + off, buf, (size_t)n);
	return n;
}

static int ft_resume(void *t, const enum gdb_resume *how)
{
	struct fake_target *ft = t;

	memcpy(ft->how, how, sizeof(ft->how));
	ft->resumes++;
	return 0;
}

static void ft_interrupt(void *t)
{
	struct fake_target *ft = t;

	ft->interrupts++;
}

static int ft_set_bp(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t kind)
{
	struct fake_target *ft = t;

	if (type == GDB_WP_ACCESS)
		return -EOPNOTSUPP;
	if (ft->nbp == FT_MAX_BP)
		return -ENOSPC;
	ft->bp[ft->nbp++] = (struct ft_bp){type, addr, kind};
	return 0;
}

static int ft_clear_bp(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t kind)
{
	struct fake_target *ft = t;

	if (type == GDB_WP_ACCESS)
		return -EOPNOTSUPP;
	for (int i = 0; i < ft->nbp; i++) {
		if (ft->bp[i].type == type && ft->bp[i].addr == addr) {
			ft->bp[i] = ft->bp[--ft->nbp];
			return 0;
		}
	}
	return -ENOENT;
}

static int ft_stop_reason(void *t, struct gdb_stop *st)
{
	struct fake_target *ft = t;

	*st = ft->stop;
	ft->stop.library_changed = false;
	return 0;
}

static int ft_libraries(void *t, struct gdb_library *libs, unsigned max)
{
	static const struct gdb_library all[] = {
	    {"/fw/opensbi.elf", 0x80000000u},
	    {"/k/vmlinux", 0xffffffff80000000ull},
	    {"/u/a&b <\"x'>.elf", 0x10000},
	};
	struct fake_target *ft = t;
	unsigned n = (unsigned)ft->nlibs < max ? (unsigned)ft->nlibs : max;

	memcpy(libs, all, n * sizeof(*libs));
	return (int)n;
}

static int ft_monitor(void *t, const char *cmd, char *out, size_t size)
{
	struct fake_target *ft = t;

	snprintf(ft->last_monitor, sizeof(ft->last_monitor), "%s", cmd);
	if (!strcmp(cmd, "harts")) {
		snprintf(out, size, "2 harts\n");
		return 0;
	}
	if (!strcmp(cmd, "quiet"))
		return 0;
	return -ENOENT;
}

static const struct gdb_target_ops ft_ops = {
    .nthreads = ft_nthreads,
    .read_reg = ft_read_reg,
    .write_reg = ft_write_reg,
    .read_mem = ft_read_mem,
    .write_mem = ft_write_mem,
    .resume = ft_resume,
    .interrupt = ft_interrupt,
    .set_bp = ft_set_bp,
    .clear_bp = ft_clear_bp,
    .stop_reason = ft_stop_reason,
    .libraries = ft_libraries,
    .monitor = ft_monitor,
};

#endif
