/* symsrc_test — source lines from this test's own DWARF: a function found at its ELF address
 * and, with the table loaded at a bias (a shared object's load address), at ELF address + bias;
 * nothing outside any function, nothing at the wrong privilege, nothing for a file without
 * DWARF (a table whose file is gone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/symbols.h"
#include "util/err.h"

static int failures;

#define CHECK(name, cond, ...)                                                                     \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("PASS %s\n", name);                                                 \
		} else {                                                                           \
			printf("FAIL %s: ", name);                                                 \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

/* All on one line, so its first instruction's line is this one at any -O. */
__attribute__((noinline)) int symsrc_probe_me(int x) { return x * 3 + 1; } static const int probe_line = __LINE__;

static void check_at(int64_t bias)
{
	char want[64], name[64];
	struct symset *set = symset_new();
	struct symtab *t = symtab_load("/proc/self/exe", 1, bias);

	snprintf(name, sizeof(name), "bias %#llx", (unsigned long long)bias);
	if (!set || !t || symset_add(set, t)) {
		CHECK(name, 0, "cannot load /proc/self/exe: %s", err_msg());
		return;
	}
	const struct sym *s = symset_find(set, "symsrc_probe_me");
	struct symsrc *src = symsrc_new(set);
	const char *line = s && src ? symsrc_line(src, 1, s->addr) : NULL;
	snprintf(want, sizeof(want), "/symsrc_test.c:%d", probe_line);
	CHECK(name, line && strlen(line) > strlen(want) &&
			    !strcmp(line + strlen(line) - strlen(want), want),
	      "symsrc_probe_me at %#llx: %s, want ...%s", s ? (unsigned long long)s->addr : 0ULL,
	      line ? line : "(none)", want);
	/* the second lookup is the cached one: the same string */
	CHECK("cached", !line || symsrc_line(src, 1, s->addr) == line, "another string");
	CHECK("other privilege", !s || !symsrc_line(src, 3, s->addr), "a line for M mode");
	CHECK("no function", !symsrc_line(src, 1, 8), "a line at address 8");
	symsrc_free(src);
	symset_free(set);
}

int main(void)
{
	check_at(0);
	check_at(0x7f0000000000);
	/* a table whose file has gone since (a trace read elsewhere): no lines, no error */
	char tmp[] = "/tmp/symsrc_testXXXXXX";
	int fd = mkstemp(tmp);
	FILE *in = fopen("/proc/self/exe", "rb"), *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	char buf[65536];
	size_t n;
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	struct symset *set = symset_new();
	struct symtab *t = symtab_load(tmp, 1, 0);
	unlink(tmp);
	if (set && t && !symset_add(set, t)) {
		struct symsrc *src = symsrc_new(set);
		const struct sym *s = symset_find(set, "symsrc_probe_me");
		CHECK("file gone", s && src && !symsrc_line(src, 1, s->addr), "a line from a deleted file");
		symsrc_free(src);
	} else {
		CHECK("file gone", 0, "cannot load the copy: %s", err_msg());
	}
	CHECK("no set", !symsrc_line(NULL, 1, 0x1000), "a line from no set");
	symset_free(set);
	printf("%d failures\n", failures);
	return failures != 0;
}
