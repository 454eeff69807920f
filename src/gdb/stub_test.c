/* stub_test — a scripted GDB conversation with the fake target: every command, exact replies. */
#include "gdb/stub.h"

#include <stdlib.h>

#include "gdb/rsp.h"

#include "gdb/test_target.h"
#include "machine/test_util.h"

static char got[1 << 17];
static size_t ngot;
static bool acking = true; /* what the conversation expects: '+' before each reply */
static struct fake_target ft;

static int io_write(void *ctx, const void *buf, size_t len)
{
	if (len > sizeof(got) - ngot)
		return -ENOSPC;
	memcpy(got + ngot, buf, len);
	ngot += len;
	return 0;
}

static const struct gdb_io io = {NULL, io_write};

/* Frame data as GDB would, independently of rsp_encode(). */
static size_t frame(const char *data, size_t len, char *out)
{
	size_t n = 0;
	unsigned sum = 0;

	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '#' || c == '$' || c == '}' || c == '*') {
			out[n++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[n++] = c;
		sum += (uint8_t)c;
	}
	n += (size_t)sprintf(out + n, "#%02x", sum & 0xff);
	return n;
}

static char want[1 << 17];
static size_t nwant;

static void want_reset(void)
{
	nwant = 0;
	if (acking)
		want[nwant++] = '+';
}

static void want_packet(const char *data, size_t len)
{
	nwant += frame(data, len, want + nwant);
}

/* Send query (len bytes), run the stub, compare everything it wrote with want. */
static int send_raw(struct gdb_stub *s, const char *bytes, size_t len, int *ret)
{
	ngot = 0;
	*ret = gdb_stub_input(s, bytes, len);
	if (ngot != nwant || memcmp(got, want, ngot)) {
		printf("FAIL conversation: sent '%.*s'\n  want '%.*s'\n  got  '%.*s'\n", (int)len,
		       bytes, (int)nwant, want, (int)ngot, got);
		return 1;
	}
	return 0;
}

static int ask_n(struct gdb_stub *s, const char *q, size_t qlen, const char *reply, size_t rlen,
		 int expect_ret)
{
	static char buf[1 << 15];
	size_t n = frame(q, qlen, buf);
	int ret;

	want_reset();
	if (reply)
		want_packet(reply, rlen);
	if (send_raw(s, buf, n, &ret))
		return 1;
	if (ret != expect_ret) {
		printf("FAIL conversation: '%.*s' returned %d, want %d\n", (int)qlen, q, ret,
		       expect_ret);
		return 1;
	}
	return 0;
}

/* One exchange: query → exact reply (NULL: no reply at all, only the ack). */
static int ask(struct gdb_stub *s, const char *q, const char *reply, int expect_ret)
{
	return ask_n(s, q, strlen(q), reply, reply ? strlen(reply) : 0, expect_ret);
}

#define ASK(s, q, r)	   CHECK(!ask(s, q, r, 0), "exchange '%s'", q)
#define ASKR(s, q, r, ret) CHECK(!ask(s, q, r, ret), "exchange '%s'", q)

static char *hexstr(const char *text, char *out)
{
	for (size_t i = 0; text[i]; i++)
		sprintf(out + 2 * i, "%02x", (uint8_t)text[i]);
	out[2 * strlen(text)] = 0;
	return out;
}

static struct gdb_stub *fresh(void)
{
	memset(&ft, 0, sizeof(ft));
	ft.priv[0] = ft.priv[1] = 3;
	ft.stop = (struct gdb_stop){.kind = GDB_STOP_SIGNAL, .signal = 5};
	acking = true;
	return gdb_stub_new(&ft_ops, &ft, &io);
}

static int handshake(void)
{
	struct gdb_stub *s = fresh();
	char h[64];

	CHECK(s, "gdb_stub_new");
	ASK(s, "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+",
	    "PacketSize=4000;qXfer:features:read+;qXfer:libraries:read+;QStartNoAckMode+;"
	    "vContSupported+;swbreak+;hwbreak+");
	ASK(s, "vMustReplyEmpty", "");
	ASK(s, "?", "T05thread:1;");
	ASK(s, "qAttached", "1");
	ASK(s, "qfThreadInfo", "m1,2");
	ASK(s, "qsThreadInfo", "l");
	ASK(s, "qC", "QC1");
	ASK(s, "Hg2", "OK");
	ASK(s, "qC", "QC2");
	ASK(s, "Hg0", "OK");
	ASK(s, "qC", "QC2");
	ASK(s, "Hg-1", "OK");
	ASK(s, "Hc-1", "OK");
	ASK(s, "Hc1", "OK");
	ASK(s, "Hg3", "E22");
	ASK(s, "Hx1", "E22");
	ASK(s, "H", "E22");
	ASK(s, "Hg1z", "E22");
	ASK(s, "T1", "OK");
	ASK(s, "T2", "OK");
	ASK(s, "T3", "E22");
	ASK(s, "T0", "E22");
	ASK(s, "T", "E22");
	ft.priv[1] = 1;
	ASK(s, "qThreadExtraInfo,1", hexstr("hart 0, M mode", h));
	ASK(s, "qThreadExtraInfo,2", hexstr("hart 1, S mode", h));
	ft.priv[1] = 5; /* V in bit 2: a hypervisor's guest kernel */
	ASK(s, "qThreadExtraInfo,2", hexstr("hart 1, VS mode", h));
	ft.priv[1] = 4;
	ASK(s, "qThreadExtraInfo,2", hexstr("hart 1, VU mode", h));
	ASK(s, "qThreadExtraInfo,9", "E22");
	ASK(s, "qTStatus", "");
	ASK(s, "", "");
	gdb_stub_free(s);
	return 0;
}

static int target_xml(void)
{
	struct gdb_stub *s = fresh();
	static char xml[65536], q[64];
	size_t n = 0;

	ASK(s, "qXfer:features:read:target.xml:0,5", "m<?xml");
	/* Read it all in chunks as GDB does, checking each reply's framing via the stub's own. */
	for (int i = 0; i < 100; i++) {
		snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,400", n);
		ngot = 0;
		size_t qn = frame(q, strlen(q), want);
		CHECK(gdb_stub_input(s, want, qn) == 0, "xfer");
		CHECK(ngot > 5 && got[0] == '+' && got[1] == '$' && got[ngot - 3] == '#', "framed");
		size_t len = ngot - 6;
		CHECK(len <= 0x400 && n + len < sizeof(xml), "chunk size %zu", len);
		CHECK(!memchr(got + 3, '}', len), "target.xml needs no escapes");
		memcpy(xml + n, got + 3, len);
		n += len;
		if (got[2] == 'l')
			break;
		CHECK(got[2] == 'm', "m or l");
	}
	xml[n] = 0;
	CHECK(!strncmp(xml, "<?xml", 5) && strstr(xml, "</target>\n") == xml + n - 10,
	      "whole document");
	CHECK(strstr(xml, "<architecture>riscv:rv64</architecture>"), "architecture");
	CHECK(strstr(xml, "<osabi>none</osabi>"), "osabi none: GDB then reads qXfer:libraries");
	CHECK(strstr(xml, "<feature name=\"org.gnu.gdb.riscv.cpu\">"), "cpu feature");
	CHECK(strstr(xml, "<feature name=\"org.gnu.gdb.riscv.fpu\">"), "fpu feature");
	CHECK(strstr(xml, "<feature name=\"org.gnu.gdb.riscv.csr\">"), "csr feature");
	CHECK(strstr(xml, "<feature name=\"org.gnu.gdb.riscv.virtual\">"), "virtual feature");
	CHECK(strstr(xml, "<reg name=\"zero\" bitsize=\"64\" type=\"int\" regnum=\"0\"/>"), "x0");
	CHECK(strstr(xml, "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>"),
	      "pc");
	CHECK(strstr(xml, "<reg name=\"ft0\" bitsize=\"64\" type=\"riscv_double\" regnum=\"33\"/>"),
	      "f0");
	CHECK(strstr(xml, "<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"66\"/>"),
	      "fflags");
	CHECK(strstr(xml, "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"68\"/>"),
	      "fcsr");
	CHECK(strstr(xml, "<reg name=\"mstatus\" bitsize=\"64\" type=\"int\" regnum=\"833\"/>"),
	      "mstatus = 65 + 0x300");
	CHECK(strstr(xml, "<reg name=\"satp\" bitsize=\"64\" type=\"int\" regnum=\"449\"/>"),
	      "satp");
	CHECK(strstr(xml, "<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"4161\"/>"),
	      "priv");
	snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,10", n);
	ASK(s, q, "l");
	ASK(s, "qXfer:features:read:other.xml:0,10", "E02");
	ASK(s, "qXfer:features:read:target.xml:0", "E22");
	ASK(s, "qXfer:features:read:target.xml:zz,10", "E22");
	ASK(s, "qXfer:features:read:target.xml:0,10,", "E22");
	ASK(s, "qXfer:memory-map:read::0,10", "");
	gdb_stub_free(s);
	return 0;
}

static int registers(void)
{
	struct gdb_stub *s = fresh();
	static char g[1024], G[1024];

	for (unsigned r = 1; r < 32; r++)
		ft.x[0][r] = 0x0101010101010101ull * r;
	ft.x[0][GDB_REG_PC] = 0x80000000;
	ft.x[1][GDB_REG_PC] = 0x80000004;
	for (unsigned r = 0; r <= 32; r++)
		for (unsigned b = 0; b < 8; b++)
			sprintf(g + 16 * r + 2 * b, "%02x",
				(unsigned)(ft.x[0][r] >> (8 * b)) & 0xff);
	ASK(s, "g", g);
	ASK(s, "gx", "E22");
	ASK(s, "p20", "0000008000000000");
	ASK(s, "p1", "0101010101010101");
	ft.fcsr[0] = 0xff;
	ASK(s, "p42", "1f000000");	     /* fflags: 32 bits */
	ASK(s, "p43", "07000000");	     /* frm */
	ASK(s, "p44", "ff000000");	     /* fcsr */
	ASK(s, "p1041", "0300000000000000"); /* priv */
	ASK(s, "p355", "xxxxxxxxxxxxxxxx");  /* 65 + 0x314, not a CSR */
	ASK(s, "p400", "xxxxxxxxxxxxxxxx");  /* a CSR this hart lacks: unavailable */
	ASK(s, "p", "E22");
	ASK(s, "pz", "E22");
	ASK(s, "p10000", "E22");
	ASK(s, "P1041=0100000000000000", "OK");
	CHECK(ft.priv[0] == 1, "priv written");
	ASK(s, "P1041=0200000000000000", "E22"); /* the target refuses priv 2 */
	ASK(s, "P20=0010008000000000", "OK");
	CHECK(ft.x[0][GDB_REG_PC] == 0x80001000, "pc written");
	ASK(s, "P44=1f000000", "OK");
	CHECK(ft.fcsr[0] == 0x1f, "32-bit fcsr written");
	ASK(s, "P44=1f00000000000000", "E22");
	ASK(s, "P20=12", "E22");
	ASK(s, "P20", "E22");
	ASK(s, "P20=001000800000000g", "E22");
	ASK(s, "P400=0000000000000000", "E02");
	ASK(s, "P0=ffffffffffffffff", "OK");
	CHECK(ft.x[0][0] == 0, "x0 stays 0");
	ASK(s, "Hg2", "OK");
	ASK(s, "p20", "0400008000000000");
	ASK(s, "pf55", "0100000000000000"); /* mhartid (65 + 0xf14) of hart 1 */
	for (unsigned r = 0; r <= 32; r++)
		sprintf(G + 16 * r, "%02x00000000000000", r);
	ASK(s, G, ""); /* without its 'G' this is no command at all */
	memmove(G + 1, G, strlen(G) + 1);
	G[0] = 'G';
	ASK(s, G, "OK");
	CHECK(ft.x[1][5] == 5 && ft.x[1][GDB_REG_PC] == 32 && ft.x[0][5] == 0x0505050505050505ull,
	      "G wrote hart 1's registers only");
	G[strlen(G) - 1] = 0;
	ASK(s, G, "E22");
	ASK(s, "G", "E22");
	gdb_stub_free(s);
	return 0;
}

/* Expect a monitor command's O packet (if text) then reply. */
static int monitor_says(struct gdb_stub *s, const char *cmd, const char *text, const char *reply)
{
	char q[256] = "qRcmd,", o[512] = "O";
	size_t n;
	int ret;

	hexstr(cmd, q + 6);
	n = frame(q, strlen(q), want + 20000);
	memmove(q, want + 20000, n);
	want_reset();
	if (text) {
		hexstr(text, o + 1);
		want_packet(o, strlen(o));
	}
	want_packet(reply, strlen(reply));
	return send_raw(s, q, n, &ret) || ret != 0;
}

static int memory(void)
{
	struct gdb_stub *s = fresh();

	for (unsigned i = 0; i < FT_MEM_BYTES; i++)
		ft.mem[i] = (uint8_t)i;
	ASK(s, "m1000,4", "00010203");
	ASK(s, "m10fe,4", "feff"); /* a short read at the end of memory */
	ASK(s, "m2000,4", "E14");
	ASK(s, "m1000,0", "");
	ASK(s, "m1000", "E22");
	ASK(s, "m1000,", "E22");
	ASK(s, "m,4", "E22");
	ASK(s, "m1000,4x", "E22");
	ASK(s, "m10000000000000000,4", "E22"); /* 17 digits */
	ASK(s, "M1000,2:abcd", "OK");
	CHECK(ft.mem[0] == 0xab && ft.mem[1] == 0xcd, "M wrote");
	ASK(s, "M1000,2:abc", "E22");
	ASK(s, "M1000,2:abcdef", "E22");
	ASK(s, "M1000,2", "E22");
	ASK(s, "M10ff,2:abcd", "E14"); /* only one byte fits */
	ASK(s, "M1000,0:", "OK");
	CHECK(!ask_n(s, "X1001,3:#$*", 11, "OK", 2, 0), "X with escaped bytes");
	CHECK(!memcmp(ft.mem + 1, "#$*", 3), "X wrote binary");
	CHECK(!ask_n(s, "X1004,2:\0\x03", 10, "OK", 2, 0), "X with NUL and 0x03");
	CHECK(ft.mem[4] == 0 && ft.mem[5] == 3, "X wrote NUL, 0x03");
	ASK(s, "X1000,0:", "OK");
	ASK(s, "X1000,3:ab", "E22");
	ASK(s, "X1000,1", "E22");
	ASK(s, "X3000,1:a", "E14");
	/* monitor phys on|off switches memory accesses to physical addresses. */
	ft.mem[0] = 0x5a;
	CHECK(!monitor_says(s, "phys on", "memory accesses use physical addresses\n", "OK"),
	      "phys on");
	ASK(s, "m80001000,1", "5a");
	ASK(s, "m1000,1", "E14");
	CHECK(!monitor_says(s, "phys off", "memory accesses use virtual addresses\n", "OK"),
	      "phys off");
	ASK(s, "m1000,1", "5a");
	ASK(s, "m80001000,1", "E14");
	/* monitor gpa on|off: guest physical addresses (a hypervisor's guest) */
	CHECK(!monitor_says(s, "gpa on", "memory accesses use guest physical addresses\n", "OK"),
	      "gpa on");
	ASK(s, "m40001000,1", "5a");
	ASK(s, "m1000,1", "E14");
	CHECK(!monitor_says(s, "gpa", "gpa is on\n", "OK") &&
		  !monitor_says(s, "phys", "phys is off\n", "OK"),
	      "gpa shows on, phys off");
	CHECK(!monitor_says(s, "gpa off", "memory accesses use virtual addresses\n", "OK"),
	      "gpa off");
	ASK(s, "m1000,1", "5a");
	gdb_stub_free(s);
	return 0;
}

static int breakpoints(void)
{
	struct gdb_stub *s = fresh();

	ASK(s, "Z0,80000000,4", "OK");
	ASK(s, "Z1,80000010,2", "OK");
	ASK(s, "Z2,1000,8", "OK");
	ASK(s, "Z3,1008,4", "OK");
	ASK(s, "Z4,1000,8", ""); /* the target has no access watchpoints */
	ASK(s, "z4,1000,8", "");
	CHECK(ft.nbp == 4 && ft.bp[1].type == GDB_BP_HW && ft.bp[1].addr == 0x80000010 &&
		  ft.bp[1].kind == 2 && ft.bp[3].type == GDB_WP_READ,
	      "four breakpoints recorded");
	ASK(s, "z0,80000000,4", "OK");
	ASK(s, "z0,80000000,4", "E02");
	ASK(s, "Z0,80000020,4;X3,220027", "OK"); /* conditions are GDB's business */
	ASK(s, "Z5,0,0", "E22");
	ASK(s, "Z0,1", "E22");
	ASK(s, "Z0", "E22");
	ASK(s, "Z0,1,2x", "E22");
	ASK(s, "z", "E22");
	CHECK(ft.nbp == 4, "nbp %d", ft.nbp);
	gdb_stub_free(s);
	return 0;
}

#define HOW(a, b) (ft.how[0] == (a) && ft.how[1] == (b))
#define C	  GDB_RESUME_CONT
#define St	  GDB_RESUME_STEP
#define N	  GDB_RESUME_STOP

/* The target stops with stop; the stub's stop reply must be reply. */
static int stopped(struct gdb_stub *s, struct gdb_stop stop, const char *reply)
{
	int ret;

	ft.stop = stop;
	ngot = 0;
	ret = gdb_stub_stopped(s);
	nwant = 0;
	want_packet(reply, strlen(reply));
	if (ret || ngot != nwant || memcmp(got, want, ngot)) {
		printf("FAIL stop: want '%.*s' got '%.*s' (%d)\n", (int)nwant, want, (int)ngot, got,
		       ret);
		return 1;
	}
	return gdb_stub_running(s);
}

static int resume(void)
{
	struct gdb_stub *s = fresh();
	int ret;

	CHECK(gdb_stub_stopped(s) == -EINVAL, "no stop reply while stopped");
	ASK(s, "c", NULL);
	CHECK(gdb_stub_running(s) && ft.resumes == 1 && HOW(C, C), "c continues every hart");
	want_reset();
	nwant = 0;
	CHECK(!send_raw(s, "\x03", 1, &ret) && ft.interrupts == 1, "0x03 interrupts");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_SIGNAL, 1, 2, 0, 0, false, "", false},
		       "T02thread:2;"),
	      "interrupted");
	nwant = 0;
	CHECK(!send_raw(s, "\x03", 1, &ret) && ft.interrupts == 1, "0x03 while stopped: ignored");
	ASK(s, "qC", "QC2");
	ASK(s, "s", NULL);
	CHECK(HOW(N, St), "s steps the stopped hart only");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_SWBREAK, 0, 5, 0, 0, false, "", false},
		       "T05thread:1;swbreak:;"),
	      "swbreak");
	ASK(s, "vCont?", "vCont;c;C;s;S;t");
	ASK(s, "vCont;s:2;c", NULL);
	CHECK(HOW(C, St), "vCont;s:2;c");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_HWBREAK, 1, 5, 0, 0, false, "", false},
		       "T05thread:2;hwbreak:;"),
	      "hwbreak");
	ASK(s, "vCont;c:1", NULL);
	CHECK(HOW(C, N), "vCont;c:1 leaves hart 1 stopped");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_WATCH, 0, 5, 0x1000, 0, false, "", false},
		       "T05thread:1;watch:1000;"),
	      "watch");
	ASK(s, "vCont;S05:1;t:2", NULL);
	CHECK(HOW(St, N), "vCont;S05:1;t:2");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_RWATCH, 0, 5, 0x1008, 0, false, "", false},
		       "T05thread:1;rwatch:1008;"),
	      "rwatch");
	ASK(s, "vCont;C02:-1", NULL);
	CHECK(HOW(C, C), "vCont;C02:-1");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_AWATCH, 1, 5, 0x10, 0, false, "", false},
		       "T05thread:2;awatch:10;"),
	      "awatch");
	ASK(s, "c", NULL);
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_SIGNAL, 0, 5, 0, 0, true, "", false},
		       "T05thread:1;library:;"),
	      "library event");
	ASK(s, "vCont;t:1;t:2", "OK");
	CHECK(!gdb_stub_running(s), "nothing to run");
	ASK(s, "vCont", ""); /* not a vCont action packet: unknown */
	ASK(s, "vCont;", "E22");
	ASK(s, "vCont;x", "E22");
	ASK(s, "vCont;c:3", "E22");
	ASK(s, "vCont;c:0", "E22");
	ASK(s, "vCont;C", "E22");
	ASK(s, "vCont;c;", "E22");
	CHECK(!gdb_stub_running(s) && ft.resumes == 7, "no resume on errors (%d)", ft.resumes);
	ASK(s, "Hc1", "OK");
	ASK(s, "S05;80000100", NULL);
	CHECK(HOW(St, N) && ft.x[0][GDB_REG_PC] == 0x80000100, "S sig;addr");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_SIGNAL, 0, 5, 0, 0, false, "", false},
		       "T05thread:1;"),
	      "step done");
	/* reverse execution reaching its beginning; bs/bc without the target's op: empty */
	ASK(s, "c", NULL);
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_SIGNAL, 0, 5, 0, 0, false, "", true},
		       "T05thread:1;replaylog:begin;"),
	      "replaylog");
	ASK(s, "bs", "");
	ASK(s, "bc", "");
	ASK(s, "c80000200", NULL);
	CHECK(HOW(C, C) && ft.x[0][GDB_REG_PC] == 0x80000200, "c addr");
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_EXITED, 0, 0, 0, 3, false, "", false}, "W03"),
	      "exit");
	ASK(s, "C0f", NULL);
	CHECK(!stopped(s, (struct gdb_stop){GDB_STOP_SIGNAL, 7, 5, 0, 0, false, "", false},
		       "T05thread:1;"),
	      "an out-of-range hart is reported as the current one");
	ASK(s, "c", NULL);
	{ /* a note goes first, as console output in an O packet */
		struct gdb_stop st = {GDB_STOP_SIGNAL, 0, 5, 0, 0, false, "hi\n", false};

		ft.stop = st;
		ngot = 0;
		nwant = 0;
		CHECK(!gdb_stub_stopped(s), "stop with a note");
		want_packet("O68690a", 7);
		want_packet("T05thread:1;", 12);
		CHECK(ngot == nwant && !memcmp(got, want, ngot), "the note's O packet, then T05");
		ft.stop.note[0] = 0;
	}
	ASK(s, "C", "E22");
	ASK(s, "C100", "E22");
	ASK(s, "Cxx", "E22");
	ASK(s, "c8000g", "E22");
	ASK(s, "S05;", "E22");
	ASK(s, "?", "T05thread:1;");
	gdb_stub_free(s);
	return 0;
}

static int libraries(void)
{
	struct gdb_stub *s = fresh();
	const char *all = "l<library-list><library name=\"/fw/opensbi.elf\"><segment "
			  "address=\"0x80000000\"/></library><library name=\"/k/vmlinux\"><segment "
			  "address=\"0xffffffff80000000\"/></library><library "
			  "name=\"/u/a&amp;b &lt;&quot;x&apos;&gt;.elf\"><segment "
			  "address=\"0x10000\"/></library></library-list>";

	ASK(s, "qXfer:libraries:read::0,1000", "l<library-list></library-list>");
	ft.nlibs = 3;
	ASK(s, "qXfer:libraries:read::0,1000", all);
	ft.nlibs = 1; /* a later chunk of the same read comes from the same snapshot */
	ASK(s, "qXfer:libraries:read::0,d", "m<library-list");
	ASK(s, "qXfer:libraries:read::d,4", "m><li");
	ASK(s, "qXfer:libraries:read::11,1000",
	    "lbrary name=\"/fw/opensbi.elf\"><segment address=\"0x80000000\"/></library>"
	    "</library-list>");
	ASK(s, "qXfer:libraries:read::1000,10", "l");
	ASK(s, "qXfer:libraries:read::x,10", "E22");
	ASK(s, "qXfer:libraries:read:foo:0,10", "");
	gdb_stub_free(s);
	return 0;
}

static int monitor(void)
{
	struct gdb_stub *s = fresh();

	CHECK(!monitor_says(s, "harts", "2 harts\n", "OK"), "harts");
	CHECK(!strcmp(ft.last_monitor, "harts"), "the hook saw the command");
	CHECK(!monitor_says(s, "quiet", NULL, "OK"), "no output");
	CHECK(!monitor_says(s, "bogus", NULL, "E02"), "unknown command");
	CHECK(!monitor_says(s, "phys", "phys is off\n", "OK"), "phys");
	CHECK(!monitor_says(s, "phys on", "memory accesses use physical addresses\n", "OK"),
	      "phys on");
	CHECK(!monitor_says(s, "phys", "phys is on\n", "OK"), "phys shows on");
	CHECK(!monitor_says(s, "phys off", "memory accesses use virtual addresses\n", "OK"),
	      "phys off");
	ASK(s, "qRcmd,zz", "E22");
	ASK(s, "qRcmd,686", "E22");
	ASK(s, "qRcmd,", "E02"); /* the empty command goes to the hook, which does not know it */
	gdb_stub_free(s);
	return 0;
}

static int framing_and_session(void)
{
	struct gdb_stub *s = fresh();
	int ret;

	nwant = 0;
	want[nwant++] = '-';
	CHECK(!send_raw(s, "$qC#00", 6, &ret), "bad checksum: nak, no reply");
	ASK(s, "qC", "QC1");
	nwant = 0;
	want_packet("QC1", 3);
	CHECK(!send_raw(s, "-", 1, &ret), "nak: the last reply again");
	nwant = 0;
	CHECK(!send_raw(s, "+", 1, &ret), "ack: nothing");
	{
		size_t n = RSP_MAX_PACKET + 10;
		char *big = malloc(n + 4);
		unsigned sum = 0;

		CHECK(big, "malloc");
		big[0] = '$';
		for (size_t i = 1; i <= n - 1; i++) {
			big[i] = '0';
			sum += '0';
		}
		sprintf(big + n, "#%02x", sum & 0xff);
		want_reset();
		want_packet("E22", 3);
		int bad = send_raw(s, big, n + 3, &ret);

		free(big);
		CHECK(!bad, "oversized packet: error reply");
	}
	ASK(s, "qFooBar", "");
	ASK(s, "QStartNoAckMode", "OK");
	acking = false;
	nwant = 0;
	CHECK(!send_raw(s, "+", 1, &ret), "GDB's ack of OK is swallowed");
	ASK(s, "qC", "QC1");
	nwant = 0;
	CHECK(!send_raw(s, "$qC#00", 6, &ret), "no-ack mode: bad packet dropped silently");
	nwant = 0;
	CHECK(!send_raw(s, "-", 1, &ret), "no-ack mode: no resend");
	ASKR(s, "D", "OK", GDB_STUB_DETACHED);
	ASKR(s, "D;1", "OK", GDB_STUB_DETACHED);
	ASKR(s, "k", NULL, GDB_STUB_KILLED);
	ASKR(s, "vKill;1", "OK", GDB_STUB_KILLED);
	gdb_stub_free(s);
	return 0;
}

static int write_errors(void)
{
	struct gdb_stub *s = fresh();

	CHECK(s, "new");
	ngot = sizeof(got); /* full: every write fails with -ENOSPC */
	CHECK(gdb_stub_input(s, "$?#3f", 5) == -ENOSPC, "write error is returned");
	ngot = 0;
	gdb_stub_free(s);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(handshake);
	fails += RUN(target_xml);
	fails += RUN(registers);
	fails += RUN(memory);
	fails += RUN(breakpoints);
	fails += RUN(resume);
	fails += RUN(libraries);
	fails += RUN(monitor);
	fails += RUN(framing_and_session);
	fails += RUN(write_errors);
	return fails != 0;
}
