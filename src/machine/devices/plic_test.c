#include "machine/devices/plic.h"

#include "cpu/cpu.h"
#include "machine/test_util.h"

static uint64_t mip[PLIC_MAX_HARTS];

static void set_irq(void *ctx, unsigned hart, uint64_t bit, bool level)
{
	if (level)
		mip[hart] |= bit;
	else
		mip[hart] &= ~bit;
}

static const struct plic_host host = {NULL, set_irq};

static uint32_t rd(struct plic *p, uint64_t off)
{
	uint64_t v = 0xdead;

	plic_ops.read(p, off, 4, &v);
	return (uint32_t)v;
}

static void wr(struct plic *p, uint64_t off, uint32_t v)
{
	plic_ops.write(p, off, 4, v);
}

#define CLAIM(ctx)  (PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (ctx) + 4)
#define THRESH(ctx) (PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (ctx))
#define ENABLE(ctx) (PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (ctx))

static int claim_complete(void)
{
	struct plic *p = plic_new(1, &host);

	mip[0] = 0;
	CHECK(p, "plic_new");
	wr(p, 4 * 10, 1);
	wr(p, ENABLE(1), 1u << 10);
	plic_set_irq(p, 10, true);
	CHECK(mip[0] == MIP_SEIP, "S context should see source 10, mip %#llx",
	      (unsigned long long)mip[0]);
	CHECK(rd(p, PLIC_PENDING_BASE) == 1u << 10, "pending word %#x", rd(p, PLIC_PENDING_BASE));
	CHECK(rd(p, CLAIM(1)) == 10, "claim returns the source");
	CHECK(mip[0] == 0, "claimed source no longer pending");
	CHECK(rd(p, CLAIM(1)) == 0, "second claim returns 0");
	/* As QEMU: a claim consumes the request; a line still high at completion does not pend
	 * again until the device signals again. */
	wr(p, CLAIM(1), 10);
	CHECK(mip[0] == 0 && rd(p, CLAIM(1)) == 0, "no new request without a new signal");
	plic_set_irq(p, 10, true);
	CHECK(mip[0] == MIP_SEIP && rd(p, CLAIM(1)) == 10, "a new signal pends it again");
	/* Signalled while claimed: pending, delivered after the completion. */
	plic_set_irq(p, 10, true);
	CHECK(mip[0] == 0 && rd(p, PLIC_PENDING_BASE) == 1u << 10, "pending while claimed");
	wr(p, CLAIM(1), 10);
	CHECK(mip[0] == MIP_SEIP && rd(p, CLAIM(1)) == 10, "delivered after complete");
	wr(p, CLAIM(1), 10);
	/* A low signal withdraws an unclaimed request. */
	plic_set_irq(p, 10, true);
	plic_set_irq(p, 10, false);
	CHECK(mip[0] == 0 && rd(p, CLAIM(1)) == 0, "low line withdraws");
	/* Completing something never claimed is harmless. */
	wr(p, CLAIM(1), 33);
	CHECK(mip[0] == 0, "spurious complete");
	plic_free(p);
	return 0;
}

static int priority_threshold(void)
{
	struct plic *p = plic_new(1, &host);

	mip[0] = 0;
	wr(p, 4 * 3, 2);
	wr(p, 4 * 5, 6);
	wr(p, 4 * 7, 9); /* masked to 3 bits -> 1 */
	CHECK(rd(p, 4 * 7) == 1, "priority keeps 3 bits, got %u", rd(p, 4 * 7));
	CHECK(rd(p, 0) == 0, "source 0 has no priority");
	wr(p, ENABLE(0), (1u << 3) | (1u << 5) | (1u << 7));
	plic_set_irq(p, 3, true);
	plic_set_irq(p, 5, true);
	plic_set_irq(p, 7, true);
	CHECK(mip[0] == MIP_MEIP, "M context interrupt");
	wr(p, THRESH(0), 6);
	CHECK(mip[0] == 0, "threshold 6 masks everything up to 6");
	wr(p, THRESH(0), 1);
	CHECK(rd(p, CLAIM(0)) == 5, "highest priority first");
	CHECK(rd(p, CLAIM(0)) == 3, "then priority 2");
	CHECK(rd(p, CLAIM(0)) == 0, "priority 1 not above threshold 1");
	wr(p, 4 * 5, 0);
	CHECK(rd(p, 4 * 5) == 0, "priority 0 disables");
	plic_free(p);
	return 0;
}

static int contexts(void)
{
	struct plic *p = plic_new(2, &host);

	mip[0] = mip[1] = 0;
	wr(p, 4 * 40, 1);
	wr(p, ENABLE(3) + 4, 1u << 8); /* hart 1 S mode, source 40 = word 1 bit 8 */
	plic_set_irq(p, 40, true);
	CHECK(mip[0] == 0 && mip[1] == MIP_SEIP, "hart1 S only: %#llx %#llx",
	      (unsigned long long)mip[0], (unsigned long long)mip[1]);
	CHECK(rd(p, CLAIM(0)) == 0, "hart0 M context cannot claim it");
	CHECK(rd(p, ENABLE(3) + 4) == 1u << 8, "enable readback");
	wr(p, ENABLE(0), 0xffffffff);
	CHECK(rd(p, ENABLE(0)) == 0xfffffffe, "source 0 cannot be enabled");
	/* Out-of-range contexts and sources are ignored, not crashes. */
	wr(p, ENABLE(4), 0xffffffff);
	CHECK(rd(p, ENABLE(4)) == 0, "context 4 does not exist with 2 harts");
	wr(p, CLAIM(100), 1);
	plic_set_irq(p, 0, true);
	plic_set_irq(p, PLIC_NSRC + 1, true);
	plic_set_irq(p, 100000, true);
	CHECK(rd(p, CLAIM(1000)) == 0, "far context claim reads 0");
	plic_free(p);
	return 0;
}

static int access_size(void)
{
	struct plic *p = plic_new(1, &host);
	uint64_t v;

	CHECK(plic_ops.read(p, 4, 1, &v) < 0, "byte read faults");
	CHECK(plic_ops.write(p, 4, 8, 0) < 0, "8-byte write faults");
	CHECK(plic_ops.read(p, 2, 4, &v) < 0, "misaligned read faults");
	CHECK(plic_ops.reg_name(p, CLAIM(1)) != NULL, "claim has a name");
	plic_free(p);
	return 0;
}

int main(void)
{
	int fails = 0;

	fails += RUN(claim_complete);
	fails += RUN(priority_threshold);
	fails += RUN(contexts);
	fails += RUN(access_size);
	return fails != 0;
}
