/* crash — see crash.h. */
#include "util/crash.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static const struct {
	int sig;
	const char *name;
} crash_sigs[] = {
    {SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"},
    {SIGILL, "SIGILL"},	  {SIGABRT, "SIGABRT"},
};
#define NSIGS (sizeof(crash_sigs) / sizeof(crash_sigs[0]))

static struct {
	void (*fn)(void *ctx);
	void *ctx;
} flush[CRASH_MAX_FLUSH];
static struct sigaction old_act[NSIGS];
static bool installed;
/* a stack overflow is a SIGSEGV too: the handler needs a stack of its own */
static char alt_stack[64 * 1024];

static void say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
	const char *name = "a fatal signal";
	bool traces = false;

	/* a second crash inside the flush dies the ordinary way */
	for (size_t i = 0; i < NSIGS; i++) {
		sigaction(crash_sigs[i].sig, &old_act[i], NULL);
		if (crash_sigs[i].sig == sig)
			name = crash_sigs[i].name;
	}
	for (size_t i = 0; i < CRASH_MAX_FLUSH; i++)
		traces |= flush[i].fn != NULL;
	say("strata: internal error: ");
	say(name);
	say(traces ? " (a bug in strata); the trace is written up to here\n"
		   : " (a bug in strata)\n");
	for (size_t i = 0; i < CRASH_MAX_FLUSH; i++)
		if (flush[i].fn)
			flush[i].fn(flush[i].ctx);
	/* A fault returns to the faulting instruction, which faults again under the old action.
	 * A signal that was sent (kill, raise, abort) is sent again: it is blocked until this
	 * handler returns, then the old action takes it. */
	if (si->si_code <= 0)
		raise(sig);
}

static void install(void)
{
	stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof(alt_stack)};
	struct sigaction sa;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGS; i++)
		sigaddset(&sa.sa_mask, crash_sigs[i].sig);
	for (size_t i = 0; i < NSIGS; i++)
		sigaction(crash_sigs[i].sig, &sa, &old_act[i]);
	installed = true;
}

int crash_on(void (*fn)(void *ctx), void *ctx)
{
	if (!installed)
		install();
	for (size_t i = 0; i < CRASH_MAX_FLUSH; i++)
		if (!flush[i].fn) {
			flush[i].ctx = ctx;
			flush[i].fn = fn;
			return 0;
		}
	return -ENOSPC;
}

void crash_off(void (*fn)(void *ctx), void *ctx)
{
	for (size_t i = 0; i < CRASH_MAX_FLUSH; i++)
		if (flush[i].fn == fn && flush[i].ctx == ctx)
			flush[i].fn = NULL;
}
