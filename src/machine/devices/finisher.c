#include "machine/devices/finisher.h"

#include <stdlib.h>

struct finisher {
	struct finisher_host host;
};

struct finisher *finisher_new(const struct finisher_host *host)
{
	struct finisher *f = calloc(1, sizeof(*f));

	if (f)
		f->host = *host;
	return f;
}

void finisher_free(struct finisher *f)
{
	free(f);
}

static int finisher_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val)
{
	*val = 0;
	return 0;
}

static int finisher_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct finisher *f = opaque;

	/* QEMU's sifive_test takes 2- to 4-byte writes of the status register; OpenSBI's
	 * SRST shutdown uses a 16-bit writew */
	if (offset != 0 || size < 2)
		return 0;
	switch (val & 0xffff) {
	case FINISHER_FAIL:
		f->host.stop(f->host.ctx, (int)((val >> 16) & 0xffff));
		break;
	case FINISHER_PASS:
		f->host.stop(f->host.ctx, 0);
		break;
	case FINISHER_RESET:
		f->host.reset(f->host.ctx);
		break;
	default:
		break;
	}
	return 0;
}

static const char *finisher_reg_name(void *opaque, uint64_t offset)
{
	return offset < 4 ? "status" : NULL;
}

const struct mmio_ops finisher_ops = {
    .read = finisher_read,
    .write = finisher_write,
    .reg_name = finisher_reg_name,
};
