/* parse — number and size arguments of the command line. */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

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
