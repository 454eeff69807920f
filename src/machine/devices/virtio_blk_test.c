/* virtio-blk behind the virtio-mmio transport, driven through its registers over a fake 64 KiB
 * RAM, with a temporary image file: good requests, and malformed ones that must end in an
 * error status or DEVICE_NEEDS_RESET, never a host crash. Then the -drive wiring of the board. */
#include "machine/devices/virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/machine.h"
#include "machine/test_util.h"
#include "util/err.h"

#define BASE	 0x80000000ull
#define RAM_SIZE 0x10000ull
#define SECTORS	 16
#define QNUM	 8
#define DESC	 (BASE + 0x0000)
#define AVAIL	 (BASE + 0x1000)
#define USED	 (BASE + 0x2000)
#define HDR	 (BASE + 0x3000)
#define STATUS	 (BASE + 0x3100)
#define INDIR	 (BASE + 0x3200)
#define DATA	 (BASE + 0x4000)

enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
	R_VENDOR = 0x00c,
	R_DEV_FEAT = 0x010,
	R_DEV_FEAT_SEL = 0x014,
	R_DRV_FEAT = 0x020,
	R_DRV_FEAT_SEL = 0x024,
	R_QSEL = 0x030,
	R_QNUM_MAX = 0x034,
	R_QNUM = 0x038,
	R_QREADY = 0x044,
	R_NOTIFY = 0x050,
	R_ISR = 0x060,
	R_ACK = 0x064,
	R_STATUS = 0x070,
	R_DESC_LO = 0x080,
	R_DESC_HI = 0x084,
	R_AVAIL_LO = 0x090,
	R_AVAIL_HI = 0x094,
	R_USED_LO = 0x0a0,
	R_USED_HI = 0x0a4,
	R_GEN = 0x0fc,
	R_CONFIG = 0x100,
};

static uint8_t ram[RAM_SIZE];
static bool irq;
static unsigned irq_slot = 99, irq_raises;
static struct {
	uint64_t pa, len;
} dma[64];
static unsigned ndma;
static bool dma_outside;
static char img[] = "/tmp/strata_vblk_testXXXXXX";
static int img_fd = -1;
static uint16_t avail_idx;

static uint8_t *ram_ptr(void *ctx, uint64_t pa, uint64_t len)
{
	if (pa < BASE || len > RAM_SIZE || pa - BASE > RAM_SIZE - len)
		return NULL;
	return ram + (pa - BASE);
}
static void ram_written(void *ctx, uint64_t pa, uint64_t len)
{
	/* Every DMA write must have been inside RAM. */
	if (!ram_ptr(ctx, pa, len))
		dma_outside = true;
	if (ndma < 64)
		dma[ndma++].pa = pa, dma[ndma - 1].len = len;
}

/* [pa, pa+len) was reported as written by DMA in one piece. */
static bool dma_reported(uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < ndma; i++)
		if (dma[i].pa == pa && dma[i].len == len)
			return true;
	return false;
}
static void set_irq(void *ctx, unsigned slot, bool level)
{
	irq_slot = slot;
	irq = level;
	irq_raises += level;
}

static const struct virtio_mmio_host host = {NULL, ram_ptr, ram_written, set_irq};

static uint32_t rd(struct virtio_mmio *t, uint64_t off)
{
	uint64_t v = 0xdeadbeef;

	virtio_mmio_ops.read(t, off, 4, &v);
	return (uint32_t)v;
}
static void wr(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	virtio_mmio_ops.write(t, off, 4, v);
}

static void put(uint64_t pa, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ram[pa - BASE + i] = (uint8_t)(v >> 8 * i);
}
static uint64_t get(uint64_t pa, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)ram[pa - BASE + i] << 8 * i;
	return v;
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put(DESC + 16 * i, addr, 8);
	put(DESC + 16 * i + 8, len, 4);
	put(DESC + 16 * i + 12, flags, 2);
	put(DESC + 16 * i + 14, next, 2);
}

/* Fresh image: sector s is filled with byte 's'. */
static void make_image(void)
{
	uint8_t sec[VIRTIO_BLK_SECTOR_SIZE];

	if (img_fd < 0)
		img_fd = mkstemp(img);
	ftruncate(img_fd, 0);
	for (unsigned s = 0; s < SECTORS; s++) {
		memset(sec, 's' + s, sizeof(sec));
		pwrite(img_fd, sec, sizeof(sec), s * sizeof(sec));
	}
}

/* Reset, negotiate features, set up queue 0 with num entries at DESC/AVAIL/USED. */
static void setup(struct virtio_mmio *t, uint32_t num)
{
	memset(ram, 0, sizeof(ram));
	avail_idx = 0;
	irq = false;
	ndma = 0;
	dma_outside = false;
	wr(t, R_STATUS, 0);
	wr(t, R_STATUS, 1);
	wr(t, R_STATUS, 3);
	wr(t, R_DEV_FEAT_SEL, 0);
	wr(t, R_DRV_FEAT_SEL, 0);
	wr(t, R_DRV_FEAT, rd(t, R_DEV_FEAT));
	wr(t, R_DEV_FEAT_SEL, 1);
	wr(t, R_DRV_FEAT_SEL, 1);
	wr(t, R_DRV_FEAT, rd(t, R_DEV_FEAT));
	wr(t, R_STATUS, 0xb);
	wr(t, R_QSEL, 0);
	wr(t, R_QNUM, num);
	wr(t, R_DESC_LO, (uint32_t)DESC);
	wr(t, R_DESC_HI, DESC >> 32);
	wr(t, R_AVAIL_LO, (uint32_t)AVAIL);
	wr(t, R_AVAIL_HI, AVAIL >> 32);
	wr(t, R_USED_LO, (uint32_t)USED);
	wr(t, R_USED_HI, USED >> 32);
	wr(t, R_QREADY, 1);
	wr(t, R_STATUS, 0xf);
}

/* Publish head and notify. */
static void submit(struct virtio_mmio *t, uint16_t head)
{
	put(AVAIL + 4 + 2 * (avail_idx % QNUM), head, 2);
	avail_idx++;
	put(AVAIL + 2, avail_idx, 2);
	wr(t, R_NOTIFY, 0);
}

/* A header + data + status request in descriptors 0, 1, 2 (no data descriptor when len is 0);
 * returns the status byte. */
static unsigned request(struct virtio_mmio *t, uint32_t type, uint64_t sector, uint32_t len)
{
	put(HDR, type, 4);
	put(HDR + 8, sector, 8);
	put(STATUS, 0xee, 1);
	desc(0, HDR, 16, 1, len ? 1 : 2);
	desc(1, DATA, len, 1 | (type == VIRTIO_BLK_T_OUT ? 0 : 2), 2);
	desc(2, STATUS, 1, 2, 0);
	submit(t, 0);
	return (unsigned)get(STATUS, 1);
}

static bool needs_reset(struct virtio_mmio *t)
{
	return rd(t, R_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

static struct virtio_mmio *fresh(bool readonly, struct virtio_blk **bp)
{
	struct virtio_blk *b;

	make_image();
	b = virtio_blk_open(img, readonly);
	*bp = b;
	return b ? virtio_mmio_new(3, &host, &virtio_blk_dev_ops, b) : NULL;
}

static void done(struct virtio_mmio *t, struct virtio_blk *b)
{
	virtio_mmio_free(t);
	virtio_blk_free(b);
}

static int identity(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b), *empty = virtio_mmio_new(0, &host, NULL, NULL);
	uint64_t v;

	CHECK(t && empty, "new: %s", err_msg());
	CHECK(rd(t, R_MAGIC) == 0x74726976 && rd(t, R_VERSION) == 2, "magic/version");
	CHECK(rd(t, R_DEVICE_ID) == 2 && rd(t, R_VENDOR) == 0x554d4551, "ids");
	CHECK(rd(empty, R_MAGIC) == 0x74726976 && rd(empty, R_VERSION) == 2 &&
		  rd(empty, R_DEVICE_ID) == 0 && rd(empty, R_QNUM_MAX) == 0,
	      "empty slot: device id 0");
	wr(t, R_DEV_FEAT_SEL, 1);
	CHECK(rd(t, R_DEV_FEAT) & 1, "VERSION_1 offered");
	wr(t, R_DEV_FEAT_SEL, 0);
	CHECK((rd(t, R_DEV_FEAT) >> VIRTIO_BLK_F_FLUSH & 1) &&
		  !(rd(t, R_DEV_FEAT) >> VIRTIO_BLK_F_RO & 1),
	      "FLUSH, not RO: %#x", rd(t, R_DEV_FEAT));
	CHECK(rd(t, R_QNUM_MAX) == VIRTQ_MAX_SIZE, "QueueNumMax %u", rd(t, R_QNUM_MAX));
	CHECK(rd(t, R_CONFIG) == SECTORS && rd(t, R_CONFIG + 4) == 0, "capacity %u",
	      rd(t, R_CONFIG));
	virtio_mmio_ops.read(t, R_CONFIG, 8, &v);
	CHECK(v == SECTORS, "capacity as one 8-byte read");
	virtio_mmio_ops.read(t, R_CONFIG + 20, 2, &v);
	CHECK(v == 512, "blk_size");
	virtio_mmio_ops.read(t, R_CONFIG + 0xefc, 4, &v);
	CHECK(v == 0, "past the config space reads 0");
	virtio_mmio_ops.read(t, R_MAGIC, 2, &v);
	CHECK(v == 0, "2-byte register read gives 0 (QEMU)");
	CHECK(!strcmp(virtio_mmio_ops.reg_name(t, R_NOTIFY), "QueueNotify"), "reg name");
	virtio_mmio_free(empty);
	done(t, b);
	return 0;
}

/* Start over and offer the driver features lo/hi; the status the device keeps. */
static uint32_t negotiate(struct virtio_mmio *t, uint32_t lo, uint32_t hi, uint32_t hi_sel)
{
	wr(t, R_STATUS, 0);
	wr(t, R_STATUS, 3);
	wr(t, R_DRV_FEAT_SEL, 0);
	wr(t, R_DRV_FEAT, lo);
	wr(t, R_DRV_FEAT_SEL, hi_sel);
	wr(t, R_DRV_FEAT, hi);
	wr(t, R_STATUS, 0xb);
	return rd(t, R_STATUS);
}

/* What QEMU 7.2's modern virtio-mmio blk device does (checked on qemu-system-riscv64 7.2 with
 * a bare-metal probe): FEATURES_OK is kept for every driver feature set. */
static int negotiation(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b);

	CHECK(t, "new: %s", err_msg());
	CHECK(negotiate(t, 1u << VIRTIO_BLK_F_FLUSH, 0, 1) == 0xb,
	      "driver without VERSION_1 accepted (xv6)");
	CHECK(negotiate(t, 0, 1 | 1u << 20, 1) == 0xb, "unoffered feature dropped, not refused");
	CHECK(negotiate(t, 0xffffffff, 0xffffffff, 1) == 0xb, "all ones accepted");
	CHECK(negotiate(t, 0, 1, 7) == 0xb, "any nonzero selector is the high word");
	/* Once FEATURES_OK is set the features are fixed; the device still works. */
	wr(t, R_DRV_FEAT_SEL, 1);
	wr(t, R_DRV_FEAT, 0);
	wr(t, R_STATUS, 0xf);
	CHECK(rd(t, R_STATUS) == 0xf, "DRIVER_OK after FEATURES_OK");
	wr(t, R_DEV_FEAT_SEL, 5);
	CHECK(rd(t, R_DEV_FEAT) & 1, "device features: nonzero selector reads the high word");
	wr(t, R_DEV_FEAT_SEL, 0);
	done(t, b);
	return 0;
}

/* Every completion signals the line, even while it is already high: the PLIC pends a source
 * each time its device signals (QEMU's virtio_mmio_update_irq). */
static int irq_per_completion(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b);
	unsigned before;

	CHECK(t, "new: %s", err_msg());
	setup(t, QNUM);
	before = irq_raises;
	CHECK(request(t, VIRTIO_BLK_T_IN, 0, 512) == VIRTIO_BLK_S_OK && irq, "first completion");
	CHECK(request(t, VIRTIO_BLK_T_IN, 1, 512) == VIRTIO_BLK_S_OK && irq, "second completion");
	CHECK(irq_raises - before == 2, "two raises without an ACK between (%u)",
	      irq_raises - before);
	wr(t, R_ACK, VIRTIO_INT_USED);
	CHECK(!irq && irq_raises - before == 2, "ACK lowers");
	done(t, b);
	return 0;
}

static int good_requests(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b);
	uint8_t buf[1024];

	CHECK(t, "new: %s", err_msg());
	setup(t, QNUM);
	CHECK(rd(t, R_QREADY) == 1 && !needs_reset(t), "queue ready");
	/* Read sectors 2..3, the data split over two descriptors. */
	put(HDR, VIRTIO_BLK_T_IN, 4);
	put(HDR + 8, 2, 8);
	desc(0, HDR, 16, 1, 1);
	desc(1, DATA, 700, 3, 3);
	desc(3, DATA + 0x800, 324, 3, 2);
	desc(2, STATUS, 1, 2, 0);
	put(STATUS, 0xee, 1);
	submit(t, 0);
	CHECK(get(STATUS, 1) == VIRTIO_BLK_S_OK, "read status %u", (unsigned)get(STATUS, 1));
	CHECK(get(USED + 2, 2) == 1 && get(USED + 4, 4) == 0 && get(USED + 8, 4) == 1025,
	      "used elem: idx %u id %u len %u", (unsigned)get(USED + 2, 2),
	      (unsigned)get(USED + 4, 4), (unsigned)get(USED + 8, 4));
	CHECK(ram[DATA - BASE] == 's' + 2 && ram[DATA - BASE + 511] == 's' + 2 &&
		  ram[DATA - BASE + 512] == 's' + 3 && ram[DATA - BASE + 699] == 's' + 3 &&
		  ram[DATA - BASE + 0x800] == 's' + 3 &&
		  ram[DATA - BASE + 0x800 + 323] == 's' + 3 && ram[DATA - BASE + 0x800 + 324] == 0,
	      "read data");
	CHECK(!dma_outside && dma_reported(DATA, 700) && dma_reported(DATA + 0x800, 324) &&
		  dma_reported(STATUS, 1) && dma_reported(USED + 4, 8) && dma_reported(USED + 2, 2),
	      "DMA writes reported for code invalidation (%u)", ndma);
	CHECK(irq && irq_slot == 3 && rd(t, R_ISR) == VIRTIO_INT_USED, "used interrupt");
	wr(t, R_ACK, VIRTIO_INT_USED);
	CHECK(!irq && rd(t, R_ISR) == 0, "ACK lowers the line");

	/* Write sector 15 (the last one), then read the file. */
	memset(ram + (DATA - BASE), 0xa5, 512);
	CHECK(request(t, VIRTIO_BLK_T_OUT, SECTORS - 1, 512) == VIRTIO_BLK_S_OK, "write");
	CHECK(pread(img_fd, buf, 513, (SECTORS - 1) * 512) == 512 && buf[0] == 0xa5 &&
		  buf[511] == 0xa5,
	      "write reached the image");
	CHECK(request(t, VIRTIO_BLK_T_FLUSH, 0, 0) == VIRTIO_BLK_S_OK, "flush");
	memset(ram + (DATA - BASE), 0xff, 32);
	CHECK(request(t, VIRTIO_BLK_T_GET_ID, 0, 32) == VIRTIO_BLK_S_OK, "get id");
	CHECK(ram[DATA - BASE] == 0 && ram[DATA - BASE + 1] == 0xff,
	      "id: the empty string, NUL-terminated, as QEMU without serial=");
	CHECK(request(t, 99, 0, 512) == VIRTIO_BLK_S_UNSUPP, "unknown type");
	CHECK(get(USED + 2, 2) == 5 && !needs_reset(t), "5 used");
	/* Interrupt suppression: NO_INTERRUPT in avail flags. */
	wr(t, R_ACK, 3);
	put(AVAIL, 1, 2);
	CHECK(request(t, VIRTIO_BLK_T_IN, 0, 512) == VIRTIO_BLK_S_OK && !irq,
	      "no interrupt when suppressed");
	done(t, b);
	return 0;
}

static int indirect(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b);

	CHECK(t, "new: %s", err_msg());
	setup(t, QNUM);
	put(HDR, VIRTIO_BLK_T_IN, 4);
	put(HDR + 8, 5, 8);
	put(INDIR + 0, HDR, 8), put(INDIR + 8, 16, 4), put(INDIR + 12, 1, 2), put(INDIR + 14, 1, 2);
	put(INDIR + 16, DATA, 8), put(INDIR + 24, 512, 4), put(INDIR + 28, 3, 2),
	    put(INDIR + 30, 2, 2);
	put(INDIR + 32, STATUS, 8), put(INDIR + 40, 1, 4), put(INDIR + 44, 2, 2);
	desc(4, INDIR, 48, 4, 0);
	submit(t, 4);
	CHECK(get(STATUS, 1) == 0 && ram[DATA - BASE] == 's' + 5 && get(USED + 4, 4) == 4,
	      "indirect read");
	/* Table length not a multiple of 16. */
	desc(4, INDIR, 40, 4, 0);
	submit(t, 4);
	CHECK(needs_reset(t) && get(USED + 2, 2) == 1, "odd indirect table size");
	setup(t, QNUM);
	/* Indirect descriptor inside the table. */
	put(INDIR + 12, 4, 2);
	desc(4, INDIR, 48, 4, 0);
	submit(t, 4);
	CHECK(needs_reset(t), "nested indirect");
	setup(t, QNUM);
	/* Indirect table whose chain loops. */
	put(INDIR + 0, HDR, 8), put(INDIR + 8, 16, 4), put(INDIR + 12, 1, 2), put(INDIR + 14, 1, 2);
	put(INDIR + 16, DATA, 8), put(INDIR + 24, 512, 4), put(INDIR + 28, 1, 2),
	    put(INDIR + 30, 0, 2);
	desc(4, INDIR, 32, 4, 0);
	submit(t, 4);
	CHECK(needs_reset(t), "looping indirect chain");
	done(t, b);
	return 0;
}

static int readonly(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(true, &b);
	uint8_t buf[512];

	CHECK(t, "new: %s", err_msg());
	wr(t, R_DEV_FEAT_SEL, 0);
	CHECK(rd(t, R_DEV_FEAT) >> VIRTIO_BLK_F_RO & 1, "RO offered");
	setup(t, QNUM);
	memset(ram + (DATA - BASE), 0x11, 512);
	CHECK(request(t, VIRTIO_BLK_T_OUT, 0, 512) == VIRTIO_BLK_S_IOERR, "write refused");
	CHECK(pread(img_fd, buf, 512, 0) == 512 && buf[0] == 's' && buf[511] == 's',
	      "image untouched");
	CHECK(request(t, VIRTIO_BLK_T_IN, 1, 512) == VIRTIO_BLK_S_OK && ram[DATA - BASE] == 's' + 1,
	      "reads still work");
	CHECK(request(t, VIRTIO_BLK_T_FLUSH, 0, 0) == VIRTIO_BLK_S_OK, "flush ok");
	done(t, b);
	return 0;
}

static int bad_ranges(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b);

	CHECK(t, "new: %s", err_msg());
	setup(t, QNUM);
	CHECK(request(t, VIRTIO_BLK_T_IN, SECTORS, 512) == VIRTIO_BLK_S_IOERR, "sector = capacity");
	CHECK(request(t, VIRTIO_BLK_T_IN, SECTORS - 1, 1024) == VIRTIO_BLK_S_IOERR,
	      "runs past end");
	CHECK(request(t, VIRTIO_BLK_T_OUT, UINT64_MAX, 512) == VIRTIO_BLK_S_IOERR, "huge sector");
	CHECK(request(t, VIRTIO_BLK_T_OUT, UINT64_MAX / 512 + 1, 512) == VIRTIO_BLK_S_IOERR,
	      "sector*512 overflows");
	CHECK(request(t, VIRTIO_BLK_T_IN, 0, 100) == VIRTIO_BLK_S_IOERR, "length not sectors");
	CHECK(get(USED + 2, 2) == 5 && !needs_reset(t) && ram[DATA - BASE] == 0,
	      "all completed, nothing read");
	done(t, b);
	return 0;
}

static int bad_rings(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b);

	CHECK(t, "new: %s", err_msg());
	/* Descriptor outside RAM, and one straddling its end. */
	setup(t, QNUM);
	put(HDR, VIRTIO_BLK_T_IN, 4);
	desc(0, HDR, 16, 1, 1);
	desc(1, 0x1000, 512, 3, 2);
	desc(2, STATUS, 1, 2, 0);
	submit(t, 0);
	CHECK(needs_reset(t) && get(USED + 2, 2) == 0, "descriptor outside RAM");
	CHECK(irq && rd(t, R_ISR) == VIRTIO_INT_CONFIG && rd(t, R_GEN) == 1, "config interrupt");
	submit(t, 0);
	CHECK(get(USED + 2, 2) == 0, "broken device ignores notifies");
	setup(t, QNUM);
	CHECK(!needs_reset(t) && !irq, "reset clears NEEDS_RESET");
	put(HDR, VIRTIO_BLK_T_IN, 4);
	desc(0, HDR, 16, 1, 1);
	desc(1, BASE + RAM_SIZE - 256, 512, 3, 2);
	desc(2, STATUS, 1, 2, 0);
	submit(t, 0);
	CHECK(needs_reset(t), "descriptor straddling the end of RAM");
	/* Loops: a self-loop and a two-descriptor cycle. */
	setup(t, QNUM);
	desc(0, HDR, 16, 1, 0);
	submit(t, 0);
	CHECK(needs_reset(t), "self loop");
	setup(t, QNUM);
	desc(0, HDR, 16, 1, 1);
	desc(1, DATA, 512, 3, 0);
	submit(t, 0);
	CHECK(needs_reset(t), "two-descriptor loop");
	/* next index beyond the table, head beyond the table. */
	setup(t, QNUM);
	desc(0, HDR, 16, 1, QNUM);
	submit(t, 0);
	CHECK(needs_reset(t), "next out of range");
	setup(t, QNUM);
	submit(t, QNUM + 3);
	CHECK(needs_reset(t), "head out of range");
	/* Avail index far ahead of what the ring can hold. */
	setup(t, QNUM);
	put(AVAIL + 2, 1000, 2);
	wr(t, R_NOTIFY, 0);
	CHECK(needs_reset(t) && get(USED + 2, 2) == 0, "avail idx jump");
	/* Header too short; no writable status byte; zero-length buffer; readable after
	 * writable. */
	setup(t, QNUM);
	desc(0, HDR, 8, 1, 1);
	desc(1, STATUS, 1, 2, 0);
	submit(t, 0);
	CHECK(needs_reset(t), "short header");
	setup(t, QNUM);
	desc(0, HDR, 16, 0, 0);
	submit(t, 0);
	CHECK(needs_reset(t), "no status byte");
	setup(t, QNUM);
	desc(0, HDR, 16, 1, 1);
	desc(1, DATA, 0, 1, 2);
	desc(2, STATUS, 1, 2, 0);
	submit(t, 0);
	CHECK(needs_reset(t), "zero-length buffer");
	setup(t, QNUM);
	desc(0, HDR, 16, 1, 1);
	desc(1, STATUS, 1, 3, 2);
	desc(2, DATA, 512, 0, 0);
	submit(t, 0);
	CHECK(needs_reset(t), "readable after writable");
	done(t, b);
	return 0;
}

static int bad_queue_setup(void)
{
	struct virtio_blk *b;
	struct virtio_mmio *t = fresh(false, &b);
	static const uint32_t nums[] = {0, 3, VIRTQ_MAX_SIZE * 2, 0x80000000u};

	CHECK(t, "new: %s", err_msg());
	for (unsigned i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		setup(t, nums[i]);
		CHECK(rd(t, R_QREADY) == 0 && needs_reset(t), "QueueNum %u accepted", nums[i]);
		submit(t, 0);
		CHECK(get(USED + 2, 2) == 0, "nothing processed");
	}
	setup(t, VIRTQ_MAX_SIZE);
	CHECK(rd(t, R_QREADY) == 1 && !needs_reset(t), "QueueNum = max accepted");
	/* Rings outside RAM or misaligned. */
	setup(t, 0);
	wr(t, R_STATUS, 0);
	wr(t, R_STATUS, 0xb);
	wr(t, R_QNUM, QNUM);
	wr(t, R_DESC_LO, (uint32_t)(BASE + RAM_SIZE - 64));
	wr(t, R_DESC_HI, 0);
	wr(t, R_AVAIL_LO, (uint32_t)AVAIL);
	wr(t, R_USED_LO, (uint32_t)USED);
	wr(t, R_QREADY, 1);
	CHECK(rd(t, R_QREADY) == 0 && needs_reset(t), "descriptor table past RAM");
	wr(t, R_STATUS, 0);
	wr(t, R_STATUS, 0xb);
	wr(t, R_QNUM, QNUM);
	wr(t, R_DESC_LO, (uint32_t)DESC + 8);
	wr(t, R_AVAIL_LO, (uint32_t)AVAIL);
	wr(t, R_USED_LO, (uint32_t)USED);
	wr(t, R_QREADY, 1);
	CHECK(rd(t, R_QREADY) == 0 && needs_reset(t), "misaligned descriptor table");
	wr(t, R_STATUS, 0);
	wr(t, R_STATUS, 0xb);
	wr(t, R_QNUM, QNUM);
	wr(t, R_DESC_LO, (uint32_t)DESC);
	wr(t, R_AVAIL_LO, (uint32_t)AVAIL);
	wr(t, R_USED_LO, (uint32_t)USED);
	wr(t, R_USED_HI, 1);
	wr(t, R_QREADY, 1);
	CHECK(rd(t, R_QREADY) == 0 && needs_reset(t), "used ring above 4 GiB, not RAM");
	/* QueueSel beyond the device's queues. */
	wr(t, R_STATUS, 0);
	wr(t, R_QSEL, 1);
	CHECK(rd(t, R_QNUM_MAX) == 0, "queue 1 does not exist");
	wr(t, R_QREADY, 1);
	CHECK(rd(t, R_QREADY) == 0 && !needs_reset(t), "queue 1 cannot be enabled");
	wr(t, R_NOTIFY, 1);
	wr(t, R_NOTIFY, 0xffff);
	done(t, b);
	return 0;
}

static int open_errors(void)
{
	char odd[] = "/tmp/strata_vblk_oddXXXXXX";
	int fd = mkstemp(odd);

	CHECK(fd >= 0, "mkstemp");
	CHECK(write(fd, "x", 1) == 1, "write");
	close(fd);
	CHECK(!virtio_blk_open(odd, false) && strstr(err_msg(), "multiple of 512") &&
		  strstr(err_msg(), odd),
	      "odd size: %s", err_msg());
	unlink(odd);
	CHECK(!virtio_blk_open("/nonexistent/x.img", false) && errno == ENOENT &&
		  strstr(err_msg(), "-drive file=/nonexistent/x.img"),
	      "missing: %s", err_msg());
	CHECK(!virtio_blk_open("/tmp", true) && strstr(err_msg(), "-drive file=/tmp"),
	      "directory: %s", err_msg());
	return 0;
}

/* The board: the n-th drive is slot n, every other slot is an empty transport. */
static int board(void)
{
	char kernel[] = "/tmp/strata_vblk_kernXXXXXX";
	int fd = mkstemp(kernel);
	uint32_t loop = 0x0000006f; /* j . */
	struct machine_config cfg = {.kernel = kernel, .max_insns = 100};
	struct machine *m;
	uint64_t v;

	CHECK(fd >= 0 && write(fd, &loop, 4) == 4, "kernel");
	close(fd);
	make_image();
	cfg.drives[0] = (struct machine_drive){img, false};
	cfg.drives[1] = (struct machine_drive){img, true};
	cfg.ndrives = 2;
	m = machine_new(&cfg);
	CHECK(m, "machine_new: %s", err_msg());
	CHECK(machine_phys_read(m, VIRT_VIRTIO_BASE + R_DEVICE_ID, 4, &v) == 0 && v == 2, "slot 0");
	CHECK(machine_phys_read(m, VIRT_VIRTIO_BASE + 0x1000 + R_DEVICE_ID, 4, &v) == 0 && v == 2,
	      "slot 1");
	machine_phys_write(m, VIRT_VIRTIO_BASE + 0x1000 + R_DEV_FEAT_SEL, 4, 0);
	CHECK(machine_phys_read(m, VIRT_VIRTIO_BASE + 0x1000 + R_DEV_FEAT, 4, &v) == 0 &&
		  (v >> VIRTIO_BLK_F_RO & 1),
	      "slot 1 read-only");
	CHECK(machine_phys_read(m, VIRT_VIRTIO_BASE + 0x7000 + R_MAGIC, 4, &v) == 0 &&
		  v == 0x74726976,
	      "slot 7 magic");
	CHECK(machine_phys_read(m, VIRT_VIRTIO_BASE + 0x7000 + R_DEVICE_ID, 4, &v) == 0 && v == 0,
	      "slot 7 empty");
	machine_free(m);
	cfg.drives[1].file = "/nonexistent.img";
	CHECK(!machine_new(&cfg) && strstr(err_msg(), "-drive file=/nonexistent.img"),
	      "bad second drive: %s", err_msg());
	unlink(kernel);
	return 0;
}

int main(void)
{
	int fails = RUN(identity) + RUN(negotiation) + RUN(irq_per_completion) + RUN(good_requests) + RUN(indirect) +
		    RUN(readonly) + RUN(bad_ranges) + RUN(bad_rings) + RUN(bad_queue_setup) +
		    RUN(open_errors) + RUN(board);

	if (img_fd >= 0) {
		close(img_fd);
		unlink(img);
	}
	return fails ? 1 : 0;
}
