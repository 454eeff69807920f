/* isa — the extension table and the -cpu parser (see isa.h). */
#include "cpu/isa.h"
#include "util/err.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#define B(id) ISA_BIT(id)

/* QEMU 7.2's default CPU is rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc with
 * the debug trigger module; rows that strata does not implement yet are off here ("on" says
 * strata's default) and say so in their description. QEMU names: Debian's QEMU 7.2 build
 * (`qemu-system-riscv64 -device rv64-riscv-cpu,help`); its capitalised Z names are accepted in
 * any case, as QEMU 8 spells them in lower case. */
static const struct isa_ext_info table[ISA_COUNT] = {
    /* name, qemu, alias, misa, on, impl, in_isa_str, requires, implies, what */
    [ISA_I] = {"i", "i", NULL, 'I', true, true, true, 0, 0, "base integer instructions"},
    [ISA_M] = {"m", "m", NULL, 'M', true, true, true, 0, 0, "multiply and divide"},
    [ISA_A] = {"a", "a", NULL, 'A', true, true, true, 0, 0, "atomics (LR/SC, AMOs)"},
    [ISA_F] = {"f", "f", NULL, 'F', true, true, true, B(ZICSR), 0, "single-precision FP"},
    [ISA_D] = {"d", "d", NULL, 'D', true, true, true, B(F), 0, "double-precision FP"},
    [ISA_C] = {"c", "c", NULL, 'C', true, true, true, 0, 0, "compressed instructions"},
    /* on as in QEMU 7.2 (docs/HYPERVISOR.md) */
    [ISA_H] = {"h", "h", NULL, 'H', true, true, true, B(S), 0,
	       "hypervisor (VS/VU modes, two-stage translation)"},
    [ISA_S] = {"s", "s", NULL, 'S', true, true, false, B(U), 0, "supervisor mode"},
    [ISA_U] = {"u", "u", NULL, 'U', true, true, false, 0, 0, "user mode"},
    /* Debian's QEMU 7.2 has no Zicbo* properties (so they are off in its default CPU) */
    [ISA_ZICBOM] = {"zicbom", NULL, NULL, 0, false, true, true, B(ZICSR), 0,
		    "cache-block management (cbo.clean/flush/inval)"},
    [ISA_ZICBOP] = {"zicbop", NULL, NULL, 0, false, true, true, 0, 0,
		    "cache-block prefetch hints (ORI HINTs)"},
    [ISA_ZICBOZ] = {"zicboz", NULL, NULL, 0, false, true, true, B(ZICSR), 0,
		    "cache-block zero (cbo.zero)"},
    /* QEMU 7.2 has the counters but does not name them in riscv,isa */
    [ISA_ZICNTR] = {"zicntr", NULL, NULL, 0, true, true, false, B(ZICSR), 0,
		    "cycle, time, instret counters"},
    [ISA_ZICOND] = {"zicond", NULL, NULL, 0, false, true, true, 0, 0,
		    "integer conditional operations"},
    [ISA_ZICSR] = {"zicsr", "Zicsr", NULL, 0, true, true, true, 0, 0, "CSR instructions"},
    [ISA_ZIFENCEI] = {"zifencei", "Zifencei", NULL, 0, true, true, true, 0, 0, "fence.i"},
    /* both are HINT encodings (add x0 / fence): they run as no-ops whether on or off, as in
     * QEMU; the row only decides what the device tree announces */
    [ISA_ZIHINTNTL] = {"zihintntl", NULL, NULL, 0, false, true, true, 0, 0,
		       "non-temporal locality hints"},
    [ISA_ZIHINTPAUSE] = {"zihintpause", "Zihintpause", NULL, 0, true, true, true, 0, 0,
			 "pause hint"},
    [ISA_ZIHPM] = {"zihpm", NULL, NULL, 0, true, true, false, B(ZICSR), 0,
		   "hardware performance counters (3..18, as QEMU)"},
    [ISA_ZFH] = {"zfh", "Zfh", NULL, 0, false, true, true, B(F) | B(ZFHMIN), B(ZFHMIN),
		 "half-precision FP"},
    [ISA_ZFHMIN] = {"zfhmin", "Zfhmin", NULL, 0, false, true, true, B(F), 0,
		    "half-precision loads, stores, conversions"},
    [ISA_ZBA] = {"zba", "zba", NULL, 0, true, true, true, 0, 0, "address generation"},
    [ISA_ZBB] = {"zbb", "zbb", NULL, 0, true, true, true, 0, 0, "basic bit manipulation"},
    [ISA_ZBC] = {"zbc", "zbc", NULL, 0, true, true, true, 0, 0, "carry-less multiplication"},
    [ISA_ZBKB] = {"zbkb", "zbkb", NULL, 0, false, true, true, 0, 0,
		  "bit manipulation for cryptography"},
    [ISA_ZBKC] = {"zbkc", "zbkc", NULL, 0, false, true, true, 0, 0,
		  "carry-less multiplication for cryptography"},
    [ISA_ZBKX] = {"zbkx", "zbkx", NULL, 0, false, true, true, 0, 0, "crossbar permutations"},
    [ISA_ZBS] = {"zbs", "zbs", NULL, 0, true, true, true, 0, 0, "single-bit instructions"},
    /* QEMU 7.2 calls the trigger module "debug" (on) and leaves it out of riscv,isa */
    [ISA_SDTRIG] = {"sdtrig", "debug", NULL, 0, true, true, false, B(ZICSR), 0,
		    "debug triggers (tselect, tdata1-3, tinfo)"},
    [ISA_SSTC] = {"sstc", "sstc", NULL, 0, true, true, true, B(S) | B(ZICSR), 0,
		  "supervisor timer compare (stimecmp)"},
    [ISA_SVINVAL] = {"svinval", "svinval", NULL, 0, false, true, true, B(S), 0,
		     "fine-grained TLB invalidation"},
    [ISA_SVNAPOT] = {"svnapot", "svnapot", NULL, 0, false, true, true, B(S), 0,
		     "NAPOT translation contiguity (64 KiB pages)"},
    [ISA_SVPBMT] = {"svpbmt", "svpbmt", NULL, 0, false, true, true, B(S), 0,
		    "page-based memory types (PBMT bits accepted, no caches to bypass)"},
};

const struct isa_ext_info *isa_ext(enum isa_ext ext)
{
	return &table[ext];
}

isa_t isa_default(void)
{
	isa_t isa = 0;

	for (unsigned i = 0; i < ISA_COUNT; i++)
		if (table[i].on)
			isa |= 1ull << i;
	return isa;
}

isa_t isa_all(void)
{
	isa_t isa = 0;

	for (unsigned i = 0; i < ISA_COUNT; i++)
		if (table[i].impl)
			isa |= 1ull << i;
	return isa;
}

/* The row whose name, QEMU property or alias is prop (length n), or -1. */
static int find(const char *prop, size_t n)
{
	for (unsigned i = 0; i < ISA_COUNT; i++) {
		const char *names[3] = {table[i].name, table[i].qemu, table[i].alias};

		for (unsigned k = 0; k < 3; k++)
			if (names[k] && strlen(names[k]) == n && !strncasecmp(names[k], prop, n))
				return (int)i;
	}
	return -1;
}

static int bool_value(const char *v, bool *out)
{
	static const char *const yes[] = {"on", "true", "yes"}, *const no[] = {"off", "false",
									       "no"};

	for (unsigned i = 0; i < 3; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(v, no[i]))
			return *out = false, 0;
	}
	return -1;
}

/* All accepted property names, space-separated, for error messages. */
static void accepted(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < ISA_COUNT && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", table[i].name);
}

int isa_parse(const char *spec, isa_t *out)
{
	char names[512];
	isa_t isa = isa_default(), set = 0, cleared = 0, base = 0;
	const char *p = strchr(spec, ',');
	size_t model = p ? (size_t)(p - spec) : strlen(spec);

	if (model == 4 && !strncasecmp(spec, "rv32", 4))
		base = ISA_RV32;
	else if (model == 5 && !strncasecmp(spec, "rv32e", 5))
		base = ISA_RV32 | ISA_RVE;
	else if (model != 4 || strncasecmp(spec, "rv64", 4))
		return err_set(EINVAL,
			       "-cpu %s: unknown CPU model '%.*s' (accepted: rv64, rv32, rv32e, then "
			       "[,EXT=on|off...]; see 'strata run -cpu help')",
			       spec, (int)model, spec);
	/* strata's RV32E is RV32EMAC: no FP, so that every register field of an instruction is
	 * an integer register that decode can check against x15 */
	if (base & ISA_RVE)
		isa &= ~(B(F) | B(D) | B(ZFH) | B(ZFHMIN));
	/* strata's H extension is RV64's (no htimedeltah, hstatus.VSXL fixed at 64) */
	if (base & ISA_RV32)
		isa &= ~B(H);
	while (p && *p) {
		const char *prop = p + 1, *eq, *end = strchr(prop, ',');
		size_t n = end ? (size_t)(end - prop) : strlen(prop);
		char val[16];
		bool on;
		int i;

		p = end;
		eq = memchr(prop, '=', n);
		if (!eq) {
			accepted(names, sizeof(names));
			return err_set(EINVAL, "-cpu %s: '%.*s' is not EXT=on|off (EXT one of: %s)",
				       spec, (int)n, prop, names);
		}
		i = find(prop, (size_t)(eq - prop));
		if (i < 0) {
			accepted(names, sizeof(names));
			return err_set(EINVAL, "-cpu %s: unknown extension '%.*s' (accepted: %s)",
				       spec, (int)(eq - prop), prop, names);
		}
		snprintf(val, sizeof(val), "%.*s", (int)(n - (size_t)(eq + 1 - prop)), eq + 1);
		if (bool_value(val, &on) < 0)
			return err_set(EINVAL, "-cpu %s: %s=%s: expected on, off, true or false",
				       spec, table[i].name, val);
		if (on)
			isa |= 1ull << i, set |= 1ull << i, cleared &= ~(1ull << i);
		else
			isa &= ~(1ull << i), cleared |= 1ull << i, set &= ~(1ull << i);
	}
	for (unsigned i = 0; i < ISA_COUNT; i++)
		if (isa_has(isa, i))
			isa |= table[i].implies & ~cleared;
	for (unsigned i = 0; i < ISA_COUNT; i++) {
		const struct isa_ext_info *r = &table[i];

		if (!isa_has(isa, i))
			continue;
		if (!r->impl)
			return err_set(EINVAL, "-cpu %s: %s is not implemented in strata yet", spec,
				       r->name);
		for (unsigned k = 0; k < ISA_COUNT; k++)
			if (((r->requires >> k) & 1) && !isa_has(isa, k))
				return err_set(EINVAL, "-cpu %s: %s needs %s", spec, r->name,
					       table[k].name);
	}
	if (!isa_has(isa, ISA_I))
		return err_set(EINVAL, "-cpu %s: i cannot be switched off (for RV32E use -cpu rv32e)",
			       spec);
	if ((base & ISA_RVE) && isa_has(isa, ISA_F))
		return err_set(EINVAL, "-cpu %s: f: strata's RV32E has no floating point", spec);
	if ((base & ISA_RV32) && isa_has(isa, ISA_H))
		return err_set(EINVAL, "-cpu %s: h: strata's hypervisor extension is RV64 only", spec);
	/* Sv32 PTEs have no bits for these */
	if ((base & ISA_RV32) && (isa & (B(SVNAPOT) | B(SVPBMT))))
		return err_set(EINVAL, "-cpu %s: %s exists on RV64 only", spec,
			       isa_has(isa, ISA_SVNAPOT) ? "svnapot" : "svpbmt");
	*out = isa | base;
	return 0;
}

void isa_print_help(FILE *f)
{
	fprintf(f,
		"-cpu rv64|rv32|rv32e[,EXT=on|off...]: QEMU 7.2's default CPU (Sv48; rv32: Sv32, "
		"rv32e: 16 registers, no FP), EXT one of:\n"
		"%-12s %-7s %-11s %-12s %s\n",
		"EXT", "default", "implemented", "QEMU-7.2", "what");
	for (unsigned i = 0; i < ISA_COUNT; i++) {
		const struct isa_ext_info *r = &table[i];

		fprintf(f, "%-12s %-7s %-11s %-12s %s\n", r->name, r->on ? "on" : "off",
			r->impl ? "yes" : "no", r->qemu ? r->qemu : "-", r->what);
	}
}

int isa_string(isa_t isa, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "rv%u%s", isa_xlen(isa), isa & ISA_RVE ? "e" : "");

	for (unsigned i = 0; i < ISA_COUNT && len < size; i++) {
		const struct isa_ext_info *r = &table[i];

		if (!isa_has(isa, i) || !r->in_isa_str || (i == ISA_I && (isa & ISA_RVE)))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s", r->misa ? "" : "_", r->name);
	}
	return len < size ? 0 : -ENOSPC;
}

uint64_t isa_misa(isa_t isa)
{
	uint64_t misa = isa & ISA_RV32 ? 1ull << 30 : 2ull << 62;

	for (unsigned i = 0; i < ISA_COUNT; i++)
		if (table[i].misa && isa_has(isa, i))
			misa |= 1ull << (table[i].misa - 'A');
	if (isa & ISA_RVE)
		misa = (misa & ~(1ull << ('I' - 'A'))) | 1ull << ('E' - 'A');
	return misa;
}
