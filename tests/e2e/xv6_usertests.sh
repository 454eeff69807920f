#!/bin/bash
# e2e/xv6_usertests — xv6's `usertests -q` prints ALL TESTS PASSED on 3 harts (QEMU's xv6
# command line, virtual time). Slow (minutes, see docs/TESTING.md): it runs once in CI, on
# the plain build.
# tests/run: not-sanitizer
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
harts=${XV6_HARTS:-3}
tmo=${XV6_USERTESTS_TIMEOUT:-1500}

if ! x=$("$root/scripts/xv6/build.sh" -q 2>&1); then
	echo "FAIL xv6_usertests/build: $x"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$x" || exit 1
cp fs.img "$work/fs.img"
python3 "$root/tests/xv6/xv6_driver.py" --name "xv6_usertests/smp$harts" --boot-timeout 300 \
	--timeout "$tmo" --run "usertests -q=ALL TESTS PASSED" -- \
	"$strata" run -machine virt -bios none -kernel kernel/kernel -m 128M -smp "$harts" \
	-nographic -global virtio-mmio.force-legacy=false \
	-drive file="$work/fs.img",if=none,format=raw,id=x0 \
	-device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
