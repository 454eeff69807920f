/* csr — the control and status registers of a hart (privileged spec 1.12, Zicsr, Zicntr). */
#include "cpu/hart.h"
#include "machine/machine.h"

#define MISA_VALUE                                                                                 \
	((2ull << 62) | (1u << ('A' - 'A')) | (1u << ('C' - 'A')) | (1u << ('D' - 'A')) |          \
	 (1u << ('F' - 'A')) | (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('S' - 'A')) |   \
	 (1u << ('U' - 'A')))

#define MSTATUS_WMASK                                                                              \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |     \
	 MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |        \
	 MSTATUS_TSR)
#define SSTATUS_MASK                                                                               \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR |       \
	 MSTATUS_UXL | MSTATUS_SD)
#define MEDELEG_MASK 0xb3ffull /* all synchronous causes but ecall from M (hardwired 0) */
#define MIDELEG_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MIE_MASK     (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)
#define MIP_WMASK    (MIP_SSIP | MIP_STIP | MIP_SEIP)

enum {
	CSR_FFLAGS = 0x001,
	CSR_FRM = 0x002,
	CSR_FCSR = 0x003,
	CSR_SSTATUS = 0x100,
	CSR_SIE = 0x104,
	CSR_STVEC = 0x105,
	CSR_SCOUNTEREN = 0x106,
	CSR_SENVCFG = 0x10a,
	CSR_SSCRATCH = 0x140,
	CSR_SEPC = 0x141,
	CSR_SCAUSE = 0x142,
	CSR_STVAL = 0x143,
	CSR_SIP = 0x144,
	CSR_SATP = 0x180,
	CSR_MSTATUS = 0x300,
	CSR_MISA = 0x301,
	CSR_MEDELEG = 0x302,
	CSR_MIDELEG = 0x303,
	CSR_MIE = 0x304,
	CSR_MTVEC = 0x305,
	CSR_MCOUNTEREN = 0x306,
	CSR_MENVCFG = 0x30a,
	CSR_MCOUNTINHIBIT = 0x320,
	CSR_MHPMEVENT3 = 0x323,
	CSR_MHPMEVENT31 = 0x33f,
	CSR_MSCRATCH = 0x340,
	CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342,
	CSR_MTVAL = 0x343,
	CSR_MIP = 0x344,
	CSR_PMPCFG0 = 0x3a0,
	CSR_PMPCFG3 = 0x3a3,
	CSR_PMPADDR0 = 0x3b0,
	CSR_PMPADDR15 = 0x3bf,
	CSR_MCYCLE = 0xb00,
	CSR_MINSTRET = 0xb02,
	CSR_MHPMCOUNTER3 = 0xb03,
	CSR_MHPMCOUNTER31 = 0xb1f,
	CSR_CYCLE = 0xc00,
	CSR_TIME = 0xc01,
	CSR_INSTRET = 0xc02,
	CSR_HPMCOUNTER31 = 0xc1f,
	CSR_MVENDORID = 0xf11,
	CSR_MARCHID = 0xf12,
	CSR_MIMPID = 0xf13,
	CSR_MHARTID = 0xf14,
	CSR_MCONFIGPTR = 0xf15,
};

uint64_t csr_mip(const struct hart *h)
{
	return h->mip | h->mip_hw;
}

static uint64_t mstatus_read(const struct hart *h)
{
	uint64_t s = h->mstatus | (2ull << 32) | (2ull << 34);

	if ((s & MSTATUS_FS) == MSTATUS_FS)
		s |= MSTATUS_SD;
	return s;
}

static void mstatus_write(struct hart *h, uint64_t v)
{
	uint64_t old = h->mstatus;

	if (((v & MSTATUS_MPP) >> 11) == 2) /* reserved encoding: WARL to U */
		v &= ~MSTATUS_MPP;
	h->mstatus = (h->mstatus & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK);
	/* MXR changes what a cached load translation allows */
	if ((old ^ h->mstatus) & MSTATUS_MXR)
		mmu_flush(h);
	hart_update_tlb_sets(h);
}

/* PMP: writes to a locked entry (or to the address below a locked TOR entry) are ignored. */
static void pmpcfg_write(struct hart *h, unsigned reg, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned idx = (reg / 2) * 8 + i; /* reg is 0 or 2: 8 entries each on RV64 */
		uint8_t b = v >> (8 * i);

		if (h->pmpcfg[idx] & 0x80)
			continue;
		b &= 0x9f;
		h->pmpcfg[idx] = b;
	}
	h->pmp_active = false;
	for (unsigned i = 0; i < 16; i++)
		if (h->pmpcfg[i] & 0x18)
			h->pmp_active = true;
	mmu_flush(h);
}

static void pmpaddr_write(struct hart *h, unsigned idx, uint64_t v)
{
	if (h->pmpcfg[idx] & 0x80)
		return;
	if (idx < 15 && (h->pmpcfg[idx + 1] & 0x80) && ((h->pmpcfg[idx + 1] >> 3) & 3) == 1)
		return;
	h->pmpaddr[idx] = v & ((1ull << 54) - 1);
	mmu_flush(h);
}

/* Counter CSRs readable from S/U only when mcounteren (and scounteren for U) allow. */
static bool counter_allowed(const struct hart *h, unsigned csr)
{
	unsigned bit = csr & 31;

	if (h->priv == PRV_M)
		return true;
	if (!((h->mcounteren >> bit) & 1))
		return false;
	if (h->priv == PRV_U && !((h->scounteren >> bit) & 1))
		return false;
	return true;
}

static int csr_read(struct hart *h, unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_FFLAGS:
		*v = h->fflags;
		return 0;
	case CSR_FRM:
		*v = h->frm;
		return 0;
	case CSR_FCSR:
		*v = (h->frm << 5) | h->fflags;
		return 0;
	case CSR_SSTATUS:
		*v = mstatus_read(h) & SSTATUS_MASK;
		return 0;
	case CSR_SIE:
		*v = h->mie & h->mideleg;
		return 0;
	case CSR_STVEC:
		*v = h->stvec;
		return 0;
	case CSR_SCOUNTEREN:
		*v = h->scounteren;
		return 0;
	case CSR_SENVCFG:
		*v = h->senvcfg;
		return 0;
	case CSR_SSCRATCH:
		*v = h->sscratch;
		return 0;
	case CSR_SEPC:
		*v = h->sepc;
		return 0;
	case CSR_SCAUSE:
		*v = h->scause;
		return 0;
	case CSR_STVAL:
		*v = h->stval;
		return 0;
	case CSR_SIP:
		*v = csr_mip(h) & h->mideleg;
		return 0;
	case CSR_SATP:
		if (h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))
			return -1;
		*v = h->satp;
		return 0;
	case CSR_MSTATUS:
		*v = mstatus_read(h);
		return 0;
	case CSR_MISA:
		*v = MISA_VALUE;
		return 0;
	case CSR_MEDELEG:
		*v = h->medeleg;
		return 0;
	case CSR_MIDELEG:
		*v = h->mideleg;
		return 0;
	case CSR_MIE:
		*v = h->mie;
		return 0;
	case CSR_MTVEC:
		*v = h->mtvec;
		return 0;
	case CSR_MCOUNTEREN:
		*v = h->mcounteren;
		return 0;
	case CSR_MENVCFG:
		*v = h->menvcfg;
		return 0;
	case CSR_MCOUNTINHIBIT:
		*v = h->mcountinhibit;
		return 0;
	case CSR_MSCRATCH:
		*v = h->mscratch;
		return 0;
	case CSR_MEPC:
		*v = h->mepc;
		return 0;
	case CSR_MCAUSE:
		*v = h->mcause;
		return 0;
	case CSR_MTVAL:
		*v = h->mtval;
		return 0;
	case CSR_MIP:
		*v = csr_mip(h);
		return 0;
	case CSR_MCYCLE:
		*v = h->instret + h->cycle_off;
		return 0;
	case CSR_MINSTRET:
		*v = h->instret;
		return 0;
	case CSR_MVENDORID:
	case CSR_MARCHID:
	case CSR_MIMPID:
	case CSR_MCONFIGPTR:
		*v = 0;
		return 0;
	case CSR_MHARTID:
		*v = h->hartid;
		return 0;
	}
	if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG3) {
		if (csr & 1) /* odd pmpcfg registers do not exist on RV64 */
			return -1;
		unsigned base = (csr - CSR_PMPCFG0) / 2 * 8;
		*v = 0;
		for (unsigned i = 0; i < 8; i++)
			*v |= (uint64_t)h->pmpcfg[base + i] << (8 * i);
		return 0;
	}
	if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15) {
		*v = h->pmpaddr[csr - CSR_PMPADDR0];
		return 0;
	}
	if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
	    (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
		*v = 0;
		return 0;
	}
	if (csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31) {
		if (!counter_allowed(h, csr))
			return -1;
		if (csr == CSR_CYCLE)
			*v = h->instret + h->cycle_off;
		else if (csr == CSR_TIME)
			*v = machine_mtime(h->m);
		else if (csr == CSR_INSTRET)
			*v = h->instret;
		else
			*v = 0;
		return 0;
	}
	return -1;
}

static int csr_write(struct hart *h, unsigned csr, uint64_t v)
{
	switch (csr) {
	case CSR_FFLAGS:
		h->fflags = v & 0x1f;
		break;
	case CSR_FRM:
		h->frm = v & 7;
		break;
	case CSR_FCSR:
		h->fflags = v & 0x1f;
		h->frm = (v >> 5) & 7;
		break;
	case CSR_SSTATUS:
		mstatus_write(h, (h->mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK));
		return 0;
	case CSR_SIE:
		h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg);
		break;
	case CSR_STVEC:
		if ((v & 3) < 2)
			h->stvec = v;
		break;
	case CSR_SCOUNTEREN:
		h->scounteren = v;
		break;
	case CSR_SENVCFG:
		h->senvcfg = v & 1;
		break;
	case CSR_SSCRATCH:
		h->sscratch = v;
		break;
	case CSR_SEPC:
		h->sepc = v & ~1ull;
		break;
	case CSR_SCAUSE:
		h->scause = v;
		break;
	case CSR_STVAL:
		h->stval = v;
		break;
	case CSR_SIP: {
		uint64_t m = h->mideleg & MIP_SSIP;
		h->mip = (h->mip & ~m) | (v & m);
		break;
	}
	case CSR_SATP: {
		uint64_t mode = v >> 60;
		if (h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))
			return -1;
		if (mode != 0 && mode != 8 && mode != 9)
			break; /* unsupported mode: the write has no effect */
		h->satp = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
		mmu_flush(h);
		if (h->cpu->dbg.libcheck & CPU_LIBCHECK_SATP)
			dbg_libcheck_event(h);
		break;
	}
	case CSR_MSTATUS:
		mstatus_write(h, v);
		return 0;
	case CSR_MISA:
		break; /* WARL: extensions cannot be switched off */
	case CSR_MEDELEG:
		h->medeleg = v & MEDELEG_MASK;
		break;
	case CSR_MIDELEG:
		h->mideleg = v & MIDELEG_MASK;
		break;
	case CSR_MIE:
		h->mie = v & MIE_MASK;
		break;
	case CSR_MTVEC:
		if ((v & 3) < 2)
			h->mtvec = v;
		break;
	case CSR_MCOUNTEREN:
		h->mcounteren = v;
		break;
	case CSR_MENVCFG:
		h->menvcfg = v & 1;
		break;
	case CSR_MCOUNTINHIBIT:
		h->mcountinhibit = v & 5;
		break;
	case CSR_MSCRATCH:
		h->mscratch = v;
		break;
	case CSR_MEPC:
		h->mepc = v & ~1ull;
		break;
	case CSR_MCAUSE:
		h->mcause = v;
		break;
	case CSR_MTVAL:
		h->mtval = v;
		break;
	case CSR_MIP:
		h->mip = (h->mip & ~MIP_WMASK) | (v & MIP_WMASK);
		break;
	case CSR_MCYCLE:
		h->cycle_off = v - h->instret;
		break;
	case CSR_MINSTRET: {
		/* keep mcycle where it was */
		uint64_t cyc = h->instret + h->cycle_off;
		/* the CSR instruction itself retires after the write: compensate */
		h->instret = v - 1;
		h->cycle_off = cyc - h->instret;
		break;
	}
	default:
		if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG3) {
			if (csr & 1)
				return -1;
			pmpcfg_write(h, csr - CSR_PMPCFG0, v);
		} else if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15) {
			pmpaddr_write(h, csr - CSR_PMPADDR0, v);
		} else if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
			   (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
			/* no programmable counters: reads stay zero */
		} else {
			return -1;
		}
	}
	return 0;
}

int csr_access(struct hart *h, unsigned csr, unsigned kind, uint64_t operand, bool write,
	       uint64_t *old)
{
	uint64_t newval, rmw;

	unsigned min_priv = (csr >> 8) & 3;

	if (h->priv < min_priv)
		return -1;
	if (write && (csr >> 10) == 3)
		return -1; /* read-only CSR */
	if (csr <= CSR_FCSR && !(h->mstatus & MSTATUS_FS))
		return -1;
	if (csr_read(h, csr, old) < 0)
		return -1;
	if (!write)
		return 0;
	rmw = *old;
	/* mip.SEIP reads as the software bit OR the PLIC's line, but CSRRS/CSRRC modify only the
	 * software bit (privileged spec 3.1.9): otherwise setting STIP would latch SEIP forever */
	if (csr == CSR_MIP)
		rmw = (rmw & ~MIP_SEIP) | (h->mip & MIP_SEIP);
	newval = kind == CSR_RW ? operand : kind == CSR_RS ? rmw | operand : rmw & ~operand;
	if (csr <= CSR_FCSR)
		h->mstatus |= MSTATUS_FS;
	return csr_write(h, csr, newval);
}
