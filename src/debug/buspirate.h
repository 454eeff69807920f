/* buspirate — `strata run --jtag pty`: the Bus Pirate's binary "OpenOCD mode" (what OpenOCD's
 * `buspirate` adapter speaks over a serial line) served on a pseudo-terminal, driving the DTM.
 * One CMD_TAP_SHIFT carries a whole queue of TMS/TDI bits and is answered with all its TDO
 * bits: one write and one read per OpenOCD queue flush. See docs/JTAG.md. */
#ifndef STRATA_DEBUG_BUSPIRATE_H
#define STRATA_DEBUG_BUSPIRATE_H

#include <stddef.h>
#include <stdint.h>

#include "debug/wire.h"

struct dtm;
struct bp;

/* A new pseudo-terminal whose slave OpenOCD opens; bytes from it drive t. NULL with err_set(). */
struct bp *bp_new(struct dtm *t);
/* The slave's path (/dev/pts/N). */
const char *bp_path(const struct bp *b);
/* Feed bytes as if they came from the pty (tests, fuzzing): the answers go to out, which has
 * room for outsize bytes; 10 × len always suffices, answers beyond outsize are dropped. Returns
 * the size of what was put in out. */
size_t bp_feed(struct bp *b, const uint8_t *buf, size_t len, uint8_t *out, size_t outsize);
/* Forget a half-received command and go back to binary mode, as a new client expects. */
void bp_restart(struct bp *b);

#define BP_MAX_REPLY (3 + 8192)

extern const struct wire_ops bp_wire_ops;

#endif
