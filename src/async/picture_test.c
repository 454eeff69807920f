/* picture_test — monitor tasks/await on memory that strata makes up: the real exec-O2 guest
 * (tests/guests/rust/build, `make guests`) loaded into a fake address space whose stack holds
 * dyn Future pointers (vtables found in the guest's own data) to futures of random bytes.
 * Whatever memory says, the picture is text within its buffer and reads only through the
 * callback (ASan sees the rest); the fixed cases check the one-line messages. */
#include "async/picture.h"
#include "async/discover.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/test_util.h"

#define BASE  0x80000000ull
#define SIZE  (1u << 20) /* the guest's image, a heap of random futures, then the stack */
#define HEAP  (BASE + 0x80000)
#define STACK (BASE + 0xc0000)

static uint8_t mem[SIZE];
static unsigned reads;

static int rd(void *ctx, uint64_t addr, void *buf, size_t len)
{
	reads++;
	if (addr < BASE || addr - BASE > SIZE || len > SIZE - (addr - BASE))
		return -EFAULT;
	memcpy(buf, mem + (addr - BASE), len);
	return 0;
}

static const char *path(const char *rel)
{
	static char buf[512];
	const char *r = getenv("STRATA_ROOT");

	snprintf(buf, sizeof(buf), "%s/%s", r ? r : ".", rel);
	return buf;
}

/* Copy the ELF's loadable segments into mem. */
static int load(const char *file)
{
	int fd = open(file, O_RDONLY);
	Elf *e;
	size_t n;
	int rc = -1;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getphdrnum(e, &n) == 0) {
		rc = 0;
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz)
				continue;
			if (ph.p_paddr < BASE || ph.p_paddr - BASE + ph.p_filesz > HEAP - BASE ||
			    pread(fd, mem + (ph.p_paddr - BASE), ph.p_filesz, (off_t)ph.p_offset) !=
				(ssize_t)ph.p_filesz)
				rc = -1;
		}
	}
	elf_end(e);
	close(fd);
	return rc;
}

static uint64_t w64(uint64_t addr)
{
	uint64_t v;

	memcpy(&v, mem + (addr - BASE), 8);
	return v;
}

/* dyn Future vtables in the loaded image: poll slot = a discovered future's entry, its size. */
static unsigned vtables(const struct adisc *d, uint64_t *vt, unsigned max)
{
	unsigned n = 0;

	for (uint64_t a = BASE; a + 32 <= HEAP && n < max; a += 8) {
		const struct adisc_future *f = adisc_by_entry(d, w64(a + 24));

		if (f && f->size == w64(a + 8) && w64(a + 16) && w64(a + 16) <= 16)
			vt[n++] = a;
	}
	return n;
}

static int random_memory(void)
{
	const char *elf = path("tests/guests/rust/build/exec-O2.elf");
	struct apic_mem m = {rd, NULL};
	struct adisc *d = adisc_open(elf);
	struct apic *pc = apic_new();
	uint64_t vt[64];
	unsigned nvt, pictures = 0, trees = 0;
	char out[4096], small[40], args[80];

	CHECK(d && pc, "open %s", elf);
	CHECK(load(elf) == 0, "load %s", elf);
	nvt = vtables(d, vt, 64);
	adisc_free(d);
	CHECK(nvt > 0, "no dyn Future vtable in %s", elf);
	CHECK(apic_add(pc, elf) == 0, "apic_add");
	srand(16);
	for (unsigned round = 0; round < 300; round++) {
		/* the heap: random bytes, mostly small (states) */
		for (uint64_t a = HEAP; a < STACK; a++)
			mem[a - BASE] = (uint8_t)(rand() % 4 ? rand() % 6 : rand());
		/* the stack: random words, fat pointers, runs of them */
		for (uint64_t a = STACK; a + 16 <= BASE + SIZE; a += 8) {
			uint64_t v = (uint64_t)rand() << 32 | (uint64_t)rand();
			int k = rand() % 8;

			if (k == 0 && a + 16 <= BASE + SIZE) {
				v = HEAP + (uint64_t)(rand() % (STACK - HEAP - 64));
				memcpy(mem + (a - BASE), &v, 8);
				a += 8;
				v = vt[rand() % nvt] + (rand() % 16 ? 0 : 8);
			} else if (k == 1) {
				v = BASE + (uint64_t)(rand() % SIZE);
			}
			memcpy(mem + (a - BASE), &v, 8);
		}
		uint64_t sp = STACK + (uint64_t)(rand() % 64) * 8;

		CHECK(apic_tasks(pc, &m, sp, out, sizeof(out)) == 0, "apic_tasks");
		CHECK(strlen(out) < sizeof(out) && out[0], "no text");
		pictures++;
		trees += strstr(out, "await tree of task 0:") != NULL;
		CHECK(apic_tasks(pc, &m, sp, small, sizeof(small)) == 0 &&
			  strlen(small) < sizeof(small),
		      "small buffer");
		snprintf(args, sizeof(args), "0x%llx",
			 (unsigned long long)(HEAP + (unsigned)rand() % 4096));
		CHECK(apic_await(pc, &m, sp, args, out, sizeof(out)) == 0 && out[0], "await");
		snprintf(args, sizeof(args), "0x%llx exec::consumer::{async_fn#0}",
			 (unsigned long long)(HEAP + (unsigned)rand() % 4096));
		CHECK(apic_await(pc, &m, sp, args, out, sizeof(out)) == 0 && out[0], "await named");
		CHECK(strstr(out, "await tree of future") || strstr(out, "holds no exec::consumer"),
		      "await named: %s", out);
	}
	/* the stack ends where memory does: the scan stops there, and sp beyond it */
	CHECK(apic_tasks(pc, &m, BASE + SIZE - 8, out, sizeof(out)) == 0, "top");
	CHECK(apic_tasks(pc, &m, ~0ull - 4, out, sizeof(out)) == 0 &&
		  strstr(out, "no dyn Future pointers"),
	      "sp at the end of the address space: %s", out);
	CHECK(trees > 0, "no round found a task (of %u)", pictures);
	apic_free(pc);
	return 0;
}

static int messages(void)
{
	struct apic_mem m = {rd, NULL};
	struct apic *pc = apic_new();
	char out[512];

	CHECK(pc, "apic_new");
	CHECK(apic_tasks(pc, &m, STACK, out, sizeof(out)) == 0 &&
		  !strcmp(out,
			  "monitor tasks: no symbol files (give the program's ELF with --sym)\n"),
	      "no files: %s", out);
	apic_free(pc);
	pc = apic_new();
	CHECK(pc && apic_add(pc, path("tests/guests/rust/build/exec-stripped.elf")) == 0, "add");
	CHECK(apic_await(pc, &m, STACK, "0x80000000", out, sizeof(out)) == 0 &&
		  strstr(out, "monitor await: no Rust async code in the symbol files (") &&
		  strstr(out, "no DWARF") && !strchr(out, '\n')[1],
	      "stripped: %s", out);
	CHECK(apic_await(pc, &m, STACK, "-1", out, sizeof(out)) == 0 &&
		  !strcmp(out, "monitor await: '-1' is not an address\n"),
	      "negative: %s", out);
	CHECK(apic_await(pc, &m, STACK, "0x1ffffffffffffffffff", out, sizeof(out)) == 0 &&
		  strstr(out, "is not an address"),
	      "too big: %s", out);
	apic_free(pc);
	return 0;
}

int main(void)
{
	int failed = 0;

	failed += RUN(random_memory);
	failed += RUN(messages);
	return failed != 0;
}
