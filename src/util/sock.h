/* sock — the TCP listener and non-blocking writes the debug servers (GDB stub, JTAG
 * remote_bitbang) share. */
#ifndef STRATA_UTIL_SOCK_H
#define STRATA_UTIL_SOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Parse "[HOST:]PORT" (HOST defaults to 127.0.0.1; "localhost" is 127.0.0.1). 0 or -EINVAL. */
int sock_parse_listen(const char *spec, char *host, unsigned hostsize, unsigned *port);

/* A non-blocking IPv4 listener for "[HOST:]PORT", host and port as parsed into host/port.
 * The fd, or -1 with err_set() naming OPT ("--gdb") and the reason. */
int sock_listen(const char *opt, const char *spec, char *host, unsigned hostsize,
		unsigned *port);

int sock_set_nonblock(int fd);

/* Accept a pending connection on lfd as a non-blocking, no-delay socket; "ADDR:PORT" of the
 * peer into peer. -1 when there is none, or when busy (one client at a time: it is closed). */
int sock_accept_one(int lfd, bool busy, char *peer, size_t peersize);

/* Write all of buf to a non-blocking socket, waiting up to timeout_ms whenever it is full:
 * 0, -ETIMEDOUT (the peer stopped reading) or -errno. */
int sock_send_all(int fd, const void *buf, size_t len, int timeout_ms);

#endif
