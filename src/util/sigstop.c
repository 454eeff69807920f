#include "util/sigstop.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t got_sig;
static bool installed;

static void sigstop_note(int sig)
{
	if (!got_sig)
		got_sig = sig;
}

static void on_signal(int sig)
{
	sigstop_note(sig);
}

void sigstop_install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

	if (installed)
		return;
	installed = true;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(sigs[i], &sa, NULL);
	}
}

bool sigstop_active(void)
{
	return installed;
}

int sigstop_pending(void)
{
	return got_sig;
}
