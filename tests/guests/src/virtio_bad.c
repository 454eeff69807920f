/* virtio_bad — virtio-mmio block devices driven by hand: the 8 virt transports, then (when
 * drives are attached) good requests and malformed queues on each block device.
 *
 * Without drives (tests/e2e/guests.sh, golden recorded on QEMU) it only checks the empty
 * transports. tests/e2e/virtio.sh attaches a read-write and a read-only image (64 sectors;
 * byte i of sector s is (s + i) & 0xff) and compares with virtio_bad-drive.out. Run the same
 * way on QEMU (-global virtio-mmio.force-legacy=false, -device virtio-blk-device), every line
 * matches except these strata-specific checks (the golden is strata's output):
 *   - "QueueNum 512 > QueueNumMax": strata's QueueNumMax is 256 and it keeps a larger queue
 *     disabled and sets DEVICE_NEEDS_RESET; QEMU's QueueNumMax is 1024, so it accepts 512.
 *   - "descriptor outside RAM": QEMU bounces small DMA to unassigned addresses; strata treats
 *     any buffer outside RAM as a broken ring (DEVICE_NEEDS_RESET).
 * Devices are found by feature (RO or not), not by slot: QEMU fills slots from the top. */
#include "guest.h"

const char guest_name[] = "virtio_bad";

#define VIRTIO_BASE 0x10001000ul
#define PLIC_BASE   0x0c000000ul
#define NSLOTS	    8
#define QN	    8
#define SECTORS	    64

enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
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
	R_CONFIG = 0x100,
};

#define F_NEXT	    1
#define F_WRITE	    2
#define F_INDIRECT  4
#define T_IN	    0
#define T_OUT	    1
#define T_FLUSH	    4
#define T_GET_ID    8
#define NEEDS_RESET 0x40

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* Descriptor table, avail ring and used ring, one page each. */
static struct {
	struct desc d[QN];
	uint8_t pad0[4096 - QN * sizeof(struct desc)];
	volatile uint16_t avail_flags, avail_idx, avail_ring[QN], used_event;
	uint8_t pad1[4096 - 2 * (QN + 3)];
	volatile uint16_t used_flags, used_idx;
	volatile struct {
		uint32_t id, len;
	} used_ring[QN];
} vq __attribute__((aligned(4096)));

static struct {
	uint32_t type, reserved;
	uint64_t sector;
} hdr;
static volatile uint8_t status;
static uint8_t data[2048] __attribute__((aligned(64)));
static struct desc indir[4] __attribute__((aligned(16)));
static uint16_t next_avail;

static uint32_t rd(uint64_t base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}
static void wr(uint64_t base, unsigned off, uint32_t v)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
	*(volatile uint32_t *)(base + off) = v;
}

static void zero(void *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		((volatile uint8_t *)p)[i] = 0;
}

/* Reset the device and bring queue 0 up with qnum entries; returns the final status. */
static uint32_t dev_init(uint64_t base, uint32_t qnum)
{
	zero(&vq, sizeof(vq));
	next_avail = 0;
	wr(base, R_STATUS, 0);
	wr(base, R_STATUS, 1);
	wr(base, R_STATUS, 3);
	wr(base, R_DRV_FEAT_SEL, 0);
	wr(base, R_DRV_FEAT, 1u << 9); /* FLUSH */
	wr(base, R_DRV_FEAT_SEL, 1);
	wr(base, R_DRV_FEAT, 1); /* VERSION_1 */
	wr(base, R_STATUS, 0xb);
	wr(base, R_QSEL, 0);
	wr(base, R_QNUM, qnum);
	wr(base, R_DESC_LO, (uint32_t)(uint64_t)&vq.d);
	wr(base, R_DESC_HI, 0);
	wr(base, R_AVAIL_LO, (uint32_t)(uint64_t)&vq.avail_flags);
	wr(base, R_AVAIL_HI, 0);
	wr(base, R_USED_LO, (uint32_t)(uint64_t)&vq.used_flags);
	wr(base, R_USED_HI, 0);
	wr(base, R_QREADY, 1);
	wr(base, R_STATUS, 0xf);
	return rd(base, R_STATUS);
}

static void submit(uint64_t base, uint16_t head)
{
	vq.avail_ring[next_avail % QN] = head;
	next_avail++;
	__asm__ volatile("fence rw, rw" ::: "memory");
	vq.avail_idx = next_avail;
	wr(base, R_NOTIFY, 0);
}

/* QEMU completes requests on another thread: poll (bounded) for the used index / a status bit. */
static int wait_used(uint16_t idx)
{
	for (long i = 0; i < 20000000; i++)
		if (vq.used_idx == idx)
			return 1;
	return 0;
}
static int wait_isr(uint64_t base, uint32_t bit)
{
	for (long i = 0; i < 20000000; i++)
		if (rd(base, R_ISR) & bit)
			return 1;
	return 0;
}

static void set_desc(unsigned i, void *addr, uint32_t len, uint16_t flags, uint16_t next)
{
	vq.d[i].addr = (uint64_t)addr;
	vq.d[i].len = len;
	vq.d[i].flags = flags;
	vq.d[i].next = next;
}

/* header, data (len bytes, none if 0), status in descriptors 0..2; returns the status byte or
 * 0xee if the request never completed. */
static unsigned blk_req(uint64_t base, uint32_t type, uint64_t sector, uint32_t len)
{
	uint16_t want = (uint16_t)(vq.used_idx + 1);

	hdr.type = type;
	hdr.sector = sector;
	status = 0xee;
	set_desc(0, &hdr, 16, F_NEXT, len ? 1 : 2);
	set_desc(1, data, len, F_NEXT | (type == T_OUT ? 0 : F_WRITE), 2);
	set_desc(2, (void *)&status, 1, F_WRITE, 0);
	submit(base, 0);
	if (!wait_used(want))
		return 0xee;
	wr(base, R_ACK, rd(base, R_ISR));
	return status;
}

static int pattern_ok(uint64_t sector, unsigned n)
{
	for (unsigned i = 0; i < n * 512; i++)
		if (data[i] != (uint8_t)(sector + i / 512 + i % 512))
			return 0;
	return 1;
}

static void check_broken(const char *what, uint64_t base)
{
	gprintf("virtio_bad: %s:\n", what);
	check("  status has DEVICE_NEEDS_RESET", rd(base, R_STATUS) & NEEDS_RESET, NEEDS_RESET);
	check("  config-change interrupt", wait_isr(base, 2), 1);
}

static void test_rw(uint64_t base, unsigned irq)
{
	volatile uint32_t *plic_pending = (volatile uint32_t *)(PLIC_BASE + 0x1000);
	volatile uint32_t *plic_claim = (volatile uint32_t *)(PLIC_BASE + 0x200004);
	uint16_t used;
	unsigned claimed;

	check("rw: Version 2 (virtio 1.x)", rd(base, R_VERSION), 2);
	wr(base, R_DEV_FEAT_SEL, 0);
	check("rw: FLUSH offered", rd(base, R_DEV_FEAT) >> 9 & 1, 1);
	check("rw: RO not offered", rd(base, R_DEV_FEAT) >> 5 & 1, 0);
	wr(base, R_DEV_FEAT_SEL, 1);
	check("rw: VERSION_1 offered", rd(base, R_DEV_FEAT) & 1, 1);
	check("rw: capacity", rd(base, R_CONFIG), SECTORS);
	check("rw: QueueNumMax >= 256", rd(base, R_QNUM_MAX) >= 256, 1);
	check("rw: status after init", dev_init(base, QN), 0xf);
	check("rw: QueueReady", rd(base, R_QREADY), 1);

	/* First read by hand, to look at the interrupt path. */
	*(volatile uint32_t *)(PLIC_BASE + 4 * irq) = 1;	/* priority */
	*(volatile uint32_t *)(PLIC_BASE + 0x2000) = 1u << irq; /* enable, hart 0 M */
	hdr.type = T_IN;
	hdr.sector = 5;
	status = 0xee;
	set_desc(0, &hdr, 16, F_NEXT, 1);
	set_desc(1, data, 1024, F_NEXT | F_WRITE, 2);
	set_desc(2, (void *)&status, 1, F_WRITE, 0);
	submit(base, 0);
	check("read 2 sectors: completed", wait_used(1), 1);
	check("read: status OK", status, 0);
	check("read: data", pattern_ok(5, 2), 1);
	check("read: used id", vq.used_ring[0].id, 0);
	check("read: used len", vq.used_ring[0].len, 1025);
	check("read: InterruptStatus used-buffer", wait_isr(base, 1), 1);
	check("read: PLIC pending", plic_pending[0] >> irq & 1, 1);
	claimed = *plic_claim;
	check("read: PLIC claim", claimed, irq);
	wr(base, R_ACK, 1);
	check("read: ACK clears InterruptStatus", rd(base, R_ISR), 0);
	*plic_claim = claimed;
	check("read: PLIC not pending after ACK+complete", plic_pending[0] >> irq & 1, 0);
	*(volatile uint32_t *)(PLIC_BASE + 0x2000) = 0;

	for (unsigned i = 0; i < 512; i++)
		data[i] = (uint8_t)(0xa5 ^ i);
	check("write sector 3", blk_req(base, T_OUT, 3, 512), 0);
	zero(data, 512);
	check("read back sector 3", blk_req(base, T_IN, 3, 512), 0);
	check("read back: data", data[0] == 0xa5 && data[511] == (uint8_t)(0xa5 ^ 511), 1);
	check("flush", blk_req(base, T_FLUSH, 0, 0), 0);
	for (unsigned i = 0; i < 32; i++)
		data[i] = 0xff;
	check("get id", blk_req(base, T_GET_ID, 0, 20), 0);
	check("get id: no serial (empty string)", data[0], 0);
	check("get id: nothing past 20 bytes", data[20], 0xff);
	check("type 99: UNSUPP", blk_req(base, 99, 0, 512), 2);
	check("read sector = capacity: IOERR", blk_req(base, T_IN, SECTORS, 512), 1);
	check("read past the end: IOERR", blk_req(base, T_IN, SECTORS - 1, 1024), 1);
	check("write past the end: IOERR", blk_req(base, T_OUT, SECTORS, 512), 1);
	check("huge sector: IOERR", blk_req(base, T_IN, ~0ul, 512), 1);
	check("length not sectors: IOERR", blk_req(base, T_IN, 0, 100), 1);

	/* Indirect table: header, data, status. */
	used = vq.used_idx;
	hdr.type = T_IN;
	hdr.sector = 9;
	status = 0xee;
	indir[0] = (struct desc){(uint64_t)&hdr, 16, F_NEXT, 1};
	indir[1] = (struct desc){(uint64_t)data, 512, F_NEXT | F_WRITE, 2};
	indir[2] = (struct desc){(uint64_t)&status, 1, F_WRITE, 0};
	set_desc(4, indir, 3 * sizeof(struct desc), F_INDIRECT, 0);
	submit(base, 4);
	check("indirect read: completed", wait_used((uint16_t)(used + 1)), 1);
	check("indirect read: status and data", status == 0 && pattern_ok(9, 1), 1);
	check("still healthy", rd(base, R_STATUS), 0xf);

	/* Malformed queues: each must leave the device asking for a reset. */
	dev_init(base, QN);
	set_desc(0, &hdr, 16, F_NEXT, 1);
	set_desc(1, data, 512, F_NEXT, 0);
	hdr.type = T_IN;
	submit(base, 0);
	check_broken("descriptor loop", base);
	check("  no used element", vq.used_idx, 0);

	dev_init(base, QN);
	set_desc(0, &hdr, 16, F_NEXT, 0);
	submit(base, 0);
	check_broken("descriptor self-loop", base);

	dev_init(base, QN);
	vq.avail_ring[0] = 0;
	vq.avail_idx = 1000;
	wr(base, R_NOTIFY, 0);
	check_broken("avail index far ahead", base);

	dev_init(base, QN);
	submit(base, QN + 2);
	check_broken("head index beyond the queue", base);

	dev_init(base, QN);
	set_desc(0, &hdr, 16, F_NEXT, 200);
	submit(base, 0);
	check_broken("next index beyond the queue", base);

	dev_init(base, QN);
	set_desc(0, &hdr, 16, F_NEXT, 1);
	set_desc(1, data, 0, F_NEXT | F_WRITE, 2);
	set_desc(2, (void *)&status, 1, F_WRITE, 0);
	submit(base, 0);
	check_broken("zero-length buffer", base);

	dev_init(base, QN);
	set_desc(0, &hdr, 8, F_NEXT, 2);
	set_desc(2, (void *)&status, 1, F_WRITE, 0);
	submit(base, 0);
	check_broken("header shorter than 16 bytes", base);

	dev_init(base, QN);
	indir[0] = (struct desc){(uint64_t)&hdr, 16, F_NEXT, 1};
	indir[1] = (struct desc){(uint64_t)data, 512, F_NEXT, 0};
	set_desc(4, indir, 2 * sizeof(struct desc), F_INDIRECT, 0);
	submit(base, 4);
	check_broken("loop inside an indirect table", base);

	dev_init(base, QN);
	set_desc(4, indir, 20, F_INDIRECT, 0);
	submit(base, 4);
	check_broken("indirect table size not a multiple of 16", base);

	dev_init(base, QN);
	set_desc(0, &hdr, 16, F_NEXT, 1);
	set_desc(1, (void *)0x1000000000ul, 512, F_NEXT | F_WRITE, 2);
	set_desc(2, (void *)&status, 1, F_WRITE, 0);
	hdr.type = T_IN;
	hdr.sector = 0;
	submit(base, 0);
	check_broken("descriptor outside RAM", base);

	/* strata-specific: QEMU accepts any size up to 1024. */
	dev_init(base, 512);
	gprintf("virtio_bad: QueueNum 512 > QueueNumMax:\n");
	check("  QueueReady stays 0", rd(base, R_QREADY), 0);
	check("  status has DEVICE_NEEDS_RESET", rd(base, R_STATUS) & NEEDS_RESET, NEEDS_RESET);

	/* A reset brings it back. */
	check("reset, then healthy again", dev_init(base, QN), 0xf);
	check("read after reset", blk_req(base, T_IN, 1, 512) == 0 && pattern_ok(1, 1), 1);
	wr(base, R_STATUS, 0);
}

static void test_ro(uint64_t base)
{
	check("ro: Version 2 (virtio 1.x)", rd(base, R_VERSION), 2);
	wr(base, R_DEV_FEAT_SEL, 0);
	check("ro: RO offered", rd(base, R_DEV_FEAT) >> 5 & 1, 1);
	check("ro: status after init", dev_init(base, QN) & ~0u, 0xf);
	for (unsigned i = 0; i < 512; i++)
		data[i] = 0x5a;
	check("ro: write: IOERR", blk_req(base, T_OUT, 2, 512), 1);
	check("ro: read", blk_req(base, T_IN, 2, 512), 0);
	check("ro: read: data unchanged", pattern_ok(2, 1), 1);
	wr(base, R_STATUS, 0);
}

int main(void)
{
	unsigned nblk = 0, magic_ok = 0;
	int rw = -1, ro = -1;

	for (unsigned s = 0; s < NSLOTS; s++) {
		uint64_t base = VIRTIO_BASE + 0x1000ul * s;

		/* Version is 1 on QEMU without force-legacy=false, so only block devices check it.
		 */
		magic_ok += rd(base, R_MAGIC) == 0x74726976;
		if (rd(base, R_DEVICE_ID) != 2)
			continue;
		nblk++;
		wr(base, R_DEV_FEAT_SEL, 0);
		if (rd(base, R_DEV_FEAT) >> 5 & 1)
			ro = (int)s;
		else
			rw = (int)s;
	}
	check("8 virtio-mmio transports (MagicValue)", magic_ok, NSLOTS);
	gprintf("virtio_bad: %u block device(s)\n", nblk);
	if (rw >= 0)
		test_rw(VIRTIO_BASE + 0x1000ul * (unsigned)rw, (unsigned)rw + 1);
	if (ro >= 0)
		test_ro(VIRTIO_BASE + 0x1000ul * (unsigned)ro);
	return check_failures;
}
