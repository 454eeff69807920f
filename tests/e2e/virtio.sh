#!/bin/bash
# e2e/virtio — virtio-blk: the virtio_bad guest with a read-write and a read-only image
# (stdout + "exit N" against tests/golden/guests/virtio_bad-drive.out), the images afterwards
# (the guest's write reached the file, nothing else changed, the read-only image untouched), and
# -drive errors (exit 2, one stderr line naming the option or file).
# VIRTIO_EMU=qemu runs the guest on QEMU instead and shows how it differs (see virtio_bad.c).
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
emu=${VIRTIO_EMU:-strata}
elf=$root/tests/guests/build/virtio_bad.elf
golden=$root/tests/golden/guests/virtio_bad-drive.out
if [ ! -x "$strata" ]; then
	echo "FAIL virtio: strata binary '$strata' not built"
	exit 1
fi
if [ ! -f "$elf" ]; then
	echo "FAIL virtio: $elf not built (make guests)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 64 sectors; byte i of sector s is (s + i) & 0xff (what the guest expects).
python3 -c '
import sys
sys.stdout.buffer.write(bytes((s + i) & 0xff for s in range(64) for i in range(512)))' >"$tmp/orig.img"
cp "$tmp/orig.img" "$tmp/rw.img"
cp "$tmp/orig.img" "$tmp/ro.img"
chmod a-w "$tmp/ro.img"

if [ "$emu" = qemu ]; then
	timeout 60 qemu-system-riscv64 -M virt -cpu rv64,h=false -nographic -bios none -kernel "$elf" \
		-global virtio-mmio.force-legacy=false \
		-drive file="$tmp/rw.img",if=none,id=d0,format=raw -device virtio-blk-device,drive=d0 \
		-drive file="$tmp/ro.img",if=none,id=d1,format=raw,readonly=on \
		-device virtio-blk-device,drive=d1 >"$tmp/out" 2>"$tmp/err" </dev/null
else
	timeout 120 "$strata" run -bios none -kernel "$elf" --max-insns 500M \
		-drive file="$tmp/rw.img" -drive file="$tmp/ro.img",format=raw,readonly=on \
		>"$tmp/out" 2>"$tmp/err" </dev/null
fi
echo "exit $?" >>"$tmp/out"
if cmp -s "$tmp/out" "$golden"; then
	echo "PASS virtio/guest"
else
	echo "FAIL virtio/guest: output differs from golden; first: $(diff "$golden" "$tmp/out" | grep -m1 '^[<>]')"
	diff -u "$golden" "$tmp/out" | tail -n +3 | head -n 30 | sed 's/^/  /'
	head -n 10 "$tmp/err" | sed 's/^/  stderr: /'
fi

# The guest wrote sector 3 with (0xa5 ^ i) & 0xff; every other byte must be as before.
python3 - "$tmp/orig.img" "$tmp/rw.img" "$tmp/ro.img" >"$tmp/img" <<'EOF'
import sys
orig, rw, ro = (open(p, 'rb').read() for p in sys.argv[1:])
want = bytearray(orig)
want[3 * 512:4 * 512] = bytes((0xa5 ^ i) & 0xff for i in range(512))
if rw != bytes(want):
    diff = next(i for i in range(min(len(rw), len(want))) if rw[i] != want[i]) if len(rw) == len(want) else 'size'
    print('FAIL virtio/rw_image: differs from the expected image at byte %s' % diff)
else:
    print('PASS virtio/rw_image')
print('PASS virtio/ro_image' if ro == orig else 'FAIL virtio/ro_image: the read-only image changed')
EOF
cat "$tmp/img"
[ "$emu" = qemu ] && exit 0

# A real driver: S-mode U-Boot (OpenSBI) reads sector 2 and writes sector 5 of the image.
uboot=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
if [ -f "$uboot" ]; then
	cp "$tmp/orig.img" "$tmp/ub.img"
	python3 "$root/tests/e2e/boot_driver.py" --name virtio/uboot --timeout 60 \
		--cmd "virtio scan" --cmd "virtio info" --expect "virtio info=64 x 512" \
		--cmd "virtio read 0x84000000 2 1" --expect "virtio read 0x84000000 2 1=1 blocks read: OK" \
		--cmd "md.b 0x84000000 0x8" --expect "md.b 0x84000000 0x8=02 03 04 05 06 07 08 09" \
		--cmd "mw.b 0x84000000 0x42 0x200" --cmd "virtio write 0x84000000 5 1" \
		--expect "virtio write 0x84000000 5 1=1 blocks written: OK" \
		-- "$strata" run -kernel "$uboot" -drive file="$tmp/ub.img"
	python3 - "$tmp/orig.img" "$tmp/ub.img" <<'EOF2'
import sys
orig, ub = (open(p, 'rb').read() for p in sys.argv[1:])
want = orig[:5 * 512] + b'\x42' * 512 + orig[6 * 512:]
print('PASS virtio/uboot_image' if ub == want else 'FAIL virtio/uboot_image: sector 5 not written as 0x42 or other sectors changed')
EOF2
else
	echo "FAIL virtio/uboot: $uboot missing (package u-boot-qemu, scripts/install-deps)"
fi

# -drive errors: status 2, exactly one stderr line mentioning WORD, nothing on stdout.
check() {
	local name=$1 word=$2
	shift 2
	timeout 20 "$strata" run -bios none -kernel "$elf" --max-insns 1000 "$@" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	local status=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$status" -ne 2 ]; then
		echo "FAIL virtio/$name: exit status $status, want 2 (stderr: $(head -c 300 "$tmp/err"))"
	elif [ "$lines" -ne 1 ]; then
		echo "FAIL virtio/$name: $lines stderr lines, want 1: $(head -c 300 "$tmp/err")"
	elif ! grep -qF -- "$word" "$tmp/err"; then
		echo "FAIL virtio/$name: stderr does not mention '$word': $(cat "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		echo "FAIL virtio/$name: unexpected stdout: $(head -c 200 "$tmp/out")"
	else
		echo "PASS virtio/$name"
	fi
}
head -c 1000 "$tmp/orig.img" >"$tmp/odd.img"
check drive_missing_file "file=$tmp/none.img" -drive "file=$tmp/none.img"
check drive_no_file "file=" -drive format=raw
check drive_empty_file "file=" -drive file=
check drive_format_qcow2 "format=qcow2" -drive "file=$tmp/rw.img,format=qcow2"
check drive_readonly_value "readonly=maybe" -drive "file=$tmp/rw.img,readonly=maybe"
check drive_unknown_key "cache=none" -drive "file=$tmp/rw.img,cache=none"
check drive_not_key_value "$tmp/rw.img" -drive "$tmp/rw.img"
check drive_if_ide "if=ide" -drive "file=$tmp/rw.img,if=ide"
check drive_odd_size "multiple of 512" -drive "file=$tmp/odd.img"
check drive_directory "file=$tmp" -drive "file=$tmp"
check drive_no_argument "-drive" -drive
if [ "$(id -u)" -ne 0 ]; then
	check drive_readonly_file_rw "$tmp/ro.img" -drive "file=$tmp/ro.img"
fi
nine=()
for _ in 1 2 3 4 5 6 7 8 9; do nine+=(-drive "file=$tmp/rw.img"); done
check drive_nine "at most 8" "${nine[@]}"

# ",," is a literal comma in a file name, as in QEMU; if= and id= are accepted.
cp "$tmp/orig.img" "$tmp/a,b.img"
if timeout 20 "$strata" run -bios none -kernel "$elf" --max-insns 1000 \
	-drive "file=$tmp/a,,b.img,if=virtio,id=d0" >/dev/null 2>"$tmp/err" </dev/null ||
	[ $? -eq 124 ]; then
	echo "PASS virtio/drive_comma_in_name"
else
	echo "FAIL virtio/drive_comma_in_name: $(head -c 300 "$tmp/err")"
fi
