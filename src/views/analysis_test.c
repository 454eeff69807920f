/* Unit tests of the analysis on synthetic event sequences (no trace file, no symbols). */
#include "views/analysis.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static char logbuf[8192];
static size_t loglen;

static void logf_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen)
		loglen += n;
}

/* One compact line per analysed event, e.g. "E S foo 2" or "X S foo 5/9". */
static int collect(void *arg, const struct ana_ev *e)
{
	(void)arg;
	const char *p = ana_level_name(e->priv);
	char sp[8] = "";
	if (e->priv == TEV_U || tev_level_virt(e->priv))
		snprintf(sp, sizeof(sp), "%u", e->space);
	switch (e->kind) {
	case ANA_ENTER:
		logf_("E %s%s %s %u%s\n", p, sp, e->name, e->depth,
		      e->stack[e->depth - 1].recursive ? " rec" : "");
		break;
	case ANA_EXIT:
		logf_("X %s%s %s %" PRIu64 "/%" PRIu64 "%s\n", p, sp, e->name, e->self_insns,
		      e->total_insns, e->at_end ? " end" : "");
		break;
	case ANA_TRAP:
		logf_("T %s%s %s%s%s\n", p, sp, e->name, e->text ? " " : "", e->text ? e->text : "");
		break;
	case ANA_SBI_BEGIN:
	case ANA_SYS_BEGIN:
		logf_("B %s%s %s\n", p, sp, e->text);
		break;
	case ANA_SBI_END:
	case ANA_SYS_END:
		logf_("R %s%s %s %s\n", p, sp, e->name, e->text ? e->text : "-");
		break;
	case ANA_INSN:
		logf_("I %s %" PRIx64 " %x\n", p, e->pc, e->raw);
		break;
	default:
		logf_("? %d\n", e->kind);
		break;
	}
	return 0;
}

static const char *fake_func(void *ctx, unsigned priv, uint64_t addr)
{
	(void)ctx;
	(void)priv;
	switch (addr) {
	case 0x1000:
		return "main";
	case 0x2000:
		return "foo";
	case 0x3000:
		return "bar";
	case 0x4000:
		return "baz";
	case 0x5000:
		return "a";
	case 0x6000:
		return "b";
	default:
		return NULL;
	}
}

/* Code: every instruction is "addi x0,x0,0" (0x13) except 2-byte ones at 0x1100.. */
static int fake_code(void *ctx, unsigned hart, uint64_t vaddr, uint32_t *raw)
{
	(void)ctx;
	(void)hart;
	if (vaddr >= 0x9000)
		return -2;
	*raw = vaddr >= 0x1100 && vaddr < 0x1200 ? 0x0001 : 0x13;
	return 0;
}

static const struct ana_names_ops names = {.func = fake_func, .code = fake_code};

static struct ana *A;

static void start(bool insns)
{
	loglen = 0;
	logbuf[0] = 0;
	A = ana_new(&names, NULL, insns, collect, NULL);
}

static void feed(struct tev ev)
{
	ev.time = ev.instret;
	if (ana_feed(A, &ev))
		logf_("feed failed\n");
}

static struct tev call(unsigned priv, uint64_t n, uint64_t pc, uint64_t to, uint64_t sp)
{
	return (struct tev){
	    .type = TEV_CALL, .priv = priv, .instret = n, .pc = pc, .addr = to, .sp = sp};
}
static struct tev ret(unsigned priv, uint64_t n, uint64_t to, uint64_t sp)
{
	return (struct tev){
	    .type = TEV_RET, .priv = priv, .instret = n, .pc = 0xffe, .addr = to, .sp = sp};
}
static struct tev trap(unsigned from, unsigned to, uint64_t n, uint64_t cause, uint64_t satp)
{
	return (struct tev){.type = TEV_TRAP,
			    .priv = from,
			    .new_priv = to,
			    .instret = n,
			    .cause = cause,
			    .pc = 0x1234,
			    .addr = 0x7000,
			    .satp = satp};
}
static struct tev xret(unsigned from, unsigned to, uint64_t n, uint64_t satp)
{
	return (struct tev){
	    .type = TEV_XRET, .priv = from, .new_priv = to, .instret = n, .satp = satp};
}

static void expect(const char *name, const char *want)
{
	if (!strcmp(logbuf, want)) {
		printf("PASS %s\n", name);
		return;
	}
	printf("FAIL %s: output differs\n--- want\n%s--- got\n%s", name, want, logbuf);
	failures++;
}

static void check(const char *name, int ok, const char *detail)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, detail);
		failures++;
	}
}

static void test_nested(void)
{
	start(false);
	feed(call(1, 10, 0x1010, 0x2000, 0x8000));
	feed(call(1, 20, 0x2010, 0x3000, 0x7f00));
	feed(ret(1, 25, 0x2014, 0x7f00));
	feed(ret(1, 30, 0x1014, 0x8000));
	ana_finish(A);
	expect("nested_calls", "E S foo 1\nE S bar 2\nX S bar 5/5\nX S foo 15/20\n");
	ana_free(A);
}

static void test_recursion(void)
{
	start(false);
	feed(call(1, 0, 0x1010, 0x5000, 0x8000)); /* a */
	feed(call(1, 2, 0x5010, 0x6000, 0x7f00)); /* b */
	feed(call(1, 4, 0x6010, 0x5000, 0x7e00)); /* a again */
	feed(call(1, 6, 0x5010, 0x6000, 0x7d00)); /* b again */
	feed(ret(1, 8, 0x5014, 0x7d00));
	feed(ret(1, 10, 0x6014, 0x7e00));
	feed(ret(1, 12, 0x5014, 0x7f00));
	feed(ret(1, 14, 0x1014, 0x8000));
	expect("mutual_recursion", "E S a 1\nE S b 2\nE S a 3 rec\nE S b 4 rec\nX S b 2/2\n"
				   "X S a 4/6\nX S b 4/10\nX S a 4/14\n");
	ana_free(A);
}

static void test_tail(void)
{
	start(false);
	feed(call(1, 10, 0x1010, 0x2000, 0x8000));
	feed((struct tev){.type = TEV_TAIL,
			  .priv = 1,
			  .instret = 15,
			  .pc = 0x2020,
			  .addr = 0x3000,
			  .sp = 0x8000});
	feed(ret(1, 20, 0x1014, 0x8000));
	const struct ana_stats *st = ana_stats(A);
	expect("tail_call", "E S foo 1\nX S foo 5/5\nE S bar 1\nX S bar 5/5\n");
	check("tail_call_no_resync", st->resyncs == 0 && st->unmatched_rets == 0, "resynced");
	ana_free(A);
}

static void test_longjmp(void)
{
	start(false);
	feed(call(1, 10, 0x1010, 0x2000, 0x7f00)); /* foo, which called setjmp */
	feed(call(1, 20, 0x2010, 0x3000, 0x7e00));
	feed(call(1, 30, 0x3010, 0x4000, 0x7d00));
	feed(ret(1, 40, 0x2222, 0x7ef0)); /* longjmp lands in foo with foo's sp */
	feed(ret(1, 50, 0x1014, 0x7f00));
	expect("longjmp_resync", "E S foo 1\nE S bar 2\nE S baz 3\nX S baz 10/10\n"
				 "X S bar 10/20\nX S foo 20/40\n");
	check("longjmp_counted", ana_stats(A)->resyncs == 1, "resyncs != 1");
	ana_free(A);
}

static void test_missed_ret(void)
{
	start(false);
	feed(call(1, 10, 0x1010, 0x2000, 0x8000));
	feed(call(1, 20, 0x2010, 0x3000, 0x7f00));
	feed(ret(1, 30, 0x1014, 0x8000)); /* bar's return went unseen: foo returns */
	expect("return_address_resync", "E S foo 1\nE S bar 2\nX S bar 10/10\nX S foo 10/20\n");
	ana_free(A);
}

static void test_unmatched(void)
{
	start(false);
	feed(ret(1, 5, 0x1014, 0x8000));
	feed(ret(1, 6, 0x1018, 0x8100));
	feed(call(1, 10, 0x1010, 0x2000, 0x8000));
	ana_finish(A);
	const struct ana_stats *st = ana_stats(A);
	expect("unmatched_returns", "E S foo 1\nX S foo 0/0 end\n");
	check("unmatched_returns_counted", st->unmatched_rets == 2, "unmatched_rets != 2");
	ana_free(A);
}

/* U calls main->foo, foo makes a syscall; the kernel handler calls do_sys; sret. An M-mode
 * timer interrupt arrives inside do_sys. Counts exclude the other levels' instructions. */
static void test_traps(void)
{
	start(false);
	feed(call(0, 0, 0x1010, 0x1000, 0x8000));
	feed(call(0, 10, 0x1020, 0x2000, 0x7f00));
	struct tev sys = trap(0, 1, 20, 8, 0x100);
	sys.a[7] = 64;
	sys.a[0] = 1;
	feed(sys);
	feed(call(1, 30, 0x7010, 0x3000, 0xf000));
	feed(trap(1, 3, 40, (UINT64_C(1) << 63) | 7, 0x100));
	feed(xret(3, 1, 49, 0x100));
	feed(ret(1, 60, 0x7014, 0xf000));
	struct tev sr = xret(1, 0, 69, 0x100);
	sr.a[0] = 5;
	feed(sr);
	feed(ret(0, 75, 0x1024, 0x7f00));
	ana_finish(A);
	expect(
	    "trap_frames",
	    "E U0 main 1\nE U0 foo 2\nT U0 ecall_u\nB U0 syscall_64(0x1, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
	    "E S trap:ecall_u 1\nE S bar 2\nT S m_timer\nE M irq:m_timer 1\n"
	    "X M irq:m_timer 10/10\nX S bar 20/20\nX S trap:ecall_u 20/40\nR U0 syscall_64 5\n"
	    "X U0 foo 15/15\nX U0 main 10/25 end\n");
	ana_free(A);
}

static void test_sbi(void)
{
	start(false);
	feed(call(1, 0, 0x1010, 0x2000, 0x8000));
	struct tev t = trap(1, 3, 5, 9, 0);
	t.a[7] = 0x54494d45;
	t.a[0] = 0x1234;
	feed(t);
	feed(call(3, 8, 0x7010, 0x4000, 0x9000));
	feed(ret(3, 12, 0x7014, 0x9000));
	struct tev r = xret(3, 1, 15, 0);
	r.a[0] = 0;
	r.a[1] = 7;
	feed(r);
	feed(ret(1, 20, 0x1014, 0x8000));
	expect("sbi_matching", "E S foo 1\nT S ecall_s\n"
			       "B S sbi_0x54494d45_0(0x1234, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
			       "E M trap:ecall_s 1\nE M baz 2\nX M baz 4/4\nX M trap:ecall_s 7/11\n"
			       "R S sbi_0x54494d45_0 0x0, 0x7\nX S foo 9/9\n");
	ana_free(A);
}

/* Two processes on one hart: their U stacks and pending syscalls stay apart. */
static void test_spaces(void)
{
	start(false);
	uint64_t pa = (UINT64_C(8) << 60) | (UINT64_C(1) << 44) | 0x111;
	uint64_t pb = (UINT64_C(8) << 60) | (UINT64_C(2) << 44) | 0x222;
	feed(xret(1, 0, 0, pa));
	feed(call(0, 5, 0x1010, 0x5000, 0x8000)); /* A: a */
	struct tev s1 = trap(0, 1, 10, 8, pa);
	s1.a[7] = 63;
	feed(s1); /* A blocks in read */
	feed(xret(1, 0, 20, pb));
	feed(call(0, 25, 0x1010, 0x6000, 0x8000)); /* B: b */
	feed(ret(0, 30, 0x1014, 0x8000));
	feed(trap(0, 1, 35, (UINT64_C(1) << 63) | 5, pb));
	struct tev back = xret(1, 0, 40, pa);
	back.a[0] = 3;
	feed(back);
	feed(ret(0, 45, 0x1014, 0x8000));
	expect("address_spaces",
	       "E U0 a 1\nT U0 ecall_u\nB U0 syscall_63(0x0, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
	       "E S trap:ecall_u 1\nX S trap:ecall_u 11/11\nE U1 b 1\nX U1 b 5/5\nT U1 s_timer\n"
	       "E S irq:s_timer 1\nX S irq:s_timer 6/6\nR U0 syscall_63 3\nX U0 a 9/9\n");
	ana_free(A);
}

static void test_insns(void)
{
	start(true);
	feed((struct tev){.type = TEV_RUN, .priv = 3, .instret = 0, .pc = 0x1000});
	feed((struct tev){.type = TEV_MEM, .priv = 3, .instret = 1, .pc = 0x1004});
	feed(call(3, 3, 0x100c, 0x1100, 0x8000));
	feed((struct tev){.type = TEV_RUN, .priv = 3, .instret = 4, .pc = 0x1100});
	feed(ret(3, 6, 0x1010, 0x8000));
	expect("run_instructions",
	       "I M 1000 13\nI M 1004 13\n? 9\nI M 1008 13\nI M 100c 13\n"
	       "E M 0x1100 1\nI M 1100 1\nI M 1102 1\nI M ffe 13\nX M 0x1100 3/3\n");
	ana_free(A);
}

/* A hypervisor (HS) runs guest 1: its kernel (VS) calls foo, takes a guest page fault to HS,
 * makes a hypercall, runs a program (VU) that makes a syscall to the guest kernel and is
 * interrupted to HS; then guest 2 (another hgatp) runs. Stacks are per (level, guest, address
 * space); HS counts exclude the guest's instructions and the other way round. */
static void test_guests(void)
{
	const uint64_t g1 = 8ull << 60 | 1ull << 44 | 0x80400, g2 = 8ull << 60 | 2ull << 44 | 0x80800;
	const uint64_t vsatp = 8ull << 60 | 0x81000;
	struct tev ev;

	start(false);
	feed(call(TEV_S, 0, 0x1010, 0x1000, 0x9000)); /* the hypervisor's main */
	ev = xret(TEV_S, TEV_VS, 5, 0);
	ev.hgatp = g1;
	feed(ev);
	feed(call(TEV_VS, 12, 0x1110, 0x2000, 0x8000)); /* the guest kernel's foo */
	ev = trap(TEV_VS, TEV_S, 20, 21, 0);
	ev.hgatp = g1, ev.tval = 0x1235, ev.tval2 = 0x80002000 >> 2;
	check("guest_exit", ana_guest_exit(&ev) && !ana_guest_exit(&(struct tev){.type = TEV_TRAP,
		.priv = TEV_VU, .new_priv = TEV_VS}), "ana_guest_exit");
	check("guest_paddr", ana_guest_paddr(&ev) == 0x80002001, "gpa");
	feed(ev);
	feed(call(TEV_S, 22, 0x7010, 0x3000, 0x9f00)); /* the hypervisor's fault handler bar */
	feed(ret(TEV_S, 30, 0x7014, 0x9f00));
	ev = xret(TEV_S, TEV_VS, 35, 0);
	ev.hgatp = g1;
	feed(ev);
	ev = trap(TEV_VS, TEV_S, 40, 10, 0); /* hypercall: sbi_set_timer */
	ev.hgatp = g1, ev.a[7] = 0x54494d45, ev.a[6] = 0, ev.a[0] = 0x1000;
	feed(ev);
	ev = xret(TEV_S, TEV_VS, 45, 0);
	ev.hgatp = g1;
	feed(ev);
	ev = xret(TEV_VS, TEV_VU, 50, vsatp); /* the guest kernel starts a program */
	ev.hgatp = g1;
	feed(ev);
	feed(call(TEV_VU, 52, 0x1210, 0x4000, 0x7000));
	ev = trap(TEV_VU, TEV_VS, 60, 8, vsatp); /* its syscall, handled by the guest kernel */
	ev.hgatp = g1, ev.a[7] = 64;
	feed(ev);
	ev = xret(TEV_VS, TEV_VU, 65, vsatp);
	ev.hgatp = g1, ev.a[0] = 3;
	feed(ev);
	ev = trap(TEV_VU, TEV_S, 70, UINT64_C(1) << 63 | 5, vsatp); /* an HS timer: a guest exit */
	ev.hgatp = g1;
	feed(ev);
	ev = xret(TEV_S, TEV_VU, 80, vsatp);
	ev.hgatp = g1;
	feed(ev);
	feed(ret(TEV_VU, 85, 0x1214, 0x7000));
	ev = trap(TEV_VU, TEV_S, 90, UINT64_C(1) << 63 | 5, vsatp);
	ev.hgatp = g1;
	feed(ev);
	ev = xret(TEV_S, TEV_VS, 95, 0); /* guest 2 */
	ev.hgatp = g2;
	feed(ev);
	feed(call(TEV_VS, 97, 0x1110, 0x2000, 0x8000));
	ana_finish(A);
	expect("guest_stacks",
	       "E S main 1\n"
	       "E VS0 foo 1\n"
	       "T VS0 load_guest_page_fault gpa=0x80002001\n"
	       "E S trap:load_guest_page_fault 2\n"
	       "E S bar 3\n"
	       "X S bar 8/8\n"
	       "X S trap:load_guest_page_fault 8/16\n"
	       "T VS0 ecall_vs\n"
	       "B VS0 sbi_0x54494d45_0(0x1000, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
	       "E S trap:ecall_vs 2\n"
	       "X S trap:ecall_vs 6/6\n"
	       "R VS0 sbi_0x54494d45_0 0x0, 0x0\n"
	       "E VU0 baz 1\n"
	       "T VU0 ecall_u\n"
	       "B VU0 syscall_64(0x0, 0x0, 0x0, 0x0, 0x0, 0x0)\n"
	       "E VS0 trap:ecall_u 2\n"
	       "X VS0 trap:ecall_u 6/6\n"
	       "R VU0 syscall_64 3\n"
	       "T VU0 s_timer\n"
	       "E S irq:s_timer 2\n"
	       "X S irq:s_timer 11/11\n"
	       "X VU0 baz 16/16\n"
	       "T VU0 s_timer\n"
	       "E S irq:s_timer 2\n"
	       "X S irq:s_timer 6/6\n"
	       "E VS1 foo 1\n"
	       "X S main 5/44 end\n"
	       "X VS0 foo 16/22 end\n"
	       "X VS1 foo 0/0 end\n");
	ana_free(A);

	char buf[96], c[32];
	check("guest_track_names",
	      !strcmp(ana_track_name(0, TEV_VS, 0, 0, g1, ' ', buf, sizeof(buf)), "hart0 VS vmid=1") &&
		  !strcmp(ana_track_name(1, TEV_VU, 0, vsatp, g2, ';', buf, sizeof(buf)),
			  "hart1;VU vmid=2 satp=0x8000000000081000") &&
		  !strcmp(ana_track_name(0, TEV_S, 0, 0, 0, ' ', buf, sizeof(buf)), "hart0 S") &&
		  !strcmp(ana_level_name(TEV_VU), "VU") && !strcmp(ana_level_name(2), "?"),
	      buf);
	check("guest_cause_names",
	      !strcmp(ana_cause_name(20, c, sizeof(c)), "insn_guest_page_fault") &&
		  !strcmp(ana_cause_name(22, c, sizeof(c)), "virtual_insn") &&
		  !strcmp(ana_cause_name(23, c, sizeof(c)), "store_guest_page_fault") &&
		  !strcmp(ana_cause_name(10, c, sizeof(c)), "ecall_vs") &&
		  !strcmp(ana_cause_name(UINT64_C(1) << 63 | 6, c, sizeof(c)), "vs_timer") &&
		  !strcmp(ana_cause_name(UINT64_C(1) << 63 | 12, c, sizeof(c)), "s_guest_ext"),
	      c);
}

int main(void)
{
	test_guests();
	test_nested();
	test_recursion();
	test_tail();
	test_longjmp();
	test_missed_ret();
	test_unmatched();
	test_traps();
	test_sbi();
	test_spaces();
	test_insns();
	char buf[32];
	check("cause_names",
	      !strcmp(ana_cause_name(13, buf, sizeof(buf)), "load_page_fault") &&
		  !strcmp(ana_cause_name((UINT64_C(1) << 63) | 9, buf, sizeof(buf)), "s_ext") &&
		  !strcmp(ana_cause_name(24, buf, sizeof(buf)), "exc_24"),
	      "wrong cause name");
	return failures != 0;
}
