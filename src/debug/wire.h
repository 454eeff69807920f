/* wire — how JTAG pins reach the DTM: one ops table per adapter protocol (remote_bitbang on TCP
 * in jtag.c, the Bus Pirate's OpenOCD mode on a pseudo-terminal in buspirate.c). jtag.c's poll
 * loop owns the Debug Module and the run loop; a wire only waits for bytes and turns them into
 * pin changes and TDO answers. */
#ifndef STRATA_DEBUG_WIRE_H
#define STRATA_DEBUG_WIRE_H

#include <poll.h>
#include <stdbool.h>

#define WIRE_MAX_FDS 2

struct wire_ops {
	/* The descriptors to wait on, into pf (at most WIRE_MAX_FDS): how many. */
	int (*fds)(void *w, struct pollfd *pf);
	/* Serve what poll() reported in pf[0..n): true if a client's bytes were answered (the
	 * loop then looks for its next ones at once). */
	bool (*serve)(void *w, const struct pollfd *pf, int n);
	void (*free)(void *w);
};

#endif
