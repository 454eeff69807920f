/* tfile — the trace file's header and checksummed chunks (docs/TRACE-FORMAT.md).
 *
 * All integers are little-endian. The writer calls write(2) directly, never stdio, so a chunk is
 * in the kernel when tf_write_chunk() returns and a signal handler may write the last one. The
 * reader holds one chunk at a time, so its memory is bounded by the largest chunk (64 MiB). */
#include "trace/tfile.h"

#include "util/err.h"
#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define HEADER_BYTES 16
#define CHUNK_HEAD   8
#define CHUNK_TAIL   4
#define CHUNK_MAX    (64u << 20)

struct tf_writer {
	int fd;
};

struct tf_reader {
	FILE *f;
	char *path;
	uint8_t *buf; /* the current chunk: head, payload, CRC */
	size_t cap;
	uint64_t off;	   /* offset of the next chunk */
	uint64_t last_off; /* offset of the chunk last returned (or of the cut-off one) */
	bool truncated;
	int error; /* sticky: the position is lost after corruption */
	unsigned version;
};

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *b)
{
	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

struct tf_writer *tf_writer_open(const char *path)
{
	uint8_t head[HEADER_BYTES];
	struct tf_writer *w = malloc(sizeof(*w));

	if (!w)
		return NULL;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int e = errno;
		err_set(e, "%s: %s", path, strerror(e));
		free(w);
		errno = e;
		return NULL;
	}
	memcpy(head, TF_MAGIC, 8);
	put32(head + 8, TF_VERSION);
	put32(head + 12, 0);
	int rc = fd_write_all(w->fd, head, sizeof(head), -1);
	if (rc < 0) {
		err_set(-rc, "%s: %s", path, strerror(-rc));
		close(w->fd);
		free(w);
		errno = -rc;
		return NULL;
	}
	/* zlib may build its CRC table on first use; do that now, not inside a signal handler */
	(void)crc32(0, NULL, 0);
	return w;
}

int tf_write_chunk(struct tf_writer *w, uint32_t type, const void *data, size_t len)
{
	uint8_t head[CHUNK_HEAD], tail[CHUNK_TAIL];
	uLong crc;
	int rc;

	if (len > CHUNK_MAX)
		return -EINVAL;
	put32(head, type);
	put32(head + 4, (uint32_t)len);
	crc = crc32(0, head, sizeof(head));
	if (len)
		crc = crc32(crc, data, (uInt)len);
	put32(tail, (uint32_t)crc);
	if ((rc = fd_write_all(w->fd, head, sizeof(head), -1)) < 0)
		return rc;
	if (len && (rc = fd_write_all(w->fd, data, len, -1)) < 0)
		return rc;
	return fd_write_all(w->fd, tail, sizeof(tail), -1);
}

int tf_writer_close(struct tf_writer *w)
{
	int rc = 0;

	if (!w)
		return 0;
	if (close(w->fd) < 0)
		rc = -errno;
	free(w);
	return rc;
}

/* ---- reading ---- */

struct tf_reader *tf_reader_open(const char *path)
{
	uint8_t head[HEADER_BYTES];
	struct tf_reader *r = calloc(1, sizeof(*r));
	size_t n;

	if (!r || !(r->path = strdup(path))) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->f = fopen(path, "rb");
	if (!r->f) {
		int e = errno;
		err_set(e, "%s: %s", path, strerror(e));
		goto fail;
	}
	n = fread(head, 1, sizeof(head), r->f);
	if (ferror(r->f)) {
		err_set(EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (n < 8 || memcmp(head, TF_MAGIC, 8)) {
		err_set(EINVAL, "%s: not a strata trace", path);
		goto fail;
	}
	if (n < sizeof(head)) {
		err_set(EINVAL, "%s: truncated header", path);
		goto fail;
	}
	uint32_t version = get32(head + 8);
	if (version == 0) {
		err_set(EINVAL, "%s: bad trace version 0", path);
		goto fail;
	}
	if (version > TF_VERSION) {
		err_set(EINVAL, "%s: version %u is newer than this strata understands (%u)", path,
			version, TF_VERSION);
		goto fail;
	}
	/* header flags are hints a reader may ignore (see the versioning rules) */
	r->version = version;
	r->off = r->last_off = sizeof(head);
	return r;
fail:
	tf_reader_close(r);
	errno = EINVAL;
	return NULL;
}

/* Read exactly len bytes into the chunk buffer at pos: 1, 0 at a short read (end of file), or
 * -EIO. */
static int read_exact(struct tf_reader *r, size_t pos, size_t len)
{
	size_t n = fread(r->buf + pos, 1, len, r->f);

	if (n == len)
		return 1;
	if (ferror(r->f))
		return err_set(EIO, "%s: offset %llu: %s", r->path, (unsigned long long)r->off,
			       strerror(errno));
	return 0;
}

int tf_reader_next(struct tf_reader *r, uint32_t *type, const uint8_t **data, size_t *len)
{
	uint32_t t, n;
	int rc;

	if (r->truncated)
		return 0;
	if (r->error)
		return r->error;
	if (r->cap < CHUNK_HEAD + CHUNK_TAIL) {
		free(r->buf);
		if (!(r->buf = malloc(4096)))
			return -ENOMEM;
		r->cap = 4096;
	}
	r->last_off = r->off;
	size_t got = fread(r->buf, 1, CHUNK_HEAD, r->f);
	if (got < CHUNK_HEAD) {
		if (ferror(r->f))
			return err_set(EIO, "%s: offset %llu: %s", r->path,
				       (unsigned long long)r->off, strerror(errno));
		r->truncated = got > 0; /* 0 bytes: a clean end between chunks */
		return 0;
	}
	t = get32(r->buf);
	n = get32(r->buf + 4);
	if (n > CHUNK_MAX)
		return r->error = err_set(EINVAL, "%s: offset %llu: chunk length %u exceeds 64 MiB",
					  r->path, (unsigned long long)r->off, n);
	if (r->cap < CHUNK_HEAD + (size_t)n + CHUNK_TAIL) {
		size_t cap = CHUNK_HEAD + (size_t)n + CHUNK_TAIL;
		uint8_t *b = realloc(r->buf, cap);
		if (!b)
			return -ENOMEM;
		r->buf = b;
		r->cap = cap;
	}
	if ((rc = read_exact(r, CHUNK_HEAD, (size_t)n + CHUNK_TAIL)) <= 0) {
		r->truncated = rc == 0;
		return rc;
	}
	uint32_t crc = (uint32_t)crc32(0, r->buf, CHUNK_HEAD + n);
	if (crc != get32(r->buf + CHUNK_HEAD + n))
		return r->error = err_set(EINVAL, "%s: offset %llu: chunk checksum mismatch",
					  r->path, (unsigned long long)r->off);
	if (t < TF_META || t > TF_END)
		return r->error = err_set(EINVAL, "%s: offset %llu: unknown chunk type %u", r->path,
					  (unsigned long long)r->off, t);
	r->off += CHUNK_HEAD + (uint64_t)n + CHUNK_TAIL;
	*type = t;
	*data = r->buf + CHUNK_HEAD;
	*len = n;
	return 1;
}

bool tf_reader_truncated(const struct tf_reader *r)
{
	return r->truncated;
}

/* After the end of the iteration this is where reading stopped: the offset of the chunk cut off
 * by the end of the file, or the file size. */
uint64_t tf_reader_offset(const struct tf_reader *r)
{
	return r->last_off;
}

void tf_reader_close(struct tf_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->buf);
	free(r->path);
	free(r);
}

unsigned tf_reader_version(const struct tf_reader *r)
{
	return r->version;
}
