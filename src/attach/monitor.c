/* monitor — the `monitor` commands strata answers itself over any upstream, with nothing but
 * its registers and memory: priv, libs, walk (a page-table walk through physical reads), and
 * break-on syscall/priv (breakpoints on the trap vectors: a stop there that is not the event
 * asked for is stepped over and resumed without GDB hearing of it). Other commands go to the
 * upstream (OpenOCD's, QEMU's). */
#include "attach/att_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[4] = {"U", "S", "?", "M"};

static void reply_text(struct att_proxy *p, const char *text)
{
	att_gdb_console(p, text);
	att_gdb_send(p, "OK", 2);
}

static void mon_priv(struct att_proxy *p, char *out, size_t size)
{
	int priv = att_priv(p);
	const char *how = p->priv_reg < 0		? "no register gives it"
			  : p->priv_kind == PRIV_DIRECT ? "register priv"
			  : p->priv_kind == PRIV_DCSR	? "dcsr.prv"
							: "cs: CPL";

	if (priv < 0)
		snprintf(out, size, "privilege: unknown (%s)\n", how);
	else
		snprintf(out, size, "privilege: %s (%s)\n", level_names[priv], how);
}

static void mon_libs(struct att_proxy *p, char *out, size_t size)
{
	size_t k = 0;

	if (!p->nfiles)
		k += (size_t)snprintf(out, size, "no symbol files (--sym FILE@m|s|u)\n");
	for (unsigned i = 0; i < p->nfiles && k < size; i++) {
		const struct att_filei *f = &p->files[i];

		k += (size_t)snprintf(out + k, size - k, "%s %-3s 0x%" PRIx64 "-0x%" PRIx64 " %s\n",
				      (int)i == p->exec	     ? "exec"
				      : (p->cur & (1u << i)) ? "on  "
							     : "off ",
				      f->priv < 0 ? "any" : level_names[f->priv], f->lo, f->hi,
				      f->path);
	}
}

/* Physical memory through the upstream: QEMU's gdbstub has a physical mode. */
static int read_phys(struct att_proxy *p, uint64_t addr, uint64_t *val)
{
	uint8_t b[8];
	int rc;

	if ((rc = att_query(p, "Qqemu.PhyMemMode:1")) < 0)
		return rc;
	if (strcmp((char *)p->reply, "OK"))
		return -ENOTSUP;
	rc = att_read_mem(p, addr, b, 8);
	att_query(p, "Qqemu.PhyMemMode:0");
	if (rc < 0)
		return rc;
	*val = 0;
	for (int i = 7; i >= 0; i--)
		*val = *val << 8 | b[i];
	return 0;
}

static void mon_walk(struct att_proxy *p, const char *arg, char *out, size_t size)
{
	uint64_t va = strtoull(arg, NULL, 0), root, pte = 0;
	size_t k = 0;
	int levels, rc;
	bool x86 = p->arch == ARCH_X86_64;

	if (att_read_reg(p, att_reg(p, x86 ? "cr3" : "satp"), &root) < 0) {
		snprintf(out, size, "walk: the upstream does not give %s\n", x86 ? "cr3" : "satp");
		return;
	}
	if (x86) {
		levels = 4;
		root &= 0x000ffffffffff000ull;
	} else {
		unsigned mode = (unsigned)(root >> 60);

		if (mode < 8 || mode > 10) {
			snprintf(out, size, "walk: satp 0x%" PRIx64 ": no translation (bare)\n",
				 root);
			return;
		}
		levels = (int)mode - 5; /* Sv39, Sv48, Sv57 */
		root = (root & ((1ull << 44) - 1)) << 12;
	}
	k += (size_t)snprintf(out + k, size - k, "walk 0x%" PRIx64 ": root 0x%" PRIx64 "\n", va,
			      root);
	for (int l = levels - 1; l >= 0 && k < size; l--) {
		unsigned shift = 12 + 9 * (unsigned)l;
		uint64_t idx = (va >> shift) & 511, a = root + idx * 8, pa;
		bool leaf, valid;

		if ((rc = read_phys(p, a, &pte)) < 0) {
			snprintf(out + k, size - k,
				 "walk: cannot read physical 0x%" PRIx64 ": %s\n", a,
				 rc == -ENOTSUP ? "the upstream has no physical memory mode"
						: strerror(-rc));
			return;
		}
		if (x86) {
			valid = pte & 1;
			leaf = l == 0 || (pte & 0x80);
			pa = pte & 0x000ffffffffff000ull;
		} else {
			valid = pte & 1;
			leaf = pte & 0xa; /* R or X */
			pa = (pte >> 10 & ((1ull << 44) - 1)) << 12;
		}
		k += (size_t)snprintf(out + k, size - k,
				      "  level %d [%3" PRIu64 "] @0x%" PRIx64 ": pte 0x%016" PRIx64
				      "%s\n",
				      l, idx, a, pte,
				      !valid ? " (invalid)"
				      : leaf ? " (leaf)"
					     : "");
		if (!valid)
			return;
		if (leaf) {
			uint64_t mask = (1ull << shift) - 1;

			snprintf(out + k, size - k, "  -> physical 0x%" PRIx64 "\n",
				 (pa & ~mask) | (va & mask));
			return;
		}
		root = pa;
	}
}

static void mon_break_on(struct att_proxy *p, const char *arg, char *out, size_t size)
{
	while (*arg == ' ')
		arg++;
	if (!strcmp(arg, "off"))
		p->brk = 0;
	else if (!strcmp(arg, "syscall"))
		p->brk |= BRK_SYSCALL;
	else if (!strcmp(arg, "priv") && p->arch == ARCH_RISCV64)
		p->brk |= BRK_PRIV;
	else if (*arg) {
		snprintf(out, size, "break-on: unknown event '%s' (syscall%s, off)\n", arg,
			 p->arch == ARCH_RISCV64 ? ", priv" : "");
		return;
	}
	snprintf(out, size, "break-on:%s%s%s\n", p->brk & BRK_SYSCALL ? " syscall" : "",
		 p->brk & BRK_PRIV ? " priv" : "", p->brk ? "" : " nothing");
}

bool att_monitor(struct att_proxy *p, const char *cmd)
{
	char out[2048] = "";

	if (!strcmp(cmd, "help")) {
		reply_text(p, "strata attach: monitor priv | libs | walk ADDR | break-on "
			      "[syscall|priv|off]\n(other commands go to the upstream)\n");
		return true;
	}
	if (!strcmp(cmd, "priv"))
		mon_priv(p, out, sizeof(out));
	else if (!strcmp(cmd, "libs"))
		mon_libs(p, out, sizeof(out));
	else if (!strncmp(cmd, "walk ", 5))
		mon_walk(p, cmd + 5, out, sizeof(out));
	else if (!strncmp(cmd, "break-on", 8) && (!cmd[8] || cmd[8] == ' '))
		mon_break_on(p, cmd + 8, out, sizeof(out));
	else
		return false;
	reply_text(p, out);
	return true;
}

static int z_packet(struct att_proxy *p, char op, uint64_t addr)
{
	char cmd[48];

	snprintf(cmd, sizeof(cmd), "%c0,%" PRIx64 ",%d", op, addr, p->arch == ARCH_X86_64 ? 1 : 4);
	return att_query(p, cmd);
}

int att_brk_arm(struct att_proxy *p)
{
	uint64_t v;
	int rc;

	p->nbrk_addr = 0;
	if (!p->brk)
		return 0;
	att_tdesc_init(p);
	if (p->arch == ARCH_X86_64) {
		if ((v = att_files_symbol(p, "entry_SYSCALL_64")))
			p->brk_addr[p->nbrk_addr++] = v;
	} else {
		if (att_read_reg(p, att_reg(p, "stvec"), &v) == 0)
			p->brk_addr[p->nbrk_addr++] = v & ~3ull;
		if ((p->brk & BRK_PRIV) && att_read_reg(p, att_reg(p, "mtvec"), &v) == 0 &&
		    (v & ~3ull) != p->brk_addr[0])
			p->brk_addr[p->nbrk_addr++] = v & ~3ull;
	}
	for (unsigned i = 0; i < p->nbrk_addr; i++)
		if ((rc = z_packet(p, 'Z', p->brk_addr[i])) < 0)
			return rc;
	return 0;
}

bool att_brk_stop(struct att_proxy *p, const char *reply)
{
	uint64_t pc, cause = 0, nr = 0;
	unsigned n = p->nbrk_addr, hit = n;
	bool x86 = p->arch == ARCH_X86_64, want;

	p->nbrk_addr = 0;
	for (unsigned i = 0; i < n; i++)
		z_packet(p, 'z', p->brk_addr[i]);
	if (!n || att_read_reg(p, p->pc_reg, &pc) < 0)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (pc == p->brk_addr[i])
			hit = i;
	if (hit == n)
		return false; /* a stop of GDB's own */
	if (x86) {
		att_read_reg(p, att_reg(p, "rax"), &nr);
		snprintf(p->note, sizeof(p->note),
			 "strata: stopped: syscall %" PRIu64 " (U -> S)\n", nr);
		return false;
	}
	att_read_reg(p, att_reg(p, hit == 0 ? "scause" : "mcause"), &cause);
	att_read_reg(p, att_reg(p, "a7"), &nr);
	want = (p->brk & BRK_PRIV) || (hit == 0 && cause == 8);
	if (!want) { /* step off the vector before resuming over it */
		att_query(p, "s");
		return true;
	}
	if (hit == 0 && cause == 8)
		snprintf(p->note, sizeof(p->note),
			 "strata: stopped: syscall a7=%" PRIu64 " (U -> S)\n", nr);
	else
		snprintf(p->note, sizeof(p->note),
			 "strata: stopped: trap cause 0x%" PRIx64 " into %s\n", cause,
			 hit == 0 ? "S" : "M");
	(void)reply;
	return false;
}
