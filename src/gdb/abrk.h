/* abrk — async breakpoints of the GDB stub (docs/GDB.md "Async breakpoints"): `monitor break-on
 * poll TASK|FUTURE`, `pending FUTURE`, `ready FUTURE`, `wake TASK`, `lost-wake`, `polls N`,
 * evaluated on the async tracer's events as the emulator makes them (--trace=async); a stop
 * says which condition hit and shows the task's await tree. */
#ifndef STRATA_GDB_ABRK_H
#define STRATA_GDB_ABRK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gdb_target;
struct gdb_abrk;

/* Follow the async tracer of t->rec from now on (its events build the task picture the
 * conditions and await trees use). 0, -ENOENT (no async tracer), -ENOMEM. */
int gdb_abrk_attach(struct gdb_target *t);
void gdb_abrk_free(struct gdb_abrk *a);
/* Add condition what (poll, pending, ready, wake, lost-wake, polls) with its argument arg (or
 * NULL). 0, or -EINVAL/-ENOENT with a one-line reason in msg. */
int gdb_abrk_add(struct gdb_target *t, const char *what, const char *arg, char *msg, size_t n);
void gdb_abrk_clear(struct gdb_target *t);
/* The conditions in force, " poll 1 pending Forgetful ..." into buf ("" if none). */
void gdb_abrk_describe(const struct gdb_target *t, char *buf, size_t n);
/* reverse-continue: the last event before instruction count `before` on which a condition
 * holds (with the task picture as it was then): 0 and *insns, or -ENOENT (none, or no
 * conditions) / -ENOMEM. Its stop text is kept for gdb_abrk_rev_note. */
int gdb_abrk_last_before(struct gdb_target *t, uint64_t before, uint64_t *insns);
/* A forward run through a stretch run before (its events are not made again): the first
 * logged event at or after instruction count from on which a condition holds. Same returns. */
int gdb_abrk_next_logged(struct gdb_target *t, uint64_t from, uint64_t *insns);
/* That hit's stop text (as a forward stop's) into buf; returns its hart. */
unsigned gdb_abrk_rev_note(struct gdb_target *t, char *buf, size_t n);
/* The stop text of the latest async stop (what hit, the task's await tree), once; false if the
 * last stop was not one. */
bool gdb_abrk_note(struct gdb_target *t, char *buf, size_t n);

#endif
