#include "cli/run_qemu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define BUS_PREFIX "virtio-mmio-bus."

static const char *value_of(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		err_set(EINVAL, "option %s needs an argument (see 'strata run --help')", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static bool is_false(const char *v)
{
	return !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no");
}

int run_qemu_parse(struct run_qemu *q, int argc, char **argv, int *i)
{
	const char *o = argv[*i], *a;

	if (!strcmp(o, "-nographic"))
		return 1; /* the console is always stdin/stdout */
	if (strcmp(o, "-machine") && strcmp(o, "-M") && strcmp(o, "-global") &&
	    strcmp(o, "-device"))
		return 0;
	a = value_of(argc, argv, i);
	if (!a)
		return -EINVAL;
	if (!strcmp(o, "-machine") || !strcmp(o, "-M")) {
		if (!strcmp(a, "virt"))
			q->board = MACHINE_BOARD_VIRT;
		else if (!strcmp(a, "nemu"))
			q->board = MACHINE_BOARD_NEMU;
		else
			return err_set(EINVAL, "%s %s: strata has the boards virt (QEMU's) and nemu",
				       o, a);
		return 1;
	}
	if (!strcmp(o, "-global")) {
		const char *v = strchr(a, '=');

		if (!v || strncmp(a, "virtio-mmio.force-legacy=", (size_t)(v - a) + 1))
			return err_set(EINVAL,
				       "-global %s: the only global property is "
				       "virtio-mmio.force-legacy=false",
				       a);
		if (!is_false(v + 1))
			return err_set(EINVAL,
				       "-global %s: strata's virtio-mmio transports are modern "
				       "(Version 2) only; use force-legacy=false",
				       a);
		return 1;
	}
	if (q->ndevices == VIRT_VIRTIO_COUNT)
		return err_set(EINVAL, "-device %s: at most %u devices", a, VIRT_VIRTIO_COUNT);
	q->device[q->ndevices++] = argv[*i];
	return 1;
}

/* Parse "virtio-blk-device,drive=ID,bus=virtio-mmio-bus.N" in place. */
static int parse_device(char *spec, const char **drive, int *bus)
{
	char *save = NULL, *tok = strtok_r(spec, ",", &save);

	if (!tok || strcmp(tok, "virtio-blk-device"))
		return err_set(EINVAL,
			       "-device %s: strata has only virtio-blk-device (virtio-blk on "
			       "virtio-mmio)",
			       tok ? tok : "");
	*drive = NULL;
	*bus = -1;
	while ((tok = strtok_r(NULL, ",", &save))) {
		char *val = strchr(tok, '='), *end;

		if (!val)
			return err_set(EINVAL, "-device virtio-blk-device: %s: expected key=value",
				       tok);
		*val++ = '\0';
		if (!strcmp(tok, "drive")) {
			*drive = val;
		} else if (!strcmp(tok, "bus")) {
			unsigned long n;

			if (strncmp(val, BUS_PREFIX, strlen(BUS_PREFIX)))
				goto bad_bus;
			n = strtoul(val + strlen(BUS_PREFIX), &end, 10);
			if (end == val + strlen(BUS_PREFIX) || *end || n >= VIRT_VIRTIO_COUNT)
				goto bad_bus;
			*bus = (int)n;
		} else if (strcmp(tok, "id")) {
			return err_set(EINVAL,
				       "-device virtio-blk-device: unknown key %s (drive, bus, id)",
				       tok);
		}
		continue;
	bad_bus:
		return err_set(EINVAL, "-device virtio-blk-device: bus=%s: expected %s0 to %s%u",
			       val, BUS_PREFIX, BUS_PREFIX, VIRT_VIRTIO_COUNT - 1);
	}
	if (!*drive)
		return err_set(EINVAL, "-device virtio-blk-device: needs drive=ID (a -drive id=)");
	return 0;
}

int run_qemu_bind(struct run_qemu *q, struct machine_config *cfg)
{
	struct machine_drive placed[VIRT_VIRTIO_COUNT] = {{0}};
	int slot[VIRT_VIRTIO_COUNT];
	unsigned n, next = 0, used = 0;

	cfg->board = q->board;
	if (!q->ndevices)
		return 0;
	for (n = 0; n < cfg->ndrives; n++)
		slot[n] = -2; /* not named by a -device */
	for (unsigned d = 0; d < q->ndevices; d++) {
		const char *drive = NULL;
		int bus = -1;

		if (parse_device(q->device[d], &drive, &bus) < 0)
			return -EINVAL;
		for (n = 0; n < cfg->ndrives; n++)
			if (q->drive_id[n] && !strcmp(q->drive_id[n], drive))
				break;
		if (n == cfg->ndrives)
			return err_set(EINVAL,
				       "-device virtio-blk-device,drive=%s: no -drive id=%s", drive,
				       drive);
		if (slot[n] != -2)
			return err_set(EINVAL, "-device: drive %s is used twice", drive);
		slot[n] = bus;
		if (bus >= 0) {
			if (placed[bus].file)
				return err_set(EINVAL, "-device: bus %s%d is used twice",
					       BUS_PREFIX, bus);
			placed[bus] = cfg->drives[n];
			used = (unsigned)bus + 1 > used ? (unsigned)bus + 1 : used;
		}
	}
	for (n = 0; n < cfg->ndrives; n++) {
		if (slot[n] >= 0)
			continue;
		while (next < VIRT_VIRTIO_COUNT && placed[next].file)
			next++;
		if (next == VIRT_VIRTIO_COUNT)
			return err_set(EINVAL, "-drive: more drives than the %u virtio-mmio slots",
				       VIRT_VIRTIO_COUNT);
		placed[next] = cfg->drives[n];
		used = next + 1 > used ? next + 1 : used;
	}
	memcpy(cfg->drives, placed, sizeof(placed));
	cfg->ndrives = used;
	return 0;
}
