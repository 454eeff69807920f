/* dtm — TAP controller and DTM registers. See dtm.h. DMI accesses complete during Update-DR
 * (the Debug Module answers at once), so the DTM is never busy and dtmcs.idle is 0. */
#include "debug/dtm.h"
#include "debug/dm.h"

#include <stdlib.h>

enum tap_state {
	TEST_LOGIC_RESET,
	RUN_TEST_IDLE,
	SELECT_DR,
	CAPTURE_DR,
	SHIFT_DR,
	EXIT1_DR,
	PAUSE_DR,
	EXIT2_DR,
	UPDATE_DR,
	SELECT_IR,
	CAPTURE_IR,
	SHIFT_IR,
	EXIT1_IR,
	PAUSE_IR,
	EXIT2_IR,
	UPDATE_IR,
};

/* next[state][tms], IEEE 1149.1 figure 6-1 */
static const uint8_t next_state[16][2] = {
    [TEST_LOGIC_RESET] = {RUN_TEST_IDLE, TEST_LOGIC_RESET},
    [RUN_TEST_IDLE] = {RUN_TEST_IDLE, SELECT_DR},
    [SELECT_DR] = {CAPTURE_DR, SELECT_IR},
    [CAPTURE_DR] = {SHIFT_DR, EXIT1_DR},
    [SHIFT_DR] = {SHIFT_DR, EXIT1_DR},
    [EXIT1_DR] = {PAUSE_DR, UPDATE_DR},
    [PAUSE_DR] = {PAUSE_DR, EXIT2_DR},
    [EXIT2_DR] = {SHIFT_DR, UPDATE_DR},
    [UPDATE_DR] = {RUN_TEST_IDLE, SELECT_DR},
    [SELECT_IR] = {CAPTURE_IR, TEST_LOGIC_RESET},
    [CAPTURE_IR] = {SHIFT_IR, EXIT1_IR},
    [SHIFT_IR] = {SHIFT_IR, EXIT1_IR},
    [EXIT1_IR] = {PAUSE_IR, UPDATE_IR},
    [PAUSE_IR] = {PAUSE_IR, EXIT2_IR},
    [EXIT2_IR] = {SHIFT_IR, UPDATE_IR},
    [UPDATE_IR] = {RUN_TEST_IDLE, SELECT_DR},
};

enum { IR_IDCODE = 0x01, IR_DTMCS = 0x10, IR_DMI = 0x11, IR_BYPASS = 0x1f };
#define IR_BITS	 5
#define DMI_BITS (DTM_ABITS + 34)

struct dtm {
	struct dm *dm;
	enum tap_state state;
	bool tck, tdo;
	unsigned ir, ir_shift;
	uint64_t dr;
	unsigned dr_bits;
	/* the DMI register's capture value: the last access's address, data and status */
	unsigned dmi_addr;
	uint32_t dmi_data;
};

struct dtm *dtm_new(struct dm *dm)
{
	struct dtm *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->dm = dm;
	dtm_reset(t);
	return t;
}

void dtm_free(struct dtm *t)
{
	free(t);
}

void dtm_reset(struct dtm *t)
{
	t->state = TEST_LOGIC_RESET;
	t->ir = IR_IDCODE;
	t->tck = t->tdo = false;
}

static void capture_dr(struct dtm *t)
{
	switch (t->ir) {
	case IR_IDCODE:
		t->dr = DTM_IDCODE;
		t->dr_bits = 32;
		break;
	case IR_DTMCS:
		/* version 1 (0.13), abits, dmistat 0, idle 0 */
		t->dr = DTM_ABITS << 4 | 1;
		t->dr_bits = 32;
		break;
	case IR_DMI:
		t->dr = (uint64_t)t->dmi_addr << 34 | (uint64_t)t->dmi_data << 2; /* op 0: success */
		t->dr_bits = DMI_BITS;
		break;
	default: /* BYPASS and every unused instruction */
		t->dr = 0;
		t->dr_bits = 1;
		break;
	}
}

static void update_dr(struct dtm *t)
{
	if (t->ir == IR_DMI) {
		unsigned op = t->dr & 3, addr = (t->dr >> 34) & ((1u << DTM_ABITS) - 1);
		uint32_t data = (uint32_t)(t->dr >> 2);

		if (op == 1) {
			t->dmi_addr = addr;
			t->dmi_data = dm_read(t->dm, addr);
		} else if (op == 2) {
			t->dmi_addr = addr;
			t->dmi_data = data;
			dm_write(t->dm, addr, data);
		}
	}
	/* DTMCS: dmireset and dmihardreset clear a sticky error this DTM never sets */
}

void dtm_set_pins(struct dtm *t, bool tck, bool tms, bool tdi)
{
	if (tck && !t->tck) { /* rising edge: sample TDI and TMS */
		if (t->state == SHIFT_DR) {
			t->dr >>= 1;
			t->dr |= (uint64_t)tdi << (t->dr_bits - 1);
		} else if (t->state == SHIFT_IR) {
			t->ir_shift >>= 1;
			t->ir_shift |= (unsigned)tdi << (IR_BITS - 1);
		}
		t->state = next_state[t->state][tms];
	} else if (!tck && t->tck) { /* falling edge: the state's action, TDO */
		switch (t->state) {
		case TEST_LOGIC_RESET:
			t->ir = IR_IDCODE;
			break;
		case CAPTURE_DR:
			capture_dr(t);
			break;
		case SHIFT_DR:
			t->tdo = t->dr & 1;
			break;
		case UPDATE_DR:
			update_dr(t);
			break;
		case CAPTURE_IR:
			t->ir_shift = 1; /* IR capture value: 0b00001, as 1149.1 asks */
			break;
		case SHIFT_IR:
			t->tdo = t->ir_shift & 1;
			break;
		case UPDATE_IR:
			t->ir = t->ir_shift & ((1u << IR_BITS) - 1);
			break;
		default:
			break;
		}
	}
	t->tck = tck;
}

bool dtm_tdo(const struct dtm *t)
{
	return t->tdo;
}
