/* attach — `strata attach`: a GDB proxy that brings strata's privilege-aware debugging to an
 * upstream RSP server it does not control (OpenOCD on a board or on strata's own JTAG, QEMU's
 * gdbstub, Linux's kgdb over a serial line). GDB talks to strata; strata forwards every packet
 * it does not answer itself and adds: the privilege level of each stop, symbol files switched
 * per privilege level and address space through the library list, and monitor commands that
 * need only registers and memory (see docs/ATTACH.md). */
#ifndef STRATA_ATTACH_ATTACH_H
#define STRATA_ATTACH_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATT_MAX_FILES 16

struct att_config {
	const char *upstream; /* "HOST:PORT" or "serial:DEVICE[,BAUD]" */
	const char *listen;   /* "[HOST:]PORT" for GDB (default 1234) */
	struct att_file {
		const char *path;
		int priv; /* 3 M, 1 S, 0 U, -1 any */
	} files[ATT_MAX_FILES];
	unsigned nfiles;
	int timeout_ms; /* how long an upstream may take to answer strata's own requests */
	bool quiet;	/* no status lines on stderr */
};

/* The two ends the proxy talks to, behind an ops table (sockets and a serial line in link.c; a
 * byte script in the fuzz test). */
enum att_side { ATT_GDB = 1, ATT_UP = 2 };
struct att_io_ops {
	/* Wait up to timeout_ms (-1: forever) until a side in mask has bytes (or hung up):
	 * the sides ready, 0 on timeout, or -errno. */
	int (*wait)(void *ctx, int mask, int timeout_ms);
	/* Read what a side has: bytes read, 0 when it closed, or -errno. */
	long (*read)(void *ctx, enum att_side side, void *buf, size_t len);
	/* Write all of buf to a side: 0 or -errno. */
	int (*write)(void *ctx, enum att_side side, const void *buf, size_t len);
};

struct att_proxy;

/* A proxy over io for the symbol files of cfg (read now: NULL with err_set() naming a bad
 * one). */
struct att_proxy *att_proxy_new(const struct att_config *cfg, const struct att_io_ops *io,
				void *ctx);
void att_proxy_free(struct att_proxy *p);
/* Serve one GDB connection until GDB or the upstream goes away. 0 when GDB detached or
 * disconnected, -EPIPE when the upstream closed or broke the protocol (GDB was told, with an
 * error reply and a console line; err_msg() says what happened), other -errno on I/O errors. */
int att_proxy_run(struct att_proxy *p);

/* Connect to the upstream, wait for GDB on cfg->listen and proxy one session (link.c).
 * 0, or -errno with err_set() (a bad spec is -EINVAL: exit status 2). */
int att_run(const struct att_config *cfg);

#endif
