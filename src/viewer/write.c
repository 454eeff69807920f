/* write — `strata view`'s output: one .html file with every tile inline, or a directory with
 * index.html and the tiles as data/tile-N.js scripts (loaded when the view reaches them; script
 * elements load from file:// where fetch() may not). */
#define _GNU_SOURCE
#include "viewer/viewer.h"
#include "trace/reader.h"
#include "util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct out {
	const char *dir; /* directory mode, else NULL */
	FILE *inl;	 /* single-file mode: the inline tiles */
};

/* JSON text into an HTML script element: "</" would end it early. */
static void put_safe(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputc(s[i], f);
		if (s[i] == '<' && i + 1 < n && s[i + 1] == '/')
			fputc('\\', f);
	}
}

static int put_tile(void *ctx, uint64_t i, const char *json, size_t len)
{
	struct out *o = ctx;

	if (!o->dir) {
		fprintf(o->inl, "<script type=\"application/json\" id=\"tile-%" PRIu64 "\">", i);
		put_safe(o->inl, json, len);
		fputs("</script>\n", o->inl);
		return ferror(o->inl) ? -EIO : 0;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/data/tile-%" PRIu64 ".js", o->dir, i);
	FILE *f = fopen(path, "w");
	if (!f)
		return err_set(errno, "%s: %s", path, strerror(errno));
	fprintf(f, "strataTile(%" PRIu64 ",", i);
	fwrite(json, 1, len, f);
	fputs(");\n", f);
	if (fclose(f))
		return err_set(EIO, "%s: write error", path);
	return 0;
}

/* The page template with its three holes filled; fb: the frame buffer's JSON, or NULL. */
static int write_page(FILE *f, const char *index, size_t ilen, const char *fb, size_t fblen,
		      FILE *inl)
{
	const char *t = vw_app_html;
	const char *css = strstr(t, "/*STRATA_CSS*/"), *js = strstr(t, "/*STRATA_JS*/");
	const char *data = strstr(t, "<!--STRATA_DATA-->");

	if (!css || !js || !data || !(css < js && js < data))
		return err_set(EINVAL, "viewer: the embedded page template is broken");
	fwrite(t, 1, (size_t)(css - t), f);
	fputs(vw_app_css, f);
	t = css + strlen("/*STRATA_CSS*/");
	fwrite(t, 1, (size_t)(js - t), f);
	fputs(vw_app_js, f);
	t = js + strlen("/*STRATA_JS*/");
	fwrite(t, 1, (size_t)(data - t), f);
	fputs("<script type=\"application/json\" id=\"index\">", f);
	put_safe(f, index, ilen);
	fputs("</script>\n", f);
	if (fb) {
		fputs("<script type=\"application/json\" id=\"fb\">", f);
		put_safe(f, fb, fblen);
		fputs("</script>\n", f);
	}
	if (inl) {
		char buf[65536];
		size_t n;
		rewind(inl);
		while ((n = fread(buf, 1, sizeof(buf), inl)) > 0)
			fwrite(buf, 1, n, f);
	}
	fputs(data + strlen("<!--STRATA_DATA-->"), f);
	return ferror(f) ? -EIO : 0;
}

/* The frame buffer to show as JSON in *json (NULL if none): o->fb, or else the file the run's
 * --fb-out wrote (meta "fb") when it exists. Only an explicit o->fb that cannot be read is an
 * error; the trace's is skipped with a note in res->fb_note. 0 or -errno. */
static int fb_page(const struct vw_opts *o, struct trace_reader *r, struct vw_result *res,
		   char **json, size_t *len)
{
	const char *path = o->fb ? o->fb : trace_meta(r, "fb");
	FILE *f;
	int rc;

	*json = NULL;
	if (!path || !*path)
		return 0;
	if (!(f = open_memstream(json, len)))
		return err_set(ENOMEM, "out of memory");
	rc = vw_fb_json(f, path);
	if (fclose(f) && !rc)
		rc = err_set(EIO, "%s: cannot embed the frame buffer", path);
	if (rc) {
		char why[512];

		free(*json);
		*json = NULL;
		snprintf(why, sizeof(why), "%s", err_msg() ? err_msg() : path);
		if (o->fb)
			return err_set(EINVAL, "--fb %s", why);
		snprintf(res->fb_note, sizeof(res->fb_note),
			 "the run's frame buffer is not shown: %s", why);
		err_clear();
		return 0;
	}
	snprintf(res->fb, sizeof(res->fb), "%s", path);
	return 0;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

int vw_write(const struct vw_opts *o, struct vw_result *res)
{
	struct out out = {0};
	struct trace_reader *r = NULL;
	struct vw_data *d = NULL;
	char *index = NULL, *fb = NULL, page[4096];
	size_t ilen = 0, fblen = 0;
	FILE *f = NULL, *idx = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!(r = trace_open(o->trace)))
		return -EINVAL;
	if (ends_with(o->out, ".html") || ends_with(o->out, ".htm")) {
		snprintf(page, sizeof(page), "%s", o->out);
		if (!(out.inl = tmpfile())) {
			rc = err_set(errno, "temporary file: %s", strerror(errno));
			goto out;
		}
	} else {
		char dd[4096];
		out.dir = o->out;
		snprintf(dd, sizeof(dd), "%s/data", o->out);
		if ((mkdir(o->out, 0777) && errno != EEXIST) ||
		    (mkdir(dd, 0777) && errno != EEXIST)) {
			rc = err_set(errno, "%s: %s", o->out, strerror(errno));
			goto out;
		}
		snprintf(page, sizeof(page), "%s/index.html", o->out);
	}
	struct vw_tiles tiles = {put_tile, &out};
	if (!(d = vw_data_new(&tiles, o->tile_slices))) {
		rc = err_set(ENOMEM, "out of memory");
		goto out;
	}
	rc = vw_data_read(d, r, res->error, sizeof(res->error));
	if (rc) {
		if (!err_msg())
			err_set(-rc, "%s: %s", o->trace, strerror(-rc));
		goto out;
	}
	res->truncated = trace_truncated(r);
	vw_data_counts(d, res);
	if (!(idx = open_memstream(&index, &ilen))) {
		rc = err_set(ENOMEM, "out of memory");
		goto out;
	}
	rc = vw_data_index(d, r, idx, res);
	fclose(idx);
	if (rc) {
		err_set(-rc, "%s: cannot build the index", o->trace);
		goto out;
	}
	rc = fb_page(o, r, res, &fb, &fblen);
	if (rc)
		goto out;
	if (!(f = fopen(page, "w"))) {
		rc = err_set(errno, "%s: %s", page, strerror(errno));
		goto out;
	}
	rc = write_page(f, index, ilen, fb, fblen, out.inl);
	if (fclose(f) && !rc)
		rc = -EIO;
	if (rc && !err_msg())
		err_set(EIO, "%s: write error", page);
out:
	if (out.inl)
		fclose(out.inl);
	free(index);
	free(fb);
	vw_data_free(d);
	trace_close(r);
	return rc;
}
