#include "machine/fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/test_util.h"
#include "util/err.h"

static uint32_t cell(const void *fdt, const char *path, const char *prop, int i)
{
	int len, node = fdt_path_offset(fdt, path);
	const fdt32_t *p = node < 0 ? NULL : fdt_getprop(fdt, node, prop, &len);

	if (!p || (i + 1) * 4 > len)
		return 0xdeadbeef;
	return fdt32_to_cpu(p[i]);
}

static const char *str(const void *fdt, const char *path, const char *prop)
{
	int node = fdt_path_offset(fdt, path);

	return node < 0 ? NULL : fdt_getprop(fdt, node, prop, NULL);
}

static uint32_t phandle(const void *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);

	return node < 0 ? 0 : fdt_get_phandle(fdt, node);
}

static int tree(void)
{
	struct fdt_virt_desc d = {.nharts = 2, .ram_base = 0x80000000, .ram_size = 0x10000000};
	uint32_t intc0, intc1, plic;
	void *fdt;

	d.nvirtio = 1;
	d.virtio[0] = (struct fdt_virt_mmio_dev){0x10001000, 0x1000, 1};
	CHECK(fdt_virt_build(&d, &fdt) == 0, "build");
	CHECK(fdt_check_header(fdt) == 0 && fdt_totalsize(fdt) == FDT_VIRT_SIZE, "header");
	CHECK(!strcmp(str(fdt, "/", "compatible"), "riscv-virtio"), "root compatible");
	CHECK(cell(fdt, "/cpus", "timebase-frequency", 0) == 10000000, "timebase");
	CHECK(cell(fdt, "/cpus/cpu@1", "reg", 0) == 1, "cpu@1 reg");
	{
		char want[256];

		CHECK(isa_string(isa_default(), want, sizeof(want)) == 0, "isa string");
		CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "riscv,isa"), want), "isa %s",
		      str(fdt, "/cpus/cpu@0", "riscv,isa"));
	}
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "mmu-type"), "riscv,sv48"), "mmu");
	CHECK(!strcmp(str(fdt, "/cpus/cpu@1", "status"), "okay"), "status");
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0/interrupt-controller", "compatible"), "riscv,cpu-intc"),
	      "intc");
	intc0 = phandle(fdt, "/cpus/cpu@0/interrupt-controller");
	intc1 = phandle(fdt, "/cpus/cpu@1/interrupt-controller");
	plic = phandle(fdt, "/soc/plic@c000000");
	CHECK(intc0 && intc1 && plic && intc0 != intc1 && plic != intc0, "phandles %u %u %u", intc0,
	      intc1, plic);
	CHECK(cell(fdt, "/cpus/cpu-map/cluster0/core1", "cpu", 0) == phandle(fdt, "/cpus/cpu@1"),
	      "cpu-map");
	CHECK(cell(fdt, "/memory@80000000", "reg", 1) == 0x80000000 &&
		  cell(fdt, "/memory@80000000", "reg", 3) == 0x10000000,
	      "memory reg");
	CHECK(cell(fdt, "/soc/clint@2000000", "interrupts-extended", 0) == intc0 &&
		  cell(fdt, "/soc/clint@2000000", "interrupts-extended", 1) == 3 &&
		  cell(fdt, "/soc/clint@2000000", "interrupts-extended", 3) == 7 &&
		  cell(fdt, "/soc/clint@2000000", "interrupts-extended", 4) == intc1,
	      "clint interrupts-extended");
	CHECK(cell(fdt, "/soc/plic@c000000", "interrupts-extended", 1) == 11 &&
		  cell(fdt, "/soc/plic@c000000", "interrupts-extended", 7) == 9,
	      "plic interrupts-extended");
	CHECK(cell(fdt, "/soc/plic@c000000", "riscv,ndev", 0) == 96, "ndev");
	CHECK(cell(fdt, "/soc/serial@10000000", "interrupt-parent", 0) == plic &&
		  cell(fdt, "/soc/serial@10000000", "interrupts", 0) == 10 &&
		  cell(fdt, "/soc/serial@10000000", "clock-frequency", 0) == 3686400,
	      "serial");
	CHECK(!strcmp(str(fdt, "/soc/serial@10000000", "compatible"), "ns16550a"), "ns16550a");
	CHECK(cell(fdt, "/soc/virtio_mmio@10001000", "interrupts", 0) == 1, "virtio node");
	CHECK(cell(fdt, "/poweroff", "regmap", 0) == phandle(fdt, "/soc/test@100000") &&
		  cell(fdt, "/poweroff", "value", 0) == 0x5555 &&
		  cell(fdt, "/reboot", "value", 0) == 0x7777,
	      "syscon poweroff/reboot");
	CHECK(!strcmp(str(fdt, "/chosen", "stdout-path"), "/soc/serial@10000000"), "stdout-path");
	CHECK(str(fdt, "/chosen", "bootargs") == NULL, "no bootargs yet");
	CHECK(fdt_virt_set_chosen(fdt, "console=ttyS0", 0x84000000, 0x84001000) == 0, "chosen");
	CHECK(!strcmp(str(fdt, "/chosen", "bootargs"), "console=ttyS0"), "bootargs");
	CHECK(cell(fdt, "/chosen", "linux,initrd-start", 1) == 0x84000000 &&
		  cell(fdt, "/chosen", "linux,initrd-end", 1) == 0x84001000,
	      "initrd range");
	d.nharts = 9;
	CHECK(fdt_virt_build(&d, &fdt) == -EINVAL, "9 harts rejected");
	free(fdt);
	return 0;
}

static int files(void)
{
	struct fdt_virt_desc d = {.nharts = 1, .ram_base = 0x80000000, .ram_size = 0x8000000};
	char path[] = "/tmp/strata_fdt_testXXXXXX";
	void *fdt, *back;
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0, "mkstemp");
	close(fd);
	CHECK(fdt_virt_build(&d, &fdt) == 0, "build");
	CHECK(fdt_virt_save(fdt, path) == 0, "save: %s", err_msg());
	CHECK(fdt_virt_load(path, &back) == 0, "load: %s", err_msg());
	CHECK(fdt_totalsize(back) == FDT_VIRT_SIZE, "loaded tree opened to full size");
	CHECK(cell(back, "/cpus", "timebase-frequency", 0) == 10000000, "round trip");
	CHECK(fdt_virt_set_chosen(back, "x", 0, 0) == 0, "loaded tree is editable");
	free(back);
	f = fopen(path, "wb");
	fputs("this is not a device tree, just some text", f);
	fclose(f);
	err_clear();
	CHECK(fdt_virt_load(path, &back) < 0, "garbage accepted");
	CHECK(err_msg() && strstr(err_msg(), "-dtb ") && strstr(err_msg(), "not a valid"),
	      "msg: %s", err_msg());
	unlink(path);
	CHECK(fdt_virt_load(path, &back) == -ENOENT, "missing file");
	CHECK(fdt_virt_save(fdt, "/nonexistent-dir/x.dtb") < 0 && strstr(err_msg(), "--dump-dtb"),
	      "save error: %s", err_msg());
	free(fdt);
	return 0;
}

/* The ISA properties follow the extension set: QEMU 7.2's string, the isa-extensions list and
 * the cache-block size of Zicbom. */
static int isa_props(void)
{
	struct fdt_virt_desc d = {.nharts = 1, .ram_base = 0x80000000, .ram_size = 0x10000000};
	static const char exts[] = "i\0m\0a\0f\0d\0c\0zicbom\0zicntr\0zicsr\0zifencei\0"
				   "zihintpause\0zba\0zbb\0zbc\0zbs\0sstc";
	const void *p;
	void *fdt;
	int len;

	d.isa = ISA_BIT(I) | ISA_BIT(M) | ISA_BIT(A) | ISA_BIT(F) | ISA_BIT(D) | ISA_BIT(C) |
		ISA_BIT(S) | ISA_BIT(U) | ISA_BIT(ZICSR) | ISA_BIT(ZIFENCEI) |
		ISA_BIT(ZIHINTPAUSE) | ISA_BIT(ZBA) | ISA_BIT(ZBB) | ISA_BIT(ZBC) | ISA_BIT(ZBS) |
		ISA_BIT(SSTC) | ISA_BIT(ZICNTR) | ISA_BIT(ZICBOM);
	CHECK(fdt_virt_build(&d, &fdt) == 0, "build");
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "riscv,isa"),
		      "rv64imafdc_zicbom_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"),
	      "riscv,isa %s", str(fdt, "/cpus/cpu@0", "riscv,isa"));
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "riscv,isa-base"), "rv64i"), "isa-base");
	p = fdt_getprop(fdt, fdt_path_offset(fdt, "/cpus/cpu@0"), "riscv,isa-extensions", &len);
	CHECK(p && len == sizeof(exts) && !memcmp(p, exts, sizeof(exts)), "isa-extensions");
	CHECK(cell(fdt, "/cpus/cpu@0", "riscv,cbom-block-size", 0) == 64, "cbom-block-size");
	CHECK(cell(fdt, "/cpus/cpu@0", "riscv,cboz-block-size", 0) == 0xdeadbeef, "no cboz");
	free(fdt);
	return 0;
}

/* RV32 and RV32E harts: riscv,isa, isa-base and isa-extensions say so, and the MMU is Sv32. */
static int rv32_props(void)
{
	struct fdt_virt_desc d = {.nharts = 1, .ram_base = 0x80000000, .ram_size = 0x10000000};
	static const char exts[] = "e\0m\0a\0c\0zicsr";
	const void *p;
	void *fdt;
	int len;

	d.isa = ISA_RV32 | ISA_BIT(I) | ISA_BIT(M) | ISA_BIT(A) | ISA_BIT(F) | ISA_BIT(D) |
		ISA_BIT(C) | ISA_BIT(S) | ISA_BIT(U) | ISA_BIT(ZICSR);
	CHECK(fdt_virt_build(&d, &fdt) == 0, "build");
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "riscv,isa"), "rv32imafdc_zicsr"), "riscv,isa %s",
	      str(fdt, "/cpus/cpu@0", "riscv,isa"));
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "riscv,isa-base"), "rv32i"), "isa-base");
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "mmu-type"), "riscv,sv32"), "mmu-type");
	free(fdt);
	d.isa = ISA_RV32 | ISA_RVE | ISA_BIT(I) | ISA_BIT(M) | ISA_BIT(A) | ISA_BIT(C) |
		ISA_BIT(ZICSR);
	CHECK(fdt_virt_build(&d, &fdt) == 0, "build rv32e");
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "riscv,isa"), "rv32emac_zicsr"), "riscv,isa %s",
	      str(fdt, "/cpus/cpu@0", "riscv,isa"));
	CHECK(!strcmp(str(fdt, "/cpus/cpu@0", "riscv,isa-base"), "rv32e"), "isa-base rv32e");
	p = fdt_getprop(fdt, fdt_path_offset(fdt, "/cpus/cpu@0"), "riscv,isa-extensions", &len);
	CHECK(p && len == sizeof(exts) && !memcmp(p, exts, sizeof(exts)), "isa-extensions rv32e");
	free(fdt);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(rv32_props);
	fails += RUN(tree);
	fails += RUN(isa_props);
	fails += RUN(files);
	return fails != 0;
}
