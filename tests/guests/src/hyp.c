/* hyp — the H extension's CSRs, V mode and its traps (privileged spec 1.12 with H 1.0): what the
 * h* CSRs hold, how vs* stand in for s* at V=1, ecalls and exceptions from VS/VU and where they
 * go (M, HS with SPV/SPVP, VS through hedeleg), virtual-instruction exceptions, interrupts
 * injected through hvip and delegated through hideleg, htimedelta and vstimecmp. */
#include "guest.h"

const char guest_name[] = "hyp";

#define CSR_HSTATUS    0x600
#define CSR_HEDELEG    0x602
#define CSR_HIDELEG    0x603
#define CSR_HIE	       0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HENVCFG    0x60a
#define CSR_HIP	       0x644
#define CSR_HVIP       0x645
#define CSR_VSSTATUS   0x200
#define CSR_VSIE       0x204
#define CSR_VSIP       0x244
#define CSR_VSTIMECMP  0x24d
#define CSR_MENVCFG    0x30a
#define IRQ_VS_SOFT    2
#define IRQ_VS_TIMER   6

static uint64_t insn_at(uint64_t pc)
{
	return *(volatile uint32_t *)pc;
}

static uint64_t do_ecall(uint64_t a)
{
	probe_ecall();
	return a;
}

static uint64_t read_sstatus(uint64_t a)
{
	(void)a;
	return csr_read(sstatus);
}

static uint64_t read_hstatus(uint64_t a)
{
	(void)a;
	return csr_read(0x600);
}

static uint64_t read_vsstatus(uint64_t a)
{
	(void)a;
	return csr_read(0x200);
}

static uint64_t read_mstatus(uint64_t a)
{
	(void)a;
	return csr_read(mstatus);
}

static uint64_t read_satp(uint64_t a)
{
	(void)a;
	return csr_read(satp);
}

static uint64_t read_time(uint64_t a)
{
	(void)a;
	return csr_read(time);
}

static uint64_t do_wfi(uint64_t a)
{
	__asm__ volatile("wfi");
	return a;
}

static uint64_t do_sfence(uint64_t a)
{
	__asm__ volatile("sfence.vma");
	return a;
}

static uint64_t do_hfence(uint64_t a)
{
	__asm__ volatile(".option push\n\t.option arch, +h\n\thfence.vvma\n\t.option pop");
	return a;
}

static uint64_t do_hlv(uint64_t a)
{
	uint64_t v = 0;
	__asm__ volatile(".option push\n\t.option arch, +h\n\thlv.d %0, (%1)\n\t.option pop"
			 : "+r"(v)
			 : "r"(a)
			 : "memory");
	return v;
}

static uint64_t do_sret(uint64_t a)
{
	/* sret back to the next instruction in the same mode (SPP = S) */
	__asm__ volatile("csrs sstatus, %0\n\t"
			 "la t0, 1f\n\t"
			 "csrw sepc, t0\n\t"
			 "sret\n"
			 "1:" ::"r"(MSTATUS_SPP)
			 : "t0", "memory");
	return a;
}

static uint64_t do_illegal(uint64_t a)
{
	__asm__ volatile(".4byte 0xffffffff");
	return a;
}

static uint64_t do_fmv(uint64_t a)
{
	__asm__ volatile("fmv.d.x ft0, %0" ::"r"(a));
	return a;
}

static uint64_t read_fcsr(uint64_t a)
{
	(void)a;
	return csr_read(fcsr);
}

/* FS of mstatus (HS's), then vsstatus.FS: 0 Off, 1 Initial, 2 Clean, 3 Dirty */
static void set_fs(uint64_t hs, uint64_t vs)
{
	csr_clear(mstatus, MSTATUS_FS);
	csr_set(mstatus, hs << 13);
	csr_write(CSR_VSSTATUS, vs << 13);
}

static uint64_t fs_of(uint64_t status)
{
	return (status & MSTATUS_FS) >> 13;
}

static uint64_t spin(uint64_t n)
{
	for (volatile uint64_t i = 0; i < n; i++)
		;
	return 0;
}

static uint64_t vs_enable_spin(uint64_t n)
{
	csr_set(sstatus, MSTATUS_SIE);
	spin(n);
	csr_clear(sstatus, MSTATUS_SIE);
	return 0;
}

/* HS's handler cannot mask VS interrupts in sie: it turns hie off */
static void hs_irq(unsigned handler, uint64_t cause)
{
	if (handler == PRV_S)
		csr_write(CSR_HIE, 0);
	else
		csr_clear(sie, 1ul << (cause & 63));
}

int main(void)
{
	uint64_t v;

	hyp_setup();
	check("misa.H", (csr_read(misa) >> 7) & 1, 1);
	check("hstatus.VSXL = 64-bit", (csr_read(0x600) >> 32) & 3, 2);
	csr_write(0x600, HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTW | HSTATUS_VTSR |
			     HSTATUS_VTVM);
	check("hstatus: SPV SPVP HU VTW VTSR VTVM writable",
	      csr_read(0x600) & (HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTW |
				 HSTATUS_VTSR | HSTATUS_VTVM),
	      HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTW | HSTATUS_VTSR | HSTATUS_VTVM);
	csr_write(0x600, 0);
	csr_write(CSR_HEDELEG, ~0ul);
	check("hedeleg: ecalls from HS/VS/M and causes 20-23 not delegable", csr_read(CSR_HEDELEG),
	      0xb1ff);
	csr_write(CSR_HEDELEG, 0);
	csr_write(CSR_HIDELEG, ~0ul);
	check("hideleg: the VS interrupts", csr_read(CSR_HIDELEG), 0x444);
	csr_write(CSR_HIDELEG, 0);
	csr_write(mideleg, 0);
	check("mideleg: VS interrupts read-only one", csr_read(mideleg) & 0x444, 0x444);
	csr_write(medeleg, ~0ul);
	check("medeleg: ecall from VS and causes 20-23 delegable", csr_read(medeleg) & 0xf00400,
	      0xf00400);
	csr_write(medeleg, 0);
	csr_set(mstatus, MSTATUS_MPV);
	check("mstatus.MPV writable", (csr_read(mstatus) >> 39) & 1, 1);
	csr_clear(mstatus, MSTATUS_MPV);

	/* hvip injects into hip/mip; vsip shows the delegated ones as S bits */
	csr_write(CSR_HVIP, 0x444);
	check("hvip -> hip", csr_read(CSR_HIP) & 0x444, 0x444);
	check("hvip -> mip", csr_read(mip) & 0x444, 0x444);
	check("vsip without hideleg: 0", csr_read(CSR_VSIP), 0);
	csr_write(CSR_HIDELEG, 0x444);
	check("vsip with hideleg: SSIP STIP SEIP", csr_read(CSR_VSIP), 0x222);
	check("sip shows no VS bits", csr_read(sip) & 0x444, 0);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HIDELEG, 0);

	/* ecalls: from VS cause 10, from VU cause 8, with MPV and MPP */
	trap_clear();
	enter_v(PRV_S, do_ecall, 0);
	check_trap("ecall from VS: cause 10 to M", PRV_M, CAUSE_ECALL_VS, 0);
	check("ecall from VS: MPV=1 MPP=S", last_trap.from, PRV_VS);
	trap_clear();
	enter_v(PRV_U, do_ecall, 0);
	check_trap("ecall from VU: cause 8 to M", PRV_M, CAUSE_ECALL_U, 0);
	check("ecall from VU: MPV=1 MPP=U", last_trap.from, PRV_VU);
	csr_write(medeleg, 1ul << CAUSE_ECALL_VS);
	trap_clear();
	enter_v(PRV_S, do_ecall, 0);
	check_trap("ecall from VS delegated to HS", PRV_S, CAUSE_ECALL_VS, 0);
	check("ecall from VS to HS: SPV=1 SPP=S", last_trap.from, PRV_VS);
	check("ecall from VS to HS: hstatus.SPVP=1", (csr_read(0x600) >> 8) & 1, 1);
	csr_write(medeleg, (1ul << CAUSE_ECALL_U) | (1ul << CAUSE_ILLEGAL));
	csr_write(CSR_HEDELEG, (1ul << CAUSE_ECALL_U) | (1ul << CAUSE_ILLEGAL));
	trap_clear();
	enter_v(PRV_U, do_ecall, 0);
	check_trap("ecall from VU delegated to VS (hedeleg)", PRV_VS, CAUSE_ECALL_U, 0);
	check("ecall from VU to VS: SPP=U", last_trap.from, PRV_VU);
	trap_clear();
	enter_v(PRV_S, do_illegal, 0);
	check_trap("illegal instruction in VS to VS: stval = encoding", PRV_VS, CAUSE_ILLEGAL,
		   0xffffffff);
	csr_write(CSR_HEDELEG, 0);
	trap_clear();
	enter_v(PRV_U, do_illegal, 0);
	check_trap("illegal instruction in VU without hedeleg: to HS", PRV_S, CAUSE_ILLEGAL,
		   0xffffffff);
	check("illegal in VU to HS: SPV=1 SPP=U", last_trap.from, PRV_VU);
	check("illegal in VU to HS: hstatus.SPVP=0", (csr_read(0x600) >> 8) & 1, 0);
	csr_write(medeleg, 0);

	/* vsstatus is sstatus at V=1; HS's sstatus stays apart */
	csr_write(CSR_VSSTATUS, MSTATUS_SUM);
	csr_clear(sstatus, MSTATUS_SUM);
	v = enter_v(PRV_S, read_sstatus, 0);
	check("VS reads vsstatus as sstatus (SUM)", v & MSTATUS_SUM, MSTATUS_SUM);
	check("VS sstatus: UXL = 64-bit", (v >> 32) & 3, 2);
	check("HS sstatus.SUM untouched", csr_read(sstatus) & MSTATUS_SUM, 0);
	csr_write(CSR_VSSTATUS, 0);

	/* virtual instructions (cause 22, tval the encoding) and illegal ones */
	trap_clear();
	enter_v(PRV_S, read_hstatus, 0);
	check_trap("VS csrr hstatus: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, read_vsstatus, 0);
	check_trap("VS csrr vsstatus: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, read_mstatus, 0);
	check_trap("VS csrr mstatus: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_U, read_vsstatus, 0);
	check_trap("VU csrr vsstatus: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, do_hfence, 0);
	check_trap("VS hfence.vvma: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, do_hlv, 0x80000000);
	check_trap("VS hlv.d: virtual instruction", PRV_M, CAUSE_VIRT_INSN, insn_at(last_trap.epc));
	trap_clear();
	enter_mode(PRV_U, do_hlv, 0x80000000);
	check_trap("U hlv.d with HU=0: illegal", PRV_M, CAUSE_ILLEGAL, insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_U, do_wfi, 0);
	check_trap("VU wfi: virtual instruction", PRV_M, CAUSE_VIRT_INSN, insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, do_sret, 0);
	check_no_trap("VS sret with VTSR=0: runs");
	csr_write(0x600, HSTATUS_VTW | HSTATUS_VTSR | HSTATUS_VTVM);
	trap_clear();
	enter_v(PRV_S, do_wfi, 0);
	check_trap("VS wfi with VTW: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, do_sret, 0);
	check_trap("VS sret with VTSR: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, do_sfence, 0);
	check_trap("VS sfence.vma with VTVM: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, read_satp, 0);
	check_trap("VS csrr satp with VTVM: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	csr_write(0x600, 0);
	trap_clear();
	enter_v(PRV_S, read_satp, 0);
	check_no_trap("VS csrr satp without VTVM: runs");

	/* counters: hcounteren gates VS/VU; htimedelta offsets time at V=1 */
	csr_write(mcounteren, ~0u);
	csr_write(CSR_HCOUNTEREN, 0);
	trap_clear();
	enter_v(PRV_S, read_time, 0);
	check_trap("VS time with hcounteren.TM=0: virtual instruction", PRV_M, CAUSE_VIRT_INSN,
		   insn_at(last_trap.epc));
	csr_write(CSR_HCOUNTEREN, ~0u);
	csr_write(CSR_HTIMEDELTA, 1ul << 40);
	uint64_t t0 = mtime();
	v = enter_v(PRV_S, read_time, 0);
	check("VS time = mtime + htimedelta",
	      v - t0 >= (1ul << 40) && v - t0 < (1ul << 40) + 1000000, 1);
	csr_write(CSR_HTIMEDELTA, 0);

	/* interrupts: hvip.VSSIP delegated to VS (seen as SSIP), or taken by HS as VSSIP */
	csr_write(CSR_HIDELEG, 1ul << IRQ_VS_SOFT);
	csr_write(CSR_VSIE, 1ul << IRQ_S_SOFT);
	check("vsie.SSIE is hie.VSSIE", csr_read(CSR_HIE) & 0x444, 1ul << IRQ_VS_SOFT);
	csr_write(CSR_HVIP, 1ul << IRQ_VS_SOFT);
	trap_clear();
	enter_v(PRV_S, spin, 100);
	check_no_trap("VSSIP in VS with vsstatus.SIE=0: not taken");
	trap_clear();
	enter_v(PRV_S, vs_enable_spin, 100);
	check_trap("VSSIP in VS with SIE=1: taken by VS as SSIP", PRV_VS, CAUSE_IRQ | IRQ_S_SOFT,
		   0);
	check("VS handler masked it in vsie", csr_read(CSR_VSIE), 0);
	trap_clear();
	enter_v(PRV_U, spin, 100);
	check_no_trap("VSSIP masked in vsie: not taken in VU");
	csr_write(CSR_HIDELEG, 0);
	csr_write(mideleg, 0);
	csr_write(CSR_HIE, 1ul << IRQ_VS_SOFT);
	irq_hook = hs_irq;
	trap_clear();
	enter_v(PRV_S, spin, 100);
	check_trap("VSSIP not in hideleg: taken by HS at V=1 (SIE ignored)", PRV_S,
		   CAUSE_IRQ | IRQ_VS_SOFT, 0);
	check("VSSIP to HS: SPV=1", last_trap.from, PRV_VS);
	irq_hook = 0;
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HIE, 0);

	/* Sstc: vstimecmp drives hip.VSTIP with henvcfg.STCE */
	csr_write(CSR_MENVCFG, 1ul << 63);
	csr_write(CSR_HENVCFG, 1ul << 63);
	csr_write(CSR_VSTIMECMP, 0);
	check("vstimecmp = 0: VSTIP pending", csr_read(CSR_HIP) & (1ul << IRQ_VS_TIMER),
	      1ul << IRQ_VS_TIMER);
	csr_write(CSR_VSTIMECMP, ~0ul);
	check("vstimecmp = max: VSTIP clear", csr_read(CSR_HIP) & (1ul << IRQ_VS_TIMER), 0);
	csr_write(CSR_HENVCFG, 0);
	csr_write(CSR_MENVCFG, 0);

	/* FP at V=1 needs HS's mstatus.FS and vsstatus.FS both on; an FP write dirties both */
	set_fs(0, 1);
	trap_clear();
	enter_v(PRV_S, do_fmv, 0);
	check_trap("VS fmv.d.x with mstatus.FS Off: illegal", PRV_M, CAUSE_ILLEGAL,
		   insn_at(last_trap.epc));
	trap_clear();
	enter_v(PRV_S, read_fcsr, 0);
	check_trap("VS csrr fcsr with mstatus.FS Off: illegal", PRV_M, CAUSE_ILLEGAL,
		   insn_at(last_trap.epc));
	v = enter_v(PRV_S, read_sstatus, 0);
	check("VS sees its own FS while HS's is Off", fs_of(v), 1);
	check("vsstatus.FS kept, HS's still Off",
	      fs_of(csr_read(CSR_VSSTATUS)) << 2 | fs_of(csr_read(mstatus)), 1 << 2);
	set_fs(1, 0);
	trap_clear();
	enter_v(PRV_S, do_fmv, 0);
	check_trap("VS fmv.d.x with vsstatus.FS Off: illegal", PRV_M, CAUSE_ILLEGAL,
		   insn_at(last_trap.epc));
	set_fs(2, 2);
	trap_clear();
	enter_v(PRV_S, do_fmv, 0);
	check_no_trap("VS fmv.d.x with both FS Clean: runs");
	check("VS FP write dirties vsstatus.FS and mstatus.FS",
	      fs_of(csr_read(CSR_VSSTATUS)) << 2 | fs_of(csr_read(mstatus)), 3 << 2 | 3);
	set_fs(2, 3);
	v = enter_v(PRV_S, read_sstatus, 0);
	check("VS with its FS Dirty reads sstatus.FS Dirty, SD", fs_of(v) | (v >> 63) << 2, 7);
	check("no FP write at V=1: mstatus.FS stays Clean",
	      fs_of(csr_read(CSR_VSSTATUS)) << 2 | fs_of(csr_read(mstatus)), 3 << 2 | 2);
	set_fs(1, 3);
	enter_v(PRV_S, do_fmv, 0);
	check("FP write at V=1 (vsstatus.FS already Dirty): mstatus.FS Dirty",
	      fs_of(csr_read(mstatus)), 3);
	set_fs(3, 0);
	csr_write(CSR_VSSTATUS, 0);
	return check_failures;
}
