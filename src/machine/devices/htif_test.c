#include "machine/devices/htif.h"

#include <string.h>

#include "machine/test_util.h"

#define BASE 0x80000000ull
static uint8_t ram[4096];
static char out[64];
static unsigned nout;
static int stopped = -1;

static uint8_t *ram_ptr(void *ctx, uint64_t pa, uint64_t len)
{
	if (pa < BASE || len > sizeof(ram) || pa - BASE > sizeof(ram) - len)
		return NULL;
	return ram + (pa - BASE);
}
static void ram_written(void *ctx, uint64_t pa, uint64_t len)
{
}
static void putc_(void *ctx, uint8_t b)
{
	if (nout < sizeof(out))
		out[nout++] = (char)b;
}
static void stop(void *ctx, int code)
{
	stopped = code;
}

static const struct htif_host host = {NULL, ram_ptr, ram_written, putc_, stop};

static uint64_t get(uint64_t pa)
{
	uint64_t v;

	memcpy(&v, ram_ptr(NULL, pa, 8), 8);
	return v;
}
static void guest_store(struct htif *h, uint64_t pa, uint64_t v)
{
	memcpy(ram_ptr(NULL, pa, 8), &v, 8);
	htif_store(h, pa, 8);
}

static int exit_code(void)
{
	struct htif *h = htif_new(BASE + 0x100, BASE + 0x140, &host);

	stopped = -1;
	guest_store(h, BASE + 0x108, 7); /* not tohost */
	CHECK(stopped == -1, "store elsewhere ignored");
	guest_store(h, BASE + 0x100, (3 << 1) | 1);
	CHECK(stopped == 3, "tohost = code<<1|1 exits with code, got %d", stopped);
	htif_free(h);
	return 0;
}

static int console(void)
{
	struct htif *h = htif_new(BASE + 0x100, BASE + 0x140, &host);

	nout = 0;
	stopped = -1;
	guest_store(h, BASE + 0x100, (1ull << 56) | (1ull << 48) | 'A');
	CHECK(nout == 1 && out[0] == 'A', "putchar");
	CHECK(get(BASE + 0x100) == 0, "tohost consumed");
	CHECK(get(BASE + 0x140) == ((1ull << 56) | (1ull << 48) | 0x100 | 'A'), "fromhost reply");
	CHECK(stopped == -1, "no exit");
	htif_free(h);
	return 0;
}

static int syscall_write(void)
{
	struct htif *h = htif_new(BASE + 0x100, BASE + 0x140, &host);
	uint64_t magic = BASE + 0x200;

	nout = 0;
	memcpy(ram + 0x300, "ok\n", 3);
	memcpy(ram + 0x200, &(uint64_t){64}, 8);
	memcpy(ram + 0x208, &(uint64_t){1}, 8);
	memcpy(ram + 0x210, &(uint64_t){BASE + 0x300}, 8);
	memcpy(ram + 0x218, &(uint64_t){3}, 8);
	guest_store(h, BASE + 0x100, magic);
	CHECK(nout == 3 && !memcmp(out, "ok\n", 3), "SYS_write printed");
	CHECK(get(magic) == 3, "return value in magic_mem[0]");
	CHECK(get(BASE + 0x140) == 1, "fromhost = 1");
	/* A buffer outside RAM must not be read: -EFAULT. */
	memcpy(ram + 0x200, &(uint64_t){64}, 8); /* magic_mem[0] now holds the last result */
	memcpy(ram + 0x210, &(uint64_t){0x1000}, 8);
	guest_store(h, BASE + 0x100, magic);
	CHECK((int64_t)get(magic) == -14, "bad buffer -> -EFAULT");
	/* magic_mem itself outside RAM: ignored, no crash. */
	guest_store(h, BASE + 0x100, 0x10);
	htif_free(h);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(exit_code);
	fails += RUN(console);
	fails += RUN(syscall_write);
	return fails != 0;
}
