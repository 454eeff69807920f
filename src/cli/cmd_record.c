/* cmd_record — `strata record`: trace a native x86-64 Linux process with eBPF uprobes
 * (src/ebpf/) into a strata trace that `strata dump`, `report` and `info` read. */
#define _GNU_SOURCE
#include "cli/cli.h"
#include "console/console.h"
#include "async/discover.h"
#include "ebpf/funcs.h"
#include "ebpf/nasync.h"
#include "ebpf/nwriter.h"
#include "ebpf/objs.h"
#include "ebpf/probes.h"
#include "ebpf/session.h"
#include "symbols/symbols.h"
#include "util/err.h"
#include "util/sigstop.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILTERS 64

struct rec_opts {
	const char *out;
	const char *filters[MAX_FILTERS];
	unsigned nfilters;
	int pid;
	char **cmd;
	enum attach_mode mode;
	uint64_t ring_bytes;
	bool stats, list;
	bool ftrace, async, tasks;
	const char *console; /* --console[=SOCKET]: strata console --attach (docs/UI.md) */
	char console_path[108];
};

/* A console's refresh: what the threads buffered goes to the trace file it reads. */
static void flush_trace(void *w)
{
	nw_flush(w);
}

struct rec_state {
	struct nwriter *w;
	const struct probes *probes;
	struct nasync *as;
	uint64_t bias;	 /* the executable's */
	uint64_t *biases; /* per object (objs.h), [0] = bias */
};

/* The runtimes' task-run functions: their first argument is the task (tokio's task header,
 * async-task's raw task), which is also the data pointer of that task's wakers. */
static const char *const task_run_res[] = {
    "^tokio::runtime::task::raw::poll$",
    "^async_task::raw::RawTask<F,T,S>::(run|wake|wake_by_ref|clone_waker|drop_waker)$",
};

/* Some task-run function whose task's future state can be read (--trace=tasks needs one). */
static bool has_taskrun_layout(const struct adisc *d)
{
	for (size_t i = 0; i < adisc_ntaskruns(d); i++)
		if (adisc_taskrun(d, i)->state_off >= 0 && adisc_taskrun(d, i)->future >= 0)
			return true;
	return false;
}

static void record_usage(FILE *f)
{
	fprintf(f,
		"usage: strata record [--trace=ftrace,async,tasks] [--filter=REGEX ...] [-o FILE]\n"
		"                     (-p PID | -- CMD [ARGS...])\n\n"
		"Trace a native x86-64 Linux process with eBPF uprobes, without recompiling it:\n"
		"entry and return of every function of the executable and of its shared objects\n"
		"(mapped when strata attaches: DT_NEEDED libraries, and dlopen'ed ones with -p;\n"
		"not a library dlopen'ed after that) whose demangled name matches a --filter\n"
		"(POSIX extended regex, repeatable; all functions if none), per thread.\n"
		"Runs CMD, or attaches to process PID, until it exits or strata gets SIGINT/SIGTERM;\n"
		"then every probe is detached (an attached process keeps running) and the trace is\n"
		"finished. Read it with strata dump, report, info: functions are named from each\n"
		"object's symbols and, where its DWARF has them, with the source file and line.\n"
		"Needs root or CAP_BPF and CAP_PERFMON. See docs/EBPF.md.\n\n"
		"  -o FILE            trace file (default strata.trace)\n"
		"  --trace=LIST       ftrace (function entries and returns, the default), async\n"
		"                     (polls, wakes and tasks of Rust async code, from the DWARF of\n"
		"                     the executable and of every shared object that has it),\n"
		"                     tasks (only the runtime's task runs and wakes: per-task polls,\n"
		"                     Pending/Ready and wake edges at a fraction of async's cost)\n"
		"  --attach=MODE      auto (default: uprobe_multi, else single uprobes), multi, single\n"
		"  --ring-size=SIZE   BPF ring buffer bytes, a power of two >= 4K (default 16M)\n"
		"  --stats            print the attach mode, links and attach time on stderr\n"
		"  --list-probes      print the probes (object, address, entry/return, role, name)\n"
		"                     and stop without attaching (a started CMD is killed)\n"
		"  --console[=SOCKET] let `strata console --attach SOCKET` follow the recording\n"
		"                     (default $XDG_RUNTIME_DIR or /tmp/strata-PID.console)\n"
		"Exit status: CMD's own (128+N if killed by signal N), 0 for -p when the process\n"
		"exits, 128+N when strata stops on signal N, 2 for bad input.\n");
}

/* Root, or CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN stands for both). 0 or -EPERM with err_set. */
static int check_privileges(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	bool admin, bpf, perfmon;

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return err_set(errno, "strata record: cannot read capabilities: %s", strerror(errno));
	admin = d[0].effective >> 21 & 1;	  /* CAP_SYS_ADMIN */
	perfmon = d[1].effective >> (38 - 32) & 1; /* CAP_PERFMON */
	bpf = d[1].effective >> (39 - 32) & 1;	  /* CAP_BPF */
	if (admin || (bpf && perfmon))
		return 0;
	return err_set(EPERM, "strata record: needs root or CAP_BPF and CAP_PERFMON (missing:%s%s)",
		       bpf ? "" : " CAP_BPF", perfmon ? "" : " CAP_PERFMON");
}

static int parse_args(int argc, char **argv, struct rec_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			if (i + 1 >= argc)
				return err_set(EINVAL, "strata record: -- without a command");
			o->cmd = argv + i + 1;
			break;
		} else if (!strcmp(a, "-o") || !strcmp(a, "-p") || !strcmp(a, "--filter")) {
			if (i + 1 >= argc)
				return err_set(EINVAL, "strata record: %s needs a value", a);
			const char *v = argv[++i];
			if (a[1] == 'o') {
				o->out = v;
			} else if (a[1] == 'p') {
				char *end;
				long pid = strtol(v, &end, 10);
				if (*end || pid <= 0 || pid > INT_MAX)
					return err_set(EINVAL, "-p %s: not a process id", v);
				o->pid = (int)pid;
			} else if (o->nfilters == MAX_FILTERS) {
				return err_set(EINVAL, "--filter: more than %d filters", MAX_FILTERS);
			} else {
				o->filters[o->nfilters++] = v;
			}
		} else if (!strncmp(a, "--filter=", 9)) {
			if (o->nfilters == MAX_FILTERS)
				return err_set(EINVAL, "--filter: more than %d filters", MAX_FILTERS);
			o->filters[o->nfilters++] = a + 9;
		} else if (!strncmp(a, "--trace=", 8)) {
			char buf[128], *save = NULL;
			snprintf(buf, sizeof(buf), "%s", a + 8);
			o->ftrace = o->async = o->tasks = false;
			for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
				if (!strcmp(t, "ftrace"))
					o->ftrace = true;
				else if (!strcmp(t, "async"))
					o->async = true;
				else if (!strcmp(t, "tasks"))
					o->tasks = true;
				else
					return err_set(EINVAL,
						       "--trace=%s: unknown tracer '%s' (strata "
						       "record knows: ftrace, async, tasks)",
						       a + 8, t);
			if (o->async)
				o->tasks = false; /* async sees everything tasks does */
			if (!o->ftrace && !o->async && !o->tasks)
				return err_set(EINVAL, "--trace=%s: no tracer", a + 8);
		} else if (!strncmp(a, "--attach=", 9)) {
			const char *m = a + 9;
			if (!strcmp(m, "auto"))
				o->mode = ATTACH_AUTO;
			else if (!strcmp(m, "multi"))
				o->mode = ATTACH_MULTI;
			else if (!strcmp(m, "single"))
				o->mode = ATTACH_SINGLE;
			else
				return err_set(EINVAL, "--attach=%s: not auto, multi or single", m);
		} else if (!strncmp(a, "--ring-size=", 12)) {
			uint64_t n;
			/* cli_parse_size reads a bare number as MiB (QEMU's -m); here bytes are
			 * more natural, so a plain number is bytes */
			char *end;
			n = strtoull(a + 12, &end, 0);
			if (*end && cli_parse_size(a + 12, &n))
				n = 0;
			if (!n || n < 4096 || (n & (n - 1)) || n > (1u << 30))
				return err_set(EINVAL,
					       "--ring-size=%s: not a power of two from 4K to 1G",
					       a + 12);
			o->ring_bytes = n;
		} else if (!strcmp(a, "--stats")) {
			o->stats = true;
		} else if (!strcmp(a, "--list-probes")) {
			o->list = true;
		} else if (!strcmp(a, "--console") || !strncmp(a, "--console=", 10)) {
			if (a[9] == '=' && !a[10])
				return err_set(EINVAL, "strata record: --console=: empty socket path");
			o->console = a[9] == '=' ? a + 10 : "";
		} else {
			return err_set(EINVAL, "strata record: unknown option '%s' (try --help)", a);
		}
	}
	if (!o->cmd == !o->pid)
		return err_set(EINVAL, o->cmd ? "strata record: both -p and a command given"
					      : "strata record: no -p PID and no -- CMD (try --help)");
	return 0;
}

/* waitpid that goes on after strata's own signals (sigstop: they are looked at later). 0 or -1. */
static int wait_child(int pid, int *status)
{
	int w;

	while ((w = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return w == pid ? 0 : -1;
}

/* The program's entry point (AT_ENTRY from /proc/PID/auxv), or 0. */
static uint64_t entry_point(int pid)
{
	char path[64];
	uint64_t av[2], entry = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fread(av, sizeof(av), 1, f) == 1 && av[0] != 0 /* AT_NULL */)
		if (av[0] == 9 /* AT_ENTRY */)
			entry = av[1];
	fclose(f);
	return entry;
}

/* Let the traced child, stopped at its exec, run to its entry point: by then the dynamic loader
 * has mapped its shared objects, so they can be probed before main. An int3 at the entry,
 * taken out again when hit; signals before it are passed on. 0, or -errno with err_set(). */
static int run_to_entry(int pid, const char *cmd)
{
	uint64_t entry = entry_point(pid);
	struct user_regs_struct regs;
	long word;
	int status;

	if (!entry)
		return 0; /* no auxv entry: probe what is mapped now */
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)entry, NULL);
	if (errno || ptrace(PTRACE_POKETEXT, pid, (void *)entry, (void *)((word & ~0xffL) | 0xcc)))
		return err_set(errno, "strata record: %s: cannot stop at the entry point: %s", cmd,
			       strerror(errno));
	for (int sig = 0;;) {
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig) || wait_child(pid, &status))
			return err_set(errno, "strata record: %s: %s", cmd, strerror(errno));
		if (!WIFSTOPPED(status))
			return err_set(ECHILD, "strata record: %s ended before its entry point (%s %d)",
				       cmd, WIFSIGNALED(status) ? "signal" : "status",
				       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		if (WSTOPSIG(status) != SIGTRAP) {
			sig = WSTOPSIG(status);
			continue;
		}
		if (ptrace(PTRACE_GETREGS, pid, NULL, &regs))
			return err_set(errno, "strata record: %s: %s", cmd, strerror(errno));
		if (regs.rip == entry + 1)
			break;
		sig = 0; /* some other trap (a breakpoint of the program's own) */
	}
	regs.rip = entry;
	if (ptrace(PTRACE_POKETEXT, pid, (void *)entry, (void *)word) ||
	    ptrace(PTRACE_SETREGS, pid, NULL, &regs))
		return err_set(errno, "strata record: %s: %s", cmd, strerror(errno));
	return 0;
}

/* Fork CMD stopped at its exec (PTRACE_TRACEME), so probes are in place before its first
 * instruction. Returns the pid, or -errno with err_set() if CMD could not be started. */
static int start_cmd(char **cmd)
{
	int pfd[2], status, err = 0;
	ssize_t len;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return err_set(errno, "strata record: pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return err_set(errno, "strata record: fork: %s", strerror(errno));
	if (!pid) {
		close(pfd[0]);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execvp(cmd[0], cmd);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	while ((len = read(pfd[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	if (len != sizeof(err))
		err = 0;
	close(pfd[0]);
	if (wait_child(pid, &status))
		return err_set(errno, "strata record: waitpid: %s", strerror(errno));
	if (err || !WIFSTOPPED(status)) {
		if (WIFSTOPPED(status))
			kill(pid, SIGKILL), waitpid(pid, &status, 0);
		return err_set(err ? err : ECHILD, "strata record: %s: %s", cmd[0],
			       strerror(err ? err : ECHILD));
	}
	err = run_to_entry(pid, cmd[0]);
	if (err < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return err;
	}
	return pid;
}

/* Where an object's lowest page is mapped, minus its link-time address. */
static uint64_t obj_bias(const struct obj *ob, const struct funcs *fn)
{
	return funcs_is_pie(fn) && ob->lo0 ? ob->lo0 - funcs_base(fn) : 0;
}

/* Where the executable's lowest page is mapped in pid, minus its link-time address. */
static uint64_t load_bias(int pid, const char *exe, const struct funcs *fn)
{
	char path[64], line[PATH_MAX + 128];
	struct stat st;
	uint64_t bias = 0;
	FILE *f;

	if (!funcs_is_pie(fn) || stat(exe, &st))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off, ino;
		unsigned maj, min;

		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &lo, &hi, &off, &maj, &min,
			   &ino) == 6 &&
		    ino == st.st_ino && off == 0) {
			bias = lo - funcs_base(fn);
			break;
		}
	}
	fclose(f);
	return bias;
}

static int on_event(void *ctx, const struct probe_event *e)
{
	struct rec_state *s = ctx;

	if (e->probe >= probes_count(s->probes))
		return 0;
	const struct probe *p = probes_at(s->probes, e->probe);
	uint64_t func = p->vaddr + s->biases[p->obj];
	if ((p->cfg.what & PCFG_FUNC) && e->kind == PEV_ENTRY)
		nw_call(s->w, e->pid, e->tid, e->cpu, e->ts_ns, func, e->ret_addr, e->sp);
	if (s->as && (p->cfg.what & (PCFG_POLL | PCFG_WAKE | PCFG_TASK)))
		nas_event(s->as, e);
	if ((p->cfg.what & PCFG_FUNC) && e->kind == PEV_EXIT)
		nw_ret(s->w, e->pid, e->tid, e->cpu, e->ts_ns, func, e->ip, e->sp);
	return 0;
}

/* --trace=async/tasks: the DWARF async discovery (src/async/discover.h) of every object with
 * Rust async code — the executable and its shared objects alike — and its task-run functions.
 * d[k], rt[k] and biases[k] for each such object k (rt[0] always: the executable's bias needs
 * its layout). 0, or -errno with err_set(). */
static int discover_objects(const struct rec_opts *o, const struct objs *ob, const char *exe,
			    struct adisc **d, struct funcs **rt, uint64_t *biases)
{
	const char *what = o->async ? "--trace=async" : "--trace=tasks";
	char exe_err[512] = "";
	bool found = false, layout = false;

	if (!(rt[0] = funcs_load(exe, task_run_res, 2)))
		return -EINVAL;
	for (size_t k = 0; k < objs_count(ob); k++) {
		const char *path = objs_at(ob, k)->path;
		struct adisc *dk = adisc_open(path);

		if (!dk) { /* no DWARF: most shared objects (libc, ...) */
			if (!k)
				snprintf(exe_err, sizeof(exe_err), "%s",
					 err_msg() ? err_msg() : "no DWARF debug information");
			err_clear();
			continue;
		}
		if (!adisc_nfutures(dk)) {
			adisc_free(dk);
			continue;
		}
		if (adisc_find_taskruns(dk) < 0) {
			adisc_free(dk);
			return err_set(ENOMEM, "strata record: out of memory");
		}
		if (k && !(rt[k] = funcs_load(path, task_run_res, 2))) {
			adisc_free(dk); /* not an x86-64 ELF we can probe */
			err_clear();
			continue;
		}
		if (k)
			biases[k] = obj_bias(objs_at(ob, k), rt[k]);
		d[k] = dk;
		found = true;
		layout = layout || has_taskrun_layout(dk);
	}
	if (!found && *exe_err)
		return err_set(EINVAL, "%s: %s: %s (nor do its shared objects have Rust async code)",
			       what, exe, exe_err);
	if (!found)
		return err_set(ENOENT, "%s: %s: no Rust async code found in its DWARF (nor in its "
			       "shared objects')", what, exe);
	if (o->tasks && !layout)
		return err_set(ENOENT,
			       "--trace=tasks: %s: no tokio raw::poll or async-task RawTask::run "
			       "whose task layout DWARF describes (try --trace=async)",
			       exe);
	return 0;
}

/* The --filter'd functions of the shared objects (objs 1..): probes and their biases; objects
 * without symbols or matching functions have none. fns[k] keeps object k's functions (the
 * probes point to their names) for the caller to free. How many functions, or -errno. */
static long add_libraries(const struct rec_opts *o, const struct objs *ob, struct probes *probes,
			  uint64_t *biases, struct funcs **fns)
{
	long total = 0;

	for (size_t k = 1; k < objs_count(ob); k++) {
		const struct obj *ok = objs_at(ob, k);
		struct funcs *fk = funcs_load(ok->path, o->filters, o->nfilters);
		int ret;

		if (!fk) {
			err_clear();
			continue; /* stripped, or not an x86-64 ELF: nothing to probe */
		}
		biases[k] = obj_bias(ok, fk);
		total += (long)funcs_count(fk);
		fns[k] = fk;
		ret = probes_add_object(probes, (unsigned)k, ok->path, fk);
		if (ret < 0)
			return ret;
	}
	return total;
}

/* A SYMS chunk per object at its runtime addresses (objects without symbols are skipped). */
static int write_symbols(struct nwriter *w, const struct objs *ob, const uint64_t *biases)
{
	for (size_t k = 0; k < objs_count(ob); k++) {
		struct symtab *t = symtab_load(objs_at(ob, k)->path, 0, (int64_t)biases[k]);
		int ret;

		if (!t) {
			if (!k)
				return -EINVAL;
			err_clear();
			continue;
		}
		ret = nw_symtab(w, t);
		symtab_free(t);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* --list-probes: one line per probe, "OBJECT ADDRESS entry|entry+return ROLES NAME" (the
 * address as in the object's symbol table), e.g. for bench/ebpf/run's bpftrace floor. */
static void list_probes(const struct probes *ps, const char *const *paths)
{
	static const char *const role[] = {"func", "poll", "wake", "task"};

	for (size_t i = 0; i < probes_count(ps); i++) {
		const struct probe *p = probes_at(ps, i);
		char roles[32] = "";

		for (unsigned b = 0; b < 4; b++)
			if (p->cfg.what & (1u << b))
				snprintf(roles + strlen(roles), sizeof(roles) - strlen(roles), "%s%s",
					 *roles ? "," : "", role[b]);
		printf("%s 0x%" PRIx64 " %s %s %s\n", paths[p->obj], p->vaddr,
		       p->cfg.what & (PCFG_FUNC | PCFG_POLL | PCFG_TASK) ? "entry+return" : "entry",
		       roles, p->name ? p->name : "?");
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static char *meta_text(const struct rec_opts *o, const char *exe, int pid)
{
	char *m = NULL, cmd[1024] = "";
	size_t n = 0;

	for (char **a = o->cmd; a && *a && n + 2 < sizeof(cmd); a++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", n ? " " : "", *a);
	if (asprintf(&m,
		     "strata=0.1.0\nmachine=linux-native\nisa=x86_64\nbackend=ebpf\nclock=ns\n"
		     "pid=%d\nexecutable=%s\ncommand=%s\n",
		     pid, exe, o->cmd ? cmd : "(attached with -p)") < 0)
		return NULL;
	return m;
}

int cmd_record(int argc, char **argv)
{
	struct rec_opts o = {.out = "strata.trace", .ftrace = true};
	struct rec_state st = {0};
	struct ebpf_session *ses = NULL;
	struct console_server *csrv = NULL;
	struct funcs *fn = NULL, *rt = NULL, **rts = NULL;
	struct probes *probes = NULL;
	struct adisc *disc = NULL, **discs = NULL;
	struct objs *objs = NULL;
	const char **paths = NULL;
	long nlib = 0;
	struct funcs **libfns = NULL;
	char exe[PATH_MAX], link[64], *meta = NULL, note[128];
	int pid = 0, pidfd = -1, ret = EXIT_BADINPUT, status = 0, sig = 0;
	bool child = false, exited = false;
	ssize_t len;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			record_usage(stdout);
			return 0;
		}
	if (parse_args(argc, argv, &o) || check_privileges())
		goto out;
	/* from here a signal asks for a clean stop: attaching single uprobes can take minutes */
	sigstop_install();
	if (o.pid) {
		pid = o.pid;
		if (kill(pid, 0) && errno == ESRCH) {
			err_set(ESRCH, "-p %d: no such process", pid);
			goto out;
		}
	}
	/* the executable first, so that bad filters fail before a command starts */
	if (o.cmd) {
		pid = start_cmd(o.cmd);
		if (pid < 0)
			goto out;
		child = true;
	}
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	len = readlink(link, exe, sizeof(exe) - 1);
	if (len <= 0) {
		err_set(errno, "-p %d: cannot read %s: %s", pid, link, strerror(errno));
		goto out;
	}
	exe[len] = 0;
	objs = objs_load(pid, exe);
	if (!objs)
		goto out;
	st.biases = calloc(objs_count(objs), sizeof(*st.biases));
	paths = calloc(objs_count(objs), sizeof(*paths));
	libfns = calloc(objs_count(objs), sizeof(*libfns));
	discs = calloc(objs_count(objs), sizeof(*discs));
	rts = calloc(objs_count(objs), sizeof(*rts));
	if (!st.biases || !paths || !libfns || !discs || !rts) {
		err_set(ENOMEM, "strata record: out of memory");
		goto out;
	}
	for (size_t k = 0; k < objs_count(objs); k++)
		paths[k] = objs_at(objs, k)->path;
	if (o.ftrace) {
		fn = funcs_load(exe, o.filters, o.nfilters);
		if (!fn)
			goto out;
	}
	if ((o.async || o.tasks) && discover_objects(&o, objs, exe, discs, rts, st.biases) < 0)
		goto out;
	disc = discs[0];
	rt = rts[0];
	probes = probes_build(exe, fn, disc, rt, fn ? fn : rt, o.tasks);
	for (size_t k = 1; probes && k < objs_count(objs); k++)
		if (discs[k])
			probes_add_async(probes, (unsigned)k, paths[k], discs[k], rts[k], rts[k], o.tasks);
	if (!probes || (o.ftrace && (nlib = add_libraries(&o, objs, probes, st.biases, libfns)) < 0))
		goto out;
	if (o.ftrace && !funcs_count(fn) && !nlib) {
		if (o.nfilters)
			err_set(ENOENT, "--filter: no function of %s or its shared objects matches", exe);
		else
			err_set(ENOENT, "%s: no function symbols (stripped?)", exe);
		goto out;
	}
	if (!probes_count(probes)) {
		err_set(ENOENT, "--trace=async: %s: no poll function has code of its own to probe",
			exe);
		goto out;
	}
	st.probes = probes;
	if (o.list) {
		list_probes(probes, paths);
		ret = 0;
		goto out;
	}
	st.bias = st.biases[0] = load_bias(pid, exe, fn ? fn : rt);
	meta = meta_text(&o, exe, pid);
	if (!meta)
		goto out;
	st.w = nw_open(o.out, meta);
	if (!st.w || write_symbols(st.w, objs, st.biases) < 0)
		goto out;
	if ((o.async || o.tasks) &&
	    !(st.as = nas_new(st.w, probes, (const struct adisc *const *)discs, st.biases,
			      objs_count(objs)))) {
		err_set(ENOMEM, "strata record: out of memory");
		goto out;
	}
	if (o.console) {
		if (!*o.console)
			console_default_path(o.console_path, sizeof(o.console_path));
		if (!(csrv = console_server_new(*o.console ? o.console : o.console_path, o.out, false)))
			goto out;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* where a Context keeps its waker: core's layout, the same in every object rustc built */
	const struct adisc_waker_layout *wl = NULL;
	for (size_t k = 0; discs && k < objs_count(objs) && !wl; k++) {
		wl = discs[k] ? adisc_waker_layout(discs[k]) : NULL;
		if (wl && !(wl->ctx_waker >= 0 && wl->waker_raw >= 0 && wl->raw_data >= 0))
			wl = NULL;
	}
	struct ebpf_opts eo = {.paths = paths, .npaths = objs_count(objs), .probes = probes, .pid = pid, .mode = o.mode,
			       .ring_bytes = o.ring_bytes, .fn = on_event, .ctx = &st,
			       .ctx_waker = -1, .waker_data = -1, .stop = sigstop_pending};
	if (wl && wl->ctx_waker >= 0 && wl->waker_raw >= 0 && wl->raw_data >= 0) {
		eo.ctx_waker = wl->ctx_waker;
		eo.waker_data = wl->waker_raw + wl->raw_data;
	}
	/* a signal before or while attaching: what was attached is detached again (ebpf_open),
	 * the trace is finished and the target released, as after any signal */
	nw_start(st.w, mono_ns()); /* before any probe can fire */
	if (!(sig = sigstop_pending())) {
		ses = ebpf_open(&eo);
		if (!ses && !(sig = sigstop_pending()))
			goto out;
		if (!ses)
			fprintf(stderr, "%s\n", err_msg());
	}
	if (ses && o.stats)
		fprintf(stderr,
			"strata record: %zu probes (%zu functions, %ld of them in shared objects, %zu "
			"polls, %zu wakers, %zu task runs; %zu not probeable), %s, %zu links, attached "
			"in %.3f ms\n",
			probes_count(probes), probes_count_what(probes, PCFG_FUNC), nlib,
			probes_count_what(probes, PCFG_POLL), probes_count_what(probes, PCFG_WAKE),
			probes_count_what(probes, PCFG_TASK), probes_refused(probes),
			ebpf_mode(ses) == ATTACH_MULTI ? "uprobe_multi" : "single", ebpf_nlinks(ses),
			(double)ebpf_attach_ns(ses) / 1e6);
	if (child && ptrace(PTRACE_DETACH, pid, NULL, NULL)) {
		err_set(errno, "strata record: cannot release %s: %s", o.cmd[0], strerror(errno));
		goto out;
	}
	ret = 0;
	while (ses && !exited && !(sig = sigstop_pending())) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};

		if (ebpf_poll(ses, 50) < 0)
			break;
		console_server_tick(csrv, flush_trace, st.w);
		if (pidfd >= 0 ? poll(&p, 1, 0) > 0 : (kill(pid, 0) && errno == ESRCH))
			exited = true;
	}
	/* what the probes wrote before the end is still in the ring, or in the threads'
	 * batches (sent to the ring once the probes are gone) */
	ebpf_detach(ses);
	while (ses && ebpf_poll(ses, 0) > 0)
		;
	if (child && exited && waitpid(pid, &status, 0) == pid) {
		if (WIFSIGNALED(status)) {
			snprintf(note, sizeof(note), "exit: killed by signal %d", WTERMSIG(status));
			ret = 128 + WTERMSIG(status);
		} else {
			snprintf(note, sizeof(note), "exit: status %d", WEXITSTATUS(status));
			ret = WEXITSTATUS(status);
		}
	} else if (exited) {
		snprintf(note, sizeof(note), "exit: process %d ended", pid);
	} else {
		snprintf(note, sizeof(note), "detached: strata got signal %d", sig);
		ret = 128 + sig;
	}
	nw_mark(st.w, 0, mono_ns(), note);
out:
	if ((ret == EXIT_BADINPUT || o.list) && child && pid > 0) {
		/* never leave a stopped child behind */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	uint64_t drops = ses ? ebpf_drops(ses) : 0;
	ebpf_close(ses); /* every probe detached before the trace is declared complete */
	if (st.w) {
		uint64_t events = nw_events(st.w);
		if (nw_close(st.w, drops) < 0 && ret != EXIT_BADINPUT)
			ret = EXIT_BADINPUT;
		else if (ret != EXIT_BADINPUT || err_msg() == NULL)
			fprintf(stderr, "strata record: %" PRIu64 " events, %" PRIu64
					" dropped (ring buffer full) -> %s\n",
				events, drops, o.out);
	}
	console_server_end(csrv, ret); /* after the END chunk: the console reads it all */
	if (ret == EXIT_BADINPUT && err_msg())
		fprintf(stderr, "%s\n", err_msg());
	if (pidfd >= 0)
		close(pidfd);
	for (size_t k = 0; libfns && k < objs_count(objs); k++)
		funcs_free(libfns[k]);
	free(libfns);
	for (size_t k = 0; discs && rts && k < objs_count(objs); k++) {
		adisc_free(discs[k]);
		funcs_free(rts[k]);
	}
	free(discs);
	free(rts);
	objs_free(objs);
	free(paths);
	free(st.biases);
	nas_free(st.as);
	probes_free(probes);
	funcs_free(fn);
	free(meta);
	return ret;
}
