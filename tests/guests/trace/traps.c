/* traps — an ecall whose M handler calls a function that traps again (illegal instruction,
 * nested with mepc/mstatus saved), a timer interrupt taken at the bottom of an 11-deep call
 * chain, and an illegal instruction in S mode delegated to an S handler. Own trap vectors
 * (not the runtime's): each pushes a frame on the current stack, so traps can nest. */
#include "guest.h"

const char guest_name[] = "traps";
void guest_exit(int code) __attribute__((noreturn));
void m_handler(void);
void s_handler(void);

#define SAVE_REGS                                                                                  \
	"addi sp, sp, -256\n"                                                                      \
	".irp r,1,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"   \
	"sd x\\r, (\\r * 8)(sp)\n"                                                                 \
	".endr\n"
#define RESTORE_REGS                                                                               \
	".irp r,1,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"   \
	"ld x\\r, (\\r * 8)(sp)\n"                                                                 \
	".endr\n"                                                                                  \
	"addi sp, sp, 256\n"
__asm__(".text\n"
	".align 4\n"
	".globl m_vector\n"
	"m_vector:\n" SAVE_REGS "call m_handler\n" RESTORE_REGS "mret\n"
	".align 4\n"
	".globl s_vector\n"
	"s_vector:\n" SAVE_REGS "call s_handler\n" RESTORE_REGS "sret\n");
extern char m_vector[], s_vector[];

static volatile int nested_illegal, timer_hits, timer_depth, depth, s_illegal;

/* csrw cycle is illegal (read-only CSR); 4 bytes, so handlers skip by 4. */
__attribute__((noipa)) void illegal_insn(void)
{
	__asm__ volatile(".4byte 0xc0001073");
}

/* Called from the ecall handler: its illegal instruction traps again, into m_handler. */
__attribute__((noipa)) void handle_ecall(void)
{
	illegal_insn();
}

__attribute__((noipa)) void finish(void)
{
	gprintf("traps: ecall handler took %d nested illegal instruction trap\n",
		(int64_t)nested_illegal);
	gprintf("traps: timer interrupt %d taken at call depth %d\n", (int64_t)timer_hits,
		(int64_t)timer_depth);
	gprintf("traps: S handler took %d illegal instruction trap; S ecall ends the run\n",
		(int64_t)s_illegal);
	guest_exit(
	    !(nested_illegal == 1 && timer_hits == 1 && timer_depth == 11 && s_illegal == 1));
}

void m_handler(void)
{
	uint64_t cause = csr_read(mcause), epc = csr_read(mepc);
	if (cause == (CAUSE_IRQ | IRQ_M_TIMER)) {
		*(volatile uint64_t *)CLINT_MTIMECMP = ~0ull;
		timer_hits++;
		timer_depth = depth;
		return;
	}
	if (cause == CAUSE_ILLEGAL) {
		nested_illegal++;
		csr_write(mepc, epc + 4);
		return;
	}
	if (cause == CAUSE_ECALL_M) {
		/* The nested trap overwrites mepc and mstatus.MPP/MPIE. */
		uint64_t status = csr_read(mstatus);
		handle_ecall();
		csr_write(mstatus, status);
		csr_write(mepc, epc + 4);
		return;
	}
	if (cause == CAUSE_ECALL_S)
		finish();
	gprintf("traps: unexpected M trap cause 0x%x epc 0x%x\n", cause, epc);
	guest_exit(1);
}

void s_handler(void)
{
	uint64_t cause = csr_read(scause), epc = csr_read(sepc);
	if (cause == CAUSE_ILLEGAL) {
		s_illegal++;
		csr_write(sepc, epc + 4);
		return;
	}
	gprintf("traps: unexpected S trap cause 0x%x epc 0x%x\n", cause, epc);
	guest_exit(1);
}

/* Arms the timer and spins until the interrupt has been taken. */
__attribute__((noipa)) void wait_timer(void)
{
	*(volatile uint64_t *)CLINT_MTIMECMP = mtime() + 100;
	csr_set(mie, 1ul << IRQ_M_TIMER);
	csr_set(mstatus, MSTATUS_MIE);
	while (!timer_hits)
		;
	csr_clear(mstatus, MSTATUS_MIE);
	csr_clear(mie, 1ul << IRQ_M_TIMER);
}

/* deep(10) .. deep(0): 11 frames, then wait_timer. */
__attribute__((noipa)) void deep(int n)
{
	depth++;
	if (n == 0)
		wait_timer();
	else
		deep(n - 1);
	depth--;
}

__attribute__((noipa)) void s_main(void)
{
	illegal_insn();
	__asm__ volatile("li a7, 0\n ecall" ::: "a7", "memory");
	for (;;)
		;
}

int main(void)
{
	csr_write(mtvec, (uint64_t)m_vector);
	csr_write(stvec, (uint64_t)s_vector);
	__asm__ volatile("ecall" ::: "memory");
	deep(10);
	csr_write(medeleg, 1ul << CAUSE_ILLEGAL);
	csr_clear(mstatus, MSTATUS_MPP);
	csr_set(mstatus, (uint64_t)PRV_S << 11);
	csr_write(mepc, (uint64_t)s_main);
	__asm__ volatile("mret");
	return 1;
}
