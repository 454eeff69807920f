/* objs — the ELF objects a process has mapped with code: its executable first, then its shared
 * objects (DT_NEEDED libraries, the dynamic loader, dlopen'ed libraries), from /proc/PID/maps.
 * A uprobe goes on a file, so each object is probed through its own path; where its lowest
 * file page is mapped gives its load bias. */
#ifndef STRATA_EBPF_OBJS_H
#define STRATA_EBPF_OBJS_H

#include <stddef.h>
#include <stdint.h>

struct obj {
	char *path;
	uint64_t lo0; /* where the mapping of file offset 0 starts (0: not found) */
};

struct objs;

/* The objects of pid with an executable mapping; exe (the process's executable, from
 * /proc/PID/exe) is object 0 even if maps does not show it. Files that are gone ("(deleted)")
 * and pseudo-mappings ([vdso]) are left out. NULL with err_set() on failure. */
struct objs *objs_load(int pid, const char *exe);
void objs_free(struct objs *o);
size_t objs_count(const struct objs *o);
const struct obj *objs_at(const struct objs *o, size_t i);

#endif
