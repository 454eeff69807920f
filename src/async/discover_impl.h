/* discover_impl — what discover.c (DWARF walk, classification, lookups) and discover_waker.c
 * (waker vtables) share. Private to src/async. */
#ifndef STRATA_ASYNC_DISCOVER_IMPL_H
#define STRATA_ASYNC_DISCOVER_IMPL_H

#include "async/discover.h"

#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define PATH_MAX_DEPTH 64

struct cand { /* a subprogram DIE with a name: maybe a future's poll function */
	Dwarf_Off off;
	char *qname; /* namespace path :: name */
	long fidx;   /* -2 not classified yet, -1 not a future, else index */
};

struct inst { /* code of a subprogram: out of line or an inlined copy */
	Dwarf_Off origin;
	uint64_t entry;
	struct adisc_range *r;
	unsigned nr;
	bool inlined;
};

struct tname {
	Dwarf_Off off;
	char *qname;
};

struct svar { /* a static variable with an address */
	Dwarf_Off type;
	uint64_t addr;
	char *qname;
};

struct fut { /* adisc_future plus what discovery owns for it */
	struct adisc_future pub;
	struct adisc_range *ranges, *inl;
	uint64_t *inl_entry;
	unsigned cap_r, cap_i;
	struct adisc_variant *variants;
	struct adisc_child *children;
	char *name, *type_name, *poll_type;
	Dwarf_Off self_type;
};

struct pcent {
	uint64_t lo, hi;
	size_t fidx;
	bool inlined;
};

struct adisc {
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dw;	  /* of elf, or of the separate debug file */
	int dbg_fd;	  /* the separate debug file (discover_sep.c), or -1 */
	Elf *dbg_elf;
	char *dbg_path;
	unsigned machine, ptr_size;
	char rustc[32];
	bool have_rustc;
	struct cand *cand;
	size_t ncand, capcand;
	struct inst *inst;
	size_t ninst, capinst;
	struct tname *tn;
	size_t ntn, captn;
	struct svar *sv;
	size_t nsv, capsv;
	struct fut *fut;
	size_t nfut, capfut;
	struct pcent *entries; /* out-of-line entries, sorted by lo */
	size_t nentries;
	struct pcent *pcs; /* every range, sorted by lo */
	size_t npcs;
	struct adisc_vtable *vt;
	size_t nvt;
	struct pcent *wfn; /* waker functions: lo = entry, fidx = kind */
	size_t nwfn;
	struct adisc_waker_layout wl;
	struct adisc_taskrun *tr; /* discover_task.c, once asked for */
	size_t ntr, captr;
	bool tr_done;
};

#define GROW(arr, n, cap)                                                                          \
	((n) < (cap) ? 0                                                                           \
		     : ((cap) = (cap) ? 2 * (cap) : 64,                                            \
			(arr) = reallocarray((arr), (cap), sizeof(*(arr))), (arr) ? 0 : -ENOMEM))

/* DWARF helpers (discover.c) */
const char *ad_die_name(Dwarf_Die *die);
bool ad_die_type(Dwarf_Die *die, Dwarf_Die *t);
bool ad_find_member(Dwarf_Die *st, const char *name, Dwarf_Die *out);
int64_t ad_member_off(Dwarf_Die *m);
const char *ad_type_qname(const struct adisc *d, Dwarf_Die *t);
const char *ad_tname_of(const struct adisc *d, Dwarf_Off off);
/* The first of n elements of size bytes at base, sorted by the uint64_t key at key_off, whose key
 * is >= key; n if none. One binary search for every sorted table of discovery. */
size_t ad_search(const void *base, size_t n, size_t size, size_t key_off, uint64_t key);
/* First entry of a (sorted by lo) whose lo >= pc. */
static inline size_t ad_lower_bound(const struct pcent *a, size_t n, uint64_t pc)
{
	return ad_search(a, n, sizeof(*a), offsetof(struct pcent, lo), pc);
}
/* The RawWakerVTable fields in order (discover_waker.c). */
extern const char *const ad_vt_fields[4];
/* Waker vtables and the Context/Waker layout (discover_waker.c). 0 or -errno. */
int ad_find_vtables(struct adisc *d);
/* Open d's DWARF from a separate debug file (discover_sep.c): 1 found (d->dw set), 0 not found
 * (why: " (what was looked for)" for the message, may be empty), -ENOMEM. */
int ad_open_separate(struct adisc *d, char *why, size_t whylen);

#endif
