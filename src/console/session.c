/* session — see session.h. */
#define _GNU_SOURCE
#include "console/session.h"
#include "trace/reader.h"
#include "util/err.h"
#include "views/view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define STEP_BYTES (64 * 1024)

struct csess {
	pthread_mutex_t mu;
	pthread_t feeder, reader;
	bool feeder_on, reader_on;
	volatile bool quit;
	int sock;    /* live link, or -1 */
	int src;     /* the trace file, or -1 */
	int pipe_wr; /* feeder -> reader */
	char pipe_path[64];
	uint64_t size; /* replay: the file's size */
	uint64_t fed;
	unsigned replay_ms;
	double played_ms; /* replay clock (speed-scaled) */
	bool to_end;
	struct csess_state st;
	struct live *live;
	struct view_source *vs;
	struct trace_reader *r;
	char line[8192];
	size_t linelen;
	uint64_t tick_ns, prev_instret[CSESS_HARTS];
	struct csess_hart next[CSESS_HARTS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void set_msg(struct csess *s, const char *fmt, const char *arg)
{
	pthread_mutex_lock(&s->mu);
	snprintf(s->st.msg, sizeof(s->st.msg), fmt, arg);
	pthread_mutex_unlock(&s->mu);
}

/* ---- the reader thread ---- */

/* The console must not slow down the run it watches: where both compete for a core, the
 * threads that read and analyse the trace give way (the screen thread keeps its priority). */
static void give_way(void)
{
	setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}

static void *reader_main(void *arg)
{
	struct csess *s = arg;
	give_way();
	struct trace_reader *r = trace_open(s->pipe_path);
	struct tev ev;
	int got = 0, rc = 0;

	if (!r) {
		set_msg(s, "%s", err_msg() ? err_msg() : "cannot read the trace");
		goto out;
	}
	pthread_mutex_lock(&s->mu);
	s->r = r;
	s->vs = view_source_new(r);
	s->live = s->vs ? live_new(view_source_names(), s->vs) : NULL;
	if (s->live) {
		const char *clock = trace_meta(r, "clock");
		s->st.ns_clock = clock && !strcmp(clock, "ns");
		tasks_set_clock_ns(live_tasks_mut(s->live), s->st.ns_clock);
	}
	pthread_mutex_unlock(&s->mu);
	if (!s->live) {
		set_msg(s, "%s", "out of memory");
		goto out;
	}
	while (!s->quit && (got = trace_next(r, &ev)) == 1) {
		pthread_mutex_lock(&s->mu);
		rc = live_feed(s->live, &ev);
		pthread_mutex_unlock(&s->mu);
		if (rc)
			break;
	}
	if (s->quit)
		goto out;
	pthread_mutex_lock(&s->mu);
	if (got < 0)
		snprintf(s->st.msg, sizeof(s->st.msg), "%s; showing what came before",
			 err_msg() ? err_msg() : "corrupt trace");
	else if (rc)
		snprintf(s->st.msg, sizeof(s->st.msg), "reading the trace: %s", strerror(-rc));
	else if (trace_truncated(r) && !s->st.lost)
		snprintf(s->st.msg, sizeof(s->st.msg),
			 "the trace is truncated: showing what it holds");
	live_finish(s->live); /* count the functions still open at the end */
	pthread_mutex_unlock(&s->mu);
out:
	pthread_mutex_lock(&s->mu);
	s->st.reading = false;
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- the feeder thread ---- */

static int start_reader(struct csess *s, const char *path)
{
	int p[2];

	s->src = open(path, O_RDONLY | O_CLOEXEC);
	if (s->src < 0) {
		int e = errno;
		pthread_mutex_lock(&s->mu);
		snprintf(s->st.msg, sizeof(s->st.msg), "%.400s: %s", path, strerror(e));
		pthread_mutex_unlock(&s->mu);
		return -e;
	}
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	snprintf(s->pipe_path, sizeof(s->pipe_path), "/dev/fd/%d", p[0]);
	s->pipe_wr = p[1];
	s->st.reading = true;
	if (pthread_create(&s->reader, NULL, reader_main, s)) {
		s->st.reading = false;
		close(p[0]);
		return -EAGAIN;
	}
	s->reader_on = true;
	/* non-blocking: a reader that stopped (a corrupt trace) must not hang the feeder */
	fcntl(s->pipe_wr, F_SETFL, O_NONBLOCK);
	/* the reader opens its own descriptor of the pipe through pipe_path, so this one stays
	 * open until the reader is done */
	return p[0];
}

/* One line from the run (console.h's server protocol). */
static void link_line(struct csess *s, char *l, int *pipe_rd)
{
	unsigned id, priv;
	unsigned long long pc, n;

	if (!strncmp(l, "trace ", 6)) {
		if (!strcmp(l + 6, "-")) {
			pthread_mutex_lock(&s->mu);
			s->st.no_trace = true;
			pthread_mutex_unlock(&s->mu);
		} else if (s->src < 0) {
			*pipe_rd = start_reader(s, l + 6);
		}
	} else if (sscanf(l, "hart %u %llx %u %llu", &id, &pc, &priv, &n) == 4 &&
		   id < CSESS_HARTS) {
		s->next[id] = (struct csess_hart){true, pc, n, priv, 0};
	} else if (sscanf(l, "tick %llu", &n) == 1) {
		pthread_mutex_lock(&s->mu);
		double us = s->tick_ns && n > s->tick_ns ? (double)(n - s->tick_ns) / 1e3 : 0;
		for (unsigned i = 0; i < CSESS_HARTS; i++) {
			if (!s->next[i].seen)
				continue;
			s->next[i].mips =
			    us > 0 && s->next[i].instret >= s->prev_instret[i]
				? (double)(s->next[i].instret - s->prev_instret[i]) / us
				: 0;
			s->prev_instret[i] = s->next[i].instret;
			s->st.harts[i] = s->next[i];
			if (i + 1 > s->st.nharts)
				s->st.nharts = i + 1;
		}
		s->tick_ns = n;
		pthread_mutex_unlock(&s->mu);
	} else if (sscanf(l, "end %llu", &n) == 1 || !strncmp(l, "end -", 5)) {
		pthread_mutex_lock(&s->mu);
		s->st.ended = true;
		s->st.code = atoi(l + 4);
		pthread_mutex_unlock(&s->mu);
	}
}

/* Read what the run sent (waits up to ms). false when the link is closed. */
static bool link_read(struct csess *s, int ms, int *pipe_rd)
{
	struct pollfd p = {s->sock, POLLIN, 0};

	if (poll(&p, 1, ms) <= 0)
		return true;
	ssize_t n = read(s->sock, s->line + s->linelen, sizeof(s->line) - 1 - s->linelen);
	if (n <= 0)
		return false;
	s->linelen += (size_t)n;
	s->line[s->linelen] = 0;
	char *start = s->line, *nl;
	while ((nl = strchr(start, '\n'))) {
		*nl = 0;
		link_line(s, start, pipe_rd);
		start = nl + 1;
	}
	s->linelen -= (size_t)(start - s->line);
	memmove(s->line, start, s->linelen);
	if (s->linelen == sizeof(s->line) - 1)
		s->linelen = 0; /* a line this long is not ours */
	return true;
}

static bool reading(struct csess *s)
{
	pthread_mutex_lock(&s->mu);
	bool r = s->st.reading;
	pthread_mutex_unlock(&s->mu);
	return r;
}

static bool write_all(struct csess *s, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(s->pipe_wr, b, n);
		if (w > 0) {
			b += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd p = {s->pipe_wr, POLLOUT, 0};
			if (s->quit || !reading(s))
				return false; /* the reader stopped: nothing more to feed */
			poll(&p, 1, 50);
		} else if (!(w < 0 && errno == EINTR)) {
			return false;
		}
	}
	return true;
}

static void *feeder_main(void *arg)
{
	struct csess *s = arg;
	static char buf[STEP_BYTES];
	int pipe_rd = -1;
	bool link = s->sock >= 0, pipe_ok = true, eof_wait = false;
	uint64_t last = now_ns();

	give_way();
	if (!link)
		pipe_rd = start_reader(s, s->st.source);
	while (!s->quit) {
		size_t want = sizeof(buf);
		if (link) {
			if (!link_read(s, eof_wait || s->src < 0 ? 100 : 0, &pipe_rd)) {
				pthread_mutex_lock(&s->mu);
				if (!s->st.ended)
					s->st.lost = true;
				pthread_mutex_unlock(&s->mu);
				link = false;
			}
			if (s->st.ended)
				link = false; /* the trace file is complete: read it to its end */
		} else if (s->sock < 0 && s->replay_ms && !s->to_end) {
			/* replay: feed the file at the pace of the replay clock */
			uint64_t t = now_ns();
			pthread_mutex_lock(&s->mu);
			if (!s->st.paused)
				s->played_ms += (double)(t - last) / 1e6 * s->st.speed;
			double share = s->played_ms / s->replay_ms;
			s->st.progress = s->size ? (double)s->fed / (double)s->size : 1;
			pthread_mutex_unlock(&s->mu);
			last = t;
			uint64_t allowed =
			    share >= 1 ? UINT64_MAX : (uint64_t)(share * (double)s->size);
			if (allowed <= s->fed) {
				usleep(20000);
				continue;
			}
			if (allowed - s->fed < want)
				want = (size_t)(allowed - s->fed);
		}
		if (s->src < 0) {
			if (!link)
				break; /* no trace, and the run is gone */
			continue;
		}
		ssize_t n = pipe_ok ? read(s->src, buf, want) : 0;
		if (n > 0) {
			s->fed += (uint64_t)n;
			pipe_ok = write_all(s, buf, (size_t)n);
			eof_wait = false;
			continue;
		}
		if (link) {
			eof_wait = true; /* live: the run writes more at its next refresh */
			continue;
		}
		break; /* the end of a replay, or of a run that ended or went away */
	}
	pthread_mutex_lock(&s->mu);
	s->st.progress = 1;
	pthread_mutex_unlock(&s->mu);
	if (s->pipe_wr >= 0) {
		close(s->pipe_wr);
		s->pipe_wr = -1;
	}
	if (s->reader_on)
		pthread_join(s->reader, NULL);
	s->reader_on = false;
	if (pipe_rd >= 0)
		close(pipe_rd);
	return NULL;
}

/* ---- public ---- */

static int connect_to(const char *path, unsigned wait_ms)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	uint64_t until = now_ns() + (uint64_t)wait_ms * 1000000ull;

	if (strlen(path) >= sizeof(a.sun_path))
		return err_set(ENAMETOOLONG, "--attach %s: the socket path is too long", path);
	strcpy(a.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return err_set(errno, "--attach: socket: %s", strerror(errno));
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		int e = errno;
		close(fd);
		if ((e != ENOENT && e != ECONNREFUSED) || now_ns() >= until)
			return err_set(e, "--attach %s: %s (is `strata run --console=%s` running?)",
				       path, strerror(e), path);
		usleep(50000);
	}
}

struct csess *csess_open(const struct console_opts *o)
{
	struct csess *s = calloc(1, sizeof(*s));

	if (!s) {
		err_set(ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	s->sock = s->src = s->pipe_wr = -1;
	s->replay_ms = o->replay_ms;
	s->st.speed = 1;
	if (o->attach) {
		snprintf(s->st.source, sizeof(s->st.source), "%s", o->attach);
		s->st.live = true;
		s->sock = connect_to(o->attach, o->wait_ms);
		if (s->sock < 0)
			goto fail;
	} else {
		/* check the file before the screen is taken: a bad file is a one-line error */
		struct trace_reader *r = trace_open(o->trace);
		struct stat st;
		if (!r)
			goto fail;
		trace_close(r);
		if (!stat(o->trace, &st))
			s->size = (uint64_t)st.st_size;
		snprintf(s->st.source, sizeof(s->st.source), "%s", o->trace);
	}
	s->st.reading = true;
	if (pthread_create(&s->feeder, NULL, feeder_main, s)) {
		err_set(EAGAIN, "cannot start a thread");
		goto fail;
	}
	s->feeder_on = true;
	return s;
fail:
	if (s->sock >= 0)
		close(s->sock);
	free(s);
	return NULL;
}

void csess_close(struct csess *s)
{
	if (!s)
		return;
	s->quit = true;
	if (s->feeder_on)
		pthread_join(s->feeder, NULL);
	if (s->sock >= 0)
		close(s->sock);
	if (s->src >= 0)
		close(s->src);
	live_free(s->live);
	view_source_free(s->vs);
	trace_close(s->r);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

void csess_lock(struct csess *s)
{
	pthread_mutex_lock(&s->mu);
}

void csess_unlock(struct csess *s)
{
	pthread_mutex_unlock(&s->mu);
}

struct live *csess_live(struct csess *s)
{
	return s->live;
}

const char *csess_func(struct csess *s, unsigned priv, uint64_t pc)
{
	const struct ana_names_ops *n = view_source_names();
	return s->vs && n->func ? n->func(s->vs, priv, pc) : NULL;
}

void csess_state(struct csess *s, struct csess_state *o)
{
	pthread_mutex_lock(&s->mu);
	*o = s->st;
	if (!s->replay_ms || s->to_end || s->sock >= 0)
		o->progress = s->size ? (double)s->fed / (double)s->size : 0;
	pthread_mutex_unlock(&s->mu);
}

void csess_pause(struct csess *s, bool pause)
{
	pthread_mutex_lock(&s->mu);
	s->st.paused = pause;
	pthread_mutex_unlock(&s->mu);
}

void csess_to_end(struct csess *s)
{
	s->to_end = true;
}

void csess_speed(struct csess *s, double factor)
{
	pthread_mutex_lock(&s->mu);
	s->st.speed *= factor;
	if (s->st.speed < 0.0625)
		s->st.speed = 0.0625;
	if (s->st.speed > 64)
		s->st.speed = 64;
	pthread_mutex_unlock(&s->mu);
}
