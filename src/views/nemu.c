/* nemu — ftrace the way NEMU (NJU PA, 一生一芯) users print it: one line per call and return,
 * "PC: call [f@TARGET]" / "PC: ret [f]" (PC = the jump), indented two spaces per level. Tail
 * calls, which NEMU's hand-written ftrace cannot tell from jumps, are "tail [f@TARGET]" lines at
 * the depth of the frame they replace. Traps and the rest of the trace are left out. */
#include "views/view.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

struct nemu_view {
	FILE *out;
};

static void *nemu_begin(FILE *out, const struct view_opts *o)
{
	struct nemu_view *n = calloc(1, sizeof(*n));

	if (n)
		n->out = out;
	return n;
}

static int nemu_event(void *v, const struct ana_ev *e)
{
	struct nemu_view *n = v;
	const struct ana_frame *f;
	int indent;

	if (!e->ev || !e->depth || (e->kind != ANA_ENTER && e->kind != ANA_EXIT))
		return 0;
	f = &e->stack[e->depth - 1];
	if (f->kind != ANA_FRAME_FUNC)
		return 0;
	indent = 2 * (int)(e->depth - 1);
	if (e->kind == ANA_ENTER && (e->ev->type == TEV_CALL || e->ev->type == TEV_TAIL))
		fprintf(n->out, "0x%08" PRIx64 ": %*s%s [%s@0x%08" PRIx64 "]\n", e->ev->pc, indent,
			"", e->ev->type == TEV_CALL ? "call" : "tail", f->name, f->addr);
	else if (e->kind == ANA_EXIT && e->ev->type == TEV_RET)
		fprintf(n->out, "0x%08" PRIx64 ": %*sret  [%s]\n", e->ev->pc, indent, "", f->name);
	return ferror(n->out) ? -EIO : 0;
}

static int nemu_end(void *v, const struct ana_stats *st)
{
	struct nemu_view *n = v;
	int rc = ferror(n->out) ? -EIO : 0;

	free(n);
	return rc;
}

const struct view_ops view_nemu = {
    .name = "nemu", .begin = nemu_begin, .event = nemu_event, .end = nemu_end};
