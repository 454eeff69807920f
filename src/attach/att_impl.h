/* att_impl — the proxy's state, shared by proxy.c (packets), tdesc.c (target description and
 * privilege), files.c (symbol files and the library list) and monitor.c. Private to src/attach. */
#ifndef STRATA_ATTACH_ATT_IMPL_H
#define STRATA_ATTACH_ATT_IMPL_H

#include "attach/attach.h"
#include "gdb/rsp.h"

enum att_arch { ARCH_UNKNOWN, ARCH_RISCV64, ARCH_X86_64 };

/* break-on's breakpoints: RISC-V's trap vectors, and x86-64 Linux's entry points (one per
 * IDT stub and system call instruction) and return-to-user paths */
#define ATT_MAX_BRK 64

struct att_filei {
	char *path; /* absolute */
	int priv;
	uint64_t lo, hi;   /* span of the loadable segments */
	uint64_t sig_addr; /* where the first bytes of its code must be for it to apply */
	uint8_t sig[32];
	unsigned siglen;
	unsigned machine; /* e_machine */
};

struct att_proxy {
	const struct att_config *cfg;
	const struct att_io_ops *io;
	void *ctx;
	struct rsp *gdb_rx, *up_rx;
	bool gdb_noack, up_noack;
	char *out;	/* framing buffer, RSP_ENCODED_MAX(RSP_MAX_PACKET) */
	char *gdb_last; /* the last packet framed for GDB (resent on a nak) */
	size_t gdb_last_len;
	char *up_last;
	size_t up_last_len;
	uint8_t *reply; /* an upstream reply strata asked for itself */
	size_t reply_len;
	uint8_t inbuf[2][4096]; /* bytes read and not fed yet: [0] GDB, [1] upstream */
	size_t inpos[2], inlen[2];
	bool killed; /* GDB sent k: the upstream may go away */
	bool up_closed;
	uint8_t *cmd; /* the GDB packet being handled (a copy) */

	/* what the upstream is doing for GDB */
	enum { ST_IDLE, ST_REPLY, ST_RUN, ST_RCMD } st;
	bool up_features; /* upstream serves qXfer:features:read */

	/* target description (tdesc.c) */
	bool tdesc_done;
	enum att_arch arch;
	char *tdesc; /* target.xml as served to GDB (osabi none), or NULL */
	size_t tdesc_len;
	int priv_reg;  /* the register that gives the privilege, or -1 */
	int priv_kind; /* PRIV_DIRECT (priv), PRIV_DCSR (dcsr.prv), PRIV_CS (x86 cs.CPL) */
	int pc_reg;
	struct att_reg {
		char name[16];
		int num;
	} * regs; /* every register of the description, by name */
	unsigned nregs;
	int last_priv; /* at the last stop: 0 U, 1 S, 3 M, -1 unknown */

	/* symbol files (files.c) */
	struct att_filei files[ATT_MAX_FILES];
	unsigned nfiles;
	int exec; /* the file offered as GDB's executable, or -1 */
	uint32_t cur, reported;
	char *libxml;
	size_t libxml_len;
	struct symset *syms; /* function symbols of the files, loaded on first use */
	struct apic *apic;   /* monitor tasks/await: the files' async discovery, on first use */

	/* break-on (monitor.c) */
	unsigned brk; /* BRK_* */
	struct att_brkpt {
		uint64_t addr;
		uint8_t kind; /* BK_* */
		char name[64];
	} brks[ATT_MAX_BRK]; /* planted for the resume under way */
	unsigned nbrks;
	char note[256]; /* a console line to send before the next stop reply */
	/* The stop reply held back while GDB re-reads the library list: GDB resumes after a
	 * library-only stop, and gets this stop as the answer to that resume. */
	/* GDB's breakpoints as inserted upstream ("Z1,10000,2"): GDB re-inserts a breakpoint
	 * whose library went away without removing it first; the upstream would refuse the
	 * second copy of a hardware breakpoint */
	char zset[64][40];
	unsigned nz;
	char zpending[40]; /* a Z or z forwarded, waiting for its OK */
	bool query_stop;   /* the stop asked for is the answer to '?' */
	char *held;
	size_t held_len;
};

enum { PRIV_DIRECT, PRIV_DCSR, PRIV_CS };
enum { BRK_SYSCALL = 1, BRK_PRIV = 2 };
enum {
	BK_STVEC,    /* RISC-V: stvec's vector */
	BK_MTVEC,    /* RISC-V: mtvec's vector */
	BK_SYSCALL,  /* x86-64: a system call instruction's entry, always from user */
	BK_IDT,	     /* x86-64: an IDT stub; the CPU's frame (rip, cs, ...) at rsp */
	BK_IDT_CODE, /* the same with an error code or vector number pushed first */
	BK_TO_USER,  /* x86-64: a path that ends in iretq/sysretq to user */
};

/* proxy.c: ask the upstream something for strata itself (cmd NUL-terminated): the reply in
 * p->reply/reply_len (NUL-terminated), 0, or -EPIPE / -ETIMEDOUT (err_set()). */
int att_query(struct att_proxy *p, const char *cmd);
/* Send a packet / console text to GDB. */
int att_gdb_send(struct att_proxy *p, const void *data, size_t len);
int att_gdb_console(struct att_proxy *p, const char *text);
/* A register's value as the upstream encodes it (target byte order: little endian). */
int att_read_reg(struct att_proxy *p, int regno, uint64_t *val);
int att_read_mem(struct att_proxy *p, uint64_t addr, void *buf, size_t len);

/* tdesc.c: learn the architecture and the privilege register (once, lazily). */
void att_tdesc_init(struct att_proxy *p);
/* The number of the register named name, or -1. */
int att_reg(const struct att_proxy *p, const char *name);
/* The privilege of the stopped CPU (0 U, 1 S, 3 M), or -1. */
int att_priv(struct att_proxy *p);
/* Serve a qXfer:features:read of target.xml; false when the upstream's own must be forwarded. */
bool att_tdesc_xfer(struct att_proxy *p, const char *annex, const char *offlen);

/* files.c */
int att_files_load(struct att_proxy *p);
void att_files_free(struct att_proxy *p);
/* Recompute which files apply at a stop at privilege priv: true when GDB must re-read the list. */
bool att_files_update(struct att_proxy *p, int priv);
/* qXfer:libraries:read / qXfer:exec-file:read. */
void att_files_xfer_libs(struct att_proxy *p, const char *offlen);
void att_files_xfer_exec(struct att_proxy *p, const char *offlen);
/* The offset,length of a qXfer into a reply of doc ("m..."/"l..."), to GDB. */
void att_xfer_reply(struct att_proxy *p, const char *doc, size_t len, const char *offlen);
/* The architecture the first symbol file is for (when the upstream does not say). */
enum att_arch att_files_arch(const struct att_proxy *p);
/* The address of a function symbol in the files, or 0. */
uint64_t att_files_symbol(const struct att_proxy *p, const char *name);
/* Call fn for every function symbol of the files whose name starts with prefix. */
void att_files_each_symbol(const struct att_proxy *p, const char *prefix,
			   void (*fn)(void *ctx, const char *name, uint64_t addr), void *ctx);

/* monitor.c: `monitor CMD` strata answers itself (true), or false to forward it. */
bool att_monitor(struct att_proxy *p, const char *cmd);
/* Before a resume: plant the break-on breakpoints. After a stop: remove them; true when the
 * stop was only a break-on candidate that did not match (the caller resumes quietly). */
int att_brk_arm(struct att_proxy *p);
/* *reply (malloc'd, *len bytes) may be replaced by the reply of the last step taken. */
bool att_brk_stop(struct att_proxy *p, char **reply, size_t *len);

#endif
