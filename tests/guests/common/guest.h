/* guest — tiny runtime for bare-metal test guests on the QEMU virt machine: UART printing,
 * the sifive_test finisher, CSR access, trap recording and switching privilege modes.
 * Each guest defines `const char guest_name[]` and `int main(void)`; main's return value
 * becomes the exit status (0 = all checks ok). */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdint.h>
#include "guest_asm.h"

#define UART_BASE      0x10000000ul
#define FINISHER_BASE  0x100000ul
#define CLINT_BASE     0x2000000ul
#define CLINT_MSIP     (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME    (CLINT_BASE + 0xbff8)

#define PRV_U  0
#define PRV_S  1
#define PRV_M  3
#define PRV_VU 4 /* H: V=1 levels, as trap_rec.handler/from see them */
#define PRV_VS 5

#define MSTATUS_SIE  (1ul << 1)
#define MSTATUS_MIE  (1ul << 3)
#define MSTATUS_SPIE (1ul << 5)
#define MSTATUS_MPIE (1ul << 7)
#define MSTATUS_SPP  (1ul << 8)
#define MSTATUS_MPP  (3ul << 11)
#define MSTATUS_FS   (3ul << 13)
#define MSTATUS_MPRV (1ul << 17)
#define MSTATUS_SUM  (1ul << 18)
#define MSTATUS_MXR  (1ul << 19)
#define MSTATUS_TVM  (1ul << 20)
#define MSTATUS_TW   (1ul << 21)
#define MSTATUS_TSR  (1ul << 22)
#define MSTATUS_GVA  (1ul << 38)
#define MSTATUS_MPV  (1ul << 39)
#define HSTATUS_GVA  (1ul << 6)
#define HSTATUS_SPV  (1ul << 7)
#define HSTATUS_SPVP (1ul << 8)
#define HSTATUS_HU   (1ul << 9)
#define HSTATUS_VTVM (1ul << 20)
#define HSTATUS_VTW  (1ul << 21)
#define HSTATUS_VTSR (1ul << 22)

#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define CAUSE_IRQ   (1ul << 63)

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL	       2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U	       8
#define CAUSE_ECALL_S	       9
#define CAUSE_ECALL_M	       11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE	       13
#define CAUSE_STORE_PAGE       15
#define CAUSE_ECALL_VS	       10
#define CAUSE_FETCH_GUEST_PAGE 20
#define CAUSE_LOAD_GUEST_PAGE  21
#define CAUSE_VIRT_INSN	       22
#define CAUSE_STORE_GUEST_PAGE 23

#define STR_(x) #x
#define STR(x)	STR_(x)
#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("csrr %0, " STR(csr) : "=r"(v_)::"memory");                       \
		v_;                                                                                \
	})
#define csr_write(csr, v) __asm__ volatile("csrw " STR(csr) ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_set(csr, v)	  __asm__ volatile("csrs " STR(csr) ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " STR(csr) ", %0" ::"r"((uint64_t)(v)) : "memory")

/* Code and data that U mode reaches under paging (the 2 MiB user window). */
#define USER_TEXT __attribute__((section(".usertext"), noinline))
#define USER_DATA __attribute__((section(".userdata")))
extern char __user_start[], __user_end[], __user_stack_top[], __sstack_top[], __stack_top[];

extern const char guest_name[];

/* Output over the NS16550A UART. */
void gputc(char c);
void gputs(const char *s);
/* printf subset: %s %c %d %u %x (all 64-bit; 'l' accepted and ignored), %%. */
void gprintf(const char *fmt, ...);

/* Print "<guest>: <what>: ok" when got == want, else a FAIL line; counts failures. */
void check(const char *what, uint64_t got, uint64_t want);
extern int check_failures;

/* The last trap taken by the recording handlers. */
struct trap_rec {
	uint64_t count; /* traps since trap_clear() */
	uint64_t cause;
	uint64_t tval;
	uint64_t epc;
	unsigned handler; /* PRV_M, PRV_S or PRV_VS: which handler took it */
	unsigned from;	  /* privilege the trap came from (PRV_VS/PRV_VU from V=1) */
	uint64_t tval2; /* H guests (hyp_setup): mtval2 or htval, the guest-page fault's GPA >> 2 */
	unsigned gva;	/* H guests: mstatus.GVA or hstatus.GVA */
};
extern volatile struct trap_rec last_trap;
void trap_clear(void);
/* Check exactly one trap of cause/tval was taken by handler (PRV_M or PRV_S) since trap_clear. */
void check_trap(const char *what, unsigned handler, uint64_t cause, uint64_t tval);
/* Same, without checking tval. */
void check_trap_cause(const char *what, unsigned handler, uint64_t cause);
void check_no_trap(const char *what);

/* Called for interrupts before returning; must clear the source. NULL: the handler disables
 * the interrupt in mie/sie instead. */
extern void (*irq_hook)(unsigned handler, uint64_t cause);

struct trap_frame {
	uint64_t x[32];
};

/* Run fn(arg) in mode (PRV_U/PRV_S/PRV_M) on stack sp via mret; returns fn's return value. */
uint64_t enter_mode_sp(int mode, uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t sp);
/* Same, on the user-window stack for U and on a separate S-only stack for S and M (fits the
 * standard page tables). */
uint64_t enter_mode(int mode, uint64_t (*fn)(uint64_t), uint64_t arg);
/* H guests: hyp_setup() points vstvec/vsscratch at the VS handler (which records traps as
 * PRV_VS) and makes the HS handler note V; enter_v runs fn in VS (PRV_S) or VU (PRV_U). */
void hyp_setup(void);
uint64_t enter_v(int mode, uint64_t (*fn)(uint64_t), uint64_t arg);

/* Probes: one 4-byte instruction each; on a trap it is skipped (result 0, or 7 for sc).
 * uprobe_* are the same code in the user window, for U mode under paging. */
#define PROBE_DECLS(p)                                                                             \
	uint64_t p##probe_ld(uint64_t addr);                                                       \
	uint64_t p##probe_lw(uint64_t addr);                                                       \
	uint64_t p##probe_lb(uint64_t addr);                                                       \
	void p##probe_sd(uint64_t addr, uint64_t val);                                             \
	void p##probe_sw(uint64_t addr, uint64_t val);                                             \
	void p##probe_sb(uint64_t addr, uint64_t val);                                             \
	void p##probe_fetch(uint64_t addr); /* fetch fault: returns */                             \
	void p##probe_ecall(void);                                                                 \
	uint64_t p##probe_amoadd_d(uint64_t addr, uint64_t val);                                   \
	uint64_t p##probe_lr_d(uint64_t addr);                                                     \
	uint64_t p##probe_sc_d(uint64_t addr, uint64_t val);                                       \
	void p##ret_insn(void);	    /* a bare 'ret' */                                             \
	void p##lower_return(void); /* ecall ECALL_RETURN */
PROBE_DECLS()
/* One M-mode load/store with MPRV=1 and MPP=mpp (no other memory touched meanwhile). */
uint64_t mprv_ld(uint64_t addr, unsigned mpp);
void mprv_sd(uint64_t addr, uint64_t val, unsigned mpp);
PROBE_DECLS(u)

/* Page tables: 4 KiB tables from a static pool. */
#define PTE_V	  (1ul << 0)
#define PTE_R	  (1ul << 1)
#define PTE_W	  (1ul << 2)
#define PTE_X	  (1ul << 3)
#define PTE_U	  (1ul << 4)
#define PTE_G	  (1ul << 5)
#define PTE_A	  (1ul << 6)
#define PTE_D	  (1ul << 7)
#define SATP_SV39 (8ul << 60)
#define SATP_SV48 (9ul << 60)
uint64_t *pt_alloc(void);
/* Map va -> pa with a leaf at `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB) in a
 * table of `levels` levels (3 = Sv39, 4 = Sv48); returns the leaf PTE's address. */
uint64_t *pt_map(uint64_t *root, int levels, uint64_t va, uint64_t pa, int level, uint64_t flags);
/* Address of the PTE at `level` on the walk for va, or NULL if the walk stops earlier. */
uint64_t *pt_lookup(uint64_t *root, int levels, uint64_t va, int level);
/* Standard tables: DRAM 0x80000000..+2 MiB... identity, S-only RWX (2 MiB leaves), the user
 * window at 0x80200000 identity with U=1; returns the root. */
uint64_t *pt_standard(int levels);
void sfence_vma(void);

static inline uint64_t mtime(void)
{
	return *(volatile uint64_t *)CLINT_MTIME;
}

#endif
