/* link — the real ends of `strata attach`: the upstream (a TCP connection to HOST:PORT, or a
 * serial line `serial:DEVICE[,BAUD]` in raw mode, as kgdb speaks it) and GDB's connection
 * (a listener on [HOST:]PORT, one client). */
#include "attach/attach.h"
#include "util/err.h"
#include "util/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

struct link {
	int gdb, up;
};

static int l_wait(void *ctx, int mask, int timeout_ms)
{
	struct link *l = ctx;
	struct pollfd pf[2] = {{.fd = (mask & ATT_GDB) ? l->gdb : -1, .events = POLLIN},
			       {.fd = (mask & ATT_UP) ? l->up : -1, .events = POLLIN}};
	int n;

	do
		n = poll(pf, 2, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (pf[0].revents ? ATT_GDB : 0) | (pf[1].revents ? ATT_UP : 0);
}

static long l_read(void *ctx, enum att_side side, void *buf, size_t len)
{
	struct link *l = ctx;
	ssize_t n;

	do
		n = read(side == ATT_GDB ? l->gdb : l->up, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	/* a serial line whose other end closed (a pty) reads EIO */
	return n < 0 ? (errno == EIO || errno == ECONNRESET ? 0 : -errno) : n;
}

static int l_write(void *ctx, enum att_side side, const void *buf, size_t len)
{
	struct link *l = ctx;
	int fd = side == ATT_GDB ? l->gdb : l->up;
	const char *b = buf;

	while (len) {
		ssize_t n = write(fd, b, len);

		if (n > 0) {
			b += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};

			if (poll(&pf, 1, 10000) <= 0)
				return -ETIMEDOUT;
		} else if (n < 0 && errno != EINTR) {
			return errno == ECONNRESET || errno == EIO ? -EPIPE : -errno;
		}
	}
	return 0;
}

static const struct att_io_ops link_ops = {.wait = l_wait, .read = l_read, .write = l_write};

static int open_serial(const char *spec)
{
	static const struct {
		unsigned baud;
		speed_t speed;
	} bauds[] = {{9600, B9600},	{19200, B19200},   {38400, B38400},   {57600, B57600},
		     {115200, B115200}, {230400, B230400}, {460800, B460800}, {921600, B921600}};
	char dev[256];
	const char *comma = strchr(spec, ',');
	unsigned baud = 115200;
	speed_t speed = 0;
	struct termios t;
	int fd;

	if (comma) {
		char *end;

		baud = (unsigned)strtoul(comma + 1, &end, 10);
		if (*end || comma == spec)
			baud = 0;
	}
	for (unsigned i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
		if (bauds[i].baud == baud)
			speed = bauds[i].speed;
	if (!speed || (comma ? (size_t)(comma - spec) : strlen(spec)) >= sizeof(dev) || !*spec)
		return err_set(EINVAL,
			       "attach: serial:%s: expected serial:DEVICE[,BAUD] with BAUD "
			       "one of 9600 ... 921600",
			       spec);
	snprintf(dev, sizeof(dev), "%.*s", comma ? (int)(comma - spec) : (int)strlen(spec), spec);
	fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "attach: serial:%s: cannot open %s: %s", spec, dev,
			       strerror(errno));
	if (tcgetattr(fd, &t) < 0) {
		int e = errno;

		close(fd);
		return err_set(e, "attach: serial:%s: %s is not a serial line: %s", spec, dev,
			       strerror(e));
	}
	cfmakeraw(&t);
	cfsetispeed(&t, speed);
	cfsetospeed(&t, speed);
	t.c_cflag |= CLOCAL | CREAD;
	tcsetattr(fd, TCSANOW, &t);
	return fd;
}

static int open_tcp(const char *spec)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int fd = -1, one = 1, rc;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host) || !colon[1] ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) < 1 ||
	    atoi(colon + 1) > 65535)
		return err_set(EINVAL,
			       "attach: upstream '%s': expected HOST:PORT or "
			       "serial:DEVICE[,BAUD]",
			       spec);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0)
		return err_set(EINVAL, "attach: upstream %s: %s", spec, gai_strerror(rc));
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		rc = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(rc, "attach: upstream %s: cannot connect: %s", spec, strerror(rc));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sock_set_nonblock(fd);
	return fd;
}

int att_run(const struct att_config *cfg)
{
	struct link l = {.gdb = -1, .up = -1};
	struct att_proxy *p = NULL;
	char host[64], peer[64];
	unsigned port;
	int lfd = -1, rc;

	/* a peer that closed makes write() fail with EPIPE, which the proxy reports */
	signal(SIGPIPE, SIG_IGN);
	/* the files first: a bad --sym is bad input whatever the upstream does */
	if (!(p = att_proxy_new(cfg, &link_ops, &l)))
		return -EINVAL;
	lfd = sock_listen("--gdb", cfg->listen, host, sizeof(host), &port);
	if (lfd < 0) {
		rc = -EINVAL;
		goto out;
	}
	l.up = !strncmp(cfg->upstream, "serial:", 7) ? open_serial(cfg->upstream + 7)
						     : open_tcp(cfg->upstream);
	if (l.up < 0) { /* the command line names no upstream strata can reach */
		rc = -EINVAL;
		goto out;
	}
	/* GDB acks "anything already sent" when it connects, and OpenOCD waits for that '+'
	 * (it refuses the connection when it does not come) */
	if ((rc = l_write(&l, ATT_UP, "+", 1)) < 0) {
		err_set(-rc, "attach: upstream %s: %s", cfg->upstream, strerror(-rc));
		goto out;
	}
	if (!cfg->quiet)
		fprintf(stderr, "strata: attach: upstream %s; waiting for GDB on %s:%u\n",
			cfg->upstream, host, port);
	for (;;) {
		struct pollfd pf[2] = {{.fd = lfd, .events = POLLIN}, {.fd = l.up, .events = 0}};

		if (poll(pf, 2, -1) < 0 && errno != EINTR) {
			rc = -errno;
			goto out;
		}
		if (pf[1].revents & (POLLHUP | POLLERR)) {
			rc = err_set(EPIPE,
				     "attach: upstream %s closed the connection before GDB "
				     "connected",
				     cfg->upstream);
			goto out;
		}
		if ((l.gdb = sock_accept_one(lfd, false, peer, sizeof(peer))) >= 0)
			break;
	}
	if (!cfg->quiet)
		fprintf(stderr, "strata: attach: GDB connected from %s\n", peer);
	rc = att_proxy_run(p);
	if (!cfg->quiet && rc == 0)
		fprintf(stderr, "strata: attach: GDB went away; done\n");
out:
	att_proxy_free(p);
	if (l.gdb >= 0)
		close(l.gdb);
	if (l.up >= 0)
		close(l.up);
	if (lfd >= 0)
		close(lfd);
	return rc;
}
