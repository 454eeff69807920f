/* server — the TCP side of the GDB stub and its place in the run loop.
 *
 * One connection at a time. A connecting GDB halts the machine (as QEMU does), so `target
 * remote` finds it stopped; a GDB that detaches or goes away leaves the machine running with
 * no breakpoint left behind, and the next connection is accepted. The socket is non-blocking
 * both ways: a GDB that stops reading is dropped after WRITE_TIMEOUT_MS instead of stalling
 * the emulator. */
#include "gdb/server.h"
#include "gdb/target.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "machine/machine.h"
#include "util/err.h"
#include "util/sigstop.h"
#include "util/sock.h"

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

#define WRITE_TIMEOUT_MS 5000
/* While halted, how long one wait for GDB lasts before signals are looked at again. */
#define HALTED_WAIT_MS 100

struct gdb_server {
	const struct gdb_server_config *cfg;
	struct machine *m;
	struct machine_debugger dbg;
	struct gdb_target target;
	struct gdb_io io;
	struct gdb_stub *stub;
	int lfd, cfd;
};


static int io_write(void *ctx, const void *buf, size_t len)
{
	struct gdb_server *s = ctx;

	return sock_send_all(s->cfd, buf, len, WRITE_TIMEOUT_MS);
}

/* The connection is gone (detach, disconnect, error): nothing of that session may stop the
 * machine any more, and it runs on. */
static void drop(struct gdb_server *s, const char *why)
{
	if (s->cfd < 0)
		return;
	fprintf(stderr, "strata: gdb: %s; the guest runs on\n", why);
	gdb_stub_free(s->stub);
	s->stub = NULL;
	close(s->cfd);
	s->cfd = -1;
	gdb_target_clear(&s->target);
	gdb_target_disconnected(&s->target);
	s->target.interrupted = false;
	machine_debug_resume(s->m, ~0ull);
	for (unsigned i = 0; i < s->target.nharts; i++)
		hart_debug_resume(cpu_hart(s->target.cpu, i), false, false);
}

static void accept_one(struct gdb_server *s)
{
	char peer[64];
	int fd = sock_accept_one(s->lfd, s->cfd >= 0, peer, sizeof(peer)); /* one debugger */

	if (fd < 0)
		return;
	s->cfd = fd;
	s->stub = gdb_stub_new(&gdb_target_ops, &s->target, &s->io);
	if (!s->stub) {
		close(fd);
		s->cfd = -1;
		return;
	}
	/* halt as QEMU does, so GDB finds the machine stopped; nothing is pending for it */
	machine_debug_halt(s->m);
	gdb_target_connected(&s->target);
	for (unsigned i = 0; i < s->target.nharts; i++)
		hart_debug_resume(cpu_hart(s->target.cpu, i), false, false);
	fprintf(stderr, "strata: gdb: connection from %s\n", peer);
}

static int serve_input(struct gdb_server *s)
{
	char buf[4096];
	ssize_t n = recv(s->cfd, buf, sizeof(buf), 0);
	int r;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0) {
		drop(s, "connection closed");
		return 0;
	}
	r = gdb_stub_input(s->stub, buf, (size_t)n);
	if (r == GDB_STUB_KILLED)
		return MACHINE_DEBUG_KILL;
	if (r == GDB_STUB_DETACHED)
		drop(s, "detached");
	else if (r < 0)
		drop(s, "connection lost");
	return 0;
}

static int srv_poll(void *ctx, struct machine *m)
{
	struct gdb_server *s = ctx;

	if (s->stub && !machine_debug_halted(m))
		gdb_reverse_tick(&s->target); /* the periodic snapshot, between two rounds */
	for (;;) {
		struct pollfd pf[2];
		bool halted = machine_debug_halted(m);
		int nf = 0, n, r;

		if (s->stub && halted && gdb_stub_running(s->stub) &&
		    !gdb_target_quiet_resume(&s->target) && gdb_stub_stopped(s->stub) < 0)
			drop(s, "connection lost");
		halted = machine_debug_halted(m);
		pf[nf++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
		if (s->cfd >= 0)
			pf[nf++] = (struct pollfd){.fd = s->cfd, .events = POLLIN};
		n = poll(pf, (nfds_t)nf, halted ? HALTED_WAIT_MS : 0);
		if (n < 0 && errno != EINTR)
			return 0;
		if (n > 0 && (pf[0].revents & POLLIN))
			accept_one(s);
		if (n > 0 && nf > 1 && pf[1].revents) {
			r = serve_input(s);
			if (r)
				return r;
		}
		if (!machine_debug_halted(m) || sigstop_pending())
			return 0;
		if (n <= 0)
			return 0; /* halted and quiet: the run loop looks at signals and asks again */
	}
}

static void srv_exited(void *ctx, struct machine *m, int code)
{
	struct gdb_server *s = ctx;

	s->target.exited = true;
	s->target.exit_code = code;
	if (s->stub && gdb_stub_running(s->stub))
		gdb_stub_stopped(s->stub);
}

struct gdb_server *gdb_server_new(const struct gdb_server_config *cfg, struct machine *m)
{
	struct gdb_server *s = calloc(1, sizeof(*s));
	char host[64];
	unsigned port;

	if (!s) {
		err_set(ENOMEM, "--gdb: out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->m = m;
	s->lfd = s->cfd = -1;
	if (sock_parse_listen(cfg->listen, host, sizeof(host), &port) < 0) {
		err_set(EINVAL, "--gdb %s: expected [HOST:]PORT with an IPv4 HOST and PORT 1..65535",
			cfg->listen);
		goto fail;
	}
	if (gdb_target_init(&s->target, m, cfg) < 0)
		goto fail;
	s->lfd = sock_listen("--gdb", cfg->listen, host, sizeof(host), &port);
	if (s->lfd < 0)
		goto fail;
	s->io = (struct gdb_io){.ctx = s, .write = io_write};
	s->dbg = (struct machine_debugger){.ctx = s, .poll = srv_poll, .exited = srv_exited};
	machine_set_debugger(m, &s->dbg);
	if (cfg->wait)
		machine_debug_halt(m);
	fprintf(stderr, "strata: gdb: listening on %s:%u%s\n", host, port,
		cfg->wait ? "; waiting for GDB before the first instruction" : "");
	return s;
fail:
	gdb_target_fini(&s->target);
	if (s->lfd >= 0)
		close(s->lfd);
	free(s);
	return NULL;
}

void gdb_server_free(struct gdb_server *s)
{
	if (!s)
		return;
	machine_set_debugger(s->m, NULL);
	gdb_stub_free(s->stub);
	if (s->cfd >= 0)
		close(s->cfd);
	if (s->lfd >= 0)
		close(s->lfd);
	gdb_target_fini(&s->target);
	free(s);
}
