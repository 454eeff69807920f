/* xml — the documents the stub serves through qXfer (see xml.h). */
#include "gdb/xml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const xreg_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const freg_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4",	"ft5",	"ft6", "ft7", "fs0",  "fs1",  "fa0",
    "fa1", "fa2", "fa3", "fa4", "fa5",	"fa6",	"fa7", "fs2", "fs3",  "fs4",  "fs5",
    "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/* The CSRs of a target that does not describe its own (gdb_target_ops.registers == NULL): what
 * one needs to follow traps and translation at each privilege level. The target answers -ENOENT
 * for any it lacks. */
static const struct {
	const char *name;
	uint16_t addr;
} csrs[] = {
    {"sstatus", 0x100},	   {"sie", 0x104},	{"stvec", 0x105},    {"scounteren", 0x106},
    {"sscratch", 0x140},   {"sepc", 0x141},	{"scause", 0x142},   {"stval", 0x143},
    {"sip", 0x144},	   {"satp", 0x180},	{"mstatus", 0x300},  {"misa", 0x301},
    {"medeleg", 0x302},	   {"mideleg", 0x303},	{"mie", 0x304},	     {"mtvec", 0x305},
    {"mcounteren", 0x306}, {"mscratch", 0x340}, {"mepc", 0x341},     {"mcause", 0x342},
    {"mtval", 0x343},	   {"mip", 0x344},	{"pmpcfg0", 0x3a0},  {"pmpcfg2", 0x3a2},
    {"pmpaddr0", 0x3b0},   {"pmpaddr1", 0x3b1}, {"pmpaddr2", 0x3b2}, {"pmpaddr3", 0x3b3},
    {"cycle", 0xc00},	   {"time", 0xc01},	{"instret", 0xc02},  {"mvendorid", 0xf11},
    {"marchid", 0xf12},	   {"mimpid", 0xf13},	{"mhartid", 0xf14},
};

/* fflags, frm and fcsr are 32-bit in GDB's 64bit-fpu.xml; f0..f31 64-bit (D); everything else
 * XLEN bits. */
unsigned gdb_xml_reg_bytes(unsigned regno, unsigned xlen)
{
	if (regno >= GDB_REG_CSR(1) && regno <= GDB_REG_CSR(3))
		return 4;
	if (regno >= GDB_REG_F0 && regno < GDB_REG_F0 + 32)
		return 8;
	return xlen == 32 ? 4 : 8;
}

struct sbuf {
	char *p;
	size_t len, size;
	bool overflow;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len) {
		b->overflow = true;
		b->len = b->size - 1;
		return;
	}
	b->len += (size_t)n;
}

static void fpu_feature(struct sbuf *b)
{
	sb_printf(b, "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
		     "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
		     "<field name=\"double\" type=\"ieee_double\"/></union>\n");
	for (unsigned i = 0; i < 32; i++)
		sb_printf(b,
			  "<reg name=\"%s\" bitsize=\"64\" type=\"riscv_double\" regnum=\"%u\"/>\n",
			  freg_names[i], GDB_REG_F0 + i);
	sb_printf(b,
		  "<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"%u\"/>\n"
		  "<reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"%u\"/>\n"
		  "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"%u\"/>\n"
		  "</feature>\n",
		  GDB_REG_CSR(1), GDB_REG_CSR(2), GDB_REG_CSR(3));
}

int gdb_xml_target(const struct gdb_regs_desc *d, char **xml, size_t *len)
{
	struct sbuf b = {malloc(65536), 0, 65536, false};
	unsigned xlen = d && d->xlen == 32 ? 32 : 64;

	if (!b.p)
		return -ENOMEM;
	sb_printf(&b,
		  "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		  "<target version=\"1.0\">\n<architecture>riscv:rv%u</architecture>\n"
		  "<osabi>none</osabi>\n"
		  "<feature name=\"org.gnu.gdb.riscv.cpu\">\n",
		  xlen);
	for (unsigned i = 0; i < 32; i++) {
		const char *type = i == 1 ? "code_ptr" : (i >= 2 && i <= 4) ? "data_ptr" : "int";

		sb_printf(&b, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"/>\n",
			  xreg_names[i], xlen, type, i);
	}
	sb_printf(&b,
		  "<reg name=\"pc\" bitsize=\"%u\" type=\"code_ptr\" regnum=\"%u\"/>\n"
		  "</feature>\n",
		  xlen, GDB_REG_PC);
	if (!d || d->fpu)
		fpu_feature(&b);
	sb_printf(&b, "<feature name=\"org.gnu.gdb.riscv.csr\">\n");
	if (!d) {
		for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
			sb_printf(&b,
				  "<reg name=\"%s\" bitsize=\"64\" type=\"int\" regnum=\"%u\"/>\n",
				  csrs[i].name, GDB_REG_CSR(csrs[i].addr));
	} else {
		for (unsigned i = 0; i < d->ncsrs && i < GDB_MAX_CSRS; i++)
			if (d->csrs[i].num > 3) /* fflags/frm/fcsr are the FPU feature's */
				sb_printf(&b,
					  "<reg name=\"%s\" bitsize=\"%u\" type=\"int\" "
					  "regnum=\"%u\"/>\n",
					  d->csrs[i].name, xlen, GDB_REG_CSR(d->csrs[i].num));
	}

	sb_printf(&b,
		  "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
		  "<reg name=\"priv\" bitsize=\"%u\" type=\"int\" regnum=\"%u\"/>\n"
		  "</feature>\n</target>\n",
		  xlen, GDB_REG_PRIV);
	if (b.overflow) {
		free(b.p);
		return -E2BIG;
	}
	*xml = b.p;
	*len = b.len;
	return 0;
}

static const char *xml_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	}
	return NULL;
}

int gdb_xml_libraries(const struct gdb_library *libs, unsigned n, char **xml, size_t *len)
{
	struct sbuf b = {NULL, 0, 64, false};

	for (unsigned i = 0; i < n; i++) /* worst case: every path character becomes &quot; */
		b.size += 96 + 6 * strlen(libs[i].path ? libs[i].path : "");
	if (!(b.p = malloc(b.size)))
		return -ENOMEM;
	sb_printf(&b, "<library-list>");
	for (unsigned i = 0; i < n; i++) {
		sb_printf(&b, "<library name=\"");
		for (const char *c = libs[i].path ? libs[i].path : ""; *c; c++) {
			const char *ent = xml_entity(*c);

			if (ent)
				sb_printf(&b, "%s", ent);
			else
				sb_printf(&b, "%c", *c);
		}
		sb_printf(&b, "\"><segment address=\"0x%llx\"/></library>",
			  (unsigned long long)libs[i].addr);
	}
	sb_printf(&b, "</library-list>");
	if (b.overflow) {
		free(b.p);
		return -E2BIG;
	}
	*xml = b.p;
	*len = b.len;
	return 0;
}
