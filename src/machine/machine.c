/* machine — builds the virt board from a config and owns its physical bus. The run loop is in
 * run.c. */
#include "machine/machine.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "machine/bootrom.h"
#include "machine/bus.h"
#include "machine/console.h"
#include "machine/fdt.h"
#include "machine/loader.h"
#include "machine/machine_impl.h"
#include "util/err.h"

#define MIB		    (1024ull * 1024)
#define MACHINE_DEFAULT_RAM (128 * MIB)
#define MACHINE_MIN_RAM	    (16 * MIB)
#define MACHINE_MAX_RAM	    (64 * 1024 * MIB)
#define KERNEL_ALIGN	    (2 * MIB) /* riscv_calc_kernel_start_addr for RV64 */
#define FDT_ALIGN	    (2 * MIB)
#define FDT_MAX_END	    (3072 * MIB) /* RV32 guests must reach it too (riscv_load_fdt) */
#define INITRD_MAX_OFFSET   (128 * MIB)

/* ---- device callbacks: the devices know nothing of harts or the machine ---- */

static void cb_hart_irq(void *ctx, unsigned hart, uint64_t mip_bit, bool level)
{
	struct machine *m = ctx;

	if (m->cpu && hart < m->nharts)
		hart_set_irq(cpu_hart(m->cpu, hart), mip_bit, level);
}

static uint64_t cb_get_mtime(void *ctx)
{
	return machine_mtime(ctx);
}

static void cb_set_mtime(void *ctx, uint64_t mtime)
{
	struct machine *m = ctx;

	m->mtime_off += mtime - machine_mtime(m);
}

static void cb_timer_changed(void *ctx)
{
	struct machine *m = ctx;

	/* Leave hart_run so the run loop recomputes the quantum against the new deadline. */
	m->yield = true;
}

static void cb_uart_tx(void *ctx, uint8_t byte)
{
	console_putc(byte);
}

static void cb_uart_irq(void *ctx, bool level)
{
	struct machine *m = ctx;

	plic_set_irq(m->plic, VIRT_UART0_IRQ, level);
}

static void cb_uart_requeue(void *ctx, const uint8_t *bytes, unsigned n)
{
	console_unread(bytes, n);
}

static void cb_stop(void *ctx, int code)
{
	machine_request_stop(ctx, code);
}

static void cb_reset(void *ctx)
{
	/* A true reset (reload images, reset harts and devices) is not implemented yet. */
	fprintf(stderr, "strata: guest requested a reset; ending the run instead (exit 0)\n");
	machine_request_stop(ctx, 0);
}

static uint8_t *cb_ram(void *ctx, uint64_t paddr, uint64_t len)
{
	struct machine *m = ctx;

	return bus_ram_ptr(m->bus, paddr, len);
}

static void cb_ram_written(void *ctx, uint64_t paddr, uint64_t len)
{
	struct machine *m = ctx;

	if (m->cpu)
		cpu_invalidate_code(m->cpu, paddr, len);
}

static void cb_virtio_irq(void *ctx, unsigned slot, bool level)
{
	struct machine *m = ctx;

	plic_set_irq(m->plic, VIRT_VIRTIO_IRQ + slot, level);
}

static void cb_putc(void *ctx, uint8_t byte)
{
	console_putc(byte);
}

/* ---- construction ---- */

int machine_check_ram(uint64_t bytes, const char *given)
{
	char num[32];

	if (bytes >= MACHINE_MIN_RAM && bytes <= MACHINE_MAX_RAM && bytes % 4096 == 0)
		return 0;
	if (!given) {
		snprintf(num, sizeof(num), "%" PRIu64 "B", bytes);
		given = num;
	}
	return err_set(EINVAL, "-m %s: RAM must be a multiple of 4 KiB from %llu MiB to %llu GiB",
		       given, MACHINE_MIN_RAM / MIB, MACHINE_MAX_RAM / (1024 * MIB));
}

int machine_check_harts(uint64_t n, const char *given)
{
	char num[32];

	if (n >= 1 && n <= MACHINE_MAX_HARTS)
		return 0;
	if (!given) {
		snprintf(num, sizeof(num), "%" PRIu64, n);
		given = num;
	}
	return err_set(EINVAL, "-smp %s: the number of harts must be 1 to %u", given,
		       MACHINE_MAX_HARTS);
}

static int validate(struct machine *m)
{
	struct machine_config *c = &m->cfg;

	if (c->ram_size == 0)
		c->ram_size = MACHINE_DEFAULT_RAM;
	if (c->nharts == 0)
		c->nharts = 1;
	if (machine_check_harts(c->nharts, NULL) < 0 || machine_check_ram(c->ram_size, NULL) < 0)
		return -EINVAL;
	if (!c->bios && !c->kernel && c->board != MACHINE_BOARD_NEMU) /* nemu: difftest's ref */
		return err_set(EINVAL, "nothing to run: give -bios or -kernel");
	if (c->initrd && !c->kernel)
		return err_set(EINVAL, "-initrd %s: needs -kernel", c->initrd);
	if (c->ndrives > VIRT_VIRTIO_COUNT)
		return err_set(EINVAL, "-drive: at most %u drives (virtio slots)",
			       VIRT_VIRTIO_COUNT);
	m->nharts = c->nharts;
	return 0;
}

static int add_devices(struct machine *m)
{
	const struct clint_host ch = {m, cb_get_mtime, cb_set_mtime, cb_hart_irq, cb_timer_changed};
	const struct plic_host ph = {m, cb_hart_irq};
	const struct uart_host uh = {m, cb_uart_tx, cb_uart_irq, cb_uart_requeue};
	const struct finisher_host fh = {m, cb_stop, cb_reset};
	int ret;

	m->clint = clint_new(m->nharts, &ch);
	m->plic = plic_new(m->nharts, &ph);
	m->uart = uart_new(&uh);
	m->finisher = finisher_new(&fh);
	if (!m->clint || !m->plic || !m->uart || !m->finisher)
		return -ENOMEM;
	ret = bus_add_mmio(m->bus, VIRT_TEST_BASE, VIRT_TEST_SIZE, "test", &finisher_ops,
			   m->finisher);
	if (!ret)
		ret = bus_add_mmio(m->bus, VIRT_CLINT_BASE, VIRT_CLINT_SIZE, "clint", &clint_ops,
				   m->clint);
	if (!ret)
		ret = bus_add_mmio(m->bus, VIRT_PLIC_BASE, VIRT_PLIC_SIZE, "plic", &plic_ops,
				   m->plic);
	if (!ret)
		ret = bus_add_mmio(m->bus, VIRT_UART0_BASE, VIRT_UART0_SIZE, "uart0", &uart_ops,
				   m->uart);
	return ret;
}

/* All eight virtio-mmio slots exist, as on QEMU virt; the n-th -drive fills slot n. */
static int add_virtio(struct machine *m)
{
	const struct virtio_mmio_host vh = {m, cb_ram, cb_ram_written, cb_virtio_irq};
	static const char *const names[VIRT_VIRTIO_COUNT] = {
	    "virtio0", "virtio1", "virtio2", "virtio3", "virtio4", "virtio5", "virtio6", "virtio7"};

	for (unsigned n = 0; n < VIRT_VIRTIO_COUNT; n++) {
		const struct machine_drive *d = &m->cfg.drives[n];
		int ret;

		/* A slot below ndrives without a file is empty (-device bus= left a gap). */
		if (n < m->cfg.ndrives && d->file) {
			m->blk[n] = virtio_blk_open(d->file, d->readonly);
			if (!m->blk[n])
				return -errno;
		}
		m->virtio[n] =
		    virtio_mmio_new(n, &vh, m->blk[n] ? &virtio_blk_dev_ops : NULL, m->blk[n]);
		if (!m->virtio[n])
			return -ENOMEM;
		ret = bus_add_mmio(m->bus, VIRT_VIRTIO_BASE + n * VIRT_VIRTIO_SIZE,
				   VIRT_VIRTIO_SIZE, names[n], &virtio_mmio_ops, m->virtio[n]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int setup_htif(struct machine *m, const char *opt, const char *path,
		      const struct loader_image *img)
{
	const struct htif_host hh = {m, cb_ram, cb_ram_written, cb_putc, cb_stop};

	if (!img->has_tohost)
		return 0;
	if (img->tohost % 8 || !bus_ram_ptr(m->bus, img->tohost, 8) ||
	    (img->fromhost && (img->fromhost % 8 || !bus_ram_ptr(m->bus, img->fromhost, 8))))
		return err_set(EINVAL, "%s %s: tohost/fromhost must be 8-byte aligned words in RAM",
			       opt, path);
	htif_free(m->htif);
	m->htif = htif_new(img->tohost, img->fromhost, &hh);
	return m->htif ? 0 : -ENOMEM;
}

/* Place firmware, kernel, initrd and device tree as QEMU 7.2's virt_machine_done does, and
 * write the reset vector. */
static int load_images(struct machine *m, struct loader *l)
{
	const struct machine_config *c = &m->cfg;
	uint64_t ram_end = VIRT_DRAM_BASE + c->ram_size;
	uint64_t fw_end = VIRT_DRAM_BASE, start = 0, kernel_entry = 0, fdt_addr, top, rom_base,
		 rom_size;
	uint64_t initrd_start = 0, initrd_end = 0;
	struct loader_image bios = {0}, kernel = {0}, initrd;
	uint8_t *rom;
	int ret;

	if (c->bios) {
		ret = loader_load(l, "-bios", c->bios, VIRT_DRAM_BASE, true, &bios);
		if (ret < 0)
			return ret;
		fw_end = bios.hi;
		start = bios.entry;
		ret = setup_htif(m, "-bios", c->bios, &bios);
		if (ret < 0)
			return ret;
	}
	if (c->kernel) {
		uint64_t kstart = (fw_end + KERNEL_ALIGN - 1) & ~(KERNEL_ALIGN - 1);
		ret = loader_load(l, "-kernel", c->kernel, kstart, true, &kernel);
		if (ret < 0)
			return ret;
		kernel_entry = kernel.entry;
		if (!c->bios)
			start = kernel_entry;
		ret = setup_htif(m, "-kernel", c->kernel, &kernel);
		if (ret < 0)
			return ret;
	}
	if (c->initrd) {
		uint64_t off =
		    c->ram_size / 2 < INITRD_MAX_OFFSET ? c->ram_size / 2 : INITRD_MAX_OFFSET;
		ret = loader_load(l, "-initrd", c->initrd, kernel_entry + off, false, &initrd);
		if (ret < 0)
			return ret;
		initrd_start = initrd.lo;
		initrd_end = initrd.hi;
	}
	ret = fdt_virt_set_chosen(m->fdt, c->append, initrd_start, initrd_end);
	if (ret < 0)
		return ret;
	top = ram_end < FDT_MAX_END ? ram_end : FDT_MAX_END;
	m->fdt_size = fdt_totalsize(m->fdt);
	fdt_addr = (top - m->fdt_size) & ~(FDT_ALIGN - 1);
	ret = loader_reserve(l, "device tree", fdt_addr, m->fdt_size);
	if (ret < 0)
		return ret;
	memcpy(bus_ram_ptr(m->bus, fdt_addr, m->fdt_size), m->fdt, m->fdt_size);
	m->fdt_addr = fdt_addr;
	rom = bus_rom(m->bus, &rom_base, &rom_size);
	return bootrom_build(rom, rom_size, start, fdt_addr, kernel_entry,
			     isa_xlen(cpu_isa(m->cpu)));
}

struct machine *machine_new(const struct machine_config *cfg)
{
	struct fdt_virt_desc desc = {0};
	struct machine *m = calloc(1, sizeof(*m));
	struct loader *l = NULL;
	isa_t isa;
	int ret;

	if (!m)
		return NULL;
	m->cfg = *cfg;
	ret = validate(m);
	if (ret < 0)
		goto out;
	if (m->cfg.board == MACHINE_BOARD_NEMU) {
		ret = machine_nemu_build(m);
		goto out;
	}
	m->bus = bus_new(VIRT_DRAM_BASE, m->cfg.ram_size, VIRT_MROM_BASE, VIRT_MROM_SIZE);
	if (!m->bus) {
		ret = err_set(errno, "-m %llu bytes: cannot allocate guest RAM: %s",
			      (unsigned long long)m->cfg.ram_size, strerror(errno));
		goto out;
	}
	ret = add_devices(m);
	if (!ret)
		ret = add_virtio(m);
	if (ret < 0)
		goto out;
	isa = isa_default();
	if (m->cfg.cpu && (ret = isa_parse(m->cfg.cpu, &isa)) < 0)
		goto out;
	m->idle = calloc(m->nharts, sizeof(*m->idle));
	m->cpu = cpu_new(m, m->nharts, isa);
	if (!m->idle || !m->cpu) {
		ret = -errno;
		goto out;
	}
	if (m->cfg.dtb) {
		ret = fdt_virt_load(m->cfg.dtb, &m->fdt);
	} else {
		desc.nharts = m->nharts;
		desc.isa = isa;
		desc.ram_base = VIRT_DRAM_BASE;
		desc.ram_size = m->cfg.ram_size;
		desc.nvirtio = VIRT_VIRTIO_COUNT;
		for (unsigned n = 0; n < VIRT_VIRTIO_COUNT; n++)
			desc.virtio[n] =
			    (struct fdt_virt_mmio_dev){VIRT_VIRTIO_BASE + n * VIRT_VIRTIO_SIZE,
						       VIRT_VIRTIO_SIZE, VIRT_VIRTIO_IRQ + n};
		ret = fdt_virt_build(&desc, &m->fdt);
	}
	if (ret < 0)
		goto out;
	l = loader_new(m->bus);
	if (!l) {
		ret = -ENOMEM;
		goto out;
	}
	loader_set_xlen(l, isa_xlen(isa));
	ret = load_images(m, l);
	if (ret < 0)
		goto out;
	if (m->cfg.dump_dtb) {
		ret = fdt_virt_save(m->fdt, m->cfg.dump_dtb);
		if (ret < 0)
			goto out;
	}
	for (unsigned h = 0; h < m->nharts; h++)
		hart_reset(cpu_hart(m->cpu, h), VIRT_MROM_BASE);
	ret = 0;
out:
	loader_free(l);
	if (ret < 0) {
		machine_free(m);
		errno = -ret;
		return NULL;
	}
	return m;
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	if (m->cpu)
		cpu_free(m->cpu);
	htif_free(m->htif);
	for (unsigned n = 0; n < VIRT_VIRTIO_COUNT; n++) {
		virtio_mmio_free(m->virtio[n]);
		virtio_blk_free(m->blk[n]); /* flushes the image */
	}
	nemu_dev_free(m->nemu);
	finisher_free(m->finisher);
	uart_free(m->uart);
	plic_free(m->plic);
	clint_free(m->clint);
	bus_free(m->bus);
	free(m->fdt);
	free(m->idle);
	free(m);
}

/* ---- the bus as the CPU sees it ---- */

uint8_t *machine_ram_ptr(struct machine *m, uint64_t paddr, uint64_t len)
{
	return bus_ram_ptr(m->bus, paddr, len);
}

uint8_t *machine_ram(struct machine *m, uint64_t *base, uint64_t *size)
{
	*base = bus_ram_base(m->bus);
	*size = bus_ram_size(m->bus);
	return bus_ram_ptr(m->bus, *base, *size);
}

int machine_phys_read(struct machine *m, uint64_t paddr, unsigned size, uint64_t *val)
{
	return bus_read(m->bus, paddr, size, val);
}

int machine_debug_read(struct machine *m, uint64_t paddr, unsigned size, uint64_t *val)
{
	enum bus_kind k = bus_find(m->bus, paddr, size, NULL);

	if (k != BUS_RAM && k != BUS_ROM)
		return -1; /* device registers may have read side effects */
	return bus_read(m->bus, paddr, size, val);
}

int machine_phys_write(struct machine *m, uint64_t paddr, unsigned size, uint64_t val)
{
	if (bus_write(m->bus, paddr, size, val) < 0)
		return -1;
	/* The slow path: a RAM store here may hit decoded code or HTIF's tohost. */
	if (bus_ram_ptr(m->bus, paddr, size)) {
		if (m->cpu)
			cpu_invalidate_code(m->cpu, paddr, size);
		if (m->htif)
			htif_store(m->htif, paddr, size);
	}
	return 0;
}

bool machine_page_watched(struct machine *m, uint64_t paddr)
{
	return m->htif && (paddr >> 12) == (htif_tohost_addr(m->htif) >> 12);
}

int machine_mmio_describe(struct machine *m, uint64_t paddr, char *buf, size_t n)
{
	return bus_describe(m->bus, paddr, buf, n);
}

void machine_yield(struct machine *m)
{
	cb_timer_changed(m);
}

bool machine_stop_requested(const struct machine *m)
{
	return m->stop || m->yield;
}

void machine_request_stop(struct machine *m, int code)
{
	if (!m->stop) {
		m->stop = true;
		m->exit_code = code;
	}
}

struct cpu *machine_cpu(struct machine *m)
{
	return m->cpu;
}

uint64_t machine_insns(const struct machine *m)
{
	return m->total_insns;
}

void machine_set_host_clock(struct machine *m, uint64_t (*now_ns)(void *ctx), void *ctx)
{
	m->host_now_ns = now_ns;
	m->host_ctx = ctx;
}

int machine_add_device(struct machine *m, uint64_t base, uint64_t size, const char *name,
		       const struct mmio_ops *ops, void *opaque)
{
	return bus_add_mmio(m->bus, base, size, name, ops, opaque);
}

uint64_t (*machine_host_clock(const struct machine *m, void **ctx))(void *ctx)
{
	*ctx = m->host_ctx;
	return m->host_now_ns;
}
