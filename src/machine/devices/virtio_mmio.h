/* virtio_mmio — the virtio 1.x memory-mapped transport (Version register 2, as QEMU's
 * virtio-mmio with force-legacy=false) and its split virtqueues. A device (virtio_blk) plugs in
 * through virtio_dev_ops; the transport owns feature negotiation, queue setup, ring walking and
 * interrupts, and hands the device one request at a time as bounds-checked host buffers.
 * Without a device a transport answers DeviceID 0, as QEMU's empty virt slots do. */
#ifndef STRATA_MACHINE_DEVICES_VIRTIO_MMIO_H
#define STRATA_MACHINE_DEVICES_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/mmio.h"

#define VIRTIO_MMIO_SIZE       0x1000
#define VIRTIO_MMIO_MAX_QUEUES 1
#define VIRTQ_MAX_SIZE	       256 /* QueueNumMax, and the longest chain a request may have */

/* Feature bits the transport knows about. */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_VERSION_1	    32

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE	 0x01
#define VIRTIO_STATUS_DRIVER		 0x02
#define VIRTIO_STATUS_DRIVER_OK		 0x04
#define VIRTIO_STATUS_FEATURES_OK	 0x08
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED		 0x80

/* InterruptStatus bits. */
#define VIRTIO_INT_USED	  0x1
#define VIRTIO_INT_CONFIG 0x2

struct virtio_mmio;

/* One guest buffer of a request, already checked to lie entirely in RAM. */
struct virtq_buf {
	uint8_t *host;
	uint64_t paddr;
	uint32_t len;
};

/* A popped descriptor chain: nout device-readable buffers, then nin device-writable ones. */
struct virtq_req {
	struct virtq_buf buf[VIRTQ_MAX_SIZE];
	unsigned nout, nin;
	uint64_t out_bytes, in_bytes;
};

struct virtio_mmio_host {
	void *ctx;
	/* Guest RAM [paddr, paddr+len) as a host pointer, or NULL unless all of it is RAM. */
	uint8_t *(*ram)(void *ctx, uint64_t paddr, uint64_t len);
	/* The device wrote RAM [paddr, paddr+len) (DMA): drop stale decoded code. */
	void (*ram_written)(void *ctx, uint64_t paddr, uint64_t len);
	/* The transport's interrupt line (level), with the slot given to virtio_mmio_new. */
	void (*set_irq)(void *ctx, unsigned slot, bool level);
};

/* What a device behind the transport provides. dev is the opaque given to virtio_mmio_new. */
struct virtio_dev_ops {
	uint32_t device_id;
	unsigned nqueues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	/* Device feature bits (the transport adds VERSION_1 and its ring features). */
	uint64_t (*features)(void *dev);
	/* Config space access at offset (relative to 0x100), 1/2/4 bytes; reads outside it give 0.
	 */
	uint64_t (*config_read)(void *dev, uint64_t offset, unsigned size);
	/* Carry out one request on queue q and write its results into the request's writable
	 * buffers; *written = bytes written there (the used element's len). 0, or a negative
	 * errno when the request is so malformed the device must be reset (no used element). */
	int (*request)(void *dev, struct virtio_mmio *t, unsigned q, const struct virtq_req *r,
		       uint32_t *written);
};

extern const struct mmio_ops virtio_mmio_ops;

/* A transport in slot (0..7, for names and the IRQ callback) with device dev_ops/dev, or an
 * empty one when dev_ops is NULL. host is copied. NULL + errno on failure. */
struct virtio_mmio *virtio_mmio_new(unsigned slot, const struct virtio_mmio_host *host,
				    const struct virtio_dev_ops *dev_ops, void *dev);
void virtio_mmio_free(struct virtio_mmio *t);
/* Copy len bytes at offset off of r's readable bytes into dst; 0, or -EINVAL if r has fewer. */
int virtq_req_read(const struct virtq_req *r, uint64_t off, void *dst, uint64_t len);
/* Copy len bytes into r's writable bytes at offset off (DMA into guest RAM, code invalidated);
 * 0, or -EINVAL if r has fewer. */
int virtq_req_write(struct virtio_mmio *t, const struct virtq_req *r, uint64_t off, const void *src,
		    uint64_t len);
/* The device wrote guest RAM [paddr, paddr+len) directly through a virtq_buf's host pointer. */
void virtio_mmio_dma_done(struct virtio_mmio *t, uint64_t paddr, uint64_t len);

#endif
