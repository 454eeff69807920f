/* demangle_test — names taken from real objects: rustc 1.95 (-C symbol-mangling-version=legacy
 * and v0, a crate "demo" with a generic impl) and g++ 12 (a const method, a template). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/symbols.h"

static const struct {
	const char *mangled;
	const char *want;
} cases[] = {
    /* Rust legacy: the ::h<hash> suffix goes, $LT$/$GT$ escapes are decoded */
    {"_ZN4demo7do_work17h5747b91d7550f084E", "demo::do_work"},
    {"_ZN4demo5inner9poll_task17h6c14eb7c72a7f76dE", "demo::inner::poll_task"},
    {"_ZN4demo16Wrapper$LT$T$GT$3get17h7db668048aa5d8edE", "demo::Wrapper<T>::get"},
    {"_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write"},
    /* Rust v0 */
    {"_RNvCsauMP1AnkCw5_4demo7do_work", "demo::do_work"},
    {"_RNvNtCsauMP1AnkCw5_4demo5inner9poll_task", "demo::inner::poll_task"},
    {"_RNvMCsauMP1AnkCw5_4demoINtB2_7WrapperyE3getB2_", "<demo::Wrapper<u64>>::get"},
    /* C++ */
    {"_ZNK2ns3Foo3barEiPKc", "ns::Foo::bar(int, char const*) const"},
    {"_Z5twiceIiET_S0_", "int twice<int>(int)"},
    {"_ZNSt6vectorIiSaIiEE9push_backERKi",
     "std::vector<int, std::allocator<int> >::push_back(int const&)"},
    /* not mangled: unchanged */
    {"main", "main"},
    {"_start", "_start"},
    {"sbi_trap_handler", "sbi_trap_handler"},
    {"_Znot_really", "_Znot_really"},
    {"_R", "_R"},
    {"", ""},
};

int main(void)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sym_demangle(cases[i].mangled);
		if (!got || strcmp(got, cases[i].want) != 0 || got == cases[i].mangled) {
			printf("FAIL demangle: \"%s\" -> \"%s\", want \"%s\" (a fresh copy)\n",
			       cases[i].mangled, got ? got : "(null)", cases[i].want);
			failures++;
		}
		free(got);
	}
	if (!failures)
		printf("PASS demangle (%zu names)\n", sizeof(cases) / sizeof(cases[0]));
	return failures ? 1 : 0;
}
