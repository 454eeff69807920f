/* jtag — `strata run --jtag [HOST:]PORT|pty`: a Debug Module (dm.h) behind a JTAG DTM (dtm.h),
 * reached over TCP with OpenOCD's remote_bitbang protocol (the idea of Spike's --rbb-port), hooked
 * into the machine's run loop. One connection at a time; see docs/JTAG.md. */
#ifndef STRATA_DEBUG_JTAG_H
#define STRATA_DEBUG_JTAG_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct jtag_server;

/* Listen on spec ("[HOST:]PORT", HOST 127.0.0.1 by default), map the Debug Module's window and
 * attach to m's run loop. halt: every hart starts halted in Debug Mode (-S). reset_pc: where a
 * reset hart starts. NULL with err_set() (bad address, port in use). */
struct jtag_server *jtag_server_new(const char *spec, struct machine *m, uint64_t reset_pc,
				    bool halt);
void jtag_server_free(struct jtag_server *s);

/* Feed remote_bitbang bytes to the server as if they came from its connection (tests, fuzzing):
 * TDO answers go to out (at most as many as there are 'R' bytes in buf). Returns the number of
 * answers, or -EPIPE after a 'Q'. */
int jtag_server_feed(struct jtag_server *s, const char *buf, unsigned len, char *out);

#endif
