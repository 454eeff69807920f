/* rrfile — reading and writing the recording directory's manifest and input log. */
#include "replay/rrfile.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const end_names[RRF_END_NKINDS] = {"guest", "max-insns", "stuck", "error",
						      "stopped"};

const char *rrf_end_name(enum rrf_end_kind k)
{
	return (unsigned)k < RRF_END_NKINDS ? end_names[k] : "?";
}

/* ---- manifest ---- */

/* Bytes that would break the line format (space, controls, '%', non-ASCII) become %XX. */
static void put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == '%')
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
	}
}

void rrf_sha_hex(const uint8_t sha[RRF_SHA_LEN], char hex[2 * RRF_SHA_LEN + 1])
{
	for (int i = 0; i < RRF_SHA_LEN; i++)
		sprintf(hex + 2 * i, "%02x", sha[i]);
}

int rrf_manifest_write(FILE *f, const struct rrf_manifest *m)
{
	char hex[2 * RRF_SHA_LEN + 1];

	fprintf(f, "strata-replay %u\n", RRF_VERSION);
	if (m->cwd) {
		fputs("cwd ", f);
		put_escaped(f, m->cwd);
		fputc('\n', f);
	}
	for (int i = 0; i < m->argc; i++) {
		fputs("arg ", f);
		put_escaped(f, m->argv[i]);
		fputc('\n', f);
	}
	for (unsigned i = 0; i < m->nimg; i++) {
		rrf_sha_hex(m->img[i].sha, hex);
		fprintf(f, "image %s %" PRIu64 " %s ", m->img[i].opt, m->img[i].size, hex);
		put_escaped(f, m->img[i].path);
		fputc('\n', f);
	}
	for (unsigned i = 0; i < m->ndrv; i++) {
		rrf_sha_hex(m->drv[i].sha, hex);
		fprintf(f, "drive %u %" PRIu64 " %s %s\n", m->drv[i].slot, m->drv[i].size, hex,
			m->drv[i].file);
	}
	for (unsigned i = 0; i < m->nsnap; i++)
		fprintf(f, "snap %" PRIu64 " %s\n", m->snap[i].insns, m->snap[i].file);
	if (m->ended)
		fprintf(f, "end %s %d %" PRIu64 "\n", rrf_end_name(m->end_kind), m->end_code,
			m->end_insns);
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undo put_escaped on [s, e) into a new string; NULL if malformed or too long. */
static char *unescape(const char *s, const char *e)
{
	char *out, *w;

	if (e - s > 3 * RRF_MAX_ARG || !(out = malloc((size_t)(e - s) + 1)))
		return NULL;
	for (w = out; s < e; s++) {
		if (*s != '%') {
			if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
				goto bad;
			*w++ = *s;
			continue;
		}
		if (e - s < 3 || hexval(s[1]) < 0 || hexval(s[2]) < 0)
			goto bad;
		*w = (char)(hexval(s[1]) << 4 | hexval(s[2]));
		if (!*w)
			goto bad; /* an argument cannot hold NUL */
		w++;
		s += 2;
	}
	*w = '\0';
	if (w - out > RRF_MAX_ARG)
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

/* The next space-separated word of [*s, e): its bounds, *s moves past it and one space. */
static bool word(const char **s, const char *e, const char **ws, const char **we)
{
	const char *p = *s;

	*ws = p;
	while (p < e && *p != ' ')
		p++;
	*we = p;
	*s = p < e ? p + 1 : p;
	return *we > *ws;
}

static bool parse_u64(const char *s, const char *e, uint64_t *v)
{
	uint64_t x = 0;

	if (s == e || e - s > 20)
		return false;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return true;
}

static bool parse_sha(const char *s, const char *e, uint8_t sha[RRF_SHA_LEN])
{
	if (e - s != 2 * RRF_SHA_LEN)
		return false;
	for (int i = 0; i < RRF_SHA_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		sha[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static int parse_line(struct rrf_manifest *m, const char *s, const char *e)
{
	const char *ks, *ke, *a, *b;
	uint64_t v;

	word(&s, e, &ks, &ke);
#define KEY(k) ((size_t)(ke - ks) == sizeof(k) - 1 && !memcmp(ks, k, sizeof(k) - 1))
	if (KEY("arg")) {
		char **nv;
		if (m->argc >= RRF_MAX_ARGS)
			return -1;
		if (!(nv = realloc(m->argv, (size_t)(m->argc + 2) * sizeof(*nv))))
			return -1;
		m->argv = nv;
		if (!(nv[m->argc] = unescape(s, e)))
			return -1;
		nv[++m->argc] = NULL;
		return 0;
	}
	if (KEY("cwd")) {
		if (m->cwd || m->argc || !(m->cwd = unescape(s, e)) || m->cwd[0] != '/')
			return -1;
		return 0;
	}
	if (KEY("image")) {
		struct rrf_image *im = &m->img[m->nimg];
		if (m->nimg >= RRF_MAX_IMAGES || !word(&s, e, &a, &b) ||
		    b - a >= (long)sizeof(im->opt))
			return -1;
		memcpy(im->opt, a, (size_t)(b - a));
		im->opt[b - a] = '\0';
		if (!word(&s, e, &a, &b) || !parse_u64(a, b, &im->size) || !word(&s, e, &a, &b) ||
		    !parse_sha(a, b, im->sha) || s >= e || !(im->path = unescape(s, e)))
			return -1;
		m->nimg++;
		return 0;
	}
	if (KEY("drive")) {
		struct rrf_drive *d = &m->drv[m->ndrv];
		if (m->ndrv >= RRF_MAX_DRIVES || !word(&s, e, &a, &b) || !parse_u64(a, b, &v) ||
		    v >= RRF_MAX_DRIVES || !word(&s, e, &a, &b) || !parse_u64(a, b, &d->size) ||
		    !word(&s, e, &a, &b) || !parse_sha(a, b, d->sha) || !word(&s, e, &a, &b) ||
		    s != e || b - a >= (long)sizeof(d->file))
			return -1;
		d->slot = (unsigned)v;
		memcpy(d->file, a, (size_t)(b - a));
		d->file[b - a] = '\0';
		/* a name inside the directory, nothing else */
		if (strchr(d->file, '/') || d->file[0] == '.')
			return -1;
		m->ndrv++;
		return 0;
	}
	if (KEY("snap")) {
		struct rrf_snap *sn;
		if (m->version < 2 || m->nsnap >= RRF_MAX_SNAPS || !word(&s, e, &a, &b) ||
		    !parse_u64(a, b, &v) || (m->nsnap && v <= m->snap[m->nsnap - 1].insns) ||
		    !word(&s, e, &a, &b) || s != e || b - a >= (long)sizeof(sn->file) ||
		    *a == '.' || memchr(a, '/', (size_t)(b - a)))
			return -1;
		if (!(m->nsnap & (m->nsnap - 1))) { /* 0 or a power of two: full */
			sn = realloc(m->snap, (m->nsnap ? 2 * m->nsnap : 1) * sizeof(*sn));
			if (!sn)
				return -1;
			m->snap = sn;
		}
		sn = &m->snap[m->nsnap++];
		sn->insns = v;
		memcpy(sn->file, a, (size_t)(b - a));
		sn->file[b - a] = '\0';
		return 0;
	}
	if (KEY("end")) {
		uint64_t c;
		int k;
		if (m->ended || !word(&s, e, &a, &b))
			return -1;
		for (k = 0; k < RRF_END_NKINDS; k++)
			if ((size_t)(b - a) == strlen(end_names[k]) &&
			    !memcmp(a, end_names[k], (size_t)(b - a)))
				break;
		if (k == RRF_END_NKINDS || !word(&s, e, &a, &b))
			return -1;
		bool neg = *a == '-';
		if (!parse_u64(a + neg, b, &c) || c > 255 || !word(&s, e, &a, &b) ||
		    !parse_u64(a, b, &m->end_insns) || s != e)
			return -1;
		m->end_kind = (enum rrf_end_kind)k;
		m->end_code = neg ? -(int)c : (int)c;
		m->ended = true;
		return 0;
	}
#undef KEY
	return -1;
}

int rrf_manifest_parse(const char *text, size_t len, struct rrf_manifest *m)
{
	const char *p = text, *end = text + len, *nl;
	unsigned line = 1;
	char head[32];

	memset(m, 0, sizeof(*m));
	nl = memchr(p, '\n', len);
	if (!nl || nl - p >= (long)sizeof(head))
		return err_set(EINVAL,
			       "manifest: not a strata recording (no 'strata-replay N' line)");
	memcpy(head, p, (size_t)(nl - p));
	head[nl - p] = '\0';
	if (sscanf(head, "strata-replay %u", &m->version) != 1)
		return err_set(EINVAL,
			       "manifest: not a strata recording (no 'strata-replay N' line)");
	if (m->version < 1 || m->version > RRF_VERSION)
		return err_set(EINVAL,
			       "manifest: format version %u, this strata reads versions 1 to %u",
			       m->version, RRF_VERSION);
	for (p = nl + 1; p < end; p = nl + 1) {
		line++;
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			goto bad; /* every line ends with a newline: a missing one is a cut file */
		if (m->ended || parse_line(m, p, nl) < 0)
			goto bad;
	}
	if (!m->argc) {
		rrf_manifest_free(m);
		return err_set(EINVAL, "manifest: no command line (no 'arg' lines)");
	}
	return 0;
bad:
	rrf_manifest_free(m);
	return err_set(EINVAL, "manifest line %u: malformed or out of place", line);
}

void rrf_manifest_free(struct rrf_manifest *m)
{
	for (int i = 0; i < m->argc; i++)
		free(m->argv[i]);
	free(m->argv);
	for (unsigned i = 0; i < m->nimg; i++)
		free(m->img[i].path);
	free(m->cwd);
	free(m->snap);
	memset(m, 0, sizeof(*m));
}

/* ---- input log ---- */

static uint8_t *put_u(uint8_t *b, uint64_t v)
{
	while (v >= 0x80) {
		*b++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*b++ = (uint8_t)v;
	return b;
}

/* 1, 0 when the bytes end first (a cut file), -1 when malformed. */
static int get_u(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return 0;
		uint8_t c = *(*p)++;
		if (shift == 63 && c > 1)
			return -1;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 1;
		}
	}
	return -1;
}

size_t rrf_ev_encode(const struct rrf_ev *e, uint64_t *last_ns, uint8_t *buf)
{
	uint8_t *b = buf;

	*b++ = e->type;
	switch (e->type) {
	case RRF_EV_READ:
		b = put_u(b, e->insns);
		*b++ = e->len;
		memcpy(b, e->data, e->len);
		b += e->len;
		break;
	case RRF_EV_NONE:
		b = put_u(b, e->count);
		break;
	case RRF_EV_EOF:
	case RRF_EV_END:
		b = put_u(b, e->insns);
		break;
	case RRF_EV_CLOCK: /* zigzag delta: the clock is monotonic, but be safe */
		b = put_u(b, (e->count - *last_ns) << 1 ^
				 (uint64_t)((int64_t)(e->count - *last_ns) >> 63));
		*last_ns = e->count;
		break;
	}
	return (size_t)(b - buf);
}

int rrf_ev_decode(const uint8_t **p, const uint8_t *end, uint64_t *last_ns, struct rrf_ev *e)
{
	const uint8_t *q = *p;
	uint64_t z;
	int r = 1;

	if (q >= end)
		return 0;
	memset(e, 0, offsetof(struct rrf_ev, data));
	e->type = *q++;
	switch (e->type) {
	case RRF_EV_READ:
		if ((r = get_u(&q, end, &e->insns)) < 1 || (r = q < end) == 0)
			goto bad;
		e->len = *q++;
		if (!e->len)
			return -EINVAL;
		if ((size_t)(end - q) < e->len) {
			r = 0;
			goto bad;
		}
		memcpy(e->data, q, e->len);
		q += e->len;
		break;
	case RRF_EV_NONE:
		if ((r = get_u(&q, end, &e->count)) < 1)
			goto bad;
		if (!e->count)
			return -EINVAL;
		break;
	case RRF_EV_EOF:
	case RRF_EV_END:
		if ((r = get_u(&q, end, &e->insns)) < 1)
			goto bad;
		break;
	case RRF_EV_CLOCK:
		if ((r = get_u(&q, end, &z)) < 1)
			goto bad;
		e->count = *last_ns + (z >> 1 ^ (uint64_t) - (int64_t)(z & 1));
		*last_ns = e->count;
		break;
	default:
		return -EINVAL;
	}
	*p = q;
	return 1;
bad:
	return r == 0 ? -ENODATA : -EINVAL;
}

int rrf_log_check(const uint8_t *buf, size_t len, uint64_t *end_insns)
{
	const uint8_t *p = buf + 8, *end = buf + len;
	uint64_t ns = 0, insns = 0;
	struct rrf_ev e;
	bool eof = false;
	int r;

	if (len < 8 || memcmp(buf, RRF_LOG_MAGIC, 8))
		return err_set(EINVAL, RRF_LOG ": not a strata input log (bad magic)");
	while ((r = rrf_ev_decode(&p, end, &ns, &e)) == 1) {
		/* console input comes in instruction order and nothing after its end */
		if ((e.type == RRF_EV_READ || e.type == RRF_EV_EOF || e.type == RRF_EV_END) &&
		    e.insns < insns)
			goto bad;
		if (e.type == RRF_EV_READ || e.type == RRF_EV_EOF || e.type == RRF_EV_END)
			insns = e.insns;
		if ((e.type == RRF_EV_READ || e.type == RRF_EV_NONE || e.type == RRF_EV_EOF) && eof)
			goto bad;
		eof |= e.type == RRF_EV_EOF;
		if (e.type == RRF_EV_END) {
			if (p != end)
				goto bad;
			*end_insns = e.insns;
			return 0;
		}
	}
	if (r < 0 && r != -ENODATA)
		goto bad;
	return err_set(EINVAL,
		       RRF_LOG ": truncated at byte %zu (no END record: the recording "
			       "did not finish)",
		       len);
bad:
	return err_set(EINVAL, RRF_LOG ": malformed record at byte %zu", (size_t)(p - buf));
}

/* ---- hashing and copying ---- */

static int hash_copy(const char *src, const char *dst, uint8_t sha[RRF_SHA_LEN], uint64_t *size)
{
	struct sha256_ctx c;
	int in = -1, out = -1, ret = 0;
	size_t cap = 1 << 20;
	uint8_t *buf = malloc(cap);
	ssize_t n;

	*size = 0;
	if (!buf)
		return err_set(ENOMEM, "out of memory");
	sha256_init(&c);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		ret = err_set(errno, "%s: %s", src, strerror(errno));
		goto out;
	}
	if (dst && (out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		ret = err_set(errno, "%s: %s", dst, strerror(errno));
		goto out;
	}
	while ((n = read(in, buf, cap)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = err_set(errno, "%s: %s", src, strerror(errno));
			goto out;
		}
		sha256_update(&c, (size_t)n, buf);
		*size += (uint64_t)n;
		for (ssize_t done = 0, k; out >= 0 && done < n; done += k) {
			k = write(out, buf + done, (size_t)(n - done));
			if (k < 0 && errno == EINTR) {
				k = 0;
			} else if (k <= 0) {
				ret = err_set(errno ? errno : EIO, "%s: %s", dst, strerror(errno));
				goto out;
			}
		}
	}
	sha256_digest(&c, RRF_SHA_LEN, sha);
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !ret)
		ret = err_set(errno, "%s: %s", dst, strerror(errno));
	free(buf);
	return ret;
}

int rrf_sha_file(const char *path, uint8_t sha[RRF_SHA_LEN], uint64_t *size)
{
	return hash_copy(path, NULL, sha, size);
}

int rrf_copy_file(const char *src, const char *dst, uint8_t sha[RRF_SHA_LEN], uint64_t *size)
{
	return hash_copy(src, dst, sha, size);
}
