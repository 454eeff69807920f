/* /init of the KVM variant of strata's Linux image (scripts/linux/build.sh --variant kvm): mounts
 * /dev, /proc and /sys, checks that KVM came up (/dev/kvm), runs the project's VMM (two vCPUs)
 * on its test guest once per CPU, pinned to that CPU (so a second hart runs a fresh VM with a
 * recycled VMID, and the vCPUs share one hart), then with more than one CPU once unpinned (the
 * vCPUs on different harts: remote fences and IPIs cross harts), checks that bad VMM input
 * gets exit status 2, then powers off through SBI SRST. Output lines start with "kvm-init:"; the
 * last is "kvm-init: all runs passed" or "kvm-init: FAIL ...". */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RUNS 4

static void mount_or_warn(const char *src, const char *dir, const char *type)
{
	if (mount(src, dir, type, 0, NULL) < 0 && errno != EBUSY)
		printf("kvm-init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

/* Runs argv on CPU cpu (-1: any); returns its wait status, or -1. */
static int run_on(int cpu, char *const argv[])
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (cpu >= 0 && sched_setaffinity(0, sizeof(set), &set) < 0)
			printf("kvm-init: sched_setaffinity(cpu %d): %s\n", cpu, strerror(errno));
		execv(argv[0], argv);
		printf("kvm-init: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

static int run_vmm(int cpu)
{
	char *const argv[] = {"/kvm-vmm", "/guest.elf", NULL};
	return run_on(cpu, argv);
}

/* The VMM's bad input: each must end with one line on stderr and exit status 2. */
static int check_bad_input(void)
{
	static char *const cases[][5] = {
	    {"/kvm-vmm", "/no-such.elf", NULL},		  /* cannot open */
	    {"/kvm-vmm", "/proc/version", NULL},	  /* not an ELF file */
	    {"/kvm-vmm", "/init", NULL},		  /* an ELF linked outside guest RAM */
	    {"/kvm-vmm", "-c", "9", "/guest.elf", NULL},  /* too many vCPUs */
	    {"/kvm-vmm", "-m", "1x", "/guest.elf", NULL}, /* not a size */
	};
	int failed = 0;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = run_on(-1, cases[i]);
		int ok = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 2;
		printf("kvm-init: %s bad input %u (%s): wait status 0x%x\n", ok ? "ok" : "FAIL",
		       i + 1, cases[i][1], st);
		failed |= !ok;
	}
	return failed;
}

int main(void)
{
	struct stat sb;
	int failed = 0;
	mount_or_warn("devtmpfs", "/dev", "devtmpfs");
	mount_or_warn("proc", "/proc", "proc");
	mount_or_warn("sysfs", "/sys", "sysfs");
	setvbuf(stdout, NULL, _IOLBF, 0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("kvm-init: cpus: %ld\n", cpus);
	if (stat("/dev/kvm", &sb) < 0 || !S_ISCHR(sb.st_mode)) {
		printf("kvm-init: FAIL /dev/kvm: %s\n", strerror(errno));
		failed = 1;
	} else {
		printf("kvm-init: /dev/kvm is there\n");
		int runs = cpus > 1 ? (int)(cpus < MAX_RUNS ? cpus : MAX_RUNS) + 1 : 1;
		for (int run = 0; run < runs; run++) {
			int cpu = run < cpus && run < MAX_RUNS ? run : -1;
			if (cpu >= 0)
				printf("kvm-init: run %d on cpu %d\n", run + 1, cpu);
			else
				printf("kvm-init: run %d on any cpu\n", run + 1);
			int st = run_vmm(cpu);
			if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				printf("kvm-init: FAIL run %d: vmm wait status 0x%x\n", run + 1,
				       st);
				failed = 1;
			}
		}
	}
	if (!failed)
		failed = check_bad_input();
	printf(failed ? "kvm-init: FAIL some runs failed\n" : "kvm-init: all runs passed\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
