/* fdio — writing a whole buffer to a file descriptor (trace files, recordings, a pty). */
#ifndef STRATA_UTIL_FDIO_H
#define STRATA_UTIL_FDIO_H

#include <stddef.h>

/* write(2) all of buf: partial writes and EINTR are normal for large chunks and signals. On a
 * non-blocking fd that is full, wait up to timeout_ms (-1: forever) for room. 0, -ETIMEDOUT
 * (the reader stopped reading), -EIO (write returned 0) or -errno. */
int fd_write_all(int fd, const void *buf, size_t len, int timeout_ms);

#endif
