/* monitor — the `monitor` commands strata answers itself over any upstream, with nothing but
 * its registers and memory: priv, libs, walk (a page-table walk through physical reads), and
 * break-on syscall/priv (breakpoints on the trap vectors: a stop there that is not the event
 * asked for is stepped over and resumed without GDB hearing of it), tasks and await (async
 * pictures, src/async/picture.c, read with m packets). Other commands go to the upstream
 * (OpenOCD's, QEMU's). */
#include "async/picture.h"
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
	else if (!strcmp(arg, "priv"))
		p->brk |= BRK_PRIV;
	else if (*arg) {
		snprintf(out, size, "break-on: unknown event '%s' (syscall, priv, off)\n", arg);
		return;
	}
	snprintf(out, size, "break-on:%s%s%s\n", p->brk & BRK_SYSCALL ? " syscall" : "",
		 p->brk & BRK_PRIV ? " priv" : "", p->brk ? "" : " nothing");
}

static int pic_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return att_read_mem(ctx, addr, buf, len);
}

/* monitor tasks / await ADDR [NAME]: the same picture strata's own stub draws (picture.h). */
static int mon_picture(struct att_proxy *p, const char *args, bool tasks)
{
	struct apic_mem mem = {pic_read, p};
	char *out = malloc(8000);
	uint64_t sp = 0;
	int rc = -ENOMEM;

	if (!out)
		return rc;
	if (!p->apic) {
		if (!(p->apic = apic_new()))
			goto out;
		for (unsigned i = 0; i < p->nfiles; i++)
			if (apic_add(p->apic, p->files[i].path) < 0)
				goto out;
	}
	att_tdesc_init(p);
	int sp_reg = att_reg(p, p->arch == ARCH_X86_64 ? "rsp" : "sp");
	if (sp_reg < 0 || att_read_reg(p, sp_reg, &sp) < 0) {
		snprintf(out, 8000, "monitor %s: the upstream gave no stack pointer\n",
			 tasks ? "tasks" : "await");
		rc = 0;
	} else {
		rc = tasks ? apic_tasks(p->apic, &mem, sp, out, 8000)
			   : apic_await(p->apic, &mem, sp, args, out, 8000);
	}
	if (rc == 0)
		reply_text(p, out);
out:
	free(out);
	return rc;
}

bool att_monitor(struct att_proxy *p, const char *cmd)
{
	char out[2048] = "";

	if (!strcmp(cmd, "help")) {
		reply_text(p, "strata attach: monitor priv | libs | walk ADDR | break-on "
			      "[syscall|priv|off] | tasks | await ADDR [NAME]\n(other commands go "
			      "to the upstream)\n");
		return true;
	}
	if (!strcmp(cmd, "tasks") || !strcmp(cmd, "await") || !strncmp(cmd, "await ", 6)) {
		if (mon_picture(p, cmd + 5, cmd[0] == 't') < 0)
			reply_text(p, "monitor: out of memory\n");
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

static void add_brk(struct att_proxy *p, uint64_t addr, int kind, const char *name)
{
	struct att_brkpt *b;

	for (unsigned i = 0; i < p->nbrks; i++)
		if (p->brks[i].addr == addr)
			return;
	if (!addr || p->nbrks == ATT_MAX_BRK)
		return;
	b = &p->brks[p->nbrks++];
	b->addr = addr;
	b->kind = (uint8_t)kind;
	snprintf(b->name, sizeof(b->name), "%s", name);
}

/* x86-64 Linux's IDT stubs (arch/x86/include/asm/idtentry.h): the exceptions whose stub finds
 * an error code on the stack, and the interrupt stubs reached with a vector pushed. #DB and #BP
 * are left out: they are the debugger's own (kgdb plants int3). */
static const char *const idt_with_code[] = {
    "asm_exc_double_fault",    "asm_exc_invalid_tss",	     "asm_exc_segment_not_present",
    "asm_exc_stack_segment",   "asm_exc_general_protection", "asm_exc_page_fault",
    "asm_exc_alignment_check", "asm_exc_control_protection", "asm_exc_vmm_communication",
    "asm_common_interrupt",    "asm_spurious_interrupt",
};

static void add_idt_stub(void *ctx, const char *name, uint64_t addr)
{
	struct att_proxy *p = ctx;
	int kind = BK_IDT;

	if (!strcmp(name, "asm_exc_debug") || !strcmp(name, "asm_exc_int3"))
		return;
	for (size_t i = 0; i < sizeof(idt_with_code) / sizeof(idt_with_code[0]); i++)
		if (!strcmp(name, idt_with_code[i]))
			kind = BK_IDT_CODE;
	add_brk(p, addr, kind, name);
}

/* Linux's ways into the kernel from user (system call instructions, every IDT stub) and back
 * (the sysret and iret paths to user), from the --sym files. */
static void x86_breakpoints(struct att_proxy *p)
{
	static const char *const syscalls[] = {"entry_SYSCALL_64", "entry_SYSCALL_compat",
					       "entry_SYSENTER_compat", "entry_INT80_compat"};
	static const char *const to_user[] = {"entry_SYSRETQ_unsafe_stack",
					      "entry_SYSRETL_compat_unsafe_stack",
					      "swapgs_restore_regs_and_return_to_usermode"};

	add_brk(p, att_files_symbol(p, syscalls[0]), BK_SYSCALL, syscalls[0]);
	if (!(p->brk & BRK_PRIV))
		return;
	for (size_t i = 1; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		add_brk(p, att_files_symbol(p, syscalls[i]), BK_SYSCALL, syscalls[i]);
	att_files_each_symbol(p, "asm_exc_", add_idt_stub, p);
	att_files_each_symbol(p, "asm_sysvec_", add_idt_stub, p);
	add_idt_stub(p, "asm_common_interrupt", att_files_symbol(p, "asm_common_interrupt"));
	add_idt_stub(p, "asm_spurious_interrupt", att_files_symbol(p, "asm_spurious_interrupt"));
	for (size_t i = 0; i < sizeof(to_user) / sizeof(to_user[0]); i++)
		add_brk(p, att_files_symbol(p, to_user[i]), BK_TO_USER, to_user[i]);
}

int att_brk_arm(struct att_proxy *p)
{
	uint64_t v;
	int rc;

	p->nbrks = 0;
	if (!p->brk)
		return 0;
	att_tdesc_init(p);
	if (p->arch == ARCH_X86_64) {
		x86_breakpoints(p);
	} else {
		if (att_read_reg(p, att_reg(p, "stvec"), &v) == 0)
			add_brk(p, v & ~3ull, BK_STVEC, "stvec");
		if ((p->brk & BRK_PRIV) && att_read_reg(p, att_reg(p, "mtvec"), &v) == 0)
			add_brk(p, v & ~3ull, BK_MTVEC, "mtvec");
	}
	/* resuming from a stop at one of them: the upstream would report it again at once */
	if (p->nbrks && att_read_reg(p, p->pc_reg, &v) == 0)
		for (unsigned i = 0; i < p->nbrks; i++)
			if (p->brks[i].addr == v && (rc = att_query(p, "s")) < 0)
				return rc;
	for (unsigned i = 0; i < p->nbrks; i++)
		if ((rc = z_packet(p, 'Z', p->brks[i].addr)) < 0)
			return rc;
	return 0;
}

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* The CPL the CPU was at before an IDT stub: the cs the CPU pushed. */
static int idt_from_cpl(struct att_proxy *p, const struct att_brkpt *b)
{
	uint64_t rsp;
	uint8_t frame[16]; /* rip, cs */

	if (att_read_reg(p, att_reg(p, "rsp"), &rsp) < 0 ||
	    att_read_mem(p, rsp + (b->kind == BK_IDT_CODE ? 8 : 0), frame, sizeof(frame)) < 0)
		return -1;
	return (int)(le64(frame + 8) & 3);
}

/* Step from a return-to-user path to the first user instruction; the last step's reply
 * replaces *reply. A path that does not reach CPL 3 within its bound stops where it is. */
#define TO_USER_MAX_STEPS 512
static int step_to_user(struct att_proxy *p, char **reply, size_t *len, unsigned *steps)
{
	uint64_t cs;
	int rc;

	for (*steps = 0; *steps < TO_USER_MAX_STEPS; (*steps)++) {
		char *r;

		if ((rc = att_query(p, "s")) < 0)
			return rc;
		if (p->reply[0] != 'T' && p->reply[0] != 'S')
			return -EPROTO; /* the target ended or failed: say so where it stopped */
		if (!(r = malloc(p->reply_len + 32)))
			return -ENOMEM;
		memcpy(r, p->reply, p->reply_len + 1);
		free(*reply);
		*reply = r;
		*len = p->reply_len;
		if (att_read_reg(p, att_reg(p, "cs"), &cs) == 0 && (cs & 3) == 3) {
			(*steps)++;
			return 0;
		}
	}
	return -ETIMEDOUT;
}

static bool x86_stop(struct att_proxy *p, const struct att_brkpt *b, char **reply, size_t *len)
{
	uint64_t nr = 0, pc = 0;
	unsigned steps;
	int from, rc;

	if (b->kind == BK_SYSCALL) {
		att_read_reg(p, att_reg(p, "rax"), &nr);
		snprintf(p->note, sizeof(p->note),
			 "strata: stopped: syscall %" PRIu64 " (U -> S, %s)\n", nr, b->name);
		return false;
	}
	if (b->kind == BK_TO_USER) {
		rc = step_to_user(p, reply, len, &steps);
		att_read_reg(p, p->pc_reg, &pc);
		if (rc < 0)
			snprintf(p->note, sizeof(p->note),
				 "strata: stopped: on the way to U from %s, not there after %u "
				 "steps (%s)\n",
				 b->name, steps, strerror(-rc));
		else
			snprintf(p->note, sizeof(p->note),
				 "strata: stopped: S -> U at 0x%" PRIx64 " (%s, %u steps)\n", pc,
				 b->name, steps);
		return false;
	}
	from = idt_from_cpl(p, b);
	if (from == 0) { /* an interrupt or exception in the kernel: no change */
		att_query(p, "s");
		return true;
	}
	snprintf(p->note, sizeof(p->note), "strata: stopped: %s (%s)\n",
		 from == 3 ? "U -> S" : "entry from an unknown level", b->name);
	return false;
}

bool att_brk_stop(struct att_proxy *p, char **reply, size_t *len)
{
	uint64_t pc, cause = 0, nr = 0;
	unsigned n = p->nbrks;
	const struct att_brkpt *b = NULL;
	bool want;

	p->nbrks = 0;
	for (unsigned i = 0; i < n; i++)
		z_packet(p, 'z', p->brks[i].addr);
	if (!n || att_read_reg(p, p->pc_reg, &pc) < 0)
		return false;
	for (unsigned i = 0; i < n && !b; i++)
		if (pc == p->brks[i].addr)
			b = &p->brks[i];
	if (!b)
		return false; /* a stop of GDB's own */
	if (p->arch == ARCH_X86_64)
		return x86_stop(p, b, reply, len);
	att_read_reg(p, att_reg(p, b->kind == BK_STVEC ? "scause" : "mcause"), &cause);
	att_read_reg(p, att_reg(p, "a7"), &nr);
	want = (p->brk & BRK_PRIV) || (b->kind == BK_STVEC && cause == 8);
	if (!want) { /* step off the vector before resuming over it */
		att_query(p, "s");
		return true;
	}
	if (b->kind == BK_STVEC && cause == 8)
		snprintf(p->note, sizeof(p->note),
			 "strata: stopped: syscall a7=%" PRIu64 " (U -> S)\n", nr);
	else
		snprintf(p->note, sizeof(p->note),
			 "strata: stopped: trap cause 0x%" PRIx64 " into %s\n", cause,
			 b->kind == BK_STVEC ? "S" : "M");
	return false;
}
