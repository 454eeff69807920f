/* nemu_dev — NEMU's devices as AM's nemu platform drives them (abstract-machine
 * am/src/platform/nemu/include/nemu.h): serial, RTC, keyboard, audio registers, VGA control and
 * frame buffer. Each is an MMIO window of its own; like every device here they know nothing of
 * harts and reach the host through callbacks. */
#ifndef STRATA_MACHINE_DEVICES_NEMU_DEV_H
#define STRATA_MACHINE_DEVICES_NEMU_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/mmio.h"

/* NEMU's addresses (DEVICE_BASE 0xa0000000, MMIO_BASE 0xa0000000) and window sizes. */
#define NEMU_SERIAL_BASE 0xa00003f8ull
#define NEMU_SERIAL_SIZE 8ull
#define NEMU_RTC_BASE	 0xa0000048ull
#define NEMU_RTC_SIZE	 8ull
#define NEMU_KBD_BASE	 0xa0000060ull
#define NEMU_KBD_SIZE	 4ull
#define NEMU_VGACTL_BASE 0xa0000100ull
#define NEMU_VGACTL_SIZE 8ull
#define NEMU_AUDIO_BASE	 0xa0000200ull
#define NEMU_AUDIO_SIZE	 0x18ull
#define NEMU_FB_BASE	 0xa1000000ull
#define NEMU_SBUF_BASE	 0xa1200000ull
#define NEMU_SBUF_SIZE	 0x10000ull
#define NEMU_SCREEN_W	 400u /* NEMU's CONFIG_VGA_SIZE_400x300 */
#define NEMU_SCREEN_H	 300u
#define NEMU_FB_SIZE	 ((uint64_t)NEMU_SCREEN_W * NEMU_SCREEN_H * 4)
#define NEMU_KEYDOWN	 0x8000u /* the keyboard's down bit, as AM's KEYDOWN_MASK */

struct nemu_host {
	void *ctx;
	void (*putc)(void *ctx, uint8_t byte);
	uint64_t (*uptime_us)(void *ctx); /* the machine's clock, not the host's (deterministic) */
};

/* Serial: a byte written at offset 0 goes to the console (NEMU's serial has no input). */
extern const struct mmio_ops nemu_serial_ops;
/* RTC: a read of the high word (offset 4) latches the uptime in microseconds, as NEMU's
 * rtc_io_handler does; AM reads the high word, then the low one. */
extern const struct mmio_ops nemu_rtc_ops;
/* Keyboard: each read dequeues one event (AM keycode | NEMU_KEYDOWN for a press), 0 = none. */
extern const struct mmio_ops nemu_kbd_ops;
/* Audio: freq, channels, samples (written by the guest), sbuf_size (read-only), init, count.
 * No host sound: the stream buffer drains at once, so count reads 0. */
extern const struct mmio_ops nemu_audio_ops;
extern const struct mmio_ops nemu_sbuf_ops;
/* VGA: control (offset 0 = width << 16 | height; offset 4 = sync) and the 32-bit XRGB frame
 * buffer. A sync saves the frame to the --fb-out file when one is set; a file name with one %d
 * gets a file per frame, numbered from 0 (frames over time, for the viewer). */
extern const struct mmio_ops nemu_vgactl_ops;
extern const struct mmio_ops nemu_fb_ops;

/* Whether fb_out is a file name --fb-out takes: no '%' but at most one "%d". */
bool nemu_fb_out_ok(const char *fb_out);
/* All the devices' state; one per board. NULL + errno on failure. fb_out may be NULL. */
struct nemu_dev *nemu_dev_new(const struct nemu_host *host, const char *fb_out);
void nemu_dev_free(struct nemu_dev *d);
/* Console input for the keyboard: each byte becomes a press and a release of its key (bytes
 * with no key are dropped). Returns how many bytes it could take (the queue is bounded). */
unsigned nemu_kbd_feed(struct nemu_dev *d, const uint8_t *buf, unsigned n);
/* Save the frame buffer to the --fb-out file (binary PPM; with %d, the next frame's file); 0,
 * or -errno with err_set(). */
int nemu_fb_save(struct nemu_dev *d);

#endif
