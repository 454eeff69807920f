/* idle — idle fixpoint elision: find a loop iteration that provably repeats and count its
 * repetitions as retired without executing them.
 *
 * Kernels whose idle harts spin (xv6's scheduler() scans the process table forever, taking and
 * dropping each lock) execute the same iteration over and over while nothing else changes. While
 * the machine arms it (hart_idle_arm), a run of the hart goes through the slow paths: every
 * taken jump through refetch, which calls idle_visit() with the pc and the retired count, and
 * every load, store and atomic through mmu.c, which calls idle_touch() with the host address
 * before the access. A visit takes a reference (pc, registers, CSRs, reservation); the memory
 * words touched from then on are logged with the value they held at the first touch. When the
 * hart is back at the reference pc with the same registers and CSRs, every logged word holds its
 * first value again (xv6 writes each lock's 1 and then its 0) and the code pages it ran are
 * unchanged, then executing the iteration again would read exactly what it read before, so it
 * would do exactly the same: it is a pure function of state that is back where it started. No
 * other hart runs during a run and devices act only when the hart touches them (which ends the
 * search), and the machine ends every run at the next timer deadline, so no interrupt can
 * become pending during the skipped iterations. The run then counts as many whole iterations as
 * its budget holds as retired and returns at the iteration's start; the next run of the hart
 * checks the same log first (another hart may have changed a word the loop reads, or an
 * interrupt line) and skips again at once if nothing changed.
 *
 * What ends a search: an access to a device or to a page a device watches, a CSR outside the
 * short list below (counters and time above all: a loop that reads time never repeats), a
 * TLB flush (satp, SFENCE.VMA), uncached code, more words than the log holds. The result is
 * deterministic: every decision depends only on guest state. */
#include "cpu/fpu_host.h"
#include "cpu/hart.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define IDLE_WORDS 1024 /* memory words one iteration may touch */
#define IDLE_HASH  2048 /* open-addressing index of the words, a power of two */
#define IDLE_PAGES 16	/* code pages one iteration may run */
/* The longest iteration looked for. xv6's scheduler() pass over 64 processes is ~10,000
 * instructions, as long as a run, so a search goes on across runs: nothing but other harts
 * (through memory) and interrupt lines can change what a hart sees between two of its runs,
 * so if every logged word and the lines are as the last run left them, the two runs are one
 * uninterrupted execution. */
#define IDLE_MAX_PERIOD 100000
/* The reference may be taken before the loop (on the way into it): a search that has not come
 * back after IDLE_REREF instructions takes a new one, then after twice as many, and so on
 * (Brent's cycle detection); it gives up after IDLE_MAX_LOOK. */
#define IDLE_REREF    16384
#define IDLE_MAX_LOOK (4 * IDLE_MAX_PERIOD)

struct tlb_entry idle_no_tlb[TLB_SIZE];

/* The hart's architectural state that a loop iteration must restore (the pc is compared
 * apart): everything from mstatus up to the counters is CSR state (and PMP ranges derived from
 * it); instret and mcycle advance, which is why reading them ends the search. */
struct idle_snap {
	uint64_t x[32], f[32];
	uint64_t resv_addr, resv_val;
	unsigned priv;
	bool resv_valid;
	unsigned char csr[offsetof(struct hart, instret) - offsetof(struct hart, mstatus)];
};

enum idle_mode {
	IDLE_SEEK,  /* no reference yet */
	IDLE_LOOK,  /* reference taken, logging, looking for the way back */
	IDLE_FIXED, /* the hart stopped at the start of an iteration that repeats */
	IDLE_OFF,   /* the search ended in this run */
};

struct idle {
	enum idle_mode mode;
	unsigned visits;     /* refetch visits in this run */
	uint64_t mip_hw_end; /* the interrupt lines when the last run ended */
	uint64_t pc_end;     /* and its pc */
	bool resv_end;	     /* a reservation was live when the last run ended */
	uint64_t ref_pc, ref_insns, period;
	uint64_t look_insns, reref; /* when the search began; instructions until a new reference */
	unsigned ref_rp, marks;	    /* ring position at the reference; ring marks per iteration */
	bool ref_int;		    /* interrupts were enabled at the reference */
	bool dirty;		    /* a store changed memory since the reference */
	bool need_int;		    /* the loop writes: look for a reference with interrupts on */
	struct idle_snap ref, cur, end; /* end: when the last run ended */
	unsigned nwords, npages;
	struct {
		uint64_t *p; /* aligned host address */
		uint64_t init;
		uint64_t end;  /* when the last run ended */
		unsigned slot; /* in hash */
	} w[IDLE_WORDS];
	uint16_t hash[IDLE_HASH]; /* index + 1 into w, 0 = empty */
	struct {
		const struct dpage *dp;
		uint32_t gen;
	} pg[IDLE_PAGES];
	struct hart_idle_stats st;
};

int hart_idle_arm(struct hart *h, bool on)
{
	if (on && !h->idle) {
		h->idle = calloc(1, sizeof(*h->idle));
		if (!h->idle)
			return -ENOMEM;
		for (unsigned i = 0; i < TLB_SIZE; i++)
			idle_no_tlb[i].vtag = TLB_INVALID;
	}
	h->idle_armed = on;
	return 0;
}

enum hart_idle hart_idle_state(const struct hart *h)
{
	if (!h->idle)
		return HART_IDLE_NONE;
	return h->idle->mode == IDLE_FIXED  ? HART_IDLE_FIXED
	       : h->idle->mode == IDLE_LOOK ? HART_IDLE_LOOKING
					    : HART_IDLE_NONE;
}

void hart_idle_stats(const struct hart *h, struct hart_idle_stats *st)
{
	if (h->idle)
		*st = h->idle->st;
	else
		memset(st, 0, sizeof(*st));
}

void idle_free(struct hart *h)
{
	free(h->idle);
	h->idle = NULL;
}

static void snap_take(struct hart *h, struct idle_snap *s)
{
	h->fflags |= fpu_host_take_flags(); /* lazily accrued flags are state too */
	memcpy(s->x, h->x, sizeof(s->x));
	memcpy(s->f, h->f, sizeof(s->f));
	s->resv_addr = h->resv_addr;
	s->resv_val = h->resv_val;
	s->resv_valid = h->resv_valid;
	s->priv = h->priv;
	memcpy(s->csr, &h->mstatus, sizeof(s->csr));
}

static void note_page(struct hart *h, const struct dpage *dp)
{
	struct idle *s = h->idle;

	for (unsigned i = 0; i < s->npages; i++)
		if (s->pg[i].dp == dp)
			return;
	if (s->npages == IDLE_PAGES) {
		idle_abort(h);
		return;
	}
	s->pg[s->npages].dp = dp;
	s->pg[s->npages++].gen = dp->gen;
}

/* Where a loop that changes memory (xv6's scheduler takes and drops every process lock) stops
 * until its next run must be a place where interrupts are enabled: there the kernel holds no
 * spinlock (xv6 and Linux disable interrupts while they hold one), so the stopped hart delays
 * no other, and the kernel is ready for an interrupt handler that could keep the hart away for
 * any time. A loop that only reads (waiting for a flag) may stop anywhere. */
static bool interruptible(const struct hart *h)
{
	if (h->priv == PRV_U)
		return true;
	return h->mstatus & (h->priv == PRV_M ? MSTATUS_MIE : MSTATUS_SIE);
}

static void start_look(struct hart *h, uint64_t pc, const struct dpage *dp, uint64_t insns,
		       unsigned rp)
{
	struct idle *s = h->idle;

	for (unsigned i = 0; i < s->nwords; i++)
		s->hash[s->w[i].slot] = 0;
	s->nwords = s->npages = 0;
	if (s->mode != IDLE_LOOK) {
		s->look_insns = insns;
		s->reref = IDLE_REREF;
	}
	s->mode = IDLE_LOOK;
	s->ref_pc = pc;
	s->ref_insns = insns;
	s->ref_rp = rp;
	s->ref_int = interruptible(h);
	s->dirty = false;
	snap_take(h, &s->ref);
	note_page(h, dp);
}

/* Whether the hart is where the reference left it: same registers and CSRs, every logged word
 * back at its first value, every code page unchanged. */
static bool back_at_ref(struct hart *h)
{
	struct idle *s = h->idle;

	snap_take(h, &s->cur);
	if (memcmp(&s->cur, &s->ref, sizeof(s->cur)))
		return false;
	for (unsigned i = 0; i < s->nwords; i++)
		if (*s->w[i].p != s->w[i].init)
			return false;
	for (unsigned i = 0; i < s->npages; i++)
		if (s->pg[i].dp->gen != s->pg[i].gen)
			return false;
	return true;
}

/* The always-on ring as k more iterations would have left it: the runs of the last iteration
 * repeat, each later by the period. */
static void ring_skip(struct hart *h, unsigned *rp, uint64_t k)
{
	struct idle *s = h->idle;
	struct ring_ent old[RING_SIZE];
	uint64_t km = k * s->marks;
	unsigned p = *rp, m = s->marks;

	memcpy(old, h->ring, sizeof(old));
	for (unsigned d = 1; d <= RING_SIZE; d++) {
		struct ring_ent *dst = &h->ring[(p + (unsigned)km - d) % RING_SIZE];

		if (d <= km) {
			*dst = old[(p - ((d - 1) % m + 1)) % RING_SIZE];
			dst->instret += s->period * (k - (d - 1) / m);
		} else {
			*dst = old[(p - (unsigned)(d - km)) % RING_SIZE];
		}
	}
	*rp = p + (unsigned)km;
}

/* At the start of an iteration that repeats: skip as many as the budget holds and stop. */
static int64_t skip(struct hart *h, int64_t budget, unsigned *rp)
{
	struct idle *s = h->idle;
	uint64_t k = (uint64_t)budget / s->period;

	if (!k)
		return 0; /* stop here: the machine lends the next run what this one left */
	ring_skip(h, rp, k);
	s->st.skips++;
	s->st.skipped_insns += k * s->period;
	return (int64_t)(k * s->period);
}

int64_t idle_visit(struct hart *h, uint64_t pc, const struct dpage *dp, uint64_t insns,
		   int64_t budget, unsigned *rp)
{
	struct idle *s = h->idle;

	s->visits++;
	switch (s->mode) {
	case IDLE_SEEK:
		/* a run may begin anywhere in straight-line code; the next visit is where a run of
		 * straight-line code begins, the places that come back */
		if (s->visits > 1 && (!s->need_int || interruptible(h))) {
			start_look(h, pc, dp, insns, *rp);
			return -1;
		}
		return -2;
	case IDLE_FIXED:
		if (pc == s->ref_pc && back_at_ref(h))
			return skip(h, budget, rp);
		s->st.invalidated++;
		s->mode = IDLE_SEEK;
		if (pc == s->ref_pc && (!s->need_int || interruptible(h))) {
			start_look(h, pc, dp, insns, *rp); /* still a place that comes back */
			return -1;
		}
		return -2;
	case IDLE_LOOK:
		note_page(h, dp);
		if (s->mode != IDLE_LOOK)
			return -1;
		if (pc != s->ref_pc || insns == s->ref_insns || !back_at_ref(h)) {
			if (insns - s->ref_insns >= s->reref &&
			    (!s->need_int || interruptible(h))) {
				s->reref *= 2;
				start_look(h, pc, dp, insns, *rp);
			}
			return -1;
		}
		if (s->dirty && !s->ref_int) {
			s->need_int = true; /* a loop that writes: not here */
			s->mode = IDLE_SEEK;
			return -2;
		}
		s->need_int = false;
		s->mode = IDLE_FIXED;
		s->period = insns - s->ref_insns;
		s->marks = *rp - s->ref_rp;
		s->st.fixpoints++;
		return skip(h, budget, rp);
	case IDLE_OFF:
		break;
	}
	return -1;
}

void idle_touch(struct hart *h, const uint8_t *host, unsigned size, const void *store)
{
	struct idle *s = h->idle;
	uintptr_t a = (uintptr_t)host & ~(uintptr_t)7;
	uintptr_t last = ((uintptr_t)host + size - 1) & ~(uintptr_t)7;

	if (s->mode != IDLE_LOOK)
		return;
	if (store && (store == IDLE_TOUCH_RMW || memcmp(host, store, size)))
		s->dirty = true;
	for (; a <= last; a += 8) {
		unsigned j = (a >> 3) & (IDLE_HASH - 1);

		while (s->hash[j] && (uintptr_t)s->w[s->hash[j] - 1].p != a)
			j = (j + 1) & (IDLE_HASH - 1);
		if (s->hash[j])
			continue;
		if (s->nwords == IDLE_WORDS) {
			idle_abort(h);
			return;
		}
		s->w[s->nwords].p = (uint64_t *)a;
		s->w[s->nwords].init = *(const uint64_t *)a;
		s->w[s->nwords].slot = j;
		s->hash[j] = (uint16_t)++s->nwords;
	}
}

void idle_abort(struct hart *h)
{
	if (h->idle->mode != IDLE_OFF)
		h->idle->st.aborts++;
	h->idle->mode = IDLE_OFF;
	h->idle_probe = false;
}

bool idle_csr_ok(unsigned csr, bool write)
{
	switch (csr) {
	case 0x001: /* fflags, frm, fcsr */
	case 0x002:
	case 0x003:
	case 0x100: /* sstatus, sie, stvec */
	case 0x104:
	case 0x105:
	case 0x140: /* sscratch, sepc, scause, stval, sip */
	case 0x141:
	case 0x142:
	case 0x143:
	case 0x144:
	case 0x300: /* mstatus, misa, medeleg, mideleg, mie, mtvec */
	case 0x301:
	case 0x302:
	case 0x303:
	case 0x304:
	case 0x305:
	case 0x340: /* mscratch, mepc, mcause, mtval, mip */
	case 0x341:
	case 0x342:
	case 0x343:
	case 0x344:
		return true;
	case 0x180: /* satp: reading is fine, writing flushes the TLB */
	case 0xf11: /* mvendorid, marchid, mimpid, mhartid */
	case 0xf12:
	case 0xf13:
	case 0xf14:
		return !write;
	}
	return false;
}

void idle_begin(struct hart *h)
{
	struct idle *s = h->idle;

	h->idle_probe = false;
	if (!s)
		return;
	if (!h->idle_armed) {
		s->mode = IDLE_SEEK;
		return;
	}
	/* a tracer, the debugger, a trigger (Sdtrig) or Debug Mode sees every instruction:
	 * never skip any for them */
	if (h->rec || h->dbg_step || h->cpu->dbg.nbp || h->cpu->dbg.nwp || h->cpu->dbg.ntrig_x ||
	    h->trig_data || h->trig_icount || h->dm_active) {
		s->mode = IDLE_SEEK;
		return;
	}
	s->visits = 0;
	if (s->mode == IDLE_LOOK) {
		/* go on with the search only if nothing it saw changed since the last run (a
		 * debugger or a snapshot restore may have written registers too) */
		bool same = h->mip_hw == s->mip_hw_end && !s->resv_end && h->pc == s->pc_end;

		if (same) {
			snap_take(h, &s->cur);
			same = !memcmp(&s->cur, &s->end, sizeof(s->cur));
		}

		for (unsigned i = 0; same && i < s->nwords; i++)
			same = *s->w[i].p == s->w[i].end;
		if (!same) {
			s->st.invalidated++;
			s->mode = IDLE_SEEK;
		}
	} else if (s->mode != IDLE_FIXED) {
		s->mode = IDLE_SEEK;
	}
	s->st.runs++;
	h->idle_probe = true;
}

void idle_end(struct hart *h)
{
	struct idle *s = h->idle;

	if (!s)
		return;
	if (h->idle_probe && s->mode == IDLE_LOOK && h->instret - s->look_insns <= IDLE_MAX_LOOK) {
		for (unsigned i = 0; i < s->nwords; i++)
			s->w[i].end = *s->w[i].p;
		s->mip_hw_end = h->mip_hw;
		s->resv_end = h->resv_valid;
		s->pc_end = h->pc;
		snap_take(h, &s->end);
	} else if (s->mode != IDLE_FIXED) {
		if (h->idle_probe)
			s->st.misses++;
		s->mode = IDLE_SEEK;
	}
	h->idle_probe = false;
}
