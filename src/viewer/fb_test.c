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

static int json(void)
{
	struct vw_fb fb;
	char *text = NULL, *p;
	size_t len = 0;
	uint8_t dec[64];
	size_t dlen = sizeof(dec);
	struct base64_decode_ctx ctx;
	FILE *f;

	CHECK(!put("P6\n4 3\n255\n", 36), "write");
	CHECK(!vw_fb_load(path, &fb), "load");
	f = open_memstream(&text, &len);
	CHECK(f && !vw_fb_json(f, &fb), "json");
	fclose(f);
	CHECK(strstr(text, "\"w\":4,\"h\":3,\"rgb\":\""), "%s", text);
	p = strstr(text, "\"rgb\":\"") + 7;
	*strchr(p, '"') = 0;
	base64_decode_init(&ctx);
	CHECK(base64_decode_update(&ctx, &dlen, dec, strlen(p), p) && base64_decode_final(&ctx),
	      "base64");
	CHECK(dlen == 36 && !memcmp(dec, fb.rgb, 36), "decoded %zu bytes", dlen);
	free(text);
	vw_fb_free(&fb);
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
	unlink(path);
	return failed;
}
