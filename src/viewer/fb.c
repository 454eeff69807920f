/* fb — the frame buffer of a -machine nemu run on the viewer's page: the binary PPM that
 * `--fb-out` wrote (its last frame, or with a %d in the name a file per frame), read, checked and
 * handed to the page as base64 RGB, which app.js draws into a canvas (the page's policy allows
 * no image files, only inline data). */
#include "viewer/viewer.h"
#include "util/err.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <nettle/base64.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FB_MAX_SIDE 4096 /* NEMU's screen is 400x300; a larger file is not a frame of ours */

/* The next header number of a PPM (whitespace and # comments before it); -1 if none. */
static long ppm_num(FILE *f)
{
	int c;
	long v = 0;

	while ((c = fgetc(f)) != EOF &&
	       (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#'))
		if (c == '#')
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
	if (c < '0' || c > '9')
		return -1;
	for (; c >= '0' && c <= '9'; c = fgetc(f))
		if ((v = v * 10 + (c - '0')) > 1000000)
			return -1;
	return v; /* the one whitespace byte after the number is consumed */
}

int vw_fb_load(const char *path, struct vw_fb *fb)
{
	FILE *f = fopen(path, "rb");
	long w, h, max;
	size_t n;
	int rc = 0;

	memset(fb, 0, sizeof(*fb));
	if (!f)
		return err_set(errno, "%s: %s", path, strerror(errno));
	if (fgetc(f) != 'P' || fgetc(f) != '6') {
		rc = err_set(EINVAL, "%s: not a binary PPM (P6) frame as --fb-out writes", path);
		goto out;
	}
	w = ppm_num(f);
	h = ppm_num(f);
	max = ppm_num(f);
	if (w < 1 || h < 1 || w > FB_MAX_SIDE || h > FB_MAX_SIDE || max != 255) {
		rc = err_set(EINVAL,
			     "%s: PPM header is not WIDTH HEIGHT 255 (at most %d pixels a side)",
			     path, FB_MAX_SIDE);
		goto out;
	}
	n = (size_t)w * (size_t)h * 3;
	fb->rgb = malloc(n);
	if (!fb->rgb) {
		rc = err_set(ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if (fread(fb->rgb, 1, n, f) != n) {
		rc = err_set(EINVAL, "%s: the frame is cut short (%ldx%ld needs %zu bytes)", path,
			     w, h, n);
		goto out;
	}
	fb->w = (unsigned)w;
	fb->h = (unsigned)h;
	fb->path = path;
out:
	fclose(f);
	if (rc)
		vw_fb_free(fb);
	return rc;
}

void vw_fb_free(struct vw_fb *fb)
{
	free(fb->rgb);
	memset(fb, 0, sizeof(*fb));
}

/* One frame's JSON: {n, rgb}. */
static int frame_json(FILE *f, unsigned n, const struct vw_fb *fb)
{
	size_t len = (size_t)fb->w * fb->h * 3;
	char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(len));

	if (!b64)
		return err_set(ENOMEM, "%s: out of memory", fb->path);
	base64_encode_raw(b64, len, fb->rgb);
	fprintf(f, "{\"n\":%u,\"rgb\":\"", n);
	fwrite(b64, 1, BASE64_ENCODE_RAW_LENGTH(len), f);
	fputs("\"}", f);
	free(b64);
	return 0;
}

int vw_fb_json(FILE *f, const char *path)
{
	char name[PATH_MAX];
	unsigned total = 1, w = 0, h = 0;
	const char *pct = strchr(path, '%');
	/* the name is a format only as --fb-out allows it: one %d, no other '%' */
	bool numbered = pct && pct[1] == 'd' && !strchr(pct + 2, '%');
	int rc = 0;

	if (numbered) { /* --fb-out's numbered frames: how many are there */
		for (total = 0; total < 1000000; total++) {
			snprintf(name, sizeof(name), path, (int)total);
			if (access(name, F_OK))
				break;
		}
		if (!total)
			return err_set(ENOENT, "%s: no frame (%s is missing)", path, name);
	}
	unsigned shown = total < VW_FB_MAX_FRAMES ? total : VW_FB_MAX_FRAMES;
	fprintf(f, "{\"path\":");
	vw_json_str(f, path, strlen(path));
	fprintf(f, ",\"total\":%u,\"frames\":[", total);
	for (unsigned i = 0; i < shown && !rc; i++) {
		/* evenly spaced from the first to the last */
		unsigned n = shown > 1 ? (unsigned)((uint64_t)i * (total - 1) / (shown - 1)) : 0;
		struct vw_fb fb;

		if (numbered)
			snprintf(name, sizeof(name), path, (int)n);
		else
			snprintf(name, sizeof(name), "%s", path);
		if ((rc = vw_fb_load(name, &fb)) < 0)
			break;
		if (i && (fb.w != w || fb.h != h))
			rc = err_set(EINVAL, "%s: %ux%u, the frames before it %ux%u", name, fb.w,
				     fb.h, w, h);
		w = fb.w;
		h = fb.h;
		if (!rc) {
			fputs(i ? "," : "", f);
			rc = frame_json(f, n, &fb);
		}
		vw_fb_free(&fb);
	}
	fprintf(f, "],\"w\":%u,\"h\":%u}", w, h);
	if (!rc && ferror(f))
		rc = err_set(EIO, "%s: cannot embed the frame buffer", path);
	return rc;
}
