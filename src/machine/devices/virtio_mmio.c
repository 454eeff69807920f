#include "machine/devices/virtio_mmio.h"

#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define VIRTIO_MAGIC  0x74726976u /* "virt" */
#define VIRTIO_VENDOR 0x554d4551u /* "QEMU": guests see exactly what QEMU virt shows them */

/* Register offsets (virtio 1.x spec, 4.2.2). */
enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020,
	REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090,
	REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0,
	REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_CONFIG_GENERATION = 0x0fc,
	REG_CONFIG = 0x100,
};

#define VIRTQ_DESC_F_NEXT	   1
#define VIRTQ_DESC_F_WRITE	   2
#define VIRTQ_DESC_F_INDIRECT	   4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define DESC_SIZE		   16

struct virtq {
	uint32_t num; /* QueueNum as the driver wrote it; checked when the queue is enabled */
	bool ready;
	uint64_t desc, avail, used;
	uint16_t last_avail; /* next avail ring entry the device will take */
	uint16_t used_idx;
};

struct virtio_mmio {
	unsigned slot;
	struct virtio_mmio_host host;
	const struct virtio_dev_ops *dev_ops; /* NULL: empty slot */
	void *dev;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t drv_features;
	uint32_t status, isr, config_gen;
	bool broken; /* a ring was malformed: ignore the queues until the driver resets */
	struct virtq q[VIRTIO_MMIO_MAX_QUEUES];
	struct virtq_req req; /* scratch for the request being handled */
};

/* Guest memory is little-endian; go through memcpy so unaligned host pointers are fine. */
static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)ld16(p) | (uint32_t)ld16(p + 2) << 16;
}
static uint64_t ld64(const uint8_t *p)
{
	return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}
static void st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void st32(uint8_t *p, uint32_t v)
{
	st16(p, (uint16_t)v);
	st16(p + 2, (uint16_t)(v >> 16));
}

struct virtio_mmio *virtio_mmio_new(unsigned slot, const struct virtio_mmio_host *host,
				    const struct virtio_dev_ops *dev_ops, void *dev)
{
	struct virtio_mmio *t;

	if (dev_ops && (dev_ops->nqueues == 0 || dev_ops->nqueues > VIRTIO_MMIO_MAX_QUEUES)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slot = slot;
	t->host = *host;
	t->dev_ops = dev_ops;
	t->dev = dev;
	return t;
}

void virtio_mmio_free(struct virtio_mmio *t)
{
	free(t);
}

static uint64_t device_features(const struct virtio_mmio *t)
{
	return t->dev_ops->features(t->dev) | 1ull << VIRTIO_F_VERSION_1 |
	       1ull << VIRTIO_F_RING_INDIRECT_DESC;
}

/* Drive the line from the interrupt status on every event, as QEMU's virtio_mmio_update_irq
 * does: the PLIC pends a source each time its device signals, so a second completion while
 * the first is claimed must signal again even though the line was already high. */
static void update_irq(struct virtio_mmio *t)
{
	t->host.set_irq(t->host.ctx, t->slot, t->isr != 0);
}

/* The guest broke the protocol: stop using the queues and tell it to reset us (virtio 1.x
 * 2.1.2), as QEMU's virtio_error does. */
static void fail(struct virtio_mmio *t)
{
	t->broken = true;
	t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (t->status & VIRTIO_STATUS_DRIVER_OK) {
		t->isr |= VIRTIO_INT_CONFIG;
		t->config_gen++;
		update_irq(t);
	}
}

static void reset(struct virtio_mmio *t)
{
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->drv_features = 0;
	t->status = t->isr = 0;
	t->broken = false;
	memset(t->q, 0, sizeof(t->q));
	update_irq(t);
}

void virtio_mmio_dma_done(struct virtio_mmio *t, uint64_t paddr, uint64_t len)
{
	if (len)
		t->host.ram_written(t->host.ctx, paddr, len);
}

/* ---- split virtqueues ---- */

static int add_buf(struct virtio_mmio *t, struct virtq_req *r, uint64_t addr, uint32_t len,
		   bool writable)
{
	struct virtq_buf *b;
	uint8_t *host;

	/* Zero-length buffers and readable-after-writable are protocol errors (as in QEMU). */
	if (len == 0 || (!writable && r->nin) || r->nout + r->nin >= VIRTQ_MAX_SIZE)
		return -EINVAL;
	host = t->host.ram(t->host.ctx, addr, len);
	if (!host)
		return -EFAULT;
	b = &r->buf[r->nout + r->nin];
	b->host = host;
	b->paddr = addr;
	b->len = len;
	if (writable) {
		r->nin++;
		r->in_bytes += len;
	} else {
		r->nout++;
		r->out_bytes += len;
	}
	return 0;
}

/* Gather the chain starting at head into r. Every index, length and address is checked, and
 * a chain may visit at most as many descriptors as its table holds, so loops end. */
static int pop_chain(struct virtio_mmio *t, const struct virtq *q, uint16_t head,
		     struct virtq_req *r)
{
	const uint8_t *table = t->host.ram(t->host.ctx, q->desc, (uint64_t)q->num * DESC_SIZE);
	uint32_t max = q->num, seen = 0, i = head;
	const uint8_t *d;
	uint16_t flags;
	int ret;

	r->nout = r->nin = 0;
	r->out_bytes = r->in_bytes = 0;
	if (!table)
		return -EFAULT;
	d = table + (uint64_t)i * DESC_SIZE;
	flags = ld16(d + 12);
	if (flags & VIRTQ_DESC_F_INDIRECT) {
		uint64_t addr = ld64(d);
		uint32_t len = ld32(d + 8);

		if ((flags & VIRTQ_DESC_F_NEXT) || len == 0 || len % DESC_SIZE ||
		    len / DESC_SIZE > VIRTQ_MAX_SIZE)
			return -EINVAL;
		table = t->host.ram(t->host.ctx, addr, len);
		if (!table)
			return -EFAULT;
		max = len / DESC_SIZE;
		i = 0;
		d = table;
		flags = ld16(d + 12);
	}
	for (;;) {
		if (++seen > max || (flags & VIRTQ_DESC_F_INDIRECT))
			return -ELOOP;
		ret = add_buf(t, r, ld64(d), ld32(d + 8), flags & VIRTQ_DESC_F_WRITE);
		if (ret < 0)
			return ret;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = ld16(d + 14);
		if (i >= max)
			return -EINVAL;
		d = table + (uint64_t)i * DESC_SIZE;
		flags = ld16(d + 12);
	}
}

static uint64_t avail_size(uint32_t num)
{
	return 6 + 2ull * num; /* flags, idx, ring[num], used_event */
}
static uint64_t used_size(uint32_t num)
{
	return 6 + 8ull * num; /* flags, idx, ring[num] of {id, len}, avail_event */
}

/* Enabling a queue is where its size and ring addresses are checked, once: afterwards the
 * rings are known to lie in RAM. */
static bool queue_valid(struct virtio_mmio *t, const struct virtq *q)
{
	return q->num && q->num <= VIRTQ_MAX_SIZE && !(q->num & (q->num - 1)) && !(q->desc % 16) &&
	       !(q->avail % 2) && !(q->used % 4) &&
	       t->host.ram(t->host.ctx, q->desc, (uint64_t)q->num * DESC_SIZE) &&
	       t->host.ram(t->host.ctx, q->avail, avail_size(q->num)) &&
	       t->host.ram(t->host.ctx, q->used, used_size(q->num));
}

/* Complete every available request of queue qi, synchronously, in ring order. */
static void process_queue(struct virtio_mmio *t, unsigned qi)
{
	struct virtq *q = &t->q[qi];
	const uint8_t *avail;
	uint8_t *used;
	bool any = false;

	if (t->broken || !(t->status & VIRTIO_STATUS_DRIVER_OK) || !q->ready)
		return;
	avail = t->host.ram(t->host.ctx, q->avail, avail_size(q->num));
	used = t->host.ram(t->host.ctx, q->used, used_size(q->num));
	for (;;) {
		uint16_t pending = (uint16_t)(ld16(avail + 2) - q->last_avail), head;
		uint32_t written = 0;
		uint8_t *elem;

		if (pending == 0)
			break;
		/* More new entries than the ring holds: the index is garbage. */
		if (pending > q->num) {
			fail(t);
			break;
		}
		head = ld16(avail + 4 + 2 * (q->last_avail % q->num));
		if (head >= q->num || pop_chain(t, q, head, &t->req) < 0 ||
		    t->dev_ops->request(t->dev, t, qi, &t->req, &written) < 0) {
			fail(t);
			break;
		}
		elem = used + 4 + 8 * (q->used_idx % q->num);
		st32(elem, head);
		st32(elem + 4, written);
		virtio_mmio_dma_done(t, q->used + 4 + 8 * (q->used_idx % q->num), 8);
		q->used_idx++;
		q->last_avail++;
		st16(used + 2, q->used_idx);
		virtio_mmio_dma_done(t, q->used + 2, 2);
		any = true;
	}
	if (any && !(ld16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT)) {
		t->isr |= VIRTIO_INT_USED;
		update_irq(t);
	}
}

/* Copy len bytes at offset off of the buffers bufs[0..n), seen as one byte range: out of them
 * into dst, or (dst NULL) from src into them, telling t about the DMA. */
static void scatter_copy(struct virtio_mmio *t, const struct virtq_buf *bufs, unsigned n,
			 uint64_t off, void *dst, const void *src, uint64_t len)
{
	uint8_t *out = dst;
	const uint8_t *in = src;

	for (unsigned i = 0; i < n && len; i++) {
		const struct virtq_buf *b = &bufs[i];
		uint64_t k;

		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		k = b->len - off < len ? b->len - off : len;
		if (out) {
			memcpy(out, b->host + off, k);
			out += k;
		} else {
			memcpy(b->host + off, in, k);
			virtio_mmio_dma_done(t, b->paddr + off, k);
			in += k;
		}
		len -= k;
		off = 0;
	}
}

int virtq_req_read(const struct virtq_req *r, uint64_t off, void *dst, uint64_t len)
{
	if (off > r->out_bytes || len > r->out_bytes - off)
		return -EINVAL;
	scatter_copy(NULL, r->buf, r->nout, off, dst, NULL, len);
	return 0;
}

int virtq_req_write(struct virtio_mmio *t, const struct virtq_req *r, uint64_t off, const void *src,
		    uint64_t len)
{
	if (off > r->in_bytes || len > r->in_bytes - off)
		return -EINVAL;
	scatter_copy(t, r->buf + r->nout, r->nin, off, NULL, src, len);
	return 0;
}

/* ---- registers ---- */

static struct virtq *sel_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->dev_ops->nqueues ? &t->q[t->queue_sel] : NULL;
}

static uint64_t config_read(struct virtio_mmio *t, uint64_t off, unsigned size)
{
	if (size == 8)
		return config_read(t, off, 4) | config_read(t, off + 4, 4) << 32;
	return t->dev_ops->config_read(t->dev, off, size);
}

static int mmio_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	struct virtio_mmio *t = opaque;
	struct virtq *q;

	*val = 0;
	if (offset >= REG_CONFIG) {
		if (t->dev_ops)
			*val = config_read(t, offset - REG_CONFIG, size);
		return 0;
	}
	/* Registers are 32-bit; like QEMU, other sizes read 0 rather than fault. */
	if (size != 4)
		return 0;
	switch (offset) {
	case REG_MAGIC:
		*val = VIRTIO_MAGIC;
		return 0;
	case REG_VERSION:
		*val = 2;
		return 0;
	case REG_VENDOR_ID:
		*val = VIRTIO_VENDOR;
		return 0;
	}
	if (!t->dev_ops)
		return 0;
	q = sel_queue(t);
	switch (offset) {
	case REG_DEVICE_ID:
		*val = t->dev_ops->device_id;
		break;
	case REG_DEVICE_FEATURES:
		*val = (uint32_t)(device_features(t) >> (32 * t->dev_features_sel));
		break;
	case REG_QUEUE_NUM_MAX:
		*val = q ? VIRTQ_MAX_SIZE : 0;
		break;
	case REG_QUEUE_READY:
		*val = q ? q->ready : 0;
		break;
	case REG_INTERRUPT_STATUS:
		*val = t->isr;
		break;
	case REG_STATUS:
		*val = t->status;
		break;
	case REG_CONFIG_GENERATION:
		*val = t->config_gen;
		break;
	}
	return 0;
}

static void set_addr_half(uint64_t *addr, bool high, uint32_t v)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | (uint64_t)v << 32;
	else
		*addr = (*addr & ~0xffffffffull) | v;
}

static void write_status(struct virtio_mmio *t, uint32_t v)
{
	uint64_t offered;

	if (v == 0) {
		reset(t);
		return;
	}
	/* DEVICE_NEEDS_RESET belongs to the device; only a reset clears it. */
	v = (v & 0xff & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) |
	    (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK)) {
		/* As QEMU 7.2's modern transport (virtio_set_features, virtio_set_status): bits we
		 * did not offer are dropped, not refused, and a driver that leaves VERSION_1 out
		 * is accepted too (xv6 does). QEMU refuses FEATURES_OK only when ACCESS_PLATFORM
		 * is offered but not taken, or the device's own check fails; virtio-blk has no
		 * such check and ACCESS_PLATFORM is not offered, so nothing is refused here. */
		offered = device_features(t);
		t->drv_features &= offered;
	}
	t->status = v;
}

static void write_queue_reg(struct virtio_mmio *t, struct virtq *q, uint64_t offset, uint32_t v)
{
	if (offset == REG_QUEUE_READY) {
		if (!(v & 1)) {
			q->ready = false;
		} else if (!q->ready) {
			if (!queue_valid(t, q)) {
				fail(t);
				return;
			}
			q->ready = true;
			q->last_avail = q->used_idx = 0;
		}
		return;
	}
	/* The driver must not move a live queue; ignore it rather than chase it. */
	if (q->ready)
		return;
	switch (offset) {
	case REG_QUEUE_NUM:
		q->num = v;
		break;
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
		set_addr_half(&q->desc, offset == REG_QUEUE_DESC_HIGH, v);
		break;
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
		set_addr_half(&q->avail, offset == REG_QUEUE_DRIVER_HIGH, v);
		break;
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		set_addr_half(&q->used, offset == REG_QUEUE_DEVICE_HIGH, v);
		break;
	}
}

static int mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct virtio_mmio *t = opaque;
	uint32_t v = (uint32_t)val;
	struct virtq *q;

	/* Empty slots, config writes (no writable config fields are offered) and odd sizes are
	 * ignored, as QEMU does. */
	if (!t->dev_ops || offset >= REG_CONFIG || size != 4)
		return 0;
	switch (offset) {
	/* QEMU takes any nonzero selector as 1 (the high word). */
	case REG_DEVICE_FEATURES_SEL:
		t->dev_features_sel = v != 0;
		return 0;
	case REG_DRIVER_FEATURES_SEL:
		t->drv_features_sel = v != 0;
		return 0;
	case REG_DRIVER_FEATURES:
		if (!(t->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned shift = 32 * t->drv_features_sel;
			t->drv_features =
			    (t->drv_features & ~(0xffffffffull << shift)) | (uint64_t)v << shift;
		}
		return 0;
	case REG_QUEUE_SEL:
		t->queue_sel = v;
		return 0;
	case REG_QUEUE_NOTIFY:
		if (v < t->dev_ops->nqueues)
			process_queue(t, v);
		return 0;
	case REG_INTERRUPT_ACK:
		t->isr &= ~v;
		update_irq(t);
		return 0;
	case REG_STATUS:
		write_status(t, v);
		return 0;
	}
	q = sel_queue(t);
	if (q)
		write_queue_reg(t, q, offset, v);
	return 0;
}

static const char *mmio_reg_name(void *opaque, uint64_t offset)
{
	static const struct {
		uint16_t off;
		const char *name;
	} names[] = {
	    {REG_MAGIC, "MagicValue"},
	    {REG_VERSION, "Version"},
	    {REG_DEVICE_ID, "DeviceID"},
	    {REG_VENDOR_ID, "VendorID"},
	    {REG_DEVICE_FEATURES, "DeviceFeatures"},
	    {REG_DEVICE_FEATURES_SEL, "DeviceFeaturesSel"},
	    {REG_DRIVER_FEATURES, "DriverFeatures"},
	    {REG_DRIVER_FEATURES_SEL, "DriverFeaturesSel"},
	    {REG_QUEUE_SEL, "QueueSel"},
	    {REG_QUEUE_NUM_MAX, "QueueNumMax"},
	    {REG_QUEUE_NUM, "QueueNum"},
	    {REG_QUEUE_READY, "QueueReady"},
	    {REG_QUEUE_NOTIFY, "QueueNotify"},
	    {REG_INTERRUPT_STATUS, "InterruptStatus"},
	    {REG_INTERRUPT_ACK, "InterruptACK"},
	    {REG_STATUS, "Status"},
	    {REG_QUEUE_DESC_LOW, "QueueDescLow"},
	    {REG_QUEUE_DESC_HIGH, "QueueDescHigh"},
	    {REG_QUEUE_DRIVER_LOW, "QueueDriverLow"},
	    {REG_QUEUE_DRIVER_HIGH, "QueueDriverHigh"},
	    {REG_QUEUE_DEVICE_LOW, "QueueDeviceLow"},
	    {REG_QUEUE_DEVICE_HIGH, "QueueDeviceHigh"},
	    {REG_CONFIG_GENERATION, "ConfigGeneration"},
	};

	if (offset >= REG_CONFIG)
		return "Config";
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].off == (offset & ~3ull))
			return names[i].name;
	return NULL;
}

/* the transport's registers and queues; a device's own state (a disk's contents) is not in it */
static void *mmio_state(void *opaque, size_t *size)
{
	struct virtio_mmio *v = opaque;

	*size = offsetof(struct virtio_mmio, req) - offsetof(struct virtio_mmio, dev_features_sel);
	return &v->dev_features_sel;
}

const struct mmio_ops virtio_mmio_ops = {mmio_read, mmio_write, mmio_reg_name, mmio_state};
