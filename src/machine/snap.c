/* snap — the machine's state except RAM as bytes (src/replay takes RAM page by page): the
 * clocks and run-loop fields, every hart (cpu/snap.c) and every MMIO device's state block. */
#include <string.h>

#include "cpu/cpu.h"
#include "machine/bus.h"
#include "machine/machine_impl.h"

/* The run loop's own state: what decides the next rounds. */
struct loop_state {
	uint64_t vclock, mtime_off, rt_start_ns, total_insns;
	bool stop;
	int exit_code;
	struct machine_round round;
};

size_t machine_state_size(struct machine *m)
{
	size_t n = sizeof(struct loop_state) + m->nharts * (sizeof(*m->idle) + hart_state_size());

	for (unsigned i = 0, k = bus_nmmio(m->bus); i < k; i++) {
		size_t sz;
		if (bus_state(m->bus, i, &sz))
			n += sz;
	}
	return n;
}

/* Copy each piece between the machine and buf, in one order for both directions. */
static void walk(struct machine *m, uint8_t *buf, bool save)
{
	struct loop_state ls = {m->vclock,	m->mtime_off, m->rt_start_ns,
				m->total_insns, m->stop,      m->exit_code, m->round};
	size_t sz;
	void *p;

	if (save) {
		memcpy(buf, &ls, sizeof(ls));
	} else {
		memcpy(&ls, buf, sizeof(ls));
		m->vclock = ls.vclock;
		m->mtime_off = ls.mtime_off;
		m->rt_start_ns = ls.rt_start_ns;
		m->total_insns = ls.total_insns;
		m->stop = ls.stop;
		m->exit_code = ls.exit_code;
		m->round = ls.round;
	}
	buf += sizeof(ls);
	for (unsigned h = 0; h < m->nharts; h++) {
		struct hart *hp = cpu_hart(m->cpu, h);

		if (save) {
			memcpy(buf, &m->idle[h], sizeof(*m->idle));
			hart_state_save(hp, buf + sizeof(*m->idle));
		} else {
			memcpy(&m->idle[h], buf, sizeof(*m->idle));
			hart_state_restore(hp, buf + sizeof(*m->idle));
		}
		buf += sizeof(*m->idle) + hart_state_size();
	}
	for (unsigned i = 0, k = bus_nmmio(m->bus); i < k; i++) {
		if (!(p = bus_state(m->bus, i, &sz)))
			continue;
		if (save)
			memcpy(buf, p, sz);
		else
			memcpy(p, buf, sz);
		buf += sz;
	}
}

void machine_state_save(struct machine *m, void *buf)
{
	walk(m, buf, true);
}

void machine_state_restore(struct machine *m, const void *buf)
{
	walk(m, (uint8_t *)buf, false);
}

void machine_state_strip(struct machine *m, void *buf)
{
	uint8_t *p = (uint8_t *)buf + sizeof(struct loop_state);

	for (unsigned h = 0; h < m->nharts; h++, p += sizeof(*m->idle) + hart_state_size())
		hart_state_strip(p + sizeof(*m->idle));
}

void machine_debug_goto(struct machine *m, uint64_t insns)
{
	m->goto_insns = insns;
	m->goto_hart = 0;
}

void machine_debug_goto_hart(struct machine *m, unsigned hart, uint64_t insns)
{
	m->goto_insns = 0;
	m->goto_hart = hart + 1;
	m->goto_hart_insns = insns;
}

uint64_t machine_hart_insns(const struct machine *m, unsigned hart)
{
	return m->idle[hart].retired;
}

struct virtio_blk *machine_blk(struct machine *m, unsigned slot)
{
	return slot < VIRT_VIRTIO_COUNT ? m->blk[slot] : NULL;
}
