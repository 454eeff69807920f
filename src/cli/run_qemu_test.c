/* run_qemu_test — QEMU's options as `strata run` takes them: which are accepted, and where
 * -device puts each -drive. */
#include "cli/run_qemu.h"

#include <string.h>

#include "machine/test_util.h"
#include "util/err.h"

/* Feed argv (NULL-terminated, copied so parsing in place is fine) to run_qemu_parse. */
static int parse(struct run_qemu *q, const char *const *args)
{
	static char buf[8][128];
	char *argv[9] = {"run"};
	int argc = 1, r = 0;

	for (; args[argc - 1]; argc++)
		argv[argc] = strcpy(buf[argc - 1], args[argc - 1]);
	for (int i = 1; i < argc && r >= 0; i++)
		r = run_qemu_parse(q, argc, argv, &i);
	return r;
}

static int accepted(void)
{
	struct run_qemu q = {0};
	const char *ok[] = {"-machine",
			    "virt",
			    "-M",
			    "virt",
			    "-nographic",
			    "-global",
			    "virtio-mmio.force-legacy=false",
			    NULL};
	const char *legacy[] = {"-global", "virtio-mmio.force-legacy=true", NULL};
	const char *board[] = {"-machine", "sifive_u", NULL};

	CHECK(parse(&q, ok) > 0 && q.ndevices == 0, "QEMU's xv6 options: %s", err_msg());
	CHECK(parse(&q, legacy) < 0 && strstr(err_msg(), "modern"), "force-legacy=true refused");
	CHECK(parse(&q, board) < 0 && strstr(err_msg(), "virt"), "other boards refused");
	return 0;
}

static int bind(void)
{
	struct run_qemu q = {0};
	struct machine_config cfg = {0};
	const char *dev[] = {"-device", "virtio-blk-device,drive=b,bus=virtio-mmio-bus.2", NULL};

	cfg.drives[0].file = "a.img";
	cfg.drives[1].file = "b.img";
	q.drive_id[0] = "a";
	q.drive_id[1] = "b";
	cfg.ndrives = 2;
	CHECK(parse(&q, dev) > 0 && q.ndevices == 1, "-device taken");
	CHECK(run_qemu_bind(&q, &cfg) == 0, "bind: %s", err_msg());
	CHECK(cfg.ndrives == 3 && !strcmp(cfg.drives[2].file, "b.img") &&
		  !strcmp(cfg.drives[0].file, "a.img") && !cfg.drives[1].file,
	      "b on slot 2, a on the first free slot, slot 1 empty (%u)", cfg.ndrives);
	return 0;
}

static int bind_errors(void)
{
	struct run_qemu q = {0};
	struct machine_config cfg = {.ndrives = 1};
	const char *twice[] = {"-device", "virtio-blk-device,drive=a", "-device",
			       "virtio-blk-device,drive=a", NULL};
	const char *unknown[] = {"-device", "virtio-blk-device,drive=zz", NULL};
	const char *key[] = {"-device", "virtio-blk-device,drive=a,serial=1", NULL};

	cfg.drives[0].file = "a.img";
	q.drive_id[0] = "a";
	CHECK(parse(&q, twice) > 0 && run_qemu_bind(&q, &cfg) < 0 && strstr(err_msg(), "twice"),
	      "a drive on two devices");
	q = (struct run_qemu){.drive_id = {"a"}};
	CHECK(parse(&q, unknown) > 0 && run_qemu_bind(&q, &cfg) < 0 && strstr(err_msg(), "zz"),
	      "unknown drive id");
	q = (struct run_qemu){.drive_id = {"a"}};
	CHECK(parse(&q, key) > 0 && run_qemu_bind(&q, &cfg) < 0 && strstr(err_msg(), "serial"),
	      "unknown key");
	return 0;
}

int main(void)
{
	return RUN(accepted) + RUN(bind) + RUN(bind_errors) ? 1 : 0;
}
