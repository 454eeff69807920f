/* analysis — call stacks, trap frames, SBI/syscall matching and instruction counts (see .h). */
#include "views/analysis.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_RET_ADDR   UINT64_MAX
#define MAX_RUN_INSNS (1u << 24) /* a longer gap between events is corruption, not a run */
#define NAME_CACHE    4096
#define SATP_SPACE    ((UINT64_C(1) << 60) - 1) /* ASID and root PPN, without MODE */

struct pending {
	bool on;
	uint64_t id, fid;
	const char *name;
};

struct stack {
	uint8_t hart, priv;
	uint32_t space;
	uint64_t satp, hgatp;
	struct ana_frame *f;
	unsigned n, cap;
	uint64_t away;	  /* instructions the hart spent on other stacks */
	uint64_t left_at; /* hart boundary when this stack was left */
	bool used;
	bool keyed;	     /* U, VU, VS: address space known (a stack entered before any trap/xRET
			      * is not) */
	struct pending call; /* SBI call (S stack) or syscall (U stack) awaiting its return */
};

struct ana_hart {
	struct stack *m, *s;
	struct stack **u; /* U, VU, VS: one per (level, guest, address space) */
	unsigned nu;
	struct stack *cur;   /* the stack the hart is running on */
	struct stack *cur_u; /* the U stack an event in U mode belongs to */
	struct stack *cur_vs, *cur_vu; /* the same for a hypervisor's guest (H extension) */
	uint64_t last_time, last_instret;
	bool run_on; /* a RUN is being rebuilt */
	uint8_t run_priv;
	uint64_t run_pc, run_next;
	uint64_t run_dt; /* time - instret at the RUN: instructions between events get times */
};

struct name_slot {
	uint64_t addr;
	unsigned priv;
	const char *name;
};

struct ana {
	const struct ana_names_ops *names;
	void *ctx;
	bool insns;
	ana_emit_fn emit;
	void *arg;
	struct ana_hart *harts[TEV_MAX_HARTS];
	char **strs; /* interned strings: open addressing */
	size_t nstrs, capstrs;
	struct name_slot cache[NAME_CACHE];
	struct ana_stats st;
	char mark[4097];
};

static const char *const exc_names[24] = {"insn_misaligned",
					  "insn_access_fault",
					  "illegal_insn",
					  "breakpoint",
					  "load_misaligned",
					  "load_access_fault",
					  "store_misaligned",
					  "store_access_fault",
					  "ecall_u",
					  "ecall_s",
					  "ecall_vs", /* H: a hypercall (SBI call of a guest) */
					  "ecall_m",
					  "insn_page_fault",
					  "load_page_fault",
					  NULL,
					  "store_page_fault",
					  NULL,
					  NULL,
					  NULL,
					  NULL,
					  "insn_guest_page_fault",
					  "load_guest_page_fault",
					  "virtual_insn",
					  "store_guest_page_fault"};
static const char *const irq_names[13] = {NULL,	     "s_soft",	"vs_soft", "m_soft", NULL,
					  "s_timer", "vs_timer", "m_timer", NULL,     "s_ext",
					  "vs_ext",  "m_ext",	"s_guest_ext"};

const char *ana_cause_name(uint64_t cause, char *buf, size_t n)
{
	bool irq = cause >> 63;
	uint64_t code = cause & ~(UINT64_C(1) << 63);
	const char *s = NULL;
	if (irq && code < 13)
		s = irq_names[code];
	else if (!irq && code < 24)
		s = exc_names[code];
	if (s)
		return s;
	snprintf(buf, n, "%s_%" PRIu64, irq ? "irq" : "exc", code);
	return buf;
}

char ana_priv_char(unsigned priv)
{
	return priv == 0 ? 'U' : priv == 1 ? 'S' : priv == 3 ? 'M' : '?';
}

const char *ana_level_name(unsigned level)
{
	static const char *const names[TEV_NLEVELS] = {"U", "S", "?", "M", "VU", "VS"};

	return level < TEV_NLEVELS ? names[level] : "?";
}

const char *ana_track_name(unsigned hart, unsigned level, uint32_t space, uint64_t satp,
			   uint64_t hgatp, char sep, char *buf, size_t n)
{
	unsigned vmid = (unsigned)(hgatp >> 44) & 0x3fff;

	if (level == TEV_U && space)
		snprintf(buf, n, "hart%u%cU satp=0x%" PRIx64, hart, sep, satp);
	else if (level == TEV_VS)
		snprintf(buf, n, "hart%u%cVS vmid=%u%s", hart, sep, vmid, space ? " #" : "");
	else if (level == TEV_VU)
		snprintf(buf, n, "hart%u%cVU vmid=%u satp=0x%" PRIx64, hart, sep, vmid, satp);
	else
		snprintf(buf, n, "hart%u%c%s", hart, sep, ana_level_name(level));
	if (level == TEV_VS && space) /* guests with one VMID, told apart by their G-stage root */
		snprintf(buf + strlen(buf), n - strlen(buf), "%u", space);
	return buf;
}

bool ana_guest_exit(const struct tev *ev)
{
	return ev->type == TEV_TRAP && tev_level_virt(ev->priv) && !tev_level_virt(ev->new_priv);
}

uint64_t ana_guest_paddr(const struct tev *ev)
{
	uint64_t code = ev->cause & ~(UINT64_C(1) << 63);

	/* htval/mtval2 hold the guest physical address >> 2; the page offset's low bits are the
	 * guest virtual address's (tval) */
	if (ev->type != TEV_TRAP || ev->cause >> 63 || (code != 20 && code != 21 && code != 23))
		return UINT64_MAX;
	return ev->tval2 << 2 | (ev->tval & 3);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211u;
	return h;
}

/* The one copy of s, so views can compare and hash names by pointer. NULL if out of memory. */
static const char *intern(struct ana *a, const char *s)
{
	if (2 * (a->nstrs + 1) > a->capstrs) {
		size_t cap = a->capstrs ? 2 * a->capstrs : 256;
		char **t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (size_t i = 0; i < a->capstrs; i++) {
			if (!a->strs[i])
				continue;
			size_t j = hash_str(a->strs[i]) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = a->strs[i];
		}
		free(a->strs);
		a->strs = t;
		a->capstrs = cap;
	}
	size_t j = hash_str(s) & (a->capstrs - 1);
	for (; a->strs[j]; j = (j + 1) & (a->capstrs - 1))
		if (!strcmp(a->strs[j], s))
			return a->strs[j];
	if (!(a->strs[j] = strdup(s)))
		return NULL;
	a->nstrs++;
	return a->strs[j];
}

static const char *func_name(struct ana *a, unsigned priv, uint64_t addr)
{
	struct name_slot *c = &a->cache[(addr >> 1 ^ addr >> 13 ^ priv) & (NAME_CACHE - 1)];
	if (c->name && c->addr == addr && c->priv == priv)
		return c->name;
	const char *s = a->names && a->names->func ? a->names->func(a->ctx, priv, addr) : NULL;
	char buf[24];
	if (!s) {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, addr);
		s = buf;
	}
	if (!(s = intern(a, s)))
		return NULL;
	*c = (struct name_slot){addr, priv, s};
	return s;
}

struct ana *ana_new(const struct ana_names_ops *names, void *ctx, bool insns, ana_emit_fn emit,
		    void *arg)
{
	struct ana *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->names = names;
	a->ctx = ctx;
	a->insns = insns;
	a->emit = emit;
	a->arg = arg;
	return a;
}

static void stack_free(struct stack *s)
{
	if (s) {
		free(s->f);
		free(s);
	}
}

void ana_free(struct ana *a)
{
	if (!a)
		return;
	for (unsigned i = 0; i < TEV_MAX_HARTS; i++) {
		struct ana_hart *h = a->harts[i];
		if (!h)
			continue;
		stack_free(h->m);
		stack_free(h->s);
		for (unsigned j = 0; j < h->nu; j++)
			stack_free(h->u[j]);
		free(h->u);
		free(h);
	}
	for (size_t i = 0; i < a->capstrs; i++)
		free(a->strs[i]);
	free(a->strs);
	free(a);
}

const struct ana_stats *ana_stats(const struct ana *a)
{
	return &a->st;
}

static struct stack *stack_new(unsigned hart, unsigned priv, uint64_t satp, uint64_t hgatp,
			       uint32_t space)
{
	struct stack *s = calloc(1, sizeof(*s));
	if (s) {
		s->hart = hart;
		s->priv = priv;
		s->satp = satp;
		s->hgatp = hgatp;
		s->space = space;
	}
	return s;
}

static struct ana_hart *get_hart(struct ana *a, unsigned id)
{
	if (!a->harts[id]) {
		struct ana_hart *h = calloc(1, sizeof(*h));
		if (!h)
			return NULL;
		h->m = stack_new(id, 3, 0, 0, 0);
		h->s = stack_new(id, 1, 0, 0, 0);
		if (!h->m || !h->s) {
			stack_free(h->m);
			stack_free(h->s);
			free(h);
			return NULL;
		}
		a->harts[id] = h;
	}
	return a->harts[id];
}

/* The stack of level priv (U, VU or VS) in address space satp of the guest behind hgatp (U:
 * 0; VS: satp 0, the guest kernel's stack follows it through its processes as S's does). */
static struct stack *keyed_stack(struct ana_hart *h, unsigned id, unsigned priv, uint64_t satp,
				 uint64_t hgatp)
{
	uint32_t space = 0;

	satp = priv == TEV_VS ? 0 : satp & SATP_SPACE;
	hgatp = priv == TEV_U ? 0 : hgatp & SATP_SPACE;
	for (unsigned i = 0; i < h->nu; i++) {
		if (h->u[i]->priv != priv)
			continue;
		if (h->u[i]->satp == satp && h->u[i]->hgatp == hgatp)
			return h->u[i];
		space++;
	}
	struct stack **t = realloc(h->u, (h->nu + 1) * sizeof(*t));
	if (!t)
		return NULL;
	h->u = t;
	if (!(t[h->nu] = stack_new(id, priv, satp, hgatp, space)))
		return NULL;
	t[h->nu]->keyed = true;
	return t[h->nu++];
}

/* The current stack pointer of a keyed level (U, VU, VS). */
static struct stack **cur_of(struct ana_hart *h, unsigned priv)
{
	return priv == TEV_VS ? &h->cur_vs : priv == TEV_VU ? &h->cur_vu : &h->cur_u;
}

/* The stack events at priv belong to (U, VU, VS: the address space the hart last entered). */
static struct stack *stack_of(struct ana_hart *h, unsigned id, unsigned priv)
{
	if (priv == 3 || priv == 2 || priv >= TEV_NLEVELS)
		return h->m;
	if (priv == 1)
		return h->s;
	struct stack **cur = cur_of(h, priv);
	if (!*cur && (*cur = keyed_stack(h, id, priv, 0, 0)))
		(*cur)->keyed = false;
	return *cur;
}

/* Events at a keyed level (from a trap's or an xRET's lower side) enter the stack of their
 * address space; a stack used before any was known (the trace began there) takes this key. */
static int enter_space(struct ana_hart *h, unsigned id, unsigned priv, uint64_t satp,
		       uint64_t hgatp, bool adopt)
{
	struct stack **cur = cur_of(h, priv);

	if (priv != TEV_U && !tev_level_virt(priv))
		return 0;
	if (adopt && *cur && !(*cur)->keyed && (*cur)->n) {
		(*cur)->satp = priv == TEV_VS ? 0 : satp & SATP_SPACE;
		(*cur)->hgatp = priv == TEV_U ? 0 : hgatp & SATP_SPACE;
		(*cur)->keyed = true;
	}
	struct stack *s = keyed_stack(h, id, priv, satp, hgatp);
	if (!s)
		return -ENOMEM;
	*cur = s;
	/* a guest's user level runs under its kernel: the kernel's stack is that guest's */
	if (priv == TEV_VU)
		return enter_space(h, id, TEV_VS, 0, hgatp, adopt);
	return 0;
}

/* Make s the hart's current stack at hart boundary b (instructions retired so far). */
static void switch_to(struct ana_hart *h, struct stack *s, uint64_t b)
{
	if (h->cur == s)
		return;
	if (h->cur)
		h->cur->left_at = b;
	if (s->used)
		s->away += b - s->left_at;
	else
		s->away = b; /* first use: the clock starts at 0 */
	s->used = true;
	h->cur = s;
}

static uint64_t clock_at(const struct stack *s, uint64_t b)
{
	return b - s->away;
}

static void ev_init(struct ana_ev *e, unsigned kind, const struct stack *s, const struct tev *ev,
		    uint64_t time)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->hart = s->hart;
	e->priv = s->priv;
	e->space = s->space;
	e->satp = s->satp;
	e->hgatp = s->hgatp;
	e->time = time;
	e->depth = s->n;
	e->stack = s->f;
	e->ev = ev;
}

static int push(struct ana *a, struct stack *s, const struct ana_frame *fr, const struct tev *ev,
		uint64_t time)
{
	if (s->n == s->cap) {
		unsigned cap = s->cap ? 2 * s->cap : 16;
		struct ana_frame *f = realloc(s->f, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		s->f = f;
		s->cap = cap;
	}
	struct ana_frame *f = &s->f[s->n];
	*f = *fr;
	f->recursive = false;
	for (unsigned i = 0; i < s->n && fr->kind == ANA_FRAME_FUNC; i++)
		if (s->f[i].name == fr->name) {
			f->recursive = true;
			break;
		}
	s->n++;
	if (s->n > a->st.max_depth)
		a->st.max_depth = s->n;
	struct ana_ev e;
	ev_init(&e, ANA_ENTER, s, ev, time);
	e.name = f->name;
	return a->emit(a->arg, &e);
}

/* Pop the top frame at hart boundary b. */
static int pop(struct ana *a, struct stack *s, uint64_t b, const struct tev *ev, uint64_t time,
	       bool at_end)
{
	struct ana_frame *f = &s->f[s->n - 1];
	uint64_t now = clock_at(s, b);
	uint64_t total = now >= f->start ? now - f->start : 0;
	struct ana_ev e;
	ev_init(&e, ANA_EXIT, s, ev, time);
	e.name = f->name;
	e.total_insns = total;
	e.self_insns = total >= f->child ? total - f->child : 0;
	e.at_end = at_end;
	int rc = a->emit(a->arg, &e);
	s->n--;
	if (s->n)
		s->f[s->n - 1].child += total;
	return rc;
}

static int pop_n(struct ana *a, struct stack *s, unsigned k, uint64_t b, const struct tev *ev)
{
	int rc = 0;
	while (k-- && !rc)
		rc = pop(a, s, b, ev, ev->time, false);
	return rc;
}

static int emit_insn(struct ana *a, struct ana_hart *h, unsigned id, uint64_t pc)
{
	struct stack *s = stack_of(h, id, h->run_priv);
	if (!s)
		return -ENOMEM;
	struct ana_ev e;
	ev_init(&e, ANA_INSN, s, NULL, h->run_next + h->run_dt);
	e.pc = pc;
	uint32_t raw;
	if (a->names && a->names->code && !a->names->code(a->ctx, id, pc, &raw)) {
		e.raw = raw;
		e.len = (raw & 3) == 3 ? 4 : 2;
	}
	h->run_pc = pc + (e.len ? e.len : 4);
	h->run_next++;
	if (!e.len)
		h->run_on = false; /* cannot follow a run without its code */
	return a->emit(a->arg, &e);
}

/* Emit the run's instructions up to (not including) instret upto. */
static int flush_run(struct ana *a, struct ana_hart *h, unsigned id, uint64_t upto)
{
	if (!h->run_on)
		return 0;
	if (upto < h->run_next || upto - h->run_next > MAX_RUN_INSNS) {
		h->run_on = false;
		return 0;
	}
	int rc = 0;
	while (!rc && h->run_on && h->run_next < upto)
		rc = emit_insn(a, h, id, h->run_pc);
	return rc;
}

/* The run's last instruction is the event's own (a jump, call, return, load...). */
static int run_event_insn(struct ana *a, struct ana_hart *h, unsigned id, const struct tev *ev,
			  bool ends)
{
	int rc = flush_run(a, h, id, ev->instret);
	if (!rc && h->run_on && h->run_next == ev->instret)
		rc = emit_insn(a, h, id, ev->pc);
	if (ends)
		h->run_on = false;
	return rc;
}

static int on_call(struct ana *a, struct stack *s, const struct tev *ev)
{
	uint64_t b = ev->instret + 1;
	const char *name = func_name(a, ev->priv, ev->addr);
	if (!name)
		return -ENOMEM;
	if (ev->type == TEV_TAIL) {
		uint64_t ret_pc = NO_RET_ADDR;
		if (s->n && s->f[s->n - 1].kind == ANA_FRAME_FUNC) {
			ret_pc = s->f[s->n - 1].call_pc;
			int rc = pop(a, s, b, ev, ev->time, false);
			if (rc)
				return rc;
		}
		struct ana_frame fr = {.name = name,
				       .addr = ev->addr,
				       .sp = ev->sp,
				       .call_pc = ret_pc,
				       .start = clock_at(s, b)};
		return push(a, s, &fr, ev, ev->time);
	}
	struct ana_frame fr = {.name = name,
			       .addr = ev->addr,
			       .sp = ev->sp,
			       .call_pc = ev->pc,
			       .start = clock_at(s, b)};
	return push(a, s, &fr, ev, ev->time);
}

static bool returns_to(const struct ana_frame *f, uint64_t target)
{
	/* RISC-V: the call's pc + its length; native x86-64 traces (eBPF back-end) record the
	 * return address itself as the call's pc, x86 call lengths being variable */
	return f->kind == ANA_FRAME_FUNC && f->call_pc != NO_RET_ADDR &&
	       (target == f->call_pc + 4 || target == f->call_pc + 2 || target == f->call_pc);
}

static int on_ret(struct ana *a, struct stack *s, const struct tev *ev)
{
	uint64_t b = ev->instret + 1;
	if (!s->n || s->f[s->n - 1].kind == ANA_FRAME_TRAP) {
		a->st.unmatched_rets++;
		return 0;
	}
	if (returns_to(&s->f[s->n - 1], ev->addr))
		return pop(a, s, b, ev, ev->time, false);
	/* Not the top: a return address deeper down (frames whose RET went unseen)... */
	for (unsigned i = s->n - 1; i-- > 0 && s->f[i].kind == ANA_FRAME_FUNC;)
		if (returns_to(&s->f[i], ev->addr)) {
			a->st.resyncs++;
			return pop_n(a, s, s->n - i, b, ev);
		}
	/* ...or longjmp / a stack switch: drop the frames at or below the returning sp (stacks
	 * grow down), never crossing a trap frame. */
	unsigned k = 0;
	while (k < s->n && s->f[s->n - 1 - k].kind == ANA_FRAME_FUNC &&
	       s->f[s->n - 1 - k].sp <= ev->sp)
		k++;
	if (!k) {
		a->st.unmatched_rets++;
		return 0;
	}
	a->st.resyncs++;
	return pop_n(a, s, k, b, ev);
}

static void fmt_args(char *buf, size_t n, const char *name, const uint64_t a[6])
{
	snprintf(buf, n,
		 "%s(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
		 ", 0x%" PRIx64 ")",
		 name, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int begin_call(struct ana *a, struct stack *caller, const struct tev *ev, bool sbi)
{
	const struct ana_names_ops *nm = a->names;
	char buf[512], nbuf[48];
	struct ana_ev e;
	ev_init(&e, sbi ? ANA_SBI_BEGIN : ANA_SYS_BEGIN, caller, ev, ev->time);
	e.id = ev->a[7];
	e.fid = sbi ? ev->a[6] : 0;
	memcpy(e.args, ev->a, sizeof(e.args));
	const char *name = sbi ? (nm && nm->sbi_name ? nm->sbi_name(e.id, e.fid) : NULL)
			       : (nm && nm->sys_name ? nm->sys_name(e.id) : NULL);
	if (!name) {
		if (sbi)
			snprintf(nbuf, sizeof(nbuf), "sbi_0x%" PRIx64 "_%" PRIu64, e.id, e.fid);
		else
			snprintf(nbuf, sizeof(nbuf), "syscall_%" PRIu64, e.id);
		name = nbuf;
	}
	if (!(e.name = intern(a, name)))
		return -ENOMEM;
	if (sbi && nm && nm->sbi_call)
		nm->sbi_call(e.id, e.fid, e.args, buf, sizeof(buf));
	else if (!sbi && nm && nm->sys_call)
		nm->sys_call(e.id, e.args, buf, sizeof(buf));
	else
		fmt_args(buf, sizeof(buf), e.name, e.args);
	e.text = buf;
	caller->call = (struct pending){true, e.id, e.fid, e.name};
	return a->emit(a->arg, &e);
}

static int end_call(struct ana *a, struct stack *caller, const struct tev *ev, uint64_t time)
{
	const struct ana_names_ops *nm = a->names;
	bool sbi = caller->priv == TEV_S || caller->priv == TEV_VS;
	struct pending *p = &caller->call;
	char buf[256];
	struct ana_ev e;
	ev_init(&e, sbi ? ANA_SBI_END : ANA_SYS_END, caller, ev, time);
	e.id = p->id;
	e.fid = p->fid;
	e.name = p->name;
	e.at_end = !ev;
	p->on = false;
	if (ev) {
		e.ret[0] = ev->a[0];
		e.ret[1] = sbi ? ev->a[1] : 0;
		if (sbi && nm && nm->sbi_ret)
			nm->sbi_ret(e.id, e.fid, e.ret[0], e.ret[1], buf, sizeof(buf));
		else if (!sbi && nm && nm->sys_ret)
			nm->sys_ret(e.id, e.ret[0], buf, sizeof(buf));
		else if (sbi)
			snprintf(buf, sizeof(buf), "0x%" PRIx64 ", 0x%" PRIx64, e.ret[0], e.ret[1]);
		else
			snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)e.ret[0]);
		e.text = buf;
	}
	return a->emit(a->arg, &e);
}

static int on_trap(struct ana *a, struct ana_hart *h, unsigned id, struct stack *from,
		   const struct tev *ev)
{
	char buf[32], fname[48];
	char gpa[48];
	struct ana_ev e;
	ev_init(&e, ANA_TRAP, from, ev, ev->time);
	const char *cause = ana_cause_name(ev->cause, buf, sizeof(buf));
	if (!(e.name = intern(a, cause)))
		return -ENOMEM;
	if (ana_guest_paddr(ev) != UINT64_MAX) {
		snprintf(gpa, sizeof(gpa), "gpa=0x%" PRIx64, ana_guest_paddr(ev));
		e.text = gpa;
	}
	int rc = a->emit(a->arg, &e);
	if (rc)
		return rc;
	bool irq = ev->cause >> 63;
	uint64_t code = ev->cause & ~(UINT64_C(1) << 63);
	unsigned p = ev->priv, np = ev->new_priv;
	/* SBI calls: from S to the firmware; from a guest kernel (VS) to the hypervisor that
	 * handles it (HS) or the firmware (M). Syscalls: U to S, and a guest's VU to VS. */
	bool sbi = (code == 9 && p == TEV_S && np == TEV_M) ||
		   (code == 10 && p == TEV_VS && (np == TEV_S || np == TEV_M));
	bool sys = code == 8 && ((p == TEV_U && np == TEV_S) || (p == TEV_VU && np == TEV_VS));
	if (!irq && (sbi || sys))
		rc = begin_call(a, from, ev, sbi);
	if (rc)
		return rc;
	struct stack *to = stack_of(h, id, ev->new_priv);
	if (!to)
		return -ENOMEM;
	switch_to(h, to, ev->instret);
	snprintf(fname, sizeof(fname), "%s:%s", irq ? "irq" : "trap", cause);
	struct ana_frame fr = {.kind = ANA_FRAME_TRAP,
			       .addr = ev->addr,
			       .call_pc = NO_RET_ADDR,
			       .sp = UINT64_MAX,
			       .start = clock_at(to, ev->instret)};
	if (!(fr.name = intern(a, fname)))
		return -ENOMEM;
	return push(a, to, &fr, ev, ev->time);
}

static int on_xret(struct ana *a, struct ana_hart *h, unsigned id, struct stack *s,
		   const struct tev *ev)
{
	uint64_t b = ev->instret + 1;
	unsigned k = 0;
	while (k < s->n && s->f[s->n - 1 - k].kind != ANA_FRAME_TRAP)
		k++;
	int rc = 0;
	if (k == s->n)
		a->st.unmatched_xrets++; /* e.g. firmware's first mret: its stack stays */
	else
		rc = pop_n(a, s, k + 1, b, ev);
	if (rc)
		return rc;
	if ((rc = enter_space(h, id, ev->new_priv, ev->satp, ev->hgatp, false)))
		return rc;
	struct stack *to = stack_of(h, id, ev->new_priv);
	if (!to)
		return -ENOMEM;
	switch_to(h, to, b);
	unsigned p = ev->priv, np = ev->new_priv;
	bool back = (p == TEV_M && (np == TEV_S || np == TEV_VS)) ||
		    (p == TEV_S && (np == TEV_U || np == TEV_VS)) || (p == TEV_VS && np == TEV_VU);
	if (back && to->call.on)
		rc = end_call(a, to, ev, ev->time);
	return rc;
}

int ana_feed(struct ana *a, const struct tev *ev)
{
	struct ana_hart *h = get_hart(a, ev->hart);
	if (!h)
		return -ENOMEM;
	unsigned id = ev->hart;
	a->st.events++;
	h->last_time = ev->time;
	h->last_instret = ev->instret;
	if (ev->type == TEV_TRAP) {
		/* The trace began in U (VU, VS): now the address space of that stack is known. */
		int rc = enter_space(h, id, ev->priv, ev->satp, ev->hgatp, true);
		if (rc)
			return rc;
	}
	struct stack *s = stack_of(h, id, ev->priv);
	if (!s)
		return -ENOMEM;
	int rc = 0;
	switch (ev->type) {
	case TEV_CALL:
	case TEV_RET:
	case TEV_TAIL:
	case TEV_XRET:
		rc = run_event_insn(a, h, id, ev, true);
		break;
	case TEV_MEM:
	case TEV_MMIO:
		rc = run_event_insn(a, h, id, ev, false);
		break;
	case TEV_TRAP:
		rc = flush_run(a, h, id, ev->instret);
		h->run_on = false;
		break;
	default:
		rc = flush_run(a, h, id, ev->instret);
		break;
	}
	if (rc)
		return rc;
	switch_to(h, s, ev->instret);
	struct ana_ev e;
	char buf[64];
	switch (ev->type) {
	case TEV_RUN:
		if (a->insns) {
			h->run_on = true;
			h->run_priv = ev->priv;
			h->run_pc = ev->pc;
			h->run_next = ev->instret;
			h->run_dt = ev->time - ev->instret;
		}
		return 0;
	case TEV_CALL:
	case TEV_TAIL:
		return on_call(a, s, ev);
	case TEV_RET:
		return on_ret(a, s, ev);
	case TEV_TRAP:
		return on_trap(a, h, id, s, ev);
	case TEV_XRET:
		return on_xret(a, h, id, s, ev);
	case TEV_MMIO:
	case TEV_MEM:
		ev_init(&e, ev->type == TEV_MMIO ? ANA_MMIO : ANA_MEM, s, ev, ev->time);
		if (ev->type == TEV_MMIO && a->names && a->names->mmio)
			e.name = a->names->mmio(a->ctx, ev->paddr, buf, sizeof(buf));
		return a->emit(a->arg, &e);
	case TEV_MARK: {
		size_t n = ev->len < sizeof(a->mark) - 1 ? ev->len : sizeof(a->mark) - 1;
		if (n)
			memcpy(a->mark, ev->data, n);
		a->mark[n] = 0;
		ev_init(&e, ANA_MARK, s, ev, ev->time);
		e.text = a->mark;
		return a->emit(a->arg, &e);
	}
	case TEV_POLL:
	case TEV_POLL_END:
	case TEV_WAKE:
	case TEV_TASK:
	case TEV_FUTURE:
		ev_init(&e, ANA_ASYNC, s, ev, ev->time);
		return a->emit(a->arg, &e);
	default:
		return 0;
	}
}

static int close_stack(struct ana *a, struct ana_hart *h, struct stack *s, uint64_t b)
{
	int rc = 0;
	while (!rc && s->n)
		rc = pop(a, s, b, NULL, h->last_time, true);
	if (!rc && s->call.on)
		rc = end_call(a, s, NULL, h->last_time);
	return rc;
}

int ana_finish(struct ana *a)
{
	int rc = 0;
	for (unsigned i = 0; i < TEV_MAX_HARTS && !rc; i++) {
		struct ana_hart *h = a->harts[i];
		if (!h)
			continue;
		h->run_on = false;
		/* Stop every clock where the hart stopped: switching to each stack in turn would
		 * otherwise count the time spent on the others. */
		uint64_t end = h->last_instret + 1;
		if (h->cur)
			h->cur->left_at = end;
		struct stack *all[2] = {h->m, h->s};
		for (unsigned j = 0; j < 2 + h->nu && !rc; j++) {
			struct stack *s = j < 2 ? all[j] : h->u[j - 2];
			if (s->used)
				s->away += end - s->left_at;
			rc = close_stack(a, h, s, end);
		}
	}
	return rc;
}
