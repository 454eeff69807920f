/* Whole-board tests with the real CPU: tiny hand-assembled raw kernels booted through the
 * boot ROM with -bios none. */
#include "machine/machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "machine/test_util.h"
#include "util/err.h"

static char path[] = "/tmp/strata_machine_testXXXXXX";

static void write_words(const uint32_t *w, size_t n)
{
	FILE *f = fopen(path, "wb");

	fwrite(w, 4, n, f);
	fclose(f);
}

static int finisher_exit(void)
{
	static const uint32_t prog[] = {
	    0x001002b7, /* lui  t0, 0x100          t0 = 0x100000 (sifive_test) */
	    0x00033337, /* lui  t1, 0x33 */
	    0x33330313, /* addi t1, t1, 0x333      t1 = 0x33333 = FAIL | 3 << 16 */
	    0x0062a023, /* sw   t1, 0(t0) */
	    0x0000006f, /* j    . */
	};
	struct machine_config cfg = {.kernel = path};
	struct machine *m;
	int code = -1;

	write_words(prog, 5);
	m = machine_new(&cfg);
	CHECK(m, "machine_new: %s", err_msg());
	CHECK(machine_run(m, &code) == MACHINE_EXIT_GUEST && code == 3, "exit code %d", code);
	/* 6 boot ROM instructions and 4 of ours: the run stops right after the finisher store */
	CHECK(hart_instret(cpu_hart(machine_cpu(m), 0)) == 10, "instret %llu",
	      (unsigned long long)hart_instret(cpu_hart(machine_cpu(m), 0)));
	machine_free(m);
	return 0;
}

static int max_insns_and_time(void)
{
	static const uint32_t prog[] = {0x0000006f}; /* j . */
	struct machine_config cfg = {.kernel = path, .max_insns = 123457};
	struct machine *m;
	int code;

	write_words(prog, 1);
	m = machine_new(&cfg);
	CHECK(m, "machine_new: %s", err_msg());
	CHECK(machine_run(m, &code) == MACHINE_EXIT_MAX_INSNS, "max insns");
	CHECK(hart_instret(cpu_hart(machine_cpu(m), 0)) == 123457, "stopped exactly: %llu",
	      (unsigned long long)hart_instret(cpu_hart(machine_cpu(m), 0)));
	CHECK(machine_mtime(m) == 12345, "mtime = instructions / 10, got %llu",
	      (unsigned long long)machine_mtime(m));
	machine_free(m);
	return 0;
}

static int bus_view(void)
{
	static const uint32_t prog[] = {0x0000006f};
	struct machine_config cfg = {.kernel = path, .append = "console=ttyS0"};
	struct machine *m;
	uint64_t v;

	write_words(prog, 1);
	m = machine_new(&cfg);
	CHECK(m, "machine_new: %s", err_msg());
	CHECK(machine_phys_read(m, 0x1000, 4, &v) == 0 && v == 0x00000297, "ROM reset vector");
	CHECK(machine_phys_read(m, 0x1018, 8, &v) == 0 && v == 0x80000000, "start = kernel");
	CHECK(machine_phys_read(m, 0x1020, 8, &v) == 0 && v == 0x87e00000, "fdt at %#llx",
	      (unsigned long long)v);
	CHECK(machine_phys_write(m, 0x1000, 4, 0) < 0, "ROM is read-only");
	CHECK(machine_phys_read(m, 0x87e00000, 4, &v) == 0 && v == 0xedfe0dd0, "FDT magic in RAM");
	CHECK(machine_phys_read(m, 0x10000005, 1, &v) == 0 && (v & 0x60) == 0x60, "UART LSR");
	CHECK(machine_phys_read(m, 0x20000000, 4, &v) < 0, "hole faults");
	CHECK(machine_phys_write(m, 0x80001000, 8, 42) == 0 &&
		  *(uint64_t *)machine_ram_ptr(m, 0x80001000, 8) == 42,
	      "RAM write");
	CHECK(machine_ram_ptr(m, 0x88000000 - 4, 8) == NULL, "RAM bounds");
	CHECK(!machine_page_watched(m, 0x80000000), "no HTIF, nothing watched");
	machine_free(m);
	return 0;
}

static int bad_config(void)
{
	struct machine_config cfg = {0};

	err_clear();
	CHECK(!machine_new(&cfg) && strstr(err_msg(), "nothing to run"), "no images: %s",
	      err_msg());
	cfg.kernel = path;
	cfg.ram_size = 1 << 20;
	CHECK(!machine_new(&cfg) && strstr(err_msg(), "-m "), "tiny RAM: %s", err_msg());
	cfg.ram_size = 0;
	cfg.nharts = 9;
	CHECK(!machine_new(&cfg) && strstr(err_msg(), "-smp 9"), "9 harts: %s", err_msg());
	cfg.nharts = 1;
	cfg.initrd = path;
	cfg.kernel = NULL;
	cfg.bios = path;
	CHECK(!machine_new(&cfg) && strstr(err_msg(), "-initrd"), "initrd w/o kernel: %s",
	      err_msg());
	cfg.initrd = NULL;
	cfg.bios = NULL;
	cfg.kernel = "/nonexistent/kernel";
	CHECK(!machine_new(&cfg) && errno == ENOENT && strstr(err_msg(), "/nonexistent/kernel"),
	      "missing kernel: %s", err_msg());
	return 0;
}

int main(void)
{
	int fd = mkstemp(path), fails = 0;

	if (fd < 0) {
		printf("FAIL setup: mkstemp\n");
		return 1;
	}
	close(fd);
	fails += RUN(finisher_exit);
	fails += RUN(max_insns_and_time);
	fails += RUN(bus_view);
	fails += RUN(bad_config);
	unlink(path);
	return fails != 0;
}
