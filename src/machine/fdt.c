#include "machine/fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/devices/clint.h"
#include "machine/devices/plic.h"
#include "machine/machine.h"
#include "util/err.h"

#define CBO_BLOCK_BYTES 64 /* QEMU's cbom_blocksize / cboz_blocksize default */
#define UART_CLOCK	3686400

/* Phandles numbered as QEMU assigns them: per hart cpu then intc, then the PLIC, then test. */
static uint32_t ph_cpu(unsigned h)
{
	return 1 + 2 * h;
}
static uint32_t ph_intc(unsigned h)
{
	return 2 + 2 * h;
}
static uint32_t ph_plic(const struct fdt_virt_desc *d)
{
	return 1 + 2 * d->nharts;
}
static uint32_t ph_test(const struct fdt_virt_desc *d)
{
	return 2 + 2 * d->nharts;
}

/* libfdt's sequential-write calls return 0 or -FDT_ERR_*; keep the first failure. */
#define TRY(call)                                                                                  \
	do {                                                                                       \
		if (!err)                                                                          \
			err = (call);                                                              \
	} while (0)

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
	fdt32_t v[4 * PLIC_MAX_HARTS];

	for (unsigned i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, v, n * sizeof(v[0]));
}

static int begin_node_at(void *fdt, const char *name, uint64_t addr)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s@%llx", name, (unsigned long long)addr);
	return fdt_begin_node(fdt, buf);
}

/* riscv,isa-extensions: every extension that is on, by its lower-case name, except the
 * privilege modes s and u, which the binding does not list. */
static int prop_isa_extensions(void *fdt, isa_t isa)
{
	char list[1024];
	size_t len = 0;

	for (unsigned i = 0; i < ISA_COUNT; i++) {
		const struct isa_ext_info *r = isa_ext(i);
		size_t n = strlen(r->name) + 1;

		const char *name = i == ISA_I && (isa & ISA_RVE) ? "e" : r->name;

		if (!isa_has(isa, i) || i == ISA_S || i == ISA_U || len + n > sizeof(list))
			continue;
		memcpy(list + len, name, n);
		len += n;
	}
	return fdt_property(fdt, "riscv,isa-extensions", list, len);
}

/* The ISA of a hart node: the riscv,isa string as QEMU 7.2 writes it, plus the newer
 * riscv,isa-base/riscv,isa-extensions (Linux 6.7+ prefers them) and the cache-block sizes Linux
 * reads when Zicbom/Zicboz are on. */
static int add_cpu_isa(void *fdt, isa_t isa)
{
	char str[512];
	int err = isa_string(isa, str, sizeof(str));

	if (err < 0)
		return -FDT_ERR_NOSPACE;
	TRY(fdt_property_string(fdt, "riscv,isa", str));
	TRY(fdt_property_string(fdt, "riscv,isa-base",
				isa & ISA_RVE ? "rv32e" : isa & ISA_RV32 ? "rv32i" : "rv64i"));
	TRY(prop_isa_extensions(fdt, isa));
	if (isa_has(isa, ISA_ZICBOM))
		TRY(fdt_property_u32(fdt, "riscv,cbom-block-size", CBO_BLOCK_BYTES));
	if (isa_has(isa, ISA_ZICBOZ))
		TRY(fdt_property_u32(fdt, "riscv,cboz-block-size", CBO_BLOCK_BYTES));
	return err;
}

static int add_cpus(void *fdt, const struct fdt_virt_desc *d)
{
	char name[32];
	int err = 0;

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", VIRT_TIMEBASE_FREQ));
	for (unsigned h = 0; h < d->nharts; h++) {
		TRY(begin_node_at(fdt, "cpu", h));
		TRY(fdt_property_u32(fdt, "phandle", ph_cpu(h)));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", h));
		TRY(fdt_property_string(fdt, "status", "okay"));
		TRY(fdt_property_string(fdt, "compatible", "riscv"));
		TRY(add_cpu_isa(fdt, d->isa ? d->isa : isa_default()));
		TRY(fdt_property_string(fdt, "mmu-type",
					d->isa & ISA_RV32 ? "riscv,sv32" : "riscv,sv48"));
		TRY(fdt_begin_node(fdt, "interrupt-controller"));
		TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
		TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
		TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		TRY(fdt_property_u32(fdt, "phandle", ph_intc(h)));
		TRY(fdt_end_node(fdt));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_begin_node(fdt, "cpu-map"));
	TRY(fdt_begin_node(fdt, "cluster0"));
	for (unsigned h = 0; h < d->nharts; h++) {
		snprintf(name, sizeof(name), "core%u", h);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_u32(fdt, "cpu", ph_cpu(h)));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));
	TRY(fdt_end_node(fdt));
	TRY(fdt_end_node(fdt));
	return err;
}

/* interrupts-extended = <&intc(h) irq_a &intc(h) irq_b> for every hart. */
static int prop_irqs_per_hart(void *fdt, const struct fdt_virt_desc *d, uint32_t irq_a,
			      uint32_t irq_b)
{
	uint32_t cells[4 * PLIC_MAX_HARTS];

	for (unsigned h = 0; h < d->nharts; h++) {
		cells[4 * h + 0] = ph_intc(h);
		cells[4 * h + 1] = irq_a;
		cells[4 * h + 2] = ph_intc(h);
		cells[4 * h + 3] = irq_b;
	}
	return prop_cells(fdt, "interrupts-extended", cells, 4 * d->nharts);
}

static int add_mmio_dev(void *fdt, const struct fdt_virt_desc *d, const char *name,
			const char *compat, const struct fdt_virt_mmio_dev *dev)
{
	int err = 0;

	TRY(begin_node_at(fdt, name, dev->base));
	TRY(fdt_property_u32(fdt, "interrupts", dev->irq));
	TRY(fdt_property_u32(fdt, "interrupt-parent", ph_plic(d)));
	TRY(prop_reg(fdt, dev->base, dev->size));
	TRY(fdt_property_string(fdt, "compatible", compat));
	TRY(fdt_end_node(fdt));
	return err;
}

static int add_soc(void *fdt, const struct fdt_virt_desc *d)
{
	static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
	int err = 0;

	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));

	TRY(begin_node_at(fdt, "test", VIRT_TEST_BASE));
	TRY(fdt_property_u32(fdt, "phandle", ph_test(d)));
	TRY(prop_reg(fdt, VIRT_TEST_BASE, VIRT_TEST_SIZE));
	TRY(fdt_property(fdt, "compatible", test_compat, sizeof(test_compat)));
	TRY(fdt_end_node(fdt));

	TRY(begin_node_at(fdt, "serial", VIRT_UART0_BASE));
	TRY(fdt_property_u32(fdt, "interrupts", VIRT_UART0_IRQ));
	TRY(fdt_property_u32(fdt, "interrupt-parent", ph_plic(d)));
	TRY(fdt_property_u32(fdt, "clock-frequency", UART_CLOCK));
	TRY(prop_reg(fdt, VIRT_UART0_BASE, VIRT_UART0_SIZE));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(fdt_end_node(fdt));

	for (unsigned i = 0; i < d->nvirtio; i++)
		TRY(add_mmio_dev(fdt, d, "virtio_mmio", "virtio,mmio", &d->virtio[i]));

	TRY(begin_node_at(fdt, "plic", VIRT_PLIC_BASE));
	TRY(fdt_property_u32(fdt, "phandle", ph_plic(d)));
	TRY(fdt_property_u32(fdt, "riscv,ndev", PLIC_NSRC));
	TRY(prop_reg(fdt, VIRT_PLIC_BASE, VIRT_PLIC_SIZE));
	TRY(prop_irqs_per_hart(fdt, d, 11, 9)); /* M external, S external */
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property(fdt, "compatible", plic_compat, sizeof(plic_compat)));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_end_node(fdt));

	TRY(begin_node_at(fdt, "clint", VIRT_CLINT_BASE));
	TRY(prop_irqs_per_hart(fdt, d, 3, 7)); /* M software, M timer */
	TRY(prop_reg(fdt, VIRT_CLINT_BASE, VIRT_CLINT_SIZE));
	TRY(fdt_property(fdt, "compatible", clint_compat, sizeof(clint_compat)));
	TRY(fdt_end_node(fdt));

	TRY(fdt_end_node(fdt));
	return err;
}

static int add_syscon(void *fdt, const struct fdt_virt_desc *d, const char *name, uint32_t value)
{
	char compat[32];
	int err = 0;

	snprintf(compat, sizeof(compat), "syscon-%s", name);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_u32(fdt, "value", value));
	TRY(fdt_property_u32(fdt, "offset", 0));
	TRY(fdt_property_u32(fdt, "regmap", ph_test(d)));
	TRY(fdt_property_string(fdt, "compatible", compat));
	TRY(fdt_end_node(fdt));
	return err;
}

int fdt_virt_build(const struct fdt_virt_desc *d, void **out)
{
	void *fdt;
	int err = 0;

	if (d->nharts == 0 || d->nharts > PLIC_MAX_HARTS || d->nvirtio > FDT_VIRT_MAX_VIRTIO)
		return -EINVAL;
	fdt = malloc(FDT_VIRT_SIZE);
	if (!fdt)
		return -ENOMEM;
	TRY(fdt_create(fdt, FDT_VIRT_SIZE));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	TRY(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));

	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
	TRY(fdt_end_node(fdt));
	TRY(add_syscon(fdt, d, "poweroff", 0x5555));
	TRY(add_syscon(fdt, d, "reboot", 0x7777));

	TRY(begin_node_at(fdt, "memory", d->ram_base));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg(fdt, d->ram_base, d->ram_size));
	TRY(fdt_end_node(fdt));

	TRY(add_cpus(fdt, d));
	TRY(add_soc(fdt, d));
	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
	/* Open it up to the full buffer, as QEMU does, so /chosen can be edited in place. */
	TRY(fdt_open_into(fdt, fdt, FDT_VIRT_SIZE));
	if (err) {
		free(fdt);
		return -ENOSPC; /* only a too-small buffer can fail here */
	}
	*out = fdt;
	return 0;
}

int fdt_virt_load(const char *path, void **out)
{
	FILE *f = fopen(path, "rb");
	uint8_t *file = NULL;
	void *fdt = NULL;
	long len;
	size_t size;
	int ret, fe;

	if (!f)
		return err_set(errno, "-dtb %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		ret = err_set(errno, "-dtb %s: %s", path, strerror(errno));
		goto out;
	}
	if (len > 64 * 1024 * 1024) {
		ret =
		    err_set(EFBIG, "-dtb %s: %ld bytes is too large for a device tree", path, len);
		goto out;
	}
	file = malloc((size_t)len + 1);
	if (!file || fread(file, 1, (size_t)len, f) != (size_t)len) {
		ret = err_set(file ? EIO : ENOMEM, "-dtb %s: cannot read the file", path);
		goto out;
	}
	if ((size_t)len < sizeof(struct fdt_header) || (fe = fdt_check_header(file)) != 0 ||
	    fdt_totalsize(file) > (size_t)len) {
		ret = err_set(EINVAL, "-dtb %s: not a valid flattened device tree (%s)", path,
			      (size_t)len < sizeof(struct fdt_header) || !fe ? "truncated"
									     : fdt_strerror(fe));
		goto out;
	}
	size = fdt_totalsize(file) + 0x10000 > FDT_VIRT_SIZE ? fdt_totalsize(file) + 0x10000
							     : FDT_VIRT_SIZE;
	fdt = malloc(size);
	if (!fdt) {
		ret = -ENOMEM;
		goto out;
	}
	fe = fdt_open_into(file, fdt, (int)size);
	if (fe == 0)
		fe = fdt_path_offset(fdt, "/") < 0 ? -FDT_ERR_BADSTRUCTURE : 0;
	if (fe) {
		ret = err_set(EINVAL, "-dtb %s: broken device tree (%s)", path, fdt_strerror(fe));
		goto out;
	}
	*out = fdt;
	fdt = NULL;
	ret = 0;
out:
	free(fdt);
	free(file);
	fclose(f);
	return ret;
}

int fdt_virt_set_chosen(void *fdt, const char *bootargs, uint64_t initrd_start, uint64_t initrd_end)
{
	int node = fdt_path_offset(fdt, "/chosen");
	int err = 0;

	if (node == -FDT_ERR_NOTFOUND)
		node = fdt_add_subnode(fdt, 0, "chosen");
	if (node < 0)
		return err_set(ENOSPC, "device tree: cannot add /chosen (%s)", fdt_strerror(node));
	if (bootargs)
		TRY(fdt_setprop_string(fdt, node, "bootargs", bootargs));
	if (initrd_end > initrd_start) {
		TRY(fdt_setprop_u64(fdt, node, "linux,initrd-start", initrd_start));
		TRY(fdt_setprop_u64(fdt, node, "linux,initrd-end", initrd_end));
	}
	if (err)
		return err_set(ENOSPC, "device tree: cannot set /chosen (%s)", fdt_strerror(err));
	return 0;
}

int fdt_virt_save(const void *fdt, const char *path)
{
	size_t size = fdt_totalsize(fdt);
	void *copy = malloc(size);
	FILE *f = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, fdt, size);
	fdt_pack(copy);
	f = fopen(path, "wb");
	if (!f) {
		ret = err_set(errno, "--dump-dtb %s: %s", path, strerror(errno));
		goto out;
	}
	if (fwrite(copy, 1, fdt_totalsize(copy), f) != fdt_totalsize(copy) || fflush(f) != 0)
		ret = err_set(errno, "--dump-dtb %s: %s", path, strerror(errno));
out:
	if (f && fclose(f) != 0 && !ret)
		ret = err_set(errno, "--dump-dtb %s: %s", path, strerror(errno));
	free(copy);
	return ret;
}
