/* csr32 — the CSRs as an RV32 hart sees them: 32-bit views of csr.c's 64-bit rows.
 * A 64-bit CSR is two RV32 CSRs: its low half under its own number and its high half under the
 * number with bit 7 set (cycleh, mstatush, menvcfgh, stimecmph, ...), or the next odd number for
 * pmpcfg1/3. An access reads the row, takes its half, and writes the merged value back through
 * the same row, so every predicate and WARL rule of csr.c applies unchanged. Only the CSRs whose
 * fields move with XLEN are converted here: mstatus.SD, xcause's interrupt bit, tdata1's type
 * and dmode; satp's Sv32 layout is csr.c's (wr_satp) and the MMU's. */
#include "cpu/hart.h"

enum {
	CSR_SSTATUS = 0x100,
	CSR_SCAUSE = 0x142,
	CSR_MSTATUS = 0x300,
	CSR_MCAUSE = 0x342,
	CSR_MIP = 0x344,
	CSR_TDATA1 = 0x7a1,
};

static inline uint64_t sext32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

/* The 64-bit CSR that csr's value is a half of; *hi: the high half. */
static unsigned rv32_base(unsigned csr, bool *hi)
{
	*hi = true;
	switch (csr) {
	case 0x310: /* mstatush */
	case 0x31a: /* menvcfgh */
	case 0x15d: /* stimecmph */
		return csr & ~0x10u;
	case 0x3a1: /* pmpcfg1, pmpcfg3: the high halves of pmpcfg0, pmpcfg2 */
	case 0x3a3:
		return csr - 1;
	}
	/* mcycleh, minstreth, mhpmcounterNh; cycleh, timeh, instreth, hpmcounterNh */
	if ((csr >= 0xb80 && csr <= 0xb9f) || (csr >= 0xc80 && csr <= 0xc9f))
		return csr & ~0x80u;
	*hi = false;
	return csr;
}

static uint32_t to32(unsigned c64, bool hi, uint64_t v)
{
	switch (c64) {
	case CSR_MSTATUS:
	case CSR_SSTATUS:
		/* SD is bit 31; mstatush holds only MBE/SBE (no UXL/SXL on RV32) */
		return hi ? (v >> 32) & 0x30 : ((uint32_t)v & 0x7fffffffu) | (uint32_t)(v >> 63) << 31;
	case CSR_MCAUSE:
	case CSR_SCAUSE:
		return ((uint32_t)v & 0x7fffffffu) | (uint32_t)(v >> 63) << 31;
	case CSR_TDATA1:
		return ((uint32_t)(v >> 59) << 27) | ((uint32_t)v & 0x7ffffffu);
	}
	return hi ? (uint32_t)(v >> 32) : (uint32_t)v;
}

static uint64_t from32(unsigned c64, bool hi, uint64_t old, uint32_t n)
{
	switch (c64) {
	case CSR_MSTATUS:
	case CSR_SSTATUS:
		return hi ? old : (old & ~0xffffffffull) | (n & 0x7fffffffu);
	case CSR_MCAUSE:
	case CSR_SCAUSE:
		return (n & 0x7fffffffu) | (uint64_t)(n >> 31) << 63;
	case CSR_TDATA1:
		return ((uint64_t)(n >> 27) << 59) | (n & 0x7ffffffu);
	}
	return hi ? (old & 0xffffffffull) | (uint64_t)n << 32 : (old & ~0xffffffffull) | n;
}

int csr_access_rv32(struct hart *h, unsigned csr, unsigned kind, uint64_t operand, bool write,
		    uint64_t *old)
{
	bool hi;
	unsigned c64 = rv32_base(csr, &hi);
	uint64_t v, dummy;
	uint32_t o, rmw, n, opnd = (uint32_t)operand;

	if (write && (csr >> 10) == 3)
		return -1; /* read-only CSR */
	/* a read runs every check of the row (existence, predicate, privilege) */
	if (csr_access64(h, c64, CSR_RS, 0, false, &v) < 0)
		return -1;
	o = to32(c64, hi, v);
	*old = sext32(o);
	if (!write)
		return 0;
	rmw = o;
	if (c64 == CSR_MIP) /* as csr_access64: CSRRS/CSRRC modify only the software SEIP */
		rmw = (rmw & ~(uint32_t)MIP_SEIP) | ((uint32_t)h->mip & MIP_SEIP);
	n = kind == CSR_RW ? opnd : kind == CSR_RS ? rmw | opnd : rmw & ~opnd;
	return csr_access64(h, c64, CSR_RW, from32(c64, hi, v, n), true, &dummy);
}

const char *csr_name_rv32(unsigned csr)
{
	static const struct {
		uint16_t num;
		const char *name;
	} names[] = {{0x310, "mstatush"},  {0x31a, "menvcfgh"}, {0x15d, "stimecmph"},
		     {0x3a1, "pmpcfg1"},   {0x3a3, "pmpcfg3"},	{0xb80, "mcycleh"},
		     {0xb82, "minstreth"}, {0xc80, "cycleh"},	{0xc81, "timeh"},
		     {0xc82, "instreth"}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == csr)
			return names[i].name;
	return NULL;
}
