/* dtm — the JTAG Debug Transport Module (External Debug Support 0.13.2, chapter 6): a TAP with
 * a 5-bit IR and the registers IDCODE, DTMCS, DMI and BYPASS, in front of a Debug Module. It is
 * driven pin by pin (TCK, TMS, TDI in; TDO out), as OpenOCD's remote_bitbang does. */
#ifndef STRATA_DEBUG_DTM_H
#define STRATA_DEBUG_DTM_H

#include <stdbool.h>
#include <stdint.h>

struct dm;
struct dtm;

#define DTM_IDCODE 0xdeadbeefu /* the value Spike's DTM has: OpenOCD configs know it */
#define DTM_ABITS  7

struct dtm *dtm_new(struct dm *dm);
void dtm_free(struct dtm *t);
/* TRST (or a new connection): the TAP goes to Test-Logic-Reset, IR to IDCODE. */
void dtm_reset(struct dtm *t);
/* Drive the pins: the TAP moves on a rising TCK edge, TDO changes on a falling one. */
void dtm_set_pins(struct dtm *t, bool tck, bool tms, bool tdi);
bool dtm_tdo(const struct dtm *t);

#endif
