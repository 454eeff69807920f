/* buspirate — the Bus Pirate's binary OpenOCD mode on a pseudo-terminal. See buspirate.h.
 *
 * What OpenOCD 0.12's `buspirate` adapter does (src/jtag/drivers/buspirate.c): 20 × 0x00 to
 * reach binary mode, each answered "BBIO1"; 0x06 → "OCD1" (OpenOCD mode). There, commands are
 * one byte and fixed arguments: CMD_PORT_MODE m, CMD_FEATURE what action, CMD_JTAG_SPEED hi lo
 * (no answer); CMD_READ_ADCS (answer: the command, 8, four 16-bit readings); CMD_UART_SPEED s,
 * then 0xAA 0x55 after the host changed its baud rate (answer: the command and s);
 * CMD_TAP_SHIFT hi lo and ceil(bits/8) pairs of bytes, TDI then TMS, least significant bit
 * first (answer: the three header bytes and ceil(bits/8) bytes of TDO). 0x00 leaves OpenOCD
 * mode ("BBIO1"), 0x0f in binary mode resets the board (0x01). A pty has no baud rate, so the
 * speed switch is only acknowledged.
 *
 * A pty master sees POLLHUP while no process has the slave open: that is how strata knows
 * OpenOCD went away (and how a half-received command is dropped, not completed by the next
 * client's bytes). Bytes strata does not know are ignored with one warning per client. */
#define _GNU_SOURCE
#include "debug/buspirate.h"
#include "debug/dtm.h"
#include "util/err.h"
#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum {
	CMD_UNKNOWN = 0x00,
	CMD_PORT_MODE = 0x01,
	CMD_FEATURE = 0x02,
	CMD_READ_ADCS = 0x03,
	CMD_TAP_SHIFT = 0x05,
	CMD_ENTER_OOCD = 0x06,
	CMD_UART_SPEED = 0x07,
	CMD_JTAG_SPEED = 0x08,
	BBIO_RESET = 0x0f,
	FEATURE_TRST = 0x04,
};

#define RX_BUF 4096
/* the largest answer per input byte: CMD_READ_ADCS, 1 byte in, 10 out */
#define TX_BUF		 (10 * RX_BUF)
#define WRITE_TIMEOUT_MS 5000

struct bp {
	struct dtm *dtm;
	int fd;
	char path[64];
	bool open;   /* a client has the slave open */
	bool warned; /* an unknown byte was reported for this client */
	bool ocd;    /* in OpenOCD mode (else binary mode) */
	bool cut;    /* bp_feed: the answer did not fit in out */
	uint8_t cmd; /* the command whose arguments are being received, 0 if none */
	uint8_t arg[4];
	unsigned nargs, need;
	unsigned shift_left; /* CMD_TAP_SHIFT: bits still to clock */
	uint8_t rx[RX_BUF], tx[TX_BUF];
};

void bp_restart(struct bp *b)
{
	b->ocd = false;
	b->cmd = 0;
	b->nargs = b->need = b->shift_left = 0;
	b->warned = false;
}

static void warn_byte(struct bp *b, uint8_t c)
{
	if (!b->warned)
		fprintf(stderr,
			"strata: jtag: ignoring byte 0x%02x in Bus Pirate %s mode: not a command "
			"strata knows (reported once per client)\n",
			c, b->ocd ? "OpenOCD" : "binary");
	b->warned = true;
}

/* Clock one pair of TDI/TMS bytes (n ≤ 8 bits) through the TAP: the TDO byte. Per bit, as
 * remote_bitbang drives it: TCK low with the new TMS/TDI (the falling edge moves TDO), sample
 * TDO, TCK high (the TAP takes TMS/TDI). */
static uint8_t shift_byte(struct dtm *t, uint8_t tdi, uint8_t tms, unsigned n)
{
	uint8_t tdo = 0;

	for (unsigned i = 0; i < n; i++) {
		bool ms = (tms >> i) & 1, di = (tdi >> i) & 1;

		dtm_set_pins(t, false, ms, di);
		tdo |= (uint8_t)(dtm_tdo(t) << i);
		dtm_set_pins(t, true, ms, di);
	}
	return tdo;
}

/* How many argument bytes follow command c in OpenOCD mode; -1 if c is not a command. */
static int args_of(uint8_t c)
{
	switch (c) {
	case CMD_PORT_MODE:
		return 1;
	case CMD_FEATURE:
	case CMD_TAP_SHIFT:
	case CMD_JTAG_SPEED:
		return 2;
	case CMD_UART_SPEED:
		return 3; /* the speed, then 0xaa 0x55 at the new speed */
	case CMD_READ_ADCS:
	case CMD_ENTER_OOCD:
	case CMD_UNKNOWN:
		return 0;
	}
	return -1;
}

/* Append bytes to the answer (out, outsize, n in scope); once one does not fit, the answer
 * ends there (b->cut). */
#define PUT(...)                                                                                   \
	do {                                                                                       \
		const uint8_t put_[] = {__VA_ARGS__};                                              \
		if (!b->cut && n + sizeof(put_) <= outsize) {                                      \
			memcpy(out + n, put_, sizeof(put_));                                       \
			n += sizeof(put_);                                                         \
		} else {                                                                           \
			b->cut = true;                                                             \
		}                                                                                  \
	} while (0)

/* Run a complete OpenOCD-mode command (b->cmd with b->arg), appending its answer to out after
 * the n bytes there: the new n. */
static size_t run_cmd(struct bp *b, uint8_t *out, size_t outsize, size_t n)
{
	switch (b->cmd) {
	case CMD_UNKNOWN: /* leave OpenOCD mode */
		b->ocd = false;
		PUT('B', 'B', 'I', 'O', '1');
		break;
	case CMD_ENTER_OOCD:
		PUT('O', 'C', 'D', '1');
		break;
	case CMD_FEATURE:
		/* TRST is active low: "disable" drives it, resetting the TAP */
		if (b->arg[0] == FEATURE_TRST && b->arg[1] == 0)
			dtm_reset(b->dtm);
		break;
	case CMD_READ_ADCS: /* ADC pin, VPU, 3.3 V, 5 V at 155.15 counts per volt */
		PUT(CMD_READ_ADCS, 8, 0, 0, 0, 0, 0x02, 0x00, 0x03, 0x07);
		break;
	case CMD_UART_SPEED: /* a pty has no baud rate: acknowledge what was asked */
		PUT(CMD_UART_SPEED, b->arg[1] == 0xaa && b->arg[2] == 0x55 ? b->arg[0] : 0);
		break;
	case CMD_TAP_SHIFT:
		b->shift_left = (unsigned)b->arg[0] << 8 | b->arg[1];
		PUT(CMD_TAP_SHIFT, b->arg[0], b->arg[1]);
		b->need = b->shift_left ? 2 : 0; /* the first TDI/TMS pair */
		b->nargs = 0;
		if (b->shift_left)
			return n; /* b->cmd stays set until the last pair */
		break;
	}
	b->cmd = 0;
	return n;
}

size_t bp_feed(struct bp *b, const uint8_t *buf, size_t len, uint8_t *out, size_t outsize)
{
	size_t n = 0;

	b->cut = false;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (b->shift_left && b->need) { /* a TDI/TMS pair of a CMD_TAP_SHIFT */
			b->arg[b->nargs++] = c;
			if (--b->need)
				continue;
			unsigned bits = b->shift_left < 8 ? b->shift_left : 8;

			PUT(shift_byte(b->dtm, b->arg[0], b->arg[1], bits));
			b->shift_left -= bits;
			b->nargs = 0;
			b->need = b->shift_left ? 2 : 0;
			if (!b->shift_left)
				b->cmd = 0;
			continue;
		}
		if (b->cmd) { /* an argument */
			b->arg[b->nargs++] = c;
			if (--b->need == 0)
				n = run_cmd(b, out, outsize, n);
			continue;
		}
		if (!b->ocd) { /* binary mode */
			if (c == 0x00)
				PUT('B', 'B', 'I', 'O', '1');
			else if (c == CMD_ENTER_OOCD) {
				b->ocd = true;
				PUT('O', 'C', 'D', '1');
			} else if (c == BBIO_RESET)
				PUT(0x01);
			else
				warn_byte(b, c);
			continue;
		}
		int na = args_of(c);

		if (na < 0) {
			warn_byte(b, c);
			continue;
		}
		b->cmd = c;
		b->nargs = 0;
		b->need = (unsigned)na;
		if (!na)
			n = run_cmd(b, out, outsize, n);
	}
	return n; /* what did not fit was dropped (see buspirate.h) */
}

/* The command in progress when the client went away, for the one line that says so. */
static bool mid_command(const struct bp *b)
{
	return b->cmd != 0;
}

static void hang_up(struct bp *b)
{
	fprintf(stderr, "strata: jtag: the Bus Pirate client closed %s%s\n", b->path,
		mid_command(b) ? " in the middle of a command (dropped)" : "");
	b->open = false;
	bp_restart(b);
}

static int bp_fds(void *w, struct pollfd *pf)
{
	struct bp *b = w;

	if (!b->open) {
		struct pollfd p = {.fd = b->fd, .events = POLLIN};

		if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
			return 0; /* nobody has the slave open: the loop's timeout looks again */
		b->open = true;
		bp_restart(b);
		dtm_reset(b->dtm); /* a new client starts from a known TAP state */
		fprintf(stderr, "strata: jtag: a Bus Pirate client opened %s\n", b->path);
	}
	pf[0] = (struct pollfd){.fd = b->fd, .events = POLLIN};
	return 1;
}

static bool bp_serve(void *w, const struct pollfd *pf, int npf)
{
	struct bp *b = w;
	ssize_t r;
	size_t n;

	if (npf < 1 || !pf[0].revents)
		return false;
	r = read(b->fd, b->rx, sizeof(b->rx));
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (r <= 0) { /* EIO: the slave was closed */
		hang_up(b);
		return false;
	}
	n = bp_feed(b, b->rx, (size_t)r, b->tx, sizeof(b->tx));
	if (n && fd_write_all(b->fd, b->tx, n, WRITE_TIMEOUT_MS) < 0) {
		fprintf(stderr, "strata: jtag: the Bus Pirate client on %s stopped reading\n",
			b->path);
		bp_restart(b);
	}
	return true;
}

static void bp_free(void *w)
{
	struct bp *b = w;

	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

const struct wire_ops bp_wire_ops = {.fds = bp_fds, .serve = bp_serve, .free = bp_free};

const char *bp_path(const struct bp *b)
{
	return b->path;
}

struct bp *bp_new(struct dtm *t)
{
	struct bp *b = calloc(1, sizeof(*b));
	struct termios tio;
	const char *name;

	if (!b) {
		err_set(ENOMEM, "--jtag pty: out of memory");
		return NULL;
	}
	b->dtm = t;
	b->fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (b->fd < 0 || grantpt(b->fd) < 0 || unlockpt(b->fd) < 0 || !(name = ptsname(b->fd))) {
		err_set(errno, "--jtag pty: cannot create a pseudo-terminal: %s", strerror(errno));
		goto fail;
	}
	snprintf(b->path, sizeof(b->path), "%s", name);
	/* raw bytes both ways whatever the client sets: on Linux this sets the slave's modes */
	if (tcgetattr(b->fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(b->fd, TCSANOW, &tio);
	}
	bp_restart(b);
	return b;
fail:
	bp_free(b);
	return NULL;
}
