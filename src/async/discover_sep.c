/* discover_sep — DWARF kept in a separate file, as distributions ship it: found by build ID
 * (DIR/.build-id/xx/rest.debug, Debian's -dbgsym packages) or by .gnu_debuglink (next to the
 * binary, in its .debug/ directory, or DIR/<the binary's directory>/), gdb's search order, for
 * each DIR of STRATA_DEBUG_DIR (colon-separated; default /usr/lib/debug). A candidate counts only
 * if its build ID matches, or, when the binary has none, its CRC matches the link's. The
 * binary itself stays d->elf: code and read-only data (waker vtables) are read from it, the
 * debug file has them as NOBITS. */
#define _GNU_SOURCE
#include "async/discover_impl.h"

#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static bool crc_matches(int fd, uint32_t want)
{
	unsigned char buf[65536];
	uLong crc = crc32(0, NULL, 0);
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		crc = crc32(crc, buf, (uInt)n);
		off += n;
	}
	return n == 0 && (uint32_t)crc == want;
}

/* 1 if cand is the debug file of d (then d owns it), 0 if not, -ENOMEM. */
static int try_file(struct adisc *d, const char *cand, const void *id, ssize_t idlen,
		    const GElf_Word *crc)
{
	int fd = open(cand, O_RDONLY | O_CLOEXEC);
	Elf *e = NULL;
	Dwarf *dw = NULL;
	const void *id2;
	int ret = 0;

	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF)
		goto out;
	if (idlen > 0 ? dwelf_elf_gnu_build_id(e, &id2) != idlen || memcmp(id, id2, (size_t)idlen)
		      : !crc || !crc_matches(fd, *crc))
		goto out;
	dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
	if (!dw)
		goto out;
	d->dbg_path = strdup(cand);
	if (!d->dbg_path) {
		ret = -ENOMEM;
		goto out;
	}
	d->dbg_fd = fd;
	d->dbg_elf = e;
	d->dw = dw;
	return 1;
out:
	if (dw)
		dwarf_end(dw);
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

int ad_open_separate(struct adisc *d, char *why, size_t whylen)
{
	const char *dirs = getenv("STRATA_DEBUG_DIR"), *link, *slash = strrchr(d->path, '/');
	const void *id = NULL;
	ssize_t idlen = dwelf_elf_gnu_build_id(d->elf, &id);
	GElf_Word crc;
	char cand[PATH_MAX], dir[PATH_MAX];
	int ret;

	link = dwelf_elf_gnu_debuglink(d->elf, &crc);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - d->path) : 1,
		 slash ? d->path : ".");
	if (!dirs || !*dirs)
		dirs = "/usr/lib/debug";
	/* by build ID, in each debug directory */
	for (const char *p = dirs; idlen > 0 && *p;) {
		size_t n = strcspn(p, ":");
		int k = snprintf(cand, sizeof(cand), "%.*s/.build-id/%02x/", (int)n, p,
				 ((const unsigned char *)id)[0]);

		for (ssize_t i = 1; i < idlen && k > 0 && (size_t)k < sizeof(cand) - 3; i++)
			k += snprintf(cand + k, sizeof(cand) - (size_t)k, "%02x",
				      ((const unsigned char *)id)[i]);
		if (k > 0 && (size_t)k < sizeof(cand) - 7) {
			strcpy(cand + k, ".debug");
			if ((ret = try_file(d, cand, id, idlen, NULL)) != 0)
				return ret;
		}
		p += n + (p[n] == ':');
	}
	/* by debuglink: next to the binary, in .debug/, under each debug directory */
	if (link && !strchr(link, '/')) {
		if (snprintf(cand, sizeof(cand), "%s/%s", dir, link) < (int)sizeof(cand) &&
		    strcmp(cand, d->path) && (ret = try_file(d, cand, id, idlen, &crc)) != 0)
			return ret;
		if (snprintf(cand, sizeof(cand), "%s/.debug/%s", dir, link) < (int)sizeof(cand) &&
		    (ret = try_file(d, cand, id, idlen, &crc)) != 0)
			return ret;
		for (const char *p = dirs; *p;) {
			size_t n = strcspn(p, ":");
			char *abs = realpath(dir, NULL);

			if (abs && snprintf(cand, sizeof(cand), "%.*s%s/%s", (int)n, p, abs, link) <
				       (int)sizeof(cand))
				ret = try_file(d, cand, id, idlen, &crc);
			else
				ret = 0;
			free(abs);
			if (ret)
				return ret;
			p += n + (p[n] == ':');
		}
	}
	if (link)
		snprintf(why, whylen,
			 " (its .gnu_debuglink names %s: not found next to it, in .debug/ or under %s)",
			 link, dirs);
	else if (idlen > 0)
		snprintf(why, whylen, " (no %s/.build-id/ file for its build ID)", dirs);
	else if (whylen)
		why[0] = 0;
	return 0;
}
