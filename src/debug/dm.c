/* dm — the Debug Module: DMI registers, run control, abstract commands, program buffer, system
 * bus access. See dm.h; register layouts are those of the spec's chapter 3.12. */
#include "debug/dm.h"
#include "cpu/cpu.h"
#include "cpu/dmode.h"
#include "machine/machine.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* DMI addresses */
enum {
	DMI_DATA0 = 0x04,
	DMI_DMCONTROL = 0x10,
	DMI_DMSTATUS = 0x11,
	DMI_HARTINFO = 0x12,
	DMI_HALTSUM1 = 0x13,
	DMI_HAWINDOWSEL = 0x14,
	DMI_HAWINDOW = 0x15,
	DMI_ABSTRACTCS = 0x16,
	DMI_COMMAND = 0x17,
	DMI_ABSTRACTAUTO = 0x18,
	DMI_PROGBUF0 = 0x20,
	DMI_SBCS = 0x38,
	DMI_SBADDRESS0 = 0x39,
	DMI_SBADDRESS1 = 0x3a,
	DMI_SBDATA0 = 0x3c,
	DMI_SBDATA1 = 0x3d,
	DMI_HALTSUM0 = 0x40,
};

/* cmderr */
enum { CMDERR_NONE, CMDERR_BUSY, CMDERR_NOTSUP, CMDERR_EXCEPTION, CMDERR_HALTRESUME };
/* sberror */
enum { SBERR_NONE, SBERR_TIMEOUT, SBERR_ADDRESS, SBERR_ALIGN, SBERR_SIZE };

#define HARTSEL_BITS 10 /* hartsello only: up to 1024 harts (hartselhi reads 0) */
#define EBREAK	     0x00100073u

struct dm {
	struct machine *m;
	struct cpu *cpu;
	unsigned nharts;
	uint64_t reset_pc;

	bool dmactive, ndmreset, hasel;
	unsigned hartsel, hawindowsel;
	uint32_t hawindow; /* window 0: harts 0..31 */
	uint64_t haltreq, resethaltreq, havereset, resumeack; /* one bit per hart */

	unsigned cmderr;
	uint32_t command, abstractauto;

	/* sbcs fields that are not constants */
	bool sbreadonaddr, sbautoincrement, sbreadondata, sbbusyerror;
	unsigned sbaccess, sberror;
	uint64_t sbaddress, sbdata;

	/* the window: program buffer, the implicit ebreak, data0/1 at DM_DATA_OFF */
	uint8_t win[DM_DATA_OFF + 4 * DM_DATACOUNT];
};

static uint32_t win32(const struct dm *d, unsigned off)
{
	uint32_t v;

	memcpy(&v, d->win + off, 4);
	return v;
}

static void set_win32(struct dm *d, unsigned off, uint32_t v)
{
	memcpy(d->win + off, &v, 4);
}

static void dm_reset_state(struct dm *d)
{
	d->ndmreset = d->hasel = false;
	d->hartsel = d->hawindowsel = 0;
	d->hawindow = 0;
	d->haltreq = d->resethaltreq = 0;
	d->cmderr = 0;
	d->command = d->abstractauto = 0;
	d->sbreadonaddr = d->sbautoincrement = d->sbreadondata = d->sbbusyerror = false;
	d->sbaccess = 2;
	d->sberror = 0;
	d->sbaddress = d->sbdata = 0;
	memset(d->win, 0, sizeof(d->win));
	set_win32(d, 4 * DM_PROGBUF, EBREAK); /* impebreak */
}

struct dm *dm_new(struct machine *m, uint64_t reset_pc)
{
	struct dm *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->m = m;
	d->cpu = machine_cpu(m);
	d->nharts = cpu_nharts(d->cpu);
	d->reset_pc = reset_pc;
	d->havereset = (d->nharts >= 64 ? ~0ull : (1ull << d->nharts) - 1); /* power-on */
	dm_reset_state(d);
	return d;
}

void dm_free(struct dm *d)
{
	free(d);
}

static struct hart *hart_of(const struct dm *d, unsigned i)
{
	return i < d->nharts ? cpu_hart(d->cpu, i) : NULL;
}

/* The selected harts (hartsel, plus the hart array window with hasel) that exist. */
static uint64_t selected(const struct dm *d)
{
	uint64_t mask = 0;

	if (d->hartsel < d->nharts && d->hartsel < 64)
		mask |= 1ull << d->hartsel;
	if (d->hasel && d->hawindowsel == 0)
		mask |= d->hawindow;
	return d->nharts >= 64 ? mask : mask & ((1ull << d->nharts) - 1);
}

static uint64_t halted_mask(const struct dm *d)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < d->nharts && i < 64; i++)
		if (hart_dm_halted(hart_of(d, i)))
			mask |= 1ull << i;
	return mask;
}

uint64_t dm_running_mask(const struct dm *d)
{
	uint64_t all = d->nharts >= 64 ? ~0ull : (1ull << d->nharts) - 1;

	return d->ndmreset ? 0 : all & ~halted_mask(d);
}

void dm_halt_all(struct dm *d)
{
	for (unsigned i = 0; i < d->nharts; i++)
		hart_dm_halt(hart_of(d, i), DM_CAUSE_HALTREQ);
}

/* A running hart whose halt request bit is set halts. */
static void apply_haltreq(struct dm *d)
{
	for (unsigned i = 0; i < d->nharts && i < 64; i++)
		if ((d->haltreq >> i) & 1)
			hart_dm_halt(hart_of(d, i), DM_CAUSE_HALTREQ);
}

static void reset_harts(struct dm *d, uint64_t mask)
{
	for (unsigned i = 0; i < d->nharts && i < 64; i++) {
		if (!((mask >> i) & 1))
			continue;
		hart_dm_reset(hart_of(d, i), d->reset_pc, (d->resethaltreq >> i) & 1);
		d->havereset |= 1ull << i;
	}
}

static void write_dmcontrol(struct dm *d, uint32_t v)
{
	bool ndmreset = (v >> 1) & 1;
	uint64_t sel;

	d->dmactive = v & 1;
	if (!d->dmactive) {
		dm_reset_state(d);
		return;
	}
	d->hasel = (v >> 26) & 1;
	d->hartsel = ((v >> 16) & 0x3ff) & ((1u << HARTSEL_BITS) - 1);
	sel = selected(d);
	if ((v >> 28) & 1)
		d->havereset &= ~sel; /* ackhavereset */
	if ((v >> 3) & 1)
		d->resethaltreq |= sel;
	if ((v >> 2) & 1)
		d->resethaltreq &= ~sel;
	/* ndmreset resets every hart when it is released; harts do not run while it is held */
	if (d->ndmreset && !ndmreset)
		reset_harts(d, ~0ull);
	d->ndmreset = ndmreset;
	if ((v >> 31) & 1) {
		d->haltreq |= sel;
	} else {
		d->haltreq &= ~sel;
		if ((v >> 30) & 1) { /* resumereq, ignored with haltreq */
			d->resumeack &= ~sel;
			for (unsigned i = 0; i < d->nharts && i < 64; i++) {
				struct hart *h = hart_of(d, i);

				if (((sel >> i) & 1) && hart_dm_halted(h)) {
					hart_dm_resume(h);
					d->resumeack |= 1ull << i;
				}
			}
		}
	}
	apply_haltreq(d);
}

static uint32_t read_dmstatus(const struct dm *d)
{
	uint64_t sel = selected(d), halted = halted_mask(d);
	bool none = sel == 0; /* only nonexistent harts are selected */
	uint32_t v = 2; /* version: 0.13 */

#define ANYALL(mask, any_bit)                                                                      \
	do {                                                                                       \
		if ((mask) & sel)                                                                  \
			v |= 1u << (any_bit);                                                      \
		if (!none && ((mask) & sel) == sel)                                                \
			v |= 1u << ((any_bit) + 1);                                                \
	} while (0)
	ANYALL(halted, 8);
	ANYALL(d->ndmreset ? 0 : ~halted, 10); /* running */
	ANYALL(d->resumeack, 16);
	ANYALL(d->havereset, 18);
#undef ANYALL
	if (none || d->hartsel >= d->nharts)
		v |= 1u << 14; /* anynonexistent */
	if (none)
		v |= 1u << 15;
	v |= 1u << 22; /* impebreak */
	v |= 1u << 7;  /* authenticated */
	v |= 1u << 5;  /* hasresethaltreq */
	return v;
}

/* haltsum0: harts hartsel[19:5]*32 + 0..31; haltsumN: each bit one group of 32^N harts. */
static uint32_t haltsum(const struct dm *d, unsigned level)
{
	uint64_t halted = halted_mask(d);
	unsigned group = 1u << (5 * level), base;
	uint32_t v = 0;

	base = (d->hartsel >> (5 * (level + 1))) << (5 * (level + 1));
	for (unsigned i = 0; i < 32; i++) {
		uint64_t first = base + (uint64_t)i * group;

		for (uint64_t h = first; h < first + group && h < d->nharts && h < 64; h++)
			if ((halted >> h) & 1)
				v |= 1u << i;
	}
	return v;
}

static void exec_command(struct dm *d)
{
	uint32_t cmd = d->command;
	unsigned size = (cmd >> 20) & 7, regno = cmd & 0xffff;
	bool postinc = (cmd >> 19) & 1, postexec = (cmd >> 18) & 1, transfer = (cmd >> 17) & 1;
	bool write = (cmd >> 16) & 1;
	struct hart *h = hart_of(d, d->hartsel);
	uint64_t val;
	int ret;

	if (d->cmderr)
		return;
	if ((cmd >> 24) != 0) { /* only Access Register: no Quick Access, no Access Memory */
		d->cmderr = CMDERR_NOTSUP;
		return;
	}
	if (transfer && size != 2 && size != 3) {
		d->cmderr = CMDERR_NOTSUP; /* 32 and 64 bits: the registers of RV64 */
		return;
	}
	if (!h || !hart_dm_halted(h)) {
		d->cmderr = CMDERR_HALTRESUME;
		return;
	}
	if (transfer) {
		if (write) {
			val = win32(d, DM_DATA_OFF);
			val = size == 3 ? val | (uint64_t)win32(d, DM_DATA_OFF + 4) << 32
					: (uint64_t)(int64_t)(int32_t)val;
			ret = hart_dm_reg_write(h, regno, val);
		} else {
			ret = hart_dm_reg_read(h, regno, &val);
			if (!ret) {
				set_win32(d, DM_DATA_OFF, (uint32_t)val);
				if (size == 3)
					set_win32(d, DM_DATA_OFF + 4, (uint32_t)(val >> 32));
			}
		}
		if (ret) {
			d->cmderr = ret == -EINVAL ? CMDERR_NOTSUP : CMDERR_EXCEPTION;
			return;
		}
	}
	if (postinc)
		d->command = (cmd & ~0xffffu) | ((regno + 1) & 0xffff);
	if (postexec && hart_dm_exec(h, DM_BASE, DM_EXEC_LIMIT) < 0)
		d->cmderr = CMDERR_EXCEPTION;
}

/* ---- system bus access ---- */

static unsigned sb_bytes(const struct dm *d)
{
	return 1u << d->sbaccess;
}

static void sb_access(struct dm *d, bool write)
{
	unsigned n = sb_bytes(d);

	if (d->sberror || d->sbbusyerror)
		return; /* no access starts while an error is pending */
	if (d->sbaccess > 3) {
		d->sberror = SBERR_SIZE;
		return;
	}
	if (d->sbaddress & (n - 1)) {
		d->sberror = SBERR_ALIGN;
		return;
	}
	if (write ? machine_phys_write(d->m, d->sbaddress, n, d->sbdata) < 0
		  : machine_phys_read(d->m, d->sbaddress, n, &d->sbdata) < 0) {
		d->sberror = SBERR_ADDRESS;
		return;
	}
	if (d->sbautoincrement)
		d->sbaddress += n;
}

static uint32_t read_sbcs(const struct dm *d)
{
	return 1u << 29 | (uint32_t)d->sbbusyerror << 22 | (uint32_t)d->sbreadonaddr << 20 |
	       d->sbaccess << 17 | (uint32_t)d->sbautoincrement << 16 |
	       (uint32_t)d->sbreadondata << 15 | d->sberror << 12 | 64u << 5 | 0xfu;
}

static void write_sbcs(struct dm *d, uint32_t v)
{
	if ((v >> 22) & 1)
		d->sbbusyerror = false;
	d->sbreadonaddr = (v >> 20) & 1;
	d->sbaccess = (v >> 17) & 7;
	d->sbautoincrement = (v >> 16) & 1;
	d->sbreadondata = (v >> 15) & 1;
	d->sberror &= ~((v >> 12) & 7); /* write 1 to clear */
}

/* ---- DMI ---- */

static bool autoexec_data(const struct dm *d, unsigned i)
{
	return (d->abstractauto >> i) & 1;
}

static bool autoexec_progbuf(const struct dm *d, unsigned i)
{
	return (d->abstractauto >> (16 + i)) & 1;
}

uint32_t dm_read(struct dm *d, unsigned addr)
{
	uint32_t v;

	if (addr >= DMI_DATA0 && addr < DMI_DATA0 + DM_DATACOUNT) {
		unsigned i = addr - DMI_DATA0;

		v = win32(d, DM_DATA_OFF + 4 * i);
		if (d->dmactive && autoexec_data(d, i))
			exec_command(d);
		return v;
	}
	if (addr >= DMI_PROGBUF0 && addr < DMI_PROGBUF0 + DM_PROGBUF) {
		unsigned i = addr - DMI_PROGBUF0;

		v = win32(d, 4 * i);
		if (d->dmactive && autoexec_progbuf(d, i))
			exec_command(d);
		return v;
	}
	switch (addr) {
	case DMI_DMCONTROL:
		return (uint32_t)d->hasel << 26 | d->hartsel << 16 | (uint32_t)d->ndmreset << 1 |
		       d->dmactive;
	case DMI_DMSTATUS:
		return read_dmstatus(d);
	case DMI_HARTINFO:
		/* nscratch 2, dataaccess, datasize, dataaddr */
		return 2u << 20 | 1u << 16 | DM_DATACOUNT << 12 | DM_DATA_OFF;
	case DMI_HALTSUM0:
		return haltsum(d, 0);
	case DMI_HALTSUM1:
		return haltsum(d, 1);
	case DMI_HAWINDOWSEL:
		return d->hawindowsel;
	case DMI_HAWINDOW:
		return d->hawindowsel == 0 ? d->hawindow : 0;
	case DMI_ABSTRACTCS:
		return DM_PROGBUF << 24 | d->cmderr << 8 | DM_DATACOUNT;
	case DMI_ABSTRACTAUTO:
		return d->abstractauto;
	case DMI_SBCS:
		return read_sbcs(d);
	case DMI_SBADDRESS0:
		return (uint32_t)d->sbaddress;
	case DMI_SBADDRESS1:
		return (uint32_t)(d->sbaddress >> 32);
	case DMI_SBDATA0:
		v = (uint32_t)d->sbdata;
		if (d->dmactive && d->sbreadondata)
			sb_access(d, false);
		return v;
	case DMI_SBDATA1:
		return (uint32_t)(d->sbdata >> 32);
	}
	return 0; /* command reads 0; unimplemented registers read 0 */
}

void dm_write(struct dm *d, unsigned addr, uint32_t val)
{
	if (addr == DMI_DMCONTROL) {
		write_dmcontrol(d, val);
		return;
	}
	if (!d->dmactive)
		return; /* the rest of the module is held in reset */
	if (addr >= DMI_DATA0 && addr < DMI_DATA0 + DM_DATACOUNT) {
		unsigned i = addr - DMI_DATA0;

		set_win32(d, DM_DATA_OFF + 4 * i, val);
		if (autoexec_data(d, i))
			exec_command(d);
		return;
	}
	if (addr >= DMI_PROGBUF0 && addr < DMI_PROGBUF0 + DM_PROGBUF) {
		unsigned i = addr - DMI_PROGBUF0;

		set_win32(d, 4 * i, val);
		if (autoexec_progbuf(d, i))
			exec_command(d);
		return;
	}
	switch (addr) {
	case DMI_HAWINDOWSEL:
		d->hawindowsel = val & 0x7fff;
		break;
	case DMI_HAWINDOW:
		if (d->hawindowsel == 0)
			d->hawindow = d->nharts >= 32 ? val : val & ((1u << d->nharts) - 1);
		break;
	case DMI_ABSTRACTCS:
		d->cmderr &= ~((val >> 8) & 7); /* write 1 to clear */
		break;
	case DMI_COMMAND:
		d->command = val;
		exec_command(d);
		break;
	case DMI_ABSTRACTAUTO:
		d->abstractauto =
		    val & (((1u << DM_PROGBUF) - 1) << 16 | ((1u << DM_DATACOUNT) - 1));
		break;
	case DMI_SBCS:
		write_sbcs(d, val);
		break;
	case DMI_SBADDRESS0:
		d->sbaddress = (d->sbaddress & ~0xffffffffull) | val;
		if (d->sbreadonaddr)
			sb_access(d, false);
		break;
	case DMI_SBADDRESS1:
		d->sbaddress = (d->sbaddress & 0xffffffffull) | (uint64_t)val << 32;
		break;
	case DMI_SBDATA0:
		d->sbdata = (d->sbdata & ~0xffffffffull) | val;
		sb_access(d, true);
		break;
	case DMI_SBDATA1:
		d->sbdata = (d->sbdata & 0xffffffffull) | (uint64_t)val << 32;
		break;
	}
}

/* ---- the memory-mapped window ---- */

static int win_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	struct dm *d = opaque;

	*val = 0;
	if (off + size > sizeof(d->win))
		return 0; /* the rest of the page reads 0 */
	memcpy(val, d->win + off, size);
	return 0;
}

static int win_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct dm *d = opaque;

	if (off + size > sizeof(d->win) || (off < 4 * DM_PROGBUF + 4 && off + size > 4 * DM_PROGBUF))
		return 0; /* the implicit ebreak and unused space ignore stores */
	memcpy(d->win + off, &val, size);
	return 0;
}

static const char *win_name(void *opaque, uint64_t off)
{
	return off >= DM_DATA_OFF ? "data" : "progbuf";
}

/* no snapshot state: --jtag and --gdb (whose reverse execution uses snapshots) are alternatives */
const struct mmio_ops dm_mmio_ops = {.read = win_read, .write = win_write, .reg_name = win_name};
