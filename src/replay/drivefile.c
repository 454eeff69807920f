/* drivefile — see drivefile.h. */
#include "replay/drivefile.h"
#include "util/err.h"
#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define CHUNK	  (1u << 20)
#define ZST_LEVEL 3 /* once per drive at the start of a recording: zstd's default */

static long read_some(int fd, uint8_t *buf, size_t n)
{
	for (;;) {
		ssize_t k = read(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		return k < 0 ? -errno : (long)k;
	}
}

int rrd_store(const char *src, const char *dst, uint8_t sha[32], uint64_t *size)
{
	uint8_t *in = malloc(CHUNK), *out = malloc(ZSTD_CStreamOutSize());
	ZSTD_CCtx *c = ZSTD_createCCtx();
	struct sha256_ctx h;
	int ifd = -1, ofd = -1, ret = 0;
	long n;

	*size = 0;
	if (!in || !out || !c) {
		ret = err_set(ENOMEM, "out of memory");
		goto out;
	}
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, ZST_LEVEL);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	sha256_init(&h);
	if ((ifd = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		ret = err_set(errno, "%s: %s", src, strerror(errno));
		goto out;
	}
	if ((ofd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		ret = err_set(errno, "%s: %s", dst, strerror(errno));
		goto out;
	}
	do {
		if ((n = read_some(ifd, in, CHUNK)) < 0) {
			ret = err_set((int)-n, "%s: %s", src, strerror((int)-n));
			goto out;
		}
		sha256_update(&h, (size_t)n, in);
		*size += (uint64_t)n;
		ZSTD_inBuffer ib = {in, (size_t)n, 0};
		ZSTD_EndDirective mode = n ? ZSTD_e_continue : ZSTD_e_end;
		size_t left;
		do {
			ZSTD_outBuffer ob = {out, ZSTD_CStreamOutSize(), 0};
			left = ZSTD_compressStream2(c, &ob, &ib, mode);
			if (ZSTD_isError(left)) {
				ret = err_set(EIO, "%s: %s", dst, ZSTD_getErrorName(left));
				goto out;
			}
			if ((ret = fd_write_all(ofd, out, ob.pos, -1)) < 0) {
				ret = err_set(-ret, "%s: %s", dst, strerror(-ret));
				goto out;
			}
		} while (mode == ZSTD_e_end ? left != 0 : ib.pos < ib.size);
	} while (n);
	sha256_digest(&h, 32, sha);
out:
	if (ifd >= 0)
		close(ifd);
	if (ofd >= 0 && close(ofd) < 0 && !ret)
		ret = err_set(errno, "%s: %s", dst, strerror(errno));
	ZSTD_freeCCtx(c);
	free(in);
	free(out);
	return ret;
}

struct rrd {
	int fd;
	ZSTD_DCtx *z; /* NULL: a plain copy */
	uint8_t *in;
	ZSTD_inBuffer ib;
	bool eof, frame_done;
};

struct rrd *rrd_open(const char *path)
{
	struct rrd *d = calloc(1, sizeof(*d));
	size_t n = strlen(path), sl = strlen(RRD_SUFFIX);

	if (!d) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	if ((d->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(errno, "%s: %s", path, strerror(errno));
		free(d);
		return NULL;
	}
	if (n > sl && !strcmp(path + n - sl, RRD_SUFFIX) &&
	    (!(d->z = ZSTD_createDCtx()) || !(d->in = malloc(ZSTD_DStreamInSize())))) {
		err_set(ENOMEM, "out of memory");
		rrd_close(d);
		return NULL;
	}
	d->ib = (ZSTD_inBuffer){d->in, 0, 0};
	return d;
}

void rrd_close(struct rrd *d)
{
	if (!d)
		return;
	close(d->fd);
	ZSTD_freeDCtx(d->z);
	free(d->in);
	free(d);
}

long rrd_read(struct rrd *d, uint8_t *buf, size_t len)
{
	ZSTD_outBuffer ob = {buf, len, 0};

	if (!d->z) {
		size_t done = 0;
		while (done < len) {
			long k = read_some(d->fd, buf + done, len - done);
			if (k < 0)
				return err_set(EIO, "read error");
			if (!k)
				break;
			done += (size_t)k;
		}
		return (long)done;
	}
	while (ob.pos < len) {
		if (d->ib.pos == d->ib.size && !d->eof) {
			long k = read_some(d->fd, d->in, ZSTD_DStreamInSize());
			if (k < 0)
				return err_set(EIO, "read error");
			d->eof = !k;
			d->ib = (ZSTD_inBuffer){d->in, (size_t)k, 0};
		}
		size_t before = ob.pos, inpos = d->ib.pos;
		size_t r = ZSTD_decompressStream(d->z, &ob, &d->ib);
		if (ZSTD_isError(r))
			return err_set(EINVAL, "corrupt (%s)", ZSTD_getErrorName(r));
		if (r == 0)
			d->frame_done = true; /* with its checksum checked */
		else if (d->ib.pos > inpos)
			d->frame_done = false;
		if (ob.pos == before && d->ib.pos == d->ib.size && d->eof) {
			if (!d->frame_done)
				return err_set(EINVAL,
					       "truncated (the compressed copy ends early)");
			break;
		}
	}
	return (long)ob.pos;
}

int rrd_extract(const char *src, const char *dst, uint8_t sha[32], uint64_t *size)
{
	struct rrd *d = rrd_open(src);
	uint8_t *buf = malloc(CHUNK);
	struct sha256_ctx h;
	int ofd = -1, ret = 0;
	long n;

	*size = 0;
	if (!d || !buf) {
		ret = d ? err_set(ENOMEM, "out of memory") : -EINVAL;
		goto out;
	}
	if ((ofd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		ret = err_set(errno, "%s: %s", dst, strerror(errno));
		goto out;
	}
	sha256_init(&h);
	while ((n = rrd_read(d, buf, CHUNK)) > 0) {
		sha256_update(&h, (size_t)n, buf);
		*size += (uint64_t)n;
		if ((ret = fd_write_all(ofd, buf, (size_t)n, -1)) < 0) {
			ret = err_set(-ret, "%s: %s", dst, strerror(-ret));
			goto out;
		}
	}
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	sha256_digest(&h, 32, sha);
out:
	if (ofd >= 0 && close(ofd) < 0 && !ret)
		ret = err_set(errno, "%s: %s", dst, strerror(errno));
	rrd_close(d);
	free(buf);
	return ret;
}
