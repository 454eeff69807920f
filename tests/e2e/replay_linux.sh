#!/bin/bash
# e2e/replay_linux — record and replay of the Linux image (make linux-image, as e2e/linux) with
# typed console input: the kernel's UART driver takes the bytes by interrupt (the tty echoes
# them), the init writes the disk. `strata replay` must print the same bytes, end at the same
# instruction with the same status and write the same trace (every chunk after META), although
# the disk image changed since the recording. Its size (every file) is at most twice the RAM the
# guest touched, also with a stored snapshot every 10^7 instructions.
# tests/run: not-sanitizer (two Linux boots)
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
sbi=/usr/lib/riscv64-linux-gnu/opensbi/generic
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

pass() { echo "PASS replay_linux/$1"; }
fail() { echo "FAIL replay_linux/$1: $2"; }
same() { # name, file1, file2
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(cmp "$2" "$3" 2>&1 | head -1)"; fi
}
body() { # a trace after its header and META chunk
	python3 -c 'import struct,sys
b=open(sys.argv[1],"rb").read(); t,l=struct.unpack_from("<II",b,16)
sys.stdout.buffer.write(b[28+l:] if t==1 else b)' "$1"
}

if ! img=$(cd "$root" && make -s --no-print-directory linux-image 2>"$work/build.err"); then
	echo "FAIL replay_linux/image: make linux-image failed: $(tail -3 "$work/build.err")"
	exit 1
fi
img=$(printf '%s\n' "$img" | tail -n 1)
cp "$img/disk.img" "$work/disk.img"
# the bytes come while the kernel boots and the init runs its checks
# (through a FIFO: the writer is killed when the run ends, the console sees no end of input)
mkfifo "$work/in"
(printf 'typed early\n'; sleep 0.2; printf 'strata typed\n'; sleep 900) >"$work/in" &
writer=$!
timeout 600 "$strata" run -m 128M -bios "$sbi/fw_dynamic.elf" -drive file="$work/disk.img" \
		-kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" -append "console=ttyS0" \
		--record "$work/rec" --trace=etrace --trace-out "$work/t1.trace" --stats \
		>"$work/out1" 2>"$work/err1" <"$work/in"
s1=$?
pkill -P $writer 2>/dev/null; kill $writer 2>/dev/null
echo clobbered >"$work/disk.img"
timeout 600 "$strata" replay "$work/rec" --trace=etrace --trace-out "$work/t2.trace" --stats \
	>"$work/out2" 2>"$work/err2"
s2=$?
if [ $s1 = 0 ] && grep -q 'strata-init: all checks passed' "$work/out1"; then
	pass "the recorded boot passed its checks"
else
	fail "boot" "status $s1: $(tail -c 300 "$work/out1") $(tail -3 "$work/err1")"
fi
# (the log's READ records split the bytes as the UART took them; the tty echoes the line)
if grep -q 'typed early' "$work/rec/input.log" && grep -q '^strata typed' "$work/out1"; then
	pass "the typed bytes are in the recording and reached the guest's tty"
else
	fail "input" "the input log lacks the typed bytes (the boot ended before they came?)"
fi
[ $s2 = $s1 ] && pass "replay: same status ($s2)" || fail "replay: status" "$s2, recorded $s1: $(tail -3 "$work/err2")"
same "replay: same console output" "$work/out1" "$work/out2"
n1=$(sed -n 's/^strata: \([0-9]*\) instructions.*/\1/p' "$work/err1")
n2=$(sed -n 's/^strata: \([0-9]*\) instructions.*/\1/p' "$work/err2")
[ -n "$n1" ] && [ "$n1" = "$n2" ] && pass "replay: same instruction count ($n1)" ||
	fail "replay: instructions" "$n2, recorded $n1"
body "$work/t1.trace" >"$work/b1"
body "$work/t2.trace" >"$work/b2"
if [ -s "$work/b1" ]; then same "replay: same trace bytes after META" "$work/b1" "$work/b2"; else
	fail "trace" "empty"; fi
# issue 17: the recording is at most 2x the RAM the guest touched (the drive copy is compressed)
# size NAME STDERR DIR: the recording's bytes (its files) against the RAM touched (--stats)
size() {
	local line rec ram
	line=$(grep '^strata: recording' "$2")
	rec=$(find "$3" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
	ram=$(printf '%s\n' "$line" | sed -n 's/.*RAM touched \([0-9]*\) KiB$/\1/p')
	echo "replay_linux: $1: ${line#strata: }; files $((rec / 1024)) KiB"
	if [ -n "$ram" ] && [ "$ram" -gt 0 ] && [ "$rec" -le $((2 * ram * 1024)) ]; then
		pass "$1: recording $((rec / 1024)) KiB <= 2 x RAM touched ($ram KiB)"
	else
		fail "$1: size" "recording $rec bytes, RAM touched ${ram:-?} KiB"
	fi
}
size "recording size" "$work/err1" "$work/rec"
# the same boot with a snapshot every 10^7 instructions (9 stored snapshots)
cp "$img/disk.img" "$work/disk.img"
timeout 600 "$strata" run -m 128M -bios "$sbi/fw_dynamic.elf" -drive file="$work/disk.img" \
	-kernel "$img/Image" -initrd "$img/initramfs.cpio.gz" -append "console=ttyS0" \
	--record "$work/rec10" --snapshot-every 10M --stats >"$work/out3" 2>"$work/err3" </dev/null
size "recording size, snapshots every 10^7" "$work/err3" "$work/rec10"
exit 0
