#!/bin/bash
# scripts/xvisor/build.sh — build Xvisor (RISC-V 64, generic-64b-defconfig) with its basic
# guest firmware and boot disk from ../shared/ext/xvisor; print the directory.
#
#   scripts/xvisor/build.sh [-q]
#
# Output, in ~/.cache/strata/xvisor/<key>/ (STRATA_CACHE overrides ~/.cache/strata): vmm.bin
# (the hypervisor, loaded by OpenSBI's fw_jump at 0x80200000), disk.img (the initrd: boot script
# one_guest_virt64 or two_guest_virt64 with the basic firmware, its guest DTB and banner) and
# disk2.img (two guests), and firmware-bare.bin: the same basic firmware built to run without
# the hypervisor (at 0x80200000 after OpenSBI, the guest board's vminfo values fixed in the
# copy: RAM, timebase, one vCPU, autoboot off), bench/hyp's baseline. <key> hashes the Xvisor sources, this script and the cross compiler's
# version. Recipe: docs/riscv/riscv64-qemu.txt in Xvisor, with Debian's riscv64-linux-gnu- cross
# compiler, dtc and genext2fs. -q: the build log stays in build.log.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
unset MAKEFLAGS MFLAGS MAKELEVEL
quiet=0
[ "${1:-}" = -q ] && quiet=1
src=${XVISOR_SRC:-}
if [ -z "$src" ]; then
	for d in "$root/../shared/ext" "$root/../../shared/ext"; do
		[ -d "$d/xvisor" ] && src=$d/xvisor && break
	done
fi
cache=${STRATA_CACHE:-$HOME/.cache/strata}/xvisor
cross=riscv64-linux-gnu-
jobs=${XVISOR_JOBS:-2}

die() {
	echo "xvisor/build: $*" >&2
	exit 1
}

[ -n "$src" ] && [ -f "$src/arch/riscv/configs/generic-64b-defconfig" ] ||
	die "no Xvisor source in $root/../shared/ext/xvisor (XVISOR_SRC=DIR overrides)"
for t in ${cross}gcc dtc genext2fs; do
	command -v $t >/dev/null || die "$t missing (scripts/install-deps)"
done
key=$( (cd "$src" && find . -type f ! -path './.git/*' | LC_ALL=C sort | xargs sha256sum) |
	cat - "$0" <(${cross}gcc --version) | sha256sum | cut -c1-16)
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
g=tests/riscv/virt64
disk() { # disk DIR XSCRIPT IMAGE
	local d=$1
	mkdir -p "$d/tmp" "$d/system" "$d/images/riscv/virt64"
	cp -f docs/banner/roman.txt "$d/system/banner.txt"
	cp -f docs/logo/xvisor_logo_name.ppm "$d/system/logo.ppm"
	dtc -q -I dts -O dtb -o "$d/images/riscv/virt64-guest.dtb" $g/virt64-guest.dts
	cp -f build/$g/basic/firmware.bin "$d/images/riscv/virt64/firmware.bin"
	cp -f $g/basic/nor_flash.list "$d/images/riscv/virt64/nor_flash.list"
	cp -f $g/xscript/$2 "$d/boot.xscript"
	genext2fs -B 1024 -b 32768 -d "$d" "$3"
}
{
	cd "$tmp"
	export CROSS_COMPILE=$cross
	make ARCH=riscv generic-64b-defconfig
	make -j"$jobs"
	make -j"$jobs" -C $g/basic
	disk build/disk one_guest_virt64.xscript build/disk.img
	disk build/disk2 two_guest_virt64.xscript build/disk2.img
	# the bare baseline: strata's virt has no vminfo device (0x10001000 is a virtio slot)
	sed -i 's/return vminfo_ram_base(VIRT_VMINFO, 0);/return 0x80000000;/
		s/return vminfo_ram_size(VIRT_VMINFO, 0);/return 0x08000000;/
		s/(u32)vminfo_clocksource_freq(VIRT_VMINFO)/10000000/
		s/vminfo_vcpu_count(VIRT_VMINFO)/1/
		s/return vminfo_boot_delay(VIRT_VMINFO);/return 0xffffffff;/' $g/basic/arch_board.c
	make -j"$jobs" -C $g/basic O="$tmp/build-bare" board_text_start=0x80200000
} >"$log" 2>&1 || {
	[ $quiet = 1 ] || tail -20 "$log" >&2
	trap - EXIT
	die "build failed (log: $log, kept)"
}
mkdir -p "$out"
cp "$tmp/build/vmm.bin" "$tmp/build/vmm.elf" "$tmp/build/disk.img" "$tmp/build/disk2.img" \
	"$tmp/build/$g/basic/firmware.elf" "$log" "$out/"
cp "$tmp/build-bare/$g/basic/firmware.bin" "$out/firmware-bare.bin"
touch "$out/.done"
echo "$out"
