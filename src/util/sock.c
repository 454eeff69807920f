/* sock — see sock.h. */
#include "util/sock.h"

#include "util/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int sock_parse_listen(const char *spec, char *host, unsigned hostsize, unsigned *port)
{
	const char *colon = strrchr(spec, ':'), *p = colon ? colon + 1 : spec;
	char *end;
	unsigned long v;

	if (!*p)
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || *end || v == 0 || v > 65535 || *p == '-' || *p == '+')
		return -EINVAL;
	*port = (unsigned)v;
	if (!colon || colon == spec) {
		snprintf(host, hostsize, "127.0.0.1");
	} else {
		size_t n = (size_t)(colon - spec);

		if (n >= hostsize)
			return -EINVAL;
		memcpy(host, spec, n);
		host[n] = 0;
		if (!strcmp(host, "localhost"))
			snprintf(host, hostsize, "127.0.0.1");
	}
	return 0;
}

int sock_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

int sock_listen(const char *opt, const char *spec, char *host, unsigned hostsize,
		unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int one = 1, fd;

	if (sock_parse_listen(spec, host, hostsize, port) < 0 ||
	    inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		err_set(EINVAL, "%s %s: expected [HOST:]PORT with an IPv4 HOST and PORT 1..65535",
			opt, spec);
		return -1;
	}
	a.sin_port = htons((uint16_t)*port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
	    sock_set_nonblock(fd) < 0) {
		int e = errno;

		err_set(e, "%s %s: cannot listen on %s:%u: %s", opt, spec, host, *port, strerror(e));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int sock_send_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

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
		return n < 0 ? -errno : -EPIPE;
	}
	return 0;
}

int sock_accept_one(int lfd, bool busy, char *peer, size_t peersize)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = accept(lfd, (struct sockaddr *)&a, &alen), one = 1;

	if (fd < 0)
		return -1;
	if (busy || sock_set_nonblock(fd) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	snprintf(peer, peersize, "%s:%u", inet_ntoa(a.sin_addr), ntohs(a.sin_port));
	return fd;
}
