#include "machine/devices/nemu_dev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/test_util.h"

static char out[16];
static unsigned nout;
static uint64_t now_us;

static void putc_(void *ctx, uint8_t b)
{
	if (nout < sizeof(out))
		out[nout++] = (char)b;
}
static uint64_t uptime(void *ctx)
{
	return now_us;
}

static const struct nemu_host host = {NULL, putc_, uptime};

static uint64_t rd(const struct mmio_ops *ops, struct nemu_dev *d, uint64_t off, unsigned size)
{
	uint64_t v = ~0ull;

	ops->read(d, off, size, &v);
	return v;
}

static int serial_and_rtc(void)
{
	struct nemu_dev *d = nemu_dev_new(&host, NULL);

	CHECK(d, "nemu_dev_new");
	nemu_serial_ops.write(d, 0, 1, 'h');
	nemu_serial_ops.write(d, 4, 1, 'x'); /* not the data register */
	CHECK(nout == 1 && out[0] == 'h', "one byte out");
	now_us = 0x123456789ull;
	CHECK(rd(&nemu_rtc_ops, d, 0, 4) == 0, "the low word alone does not latch");
	CHECK(rd(&nemu_rtc_ops, d, 4, 4) == 0x1, "high word latches");
	now_us = 0x200000000ull;
	CHECK(rd(&nemu_rtc_ops, d, 0, 4) == 0x23456789, "low word of the latched time");
	CHECK(rd(&nemu_rtc_ops, d, 0, 8) == 0x200000000ull, "a 64-bit read latches and reads both");
	nemu_dev_free(d);
	return 0;
}

static int keyboard(void)
{
	struct nemu_dev *d = nemu_dev_new(&host, NULL);
	uint8_t many[100];

	CHECK(d, "nemu_dev_new");
	CHECK(rd(&nemu_kbd_ops, d, 0, 4) == 0, "empty: AM_KEY_NONE");
	CHECK(nemu_kbd_feed(d, (const uint8_t *)"a\x01\n", 3) == 3, "all taken");
	CHECK(rd(&nemu_kbd_ops, d, 0, 4) == (43 | NEMU_KEYDOWN), "A down (AM_KEY_A = 43)");
	CHECK(rd(&nemu_kbd_ops, d, 0, 4) == 43, "A up");
	CHECK(rd(&nemu_kbd_ops, d, 0, 4) == (54 | NEMU_KEYDOWN), "Ctrl-A has no key; Enter down");
	CHECK(rd(&nemu_kbd_ops, d, 0, 4) == 54, "Enter up");
	CHECK(rd(&nemu_kbd_ops, d, 0, 4) == 0, "empty again");
	memset(many, '1', sizeof(many));
	CHECK(nemu_kbd_feed(d, many, sizeof(many)) == 32, "the queue takes 32 keys (64 events)");
	nemu_dev_free(d);
	return 0;
}

static int vga_and_audio(void)
{
	char path[] = "/tmp/nemu_dev_test.XXXXXX";
	int fd = mkstemp(path);
	struct nemu_dev *d = nemu_dev_new(&host, path);
	FILE *f;
	char head[16] = {0};
	uint8_t px[3];

	CHECK(fd >= 0 && d, "setup");
	close(fd);
	CHECK(rd(&nemu_vgactl_ops, d, 0, 4) == (400u << 16 | 300), "400x300");
	nemu_fb_ops.write(d, 4 * (400 + 1), 4, 0x00112233); /* pixel (1, 1) */
	CHECK(rd(&nemu_fb_ops, d, 4 * 401, 4) == 0x00112233, "frame buffer reads back");
	nemu_vgactl_ops.write(d, 4, 4, 1); /* sync: saved */
	CHECK(rd(&nemu_vgactl_ops, d, 4, 4) == 0, "sync cleared");
	f = fopen(path, "rb");
	CHECK(f && fread(head, 1, 15, f) == 15 && !memcmp(head, "P6\n400 300\n255\n", 15),
	      "PPM header");
	fseek(f, 15 + 3 * 401, SEEK_SET);
	CHECK(fread(px, 1, 3, f) == 3 && px[0] == 0x11 && px[1] == 0x22 && px[2] == 0x33, "RGB");
	fclose(f);
	unlink(path);
	CHECK(rd(&nemu_audio_ops, d, 0x0c, 4) == NEMU_SBUF_SIZE, "sbuf_size");
	nemu_audio_ops.write(d, 0x0c, 4, 5);
	CHECK(rd(&nemu_audio_ops, d, 0x0c, 4) == NEMU_SBUF_SIZE, "sbuf_size is read-only");
	nemu_audio_ops.write(d, 0x00, 4, 44100);
	CHECK(rd(&nemu_audio_ops, d, 0x00, 4) == 44100, "freq");
	CHECK(rd(&nemu_audio_ops, d, 0x14, 4) == 0, "count: drained");
	nemu_dev_free(d);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(serial_and_rtc);
	fails += RUN(keyboard);
	fails += RUN(vga_and_audio);
	return fails != 0;
}
