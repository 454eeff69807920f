#include "machine/devices/virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

#define HDR_BYTES   16 /* struct virtio_blk_outhdr: type, reserved, sector */
#define CONFIG_SIZE 64
#define SEG_MAX	    (VIRTQ_MAX_SIZE - 2) /* a chain also carries the header and status */

struct virtio_blk {
	int fd;
	bool readonly;
	uint64_t sectors;
	uint8_t config[CONFIG_SIZE]; /* struct virtio_blk_config, little-endian */
	void (*before_write)(void *ctx, struct virtio_blk *b, uint64_t pos, uint64_t len);
	void *hook_ctx;
	struct virtio_blk *next_open;
};

/* Every open device, so that an exit() anywhere still flushes the images. */
static struct virtio_blk *open_list;

static void flush_all(void)
{
	for (struct virtio_blk *b = open_list; b; b = b->next_open)
		if (!b->readonly)
			fdatasync(b->fd);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << 8 * i;
	return v;
}

static int open_image(struct virtio_blk *b, const char *path)
{
	struct stat st;
	off_t size;

	b->fd = open(path, (b->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0)
		return err_set(errno, "-drive file=%s: %s%s", path, strerror(errno),
			       errno == EACCES || errno == EROFS ? " (readonly=on?)" : "");
	if (fstat(b->fd, &st) < 0)
		return err_set(errno, "-drive file=%s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode))
		size = st.st_size;
	else if (S_ISBLK(st.st_mode))
		size = lseek(b->fd, 0, SEEK_END);
	else
		return err_set(EINVAL, "-drive file=%s: not a regular file or block device", path);
	if (size < 0)
		return err_set(errno, "-drive file=%s: %s", path, strerror(errno));
	/* Refuse rather than round: a partial last sector would be silently unreachable. */
	if (size % VIRTIO_BLK_SECTOR_SIZE)
		return err_set(
		    EINVAL, "-drive file=%s: size %lld bytes is not a multiple of 512 (raw image)",
		    path, (long long)size);
	b->sectors = (uint64_t)size / VIRTIO_BLK_SECTOR_SIZE;
	return 0;
}

struct virtio_blk *virtio_blk_open(const char *path, bool readonly)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return NULL;
	b->readonly = readonly;
	ret = open_image(b, path);
	if (ret < 0) {
		if (b->fd >= 0)
			close(b->fd);
		free(b);
		errno = -ret;
		return NULL;
	}
	put_le(b->config + 0, b->sectors, 8);		   /* capacity */
	put_le(b->config + 12, SEG_MAX, 4);		   /* seg_max */
	put_le(b->config + 20, VIRTIO_BLK_SECTOR_SIZE, 4); /* blk_size */
	put_le(b->config + 34, 1, 2);			   /* num_queues */
	if (!open_list)
		atexit(flush_all);
	b->next_open = open_list;
	open_list = b;
	return b;
}

void virtio_blk_free(struct virtio_blk *b)
{
	if (!b)
		return;
	for (struct virtio_blk **p = &open_list; *p; p = &(*p)->next_open)
		if (*p == b) {
			*p = b->next_open;
			break;
		}
	if (!b->readonly)
		fdatasync(b->fd);
	close(b->fd);
	free(b);
}

void virtio_blk_set_write_hook(struct virtio_blk *b,
			       void (*before)(void *ctx, struct virtio_blk *b, uint64_t pos,
					      uint64_t len),
			       void *ctx)
{
	b->before_write = before;
	b->hook_ctx = ctx;
}

virtio_blk_write_hook_fn *virtio_blk_write_hook(const struct virtio_blk *b, void **ctx)
{
	*ctx = b->hook_ctx;
	return b->before_write;
}

uint64_t virtio_blk_size(const struct virtio_blk *b)
{
	return b->sectors * VIRTIO_BLK_SECTOR_SIZE;
}

bool virtio_blk_readonly(const struct virtio_blk *b)
{
	return b->readonly;
}

int virtio_blk_pio(struct virtio_blk *b, void *buf, uint64_t len, uint64_t pos, bool write)
{
	uint8_t *p = buf;

	if (pos > virtio_blk_size(b) || len > virtio_blk_size(b) - pos || (write && b->readonly))
		return -EINVAL;
	for (uint64_t done = 0; done < len;) {
		ssize_t k = write ? pwrite(b->fd, p + done, len - done, (off_t)(pos + done))
				  : pread(b->fd, p + done, len - done, (off_t)(pos + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -EIO;
		done += (uint64_t)k;
	}
	return 0;
}

/* ---- device ops ---- */

static uint64_t blk_features(void *dev)
{
	struct virtio_blk *b = dev;

	return 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
	       1ull << VIRTIO_BLK_F_FLUSH | (b->readonly ? 1ull << VIRTIO_BLK_F_RO : 0);
}

static uint64_t blk_config_read(void *dev, uint64_t offset, unsigned size)
{
	struct virtio_blk *b = dev;
	if (offset >= CONFIG_SIZE || size > CONFIG_SIZE - offset)
		return 0;
	return get_le(b->config + offset, size);
}

/* Transfer the data bytes [skip, skip+len) of a request's readable (write) or writable
 * (read) buffers to/from the image at byte offset pos. 0, or -EIO. */
static int transfer(struct virtio_blk *b, struct virtio_mmio *t, const struct virtq_req *r,
		    bool to_image, uint64_t skip, uint64_t len, uint64_t pos)
{
	unsigned first = to_image ? 0 : r->nout, end = to_image ? r->nout : r->nout + r->nin;

	for (unsigned i = first; i < end && len; i++) {
		const struct virtq_buf *buf = &r->buf[i];
		uint64_t n;

		if (skip >= buf->len) {
			skip -= buf->len;
			continue;
		}
		n = buf->len - skip < len ? buf->len - skip : len;
		if (to_image && b->before_write)
			b->before_write(b->hook_ctx, b, pos, n);
		for (uint64_t done = 0; done < n;) {
			ssize_t k = to_image ? pwrite(b->fd, buf->host + skip + done, n - done,
						      (off_t)(pos + done))
					     : pread(b->fd, buf->host + skip + done, n - done,
						     (off_t)(pos + done));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				return -EIO; /* error, or the image shrank under us */
			done += (uint64_t)k;
		}
		if (!to_image)
			virtio_mmio_dma_done(t, buf->paddr + skip, n);
		pos += n;
		len -= n;
		skip = 0;
	}
	return 0;
}

static bool range_ok(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	return bytes % VIRTIO_BLK_SECTOR_SIZE == 0 && sector <= b->sectors &&
	       bytes / VIRTIO_BLK_SECTOR_SIZE <= b->sectors - sector;
}

static uint8_t do_request(struct virtio_blk *b, struct virtio_mmio *t, const struct virtq_req *r,
			  uint32_t type, uint64_t sector)
{
	uint64_t in_data = r->in_bytes - 1, out_data = r->out_bytes - HDR_BYTES;
	static const char serial[] = ""; /* no serial number, as QEMU without serial= */

	switch (type) {
	case VIRTIO_BLK_T_IN:
		if (!range_ok(b, sector, in_data))
			return VIRTIO_BLK_S_IOERR;
		return transfer(b, t, r, false, 0, in_data, sector * VIRTIO_BLK_SECTOR_SIZE)
			   ? VIRTIO_BLK_S_IOERR
			   : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		if (b->readonly || !range_ok(b, sector, out_data))
			return VIRTIO_BLK_S_IOERR;
		return transfer(b, t, r, true, HDR_BYTES, out_data, sector * VIRTIO_BLK_SECTOR_SIZE)
			   ? VIRTIO_BLK_S_IOERR
			   : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		/* Nothing to flush on a read-only image (and some file systems refuse it). */
		return !b->readonly && fdatasync(b->fd) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		/* As QEMU: the string and its NUL, unless it fills all 20 bytes. */
		virtq_req_write(t, r, 0, serial,
				in_data < sizeof(serial) ? in_data : sizeof(serial));
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static int blk_request(void *dev, struct virtio_mmio *t, unsigned q, const struct virtq_req *r,
		       uint32_t *written)
{
	uint8_t hdr[HDR_BYTES], status;

	/* No room for the header or the status byte: the driver is broken (QEMU: "virtio-blk
	 * missing headers"), there is nowhere to report an error. */
	if (r->out_bytes < HDR_BYTES || r->in_bytes < 1)
		return -EINVAL;
	virtq_req_read(r, 0, hdr, HDR_BYTES);
	status = do_request(dev, t, r, (uint32_t)get_le(hdr, 4), get_le(hdr + 8, 8));
	virtq_req_write(t, r, r->in_bytes - 1, &status, 1);
	/* Like QEMU, report the whole writable part as used. */
	*written = r->in_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)r->in_bytes;
	return 0;
}

const struct virtio_dev_ops virtio_blk_dev_ops = {
    .device_id = 2,
    .nqueues = 1,
    .features = blk_features,
    .config_read = blk_config_read,
    .request = blk_request,
};
