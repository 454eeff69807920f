/* cmd_run — `strata run`: build a virt machine from QEMU-style options and run it. */
#include "cli/cli.h"
#include "cli/run_qemu.h"
#include "cli/trace_opts.h"
#include "console/console.h"
#include "cpu/cpu.h"
#include "cpu/isa.h"
#include "debug/jtag.h"
#include "gdb/server.h"
#include "machine/machine.h"
#include "machine/console.h"
#include "machine/devices/nemu_dev.h"
#include "replay/replay.h"
#include "replay/live.h"
#include "replay/snapshot.h"
#include "util/err.h"
#include "util/sigstop.h"
#include "util/sock.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf"

static void run_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: strata run [options]\n"
	    "Run a RISC-V machine compatible with qemu-system-riscv64 -machine virt (RV64GC, "
	    "M/S/U,\n"
	    "Sv39/Sv48; same memory map and boot protocol). Deterministic by default: time "
	    "advances\n"
	    "with retired instructions, so the same inputs give the same output.\n\n"
	    "  -bios FILE|none    M-mode firmware, ELF or raw binary (default: Debian's OpenSBI\n"
	    "                     " DEFAULT_BIOS ");\n"
	    "                     'none' starts the -kernel image directly in M mode\n"
	    "  -kernel FILE       kernel or bare-metal program, ELF or raw binary (raw images go "
	    "to\n"
	    "                     0x80200000 after a firmware, 0x80000000 with -bios none)\n"
	    "  -initrd FILE       initial ramdisk, announced in the device tree\n"
	    "  -append STRING     kernel command line (/chosen/bootargs)\n"
	    "  -m SIZE            guest RAM at 0x80000000, 16M to 64G: 128M (default), 1G, 512\n"
	    "                     (= MiB) ...\n"
	    "  -smp N             number of harts, 1..%u (default 1)\n"
	    "  -cpu rv64[,EXT=on|off...]\n"
	    "                     extensions by QEMU's property names (zba=off, Zfh=on, ...);\n"
	    "                     default QEMU 7.2's default CPU; -cpu help lists them\n"
	    "  -dtb FILE          use this device tree blob instead of the generated one\n"
	    "  -drive file=IMG[,format=raw][,readonly=on]\n"
	    "                     a raw disk image (size a multiple of 512) as a virtio-blk\n"
	    "                     device; the n-th -drive is virtio-mmio slot n (0x10001000 +\n"
	    "                     n*0x1000, IRQ 1+n), up to 8. Unlike QEMU, no -device is needed;\n"
	    "                     if=virtio|none is accepted. Writes go to the file\n"
	    "                     (readonly=on: the guest gets I/O errors)\n"
	    "  -device virtio-blk-device,drive=ID[,bus=virtio-mmio-bus.N]\n"
	    "                     put the -drive with id=ID on slot N (QEMU's form)\n"
	    "  -machine nemu      NEMU's board for abstract-machine programs (docs/NEMU.md): RAM\n"
	    "                     at 0x80000000, NEMU's devices, -kernel IMG (raw or ELF), ebreak\n"
	    "                     ends the run with a0 as the exit status (HIT GOOD/BAD TRAP)\n"
	    "  --fb-out FILE      -machine nemu: save the frame buffer to FILE (PPM) at each sync\n"
	    "                     (a %%d in FILE: one file per frame, numbered from 0)\n"
	    "  -global virtio-mmio.force-legacy=false, -machine virt, -nographic\n"
	    "                     accepted as QEMU's (the transports are always modern)\n"
	    "  --dump-dtb FILE    write the device tree blob to FILE, then run\n"
	    "  --realtime         mtime follows the host clock (not deterministic)\n"
	    "  --max-insns N      stop after N instructions (k/M/G suffixes); exit status 124\n"
	    "  --stats            print instructions, time and MIPS to stderr at the end\n"
	    "  --snapshot-every N a snapshot every N instructions (default 100M): with --gdb in\n"
	    "                     memory, for reverse execution (reverse-stepi, reverse-continue,\n"
	    "                     monitor goto); with --record also stored in DIR, so a replay\n"
	    "                     under GDB goes far without running from the start\n"
	    "  --record DIR       record what the run reads from the host (console input,\n"
	    "                     --realtime clock, the drives' contents) into DIR, for\n"
	    "                     `strata replay DIR` (docs/REPLAY.md)\n"
	    "  --gdb [HOST:]PORT  GDB remote stub on HOST (default 127.0.0.1) and PORT; see\n"
	    "                     docs/GDB.md (target remote :PORT, symbol files per privilege)\n"
	    "  -s                 --gdb 1234, as in QEMU\n"
	    "  -S                 halt before the first instruction until GDB continues (with\n"
	    "                     --jtag: harts start halted in Debug Mode)\n"
	    "  --jtag [HOST:]PORT JTAG (RISC-V Debug Module 0.13.2) for OpenOCD's remote_bitbang\n"
	    "                     on HOST (default 127.0.0.1) and PORT; see docs/JTAG.md; not\n"
	    "                     with --gdb or --console\n"
	    "  --console[=SOCKET] let `strata console --attach SOCKET` watch the run (default\n"
	    "                     $XDG_RUNTIME_DIR or /tmp/strata-PID.console); --console-wait:\n"
	    "                     wait for the console before starting; not with --gdb\n"
	    "  -h, --help         this text\n\n"
	    "Exit status: the guest's (sifive_test finisher, HTIF tohost, SBI shutdown); 2 for\n"
	    "bad input; 124 when --max-insns stopped the run; 65 when the guest makes no progress\n"
	    "(every hart traps without retiring, or waits for an interrupt that cannot come); 70\n"
	    "for an internal emulator error (65 and 70 print the registers and the last\n"
	    "instructions); 128+N when signal N stopped the run or strata crashed.\n",
	    MACHINE_MAX_HARTS);
}

/* Parse QEMU-style "file=IMG,format=raw,readonly=on" into d, in place (",," is a literal
 * comma, as in QEMU). 0, or -EINVAL with err_set naming the bad key or value. */
static int parse_drive(char *spec, struct machine_drive *d, const char **id)
{
	char *p = spec;

	while (*p) {
		char *key = p, *val, *w;

		/* Split off one key=value, folding ",," into ",". */
		for (w = p; *p && !(*p == ',' && p[1] != ','); p++)
			*w++ = *p == ',' ? *++p : *p;
		if (*p)
			p++;
		*w = '\0';
		val = strchr(key, '=');
		if (!val)
			return err_set(EINVAL, "-drive %s: expected key=value", key);
		*val++ = '\0';
		if (!strcmp(key, "file")) {
			if (!*val)
				return err_set(EINVAL, "-drive: file= is empty");
			d->file = val;
		} else if (!strcmp(key, "format")) {
			if (strcmp(val, "raw"))
				return err_set(
				    EINVAL, "-drive format=%s: only raw images are supported", val);
		} else if (!strcmp(key, "readonly")) {
			if (!strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "true"))
				d->readonly = true;
			else if (!strcmp(val, "off") || !strcmp(val, "no") || !strcmp(val, "false"))
				d->readonly = false;
			else
				return err_set(EINVAL, "-drive readonly=%s: expected on or off",
					       val);
		} else if (!strcmp(key, "if")) {
			if (strcmp(val, "virtio") && strcmp(val, "none"))
				return err_set(EINVAL,
					       "-drive if=%s: only virtio (or none) is supported",
					       val);
		} else if (!strcmp(key, "id")) {
			*id = val;
		} else {
			return err_set(EINVAL,
				       "-drive %s=%s: unknown key (file, format, readonly, if, id)",
				       key, val);
		}
	}
	if (!d->file)
		return err_set(EINVAL, "-drive: needs file=IMAGE");
	return 0;
}

/* The option's argument, or NULL after reporting that it is missing. */
static const char *arg_of(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		err_set(EINVAL, "option %s needs an argument (see 'strata run --help')", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

struct run_opts {
	bool stats;
	const char *gdb;  /* --gdb / -s */
	const char *jtag; /* --jtag */
	bool gdb_wait;	 /* -S */
	struct run_qemu qemu;
	const char *console; /* --console[=SOCKET] (docs/UI.md) */
	bool console_wait;
	char console_path[108];
	const char *record; /* --record DIR */
	uint64_t snap_every; /* --snapshot-every N (0: the default) */
	bool bios_given;     /* -bios: -machine nemu has no firmware unless asked */
	/* the options that define the machine, for the recording (absolute image paths) */
	int margc;
	char **margv;
};

static void free_margv(struct run_opts *ro)
{
	for (int i = 0; i < ro->margc; i++)
		free(ro->margv[i]);
	free(ro->margv);
}

/* Note argv[from..to] as options of the machine, as given (the replay resolves relative
 * image paths against the recorded working directory). */
static int keep_machine_args(struct run_opts *ro, char **argv, int from, int to)
{
	for (int i = from; i <= to; i++)
		if (!(ro->margv[ro->margc++] = strdup(argv[i])))
			return err_set(ENOMEM, "out of memory");
	return 0;
}

static int parse_args(int argc, char **argv, struct machine_config *cfg, struct run_opts *ro,
		      struct trace_opts *topts)
{
	if (!(ro->margv = calloc((size_t)argc + 1, sizeof(char *))))
		return err_set(ENOMEM, "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *a;
		int t, from = i;

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			run_usage(stdout);
			trace_opts_usage(stdout);
			return 1;
		}
		t = trace_opts_parse(topts, argc, argv, &i);
		if (t > 0)
			continue;
		if (t == 0) {
			t = run_qemu_parse(&ro->qemu, argc, argv, &i);
			if (t > 0 && keep_machine_args(ro, argv, from, i) < 0)
				return -ENOMEM;
		}
		if (t < 0)
			return t;
		if (t > 0)
			continue;
		if (!strcmp(o, "--realtime")) {
			cfg->realtime = true;
			if (keep_machine_args(ro, argv, from, i) < 0)
				return -ENOMEM;
			continue;
		}
		if (!strcmp(o, "--snapshot-every")) {
			if (!(a = arg_of(argc, argv, &i)))
				return -EINVAL;
			if (cli_parse_count(a, &ro->snap_every) < 0 || !ro->snap_every)
				return err_set(EINVAL,
					       "--snapshot-every %s: not a positive instruction count", a);
			continue;
		}
		if (!strcmp(o, "--record")) {
			if (!(a = arg_of(argc, argv, &i)))
				return -EINVAL;
			if (!*a)
				return err_set(EINVAL, "--record: empty directory name");
			ro->record = a;
			continue;
		}
		if (!strcmp(o, "--stats")) {
			ro->stats = true;
			continue;
		}
		if (!strcmp(o, "-s")) {
			ro->gdb = "1234";
			continue;
		}
		if (!strcmp(o, "-S")) {
			ro->gdb_wait = true;
			continue;
		}
		if (!strncmp(o, "--console", 9) && (!o[9] || o[9] == '=' || !strcmp(o, "--console-wait"))) {
			ro->console_wait |= !strcmp(o, "--console-wait");
			if (o[9] == '=' && !o[10])
				return err_set(EINVAL, "--console=: empty socket path");
			if (o[9] == '=' || !ro->console)
				ro->console = o[9] == '=' ? o + 10 : "";
			continue;
		}
		if (!strcmp(o, "--jtag") || !strcmp(o, "--gdb")) {
			char host[64];
			unsigned port;

			if (!(a = arg_of(argc, argv, &i)))
				return -EINVAL;
			if (sock_parse_listen(a, host, sizeof(host), &port) < 0)
				return err_set(EINVAL,
					       "%s %s: expected [HOST:]PORT with PORT 1..65535", o, a);
			*(o[2] == 'j' ? &ro->jtag : &ro->gdb) = a;
			continue;
		}
		if (strcmp(o, "-bios") && strcmp(o, "-kernel") && strcmp(o, "-initrd") &&
		    strcmp(o, "-append") && strcmp(o, "-m") && strcmp(o, "-dtb") &&
		    strcmp(o, "--dump-dtb") && strcmp(o, "--max-insns") && strcmp(o, "-smp") &&
		    strcmp(o, "-drive") && strcmp(o, "-cpu") && strcmp(o, "--fb-out"))
			return err_set(EINVAL, "unknown option '%s' (see 'strata run --help')", o);
		a = arg_of(argc, argv, &i);
		if (!a)
			return -EINVAL;
		/* before parse_drive folds the spec in place: the recording keeps it as given */
		if (strcmp(o, "--dump-dtb") && keep_machine_args(ro, argv, from, i) < 0)
			return -ENOMEM;
		if (!strcmp(o, "--fb-out")) {
			cfg->fb_out = a;
		} else if (!strcmp(o, "-cpu")) {
			if (!strcmp(a, "help") || !strcmp(a, "?")) {
				isa_print_help(stdout);
				return 1;
			}
			cfg->cpu = a;
		} else if (!strcmp(o, "-bios")) {
			cfg->bios = strcmp(a, "none") ? a : NULL;
			ro->bios_given = true;
		} else if (!strcmp(o, "-kernel")) {
			cfg->kernel = a;
		} else if (!strcmp(o, "-initrd")) {
			cfg->initrd = a;
		} else if (!strcmp(o, "-append")) {
			cfg->append = a;
		} else if (!strcmp(o, "-drive")) {
			if (cfg->ndrives == VIRT_VIRTIO_COUNT)
				return err_set(EINVAL, "-drive %s: at most %u drives", a,
					       VIRT_VIRTIO_COUNT);
			if (parse_drive(argv[i], &cfg->drives[cfg->ndrives],
					&ro->qemu.drive_id[cfg->ndrives]) < 0)
				return -EINVAL;
			cfg->ndrives++;
		} else if (!strcmp(o, "-dtb")) {
			cfg->dtb = a;
		} else if (!strcmp(o, "--dump-dtb")) {
			cfg->dump_dtb = a;
		} else if (!strcmp(o, "-m")) {
			if (cli_parse_size(a, &cfg->ram_size) < 0 || cfg->ram_size == 0)
				return err_set(EINVAL, "-m %s: not a RAM size (e.g. 128M, 1G)", a);
			if (machine_check_ram(cfg->ram_size, a) < 0)
				return -EINVAL;
		} else if (!strcmp(o, "-smp")) {
			uint64_t n;

			if (cli_parse_count(a, &n) < 0)
				return err_set(EINVAL, "-smp %s: not a number of harts", a);
			if (machine_check_harts(n, a) < 0)
				return -EINVAL;
			cfg->nharts = n;
		} else if (!strcmp(o, "--max-insns")) {
			if (cli_parse_count(a, &cfg->max_insns) < 0 || cfg->max_insns == 0)
				return err_set(
				    EINVAL, "--max-insns %s: not a positive instruction count", a);
		}
	}
	if (run_qemu_bind(&ro->qemu, cfg) < 0)
		return -EINVAL;
	if (cfg->board == MACHINE_BOARD_NEMU && !ro->bios_given)
		cfg->bios = NULL; /* NEMU runs the image alone */
	if (cfg->fb_out && cfg->board != MACHINE_BOARD_NEMU)
		return err_set(EINVAL, "--fb-out %s: only -machine nemu has a frame buffer",
			       cfg->fb_out);
	if (cfg->fb_out && !nemu_fb_out_ok(cfg->fb_out))
		return err_set(EINVAL, "--fb-out %s: a '%%' must be the one %%d (the frame number)",
			       cfg->fb_out);
	return 0;
}

/* What `monitor trace X on` needs to start a trace the command line did not ask for. */
struct lazy_trace {
	struct trace_opts *topts;
	struct machine *m;
	const struct machine_config *cfg;
	int argc;
	char **argv;
	struct rr_play *play;
};

static struct recorder *open_trace(void *ctx)
{
	struct lazy_trace *lt = ctx;

	lt->topts->on = true;
	if (trace_opts_start(lt->topts, lt->m, lt->cfg, lt->argc, lt->argv) < 0)
		return NULL;
	return lt->topts->rec;
}

/* The symbol files GDB is told about, with the privilege each belongs to. */
static void gdb_files(struct gdb_server_config *g, const struct machine_config *cfg,
		      const struct trace_opts *topts)
{
	if (cfg->bios)
		g->files[g->nfiles++] = (struct gdb_server_file){cfg->bios, 3, 0};
	if (cfg->kernel)
		g->files[g->nfiles++] =
		    (struct gdb_server_file){cfg->kernel, cfg->bios ? 1 : -1, 0};
	for (unsigned i = 0; i < topts->nsym && g->nfiles < GDB_SERVER_MAX_FILES; i++)
		g->files[g->nfiles++] = (struct gdb_server_file){
		    topts->sym[i].path, topts->sym[i].priv, topts->sym[i].offset};
}

int cmd_run(int argc, char **argv)
{
	return cmd_run_replay(argc, argv, NULL);
}

int cmd_run_replay(int argc, char **argv, struct rr_play *play)
{
	struct machine_config cfg = {
	    .ram_size = 128ull << 20,
	    .nharts = 1,
	    .bios = DEFAULT_BIOS,
	};
	struct machine *m = NULL;
	struct trace_opts topts = {0};
	struct timespec t0, t1;
	struct run_opts ro = {0};
	struct gdb_server_config gcfg = {0};
	struct gdb_server *gdb = NULL;
	struct jtag_server *jtag = NULL;
	struct console_server *csrv = NULL;
	struct lazy_trace lt;
	struct rr_rec *rec = NULL;
	struct rr_snaps *snaps = NULL;
	struct rr_live *live = NULL;
	int code = 0, r;
	enum machine_exit why;

	r = parse_args(argc, argv, &cfg, &ro, &topts);
	if (r > 0) { /* --help, -cpu help */
		trace_opts_free(&topts);
		free_margv(&ro);
		return 0;
	}
	if (r < 0)
		goto bad;
	if (ro.jtag && ro.gdb) {
		err_set(EINVAL, "--jtag and --gdb (-s) are alternatives: one debugger per run");
		goto bad;
	}
	if (ro.jtag && ro.console) {
		err_set(EINVAL, "--console and --jtag cannot be used together");
		goto bad;
	}
	if (!cfg.bios && !cfg.kernel) {
		err_set(EINVAL, "-bios none needs -kernel FILE: there is nothing to run");
		goto bad;
	}
	if (play && ro.record) {
		err_set(EINVAL, "--record: a replay is not recorded again (copy the directory)");
		goto bad;
	}
	if (play && rr_play_config(play, &cfg) < 0)
		goto bad;
	m = machine_new(&cfg);
	if (!m)
		goto bad;
	if (play && rr_play_load_snaps(play, m) < 0) {
		machine_free(m);
		goto bad;
	}

	if (trace_opts_start(&topts, m, &cfg, argc, argv) < 0) {
		trace_opts_finish(&topts, m);
		machine_free(m);
		goto bad;
	}
	if (ro.jtag) {
		jtag = jtag_server_new(ro.jtag, m, VIRT_MROM_BASE, ro.gdb_wait);
		if (!jtag) {
			trace_opts_finish(&topts, m);
			machine_free(m);
			goto bad;
		}
	}
	if (ro.gdb_wait && !ro.gdb && !ro.jtag)
		ro.gdb = "1234"; /* QEMU's -S alone waits for a monitor; ours means the stub */
	if (ro.gdb) {
		lt = (struct lazy_trace){&topts, m, &cfg, argc, argv, play};
		/* snapshots for reverse execution: a replay's input cursors go back with them */
		snaps = rr_snaps_new(m, ro.snap_every);
		if (snaps && play) {
			rr_snaps_add_state(snaps, rr_play_state_size(), rr_play_state_save,
					   rr_play_state_restore, play);
			rr_snaps_set_stored(snaps, rr_play_stored(play), rr_play_seek, play);
		}
		gcfg.snaps = snaps;
		gcfg.listen = ro.gdb;
		gcfg.wait = ro.gdb_wait;
		gcfg.rec = topts.rec;
		gcfg.open_trace = open_trace;
		gcfg.ctx = &lt;
		gdb_files(&gcfg, &cfg, &topts);
		gdb = gdb_server_new(&gcfg, m);
		if (!gdb) {
			trace_opts_finish(&topts, m);
			machine_free(m);
			goto bad;
		}
	}
	if (ro.console) {
		if (!*ro.console)
			console_default_path(ro.console_path, sizeof(ro.console_path));
		if (gdb || !(csrv = console_server_new(*ro.console ? ro.console : ro.console_path,
						       topts.rec ? topts.rc.path : NULL, ro.console_wait))) {
			if (gdb)
				err_set(EINVAL, "--console and --gdb cannot be used together");
			gdb_server_free(gdb);
			trace_opts_finish(&topts, m);
			machine_free(m);
			goto bad;
		}
		console_server_attach(csrv, m, topts.rec);
	}
	/* before anything runs: the drives' copies are their starting contents */
	if (ro.record && !(rec = rr_rec_open(ro.record, ro.margc, ro.margv, &cfg))) {
		console_server_end(csrv, EXIT_BADINPUT);
		gdb_server_free(gdb);
		trace_opts_finish(&topts, m);
		machine_free(m);
		goto bad;
	}
	if (rec) {
		rr_rec_attach(rec, m);
		if (rr_rec_snapshots(rec, ro.snap_every ? ro.snap_every : RR_SNAP_EVERY) < 0)
			fprintf(stderr, "strata: %s; no snapshots are stored\n", err_msg());
	}
	if (play)
		rr_play_attach(play, m);
	/* a live run under GDB: what it reads from the host is kept, so it can go back */
	if (snaps && !play && (live = rr_live_new(m)))
		rr_snaps_add_state(snaps, rr_live_state_size(), rr_live_state_save,
				   rr_live_state_restore, live);
	/* from here on SIGINT/SIGTERM/SIGHUP end the run cleanly: traces and disks complete */
	sigstop_install();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	why = machine_run(m, &code);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fflush(stdout);
	gdb_server_free(gdb);
	rr_snaps_free(snaps);
	snaps = NULL;
	rr_live_free(live);
	jtag_server_free(jtag);
	if (ro.stats) {
		struct cpu *c = machine_cpu(m);
		uint64_t n = 0;
		double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

		for (unsigned i = 0; i < cpu_nharts(c); i++)
			n += hart_instret(cpu_hart(c, i));
		fprintf(stderr, "strata: %" PRIu64 " instructions in %.3f s (%.1f MIPS)\n", n, s,
			s > 0 ? n / s / 1e6 : 0.0);
		if (cpu_nharts(c) > 1)
			machine_print_idle_stats(m, stderr);
	}
	switch (why) {
	case MACHINE_EXIT_GUEST:
		break;
	case MACHINE_EXIT_MAX_INSNS:
		fprintf(stderr, "strata: stopped after %" PRIu64 " instructions (--max-insns)\n",
			cfg.max_insns);
		code = EXIT_MAXINSNS;
		break;
	case MACHINE_EXIT_ERROR:
		code = EXIT_INTERNAL;
		break;
	case MACHINE_EXIT_STUCK:
		code = EXIT_STUCK;
		break;
	case MACHINE_EXIT_SIGNAL:
		fprintf(stderr, "strata: stopped by signal %d%s\n", code,
			topts.rec ? "; the trace is complete up to here" : "");
		code = 128 + code;
		break;
	}
	if (rec && ro.stats)
		rr_rec_stats(rec, stderr);
	if (rr_rec_close(rec, m, why, code) < 0) {
		fprintf(stderr, "strata: %s\n", err_msg());
		if (!code)
			code = EXIT_BADINPUT;
	}
	if (play && rr_play_finish(play, m, why, &code) < 0) {
		fprintf(stderr, "strata: %s\n", err_msg());
		code = EXIT_BADINPUT;
	}
	if (why == MACHINE_EXIT_GUEST && code != 0) {
		/* a failing guest: show where each hart was, from the always-on ring */
		struct cpu *c = machine_cpu(m);

		fprintf(stderr, "strata: guest exit code %d\n", code);
		for (unsigned i = 0; i < cpu_nharts(c); i++)
			hart_dump(cpu_hart(c, i), stderr);
	}
	if (trace_opts_finish(&topts, m) < 0) {
		fprintf(stderr, "strata: %s\n", err_msg());
		if (!code)
			code = EXIT_BADINPUT;
	}
	console_server_end(csrv, code); /* after the trace's END chunk: the console reads it all */
	machine_free(m);
	trace_opts_free(&topts);
	free_margv(&ro);
	return code;
bad:
	fprintf(stderr, "strata: %s\n", err_msg() ? err_msg() : strerror(errno));
	rr_snaps_free(snaps);
	trace_opts_free(&topts);
	free_margv(&ro);
	return EXIT_BADINPUT;
}
