/* hshim — the smallest hypervisor that runs an S-mode kernel in VS mode, for tracing a guest
 * kernel's async Rust tasks the same way as on bare S mode (tests/e2e/hasync.sh). It runs in HS
 * under OpenSBI (-kernel), loads the ELF it is given as -initrd into guest physical memory,
 * maps that memory with an Sv39x4 G-stage that is not the identity (guest physical
 * GPA_BASE.. is host physical HPA_BASE..), and enters the kernel in VS with vsatp Bare. The
 * kernel's SBI calls arrive as ecalls from VS (OpenSBI delegates them to HS): console output
 * and shutdown are forwarded to OpenSBI, set_timer programs vstimecmp (Sstc), whose VSTIP
 * reaches the guest as its S timer interrupt through hideleg. */
#include <stdint.h>

#include "../common/guest.h"

#define GPA_BASE 0x80000000ul
#define HPA_BASE 0x82000000ul
#define GUEST_MB 8 /* mapped: GPA_BASE .. + 8 MiB, in 2 MiB pages */
#define VMID	 1ul

#define CSR_HSTATUS    0x600
#define CSR_HEDELEG    0x602
#define CSR_HIDELEG    0x603
#define CSR_HCOUNTEREN 0x606
#define CSR_HENVCFG    0x60a
#define CSR_HGATP      0x680
#define CSR_VSSTATUS   0x200
#define CSR_VSTIMECMP  0x24d
#define IRQ_VS_TIMER   6

/* (guest.h's PTE_* bits; every G-stage leaf is a U page: guest accesses are checked as U) */

#define SBI_LEGACY_PUTCHAR 0x01
#define SBI_TIME	   0x54494D45
#define SBI_SRST	   0x53525354
#define SBI_ERR_NOT_SUPP   (-2l)

void hshim_enter(uint64_t a0, uint64_t a1) __attribute__((noreturn));

/* the G-stage: a 16 KiB root (Sv39x4: two more index bits) and one level-1 table */
static uint64_t gs_root[2048] __attribute__((aligned(16384)));
static uint64_t gs_l1[512] __attribute__((aligned(4096)));

static long sbi(uint64_t eid, uint64_t fid, uint64_t a0)
{
	register uint64_t r0 __asm__("a0") = a0, r1 __asm__("a1") = 0;
	register uint64_t r6 __asm__("a6") = fid, r7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r6), "r"(r7) : "memory");
	return (long)r0;
}

static void puts_(const char *s)
{
	while (*s)
		sbi(SBI_LEGACY_PUTCHAR, 0, (uint8_t)*s++);
}

static void puthex(uint64_t v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4)
		sbi(SBI_LEGACY_PUTCHAR, 0, "0123456789abcdef"[(v >> i) & 15]);
}

static void __attribute__((noreturn)) die(const char *why, uint64_t v)
{
	puts_("hshim: ");
	puts_(why);
	puthex(v);
	puts_("\n");
	sbi(SBI_SRST, 0, 0);
	for (;;)
		;
}

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A property of the device tree's /chosen (the only node with these names), 4 or 8 bytes. */
static uint64_t fdt_u64(const uint8_t *fdt, const char *name)
{
	const uint8_t *p = fdt + be32(fdt + 8), *strs = fdt + be32(fdt + 12);

	for (;;) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == 1) { /* FDT_BEGIN_NODE: a name, NUL-padded to 4 */
			while (*p)
				p++;
			p = (const uint8_t *)(((uintptr_t)p + 4) & ~3ul);
		} else if (tok == 3) { /* FDT_PROP: len, nameoff, value */
			uint32_t len = be32(p), off = be32(p + 4);
			const char *n = (const char *)strs + off, *w = name;

			while (*n && *n == *w)
				n++, w++;
			if (!*n && !*w)
				return len == 8 ? (uint64_t)be32(p + 8) << 32 | be32(p + 12) : be32(p + 8);
			p += 8 + ((len + 3) & ~3u);
		} else if (tok == 9) {
			die("no /chosen property for the guest kernel (-initrd missing?) in the device tree at ",
			    (uint64_t)fdt);
		} else if (tok != 2 && tok != 4) {
			die("bad device tree token ", tok);
		}
	}
}

static uint64_t hpa(uint64_t gpa)
{
	if (gpa < GPA_BASE || gpa >= GPA_BASE + (GUEST_MB << 20))
		die("guest kernel outside the guest's memory: ", gpa);
	return gpa - GPA_BASE + HPA_BASE;
}

/* Copy the ELF's loadable segments to where the G-stage puts their guest physical addresses;
 * its entry point. */
static uint64_t load_elf(const uint8_t *elf, uint64_t size)
{
	if (size < 64 || be32(elf) != 0x7f454c46 || elf[4] != 2)
		die("-initrd is not a 64-bit ELF: ", size);
	uint64_t phoff = *(const uint64_t *)(elf + 32);
	uint16_t phentsize = *(const uint16_t *)(elf + 54), phnum = *(const uint16_t *)(elf + 56);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = elf + phoff + (uint64_t)i * phentsize;
		uint64_t off = *(const uint64_t *)(ph + 8), pa = *(const uint64_t *)(ph + 24);
		uint64_t filesz = *(const uint64_t *)(ph + 32), memsz = *(const uint64_t *)(ph + 40);

		if (*(const uint32_t *)ph != 1 || !memsz) /* PT_LOAD */
			continue;
		if (off + filesz > size)
			die("ELF segment past the file's end: ", off);
		uint8_t *dst = (uint8_t *)hpa(pa);
		hpa(pa + memsz - 1);
		for (uint64_t k = 0; k < memsz; k++)
			dst[k] = k < filesz ? elf[off + k] : 0;
	}
	return *(const uint64_t *)(elf + 24);
}

void hshim_main(uint64_t hartid, const uint8_t *fdt)
{
	uint64_t lo = fdt_u64(fdt, "linux,initrd-start"), hi = fdt_u64(fdt, "linux,initrd-end");
	uint64_t entry = load_elf((const uint8_t *)lo, hi - lo);

	/* Sv39x4: root index gpa[40:30], then 2 MiB leaves indexed by gpa[29:21] */
	gs_root[GPA_BASE >> 30] = ((uint64_t)gs_l1 >> 12) << 10 | PTE_V;
	for (uint64_t mb = 0; mb < GUEST_MB; mb += 2)
		gs_l1[((GPA_BASE >> 21) + mb / 2) & 511] =
		    ((HPA_BASE + (mb << 20)) >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_U |
		    PTE_A | PTE_D;
	csr_write(CSR_HGATP, 8ul << 60 | VMID << 44 | (uint64_t)gs_root >> 12);
	__asm__ volatile(".option push\n\t.option arch, +h\n\thfence.gvma\n\t.option pop" ::: "memory");
	csr_write(CSR_HEDELEG, 0);
	csr_write(CSR_HIDELEG, 1ul << IRQ_VS_TIMER);
	csr_write(CSR_HCOUNTEREN, ~0u);
	csr_write(CSR_HENVCFG, 1ul << 63); /* STCE: vstimecmp */
	csr_write(CSR_VSTIMECMP, ~0ul);
	csr_write(CSR_VSSTATUS, MSTATUS_FS); /* as OpenSBI starts an S-mode kernel */
	csr_write(CSR_HSTATUS, HSTATUS_SPV | HSTATUS_SPVP);
	csr_set(sstatus, MSTATUS_SPP);
	csr_write(sepc, entry);
	hshim_enter(hartid, 0);
}

/* A trap from the guest: its SBI calls (f: x1-x31 at f[n]). */
void hshim_trap(uint64_t *f)
{
	uint64_t cause = csr_read(scause);

	if (cause != CAUSE_ECALL_VS)
		die("unexpected trap from the guest, scause ", cause);
	switch (f[17]) {
	case SBI_LEGACY_PUTCHAR:
		f[10] = (uint64_t)sbi(SBI_LEGACY_PUTCHAR, 0, f[10]);
		break;
	case SBI_TIME: /* htimedelta is 0: the guest's time is the host's */
		csr_write(CSR_VSTIMECMP, f[10]);
		f[10] = f[11] = 0;
		break;
	case SBI_SRST:
		f[10] = (uint64_t)sbi(SBI_SRST, f[16], f[10]);
		break;
	default:
		f[10] = (uint64_t)SBI_ERR_NOT_SUPP;
		break;
	}
	csr_write(sepc, csr_read(sepc) + 4);
}
