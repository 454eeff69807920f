/* fmt_check.h — shared by the SBI and syscall formatter unit tests: check one formatter result
 * (full string, length, and every shorter buffer: cut, terminated, nothing written past n). */
#ifndef STRATA_TRACE_FMT_CHECK_H
#define STRATA_TRACE_FMT_CHECK_H

#include <stdio.h>
#include <string.h>

typedef int (*fmt_fn)(const void *c, char *buf, size_t n);

static int check_fmt(const char *test, fmt_fn fn, const void *c, const char *want)
{
	char buf[256];
	size_t len = strlen(want);
	int r = fn(c, buf, sizeof buf);
	if (r != (int)len || strcmp(buf, want)) {
		printf("FAIL %s: got \"%s\" (%d), want \"%s\" (%zu)\n", test, buf, r, want, len);
		return 1;
	}
	if (fn(c, NULL, 0) != (int)len) {
		printf("FAIL %s: length with n=0 differs for \"%s\"\n", test, want);
		return 1;
	}
	for (size_t n = 1; n <= len + 1; n++) {
		memset(buf, '#', sizeof buf);
		r = fn(c, buf, n);
		if (r != (int)len || strncmp(buf, want, n - 1) || buf[n - 1] != '\0' ||
		    buf[n] != '#') {
			printf("FAIL %s: n=%zu: got \"%.*s\" (%d) for \"%s\"\n", test, n, (int)n,
			       buf, r, want);
			return 1;
		}
	}
	return 0;
}

#endif
