#!/bin/bash
# e2e/replay — `strata run --record DIR` and `strata replay DIR` (docs/REPLAY.md) on xv6
# (scripts/xv6/build.sh): typed console input that arrives when the host's pipe delivers it, a
# shell command that writes the disk; the replay prints the same bytes, retires the same
# instructions, writes the same trace (all chunks after META) and sees the disk as recorded
# although the image file changed since. A run stopped by a signal replays to the same
# instruction; a --realtime run replays its clock. Bad recordings and changed images: one
# line, exit 2. The async demo kernel, traced with --trace=async, replays to the same trace.
# tests/run: not-sanitizer (xv6 runs of 10^9 instructions; replay_gdb.sh and the fuzzed parsers run under it)
set -u
root=${STRATA_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
strata=${STRATA:-$root/build/strata}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass() { echo "PASS replay/$1"; }
fail() { echo "FAIL replay/$1: $2"; }
same() { # name, file1, file2
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(cmp "$2" "$3" 2>&1 | head -1)"; fi
}
# everything after the header and the META chunk (the command line differs by nature)
body() {
	python3 -c 'import struct,sys
b=open(sys.argv[1],"rb").read(); t,l=struct.unpack_from("<II",b,16)
sys.stdout.buffer.write(b[28+l:] if t==1 else b)' "$1"
}
one_line_2() { # name, status, stderr file, expected words
	local n; n=$(wc -l <"$3")
	if [ "$2" = 2 ] && [ "$n" = 1 ] && grep -q -- "$4" "$3"; then
		pass "$1"
	else
		fail "$1" "status $2, $n lines: $(head -c 300 "$3")"
	fi
}

if ! x=$("$root/scripts/xv6/build.sh" -q 2>&1); then
	echo "FAIL replay/xv6-build: $x"
	exit 1
fi
cd "$x" || exit 1

# 1. typed input and a disk write, traced; the replay after the image changed
cp fs.img "$work/fs.img"
(sleep 0.5; printf 'echo recorded > f\n'; sleep 0.3; printf 'cat f\nls f\n'; sleep 6) |
	timeout 120 "$strata" run -bios none -kernel kernel/kernel -m 128M -drive file="$work/fs.img" \
		--record "$work/rec" --max-insns 1000M --trace=etrace --trace-out "$work/t1.trace" \
		>"$work/out1" 2>"$work/err1"
s1=$?
echo clobbered >"$work/fs.img"
timeout 120 "$strata" replay "$work/rec" --trace=etrace --trace-out "$work/t2.trace" \
	>"$work/out2" 2>"$work/err2"
s2=$?
if [ $s1 = 124 ] && grep -q 'recorded$' "$work/out1" && grep -q 'f  *2 20 9$' "$work/out1"; then
	pass "xv6: recorded run read the typed commands and wrote f"
else
	fail "xv6" "status $s1, output: $(tail -c 300 "$work/out1") $(head -c 300 "$work/err1")"
fi
[ $s2 = $s1 ] && pass "xv6: same exit status ($s2)" || fail "xv6: status" "$s2, recorded $s1: $(head -c 300 "$work/err2")"
same "xv6: same console output, disk as recorded" "$work/out1" "$work/out2"
same "xv6: same stderr (same instruction count)" "$work/err1" "$work/err2"
body "$work/t1.trace" >"$work/b1"
body "$work/t2.trace" >"$work/b2"
if [ -s "$work/b1" ]; then same "xv6: same trace bytes after META" "$work/b1" "$work/b2"; else fail "xv6: trace" "empty"; fi
# from another directory, with relative image paths in the recording
(cd / && timeout 120 "$strata" replay "$work/rec" >"$work/out3" 2>/dev/null)
same "xv6: replay from another directory" "$work/out1" "$work/out3"
grep -q '^drive 0 2048000 ' "$work/rec/manifest" && pass "manifest: the drive's copy" ||
	fail "manifest" "$(cat "$work/rec/manifest")"

# 2. a run stopped by a signal replays to the same instruction, with the recorded status
cp "$x/fs.img" "$work/fs2.img"
(sleep 8) | timeout --preserve-status -s TERM 2 "$strata" run -bios none -kernel kernel/kernel -m 128M \
	-drive file="$work/fs2.img" --record "$work/rec2" --stats >/dev/null 2>"$work/err4"
s4=$?
timeout 120 "$strata" replay "$work/rec2" --stats >/dev/null 2>"$work/err5"
s5=$?
n4=$(sed -n 's/^strata: \([0-9]*\) instructions.*/\1/p' "$work/err4")
n5=$(sed -n 's/^strata: \([0-9]*\) instructions.*/\1/p' "$work/err5")
if [ "$s4" = 143 ] && [ "$s5" = 143 ] && [ -n "$n4" ] && [ "$n4" = "$n5" ] &&
	grep -q "^end stopped 143 $n4\$" "$work/rec2/manifest"; then
	pass "signal: replay stops at instruction $n4 with status 143"
else
	fail "signal" "recorded $s4 ($n4), replay $s5 ($n5): $(cat "$work/err5")"
fi

# 3. --realtime: the clock reads are replayed
cp "$x/fs.img" "$work/fs3.img"
(sleep 0.5; printf 'ls\n'; sleep 4) |
	timeout 120 "$strata" run -bios none -kernel kernel/kernel -m 128M -drive file="$work/fs3.img" \
		--realtime --record "$work/rec3" --max-insns 700M >"$work/out6" 2>/dev/null
s6=$?
timeout 120 "$strata" replay "$work/rec3" >"$work/out7" 2>"$work/err7"
s7=$?
if [ $s6 = $s7 ] && grep -q '^README' "$work/out6"; then pass "realtime: status $s7"; else
	fail "realtime" "$s6 / $s7: $(head -c 300 "$work/err7")"; fi
same "realtime: same output" "$work/out6" "$work/out7"

# 4. the async demo kernel under OpenSBI (tests/guests/rust), traced with --trace=async when
# recorded and when replayed: the same trace after META, the same tasks
if rg=$("$root/tests/guests/rust/build.sh" -q 2>&1) && [ -f "$rg/kernel-O2.elf" ]; then
	timeout 120 "$strata" run -kernel "$rg/kernel-O2.elf" --record "$work/rec7" --trace=async \
		--trace-out "$work/a1.trace" >"$work/a1.out" 2>&1 </dev/null
	timeout 120 "$strata" replay "$work/rec7" --trace=async --trace-out "$work/a2.trace" \
		>"$work/a2.out" 2>&1
	body "$work/a1.trace" >"$work/ab1"
	body "$work/a2.trace" >"$work/ab2"
	if [ -s "$work/ab1" ] && grep -q 'kernel: done' "$work/a1.out"; then
		same "async kernel: same trace bytes after META" "$work/ab1" "$work/ab2"
	else
		fail "async kernel" "$(tail -c 300 "$work/a1.out")"
	fi
	"$strata" tasks --json "$work/a1.trace" >"$work/t1.json" 2>&1
	"$strata" tasks --json "$work/a2.trace" >"$work/t2.json" 2>&1
	if grep -q '"polls"' "$work/t1.json"; then same "async kernel: same tasks" "$work/t1.json" "$work/t2.json"; else
		fail "async kernel: tasks" "$(head -c 200 "$work/t1.json")"; fi
else
	fail "async kernel" "the Rust guests are not built: $rg"
fi

# 5. bad recordings, changed images, options that would change the machine
k=$work/kernel.elf
cp kernel/kernel "$k"
(sleep 2) | timeout 60 "$strata" run -bios none -kernel "$k" -m 128M --max-insns 1M \
	--record "$work/rec4" >/dev/null 2>&1
timeout 60 "$strata" replay "$work/rec4" >/dev/null 2>&1
s=$?
[ $s = 124 ] && pass "bad: the unchanged recording replays (--max-insns, 124)" || fail "bad: unchanged" "status $s"
printf 'x' >>"$k"
timeout 60 "$strata" replay "$work/rec4" >/dev/null 2>"$work/e"
one_line_2 "bad: changed -kernel refused" $? "$work/e" "changed since the recording"
cp kernel/kernel "$k"
cp -r "$work/rec4" "$work/rec5"
head -c 9 "$work/rec4/input.log" >"$work/rec5/input.log"
timeout 60 "$strata" replay "$work/rec5" >/dev/null 2>"$work/e"
one_line_2 "bad: truncated input log" $? "$work/e" "truncated"
cp "$work/rec4/input.log" "$work/rec5/input.log"
grep -v '^end ' "$work/rec4/manifest" >"$work/rec5/manifest"
timeout 60 "$strata" replay "$work/rec5" >/dev/null 2>"$work/e"
one_line_2 "bad: manifest without its end line" $? "$work/e" "did not finish"
sed 's/^strata-replay [0-9]*$/strata-replay 9/' "$work/rec4/manifest" >"$work/rec5/manifest"
timeout 60 "$strata" replay "$work/rec5" >/dev/null 2>"$work/e"
one_line_2 "bad: a later format version" $? "$work/e" "version 9"
# stored snapshots (docs/REPLAY.md): every file is checked before the replay runs
cp "$work/rec4/manifest" "$work/rec5/manifest"
sz=$(stat -c %s "$work/rec4/snap000000.rrs")
head -c $((sz - 1)) "$work/rec4/snap000000.rrs" >"$work/rec5/snap000000.rrs"
timeout 60 "$strata" replay "$work/rec5" >/dev/null 2>"$work/e"
one_line_2 "bad: truncated snapshot" $? "$work/e" "snap000000.rrs: truncated"
cp "$work/rec4/snap000000.rrs" "$work/rec5/snap000000.rrs"
printf '\x55' | dd of="$work/rec5/snap000000.rrs" bs=1 seek=$((sz - 5)) conv=notrunc 2>/dev/null
timeout 60 "$strata" replay "$work/rec5" >/dev/null 2>"$work/e"
one_line_2 "bad: corrupt snapshot" $? "$work/e" "snap000000.rrs: corrupt payload"
rm "$work/rec5/snap000000.rrs"
timeout 60 "$strata" replay "$work/rec5" >/dev/null 2>"$work/e"
one_line_2 "bad: missing snapshot" $? "$work/e" "snap000000.rrs: No such file"
cp "$work/rec4/snap000000.rrs" "$work/rec5/snap000000.rrs"
timeout 60 "$strata" replay "$work/nothing" >/dev/null 2>"$work/e"
one_line_2 "bad: no such directory" $? "$work/e" "manifest"
timeout 60 "$strata" replay "$work/rec4" -m 256M >/dev/null 2>"$work/e"
one_line_2 "bad: -m on a replay" $? "$work/e" "fixed the machine"
timeout 60 "$strata" replay "$work/rec4" --record "$work/rec6" >/dev/null 2>"$work/e"
one_line_2 "bad: --record on a replay" $? "$work/e" "fixed the machine"
timeout 60 "$strata" run -bios none -kernel "$k" --record "" >/dev/null 2>"$work/e"
one_line_2 "bad: --record with an empty name" $? "$work/e" "empty"
exit 0
