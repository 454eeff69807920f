/* session — the BPF side of `strata record`: load the programs (libbpf skeleton of
 * record.bpf.c), attach entry probes (and return probes, except on waker functions) at every
 * address of the probe list for one process (one uprobe_multi link per object file and kind), hand every ring-buffer record to a callback, count what the kernel dropped, and
 * detach everything when closed. */
#ifndef STRATA_EBPF_SESSION_H
#define STRATA_EBPF_SESSION_H

#include "ebpf/attach.h"
#include "ebpf/probe_event.h"

#include <stdint.h>

struct probes;
struct ebpf_session;

typedef int (*ebpf_event_fn)(void *ctx, const struct probe_event *e);

struct ebpf_opts {
	const char *const *paths;   /* the probed objects' files (probe.obj indexes them) */
	size_t npaths;
	const struct probes *probes; /* where and what (cookie = index) */
	int64_t ctx_waker, waker_data; /* Context -> waker data offsets (-1: unknown) */
	int pid;		    /* the traced process */
	enum attach_mode mode;	    /* AUTO: uprobe_multi, single uprobes if the kernel refuses */
	uint64_t ring_bytes;	    /* ring buffer size (power of two >= 4096); 0 = 16 MiB */
	ebpf_event_fn fn;
	void *ctx;
	int (*stop)(void);	    /* nonzero: stop attaching (a signal came); may be NULL */
};

/* Load and attach. NULL with err_set() (the message names what failed and why; errno EINTR
 * when o->stop() ended the attach: whatever was attached is detached again). */
struct ebpf_session *ebpf_open(const struct ebpf_opts *o);
/* Wait up to timeout_ms for records and pass them to fn. Returns the number consumed, or
 * -errno (a negative return of fn stops consumption and is returned). */
int ebpf_poll(struct ebpf_session *s, int timeout_ms);
/* Detach every probe, then send what the threads' batches still hold to the ring buffer (to be
 * taken with ebpf_poll). NULL or a second call is ignored. */
void ebpf_detach(struct ebpf_session *s);
/* Records the kernel could not put into the full ring buffer so far. */
uint64_t ebpf_drops(const struct ebpf_session *s);
/* The mode used (MULTI or SINGLE), the number of links and the attach time. */
enum attach_mode ebpf_mode(const struct ebpf_session *s);
uint64_t ebpf_attach_ns(const struct ebpf_session *s);
size_t ebpf_nlinks(const struct ebpf_session *s);
/* Detach every probe (links closed before anything else), then free. NULL is ignored. */
void ebpf_close(struct ebpf_session *s);

#endif
