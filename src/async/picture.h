/* picture — async task pictures read from a stopped program's memory, with no tracer: the
 * tasks an executor holds as `dyn Future` pointers on the stack, and each one's await tree
 * (a coroutine's __state and __awaitee, a hand-written future's future-typed fields) decoded
 * with the DWARF discovery of discover.h. One implementation for two callers: the GDB stub's
 * and `strata attach`'s `monitor tasks` / `monitor await` (the stub reads the machine, attach
 * reads the upstream with m packets). Poll counts come only from a tracer: they print as `?`.
 *
 * Tasks are found by scanning the stack above sp for fat pointers (data, vtable) whose vtable
 * lies in a symbol file's data and holds, in its poll slot (drop, size, align, poll), the entry
 * of a discovered future of that size, with a valid __state at data. The longest run of such
 * pointers (an array of tasks) gives the order; others follow by stack address. Executors that
 * keep tasks elsewhere (a static list, the heap) are not seen: `monitor await ADDR NAME` still
 * decodes a future whose address is known. Addresses are the ELFs' link-time addresses (no load
 * bias: static firmware, kernels and bare-metal programs). */
#ifndef STRATA_ASYNC_PICTURE_H
#define STRATA_ASYNC_PICTURE_H

#include <stddef.h>
#include <stdint.h>

struct apic; /* the symbol files and their discovery, opened on first use (opaque) */

/* How the picture reads memory: len bytes at virtual address addr as the stopped CPU sees
 * it, all or nothing. 0 or negative errno. */
struct apic_mem {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	void *ctx;
};

/* Bytes of stack scanned above sp for task pointers (fewer when memory ends sooner). */
#define APIC_STACK_SCAN 0x10000

/* NULL + errno. */
struct apic *apic_new(void);
void apic_free(struct apic *pc);
/* Add a symbol file (copied); its DWARF is read at the first picture. 0 or -ENOMEM. */
int apic_add(struct apic *pc, const char *path);

/* `monitor tasks`: every task found above sp and its await tree, as text into out (size
 * bytes, cut with "...\n" when full). Bad input and unreadable memory give one line of text.
 * 0, or -ENOMEM. */
int apic_tasks(struct apic *pc, const struct apic_mem *m, uint64_t sp, char *out, size_t size);
/* `monitor await ADDR [NAME]` (args is "ADDR [NAME]"): the await tree of the future at ADDR,
 * whose kind is NAME (a future's function or type name) or, without NAME, the kind it has as a
 * task or awaited future found from sp. 0, or -ENOMEM. */
int apic_await(struct apic *pc, const struct apic_mem *m, uint64_t sp, const char *args, char *out,
	       size_t size);

#endif
