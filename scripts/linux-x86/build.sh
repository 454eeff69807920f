#!/bin/bash
# scripts/linux-x86/build.sh — build the x86-64 Linux guest that `strata attach` is tested on;
# print the directory that holds it.
#
#   scripts/linux-x86/build.sh [-q]
#
# Output, in ~/.cache/strata/linux-x86/<key>/ (STRATA_CACHE overrides ~/.cache/strata):
#   bzImage             Debian's linux-source-6.1, allnoconfig + scripts/linux-x86/strata.config
#   vmlinux             the same kernel as an ELF with DWARF (GDB's source lines)
#   config              the kernel's final .config
#   prog                static x86-64 /init with DWARF (tests/linux-x86/prog.c)
#   initramfs.cpio.gz   /init and /dev/console (use with -initrd)
# <key> hashes every input (package version, fragment, program, this script, the compilers): an
# unchanged input set is never rebuilt. The kernel source is extracted once, shared with
# scripts/linux/build.sh (~/.cache/strata/linux/src-<version>), and never written to.
# -q: no build log on stderr (it stays in build.log).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
unset MAKEFLAGS MFLAGS MAKELEVEL
quiet=0
[ "${1:-}" = -q ] && quiet=1
base=${STRATA_CACHE:-$HOME/.cache/strata}
cache=$base/linux-x86
jobs=${LINUX_JOBS:-2}
kmake_vars=(ARCH=x86_64 KBUILD_BUILD_USER=strata KBUILD_BUILD_HOST=strata
	KBUILD_BUILD_TIMESTAMP=2024-01-01 KBUILD_BUILD_VERSION=1)

die() {
	echo "linux-x86/build: $*" >&2
	exit 1
}

PKGS="linux-source-6.1 gcc libc6-dev make flex bison bc xz-utils gzip libelf-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	cmd="apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "linux-x86/build: missing packages; run as root: apt-get update && $cmd" >&2
		exit 2
	fi
	echo "linux-x86/build: $cmd" >&2
	export DEBIAN_FRONTEND=noninteractive
	$cmd >&2 || { apt-get update >&2 && $cmd >&2; }
fi

kver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || die "$tarball missing (package linux-source-6.1)"
fragment=$root/scripts/linux-x86/strata.config
key=$( {
	echo "linux-source-6.1 $kver"
	gcc --version | head -n 1
	dpkg-query -W -f='${Version}\n' libc6-dev
	cat "$fragment" "$root/tests/linux-x86/prog.c" "$0"
} | sha256sum | cut -c1-16)
out=$cache/$key
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

log=$cache/build.log
: >"$log"
run() {
	if [ $quiet = 1 ]; then
		"$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; die "failed: $* (log: $log)"; }
	else
		"$@" 2>&1 | tee -a "$log" >&2
	fi
}
start=$(date +%s)

# the same extracted tree as scripts/linux/build.sh (under its lock, which it also takes)
src=$base/linux/src-$kver/linux-source-6.1
if [ ! -f "$src/Makefile" ]; then
	mkdir -p "$base/linux"
	(
		flock 8
		if [ ! -f "$src/Makefile" ]; then
			echo "linux-x86/build: extracting $tarball" >&2
			rm -rf "$base/linux/src-$kver.tmp"
			mkdir -p "$base/linux/src-$kver.tmp"
			tar -xf "$tarball" -C "$base/linux/src-$kver.tmp"
			rm -rf "$base/linux/src-$kver"
			mv "$base/linux/src-$kver.tmp" "$base/linux/src-$kver"
		fi
	) 8>"$base/linux/.lock"
fi

tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
# the object tree outlives an interrupted build (make resumes it) and goes once the key is done
kbuild=$cache/build-$key
mkdir -p "$kbuild"
ln -s "$kbuild" "$tmp/build"
echo "linux-x86/build: building the kernel in $kbuild (make -j$jobs; a few minutes)" >&2
(cd "$src" && run env "${kmake_vars[@]}" scripts/kconfig/merge_config.sh -n -O "$tmp/build" "$fragment")
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want=$line sym=${line%%=*} ;;
	"# CONFIG_"*" is not set") sym=${line#\# } sym=${sym%% *} want="# $sym is not set" ;;
	*) continue ;;
	esac
	if ! grep -qx -- "$want" "$tmp/build/.config"; then
		if [ "${want#\#}" != "$want" ] && ! grep -q "^$sym=" "$tmp/build/.config"; then
			continue
		fi
		echo "linux-x86/build: $sym: requested '$want', got '$(grep -- "$sym[= ]" "$tmp/build/.config" || echo absent)'" >&2
		bad=1
	fi
done <"$fragment"
[ $bad = 0 ] || die "config fragment not applied (see above)"
run make -C "$src" O="$tmp/build" "${kmake_vars[@]}" -j"$jobs" bzImage
cp "$tmp/build/arch/x86/boot/bzImage" "$tmp/build/vmlinux" "$tmp/"
cp "$tmp/build/.config" "$tmp/config"

# /init: built in this directory so that its DWARF names the source by a stable path
cp "$root/tests/linux-x86/prog.c" "$tmp/prog.c"
(cd "$tmp" && run gcc -static -g -O1 "-fdebug-prefix-map=$tmp=$out" -std=gnu11 -Wall -Wextra -Werror -o prog prog.c)
gcc -O2 -o "$tmp/gen_init_cpio" "$src/usr/gen_init_cpio.c"
cat >"$tmp/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
file /init $tmp/prog 0755 0 0
LIST
cp -p "$tmp/prog" "$tmp/prog.init"
touch -d @0 "$tmp/prog.init"
sed -i "s|$tmp/prog |$tmp/prog.init |" "$tmp/initramfs.list"
"$tmp/gen_init_cpio" -t 0 "$tmp/initramfs.list" | gzip -n -9 >"$tmp/initramfs.cpio.gz"
rm -rf "$tmp/gen_init_cpio" "$tmp/initramfs.list" "$tmp/prog.init" "$tmp/build" "$kbuild"

rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.complete"
echo "linux-x86/build: done in $(($(date +%s) - start))s" >&2
echo "$out"
