#include "machine/console.h"
#include "util/crash.h"
#include "util/sigstop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

static bool con_open;
static bool con_eof;
static bool con_tty;
static bool con_saved;
static bool con_escape; /* last byte was Ctrl-A */
static bool con_quit;
static bool con_dirty;
static struct termios con_orig;
static uint8_t con_in[64]; /* filtered input not yet taken by the UART */
static size_t con_in_len;
static const struct console_hooks *con_hooks;
static const struct console_rewind *con_rewind;
static uint64_t con_host_bytes;

static bool con_mute;

uint64_t console_host_bytes(void)
{
	return con_host_bytes;
}

void console_set_mute(bool mute)
{
	con_mute = mute;
}

void console_set_hooks(const struct console_hooks *h)
{
	con_hooks = h;
}

void console_set_rewind(const struct console_rewind *r)
{
	con_rewind = r;
}

static void restore_tty(void)
{
	if (con_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &con_orig);
}

static void on_signal(int sig)
{
	/* tcsetattr is async-signal-safe; then die of the same signal so the parent sees it. */
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* a crash of strata (util/crash.h) must not leave the terminal raw */
static void on_crash(void *ctx)
{
	restore_tty();
}

static void at_exit(void)
{
	console_flush();
	restore_tty();
}

int console_open(void)
{
	static bool registered;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct termios raw;

	if (con_open)
		return 0;
	con_open = true;
	con_eof = false;
	if (!registered) {
		registered = true;
		atexit(at_exit);
	}
	if (con_hooks && con_hooks->read)
		return 0; /* a replay: stdin and the terminal are not the guest's */
	con_tty = isatty(STDIN_FILENO);
	if (!con_tty)
		return 0;
	if (tcgetattr(STDIN_FILENO, &con_orig) < 0)
		return -errno;
	con_saved = true;
	crash_on(on_crash, NULL);
	/* with sigstop the run ends cleanly on these signals and atexit restores the terminal */
	for (size_t i = 0; !sigstop_active() && i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(sigs[i], &sa, NULL);
	}
	/* Like QEMU's stdio chardev: raw input (Ctrl-C goes to the guest), but keep output
	 * post-processing so a guest's "\n" still returns the carriage. */
	raw = con_orig;
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return -errno;
	return 0;
}

static bool input_ready(int timeout_ms)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};

	return poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR));
}

/* Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A; the escape is only active on a terminal. */
static size_t filter_escapes(uint8_t *buf, const uint8_t *in, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];
		if (con_escape) {
			con_escape = false;
			if (c == 'x') {
				con_quit = true;
				continue;
			}
			if (c != CTRL_A)
				buf[out++] = CTRL_A;
			buf[out++] = c;
		} else if (c == CTRL_A) {
			con_escape = true;
		} else {
			buf[out++] = c;
		}
	}
	return out;
}

static int host_read(uint8_t *buf, size_t max);

int console_read(uint8_t *buf, size_t max)
{
	int n;

	if (con_hooks && con_hooks->read) {
		if (!con_open || con_eof)
			return -1;
		n = con_hooks->read(con_hooks->ctx, buf, max);
		con_eof = n < 0;
		return n;
	}
	if (con_rewind && (n = con_rewind->read(con_rewind->ctx, buf, max)) != CONSOLE_HOST)
		return n; /* run again: what the host gave then (the recorder saw it then) */
	n = host_read(buf, max);
	if (n > 0)
		con_host_bytes += (uint64_t)n;
	if (con_hooks && con_hooks->seen)
		con_hooks->seen(con_hooks->ctx, n, buf);
	if (con_rewind)
		con_rewind->seen(con_rewind->ctx, n, buf);
	return n;
}

static int host_read(uint8_t *buf, size_t max)
{
	uint8_t raw[sizeof(con_in) / 2]; /* each byte filters to at most two */
	ssize_t n;
	size_t take;

	if (!con_open || (con_eof && !con_in_len))
		return -1;
	if (!con_in_len && !con_eof && input_ready(0)) {
		n = read(STDIN_FILENO, raw, sizeof(raw));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			n = 0;
		else if (n <= 0)
			con_eof = true;
		if (n > 0) {
			if (con_tty) {
				con_in_len = filter_escapes(con_in, raw, (size_t)n);
			} else {
				memcpy(con_in, raw, (size_t)n);
				con_in_len = (size_t)n;
			}
		}
	}
	take = con_in_len < max ? con_in_len : max;
	memcpy(buf, con_in, take);
	memmove(con_in, con_in + take, con_in_len - take);
	con_in_len -= take;
	if (!take && con_eof)
		return -1;
	return (int)take;
}

void console_unread(const uint8_t *buf, size_t n)
{
	if (n > sizeof(con_in) - con_in_len)
		n = sizeof(con_in) - con_in_len;
	memmove(con_in + n, con_in, con_in_len);
	memcpy(con_in, buf, n);
	con_in_len += n;
}

bool console_input_open(void)
{
	int o = con_rewind ? con_rewind->open(con_rewind->ctx) : CONSOLE_HOST;

	if (o != CONSOLE_HOST)
		return o;
	return con_open && (!con_eof || con_in_len);
}

void console_wait(int timeout_ms)
{
	if (con_in_len || (con_hooks && con_hooks->read)) /* a replay never waits for the host */
		return;
	if (con_rewind && con_rewind->open(con_rewind->ctx) != CONSOLE_HOST)
		return; /* nor does a stretch run again */
	if (console_input_open())
		input_ready(timeout_ms);
	else if (timeout_ms > 0)
		usleep((useconds_t)timeout_ms * 1000);
}

bool console_quit_requested(void)
{
	return con_quit;
}

void console_putc(uint8_t byte)
{
	if (con_mute)
		return;
	putchar(byte);
	con_dirty = true;
}

void console_flush(void)
{
	if (con_dirty) {
		fflush(stdout);
		con_dirty = false;
	}
}
