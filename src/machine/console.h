/* console — the host side of the guest's console: stdin (raw mode when it is a terminal,
 * polled without blocking) and stdout. One per process, since there is one stdin. */
#ifndef STRATA_MACHINE_CONSOLE_H
#define STRATA_MACHINE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Take over stdin: raw mode if it is a terminal, restored at exit, on SIGINT/SIGTERM/SIGHUP
 * (which are then re-raised) and when strata crashes. Idempotent; 0 or -errno. */
int console_open(void);
/* Read up to max bytes of pending input without blocking: count (0 = none now), or -1 when
 * no more input can ever come (EOF, error, or console not open). */
int console_read(uint8_t *buf, size_t max);
/* Put n bytes back in front of the pending input (what does not fit is dropped). */
void console_unread(const uint8_t *buf, size_t n);
/* True while more input may come. */
bool console_input_open(void);
/* Sleep up to timeout_ms or until input is pending. */
void console_wait(int timeout_ms);
/* True once the user typed Ctrl-A x on a terminal (the QEMU escape to quit). */
bool console_quit_requested(void);
/* Guest output: buffered, flushed by console_flush (each quantum) and at exit. */
void console_putc(uint8_t byte);
void console_flush(void);

/* Record/replay (src/replay). read, when set, replaces stdin: it answers console_read (count,
 * 0 for none now, -1 for no more input ever) and the terminal is left alone; seen, when set,
 * is told each result console_read returns (n bytes at buf, 0 or -1). NULL: stdin as usual. */
struct console_hooks {
	void *ctx;
	int (*read)(void *ctx, uint8_t *buf, size_t max);
	void (*seen)(void *ctx, int n, const uint8_t *buf);
};
void console_set_hooks(const struct console_hooks *h);
/* Reverse execution in a live run (src/replay/live.c): a stretch run again reads what it read
 * the first time. read answers console_read from its log (as console_hooks.read) or returns
 * CONSOLE_HOST: read the host (past the log's end); seen is told what the host gave; open says
 * whether input was open then (1, 0) or CONSOLE_HOST. Works beside console_set_hooks'. */
#define CONSOLE_HOST (-2)
struct console_rewind {
	void *ctx;
	int (*read)(void *ctx, uint8_t *buf, size_t max);
	void (*seen)(void *ctx, int n, const uint8_t *buf);
	int (*open)(void *ctx);
};
void console_set_rewind(const struct console_rewind *r);
/* Bytes of host input console_read has returned so far (reverse execution cannot give them
 * back: it needs a replay once there were some). */
uint64_t console_host_bytes(void);
/* While muted, guest output is dropped (reverse execution re-runs what was printed already). */
void console_set_mute(bool mute);

#endif
