/* syscalls — system calls as data: Linux riscv64 (the asm-generic table of Linux 6.1 with
 * argument names, generated into syscalls_table.inc by gen_syscalls.py), and xv6-riscv's
 * (kernel/syscall.h, argument names from user/user.h). */
#include "trace/sbi.h"

#include "trace/sbi_fmt.h"

/* One system call; nargs < 0 when the kernel has no implementation to take names from, and
 * then all six registers are shown. fmt and ret use sbi_fmt_value's letters. */
struct sc_desc {
	uint16_t nr;
	const char *name;
	int8_t nargs;
	const char *fmt;
	char ret;
	const char *args[6];
};

#include "trace/syscalls_table.inc"

/* xv6-riscv: a7 = number, a0..a5 arguments; errors are -1. */
static const struct sc_desc xv6_table[] = {
    {1, "fork", 0, "", 'd', {0}},
    {2, "exit", 1, "d", 'd', {"status"}},
    {3, "wait", 1, "x", 'd', {"status"}},
    {4, "pipe", 1, "x", 'd', {"fds"}},
    {5, "read", 3, "dxd", 'd', {"fd", "buf", "n"}},
    {6, "kill", 1, "d", 'd', {"pid"}},
    {7, "exec", 2, "xx", 'd', {"path", "argv"}},
    {8, "fstat", 2, "dx", 'd', {"fd", "st"}},
    {9, "chdir", 1, "x", 'd', {"path"}},
    {10, "dup", 1, "d", 'd', {"fd"}},
    {11, "getpid", 0, "", 'd', {0}},
    {12, "sbrk", 1, "d", 'x', {"n"}},
    {13, "sleep", 1, "d", 'd', {"ticks"}},
    {14, "uptime", 0, "", 'd', {0}},
    {15, "open", 2, "xx", 'd', {"path", "omode"}},
    {16, "write", 3, "dxd", 'd', {"fd", "buf", "n"}},
    {17, "mknod", 3, "xdd", 'd', {"path", "major", "minor"}},
    {18, "unlink", 1, "x", 'd', {"path"}},
    {19, "link", 2, "xx", 'd', {"old", "new"}},
    {20, "mkdir", 1, "x", 'd', {"path"}},
    {21, "close", 1, "d", 'd', {"fd"}},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* The kernel returns -1..-4095 for errors (IS_ERR_VALUE); everything else is a result. */
#define MAX_ERRNO 4095

/* The tables are sorted by number, Linux's with gaps (244..258, 295..423), so search. */
static const struct sc_desc *find_in(const struct sc_desc *t, size_t len, uint64_t nr)
{
	size_t lo = 0, hi = len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].nr == nr)
			return &t[mid];
		if (t[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct sc_desc *find(uint64_t nr)
{
	return find_in(sc_table, N(sc_table), nr);
}

const char *syscall_name(uint64_t nr)
{
	const struct sc_desc *d = find(nr);
	return d ? d->name : NULL;
}

static int format_call(const struct sc_desc *d, uint64_t nr, const uint64_t a[6], char *buf,
		       size_t n)
{
	struct sbi_fmt f = sbi_fmt_init(buf, n);
	if (!d || d->nargs < 0) {
		if (d)
			sbi_fmt_add(&f, "%s(", d->name);
		else
			sbi_fmt_add(&f, "syscall_%" PRIu64 "(", nr);
		for (int i = 0; i < 6; i++)
			sbi_fmt_add(&f, "%sa%d=0x%" PRIx64, i ? ", " : "", i, a[i]);
		sbi_fmt_add(&f, ")");
		return sbi_fmt_done(&f);
	}
	sbi_fmt_add(&f, "%s(", d->name);
	for (int i = 0; i < d->nargs; i++) {
		sbi_fmt_add(&f, "%s%s=", i ? ", " : "", d->args[i]);
		sbi_fmt_value(&f, d->fmt[i], a[i]);
	}
	sbi_fmt_add(&f, ")");
	return sbi_fmt_done(&f);
}

int syscall_format_call(uint64_t nr, const uint64_t a[6], char *buf, size_t n)
{
	return format_call(find(nr), nr, a, buf, n);
}

int syscall_format_ret(uint64_t nr, uint64_t a0, char *buf, size_t n)
{
	struct sbi_fmt f = sbi_fmt_init(buf, n);
	const struct sc_desc *d = find(nr);
	int64_t v = (int64_t)a0;
	if (v < 0 && v >= -MAX_ERRNO) {
		sbi_fmt_add(&f, "%" PRId64, v);
		if (-v < (int64_t)N(sc_errno_names) && sc_errno_names[-v])
			sbi_fmt_add(&f, " (%s)", sc_errno_names[-v]);
		return sbi_fmt_done(&f);
	}
	sbi_fmt_value(&f, d ? d->ret : 'd', a0);
	return sbi_fmt_done(&f);
}

static const struct sc_desc *xv6_find(uint64_t nr)
{
	return find_in(xv6_table, N(xv6_table), nr);
}

const char *xv6_syscall_name(uint64_t nr)
{
	const struct sc_desc *d = xv6_find(nr);
	return d ? d->name : NULL;
}

int xv6_syscall_format_call(uint64_t nr, const uint64_t a[6], char *buf, size_t n)
{
	return format_call(xv6_find(nr), nr, a, buf, n);
}

int xv6_syscall_format_ret(uint64_t nr, uint64_t a0, char *buf, size_t n)
{
	struct sbi_fmt f = sbi_fmt_init(buf, n);
	const struct sc_desc *d = xv6_find(nr);
	sbi_fmt_value(&f, d && (int64_t)a0 != -1 ? d->ret : 'd', a0);
	return sbi_fmt_done(&f);
}
