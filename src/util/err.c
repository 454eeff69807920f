#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

static char err_buf[1024];
static int err_have;

int err_set(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	err_have = 1;
	return errnum > 0 ? -errnum : errnum;
}

const char *err_msg(void)
{
	return err_have ? err_buf : NULL;
}

void err_clear(void)
{
	err_have = 0;
}
