/* attach — uprobes on many functions of one file, as uprobe_multi links (one bpf() link for all
 * of them, kernel 6.6+) or, where the kernel has none, as one single-uprobe link per function. */
#ifndef STRATA_EBPF_ATTACH_H
#define STRATA_EBPF_ATTACH_H

#include <stddef.h>
#include <stdint.h>

struct bpf_program;

enum attach_mode { ATTACH_AUTO = 0, ATTACH_MULTI = 1, ATTACH_SINGLE = 2 };

struct attach_set; /* the links created, detached together */

/* Attach prog at every file offset off[i] of path with cookie[i] (a uretprobe if ret), only in
 * process pid (0: every process). MULTI: one link through BPF_LINK_CREATE (libbpf 1.1 has no
 * helper for it); SINGLE: n links through libbpf, asking stop() (may be NULL) before each:
 * a link can take ~100 ms, so a signal must not wait for thousands of them. Returns 0, -EINTR
 * when stop() said so, or -errno (links made so far stay in s and are released by
 * attach_free). */
int attach_uprobes(struct attach_set *s, enum attach_mode mode, struct bpf_program *prog,
		   const char *path, const uint64_t *off, const uint64_t *cookie, size_t n, int pid,
		   int ret, int (*stop)(void));
struct attach_set *attach_new(void);
/* Detach everything (closing a link removes its uprobes) and free. NULL is ignored. */
void attach_free(struct attach_set *s);
size_t attach_nlinks(const struct attach_set *s);

#endif
