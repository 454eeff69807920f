/* nemu — the board NEMU emulates, as AM's nemu platform expects it: RAM at 0x80000000 (128 MiB
 * unless -m says otherwise), NEMU's devices at 0xa0000000, no boot ROM, no interrupt
 * controller, one hart that starts at the image's entry in M mode, and ebreak as the end of
 * the program ("HIT GOOD TRAP"). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "machine/bus.h"
#include "machine/console.h"
#include "machine/loader.h"
#include "machine/machine_impl.h"
#include "util/err.h"

static void cb_putc(void *ctx, uint8_t byte)
{
	console_putc(byte);
}

/* NEMU's timer reads the host clock; ours follows the machine's (mtime at 10 MHz), so runs
 * are deterministic unless --realtime. */
static uint64_t cb_uptime_us(void *ctx)
{
	return machine_mtime(ctx) / (VIRT_TIMEBASE_FREQ / 1000000);
}

static const struct {
	uint64_t base, size;
	const char *name;
	const struct mmio_ops *ops;
} nemu_map[] = {
    {NEMU_SERIAL_BASE, NEMU_SERIAL_SIZE, "serial", &nemu_serial_ops},
    {NEMU_RTC_BASE, NEMU_RTC_SIZE, "rtc", &nemu_rtc_ops},
    {NEMU_KBD_BASE, NEMU_KBD_SIZE, "keyboard", &nemu_kbd_ops},
    {NEMU_VGACTL_BASE, NEMU_VGACTL_SIZE, "vgactl", &nemu_vgactl_ops},
    {NEMU_AUDIO_BASE, NEMU_AUDIO_SIZE, "audio", &nemu_audio_ops},
    {NEMU_FB_BASE, NEMU_FB_SIZE, "vmem", &nemu_fb_ops},
    {NEMU_SBUF_BASE, NEMU_SBUF_SIZE, "audio-sbuf", &nemu_sbuf_ops},
};

int machine_nemu_build(struct machine *m)
{
	const struct nemu_host nh = {m, cb_putc, cb_uptime_us};
	const struct machine_config *c = &m->cfg;
	const char *opt = c->kernel ? "-kernel" : "-bios";
	const char *path = c->kernel ? c->kernel : c->bios;
	struct loader_image img = {0};
	struct loader *l = NULL;
	isa_t isa = isa_default();
	int ret;

	if (c->kernel && c->bios)
		return err_set(EINVAL, "-machine nemu runs one image: give -kernel IMG (and no -bios)");
	if (c->nharts != 1)
		return err_set(EINVAL, "-smp %u: -machine nemu has one hart", c->nharts);
	if (c->initrd || c->append || c->dtb || c->dump_dtb || c->ndrives)
		return err_set(EINVAL, "-machine nemu has no device tree, initrd or drives "
				       "(only -kernel IMG, -m, -cpu)");
	m->bus = bus_new(VIRT_DRAM_BASE, c->ram_size, 0, 0);
	if (!m->bus)
		return err_set(errno, "-m %llu bytes: cannot allocate guest RAM: %s",
			       (unsigned long long)c->ram_size, strerror(errno));
	m->nemu = nemu_dev_new(&nh, c->fb_out);
	if (!m->nemu)
		return -ENOMEM;
	for (unsigned i = 0; i < sizeof(nemu_map) / sizeof(nemu_map[0]); i++) {
		ret = bus_add_mmio(m->bus, nemu_map[i].base, nemu_map[i].size, nemu_map[i].name,
				   nemu_map[i].ops, m->nemu);
		if (ret < 0)
			return ret;
	}
	if (c->cpu && (ret = isa_parse(c->cpu, &isa)) < 0)
		return ret;
	m->idle = calloc(1, sizeof(*m->idle));
	m->cpu = cpu_new(m, 1, isa);
	if (!m->idle || !m->cpu)
		return -errno;
	cpu_set_ebreak_halts(m->cpu, true);
	if (!path) { /* libstrata-ref.so: the DUT copies the image in (difftest_memcpy) */
		hart_reset(cpu_hart(m->cpu, 0), VIRT_DRAM_BASE);
		return 0;
	}
	l = loader_new(m->bus);
	if (!l)
		return -ENOMEM;
	loader_set_xlen(l, isa_xlen(isa)); /* a riscv32-nemu ELF needs -cpu rv32 and back */
	/* NEMU loads a raw image at the reset vector, 0x80000000; an ELF goes where it says */
	ret = loader_load(l, opt, path, VIRT_DRAM_BASE, true, &img);
	loader_free(l);
	if (ret < 0)
		return ret;
	hart_reset(cpu_hart(m->cpu, 0), img.entry);
	return 0;
}

void machine_guest_halt(struct machine *m, uint64_t pc, uint64_t code)
{
	if (m->stop)
		return;
	m->halt_pc = pc;
	m->halted = true;
	machine_request_stop(m, (int)(uint32_t)code);
}

void machine_nemu_end(struct machine *m)
{
	const char *what;

	if (!m->halted)
		return;
	what = m->exit_code == 0 ? "HIT GOOD TRAP" : "HIT BAD TRAP";
	console_flush();
	/* NEMU's Log line, FMT_WORD wide: 8 hex digits on riscv32(e), 16 on riscv64 */
	if (isa_xlen(cpu_isa(m->cpu)) == 32)
		printf("nemu: %s at pc = 0x%08" PRIx32 "\n", what, (uint32_t)m->halt_pc);
	else
		printf("nemu: %s at pc = 0x%016" PRIx64 "\n", what, m->halt_pc);
	fflush(stdout);
	if (nemu_fb_save(m->nemu) < 0)
		fprintf(stderr, "strata: %s\n", err_msg());
}
