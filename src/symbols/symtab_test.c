/* symtab_test — loading testdata/syms.elf (see testdata/gen.sh: C functions, an alias, a static
 * function, assembly labels, mangled names, two code sections), lookups at every boundary,
 * offsets, bad files, and the serialized form including malformed buffers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/symbols.h"
#include "symbols/testdata/syms_expect.h"
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

static char *testdata(const char *file)
{
	static char buf[4096];
	const char *root = getenv("STRATA_ROOT");
	snprintf(buf, sizeof(buf), "%s/src/symbols/testdata/%s", root ? root : ".", file);
	return buf;
}

#define TEXT_END (X_TEXT_START + X_TEXT_SIZE)
#define TAIL_END (X_TAIL_START + X_TAIL_SIZE)

/* What a lookup at addr must give: a name, or NULL for "no function here". */
struct probe {
	uint64_t addr;
	const char *name;
};

static const struct probe probes[] = {
    {X_TEXT_START - 1, NULL},
    {X__start_ADDR, "_start"},
    {X_trap_entry_ADDR - 1, "_start"}, /* size-0 label: up to the next symbol */
    {X_trap_entry_ADDR, "trap_entry"},
    {X_trap_entry_ADDR + 2, "trap_entry"}, /* .Lglobal_label is not a function */
    {X_local_label_ADDR, "trap_entry"},	   /* nor is a local label */
    {X__ZN4core3fmt5write17h0123456789abcdefE_ADDR, "core::fmt::write"}, /* 3 aliases */
    {X__ZN4core3fmt5write17h0123456789abcdefE_ADDR + 3, "core::fmt::write"},
    {X__RNvCs1234_7mycrate3foo_ADDR, "mycrate::foo"},
    {X__ZN3foo3barEv_ADDR + 1, "foo::bar()"},
    {X__ZN3foo3barEv_ADDR + X__ZN3foo3barEv_SIZE, NULL}, /* the gap after a sized function */
    {X_twice_ADDR - 1, NULL},
    {X_twice_ADDR, "twice"}, /* static */
    {X_helper_add_ADDR + X_helper_add_SIZE - 1, "helper_add"},
    {X_real_entry_ADDR, "entry_alias"}, /* two globals: fewer underscores, then by name */
    {X_real_entry_ADDR + X_real_entry_SIZE, "last_label"},
    {TEXT_END - 1, "last_label"},
    {TEXT_END, NULL}, /* a label ends with its section */
    {X_TAIL_START - 1, NULL},
    {X_tail_fn_ADDR, "tail_fn"},
    {TAIL_END - 1, "tail_fn"},
    {TAIL_END, NULL},
    {X_data_label_ADDR, NULL}, /* labels in data are not functions */
    {0, NULL},
    {UINT64_MAX, NULL},
};

/* Every probe, shifted by offset; returns the number of mismatches and prints the first. */
static int check_probes(const struct symtab *t, int64_t offset, const char *what)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint64_t a = probes[i].addr + (uint64_t)offset;
		const struct sym *s = symtab_lookup(t, a);
		const char *got = s ? s->name : NULL;
		bool ok = probes[i].name ? got && !strcmp(got, probes[i].name) : got == NULL;
		if (!ok && bad++ == 0)
			printf("FAIL %s: lookup(0x%llx) = %s, want %s\n", what,
			       (unsigned long long)a, got ? got : "NULL",
			       probes[i].name ? probes[i].name : "NULL");
	}
	return bad;
}

static void test_load(void)
{
	struct symtab *t = symtab_load(testdata("syms.elf"), 3, 0);
	if (!t) {
		printf("FAIL symtab_load: %s\n", err_msg());
		failures++;
		return;
	}
	CHECK("symtab_count", symtab_count(t) == 10, "%zu symbols, want 10", symtab_count(t));
	CHECK("symtab_priv_path", symtab_priv(t) == 3 && strstr(symtab_path(t), "syms.elf"),
	      "priv %d path %s", symtab_priv(t), symtab_path(t));
	int bad = check_probes(t, 0, "symtab_lookup");
	if (!bad)
		printf("PASS symtab_lookup\n");
	failures += bad != 0;

	const struct sym *s = symtab_lookup(t, X__start_ADDR);
	const struct sym *f = symtab_lookup(t, X_helper_add_ADDR);
	const struct sym *l = symtab_lookup(t, X_last_label_ADDR);
	CHECK("symtab_sizes",
	      s && s->size == X_trap_entry_ADDR - X__start_ADDR && s->addr == X__start_ADDR && f &&
		  f->size == X_helper_add_SIZE && l && l->size == TEXT_END - X_last_label_ADDR,
	      "_start size %llu, helper_add size %llu, last_label size %llu",
	      s ? (unsigned long long)s->size : 0ull, f ? (unsigned long long)f->size : 0ull,
	      l ? (unsigned long long)l->size : 0ull);
	symtab_free(t);
}

static void test_offset(void)
{
	/* Relocated code (a kernel linked at one address, run at another), both directions. */
	int64_t offs[] = {0x1000, -(int64_t)X_TEXT_START, 0x7f000000000ll};
	int bad = 0;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct symtab *t = symtab_load(testdata("syms.elf"), SYM_PRIV_ANY, offs[i]);
		if (!t) {
			printf("FAIL symtab_offset: %s\n", err_msg());
			failures++;
			return;
		}
		/* Probes at 0 and UINT64_MAX move too; they stay outside the functions. */
		bad += check_probes(t, offs[i], "symtab_offset");
		const struct sym *s = symtab_lookup(t, X__start_ADDR + (uint64_t)offs[i]);
		if (!s || s->addr != X__start_ADDR + (uint64_t)offs[i])
			bad++;
		symtab_free(t);
	}
	if (!bad)
		printf("PASS symtab_offset\n");
	failures += bad != 0;
}

/* NULL, errno, and a one-line message that names the file and contains what. */
static void expect_load_error(const char *name, const char *path, int priv, const char *what)
{
	err_clear();
	errno = 0;
	struct symtab *t = symtab_load(path, priv, 0);
	const char *m = err_msg();
	char want[4200];
	snprintf(want, sizeof(want), "--sym %s: ", path);
	CHECK(name,
	      !t && errno != 0 && m && !strncmp(m, want, strlen(want)) && strstr(m, what) &&
		  !strchr(m, '\n'),
	      "got %p, errno %d, message \"%s\"", (void *)t, errno, m ? m : "(none)");
	symtab_free(t);
}

static void test_bad_files(void)
{
	expect_load_error("symtab_missing", testdata("no-such-file.elf"), 3, "cannot open");
	expect_load_error("symtab_not_elf", testdata("syms_c.c"), 3, "not an ELF");
	expect_load_error("symtab_stripped", testdata("syms-stripped.elf"), 3, "no symbol table");
	expect_load_error("symtab_bad_priv", testdata("syms.elf"), 2, "privilege");

	char path[] = "/tmp/strata-symtab-XXXXXX";
	int fd = mkstemp(path);
	if (fd >= 0) {
		close(fd);
		expect_load_error("symtab_empty_file", path, 3, "not an ELF");
		unlink(path);
	}
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *b = malloc(1 << 16);
	*len = b ? fread(b, 1, 1 << 16, f) : 0;
	fclose(f);
	return b;
}

/* Truncated and corrupted copies of the ELF: the loader returns a table or an error message,
 * and never reads outside what libelf hands it (ASan in `make SANITIZE=1 check`). */
static void test_corrupt_elf(void)
{
	size_t len;
	uint8_t *orig = read_file(testdata("syms.elf"), &len);
	char path[] = "/tmp/strata-symtab-XXXXXX";
	int fd = mkstemp(path);
	if (!orig || fd < 0) {
		printf("FAIL symtab_corrupt: cannot set up\n");
		failures++;
		free(orig);
		return;
	}
	close(fd);
	uint8_t *buf = malloc(len);
	int bad = 0, loaded = 0, rejected = 0;
	for (int iter = 0; iter < 400; iter++) {
		memcpy(buf, orig, len);
		size_t n = len;
		if (iter < 100) {
			n = (size_t)(rng() % len); /* truncated */
		} else {
			int flips = 1 + (int)(rng() % 8);
			for (int k = 0; k < flips; k++) {
				/* Mostly the headers and the tables at the end, where damage
				 * matters. */
				size_t at =
				    rng() % 4 ? (size_t)(rng() % 64) : (size_t)(rng() % len);
				if (rng() % 2)
					at = len - 1 - (size_t)(rng() % (len < 1200 ? len : 1200));
				buf[at] = (uint8_t)rng();
			}
		}
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, n, f) != n) {
			bad++;
			if (f)
				fclose(f);
			break;
		}
		fclose(f);
		err_clear();
		struct symtab *t = symtab_load(path, 1, 0);
		if (t) {
			loaded++;
			/* Whatever was read must be sorted and usable. */
			for (size_t i = 0; i < symtab_count(t); i++)
				(void)symtab_lookup(t, rng());
			symtab_free(t);
		} else if (err_msg() && !strncmp(err_msg(), "--sym ", 6)) {
			rejected++;
		} else if (errno != ENOMEM) {
			bad++;
		}
	}
	unlink(path);
	free(buf);
	free(orig);
	CHECK("symtab_corrupt", bad == 0 && loaded > 0 && rejected > 0,
	      "%d without message (%d loaded, %d rejected)", bad, loaded, rejected);
}

static bool same_table(const struct symtab *a, const struct symtab *b)
{
	if (symtab_count(a) != symtab_count(b) || symtab_priv(a) != symtab_priv(b) ||
	    strcmp(symtab_path(a), symtab_path(b)) != 0)
		return false;
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		for (int64_t d = -1; d <= 1; d++) {
			const struct sym *x = symtab_lookup(a, probes[i].addr + (uint64_t)d);
			const struct sym *y = symtab_lookup(b, probes[i].addr + (uint64_t)d);
			if (!x != !y)
				return false;
			if (x &&
			    (x->addr != y->addr || x->size != y->size || strcmp(x->name, y->name)))
				return false;
		}
	}
	return true;
}

static void test_serialize(void)
{
	struct symtab *t = symtab_load(testdata("syms.elf"), 1, 0);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (!t || symtab_serialize(t, &buf, &len) != 0) {
		printf("FAIL symtab_serialize: %s\n", err_msg());
		failures++;
		symtab_free(t);
		return;
	}
	struct symtab *u = symtab_deserialize(buf, len);
	CHECK("symtab_roundtrip", u && same_table(t, u), "deserialized %s",
	      u ? "differs" : err_msg());
	/* The layout is documented; pin its start: u32 path length, then the path. */
	uint32_t plen = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
			(uint32_t)buf[3] << 24;
	CHECK("symtab_layout",
	      plen == strlen(symtab_path(t)) && !memcmp(buf + 4, symtab_path(t), plen) &&
		  buf[4 + plen] == 1,
	      "path length %u", plen);

	/* Every truncation, and one byte too many, is refused with a message. */
	int bad = 0;
	for (size_t n = 0; n < len; n++) {
		err_clear();
		struct symtab *v = symtab_deserialize(buf, n);
		if (v || !err_msg())
			bad++;
		symtab_free(v);
	}
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, buf, len);
	longer[len] = 0;
	struct symtab *v = symtab_deserialize(longer, len + 1);
	if (v)
		bad++;
	symtab_free(v);
	CHECK("symtab_deserialize_truncated", bad == 0, "%d truncations accepted", bad);

	/* Corrupted copies and random buffers: any outcome but a crash or an overread; what is
	 * accepted must be a usable table. */
	int accepted = 0;
	for (int iter = 0; iter < 3000; iter++) {
		uint8_t *b;
		size_t n;
		if (iter % 2) {
			memcpy(longer, buf, len);
			for (int k = 0; k < 1 + iter % 4; k++)
				longer[rng() % len] = (uint8_t)rng();
			b = longer;
			n = len;
		} else {
			n = (size_t)(rng() % 64);
			b = longer;
			for (size_t k = 0; k < n && k <= len; k++)
				b[k] = (uint8_t)rng();
		}
		struct symtab *w = symtab_deserialize(b, n);
		if (w) {
			accepted++;
			for (int k = 0; k < 8; k++)
				(void)symtab_lookup(w, rng());
			symtab_free(w);
		}
	}
	printf("PASS symtab_deserialize_fuzz (%d of 3000 accepted)\n", accepted);

	/* A count the buffer cannot hold is refused before anything is allocated for it. */
	uint8_t huge[] = {0,
			  0,
			  0,
			  0,
			  /* path "" */ 3,
			  0,
			  0,
			  0, /* priv M */
			  0,
			  0,
			  0,
			  0,
			  0,
			  0,
			  0,
			  0,
			  /* offset */ 0xff,
			  0xff,
			  0xff,
			  0xff};
	err_clear();
	v = symtab_deserialize(huge, sizeof(huge));
	CHECK("symtab_deserialize_count", !v && err_msg() && strstr(err_msg(), "count"), "%s",
	      err_msg() ? err_msg() : "accepted");
	symtab_free(v);

	/* An empty table survives the trip too. */
	uint8_t empty[] = {1, 0, 0, 0, 'k', 0xff, 0xff, 0xff, 0xff, 0, 0,
			   0, 0, 0, 0, 0,   0,	  0,	0,    0,    0};
	v = symtab_deserialize(empty, sizeof(empty));
	CHECK("symtab_deserialize_empty",
	      v && symtab_count(v) == 0 && symtab_priv(v) == SYM_PRIV_ANY &&
		  !strcmp(symtab_path(v), "k") && !symtab_lookup(v, 0),
	      "%s", v ? "wrong contents" : err_msg());
	symtab_free(v);

	free(longer);
	free(buf);
	symtab_free(u);
	symtab_free(t);
}

/* Debian's OpenSBI firmware keeps only .dynsym; use it when the package is installed. */
static void test_opensbi(void)
{
	const char *fw = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf";
	if (access(fw, R_OK) != 0) {
		printf("SKIP symtab_opensbi_dynsym: %s not installed\n", fw);
		return;
	}
	struct symtab *t = symtab_load(fw, 3, 0);
	bool found = false;
	if (t) {
		/* sbi_tlb_local_fence_i is in its .dynsym (a relocated function pointer); scan for
		 * it. */
		for (uint64_t a = 0x80000000; a < 0x80040000 && !found; a += 2) {
			const struct sym *s = symtab_lookup(t, a);
			found = s && !strcmp(s->name, "sbi_tlb_local_fence_i");
		}
	}
	CHECK("symtab_opensbi_dynsym", t && symtab_count(t) > 0 && found, "%s",
	      t ? "sbi_tlb_local_fence_i not found" : err_msg());
	symtab_free(t);
}

int main(void)
{
	test_load();
	test_offset();
	test_bad_files();
	test_corrupt_elf();
	test_serialize();
	test_opensbi();
	return failures ? 1 : 0;
}
