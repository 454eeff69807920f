/* srcline — a function's source lines for the viewer's details panel: where the function that
 * contains its entry address is declared (DWARF, libdw; the line table's row at the entry when
 * there is no declaration) in the trace's firmware and kernel ELF files, and the lines read from
 * the source file when it is there. */
#define _GNU_SOURCE
#include "viewer/srcline.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ELFS 4

struct vw_src {
	Dwarf *dw[MAX_ELFS];
	int fd[MAX_ELFS];
	unsigned n;
};

struct vw_src *vw_src_open(const char *const *paths, unsigned n)
{
	struct vw_src *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	for (unsigned i = 0; i < n && s->n < MAX_ELFS; i++) {
		if (!paths[i])
			continue;
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		Dwarf *d = dwarf_begin(fd, DWARF_C_READ);
		if (!d) { /* no DWARF: nothing to show, not an error */
			close(fd);
			continue;
		}
		s->dw[s->n] = d;
		s->fd[s->n++] = fd;
	}
	return s;
}

void vw_src_close(struct vw_src *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n; i++) {
		dwarf_end(s->dw[i]);
		close(s->fd[i]);
	}
	free(s);
}

struct decl_find {
	uint64_t addr;
	const char *file;
	int line;
};

static int decl_cb(Dwarf_Die *fn, void *arg)
{
	struct decl_find *q = arg;

	if (dwarf_haspc(fn, q->addr) != 1)
		return DWARF_CB_OK;
	q->file = dwarf_decl_file(fn);
	if (dwarf_decl_line(fn, &q->line))
		q->line = 0;
	return DWARF_CB_ABORT;
}

/* The file and line where the function containing addr is declared (dwarf_getscopes finds
 * nothing inside Rust's namespaced subprograms; dwarf_getfuncs does). */
static int decl_of(Dwarf_Die *cu, uint64_t addr, const char **file, int *line)
{
	struct decl_find q = {addr, NULL, 0};
	static char path[1024];

	dwarf_getfuncs(cu, decl_cb, &q, 0);
	if (!q.file || q.line <= 0)
		return -ENOENT;
	*file = q.file;
	*line = q.line;
	if (*q.file != '/') { /* relative to the unit's compilation directory */
		Dwarf_Attribute at;
		const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));

		if (dir && (size_t)snprintf(path, sizeof(path), "%s/%s", dir, q.file) < sizeof(path))
			*file = path;
	}
	return 0;
}

int vw_src_lookup(struct vw_src *s, uint64_t addr, char *file, size_t n, unsigned *line)
{
	for (unsigned i = 0; s && i < s->n; i++) {
		Dwarf_Die cu;
		Dwarf_Line *l;
		int ln;
		const char *f;

		if (!dwarf_addrdie(s->dw[i], addr, &cu))
			continue;
		/* the function's own declaration first: the line table's row at the entry address
		 * may belong to code inlined there (core's atomics in a Rust waker) */
		if (decl_of(&cu, addr, &f, &ln) < 0 &&
		    (!(l = dwarf_getsrc_die(&cu, addr)) || !(f = dwarf_linesrc(l, NULL, NULL)) ||
		     dwarf_lineno(l, &ln) || ln <= 0))
			continue;
		snprintf(file, n, "%s", f);
		*line = (unsigned)ln;
		return 0;
	}
	return -ENOENT;
}

int vw_src_text(const char *file, unsigned line, unsigned count, char *buf, size_t n)
{
	FILE *f = fopen(file, "r");
	char l[512];
	unsigned no = 0;
	size_t len = 0;

	if (!f)
		return -errno;
	buf[0] = 0;
	unsigned from = line > 2 ? line - 2 : 1;
	while (fgets(l, sizeof(l), f) && ++no < from + count) {
		if (no < from)
			continue;
		int w = snprintf(buf + len, n - len, "%5u%s %s%s", no, no == line ? ">" : " ", l,
				 strchr(l, '\n') ? "" : "\n");
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	fclose(f);
	return len ? 0 : -ENOENT;
}
