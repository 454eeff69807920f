/* crash — what strata does when it crashes itself (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT:
 * a bug in strata, not in the guest): run the registered flush functions so that the trace
 * being written holds every event up to the crash, print one line, and die of the same signal
 * as if nothing had been installed (core dump, sanitizer report, the shell's status 128+N). */
#ifndef STRATA_UTIL_CRASH_H
#define STRATA_UTIL_CRASH_H

/* Run fn(ctx) if strata crashes. fn runs in a signal handler on a damaged process: it may only
 * call write(2) and touch memory it owns. The handlers are installed on the first call.
 * 0, or -ENOSPC when CRASH_MAX_FLUSH functions are registered already. */
#define CRASH_MAX_FLUSH 4
int crash_on(void (*fn)(void *ctx), void *ctx);
/* Forget a registration made with the same fn and ctx. */
void crash_off(void (*fn)(void *ctx), void *ctx);

#endif
