/* snapfile — encoding and checking stored snapshots (snapfile.h). */
#include "replay/snapfile.h"
#include "util/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void rrs_hdr_encode(const struct rrs_hdr *h, uint8_t out[RRS_HDR_SIZE])
{
	memset(out, 0, RRS_HDR_SIZE);
	memcpy(out, RRS_MAGIC, 8);
	put64(out + 8, h->insns);
	put64(out + 16, h->log_off);
	put64(out + 24, h->log_last_ns);
	put64(out + 32, (uint64_t)h->state_size | (uint64_t)h->npages << 32);
	put64(out + 40, h->nblocks);
	put64(out + 48, h->raw_size);
	put64(out + 56, h->zsize);
}

int rrs_hdr_decode(const uint8_t *buf, uint64_t len, const struct rrs_limits *lim,
		   struct rrs_hdr *h)
{
	uint64_t w;

	if (len < RRS_HDR_SIZE)
		return err_set(EINVAL, "truncated (%" PRIu64 " bytes, the header alone is %d)", len,
			       RRS_HDR_SIZE);
	if (memcmp(buf, RRS_MAGIC, 8))
		return err_set(EINVAL, "not a strata snapshot (bad magic)");
	h->insns = get64(buf + 8);
	h->log_off = get64(buf + 16);
	h->log_last_ns = get64(buf + 24);
	w = get64(buf + 32);
	h->state_size = (uint32_t)w;
	h->npages = (uint32_t)(w >> 32);
	w = get64(buf + 40);
	if (w > UINT32_MAX)
		return err_set(EINVAL, "malformed header (block count)");
	h->nblocks = (uint32_t)w;
	h->raw_size = get64(buf + 48);
	h->zsize = get64(buf + 56);
	if (h->state_size != lim->state_size)
		return err_set(EINVAL,
			       "machine state of %" PRIu32 " bytes, this machine's is %zu (another "
			       "machine or strata)",
			       h->state_size, lim->state_size);
	if (h->npages > lim->ram_pages)
		return err_set(EINVAL, "%" PRIu32 " RAM pages, the machine has %" PRIu64, h->npages,
			       lim->ram_pages);
	w = 0;
	for (int i = 0; i < 8; i++)
		w += lim->drive_blocks[i];
	if (h->nblocks > w)
		return err_set(EINVAL,
			       "%" PRIu32 " drive blocks, the writable drives have %" PRIu64,
			       h->nblocks, w);
	if (h->raw_size != rrs_raw_size(h->state_size, h->npages, h->nblocks))
		return err_set(EINVAL, "malformed header (payload size)");
	if (h->zsize != len - RRS_HDR_SIZE)
		return err_set(EINVAL,
			       "%s (%" PRIu64 " bytes of payload, the header says %" PRIu64 ")",
			       h->zsize > len - RRS_HDR_SIZE ? "truncated" : "trailing bytes",
			       len - RRS_HDR_SIZE, h->zsize);
	return 0;
}

uint64_t rrs_block(const struct rrs_hdr *h, const uint8_t *raw, uint32_t i)
{
	return get64(raw + h->state_size + (uint64_t)h->npages * (4 + RRS_PAGE) + 8 * (uint64_t)i);
}

const uint8_t *rrs_block_data(const struct rrs_hdr *h, const uint8_t *raw, uint32_t i)
{
	return raw + h->state_size + (uint64_t)h->npages * (4 + RRS_PAGE) +
	       8 * (uint64_t)h->nblocks + (uint64_t)i * RRS_PAGE;
}

int rrs_unpack(const struct rrs_hdr *h, const uint8_t *z, const struct rrs_limits *lim,
	       uint8_t *raw)
{
	unsigned long long fsize = ZSTD_getFrameContentSize(z, h->zsize);
	size_t n;

	if (fsize != h->raw_size)
		return err_set(EINVAL, "corrupt payload (not a zstd frame of the header's size)");
	n = ZSTD_decompress(raw, h->raw_size, z, h->zsize);
	if (ZSTD_isError(n) || n != h->raw_size)
		return err_set(EINVAL, "corrupt payload (%s)",
			       ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short");
	for (uint32_t i = 0; i < h->npages; i++) {
		uint32_t p = rrs_page(h, raw, i);
		if (p >= lim->ram_pages || (i && p <= rrs_page(h, raw, i - 1)))
			return err_set(EINVAL, "malformed payload (RAM page %" PRIu32 ")", p);
	}
	for (uint32_t i = 0; i < h->nblocks; i++) {
		uint64_t k = rrs_block(h, raw, i), slot = k >> 56;
		if (slot >= 8 || (k & ((1ull << 56) - 1)) >= lim->drive_blocks[slot] ||
		    (i && k <= rrs_block(h, raw, i - 1)))
			return err_set(EINVAL, "malformed payload (drive block %#" PRIx64 ")", k);
	}
	return 0;
}

int rrs_pack(const uint8_t *raw, size_t len, int level, uint8_t **z, size_t *zlen)
{
	size_t cap = ZSTD_compressBound(len), n;
	ZSTD_CCtx *c = ZSTD_createCCtx();
	uint8_t *out = malloc(cap ? cap : 1);

	if (!c || !out)
		goto nomem;
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(c, out, cap, raw, len);
	if (ZSTD_isError(n))
		goto nomem;
	ZSTD_freeCCtx(c);
	*z = out;
	*zlen = n;
	return 0;
nomem:
	ZSTD_freeCCtx(c);
	free(out);
	return -ENOMEM;
}
