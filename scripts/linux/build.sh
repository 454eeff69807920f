#!/bin/bash
# scripts/linux/build.sh — build strata's Linux guest image; print the directory that holds it.
#
#   scripts/linux/build.sh [-q]        (make linux-image runs this)
#   scripts/linux/build.sh [-q] --variant kvm
#
# Output, in ~/.cache/strata/linux/<key>/ (STRATA_CACHE overrides ~/.cache/strata):
#   Image               kernel (Debian's linux-source-6.1 + allnoconfig + scripts/linux/strata.config)
#   vmlinux             the same kernel as an ELF with symbols (no debug info)
#   config              the kernel's final .config
#   init                static riscv64 init (tests/linux/init.c)
#   initramfs.cpio.gz   /init plus /dev/console, /proc, /sys, /mnt (use with -initrd)
#   disk.img            ext2 template with /host.txt; copy it before giving it to a guest
#   host.txt guest.txt  what /host.txt holds, and what the init writes to /guest.txt
# <key> hashes every input (package version, fragment, init sources, this script, the compilers),
# so an unchanged input set is never rebuilt; the kernel is cached separately under
# kernel-<hash> (package, compiler, fragment, this script's kernel part) so that editing the init
# does not rebuild the kernel. Builds out of tree; the
# extracted source in src-<version>/ stays clean. -q: no build log on stderr (it stays in build.log).
# --variant kvm: the same kernel plus scripts/linux/kvm.config (KVM host), its own kernel-<hash>
# and kvm-<key> directories, and an initramfs from tests/kvm/ (an init that runs the project's KVM
# VMM on its bare-metal guest; see docs/HYPERVISOR.md, "KVM"); the default image is unaffected.
# Missing Debian packages are installed (root) or named with exit 2 (not root).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# Under `make -s linux-image` the kernel's make would inherit -s (an empty build.log) and the
# caller's jobserver; it gets its own flags instead.
unset MAKEFLAGS MFLAGS MAKELEVEL
quiet=0
variant=
while [ $# -gt 0 ]; do
	case $1 in
	-q) quiet=1 ;;
	--variant)
		[ "${2:-}" = kvm ] || { echo "linux/build: --variant: want 'kvm', got '${2:-}'" >&2; exit 2; }
		variant=$2
		shift
		;;
	*) echo "linux/build: unknown option '$1' (want -q, --variant kvm)" >&2; exit 2 ;;
	esac
	shift
done
cache=${STRATA_CACHE:-$HOME/.cache/strata}/linux
jobs=${LINUX_JOBS:-2}
cross=riscv64-linux-gnu-
kmake_vars=(ARCH=riscv "CROSS_COMPILE=$cross" KBUILD_BUILD_USER=strata KBUILD_BUILD_HOST=strata
	KBUILD_BUILD_TIMESTAMP=2024-01-01 KBUILD_BUILD_VERSION=1)

die() {
	echo "linux/build: $*" >&2
	exit 1
}

# --- packages: install only what is missing -------------------------------------------------------
PKGS="linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross gcc libc6-dev make flex bison
bc xz-utils gzip e2fsprogs"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	cmd="apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "linux/build: missing packages; run as root: apt-get update && $cmd" >&2
		exit 2
	fi
	echo "linux/build: $cmd" >&2
	export DEBIAN_FRONTEND=noninteractive
	$cmd >&2 || { apt-get update >&2 && $cmd >&2; }
fi

# --- cache keys -----------------------------------------------------------------------------------
kver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || die "$tarball missing (package linux-source-6.1)"
fragment=$root/scripts/linux/strata.config
if [ "$variant" = kvm ]; then
	# One fragment, the default's lines then KVM's, so the kernel part below stays the same.
	# Written aside and renamed: a concurrent build may be reading it.
	mkdir -p "$cache"
	cat "$fragment" "$root/scripts/linux/kvm.config" >"$cache/kvm-fragment.config.$$"
	mv -f "$cache/kvm-fragment.config.$$" "$cache/kvm-fragment.config"
	fragment=$cache/kvm-fragment.config
fi
# The kernel's key covers only the parts of this script that build the kernel (between the
# "kernel source" and "init" markers, plus the make variables), so other edits reuse it.
kkey=$( {
	echo "linux-source-6.1 $kver"
	"${cross}gcc" --version | head -n 1
	cat "$fragment"
	grep -A1 '^kmake_vars=' "$0"
	sed -n '/^# --- kernel source/,/^# --- init/p' "$0"
} | sha256sum | cut -c1-16)
key=$( {
	echo "$kkey"
	"${cross}gcc" --version | head -n 1
	dpkg-query -W -f='${Version}\n' libc6-dev-riscv64-cross e2fsprogs
	for f in "$root"/tests/linux/*; do
		echo "== ${f##*/}"
		cat "$f"
	done
	if [ "$variant" = kvm ]; then
		for f in "$root"/tests/kvm/*; do
			echo "== kvm/${f##*/}"
			cat "$f"
		done
	fi
	cat "$0"
} | sha256sum | cut -c1-16)
out=$cache/${variant:+$variant-}$key
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; a concurrent build of the same key is reused below
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

# --- kernel source: extracted once per package version, never written to afterwards ---------------
src=$cache/src-$kver/linux-source-6.1
if [ ! -f "$src/Makefile" ]; then
	echo "linux/build: extracting $tarball" >&2
	rm -rf "$cache/src-$kver.tmp"
	mkdir -p "$cache/src-$kver.tmp"
	tar -xf "$tarball" -C "$cache/src-$kver.tmp"
	rm -rf "$cache/src-$kver"
	mv "$cache/src-$kver.tmp" "$cache/src-$kver"
fi

# --- kernel ---------------------------------------------------------------------------------------
kdir=$cache/kernel-$kkey
if [ ! -f "$kdir/.complete" ]; then
	echo "linux/build: building the kernel in $kdir/build (make -j$jobs; a few minutes)" >&2
	mkdir -p "$kdir/build"
	# allnoconfig with the fragment forced on top (merge_config -n), then check every request.
	(cd "$src" && run env "${kmake_vars[@]}" scripts/kconfig/merge_config.sh -n -O "$kdir/build" "$fragment")
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) want=$line sym=${line%%=*} ;;
		"# CONFIG_"*" is not set") sym=${line#\# } sym=${sym%% *} want="# $sym is not set" ;;
		*) continue ;;
		esac
		if ! grep -qx -- "$want" "$kdir/build/.config"; then
			if [ "${want#\#}" != "$want" ] && ! grep -q "^$sym=" "$kdir/build/.config"; then
				continue # "not set" and absent (its dependencies are off) is the same thing
			fi
			echo "linux/build: $sym: requested '$want', got '$(grep -- "$sym[= ]" "$kdir/build/.config" || echo absent)'" >&2
			bad=1
		fi
	done <"$fragment"
	[ $bad = 0 ] || die "config fragment not applied (see above)"
	run make -C "$src" O="$kdir/build" "${kmake_vars[@]}" -j"$jobs" Image vmlinux
	cp "$kdir/build/arch/riscv/boot/Image" "$kdir/build/vmlinux" "$kdir/"
	cp "$kdir/build/.config" "$kdir/config"
	touch "$kdir/.complete"
fi

# --- init, initramfs, disk ------------------------------------------------------------------------
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
ln "$kdir/Image" "$kdir/vmlinux" "$kdir/config" "$tmp/"
extra_files=
if [ "$variant" = kvm ]; then
	# The VMM, its guest and an init that runs one inside the other (tests/kvm/).
	kvm=$root/tests/kvm
	run "${cross}gcc" -static -std=gnu11 -O2 -Wall -Wextra -Werror -o "$tmp/init" "$kvm/init.c"
	run "${cross}gcc" -static -std=gnu11 -O2 -Wall -Wextra -Werror -o "$tmp/kvm-vmm" "$kvm/vmm.c"
	run "${cross}gcc" -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -nostdlib -nostartfiles \
		-fno-pie -no-pie -mcmodel=medany -march=rv64imac_zicsr -mabi=lp64 -static -Wl,--build-id=none \
		-T "$kvm/guest.ld" -o "$tmp/guest.elf" "$kvm/guest_start.S" "$kvm/guest.c"
	touch -d @0 "$tmp/kvm-vmm" "$tmp/guest.elf"
	extra_files="file /kvm-vmm $tmp/kvm-vmm 0755 0 0
file /guest.elf $tmp/guest.elf 0644 0 0"
else
	run "${cross}gcc" -static -std=gnu11 -O2 -Wall -Wextra -Werror -o "$tmp/init" "$root/tests/linux/init.c" -lm -lpthread
fi

gcc -O2 -o "$tmp/gen_init_cpio" "$src/usr/gen_init_cpio.c"
cat >"$tmp/initramfs.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /mnt 0755 0 0
file /init $tmp/init 0755 0 0
EOF
[ -z "$extra_files" ] || echo "$extra_files" >>"$tmp/initramfs.list"
touch -d @0 "$tmp/init" # reproducible archive: gen_init_cpio records the file's mtime
"$tmp/gen_init_cpio" -t 0 "$tmp/initramfs.list" >"$tmp/initramfs.cpio"
gzip -n -9 <"$tmp/initramfs.cpio" >"$tmp/initramfs.cpio.gz"
rm -f "$tmp/gen_init_cpio" "$tmp/initramfs.list"

# The patterns must match tests/linux/init.c (host_line / guest_line).
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "strata host line %04d\n", i }' >"$tmp/host.txt"
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "strata guest line %05d\n", i }' >"$tmp/guest.txt"
mkdir "$tmp/disk"
cp "$tmp/host.txt" "$tmp/disk/host.txt"
touch -d @1704067200 "$tmp/disk" "$tmp/disk/host.txt" # with E2FSPROGS_FAKE_TIME: reproducible
E2FSPROGS_FAKE_TIME=1704067200 run mke2fs -q -F -t ext2 -b 1024 -L strata -U 5f0d1d2e-6a3b-4c1e-9d8f-0123456789ab \
	-E root_owner=0:0,hash_seed=5f0d1d2e-6a3b-4c1e-9d8f-0123456789ab -d "$tmp/disk" "$tmp/disk.img" 8M
# mke2fs -d copies the host file's atime and ctime, which touch cannot pin down; set them here.
printf 'sif /host.txt atime @1704067200\nsif /host.txt ctime @1704067200\n' >"$tmp/debugfs.cmd"
run debugfs -w -f "$tmp/debugfs.cmd" "$tmp/disk.img"
rm -rf "$tmp/disk" "$tmp/debugfs.cmd"

rm -rf "$out"
mv "$tmp" "$out"
touch "$out/.complete"
echo "linux/build: done in $(($(date +%s) - start))s" >&2
echo "$out"
