/* symfind — look a function up by name across a symbol set (for --trace-filter=SYM and
 * --trace-start/stop=SYM). Linear: it runs once per option at start-up. */
#include "symbols/symbols.h"
#include "symbols/symtab_impl.h"

#include <string.h>

const struct sym *symset_find(const struct symset *s, const char *name)
{
	for (size_t i = 0; i < symset_ntables(s); i++) {
		const struct symtab *t = symset_table(s, i);

		for (size_t k = 0; k < t->count; k++)
			if (!strcmp(t->syms[k].name, name))
				return &t->syms[k];
	}
	return NULL;
}
