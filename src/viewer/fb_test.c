/* fb_test — the viewer's frame buffer reader: PPMs as --fb-out writes them (and with a comment),
 * what is not a frame of ours (one error each), and the JSON the page decodes. */
#include "viewer/viewer.h"
#include "util/err.h"

#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/test_util.h"

static char path[] = "/tmp/strata-fb-test-XXXXXX";

/* path := header followed by n bytes of pixel data (i * 7 mod 256) */
static int put(const char *header, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fputs(header, f);
	for (size_t i = 0; i < n; i++)
		fputc((int)(i * 7 % 256), f);
	return fclose(f);
}

static int loads(void)
{
	struct vw_fb fb;

	CHECK(!put("P6\n4 3\n255\n", 36), "write");
	CHECK(!vw_fb_load(path, &fb) && fb.w == 4 && fb.h == 3, "4x3: %s", err_msg());
	CHECK(fb.rgb[0] == 0 && fb.rgb[35] == (35 * 7) % 256, "pixels");
	vw_fb_free(&fb);
	CHECK(!put("P6 # made by hand\n# another\n2 1 255\n", 6), "write");
	CHECK(!vw_fb_load(path, &fb) && fb.w == 2 && fb.h == 1, "comments: %s", err_msg());
	vw_fb_free(&fb);
	return 0;
}

static int refuses(void)
{
	static const struct {
		const char *header;
		size_t n;
		const char *why;
	} bad[] = {
	    {"P3\n4 3\n255\n", 36, "not a binary PPM"},
	    {"P6\n4 3\n65535\n", 72, "PPM header"},
	    {"P6\n0 3\n255\n", 0, "PPM header"},
	    {"P6\n5000 3\n255\n", 45000, "PPM header"},
	    {"P6\n4 3\n255\n", 35, "cut short"},
	    {"P6\n4\n", 0, "PPM header"},
	    {"", 0, "not a binary PPM"},
	};
	struct vw_fb fb;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!put(bad[i].header, bad[i].n), "write");
		CHECK(vw_fb_load(path, &fb) < 0 && strstr(err_msg(), bad[i].why) && !fb.rgb,
		      "case %zu: %s", i, err_msg() ? err_msg() : "(accepted)");
		err_clear();
	}
	CHECK(vw_fb_load("/nonexistent/x.ppm", &fb) < 0 && strstr(err_msg(), "/nonexistent/x.ppm"),
	      "missing file");
	err_clear();
	return 0;
}

/* The JSON's frame i decoded into dec (at most size bytes); its length, or -1. */
static long frame_rgb(char *text, unsigned i, uint8_t *dec, size_t size)
{
	struct base64_decode_ctx ctx;
	char *p = text, *end;
	size_t dlen = size;

	for (unsigned k = 0; k <= i; k++)
		if (!(p = strstr(p, "\"rgb\":\"")))
			return -1;
		else
			p += 7;
	end = strchr(p, '"');
	base64_decode_init(&ctx);
	if (!end || BASE64_DECODE_LENGTH((size_t)(end - p)) > size ||
	    !base64_decode_update(&ctx, &dlen, dec, (size_t)(end - p), p) ||
	    !base64_decode_final(&ctx))
		return -1;
	return (long)dlen;
}

/* fb_json(path): the JSON text (malloc'ed) or NULL with err_msg() */
static char *fb_json(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = f ? vw_fb_json(f, path) : -1;

	if (f)
		fclose(f);
	if (rc) {
		free(text);
		return NULL;
	}
	return text;
}

static int json(void)
{
	struct vw_fb fb;
	char *text;
	uint8_t dec[64];

	CHECK(!put("P6\n4 3\n255\n", 36), "write");
	CHECK(!vw_fb_load(path, &fb), "load");
	text = fb_json(path);
	CHECK(text && strstr(text, "\"total\":1,\"frames\":[{\"n\":0,\"rgb\":\"") &&
		  strstr(text, "],\"w\":4,\"h\":3}"),
	      "%s", text ? text : err_msg());
	CHECK(frame_rgb(text, 0, dec, sizeof(dec)) == 36 && !memcmp(dec, fb.rgb, 36), "decoded");
	free(text);
	vw_fb_free(&fb);
	return 0;
}

/* path%d: every frame up to the first missing number, evenly spaced past VW_FB_MAX_FRAMES */
static int numbered(void)
{
	char dir[] = "/tmp/strata-fb-frames-XXXXXX", pat[64], name[96], *text;
	uint8_t dec[16];
	unsigned total = VW_FB_MAX_FRAMES * 2 + 1;
	int ok = 1;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(pat, sizeof(pat), "%s/f-%%d.ppm", dir);
	for (unsigned i = 0; i < total && ok; i++) {
		FILE *f;

		snprintf(name, sizeof(name), pat, (int)i);
		ok = (f = fopen(name, "wb")) && fprintf(f, "P6\n1 1\n255\n%c%c%c", i, i, i) > 0 &&
		     !fclose(f);
	}
	CHECK(ok, "writing frames");
	text = fb_json(pat);
	CHECK(text, "%s", err_msg());
	CHECK(strstr(text, "\"total\":129,") && strstr(text, "{\"n\":0,") &&
		  strstr(text, "{\"n\":2,") && strstr(text, "{\"n\":128,") &&
		  !strstr(text, "{\"n\":1,"),
	      "129 frames shown as 64 from 0 to 128 in steps of ~2: %.300s", text);
	CHECK(frame_rgb(text, VW_FB_MAX_FRAMES - 1, dec, sizeof(dec)) == 3 && dec[0] == 128 &&
		  frame_rgb(text, VW_FB_MAX_FRAMES, dec, sizeof(dec)) < 0,
	      "the last frame shown is frame 128, and there are 64");
	free(text);
	/* a '%' that is not the one %d is a plain name, not a format */
	snprintf(name, sizeof(name), "%s/f-%%s.ppm", dir);
	CHECK(!fb_json(name) && strstr(err_msg(), "f-%s.ppm"), "%%s: %s", err_msg());
	err_clear();
	for (unsigned i = 0; i < total; i++) {
		snprintf(name, sizeof(name), pat, (int)i);
		unlink(name);
	}
	CHECK(!fb_json(pat) && strstr(err_msg(), "no frame"), "no frame: %s", err_msg());
	err_clear();
	rmdir(dir);
	return 0;
}

int main(void)
{
	int fd = mkstemp(path), failed = 0;

	if (fd < 0) {
		printf("FAIL fb_test: mkstemp\n");
		return 1;
	}
	close(fd);
	failed |= RUN(loads);
	failed |= RUN(refuses);
	failed |= RUN(json);
	failed |= RUN(numbered);
	unlink(path);
	return failed;
}
