/* fdio — see fdio.h. */
#include "util/fdio.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

int fd_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};

			if (poll(&pf, 1, timeout_ms) > 0)
				continue;
			return -ETIMEDOUT;
		}
		return n < 0 ? -errno : -EIO;
	}
	return 0;
}
