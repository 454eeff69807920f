/* virtio_blk — a virtio block device (device ID 2) backed by a raw image file, behind a
 * virtio_mmio transport. Requests are carried out synchronously with pread/pwrite straight
 * into/out of guest RAM; guest writes reach the file at once and are fdatasync'ed on guest
 * flush requests, on virtio_blk_free and at process exit. */
#ifndef STRATA_MACHINE_DEVICES_VIRTIO_BLK_H
#define STRATA_MACHINE_DEVICES_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/devices/virtio_mmio.h"

#define VIRTIO_BLK_SECTOR_SIZE 512
#define VIRTIO_BLK_ID_BYTES    20

/* Device feature bits. */
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO	      5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

/* Request types and status values. */
#define VIRTIO_BLK_T_IN	    0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

struct virtio_blk;

extern const struct virtio_dev_ops virtio_blk_dev_ops;

/* Open the raw image at path (O_RDWR, or O_RDONLY when readonly). Its size must be a multiple
 * of 512 bytes. NULL + errno, with err_set("-drive file=PATH: why"), on failure. */
struct virtio_blk *virtio_blk_open(const char *path, bool readonly);
/* Flush and close. */
void virtio_blk_free(struct virtio_blk *b);
/* before(ctx, b, pos, len) runs before the guest's writes change bytes [pos, pos+len) of the
 * image (reverse execution keeps what they held: src/replay/snapdisk.c); NULL: none. */
void virtio_blk_set_write_hook(struct virtio_blk *b,
			       void (*before)(void *ctx, struct virtio_blk *b, uint64_t pos,
					      uint64_t len),
			       void *ctx);
typedef void virtio_blk_write_hook_fn(void *ctx, struct virtio_blk *b, uint64_t pos,
				      uint64_t len);
/* The hook set now (NULL: none) and its ctx: a second watcher calls it from its own. */
virtio_blk_write_hook_fn *virtio_blk_write_hook(const struct virtio_blk *b, void **ctx);
/* The image's size in bytes; whether it is read-only. */
uint64_t virtio_blk_size(const struct virtio_blk *b);
bool virtio_blk_readonly(const struct virtio_blk *b);
/* Read or write len bytes of the image at pos, bypassing the guest. 0, -EINVAL (out of the
 * image, or a write to a read-only one) or -EIO. */
int virtio_blk_pio(struct virtio_blk *b, void *buf, uint64_t len, uint64_t pos, bool write);

#endif
