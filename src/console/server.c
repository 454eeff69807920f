/* server — the run's side of the console link (console.h). Text lines on a Unix stream socket:
 *
 *   strata-console 1          greeting
 *   trace PATH                the trace file the run writes ("trace -": none)
 *   hart ID PC PRIV INSTRET   at every refresh, one per hart (PC hex)
 *   tick NS                   end of a refresh: CLOCK_MONOTONIC in ns
 *   end CODE                  the run is over; the trace file is complete
 *
 * Writes never block the run: a console that does not keep up loses ticks, then its link. */
#define _GNU_SOURCE
#include "console/console.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "machine/machine.h"
#include "trace/record.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 4

struct console_server {
	int lfd;
	int cfd[MAX_CLIENTS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char trace[PATH_MAX];
	uint64_t last_ns;
	struct machine *m;
	struct recorder *rec;
	struct machine_debugger dbg;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void console_default_path(char *buf, unsigned n)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	snprintf(buf, n, "%s/strata-%d.console", dir && *dir ? dir : "/tmp", (int)getpid());
}

static void drop(struct console_server *s, int i)
{
	close(s->cfd[i]);
	s->cfd[i] = -1;
}

static void send_all(struct console_server *s, const char *text, size_t len)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (s->cfd[i] >= 0 &&
		    send(s->cfd[i], text, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
			drop(s, i); /* gone, or too slow to keep a line whole */
}

static void greet(struct console_server *s, int fd)
{
	char buf[PATH_MAX + 64];
	int n = snprintf(buf, sizeof(buf), "strata-console 1\ntrace %s\n",
			 s->trace[0] ? s->trace : "-");
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (s->cfd[i] < 0) {
			s->cfd[i] = fd;
			if (send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
				drop(s, i);
			return;
		}
	close(fd); /* too many consoles */
}

static void accept_new(struct console_server *s)
{
	int fd;
	while ((fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
		greet(s, fd);
}

struct console_server *console_server_new(const char *path, const char *trace, bool wait)
{
	struct console_server *s = calloc(1, sizeof(*s));
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	if (!s) {
		err_set(ENOMEM, "--console: out of memory");
		return NULL;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		s->cfd[i] = -1;
	if (strlen(path) >= sizeof(a.sun_path)) {
		err_set(ENAMETOOLONG,
			"--console=%s: the socket path is too long (at most %zu bytes)", path,
			sizeof(a.sun_path) - 1);
		goto fail;
	}
	if (trace && !realpath(trace, s->trace))
		snprintf(s->trace, sizeof(s->trace), "%s", trace);
	strcpy(s->path, path);
	strcpy(a.sun_path, path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->lfd < 0) {
		err_set(errno, "--console: socket: %s", strerror(errno));
		goto fail;
	}
	unlink(path); /* a socket left by an earlier run */
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(s->lfd, MAX_CLIENTS)) {
		err_set(errno, "--console=%s: %s", path, strerror(errno));
		close(s->lfd);
		goto fail;
	}
	if (wait) {
		struct pollfd p = {s->lfd, POLLIN, 0};
		fprintf(stderr,
			"strata: waiting for a console on %s (strata console --attach %s)\n", path,
			path);
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		accept_new(s);
	}
	return s;
fail:
	free(s);
	return NULL;
}

static void refresh(struct console_server *s)
{
	char buf[4096];
	size_t len = 0;
	struct cpu *c = machine_cpu(s->m);

	for (unsigned i = 0; i < cpu_nharts(c) && len + 96 < sizeof(buf); i++) {
		struct hart *h = cpu_hart(c, i);
		uint64_t lvl = hart_priv(h);

		hart_debug_read_reg(h, 4161, &lvl); /* the level: a guest's VS/VU too */
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"hart %u %" PRIx64 " %u %" PRIu64 "\n", i, hart_get_pc(h),
					(unsigned)lvl, hart_instret(h));
	}
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "tick %" PRIu64 "\n", now_ns());
	send_all(s, buf, len);
}

static bool connected(const struct console_server *s)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (s->cfd[i] >= 0)
			return true;
	return false;
}

/* The machine's debugger hook: every few rounds, a clock read unless a refresh is due. */
static int srv_poll(void *ctx, struct machine *m)
{
	struct console_server *s = ctx;
	uint64_t t = now_ns();

	if (t - s->last_ns < CONSOLE_REFRESH_MS * 1000000ull)
		return 0;
	s->last_ns = t;
	accept_new(s);
	if (!connected(s))
		return 0;
	if (s->rec)
		rec_flush(s->rec); /* the console reads the trace file up to here */
	refresh(s);
	return 0;
}

static void srv_exited(void *ctx, struct machine *m, int code)
{
}

void console_server_attach(struct console_server *s, struct machine *m, struct recorder *rec)
{
	s->m = m;
	s->rec = rec;
	s->dbg = (struct machine_debugger){s, srv_poll, srv_exited};
	machine_set_debugger(m, &s->dbg);
}

void console_server_tick(struct console_server *s, void (*flush)(void *ctx), void *ctx)
{
	uint64_t t = now_ns();
	char buf[64];

	if (!s || t - s->last_ns < CONSOLE_REFRESH_MS * 1000000ull)
		return;
	s->last_ns = t;
	accept_new(s);
	if (!connected(s))
		return;
	if (flush)
		flush(ctx);
	int n = snprintf(buf, sizeof(buf), "tick %" PRIu64 "\n", t);
	send_all(s, buf, (size_t)n);
}

void console_server_end(struct console_server *s, int code)
{
	char buf[32];

	if (!s)
		return;
	accept_new(s); /* a console that came late still learns how it ended */
	if (s->m)
		refresh(s);
	int n = snprintf(buf, sizeof(buf), "end %d\n", code);
	send_all(s, buf, (size_t)n);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (s->cfd[i] >= 0)
			drop(s, i);
	close(s->lfd);
	unlink(s->path);
	free(s);
}
