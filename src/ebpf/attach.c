/* attach — see attach.h. */
#define _GNU_SOURCE
#include "ebpf/attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* From the kernel's uapi (6.6+); Debian 12's headers and libbpf 1.1 predate them. */
#define STRATA_BPF_TRACE_UPROBE_MULTI	48
#define STRATA_BPF_F_UPROBE_MULTI_RETURN 1u

/* The BPF_LINK_CREATE part of union bpf_attr for uprobe_multi (include/uapi/linux/bpf.h). */
struct link_create_uprobe_multi {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path;
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t uflags;
	uint32_t pid;
};

struct attach_set {
	int *fds;		   /* uprobe_multi link fds */
	struct bpf_link **links;   /* single uprobes */
	size_t nfds, nlinks, capfds, caplinks;
};

struct attach_set *attach_new(void)
{
	return calloc(1, sizeof(struct attach_set));
}

size_t attach_nlinks(const struct attach_set *s)
{
	return s->nfds + s->nlinks;
}

void attach_free(struct attach_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	for (size_t i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	free(s->fds);
	free(s->links);
	free(s);
}

static int multi_link(int prog_fd, const char *path, const uint64_t *off, const uint64_t *cookie,
		      size_t n, int pid, int ret)
{
	union {
		struct link_create_uprobe_multi m;
		union bpf_attr attr; /* the syscall copies sizeof(attr) and wants the rest zero */
	} a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.m.prog_fd = (uint32_t)prog_fd;
	a.m.attach_type = STRATA_BPF_TRACE_UPROBE_MULTI;
	a.m.path = (uint64_t)(uintptr_t)path;
	a.m.offsets = (uint64_t)(uintptr_t)off;
	a.m.cookies = (uint64_t)(uintptr_t)cookie;
	a.m.cnt = (uint32_t)n;
	a.m.uflags = ret ? STRATA_BPF_F_UPROBE_MULTI_RETURN : 0;
	a.m.pid = (uint32_t)pid;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static int push_fd(struct attach_set *s, int fd)
{
	if (s->nfds == s->capfds) {
		size_t cap = s->capfds ? 2 * s->capfds : 4;
		int *t = realloc(s->fds, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		s->fds = t;
		s->capfds = cap;
	}
	s->fds[s->nfds++] = fd;
	return 0;
}

static int push_link(struct attach_set *s, struct bpf_link *l)
{
	if (s->nlinks == s->caplinks) {
		size_t cap = s->caplinks ? 2 * s->caplinks : 64;
		struct bpf_link **t = realloc(s->links, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		s->links = t;
		s->caplinks = cap;
	}
	s->links[s->nlinks++] = l;
	return 0;
}

int attach_uprobes(struct attach_set *s, enum attach_mode mode, struct bpf_program *prog,
		   const char *path, const uint64_t *off, const uint64_t *cookie, size_t n, int pid,
		   int ret, int (*stop)(void))
{
	/* test hook (tests/e2e/ebpf_record.sh attach-interrupted): a pause before each single
	 * link, so that a signal can be sent while links are being made */
	const char *dly = getenv("STRATA_TEST_ATTACH_DELAY_US");
	useconds_t delay = dly ? (useconds_t)strtoul(dly, NULL, 10) : 0;

	if (!n)
		return 0;
	if (mode == ATTACH_MULTI) {
		int fd = multi_link(bpf_program__fd(prog), path, off, cookie, n, pid, ret);

		if (fd < 0)
			return fd;
		if (push_fd(s, fd) < 0) {
			close(fd);
			return -ENOMEM;
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, o, .bpf_cookie = cookie[i], .retprobe = ret != 0);
		struct bpf_link *l;

		if (delay)
			usleep(delay);
		if (stop && stop())
			return -EINTR;
		l = bpf_program__attach_uprobe_opts(prog, pid ? pid : -1, path, off[i], &o);
		if (!l)
			return -errno;
		if (push_link(s, l) < 0) {
			bpf_link__destroy(l);
			return -ENOMEM;
		}
	}
	return 0;
}
