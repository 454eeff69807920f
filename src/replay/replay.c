/* replay — `strata replay DIR`: check the recording, then answer the run's console reads and
 * clock reads from the input log, in order. A read the log does not have at that point (the
 * run took another path) is a divergence: the run stops and says where. */
#define _GNU_SOURCE
#include "machine/console.h"
#include "replay/replay.h"
#include "replay/drivefile.h"
#include "replay/rrfile.h"
#include "replay/snapstore.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger logs are refused rather than read whole (a billion clock reads). */
#define MAX_FILE (1ull << 32)

struct rr_cursor {
	const uint8_t *p; /* the next record */
	uint64_t last_ns;
	bool have; /* ev holds the next record of the cursor's kind */
	struct rrf_ev ev;
};

struct rr_play {
	char *dir;
	struct rrf_manifest man;
	uint8_t *log;
	size_t log_len;
	uint64_t log_end_insns;
	/* two cursors over the log: console input (READ, EOF) goes by instruction count, so the
	 * extra run-loop rounds of a debugger's stops do not shift it; clock reads go in order */
	struct rr_cursor con, clk;
	struct rrf_ev cur; /* READ being handed out, from cur_off */
	unsigned cur_off;
	struct machine *m;
	char *work[RRF_MAX_DRIVES]; /* private copies of the drives (NULL: read-only use) */
	uint64_t own_max; /* the replay's own --max-insns ends it before the recording's end */
	uint64_t late, late_at; /* console input given later than recorded: how often, first */
	char diverged[256];
	struct console_hooks hooks;
	struct rr_stored *stored;	  /* the recording's snapshots (rr_play_load_snaps) */
	struct rrd *orig[RRF_MAX_DRIVES]; /* reading a drive's recorded contents, by slot */
};

/* "replay DIR: " before the message a callee recorded (err_msg's buffer is reused). */
static int dir_err(const struct rr_play *p)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", err_msg() ? err_msg() : "error");
	return err_set(EINVAL, "replay %s: %s", p->dir, msg);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* The whole file, bounded; NULL + err_set(). */
static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char *path = join(dir, name);
	uint8_t *buf = NULL;
	struct stat st;
	int fd = -1;
	size_t done = 0;

	if (!path) {
		err_set(ENOMEM, "out of memory");
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(errno, "replay %s: %s: %s", dir, name, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE) {
		err_set(EINVAL, "replay %s: %s: not a regular file of at most 4 GiB", dir, name);
		goto out;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		err_set(ENOMEM, "out of memory");
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + done, (size_t)st.st_size - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			err_set(k ? errno : EIO, "replay %s: %s: read error", dir, name);
			free(buf);
			buf = NULL;
			goto out;
		}
		done += (size_t)k;
	}
	buf[done] = 0;
	*len = done;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return buf;
}

/* Run elsewhere than recorded: relative image paths become the recorded directory's. Run
 * there, they stay as given, so the trace names the same files. */
static int resolve_paths(struct rr_play *p)
{
	char *here = getcwd(NULL, 0);
	bool same = here && p->man.cwd && !strcmp(here, p->man.cwd);

	free(here);
	if (same || !p->man.cwd)
		return 0;
	for (int i = 0; i + 1 < p->man.argc; i++) {
		const char *o = p->man.argv[i];
		char *v = p->man.argv[i + 1], *abs;

		if ((strcmp(o, "-bios") && strcmp(o, "-kernel") && strcmp(o, "-initrd") &&
		     strcmp(o, "-dtb")) ||
		    v[0] == '/' || !strcmp(v, "none"))
			continue;
		if (!(abs = join(p->man.cwd, v)))
			return err_set(ENOMEM, "out of memory");
		free(v);
		p->man.argv[++i] = abs;
	}
	return 0;
}

struct rr_play *rr_play_open(const char *dir)
{
	struct rr_play *p = calloc(1, sizeof(*p));
	uint8_t *text = NULL;
	size_t len = 0;

	if (!p || !(p->dir = strdup(dir))) {
		err_set(ENOMEM, "out of memory");
		goto fail;
	}
	if (!(text = slurp(dir, RRF_MANIFEST, &len)))
		goto fail;
	if (rrf_manifest_parse((const char *)text, len, &p->man) < 0) {
		dir_err(p);
		goto fail;
	}
	if (!p->man.ended) {
		err_set(EINVAL, "replay %s: the recording did not finish (no end line in %s)", dir,
			RRF_MANIFEST);
		goto fail;
	}
	if (!(p->log = slurp(dir, RRF_LOG, &p->log_len)))
		goto fail;
	if (rrf_log_check(p->log, p->log_len, &p->log_end_insns) < 0) {
		dir_err(p);
		goto fail;
	}
	if (p->log_end_insns != p->man.end_insns) {
		err_set(EINVAL, "replay %s: %s ends at instruction %" PRIu64 ", %s at %" PRIu64,
			dir, RRF_MANIFEST, p->man.end_insns, RRF_LOG, p->log_end_insns);
		goto fail;
	}
	p->con.p = p->clk.p = p->log + 8;
	free(text);
	text = NULL;
	if (resolve_paths(p) < 0)
		goto fail;
	return p;
fail:
	free(text);
	rr_play_close(p);
	return NULL;
}

char *const *rr_play_argv(const struct rr_play *p, int *argc)
{
	*argc = p->man.argc;
	return p->man.argv;
}

static const char *image_of(const struct machine_config *cfg, const char *opt)
{
	return !strcmp(opt, "-bios")	 ? cfg->bios
	       : !strcmp(opt, "-kernel") ? cfg->kernel
	       : !strcmp(opt, "-initrd") ? cfg->initrd
	       : !strcmp(opt, "-dtb")	 ? cfg->dtb
					 : NULL;
}

int rr_play_config(struct rr_play *p, struct machine_config *cfg)
{
	char h1[2 * RRF_SHA_LEN + 1], h2[2 * RRF_SHA_LEN + 1];
	uint8_t sha[RRF_SHA_LEN];
	uint64_t size;

	for (unsigned i = 0; i < p->man.nimg; i++) {
		const struct rrf_image *im = &p->man.img[i];
		const char *path = image_of(cfg, im->opt);

		if (!path)
			return err_set(EINVAL,
				       "replay %s: the recording has %s %s, the command line none",
				       p->dir, im->opt, im->path);
		if (rrf_sha_file(path, sha, &size) < 0)
			return dir_err(p);
		if (memcmp(sha, im->sha, RRF_SHA_LEN) || size != im->size) {
			rrf_sha_hex(im->sha, h1);
			rrf_sha_hex(sha, h2);
			return err_set(
			    EINVAL,
			    "replay %s: %s %s changed since the recording (sha256 %.12s... "
			    "recorded, %.12s... now)",
			    p->dir, im->opt, path, h1, h2);
		}
	}
	for (unsigned i = 0; i < p->man.ndrv; i++) {
		const struct rrf_drive *d = &p->man.drv[i];
		char *src = join(p->dir, d->file), tmpl[] = "/tmp/strata-replay-XXXXXX";
		const char *tmpdir = getenv("TMPDIR");
		char *work = NULL;
		int fd, rc;

		if (d->slot >= cfg->ndrives || !cfg->drives[d->slot].file) {
			free(src);
			return err_set(EINVAL,
				       "replay %s: the recording has a drive in slot %u, "
				       "the command line none",
				       p->dir, d->slot);
		}
		if (tmpdir && *tmpdir && asprintf(&work, "%s/strata-replay-XXXXXX", tmpdir) < 0)
			work = NULL;
		if (!src || !(work = work ? work : strdup(tmpl)) || (fd = mkstemp(work)) < 0) {
			free(src);
			free(work);
			return err_set(errno ? errno : ENOMEM,
				       "replay %s: cannot make a working copy "
				       "of %s: %s",
				       p->dir, d->file, strerror(errno ? errno : ENOMEM));
		}
		close(fd);
		p->work[d->slot] = work;
		/* the guest writes to its copy: the recording stays as it was */
		rc = rrd_extract(src, work, sha, &size);
		free(src);
		if (rc < 0)
			return dir_err(p);
		if (memcmp(sha, d->sha, RRF_SHA_LEN) || size != d->size)
			return err_set(EINVAL,
				       "replay %s: %s is not the recorded contents (sha256 "
				       "differs)",
				       p->dir, d->file);
		cfg->drives[d->slot].file = work;
	}
	for (unsigned i = 0; i < cfg->ndrives; i++)
		if (cfg->drives[i].file && !p->work[i])
			return err_set(EINVAL,
				       "replay %s: the command line has a drive in slot %u, "
				       "the recording none",
				       p->dir, i);
	if (p->man.end_kind == RRF_END_STOPPED)
		cfg->max_insns = p->man.end_insns;
	else if (cfg->max_insns && cfg->max_insns < p->man.end_insns)
		p->own_max = cfg->max_insns;
	return 0;
}

static void diverge(struct rr_play *p, const char *what)
{
	if (!p->diverged[0])
		snprintf(p->diverged, sizeof(p->diverged),
			 "the replay diverged at instruction %" PRIu64 ": %s", machine_insns(p->m),
			 what);
	machine_request_stop(p->m, 0);
}

/* The cursor's next record of one of the types in mask (bit per type), or NULL at the end. */
static const struct rrf_ev *peek(struct rr_play *p, struct rr_cursor *c, unsigned mask)
{
	while (!c->have) {
		/* the whole log was checked when it was opened */
		if (rrf_ev_decode(&c->p, p->log + p->log_len, &c->last_ns, &c->ev) != 1 ||
		    c->ev.type == RRF_EV_END)
			return NULL;
		c->have = (mask >> c->ev.type) & 1;
	}
	return &c->ev;
}

static int play_read(void *ctx, uint8_t *buf, size_t max)
{
	struct rr_play *p = ctx;
	const struct rrf_ev *e;
	uint64_t now = machine_insns(p->m);
	size_t n;

	if (p->diverged[0])
		return -1;
	if (p->cur_off >= p->cur.len) {
		e = peek(p, &p->con, 1u << RRF_EV_READ | 1u << RRF_EV_EOF);
		if (!e || e->insns > now)
			return 0; /* nothing yet (after the log's end: the run stops at END) */
		/* later than recorded: a debugger's stops ended run-loop rounds early, so the
		 * round boundary the recording read at is gone (docs/REPLAY.md); the end of the
		 * run shows whether it mattered */
		if (e->insns < now && e->type == RRF_EV_READ && !p->late++)
			p->late_at = e->insns;
		p->con.have = false;
		if (e->type == RRF_EV_EOF)
			return -1;
		p->cur = *e;
		p->cur_off = 0;
	}
	n = p->cur.len - p->cur_off < max ? p->cur.len - p->cur_off : max;
	memcpy(buf, p->cur.data + p->cur_off, n);
	p->cur_off += (unsigned)n;
	return (int)n;
}

static uint64_t play_clock(void *ctx)
{
	struct rr_play *p = ctx;
	const struct rrf_ev *e;

	if (p->diverged[0])
		return p->clk.last_ns;
	e = peek(p, &p->clk, 1u << RRF_EV_CLOCK);
	if (!e) {
		diverge(p, "it read the clock more often than the recording");
		return p->clk.last_ns;
	}
	p->clk.have = false;
	return e->count;
}

void rr_play_attach(struct rr_play *p, struct machine *m)
{
	p->m = m;
	p->hooks = (struct console_hooks){.ctx = p, .read = play_read};
	console_set_hooks(&p->hooks);
	machine_set_host_clock(m, play_clock, p);
}

int rr_play_finish(struct rr_play *p, struct machine *m, enum machine_exit why, int *status)
{
	uint64_t n = machine_insns(m);

	console_set_hooks(NULL);
	machine_set_host_clock(m, NULL, NULL);
	if (p->diverged[0])
		return err_set(EINVAL, "replay %s: %s", p->dir, p->diverged);
	if (p->own_max) {
		if (why != MACHINE_EXIT_MAX_INSNS || n != p->own_max)
			return err_set(EINVAL,
				       "replay %s: the replay ended at instruction %" PRIu64
				       " before its --max-insns %" PRIu64,
				       p->dir, n, p->own_max);
		return 0;
	}
	if (p->man.end_kind == RRF_END_STOPPED) {
		if (why != MACHINE_EXIT_MAX_INSNS || n != p->man.end_insns)
			return err_set(EINVAL,
				       "replay %s: the replay ended at instruction %" PRIu64
				       " (%d), the recording was stopped at %" PRIu64,
				       p->dir, n, *status, p->man.end_insns);
		*status = p->man.end_code;
		return 0;
	}
	if (n != p->man.end_insns || *status != p->man.end_code)
		return err_set(EINVAL,
			       "replay %s: the replay ended at instruction %" PRIu64
			       " with status %d, the recording at %" PRIu64 " with %d (%s)%s",
			       p->dir, n, *status, p->man.end_insns, p->man.end_code,
			       rrf_end_name(p->man.end_kind),
			       p->late ? "; console input came later than recorded (debugger stops)"
				       : "");
	return 0;
}

void rr_play_close(struct rr_play *p)
{
	if (!p)
		return;
	rr_stored_free(p->stored);
	for (unsigned i = 0; i < RRF_MAX_DRIVES; i++)
		rrd_close(p->orig[i]);
	for (unsigned i = 0; i < RRF_MAX_DRIVES; i++) {
		if (p->work[i])
			unlink(p->work[i]);
		free(p->work[i]);
	}
	rrf_manifest_free(&p->man);
	free(p->log);
	free(p->dir);
	free(p);
}

/* the cursors point into the log, which stays where it is for the replay's life */
struct play_state {
	struct rr_cursor con, clk;
	struct rrf_ev cur;
	unsigned cur_off;
};

size_t rr_play_state_size(void)
{
	return sizeof(struct play_state);
}

void rr_play_state_save(void *pp, void *buf)
{
	struct rr_play *p = pp;
	struct play_state st = {p->con, p->clk, p->cur, p->cur_off};

	memcpy(buf, &st, sizeof(st));
}

void rr_play_state_restore(void *pp, const void *buf)
{
	struct rr_play *p = pp;
	struct play_state st;

	memcpy(&st, buf, sizeof(st));
	p->con = st.con;
	p->clk = st.clk;
	p->cur = st.cur;
	p->cur_off = st.cur_off;
}

/* ---- stored snapshots ---- */

static const struct rrf_drive *drive_in(const struct rr_play *p, unsigned slot)
{
	for (unsigned i = 0; i < p->man.ndrv; i++)
		if (p->man.drv[i].slot == slot)
			return &p->man.drv[i];
	return NULL;
}

static int orig_rewind(void *ctx, unsigned slot)
{
	struct rr_play *p = ctx;
	const struct rrf_drive *d = drive_in(p, slot);
	char *path;

	if (!d || slot >= RRF_MAX_DRIVES || !(path = join(p->dir, d->file)))
		return -EINVAL;
	rrd_close(p->orig[slot]);
	p->orig[slot] = rrd_open(path);
	free(path);
	return p->orig[slot] ? 0 : -EIO;
}

static int orig_next(void *ctx, unsigned slot, uint8_t *buf)
{
	struct rr_play *p = ctx;
	long n = p->orig[slot] ? rrd_read(p->orig[slot], buf, 4096) : -EIO;

	if (n < 0)
		return -EIO;
	memset(buf + n, 0, 4096 - (size_t)n);
	return 0;
}

/* Every snapshot's log position is the start of a record, with the clock value there. */
static int check_log_pos(struct rr_play *p)
{
	const uint8_t *q = p->log + 8, *end = p->log + p->log_len;
	uint64_t ns = 0, off, last;
	struct rrf_ev e;

	for (unsigned k = 0; k < rr_stored_count(p->stored); k++) {
		rr_stored_log_pos(p->stored, k, &off, &last);
		while ((uint64_t)(q - p->log) < off && rrf_ev_decode(&q, end, &ns, &e) == 1)
			;
		if ((uint64_t)(q - p->log) != off || ns != last)
			return err_set(EINVAL,
				       "replay %s: %s: its input log position (byte %" PRIu64
				       ") is not where the log was at instruction %" PRIu64,
				       p->dir, p->man.snap[k].file, off, p->man.snap[k].insns);
	}
	return 0;
}

int rr_play_load_snaps(struct rr_play *p, struct machine *m)
{
	struct rr_drive_src src = {p, orig_rewind, orig_next};

	if (!p->man.nsnap)
		return 0;
	if (!(p->stored = rr_stored_open(p->dir, &p->man, m, &src)))
		return dir_err(p);
	return check_log_pos(p);
}

struct rr_stored *rr_play_stored(const struct rr_play *p)
{
	return p->stored;
}

void rr_play_seek(void *pp, uint64_t log_off, uint64_t last_ns)
{
	struct rr_play *p = pp;

	p->con = p->clk = (struct rr_cursor){.p = p->log + log_off, .last_ns = last_ns};
	p->cur.len = 0;
	p->cur_off = 0;
}
