/* strata attach UPSTREAM [--gdb [HOST:]PORT] [--sym FILE[@m|s|u] ...]: GDB proxy (src/attach). */
#include "attach/attach.h"
#include "cli/cli.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: strata attach UPSTREAM [--gdb [HOST:]PORT] [--sym FILE[@m|s|u] ...]\n"
	    "                     [--timeout MS] [-q]\n\n"
	    "A GDB proxy: GDB connects to strata (default port 1234), strata to UPSTREAM, an RSP\n"
	    "server: HOST:PORT (OpenOCD, qemu-system-* -s) or serial:DEVICE[,BAUD] (Linux kgdb).\n"
	    "strata adds the privilege level, symbol files switched per level and address space\n"
	    "(no add-symbol-file: --sym FILE@m|s|u, M firmware, S kernel, U user program) and\n"
	    "monitor commands (monitor help). See docs/ATTACH.md.\n\n"
	    "  --gdb [HOST:]PORT   where GDB connects (default 127.0.0.1:1234)\n"
	    "  --sym FILE[@LEVEL]  an ELF with symbols; LEVEL m, s or u (default: any)\n"
	    "  --timeout MS        how long the upstream may take to answer strata (5000)\n"
	    "  -q                  no status lines\n");
}

static int add_sym(struct att_config *c, const char *arg)
{
	char *copy, *at;
	int priv = -1;

	if (c->nfiles >= ATT_MAX_FILES)
		return err_set(EINVAL, "strata attach: --sym: at most %d files", ATT_MAX_FILES);
	if (!(copy = strdup(arg)))
		return -ENOMEM;
	at = strrchr(copy, '@');
	if (at) {
		if (!strcmp(at, "@m"))
			priv = 3;
		else if (!strcmp(at, "@s"))
			priv = 1;
		else if (!strcmp(at, "@u"))
			priv = 0;
		else {
			free(copy);
			return err_set(
			    EINVAL, "strata attach: --sym %s: the level after @ is m, s or u", arg);
		}
		*at = 0;
	}
	c->files[c->nfiles].path = copy;
	c->files[c->nfiles++].priv = priv;
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	struct att_config c = {.listen = "1234", .timeout_ms = 5000};
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			goto out;
		} else if (!strcmp(a, "-q")) {
			c.quiet = true;
		} else if (!strcmp(a, "--gdb") || !strcmp(a, "--sym") || !strcmp(a, "--timeout")) {
			if (!v) {
				rc = err_set(EINVAL, "strata attach: %s needs a value", a);
				break;
			}
			i++;
			if (!strcmp(a, "--gdb")) {
				c.listen = v;
			} else if (!strcmp(a, "--sym")) {
				rc = add_sym(&c, v);
			} else {
				char *end;
				long ms = strtol(v, &end, 10);

				if (*end || ms < 1 || ms > 3600000)
					rc = err_set(EINVAL,
						     "strata attach: --timeout %s: milliseconds, "
						     "1..3600000",
						     v);
				c.timeout_ms = (int)ms;
			}
		} else if (a[0] == '-' && a[1]) {
			rc = err_set(EINVAL, "strata attach: unknown option '%s' (try --help)", a);
		} else if (c.upstream) {
			rc = err_set(EINVAL, "strata attach: one upstream only ('%s' and '%s')",
				     c.upstream, a);
		} else {
			c.upstream = a;
		}
	}
	if (rc == 0 && !c.upstream)
		rc = err_set(EINVAL,
			     "strata attach: no upstream (HOST:PORT or serial:DEVICE[,BAUD])");
	if (rc == 0)
		rc = att_run(&c);
	if (rc < 0)
		fprintf(stderr, "strata: %s\n", err_msg() ? err_msg() : strerror(-rc));
	rc = rc == 0 ? 0 : rc == -EINVAL || rc == -ENOENT ? EXIT_BADINPUT : 1;
out:
	for (unsigned i = 0; i < c.nfiles; i++)
		free((char *)c.files[i].path);
	return rc;
}
