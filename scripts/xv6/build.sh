#!/bin/bash
# scripts/xv6/build.sh — build xv6-riscv from ../shared/ext/xv6-riscv; print the directory.
#
#   scripts/xv6/build.sh [-q]
#
# Output, in ~/.cache/strata/xv6/<key>/ (STRATA_CACHE overrides ~/.cache/strata): a built copy
# of the tree (kernel/kernel, user/_*, ...) and fs.img, a template: copy it before giving it to
# a guest (xv6 writes to its disk). <key> hashes the xv6 sources, tests/xv6/mkfs.py, this script
# and the cross compiler's version, so an unchanged input set is never rebuilt. Recipe: xv6's
# own `make TOOLPREFIX=riscv64-linux-gnu- kernel/kernel` plus its UPROGS; the tree in ext has no
# mkfs/, so fs.img is written by tests/xv6/mkfs.py (xv6's layout, README and UPROGS as xv6's
# Makefile lists them). -q: the build log stays in build.log.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
unset MAKEFLAGS MFLAGS MAKELEVEL
quiet=0
[ "${1:-}" = -q ] && quiet=1
# ../shared/ext next to the project; from a git worktree in <dir>/wt/NAME, <dir>/shared/ext.
src=${XV6_SRC:-}
if [ -z "$src" ]; then
	for d in "$root/../shared/ext" "$root/../../shared/ext"; do
		[ -d "$d/xv6-riscv" ] && src=$d/xv6-riscv && break
	done
fi
cache=${STRATA_CACHE:-$HOME/.cache/strata}/xv6
cross=riscv64-linux-gnu-

die() {
	echo "xv6/build: $*" >&2
	exit 1
}

[ -n "$src" ] && [ -f "$src/kernel/main.c" ] ||
	die "no xv6 source in $root/../shared/ext/xv6-riscv (XV6_SRC=DIR overrides)"
command -v ${cross}gcc >/dev/null || die "${cross}gcc missing: apt-get install gcc-riscv64-linux-gnu"
key=$( (cd "$src" && find . -type f ! -path './.git/*' | LC_ALL=C sort | xargs sha256sum) |
	cat - "$root/tests/xv6/mkfs.py" "$0" <(${cross}gcc --version) | sha256sum | cut -c1-16)
out=$cache/$key
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -r "$src/." "$tmp/"
chmod -R u+w "$tmp"
log=$tmp/build.log
{
	make -C "$tmp" TOOLPREFIX=$cross kernel/kernel
	uprogs=$(make -s -C "$tmp" --no-print-directory --eval 'print-uprogs: ; @echo $(UPROGS)' print-uprogs)
	# shellcheck disable=SC2086
	make -C "$tmp" TOOLPREFIX=$cross $uprogs
	# shellcheck disable=SC2086
	(cd "$tmp" && python3 "$root/tests/xv6/mkfs.py" fs.img README $uprogs)
} >"$log" 2>&1 || {
	[ $quiet = 1 ] || tail -20 "$log" >&2
	die "build failed (log: $log, kept)"
}
[ $quiet = 1 ] || tail -3 "$log" >&2
touch "$tmp/.done"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
