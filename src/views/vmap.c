/* vmap — open addressing over an insertion-ordered entry array. */
#include "views/vmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	void *key;
	size_t klen;
	uint64_t hash;
};

struct vmap {
	size_t val_size;
	struct entry *e;
	unsigned char *vals;
	size_t n, cap;	 /* entries */
	uint32_t *index; /* entry number + 1, 0 = empty */
	size_t nindex;
};

struct vmap *vmap_new(size_t val_size)
{
	struct vmap *m = calloc(1, sizeof(*m));
	if (m)
		m->val_size = val_size;
	return m;
}

void vmap_free(struct vmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].key);
	free(m->e);
	free(m->vals);
	free(m->index);
	free(m);
}

static uint64_t hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603u;
	while (n--)
		h = (h ^ *p++) * 1099511628211u;
	return h;
}

static int grow_index(struct vmap *m)
{
	size_t n = m->nindex ? 2 * m->nindex : 64;
	uint32_t *ix = calloc(n, sizeof(*ix));
	if (!ix)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		size_t j = m->e[i].hash & (n - 1);
		while (ix[j])
			j = (j + 1) & (n - 1);
		ix[j] = i + 1;
	}
	free(m->index);
	m->index = ix;
	m->nindex = n;
	return 0;
}

void *vmap_get(struct vmap *m, const void *key, size_t klen, bool *created)
{
	if (created)
		*created = false;
	if (2 * (m->n + 1) > m->nindex && grow_index(m))
		return NULL;
	uint64_t h = hash(key, klen);
	size_t j = h & (m->nindex - 1);
	for (; m->index[j]; j = (j + 1) & (m->nindex - 1)) {
		struct entry *e = &m->e[m->index[j] - 1];
		if (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen))
			return m->vals + (m->index[j] - 1) * m->val_size;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 32;
		struct entry *e = realloc(m->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		m->e = e;
		unsigned char *v = realloc(m->vals, cap * m->val_size);
		if (!v)
			return NULL;
		m->vals = v;
		m->cap = cap;
	}
	void *k = malloc(klen ? klen : 1);
	if (!k)
		return NULL;
	memcpy(k, key, klen);
	m->e[m->n] = (struct entry){k, klen, h};
	m->index[j] = m->n + 1;
	void *val = m->vals + m->n * m->val_size;
	memset(val, 0, m->val_size);
	m->n++;
	if (created)
		*created = true;
	return val;
}

size_t vmap_count(const struct vmap *m)
{
	return m->n;
}

void *vmap_at(const struct vmap *m, size_t i, const void **key, size_t *klen)
{
	if (key)
		*key = m->e[i].key;
	if (klen)
		*klen = m->e[i].klen;
	return m->vals + i * m->val_size;
}
