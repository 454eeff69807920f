/* srcline — source lines of functions from DWARF, for `strata view` (inside src/viewer). */
#ifndef STRATA_VIEWER_SRCLINE_H
#define STRATA_VIEWER_SRCLINE_H

#include <stddef.h>
#include <stdint.h>

struct vw_src;

/* The DWARF of these ELF files (NULLs, unreadable files and files without DWARF are skipped).
 * NULL + errno only when out of memory. */
struct vw_src *vw_src_open(const char *const *paths, unsigned n);
void vw_src_close(struct vw_src *s);
/* The source file and line of the code at addr. 0 or -ENOENT. */
int vw_src_lookup(struct vw_src *s, uint64_t addr, char *file, size_t n, unsigned *line);
/* count lines of file from two before line on, numbered, line marked with '>', into buf. 0 or
 * -errno (the file is not there). */
int vw_src_text(const char *file, unsigned line, unsigned count, char *buf, size_t n);

#endif
