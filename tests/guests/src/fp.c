/* fp — IEEE flags and results in every rounding mode, NaN boxing of singles, fcsr layout,
 * reserved rounding modes, and mstatus.FS gating. Results are printed as bit patterns: the
 * golden file (QEMU) is the reference. */
#include "guest.h"

const char guest_name[] = "fp";

static const char *rm_name[] = {"RNE", "RTZ", "RDN", "RUP", "RMM"};

static uint64_t d2u(double d)
{
	uint64_t u;
	__asm__ volatile("fmv.x.d %0, %1" : "=r"(u) : "f"(d));
	return u;
}

static double u2d(uint64_t u)
{
	double d;
	__asm__ volatile("fmv.d.x %0, %1" : "=f"(d) : "r"(u));
	return d;
}

static uint64_t f2u(float f)
{
	/* The whole 64-bit register: shows the NaN box. */
	uint64_t u;
	__asm__ volatile("fmv.x.d %0, %1" : "=r"(u) : "f"(f));
	return u;
}

static float u2f(uint32_t u)
{
	float f;
	__asm__ volatile("fmv.w.x %0, %1" : "=f"(f) : "r"(u));
	return f;
}

static void flags_clear(void)
{
	csr_write(fflags, 0);
}

static void show(const char *op, const char *rm, uint64_t bits)
{
	uint64_t fl = csr_read(fflags);
	gprintf("%s: %s%s%s: 0x%lx flags", guest_name, op, rm ? " " : "", rm ? rm : "", bits);
	if (!fl)
		gprintf(" -");
	if (fl & 16)
		gprintf(" NV");
	if (fl & 8)
		gprintf(" DZ");
	if (fl & 4)
		gprintf(" OF");
	if (fl & 2)
		gprintf(" UF");
	if (fl & 1)
		gprintf(" NX");
	gputc('\n');
}

#define OP2D(insn, a, b)                                                                           \
	({                                                                                         \
		double r_;                                                                         \
		flags_clear();                                                                     \
		__asm__ volatile(insn " %0, %1, %2" : "=f"(r_) : "f"(a), "f"(b));                  \
		r_;                                                                                \
	})
#define OP2S(insn, a, b)                                                                           \
	({                                                                                         \
		float r_;                                                                          \
		flags_clear();                                                                     \
		__asm__ volatile(insn " %0, %1, %2" : "=f"(r_) : "f"(a), "f"(b));                  \
		r_;                                                                                \
	})
#define OP1D(insn, a)                                                                              \
	({                                                                                         \
		double r_;                                                                         \
		flags_clear();                                                                     \
		__asm__ volatile(insn " %0, %1" : "=f"(r_) : "f"(a));                              \
		r_;                                                                                \
	})
#define CVT_I(insn, a)                                                                             \
	({                                                                                         \
		uint64_t r_;                                                                       \
		flags_clear();                                                                     \
		__asm__ volatile(insn " %0, %1" : "=r"(r_) : "f"(a));                              \
		r_;                                                                                \
	})
#define CMP(insn, a, b)                                                                            \
	({                                                                                         \
		uint64_t r_;                                                                       \
		flags_clear();                                                                     \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "f"(a), "f"(b));                  \
		r_;                                                                                \
	})

static uint64_t fadd_any(uint64_t a)
{
	__asm__ volatile(".4byte 0x02007053"); /* fadd.d f0, f0, f0 */
	return a;
}

int main(void)
{
	double one = 1.0, three = 3.0, two = 2.0, zero = 0.0, mone = -1.0;
	double big = u2d(0x7fefffffffffffffull), tiny = u2d(0x0010000000000000ull);
	double p25 = 2.5, m25 = -2.5, huge = 1e30;
	double snan = u2d(0x7ff4000000000000ull), qnan = u2d(0x7ff8000000000001ull);
	double inf = u2d(0x7ff0000000000000ull);
	float onef = 1.0f, threef = 3.0f, eps = u2f(0x30800000); /* 2^-30 */

	for (int rm = 0; rm < 5; rm++) {
		const char *n = rm_name[rm];
		csr_write(frm, rm);
		show("fdiv.d 1/3", n, d2u(OP2D("fdiv.d", one, three)));
		show("fdiv.d -1/3", n, d2u(OP2D("fdiv.d", mone, three)));
		show("fdiv.s 1/3", n, f2u(OP2S("fdiv.s", onef, threef)));
		show("fadd.s 1+2^-30", n, f2u(OP2S("fadd.s", onef, eps)));
		show("fsqrt.d 2", n, d2u(OP1D("fsqrt.d", two)));
		show("fmul.d max*2 (overflow)", n, d2u(OP2D("fmul.d", big, two)));
		show("fmul.d -max*2 (overflow)", n, d2u(OP2D("fmul.d", -big, two)));
		show("fmul.d min*min/3 (underflow)", n,
		     d2u(OP2D("fmul.d", tiny, u2d(0x3cd5555555555555ull))));
		show("fcvt.w.d 2.5", n, CVT_I("fcvt.w.d", p25));
		show("fcvt.w.d -2.5", n, CVT_I("fcvt.w.d", m25));
		show("fcvt.l.d 1e30 (invalid)", n, CVT_I("fcvt.l.d", huge));
		float s;
		flags_clear();
		__asm__ volatile("fcvt.s.d %0, %1" : "=f"(s) : "f"(u2d(0x3fd5555555555555ull)));
		show("fcvt.s.d 1/3", n, f2u(s));
		double m;
		flags_clear();
		__asm__ volatile("fmadd.d %0, %1, %2, %3"
				 : "=f"(m)
				 : "f"(one / 3), "f"(three), "f"(mone));
		show("fmadd.d (1/3)*3-1", n, d2u(m));
	}
	csr_write(frm, 0);

	show("fdiv.d 1/0", 0, d2u(OP2D("fdiv.d", one, zero)));
	show("fdiv.d -1/0", 0, d2u(OP2D("fdiv.d", mone, zero)));
	show("fdiv.d 0/0", 0, d2u(OP2D("fdiv.d", zero, zero)));
	show("fsqrt.d -1", 0, d2u(OP1D("fsqrt.d", mone)));
	show("fsub.d inf-inf", 0, d2u(OP2D("fsub.d", inf, inf)));
	show("fadd.d qNaN+1", 0, d2u(OP2D("fadd.d", qnan, one)));
	show("fadd.d sNaN+1", 0, d2u(OP2D("fadd.d", snan, one)));
	show("fmin.d sNaN,1", 0, d2u(OP2D("fmin.d", snan, one)));
	show("fmin.d qNaN,qNaN", 0, d2u(OP2D("fmin.d", qnan, qnan)));
	show("fmax.d -0,+0", 0, d2u(OP2D("fmax.d", -zero, zero)));
	show("fmin.d -0,+0", 0, d2u(OP2D("fmin.d", zero, -zero)));
	show("fcvt.w.d NaN", 0, CVT_I("fcvt.w.d", qnan));
	show("fcvt.wu.d -1", 0, CVT_I("fcvt.wu.d", mone));
	show("fcvt.lu.d -0.5", 0, CVT_I("fcvt.lu.d", u2d(0xbfe0000000000000ull)));
	show("feq.d qNaN,1", 0, CMP("feq.d", qnan, one));
	show("feq.d sNaN,1", 0, CMP("feq.d", snan, one));
	show("flt.d qNaN,1", 0, CMP("flt.d", qnan, one));
	show("fle.d 1,1", 0, CMP("fle.d", one, one));
	const double cls[] = {
	    -inf, -one, u2d(0x800fffffffffffffull), -zero, zero, tiny / 2, one, inf, snan, qnan};
	for (int i = 0; i < 10; i++) {
		uint64_t c;
		flags_clear();
		__asm__ volatile("fclass.d %0, %1" : "=r"(c) : "f"(cls[i]));
		show("fclass.d", 0, c);
	}

	/* NaN boxing. */
	float f = 1.5f;
	show("flw/fmv.w.x value is NaN-boxed", 0, f2u(f));
	double bad = u2d(0x000000003f800000ull); /* a single 1.0 without its box */
	float r;
	flags_clear();
	__asm__ volatile("fadd.s %0, %1, %2" : "=f"(r) : "f"(bad), "f"(onef));
	show("fadd.s unboxed+1 (input is canonical NaN)", 0, f2u(r));
	uint64_t x;
	flags_clear();
	__asm__ volatile("fmv.x.w %0, %1" : "=r"(x) : "f"(bad));
	show("fmv.x.w of an unboxed value (raw bits)", 0, x);
	double dd;
	flags_clear();
	__asm__ volatile("fcvt.d.s %0, %1" : "=f"(dd) : "f"(bad));
	show("fcvt.d.s unboxed", 0, d2u(dd));
	flags_clear();
	__asm__ volatile("fsgnj.s %0, %1, %1" : "=f"(r) : "f"(bad));
	show("fsgnj.s unboxed", 0, f2u(r));
	flags_clear();
	__asm__ volatile("fsgnjn.d %0, %1, %1" : "=f"(dd) : "f"(u2d(0xffffffff3f800000ull)));
	show("fsgnjn.d of a boxed single", 0, d2u(dd));

	/* fcsr layout. */
	csr_write(fcsr, 0xff);
	check("fcsr = 0xff: frm = 7", csr_read(frm), 7);
	check("fcsr = 0xff: fflags = 0x1f", csr_read(fflags), 0x1f);
	csr_write(fcsr, 0x1ff);
	check("fcsr bits above 7 read as zero", csr_read(fcsr), 0xff);
	csr_write(fflags, 0x3);
	check("fflags write keeps frm", csr_read(fcsr), 0xe3);
	csr_write(frm, 1);
	check("frm write keeps fflags", csr_read(fcsr), 0x23);
	csr_write(fcsr, 0);

	/* Reserved rounding modes: static rm 5 and dynamic with frm = 5..7. */
	trap_clear();
	__asm__ volatile(".4byte 0x02005053"); /* fadd.d f0, f0, f0, rm=5 */
	check_trap("fadd.d with static rm=5: illegal", PRV_M, CAUSE_ILLEGAL, 0x02005053);
	for (int bad_rm = 5; bad_rm < 8; bad_rm++) {
		csr_write(frm, bad_rm);
		trap_clear();
		__asm__ volatile(".4byte 0x02007053"); /* fadd.d f0, f0, f0, rm=dyn */
		check_trap(bad_rm == 5	 ? "dynamic rm with frm=5: illegal"
			   : bad_rm == 6 ? "dynamic rm with frm=6: illegal"
					 : "dynamic rm with frm=7: illegal",
			   PRV_M, CAUSE_ILLEGAL, 0x02007053);
	}
	csr_write(frm, 0);
	trap_clear();
	__asm__ volatile(
	    ".4byte 0x22000053"); /* fsgnj.d f0,f0,f0: rm field is funct3, frm unused */
	check_no_trap("fsgnj.d ignores frm");

	/* mstatus.FS. */
	csr_clear(mstatus, MSTATUS_FS);
	trap_clear();
	__asm__ volatile(".4byte 0x02007053");
	check_trap("FS=Off: fadd.d illegal", PRV_M, CAUSE_ILLEGAL, 0x02007053);
	trap_clear();
	__asm__ volatile(".4byte 0x00102573"); /* csrr a0, fflags */
	check_trap("FS=Off: csrr fflags illegal", PRV_M, CAUSE_ILLEGAL, 0x00102573);
	trap_clear();
	__asm__ volatile(".4byte 0xe2000553"); /* fmv.x.d a0, f0 */
	check_trap("FS=Off: fmv.x.d illegal", PRV_M, CAUSE_ILLEGAL, 0xe2000553);
	trap_clear();
	__asm__ volatile(".2byte 0x2002\n.2byte 0x0001"); /* c.fldsp f0, 0(sp) */
	check_trap("FS=Off: c.fldsp illegal", PRV_M, CAUSE_ILLEGAL, 0x2002);
	trap_clear();
	enter_mode(PRV_S, fadd_any, 0);
	check_trap("FS=Off: fadd.d from S illegal", PRV_M, CAUSE_ILLEGAL, 0x02007053);
	csr_set(mstatus, 1ul << 13); /* Initial */
	check("FS=Initial: SD clear", csr_read(mstatus) >> 63, 0);
	fadd_any(0);
	check("FS=Initial then fadd.d: FS = Dirty", (csr_read(mstatus) >> 13) & 3, 3);
	check("FS=Dirty: SD set", csr_read(mstatus) >> 63, 1);
	check("sstatus.SD mirrors it", csr_read(sstatus) >> 63, 1);
	return check_failures;
}
