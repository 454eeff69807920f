/* sigstop — turn SIGINT, SIGTERM and SIGHUP into a request to stop the run cleanly, so that
 * traces and disk images are complete when strata exits (with status 128 + signal). */
#ifndef STRATA_UTIL_SIGSTOP_H
#define STRATA_UTIL_SIGSTOP_H

#include <stdbool.h>

/* Install the handlers (idempotent). */
void sigstop_install(void);
/* True once installed (the console then leaves these signals alone). */
bool sigstop_active(void);
/* The first signal received, or 0. */
int sigstop_pending(void);

#endif
