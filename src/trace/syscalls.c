/* syscalls — Linux riscv64 system calls as data: the asm-generic table of Linux 6.1 with
 * argument names, generated into syscalls_table.inc by gen_syscalls.py. */
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

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* The kernel returns -1..-4095 for errors (IS_ERR_VALUE); everything else is a result. */
#define MAX_ERRNO 4095

/* The table is sorted by number with gaps (244..258, 295..423), so search it. */
static const struct sc_desc *find(uint64_t nr)
{
	size_t lo = 0, hi = N(sc_table);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sc_table[mid].nr == nr)
			return &sc_table[mid];
		if (sc_table[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *syscall_name(uint64_t nr)
{
	const struct sc_desc *d = find(nr);
	return d ? d->name : NULL;
}

int syscall_format_call(uint64_t nr, const uint64_t a[6], char *buf, size_t n)
{
	struct sbi_fmt f = sbi_fmt_init(buf, n);
	const struct sc_desc *d = find(nr);
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
