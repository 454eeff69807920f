#include "machine/devices/htif.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HTIF_DEV_SYSCALL 0
#define HTIF_DEV_CONSOLE 1
#define HTIF_CMD_PUTC	 1
#define SYS_WRITE	 64
#define SYS_EXIT	 93

struct htif {
	uint64_t tohost, fromhost;
	struct htif_host host;
};

struct htif *htif_new(uint64_t tohost, uint64_t fromhost, const struct htif_host *host)
{
	struct htif *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->tohost = tohost;
	h->fromhost = fromhost;
	h->host = *host;
	return h;
}

void htif_free(struct htif *h)
{
	free(h);
}

uint64_t htif_tohost_addr(const struct htif *h)
{
	return h->tohost;
}

static bool load64(struct htif *h, uint64_t paddr, uint64_t *v)
{
	uint8_t *p = h->host.ram(h->host.ctx, paddr, 8);

	if (!p)
		return false;
	memcpy(v, p, 8);
	return true;
}

static void store64(struct htif *h, uint64_t paddr, uint64_t v)
{
	uint8_t *p = h->host.ram(h->host.ctx, paddr, 8);

	if (!p)
		return;
	memcpy(p, &v, 8);
	h->host.ram_written(h->host.ctx, paddr, 8);
}

/* The proxied syscalls riscv-tests' benchmarks use: magic_mem = {num, a0, a1, a2, ...}. */
static void syscall_proxy(struct htif *h, uint64_t magic)
{
	uint64_t num, fd, buf, len;
	int64_t ret = -ENOSYS;
	uint8_t *p;

	if (!load64(h, magic, &num) || !load64(h, magic + 8, &fd) || !load64(h, magic + 16, &buf) ||
	    !load64(h, magic + 24, &len))
		return;
	if (num == SYS_EXIT) {
		h->host.stop(h->host.ctx, (int)fd);
		return;
	}
	if (num == SYS_WRITE && (fd == 1 || fd == 2)) {
		p = h->host.ram(h->host.ctx, buf, len);
		ret = -EFAULT;
		if (p) {
			for (uint64_t i = 0; i < len; i++)
				h->host.putc(h->host.ctx, p[i]);
			ret = (int64_t)len;
		}
	}
	store64(h, magic, (uint64_t)ret);
}

void htif_store(struct htif *h, uint64_t paddr, uint64_t len)
{
	uint64_t cmd, dev, op, payload;

	if (paddr >= h->tohost + 8 || paddr + len <= h->tohost)
		return;
	if (!load64(h, h->tohost, &cmd) || cmd == 0)
		return;
	dev = cmd >> 56;
	op = (cmd >> 48) & 0xff;
	payload = cmd & 0xffffffffffffull;
	if (dev == HTIF_DEV_SYSCALL && op == 0 && (payload & 1)) {
		h->host.stop(h->host.ctx, (int)(payload >> 1));
		return; /* leave tohost as the guest wrote it: the run is over */
	}
	/* The host consumes the command: tohost back to zero, then answer in fromhost. */
	store64(h, h->tohost, 0);
	if (dev == HTIF_DEV_SYSCALL && op == 0) {
		syscall_proxy(h, payload);
		if (h->fromhost)
			store64(h, h->fromhost, 1);
	} else if (dev == HTIF_DEV_CONSOLE && op == HTIF_CMD_PUTC) {
		h->host.putc(h->host.ctx, (uint8_t)payload);
		if (h->fromhost)
			store64(h, h->fromhost,
				(dev << 56) | (op << 48) | 0x100 | (payload & 0xff));
	}
	/* Anything else (console reads, unknown devices) is dropped, as Spike does for unknowns. */
}
