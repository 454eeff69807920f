/* session — see session.h. */
#include "ebpf/session.h"
#include "ebpf/probes.h"
#include "util/err.h"

#include "record.skel.h" /* generated: bpftool gen skeleton (Makefile) */

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define STRATA_BPF_TRACE_UPROBE_MULTI 48 /* see attach.c */

struct ebpf_session {
	struct record_bpf *skel;
	struct ring_buffer *rb;
	struct attach_set *links;
	struct bpf_link *exit_link; /* strata_thread_exit: a thread's last records at its exit */
	enum attach_mode mode;
	uint64_t attach_ns;
	size_t want_links; /* links the attach would make */
	unsigned fail_obj; /* the object whose attach failed */
	ebpf_event_fn fn;
	void *ctx;
	int ncpus;
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own chatter only on request: strata prints one line per failure itself */
	if (getenv("STRATA_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* A ring-buffer sample is a batch of one thread's records (record.bpf.c). */
static int on_record(void *ctx, void *data, size_t size)
{
	struct ebpf_session *s = ctx;
	int ret = 0;

	for (size_t off = 0; !ret && off + sizeof(struct probe_event) <= size;
	     off += sizeof(struct probe_event)) {
		struct probe_event e;

		memcpy(&e, (const uint8_t *)data + off, sizeof(e)); /* 8-byte aligned anyway */
		ret = s->fn(s->ctx, &e);
	}
	return ret;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Open and load the skeleton with the program pair for mode. 0 or -errno. */
static int load(struct ebpf_session *s, const struct ebpf_opts *o, enum attach_mode mode)
{
	bool multi = mode == ATTACH_MULTI;
	int ret;

	s->skel = record_bpf__open();
	if (!s->skel)
		return -errno;
	s->skel->rodata->target_tgid = (uint32_t)o->pid;
	s->skel->rodata->ctx_waker = o->ctx_waker;
	s->skel->rodata->waker_data = o->waker_data;
	bpf_map__set_max_entries(s->skel->maps.cfg, (uint32_t)(probes_count(o->probes) + 1));
	bpf_map__set_max_entries(s->skel->maps.events,
				 (uint32_t)(o->ring_bytes ? o->ring_bytes : 1u << 24));
	if (getenv("STRATA_BPF_PROFILE_CUT")) /* bench/ebpf/run's cost breakdown only */
		s->skel->rodata->prof_cut = (uint32_t)atoi(getenv("STRATA_BPF_PROFILE_CUT"));
	s->skel->rodata->ring_half = (o->ring_bytes ? o->ring_bytes : 1u << 24) / 2;
	bpf_program__set_autoload(s->skel->progs.strata_entry_multi, multi);
	bpf_program__set_autoload(s->skel->progs.strata_exit_multi, multi);
	bpf_program__set_autoload(s->skel->progs.strata_entry, !multi);
	bpf_program__set_autoload(s->skel->progs.strata_exit, !multi);
	if (multi) {
		bpf_program__set_expected_attach_type(s->skel->progs.strata_entry_multi,
						      STRATA_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(s->skel->progs.strata_exit_multi,
						      STRATA_BPF_TRACE_UPROBE_MULTI);
	}
	ret = record_bpf__load(s->skel);
	for (uint32_t i = 0; !ret && i < probes_count(o->probes); i++)
		if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.cfg), &i,
					&probes_at(o->probes, i)->cfg, BPF_ANY))
			ret = -errno;
	if (ret) {
		record_bpf__destroy(s->skel);
		s->skel = NULL;
		return ret < 0 ? ret : -EINVAL;
	}
	return 0;
}

/* The entry and return links of the probes of object k. 0 or -errno. */
static int attach_obj(struct ebpf_session *s, const struct ebpf_opts *o, enum attach_mode mode,
		      unsigned k, uint64_t *off, uint64_t *cookie, uint64_t *roff, uint64_t *rcookie)
{
	size_t n = 0, nret = 0;
	bool multi = mode == ATTACH_MULTI;
	int ret;

	for (size_t i = 0; i < probes_count(o->probes); i++) {
		const struct probe *p = probes_at(o->probes, i);

		if (p->obj != k)
			continue;
		off[n] = p->foff;
		cookie[n++] = i;
		/* a waker function's return tells nothing; the others pair with their entry */
		if (p->cfg.what & (PCFG_FUNC | PCFG_POLL | PCFG_TASK)) {
			roff[nret] = p->foff;
			rcookie[nret++] = i;
		}
	}
	s->fail_obj = k;
	ret = attach_uprobes(s->links, mode,
			     multi ? s->skel->progs.strata_entry_multi : s->skel->progs.strata_entry,
			     o->paths[k], off, cookie, n, o->pid, 0, o->stop);
	if (!ret)
		ret = attach_uprobes(
		    s->links, mode,
		    multi ? s->skel->progs.strata_exit_multi : s->skel->progs.strata_exit,
		    o->paths[k], roff, rcookie, nret, o->pid, 1, o->stop);
	return ret;
}

static int attach(struct ebpf_session *s, const struct ebpf_opts *o, enum attach_mode mode)
{
	size_t n = probes_count(o->probes);
	uint64_t *off = calloc(n + 1, sizeof(*off)), *cookie = calloc(n + 1, sizeof(*cookie));
	uint64_t *roff = calloc(n + 1, sizeof(*roff)), *rcookie = calloc(n + 1, sizeof(*rcookie));
	int ret = -ENOMEM;

	if (!off || !cookie || !roff || !rcookie)
		goto out;
	s->links = attach_new();
	if (!s->links)
		goto out;
	s->want_links = 0;
	for (size_t i = 0; i < n; i++) {
		const struct probe *p = probes_at(o->probes, i);
		bool ret_too = p->cfg.what & (PCFG_FUNC | PCFG_POLL | PCFG_TASK);

		if (mode != ATTACH_MULTI)
			s->want_links += 1 + ret_too;
	}
	/* uprobe_multi: an entry link per object with probes, a return link per object with
	 * return probes */
	for (unsigned k = 0; mode == ATTACH_MULTI && k < o->npaths; k++) {
		bool ent = false, rp = false;

		for (size_t i = 0; i < n; i++) {
			const struct probe *p = probes_at(o->probes, i);

			if (p->obj == k) {
				ent = true;
				rp |= (p->cfg.what & (PCFG_FUNC | PCFG_POLL | PCFG_TASK)) != 0;
			}
		}
		s->want_links += ent + rp;
	}
	ret = 0;
	for (unsigned k = 0; !ret && k < o->npaths; k++)
		ret = attach_obj(s, o, mode, k, off, cookie, roff, rcookie);
out:
	free(off);
	free(cookie);
	free(roff);
	free(rcookie);
	return ret;
}

/* Run strata_drain over every task: the rest of each live thread's batch goes to the ring. */
static void drain_batches(struct ebpf_session *s)
{
	struct bpf_link *l = bpf_program__attach_iter(s->skel->progs.strata_drain, NULL);
	char buf[256];
	int fd;

	if (!l)
		return;
	fd = bpf_iter_create(bpf_link__fd(l));
	if (fd >= 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	bpf_link__destroy(l);
}

void ebpf_detach(struct ebpf_session *s)
{
	if (!s || !s->links)
		return;
	attach_free(s->links); /* no probe runs after this returns */
	s->links = NULL;
	if (s->skel)
		drain_batches(s);
}

static void unload(struct ebpf_session *s)
{
	attach_free(s->links); /* detach first: no probe outlives the programs */
	s->links = NULL;
	bpf_link__destroy(s->exit_link);
	s->exit_link = NULL;
	ring_buffer__free(s->rb);
	s->rb = NULL;
	record_bpf__destroy(s->skel);
	s->skel = NULL;
}

struct ebpf_session *ebpf_open(const struct ebpf_opts *o)
{
	struct ebpf_session *s = calloc(1, sizeof(*s));
	enum attach_mode mode = o->mode == ATTACH_SINGLE ? ATTACH_SINGLE : ATTACH_MULTI;
	struct rlimit rl;
	uint64_t t0;
	int ret;

	if (!s) {
		err_set(ENOMEM, "strata record: out of memory");
		return NULL;
	}
	s->fn = o->fn;
	s->ctx = o->ctx;
	s->ncpus = libbpf_num_possible_cpus();
	libbpf_set_print(quiet_print);
	/* single uprobes take two descriptors per function */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (;;) {
		ret = load(s, o, mode);
		if (!ret) {
			t0 = now_ns();
			ret = attach(s, o, mode);
			s->attach_ns = now_ns() - t0;
		}
		if (!ret || ret == -EINTR || mode == ATTACH_SINGLE || o->mode == ATTACH_MULTI)
			break;
		/* the kernel has no uprobe_multi (before 6.6): one link per probe instead */
		unload(s);
		mode = ATTACH_SINGLE;
	}
	if (ret == -EINTR) {
		err_set(EINTR,
			"strata record: interrupted while attaching uprobes (%zu of %zu links made, "
			"now removed)",
			s->links ? attach_nlinks(s->links) : 0, s->want_links);
		goto fail;
	}
	if (ret) {
		err_set(-ret, "strata record: attaching uprobes to %s (%s) failed: %s", o->paths[s->fail_obj],
			mode == ATTACH_MULTI ? "uprobe_multi" : "single uprobes", strerror(-ret));
		goto fail;
	}
	s->mode = mode;
	s->exit_link = bpf_program__attach(s->skel->progs.strata_thread_exit);
	if (!s->exit_link) {
		err_set(errno, "strata record: BPF program at thread exits: %s", strerror(errno));
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record, s, NULL);
	if (!s->rb) {
		err_set(errno, "strata record: BPF ring buffer: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	ebpf_close(s);
	return NULL;
}

int ebpf_poll(struct ebpf_session *s, int timeout_ms)
{
	int ret = ring_buffer__poll(s->rb, timeout_ms);

	if (ret == -EINTR)
		ret = 0;
	/* the probes wake the consumer only when the ring is half full (record.bpf.c): what
	 * arrived without a wakeup is taken here */
	if (ret >= 0) {
		int more = ring_buffer__consume(s->rb);

		ret = more < 0 ? more : ret + more;
	}
	return ret;
}

uint64_t ebpf_drops(const struct ebpf_session *s)
{
	uint64_t sum = 0, *v = calloc((size_t)(s->ncpus > 0 ? s->ncpus : 1), sizeof(*v));
	uint32_t k = 0;

	if (v && s->ncpus > 0 && !bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.drops), &k, v))
		for (int i = 0; i < s->ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

enum attach_mode ebpf_mode(const struct ebpf_session *s)
{
	return s->mode;
}

uint64_t ebpf_attach_ns(const struct ebpf_session *s)
{
	return s->attach_ns;
}

size_t ebpf_nlinks(const struct ebpf_session *s)
{
	return s->links ? attach_nlinks(s->links) : 0;
}

void ebpf_close(struct ebpf_session *s)
{
	if (!s)
		return;
	unload(s);
	free(s);
}
