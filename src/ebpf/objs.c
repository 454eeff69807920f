/* objs — see objs.h. */
#include "ebpf/objs.h"
#include "util/err.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct objs {
	struct obj *o;
	size_t n, cap;
};

/* The object named path, added if new; NULL if out of memory. */
static struct obj *get(struct objs *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->o[i].path, path))
			return &s->o[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct obj *t = realloc(s->o, cap * sizeof(*t));

		if (!t)
			return NULL;
		s->o = t;
		s->cap = cap;
	}
	struct obj *o = &s->o[s->n];
	o->path = strdup(path);
	o->lo0 = 0;
	if (!o->path)
		return NULL;
	s->n++;
	return o;
}

struct objs *objs_load(int pid, const char *exe)
{
	struct objs *s = calloc(1, sizeof(*s));
	char mpath[64], line[PATH_MAX + 128];
	FILE *f = NULL;

	if (!s || !get(s, exe))
		goto nomem;
	snprintf(mpath, sizeof(mpath), "/proc/%d/maps", pid);
	f = fopen(mpath, "re");
	if (!f) {
		err_set(errno, "-p %d: cannot read %s: %s", pid, mpath, strerror(errno));
		objs_free(s);
		return NULL;
	}
	/* first pass: objects with code; second: where their offset-0 page is (it is often a
	 * read-only mapping that comes before the code) */
	for (int pass = 0; pass < 2; pass++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			unsigned long long lo, hi, off;
			char perms[8];
			int name = 0;

			line[strcspn(line, "\n")] = 0;
			if (sscanf(line, "%llx-%llx %7s %llx %*x:%*x %*u %n", &lo, &hi, perms, &off,
				   &name) < 4 ||
			    !name || line[name] != '/')
				continue;
			const char *path = line + name;
			size_t len = strlen(path);
			if (len > 10 && !strcmp(path + len - 10, " (deleted)"))
				continue;
			struct obj *o = NULL;
			if (pass == 0 && perms[2] == 'x') {
				if (!get(s, path))
					goto nomem;
			} else if (pass == 1 && off == 0) {
				for (size_t i = 0; i < s->n && !o; i++)
					if (!strcmp(s->o[i].path, path))
						o = &s->o[i];
				if (o && !o->lo0)
					o->lo0 = lo;
			}
		}
	}
	fclose(f);
	return s;
nomem:
	if (f)
		fclose(f);
	objs_free(s);
	err_set(ENOMEM, "strata record: out of memory");
	return NULL;
}

void objs_free(struct objs *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->o[i].path);
	free(s->o);
	free(s);
}

size_t objs_count(const struct objs *s)
{
	return s->n;
}

const struct obj *objs_at(const struct objs *s, size_t i)
{
	return &s->o[i];
}
