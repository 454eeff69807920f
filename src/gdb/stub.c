/* stub — GDB remote stub commands over struct gdb_target_ops (see stub.h). */
#include "gdb/stub.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/rsp.h"
#include "gdb/xml.h"

#define MAX_HARTS   1024
#define MAX_LIBS    64
#define MONITOR_OUT 8000 /* hex-encoded in one O packet: within RSP_MAX_PACKET */
/* m/M/X move at most this much: its hex form must fit in one packet. */
#define MAX_MEM ((RSP_MAX_PACKET - 1) / 2)

struct gdb_stub {
	const struct gdb_target_ops *ops;
	void *t;
	struct gdb_io io;
	struct rsp *rsp;
	unsigned nharts;
	unsigned xlen; /* 32 or 64: the width of x registers, pc and CSRs in packets */
	unsigned hg; /* hart for registers and memory (Hg) */
	int hc;	     /* hart for s/S (Hc), -1 = all: step the Hg hart */
	unsigned space; /* enum gdb_mem_space: monitor phys on / gpa on */
	bool running;
	bool rcmd_pending; /* a monitor command resumed the machine: its OK comes at the stop */
	bool overflow; /* the reply did not fit: send an error instead */
	char *tdesc;
	size_t tdesc_len;
	char *libxml; /* library list as of the last read at offset 0 */
	size_t libxml_len;
	enum gdb_resume *how;
	size_t rlen;
	char reply[RSP_MAX_PACKET + 1];
	size_t outlen; /* last framed packet, resent on a nak */
	char out[RSP_ENCODED_MAX(RSP_MAX_PACKET)];
	uint8_t scratch[RSP_MAX_PACKET];
};

/* ---- replies ---- */

static void r_bytes(struct gdb_stub *s, const void *p, size_t n)
{
	if (n > RSP_MAX_PACKET - s->rlen) {
		s->overflow = true;
		return;
	}
	memcpy(s->reply + s->rlen, p, n);
	s->rlen += n;
}

static void r_str(struct gdb_stub *s, const char *str)
{
	r_bytes(s, str, strlen(str));
}

static void r_fmt(struct gdb_stub *s, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		s->overflow = true;
	else
		r_bytes(s, tmp, (size_t)n);
}

static void r_hex(struct gdb_stub *s, const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *d = p;

	for (size_t i = 0; i < n; i++) {
		char two[2] = {hex[d[i] >> 4], hex[d[i] & 15]};

		r_bytes(s, two, 2);
	}
}

/* An error reply: "Enn" with the errno in decimal (GDB does not interpret the number). */
static void r_err(struct gdb_stub *s, int err)
{
	if (err < 0)
		err = -err;
	if (err < 1 || err > 99)
		err = EIO;
	s->rlen = 0;
	s->overflow = false;
	r_fmt(s, "E%02d", err);
}

static int send_packet(struct gdb_stub *s, const void *data, size_t len)
{
	int n = rsp_encode(data, len, s->out, sizeof(s->out));

	if (n < 0)
		return n;
	s->outlen = (size_t)n;
	return s->io.write(s->io.ctx, s->out, s->outlen);
}

static int send_reply(struct gdb_stub *s)
{
	if (s->overflow)
		r_err(s, E2BIG);
	return send_packet(s, s->reply, s->rlen);
}

/* ---- parsing: every helper takes [p, end) and returns NULL on malformed input ---- */

static const char *parse_hex(const char *p, const char *end, uint64_t *v)
{
	unsigned n = 0;

	*v = 0;
	if (!p) /* lets parsers chain without checking each step */
		return NULL;
	for (; p < end && rsp_hexval(*p) >= 0; p++, n++) {
		if (n == 16)
			return NULL;
		*v = *v << 4 | (uint64_t)rsp_hexval(*p);
	}
	return n ? p : NULL;
}

static const char *expect(const char *p, const char *end, char c)
{
	return p && p < end && *p == c ? p + 1 : NULL;
}

/* n bytes from 2n hex digits; false unless [p, end) is exactly that. */
static bool unhex(const char *p, const char *end, uint8_t *out, size_t n)
{
	if (!p || (size_t)(end - p) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = rsp_hexval(p[2 * i]), lo = rsp_hexval(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* A thread id: -1 (all), 0 (any) or a 1-based hart number; false if malformed or unknown. */
static const char *parse_tid(struct gdb_stub *s, const char *p, const char *end, int *tid)
{
	uint64_t v;

	if (p && end - p >= 2 && p[0] == '-' && p[1] == '1') {
		*tid = -1;
		return p + 2;
	}
	p = parse_hex(p, end, &v);
	if (!p || v > s->nharts)
		return NULL;
	*tid = (int)v;
	return p;
}

/* ---- commands ---- */

static void le_hex(struct gdb_stub *s, uint64_t v, unsigned bytes)
{
	uint8_t b[8];

	for (unsigned i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	r_hex(s, b, bytes);
}

static int reg_hex(struct gdb_stub *s, unsigned regno)
{
	uint64_t v;
	int r = s->ops->read_reg(s->t, s->hg, regno, &v);

	if (r == -ENOENT) { /* unavailable: GDB shows <unavailable> instead of failing */
		for (unsigned i = 0; i < gdb_xml_reg_bytes(regno, s->xlen); i++)
			r_str(s, "xx");
		return 0;
	}
	if (r < 0)
		return r;
	le_hex(s, v, gdb_xml_reg_bytes(regno, s->xlen));
	return 0;
}

static uint64_t le_value(const uint8_t *b, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static int cmd_g(struct gdb_stub *s, const char *p, const char *end)
{
	if (p != end)
		return -EINVAL;
	for (unsigned r = 0; r <= GDB_REG_PC; r++) {
		int e = reg_hex(s, r);

		if (e < 0)
			return e;
	}
	return 0;
}

static int cmd_G(struct gdb_stub *s, const char *p, const char *end)
{
	uint8_t b[8 * (GDB_REG_PC + 1)];
	unsigned w = s->xlen / 8;

	if (!unhex(p, end, b, w * (GDB_REG_PC + 1)))
		return -EINVAL;
	for (unsigned r = 0; r <= GDB_REG_PC; r++) {
		int e = s->ops->write_reg(s->t, s->hg, r, le_value(b + w * r, w));

		if (e < 0)
			return e;
	}
	r_str(s, "OK");
	return 0;
}

static int cmd_p(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t regno;

	p = parse_hex(p, end, &regno);
	if (!p || p != end || regno > 0xffff)
		return -EINVAL;
	return reg_hex(s, (unsigned)regno);
}

static int cmd_P(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t regno;
	uint8_t b[8];
	int e;

	p = expect(parse_hex(p, end, &regno), end, '=');
	if (!p || regno > 0xffff || !unhex(p, end, b, gdb_xml_reg_bytes((unsigned)regno, s->xlen)))
		return -EINVAL;
	e = s->ops->write_reg(s->t, s->hg, (unsigned)regno,
			      le_value(b, gdb_xml_reg_bytes((unsigned)regno, s->xlen)));
	if (e < 0)
		return e;
	r_str(s, "OK");
	return 0;
}

/* "addr,len" then sep (or the end when sep is 0); len capped by max. */
static const char *parse_addr_len(const char *p, const char *end, char sep, uint64_t *addr,
				  uint64_t *len)
{
	p = expect(parse_hex(p, end, addr), end, ',');
	p = p ? parse_hex(p, end, len) : NULL;
	if (p && sep)
		p = expect(p, end, sep);
	else if (p && p != end)
		p = NULL;
	return p;
}

static int cmd_m(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t addr, len;
	long n;

	if (!parse_addr_len(p, end, 0, &addr, &len))
		return -EINVAL;
	if (len > MAX_MEM)
		len = MAX_MEM; /* GDB accepts a short read and asks for the rest */
	if (len == 0)
		return 0;
	n = s->ops->read_mem(s->t, s->hg, addr, s->scratch, (size_t)len, s->space);
	if (n <= 0)
		return n < 0 ? (int)n : -EFAULT;
	r_hex(s, s->scratch, (size_t)n > len ? len : (size_t)n);
	return 0;
}

static int write_mem(struct gdb_stub *s, uint64_t addr, const uint8_t *b, size_t len)
{
	long n = len ? s->ops->write_mem(s->t, s->hg, addr, b, len, s->space) : 0;

	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return -EFAULT;
	r_str(s, "OK");
	return 0;
}

static int cmd_M(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t addr, len;

	p = parse_addr_len(p, end, ':', &addr, &len);
	if (!p || len > MAX_MEM || !unhex(p, end, s->scratch, (size_t)len))
		return -EINVAL;
	return write_mem(s, addr, s->scratch, (size_t)len);
}

static int cmd_X(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t addr, len;

	p = parse_addr_len(p, end, ':', &addr, &len);
	if (!p || len != (uint64_t)(end - p))
		return -EINVAL;
	return write_mem(s, addr, (const uint8_t *)p, (size_t)len);
}

static int cmd_Z(struct gdb_stub *s, const char *p, const char *end, bool set)
{
	uint64_t type, addr, kind;
	int e;

	p = expect(parse_hex(p, end, &type), end, ',');
	p = expect(parse_hex(p, end, &addr), end, ',');
	p = p ? parse_hex(p, end, &kind) : NULL;
	/* Conditions and commands (";X...") are evaluated by GDB, not here. */
	if (!p || (p != end && *p != ';') || type > GDB_WP_ACCESS)
		return -EINVAL;
	e = (set ? s->ops->set_bp : s->ops->clear_bp)(s->t, (enum gdb_bp_type)type, addr, kind);
	if (e == -EOPNOTSUPP)
		return 0; /* empty reply: this kind is not supported */
	if (e < 0)
		return e;
	r_str(s, "OK");
	return 0;
}

static int do_resume(struct gdb_stub *s)
{
	bool any = false;
	int e;

	for (unsigned h = 0; h < s->nharts; h++)
		any |= s->how[h] != GDB_RESUME_STOP;
	if (!any) {
		r_str(s, "OK");
		return 0;
	}
	e = s->ops->resume(s->t, s->how);
	if (e < 0)
		return e;
	s->running = true;
	return 1; /* the reply is the stop reply, later */
}

/* c/s/C/S: [sig;][addr]; a step runs only the Hc hart (or Hg when Hc is all). */
static int cmd_resume(struct gdb_stub *s, const char *p, const char *end, bool step, bool sig)
{
	unsigned hart = s->hc >= 0 ? (unsigned)s->hc : s->hg;
	uint64_t v, addr;
	bool has_addr = false;

	if (sig) { /* a bare machine has no signals to deliver: the number is checked, dropped */
		p = parse_hex(p, end, &v);
		if (!p || v > 255)
			return -EINVAL;
		if (p != end && (!(p = expect(p, end, ';')) || p == end))
			return -EINVAL; /* ';' must be followed by the address */
	}
	if (p != end) {
		p = parse_hex(p, end, &addr);
		if (!p || p != end)
			return -EINVAL;
		has_addr = true;
	}
	if (has_addr) {
		int e = s->ops->write_reg(s->t, hart, GDB_REG_PC, addr);

		if (e < 0)
			return e;
	}
	for (unsigned h = 0; h < s->nharts; h++)
		s->how[h] = !step ? GDB_RESUME_CONT : h == hart ? GDB_RESUME_STEP : GDB_RESUME_STOP;
	return do_resume(s);
}

/* vCont;action[:tid]...: the first action naming a hart (or the first without a tid) wins. */
static int cmd_vcont(struct gdb_stub *s, const char *p, const char *end)
{
	bool *set = (bool *)s->scratch; /* scratch holds RSP_MAX_PACKET >= MAX_HARTS bytes */
	uint64_t v;

	memset(set, 0, s->nharts * sizeof(bool));
	for (unsigned h = 0; h < s->nharts; h++)
		s->how[h] = GDB_RESUME_STOP;
	if (p == end)
		return -EINVAL;
	while (p < end) {
		enum gdb_resume how;
		int tid = -1;
		char a;

		if (!(p = expect(p, end, ';')) || p == end)
			return -EINVAL;
		a = *p++;
		if (a == 'C' || a == 'S') {
			p = parse_hex(p, end, &v);
			if (!p || v > 255)
				return -EINVAL;
		}
		if (a == 'c' || a == 'C')
			how = GDB_RESUME_CONT;
		else if (a == 's' || a == 'S')
			how = GDB_RESUME_STEP;
		else if (a == 't')
			how = GDB_RESUME_STOP;
		else
			return -EINVAL;
		if (p < end && *p == ':') {
			p = parse_tid(s, p + 1, end, &tid);
			if (!p || tid == 0)
				return -EINVAL;
		}
		for (unsigned h = 0; h < s->nharts; h++) {
			if (set[h] || (tid > 0 && (unsigned)tid != h + 1))
				continue;
			set[h] = true;
			s->how[h] = how;
		}
	}
	return do_resume(s);
}

static int cmd_H(struct gdb_stub *s, const char *p, const char *end)
{
	int tid;
	char op;

	if (p == end)
		return -EINVAL;
	op = *p++;
	p = parse_tid(s, p, end, &tid);
	if (!p || p != end || (op != 'g' && op != 'c'))
		return -EINVAL;
	if (op == 'g' && tid > 0)
		s->hg = (unsigned)tid - 1; /* 0 (any) and -1 (all) keep the current hart */
	else if (op == 'c')
		s->hc = tid > 0 ? tid - 1 : -1;
	r_str(s, "OK");
	return 0;
}

static int cmd_T(struct gdb_stub *s, const char *p, const char *end)
{
	int tid;

	p = parse_tid(s, p, end, &tid);
	if (!p || p != end || tid <= 0)
		return -EINVAL;
	r_str(s, "OK");
	return 0;
}

/* The stop reply for the target's current stop reason; the stopped hart becomes current. */
static int stop_reply(struct gdb_stub *s)
{
	struct gdb_stop st = {.kind = GDB_STOP_SIGNAL, .signal = 5};
	int e = s->ops->stop_reason(s->t, &st);

	if (e < 0)
		return e;
	st.note[sizeof(st.note) - 1] = 0;
	if (st.note[0]) { /* console text first, as its own O packet */
		r_str(s, "O");
		r_hex(s, st.note, strlen(st.note));
		e = send_reply(s);
		s->rlen = 0;
		s->overflow = false;
		if (e < 0)
			return e;
	}
	if (st.kind == GDB_STOP_EXITED) {
		r_fmt(s, "W%02x", (unsigned)st.exit_code & 0xff);
		return 0;
	}
	if (st.hart >= s->nharts)
		st.hart = s->hg;
	s->hg = st.hart;
	s->hc = (int)st.hart;
	r_fmt(s, "T%02xthread:%x;", (unsigned)st.signal & 0xff, st.hart + 1);
	switch (st.kind) {
	case GDB_STOP_SWBREAK:
		r_str(s, "swbreak:;");
		break;
	case GDB_STOP_HWBREAK:
		r_str(s, "hwbreak:;");
		break;
	case GDB_STOP_WATCH:
		r_fmt(s, "watch:%llx;", (unsigned long long)st.addr);
		break;
	case GDB_STOP_RWATCH:
		r_fmt(s, "rwatch:%llx;", (unsigned long long)st.addr);
		break;
	case GDB_STOP_AWATCH:
		r_fmt(s, "awatch:%llx;", (unsigned long long)st.addr);
		break;
	default:
		break;
	}
	if (st.library_changed)
		r_str(s, "library:;");
	if (st.replay_begin)
		r_str(s, "replaylog:begin;");
	return 0;
}

static int build_libxml(struct gdb_stub *s)
{
	struct gdb_library libs[MAX_LIBS];
	int n = s->ops->libraries ? s->ops->libraries(s->t, libs, MAX_LIBS) : 0;

	if (n < 0)
		return n;
	free(s->libxml);
	s->libxml = NULL;
	return gdb_xml_libraries(libs, n > MAX_LIBS ? MAX_LIBS : (unsigned)n, &s->libxml,
				 &s->libxml_len);
}

/* qXfer:OBJECT:read:ANNEX:offset,length — p points after "qXfer:". */
static int cmd_xfer(struct gdb_stub *s, const char *p, const char *end)
{
	static const char feat[] = "features:read:", libs[] = "libraries:read::";
	static const char exe[] = "exec-file:read:";
	static const char annex[] = "target.xml:";
	const char *doc;
	size_t doclen;
	uint64_t off, len;

	if ((size_t)(end - p) > sizeof(feat) - 1 && !memcmp(p, feat, sizeof(feat) - 1)) {
		p += sizeof(feat) - 1;
		if ((size_t)(end - p) < sizeof(annex) - 1 || memcmp(p, annex, sizeof(annex) - 1))
			return -ENOENT; /* we describe ourselves in one document */
		p += sizeof(annex) - 1;
		doc = s->tdesc;
		doclen = s->tdesc_len;
	} else if ((size_t)(end - p) > sizeof(libs) - 1 && !memcmp(p, libs, sizeof(libs) - 1)) {
		p += sizeof(libs) - 1;
		doc = NULL;
		doclen = 0;
	} else if ((size_t)(end - p) > sizeof(exe) - 1 && !memcmp(p, exe, sizeof(exe) - 1) &&
		   s->ops->exec_file && (doc = s->ops->exec_file(s->t))) {
		p += sizeof(exe) - 1;
		while (p < end && *p != ':') /* the annex: a process id, or empty; one machine */
			p++;
		if (p == end)
			return -EINVAL;
		p++;
		doclen = strlen(doc);
	} else {
		return 0; /* an object or annex we do not serve: unsupported */
	}
	if (!parse_addr_len(p, end, 0, &off, &len))
		return -EINVAL;
	if (!doc) { /* snapshot at offset 0 so the chunks of one read agree */
		if (off == 0 || !s->libxml) {
			int e = build_libxml(s);

			if (e < 0)
				return e;
		}
		doc = s->libxml;
		doclen = s->libxml_len;
	}
	if (off >= doclen) {
		r_str(s, "l");
		return 0;
	}
	if (len > RSP_MAX_PACKET - 1)
		len = RSP_MAX_PACKET - 1;
	if (len >= doclen - off) {
		r_str(s, "l");
		len = doclen - off;
	} else {
		r_str(s, "m");
	}
	r_bytes(s, doc + off, (size_t)len);
	return 0;
}

static int cmd_rcmd(struct gdb_stub *s, const char *p, const char *end)
{
	char cmd[RSP_MAX_PACKET / 2 + 1];
	char out[MONITOR_OUT];
	size_t n = (size_t)(end - p) / 2;
	int e = 0;

	if ((end - p) % 2 || !unhex(p, end, (uint8_t *)cmd, n))
		return -EINVAL;
	cmd[n] = 0;
	out[0] = 0;
	static const char *const spaces[] = {"virtual", "physical", "guest physical"};
	bool gpa = !strncmp(cmd, "gpa", 3);

	if (!strcmp(cmd, "phys on") || !strcmp(cmd, "phys off") || !strcmp(cmd, "gpa on") ||
	    !strcmp(cmd, "gpa off")) {
		bool on = cmd[gpa ? 5 : 6] == 'n';

		s->space = !on ? GDB_MEM_VIRT : gpa ? GDB_MEM_GPA : GDB_MEM_PHYS;
		snprintf(out, sizeof(out), "memory accesses use %s addresses\n", spaces[s->space]);
	} else if (!strcmp(cmd, "phys") || !strcmp(cmd, "gpa")) {
		snprintf(out, sizeof(out), "%s is %s\n", gpa ? "gpa" : "phys",
			 s->space == (gpa ? GDB_MEM_GPA : GDB_MEM_PHYS) ? "on" : "off");
	} else if (s->ops->monitor) {
		e = s->ops->monitor(s->t, cmd, out, sizeof(out));
		out[sizeof(out) - 1] = 0;
	} else {
		e = -ENOENT;
	}
	if (out[0]) { /* console output goes first, as an O packet */
		r_str(s, "O");
		r_hex(s, out, strlen(out));
		int w = send_reply(s);

		s->rlen = 0;
		s->overflow = false;
		if (w < 0)
			return w;
	}
	if (e < 0)
		return e;
	if (e == GDB_MONITOR_RESUMED) {
		s->running = s->rcmd_pending = true;
		return 1;
	}
	r_str(s, "OK");
	return 0;
}

/* bs / bc: reverse step and continue on the Hc hart (or Hg). */
static int cmd_reverse(struct gdb_stub *s, const char *p, const char *end, bool step)
{
	int e;

	if (p != end)
		return -EINVAL;
	if (!s->ops->reverse)
		return 0; /* not offered: the empty reply */
	e = s->ops->reverse(s->t, s->hc >= 0 ? (unsigned)s->hc : s->hg, step);
	if (e < 0)
		return e;
	s->running = true;
	return 1;
}

static int cmd_thread_info(struct gdb_stub *s)
{
	r_str(s, "m");
	for (unsigned h = 0; h < s->nharts; h++)
		r_fmt(s, h ? ",%x" : "%x", h + 1);
	return 0;
}

static int cmd_extra_info(struct gdb_stub *s, const char *p, const char *end)
{
	static const char *const priv_names[6] = {"U", "S", "?", "M", "VU", "VS"};
	char text[64];
	uint64_t priv = 0;
	int tid;

	p = parse_tid(s, p, end, &tid);
	if (!p || p != end || tid <= 0)
		return -EINVAL;
	if (s->ops->read_reg(s->t, (unsigned)tid - 1, GDB_REG_PRIV, &priv) < 0 || priv > 5)
		priv = 2;
	snprintf(text, sizeof(text), "hart %d, %s mode", tid - 1, priv_names[priv]);
	r_hex(s, text, strlen(text));
	return 0;
}

/* Returns 0 (reply built), 1 (no reply now), GDB_STUB_* + 1 (session ended) or -errno. */
static int dispatch(struct gdb_stub *s, const char *p, const char *end)
{
#define IS(str)	   ((size_t)(end - p) >= sizeof(str) - 1 && !memcmp(p, str, sizeof(str) - 1))
#define AFTER(str) (p + sizeof(str) - 1)
	if (p == end)
		return 0;
	switch (*p) {
	case '?':
		return stop_reply(s);
	case 'g':
		return cmd_g(s, p + 1, end);
	case 'G':
		return cmd_G(s, p + 1, end);
	case 'p':
		return cmd_p(s, p + 1, end);
	case 'P':
		return cmd_P(s, p + 1, end);
	case 'm':
		return cmd_m(s, p + 1, end);
	case 'M':
		return cmd_M(s, p + 1, end);
	case 'X':
		return cmd_X(s, p + 1, end);
	case 'c':
	case 's':
	case 'C':
	case 'S':
		return cmd_resume(s, p + 1, end, *p == 's' || *p == 'S', *p == 'C' || *p == 'S');
	case 'Z':
	case 'z':
		return cmd_Z(s, p + 1, end, *p == 'Z');
	case 'H':
		return cmd_H(s, p + 1, end);
	case 'T':
		return cmd_T(s, p + 1, end);
	case 'D':
		r_str(s, "OK");
		return GDB_STUB_DETACHED + 1;
	case 'k':
		return GDB_STUB_KILLED + 1;
	case 'b':
		if (p + 1 < end && (p[1] == 's' || p[1] == 'c'))
			return cmd_reverse(s, p + 2, end, p[1] == 's');
		return 0;
	}
	if (IS("qSupported")) {
		r_fmt(s,
		      "PacketSize=%x;qXfer:features:read+;qXfer:libraries:read+;"
		      "QStartNoAckMode+;vContSupported+;swbreak+;hwbreak+%s%s",
		      RSP_MAX_PACKET, s->ops->exec_file ? ";qXfer:exec-file:read+" : "",
		      s->ops->reverse ? ";ReverseStep+;ReverseContinue+" : "");
		return 0;
	}
	if (IS("qXfer:"))
		return cmd_xfer(s, AFTER("qXfer:"), end);
	if (IS("qRcmd,"))
		return cmd_rcmd(s, AFTER("qRcmd,"), end);
	if (IS("qfThreadInfo") && end == AFTER("qfThreadInfo"))
		return cmd_thread_info(s);
	if (IS("qsThreadInfo") && end == AFTER("qsThreadInfo")) {
		r_str(s, "l");
		return 0;
	}
	if (IS("qThreadExtraInfo,"))
		return cmd_extra_info(s, AFTER("qThreadExtraInfo,"), end);
	if (IS("qC") && end == AFTER("qC")) {
		r_fmt(s, "QC%x", s->hg + 1);
		return 0;
	}
	if (IS("qAttached")) {
		r_str(s, "1"); /* we attached to a running machine: detach, not kill, on quit */
		return 0;
	}
	if (IS("QStartNoAckMode") && end == AFTER("QStartNoAckMode")) {
		r_str(s, "OK");
		return 0;
	}
	if (IS("vCont?") && end == AFTER("vCont?")) {
		r_str(s, "vCont;c;C;s;S;t");
		return 0;
	}
	if (IS("vCont;"))
		return cmd_vcont(s, AFTER("vCont"), end);
	if (IS("vKill")) {
		r_str(s, "OK");
		return GDB_STUB_KILLED + 1;
	}
	return 0; /* unknown: the empty reply */
#undef IS
#undef AFTER
}

static int handle(struct gdb_stub *s, const uint8_t *data, size_t len)
{
	const char *p = (const char *)data;
	int r;

	s->rlen = 0;
	s->overflow = false;
	r = dispatch(s, p, p + len);
	if (r == 1)
		return 0;
	if (r < 0)
		r_err(s, r);
	else if (r == GDB_STUB_KILLED + 1 && *p == 'k')
		return GDB_STUB_KILLED; /* k has no reply */
	int w = send_reply(s);

	if (w < 0)
		return w;
	/* The OK above still went out under ack mode, as GDB expects. */
	if (len == 15 && !memcmp(p, "QStartNoAckMode", 15))
		rsp_set_noack(s->rsp, true);
	return r > 1 ? r - 1 : 0;
}

struct gdb_stub *gdb_stub_new(const struct gdb_target_ops *ops, void *target,
			      const struct gdb_io *io)
{
	struct gdb_stub *s = calloc(1, sizeof(*s));
	int e = -ENOMEM;

	if (!s)
		goto fail;
	s->ops = ops;
	s->t = target;
	s->io = *io;
	s->nharts = ops->nthreads(target);
	s->hc = -1;
	s->xlen = 64;
	e = -EINVAL;
	if (s->nharts == 0 || s->nharts > MAX_HARTS)
		goto fail;
	e = -ENOMEM;
	s->how = calloc(s->nharts, sizeof(*s->how));
	s->rsp = rsp_new();
	if (!s->how || !s->rsp)
		goto fail;
	if (ops->registers) {
		struct gdb_regs_desc *d = calloc(1, sizeof(*d));

		e = d ? ops->registers(target, d) : -ENOMEM;
		if (!e)
			e = gdb_xml_target(d, &s->tdesc, &s->tdesc_len);
		if (!e && d->xlen == 32)
			s->xlen = 32;
		free(d);
	} else {
		e = gdb_xml_target(NULL, &s->tdesc, &s->tdesc_len);
	}
	if (e < 0)
		goto fail;
	return s;
fail:
	gdb_stub_free(s);
	errno = -e;
	return NULL;
}

void gdb_stub_free(struct gdb_stub *s)
{
	if (!s)
		return;
	rsp_free(s->rsp);
	free(s->how);
	free(s->tdesc);
	free(s->libxml);
	free(s);
}

int gdb_stub_input(struct gdb_stub *s, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	struct rsp_event ev;
	int r;

	for (size_t i = 0; i < len; i++) {
		rsp_feed(s->rsp, b[i], &ev);
		if (ev.ack && (r = s->io.write(s->io.ctx, &ev.ack, 1)) < 0)
			return r;
		switch (ev.kind) {
		case RSP_EV_PACKET:
			r = handle(s, ev.data, ev.len);
			if (r != 0)
				return r;
			break;
		case RSP_EV_ERROR:
			s->rlen = 0;
			r_err(s, EINVAL);
			if ((r = send_reply(s)) < 0)
				return r;
			break;
		case RSP_EV_INTERRUPT:
			if (s->running && s->ops->interrupt)
				s->ops->interrupt(s->t);
			break;
		case RSP_EV_NAK:
			if (s->outlen && !rsp_noack(s->rsp) &&
			    (r = s->io.write(s->io.ctx, s->out, s->outlen)) < 0)
				return r;
			break;
		default:
			break;
		}
	}
	return 0;
}

int gdb_stub_stopped(struct gdb_stub *s)
{
	int e;

	if (!s->running)
		return -EINVAL;
	s->running = false;
	s->rlen = 0;
	s->overflow = false;
	if (s->rcmd_pending) { /* the monitor command that resumed is done */
		s->rcmd_pending = false;
		r_str(s, "OK");
		return send_reply(s);
	}
	e = stop_reply(s);
	if (e < 0)
		r_err(s, e);
	return send_reply(s);
}

bool gdb_stub_running(const struct gdb_stub *s)
{
	return s->running;
}
