/* vmap — a small hash map from byte-string keys to fixed-size values, iterated in insertion
 * order (deterministic output), for the views' aggregations. */
#ifndef STRATA_VIEWS_VMAP_H
#define STRATA_VIEWS_VMAP_H

#include <stdbool.h>
#include <stddef.h>

struct vmap;

/* An empty map whose values are val_size bytes. NULL + errno. */
struct vmap *vmap_new(size_t val_size);
void vmap_free(struct vmap *m);
/* The value for key (zeroed when new: *created true), valid until the next insertion. NULL if out
 * of memory. */
void *vmap_get(struct vmap *m, const void *key, size_t klen, bool *created);
size_t vmap_count(const struct vmap *m);
/* Entry i in insertion order: its value, with *key and *klen. */
void *vmap_at(const struct vmap *m, size_t i, const void **key, size_t *klen);

#endif
