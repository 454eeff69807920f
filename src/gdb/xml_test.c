/* xml_test — the target description's register numbering and the library list's escaping. */
#include "gdb/xml.h"

#include <stdlib.h>
#include <string.h>

#include "machine/test_util.h"

static int target_registers(void)
{
	static unsigned char seen[GDB_REG_PRIV + 1];
	char *xml, *p;
	size_t len;
	unsigned nregs = 0;

	CHECK(gdb_xml_target(NULL, &xml, &len) == 0 && strlen(xml) == len, "built");
	/* Every register has a regnum, none twice, and its bitsize agrees with gdb_xml_reg_bytes.
	 */
	for (p = strstr(xml, "<reg "); p; p = strstr(p + 1, "<reg ")) {
		unsigned bits, regnum;
		char *b = strstr(p, "bitsize=\""), *r = strstr(p, "regnum=\""), *e = strchr(p, '>');

		CHECK(b && r && e && b < e && r < e, "reg without bitsize or regnum: %.40s", p);
		bits = (unsigned)strtoul(b + 9, NULL, 10);
		regnum = (unsigned)strtoul(r + 8, NULL, 10);
		CHECK(regnum <= GDB_REG_PRIV && !seen[regnum], "regnum %u twice or too big",
		      regnum);
		seen[regnum] = 1;
		CHECK(bits == 8 * gdb_xml_reg_bytes(regnum, 64), "regnum %u: %u bits", regnum, bits);
		nregs++;
	}
	CHECK(nregs == 33 + 32 + 3 + 35 + 1, "%u registers", nregs);
	for (unsigned r = 0; r <= 68; r++) /* 65 is CSR 0, which does not exist */
		CHECK(seen[r] == (r != 65), "x, pc, f, fflags/frm/fcsr: regnum %u", r);
	CHECK(seen[GDB_REG_CSR(0x300)] && seen[GDB_REG_CSR(0x180)] && seen[GDB_REG_PRIV],
	      "mstatus, satp, priv");
	/* Four features, each closed. */
	unsigned open = 0, close = 0;

	for (p = xml; (p = strstr(p, "<feature ")); p++)
		open++;
	for (p = xml; (p = strstr(p, "</feature>")); p++)
		close++;
	CHECK(open == 4 && close == 4, "features %u/%u", open, close);
	free(xml);
	return 0;
}

/* A described target: no FPU feature without F, its CSRs by name, fflags never twice. */
static int described(void)
{
	static struct gdb_regs_desc d = {.fpu = false, .ncsrs = 3};
	char *xml;
	size_t len;

	d.csrs[0] = (struct gdb_csr_desc){0x001, "fflags"};
	d.csrs[1] = (struct gdb_csr_desc){0x300, "mstatus"};
	d.csrs[2] = (struct gdb_csr_desc){0x14d, "stimecmp"};
	CHECK(gdb_xml_target(&d, &xml, &len) == 0 && strlen(xml) == len, "built");
	CHECK(!strstr(xml, "riscv.fpu") && !strstr(xml, "fflags"), "no FPU");
	CHECK(strstr(xml, "<reg name=\"stimecmp\" bitsize=\"64\" type=\"int\" regnum=\"398\"/>"),
	      "stimecmp: %s", xml);
	free(xml);
	d.fpu = true;
	CHECK(gdb_xml_target(&d, &xml, &len) == 0, "built");
	{
		const char *f = strstr(xml, "\"fflags\"");

		CHECK(strstr(xml, "riscv.fpu") && f && !strstr(f + 1, "\"fflags\""),
		      "FPU, fflags once");
	}
	free(xml);
	return 0;
}

static int library_list(void)
{
	const struct gdb_library libs[] = {{"/a<&>\"'.elf", 0x80200000}, {NULL, 0}};
	char *xml;
	size_t len;

	CHECK(gdb_xml_libraries(libs, 0, &xml, &len) == 0 &&
		  !strcmp(xml, "<library-list></library-list>") && len == strlen(xml),
	      "empty list");
	free(xml);
	CHECK(gdb_xml_libraries(libs, 2, &xml, &len) == 0, "two");
	CHECK(!strcmp(xml, "<library-list><library name=\"/a&lt;&amp;&gt;&quot;&apos;.elf\">"
			   "<segment address=\"0x80200000\"/></library><library name=\"\">"
			   "<segment address=\"0x0\"/></library></library-list>"),
	      "got %s", xml);
	free(xml);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(target_registers);
	fails += RUN(described);
	fails += RUN(library_list);
	return fails != 0;
}
