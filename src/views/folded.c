/* folded — "hart0;S;a;b;c count" lines (flamegraph.pl, speedscope, inferno): count = the self
 * instructions of the innermost frame, summed over identical stacks, sorted by stack. */
#include "views/view.h"
#include "views/vmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct folded {
	FILE *out;
	struct vmap *stacks; /* key: the stack text, value: uint64_t count */
	char *buf;
	size_t cap;
};

static void *folded_begin(FILE *out, const struct view_opts *o)
{
	struct folded *f = calloc(1, sizeof(*f));
	if (!f || !(f->stacks = vmap_new(sizeof(uint64_t)))) {
		free(f);
		return NULL;
	}
	f->out = out;
	return f;
}

static int append(struct folded *f, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 2 > f->cap) {
		size_t cap = 2 * (*len + n + 2) + 256;
		char *b = realloc(f->buf, cap);
		if (!b)
			return -ENOMEM;
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + *len, s, n);
	*len += n;
	f->buf[(*len)++] = ';';
	return 0;
}

static int folded_event(void *v, const struct ana_ev *e)
{
	struct folded *f = v;
	if (e->kind != ANA_EXIT || !e->self_insns)
		return 0;
	char head[96];
	ana_track_name(e->hart, e->priv, e->space, e->satp, e->hgatp, ';', head, sizeof(head));
	size_t len = 0;
	if (append(f, &len, head))
		return -ENOMEM;
	for (unsigned i = 0; i < e->depth; i++)
		if (append(f, &len, e->stack[i].name))
			return -ENOMEM;
	uint64_t *count = vmap_get(f->stacks, f->buf, len - 1, NULL);
	if (!count)
		return -ENOMEM;
	*count += e->self_insns;
	return 0;
}

static const struct vmap *sort_map;

static int by_key(const void *pa, const void *pb)
{
	const void *ka, *kb;
	size_t la, lb;
	vmap_at(sort_map, *(const size_t *)pa, &ka, &la);
	vmap_at(sort_map, *(const size_t *)pb, &kb, &lb);
	int c = memcmp(ka, kb, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

static int folded_end(void *v, const struct ana_stats *st)
{
	struct folded *f = v;
	size_t n = vmap_count(f->stacks);
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	int rc = order ? 0 : -ENOMEM;
	if (order) {
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		sort_map = f->stacks;
		qsort(order, n, sizeof(*order), by_key);
		for (size_t i = 0; i < n; i++) {
			const void *k;
			size_t klen;
			uint64_t *count = vmap_at(f->stacks, order[i], &k, &klen);
			fprintf(f->out, "%.*s %" PRIu64 "\n", (int)klen, (const char *)k, *count);
		}
		if (ferror(f->out))
			rc = -EIO;
	}
	free(order);
	vmap_free(f->stacks);
	free(f->buf);
	free(f);
	return rc;
}

const struct view_ops view_folded = {
    .name = "folded", .begin = folded_begin, .event = folded_event, .end = folded_end};
