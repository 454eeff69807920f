/* symset_test — firmware (M), kernel (S) and any-privilege tables over the same addresses: which
 * one a lookup picks, entry detection per privilege, and a large table for the entry hash set.
 * Tables are built through symtab_deserialize, so any addresses can be used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct def {
	uint64_t addr, size;
	const char *name;
};

static void put(uint8_t **p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

/* A table in the serialized layout documented in symtab.c. */
static struct symtab *make_table(const char *path, int priv, const struct def *d, size_t n)
{
	size_t len = 4 + strlen(path) + 4 + 8 + 4;
	for (size_t i = 0; i < n; i++)
		len += 20 + strlen(d[i].name);
	uint8_t *buf = malloc(len), *p = buf;
	put(&p, strlen(path), 4);
	memcpy(p, path, strlen(path));
	p += strlen(path);
	put(&p, (uint32_t)priv, 4);
	put(&p, 0, 8);
	put(&p, n, 4);
	for (size_t i = 0; i < n; i++) {
		put(&p, d[i].addr, 8);
		put(&p, d[i].size, 8);
		put(&p, strlen(d[i].name), 4);
		memcpy(p, d[i].name, strlen(d[i].name));
		p += strlen(d[i].name);
	}
	struct symtab *t = symtab_deserialize(buf, len);
	if (!t)
		printf("FAIL make_table %s: %s\n", path, err_msg());
	free(buf);
	return t;
}

/* A table bound to priv, without the message make_table prints on failure. */
static struct symtab *make_table_quiet(const char *path, int priv)
{
	uint8_t buf[64], *p = buf;

	put(&p, strlen(path), 4);
	memcpy(p, path, strlen(path));
	p += strlen(path);
	put(&p, (uint32_t)priv, 4);
	put(&p, 0, 8);
	put(&p, 0, 4);
	struct symtab *t = symtab_deserialize(buf, (size_t)(p - buf));
	symtab_free(t);
	return t;
}

static const char *name_at(const struct symset *s, int priv, uint64_t a)
{
	const struct sym *r = symset_lookup(s, priv, a);
	return r ? r->name : "NULL";
}

static void test_priority(void)
{
	static const struct def fw[] = {{0x80000000, 0x100, "fw_a"}};
	static const struct def kern[] = {{0x80000000, 0x80, "k_a"}, {0x80200000, 0x10, "k_b"}};
	static const struct def any[] = {
	    {0, 4, "at_zero"}, {0x80000000, 0x200, "any_a"}, {0x90000000, 0x10, "any_b"}};
	struct symset *s = symset_new();
	symset_add(s, make_table("fw.elf", 3, fw, 1));
	symset_add(s, make_table("vmlinux", 1, kern, 2));
	symset_add(s, make_table("shared.elf", SYM_PRIV_ANY, any, 3));

	CHECK("symset_tables",
	      symset_ntables(s) == 3 && !strcmp(symtab_path(symset_table(s, 1)), "vmlinux") &&
		  symset_table(s, 3) == NULL,
	      "%zu tables", symset_ntables(s));

	static const struct {
		int priv;
		uint64_t addr;
		const char *want;
	} cases[] = {
	    {3, 0x80000010, "fw_a"},  /* bound to M */
	    {1, 0x80000010, "k_a"},   /* bound to S */
	    {1, 0x80000090, "any_a"}, /* past k_a: the any-privilege table */
	    {0, 0x80000010, "any_a"}, /* nothing bound to U */
	    {3, 0x90000008, "any_b"}, /* any-privilege serves M too */
	    {3, 0x80200000, "NULL"},  /* the kernel's symbols are not M's */
	    {1, 0x80200000, "k_b"},
	    {SYM_PRIV_ANY, 0x80200000, "k_b"},	/* a query for any privilege sees all */
	    {SYM_PRIV_ANY, 0x80000010, "fw_a"}, /* ... first table first */
	    {3, 0x80000300, "NULL"},
	    {0, 2, "at_zero"},
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = name_at(s, cases[i].priv, cases[i].addr);
		if (strcmp(got, cases[i].want) != 0) {
			printf("FAIL symset_lookup: priv %d 0x%llx: %s, want %s\n", cases[i].priv,
			       (unsigned long long)cases[i].addr, got, cases[i].want);
			bad++;
		}
	}
	if (!bad)
		printf("PASS symset_lookup\n");
	failures += bad != 0;

	CHECK("symset_is_entry",
	      symset_is_entry(s, 3, 0x80000000) && !symset_is_entry(s, 3, 0x80000010) &&
		  symset_is_entry(s, 1, 0x80200000) && !symset_is_entry(s, 3, 0x80200000) &&
		  symset_is_entry(s, 0, 0x90000000) && !symset_is_entry(s, 0, 0x80200000) &&
		  symset_is_entry(s, SYM_PRIV_ANY, 0x80200000) && symset_is_entry(s, 3, 0) &&
		  symset_is_entry(s, 2, 0x90000000) && !symset_is_entry(s, 7, 0x90000000) &&
		  !symset_is_entry(s, -5, 0x90000000),
	      "wrong answer for one of the entry probes");
	symset_free(s);
}

static void test_empty(void)
{
	struct symset *s = symset_new();
	CHECK("symset_empty",
	      s && symset_ntables(s) == 0 && !symset_lookup(s, 1, 0x80000000) &&
		  !symset_is_entry(s, 1, 0x80000000) && !symset_is_entry(s, 1, 0) &&
		  !symset_is_entry(s, SYM_PRIV_ANY, 0x80000000),
	      "an empty set found something");
	symset_free(s);
	symset_free(NULL);
}

/* Thousands of entries, addresses spaced like real code (many sharing low bits), over two tables
 * added one after the other: the set is rebuilt and grows. */
static void test_many(void)
{
	enum { N = 20000 };
	struct def *d = calloc(N, sizeof(*d));
	char(*names)[16] = calloc(N, sizeof(*names));
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "f%zu", i);
		d[i] = (struct def){0xffffffff80000000ull + i * 0x40, 0x20, names[i]};
	}
	struct symset *s = symset_new();
	symset_add(s, make_table("a", 1, d, N / 2));
	symset_add(s, make_table("b", 1, d + N / 2, N - N / 2));
	int bad = 0;
	for (size_t i = 0; i < N; i++) {
		if (!symset_is_entry(s, 1, d[i].addr) || symset_is_entry(s, 1, d[i].addr + 2) ||
		    symset_is_entry(s, 0, d[i].addr))
			bad++;
		const struct sym *r = symset_lookup(s, 1, d[i].addr + 0x1f);
		if (!r || strcmp(r->name, names[i]) || symset_lookup(s, 1, d[i].addr + 0x20))
			bad++;
	}
	CHECK("symset_many", bad == 0, "%d of %d wrong", bad, N);
	symset_free(s);
	free(names);
	free(d);
}

/* A hypervisor (HS = S) and its guest's kernel (VS) and program (VU) at the same addresses: each
 * level finds its own file; level 2 does not exist. */
static void test_guest_levels(void)
{
	static const struct def hyp[] = {{0x80200000, 0x100, "vmm_entry"}};
	static const struct def gk[] = {{0x80200000, 0x80, "guest_start"}};
	static const struct def gu[] = {{0x10000, 0x40, "main"}};
	struct symset *s = symset_new();

	symset_add(s, make_table("xvisor", 1, hyp, 1));
	symset_add(s, make_table("guest-vmlinux", 5, gk, 1));
	symset_add(s, make_table("guest-init", 4, gu, 1));
	CHECK("symset_guest_lookup",
	      !strcmp(name_at(s, 1, 0x80200010), "vmm_entry") &&
		  !strcmp(name_at(s, 5, 0x80200010), "guest_start") &&
		  !strcmp(name_at(s, 4, 0x10004), "main") &&
		  !strcmp(name_at(s, 0, 0x10004), "NULL") &&
		  !strcmp(name_at(s, 5, 0x80200090), "NULL"),
	      "a level saw another level's file");
	CHECK("symset_guest_entry",
	      symset_is_entry(s, 5, 0x80200000) && symset_is_entry(s, 4, 0x10000) &&
		  !symset_is_entry(s, 4, 0x80200000) && !symset_is_entry(s, 6, 0x80200000),
	      "wrong answer for a guest entry probe");
	CHECK("symset_level2_rejected", !make_table_quiet("two", 2),
	      "a table bound to the non-level 2 was accepted");
	symset_free(s);
}

int main(void)
{
	test_guest_levels();
	test_priority();
	test_empty();
	test_many();
	return failures ? 1 : 0;
}
