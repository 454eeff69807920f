/* proxy — the packet loop of `strata attach`: two RSP links (GDB, upstream), each with its own
 * ack mode; GDB's packets are forwarded unless strata answers them itself (library list,
 * executable, target description, its own monitor commands), and stop replies are looked at
 * on the way back (privilege, library changes, break-on). GDB speaks all-stop: at most one
 * command is outstanding, so a reply from the upstream always belongs to the last one. */
#include "attach/att_impl.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_SIZE RSP_ENCODED_MAX(RSP_MAX_PACKET)

static int side_ix(enum att_side s)
{
	return s == ATT_GDB ? 0 : 1;
}

static int send_packet(struct att_proxy *p, enum att_side side, const void *data, size_t len)
{
	int n = rsp_encode(data, len, p->out, OUT_SIZE), rc;
	bool noack = side == ATT_GDB ? p->gdb_noack : p->up_noack;

	if (n < 0)
		return n;
	rc = p->io->write(p->ctx, side, p->out, (size_t)n);
	if (rc < 0)
		return rc;
	if (!noack) { /* kept for a nak */
		char *last = side == ATT_GDB ? p->gdb_last : p->up_last;

		memcpy(last, p->out, (size_t)n);
		*(side == ATT_GDB ? &p->gdb_last_len : &p->up_last_len) = (size_t)n;
	}
	return 0;
}

int att_gdb_send(struct att_proxy *p, const void *data, size_t len)
{
	return send_packet(p, ATT_GDB, data, len);
}

static int gdb_str(struct att_proxy *p, const char *s)
{
	return att_gdb_send(p, s, strlen(s));
}

int att_gdb_console(struct att_proxy *p, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(text), k = 0;
	char *buf = malloc(2 * n + 2);
	int rc;

	if (!buf)
		return -ENOMEM;
	buf[k++] = 'O';
	for (size_t i = 0; i < n && k + 2 < 2 * n + 2; i++) {
		buf[k++] = hex[(uint8_t)text[i] >> 4];
		buf[k++] = hex[(uint8_t)text[i] & 15];
	}
	rc = att_gdb_send(p, buf, k);
	free(buf);
	return rc;
}

/* Read more bytes of a side into its buffer (blocking up to timeout_ms): >0, 0 on timeout,
 * -EPIPE when it closed, -errno. */
static int fill(struct att_proxy *p, enum att_side side, int timeout_ms)
{
	int ix = side_ix(side), r = p->io->wait(p->ctx, side, timeout_ms);
	long n;

	if (r <= 0)
		return r;
	n = p->io->read(p->ctx, side, p->inbuf[ix], sizeof(p->inbuf[ix]));
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -EPIPE;
	p->inpos[ix] = 0;
	p->inlen[ix] = (size_t)n;
	return 1;
}

/* Feed buffered bytes of a side until an event other than NONE; false when none is left. */
static bool next_event(struct att_proxy *p, enum att_side side, struct rsp_event *ev)
{
	int ix = side_ix(side);

	while (p->inpos[ix] < p->inlen[ix]) {
		rsp_feed(side == ATT_GDB ? p->gdb_rx : p->up_rx, p->inbuf[ix][p->inpos[ix]++], ev);
		if (ev->kind != RSP_EV_NONE)
			return true;
	}
	return false;
}

static int send_ack(struct att_proxy *p, enum att_side side, char ack)
{
	return ack ? p->io->write(p->ctx, side, &ack, 1) : 0;
}

static int resend(struct att_proxy *p, enum att_side side)
{
	size_t n = side == ATT_GDB ? p->gdb_last_len : p->up_last_len;

	return n ? p->io->write(p->ctx, side, side == ATT_GDB ? p->gdb_last : p->up_last, n) : 0;
}

static int upstream_broken(const struct att_proxy *p, const char *why)
{
	return err_set(EPIPE, "attach: upstream %s %s", p->cfg->upstream, why);
}

/* An O packet of console output (hex text), which no reply to strata's queries looks like. */
static bool console_output(const uint8_t *d, size_t len)
{
	if (len < 3 || d[0] != 'O' || !(len & 1))
		return false;
	for (size_t i = 1; i < len; i++)
		if (rsp_hexval(d[i]) < 0)
			return false;
	return true;
}

int att_query(struct att_proxy *p, const char *cmd)
{
	struct rsp_event ev;
	int rc = send_packet(p, ATT_UP, cmd, strlen(cmd));

	if (rc < 0)
		return rc == -EPIPE ? upstream_broken(p, "closed the connection") : rc;
	for (;;) {
		while (next_event(p, ATT_UP, &ev)) {
			switch (ev.kind) {
			case RSP_EV_NAK:
				if ((rc = resend(p, ATT_UP)) < 0)
					return rc;
				break;
			case RSP_EV_BADSUM:
				if (ev.ack)
					send_ack(p, ATT_UP, ev.ack);
				else
					return upstream_broken(p,
							       "sent a packet with a bad checksum");
				break;
			case RSP_EV_ERROR:
				send_ack(p, ATT_UP, ev.ack);
				return upstream_broken(p, "sent a malformed or oversized packet");
			case RSP_EV_PACKET:
				if ((rc = send_ack(p, ATT_UP, ev.ack)) < 0)
					return rc;
				if (console_output(ev.data, ev.len))
					break; /* not the answer: the target printing */
				memcpy(p->reply, ev.data, ev.len);
				p->reply[ev.len] = 0;
				p->reply_len = ev.len;
				return 0;
			default:
				break;
			}
		}
		rc = fill(p, ATT_UP, p->cfg->timeout_ms);
		if (rc == 0)
			return err_set(ETIMEDOUT,
				       "attach: upstream %s did not answer '%.40s' within %d ms",
				       p->cfg->upstream, cmd, p->cfg->timeout_ms);
		if (rc == -EPIPE)
			return upstream_broken(p, "closed the connection");
		if (rc < 0)
			return rc;
	}
}

static uint64_t le_hex(const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0;
	     i + 1 < n && i / 2 < 8 && rsp_hexval(s[i]) >= 0 && rsp_hexval(s[i + 1]) >= 0; i += 2)
		v |= (uint64_t)(rsp_hexval(s[i]) << 4 | rsp_hexval(s[i + 1])) << (i / 2 * 8);
	return v;
}

int att_read_reg(struct att_proxy *p, int regno, uint64_t *val)
{
	char cmd[24];
	int rc;

	snprintf(cmd, sizeof(cmd), "p%x", (unsigned)regno);
	if ((rc = att_query(p, cmd)) < 0)
		return rc;
	if (p->reply_len < 2 || p->reply[0] == 'E' || rsp_hexval(p->reply[0]) < 0)
		return -EIO;
	*val = le_hex((const char *)p->reply, p->reply_len);
	return 0;
}

int att_read_mem(struct att_proxy *p, uint64_t addr, void *buf, size_t len)
{
	char cmd[48];
	uint8_t *b = buf;
	int rc;

	if (len > 1024)
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "m%llx,%zx", (unsigned long long)addr, len);
	if ((rc = att_query(p, cmd)) < 0)
		return rc;
	if (p->reply_len != 2 * len)
		return -EIO;
	for (size_t i = 0; i < len; i++) {
		int hi = rsp_hexval(p->reply[2 * i]), lo = rsp_hexval(p->reply[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EIO;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static bool starts(const uint8_t *d, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && !memcmp(d, pfx, n);
}

static bool is_resume(const uint8_t *d, size_t len)
{
	if (!len)
		return false;
	if (strchr("cCsS", d[0]))
		return true;
	if (starts(d, len, "bc") || starts(d, len, "bs"))
		return len == 2;
	return starts(d, len, "vCont;");
}

static bool is_step(const uint8_t *d, size_t len)
{
	return d[0] == 's' || d[0] == 'S' || (len == 2 && d[1] == 's') ||
	       (starts(d, len, "vCont;") && (memchr(d, 's', len) || memchr(d, 'r', len)));
}

/* qSupported: the upstream's features plus the two documents strata serves, and a packet size
 * strata can receive. */
static int supported(struct att_proxy *p, const uint8_t *d, size_t len)
{
	char *out, *tok, *save = NULL;
	size_t k = 0, cap = 4096 + 2 * RSP_MAX_PACKET;
	int rc = att_query(p, (const char *)d);

	if (rc < 0)
		return rc;
	if (!(out = malloc(cap)))
		return -ENOMEM;
	p->up_features = false;
	for (tok = strtok_r((char *)p->reply, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		if (!strncmp(tok, "qXfer:libraries", 15) || !strncmp(tok, "qXfer:exec-file", 15) ||
		    !strncmp(tok, "QStartNoAckMode", 15) || !strncmp(tok, "qXfer:features", 14) ||
		    !strncmp(tok, "PacketSize=", 11))
			p->up_features |= !strcmp(tok, "qXfer:features:read+");
		else
			k += (size_t)snprintf(out + k, cap - k, "%s;", tok);
		if (k >= cap - 256)
			break;
	}
	/* strata answers QStartNoAckMode itself (also when the upstream, such as kgdb, keeps
	 * acks), and serves target.xml (the upstream's, or one naming the symbol files' arch). */
	k += (size_t)snprintf(
	    out + k, cap - k,
	    "PacketSize=%x;QStartNoAckMode+;%sqXfer:libraries:read+;"
	    "qXfer:exec-file:read+",
	    RSP_MAX_PACKET,
	    p->up_features || att_files_arch(p) != ARCH_UNKNOWN ? "qXfer:features:read+;" : "");
	rc = att_gdb_send(p, out, k);
	free(out);
	return rc;
}

static int noack(struct att_proxy *p)
{
	int rc = att_query(p, "QStartNoAckMode");

	if (rc < 0)
		return rc;
	if (!strcmp((char *)p->reply, "OK")) {
		p->up_noack = true;
		rsp_set_noack(p->up_rx, true);
	}
	rc = gdb_str(p, "OK");
	p->gdb_noack = true;
	rsp_set_noack(p->gdb_rx, true);
	return rc;
}

static int monitor(struct att_proxy *p, const uint8_t *d, size_t len)
{
	char cmd[512];
	size_t n = 0;

	for (size_t i = 6; i + 1 < len && n + 1 < sizeof(cmd); i += 2) {
		int hi = rsp_hexval(d[i]), lo = rsp_hexval(d[i + 1]);

		if (hi < 0 || lo < 0)
			return gdb_str(p, "E01");
		cmd[n++] = (char)(hi << 4 | lo);
	}
	cmd[n] = 0;
	att_tdesc_init(p);
	if (att_monitor(p, cmd))
		return 0;
	p->st = ST_RCMD;
	return send_packet(p, ATT_UP, d, len);
}

static int xfer(struct att_proxy *p, const uint8_t *d, size_t len)
{
	char annex[64];
	const char *s = (const char *)d, *offlen;

	if (starts(d, len, "qXfer:libraries:read::")) {
		att_files_xfer_libs(p, s + 22);
		return 0;
	}
	if (starts(d, len, "qXfer:exec-file:read:")) {
		offlen = strchr(s + 21, ':');
		att_files_xfer_exec(p, offlen ? offlen + 1 : "");
		return 0;
	}
	if (starts(d, len, "qXfer:features:read:")) {
		offlen = strchr(s + 20, ':');
		if (offlen && (size_t)(offlen - (s + 20)) < sizeof(annex)) {
			memcpy(annex, s + 20, (size_t)(offlen - (s + 20)));
			annex[offlen - (s + 20)] = 0;
			att_tdesc_init(p);
			if (att_tdesc_xfer(p, annex, offlen + 1))
				return 0;
		}
		if (!p->up_features) /* strata has no description and the upstream none */
			return gdb_str(p, "E00");
	}
	p->st = ST_REPLY;
	return send_packet(p, ATT_UP, d, len);
}

static int send_note(struct att_proxy *p)
{
	int rc = 0;

	if (p->note[0]) {
		rc = att_gdb_console(p, p->note);
		p->note[0] = 0;
	}
	return rc;
}

static int zfind(const struct att_proxy *p, const char *z)
{
	for (unsigned i = 0; i < p->nz; i++)
		if (!strcmp(p->zset[i], z))
			return (int)i;
	return -1;
}

/* Z/z: note it, or answer a second insertion of one breakpoint at once. */
static bool zpacket(struct att_proxy *p, const uint8_t *d, size_t len)
{
	p->zpending[0] = 0;
	if (len >= sizeof(p->zpending) || (d[0] != 'Z' && d[0] != 'z') || len < 2 ||
	    !strchr("01234", d[1]))
		return false;
	memcpy(p->zpending, d, len);
	p->zpending[len] = 0;
	p->zpending[0] = 'Z';
	if (d[0] == 'Z' && zfind(p, p->zpending) >= 0) {
		p->zpending[0] = 0;
		gdb_str(p, "OK");
		return true;
	}
	if (d[0] == 'z')
		p->zpending[0] = 'z';
	return false;
}

/* GDB's kill makes the upstream's close that follows no error, but only if the upstream was
 * still there when the kill came: an idle all-stop upstream sends nothing on its own, so
 * anything readable now (bytes or its close) came before the kill and ends the session as
 * an upstream failure, whichever of the two strata reads first. */
static bool killed_first(struct att_proxy *p)
{
	int ix = side_ix(ATT_UP);

	return p->inpos[ix] >= p->inlen[ix] && p->io->wait(p->ctx, ATT_UP, 0) <= 0;
}

/* The upstream answered a Z or z. */
static void zreply(struct att_proxy *p, const uint8_t *d, size_t len)
{
	char z = p->zpending[0];
	int i;

	if (!z || len != 2 || memcmp(d, "OK", 2))
		goto out;
	p->zpending[0] = 'Z';
	i = zfind(p, p->zpending);
	if (z == 'Z' && i < 0 && p->nz < sizeof(p->zset) / sizeof(p->zset[0]))
		memcpy(p->zset[p->nz++], p->zpending, sizeof(p->zpending));
	else if (z == 'z' && i >= 0)
		memcpy(p->zset[i], p->zset[--p->nz], sizeof(p->zset[0]));
out:
	p->zpending[0] = 0;
}

static int from_gdb(struct att_proxy *p, const uint8_t *d, size_t len)
{
	int rc;

	if (!len)
		return gdb_str(p, "");
	if (starts(d, len, "qSupported"))
		return supported(p, d, len);
	if (starts(d, len, "QStartNoAckMode"))
		return noack(p);
	if (starts(d, len, "qXfer:"))
		return xfer(p, d, len);
	if (starts(d, len, "qRcmd,"))
		return monitor(p, d, len);
	if (is_resume(d, len) && p->held) { /* GDB resumes after a library stop */
		char *r = p->held;

		p->held = NULL;
		rc = send_note(p);
		if (rc >= 0)
			rc = att_gdb_send(p, r, p->held_len);
		free(r);
		return rc;
	}
	if (is_resume(d, len) || (len == 1 && d[0] == '?')) {
		/* the answer to '?' comes before GDB reads the library list at all */
		p->query_stop = d[0] == '?';
		if (d[0] != '?' && !is_step(d, len) && (rc = att_brk_arm(p)) < 0)
			return rc;
		p->st = ST_RUN;
		return send_packet(p, ATT_UP, d, len);
	}
	if (len == 1 && d[0] == 'k') {
		p->killed = killed_first(p);
		return send_packet(p, ATT_UP, d, len);
	}
	/* GDB kills with vKill;PID when the upstream speaks multiprocess (QEMU): it waits for
	 * the OK, but the upstream may go away first, and that is no error either */
	if (len >= 5 && !memcmp(d, "vKill", 5))
		p->killed = killed_first(p);
	if (zpacket(p, d, len))
		return 0;
	p->st = ST_REPLY;
	return send_packet(p, ATT_UP, d, len);
}

/* A stop reply on its way to GDB: the privilege, the library list, break-on. */
static int on_stop(struct att_proxy *p, const uint8_t *d, size_t len)
{
	char *r;
	size_t k;
	int rc;

	p->st = ST_IDLE;
	if (!len || (d[0] != 'T' && d[0] != 'S') || len > RSP_MAX_PACKET - 32)
		return att_gdb_send(p, d, len);
	if (!(r = malloc(len + 32)))
		return -ENOMEM;
	memcpy(r, d, len);
	r[len] = 0;
	k = len;
	if (att_brk_stop(p, &r, &k)) { /* not the stop asked for: on */
		free(r);
		if ((rc = att_brk_arm(p)) < 0)
			return rc;
		p->st = ST_RUN;
		return send_packet(p, ATT_UP, "c", 1);
	}
	att_tdesc_init(p);
	p->last_priv = att_priv(p);
	rc = 0;
	if (att_files_update(p, p->last_priv) && !p->query_stop) {
		/* first a stop that only says the list changed: GDB re-reads it (and re-resolves
		 * its breakpoints against it), then resumes, and gets the real stop then */
		free(p->held);
		p->held = r;
		p->held_len = k;
		return gdb_str(p, "T05library:;");
	}
	rc = send_note(p);
	if (rc >= 0)
		rc = att_gdb_send(p, r, k);
	free(r);
	return rc;
}

static int from_up(struct att_proxy *p, const uint8_t *d, size_t len)
{
	if (p->st == ST_IDLE)
		return 0; /* nothing asked: a stray packet (a notification) */
	if ((p->st == ST_RUN || p->st == ST_RCMD) && len > 1 && d[0] == 'O' &&
	    !(len == 2 && d[1] == 'K'))
		return att_gdb_send(p, d, len); /* console output */
	if (p->st == ST_RUN)
		return on_stop(p, d, len);
	zreply(p, d, len);
	p->st = ST_IDLE;
	return att_gdb_send(p, d, len);
}

/* The upstream sent something unusable for GDB's command: GDB gets an error reply. */
static int bad_reply(struct att_proxy *p, const char *why)
{
	if (!p->cfg->quiet)
		fprintf(stderr, "strata: attach: upstream %s %s\n", p->cfg->upstream, why);
	if (p->st == ST_IDLE)
		return 0;
	p->st = ST_IDLE;
	return gdb_str(p, "E01");
}

static int up_event(struct att_proxy *p, const struct rsp_event *ev)
{
	int rc;

	switch (ev->kind) {
	case RSP_EV_NAK:
		return resend(p, ATT_UP);
	case RSP_EV_BADSUM:
		if (ev->ack)
			return send_ack(p, ATT_UP, ev->ack);
		return bad_reply(p, "sent a packet with a bad checksum");
	case RSP_EV_ERROR:
		if ((rc = send_ack(p, ATT_UP, ev->ack)) < 0)
			return rc;
		return bad_reply(p, "sent a malformed or oversized packet");
	case RSP_EV_PACKET:
		if ((rc = send_ack(p, ATT_UP, ev->ack)) < 0)
			return rc;
		memcpy(p->cmd, ev->data, ev->len);
		return from_up(p, p->cmd, ev->len);
	default:
		return 0;
	}
}

static int gdb_event(struct att_proxy *p, const struct rsp_event *ev)
{
	int rc;

	switch (ev->kind) {
	case RSP_EV_NAK:
		return resend(p, ATT_GDB);
	case RSP_EV_BADSUM:
		return send_ack(p, ATT_GDB, ev->ack);
	case RSP_EV_ERROR:
		if ((rc = send_ack(p, ATT_GDB, ev->ack)) < 0)
			return rc;
		return gdb_str(p, "E01");
	case RSP_EV_INTERRUPT:
		return p->st == ST_RUN ? p->io->write(p->ctx, ATT_UP, "\x03", 1) : 0;
	case RSP_EV_PACKET:
		if ((rc = send_ack(p, ATT_GDB, ev->ack)) < 0)
			return rc;
		if (p->st != ST_IDLE) /* GDB is all-stop: it waits for the reply */
			return gdb_str(p, "E01");
		memcpy(p->cmd, ev->data, ev->len);
		p->cmd[ev->len] = 0;
		return from_gdb(p, p->cmd, ev->len);
	default:
		return 0;
	}
}

/* The upstream is gone or broken: GDB gets an error for what it waits for, then the session
 * ends (GDB sees the connection close). */
static int upstream_gone(struct att_proxy *p)
{
	char line[300];

	if (!err_msg())
		upstream_broken(p, "closed the connection");
	snprintf(line, sizeof(line), "strata: %s\n", err_msg());
	if (p->st == ST_RUN || p->st == ST_RCMD)
		att_gdb_console(p, line);
	if (p->st != ST_IDLE)
		gdb_str(p, "E01");
	p->st = ST_IDLE;
	return -EPIPE;
}

int att_proxy_run(struct att_proxy *p)
{
	struct rsp_event ev;
	int rc = 0;

	err_clear();
	for (;;) {
		while (rc >= 0 && next_event(p, ATT_UP, &ev))
			rc = up_event(p, &ev);
		while (rc >= 0 && next_event(p, ATT_GDB, &ev))
			rc = gdb_event(p, &ev);
		if (rc == -EPIPE || rc == -ETIMEDOUT)
			return p->killed ? 0 : upstream_gone(p);
		if (rc < 0)
			return rc;
		rc = p->io->wait(p->ctx, ATT_GDB | ATT_UP, -1);
		if (rc < 0)
			return rc;
		if (rc & ATT_UP) {
			rc = fill(p, ATT_UP, 0);
			if (rc == -EPIPE && p->killed)
				return 0;
			if (rc == -EPIPE) {
				err_clear();
				return upstream_gone(p);
			}
			if (rc < 0)
				return rc;
			continue; /* the upstream first: GDB's next packet may depend on it */
		}
		if (rc & ATT_GDB) {
			rc = fill(p, ATT_GDB, 0);
			if (rc == -EPIPE)
				return 0; /* GDB detached or went away */
			if (rc < 0)
				return rc;
		}
		rc = 0;
	}
}

struct att_proxy *att_proxy_new(const struct att_config *cfg, const struct att_io_ops *io,
				void *ctx)
{
	struct att_proxy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cfg = cfg;
	p->io = io;
	p->ctx = ctx;
	p->exec = -1;
	p->priv_reg = -1;
	p->pc_reg = -1;
	p->last_priv = -1;
	p->gdb_rx = rsp_new();
	p->up_rx = rsp_new();
	p->out = malloc(OUT_SIZE);
	p->gdb_last = malloc(OUT_SIZE);
	p->up_last = malloc(OUT_SIZE);
	p->reply = malloc(RSP_MAX_PACKET + 1);
	p->cmd = malloc(RSP_MAX_PACKET + 1);
	if (!p->gdb_rx || !p->up_rx || !p->out || !p->gdb_last || !p->up_last || !p->reply ||
	    !p->cmd) {
		err_set(ENOMEM, "attach: out of memory");
		goto out;
	}
	if (att_files_load(p) < 0)
		goto out;
	return p;
out:
	att_proxy_free(p);
	return NULL;
}

void att_proxy_free(struct att_proxy *p)
{
	if (!p)
		return;
	att_files_free(p);
	rsp_free(p->gdb_rx);
	rsp_free(p->up_rx);
	free(p->out);
	free(p->gdb_last);
	free(p->up_last);
	free(p->reply);
	free(p->cmd);
	free(p->tdesc);
	free(p->regs);
	free(p->held);
	free(p->libxml);
	free(p);
}
