/* demangle — Rust and C++ symbol names made readable with libiberty's demangler. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "symbols/symbols.h"

/* Rust's legacy mangling ends a path with "::h" and 16 hex digits (a hash of the crate's
 * metadata). libiberty drops it unless asked to be verbose; strip it in case it did not. */
static void strip_rust_hash(char *s)
{
	size_t n = strlen(s);
	if (n < 19)
		return;
	char *h = s + n - 19;
	if (memcmp(h, "::h", 3) != 0)
		return;
	for (int i = 3; i < 19; i++)
		if (!isxdigit((unsigned char)h[i]))
			return;
	*h = 0;
}

char *sym_demangle(const char *name)
{
	/* DMGL_AUTO: both Rust manglings (legacy _ZN...E and v0 _R...) and the Itanium C++ ABI;
	 * with DMGL_GNU_V3 alone, v0 names fail and legacy names keep "$LT$" escapes and the hash.
	 * Only those two prefixes are tried: AUTO would also read some plain names as Java or D. */
	if (strncmp(name, "_Z", 2) == 0 || strncmp(name, "_R", 2) == 0) {
		char *d = cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
		if (d) {
			strip_rust_hash(d);
			return d;
		}
	}
	return strdup(name);
}
