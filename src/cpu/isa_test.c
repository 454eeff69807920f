/* isa_test — the extension table and the -cpu parser: defaults as QEMU 7.2's default CPU (minus
 * what strata lacks), QEMU's spellings, implications, dependencies, misa and riscv,isa. */
#include "cpu/isa.h"
#include "util/err.h"

#include <errno.h>
#include <string.h>

#include "machine/test_util.h"

static int defaults(void)
{
	char s[256];
	isa_t isa;

	CHECK(isa_parse("rv64", &isa) == 0 && isa == isa_default(), "rv64 is the default");
	CHECK(isa_string(isa, s, sizeof(s)) == 0 &&
		  !strcmp(s, "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"),
	      "riscv,isa %s", s);
	/* MXL = 2, A C D F H I M S U */
	CHECK(isa_misa(isa) == (2ull << 62 | 0x1411ad), "misa %llx",
	      (unsigned long long)isa_misa(isa));
	CHECK(isa_string(isa, s, 8) == -ENOSPC, "short buffer");
	return 0;
}

static int properties(void)
{
	isa_t isa;

	/* QEMU 7.2's capitalised names, any case, every boolean spelling */
	CHECK(isa_parse("rv64,Zfh=on,ZBKB=true,zbkx=yes,c=off,zba=false,Zihintpause=no", &isa) == 0,
	      "%s", err_msg());
	CHECK(isa_has(isa, ISA_ZFH) && isa_has(isa, ISA_ZFHMIN), "Zfh implies Zfhmin");
	CHECK(isa_has(isa, ISA_ZBKB) && isa_has(isa, ISA_ZBKX), "zbkb zbkx");
	CHECK(!isa_has(isa, ISA_C) && !isa_has(isa, ISA_ZBA) && !isa_has(isa, ISA_ZIHINTPAUSE),
	      "c zba zihintpause off");
	/* the last setting wins; an explicit off beats an implication, and is then an error */
	CHECK(isa_parse("rv64,zbb=off,zbb=on", &isa) == 0 && isa_has(isa, ISA_ZBB), "last wins");
	CHECK(isa_parse("rv64,Zfh=on,Zfhmin=off", &isa) == -EINVAL &&
		  strstr(err_msg(), "zfh needs zfhmin"),
	      "%s", err_msg());
	/* QEMU's name of the trigger module is accepted (and it is not implemented yet) */
	CHECK(isa_parse("rv64,debug=off", &isa) == 0 && !isa_has(isa, ISA_SDTRIG), "debug=off");
	/* H is on by default, as in QEMU 7.2; h=off removes it (and its letter from misa) */
	CHECK(isa_parse("rv64,h=off", &isa) == 0 && !isa_has(isa, ISA_H) &&
		  !(isa_misa(isa) & (1u << ('H' - 'A'))),
	      "h=off");
	return 0;
}

static int errors(void)
{
	isa_t isa = 0;

	CHECK(isa_parse("rv128", &isa) == -EINVAL && strstr(err_msg(), "unknown CPU model"),
	      "rv128");
	CHECK(isa_parse("rv32e,f=on", &isa) == -EINVAL && strstr(err_msg(), "no floating point"),
	      "rv32e f: %s", err_msg());
	CHECK(isa_parse("rv32,svnapot=on", &isa) == -EINVAL && strstr(err_msg(), "RV64 only"),
	      "rv32 svnapot: %s", err_msg());
	CHECK(isa_parse("rv64,zfoo=on", &isa) == -EINVAL && strstr(err_msg(), "accepted: i m a"),
	      "unknown: %s", err_msg());
	CHECK(isa_parse("rv64,zba", &isa) == -EINVAL && strstr(err_msg(), "EXT=on|off"),
	      "no value");
	CHECK(isa_parse("rv64,zba=2", &isa) == -EINVAL && strstr(err_msg(), "expected on"),
	      "bad value");
	CHECK(isa_parse("rv64,f=off", &isa) == -EINVAL && strstr(err_msg(), "d needs f"), "d f");
	CHECK(isa_parse("rv64,i=off", &isa) == -EINVAL, "no i");
	CHECK(isa_parse("rv64,s=off", &isa) == -EINVAL && strstr(err_msg(), "h needs s"), "h s");
	CHECK(isa == 0, "*out untouched on error");
	return 0;
}

/* RV32 and RV32E: the same table at XLEN 32 (QEMU's riscv32 default CPU) */
static int rv32(void)
{
	char s[256];
	isa_t isa;

	/* without H: strata's hypervisor extension is RV64's (docs/DECISIONS.md) */
	CHECK(isa_parse("rv32", &isa) == 0 && isa == ((isa_default() & ~(1ull << ISA_H)) | ISA_RV32) &&
		  isa_xlen(isa) == 32,
	      "rv32");
	CHECK(isa_string(isa, s, sizeof(s)) == 0 &&
		  !strcmp(s, "rv32imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"),
	      "riscv,isa %s", s);
	CHECK(isa_misa(isa) == (1ull << 30 | 0x14112d), "misa %llx",
	      (unsigned long long)isa_misa(isa));
	CHECK(isa_parse("rv32e", &isa) == 0 && (isa & ISA_RVE) && !isa_has(isa, ISA_F), "rv32e");
	CHECK(isa_string(isa, s, sizeof(s)) == 0 &&
		  !strcmp(s, "rv32emac_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"),
	      "riscv,isa %s", s);
	/* MXL = 1, A C E M S U */
	CHECK(isa_misa(isa) == (1ull << 30 | 0x141015), "misa %llx",
	      (unsigned long long)isa_misa(isa));
	CHECK(isa_parse("rv64", &isa) == 0 && isa_xlen(isa) == 64, "rv64");
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(rv32);
	fails += RUN(defaults);
	fails += RUN(properties);
	fails += RUN(errors);
	return fails != 0;
}
