/* stub — the GDB remote stub's command layer: it turns received bytes (rsp.h) into calls on a
 * target behind `struct gdb_target_ops` and writes the replies through `struct gdb_io`.
 *
 * Wiring it to strata (for `strata run --gdb`):
 * - GDB threads are harts: thread id N (1-based, as GDB reserves 0 and -1) is hart N-1, and
 *   `hart` below is always the 0-based hart index. qfThreadInfo lists nthreads() of them.
 * - Registers use GDB's RISC-V numbers (the target description sent to GDB says the same):
 *   0..31 x0..x31, 32 pc, 33..64 f0..f31 (64-bit), GDB_REG_CSR(addr) = 65 + CSR address for
 *   fflags/frm/fcsr and the CSRs listed in stub.c's csr table, and GDB_REG_PRIV (4161, as in GDB's
 *   riscv-tdep.h) for the virtual `priv` register: the hart's privilege level (0 U, 1 S, 3 M)
 *   with the H extension's V in bit 2 (4 VU, 5 VS), writable, like QEMU's. read_reg/write_reg return -ENOENT for a register the hart lacks.
 * - Memory is read through the hart's current translation (its privilege, satp, MPRV like a load
 *   would see: a guest's virtual addresses at VS/VU) unless `monitor phys on` made them (host)
 *   physical or `monitor gpa on` guest physical (through the hart's hgatp): enum gdb_mem_space.
 *   Return the number of bytes done (short counts are fine) or a negative errno.
 * - The stub never blocks: resume() starts harts and returns; when the machine stops (step done,
 *   breakpoint, watchpoint, interrupt(), guest exit), the run loop calls gdb_stub_stopped(), which
 *   asks stop_reason() and sends the stop reply. interrupt() is called on Ctrl-C (0x03).
 * - libraries() lists the symbol files per privilege level (OpenSBI for M, the kernel for S, a
 *   process for U...) with their load addresses; GDB reads them as a qXfer:libraries list (the
 *   target description says osabi "none", without which GDB would use Linux's svr4 solib code
 *   and never ask). To tell GDB the list changed (an exec, satp selecting another process),
 *   stop with kind GDB_STOP_SIGNAL, signal 5 and `library_changed`: GDB re-reads the list and
 *   resumes by itself. Do not combine it with a breakpoint or watchpoint stop: GDB takes such a
 *   stop as a library event only and would lose the breakpoint (checked with GDB 13).
 * - monitor() receives every `monitor` command except `phys on|off`, `gpa on|off` (handled here); text written
 *   to out is shown by GDB. Unknown commands: return -ENOENT. */
#ifndef STRATA_GDB_STUB_H
#define STRATA_GDB_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_REG_PC	  32
#define GDB_REG_F0	  33
#define GDB_REG_CSR(addr) (65 + (addr))
#define GDB_REG_PRIV	  4161

enum gdb_resume {
	GDB_RESUME_STOP, /* stay stopped (vCont t, or a hart with no action) */
	GDB_RESUME_STEP, /* execute one instruction, then stop */
	GDB_RESUME_CONT, /* run until something stops the machine */
};

enum gdb_bp_type {
	GDB_BP_SW = 0,	   /* Z0: software breakpoint */
	GDB_BP_HW = 1,	   /* Z1: hardware breakpoint */
	GDB_WP_WRITE = 2,  /* Z2 */
	GDB_WP_READ = 3,   /* Z3 */
	GDB_WP_ACCESS = 4, /* Z4 */
};

enum gdb_stop_kind {
	GDB_STOP_SIGNAL, /* plain stop with a signal (5 TRAP after a step, 2 INT after interrupt) */
	GDB_STOP_SWBREAK, /* software breakpoint */
	GDB_STOP_HWBREAK, /* hardware breakpoint */
	GDB_STOP_WATCH,	  /* write watchpoint hit at addr */
	GDB_STOP_RWATCH,  /* read watchpoint hit at addr */
	GDB_STOP_AWATCH,  /* access watchpoint hit at addr */
	GDB_STOP_EXITED,  /* the machine ended with exit_code */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	unsigned hart;	      /* the hart that stopped */
	int signal;	      /* GDB signal number, 5 (TRAP) for breakpoints and steps */
	uint64_t addr;	      /* data address of a watchpoint hit */
	int exit_code;	      /* GDB_STOP_EXITED */
	bool library_changed; /* libraries() changed: a library event (see above) */
	char note[640];	      /* shown on GDB's console before the stop (an O packet), or "" */
	bool replay_begin;    /* reverse execution reached the earliest point it can (replaylog) */
};

struct gdb_library {
	const char *path; /* symbol file (ELF) as GDB should open it */
	uint64_t addr;	  /* load address of its first segment */
};

/* Which registers the target has, for the target description. */
#define GDB_MAX_CSRS 512
struct gdb_regs_desc {
	unsigned xlen;	/* 32 (riscv:rv32, 4-byte x registers, pc and CSRs) or 64; 0 means 64 */
	bool fpu;	/* f0..f31, fflags, frm, fcsr */
	unsigned ncsrs; /* CSRs other than fflags/frm/fcsr, by number */
	struct gdb_csr_desc {
		uint16_t num;
		char name[24];
	} csrs[GDB_MAX_CSRS];
};

/* What a memory address means (read_mem/write_mem): as the hart sees it, host physical, or
 * guest physical (a hypervisor's guest: through the hart's G-stage, hgatp). */
enum gdb_mem_space { GDB_MEM_VIRT = 0, GDB_MEM_PHYS = 1, GDB_MEM_GPA = 2 };

struct gdb_target_ops {
	unsigned (*nthreads)(void *t);
	/* Fill d (zeroed by the caller). May be NULL: RV64GC and xml.c's built-in CSR list. */
	int (*registers)(void *t, struct gdb_regs_desc *d);
	int (*read_reg)(void *t, unsigned hart, unsigned regno, uint64_t *val);
	int (*write_reg)(void *t, unsigned hart, unsigned regno, uint64_t val);
	/* Bytes done (may be short) or -errno. */
	long (*read_mem)(void *t, unsigned hart, uint64_t addr, void *buf, size_t len,
			 unsigned space);
	long (*write_mem)(void *t, unsigned hart, uint64_t addr, const void *buf, size_t len,
			  unsigned space);
	/* how[h] for every hart h < nthreads. */
	int (*resume)(void *t, const enum gdb_resume *how);
	void (*interrupt)(void *t);
	/* -EOPNOTSUPP for a type the target does not have (GDB then tries another). */
	int (*set_bp)(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t kind);
	int (*clear_bp)(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t kind);
	int (*stop_reason)(void *t, struct gdb_stop *st);
	/* Up to max entries into libs; returns how many, or -errno. May be NULL. */
	int (*libraries)(void *t, struct gdb_library *libs, unsigned max);
	/* The executable GDB should load when it has none (qXfer:exec-file), or NULL. GDB reads
	 * the library list at connection only when it has an executable. May be NULL. */
	const char *(*exec_file)(void *t);
	/* Run a monitor command; NUL-terminated text into out (size bytes). May be NULL. Returns
	 * GDB_MONITOR_RESUMED when it set the machine running: the reply waits for the stop. */
	int (*monitor)(void *t, const char *cmd, char *out, size_t size);
	/* Reverse execution (bs, bc): like resume(), for hart, one instruction back (step) or back
	 * to the last breakpoint or watchpoint hit. -errno to refuse. May be NULL (not offered). */
	int (*reverse)(void *t, unsigned hart, bool step);
};
#define GDB_MONITOR_RESUMED 1

struct gdb_io {
	void *ctx;
	/* Send len bytes to GDB; 0 or -errno. */
	int (*write)(void *ctx, const void *buf, size_t len);
};

/* What gdb_stub_input() reports when GDB ended the session. */
#define GDB_STUB_DETACHED 1 /* D: detached, the machine should run on freely */
#define GDB_STUB_KILLED	  2 /* k / vKill: the machine should end */

struct gdb_stub;

/* A stub for a stopped target; ops, target and io must outlive it. NULL + errno on failure. */
struct gdb_stub *gdb_stub_new(const struct gdb_target_ops *ops, void *target,
			      const struct gdb_io *io);
void gdb_stub_free(struct gdb_stub *s);
/* Handle len received bytes; 0, GDB_STUB_DETACHED, GDB_STUB_KILLED, or -errno from io->write. */
int gdb_stub_input(struct gdb_stub *s, const void *buf, size_t len);
/* The target stopped after resume()/interrupt(): send the stop reply. 0 or -errno. */
int gdb_stub_stopped(struct gdb_stub *s);
/* True between a resume and the stop reply. */
bool gdb_stub_running(const struct gdb_stub *s);

#endif
