/* record — `strata run --record DIR`: the manifest at the start, the input log while running
 * (console reads and clock reads in the order the run made them), the end at the end. */
#include "machine/console.h"
#include "replay/drivefile.h"
#include "replay/replay.h"
#include "replay/rrfile.h"
#include "replay/snapstore.h"
#include "util/crash.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_BUF (64 * 1024)

struct rr_rec {
	char *dir;
	struct rrf_manifest man;
	struct machine *m;
	int fd;		      /* the input log */
	uint8_t buf[LOG_BUF]; /* records not written yet */
	size_t len;
	uint64_t none;	  /* console reads in a row that found nothing, not logged yet */
	uint64_t last_ns; /* the previous clock read (deltas) */
	bool eof, failed;
	int err;
	uint64_t written; /* bytes of the log in the file */
	struct console_hooks hooks;
	struct rr_storew *store; /* stored snapshots, or NULL */
	uint64_t every;
};

static void flush_buf(struct rr_rec *r)
{
	size_t done = 0;

	while (done < r->len && !r->failed) {
		ssize_t k = write(r->fd, r->buf + done, r->len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r->failed = true;
			r->err = k < 0 ? errno : EIO;
		} else {
			done += (size_t)k;
		}
	}
	r->written += r->len;
	r->len = 0;
}

/* a crash of strata: what was logged so far reaches the file (write(2) only) */
static void on_crash(void *ctx)
{
	struct rr_rec *r = ctx;

	if (write(r->fd, r->buf, r->len) < 0)
		return;
}

static void put(struct rr_rec *r, const struct rrf_ev *e)
{
	if (r->none && e->type != RRF_EV_NONE) {
		struct rrf_ev n = {.type = RRF_EV_NONE, .count = r->none};
		r->none = 0;
		put(r, &n);
	}
	if (r->len + RRF_EV_MAX > sizeof(r->buf))
		flush_buf(r);
	r->len += rrf_ev_encode(e, &r->last_ns, r->buf + r->len);
}

static void seen(void *ctx, int n, const uint8_t *buf)
{
	struct rr_rec *r = ctx;
	struct rrf_ev e = {.insns = machine_insns(r->m)};

	if (r->eof)
		return;
	if (n == 0) {
		r->none++; /* every round asks: keep the log small */
		return;
	}
	if (n < 0) {
		e.type = RRF_EV_EOF;
		r->eof = true;
		put(r, &e);
		return;
	}
	for (int done = 0; done < n;) {
		int k = n - done > RRF_MAX_READ ? RRF_MAX_READ : n - done;
		e.type = RRF_EV_READ;
		e.len = (uint8_t)k;
		memcpy(e.data, buf + done, (size_t)k);
		put(r, &e);
		done += k;
	}
}

static uint64_t clock_read(void *ctx)
{
	struct rr_rec *r = ctx;
	struct timespec ts;
	struct rrf_ev e = {.type = RRF_EV_CLOCK};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	e.count = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	put(r, &e);
	return e.count;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int write_manifest(struct rr_rec *r)
{
	char *path = join(r->dir, RRF_MANIFEST), *tmp = join(r->dir, RRF_MANIFEST ".tmp");
	FILE *f = NULL;
	int ret = 0;

	if (!path || !tmp) {
		ret = err_set(ENOMEM, "out of memory");
		goto out;
	}
	/* written whole, then renamed: a manifest is never half there */
	if (!(f = fopen(tmp, "w")) || rrf_manifest_write(f, &r->man) < 0) {
		ret = err_set(errno ? errno : EIO, "--record %s: cannot write %s: %s", r->dir, tmp,
			      strerror(errno ? errno : EIO));
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		f = NULL;
		ret = err_set(errno, "--record %s: cannot write %s: %s", r->dir, path,
			      strerror(errno));
		goto out;
	}
	f = NULL;
out:
	if (f)
		fclose(f);
	free(path);
	free(tmp);
	return ret;
}

static int add_image(struct rr_rec *r, const char *opt, const char *path)
{
	struct rrf_image *im = &r->man.img[r->man.nimg];

	if (!path)
		return 0;
	snprintf(im->opt, sizeof(im->opt), "%s", opt);
	if (!(im->path = realpath(path, NULL)))
		return err_set(errno, "%s %s: %s", opt, path, strerror(errno));
	r->man.nimg++;
	return rrf_sha_file(path, im->sha, &im->size);
}

struct rr_rec *rr_rec_open(const char *dir, int argc, char *const *argv,
			   const struct machine_config *cfg)
{
	struct rr_rec *r = calloc(1, sizeof(*r));
	char *log = NULL;

	if (!r || !(r->dir = strdup(dir)) ||
	    !(r->man.argv = calloc((size_t)argc + 1, sizeof(char *)))) {
		err_set(ENOMEM, "out of memory");
		goto fail;
	}
	r->fd = -1;
	if (!(r->man.cwd = getcwd(NULL, 0))) {
		err_set(errno, "--record: the working directory: %s", strerror(errno));
		goto fail;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err_set(errno, "--record %s: %s", dir, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < argc; i++)
		if (!(r->man.argv[r->man.argc++] = strdup(argv[i]))) {
			err_set(ENOMEM, "out of memory");
			goto fail;
		}
	if (add_image(r, "-bios", cfg->bios) < 0 || add_image(r, "-kernel", cfg->kernel) < 0 ||
	    add_image(r, "-initrd", cfg->initrd) < 0 || add_image(r, "-dtb", cfg->dtb) < 0)
		goto fail;
	for (unsigned i = 0; i < cfg->ndrives; i++) {
		struct rrf_drive *d = &r->man.drv[r->man.ndrv];
		char *dst;

		if (!cfg->drives[i].file)
			continue;
		d->slot = i;
		snprintf(d->file, sizeof(d->file), "drive%u.img" RRD_SUFFIX, i);
		if (!(dst = join(dir, d->file))) {
			err_set(ENOMEM, "out of memory");
			goto fail;
		}
		int rc = rrd_store(cfg->drives[i].file, dst, d->sha, &d->size);
		free(dst);
		if (rc < 0)
			goto fail;
		r->man.ndrv++;
	}
	if (write_manifest(r) < 0 || !(log = join(dir, RRF_LOG)))
		goto fail;
	r->fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		err_set(errno, "--record %s: %s: %s", dir, log, strerror(errno));
		goto fail;
	}
	free(log);
	memcpy(r->buf, RRF_LOG_MAGIC, 8);
	r->len = 8;
	return r;
fail:
	free(log);
	if (r) {
		if (r->fd >= 0)
			close(r->fd);
		rrf_manifest_free(&r->man);
		free(r->dir);
		free(r);
	}
	return NULL;
}

void rr_rec_attach(struct rr_rec *r, struct machine *m)
{
	r->m = m;
	r->hooks = (struct console_hooks){.ctx = r, .seen = seen};
	console_set_hooks(&r->hooks);
	machine_set_host_clock(m, clock_read, r);
	crash_on(on_crash, r);
}

/* The run loop, every r->every instructions: a stored snapshot, with where the log is (the
 * pending run of empty reads goes after it: a replay's cursors skip those). */
static uint64_t periodic(void *ctx, uint64_t insns)
{
	struct rr_rec *r = ctx;

	if (rr_storew_take(r->store, r->written + r->len, r->last_ns) < 0) {
		fprintf(stderr,
			"strata: %s; no more snapshots are stored (the recording stays "
			"valid)\n",
			err_msg());
		return UINT64_MAX;
	}
	return insns + r->every;
}

int rr_rec_snapshots(struct rr_rec *r, uint64_t every)
{
	if (!(r->store = rr_storew_new(r->dir, r->m)))
		return -ENOMEM;
	r->every = every;
	machine_set_periodic(r->m, 0, periodic, r);
	return 0;
}

void rr_rec_stats(struct rr_rec *r, FILE *f)
{
	uint64_t drives = 0, snaps = 0, raw = 0, touched = 0;
	struct stat st;
	unsigned n = 0;

	for (unsigned i = 0; i < r->man.ndrv; i++) {
		char *p = join(r->dir, r->man.drv[i].file);
		if (p && stat(p, &st) == 0)
			drives += (uint64_t)st.st_size;
		free(p);
	}
	if (r->store) {
		rr_storew_list(r->store, &n);
		rr_storew_bytes(r->store, &snaps, &raw);
		touched = rr_storew_touched(r->store);
	}
	fprintf(f,
		"strata: recording %s: %" PRIu64 " KiB: drive copies %" PRIu64
		" KiB, %u snapshots %" PRIu64 " KiB (%" PRIu64
		" KiB uncompressed), input log %" PRIu64 " bytes; RAM touched %" PRIu64 " KiB\n",
		r->dir, (drives + snaps + r->written + r->len + 1023) / 1024, drives / 1024, n,
		snaps / 1024, raw / 1024, r->written + r->len, touched / 1024);
}

int rr_rec_close(struct rr_rec *r, struct machine *m, enum machine_exit why, int status)
{
	struct rrf_ev e = {.type = RRF_EV_END, .insns = machine_insns(m)};
	int ret = 0;

	if (!r)
		return 0;
	crash_off(on_crash, r);
	if (r->store) {
		const struct rrf_snap *l = rr_storew_list(r->store, &r->man.nsnap);
		machine_set_periodic(m, UINT64_MAX, NULL, NULL);
		if (r->man.nsnap && (r->man.snap = malloc(r->man.nsnap * sizeof(*l))))
			memcpy(r->man.snap, l, r->man.nsnap * sizeof(*l));
		else
			r->man.nsnap = 0;
		rr_storew_free(r->store);
	}
	console_set_hooks(NULL);
	machine_set_host_clock(m, NULL, NULL);
	put(r, &e);
	flush_buf(r);
	if (fsync(r->fd) < 0 && !r->failed) {
		r->failed = true;
		r->err = errno;
	}
	close(r->fd);
	if (r->failed) {
		ret = err_set(r->err, "--record %s: writing " RRF_LOG ": %s", r->dir,
			      strerror(r->err));
		goto out;
	}
	r->man.ended = true;
	r->man.end_insns = e.insns;
	r->man.end_code = status;
	switch (why) {
	case MACHINE_EXIT_GUEST:
		/* Ctrl-A x and the debugger's kill end the run without the guest asking */
		r->man.end_kind = machine_stop_requested(m) ? RRF_END_GUEST : RRF_END_STOPPED;
		break;
	case MACHINE_EXIT_MAX_INSNS:
		r->man.end_kind = RRF_END_MAX_INSNS;
		break;
	case MACHINE_EXIT_STUCK:
		r->man.end_kind = RRF_END_STUCK;
		break;
	case MACHINE_EXIT_ERROR:
		r->man.end_kind = RRF_END_ERROR;
		break;
	case MACHINE_EXIT_SIGNAL:
		r->man.end_kind = RRF_END_STOPPED;
		break;
	}
	ret = write_manifest(r);
out:
	rrf_manifest_free(&r->man);
	free(r->dir);
	free(r);
	return ret;
}
