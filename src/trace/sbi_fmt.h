/* sbi_fmt — snprintf-like appending into a caller's buffer, shared by the SBI and system call
 * formatters: output is cut (always NUL-terminated when n > 0) but the full length is counted,
 * so callers can size a second attempt. Private to src/trace/sbi.c and syscalls.c. */
#ifndef STRATA_TRACE_SBI_FMT_H
#define STRATA_TRACE_SBI_FMT_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

struct sbi_fmt {
	char *buf;
	size_t n;
	size_t len; /* what would have been written with unlimited space */
};

/* Start an empty string in buf[n] (buf may be NULL when n == 0). */
static inline struct sbi_fmt sbi_fmt_init(char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	return (struct sbi_fmt){buf, n, 0};
}

/* Append printf-style; past the end only the length grows. */
__attribute__((format(printf, 2, 3))) static inline void sbi_fmt_add(struct sbi_fmt *f,
								     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *dst = f->len < f->n ? f->buf + f->len : NULL;
	size_t room = f->len < f->n ? f->n - f->len : 0;
	int r = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (r > 0)
		f->len += (size_t)r;
}

/* Append one argument value in format letter fmt: 'x' hex, 'u' unsigned, 'd' signed, 'c' a
 * character as a C literal when printable. */
static inline void sbi_fmt_value(struct sbi_fmt *f, char fmt, uint64_t v)
{
	static const char esc[][2] = {{'\n', 'n'},  {'\r', 'r'},  {'\t', 't'},
				      {'\'', '\''}, {'\\', '\\'}, {'\0', '0'}};
	switch (fmt) {
	case 'u':
		sbi_fmt_add(f, "%" PRIu64, v);
		return;
	case 'd':
		sbi_fmt_add(f, "%" PRId64, (int64_t)v);
		return;
	case 'c':
		for (size_t i = 0; i < sizeof esc / sizeof esc[0]; i++)
			if (v == (uint64_t)(unsigned char)esc[i][0]) {
				sbi_fmt_add(f, "'\\%c'", esc[i][1]);
				return;
			}
		if (v >= 0x20 && v < 0x7f) {
			sbi_fmt_add(f, "'%c'", (char)v);
			return;
		}
		break;
	}
	sbi_fmt_add(f, "0x%" PRIx64, v);
}

/* Finish: the snprintf-style return value. */
static inline int sbi_fmt_done(const struct sbi_fmt *f)
{
	return f->len > INT32_MAX ? INT32_MAX : (int)f->len;
}

#endif
