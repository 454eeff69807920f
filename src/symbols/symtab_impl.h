/* symtab_impl — the parts of symtab shared inside src/symbols/ only. */
#ifndef STRATA_SYMBOLS_SYMTAB_IMPL_H
#define STRATA_SYMBOLS_SYMTAB_IMPL_H

#include "symbols/symbols.h"

struct symtab {
	char *path;
	int priv;
	int64_t offset;
	size_t count;
	struct sym *syms; /* addr ascending, one per address; names malloc'd */
};

#endif
