/* nemu_dev — NEMU's serial, RTC, keyboard and audio registers, VGA control and frame buffer. */
#include "machine/devices/nemu_dev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define KBD_QUEUE 64 /* events; a byte is two (press, release) */

struct nemu_dev {
	struct nemu_host host;
	const char *fb_out;
	/* the state snapshots copy (mmio_ops.state): plain fields only */
	struct nemu_state {
		uint32_t rtc[2];
		uint32_t kbd[KBD_QUEUE];
		uint32_t kbd_head, kbd_len;
		uint32_t audio[6];
		uint32_t vga_sync;
		uint32_t frames; /* frames saved to a numbered --fb-out so far */
	} s;
	uint8_t *fb; /* NEMU_FB_SIZE bytes */
	uint8_t sbuf[NEMU_SBUF_SIZE];
};

struct nemu_dev *nemu_dev_new(const struct nemu_host *host, const char *fb_out)
{
	struct nemu_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->fb = calloc(1, NEMU_FB_SIZE);
	if (!d->fb) {
		free(d);
		return NULL;
	}
	d->host = *host;
	d->fb_out = fb_out;
	d->s.audio[3] = NEMU_SBUF_SIZE; /* sbuf_size */
	return d;
}

void nemu_dev_free(struct nemu_dev *d)
{
	if (!d)
		return;
	free(d->fb);
	free(d);
}

/* The serial window carries the state of all of them (one block per board). */
static void *dev_state(void *opaque, size_t *size)
{
	struct nemu_dev *d = opaque;

	*size = sizeof(d->s);
	return &d->s;
}

/* ---- serial ---- */

static int serial_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	*val = 0; /* NEMU's serial has no receiver */
	return 0;
}

static int serial_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct nemu_dev *d = opaque;

	if (offset == 0)
		d->host.putc(d->host.ctx, (uint8_t)val);
	return 0;
}

static const char *serial_reg(void *opaque, uint64_t offset)
{
	return offset == 0 ? "CH" : NULL;
}

const struct mmio_ops nemu_serial_ops = {serial_read, serial_write, serial_reg, dev_state};

/* ---- RTC ---- */

static int rtc_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct nemu_dev *d = opaque;

	if (offset == 4 || (offset == 0 && size == 8)) {
		uint64_t us = d->host.uptime_us(d->host.ctx);

		d->s.rtc[0] = (uint32_t)us;
		d->s.rtc[1] = (uint32_t)(us >> 32);
	}
	if (size == 8)
		*val = d->s.rtc[0] | (uint64_t)d->s.rtc[1] << 32;
	else
		*val = d->s.rtc[offset / 4] >> (offset % 4 * 8);
	return 0;
}

static int rtc_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	return 0;
}

static const char *rtc_reg(void *opaque, uint64_t offset)
{
	return offset < 4 ? "uptime_lo" : "uptime_hi";
}

const struct mmio_ops nemu_rtc_ops = {rtc_read, rtc_write, rtc_reg, NULL};

/* ---- keyboard ---- */

/* AM's key order (amdev.h AM_KEYS, the same as NEMU's NEMU_KEYS): the code is the index + 1. */
static const char *const key_names[] = {
    "ESCAPE", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
    "GRAVE", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "MINUS", "EQUALS", "BACKSPACE",
    "TAB", "Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P", "LEFTBRACKET", "RIGHTBRACKET",
    "BACKSLASH", "CAPSLOCK", "A", "S", "D", "F", "G", "H", "J", "K", "L", "SEMICOLON",
    "APOSTROPHE", "RETURN", "LSHIFT", "Z", "X", "C", "V", "B", "N", "M", "COMMA", "PERIOD",
    "SLASH", "RSHIFT", "LCTRL", "APPLICATION", "LALT", "SPACE", "RALT", "RCTRL", "UP", "DOWN",
    "LEFT", "RIGHT", "INSERT", "DELETE", "HOME", "END", "PAGEUP", "PAGEDOWN"};

static unsigned key_code(const char *name)
{
	for (unsigned i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (!strcmp(key_names[i], name))
			return i + 1;
	return 0;
}

/* The key a terminal byte comes from (letters of either case, digits, the punctuation keys
 * of a US layout without shift, Enter, Tab, Backspace, Escape, Space); 0 for none. */
static unsigned byte_key(uint8_t c)
{
	static const struct {
		char c;
		const char *name;
	} punct[] = {{'`', "GRAVE"},	     {'-', "MINUS"},	  {'=', "EQUALS"},
		     {'[', "LEFTBRACKET"},   {']', "RIGHTBRACKET"}, {'\\', "BACKSLASH"},
		     {';', "SEMICOLON"},     {'\'', "APOSTROPHE"}, {',', "COMMA"},
		     {'.', "PERIOD"},	     {'/', "SLASH"},	  {' ', "SPACE"},
		     {'\r', "RETURN"},	     {'\n', "RETURN"},	  {'\t', "TAB"},
		     {0x7f, "BACKSPACE"},    {0x08, "BACKSPACE"}, {0x1b, "ESCAPE"}};
	char name[2] = {0, 0};

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
		name[0] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
		return key_code(name);
	}
	for (unsigned i = 0; i < sizeof(punct) / sizeof(punct[0]); i++)
		if ((uint8_t)punct[i].c == c)
			return key_code(punct[i].name);
	return 0;
}

unsigned nemu_kbd_feed(struct nemu_dev *d, const uint8_t *buf, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && d->s.kbd_len + 2 <= KBD_QUEUE; i++) {
		unsigned k = byte_key(buf[i]);

		if (!k)
			continue;
		d->s.kbd[(d->s.kbd_head + d->s.kbd_len++) % KBD_QUEUE] = k | NEMU_KEYDOWN;
		d->s.kbd[(d->s.kbd_head + d->s.kbd_len++) % KBD_QUEUE] = k;
	}
	return i;
}

static int kbd_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct nemu_dev *d = opaque;

	*val = 0;
	if (offset != 0 || !d->s.kbd_len)
		return 0;
	*val = d->s.kbd[d->s.kbd_head];
	d->s.kbd_head = (d->s.kbd_head + 1) % KBD_QUEUE;
	d->s.kbd_len--;
	return 0;
}

static const char *kbd_reg(void *opaque, uint64_t offset)
{
	return "keycode";
}

const struct mmio_ops nemu_kbd_ops = {kbd_read, rtc_write, kbd_reg, NULL};

/* ---- audio ---- */

static const char *const audio_names[] = {"freq", "channels", "samples", "sbuf_size", "init",
					  "count"};

static int audio_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct nemu_dev *d = opaque;

	*val = d->s.audio[offset / 4] >> (offset % 4 * 8);
	return 0;
}

static int audio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct nemu_dev *d = opaque;
	unsigned r = (unsigned)(offset / 4);

	if (r == 3 || r == 5 || offset % 4)
		return 0; /* sbuf_size is fixed; count stays 0: the stream drains at once */
	d->s.audio[r] = (uint32_t)val;
	return 0;
}

static const char *audio_reg(void *opaque, uint64_t offset)
{
	return offset / 4 < 6 ? audio_names[offset / 4] : NULL;
}

const struct mmio_ops nemu_audio_ops = {audio_read, audio_write, audio_reg, NULL};

static int sbuf_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct nemu_dev *d = opaque;

	*val = 0;
	memcpy(val, d->sbuf + offset, size);
	return 0;
}

static int sbuf_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct nemu_dev *d = opaque;

	memcpy(d->sbuf + offset, &val, size);
	return 0;
}

const struct mmio_ops nemu_sbuf_ops = {sbuf_read, sbuf_write, NULL, NULL};

/* ---- VGA ---- */

bool nemu_fb_out_ok(const char *fb_out)
{
	const char *p = strchr(fb_out, '%');

	return !p || (p[1] == 'd' && !strchr(p + 2, '%'));
}

int nemu_fb_save(struct nemu_dev *d)
{
	char name[4096];
	FILE *f;
	int ret = 0;

	if (!d->fb_out)
		return 0;
	if (strchr(d->fb_out, '%')) {
		/* nemu_fb_out_ok: the one conversion is %d */
		snprintf(name, sizeof(name), d->fb_out, (int)d->s.frames++);
	} else {
		snprintf(name, sizeof(name), "%s", d->fb_out);
	}
	f = fopen(name, "wb");
	if (!f)
		return err_set(errno, "--fb-out %s: %s", name, strerror(errno));
	fprintf(f, "P6\n%u %u\n255\n", NEMU_SCREEN_W, NEMU_SCREEN_H);
	for (uint64_t p = 0; p < NEMU_FB_SIZE; p += 4) {
		/* 0x00RRGGBB little-endian: B, G, R, 0 in memory */
		uint8_t rgb[3] = {d->fb[p + 2], d->fb[p + 1], d->fb[p]};

		fwrite(rgb, 1, 3, f);
	}
	if (ferror(f))
		ret = err_set(EIO, "--fb-out %s: write error", name);
	if (fclose(f) && !ret)
		ret = err_set(errno, "--fb-out %s: %s", name, strerror(errno));
	return ret;
}

static int vgactl_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct nemu_dev *d = opaque;
	uint64_t regs = (uint64_t)(NEMU_SCREEN_W << 16 | NEMU_SCREEN_H) |
			(uint64_t)d->s.vga_sync << 32;

	*val = regs >> (offset * 8);
	return 0;
}

static int vgactl_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct nemu_dev *d = opaque;

	if (offset != 4 || !val)
		return 0;
	/* NEMU redraws the window at a sync and clears it; we save the frame instead. A failed
	 * save is reported once at the end of the run, not here (the guest cannot see it). */
	nemu_fb_save(d);
	d->s.vga_sync = 0;
	return 0;
}

static const char *vgactl_reg(void *opaque, uint64_t offset)
{
	return offset < 4 ? "size" : "sync";
}

const struct mmio_ops nemu_vgactl_ops = {vgactl_read, vgactl_write, vgactl_reg, NULL};

static int fb_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct nemu_dev *d = opaque;

	*val = 0;
	memcpy(val, d->fb + offset, size);
	return 0;
}

static int fb_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct nemu_dev *d = opaque;

	memcpy(d->fb + offset, &val, size);
	return 0;
}

const struct mmio_ops nemu_fb_ops = {fb_read, fb_write, NULL, NULL};
