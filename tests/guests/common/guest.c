/* guest — runtime for the bare-metal test guests; see guest.h. */
#include "guest.h"

int check_failures;
volatile struct trap_rec last_trap;
void (*irq_hook)(unsigned handler, uint64_t cause);

void back_to_m(uint64_t val) __attribute__((noreturn));
void m_trap(struct trap_frame *f);
void s_trap(struct trap_frame *f);
void vs_trap(struct trap_frame *f);
void vs_trap_entry(void);
int hyp_on;
void guest_exit(int code) __attribute__((noreturn));

void gputc(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[5] & 0x20))
		;
	uart[0] = (uint8_t)c;
}

void gputs(const char *s)
{
	while (*s)
		gputc(*s++);
}

static void put_uint(uint64_t v, unsigned base)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		gputc(buf[--n]);
}

void gprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			gputc(*fmt);
			continue;
		}
		fmt++;
		while (*fmt == 'l')
			fmt++;
		switch (*fmt) {
		case 's':
			gputs(va_arg(ap, const char *));
			break;
		case 'c':
			gputc((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = va_arg(ap, int64_t);
			if (v < 0) {
				gputc('-');
				v = -v;
			}
			put_uint((uint64_t)v, 10);
			break;
		}
		case 'u':
			put_uint(va_arg(ap, uint64_t), 10);
			break;
		case 'x':
			put_uint(va_arg(ap, uint64_t), 16);
			break;
		case '%':
			gputc('%');
			break;
		default:
			gputc('?');
			break;
		}
	}
	va_end(ap);
}

void guest_exit(int code)
{
	volatile uint32_t *fin = (volatile uint32_t *)FINISHER_BASE;
	*fin = code ? (0x3333u | ((uint32_t)code << 16)) : 0x5555u;
	for (;;)
		;
}

/* GUEST_IO_ONLY: just output and exit, for guests with a start of their own (the RV32 benchmark,
 * bench/guest/start32.S); the checks and traps below are RV64's */
#ifndef GUEST_IO_ONLY
void check(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		gprintf("%s: %s: ok\n", guest_name, what);
		return;
	}
	check_failures++;
	gprintf("%s: %s: FAIL got 0x%lx want 0x%lx\n", guest_name, what, got, want);
}

void trap_clear(void)
{
	last_trap.count = 0;
	last_trap.cause = 0;
	last_trap.tval = 0;
	last_trap.epc = 0;
	last_trap.handler = 0;
	last_trap.from = 0;
}

static void trap_check(const char *what, unsigned handler, uint64_t cause, uint64_t tval,
		       int use_tval)
{
	if (last_trap.count == 1 && last_trap.handler == handler && last_trap.cause == cause &&
	    (!use_tval || last_trap.tval == tval)) {
		gprintf("%s: %s: ok\n", guest_name, what);
		return;
	}
	check_failures++;
	gprintf(
	    "%s: %s: FAIL got %u traps, last by %c cause 0x%lx tval 0x%lx; want by %c cause 0x%lx",
	    guest_name, what, last_trap.count, "?S?M?V"[last_trap.handler % 6],
	    last_trap.cause, last_trap.tval, "?S?M?V"[handler % 6], cause);
	if (use_tval)
		gprintf(" tval 0x%lx", tval);
	gputc('\n');
}

void check_trap(const char *what, unsigned handler, uint64_t cause, uint64_t tval)
{
	trap_check(what, handler, cause, tval, 1);
}

void check_trap_cause(const char *what, unsigned handler, uint64_t cause)
{
	trap_check(what, handler, cause, 0, 0);
}

void check_no_trap(const char *what)
{
	if (last_trap.count == 0) {
		gprintf("%s: %s: ok\n", guest_name, what);
		return;
	}
	check_failures++;
	gprintf("%s: %s: FAIL unexpected trap cause 0x%lx tval 0x%lx epc 0x%lx by %c\n", guest_name,
		what, last_trap.cause, last_trap.tval, last_trap.epc,
		last_trap.handler == PRV_M ? 'M' : 'S');
}

/* Where to resume after an exception at epc: fetch faults return to the caller (the probe's
 * jalr set ra); everything else skips the instruction. */
static uint64_t resume_pc(uint64_t cause, uint64_t epc, const struct trap_frame *f)
{
	if (cause == CAUSE_FETCH_ACCESS || cause == CAUSE_FETCH_PAGE ||
	    cause == CAUSE_MISALIGNED_FETCH || cause == CAUSE_FETCH_GUEST_PAGE)
		return f->x[1];
	uint16_t lo = *(volatile uint16_t *)epc;
	return epc + ((lo & 3) == 3 ? 4 : 2);
}

static void record(uint64_t cause, uint64_t tval, uint64_t epc, unsigned handler, unsigned from)
{
	last_trap.count++;
	last_trap.cause = cause;
	last_trap.tval = tval;
	last_trap.epc = epc;
	last_trap.handler = handler;
	last_trap.from = from;
	last_trap.tval2 = 0;
	last_trap.gva = 0;
}

void m_trap(struct trap_frame *f)
{
	uint64_t cause = csr_read(mcause);
	uint64_t epc = csr_read(mepc);
	unsigned from = (unsigned)(csr_read(mstatus) >> 11) & 3;
	if (csr_read(mstatus) & MSTATUS_MPV)
		from |= 4;
	if ((cause == CAUSE_ECALL_U || cause == CAUSE_ECALL_S || cause == CAUSE_ECALL_M ||
	     cause == CAUSE_ECALL_VS) &&
	    f->x[17] == ECALL_RETURN)
		back_to_m(f->x[10]);
	record(cause, csr_read(mtval), epc, PRV_M, from);
	if (hyp_on) {
		last_trap.tval2 = csr_read(0x34b); /* mtval2 */
		last_trap.gva = (csr_read(mstatus) & MSTATUS_GVA) != 0;
	}
	if (cause & CAUSE_IRQ) {
		if (irq_hook)
			irq_hook(PRV_M, cause);
		else
			csr_clear(mie, 1ul << (cause & 63));
		return;
	}
	/* Read the trapping instruction with M's own (physical) view: clear MPRV. */
	uint64_t mprv = csr_read(mstatus) & MSTATUS_MPRV;
	csr_clear(mstatus, MSTATUS_MPRV);
	csr_write(mepc, resume_pc(cause, epc, f));
	csr_set(mstatus, mprv);
}

void s_trap(struct trap_frame *f)
{
	uint64_t cause = csr_read(scause);
	uint64_t epc = csr_read(sepc);
	unsigned from = (unsigned)(csr_read(sstatus) >> 8) & 1;
	if (hyp_on && (csr_read(0x600) & HSTATUS_SPV))
		from |= 4;
	if ((cause == CAUSE_ECALL_U || cause == CAUSE_ECALL_VS) && f->x[17] == ECALL_RETURN) {
		register uint64_t a0 __asm__("a0") = f->x[10];
		register uint64_t a7 __asm__("a7") = ECALL_RETURN;
		__asm__ volatile("ecall" ::"r"(a0), "r"(a7));
	}
	record(cause, csr_read(stval), epc, PRV_S, from);
	if (hyp_on) {
		last_trap.tval2 = csr_read(0x643); /* htval */
		last_trap.gva = (csr_read(0x600) & HSTATUS_GVA) != 0;
	}
	if (cause & CAUSE_IRQ) {
		if (irq_hook)
			irq_hook(PRV_S, cause);
		else
			csr_clear(sie, 1ul << (cause & 63));
		return;
	}
	/* The instruction may sit on a U page: read it with SUM set. */
	uint64_t sum = csr_read(sstatus) & MSTATUS_SUM;
	csr_set(sstatus, MSTATUS_SUM);
	csr_write(sepc, resume_pc(cause, epc, f));
	if (!sum)
		csr_clear(sstatus, MSTATUS_SUM);
}

/* The VS handler (vstvec, entered at V=1 with the vs* registers as s*). */
void vs_trap(struct trap_frame *f)
{
	uint64_t cause = csr_read(scause);
	uint64_t epc = csr_read(sepc);
	unsigned from = 4 | ((unsigned)(csr_read(sstatus) >> 8) & 1);
	if (cause == CAUSE_ECALL_U && f->x[17] == ECALL_RETURN) {
		register uint64_t a0 __asm__("a0") = f->x[10];
		register uint64_t a7 __asm__("a7") = ECALL_RETURN;
		__asm__ volatile("ecall" ::"r"(a0), "r"(a7));
	}
	record(cause, csr_read(stval), epc, PRV_VS, from);
	if (cause & CAUSE_IRQ) {
		if (irq_hook)
			irq_hook(PRV_VS, cause);
		else
			csr_clear(sie, 1ul << (cause & 63));
		return;
	}
	csr_write(sepc, resume_pc(cause, epc, f));
}

static uint8_t vs_stack[4096] __attribute__((aligned(16)));

void hyp_setup(void)
{
	hyp_on = 1;
	csr_write(0x205, (uint64_t)vs_trap_entry);	 /* vstvec */
	csr_write(0x240, (uint64_t)(vs_stack + sizeof vs_stack)); /* vsscratch */
}

uint64_t enter_v(int mode, uint64_t (*fn)(uint64_t), uint64_t arg)
{
	uint64_t r;

	csr_set(mstatus, MSTATUS_MPV);
	r = enter_mode(mode, fn, arg);
	csr_clear(mstatus, MSTATUS_MPV);
	return r;
}

uint64_t enter_mode(int mode, uint64_t (*fn)(uint64_t), uint64_t arg)
{
	uint64_t sp = mode == PRV_U ? (uint64_t)__user_stack_top : (uint64_t)__sstack_top;
	return enter_mode_sp(mode, fn, arg, sp);
}

static uint64_t pt_pool[96][512] __attribute__((aligned(4096)));
static unsigned pt_used;

uint64_t *pt_alloc(void)
{
	if (pt_used == sizeof pt_pool / sizeof pt_pool[0]) {
		gprintf("%s: page-table pool exhausted\n", guest_name);
		guest_exit(3);
	}
	uint64_t *t = pt_pool[pt_used++];
	for (int i = 0; i < 512; i++)
		t[i] = 0;
	return t;
}

static unsigned vpn(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * level)) & 511;
}

uint64_t *pt_map(uint64_t *root, int levels, uint64_t va, uint64_t pa, int level, uint64_t flags)
{
	uint64_t *t = root;
	for (int l = levels - 1; l > level; l--) {
		uint64_t *e = &t[vpn(va, l)];
		if (!(*e & PTE_V) || (*e & (PTE_R | PTE_W | PTE_X)))
			*e = (((uint64_t)pt_alloc() >> 12) << 10) | PTE_V;
		t = (uint64_t *)((*e >> 10) << 12);
	}
	uint64_t *leaf = &t[vpn(va, level)];
	*leaf = ((pa >> 12) << 10) | flags;
	return leaf;
}

uint64_t *pt_lookup(uint64_t *root, int levels, uint64_t va, int level)
{
	uint64_t *t = root;
	for (int l = levels - 1; l > level; l--) {
		uint64_t e = t[vpn(va, l)];
		if (!(e & PTE_V) || (e & (PTE_R | PTE_W | PTE_X)))
			return 0;
		t = (uint64_t *)((e >> 10) << 12);
	}
	return &t[vpn(va, level)];
}

uint64_t *pt_standard(int levels)
{
	uint64_t *root = pt_alloc();
	uint64_t s = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
	pt_map(root, levels, 0x80000000ul, 0x80000000ul, 1, s);
	pt_map(root, levels, 0x80200000ul, 0x80200000ul, 1, s | PTE_U);
	pt_map(root, levels, UART_BASE, UART_BASE, 1, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	return root;
}

void sfence_vma(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}
#endif /* GUEST_IO_ONLY */
