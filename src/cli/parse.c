/* parse — number and size arguments and the option tables of the command line. */
#include "cli/cli.h"
#include "util/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Leading digits of s (decimal, or hex with 0x) into *v; *end after them. */
static int parse_digits(const char *s, unsigned long long *v, char **end)
{
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, end, 0);
	return errno ? -EINVAL : 0;
}

int cli_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	uint64_t m = 1ull << 20; /* a bare number is MiB, as QEMU's -m */

	if (parse_digits(s, &v, &end) < 0)
		return -EINVAL;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'B':
			m = 1;
			break;
		case 'K':
			m = 1ull << 10;
			break;
		case 'M':
			m = 1ull << 20;
			break;
		case 'G':
			m = 1ull << 30;
			break;
		case 'T':
			m = 1ull << 40;
			break;
		default:
			return -EINVAL;
		}
		end++;
		if (m > 1 && (*end == 'i' || *end == 'I'))
			end++;
		if (m > 1 && (*end == 'B' || *end == 'b'))
			end++;
		if (*end)
			return -EINVAL;
	}
	if (v && m > UINT64_MAX / v)
		return -EINVAL;
	*bytes = v * m;
	return 0;
}

int cli_parse_count(const char *s, uint64_t *n)
{
	unsigned long long v;
	char *end;
	uint64_t m = 1;

	if (parse_digits(s, &v, &end) < 0)
		return -EINVAL;
	if (*end) {
		switch (*end) {
		case 'k':
		case 'K':
			m = 1000;
			break;
		case 'M':
			m = 1000000;
			break;
		case 'G':
			m = 1000000000;
			break;
		default:
			return -EINVAL;
		}
		if (end[1])
			return -EINVAL;
	}
	if (v && m > UINT64_MAX / v)
		return -EINVAL;
	*n = v * m;
	return 0;
}

static int parse_opts(int argc, char **argv, const struct cli_opt *opts, const char **file)
{
	*file = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct cli_opt *o;
		size_t n;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return 1;
		if (a[0] != '-' || !a[1]) {
			if (*file)
				return err_set(EINVAL, "more than one FILE ('%s')", a);
			*file = a;
			continue;
		}
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		for (o = opts; o->name; o++)
			if (strlen(o->name) == n && !strncmp(a, o->name, n))
				break;
		if (!o->name || (o->flag && eq))
			return err_set(EINVAL, "unknown option '%s' (try --help)", a);
		if (o->flag) {
			*o->flag = true;
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			return err_set(EINVAL, "%s needs a value (try --help)", o->name);
		}
	}
	return 0;
}

int cli_parse_opts(const char *cmd, void (*usage)(FILE *f), int argc, char **argv,
		   const struct cli_opt *opts, const char **file)
{
	int r = parse_opts(argc, argv, opts, file);

	if (r > 0)
		usage(stdout);
	else if (r < 0)
		fprintf(stderr, "strata %s: %s\n", cmd, err_msg());
	return r;
}
