/* err — one-line error messages for bad input.
 * A function that fails because of user input records a message with err_set() and returns the
 * negative errno it gets back; main() prints err_msg() once and exits 2. */
#ifndef STRATA_UTIL_ERR_H
#define STRATA_UTIL_ERR_H

/* Record "fmt..." as the current error (replacing any earlier one); returns -errnum. */
int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The current error message, or NULL if none was recorded. */
const char *err_msg(void);
/* Forget the current error. */
void err_clear(void);

#endif
