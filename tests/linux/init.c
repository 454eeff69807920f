/* tests/linux/init.c — strata's Linux guest init: exercise user space, print one line per check,
 * power off through the kernel's SBI SRST handler.
 *
 * Runs as PID 1 from the initramfs built by scripts/linux/build.sh. Each check prints
 * "init: <check>: ok" or "init: <check>: FAIL (<detail>)"; the last line is
 * "strata-init: all checks passed" or "strata-init: N check(s) FAILED". Nothing printed depends on
 * time, so two runs of a deterministic machine print the same bytes.
 *
 * Kernel command line "strata.test=readonly": the disk is read-only (-drive ...,readonly=on); the
 * init checks that writes are refused instead of writing /guest.txt.
 * "/init child hello" is the mode the fork/exec check execs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOST_LINES 1000  /* /host.txt: "strata host line %04d\n", put there by the host */
#define GUEST_LINES 3000 /* /guest.txt: "strata guest line %05d\n", checked by the host */

static int failures;

/* Print "init: <name>: ok" when detail is NULL, else "init: <name>: FAIL (<detail>)". */
static void report(const char *name, const char *detail)
{
	if (detail) {
		failures++;
		printf("init: %s: FAIL (%s)\n", name, detail);
	} else {
		printf("init: %s: ok\n", name);
	}
	fflush(stdout);
}

/* Format a failure detail into a static buffer (one check at a time). */
static const char *why(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

/* Read a whole file (up to cap-1 bytes) into buf, NUL-terminated; bytes read or -1 with errno. */
static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	close(fd);
	return (ssize_t)n;
}

/* Write all of buf to fd; 0 or -1 with errno. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* ---- fork/exec/wait ------------------------------------------------------------------------- */

/* The exec'd child: check its arguments, answer through stdout (a pipe), exit 42. */
static int child_main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[2], "hello") != 0)
		return 1;
	printf("child says %s to pid %d\n", argv[2], (int)getppid());
	return 42;
}

static void check_fork_exec(void)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return report("fork/exec/wait", why("pipe: %s", strerror(errno)));
	pid_t pid = fork();
	if (pid < 0)
		return report("fork/exec/wait", why("fork: %s", strerror(errno)));
	if (pid == 0) {
		dup2(fds[1], 1);
		execl("/init", "init", "child", "hello", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char buf[128];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(buf) - 1 && (r = read(fds[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(fds[0]);
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return report("fork/exec/wait", why("waitpid: %s", strerror(errno)));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 42)
		return report("fork/exec/wait", why("child status 0x%x, want exit 42", status));
	if (strcmp(buf, "child says hello to pid 1\n") != 0)
		return report("fork/exec/wait", why("child wrote '%.60s'", buf));
	/* A second child that never execs: exit status and zombie reaping through wait(). */
	pid = fork();
	if (pid == 0)
		_exit(7);
	if (wait(&status) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
		return report("fork/exec/wait", why("plain fork child status 0x%x", status));
	report("fork/exec/wait", NULL);
}

/* ---- pipes ---------------------------------------------------------------------------------- */

#define PIPE_BYTES (256 * 1024)

static unsigned char pipe_byte(size_t i)
{
	return (unsigned char)(i * 131 + (i >> 9) + 7);
}

static void check_pipes(void)
{
	int fds[2];
	if (pipe(fds) < 0)
		return report("pipes", why("pipe: %s", strerror(errno)));
	pid_t pid = fork();
	if (pid == 0) {
		/* Writer: odd-sized chunks, more than the pipe holds, so both ends block. */
		static unsigned char buf[4099];
		close(fds[0]);
		for (size_t off = 0; off < PIPE_BYTES;) {
			size_t n = PIPE_BYTES - off < sizeof(buf) ? PIPE_BYTES - off : sizeof(buf);
			for (size_t i = 0; i < n; i++)
				buf[i] = pipe_byte(off + i);
			if (write_all(fds[1], buf, n) < 0)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(fds[1]);
	static unsigned char buf[1000];
	size_t total = 0;
	const char *err = NULL;
	for (;;) {
		ssize_t r = read(fds[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = why("read: %s", strerror(errno));
			break;
		}
		if (r == 0)
			break;
		for (ssize_t i = 0; i < r && !err; i++)
			if (buf[i] != pipe_byte(total + (size_t)i))
				err = why("byte %zu is 0x%02x, want 0x%02x", total + (size_t)i, buf[i],
					  pipe_byte(total + (size_t)i));
		total += (size_t)r;
		if (err)
			break;
	}
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	if (!err && total != PIPE_BYTES)
		err = why("read %zu bytes, want %d", total, PIPE_BYTES);
	if (!err && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		err = why("writer status 0x%x", status);
	/* Writing to a pipe nobody reads: EPIPE (SIGPIPE ignored). */
	if (!err) {
		signal(SIGPIPE, SIG_IGN);
		if (pipe(fds) < 0)
			err = why("pipe: %s", strerror(errno));
		else {
			close(fds[0]);
			if (write(fds[1], "x", 1) != -1 || errno != EPIPE)
				err = why("write to a closed pipe: %s, want EPIPE", strerror(errno));
			close(fds[1]);
		}
		signal(SIGPIPE, SIG_DFL);
	}
	report("pipes", err);
}

/* ---- signals -------------------------------------------------------------------------------- */

static volatile sig_atomic_t usr1_count, usr2_count, alarm_count;
static volatile pid_t usr1_sender;
static volatile double handler_fp;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	usr1_sender = si->si_pid;
	usr1_count++;
	/* FP work in the handler must not disturb the interrupted code's FP registers. */
	volatile double x = 3.0;
	handler_fp = sqrt(x) * 7.25;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarm_count++;
}

static void check_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, on_usr2);
	signal(SIGALRM, on_alarm);

	/* kill() to ourselves: delivered before kill returns; FP state survives the handler. */
	volatile double a = 1.5, b = 2.25;
	double before = a * b;
	kill(getpid(), SIGUSR1);
	double after = a * b;
	if (usr1_count != 1 || usr1_sender != getpid())
		return report("signals", why("SIGUSR1 count %d sender %d", (int)usr1_count, (int)usr1_sender));
	if (before != after || before != 3.375)
		return report("signals", "FP value changed across a signal handler");

	/* Blocked signals stay pending until unblocked. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR2);
	sigset_t pend;
	sigpending(&pend);
	if (usr2_count != 0 || !sigismember(&pend, SIGUSR2))
		return report("signals", "blocked SIGUSR2 was not pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (usr2_count != 1)
		return report("signals", "SIGUSR2 not delivered after unblocking");

	/* alarm(): SIGALRM arrives while we sleep in sigsuspend(). */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, &old);
	alarm(1);
	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGALRM);
	while (alarm_count == 0)
		sigsuspend(&wait_mask);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* A child killed by another process's signal; the parent sees WTERMSIG. */
	int ready[2];
	if (pipe(ready) < 0)
		return report("signals", why("pipe: %s", strerror(errno)));
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	if (read(ready[0], &c, 1) != 1)
		return report("signals", "child did not start");
	close(ready[0]);
	kill(pid, SIGTERM);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
		return report("signals", why("child status 0x%x, want killed by SIGTERM", status));
	report("signals", NULL);
}

/* ---- floating point ------------------------------------------------------------------------- */

static void check_fp(void)
{
	/* volatile inputs: the compiler must not fold these; the guest's FPU computes them. */
	volatile double two = 2.0, one = 1.0, three = 3.0, tenth = 0.1, fifth = 0.2, ten = 10.0;
	volatile float twof = 2.0f;
	volatile double half = 2.5, big = 1e308;
	double h = 0;
	for (int i = 1; i <= 1000; i++)
		h += one / i;
	char got[512];
	snprintf(got, sizeof(got), "%.17g %.17g %.17g %.17g %.17g %.9g %.17g %ld %ld %g %.17g",
		 sqrt(two), one / three, tenth + fifth, fma(tenth, ten, -one), h, (double)sqrtf(twof),
		 (double)(float)(one / three), lrint(half), (long)-half, big * ten,
		 strtod("2.718281828459045", NULL) * two);
	const char *want = "1.4142135623730951 0.33333333333333331 0.30000000000000004 "
			   "5.5511151231257827e-17 7.4854708605503433 1.41421354 0.3333333432674408 2 -2 "
			   "inf 5.4365636569180902";
	printf("init: fp values: %s\n", got);
	report("fp", strcmp(got, want) == 0 ? NULL : why("want %s", want));
}

/* ---- timers --------------------------------------------------------------------------------- */

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check_timers(void)
{
	/* nanosleep 20 ms: at least 20 ms of monotonic time pass, and not absurdly more. */
	int64_t t0 = mono_ns();
	struct timespec req = {0, 20 * 1000 * 1000};
	while (nanosleep(&req, &req) < 0 && errno == EINTR)
		;
	int64_t slept = mono_ns() - t0;
	if (slept < 20 * 1000 * 1000 || slept > 2000LL * 1000 * 1000)
		return report("timers/sleep", why("nanosleep(20ms) took %lld ns", (long long)slept));
	/* Monotonic time never goes backwards. */
	int64_t prev = mono_ns();
	for (int i = 0; i < 1000; i++) {
		int64_t now = mono_ns();
		if (now < prev)
			return report("timers/sleep", "CLOCK_MONOTONIC went backwards");
		prev = now;
	}
	/* A periodic POSIX timer (10 ms) delivering a real-time signal, collected with sigwaitinfo. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, &old);
	struct sigevent sev = {0};
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN;
	sev.sigev_value.sival_int = 1234;
	timer_t tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &tid) < 0)
		return report("timers/sleep", why("timer_create: %s", strerror(errno)));
	struct itimerspec its = {{0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000}};
	t0 = mono_ns();
	timer_settime(tid, 0, &its, NULL);
	int ticks = 0;
	const char *err = NULL;
	while (ticks < 5 && !err) {
		siginfo_t si;
		if (sigwaitinfo(&set, &si) < 0) {
			if (errno != EINTR)
				err = why("sigwaitinfo: %s", strerror(errno));
			continue;
		}
		if (si.si_code != SI_TIMER || si.si_value.sival_int != 1234)
			err = why("siginfo code %d value %d", si.si_code, si.si_value.sival_int);
		ticks += 1 + timer_getoverrun(tid);
	}
	int64_t elapsed = mono_ns() - t0;
	timer_delete(tid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!err && elapsed < 50 * 1000 * 1000)
		err = why("5 ticks of 10 ms took only %lld ns", (long long)elapsed);
	report("timers/sleep", err);
}

/* ---- SMP: one process pinned to each CPU, atomics and FP in shared memory -------------------- */

#define SMP_ITERS 20000

struct smp_shared {
	atomic_long counter;
	long cas_counter;
	int cpu_seen[64];
	double fp_result[64];
};

static double fp_work(int seed)
{
	double x = seed + 0.5;
	for (int i = 0; i < 2000; i++)
		x = sqrt(x * x + i) / 1.0009765625;
	return x;
}

static void check_smp(long ncpus)
{
	if (ncpus < 1 || ncpus > 64)
		return report("smp", why("%ld CPUs online", ncpus));
	struct smp_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return report("smp", why("mmap: %s", strerror(errno)));
	pid_t pids[64];
	for (long c = 0; c < ncpus; c++) {
		pids[c] = fork();
		if (pids[c] == 0) {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(c, &set);
			if (sched_setaffinity(0, sizeof(set), &set) < 0)
				_exit(1);
			sched_yield();
			sh->cpu_seen[c] = sched_getcpu() == c ? 1 : -1;
			for (int i = 0; i < SMP_ITERS; i++) {
				atomic_fetch_add(&sh->counter, 1);
				long v = __atomic_load_n(&sh->cas_counter, __ATOMIC_RELAXED);
				while (!__atomic_compare_exchange_n(&sh->cas_counter, &v, v + 1, 1, __ATOMIC_SEQ_CST,
								    __ATOMIC_RELAXED))
					;
				if ((i & 1023) == 0)
					sched_yield();
			}
			sh->fp_result[c] = fp_work((int)c);
			_exit(0);
		}
	}
	const char *err = NULL;
	for (long c = 0; c < ncpus; c++) {
		int status;
		waitpid(pids[c], &status, 0);
		if (!err && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			err = why("child on cpu %ld: status 0x%x", c, status);
	}
	for (long c = 0; c < ncpus && !err; c++) {
		if (sh->cpu_seen[c] != 1)
			err = why("child pinned to cpu %ld ran elsewhere", c);
		else if (sh->fp_result[c] != fp_work((int)c))
			err = why("FP result of the child on cpu %ld differs", c);
	}
	if (!err && atomic_load(&sh->counter) != ncpus * SMP_ITERS)
		err = why("amo counter %ld, want %ld", (long)atomic_load(&sh->counter), ncpus * SMP_ITERS);
	if (!err && sh->cas_counter != ncpus * SMP_ITERS)
		err = why("lr/sc counter %ld, want %ld", sh->cas_counter, ncpus * SMP_ITERS);
	munmap(sh, sizeof(*sh));
	report("smp", err);
}

/* ---- threads and futexes -------------------------------------------------------------------- */

#define THREADS 4
#define THREAD_ITERS 5000

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long shared_sum;
static int turn;

static void *thread_main(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < THREAD_ITERS; i++) {
		pthread_mutex_lock(&mtx);
		shared_sum += id + 1;
		pthread_mutex_unlock(&mtx);
	}
	/* Take turns in id order through a condition variable (futex wait/wake). */
	pthread_mutex_lock(&mtx);
	while (turn != id)
		pthread_cond_wait(&cond, &mtx);
	turn++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&mtx);
	return (void *)(id * 10);
}

static void check_threads(void)
{
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_main, (void *)i) != 0)
			return report("threads/futex", "pthread_create failed");
	const char *err = NULL;
	for (long i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		if (!err && (long)ret != i * 10)
			err = why("thread %ld returned %ld", i, (long)ret);
	}
	long want = (long)THREAD_ITERS * THREADS * (THREADS + 1) / 2;
	if (!err && shared_sum != want)
		err = why("sum %ld, want %ld", shared_sum, want);
	if (!err && turn != THREADS)
		err = why("turn %d, want %d", turn, THREADS);
	report("threads/futex", err);
}

/* ---- the virtio disk ------------------------------------------------------------------------ */

static char filebuf[128 * 1024];

/* Check that path holds exactly `lines` lines of fmt % i; NULL or a failure detail. */
static const char *check_lines(const char *path, const char *fmt, int lines)
{
	ssize_t n = read_file(path, filebuf, sizeof(filebuf));
	if (n < 0)
		return why("read %s: %s", path, strerror(errno));
	char line[64];
	size_t off = 0;
	for (int i = 0; i < lines; i++) {
		int len = snprintf(line, sizeof(line), fmt, i);
		if (off + (size_t)len > (size_t)n || memcmp(filebuf + off, line, (size_t)len) != 0)
			return why("%s: line %d differs", path, i + 1);
		off += (size_t)len;
	}
	if (off != (size_t)n)
		return why("%s: %zd bytes, want %zu", path, n, off);
	return NULL;
}

static void check_disk_rw(void)
{
	if (mount("/dev/vda", "/mnt", "ext2", 0, NULL) < 0)
		return report("disk", why("mount /dev/vda: %s", strerror(errno)));
	const char *err = check_lines("/mnt/host.txt", "strata host line %04d\n", HOST_LINES);
	if (!err) {
		/* Write through a temporary name, fsync, rename: data, metadata and a directory update. */
		int fd = open("/mnt/guest.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			err = why("create: %s", strerror(errno));
		else {
			size_t len = 0;
			for (int i = 0; i < GUEST_LINES; i++)
				len += (size_t)snprintf(filebuf + len, sizeof(filebuf) - len, "strata guest line %05d\n", i);
			if (write_all(fd, filebuf, len) < 0 || fsync(fd) < 0)
				err = why("write: %s", strerror(errno));
			if (close(fd) < 0 && !err)
				err = why("close: %s", strerror(errno));
			if (!err && rename("/mnt/guest.tmp", "/mnt/guest.txt") < 0)
				err = why("rename: %s", strerror(errno));
		}
	}
	if (!err)
		err = check_lines("/mnt/guest.txt", "strata guest line %05d\n", GUEST_LINES);
	if (umount("/mnt") < 0 && !err)
		err = why("umount: %s", strerror(errno));
	/* Mount again: what we read now came from the disk, not from the page cache of the mount. */
	if (!err && mount("/dev/vda", "/mnt", "ext2", MS_RDONLY, NULL) < 0)
		err = why("remount: %s", strerror(errno));
	else if (!err) {
		err = check_lines("/mnt/guest.txt", "strata guest line %05d\n", GUEST_LINES);
		if (umount("/mnt") < 0 && !err)
			err = why("umount: %s", strerror(errno));
	}
	report("disk write/read", err);
}

static void check_disk_readonly(void)
{
	char ro[8] = "";
	if (read_file("/sys/block/vda/ro", ro, sizeof(ro)) < 0)
		return report("disk readonly", why("/sys/block/vda/ro: %s", strerror(errno)));
	if (strcmp(ro, "1\n") != 0)
		return report("disk readonly", why("/sys/block/vda/ro is '%c', want 1", ro[0]));
	/* A read-write mount of a read-only device is refused (EACCES from the block layer). */
	if (mount("/dev/vda", "/mnt", "ext2", 0, NULL) == 0) {
		umount("/mnt");
		return report("disk readonly", "read-write mount of a read-only disk succeeded");
	}
	if (errno != EACCES && errno != EROFS)
		return report("disk readonly", why("read-write mount: %s, want EACCES or EROFS", strerror(errno)));
	if (mount("/dev/vda", "/mnt", "ext2", MS_RDONLY, NULL) < 0)
		return report("disk readonly", why("read-only mount: %s", strerror(errno)));
	const char *err = check_lines("/mnt/host.txt", "strata host line %04d\n", HOST_LINES);
	if (!err) {
		int fd = open("/mnt/guest.txt", O_WRONLY | O_CREAT, 0644);
		if (fd >= 0) {
			close(fd);
			err = "creating a file on the read-only mount succeeded";
		} else if (errno != EROFS) {
			err = why("create: %s, want EROFS", strerror(errno));
		}
	}
	umount("/mnt");
	/* Writing the block device itself fails too. */
	if (!err) {
		int fd = open("/dev/vda", O_WRONLY);
		if (fd >= 0) {
			memset(filebuf, 0xa5, 4096);
			ssize_t w = write(fd, filebuf, 4096);
			int e = errno;
			int s = fsync(fd);
			close(fd);
			if (w >= 0 && s == 0)
				err = "writing /dev/vda succeeded";
			else if (w < 0 && e != EPERM && e != EROFS && e != EACCES)
				err = why("write /dev/vda: %s", strerror(e));
		} else if (errno != EROFS && errno != EACCES && errno != EPERM) {
			err = why("open /dev/vda for writing: %s", strerror(errno));
		}
	}
	report("disk readonly", err);
}

/* ---- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "child") == 0)
		return child_main(argc, argv);
	if (getpid() != 1) {
		fprintf(stderr, "usage: boot Linux with this program as /init (or: init child hello)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("strata-init: started\n");

	const char *err = NULL;
	if (mount("proc", "/proc", "proc", 0, NULL) < 0)
		err = why("proc: %s", strerror(errno));
	else if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		err = why("sysfs: %s", strerror(errno));
	else if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0)
		err = why("devtmpfs: %s", strerror(errno));
	report("mounts", err);

	char cmdline[1024] = "";
	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	int readonly = strstr(cmdline, "strata.test=readonly") != NULL;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("init: cpus: %ld\n", ncpus);
	/* the extensions the kernel found and uses (arch/riscv/kernel/cpu.c), hart 0's line */
	static char cpuinfo[8192];
	const char *isa;
	if (read_file("/proc/cpuinfo", cpuinfo, sizeof(cpuinfo)) > 0 &&
	    (isa = strstr(cpuinfo, "\nisa\t\t: ")) != NULL)
		printf("init: isa: %.*s\n", (int)strcspn(isa + 8, "\n"), isa + 8);
	else
		printf("init: isa: (no isa line in /proc/cpuinfo)\n");

	check_fork_exec();
	check_pipes();
	check_signals();
	check_fp();
	check_timers();
	check_smp(ncpus);
	check_threads();
	if (readonly)
		check_disk_readonly();
	else
		check_disk_rw();

	if (failures == 0)
		printf("strata-init: all checks passed\n");
	else
		printf("strata-init: %d check%s FAILED\n", failures, failures == 1 ? "" : "s");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	printf("strata-init: reboot(RB_POWER_OFF) returned: %s\n", strerror(errno));
	fflush(stdout);
	for (;;)
		pause();
}
