/* machine — the QEMU `virt`-compatible board: RAM, boot ROM, devices, device tree, loader,
 * and the run loop that interleaves harts and devices deterministically. */
#ifndef STRATA_MACHINE_MACHINE_H
#define STRATA_MACHINE_MACHINE_H

#include "machine/mmio.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct machine;
struct cpu;

/* QEMU virt memory map */
#define VIRT_MROM_BASE	   0x1000ull
#define VIRT_MROM_SIZE	   0xf000ull
#define VIRT_TEST_BASE	   0x100000ull /* sifive_test finisher */
#define VIRT_TEST_SIZE	   0x1000ull
#define VIRT_CLINT_BASE	   0x2000000ull
#define VIRT_CLINT_SIZE	   0x10000ull
#define VIRT_PLIC_BASE	   0xc000000ull
#define VIRT_PLIC_SIZE	   0x600000ull
#define VIRT_UART0_BASE	   0x10000000ull
#define VIRT_UART0_SIZE	   0x100ull
#define VIRT_UART0_IRQ	   10
#define VIRT_VIRTIO_BASE   0x10001000ull /* slot n at +n*VIRT_VIRTIO_SIZE, PLIC source 1+n */
#define VIRT_VIRTIO_SIZE   0x1000ull
#define VIRT_VIRTIO_IRQ	   1
#define VIRT_VIRTIO_COUNT  8
#define VIRT_DRAM_BASE	   0x80000000ull
#define VIRT_TIMEBASE_FREQ 10000000ull /* 10 MHz, as QEMU */

/* -drive: a raw image behind a virtio-blk device. */
struct machine_drive {
	const char *file;
	bool readonly;
};

/* The board: QEMU's virt, or the one NEMU emulates for AM's nemu platform (docs/NEMU.md). */
enum machine_board { MACHINE_BOARD_VIRT, MACHINE_BOARD_NEMU };

struct machine_config {
	enum machine_board board;
	const char *fb_out;     /* nemu: save the frame buffer here (PPM) at each sync, or NULL */
	uint64_t ram_size;      /* bytes; default 128 MiB */
	unsigned nharts;        /* 1..MACHINE_MAX_HARTS */
	const char *cpu;        /* -cpu rv64[,EXT=on|off...] (cpu/isa.h), or NULL for the default */
	const char *bios;       /* path, or NULL for none ("-bios none") */
	const char *kernel;     /* ELF or raw binary, or NULL */
	const char *initrd;     /* or NULL */
	const char *append;     /* kernel command line, or NULL */
	const char *dtb;        /* use this device tree instead of the generated one, or NULL */
	const char *dump_dtb;   /* write the device tree here (and still run), or NULL */
	bool realtime;          /* mtime follows the host clock instead of retired instructions */
	uint64_t max_insns;     /* stop after this many instructions in total; 0 = no limit */
	struct machine_drive drives[VIRT_VIRTIO_COUNT]; /* drives[n] is virtio slot n; no file: empty */
	unsigned ndrives;
};

/* The one rule for -m and for -smp: 0, or -EINVAL with err_set() naming the option as the
 * user gave it (given; NULL: the value itself). */
int machine_check_ram(uint64_t bytes, const char *given);
int machine_check_harts(uint64_t n, const char *given);

/* How a run ended. */
enum machine_exit {
	MACHINE_EXIT_GUEST,	/* finisher, HTIF or SBI shutdown: *code is the guest's exit code */
	MACHINE_EXIT_MAX_INSNS, /* --max-insns reached */
	MACHINE_EXIT_ERROR,     /* internal emulator error (already reported with a register dump) */
	MACHINE_EXIT_STUCK,     /* the guest can never retire another instruction: every hart
				 * traps without retiring, or waits for an interrupt that cannot
				 * come (already reported with a register dump) */
	MACHINE_EXIT_SIGNAL,    /* SIGINT, SIGTERM or SIGHUP (util/sigstop.h): *code = the signal */
};

/* Build a machine from cfg: allocate RAM, load images, build the device tree, set up the boot
 * ROM. Bad input -> NULL with err_set() describing it (util/err.h) and errno set. */
struct machine *machine_new(const struct machine_config *cfg);
void machine_free(struct machine *m);
/* Run until the guest exits or a limit is hit. */
enum machine_exit machine_run(struct machine *m, int *code);

/* ---- The bus, as the CPU sees it ---- */

/* Host pointer for guest-physical RAM [paddr, paddr+len), or NULL if that range is not entirely
 * RAM. Valid for the machine's lifetime. */
uint8_t *machine_ram_ptr(struct machine *m, uint64_t paddr, uint64_t len);
/* All of guest RAM: host pointer, guest-physical base and size. */
uint8_t *machine_ram(struct machine *m, uint64_t *base, uint64_t *size);
/* Physical read/write of 1, 2, 4 or 8 bytes anywhere (RAM, ROM, MMIO). paddr is naturally
 * aligned for MMIO. Returns 0, or -1 for an access fault (no device, read-only, bad size). */
int machine_phys_read(struct machine *m, uint64_t paddr, unsigned size, uint64_t *val);
int machine_phys_write(struct machine *m, uint64_t paddr, unsigned size, uint64_t val);
/* machine_phys_read() for a debugger: RAM and ROM only, never a device register. */
int machine_debug_read(struct machine *m, uint64_t paddr, unsigned size, uint64_t *val);
/* True if stores to the RAM page holding paddr must go through machine_phys_write (e.g. the
 * page holding HTIF's tohost). The CPU's TLB never caches such pages for stores. */
bool machine_page_watched(struct machine *m, uint64_t paddr);
/* The machine clock in instructions (hart 0's instruction clock, including what the running
 * hart retired so far): the timeline of traces. */
uint64_t machine_clock(const struct machine *m);
/* Describe the MMIO register at paddr for a trace (bus_describe's DEVS line). 0 or -ENOENT. */
int machine_mmio_describe(struct machine *m, uint64_t paddr, char *buf, size_t n);
/* Current mtime (CLINT), for the time CSR. */
uint64_t machine_mtime(struct machine *m);
/* Per hart: instructions retired, while looking idle, and skipped by idle elision (--stats). */
void machine_print_idle_stats(struct machine *m, FILE *f);
/* The hart retired NEMU's trap (ebreak on -machine nemu) at pc with a0 = code: the run ends
 * with code as the exit status and NEMU's "HIT GOOD/BAD TRAP" line. */
void machine_guest_halt(struct machine *m, uint64_t pc, uint64_t code);
/* A device or the guest asked the run to end (finisher, HTIF, SBI SRST); harts leave hart_run. */
bool machine_stop_requested(const struct machine *m);
/* Leave hart_run after the current instruction, the run goes on: a hart's own timer compare
 * register (Sstc) moved and the quantum must be recomputed, or the hart must run differently
 * (an icount trigger was armed). */
void machine_yield(struct machine *m);
struct cpu *machine_cpu(struct machine *m);
struct mmio_ops;
/* Map one more device (the Debug Module's window, debug/dm.h) after machine_new(). 0 or -errno. */
int machine_add_device(struct machine *m, uint64_t base, uint64_t size, const char *name,
		       const struct mmio_ops *ops, void *opaque);

/* ---- A debugger on the run loop (the GDB stub, gdb/server.h) ----
 * While halted no hart runs and the loop calls poll() (which may block until the debugger
 * resumes or a signal arrives); while running it calls poll() every few rounds (it must not
 * block then). A hart that stops for the debugger (cpu/debug.h) halts the whole machine. */
#define MACHINE_DEBUG_KILL 1
struct machine_debugger {
	void *ctx;
	/* 0 to go on, MACHINE_DEBUG_KILL to end the run. */
	int (*poll)(void *ctx, struct machine *m);
	/* The guest ended the run with code (tell the debugger before the process exits). */
	void (*exited)(void *ctx, struct machine *m, int code);
};
void machine_set_debugger(struct machine *m, const struct machine_debugger *d);
void machine_debug_halt(struct machine *m);
bool machine_debug_halted(const struct machine *m);
/* Run the harts whose bit is set in mask; the others stay where they are. */
void machine_debug_resume(struct machine *m, uint64_t mask);

/* ---- What a run takes from the host, for record/replay (src/replay) ---- */
/* Instructions retired by all harts so far (what --max-insns counts). */
uint64_t machine_insns(const struct machine *m);
/* --realtime's clock: now_ns(ctx) replaces CLOCK_MONOTONIC; NULL gives it back. */
void machine_set_host_clock(struct machine *m, uint64_t (*now_ns)(void *ctx), void *ctx);
/* The clock set by machine_set_host_clock (NULL: the host's), its ctx in *ctx. */
uint64_t (*machine_host_clock(const struct machine *m, void **ctx))(void *ctx);
/* End the run before the next round as if the guest exited with code (first request wins). */
void machine_request_stop(struct machine *m, int code);

/* ---- Snapshots and reverse execution (src/replay) ---- */
/* The machine's state but RAM (harts, devices, clocks) as machine_state_size() bytes. */
size_t machine_state_size(struct machine *m);
void machine_state_save(struct machine *m, void *buf);
void machine_state_restore(struct machine *m, const void *buf);
/* Clear the host addresses in saved state (machine_state_save's bytes): what is left can be
 * written to a file and restored by another process of the same strata (stored snapshots). */
void machine_state_strip(struct machine *m, void *buf);
/* While the debugger resumes the machine, halt it as soon as machine_insns() reaches insns
 * (0: no such stop). */
void machine_debug_goto(struct machine *m, uint64_t insns);
/* ... or as soon as hart has run insns instructions (machine_hart_insns). */
void machine_debug_goto_hart(struct machine *m, unsigned hart, uint64_t insns);
/* Instructions hart has run since the start (kept in snapshots; minstret writes do not
 * change it). */
uint64_t machine_hart_insns(const struct machine *m, unsigned hart);
/* The block device in virtio slot `slot`, or NULL (an empty slot). */
struct virtio_blk *machine_blk(struct machine *m, unsigned slot);
/* Reverse execution runs a stretch again: call at(ctx) once when machine_insns() reaches
 * insns (0: none), at a point between two instructions. */
void machine_set_frontier(struct machine *m, uint64_t insns, void (*at)(void *ctx), void *ctx);
/* Call at(ctx, insns) at the top of the run loop, between whole rounds and outside a stretch
 * run again, once machine_insns() reaches first; it returns the count for the next call
 * (UINT64_MAX: no more). NULL: none. The recording's stored snapshots (src/replay/snapstore.c). */
void machine_set_periodic(struct machine *m, uint64_t first,
			  uint64_t (*at)(void *ctx, uint64_t insns), void *ctx);
/* machine_insns() including what the hart running now retired so far in its slice (from an
 * event hook inside hart_run). */
uint64_t machine_insns_now(const struct machine *m);
/* Instructions this process ran (a stretch run again after going back counts again; state
 * restores do not change it): what reaching a point cost. */
uint64_t machine_executed_insns(const struct machine *m);

#endif
