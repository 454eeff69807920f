/* syscalls_test — exact strings for Linux riscv64 system call decoding: names across the
 * table, arguments of the common calls, errno names, unknown numbers, truncation. */
#include "trace/sbi.h"

#include <stdio.h>
#include <string.h>
#include "trace/fmt_check.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct name_case {
	uint64_t nr;
	const char *name; /* NULL: no such call on riscv64 */
};

static const struct name_case names[] = {
    {0, "io_setup"},
    {17, "getcwd"},
    {23, "dup"},
    {24, "dup3"},
    {29, "ioctl"},
    {38, NULL},
    {40, "mount"},
    {42, "nfsservctl"},
    {56, "openat"},
    {57, "close"},
    {59, "pipe2"},
    {63, "read"},
    {64, "write"},
    {79, "newfstatat"},
    {80, "fstat"},
    {93, "exit"},
    {94, "exit_group"},
    {98, "futex"},
    {101, "nanosleep"},
    {113, "clock_gettime"},
    {129, "kill"},
    {134, "rt_sigaction"},
    {139, "rt_sigreturn"},
    {142, "reboot"},
    {163, "getrlimit"},
    {172, "getpid"},
    {173, "getppid"},
    {214, "brk"},
    {215, "munmap"},
    {220, "clone"},
    {221, "execve"},
    {222, "mmap"},
    {243, "recvmmsg"},
    {244, NULL},
    {258, NULL},
    {259, "riscv_flush_icache"},
    {260, "wait4"},
    {294, "kexec_file_load"},
    {295, NULL},
    {423, NULL},
    {424, "pidfd_send_signal"},
    {435, "clone3"},
    {450, "set_mempolicy_home_node"},
    {451, NULL},
    {1ull << 40, NULL},
};

struct call_case {
	uint64_t nr, a[6];
	const char *want;
};

static const struct call_case calls[] = {
    {56,
     {(uint64_t)-100, 0x3fffffe000, 0x80042, 0644},
     "openat(dfd=-100, filename=0x3fffffe000, flags=0x80042, mode=420)"},
    {63, {0, 0x1000, 64}, "read(fd=0, buf=0x1000, count=64)"},
    {64, {1, 0x10460, 13}, "write(fd=1, buf=0x10460, count=13)"},
    {57, {3}, "close(fd=3)"},
    {93, {0}, "exit(error_code=0)"},
    {94, {(uint64_t)-1}, "exit_group(error_code=-1)"},
    {220,
     {0x1200011, 0, 0, 0x2000a0, 0},
     "clone(clone_flags=0x1200011, newsp=0x0, parent_tidptr=0x0, child_tidptr=0x2000a0, "
     "tls=0x0)"},
    {221,
     {0x10000, 0x3ffffff000, 0x3ffffff010},
     "execve(filename=0x10000, argv=0x3ffffff000, envp=0x3ffffff010)"},
    {260,
     {(uint64_t)-1, 0x3ffffffe0c, 0, 0},
     "wait4(upid=-1, stat_addr=0x3ffffffe0c, options=0x0, ru=0x0)"},
    {59, {0x3ffffffe00, 0x80000}, "pipe2(fildes=0x3ffffffe00, flags=0x80000)"},
    {24, {3, 0, 0}, "dup3(oldfd=3, newfd=0, flags=0x0)"},
    {222,
     {0, 8192, 3, 0x22, (uint64_t)-1, 0},
     "mmap(addr=0x0, len=8192, prot=0x3, flags=0x22, fd=-1, offset=0)"},
    {215, {0x3ff7ff0000, 8192}, "munmap(addr=0x3ff7ff0000, len=8192)"},
    {214, {0}, "brk(brk=0x0)"},
    {129, {42, 9}, "kill(pid=42, sig=9)"},
    {134,
     {17, 0x3ffffffd00, 0, 8},
     "rt_sigaction(sig=17, act=0x3ffffffd00, oact=0x0, sigsetsize=8)"},
    {139, {0}, "rt_sigreturn()"},
    {101, {0x3ffffffd00, 0}, "nanosleep(rqtp=0x3ffffffd00, rmtp=0x0)"},
    {113, {1, 0x3ffffffd00}, "clock_gettime(which_clock=1, tp=0x3ffffffd00)"},
    {172, {0}, "getpid()"},
    {173, {0}, "getppid()"},
    {40,
     {0x1000, 0x1010, 0x1020, 0, 0},
     "mount(dev_name=0x1000, dir_name=0x1010, type=0x1020, flags=0x0, data=0x0)"},
    {142,
     {0xfee1dead, 0x28121969, 0x4321fedc, 0},
     "reboot(magic1=0xfee1dead, magic2=0x28121969, cmd=0x4321fedc, arg=0x0)"},
    {98,
     {0x2000a0, 0x81, 1, 0, 0, 0},
     "futex(uaddr=0x2000a0, op=0x81, val=1, utime=0x0, uaddr2=0x0, val3=0)"},
    /* a number without an implementation, and one that does not exist */
    {42, {1, 2, 3, 4, 5, 6}, "nfsservctl(a0=0x1, a1=0x2, a2=0x3, a3=0x4, a4=0x5, a5=0x6)"},
    {500, {7, 0, 0, 0, 0, 0}, "syscall_500(a0=0x7, a1=0x0, a2=0x0, a3=0x0, a4=0x0, a5=0x0)"},
};

struct ret_case {
	uint64_t nr, a0;
	const char *want;
};

static const struct ret_case rets[] = {
    {56, 3, "3"},
    {56, (uint64_t)-2, "-2 (ENOENT)"},
    {63, (uint64_t)-1, "-1 (EPERM)"},
    {63, (uint64_t)-4, "-4 (EINTR)"},
    {63, (uint64_t)-11, "-11 (EAGAIN)"},
    {64, (uint64_t)-14, "-14 (EFAULT)"},
    {220, (uint64_t)-12, "-12 (ENOMEM)"},
    {98, (uint64_t)-110, "-110 (ETIMEDOUT)"},
    {500, (uint64_t)-38, "-38 (ENOSYS)"},
    {56, (uint64_t)-133, "-133 (EHWPOISON)"},
    {56, (uint64_t)-134, "-134"},
    {56, (uint64_t)-512, "-512"},
    {222, (uint64_t)-4096, "0xfffffffffffff000"}, /* below -4095: an address, not an error */
    {222, 0x3ff7ff0000, "0x3ff7ff0000"},
    {214, 0x2b000, "0x2b000"},
    {172, 1, "1"},
    {129, (uint64_t)-4096, "-4096"},
    {500, 5, "5"},
};

static int streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int test_names(void)
{
	for (size_t i = 0; i < N(names); i++) {
		const char *got = syscall_name(names[i].nr);
		if (!streq(got, names[i].name)) {
			printf("FAIL syscall_names: %llu: got %s, want %s\n",
			       (unsigned long long)names[i].nr, got ? got : "NULL",
			       names[i].name ? names[i].name : "NULL");
			return 1;
		}
	}
	/* Every implemented number from 0 to 450 outside the two gaps has a name. */
	for (uint64_t nr = 0; nr <= 450; nr++) {
		int gap = nr == 38 || (nr >= 244 && nr <= 258) || (nr >= 295 && nr <= 423);
		if (!gap && !syscall_name(nr)) {
			printf("FAIL syscall_names: %llu has no name\n", (unsigned long long)nr);
			return 1;
		}
	}
	printf("PASS syscall_names\n");
	return 0;
}

static int call_fn(const void *p, char *buf, size_t n)
{
	const struct call_case *c = p;
	return syscall_format_call(c->nr, c->a, buf, n);
}

static int ret_fn(const void *p, char *buf, size_t n)
{
	const struct ret_case *c = p;
	return syscall_format_ret(c->nr, c->a0, buf, n);
}

static int test_calls(void)
{
	for (size_t i = 0; i < N(calls); i++)
		if (check_fmt("syscall_format_call", call_fn, &calls[i], calls[i].want))
			return 1;
	printf("PASS syscall_format_call\n");
	return 0;
}

static int test_rets(void)
{
	for (size_t i = 0; i < N(rets); i++)
		if (check_fmt("syscall_format_ret", ret_fn, &rets[i], rets[i].want))
			return 1;
	printf("PASS syscall_format_ret\n");
	return 0;
}

/* xv6-riscv's table: its numbers, argument names and -1 errors. */
static const struct call_case xv6_calls[] = {
    {16, {1, 0x3fe0, 3}, "write(fd=1, buf=0x3fe0, n=3)"},
    {7, {0x890, 0x2f80}, "exec(path=0x890, argv=0x2f80)"},
    {1, {0}, "fork()"},
    {21, {3}, "close(fd=3)"},
    {22, {1, 2}, "syscall_22(a0=0x1, a1=0x2, a2=0x0, a3=0x0, a4=0x0, a5=0x0)"},
};
static const struct ret_case xv6_rets[] = {
    {16, 3, "3"},
    {15, (uint64_t)-1, "-1"},
    {12, 0x4000, "0x4000"},
    {12, (uint64_t)-1, "-1"},
};

static int xv6_call_fn(const void *p, char *buf, size_t n)
{
	const struct call_case *c = p;
	return xv6_syscall_format_call(c->nr, c->a, buf, n);
}

static int xv6_ret_fn(const void *p, char *buf, size_t n)
{
	const struct ret_case *c = p;
	return xv6_syscall_format_ret(c->nr, c->a0, buf, n);
}

static int test_xv6(void)
{
	if (!streq(xv6_syscall_name(16), "write") || !streq(xv6_syscall_name(21), "close") ||
	    xv6_syscall_name(0) || xv6_syscall_name(22)) {
		printf("FAIL xv6_syscalls: names\n");
		return 1;
	}
	for (size_t i = 0; i < N(xv6_calls); i++)
		if (check_fmt("xv6_syscall_format_call", xv6_call_fn, &xv6_calls[i],
			      xv6_calls[i].want))
			return 1;
	for (size_t i = 0; i < N(xv6_rets); i++)
		if (check_fmt("xv6_syscall_format_ret", xv6_ret_fn, &xv6_rets[i], xv6_rets[i].want))
			return 1;
	printf("PASS xv6_syscalls\n");
	return 0;
}

int main(void)
{
	int failed = test_names() + test_calls() + test_rets() + test_xv6();
	return failed ? 1 : 0;
}
