/* view — the table of dump formats, and the loop from events to a view. */
#include "views/view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct view_ops *const formats[] = {&view_text, &view_perfetto, &view_chrome,
						 &view_folded, &view_nemu};

const struct view_ops *view_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}

const char *view_srcline(const struct view_opts *o, unsigned priv, uint64_t addr)
{
	return o->names && o->names->srcline ? o->names->srcline(o->ctx, priv, addr) : NULL;
}

struct sink {
	const struct view_ops *ops;
	void *v;
};

static int to_view(void *arg, const struct ana_ev *e)
{
	struct sink *s = arg;
	return s->ops->event(s->v, e);
}

int view_run_events(const struct view_ops *ops, const struct view_opts *o, FILE *out,
		    const struct tev *evs, size_t n)
{
	struct sink s = {ops, ops->begin(out, o)};
	if (!s.v)
		return -ENOMEM;
	struct ana *a = ana_new(o->names, o->ctx, o->insns, to_view, &s);
	int rc = a ? 0 : -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++)
		rc = ana_feed(a, &evs[i]);
	if (!rc)
		rc = ana_finish(a);
	static const struct ana_stats none;
	int rc2 = ops->end(s.v, a ? ana_stats(a) : &none);
	ana_free(a);
	return rc ? rc : rc2;
}
