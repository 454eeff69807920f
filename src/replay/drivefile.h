/* drivefile — a drive's starting contents in the recording directory (docs/REPLAY.md): a
 * zstd-compressed copy (driveN.img.zst, format 2) or a plain one (driveN.img, format 1). A copy
 * and not a reference to the image: the image may change or go away after the recording, and
 * the guest reads blocks it never writes; compressed, because file system images are mostly
 * empty or repetitive (the Linux image's 8 MiB drive takes 1 KiB, xv6's 2 MB fs.img 108 KiB). */
#ifndef STRATA_REPLAY_DRIVEFILE_H
#define STRATA_REPLAY_DRIVEFILE_H

#include <stddef.h>
#include <stdint.h>

#define RRD_SUFFIX ".zst"

struct rrd;

/* Compress src into dst (created or truncated), hashing the uncompressed bytes. 0 or -errno
 * with err_set(). */
int rrd_store(const char *src, const char *dst, uint8_t sha[32], uint64_t *size);
/* Read a stored copy from the start: compressed if its name ends in RRD_SUFFIX. NULL +
 * err_set(). */
struct rrd *rrd_open(const char *path);
/* The next up to len bytes into buf: how many (0 at the end), or -EINVAL (corrupt, with
 * err_set()) / -EIO. Fewer than len only at the end. */
long rrd_read(struct rrd *d, uint8_t *buf, size_t len);
void rrd_close(struct rrd *d);
/* Write the contents of the stored copy src into dst (created or truncated), hashing them.
 * 0 or -errno with err_set(). */
int rrd_extract(const char *src, const char *dst, uint8_t sha[32], uint64_t *size);

#endif
