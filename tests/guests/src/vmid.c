/* vmid — TLB entries tagged by VMID (H 1.0, issue 15): two guests, VMID 1 and 2, each with its
 * own G-stage, map the same guest physical page to different host pages. Each sees its own
 * page; switching hgatp between them keeps both translations (a G-stage change of guest 1 made
 * without a fence is not seen after running guest 2: its translation was still cached); an
 * HFENCE.GVMA for VMID 2 leaves guest 1's translation, one for VMID 1 drops it. Seeing the
 * stale page is what a VMID-tagged TLB may do (the spec requires the fence, not the staleness):
 * QEMU 7.2 tags no VMIDs, hence strata-only (vmid.cpu). */
#include "guest.h"

const char guest_name[] = "vmid";

#define CSR_HGATP    0x680
#define HGATP_SV39X4 (8ul << 60)
#define G_RWXU	     (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define GPA	     0x100000000ul

static uint64_t groot1[2048] __attribute__((aligned(16384)));
static uint64_t groot2[2048] __attribute__((aligned(16384)));
static volatile uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t page_b[512] __attribute__((aligned(4096)));
static volatile uint64_t page_c[512] __attribute__((aligned(4096)));

static uint64_t v_load(uint64_t a)
{
	return probe_ld(a);
}

static void hgatp(uint64_t *root, uint64_t vmid)
{
	csr_write(CSR_HGATP, HGATP_SV39X4 | vmid << 44 | (uint64_t)root >> 12);
}

static void hfence_gvma_vmid(uint64_t vmid)
{
	__asm__ volatile(".option push\n\t.option arch, +h\n\thfence.gvma zero, %0\n\t.option pop" ::"r"(
			     vmid)
			 : "memory");
}

int main(void)
{
	uint64_t *leaf1;

	hyp_setup();
	page_a[0] = 0x1111;
	page_b[0] = 0x2222;
	page_c[0] = 0x3333;
	/* both guests: the runtime's code and data identity-mapped (1 GiB), GPA to their page */
	groot1[2] = groot2[2] = ((0x80000000ul >> 12) << 10) | G_RWXU;
	leaf1 = pt_map(groot1, 3, GPA, (uint64_t)page_a, 0, G_RWXU);
	pt_map(groot2, 3, GPA, (uint64_t)page_b, 0, G_RWXU);
	__asm__ volatile(".option push\n\t.option arch, +h\n\thfence.gvma\n\t.option pop" ::: "memory");

	hgatp(groot1, 1);
	check("VMID 1 sees its page", enter_v(PRV_S, v_load, GPA), 0x1111);
	hgatp(groot2, 2);
	check("VMID 2 sees its own page", enter_v(PRV_S, v_load, GPA), 0x2222);
	/* guest 1's G-stage now maps GPA elsewhere, not fenced yet */
	*leaf1 = ((uint64_t)page_c >> 12) << 10 | G_RWXU;
	hgatp(groot1, 1);
	check("back to VMID 1: its cached translation (no fence yet)", enter_v(PRV_S, v_load, GPA),
	      0x1111);
	hfence_gvma_vmid(2);
	check("hfence.gvma of VMID 2 keeps VMID 1's", enter_v(PRV_S, v_load, GPA), 0x1111);
	hfence_gvma_vmid(1);
	check("hfence.gvma of VMID 1: the new page", enter_v(PRV_S, v_load, GPA), 0x3333);
	hgatp(groot2, 2);
	check("VMID 2 still sees its page", enter_v(PRV_S, v_load, GPA), 0x2222);
	csr_write(CSR_HGATP, 0);
	return check_failures;
}
