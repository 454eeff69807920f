/* monitor — `monitor ...` commands of strata's GDB stub. They inspect and steer the machine;
 * none of them runs anything on the host. */
#include "async/picture.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "gdb/abrk.h"
#include "gdb/target.h"
#include "machine/machine.h"
#include "replay/snapshot.h"
#include "trace/record.h"
#include "util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *buf;
	size_t size, used;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->size - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n < o->size - o->used ? (size_t)n : o->size - o->used - 1;
}

/* levels as GDB's priv register has them: V (H extension) in bit 2 */
static const char *const priv_names[8] = {"U", "S", "?", "M", "VU", "VS", "?", "?"};

/* Next whitespace-separated word of *p, NUL-terminated in place; NULL at the end. */
static char *word(char **p)
{
	char *w = *p, *e;

	while (*w == ' ' || *w == '\t')
		w++;
	if (!*w)
		return NULL;
	e = w;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	*p = *e ? e + 1 : e;
	*e = 0;
	return w;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static uint64_t csr(struct hart *h, unsigned addr)
{
	uint64_t v = 0;

	hart_debug_read_reg(h, 65 + addr, &v);
	return v;
}

static int m_help(struct gdb_target *t, char *args, struct out *o)
{
	say(o, "strata monitor commands:\n"
	       "  info                   each hart: pc, privilege, satp, pending and enabled "
	       "interrupts\n"
	       "  ring [HART]            the last instructions of a hart (default: the one that "
	       "stopped),\n"
	       "                         disassembled, with its registers\n"
	       "  walk ADDR [HART]       the page-table walk for a virtual address under satp\n"
	       "  phys on|off            m/M/X packets use physical (on) or virtual (off) "
	       "addresses\n"
	       "  gpa on|off             m/M/X packets use a guest's physical addresses (through\n"
	       "                         the hart's hgatp, H extension) or virtual (off)\n"
	       "  trace                  which tracers record; trace NAME[,NAME] on|off switches\n"
	       "                         itrace, mtrace, ftrace, etrace, dtrace or all at run time\n"
	       "  break-on               the event stops in force; break-on EVENT adds one:\n"
	       "                           priv (any privilege change), sbi (ecall from S, or a\n"
	       "                           hypercall: from VS), syscall (ecall from U),\n"
	       "                           vmexit (a guest traps to HS or M), vmentry (an xRET\n"
	       "                           enters a guest), trap N (exception cause N),\n"
	       "                           irq N (interrupt N); break-on off clears them all\n"
	       "                         async (--trace=async): poll TASK|FUTURE, pending FUTURE,\n"
	       "                           ready FUTURE, wake TASK, lost-wake, polls N (a task's\n"
	       "                           Nth poll); a stop shows the task's await tree\n"
	       "  tasks                  the async tasks on the stack and their await trees,\n"
	       "                         read from memory (no tracer: no poll counts)\n"
	       "  await ADDR [NAME]      the await tree of the future at ADDR (of kind NAME)\n"
	       "  when                   the instruction count (all harts) and the snapshots\n"
	       "  goto N                 go to instruction count N, back (from a snapshot) or\n"
	       "                         forward; then `maint flush register-cache`\n"
	       "  snapshots              snapshots in memory, restores of a replay's stored ones,\n"
	       "                         instructions this process executed\n"
	       "  help                   this text\n");
	return 0;
}

static int m_info(struct gdb_target *t, char *args, struct out *o)
{
	static const char *const irq_names[12] = {"", "SSI", "", "MSI", "", "STI",
						  "", "MTI", "", "SEI", "", "MEI"};

	for (unsigned i = 0; i < t->nharts; i++) {
		struct hart *h = cpu_hart(t->cpu, i);
		uint64_t mip = csr(h, 0x344), mie = csr(h, 0x304), satp = csr(h, 0x180);
		unsigned mode = satp >> 60;

		uint64_t lvl = 0;

		hart_debug_read_reg(h, 4161, &lvl);
		say(o, "hart %u: pc 0x%016" PRIx64 " priv %s%s\n", i, hart_get_pc(h),
		    priv_names[lvl & 7], hart_waiting(h) ? " (waiting in wfi)" : "");
		say(o, "  satp 0x%016" PRIx64 " (%s", satp,
		    mode == 8 ? "Sv39" : mode == 9 ? "Sv48" : "bare");
		if (mode == 8 || mode == 9)
			say(o, ", asid %" PRIu64 ", root 0x%" PRIx64, (uint64_t)((satp >> 44) & 0xffff),
			    (uint64_t)((satp & ((1ull << 44) - 1)) << 12));
		say(o, ")\n  mstatus 0x%016" PRIx64 "  mip 0x%03" PRIx64 "  mie 0x%03" PRIx64
		       "  pending:",
		    csr(h, 0x300), mip, mie);
		if (!mip)
			say(o, " none");
		for (unsigned b = 0; b < 12; b++)
			if ((mip >> b) & 1)
				say(o, " %s%s", irq_names[b], (mie >> b) & 1 ? "" : "(masked)");
		say(o, "\n");
	}
	return 0;
}

static struct hart *hart_arg(struct gdb_target *t, const char *a, struct out *o)
{
	uint64_t n = t->last_hart;

	if (a && (!parse_u64(a, &n) || n >= t->nharts)) {
		say(o, "no hart '%s' (harts 0..%u)\n", a, t->nharts - 1);
		return NULL;
	}
	return cpu_hart(t->cpu, (unsigned)n);
}

static int m_ring(struct gdb_target *t, char *args, struct out *o)
{
	struct hart *h = hart_arg(t, word(&args), o);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!h)
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	hart_dump(h, f);
	fclose(f);
	say(o, "%s", text ? text : "");
	free(text);
	return 0;
}

static int m_walk(struct gdb_target *t, char *args, struct out *o)
{
	const char *a = word(&args);
	uint64_t va, pa;
	struct hart *h;
	char text[1024];

	if (!parse_u64(a, &va)) {
		say(o, "usage: monitor walk ADDR [HART]\n");
		return 0;
	}
	h = hart_arg(t, word(&args), o);
	if (!h)
		return 0;
	if (hart_debug_translate(h, va, &pa, text, sizeof(text)) < 0)
		say(o, "%s0x%" PRIx64 ": no translation (a page fault)\n", text, va);
	else
		say(o, "%s", text);
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} tracers[] = {
    {"itrace", REC_ITRACE}, {"mtrace", REC_MTRACE}, {"ftrace", REC_FTRACE},
    {"etrace", REC_ETRACE}, {"dtrace", REC_DTRACE}, {"all", REC_ALL},
};

static int m_trace(struct gdb_target *t, char *args, struct out *o)
{
	char *list = word(&args), *onoff = word(&args), *name, *save = NULL;
	unsigned bits = 0, what;

	if (list && !onoff) {
		say(o, "usage: monitor trace NAME[,NAME...] on|off\n");
		return 0;
	}
	if (list) {
		if (strcmp(onoff, "on") && strcmp(onoff, "off")) {
			say(o, "monitor trace: '%s' is neither on nor off\n", onoff);
			return 0;
		}
		for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
			unsigned k;

			for (k = 0; k < sizeof(tracers) / sizeof(tracers[0]); k++)
				if (!strcmp(name, tracers[k].name))
					break;
			if (k == sizeof(tracers) / sizeof(tracers[0])) {
				say(o, "monitor trace: no tracer '%s' (itrace, mtrace, ftrace, "
				       "etrace, dtrace, all)\n",
				    name);
				return 0;
			}
			bits |= tracers[k].bit;
		}
		if (!t->rec && onoff[1] == 'n') {
			t->rec = t->cfg->open_trace ? t->cfg->open_trace(t->cfg->ctx) : NULL;
			if (!t->rec) {
				say(o, "monitor trace: %s\n",
				    err_msg() ? err_msg() : "cannot open a trace file");
				return 0;
			}
		}
		if (t->rec) {
			what = rec_config(t->rec)->what;
			rec_set_what(t->rec, onoff[1] == 'n' ? what | bits : what & ~bits);
		}
	}
	if (!t->rec) {
		say(o, "no trace is being written (monitor trace NAME on starts one)\n");
		return 0;
	}
	what = rec_config(t->rec)->what;
	say(o, "recording to %s:", rec_config(t->rec)->path);
	for (unsigned k = 0; k + 1 < sizeof(tracers) / sizeof(tracers[0]); k++)
		say(o, " %s %s", tracers[k].name, what & tracers[k].bit ? "on" : "off");
	say(o, "\n");
	return 0;
}

static int m_break_on(struct gdb_target *t, char *args, struct out *o)
{
	uint64_t exc, irq, n;
	unsigned ev = cpu_break_events(t->cpu, &exc, &irq);
	char *a = word(&args);

	if (a) {
		if (!strcmp(a, "off")) {
			ev = 0;
			exc = irq = 0;
			gdb_abrk_clear(t);
		} else if (!strcmp(a, "priv")) {
			ev |= CPU_BRK_PRIV;
		} else if (!strcmp(a, "sbi")) {
			ev |= CPU_BRK_SBI;
		} else if (!strcmp(a, "syscall")) {
			ev |= CPU_BRK_SYSCALL;
		} else if (!strcmp(a, "vmexit")) {
			ev |= CPU_BRK_VMEXIT;
		} else if (!strcmp(a, "vmentry")) {
			ev |= CPU_BRK_VMENTRY;
		} else if (!strcmp(a, "trap") || !strcmp(a, "irq")) {
			if (!parse_u64(word(&args), &n) || n > 63) {
				say(o, "usage: monitor break-on %s CAUSE (0..63)\n", a);
				return 0;
			}
			ev |= CPU_BRK_TRAP;
			if (a[0] == 't')
				exc |= 1ull << n;
			else
				irq |= 1ull << n;
		} else {
			char msg[200] = "";
			int rc = gdb_abrk_add(t, a, word(&args), msg, sizeof(msg));
			if (rc == -ENOENT && !strcmp(msg, "")) {
				say(o, "monitor break-on: unknown event '%s' (priv, sbi, syscall, "
				       "vmexit, vmentry, trap N, irq N, poll, pending, ready, wake, "
				       "lost-wake, polls, off)\n",
				    a);
				return 0;
			}
			if (rc < 0) {
				say(o, "%s", msg);
				return 0;
			}
		}
		cpu_break_on(t->cpu, ev, exc, irq);
	}
	char async[400];
	gdb_abrk_describe(t, async, sizeof(async));
	say(o, "break on:");
	if (!ev && !async[0])
		say(o, " nothing");
	if (ev & CPU_BRK_PRIV)
		say(o, " priv");
	if (ev & CPU_BRK_SBI)
		say(o, " sbi");
	if (ev & CPU_BRK_SYSCALL)
		say(o, " syscall");
	if (ev & CPU_BRK_VMEXIT)
		say(o, " vmexit");
	if (ev & CPU_BRK_VMENTRY)
		say(o, " vmentry");
	for (unsigned b = 0; b < 64; b++)
		if ((exc >> b) & 1)
			say(o, " trap %u", b);
	for (unsigned b = 0; b < 64; b++)
		if ((irq >> b) & 1)
			say(o, " irq %u", b);
	say(o, "%s\n", async);
	return 0;
}

static int m_when(struct gdb_target *t, char *args, struct out *o)
{
	say(o, "instruction %" PRIu64 "\n", machine_insns(t->m));
	if (t->cfg->snaps && rr_snaps_count(t->cfg->snaps))
		say(o, "%u snapshots from instruction %" PRIu64 ", %" PRIu64 " KiB\n",
		    rr_snaps_count(t->cfg->snaps), rr_snaps_first(t->cfg->snaps),
		    rr_snaps_bytes(t->cfg->snaps) >> 10);
	return 0;
}

static int m_stored(struct gdb_target *t, char *args, struct out *o)
{
	const struct rr_snaps *s = t->cfg->snaps;

	say(o, "%u in memory, from instruction %" PRIu64 "; a stored snapshot restored %u times\n",
	    s ? rr_snaps_count(s) : 0, s && rr_snaps_count(s) ? rr_snaps_first(s) : 0,
	    s ? rr_snaps_jumps(s) : 0);
	say(o, "instructions executed by this process: %" PRIu64 "\n",
	    machine_executed_insns(t->m));
	return 0;
}

static int m_goto(struct gdb_target *t, char *args, struct out *o)
{
	uint64_t n;
	int r;

	if (!parse_u64(word(&args), &n)) {
		say(o, "monitor goto N: N is an instruction count (monitor when)\n");
		return 0;
	}
	r = gdb_reverse_goto(t, n, o->buf + o->used, o->size - o->used);
	o->used += strlen(o->buf + o->used);
	return r == 0 ? GDB_MONITOR_RESUMED : 0;
}

/* Memory as the stopped hart sees it, all or nothing (picture.h's callback). */
static int pic_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return hart_debug_read_mem(ctx, addr, buf, len, CPU_MEM_VIRT) == (long)len ? 0 : -EFAULT;
}

/* monitor tasks / await: the picture src/async/picture.c draws for strata attach too. */
static int m_picture(struct gdb_target *t, char *args, struct out *o, bool tasks)
{
	struct hart *h = cpu_hart(t->cpu, t->last_hart);
	struct apic_mem mem = {pic_read, h};
	uint64_t sp = 0;
	int rc;

	if (!t->apic) {
		if (!(t->apic = apic_new()))
			return -ENOMEM;
		/* the files at their link addresses: the picture applies no load offset */
		for (unsigned i = 0; i < t->nlibs; i++)
			if (!t->info[i].offset && apic_add(t->apic, t->libs[i].path) < 0)
				return -ENOMEM;
	}
	hart_debug_read_reg(h, 2, &sp);
	rc = tasks ? apic_tasks(t->apic, &mem, sp, o->buf + o->used, o->size - o->used)
		   : apic_await(t->apic, &mem, sp, args, o->buf + o->used, o->size - o->used);
	o->used += strlen(o->buf + o->used);
	return rc;
}

static int m_tasks(struct gdb_target *t, char *args, struct out *o)
{
	return m_picture(t, args, o, true);
}

static int m_await(struct gdb_target *t, char *args, struct out *o)
{
	return m_picture(t, args, o, false);
}

static const struct {
	const char *name;
	int (*fn)(struct gdb_target *t, char *args, struct out *o);
} cmds[] = {
    {"help", m_help}, {"info", m_info},	  {"ring", m_ring},	    {"walk", m_walk},
    {"trace", m_trace}, {"break-on", m_break_on}, {"when", m_when}, {"goto", m_goto},
    {"snapshots", m_stored}, {"tasks", m_tasks}, {"await", m_await},
};

int gdb_monitor(void *target, const char *cmd, char *outbuf, size_t size)
{
	struct out o = {outbuf, size, 0};
	char line[512], *p = line, *name;

	if (size)
		outbuf[0] = 0;
	snprintf(line, sizeof(line), "%s", cmd);
	name = word(&p);
	if (!name)
		name = "help";
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i].name))
			return cmds[i].fn(target, p, &o);
	say(&o, "unknown monitor command '%s' (monitor help lists them)\n", name);
	return -ENOENT;
}
