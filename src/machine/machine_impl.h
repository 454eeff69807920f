/* machine_impl — struct machine, shared by machine.c (construction, bus) and run.c (the run
 * loop). Not for use outside src/machine/. */
#ifndef STRATA_MACHINE_MACHINE_IMPL_H
#define STRATA_MACHINE_MACHINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "machine/devices/clint.h"
#include "machine/devices/finisher.h"
#include "machine/devices/htif.h"
#include "machine/devices/nemu_dev.h"
#include "machine/devices/plic.h"
#include "machine/devices/uart.h"
#include "machine/devices/virtio_blk.h"
#include "machine/devices/virtio_mmio.h"
#include "machine/machine.h"

struct bus;

struct machine {
	struct machine_config cfg;
	unsigned nharts;
	struct bus *bus;
	struct cpu *cpu;
	struct clint *clint;
	struct plic *plic;
	struct uart *uart;
	struct finisher *finisher;
	struct htif *htif; /* NULL unless an image defines tohost */
	struct virtio_mmio *virtio[VIRT_VIRTIO_COUNT]; /* all slots exist, as on QEMU virt */
	struct virtio_blk *blk[VIRT_VIRTIO_COUNT];     /* NULL: empty slot */
	struct nemu_dev *nemu; /* -machine nemu's devices; then no CLINT, PLIC, UART, virtio */
	bool halted;	       /* ended by machine_guest_halt at halt_pc */
	uint64_t halt_pc;
	void *fdt;	   /* the tree as handed to the guest */
	size_t fdt_size;
	uint64_t fdt_addr;

	/* Time. Deterministic: mtime = vclock / MACHINE_INSNS_PER_TICK + mtime_off, where vclock
	 * counts hart 0's instruction clock (sleeping in WFI included). Realtime: mtime =
	 * host ticks since rt_start_ns + mtime_off. */
	uint64_t vclock;
	uint64_t mtime_off;
	uint64_t rt_start_ns;
	/* While a hart runs, its retired instructions advance the live clock. */
	struct hart *running;
	uint64_t running_instret0;

	uint64_t total_insns;
	/* per hart: does it look idle (run.c, note_idle) */
	struct machine_idle {
		uint64_t boot_sp_page; /* sp >> 12 when first seen in S mode */
		bool boot_seen, looks;
		/* idle fixpoint elision (run.c, cpu/idle.c): armed for the coming run; searches
		 * that found nothing in a row; no search before round retry_round */
		bool elide;
		unsigned fails;
		uint64_t retry_round;
		uint64_t credit; /* budget a run stopped at a loop's start left unused */
		struct hart_idle_stats last; /* after its last armed run */
		uint64_t insns_looking_idle; /* retired in runs that began looking idle */
		uint64_t retired; /* instructions this hart ran (machine_hart_insns) */
	} *idle;
	uint64_t rounds;
	bool parked; /* in the last round some hart stopped at an idle loop's start (run.c) */
	bool stop;  /* the run is over (exit_code) */
	bool yield; /* leave hart_run early; the run goes on */
	int exit_code;

	/* debugger (run.c): harts outside dbg_mask do not run; nothing runs while halted */
	const struct machine_debugger *dbg;
	bool dbg_halted;
	uint64_t dbg_mask;
	unsigned dbg_rounds; /* rounds since the last poll while running */

	/* --realtime's clock when recording or replaying (machine_set_host_clock) */
	uint64_t (*host_now_ns)(void *ctx);
	void *host_ctx;
	bool host_read;	      /* host_now_ns was called once */
	uint64_t host_last_ns; /* what it said last */
	/* reverse execution (machine_debug_goto): halt when total_insns reaches it; 0: none */
	uint64_t goto_insns;
	/* ... or when hart goto_hart - 1 has run goto_hart_insns (machine_debug_goto_hart) */
	unsigned goto_hart;
	uint64_t goto_hart_insns;
	/* a round the debugger cut short (a stop, goto_insns) goes on where it was cut when the
	 * machine runs again (run.c): round boundaries, where timers fire and input arrives,
	 * do not depend on where the debugger stopped, so going back re-runs the same rounds */
	struct machine_round {
		bool open;
		unsigned next;		/* the hart whose slice was cut */
		uint64_t q;		/* the round's quantum */
		uint64_t left, done;	/* that hart's budget left, retired so far */
		uint64_t elapsed;	/* largest slice so far */
		bool some_busy, all_waiting, parked;
	} round;
	/* below this count a replayed stretch runs again (reverse execution); on reaching it
	 * at_frontier(ctx) is told once (machine_set_frontier); 0: none */
	uint64_t frontier;
	void (*at_frontier)(void *ctx);
	void *frontier_ctx;
	/* machine_set_periodic: periodic(ctx, insns) between whole rounds once machine_insns()
	 * reaches periodic_at; it returns the next count (UINT64_MAX: no more) */
	uint64_t periodic_at;
	uint64_t (*periodic)(void *ctx, uint64_t insns);
	void *periodic_ctx;
	uint64_t executed; /* instructions run by this process (machine_executed_insns) */
};

/* nemu.c: build -machine nemu (bus, devices, hart, image) into m; 0 or -errno + err_set().
 * machine_nemu_end prints NEMU's trap line after the run. */
int machine_nemu_build(struct machine *m);
void machine_nemu_end(struct machine *m);

#endif
