/* jtag — the JTAG server: the Debug Module and DTM, their place in the run loop, and the
 * remote_bitbang wire (buspirate.c is the other one, behind the same wire_ops).
 *
 * remote_bitbang bytes: '0'..'7' set TCK (4), TMS (2), TDI (1); 'R' asks for TDO, answered '0'
 * or '1'; 'r'..'u' set TRST and SRST (TRST resets the TAP; SRST is not wired: OpenOCD resets
 * the harts through the Debug Module's ndmreset); 'B'/'b' (the blink LED) are ignored; 'Q'
 * ends the connection. Any other byte is ignored with one warning per connection: a client that
 * is not OpenOCD cannot make strata fail. The Debug Module's state (halted harts, breakpoints
 * in memory) outlives a connection, as a board's does.
 *
 * While every hart is halted the run loop waits on the socket in poll() (after looking for
 * OpenOCD's next scan for a moment: a register read is several round trips); while some
 * run, poll() looks at the socket every few rounds without blocking and tells the loop which
 * harts may run (machine_debug_resume). */
#include "debug/jtag.h"
#include "debug/buspirate.h"
#include "debug/dm.h"
#include "debug/dtm.h"
#include "debug/wire.h"
#include "gdb/server.h"
#include "machine/machine.h"
#include "util/err.h"
#include "util/sock.h"
#include "util/sigstop.h"

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
#include <sched.h>
#include <time.h>
#include <unistd.h>

/* While halted, how long one wait for OpenOCD lasts before signals are looked at again. */
#define HALTED_WAIT_MS	 20
#define WRITE_TIMEOUT_MS 5000
/* After serving OpenOCD, how long to keep looking for its next bytes before running the harts
 * (SPIN_RUNNING_NS: at most this per exchange, and OpenOCD polls every 100 ms) or before
 * sleeping in poll() (SPIN_HALTED_NS, yielding the core between looks). */
#define SPIN_RUNNING_NS 300000
#define SPIN_HALTED_NS	200000
#define RX_BUF		65536

/* remote_bitbang over TCP: the listener and the one connection */
struct rbb {
	struct dtm *dtm;
	int lfd, cfd;
	bool warned; /* a byte that is not remote_bitbang was reported on this connection */
	char rx[RX_BUF], tx[RX_BUF];
};

struct jtag_server {
	struct machine *m;
	struct machine_debugger dbg;
	struct dm *dm;
	struct dtm *dtm;
	const struct wire_ops *wire_ops;
	void *wire;
	struct rbb *rbb; /* the wire when it is remote_bitbang (jtag_server_feed) */
};

static int rbb_feed(struct rbb *s, const char *buf, unsigned len, char *out);

int jtag_server_feed(struct jtag_server *s, const char *buf, unsigned len, char *out)
{
	return s->rbb ? rbb_feed(s->rbb, buf, len, out) : -EINVAL;
}

static int rbb_feed(struct rbb *s, const char *buf, unsigned len, char *out)
{
	int nout = 0;

	for (unsigned i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c >= '0' && c <= '7') {
			unsigned v = c - '0';

			dtm_set_pins(s->dtm, v & 4, v & 2, v & 1);
		} else if (c == 'R') {
			out[nout++] = dtm_tdo(s->dtm) ? '1' : '0';
		} else if (c >= 'r' && c <= 'u') {
			if ((c - 'r') & 2) /* t, u: TRST asserted */
				dtm_reset(s->dtm);
		} else if (c == 'Q') {
			return -EPIPE;
		} else if (c != 'B' && c != 'b') {
			if (!s->warned)
				fprintf(stderr,
					"strata: jtag: ignoring byte 0x%02x: not a remote_bitbang "
					"command (reported once per connection)\n",
					c);
			s->warned = true;
		}
	}
	return nout;
}

static void drop(struct rbb *s, const char *why)
{
	if (s->cfd < 0)
		return;
	fprintf(stderr, "strata: jtag: %s\n", why);
	close(s->cfd);
	s->cfd = -1;
}

static void accept_one(struct rbb *s)
{
	char peer[64];
	int fd = sock_accept_one(s->lfd, s->cfd >= 0, peer, sizeof(peer)); /* one debugger */

	if (fd < 0)
		return;
	s->cfd = fd;
	s->warned = false;
	dtm_reset(s->dtm); /* a new client starts from a known TAP state */
	fprintf(stderr, "strata: jtag: connection from %s\n", peer);
}

/* Read what the client sent and answer its 'R's. */
static void serve_input(struct rbb *s)
{
	ssize_t n = recv(s->cfd, s->rx, sizeof(s->rx), 0);
	int nout;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		drop(s, "connection closed");
		return;
	}
	nout = rbb_feed(s, s->rx, (unsigned)n, s->tx);
	if (nout == -EPIPE) {
		drop(s, "the client quit");
		return;
	}
	if (nout > 0 && sock_send_all(s->cfd, s->tx, (size_t)nout, WRITE_TIMEOUT_MS) < 0)
		drop(s, "connection lost");
}

static int rbb_fds(void *w, struct pollfd *pf)
{
	struct rbb *s = w;
	int nf = 0;

	pf[nf++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	if (s->cfd >= 0)
		pf[nf++] = (struct pollfd){.fd = s->cfd, .events = POLLIN};
	return nf;
}

static bool rbb_serve(void *w, const struct pollfd *pf, int nf)
{
	struct rbb *s = w;

	if (pf[0].revents & POLLIN)
		accept_one(s);
	if (nf > 1 && pf[1].revents) {
		serve_input(s);
		return true;
	}
	return false;
}

static void rbb_free(void *w)
{
	struct rbb *s = w;

	if (!s)
		return;
	if (s->cfd >= 0)
		close(s->cfd);
	if (s->lfd >= 0)
		close(s->lfd);
	free(s);
}

static const struct wire_ops rbb_wire_ops = {.fds = rbb_fds, .serve = rbb_serve, .free = rbb_free};

/* Tell the run loop which harts may run. */
static bool sync_machine(struct jtag_server *s)
{
	uint64_t mask = dm_running_mask(s->dm);

	if (mask)
		machine_debug_resume(s->m, mask);
	else
		machine_debug_halt(s->m);
	return mask != 0;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int jtag_poll(void *ctx, struct machine *m)
{
	struct jtag_server *s = ctx;
	uint64_t spin_until = 0, run_until = 0;

	for (;;) {
		bool running = sync_machine(s), spinning;
		struct pollfd pf[WIRE_MAX_FDS];
		int nf = 0, n;

		spinning = spin_until && mono_ns() < spin_until;
		nf = s->wire_ops->fds(s->wire, pf);
		n = poll(pf, (nfds_t)nf, running || spinning ? 0 : HALTED_WAIT_MS);
		if (n < 0 && errno != EINTR)
			return 0;
		if (n > 0 && s->wire_ops->serve(s->wire, pf, nf)) {
			/* with a running hart, OpenOCD's next scan (halt: dmstatus until
			 * allhalted; resume: until allresumeack) would wait 32 rounds for the
			 * next look: look for it at once for a while instead. Halted, OpenOCD
			 * reads registers with ~9 scans each, each a round trip: sleeping in
			 * poll() between them costs a wake-up per scan, a plain spin takes the
			 * core OpenOCD needs on a loaded machine; spinning with sched_yield()
			 * measured faster than either (docs/PERFORMANCE.md, issue 16) */
			if (!running) {
				spin_until = mono_ns() + SPIN_HALTED_NS;
				run_until = 0;
			} else {
				/* with a hart running, the window does not move with each scan:
				 * OpenOCD polling dmstatus back to back (a step waits for
				 * allhalted) would otherwise keep the hart from running at all */
				if (!run_until)
					run_until = mono_ns() + SPIN_RUNNING_NS;
				spin_until = run_until;
			}
			continue;
		}
		if (sigstop_pending())
			return 0;
		if (spinning) {
			if (!running)
				sched_yield();
			continue;
		}
		if (sync_machine(s) || n <= 0)
			return 0; /* running, or halted and quiet: back to the loop */
	}
}

static void jtag_exited(void *ctx, struct machine *m, int code)
{
}

/* The remote_bitbang wire on spec ("[HOST:]PORT"): where it listens into where. */
static struct rbb *rbb_new(const char *spec, struct dtm *t, char *where, size_t wheresize)
{
	struct rbb *s = calloc(1, sizeof(*s));
	char host[64];
	unsigned port;

	if (!s) {
		err_set(ENOMEM, "--jtag: out of memory");
		return NULL;
	}
	s->dtm = t;
	s->cfd = -1;
	s->lfd = sock_listen("--jtag", spec, host, sizeof(host), &port);
	if (s->lfd < 0) {
		free(s);
		return NULL;
	}
	snprintf(where, wheresize, "remote_bitbang on %s:%u", host, port);
	return s;
}

struct jtag_server *jtag_server_new(const char *spec, struct machine *m, uint64_t reset_pc,
				    bool halt)
{
	struct jtag_server *s = calloc(1, sizeof(*s));
	char host[64], where[96];
	unsigned port;
	bool pty = !strcmp(spec, "pty");
	int r;

	if (!s) {
		err_set(ENOMEM, "--jtag: out of memory");
		return NULL;
	}
	s->m = m;
	if (!pty && sock_parse_listen(spec, host, sizeof(host), &port) < 0) {
		err_set(EINVAL,
			"--jtag %s: expected [HOST:]PORT with an IPv4 HOST and PORT 1..65535, "
			"or pty",
			spec);
		goto fail;
	}
	s->dm = dm_new(m, reset_pc);
	s->dtm = s->dm ? dtm_new(s->dm) : NULL;
	if (!s->dtm) {
		err_set(ENOMEM, "--jtag: out of memory");
		goto fail;
	}
	if (pty) {
		struct bp *b = bp_new(s->dtm);

		if (!b)
			goto fail;
		s->wire_ops = &bp_wire_ops;
		s->wire = b;
		snprintf(where, sizeof(where), "Bus Pirate protocol on %s", bp_path(b));
	} else {
		s->rbb = rbb_new(spec, s->dtm, where, sizeof(where));
		if (!s->rbb)
			goto fail;
		s->wire_ops = &rbb_wire_ops;
		s->wire = s->rbb;
	}
	/* last: the bus keeps the pointer for the machine's life (jtag_server_free comes after
	 * the run) */
	r = machine_add_device(m, DM_BASE, DM_SIZE, "debug", &dm_mmio_ops, s->dm);
	if (r < 0) {
		err_set(-r, "--jtag: cannot map the Debug Module at 0x%llx",
			(unsigned long long)DM_BASE);
		goto fail;
	}
	if (halt)
		dm_halt_all(s->dm);
	s->dbg = (struct machine_debugger){.ctx = s, .poll = jtag_poll, .exited = jtag_exited};
	machine_set_debugger(m, &s->dbg);
	sync_machine(s);
	fprintf(stderr, "strata: jtag: %s%s\n", where, halt ? "; harts halted in Debug Mode" : "");
	return s;
fail:
	if (s->wire_ops)
		s->wire_ops->free(s->wire);
	dtm_free(s->dtm);
	dm_free(s->dm);
	free(s);
	return NULL;
}

void jtag_server_free(struct jtag_server *s)
{
	if (!s)
		return;
	machine_set_debugger(s->m, NULL);
	s->wire_ops->free(s->wire);
	dtm_free(s->dtm);
	dm_free(s->dm);
	free(s);
}
