/* live — the in-memory log of a live run's host reads. Console reads: one entry per read that
 * returned bytes or the end of input, and run-length entries for reads that found nothing (one
 * per run-loop round). Clock reads: the values in order. */
#include "replay/live.h"
#include "machine/console.h"
#include "machine/machine.h"
#include "util/err.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_READ 64

enum { EV_NONE, EV_READ, EV_EOF };

struct con_ev {
	uint8_t type, len;
	uint64_t count; /* NONE: reads in a row */
	uint8_t data[MAX_READ];
};

/* where the run is in the logs */
struct cursor {
	size_t con, con_off; /* entry, and reads into a NONE entry */
	size_t clk;
};

struct rr_live {
	struct machine *m;
	struct con_ev *con;
	size_t ncon, ccon;
	uint64_t *clk;
	size_t nclk, cclk;
	struct cursor at;
	bool failed; /* out of memory: the log stops, going back stops working */
	uint64_t (*prev_clock)(void *ctx);
	void *prev_ctx;
	struct console_rewind rw;
};

/* Past a NONE entry whose reads were all made: at the next entry. Only the last entry grows,
 * so a cursor saved at its end stays right when later reads are added to it. */
static struct cursor norm(const struct rr_live *l)
{
	struct cursor c = l->at;

	if (c.con < l->ncon && l->con[c.con].type == EV_NONE && c.con_off >= l->con[c.con].count) {
		c.con++;
		c.con_off = 0;
	}
	return c;
}

static bool behind(const struct rr_live *l)
{
	return norm(l).con < l->ncon;
}

static int live_read(void *ctx, uint8_t *buf, size_t max)
{
	struct rr_live *l = ctx;
	struct con_ev *e;

	l->at = (struct cursor){norm(l).con, norm(l).con_off, l->at.clk};
	if (l->at.con >= l->ncon)
		return CONSOLE_HOST;
	e = &l->con[l->at.con];
	if (e->type == EV_NONE) {
		l->at.con_off++;
		return 0;
	}
	l->at.con++;
	l->at.con_off = 0;
	if (e->type == EV_EOF)
		return -1;
	/* the UART's room is the same as then: the run is the same */
	if (e->len > max)
		return (int)max; /* cannot happen in a deterministic run */
	memcpy(buf, e->data, e->len);
	return e->len;
}

static void live_seen(void *ctx, int n, const uint8_t *buf)
{
	struct rr_live *l = ctx;
	struct con_ev *last = l->ncon ? &l->con[l->ncon - 1] : NULL;

	if (l->failed)
		return;
	if (n == 0 && last && last->type == EV_NONE) {
		last->count++;
		l->at.con = l->ncon - 1;
		l->at.con_off = last->count;
		return;
	}
	if (l->ncon == l->ccon) {
		size_t nc = l->ccon ? 2 * l->ccon : 256;
		struct con_ev *v = realloc(l->con, nc * sizeof(*v));

		if (!v) {
			l->failed = true;
			return;
		}
		l->con = v;
		l->ccon = nc;
	}
	struct con_ev *e = &l->con[l->ncon++];
	e->type = n > 0 ? EV_READ : n == 0 ? EV_NONE : EV_EOF;
	e->count = 1;
	e->len = (uint8_t)(n > 0 ? (n < MAX_READ ? n : MAX_READ) : 0);
	if (n > 0)
		memcpy(e->data, buf, e->len);
	l->at.con = e->type == EV_NONE ? l->ncon - 1 : l->ncon;
	l->at.con_off = e->type == EV_NONE ? 1 : 0;
}

static int live_open(void *ctx)
{
	/* behind: input was open then, or the run would not have read */
	return behind(ctx) ? 1 : CONSOLE_HOST;
}

static uint64_t live_clock(void *ctx)
{
	struct rr_live *l = ctx;
	uint64_t ns;

	if (l->at.clk < l->nclk)
		return l->clk[l->at.clk++];
	if (l->prev_clock) {
		ns = l->prev_clock(l->prev_ctx);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	if (l->failed)
		return ns;
	if (l->nclk == l->cclk) {
		size_t nc = l->cclk ? 2 * l->cclk : 1024;
		uint64_t *v = realloc(l->clk, nc * sizeof(*v));

		if (!v) {
			l->failed = true;
			return ns;
		}
		l->clk = v;
		l->cclk = nc;
	}
	l->clk[l->nclk++] = ns;
	l->at.clk = l->nclk;
	return ns;
}

struct rr_live *rr_live_new(struct machine *m)
{
	struct rr_live *l = calloc(1, sizeof(*l));

	if (!l) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	l->m = m;
	l->prev_clock = machine_host_clock(m, &l->prev_ctx);
	l->rw = (struct console_rewind){l, live_read, live_seen, live_open};
	console_set_rewind(&l->rw);
	machine_set_host_clock(m, live_clock, l);
	return l;
}

void rr_live_free(struct rr_live *l)
{
	if (!l)
		return;
	console_set_rewind(NULL);
	machine_set_host_clock(l->m, l->prev_clock, l->prev_ctx);
	free(l->con);
	free(l->clk);
	free(l);
}

size_t rr_live_state_size(void)
{
	return sizeof(struct cursor);
}

void rr_live_state_save(void *l, void *buf)
{
	memcpy(buf, &((struct rr_live *)l)->at, sizeof(struct cursor));
}

void rr_live_state_restore(void *l, const void *buf)
{
	memcpy(&((struct rr_live *)l)->at, buf, sizeof(struct cursor));
}
