/* snapfile — one stored snapshot of a recording (docs/REPLAY.md "Stored snapshots"): a fixed
 * header, then one zstd frame (with its content checksum) holding the machine's state and the
 * RAM pages and drive blocks that changed since the snapshot before, with their new contents.
 * Parsing never trusts the bytes: malformed, truncated or corrupt input is -EINVAL with
 * err_set() saying what. */
#ifndef STRATA_REPLAY_SNAPFILE_H
#define STRATA_REPLAY_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>

#define RRS_MAGIC     "STRSNAP1" /* 8 bytes at the start of a snapshot file */
#define RRS_HDR_SIZE  64
#define RRS_PAGE      4096u
#define RRS_MAX_STATE (64u << 20) /* bytes of machine state, far more than any machine has */

struct rrs_hdr {
	uint64_t insns;	      /* instructions retired by all harts */
	uint64_t log_off;     /* input log: the first record the run had not read yet */
	uint64_t log_last_ns; /* ... and the clock value CLOCK deltas before it start from */
	uint32_t state_size;  /* machine_state_size() */
	uint32_t npages;      /* RAM pages in the payload */
	uint32_t nblocks;     /* drive blocks in the payload */
	uint64_t raw_size;    /* the payload's size, uncompressed */
	uint64_t zsize;	      /* its size in the file, after the header */
};

/* What the replaying machine accepts: a snapshot of another machine is malformed. */
struct rrs_limits {
	size_t state_size;
	uint64_t ram_pages;
	uint64_t drive_blocks[8]; /* per virtio slot: 4 KiB blocks (0: no writable drive) */
};

/* The uncompressed payload, in this order:
 *   state[state_size] | u32 page[npages] | page contents[npages][4096]
 *   | u64 block key[nblocks] (slot << 56 | block index) | block contents[nblocks][4096]
 * (little-endian; pages and keys strictly increasing). */
static inline uint64_t rrs_raw_size(uint64_t state, uint64_t npages, uint64_t nblocks)
{
	return state + npages * (4 + RRS_PAGE) + nblocks * (8 + RRS_PAGE);
}

void rrs_hdr_encode(const struct rrs_hdr *h, uint8_t out[RRS_HDR_SIZE]);
/* Decode and check the header of a file of len bytes (buf holds at least its first
 * RRS_HDR_SIZE bytes, or all of it if shorter). 0 or -EINVAL with err_set(). */
int rrs_hdr_decode(const uint8_t *buf, uint64_t len, const struct rrs_limits *lim,
		   struct rrs_hdr *h);
/* Decompress the payload z[0..h->zsize) into raw (h->raw_size bytes) and check it against
 * lim. 0 or -EINVAL with err_set(). */
int rrs_unpack(const struct rrs_hdr *h, const uint8_t *z, const struct rrs_limits *lim,
	       uint8_t *raw);
/* Compress raw[0..len) (level: zstd's) into a new buffer *z of *zlen bytes. 0 or -ENOMEM. */
int rrs_pack(const uint8_t *raw, size_t len, int level, uint8_t **z, size_t *zlen);

/* Views into an unpacked payload. */
static inline uint32_t rrs_page(const struct rrs_hdr *h, const uint8_t *raw, uint32_t i)
{
	const uint8_t *p = raw + h->state_size + 4 * (uint64_t)i;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline const uint8_t *rrs_page_data(const struct rrs_hdr *h, const uint8_t *raw, uint32_t i)
{
	return raw + h->state_size + 4 * (uint64_t)h->npages + (uint64_t)i * RRS_PAGE;
}
uint64_t rrs_block(const struct rrs_hdr *h, const uint8_t *raw, uint32_t i);
const uint8_t *rrs_block_data(const struct rrs_hdr *h, const uint8_t *raw, uint32_t i);

#endif
